//! `_enums.py`: every flat enum as an `enum.Enum` class, pure Python. The
//! glue converts its members by identity (`data::flat_enum`); the `[Traits]`
//! that Python's enum does not give call the native helpers.

use askama::Template;

use super::types::{py_docstring, Paths, Spelling};
use crate::model::Enum;

#[derive(Template)]
#[template(path = "enums.py.txt", escape = "none")]
struct EnumsPy {
    header: String,
    imports: Vec<String>,
    /// The lines of each class, decorators first.
    classes: Vec<Vec<String>>,
}

pub fn enums_py(plan: &Paths<'_>) -> askama::Result<String> {
    let api = plan.api;
    let flat: Vec<&Enum> = api.enums.iter().filter(|e| e.flat).collect();
    let mut imports = Vec::new();
    let traits = flat
        .iter()
        .any(|e| e.traits.display || e.traits.debug || e.traits.ord);
    if plan.spelling.qualify && traits {
        imports.push("import builtins as _builtins".to_string());
    }
    imports.push("import enum as _enum".to_string());
    if flat.iter().any(|e| e.traits.ord) {
        imports.push("import functools as _functools".to_string());
    }
    let native = super::py_from_import(
        8,
        &api.package,
        &[format!("{} as _api", api.native_module)],
        None,
    );
    EnumsPy {
        header: format!("# {}", super::header_text(api)),
        imports,
        classes: flat
            .iter()
            .map(|e| class(e, &api.package, &native, plan.spelling))
            .collect(),
    }
    .render()
}

/// One enum's class: members valued by the Rust variant's position (its
/// discriminant), the package as its module (pickles name `pkg.Enum`).
fn class(e: &Enum, package: &str, native: &str, spelling: Spelling<'_>) -> Vec<String> {
    let name = &e.name.python;
    let [str, object, bool, isinstance, not_implemented] =
        ["str", "object", "bool", "isinstance", "NotImplemented"].map(|b| spelling.builtin(b));
    let mut lines = Vec::new();
    if e.traits.ord {
        lines.push("@_functools.total_ordering".to_string());
    }
    lines.push(format!("class {name}(_enum.Enum):"));
    if let Some(doc) = &e.docstring {
        lines.push(format!("    {}", py_docstring(doc, "    ")));
        lines.push(String::new());
    }
    lines.push(format!(
        "    __module__ = {}",
        super::types::py_str(package)
    ));
    lines.push(String::new());
    for v in &e.variants {
        lines.push(format!("    {} = {}", v.name.python, v.value));
        if let Some(doc) = &v.docstring {
            lines.push(format!("    {}", py_docstring(doc, "    ")));
        }
    }
    // Rust's formatting and order, when `[Traits]` ask for them. The native
    // module imports this one, so these import it when called.
    let helper = |kind: &str| format!("_api._bindery_{kind}_{name}");
    let text = |method: &str, kind: &str| {
        (
            format!("    def {method}(self) -> {str}:"),
            vec![format!("        return {}(self)", helper(kind))],
        )
    };
    let mut methods = Vec::new();
    if e.traits.display {
        methods.push(text("__str__", "str"));
    }
    if e.traits.debug {
        methods.push(text("__repr__", "repr"));
    }
    if e.traits.ord {
        methods.push((
            format!("    def __lt__(self, other: {object}) -> {bool}:"),
            vec![
                format!("        if not {isinstance}(other, {name}):"),
                format!("            return {not_implemented}"),
                format!("        return {}(self, other) < 0", helper("cmp")),
            ],
        ));
    }
    for (head, body) in methods {
        lines.extend([
            String::new(),
            head,
            format!("        {native}"),
            String::new(),
        ]);
        lines.extend(body);
    }
    lines
}
