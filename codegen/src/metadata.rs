//! Phase 1 for a crate's proc-macro items: UniFFI's `#[uniffi::export]`,
//! `#[derive(uniffi::Record)]` and the other macros describe each item in
//! an exported static, `UNIFFI_META_<...>`, encoded by `uniffi_meta`. With
//! `[rust] proc-macros = true`, `bindery generate` builds the crate's
//! library and reads those statics back: the items are then exactly what
//! UniFFI's own macros saw (type aliases, `cfg`, renames and defaults
//! resolved by the compiler), in the same `uniffi_meta` form the UDL is
//! lowered from.
//!
//! The encoding belongs to UniFFI's minor version: the crate must use
//! uniffi 0.32 (`uniffi_meta` is pinned to 0.32.2 here).

use std::process::Command;

use camino::{Utf8Path, Utf8PathBuf};
use goblin::elf::Elf;

/// The prefix of the statics UniFFI's macros export.
const SYMBOL_PREFIX: &str = "UNIFFI_META_";

/// Builds the library of the crate at `crate_dir` with cargo (its own
/// workspace, target folder and features) and returns the built file: the
/// `rlib` when there is one (it holds the crate's own items only), else the
/// static or dynamic library, with the library's name as Rust paths spell
/// it. Cargo's messages go to stderr as they come. `target_dir` overrides
/// the target folder cargo would use.
pub fn build(
    crate_dir: &Utf8Path,
    target_dir: Option<&Utf8Path>,
) -> Result<(Utf8PathBuf, String), String> {
    let manifest = crate_dir.join("Cargo.toml");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(&cargo);
    command
        .args(["build", "--lib", "--message-format=json-render-diagnostics"])
        .arg("--manifest-path")
        .arg(manifest.as_str());
    if let Some(target) = target_dir {
        command.env("CARGO_TARGET_DIR", target.as_str());
    }
    let output = command
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run `{cargo}` to build `{manifest}`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "building `{manifest}` to read its proc-macro items failed (cargo's messages above)"
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    library_in_messages(&stdout, &manifest).ok_or_else(|| {
        format!("cargo built no library for `{manifest}`: does the crate have a `[lib]` target?")
    })
}

/// The library file cargo's JSON messages report for `manifest`'s package,
/// and the library's name.
fn library_in_messages(messages: &str, manifest: &Utf8Path) -> Option<(Utf8PathBuf, String)> {
    let wanted = std::fs::canonicalize(manifest).ok();
    let mut files: Vec<Utf8PathBuf> = Vec::new();
    let mut name = None;
    for line in messages.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        let path = message["manifest_path"]
            .as_str()
            .map(std::path::PathBuf::from);
        if path.and_then(|p| std::fs::canonicalize(p).ok()) != wanted {
            continue;
        }
        name = message["target"]["name"]
            .as_str()
            .map(|n| n.replace('-', "_"));
        let filenames = message["filenames"].as_array().into_iter().flatten();
        files.extend(filenames.filter_map(|f| f.as_str()).map(Utf8PathBuf::from));
    }
    let file = ["rlib", "a", "so"]
        .iter()
        .find_map(|ext| files.iter().find(|f| f.extension() == Some(ext)).cloned())?;
    Some((file, name?))
}

/// The encoded items of a library file: a Linux shared library, or an
/// archive (`rlib`, `.a`) of ELF objects.
pub fn items_in_library(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut items = Vec::new();
    if bytes.starts_with(b"!<arch>\n") {
        let archive = goblin::archive::Archive::parse(bytes).map_err(|e| e.to_string())?;
        for member in archive.members() {
            let data = archive.extract(member, bytes).map_err(|e| e.to_string())?;
            if data.starts_with(b"\x7fELF") {
                items.extend(items_in_elf(data)?);
            }
        }
    } else if bytes.starts_with(b"\x7fELF") {
        items.extend(items_in_elf(bytes)?);
    } else {
        return Err("not an ELF library or archive: bindery reads proc-macro items from Linux builds so far".to_string());
    }
    Ok(items)
}

/// The bytes of every defined `UNIFFI_META_` symbol of one ELF file.
fn items_in_elf(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let elf = Elf::parse(bytes).map_err(|e| e.to_string())?;
    let mut items = Vec::new();
    for sym in elf.syms.iter() {
        let named = elf.strtab.get_at(sym.st_name);
        if !named.is_some_and(|n| n.starts_with(SYMBOL_PREFIX)) || sym.st_size == 0 {
            continue;
        }
        let Some(section) = elf.section_headers.get(sym.st_shndx) else {
            continue;
        };
        // A symbol's value is an address (in a linked library) or an offset
        // in its section (in an object file, whose sections have address 0).
        let start = sym
            .st_value
            .checked_sub(section.sh_addr)
            .and_then(|offset| offset.checked_add(section.sh_offset));
        let end = start.and_then(|s| s.checked_add(sym.st_size));
        let range = start
            .zip(end)
            .and_then(|(s, e)| Some(usize::try_from(s).ok()?..usize::try_from(e).ok()?));
        match range.and_then(|r| bytes.get(r)) {
            Some(data) => items.push(data.to_vec()),
            None => {
                return Err(format!(
                    "symbol {} lies outside the file",
                    named.unwrap_or_default()
                ))
            }
        }
    }
    Ok(items)
}

/// Decodes items, in a stable order.
pub fn decode(items: &[Vec<u8>]) -> Result<Vec<uniffi_meta::Metadata>, String> {
    let mut decoded = items
        .iter()
        .map(|item| {
            uniffi_meta::read_metadata(item).map_err(|e| {
                format!("a proc-macro item could not be read ({e}): the crate must use uniffi 0.32")
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    decoded.sort();
    decoded.dedup();
    Ok(decoded)
}

/// The encoded items that belong to the crate `crate_ident` itself (a
/// library built with its dependencies holds theirs too).
pub fn own_items(items: Vec<Vec<u8>>, crate_ident: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut own = Vec::new();
    for item in items {
        let decoded = decode(std::slice::from_ref(&item))?;
        let mine = decoded.iter().all(|m| match m {
            uniffi_meta::Metadata::Namespace(n) => n.crate_name == crate_ident,
            other => other.module_path().split("::").next() == Some(crate_ident),
        });
        if mine {
            own.push(item);
        }
    }
    Ok(own)
}

/// Items as text, one per line in hexadecimal: how a test fixture keeps the
/// items of a crate it does not build.
pub fn to_hex(items: &[Vec<u8>]) -> String {
    let mut sorted: Vec<&Vec<u8>> = items.iter().collect();
    sorted.sort();
    sorted.dedup();
    sorted
        .iter()
        .map(|item| item.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n")
        .collect()
}

/// The items written by `to_hex`.
pub fn from_hex(text: &str) -> Result<Vec<Vec<u8>>, String> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|line| {
            (0..line.len())
                .step_by(2)
                .map(|i| {
                    line.get(i..i + 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .ok_or_else(|| format!("not hexadecimal: {line}"))
                })
                .collect()
        })
        .collect()
}

/// The items of a `to_hex` text, decoded.
pub fn decode_hex(text: &str) -> Result<Vec<uniffi_meta::Metadata>, String> {
    decode(&from_hex(text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The items of the `proc_macros` fixture, as its build recorded them.
    fn fixture_items() -> Vec<Vec<u8>> {
        let text = include_str!("../tests/fixtures/valid/proc_macros/crate-items.hex");
        from_hex(text).unwrap()
    }

    #[test]
    fn hex_round_trips_sorted_and_without_duplicates() {
        let items = fixture_items();
        assert!(items.len() > 10);
        let mut doubled = items.clone();
        doubled.extend(items.iter().rev().cloned());
        let text = to_hex(&doubled);
        assert_eq!(from_hex(&text).unwrap(), items);
        assert_eq!(text.lines().count(), items.len());
        assert!(from_hex("0g\n").unwrap_err().contains("not hexadecimal"));
        assert!(from_hex("abc\n").is_err(), "an odd length is refused");
    }

    #[test]
    fn only_the_crates_own_items_are_kept() {
        let items = fixture_items();
        assert_eq!(
            own_items(items.clone(), "procs").unwrap().len(),
            items.len()
        );
        assert!(own_items(items.clone(), "other").unwrap().is_empty());
        assert!(own_items(items.clone(), "proc").unwrap().is_empty());
        // A module path below the crate counts; a crate whose name starts
        // like it does not.
        let decoded = decode(&own_items(items, "procs").unwrap()).unwrap();
        assert!(decoded.iter().any(|m| m.module_path() == "procs::geometry"));
        assert!(decode(&[vec![0xff, 1, 2]])
            .unwrap_err()
            .contains("uniffi 0.32"));
    }

    /// A crate with two statics named as UniFFI's macros name theirs, one
    /// of another name and an empty one, built by cargo and read back; then
    /// the same crate broken.
    #[test]
    fn a_built_librarys_uniffi_statics_are_read() {
        let dir = std::env::temp_dir().join(format!("bindery-build-{}", std::process::id()));
        let dir = Utf8PathBuf::from_path_buf(dir).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        let manifest = "[package]\nname = \"meta-probe\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n";
        std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
        let source = "#[no_mangle]\npub static UNIFFI_META_PROBE_A: [u8; 3] = [1, 2, 3];\n\
                      #[no_mangle]\npub static UNIFFI_META_PROBE_B: [u8; 2] = [9, 8];\n\
                      #[no_mangle]\npub static UNIFFI_META_EMPTY: [u8; 0] = [];\n\
                      #[no_mangle]\npub static OTHER_STATIC: [u8; 1] = [7];\n";
        std::fs::write(dir.join("src/lib.rs"), source).unwrap();
        // A target folder of its own: the one of the running tests is locked.
        let target = dir.join("target");
        let (library, name) = build(&dir, Some(&target)).unwrap();
        assert_eq!(
            (library.extension(), name.as_str()),
            (Some("rlib"), "meta_probe")
        );
        let mut items = items_in_library(&std::fs::read(&library).unwrap()).unwrap();
        items.sort();
        assert_eq!(items, vec![vec![1, 2, 3], vec![9, 8]]);
        std::fs::write(dir.join("src/lib.rs"), "pub fn broken(").unwrap();
        let error = build(&dir, Some(&target)).unwrap_err();
        assert!(error.contains("failed (cargo's messages above)"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_elf_file_without_uniffi_items_has_none() {
        // This test's own executable: ELF, with symbols, none of UniFFI's.
        let bytes = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert_eq!(items_in_library(&bytes).unwrap(), Vec::<Vec<u8>>::new());
        assert!(items_in_library(&bytes[..64]).is_err(), "a truncated file");
    }

    #[test]
    fn a_file_that_is_no_elf_library_is_refused() {
        let error = items_in_library(b"MZ\x90\x00 a PE file").unwrap_err();
        assert!(error.contains("Linux builds"), "{error}");
        // An archive of members that are not ELF objects holds no items.
        let archive = b"!<arch>\nnote.txt/       0           0     0     644     4         `\nabcd";
        assert_eq!(items_in_library(archive).unwrap(), Vec::<Vec<u8>>::new());
    }

    #[test]
    fn the_library_is_found_in_cargos_messages() {
        let dir = std::env::temp_dir().join(format!("bindery-messages-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = Utf8PathBuf::from_path_buf(dir.join("Cargo.toml")).unwrap();
        std::fs::write(&manifest, "").unwrap();
        let artifact = |path: &str, files: &[&str]| {
            serde_json::json!({
                "reason": "compiler-artifact",
                "manifest_path": path,
                "target": { "name": "my-lib", "kind": ["lib", "cdylib"] },
                "filenames": files,
            })
            .to_string()
        };
        let messages = [
            artifact("/elsewhere/Cargo.toml", &["/t/libdep.rlib"]),
            "not json".to_string(),
            serde_json::json!({ "reason": "build-finished", "success": true }).to_string(),
            artifact(manifest.as_str(), &["/t/libmy_lib.so", "/t/libmy_lib.rlib"]),
        ]
        .join("\n");
        let found = library_in_messages(&messages, &manifest);
        assert_eq!(
            found,
            Some(("/t/libmy_lib.rlib".into(), "my_lib".to_string()))
        );
        let so_only = artifact(manifest.as_str(), &["/t/libmy_lib.so"]);
        assert_eq!(
            library_in_messages(&so_only, &manifest).unwrap().0,
            "/t/libmy_lib.so"
        );
        let none = artifact(manifest.as_str(), &["/t/my_lib.d"]);
        assert_eq!(library_in_messages(&none, &manifest), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
