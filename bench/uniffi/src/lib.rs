//! boxkit through UniFFI's scaffolding: the benchmarked subset.
//!
//! Callback interfaces cannot be `[Remote]` in UniFFI 0.32.2, so the
//! listener trait is declared here, with boxkit's as its supertrait:
//! UniFFI's handler implements both, and `Box<dyn EventListener>` upcasts to
//! `Box<dyn boxkit::EventListener>` where the core is called.
pub use boxkit::{shell_join, BoxConfig, BoxState, BoxkitError, CopyDirection, Runtime, Sandbox};

use std::time::Duration;

pub trait EventListener: boxkit::EventListener {
    fn on_box_created(&self, box_id: String);
    fn on_box_started(&self, box_id: String);
    fn on_exec_started(&self, box_id: String, command: Vec<String>);
    fn on_exec_completed(&self, box_id: String, exit_code: i32, duration: Duration);
    fn on_file_copied(&self, box_id: String, path: String, bytes: u64, direction: CopyDirection);
    fn on_box_stopped(&self, box_id: String);
    fn on_box_removed(&self, box_id: String);
    fn on_exec_output(&self, box_id: String, chunk: Vec<u8>);
}

impl boxkit::EventListener for UniFFICallbackHandlerEventListener {
    fn on_box_created(&self, box_id: String) {
        EventListener::on_box_created(self, box_id)
    }
    fn on_box_started(&self, box_id: String) {
        EventListener::on_box_started(self, box_id)
    }
    fn on_exec_started(&self, box_id: String, command: Vec<String>) {
        EventListener::on_exec_started(self, box_id, command)
    }
    fn on_exec_completed(&self, box_id: String, exit_code: i32, duration: Duration) {
        EventListener::on_exec_completed(self, box_id, exit_code, duration)
    }
    fn on_file_copied(&self, box_id: String, path: String, bytes: u64, direction: CopyDirection) {
        EventListener::on_file_copied(self, box_id, path, bytes, direction)
    }
    fn on_box_stopped(&self, box_id: String) {
        EventListener::on_box_stopped(self, box_id)
    }
    fn on_box_removed(&self, box_id: String) {
        EventListener::on_box_removed(self, box_id)
    }
    fn on_exec_output(&self, box_id: String, chunk: Vec<u8>) {
        EventListener::on_exec_output(self, box_id, chunk)
    }
}

uniffi::include_scaffolding!("boxkit_uniffi");
