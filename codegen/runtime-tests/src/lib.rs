//! bindery's runtime modules as they are written into generated crates:
//! each file is compiled here unchanged, in the oldest edition it must
//! support, so its tests (`tests/`) test the code users get. Each has the
//! name the glue gives it, so that their paths to each other (`super::`)
//! resolve here as they do there.

#[path = "../../src/runtime/attach.rs"]
pub mod bindery_attach;

#[path = "../../src/runtime/queue.rs"]
pub mod bindery_queue;

#[path = "../../src/runtime/tokio.rs"]
pub mod bindery_tokio;

#[path = "../../src/runtime/answer.rs"]
pub mod bindery_answer;
