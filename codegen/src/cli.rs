//! `bindery generate` as a function, shared by the binary and `cargo xtask gen`.

use camino::Utf8Path;

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

/// The `[package] version` of the crate in `dir`, if its manifest says it
/// plainly (not `version.workspace = true`).
fn core_version(dir: &Utf8Path) -> Option<String> {
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let value: toml::Table = toml::from_str(&manifest).ok()?;
    let version = value.get("package")?.get("version")?.as_str()?;
    Some(version.to_string())
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
        crate::model_with_warnings(&input).and_then(|(mut api, warnings)| {
            // The distribution's default version is the core crate's: where
            // the config puts the core is known once the input is lowered.
            if !api.distribution.version_configured {
                if let Some(version) = core_version(&out.join(&api.crate_path)) {
                    api.distribution.version = version;
                }
            }
            crate::render_model(&api).map(|files| (files, warnings))
        })
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
