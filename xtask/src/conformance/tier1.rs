//! Tier 1: generate each API and check the output without building it:
//! every `.rs` parses and is rustfmt-exact, every glue-internal item it
//! uses is defined, every Python file is ruff-clean (which parses it), and
//! `--check` right after writing is clean. Fast: rustfmt and ruff run once
//! over all the APIs of a batch.

use std::collections::{BTreeMap, BTreeSet};

use camino::{Utf8Path, Utf8PathBuf};

use super::spec::Api;
use super::Failure;

/// The config every generated API gets: the crate it binds.
pub fn config(crate_name: &str, path: &str) -> String {
    format!("[rust]\ncrate = \"{crate_name}\"\npath = \"{path}\"\n")
}

/// Generates `api` into `dir`; what is wrong with it before any tool runs,
/// or `Ok(None)` for an API bindery refuses with a documented, located
/// diagnostic (a user-visible clash), which counts as a pass.
pub fn generate(api: &Api, dir: &Utf8Path) -> Result<Option<()>, String> {
    generate_into(api, dir, &config("conformance_core", "../core"), "pkg")
}

/// [`generate`] with `config`, into `dir/<out>` (`pkg` for a glue crate,
/// `core` for in-crate mode).
pub fn generate_into(
    api: &Api,
    dir: &Utf8Path,
    config: &str,
    out: &str,
) -> Result<Option<()>, String> {
    let (udl, config) = super::udl::inputs(api, config);
    let input = bindery_codegen::Input {
        udl_name: "api.udl",
        udl: &udl,
        config_name: "bindery.toml",
        config: &config,
        core_version: Some("0.1.0"),
        crate_items: None,
    };
    let mut files = match bindery_codegen::generate(&input) {
        Ok(files) => files,
        Err(diagnostics) => {
            let documented = ["B021", "B022"];
            // Located: a span in the UDL, not the whole file's start.
            let refused = diagnostics
                .iter()
                .all(|d| documented.contains(&d.code.as_str()) && !d.span.is_empty());
            if refused {
                return Ok(None);
            }
            let text = bindery_codegen::diagnostics::render(&input.inputs(), &diagnostics);
            return Err(format!("bindery refused a valid API:\n{text}"));
        }
    };
    // What the command line does next.
    match bindery_codegen::format::rustfmt(&mut files)? {
        bindery_codegen::format::Formatted::Done => {}
        bindery_codegen::format::Formatted::Unavailable(reason) => return Err(reason),
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("api.udl"), &udl).map_err(|e| e.to_string())?;
    let out = dir.join(out);
    bindery_codegen::sync(&files, &out, false, false).map_err(|e| e.to_string())?;
    let again = bindery_codegen::sync(&files, &out, true, false).map_err(|e| e.to_string())?;
    if !again.is_clean() {
        return Err("`--check` right after generating is not clean".to_string());
    }
    for (path, text) in &files.files {
        let runtime = path
            .rsplit('/')
            .next()
            .is_some_and(|f| f.starts_with("bindery_"));
        if runtime {
            // A runtime module: compiled and tested as it is by
            // codegen/runtime-tests (its thread-locals are macro items).
            syn::parse_file(text).map_err(|e| format!("{path}: does not parse: {e}"))?;
        } else if path.ends_with(".rs") {
            check_rust(text).map_err(|e| format!("{path}: {e}"))?;
        }
    }
    Ok(Some(()))
}

/// A generated Rust file parses, and every glue-internal name it uses
/// (`bindery_*`, `Bindery*`, `BINDERY_*`) is defined in it.
fn check_rust(text: &str) -> Result<(), String> {
    let file = syn::parse_file(text).map_err(|e| format!("does not parse: {e}"))?;
    let mut defined = BTreeSet::new();
    defined_items(&file.items, &mut defined);
    let mut used = BTreeSet::new();
    used_names(quote_tokens(&file), &mut used);
    let missing: Vec<&String> = used.difference(&defined).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "uses glue items it does not define, or edition-2021 syntax: {missing:?}"
        ))
    }
}

fn internal(name: &str) -> bool {
    name.starts_with("bindery_") || name.starts_with("Bindery") || name.starts_with("BINDERY_")
}

fn defined_items(items: &[syn::Item], out: &mut BTreeSet<String>) {
    for item in items {
        let ident = match item {
            syn::Item::Fn(f) => Some(&f.sig.ident),
            syn::Item::Struct(s) => Some(&s.ident),
            syn::Item::Enum(e) => Some(&e.ident),
            syn::Item::Type(t) => Some(&t.ident),
            syn::Item::Static(s) => Some(&s.ident),
            syn::Item::Const(c) => Some(&c.ident),
            syn::Item::Trait(t) => {
                for item in &t.items {
                    if let syn::TraitItem::Fn(f) = item {
                        out.insert(f.sig.ident.to_string());
                    }
                }
                Some(&t.ident)
            }
            syn::Item::Union(u) => Some(&u.ident),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    defined_items(inner, out);
                }
                Some(&m.ident)
            }
            syn::Item::Impl(i) => {
                // Methods (a trait's, an inherent helper's).
                for item in &i.items {
                    if let syn::ImplItem::Fn(f) = item {
                        out.insert(f.sig.ident.to_string());
                    }
                }
                None
            }
            _ => None,
        };
        out.extend(ident.map(ToString::to_string));
        if let syn::Item::Fn(f) = item {
            // Items declared inside function bodies (`static RELEASE`).
            for stmt in &f.block.stmts {
                if let syn::Stmt::Item(inner) = stmt {
                    defined_items(std::slice::from_ref(inner), out);
                }
            }
        }
    }
}

fn quote_tokens(file: &syn::File) -> proc_macro2::TokenStream {
    let mut tokens = proc_macro2::TokenStream::new();
    quote::ToTokens::to_tokens(file, &mut tokens);
    tokens
}

fn used_names(tokens: proc_macro2::TokenStream, out: &mut BTreeSet<String>) {
    for token in tokens {
        match token {
            proc_macro2::TokenTree::Ident(ident) => {
                let name = ident.to_string();
                if internal(&name) {
                    out.insert(name);
                }
            }
            // A C-string literal needs edition 2021, and in-crate glue is
            // compiled in the crate's edition: reported as a missing name.
            proc_macro2::TokenTree::Literal(literal) => {
                let text = literal.to_string();
                if text.starts_with("c\"") || text.starts_with("cr\"") || text.starts_with("cr#") {
                    out.insert(format!("(a C-string literal, edition 2021 only: {text})"));
                }
            }
            proc_macro2::TokenTree::Group(group) => used_names(group.stream(), out),
            _ => {}
        }
    }
}

/// The APIs whose Rust is not what rustfmt makes of it, by index, with
/// rustfmt's report; one rustfmt run over every `lib.rs` under `root`.
pub fn rustfmt(root: &Utf8Path, dirs: &BTreeMap<usize, Utf8PathBuf>) -> BTreeMap<usize, String> {
    let mut failures = BTreeMap::new();
    let files: Vec<String> = dirs
        .values()
        .flat_map(|d| rust_files(&d.join("pkg")))
        .collect();
    for chunk in files.chunks(200) {
        let output = std::process::Command::new("rustfmt")
            .args(["--check", "--edition", "2021"])
            .args(chunk)
            .current_dir(root)
            .output();
        let output = match output {
            Ok(output) => output,
            Err(e) => {
                failures.insert(usize::MAX, format!("rustfmt did not run: {e}"));
                return failures;
            }
        };
        let report = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        attribute(&report, dirs, "Diff in ", &mut failures);
    }
    failures
}

/// The APIs whose Python fails `ruff check` (or does not parse), by index.
pub fn ruff(
    ruff: &Utf8Path,
    root: &Utf8Path,
    dirs: &BTreeMap<usize, Utf8PathBuf>,
) -> BTreeMap<usize, String> {
    let mut failures = BTreeMap::new();
    let output = std::process::Command::new(ruff)
        .args([
            "check",
            "--no-cache",
            "--output-format",
            "concise",
            "--quiet",
        ])
        .arg(root)
        .output();
    match output {
        Ok(output) => {
            let report = String::from_utf8_lossy(&output.stdout).into_owned();
            attribute(&report, dirs, "", &mut failures);
            if !output.status.success() && failures.is_empty() {
                let stderr = String::from_utf8_lossy(&output.stderr);
                failures.insert(usize::MAX, format!("ruff failed: {report}{stderr}"));
            }
        }
        Err(e) => {
            failures.insert(usize::MAX, format!("ruff did not run: {e}"));
        }
    }
    failures
}

/// Files a tool's report names, mapped back to the API whose folder holds
/// them; each API gets the report lines about its files.
fn attribute(
    report: &str,
    dirs: &BTreeMap<usize, Utf8PathBuf>,
    lead: &str,
    failures: &mut BTreeMap<usize, String>,
) {
    for line in report.lines() {
        let Some(rest) = line.strip_prefix(lead) else {
            continue;
        };
        // Tools print absolute or relative paths: match the API's folder.
        let owner = dirs.iter().find(|(_, d)| {
            d.file_name()
                .is_some_and(|name| rest.contains(&format!("/{name}/pkg/")))
        });
        if let Some((&index, _)) = owner {
            let entry = failures.entry(index).or_default();
            if entry.lines().count() < 20 {
                entry.push_str(line);
                entry.push('\n');
            }
        }
    }
}

fn rust_files(dir: &Utf8Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(path) = Utf8PathBuf::from_path_buf(e.path()) else {
                continue;
            };
            if path.is_dir() {
                stack.push(path);
            } else if path.extension() == Some("rs") {
                out.push(path.to_string());
            }
        }
    }
    out.sort();
    out
}

/// Runs tier 1 on `apis` (index → API) in `root`; the failures, each
/// with the check that failed.
pub fn run(
    apis: &BTreeMap<usize, Api>,
    root: &Utf8Path,
    ruff_path: &Utf8Path,
) -> (BTreeMap<usize, Failure>, usize) {
    let mut failures = BTreeMap::new();
    let mut dirs = BTreeMap::new();
    let mut refused = 0;
    for (&index, api) in apis {
        let dir = root.join(format!("api{index}"));
        match generate(api, &dir) {
            Ok(Some(())) => {
                dirs.insert(index, dir);
            }
            Ok(None) => refused += 1,
            Err(e) => {
                failures.insert(
                    index,
                    Failure {
                        check: "generate",
                        report: e,
                    },
                );
            }
        }
    }
    for (index, report) in rustfmt(root, &dirs) {
        failures.entry(index).or_insert(Failure {
            check: "rustfmt",
            report,
        });
    }
    for (index, report) in ruff(ruff_path, root, &dirs) {
        failures.entry(index).or_insert(Failure {
            check: "ruff",
            report,
        });
    }
    (failures, refused)
}
