//! A package with backends: a function added to the UDL, and nothing else,
//! reaches every backend's build and the dispatcher (docs/backends.md).

use std::collections::BTreeSet;
use std::path::Path;

use bindery_codegen::{generate, Input};

fn fixture(name: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/backends");
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn files(udl: &str, config: &str) -> std::collections::BTreeMap<String, String> {
    let input = Input {
        udl_name: "input.udl",
        udl,
        config_name: "input.toml",
        config,
        core_version: Some("0.3.0"),
        crate_items: None,
    };
    generate(&input).expect("the fixture generates").files
}

/// The lines of `after` that `before` lacks, in order.
fn added(before: &str, after: &str) -> Vec<String> {
    let old: BTreeSet<&str> = before.lines().collect();
    after
        .lines()
        .filter(|l| !old.contains(l))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_function_added_to_the_udl_reaches_every_backend_and_the_dispatcher() {
    let udl = fixture("input.udl");
    let config = fixture("input.toml");
    let before = files(&udl, &config);
    let declaration = "namespace kvshelf {\n    u32 format_version();";
    let with_new = udl.replacen("namespace kvshelf {", declaration, 1);
    let after = files(&with_new, &config);

    let changed: Vec<&str> = after
        .iter()
        .filter(|(path, text)| before.get(*path) != Some(text))
        .map(|(path, _)| path.as_str())
        .collect();
    assert_eq!(
        changed,
        [
            "python/kvshelf/__init__.py",
            "python/kvshelf/__init__.pyi",
            "python/kvshelf/_native.pyi",
            "src/lib.rs",
            "tests/test_generated_exports.py",
        ],
        "no backend's pyproject, no loader, nothing else changes"
    );
    assert_eq!(before.len(), after.len());

    // The glue: one wrapper, outside any backend's `cfg`, so every backend's
    // build has it, registered in the one native module.
    let glue = added(&before["src/lib.rs"], &after["src/lib.rs"]);
    assert!(!glue.iter().any(|l| l.contains("cfg")), "{glue:#?}");
    let lines: Vec<&str> = after["src/lib.rs"].lines().collect();
    let wrapper = lines
        .iter()
        .position(|l| l.starts_with("fn bindery_fn_format_version("))
        .expect("a wrapper");
    assert_eq!(
        lines[wrapper - 3..wrapper],
        [
            "",
            "#[::pyo3::pyfunction]",
            "#[pyo3(name = \"format_version\")]"
        ]
    );
    assert!(glue.contains(
        &"    _m.add_function(::pyo3::wrap_pyfunction!(bindery_fn_format_version, _m)?)?;"
            .to_string()
    ));

    // The dispatcher: served lazily, exported, and stubbed.
    let init = added(
        &before["python/kvshelf/__init__.py"],
        &after["python/kvshelf/__init__.py"],
    );
    assert_eq!(
        init,
        ["        \"format_version\",", "    \"format_version\","]
    );
    let stub = added(
        &before["python/kvshelf/__init__.pyi"],
        &after["python/kvshelf/__init__.pyi"],
    );
    assert_eq!(stub, ["    format_version,", "    \"format_version\","]);
    let native = added(
        &before["python/kvshelf/_native.pyi"],
        &after["python/kvshelf/_native.pyi"],
    );
    assert!(native.contains(&"def format_version() -> int: ...".to_string()));
}

#[test]
fn a_backend_only_call_is_built_in_its_backends_and_refused_in_the_others() {
    let glue = &files(&fixture("input.udl"), &fixture("input.toml"))["src/lib.rs"];
    let lines: Vec<&str> = glue.lines().collect();
    let heads: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("fn bindery_fn_sqlite_version("))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(heads.len(), 2, "one wrapper per side of the cfg");
    assert_eq!(lines[heads[0] - 3], "#[cfg(feature = \"sqlite\")]");
    assert_eq!(lines[heads[1] - 3], "#[cfg(not(feature = \"sqlite\"))]");
    assert_eq!(
        lines[heads[1] + 1].trim(),
        "Err(bindery_unsupported(\"sqlite_version\", \"sqlite\"))"
    );
}

#[test]
fn the_native_module_imports_the_chooser_as_isort_wraps_it() {
    let config = "[backends.one]\nfeatures = [\"one\"]\n\n[backends.two]\nfeatures = [\"two\"]\n";
    let short = files("namespace kv { void f(); };", config);
    assert!(short["python/kv/_native.py"].contains("\nfrom kv import _backend\n"));
    // Past 88 columns: one member per line, in parentheses.
    let name = "a_namespace_name_long_enough_to_push_the_import_line_past_eighty_eight";
    let long = files(&format!("namespace {name} {{ void f(); }};"), config);
    let native = &long[&format!("python/{name}/_native.py")];
    assert!(
        native.contains(&format!("\nfrom {name} import (\n    _backend,\n)\n")),
        "{native}"
    );
}

#[test]
fn without_backend_only_calls_the_backend_constant_serves_embedding_alone() {
    // Only `bindery_embed` (the `embed` feature) names the backend then: a
    // wheel's build would find the constant unused.
    let config = "[backends.one]\nfeatures = [\"one\"]\n\n[backends.two]\nfeatures = [\"two\"]\n";
    let plain = &files("namespace kv { void f(); };", config)["src/lib.rs"];
    assert!(
        plain.contains(
            "#[cfg(feature = \"one\")]\n#[cfg(feature = \"embed\")]\nconst BINDERY_BACKEND"
        ),
        "{plain}"
    );
    // A backend-only call names it in every build.
    let only = format!("{config}\n[backend-only]\n\"f\" = [\"two\"]\n");
    let with_only = &files("namespace kv { void f(); };", &only)["src/lib.rs"];
    assert!(with_only.contains("#[cfg(feature = \"one\")]\nconst BINDERY_BACKEND"));
}
