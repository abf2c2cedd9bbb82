//! How a call into the core runs: with the GIL released (`detach`) or,
//! for the calls an API lists in `[gil] keep`, kept (`attached`); either
//! way a panic of the core becomes a Python exception instead of unwinding
//! into the interpreter. The package gives the exception:
//! `super::bindery_panic(py, payload)` (its `PanicError`, with `message`).
//!
//! This file is bindery's runtime, not per-API code: `bindery generate`
//! writes it unchanged (with its header) beside the glue of every package
//! with a call, as the module `bindery_calls`. `codegen/runtime-tests`
//! compiles it as it is and tests it.

// A package whose calls all keep the GIL never detaches, and the other way
// round.
#![allow(dead_code)]

/// Runs `call` with the GIL released; a panic is the package's exception.
pub fn detach<T: Send>(
    py: ::pyo3::Python<'_>,
    call: impl FnOnce() -> T + Send,
) -> ::pyo3::PyResult<T> {
    let outcome = py.detach(|| ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(call)));
    outcome.map_err(|payload| super::bindery_panic(py, payload))
}

/// `detach` without releasing the GIL, for the `[gil] keep` calls.
pub fn attached<T>(py: ::pyo3::Python<'_>, call: impl FnOnce() -> T) -> ::pyo3::PyResult<T> {
    let outcome = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(call));
    outcome.map_err(|payload| super::bindery_panic(py, payload))
}

/// A panic's message: its payload when that is text (what `panic!` with a
/// message makes), else a sentence saying it is not.
pub fn message(payload: Box<dyn ::std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => match payload.downcast::<&str>() {
            Ok(text) => text.to_string(),
            Err(_) => "a Rust panic whose payload is not text".to_string(),
        },
    }
}
