//! Settings from the config: package and module names, class names given
//! in the config, and `[gil] keep`.

use crate::diagnostics::{Annotate, Code, Source};
use crate::model::{AsyncRuntime, Callable, Object};
use crate::names;

use super::{Lowerer, Settings};

impl Lowerer<'_, '_> {
    /// The package, native module and core crate, as the config sets them.
    pub(super) fn settings(&mut self, namespace: &str) -> Settings {
        let package = self.identifier_setting(
            self.cx.config.python.package.as_ref(),
            namespace,
            "python.package",
        );
        self.check_package(&package, namespace);
        let python = &self.cx.config.python;
        let native_module = self.identifier_setting(
            python.native_module.as_ref(),
            "_native",
            "python.native-module",
        );
        let errors_module = self.identifier_setting(
            python.errors_module.as_ref(),
            "errors",
            "python.errors-module",
        );
        let listeners_module = self.identifier_setting(
            python.listeners_module.as_ref(),
            "listeners",
            "python.listeners-module",
        );
        self.distinct_modules([
            (
                "python.native-module",
                &native_module,
                python.native_module.as_ref(),
            ),
            (
                "python.errors-module",
                &errors_module,
                python.errors_module.as_ref(),
            ),
            (
                "python.listeners-module",
                &listeners_module,
                python.listeners_module.as_ref(),
            ),
        ]);
        let variant_attribute = self.identifier_setting(
            python.variant_attribute.as_ref(),
            "variant",
            "python.variant-attribute",
        );
        if let Some(v) = &python.variant_attribute {
            let name = v.get_ref();
            if name.starts_with('_')
                || ["args", "with_traceback", "add_note"].contains(&name.as_str())
            {
                self.cfg(
                    Code::ReservedName,
                    v.span(),
                    format!("`{name}` cannot name the variant attribute: exceptions use it, or it is private"),
                )
                .with_help("pick a public name that exceptions do not have, such as `kind`");
            }
        }
        let crate_name = match &self.cx.config.rust.crate_name {
            Some(name) => {
                let valid = !name.get_ref().is_empty()
                    && name
                        .get_ref()
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    && !name.get_ref().starts_with(|c: char| c.is_ascii_digit());
                if !valid {
                    self.cfg(
                        Code::InvalidName,
                        name.span(),
                        format!("`{}` is not a Cargo crate name", name.get_ref()),
                    );
                }
                name.get_ref().clone()
            }
            None => namespace.to_string(),
        };
        let crate_ident = crate_name.replace('-', "_");
        let crate_path = self
            .cx
            .config
            .rust
            .path
            .as_ref()
            .map_or_else(|| format!("../{crate_name}"), |p| p.get_ref().clone());
        let in_crate = self.cx.config.rust.module.as_ref().map(|m| {
            let name = m.get_ref();
            let valid = names::rust_name(name).is_some()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && name.starts_with(|c: char| c.is_ascii_lowercase());
            if !valid {
                self.cfg(
                    Code::InvalidName,
                    m.span(),
                    format!("`{name}` is not a Rust module name"),
                )
                .with_help("write a snake_case module name, such as `python`");
            }
            name.clone()
        });

        Settings {
            package,
            native_module,
            errors_module,
            listeners_module,
            variant_attribute,
            crate_name,
            crate_ident,
            crate_path,
            in_crate,
        }
    }

    /// Python finds its standard library first: a package named like one of
    /// its modules would never be imported (B021).
    fn check_package(&mut self, package: &str, namespace: &str) {
        if names::is_stdlib(package) {
            let message = format!(
            "the package `{package}` would be shadowed by Python's standard library module of that name"
        );
            let help =
                "name the package otherwise: `[python] package = \"...\"` in the binding config";
            match self.cx.config.python.package.as_ref() {
                Some(v) => self
                    .cfg(Code::NameCollision, v.span(), message)
                    .with_help(help),
                None => self
                    .udl(Code::NameCollision, self.cx.spans.def(namespace), message)
                    .with_help(help),
            };
        }
    }

    pub(super) fn identifier_setting(
        &mut self,
        value: Option<&toml::Spanned<String>>,
        default: &str,
        key: &str,
    ) -> String {
        match value {
            Some(v) => {
                let name = v.get_ref();
                if !names::is_identifier(name) || names::is_python_keyword(name) {
                    self.cfg(
                        Code::InvalidName,
                        v.span(),
                        format!("`{key}` must be a Python identifier, not `{name}`"),
                    )
                    .with_help(
                        "use letters, digits and `_` only; it names a folder inside `--out`",
                    );
                }
                name.clone()
            }
            None => default.to_string(),
        }
    }

    /// The class a Rust panic raises: configured, else `PanicError`, else
    /// (where the API takes that name) `RustPanicError`.
    pub(super) fn panic_class(&mut self) -> String {
        if let Some(value) = &self.cx.config.python.panic_class {
            self.check_shadow(value, &[]);
            return self.class_setting(value);
        }
        ["PanicError", "RustPanicError"]
            .into_iter()
            .find(|name| !self.taken.contains(*name))
            .unwrap_or("BinderyPanicError")
            .to_string()
    }

    /// Where the panic class is named: its config key, else nowhere.
    pub(super) fn panic_span(&self) -> (Source, std::ops::Range<usize>) {
        match &self.cx.config.python.panic_class {
            Some(value) => (Source::Config, value.span()),
            None => (Source::Udl, 0..0),
        }
    }

    /// The package's three modules need three names.
    fn distinct_modules(&mut self, modules: [(&str, &String, Option<&toml::Spanned<String>>); 3]) {
        for (i, (key, name, value)) in modules.iter().enumerate() {
            if [names::ENUMS_MODULE, names::BACKEND_MODULE].contains(&name.as_str()) {
                let span = value.map_or(0..0, |v| v.span());
                self.cfg(
                    Code::ReservedName,
                    span,
                    format!("`{key}` cannot be `{name}`: the package's own modules take that name"),
                )
                .with_help(format!("give `{key}` another name"));
            }
            let Some((other, _, other_value)) = modules[..i].iter().find(|(_, n, _)| n == name)
            else {
                continue;
            };
            let (key, other) = if value.is_some() {
                (key, other)
            } else {
                (other, key)
            };
            let span = value.or(*other_value).map_or(0..0, |v| v.span());
            self.cfg(
                Code::NameCollision,
                span,
                format!("`{key}` and `{other}` both name the module `{name}`"),
            )
            .with_help(format!("give `{key}` another name"));
        }
    }

    /// A class named in the config must not shadow a Python builtin: an
    /// error, unless it is a built-in exception the class itself subclasses
    /// (`class = "TimeoutError"` with `bases = ["TimeoutError"]`), a warning.
    pub(super) fn check_shadow(&mut self, value: &toml::Spanned<String>, bases: &[String]) {
        let name = value.get_ref();
        if !names::PYTHON_BUILTINS.contains(&name.as_str()) {
            return;
        }
        if bases.contains(name) && names::builtin_exception(name).is_some() {
            self.cfg(
                Code::ShadowsBuiltin,
                value.span(),
                format!("the class `{name}` shadows Python's built-in `{name}` in the package"),
            )
            .with_note(format!("it subclasses the built-in, so `except {name}` still catches it; `from <package> import *` replaces the built-in name"))
            .warning();
        } else {
            self.cfg(
                Code::ShadowsBuiltin,
                value.span(),
                format!("`{name}` would shadow Python's built-in `{name}` in the package and in `from <package> import *`"),
            )
            .with_help("pick another class name");
        }
    }

    /// A class name given in the config (`base`, `class`).
    pub(super) fn class_setting(&mut self, value: &toml::Spanned<String>) -> String {
        let name = value.get_ref();
        if names::is_reserved_prefix(name) {
            self.cfg(
                Code::ReservedName,
                value.span(),
                format!("`{name}` uses the prefix `bindery`, which the generated code reserves"),
            );
        }
        if !names::is_identifier(name) || names::is_python_keyword(name) {
            self.cfg(
                Code::InvalidName,
                value.span(),
                format!("`{name}` is not a valid Python class name"),
            );
        }
        name.clone()
    }

    /// `[async] runtime`: `"any"` (the default) or `"tokio"`.
    pub(super) fn async_runtime(&mut self) -> AsyncRuntime {
        let Some(value) = &self.cx.config.r#async.runtime else {
            return AsyncRuntime::Any;
        };
        match value.get_ref().as_str() {
            "any" => AsyncRuntime::Any,
            "tokio" => AsyncRuntime::Tokio,
            other => {
                self.cfg(
                    Code::ConfigSchema,
                    value.span(),
                    format!("`{other}` is not an async runtime bindery knows"),
                )
                .with_help(
                    "write \"any\" (futures that need no runtime) or \"tokio\" (polled \
                     inside a tokio runtime)",
                );
                AsyncRuntime::Any
            }
        }
    }

    /// Marks the calls listed in `[gil] keep`.
    pub(super) fn apply_gil_config(&mut self, objects: &mut [Object], functions: &mut [Callable]) {
        for entry in &self.cx.config.gil.keep {
            match find_call(objects, functions, entry.get_ref(), false) {
                Some(callable) => callable.keep_gil = true,
                None => self.unknown_call(entry, objects, functions, false),
            }
        }
    }

    /// B010 at a config entry that names no call of the UDL.
    pub(super) fn unknown_call(
        &mut self,
        entry: &toml::Spanned<String>,
        objects: &[Object],
        functions: &[Callable],
        constructors: bool,
    ) {
        let candidates: Vec<String> = objects
            .iter()
            .flat_map(|o| {
                let named = o.named_constructors.iter().filter(|_| constructors);
                o.methods
                    .iter()
                    .chain(named)
                    .map(move |m| format!("{}.{}", o.name.udl, m.name.udl))
            })
            .chain(functions.iter().map(|f| f.name.udl.clone()))
            .collect();
        let help = names::did_you_mean(entry.get_ref(), candidates.iter().map(String::as_str))
            .map_or_else(
                || "write `Interface.method` for a method, or the function name".to_string(),
                |guess| format!("did you mean `{guess}`?"),
            );
        self.cfg(
            Code::UnknownInConfig,
            entry.span(),
            format!(
                "the UDL declares no method or function `{}`",
                entry.get_ref()
            ),
        )
        .with_help(help);
    }

    /// `[distribution]`: the metadata of the Python distribution, checked.
    pub(super) fn distribution(&mut self, package: &str) -> crate::model::Distribution {
        let d = &self.cx.config.distribution;
        let text = |v: &Option<toml::Spanned<String>>| v.as_ref().map(|v| v.get_ref().clone());
        let list = |v: &[toml::Spanned<String>]| v.iter().map(|s| s.get_ref().clone()).collect();
        let python_minor = match &d.requires_python {
            None => 11,
            Some(v) => {
                let minor = v
                    .get_ref()
                    .trim()
                    .strip_prefix(">=3.")
                    .and_then(|m| m.parse::<u32>().ok())
                    .filter(|m| *m >= 11);
                if minor.is_none() {
                    self.cfg(
                        Code::ConfigSchema,
                        v.span(),
                        format!("`{}` is not a supported `requires-python`", v.get_ref()),
                    )
                    .with_help(
                        "write `>=3.N` with N at least 11: the generated code needs Python 3.11, and N is the wheel's abi3 floor",
                    );
                }
                minor.unwrap_or(11)
            }
        };
        crate::model::Distribution {
            name: text(&d.name).unwrap_or_else(|| package.to_string()),
            version: text(&d.version)
                .or_else(|| self.cx.core_version.map(str::to_string))
                .unwrap_or_else(|| "0.1.0".to_string()),
            version_configured: d.version.is_some(),
            description: text(&d.description),
            license: text(&d.license),
            readme: text(&d.readme),
            python_minor,
            dependencies: list(&d.dependencies),
            classifiers: list(&d.classifiers),
            urls: d
                .urls
                .iter()
                .map(|(k, v)| (k.get_ref().clone(), v.get_ref().clone()))
                .collect(),
        }
    }
}

/// The call a config entry names: `"function"`, or `"Interface.method"`
/// (or a named constructor, where `constructors`), by UDL names.
pub(super) fn find_call<'a>(
    objects: &'a mut [Object],
    functions: &'a mut [Callable],
    entry: &str,
    constructors: bool,
) -> Option<&'a mut Callable> {
    match entry.split_once('.') {
        Some((object, method)) => {
            let o = objects.iter_mut().find(|o| o.name.udl == object)?;
            let named = o.named_constructors.iter_mut().filter(|_| constructors);
            o.methods
                .iter_mut()
                .chain(named)
                .find(|m| m.name.udl == method)
        }
        None => functions.iter_mut().find(|f| f.name.udl == entry),
    }
}
