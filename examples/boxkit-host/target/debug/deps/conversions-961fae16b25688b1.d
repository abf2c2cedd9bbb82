/work/main/examples/boxkit-host/target/debug/deps/conversions-961fae16b25688b1.d: tests/conversions.rs

/work/main/examples/boxkit-host/target/debug/deps/libconversions-961fae16b25688b1.rmeta: tests/conversions.rs

tests/conversions.rs:
