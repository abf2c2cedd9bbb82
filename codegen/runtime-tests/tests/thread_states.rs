//! A Rust thread keeps one Python thread state from its first visit to
//! Python until it exits: `threading.local()` values survive between its
//! visits, and its state (with what it holds) is released when it exits,
//! also when it is joined from a thread that released the GIL to wait.

use std::thread;

use bindery_runtime_tests::bindery_attach::attach;
use pyo3::prelude::*;
use pyo3::types::PyModule;

mod common;
use common::helpers;

fn visit(module: &Py<PyModule>) -> (u32, u64) {
    attach(|py| module.bind(py).getattr("visit").unwrap().call0().unwrap().extract().unwrap())
        .expect("the gate is open")
}

fn finalized(module: &Py<PyModule>) -> usize {
    Python::attach(|py| module.bind(py).getattr("finalized").unwrap().len().unwrap())
}

#[test]
fn thread_local_values_survive_between_visits_and_go_when_the_thread_exits() {
    let module = Python::attach(helpers);
    let shared = Python::attach(|py| module.clone_ref(py));
    let visits = thread::spawn(move || {
        let first = visit(&shared);
        let second = visit(&shared);
        let third = visit(&shared);
        // Nothing of this thread's storage was finalized between visits.
        let kept = finalized(&shared);
        (first, second, third, kept)
    });
    // Joined with the GIL released, as a glue call waits for the core.
    let (first, second, third, kept) =
        Python::attach(|py| py.detach(move || visits.join().unwrap()));
    assert_eq!((first.0, second.0, third.0), (1, 2, 3));
    // One thread state for the thread's life: one identity.
    assert_eq!(first.1, third.1);
    assert_eq!(kept, 0);
    // Released when the thread exited: its storage's values are finalized.
    assert_eq!(finalized(&module), 1);
}

#[test]
fn every_exiting_thread_releases_its_state() {
    let module = Python::attach(helpers);
    let threads: Vec<_> = (0..50)
        .map(|_| {
            let shared = Python::attach(|py| module.clone_ref(py));
            thread::spawn(move || visit(&shared).0)
        })
        .collect();
    let firsts: Vec<u32> =
        Python::attach(|py| py.detach(|| threads.into_iter().map(|t| t.join().unwrap()).collect()));
    assert!(firsts.iter().all(|&v| v == 1));
    assert_eq!(finalized(&module), 50);
}

#[test]
fn a_thread_python_started_keeps_its_own_state() {
    // A visit from a thread that has a thread state already (here: one
    // made by `Python::attach` and still held) uses it, and keeps nothing.
    let module = Python::attach(helpers);
    let (outer, inner) = Python::attach(|py| {
        let outer = module.bind(py).getattr("visit").unwrap().call0().unwrap();
        let outer: (u32, u64) = outer.extract().unwrap();
        (outer, visit(&module))
    });
    assert_eq!(inner.0, outer.0 + 1);
}
