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

/// The runtime modules (`codegen/src/runtime/`) may use `unsafe` where no
/// safe PyO3 API exists (a thread state kept per Rust thread needs
/// `pyo3::ffi`); each block says why it is sound in a `// SAFETY:` comment
/// just above it. Per-API generated code has none (above).
#[test]
fn runtime_unsafe_blocks_say_why_they_are_sound() {
    let dir = root().join("codegen/src/runtime");
    let mut blocks = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if !code
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|w| w == "unsafe")
            {
                continue;
            }
            blocks += 1;
            // The comment block right above the `unsafe` line.
            let above = lines[..n]
                .iter()
                .rev()
                .take_while(|l| l.trim_start().starts_with("//"));
            assert!(
                above
                    .into_iter()
                    .any(|l| l.trim_start().starts_with("// SAFETY:")),
                "{}:{}: `unsafe` without a `// SAFETY:` comment above it",
                path.display(),
                n + 1
            );
        }
    }
    assert!(blocks > 0, "the check saw no runtime `unsafe` at all");
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

/// Every function of a file (free, in `impl`s, traits and modules, nested
/// ones too) with the line its item starts on (attributes and docs
/// included) and its number of lines.
fn functions(file: &syn::File) -> Vec<(usize, usize)> {
    fn span(item: &impl syn::spanned::Spanned) -> (usize, usize) {
        let span = item.span();
        (span.start().line, span.end().line + 1 - span.start().line)
    }
    struct Visitor(Vec<(usize, usize)>);
    impl<'ast> syn::visit::Visit<'ast> for Visitor {
        fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
            self.0.push(span(item));
            syn::visit::visit_item_fn(self, item);
        }
        fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
            self.0.push(span(item));
            syn::visit::visit_impl_item_fn(self, item);
        }
        fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
            if item.default.is_some() {
                self.0.push(span(item));
            }
            syn::visit::visit_trait_item_fn(self, item);
        }
    }
    let mut visitor = Visitor(Vec::new());
    syn::visit::Visit::visit_file(&mut visitor, file);
    visitor.0
}

#[test]
fn functions_are_short_or_say_why() {
    let mut files = Vec::new();
    files_under(&root().join("codegen/src"), ".rs", &mut files);
    files_under(&root().join("xtask/src"), ".rs", &mut files);
    let mut long = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (start, len) in functions(&file) {
            // A comment above the item or among its docs may say why.
            let signature = lines[start - 1..]
                .iter()
                .position(|l| l.contains("fn "))
                .map_or(start, |k| start + k);
            let reason = lines[start.saturating_sub(7)..signature]
                .iter()
                .any(|l| l.contains("long:"));
            if len > MAX_FUNCTION_LINES && !reason {
                long.push(format!("{}:{start} ({len} lines)", path.display()));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines without a `long:` reason: {long:#?}"
    );
}

/// The check above sees a function whatever its signature's length.
#[test]
fn the_length_check_sees_every_function() {
    let long_signature = (0..30)
        .map(|i| format!("    a{i}: u8,\n"))
        .collect::<String>();
    let text = format!(
        "impl X {{\n    fn f(\n{long_signature}    ) {{\n        let x = 1;\n    }}\n}}\nfn g() {{}}\n"
    );
    let file = syn::parse_file(&text).unwrap();
    assert_eq!(functions(&file), vec![(2, 34), (37, 1)]);
}

/// The config reference documents every key the parser accepts, and shows
/// only keys it accepts: its example config has each key (UDL-named tables
/// stand for `*`), parses without a diagnostic, and each top-level table has
/// its own section.
#[test]
fn the_config_reference_covers_every_key() {
    let docs = std::fs::read_to_string(root().join("docs/config.md")).unwrap();
    let after = docs
        .split("## The binding config")
        .nth(1)
        .expect("docs/config.md has a binding-config section");
    let example = after
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("the section opens with a TOML example");
    bindery_codegen::config::parse(example)
        .unwrap_or_else(|d| panic!("the example config is refused: {d:?}"));
    let value: toml::Table = toml::from_str(example).unwrap();
    fn has(value: &toml::Value, path: &[&str]) -> bool {
        match path.split_first() {
            None => true,
            Some((&"*", rest)) => value
                .as_table()
                .is_some_and(|t| t.values().any(|v| has(v, rest))),
            Some((key, rest)) => value.get(*key).is_some_and(|v| has(v, rest)),
        }
    }
    let root_value = toml::Value::Table(value);
    let keys = bindery_codegen::config::key_paths();
    // The schema's walk itself: keys of each depth, map entries as `*`.
    for key in [
        "python.package",
        "rust.path",
        "errors.*.variants.*.bases",
        "listeners.*.queued",
    ] {
        assert!(
            keys.iter().any(|k| k == key),
            "key_paths() lacks {key}: {keys:?}"
        );
    }
    let missing: Vec<String> = keys
        .into_iter()
        .filter(|p| !has(&root_value, &p.split('.').collect::<Vec<_>>()))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/config.md's example lacks these keys: {missing:?}"
    );
    for table in root_value.as_table().unwrap().keys() {
        assert!(
            docs.contains(&format!("### `[{table}]`")) || docs.contains(&format!("### `[{table}.")),
            "docs/config.md has no section for [{table}]"
        );
    }
}
