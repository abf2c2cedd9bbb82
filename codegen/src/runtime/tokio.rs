//! The tokio runtime that `[Async]` calls are polled and dropped in
//! (`[async] runtime = "tokio"`), started on first use in each process: a
//! child made by `os.fork()` (multiprocessing's default start method on
//! Linux before Python 3.14) has none of its parent's runtime threads, so
//! its first call starts a runtime of its own.
//!
//! This file is bindery's runtime, not per-API code: `bindery generate`
//! writes it unchanged (with its header) beside the glue of a package that
//! polls in tokio, as the module `bindery_tokio`, so each package has its
//! own runtime. `codegen/runtime-tests` compiles it as it is and tests it.

use ::pyo3::types::{PyAnyMethods as _, PyDictMethods as _};

type BinderyRuntime = &'static ::tokio::runtime::Runtime;

/// The name of the runtime's threads (`<package>-tokio`), set by `install`.
static BINDERY_THREAD_NAME: ::std::sync::OnceLock<&'static str> = ::std::sync::OnceLock::new();

/// Forks so far, counted in the child by the hook `install` registers.
static BINDERY_FORKS: ::std::sync::atomic::AtomicUsize = ::std::sync::atomic::AtomicUsize::new(0);

/// The runtime of this process, and the fork count it was started at. A
/// parent's runtime is leaked in the child: dropping it would wait for
/// threads that do not exist there.
static BINDERY_RUNTIME: ::std::sync::Mutex<Option<(usize, BinderyRuntime)>> =
    ::std::sync::Mutex::new(None);

::std::thread_local! {
    /// `BINDERY_RUNTIME` as this thread last saw it: no lock per call.
    static BINDERY_RUNTIME_SEEN: ::std::cell::Cell<Option<(usize, BinderyRuntime)>> =
        const { ::std::cell::Cell::new(None) };
}

/// The runtime of this process, started on its first call.
pub fn runtime() -> ::pyo3::PyResult<BinderyRuntime> {
    let forks = BINDERY_FORKS.load(::std::sync::atomic::Ordering::Acquire);
    if let Some((at, runtime)) = BINDERY_RUNTIME_SEEN.with(::std::cell::Cell::get) {
        if at == forks {
            return Ok(runtime);
        }
    }
    let mut current = BINDERY_RUNTIME.lock().unwrap_or_else(::std::sync::PoisonError::into_inner);
    let runtime = match *current {
        Some((at, runtime)) if at == forks => runtime,
        _ => {
            let name = BINDERY_THREAD_NAME.get().copied().unwrap_or("bindery-tokio");
            let built = ::tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .thread_name(name)
                .build()
                .map_err(|e| {
                    let message = format!("cannot start the tokio runtime: {}", e);
                    ::pyo3::exceptions::PyRuntimeError::new_err(message)
                })?;
            let runtime: BinderyRuntime = Box::leak(Box::new(built));
            *current = Some((forks, runtime));
            runtime
        }
    };
    BINDERY_RUNTIME_SEEN.with(|seen| seen.set(Some((forks, runtime))));
    Ok(runtime)
}

/// Enters the runtime's context, so a future can reach its timers, sockets
/// and processes; `None` if it cannot be started.
pub fn enter() -> Option<::tokio::runtime::EnterGuard<'static>> {
    runtime().ok().map(::tokio::runtime::Runtime::enter)
}

/// In a child made by `os.fork()`: its next call starts a new runtime.
#[::pyo3::pyfunction]
pub fn forked() {
    BINDERY_FORKS.fetch_add(1, ::std::sync::atomic::Ordering::Release);
}

/// Names the runtime's threads and registers the fork hook, once per
/// process.
pub fn install(
    module: &::pyo3::Bound<'_, ::pyo3::types::PyModule>,
    thread_name: &'static str,
) -> ::pyo3::PyResult<()> {
    if BINDERY_THREAD_NAME.set(thread_name).is_err() {
        return Ok(());
    }
    let py = module.py();
    let hooks = ::pyo3::types::PyDict::new(py);
    hooks.set_item("after_in_child", ::pyo3::wrap_pyfunction!(forked, module)?)?;
    py.import("os")?.call_method("register_at_fork", (), Some(&hooks))?;
    Ok(())
}
