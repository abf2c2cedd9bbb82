//! boxkit through UniFFI's scaffolding: the benchmarked subset.
pub use boxkit::{shell_join, BoxConfig, BoxkitError, Runtime, Sandbox};

uniffi::include_scaffolding!("boxkit_uniffi");
