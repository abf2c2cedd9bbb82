//! What a host reads back from Python: the package's values as the core's
//! (`Bindery_FromPython`), and a script's failure as Python's traceback text.

use std::sync::Arc;

use boxkit_python::Bindery_FromPython;
use pyo3::prelude::*;
use pyo3::types::PyModule;

const SCRIPT: &std::ffi::CStr = c"
import tempfile
import boxkit

runtime = boxkit.Runtime(tempfile.mkdtemp())
box = runtime.create_box('made-in-python', {})
config = boxkit.BoxConfig(name='c', env={'K': 'v'}, max_output_bytes=7)
config.env['L'] = 'w'
state = boxkit.BoxState.STOPPED
kind = boxkit.PathKind.File(size=3)
try:
    runtime.get_box('gone')
except boxkit.NotFoundError as raised_in_rust:
    missing = raised_in_rust
made_in_python = boxkit.TimeoutError('too slow', after_ms=5)
other = ValueError('not the package')
";

#[test]
fn python_values_convert_into_the_cores() -> PyResult<()> {
    Python::attach(|py| {
        boxkit_python::bindery_embed(py)?;
        let made = PyModule::from_code(py, SCRIPT, c"made.py", c"made")?;

        let config = boxkit::BoxConfig::bindery_from_python(&made.getattr("config")?)?;
        assert_eq!((config.name.as_str(), config.max_output_bytes), ("c", 7));
        assert_eq!(config.env.get("L").map(String::as_str), Some("w"));
        let state = boxkit::BoxState::bindery_from_python(&made.getattr("state")?)?;
        assert_eq!(state, boxkit::BoxState::Stopped);
        let kind = boxkit::PathKind::bindery_from_python(&made.getattr("kind")?)?;
        assert!(matches!(kind, boxkit::PathKind::File { size: 3 }));
        let sandbox = Arc::<boxkit::Sandbox>::bindery_from_python(&made.getattr("box")?)?;
        assert_eq!(sandbox.id(), "made-in-python");

        // Exceptions of the package are the core's error values again.
        let missing = boxkit::BoxkitError::bindery_from_python(&made.getattr("missing")?)?;
        assert!(matches!(missing, boxkit::BoxkitError::NotFound { box_id } if box_id == "gone"));
        let late = boxkit::BoxkitError::bindery_from_python(&made.getattr("made_in_python")?)?;
        assert!(matches!(late, boxkit::BoxkitError::Timeout { after_ms: 5 }));
        let other = boxkit::BoxkitError::bindery_from_python(&made.getattr("other")?);
        assert!(other.is_err_and(|e| e.is_instance_of::<pyo3::exceptions::PyTypeError>(py)));

        // Another type is the error an argument would raise.
        let wrong = boxkit::BoxConfig::bindery_from_python(&made.getattr("state")?);
        assert!(wrong.is_err_and(|e| e.is_instance_of::<pyo3::exceptions::PyTypeError>(py)));
        Ok(())
    })
}

#[test]
fn a_script_failure_reads_as_its_traceback() {
    Python::attach(|py| {
        let code = c"def inner():\n    raise ValueError('boom')\n\ninner()\n";
        let Err(error) = PyModule::from_code(py, code, c"script.py", c"script") else {
            panic!("the script should fail");
        };
        let text = boxkit_python::bindery_traceback(py, &error);
        assert!(
            text.contains("File \"script.py\", line 2, in inner"),
            "{text}"
        );
        assert!(text.ends_with("ValueError: boom\n"), "{text}");
    });
}
