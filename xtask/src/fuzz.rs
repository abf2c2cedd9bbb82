//! `cargo xtask fuzz <runs>`: the `generate` fuzz target, seeded with
//! every fixture.

use camino::Utf8PathBuf;

use crate::runner::{cargo, root, Step};

/// How long to fuzz: a number of executions, or a time budget.
pub enum Fuzz {
    Runs(u64),
    Seconds(u64),
}

/// Runs the `generate` fuzz target (codegen/fuzz) with libFuzzer, seeded
/// with every fixture. cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP
/// lets the stable toolchain provide them, without sanitizers.
pub fn fuzz(budget: Fuzz) -> Result<(), String> {
    let root = root();
    let cargo = cargo();
    if !Step::new("cargo fuzz --version", &cargo, &["fuzz", "--version"]).quietly_succeeds() {
        Step::new(
            "install cargo-fuzz",
            &cargo,
            &["install", "cargo-fuzz", "--version", "=0.13.2", "--locked"],
        )
        .run()?;
    }
    let seeds = root.join("target/fuzz-seeds");
    let _ = std::fs::remove_dir_all(&seeds);
    std::fs::create_dir_all(&seeds).map_err(|e| e.to_string())?;
    let fixtures = root.join("codegen/tests/fixtures");
    let mut pairs: Vec<(Utf8PathBuf, Utf8PathBuf)> =
        vec![(root.join("idl/boxkit.udl"), root.join("idl/boxkit.toml"))];
    for entry in std::fs::read_dir(fixtures.join("valid"))
        .map_err(|e| e.to_string())?
        .flatten()
    {
        // A fixture declared only with proc-macros has no UDL to seed with.
        match Utf8PathBuf::from_path_buf(entry.path()) {
            Ok(dir) if dir.join("input.udl").exists() => {
                pairs.push((dir.join("input.udl"), dir.join("input.toml")))
            }
            _ => {}
        }
    }
    for entry in std::fs::read_dir(fixtures.join("invalid"))
        .map_err(|e| e.to_string())?
        .flatten()
    {
        if let Ok(udl) = Utf8PathBuf::from_path_buf(entry.path()) {
            if udl.extension() == Some("udl") {
                let toml = udl.with_extension("toml");
                pairs.push((udl, toml));
            }
        }
    }
    for (i, (udl, toml)) in pairs.iter().enumerate() {
        let mut seed = std::fs::read(udl).map_err(|e| format!("{udl}: {e}"))?;
        seed.push(0);
        seed.extend(std::fs::read(toml).unwrap_or_default());
        std::fs::write(seeds.join(format!("seed-{i}")), seed).map_err(|e| e.to_string())?;
    }
    // libFuzzer writes a crashing input under `artifacts/`; a failure that
    // adds none is a build or setup failure, not a finding.
    let artifacts = root.join("codegen/fuzz/artifacts/generate");
    let count = || walk_count(artifacts.as_std_path());
    let before = count();
    let limit = match budget {
        Fuzz::Runs(n) => format!("-runs={n}"),
        Fuzz::Seconds(n) => format!("-max_total_time={n}"),
    };
    Step::new(
        format!("fuzz ({limit})"),
        &cargo,
        &[
            "fuzz",
            "run",
            "--sanitizer",
            "none",
            "generate",
            seeds.as_str(),
            "--",
            &limit,
            "-timeout=10",
            "-max_len=65536",
        ],
    )
    .dir(&root.join("codegen"))
    .env(&[
        ("RUSTC_BOOTSTRAP", "1".to_string()),
        ("CARGO_TARGET_DIR", root.join("target/fuzz").to_string()),
    ])
    .run()
    .map_err(|_| {
        if count() > before {
            "the fuzz target found a crash; see codegen/fuzz/artifacts".to_string()
        } else {
            "cargo fuzz failed without a finding (see its output above)".to_string()
        }
    })
}

/// How many files `dir` holds (none if it does not exist).
fn walk_count(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().filter(|e| e.path().is_file()).count())
        .unwrap_or(0)
}
