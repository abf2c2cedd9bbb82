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
    // Standard modules, imported `as _module`.
    let mut standard = vec!["enum"];
    let traits = flat
        .iter()
        .any(|e| e.traits.display || e.traits.debug || e.traits.ord);
    if plan.spelling.qualify && traits {
        standard.push("builtins");
    }
    if flat.iter().any(|e| e.traits.ord) {
        standard.push("functools");
    }
    let native = super::py_from_import(
        8,
        &api.package,
        &[format!("{} as _api", api.native_module)],
        None,
    );
    let methods: Vec<Vec<String>> = flat.iter().map(|e| methods(plan, e, &native)).collect();
    let mut imports = Vec::new();
    let mut checking = Vec::new();
    if methods.iter().any(|m| !m.is_empty()) {
        imports.push("from __future__ import annotations\n".to_string());
        checking = method_imports(plan, &methods, &mut standard);
    }
    standard.sort_unstable();
    standard.dedup();
    imports.extend(standard.iter().map(|m| format!("import {m} as _{m}")));
    imports.extend(checking);
    EnumsPy {
        header: format!("# {}", super::header_text(api)),
        imports,
        classes: flat
            .iter()
            .zip(methods)
            .map(|(e, methods)| {
                let mut lines = class(e, &api.package, &native, plan.spelling);
                lines.extend(methods);
                lines
            })
            .collect(),
    }
    .render()
}

/// A flat enum's methods (the crate's proc-macros export them): each calls
/// the native module's function behind it with the member first. Their
/// annotations name the API's classes through the native module (`_api.X`),
/// imported for type checkers only.
fn methods(plan: &Paths<'_>, e: &Enum, native: &str) -> Vec<String> {
    let spelling = Spelling {
        qualify_types: true,
        ..plan.spelling
    };
    let mut lines = Vec::new();
    for c in &e.methods {
        let mut params = vec!["self".to_string()];
        let mut args = vec!["self".to_string()];
        for a in &c.arguments {
            let annotation = super::types::python(&a.ty, spelling);
            params.push(match &a.default {
                Some(d) => format!(
                    "{}: {annotation} = {}",
                    a.name.python,
                    super::types::default(d, &a.ty, plan).0
                ),
                None => format!("{}: {annotation}", a.name.python),
            });
            args.push(a.name.python.clone());
        }
        let returns = match &c.returns {
            Some(t) => super::types::python(t, spelling),
            None => "None".to_string(),
        };
        let (def, awaited) = if c.is_async {
            ("async def", "await ")
        } else {
            ("def", "")
        };
        lines.push(String::new());
        lines.push(format!(
            "    {def} {}({}) -> {returns}:",
            c.name.python,
            params.join(", ")
        ));
        if let Some(doc) = &c.docstring {
            lines.push(format!("        {}", py_docstring(doc, "        ")));
        }
        lines.push(format!("        {native}"));
        lines.push(String::new());
        let function = crate::model::member_function(&e.name.python, &c.name.python);
        lines.push(format!(
            "        return {awaited}_api.{function}({})",
            args.join(", ")
        ));
    }
    lines
}

/// The standard modules the methods' annotations need (added to
/// `standard`; the annotations are never evaluated, under `from __future__
/// import annotations`), and the lines importing the package's modules for
/// type checkers.
fn method_imports(
    plan: &Paths<'_>,
    methods: &[Vec<String>],
    standard: &mut Vec<&str>,
) -> Vec<String> {
    let api = plan.api;
    let text = methods
        .iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n");
    for module in ["builtins", "datetime"] {
        if text.contains(&format!("_{module}.")) {
            standard.push(module);
        }
    }
    standard.push("typing");
    let mut own: Vec<(String, Option<&str>)> = Vec::new();
    if text.contains("_errors.") {
        own.push((format!("{} as _errors", api.errors_module), None));
    }
    if text.contains("_listeners.") {
        own.push((format!("{} as _listeners", api.listeners_module), None));
    }
    own.push((format!("{} as _api", api.native_module), None));
    let mut lines = vec![String::new(), "if _typing.TYPE_CHECKING:".to_string()];
    lines.extend(super::py_package_imports(4, &api.package, &own));
    lines
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
