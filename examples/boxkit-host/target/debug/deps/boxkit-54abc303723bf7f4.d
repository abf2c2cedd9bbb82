/work/main/examples/boxkit-host/target/debug/deps/boxkit-54abc303723bf7f4.d: /work/main/core/src/lib.rs /work/main/core/src/error.rs /work/main/core/src/exec.rs /work/main/core/src/paths.rs

/work/main/examples/boxkit-host/target/debug/deps/libboxkit-54abc303723bf7f4.rmeta: /work/main/core/src/lib.rs /work/main/core/src/error.rs /work/main/core/src/exec.rs /work/main/core/src/paths.rs

/work/main/core/src/lib.rs:
/work/main/core/src/error.rs:
/work/main/core/src/exec.rs:
/work/main/core/src/paths.rs:

# env-dep:CARGO_PKG_VERSION=0.1.0
