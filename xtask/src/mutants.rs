//! `cargo xtask mutants [--file PATH]... [--shard K/N]`: mutation testing
//! of the generator (`bindery-codegen`) with cargo-mutants, in a clone of
//! the committed tree (`--in-place` there, so the working tree is never
//! mutated and the clone's build is reused between batches), then the
//! score per file written into `codegen/MUTANTS.md`.
//!
//! Not part of `cargo xtask test`: every mutant is a build and a run of the
//! generator's tests, about half a minute each here, and the generator has
//! about 2,000. A batch is one or a few files (`--file`, as many as fit a
//! sitting) or a shard of the whole; each run replaces the rows of the
//! files it measured and keeps the others.
//!
//! Score of a file: (caught + timeouts) / (viable − accepted), where viable
//! mutants are those that compile and accepted ones are the equivalent
//! mutants listed, each with its reason, in `codegen/mutants-accepted.txt`.

use std::collections::BTreeMap;
use std::process::Command;

use camino::Utf8Path;

use crate::runner::{cargo, root, timed, Step};

/// The cargo-mutants the scores are measured with.
const CARGO_MUTANTS: &str = "27.1.0";

/// Options of a run.
#[derive(Debug, Default, PartialEq)]
pub struct Options {
    files: Vec<String>,
    shard: Option<String>,
}

impl Options {
    pub fn parse(args: &[&str]) -> Result<Self, String> {
        let mut options = Options::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match *arg {
                "--file" => options.files.push(next(&mut args, "--file")?),
                "--shard" => {
                    let shard = next(&mut args, "--shard")?;
                    let valid = shard.split_once('/').is_some_and(|(k, n)| {
                        matches!((k.parse::<u32>(), n.parse::<u32>()), (Ok(k), Ok(n)) if k < n)
                    });
                    if !valid {
                        return Err(format!("--shard takes K/N with K < N, not `{shard}`"));
                    }
                    options.shard = Some(shard);
                }
                other => {
                    return Err(format!(
                        "unknown option `{other}` (--file PATH, --shard K/N)"
                    ))
                }
            }
        }
        Ok(options)
    }
}

fn next<'a>(args: &mut impl Iterator<Item = &'a &'a str>, name: &str) -> Result<String, String> {
    args.next()
        .map(|v| v.to_string())
        .ok_or_else(|| format!("{name} needs a value"))
}

/// What cargo-mutants found for one file.
#[derive(Debug, Default, PartialEq)]
pub struct Tally {
    caught: usize,
    timeouts: usize,
    missed: Vec<String>,
    unviable: usize,
    accepted: usize,
}

impl Tally {
    fn viable(&self) -> usize {
        self.caught + self.timeouts + self.missed.len() + self.accepted
    }

    /// The score in percent, accepted mutants excluded; `None` without a
    /// mutant to score.
    fn score(&self) -> Option<f64> {
        let scored = self.caught + self.timeouts + self.missed.len();
        (scored > 0).then(|| 100.0 * (self.caught + self.timeouts) as f64 / scored as f64)
    }
}

pub fn mutants(options: &Options) -> Result<(), String> {
    let root = root();
    let cargo = cargo();
    let installed = Command::new(&cargo)
        .args(["mutants", "--version"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(CARGO_MUTANTS));
    if !installed {
        let version = format!("={CARGO_MUTANTS}");
        let args = [
            "install",
            "cargo-mutants",
            "--version",
            &version,
            "--locked",
        ];
        Step::new("install cargo-mutants", &cargo, &args).run()?;
    }
    let work = root.join("target/mutants");
    let tree = work.join("tree");
    let commit = clone_head(&root, &tree)?;
    let out = work.join("out");
    let _ = std::fs::remove_dir_all(&out);
    let mut args: Vec<String> = [
        "mutants",
        "--in-place",
        "--package",
        "bindery-codegen",
        "--timeout-multiplier",
        "3",
        "--no-shuffle",
        "--output",
        out.as_str(),
    ]
    .map(String::from)
    .to_vec();
    for file in &options.files {
        args.extend(["--file".to_string(), file.clone()]);
    }
    if let Some(shard) = &options.shard {
        args.extend(["--shard".to_string(), shard.clone()]);
    }
    timed("cargo mutants", || {
        let status = Command::new(&cargo)
            .args(&args)
            .current_dir(&tree)
            .env("CARGO_TARGET_DIR", work.join("target"))
            .status()
            .map_err(|e| format!("cannot run cargo mutants: {e}"))?;
        // 2: some mutant missed; 3: some timed out. Both are results.
        match status.code() {
            Some(0 | 2 | 3) => Ok(()),
            _ => Err(format!("cargo mutants failed ({status})")),
        }
    })?;
    let accepted = std::fs::read_to_string(root.join("codegen/mutants-accepted.txt"))
        .map_err(|e| format!("codegen/mutants-accepted.txt: {e}"))?;
    let accepted = accepted_mutants(&accepted)?;
    let tallies = tally(&out.join("mutants.out"), &accepted)?;
    let page = root.join("codegen/MUTANTS.md");
    let before = std::fs::read_to_string(&page).unwrap_or_default();
    let date = today();
    let updated = update_page(&before, &tallies, &commit, &date);
    std::fs::write(&page, updated).map_err(|e| format!("{page}: {e}"))?;
    for (file, t) in &tallies {
        let score = t.score().map_or("-".to_string(), |s| format!("{s:.1}%"));
        eprintln!("{file}: {score} ({} missed)", t.missed.len());
    }
    eprintln!("\nwrote {page}");
    Ok(())
}

/// Makes `tree` a clone of the repository at its `HEAD` (what is committed
/// is what is measured); the commit's short hash.
fn clone_head(root: &Utf8Path, tree: &Utf8Path) -> Result<String, String> {
    let git = |dir: &Utf8Path, args: &[&str]| -> Result<String, String> {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    };
    let head = git(root, &["rev-parse", "--short", "HEAD"])?;
    if !tree.join(".git").exists() {
        std::fs::create_dir_all(tree).map_err(|e| e.to_string())?;
        git(tree, &["init", "-q"])?;
    }
    git(tree, &["fetch", "-q", root.as_str(), "HEAD"])?;
    git(
        tree,
        &["checkout", "-q", "--force", "--detach", "FETCH_HEAD"],
    )?;
    git(tree, &["clean", "-q", "-d", "-f", "-x", "--exclude=target"])?;
    Ok(head)
}

/// Accepted mutants: one a line, `path: description # reason` (the
/// mutant as cargo-mutants names it, without its line and column, which
/// move with every edit above it). Blank lines and lines starting with
/// `#` are comments; an entry without a reason is refused.
pub fn accepted_mutants(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once(" # ") {
            Some((mutant, reason)) if !reason.trim().is_empty() => {
                out.push(mutant.trim().to_string())
            }
            _ => {
                return Err(format!(
                    "codegen/mutants-accepted.txt:{}: an accepted mutant needs ` # reason`",
                    n + 1
                ))
            }
        }
    }
    Ok(out)
}

/// `codegen/src/x.rs:12:5: replace f -> bool with true` as
/// (`codegen/src/x.rs`, `codegen/src/x.rs: replace f -> bool with true`).
pub fn mutant_key(line: &str) -> Option<(String, String)> {
    let mut parts = line.splitn(4, ':');
    let file = parts.next()?.trim();
    let (_line, _column) = (parts.next()?, parts.next()?);
    let description = parts.next()?.trim();
    Some((file.to_string(), format!("{file}: {description}")))
}

/// The outcome lists of a run, by file.
fn tally(dir: &Utf8Path, accepted: &[String]) -> Result<BTreeMap<String, Tally>, String> {
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for list in ["caught", "timeout", "missed", "unviable"] {
        let path = dir.join(format!("{list}.txt"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let (file, key) = mutant_key(line)
                .ok_or_else(|| format!("{path}: cannot read the mutant `{line}`"))?;
            let t = tallies.entry(file).or_default();
            match list {
                "caught" => t.caught += 1,
                "timeout" => t.timeouts += 1,
                "unviable" => t.unviable += 1,
                _ if accepted.contains(&key) => t.accepted += 1,
                _ => t.missed.push(key),
            }
        }
    }
    Ok(tallies)
}

const TABLE_HEAD: &str =
    "| file | viable | caught | timeouts | missed | accepted | score | measured at |";

/// The page with the rows of `tallies` replaced or added (rows of other
/// files kept), sorted by file, and each file's surviving mutants listed.
pub fn update_page(
    before: &str,
    tallies: &BTreeMap<String, Tally>,
    commit: &str,
    date: &str,
) -> String {
    // Rows and survivor lists of the files this run did not measure.
    let mut rows: BTreeMap<String, String> = BTreeMap::new();
    let mut survivors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut section = None;
    for line in before.lines() {
        if let Some(file) = line.strip_prefix("### ") {
            section = Some(file.trim_matches('`').to_string());
        } else if line.starts_with("| codegen/") {
            let file = line[2..].split(" |").next().unwrap_or_default().to_string();
            rows.insert(file, line.to_string());
        } else if let (Some(file), Some(item)) = (&section, line.strip_prefix("- ")) {
            survivors
                .entry(file.clone())
                .or_default()
                .push(item.trim_matches('`').to_string());
        }
    }
    for (file, t) in tallies {
        let score = t.score().map_or("-".to_string(), |s| format!("{s:.1}%"));
        rows.insert(
            file.clone(),
            format!(
                "| {file} | {} | {} | {} | {} | {} | {score} | {commit}, {date} |",
                t.viable(),
                t.caught,
                t.timeouts,
                t.missed.len(),
                t.accepted
            ),
        );
        survivors.insert(file.clone(), t.missed.clone());
    }
    let mut page = String::from(
        "# Mutation score of the generator\n\n\
         Written by `cargo xtask mutants` (cargo-mutants over `bindery-codegen`,\n\
         each mutant against `cargo test -p bindery-codegen`); a run replaces the\n\
         rows of the files it measured. Score: (caught + timeouts) / (viable −\n\
         accepted); accepted mutants are the equivalent ones listed with their\n\
         reasons in `mutants-accepted.txt`. The goal is 95% for every file.\n\n",
    );
    page.push_str(TABLE_HEAD);
    page.push_str("\n|---|---|---|---|---|---|---|---|\n");
    for row in rows.values() {
        page.push_str(row);
        page.push('\n');
    }
    page.push_str("\n## Surviving mutants\n");
    for (file, items) in survivors.iter().filter(|(_, items)| !items.is_empty()) {
        page.push_str(&format!("\n### `{file}`\n\n"));
        for item in items {
            page.push_str(&format!("- `{item}`\n"));
        }
    }
    page
}

/// Today's date (UTC), as `date` prints it.
fn today() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mutant_is_named_without_its_position() {
        let line = "codegen/src/names.rs:41:9: replace == with != in snake_case";
        assert_eq!(
            mutant_key(line),
            Some((
                "codegen/src/names.rs".to_string(),
                "codegen/src/names.rs: replace == with != in snake_case".to_string()
            ))
        );
        assert_eq!(mutant_key("no position here"), None);
    }

    #[test]
    fn accepted_mutants_need_a_reason() {
        let text = "# comment\n\ncodegen/src/a.rs: replace f with () # f only caches\n";
        assert_eq!(
            accepted_mutants(text).unwrap(),
            ["codegen/src/a.rs: replace f with ()"]
        );
        let error = accepted_mutants("codegen/src/a.rs: replace f with ()\n").unwrap_err();
        assert!(error.contains(":1:"), "{error}");
        assert!(accepted_mutants("codegen/src/a.rs: x # \n").is_err());
    }

    #[test]
    fn a_run_replaces_its_files_rows_and_keeps_the_others() {
        let mut first = BTreeMap::new();
        first.insert(
            "codegen/src/a.rs".to_string(),
            Tally {
                caught: 18,
                timeouts: 1,
                missed: vec!["codegen/src/a.rs: m1".into()],
                unviable: 3,
                accepted: 2,
            },
        );
        first.insert(
            "codegen/src/b.rs".to_string(),
            Tally {
                caught: 4,
                ..Tally::default()
            },
        );
        let page = update_page("", &first, "abc1234", "2026-12-07");
        assert!(
            page.contains(
                "| codegen/src/a.rs | 22 | 18 | 1 | 1 | 2 | 95.0% | abc1234, 2026-12-07 |"
            ),
            "{page}"
        );
        assert!(
            page.contains("### `codegen/src/a.rs`\n\n- `codegen/src/a.rs: m1`\n"),
            "{page}"
        );
        let mut second = BTreeMap::new();
        second.insert(
            "codegen/src/b.rs".to_string(),
            Tally {
                caught: 3,
                missed: vec!["codegen/src/b.rs: m2".into()],
                ..Tally::default()
            },
        );
        let page = update_page(&page, &second, "def5678", "2026-12-08");
        assert!(
            page.contains(
                "| codegen/src/a.rs | 22 | 18 | 1 | 1 | 2 | 95.0% | abc1234, 2026-12-07 |"
            ),
            "{page}"
        );
        assert!(
            page.contains("| codegen/src/b.rs | 4 | 3 | 0 | 1 | 0 | 75.0% | def5678, 2026-12-08 |"),
            "{page}"
        );
        assert!(
            page.contains("- `codegen/src/a.rs: m1`"),
            "the other file's survivors stay: {page}"
        );
        assert!(page.contains("- `codegen/src/b.rs: m2`"), "{page}");
        assert_eq!(page.matches("| codegen/src/b.rs |").count(), 1);
    }

    #[test]
    fn options_take_files_and_a_shard() {
        let options =
            Options::parse(&["--file", "codegen/src/names.rs", "--shard", "0/8"]).unwrap();
        assert_eq!(options.files, ["codegen/src/names.rs"]);
        assert_eq!(options.shard.as_deref(), Some("0/8"));
        assert!(Options::parse(&["--shard", "8/8"]).is_err());
        assert!(Options::parse(&["--file"]).is_err());
        assert!(Options::parse(&["--other"]).is_err());
    }

    #[test]
    fn the_score_leaves_accepted_mutants_out() {
        let t = Tally {
            caught: 19,
            missed: vec!["x".into()],
            accepted: 5,
            ..Tally::default()
        };
        assert_eq!(t.score(), Some(95.0));
        assert_eq!(Tally::default().score(), None);
    }
}
