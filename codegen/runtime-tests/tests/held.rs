//! The core's object behind a Python object: its last reference is dropped
//! with the GIL released, so a `Drop` that joins a thread which called into
//! Python (and needs the GIL once more to release its thread state when it
//! exits) finishes; other references only count down.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use bindery_runtime_tests::bindery_attach::attach;
use bindery_runtime_tests::bindery_held::Held;
use pyo3::prelude::*;

/// A core object with a thread of its own, joined when it is dropped.
struct Worker {
    thread: Option<thread::JoinHandle<()>>,
    drops: Arc<AtomicUsize>,
}

impl Worker {
    /// Its thread calls into Python once (keeping a thread state), then
    /// ends when told to.
    fn start(stop: mpsc::Receiver<()>, drops: Arc<AtomicUsize>) -> Worker {
        let (called, wait) = mpsc::channel();
        let thread = thread::spawn(move || {
            attach(|py| py.None().is_none(py)).expect("the gate is open");
            called.send(()).unwrap();
            let _ = stop.recv();
        });
        wait.recv().unwrap();
        Worker { thread: Some(thread), drops }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn the_last_reference_dropped_with_the_gil_held_joins_a_thread_that_called_python() {
    // The interpreter starts (`attach` does not start it).
    Python::attach(|_py| ());
    let drops = Arc::new(AtomicUsize::new(0));
    let (stop, stopped) = mpsc::channel();
    let held: Held<Worker> = Arc::new(Worker::start(stopped, Arc::clone(&drops))).into();
    let copy = held.clone();
    let (done, finished) = mpsc::channel();
    // A Python object's deallocation: with the GIL held.
    thread::spawn(move || {
        Python::attach(|_py| {
            drop(copy);
            stop.send(()).unwrap();
            drop(held);
        });
        done.send(()).unwrap();
    });
    finished
        .recv_timeout(Duration::from_secs(20))
        .expect("dropping the last reference with the GIL held deadlocked");
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn it_reads_as_the_arc_it_holds() {
    let held: Held<String> = Arc::new("core".to_string()).into();
    let again = held.clone();
    assert!(Arc::ptr_eq(&held, &again));
    assert_eq!(held.len(), 4);
    assert_eq!(Arc::strong_count(&held), 2);
    drop(again);
    assert_eq!(Arc::strong_count(&held), 1);
    assert_eq!(format!("{:?}", held), "\"core\"");
}
