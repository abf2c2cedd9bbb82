//! bindery's runtime modules as they are written into generated crates:
//! each file is compiled here unchanged, in the oldest edition it must
//! support, so its tests (`tests/`) test the code users get.

#[path = "../../src/runtime/queue.rs"]
pub mod queue;

#[path = "../../src/runtime/tokio.rs"]
pub mod tokio_runtime;
