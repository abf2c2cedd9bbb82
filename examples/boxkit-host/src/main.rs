//! A Rust program that embeds Python with the boxkit package compiled in
//! (`boxkit_python::bindery_embed`): nothing needs to be installed.
//!
//! - `boxkit-host SCRIPT.py` runs one script.
//! - `boxkit-host DIR` loads every `.py` file under `DIR` (importable by
//!   each other as modules named after their paths), collects the functions
//!   marked `@boxkit_host.task`, and runs them in dependency order: a task
//!   receives, as each parameter, the result of the task of that name
//!   (`runtime` is the host's `boxkit.Runtime`). It prints a report, with
//!   the results read back as Rust values where they are boxkit records.
//!
//! A Python exception prints its traceback; a failed task fails only the
//! tasks that need it. The exit code is 1 if anything failed, 2 for usage.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use boxkit_python::Bindery_FromPython;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyModule};

/// The module task scripts import: the decorator and the registry.
const HOST_MODULE: &std::ffi::CStr = cr#"
"""The host's API for task scripts."""

import inspect

_tasks = {}


def task(function):
    """Marks `function` as a task; its parameters name the tasks it needs."""
    name = function.__name__
    if name in _tasks and _tasks[name] is not function:
        raise ValueError(f"two tasks are named {name!r}")
    _tasks[name] = function
    return function


def _collected():
    return [(name, list(inspect.signature(f).parameters)) for name, f in _tasks.items()]
"#;

/// The parameter every task may take: the host's runtime.
const RUNTIME: &str = "runtime";

fn main() -> ExitCode {
    let Some(target) = std::env::args().nth(1) else {
        eprintln!("usage: boxkit-host SCRIPT.py | DIR");
        return ExitCode::from(2);
    };
    let target = PathBuf::from(target);
    Python::attach(|py| {
        let outcome = if target.is_dir() {
            run_tasks(py, &target)
        } else {
            run_script(py, &target).map(|()| true)
        };
        match outcome {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(error) => {
                eprint!("{}", boxkit_python::bindery_traceback(py, &error));
                ExitCode::FAILURE
            }
        }
    })
}

/// Registers the package, then runs the file as the module `__main__`.
fn run_script(py: Python<'_>, script: &Path) -> PyResult<()> {
    boxkit_python::bindery_embed(py)?;
    let source = std::fs::read_to_string(script)?;
    let file = CString::new(script.display().to_string())?;
    PyModule::from_code(py, &CString::new(source)?, &file, c"__main__")?;
    Ok(())
}

/// Loads the scripts under `dir`, orders their tasks and runs them; `false`
/// if a script, the order or a task failed.
fn run_tasks(py: Python<'_>, dir: &Path) -> PyResult<bool> {
    boxkit_python::bindery_embed(py)?;
    let host = PyModule::from_code(py, HOST_MODULE, c"<boxkit_host>", c"boxkit_host")?;
    let sys = py.import("sys")?;
    sys.getattr("modules")?.set_item("boxkit_host", &host)?;
    // `sys.path` entries are strings (a `pathlib.Path` there is skipped).
    let folder = dir.display().to_string();
    sys.getattr("path")?.call_method1("insert", (0, folder))?;

    let mut ok = true;
    for module in script_modules(dir, dir)? {
        if let Err(error) = py.import(module.as_str()) {
            eprintln!("cannot load {module}:");
            eprint!("{}", boxkit_python::bindery_traceback(py, &error));
            ok = false;
        }
    }
    if !ok {
        return Ok(false);
    }
    let tasks: Vec<(String, Vec<String>)> = host.call_method0("_collected")?.extract()?;
    let order = match order(&tasks) {
        Ok(order) => order,
        Err(problems) => {
            for problem in problems {
                eprintln!("{problem}");
            }
            return Ok(false);
        }
    };

    let registry = host.getattr("_tasks")?;
    let root = std::env::temp_dir().join(format!("boxkit-host-{}", std::process::id()));
    let runtime = py
        .import("boxkit")?
        .getattr("Runtime")?
        .call1((root.display().to_string(),))?;
    let needs: HashMap<&str, &[String]> = tasks
        .iter()
        .map(|(n, p)| (n.as_str(), p.as_slice()))
        .collect();
    let mut results: HashMap<String, Py<PyAny>> = HashMap::new();
    let mut failed: HashSet<String> = HashSet::new();
    for name in order {
        let params = needs[name.as_str()];
        if let Some(missing) = params.iter().find(|p| failed.contains(p.as_str())) {
            println!("{name}: skipped (needs {missing}, which failed)");
            failed.insert(name);
            continue;
        }
        let kwargs = PyDict::new(py);
        for param in params {
            match results.get(param) {
                Some(value) => kwargs.set_item(param, value)?,
                None => kwargs.set_item(param, &runtime)?,
            }
        }
        match registry.get_item(&name)?.call((), Some(&kwargs)) {
            Ok(value) => {
                println!("{name}: {}", describe(&value)?);
                results.insert(name, value.unbind());
            }
            Err(error) => {
                // One of boxkit's exceptions is the core's error value again.
                match boxkit::BoxkitError::bindery_from_python(error.value(py)) {
                    Ok(core) => println!("{name}: failed: {core:?}"),
                    Err(_) => println!("{name}: failed"),
                }
                eprint!("{}", boxkit_python::bindery_traceback(py, &error));
                failed.insert(name);
            }
        }
    }
    // The boxes were the run's own.
    drop(runtime);
    let _ = std::fs::remove_dir_all(&root);
    Ok(failed.is_empty())
}

/// A task's result for the report: a boxkit record read back as the core's
/// value, anything else as its `repr`.
fn describe(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(result) = boxkit::ExecResult::bindery_from_python(value) {
        return Ok(format!(
            "exit {}, stdout {:?}",
            result.exit_code, result.stdout
        ));
    }
    if let Ok(sandbox) = std::sync::Arc::<boxkit::Sandbox>::bindery_from_python(value) {
        return Ok(format!("box {} ({})", sandbox.id(), sandbox.state()));
    }
    Ok(value.repr()?.to_string())
}

/// The module names of the `.py` files under `dir`, sorted (`a/b.py` is `a.b`).
fn script_modules(root: &Path, dir: &Path) -> std::io::Result<Vec<String>> {
    let mut modules = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            modules.extend(script_modules(root, &path)?);
        } else if path.extension().is_some_and(|e| e == "py") {
            let relative = path.strip_prefix(root).unwrap_or(&path).with_extension("");
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            modules.push(parts.join("."));
        }
    }
    Ok(modules)
}

/// The tasks in an order where each runs after the tasks it needs; or every
/// missing task and every cycle, named.
fn order(tasks: &[(String, Vec<String>)]) -> Result<Vec<String>, Vec<String>> {
    let known: HashSet<&str> = tasks.iter().map(|(name, _)| name.as_str()).collect();
    let mut problems = Vec::new();
    let mut needs: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, params) in tasks {
        if name == RUNTIME {
            problems.push(format!(
                "task `{RUNTIME}` is named like the host's runtime parameter"
            ));
        }
        let deps = needs.entry(name.as_str()).or_default();
        for param in params {
            if param == RUNTIME {
                continue;
            }
            if known.contains(param.as_str()) {
                deps.push(param.as_str());
            } else {
                problems.push(format!(
                    "task `{name}` needs `{param}`, which no task provides"
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // Depth-first, in name order: a task is placed after everything it needs.
    let mut placed: Vec<String> = Vec::new();
    let mut done: HashSet<&str> = HashSet::new();
    let mut cycles: Vec<String> = Vec::new();
    for name in needs.keys() {
        let mut path = Vec::new();
        visit(name, &needs, &mut path, &mut done, &mut placed, &mut cycles);
    }
    if cycles.is_empty() {
        Ok(placed)
    } else {
        Err(cycles)
    }
}

fn visit<'a>(
    name: &'a str,
    needs: &BTreeMap<&'a str, Vec<&'a str>>,
    path: &mut Vec<&'a str>,
    done: &mut HashSet<&'a str>,
    placed: &mut Vec<String>,
    cycles: &mut Vec<String>,
) {
    if done.contains(name) {
        return;
    }
    if let Some(start) = path.iter().position(|p| *p == name) {
        let mut cycle: Vec<&str> = path[start..].to_vec();
        cycle.push(name);
        cycles.push(format!(
            "tasks need each other in a cycle: {}",
            cycle.join(" -> ")
        ));
        return;
    }
    path.push(name);
    for dep in needs.get(name).into_iter().flatten() {
        visit(dep, needs, path, done, placed, cycles);
    }
    path.pop();
    done.insert(name);
    placed.push(name.to_string());
}
