//! `cargo xtask test`: every check of the repository, in an order that
//! keeps rebuilds few (each step's time is printed).

use camino::{Utf8Path, Utf8PathBuf};

use crate::fuzz::{fuzz, Fuzz};
use crate::gen::gen;
use crate::runner::{cargo, root, timed, Step, Venv};

pub fn test() -> Result<(), String> {
    let started = std::time::Instant::now();
    let venv = Venv::ensure()?;
    let cargo = cargo();
    timed("generated/ is fresh (cargo xtask gen --check)", || {
        gen(true)
    })?;
    Step::new(
        "cargo test",
        &cargo,
        &["test", "--workspace", "--exclude", "boxkit-handwritten"],
    )
    .run()?;
    Step::new("rustfmt", &cargo, &["fmt", "--all", "--check"]).run()?;
    Step::new(
        "clippy (workspace)",
        &cargo,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
    )
    .run()?;
    let env = generated_crate(&cargo, &venv)?;
    Step::new(
        "zizmor (the publishing workflow template)",
        venv.tool("zizmor"),
        &[
            "--offline",
            "--config",
            "docs/workflows/zizmor.yml",
            "docs/workflows/python-sdk.yml",
        ],
    )
    .run()?;
    Step::new(
        "ruff",
        venv.tool("ruff"),
        &[
            "check",
            "--no-cache",
            "generated",
            "tests",
            "bench",
            "codegen/tests",
            "examples",
        ],
    )
    .run()?;
    Step::new(
        "stubtest",
        venv.tool("python"),
        &["-m", "mypy.stubtest", "boxkit"],
    )
    .env(&env)
    .run()?;
    Step::new(
        "mypy --strict (generated tests)",
        venv.tool("python"),
        &["-m", "mypy", "--strict", "generated/tests"],
    )
    .env(&env)
    .run()?;
    Step::new(
        "pytest (generated and end-to-end)",
        venv.tool("python"),
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
    .env(&env)
    .run()?;
    // Exits at random points of an `[Async]` call's first poll; a long run
    // is `cargo xtask exit-probe`.
    crate::probe::exit_probe(&venv, &env, 20)?;
    // The bench harness on the debug builds with tiny counts, so it cannot rot.
    Step::new(
        "maturin develop (hand-written bench baseline)",
        venv.tool("maturin"),
        &[
            "develop",
            "--quiet",
            "--manifest-path",
            "bench/handwritten/Cargo.toml",
        ],
    )
    .env(&env)
    .run()?;
    Step::new(
        "bench smoke run",
        venv.tool("python"),
        &["bench/run.py", "--calls", "50", "--rounds", "1"],
    )
    .env(&env)
    .run()?;
    embedding_builds(&cargo)?;
    fixture_checks(&venv, None)?;
    // Generated APIs nobody wrote (ARCHITECTURE.md, "Conformance"); a long
    // run is `cargo xtask conformance --count N`.
    crate::conformance::conformance(&crate::conformance::Options::fixed(150, 5))?;
    crate::user_project::user_project(&venv)?;
    crate::matrix::python_matrix(&venv)?;
    fuzz(Fuzz::Seconds(20))?;
    eprintln!(
        "\nall checks passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `cargo xtask exit-probe`: builds and installs boxkit as `test` does, then
/// runs the exit probe `runs` times.
pub fn exit_probe(runs: u64) -> Result<(), String> {
    let venv = Venv::ensure()?;
    let env = generated_crate(&cargo(), &venv)?;
    crate::probe::exit_probe(&venv, &env, runs)
}

/// The generated crate (a workspace of its own, sharing the target dir):
/// clippy, rustfmt, and the package installed with the test hooks. Returns
/// the environment the later Python steps use.
fn generated_crate(cargo: &str, venv: &Venv) -> Result<Vec<(&'static str, String)>, String> {
    // The generated crate is a workspace of its own; it shares the target dir.
    let target = ("CARGO_TARGET_DIR", root().join("target").to_string());
    Step::new(
        "clippy (generated crate, with test hooks)",
        cargo,
        &[
            "clippy",
            "--manifest-path",
            "generated/Cargo.toml",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
    )
    .env(std::slice::from_ref(&target))
    .run()?;
    Step::new(
        "rustfmt (generated crate)",
        "rustfmt",
        &["--check", "--edition", "2021", "generated/src/lib.rs"],
    )
    .run()?;
    let mut env = venv.env();
    env.push(target);
    Step::new(
        "maturin develop (generated package, with test hooks)",
        venv.tool("maturin"),
        &[
            "develop",
            "--quiet",
            "--manifest-path",
            "generated/Cargo.toml",
            "--features",
            "bindery-test-hooks",
        ],
    )
    .env(&env)
    .run()?;
    Ok(env)
}

/// Valid fixtures that carry a Rust crate (`core/`) are generated into a
/// scratch directory, then built and checked like `generated/`; a
/// fixture's own `tests/` run against the installed package too.
/// `cargo xtask fixture <name>...`: the compiled fixtures of those names
/// only, as `cargo xtask test` runs them.
pub fn fixtures(names: &[&str]) -> Result<(), String> {
    let venv = Venv::ensure()?;
    fixture_checks(&venv, Some(names))
}

fn fixture_checks(venv: &Venv, only: Option<&[&str]>) -> Result<(), String> {
    let root = root();
    let fixtures = root.join("codegen/tests/fixtures/valid");
    let mut dirs: Vec<Utf8PathBuf> = std::fs::read_dir(&fixtures)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .filter_map(|e| Utf8PathBuf::from_path_buf(e.path()).ok())
        .filter(|d| d.join("core/Cargo.toml").exists())
        .filter(|d| only.is_none_or(|names| names.contains(&d.file_name().unwrap_or(""))))
        .collect();
    if let Some(names) = only {
        if dirs.len() < names.len() {
            return Err(format!("no compiled fixture among {names:?} found"));
        }
    }
    dirs.sort();
    // Fixture cores built to read their proc-macro items share the target
    // folder their bindings are built in.
    std::env::set_var("CARGO_TARGET_DIR", root.join("target"));
    let scratch = crate::runner::scratch("fixtures")?;
    for dir in dirs {
        fixture(venv, &dir, &scratch)?;
    }
    Ok(())
}

fn fixture(venv: &Venv, dir: &Utf8Path, scratch: &Utf8Path) -> Result<(), String> {
    let name = dir.file_name().unwrap_or("fixture");
    let out = scratch.join(name);
    let pkg = out.join("pkg");
    timed(&format!("fixture {name}: generate"), || {
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
        // The generated crate must find the fixture's core wherever the scratch dir is.
        let mut config = std::fs::read_to_string(dir.join("input.toml")).unwrap_or_default();
        let path = format!("path = {:?}\n", dir.join("core").as_str());
        config = match config.find("[rust]\n") {
            Some(at) => format!("{}{path}{}", &config[..at + 7], &config[at + 7..]),
            None => format!("{config}\n[rust]\n{path}"),
        };
        let config_path = out.join("bindery.toml");
        std::fs::write(&config_path, config).map_err(|e| e.to_string())?;
        // A fixture whose core declares the whole API with proc-macros has
        // no UDL.
        let udl = dir.join("input.udl");
        let udl = if udl.exists() {
            udl
        } else {
            Utf8PathBuf::new()
        };
        let code = bindery_codegen::cli::run_generate(
            &udl,
            Some(&config_path),
            &pkg,
            &bindery_codegen::cli::Options::default(),
        );
        if code != 0 {
            return Err(format!("fixture {name} does not generate"));
        }
        Ok(())
    })?;
    if dir.join("crate-items.hex").exists() {
        crate_items_fresh(dir)?;
    }
    let manifest = pkg.join("Cargo.toml");
    let target = ("CARGO_TARGET_DIR", root().join("target").to_string());
    // A package with backends (docs/backends.md): each is a build of its
    // own; the dispatcher is pure Python.
    let mut backends: Vec<String> = std::fs::read_dir(pkg.join("backends"))
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    backends.sort();
    // One build of the glue per backend (all features where there is none),
    // and each as a wheel builds it: without the test hooks, whose cfg'd
    // items must leave nothing unused.
    let builds: Vec<(String, Vec<String>)> = if backends.is_empty() {
        vec![
            (String::new(), vec!["--all-features".to_string()]),
            (" (as a wheel builds)".to_string(), Vec::new()),
        ]
    } else {
        (backends.iter())
            .flat_map(|b| {
                let all = format!("{b},bindery-test-hooks,embed");
                [
                    (format!(" ({b})"), vec!["--features".to_string(), all]),
                    (
                        format!(" ({b}, as a wheel builds)"),
                        vec!["--features".to_string(), b.clone()],
                    ),
                ]
            })
            .collect()
    };
    for (label, features) in &builds {
        let mut args = vec!["clippy", "--manifest-path", manifest.as_str()];
        args.extend(features.iter().map(String::as_str));
        args.extend(["--", "-D", "warnings"]);
        Step::new(format!("fixture {name}: clippy{label}"), cargo(), &args)
            .env(std::slice::from_ref(&target))
            .run()?;
    }
    Step::new(
        format!("fixture {name}: rustfmt"),
        "rustfmt",
        &[
            "--check",
            "--edition",
            "2021",
            pkg.join("src/lib.rs").as_str(),
        ],
    )
    .run()?;
    let mut env = venv.env();
    env.push(target);
    fixture_install(venv, name, &pkg, &backends, &env)?;
    fixture_python(venv, name, dir, &pkg, &backends, &env)
}

/// A fixture with proc-macro items keeps them, as read from its built
/// core, in `crate-items.hex` for the snapshot tests (which build nothing):
/// a stale copy is rewritten here and fails the step, to be reviewed and
/// committed.
fn crate_items_fresh(dir: &Utf8Path) -> Result<(), String> {
    use bindery_codegen::metadata;
    let (library, ident) = metadata::build(&dir.join("core"), None)?;
    let bytes = std::fs::read(&library).map_err(|e| format!("{library}: {e}"))?;
    let items = metadata::own_items(metadata::items_in_library(&bytes)?, &ident)?;
    let hex = metadata::to_hex(&items);
    let path = dir.join("crate-items.hex");
    if std::fs::read_to_string(&path).ok().as_deref() == Some(hex.as_str()) {
        return Ok(());
    }
    std::fs::write(&path, hex).map_err(|e| format!("{path}: {e}"))?;
    Err(format!(
        "{path} was stale and is rewritten: rerun the snapshot tests, review and commit"
    ))
}

/// Installs a fixture's package with the test hooks: the glue crate, or,
/// for a package with backends, the dispatcher and then each backend.
fn fixture_install(
    venv: &Venv,
    name: &str,
    pkg: &Utf8Path,
    backends: &[String],
    env: &[(&str, String)],
) -> Result<(), String> {
    let manifest = pkg.join("Cargo.toml");
    if backends.is_empty() {
        Step::new(
            format!("fixture {name}: maturin develop"),
            venv.tool("maturin"),
            &[
                "develop",
                "--quiet",
                "--manifest-path",
                manifest.as_str(),
                "--features",
                "bindery-test-hooks",
            ],
        )
        .env(env)
        .run()?;
    } else {
        // The dispatcher first: each backend requires it (of its version).
        Step::new(
            format!("fixture {name}: pip install (the dispatcher)"),
            venv.tool("python"),
            &[
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-build-isolation",
                "--no-deps",
                "--force-reinstall",
                pkg.as_str(),
            ],
        )
        .env(env)
        .run()?;
        for b in backends {
            // `--features` replaces the pyproject's: name the backend too.
            let features = format!("{b},bindery-test-hooks");
            Step::new(
                format!("fixture {name}: maturin develop ({b})"),
                venv.tool("maturin"),
                &["develop", "--quiet", "--features", &features],
            )
            .dir(&pkg.join("backends").join(b))
            .env(env)
            .run()?;
        }
    }
    Ok(())
}

/// ruff, stubtest, mypy and pytest on an installed fixture; stubtest and
/// pytest once per backend.
fn fixture_python(
    venv: &Venv,
    name: &str,
    dir: &Utf8Path,
    pkg: &Utf8Path,
    backends: &[String],
    env: &[(&str, String)],
) -> Result<(), String> {
    Step::new(
        format!("fixture {name}: ruff"),
        venv.tool("ruff"),
        &["check", "--no-cache", pkg.as_str()],
    )
    .run()?;
    let package = std::fs::read_dir(pkg.join("python"))
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .find_map(|e| e.file_name().into_string().ok())
        .ok_or("no Python package")?;
    // Python steps run once per backend, chosen by `<PACKAGE>_BACKEND`.
    let variable = format!("{}_BACKEND", package.to_ascii_uppercase());
    let runs: Vec<(String, Vec<(&str, String)>)> = if backends.is_empty() {
        vec![(String::new(), env.to_vec())]
    } else {
        backends
            .iter()
            .map(|b| {
                let mut env = env.to_vec();
                env.push((variable.as_str(), b.clone()));
                (format!(" ({b})"), env)
            })
            .collect()
    };
    for (label, env) in &runs {
        Step::new(
            format!("fixture {name}: stubtest{label}"),
            venv.tool("python"),
            &["-m", "mypy.stubtest", &package],
        )
        .env(env)
        .run()?;
    }
    let mut suites = vec![pkg.join("tests")];
    let own = dir.join("tests");
    if own.exists() {
        suites.push(own);
    }
    let mut mypy = vec!["-m", "mypy", "--strict"];
    mypy.extend(suites.iter().map(|s| s.as_str()));
    Step::new(
        format!("fixture {name}: mypy --strict (generated and own tests)"),
        venv.tool("python"),
        &mypy,
    )
    .env(env)
    .run()?;
    let mut args = vec!["-m", "pytest", "-q", "-p", "no:cacheprovider"];
    args.extend(suites.iter().map(|s| s.as_str()));
    for (label, env) in &runs {
        Step::new(
            format!("fixture {name}: pytest{label}"),
            venv.tool("python"),
            &args,
        )
        .env(env)
        .run()?;
    }
    Ok(())
}

/// The builds that link the interpreter, one after the other (they share
/// their build of pyo3): the embedded host and the runtime's tests.
fn embedding_builds(cargo: &str) -> Result<(), String> {
    embedded_host(cargo)?;
    runtime_tests(cargo)
}

/// `cargo clippy -D warnings` over every target of a standalone crate, in
/// the shared target folder.
fn standalone_clippy(cargo: &str, name: &str, manifest: &str) -> Result<(), String> {
    let target = [("CARGO_TARGET_DIR", root().join("target").to_string())];
    let args = [
        "clippy",
        "--manifest-path",
        manifest,
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ];
    Step::new(name, cargo, &args).env(&target).run()
}

/// bindery's runtime modules (`codegen/src/runtime/`), compiled as they
/// are vendored into generated crates, in the oldest edition they must
/// support, and tested with an embedded interpreter (like the embedded
/// host, so the two share their build of pyo3).
fn runtime_tests(cargo: &str) -> Result<(), String> {
    let target = [("CARGO_TARGET_DIR", root().join("target").to_string())];
    let manifest = "codegen/runtime-tests/Cargo.toml";
    standalone_clippy(cargo, "runtime: clippy", manifest)?;
    // The library follows its `#[path]` modules; the tests are listed.
    let dir = root().join("codegen/runtime-tests/tests");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{dir}: {e}"))?;
    let mut tests: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.path().display().to_string()))
        .filter(|p| p.ends_with(".rs"))
        .collect();
    tests.sort();
    // The generated crate's layout (its `rustfmt.toml`), so the format
    // phase writes each module unchanged.
    let mut rustfmt = vec![
        "--check",
        "--edition",
        "2018",
        "--config",
        "use_small_heuristics=Max,style_edition=2021",
        "codegen/runtime-tests/src/lib.rs",
    ];
    rustfmt.extend(tests.iter().map(String::as_str));
    Step::new("runtime: rustfmt", "rustfmt", &rustfmt).run()?;
    Step::new(
        "runtime: cargo test (embedded interpreter)",
        cargo,
        &["test", "--manifest-path", manifest],
    )
    .env(&target)
    .run()
}

/// `examples/boxkit-host`: a Rust program embedding Python with the generated
/// package linked in (its rlib and `bindery_embed`) runs a script that
/// imports it. Built without the venv: it links the interpreter.
fn embedded_host(cargo: &str) -> Result<(), String> {
    let target = [("CARGO_TARGET_DIR", root().join("target").to_string())];
    let manifest = "examples/boxkit-host/Cargo.toml";
    standalone_clippy(cargo, "embedded host: clippy", manifest)?;
    Step::new(
        "embedded host: rustfmt",
        "rustfmt",
        &[
            "--check",
            "--edition",
            "2021",
            "examples/boxkit-host/src/main.rs",
            "examples/boxkit-host/tests/conversions.rs",
            "examples/boxkit-host/tests/tasks.rs",
        ],
    )
    .run()?;
    Step::new(
        "embedded host: cargo test (read-back values, task runs)",
        cargo,
        &["test", "--manifest-path", manifest],
    )
    .env(&target)
    .run()?;
    Step::new(
        "embedded host: run a script importing the compiled-in package",
        cargo,
        &[
            "run",
            "--quiet",
            "--manifest-path",
            manifest,
            "--",
            "examples/boxkit-host/smoke.py",
        ],
    )
    .env(&target)
    .run()
}
