//! How Rust awaits an `[Async]` method implemented in Python: the method
//! is called with the GIL, and what it returns becomes an `Answer`, a
//! future Rust can poll without Python. A coroutine is scheduled on the
//! event loop the object was passed to Rust from (or the loop running in
//! the calling thread) with `run_coroutine_threadsafe`; its done callback
//! stores the result and wakes the Rust task. Dropping the `Answer` before
//! then cancels the coroutine, as UniFFI does. `uniffi_set_event_loop`
//! (UniFFI's name) sets one loop for them all.
//!
//! This file is bindery's runtime, not per-API code: `bindery generate`
//! writes it unchanged (with its header) beside the glue of a package with
//! `[Async]` callback methods, as the module `bindery_answer`.
//! `codegen/runtime-tests` compiles it as it is and tests it.

use ::pyo3::types::PyAnyMethods as _;

/// What the coroutine answers, once its loop ran it.
#[derive(Default)]
struct State {
    value: Option<::pyo3::PyResult<::pyo3::Py<::pyo3::PyAny>>>,
    waker: Option<::std::task::Waker>,
    /// The `concurrent.futures.Future` of the coroutine running on its
    /// loop, until it is done: cancelled if Rust drops the answer first.
    running: Option<::pyo3::Py<::pyo3::PyAny>>,
}

type Shared = ::std::sync::Arc<::std::sync::Mutex<State>>;

/// Locks the state; a panic while it was held left nothing half-done
/// (every update is a single assignment).
fn lock(state: &Shared) -> ::std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(::std::sync::PoisonError::into_inner)
}

/// The loop `uniffi_set_event_loop` set, if any: where every coroutine runs.
static SET_LOOP: ::std::sync::Mutex<Option<::pyo3::Py<::pyo3::PyAny>>> =
    ::std::sync::Mutex::new(None);

/// UniFFI's `uniffi_set_event_loop`: the event loop the coroutines of the
/// package's `[Async]` callback methods run on from now on, whichever
/// thread passed the object or calls it (`None`: each runs on the loop
/// that was running where its object was passed to Rust, or where Rust
/// calls it, again).
// Registered only where Rust awaits Python outside the test hooks: a
// package whose bridges only the hooks build has this module without it.
#[allow(dead_code)]
#[::pyo3::pyfunction]
#[pyo3(signature = (eventloop))]
pub fn uniffi_set_event_loop(eventloop: Option<::pyo3::Py<::pyo3::PyAny>>) {
    let previous = {
        let mut set = SET_LOOP.lock().unwrap_or_else(::std::sync::PoisonError::into_inner);
        ::std::mem::replace(&mut *set, eventloop)
    };
    // Released after the lock: dropping a loop may run Python code.
    drop(previous);
}

/// The loop `uniffi_set_event_loop` set.
fn set_loop(py: ::pyo3::Python<'_>) -> Option<::pyo3::Py<::pyo3::PyAny>> {
    let set = SET_LOOP.lock().unwrap_or_else(::std::sync::PoisonError::into_inner);
    set.as_ref().map(|l| l.clone_ref(py))
}

/// The event loop running in this thread, if any: where the `[Async]`
/// methods of a Python object passed to Rust now run their coroutines.
pub fn running_loop(py: ::pyo3::Python<'_>) -> Option<::pyo3::Py<::pyo3::PyAny>> {
    let asyncio = py.import("asyncio").ok()?;
    asyncio.call_method0("get_running_loop").ok().map(::pyo3::Bound::unbind)
}

/// The future of an `[Async]` method implemented in Python.
pub struct Answer(Shared);

/// Rust dropped the answer before the coroutine finished (a timeout, a
/// `select!`, a cancelled caller): the coroutine is cancelled and sees
/// `CancelledError` where it awaits. Once the interpreter is exiting,
/// nothing can be cancelled and nothing is.
impl Drop for Answer {
    fn drop(&mut self) {
        // Taken before `cancel()`, which runs the done callback (it locks).
        let Some(running) = lock(&self.0).running.take() else {
            return;
        };
        super::bindery_attach::attach(|py| {
            let _ = running.call_method0(py, "cancel");
        });
    }
}

impl ::std::future::Future for Answer {
    type Output = ::pyo3::PyResult<::pyo3::Py<::pyo3::PyAny>>;

    fn poll(
        self: ::std::pin::Pin<&mut Self>,
        cx: &mut ::std::task::Context<'_>,
    ) -> ::std::task::Poll<Self::Output> {
        let mut state = lock(&self.0);
        match state.value.take() {
            Some(value) => ::std::task::Poll::Ready(value),
            None => {
                state.waker = Some(cx.waker().clone());
                ::std::task::Poll::Pending
            }
        }
    }
}

/// Answers with what a Python method returned: a coroutine runs on
/// `event_loop` (or the loop running in this thread) and answers with its
/// result or exception; any other value answers at once. Without a loop, or
/// with a closed one, the answer is that error, at once.
pub fn answer(
    py: ::pyo3::Python<'_>,
    event_loop: Option<&::pyo3::Py<::pyo3::PyAny>>,
    returned: ::pyo3::PyResult<::pyo3::Py<::pyo3::PyAny>>,
) -> Answer {
    let state = Shared::default();
    let scheduled = returned.and_then(|returned| schedule(py, event_loop, returned, &state));
    if let Err(error) = scheduled {
        lock(&state).value = Some(Err(error));
    }
    Answer(state)
}

/// `answer` for a call that returned.
fn schedule(
    py: ::pyo3::Python<'_>,
    event_loop: Option<&::pyo3::Py<::pyo3::PyAny>>,
    returned: ::pyo3::Py<::pyo3::PyAny>,
    state: &Shared,
) -> ::pyo3::PyResult<()> {
    let asyncio = py.import("asyncio")?;
    if !asyncio.call_method1("iscoroutine", (&returned,))?.is_truthy()? {
        lock(state).value = Some(Ok(returned));
        return Ok(());
    }
    let event_loop = event_loop.map(|l| l.clone_ref(py)).or_else(|| running_loop(py));
    // One `uniffi_set_event_loop` set comes first.
    let event_loop = set_loop(py).or(event_loop);
    let scheduled = match event_loop {
        Some(event_loop) => {
            asyncio.call_method1("run_coroutine_threadsafe", (&returned, event_loop))
        }
        None => Err(::pyo3::exceptions::PyRuntimeError::new_err(
            "no asyncio event loop was running when the object was passed to Rust, \
             nor is one running in the thread that called it",
        )),
    };
    let future = match scheduled {
        Ok(future) => future,
        Err(error) => {
            // Never run: closed, so it warns of no missing await.
            let _ = returned.call_method0(py, "close");
            return Err(error);
        }
    };
    lock(state).running = Some(future.clone().unbind());
    let state = ::std::sync::Arc::clone(state);
    let done = ::pyo3::types::PyCFunction::new_closure(py, None, None, move |args, _| {
        let value = args.get_item(0)?.call_method0("result").map(::pyo3::Bound::unbind);
        let (waker, running) = {
            let mut state = lock(&state);
            state.value = Some(value);
            (state.waker.take(), state.running.take())
        };
        drop(running);
        if let Some(waker) = waker {
            waker.wake();
        }
        ::pyo3::PyResult::Ok(())
    })?;
    future.call_method1("add_done_callback", (done,))?;
    Ok(())
}
