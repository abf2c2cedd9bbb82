//! The user's `cargo xtask gen [--check]`: bindery's library, a few lines.

use std::process::ExitCode;

use bindery_codegen::cli::{run_generate, Options};
use camino::Utf8Path;

fn main() -> ExitCode {
    let options = Options {
        check: std::env::args().any(|a| a == "--check"),
        regenerate: Some("cargo xtask gen".into()),
        ..Options::default()
    };
    let code = run_generate(
        Utf8Path::new("greeter.udl"),
        Some(Utf8Path::new("greeter.toml")),
        Utf8Path::new("python-sdk"),
        &options,
    );
    ExitCode::from(code)
}
