//! boxkit's one abi3 wheel, built with the test hooks, on every CPython the
//! machine has besides `.venv`'s 3.11 (which the main steps use): the
//! generated tests and the end-to-end tests run on each, in a venv of its
//! own with the pinned pytest and mypy.

use camino::Utf8PathBuf;

use crate::runner::{root, Step, Venv};
use crate::user_project::other_pythons;

/// Test tools each interpreter's venv gets (the pinned ones of `.venv`).
const TOOLS: &[&str] = &["pytest==9.2.0", "mypy==2.4.1"];

pub fn python_matrix(venv: &Venv) -> Result<(), String> {
    let pythons = other_pythons();
    let versions: Vec<String> = pythons.iter().map(|(m, _)| format!("3.{m}")).collect();
    eprintln!(
        "\n==> boxkit's abi3 wheel on CPython 3.11 (above) and: {}",
        if versions.is_empty() {
            "no other CPython on this machine".to_string()
        } else {
            versions.join(", ")
        }
    );
    if pythons.is_empty() {
        return Ok(());
    }
    let root = root();
    let wheels = root.join("target/wheels-boxkit");
    let _ = std::fs::remove_dir_all(&wheels);
    let mut env = venv.env();
    env.push(("CARGO_TARGET_DIR", root.join("target").to_string()));
    Step::new(
        "maturin build (boxkit, abi3, with test hooks)",
        venv.tool("maturin"),
        &[
            "build",
            "--quiet",
            "--manifest-path",
            "generated/Cargo.toml",
            "--features",
            "bindery-test-hooks",
            "--out",
            wheels.as_str(),
        ],
    )
    .env(&env)
    .run()?;
    let wheel: Utf8PathBuf = std::fs::read_dir(&wheels)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| wheels.join(e.file_name().to_string_lossy().as_ref()))
        .find(|p| p.extension() == Some("whl"))
        .ok_or("maturin built no boxkit wheel")?;
    for (minor, python) in pythons {
        let dir = root.join(format!("target/py-matrix/3.{minor}"));
        let bin = Venv::ensure_at(&dir, python.as_str(), TOOLS)?.tool("python");
        Step::new(
            format!("CPython 3.{minor}: install the wheel"),
            &bin,
            &[
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--force-reinstall",
                "--no-deps",
                wheel.as_str(),
            ],
        )
        .run()?;
        Step::new(
            format!("CPython 3.{minor}: pytest (generated and end-to-end)"),
            &bin,
            &[
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "generated/tests",
                "tests",
            ],
        )
        .run()?;
    }
    Ok(())
}
