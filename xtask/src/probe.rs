//! `cargo xtask exit-probe [runs]`: the exit probe (`tests/probes/exit_probe.py`)
//! against the boxkit package installed in `.venv`. `cargo xtask test` runs
//! it at a small count after installing the package; a long run is this
//! command with a large count (500 by default).

use crate::runner::{Step, Venv};

/// Runs the probe `runs` times (each an interpreter that exits while an
/// `[Async]` call is in its first poll); fails if a sleeper survived.
pub fn exit_probe(venv: &Venv, env: &[(&str, String)], runs: u64) -> Result<(), String> {
    let runs = runs.to_string();
    Step::new(
        format!("exit probe ({runs} runs)"),
        venv.tool("python"),
        &["tests/probes/exit_probe.py", "--runs", &runs],
    )
    .env(env)
    .run()
}
