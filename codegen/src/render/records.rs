//! Glue for records. A record is two Rust types:
//!
//! - its **value** (`BinderyX`), a plain struct of the glue's field types,
//!   converted to and from the core's struct by `From` impls that name
//!   every field; it is what arguments, returns, containers and variant
//!   fields hold;
//! - its **class** (`Bindery_Class_X`), the Python object. A field whose
//!   Python value is mutable (a list, a dict, a record, or an optional of
//!   one: `held`) is kept as that Python object, so mutating it in place
//!   sticks, as in a dataclass; the others are kept as Rust values.
//!
//! The value's `FromPyObject` reads the class, converting the held fields
//! with the path of whatever fails (`limits[2].max: ...`); its
//! `IntoPyObject` builds the class.

use super::data::{allow_case, DataView};
use super::layout::{array, let_struct, list, struct_expr};
use super::types::{self, Paths};
use super::writer::{conversion_impls, Writer};
use crate::model::{Api, Literal, Record, RecordField, Type};

/// Whether a record field of this type holds its Python object (an error
/// value too: its exception, read back when the record goes to Rust).
pub fn held(ty: &Type, api: &Api) -> bool {
    match ty {
        Type::Sequence(_) | Type::Map(..) | Type::Record(_) | Type::Error(_) => true,
        Type::Optional(inner) | Type::Boxed(inner) => held(inner, api),
        Type::Custom(id) => api.custom(*id).python.is_none() && held(&api.custom(*id).builtin, api),
        _ => false,
    }
}

/// The container a held field's value is (`Some(true)` a map, `Some(false)`
/// a sequence), which `bindery_own` makes a `dict` or `list`; `None` for a
/// record.
pub fn container(ty: &Type, api: &Api) -> Option<bool> {
    match ty {
        Type::Sequence(_) => Some(false),
        Type::Map(..) => Some(true),
        Type::Optional(inner) | Type::Boxed(inner) => container(inner, api),
        Type::Custom(id) if api.custom(*id).python.is_none() => {
            container(&api.custom(*id).builtin, api)
        }
        _ => None,
    }
}

/// Whether some record has a held sequence or map field (`bindery_own`).
pub fn owned_containers(api: &Api) -> bool {
    api.records
        .iter()
        .flat_map(|r| &r.fields)
        .any(|f| container(&f.ty, api).is_some())
}

/// `let x = bindery_own(x.into_bound(_py), map)?;` for a held container
/// parameter of `__new__`.
fn own(w: &mut Writer, paths: &Paths<'_>, f: &RecordField) {
    if let Some(map) = container(&f.ty, paths.api) {
        let field = ident(f);
        w.line(format!(
            "let {field} = bindery_own({field}.into_bound(_py), {map})?;"
        ));
    }
}

/// The Rust name of a field: its Python name, as a Rust identifier.
fn ident(f: &RecordField) -> String {
    crate::names::rust_name(&f.name.python).unwrap_or_else(|| f.name.python.clone())
}

/// The default of a held constructor parameter: a fresh `[]`, `{}` or `None`.
fn held_default(literal: &Literal) -> &'static str {
    match literal {
        Literal::EmptySequence => "bindery_default(0)",
        Literal::EmptyMap => "bindery_default(1)",
        _ => "bindery_default(2)",
    }
}

/// `methods`: the wrappers of its methods, as lines of its `#[pymethods]`.
pub fn record(paths: &Paths<'_>, package: &str, r: &Record, methods: &[String]) -> DataView {
    let name = paths.glue(&r.name);
    let core = paths.core(&r.name);
    let mut body = Writer::at(4);
    for f in &r.fields {
        body.lines(types::rust_doc(f.docstring.as_deref()));
        body.line(format!("{}: {},", ident(f), types::rust(&f.ty, paths)));
    }
    let from_fields: Vec<String> = r
        .fields
        .iter()
        .map(|f| {
            let expr = format!("value.{}", f.name.rust);
            let lifted = types::lift(&f.ty, &expr, paths).unwrap_or(expr);
            format!("{}: {lifted}", ident(f))
        })
        .collect();
    let to_fields: Vec<String> = r
        .fields
        .iter()
        .map(|f| {
            let expr = format!("value.{}", ident(f));
            let lowered = types::lower(&f.ty, &expr, paths).unwrap_or(expr);
            format!("{}: {lowered}", f.name.rust)
        })
        .collect();
    let class = paths.record_class(&r.name);
    let mut impls = Writer::at(0);
    conversion_impls(
        &mut impls,
        (&name, &[]),
        |w| {
            w.line(format!("let _class = _obj.cast::<{class}>()?;"));
            w.line("_class.try_borrow()?._value(_obj.py())");
        },
        |w| {
            w.line(format!("let _class = {class}::_from_value(_py, self)?;"));
            w.line("::pyo3::Bound::new(_py, _class).map(::pyo3::Bound::into_any)");
        },
    );
    class_lines(&mut impls, paths, package, (r, methods));
    DataView {
        doc: types::rust_doc(r.docstring.as_deref()),
        attrs: std::iter::once("#[derive(Clone, PartialEq)]".to_string())
            .chain(allow_case(&name))
            .collect(),
        head: format!("pub struct {name} {{"),
        body: body.finish(),
        methods: Vec::new(),
        value: if r.fields.is_empty() {
            "_value"
        } else {
            "value"
        },
        from_core: vec![format!("        {}", struct_expr(8, "Self", &from_fields))],
        to_core: vec![format!("        {}", struct_expr(8, "Self", &to_fields))],
        impls: impls.finish(),
        name,
        core,
    }
}

/// `Ok(path { fields })` at `indent`, as rustfmt lays it out.
fn ok_struct(indent: usize, path: &str, fields: &[String]) -> String {
    let one_line = format!("Ok({})", struct_expr(0, path, fields));
    if !one_line.contains('\n') && indent + one_line.len() <= 100 {
        return one_line;
    }
    let pad = " ".repeat(indent + 4);
    let body: Vec<String> = fields.iter().map(|f| format!("{pad}{f},\n")).collect();
    format!("Ok({path} {{\n{}{}}})", body.concat(), " ".repeat(indent))
}

/// The class: its struct, then its methods.
fn class_lines(
    w: &mut Writer,
    paths: &Paths<'_>,
    package: &str,
    (r, methods): (&Record, &[String]),
) {
    let class = paths.record_class(&r.name);
    w.line("");
    w.lines(types::rust_doc(r.docstring.as_deref()));
    w.line(format!(
        "#[::pyo3::pyclass(module = {}, name = {})]",
        types::rust_str(package),
        types::rust_str(&r.name.python)
    ));
    w.lines(allow_case(&class));
    w.block(format!("pub struct {class} {{"), "}", |w| {
        for f in &r.fields {
            if held(&f.ty, paths.api) {
                w.line("#[pyo3(get)]");
                w.line(format!("{}: ::pyo3::Py<::pyo3::PyAny>,", ident(f)));
            } else {
                w.line("#[pyo3(get, set)]");
                w.line(format!("{}: {},", ident(f), types::rust(&f.ty, paths)));
            }
        }
    });
    w.line("");
    w.block(format!("impl {class} {{"), "}", |w| {
        fields_const(w, &r.fields);
        w.line("");
        value_fns(w, paths, r);
    });
    w.line("");
    w.line("#[::pyo3::pymethods]");
    w.block(format!("impl {class} {{"), "}", |w| {
        constructor(w, paths, r);
        for f in r.fields.iter().filter(|f| held(&f.ty, paths.api)) {
            w.line("");
            w.line("#[setter]");
            w.line(format!(
                "#[pyo3(name = {})]",
                types::rust_str(&f.name.python)
            ));
            let params = [
                "&mut self".to_string(),
                "_value: ::pyo3::Bound<'_, ::pyo3::PyAny>".to_string(),
            ];
            let head = list(
                w.column(),
                &format!("fn _set_{}", f.name.python),
                &params,
                " -> ::pyo3::PyResult<()> {",
            );
            // Only this field is checked: another held field that was
            // mutated into something wrong is reported where it is used.
            w.block(head, "}", |w| {
                let field = ident(f);
                let args = [
                    "&_value".to_string(),
                    types::rust_str(&f.name.python),
                    format!("|_v: &{}| &_v.{field}", paths.glue(&r.name)),
                ];
                w.laid_out(&list(w.column(), "bindery_check", &args, "?;"));
                match container(&f.ty, paths.api) {
                    Some(map) => w.line(format!("self.{field} = bindery_own(_value, {map})?;")),
                    None => w.line(format!("self.{field} = _value.unbind();")),
                }
                w.line("Ok(())");
            });
        }
        // With `Debug` in `[Traits]`, `__repr__` is Rust's (below).
        if !r.traits.debug {
            w.line("");
            repr(w, paths, r);
        }
        comparison(w, &paths.core(&r.name), r.traits);
        super::data::copy_methods(w);
        w.lines(methods);
    });
}

/// `_FIELDS`: the fields' Python names, space-separated (the keywords of
/// `__new__`), laid out as rustfmt lays out a long `const`.
fn fields_const(w: &mut Writer, fields: &[RecordField]) {
    let names: Vec<&str> = fields.iter().map(|f| f.name.python.as_str()).collect();
    let value = types::rust_str(&names.join(" "));
    w.line("/// The fields' Python names, space-separated: the keywords of `__new__`.");
    let head = "const _FIELDS: &'static str =";
    let one_line = format!("{head} {value};");
    let next_line = format!("    {value};");
    if w.column() + one_line.len() <= 100 || w.column() + next_line.len() > 100 {
        w.line(one_line);
    } else {
        w.line(head);
        w.line(next_line);
    }
}

/// `_value` (the class's fields as the record's value, held ones converted
/// with their paths) and `_from_value` (the class built from a value).
fn value_fns(w: &mut Writer, paths: &Paths<'_>, r: &Record) {
    let name = paths.glue(&r.name);
    w.line("/// The record's value; a held field that no longer converts is an");
    w.line("/// error naming the field.");
    let head = format!("fn _value(&self, _py: ::pyo3::Python<'_>) -> ::pyo3::PyResult<{name}> {{");
    w.block(head, "}", |w| {
        for (i, f) in r.fields.iter().enumerate() {
            if held(&f.ty, paths.api) {
                let field = types::rust_str(&f.name.python);
                w.line(format!(
                    "let _f{i} = bindery_field(self.{}.bind(_py), {field})?;",
                    ident(f)
                ));
            }
        }
        let fields: Vec<String> = r
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if held(&f.ty, paths.api) {
                    format!("{}: _f{i}", ident(f))
                } else if paths.is_copy(&f.ty) {
                    format!("{0}: self.{0}", ident(f))
                } else {
                    format!("{0}: self.{0}.clone()", ident(f))
                }
            })
            .collect();
        w.laid_out(&ok_struct(w.column(), &name, &fields));
    });
    w.line("");
    w.line("/// The class holding `_value`, its mutable fields as Python objects.");
    let params = [
        "_py: ::pyo3::Python<'_>".to_string(),
        format!("_value: {name}"),
    ];
    let head = list(
        w.column(),
        "fn _from_value",
        &params,
        " -> ::pyo3::PyResult<Self> {",
    );
    w.block(head, "}", |w| {
        let fields: Vec<String> = r
            .fields
            .iter()
            .map(|f| {
                if held(&f.ty, paths.api) {
                    format!("{0}: _value.{0}.into_py_any(_py)?", ident(f))
                } else {
                    format!("{0}: _value.{0}", ident(f))
                }
            })
            .collect();
        w.laid_out(&ok_struct(w.column(), "Self", &fields));
    });
}

/// `__new__`: every field by keyword, with the UDL defaults; held values are
/// checked, then kept as the objects given.
fn constructor(w: &mut Writer, paths: &Paths<'_>, r: &Record) {
    let is_held = |f: &RecordField| held(&f.ty, paths.api);
    let signature: Vec<String> = std::iter::once("*".to_string())
        .chain(r.fields.iter().map(|f| match &f.default {
            Some(d) if is_held(f) => format!("{} = {}", ident(f), held_default(d)),
            Some(d) => format!("{} = {}", ident(f), types::default(d, &f.ty, paths).1),
            None => ident(f),
        }))
        .collect();
    let any_held = r.fields.iter().any(is_held);
    let params: Vec<String> = any_held
        .then(|| "_py: ::pyo3::Python<'_>".to_string())
        .into_iter()
        .chain(r.fields.iter().map(|f| {
            if is_held(f) {
                format!("{}: ::pyo3::Py<::pyo3::PyAny>", ident(f))
            } else {
                format!("{}: {}", ident(f), types::rust(&f.ty, paths))
            }
        }))
        .collect();
    w.line("#[new]");
    if !r.fields.is_empty() {
        w.line(format!("#[pyo3(signature = ({}))]", signature.join(", ")));
    }
    if params.len() > 7 {
        w.line("#[allow(clippy::too_many_arguments)]");
    }
    let head = list(
        w.column(),
        "fn bindery_new",
        &params,
        " -> ::pyo3::PyResult<Self> {",
    );
    w.block(head, "}", |w| {
        let fields: Vec<String> = r.fields.iter().map(ident).collect();
        if !any_held {
            w.laid_out(&ok_struct(w.column(), "Self", &fields));
            return;
        }
        for f in &r.fields {
            own(w, paths, f);
        }
        // Held values are checked by converting the record once.
        w.laid_out(&let_struct(w.column(), "_record", "Self", &fields));
        w.line("_record._value(_py)?;");
        w.line("Ok(_record)");
    });
}

fn repr(w: &mut Writer, paths: &Paths<'_>, r: &Record) {
    let label = types::rust_str(&r.name.python);
    if r.fields.is_empty() {
        let head = "fn __repr__(&self) -> ::pyo3::PyResult<String> {";
        w.block(head, "}", |w| w.line(format!("bindery_repr({label}, &[])")));
        return;
    }
    let head = "fn __repr__(&self, py: ::pyo3::Python<'_>) -> ::pyo3::PyResult<String> {";
    w.block(head, "}", |w| {
        let items: Vec<String> = r
            .fields
            .iter()
            .map(|f| {
                let value = if held(&f.ty, paths.api) {
                    format!("self.{}.bind(py).clone()", ident(f))
                } else if paths.is_copy(&f.ty) {
                    format!("self.{}.into_bound_py_any(py)?", ident(f))
                } else {
                    format!("self.{}.clone().into_bound_py_any(py)?", ident(f))
                };
                format!("({}, {value})", types::rust_str(&f.name.python))
            })
            .collect();
        w.laid_out(&array(w.column(), "let fields = ", &items, ";"));
        w.line(format!("bindery_repr({label}, &fields)"));
    });
}

/// `__richcmp__` (equal when the values are; ordered by the core's `Ord`
/// with `[Traits=(Ord)]`), `__hash__` (the core's `Hash`; without it the
/// class is unhashable, as a dataclass that defines `__eq__`), `__str__`
/// (`Display`) and `__repr__` (`Debug`).
fn comparison(w: &mut Writer, core: &str, traits: crate::model::Traits) {
    let value = format!("{core}::from(self._value(py)?)");
    w.line("");
    let params = [
        "&self".to_string(),
        "other: &::pyo3::Bound<'_, ::pyo3::PyAny>".to_string(),
        "_op: ::pyo3::pyclass::CompareOp".to_string(),
    ];
    let head = list(
        w.column(),
        "fn __richcmp__",
        &params,
        " -> ::pyo3::PyResult<::pyo3::Py<::pyo3::PyAny>> {",
    );
    w.block(head, "}", |w| {
        w.line("let py = other.py();");
        w.block("let Ok(other) = other.cast::<Self>() else {", "};", |w| {
            w.line("return Ok(py.NotImplemented());");
        });
        w.line("let (_one, other) = (self._value(py)?, other.try_borrow()?._value(py)?);");
        w.block("let result = match _op {", "};", |w| {
            // By the core's `PartialEq` where `[Traits]` give `Eq`.
            if traits.eq {
                w.line(format!(
                    "::pyo3::pyclass::CompareOp::Eq => {core}::from(_one) == {core}::from(other),"
                ));
                w.line(format!(
                    "::pyo3::pyclass::CompareOp::Ne => {core}::from(_one) != {core}::from(other),"
                ));
            } else {
                w.line("::pyo3::pyclass::CompareOp::Eq => _one == other,");
                w.line("::pyo3::pyclass::CompareOp::Ne => _one != other,");
            }
            if traits.ord {
                let args = [
                    format!("&{core}::from(_one)"),
                    format!("&{core}::from(other)"),
                ];
                w.laid_out(&list(
                    w.column(),
                    "_ => _op.matches(::std::cmp::Ord::cmp",
                    &args,
                    "),",
                ));
            } else {
                w.line("_ => return Ok(py.NotImplemented()),");
            }
        });
        w.line("result.into_py_any(py)");
    });
    if traits.hash {
        w.line("");
        w.block(
            "fn __hash__(&self, py: ::pyo3::Python<'_>) -> ::pyo3::PyResult<u64> {",
            "}",
            |w| {
                w.line("let mut hasher = ::std::collections::hash_map::DefaultHasher::new();");
                w.line(format!("::std::hash::Hash::hash(&{value}, &mut hasher);"));
                w.line("Ok(::std::hash::Hasher::finish(&hasher))");
            },
        );
    }
    for (wanted, method, format) in [
        (traits.display, "__str__", format!("{value}.to_string()")),
        (
            traits.debug,
            "__repr__",
            format!("format!(\"{{:?}}\", {value})"),
        ),
    ] {
        if wanted {
            w.line("");
            let head = format!(
                "fn {method}(&self, py: ::pyo3::Python<'_>) -> ::pyo3::PyResult<String> {{"
            );
            w.block(head, "}", |w| w.line(format!("Ok({format})")));
        }
    }
}

/// The innermost types of held fields, under sequences, maps and optionals:
/// each gets a `BinderyHeld` impl (bytes are a sequence of `u8` there).
pub fn held_leaves(paths: &Paths<'_>) -> Vec<String> {
    fn walk(ty: &Type, paths: &Paths<'_>, out: &mut Vec<String>) {
        match ty {
            Type::Sequence(inner) | Type::Optional(inner) | Type::Boxed(inner) => {
                walk(inner, paths, out)
            }
            Type::Map(k, v) => {
                walk(k, paths, out);
                walk(v, paths, out);
            }
            Type::Bytes => out.push("u8".to_string()),
            leaf => out.push(types::rust(leaf, paths)),
        }
    }
    let api = paths.api;
    let mut out = Vec::new();
    for f in api.records.iter().flat_map(|r| &r.fields) {
        if held(&f.ty, api) {
            walk(&f.ty, paths, &mut out);
        }
    }
    for a in api.callables().flat_map(|c| &c.arguments) {
        if mapping_argument(&a.ty) {
            walk(&a.ty, paths, &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether an argument of this type is extracted by `bindery_mapping`
/// (from any mapping: PyO3's own extraction of a map takes only a `dict`).
pub fn mapping_argument(ty: &Type) -> bool {
    match ty {
        Type::Map(..) => true,
        Type::Optional(inner) => matches!(**inner, Type::Map(..)),
        _ => false,
    }
}

/// Whether a held field has a default (`bindery_default`).
pub fn held_defaults(api: &Api) -> bool {
    api.records
        .iter()
        .flat_map(|r| &r.fields)
        .any(|f| f.default.is_some() && held(&f.ty, api))
}
