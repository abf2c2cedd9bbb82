//! `[backends.NAME]` and `[backend-only]`: one API, several native builds
//! (docs/backends.md).

use crate::diagnostics::{Annotate, Code, Source};
use crate::model::{Backend, Callable, Object};
use crate::names;

use super::settings::find_call;
use super::{Lowerer, Settings};

impl Lowerer<'_, '_> {
    /// The backends in the config's order, checked: names, features and
    /// distributions.
    pub(super) fn backends(&mut self, settings: &Settings, distribution: &str) -> Vec<Backend> {
        let (package, native_module) = (&settings.package, &settings.native_module);
        let in_crate = settings.in_crate.is_some();
        let mut entries: Vec<_> = self.cx.config.backends.iter().collect();
        // The config's order is the dispatcher's order of preference.
        entries.sort_by_key(|(name, _)| name.span().start);
        if in_crate && !entries.is_empty() {
            let span = self
                .cx
                .config
                .rust
                .module
                .as_ref()
                .map_or(0..0, |m| m.span());
            self.cfg(
                Code::ConfigSchema,
                span,
                "backends need a glue crate of their own; in-crate mode builds one native module",
            )
            .with_help("remove `rust.module` (the glue becomes a crate beside the core), or the `[backends]`");
        }
        let mut backends: Vec<Backend> = Vec::new();
        let mut distributions: Vec<(String, std::ops::Range<usize>)> = Vec::new();
        for (name, config) in entries {
            let valid = name.get_ref().starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .get_ref()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !names::is_python_keyword(name.get_ref());
            if !valid {
                self.cfg(
                    Code::InvalidName,
                    name.span(),
                    format!("`{}` cannot name a backend", name.get_ref()),
                )
                .with_help("a backend is named like a Python module: lowercase letters, digits and `_`, starting with a letter (`sqlite`)");
            }
            for feature in &config.features {
                let f = feature.get_ref();
                let valid = !f.is_empty()
                    && f.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-+.".contains(c));
                if !valid {
                    self.cfg(
                        Code::InvalidName,
                        feature.span(),
                        format!("`{f}` is not a cargo feature name"),
                    )
                    .with_help("name one of the core crate's own features, such as `sqlite`");
                }
            }
            let (dist, span) = match &config.distribution {
                Some(d) => {
                    if !is_distribution_name(d.get_ref()) {
                        self.cfg(
                            Code::InvalidName,
                            d.span(),
                            format!("`{}` is not a Python distribution name", d.get_ref()),
                        )
                        .with_help("use letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit");
                    }
                    (d.get_ref().clone(), d.span())
                }
                None => (format!("{distribution}-{}", name.get_ref()), name.span()),
            };
            let normalized = normalize(&dist);
            if normalize(distribution) == normalized {
                self.cfg(
                    Code::NameCollision,
                    span.clone(),
                    format!(
                        "the backend `{}` and the package both name the distribution `{dist}`",
                        name.get_ref()
                    ),
                )
                .with_help("give the backend a distribution of its own");
            } else if let Some((_, first)) = distributions.iter().find(|(d, _)| *d == normalized) {
                let first = first.clone();
                self.cfg(
                    Code::NameCollision,
                    span.clone(),
                    format!("two backends both name the distribution `{dist}`"),
                )
                .with_related(Source::Config, first, "first named here");
            }
            distributions.push((normalized, span));
            backends.push(Backend {
                name: name.get_ref().clone(),
                features: config
                    .features
                    .iter()
                    .map(|f| f.get_ref().clone())
                    .collect(),
                distribution: dist,
                package: format!("{package}_{}", name.get_ref()),
                native_path: format!("{package}_{}.{native_module}", name.get_ref()),
            });
        }
        backends
    }

    /// Marks the calls listed in `[backend-only]` with the backends that
    /// implement them.
    pub(super) fn apply_backend_only(
        &mut self,
        objects: &mut [Object],
        functions: &mut [Callable],
        backends: &[Backend],
    ) {
        for (entry, only) in &self.cx.config.backend_only {
            if backends.is_empty() {
                self.cfg(
                    Code::UnknownInConfig,
                    entry.span(),
                    format!(
                        "`{}` is backend-only, but the config declares no backends",
                        entry.get_ref()
                    ),
                )
                .with_help(
                    "declare the backends with `[backends.NAME]`, or remove `[backend-only]`",
                );
                continue;
            }
            let known = || backends.iter().map(|b| b.name.as_str());
            let mut names = Vec::new();
            for backend in only {
                if known().any(|b| b == backend.get_ref()) {
                    names.push(backend.get_ref().clone());
                } else {
                    let help = super::check::suggestion(backend.get_ref(), known(), "the backends");
                    self.cfg(
                        Code::UnknownInConfig,
                        backend.span(),
                        format!("the config declares no backend `{}`", backend.get_ref()),
                    )
                    .with_help(help);
                }
            }
            if only.is_empty() {
                self.cfg(
                    Code::ConfigSchema,
                    entry.span(),
                    format!("`{}` is listed for no backend", entry.get_ref()),
                )
                .with_help("list the backends that implement it, such as `[\"sqlite\"]`");
            }
            match find_call(objects, functions, entry.get_ref(), true) {
                Some(callable) => {
                    // In the config's order of backends, whatever the list's.
                    callable.backends = backends
                        .iter()
                        .filter(|b| names.contains(&b.name))
                        .map(|b| b.name.clone())
                        .collect();
                }
                None => self.unknown_call(entry, objects, functions, true),
            }
        }
    }

    /// Where the dispatcher's names come from: the first backend's key.
    pub(super) fn backends_span(&self) -> (Source, std::ops::Range<usize>) {
        let first = self
            .cx
            .config
            .backends
            .keys()
            .map(|k| k.span())
            .min_by_key(|s| s.start);
        (Source::Config, first.unwrap_or(0..0))
    }
}

/// PEP 508: letters, digits, `-`, `_`, `.`, alphanumeric at both ends.
fn is_distribution_name(name: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    edge(name.chars().next())
        && edge(name.chars().last())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// PEP 503 normalization: the name pip compares.
fn normalize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if "-_.".contains(c) {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{is_distribution_name, normalize};

    #[test]
    fn distribution_names_follow_pep_508() {
        assert!(is_distribution_name("shelf-memory_2.0"));
        assert!(is_distribution_name("a"));
        for bad in ["", "-shelf", "shelf-", "shelf memory", "shelf/x"] {
            assert!(!is_distribution_name(bad), "{bad}");
        }
    }

    #[test]
    fn names_normalize_as_pip_compares_them() {
        assert_eq!(normalize("Shelf__Memory.Disk"), "shelf-memory-disk");
        assert_eq!(normalize("a-_.b"), "a-b");
        assert_eq!(normalize("plain"), "plain");
    }
}
