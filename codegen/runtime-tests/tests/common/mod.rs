//! What the thread-state tests share: a module with a `threading.local()`
//! whose values count their finalization.

use std::ffi::CString;
use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3::prelude::*;
use pyo3::types::PyModule;

/// A `threading.local()` and a counter of the objects stored in it that
/// were finalized (a thread state's values go when it is cleared).
pub const HELPERS: &str = r#"
import threading

local = threading.local()
finalized = []

class Marker:
    def __del__(self):
        finalized.append(1)

def visit():
    """Counts this thread's visits in its thread-local storage."""
    if not hasattr(local, "visits"):
        local.visits = 0
        local.marker = Marker()
    local.visits += 1
    return (local.visits, threading.get_ident())
"#;

pub fn helpers(py: Python<'_>) -> Py<PyModule> {
    static MODULES: AtomicUsize = AtomicUsize::new(0);
    let code = CString::new(HELPERS).unwrap();
    let file = CString::new("helpers.py").unwrap();
    let n = MODULES.fetch_add(1, Ordering::SeqCst);
    let name = CString::new(format!("thread_state_helpers_{}", n)).unwrap();
    PyModule::from_code(py, &code, &file, &name).unwrap().unbind()
}
