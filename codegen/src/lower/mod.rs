//! Phase 2: lower uniffi's metadata plus the config into the model, and
//! check it. Every problem is collected with its location into one sink; the
//! phase fails if any of them is an error.
//!
//! Lowering is split by concern: `settings` (what the config sets), `types`
//! (names, types, defaults), `errors`, `data` (records and enums),
//! `callables` (functions, methods, constructors, callback interfaces) and
//! `check` (rules over the finished definitions: unique names, one package
//! namespace).

mod backends;
mod callables;
mod check;
mod data;
mod errors;
mod settings;
mod types;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use uniffi_meta::{Metadata, ObjectImpl, TraitKind};

use crate::config::Config;
use crate::diagnostics::{Annotate, Code, Diagnostic, Sink, Source};
use crate::model::*;
use crate::udl::Spans;

/// The help of every refusal of a callback interface outside an argument.
const CALLBACK_ELSEWHERE: &str = "a callback interface is only an argument (`T` or `T?`); to store, return or collect Python implementations, declare it `[Trait, WithForeign] interface` (docs/uniffi-compat.md)";

pub struct Context<'a> {
    pub spans: &'a Spans,
    pub config: &'a Config,
    pub udl_file: String,
    /// The core crate's version, when the caller read it.
    pub core_version: Option<&'a str>,
}

/// The model and its warnings, or every problem found (warnings included).
pub fn lower(
    group: uniffi_meta::MetadataGroup,
    cx: &Context<'_>,
) -> Result<(Api, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut l = Lowerer {
        cx,
        sink: Sink::default(),
        ids: Ids::default(),
        variant_attribute: "variant".to_string(),
        enum_variants: BTreeMap::new(),
        flat_enums: BTreeSet::new(),
        taken: BTreeSet::new(),
        traits: BTreeMap::new(),
        own_crate: group.namespace.crate_name.clone(),
        namespace: group.namespace.name.clone(),
        item: None,
        throwable_customs: BTreeMap::new(),
    };
    let api = l.run(group);
    l.sink.finish().map(|warnings| (api, warnings))
}

struct Lowerer<'a, 'c> {
    cx: &'a Context<'c>,
    sink: Sink,
    ids: Ids,
    /// The exception attribute naming the variant, which fields must not take.
    variant_attribute: String,
    /// The variants of every enum by UDL name, for defaults that name one.
    enum_variants: BTreeMap<String, Vec<String>>,
    /// The enums without fields (hashable in both languages: map keys).
    flat_enums: BTreeSet<String>,
    /// Package-level names already taken, which a default class name avoids.
    taken: BTreeSet<String>,
    /// The `[Traits=(...)]` of each definition, by UDL name.
    traits: BTreeMap<String, Traits>,
    /// The crate the UDL belongs to, as uniffi names it in module paths: a
    /// `typedef` without `[External]` names a type of this crate.
    own_crate: String,
    /// The UDL namespace (the owner of functions).
    namespace: String,
    /// The proc-macro item being lowered (`Canvas.draw`): it has no place
    /// in the UDL, so its problems name it.
    item: Option<String>,
    /// Custom types over an error type that calls may throw, by UDL name.
    throwable_customs: BTreeMap<String, CustomId>,
}

/// Every definition's id by UDL name.
#[derive(Default)]
struct Ids {
    errors: BTreeMap<String, ErrorId>,
    records: BTreeMap<String, RecordId>,
    enums: BTreeMap<String, EnumId>,
    objects: BTreeMap<String, ObjectId>,
    callbacks: BTreeMap<String, CallbackId>,
    customs: BTreeMap<String, CustomId>,
}

/// Each name's position, as an id.
fn positions<'a, Id>(
    names: impl Iterator<Item = &'a String>,
    id: impl Fn(usize) -> Id,
) -> BTreeMap<String, Id> {
    names.enumerate().map(|(i, n)| (n.clone(), id(i))).collect()
}

/// The package-level Python names the UDL and config define, before any
/// default class name is chosen: definitions, functions, listeners and
/// their Protocols, error bases, and classes named in the config.
fn taken_names(items: &Items, config: &Config) -> BTreeSet<String> {
    let mut taken = BTreeSet::new();
    let python = |n: &str| crate::names::python_name(n);
    taken.extend(items.records.iter().map(|r| python(&r.name)));
    taken.extend(items.enums.iter().map(|e| python(&e.name)));
    taken.extend(items.objects.iter().map(|o| python(&o.name)));
    taken.extend(items.functions.iter().map(|f| python(&f.name)));
    for c in &items.callbacks {
        taken.insert(python(&c.name));
        taken.insert(crate::model::protocol_name(&python(&c.name)));
    }
    // A default that two error types would both take is taken: each of
    // them falls back, whatever the order of the definitions.
    let mut defaults = BTreeMap::<String, usize>::new();
    for (e, _) in &items.errors {
        let config = configured(&config.errors, &e.name);
        for v in &e.variants {
            let set = config
                .and_then(|c| configured(&c.variants, &v.name))
                .is_some_and(|c| c.class.is_some());
            if !set {
                *defaults.entry(default_class_name(&v.name)).or_default() += 1;
            }
        }
    }
    taken.extend(
        defaults
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(name, _)| name),
    );
    for (e, _) in &items.errors {
        let base = configured(&config.errors, &e.name).and_then(|c| c.base.as_ref());
        taken.insert(base.map_or_else(|| e.name.clone(), |b| b.get_ref().clone()));
        for v in configured(&config.errors, &e.name)
            .into_iter()
            .flat_map(|c| c.variants.values())
        {
            taken.extend(v.class.as_ref().map(|c| c.get_ref().clone()));
        }
    }
    taken
}

/// `VError`, or `V` when it ends in `Error`: a variant's default class name.
fn default_class_name(variant: &str) -> String {
    if variant.ends_with("Error") {
        variant.to_string()
    } else {
        format!("{variant}Error")
    }
}

/// The config's entry for the UDL name `name` in a `[section.Name]` table.
fn configured<'c, V>(table: &'c BTreeMap<toml::Spanned<String>, V>, name: &str) -> Option<&'c V> {
    table
        .iter()
        .find(|(k, _)| k.get_ref() == name)
        .map(|(_, v)| v)
}

/// Items sorted into declaration order, since uniffi returns a sorted set.
fn by_position<T>(mut items: Vec<(Range<usize>, T)>) -> Vec<T> {
    items.sort_by_key(|(span, _)| span.start);
    items.into_iter().map(|(_, item)| item).collect()
}

/// uniffi's metadata by kind, each in declaration order.
#[derive(Default)]
struct Items {
    errors: Vec<(uniffi_meta::EnumMetadata, bool)>,
    records: Vec<uniffi_meta::RecordMetadata>,
    enums: Vec<uniffi_meta::EnumMetadata>,
    objects: Vec<uniffi_meta::ObjectMetadata>,
    callbacks: Vec<uniffi_meta::CallbackInterfaceMetadata>,
    customs: Vec<uniffi_meta::CustomTypeMetadata>,
    trait_methods: Vec<uniffi_meta::TraitMethodMetadata>,
    /// `#[uniffi::export] impl Trait for Object`: (object, trait).
    trait_impls: Vec<(String, String)>,
    functions: Vec<uniffi_meta::FnMetadata>,
    constructors: Vec<uniffi_meta::ConstructorMetadata>,
    methods: Vec<uniffi_meta::MethodMetadata>,
}

/// What the config sets for the package and the core crate.
struct Settings {
    package: String,
    native_module: String,
    errors_module: String,
    listeners_module: String,
    variant_attribute: String,
    crate_name: String,
    crate_ident: String,
    crate_path: String,
    in_crate: Option<String>,
}

impl Lowerer<'_, '_> {
    /// What types and defaults need to know of the enums before they are
    /// lowered: each one's variants, and which have no fields.
    fn learn_enums(&mut self, enums: &[uniffi_meta::EnumMetadata]) {
        self.enum_variants = (enums.iter())
            .map(|e| {
                (
                    e.name.clone(),
                    e.variants.iter().map(|v| v.name.clone()).collect(),
                )
            })
            .collect();
        self.flat_enums = (enums.iter())
            .filter(|e| e.variants.iter().all(|v| v.fields.is_empty()))
            .map(|e| e.name.clone())
            .collect();
    }

    fn push(
        &mut self,
        source: Source,
        code: Code,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.sink.push(Diagnostic::new(code, source, span, message))
    }

    fn udl(
        &mut self,
        code: Code,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let item = self.item.clone();
        let diagnostic = self.push(Source::Udl, code, span, message);
        if let Some(item) = item {
            let note = crate::diagnostics::PROC_MACRO_ITEM;
            diagnostic.notes.push(format!("in `{item}`, {note}"));
        }
        diagnostic
    }

    /// Names `owner` (and `member`) in the problems found until the next
    /// call, if the crate's proc-macros declare it (the UDL does not).
    fn lowering(&mut self, owner: &str, member: Option<&str>) {
        let spans = self.cx.spans;
        let (name, declared) = match member {
            // A function's owner is the namespace.
            Some(m) if owner == self.namespace => (m.to_string(), spans.declares_member(owner, m)),
            Some(m) => (format!("{owner}.{m}"), spans.declares_member(owner, m)),
            None => (owner.to_string(), spans.declares(owner)),
        };
        self.item = (!declared).then_some(name);
    }

    fn cfg(
        &mut self,
        code: Code,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Source::Config, code, span, message)
    }

    fn unsupported(&mut self, span: Range<usize>, feature: &str, name: &str) {
        self.udl(
            Code::Unsupported,
            span,
            format!("bindery does not support {feature} yet (`{name}`)"),
        )
        .with_note("bindery's docs/uniffi-compat.md lists what it binds and what not yet")
        .with_help("remove it from the UDL, or bind it by hand next to the generated crate");
    }

    fn run(&mut self, group: uniffi_meta::MetadataGroup) -> Api {
        let namespace = group.namespace.name.clone();
        let settings = self.settings(&namespace);
        let settings_package = settings.package.clone();
        self.variant_attribute = settings.variant_attribute.clone();
        let modules = modules(&group.items);
        let items = self.sort_items(group.items, &namespace);
        // Ids are positions in declaration order, known before any type is lowered.
        self.ids = Ids {
            errors: positions(items.errors.iter().map(|(e, _)| &e.name), ErrorId),
            records: positions(items.records.iter().map(|r| &r.name), RecordId),
            enums: positions(items.enums.iter().map(|e| &e.name), EnumId),
            objects: positions(items.objects.iter().map(|o| &o.name), ObjectId),
            callbacks: positions(items.callbacks.iter().map(|c| &c.name), CallbackId),
            customs: positions(items.customs.iter().map(|c| &c.name), CustomId),
        };
        self.taken = taken_names(&items, self.cx.config);
        let panic_class = self.panic_class();
        self.taken.insert(panic_class.clone());
        self.learn_enums(&items.enums);
        let errors: Vec<ErrorType> = items
            .errors
            .into_iter()
            .map(|(e, flat)| self.error_type(e, flat))
            .collect();
        self.item = None;
        self.check_config_errors(&errors);
        let customs: Vec<Custom> = items.customs.into_iter().map(|c| self.custom(c)).collect();
        self.check_config_customs(&customs);
        self.throwable_customs = throwable_customs(&customs, &errors, self.cx.config);
        let mut records: Vec<Record> = items.records.into_iter().map(|r| self.record(r)).collect();
        self.item = None;
        let mut enums: Vec<Enum> = items
            .enums
            .into_iter()
            .map(|e| self.enumeration(e))
            .collect();
        self.item = None;
        let trait_methods = items.trait_methods;
        let with_foreign = with_foreign(&items.objects);
        let mut callbacks: Vec<Callback> = items
            .callbacks
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
        self.item = None;
        let methods = with_trait_methods(items.methods, &trait_methods, &self.ids.objects);
        // Proc-macros export methods of records and enums too.
        let (of_values, methods): (Vec<_>, Vec<_>) = methods.into_iter().partition(|m| {
            self.ids.records.contains_key(&m.self_name) || self.ids.enums.contains_key(&m.self_name)
        });
        self.value_methods(&mut records, &mut enums, of_values);
        self.item = None;
        self.check_recursive_values(&records, &enums);
        let mut objects = self.objects(items.objects, items.constructors, methods);
        self.implemented_traits(&mut objects, &items.trait_impls);
        self.item = None;
        for (i, foreign) in with_foreign.into_iter().enumerate() {
            if foreign {
                let id = CallbackId(callbacks.len());
                callbacks.push(self.foreign_trait(ObjectId(i), &objects[i], &errors));
                objects[i].foreign = Some(id);
            }
        }
        self.check_config_listeners(&callbacks);
        let mut functions = self.functions(&namespace, items.functions);
        self.item = None;
        self.apply_gil_config(&mut objects, &mut functions);
        let distribution = self.distribution(&settings_package);
        let backends = self.backends(&settings, &distribution.name);
        self.apply_backend_only(&mut objects, &mut functions, &backends);
        self.object_errors(&mut objects, &functions, &callbacks);
        self.apply_interface_config(&mut objects);
        self.check_custom_builtins(&customs, &objects);

        let mut api = Api {
            namespace,
            docstring: group.namespace_docstring,
            package: settings.package,
            native_module: settings.native_module,
            errors_module: settings.errors_module,
            listeners_module: settings.listeners_module,
            variant_attribute: settings.variant_attribute,
            panic_class,
            panic_alias: None,
            class_aliases: Vec::new(),
            crate_name: settings.crate_name,
            crate_ident: settings.crate_ident,
            crate_path: settings.crate_path,
            in_crate: settings.in_crate,
            udl_file: self.cx.udl_file.clone(),
            modules,
            distribution,
            errors,
            records,
            enums,
            objects,
            functions,
            callbacks,
            customs,
            async_runtime: self.async_runtime(),
            uses_uniffi: (self.cx.config.rust.proc_macros.as_ref()).is_some_and(|p| *p.get_ref()),
            backends,
        };
        api.panic_alias = panic_alias(&api);
        api.class_aliases = class_aliases(&api);
        self.check_custom_errors(&api);
        self.check_exports(&api);
        api
    }

    /// Sorts uniffi's metadata by kind, in declaration order; what bindery
    /// does not bind yet is reported here, once per definition.
    fn sort_items(
        &mut self,
        metadata: impl IntoIterator<Item = Metadata>,
        namespace: &str,
    ) -> Items {
        let spans = self.cx.spans;
        let mut errors = Vec::new();
        let mut records = Vec::new();
        let mut enums = Vec::new();
        let mut objects = Vec::new();
        let mut callbacks = Vec::new();
        let mut customs = Vec::new();
        let mut functions = Vec::new();
        let mut constructors = Vec::new();
        let mut methods = Vec::new();
        let mut trait_methods = Vec::new();
        let mut trait_impls = Vec::new();
        for item in metadata {
            match item {
                Metadata::Namespace(_) | Metadata::UdlFile(_) => {}
                Metadata::Enum(e) => match e.shape {
                    uniffi_meta::EnumShape::Error { flat } => {
                        errors.push((spans.def(&e.name), (e, flat)))
                    }
                    uniffi_meta::EnumShape::Enum => enums.push((spans.def(&e.name), e)),
                },
                Metadata::Record(r) => records.push((spans.def(&r.name), r)),
                Metadata::Object(o) => objects.push((spans.def(&o.name), o)),
                Metadata::CallbackInterface(c) => callbacks.push((spans.def(&c.name), c)),
                Metadata::TraitMethod(m) => trait_methods.push(m),
                Metadata::Func(f) => functions.push((spans.member(namespace, &f.name), f)),
                Metadata::Constructor(c) => {
                    constructors.push((spans.member(&c.self_name, &c.name), c))
                }
                Metadata::Method(m) => methods.push((spans.member(&m.self_name, &m.name), m)),
                Metadata::CustomType(c) => customs.push((spans.def(&c.name), c)),
                Metadata::UniffiTrait(t) => {
                    let traits = self.traits.entry(t.self_name().to_string()).or_default();
                    match t {
                        uniffi_meta::UniffiTraitMetadata::Debug { .. } => traits.debug = true,
                        uniffi_meta::UniffiTraitMetadata::Display { .. } => traits.display = true,
                        uniffi_meta::UniffiTraitMetadata::Eq { .. } => traits.eq = true,
                        uniffi_meta::UniffiTraitMetadata::Hash { .. } => traits.hash = true,
                        uniffi_meta::UniffiTraitMetadata::Ord { .. } => traits.ord = true,
                    }
                }
                Metadata::ObjectTraitImpl(t) => match (t.ty, t.trait_ty) {
                    (
                        uniffi_meta::Type::Object { name, .. },
                        uniffi_meta::Type::Object {
                            name: trait_name, ..
                        },
                    ) => trait_impls.push((name, trait_name)),
                    (ty, _) => {
                        let name = match ty {
                            uniffi_meta::Type::Object { name, .. } => name,
                            _ => namespace.to_string(),
                        };
                        self.unsupported(
                            spans.def(&name),
                            "implementations of callback interfaces on interfaces",
                            &name,
                        );
                    }
                },
            }
        }
        Items {
            errors: by_position(errors),
            records: by_position(records),
            enums: by_position(enums),
            objects: by_position(objects),
            callbacks: by_position(callbacks),
            customs: by_position(customs),
            trait_methods,
            trait_impls,
            functions: by_position(functions),
            constructors: by_position(constructors),
            methods: by_position(methods),
        }
    }

    /// Interfaces with their constructors and methods.
    fn objects(
        &mut self,
        defs: Vec<uniffi_meta::ObjectMetadata>,
        constructors: Vec<uniffi_meta::ConstructorMetadata>,
        methods: Vec<uniffi_meta::MethodMetadata>,
    ) -> Vec<Object> {
        let spans = self.cx.spans;
        let mut objects: Vec<Object> = defs
            .into_iter()
            .map(|o| Object {
                is_trait: matches!(o.imp, ObjectImpl::Trait(_)),
                // Set once the trait's Python side is lowered.
                foreign: None,
                // Set once every call is lowered.
                is_error: false,
                name: data::rust_named(
                    self.glue_type_name(spans.def(&o.name), &o.name),
                    o.orig_name.clone(),
                ),
                traits: self.traits.get(&o.name).copied().unwrap_or_default(),
                docstring: o.docstring,
                constructor: None,
                named_constructors: Vec::new(),
                methods: Vec::new(),
                // Set from the config once every method is lowered.
                context_exit: None,
            })
            .collect();
        for c in constructors {
            let span = spans.member(&c.self_name, &c.name);
            let mut callable = self.callable(
                &c.self_name,
                &c.name,
                span,
                c.inputs,
                None,
                c.throws,
                c.docstring,
            );
            callable.is_async = c.is_async;
            if let Some(rust) = c.orig_name {
                callable.name.rust = rust;
            }
            if let Some(id) = self.ids.objects.get(&c.self_name) {
                let object = &mut objects[id.0];
                // `Class(...)` cannot be awaited: an `[Async]` primary
                // constructor is the async classmethod `new` (`await
                // Class.new(...)`), where UniFFI's Python has an `__init__`
                // returning a coroutine, which Python refuses.
                if c.name == "new" && !c.is_async {
                    object.constructor = Some(callable);
                } else {
                    object.named_constructors.push(callable);
                }
            }
        }
        for m in methods {
            let span = spans.member(&m.self_name, &m.name);
            let Some(id) = self.ids.objects.get(&m.self_name).copied() else {
                // Proc-macros export methods of errors too.
                self.udl(
                    Code::Unsupported,
                    span,
                    format!(
                        "bindery does not bind methods of errors yet (`{}.{}`)",
                        m.self_name, m.name
                    ),
                )
                .with_help("export a function that takes the value instead, or leave the method out of the bindings");
                continue;
            };
            let by_arc = m.takes_self_by_arc;
            let mut callable = self.method(m, span);
            callable.self_by_arc = by_arc;
            objects[id.0].methods.push(callable);
        }
        for object in &objects {
            let t = object.traits;
            if object.is_trait && (t.eq || t.hash || t.ord) {
                self.udl(
                    Code::Unsupported,
                    spans.def(&object.name.udl),
                    format!(
                        "`[Trait]` interface `{}` cannot compare or hash by value",
                        object.name.udl
                    ),
                )
                .with_help("a trait object has no `PartialEq`, `Hash` or `Ord`; keep `Debug` and `Display` in `[Traits]`, or make it a plain interface");
            }
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
        objects
    }

    /// B010 for a config table keyed by a name the UDL does not declare as
    /// a `kind`, with "did you mean" among `known`.
    fn unknown_definition<'k>(
        &mut self,
        key: &toml::Spanned<String>,
        known: impl Iterator<Item = &'k str> + Clone,
        kind: &str,
    ) {
        let help = check::suggestion(key.get_ref(), known, &format!("{kind}s in the UDL"));
        self.cfg(
            Code::UnknownInConfig,
            key.span(),
            format!("the UDL declares no {kind} `{}`", key.get_ref()),
        )
        .with_help(help);
    }

    /// Every `[custom.X]` of the config names a custom type of the UDL.
    fn check_config_customs(&mut self, customs: &[Custom]) {
        for key in self.cx.config.custom.keys() {
            if !customs.iter().any(|c| &c.name.udl == key.get_ref()) {
                let known = customs.iter().map(|c| c.name.udl.as_str());
                self.unknown_definition(key, known, "custom type");
            }
        }
    }

    /// Values of `[Trait, WithForeign]` interfaces and of interfaces thrown
    /// as errors are not their class: no custom type is built on them.
    fn check_custom_builtins(&mut self, customs: &[Custom], objects: &[Object]) {
        for c in customs {
            let special = c.builtin.walk().into_iter().any(|t| match t {
                Type::Object(id) => objects[id.0].foreign.is_some() || objects[id.0].is_error,
                _ => false,
            });
            if special {
                let span = self.cx.spans.def(&c.name.udl);
                let what = "a `[Trait, WithForeign]` interface or an interface thrown as an error";
                self.refuse_custom(span, &c.name.udl, what);
            }
        }
    }

    /// Marks the interfaces some call throws. Python cannot build the Rust
    /// value of an interface error for a listener, nor subclass a trait
    /// object's exception, so those are refused.
    fn object_errors(
        &mut self,
        objects: &mut [Object],
        functions: &[Callable],
        callbacks: &[Callback],
    ) {
        let members = objects.iter().flat_map(Object::members);
        let thrown: Vec<ObjectId> = functions
            .iter()
            .chain(members)
            .filter_map(|c| c.throws_object)
            .collect();
        for id in thrown {
            objects[id.0].is_error = true;
        }
        for c in callbacks {
            for m in &c.methods {
                if m.callable.throws_via.is_some() {
                    let span = self.cx.spans.member(&c.name.udl, &m.callable.name.udl);
                    self.udl(
                        Code::Unsupported,
                        span.clone(),
                        format!(
                            "`{}` throws a custom type, which Python cannot hand back to Rust",
                            m.callable.name.udl
                        ),
                    )
                    .with_help("throw the error type itself from callback methods");
                }
                if let Some(id) = m.callable.throws_object {
                    let span = self.cx.spans.member(&c.name.udl, &m.callable.name.udl);
                    self.udl(
                        Code::Unsupported,
                        span,
                        format!(
                            "`{}` throws the interface `{}`, which Python cannot hand back to Rust",
                            m.callable.name.udl,
                            objects[id.0].name.udl
                        ),
                    )
                    .with_help("throw an `[Error]` enum or interface from callback methods; see docs/uniffi-compat.md");
                }
            }
        }
        // Python implementations of a trait are no Rust errors.
        for o in objects.iter().filter(|o| o.is_error && o.foreign.is_some()) {
            self.udl(
                Code::Unsupported,
                self.cx.spans.def(&o.name.udl),
                format!("the `[Trait, WithForeign]` interface `{}` is thrown as an error", o.name.udl),
            )
            .with_help("throw a plain interface (a struct in Rust), a `[Trait]` one, or an `[Error]` type; see docs/uniffi-compat.md");
        }
    }

    fn functions(
        &mut self,
        namespace: &str,
        functions: Vec<uniffi_meta::FnMetadata>,
    ) -> Vec<Callable> {
        let spans = self.cx.spans;
        functions
            .into_iter()
            .map(|f| {
                let span = spans.member(namespace, &f.name);
                let mut callable = self.callable(
                    namespace,
                    &f.name,
                    span,
                    f.inputs,
                    f.return_type,
                    f.throws,
                    f.docstring,
                );
                callable.is_async = f.is_async;
                if let Some(rust) = f.orig_name {
                    callable.name.rust = rust;
                }
                callable
            })
            .collect()
    }
}

/// The module below the crate root of each item declared outside it (by
/// proc-macros: UDL items are at the root).
fn modules(items: &std::collections::BTreeSet<Metadata>) -> BTreeMap<String, String> {
    let mut modules = BTreeMap::new();
    for item in items {
        let name = match item {
            Metadata::Func(f) => &f.name,
            Metadata::Record(r) => &r.name,
            Metadata::Enum(e) => &e.name,
            Metadata::Object(o) => &o.name,
            Metadata::CallbackInterface(c) => &c.name,
            Metadata::CustomType(c) => &c.name,
            _ => continue,
        };
        if let Some((_, module)) = item.module_path().split_once("::") {
            modules.insert(name.clone(), module.to_string());
        }
    }
    modules
}

impl Lowerer<'_, '_> {
    /// `#[uniffi::export] impl Trait for Object`: the proc-macros export the
    /// trait's methods as the object's too; those call through the trait's
    /// path (which the glue need not have in scope).
    fn implemented_traits(&mut self, objects: &mut [Object], trait_impls: &[(String, String)]) {
        for (object, trait_name) in trait_impls {
            let (Some(o), Some(t)) = (
                self.ids.objects.get(object),
                self.ids.objects.get(trait_name),
            ) else {
                let span = self.cx.spans.def(object);
                self.unsupported(
                    span,
                    "implementing a trait the API does not declare",
                    object,
                );
                continue;
            };
            let path = objects[t.0].name.clone();
            // The receiver as the trait declares it (the object's method
            // metadata does not tell `&self` from `Arc<Self>`).
            let of_trait: Vec<(String, bool)> = objects[t.0]
                .methods
                .iter()
                .map(|m| (m.name.udl.clone(), m.self_by_arc))
                .collect();
            for m in &mut objects[o.0].methods {
                if let Some((_, by_arc)) = of_trait.iter().find(|(name, _)| *name == m.name.udl) {
                    m.via_trait = Some(path.clone());
                    m.self_by_arc = *by_arc;
                }
            }
        }
    }
}

/// UniFFI's spelling of each native class's name (records, enums,
/// interfaces) where it differs from the UDL's and no other name of the
/// package, nor another class's spelling, is that (`XyzEnum` for `XYZEnum`).
fn class_aliases(api: &Api) -> Vec<(String, Export)> {
    let exports = api.exports();
    let classes = exports.iter().filter(|(_, e)| {
        matches!(
            e,
            Export::Record(_) | Export::Enum(_) | Export::Object(_) | Export::ErrorBase(_)
        )
    });
    // A trait Python may implement: UniFFI's class of its Rust
    // implementations is `<Trait>Impl`, bindery's the trait's own class.
    let implementations = classes.clone().filter_map(|(name, e)| match e {
        Export::Object(id) if api.object(*id).foreign.is_some() => {
            Some((name, format!("{}Impl", crate::names::upper_camel(name)), *e))
        }
        _ => None,
    });
    let wanted: Vec<(String, Export)> = classes
        .map(|(name, e)| (name, crate::names::upper_camel(name), *e))
        .chain(implementations)
        .filter(|(name, alias, _)| alias != *name && crate::names::is_identifier(alias))
        .filter(|(_, alias, _)| exports.iter().all(|(n, _)| n != alias))
        .map(|(_, alias, e)| (alias, e))
        .collect();
    let unique = |alias: &String| wanted.iter().filter(|(a, _)| a == alias).count() == 1;
    wanted
        .iter()
        .filter(|(alias, _)| unique(alias))
        .cloned()
        .collect()
}

impl Lowerer<'_, '_> {
    /// A custom type over an error type binds only as what a call throws:
    /// as a value it would be an exception converted twice.
    fn check_custom_errors(&mut self, api: &Api) {
        let values = api.value_types();
        for (i, c) in api.customs.iter().enumerate() {
            if matches!(c.builtin, Type::Error(_)) && values.contains(&Type::Custom(CustomId(i))) {
                self.lowering(&c.name.udl, None);
                let span = self.cx.spans.def(&c.name.udl);
                self.refuse_custom(span, &c.name.udl, "an error type, and used as a value");
            }
        }
        self.item = None;
    }
}

/// UniFFI's name for the panic class, where the API leaves it free.
fn panic_alias(api: &Api) -> Option<String> {
    let alias = "InternalError";
    let free = api.panic_class != alias && !api.exports().iter().any(|(n, _)| n == alias);
    free.then(|| alias.to_string())
}

/// The custom types over an error type whose `lower` gives the error:
/// the config's, or the crate's UniFFI (which reads back an error with
/// fields, not a flat one).
fn throwable_customs(
    customs: &[Custom],
    errors: &[ErrorType],
    config: &crate::config::Config,
) -> BTreeMap<String, CustomId> {
    let uniffi = config
        .rust
        .proc_macros
        .as_ref()
        .is_some_and(|p| *p.get_ref());
    let throwable = |c: &Custom| match c.builtin {
        Type::Error(e) => c.lower.is_some() || (uniffi && !errors[e.0].flat),
        _ => false,
    };
    (customs.iter().enumerate())
        .filter(|(_, c)| throwable(c))
        .map(|(i, c)| (c.name.udl.clone(), CustomId(i)))
        .collect()
}

/// Which interfaces Python may implement too (`[Trait, WithForeign]`).
fn with_foreign(objects: &[uniffi_meta::ObjectMetadata]) -> Vec<bool> {
    objects
        .iter()
        .map(|o| {
            !matches!(
                o.imp,
                ObjectImpl::Struct | ObjectImpl::Trait(TraitKind::RustOnly)
            )
        })
        .collect()
}

/// A trait's method as a method of `self_name`.
fn as_method(m: &uniffi_meta::TraitMethodMetadata, self_name: &str) -> uniffi_meta::MethodMetadata {
    uniffi_meta::MethodMetadata {
        module_path: m.module_path.clone(),
        self_name: self_name.to_string(),
        name: m.name.clone(),
        orig_name: m.orig_name.clone(),
        is_async: m.is_async,
        inputs: m.inputs.clone(),
        return_type: m.return_type.clone(),
        throws: m.throws.clone(),
        takes_self_by_arc: m.takes_self_by_arc,
        checksum: m.checksum,
        docstring: m.docstring.clone(),
    }
}

/// The methods of the interfaces, with those of traits the proc-macros
/// export (`#[uniffi::export] trait T`), which come as trait methods, in
/// their trait's order.
fn with_trait_methods(
    mut methods: Vec<uniffi_meta::MethodMetadata>,
    trait_methods: &[uniffi_meta::TraitMethodMetadata],
    objects: &BTreeMap<String, ObjectId>,
) -> Vec<uniffi_meta::MethodMetadata> {
    let mut of_objects: Vec<&uniffi_meta::TraitMethodMetadata> = trait_methods
        .iter()
        .filter(|m| objects.contains_key(&m.trait_name))
        .collect();
    of_objects.sort_by_key(|m| (&m.trait_name, m.index));
    methods.extend(of_objects.into_iter().map(|m| as_method(m, &m.trait_name)));
    methods
}
