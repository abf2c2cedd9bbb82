//! `cargo xtask gen [--check]` and `cargo xtask test`: the two commands of
//! the README quickstart.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use camino::{Utf8Path, Utf8PathBuf};

/// Python tools, pinned; installed into `.venv` by `cargo xtask test`.
const PYTHON_TOOLS: &[&str] = &[
    "maturin==1.16.0",
    "pytest==9.2.0",
    "mypy==2.4.1",
    "ruff==0.17.6",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["gen"] => gen(false),
        ["gen", "--check"] => gen(true),
        ["test"] => test(),
        ["bench"] => bench(),
        ["fuzz", runs] => match runs.parse::<u64>() {
            Ok(runs) => fuzz(Fuzz::Runs(runs)),
            Err(_) => Err(format!("`{runs}` is not a number of runs")),
        },
        _ => {
            eprintln!("usage: cargo xtask gen [--check] | test | bench | fuzz <runs>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> Utf8PathBuf {
    Utf8Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

/// Runs `bindery generate` for the repository's UDL into `generated/`.
fn gen(check: bool) -> Result<(), String> {
    let root = root();
    let mut udls: Vec<Utf8PathBuf> = std::fs::read_dir(root.join("idl"))
        .map_err(|e| format!("cannot list idl/: {e}"))?
        .filter_map(|e| e.ok())
        .filter_map(|e| Utf8PathBuf::from_path_buf(e.path()).ok())
        .filter(|p| p.extension() == Some("udl"))
        .collect();
    udls.sort();
    let [udl] = udls.as_slice() else {
        return Err(format!(
            "expected exactly one idl/*.udl, found {}",
            udls.len()
        ));
    };
    let config = udl.with_extension("toml");
    let config = config.exists().then_some(config);
    // Relative paths keep diagnostics and headers short and machine-independent.
    let relative = |p: &Utf8Path| {
        p.strip_prefix(&root)
            .map(Utf8Path::to_owned)
            .unwrap_or_else(|_| p.to_owned())
    };
    std::env::set_current_dir(&root).map_err(|e| e.to_string())?;
    let code = bindery_codegen::cli::run_generate(
        &relative(udl),
        config.as_deref().map(relative).as_deref(),
        Utf8Path::new("generated"),
        check,
    );
    if code == 0 {
        Ok(())
    } else {
        Err("bindery generate failed".into())
    }
}

struct Step<'a> {
    name: &'a str,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(&'a str, String)>,
}

fn run(step: Step<'_>) -> Result<(), String> {
    eprintln!("\n==> {}", step.name);
    let status = Command::new(&step.program)
        .args(&step.args)
        .envs(step.env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(root())
        .status()
        .map_err(|e| format!("{}: cannot run {}: {e}", step.name, step.program.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", step.name))
    }
}

fn step<'a>(name: &'a str, program: impl AsRef<Path>, args: &[&str]) -> Step<'a> {
    Step {
        name,
        program: program.as_ref().to_owned(),
        args: args.iter().map(|s| s.to_string()).collect(),
        env: Vec::new(),
    }
}

/// Creates `.venv` with the pinned tools unless it already has them.
fn ensure_venv(root: &Utf8Path) -> Result<Utf8PathBuf, String> {
    let venv = root.join(".venv");
    let bin = venv.join("bin");
    let stamp = venv.join("bindery-tools.txt");
    let wanted = PYTHON_TOOLS.join("\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str())
        && bin.join("python").exists()
    {
        return Ok(bin);
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    if !bin.join("python").exists() {
        run(step(
            "create .venv",
            &python,
            &["-m", "venv", venv.as_str()],
        ))?;
    }
    let mut args = vec![
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ];
    args.extend(PYTHON_TOOLS);
    run(step(
        "install pinned Python tools",
        bin.join("python"),
        &args,
    ))?;
    std::fs::write(&stamp, wanted).map_err(|e| e.to_string())?;
    Ok(bin)
}

fn test() -> Result<(), String> {
    let root = root();
    let bin = ensure_venv(&root)?;
    let python = bin.join("python");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let venv_env = vec![
        ("VIRTUAL_ENV", root.join(".venv").to_string()),
        (
            "PATH",
            format!("{bin}:{}", std::env::var("PATH").unwrap_or_default()),
        ),
    ];

    gen(true).map_err(|e| format!("{e}: generated/ is stale; run `cargo xtask gen`"))?;
    run(step(
        "cargo test",
        &cargo,
        &[
            "test",
            "--workspace",
            "--exclude",
            "boxkit-python",
            "--exclude",
            "boxkit-handwritten",
        ],
    ))?;
    run(step("rustfmt", &cargo, &["fmt", "--all", "--check"]))?;
    run(step(
        "clippy (workspace, generated crate with test hooks)",
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
    ))?;
    run(Step {
        env: venv_env.clone(),
        ..step(
            "maturin develop (generated package, with test hooks)",
            bin.join("maturin"),
            &[
                "develop",
                "--quiet",
                "--manifest-path",
                "generated/Cargo.toml",
                "--features",
                "bindery-test-hooks",
            ],
        )
    })?;
    run(step(
        "ruff",
        bin.join("ruff"),
        &["check", "--no-cache", "generated", "tests", "bench"],
    ))?;
    run(Step {
        env: venv_env.clone(),
        ..step("stubtest", &python, &["-m", "mypy.stubtest", "boxkit"])
    })?;
    run(Step {
        env: venv_env.clone(),
        ..step(
            "pytest (generated and end-to-end)",
            &python,
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
    })?;
    // The bench harness on the debug builds with tiny counts, so it cannot rot.
    run(Step {
        env: venv_env.clone(),
        ..step(
            "maturin develop (hand-written bench baseline)",
            bin.join("maturin"),
            &[
                "develop",
                "--quiet",
                "--manifest-path",
                "bench/handwritten/Cargo.toml",
            ],
        )
    })?;
    run(Step {
        env: venv_env.clone(),
        ..step(
            "bench smoke run",
            &python,
            &["bench/run.py", "--calls", "50", "--rounds", "1"],
        )
    })?;
    fixture_checks(&root, &bin, &venv_env)?;
    fuzz(Fuzz::Seconds(20))?;
    eprintln!("\nall checks passed");
    Ok(())
}

/// Valid fixtures that carry a Rust crate (`core/`) are generated into a
/// scratch directory, then built and checked like `generated/`.
fn fixture_checks(
    root: &Utf8Path,
    bin: &Utf8Path,
    venv_env: &[(&str, String)],
) -> Result<(), String> {
    let fixtures = root.join("codegen/tests/fixtures/valid");
    let mut dirs: Vec<Utf8PathBuf> = std::fs::read_dir(&fixtures)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .filter_map(|e| Utf8PathBuf::from_path_buf(e.path()).ok())
        .filter(|d| d.join("core/Cargo.toml").exists())
        .collect();
    dirs.sort();
    let scratch = Utf8PathBuf::from_path_buf(std::env::temp_dir())
        .map_err(|_| "temp dir is not UTF-8")?
        .join("bindery-fixtures");
    for dir in dirs {
        let name = dir.file_name().unwrap_or("fixture");
        let out = scratch.join(name);
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
        // The generated crate must find the fixture's core wherever the scratch dir is.
        let mut config = std::fs::read_to_string(dir.join("input.toml")).unwrap_or_default();
        config.push_str(&format!(
            "\n[rust]\npath = {:?}\n",
            dir.join("core").as_str()
        ));
        let config_path = out.join("bindery.toml");
        std::fs::write(&config_path, config).map_err(|e| e.to_string())?;
        let code = bindery_codegen::cli::run_generate(
            &dir.join("input.udl"),
            Some(&config_path),
            &out.join("pkg"),
            false,
        );
        if code != 0 {
            return Err(format!("fixture {name} does not generate"));
        }
        // A standalone crate: outside this workspace, sharing its target dir.
        let manifest = out.join("pkg/Cargo.toml");
        let mut cargo_toml = std::fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
        cargo_toml.push_str("\n[workspace]\n");
        std::fs::write(&manifest, cargo_toml).map_err(|e| e.to_string())?;
        let target = ("CARGO_TARGET_DIR", root.join("target").to_string());
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let pkg = out.join("pkg");
        run(Step {
            env: vec![target.clone()],
            ..step(
                "fixture: clippy",
                &cargo,
                &[
                    "clippy",
                    "--manifest-path",
                    manifest.as_str(),
                    "--all-features",
                    "--",
                    "-D",
                    "warnings",
                ],
            )
        })?;
        run(step(
            "fixture: rustfmt",
            "rustfmt",
            &[
                "--check",
                "--edition",
                "2021",
                pkg.join("src/lib.rs").as_str(),
            ],
        ))?;
        let mut env = venv_env.to_vec();
        env.push(target);
        run(Step {
            env: env.clone(),
            ..step(
                "fixture: maturin develop",
                bin.join("maturin"),
                &[
                    "develop",
                    "--quiet",
                    "--manifest-path",
                    manifest.as_str(),
                    "--features",
                    "bindery-test-hooks",
                ],
            )
        })?;
        run(step(
            "fixture: ruff",
            bin.join("ruff"),
            &["check", "--no-cache", pkg.as_str()],
        ))?;
        let package = std::fs::read_dir(pkg.join("python"))
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok())
            .find_map(|e| e.file_name().into_string().ok())
            .ok_or("no Python package")?;
        run(Step {
            env: env.clone(),
            ..step(
                "fixture: stubtest",
                bin.join("python"),
                &["-m", "mypy.stubtest", &package],
            )
        })?;
        run(Step {
            env,
            ..step(
                "fixture: generated tests",
                bin.join("python"),
                &[
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    pkg.join("tests").as_str(),
                ],
            )
        })?;
    }
    Ok(())
}

/// How long to fuzz: a number of executions, or a time budget.
enum Fuzz {
    Runs(u64),
    Seconds(u64),
}

/// Runs the `generate` fuzz target (codegen/fuzz) with libFuzzer, seeded
/// with every fixture. cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP
/// lets the stable toolchain provide them, without sanitizers.
fn fuzz(budget: Fuzz) -> Result<(), String> {
    let root = root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let installed = Command::new(&cargo)
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        run(step(
            "install cargo-fuzz",
            &cargo,
            &["install", "cargo-fuzz", "--version", "=0.13.2", "--locked"],
        ))?;
    }
    let seeds = root.join("target/fuzz-seeds");
    let _ = std::fs::remove_dir_all(&seeds);
    std::fs::create_dir_all(&seeds).map_err(|e| e.to_string())?;
    let fixtures = root.join("codegen/tests/fixtures");
    let mut pairs: Vec<(Utf8PathBuf, Utf8PathBuf)> =
        vec![(root.join("idl/boxkit.udl"), root.join("idl/boxkit.toml"))];
    for entry in std::fs::read_dir(fixtures.join("valid"))
        .map_err(|e| e.to_string())?
        .flatten()
    {
        if let Ok(dir) = Utf8PathBuf::from_path_buf(entry.path()) {
            pairs.push((dir.join("input.udl"), dir.join("input.toml")));
        }
    }
    for entry in std::fs::read_dir(fixtures.join("invalid"))
        .map_err(|e| e.to_string())?
        .flatten()
    {
        if let Ok(udl) = Utf8PathBuf::from_path_buf(entry.path()) {
            if udl.extension() == Some("udl") {
                let toml = udl.with_extension("toml");
                pairs.push((udl, toml));
            }
        }
    }
    for (i, (udl, toml)) in pairs.iter().enumerate() {
        let mut seed = std::fs::read(udl).map_err(|e| format!("{udl}: {e}"))?;
        seed.push(0);
        seed.extend(std::fs::read(toml).unwrap_or_default());
        std::fs::write(seeds.join(format!("seed-{i}")), seed).map_err(|e| e.to_string())?;
    }
    let limit = match budget {
        Fuzz::Runs(n) => format!("-runs={n}"),
        Fuzz::Seconds(n) => format!("-max_total_time={n}"),
    };
    let status = Command::new(&cargo)
        .args([
            "fuzz",
            "run",
            "--sanitizer",
            "none",
            "generate",
            seeds.as_str(),
            "--",
            &limit,
            "-timeout=10",
            "-max_len=65536",
        ])
        .current_dir(root.join("codegen"))
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", root.join("target/fuzz").as_str())
        .status()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
    eprintln!("\n==> fuzz ({limit})");
    if status.success() {
        Ok(())
    } else {
        Err("the fuzz target found a crash; see codegen/fuzz/artifacts".into())
    }
}

/// `cargo xtask bench`: release builds of every binding, then the harness.
fn bench() -> Result<(), String> {
    let root = root();
    let bin = ensure_venv(&root)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let venv_env = vec![
        ("VIRTUAL_ENV", root.join(".venv").to_string()),
        (
            "PATH",
            format!("{bin}:{}", std::env::var("PATH").unwrap_or_default()),
        ),
    ];
    run(step(
        "bindery (release)",
        &cargo,
        &[
            "build",
            "--release",
            "-p",
            "bindery-codegen",
            "--bin",
            "bindery",
        ],
    ))?;
    for manifest in ["generated/Cargo.toml", "bench/handwritten/Cargo.toml"] {
        let args = [
            "develop",
            "--quiet",
            "--release",
            "--manifest-path",
            manifest,
        ];
        run(Step {
            env: venv_env.clone(),
            ..step("maturin develop --release", bin.join("maturin"), &args)
        })?;
    }
    // UniFFI's own Python bindings of the same core (the benchmarked subset).
    let uniffi = root.join("bench/uniffi");
    let target = ("CARGO_TARGET_DIR", root.join("target").to_string());
    let build = Command::new(&cargo)
        .args(["build", "--release"])
        .current_dir(&uniffi)
        .env(target.0, &target.1)
        .status()
        .map_err(|e| e.to_string())?;
    if !build.success() {
        return Err("the UniFFI binding does not build".into());
    }
    let out = root.join("target/uniffi-py");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let library = root.join("target/release/libboxkit_uniffi.so");
    let generate = Command::new(root.join("target/release/uniffi-bindgen"))
        .args([
            "generate",
            "--library",
            library.as_str(),
            "--language",
            "python",
            "--out-dir",
            out.as_str(),
        ])
        .current_dir(&uniffi)
        .env(target.0, &target.1)
        .status()
        .map_err(|e| e.to_string())?;
    if !generate.success() {
        return Err("uniffi-bindgen failed".into());
    }
    std::fs::copy(&library, out.join("libboxkit_uniffi.so")).map_err(|e| e.to_string())?;

    let bindery = root.join("target/release/bindery");
    let args = [
        "bench/run.py",
        "--bindery",
        bindery.as_str(),
        "--uniffi-dir",
        out.as_str(),
    ];
    run(Step {
        env: venv_env,
        ..step("bench", bin.join("python"), &args)
    })?;
    eprintln!(
        "\nnote: .venv now holds release builds; `cargo xtask test` reinstalls the test builds"
    );
    Ok(())
}
