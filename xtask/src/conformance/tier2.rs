//! Tier 2: large generated APIs, each with a synthesized core in one of
//! the crate shapes real crates have, generated and compiled with
//! `cargo clippy -D warnings`, with and without the test hooks.

use camino::Utf8Path;

use super::core::{self, Shape};
use super::spec::Api;
use super::Failure;
use crate::runner::{cargo, root};

/// The shapes, in turn: plain, another lib name, editions 2018 and 2024,
/// `extern "C"` functions, `Send`-only callback traits, interfaces thrown
/// as `E` rather than `Arc<E>`, in-crate mode (editions 2018 and 2021).
pub const SHAPES: [Shape; 5] = [
    Shape {
        edition: "2021",
        lib_name: false,
        extern_c: false,
        send_only: false,
        plain_object_errors: false,
        in_crate: false,
    },
    Shape {
        edition: "2018",
        lib_name: true,
        extern_c: false,
        send_only: false,
        plain_object_errors: true,
        in_crate: true,
    },
    Shape {
        edition: "2024",
        lib_name: false,
        extern_c: true,
        send_only: false,
        plain_object_errors: false,
        in_crate: false,
    },
    Shape {
        edition: "2021",
        lib_name: true,
        extern_c: false,
        send_only: true,
        plain_object_errors: true,
        in_crate: true,
    },
    Shape {
        edition: "2024",
        lib_name: true,
        extern_c: true,
        send_only: true,
        plain_object_errors: false,
        in_crate: false,
    },
];

/// The binding config of a crate of `shape`, and the folder (beside the
/// core's) that `--out` names.
pub fn config(shape: Shape) -> (String, &'static str) {
    if shape.in_crate {
        let crate_name = core::PACKAGE;
        let config = format!("[rust]\ncrate = \"{crate_name}\"\nmodule = \"python\"\n");
        (config, "core")
    } else {
        (super::tier1::config(core::PACKAGE, "../core"), "pkg")
    }
}

/// Writes the core and the generated glue of `api` under `dir`.
pub fn write(api: &Api, shape: Shape, dir: &Utf8Path) -> Result<(), String> {
    let (config, out) = config(shape);
    // Generating starts the folder afresh.
    if super::tier1::generate_into(api, dir, &config, out)?.is_none() {
        return Err("refused with a documented diagnostic".to_string());
    }
    let core = dir.join("core");
    std::fs::create_dir_all(core.join("src")).map_err(|e| e.to_string())?;
    let write = |path: &Utf8Path, text: String| {
        std::fs::write(path, text).map_err(|e| format!("{path}: {e}"))
    };
    write(&core.join("Cargo.toml"), core::cargo_toml(api, shape))?;
    write(&core.join("src/lib.rs"), core::lib_rs(api, shape))
}

/// Compiles the glue of `dir` (written by [`write`]) with clippy, with and
/// without the test hooks (once per backend, if it has backends); the
/// first failure.
pub fn compile(api: &Api, dir: &Utf8Path, shape: Shape) -> Option<Failure> {
    let manifest = package_dir(dir, shape).join("Cargo.toml");
    // With everything (a glue crate's `embed` too), and as a wheel builds.
    let builds: Vec<(String, String)> = if shape.in_crate {
        vec![("bindery-test-hooks".into(), "python".into())]
    } else if api.backends.is_empty() {
        vec![("bindery-test-hooks,embed".into(), String::new())]
    } else {
        (api.backends.iter())
            .map(|b| (format!("{b},bindery-test-hooks,embed"), b.clone()))
            .collect()
    };
    let features = builds
        .into_iter()
        .flat_map(|(all, plain)| [(all, true), (plain, false)]);
    for (features, hooks) in features {
        let output = std::process::Command::new(cargo())
            .args(["clippy", "--quiet", "--manifest-path", manifest.as_str()])
            .args(["--features", features.as_str()])
            .args(["--", "-D", "warnings"])
            .env("CARGO_TARGET_DIR", root().join("target"))
            .output();
        let output = match output {
            Ok(output) => output,
            Err(e) => {
                return Some(Failure {
                    check: "clippy",
                    report: format!("cargo did not run: {e}"),
                })
            }
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let report: Vec<&str> = stderr
                .lines()
                .filter(|l| {
                    l.starts_with("error") || l.starts_with("  -->") || l.starts_with("warning")
                })
                .take(12)
                .collect();
            let label = if hooks {
                "clippy (test hooks)"
            } else {
                "clippy"
            };
            return Some(Failure {
                check: label,
                report: report.join("\n"),
            });
        }
    }
    None
}

/// What became of one API in tier 2.
pub enum Outcome {
    /// Generated and compiled: tier 3 may build it.
    Compiled,
    /// Refused with a documented, located diagnostic (a pass; nothing to build).
    Refused,
    Failed(Failure),
}

/// Generates, writes and compiles one API.
pub fn one(api: &Api, shape: Shape, dir: &Utf8Path) -> Outcome {
    // Nothing of an earlier run may be taken for this API's output.
    let _ = std::fs::remove_dir_all(dir);
    match write(api, shape, dir) {
        Ok(()) => compile(api, dir, shape).map_or(Outcome::Compiled, Outcome::Failed),
        Err(report) if report.starts_with("refused") => Outcome::Refused,
        Err(report) => Outcome::Failed(Failure {
            check: "generate",
            report,
        }),
    }
}

/// The folder of the Python package's crate: the glue crate, or in
/// in-crate mode the core itself.
pub fn package_dir(dir: &Utf8Path, shape: Shape) -> camino::Utf8PathBuf {
    dir.join(if shape.in_crate { "core" } else { "pkg" })
}
