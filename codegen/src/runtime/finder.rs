//! How a Rust program that embeds Python imports a package with nothing
//! installed: an import finder, put first on `sys.meta_path`, serves the
//! package's Python modules from sources compiled into the library (kept,
//! so tracebacks show their lines) and builds the native module with the
//! function the package gives, when the package first imports it, as the
//! wheel's `PyInit` function would.
//!
//! This file is bindery's runtime, not per-API code: `bindery generate`
//! writes it unchanged (with its header) beside the glue of every package,
//! as the module `bindery_finder`; the glue's `bindery_embed` calls
//! `install` with the package's modules. `codegen/runtime-tests` compiles
//! it as it is and tests it.

// A program that only builds the extension module never installs it.
#![allow(dead_code)]

use ::pyo3::types::PyAnyMethods as _;

/// A Python module compiled into the library: its dotted name, whether it
/// is a package (an `__init__.py`), its source.
pub type Module = (&'static str, bool, &'static str);

/// The finder, in Python: the import system's protocols are Python ones.
// `c_str!`, not a `c"..."` literal: an edition-2018 crate (in-crate mode)
// cannot spell those.
const BINDERY_FINDER: &::std::ffi::CStr = ::pyo3::ffi::c_str!(
    r#"
import importlib.abc
import importlib.util
import sys


class EmbeddedFinder(importlib.abc.MetaPathFinder, importlib.abc.InspectLoader):
    def __init__(self, modules, native, make_native):
        self._modules = {name: (is_package, source) for name, is_package, source in modules}
        self._native = native
        self._make_native = make_native

    def find_spec(self, name, path=None, target=None):
        if name == self._native:
            return importlib.util.spec_from_loader(name, self, origin="<embedded>", is_package=False)
        if name not in self._modules:
            return None
        is_package = self._modules[name][0]
        return importlib.util.spec_from_loader(name, self, origin=self._filename(name), is_package=is_package)

    def create_module(self, spec):
        return self._make_native() if spec.name == self._native else None

    def exec_module(self, module):
        if module.__name__ != self._native:
            exec(self.get_code(module.__name__), module.__dict__)

    def _filename(self, name):
        tail = "/__init__.py" if self._modules[name][0] else ".py"
        return "<embedded>/" + name.replace(".", "/") + tail

    def is_package(self, name):
        return self._modules[name][0]

    def get_source(self, name):
        return self._modules[name][1]

    def get_code(self, name):
        return compile(self.get_source(name), self._filename(name), "exec", dont_inherit=True)


def install(modules, native, make_native):
    sys.meta_path.insert(0, EmbeddedFinder(modules, native, make_native))
"#
);

/// Builds the native module when the package imports it.
pub type MakeNative = fn(
    &::pyo3::Bound<'_, ::pyo3::types::PyTuple>,
    Option<&::pyo3::Bound<'_, ::pyo3::types::PyDict>>,
) -> ::pyo3::PyResult<::pyo3::Py<::pyo3::types::PyModule>>;

/// Installs the finder for `modules` and the native module `native` (a
/// dotted name), built by `make_native`. Called with the interpreter
/// initialized and attached, before the package is imported; a second call
/// does nothing (the first one's finder serves the package).
pub fn install(
    py: ::pyo3::Python<'_>,
    modules: &[Module],
    native: &'static str,
    make_native: MakeNative,
) -> ::pyo3::PyResult<()> {
    static BINDERY_INSTALLED: ::pyo3::sync::PyOnceLock<()> = ::pyo3::sync::PyOnceLock::new();
    BINDERY_INSTALLED
        .get_or_try_init(py, || {
            let make_native = ::pyo3::types::PyCFunction::new_closure(py, None, None, make_native)?;
            let finder = ::pyo3::types::PyModule::from_code(
                py,
                BINDERY_FINDER,
                ::pyo3::ffi::c_str!("<bindery finder>"),
                ::pyo3::ffi::c_str!("_bindery_finder"),
            )?;
            finder.call_method1("install", (modules.to_vec(), native, make_native))?;
            ::pyo3::PyResult::Ok(())
        })
        .map(|_| ())
}
