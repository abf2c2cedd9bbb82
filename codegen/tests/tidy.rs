//! Repository rules, checked: the catalogue documents every code, generated
//! Rust has no `unsafe` and no `unwrap`, the name tables match Python's own,
//! fixtures come in whole pairs, and functions stay short.

use std::path::{Path, PathBuf};
use std::process::Command;

use bindery_codegen::diagnostics::Code;
use bindery_codegen::names;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, ext, out);
        } else if path.to_string_lossy().ends_with(ext) {
            out.push(path);
        }
    }
}

#[test]
fn every_code_is_in_the_catalogue() {
    let catalogue = std::fs::read_to_string(root().join("docs/diagnostics.md")).unwrap();
    for code in Code::ALL {
        assert!(
            catalogue.contains(&format!("| {} |", code.as_str())),
            "{} is missing from docs/diagnostics.md",
            code.as_str()
        );
    }
}

/// The generated glue of boxkit and of every valid fixture (its snapshot).
fn generated_rust() -> Vec<(PathBuf, String)> {
    let mut files = vec![root().join("generated/src/lib.rs")];
    files_under(
        &root().join("codegen/tests/snapshots/valid"),
        "__src__lib.rs.snap",
        &mut files,
    );
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            (f, text)
        })
        .collect()
}

#[test]
fn generated_rust_has_no_unsafe_and_no_unwrap() {
    let files = generated_rust();
    assert!(files.len() >= 5);
    for (path, text) in files {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            let words: Vec<&str> = code
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .collect();
            for banned in ["unsafe", "unwrap", "expect"] {
                assert!(
                    !words.contains(&banned),
                    "{}:{}: `{banned}` in generated code: {line}",
                    path.display(),
                    n + 1
                );
            }
        }
    }
}

/// Runs Python and returns its output, or `None` where there is no python3.
fn python(code: &str) -> Option<String> {
    let output = Command::new("python3").args(["-c", code]).output().ok()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).unwrap())
}

#[test]
fn name_tables_match_python() {
    let Some(keywords) = python("import keyword; print('\\n'.join(keyword.kwlist))") else {
        return;
    };
    let keywords: Vec<&str> = keywords.lines().collect();
    assert_eq!(names::PYTHON_KEYWORDS, keywords.as_slice());
    let Some(out) = python(
        "import builtins, sys\n\
         print(sys.version_info[:2] == (3, 11))\n\
         print('\\n'.join(n for n in dir(builtins) if not n.startswith('_')))",
    ) else {
        return;
    };
    let mut lines = out.lines();
    let exact = lines.next() == Some("True");
    let builtins: Vec<&str> = lines
        .filter(|n| {
            // Constants and the interactive helpers `site` adds are not names
            // a class can shadow by accident.
            !matches!(
                *n,
                "True"
                    | "False"
                    | "None"
                    | "copyright"
                    | "credits"
                    | "license"
                    | "exit"
                    | "quit"
                    | "help"
            )
        })
        .collect();
    for name in names::PYTHON_BUILTINS {
        assert!(builtins.contains(name), "`{name}` is not a Python builtin");
    }
    if exact {
        assert_eq!(
            names::PYTHON_BUILTINS,
            builtins.as_slice(),
            "names::PYTHON_BUILTINS differs from Python 3.11's builtins"
        );
    }
    for b in names::BUILTIN_EXCEPTIONS {
        assert!(builtins.contains(&b.name), "`{}` is not a builtin", b.name);
    }
}

#[test]
fn invalid_fixtures_come_in_pairs() {
    let dir = root().join("codegen/tests/fixtures/invalid");
    let mut tomls = Vec::new();
    files_under(&dir, ".toml", &mut tomls);
    for toml in tomls {
        assert!(
            toml.with_extension("udl").exists(),
            "{} has no UDL beside it",
            toml.display()
        );
    }
}

/// The longest a function may be without a comment saying why (`long:`).
const MAX_FUNCTION_LINES: usize = 120;

#[test]
fn functions_are_short_or_say_why() {
    let mut files = Vec::new();
    files_under(&root().join("codegen/src"), ".rs", &mut files);
    files_under(&root().join("xtask/src"), ".rs", &mut files);
    let mut long = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let is_fn = trimmed.starts_with("fn ")
                || trimmed.starts_with("pub fn ")
                || (trimmed.starts_with("pub(") && trimmed.contains(") fn "));
            if !is_fn
                || !line.trim_end().ends_with('{')
                    && !lines[i..]
                        .iter()
                        .take(8)
                        .any(|l| l.trim_end().ends_with('{'))
            {
                continue;
            }
            let indent = line.len() - trimmed.len();
            let close = format!("{}}}", " ".repeat(indent));
            let Some(len) = lines[i..].iter().position(|l| *l == close) else {
                continue;
            };
            let reason = lines[i.saturating_sub(6)..i]
                .iter()
                .any(|l| l.contains("long:"));
            if len + 1 > MAX_FUNCTION_LINES && !reason {
                long.push(format!("{}:{} ({} lines)", path.display(), i + 1, len + 1));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines without a `long:` reason: {long:#?}"
    );
}
