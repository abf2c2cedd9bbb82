//! bindery's runtime modules as they are written into generated crates:
//! each file is compiled here unchanged, in the oldest edition it must
//! support, so its tests (`tests/`) test the code users get. Each has the
//! name the glue gives it, so that their paths to each other (`super::`)
//! resolve here as they do there.

#[path = "../../src/runtime/attach.rs"]
pub mod bindery_attach;

#[path = "../../src/runtime/queue.rs"]
pub mod bindery_queue;

#[path = "../../src/runtime/tokio.rs"]
pub mod bindery_tokio;

#[path = "../../src/runtime/answer.rs"]
pub mod bindery_answer;

#[path = "../../src/runtime/coroutine.rs"]
pub mod bindery_coroutine;

// What a glue module provides its runtime modules, as a package without
// tokio has it.

/// Runs `f` where futures are polled and dropped: as they are.
pub fn bindery_in_runtime<T>(f: impl FnOnce() -> T) -> T {
    f()
}

/// Nothing to start.
pub fn bindery_runtime_ready() -> pyo3::PyResult<()> {
    Ok(())
}

/// A panic as an exception: `RuntimeError("panicked: <message>")` here.
pub fn bindery_panic(_py: pyo3::Python<'_>, payload: Box<dyn std::any::Any + Send>) -> pyo3::PyErr {
    let message = bindery_calls::message(payload);
    pyo3::exceptions::PyRuntimeError::new_err(format!("panicked: {}", message))
}

#[path = "../../src/runtime/calls.rs"]
pub mod bindery_calls;

#[path = "../../src/runtime/finder.rs"]
pub mod bindery_finder;

#[path = "../../src/runtime/held.rs"]
pub mod bindery_held;
