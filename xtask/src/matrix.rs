//! boxkit's one abi3 wheel, built with the test hooks, on every CPython the
//! machine has besides `.venv`'s 3.11 (which the main steps use): the
//! generated tests and the end-to-end tests run on each, in a venv of its
//! own with the pinned pytest and mypy.

use camino::Utf8Path;

use crate::runner::{maturin_wheel, root, Step, Venv};
use crate::user_project::other_pythons;

/// Test tools each interpreter's venv gets (the pinned ones of `.venv`).
const TOOLS: &[&str] = &["pytest==9.2.0", "mypy==2.4.1", "pyright==1.1.414"];

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
    let mut env = venv.env();
    env.push(("CARGO_TARGET_DIR", root.join("target").to_string()));
    let wheel = maturin_wheel(
        venv,
        &env,
        Utf8Path::new("generated/Cargo.toml"),
        &["--features", "bindery-test-hooks"],
        &root.join("target/wheels-boxkit"),
    )?;
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
