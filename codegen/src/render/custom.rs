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
    // Equal when their builtins are: the core's type need not be `PartialEq`.
    w.block(format!("impl PartialEq for {glue} {{"), "}", |w| {
        // The core's type may be `Copy`; the glue cannot know.
        w.line("#[allow(clippy::clone_on_copy)]");
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
                    let extracted = if scalar {
                        format!("_obj.extract::<{builtin}>()?")
                    } else {
                        w.line(format!("let _builtin = _obj.extract::<{builtin}>()?;"));
                        types::lower(&c.builtin, "_builtin", paths)
                            .unwrap_or_else(|| "_builtin".to_string())
                    };
                    let args = [extracted, types::rust_str(&c.name.udl), try_lift.clone()];
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
                    if scalar {
                        w.line(format!("{lower}(self.0).into_bound_py_any(_py)"));
                    } else {
                        w.line(format!("let _builtin = {lower}(self.0);"));
                        w.line(format!("{}.into_bound_py_any(_py)", lifted("_builtin")));
                    }
                },
            );
        },
    );
    w.finish()
}
