//! How Rust threads enter Python: `attach` runs a closure with the GIL, or
//! not at all once the interpreter is shutting down. Attaching then can
//! crash the process (CPython ends a thread that waits for the GIL while
//! the interpreter finalizes, unwinding through Rust frames, and a thread
//! that attaches after `Py_Finalize` touches freed state), and below 3.13
//! the limited API has no `Py_IsFinalizing` to ask. So the package watches
//! its own exit: an `atexit` hook, which runs before the interpreter
//! starts finalizing, closes the gate and waits (without the GIL, for a
//! bounded time) until no thread is between the gate and the GIL; after
//! that no thread of this package asks for the GIL.
//!
//! This file is bindery's runtime, not per-API code: `bindery generate`
//! writes it unchanged (with its header) beside the glue of a package whose
//! Rust threads call into Python (listeners, the event thread, async
//! wakers), as the module `bindery_attach`. `codegen/runtime-tests`
//! compiles it as it is and tests it.

// Not every package uses every function.
#![allow(dead_code)]

use ::pyo3::types::PyAnyMethods as _;

/// Set by the exit hook: no thread attaches any more.
static BINDERY_CLOSED: ::std::sync::atomic::AtomicBool =
    ::std::sync::atomic::AtomicBool::new(false);

/// Threads between the gate and the end of their visit to Python.
static BINDERY_INSIDE: ::std::sync::atomic::AtomicUsize = ::std::sync::atomic::AtomicUsize::new(0);

/// How long the exit hook waits for the threads inside to leave.
const BINDERY_LEAVE_WAIT: ::std::time::Duration = ::std::time::Duration::from_secs(2);

/// Counts a thread inside (in all, and on this thread) while it lives.
struct BinderyInside;

impl BinderyInside {
    fn enter() -> Self {
        BINDERY_INSIDE.fetch_add(1, ::std::sync::atomic::Ordering::SeqCst);
        BINDERY_OWN.with(|own| own.set(own.get() + 1));
        BinderyInside
    }
}

impl Drop for BinderyInside {
    fn drop(&mut self) {
        BINDERY_OWN.with(|own| own.set(own.get() - 1));
        BINDERY_INSIDE.fetch_sub(1, ::std::sync::atomic::Ordering::SeqCst);
    }
}

/// Runs `f` attached to the interpreter (at once if this thread already
/// is); `None`, without asking for the GIL, once the package's exit hook
/// ran or the interpreter is not initialized.
pub fn attach<R>(f: impl for<'py> FnOnce(::pyo3::Python<'py>) -> R) -> Option<R> {
    let _inside = BinderyInside::enter();
    // After the increment: either the hook sees this thread inside and
    // waits for it, or this load sees the gate closed.
    if BINDERY_CLOSED.load(::std::sync::atomic::Ordering::SeqCst) {
        return None;
    }
    if !BINDERY_KEEPS.with(::std::cell::Cell::get) {
        keep_thread_state();
    }
    ::pyo3::Python::try_attach(f)
}

/// The Python thread state a Rust thread keeps from its first visit to
/// Python until it exits. Without it, every visit makes a thread state and
/// destroys it again (`PyGILState_Ensure` and `PyGILState_Release` around
/// the call, with a frame-stack chunk mapped and unmapped each time), and
/// `threading.local()` values do not survive from one callback to the
/// next. With it, a visit only takes and gives back the GIL.
struct BinderyKept {
    state: *mut ::pyo3::ffi::PyThreadState,
    gil: ::pyo3::ffi::PyGILState_STATE,
}

::std::thread_local! {
    /// Whether this thread keeps a thread state (`BINDERY_KEPT` holds it).
    static BINDERY_KEEPS: ::std::cell::Cell<bool> = const { ::std::cell::Cell::new(false) };
    static BINDERY_KEPT: ::std::cell::RefCell<Option<BinderyKept>> =
        const { ::std::cell::RefCell::new(None) };
}

/// Gives this thread a thread state of its own for its lifetime, unless it
/// has one already (a thread Python started, or one inside a visit).
fn keep_thread_state() {
    // SAFETY: `Py_IsInitialized` and `PyGILState_GetThisThreadState` may
    // be called without the GIL. `PyGILState_Ensure` (with the interpreter
    // initialized and not finalizing: the gate is open) makes this
    // thread's state and takes the GIL; `PyEval_SaveThread` gives the GIL
    // back, keeping the state, which this thread alone uses from now on.
    unsafe {
        if ::pyo3::ffi::Py_IsInitialized() == 0
            || !::pyo3::ffi::PyGILState_GetThisThreadState().is_null()
        {
            return;
        }
        let gil = ::pyo3::ffi::PyGILState_Ensure();
        let state = ::pyo3::ffi::PyEval_SaveThread();
        BINDERY_KEPT.with(|kept| *kept.borrow_mut() = Some(BinderyKept { state, gil }));
    }
    BINDERY_KEEPS.with(|keeps| keeps.set(true));
}

/// The thread exits: its state is released, with the GIL (taken for that
/// through the gate, so the exit hook waits for it). Once the gate is
/// closed the interpreter is finalizing or gone, and the state with it:
/// nothing is touched.
impl Drop for BinderyKept {
    fn drop(&mut self) {
        let _inside = BinderyInside::enter();
        if BINDERY_CLOSED.load(::std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        // SAFETY: `state` is this thread's, made by `PyGILState_Ensure` in
        // `keep_thread_state` and detached since; the interpreter is alive
        // (the gate is open, and the exit hook waits for this thread).
        // `PyEval_RestoreThread` takes the GIL with it, and the matching
        // `PyGILState_Release` (its count back to zero) clears and deletes
        // it and releases the GIL.
        unsafe {
            ::pyo3::ffi::PyEval_RestoreThread(self.state);
            ::pyo3::ffi::PyGILState_Release(self.gil);
        }
    }
}

/// Whether the gate is closed: the interpreter is exiting.
pub fn closed() -> bool {
    BINDERY_CLOSED.load(::std::sync::atomic::Ordering::SeqCst)
}

/// The exit hook: closes the gate, then lets the threads inside finish
/// (the GIL released meanwhile), for `BINDERY_LEAVE_WAIT` at most.
#[::pyo3::pyfunction]
#[pyo3(name = "_bindery_close_attach")]
pub fn close(py: ::pyo3::Python<'_>) {
    BINDERY_CLOSED.store(true, ::std::sync::atomic::Ordering::SeqCst);
    // This thread is attached, perhaps through `attach` (an exit inside a
    // callback): it does not wait for itself.
    let own = BINDERY_OWN.with(::std::cell::Cell::get);
    py.detach(|| {
        let deadline = ::std::time::Instant::now() + BINDERY_LEAVE_WAIT;
        while BINDERY_INSIDE.load(::std::sync::atomic::Ordering::SeqCst) > own
            && ::std::time::Instant::now() < deadline
        {
            ::std::thread::sleep(::std::time::Duration::from_millis(1));
        }
    });
}

::std::thread_local! {
    /// How deep this thread is in `attach`.
    static BINDERY_OWN: ::std::cell::Cell<usize> = const { ::std::cell::Cell::new(0) };
}

/// Registers the exit hook, once per process. Called first at module
/// initialization: `atexit` runs hooks last-registered first, so the
/// package's other exit hooks (which may still deliver events) run before
/// the gate closes.
pub fn install(module: &::pyo3::Bound<'_, ::pyo3::types::PyModule>) -> ::pyo3::PyResult<()> {
    static BINDERY_INSTALLED: ::std::sync::atomic::AtomicBool =
        ::std::sync::atomic::AtomicBool::new(false);
    if BINDERY_INSTALLED.swap(true, ::std::sync::atomic::Ordering::SeqCst) {
        return Ok(());
    }
    let hook = ::pyo3::wrap_pyfunction!(close, module)?;
    module.py().import("atexit")?.call_method1("register", (hook,))?;
    Ok(())
}
