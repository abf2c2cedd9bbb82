//! The glue of a `[Custom] typedef`: a newtype over the core's type that
//! PyO3 extracts from, and converts into, the builtin it crosses as.

use super::layout::{let_call, list};
use super::types::{self, Paths};
use super::writer::{conversion_impls, Writer};
use crate::model::{CustomId, PythonConverter, Type};

/// The core's custom type may be an alias of its builtin (`type Url =
/// String`): its conversions are then the identity.
const ALLOW_SAME_TYPE: &str = "#[allow(clippy::useless_conversion)]";

/// The newtype and its conversions, as lines at column 0.
pub fn custom(paths: &Paths<'_>, id: CustomId) -> Vec<String> {
    let c = paths.api.custom(id);
    if c.via_uniffi {
        return uniffi_custom(paths, id);
    }
    let ty = Type::Custom(id);
    let glue = paths.glue_of(&ty);
    let core = paths.core_of(&ty);
    // What Python's value is extracted as (the glue's classes inside), and
    // the core's type of the same value.
    let builtin = types::rust(&c.builtin, paths);
    let core_builtin = super::callbacks::core_type(&c.builtin, paths);
    let scalar = c.builtin.is_scalar();
    // The configured functions, else the standard traits.
    let try_lift = c.try_lift.as_deref().map_or_else(
        || format!("<{core} as ::std::convert::TryFrom<{core_builtin}>>::try_from"),
        |p| paths.rust_path(p),
    );
    let lower = c.lower.as_deref().map_or_else(
        || {
            if scalar {
                format!("{core_builtin}::from")
            } else {
                format!("<{core_builtin}>::from")
            }
        },
        |p| paths.rust_path(p),
    );
    // The core's builtin value as the glue's, which Python receives.
    let lifted =
        |expr: &str| types::lift(&c.builtin, expr, paths).unwrap_or_else(|| expr.to_string());
    let mut w = Writer::at(0);
    let checks = match c.try_lift {
        Some(_) => format!("`{try_lift}`"),
        None => format!("`TryFrom<{core_builtin}>`"),
    };
    let converts = match c.lower {
        Some(_) => format!("`{lower}`"),
        None => format!("`From<{}> for {core_builtin}`", c.name.udl),
    };
    w.line(format!(
        "/// `{core}`, crossing as `{core_builtin}`: {checks}"
    ));
    w.line(format!(
        "/// checks what Python passes, {converts} converts what Rust returns."
    ));
    w.line("#[derive(Clone)]");
    w.line(format!("pub struct {glue}({core});"));
    w.line("");
    if let (Some(py), Some(k)) = (&c.python, converter_index(paths, id)) {
        converter_methods(&mut w, &glue, py, k);
    }
    // Equal when their builtins are: the core's type need not be `PartialEq`.
    w.block(format!("impl PartialEq for {glue} {{"), "}", |w| {
        // The core's type may be `Copy`, or the builtin itself; the glue
        // cannot know.
        w.line("#[allow(clippy::clone_on_copy, clippy::cmp_owned, clippy::useless_conversion)]");
        w.block("fn eq(&self, other: &Self) -> bool {", "}", |w| {
            let one = lifted(&format!("{lower}(self.0.clone())"));
            let other = lifted(&format!("{lower}(other.0.clone())"));
            if w.column() + one.len() + other.len() + 4 <= 100 {
                w.line(format!("{one} == {other}"));
            } else {
                w.line(format!("let one = {one};"));
                w.line(format!("let other = {other};"));
                w.line("one == other");
            }
        });
    });
    conversion_impls(
        &mut w,
        (&glue, &[ALLOW_SAME_TYPE]),
        |w| {
            let source = python_source(w, c.python.is_some());
            let extracted = if scalar {
                let value = format!("{source}.extract::<{builtin}>()?");
                types::lower(&c.builtin, &value, paths).unwrap_or(value)
            } else {
                w.line(format!("let _builtin = {source}.extract::<{builtin}>()?;"));
                types::lower(&c.builtin, "_builtin", paths)
                    .unwrap_or_else(|| "_builtin".to_string())
            };
            try_custom(w, extracted, &c.name.udl, try_lift.clone());
        },
        |w| {
            let value = if scalar {
                format!("{lower}(self.0)")
            } else {
                w.line(format!("let _builtin = {lower}(self.0);"));
                lifted("_builtin")
            };
            if c.python.is_some() {
                w.line(format!("let _builtin = {value}.into_bound_py_any(_py)?;"));
                w.line("Self::_into_python(_py)?.call1((_builtin,))");
            } else {
                w.line(format!("{value}.into_bound_py_any(_py)"));
            }
        },
    );
    w.finish()
}

/// What Python's value is extracted from: the object, or what a configured
/// Python class is converted to first.
fn python_source(w: &mut Writer, converted: bool) -> &'static str {
    if converted {
        w.line("let _python = Self::_from_python(_obj.py())?.call1((_obj.to_owned(),))?;");
        "_python"
    } else {
        "_obj"
    }
}

/// `let _value = bindery_try_custom(extracted, "Name", check)?;` and the
/// glue's value made of it.
fn try_custom(w: &mut Writer, extracted: String, name: &str, check: String) {
    let args = [extracted, types::rust_str(name), check];
    w.line(let_call(
        w.column(),
        "_value",
        "bindery_try_custom",
        &args,
        "?",
    ));
    w.line("Ok(Self(_value))");
}

/// The position of a custom type among those with Python-side converters:
/// its three objects sit at `3 * k` in `BINDERY_PYTHON_OBJECTS`.
pub fn converter_index(paths: &Paths<'_>, id: CustomId) -> Option<usize> {
    let with = |i: &usize| paths.api.customs[*i].python.is_some();
    let k = (0..id.0).filter(with).count();
    paths.api.custom(id).python.as_ref().map(|_| k)
}

/// The Python class of a custom type and its two converters, each imported
/// once into its slot of `BINDERY_PYTHON_OBJECTS` (from `3 * k`).
fn converter_methods(w: &mut Writer, glue: &str, py: &PythonConverter, k: usize) {
    w.block(format!("impl {glue} {{"), "}", |w| {
        let objects = [
            ("_python_class", &py.class, "The Python class of its values"),
            (
                "_into_python",
                &py.into,
                "Converts the builtin into that class",
            ),
            (
                "_from_python",
                &py.from,
                "Converts a value of that class into the builtin",
            ),
        ];
        for (i, (method, path, doc)) in objects.into_iter().enumerate() {
            if i > 0 {
                w.line("");
            }
            w.line(format!("/// {doc}: `{}:{}`.", path.module, path.qualname));
            let head = list(
                w.column(),
                &format!("fn {method}<'py>"),
                &["py: ::pyo3::Python<'py>".to_string()],
                " -> ::pyo3::PyResult<::pyo3::Bound<'py, ::pyo3::PyAny>> {",
            );
            w.block(head, "}", |w| {
                let args = [
                    "py".to_string(),
                    format!("&BINDERY_PYTHON_OBJECTS[{}]", 3 * k + i),
                    types::rust_str(&path.module),
                    types::rust_str(&path.qualname),
                ];
                w.laid_out(&list(w.column(), "bindery_python_object", &args, ""));
            });
        }
    });
    w.line("");
}

/// A custom type the crate's `uniffi::custom_type!` converts: the glue
/// holds its builtin (a scalar), checked by the macro's `try_lift` when
/// Python passes it and converted again where the core takes it; what the
/// core returns is its `lower`ed builtin. The core's type needs no traits.
fn uniffi_custom(paths: &Paths<'_>, id: CustomId) -> Vec<String> {
    let c = paths.api.custom(id);
    let ty = Type::Custom(id);
    let glue = paths.glue_of(&ty);
    let core = paths.core_of(&ty);
    let builtin = types::rust(&c.builtin, paths);
    let mut w = Writer::at(0);
    w.line(format!(
        "/// `{core}`, crossing as `{builtin}`: the crate's `uniffi::custom_type!`"
    ));
    w.line("/// checks and converts it.");
    w.line("#[derive(Clone, PartialEq)]");
    w.line(format!("pub struct {glue}({builtin});"));
    w.line("");
    if let (Some(py), Some(k)) = (&c.python, converter_index(paths, id)) {
        converter_methods(&mut w, &glue, py, k);
    }
    conversion_impls(
        &mut w,
        (&glue, &[]),
        |w| {
            let source = python_source(w, c.python.is_some());
            let extracted = format!("{source}.extract::<{builtin}>()?");
            let check = format!("bindery_uniffi_check::<{core}, {builtin}>");
            try_custom(w, extracted, &c.name.udl, check);
        },
        |w| {
            if c.python.is_some() {
                w.line("let _builtin = self.0.into_bound_py_any(_py)?;");
                w.line("Self::_into_python(_py)?.call1((_builtin,))");
            } else {
                w.line("self.0.into_bound_py_any(_py)");
            }
        },
    );
    w.finish()
}

/// UniFFI's `Lift` and `Lower` traits for the crate's types.
fn uniffi_traits(krate: &str) -> (String, String) {
    let tag = format!("{krate}::UniFfiTag");
    (
        format!("::uniffi::Lift<{tag}>"),
        format!("::uniffi::Lower<{tag}>"),
    )
}

/// The conversions of custom types the crate's `uniffi::custom_type!`
/// defines, through UniFFI's own serialization of the builtin: the
/// macro's closures are reachable no other way.
pub fn uniffi_helpers(krate: &str) -> Vec<String> {
    let (lift, lower) = uniffi_traits(krate);
    let lines = [
        "/// A custom type's value made from its builtin by the crate's".to_string(),
        "/// `uniffi::custom_type!` (its `try_lift`); an error is its first cause,".to_string(),
        "/// without the context UniFFI adds (the macro's source position).".to_string(),
        format!("fn bindery_uniffi_lift<C: {lift}, B: {lower}>(builtin: B) -> Result<C, String> {{"),
        "    let mut bindery_buffer = Vec::new();".to_string(),
        "    B::write(builtin, &mut bindery_buffer);".to_string(),
        "    C::try_read(&mut bindery_buffer.as_slice()).map_err(|error| error.root_cause().to_string())".to_string(),
        "}".to_string(),
        String::new(),
        "/// A builtin from Python, checked by the custom type's `try_lift` and".to_string(),
        "/// kept as the custom type's `lower` gives it back.".to_string(),
        format!("fn bindery_uniffi_check<C: {lift} + {lower}, B: {lower} + {lift}>("),
        "    builtin: B,".to_string(),
        ") -> Result<B, String> {".to_string(),
        "    bindery_uniffi_lift::<C, B>(builtin).map(bindery_uniffi_lower::<C, B>)".to_string(),
        "}".to_string(),
        String::new(),
        "/// The core's value of a builtin `bindery_uniffi_check` accepted: its".to_string(),
        "/// `try_lift` accepts it again unless it depends on more than its".to_string(),
        "/// argument, which is raised as the package's panic class.".to_string(),
        format!("fn bindery_uniffi_core<C: {lift}, B: {lower}>(builtin: B) -> C {{"),
        "    match bindery_uniffi_lift::<C, B>(builtin) {".to_string(),
        "        Ok(value) => value,".to_string(),
        "        Err(error) => panic!(\"a custom type refused a value it took before: {error}\"),".to_string(),
        "    }".to_string(),
        "}".to_string(),
    ];
    let mut out = vec![String::new()];
    out.extend(lines);
    out
}

/// `bindery_thrown_custom_<i>`: a custom type over an error, thrown by the
/// core, raised as the error its `lower` gives.
pub fn thrown(paths: &Paths<'_>, id: crate::model::CustomId) -> Vec<String> {
    let c = paths.api.custom(id);
    let core = paths.core_of(&Type::Custom(id));
    let error = paths.core_of(&c.builtin);
    let lower = match &c.lower {
        Some(p) => paths.rust_path(p),
        None => "bindery_uniffi_lower".to_string(),
    };
    let to_py = match c.builtin {
        Type::Error(e) => paths.to_py_fn(e),
        _ => String::new(),
    };
    let mut w = Writer::at(0);
    w.line(format!(
        "/// `{core}` thrown: raised as the `{error}` its `lower` gives."
    ));
    let head = list(
        0,
        &format!("fn {}", paths.thrown_custom_fn(id)),
        &[
            "py: ::pyo3::Python<'_>".to_string(),
            format!("error: {core}"),
        ],
        " -> ::pyo3::PyErr {",
    );
    w.block(head, "}", |w| {
        w.line(format!("let error: {error} = {lower}(error);"));
        w.line(format!("{to_py}(py, error)"));
    });
    w.finish()
}

/// `bindery_uniffi_lower`: a custom type's builtin made by the crate's
/// `uniffi::custom_type!`, for custom values and thrown custom errors alike.
pub fn uniffi_lower_helper(krate: &str) -> Vec<String> {
    let (lift, lower) = uniffi_traits(krate);
    let lines = [
        "/// A custom type's builtin made by the crate's `uniffi::custom_type!`".to_string(),
        "/// (its `lower`). UniFFI reads back every builtin it wrote; a failure".to_string(),
        "/// would be a bug in UniFFI, raised as the package's panic class.".to_string(),
        format!("fn bindery_uniffi_lower<C: {lower}, B: {lift}>(value: C) -> B {{"),
        "    let mut bindery_buffer = Vec::new();".to_string(),
        "    C::write(value, &mut bindery_buffer);".to_string(),
        "    match B::try_read(&mut bindery_buffer.as_slice()) {".to_string(),
        "        Ok(builtin) => builtin,".to_string(),
        "        Err(error) => panic!(\"UniFFI could not read back what it wrote: {error}\"),"
            .to_string(),
        "    }".to_string(),
        "}".to_string(),
    ];
    let mut out = vec![String::new()];
    out.extend(lines);
    out
}
