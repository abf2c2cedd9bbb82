//! Hygiene: the names the generated code uses for itself, found in the
//! output of every valid fixture, must all be used as UDL names by the
//! `hygiene` fixture, which `cargo xtask test` builds, lints and tests. So a
//! new local, helper or import in any template covers itself: this test
//! fails until the hygiene fixture uses its name too.
//!
//! A name is the generator's own when it is free in the output (not after
//! `.` or `::`, not inside an attribute, not a keyword) and is no name of
//! the fixture's API. Names that start with `_` or with the reserved prefix
//! are exempt: no UDL name can take them (weedle drops a leading `_`, and
//! `bindery` is refused with B022).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use bindery_codegen::{generate, model, names, Input};
use proc_macro2::{TokenStream, TokenTree};

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while",
];

fn valid_fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    dirs
}

fn exempt(name: &str) -> bool {
    name.starts_with('_') || names::is_reserved_prefix(name) || WEBIDL_KEYWORDS.contains(&name)
}

/// WebIDL type keywords that the generated code may spell (Python's
/// `float`) but no UDL identifier can be, so nothing can clash with them.
const WEBIDL_KEYWORDS: &[&str] = &["float", "double", "boolean"];

/// Free identifiers of Rust source: not a field, method or path segment,
/// not inside `#[...]`, not a macro name, not a keyword or lifetime.
fn rust_free_names(source: &str, out: &mut BTreeSet<String>) {
    // Comments name nothing; proc-macro2's lexer also trips on the docstring
    // hazards some fixtures carry (`/*` inside a `///` line).
    let code: Vec<&str> = source
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect();
    let tokens = TokenStream::from_str(&code.join("\n")).expect("generated Rust tokenizes");
    walk(tokens, out);
}

fn walk(tokens: TokenStream, out: &mut BTreeSet<String>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            // The test hooks see user names only as paths and literals.
            TokenTree::Ident(m) if m == "mod" => {
                if matches!(tokens.get(i + 1), Some(TokenTree::Ident(n)) if n == "bindery_test_hooks")
                {
                    i += 3;
                    continue;
                }
            }
            // `use` trees name paths, and the glue imports traits as `_`.
            TokenTree::Ident(u) if u == "use" => {
                while i < tokens.len()
                    && !matches!(&tokens[i], TokenTree::Punct(p) if p.as_char() == ';')
                {
                    i += 1;
                }
            }
            TokenTree::Punct(p) if p.as_char() == '#' => {
                // Skip the attribute's bracket group (after `#` or `#!`).
                let inner =
                    matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                i += if inner { 3 } else { 2 };
                continue;
            }
            TokenTree::Group(g) => walk(g.stream(), out),
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                let prev = |k: usize| match i.checked_sub(k).map(|j| &tokens[j]) {
                    Some(TokenTree::Punct(p)) => Some(p.as_char()),
                    _ => None,
                };
                let next_bang =
                    matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                let after_path = prev(1) == Some(':') && prev(2) == Some(':');
                let lifetime = prev(1) == Some('\'');
                let member = prev(1) == Some('.');
                let skipped = after_path
                    || lifetime
                    || member
                    || next_bang
                    || RUST_KEYWORDS.contains(&name.as_str())
                    || name.starts_with("r#");
                if !skipped {
                    out.insert(name);
                }
            }
            _ => {}
        }
        i += 1;
    }
}

/// Free names of Python sources, by Python's own tokenizer: NAME tokens
/// that do not follow a `.`, are not keywords and are not keyword arguments
/// of a call.
fn python_free_names(sources: &[String], out: &mut BTreeSet<String>) {
    let script = r#"
import io, json, keyword, sys, tokenize
names = set()
for source in json.load(sys.stdin):
    prev = None
    toks = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)]
    k = 0
    while k < len(toks):
        t = toks[k]
        if t.string in ("import", "from") and (k == 0 or toks[k - 1].end[0] < t.start[0]):
            # An import binds only its aliases, or the names a `from` imports.
            line = [x for x in toks if x.start[0] == t.start[0]]
            words = [x.string for x in line]
            if "import" in words:
                rest = words[words.index("import") + 1:] if t.string == "from" else words[1:]
                parts = " ".join(rest).replace("(", " ").replace(")", " ").split(",")
                for part in parts:
                    bits = part.split()
                    if bits:
                        names.add(bits[-1] if "as" in bits else bits[0].split(".")[0])
            k += len(line)
            continue
        if t.type == tokenize.NAME and not keyword.iskeyword(t.string):
            after_dot = k > 0 and toks[k - 1].string == "."
            if not after_dot:
                names.add(t.string)
        k += 1
print("\n".join(sorted(names)))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let json = format!(
        "[{}]",
        sources
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(json.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "python tokenize failed");
    out.extend(
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(str::to_string),
    );
}

/// Every name of the fixture's API, in every spelling: its UDL words, the
/// Python names and what bindery derives from them.
fn api_names(api: &bindery_codegen::model::Api, udl: &str) -> BTreeSet<String> {
    let mut out = words(udl);
    for n in api.python_names() {
        out.insert(n.to_string());
        out.insert(n.trim_end_matches('_').to_string());
    }
    for c in &api.callbacks {
        out.insert(format!("{}Protocol", c.name.python));
    }
    for e in &api.enums {
        out.insert(bindery_codegen::model::variant_alias(&e.name.python));
        let uniffi = bindery_codegen::plan::uniffi_spellings(e);
        out.extend(uniffi.aliases.into_iter().map(|(alias, _)| alias));
        out.extend(uniffi.tests.into_iter().map(|(test, _)| test));
    }
    out.insert(api.package.clone());
    out.insert(api.namespace.clone());
    out.insert(api.crate_ident.clone());
    out
}

/// The generator's own free names over every valid fixture.
fn generator_names() -> BTreeSet<String> {
    let mut generator = BTreeSet::new();
    for dir in valid_fixtures() {
        let udl = std::fs::read_to_string(dir.join("input.udl")).unwrap_or_default();
        let config = std::fs::read_to_string(dir.join("input.toml")).unwrap_or_default();
        let items = std::fs::read_to_string(dir.join("crate-items.hex"))
            .ok()
            .map(|text| bindery_codegen::metadata::decode_hex(&text).unwrap());
        let input = Input {
            udl_name: "input.udl",
            udl: &udl,
            config_name: "input.toml",
            config: &config,
            core_version: None,
            crate_items: items.as_deref(),
        };
        let api = model(&input).unwrap_or_else(|_| panic!("{} is valid", dir.display()));
        let files = generate(&input).unwrap();
        let mut found = BTreeSet::new();
        for (path, content) in &files.files {
            // A runtime module (`bindery_queue.rs`) is a namespace of its
            // own that names nothing of the API: it cannot collide.
            let runtime = path
                .rsplit('/')
                .next()
                .is_some_and(|f| f.starts_with("bindery_"));
            if path.ends_with(".rs") && !runtime {
                rust_free_names(content, &mut found);
            }
        }
        // The package's own modules: what users import and what type checkers read.
        let python: Vec<String> = files
            .files
            .iter()
            .filter(|(p, _)| {
                p.starts_with("python/") && (p.ends_with(".py") || p.ends_with(".pyi"))
            })
            .map(|(_, c)| c.clone())
            .collect();
        python_free_names(&python, &mut found);
        // The words of a crate whose proc-macros declare items name them too.
        let sources = std::fs::read_to_string(dir.join("core/src/lib.rs")).unwrap_or_default();
        let declared = match items {
            Some(_) => format!("{udl}\n{sources}"),
            None => udl.clone(),
        };
        let own = api_names(&api, &declared);
        generator.extend(found.into_iter().filter(|n| !own.contains(n) && !exempt(n)));
    }
    generator
}

/// Identifiers of the hygiene fixture's UDL.
fn hygiene_udl_names() -> BTreeSet<String> {
    let udl = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/hygiene/input.udl"),
    )
    .unwrap();
    words(&udl)
}

/// The identifier-like words of a text.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_hygiene_fixture_uses_every_name_the_generator_uses() {
    let generator = generator_names();
    assert!(
        generator.len() > 20,
        "suspiciously few names: {generator:?}"
    );
    let udl = hygiene_udl_names();
    let missing: Vec<&String> = generator
        .iter()
        // Names Rust cannot spell are refused in any UDL (B030).
        .filter(|n| names::rust_name(n).is_some())
        .filter(|n| !udl.contains(*n))
        .filter(|n| !names::PUBLIC_NAMES.contains(&n.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "the generated code uses names that codegen/tests/fixtures/valid/hygiene/input.udl \
         does not: {missing:?}"
    );
}
