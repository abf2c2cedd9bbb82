//! The files of a package with backends (docs/backends.md): the
//! dispatcher's loader modules and each backend's `pyproject.toml`. The glue
//! crate's side (a `#[pymodule]` per backend, `[backend-only]` calls) is in
//! `rust.rs` and `templates/lib.rs.txt`.

use askama::Template;

use super::rust::toml_str;
use super::types::{py_str, Paths};
use crate::model::Backend;
use crate::names::BACKEND_MODULE;

fn header(plan: &Paths<'_>) -> String {
    super::python::header(plan.api)
}

#[derive(Template)]
#[template(path = "backend.py.txt", escape = "none")]
struct BackendPy<'a> {
    header: String,
    package: &'a str,
    distribution: &'a str,
    native_module: &'a str,
    /// The backends in the order of preference, for the docstring.
    order: String,
    /// (name, native module, distribution), as Python strings.
    backends: Vec<(String, String, String)>,
    version: String,
    variable: String,
    variable_str: String,
}

/// The environment variable that chooses the backend: `<PACKAGE>_BACKEND`.
pub fn variable(package: &str) -> String {
    format!("{}_BACKEND", package.to_ascii_uppercase())
}

/// `_backend.py`: the choice of backend and its one load.
pub fn backend_py(plan: &Paths<'_>) -> askama::Result<String> {
    let api = plan.api;
    let variable = variable(&api.package);
    BackendPy {
        header: header(plan),
        package: &api.package,
        distribution: &api.distribution.name,
        native_module: &api.native_module,
        order: api
            .backends
            .iter()
            .map(|b| b.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        backends: api
            .backends
            .iter()
            .map(|b| {
                (
                    py_str(&b.name),
                    py_str(&b.native_path),
                    py_str(&b.distribution),
                )
            })
            .collect(),
        version: py_str(&api.distribution.version),
        variable_str: py_str(&variable),
        variable,
    }
    .render()
}

#[derive(Template)]
#[template(path = "native.py.txt", escape = "none")]
struct NativePy<'a> {
    header: String,
    package: &'a str,
    backend_module: &'a str,
    /// `from <package> import _backend`.
    import_backend: String,
    /// The backends' native modules, for the docstring.
    modules: String,
}

/// `_native.py`: the native module's name, bound to the backend's module.
pub fn native_py(plan: &Paths<'_>) -> askama::Result<String> {
    let api = plan.api;
    let modules: Vec<String> = api
        .backends
        .iter()
        .map(|b| format!("`{}`", b.native_path))
        .collect();
    NativePy {
        header: header(plan),
        package: &api.package,
        backend_module: BACKEND_MODULE,
        // Wrapped as isort wraps it, whatever the package name's length.
        import_backend: super::py_from_import(0, &api.package, &[BACKEND_MODULE.to_string()], None),
        modules: modules.join(", "),
    }
    .render()
}

#[derive(Template)]
#[template(path = "backend_pyproject.toml.txt", escape = "none")]
struct BackendPyproject<'a> {
    header: String,
    backend: &'a str,
    distribution: &'a str,
    package: &'a str,
    module: &'a str,
    project: Vec<String>,
}

/// `backends/<name>/pyproject.toml`: the backend's own distribution.
pub fn backend_pyproject(plan: &Paths<'_>, backend: &Backend) -> askama::Result<String> {
    let api = plan.api;
    let d = &api.distribution;
    let description = format!(
        "The {} backend of {}: its native module (install `{}[{}]`, import `{}`).",
        backend.name, d.name, d.name, backend.name, api.package
    );
    let mut project = vec![
        format!("name = {}", toml_str(&backend.distribution)),
        format!("version = {}", toml_str(&d.version)),
        format!("description = {}", toml_str(&description)),
    ];
    if let Some(license) = &d.license {
        project.push(format!("license = {}", toml_str(license)));
    }
    project.push(format!("requires-python = \">=3.{}\"", d.python_minor));
    // Pinned both ways: the dispatcher's extra pins this distribution.
    project.push(format!(
        "dependencies = [{}]",
        toml_str(&format!("{}=={}", d.name, d.version))
    ));
    BackendPyproject {
        header: header(plan),
        backend: &backend.name,
        distribution: &d.name,
        package: &api.package,
        module: &backend.native_path,
        project,
    }
    .render()
}

/// `backends/<name>/python/<package>_<name>/__init__.py`: the package that
/// holds the backend's native module.
pub fn backend_init(plan: &Paths<'_>, backend: &Backend) -> String {
    let api = plan.api;
    format!(
        "{}\n\"\"\"The {} backend of {}: its native module, `{}`.\n\nInstall `{}[{}]` and import `{}`, which loads it.\n\"\"\"\n",
        header(plan),
        backend.name,
        api.package,
        backend.native_path,
        api.distribution.name,
        backend.name,
        api.package,
    )
}
