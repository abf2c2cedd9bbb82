//! boxkit bound by hand: only the operations `cargo xtask bench` measures.

use std::collections::HashMap;
use std::sync::Arc;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyLookupError};
use pyo3::prelude::*;

create_exception!(boxkit_handwritten, BoxkitError, PyException);
create_exception!(boxkit_handwritten, NotFoundError, PyLookupError);

fn to_py(py: Python<'_>, error: boxkit::BoxkitError) -> PyErr {
    let message = error.to_string();
    match error {
        boxkit::BoxkitError::NotFound { box_id } => {
            let err = NotFoundError::new_err(message);
            if let Err(e) = err.value(py).setattr("box_id", box_id) {
                return e;
            }
            err
        }
        _ => BoxkitError::new_err(message),
    }
}

#[pyclass(module = "boxkit_handwritten", get_all, set_all, from_py_object)]
#[derive(Clone)]
struct BoxConfig {
    name: String,
    env: HashMap<String, String>,
    max_output_bytes: u64,
}

#[pymethods]
impl BoxConfig {
    #[new]
    #[pyo3(signature = (*, name, env = HashMap::new(), max_output_bytes = 16777216))]
    fn new(name: String, env: HashMap<String, String>, max_output_bytes: u64) -> Self {
        BoxConfig {
            name,
            env,
            max_output_bytes,
        }
    }
}

#[pyclass(module = "boxkit_handwritten", frozen)]
struct Sandbox {
    inner: Arc<boxkit::Sandbox>,
}

#[pymethods]
impl Sandbox {
    fn max_output_bytes(&self) -> u64 {
        self.inner.max_output_bytes()
    }

    fn host_path(&self, py: Python<'_>, path: String) -> PyResult<String> {
        py.detach(|| self.inner.host_path(path))
            .map_err(|e| to_py(py, e))
    }
}

/// Calls a Python object's `on_box_started`, if it has one.
struct Listener {
    on_box_started: Option<Py<PyAny>>,
}

impl boxkit::EventListener for Listener {
    fn on_box_created(&self, _: String) {}
    fn on_box_started(&self, box_id: String) {
        let Some(method) = &self.on_box_started else {
            return;
        };
        Python::attach(|py| {
            if let Err(e) = method.call1(py, (box_id,)) {
                e.write_unraisable(py, None);
            }
        });
    }
    fn on_exec_started(&self, _: String, _: Vec<String>) {}
    fn on_exec_completed(&self, _: String, _: i32, _: std::time::Duration) {}
    fn on_file_copied(&self, _: String, _: String, _: u64, _: boxkit::CopyDirection) {}
    fn on_box_stopped(&self, _: String) {}
    fn on_box_removed(&self, _: String) {}
}

#[pyclass(module = "boxkit_handwritten", frozen)]
struct Runtime {
    inner: Arc<boxkit::Runtime>,
}

#[pymethods]
impl Runtime {
    #[new]
    fn new(py: Python<'_>, root_dir: String) -> PyResult<Self> {
        let inner = py
            .detach(|| boxkit::Runtime::new(root_dir))
            .map_err(|e| to_py(py, e))?;
        Ok(Runtime {
            inner: Arc::new(inner),
        })
    }

    fn create_box(
        &self,
        py: Python<'_>,
        name: String,
        env: HashMap<String, String>,
    ) -> PyResult<Sandbox> {
        let inner = py
            .detach(|| self.inner.create_box(name, env))
            .map_err(|e| to_py(py, e))?;
        Ok(Sandbox { inner })
    }

    fn get_box(&self, py: Python<'_>, box_id: String) -> PyResult<Sandbox> {
        let inner = py
            .detach(|| self.inner.get_box(box_id))
            .map_err(|e| to_py(py, e))?;
        Ok(Sandbox { inner })
    }

    fn check_config(&self, py: Python<'_>, config: BoxConfig) -> PyResult<BoxConfig> {
        let core = boxkit::BoxConfig {
            name: config.name,
            env: config.env,
            max_output_bytes: config.max_output_bytes,
        };
        let out = py
            .detach(|| self.inner.check_config(core))
            .map_err(|e| to_py(py, e))?;
        Ok(BoxConfig {
            name: out.name,
            env: out.env,
            max_output_bytes: out.max_output_bytes,
        })
    }

    fn add_listener(&self, listener: &Bound<'_, PyAny>) -> PyResult<u64> {
        let on_box_started = listener.getattr_opt("on_box_started")?.map(Bound::unbind);
        Ok(self
            .inner
            .add_listener(Box::new(Listener { on_box_started })))
    }

    fn ping_listeners(&self, py: Python<'_>, box_id: String, threads: u32, count: u32) {
        py.detach(|| self.inner.ping_listeners(box_id, threads, count));
    }
}

#[pyfunction]
fn shell_join(py: Python<'_>, args: Vec<String>) -> String {
    py.detach(|| boxkit::shell_join(args))
}

#[pymodule]
fn boxkit_handwritten(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Runtime>()?;
    m.add_class::<Sandbox>()?;
    m.add_class::<BoxConfig>()?;
    m.add_function(wrap_pyfunction!(shell_join, m)?)?;
    m.add("BoxkitError", m.py().get_type::<BoxkitError>())?;
    m.add("NotFoundError", m.py().get_type::<NotFoundError>())?;
    Ok(())
}
