//! Running one command in a box: spawn, capture, time out, report.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
    let mut child = cmd.spawn().map_err(|e| BoxkitError::SpawnFailed {
        program: program.clone(),
        reason: e.to_string(),
    })?;
    let started = Instant::now();
    shared.emit(|l| l.on_exec_started(request.box_id.to_string(), request.command.to_vec()));

    let limit = request.max_output_bytes;
    let stdout = child
        .stdout
        .take()
        .map(|pipe| std::thread::spawn(move || capture(pipe, limit)));
    let stderr = child
        .stderr
        .take()
        .map(|pipe| std::thread::spawn(move || capture(pipe, limit)));

    let status = loop {
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
    };
    let stdout = join_capture(stdout);
    let stderr = join_capture(stderr);
    let status = status?;
    let duration = started.elapsed();

    let (stdout, out_total) = stdout;
    let (stderr, err_total) = stderr;
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
fn capture(mut pipe: impl Read, limit: u64) -> (Vec<u8>, u64) {
    let mut kept = Vec::new();
    let mut total = 0u64;
    let mut buf = [0u8; 8192];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                total += n as u64;
                let room = limit.saturating_sub(kept.len() as u64) as usize;
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    }
    (kept, total)
}

fn join_capture(handle: Option<std::thread::JoinHandle<(Vec<u8>, u64)>>) -> (Vec<u8>, u64) {
    handle.and_then(|h| h.join().ok()).unwrap_or_default()
}
