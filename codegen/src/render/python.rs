//! The Python side: `pyproject.toml`, the package, its stubs and the
//! generated tests.

use askama::Template;

use super::types::{self, py_docstring, py_str, Paths, Spelling};
use crate::model::{Api, Callable, ErrorClass, ErrorType, Type};
use crate::names;
use crate::plan::Exports;

pub(super) fn header(api: &Api) -> String {
    format!("# {}", super::header_text(api))
}

#[derive(Template)]
#[template(path = "pyproject.toml.txt", escape = "none")]
struct Pyproject<'a> {
    header: String,
    /// The lines of `[project]` (and `[project.urls]`).
    project: Vec<String>,
    /// In-crate mode: maturin builds the core crate with `python`.
    in_crate: bool,
    package: &'a str,
    native_module: &'a str,
    /// `[project.optional-dependencies]`: one extra per backend.
    extras: Vec<String>,
    /// `[tool.bindery] version`.
    bindery_version: &'static str,
}

pub fn pyproject(plan: &Paths<'_>) -> askama::Result<String> {
    let api = plan.api;
    let d = &api.distribution;
    let s = super::rust::toml_str;
    let strings = |items: &[String]| -> String {
        let quoted: Vec<String> = items.iter().map(|i| s(i)).collect();
        format!("[{}]", quoted.join(", "))
    };
    let mut project = vec![
        format!("name = {}", s(&d.name)),
        format!("version = {}", s(&d.version)),
    ];
    if let Some(description) = &d.description {
        project.push(format!("description = {}", s(description)));
    }
    if let Some(license) = &d.license {
        project.push(format!("license = {}", s(license)));
    }
    if let Some(readme) = &d.readme {
        project.push(format!("readme = {}", s(readme)));
    }
    project.push(format!("requires-python = \">=3.{}\"", d.python_minor));
    if !d.dependencies.is_empty() {
        project.push(format!("dependencies = {}", strings(&d.dependencies)));
    }
    let mut classifiers = vec!["Typing :: Typed".to_string()];
    classifiers.extend(
        d.classifiers
            .iter()
            .filter(|c| *c != "Typing :: Typed")
            .cloned(),
    );
    project.push(format!("classifiers = {}", strings(&classifiers)));
    if !d.urls.is_empty() {
        project.push(String::new());
        project.push("[project.urls]".to_string());
        for (name, url) in &d.urls {
            project.push(format!("{} = {}", s(name), s(url)));
        }
    }
    let extras = api
        .backends
        .iter()
        .map(|b| {
            format!(
                "{} = [{}]",
                b.name,
                s(&format!("{}=={}", b.distribution, d.version))
            )
        })
        .collect();
    Pyproject {
        header: header(api),
        project,
        in_crate: api.in_crate.is_some(),
        package: &api.package,
        native_module: &api.native_module,
        extras,
        bindery_version: crate::VERSION,
    }
    .render()
}

#[derive(Template)]
#[template(path = "__init__.py.txt", escape = "none")]
struct InitPy {
    header: String,
    docstring: String,
    /// `from <module> import (<names>)`, in isort's module order.
    imports: Vec<(String, Vec<String>)>,
    /// With backends: the native module's names, as Python strings, which
    /// `__getattr__` loads on first use (then the native module's path).
    lazy: Vec<String>,
    native_path: String,
    all: Vec<String>,
}

#[derive(Template)]
#[template(path = "__init__.pyi.txt", escape = "none")]
struct InitPyi {
    header: String,
    docstring: String,
    imports: Vec<(String, Vec<String>)>,
    all: Vec<String>,
}

/// The package's imports by module, in isort's module order; `native`
/// says whether the native module's names are imported too.
fn init_imports(plan: &Paths<'_>, native: bool) -> Vec<(String, Vec<String>)> {
    let api = plan.api;
    let Exports {
        errors,
        native: native_names,
        listeners,
        dispatcher,
    } = plan.exports.clone();
    let package = &api.package;
    let mut imports: Vec<(String, Vec<String>)> = [
        (format!("{package}.{}", api.errors_module), errors),
        (
            format!("{package}.{}", api.native_module),
            if native { native_names } else { Vec::new() },
        ),
        (format!("{package}.{}", api.listeners_module), listeners),
        (format!("{package}.{}", names::BACKEND_MODULE), dispatcher),
    ]
    .into_iter()
    .filter(|(_, names)| !names.is_empty())
    .collect();
    imports.sort_by_key(|(module, _)| module.to_lowercase());
    imports
}

fn init_doc(api: &Api) -> String {
    let doc = api
        .docstring
        .clone()
        .unwrap_or_else(|| format!("Python bindings for {}.", api.crate_name));
    py_docstring(&doc, "")
}

pub fn init_py(plan: &Paths<'_>) -> askama::Result<String> {
    let api = plan.api;
    let lazy = !api.backends.is_empty();
    InitPy {
        header: header(api),
        docstring: init_doc(api),
        imports: init_imports(plan, !lazy),
        lazy: if lazy {
            plan.exports.native.iter().map(|n| py_str(n)).collect()
        } else {
            Vec::new()
        },
        native_path: py_str(&format!("{}.{}", api.package, api.native_module)),
        all: plan.exports.all().iter().map(|n| py_str(n)).collect(),
    }
    .render()
}

/// With backends: the package's stub, which names what `__getattr__` serves.
pub fn init_pyi(plan: &Paths<'_>) -> askama::Result<String> {
    let api = plan.api;
    InitPyi {
        header: header(api),
        docstring: init_doc(api),
        imports: init_imports(plan, true),
        all: plan.exports.all().iter().map(|n| py_str(n)).collect(),
    }
    .render()
}

struct BaseClass {
    name: String,
    docstring: String,
    nested: Vec<(String, String)>,
}

struct VariantClass {
    name: String,
    bases: String,
    docstring: String,
    /// `variant = "X"` for a class of one variant; `None` for a shared class.
    variant: Option<String>,
    init: Option<String>,
    /// Name of the positional message parameter of `__init__`.
    message: String,
    /// Lines giving the message its default where the class has fields.
    default_message: Vec<String>,
    assignments: Vec<String>,
    /// A tuple variant's class: its fields by index (`error[0]`).
    getitem: Vec<String>,
}

struct ErrorGroup {
    base: BaseClass,
    classes: Vec<VariantClass>,
}

#[derive(Template)]
#[template(path = "errors.py.txt", escape = "none")]
struct ErrorsPy<'a> {
    header: String,
    variant_attribute: &'a str,
    panic_class: &'a str,
    panic_docstring: String,
    panic_alias: Option<&'a str>,
    /// Classes of the native module that error fields hold, for annotations.
    native_imports: Vec<String>,
    /// The exception classes of interfaces thrown as errors.
    object_errors: Vec<String>,
    /// Other names of exception classes: `(alias, class, docstring)`.
    error_aliases: Vec<(String, String, String)>,
    docstring: String,
    imports: Vec<String>,
    all: Vec<String>,
    groups: Vec<ErrorGroup>,
    /// Some class takes its fields by position too (`_bindery_arguments`).
    uses_arguments: bool,
}

fn class_docstring(e: &ErrorType, class: &ErrorClass) -> String {
    let docs: Vec<String> = class
        .variants
        .iter()
        .map(|&vi| {
            let v = &e.variants[vi];
            v.docstring
                .clone()
                .unwrap_or_else(|| format!("The `{}` variant of `{}`.", v.name.udl, e.name.udl))
        })
        .collect();
    let text = if docs.len() == 1 {
        docs[0].clone()
    } else {
        let names: Vec<&str> = class
            .variants
            .iter()
            .map(|&vi| e.variants[vi].name.udl.as_str())
            .collect();
        format!(
            "Raised for the variants {} of `{}`.",
            names.join(", "),
            e.name.udl
        )
    };
    py_docstring(&text, "    ")
}

/// The types `errors.py` annotates: error fields, and the methods of
/// interfaces thrown as errors.
fn errors_py_types(api: &Api) -> Vec<&Type> {
    let members = api
        .objects
        .iter()
        .filter(|o| o.is_error)
        .flat_map(crate::model::Object::members);
    // A member with defaults forwards `*args, **kwargs`: only its return
    // type is spelled (`object_error_class`).
    let signatures = members.flat_map(|c| {
        let spelled = !c.arguments.iter().any(|a| a.default.is_some());
        let arguments = c.arguments.iter().filter(move |_| spelled);
        arguments.map(|a| &a.ty).chain(&c.returns)
    });
    api.error_field_types()
        .chain(signatures)
        .flat_map(Type::walk)
        .collect()
}

/// The imports of `errors.py` under `TYPE_CHECKING` (nothing native at run
/// time): the module itself as `_errors`, and what its annotations name.
fn errors_py_imports(plan: &Paths<'_>) -> Vec<String> {
    let api = plan.api;
    let types = errors_py_types(api);
    let names = api.native_classes(types.iter().copied());
    let object_errors = api.objects.iter().any(|o| o.is_error);
    // The module names its own classes in annotations: those of error
    // types and of interfaces thrown as errors; the panic class needs none.
    let mut modules = Vec::new();
    if !api.errors.is_empty() || object_errors {
        modules.push((api.errors_module.as_str(), "_errors"));
    }
    if object_errors || (plan.spelling.qualify_types && !names.is_empty()) {
        modules.push((api.native_module.as_str(), "_api"));
    }
    if types.iter().any(|t| names_listeners(t, api)) {
        modules.push((api.listeners_module.as_str(), "_listeners"));
    }
    // The module importing itself, for annotations.
    let mut imports =
        super::listeners::module_imports(4, &api.package, modules.into_iter(), Some("_errors"));
    if !names.is_empty() && !plan.spelling.qualify_types {
        let module = format!("{}.{}", api.package, api.native_module);
        imports.push(super::py_from_import(4, &module, &names, None));
    }
    imports
}

/// The exception class of an interface thrown as an error: it wraps the
/// Rust object (`_inner`), takes its `Display` text as the message, and
/// forwards the object's methods and constructors. A member with defaults
/// forwards `*args, **kwargs` (a `.py` file cannot spell the defaults the
/// native signature has).
fn object_error_class(plan: &Paths<'_>, o: &crate::model::Object) -> String {
    let api = plan.api;
    let name = &o.name.python;
    let native = format!("_api.{name}");
    let import = super::py_from_import(
        8,
        &api.package,
        &[crate::model::import_as(&api.native_module, "_native")],
        None,
    );
    let mut out = vec![format!("class {name}(_builtins.Exception):")];
    let doc = o
        .docstring
        .clone()
        .unwrap_or_else(|| format!("`{}`, a Rust object raised as an exception.", o.name.udl));
    out.push(format!("    {}", py_docstring(&doc, "    ")));
    out.push(String::new());
    out.push(format!("    _inner: {native}"));
    // One member: its signature, then a body that calls `call` with the arguments.
    let mut member = |c: &Callable, first: &str, def: &str, returns: String, body: &[String]| {
        // An `[Async]` constructor is an `async def` here (it awaits the
        // native one): its signature is spelled as a plain one's.
        let async_def = first == "cls" && c.is_async;
        let plain = Callable {
            is_async: false,
            ..c.clone()
        };
        let c = if async_def { &plain } else { c };
        let defaults = c.arguments.iter().any(|a| a.default.is_some());
        let (signature, args) = if defaults {
            let params = [
                first.to_string(),
                "*args: _typing.Any".to_string(),
                "**kwargs: _typing.Any".to_string(),
            ];
            let f = stub_def(def, &params, &coroutine(c, returns), None, "    ");
            (f.signature, "*args, **kwargs".to_string())
        } else {
            let f = stub_fn(plan, c, Some(first), def, returns, "    ");
            let names: Vec<&str> = c.arguments.iter().map(|a| a.name.python.as_str()).collect();
            (f.signature, names.join(", "))
        };
        out.push(String::new());
        if first == "cls" {
            out.push("    @_builtins.classmethod".into());
        }
        let signature = signature.trim_end_matches(" ...");
        for (k, line) in signature.lines().enumerate() {
            out.push(match k {
                0 if async_def => format!("    async {line}"),
                0 => format!("    {line}"),
                _ => line.to_string(),
            });
        }
        if let Some(d) = &c.docstring {
            out.push(format!("        {}", py_docstring(d, "        ")));
        }
        for line in body {
            out.push(if line.is_empty() {
                String::new()
            } else {
                format!("        {}", line.replace("{args}", &args))
            });
        }
    };
    if let Some(c) = &o.constructor {
        let body = [
            import.clone(),
            String::new(),
            format!("inner = _native.{name}({{args}})"),
            "_builtins.Exception.__init__(self, _builtins.str(inner))".to_string(),
            "self._inner = inner".to_string(),
        ];
        member(c, "self", "__init__", "None".into(), &body);
    }
    for c in &o.named_constructors {
        // An `[Async]` one is an `async def` that awaits the native one
        // and wraps what it gives.
        let awaited = if c.is_async { "await " } else { "" };
        let body = [
            import.clone(),
            String::new(),
            format!(
                "return cls._bindery_wrap({awaited}_native.{name}.{}({{args}}))",
                c.name.python
            ),
        ];
        member(c, "cls", &c.name.python, format!("_errors.{name}"), &body);
    }
    for m in &o.methods {
        // mypy refuses the value of a call that returns nothing.
        let call = format!("self._inner.{}({{args}})", m.name.python);
        // An async method's coroutine is returned whatever it gives.
        let body = [match m.returns {
            Some(_) => format!("return {call}"),
            None if m.is_async => format!("return {call}"),
            None => call,
        }];
        member(m, "self", &m.name.python, returns(m, plan.spelling), &body);
    }
    out.extend(object_error_tail(o, &native));
    out.join("\n")
}

/// The last members of an interface's exception class: its repr, and the
/// constructor of an exception around a native object.
fn object_error_tail(o: &crate::model::Object, native: &str) -> Vec<String> {
    let name = &o.name.python;
    let mut out = Vec::new();
    // `[Traits=(Debug)]`: the Rust `Debug` text, as the native class's repr.
    if o.traits.debug {
        out.extend([
            String::new(),
            "    def __repr__(self) -> _builtins.str:".into(),
            "        return _builtins.repr(self._inner)".into(),
        ]);
    }
    out.extend([
        String::new(),
        "    @_builtins.classmethod".into(),
        format!("    def _bindery_wrap(cls, inner: {native}) -> _errors.{name}:"),
        "        \"\"\"An exception wrapping `inner`, with its `Display` text as the message.\"\"\"".into(),
        "        error = cls.__new__(cls)".into(),
        "        _builtins.Exception.__init__(error, _builtins.str(inner))".into(),
        "        error._inner = inner".into(),
        "        return error".into(),
    ]);
    out
}

/// The class of one or more variants: its bases, its keyword constructor
/// and the attributes it sets.
fn variant_class(
    api: &Api,
    spelling: Spelling,
    e: &ErrorType,
    class: &ErrorClass,
    uses_datetime: &mut bool,
    uses_arguments: &mut bool,
) -> VariantClass {
    let mut bases = vec![e.base.clone()];
    bases.extend(class.bases.iter().map(|b| format!("_builtins.{b}")));
    let shared = class.variants.len() > 1;
    // The message is positional-only, so its name only has to avoid the fields'.
    let message = ["message", "msg", "text", "_message"]
        .into_iter()
        .find(|m| !class.fields.iter().any(|f| f.python == *m))
        .unwrap_or("_message");
    // Optional: a class built in Python as UniFFI's are (`E.V(field=...)`)
    // gets a message naming its fields.
    let mut params = vec![
        "self".to_string(),
        format!("{message}: {} | None = None", spelling.builtin("str")),
        "/".to_string(),
    ];
    let mut keyword = Vec::new();
    let mut assignments = Vec::new();
    if shared {
        let names: Vec<String> = class
            .variants
            .iter()
            .map(|&vi| py_str(&e.variants[vi].name.udl))
            .collect();
        keyword.push(format!(
            "{}: _typing.Literal[{}]",
            api.variant_attribute,
            names.join(", ")
        ));
        assignments.push(format!("self.{0} = {0}", api.variant_attribute));
    }
    for f in &class.fields {
        *uses_datetime |= types::uses_datetime(&f.ty);
        let annotation = types::python(&f.ty, spelling);
        if f.required {
            keyword.push(format!("{}: {annotation}", f.python));
        } else if matches!(f.ty, Type::Optional(_)) {
            keyword.push(format!("{}: {annotation} = None", f.python));
        } else {
            keyword.push(format!("{}: {annotation} | None = None", f.python));
        }
        assignments.push(format!("self.{0} = {0}", f.python));
    }
    let described: Vec<String> = (class.fields.iter())
        .map(|f| format!("f\"{0}={{{0}!r}}\"", f.python))
        .collect();
    let default_message = vec![
        format!("        if {message} is None:"),
        default_message_line(message, &described),
    ];
    let positional: Vec<String> = class
        .fields
        .iter()
        .map(|f| format!("{}: {}", f.python, types::python(&f.ty, spelling)))
        .collect();
    let init = (!keyword.is_empty()).then(|| {
        params.push("*".into());
        params.extend(keyword);
        if shared {
            return def_init(&params, "");
        }
        // UniFFI's spelling too: every field by position (`E.V(20)`).
        let mut by_position = vec!["self".to_string()];
        by_position.extend(positional);
        by_position.push("/".to_string());
        let any = "_typing.Any";
        let parts = [
            "    @_typing.overload".to_string(),
            def_init(&params, " ..."),
            String::new(),
            "    @_typing.overload".to_string(),
            def_init(&by_position, " ..."),
            String::new(),
            format!("    def __init__(self, *args: {any}, **fields: {any}) -> None:"),
        ];
        parts.join("\n")
    });
    let mut default_message = default_message;
    if !shared && !class.fields.is_empty() {
        *uses_arguments = true;
        default_message.insert(0, arguments_line(class, message));
    }
    let getitem = match shared {
        false => tuple_getitem(class, spelling),
        true => Vec::new(),
    };
    VariantClass {
        getitem,
        name: class.name.clone(),
        bases: bases.join(", "),
        docstring: class_docstring(e, class),
        variant: (!shared).then(|| py_str(&e.variants[class.variants[0]].name.udl)),
        default_message: if class.fields.is_empty() {
            Vec::new()
        } else {
            default_message
        },
        init,
        message: message.to_string(),
        assignments,
    }
}

/// `message, a, b = _bindery_arguments(...)`: the message and the fields
/// of a class whose fields come by position or by keyword.
fn arguments_line(class: &ErrorClass, message: &str) -> String {
    let names: Vec<String> = class.fields.iter().map(|f| py_str(&f.python)).collect();
    let optional: String = (class.fields.iter())
        .filter(|f| matches!(f.ty, Type::Optional(_)))
        .map(|f| format!("{},", py_str(&f.python)))
        .collect();
    let targets: Vec<&str> = std::iter::once(message)
        .chain(class.fields.iter().map(|f| f.python.as_str()))
        .collect();
    let call = format!(
        "_bindery_arguments({}, args, fields, ({},), ({optional}))",
        py_str(&class.name),
        names.join(", "),
    );
    format!("        {} = {call}", targets.join(", "))
}

/// A tuple variant's class: `__getitem__`, its fields by index.
fn tuple_getitem(class: &ErrorClass, spelling: Spelling) -> Vec<String> {
    if class.fields.is_empty() || !class.fields.iter().all(|f| f.positional) {
        return Vec::new();
    }
    let values: Vec<String> = class
        .fields
        .iter()
        .map(|f| format!("self.{},", f.python))
        .collect();
    vec![
        String::new(),
        format!(
            "    def __getitem__(self, index: {}) -> _typing.Any:",
            spelling.builtin("int")
        ),
        "        \"\"\"The fields by position, as UniFFI's tuple variants have them.\"\"\""
            .to_string(),
        format!("        return ({})[index]", values.join(" ")),
    ]
}

/// `def __init__(params) -> None:` and `tail`, on one line or one
/// parameter per line past 88 columns.
fn def_init(params: &[String], tail: &str) -> String {
    let one_line = format!("    def __init__({}) -> None:{tail}", params.join(", "));
    if one_line.len() <= 88 {
        one_line
    } else {
        let lines: Vec<String> = params.iter().map(|p| format!("        {p},\n")).collect();
        format!("    def __init__(\n{}    ) -> None:{tail}", lines.concat())
    }
}

/// `message = ...`, the fields described as `name=repr` joined by commas
/// (one line, or one field per line past 88 columns).
fn default_message_line(message: &str, described: &[String]) -> String {
    if let [only] = described {
        return format!("            {message} = {only}");
    }
    let one = format!(
        "            {message} = \", \".join([{}])",
        described.join(", ")
    );
    if one.len() <= 88 {
        return one;
    }
    let items: String = described
        .iter()
        .map(|d| format!("                    {d},\n"))
        .collect();
    format!("            {message} = \", \".join(\n                [\n{items}                ]\n            )")
}

pub fn errors_py(plan: &Paths<'_>) -> askama::Result<String> {
    let api = plan.api;
    let spelling = plan.spelling;
    let errors = &plan.exports.errors;
    let mut uses_datetime = false;
    let mut uses_arguments = false;
    let groups = api
        .errors
        .iter()
        .map(|e| {
            let base = BaseClass {
                name: e.base.clone(),
                docstring: py_docstring(
                    e.docstring
                        .as_deref()
                        .unwrap_or(&format!("Base class of every `{}` variant.", e.name.udl)),
                    "    ",
                ),
                nested: e
                    .variants
                    .iter()
                    .map(|v| (v.name.python.clone(), e.classes[v.class].name.clone()))
                    .collect(),
            };
            let classes = e
                .classes
                .iter()
                .map(|class| {
                    let uses = (&mut uses_datetime, &mut uses_arguments);
                    variant_class(api, spelling, e, class, uses.0, uses.1)
                })
                .collect();
            ErrorGroup { base, classes }
        })
        .collect();
    uses_datetime |= errors_py_types(api).iter().any(|t| types::uses_datetime(t));
    let mut imports = vec!["import builtins as _builtins".to_string()];
    if uses_datetime {
        imports.push("import datetime as _datetime".into());
    }
    imports.push("import typing as _typing".to_string());
    ErrorsPy {
        uses_arguments,
        header: header(api),
        variant_attribute: &api.variant_attribute,
        panic_class: &api.panic_class,
        panic_docstring: py_docstring(
            &format!(
                "A panic in the Rust code of {}: a bug there, not a usage error.\n\n\
                 Its message is the panic's. The interpreter and the objects keep working;\n\
                 what the panicking call did is not known.",
                api.package
            ),
            "    ",
        ),
        panic_alias: api.panic_alias.as_deref(),
        native_imports: errors_py_imports(plan),
        object_errors: api
            .objects
            .iter()
            .filter(|o| o.is_error)
            .map(|o| object_error_class(plan, o))
            .collect(),
        docstring: py_docstring(
            &format!(
                "Exceptions of {}. Pure Python: imports nothing native{}.",
                api.package,
                // The constructors of interfaces thrown as errors do, when called.
                if api.objects.iter().any(|o| o.is_error) {
                    " until a Rust object is constructed"
                } else {
                    ""
                }
            ),
            "",
        ),
        imports,
        error_aliases: (api.class_aliases.iter().enumerate())
            .filter(|(i, _)| api.class_alias_is_error(*i))
            .map(|(i, (alias, _))| {
                let class = api.class_alias_target(i);
                (
                    alias.clone(),
                    class.to_string(),
                    format!("UniFFI's name of `{class}`."),
                )
            })
            .chain(api.customs.iter().filter_map(|c| match c.builtin {
                Type::Error(e) => {
                    let class = &api.error(e).base;
                    let doc = format!("The custom type `{}`, thrown as `{class}`.", c.name.udl);
                    Some((c.name.python.clone(), class.clone(), doc))
                }
                _ => None,
            }))
            .map(|(alias, class, doc)| (alias, class, py_docstring(&doc, "")))
            .collect(),
        all: {
            let mut all = errors.clone();
            crate::plan::sort_all(&mut all);
            all.iter().map(|n| py_str(n)).collect()
        },
        groups,
    }
    .render()
}

struct StubFn {
    decorators: Vec<String>,
    signature: String,
    docstring: Option<String>,
}

struct StubClass {
    name: String,
    /// `@final`, or nothing for a class its variants subclass.
    decorator: String,
    docstring: Option<String>,
    /// Class-level lines before the methods (fields, members), indented.
    attributes: Vec<String>,
    members: Vec<StubFn>,
    /// Class-level lines after the methods (comparison dunders), indented.
    dunders: Vec<String>,
}

#[derive(Template)]
#[template(path = "native.pyi.txt", escape = "none")]
struct NativePyi {
    header: String,
    imports: Vec<String>,
    all: Vec<String>,
    /// `Label: TypeAlias = str`: custom types, as UniFFI names them.
    aliases: Vec<String>,
    classes: Vec<StubClass>,
    functions: Vec<StubFn>,
    /// UniFFI's spellings of class names (`XyzEnum = XYZEnum`), after the
    /// classes they name: before them, a name such as `print` would still
    /// be the builtin's.
    class_aliases: Vec<String>,
}

fn stub_fn(
    paths: &Paths<'_>,
    c: &Callable,
    first: Option<&str>,
    name: &str,
    returns: String,
    indent: &str,
) -> StubFn {
    let spelling = paths.spelling;
    let names: Vec<&str> = c.arguments.iter().map(|a| a.name.python.as_str()).collect();
    let mut params: Vec<String> = first.map(|f| receiver(f, &names)).into_iter().collect();
    // A `bytes` argument takes any of the buffers the conversion accepts.
    let buffer = || {
        ["bytes", "bytearray", "memoryview"]
            .map(|b| spelling.builtin(b))
            .join(" | ")
    };
    for a in &c.arguments {
        let annotation = match &a.ty {
            Type::Bytes => buffer(),
            Type::Optional(inner) if **inner == Type::Bytes => format!("{} | None", buffer()),
            ty => types::python(ty, spelling),
        };
        params.push(match &a.default {
            Some(d) => format!(
                "{}: {annotation} = {}",
                a.name.python,
                types::default(d, &a.ty, paths).0
            ),
            None => format!("{}: {annotation}", a.name.python),
        });
    }
    let types = c.arguments.iter().map(|a| &a.ty);
    let docstring = with_timestamp_rule(paths.api, c.docstring.as_deref(), types);
    let docstring = with_backends(docstring, &c.backends);
    stub_def(
        name,
        &params,
        &coroutine(c, returns),
        docstring.as_deref(),
        indent,
    )
}

/// What a call returns in Python: `returns`, or for an `[Async]` call the
/// coroutine giving it (a native function returning a coroutine: `async
/// def` would fail stubtest).
fn coroutine(c: &Callable, returns: String) -> String {
    if c.is_async {
        format!("_typing.Coroutine[_typing.Any, _typing.Any, {returns}]")
    } else {
        returns
    }
}

/// `docstring`, plus which backends implement a `[backend-only]` call.
fn with_backends(docstring: Option<String>, backends: &[String]) -> Option<String> {
    if backends.is_empty() {
        return docstring;
    }
    let which = match backends {
        [one] => format!("the {one} backend implements"),
        _ => format!("the backends {} implement", backends.join(", ")),
    };
    let note = format!("Only {which} it: the others raise `NotImplementedError`.");
    Some(match docstring {
        Some(doc) => format!("{}\n\n{note}", doc.trim_end()),
        None => note,
    })
}

/// `docstring`, plus the rule for timestamps when one of `types` holds one.
fn with_timestamp_rule<'t>(
    api: &Api,
    docstring: Option<&str>,
    mut types: impl Iterator<Item = &'t Type>,
) -> Option<String> {
    const RULE: &str = "A `timestamp` must be an aware datetime (with a `tzinfo`): \
                        a naive one is a `TypeError`.";
    fn holds(t: &Type, api: &Api) -> bool {
        t.walk().into_iter().any(|t| match t {
            Type::Timestamp => true,
            Type::Custom(id) => {
                api.custom(*id).python.is_none() && holds(&api.custom(*id).builtin, api)
            }
            _ => false,
        })
    }
    if !types.any(|t| holds(t, api)) {
        return docstring.map(str::to_string);
    }
    Some(match docstring {
        Some(doc) => format!("{}\n\n{RULE}", doc.trim_end()),
        None => RULE.to_string(),
    })
}

/// `def name(params) -> returns: ...`, wrapped as black would, and its docstring.
fn stub_def(
    name: &str,
    params: &[String],
    returns: &str,
    docstring: Option<&str>,
    indent: &str,
) -> StubFn {
    let one_line = format!(
        "{indent}def {name}({}) -> {returns}: ...",
        params.join(", ")
    );
    let signature = if one_line.len() <= 88 {
        one_line.trim_start().to_string()
    } else {
        let lines: Vec<String> = params
            .iter()
            .map(|p| format!("{indent}    {p},\n"))
            .collect();
        format!("def {name}(\n{}{indent}) -> {returns}: ...", lines.concat())
    };
    let body_indent = format!("{indent}    ");
    StubFn {
        decorators: Vec::new(),
        signature: if docstring.is_some() {
            signature.trim_end_matches(" ...").to_string()
        } else {
            signature
        },
        docstring: docstring.map(|d| py_docstring(d, &body_indent)),
    }
}

/// Comparison dunders of a class: `__eq__`, `__ne__`, then `__hash__`
/// (or `__hash__ = None` when the class is unhashable).
fn eq_dunders(spelling: Spelling, hashable: bool) -> Vec<String> {
    let (object, bool) = (spelling.builtin("object"), spelling.builtin("bool"));
    let hash = if hashable {
        format!("def __hash__(self) -> {}: ...", spelling.builtin("int"))
    } else {
        "__hash__: _typing.ClassVar[None]  # type: ignore[assignment]".to_string()
    };
    vec![
        format!("def __eq__(self, other: {object}, /) -> {bool}: ..."),
        format!("def __ne__(self, other: {object}, /) -> {bool}: ..."),
        hash,
    ]
}

/// The comparison dunders of a class and the orderings `Ord` adds,
/// indented for a class body.
fn class_dunders(
    spelling: Spelling,
    class: &str,
    hashable: bool,
    traits: crate::model::Traits,
) -> Vec<String> {
    // `__str__` (`Display`) and `__repr__` (`Debug`) keep `object`'s
    // signatures, which stubs leave out (ruff PYI029).
    let mut out = eq_dunders(spelling, hashable);
    if traits.ord {
        let (class, bool) = (spelling.class(class), spelling.builtin("bool"));
        for op in ["lt", "le", "gt", "ge"] {
            out.push(format!(
                "def __{op}__(self, other: {class}, /) -> {bool}: ..."
            ));
        }
    }
    out.iter().map(|l| format!("    {l}")).collect()
}

/// The name of a stub method's first parameter: `cls` or `self`, unless the
/// method has a parameter of that name.
fn receiver(first: &str, params: &[&str]) -> String {
    if params.contains(&first) {
        format!("_{first}")
    } else {
        first.to_string()
    }
}

fn attribute_lines(name: &str, annotation: &str, docstring: Option<&str>) -> Vec<String> {
    let mut lines = vec![format!("    {name}: {annotation}")];
    if let Some(doc) = docstring {
        lines.push(format!("    {}", py_docstring(doc, "    ")));
    }
    lines
}

fn record_stub(paths: &Paths<'_>, r: &crate::model::Record) -> StubClass {
    let spelling = paths.spelling;
    let mut attributes = Vec::new();
    let fields: Vec<&str> = r.fields.iter().map(|f| f.name.python.as_str()).collect();
    let mut params = vec![receiver("cls", &fields), "*".to_string()];
    for f in &r.fields {
        let annotation = types::python(&f.ty, spelling);
        attributes.extend(attribute_lines(
            &f.name.python,
            &annotation,
            f.docstring.as_deref(),
        ));
        // A held field's default is built by a call (`bindery_default`),
        // which PyO3 spells `...`: so does the stub, `null` included.
        let held = super::records::held(&f.ty, paths.api);
        params.push(match &f.default {
            Some(_) if held => format!("{}: {annotation} = ...", f.name.python),
            Some(d) => format!(
                "{}: {annotation} = {}",
                f.name.python,
                types::default(d, &f.ty, paths).0
            ),
            None => format!("{}: {annotation}", f.name.python),
        });
    }
    if r.fields.is_empty() {
        params.pop();
    }
    StubClass {
        name: r.name.python.clone(),
        decorator: "@_typing.final".into(),
        docstring: r.docstring.as_deref().map(|d| py_docstring(d, "    ")),
        attributes,
        members: vec![
            stub_def(
                "__new__",
                &params,
                &spelling.class(&r.name.python),
                with_timestamp_rule(paths.api, None, r.fields.iter().map(|f| &f.ty)).as_deref(),
                "    ",
            ),
            // `copy.replace` (3.13) type-checks through it.
            stub_def(
                "__replace__",
                &["self".to_string(), "**_changes: _typing.Any".to_string()],
                &spelling.class(&r.name.python),
                None,
                "    ",
            ),
        ]
        .into_iter()
        .chain(method_stubs(paths, &r.methods))
        .collect(),
        dunders: class_dunders(spelling, &r.name.python, r.traits.hash, r.traits),
    }
}

/// A flat enum is one class with a class attribute per member; an enum with
/// fields is a base class with a nested final class per variant.
fn enum_stub(paths: &Paths<'_>, e: &crate::model::Enum) -> Vec<StubClass> {
    let spelling = paths.spelling;
    let name = e.name.python.clone();
    // A flat enum's class is `_enums.py`'s, which the stub imports.
    if e.flat {
        return Vec::new();
    }
    let mut attributes = Vec::new();
    for v in &e.variants {
        let variant = &v.name.python;
        attributes.push("    @_typing.final".to_string());
        // Qualified where a variant shares the enum's name (`Http.Http`):
        // in the class body, the bare name would be the variant itself.
        attributes.push(format!("    class {variant}({}):", spelling.class(&name)));
        if let Some(doc) = &v.docstring {
            attributes.push(format!("        {}", py_docstring(doc, "        ")));
        }
        let fields: Vec<String> = v.fields.iter().map(|f| py_str(&f.name.python)).collect();
        let match_args = match fields.as_slice() {
            [] => "()".to_string(),
            [one] => format!("({one},)"),
            many => format!("({})", many.join(", ")),
        };
        attributes.push(format!("        __match_args__ = {match_args}"));
        let names: Vec<&str> = v.fields.iter().map(|f| f.name.python.as_str()).collect();
        let mut params = vec![receiver("cls", &names)];
        // Defaults as the glue's constructor has them (named variants).
        let keyword_only = (!v.is_tuple()).then(|| v.keyword_only_from()).flatten();
        for (i, f) in v.fields.iter().enumerate() {
            if keyword_only == Some(i) {
                params.push("*".to_string());
            }
            let annotation = types::python(&f.ty, spelling);
            params.push(match &f.default {
                Some(_) if !v.is_tuple() => format!("{}: {annotation} = ...", f.name.python),
                _ => format!("{}: {annotation}", f.name.python),
            });
        }
        let new = stub_def(
            "__new__",
            &params,
            &format!("{}.{variant}", spelling.class(&name)),
            None,
            "        ",
        );
        attributes.push(format!("        {}", new.signature));
        for f in &v.fields {
            attributes.push(format!("        @{}", spelling.builtin("property")));
            attributes.push(format!(
                "        def {}(self) -> {}: ...",
                f.name.python,
                types::python(&f.ty, spelling)
            ));
        }
        if v.is_tuple() {
            attributes.extend(tuple_access(&v.fields, spelling));
        }
    }
    let uniffi = crate::plan::uniffi_spellings(e);
    for (alias, variant) in &uniffi.aliases {
        let target = if spelling.qualify_types {
            format!("{}.{variant}", spelling.class(&name))
        } else {
            variant.to_string()
        };
        attributes.push(format!("    {alias}: _typing.TypeAlias = {target}"));
    }
    let mut dunders = class_dunders(spelling, &e.name.python, e.traits.hash, e.traits);
    for (test, _) in &uniffi.tests {
        dunders.push(format!(
            "    def {test}(self) -> {}: ...",
            spelling.builtin("bool")
        ));
    }
    vec![StubClass {
        name,
        decorator: "@_typing_extensions.disjoint_base".into(),
        docstring: e.docstring.as_deref().map(|d| py_docstring(d, "    ")),
        attributes,
        members: method_stubs(paths, &e.methods),
        dunders,
    }]
}

/// A tuple variant's fields by index (`v[0]`), as UniFFI's Python has them.
fn tuple_access(fields: &[crate::model::Field], spelling: Spelling) -> Vec<String> {
    let mut types: Vec<String> = Vec::new();
    for f in fields {
        let ty = types::python(&f.ty, spelling);
        if !types.contains(&ty) {
            types.push(ty);
        }
    }
    let int = spelling.builtin("int");
    vec![
        format!("        def __len__(self) -> {int}: ..."),
        format!(
            "        def __getitem__(self, key: {int}, /) -> {}: ...",
            types.join(" | ")
        ),
    ]
}

fn returns(c: &Callable, spelling: Spelling) -> String {
    c.returns
        .as_ref()
        .map_or_else(|| "None".to_string(), |t| types::python(t, spelling))
}

pub fn native_pyi(plan: &Paths<'_>) -> askama::Result<String> {
    let api = plan.api;
    let objects = api.objects.iter().map(|o| object_stub(plan, o));
    let records = api.records.iter().map(|r| record_stub(plan, r));
    let enums = api.enums.iter().flat_map(|e| enum_stub(plan, e));
    // Records, then enums, then objects, as the glue defines them.
    let classes: Vec<StubClass> = records.chain(enums).chain(objects).collect();
    let mut functions: Vec<StubFn> = api
        .functions
        .iter()
        .map(|f| stub_fn(plan, f, None, &f.name.python, returns(f, plan.spelling), ""))
        .collect();
    functions.extend(own_function_stubs(plan));
    // The helpers `_enums.py` calls for a flat enum's `[Traits]`.
    for e in api.enums.iter().filter(|e| e.flat) {
        let class = plan.spelling.class(&e.name.python);
        for (kind, _, _) in super::data::flat_trait_helpers(e) {
            let (params, returns) = if kind == "cmp" {
                (format!("value: {class}, other: {class}"), "int")
            } else {
                (format!("value: {class}"), "str")
            };
            functions.push(StubFn {
                decorators: Vec::new(),
                signature: format!(
                    "def _bindery_{kind}_{}({params}) -> {}: ...",
                    e.name.python,
                    plan.spelling.builtin(returns)
                ),
                docstring: None,
            });
        }
    }
    functions.extend(member_function_stubs(plan));
    // The native classes of interfaces thrown as errors are the native
    // module's too; the package exports their exception classes instead.
    let mut all = plan.exports.native.clone();
    if !api.backends.is_empty() {
        all.push("__version__".to_string());
    }
    all.extend(
        api.objects
            .iter()
            .filter(|o| o.is_error)
            .map(|o| o.name.python.clone()),
    );
    crate::plan::sort_all(&mut all);
    let all = all.iter().map(|n| py_str(n)).collect();
    // A backend's native module carries the version the dispatcher checks.
    let version = (!api.backends.is_empty()).then(|| "__version__: str".to_string());
    let mut stub = NativePyi {
        header: header(api),
        imports: stub_imports(plan),
        all,
        aliases: version
            .into_iter()
            .chain(api.native_customs().map(|c| {
                let builtin = match &c.python {
                    Some(p) => format!("{}.{}", module_alias(&p.class.module), p.class.qualname),
                    None => types::python(&c.builtin, plan.spelling),
                };
                let name = &c.name.python;
                // The UDL chose the name; ruff wants aliases in CamelCase.
                let camel =
                    name.starts_with(|c: char| c.is_ascii_uppercase()) && !name.contains('_');
                let noqa = if camel { "" } else { "  # noqa: PYI042" };
                format!("{name}: _typing.TypeAlias = {builtin}{noqa}")
            }))
            .chain(api.enums.iter().filter(|e| !e.flat).map(|e| {
                let alias = crate::model::variant_alias(&e.name.python);
                format!(
                    "{alias}: _typing.TypeAlias = {}",
                    variant_union(e, plan.spelling)
                )
            }))
            .collect(),
        classes,
        functions,
        class_aliases: (api.class_aliases.iter().enumerate())
            .filter(|(i, _)| !api.class_alias_is_error(*i))
            .map(|(i, (alias, _))| format!("{alias} = {}", api.class_alias_target(i)))
            .collect(),
    };
    // A module is imported because the stub uses it: rendered once with
    // every candidate, then without the private aliases it never spells.
    let text = stub.render()?;
    stub.imports = used_imports(&stub.imports, &text);
    stub.render()
}

/// `imports` without the `import m as _alias` (or `from p import m as
/// _alias`) lines whose alias `text` never uses, and without the blank
/// lines that would leave doubled or at an end.
fn used_imports(imports: &[String], text: &str) -> Vec<String> {
    let kept = imports.iter().filter(|line| {
        // One alias per statement, on one line or wrapped (`x as _y,`).
        let alias = line
            .split("  #")
            .next()
            .and_then(|l| l.rsplit_once(" as "))
            .and_then(|(_, alias)| {
                alias
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .find(|word| !word.is_empty())
            });
        match alias {
            Some(alias) if alias.starts_with('_') => text.contains(&format!("{alias}.")),
            _ => true,
        }
    });
    let mut out: Vec<String> = Vec::new();
    for line in kept {
        if line.is_empty() && out.last().is_none_or(String::is_empty) {
            continue;
        }
        out.push(line.clone());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// `Enum.A | Enum.B`: the union of an enum's variant classes.
pub fn variant_union(e: &crate::model::Enum, spelling: Spelling) -> String {
    let class = spelling.class(&e.name.python);
    let variants: Vec<String> = e
        .variants
        .iter()
        .map(|v| format!("{class}.{}", v.name.python))
        .collect();
    variants.join(" | ")
}

/// The stubs of the functions the package defines itself: `flush_events`
/// (queued listener methods) and `uniffi_set_event_loop` (`[Async]`
/// callback methods).
fn own_function_stubs(plan: &Paths<'_>) -> Vec<StubFn> {
    let mut out = Vec::new();
    if plan.api.has_queued() {
        let timeout = format!("timeout: {} | None = None", plan.spelling.builtin("float"));
        out.push(stub_def(
            crate::model::FLUSH_EVENTS,
            &[timeout],
            &plan.spelling.builtin("bool"),
            Some(
                "Waits until every listener event queued before the call was delivered:\n\
                 `True`, or `False` when `timeout` seconds passed first. From inside a\n\
                 listener method, delivers them before returning.",
            ),
            "",
        ));
    }
    if plan.api.awaits_python() {
        out.push(stub_def(
            crate::model::SET_EVENT_LOOP,
            &["eventloop: _asyncio.AbstractEventLoop | None".to_string()],
            "None",
            Some(
                "Sets the event loop the coroutines of `[Async]` callback methods run on,\n\
                 whichever thread Rust calls them from (UniFFI's name); `None` goes back\n\
                 to the loop running where each object was passed to Rust.",
            ),
            "",
        ));
    }
    out
}

/// The stubs of the functions behind flat enums' methods, which take the
/// member first.
fn member_function_stubs(plan: &Paths<'_>) -> Vec<StubFn> {
    let mut functions = Vec::new();
    for (i, e) in plan.api.enums.iter().enumerate().filter(|(_, e)| e.flat) {
        for c in &e.methods {
            let member = crate::model::Argument {
                name: crate::model::Name {
                    udl: "_self".to_string(),
                    python: "_self".to_string(),
                    rust: "_self".to_string(),
                },
                ty: Type::Enum(crate::model::EnumId(i)),
                by_ref: false,
                default: None,
            };
            let mut function = c.clone();
            function.arguments.insert(0, member);
            let name = crate::model::member_function(&e.name.python, &c.name.python);
            functions.push(stub_fn(
                plan,
                &function,
                None,
                &name,
                returns(c, plan.spelling),
                "",
            ));
        }
    }
    functions
}

/// The stubs of methods (of an interface, a record or an enum).
fn method_stubs(paths: &Paths<'_>, methods: &[Callable]) -> Vec<StubFn> {
    methods
        .iter()
        .map(|m| {
            stub_fn(
                paths,
                m,
                Some("self"),
                &m.name.python,
                returns(m, paths.spelling),
                "    ",
            )
        })
        .collect()
}

/// The stub of an interface: constructors, methods and comparison.
fn object_stub(paths: &Paths<'_>, o: &crate::model::Object) -> StubClass {
    let mut members = Vec::new();
    if let Some(c) = &o.constructor {
        members.push(stub_fn(
            paths,
            c,
            Some("cls"),
            "__new__",
            paths.spelling.class(&o.name.python),
            "    ",
        ));
    }
    for c in &o.named_constructors {
        let mut f = stub_fn(
            paths,
            c,
            Some("cls"),
            &c.name.python,
            paths.spelling.class(&o.name.python),
            "    ",
        );
        f.decorators
            .push(format!("@{}", paths.spelling.builtin("classmethod")));
        members.push(f);
    }
    members.extend(method_stubs(paths, &o.methods));
    let mut dunders = class_dunders(
        paths.spelling,
        &o.name.python,
        !o.traits.eq || o.traits.hash,
        o.traits,
    );
    if o.context_exit.is_some() {
        let b = |name: &str| paths.spelling.builtin(name);
        let exception = b("BaseException");
        dunders.push("    def __enter__(self) -> _typing.Self: ...".to_string());
        dunders.push(format!(
            "    def __exit__(self, kind: {}[{exception}] | None, error: {exception} | None, traceback: _types.TracebackType | None, /) -> None: ...",
            b("type")
        ));
    }
    StubClass {
        name: o.name.python.clone(),
        // Python subclasses of a `[Trait, WithForeign]` class implement it;
        // its instance layout is its own (stubtest checks it).
        decorator: if o.subclassable() {
            "@_typing_extensions.disjoint_base".into()
        } else {
            "@_typing.final".into()
        },
        docstring: o.docstring.as_deref().map(|d| py_docstring(d, "    ")),
        attributes: Vec::new(),
        members,
        dunders,
    }
}

/// The types the stub annotates: of signatures, record fields and enum
/// variant fields, nested ones included.
fn stub_types(api: &Api) -> Vec<&Type> {
    let signatures = api.callables().flat_map(Callable::types);
    signatures
        .chain(api.record_field_types())
        .chain(api.variant_field_types())
        .flat_map(Type::walk)
        .collect()
}

/// Whether the annotation of `ty` (not nested) names a class of the
/// exception module: an error type, or an interface thrown as an error.
pub fn names_errors(ty: &Type, api: &Api) -> bool {
    match ty {
        Type::Error(_) => true,
        Type::Object(id) => api.object(*id).is_error,
        _ => false,
    }
}

/// Whether the annotation of `ty` (not nested) names a class of the
/// listener module: a callback interface, or a `[Trait, WithForeign]`
/// interface's Protocol.
pub fn names_listeners(ty: &Type, api: &Api) -> bool {
    match ty {
        Type::Callback(_) => true,
        Type::Object(id) => api.object(*id).foreign.is_some(),
        _ => false,
    }
}

/// The modules of custom types' configured Python classes.
pub fn converter_modules(api: &Api) -> Vec<String> {
    let mut modules: Vec<String> = api
        .customs
        .iter()
        .filter_map(|c| c.python.as_ref())
        .map(|p| p.class.module.clone())
        .collect();
    modules.sort();
    modules.dedup();
    modules
}

/// The private name the stub imports a module as: `_` and its dotted name
/// with `_` (`_urllib_parse`, `_typing`).
pub fn module_alias(module: &str) -> String {
    format!("_{}", module.replace('.', "_"))
}

/// The stub's imports, each under a private alias, in isort's groups.
fn stub_imports(paths: &Paths<'_>) -> Vec<String> {
    let api = paths.api;
    let mut imports = Vec::new();
    // Standard modules, then third-party ones, each block by module name;
    // the modules of custom types' Python classes go where they belong.
    let (mut standard, mut third_party): (Vec<String>, Vec<String>) = converter_modules(api)
        .into_iter()
        .partition(|m| names::is_stdlib(m));
    if paths.spelling.qualify {
        standard.push("builtins".into());
    }
    // `uniffi_set_event_loop` takes a loop.
    if api.awaits_python() {
        standard.push("asyncio".into());
    }
    let stubbed = stub_types(api);
    if stubbed.iter().any(|t| types::uses_datetime(t))
        || api
            .customs
            .iter()
            .any(|c| c.python.is_none() && types::uses_datetime(&c.builtin))
    {
        standard.push("datetime".into());
    }
    // What the stub's annotations and decorators use `_typing` for: classes
    // (`final`, `Self`, `TypeAlias`), aliases, and coroutines' `Coroutine`.
    if api
        .objects
        .iter()
        .any(|o| !o.subclassable() || o.context_exit.is_some())
        || !api.records.is_empty()
        || api.enums.iter().any(|e| !e.flat)
        || api.native_customs().next().is_some()
        || api.has_async_calls()
    {
        standard.push("typing".into());
    }
    if api.enums.iter().any(|e| !e.flat) || api.objects.iter().any(|o| o.subclassable()) {
        third_party.push("typing_extensions".to_string());
    }
    if api.objects.iter().any(|o| o.context_exit.is_some()) {
        standard.push("types".to_string());
    }
    let flat: Vec<&str> = api
        .enums
        .iter()
        .filter(|e| e.flat)
        .map(|e| e.name.python.as_str())
        .collect();
    for (k, block) in [standard, third_party].iter_mut().enumerate() {
        block.sort();
        block.dedup();
        if k > 0 && !block.is_empty() {
            imports.push(String::new());
        }
        for module in block.iter() {
            imports.push(format!("import {module} as {}", module_alias(module)));
        }
    }
    let errors = stubbed.iter().any(|t| names_errors(t, api));
    let listeners = stubbed.iter().any(|t| names_listeners(t, api));
    // One block of first-party imports, as isort groups and orders them.
    let mut own: Vec<(String, Option<&str>)> = Vec::new();
    if paths.spelling.qualify_types {
        let name = format!("{} as _api", api.native_module);
        own.push((name, Some("# noqa: PLW0406")));
    }
    if errors {
        own.push((format!("{} as _errors", api.errors_module), None));
    }
    if listeners {
        own.push((format!("{} as _listeners", api.listeners_module), None));
    }
    if !own.is_empty() {
        imports.push(String::new());
    }
    imports.extend(super::py_package_imports(0, &api.package, &own));
    // The flat enums are re-exported: the native module names them too.
    if !flat.is_empty() {
        if own.is_empty() {
            imports.push(String::new());
        }
        // ruff's isort keeps each aliased import on its own line.
        let mut names: Vec<String> = flat.iter().map(|n| n.to_string()).collect();
        crate::plan::sort_isort(&mut names);
        let module = format!("{}.{}", api.package, names::ENUMS_MODULE);
        for n in names {
            imports.push(super::py_from_import(
                0,
                &module,
                &[format!("{n} as {n}")],
                None,
            ));
        }
    }
    imports
}

struct Case {
    id: String,
    error: String,
    variant: String,
    attribute: String,
    class: String,
    base: String,
    bases: String,
    fields: String,
}

#[derive(Template)]
#[template(path = "test_errors.py.txt", escape = "none")]
struct ErrorsTest<'a> {
    /// The test of the panic class, if calls can panic.
    panic_test: String,
    header: String,
    variant_attribute: &'a str,
    imports: Vec<String>,
    cases: Vec<Case>,
}

/// A skipped test naming the variants the hook has no sample of (a field
/// holds a class), so a test run shows what it does not cover.
fn unsampled_test(api: &Api) -> String {
    let unsampled: Vec<String> = api
        .errors
        .iter()
        .flat_map(|e| e.variants.iter().map(move |v| (e, v)))
        .filter(|(_, v)| !v.fields.iter().all(|f| f.ty.has_sample()))
        .map(|(e, v)| format!("    {},", py_str(&format!("{}.{}", e.name.udl, v.name.udl))))
        .collect();
    if unsampled.is_empty() {
        return String::new();
    }
    let mut lines = vec!["@pytest.mark.parametrize(\"variant\", [".to_string()];
    lines.extend(unsampled);
    lines.extend([
        "])".to_string(),
        "def test_variants_without_samples_are_named(variant: str) -> None:".to_string(),
        "    pytest.skip(f\"{variant} is not sampled: one of its fields holds a class\")"
            .to_string(),
        "\n\n".to_string(),
    ]);
    lines.join("\n")
}

/// A test that a panic in a call raises the package's panic class.
/// The test hooks, read from the native module: they exist in a build with
/// the `bindery-test-hooks` feature only, so without them the module's
/// tests are skipped, saying why.
pub fn hook_lines(hooks: &[&str]) -> Vec<String> {
    let mut lines = vec![
        String::new(),
        "# The hooks exist in a build with the `bindery-test-hooks` feature only.".to_string(),
    ];
    for hook in hooks {
        lines.push(format!(
            "{hook}: typing.Any = getattr(_native, {}, None)",
            py_str(hook)
        ));
    }
    lines.extend([
        "pytestmark = pytest.mark.skipif(".to_string(),
        format!(
            "    {} is None, reason=\"built without the bindery-test-hooks feature\"",
            hooks[0]
        ),
        ")".to_string(),
    ]);
    lines
}

fn panic_test(api: &Api) -> String {
    let class = &api.panic_class;
    let mut lines = vec![
        "def test_a_panic_raises_the_panic_class() -> None:".to_string(),
        format!("    with pytest.raises(errors.{class}, match=\"sample panic\") as raised:"),
        "        _bindery_sample_panic(\"sample panic\")".to_string(),
        "    # Unlike PyO3's PanicException, `except Exception` catches it.".to_string(),
        "    assert isinstance(raised.value, Exception)".to_string(),
        "    assert raised.value.args == (\"sample panic\",)".to_string(),
        "    clone = pickle.loads(pickle.dumps(raised.value))".to_string(),
        format!("    assert type(clone) is errors.{class}"),
        "    assert str(clone) == \"sample panic\"".to_string(),
    ];
    if let Some(alias) = &api.panic_alias {
        lines.push(format!("    assert errors.{alias} is errors.{class}"));
    }
    lines.push("\n\n".to_string());
    lines.join("\n")
}

pub fn errors_test(plan: &Paths<'_>) -> askama::Result<String> {
    let api = plan.api;
    let mut uses_datetime = false;
    let cases: Vec<Case> = api
        .errors
        .iter()
        .flat_map(|e| e.variants.iter().map(move |v| (e, v)))
        .filter(|(_, v)| v.fields.iter().all(|f| f.ty.has_sample()))
        .map(|(e, v)| {
            let class = &e.classes[v.class];
            let fields: Vec<String> = if e.flat {
                Vec::new()
            } else {
                v.fields
                    .iter()
                    .map(|f| {
                        uses_datetime |= types::uses_datetime(&f.ty);
                        format!(
                            "{}: {}",
                            py_str(&f.name.python),
                            types::sample(&f.ty, &f.name.udl).1
                        )
                    })
                    .collect()
            };
            let bases: Vec<String> = class
                .bases
                .iter()
                .map(|b| format!("_builtins.{b}, "))
                .collect();
            Case {
                id: py_str(&format!("{}.{}", e.name.udl, v.name.udl)),
                error: py_str(&e.name.udl),
                variant: py_str(&v.name.udl),
                attribute: py_str(&v.name.python),
                class: format!("errors.{}", class.name),
                base: format!("errors.{}", e.base),
                bases: format!("({})", bases.concat().trim_end()),
                fields: format!("{{{}}}", fields.join(", ")),
            }
        })
        .collect();
    let mut imports = Vec::new();
    if cases.iter().any(|c| c.bases != "()") {
        imports.push("import builtins as _builtins".to_string());
    }
    if uses_datetime {
        imports.push("import datetime as _datetime".into());
    }
    let panic = plan.panic_slot.is_some();
    if !cases.is_empty() || panic {
        imports.push("import pickle".into());
    }
    imports.push("import typing".into());
    imports.push(String::new());
    imports.push("import pytest".into());
    imports.push(String::new());
    let errors = (!cases.is_empty() || panic).then_some((api.errors_module.as_str(), "errors"));
    let modules = errors
        .into_iter()
        .chain([(api.native_module.as_str(), "_native")]);
    imports.extend(super::listeners::module_imports(
        0,
        &api.package,
        modules,
        None,
    ));
    imports.extend(hook_lines(if panic {
        &["_bindery_sample_error", "_bindery_sample_panic"]
    } else {
        &["_bindery_sample_error"]
    }));
    imports.push(String::new());
    if cases.is_empty() {
        imports.push(String::new());
    }
    ErrorsTest {
        panic_test: if panic {
            panic_test(api)
        } else {
            String::new()
        } + &unsampled_test(api),
        variant_attribute: &api.variant_attribute,
        header: header(api),
        imports,
        cases,
    }
    .render()
}

#[derive(Template)]
#[template(path = "test_exports.py.txt", escape = "none")]
struct ExportsTest<'a> {
    header: String,
    package: &'a str,
    /// The exception module, imported as `errors`, and its name.
    errors_import: String,
    errors_module: String,
    native_module: &'a str,
    errors: Vec<String>,
    native: Vec<String>,
    listeners: Vec<String>,
    /// The dispatcher's functions (a package with backends).
    dispatcher: Vec<String>,
    /// The pure-Python modules of the package.
    pure: Vec<String>,
}

pub fn exports_test(plan: &Paths<'_>) -> askama::Result<String> {
    let api = plan.api;
    let Exports {
        errors,
        native,
        listeners,
        dispatcher,
    } = plan.exports.clone();
    let mut pure = vec![api.errors_module.as_str()];
    if !api.callbacks.is_empty() {
        pure.push(&api.listeners_module);
    }
    ExportsTest {
        errors_import: super::py_from_import(
            0,
            &api.package,
            &[crate::model::import_as(&api.errors_module, "errors")],
            None,
        ),
        errors_module: py_str(&api.errors_module),
        listeners: listeners.iter().map(|n| py_str(n)).collect(),
        dispatcher: dispatcher.iter().map(|n| py_str(n)).collect(),
        pure: pure.iter().map(|n| py_str(n)).collect(),
        header: header(api),
        package: &api.package,
        native_module: &api.native_module,
        errors: errors.iter().map(|n| py_str(n)).collect(),
        native: native.iter().map(|n| py_str(n)).collect(),
    }
    .render()
}

#[cfg(test)]
mod used_imports_tests {
    use super::used_imports;

    fn lines(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn an_import_wrapped_for_a_long_package_name_is_kept_when_used() {
        let wrapped = "from a_very_long_package import (\n    listeners as _listeners,\n)";
        let imports = lines(&["import typing as _typing", "", wrapped]);
        let kept = used_imports(&imports, "x: _listeners.Events | None");
        // A blank line never leads.
        assert_eq!(kept, lines(&[wrapped]));
    }

    #[test]
    fn an_unused_alias_goes_with_the_blank_line_before_it() {
        let imports = lines(&[
            "import typing as _typing",
            "",
            "from p import errors as _errors",
        ]);
        let kept = used_imports(&imports, "x: _typing.Any");
        assert_eq!(kept, lines(&["import typing as _typing"]));
    }
}
