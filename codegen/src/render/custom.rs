//! The glue of a `[Custom] typedef`: a newtype over the core's type that
//! PyO3 extracts from, and converts into, the builtin it crosses as.

use super::layout::list;
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
    let mut w = Writer::at(0);
    w.line(format!(
        "/// `{core}`, crossing as `{builtin}`: `TryFrom<{builtin}>` checks what"
    ));
    w.line(format!(
        "/// Python passes, `From<{}> for {builtin}` converts what Rust returns.",
        c.name.udl
    ));
    w.line("#[derive(Clone)]");
    w.line(format!("pub struct {glue}({core});"));
    w.line("");
    // Equal when their builtins are: the core's type need not be `PartialEq`.
    w.block(format!("impl PartialEq for {glue} {{"), "}", |w| {
        w.block("fn eq(&self, other: &Self) -> bool {", "}", |w| {
            w.line(format!(
                "{builtin}::from(self.0.clone()) == {builtin}::from(other.0.clone())"
            ));
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
                "fn extract(obj: ::pyo3::Borrowed<'a, 'py, ::pyo3::PyAny>) -> ::pyo3::PyResult<Self> {",
                "}",
                |w| {
                    let args = [
                        format!("obj.extract::<{builtin}>()?"),
                        types::rust_str(&c.name.udl),
                    ];
                    w.line(list(w.column(), "bindery_try_custom", &args, ".map(Self)"));
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
            "fn into_pyobject(self, py: ::pyo3::Python<'py>) -> ::pyo3::PyResult<Self::Output> {",
            "}",
            |w| {
                w.line(format!("{builtin}::from(self.0).into_bound_py_any(py)"));
            },
        );
        },
    );
    w.finish()
}
