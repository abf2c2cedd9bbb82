//! Property tests for the pieces with rules: whatever the input string,
//! names come out valid and text cannot escape its literal or comment.
//! Rust output is checked with `syn`; Python output with Python's own parser
//! (one interpreter run for a whole batch of generated cases).

use std::process::Command;

use bindery_codegen::names;
use bindery_codegen::render::types::{py_docstring, py_str, rust_doc, rust_str};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

/// Strings with the hazards: quotes, backslashes, comment markers, control
/// characters, non-ASCII and line breaks of every kind.
fn hazardous() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\"\"\"".to_string()),
        Just("'''".to_string()),
        Just("\\".to_string()),
        Just("*/".to_string()),
        Just("/*".to_string()),
        Just("\r".to_string()),
        Just("\r\n".to_string()),
        Just("\n".to_string()),
        Just("\t".to_string()),
        Just("\u{0}".to_string()),
        Just("\u{7f}".to_string()),
        Just("\u{2028}".to_string()),
        Just("é🦀".to_string()),
        Just("{}".to_string()),
        "[a-z ]{0,6}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat())
}

fn identifier_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z_][A-Za-z0-9_]{0,12}",
        Just("type".to_string()),
        Just("self".to_string()),
        Just("lambda".to_string()),
        Just("None".to_string()),
        Just("match".to_string()),
        Just("r#x".to_string()),
        Just("9lives".to_string()),
    ]
}

proptest! {
    #[test]
    fn python_names_are_identifiers_and_never_keywords(name in identifier_like()) {
        let python = names::python_name(&name);
        if names::is_identifier(&name) {
            prop_assert!(names::is_identifier(&python));
            prop_assert!(!names::is_python_keyword(&python));
        }
    }

    #[test]
    fn rust_names_parse_as_identifiers(name in identifier_like()) {
        if let Some(rust) = names::rust_name(&name) {
            prop_assert!(syn::parse_str::<syn::Ident>(&rust).is_ok(), "{rust}");
        }
    }

    #[test]
    fn rust_string_literals_round_trip(text in hazardous()) {
        let literal: syn::LitStr = syn::parse_str(&rust_str(&text)).unwrap();
        prop_assert_eq!(literal.value(), text);
    }

    #[test]
    fn rust_doc_comments_stay_comments(text in hazardous()) {
        let mut source = rust_doc(Some(&text)).join("\n");
        source.push_str("\nfn documented() {}\n");
        let file: syn::File = syn::parse_str(&source).map_err(|e| TestCaseError::fail(format!("{e}: {source:?}")))?;
        prop_assert_eq!(file.items.len(), 1);
        // rustc rejects a bare carriage return in a doc comment, syn does not.
        prop_assert!(!source.contains('\r'));
    }

    #[test]
    fn upper_snake_names_are_identifiers(name in "[A-Za-z][A-Za-z0-9_]{0,12}") {
        prop_assert!(names::is_identifier(&names::upper_snake(&name)));
    }
}

/// Python literals and docstrings: every generated case is parsed by Python.
#[test]
fn python_literals_and_docstrings_parse_and_keep_their_value() {
    let mut runner = TestRunner::new(Config {
        cases: 400,
        ..Config::default()
    });
    let strategy = hazardous();
    let mut cases = Vec::new();
    for _ in 0..400 {
        let text = strategy.new_tree(&mut runner).unwrap().current();
        cases.push(text);
    }
    // Each case: a string literal that must evaluate to the text, and a
    // docstring that must stay the first statement of its function body.
    let mut program = String::from("import ast, json, sys\nfailures = []\n");
    for (i, text) in cases.iter().enumerate() {
        let expected = serde_json_string(text);
        program.push_str(&format!(
            "v = {}\nif v != json.loads({}): failures.append({i})\n",
            py_str(text),
            py_str(&expected)
        ));
        let function = format!(
            "def f():\n    {}\n    return 1\n",
            py_docstring(text, "    ")
        );
        program.push_str(&format!(
            "t = ast.parse({})\nif len(t.body[0].body) != 2 or not isinstance(t.body[0].body[0].value, ast.Constant): failures.append(-{i} - 1)\n",
            py_str(&function)
        ));
    }
    program.push_str("print(json.dumps(failures))\nsys.exit(1 if failures else 0)\n");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let output = Command::new(python)
        .arg("-c")
        .arg(&program)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "cases failed: {} {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A JSON string literal (the expected value, decoded by Python's json).
fn serde_json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
