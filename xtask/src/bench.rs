//! `cargo xtask bench`: release builds of every binding, then the harness.

use crate::runner::{cargo, root, Step, Venv};

/// The release settings of a shipped wheel: the generated `Cargo.toml`'s
/// `[profile.release]`, given to the other bindings' builds too.
fn shipped() -> [(&'static str, String); 2] {
    [
        ("CARGO_PROFILE_RELEASE_LTO", "fat".to_string()),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1".to_string()),
    ]
}

pub fn bench() -> Result<(), String> {
    let root = root();
    let venv = Venv::ensure()?;
    let cargo = cargo();
    let env = venv.env();
    Step::new(
        "bindery (release)",
        &cargo,
        &[
            "build",
            "--release",
            "-p",
            "bindery-codegen",
            "--bin",
            "bindery",
        ],
    )
    .run()?;
    // The generated crate is a workspace of its own; it shares the target dir.
    // Every binding is built as the generated crate's release profile says
    // wheels are (fat LTO, one codegen unit), so the comparison is like for like.
    let mut env = env;
    env.push(("CARGO_TARGET_DIR", root.join("target").to_string()));
    env.extend(shipped());
    for manifest in ["generated/Cargo.toml", "bench/handwritten/Cargo.toml"] {
        let args = [
            "develop",
            "--quiet",
            "--release",
            "--manifest-path",
            manifest,
        ];
        Step::new(
            format!("maturin develop --release ({manifest})"),
            venv.tool("maturin"),
            &args,
        )
        .env(&env)
        .run()?;
    }
    // UniFFI's own Python bindings of the same core (the benchmarked subset).
    let uniffi = root.join("bench/uniffi");
    let target = [("CARGO_TARGET_DIR", root.join("target").to_string())];
    let mut shipped_target = target.to_vec();
    shipped_target.extend(shipped());
    // The tool is not measured: a plain release build, before
    // the library's (building the tool may build the library too).
    let tool = ["build", "--release", "--bin", "uniffi-bindgen"];
    Step::new("uniffi-bindgen (release)", &cargo, &tool)
        .dir(&uniffi)
        .env(&target)
        .run()?;
    Step::new(
        "UniFFI binding (release)",
        &cargo,
        &["build", "--release", "--lib"],
    )
    .dir(&uniffi)
    .env(&shipped_target)
    .run()?;
    let out = root.join("target/uniffi-py");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let library = root.join("target/release/libboxkit_uniffi.so");
    Step::new(
        "uniffi-bindgen generate",
        root.join("target/release/uniffi-bindgen"),
        &[
            "generate",
            "--library",
            library.as_str(),
            "--language",
            "python",
            "--out-dir",
            out.as_str(),
        ],
    )
    .dir(&uniffi)
    .env(&target)
    .run()?;
    std::fs::copy(&library, out.join("libboxkit_uniffi.so")).map_err(|e| e.to_string())?;

    let bindery = root.join("target/release/bindery");
    let args = [
        "bench/run.py",
        "--bindery",
        bindery.as_str(),
        "--uniffi-dir",
        out.as_str(),
    ];
    Step::new("bench", venv.tool("python"), &args)
        .env(&env)
        .run()?;
    eprintln!(
        "\nnote: .venv now holds release builds; `cargo xtask test` reinstalls the test builds"
    );
    Ok(())
}
