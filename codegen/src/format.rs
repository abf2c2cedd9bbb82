//! The format phase, between render and sync: every generated `.rs` file
//! goes through rustfmt, with the options the generated `rustfmt.toml`
//! states, so the output is exactly rustfmt's for any input (the render
//! phase's own layout, `render::layout`, comes close but cannot follow
//! rustfmt everywhere: long names break generics, chains and macro calls).
//!
//! rustfmt's stability guarantee fixes its output for a given style
//! edition, so the result is the same on any machine with a stable
//! rustfmt. This is the pipeline's one phase besides sync that runs a
//! program; `generate` stays pure. Where rustfmt is missing the files are
//! kept as rendered (valid Rust, laid out by `render::layout`) and the
//! caller says so: a `--check` against a tree formatted elsewhere then
//! reports the difference.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::FileSet;

/// The edition and style every generated `.rs` is formatted with; the
/// generated `rustfmt.toml` states the same.
pub const EDITION: &str = "2021";
pub const OPTIONS: &str = "use_small_heuristics=Max,style_edition=2021";

/// What formatting did.
#[derive(Debug, PartialEq)]
pub enum Formatted {
    /// Every `.rs` file is rustfmt's.
    Done,
    /// rustfmt could not be started (the reason); the files are as rendered.
    Unavailable(String),
}

/// The rustfmt to run: `$RUSTFMT`, else `rustfmt` on the `PATH`.
fn program() -> String {
    std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_string())
}

/// Formats every `.rs` file of `files` in place. An error is rustfmt
/// refusing a file bindery rendered: a bug in bindery.
pub fn rustfmt(files: &mut FileSet) -> Result<Formatted, String> {
    rustfmt_with(&[&program()], files)
}

/// `rustfmt` with the formatter `command` (a program and its first
/// arguments).
fn rustfmt_with(command: &[&str], files: &mut FileSet) -> Result<Formatted, String> {
    for (path, text) in files.files.iter_mut() {
        if !path.ends_with(".rs") {
            continue;
        }
        // rustfmt is not always idempotent (a long closure chain moves once
        // more on a second pass): formatted until it stays the same.
        let mut passes = 0;
        let outcome = loop {
            match format_one(command, text) {
                Ok(formatted) if formatted == *text || passes == 3 => break Ok(formatted),
                Ok(formatted) => {
                    *text = formatted;
                    passes += 1;
                }
                Err(e) => break Err(e),
            }
        };
        match outcome {
            Ok(formatted) => *text = formatted,
            Err(Error::Unavailable(reason)) => return Ok(Formatted::Unavailable(reason)),
            Err(Error::Refused(message)) => {
                return Err(format!(
                    "rustfmt refused the generated {path} (a bug in bindery): {message}"
                ))
            }
        }
    }
    Ok(Formatted::Done)
}

enum Error {
    Unavailable(String),
    Refused(String),
}

fn format_one(command: &[&str], text: &str) -> Result<String, Error> {
    let program = command.first().copied().unwrap_or("rustfmt");
    let mut child = Command::new(program)
        .args(&command[1..])
        .args(["--edition", EDITION, "--config", OPTIONS])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Unavailable(format!("cannot run {program}: {e}")))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or(Error::Unavailable("no stdin".into()))?;
    // Written from a thread: rustfmt may fill its stdout before it has read
    // all of a large input.
    let input = text.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| Error::Unavailable(format!("{program} did not finish: {e}")))?;
    let written = writer
        .join()
        .map_err(|_| Error::Refused("the writer panicked".into()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Error::Refused(stderr.trim().to_string()));
    }
    written.map_err(|e| Error::Refused(format!("could not write its input: {e}")))?;
    String::from_utf8(output.stdout).map_err(|e| Error::Refused(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(path: &str, text: &str) -> FileSet {
        FileSet {
            files: [(path.to_string(), text.to_string())].into(),
        }
    }

    #[test]
    fn rust_files_get_rustfmt_layout_and_others_are_kept() {
        let mut files = set("src/lib.rs", "fn f( ) -> u32 { 1 }\n");
        files.files.insert("a.py".into(), "x  =  1\n".into());
        assert_eq!(rustfmt(&mut files), Ok(Formatted::Done));
        assert_eq!(files.files["src/lib.rs"], "fn f() -> u32 {\n    1\n}\n");
        assert_eq!(files.files["a.py"], "x  =  1\n");
    }

    #[test]
    fn formatting_repeats_until_rustfmt_leaves_the_text_alone() {
        // A closure chain that rustfmt 1.9 moves again on a second pass.
        let text = "fn f() {\n    let _outcome = _method.call1(_py, _args).and_then(|_value| { _value.extract::<::std::collections::HashMap<String, ::std::collections::HashMap<i64, String>>>(_py) });\n}\n";
        let mut files = set("src/lib.rs", text);
        assert_eq!(rustfmt(&mut files), Ok(Formatted::Done));
        let once = files.files["src/lib.rs"].clone();
        assert_eq!(rustfmt(&mut files), Ok(Formatted::Done));
        assert_eq!(files.files["src/lib.rs"], once);
    }

    #[test]
    fn a_file_rustfmt_cannot_parse_is_an_error_naming_it() {
        let mut files = set("src/lib.rs", "fn f( {\n");
        let error = rustfmt(&mut files).unwrap_err();
        assert!(error.contains("src/lib.rs"), "{error}");
    }

    /// A formatter (a shell script, run by `sh`) that appends a `//pass`
    /// line per pass until the text has `stable_after` of them (never,
    /// with `None`).
    fn fake_formatter(dir: &std::path::Path, stable_after: Option<usize>) -> String {
        let path = dir.join("fake-rustfmt");
        let limit = stable_after.map_or("1000000".to_string(), |n| n.to_string());
        let script = format!(
            "#!/bin/sh\ninput=$(cat)\nprintf '%s\\n' \"$input\"\nif [ $(printf '%s\\n' \"$input\" | grep -c '^//pass$') -lt {limit} ]; then echo '//pass'; fi\n"
        );
        std::fs::write(&path, script).unwrap();
        path.display().to_string()
    }

    #[test]
    fn formatting_stops_when_the_formatter_leaves_the_text_alone() {
        let dir = tempfile::tempdir().unwrap();
        let fake = fake_formatter(dir.path(), Some(2));
        let mut files = set("src/lib.rs", "fn f() {}\n");
        assert_eq!(
            rustfmt_with(&["sh", &fake], &mut files),
            Ok(Formatted::Done)
        );
        assert_eq!(files.files["src/lib.rs"], "fn f() {}\n//pass\n//pass\n");
    }

    #[test]
    fn formatting_gives_up_after_three_more_passes() {
        let dir = tempfile::tempdir().unwrap();
        let fake = fake_formatter(dir.path(), None);
        let mut files = set("src/lib.rs", "fn f() {}\n");
        assert_eq!(
            rustfmt_with(&["sh", &fake], &mut files),
            Ok(Formatted::Done)
        );
        // The first pass and three more, the last one's output kept.
        assert_eq!(files.files["src/lib.rs"].matches("//pass").count(), 4);
    }
}
