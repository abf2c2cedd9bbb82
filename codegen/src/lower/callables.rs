//! Functions, methods, constructors and callback interfaces.

use std::ops::Range;

use crate::diagnostics::{Annotate, Code};
use crate::model::{Argument, Callable, Callback, CallbackMethod, ErrorId, ErrorType, Name, Type};
use crate::names;

use super::check::suggestion;
use super::types::type_label;
use super::{configured, Lowerer};

impl Lowerer<'_, '_> {
    pub(super) fn callback(
        &mut self,
        c: uniffi_meta::CallbackInterfaceMetadata,
        methods: Vec<uniffi_meta::TraitMethodMetadata>,
        errors: &[ErrorType],
    ) -> Callback {
        let span = self.cx.spans.def(&c.name);
        let name = self.glue_type_name(span.clone(), &c.name);
        let config = configured(&self.cx.config.listeners, &c.name);
        let configured: Vec<&str> = config
            .map(|l| l.required.iter().map(|r| r.get_ref().as_str()).collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        for m in methods {
            let mspan = self.cx.spans.member(&c.name, &m.name);
            if m.is_async {
                self.unsupported(mspan.clone(), "async callback methods", &m.name);
            }
            let callable = self.callable(
                &c.name,
                &m.name,
                mspan.clone(),
                m.inputs,
                m.return_type,
                m.throws,
                m.docstring,
            );
            for a in &callable.arguments {
                if matches!(a.ty, Type::Callback(_)) || a.default.is_some() {
                    self.udl(
                        Code::Unsupported,
                        self.cx.spans.arg(&c.name, &m.name, &a.name.udl),
                        "callback methods take plain values (no listeners, no defaults)",
                    );
                }
            }
            // A flat error thrown from Python becomes its Rust variant, which
            // must then be a unit variant (documented in uniffi-compat.md).
            let required = configured.contains(&m.name.as_str())
                || callable.returns.is_some()
                || callable.throws.is_some();
            out.push(CallbackMethod { callable, required });
        }
        // A throwing method needs a variant for exceptions that are not the error's own.
        let throws: Option<ErrorId> = out.iter().find_map(|m| m.callable.throws);
        if let Some(first) = throws {
            for m in &out {
                if m.callable.throws.is_some_and(|t| t != first) {
                    let mspan = self.cx.spans.member(&c.name, &m.callable.name.udl);
                    self.udl(
                        Code::Unsupported,
                        mspan,
                        format!("the methods of `{}` throw different error types", c.name),
                    )
                    .with_help(
                        "let every method of one callback interface throw the same error type",
                    );
                }
            }
        }
        let unexpected = config.and_then(|l| l.unexpected_error.as_ref());
        let thrown = throws.map(|t| &errors[t.0]);
        let unexpected_error = self.unexpected_error(&c.name, thrown, unexpected);
        Callback {
            name,
            docstring: c.docstring,
            methods: out,
            unexpected_error,
        }
    }

    /// The variant Rust receives when a throwing method fails otherwise
    /// (`unexpected-error`): required when a method throws, and its fields
    /// must all be strings.
    fn unexpected_error(
        &mut self,
        callback: &str,
        thrown: Option<&ErrorType>,
        unexpected: Option<&toml::Spanned<String>>,
    ) -> Option<String> {
        match (thrown, unexpected) {
            (None, None) => None,
            (None, Some(v)) => {
                self.cfg(
                    Code::UnknownInConfig,
                    v.span(),
                    format!(
                        "no method of `{}` throws, so `unexpected-error` is unused",
                        callback
                    ),
                );
                None
            }
            (Some(error), None) => {
                let error = &error.name.udl;
                self.udl(Code::MissingConfig, self.cx.spans.def(callback), format!("`{}` has methods that throw `{error}`, but no `unexpected-error` variant", callback))
                    .with_help(format!("add `unexpected-error = \"<variant of {error} whose fields are strings>\"` to `[listeners.{}]`", callback))
                    .with_note("it is what Rust receives when the Python method raises another exception or returns the wrong type");
                None
            }
            (Some(error), Some(v)) => {
                let variant = error.variants.iter().find(|x| &x.name.udl == v.get_ref());
                match variant {
                    Some(x) if x.fields.iter().all(|f| f.ty == Type::String) => {
                        Some(v.get_ref().clone())
                    }
                    Some(_) => {
                        self.cfg(Code::MissingConfig, v.span(), format!("variant `{}` has fields that are not strings", v.get_ref()))
                            .with_help("pick a variant whose fields are all `string`; they receive the description of the failure");
                        None
                    }
                    None => {
                        self.cfg(
                            Code::UnknownInConfig,
                            v.span(),
                            format!("`{}` has no variant `{}`", error.name.udl, v.get_ref()),
                        );
                        None
                    }
                }
            }
        }
    }

    pub(super) fn check_config_listeners(&mut self, callbacks: &[Callback]) {
        for (key, config) in &self.cx.config.listeners {
            let Some(callback) = callbacks.iter().find(|c| &c.name.udl == key.get_ref()) else {
                let known = callbacks.iter().map(|c| c.name.udl.as_str());
                let help = suggestion(key.get_ref(), known, "callback interfaces in the UDL");
                self.cfg(
                    Code::UnknownInConfig,
                    key.span(),
                    format!("the UDL declares no callback interface `{}`", key.get_ref()),
                )
                .with_help(help);
                continue;
            };
            for method in &config.required {
                let known = callback
                    .methods
                    .iter()
                    .map(|m| m.callable.name.udl.as_str());
                if !known.clone().any(|m| m == method.get_ref()) {
                    let help = suggestion(method.get_ref(), known, "its methods");
                    self.cfg(
                        Code::UnknownInConfig,
                        method.span(),
                        format!(
                            "callback interface `{}` has no method `{}`",
                            key.get_ref(),
                            method.get_ref()
                        ),
                    )
                    .with_help(help);
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn callable(
        &mut self,
        owner: &str,
        member: &str,
        span: Range<usize>,
        inputs: Vec<uniffi_meta::FnParamMetadata>,
        returns: Option<uniffi_meta::Type>,
        throws: Option<uniffi_meta::Type>,
        docstring: Option<String>,
    ) -> Callable {
        let name = self.name(span.clone(), member);
        if name.python.starts_with("__") {
            self.udl(
                Code::ReservedName,
                span.clone(),
                format!("`{member}` would be a Python dunder name"),
            )
            .with_help("rename it");
        }
        let mut arguments = Vec::new();
        let mut seen_default = false;
        for p in inputs {
            let aspan = self.cx.spans.arg(owner, member, &p.name);
            let python = names::binding_name(&p.name);
            let rust = match names::rust_name(&python) {
                Some(r) => r,
                None => {
                    self.udl(
                        Code::InvalidName,
                        aspan.clone(),
                        format!("argument `{}` cannot be a Rust identifier", p.name),
                    );
                    python.clone()
                }
            };
            let default = p
                .default
                .as_ref()
                .and_then(|d| self.default(d, aspan.clone()));
            if default.is_some() {
                seen_default = true;
            } else if seen_default {
                self.udl(
                    Code::Unsupported,
                    aspan.clone(),
                    format!(
                        "argument `{}` has no default but follows one that has",
                        p.name
                    ),
                )
                .with_help("Python needs defaulted arguments last; move it or give it a default");
            }
            if let Some(ty) = self.ty(&p.ty, aspan) {
                arguments.push(Argument {
                    name: Name {
                        udl: p.name,
                        python,
                        rust,
                    },
                    ty,
                    by_ref: p.by_ref,
                    default,
                });
            }
        }
        let names = arguments.iter().map(|a| {
            (
                a.name.python.clone(),
                self.cx.spans.arg(owner, member, &a.name.udl),
            )
        });
        let names: Vec<_> = names.collect();
        self.check_unique(names, &format!("among the arguments of `{member}`"));
        for a in &arguments {
            let top_level = match &a.ty {
                Type::Callback(_) => true,
                Type::Optional(inner) => matches!(inner.as_ref(), Type::Callback(_)),
                _ => false,
            };
            if a.ty.contains_callback() && !top_level {
                let aspan = self.cx.spans.arg(owner, member, &a.name.udl);
                self.udl(Code::Unsupported, aspan, "a callback interface can only be an argument `T` or `T?`, not inside a collection");
            }
        }
        let returns = returns.and_then(|t| self.ty(&t, span.clone()));
        if returns.as_ref().is_some_and(Type::contains_callback) {
            self.udl(
                Code::Unsupported,
                span.clone(),
                "a callback interface cannot be returned to Python",
            );
        }
        let throws = throws.and_then(|t| match t {
            uniffi_meta::Type::Enum { name, .. } if self.ids.errors.contains_key(&name) => {
                self.ids.errors.get(&name).copied()
            }
            other => {
                self.udl(
                    Code::Unsupported,
                    span.clone(),
                    format!(
                        "`{member}` throws `{}`, which is not an `[Error]` type",
                        type_label(&other)
                    ),
                );
                None
            }
        });
        Callable {
            name,
            arguments,
            returns,
            throws,
            self_by_arc: false,
            keep_gil: false,
            docstring,
        }
    }
}
