//! `uniffi_set_event_loop`: once a loop is set, every coroutine runs on it,
//! whichever loop the object was passed from; `None` goes back to that one.
//! A binary of its own: the loop it sets is the process's.

use std::ffi::CString;

use bindery_runtime_tests::bindery_answer::{answer, uniffi_set_event_loop};
use pyo3::prelude::*;
use pyo3::types::PyModule;

/// Two loops, each running forever in a named thread, and a coroutine
/// answering with the name of the thread it runs in.
const HELPERS: &str = r#"
import asyncio
import threading

def start(name):
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, name=name, daemon=True).start()
    return loop

passed = start("passed")
chosen = start("chosen")

async def where():
    await asyncio.sleep(0)
    return threading.current_thread().name
"#;

/// Where `where()` ran, given the loop its object was passed from.
fn ran_on(m: &Py<PyModule>) -> String {
    let pending = Python::attach(|py| {
        let m = m.bind(py);
        let passed = m.getattr("passed").unwrap().unbind();
        let coroutine = m.getattr("where").unwrap().call0().map(Bound::unbind);
        answer(py, Some(&passed), coroutine)
    });
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let value = runtime.block_on(pending).unwrap();
    Python::attach(|py| value.extract::<String>(py).unwrap())
}

#[test]
fn a_set_loop_runs_every_coroutine_until_it_is_unset() {
    let m = Python::attach(|py| {
        let code = CString::new(HELPERS).unwrap();
        let file = CString::new("helpers.py").unwrap();
        let name = CString::new("set_loop_helpers").unwrap();
        PyModule::from_code(py, &code, &file, &name).unwrap().unbind()
    });
    assert_eq!(ran_on(&m), "passed");
    let chosen = Python::attach(|py| m.bind(py).getattr("chosen").unwrap().unbind());
    uniffi_set_event_loop(Some(chosen));
    assert_eq!(ran_on(&m), "chosen");
    uniffi_set_event_loop(None);
    assert_eq!(ran_on(&m), "passed");
}
