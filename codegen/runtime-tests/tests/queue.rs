//! The event queue in one process: order, flush, nesting, back-pressure.
//! The queue is per process, so the tests take turns (`serial`).

use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use bindery_runtime_tests::bindery_queue::{enqueue, flush, BinderyEvent};
use pyo3::Python;

/// The test's turn, with the interpreter started (the event thread
/// delivers nothing without one).
fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    Python::attach(|_py| ());
    TURN.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn flushed(timeout: Option<Duration>) -> bool {
    Python::attach(|py| flush(py, timeout)).expect("flush raised")
}

/// Opened once; waited on without the GIL, as a listener blocked in I/O.
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    fn open(&self) {
        *self.0 .0.lock().unwrap() = true;
        self.0 .1.notify_all();
    }

    fn wait(&self, py: Python<'_>) {
        py.detach(|| {
            let open = self.0 .0.lock().unwrap();
            let (open, _) =
                self.0 .1.wait_timeout_while(open, Duration::from_secs(60), |o| !*o).unwrap();
            assert!(*open, "the gate never opened");
        });
    }
}

/// An event that appends `value` to `log`.
fn record<T: Send + 'static>(log: &Arc<Mutex<Vec<T>>>, value: T) -> BinderyEvent {
    let log = Arc::clone(log);
    Box::new(move |_py| log.lock().unwrap().push(value))
}

#[test]
fn each_producers_events_arrive_once_and_in_its_order() {
    let _turn = serial();
    let log = Arc::new(Mutex::new(Vec::new()));
    let producers: Vec<_> = (0..4)
        .map(|p| {
            let log = Arc::clone(&log);
            thread::spawn(move || (0..10_000).for_each(|i| enqueue(record(&log, (p, i)))))
        })
        .collect();
    producers.into_iter().for_each(|p| p.join().unwrap());
    assert!(flushed(None));
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 40_000);
    for p in 0..4 {
        let mine: Vec<i32> = log.iter().filter(|(q, _)| *q == p).map(|(_, i)| *i).collect();
        assert_eq!(mine, (0..10_000).collect::<Vec<_>>(), "producer {p}");
    }
}

#[test]
fn flush_from_an_event_delivers_the_events_sent_before_it_first() {
    let _turn = serial();
    let log = Arc::new(Mutex::new(Vec::new()));
    let inner = Arc::clone(&log);
    enqueue(Box::new(move |py| {
        inner.lock().unwrap().push("outer starts");
        enqueue(record(&inner, "nested"));
        // On the event thread: delivers "nested" itself, never waits for it.
        assert!(flush(py, None).unwrap());
        inner.lock().unwrap().push("outer ends");
    }));
    enqueue(record(&log, "next"));
    assert!(flushed(None));
    assert_eq!(*log.lock().unwrap(), ["outer starts", "next", "nested", "outer ends"]);
}

#[test]
fn flush_with_a_timeout_says_whether_the_events_were_delivered() {
    let _turn = serial();
    let gate = Gate::default();
    let blocked = gate.clone();
    enqueue(Box::new(move |py| blocked.wait(py)));
    assert!(!flushed(Some(Duration::from_millis(50))));
    gate.open();
    assert!(flushed(Some(Duration::from_secs(30))));
}

#[test]
fn a_full_queue_behind_a_stuck_listener_never_blocks_its_producer_for_good() {
    let _turn = serial();
    let (gate, entered) = (Gate::default(), Gate::default());
    let (blocked, entering) = (gate.clone(), entered.clone());
    let stuck = Box::new(move |py: Python<'_>| {
        entering.open();
        blocked.wait(py);
    });
    let log = Arc::new(Mutex::new(Vec::new()));
    let (done, finished) = mpsc::channel();
    let producer_log = Arc::clone(&log);
    thread::spawn(move || {
        enqueue(stuck);
        Python::attach(|py| entered.wait(py));
        // The event thread is stuck in its event. More than the queue holds: the producer waits for room while no
        // event is delivered, then stops waiting and the queue grows.
        for i in 0..70_000 {
            enqueue(record(&producer_log, i));
        }
        done.send(()).unwrap();
    });
    finished.recv_timeout(Duration::from_secs(30)).expect("the producer never returned");
    gate.open();
    assert!(flushed(None));
    assert_eq!(*log.lock().unwrap(), (0..70_000).collect::<Vec<_>>());
}

#[test]
fn a_panicking_event_is_lost_alone() {
    let _turn = serial();
    let log = Arc::new(Mutex::new(Vec::new()));
    enqueue(record(&log, 1));
    enqueue(Box::new(|_py| panic!("an event that panics")));
    enqueue(record(&log, 2));
    assert!(flushed(None));
    assert_eq!(*log.lock().unwrap(), [1, 2]);
}
