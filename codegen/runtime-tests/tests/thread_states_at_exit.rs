//! Once the exit hook closed the gate, a thread that kept a thread state
//! exits without touching it: the interpreter is finalizing (or gone), and
//! its states with it. (A process of its own: the gate is process-wide.)

use std::sync::mpsc;
use std::thread;

use bindery_runtime_tests::bindery_attach::{attach, close};
use pyo3::prelude::*;

mod common;
use common::helpers;

#[test]
fn a_thread_exiting_after_the_exit_hook_leaves_its_state_alone() {
    let module = Python::attach(helpers);
    let shared = Python::attach(|py| module.clone_ref(py));
    let (visited, wait) = mpsc::channel();
    let (leave, left) = mpsc::channel::<()>();
    let visitor = thread::spawn(move || {
        attach(|py| shared.bind(py).getattr("visit").unwrap().call0().map(drop).unwrap()).unwrap();
        visited.send(()).unwrap();
        left.recv().unwrap();
        // `shared` is dropped with the gate closed: PyO3 defers it.
    });
    wait.recv().unwrap();
    Python::attach(close);
    leave.send(()).unwrap();
    visitor.join().unwrap();
    // The state was not cleared: what its storage held was not finalized.
    let finalized =
        Python::attach(|py| module.bind(py).getattr("finalized").unwrap().len().unwrap());
    assert_eq!(finalized, 0);
}
