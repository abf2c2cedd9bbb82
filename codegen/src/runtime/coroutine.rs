//! `[Async]` calls as Python coroutines: `coroutine` wraps a core future
//! in a `Coroutine` that asyncio awaits. Each step polls the future on the
//! awaiting thread (the GIL released, unless the call keeps it); while it
//! is pending, the coroutine yields an `asyncio.Future` of the running loop
//! that the future's waker completes from whatever thread wakes it.
//! Closing, throwing into or dropping the coroutine drops the future, with
//! the GIL released; an `atexit` hook (`install`) drops the futures still
//! pending when the interpreter exits, so their cleanup runs.
//!
//! The glue provides `bindery_in_runtime` (where futures are polled and
//! dropped: inside the package's tokio runtime, or as they are),
//! `bindery_runtime_ready` and `bindery_panic` (a panic as the package's
//! exception).
//!
//! This file is bindery's runtime, not per-API code: `bindery generate`
//! writes it unchanged (with its header) beside the glue of a package with
//! `[Async]` calls, as the module `bindery_coroutine`.
//! `codegen/runtime-tests` compiles it as it is and tests it.

use ::pyo3::types::{PyAnyMethods as _, PyModuleMethods as _};

/// Locks a mutex of the async machinery; a panic while it was held left
/// nothing half-done (every update is a single assignment).
fn lock<T>(mutex: &::std::sync::Mutex<T>) -> ::std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(::std::sync::PoisonError::into_inner)
}

/// What a finished core future leaves: a closure making its Python value
/// (or exception) once the GIL is held.
type Finish =
    Box<dyn FnOnce(::pyo3::Python<'_>) -> ::pyo3::PyResult<::pyo3::Py<::pyo3::PyAny>> + Send>;

/// A core future, boxed, ending in its `Finish`.
type BoxedFuture = ::std::pin::Pin<Box<dyn ::std::future::Future<Output = Finish> + Send>>;

/// What a coroutine shares with its waker and, weakly, with the exit hook,
/// from the coroutine's creation until it is dropped: the core's future
/// (`None` once finished or dropped) and how the coroutine waits.
struct Task {
    future: ::std::sync::Mutex<Option<BoxedFuture>>,
    wait: ::std::sync::Mutex<Wait>,
}

/// Every coroutine's task, for the exit hook.
static TASKS: ::std::sync::Mutex<Vec<::std::sync::Weak<Task>>> =
    ::std::sync::Mutex::new(Vec::new());

/// Set by the exit hook: a future is no longer polled, and a poll that is
/// running drops its future when it returns.
static EXITING: ::std::sync::atomic::AtomicBool = ::std::sync::atomic::AtomicBool::new(false);

/// How long the exit hook waits for polls running on other threads.
const EXIT_WAIT: ::std::time::Duration = ::std::time::Duration::from_secs(2);

/// Drops a coroutine's future (inside the runtime, with tokio); a panic in
/// its `Drop` is caught and dropped too: the coroutine is finished anyway.
fn drop_future(future: Option<BoxedFuture>) {
    let Some(future) = future else {
        return;
    };
    super::bindery_in_runtime(move || {
        let _ = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(move || drop(future)));
    });
}

/// `drop_future` from a thread that holds the GIL (every caller of
/// this one does), with the GIL released meanwhile: a `Drop` that blocks
/// on another thread, or calls back into Python from one, must not stall
/// every thread. Once the interpreter is finalizing, dropped as it is.
fn drop_released(future: Option<BoxedFuture>) {
    if future.is_some() {
        let _ = ::pyo3::Python::try_attach(move |py| py.detach(move || drop_future(future)));
    }
}

/// Drops the futures still pending when the interpreter exits (an `atexit`
/// hook), so their cleanup runs: a child process killed on drop is gone.
/// Every future is reachable here from its coroutine's creation on. A poll
/// running on another thread is waited for, up to `EXIT_WAIT` in
/// all; past that, the poll drops its future itself when it returns.
#[::pyo3::pyfunction]
fn drop_pending(py: ::pyo3::Python<'_>) {
    EXITING.store(true, ::std::sync::atomic::Ordering::SeqCst);
    let tasks = ::std::mem::take(&mut *lock(&TASKS));
    // Without the GIL: a poll may need it to return, a future's drop too.
    py.detach(|| {
        let deadline = ::std::time::Instant::now() + EXIT_WAIT;
        for task in tasks.iter().filter_map(::std::sync::Weak::upgrade) {
            loop {
                let future = match task.future.try_lock() {
                    Ok(mut future) => future.take(),
                    Err(::std::sync::TryLockError::Poisoned(future)) => future.into_inner().take(),
                    Err(::std::sync::TryLockError::WouldBlock) => {
                        if ::std::time::Instant::now() >= deadline {
                            break;
                        }
                        ::std::thread::sleep(::std::time::Duration::from_millis(1));
                        continue;
                    }
                };
                drop_future(future);
                break;
            }
        }
    });
}

/// Registers the exit hook of the pending futures and, with tokio, the
/// fork hook of the runtime.
pub fn install(module: &::pyo3::Bound<'_, ::pyo3::types::PyModule>) -> ::pyo3::PyResult<()> {
    let py = module.py();
    // The class is the native module's: `repr` names it there.
    py.get_type::<Coroutine>().setattr("__module__", module.name()?)?;
    let at_exit = ::pyo3::wrap_pyfunction!(drop_pending, module)?;
    py.import("atexit")?.call_method1("register", (at_exit,))?;
    Ok(())
}

/// Registers a new coroutine's task with the exit hook; after the hook ran,
/// its future is dropped at once (the coroutine then raises when awaited).
fn track(task: &::std::sync::Arc<Task>) {
    {
        let mut tasks = lock(&TASKS);
        if tasks.len() == tasks.capacity() {
            tasks.retain(|task| task.strong_count() > 0);
        }
        tasks.push(::std::sync::Arc::downgrade(task));
    }
    // After the push: either the hook's list holds the task, or the hook
    // took its list first and the flag is already visible here.
    if EXITING.load(::std::sync::atomic::Ordering::SeqCst) {
        drop_released(lock(&task.future).take());
    }
}

/// How a coroutine waits: not yet, woken before it waited (poll again at
/// once), or on an `asyncio.Future` of its loop (the loop, the future).
enum Wait {
    Idle,
    Woken,
    Waiting(::pyo3::Py<::pyo3::PyAny>, ::pyo3::Py<::pyo3::PyAny>),
}

impl Task {
    fn swap(&self, wait: Wait) -> Wait {
        ::std::mem::replace(&mut *lock(&self.wait), wait)
    }
}

/// The waker of a coroutine's future completes the `asyncio.Future` it
/// waits on through `call_soon_threadsafe`, from whatever thread wakes it.
impl ::std::task::Wake for Task {
    fn wake(self: ::std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &::std::sync::Arc<Self>) {
        let Wait::Waiting(event_loop, future) = self.swap(Wait::Woken) else {
            return;
        };
        // Once the interpreter is finalizing nobody waits: nothing to do,
        // and nothing may panic or print. A closed loop refuses the call;
        // its task is gone.
        super::bindery_attach::attach(move |py| {
            static RELEASE: ::pyo3::sync::PyOnceLock<::pyo3::Py<::pyo3::PyAny>> =
                ::pyo3::sync::PyOnceLock::new();
            let release = RELEASE.get_or_try_init(py, || {
                ::pyo3::wrap_pyfunction!(release, py).map(|f| f.into_any().unbind())
            });
            if let Ok(release) = release {
                let args = (release.clone_ref(py), future);
                let _ = event_loop.call_method1(py, "call_soon_threadsafe", args);
            }
        });
    }
}

/// Completes the future a coroutine waits on, unless it was cancelled.
#[::pyo3::pyfunction]
fn release(future: &::pyo3::Bound<'_, ::pyo3::PyAny>) -> ::pyo3::PyResult<()> {
    if !future.call_method0("done")?.is_truthy()? {
        future.call_method1("set_result", (future.py().None(),))?;
    }
    Ok(())
}

/// A call of an `[Async]` function: a Python coroutine driving the core's
/// future. Each step polls it on the awaiting thread with the GIL released
/// (kept for `[gil] keep` calls); while it is pending, the event loop runs
/// other tasks. Closing it, throwing into it (a cancelled task) or dropping
/// it drops the future; so does the exit hook, which reaches the future
/// through the task from the coroutine's creation on.
#[::pyo3::pyclass(name = "Coroutine")]
pub struct Coroutine {
    qualname: &'static str,
    /// `None` once finished or closed.
    task: Option<::std::sync::Arc<Task>>,
    /// Whether the future was polled: a later poll first forgets what the
    /// coroutine waited on.
    polled: bool,
    attached: bool,
}

/// A coroutine driving `future`, whose output `finish` converts under the GIL;
/// `attached`: polled with the GIL held (a `[gil] keep` call).
pub fn coroutine<T: Send + 'static>(
    qualname: &'static str,
    attached: bool,
    future: impl ::std::future::Future<Output = T> + Send + 'static,
    finish: fn(::pyo3::Python<'_>, T) -> ::pyo3::PyResult<::pyo3::Py<::pyo3::PyAny>>,
) -> ::pyo3::PyResult<Coroutine> {
    super::bindery_runtime_ready()?;
    let future: BoxedFuture = Box::pin(async move {
        let output = future.await;
        Box::new(move |py: ::pyo3::Python<'_>| finish(py, output)) as Finish
    });
    let task = ::std::sync::Arc::new(Task {
        future: ::std::sync::Mutex::new(Some(future)),
        wait: ::std::sync::Mutex::new(Wait::Idle),
    });
    track(&task);
    Ok(Coroutine { qualname, task: Some(task), polled: false, attached })
}

/// Polls a future once.
fn poll(
    future: &mut BoxedFuture,
    waker: &::std::task::Waker,
) -> Result<::std::task::Poll<Finish>, Box<dyn ::std::any::Any + Send>> {
    super::bindery_in_runtime(|| {
        let mut context = ::std::task::Context::from_waker(waker);
        ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| {
            future.as_mut().poll(&mut context)
        }))
    })
}

/// Whether this is the interpreter's main thread (where `atexit` hooks run).
fn main_thread(py: ::pyo3::Python<'_>) -> bool {
    let threading = py.import("threading");
    let is_main = threading
        .and_then(|t| Ok(t.call_method0("current_thread")?.is(&t.call_method0("main_thread")?)));
    is_main.unwrap_or(false)
}

/// What a step on the main thread gives once the exit hook dropped the
/// future (an `atexit` hook awaiting a call after bindery's ran).
fn exiting_step() -> ::std::task::Poll<Finish> {
    ::std::task::Poll::Ready(Box::new(|_py| {
        let message = "the interpreter is exiting; the call was dropped";
        Err(::pyo3::exceptions::PyRuntimeError::new_err(message))
    }))
}

/// Polls the future of a task once; it is dropped as soon as it is ready or
/// panicked, and when it is pending once the interpreter is exiting: the
/// exit hook, which waits for this poll, then finds it gone. A poll after
/// that raises `RuntimeError`.
fn poll_task(
    task: &::std::sync::Arc<Task>,
) -> Result<::std::task::Poll<Finish>, Box<dyn ::std::any::Any + Send>> {
    let mut future = lock(&task.future);
    let exiting = || EXITING.load(::std::sync::atomic::Ordering::SeqCst);
    let Some(running) = future.as_mut().filter(|_| !exiting()) else {
        drop_future(future.take());
        return Ok(exiting_step());
    };
    let waker = ::std::task::Waker::from(::std::sync::Arc::clone(task));
    let polled = poll(running, &waker);
    match polled {
        // A finished future holds nothing that needs the runtime to drop.
        Ok(::std::task::Poll::Ready(_)) => *future = None,
        // Left pending: an exiting interpreter's thread raises nothing.
        Ok(::std::task::Poll::Pending) if exiting() => drop_future(future.take()),
        Ok(::std::task::Poll::Pending) => {}
        Err(_) => drop_future(future.take()),
    }
    polled
}

impl Coroutine {
    /// Polls the future: its value (as `StopIteration`), its exception, or
    /// what the awaiting task waits on.
    fn _step(&mut self, py: ::pyo3::Python<'_>) -> ::pyo3::PyResult<::pyo3::Py<::pyo3::PyAny>> {
        let Some(task) = self.task.as_ref() else {
            let message = "cannot reuse already awaited coroutine";
            return Err(::pyo3::exceptions::PyRuntimeError::new_err(message));
        };
        if ::std::mem::replace(&mut self.polled, true) {
            drop(task.swap(Wait::Idle));
        }
        if EXITING.load(::std::sync::atomic::Ordering::SeqCst) && !main_thread(py) {
            // A daemon thread that the exiting interpreter is about to stop:
            // the call stays pending, silently (its future is dropped).
            drop_released(lock(&task.future).take());
            return self._wait(py);
        }
        let polled = if self.attached { poll_task(task) } else { py.detach(|| poll_task(task)) };
        match polled {
            Ok(::std::task::Poll::Ready(finish)) => {
                // Finished: dropped as it is, holding nothing.
                self.task = None;
                Err(::pyo3::exceptions::PyStopIteration::new_err((finish(py)?,)))
            }
            Ok(::std::task::Poll::Pending) => self._wait(py),
            Err(payload) => {
                self.close();
                Err(super::bindery_panic(py, payload))
            }
        }
    }

    /// A future of the running loop that the waker completes; `None` (poll
    /// again after one loop iteration) if the waker already fired.
    fn _wait(&mut self, py: ::pyo3::Python<'_>) -> ::pyo3::PyResult<::pyo3::Py<::pyo3::PyAny>> {
        static GET_RUNNING_LOOP: ::pyo3::sync::PyOnceLock<::pyo3::Py<::pyo3::PyAny>> =
            ::pyo3::sync::PyOnceLock::new();
        let get_running_loop = GET_RUNNING_LOOP.import(py, "asyncio", "get_running_loop")?;
        let event_loop = get_running_loop.call0()?;
        let future = event_loop.call_method0("create_future")?;
        if let Some(task) = self.task.as_ref() {
            let mut wait = lock(&task.wait);
            if matches!(*wait, Wait::Woken) {
                return Ok(py.None());
            }
            *wait = Wait::Waiting(event_loop.unbind(), future.clone().unbind());
        }
        // What `asyncio.Future.__await__` sets before it yields the future.
        future.setattr("_asyncio_future_blocking", true)?;
        Ok(future.unbind())
    }
}

#[::pyo3::pymethods]
impl Coroutine {
    fn __await__(slf: ::pyo3::Py<Self>) -> ::pyo3::Py<Self> {
        slf
    }

    fn __next__(&mut self, py: ::pyo3::Python<'_>) -> ::pyo3::PyResult<::pyo3::Py<::pyo3::PyAny>> {
        self._step(py)
    }

    fn send(
        &mut self,
        py: ::pyo3::Python<'_>,
        _value: &::pyo3::Bound<'_, ::pyo3::PyAny>,
    ) -> ::pyo3::PyResult<::pyo3::Py<::pyo3::PyAny>> {
        self._step(py)
    }

    /// Drops the future and raises the exception (a cancelled task's
    /// `CancelledError`) in the awaiting code.
    #[pyo3(signature = (error, value = None, _traceback = None))]
    fn throw(
        &mut self,
        error: &::pyo3::Bound<'_, ::pyo3::PyAny>,
        value: Option<&::pyo3::Bound<'_, ::pyo3::PyAny>>,
        _traceback: Option<&::pyo3::Bound<'_, ::pyo3::PyAny>>,
    ) -> ::pyo3::PyResult<::pyo3::Py<::pyo3::PyAny>> {
        self.close();
        let error = match value {
            Some(value) if !value.is_none() => value,
            _ => error,
        };
        Err(::pyo3::PyErr::from_value(error.clone()))
    }

    fn close(&mut self) {
        if let Some(task) = self.task.take() {
            drop_released(lock(&task.future).take());
            // The loop's future it waited on (which refers to the task
            // holding this coroutine): released, so no cycle outlives it.
            drop(task.swap(Wait::Idle));
        }
    }

    #[getter]
    fn __name__(&self) -> &'static str {
        self.qualname.rsplit('.').next().unwrap_or(self.qualname)
    }

    /// The loop and its future that a pending coroutine waits on: the
    /// future's callback refers to the task holding this coroutine, a cycle
    /// the garbage collector must see (a task abandoned by a closed loop).
    fn __traverse__(&self, visit: ::pyo3::PyVisit<'_>) -> Result<(), ::pyo3::PyTraverseError> {
        // Never blocks: a waker in the middle of a wake-up is skipped.
        let Some(task) = self.task.as_ref() else {
            return Ok(());
        };
        if let Ok(wait) = task.wait.try_lock() {
            if let Wait::Waiting(event_loop, future) = &*wait {
                visit.call(event_loop)?;
                visit.call(future)?;
            }
        }
        Ok(())
    }

    /// Breaks such a cycle: drops the future and what it waits on.
    fn __clear__(&mut self) {
        self.close();
    }

    #[getter]
    fn __qualname__(&self) -> &'static str {
        self.qualname
    }
}

impl Drop for Coroutine {
    fn drop(&mut self) {
        self.close();
    }
}
