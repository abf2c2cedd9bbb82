//! The tokio runtime: one per process, shared by every thread, named by
//! `install`, and a new one after a fork (the child's hook, called here
//! as the child would).

use std::thread;
use std::time::Duration;

use bindery_runtime_tests::bindery_tokio::{enter, forked, install, runtime};
use pyo3::types::PyModule;
use pyo3::Python;

fn address(runtime: &tokio::runtime::Runtime) -> usize {
    runtime as *const tokio::runtime::Runtime as usize
}

#[test]
fn one_runtime_per_process_and_a_new_one_after_a_fork() {
    Python::attach(|py| install(&PyModule::new(py, "pkg")?, "pkg-tokio")).unwrap();
    let first = runtime().unwrap();
    let elsewhere = thread::spawn(|| address(runtime().unwrap())).join().unwrap();
    assert_eq!(address(first), elsewhere);
    let name = first.block_on(async {
        tokio::spawn(async { thread::current().name().map(String::from) }).await.unwrap()
    });
    assert_eq!(name.as_deref(), Some("pkg-tokio"));
    // `enter` gives a context whose timers fire.
    {
        let _inside = enter().expect("the runtime starts");
        let timer = tokio::time::sleep(Duration::from_millis(1));
        first.block_on(timer);
    }
    forked();
    let second = runtime().unwrap();
    assert_ne!(address(first), address(second));
    assert_eq!(address(runtime().unwrap()), address(second));
    let other_thread = thread::spawn(|| address(runtime().unwrap())).join().unwrap();
    assert_eq!(other_thread, address(second));
    second.block_on(async { tokio::time::sleep(Duration::from_millis(1)).await });
}
