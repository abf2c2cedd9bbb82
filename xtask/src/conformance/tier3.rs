//! Tier 3: a tier-2 crate built with maturin into `.venv`, then checked
//! as a user's package is: `mypy.stubtest` (no allowlist) and the tests
//! bindery generated for it, which raise and catch every error variant with
//! its fields through the real Rust-to-Python mapping, call every callback
//! method from Rust with sample values, and check the exports.

use camino::{Utf8Path, Utf8PathBuf};

use super::core::Shape;
use super::spec::Api;
use super::Failure;
use crate::runner::{root, Venv};

fn run(venv: &Venv, check: &'static str, program: &Utf8Path, args: &[&str]) -> Option<Failure> {
    let mut env = venv.env();
    env.push(("CARGO_TARGET_DIR", root().join("target").to_string()));
    let output = std::process::Command::new(program.as_str())
        .args(args)
        .envs(env)
        .output();
    match output {
        Ok(output) if output.status.success() => None,
        Ok(output) => {
            let text = String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = text.lines().rev().take(25).collect();
            let report = tail.into_iter().rev().collect::<Vec<_>>().join("\n");
            Some(Failure { check, report })
        }
        Err(e) => Some(Failure {
            check,
            report: format!("{program} did not run: {e}"),
        }),
    }
}

/// Writes the round-trip module (`roundtrip.rs`) into `tests`; its path.
fn write_consumer(api: &Api, shape: Shape, tests: &Utf8Path) -> Result<Utf8PathBuf, String> {
    let (udl, config) = super::udl::inputs(api, &super::tier2::config(shape).0);
    let input = bindery_codegen::Input {
        udl_name: "api.udl",
        udl: &udl,
        config_name: "bindery.toml",
        config: &config,
        core_version: None,
        crate_items: None,
    };
    let model = bindery_codegen::model(&input).map_err(|d| format!("{} diagnostics", d.len()))?;
    let path = tests.join("test_conformance_roundtrip.py");
    std::fs::write(&path, super::roundtrip::module(&model)).map_err(|e| format!("{path}: {e}"))?;
    Ok(path)
}

/// Builds the package of `dir` (written and compiled by tier 2) into the
/// venv and checks it; the first failure.
pub fn check(api: &Api, shape: Shape, dir: &Utf8Path, venv: &Venv) -> Option<Failure> {
    let crate_dir = super::tier2::package_dir(dir, shape);
    let manifest = crate_dir.join("Cargo.toml");
    let python = venv.tool("python");
    let build = [
        "develop",
        "--quiet",
        "--manifest-path",
        manifest.as_str(),
        "--features",
        "bindery-test-hooks",
    ];
    if let Some(failure) = run(venv, "maturin develop", &venv.tool("maturin"), &build) {
        return Some(failure);
    }
    let package = &api.namespace;
    let stubtest = ["-m", "mypy.stubtest", package.as_str()];
    if let Some(failure) = run(venv, "stubtest", &python, &stubtest) {
        return Some(failure);
    }
    let tests = crate_dir.join("tests");
    // The consumer: values round-tripped, checked by ruff and mypy --strict.
    let consumer = match write_consumer(api, shape, &tests) {
        Ok(path) => path,
        Err(report) => {
            return Some(Failure {
                check: "round-trip module",
                report,
            })
        }
    };
    let ruff = ["check", "--no-cache", "--quiet", consumer.as_str()];
    if let Some(failure) = run(venv, "ruff (round-trip module)", &venv.tool("ruff"), &ruff) {
        return Some(failure);
    }
    let mypy = [
        "-m",
        "mypy",
        "--strict",
        "--no-incremental",
        consumer.as_str(),
    ];
    if let Some(failure) = run(venv, "mypy --strict (round-trip module)", &python, &mypy) {
        return Some(failure);
    }
    let pytest = [
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        tests.as_str(),
    ];
    let failure = run(venv, "pytest (generated tests)", &python, &pytest);
    // The package leaves the venv again, whatever happened.
    let uninstall = [
        "-m",
        "pip",
        "uninstall",
        "--quiet",
        "--yes",
        package.as_str(),
    ];
    let _ = run(venv, "pip uninstall", &python, &uninstall);
    failure
}
