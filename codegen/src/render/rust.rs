//! The glue crate: `Cargo.toml` and `src/lib.rs`.

use askama::Template;

use super::layout::{self, let_call, let_struct, list};

/// The `fields` argument of `bindery_new_error` for a class without fields.
const NO_FIELDS: &str = "let fields = bindery_no_fields;";
use super::callbacks;
use super::data::{self, DataView};
use super::types::{self, Paths};
use super::writer::{conversion_impls, Writer};
use crate::model::{Api, Callable, CallbackId, ErrorId, ErrorType, ObjectId, Traits, Type};

#[derive(Template)]
#[template(path = "Cargo.toml.txt", escape = "none")]
struct CargoToml<'a> {
    header: String,
    crate_ident: &'a str,
    package: &'a str,
    native_module: &'a str,
    crate_name: &'a str,
    crate_path: String,
    /// The abi3 floor: `abi3-py3{minor}`.
    python_minor: u32,
    /// `[async] runtime = "tokio"` and some call is `[Async]`.
    tokio: bool,
    /// Some custom type converts through the crate's `uniffi::custom_type!`.
    uniffi: bool,
    /// `name = ["core/feature", ...]` per backend.
    backends: Vec<String>,
}

pub fn cargo_toml(plan: &Paths<'_>) -> askama::Result<String> {
    let api = plan.api;
    CargoToml {
        header: super::header_text(api),
        crate_ident: &api.crate_ident,
        package: &api.package,
        native_module: &api.native_module,
        crate_name: &api.crate_name,
        crate_path: toml_str(&api.crate_path),
        python_minor: api.distribution.python_minor,
        tokio: api.uses_tokio(),
        uniffi: api.uses_uniffi,
        backends: api
            .backends
            .iter()
            .map(|b| {
                let features: Vec<String> = b
                    .features
                    .iter()
                    .map(|f| toml_str(&format!("{}/{f}", api.crate_ident)))
                    .collect();
                format!("{} = [{}]", b.name, features.join(", "))
            })
            .collect(),
    }
    .render()
}

/// A TOML string literal, escaped by the toml crate.
pub fn toml_str(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The mapping of one error type: a `match` arm per variant, no wildcard.
struct ErrorFn {
    doc: String,
    /// Flat errors match `V { .. }` whatever the variant's shape, which
    /// clippy flags for unit variants.
    allow: Option<&'static str>,
    /// Only the test hooks map an error type no call throws or returns.
    cfg: Option<&'static str>,
    /// `pub(crate) fn name(py, error) -> PyErr {`, laid out: it takes
    /// anything that converts into the core's error (UniFFI lets a UDL
    /// `[Throws=E]` call return an error that is `Into<E>`).
    signature: String,
    /// The core's error type.
    core: String,
    arms: Vec<Arm>,
}

struct Arm {
    /// An attribute on the arm (`#[allow(...)]`).
    attr: Option<&'static str>,
    pattern: String,
    lines: Vec<String>,
}

/// On the wildcard arm of a `[NonExhaustive]` type: the arm is unreachable
/// where the Rust enum is of the glue's own crate (in-crate mode), or is
/// not `#[non_exhaustive]` and has exactly the UDL's variants.
const WILDCARD_ALLOW: &str = "#[allow(unreachable_patterns)]";

struct Method {
    doc: Vec<String>,
    attrs: Vec<String>,
    signature: String,
    body: Vec<String>,
}

struct Object {
    doc: Vec<String>,
    attr: String,
    /// The trait impls after the struct (equality, hashing, ordering).
    impls: Vec<String>,
    /// The protocol methods at the top of `#[pymethods]` (`__repr__`, ...).
    dunders: Vec<String>,
    name: String,
    /// The type of `_inner`: an `Option` for a class Python may subclass.
    held: String,
    methods: Vec<Method>,
}

struct Sample {
    pattern: String,
    lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "lib.rs.txt", escape = "none")]
struct LibRs {
    header: String,
    crate_doc: String,
    imports: Vec<String>,
    errors_module: String,
    /// The attribute naming the variant, as a Rust string literal.
    variant_attribute: String,
    class_count: usize,
    /// The `static` of cached exception classes, and of listener bases.
    /// The `cfg` of the listener helpers when only the test hooks use them
    /// (no call takes a callback interface), of those for optional methods
    /// (no call takes one that has them) and for required ones.
    listener_cfg: Option<&'static str>,
    /// Some bridge exists (`bindery_require`), and its cfg.
    any_bridge: bool,
    /// UniFFI's conversion of an unexpected exception (`BinderyUnexpected`).
    unexpected_probe: bool,
    bridge_cfg: Option<&'static str>,
    /// Some bridge has methods (`bindery_callable`).
    listener_helpers: bool,
    optional_cfg: Option<&'static str>,
    required_cfg: Option<&'static str>,
    /// The statics of cached classes, each emitted where it is used; the
    /// `BinderyTypeSlot` alias is emitted exactly when one of them is.
    error_classes: Option<String>,
    listener_bases: Option<String>,
    error_fns: Vec<ErrorFn>,
    has_records: bool,
    /// Pickling, copying and `copy.replace` of records.
    record_helpers: bool,
    /// Pickling and copying of records and enums.
    reduce_alias: bool,
    /// The innermost types of records' held fields, and whether one has a default.
    held_leaves: Vec<String>,
    held_defaults: bool,
    /// Some record field is held (`bindery_field`).
    held_fields: bool,
    owned_containers: bool,
    /// Some argument is a map, extracted from any mapping.
    mapping_args: bool,
    /// Some value is a `timestamp`: `Bindery_Timestamp`.
    timestamps: bool,
    /// On `Bindery_Timestamp` and its impls when only the test hooks
    /// convert timestamps (a bridge no call takes): unused otherwise, which
    /// in-crate mode's private module would report.
    timestamp_cfg: Option<&'static str>,
    /// How many flat enums (`enum.Enum` classes in `enums_module`) there are.
    flat_enums: usize,
    enums_module: String,
    complex_enums: bool,
    /// `package.native`, as a Rust string literal.
    native_path: String,
    /// Whether `bindery_no_fields` is emitted, and the `cfg` it needs when
    /// only the test hooks use it.
    no_fields: bool,
    no_fields_cfg: Option<&'static str>,
    /// Some error is `[NonExhaustive]`: the helper that names an unknown variant.
    unknown_errors: bool,
    /// The panic class's slot, its name as a Rust literal, and as text.
    panic_slot: Option<usize>,
    /// `[Async]` support: the coroutine class (then: polled in tokio, the
    /// runtime's thread name as a Rust literal).
    has_async: bool,
    /// Some `[Async]` call gives a value (`bindery_py`): it returns one or
    /// is a constructor.
    async_values: bool,
    /// Some callback method is `[Async]`: the coroutine bridge to Rust.
    /// Some bridge has an `[Async]` method: `Some(cfg)` as `queued_type`.
    async_callbacks: Option<Option<&'static str>>,
    async_tokio: bool,
    tokio_thread: String,
    panic_class: String,
    panic_class_name: String,
    /// Some enum is `[NonExhaustive]`: the helper that panics on an unknown variant.
    unknown_variants: bool,
    has_constructors: bool,
    /// Listener support: module, base slots, helpers, error readers, bridges.
    listeners_module: String,
    listener_count: usize,
    /// Some listener method is optional: the base classes are imported.
    has_optional: bool,
    /// `[Trait, WithForeign]` support: the map of Python implementations,
    /// and `bindery_format` when one of them is `Display` or `Debug`.
    has_foreign: bool,
    /// Rust threads enter Python (`bindery_attach`, written beside).
    needs_attach: bool,
    has_foreign_format: bool,
    callback_code: Vec<String>,
    sample_callers: Vec<String>,
    vec_helper: bool,
    map_helper: bool,
    /// The `cfg` of a helper only the test hooks use.
    vec_cfg: Option<&'static str>,
    map_cfg: Option<&'static str>,
    alias_helper: bool,
    customs: Vec<String>,
    /// `bindery_try_custom`'s `cfg` when only the test hooks convert custom types.
    try_custom_cfg: Option<&'static str>,
    /// `bindery_type_alias`, for a custom type over a non-scalar.
    type_alias_helper: bool,
    /// Slots of the Python classes and converters of custom types.
    python_objects: usize,
    data: Vec<DataView>,
    objects: Vec<Object>,
    functions: Vec<Method>,
    module_name: String,
    registrations: Vec<String>,
    /// The embedded Python modules: dotted name and `include_str!` path
    /// (both Rust literals), whether it is a package.
    embedded: Vec<(String, bool, String)>,
    /// On the embedding items: a glue crate compiles them (and the package's
    /// Python sources, through `include_str!`) only with its `embed`
    /// feature, so a wheel built from an sdist, where the sources sit
    /// elsewhere, never reads them. In-crate mode always has them.
    embed_cfg: Option<&'static str>,
    /// `impl Bindery_FromPython` for each record, enum and interface.
    from_python: Vec<String>,
    package_name: String,
    native_path_text: String,
    samples: Vec<Sample>,
    /// Per backend (docs/backends.md): its `cfg`, its name and its native
    /// module as Rust string literals, the `cfg` of the native module the
    /// embedding builds (the first backend enabled).
    backends: Vec<BackendView>,
    /// `any(feature = "a", ...)` over every backend.
    any_backend: String,
    /// The distribution's version, as a Rust string literal.
    version: String,
    /// Whether some call is `[backend-only]`.
    backend_only: bool,
    /// Some callback method is required (`bindery_required`).
    has_required: bool,
    /// Some callback method is queued: the event queue and its thread.
    has_queued: bool,
    /// The package's name, as a Rust string literal.
    package_str: String,
    /// Some bridge has a queued method (`BinderyQueued`), an optional one
    /// (`bindery_optional_queued`), a required one
    /// (`bindery_required_queued`): `Some(cfg)`, the cfg for the test
    /// hooks when only their bridges have one.
    queued_type: Option<Option<&'static str>>,
    optional_queued: Option<Option<&'static str>>,
    required_queued: Option<Option<&'static str>>,
}

// long: one field per slot of templates/lib.rs.txt, each computed in place.
pub fn lib_rs(plan: &Paths<'_>) -> askama::Result<String> {
    let api = plan.api;
    // A mapping nothing calls is dropped once the text is rendered
    // (`drop_uncalled`): an error no call throws or returns has none.
    let error_fns: Vec<ErrorFn> = (0..api.errors.len())
        .map(|i| error_fn(plan, ErrorId(i)))
        .collect();
    let samples = samples(plan);
    // Which bridges exist, and for whom: the helpers they call follow, and
    // the types of a bridge that does not exist need no conversion.
    let reach: Vec<Reach> = (0..api.callbacks.len())
        .map(|i| bridge_reach(plan, CallbackId(i)))
        .collect();
    let all_types = api.types_where(|i| reach[i.0] != Reach::Unused);
    let mut live_types = api.live_value_types();
    // The readers of errors that callback methods throw convert their
    // fields whoever holds the callback.
    live_types.extend(
        (plan.thrown.iter())
            .flat_map(|id| &api.error(*id).variants)
            .flat_map(|v| &v.fields)
            .flat_map(|f| f.ty.walk())
            .cloned(),
    );
    let is_vec = |t: &Type| matches!(t, Type::Sequence(inner) if inner.needs_conversion());
    let is_map =
        |t: &Type| matches!(t, Type::Map(k, v) if k.needs_conversion() || v.needs_conversion());
    // The error arms use `bindery_no_fields` for a class without fields;
    // the test hooks for every flat error.
    let main_no_fields = error_fns
        .iter()
        .flat_map(|f| &f.arms)
        .any(|arm| arm.lines.iter().any(|l| l == NO_FIELDS));
    // Needed (`Some`), with the test hooks' cfg where only they reach a
    // bridge that needs it.
    let needed = |needs: &dyn Fn(Reach) -> bool| {
        if needs(Reach::Live) {
            Some(None)
        } else if needs(Reach::Hooks) {
            Some(Some(HOOKS_ONLY))
        } else {
            None
        }
    };
    let helper = |method: fn(&crate::model::CallbackMethod) -> bool| {
        needed(&|r: Reach| {
            (0..api.callbacks.len())
                .any(|i| reach[i] == r && api.callbacks[i].methods.iter().any(method))
        })
    };
    let queued_type = helper(|m| m.queued);
    let optional_queued = helper(|m| m.queued && !m.required);
    let required_queued = helper(|m| m.queued && m.required);
    let optional = helper(|m| !m.required);
    let required = helper(|m| m.required);
    let any_bridge = helper(|_| true);
    // Every bridge checks its object, with or without methods.
    let bridge = needed(&|r: Reach| reach.contains(&r));
    let has_optional = optional.is_some();
    let error_classes =
        (plan.class_slots > 0).then(|| type_slots("BINDERY_ERROR_CLASSES", plan.class_slots));
    let listener_bases =
        has_optional.then(|| type_slots("BINDERY_LISTENER_BASES", api.callbacks.len()));
    let optional_cfg = optional.flatten();
    let mut view = LibRs {
        any_bridge: bridge.is_some(),
        unexpected_probe: api.uses_uniffi && bridge.is_some(),
        bridge_cfg: bridge.flatten(),
        listener_helpers: any_bridge.is_some(),
        listener_cfg: any_bridge.flatten(),
        optional_cfg,
        required_cfg: required.flatten(),
        header: super::header_text(api),
        crate_doc: crate_doc(api),
        // The alias is the test hooks' only when the listener bases are.
        imports: match (&error_classes, &listener_bases) {
            (None, None) => imports(None),
            (None, Some(_)) if optional_cfg.is_some() => imports(Some(Some(HOOKS_ONLY))),
            _ => imports(Some(None)),
        },
        errors_module: types::rust_str(&format!("{}.{}", api.package, api.errors_module)),
        variant_attribute: types::rust_str(&api.variant_attribute),
        class_count: plan.class_slots,
        error_classes,
        listener_bases,
        error_fns,
        has_records: api.records.iter().any(|r| !r.traits.debug)
            || api.enums.iter().any(|e| !e.flat && !e.traits.debug),
        record_helpers: !api.records.is_empty(),
        reduce_alias: !api.records.is_empty() || api.enums.iter().any(|e| !e.flat),
        held_leaves: super::records::held_leaves(plan),
        held_defaults: super::records::held_defaults(api),
        held_fields: api
            .records
            .iter()
            .flat_map(|r| &r.fields)
            .any(|f| super::records::held(&f.ty, api)),
        owned_containers: super::records::owned_containers(api),
        timestamps: all_types.contains(&Type::Timestamp),
        timestamp_cfg: (!live_types.contains(&Type::Timestamp)).then_some(HOOKS_ONLY),
        mapping_args: api
            .callables()
            .flat_map(|c| &c.arguments)
            .any(|a| super::records::mapping_argument(&a.ty)),
        flat_enums: api.enums.iter().filter(|e| e.flat).count(),
        enums_module: types::rust_str(&format!("{}.{}", api.package, crate::names::ENUMS_MODULE)),
        complex_enums: api.enums.iter().any(|e| !e.flat),
        native_path: types::rust_str(&format!("{}.{}", api.package, api.native_module)),
        no_fields: main_no_fields
            || plan.panic_slot.is_some()
            || !samples.is_empty() && api.errors.iter().any(|e| e.flat),
        no_fields_cfg: (!main_no_fields && plan.panic_slot.is_none())
            .then_some("#[cfg(feature = \"bindery-test-hooks\")]"),
        unknown_errors: api.errors.iter().any(|e| e.non_exhaustive),
        panic_slot: plan.panic_slot,
        has_async: api.has_async_calls(),
        async_values: api.callables().any(|c| c.is_async && c.returns.is_some())
            || (api.objects.iter())
                .flat_map(|o| o.constructor.iter().chain(&o.named_constructors))
                .any(|c| c.is_async),
        async_callbacks: helper(|m| m.callable.is_async),
        async_tokio: api.uses_tokio(),
        tokio_thread: types::rust_str(&format!("{}-tokio", api.package)),
        panic_class: types::rust_str(&api.panic_class),
        panic_class_name: api.panic_class.clone(),
        unknown_variants: api.enums.iter().any(|e| e.non_exhaustive),
        listeners_module: types::rust_str(&format!("{}.{}", api.package, api.listeners_module)),
        listener_count: api.callbacks.len(),
        has_optional,
        has_queued: api.has_queued(),
        package_str: types::rust_str(&api.package),
        queued_type,
        optional_queued,
        required_queued,
        has_required: required.is_some(),
        has_foreign: api.objects.iter().any(|o| o.foreign.is_some()),
        needs_attach: api.needs_attach(),
        has_foreign_format: api
            .objects
            .iter()
            .any(|o| o.foreign.is_some() && (o.traits.display || o.traits.debug)),
        callback_code: callback_code(plan),
        sample_callers: callbacks::sample_callers(plan),
        has_constructors: api
            .objects
            .iter()
            .any(|o| o.constructor.is_some() || !o.named_constructors.is_empty()),
        vec_helper: all_types.iter().any(is_vec),
        map_helper: all_types.iter().any(is_map),
        vec_cfg: (!live_types.iter().any(is_vec)).then_some(HOOKS_ONLY),
        map_cfg: (!live_types.iter().any(is_map)).then_some(HOOKS_ONLY),
        type_alias_helper: api
            .native_customs()
            .any(|c| !c.builtin.is_scalar() && c.python.is_none())
            || api.enums.iter().any(|e| !e.flat),
        python_objects: 3 * api.customs.iter().filter(|c| c.python.is_some()).count(),
        alias_helper: api
            .enums
            .iter()
            .any(|e| !crate::plan::uniffi_spellings(e).aliases.is_empty()),
        // The test hooks reach the types of the bridges they build (a
        // callback interface none of whose methods they can call has none).
        customs: custom_code(
            plan,
            &live_types,
            &api.types_where(|i| reach[i.0] != Reach::Unused),
        ),
        try_custom_cfg: (!(0..api.customs.len()).any(|i| custom_live(plan, &live_types, i)))
            .then_some(HOOKS_ONLY),
        data: data_views(plan),
        objects: objects(plan),
        functions: api
            .functions
            .iter()
            .flat_map(|f| method(plan, f, None, Receiver::Function(&plan.root(&f.name.udl))))
            .chain(member_functions(plan))
            .collect(),
        module_name: types::rust_str(&api.native_module),
        registrations: registrations(plan),
        embedded: embedded_modules(api),
        embed_cfg: api
            .in_crate
            .is_none()
            .then_some("#[cfg(feature = \"embed\")]"),
        from_python: from_python_impls(plan),
        package_name: api.package.clone(),
        native_path_text: format!("{}.{}", api.package, api.native_module),
        samples,
        backends: backend_views(api),
        any_backend: features_cfg("any", api.backends.iter().map(|b| b.name.as_str())),
        version: types::rust_str(&api.distribution.version),
        backend_only: api.callables().any(|c| !c.backends.is_empty()),
    };
    // A helper is emitted because something calls it: rendered, then
    // rendered again without the helpers nothing calls (dropping one may
    // leave another uncalled), until none is dropped.
    loop {
        let text = view.render()?;
        if !drop_uncalled(&mut view, &text) {
            return Ok(text);
        }
    }
}

/// Uses of `name` in `text` but its definition (`fn name(` or `fn name<`):
/// calls, turbofish calls (`name::<T>(`), and the name passed as a value.
fn calls(text: &str, name: &str) -> usize {
    let word = |i: usize| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !ident(before) && !ident(after)
    };
    let uses = text.match_indices(name).filter(|(i, _)| word(*i)).count();
    let defined = text.contains(&format!("fn {name}(")) || text.contains(&format!("fn {name}<"));
    uses - usize::from(defined)
}

/// Drops from `view` the error mappings and conversion helpers that `text`
/// never calls; whether it dropped any.
fn drop_uncalled(view: &mut LibRs, text: &str) -> bool {
    let before = view.error_fns.len();
    view.error_fns.retain(|f| {
        let name = f
            .signature
            .split("fn ")
            .nth(1)
            .and_then(|s| s.split('(').next());
        name.is_none_or(|name| calls(text, name) > 0)
    });
    let mut dropped = view.error_fns.len() != before;
    for (flag, name) in [
        (&mut view.vec_helper, "bindery_vec"),
        (&mut view.map_helper, "bindery_map"),
    ] {
        if *flag && calls(text, name) == 0 {
            *flag = false;
            dropped = true;
        }
    }
    // Passed, not called: any mention but the definition.
    if view.no_fields && text.matches("bindery_no_fields").count() <= 1 {
        view.no_fields = false;
        dropped = true;
    }
    dropped
}

/// Whether custom type `i`'s glue is in the main build.
fn custom_live(plan: &Paths<'_>, live: &[Type], i: usize) -> bool {
    let ty = Type::Custom(crate::model::CustomId(i));
    live.contains(&ty) || plan.api.customs[i].python.is_some()
}

/// The glue of each custom type some value crosses as: for the test hooks
/// only when only they reach it; none for a type nothing uses (in-crate
/// mode's private module would warn of it). A type with configured Python
/// converters is always written: its converter slots are counted per type.
fn custom_code(plan: &Paths<'_>, live: &[Type], all: &[Type]) -> Vec<String> {
    let api = plan.api;
    let mut out = Vec::new();
    // The helpers of the customs the crate's `custom_type!` converts: live
    // if one of those is.
    let via_uniffi = |i: &usize| api.customs[*i].via_uniffi;
    let customs = 0..api.customs.len();
    let thrown = plan.thrown_customs();
    // `bindery_uniffi_lower` converts thrown custom errors too.
    let throws_via_uniffi = thrown.iter().any(|id| api.custom(*id).lower.is_none());
    let lower = super::custom::uniffi_lower_helper(&plan.krate);
    if customs
        .clone()
        .filter(via_uniffi)
        .any(|i| custom_live(plan, live, i))
    {
        out.extend(super::custom::uniffi_helpers(&plan.krate));
        out.extend(lower);
    } else if customs
        .clone()
        .filter(via_uniffi)
        .any(|i| all.contains(&Type::Custom(crate::model::CustomId(i))))
    {
        out.extend(hooks_only(super::custom::uniffi_helpers(&plan.krate)));
        match throws_via_uniffi {
            true => out.extend(lower),
            false => out.extend(hooks_only(lower)),
        }
    } else if throws_via_uniffi {
        out.extend(lower);
    }
    for id in thrown {
        out.push(String::new());
        out.extend(super::custom::thrown(plan, id));
    }
    for i in customs {
        let ty = Type::Custom(crate::model::CustomId(i));
        let code = super::custom::custom(plan, crate::model::CustomId(i));
        out.push(String::new());
        if custom_live(plan, live, i) {
            out.extend(code);
        } else if all.contains(&ty) {
            out.extend(hooks_only(code));
        } else {
            out.pop();
        }
    }
    out
}

/// `feature = "a"`, or `{op}(feature = "a", ...)` for several (clippy:
/// non_minimal_cfg); `op` is `any` or `all`.
fn features_cfg<'a>(op: &str, names: impl Iterator<Item = &'a str>) -> String {
    let features: Vec<String> = names
        .map(|n| format!("feature = {}", types::rust_str(n)))
        .collect();
    match features.as_slice() {
        [one] => one.clone(),
        _ => format!("{op}({})", features.join(", ")),
    }
}

struct BackendView {
    /// Enabled, and no backend before it is: the one the embedding builds.
    first: String,
    name: String,
    /// Its native module's path (`kvshelf_sqlite._native`).
    module: String,
}

fn backend_views(api: &Api) -> Vec<BackendView> {
    api.backends
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let own = features_cfg("any", [b.name.as_str()].into_iter());
            let before = &api.backends[..i];
            let first = if before.is_empty() {
                own
            } else {
                let before = features_cfg("any", before.iter().map(|b| b.name.as_str()));
                format!("all({own}, not({before}))")
            };
            BackendView {
                first,
                name: types::rust_str(&b.name),
                module: types::rust_str(&b.native_path),
            }
        })
        .collect()
}

/// The class docstring at run time: the interface's, then the primary
/// constructor's, which Python has nowhere else to keep for a native class
/// (`__new__` is the type's own).
fn class_doc(o: &crate::model::Object) -> Option<String> {
    let constructor = o.constructor.as_ref().and_then(|c| c.docstring.as_deref());
    match (o.docstring.as_deref(), constructor) {
        (Some(class), Some(new)) => Some(format!("{}\n\n{}", class.trim_end(), new.trim())),
        (class, new) => class.or(new).map(str::to_string),
    }
}

fn crate_doc(api: &Api) -> String {
    let mut allow = String::new();
    if binds_uppercase(api) {
        allow.push_str("\n\n// The glue binds fields and arguments by their UDL names, whatever their case.\n#![allow(non_snake_case)]");
    }
    if !api.errors.is_empty() {
        allow.push_str(
            "\n\n// The core's error types are what they are, however large.\n\
             #![allow(clippy::result_large_err)]",
        );
    }
    let tuple_errors = (api.errors.iter()).any(|e| {
        e.variants
            .iter()
            .any(|v| v.fields.iter().any(crate::model::Field::is_positional))
    });
    if tuple_errors {
        allow.push_str(
            "\n\n// An error's tuple variant is matched and built as `E::V { 0: x }`, as any other.\n\
             #![allow(clippy::init_numbered_fields)]",
        );
    }
    // `bindery_calls::detach(_py, || f())`: see `method_body`.
    let bare = api
        .functions
        .iter()
        .any(|f| f.arguments.is_empty() && !f.is_async)
        || (api.objects.iter())
            .flat_map(|o| o.constructor.iter().chain(&o.named_constructors))
            .any(|c| c.arguments.is_empty() && !c.is_async);
    if bare {
        allow.push_str(
            "\n\n// A call without arguments is a closure too: the function may be `extern \"C\"`.\n\
             #![allow(clippy::redundant_closure)]",
        );
    }
    // (Every flat enum's variants have no fields.)
    let enums = (api.enums.iter()).any(|e| e.variants.iter().any(|v| v.fields.is_empty()));
    let errors =
        (api.errors.iter()).any(|e| !e.flat && e.variants.iter().any(|v| v.fields.is_empty()));
    if enums || errors {
        allow.push_str(
            "\n\n// A variant without fields is written `V {}`, which matches and builds the\n\
             // core's variant whether it is a unit or a struct variant (UniFFI takes both).\n\
             #![allow(clippy::unneeded_struct_pattern)]",
        );
    }
    if api.in_crate.is_some() {
        allow.push_str(
            "\n\n// The glue's types mirror the UDL's names, acronyms included; clippy lints\n\
             // them here because a module's items are not the crate's public API.\n\
             #![allow(clippy::upper_case_acronyms)]",
        );
    }
    // A helper only `[backend-only]` calls use is unused in the other
    // backends; a build with every backend is linted in full.
    let backends = if api.callables().any(|c| !c.backends.is_empty()) {
        let all = features_cfg("all", api.backends.iter().map(|b| b.name.as_str()));
        format!(
            "\n\n// Helpers that only backend-only calls use are unused in the other backends.\n#![cfg_attr(not({all}), allow(dead_code))]"
        )
    } else {
        String::new()
    };
    let into = if api.backends.is_empty() {
        format!("`{}.{}`", api.package, api.native_module)
    } else {
        let modules: Vec<String> = api
            .backends
            .iter()
            .map(|b| format!("`{}`", b.native_path))
            .collect();
        format!("a native module per backend ({})", modules.join(", "))
    };
    format!(
        "//! Python bindings for the `{}` crate, built by maturin into {into}.{allow}{backends}",
        api.crate_name,
    )
}

/// Only traits are imported, anonymously: every other std and PyO3 item is
/// spelled by absolute path, so no UDL name can shadow what the glue uses.
/// `type_slots`: some static of cached classes is emitted (`type_slots`),
/// under this `cfg` if any.
fn imports(type_slots: Option<Option<&str>>) -> Vec<String> {
    let mut imports = vec![
        "#[allow(unused_imports)]".to_string(),
        "use ::pyo3::types::{PyAnyMethods as _, PyModuleMethods as _, PyTypeMethods as _};"
            .to_string(),
        "#[allow(unused_imports)]".to_string(),
        "use ::pyo3::IntoPyObjectExt as _;".to_string(),
    ];
    if let Some(cfg) = type_slots {
        imports.push(String::new());
        imports.push("/// A Python class imported once and cached.".to_string());
        imports.extend(cfg.map(str::to_string));
        imports.push(
            "type BinderyTypeSlot = ::pyo3::sync::PyOnceLock<::pyo3::Py<::pyo3::types::PyType>>;"
                .to_string(),
        );
    }
    imports
}

/// The mapping of one error type to its exception classes.
fn error_fn(plan: &Paths<'_>, id: ErrorId) -> ErrorFn {
    let api = plan.api;
    let e = api.error(id);
    let base_slot = plan.error_slots[id.0].base;
    ErrorFn {
        doc: format!(
            "/// Maps every variant of `{}::{}` to its class in `{}.{}`.",
            api.crate_ident, e.name.rust, api.package, api.errors_module
        ),
        allow: e
            .flat
            .then_some("#[allow(clippy::unneeded_struct_pattern)]"),
        // Rust values of the error reach Python where a call throws it or
        // a live value holds it; one only callback methods throw is
        // converted back to Python by the test hooks alone.
        cfg: (!(api.callables().any(|c| c.throws == Some(id))
            || api.live_value_types().contains(&Type::Error(id))))
        .then_some(HOOKS_ONLY),
        signature: list(
            0,
            &format!("pub(crate) fn {}", plan.to_py_fn(id)),
            &[
                "py: ::pyo3::Python<'_>".to_string(),
                format!("error: impl ::std::convert::Into<{}>", plan.core(&e.name)),
            ],
            " -> ::pyo3::PyErr {",
        ),
        core: plan.core(&e.name),
        arms: e
            .variants
            .iter()
            .map(|v| error_arm(plan, id, v))
            .chain(base_slot.map(|slot| unknown_error_arm(slot, &e.base)))
            .collect(),
    }
}

/// The arm of one variant: its class, its fields set as attributes.
fn error_arm(plan: &Paths<'_>, id: ErrorId, v: &crate::model::Variant) -> Arm {
    let e = plan.api.error(id);
    let path = format!("{}::{}", plan.core(&e.name), v.name.rust);
    let pattern = if e.flat {
        format!("{path} {{ .. }}")
    } else if v.fields.is_empty() {
        // A UDL variant without fields may be a unit or a struct variant in
        // Rust (UniFFI takes both); `V {}` matches either.
        format!("{path} {{}}")
    } else {
        // Bind fields to fresh names so none can shadow `message` or `py`.
        let fields = data::bindings(v.fields.iter().map(|f| f.name.rust.as_str()));
        format!("{path} {{ {} }}", fields.join(", "))
    };
    let class = &e.classes[v.class];
    let mut lines = Vec::new();
    // Attributes to set: the variant's fields, and for a class shared by
    // several variants, `None` for the fields only the others have (as
    // the class's `__init__` would).
    let mut sets: Vec<String> = v
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let binding = format!("_f{i}");
            let value = types::lift(&f.ty, &binding, plan).unwrap_or(binding);
            format!(
                "    error.setattr({}, {value})?;",
                types::rust_str(&f.name.python)
            )
        })
        .collect();
    if class.variants.len() > 1 {
        let others = class
            .fields
            .iter()
            .filter(|cf| !v.fields.iter().any(|f| f.name.python == cf.python));
        for cf in others {
            sets.push(format!(
                "    error.setattr({}, py.None())?;",
                types::rust_str(&cf.python)
            ));
        }
    }
    // A statement before the call keeps the arm a block, as rustfmt leaves it.
    if sets.is_empty() {
        lines.push(NO_FIELDS.to_string());
    } else {
        lines.push(
            "let fields = |error: &::pyo3::Bound<'_, ::pyo3::PyAny>| -> ::pyo3::PyResult<()> {"
                .to_string(),
        );
        lines.extend(sets);
        lines.push("    Ok(())".to_string());
        lines.push("};".to_string());
    }
    let args = vec![
        "py".into(),
        class_slot(plan, id, v),
        "message".into(),
        variant_arg(e, v),
        "fields".into(),
    ];
    lines.push(list(12, "bindery_new_error", &args, ""));
    Arm {
        attr: None,
        pattern,
        lines,
    }
}

/// `(slot, "ClassName")`: where the variant's class is cached.
fn class_slot(plan: &Paths<'_>, id: ErrorId, v: &crate::model::Variant) -> String {
    let e = plan.api.error(id);
    let slot = plan.error_slots[id.0].first_class + v.class;
    format!("({slot}, {})", types::rust_str(&e.classes[v.class].name))
}

/// The `variant` attribute to set: only a class shared by several variants needs it.
fn variant_arg(e: &ErrorType, v: &crate::model::Variant) -> String {
    if e.classes[v.class].variants.len() > 1 {
        format!("Some({})", types::rust_str(&v.name.udl))
    } else {
        "None".to_string()
    }
}

fn objects(plan: &Paths<'_>) -> Vec<Object> {
    let api = plan.api;
    api.objects
        .iter()
        .enumerate()
        .map(|(i, o)| {
            // A `[Trait]` interface is held as a trait object.
            let core = if o.is_trait {
                format!("dyn {}", plan.core(&o.name))
            } else {
                plan.core(&o.name)
            };
            let mut methods = Vec::new();
            let class = Some(o.name.python.as_str());
            if let Some(c) = &o.constructor {
                methods.extend(method(plan, c, class, Receiver::Constructor(&core)));
            }
            for c in &o.named_constructors {
                methods.extend(method(plan, c, class, Receiver::NamedConstructor(&core)));
            }
            let via_trait = o.is_trait.then(|| plan.core(&o.name));
            for m in &o.methods {
                // A method of a trait the object implements names that trait.
                let implemented = m.via_trait.as_ref().map(|t| plan.core(t));
                let receiver = Receiver::Object {
                    via_trait: implemented.as_deref().or(via_trait.as_deref()),
                    subclassable: o.subclassable(),
                };
                methods.extend(method(plan, m, class, receiver));
            }
            let name = plan.glue(&o.name);
            let traits = o.traits;
            // Identity unless `[Traits]` gives Rust's equality; hashable
            // unless equal by value without `Hash`.
            let hashable = !traits.eq || traits.hash;
            let flags = match (hashable, traits.ord) {
                (true, true) => "frozen, weakref, eq, hash, ord",
                (true, false) => "frozen, weakref, eq, hash",
                (false, true) => "frozen, weakref, eq, ord",
                (false, false) => "frozen, weakref, eq",
            };
            Object {
                doc: types::rust_doc(class_doc(o).as_deref()),
                attr: {
                    let mut items: Vec<String> = flags.split(", ").map(String::from).collect();
                    if o.subclassable() {
                        items.insert(0, "subclass".to_string());
                    }
                    items.extend([
                        format!("module = {}", types::rust_str(&api.package)),
                        format!("name = {}", types::rust_str(&o.name.python)),
                        "from_py_object".to_string(),
                    ]);
                    let allow = data::allow_case(&name).map(|a| format!("\n{a}"));
                    layout::attribute("::pyo3::pyclass", &items) + &allow.unwrap_or_default()
                },
                held: if o.subclassable() {
                    format!("Option<bindery_held::Held<{core}>>")
                } else {
                    format!("bindery_held::Held<{core}>")
                },
                impls: {
                    let mut impls = if o.subclassable() {
                        // Read by the methods and `__str__` alone.
                        let read = !o.methods.is_empty() || traits.display;
                        subclassable_impls(&name, (&core, read), &o.name.python)
                    } else {
                        object_impls(&name, traits, o.is_trait)
                    };
                    if o.is_error {
                        impls.extend(object_error(plan, ObjectId(i)));
                    }
                    impls
                },
                // An error's message is its `Display`, which Rust requires.
                dunders: {
                    let mut dunders = object_dunders(
                        &api.package,
                        &o.name.python,
                        Traits {
                            display: traits.display || o.is_error,
                            ..traits
                        },
                        o.subclassable(),
                    );
                    if o.subclassable() {
                        dunders.extend(subclass_new(&o.name.python));
                    }
                    if let Some(k) = o.context_exit {
                        dunders.extend(context_manager(&o.methods[k].name.python));
                    }
                    dunders
                },
                name,
                methods,
            }
        })
        .collect()
}

/// `__enter__` (the object itself) and `__exit__`, which calls `method`
/// through Python (so with its GIL release and error mapping) and never
/// swallows the exception that ended the block.
fn context_manager(method: &str) -> Vec<String> {
    let mut w = Writer::at(4);
    w.line("");
    w.line("/// `with` gives the object itself.");
    w.block(
        "fn __enter__(_slf: ::pyo3::Bound<'_, Self>) -> ::pyo3::Bound<'_, Self> {",
        "}",
        |w| w.line("_slf"),
    );
    w.line("");
    w.line(format!("/// Leaving `with` calls `{method}()`."));
    let params = [
        "_slf: &::pyo3::Bound<'_, Self>".to_string(),
        "_kind: &::pyo3::Bound<'_, ::pyo3::PyAny>".to_string(),
        "_error: &::pyo3::Bound<'_, ::pyo3::PyAny>".to_string(),
        "_traceback: &::pyo3::Bound<'_, ::pyo3::PyAny>".to_string(),
    ];
    let head = list(
        w.column(),
        "fn __exit__",
        &params,
        " -> ::pyo3::PyResult<()> {",
    );
    w.block(head, "}", |w| {
        w.line(format!(
            "_slf.call_method0(::pyo3::intern!(_slf.py(), {}))?;",
            types::rust_str(method)
        ));
        w.line("Ok(())");
    });
    w.finish()
}

/// `PartialEq` (by `equal`, over `self` and `other`) and `Eq` for `name`.
fn partial_eq(w: &mut Writer, name: &str, equal: &str) {
    w.block(format!("impl PartialEq for {name} {{"), "}", |w| {
        w.block("fn eq(&self, other: &Self) -> bool {", "}", |w| {
            w.line(equal)
        })
    });
    w.line("");
    w.line(format!("impl Eq for {name} {{}}"));
}

/// Equality, hashing and ordering of an interface's glue type: by the Rust
/// object's identity, or by its value where `[Traits]` says so.
fn object_impls(name: &str, traits: crate::model::Traits, is_trait: bool) -> Vec<String> {
    let mut w = Writer::at(0);
    w.line("");
    if traits.eq {
        w.line("/// Two Python objects are equal when their Rust values are (`Eq`).");
        partial_eq(&mut w, name, "*self._inner == *other._inner");
    } else {
        w.line("/// Two Python objects are equal when they wrap the same Rust object.");
        partial_eq(
            &mut w,
            name,
            "::std::sync::Arc::ptr_eq(&self._inner, &other._inner)",
        );
    }
    if !traits.eq || traits.hash {
        // A trait object's pointer hashes by its address alone, as
        // `Arc::ptr_eq` compares it.
        let value = if traits.hash {
            "&*self._inner"
        } else if is_trait {
            "&::std::sync::Arc::as_ptr(&self._inner).cast::<()>()"
        } else {
            "&::std::sync::Arc::as_ptr(&self._inner)"
        };
        data::hash_impl(&mut w, name, value);
    }
    if traits.ord {
        w.line("");
        w.block(format!("impl PartialOrd for {name} {{"), "}", |w| {
            let head = "fn partial_cmp(&self, other: &Self) -> Option<::std::cmp::Ordering> {";
            w.block(head, "}", |w| {
                w.line("Some(::std::cmp::Ord::cmp(&*self._inner, &*other._inner))")
            })
        });
    }
    w.finish()
}

/// The `__new__` of a class Python may subclass to implement its trait:
/// a subclass's instance holds no Rust object; the class itself, as
/// without a constructor, cannot be instantiated.
fn subclass_new(python: &str) -> Vec<String> {
    let message = format!(
        "cannot create '{python}' instances: they come from Rust (subclass it to implement it in Python)"
    );
    let mut w = Writer::at(4);
    w.line("");
    w.line("/// A Python subclass implements the trait itself: its instances hold no Rust object.");
    w.lines([
        "#[new]",
        "#[classmethod]",
        "#[pyo3(signature = (*_args, **_kwargs))]",
    ]);
    let params = [
        "_cls: &::pyo3::Bound<'_, ::pyo3::types::PyType>".to_string(),
        "_args: &::pyo3::Bound<'_, ::pyo3::types::PyTuple>".to_string(),
        "_kwargs: Option<&::pyo3::Bound<'_, ::pyo3::types::PyDict>>".to_string(),
    ];
    let head = list(
        w.column(),
        "fn bindery_subclass",
        &params,
        " -> ::pyo3::PyResult<Self> {",
    );
    w.block(head, "}", |w| {
        w.block("if _cls.is(_cls.py().get_type::<Self>()) {", "}", |w| {
            w.line(format!("let message = {};", types::rust_str(&message)));
            w.line("return Err(::pyo3::exceptions::PyTypeError::new_err(message));");
        });
        w.line("Ok(Self { _inner: None })");
    });
    w.finish()
}

/// Equality and hashing of a class Python may subclass: by the Rust
/// object's identity, or the Python object's for a subclass's instance;
/// and `bindery_inner`, the Rust object its methods call.
fn subclassable_impls(name: &str, (core, read): (&str, bool), python: &str) -> Vec<String> {
    let mut w = Writer::at(0);
    w.line("");
    w.line("/// Two Python objects are equal when they wrap the same Rust object, or are");
    w.line("/// the same instance of a Python subclass.");
    partial_eq(
        &mut w,
        name,
        "self.bindery_address() == other.bindery_address()",
    );
    data::hash_impl(&mut w, name, "&self.bindery_address()");
    w.line("");
    w.block(format!("impl {name} {{"), "}", |w| {
        w.line("/// What identifies the object: its Rust object's address, or its own for an");
        w.line("/// instance of a Python subclass.");
        w.block("fn bindery_address(&self) -> *const () {", "}", |w| {
            w.block("match &self._inner {", "}", |w| {
                w.line("Some(inner) => ::std::sync::Arc::as_ptr(inner).cast::<()>(),");
                w.line("None => (self as *const Self).cast::<()>(),");
            })
        });
        if !read {
            return;
        }
        w.line("");
        w.line("/// The Rust object; an instance of a Python subclass has none, and a method");
        w.line("/// it does not define reaches here.");
        let head = format!("fn bindery_inner(&self) -> ::pyo3::PyResult<&::std::sync::Arc<{core}>> {{");
        w.block(head, "}", |w| {
            w.block("match &self._inner {", "}", |w| {
                w.line("Some(inner) => Ok(inner),");
                let message = format!(
                    "a Python subclass of '{python}' must define the methods of the trait it implements"
                );
                w.block("None => {", "}", |w| {
                    w.line(format!("let message = {};", types::rust_str(&message)));
                    w.line("Err(::pyo3::exceptions::PyNotImplementedError::new_err(message))");
                });
            })
        });
    });
    w.finish()
}

/// `__repr__` (the address, or Rust's `Debug`) and `__str__` (`Display`).
/// For an interface thrown as an error: `_raise`, the exception wrapping
/// a Rust object, and the newtype its values cross as (an instance of the
/// exception class in Python).
fn object_error(plan: &Paths<'_>, id: ObjectId) -> Vec<String> {
    let o = plan.api.object(id);
    let class = plan.glue(&o.name);
    // What the `Arc` holds: the struct, or a Rust implementation of the trait.
    let core = match o.is_trait {
        true => format!("dyn {}", plan.core(&o.name)),
        false => plan.core(&o.name),
    };
    let value = plan.error_value(id);
    let slot = plan.object_slots[id.0].unwrap_or_default();
    let python = types::rust_str(&o.name.python);
    let mut w = Writer::at(0);
    w.line("");
    w.block(format!("impl {class} {{"), "}", |w| {
        w.line(format!(
            "/// `inner` as the exception `{}`, which wraps it; its `Display` is the message.",
            o.name.python
        ));
        w.line("/// The core may throw it as an `Arc` or as a plain value, as UniFFI allows.");
        let head = list(
            w.column(),
            "fn _raise",
            &[
                "py: ::pyo3::Python<'_>".to_string(),
                format!("inner: impl ::std::convert::Into<::std::sync::Arc<{core}>>"),
            ],
            " -> ::pyo3::PyErr {",
        );
        w.block(head, "}", |w| {
            w.line(format!("let inner: ::std::sync::Arc<{core}> = inner.into();"));
            w.line("let message = inner.to_string();");
            w.line("let native = Self { _inner: inner.into() };");
            w.line("let fields = |error: &::pyo3::Bound<'_, ::pyo3::PyAny>| error.setattr(\"_inner\", native);");
            w.line(format!("bindery_new_error(py, ({slot}, {python}), message, None, fields)"));
        });
    });
    w.line("");
    w.line(format!(
        "/// A `{core}` as a value: an instance of the exception `{}`.",
        o.name.python
    ));
    w.line("#[allow(non_camel_case_types)]");
    w.line("#[derive(Clone)]");
    w.line(format!("pub struct {value}(::std::sync::Arc<{core}>);"));
    w.line("");
    w.block(format!("impl PartialEq for {value} {{"), "}", |w| {
        w.block("fn eq(&self, other: &Self) -> bool {", "}", |w| {
            w.line("::std::sync::Arc::ptr_eq(&self.0, &other.0)");
        });
    });
    conversion_impls(
        &mut w,
        (&value, &[]),
        |w| {
            w.line("// The exception holds the native object; either is accepted.");
            w.block(
                "let _native = match _obj.getattr_opt(::pyo3::intern!(_obj.py(), \"_inner\"))? {",
                "};",
                |w| {
                    w.line("Some(_native) => _native,");
                    w.line("None => _obj.to_owned(),");
                },
            );
            w.line(format!("let _native = _native.cast_into::<{class}>()?;"));
            w.line("Ok(Self(::std::sync::Arc::clone(&_native.get()._inner)))");
        },
        |w| {
            w.line(format!("let _error = {class}::_raise(_py, self.0);"));
            w.line("Ok(_error.into_value(_py).into_bound(_py).into_any())");
        },
    );
    w.finish()
}

fn object_dunders(
    package: &str,
    python: &str,
    traits: crate::model::Traits,
    subclassable: bool,
) -> Vec<String> {
    let mut w = Writer::at(4);
    // A Rust object cannot be rebuilt from bytes: say so, naming the class.
    w.line("/// Refuses pickling: the object lives in Rust.");
    w.block("fn __reduce__(&self) -> ::pyo3::PyResult<()> {", "}", |w| {
        let class = types::rust_str(&format!("{package}.{python}"));
        w.laid_out(&list(w.column(), "Err(bindery_unpicklable", &[class], ")"));
    });
    w.line("");
    let repr = types::rust_str(&format!("<{package}.{python} at {{:p}}>"));
    w.block("fn __repr__(&self) -> String {", "}", |w| {
        match (subclassable, traits.debug) {
            (false, true) => w.line("format!(\"{:?}\", self._inner)"),
            (false, false) => w.line(format!(
                "format!({repr}, ::std::sync::Arc::as_ptr(&self._inner))"
            )),
            (true, true) => w.block("match &self._inner {", "}", |w| {
                w.line("Some(inner) => format!(\"{:?}\", inner),");
                w.line(format!("None => format!({repr}, self.bindery_address()),"));
            }),
            (true, false) => w.line(format!("format!({repr}, self.bindery_address())")),
        }
    });
    if traits.display && subclassable {
        w.line("");
        w.block(
            "fn __str__(&self) -> ::pyo3::PyResult<String> {",
            "}",
            |w| w.line("Ok(self.bindery_inner()?.to_string())"),
        );
    } else if traits.display {
        w.line("");
        w.block("fn __str__(&self) -> String {", "}", |w| {
            w.line("self._inner.to_string()")
        });
    }
    w.finish()
}

fn data_views(plan: &Paths<'_>) -> Vec<DataView> {
    let api = plan.api;
    let records = api.records.iter().map(|r| {
        let methods = value_methods(plan, &r.name, &r.methods, true);
        super::records::record(plan, &api.package, r, &methods)
    });
    let mut flat = 0..;
    let enums = api.enums.iter().map(|e| {
        if e.flat {
            data::flat_enum(plan, e, flat.next().unwrap_or_default())
        } else {
            let mut view = data::enumeration(plan, &api.package, e);
            let methods = value_methods(plan, &e.name, &e.methods, false);
            // At the block's indentation, as the view's own.
            view.methods
                .extend(methods.iter().map(|line| match line.is_empty() {
                    true => String::new(),
                    false => format!("    {line}"),
                }));
            view
        }
    });
    records.chain(enums).collect()
}

/// The error readers of thrown errors, then a bridge per callback interface.
fn callback_code(plan: &Paths<'_>) -> Vec<String> {
    let mut code = Vec::new();
    if !plan.thrown.is_empty() {
        code.push(String::new());
        code.push("/// The base class of each error type the glue reads back from Python.".into());
        code.push(type_slots("BINDERY_ERROR_BASES", plan.thrown.len()));
    }
    let values = plan.api.value_types();
    if (plan.thrown.iter()).any(|id| values.contains(&Type::Error(*id))) {
        code.push(String::new());
        code.extend(callbacks::same_error_helper());
    }
    if plan
        .thrown
        .iter()
        .any(|id| plan.error_slots[id.0].uniffi_flat)
    {
        code.push(String::new());
        code.extend(callbacks::uniffi_flat_helper(plan));
    }
    for (slot, id) in plan.thrown.iter().enumerate() {
        code.push(String::new());
        code.extend(callbacks::from_py_fn(plan, *id, slot));
        if values.contains(&Type::Error(*id)) {
            code.push(String::new());
            code.extend(callbacks::error_value(plan, *id));
        }
    }
    for i in 0..plan.api.callbacks.len() {
        match bridge_reach(plan, CallbackId(i)) {
            Reach::Live => {
                code.push(String::new());
                code.extend(callbacks::bridge(plan, CallbackId(i)));
            }
            Reach::Hooks => {
                code.push(String::new());
                code.extend(hooks_only(callbacks::bridge(plan, CallbackId(i))));
            }
            Reach::Unused => {}
        }
    }
    for (i, o) in plan.api.objects.iter().enumerate() {
        if o.foreign.is_some() {
            code.push(String::new());
            code.extend(callbacks::dyn_value(plan, ObjectId(i)));
        }
    }
    // The listener helpers end without a newline; anything else with one.
    if plan.api.callbacks.is_empty() && !code.is_empty() {
        code.remove(0);
    }
    code
}

fn registrations(plan: &Paths<'_>) -> Vec<String> {
    let api = plan.api;
    let records = api.records.iter().map(|r| plan.record_class(&r.name));
    let classes = api
        .enums
        .iter()
        .filter(|e| !e.flat)
        .map(|e| &e.name)
        .chain(api.objects.iter().map(|o| &o.name))
        .map(|name| plan.glue(name));
    let mut lines: Vec<String> = records
        .chain(classes)
        .map(|class| format!("_m.add_class::<{class}>()?;"))
        .collect();
    // A flat enum's class is pure Python; the native module names it too.
    for (slot, e) in api.enums.iter().filter(|e| e.flat).enumerate() {
        // Private: set as attributes, so they stay out of `__all__`.
        for (kind, _, _) in data::flat_trait_helpers(e) {
            let args = [
                types::rust_str(&format!("_bindery_{kind}_{}", e.name.python)),
                format!("::pyo3::wrap_pyfunction!(bindery_enum_{kind}_{slot}, _m)?"),
            ];
            lines.push(list(4, "_m.setattr", &args, "?;"));
        }
        lines.push(format!(
            "bindery_enum_class(_m, {})?;",
            types::rust_str(&e.name.python)
        ));
    }
    for e in &api.enums {
        let glue = plan.glue(&e.name);
        for (alias, variant) in crate::plan::uniffi_spellings(e).aliases {
            let args = [
                "_m".to_string(),
                types::rust_str(&alias),
                types::rust_str(variant),
            ];
            lines.push(list(4, &format!("bindery_alias::<{glue}>"), &args, "?;"));
        }
    }
    for f in &api.functions {
        lines.push(format!(
            "_m.add_function(::pyo3::wrap_pyfunction!({}, _m)?)?;",
            plan.function_glue(f)
        ));
    }
    if api.awaits_python() {
        lines.push(
            "_m.add_function(::pyo3::wrap_pyfunction!(bindery_answer::uniffi_set_event_loop, _m)?)?;"
                .to_string(),
        );
    }
    // Flat enums' methods: private, set as attributes (out of `__all__`).
    for (slot, e) in api.enums.iter().filter(|e| e.flat).enumerate() {
        for (k, c) in e.methods.iter().enumerate() {
            let python = crate::model::member_function(&e.name.python, &c.name.python);
            let args = [
                types::rust_str(&python),
                format!("::pyo3::wrap_pyfunction!(bindery_enum_method_{slot}_{k}, _m)?"),
            ];
            lines.push(list(4, "_m.setattr", &args, "?;"));
        }
    }
    // Futures still pending at exit are dropped, so their cleanup runs; a
    // forked child starts a tokio runtime of its own.
    if api.has_async_calls() {
        lines.push("bindery_async_install(_m)?;".to_string());
    }
    // Unpickling a variant of an enum with fields calls it by name; a plain
    // attribute, so it stays out of `__all__` and the stubs.
    if api.enums.iter().any(|e| !e.flat) {
        let args = [
            "\"_bindery_variant\"".to_string(),
            "::pyo3::wrap_pyfunction!(bindery_variant, _m)?".to_string(),
        ];
        lines.push(list(4, "_m.setattr", &args, "?;"));
    }
    // The union of each enum's variant classes, which the stubs annotate with.
    for e in api.enums.iter().filter(|e| !e.flat) {
        let args = [
            "_m".to_string(),
            types::rust_str(&crate::model::variant_alias(&e.name.python)),
            // `c_str!`, not `c"..."`: an edition-2018 crate's glue (in-crate mode).
            format!(
                "::pyo3::ffi::c_str!({})",
                types::rust_str(&super::python::variant_union(e, plan.spelling))
            ),
        ];
        lines.push(list(4, "bindery_type_alias", &args, "?;"));
    }
    // UniFFI's Python names a custom type as an alias of its builtin's class.
    for c in api.native_customs() {
        let name = types::rust_str(&c.name.python);
        if c.python.is_some() {
            let class = format!("{}::_python_class(_m.py())?", plan.glue(&c.name));
            lines.push(list(4, "_m.add", &[name, class], "?;"));
        } else if c.builtin.is_scalar() {
            let class = format!("_m.py().get_type::<{}>()", types::py_class(&c.builtin));
            lines.push(list(4, "_m.add", &[name, class], "?;"));
        } else {
            let annotation = types::python(&c.builtin, plan.spelling);
            let args = [
                "_m".to_string(),
                name,
                format!("::pyo3::ffi::c_str!({})", types::rust_str(&annotation)),
            ];
            lines.push(list(4, "bindery_type_alias", &args, "?;"));
        }
    }
    // UniFFI's spellings of class names: the same class under another name.
    let native = |i: &usize| !api.class_alias_is_error(*i);
    for (i, (alias, _)) in (api.class_aliases.iter().enumerate()).filter(|(i, _)| native(i)) {
        let target = types::rust_str(api.class_alias_target(i));
        let class = format!("_m.getattr({target})?");
        lines.push(list(4, "_m.add", &[types::rust_str(alias), class], "?;"));
    }
    lines
}

/// The test hook's arms: a sample value of every error variant.
fn samples(plan: &Paths<'_>) -> Vec<Sample> {
    let api = plan.api;
    let mut samples = Vec::new();
    for (i, e) in api.errors.iter().enumerate() {
        let id = ErrorId(i);
        // A variant with a field of a class has no sample; the generated
        // tests name it as skipped.
        for v in e
            .variants
            .iter()
            .filter(|v| v.fields.iter().all(|f| f.ty.has_sample()))
        {
            let pattern = format!(
                "({}, {})",
                types::rust_str(&e.name.udl),
                types::rust_str(&v.name.udl)
            );
            let mut lines = Vec::new();
            if e.flat {
                lines.push(format!(
                    "let display = {}.to_string();",
                    types::rust_str(&format!("sample message of {}", v.name.udl))
                ));
                let args = vec![
                    "py".into(),
                    class_slot(plan, id, v),
                    "display.clone()".into(),
                    variant_arg(e, v),
                    "fields".into(),
                ];
                lines.push(NO_FIELDS.to_string());
                lines.push(let_call(16, "error", "bindery_new_error", &args, ""));
            } else {
                let path = format!("{}::{}", plan.core(&e.name), v.name.rust);
                let fields: Vec<String> = v
                    .fields
                    .iter()
                    .map(|f| format!("{}: {}", f.name.rust, types::sample(&f.ty, &f.name.udl).0))
                    .collect();
                if fields.is_empty() {
                    lines.push(format!("let value = {path} {{}};"));
                } else {
                    lines.push(let_struct(16, "value", &path, &fields));
                }
                lines.push("let display = value.to_string();".into());
                lines.push(format!("let error = {}(py, value);", plan.to_py_fn(id)));
            }
            lines.push("(error, display)".into());
            samples.push(Sample { pattern, lines });
        }
    }
    samples
}

/// `{prefix}{head}{target}(args){close}{suffix}` at `indent`, laid out as
/// rustfmt does: one line; else, for a `let`, the right-hand side on the
/// next line; else a closure body becomes a block with the call inside;
/// else the arguments go one per line. `args` is `None` for a bare path.
fn call_stmt(
    indent: usize,
    prefix: &str,
    head: &str,
    target: &str,
    args: Option<&[String]>,
    close: &str,
    suffix: &str,
) -> String {
    let call = match args {
        Some(args) => format!("{target}({})", args.join(", ")),
        None => target.to_string(),
    };
    let rhs = format!("{head}{call}{close}");
    let one_line = format!("{prefix}{rhs}{suffix}");
    if indent + one_line.len() <= 100 {
        return one_line;
    }
    if let Some(name) = prefix.strip_prefix("let ") {
        if indent + 4 + rhs.len() + suffix.len() <= 100 {
            let pad = " ".repeat(indent + 4);
            return format!("let {}\n{pad}{rhs}{suffix}", name.trim_end());
        }
    }
    let args = args.unwrap_or_default();
    if head.ends_with("|| ") {
        let pad = " ".repeat(indent);
        let inner = list(indent + 4, target, args, "");
        let open = head.trim_end();
        return format!("{prefix}{open} {{\n{pad}    {inner}\n{pad}}}{close}{suffix}");
    }
    list(
        indent,
        &format!("{prefix}{head}{target}"),
        args,
        &format!("{close}{suffix}"),
    )
}

/// `let {name} = {rhs};` at `indent`: on one line, else with the
/// right-hand side on the next line, as rustfmt does.
fn let_expr(indent: usize, name: &str, rhs: &str) -> String {
    let one_line = format!("let {name} = {rhs};");
    if indent + one_line.len() <= 100 {
        one_line
    } else {
        format!("let {name} =\n{}{rhs};", " ".repeat(indent + 4))
    }
}

/// The wildcard arm of a `[NonExhaustive]` error: a variant the UDL lacks
/// raises the base class, its `variant` read from the value's `Debug` text.
fn unknown_error_arm(slot: usize, base: &str) -> Arm {
    let args = vec![
        "py".to_string(),
        format!("({slot}, {})", types::rust_str(base)),
        "message".to_string(),
        "Some(bindery_variant_name(&debug))".to_string(),
        "fields".to_string(),
    ];
    Arm {
        attr: Some(WILDCARD_ALLOW),
        pattern: "other".to_string(),
        lines: vec![
            NO_FIELDS.to_string(),
            "let debug = format!(\"{other:?}\");".to_string(),
            list(12, "bindery_new_error", &args, ""),
        ],
    }
}

/// Whether a name the glue binds or defines as a function (arguments,
/// fields, methods, functions) has an uppercase letter: rustc's
/// `non_snake_case` lint would flag it.
fn binds_uppercase(api: &Api) -> bool {
    let callbacks = api
        .callbacks
        .iter()
        .flat_map(|c| &c.methods)
        .map(|m| &m.callable);
    let callables = api.callables().chain(callbacks);
    let names =
        callables.flat_map(|c| std::iter::once(&c.name).chain(c.arguments.iter().map(|a| &a.name)));
    let records = api
        .records
        .iter()
        .flat_map(|r| r.fields.iter().map(|f| &f.name));
    let variants = api
        .enums
        .iter()
        .flat_map(|e| &e.variants)
        .flat_map(|v| v.fields.iter().map(|f| &f.name));
    names
        .chain(records)
        .chain(variants)
        .any(|n| n.python.chars().any(|c| c.is_ascii_uppercase()))
}

/// Who uses a callback interface's bridge.
#[derive(Clone, Copy, PartialEq)]
enum Reach {
    /// A call takes the interface (or it is a trait's bridge).
    Live,
    /// Only the test hooks, which call its methods with samples.
    Hooks,
    /// Nobody: no bridge is emitted.
    Unused,
}

fn bridge_reach(plan: &Paths<'_>, id: CallbackId) -> Reach {
    let c = plan.api.callback(id);
    if plan.api.callback_used(id) {
        Reach::Live
    } else if c
        .methods
        .iter()
        .any(|m| super::listeners::has_samples(m, plan))
    {
        Reach::Hooks
    } else {
        Reach::Unused
    }
}

/// The `cfg` of an item only the test hooks use.
const HOOKS_ONLY: &str = "#[cfg(feature = \"bindery-test-hooks\")]";

/// `lines` (whole items at column 0) with each item compiled only with the
/// test hooks: a callback interface no call takes is bridged for them only.
fn hooks_only(lines: Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut item_start = true;
    for line in lines {
        let column0 = !line.is_empty() && !line.starts_with(' ');
        let doc = line.starts_with("///") || line.starts_with("//");
        if column0 && !doc && item_start && !line.starts_with('}') {
            out.push(HOOKS_ONLY.to_string());
        }
        item_start = line.is_empty() || doc || (column0 && line.starts_with('}'));
        if column0 && line.starts_with("#[") {
            // The item itself follows its attributes.
            item_start = false;
        }
        out.push(line);
    }
    out
}

/// `static NAME: [BinderyTypeSlot; N] = ...;`, laid out as rustfmt does.
fn type_slots(name: &str, count: usize) -> String {
    let head = format!("static {name}: [BinderyTypeSlot; {count}] =");
    let value = format!("[const {{ BinderyTypeSlot::new() }}; {count}];");
    if head.len() + 1 + value.len() <= 100 {
        format!("{head} {value}")
    } else {
        format!("{head}\n    {value}")
    }
}

enum Receiver<'a> {
    Function(&'a str),
    /// A method; of a trait object, its trait's path: the call names the
    /// trait, since a supertrait (`Display`) may have a method of that name.
    /// Of a class Python may subclass, the object is read through
    /// `bindery_inner` (a subclass's instance holds none).
    Object {
        via_trait: Option<&'a str>,
        subclassable: bool,
    },
    /// A method of a record or an enum (`core`): called on the core's value
    /// converted from the Python one (`record`: from the record's class).
    Value {
        core: &'a str,
        record: bool,
    },
    /// A method of a flat enum (`core`, glue `glue`), whose class is pure
    /// Python: a private function of the native module (`python`, Rust
    /// `function`) taking the member first, which the class's method calls.
    Member {
        core: &'a str,
        glue: &'a str,
        function: &'a str,
        python: &'a str,
    },
    Constructor(&'a str),
    NamedConstructor(&'a str),
}

/// The `#[pyfunction]`/`#[pymethods]` wrapper of one function, method or
/// constructor: attributes, signature, then a body that converts the
/// arguments, calls the core with the GIL released, and maps the result.
/// A `[backend-only]` call has two, for the backends that implement it and
/// for the others (which raise `NotImplementedError`).
fn method(
    paths: &Paths<'_>,
    c: &Callable,
    class: Option<&str>,
    receiver: Receiver<'_>,
) -> Vec<Method> {
    let (attrs, signature) = method_head(paths, c, &receiver);
    let indent = if matches!(receiver, Receiver::Function(_) | Receiver::Member { .. }) {
        0
    } else {
        4
    };
    let qualname = match class {
        Some(class) => format!("{class}.{}", c.name.python),
        None => c.name.python.clone(),
    };
    let body = if c.is_async {
        async_body(paths, c, &qualname, &receiver, indent + 4)
    } else {
        method_body(paths, c, &receiver, indent + 4)
    };
    let doc = types::rust_doc(c.docstring.as_deref());
    if c.backends.is_empty() {
        return vec![Method {
            doc,
            attrs,
            signature,
            body,
        }];
    }
    let cfg = features_cfg("any", c.backends.iter().map(String::as_str));
    let mut elsewhere = Vec::new();
    if !c.arguments.is_empty() {
        let names: Vec<&str> = c.arguments.iter().map(|a| a.name.rust.as_str()).collect();
        elsewhere.push(format!("let _ = ({},);", names.join(", ")));
    }
    let backends = paths
        .api
        .backends
        .iter()
        .filter(|b| c.backends.contains(&b.name));
    let names: Vec<&str> = backends.map(|b| b.name.as_str()).collect();
    elsewhere.push(format!(
        "Err(bindery_unsupported({}, {}))",
        types::rust_str(&qualname),
        types::rust_str(&names.join(", "))
    ));
    let gate = |cfg: String, body: Vec<String>| {
        let mut attrs = attrs.clone();
        attrs.insert(0, format!("#[cfg({cfg})]"));
        Method {
            doc: doc.clone(),
            attrs,
            signature: signature.clone(),
            body,
        }
    };
    vec![
        gate(cfg.clone(), body),
        gate(format!("not({cfg})"), elsewhere),
    ]
}

/// The attributes and signature of a wrapper. Every wrapper returns a
/// `PyResult`: any call may panic, which raises the package's panic class.
fn method_head(paths: &Paths<'_>, c: &Callable, receiver: &Receiver<'_>) -> (Vec<String>, String) {
    let indent = if matches!(receiver, Receiver::Function(_) | Receiver::Member { .. }) {
        0
    } else {
        4
    };

    let mut attrs = Vec::new();
    let mut options = Vec::new();
    let mut params = Vec::new();
    let fn_name = match receiver {
        Receiver::Constructor(_) => "bindery_new".to_string(),
        // A prefix keeps functions clear of glue items and Rust's builtin names (`str`).
        Receiver::Function(_) => paths.function_glue(c),
        Receiver::Member { function, .. } => function.to_string(),
        _ => c.name.rust.clone(),
    };
    let python = match receiver {
        Receiver::Member { python, .. } => python,
        _ => c.name.python.as_str(),
    };
    // PyO3 takes the Python name from the Rust one unless told otherwise.
    if !matches!(receiver, Receiver::Constructor(_)) && python != fn_name.trim_start_matches("r#") {
        options.push(format!("name = {}", types::rust_str(python)));
    }
    match receiver {
        Receiver::Function(_) => attrs.push("#[::pyo3::pyfunction]".to_string()),
        Receiver::Member { glue, .. } => {
            attrs.push("#[::pyo3::pyfunction]".to_string());
            params.push(format!("_self: {glue}"));
        }
        Receiver::Object { .. } | Receiver::Value { .. } => params.push("&self".to_string()),
        Receiver::Constructor(_) => attrs.push("#[new]".to_string()),
        Receiver::NamedConstructor(_) => {
            attrs.push("#[classmethod]".to_string());
            if fn_name == "new" {
                // An `[Async]` primary constructor: its coroutine gives `Self`.
                attrs.push("#[allow(clippy::new_ret_no_self)]".to_string());
            }
            params.push("_cls: &::pyo3::Bound<'_, ::pyo3::types::PyType>".to_string());
        }
    }
    // `py` serves the detach, the panic class and the error mapping.
    params.push("_py: ::pyo3::Python<'_>".to_string());
    if c.arguments.iter().any(|a| a.default.is_some()) {
        let items: Vec<String> = c
            .arguments
            .iter()
            .map(|a| match &a.default {
                Some(d) => format!("{} = {}", a.name.rust, types::default(d, &a.ty, paths).1),
                None => a.name.rust.clone(),
            })
            .collect();
        options.push(format!("signature = ({})", items.join(", ")));
    }
    if !options.is_empty() {
        attrs.push(format!("#[pyo3({})]", options.join(", ")));
    }
    if params.len() + c.arguments.len() > 7 {
        attrs.push("#[allow(clippy::too_many_arguments)]".to_string());
    }
    for a in &c.arguments {
        let from = if super::records::mapping_argument(&a.ty) {
            "#[pyo3(from_py_with = bindery_mapping)] "
        } else {
            ""
        };
        params.push(format!(
            "{from}{}: {}",
            a.name.rust,
            types::rust(&a.ty, paths)
        ));
    }

    let is_ctor = matches!(
        receiver,
        Receiver::Constructor(_) | Receiver::NamedConstructor(_)
    );
    let returns = match &c.returns {
        _ if c.is_async => "bindery_coroutine::Coroutine".to_string(),
        _ if is_ctor => "Self".to_string(),
        Some(t) => types::rust(t, paths),
        None => "()".to_string(),
    };
    let signature = list(
        indent,
        &format!("fn {fn_name}"),
        &params,
        &format!(" -> ::pyo3::PyResult<{returns}> {{"),
    );
    (attrs, signature)
}

/// The functions behind flat enums' methods (`Receiver::Member`).
fn member_functions(plan: &Paths<'_>) -> Vec<Method> {
    let flat = plan.api.enums.iter().filter(|e| e.flat);
    let mut out = Vec::new();
    for (slot, e) in flat.enumerate() {
        let core = plan.core(&e.name);
        let glue = plan.glue(&e.name);
        for (k, c) in e.methods.iter().enumerate() {
            let function = format!("bindery_enum_method_{slot}_{k}");
            let python = crate::model::member_function(&e.name.python, &c.name.python);
            let receiver = Receiver::Member {
                core: &core,
                glue: &glue,
                function: &function,
                python: &python,
            };
            out.extend(method(plan, c, Some(e.name.python.as_str()), receiver));
        }
    }
    out
}

/// `_self`, the core's value a record's or an enum's method is called on
/// (for a flat enum's, from the member the function takes first).
fn value_self(receiver: &Receiver<'_>) -> String {
    match receiver {
        Receiver::Value { core, record: true } => {
            format!("let _self = {core}::from(self._value(_py)?);")
        }
        Receiver::Value { core, .. } => format!("let _self = {core}::from(self.clone());"),
        Receiver::Member { core, .. } => format!("let _self = {core}::from(_self);"),
        _ => String::new(),
    }
}

/// A wrapper as lines of a `#[pymethods]` block, relative to its
/// indentation (laid-out continuation lines carry theirs), after a blank
/// line.
fn method_lines(m: &Method) -> Vec<String> {
    let mut lines = vec![String::new()];
    lines.extend(m.doc.iter().cloned());
    lines.extend(m.attrs.iter().cloned());
    lines.push(m.signature.clone());
    lines.extend(m.body.iter().map(|line| format!("    {line}")));
    lines.push("}".to_string());
    lines
}

/// The wrappers of a record's or an enum's methods, as `method_lines`.
fn value_methods(
    plan: &Paths<'_>,
    name: &crate::model::Name,
    methods: &[Callable],
    record: bool,
) -> Vec<String> {
    let core = plan.core(name);
    let receiver = || Receiver::Value {
        core: &core,
        record,
    };
    methods
        .iter()
        .flat_map(|c| method(plan, c, Some(name.python.as_str()), receiver()))
        .flat_map(|m| method_lines(&m))
        .collect()
}

/// The body of a wrapper at `body_indent`.
fn method_body(
    paths: &Paths<'_>,
    c: &Callable,
    receiver: &Receiver<'_>,
    body_indent: usize,
) -> Vec<String> {
    let is_ctor = matches!(
        receiver,
        Receiver::Constructor(_) | Receiver::NamedConstructor(_)
    );
    let (mut body, mut call_args) = lowered_arguments(paths, c);
    let target = match receiver {
        Receiver::Function(krate) => format!("{krate}::{}", c.name.rust),
        Receiver::Object {
            via_trait: Some(path),
            subclassable,
        } => {
            // Through the `Held` (or the `&Arc` `bindery_inner` gives) and
            // its `Arc` to the object.
            let this = match (subclassable, c.self_by_arc) {
                (false, true) => "::std::sync::Arc::clone(&self._inner)",
                (false, false) => "&**self._inner",
                (true, true) => "::std::sync::Arc::clone(_inner)",
                (true, false) => "&**_inner",
            };
            if *subclassable {
                body.insert(0, "let _inner = self.bindery_inner()?;".to_string());
            }
            call_args.insert(0, this.to_string());
            format!("{path}::{}", c.name.rust)
        }
        Receiver::Object { .. } if c.self_by_arc => {
            format!("::std::sync::Arc::clone(&self._inner).{}", c.name.rust)
        }
        Receiver::Object { .. } => format!("self._inner.{}", c.name.rust),
        Receiver::Value { .. } | Receiver::Member { .. } => {
            body.insert(0, value_self(receiver));
            format!("_self.{}", c.name.rust)
        }
        Receiver::Constructor(core) => format!("{core}::{}", c.name.rust),
        Receiver::NamedConstructor(core) => format!("{core}::{}", c.name.rust),
    };
    // Every call runs under `bindery_calls::detach` (the GIL released) or,
    // listed in `[gil] keep`, `bindery_calls::attached`; both turn a panic into the
    // package's panic class. Always in a closure: a path without arguments
    // may be an `extern "C"` function, which is no `FnOnce` (the crate
    // allows clippy's redundant_closure for it).
    let runner = if c.keep_gil {
        "bindery_calls::attached"
    } else {
        "bindery_calls::detach"
    };
    let head = format!("{runner}(_py, || ");
    let close = ")";
    let call = |prefix: &str, suffix: &str| {
        call_stmt(
            body_indent,
            prefix,
            &head,
            &target,
            Some(call_args.as_slice()),
            close,
            suffix,
        )
    };
    let map_err = map_err(paths, c);
    let lifted = lifted(paths, c, is_ctor);
    match (map_err, lifted) {
        // The core's value as it is: the runner's result is the wrapper's.
        (None, None) => body.push(call("", "")),
        (None, Some(lifted)) => {
            body.push(call("let _value = ", "?;"));
            body.push(format!("Ok({lifted})"));
        }
        (Some(map_err), None) => {
            body.push(call("let _result = ", "?;"));
            body.push(format!("_result{map_err}"));
        }
        (Some(map_err), Some(lifted)) => {
            body.push(call("let _result = ", "?;"));
            body.push(let_expr(
                body_indent,
                "_value",
                &format!("_result{map_err}?"),
            ));
            body.push(format!("Ok({lifted})"));
        }
    }
    body
}

/// The body of an `[Async]` wrapper at `body_indent`: the arguments
/// converted now (with the GIL), the core's future built around owned
/// values, and a coroutine that drives it and converts its output like a
/// synchronous call's.
fn async_body(
    paths: &Paths<'_>,
    c: &Callable,
    qualname: &str,
    receiver: &Receiver<'_>,
    body_indent: usize,
) -> Vec<String> {
    let (mut body, mut call_args) = lowered_arguments(paths, c);
    // The future owns what it uses: a method's future, its own `Arc` of the object.
    let target = match receiver {
        Receiver::Function(krate) => format!("{krate}::{}", c.name.rust),
        Receiver::Object {
            via_trait: Some(path),
            ..
        } => {
            let this = if c.self_by_arc { "_inner" } else { "&*_inner" };
            call_args.insert(0, this.to_string());
            format!("{path}::{}", c.name.rust)
        }
        Receiver::Object { .. } => format!("_inner.{}", c.name.rust),
        Receiver::Value { .. } | Receiver::Member { .. } => {
            body.insert(0, value_self(receiver));
            format!("_self.{}", c.name.rust)
        }
        Receiver::Constructor(core) => format!("{core}::{}", c.name.rust),
        Receiver::NamedConstructor(core) => format!("{core}::{}", c.name.rust),
    };
    match receiver {
        Receiver::Object {
            subclassable: true, ..
        } => body.push("let _inner = ::std::sync::Arc::clone(self.bindery_inner()?);".to_string()),
        Receiver::Object { .. } => {
            body.push("let _inner = ::std::sync::Arc::clone(&self._inner);".to_string())
        }
        _ => {}
    }
    let one_line = format!(
        "let _future = async move {{ {target}({}).await }};",
        call_args.join(", ")
    );
    if body_indent + one_line.len() <= 100 {
        body.push(one_line);
    } else {
        let pad = " ".repeat(body_indent);
        let call = list(body_indent + 4, &target, &call_args, ".await");
        body.push(format!(
            "let _future = async move {{\n{pad}    {call}\n{pad}}};"
        ));
    }
    body.push(format!("let _name = {};", types::rust_str(qualname)));
    // `[gil] keep`: polled with the GIL held.
    let start = format!("bindery_coroutine::coroutine(_name, {}", c.keep_gil);
    let is_ctor = matches!(
        receiver,
        Receiver::Constructor(_) | Receiver::NamedConstructor(_)
    );
    let map_err = map_err(paths, c);
    let inner = body_indent + 4;
    let mut finish = Vec::new();
    let output = if map_err.is_some() {
        "_result"
    } else {
        "_value"
    };
    if let Some(map_err) = map_err {
        if c.returns.is_none() && !is_ctor {
            // Nothing to bind (clippy: let_unit_value).
            finish.push(format!("_result{map_err}?;"));
        } else {
            finish.push(let_expr(inner, "_value", &format!("_result{map_err}?")));
        }
    }
    let lifted = lifted(paths, c, is_ctor);
    let (param, last) = match (&c.returns, lifted) {
        (None, _) if !is_ctor => {
            let param = if output == "_result" { output } else { "()" };
            (param, "Ok(_py.None())".to_string())
        }
        (_, Some(lifted)) => (
            output,
            list(inner, "bindery_py", &["_py".to_string(), lifted], ""),
        ),
        // The output as it is: `bindery_py` itself (clippy: redundant_closure).
        (_, None) if output == "_value" => {
            body.push(format!("{start}, _future, bindery_py)"));
            return body;
        }
        (_, None) => (output, "bindery_py(_py, _value)".to_string()),
    };
    finish.push(last);
    let pad = " ".repeat(inner);
    let head = format!("{start}, _future, |_py, {param}|");
    // A closure of one expression that fits stays on one line (rustfmt).
    if let [only] = finish.as_slice() {
        let one_line = format!("{head} {only})");
        if body_indent + one_line.len() <= 100 && !only.contains('\n') {
            body.push(one_line);
            return body;
        }
    }
    let mut call = format!("{head} {{");
    for line in &finish {
        call.push_str(&format!("\n{pad}{line}"));
    }
    call.push_str(&format!("\n{}}})", " ".repeat(body_indent)));
    body.push(call);
    body
}

/// The statements converting a call's arguments for the core, and the
/// arguments of the core call.
fn lowered_arguments(paths: &Paths<'_>, c: &Callable) -> (Vec<String>, Vec<String>) {
    let mut body = Vec::new();
    let mut call_args = Vec::new();
    for a in &c.arguments {
        // A callback argument crosses into the call (which releases the GIL)
        // as its bridge, `Send` whatever the trait requires, and is boxed
        // there as the trait object the core takes.
        if let (Type::Callback(id), false) = (&a.ty, a.by_ref) {
            let name = &a.name.rust;
            let bridge = paths.bridge(*id);
            body.push(format!("let {name} = {bridge}::_bridge(&{name})?;"));
            call_args.push(format!("Box::new({name})"));
            continue;
        }
        if let (Type::Optional(inner), false) = (&a.ty, a.by_ref) {
            if let Type::Callback(id) = **inner {
                let name = &a.name.rust;
                let bridge = paths.bridge(id);
                let core = paths.core(&paths.api.callback(id).name);
                body.push(format!(
                    "let {name} = {name}.as_ref().map({bridge}::_bridge).transpose()?;"
                ));
                call_args.push(format!("{name}.map(|b| Box::new(b) as Box<dyn {core}>)"));
                continue;
            }
        }
        if let Some(lowered) = types::lower(&a.ty, &a.name.rust, paths) {
            body.push(format!("let {} = {lowered};", a.name.rust));
        }
        call_args.push(if a.by_ref {
            format!("&{}", a.name.rust)
        } else {
            a.name.rust.clone()
        });
    }
    (body, call_args)
}

/// `.map_err(...)` turning the core's error into the Python exception, for
/// a call that throws.
fn map_err(paths: &Paths<'_>, c: &Callable) -> Option<String> {
    let raise = match (c.throws, c.throws_object, c.throws_via) {
        // A custom type over the error: converted into it first.
        (Some(_), _, Some(via)) => paths.thrown_custom_fn(via),
        (Some(t), _, None) => paths.to_py_fn(t),
        (None, Some(o), _) => format!("{}::_raise", paths.glue(&paths.api.object(o).name)),
        (None, None, _) => return None,
    };
    Some(format!(".map_err(|e| {raise}(_py, e))"))
}

/// The wrapper's value made from the core's `_value`: the class for a
/// constructor, the return type's conversion, or `None` when it passes as it is.
fn lifted(paths: &Paths<'_>, c: &Callable, is_ctor: bool) -> Option<String> {
    if is_ctor {
        Some("Self { _inner: bindery_held::Held::from(bindery_arc(_value)) }".to_string())
    } else {
        c.returns
            .as_ref()
            .and_then(|t| types::lift(t, "_value", paths))
    }
}

/// The package's Python modules `bindery_embed` serves: dotted name and the
/// path from `src/` (both as Rust literals), and whether it is a package.
fn embedded_modules(api: &Api) -> Vec<(String, bool, String)> {
    let mut modules = vec![(api.package.clone(), true, "__init__".to_string())];
    modules.push((
        format!("{}.{}", api.package, api.errors_module),
        false,
        api.errors_module.clone(),
    ));
    if !api.callbacks.is_empty() {
        let name = format!("{}.{}", api.package, api.listeners_module);
        modules.push((name, false, api.listeners_module.clone()));
    }
    if api.enums.iter().any(|e| e.flat) {
        let module = crate::names::ENUMS_MODULE;
        modules.push((
            format!("{}.{module}", api.package),
            false,
            module.to_string(),
        ));
    }
    if !api.backends.is_empty() {
        // The dispatcher's loader: the native module is the backend's.
        for module in [crate::names::BACKEND_MODULE, api.native_module.as_str()] {
            let name = format!("{}.{module}", api.package);
            modules.push((name, false, module.to_string()));
        }
    }
    let mut modules: Vec<(String, bool, String)> = modules
        .into_iter()
        .map(|(name, is_package, file)| {
            let path = format!("../python/{}/{file}.py", api.package);
            (name, is_package, path)
        })
        .collect();
    // Each backend's package (its native module is the one this build makes).
    for b in &api.backends {
        let path = format!("../backends/{}/python/{}/__init__.py", b.name, b.package);
        modules.push((b.package.clone(), true, path));
    }
    modules
        .into_iter()
        .map(|(name, is_package, path)| {
            (types::rust_str(&name), is_package, types::rust_str(&path))
        })
        .collect()
}

/// The head of `Bindery_FromPython::bindery_from_python`.
const FROM_PYTHON_HEAD: &str =
    "fn bindery_from_python(object: &::pyo3::Bound<'_, ::pyo3::PyAny>) -> ::pyo3::PyResult<Self> {";

/// `Bindery_FromPython` for the core's type of every record, enum and
/// interface (the value an argument of that type would be) and error type.
fn from_python_impls(paths: &Paths<'_>) -> Vec<String> {
    let api = paths.api;
    let records = (0..api.records.len()).map(|i| Type::Record(crate::model::RecordId(i)));
    let enums = (0..api.enums.len()).map(|i| Type::Enum(crate::model::EnumId(i)));
    let objects = (0..api.objects.len()).map(|i| Type::Object(ObjectId(i)));
    let mut w = Writer::at(0);
    for ty in records.chain(enums).chain(objects) {
        let core = callbacks::core_type(&ty, paths);
        let glue = types::rust(&ty, paths);
        let value = types::lower(&ty, "_value", paths).unwrap_or_else(|| "_value".to_string());
        w.line("");
        w.block(format!("impl Bindery_FromPython for {core} {{"), "}", |w| {
            w.block(FROM_PYTHON_HEAD, "}", |w| {
                w.line(format!("let _value: {glue} = bindery_extract(object)?;"));
                w.line(format!("Ok({value})"));
            });
        });
    }
    // An error type: from an exception of its classes, as callbacks raise them.
    for id in &paths.thrown {
        let e = api.error(*id);
        let core = paths.core(&e.name);
        let reader = format!("let _read = {}", paths.from_py_fn(*id));
        let args = ["object.py()".to_string(), "object".to_string()];
        let expected = types::rust_str(&format!("expected an exception of {}", e.base));
        w.line("");
        w.block(format!("impl Bindery_FromPython for {core} {{"), "}", |w| {
            w.block(FROM_PYTHON_HEAD, "}", |w| {
                w.laid_out(&list(w.column(), &reader, &args, ";"));
                w.line(format!("let _expected = {expected};"));
                w.block("match _read {", "}", |w| {
                    w.line("Some(_value) => _value,");
                    w.line("None => Err(::pyo3::exceptions::PyTypeError::new_err(_expected)),");
                });
            });
        });
    }
    w.finish()
}

#[cfg(test)]
mod reach_tests {
    /// The glue of `udl`, in-crate (where an unused item is dead code).
    fn glue(udl: &str) -> String {
        let input = crate::Input {
            udl_name: "api.udl",
            udl,
            config_name: "bindery.toml",
            config: "[rust]\ncrate = \"core\"\nmodule = \"python\"\n",
            core_version: None,
            crate_items: None,
        };
        let files = crate::generate(&input).expect("generates");
        files.files["src/python.rs"].clone()
    }

    #[test]
    fn a_type_only_a_bridge_that_does_not_exist_takes_needs_no_conversion() {
        // No call takes the listener and the test hooks have no sample of
        // its argument: no bridge, so no timestamp conversion.
        let lone =
            glue("namespace n { void f(); };\ncallback interface L { void at(timestamp t); };");
        assert!(!lone.contains("struct BinderyL"), "no bridge");
        assert!(!lone.contains("Bindery_Timestamp"), "{lone}");
        // Taken by a call, it is bridged, and converts its timestamps.
        let taken =
            glue("namespace n { void f(L l); };\ncallback interface L { void at(timestamp t); };");
        assert!(taken.contains("struct BinderyL"));
        assert!(taken.contains("pub struct Bindery_Timestamp"));
    }

    #[test]
    fn an_unexpected_failure_without_a_variant_panics_in_any_edition() {
        // An edition-2018 crate's `panic!` with one literal captures no
        // variable: the message is a positional argument.
        let glue = glue(
            "namespace n { void f(L l); };\n[Error] enum E { \"A\" };\n\
             callback interface L { [Throws=E] void m(); };",
        );
        assert!(glue.contains("panic!(\"{}; the exception went to sys.unraisablehook\", message)"));
        assert!(!glue.contains("panic!(\"{message}"));
    }

    #[test]
    fn async_listener_runtime_follows_the_bridges_reach() {
        // The test hooks call `now` (they call no `[Async]` method).
        let listener = "callback interface L { [Async] void later(); void now(); };";
        let hooks_only = glue(&format!("namespace n {{ void f(); }};\n{listener}"));
        assert!(
            hooks_only.contains("#[cfg(feature = \"bindery-test-hooks\")]\nmod bindery_answer;"),
            "{hooks_only}"
        );
        let live = glue(&format!("namespace n {{ void f(L l); }};\n{listener}"));
        assert!(live.contains("\nmod bindery_answer;"));
        assert!(!live.contains("\")]\nmod bindery_answer;"));
    }
}
