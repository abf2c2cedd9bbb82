//! Phase 2: lower uniffi's metadata plus the config into the model, and
//! validate everything. Every problem is collected with its location; the
//! phase fails if any was found.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use uniffi_meta::{DefaultValueMetadata, LiteralMetadata, Metadata, ObjectImpl};

use crate::config::Config;
use crate::diagnostics::{Annotate, Code, Diagnostic, Source};
use crate::model::*;
use crate::names;
use crate::udl::Spans;

pub struct Context<'a> {
    pub spans: &'a Spans,
    pub config: &'a Config,
    pub udl_file: String,
}

/// The model and its warnings, or every problem found (warnings included).
pub fn lower(
    group: uniffi_meta::MetadataGroup,
    cx: &Context<'_>,
) -> Result<(Api, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut l = Lowerer {
        cx,
        diags: Vec::new(),
        ids: Ids::default(),
    };
    let api = l.run(group);
    if l.diags.iter().any(Diagnostic::is_error) {
        Err(l.diags)
    } else {
        Ok((api, l.diags))
    }
}

struct Lowerer<'a, 'c> {
    cx: &'a Context<'c>,
    diags: Vec<Diagnostic>,
    ids: Ids,
}

/// Every definition's id by UDL name.
#[derive(Default)]
struct Ids {
    errors: BTreeMap<String, ErrorId>,
    records: BTreeMap<String, RecordId>,
    enums: BTreeMap<String, EnumId>,
    objects: BTreeMap<String, ObjectId>,
    callbacks: BTreeMap<String, CallbackId>,
}

/// Each name's position, as an id.
fn positions<'a, Id>(
    names: impl Iterator<Item = &'a String>,
    id: impl Fn(usize) -> Id,
) -> BTreeMap<String, Id> {
    names.enumerate().map(|(i, n)| (n.clone(), id(i))).collect()
}

/// Items sorted into declaration order, since uniffi returns a sorted set.
fn by_position<T>(mut items: Vec<(Range<usize>, T)>) -> Vec<T> {
    items.sort_by_key(|(span, _)| span.start);
    items.into_iter().map(|(_, item)| item).collect()
}

impl Lowerer<'_, '_> {
    fn push(
        &mut self,
        source: Source,
        code: Code,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::new(code, source, span, message));
        self.diags.last_mut().expect("just pushed")
    }

    fn udl(
        &mut self,
        code: Code,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Source::Udl, code, span, message)
    }

    fn cfg(
        &mut self,
        code: Code,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Source::Config, code, span, message)
    }

    fn run(&mut self, group: uniffi_meta::MetadataGroup) -> Api {
        let spans = self.cx.spans;
        let config = self.cx.config;
        let namespace = group.namespace.name.clone();

        let package =
            self.identifier_setting(config.python.package.as_ref(), &namespace, "python.package");
        let native_module = self.identifier_setting(
            config.python.native_module.as_ref(),
            "_native",
            "python.native-module",
        );
        if native_module == "errors" {
            let span = config
                .python
                .native_module
                .as_ref()
                .map_or(0..0, |s| s.span());
            self.cfg(
                Code::NameCollision,
                span,
                "the native module cannot be called `errors`: that is the exception module",
            )
            .with_help("keep the default `_native`");
        }
        let crate_name = match &config.rust.crate_name {
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
            None => namespace.clone(),
        };
        let crate_ident = crate_name.replace('-', "_");
        let crate_path = config
            .rust
            .path
            .as_ref()
            .map_or_else(|| format!("../{crate_name}"), |p| p.get_ref().clone());

        // Sort metadata by kind; keep the declaration order by position.
        let mut callback_defs = Vec::new();
        let mut trait_methods = Vec::new();
        let mut errors = Vec::new();
        let mut records = Vec::new();
        let mut enums = Vec::new();
        let mut objects = Vec::new();
        let mut functions = Vec::new();
        let mut constructors = Vec::new();
        let mut methods = Vec::new();
        let mut traits_reported = BTreeSet::new();
        for item in group.items {
            match item {
                Metadata::Namespace(_) | Metadata::UdlFile(_) => {}
                Metadata::Enum(e) => match e.shape {
                    uniffi_meta::EnumShape::Error { flat } => {
                        errors.push((spans.def(&e.name), (e, flat)))
                    }
                    uniffi_meta::EnumShape::Enum => enums.push((spans.def(&e.name), e)),
                },
                Metadata::Record(r) => records.push((spans.def(&r.name), r)),
                Metadata::Object(o) => match o.imp {
                    ObjectImpl::Struct => objects.push((spans.def(&o.name), o)),
                    ObjectImpl::Trait(_) => {
                        self.unsupported(spans.def(&o.name), "`[Trait]` interfaces", &o.name)
                    }
                },
                Metadata::CallbackInterface(c) => {
                    callback_defs.push((spans.def(&c.name), c));
                }
                Metadata::TraitMethod(m) => trait_methods.push(m),
                Metadata::Func(f) => functions.push((spans.member(&namespace, &f.name), f)),
                Metadata::Constructor(c) => {
                    constructors.push((spans.member(&c.self_name, &c.name), c))
                }
                Metadata::Method(m) => methods.push((spans.member(&m.self_name, &m.name), m)),
                Metadata::CustomType(c) => self.unsupported(
                    spans.def(&c.name),
                    "custom types (`[Custom] typedef`)",
                    &c.name,
                ),
                Metadata::UniffiTrait(t) => {
                    // One item per listed trait: one diagnostic per interface.
                    let name = t.self_name().to_string();
                    if traits_reported.insert(name.clone()) {
                        self.unsupported(spans.def(&name), "`[Traits=(...)]` on interfaces", &name);
                    }
                }
                Metadata::ObjectTraitImpl(t) => {
                    let name = match &t.ty {
                        uniffi_meta::Type::Object { name, .. } => name.clone(),
                        _ => namespace.clone(),
                    };
                    self.unsupported(
                        spans.def(&name),
                        "trait implementations on interfaces",
                        &name,
                    );
                }
            }
        }

        // Ids are positions in declaration order, known before any type is lowered.
        let errors = by_position(errors);
        let records = by_position(records);
        let enums = by_position(enums);
        let objects = by_position(objects);
        let callback_defs = by_position(callback_defs);
        self.ids = Ids {
            errors: positions(errors.iter().map(|(e, _)| &e.name), ErrorId),
            records: positions(records.iter().map(|r| &r.name), RecordId),
            enums: positions(enums.iter().map(|e| &e.name), EnumId),
            objects: positions(objects.iter().map(|o| &o.name), ObjectId),
            callbacks: positions(callback_defs.iter().map(|c| &c.name), CallbackId),
        };

        let errors: Vec<ErrorType> = errors
            .into_iter()
            .map(|(e, flat)| self.error_type(e, flat))
            .collect();
        self.check_config_errors(&errors);
        let records: Vec<Record> = records.into_iter().map(|r| self.record(r)).collect();
        let enums: Vec<Enum> = enums.into_iter().map(|e| self.enumeration(e)).collect();
        let callbacks: Vec<Callback> = callback_defs
            .into_iter()
            .map(|c| {
                let mut methods: Vec<uniffi_meta::TraitMethodMetadata> = trait_methods
                    .iter()
                    .filter(|m| m.trait_name == c.name)
                    .cloned()
                    .collect();
                methods.sort_by_key(|m| m.index);
                self.callback(c, methods, &errors)
            })
            .collect();
        self.check_config_listeners(&callbacks);

        let mut objects: Vec<Object> = objects
            .into_iter()
            .map(|o| Object {
                name: self.glue_type_name(spans.def(&o.name), &o.name),
                docstring: o.docstring,
                constructor: None,
                named_constructors: Vec::new(),
                methods: Vec::new(),
            })
            .collect();
        for c in by_position(constructors) {
            let span = spans.member(&c.self_name, &c.name);
            if c.is_async {
                self.unsupported(span.clone(), "async constructors", &c.name);
            }
            let callable = self.callable(
                &c.self_name,
                &c.name,
                span,
                c.inputs,
                None,
                c.throws,
                c.docstring,
            );
            if let Some(object) = objects.iter_mut().find(|o| o.name.udl == c.self_name) {
                if c.name == "new" {
                    object.constructor = Some(callable);
                } else {
                    object.named_constructors.push(callable);
                }
            }
        }
        for m in by_position(methods) {
            let span = spans.member(&m.self_name, &m.name);
            if m.is_async {
                self.unsupported(span.clone(), "async methods", &m.name);
            }
            let mut callable = self.callable(
                &m.self_name,
                &m.name,
                span,
                m.inputs,
                m.return_type,
                m.throws,
                m.docstring,
            );
            callable.self_by_arc = m.takes_self_by_arc;
            if let Some(object) = objects.iter_mut().find(|o| o.name.udl == m.self_name) {
                object.methods.push(callable);
            }
        }
        for object in &objects {
            let members = object
                .named_constructors
                .iter()
                .chain(&object.methods)
                .map(|c| &c.name);
            self.check_unique_members(
                &object.name.udl,
                members,
                &format!("in interface `{}`", object.name.udl),
            );
        }

        let mut functions: Vec<Callable> = by_position(functions)
            .into_iter()
            .map(|f| {
                let span = spans.member(&namespace, &f.name);
                if f.is_async {
                    self.unsupported(span.clone(), "async functions", &f.name);
                }
                self.callable(
                    &namespace,
                    &f.name,
                    span,
                    f.inputs,
                    f.return_type,
                    f.throws,
                    f.docstring,
                )
            })
            .collect();

        self.apply_gil_config(&mut objects, &mut functions);

        let api = Api {
            namespace,
            docstring: group.namespace_docstring,
            package,
            native_module,
            crate_name,
            crate_ident,
            crate_path,
            udl_file: self.cx.udl_file.clone(),
            errors,
            records,
            enums,
            objects,
            functions,
            callbacks,
        };
        self.check_exports(&api);
        api
    }

    fn callback(
        &mut self,
        c: uniffi_meta::CallbackInterfaceMetadata,
        methods: Vec<uniffi_meta::TraitMethodMetadata>,
        errors: &[ErrorType],
    ) -> Callback {
        let span = self.cx.spans.def(&c.name);
        let name = self.glue_type_name(span.clone(), &c.name);
        let config = self
            .cx
            .config
            .listeners
            .iter()
            .find(|(k, _)| k.get_ref() == &c.name)
            .map(|(_, v)| v);
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
            if let Some(e) = callable.throws.map(|t| &errors[t.0]) {
                if e.flat {
                    self.udl(Code::Unsupported, mspan.clone(), format!("`{}` throws the flat error `{}`; a Python exception cannot be turned back into its Rust value", m.name, e.name.udl))
                        .with_help("declare the error as `[Error] interface` with named fields");
                }
            }
            if callable.returns.is_some() && callable.throws.is_none() {
                self.udl(Code::Unsupported, mspan.clone(), format!("callback method `{}` returns a value but declares no `[Throws]`", m.name))
                    .with_help("add `[Throws=<error>]`: when the Python method fails, Rust needs an error to receive instead of a value");
            }
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
        let unexpected_error = match (thrown, unexpected) {
            (None, None) => None,
            (None, Some(v)) => {
                self.cfg(
                    Code::UnknownInConfig,
                    v.span(),
                    format!(
                        "no method of `{}` throws, so `unexpected-error` is unused",
                        c.name
                    ),
                );
                None
            }
            (Some(error), None) => {
                let error = &error.name.udl;
                self.udl(Code::MissingConfig, span.clone(), format!("`{}` has methods that throw `{error}`, but no `unexpected-error` variant", c.name))
                    .with_help(format!("add `unexpected-error = \"<variant of {error} whose fields are strings>\"` to `[listeners.{}]`", c.name))
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
        };
        Callback {
            name,
            docstring: c.docstring,
            methods: out,
            unexpected_error,
        }
    }

    fn record(&mut self, r: uniffi_meta::RecordMetadata) -> Record {
        let span = self.cx.spans.def(&r.name);
        let name = self.glue_type_name(span, &r.name);
        let mut fields = Vec::new();
        for f in r.fields {
            let fspan = self.cx.spans.member(&r.name, &f.name);
            let mut fname = self.name(fspan.clone(), &f.name);
            // The glue's constructor binds every field as a parameter.
            fname.python = names::binding_name(&f.name);
            let default = f
                .default
                .as_ref()
                .and_then(|d| self.default(d, fspan.clone()));
            let ty = self.ty(&f.ty, fspan.clone());
            if ty.as_ref().is_some_and(Type::contains_callback) {
                self.udl(
                    Code::Unsupported,
                    fspan,
                    "a record field cannot hold a callback interface",
                );
            } else if let Some(ty) = ty {
                fields.push(RecordField {
                    name: fname,
                    ty,
                    default,
                    docstring: f.docstring,
                });
            }
        }
        let names: Vec<&Name> = fields.iter().map(|f| &f.name).collect();
        self.check_unique_members(&r.name, names, &format!("among the fields of `{}`", r.name));
        Record {
            name,
            docstring: r.docstring,
            fields,
        }
    }

    fn enumeration(&mut self, e: uniffi_meta::EnumMetadata) -> Enum {
        let span = self.cx.spans.def(&e.name);
        let name = self.glue_type_name(span, &e.name);
        let flat = e.variants.iter().all(|v| v.fields.is_empty());
        let mut variants = Vec::new();
        for v in e.variants {
            let vspan = self.cx.spans.member(&e.name, &v.name);
            let mut vname = self.name(vspan.clone(), &v.name);
            if flat {
                vname.python = names::upper_snake(&v.name);
            }
            let mut fields = Vec::new();
            for f in v.fields {
                let fspan = self.cx.spans.arg(&e.name, &v.name, &f.name);
                let mut fname = self.name(fspan.clone(), &f.name);
                fname.python = names::variant_field_name(&f.name);
                let ty = self.ty(&f.ty, fspan.clone());
                if ty.as_ref().is_some_and(Type::contains_callback) {
                    self.udl(
                        Code::Unsupported,
                        fspan,
                        "an enum variant cannot hold a callback interface",
                    );
                } else if let Some(ty) = ty {
                    fields.push(Field {
                        name: fname,
                        ty,
                        docstring: f.docstring,
                    });
                }
            }
            variants.push(EnumVariant {
                name: vname,
                fields,
                docstring: v.docstring,
            });
        }
        let members: Vec<&Name> = variants.iter().map(|v| &v.name).collect();
        self.check_unique_members(
            &e.name,
            members,
            &format!("among the members of `{}`", e.name),
        );
        Enum {
            name,
            docstring: e.docstring,
            flat,
            non_exhaustive: e.non_exhaustive,
            variants,
        }
    }

    /// Marks the calls listed in `[gil] keep`.
    fn apply_gil_config(&mut self, objects: &mut [Object], functions: &mut [Callable]) {
        for entry in &self.cx.config.gil.keep {
            let target = match entry.get_ref().split_once('.') {
                Some((object, method)) => objects
                    .iter_mut()
                    .find(|o| o.name.udl == object)
                    .and_then(|o| o.methods.iter_mut().find(|m| m.name.udl == method)),
                None => functions
                    .iter_mut()
                    .find(|f| f.name.udl == *entry.get_ref()),
            };
            match target {
                Some(callable) => callable.keep_gil = true,
                None => {
                    let candidates: Vec<String> = objects
                        .iter()
                        .flat_map(|o| {
                            o.methods
                                .iter()
                                .map(move |m| format!("{}.{}", o.name.udl, m.name.udl))
                        })
                        .chain(functions.iter().map(|f| f.name.udl.clone()))
                        .collect();
                    let help =
                        names::did_you_mean(entry.get_ref(), candidates.iter().map(String::as_str))
                            .map_or_else(
                                || {
                                    "write `Interface.method` for a method, or the function name"
                                        .to_string()
                                },
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
            }
        }
    }

    fn unsupported(&mut self, span: Range<usize>, feature: &str, name: &str) {
        self.udl(
            Code::Unsupported,
            span,
            format!("bindery does not support {feature} yet (`{name}`)"),
        )
        .with_note("remove it from the UDL, or bind it by hand next to the generated crate");
    }

    fn identifier_setting(
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

    /// A class named in the config must not shadow a Python builtin: an
    /// error, unless it is a built-in exception the class itself subclasses
    /// (`class = "TimeoutError"` with `bases = ["TimeoutError"]`), a warning.
    fn check_shadow(&mut self, value: &toml::Spanned<String>, bases: &[String]) {
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
    fn class_setting(&mut self, value: &toml::Spanned<String>) -> String {
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

    /// A UDL name that must be spellable in both languages.
    fn name(&mut self, span: Range<usize>, udl: &str) -> Name {
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
    fn glue_type_name(&mut self, span: Range<usize>, udl: &str) -> Name {
        self.name(span, udl)
    }

    /// `check_unique` for the members of one definition, by their Python names.
    fn check_unique_members<'n>(
        &mut self,
        owner: &str,
        names: impl IntoIterator<Item = &'n Name>,
        scope: &str,
    ) {
        let spans = self.cx.spans;
        let located: Vec<(String, Range<usize>)> = names
            .into_iter()
            .map(|n| (n.python.clone(), spans.member(owner, &n.udl)))
            .collect();
        self.check_unique(located, scope);
    }

    /// `check_unique_located` for names that all come from the UDL.
    fn check_unique(
        &mut self,
        names: impl IntoIterator<Item = (String, Range<usize>)>,
        scope: &str,
    ) {
        let located = names.into_iter().map(|(n, span)| (n, (Source::Udl, span)));
        self.check_unique_located(located, scope);
    }

    /// One diagnostic per name given twice, at the second, with the first as
    /// a secondary label; a name set in the config is the primary side.
    fn check_unique_located(
        &mut self,
        names: impl IntoIterator<Item = (String, (Source, Range<usize>))>,
        scope: &str,
    ) {
        let mut seen: BTreeMap<String, (Source, Range<usize>)> = BTreeMap::new();
        for (name, here) in names {
            let Some(first) = seen.get(&name).cloned() else {
                seen.insert(name, here);
                continue;
            };
            if first == here {
                continue;
            }
            let (primary, other, label) = if first.0 == Source::Config && here.0 == Source::Udl {
                (first, here, "the UDL defines it here")
            } else {
                (here, first, "first defined here")
            };
            let d = self
                .push(
                    primary.0,
                    Code::NameCollision,
                    primary.1,
                    format!("two definitions are both called `{name}` {scope}"),
                )
                .with_help("rename one of them (in the UDL, or with `class` in the config)");
            if !other.1.is_empty() {
                d.with_related(other.0, other.1, label);
            }
        }
    }

    /// Everything the package exports shares one namespace.
    fn check_exports(&mut self, api: &Api) {
        let spans = self.cx.spans;
        let def = |n: &Name| (Source::Udl, spans.def(&n.udl));
        let located: Vec<(String, (Source, Range<usize>))> = api
            .exports()
            .into_iter()
            .map(|(name, what)| {
                let at = match what {
                    Export::Module(_) => (Source::Udl, 0..0),
                    Export::ErrorBase(id) => self.base_span(api.error(id)),
                    Export::ErrorClass(id, k) => {
                        let e = api.error(id);
                        self.class_span(e, &e.classes[k])
                    }
                    Export::Function(i) => {
                        let f = &api.functions[i].name.udl;
                        (Source::Udl, spans.member(&api.namespace, f))
                    }
                    Export::Record(id) => def(&api.record(id).name),
                    Export::Enum(id) => def(&api.enumeration(id).name),
                    Export::Object(id) => def(&api.object(id).name),
                    Export::Listener(id) | Export::Protocol(id) => def(&api.callback(id).name),
                };
                (name, at)
            })
            .collect();
        self.check_unique_located(located, "in the package namespace");
    }

    fn base_span(&self, e: &ErrorType) -> (Source, Range<usize>) {
        self.cx
            .config
            .errors
            .iter()
            .find(|(k, _)| k.get_ref() == &e.name.udl)
            .and_then(|(_, c)| c.base.as_ref().map(|b| (Source::Config, b.span())))
            .unwrap_or_else(|| (Source::Udl, self.cx.spans.def(&e.name.udl)))
    }

    /// Where a class's name comes from: its `class` in the config, else its
    /// first variant in the UDL.
    fn class_span(&self, e: &ErrorType, c: &ErrorClass) -> (Source, Range<usize>) {
        let configured = c.variants.iter().find_map(|&vi| {
            let variant = &e.variants[vi].name.udl;
            self.cx
                .config
                .errors
                .iter()
                .find(|(k, _)| k.get_ref() == &e.name.udl)?
                .1
                .variants
                .iter()
                .find(|(k, _)| k.get_ref() == variant)?
                .1
                .class
                .as_ref()
                .map(|class| (Source::Config, class.span()))
        });
        configured.unwrap_or_else(|| {
            let variant = &e.variants[c.variants[0]];
            (
                Source::Udl,
                self.cx.spans.member(&e.name.udl, &variant.name.udl),
            )
        })
    }

    fn error_type(&mut self, e: uniffi_meta::EnumMetadata, flat: bool) -> ErrorType {
        let non_exhaustive = e.non_exhaustive;
        let spans = self.cx.spans;
        let config = self
            .cx
            .config
            .errors
            .iter()
            .find(|(k, _)| k.get_ref() == &e.name)
            .map(|(_, c)| c);
        let def_span = spans.def(&e.name);
        let name = self.name(def_span.clone(), &e.name);
        let base = match config.and_then(|c| c.base.as_ref()) {
            Some(b) => {
                self.check_shadow(b, &[]);
                self.class_setting(b)
            }
            None => {
                if names::is_python_keyword(&e.name) {
                    self.udl(
                        Code::InvalidName,
                        def_span.clone(),
                        format!("`{}` is a Python keyword and cannot name a class", e.name),
                    )
                    .with_help(format!("set `base` in `[errors.{}]`", e.name));
                }
                e.name.clone()
            }
        };

        let mut variants = Vec::new();
        let mut classes: Vec<ErrorClass> = Vec::new();
        let mut class_bases: Vec<(Vec<String>, Range<usize>)> = Vec::new();
        let variant_attrs: BTreeSet<String> = e
            .variants
            .iter()
            .map(|v| names::python_name(&v.name))
            .collect();
        for v in e.variants {
            let span = spans.member(&e.name, &v.name);
            let vname = self.name(span.clone(), &v.name);
            if names::EXCEPTION_RESERVED.contains(&vname.python.as_str())
                || vname.python.starts_with("__")
            {
                self.udl(Code::ReservedName, span.clone(), format!("variant `{}` would become the attribute `{}.{}`, which exceptions already use", v.name, base, vname.python))
                    .with_help("rename the variant");
            }
            let vconfig = config
                .and_then(|c| c.variants.iter().find(|(k, _)| k.get_ref() == &v.name))
                .map(|(_, c)| c);
            let configured_bases: Vec<String> = vconfig
                .map(|c| c.bases.iter().map(|b| b.get_ref().clone()).collect())
                .unwrap_or_default();
            let class_name = match vconfig.and_then(|c| c.class.as_ref()) {
                Some(c) => {
                    self.check_shadow(c, &configured_bases);
                    self.class_setting(c)
                }
                None if v.name.ends_with("Error") => v.name.clone(),
                None => format!("{}Error", v.name),
            };
            let class_span = vconfig
                .and_then(|c| c.class.as_ref())
                .map(|c| (Source::Config, c.span()))
                .unwrap_or((Source::Udl, span.clone()));
            if class_name == base {
                self.diags.push(
                    Diagnostic::new(
                        Code::NameCollision,
                        class_span.0,
                        class_span.1.clone(),
                        format!("variant class `{class_name}` has the name of its base class"),
                    )
                    .with_help("pick another `class` for the variant, or another `base`"),
                );
            }
            let bases = self.bases(vconfig.map(|c| c.bases.as_slice()).unwrap_or(&[]));
            let bases_span = vconfig.and_then(|c| c.bases.first().map(|b| b.span()));

            let mut fields = Vec::new();
            let mut field_names = Vec::new();
            for f in v.fields {
                let fspan = spans.arg(&e.name, &v.name, &f.name);
                let fname = self.name(fspan.clone(), &f.name);
                let taken_by_base = bases
                    .iter()
                    .filter_map(|b| names::builtin_exception(b))
                    .find(|b| b.attributes.contains(&fname.python.as_str()));
                if names::EXCEPTION_RESERVED.contains(&fname.python.as_str())
                    || fname.python.starts_with("__")
                {
                    self.udl(
                        Code::ReservedName,
                        fspan.clone(),
                        format!(
                            "field `{}` would shadow the exception attribute `{}`",
                            f.name, fname.python
                        ),
                    )
                    .with_help("rename the field");
                } else if let Some(b) = taken_by_base {
                    self.udl(
                        Code::ReservedName,
                        fspan.clone(),
                        format!(
                            "field `{}` would shadow the attribute `{}` of the base `{}`",
                            f.name, fname.python, b.name
                        ),
                    )
                    .with_help("rename the field, or drop that base");
                } else if variant_attrs.contains(&fname.python) {
                    self.udl(
                        Code::ReservedName,
                        fspan.clone(),
                        format!(
                            "field `{}` would shadow the variant class attribute `{}.{}`",
                            f.name, base, fname.python
                        ),
                    )
                    .with_help("rename the field or the variant");
                }
                field_names.push((fname.python.clone(), fspan.clone()));
                let ty = self.ty(&f.ty, fspan.clone());
                if ty.as_ref().is_some_and(Type::needs_conversion) {
                    self.udl(
                        Code::Unsupported,
                        fspan,
                        format!(
                            "field `{}` holds an interface object, record or enum; error fields cannot yet",
                            f.name
                        ),
                    )
                    .with_help("carry an id, a string or a number instead");
                } else if let Some(ty) = ty {
                    fields.push(Field {
                        name: fname,
                        ty,
                        docstring: f.docstring,
                    });
                }
            }
            self.check_unique(field_names, &format!("in variant `{}`", v.name));

            let index = variants.len();
            let class = match classes.iter().position(|c| c.name == class_name) {
                Some(existing) => {
                    let (first_bases, first_span) = &class_bases[existing];
                    if *first_bases != bases {
                        let first_span = first_span.clone();
                        self.diags.push(
                            Diagnostic::new(
                                Code::BaseConflict,
                                Source::Config,
                                bases_span.unwrap_or(class_span.1.clone()),
                                format!(
                                    "variants grouped in `{class_name}` declare different `bases`"
                                ),
                            )
                            .with_related(
                                Source::Config,
                                first_span,
                                "the first variant of the group declares these",
                            )
                            .with_help("give every variant of a shared class the same `bases`"),
                        );
                    }
                    classes[existing].variants.push(index);
                    existing
                }
                None => {
                    class_bases.push((bases.clone(), bases_span.unwrap_or(class_span.1.clone())));
                    classes.push(ErrorClass {
                        name: class_name,
                        bases,
                        variants: vec![index],
                        fields: Vec::new(),
                    });
                    classes.len() - 1
                }
            };
            variants.push(Variant {
                name: vname,
                class,
                fields,
                docstring: v.docstring,
            });
        }

        // A shared class holds the union of its variants' fields.
        for class in &mut classes {
            let mut union: Vec<ClassField> = Vec::new();
            for &vi in &class.variants {
                for f in &variants[vi].fields {
                    match union.iter().find(|u| u.python == f.name.python) {
                        Some(u) if u.ty != f.ty => {
                            let span = spans.arg(&e.name, &variants[vi].name.udl, &f.name.udl);
                            self.diags.push(
                                Diagnostic::new(Code::GroupConflict, Source::Udl, span, format!("field `{}` has different types in the variants grouped in `{}`", f.name.udl, class.name))
                                    .with_help("give the field one type, or do not group these variants"),
                            );
                        }
                        Some(_) => {}
                        None => union.push(ClassField {
                            python: f.name.python.clone(),
                            ty: f.ty.clone(),
                            required: true,
                        }),
                    }
                }
            }
            for u in &mut union {
                u.required = class.variants.iter().all(|&vi| {
                    variants[vi]
                        .fields
                        .iter()
                        .any(|f| f.name.python == u.python)
                });
            }
            class.fields = union;
        }

        ErrorType {
            name,
            base,
            flat,
            non_exhaustive,
            docstring: e.docstring,
            variants,
            classes,
        }
    }

    /// Validates configured bases: built-in, compatible, not redundant.
    fn bases(&mut self, bases: &[toml::Spanned<String>]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut layout: Option<(&'static str, Range<usize>, &'static str)> = None;
        for b in bases {
            let name = b.get_ref();
            let Some(builtin) = names::builtin_exception(name) else {
                let all = names::BUILTIN_EXCEPTIONS.iter().map(|b| b.name);
                let d = self.cfg(
                    Code::UnknownBase,
                    b.span(),
                    format!("`{name}` is not a built-in exception that bindery can use as a base"),
                );
                d.notes.push("`bases` name Python built-in `Exception` subclasses such as `LookupError` or `TimeoutError`".into());
                if let Some(guess) = names::did_you_mean(name, all) {
                    d.help = Some(format!("did you mean `{guess}`?"));
                }
                continue;
            };
            if builtin.name == "Exception" {
                self.cfg(
                    Code::BaseConflict,
                    b.span(),
                    "`Exception` is already a base of every bindery exception",
                )
                .with_help("remove it from `bases`");
                continue;
            }
            if let Some(other) = out.iter().find(|o| {
                names::builtin_is_subclass(o, name) || names::builtin_is_subclass(name, o)
            }) {
                let other = other.clone();
                self.cfg(Code::BaseConflict, b.span(), format!("`{name}` and `{other}` are related; list only the more specific one"))
                    .with_help("a base that is an ancestor of another base breaks Python's method resolution order");
                continue;
            }
            if !builtin.layout.is_empty() {
                match &layout {
                    Some((family, span, first)) if *family != builtin.layout => {
                        let (span, first) = (span.clone(), *first);
                        self.cfg(Code::BaseConflict, b.span(), format!("`{name}` cannot be combined with `{first}` (CPython: instance lay-out conflict)"))
                            .with_related(Source::Config, span, "conflicting base");
                        continue;
                    }
                    Some(_) => {}
                    None => layout = Some((builtin.layout, b.span(), builtin.name)),
                }
            }
            out.push(name.clone());
        }
        out
    }

    fn check_config_errors(&mut self, errors: &[ErrorType]) {
        for (key, config) in &self.cx.config.errors {
            let Some(error) = errors.iter().find(|e| &e.name.udl == key.get_ref()) else {
                let candidates: Vec<String> = self.ids.errors.keys().cloned().collect();
                let guess =
                    names::did_you_mean(key.get_ref(), candidates.iter().map(String::as_str))
                        .map(str::to_string);
                let d = self.cfg(
                    Code::UnknownInConfig,
                    key.span(),
                    format!("the UDL declares no error type `{}`", key.get_ref()),
                );
                d.help = Some(match guess {
                    Some(g) => format!("did you mean `{g}`?"),
                    None if candidates.is_empty() => "the UDL declares no `[Error]` types".into(),
                    None => format!("error types in the UDL: {}", candidates.join(", ")),
                });
                continue;
            };
            for vkey in config.variants.keys() {
                if !error.variants.iter().any(|v| &v.name.udl == vkey.get_ref()) {
                    let guess = names::did_you_mean(
                        vkey.get_ref(),
                        error.variants.iter().map(|v| v.name.udl.as_str()),
                    );
                    let d = self.cfg(
                        Code::UnknownInConfig,
                        vkey.span(),
                        format!("`{}` has no variant `{}`", error.name.udl, vkey.get_ref()),
                    );
                    if let Some(g) = guess {
                        d.help = Some(format!("did you mean `{g}`?"));
                    }
                }
            }
        }
    }

    fn check_config_listeners(&mut self, callbacks: &[Callback]) {
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
    fn callable(
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

    fn default(&mut self, d: &DefaultValueMetadata, span: Range<usize>) -> Option<Literal> {
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
                LiteralMetadata::Enum(variant, uniffi_meta::Type::Enum { name, .. }) => self
                    .ids
                    .enums
                    .get(name)
                    .map(|id| Literal::EnumMember(*id, variant.clone())),
                _ => None,
            },
            DefaultValueMetadata::Default => None,
        };
        if literal.is_none() {
            self.udl(
                Code::Unsupported,
                span,
                "bindery supports only `null`, boolean, number and string defaults yet",
            );
        }
        literal
    }

    fn ty(&mut self, t: &uniffi_meta::Type, span: Range<usize>) -> Option<Type> {
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
            T::Box { inner_type } => return self.ty(inner_type, span),
            T::Optional { inner_type } => Type::Optional(Box::new(self.ty(inner_type, span)?)),
            T::Sequence { inner_type } => Type::Sequence(Box::new(self.ty(inner_type, span)?)),
            T::Map {
                key_type,
                value_type,
            } => {
                let key = self.ty(key_type, span.clone())?;
                if !(key.is_integer() || matches!(key, Type::String | Type::Bool)) {
                    self.udl(
                        Code::Unsupported,
                        span,
                        "map keys must be strings, integers or booleans",
                    );
                    return None;
                }
                Type::Map(Box::new(key), Box::new(self.ty(value_type, span)?))
            }
            T::Object {
                name,
                imp: ObjectImpl::Struct,
                ..
            } if self.ids.objects.contains_key(name) => Type::Object(self.ids.objects[name]),
            T::Record { name, .. } if self.ids.records.contains_key(name) => {
                Type::Record(self.ids.records[name])
            }
            T::Enum { name, .. } if self.ids.enums.contains_key(name) => {
                Type::Enum(self.ids.enums[name])
            }
            T::CallbackInterface { name, .. } if self.ids.callbacks.contains_key(name) => {
                Type::Callback(self.ids.callbacks[name])
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

/// "did you mean" for a misspelled name, else the valid names when they are
/// few (`what` says what they are), else how many there are.
fn suggestion<'a>(name: &str, known: impl Iterator<Item = &'a str> + Clone, what: &str) -> String {
    if let Some(guess) = names::did_you_mean(name, known.clone()) {
        return format!("did you mean `{guess}`?");
    }
    let all: Vec<String> = known.map(|k| format!("`{k}`")).collect();
    match all.len() {
        0 => format!("there are no {what}"),
        1..=8 => format!("{what}: {}", all.join(", ")),
        n => format!("there are {n} {what}; none is close to `{name}`"),
    }
}

fn type_label(t: &uniffi_meta::Type) -> String {
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
