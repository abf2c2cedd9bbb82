//! How a Python object holds the core's object: `Held<T>`, an `Arc<T>`
//! (it dereferences to one) whose last reference is dropped with the GIL
//! released. A Python object is deallocated with
//! the GIL held; the core's `Drop` may join a thread of its own, and a
//! Rust thread that called into Python needs the GIL once more when it
//! exits (to release its thread state, `bindery_attach`): dropping the
//! last reference with the GIL held would wait for that thread forever.
//! Every other drop is a reference count decremented, as for an `Arc`.
//!
//! This file is bindery's runtime, not per-API code: `bindery generate`
//! writes it unchanged (with its header) beside the glue of a package with
//! interfaces, as the module `bindery_held`. `codegen/runtime-tests`
//! compiles it as it is and tests it.

/// The core's object behind a Python object.
pub struct Held<T: ?Sized + Send + Sync + 'static>(Option<::std::sync::Arc<T>>);

impl<T: ?Sized + Send + Sync + 'static> Held<T> {
    fn arc(&self) -> &::std::sync::Arc<T> {
        match &self.0 {
            Some(arc) => arc,
            // Taken only by `drop`, after which nothing reads it.
            None => unreachable!("a Held value is read after its drop"),
        }
    }
}

impl<T: ?Sized + Send + Sync + 'static> From<::std::sync::Arc<T>> for Held<T> {
    fn from(arc: ::std::sync::Arc<T>) -> Self {
        Held(Some(arc))
    }
}

impl<T: ?Sized + Send + Sync + 'static> Clone for Held<T> {
    fn clone(&self) -> Self {
        Held(Some(::std::sync::Arc::clone(self.arc())))
    }
}

impl<T: ?Sized + Send + Sync + 'static> ::std::ops::Deref for Held<T> {
    type Target = ::std::sync::Arc<T>;

    fn deref(&self) -> &::std::sync::Arc<T> {
        self.arc()
    }
}

impl<T: ?Sized + Send + Sync + ::std::fmt::Debug + 'static> ::std::fmt::Debug for Held<T> {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        ::std::fmt::Debug::fmt(&**self.arc(), f)
    }
}

impl<T: ?Sized + Send + Sync + 'static> Drop for Held<T> {
    fn drop(&mut self) {
        let Some(arc) = self.0.take() else {
            return;
        };
        // Not the last reference: a count decremented, nothing more.
        if ::std::sync::Arc::strong_count(&arc) > 1 {
            return;
        }
        // The last one (dropped with the GIL held: a Python object's
        // deallocation, a call's temporaries): dropped with it released.
        // Attaching only counts an attached thread in again; if the
        // interpreter cannot be attached to, the closure (and `arc` with
        // it) is dropped as it is.
        let _ = ::pyo3::Python::try_attach(|py| py.detach(move || drop(arc)));
    }
}
