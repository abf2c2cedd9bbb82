/work/main/examples/boxkit-host/target/debug/deps/boxkit_host-874a2958fa785d9b.d: src/main.rs

/work/main/examples/boxkit-host/target/debug/deps/libboxkit_host-874a2958fa785d9b.rmeta: src/main.rs

src/main.rs:
