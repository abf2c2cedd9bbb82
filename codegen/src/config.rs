//! The TOML binding config (CONTRACT §2), deserialized with spans kept.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{Code, Diagnostic, Source};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    #[serde(default)]
    pub python: PythonConfig,
    #[serde(default)]
    pub rust: RustConfig,
    #[serde(default)]
    pub errors: BTreeMap<Spanned<String>, ErrorConfig>,
    #[serde(default)]
    pub listeners: BTreeMap<Spanned<String>, ListenerConfig>,
    #[serde(default)]
    pub gil: GilConfig,
}

/// Calls that keep the GIL instead of releasing it around the core call.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GilConfig {
    /// `"Interface.method"` or `"function"`, by UDL names.
    #[serde(default)]
    pub keep: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PythonConfig {
    pub package: Option<Spanned<String>>,
    pub native_module: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RustConfig {
    #[serde(rename = "crate")]
    pub crate_name: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ErrorConfig {
    pub base: Option<Spanned<String>>,
    #[serde(default)]
    pub variants: BTreeMap<Spanned<String>, VariantConfig>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VariantConfig {
    pub class: Option<Spanned<String>>,
    #[serde(default)]
    pub bases: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ListenerConfig {
    #[serde(default)]
    pub required: Vec<Spanned<String>>,
    /// The error variant returned to Rust when a `[Throws]` method raises an
    /// exception that is not one of its error's classes.
    pub unexpected_error: Option<Spanned<String>>,
}

/// Parses the config text; an error is located where TOML says it is.
pub fn parse(text: &str) -> Result<Config, Diagnostic> {
    toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim_end().to_string();
        Diagnostic::new(
            Code::ConfigSchema,
            Source::Config,
            span,
            format!("invalid binding config: {message}"),
        )
    })
}
