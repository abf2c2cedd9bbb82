//! The repository's tasks, one module per command: `cargo xtask gen
//! [--check]`, `test`, `bench`, `conformance`, `fixture <name>...` (the
//! compiled fixtures of that name only), `user-project` (that step of `test`
//! alone), `mutants [--file PATH]... [--shard K/N]` (mutation score of the
//! generator), `fuzz <runs>` and `exit-probe [runs]`. Every
//! external command runs through `runner::Step`, which prints what it runs
//! and how long it took.

mod bench;
mod conformance;
mod fuzz;
mod gen;
mod matrix;
mod mutants;
mod probe;
mod runner;
mod test;
mod user_project;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["gen"] => gen::gen(false),
        ["gen", "--check"] => gen::gen(true),
        ["test"] => test::test(),
        ["bench"] => bench::bench(),
        ["conformance", rest @ ..] => {
            conformance::Options::parse(rest).and_then(|o| conformance::conformance(&o))
        }
        ["fixture", names @ ..] if !names.is_empty() => test::fixtures(names),
        ["mutants", rest @ ..] => mutants::Options::parse(rest).and_then(|o| mutants::mutants(&o)),
        ["user-project"] => runner::Venv::ensure().and_then(|v| user_project::user_project(&v)),
        ["exit-probe"] => test::exit_probe(500),
        ["exit-probe", runs] => match runs.parse::<u64>() {
            Ok(runs) => test::exit_probe(runs),
            Err(_) => Err(format!("`{runs}` is not a number of runs")),
        },
        ["fuzz", runs] => match runs.parse::<u64>() {
            Ok(runs) => fuzz::fuzz(fuzz::Fuzz::Runs(runs)),
            Err(_) => Err(format!("`{runs}` is not a number of runs")),
        },
        _ => {
            eprintln!(
                "usage: cargo xtask gen [--check] | test | bench | conformance [options] | \
                 fixture <name>... | mutants [--file PATH]... [--shard K/N] | user-project | \
                 fuzz <runs> | exit-probe [runs]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
