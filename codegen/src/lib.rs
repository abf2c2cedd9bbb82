//! bindery: from a UniFFI UDL file and a TOML binding config to a typed
//! PyO3 Python SDK.
//!
//! The pipeline runs in one direction and only the last phase touches disk:
//! [`generate`] = parse ([`udl`], [`config`]) → lower and validate
//! ([`lower`]) → render ([`render`]) into a [`FileSet`]; then [`format`]
//! runs rustfmt over its Rust and [`sync`] writes it, all or nothing.

pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod format;
pub mod lower;
pub mod metadata;
pub mod model;
pub mod names;
pub mod plan;
pub mod render;
pub mod sync;
pub mod udl;

pub use diagnostics::{Diagnostic, Inputs};

/// This bindery's version, recorded in every generated tree
/// (`pyproject.toml`'s `[tool.bindery] version`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub use render::FileSet;
pub use sync::{sync, SyncError, SyncReport};

/// The two inputs of one generation, as text.
pub struct Input<'a> {
    /// File name of the UDL as it should appear in headers and diagnostics.
    pub udl_name: &'a str,
    pub udl: &'a str,
    pub config_name: &'a str,
    /// The config text (empty when there is no config file).
    pub config: &'a str,
    /// The core crate's version (its `Cargo.toml`), the default version of
    /// the Python distribution; the command line reads it.
    pub core_version: Option<&'a str>,
    /// The crate's proc-macro items (`[rust] proc-macros`, read by
    /// `metadata`), merged with the UDL's; with them the UDL may be empty.
    pub crate_items: Option<&'a [uniffi_meta::Metadata]>,
}

impl<'a> Input<'a> {
    pub fn inputs(&self) -> Inputs<'a> {
        Inputs {
            udl_name: self.udl_name,
            udl: self.udl,
            config_name: self.config_name,
            config: self.config,
        }
    }
}

/// Runs the pure part of the pipeline: the files to write, or every problem found.
pub fn generate(input: &Input<'_>) -> Result<FileSet, Vec<Diagnostic>> {
    generate_with_warnings(input).map(|(files, _)| files)
}

/// [`generate`], with the warnings (located problems that do not stop it).
pub fn generate_with_warnings(
    input: &Input<'_>,
) -> Result<(FileSet, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (api, warnings) = model_with_warnings(input)?;
    render_model(&api).map(|files| (files, warnings))
}

/// Renders a lowered model: the files to write (an error here is a bug in
/// bindery, reported as a diagnostic).
pub fn render_model(api: &model::Api) -> Result<FileSet, Vec<Diagnostic>> {
    render::render(api).map_err(|e| {
        let message =
            format!("bindery failed to render the output ({e}); this is a bug in bindery");
        vec![Diagnostic::new(
            diagnostics::Code::Internal,
            diagnostics::Source::Udl,
            0..0,
            message,
        )]
    })
}

/// Parses, lowers and checks the inputs: bindery's model of the API.
pub fn model(input: &Input<'_>) -> Result<model::Api, Vec<Diagnostic>> {
    model_with_warnings(input).map(|(api, _)| api)
}

/// [`model`], with the warnings.
pub fn model_with_warnings(
    input: &Input<'_>,
) -> Result<(model::Api, Vec<Diagnostic>), Vec<Diagnostic>> {
    // Past unknown keys, the rest of the config is still checked in this run.
    let (config, config_problems) = config::parse_recovering(input.config);
    // The crate identifier only names the module path uniffi records.
    let crate_ident = config
        .as_ref()
        .and_then(|c| c.rust.crate_name.as_ref())
        .map_or_else(|| "crate".to_string(), |c| c.get_ref().replace('-', "_"));
    let parsed = match input.crate_items {
        Some(items) => {
            let key = config.as_ref().and_then(|c| c.rust.proc_macros.as_ref());
            udl::parse_with_items(
                input.udl,
                &crate_ident,
                items,
                key.map_or(0..0, |k| k.span()),
            )
        }
        None => udl::parse(input.udl, &crate_ident),
    };
    let (config, parsed) = match (config, parsed) {
        (Some(c), Ok(p)) => (c, p),
        (_, p) => {
            return Err(config_problems
                .into_iter()
                .chain(p.err().into_iter().flatten())
                .collect())
        }
    };
    let udl_file = std::path::Path::new(input.udl_name)
        .file_name()
        .map_or_else(
            || input.udl_name.to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
    // The "generated from" header names what the API came from.
    let udl_file = match (input.crate_items, input.udl.trim().is_empty()) {
        (None, _) => udl_file,
        (Some(_), true) => "the crate's proc-macros".to_string(),
        (Some(_), false) => format!("{udl_file} and the crate's proc-macros"),
    };
    let cx = lower::Context {
        spans: &parsed.spans,
        config: &config,
        udl_file,
        core_version: input.core_version,
    };
    match (lower::lower(parsed.group, &cx), config_problems.is_empty()) {
        (result, true) => result,
        (Ok(_), false) => Err(config_problems),
        (Err(more), false) => Err(config_problems.into_iter().chain(more).collect()),
    }
}
