//! bindery's own model of an API, produced by `lower` and consumed by
//! `render`. Every name in it is validated; nothing from `uniffi_meta` leaks
//! past this point.

/// Typed indices into the [`Api`]'s lists: the model refers to its own
/// definitions by id, never by name.
macro_rules! ids {
    ($($(#[doc = $doc:literal])* $id:ident,)*) => {$(
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $id(pub usize);
    )*};
}

ids! {
    /// An index into [`Api::objects`].
    ObjectId,
    /// An index into [`Api::records`].
    RecordId,
    /// An index into [`Api::enums`].
    EnumId,
    /// An index into [`Api::errors`].
    ErrorId,
    /// An index into [`Api::callbacks`].
    CallbackId,
    /// An index into [`Api::customs`].
    CustomId,
}

/// A value type as it crosses the boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    String,
    Bytes,
    Timestamp,
    Duration,
    Optional(Box<Type>),
    Sequence(Box<Type>),
    Map(Box<Type>, Box<Type>),
    /// A set (proc-macros: `HashSet<T>`) of strings, integers or booleans:
    /// a Python `set` (a `frozenset` is taken too).
    Set(Box<Type>),
    /// A value the core holds boxed (proc-macros: `Box<T>`): the inner
    /// type's value in Python and in the glue, boxed on the way in.
    Boxed(Box<Type>),
    /// An interface object.
    Object(ObjectId),
    /// A record (`dictionary`).
    Record(RecordId),
    /// An enum (`enum` or `[Enum] interface`).
    Enum(EnumId),
    /// A callback interface: a Python object (only as an argument, alone or
    /// optional).
    Callback(CallbackId),
    /// A `[Custom] typedef`: the core's type, crossing as its builtin.
    Custom(CustomId),
    /// An error type used as a value: an instance of one of its exception
    /// classes in Python, the core's error value in Rust.
    Error(ErrorId),
}

impl Type {
    /// The type and every type nested in it, outermost first.
    pub fn walk(&self) -> Vec<&Type> {
        let mut out = vec![self];
        match self {
            Type::Optional(inner)
            | Type::Sequence(inner)
            | Type::Set(inner)
            | Type::Boxed(inner) => out.extend(inner.walk()),
            Type::Map(k, v) => {
                out.extend(k.walk());
                out.extend(v.walk());
            }
            _ => {}
        }
        out
    }

    /// Whether the type is a builtin scalar: a number, `boolean`, `string`,
    /// `bytes`, `timestamp` or `duration`.
    pub fn is_scalar(&self) -> bool {
        !matches!(
            self,
            Type::Optional(_)
                | Type::Sequence(_)
                | Type::Map(..)
                | Type::Set(_)
                | Type::Boxed(_)
                | Type::Object(_)
                | Type::Record(_)
                | Type::Enum(_)
                | Type::Callback(_)
                | Type::Custom(_)
                | Type::Error(_)
        )
    }

    /// Whether the type is one of the eight integer types.
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            Type::I8
                | Type::I16
                | Type::I32
                | Type::I64
                | Type::U8
                | Type::U16
                | Type::U32
                | Type::U64
        )
    }

    /// Whether a callback interface appears anywhere in the type.
    pub fn contains_callback(&self) -> bool {
        match self {
            Type::Callback(_) => true,
            Type::Optional(inner)
            | Type::Sequence(inner)
            | Type::Set(inner)
            | Type::Boxed(inner) => inner.contains_callback(),
            Type::Map(k, v) => k.contains_callback() || v.contains_callback(),
            _ => false,
        }
    }

    /// Whether the test hooks have a sample value of this type: built-in
    /// types, nested in options and collections.
    pub fn has_sample(&self) -> bool {
        match self {
            Type::Object(_)
            | Type::Record(_)
            | Type::Enum(_)
            | Type::Callback(_)
            | Type::Custom(_)
            | Type::Error(_) => false,
            Type::Optional(inner) | Type::Sequence(inner) | Type::Set(inner) => inner.has_sample(),
            Type::Boxed(_) => false,
            Type::Map(k, v) => k.has_sample() && v.has_sample(),
            _ => true,
        }
    }

    /// Whether the glue converts this type itself between its Python-facing
    /// and core forms (objects, records, enums), rather than passing it through.
    pub fn needs_conversion(&self) -> bool {
        match self {
            Type::Object(_)
            | Type::Record(_)
            | Type::Enum(_)
            | Type::Callback(_)
            | Type::Custom(_)
            | Type::Error(_)
            | Type::Boxed(_)
            | Type::Timestamp => true,
            Type::Optional(inner) | Type::Sequence(inner) | Type::Set(inner) => {
                inner.needs_conversion()
            }
            Type::Map(k, v) => k.needs_conversion() || v.needs_conversion(),
            _ => false,
        }
    }
}

/// A literal default value of an argument.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    None,
    Bool(bool),
    Int(i128),
    Float(String),
    String(String),
    EmptySequence,
    EmptyMap,
    /// A member of an enum: the enum and the variant's UDL name.
    EnumMember(EnumId, String),
}

/// A UDL name with the spellings each target uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub udl: String,
    pub python: String,
    pub rust: String,
}

#[derive(Debug, Clone)]
pub struct Api {
    pub namespace: String,
    pub docstring: Option<String>,
    /// Import name of the Python package.
    pub package: String,
    /// Name of the extension module inside the package.
    pub native_module: String,
    /// Name of the pure-Python exception module (`errors`).
    pub errors_module: String,
    /// Name of the pure-Python listener module (`listeners`).
    pub listeners_module: String,
    /// The exception attribute naming the Rust variant (`variant`).
    pub variant_attribute: String,
    /// The exception class a Rust panic raises (`PanicError`).
    pub panic_class: String,
    /// The same class under UniFFI's name, `InternalError`, when the API
    /// does not define that name itself.
    pub panic_alias: Option<String>,
    /// UniFFI's spellings of class names that differ from the UDL's
    /// (`XyzEnum` for `XYZEnum`), where free: (alias, the class's export).
    pub class_aliases: Vec<(String, Export)>,
    /// Cargo name of the core crate.
    pub crate_name: String,
    /// The core crate as a Rust path root (`::boxkit`).
    pub crate_ident: String,
    /// Path of the core crate relative to the generated crate.
    pub crate_path: String,
    /// In-crate mode: the glue is module `src/<module>.rs` of the core crate
    /// (paths `crate::X`), and the output is the core crate's folder.
    pub in_crate: Option<String>,
    /// File name of the UDL, for the "generated from" header.
    pub udl_file: String,
    /// The Rust module below the crate root (`geometry::shapes`) of each
    /// definition and function that the crate's proc-macros declare
    /// outside the root, by UDL name; the others are at the root.
    pub modules: std::collections::BTreeMap<String, String>,
    /// The Python distribution's metadata.
    pub distribution: Distribution,
    pub errors: Vec<ErrorType>,
    pub records: Vec<Record>,
    pub enums: Vec<Enum>,
    pub objects: Vec<Object>,
    pub functions: Vec<Callable>,
    pub callbacks: Vec<Callback>,
    pub customs: Vec<Custom>,
    /// What the core's futures need to be polled in (`[async] runtime`).
    pub async_runtime: AsyncRuntime,
    /// The crate uses uniffi 0.32 (`[rust] proc-macros`): the glue may call
    /// its traits (`custom_type!` conversions, UniFFI's unexpected-error
    /// conversion of a throwing callback method).
    pub uses_uniffi: bool,
    /// `[backends.NAME]`, in the config's order (the dispatcher's order of
    /// preference); empty for a package with one native module.
    pub backends: Vec<Backend>,
}

/// One native build of the API (docs/backends.md).
#[derive(Debug, Clone)]
pub struct Backend {
    /// The name in the config, `use_backend` and the glue's cargo feature.
    pub name: String,
    /// The core crate's cargo features that select it.
    pub features: Vec<String>,
    /// Its distribution (`<distribution>-<name>`).
    pub distribution: String,
    /// Its top-level package (`<package>_<name>`), which holds its native
    /// module under the package's native module name (`kvshelf_sqlite._native`).
    pub package: String,
    /// `<package>_<name>.<native module>`.
    pub native_path: String,
}

/// The native function that waits for queued listener events to be
/// delivered, in a package with queued delivery.
pub const FLUSH_EVENTS: &str = "flush_events";

/// The function that sets the event loop of `[Async]` callback methods,
/// as UniFFI's Python names it.
pub const SET_EVENT_LOOP: &str = "uniffi_set_event_loop";

/// The native module's private function behind method `method` of the flat
/// enum `class` (whose class is pure Python).
pub fn member_function(class: &str, method: &str) -> String {
    format!("_bindery_method_{class}_{method}")
}

/// The dispatcher's own functions, in the package namespace of a package
/// with backends.
pub const DISPATCHER_FUNCTIONS: [&str; 3] = ["use_backend", "active_backend", "installed_backends"];

/// The runtime the core's futures are polled in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AsyncRuntime {
    /// Any executor: the futures need no runtime's context.
    #[default]
    Any,
    /// Polled inside a tokio runtime the glue owns, so they can use tokio's
    /// timers, sockets and processes.
    Tokio,
}

/// The Python distribution: `pyproject.toml`'s `[project]` and the wheel's
/// abi3 floor.
#[derive(Debug, Clone, Default)]
pub struct Distribution {
    pub name: String,
    pub version: String,
    /// `version` is the config's (`[distribution] version`), not a default.
    pub version_configured: bool,
    pub description: Option<String>,
    pub license: Option<String>,
    pub readme: Option<String>,
    /// The oldest CPython minor version supported (`11` for 3.11): the
    /// `requires-python` floor and the abi3 level of the wheel.
    pub python_minor: u32,
    pub dependencies: Vec<String>,
    pub classifiers: Vec<String>,
    pub urls: Vec<(String, String)>,
}

/// A `[Custom] typedef`: a type of the core that crosses as a builtin type,
/// through `TryFrom<builtin>` one way and `From<custom> for builtin` the other.
#[derive(Debug, Clone)]
pub struct Custom {
    pub name: Name,
    pub docstring: Option<String>,
    /// The type it crosses as: a builtin, a container, or a record, enum or
    /// plain interface of the API.
    pub builtin: Type,
    /// Configured conversion functions, as Rust paths (relative ones start
    /// at the core crate's root); `None` uses `TryFrom<builtin>` and
    /// `From<custom> for builtin`.
    pub try_lift: Option<String>,
    pub lower: Option<String>,
    /// Configured Python-side conversions: Python sees this class instead of
    /// the builtin.
    pub python: Option<PythonConverter>,
    /// Converted by the crate's own `uniffi::custom_type!` (`[rust]
    /// proc-macros`, no conversion functions in `[custom.X]`, a scalar
    /// builtin): the glue holds the
    /// builtin, checked by the macro's `try_lift` (the core's type need
    /// not be `Clone`).
    pub via_uniffi: bool,
}

impl Custom {
    /// Built on an error type: only ever thrown (a `custom_type!` over an
    /// error), an alias of the error's base class in Python.
    pub fn over_error(&self) -> bool {
        matches!(self.builtin, Type::Error(_))
    }
}

/// A custom type's Python class and the callables between it and the
/// builtin, each a `module:qualname` path.
#[derive(Debug, Clone)]
pub struct PythonConverter {
    pub class: PythonPath,
    pub into: PythonPath,
    pub from: PythonPath,
}

/// An object of a Python module: `module:qualname`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonPath {
    pub module: String,
    pub qualname: String,
}

/// A callback interface: a Rust trait implemented by a Python object.
#[derive(Debug, Clone)]
pub struct Callback {
    pub name: Name,
    pub docstring: Option<String>,
    pub methods: Vec<CallbackMethod>,
    /// The variant (all fields strings) a `[Throws]` method returns to Rust
    /// when Python raises something else or returns the wrong type.
    pub unexpected_error: std::collections::BTreeMap<ErrorId, String>,
    /// The Python side of a `[Trait, WithForeign]` interface: only its
    /// Protocol is public (the native class has the interface's name), and
    /// Rust holds it as `Arc<dyn Trait>`.
    pub trait_object: Option<ObjectId>,
}

impl Callback {
    /// The error types its methods throw, each once, in method order.
    pub fn thrown(&self) -> Vec<ErrorId> {
        thrown_by(&self.methods)
    }
}

/// The error types `methods` throw, each once, in method order.
pub fn thrown_by(methods: &[CallbackMethod]) -> Vec<ErrorId> {
    let mut thrown = Vec::new();
    for t in methods.iter().filter_map(|m| m.callable.throws) {
        if !thrown.contains(&t) {
            thrown.push(t);
        }
    }
    thrown
}

#[derive(Debug, Clone)]
pub struct CallbackMethod {
    pub callable: Callable,
    /// A listener must define it: configured, or it returns or throws.
    pub required: bool,
    /// Listed in `[listeners.X] required`: abstract in the base class.
    /// (One that returns or throws without being listed raises
    /// `NotImplementedError` there, as UniFFI's Python does.)
    pub configured: bool,
    /// What Rust receives when this method (without `[Throws]`) fails,
    /// instead of a panic: `[listeners.X] fallbacks`.
    pub fallback: Option<Literal>,
    /// Delivered through the package's event queue (`[listeners.X]
    /// delivery = "queued"` or `queued`): the Rust thread does not wait.
    pub queued: bool,
}

/// The Rust traits a definition exposes with `[Traits=(...)]`, which become
/// Python's protocols: `Display` → `__str__`, `Debug` → `__repr__`, `Eq` →
/// `==` by value, `Hash` → `__hash__`, `Ord` → `<`, `<=`, `>`, `>=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traits {
    pub debug: bool,
    pub display: bool,
    pub eq: bool,
    pub hash: bool,
    pub ord: bool,
}

/// A `dictionary`: a Python class with a keyword constructor and writable fields.
#[derive(Debug, Clone)]
pub struct Record {
    pub name: Name,
    pub docstring: Option<String>,
    pub traits: Traits,
    pub fields: Vec<RecordField>,
    /// Methods the crate's proc-macros export (`#[uniffi::export] impl R`):
    /// called on a copy of the Python value, converted for the call.
    pub methods: Vec<Callable>,
}

#[derive(Debug, Clone)]
pub struct RecordField {
    pub name: Name,
    pub ty: Type,
    pub default: Option<Literal>,
    pub docstring: Option<String>,
}

/// An `enum` (every variant without fields: Python members `Color.DARK_RED`)
/// or an `[Enum] interface` (a class per variant: `Shape.Circle(radius=1.0)`).
#[derive(Debug, Clone)]
pub struct Enum {
    pub name: Name,
    pub docstring: Option<String>,
    pub traits: Traits,
    pub flat: bool,
    /// `[NonExhaustive]`: the Rust enum may have variants the UDL lacks; one
    /// of them reaching Python is a panic naming the enum (as in UniFFI).
    pub non_exhaustive: bool,
    /// `python` is the member name (`DARK_RED`) of a flat enum, the nested
    /// class name of a variant with fields.
    pub variants: Vec<EnumVariant>,
    /// Methods the crate's proc-macros export (`#[uniffi::export] impl E`),
    /// as a record's.
    pub methods: Vec<Callable>,
}

#[derive(Debug, Clone)]
pub struct EnumVariant {
    pub name: Name,
    /// The discriminant, as Rust numbers the variants (an explicit one from
    /// the crate's proc-macros, else one more than the previous, from 0):
    /// a flat enum member's Python value, as in UniFFI.
    pub value: i128,
    pub fields: Vec<Field>,
    pub docstring: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ErrorType {
    pub name: Name,
    /// Python base class name.
    pub base: String,
    /// Flat errors (`[Error] enum`) carry no fields in the UDL.
    pub flat: bool,
    /// `[NonExhaustive]`: a variant the UDL lacks raises the base class, with
    /// the Rust variant's name (from its `Debug` text) as `variant`.
    pub non_exhaustive: bool,
    pub docstring: Option<String>,
    pub variants: Vec<Variant>,
    pub classes: Vec<ErrorClass>,
}

#[derive(Debug, Clone)]
pub struct Variant {
    /// `python` is the attribute name on the base class.
    pub name: Name,
    /// Index into the owning `ErrorType::classes`.
    pub class: usize,
    pub fields: Vec<Field>,
    pub docstring: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ErrorClass {
    pub name: String,
    /// Extra built-in exception bases.
    pub bases: Vec<String>,
    /// Indices into `ErrorType::variants`, in declaration order.
    pub variants: Vec<usize>,
    /// Attributes of the class: for a shared class, the union of its
    /// variants' fields; `required` is false where some variant lacks it.
    pub fields: Vec<ClassField>,
}

#[derive(Debug, Clone)]
pub struct ClassField {
    pub python: String,
    pub ty: Type,
    pub required: bool,
    /// A tuple variant's field (`_0`): the class reads its fields by index.
    pub positional: bool,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: Name,
    pub ty: Type,
    pub docstring: Option<String>,
    /// The default of an enum variant's field (the crate's proc-macros:
    /// `#[uniffi(default)]`, `#[uniffi(default = 1)]`).
    pub default: Option<Literal>,
}

impl EnumVariant {
    /// A tuple variant (`Variant(String, u8)`): fields by position only.
    pub fn is_tuple(&self) -> bool {
        !self.fields.is_empty() && self.fields.iter().all(Field::is_positional)
    }
}

impl EnumVariant {
    /// Where the constructor's keyword-only fields start, if they must: at
    /// the first field with a default when a field without one follows it
    /// (Python puts no required positional after a default).
    pub fn keyword_only_from(&self) -> Option<usize> {
        let first = self.fields.iter().position(|f| f.default.is_some())?;
        let later = self.fields[first..].iter().any(|f| f.default.is_none());
        later.then_some(first)
    }
}

impl Field {
    /// A field of a tuple variant (proc-macros: `Variant(String, u8)`): no
    /// UDL name, `name.rust` its index (`0`), `name.python` PyO3's
    /// accessor (`_0`).
    pub fn is_positional(&self) -> bool {
        self.name.udl.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct Argument {
    pub name: Name,
    pub ty: Type,
    pub by_ref: bool,
    pub default: Option<Literal>,
}

/// A namespace function, method or constructor.
#[derive(Debug, Clone)]
pub struct Callable {
    pub name: Name,
    pub arguments: Vec<Argument>,
    pub returns: Option<Type>,
    /// The error type it throws.
    pub throws: Option<ErrorId>,
    /// The custom type over `throws` the core returns as its error (a
    /// `custom_type!` over an error type): its `lower` gives the error.
    pub throws_via: Option<CustomId>,
    /// The interface it throws (`[Throws=Interface]`): Rust returns
    /// `Err(Arc<Interface>)`, Python raises the interface's exception class.
    pub throws_object: Option<ObjectId>,
    /// Methods declared `[Self=ByArc]` take `self: Arc<Self>` in Rust.
    pub self_by_arc: bool,
    /// Listed in `[gil] keep`: called without releasing the GIL.
    pub keep_gil: bool,
    /// `[Async]`: Python gets a coroutine driving the core's future.
    pub is_async: bool,
    /// `[backend-only]`: the backends that implement it (empty: every one).
    pub backends: Vec<String>,
    pub docstring: Option<String>,
    /// A method an interface has from a trait it implements (the
    /// proc-macros' `#[uniffi::export] impl Trait for X`): that trait,
    /// whose path the call names.
    pub via_trait: Option<Name>,
}

#[derive(Debug, Clone)]
pub struct Object {
    pub name: Name,
    pub docstring: Option<String>,
    /// `[Trait]`: the core's trait, held as `Arc<dyn Trait>`; no constructors.
    pub is_trait: bool,
    /// `[Trait, WithForeign]`: Python objects may implement the trait too,
    /// through this callback interface's bridge.
    pub foreign: Option<CallbackId>,
    /// Thrown by some call (`[Throws=Interface]`): its public class is an
    /// exception in the exception module that wraps the native object.
    pub is_error: bool,
    pub traits: Traits,
    /// The primary constructor (`constructor(...)`), if any.
    pub constructor: Option<Callable>,
    /// Named constructors (`[Name=...] constructor(...)`), as classmethods.
    pub named_constructors: Vec<Callable>,
    pub methods: Vec<Callable>,
    /// The method `with` calls on exit (`[interfaces.X] context-manager`),
    /// by its index in `methods`.
    pub context_exit: Option<usize>,
}

impl Callable {
    /// The types of its arguments, then of what it returns.
    pub fn types(&self) -> impl Iterator<Item = &Type> {
        self.arguments.iter().map(|a| &a.ty).chain(&self.returns)
    }
}

impl Object {
    /// `[Trait, WithForeign]`: Python classes may subclass its class to
    /// implement the trait (an instance of such a subclass holds no Rust
    /// object). Not when it is thrown as an error: that class is an
    /// exception's payload.
    pub fn subclassable(&self) -> bool {
        self.foreign.is_some() && !self.is_error
    }

    /// Its primary constructor, named constructors and methods.
    pub fn members(&self) -> impl Iterator<Item = &Callable> {
        self.constructor
            .iter()
            .chain(&self.named_constructors)
            .chain(&self.methods)
    }
}

/// What a name in the package namespace stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// The exception module bindery adds.
    ErrorsModule,
    /// The listener module bindery adds.
    ListenersModule,
    ErrorBase(ErrorId),
    /// The class a Rust panic raises.
    PanicClass,
    /// The panic class under UniFFI's name.
    PanicAlias,
    /// A class of an error type, by its index in [`ErrorType::classes`].
    ErrorClass(ErrorId, usize),
    Record(RecordId),
    Enum(EnumId),
    /// The union of an enum's variant classes ([`variant_alias`]).
    VariantAlias(EnumId),
    Object(ObjectId),
    /// A namespace function, by its index in [`Api::functions`].
    Function(usize),
    /// A custom type's name: an alias of its builtin's Python type, as in UniFFI.
    Custom(CustomId),
    /// A callback interface's base class.
    Listener(CallbackId),
    /// A callback interface's Protocol.
    Protocol(CallbackId),
    /// One of [`DISPATCHER_FUNCTIONS`].
    Dispatcher,
    /// [`FLUSH_EVENTS`], with queued listener methods.
    FlushEvents,
    /// [`SET_EVENT_LOOP`], with `[Async]` callback methods.
    SetEventLoop,
    /// UniFFI's spelling of a class's name ([`Api::class_aliases`], by index).
    ClassAlias(usize),
}

/// `module`, or `module as alias` when they differ: how generated tests
/// import one of the package's modules under a fixed name.
pub fn import_as(module: &str, alias: &str) -> String {
    if module == alias {
        module.to_string()
    } else {
        format!("{module} as {alias}")
    }
}

/// The Python name of a callback interface's Protocol.
pub fn protocol_name(callback: &str) -> String {
    format!("{callback}Protocol")
}

/// The type alias naming the union of an enum's variant classes, which
/// annotations use so that a `match` over every variant is exhaustive.
pub fn variant_alias(enumeration: &str) -> String {
    format!("{enumeration}Variant")
}

/// A callable's own name and its arguments' names.
fn callable_names(c: &Callable) -> impl Iterator<Item = &Name> {
    std::iter::once(&c.name).chain(c.arguments.iter().map(|a| &a.name))
}

impl Api {
    /// The names of every object, record and enum: the types the glue defines.
    pub fn type_names(&self) -> impl Iterator<Item = &Name> {
        let objects = self.objects.iter().map(|o| &o.name);
        objects
            .chain(self.records.iter().map(|r| &r.name))
            .chain(self.enums.iter().map(|e| &e.name))
    }

    /// Whether a value can reach this callback interface's bridge outside
    /// the test hooks: a callable takes it (a trait's bridge: always).
    pub fn callback_used(&self, id: CallbackId) -> bool {
        self.callbacks[id.0].trait_object.is_some()
            || (self.callables().flat_map(Callable::types))
                .flat_map(Type::walk)
                .any(|t| *t == Type::Callback(id))
    }

    /// The value types the glue converts outside the test hooks: those of
    /// `value_types` but the methods of callback interfaces no call takes.
    /// Every error's fields count: an error with fields is read back from
    /// Python for an embedding host whether or not a call throws it, and a
    /// flat one has none.
    pub fn live_value_types(&self) -> Vec<Type> {
        self.types_where(|i| self.callback_used(i))
    }

    /// Whether `[Async]` calls are polled in tokio: some call is async and
    /// `[async] runtime = "tokio"`.
    pub fn uses_tokio(&self) -> bool {
        self.async_runtime == AsyncRuntime::Tokio && self.has_async_calls()
    }

    /// Whether some call is `[Async]`: Python coroutines
    /// (`bindery_coroutine`).
    pub fn has_async_calls(&self) -> bool {
        self.callables().any(|c| c.is_async)
    }

    /// Whether some callback method is `[Async]`: Rust awaits Python
    /// coroutines (`bindery_answer`).
    pub fn has_async_callbacks(&self) -> bool {
        (self.callbacks.iter())
            .flat_map(|c| &c.methods)
            .any(|m| m.callable.is_async)
    }

    /// Whether Rust awaits Python coroutines outside the test hooks: a used
    /// callback interface (or a trait's Python side) has an `[Async]`
    /// method. The package then exports [`SET_EVENT_LOOP`].
    pub fn awaits_python(&self) -> bool {
        (0..self.callbacks.len()).any(|i| {
            self.callback_used(CallbackId(i))
                && (self.callbacks[i].methods.iter()).any(|m| m.callable.is_async)
        })
    }

    /// Whether Rust threads may enter Python: callback interfaces (a
    /// foreign trait's Python implementations are one too, and queued
    /// delivery is theirs) or async wakers (`bindery_attach`).
    pub fn needs_attach(&self) -> bool {
        !self.callbacks.is_empty() || self.has_async_calls()
    }

    /// Every function, constructor and method.
    pub fn callables(&self) -> impl Iterator<Item = &Callable> {
        let members = self.objects.iter().flat_map(Object::members);
        let of_values = (self.records.iter().flat_map(|r| &r.methods))
            .chain(self.enums.iter().flat_map(|e| &e.methods));
        self.functions.iter().chain(members).chain(of_values)
    }

    /// The types of the error types' variant fields (not nested).
    pub fn error_field_types(&self) -> impl Iterator<Item = &Type> {
        let variants = self.errors.iter().flat_map(|e| &e.variants);
        variants.flat_map(|v| &v.fields).map(|f| &f.ty)
    }

    /// The types of the records' fields (not nested).
    pub fn record_field_types(&self) -> impl Iterator<Item = &Type> {
        self.records.iter().flat_map(|r| &r.fields).map(|f| &f.ty)
    }

    /// The types of the enums' variant fields (not nested).
    pub fn variant_field_types(&self) -> impl Iterator<Item = &Type> {
        let variants = self.enums.iter().flat_map(|e| &e.variants);
        variants.flat_map(|v| &v.fields).map(|f| &f.ty)
    }

    /// Every type a value of the API can have, nested types included: of
    /// arguments, returns and fields.
    pub fn value_types(&self) -> Vec<Type> {
        self.types_where(|_| true)
    }

    /// `value_types`, counting only the callback interfaces that pass the
    /// filter.
    pub fn types_where(&self, callback: impl Fn(CallbackId) -> bool) -> Vec<Type> {
        let callback_methods = (self.callbacks.iter().enumerate())
            .filter(|(i, _)| callback(CallbackId(*i)))
            .flat_map(|(_, c)| &c.methods)
            .map(|m| &m.callable);
        let signatures = self
            .callables()
            .chain(callback_methods)
            .flat_map(Callable::types);
        let error_fields = (self.errors.iter())
            .flat_map(|e| &e.variants)
            .flat_map(|v| &v.fields)
            .map(|f| &f.ty);
        // A custom type's values cross as its builtin's.
        let custom_builtins = self.customs.iter().map(|c| &c.builtin);
        signatures
            .chain(error_fields)
            .chain(self.record_field_types())
            .chain(self.variant_field_types())
            .chain(custom_builtins)
            .flat_map(Type::walk)
            .cloned()
            .collect()
    }

    /// The Python name of the class a [`Api::class_aliases`] entry names.
    pub fn class_alias_target(&self, i: usize) -> &str {
        match self.class_aliases[i].1 {
            Export::Record(id) => &self.record(id).name.python,
            Export::Enum(id) => &self.enumeration(id).name.python,
            Export::Object(id) => &self.object(id).name.python,
            Export::ErrorBase(id) => &self.error(id).base,
            _ => "",
        }
    }

    /// Whether a [`Api::class_aliases`] entry names an exception class (of
    /// the errors module, not the native one).
    pub fn class_alias_is_error(&self, i: usize) -> bool {
        match self.class_aliases[i].1 {
            Export::ErrorBase(_) => true,
            Export::Object(id) => self.object(id).is_error,
            _ => false,
        }
    }

    /// Every name the package exports (plus the submodules it adds), in
    /// definition order: one namespace, so each name must be unique.
    pub fn exports(&self) -> Vec<(String, Export)> {
        let mut out = vec![
            (self.errors_module.clone(), Export::ErrorsModule),
            (self.panic_class.clone(), Export::PanicClass),
        ];
        if let Some(alias) = &self.panic_alias {
            out.push((alias.clone(), Export::PanicAlias));
        }
        for (i, e) in self.errors.iter().enumerate() {
            out.push((e.base.clone(), Export::ErrorBase(ErrorId(i))));
            for (k, c) in e.classes.iter().enumerate() {
                out.push((c.name.clone(), Export::ErrorClass(ErrorId(i), k)));
            }
        }
        let named = |name: &Name, what| (name.python.clone(), what);
        out.extend(
            self.records
                .iter()
                .enumerate()
                .map(|(i, r)| named(&r.name, Export::Record(RecordId(i)))),
        );
        out.extend(
            self.enums
                .iter()
                .enumerate()
                .map(|(i, e)| named(&e.name, Export::Enum(EnumId(i)))),
        );
        for (i, e) in self.enums.iter().enumerate().filter(|(_, e)| !e.flat) {
            out.push((
                variant_alias(&e.name.python),
                Export::VariantAlias(EnumId(i)),
            ));
        }
        out.extend(
            self.objects
                .iter()
                .enumerate()
                .map(|(i, o)| named(&o.name, Export::Object(ObjectId(i)))),
        );
        out.extend(
            self.functions
                .iter()
                .enumerate()
                .map(|(i, f)| named(&f.name, Export::Function(i))),
        );
        out.extend(
            self.customs
                .iter()
                .enumerate()
                .map(|(i, c)| named(&c.name, Export::Custom(CustomId(i)))),
        );
        if !self.callbacks.is_empty() {
            out.push((self.listeners_module.clone(), Export::ListenersModule));
        }
        for (i, c) in self.callbacks.iter().enumerate() {
            // A trait's Python side has only its Protocol: the name is the class's.
            if c.trait_object.is_none() {
                out.push(named(&c.name, Export::Listener(CallbackId(i))));
            }
            out.push((
                protocol_name(&c.name.python),
                Export::Protocol(CallbackId(i)),
            ));
        }
        if self.has_queued() {
            out.push((FLUSH_EVENTS.to_string(), Export::FlushEvents));
        }
        if self.awaits_python() {
            out.push((SET_EVENT_LOOP.to_string(), Export::SetEventLoop));
        }
        for (i, (alias, _)) in self.class_aliases.iter().enumerate() {
            out.push((alias.clone(), Export::ClassAlias(i)));
        }
        if !self.backends.is_empty() {
            out.extend(
                DISPATCHER_FUNCTIONS
                    .iter()
                    .map(|f| (f.to_string(), Export::Dispatcher)),
            );
        }
        out
    }

    /// Whether some listener method is delivered queued.
    pub fn has_queued(&self) -> bool {
        self.callbacks
            .iter()
            .flat_map(|c| &c.methods)
            .any(|m| m.queued)
    }

    /// Every Python name the API defines: types, functions, members,
    /// fields, variants, arguments and exception classes.
    pub fn python_names(&self) -> impl Iterator<Item = &str> {
        // A trait's Python side repeats its interface's names, counted there.
        let own = self.callbacks.iter().filter(|c| c.trait_object.is_none());
        let callbacks = own.flat_map(|c| {
            std::iter::once(&c.name)
                .chain(c.methods.iter().flat_map(|m| callable_names(&m.callable)))
        });
        let records = self
            .records
            .iter()
            .flat_map(|r| std::iter::once(&r.name).chain(r.fields.iter().map(|f| &f.name)));
        let enums = self.enums.iter().flat_map(|e| {
            let fields = e
                .variants
                .iter()
                .flat_map(|v| v.fields.iter().map(|f| &f.name));
            std::iter::once(&e.name)
                .chain(e.variants.iter().map(|v| &v.name))
                .chain(fields)
        });
        let errors = self.errors.iter().flat_map(|e| {
            let fields = e
                .variants
                .iter()
                .flat_map(|v| v.fields.iter().map(|f| &f.name));
            e.variants.iter().map(|v| &v.name).chain(fields)
        });
        let objects = self.objects.iter().map(|o| &o.name);
        let names = callbacks
            .chain(records)
            .chain(enums)
            .chain(errors)
            .chain(objects)
            .chain(self.callables().flat_map(callable_names))
            .map(|n| n.python.as_str());
        let classes = self.errors.iter().flat_map(|e| {
            std::iter::once(e.base.as_str()).chain(e.classes.iter().map(|c| c.name.as_str()))
        });
        names.chain(classes)
    }

    pub fn object(&self, id: ObjectId) -> &Object {
        &self.objects[id.0]
    }

    pub fn record(&self, id: RecordId) -> &Record {
        &self.records[id.0]
    }

    pub fn enumeration(&self, id: EnumId) -> &Enum {
        &self.enums[id.0]
    }

    pub fn error(&self, id: ErrorId) -> &ErrorType {
        &self.errors[id.0]
    }

    pub fn callback(&self, id: CallbackId) -> &Callback {
        &self.callbacks[id.0]
    }

    pub fn custom(&self, id: CustomId) -> &Custom {
        &self.customs[id.0]
    }

    /// The custom types the native module names: all but those over an
    /// error type (only ever thrown), which the errors module names.
    pub fn native_customs(&self) -> impl Iterator<Item = &Custom> {
        self.customs.iter().filter(|c| !c.over_error())
    }

    /// The Python names of the native module's classes (objects, records,
    /// enums) that `types` mention, nested included: sorted, each once.
    pub fn native_classes<'t>(&self, types: impl Iterator<Item = &'t Type>) -> Vec<String> {
        let mut names: Vec<String> = types
            .flat_map(Type::walk)
            .filter(|t| match t {
                // Annotated with its Protocol, from the listener module, or
                // with its exception class.
                Type::Object(id) => {
                    let o = self.object(*id);
                    o.foreign.is_none() && !o.is_error
                }
                Type::Record(_) | Type::Enum(_) => true,
                // Annotated with its alias (`TypeAlias` in the stub).
                Type::Custom(_) => true,
                _ => false,
            })
            .filter_map(|t| match t {
                // Annotated with the union of its variant classes.
                Type::Enum(id) if !self.enumeration(*id).flat => {
                    Some(variant_alias(&self.enumeration(*id).name.python))
                }
                _ => self.definition(t).map(|n| n.python.clone()),
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The name of the definition a type refers to, if it refers to one.
    pub fn definition(&self, ty: &Type) -> Option<&Name> {
        match ty {
            Type::Object(id) => Some(&self.object(*id).name),
            Type::Record(id) => Some(&self.record(*id).name),
            Type::Enum(id) => Some(&self.enumeration(*id).name),
            Type::Callback(id) => Some(&self.callback(*id).name),
            Type::Custom(id) => Some(&self.custom(*id).name),
            Type::Error(id) => Some(&self.error(*id).name),
            _ => None,
        }
    }
}
