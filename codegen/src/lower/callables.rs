//! Functions, methods, constructors and callback interfaces.

use std::ops::Range;

use crate::diagnostics::{Annotate, Code};
use crate::model::{
    Argument, Callable, Callback, CallbackMethod, ErrorId, ErrorType, Literal, Name, Object,
    ObjectId, Type,
};
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
        let mut callables = Vec::new();
        for m in methods {
            let mspan = self.cx.spans.member(&c.name, &m.name);
            let mut callable = self.callable(
                &c.name,
                &m.name,
                mspan.clone(),
                m.inputs,
                m.return_type,
                m.throws,
                m.docstring,
            );
            callable.is_async = m.is_async;
            callables.push(callable);
        }
        self.python_implemented(name, c.docstring, callables, errors, None)
    }

    /// The Python side of a `[Trait, WithForeign]` interface: a callback
    /// interface over its methods, every one of them required (a Python
    /// implementation is a whole implementation of the trait).
    pub(super) fn foreign_trait(
        &mut self,
        id: ObjectId,
        object: &Object,
        errors: &[ErrorType],
    ) -> Callback {
        let callables = object.methods.clone();
        let docstring = object.docstring.clone();
        self.python_implemented(object.name.clone(), docstring, callables, errors, Some(id))
    }

    /// A callback interface (or a trait's Python side) over lowered methods:
    /// which are required, their fallbacks and the unexpected-error variants.
    fn python_implemented(
        &mut self,
        name: Name,
        docstring: Option<String>,
        callables: Vec<Callable>,
        errors: &[ErrorType],
        trait_object: Option<ObjectId>,
    ) -> Callback {
        let udl = name.udl.clone();
        let config = configured(&self.cx.config.listeners, &udl);
        let configured: Vec<&str> = config
            .map(|l| l.required.iter().map(|r| r.get_ref().as_str()).collect())
            .unwrap_or_default();
        let mut out = Vec::new();
        for callable in callables {
            for a in &callable.arguments {
                if matches!(a.ty, Type::Callback(_)) || a.default.is_some() {
                    self.udl(
                        Code::Unsupported,
                        self.cx.spans.arg(&udl, &callable.name.udl, &a.name.udl),
                        "callback methods take plain values (no listeners, no defaults)",
                    );
                }
            }
            // A flat error thrown from Python becomes its Rust variant, which
            // must then be a unit variant (documented in uniffi-compat.md).
            let listed = configured.contains(&callable.name.udl.as_str());
            let required = trait_object.is_some()
                || listed
                || callable.returns.is_some()
                || callable.throws.is_some();
            let fallback = config
                .and_then(|l| {
                    l.fallbacks
                        .iter()
                        .find(|(k, _)| k.get_ref() == &callable.name.udl)
                })
                .and_then(|(_, value)| self.fallback(&udl, &callable, value, errors));
            let queued = self.queued(&udl, &callable, config);
            out.push(CallbackMethod {
                callable,
                required,
                configured: listed,
                fallback,
                queued,
            });
        }
        // Each thrown error type needs a variant for exceptions that are not its own.
        let thrown = crate::model::thrown_by(&out);
        let unexpected_error = self.unexpected_errors(&udl, &thrown, errors, config);
        Callback {
            name,
            docstring,
            methods: out,
            unexpected_error,
            trait_object,
        }
    }

    /// The variant Rust receives when a throwing method fails otherwise,
    /// per thrown error type: `unexpected-error` when one type is thrown,
    /// `unexpected-errors` by error name when several are. Optional (without
    /// one the thread panics); its fields must all be strings.
    fn unexpected_errors(
        &mut self,
        callback: &str,
        thrown: &[ErrorId],
        errors: &[ErrorType],
        config: Option<&crate::config::ListenerConfig>,
    ) -> std::collections::BTreeMap<ErrorId, String> {
        let one = config.and_then(|l| l.unexpected_error.as_ref());
        let by_error = config.map(|l| &l.unexpected_errors);
        let mut out = std::collections::BTreeMap::new();
        if thrown.is_empty() {
            let unused: Vec<_> = one
                .map(|v| v.span())
                .into_iter()
                .chain(
                    by_error
                        .into_iter()
                        .flat_map(|m| m.keys().map(|k| k.span())),
                )
                .collect();
            for span in unused {
                self.cfg(
                    Code::UnknownInConfig,
                    span,
                    format!(
                        "no method of `{callback}` throws, so this `unexpected-error` is unused"
                    ),
                );
            }
            return out;
        }
        if let (Some(v), true) = (one, thrown.len() > 1) {
            let names: Vec<_> = thrown
                .iter()
                .map(|t| format!("`{}`", errors[t.0].name.udl))
                .collect();
            self.cfg(
                Code::UnknownInConfig,
                v.span(),
                format!(
                    "the methods of `{callback}` throw {}, so one `unexpected-error` is ambiguous",
                    names.join(" and ")
                ),
            )
            .with_help(
                "name a variant per error type: `unexpected-errors = { <error> = \"<variant>\" }`",
            );
        }
        if let Some(map) = by_error {
            for key in map.keys() {
                if !thrown
                    .iter()
                    .any(|t| &errors[t.0].name.udl == key.get_ref())
                {
                    let known = thrown.iter().map(|t| errors[t.0].name.udl.as_str());
                    let help =
                        suggestion(key.get_ref(), known, "the error types its methods throw");
                    self.cfg(
                        Code::UnknownInConfig,
                        key.span(),
                        format!("no method of `{callback}` throws `{}`", key.get_ref()),
                    )
                    .with_help(help);
                }
            }
        }
        for &id in thrown {
            let error = &errors[id.0];
            let configured = by_error
                .and_then(|m| super::configured(m, &error.name.udl))
                .or(if thrown.len() == 1 { one } else { None });
            // Without one, an unexpected failure panics, as with UniFFI.
            let Some(v) = configured else {
                continue;
            };
            match error.variants.iter().find(|x| &x.name.udl == v.get_ref()) {
                Some(x) if x.fields.iter().all(|f| f.ty == Type::String) => {
                    out.insert(id, v.get_ref().clone());
                }
                Some(_) => {
                    self.cfg(Code::UnfitConfig, v.span(), format!("variant `{}` has fields that are not strings", v.get_ref()))
                        .with_help("pick a variant whose fields are all `string`; they receive the description of the failure");
                }
                None => {
                    let known = error.variants.iter().map(|x| x.name.udl.as_str());
                    let help = suggestion(v.get_ref(), known, "its variants");
                    self.cfg(
                        Code::UnknownInConfig,
                        v.span(),
                        format!("`{}` has no variant `{}`", error.name.udl, v.get_ref()),
                    )
                    .with_help(help);
                }
            }
        }
        out
    }

    /// `[interfaces.X]`: the method a context manager closes with, which
    /// must exist and take no required argument.
    pub(super) fn apply_interface_config(&mut self, objects: &mut [Object]) {
        for (key, config) in &self.cx.config.interfaces {
            let Some(object) = objects.iter_mut().find(|o| &o.name.udl == key.get_ref()) else {
                let known: Vec<String> = objects.iter().map(|o| o.name.udl.clone()).collect();
                self.unknown_definition(key, known.iter().map(String::as_str), "interface");
                continue;
            };
            let Some(method) = &config.context_manager else {
                continue;
            };
            let found = object
                .methods
                .iter()
                .position(|m| &m.name.udl == method.get_ref());
            let Some(index) = found else {
                let known = object.methods.iter().map(|m| m.name.udl.as_str());
                let help = suggestion(method.get_ref(), known, "its methods");
                self.cfg(
                    Code::UnknownInConfig,
                    method.span(),
                    format!(
                        "interface `{}` has no method `{}`",
                        key.get_ref(),
                        method.get_ref()
                    ),
                )
                .with_help(help);
                continue;
            };
            let required = object.methods[index]
                .arguments
                .iter()
                .filter(|a| a.default.is_none());
            if let Some(argument) = required.map(|a| a.name.udl.clone()).next() {
                self.cfg(
                    Code::ConfigSchema,
                    method.span(),
                    format!(
                        "`{}.{}` takes `{argument}`, but `with` calls it without arguments",
                        key.get_ref(),
                        method.get_ref()
                    ),
                )
                .with_help("pick a method without required arguments");
                continue;
            }
            if object.is_error {
                self.cfg(
                    Code::ConfigSchema,
                    key.span(),
                    format!(
                        "`{}` is thrown as an error: its class is an exception",
                        key.get_ref()
                    ),
                )
                .with_help("remove `context-manager` for it");
                continue;
            }
            object.context_exit = Some(index);
        }
    }

    pub(super) fn check_config_listeners(&mut self, callbacks: &[Callback]) {
        for (key, config) in &self.cx.config.listeners {
            let Some(callback) = callbacks.iter().find(|c| &c.name.udl == key.get_ref()) else {
                let known = callbacks.iter().map(|c| c.name.udl.as_str());
                self.unknown_definition(key, known, "callback interface");
                continue;
            };
            let named = config
                .required
                .iter()
                .chain(config.fallbacks.keys())
                .chain(&config.queued);
            for method in named {
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

    /// Whether a method is delivered queued: `delivery = "queued"` for the
    /// whole interface, or listed in `queued`. Only a method whose caller
    /// waits for nothing can be: no result, no `[Throws]`, not `[Async]`.
    fn queued(
        &mut self,
        callback: &str,
        callable: &Callable,
        config: Option<&crate::config::ListenerConfig>,
    ) -> bool {
        let Some(config) = config else {
            return false;
        };
        let all = match &config.delivery {
            None => false,
            Some(d) => match d.get_ref().as_str() {
                "sync" => false,
                "queued" => true,
                other => {
                    self.cfg(
                        Code::ConfigSchema,
                        d.span(),
                        format!("`{other}` is not a delivery bindery knows"),
                    )
                    .with_help("write \"sync\" (the default: the Rust thread calls the listener) or \"queued\"");
                    false
                }
            },
        };
        let listed = config
            .queued
            .iter()
            .find(|m| m.get_ref() == &callable.name.udl);
        if !all && listed.is_none() {
            return false;
        }
        let why = if callable.returns.is_some() {
            Some("returns a value")
        } else if callable.throws.is_some() || callable.throws_object.is_some() {
            Some("throws")
        } else if callable.is_async {
            Some("is `[Async]`")
        } else {
            None
        };
        let Some(why) = why else {
            return true;
        };
        let span = listed
            .map(|m| m.span())
            .or(config.delivery.as_ref().map(|d| d.span()))
            .unwrap_or(0..0);
        self.cfg(
            Code::UnknownInConfig,
            span,
            format!(
                "`{callback}.{}` {why}, so it cannot be queued: its caller waits for the listener",
                callable.name.udl
            ),
        )
        .with_help("queue only methods that return nothing and throw nothing (list them in `queued`), or deliver it synchronously");
        false
    }

    /// The configured fallback of a method without `[Throws]` that returns
    /// a value, checked against its return type.
    fn fallback(
        &mut self,
        callback: &str,
        callable: &Callable,
        value: &toml::Spanned<toml::Value>,
        errors: &[ErrorType],
    ) -> Option<Literal> {
        let method = format!("{callback}.{}", callable.name.udl);
        let span = value.span();
        if let Some(error) = callable.throws {
            let error = &errors[error.0].name.udl;
            self.cfg(
                Code::UnknownInConfig,
                span,
                format!(
                    "`{method}` throws `{error}`, so a failure already reaches Rust as an error"
                ),
            )
            .with_help("remove the fallback, or the method's `[Throws]`");
            return None;
        }
        let Some(ty) = &callable.returns else {
            self.cfg(
                Code::UnknownInConfig,
                span,
                format!("`{method}` returns nothing, so it needs no fallback"),
            );
            return None;
        };
        let literal = fallback_literal(ty, value.get_ref());
        if literal.is_none() {
            self.cfg(
                Code::ConfigSchema,
                span,
                format!("this fallback is not a value of `{method}`'s return type"),
            )
            .with_help(
                "a fallback is a string, a number or a boolean, of the type the method returns",
            );
        }
        literal
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
        self.lowering(owner, Some(member));
        let name = self.name(span.clone(), member);
        if name.python.starts_with("__") {
            self.udl(
                Code::ReservedName,
                span.clone(),
                format!("`{member}` would be a Python dunder name"),
            )
            .with_help("rename it");
        }
        let arguments = self.arguments(owner, member, inputs);
        let returns = returns.and_then(|t| self.ty(&t, span.clone()));
        if returns.as_ref().is_some_and(Type::contains_callback) {
            self.udl(
                Code::Unsupported,
                span.clone(),
                "a callback interface cannot be returned to Python",
            )
            .with_help(super::CALLBACK_ELSEWHERE);
        }
        let (throws_via, throws) = match throws {
            Some(uniffi_meta::Type::Custom { name, builtin, .. }) => {
                let via = self.thrown_custom(member, span.clone(), &name);
                (via, via.map(|_| *builtin))
            }
            other => (None, other),
        };
        let (throws, throws_object) = self.thrown(member, span, throws);
        Callable {
            name,
            arguments,
            returns,
            throws,
            throws_via,
            throws_object,
            self_by_arc: false,
            keep_gil: false,
            is_async: false,
            backends: Vec::new(),
            docstring,
            via_trait: None,
        }
    }

    /// A method (of an interface, a record or an enum): its callable, async
    /// and Rust name as recorded.
    pub(super) fn method(
        &mut self,
        m: uniffi_meta::MethodMetadata,
        span: Range<usize>,
    ) -> Callable {
        let mut callable = self.callable(
            &m.self_name,
            &m.name,
            span,
            m.inputs,
            m.return_type,
            m.throws,
            m.docstring,
        );
        callable.is_async = m.is_async;
        if let Some(rust) = m.orig_name {
            callable.name.rust = rust;
        }
        callable
    }

    /// The arguments of `owner.member`, checked: names, defaults last,
    /// unique after escaping, callbacks only at the top level.
    fn arguments(
        &mut self,
        owner: &str,
        member: &str,
        inputs: Vec<uniffi_meta::FnParamMetadata>,
    ) -> Vec<Argument> {
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
                .and_then(|d| self.default(d, &p.ty, aspan.clone()));
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
                self.udl(
                    Code::Unsupported,
                    aspan,
                    "a callback interface inside a collection",
                )
                .with_help(super::CALLBACK_ELSEWHERE);
            }
        }
        arguments
    }

    /// What `member` throws: an error type, or an interface used as one.
    /// A custom type thrown as an error (UniFFI's `custom_type!` over an
    /// error type): bound where its `lower` can give the error, through the
    /// crate's UniFFI (an error with fields) or the config's `lower`.
    fn thrown_custom(
        &mut self,
        member: &str,
        span: Range<usize>,
        name: &str,
    ) -> Option<crate::model::CustomId> {
        match self.throwable_customs.get(name) {
            Some(id) => Some(*id),
            None => {
                self.udl(
                    Code::Unsupported,
                    span,
                    format!("`{member}` throws the custom type `{name}`"),
                )
                .with_help("throw the error type itself; a custom type over a `[Error]` type with fields is thrown through the crate's UniFFI, or through `[custom.X] lower`");
                None
            }
        }
    }

    fn thrown(
        &mut self,
        member: &str,
        span: Range<usize>,
        throws: Option<uniffi_meta::Type>,
    ) -> (Option<ErrorId>, Option<ObjectId>) {
        let throws_object = match &throws {
            Some(uniffi_meta::Type::Object { name, .. }) => self.ids.objects.get(name).copied(),
            _ => None,
        };
        let throws = throws.and_then(|t| match t {
            uniffi_meta::Type::Enum { name, .. } if self.ids.errors.contains_key(&name) => {
                self.ids.errors.get(&name).copied()
            }
            // An interface as an error: `throws_object`.
            uniffi_meta::Type::Object { name, .. } if self.ids.objects.contains_key(&name) => None,
            uniffi_meta::Type::Enum { name, module_path }
                if !self.ids.enums.contains_key(&name) && self.is_own_crate(&module_path) =>
            {
                self.proc_macro_type(&name, span.clone());
                None
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
        (throws, throws_object)
    }
}

/// The values an integer type holds.
fn int_range(ty: &Type) -> (i128, i128) {
    match ty {
        Type::I8 => (i8::MIN.into(), i8::MAX.into()),
        Type::I16 => (i16::MIN.into(), i16::MAX.into()),
        Type::I32 => (i32::MIN.into(), i32::MAX.into()),
        Type::I64 => (i64::MIN.into(), i64::MAX.into()),
        Type::U8 => (0, u8::MAX.into()),
        Type::U16 => (0, u16::MAX.into()),
        Type::U32 => (0, u32::MAX.into()),
        _ => (0, u64::MAX.into()),
    }
}

/// `value` as a literal of `ty` (or of its inner type, for an optional).
fn fallback_literal(ty: &Type, value: &toml::Value) -> Option<Literal> {
    let ty = match ty {
        Type::Optional(inner) => inner.as_ref(),
        other => other,
    };
    Some(match (ty, value) {
        (Type::Bool, toml::Value::Boolean(b)) => Literal::Bool(*b),
        (t, toml::Value::Integer(i)) if t.is_integer() => {
            let (low, high) = int_range(t);
            let i = i128::from(*i);
            if i < low || i > high {
                return None;
            }
            Literal::Int(i)
        }
        (Type::F32 | Type::F64, toml::Value::Float(f)) if f.is_finite() => {
            Literal::Float(format!("{f:?}"))
        }
        (Type::F32 | Type::F64, toml::Value::Integer(i)) => Literal::Float(format!("{i}.0")),
        (Type::String, toml::Value::String(s)) => Literal::String(s.clone()),
        _ => return None,
    })
}

#[cfg(test)]
mod fallback_tests {
    use super::fallback_literal;
    use crate::model::{Literal, Type};
    use toml::Value;

    fn int(ty: Type, i: i64) -> Option<Literal> {
        fallback_literal(&ty, &Value::Integer(i))
    }

    #[test]
    fn integers_fit_their_type_to_the_boundary_and_no_further() {
        let cases: [(Type, i64, i64); 7] = [
            (Type::I8, -128, 127),
            (Type::I16, -32768, 32767),
            (Type::I32, i32::MIN.into(), i32::MAX.into()),
            (Type::U8, 0, 255),
            (Type::U16, 0, 65535),
            (Type::U32, 0, u32::MAX.into()),
            (Type::I64, i64::MIN, i64::MAX),
        ];
        for (ty, low, high) in cases {
            assert_eq!(
                int(ty.clone(), low),
                Some(Literal::Int(low.into())),
                "{ty:?} {low}"
            );
            assert_eq!(
                int(ty.clone(), high),
                Some(Literal::Int(high.into())),
                "{ty:?} {high}"
            );
            if low > i64::MIN {
                assert_eq!(int(ty.clone(), low - 1), None, "{ty:?} below");
            }
            if high < i64::MAX {
                assert_eq!(int(ty.clone(), high + 1), None, "{ty:?} above");
            }
        }
        // TOML integers are i64: a u64 takes 0 to i64::MAX, not -1.
        assert_eq!(int(Type::U64, -1), None);
        assert_eq!(
            int(Type::U64, i64::MAX),
            Some(Literal::Int(i64::MAX.into()))
        );
    }

    #[test]
    fn floats_booleans_strings_and_optionals() {
        let f = |ty: Type, v: Value| fallback_literal(&ty, &v);
        assert_eq!(
            f(Type::F64, Value::Float(-0.5)),
            Some(Literal::Float("-0.5".into()))
        );
        assert_eq!(
            f(Type::F32, Value::Integer(3)),
            Some(Literal::Float("3.0".into()))
        );
        assert_eq!(f(Type::F64, Value::Float(f64::INFINITY)), None);
        assert_eq!(f(Type::F64, Value::Float(f64::NAN)), None);
        assert_eq!(
            f(Type::Bool, Value::Boolean(true)),
            Some(Literal::Bool(true))
        );
        assert_eq!(f(Type::Bool, Value::Integer(1)), None);
        assert_eq!(
            f(Type::String, Value::String("x".into())),
            Some(Literal::String("x".into()))
        );
        assert_eq!(f(Type::String, Value::Integer(1)), None);
        assert_eq!(f(Type::I32, Value::String("1".into())), None);
        // An optional takes a value of its inner type.
        let optional = Type::Optional(Box::new(Type::U8));
        assert_eq!(
            f(optional.clone(), Value::Integer(255)),
            Some(Literal::Int(255))
        );
        assert_eq!(f(optional, Value::Integer(256)), None);
        // Types with no literal form take none.
        assert_eq!(f(Type::Bytes, Value::String("x".into())), None);
        assert_eq!(
            f(Type::Sequence(Box::new(Type::U8)), Value::Array(Vec::new())),
            None
        );
    }
}
