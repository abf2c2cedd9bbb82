//! `bindery generate` and `bindery init`: the command-line front of the generator.

use std::process::ExitCode;

use camino::Utf8PathBuf;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "bindery",
    version,
    about = "Generate a typed PyO3 Python SDK from a UniFFI UDL file"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate (or with --check, verify) the binding crate and Python package.
    Generate {
        /// The UniFFI UDL file; optional when the config sets
        /// `[rust] proc-macros = true` and the crate declares the whole API.
        #[arg(long)]
        udl: Option<Utf8PathBuf>,
        /// The TOML binding config (optional).
        #[arg(long)]
        config: Option<Utf8PathBuf>,
        /// The output directory.
        #[arg(long)]
        out: Utf8PathBuf,
        /// Write nothing; exit 1 naming each file that would change.
        #[arg(long)]
        check: bool,
        /// Replace files in --out that bindery did not write (without its
        /// marker on their first line); refused otherwise.
        #[arg(long)]
        force: bool,
    },
    /// Start the Python package of a crate: a config, a UDL skeleton (unless
    /// the crate has its own UDL under src/), a first test; then generate.
    Init {
        /// The crate's folder (with its Cargo.toml).
        #[arg(long = "crate", default_value = ".")]
        krate: Utf8PathBuf,
        /// Where the package goes (default: `<package>-python` beside the crate).
        #[arg(long)]
        out: Option<Utf8PathBuf>,
        /// The crate's UDL file, if it has one elsewhere than under src/.
        #[arg(long)]
        udl: Option<Utf8PathBuf>,
    },
}

fn main() -> ExitCode {
    // clap exits with 2 on usage errors, as docs/config.md promises.
    let cli = Cli::parse();
    match cli.command {
        Command::Generate {
            udl,
            config,
            out,
            check,
            force,
        } => {
            let options = bindery_codegen::cli::Options {
                check,
                force,
                regenerate: None,
            };
            ExitCode::from(bindery_codegen::cli::run_generate(
                udl.as_deref().unwrap_or(camino::Utf8Path::new("")),
                config.as_deref(),
                &out,
                &options,
            ))
        }
        Command::Init { krate, out, udl } => ExitCode::from(bindery_codegen::cli::run_init(
            &krate,
            out.as_deref(),
            udl.as_deref(),
        )),
    }
}
