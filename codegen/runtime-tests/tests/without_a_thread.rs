//! A process that cannot start the event thread (the test hooks refuse it):
//! the producing thread delivers, in order, and `flush` from its event
//! returns instead of waiting for a thread that is not there.

use std::sync::{Arc, Mutex};
use std::thread;

use bindery_runtime_tests::bindery_queue::{enqueue, flush};
use pyo3::Python;

#[test]
fn the_producer_delivers_and_a_nested_flush_returns() {
    std::env::set_var("BINDERY_TEST_REFUSE_THREADS", "1");
    Python::attach(|_py| ());
    let log = Arc::new(Mutex::new(Vec::new()));
    let producer_log = Arc::clone(&log);
    let producer = thread::spawn(move || {
        let me = thread::current().id();
        for i in 0..3 {
            let log = Arc::clone(&producer_log);
            enqueue(Box::new(move |py| {
                let nested = flush(py, None).unwrap();
                log.lock().unwrap().push((i, thread::current().id() == me, nested));
            }));
        }
    });
    producer.join().unwrap();
    assert!(Python::attach(|py| flush(py, None)).unwrap());
    assert_eq!(*log.lock().unwrap(), [(0, true, true), (1, true, true), (2, true, true)]);
}
