//! `cargo xtask gen [--check]`: `bindery generate` for the repository's UDL.

use camino::{Utf8Path, Utf8PathBuf};

use crate::runner::root;

/// Runs `bindery generate` for `idl/*.udl` into `generated/`.
pub fn gen(check: bool) -> Result<(), String> {
    let root = root();
    let mut udls: Vec<Utf8PathBuf> = std::fs::read_dir(root.join("idl"))
        .map_err(|e| format!("cannot list idl/: {e}"))?
        .filter_map(|e| e.ok())
        .filter_map(|e| Utf8PathBuf::from_path_buf(e.path()).ok())
        .filter(|p| p.extension() == Some("udl"))
        .collect();
    udls.sort();
    let [udl] = udls.as_slice() else {
        return Err(format!(
            "expected exactly one idl/*.udl, found {}",
            udls.len()
        ));
    };
    let config = udl.with_extension("toml");
    let config = config.exists().then_some(config);
    // Relative paths keep diagnostics and headers short and machine-independent.
    let relative = |p: &Utf8Path| {
        p.strip_prefix(&root)
            .map(Utf8Path::to_owned)
            .unwrap_or_else(|_| p.to_owned())
    };
    std::env::set_current_dir(&root).map_err(|e| e.to_string())?;
    eprintln!(
        "{} generated/ from {}{}",
        if check { "checking" } else { "generating" },
        relative(udl),
        config
            .as_deref()
            .map_or(String::new(), |c| format!(" and {}", relative(c)))
    );
    let code = bindery_codegen::cli::run_generate(
        &relative(udl),
        config.as_deref().map(relative).as_deref(),
        Utf8Path::new("generated"),
        &bindery_codegen::cli::Options {
            check,
            force: false,
            regenerate: Some("cargo xtask gen".into()),
        },
    );
    if code == 0 {
        Ok(())
    } else if check {
        Err("generated/ is stale; run `cargo xtask gen`".into())
    } else {
        Err("bindery generate failed".into())
    }
}
