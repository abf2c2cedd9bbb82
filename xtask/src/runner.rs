//! The one way xtask runs a step: announce it, run it, report how long it
//! took. Every external command goes through [`Step::run`], so CI time
//! stays visible step by step.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use camino::{Utf8Path, Utf8PathBuf};

/// The workspace root.
pub fn root() -> Utf8PathBuf {
    Utf8Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

/// A scratch folder outside the repository (a user's project must not sit
/// inside this workspace), of this checkout only: two checkouts running
/// `cargo xtask test` at once on one machine do not share it.
pub fn scratch(name: &str) -> Result<Utf8PathBuf, String> {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    root().hash(&mut hasher);
    let temp = Utf8PathBuf::from_path_buf(std::env::temp_dir())
        .map_err(|_| "the temp dir is not UTF-8".to_string())?;
    Ok(temp.join(format!("bindery-{name}-{:016x}", hasher.finish())))
}

/// `$CARGO`, or `cargo`.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// An external command with a name for the progress lines.
pub struct Step {
    name: String,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    dir: Option<Utf8PathBuf>,
}

impl Step {
    pub fn new(name: impl Into<String>, program: impl AsRef<Path>, args: &[&str]) -> Self {
        Step {
            name: name.into(),
            program: program.as_ref().to_owned(),
            args: args.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
            dir: None,
        }
    }

    pub fn env(mut self, vars: &[(&str, String)]) -> Self {
        self.env
            .extend(vars.iter().map(|(k, v)| (k.to_string(), v.clone())));
        self
    }

    pub fn dir(mut self, dir: &Utf8Path) -> Self {
        self.dir = Some(dir.to_owned());
        self
    }

    /// Runs the step in the workspace root (or its own directory); an
    /// unsuccessful exit is an error naming the step.
    pub fn run(self) -> Result<(), String> {
        eprintln!("\n==> {}", self.name);
        let started = Instant::now();
        let status = Command::new(&self.program)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(self.dir.unwrap_or_else(root))
            .status()
            .map_err(|e| format!("{}: cannot run {}: {e}", self.name, self.program.display()))?;
        eprintln!(
            "<== {} ({:.1} s{})",
            self.name,
            started.elapsed().as_secs_f64(),
            if status.success() { "" } else { ", failed" }
        );
        if status.success() {
            Ok(())
        } else {
            Err(format!("{} failed ({status})", self.name))
        }
    }

    /// Whether the command exits successfully, without progress lines.
    pub fn quietly_succeeds(self) -> bool {
        Command::new(&self.program)
            .args(&self.args)
            .output()
            .is_ok_and(|o| o.status.success())
    }
}

/// `maturin build` of `manifest` (with `args`, such as `--features`) into a
/// fresh `wheels` folder; returns the one wheel it built.
pub fn maturin_wheel(
    venv: &Venv,
    env: &[(&str, String)],
    manifest: &Utf8Path,
    args: &[&str],
    wheels: &Utf8Path,
) -> Result<Utf8PathBuf, String> {
    let _ = std::fs::remove_dir_all(wheels);
    let mut all = vec!["build", "--quiet", "--manifest-path", manifest.as_str()];
    all.extend(args);
    all.extend(["--out", wheels.as_str()]);
    Step::new(
        format!("maturin build ({manifest})"),
        venv.tool("maturin"),
        &all,
    )
    .env(env)
    .run()?;
    std::fs::read_dir(wheels)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| wheels.join(e.file_name().to_string_lossy().as_ref()))
        .find(|p| p.extension() == Some("whl"))
        .ok_or_else(|| format!("maturin built no wheel of {manifest}"))
}

/// Runs a step of xtask's own (no external command) with the same lines.
pub fn timed<T>(name: &str, work: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    eprintln!("\n==> {name}");
    let started = Instant::now();
    let result = work();
    eprintln!(
        "<== {name} ({:.1} s{})",
        started.elapsed().as_secs_f64(),
        if result.is_ok() { "" } else { ", failed" }
    );
    result
}

/// The pinned Python tools in `.venv`, and the environment that selects it.
pub struct Venv {
    pub bin: Utf8PathBuf,
}

/// Python tools, pinned; installed into `.venv` by `cargo xtask test`.
const PYTHON_TOOLS: &[&str] = &[
    "maturin==1.16.0",
    "pytest==9.2.0",
    "mypy==2.4.1",
    "ruff==0.17.6",
    "pyright==1.1.414",
    // The build backend of a dispatcher package (docs/backends.md), which
    // the backends fixture installs without build isolation.
    "hatchling==1.33.0",
    // Lints the publishing workflow template (docs/publishing.md), which
    // cannot run here: its schema and zizmor's security audits, offline.
    "zizmor==1.33.1",
];

impl Venv {
    /// Creates `.venv` with the pinned tools unless it already has them.
    pub fn ensure() -> Result<Self, String> {
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        Self::ensure_at(&root().join(".venv"), &python, PYTHON_TOOLS)
    }

    /// Creates a venv at `dir` with `python` and `tools` unless it already
    /// has them (a stamp file records what it was made with).
    pub fn ensure_at(dir: &Utf8Path, python: &str, tools: &[&str]) -> Result<Self, String> {
        let bin = dir.join("bin");
        let stamp = dir.join("bindery-tools.txt");
        let wanted = format!("{python}\n{}", tools.join("\n"));
        if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str())
            && bin.join("python").exists()
        {
            eprintln!("==> {dir} is up to date ({})", tools.join(", "));
            return Ok(Venv { bin });
        }
        if !bin.join("python").exists() {
            Step::new(
                format!("create {dir}"),
                python,
                &["-m", "venv", dir.as_str()],
            )
            .run()?;
        }
        let mut args = vec![
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ];
        args.extend(tools);
        Step::new(
            format!("install {} into {dir}", tools.join(", ")),
            bin.join("python"),
            &args,
        )
        .run()?;
        std::fs::write(&stamp, wanted).map_err(|e| e.to_string())?;
        Ok(Venv { bin })
    }

    pub fn tool(&self, name: &str) -> Utf8PathBuf {
        self.bin.join(name)
    }

    /// `VIRTUAL_ENV` and `PATH` for commands that must see `.venv`.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("VIRTUAL_ENV", root().join(".venv").to_string()),
            (
                "PATH",
                format!("{}:{}", self.bin, std::env::var("PATH").unwrap_or_default()),
            ),
        ]
    }
}
