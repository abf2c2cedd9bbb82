//! Running one command in a box: spawn, capture, time out, report.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use std::sync::Arc;

use crate::{BoxkitError, ExecResult, Shared};

pub(crate) struct Request<'a> {
    pub box_id: &'a str,
    pub command: &'a [String],
    pub env: &'a BTreeMap<String, String>,
    pub workdir: &'a Path,
    pub timeout: Option<Duration>,
    pub max_output_bytes: u64,
}

const POLL: Duration = Duration::from_millis(2);

/// Runs the command on a worker thread, which also emits the exec events.
pub(crate) fn run(shared: &Shared, request: Request<'_>) -> Result<ExecResult, BoxkitError> {
    std::thread::scope(
        |scope| match scope.spawn(|| run_on_worker(shared, &request)).join() {
            Ok(result) => result,
            Err(_) => Err(BoxkitError::Internal {
                message: "exec worker panicked".into(),
            }),
        },
    )
}

fn run_on_worker(shared: &Shared, request: &Request<'_>) -> Result<ExecResult, BoxkitError> {
    let program = &request.command[0];
    let mut cmd = Command::new(program);
    configure(&mut cmd, request);
    let mut child = cmd.spawn().map_err(|e| spawn_failed(program, &e))?;
    let started = Instant::now();
    shared.emit(|l| l.on_exec_started(request.box_id.to_string(), request.command.to_vec()));

    let limit = request.max_output_bytes;
    std::thread::scope(|scope| {
        let output = |chunk: &[u8]| {
            shared.emit(|l| l.on_exec_output(request.box_id.to_string(), chunk.to_vec()));
        };
        let stdout = child
            .stdout
            .take()
            .map(|pipe| scope.spawn(move || capture(pipe, limit, output)));
        let stderr = child
            .stderr
            .take()
            .map(|pipe| scope.spawn(move || capture(pipe, limit, |_| {})));
        let status = wait(&mut child, request, started);
        let stdout = join_capture(stdout);
        let stderr = join_capture(stderr);
        finish(shared, request, status?, started, stdout, stderr)
    })
}

/// Waits for the child, killing it at the request's timeout.
fn wait(
    child: &mut std::process::Child,
    request: &Request<'_>,
    started: Instant,
) -> Result<std::process::ExitStatus, BoxkitError> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) => {}
            Err(e) => {
                break Err(BoxkitError::Internal {
                    message: format!("wait failed: {e}"),
                })
            }
        }
        if let Some(timeout) = request.timeout {
            if started.elapsed() >= timeout {
                let _ = child.kill();
                let _ = child.wait();
                break Err(BoxkitError::Timeout {
                    after_ms: timeout.as_millis() as u64,
                });
            }
        }
        std::thread::sleep(POLL);
    }
}

/// Arguments, working directory, environment and pipes of a command.
fn configure(cmd: &mut Command, request: &Request<'_>) {
    cmd.args(&request.command[1..])
        .current_dir(request.workdir)
        .env_clear()
        .env("HOME", request.workdir)
        .env(
            "PATH",
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()),
        )
        .envs(request.env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
}

fn spawn_failed(program: &str, e: &std::io::Error) -> BoxkitError {
    BoxkitError::SpawnFailed {
        program: program.to_string(),
        reason: e.to_string(),
    }
}

/// Runs the command as a future on the current tokio runtime. The child is
/// killed when the future is dropped before it exits, or on timeout.
pub(crate) async fn run_async(
    shared: &Arc<Shared>,
    request: Request<'_>,
) -> Result<ExecResult, BoxkitError> {
    let program = &request.command[0];
    let mut cmd = Command::new(program);
    configure(&mut cmd, &request);
    let mut child = tokio::process::Command::from(cmd)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| spawn_failed(program, &e))?;
    let started = Instant::now();
    shared.emit(|l| l.on_exec_started(request.box_id.to_string(), request.command.to_vec()));

    // The readers end when the pipes close: at exit, or when the child is killed.
    let limit = request.max_output_bytes;
    let stdout = child.stdout.take().map(|pipe| {
        let (shared, box_id) = (Arc::clone(shared), request.box_id.to_string());
        let output = move |chunk: &[u8]| {
            shared.emit(|l| l.on_exec_output(box_id.clone(), chunk.to_vec()));
        };
        tokio::spawn(capture_async(pipe, limit, output))
    });
    let stderr = child
        .stderr
        .take()
        .map(|pipe| tokio::spawn(capture_async(pipe, limit, |_| {})));
    let waited = match request.timeout {
        Some(timeout) => match tokio::time::timeout(timeout, child.wait()).await {
            Ok(waited) => waited,
            Err(_) => {
                let _ = child.kill().await;
                return Err(BoxkitError::Timeout {
                    after_ms: timeout.as_millis() as u64,
                });
            }
        },
        None => child.wait().await,
    };
    let status = waited.map_err(|e| BoxkitError::Internal {
        message: format!("wait failed: {e}"),
    })?;
    let mut captured = Vec::new();
    for task in [stdout, stderr] {
        captured.push(match task {
            Some(task) => task.await.unwrap_or_default(),
            None => Default::default(),
        });
    }
    let stderr = captured.pop().unwrap_or_default();
    let stdout = captured.pop().unwrap_or_default();
    finish(shared, &request, status, started, stdout, stderr)
}

/// Reads an async pipe to the end, keeping at most `limit` bytes.
async fn capture_async(
    mut pipe: impl tokio::io::AsyncRead + Unpin,
    limit: u64,
    chunk: impl Fn(&[u8]),
) -> (Vec<u8>, u64) {
    use tokio::io::AsyncReadExt;
    let mut captured = Captured::default();
    let mut buf = [0u8; 8192];
    while let Ok(n @ 1..) = pipe.read(&mut buf).await {
        chunk(&buf[..n]);
        captured.add(&buf[..n], limit);
    }
    (captured.kept, captured.total)
}

/// The result of an exited command, or the error its status or output size is.
fn finish(
    shared: &Shared,
    request: &Request<'_>,
    status: std::process::ExitStatus,
    started: Instant,
    (stdout, out_total): (Vec<u8>, u64),
    (stderr, err_total): (Vec<u8>, u64),
) -> Result<ExecResult, BoxkitError> {
    let duration = started.elapsed();
    let limit = request.max_output_bytes;
    if out_total + err_total > limit {
        return Err(BoxkitError::OutputTooLarge {
            limit_bytes: limit,
            actual_bytes: out_total + err_total,
        });
    }
    let exit_code = match status.code() {
        Some(code) => code,
        None => {
            use std::os::unix::process::ExitStatusExt;
            return Err(BoxkitError::Signaled {
                signal: status.signal().unwrap_or(0),
            });
        }
    };
    shared.emit(|l| l.on_exec_completed(request.box_id.to_string(), exit_code, duration));
    Ok(ExecResult {
        exit_code,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        duration,
    })
}

/// Reads a pipe to the end, keeping at most `limit` bytes; returns them and the total.
fn capture(mut pipe: impl Read, limit: u64, chunk: impl Fn(&[u8])) -> (Vec<u8>, u64) {
    let mut captured = Captured::default();
    let mut buf = [0u8; 8192];
    while let Ok(n @ 1..) = pipe.read(&mut buf) {
        chunk(&buf[..n]);
        captured.add(&buf[..n], limit);
    }
    (captured.kept, captured.total)
}

/// Output read so far: the first bytes up to a limit, and the total count.
#[derive(Default)]
struct Captured {
    kept: Vec<u8>,
    total: u64,
}

impl Captured {
    fn add(&mut self, chunk: &[u8], limit: u64) {
        self.total += chunk.len() as u64;
        let room = limit.saturating_sub(self.kept.len() as u64) as usize;
        self.kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
}

fn join_capture(
    handle: Option<std::thread::ScopedJoinHandle<'_, (Vec<u8>, u64)>>,
) -> (Vec<u8>, u64) {
    handle.and_then(|h| h.join().ok()).unwrap_or_default()
}
