//! The exit hook `install` registers drops the futures still pending, so
//! their cleanup runs; a coroutine created after it has its future dropped
//! at once. (A process of its own: the hook's flag is process-wide.)

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bindery_runtime_tests::bindery_coroutine::{coroutine, install};
use pyo3::prelude::*;
use pyo3::types::PyModule;
use pyo3::IntoPyObjectExt;

/// Never ready; records its drop.
struct Never(Arc<AtomicBool>);

impl Future for Never {
    type Output = u32;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<u32> {
        Poll::Pending
    }
}

impl Drop for Never {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn finish(py: Python<'_>, value: u32) -> PyResult<Py<PyAny>> {
    value.into_py_any(py)
}

#[test]
fn the_exit_hook_drops_pending_futures_and_later_ones_at_once() {
    let before = Arc::new(AtomicBool::new(false));
    let after = Arc::new(AtomicBool::new(false));
    Python::attach(|py| {
        install(&PyModule::new(py, "pkg._native").unwrap()).unwrap();
        let pending = coroutine("pkg.f", false, Never(Arc::clone(&before)), finish).unwrap();
        assert!(!before.load(Ordering::SeqCst));
        // What the interpreter does when it exits.
        py.import("atexit").unwrap().call_method0("_run_exitfuncs").unwrap();
        assert!(before.load(Ordering::SeqCst), "the pending future was dropped");
        let late = coroutine("pkg.g", false, Never(Arc::clone(&after)), finish).unwrap();
        assert!(after.load(Ordering::SeqCst), "a future after the hook is dropped at once");
        drop((pending, late));
    });
}
