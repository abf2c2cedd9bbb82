//! `cargo xtask conformance [--count N] [--seed S] [--tier 1,2,3]
//! [--crates M] [--packages K]`: generated APIs, not fixtures anyone
//! wrote, run through bindery (docs: ARCHITECTURE.md, "Conformance").
//!
//! - tier 1: `--count` APIs generated and checked without a build (rustfmt,
//!   syn, ruff, `--check`);
//! - tier 2: `--crates` large APIs, each with a synthesized core, compiled
//!   with clippy `-D warnings` (with and without the test hooks) in
//!   rotating crate shapes;
//! - tier 3: `--packages` of those built with maturin and round-tripped
//!   through Python.
//!
//! A failure is shrunk to a small API and written under
//! `target/conformance/failures/`, laid out as a valid fixture
//! (`input.udl`, `input.toml`, `core/`), ready to commit as a regression.

mod core;
mod rng;
mod roundtrip;
mod spec;
mod tier1;
mod tier2;
mod tier3;
mod udl;

use std::collections::BTreeMap;

use camino::Utf8Path;

use crate::runner::{root, Venv};
use spec::{Api, Size};

/// A check that failed on one API, with what the tool said.
#[derive(Clone, Debug)]
pub struct Failure {
    pub check: &'static str,
    pub report: String,
}

pub struct Options {
    pub count: usize,
    /// Tier 2: how many crates.
    pub crates: usize,
    /// Tier 3: how many of those crates are built and tested as packages.
    pub packages: usize,
    /// Shrink failures (`--shrink 0`: report them as they are, keep the
    /// generated trees of the last batch in `target/conformance/tier1`).
    pub shrink: bool,
    pub seed: u64,
    pub tiers: Vec<u8>,
}

impl Options {
    /// The run `cargo xtask test` makes: `count` APIs and `crates` crates
    /// (one per shape) of the first seeds.
    pub fn fixed(count: usize, crates: usize) -> Options {
        Options {
            count,
            crates,
            packages: crates.min(2),
            shrink: true,
            seed: 1,
            tiers: vec![1, 2, 3],
        }
    }

    pub fn parse(args: &[&str]) -> Result<Options, String> {
        let mut options = Options {
            count: 200,
            crates: 5,
            packages: 2,
            shrink: true,
            seed: 1,
            tiers: vec![1],
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let value = args.next().ok_or(format!("{flag} needs a value"))?;
            let number = || {
                value
                    .parse::<u64>()
                    .map_err(|_| format!("{flag}: `{value}` is not a number"))
            };
            match *flag {
                "--count" => options.count = number()? as usize,
                "--crates" => options.crates = number()? as usize,
                "--packages" => options.packages = number()? as usize,
                "--seed" => options.seed = number()?,
                "--shrink" => options.shrink = number()? != 0,
                "--tier" => {
                    options.tiers = value
                        .split(',')
                        .map(|t| match t {
                            "1" => Ok(1),
                            "2" => Ok(2),
                            "3" => Ok(3),
                            other => Err(format!("--tier: no tier `{other}`")),
                        })
                        .collect::<Result<_, _>>()?;
                }
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(options)
    }
}

/// The API of seed `seed`: small for most seeds, some larger.
pub fn api(seed: u64) -> Api {
    let mut rng = rng::Rng::new(seed);
    let size = if rng.below(4) == 0 {
        Size {
            items: 5,
            members: 6,
        }
    } else {
        Size {
            items: 2,
            members: 3,
        }
    };
    spec::generate(&mut rng, size)
}

pub fn conformance(options: &Options) -> Result<(), String> {
    let venv = Venv::ensure()?;
    let scratch = root().join("target/conformance");
    let mut failed = 0;
    if options.tiers.contains(&1) {
        failed += tier_one(options, &scratch, &venv.tool("ruff"))?;
    }
    if options.tiers.contains(&2) || options.tiers.contains(&3) {
        failed += tier_two(options, &scratch, &venv)?;
    }
    if failed > 0 {
        return Err(format!(
            "{failed} conformance failure(s); shrunk inputs in {scratch}/failures"
        ));
    }
    Ok(())
}

fn tier_one(options: &Options, scratch: &Utf8Path, ruff: &Utf8Path) -> Result<usize, String> {
    let started = std::time::Instant::now();
    let work = scratch.join("tier1");
    let mut failures = BTreeMap::new();
    let mut refused = 0;
    // Batches bound the disk used and keep the tool runs long.
    let batch = 250;
    let mut start = 0;
    while start < options.count {
        let end = (start + batch).min(options.count);
        let apis: BTreeMap<usize, Api> = (start..end)
            .map(|i| (i, api(options.seed + i as u64)))
            .collect();
        let _ = std::fs::remove_dir_all(&work);
        let (batch_failures, batch_refused) = tier1::run(&apis, &work, ruff);
        refused += batch_refused;
        for (index, failure) in batch_failures {
            failures.insert(index, (apis.get(&index).cloned(), failure));
        }
        start = end;
    }
    if options.shrink {
        let _ = std::fs::remove_dir_all(&work);
    }
    eprintln!(
        "conformance tier 1: {} APIs (seeds {}..{}), {} refused with a documented diagnostic, {} failed, {:.1} s",
        options.count,
        options.seed,
        options.seed + options.count as u64,
        refused,
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    for (index, (api, failure)) in &failures {
        let Some(api) = api.as_ref().filter(|_| options.shrink) else {
            // A tool that did not run at all, or no shrinking asked for.
            eprintln!("  {}: {}", failure.check, indent(&failure.report));
            continue;
        };
        let seed = options.seed + *index as u64;
        let small = shrink(api.clone(), failure.check, &|a| one(a, scratch, ruff));
        let dir = scratch.join(format!("failures/tier1-{seed}"));
        write_fixture(&small, &dir, &tier1::config(core::PACKAGE, ""))?;
        let again = one(&small, scratch, ruff).unwrap_or(failure.clone());
        eprintln!(
            "  seed {seed}: {} failed; shrunk to {dir}/input.udl:\n{}",
            again.check,
            indent(&again.report)
        );
    }
    Ok(failures.len())
}

/// Tier 1 on one API: its failure, if any.
fn one(api: &Api, scratch: &Utf8Path, ruff: &Utf8Path) -> Option<Failure> {
    let work = scratch.join("shrink");
    let apis = BTreeMap::from([(0, api.clone())]);
    let _ = std::fs::remove_dir_all(&work);
    let (mut failures, _) = tier1::run(&apis, &work, ruff);
    failures.remove(&0)
}

/// The smallest API found that still fails `check`, one removal at a time.
fn shrink(mut api: Api, check: &str, fails: &dyn Fn(&Api) -> Option<Failure>) -> Api {
    let mut steps = 0;
    'outer: while steps < 500 {
        for candidate in api.smaller() {
            steps += 1;
            if fails(&candidate).is_some_and(|f| f.check == check) {
                api = candidate;
                continue 'outer;
            }
        }
        break;
    }
    api
}

/// Writes `api` as a fixture folder: `input.udl` and `input.toml`
/// (`config`, with the core's path dropped: a fixture's core is `core/`).
fn write_fixture(api: &Api, dir: &Utf8Path, config: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let write = |name: &str, text: String| {
        std::fs::write(dir.join(name), text).map_err(|e| format!("{dir}/{name}: {e}"))
    };
    let (udl, config) = udl::inputs(api, config);
    write("input.udl", udl)?;
    let config: String = config
        .lines()
        .filter(|l| !l.starts_with("path ="))
        .map(|l| format!("{l}\n"))
        .collect();
    write("input.toml", config)
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// The large API of tier 2's crate `seed`.
fn large_api(seed: u64) -> Api {
    let mut rng = rng::Rng::new(seed ^ 0x5EED_2222);
    spec::generate(
        &mut rng,
        Size {
            items: 6,
            members: 6,
        },
    )
}

/// Tiers 2 and 3: `crates` crates compiled, the first `packages` of them
/// (spread over the shapes) also built and tested as packages.
fn tier_two(options: &Options, scratch: &Utf8Path, venv: &Venv) -> Result<usize, String> {
    let started = std::time::Instant::now();
    let mut failed = 0;
    let mut packages = 0;
    let mut refused = 0;
    let crates = options.crates.max(options.packages);
    for k in 0..crates {
        let seed = options.seed + k as u64;
        let shape = tier2::SHAPES[k % tier2::SHAPES.len()];
        let dir = scratch.join(format!("tier2/crate{k}"));
        let mut api = large_api(seed);
        if shape.in_crate {
            // Backends need a glue crate of their own.
            api.strip_backends();
        }
        let outcome = tier2::one(&api, shape, &dir);
        if matches!(outcome, tier2::Outcome::Refused) {
            refused += 1;
        }
        let compiled = matches!(outcome, tier2::Outcome::Compiled);
        let mut failure = match outcome {
            tier2::Outcome::Failed(f) => Some(f),
            _ => None,
        };
        // A package with backends is a dispatcher and a wheel per backend:
        // the `backends` fixture builds those; tier 3 builds plain ones.
        let plain = api.backends.is_empty();
        if compiled && plain && options.tiers.contains(&3) && packages < options.packages {
            packages += 1;
            failure = tier3::check(&api, shape, &dir, venv);
            if let Some(f) = &failure {
                // A package failure is reported as it is: each try is a build.
                failed += 1;
                eprintln!(
                    "  package {k} (seed {seed}, {shape:?}): {} failed in {dir}:\n{}",
                    f.check,
                    indent(&f.report)
                );
                continue;
            }
        }
        let Some(failure) = failure else {
            continue;
        };
        failed += 1;
        // Each try is a build: a bounded search.
        let mut small = api;
        if options.shrink {
            let probe = scratch.join("tier2/shrink");
            let mut tries = 0;
            'outer: while tries < 40 {
                for candidate in small.smaller() {
                    tries += 1;
                    if tries > 40 {
                        break 'outer;
                    }
                    let again = tier2::one(&candidate, shape, &probe);
                    if matches!(again, tier2::Outcome::Failed(f) if f.check == failure.check) {
                        small = candidate;
                        continue 'outer;
                    }
                }
                break;
            }
        }
        let out = scratch.join(format!("failures/tier2-{seed}"));
        tier2::write(&small, shape, &out)?;
        write_fixture(&small, &out, &tier2::config(shape).0)?;
        eprintln!(
            "  crate {k} (seed {seed}, {shape:?}): {} failed; shrunk to {out}:\n{}",
            failure.check,
            indent(&failure.report)
        );
    }
    eprintln!(
        "conformance tiers 2 and 3: {crates} crates (seeds {}..{}), {refused} refused with a documented diagnostic, {packages} built and tested as packages, {failed} failed, {:.1} s",
        options.seed,
        options.seed + crates as u64,
        started.elapsed().as_secs_f64()
    );
    Ok(failed)
}
