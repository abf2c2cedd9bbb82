//! Inputs at the edges: huge, deep, long, empty. Each must end in files or
//! diagnostics (never a panic, a stack overflow or an endless loop).

use bindery_codegen::{diagnostics, generate, Input};

fn run(udl: &str, config: &str) -> Result<usize, String> {
    let input = Input {
        udl_name: "edge.udl",
        udl,
        config_name: "edge.toml",
        config,
        core_version: None,
        crate_items: None,
    };
    match generate(&input) {
        Ok(files) => Ok(files.files.len()),
        Err(diags) => Err(diagnostics::render(&input.inputs(), &diags)),
    }
}

#[test]
fn thousands_of_definitions() {
    let mut udl = String::from("namespace many {\n");
    for i in 0..3000 {
        udl.push_str(&format!("  u32 f{i}(u32 a, string b);\n"));
    }
    udl.push_str("};\n");
    for i in 0..1000 {
        udl.push_str(&format!(
            "dictionary R{i} {{ u32 x; sequence<R{}>? next; }};\n",
            (i + 1) % 1000
        ));
        udl.push_str(&format!("enum E{i} {{ \"A\", \"B\" }};\n"));
    }
    assert!(run(&udl, "").is_ok());
}

#[test]
fn nesting_at_and_past_the_limit() {
    let at = format!(
        "namespace d {{ {}u32{} f(); }};",
        "sequence<".repeat(60),
        ">".repeat(60)
    );
    assert!(run(&at, "").is_ok());
    let past = format!(
        "namespace d {{ {}u32{} f(); }};",
        "record<string, ".repeat(100_000),
        ">".repeat(100_000)
    );
    let err = run(&past, "").unwrap_err();
    assert!(err.contains("nested more than"), "{err}");
    let toml = format!("x = {}1{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(run("namespace d {};", &toml).is_err());
}

#[test]
fn very_long_identifiers_and_docstrings() {
    let name = "a".repeat(100_000);
    let doc = format!("/// {}\n", "\"\"\" \\ */ {} é ".repeat(20_000));
    let udl = format!("namespace l {{ {doc} u32 {name}(); }};\n[Error]\ninterface E {{ {doc} V(string {name}); }};\n");
    assert!(run(&udl, "").is_ok());
}

#[test]
fn empty_and_blank_inputs() {
    for udl in [
        "",
        " ",
        "\n\n",
        "\u{feff}",
        "namespace",
        "namespace x",
        "}",
        "];",
    ] {
        assert!(run(udl, "").is_err(), "{udl:?}");
    }
    for config in ["", "\n", "# only a comment\n"] {
        assert!(run("namespace x {};", config).is_ok(), "{config:?}");
    }
}

#[test]
fn control_characters_and_odd_unicode() {
    for junk in [
        "\u{0}", "\u{7}", "\u{202e}", "\u{2028}", "🦀", "\r", "\u{fffd}",
    ] {
        let udl = format!("namespace x {{ u32 f(); }};{junk}");
        let _ = run(&udl, "");
        let udl = format!("namespace x {{ /// doc {junk}\n u32 f(); }};");
        assert!(run(&udl, "").is_ok(), "{junk:?}");
        let config = format!("[python]\npackage = \"{junk}\"\n");
        assert!(run("namespace x {};", &config).is_err(), "{junk:?}");
    }
}
