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
        match core_version(&crate_dir(out, Utf8Path::new(&api.crate_path))) {
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
    let (udl, udl_bad) = match read(udl_path) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("{message}");
            return EXIT_INVALID;
        }
    };
    let (config, config_bad) = match config_path.map(read).transpose() {
        Ok(r) => r.unwrap_or_default(),
        Err(message) => {
            eprintln!("{message}");
            return EXIT_INVALID;
        }
    };
    let input = Input {
        udl_name: udl_path.as_str(),
        udl: &udl,
        config_name: config_path.map_or("<no config>", |p| p.as_str()),
        config: &config,
        core_version: None,
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
                format!("bindery generate --udl {udl_path}{config} --out {out}")
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
