//! Names the config gives (the core crate, the variant attribute) checked
//! one by one: each bad one is its diagnostic, each good one generates.

use bindery_codegen::diagnostics::Code;
use bindery_codegen::{generate, Input};

const UDL: &str = "namespace shelf {\n    u32 count();\n};\n";

/// The messages of the diagnostics `config` gives, or none when it generates.
fn messages(config: &str) -> Vec<(Code, String)> {
    let input = Input {
        udl_name: "shelf.udl",
        udl: UDL,
        config_name: "bindery.toml",
        config,
        core_version: None,
        crate_items: None,
    };
    match generate(&input) {
        Ok(_) => Vec::new(),
        Err(diags) => diags.into_iter().map(|d| (d.code, d.message)).collect(),
    }
}

#[test]
fn crate_names_are_cargos() {
    for good in ["shelf-core", "shelf_core2", "Shelf"] {
        let config = format!("[rust]\ncrate = \"{good}\"\n");
        assert_eq!(messages(&config), [], "{good}");
    }
    for bad in ["", "shelf core", "2shelf", "shelf.core", "shelf/core"] {
        let config = format!("[rust]\ncrate = \"{bad}\"\n");
        let expected = format!("`{bad}` is not a Cargo crate name");
        assert_eq!(messages(&config), [(Code::InvalidName, expected)], "{bad}");
    }
}

#[test]
fn the_variant_attribute_is_public_and_not_an_exceptions_own() {
    for good in ["kind", "rust_variant"] {
        let config = format!("[python]\nvariant-attribute = \"{good}\"\n");
        assert_eq!(messages(&config), [], "{good}");
    }
    for bad in ["_kind", "args", "with_traceback", "add_note"] {
        let config = format!("[python]\nvariant-attribute = \"{bad}\"\n");
        let found = messages(&config);
        assert_eq!(found.len(), 1, "{bad}: {found:?}");
        assert_eq!(found[0].0, Code::ReservedName, "{bad}");
        assert!(
            found[0].1.contains("cannot name the variant attribute"),
            "{bad}"
        );
    }
}

#[test]
fn the_in_crate_module_is_a_snake_case_rust_module() {
    for good in ["python", "py_glue2"] {
        let config = format!("[rust]\nmodule = \"{good}\"\n");
        assert_eq!(messages(&config), [], "{good}");
    }
    for bad in ["Python", "_python", "2python", "py-glue", "self"] {
        let config = format!("[rust]\nmodule = \"{bad}\"\n");
        let expected = format!("`{bad}` is not a Rust module name");
        assert_eq!(messages(&config), [(Code::InvalidName, expected)], "{bad}");
    }
}
