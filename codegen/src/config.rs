//! The TOML binding config (docs/config.md), deserialized with spans kept.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::de::{DeTable, DeValue};
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
    pub interfaces: BTreeMap<Spanned<String>, InterfaceConfig>,
    #[serde(default)]
    pub gil: GilConfig,
    #[serde(default)]
    pub r#async: AsyncConfig,
    #[serde(default)]
    pub custom: BTreeMap<Spanned<String>, CustomConfig>,
    #[serde(default)]
    pub distribution: DistributionConfig,
    /// Native builds of one API, each with the core's cargo features of one
    /// backend (docs/backends.md).
    #[serde(default)]
    pub backends: BTreeMap<Spanned<String>, BackendConfig>,
    /// Calls that only some backends implement: `"function"` or
    /// `"Interface.method"` to the backends that have it.
    #[serde(default)]
    pub backend_only: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
}

/// One backend: a native distribution of its own.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BackendConfig {
    /// The core crate's cargo features that select this backend.
    #[serde(default)]
    pub features: Vec<Spanned<String>>,
    /// Distribution name (default: `<distribution>-<backend>`).
    pub distribution: Option<Spanned<String>>,
}

/// The Python distribution's metadata, written to `pyproject.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DistributionConfig {
    /// Distribution name (default: the package name).
    pub name: Option<Spanned<String>>,
    /// Version (default: the core crate's).
    pub version: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    /// An SPDX expression.
    pub license: Option<Spanned<String>>,
    /// A path relative to the generated crate.
    pub readme: Option<Spanned<String>>,
    /// `>=3.N`, N at least 11: also the abi3 floor of the wheel.
    pub requires_python: Option<Spanned<String>>,
    #[serde(default)]
    pub dependencies: Vec<Spanned<String>>,
    #[serde(default)]
    pub classifiers: Vec<Spanned<String>>,
    #[serde(default)]
    pub urls: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// Conversions of a `[Custom]` type other than `TryFrom`/`From`, for a
/// type the core cannot implement those traits on (one from another crate).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CustomConfig {
    /// `fn(Builtin) -> Result<Custom, E>` with `E: Display`.
    pub try_lift: Option<Spanned<String>>,
    /// `fn(Custom) -> Builtin`.
    pub lower: Option<Spanned<String>>,
    /// The Python class values of the type are, `module:Qualname`: with
    /// `into-python` and `from-python`, Python sees it instead of the builtin.
    pub python_type: Option<Spanned<String>>,
    /// `module:qualname` of a callable from the builtin to the Python class.
    pub into_python: Option<Spanned<String>>,
    /// `module:qualname` of a callable from the Python class to the builtin.
    pub from_python: Option<Spanned<String>>,
}

/// How `[Async]` calls are driven.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AsyncConfig {
    /// `"any"` (the default: futures need no runtime) or `"tokio"`.
    pub runtime: Option<Spanned<String>>,
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
    /// The pure-Python module of the exception classes (default `errors`).
    pub errors_module: Option<Spanned<String>>,
    /// The pure-Python module of the listener classes (default `listeners`).
    pub listeners_module: Option<Spanned<String>>,
    /// The exception attribute naming the Rust variant (default `variant`).
    pub variant_attribute: Option<Spanned<String>>,
    /// The class a Rust panic raises (default `PanicError`).
    pub panic_class: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RustConfig {
    #[serde(rename = "crate")]
    pub crate_name: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    /// In-crate mode: the glue is this module of the core crate itself
    /// (`src/<module>.rs`), for a crate laid out for UniFFI.
    pub module: Option<Spanned<String>>,
    /// The crate declares items with UniFFI's proc-macros: `generate`
    /// builds its library and reads them (`metadata.rs`).
    pub proc_macros: Option<Spanned<bool>>,
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

/// What the Python class of an interface adds.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct InterfaceConfig {
    /// The method (no required arguments) that `with` calls on exit: the
    /// class gets `__enter__` and `__exit__`.
    pub context_manager: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ListenerConfig {
    #[serde(default)]
    pub required: Vec<Spanned<String>>,
    /// The error variant returned to Rust when a `[Throws]` method raises an
    /// exception that is not one of its error's classes.
    pub unexpected_error: Option<Spanned<String>>,
    /// The same per error type, for an interface whose methods throw several.
    #[serde(default)]
    pub unexpected_errors: BTreeMap<Spanned<String>, Spanned<String>>,
    /// Per method without `[Throws]` that returns a value: what Rust
    /// receives when the Python method fails, instead of a panic.
    #[serde(default)]
    pub fallbacks: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    /// `"sync"` (the default) or `"queued"`: how every method of the
    /// interface is delivered.
    pub delivery: Option<Spanned<String>>,
    /// Methods delivered queued, where `delivery` leaves them synchronous.
    #[serde(default)]
    pub queued: Vec<Spanned<String>>,
}

/// What a config value must be: the schema of the whole file, walked before
/// serde so that every unknown key and wrong type is reported in one run
/// (serde stops at the first).
enum Shape {
    Str,
    Bool,
    /// A string, number or boolean.
    Scalar,
    StrList,
    /// A table with these keys.
    Table(&'static [(&'static str, Shape)]),
    /// A table from UDL names to values of one shape.
    Map(&'static Shape),
}

const VARIANT: Shape = Shape::Table(&[("class", Shape::Str), ("bases", Shape::StrList)]);
const ERROR: Shape = Shape::Table(&[("base", Shape::Str), ("variants", Shape::Map(&VARIANT))]);
const LISTENER: Shape = Shape::Table(&[
    ("required", Shape::StrList),
    ("unexpected-error", Shape::Str),
    ("unexpected-errors", Shape::Map(&Shape::Str)),
    ("fallbacks", Shape::Map(&Shape::Scalar)),
    ("delivery", Shape::Str),
    ("queued", Shape::StrList),
]);
const SCHEMA: Shape = Shape::Table(&[
    (
        "python",
        Shape::Table(&[
            ("package", Shape::Str),
            ("native-module", Shape::Str),
            ("errors-module", Shape::Str),
            ("listeners-module", Shape::Str),
            ("variant-attribute", Shape::Str),
            ("panic-class", Shape::Str),
        ]),
    ),
    (
        "rust",
        Shape::Table(&[
            ("crate", Shape::Str),
            ("path", Shape::Str),
            ("module", Shape::Str),
            ("proc-macros", Shape::Bool),
        ]),
    ),
    ("errors", Shape::Map(&ERROR)),
    ("listeners", Shape::Map(&LISTENER)),
    (
        "interfaces",
        Shape::Map(&Shape::Table(&[("context-manager", Shape::Str)])),
    ),
    ("gil", Shape::Table(&[("keep", Shape::StrList)])),
    ("async", Shape::Table(&[("runtime", Shape::Str)])),
    (
        "custom",
        Shape::Map(&Shape::Table(&[
            ("try-lift", Shape::Str),
            ("lower", Shape::Str),
            ("python-type", Shape::Str),
            ("into-python", Shape::Str),
            ("from-python", Shape::Str),
        ])),
    ),
    (
        "distribution",
        Shape::Table(&[
            ("name", Shape::Str),
            ("version", Shape::Str),
            ("description", Shape::Str),
            ("license", Shape::Str),
            ("readme", Shape::Str),
            ("requires-python", Shape::Str),
            ("dependencies", Shape::StrList),
            ("classifiers", Shape::StrList),
            ("urls", Shape::Map(&Shape::Str)),
        ]),
    ),
    (
        "backends",
        Shape::Map(&Shape::Table(&[
            ("features", Shape::StrList),
            ("distribution", Shape::Str),
        ])),
    ),
    ("backend-only", Shape::Map(&Shape::StrList)),
]);

/// Every key the config accepts, as a dotted path (`errors.*.base`); `*`
/// stands for a UDL name. A table of values keyed by UDL names
/// (`unexpected-errors`, `urls`) is one key. docs/config.md shows each.
pub fn key_paths() -> Vec<String> {
    fn walk(shape: &Shape, prefix: &str, out: &mut Vec<String>) {
        let join = |key: &str| {
            if prefix.is_empty() {
                key.to_string()
            } else {
                format!("{prefix}.{key}")
            }
        };
        match shape {
            Shape::Table(keys) => {
                for (key, inner) in *keys {
                    match inner {
                        Shape::Table(_) | Shape::Map(Shape::Table(_)) => {
                            walk(inner, &join(key), out)
                        }
                        _ => out.push(join(key)),
                    }
                }
            }
            Shape::Map(inner) => walk(inner, &join("*"), out),
            _ => out.push(prefix.to_string()),
        }
    }
    let mut out = Vec::new();
    walk(&SCHEMA, "", &mut out);
    out
}

fn schema_error(span: std::ops::Range<usize>, message: String) -> Diagnostic {
    Diagnostic::new(Code::ConfigSchema, Source::Config, span, message)
}

/// Checks `value` against `shape`; `path` names it (`errors.E`), empty at
/// the root. Each unknown key's entry (from the key to the end of its value)
/// goes to `unknown` too.
fn check(
    value: &Spanned<DeValue<'_>>,
    shape: &Shape,
    path: &str,
    out: &mut Vec<Diagnostic>,
    unknown: &mut Vec<std::ops::Range<usize>>,
) {
    let what = if path.is_empty() {
        "the config".to_string()
    } else {
        format!("`{path}`")
    };
    match (shape, value.get_ref()) {
        (Shape::Str, DeValue::String(_)) => {}
        (Shape::Str, _) => out.push(schema_error(
            value.span(),
            format!("{what} must be a string"),
        )),
        (Shape::Bool, DeValue::Boolean(_)) => {}
        (Shape::Bool, _) => out.push(schema_error(
            value.span(),
            format!("{what} must be `true` or `false`"),
        )),
        (
            Shape::Scalar,
            DeValue::String(_) | DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_),
        ) => {}
        (Shape::Scalar, _) => out.push(schema_error(
            value.span(),
            format!("{what} must be a string, a number or a boolean"),
        )),
        (Shape::StrList, DeValue::Array(items)) => {
            for item in items.iter() {
                if !matches!(item.get_ref(), DeValue::String(_)) {
                    out.push(schema_error(
                        item.span(),
                        format!("{what} must be a list of strings"),
                    ));
                }
            }
        }
        (Shape::StrList, _) => out.push(
            schema_error(value.span(), format!("{what} must be a list of strings"))
                .with_help("write it as `[\"a\", \"b\"]`"),
        ),
        (Shape::Table(keys), DeValue::Table(table)) => {
            for (key, item) in table.iter() {
                let name = key.get_ref().as_ref();
                let inner = if path.is_empty() {
                    name.to_string()
                } else {
                    format!("{path}.{name}")
                };
                match keys.iter().find(|(k, _)| *k == name) {
                    Some((_, shape)) => check(item, shape, &inner, out, unknown),
                    None => {
                        unknown.push(key.span().start..item.span().end);
                        let known = keys.iter().map(|(k, _)| *k);
                        let place = if path.is_empty() {
                            "at the top level".to_string()
                        } else {
                            format!("in `[{path}]`")
                        };
                        let d = schema_error(key.span(), format!("unknown key `{name}` {place}"));
                        let list: Vec<String> =
                            keys.iter().map(|(k, _)| format!("`{k}`")).collect();
                        out.push(match crate::names::did_you_mean(name, known) {
                            Some(guess) => d.with_help(format!("did you mean `{guess}`?")),
                            None => d.with_help(format!("the keys here are {}", list.join(", "))),
                        });
                    }
                }
            }
        }
        (Shape::Map(shape), DeValue::Table(table)) => {
            for (key, item) in table.iter() {
                check(
                    item,
                    shape,
                    &format!("{path}.{}", key.get_ref()),
                    out,
                    unknown,
                );
            }
        }
        (Shape::Table(_) | Shape::Map(_), _) => out.push(
            schema_error(value.span(), format!("{what} must be a table"))
                .with_help(format!("write it as a `[{path}]` section")),
        ),
    }
}

/// Parses the config text. Every TOML error, unknown key and wrong type is
/// reported, each where it is written.
pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
    match parse_recovering(text) {
        (Some(config), problems) if problems.is_empty() => Ok(config),
        (_, problems) => Err(problems),
    }
}

/// [`parse`], going on past unknown keys: the config without them (so that
/// the rest can still be checked against the UDL in the same run) and every
/// problem. `None` when the config cannot be read at all (invalid TOML, a
/// value of the wrong type).
pub fn parse_recovering(text: &str) -> (Option<Config>, Vec<Diagnostic>) {
    let (document, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        let problems = errors
            .iter()
            .map(|e| {
                let message = e.message().trim_end().to_string();
                schema_error(e.span().unwrap_or(0..0), format!("invalid TOML: {message}"))
            })
            .collect();
        return (None, problems);
    }
    let mut problems = Vec::new();
    let mut unknown = Vec::new();
    let root = Spanned::new(document.span(), DeValue::Table(document.into_inner()));
    check(&root, &SCHEMA, "", &mut problems, &mut unknown);
    let only_unknown_keys = problems
        .iter()
        .all(|d| d.message.starts_with("unknown key `"));
    if problems.is_empty() {
        return match toml::from_str(text) {
            Ok(config) => (Some(config), problems),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let message = e.message().trim_end().to_string();
                let message = format!("invalid binding config: {message}");
                (None, vec![schema_error(span, message)])
            }
        };
    }
    if !only_unknown_keys {
        return (None, problems);
    }
    // The same text with each unknown `key = value` blanked out (newlines
    // kept, so every span still points where it did), read again.
    let mut blanked = text.as_bytes().to_vec();
    for range in &unknown {
        for byte in &mut blanked[range.clone()] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    }
    let blanked = String::from_utf8(blanked).ok();
    let config = blanked.and_then(|t| toml::from_str(&t).ok());
    (config, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(config: &Config) -> Option<&str> {
        config.python.package.as_ref().map(|p| p.get_ref().as_str())
    }

    #[test]
    fn parse_gives_the_config_or_every_problem() {
        let config = parse("[python]\npackage = \"sdk\"\n").unwrap();
        assert_eq!(package(&config), Some("sdk"));
        let problems = parse("[python]\npackage = \"sdk\"\ncolour = 1\n").unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.starts_with("unknown key `"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn unknown_keys_alone_still_give_the_rest_of_the_config() {
        let (config, problems) = parse_recovering("[python]\npackage = \"sdk\"\ncolour = 1\n");
        assert_eq!(config.as_ref().and_then(package), Some("sdk"));
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn an_unknown_table_or_another_problem_gives_no_config() {
        // An unknown table: blanking its keys would leave its header.
        let (config, problems) =
            parse_recovering("[python]\npackage = \"sdk\"\n[colours]\nred = 1\n");
        assert!(config.is_none());
        assert!(!problems.is_empty());
        // A value of the wrong type beside an unknown key.
        let (config, problems) = parse_recovering("[python]\npackage = 3\ncolour = 1\n");
        assert!(config.is_none());
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn an_unknown_inline_table_is_left_out_like_any_unknown_key() {
        let text = "colours = { red = 1 }\n[python]\npackage = \"sdk\"\n";
        let (config, problems) = parse_recovering(text);
        assert_eq!(config.as_ref().and_then(package), Some("sdk"));
        assert_eq!(problems.len(), 1);
        let text = "[python]\npackage = \"sdk\"\n[colours]\nred = 1\n[gil]\nkeep = [\"f\"]\n";
        // A `[table]`: blanked, its header would not be TOML any more.
        let (config, problems) = parse_recovering(text);
        assert!(config.is_none());
        assert_eq!(problems.len(), 1);
    }
}
