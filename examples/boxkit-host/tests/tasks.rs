//! `boxkit-host DIR`: task scripts loaded from a folder and run in
//! dependency order, with the failures a user makes reported by name.

use std::path::PathBuf;
use std::process::Command;

/// A fresh folder holding scripts, removed when the test ends.
struct Scripts(PathBuf);

impl std::ops::Deref for Scripts {
    type Target = PathBuf;

    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl Drop for Scripts {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh folder holding `files` (path, source).
fn scripts(test: &str, files: &[(&str, &str)]) -> Scripts {
    let dir = std::env::temp_dir().join(format!("boxkit-host-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, source) in files {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().expect("a file in the folder")).expect("folder");
        std::fs::write(file, source).expect("script");
    }
    Scripts(dir)
}

/// The exit code, stdout and stderr of the host on `dir`.
fn host(dir: &PathBuf) -> (i32, String, String) {
    // Nothing of the test environment's Python reaches the embedded one.
    let out = Command::new(env!("CARGO_BIN_EXE_boxkit-host"))
        .arg(dir)
        .env("PYTHONPATH", "")
        .env("PYTHONNOUSERSITE", "1")
        .env_remove("VIRTUAL_ENV")
        .output()
        .expect("the host runs");
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(out.stdout),
        text(out.stderr),
    )
}

#[test]
fn tasks_run_in_dependency_order_with_boxkit_objects() {
    let dir = scripts(
        "order",
        &[
            // Named so that file order is not dependency order.
            (
                "a_listing.py",
                "from boxkit_host import task\nfrom setup.base import GREETING\n\n\
                 @task\ndef listing(base):\n    return base.exec(['echo', GREETING])\n",
            ),
            (
                "where.py",
                "import boxkit\nfrom boxkit_host import task\n\n\
                 @task\ndef origin():\n    return type(boxkit.__spec__.loader).__name__\n",
            ),
            (
                "setup/base.py",
                "from boxkit_host import task\n\nGREETING = 'hi'\n\n\
                 @task\ndef base(runtime):\n    box = runtime.create_box('work', {})\n    box.start()\n    return box\n",
            ),
        ],
    );
    let (code, stdout, stderr) = host(&dir);
    assert_eq!(code, 0, "{stderr}");
    // `origin`: the package came from the program, not from an installed wheel.
    let expected = "base: box work (running)\nlisting: exit 0, stdout \"hi\\n\"\n\
                    origin: 'EmbeddedFinder'\n";
    assert_eq!(stdout, expected);
}

#[test]
fn a_failing_task_is_reported_with_its_traceback_and_others_still_run() {
    let dir = scripts(
        "failure",
        &[(
            "jobs.py",
            "from boxkit_host import task\n\n@task\ndef broken():\n    raise ValueError('bad input')\n\n\
             @task\ndef after(broken):\n    return 1\n\n@task\ndef fine():\n    return 2\n\n\
             @task\ndef lookup(runtime):\n    return runtime.get_box('absent')\n",
        )],
    );
    let (code, stdout, stderr) = host(&dir);
    assert_eq!(code, 1);
    // `lookup` raised boxkit's NotFoundError: read back as the core's variant.
    let expected = "broken: failed\nafter: skipped (needs broken, which failed)\nfine: 2\n\
                    lookup: failed: NotFound { box_id: \"absent\" }\n";
    assert_eq!(stdout, expected);
    assert!(stderr.contains("jobs.py\", line 5, in broken"), "{stderr}");
    assert!(stderr.contains("ValueError: bad input"), "{stderr}");
}

#[test]
fn cycles_and_missing_tasks_are_named() {
    let dir = scripts(
        "graph",
        &[(
            "graph.py",
            "from boxkit_host import task\n\n@task\ndef x(y):\n    pass\n\n@task\ndef y(x):\n    pass\n",
        )],
    );
    let (code, stdout, stderr) = host(&dir);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(
        stderr.contains("tasks need each other in a cycle: x -> y -> x"),
        "{stderr}"
    );

    let dir = scripts(
        "missing",
        &[(
            "lonely.py",
            "from boxkit_host import task\n\n@task\ndef z(nothing):\n    pass\n",
        )],
    );
    let (code, _, stderr) = host(&dir);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("task `z` needs `nothing`, which no task provides"),
        "{stderr}"
    );
}

#[test]
fn a_script_that_fails_to_load_is_reported() {
    let dir = scripts(
        "load",
        &[("bad.py", "import boxkit\n\nboxkit.no_such_thing\n")],
    );
    let (code, _, stderr) = host(&dir);
    assert_eq!(code, 1);
    assert!(stderr.contains("cannot load bad"), "{stderr}");
    assert!(stderr.contains("AttributeError"), "{stderr}");
}
