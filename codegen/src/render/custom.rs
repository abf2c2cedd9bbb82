//! The glue of a `[Custom] typedef`: a newtype over the core's type that
//! PyO3 extracts from, and converts into, the builtin it crosses as.

use super::layout::let_call;
use super::types::{self, Paths};
use super::writer::Writer;
use crate::model::{CustomId, Type};

/// The newtype and its conversions, as lines at column 0.
pub fn custom(paths: &Paths<'_>, id: CustomId) -> Vec<String> {
    let c = paths.api.custom(id);
    let ty = Type::Custom(id);
    let glue = paths.glue_of(&ty);
    let core = paths.core_of(&ty);
    let builtin = types::rust(&c.builtin, paths);
    // The configured functions, else the standard traits.
    let try_lift = c.try_lift.as_deref().map_or_else(
        || format!("<{core} as ::std::convert::TryFrom<{builtin}>>::try_from"),
        |p| paths.rust_path(p),
    );
    let lower = c
        .lower
        .as_deref()
        .map_or_else(|| format!("{builtin}::from"), |p| paths.rust_path(p));
    let mut w = Writer::at(0);
    let checks = match c.try_lift {
        Some(_) => format!("`{try_lift}`"),
        None => format!("`TryFrom<{builtin}>`"),
    };
    let converts = match c.lower {
        Some(_) => format!("`{lower}`"),
        None => format!("`From<{}> for {builtin}`", c.name.udl),
    };
    w.line(format!("/// `{core}`, crossing as `{builtin}`: {checks}"));
    w.line(format!(
        "/// checks what Python passes, {converts} converts what Rust returns."
    ));
    w.line("#[derive(Clone)]");
    w.line(format!("pub struct {glue}({core});"));
    w.line("");
    // Equal when their builtins are: the core's type need not be `PartialEq`.
    w.block(format!("impl PartialEq for {glue} {{"), "}", |w| {
        // The core's type may be `Copy`; the glue cannot know.
        w.line("#[allow(clippy::clone_on_copy)]");
        w.block("fn eq(&self, other: &Self) -> bool {", "}", |w| {
            let one = format!("{lower}(self.0.clone())");
            let other = format!("{lower}(other.0.clone())");
            if w.column() + one.len() + other.len() + 4 <= 100 {
                w.line(format!("{one} == {other}"));
            } else {
                w.line(one);
                w.line(format!("    == {other}"));
            }
        });
    });
    w.line("");
    w.block(
        format!("impl<'a, 'py> ::pyo3::FromPyObject<'a, 'py> for {glue} {{"),
        "}",
        |w| {
            w.line("type Error = ::pyo3::PyErr;");
            w.line("");
            w.block(
                "fn extract(_obj: ::pyo3::Borrowed<'a, 'py, ::pyo3::PyAny>) -> ::pyo3::PyResult<Self> {",
                "}",
                |w| {
                    let args = [
                        format!("_obj.extract::<{builtin}>()?"),
                        types::rust_str(&c.name.udl),
                        try_lift.clone(),
                    ];
                    w.line(let_call(w.column(), "_value", "bindery_try_custom", &args, "?"));
                    w.line("Ok(Self(_value))");
                },
            );
        },
    );
    w.line("");
    w.block(
        format!("impl<'py> ::pyo3::IntoPyObject<'py> for {glue} {{"),
        "}",
        |w| {
            w.line("type Target = ::pyo3::PyAny;");
            w.line("type Output = ::pyo3::Bound<'py, ::pyo3::PyAny>;");
            w.line("type Error = ::pyo3::PyErr;");
            w.line("");
            w.block(
            "fn into_pyobject(self, _py: ::pyo3::Python<'py>) -> ::pyo3::PyResult<Self::Output> {",
            "}",
            |w| {
                w.line(format!("{lower}(self.0).into_bound_py_any(_py)"));
            },
        );
        },
    );
    w.finish()
}
