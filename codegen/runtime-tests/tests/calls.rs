//! Calls into the core: `detach` releases the GIL around the call,
//! `attached` keeps it, and a panic in either becomes the package's
//! exception (here `RuntimeError("panicked: ...")`) with its message.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use bindery_runtime_tests::bindery_calls::{attached, detach, message};
use pyo3::prelude::*;

/// Whether another thread takes the GIL within `wait`, asked now.
fn another_thread_attaches(wait: Duration) -> bool {
    let (sent, got) = mpsc::channel();
    thread::spawn(move || Python::attach(|_py| sent.send(()).unwrap()));
    got.recv_timeout(wait).is_ok()
}

#[test]
fn detach_releases_the_gil_and_attached_keeps_it() {
    Python::attach(|py| {
        let released = detach(py, || another_thread_attaches(Duration::from_secs(5))).unwrap();
        assert!(released, "another thread took the GIL inside `detach`");
        // Inside `attached` the other thread waits (given a short time
        // only) and attaches once the GIL is free again.
        let kept = attached(py, || another_thread_attaches(Duration::from_millis(200))).unwrap();
        assert!(!kept, "another thread took the GIL inside `attached`");
    });
}

#[test]
fn a_panic_is_the_packages_exception_with_its_message() {
    Python::attach(|py| {
        let error = detach(py, || -> u32 { panic!("boom {}", 7) }).unwrap_err();
        assert!(error.is_instance_of::<pyo3::exceptions::PyRuntimeError>(py));
        assert_eq!(error.value(py).to_string(), "panicked: boom 7");
        let error = attached(py, || -> () { panic!("static text") }).unwrap_err();
        assert_eq!(error.value(py).to_string(), "panicked: static text");
        assert_eq!(detach(py, || 41 + 1).unwrap(), 42);
        assert_eq!(attached(py, || "kept").unwrap(), "kept");
    });
}

#[test]
fn a_payload_that_is_not_text_is_said_to_be_so() {
    assert_eq!(message(Box::new(String::from("owned"))), "owned");
    assert_eq!(message(Box::new("borrowed")), "borrowed");
    assert_eq!(message(Box::new(17_u8)), "a Rust panic whose payload is not text");
    let payload = std::panic::catch_unwind(|| std::panic::panic_any(3.5_f64)).unwrap_err();
    assert_eq!(message(payload), "a Rust panic whose payload is not text");
}
