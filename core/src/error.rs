//! The one error type of boxkit.

use std::fmt;

/// Everything that can go wrong in boxkit. Each variant carries the data a
/// caller needs to act on it, and `Display` says what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoxkitError {
    /// No box with this id exists in the runtime.
    NotFound { box_id: String },
    /// A box with this id exists already.
    AlreadyExists { box_id: String },
    /// A box name was rejected.
    InvalidName { name: String, reason: String },
    /// The box is in a state that does not allow the operation.
    InvalidState {
        box_id: String,
        state: String,
        operation: String,
    },
    /// The runtime root directory cannot be used.
    RootUnavailable { path: String, reason: String },
    /// A file-system operation failed.
    Io { path: String, reason: String },
    /// The process could not be started.
    SpawnFailed { program: String, reason: String },
    /// The process ran and exited with a non-zero code.
    ExecFailed {
        command: String,
        exit_code: i32,
        stderr: String,
    },
    /// The process did not finish in time and was killed.
    Timeout { after_ms: u64 },
    /// The process was terminated by a signal.
    Signaled { signal: i32 },
    /// An empty command line was given.
    EmptyCommand,
    /// A path inside the box tried to leave it.
    PathEscape { path: String },
    /// A file that should exist does not.
    FileNotFound { path: String },
    /// The operating system refused access.
    PermissionDenied { path: String },
    /// An environment variable name or value is invalid.
    InvalidEnv { key: String, reason: String },
    /// The process wrote more output than the box allows.
    OutputTooLarge { limit_bytes: u64, actual_bytes: u64 },
    /// An exec policy refused the command.
    PolicyRejected { command: String, reason: String },
    /// A bug in boxkit; please report it.
    Internal { message: String },
}

impl fmt::Display for BoxkitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use BoxkitError::*;
        match self {
            NotFound { box_id } => write!(f, "no box named '{box_id}'; list_boxes() shows the existing ones"),
            AlreadyExists { box_id } => write!(f, "a box named '{box_id}' already exists; pick another name or remove it first"),
            InvalidName { name, reason } => write!(f, "invalid box name '{name}': {reason}"),
            InvalidState { box_id, state, operation } => {
                write!(f, "cannot {operation} box '{box_id}' while it is {state}")
            }
            RootUnavailable { path, reason } => {
                write!(f, "runtime root '{path}' is unusable: {reason}")
            }
            Io { path, reason } => write!(f, "I/O error on '{path}': {reason}"),
            SpawnFailed { program, reason } => {
                write!(f, "could not start '{program}': {reason}; is it installed and on PATH?")
            }
            ExecFailed { command, exit_code, stderr } => {
                write!(f, "'{command}' exited with code {exit_code}")?;
                let tail = stderr.trim();
                if !tail.is_empty() {
                    write!(f, ": {tail}")?;
                }
                Ok(())
            }
            Timeout { after_ms } => write!(f, "the command timed out after {after_ms} ms and was killed; raise the timeout or shorten the work"),
            Signaled { signal } => write!(f, "the command was killed by signal {signal}"),
            EmptyCommand => write!(f, "the command is empty; pass the program and its arguments"),
            PathEscape { path } => write!(f, "path '{path}' leaves the box; use a relative path without '..'"),
            FileNotFound { path } => write!(f, "file '{path}' does not exist"),
            PermissionDenied { path } => write!(f, "permission denied on '{path}'"),
            InvalidEnv { key, reason } => write!(f, "invalid environment variable '{key}': {reason}"),
            OutputTooLarge { limit_bytes, actual_bytes } => write!(
                f,
                "the command wrote at least {actual_bytes} bytes, over the box limit of {limit_bytes}"
            ),
            PolicyRejected { command, reason } => {
                write!(f, "the exec policy rejected '{command}': {reason}")
            }
            Internal { message } => write!(f, "internal boxkit error (please report it): {message}"),
        }
    }
}

impl std::error::Error for BoxkitError {}

impl BoxkitError {
    /// Maps an I/O error on `path` to the most precise variant.
    pub(crate) fn io(path: &std::path::Path, err: &std::io::Error) -> Self {
        let path = path.display().to_string();
        match err.kind() {
            std::io::ErrorKind::NotFound => BoxkitError::FileNotFound { path },
            std::io::ErrorKind::PermissionDenied => BoxkitError::PermissionDenied { path },
            _ => BoxkitError::Io {
                path,
                reason: err.to_string(),
            },
        }
    }
}
