//! boxkit: a local sandbox runtime.
//!
//! A [`Runtime`] owns a root directory. Each [`Sandbox`] ("box") is an
//! isolated working directory below it with its own environment; boxkit runs
//! real processes in it (arguments, environment, working directory, timeout,
//! captured output), copies files in and out, and tells registered
//! [`EventListener`]s about every lifecycle step.
//!
//! The API follows UniFFI's UDL conventions: interface objects are shared as
//! `Arc<T>`, records are structs with public fields, errors are one enum and
//! callback interfaces are `Send + Sync` traits received as `Box<dyn Trait>`.

mod error;
mod exec;
mod paths;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

pub use error::BoxkitError;

/// Default cap on captured stdout + stderr of one command.
pub const DEFAULT_MAX_OUTPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Lifecycle of a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoxState {
    Created,
    Running,
    Stopped,
    Removed,
}

impl std::fmt::Display for BoxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl BoxState {
    fn as_str(self) -> &'static str {
        match self {
            BoxState::Created => "created",
            BoxState::Running => "running",
            BoxState::Stopped => "stopped",
            BoxState::Removed => "removed",
        }
    }
}

/// Direction of a file copy, seen from the box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CopyDirection {
    In,
    Out,
}

/// What a finished command left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecResult {
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
    pub duration: Duration,
}

/// What a path inside a box is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathKind {
    Missing,
    File { size: u64 },
    Directory { entries: u32 },
    Symlink { target: String },
}

/// How to create a box: its name, extra environment and output cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxConfig {
    pub name: String,
    pub env: HashMap<String, String>,
    pub max_output_bytes: u64,
}

/// Receives lifecycle events. Methods are called from the thread doing the
/// work, which for commands is a boxkit worker thread.
pub trait EventListener: Send + Sync {
    fn on_box_created(&self, box_id: String);
    fn on_box_started(&self, box_id: String);
    fn on_exec_started(&self, box_id: String, command: Vec<String>);
    fn on_exec_completed(&self, box_id: String, exit_code: i32, duration: Duration);
    fn on_file_copied(&self, box_id: String, path: String, bytes: u64, direction: CopyDirection);
    fn on_box_stopped(&self, box_id: String);
    fn on_box_removed(&self, box_id: String);
    /// A chunk of a command's standard output, as it is read (from a
    /// reader thread, or a tokio task for `exec_async`). Bindings that
    /// predate it need not implement it.
    fn on_exec_output(&self, _box_id: String, _chunk: Vec<u8>) {}
}

/// Consulted before every command; may allow it, refuse it (`Ok(false)`), or
/// fail with a reason. `allow_programs` is one in Rust; bindings may bring
/// their own.
pub trait ExecPolicy: Send + Sync {
    fn allow_exec(&self, box_id: String, command: Vec<String>) -> Result<bool, BoxkitError>;
}

/// Allows the commands whose program (first word) is one of `programs`.
struct AllowPrograms(Vec<String>);

impl ExecPolicy for AllowPrograms {
    fn allow_exec(&self, _box_id: String, command: Vec<String>) -> Result<bool, BoxkitError> {
        Ok(command
            .first()
            .is_some_and(|program| self.0.contains(program)))
    }
}

/// A policy that allows only commands running one of `programs`.
pub fn allow_programs(programs: Vec<String>) -> Arc<dyn ExecPolicy> {
    Arc::new(AllowPrograms(programs))
}

/// A path on the host, outside any box.
pub type HostPath = PathBuf;

/// A host path as text (lossily, for a path that is not UTF-8).
pub fn host_path_text(path: HostPath) -> String {
    path.to_string_lossy().into_owned()
}

type Listeners = RwLock<Vec<(u64, Arc<dyn EventListener>)>>;

struct Shared {
    root: PathBuf,
    listeners: Listeners,
    next_listener: AtomicU64,
    policy: RwLock<Option<Arc<dyn ExecPolicy>>>,
}

impl Shared {
    fn emit(&self, event: impl Fn(&dyn EventListener)) {
        let listeners: Vec<Arc<dyn EventListener>> = match self.listeners.read() {
            Ok(guard) => guard.iter().map(|(_, l)| Arc::clone(l)).collect(),
            Err(poisoned) => poisoned
                .into_inner()
                .iter()
                .map(|(_, l)| Arc::clone(l))
                .collect(),
        };
        for listener in &listeners {
            event(listener.as_ref());
        }
    }
}

/// The sandbox runtime: owns a root directory and the boxes below it.
pub struct Runtime {
    shared: Arc<Shared>,
    boxes: Mutex<BTreeMap<String, Arc<Sandbox>>>,
}

impl Runtime {
    /// [`Runtime::new`] as a future: the file-system work runs on tokio's
    /// blocking pool, not on the caller's thread.
    pub async fn open(root_dir: String) -> Result<Self, BoxkitError> {
        match tokio::task::spawn_blocking(move || Self::new(root_dir)).await {
            Ok(result) => result,
            Err(e) => Err(BoxkitError::Internal {
                message: format!("opening the runtime failed: {e}"),
            }),
        }
    }

    /// Opens (creating if needed) a runtime rooted at `root_dir`.
    pub fn new(root_dir: String) -> Result<Self, BoxkitError> {
        let root = PathBuf::from(&root_dir);
        let unusable = |reason: String| BoxkitError::RootUnavailable {
            path: root_dir.clone(),
            reason,
        };
        if root_dir.is_empty() {
            return Err(unusable("the path is empty".into()));
        }
        std::fs::create_dir_all(root.join("boxes")).map_err(|e| unusable(e.to_string()))?;
        let root = root.canonicalize().map_err(|e| unusable(e.to_string()))?;
        Ok(Runtime {
            shared: Arc::new(Shared {
                root,
                listeners: RwLock::new(Vec::new()),
                next_listener: AtomicU64::new(1),
                policy: RwLock::new(None),
            }),
            boxes: Mutex::new(BTreeMap::new()),
        })
    }

    /// The canonical root directory.
    pub fn root_dir(&self) -> HostPath {
        self.shared.root.clone()
    }

    /// Creates a box named `name` with extra environment variables.
    pub fn create_box(
        &self,
        name: String,
        env: HashMap<String, String>,
    ) -> Result<Arc<Sandbox>, BoxkitError> {
        paths::validate_box_name(&name)?;
        for (key, value) in &env {
            paths::validate_env(key, value)?;
        }
        let mut boxes = self.lock_boxes();
        let dir = self.shared.root.join("boxes").join(&name);
        if boxes.contains_key(&name) || dir.exists() {
            return Err(BoxkitError::AlreadyExists { box_id: name });
        }
        let workdir = dir.join("work");
        std::fs::create_dir_all(&workdir).map_err(|e| BoxkitError::io(&workdir, &e))?;
        let sandbox = Arc::new(Sandbox {
            id: name.clone(),
            dir,
            workdir,
            shared: Arc::clone(&self.shared),
            inner: Mutex::new(SandboxInner {
                state: BoxState::Created,
                env: env.into_iter().collect(),
                max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES,
            }),
            states: tokio::sync::watch::Sender::new(BoxState::Created),
        });
        boxes.insert(name.clone(), Arc::clone(&sandbox));
        drop(boxes);
        self.shared.emit(|l| l.on_box_created(name.clone()));
        Ok(sandbox)
    }

    /// Creates a box from a full [`BoxConfig`].
    pub fn create_box_with(&self, config: BoxConfig) -> Result<Arc<Sandbox>, BoxkitError> {
        let sandbox = self.create_box(config.name, config.env)?;
        sandbox.set_max_output_bytes(config.max_output_bytes);
        Ok(sandbox)
    }

    /// Validates `config` without creating anything; returns it normalized
    /// (a zero output cap becomes the default).
    pub fn check_config(&self, config: BoxConfig) -> Result<BoxConfig, BoxkitError> {
        paths::validate_box_name(&config.name)?;
        for (key, value) in &config.env {
            paths::validate_env(key, value)?;
        }
        let max_output_bytes = if config.max_output_bytes == 0 {
            DEFAULT_MAX_OUTPUT_BYTES
        } else {
            config.max_output_bytes
        };
        Ok(BoxConfig {
            max_output_bytes,
            ..config
        })
    }

    /// Sends `count` `on_box_started(box_id)` events to every listener from
    /// each of `threads` threads, for load-testing listener code.
    pub fn ping_listeners(&self, box_id: String, threads: u32, count: u32) {
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    for _ in 0..count {
                        self.shared.emit(|l| l.on_box_started(box_id.clone()));
                    }
                });
            }
        });
    }

    /// Sends `count` `on_exec_output` events to every listener from each of
    /// `threads` threads, for load-testing listener code: the box id is
    /// `{box_id}-{thread}`, the chunk 16 bytes, the event's number in its
    /// thread and the Unix time in nanoseconds when it was sent (both
    /// little-endian). Returns the nanoseconds the threads spent sending,
    /// summed.
    pub fn ping_output(&self, box_id: String, threads: u32, count: u32) -> u64 {
        let spent = AtomicU64::new(0);
        std::thread::scope(|scope| {
            for thread in 0..threads {
                let (spent, box_id) = (&spent, format!("{box_id}-{thread}"));
                scope.spawn(move || {
                    let started = std::time::Instant::now();
                    for i in 0..u64::from(count) {
                        let now = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0, |d| d.as_nanos() as u64);
                        let mut chunk = i.to_le_bytes().to_vec();
                        chunk.extend_from_slice(&now.to_le_bytes());
                        self.shared
                            .emit(|l| l.on_exec_output(box_id.clone(), chunk.clone()));
                    }
                    let nanos = started.elapsed().as_nanos() as u64;
                    spent.fetch_add(nanos, std::sync::atomic::Ordering::Relaxed);
                });
            }
        });
        spent.into_inner()
    }

    /// The box named `box_id`.
    pub fn get_box(&self, box_id: String) -> Result<Arc<Sandbox>, BoxkitError> {
        self.lock_boxes()
            .get(&box_id)
            .cloned()
            .ok_or(BoxkitError::NotFound { box_id })
    }

    /// Names of all boxes, sorted.
    pub fn list_boxes(&self) -> Vec<String> {
        self.lock_boxes().keys().cloned().collect()
    }

    /// Names of the boxes in `state`, sorted.
    pub fn list_boxes_in(&self, state: BoxState) -> Vec<String> {
        let boxes = self.lock_boxes();
        boxes
            .iter()
            .filter(|(_, b)| b.state() == state)
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Stops the box if needed and deletes its directory.
    pub fn remove_box(&self, box_id: String) -> Result<(), BoxkitError> {
        let sandbox = self
            .lock_boxes()
            .remove(&box_id)
            .ok_or_else(|| BoxkitError::NotFound {
                box_id: box_id.clone(),
            })?;
        if sandbox.state() == BoxState::Running {
            sandbox.stop()?;
        }
        sandbox.lock().state = BoxState::Removed;
        sandbox.states.send_replace(BoxState::Removed);
        std::fs::remove_dir_all(&sandbox.dir).map_err(|e| BoxkitError::io(&sandbox.dir, &e))?;
        self.shared.emit(|l| l.on_box_removed(box_id.clone()));
        Ok(())
    }

    /// Registers a listener; returns a handle for [`Runtime::remove_listener`].
    pub fn add_listener(&self, listener: Box<dyn EventListener>) -> u64 {
        let id = self.shared.next_listener.fetch_add(1, Ordering::Relaxed);
        let mut listeners = match self.shared.listeners.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        listeners.push((id, Arc::from(listener)));
        id
    }

    /// Unregisters a listener; false if the handle is unknown.
    pub fn remove_listener(&self, handle: u64) -> bool {
        let mut listeners = match self.shared.listeners.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let before = listeners.len();
        listeners.retain(|(id, _)| *id != handle);
        listeners.len() != before
    }

    /// Installs (or with `None` removes) the policy consulted before each command.
    pub fn set_policy(&self, policy: Option<Arc<dyn ExecPolicy>>) {
        let mut slot = match self.shared.policy.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = policy;
    }

    /// The installed policy, if any.
    pub fn policy(&self) -> Option<Arc<dyn ExecPolicy>> {
        match self.shared.policy.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn lock_boxes(&self) -> MutexGuard<'_, BTreeMap<String, Arc<Sandbox>>> {
        match self.boxes.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

struct SandboxInner {
    state: BoxState,
    env: BTreeMap<String, String>,
    max_output_bytes: u64,
}

/// One box: an isolated working directory with its own environment.
pub struct Sandbox {
    id: String,
    dir: PathBuf,
    workdir: PathBuf,
    shared: Arc<Shared>,
    inner: Mutex<SandboxInner>,
    /// Every state the box enters, for [`Sandbox::wait_for_state`].
    states: tokio::sync::watch::Sender<BoxState>,
}

/// Boxes are the same when they are the same directory.
impl PartialEq for Sandbox {
    fn eq(&self, other: &Self) -> bool {
        self.workdir == other.workdir
    }
}

impl Eq for Sandbox {}

impl std::hash::Hash for Sandbox {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.workdir.hash(state);
    }
}

impl std::fmt::Display for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "box {}", self.id)
    }
}

impl Sandbox {
    /// The box id (its name).
    pub fn id(&self) -> String {
        self.id.clone()
    }

    /// The current lifecycle state.
    pub fn state(&self) -> BoxState {
        self.lock().state
    }

    /// The box's working directory on the host.
    pub fn workdir(&self) -> HostPath {
        self.workdir.clone()
    }

    /// Moves the box to `Running`; commands need a running box.
    pub fn start(&self) -> Result<(), BoxkitError> {
        self.transition(
            "start",
            &[BoxState::Created, BoxState::Stopped],
            BoxState::Running,
        )?;
        self.shared.emit(|l| l.on_box_started(self.id.clone()));
        Ok(())
    }

    /// Moves the box to `Stopped`.
    pub fn stop(&self) -> Result<(), BoxkitError> {
        self.transition("stop", &[BoxState::Running], BoxState::Stopped)?;
        self.shared.emit(|l| l.on_box_stopped(self.id.clone()));
        Ok(())
    }

    /// Stops the box if it is running; nothing otherwise.
    pub fn close(&self) -> Result<(), BoxkitError> {
        if self.state() == BoxState::Running {
            self.stop()?;
        }
        Ok(())
    }

    /// Sets an environment variable for later commands.
    pub fn set_env(&self, key: String, value: String) -> Result<(), BoxkitError> {
        paths::validate_env(&key, &value)?;
        self.lock().env.insert(key, value);
        Ok(())
    }

    /// The cap on captured stdout + stderr of one command.
    pub fn max_output_bytes(&self) -> u64 {
        self.lock().max_output_bytes
    }

    /// The host path of `path` inside the box.
    pub fn host_path(&self, path: String) -> Result<String, BoxkitError> {
        Ok(paths::inside(&self.workdir, &path)?.display().to_string())
    }

    /// Caps captured stdout + stderr of each later command.
    pub fn set_max_output_bytes(&self, limit: u64) {
        self.lock().max_output_bytes = limit;
    }

    /// Runs `command` in the box and returns what it left behind, whatever
    /// its exit code. `timeout_ms` of `None` waits forever.
    pub fn exec(
        &self,
        command: Vec<String>,
        timeout_ms: Option<u64>,
    ) -> Result<ExecResult, BoxkitError> {
        let (env, limit) = self.exec_allowed(&command)?;
        exec::run(
            &self.shared,
            self.request(&command, &env, timeout_ms, limit),
        )
    }

    /// [`Sandbox::exec`] as a future, for async callers: the process is
    /// killed as soon as the future is dropped (a cancelled call) or times
    /// out. Needs a tokio runtime with processes and timers enabled.
    pub async fn exec_async(
        &self,
        command: Vec<String>,
        timeout_ms: Option<u64>,
    ) -> Result<ExecResult, BoxkitError> {
        let (env, limit) = self.exec_allowed(&command)?;
        exec::run_async(
            &self.shared,
            self.request(&command, &env, timeout_ms, limit),
        )
        .await
    }

    /// Waits until the box is in `state`: `true` once it is (at once if it
    /// is already), `false` if `timeout_ms` passes first.
    pub async fn wait_for_state(&self, state: BoxState, timeout_ms: Option<u64>) -> bool {
        let mut states = self.states.subscribe();
        let reached = states.wait_for(|now| *now == state);
        match timeout_ms {
            Some(ms) => matches!(
                tokio::time::timeout(Duration::from_millis(ms), reached).await,
                Ok(Ok(_))
            ),
            None => reached.await.is_ok(),
        }
    }

    fn request<'a>(
        &'a self,
        command: &'a [String],
        env: &'a BTreeMap<String, String>,
        timeout_ms: Option<u64>,
        max_output_bytes: u64,
    ) -> exec::Request<'a> {
        exec::Request {
            box_id: &self.id,
            command,
            env,
            workdir: &self.workdir,
            timeout: timeout_ms.map(Duration::from_millis),
            max_output_bytes,
        }
    }

    /// The box's environment and output cap, if `command` may run in it now.
    fn exec_allowed(
        &self,
        command: &[String],
    ) -> Result<(BTreeMap<String, String>, u64), BoxkitError> {
        let (env, limit) = {
            let inner = self.lock();
            if inner.state != BoxState::Running {
                return Err(self.invalid_state(inner.state, "exec in"));
            }
            (inner.env.clone(), inner.max_output_bytes)
        };
        if command.is_empty() {
            return Err(BoxkitError::EmptyCommand);
        }
        let policy = match self.shared.policy.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        if let Some(policy) = policy {
            if !policy.allow_exec(self.id.clone(), command.to_vec())? {
                return Err(BoxkitError::PolicyRejected {
                    command: command.join(" "),
                    reason: "the policy returned false".into(),
                });
            }
        }
        Ok((env, limit))
    }

    /// Like [`Sandbox::exec`], but a non-zero exit is an
    /// [`BoxkitError::ExecFailed`]; returns stdout.
    pub fn exec_checked(
        &self,
        command: Vec<String>,
        timeout_ms: Option<u64>,
    ) -> Result<String, BoxkitError> {
        let line = command.join(" ");
        let result = self.exec(command, timeout_ms)?;
        if result.exit_code != 0 {
            return Err(BoxkitError::ExecFailed {
                command: line,
                exit_code: result.exit_code,
                stderr: result.stderr,
            });
        }
        Ok(result.stdout)
    }

    /// Writes `contents` to `path` (relative to the box) and returns its size.
    pub fn write_file(&self, path: String, contents: Vec<u8>) -> Result<u64, BoxkitError> {
        let target = paths::inside(&self.workdir, &path)?;
        write_creating_parents(&target, &contents)?;
        Ok(contents.len() as u64)
    }

    /// Reads `path` (relative to the box).
    pub fn read_file(&self, path: String) -> Result<Vec<u8>, BoxkitError> {
        let source = paths::inside(&self.workdir, &path)?;
        std::fs::read(&source).map_err(|e| BoxkitError::io(Path::new(&path), &e))
    }

    /// What `path` (relative to the box) is, without following a final symlink.
    pub fn stat(&self, path: String) -> Result<PathKind, BoxkitError> {
        let target = paths::inside(&self.workdir, &path)?;
        let meta = match std::fs::symlink_metadata(&target) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(PathKind::Missing),
            Err(e) => return Err(BoxkitError::io(Path::new(&path), &e)),
        };
        if meta.file_type().is_symlink() {
            let link =
                std::fs::read_link(&target).map_err(|e| BoxkitError::io(Path::new(&path), &e))?;
            return Ok(PathKind::Symlink {
                target: link.display().to_string(),
            });
        }
        if meta.is_dir() {
            let entries = std::fs::read_dir(&target)
                .map_err(|e| BoxkitError::io(Path::new(&path), &e))?
                .count();
            return Ok(PathKind::Directory {
                entries: u32::try_from(entries).unwrap_or(u32::MAX),
            });
        }
        Ok(PathKind::File { size: meta.len() })
    }

    /// Copies a host file into the box; returns the number of bytes.
    pub fn copy_in(&self, host_path: HostPath, box_path: String) -> Result<u64, BoxkitError> {
        let target = paths::inside(&self.workdir, &box_path)?;
        let data = std::fs::read(&host_path).map_err(|e| BoxkitError::io(&host_path, &e))?;
        write_creating_parents(&target, &data)?;
        let bytes = data.len() as u64;
        self.shared.emit(|l| {
            l.on_file_copied(self.id.clone(), box_path.clone(), bytes, CopyDirection::In)
        });
        Ok(bytes)
    }

    /// Copies a box file out to the host; returns the number of bytes.
    pub fn copy_out(&self, box_path: String, host_path: HostPath) -> Result<u64, BoxkitError> {
        let source = paths::inside(&self.workdir, &box_path)?;
        let data = std::fs::read(&source).map_err(|e| BoxkitError::io(Path::new(&box_path), &e))?;
        write_creating_parents(&host_path, &data)?;
        let bytes = data.len() as u64;
        self.shared.emit(|l| {
            l.on_file_copied(self.id.clone(), box_path.clone(), bytes, CopyDirection::Out)
        });
        Ok(bytes)
    }

    fn transition(
        &self,
        operation: &str,
        from: &[BoxState],
        to: BoxState,
    ) -> Result<(), BoxkitError> {
        let mut inner = self.lock();
        if !from.contains(&inner.state) {
            return Err(self.invalid_state(inner.state, operation));
        }
        inner.state = to;
        self.states.send_replace(to);
        Ok(())
    }

    fn invalid_state(&self, state: BoxState, operation: &str) -> BoxkitError {
        BoxkitError::InvalidState {
            box_id: self.id.clone(),
            state: state.as_str().into(),
            operation: operation.into(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SandboxInner> {
        match self.inner.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

fn write_creating_parents(target: &Path, data: &[u8]) -> Result<(), BoxkitError> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| BoxkitError::io(parent, &e))?;
    }
    std::fs::write(target, data).map_err(|e| BoxkitError::io(target, &e))
}

/// `args` as one POSIX shell command line, quoted where needed.
pub fn shell_join(args: Vec<String>) -> String {
    let quote = |arg: &String| {
        let plain = !arg.is_empty()
            && arg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
        if plain {
            arg.clone()
        } else {
            format!("'{}'", arg.replace('\'', "'\\''"))
        }
    };
    args.iter().map(quote).collect::<Vec<_>>().join(" ")
}

/// The boxkit version.
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
