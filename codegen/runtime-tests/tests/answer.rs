//! Rust awaiting `[Async]` methods implemented in Python: a plain value
//! answers at once; a coroutine runs on the given loop (or the caller's)
//! and answers with its result or exception; dropping the answer first
//! cancels the coroutine; without a loop the answer is an error, and the
//! coroutine is closed rather than left unawaited.

use std::ffi::CString;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bindery_runtime_tests::bindery_answer::{answer, running_loop};
use pyo3::prelude::*;
use pyo3::types::PyModule;

/// A loop running forever in a Python thread, and coroutine functions.
const HELPERS: &str = r#"
import asyncio
import threading

loop = asyncio.new_event_loop()
threading.Thread(target=loop.run_forever, daemon=True).start()
cancelled = threading.Event()
started = threading.Event()

async def double(x):
    await asyncio.sleep(0.01)
    return 2 * x

async def fail():
    raise KeyError("gone")

async def forever():
    started.set()
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        cancelled.set()
        raise
"#;

/// A module of its own per call: `from_code` runs the code in the module
/// already in `sys.modules` under its name, so tests running at once would
/// share one and overwrite each other's loop and events.
fn helpers(py: Python<'_>) -> Bound<'_, PyModule> {
    static MODULES: AtomicUsize = AtomicUsize::new(0);
    let code = CString::new(HELPERS).unwrap();
    let file = CString::new("helpers.py").unwrap();
    let n = MODULES.fetch_add(1, Ordering::SeqCst);
    let name = CString::new(format!("answer_helpers_{}", n)).unwrap();
    PyModule::from_code(py, &code, &file, &name).unwrap()
}

/// Blocks this thread on `future`, without the GIL.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(future)
}

fn wait_for(what: &str, condition: impl Fn() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < Duration::from_secs(10), "{} never happened", what);
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_plain_value_answers_at_once() {
    let pending = Python::attach(|py| {
        let value = 7i32.into_pyobject(py).unwrap().into_any().unbind();
        answer(py, None, Ok(value))
    });
    let value = block_on(pending).unwrap();
    assert_eq!(Python::attach(|py| value.extract::<i32>(py).unwrap()), 7);
}

#[test]
fn a_coroutine_answers_from_its_loop_with_its_result_or_exception() {
    let (ok, failed) = Python::attach(|py| {
        let m = helpers(py);
        let event_loop = m.getattr("loop").unwrap().unbind();
        let coroutine = m.getattr("double").unwrap().call1((21,)).map(Bound::unbind);
        let ok = answer(py, Some(&event_loop), coroutine);
        let coroutine = m.getattr("fail").unwrap().call0().map(Bound::unbind);
        (ok, answer(py, Some(&event_loop), coroutine))
    });
    let value = block_on(ok).unwrap();
    assert_eq!(Python::attach(|py| value.extract::<i32>(py).unwrap()), 42);
    let error = block_on(failed).unwrap_err();
    Python::attach(|py| assert!(error.is_instance_of::<pyo3::exceptions::PyKeyError>(py)));
}

#[test]
fn dropping_the_answer_cancels_the_coroutine() {
    let (pending, module) = Python::attach(|py| {
        let m = helpers(py);
        let event_loop = m.getattr("loop").unwrap().unbind();
        let coroutine = m.getattr("forever").unwrap().call0().map(Bound::unbind);
        (answer(py, Some(&event_loop), coroutine), m.unbind())
    });
    let flag = |name: &'static str| {
        let module = Python::attach(|py| module.clone_ref(py));
        move || {
            Python::attach(|py| {
                let event = module.bind(py).getattr(name).unwrap();
                event.call_method0("is_set").unwrap().is_truthy().unwrap()
            })
        }
    };
    wait_for("the coroutine's start", flag("started"));
    assert!(!flag("cancelled")());
    drop(pending);
    wait_for("the coroutine's cancellation", flag("cancelled"));
}

#[test]
fn without_a_loop_the_answer_is_an_error_and_the_coroutine_is_closed() {
    let (pending, coroutine) = Python::attach(|py| {
        let m = helpers(py);
        assert!(running_loop(py).is_none());
        let coroutine = m.getattr("double").unwrap().call1((1,)).unwrap().unbind();
        (answer(py, None, Ok(coroutine.clone_ref(py))), coroutine)
    });
    let error = block_on(pending).unwrap_err();
    Python::attach(|py| {
        assert!(error.to_string().contains("no asyncio event loop"), "{}", error);
        // Closed: no frame left, so no "never awaited" warning.
        assert!(coroutine.bind(py).getattr("cr_frame").unwrap().is_none());
    });
}

#[test]
fn an_error_raised_by_the_call_itself_is_the_answer() {
    let pending = Python::attach(|py| {
        let error = pyo3::exceptions::PyValueError::new_err("bad");
        answer(py, None, Err(error))
    });
    let error = block_on(pending).unwrap_err();
    Python::attach(|py| assert!(error.is_instance_of::<pyo3::exceptions::PyValueError>(py)));
}
