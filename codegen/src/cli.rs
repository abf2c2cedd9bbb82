//! `bindery generate` as a function, shared by the binary and `cargo xtask gen`.

use camino::{Utf8Component, Utf8Path, Utf8PathBuf};

use crate::diagnostics::{self, Code, Diagnostic, Source};
use crate::{sync, Input};

/// Exit codes (docs/config.md).
pub const EXIT_OK: u8 = 0;
pub const EXIT_INVALID: u8 = 1;

/// Reads an input; text that is not UTF-8 is replaced lossily and the
/// offset of the first bad byte is returned for a diagnostic.
fn read(path: &Utf8Path) -> Result<(String, Option<usize>), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("error: cannot read {path}: {e}"))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, None)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            Ok((String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at)))
        }
    }
}

/// The crate folder `path` names from `out`, which may not exist yet
/// (the first run): then `..` is resolved on the path's text.
fn crate_dir(out: &Utf8Path, path: &Utf8Path) -> Utf8PathBuf {
    let joined = out.join(path);
    if out.exists() {
        return joined;
    }
    let mut normal = Utf8PathBuf::new();
    for part in joined.components() {
        match part {
            Utf8Component::ParentDir
                if matches!(
                    normal.components().next_back(),
                    Some(Utf8Component::Normal(_))
                ) =>
            {
                normal.pop();
            }
            Utf8Component::CurDir => {}
            other => normal.push(other),
        }
    }
    normal
}

/// The version of the crate in `dir`: its `[package] version`, or its
/// workspace's `[workspace.package] version` when it inherits it
/// (`version.workspace = true`); why not, when neither says one.
fn core_version(dir: &Utf8Path) -> Result<String, String> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {manifest} ([rust] path): {e}"))?;
    let value: toml::Table =
        toml::from_str(&text).map_err(|e| format!("{manifest} is not valid TOML: {e}"))?;
    let version = value.get("package").and_then(|p| p.get("version"));
    if let Some(version) = version.and_then(toml::Value::as_str) {
        return Ok(version.to_string());
    }
    let inherited = version
        .and_then(|v| v.get("workspace"))
        .and_then(toml::Value::as_bool)
        == Some(true);
    if !inherited {
        return Err(format!("{manifest} has no `[package] version`"));
    }
    // The nearest folder above whose manifest has a `[workspace]`.
    let start = dir.canonicalize_utf8().unwrap_or_else(|_| dir.to_owned());
    for folder in start.ancestors().skip(1) {
        let root = folder.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&root) else {
            continue;
        };
        let Ok(value) = toml::from_str::<toml::Table>(&text) else {
            continue;
        };
        let Some(workspace) = value.get("workspace") else {
            continue;
        };
        let version = workspace.get("package").and_then(|p| p.get("version"));
        return version
            .and_then(toml::Value::as_str)
            .map(str::to_string)
            .ok_or(format!(
                "{manifest} inherits its version from {root}, which has no \
                 `[workspace.package] version`"
            ));
    }
    Err(format!(
        "{manifest} inherits its version (`version.workspace = true`) but no workspace \
         manifest was found above it"
    ))
}

/// The bindery version recorded in the tree at `out`
/// (`pyproject.toml`'s `[tool.bindery] version`), if it has a pyproject.
fn recorded_version(out: &Utf8Path) -> Option<Option<String>> {
    let text = std::fs::read_to_string(out.join("pyproject.toml")).ok()?;
    let value: toml::Table = toml::from_str(&text).ok()?;
    let version = value
        .get("tool")
        .and_then(|t| t.get("bindery"))
        .and_then(|b| b.get("version"))
        .and_then(toml::Value::as_str);
    Some(version.map(str::to_string))
}

/// How `run_generate` runs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Write nothing; exit 1 with a diff if the output is stale.
    pub check: bool,
    /// Replace files in the output that bindery did not write.
    pub force: bool,
    /// The command that regenerates, for the hint `--check` prints
    /// (`cargo xtask gen`); by default, `bindery generate` with the paths.
    pub regenerate: Option<String>,
}

/// A located problem for each input that is not UTF-8 (the byte offset
/// of its first bad byte).
fn encoding_problems(udl_bad: Option<usize>, config_bad: Option<usize>) -> Vec<Diagnostic> {
    [(udl_bad, Source::Udl), (config_bad, Source::Config)]
        .into_iter()
        .filter_map(|(bad, source)| {
            bad.map(|at| {
                Diagnostic::new(
                    Code::UdlSyntax,
                    source,
                    at..at + 1,
                    "the file is not valid UTF-8",
                )
            })
        })
        .collect()
}

/// The format phase (`crate::format`): whether the files may be written.
fn format(files: &mut crate::FileSet) -> bool {
    match crate::format::rustfmt(files) {
        Ok(crate::format::Formatted::Done) => true,
        Ok(crate::format::Formatted::Unavailable(reason)) => {
            eprintln!(
                "warning: {reason}; the generated Rust keeps bindery's own layout, which is not \
                 always rustfmt's (install it: `rustup component add rustfmt`)"
            );
            true
        }
        Err(message) => {
            eprintln!("error: {message}; nothing was written");
            false
        }
    }
}

/// The files of `input`, with the distribution's default version read
/// from the core crate (where the config puts it is known once the input
/// is lowered), and the warnings.
fn files_for(
    input: &Input<'_>,
    out: &Utf8Path,
) -> Result<(crate::FileSet, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (mut api, warnings) = crate::model_with_warnings(input)?;
    if !api.distribution.version_configured {
        // In-crate mode: the crate is `--out` itself.
        let dir = match api.in_crate {
            Some(_) => out.to_path_buf(),
            None => crate_dir(out, Utf8Path::new(&api.crate_path)),
        };
        match core_version(&dir) {
            Ok(version) => api.distribution.version = version,
            Err(why) => eprintln!(
                "warning: the distribution's version is {}: {why}\n\
                 help: fix `[rust] path` (it is relative to --out), or set \
                 `[distribution] version`",
                api.distribution.version
            ),
        }
    }
    crate::render_model(&api).map(|files| (files, warnings))
}

/// Says, before `--check`'s diff, that another bindery wrote the tree.
fn note_other_version(out: &Utf8Path) {
    match recorded_version(out) {
        Some(Some(theirs)) if theirs != crate::VERSION => eprintln!(
            "note: {out} was generated by bindery {theirs}; this is bindery {}: \
             the differences below may come from that",
            crate::VERSION
        ),
        Some(None) => eprintln!(
            "note: {out} records no bindery version (an older bindery wrote \
             it); this is bindery {}",
            crate::VERSION
        ),
        _ => {}
    }
}

/// The proc-macro items of the crate the config names, when it sets
/// `[rust] proc-macros = true`: built and read (`metadata`). The crate is
/// `--out` in in-crate mode, else `[rust] path` (from `--out`).
fn crate_items(config: &str, out: &Utf8Path) -> Result<Option<Vec<uniffi_meta::Metadata>>, String> {
    let Some(config) = crate::config::parse_recovering(config).0 else {
        return Ok(None);
    };
    let rust = &config.rust;
    if !rust.proc_macros.as_ref().is_some_and(|p| *p.get_ref()) {
        return Ok(None);
    }
    // From `--out`, which need not exist yet (the first run).
    let crate_dir = match (&rust.module, &rust.path) {
        (Some(_), _) => out.to_path_buf(),
        (None, Some(path)) => crate_dir(out, Utf8Path::new(path.get_ref())),
        (None, None) => {
            let name = rust.crate_name.as_ref().ok_or(
                "`[rust] proc-macros` needs `[rust] crate` or `[rust] path`: the crate to read",
            )?;
            crate_dir(out, Utf8Path::new(&format!("../{}", name.get_ref())))
        }
    };
    let (library, ident) = crate::metadata::build(&crate_dir, None)?;
    let bytes = std::fs::read(&library).map_err(|e| format!("cannot read {library}: {e}"))?;
    let items = crate::metadata::items_in_library(&bytes)
        .map_err(|e| format!("cannot read the proc-macro items of {library}: {e}"))?;
    crate::metadata::decode(&crate::metadata::own_items(items, &ident)?).map(Some)
}

/// What `run_generate` reads: the texts (with the offset of the first
/// byte that is not UTF-8, if any) and the crate's proc-macro items.
struct ReadInputs {
    udl: String,
    udl_bad: Option<usize>,
    config: String,
    config_bad: Option<usize>,
    items: Option<Vec<uniffi_meta::Metadata>>,
}

/// Reads the inputs, printing why when one cannot be read.
fn read_inputs(
    udl_path: &Utf8Path,
    config_path: Option<&Utf8Path>,
    out: &Utf8Path,
) -> Option<ReadInputs> {
    // No UDL: the crate's proc-macros declare the whole API.
    let udl = match udl_path.as_str() {
        "" => Ok((String::new(), None)),
        _ => read(udl_path),
    };
    let config = config_path.map(read).transpose();
    let ((udl, udl_bad), (config, config_bad)) = match (udl, config) {
        (Ok(udl), Ok(config)) => (udl, config.unwrap_or_default()),
        (Err(message), _) | (_, Err(message)) => {
            eprintln!("{message}");
            return None;
        }
    };
    let items = crate_items(&config, out)
        .map_err(|message| {
            eprintln!(
                "error[{}]: {message}",
                diagnostics::Code::CrateItems.as_str()
            );
            eprintln!("error: 1 problem(s) found; nothing was written");
        })
        .ok()?;
    Some(ReadInputs {
        udl,
        udl_bad,
        config,
        config_bad,
        items,
    })
}

/// Generates (or checks) `out` from `udl` and `config`; prints what it did
/// and every diagnostic to stderr; returns the exit code. This is the
/// function a project's own `cargo xtask` calls.
pub fn run_generate(
    udl_path: &Utf8Path,
    config_path: Option<&Utf8Path>,
    out: &Utf8Path,
    options: &Options,
) -> u8 {
    let check = options.check;
    let Some(read) = read_inputs(udl_path, config_path, out) else {
        return EXIT_INVALID;
    };
    let (udl, udl_bad, config, config_bad, items) = (
        read.udl,
        read.udl_bad,
        read.config,
        read.config_bad,
        read.items,
    );
    let input = Input {
        udl_name: udl_path.as_str(),
        udl: &udl,
        config_name: config_path.map_or("<no config>", |p| p.as_str()),
        config: &config,
        core_version: None,
        crate_items: items.as_deref(),
    };
    let encoding = encoding_problems(udl_bad, config_bad);
    let result = if encoding.is_empty() {
        files_for(&input, out)
    } else {
        Err(encoding)
    };
    let mut files = match result {
        Ok((files, warnings)) => {
            eprint!("{}", diagnostics::render(&input.inputs(), &warnings));
            files
        }
        Err(diags) => {
            eprint!("{}", diagnostics::render(&input.inputs(), &diags));
            eprintln!(
                "error: {} problem(s) found; nothing was written",
                diags.len()
            );
            return EXIT_INVALID;
        }
    };
    if !format(&mut files) {
        return EXIT_INVALID;
    }
    match sync(&files, out, check, options.force) {
        Ok(report) if check && !report.is_clean() => {
            note_other_version(out);
            eprint!("{}", report.diff);
            for path in &report.written {
                eprintln!("would write {out}/{path}");
            }
            for path in &report.removed {
                eprintln!("would remove {out}/{path}");
            }
            let regenerate = options.regenerate.clone().unwrap_or_else(|| {
                let config = config_path.map_or(String::new(), |c| format!(" --config {c}"));
                let udl = match udl_path.as_str() {
                    "" => String::new(),
                    path => format!(" --udl {path}"),
                };
                format!("bindery generate{udl}{config} --out {out}")
            });
            eprintln!("error: {out} is out of date; run `{regenerate}`");
            EXIT_INVALID
        }
        Ok(report) => {
            if report.is_clean() {
                eprintln!("{out} is up to date ({} files)", files.files.len());
            }
            if !check {
                for path in &report.written {
                    eprintln!("wrote {out}/{path}");
                }
                for path in &report.removed {
                    eprintln!("removed {out}/{path}");
                }
                for (folder, files) in &report.left {
                    eprintln!(
                        "kept {out}/{folder}/: it holds files bindery did not write ({})",
                        files.join(", ")
                    );
                }
            }
            EXIT_OK
        }
        Err(e @ (sync::SyncError::NotOurs(_) | sync::SyncError::Symlink(_))) => {
            eprintln!("error: {e}");
            eprintln!(
                "help: point --out at a folder of its own, move those files away, or pass \
                 --force to replace them; nothing was written"
            );
            EXIT_INVALID
        }
        Err(e) => {
            eprintln!("error: cannot write the output: {e}; the previous files were kept");
            EXIT_INVALID
        }
    }
}

/// `path` made absolute (from the current folder) with `.` and `..`
/// resolved on its text: `path` may not exist yet.
fn absolute(path: &Utf8Path) -> Result<Utf8PathBuf, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
    let cwd = Utf8PathBuf::from_path_buf(cwd).map_err(|_| "the current folder is not UTF-8")?;
    let mut out = Utf8PathBuf::new();
    for part in cwd.join(path).components() {
        match part {
            Utf8Component::ParentDir => {
                out.pop();
            }
            Utf8Component::CurDir => {}
            other => out.push(other),
        }
    }
    Ok(out)
}

/// The path of `to` from the folder `from` (both absolute).
fn relative(from: &Utf8Path, to: &Utf8Path) -> Utf8PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = Utf8PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to[common..] {
        out.push(part);
    }
    if out.as_str().is_empty() {
        out.push(".");
    }
    out
}

/// What `bindery init` writes and generates for a crate.
struct InitPlan {
    /// The crate's package name.
    package: String,
    out: Utf8PathBuf,
    udl: Utf8PathBuf,
    /// Whether the UDL is a skeleton `init` writes (else the crate's own).
    write_udl: bool,
    config: String,
    test: String,
}

/// Decides `bindery init`'s files: the crate's names from its manifest, its
/// own UDL if it has exactly one under `src/`.
fn init_plan(
    krate: &Utf8Path,
    out: Option<&Utf8Path>,
    udl: Option<&Utf8Path>,
) -> Result<InitPlan, String> {
    let krate = absolute(krate)?;
    let manifest = krate.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| format!("cannot read {manifest}: {e}; --crate names your crate's folder"))?;
    let value: toml::Table =
        toml::from_str(&text).map_err(|e| format!("{manifest} is not valid TOML: {e}"))?;
    let package = (value.get("package"))
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .ok_or(format!(
            "{manifest} has no `[package] name` (a workspace root?)"
        ))?;
    let lib = (value.get("lib"))
        .and_then(|l| l.get("name"))
        .and_then(toml::Value::as_str)
        .map_or_else(|| package.replace('-', "_"), str::to_string);
    let out = match out {
        Some(out) => absolute(out)?,
        None => {
            let parent = krate.parent().unwrap_or(&krate);
            parent.join(format!("{package}-python"))
        }
    };
    let own = match udl {
        Some(udl) => Some(absolute(udl)?),
        None => {
            let found: Vec<Utf8PathBuf> = std::fs::read_dir(krate.join("src"))
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|e| Utf8PathBuf::from_path_buf(e.path()).ok())
                .filter(|p| p.extension() == Some("udl"))
                .collect();
            (found.len() == 1).then(|| found[0].clone())
        }
    };
    let write_udl = own.is_none();
    let udl = own.unwrap_or_else(|| out.join(format!("{lib}.udl")));
    let path = relative(&out, &krate);
    let config = format!(
        "# bindery's binding config (docs/config.md). Paths are relative to this folder,\n\
         # which is also `--out`: bindery writes its files here beside this one.\n\
         [rust]\ncrate = \"{package}\"\npath = \"{path}\"\n"
    );
    let test = format!(
        "\"\"\"The package's own tests; bindery writes `test_generated_*.py` beside them.\"\"\"\n\n\
         import {lib}\n\n\n\
         def test_the_package_imports() -> None:\n    assert {lib}.__name__ == \"{lib}\"\n"
    );
    Ok(InitPlan {
        package: package.to_string(),
        out,
        udl,
        write_udl,
        config,
        test,
    })
}

/// A UDL file to start from: the namespace and, commented out, the shapes
/// of the most common items.
fn udl_skeleton(namespace: &str, package: &str) -> String {
    format!(
        "// The API of `{package}` as Python sees it, in UniFFI's UDL (bindery's\n\
         // docs/uniffi-compat.md). Each item names a `pub` item of the crate; after an\n\
         // edit, run `bindery generate` again. For example:\n\
         //\n\
         // [Error]\n\
         // enum GreetError {{ \"Empty\", \"TooLong\" }};\n\
         //\n\
         // dictionary Point {{ i32 x; i32 y; }};   // pub struct Point {{ pub x: i32, pub y: i32 }}\n\
         //\n\
         // (UniFFI's parser takes no comment after the last definition.)\n\
         namespace {namespace} {{\n\
         \x20   // string greet(string name);        // pub fn greet(name: String) -> String\n\
         \x20   // [Throws=GreetError]\n\
         \x20   // u32 parse(string text);           // -> Result<u32, GreetError>\n\
         }};\n"
    )
}

/// `bindery init`: starts the Python package of the crate in `krate`:
/// writes the config, a UDL skeleton (unless the crate has its own UDL)
/// and a first test into `out`, generates, and prints the next commands.
pub fn run_init(krate: &Utf8Path, out: Option<&Utf8Path>, udl: Option<&Utf8Path>) -> u8 {
    let plan = match init_plan(krate, out, udl) {
        Ok(plan) => plan,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_INVALID;
        }
    };
    let config_path = plan.out.join("bindery.toml");
    let test_path = plan.out.join("tests/test_package.py");
    let mut mine = vec![config_path.clone(), test_path.clone()];
    if plan.write_udl {
        mine.push(plan.udl.clone());
    }
    if let Some(there) = mine.iter().find(|p| p.exists()) {
        eprintln!(
            "error: {there} exists: {} is already set up (edit its files, then run \
             `bindery generate`); nothing was written",
            plan.out
        );
        return EXIT_INVALID;
    }
    let namespace = plan.udl.file_stem().unwrap_or("api").replace('-', "_");
    let mut writes = vec![
        (config_path.clone(), plan.config.clone()),
        (test_path, plan.test.clone()),
    ];
    if plan.write_udl {
        writes.push((plan.udl.clone(), udl_skeleton(&namespace, &plan.package)));
    }
    for (path, text) in &writes {
        let made = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, text));
        if let Err(e) = made {
            eprintln!("error: cannot write {path}: {e}");
            return EXIT_INVALID;
        }
        eprintln!("wrote {path}");
    }
    let code = run_generate(
        &plan.udl,
        Some(&config_path),
        &plan.out,
        &Options::default(),
    );
    if code != EXIT_OK {
        return code;
    }
    // Paths as the user would type them: from the current folder.
    let shown = |path: &Utf8Path| match absolute(Utf8Path::new(".")) {
        Ok(cwd) => relative(&cwd, path),
        Err(_) => path.to_owned(),
    };
    let (udl, config_path, out) = (shown(&plan.udl), shown(&config_path), shown(&plan.out));
    eprintln!(
        "\nnext:\n  \
         1. declare your API in {udl} (bindery's docs/uniffi-compat.md)\n  \
         2. bindery generate --udl {udl} --config {config_path} --out {out}\n  \
         3. python -m venv .venv && .venv/bin/pip install maturin pytest\n  \
         4. .venv/bin/maturin develop --manifest-path {out}/Cargo.toml\n  \
         5. .venv/bin/pytest {out}/tests"
    );
    EXIT_OK
}

#[cfg(test)]
mod init_tests {
    use camino::Utf8Path;

    #[test]
    fn a_bad_byte_is_located_one_byte_wide_in_its_file() {
        let found = super::encoding_problems(Some(25), Some(3));
        let spans: Vec<_> = found.iter().map(|d| (d.source, d.span.clone())).collect();
        use crate::diagnostics::Source;
        assert_eq!(spans, [(Source::Udl, 25..26), (Source::Config, 3..4)]);
        assert!(super::encoding_problems(None, None).is_empty());
    }

    #[test]
    fn relative_paths_climb_to_the_common_folder() {
        let rel = |a: &str, b: &str| super::relative(Utf8Path::new(a), Utf8Path::new(b));
        assert_eq!(rel("/w/mylib-python", "/w/mylib"), "../mylib");
        assert_eq!(rel("/w/a/b", "/w/c"), "../../c");
        assert_eq!(rel("/w/lib", "/w/lib"), ".");
        assert_eq!(rel("/w/lib/python", "/w/lib"), "..");
    }
}
