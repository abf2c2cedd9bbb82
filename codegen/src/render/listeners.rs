//! The Python side of callback interfaces: `listeners.py` (a Protocol and a
//! base class per interface, pure Python) and its generated tests.

use askama::Template;

use super::types::{self, py_docstring, py_str, Paths, Spelling};
use crate::model::{Api, Callback, CallbackMethod, Type};

struct MethodView {
    signature: String,
    doc: String,
    is_abstract: bool,
    /// What a method a subclass must define does in the base class.
    body: Option<String>,
}

struct ClassView {
    name: String,
    protocol: String,
    protocol_doc: String,
    /// Whether the interface has a base class (a trait has only the Protocol).
    has_base: bool,
    bases: String,
    doc: String,
    methods: Vec<MethodView>,
}

#[derive(Template)]
#[template(path = "listeners.py.txt", escape = "none")]
struct ListenersPy {
    header: String,
    docstring: String,
    imports: Vec<String>,
    all: Vec<String>,
    classes: Vec<ClassView>,
}

/// `def name(self, a: T) -> R:` for a callback method.
fn signature(m: &CallbackMethod, spelling: Spelling) -> String {
    let c = &m.callable;
    let mut params = vec!["self".to_string()];
    params.extend(
        c.arguments
            .iter()
            .map(|a| format!("{}: {}", a.name.python, types::python(&a.ty, spelling))),
    );
    let returns = c
        .returns
        .as_ref()
        .map_or_else(|| "None".to_string(), |t| types::python(t, spelling));
    let def = if c.is_async { "async def" } else { "def" };
    let one_line = format!(
        "    {def} {}({}) -> {returns}:",
        c.name.python,
        params.join(", ")
    );
    if one_line.len() + 4 <= 88 {
        return one_line.trim_start().to_string();
    }
    let lines: Vec<String> = params.iter().map(|p| format!("        {p},\n")).collect();
    format!(
        "{def} {}(\n{}    ) -> {returns}:",
        c.name.python,
        lines.concat()
    )
}

/// Names from the native module that listener signatures mention.
fn native_names(api: &Api) -> Vec<String> {
    api.native_classes(signature_types(api))
}

/// The types of the callback methods' arguments and returns, nested ones included.
fn signature_types(api: &Api) -> impl Iterator<Item = &Type> {
    let methods = api.callbacks.iter().flat_map(|c| &c.methods);
    methods
        .flat_map(|m| m.callable.types())
        .flat_map(Type::walk)
}

/// A method's docstring; a queued one says where and when it runs.
fn method_doc(m: &crate::model::CallbackMethod) -> String {
    let doc = m
        .callable
        .docstring
        .clone()
        .unwrap_or_else(|| format!("Called for `{}`.", m.callable.name.udl));
    if !m.queued {
        return doc;
    }
    format!(
        "{}\n\nDelivered queued: on the package's event thread, in the order each Rust\n\
         thread sent them, after the call that sent it may have returned;\n\
         `{}()` waits for the events sent so far.",
        doc.trim_end(),
        crate::model::FLUSH_EVENTS
    )
}

fn class(c: &Callback, spelling: Spelling) -> ClassView {
    let any_abstract = c.methods.iter().any(|m| m.configured);
    // The interface's own docstring, as UniFFI's Python has it; bindery's
    // note where it has none.
    let doc = c.docstring.clone().unwrap_or_else(|| {
        format!(
            "A `{}` listener.\n\nSubclass it and override the methods you need. The others do nothing\n\
             and cost nothing: the bridge skips them without taking the GIL.",
            c.name.udl
        )
    });
    ClassView {
        name: c.name.python.clone(),
        protocol: crate::model::protocol_name(&c.name.python),
        protocol_doc: py_docstring(
            &match c.trait_object {
                Some(_) => format!(
                    "Every method of `{0}`: an object with all of them can be passed\n\
                     wherever a `{0}` is expected, and Rust calls it.",
                    c.name.python
                ),
                None => format!(
                    "Every method of `{}`: an object with all of them needs no base class.",
                    c.name.python
                ),
            },
            "    ",
        ),
        // A trait's name is its native class.
        has_base: c.trait_object.is_none(),
        bases: if any_abstract {
            "(_abc.ABC)".to_string()
        } else {
            String::new()
        },
        doc: py_docstring(doc.trim(), "    "),
        methods: c
            .methods
            .iter()
            .map(|m| MethodView {
                signature: signature(m, spelling),
                doc: py_docstring(&method_doc(m), "        "),
                is_abstract: m.configured,
                // Only a callback interface has a base class (a trait's is native).
                body: (c.trait_object.is_none() && m.required && !m.configured).then(|| {
                    format!(
                        "raise {}(\"{}.{}\")",
                        spelling.builtin("NotImplementedError"),
                        c.name.python,
                        m.callable.name.python
                    )
                }),
            })
            .collect(),
    }
}

pub fn listeners_py(plan: &Paths<'_>) -> askama::Result<String> {
    let api = plan.api;
    let spelling = plan.spelling;
    let mut imports = Vec::new();
    let bases = api.callbacks.iter().filter(|c| c.trait_object.is_none());
    if bases.flat_map(|c| &c.methods).any(|m| m.configured) {
        imports.push("import abc as _abc".to_string());
    }
    let classes: Vec<ClassView> = api.callbacks.iter().map(|c| class(c, spelling)).collect();
    // Spelled `_builtins.x` where the API shadows a builtin; imported when
    // a class spells one so.
    let builtins = classes.iter().any(|c| {
        c.bases.contains("_builtins.")
            || c.methods.iter().any(|m| {
                m.signature.contains("_builtins.")
                    || m.body.as_ref().is_some_and(|b| b.contains("_builtins."))
            })
    });
    if builtins {
        imports.push("import builtins as _builtins".to_string());
    }
    let datetime = api.callbacks.iter().flat_map(|c| &c.methods).any(|m| {
        m.callable
            .arguments
            .iter()
            .any(|a| types::uses_datetime(&a.ty))
            || m.callable
                .returns
                .as_ref()
                .is_some_and(types::uses_datetime)
    });
    if datetime {
        imports.push("import datetime as _datetime".to_string());
    }
    let native = native_names(api);
    let errors = signature_types(api).any(|t| super::python::names_errors(t, api));
    // A trait's method may take or return a trait: its Protocol, defined here.
    let itself = signature_types(api).any(|t| super::python::names_listeners(t, api));
    imports.push("import typing as _typing".to_string());
    if !native.is_empty() || errors || itself {
        imports.push(String::new());
        imports.push("if _typing.TYPE_CHECKING:".to_string());
    }
    // The package's own modules, in isort's order of the members imported.
    let mut own: Vec<(String, Option<&str>)> = Vec::new();
    if errors {
        own.push((format!("{} as _errors", api.errors_module), None));
    }
    if itself {
        let name = format!("{} as _listeners", api.listeners_module);
        own.push((name, Some("# noqa: PLW0406")));
    }
    if !native.is_empty() && spelling.qualify_types {
        own.push((format!("{} as _api", api.native_module), None));
    }
    imports.extend(super::py_package_imports(4, &api.package, &own));
    if !native.is_empty() && !spelling.qualify_types {
        let module = format!("{}.{}", api.package, api.native_module);
        let line = super::py_from_import(4, &module, &native, None);
        imports.push(format!("    {line}"));
    }
    let mut all = plan.exports.listeners.clone();
    crate::plan::sort_all(&mut all);
    ListenersPy {
        header: format!("# {}", super::header_text(api)),
        docstring: py_docstring(
            &format!(
                "Listener interfaces of {}. Pure Python: imports nothing native at run time.",
                api.package
            ),
            "",
        ),
        imports,
        all: all.iter().map(|n| py_str(n)).collect(),
        classes,
    }
    .render()
}

/// `from package import ...` statements for `(module, alias)` pairs at
/// column `indent`, as isort writes them: plain names share one statement,
/// each `as` has its own, ordered by the imported name; the import aliased
/// `noqa_self` is the module importing itself (ruff's PLW0406 allowed).
pub fn module_imports<'a>(
    indent: usize,
    package: &str,
    modules: impl Iterator<Item = (&'a str, &'a str)>,
    noqa_self: Option<&str>,
) -> Vec<String> {
    let (plain, aliased): (Vec<_>, Vec<_>) = modules.partition(|(m, a)| m == a);
    let mut statements: Vec<(String, Vec<String>, Option<&str>)> = Vec::new();
    if !plain.is_empty() {
        // Names in one statement in isort's order (`_native, errors`).
        let mut names: Vec<String> = plain.iter().map(|(m, _)| m.to_string()).collect();
        crate::plan::sort_isort(&mut names);
        statements.push((names[0].clone(), names, None));
    }
    for (module, alias) in aliased {
        let noqa = (Some(alias) == noqa_self).then_some("# noqa: PLW0406");
        statements.push((
            module.to_string(),
            vec![format!("{module} as {alias}")],
            noqa,
        ));
    }
    statements.sort();
    statements
        .into_iter()
        .map(|(_, names, noqa)| super::py_from_import(indent, package, &names, noqa))
        .collect()
}

/// Whether the test hook can call `m` (every argument has a sample).
pub fn has_samples(m: &CallbackMethod, paths: &Paths<'_>) -> bool {
    !m.callable.is_async
        && m.callable
            .arguments
            .iter()
            .all(|a| super::callbacks::sample_arg(&a.ty, &a.name.udl, paths).is_some())
}

struct ThrowView {
    test_name: String,
    interface: String,
    method: String,
    method_name: String,
    sample_return: String,
    own_class: String,
    own_variant: String,
    own_fields: String,
    own_checks: Vec<(String, String)>,
    unexpected_class: String,
    unexpected_variant: String,
}

#[derive(Template)]
#[template(path = "test_listeners.py.txt", escape = "none")]
struct ListenersTest<'a> {
    header: String,
    /// `from <package> import ...` of `errors` and `listeners`, where the
    /// tests use them, in isort's order.
    package_imports: Vec<String>,
    /// The test hook, or a skip when the build has none.
    hooks: Vec<String>,
    /// A sample value is a `datetime` or `timedelta`.
    datetime: bool,
    variant_attribute: &'a str,
    optional: Vec<String>,
    /// `(interface, method, why)` of the methods the hook cannot call.
    unsampled: Vec<String>,
    /// `(interface, its required methods, a method the hook can call)`.
    required: Vec<(String, String, String)>,
    throwing: Vec<ThrowView>,
}

fn throw_view(api: &Api, c: &Callback, m: &CallbackMethod) -> Option<ThrowView> {
    let thrown = m.callable.throws?;
    let error = api.error(thrown);
    let unexpected = error
        .variants
        .iter()
        .find(|v| Some(&v.name.udl) == c.unexpected_error.get(&thrown))?;
    let own = error.variants.iter().find(|v| {
        error.classes[v.class].variants.len() == 1 && v.fields.iter().all(|f| f.ty.has_sample())
    })?;
    let sample_return = match &m.callable.returns {
        Some(t) if !t.needs_conversion() => types::sample(t, "result").1,
        Some(_) => return None,
        None => "None".to_string(),
    };
    let samples: Vec<(String, String)> = own
        .fields
        .iter()
        .map(|f| (f.name.python.clone(), types::sample(&f.ty, &f.name.udl).1))
        .collect();
    Some(ThrowView {
        test_name: format!(
            "{}_{}",
            crate::names::snake_case(&c.name.udl),
            m.callable.name.python
        ),
        interface: py_str(&c.name.python),
        method: py_str(&m.callable.name.python),
        method_name: m.callable.name.python.clone(),
        sample_return,
        own_class: error.classes[own.class].name.clone(),
        own_variant: py_str(&own.name.udl),
        own_fields: samples.iter().map(|(f, v)| format!(", {f}={v}")).collect(),
        own_checks: samples,
        unexpected_class: error.classes[unexpected.class].name.clone(),
        unexpected_variant: py_str(&unexpected.name.udl),
    })
}

pub fn listeners_test(plan: &Paths<'_>) -> askama::Result<String> {
    let api = plan.api;
    let paths = plan;
    let mut optional = Vec::new();
    let mut unsampled = Vec::new();
    let mut required = Vec::new();
    let mut throwing = Vec::new();
    for c in &api.callbacks {
        // The test calls the first name through the hook: one it can call
        // first; an interface it can call no method of is left out.
        let mut methods: Vec<&CallbackMethod> = c.methods.iter().filter(|m| m.required).collect();
        methods.sort_by_key(|m| !has_samples(m, paths));
        let names: Vec<String> = methods
            .iter()
            .map(|m| py_str(&m.callable.name.python))
            .collect();
        // The method the test calls: one the hook can call, a required
        // one first (its bridge checks the others when it is built).
        let mut sampled: Vec<&CallbackMethod> =
            c.methods.iter().filter(|m| has_samples(m, paths)).collect();
        sampled.sort_by_key(|m| !m.required);
        if let Some(probe) = sampled.first() {
            let probe = py_str(&probe.callable.name.python);
            required.push((py_str(&c.name.python), names.join(", "), probe));
        }
        for m in c.methods.iter().filter(|m| !has_samples(m, paths)) {
            let missing = m
                .callable
                .arguments
                .iter()
                .find(|a| super::callbacks::sample_arg(&a.ty, &a.name.udl, paths).is_none());
            let why = missing.map_or_else(
                || "an async method: the test hook calls synchronously".to_string(),
                |a| {
                    format!(
                        "the test hook has no sample value for its argument `{}`",
                        a.name.python
                    )
                },
            );
            unsampled.push(format!(
                "({}, {}, {})",
                py_str(&c.name.python),
                py_str(&m.callable.name.python),
                py_str(&why)
            ));
        }
        for m in c.methods.iter().filter(|m| has_samples(m, paths)) {
            if !m.required {
                optional.push(format!(
                    "({}, {}, {})",
                    py_str(&c.name.python),
                    py_str(&m.callable.name.python),
                    m.callable.arguments.len()
                ));
            }
            if m.callable.throws.is_some() {
                throwing.extend(throw_view(api, c, m));
            }
        }
    }
    ListenersTest {
        header: format!("# {}", super::header_text(api)),
        package_imports: module_imports(
            0,
            &api.package,
            [
                (!throwing.is_empty()).then_some((api.errors_module.as_str(), "errors")),
                (!optional.is_empty()).then_some((api.listeners_module.as_str(), "listeners")),
                Some((api.native_module.as_str(), "_native")),
            ]
            .into_iter()
            .flatten(),
            None,
        ),
        hooks: super::python::hook_lines(&["_bindery_call_listener"]),
        // Samples are spelled `_datetime.datetime(...)`, as in the stubs.
        datetime: throwing.iter().any(|t| {
            let fields = t.own_checks.iter().map(|(_, v)| v.as_str());
            std::iter::once(t.sample_return.as_str())
                .chain(fields)
                .any(|v| v.contains("_datetime."))
        }),
        variant_attribute: &api.variant_attribute,
        optional,
        unsampled,
        required,
        throwing,
    }
    .render()
}
