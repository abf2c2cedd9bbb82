//! The exit hook: delivers for a bounded time, then closes the queue, drops
//! what is left and says how many on `sys.stderr`; later events are dropped.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bindery_runtime_tests::bindery_queue::{enqueue, events_at_exit, flush, install};
use pyo3::prelude::*;
use pyo3::types::PyModule;

#[test]
fn exit_drains_then_closes_and_reports_what_it_dropped() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let stderr = Python::attach(|py| -> PyResult<Py<PyAny>> {
        let module = PyModule::new(py, "pkg")?;
        install(&module, "pkg")?;
        let capture = py.import("io")?.getattr("StringIO")?.call0()?;
        py.import("sys")?.setattr("stderr", &capture)?;
        Ok(capture.unbind())
    })
    .unwrap();
    let first = Arc::clone(&log);
    enqueue(Box::new(move |py| {
        first.lock().unwrap().push(0);
        // Longer than the exit drain (two seconds), without the GIL.
        py.detach(|| std::thread::sleep(Duration::from_secs(3)));
    }));
    for i in 1..4 {
        let log = Arc::clone(&log);
        enqueue(Box::new(move |_py| log.lock().unwrap().push(i)));
    }
    Python::attach(events_at_exit).unwrap();
    let after = Arc::clone(&log);
    enqueue(Box::new(move |_py| after.lock().unwrap().push(99)));
    // Closed: a flush returns at once, and says nothing was delivered.
    assert!(!Python::attach(|py| flush(py, None)).unwrap());
    assert_eq!(*log.lock().unwrap(), [0]);
    let text: String =
        Python::attach(|py| stderr.call_method0(py, "getvalue")?.extract(py)).unwrap();
    assert_eq!(text, "pkg: 3 queued listener event(s) were not delivered before exit\n");
}
