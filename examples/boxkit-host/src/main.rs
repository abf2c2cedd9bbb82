//! `boxkit-host SCRIPT`: runs a Python script in an interpreter embedded in
//! this program, where `import boxkit` is the boxkit package compiled into
//! the program (`boxkit_python::bindery_embed`), with nothing installed.
//! A Python exception prints its traceback and exits with 1.

use std::ffi::CString;
use std::process::ExitCode;

use pyo3::prelude::*;
use pyo3::types::PyModule;

fn main() -> ExitCode {
    let Some(script) = std::env::args().nth(1) else {
        eprintln!("usage: boxkit-host SCRIPT");
        return ExitCode::from(2);
    };
    let source = match std::fs::read_to_string(&script) {
        Ok(source) => source,
        Err(e) => {
            eprintln!("boxkit-host: cannot read {script}: {e}");
            return ExitCode::from(2);
        }
    };
    Python::attach(|py| match run(py, &script, source) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            error.display(py);
            ExitCode::FAILURE
        }
    })
}

/// Registers the package, then runs `source` as the module `__main__`.
fn run(py: Python<'_>, script: &str, source: String) -> PyResult<()> {
    boxkit_python::bindery_embed(py)?;
    let code = CString::new(source)?;
    let file = CString::new(script)?;
    PyModule::from_code(py, &code, &file, c"__main__")?;
    Ok(())
}
