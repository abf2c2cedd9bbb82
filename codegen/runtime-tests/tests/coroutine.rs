//! `[Async]` calls as Python coroutines: awaited by asyncio, woken from
//! another Rust thread, panics raised as the package's exception, the
//! future dropped when the awaiting task is cancelled or the coroutine is
//! closed, and a finished coroutine not awaited twice.

use std::ffi::CString;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

use bindery_runtime_tests::bindery_coroutine::{coroutine, install, Coroutine};
use pyo3::prelude::*;
use pyo3::types::PyModule;
use pyo3::IntoPyObjectExt;

/// A value another thread sets, and whether the future was dropped.
#[derive(Default)]
struct Slot {
    value: Option<u32>,
    waker: Option<Waker>,
}

struct Later {
    slot: Arc<Mutex<Slot>>,
    dropped: Arc<AtomicBool>,
}

impl Future for Later {
    type Output = u32;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        let mut slot = self.slot.lock().unwrap();
        match slot.value.take() {
            Some(value) => Poll::Ready(value),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Drop for Later {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

fn later() -> (Later, Arc<Mutex<Slot>>, Arc<AtomicBool>) {
    let slot = Arc::new(Mutex::new(Slot::default()));
    let dropped = Arc::new(AtomicBool::new(false));
    (Later { slot: Arc::clone(&slot), dropped: Arc::clone(&dropped) }, slot, dropped)
}

/// Sets `value` from another thread after `delay`, and wakes the future.
fn set_later(slot: Arc<Mutex<Slot>>, value: u32, delay: Duration) {
    thread::spawn(move || {
        thread::sleep(delay);
        let waker = {
            let mut slot = slot.lock().unwrap();
            slot.value = Some(value);
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    });
}

fn finish(py: Python<'_>, value: u32) -> PyResult<Py<PyAny>> {
    value.into_py_any(py)
}

const DRIVER: &str = r#"
import asyncio

async def awaited(coroutine):
    return await coroutine

def run(coroutine):
    return asyncio.run(awaited(coroutine))

def run_with_timeout(coroutine, seconds):
    async def main():
        return await asyncio.wait_for(coroutine, seconds)
    return asyncio.run(main())
"#;

/// A module of its own per call (`from_code` reuses a module of the same
/// name, and tests run at once).
fn driver(py: Python<'_>) -> Bound<'_, PyModule> {
    static MODULES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let code = CString::new(DRIVER).unwrap();
    let file = CString::new("driver.py").unwrap();
    let n = MODULES.fetch_add(1, Ordering::SeqCst);
    let name = CString::new(format!("coroutine_driver_{}", n)).unwrap();
    PyModule::from_code(py, &code, &file, &name).unwrap()
}

#[test]
fn a_coroutine_woken_from_another_thread_gives_its_value() {
    let (future, slot, dropped) = later();
    set_later(slot, 42, Duration::from_millis(20));
    let value = Python::attach(|py| {
        let coroutine = Bound::new(py, coroutine("pkg.f", false, future, finish).unwrap()).unwrap();
        assert_eq!(coroutine.getattr("__name__").unwrap().extract::<String>().unwrap(), "f");
        let value = driver(py).getattr("run").unwrap().call1((&coroutine,)).unwrap();
        // Finished: awaiting it again is an error, as for a Python coroutine.
        let again = driver(py).getattr("run").unwrap().call1((&coroutine,)).unwrap_err();
        assert!(again.to_string().contains("cannot reuse"), "{}", again);
        value.extract::<u32>().unwrap()
    });
    assert_eq!(value, 42);
    assert!(dropped.load(Ordering::SeqCst), "a finished future is dropped");
}

#[test]
fn a_future_kept_attached_is_polled_too() {
    let (future, slot, _dropped) = later();
    set_later(slot, 7, Duration::from_millis(5));
    let value = Python::attach(|py| {
        let coroutine = coroutine("pkg.g", true, future, finish).unwrap();
        driver(py).getattr("run").unwrap().call1((coroutine,)).unwrap().extract::<u32>().unwrap()
    });
    assert_eq!(value, 7);
}

#[test]
fn a_panic_is_raised_as_the_packages_exception() {
    let error = Python::attach(|py| {
        let boom = async {
            if true {
                panic!("boom");
            }
            0u32
        };
        let coroutine = coroutine("pkg.h", false, boom, finish).unwrap();
        driver(py).getattr("run").unwrap().call1((coroutine,)).unwrap_err().to_string()
    });
    assert!(error.contains("panicked: boom"), "{}", error);
}

#[test]
fn a_cancelled_task_drops_the_future() {
    let (future, _slot, dropped) = later();
    let error = Python::attach(|py| {
        let coroutine = coroutine("pkg.never", false, future, finish).unwrap();
        let run = driver(py).getattr("run_with_timeout").unwrap();
        run.call1((coroutine, 0.05)).unwrap_err()
    });
    Python::attach(|py| {
        assert!(error.is_instance_of::<pyo3::exceptions::PyTimeoutError>(py), "{}", error)
    });
    assert!(dropped.load(Ordering::SeqCst), "the future is dropped on cancellation");
}

#[test]
fn closing_drops_the_future_at_once() {
    let (future, _slot, dropped) = later();
    Python::attach(|py| {
        let coroutine = Bound::new(py, coroutine("pkg.c", false, future, finish).unwrap()).unwrap();
        assert!(!dropped.load(Ordering::SeqCst));
        coroutine.call_method0("close").unwrap();
        assert!(dropped.load(Ordering::SeqCst));
    });
}

#[test]
fn the_class_is_named_in_the_module_it_is_installed_in() {
    Python::attach(|py| {
        let module = PyModule::new(py, "pkg._native").unwrap();
        install(&module).unwrap();
        let class = py.get_type::<Coroutine>();
        assert_eq!(
            class.getattr("__module__").unwrap().extract::<String>().unwrap(),
            "pkg._native"
        );
    });
}
