//! The whole pure pipeline on arbitrary input: UDL text, a NUL byte, TOML
//! text. Whatever the bytes, `generate` must return files or diagnostics,
//! and diagnostics must render; a panic or a hang is a bug.
#![no_main]

use bindery_codegen::{diagnostics, generate, Input};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (udl, config) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let udl = String::from_utf8_lossy(udl);
    let config = String::from_utf8_lossy(config);
    let input = Input { udl_name: "fuzz.udl", udl: &udl, config_name: "fuzz.toml", config: &config, core_version: None, crate_items: None };
    match generate(&input) {
        Ok(files) => assert!(!files.files.is_empty()),
        Err(diags) => {
            assert!(!diags.is_empty());
            let _ = diagnostics::render(&input.inputs(), &diags);
        }
    }
});
