//! Names, types and default values, lowered from uniffi's metadata.

use std::ops::Range;

use uniffi_meta::{DefaultValueMetadata, LiteralMetadata};

use crate::diagnostics::{Annotate, Code};
use crate::model::{Custom, Literal, Name, PythonConverter, PythonPath, Type};
use crate::names;

use super::Lowerer;

impl Lowerer<'_, '_> {
    /// A UDL name that must be spellable in both languages.
    pub(super) fn name(&mut self, span: Range<usize>, udl: &str) -> Name {
        if names::is_reserved_prefix(udl) {
            self.udl(
                Code::ReservedName,
                span.clone(),
                format!("`{udl}` uses the prefix `bindery`, which the generated code reserves"),
            )
            .with_help("rename it");
        }
        let rust = match names::rust_name(udl) {
            Some(rust) => rust,
            None => {
                self.udl(
                    Code::InvalidName,
                    span,
                    format!("`{udl}` cannot be a Rust identifier"),
                )
                .with_help("rename it in the UDL and in the Rust crate");
                udl.to_string()
            }
        };
        Name {
            udl: udl.to_string(),
            python: names::python_name(udl),
            rust,
        }
    }

    /// An interface, record, enum or callback name. The glue's own type for
    /// it carries the reserved prefix (`names::glue_type`), so any name binds.
    pub(super) fn glue_type_name(&mut self, span: Range<usize>, udl: &str) -> Name {
        self.name(span, udl)
    }

    /// A custom type: its name, and the type it crosses as: a builtin, a
    /// container, or a record, enum or plain interface of the API.
    pub(super) fn custom(&mut self, c: uniffi_meta::CustomTypeMetadata) -> Custom {
        let span = self.cx.spans.def(&c.name);
        let builtin = self.ty(&c.builtin, span.clone());
        // Over an error type itself, it may be thrown (`check_custom_errors`).
        let refused = builtin.as_ref().and_then(|t| {
            t.walk()
                .into_iter()
                .enumerate()
                .find_map(|(depth, inner)| match inner {
                    Type::Callback(_) => Some("a callback interface"),
                    Type::Error(_) if depth > 0 => Some("an error type"),
                    _ => None,
                })
        });
        if let Some(what) = refused {
            self.refuse_custom(span.clone(), &c.name, what);
        }
        let config = super::configured(&self.cx.config.custom, &c.name);
        let try_lift = config
            .and_then(|x| x.try_lift.as_ref())
            .map(|p| self.rust_path(p));
        let lower = config
            .and_then(|x| x.lower.as_ref())
            .map(|p| self.rust_path(p));
        let python = config.and_then(|x| self.python_converter(&c.name, x));
        let rust = &self.cx.config.rust;
        let via_uniffi = rust.proc_macros.as_ref().is_some_and(|p| *p.get_ref())
            && try_lift.is_none()
            && lower.is_none()
            && builtin.as_ref().is_some_and(Type::is_scalar);
        Custom {
            name: super::data::rust_named(self.glue_type_name(span, &c.name), c.orig_name.clone()),
            docstring: c.docstring,
            builtin: builtin.unwrap_or(Type::String),
            try_lift,
            lower,
            python,
            via_uniffi,
        }
    }

    /// A custom type built on a type it cannot be built on.
    pub(super) fn refuse_custom(&mut self, span: Range<usize>, name: &str, what: &str) {
        self.udl(
            Code::Unsupported,
            span,
            format!("custom type `{name}` is built on {what}"),
        )
        .with_help(
            "build a custom type on a builtin, a container, a record, an enum or a plain interface; see docs/uniffi-compat.md",
        );
    }

    /// `python-type`, `into-python` and `from-python` of a custom type: all
    /// three or none.
    fn python_converter(
        &mut self,
        name: &str,
        config: &crate::config::CustomConfig,
    ) -> Option<PythonConverter> {
        let keys = [
            ("python-type", &config.python_type),
            ("into-python", &config.into_python),
            ("from-python", &config.from_python),
        ];
        let given: Vec<_> = keys.iter().filter(|(_, v)| v.is_some()).collect();
        if given.is_empty() {
            return None;
        }
        if given.len() < keys.len() {
            let missing: Vec<&str> = keys
                .iter()
                .filter(|(_, v)| v.is_none())
                .map(|(k, _)| *k)
                .collect();
            let span = given[0].1.as_ref().map(|v| v.span()).unwrap_or_default();
            self.cfg(
                Code::UnknownInConfig,
                span,
                format!("`[custom.{name}]` converts in Python only with all three keys"),
            )
            .with_help(format!("add {}", missing.join(" and ")));
            return None;
        }
        let mut path = |value: &Option<toml::Spanned<String>>| {
            let value = value.as_ref()?;
            let text = value.get_ref().trim();
            let parsed = text.split_once(':').filter(|(module, qualname)| {
                let dotted = |s: &str| {
                    !s.is_empty()
                        && s.split('.')
                            .all(|p| names::is_identifier(p) && !names::is_python_keyword(p))
                };
                dotted(module) && dotted(qualname)
            });
            if parsed.is_none() {
                self.cfg(
                    Code::InvalidName,
                    value.span(),
                    format!("`{text}` is not a Python object path"),
                )
                .with_help("write `module:name`, for example `ipaddress:IPv4Address` or `ipaddress:IPv4Address.exploded`");
            }
            parsed.map(|(module, qualname)| PythonPath {
                module: module.to_string(),
                qualname: qualname.to_string(),
            })
        };
        let class = path(&config.python_type);
        let into = path(&config.into_python);
        let from = path(&config.from_python);
        Some(PythonConverter {
            class: class?,
            into: into?,
            from: from?,
        })
    }

    /// A configured Rust path: absolute (`::url::Url::parse`), or relative to
    /// the core crate's root (`convert::url_from_string`), which the plan
    /// resolves.
    fn rust_path(&mut self, value: &toml::Spanned<String>) -> String {
        let text = value.get_ref().trim();
        let relative = text.strip_prefix("::");
        // `split` gives at least one segment; an empty one is no name.
        let valid = (relative.unwrap_or(text).split("::"))
            .all(|s| names::rust_name(s).is_some() && !s.is_empty());
        if !valid {
            self.cfg(
                Code::InvalidName,
                value.span(),
                format!("`{text}` is not a Rust path"),
            )
            .with_help(
                "write a function's path: `::other_crate::f`, or `module::f` inside the core crate",
            );
        }
        text.to_string()
    }

    pub(super) fn default(
        &mut self,
        d: &DefaultValueMetadata,
        ty: &uniffi_meta::Type,
        span: Range<usize>,
    ) -> Option<Literal> {
        // A non-null default of an optional is its inner value: rendering
        // wraps it in `Some` for an optional type.
        if let DefaultValueMetadata::Literal(LiteralMetadata::Some { inner }) = d {
            let inner_ty = match ty {
                uniffi_meta::Type::Optional { inner_type } => inner_type,
                other => other,
            };
            return self.default(inner, inner_ty, span);
        }
        if let DefaultValueMetadata::Literal(LiteralMetadata::Enum(
            variant,
            uniffi_meta::Type::Enum { name, .. },
        )) = d
        {
            return self.enum_default(name, variant, span);
        }
        let literal = match d {
            DefaultValueMetadata::Literal(l) => match l {
                LiteralMetadata::None => Some(Literal::None),
                LiteralMetadata::Boolean(b) => Some(Literal::Bool(*b)),
                LiteralMetadata::String(s) => Some(Literal::String(s.clone())),
                LiteralMetadata::UInt(v, _, _) => Some(Literal::Int(i128::from(*v))),
                LiteralMetadata::Int(v, _, _) => Some(Literal::Int(i128::from(*v))),
                LiteralMetadata::Float(v, _) => Some(Literal::Float(v.clone())),
                LiteralMetadata::EmptySequence => Some(Literal::EmptySequence),
                LiteralMetadata::EmptyMap => Some(Literal::EmptyMap),
                _ => None,
            },
            // `#[uniffi(default)]` (proc-macros): the type's own default,
            // as UniFFI's Python has it for these types.
            DefaultValueMetadata::Default => {
                use uniffi_meta::Type as T;
                match ty {
                    T::Boolean => Some(Literal::Bool(false)),
                    T::String => Some(Literal::String(String::new())),
                    T::Float32 | T::Float64 => Some(Literal::Float("0.0".to_string())),
                    T::Optional { .. } => Some(Literal::None),
                    T::Sequence { .. } => Some(Literal::EmptySequence),
                    T::Map { .. } => Some(Literal::EmptyMap),
                    T::Int8 | T::Int16 | T::Int32 | T::Int64 => Some(Literal::Int(0)),
                    T::UInt8 | T::UInt16 | T::UInt32 | T::UInt64 => Some(Literal::Int(0)),
                    _ => None,
                }
            }
        };
        if literal.is_none() {
            self.udl(
                Code::Unsupported,
                span,
                "bindery does not support this default value yet",
            )
            .with_help("use `null`, a boolean, a number, a string, an enum member, `[]` or `{}`");
        }
        literal
    }

    /// An enum member as a default, in any spelling UniFFI accepts: the
    /// variant's UDL name, or the same letters in another case with or
    /// without underscores (`"DEUX"` and `"deux"` for `Deux`, `"DARK_RED"`
    /// for `DarkRed`).
    fn enum_default(
        &mut self,
        enumeration: &str,
        written: &str,
        span: Range<usize>,
    ) -> Option<Literal> {
        let id = *self.ids.enums.get(enumeration)?;
        let variants = self
            .enum_variants
            .get(enumeration)
            .cloned()
            .unwrap_or_default();
        let key = |s: &str| s.replace('_', "").to_lowercase();
        let exact = variants.iter().find(|v| *v == written);
        let loose = variants.iter().find(|v| key(v) == key(written));
        match exact.or(loose) {
            Some(variant) => Some(Literal::EnumMember(id, variant.clone())),
            None => {
                let help = super::check::suggestion(
                    written,
                    variants.iter().map(String::as_str),
                    "its variants",
                );
                self.udl(
                    Code::UdlSemantic,
                    span,
                    format!("`{enumeration}` has no variant `{written}` for this default"),
                )
                .with_help(help);
                None
            }
        }
    }

    /// `record<K, V>` (`HashMap<K, V>`): the keys must hash alike in Python
    /// and Rust.
    fn map_type(
        &mut self,
        key_type: &uniffi_meta::Type,
        value_type: &uniffi_meta::Type,
        span: Range<usize>,
    ) -> Option<Type> {
        use uniffi_meta::Type as T;
        let key = self.ty(key_type, span.clone())?;
        // A flat enum's members are hashable in Python and `Hash`
        // in Rust, as UniFFI requires of a key.
        let flat_enum = matches!(key_type, T::Enum { name, .. } if self.flat_enums.contains(name));
        if !(key.is_integer() || flat_enum || matches!(key, Type::String | Type::Bool)) {
            self.udl(
                Code::Unsupported,
                span,
                "map keys must be strings, integers, booleans or enums without fields",
            );
            return None;
        }
        Some(Type::Map(
            Box::new(key),
            Box::new(self.ty(value_type, span)?),
        ))
    }

    /// `HashSet<T>` (proc-macros).
    fn set_type(&mut self, inner_type: &uniffi_meta::Type, span: Range<usize>) -> Option<Type> {
        let inner = self.ty(inner_type, span.clone())?;
        // Hashable alike in Python and Rust, and passed through as
        // they are (a set of other types would need conversions
        // that keep their hashes).
        if !(inner.is_integer() || matches!(inner, Type::String | Type::Bool)) {
            self.udl(
                Code::Unsupported,
                span,
                "set elements must be strings, integers or booleans",
            );
            return None;
        }
        Some(Type::Set(Box::new(inner)))
    }

    pub(super) fn ty(&mut self, t: &uniffi_meta::Type, span: Range<usize>) -> Option<Type> {
        use uniffi_meta::Type as T;
        Some(match t {
            T::Boolean => Type::Bool,
            T::Int8 => Type::I8,
            T::Int16 => Type::I16,
            T::Int32 => Type::I32,
            T::Int64 => Type::I64,
            T::UInt8 => Type::U8,
            T::UInt16 => Type::U16,
            T::UInt32 => Type::U32,
            T::UInt64 => Type::U64,
            T::Float32 => Type::F32,
            T::Float64 => Type::F64,
            T::String => Type::String,
            T::Bytes => Type::Bytes,
            T::Timestamp => Type::Timestamp,
            T::Duration => Type::Duration,
            // `Box<T>` (proc-macros): the inner type's value, boxed for the core.
            T::Box { inner_type } => Type::Boxed(Box::new(self.ty(inner_type, span)?)),
            T::Optional { inner_type } => Type::Optional(Box::new(self.ty(inner_type, span)?)),
            T::Sequence { inner_type } => Type::Sequence(Box::new(self.ty(inner_type, span)?)),
            T::Map {
                key_type,
                value_type,
            } => return self.map_type(key_type, value_type, span),
            T::Set { inner_type } => return self.set_type(inner_type, span),
            T::Object { name, .. } if self.ids.objects.contains_key(name) => {
                Type::Object(self.ids.objects[name])
            }
            T::Record { name, .. } if self.ids.records.contains_key(name) => {
                Type::Record(self.ids.records[name])
            }
            T::Enum { name, .. } if self.ids.enums.contains_key(name) => {
                Type::Enum(self.ids.enums[name])
            }
            T::CallbackInterface { name, .. } if self.ids.callbacks.contains_key(name) => {
                Type::Callback(self.ids.callbacks[name])
            }
            T::Custom { name, .. } if self.ids.customs.contains_key(name) => {
                Type::Custom(self.ids.customs[name])
            }
            T::Enum { name, .. } if self.ids.errors.contains_key(name) => {
                Type::Error(self.ids.errors[name])
            }
            // `typedef dictionary P;` without `[External]`: a type of this
            // crate that proc-macros define (UniFFI >= 0.29).
            T::Record { name, module_path }
            | T::Enum { name, module_path }
            | T::Object {
                name, module_path, ..
            }
            | T::Custom {
                name, module_path, ..
            } if self.is_own_crate(module_path) => {
                self.proc_macro_type(name, span);
                return None;
            }
            // A type of another crate, declared `[External="crate"] typedef ...`.
            T::Record { name, .. }
            | T::Enum { name, .. }
            | T::Object { name, .. }
            | T::Custom { name, .. } => {
                self.udl(
                    Code::Unsupported,
                    span,
                    format!("`{name}` is an external type, defined by another crate's bindings"),
                )
                .with_help(format!(
                    "bindery binds the types of one UDL into one package: declare `{name}` in this UDL with its fields or methods and `[Remote]`; see docs/uniffi-compat.md"
                ));
                return None;
            }
            other => {
                self.udl(
                    Code::Unsupported,
                    span,
                    format!(
                        "bindery does not support values of type `{}` yet",
                        type_label(other)
                    ),
                );
                return None;
            }
        })
    }
}

pub(super) fn type_label(t: &uniffi_meta::Type) -> String {
    use uniffi_meta::Type as T;
    match t {
        T::Object { name, .. }
        | T::Record { name, .. }
        | T::Enum { name, .. }
        | T::CallbackInterface { name, .. }
        | T::Custom { name, .. } => name.clone(),
        T::Set { .. } => "set".into(),
        other => format!("{other:?}"),
    }
}

impl Lowerer<'_, '_> {
    /// Whether a uniffi module path is in the UDL's own crate.
    pub(super) fn is_own_crate(&self, module_path: &str) -> bool {
        module_path.split("::").next() == Some(self.own_crate.as_str())
    }

    /// `typedef dictionary P;` (or `enum`, `interface`, `custom`) without
    /// `[External]`: the crate's proc-macros define `name`.
    pub(super) fn proc_macro_type(&mut self, name: &str, span: Range<usize>) {
        let read = self.cx.config.rust.proc_macros.as_ref();
        if read.is_some_and(|p| *p.get_ref()) {
            // Read, and not among them: neither side declares it.
            self.udl(
                Code::Unsupported,
                span,
                format!("`{name}` is declared neither in the UDL nor by the crate's proc-macros"),
            )
            .with_help(format!(
                "derive it with UniFFI's macros in the crate (`#[derive(uniffi::Record)]`, `uniffi::Enum`, `uniffi::Object`, `uniffi::Error`), or declare `{name}` in the UDL"
            ));
            return;
        }
        self.udl(
            Code::Unsupported,
            span,
            format!(
                "`{name}` is declared with `typedef`: the crate's proc-macros define it, and the config does not ask bindery to read them"
            ),
        )
        .with_help(format!(
            "set `proc-macros = true` in `[rust]` (bindery then builds the crate and reads `{name}` from it), or declare `{name}` in the UDL itself; see docs/config.md"
        ));
    }
}
