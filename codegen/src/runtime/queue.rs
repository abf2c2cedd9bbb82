//! The package's event queue: queued listener methods (`[listeners.X]
//! queued`, docs/uniffi-compat.md "Queued delivery") send their calls here
//! from any Rust thread without taking the GIL, and one event thread per
//! package delivers them in order, with back-pressure, `flush_events()`,
//! an exit drain and a fresh queue in a forked child.
//!
//! This file is bindery's runtime, not per-API code: `bindery generate`
//! writes it unchanged (with its header) beside the glue of a package that
//! has queued methods, so each package has its own statics (queue, event
//! thread, hooks). `codegen/runtime-tests` compiles it as it is and tests it.

// A package whose queued methods only the test hooks reach sends nothing.
#![allow(dead_code)]

use ::pyo3::types::{PyAnyMethods as _, PyDictMethods as _};

/// A listener event for the event thread: the method, the listener and the
/// Rust arguments, converted and called there, with the GIL.
pub type BinderyEvent = Box<dyn FnOnce(::pyo3::Python<'_>) + Send>;

/// Events that wait at most before a producer waits for room: back-pressure
/// (bindery's docs/uniffi-compat.md, queued delivery).
const BINDERY_QUEUE_CAPACITY: usize = 65536;

/// The package, which names the event thread and what it reports: set by
/// `install` when the native module is initialized.
static BINDERY_PACKAGE: ::std::sync::OnceLock<&'static str> = ::std::sync::OnceLock::new();

fn bindery_package() -> &'static str {
    BINDERY_PACKAGE.get().copied().unwrap_or("bindery")
}

/// How long a producer waits for room while no event is delivered.
const BINDERY_ROOM_WAIT: ::std::time::Duration = ::std::time::Duration::from_secs(1);

/// How long the event thread looks for more events after a batch before it
/// leaves Python and waits, and how often it looks meanwhile.
const BINDERY_LINGER: ::std::time::Duration = ::std::time::Duration::from_millis(2);
const BINDERY_LINGER_STEP: ::std::time::Duration = ::std::time::Duration::from_micros(100);

/// How long the exit hook lets the queued events be delivered.
const BINDERY_EXIT_DRAIN: ::std::time::Duration = ::std::time::Duration::from_secs(2);

struct BinderyQueueState {
    events: ::std::collections::VecDeque<BinderyEvent>,
    /// Events ever queued, and ever delivered (or dropped by `os.fork()`).
    queued: u64,
    delivered: u64,
    /// The event thread runs (`idle`: waiting for events).
    running: bool,
    idle: bool,
    /// Producers waiting for room; threads waiting in `flush_events`.
    waiting: usize,
    flushing: usize,
    /// Set at interpreter exit: no event is delivered after it.
    closed: bool,
    /// Events dropped because the package had closed the queue.
    dropped: u64,
}

/// The package's event queue: producers push, the event thread takes all.
struct BinderyQueue {
    state: ::std::sync::Mutex<BinderyQueueState>,
    arrived: ::std::sync::Condvar,
    room: ::std::sync::Condvar,
    delivered: ::std::sync::Condvar,
}

impl BinderyQueue {
    const fn new() -> Self {
        BinderyQueue {
            state: ::std::sync::Mutex::new(BinderyQueueState {
                events: ::std::collections::VecDeque::new(),
                queued: 0,
                delivered: 0,
                running: false,
                idle: false,
                waiting: 0,
                flushing: 0,
                closed: false,
                dropped: 0,
            }),
            arrived: ::std::sync::Condvar::new(),
            room: ::std::sync::Condvar::new(),
            delivered: ::std::sync::Condvar::new(),
        }
    }
}

/// How many fork generations get a queue of their own; a chain of forks
/// deeper than that shares the last one.
const BINDERY_GENERATIONS: usize = 64;

/// The event queue of each fork generation: a child made by `os.fork()`
/// moves to the next one, untouched by any thread so far, so no lock is
/// held across the fork (at-fork hooks and the garbage collector run
/// foreign code then) and none can be left locked by a thread the child
/// does not have.
static BINDERY_QUEUES: [BinderyQueue; BINDERY_GENERATIONS] =
    [const { BinderyQueue::new() }; BINDERY_GENERATIONS];

/// This process's fork generation (how many `os.fork()` calls led to it).
static BINDERY_GENERATION: ::std::sync::atomic::AtomicUsize =
    ::std::sync::atomic::AtomicUsize::new(0);

/// The queue of this process.
fn bindery_q() -> &'static BinderyQueue {
    let generation = BINDERY_GENERATION.load(::std::sync::atomic::Ordering::Acquire);
    &BINDERY_QUEUES[generation.min(BINDERY_GENERATIONS - 1)]
}

/// Events delivered so far, counted as they are: producers waiting for room
/// see that events flow.
static BINDERY_PROGRESS: ::std::sync::atomic::AtomicU64 = ::std::sync::atomic::AtomicU64::new(0);

/// Whether the queue is closed, read between events without the lock.
static BINDERY_QUEUE_CLOSED: ::std::sync::atomic::AtomicBool =
    ::std::sync::atomic::AtomicBool::new(false);

::std::thread_local! {
    /// The delivered count at which this producer stopped waiting for room.
    static BINDERY_STALLED_AT: ::std::cell::Cell<Option<u64>> = const { ::std::cell::Cell::new(None) };
    /// Set on the event thread: its own events never wait for room.
    static BINDERY_ON_EVENT_THREAD: ::std::cell::Cell<bool> = const { ::std::cell::Cell::new(false) };
    /// Events the event thread took and has not delivered yet, in order.
    static BINDERY_TAKEN: ::std::cell::RefCell<::std::collections::VecDeque<BinderyEvent>> =
        const { ::std::cell::RefCell::new(::std::collections::VecDeque::new()) };
}

fn bindery_queue() -> ::std::sync::MutexGuard<'static, BinderyQueueState> {
    bindery_q().state.lock().unwrap_or_else(::std::sync::PoisonError::into_inner)
}

/// Queues `event` and returns: the calling thread never takes the GIL for
/// it. A full queue makes it wait for room while events are being
/// delivered; after `BINDERY_ROOM_WAIT` without any delivered (a listener
/// is stuck, or this thread holds the GIL the event thread needs), it stops
/// waiting until events flow again, and the queue grows past its capacity.
/// The event thread itself never waits.
pub fn enqueue(event: BinderyEvent) {
    let mut state = bindery_queue();
    let full = |s: &BinderyQueueState| s.events.len() >= BINDERY_QUEUE_CAPACITY && !s.closed;
    if full(&state) && !BINDERY_ON_EVENT_THREAD.get() {
        let mut progress = BINDERY_PROGRESS.load(::std::sync::atomic::Ordering::Relaxed);
        if BINDERY_STALLED_AT.get() != Some(progress) {
            BINDERY_STALLED_AT.set(None);
            let mut since = ::std::time::Instant::now();
            let slice = ::std::time::Duration::from_millis(50);
            while full(&state) {
                state.waiting += 1;
                state = bindery_q()
                    .room
                    .wait_timeout(state, slice)
                    .unwrap_or_else(::std::sync::PoisonError::into_inner)
                    .0;
                state.waiting -= 1;
                let now = BINDERY_PROGRESS.load(::std::sync::atomic::Ordering::Relaxed);
                if now != progress {
                    (progress, since) = (now, ::std::time::Instant::now());
                } else if since.elapsed() >= BINDERY_ROOM_WAIT {
                    BINDERY_STALLED_AT.set(Some(progress));
                    break;
                }
            }
        }
    }
    if state.closed {
        state.dropped += 1;
        return;
    }
    state.events.push_back(event);
    state.queued += 1;
    bindery_start_delivery(state);
}

/// Gets the queued events delivered: starts the event thread (or, without
/// one, delivers them on this thread), or wakes it if it is idle.
fn bindery_start_delivery(mut state: ::std::sync::MutexGuard<'static, BinderyQueueState>) {
    if !state.running {
        state.running = true;
        if bindery_spawn_event_thread().is_err() {
            // No thread to deliver on: this one delivers, in order, as the
            // event thread would (a listener's `flush_events()` delivers
            // what follows instead of waiting for a thread that is not there).
            state.running = false;
            let events = ::std::mem::take(&mut state.events);
            drop(state);
            let _ = super::bindery_attach::attach(|py| {
                let outer = BINDERY_ON_EVENT_THREAD.replace(true);
                BINDERY_TAKEN.with_borrow_mut(|taken| taken.extend(events));
                bindery_deliver_taken(py);
                BINDERY_ON_EVENT_THREAD.set(outer);
            });
            return;
        }
    }
    if state.idle {
        state.idle = false;
        bindery_q().arrived.notify_one();
    }
}

/// Starts the event thread. The test hooks refuse it when
/// `BINDERY_TEST_REFUSE_THREADS` is set, as a process out of threads would.
fn bindery_spawn_event_thread() -> ::std::io::Result<()> {
    #[cfg(feature = "bindery-test-hooks")]
    if ::std::env::var_os("BINDERY_TEST_REFUSE_THREADS").is_some() {
        return Err(::std::io::Error::other("refused by BINDERY_TEST_REFUSE_THREADS"));
    }
    let builder = ::std::thread::Builder::new().name(format!("{}-events", bindery_package()));
    builder.spawn(bindery_event_thread).map(drop)
}

/// The event thread: takes every queued event at once and delivers them.
/// It stays attached while events keep coming, and waits detached, flagged
/// idle, when they stop (its thread state, like every Rust thread's, is
/// kept from its first delivery to its exit: `bindery_attach`).
fn bindery_event_thread() {
    BINDERY_ON_EVENT_THREAD.set(true);
    loop {
        let closed = {
            let mut state = bindery_queue();
            while state.events.is_empty() && !state.closed {
                state.idle = true;
                state = bindery_q()
                    .arrived
                    .wait(state)
                    .unwrap_or_else(::std::sync::PoisonError::into_inner);
            }
            state.idle = false;
            bindery_take(&mut state)
        };
        if closed {
            break;
        }
        let busy = super::bindery_attach::attach(|py| loop {
            bindery_deliver_taken(py);
            let closed = py.detach(bindery_linger);
            if closed || BINDERY_TAKEN.with_borrow(::std::collections::VecDeque::is_empty) {
                break;
            }
        });
        if busy.is_none() {
            // The interpreter is gone: nothing can be delivered any more.
            break;
        }
    }
    let rest = BINDERY_TAKEN.with_borrow_mut(::std::mem::take);
    let mut state = bindery_queue();
    state.dropped += rest.len() as u64;
    state.running = false;
    bindery_q().delivered.notify_all();
    drop(state);
    drop(rest);
}

/// Moves every queued event to the end of this thread's taken ones (the
/// two deques trade places when it has none, so neither is reallocated),
/// wakes the producers waiting for room; whether the queue is closed.
fn bindery_take(state: &mut BinderyQueueState) -> bool {
    if state.waiting > 0 {
        bindery_q().room.notify_all();
    }
    BINDERY_TAKEN.with_borrow_mut(|taken| {
        if taken.is_empty() {
            ::std::mem::swap(taken, &mut state.events);
        } else {
            taken.extend(state.events.drain(..));
        }
    });
    state.closed
}

/// After a batch: the events that arrive within `BINDERY_LINGER`, looked for
/// every `BINDERY_LINGER_STEP`. The thread is not flagged idle meanwhile, so
/// a producer sending in a burst never has to wake it.
fn bindery_linger() -> bool {
    let mut state = bindery_queue();
    let deadline = ::std::time::Instant::now() + BINDERY_LINGER;
    while state.events.is_empty() && !state.closed {
        let left = deadline.saturating_duration_since(::std::time::Instant::now());
        if left.is_zero() {
            break;
        }
        state = bindery_q()
            .arrived
            .wait_timeout(state, left.min(BINDERY_LINGER_STEP))
            .unwrap_or_else(::std::sync::PoisonError::into_inner)
            .0;
    }
    bindery_take(&mut state)
}

/// Delivers the events this thread took, in order; an exception goes to
/// `sys.unraisablehook` (inside the event). Once the queue is closed the
/// rest are dropped and counted.
fn bindery_deliver_taken(py: ::pyo3::Python<'_>) {
    let mut delivered = 0;
    while let Some(event) = BINDERY_TAKEN.with_borrow_mut(::std::collections::VecDeque::pop_front) {
        if BINDERY_QUEUE_CLOSED.load(::std::sync::atomic::Ordering::Relaxed) {
            let rest = BINDERY_TAKEN.with_borrow_mut(::std::mem::take);
            bindery_queue().dropped += 1 + rest.len() as u64;
            break;
        }
        // A panic converting an argument loses this event, not the thread.
        let _ = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| event(py)));
        delivered += 1;
        BINDERY_PROGRESS.fetch_add(1, ::std::sync::atomic::Ordering::Relaxed);
    }
    let mut state = bindery_queue();
    state.delivered += delivered;
    if state.flushing > 0 {
        bindery_q().delivered.notify_all();
    }
}

/// Waits until every event queued before the call was delivered, at most
/// `timeout`; whether they were. On the event thread (from a listener)
/// it delivers them itself, after the events that come before them.
pub fn flush(
    py: ::pyo3::Python<'_>,
    timeout: Option<::std::time::Duration>,
) -> ::pyo3::PyResult<bool> {
    if BINDERY_ON_EVENT_THREAD.get() {
        bindery_take(&mut bindery_queue());
        bindery_deliver_taken(py);
        return Ok(true);
    }
    let target = {
        let mut state = bindery_queue();
        state.flushing += 1;
        state.queued
    };
    let deadline = timeout.map(|t| ::std::time::Instant::now() + t);
    let slice = ::std::time::Duration::from_millis(50);
    let done = loop {
        // Waits in slices, so that Ctrl-C interrupts a long flush.
        let (done, expired) = py.detach(|| {
            let state = bindery_queue();
            let wait = deadline.map_or(slice, |d| {
                d.saturating_duration_since(::std::time::Instant::now()).min(slice)
            });
            let (state, _) = bindery_q()
                .delivered
                .wait_timeout_while(state, wait, |s| s.delivered < target && !s.closed)
                .unwrap_or_else(::std::sync::PoisonError::into_inner);
            let expired = deadline.is_some_and(|d| ::std::time::Instant::now() >= d);
            (state.delivered >= target, expired)
        });
        if done || expired || bindery_queue().closed {
            break done;
        }
        if let Err(error) = py.check_signals() {
            bindery_queue().flushing -= 1;
            return Err(error);
        }
    };
    bindery_queue().flushing -= 1;
    Ok(done)
}

/// Waits until every listener event queued before the call was delivered:
/// `True`; `False` when `timeout` (seconds) passed first. From inside a
/// listener method, delivers them before returning.
#[::pyo3::pyfunction]
#[pyo3(name = "flush_events", signature = (timeout = None))]
pub fn flush_events(py: ::pyo3::Python<'_>, timeout: Option<f64>) -> ::pyo3::PyResult<bool> {
    let timeout = match timeout {
        None => None,
        Some(t) => Some(::std::time::Duration::try_from_secs_f64(t).map_err(|_| {
            ::pyo3::exceptions::PyValueError::new_err(format!(
                "timeout must be a non-negative number of seconds, not {t}"
            ))
        })?),
    };
    flush(py, timeout)
}

/// At interpreter exit: lets the queued events be delivered for a while,
/// then closes the queue and reports on stderr how many were not.
#[::pyo3::pyfunction]
#[pyo3(name = "_bindery_events_at_exit")]
pub fn events_at_exit(py: ::pyo3::Python<'_>) -> ::pyo3::PyResult<()> {
    let _ = flush(py, Some(BINDERY_EXIT_DRAIN));
    let left = {
        let mut state = bindery_queue();
        state.closed = true;
        BINDERY_QUEUE_CLOSED.store(true, ::std::sync::atomic::Ordering::Relaxed);
        bindery_q().arrived.notify_all();
        bindery_q().room.notify_all();
        bindery_q().delivered.notify_all();
        ::std::mem::take(&mut state.events)
    };
    let mut dropped = left.len() as u64;
    drop(left);
    // The event thread finishes the event it is in (it is Python code).
    dropped += py.detach(|| {
        let state = bindery_queue();
        let (state, _) = bindery_q()
            .delivered
            .wait_timeout_while(state, BINDERY_EXIT_DRAIN, |s| s.running)
            .unwrap_or_else(::std::sync::PoisonError::into_inner);
        state.dropped
    });
    if dropped > 0 {
        let message = format!(
            "{}: {dropped} queued listener event(s) were not delivered before exit\n",
            bindery_package()
        );
        py.import("sys")?.getattr("stderr")?.call_method1("write", (message,))?;
    }
    Ok(())
}

/// In a child made by `os.fork()`: the parent's queued events are the
/// parent's; the child moves to a queue of its own (see `BINDERY_QUEUES`)
/// and starts its own event thread when needed. A fork from a listener
/// leaves this thread the child's event thread, with nothing taken.
#[::pyo3::pyfunction]
#[pyo3(name = "_bindery_events_after_fork_in_child")]
pub fn events_after_fork_in_child() {
    BINDERY_GENERATION.fetch_add(1, ::std::sync::atomic::Ordering::Release);
    BINDERY_TAKEN.with_borrow_mut(::std::collections::VecDeque::clear);
    BINDERY_STALLED_AT.set(None);
    bindery_queue().running = BINDERY_ON_EVENT_THREAD.get();
}

/// Registers the exit and fork hooks of the event queue, once per process,
/// for the package named `package`.
pub fn install(
    module: &::pyo3::Bound<'_, ::pyo3::types::PyModule>,
    package: &'static str,
) -> ::pyo3::PyResult<()> {
    let _ = BINDERY_PACKAGE.set(package);
    static BINDERY_INSTALLED: ::std::sync::atomic::AtomicBool =
        ::std::sync::atomic::AtomicBool::new(false);
    if BINDERY_INSTALLED.swap(true, ::std::sync::atomic::Ordering::Relaxed) {
        return Ok(());
    }
    let py = module.py();
    let at_exit = ::pyo3::wrap_pyfunction!(events_at_exit, module)?;
    py.import("atexit")?.call_method1("register", (at_exit,))?;
    let hooks = ::pyo3::types::PyDict::new(py);
    hooks.set_item(
        "after_in_child",
        ::pyo3::wrap_pyfunction!(events_after_fork_in_child, module)?,
    )?;
    py.import("os")?.call_method("register_at_fork", (), Some(&hooks))?;
    Ok(())
}
