//! The import finder of an embedding program: the package's modules come
//! from the sources given (a package and a module in it, with tracebacks
//! showing their lines), the native module is built on first import by
//! the function given, and a second `install` changes nothing.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyModule, PyTuple};

use bindery_runtime_tests::bindery_finder::{install, Module};

const MODULES: [Module; 2] = [
    ("embpkg", true, "from embpkg._native import answer\nfrom embpkg.inner import twice\n"),
    (
        "embpkg.inner",
        false,
        "def twice(x):\n    return x * 2\n\ndef fail():\n    raise ValueError('from inner')\n",
    ),
];

fn make_native(
    args: &Bound<'_, PyTuple>,
    _kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyModule>> {
    let module = PyModule::new(args.py(), "embpkg._native")?;
    module.setattr("answer", 42)?;
    let builds: usize =
        args.py().import("sys")?.getattr("_embpkg_builds").map_or(0, |b| b.extract().unwrap());
    args.py().import("sys")?.setattr("_embpkg_builds", builds + 1)?;
    Ok(module.unbind())
}

#[test]
fn the_package_imports_from_the_library() {
    Python::attach(|py| {
        let sys = py.import("sys").unwrap();
        let finders = || sys.getattr("meta_path").unwrap().len().unwrap();
        let before = finders();
        install(py, &MODULES, "embpkg._native", make_native).unwrap();
        assert_eq!(finders(), before + 1);
        install(py, &MODULES, "embpkg._native", make_native).unwrap();
        assert_eq!(finders(), before + 1, "a second install adds no finder");

        let package = py.import("embpkg").unwrap();
        assert_eq!(package.getattr("answer").unwrap().extract::<i64>().unwrap(), 42);
        let twice = package.getattr("twice").unwrap();
        assert_eq!(twice.call1((21,)).unwrap().extract::<i64>().unwrap(), 42);
        assert!(package.getattr("__path__").is_ok(), "embpkg is a package");
        assert_eq!(
            package
                .getattr("__spec__")
                .and_then(|spec| spec.getattr("origin"))
                .unwrap()
                .extract::<String>()
                .unwrap(),
            "<embedded>/embpkg/__init__.py"
        );
        let native = py.import("embpkg._native").unwrap();
        assert_eq!(native.getattr("answer").unwrap().extract::<i64>().unwrap(), 42);
        // Built once, when the package first imported it.
        py.import("embpkg._native").unwrap();
        assert_eq!(sys.getattr("_embpkg_builds").unwrap().extract::<usize>().unwrap(), 1);

        // A traceback shows the embedded source's line.
        let error =
            py.import("embpkg.inner").unwrap().getattr("fail").unwrap().call0().unwrap_err();
        let formatted = py
            .import("traceback")
            .unwrap()
            .call_method1(
                "format_exception",
                (error.get_type(py), error.value(py), error.traceback(py)),
            )
            .unwrap()
            .extract::<Vec<String>>()
            .unwrap()
            .concat();
        assert!(formatted.contains("File \"<embedded>/embpkg/inner.py\", line 5"), "{}", formatted);
        assert!(formatted.contains("raise ValueError('from inner')"), "{}", formatted);

        // Other names are not the finder's.
        assert!(py.import("embpkg.missing").is_err());
        assert!(py.import("json").is_ok());
    });
}
