/work/main/examples/boxkit-host/target/debug/deps/tasks-b665397dc218837b.d: tests/tasks.rs

/work/main/examples/boxkit-host/target/debug/deps/libtasks-b665397dc218837b.rmeta: tests/tasks.rs

tests/tasks.rs:

# env-dep:CARGO_BIN_EXE_boxkit-host=placeholder:boxkit-host
