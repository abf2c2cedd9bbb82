//! A user's project, outside this repository: bindery as its users meet it.
//! The CLI is installed with `cargo install`, refuses to replace a
//! hand-written file, generates, passes `--check`, shows a diff after a UDL
//! edit; maturin builds one abi3 wheel, which is installed into every
//! CPython the machine has (at least two when it has them) and runs a small
//! application on each; so does a wheel pip builds from the sdist, in both
//! layouts (glue crate, in-crate mode).

use std::process::{Command, Output};

use camino::{Utf8Path, Utf8PathBuf};

use crate::runner::{cargo, maturin_wheel, root, timed, Step, Venv};

/// Runs `program args` in `dir`, capturing its output.
fn capture(program: &Utf8Path, args: &[&str], dir: &Utf8Path) -> Result<Output, String> {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))
}

/// Copies the files of `from` into `to`, recursively.
fn copy_tree(from: &Utf8Path, to: &Utf8Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from).map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let (src, dst) = (from.join(&name), to.join(&name));
        if src.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst).map_err(|e| format!("{src}: {e}"))?;
        }
    }
    Ok(())
}

/// The CPython interpreters besides `.venv`'s (3.11) that the machine
/// has, one per minor version, under pyenv or on `PATH`, oldest first.
pub fn other_pythons() -> Vec<(u32, Utf8PathBuf)> {
    let home = std::env::var("HOME").unwrap_or_default();
    let pyenv = Utf8Path::new(&home).join(".pyenv/versions");
    let mut found = Vec::new();
    for minor in 12..=14 {
        let mut listed: Vec<String> = std::fs::read_dir(&pyenv)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(&format!("3.{minor}.")))
            .collect();
        listed.sort();
        if let Some(name) = listed.pop() {
            found.push((minor, pyenv.join(name).join("bin/python3")));
            continue;
        }
        let on_path = Utf8PathBuf::from(format!("python3.{minor}"));
        if Step::new("probe", &on_path, &["--version"]).quietly_succeeds() {
            found.push((minor, on_path));
        }
    }
    found
}

/// The CPython interpreters to run the wheel on: `.venv`'s, and the newest
/// other minor version the machine has.
fn interpreters(venv: &Venv) -> Vec<Utf8PathBuf> {
    let mut found = vec![venv.tool("python")];
    found.extend(other_pythons().pop().map(|(_, p)| p));
    found
}

pub fn user_project(venv: &Venv) -> Result<(), String> {
    let scratch = crate::runner::scratch("user-project")?;
    let tools = scratch.join("tools");
    let sdk = scratch.join("python-sdk");
    timed("user project: copy it out of this repository", || {
        let _ = std::fs::remove_dir_all(&scratch);
        copy_tree(&root().join("xtask/user-project"), &scratch)
    })?;
    let target = ("CARGO_TARGET_DIR", root().join("target").to_string());
    timed(
        "bindery-codegen's package: sources and templates, no fixtures",
        codegen_package,
    )?;
    Step::new(
        "user project: cargo install --debug bindery",
        cargo(),
        &[
            "install",
            "--debug",
            "--quiet",
            "--path",
            root().join("codegen").as_str(),
            "--root",
            tools.as_str(),
        ],
    )
    .env(std::slice::from_ref(&target))
    .run()?;
    let bindery = tools.join("bin/bindery");
    timed("user project: generate, refuse, check, diff", || {
        cli_checks(&bindery, &scratch, &sdk)
    })?;
    // The user's own xtask, on bindery's library: with this repository's
    // lock file, it shares the build of bindery-codegen.
    timed("user project: its own xtask, on bindery's library", || {
        let xtask = scratch.join("xtask");
        let manifest = std::fs::read_to_string(xtask.join("Cargo.toml.in"))
            .map_err(|e| e.to_string())?
            .replace("@CODEGEN@", root().join("codegen").as_str());
        std::fs::write(xtask.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
        std::fs::copy(root().join("Cargo.lock"), xtask.join("Cargo.lock"))
            .map_err(|e| e.to_string())?;
        Ok(())
    })?;
    Step::new(
        "user project: cargo run its xtask -- --check",
        cargo(),
        &[
            "run",
            "--quiet",
            "--manifest-path",
            scratch.join("xtask/Cargo.toml").as_str(),
            "--",
            "--check",
        ],
    )
    .env(std::slice::from_ref(&target))
    .dir(&scratch)
    .run()?;
    let mut env = venv.env();
    env.push(target);
    let pythons = interpreters(venv);
    eprintln!(
        "\n==> user project: wheels run on {} CPython(s): {pythons:?}",
        pythons.len()
    );
    let glue_crate = build_wheel(venv, &env, &sdk, &scratch.join("wheels"))?;
    run_app(&pythons, &glue_crate, &scratch, "glue crate", &[])?;
    // What a user without a prebuilt wheel installs: the sdist.
    let from_sdist = wheel_from_sdist(venv, &env, &sdk, &scratch.join("sdist"))?;
    run_app(
        &pythons[..1],
        &from_sdist,
        &scratch,
        "glue crate sdist",
        &[],
    )?;
    // In-crate mode: the glue is a module of the user's crate itself, which
    // binds a `pub(crate)` function a glue crate could not.
    let core = scratch.join("greeter");
    let inline = [
        "generate",
        "--udl",
        "greeter_inline.udl",
        "--config",
        "greeter_inline.toml",
        "--out",
        "greeter",
    ];
    timed("user project: generate in-crate", || {
        let out = capture(&tools.join("bin/bindery"), &inline, &scratch)?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(())
    })?;
    let in_crate = build_wheel(venv, &env, &core, &scratch.join("wheels-in-crate"))?;
    run_app(&pythons, &in_crate, &scratch, "in-crate", &["--in-crate"])?;
    let from_sdist = wheel_from_sdist(venv, &env, &core, &scratch.join("sdist-in-crate"))?;
    let args = ["--in-crate"];
    run_app(
        &pythons[..1],
        &from_sdist,
        &scratch,
        "in-crate sdist",
        &args,
    )?;
    new_crate(venv, &env, &scratch, &bindery)
}

/// A crate that has never seen bindery, as docs/getting-started.md takes
/// it: `bindery init`, one function declared in the UDL it wrote, generate,
/// then a wheel and a wheel built from the sdist, each installed and called.
fn new_crate(
    venv: &Venv,
    env: &[(&str, String)],
    scratch: &Utf8Path,
    bindery: &Utf8Path,
) -> Result<(), String> {
    let out = scratch.join("hello-lib-python");
    timed(
        "new crate: bindery init, declare a function, generate",
        || init_and_declare(scratch, bindery, &out),
    )?;
    let manifest = out.join("Cargo.toml");
    let wheel = maturin_wheel(venv, env, &manifest, &[], &scratch.join("wheels-new"))?;
    let from_sdist = wheel_from_sdist(venv, env, &out, &scratch.join("sdist-new"))?;
    let python = venv.tool("python");
    for (label, wheel) in [("wheel", &wheel), ("sdist", &from_sdist)] {
        if !wheel
            .file_name()
            .unwrap_or_default()
            .starts_with("hello_lib-0.3.0-")
        {
            return Err(format!(
                "{wheel} is not hello_lib 0.3.0 (the crate's version)"
            ));
        }
        let site = scratch.join(format!("site-new-{label}"));
        let install = pip_install(&site, wheel.as_str());
        Step::new(format!("new crate: install the {label}"), &python, &install).run()?;
        let tests = out.join("tests/test_package.py");
        let check = [
            "-c",
            "import hello_lib, sys; assert hello_lib.greet('Ada') == 'Hello, Ada!'; \
             import pytest; sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', sys.argv[1]]))",
            tests.as_str(),
        ];
        Step::new(
            format!("new crate: call it and run its test ({label})"),
            &python,
            &check,
        )
        .env(&[("PYTHONPATH", site.to_string())])
        .dir(scratch)
        .run()?;
    }
    Ok(())
}

/// `bindery init` on a new crate `hello-lib`, the function its UDL skeleton
/// shows declared, and the generate command `init` printed run.
fn init_and_declare(scratch: &Utf8Path, bindery: &Utf8Path, out: &Utf8Path) -> Result<(), String> {
    let krate = scratch.join("hello-lib");
    std::fs::create_dir_all(krate.join("src")).map_err(|e| e.to_string())?;
    let manifest = "[package]\nname = \"hello-lib\"\nversion = \"0.3.0\"\nedition = \"2021\"\n";
    std::fs::write(krate.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    let lib = "pub fn greet(name: String) -> String {\n    format!(\"Hello, {name}!\")\n}\n";
    std::fs::write(krate.join("src/lib.rs"), lib).map_err(|e| e.to_string())?;
    let init = capture(bindery, &["init", "--crate", "hello-lib"], scratch)?;
    let said = String::from_utf8_lossy(&init.stderr).into_owned();
    if !init.status.success() || !said.contains("next:") {
        return Err(format!("bindery init failed:\n{said}"));
    }
    let udl = out.join("hello_lib.udl");
    let text = std::fs::read_to_string(&udl).map_err(|e| format!("{udl}: {e}"))?;
    let declared = text.replace(
        "    // string greet(string name);",
        "    string greet(string name);",
    );
    if declared == text {
        return Err(format!("{udl} does not show `string greet(string name);`"));
    }
    std::fs::write(&udl, declared).map_err(|e| e.to_string())?;
    let generate = said
        .lines()
        .find_map(|l| l.trim().strip_prefix("2. bindery "))
        .ok_or(format!("bindery init printed no generate command:\n{said}"))?;
    let args: Vec<&str> = generate.split_whitespace().collect();
    let run = capture(bindery, &args, scratch)?;
    if !run.status.success() {
        return Err(String::from_utf8_lossy(&run.stderr).into_owned());
    }
    let again = capture(bindery, &["init", "--crate", "hello-lib"], scratch)?;
    if again.status.code() != Some(1) {
        return Err("a second `bindery init` did not refuse".to_string());
    }
    Ok(())
}

/// What `cargo install bindery-codegen` will build once it is published:
/// the package lists the sources, the templates and the README, and none
/// of the fixtures.
fn codegen_package() -> Result<(), String> {
    let args = [
        "package",
        "--quiet",
        "-p",
        "bindery-codegen",
        "--allow-dirty",
        "--list",
    ];
    let list = capture(&Utf8PathBuf::from(cargo()), &args, &root())?;
    let files = String::from_utf8_lossy(&list.stdout).into_owned();
    let wanted = ["src/main.rs", "templates/lib.rs.txt", "README.md"];
    let missing: Vec<&&str> = (wanted.iter())
        .filter(|w| !files.lines().any(|l| l == **w))
        .collect();
    let stray = files.lines().find(|l| l.starts_with("tests/"));
    match (list.status.success(), missing.is_empty(), stray) {
        (true, true, None) => Ok(()),
        _ => Err(format!(
            "cargo package --list: missing {missing:?}, stray {stray:?}\n{files}"
        )),
    }
}

/// The command line as the user runs it: refused over a hand-written
/// file, then generate, `--check`, and `--check` after a UDL edit (a diff).
fn cli_checks(bindery: &Utf8Path, scratch: &Utf8Path, sdk: &Utf8Path) -> Result<(), String> {
    let generate = [
        "generate",
        "--udl",
        "greeter.udl",
        "--config",
        "greeter.toml",
        "--out",
        "python-sdk",
    ];
    // `--out` at a folder holding the user's own file: refused, untouched.
    std::fs::create_dir_all(sdk).map_err(|e| e.to_string())?;
    std::fs::write(sdk.join("Cargo.toml"), "[package]\nname = \"mine\"\n")
        .map_err(|e| e.to_string())?;
    let refused = capture(bindery, &generate, scratch)?;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    if refused.status.code() != Some(1) || !stderr.contains("not written by bindery") {
        return Err(format!(
            "a hand-written Cargo.toml was not refused: {stderr}"
        ));
    }
    std::fs::remove_file(sdk.join("Cargo.toml")).map_err(|e| e.to_string())?;
    let first = capture(bindery, &generate, scratch)?;
    if !first.status.success() {
        return Err(String::from_utf8_lossy(&first.stderr).into_owned());
    }
    let mut check = generate.to_vec();
    check.push("--check");
    if !capture(bindery, &check, scratch)?.status.success() {
        return Err("--check fails right after generating".into());
    }
    // An edit of the UDL: --check fails with a diff of the change.
    let udl = scratch.join("greeter.udl");
    let text = std::fs::read_to_string(&udl).map_err(|e| e.to_string())?;
    std::fs::write(
        &udl,
        text.replace("/// Greets `name`.", "/// Greets `name`, politely."),
    )
    .map_err(|e| e.to_string())?;
    let stale = capture(bindery, &check, scratch)?;
    let stderr = String::from_utf8_lossy(&stale.stderr);
    let shown = stderr
        .lines()
        .any(|l| l.starts_with('+') && l.contains("politely"));
    if stale.status.code() != Some(1) || !shown {
        return Err(format!("--check shows no diff of the edit: {stderr}"));
    }
    if !capture(bindery, &generate, scratch)?.status.success() {
        return Err("regenerating failed".into());
    }
    Ok(())
}

/// `maturin build` of the crate in `dir` into `wheels`: one abi3 wheel of
/// the core crate's version.
fn build_wheel(
    venv: &Venv,
    env: &[(&str, String)],
    dir: &Utf8Path,
    wheels: &Utf8Path,
) -> Result<Utf8PathBuf, String> {
    let wheel = maturin_wheel(venv, env, &dir.join("Cargo.toml"), &[], wheels)?;
    let file = wheel.file_name().unwrap_or_default();
    if !file.starts_with("greeter-1.4.0-") || !file.contains("-abi3-") {
        return Err(format!(
            "{file} is not an abi3 wheel of the core's version 1.4.0"
        ));
    }
    Ok(wheel)
}

/// The sdist of the crate in `dir` (`maturin sdist`), and the wheel pip
/// builds from it as it does for a user on a platform without a prebuilt
/// wheel (with the venv's maturin as the backend, `--no-build-isolation`,
/// and a debug build: the layout of the sdist is what is tested).
fn wheel_from_sdist(
    venv: &Venv,
    env: &[(&str, String)],
    dir: &Utf8Path,
    out: &Utf8Path,
) -> Result<Utf8PathBuf, String> {
    let _ = std::fs::remove_dir_all(out);
    let manifest = dir.join("Cargo.toml");
    let sdists = out.join("sdist");
    let sdist_args = [
        "sdist",
        "--manifest-path",
        manifest.as_str(),
        "--out",
        sdists.as_str(),
    ];
    Step::new(
        format!("maturin sdist ({manifest})"),
        venv.tool("maturin"),
        &sdist_args,
    )
    .env(env)
    .run()?;
    let find = |folder: &Utf8Path, ext: &str| {
        std::fs::read_dir(folder)
            .map_err(|e| format!("{folder}: {e}"))?
            .flatten()
            .map(|e| folder.join(e.file_name().to_string_lossy().as_ref()))
            .find(|p| p.as_str().ends_with(ext))
            .ok_or_else(|| format!("no {ext} in {folder}"))
    };
    let sdist = find(&sdists, ".tar.gz")?;
    let wheels = out.join("wheels");
    let pip = [
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--no-index",
        "--no-build-isolation",
        "--wheel-dir",
        wheels.as_str(),
        sdist.as_str(),
    ];
    let mut env = env.to_vec();
    env.push(("MATURIN_PEP517_ARGS", "--profile dev".to_string()));
    Step::new("pip wheel (from the sdist)", venv.tool("python"), &pip)
        .env(&env)
        .run()?;
    find(&wheels, ".whl")
}

/// Installs `wheel` with each of `pythons` (into a folder of its own) and
/// runs the app on it.
fn run_app(
    pythons: &[Utf8PathBuf],
    wheel: &Utf8Path,
    scratch: &Utf8Path,
    label: &str,
    args: &[&str],
) -> Result<(), String> {
    for (k, python) in pythons.iter().enumerate() {
        let site = scratch.join(format!("site-{}-{k}", label.replace(' ', "-")));
        Step::new(
            format!("user project ({label}): install the wheel with {python}"),
            python,
            &pip_install(&site, wheel.as_str()),
        )
        .run()?;
        let mut app = vec!["app.py"];
        app.extend(args);
        Step::new(
            format!("user project ({label}): the app on {python}"),
            python,
            &app,
        )
        .env(&[("PYTHONPATH", site.to_string())])
        .dir(scratch)
        .run()?;
    }
    Ok(())
}

/// pip's arguments to install `wheel` alone, offline, into the folder `site`.
fn pip_install<'a>(site: &'a Utf8Path, wheel: &'a str) -> [&'a str; 10] {
    let quiet = "--disable-pip-version-check";
    let target = site.as_str();
    [
        "-m",
        "pip",
        "install",
        "--quiet",
        quiet,
        "--no-index",
        "--no-deps",
        "--target",
        target,
        wheel,
    ]
}
