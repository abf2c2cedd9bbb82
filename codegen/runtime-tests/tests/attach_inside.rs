//! The exit hook run from inside `attach` (an exit from a callback) does
//! not wait for its own thread.

use std::time::{Duration, Instant};

use bindery_runtime_tests::bindery_attach::{attach, close};
use pyo3::Python;

#[test]
fn closing_from_inside_does_not_wait_for_itself() {
    Python::attach(|_py| ());
    let started = Instant::now();
    let outcome = std::thread::spawn(|| attach(close)).join().unwrap();
    assert_eq!(outcome, Some(()));
    // Not the hook's two-second bound: it did not wait at all.
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
}
