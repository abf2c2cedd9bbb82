//! The gate Rust threads enter Python through: open, it attaches; the exit
//! hook closes it and waits for the threads inside; closed, nothing
//! attaches (and nothing asks for the GIL).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use bindery_runtime_tests::bindery_attach::{attach, close, closed};
use pyo3::Python;

#[test]
fn closing_waits_for_the_threads_inside_then_refuses_everyone() {
    Python::attach(|_py| ());
    let from_a_thread = thread::spawn(|| attach(|py| py.None().is_none(py))).join().unwrap();
    assert_eq!(from_a_thread, Some(true));
    assert!(!closed());

    let (entered, inside) = mpsc::channel();
    let left = Arc::new(AtomicBool::new(false));
    let leaving = Arc::clone(&left);
    let visitor = thread::spawn(move || {
        attach(|py| {
            entered.send(()).unwrap();
            // Inside, without the GIL for a while (as a callback doing I/O).
            py.detach(|| thread::sleep(Duration::from_millis(300)));
            leaving.store(true, Ordering::SeqCst);
        })
    });
    inside.recv().unwrap();
    Python::attach(close);
    // The hook returned only once the visitor had left.
    assert!(left.load(Ordering::SeqCst));
    assert!(visitor.join().unwrap().is_some());
    assert!(closed());
    let later = thread::spawn(|| attach(|_py| "ran")).join().unwrap();
    assert_eq!(later, None);
}
