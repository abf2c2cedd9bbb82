//! boxkit bound by hand: only the operations `cargo xtask bench` measures.

use std::collections::HashMap;
use std::sync::Arc;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyLookupError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

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

/// A record as bindery represents one: scalar fields as Rust values, the
/// mutable `env` dict as the Python object itself.
#[pyclass(module = "boxkit_handwritten")]
struct BoxConfig {
    #[pyo3(get, set)]
    name: String,
    #[pyo3(get)]
    env: Py<PyAny>,
    #[pyo3(get, set)]
    max_output_bytes: u64,
}

#[pymethods]
impl BoxConfig {
    #[new]
    #[pyo3(signature = (*, name, env = None, max_output_bytes = 16777216))]
    fn new(
        py: Python<'_>,
        name: String,
        env: Option<Py<PyAny>>,
        max_output_bytes: u64,
    ) -> PyResult<Self> {
        let env = env.unwrap_or_else(|| PyDict::new(py).into_any().unbind());
        env.bind(py).extract::<HashMap<String, String>>()?;
        Ok(BoxConfig {
            name,
            env,
            max_output_bytes,
        })
    }
}

/// `BoxState` as an `enum.Enum`, and its members in declaration order.
static STATES: PyOnceLock<(Py<PyAny>, Vec<Py<PyAny>>)> = PyOnceLock::new();
const STATE_NAMES: [&str; 4] = ["CREATED", "RUNNING", "STOPPED", "REMOVED"];
const STATE_VALUES: [boxkit::BoxState; 4] = [
    boxkit::BoxState::Created,
    boxkit::BoxState::Running,
    boxkit::BoxState::Stopped,
    boxkit::BoxState::Removed,
];

fn states(py: Python<'_>) -> PyResult<&(Py<PyAny>, Vec<Py<PyAny>>)> {
    STATES.get_or_try_init(py, || {
        let members: Vec<(&str, usize)> = STATE_NAMES.iter().copied().zip(0..).collect();
        let class = py
            .import("enum")?
            .getattr("Enum")?
            .call1(("BoxState", members))?;
        let mut out = Vec::new();
        for member in class.try_iter()? {
            out.push(member?.unbind());
        }
        Ok((class.unbind(), out))
    })
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

    fn state(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let state = self.inner.state();
        let index = STATE_VALUES.iter().position(|s| *s == state).unwrap_or(0);
        Ok(states(py)?.1[index].clone_ref(py))
    }

    fn host_path(&self, py: Python<'_>, path: String) -> PyResult<String> {
        py.detach(|| self.inner.host_path(path))
            .map_err(|e| to_py(py, e))
    }

    /// PyO3's own coroutine (`experimental-async`) around the core's
    /// future, polled inside the tokio runtime as the generated glue does.
    #[pyo3(signature = (state, timeout_ms = None))]
    async fn wait_for_state(slf: Py<Self>, state: State, timeout_ms: Option<u64>) -> bool {
        let inner = Arc::clone(&slf.get().inner);
        InRuntime(Box::pin(async move {
            inner.wait_for_state(state.0, timeout_ms).await
        }))
        .await
    }
}

/// A `BoxState` member, converted by identity.
struct State(boxkit::BoxState);

impl<'a, 'py> FromPyObject<'a, 'py> for State {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let members = &states(obj.py())?.1;
        match members.iter().position(|m| obj.is(m)) {
            Some(index) => Ok(State(STATE_VALUES[index])),
            None => Err(PyTypeError::new_err("expected a BoxState member")),
        }
    }
}

/// The runtime the async rows poll in.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

/// Polls a future inside the runtime's context.
struct InRuntime<F>(std::pin::Pin<Box<F>>);

impl<F: std::future::Future> std::future::Future for InRuntime<F> {
    type Output = F::Output;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        let _runtime = runtime().enter();
        self.0.as_mut().poll(cx)
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

    fn check_config(&self, py: Python<'_>, config: PyRef<'_, BoxConfig>) -> PyResult<BoxConfig> {
        let core = boxkit::BoxConfig {
            name: config.name.clone(),
            env: config.env.bind(py).extract()?,
            max_output_bytes: config.max_output_bytes,
        };
        let out = py
            .detach(|| self.inner.check_config(core))
            .map_err(|e| to_py(py, e))?;
        Ok(BoxConfig {
            name: out.name,
            env: out.env.into_pyobject(py)?.into_any().unbind(),
            max_output_bytes: out.max_output_bytes,
        })
    }

    fn list_boxes_in(&self, py: Python<'_>, state: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        let members = &states(py)?.1;
        let Some(index) = members.iter().position(|m| state.is(m)) else {
            return Err(PyTypeError::new_err("expected a BoxState member"));
        };
        let state = STATE_VALUES[index];
        Ok(py.detach(|| self.inner.list_boxes_in(state)))
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
    m.add("BoxState", states(m.py())?.0.clone_ref(m.py()))?;
    m.add("BoxkitError", m.py().get_type::<BoxkitError>())?;
    m.add("NotFoundError", m.py().get_type::<NotFoundError>())?;
    Ok(())
}
