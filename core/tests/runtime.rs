use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use boxkit::{
    BoxConfig, BoxState, BoxkitError, CopyDirection, EventListener, ExecPolicy, PathKind, Runtime,
};

fn runtime() -> (tempfile::TempDir, Runtime) {
    let dir = tempfile::tempdir().unwrap();
    let rt = Runtime::new(dir.path().join("root").display().to_string()).unwrap();
    (dir, rt)
}

fn argv(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

#[derive(Default)]
struct Log(Mutex<Vec<String>>, Mutex<Vec<std::thread::ThreadId>>);

struct Recorder(Arc<Log>);

impl EventListener for Recorder {
    fn on_box_created(&self, id: String) {
        self.0 .0.lock().unwrap().push(format!("created {id}"))
    }
    fn on_box_started(&self, id: String) {
        self.0 .0.lock().unwrap().push(format!("started {id}"))
    }
    fn on_exec_started(&self, id: String, c: Vec<String>) {
        self.0 .1.lock().unwrap().push(std::thread::current().id());
        self.0
             .0
            .lock()
            .unwrap()
            .push(format!("exec {id} {}", c.join(" ")))
    }
    fn on_exec_completed(&self, id: String, code: i32, d: Duration) {
        assert!(d > Duration::ZERO);
        self.0 .0.lock().unwrap().push(format!("done {id} {code}"))
    }
    fn on_file_copied(&self, id: String, p: String, n: u64, dir: CopyDirection) {
        self.0
             .0
            .lock()
            .unwrap()
            .push(format!("copy {id} {p} {n} {dir:?}"))
    }
    fn on_box_stopped(&self, id: String) {
        self.0 .0.lock().unwrap().push(format!("stopped {id}"))
    }
    fn on_box_removed(&self, id: String) {
        self.0 .0.lock().unwrap().push(format!("removed {id}"))
    }
}

#[test]
fn lifecycle_runs_real_processes_and_reports_events() {
    let (tmp, rt) = runtime();
    let rec = Arc::new(Log::default());
    let handle = rt.add_listener(Box::new(Recorder(Arc::clone(&rec))));
    let mut env = HashMap::new();
    env.insert("GREETING".to_string(), "hi".to_string());
    let b = rt.create_box("web".into(), env).unwrap();
    assert_eq!(b.state(), BoxState::Created);
    b.start().unwrap();
    let out = b
        .exec_checked(argv(&["sh", "-c", "echo $GREETING; pwd"]), Some(5_000))
        .unwrap();
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("hi"));
    assert_eq!(lines.next(), b.workdir().to_str());
    let r = b
        .exec(argv(&["sh", "-c", "echo oops >&2; exit 3"]), None)
        .unwrap();
    assert_eq!((r.exit_code, r.stderr.as_str()), (3, "oops\n"));

    let host = tmp.path().join("in.txt");
    std::fs::write(&host, b"payload").unwrap();
    assert_eq!(b.copy_in(host.clone(), "sub/in.txt".into()).unwrap(), 7);
    assert_eq!(
        b.exec_checked(argv(&["cat", "sub/in.txt"]), None).unwrap(),
        "payload"
    );
    let back = tmp.path().join("out.txt");
    b.copy_out("sub/in.txt".into(), back.clone()).unwrap();
    assert_eq!(std::fs::read(&back).unwrap(), b"payload");

    b.stop().unwrap();
    rt.remove_box("web".into()).unwrap();
    assert!(rt.list_boxes().is_empty());
    assert!(rt.remove_listener(handle));
    assert!(!rt.remove_listener(handle));
    let events = rec.0.lock().unwrap().clone();
    assert_eq!(
        events,
        [
            "created web",
            "started web",
            "exec web sh -c echo $GREETING; pwd",
            "done web 0",
            "exec web sh -c echo oops >&2; exit 3",
            "done web 3",
            "copy web sub/in.txt 7 In",
            "exec web cat sub/in.txt",
            "done web 0",
            "copy web sub/in.txt 7 Out",
            "stopped web",
            "removed web",
        ]
    );
    let main = std::thread::current().id();
    assert!(
        rec.1.lock().unwrap().iter().all(|t| *t != main),
        "exec events come from workers"
    );
}

#[test]
fn errors_carry_their_data() {
    let (_tmp, rt) = runtime();
    assert_eq!(
        rt.get_box("nope".into()).err(),
        Some(BoxkitError::NotFound {
            box_id: "nope".into()
        })
    );
    let b = rt.create_box("a".into(), HashMap::new()).unwrap();
    assert!(matches!(
        rt.create_box("a".into(), HashMap::new()),
        Err(BoxkitError::AlreadyExists { .. })
    ));
    assert!(matches!(
        rt.create_box("A".into(), HashMap::new()),
        Err(BoxkitError::InvalidName { .. })
    ));
    assert!(matches!(
        b.exec(argv(&["true"]), None),
        Err(BoxkitError::InvalidState { .. })
    ));
    b.start().unwrap();
    assert_eq!(b.exec(vec![], None).err(), Some(BoxkitError::EmptyCommand));
    let failed = b
        .exec_checked(argv(&["sh", "-c", "echo bad >&2; exit 2"]), None)
        .unwrap_err();
    assert_eq!(
        failed.to_string(),
        "'sh -c echo bad >&2; exit 2' exited with code 2: bad"
    );
    assert_eq!(
        b.exec(argv(&["sleep", "5"]), Some(50)).err(),
        Some(BoxkitError::Timeout { after_ms: 50 })
    );
    assert!(matches!(
        b.exec(argv(&["/no/such/program"]), None),
        Err(BoxkitError::SpawnFailed { .. })
    ));
    assert!(matches!(
        b.exec(argv(&["sh", "-c", "kill -9 $$"]), None),
        Err(BoxkitError::Signaled { signal: 9 })
    ));
    b.set_max_output_bytes(10);
    assert!(matches!(
        b.exec(argv(&["sh", "-c", "yes | head -c 100"]), None),
        Err(BoxkitError::OutputTooLarge {
            limit_bytes: 10,
            actual_bytes: 100
        })
    ));
    assert!(matches!(
        b.read_file("../x".into()),
        Err(BoxkitError::PathEscape { .. })
    ));
    assert!(matches!(
        b.read_file("missing".into()),
        Err(BoxkitError::FileNotFound { .. })
    ));
    assert!(matches!(
        b.set_env("A=B".into(), "x".into()),
        Err(BoxkitError::InvalidEnv { .. })
    ));
    assert!(matches!(
        Runtime::new(String::new()),
        Err(BoxkitError::RootUnavailable { .. })
    ));
}

struct Deny;
impl ExecPolicy for Deny {
    fn allow_exec(&self, _: String, command: Vec<String>) -> Result<bool, BoxkitError> {
        if command[0] == "rm" {
            return Err(BoxkitError::PolicyRejected {
                command: command.join(" "),
                reason: "no rm".into(),
            });
        }
        Ok(command[0] != "curl")
    }
}

#[test]
fn policy_is_consulted() {
    let (_tmp, rt) = runtime();
    rt.set_policy(Some(Arc::new(Deny)));
    let b = rt.create_box("p".into(), HashMap::new()).unwrap();
    b.start().unwrap();
    assert!(b.exec(argv(&["true"]), None).is_ok());
    assert!(matches!(
        b.exec(argv(&["curl"]), None),
        Err(BoxkitError::PolicyRejected { .. })
    ));
    let err = b.exec(argv(&["rm", "-rf"]), None).unwrap_err();
    assert_eq!(err.to_string(), "the exec policy rejected 'rm -rf': no rm");
    rt.set_policy(None);
    assert!(b.exec(argv(&["sh", "-c", "exit 0"]), None).is_ok());
}

#[test]
fn stat_and_configured_boxes() {
    let (_tmp, rt) = runtime();
    let config = BoxConfig {
        name: "cfg".into(),
        env: HashMap::new(),
        max_output_bytes: 4,
    };
    let b = rt.create_box_with(config).unwrap();
    b.start().unwrap();
    assert!(matches!(
        b.exec(argv(&["echo", "too long"]), None),
        Err(BoxkitError::OutputTooLarge { limit_bytes: 4, .. })
    ));
    assert_eq!(b.stat("nope".into()).unwrap(), PathKind::Missing);
    b.write_file("d/f.txt".into(), b"12345".to_vec()).unwrap();
    assert_eq!(
        b.stat("d/f.txt".into()).unwrap(),
        PathKind::File { size: 5 }
    );
    assert_eq!(
        b.stat("d".into()).unwrap(),
        PathKind::Directory { entries: 1 }
    );
    std::os::unix::fs::symlink("f.txt", b.workdir().join("d/link")).unwrap();
    assert_eq!(
        b.stat("d/link".into()).unwrap(),
        PathKind::Symlink {
            target: "f.txt".into()
        }
    );
    assert!(matches!(
        b.stat("../x".into()),
        Err(BoxkitError::PathEscape { .. })
    ));
}

#[test]
fn small_queries() {
    let (_tmp, rt) = runtime();
    let b = rt.create_box("q".into(), HashMap::new()).unwrap();
    assert_eq!(b.max_output_bytes(), boxkit::DEFAULT_MAX_OUTPUT_BYTES);
    assert!(b
        .host_path("a/b".into())
        .unwrap()
        .ends_with("/boxes/q/work/a/b"));
    assert!(matches!(
        b.host_path("../x".into()),
        Err(BoxkitError::PathEscape { .. })
    ));
    let config = BoxConfig {
        name: "ok".into(),
        env: HashMap::new(),
        max_output_bytes: 0,
    };
    assert_eq!(
        rt.check_config(config).unwrap().max_output_bytes,
        boxkit::DEFAULT_MAX_OUTPUT_BYTES
    );
    let bad = BoxConfig {
        name: "Bad".into(),
        env: HashMap::new(),
        max_output_bytes: 1,
    };
    assert!(matches!(
        rt.check_config(bad),
        Err(BoxkitError::InvalidName { .. })
    ));
    assert_eq!(
        boxkit::shell_join(argv(&["echo", "a b", "it's", ""])),
        "echo 'a b' 'it'\\''s' ''"
    );
}

#[test]
fn ping_reaches_every_listener_from_every_thread() {
    let (_tmp, rt) = runtime();
    let rec = Arc::new(Log::default());
    rt.add_listener(Box::new(Recorder(Arc::clone(&rec))));
    rt.ping_listeners("p".into(), 4, 25);
    assert_eq!(
        rec.0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| *e == "started p")
            .count(),
        100
    );
}

#[test]
fn allow_programs_allows_only_the_listed_programs() {
    let policy = boxkit::allow_programs(vec!["echo".into()]);
    assert!(policy
        .allow_exec("b".into(), vec!["echo".into(), "hi".into()])
        .unwrap());
    assert!(!policy.allow_exec("b".into(), vec!["rm".into()]).unwrap());
    assert!(!policy.allow_exec("b".into(), vec![]).unwrap());
    let (_dir, rt) = runtime();
    assert!(rt.policy().is_none());
    rt.set_policy(Some(policy.clone()));
    assert!(Arc::ptr_eq(&rt.policy().unwrap(), &policy));
}
