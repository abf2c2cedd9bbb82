//! Phase 3, the plan: every name, slot and helper of the output decided
//! once, from the checked model. Renderers take a [`Plan`] and ask it; they
//! never derive a name themselves, so a name that appears in two files (a
//! class in the stub and in the glue, an error's mapping function in the
//! glue and in a bridge) is the same by construction.

use crate::model::{
    Api, Callable, CallbackId, CustomId, Enum, ErrorId, Export, Name, ObjectId, Type,
};
use crate::names;

/// Builtin names the generated Python uses unqualified when nothing shadows them.
const BUILTIN_TYPES: &[&str] = &[
    "bool",
    "int",
    "float",
    "str",
    "bytes",
    "list",
    "dict",
    "tuple",
    "type",
    "object",
    "property",
    "classmethod",
    // Called by the enums module.
    "isinstance",
    // Annotated by a context manager's `__exit__`.
    "BaseException",
    "NotImplemented",
];

/// How Python annotations spell builtins and the API's own classes.
#[derive(Debug, Clone, Copy)]
pub struct Spelling<'a> {
    pub api: &'a Api,
    /// Builtins are spelled `_builtins.str` when the API defines a name (a
    /// function `str`, a field `list`) that shadows one.
    pub qualify: bool,
    /// Whether the API's own classes are spelled `_api.Name`: when a member
    /// (a field `Result` of a record `Result`) would shadow a class inside a
    /// class body. The files that annotate import the native module as `_api`.
    pub qualify_types: bool,
}

impl<'a> Spelling<'a> {
    /// Qualified when any Python name of the API (a module-level name, or a
    /// member, which shadows builtins inside its class body) is one of them.
    pub fn of(api: &'a Api) -> Self {
        let qualify = api.python_names().any(|n| BUILTIN_TYPES.contains(&n));
        let classes: Vec<&str> = api.type_names().map(|n| n.python.as_str()).collect();
        let members = api.python_names().filter(|n| classes.contains(n)).count();
        // Each class name is found once as itself; more means a member shares it.
        let qualify_types = members > classes.len();
        Spelling {
            api,
            qualify,
            qualify_types,
        }
    }

    /// How annotations name one of the API's classes.
    pub fn class(self, name: &str) -> String {
        if self.qualify_types {
            format!("_api.{name}")
        } else {
            name.to_string()
        }
    }

    pub fn builtin(self, name: &str) -> String {
        if self.qualify {
            format!("_builtins.{name}")
        } else {
            name.to_string()
        }
    }
}

/// Where each error type's exception classes sit in the glue's class cache.
#[derive(Debug, Clone, Copy)]
pub struct ErrorSlots {
    /// The slot of the error's first class; its classes follow in order.
    pub first_class: usize,
    /// The slot of its base class, for a `[NonExhaustive]` error.
    pub base: Option<usize>,
    /// Its slot among the error bases the glue reads back from Python, if a
    /// callback method throws it or it is used as a value.
    pub thrown: Option<usize>,
    /// A flat error read back from Python through the crate's UniFFI
    /// `Lift` (proc-macro mode, no callback method throws it): it compiles
    /// whatever the Rust variants hold, and fails where UniFFI's does.
    pub uniffi_flat: bool,
}

/// The plan of one API's output.
pub struct Plan<'a> {
    pub api: &'a Api,
    /// How Python annotations spell builtins and classes, decided once.
    pub spelling: Spelling<'a>,
    /// The core crate as a path root: `::crate_ident`.
    pub krate: String,
    /// Per error type, by id.
    pub error_slots: Vec<ErrorSlots>,
    /// Per interface, by id: the slot of its exception class if it is
    /// thrown as an error.
    pub object_slots: Vec<Option<usize>>,
    /// Slots in the glue's exception class cache.
    pub class_slots: usize,
    /// The slot of the panic class, when the API has calls that can panic.
    pub panic_slot: Option<usize>,
    /// The error types the glue reads back from Python (some callback method
    /// throws them, or they are used as values), in declaration order.
    pub thrown: Vec<ErrorId>,
    /// The package's public names by the module that defines them.
    pub exports: Exports,
    /// Per error type, by id: the stem of its glue functions, its snake-case
    /// name made unique (`HTTPError` and `HttpError` both snake-case to
    /// `http_error`: the second is `http_error_1`).
    error_stems: Vec<String>,
}

/// Public names of the package by module, each in isort's order.
#[derive(Debug, Clone, Default)]
pub struct Exports {
    /// Defined in `errors.py`.
    pub errors: Vec<String>,
    /// Defined by the native module.
    pub native: Vec<String>,
    /// Defined in `listeners.py`.
    pub listeners: Vec<String>,
    /// Defined in the dispatcher's `_backend.py` (a package with backends).
    pub dispatcher: Vec<String>,
}

impl Exports {
    fn of(api: &Api) -> Self {
        let mut out = Exports::default();
        for (name, what) in api.exports() {
            match what {
                Export::ErrorsModule | Export::ListenersModule => {}
                Export::ErrorBase(_)
                | Export::ErrorClass(..)
                | Export::PanicClass
                | Export::PanicAlias => out.errors.push(name),
                // An interface thrown as an error is an exception class.
                Export::Object(id) if api.object(id).is_error => out.errors.push(name),
                Export::ClassAlias(i) if api.class_alias_is_error(i) => out.errors.push(name),
                Export::Custom(id) if api.custom(id).over_error() => out.errors.push(name),
                Export::Record(_)
                | Export::Enum(_)
                | Export::VariantAlias(_)
                | Export::Object(_)
                | Export::Function(_)
                | Export::FlushEvents
                | Export::SetEventLoop
                | Export::ClassAlias(_)
                | Export::Custom(_) => out.native.push(name),
                Export::Listener(_) | Export::Protocol(_) => out.listeners.push(name),
                Export::Dispatcher => out.dispatcher.push(name),
            }
        }
        sort_isort(&mut out.errors);
        sort_isort(&mut out.native);
        sort_isort(&mut out.listeners);
        sort_isort(&mut out.dispatcher);
        out
    }

    /// Every public name, in `__all__`'s order (the package's `__all__`).
    pub fn all(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .errors
            .iter()
            .chain(&self.native)
            .chain(&self.listeners)
            .chain(&self.dispatcher)
            .cloned()
            .collect();
        sort_all(&mut all);
        all
    }
}

/// `stems` made unique in order: a stem taken already gets the first free
/// `_1`, `_2`, ... suffix.
fn unique_stems(stems: impl Iterator<Item = String>) -> Vec<String> {
    let mut taken = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for stem in stems {
        let mut unique = stem.clone();
        let mut k = 1;
        while !taken.insert(unique.clone()) {
            unique = format!("{stem}_{k}");
            k += 1;
        }
        out.push(unique);
    }
    out
}

/// isort's kind of a name: CONSTANTS (no lowercase letter, more than one
/// character), then Classes, then the rest.
fn isort_kind(name: &str) -> u8 {
    if name.len() > 1
        && name.chars().any(|c| c.is_ascii_uppercase())
        && !name.chars().any(|c| c.is_ascii_lowercase())
    {
        0
    } else if name.starts_with(|c: char| c.is_ascii_uppercase()) {
        1
    } else {
        2
    }
}

/// Natural order: runs of digits compare as numbers (`a2` < `a10`).
pub fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = s.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let (x, y) = (runs(a), runs(b));
    for ((xd, xs), (yd, ys)) in x.iter().zip(&y) {
        let order = if *xd && *yd {
            let (xt, yt) = (xs.trim_start_matches('0'), ys.trim_start_matches('0'));
            xt.len().cmp(&yt.len()).then_with(|| xt.cmp(yt))
        } else {
            xs.cmp(ys)
        };
        if order.is_ne() {
            return order;
        }
    }
    x.len().cmp(&y.len())
}

/// The order ruff's isort (I001, default settings) gives the names one
/// `from ... import` statement imports: by kind, then case-insensitively
/// in natural order, then case-sensitively. An `as` alias sorts by the
/// imported name.
pub fn sort_isort(names: &mut [String]) {
    names.sort_by(|a, b| {
        let (a, b) = (
            a.split(" as ").next().unwrap_or(a),
            b.split(" as ").next().unwrap_or(b),
        );
        isort_kind(a)
            .cmp(&isort_kind(b))
            .then_with(|| natural(&a.to_lowercase(), &b.to_lowercase()))
            .then_with(|| natural(a, b))
    });
}

/// The order ruff expects of `__all__` (RUF022): by the same kinds, then
/// case-sensitively in natural order.
pub fn sort_all(names: &mut [String]) {
    names.sort_by(|a, b| {
        isort_kind(a)
            .cmp(&isort_kind(b))
            .then_with(|| natural(a, b))
    });
}

impl<'a> Plan<'a> {
    pub fn new(api: &'a Api) -> Self {
        let mut error_slots = Vec::new();
        let mut next = 0;
        for e in &api.errors {
            error_slots.push(ErrorSlots {
                first_class: next,
                base: None,
                thrown: None,
                uniffi_flat: false,
            });
            next += e.classes.len();
        }
        // A `[NonExhaustive]` error's base class gets a slot too, after the classes.
        for (slots, e) in error_slots.iter_mut().zip(&api.errors) {
            if e.non_exhaustive {
                slots.base = Some(next);
                next += 1;
            }
        }
        // The exception class of each interface thrown as an error.
        let object_slots = api
            .objects
            .iter()
            .map(|o| {
                o.is_error.then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect();
        // The panic class, where a call into the core can panic.
        let panic_slot = api.callables().next().is_some().then(|| {
            next += 1;
            next - 1
        });
        // The error types read back from their exceptions: those callbacks
        // raise and values hold, and for an embedding host
        // (`Bindery_FromPython`) every one with fields in the UDL (a flat
        // error's Rust variants may have fields Python never sees).
        let values = api.value_types();
        let callback_thrown = |id: ErrorId| {
            (api.callbacks.iter().flat_map(|c| &c.methods)).any(|m| m.callable.throws == Some(id))
        };
        let thrown: Vec<ErrorId> = (0..api.errors.len())
            .map(ErrorId)
            .filter(|id| {
                !api.error(*id).flat || values.contains(&Type::Error(*id)) || callback_thrown(*id)
            })
            .collect();
        for (slot, id) in thrown.iter().enumerate() {
            error_slots[id.0].thrown = Some(slot);
        }
        for (i, slots) in error_slots.iter_mut().enumerate() {
            let id = ErrorId(i);
            slots.uniffi_flat = api.error(id).flat && api.uses_uniffi && !callback_thrown(id);
        }
        Plan {
            api,
            spelling: Spelling::of(api),
            // In-crate mode: the glue is a module of the core crate itself.
            krate: match api.in_crate {
                Some(_) => "crate".to_string(),
                None => format!("::{}", api.crate_ident),
            },
            error_slots,
            object_slots,
            class_slots: next,
            panic_slot,
            thrown,
            exports: Exports::of(api),
            error_stems: unique_stems(api.errors.iter().map(|e| names::snake_case(&e.name.udl))),
        }
    }

    /// The glue's Rust type for a definition: `Bindery` + its UDL name.
    pub fn glue(&self, name: &Name) -> String {
        names::glue_type(&name.udl)
    }

    /// The core's path of a definition: `::crate::Name`.
    pub fn core(&self, name: &Name) -> String {
        format!("{}::{}", self.root(&name.udl), name.rust)
    }

    /// The path of the module that declares the definition or function
    /// `udl`: the crate root, or a module below it (`Api::modules`).
    pub fn root(&self, udl: &str) -> String {
        match self.api.modules.get(udl) {
            Some(module) => format!("{}::{module}", self.krate),
            None => self.krate.clone(),
        }
    }

    /// The definition a type refers to; `None` for built-in types.
    pub fn definition(&self, ty: &Type) -> Option<&'a Name> {
        self.api.definition(ty)
    }

    /// The glue's Rust type of an object, record or enum type.
    pub fn glue_of(&self, ty: &Type) -> String {
        self.definition(ty)
            .map(|n| self.glue(n))
            .unwrap_or_default()
    }

    /// The core's path of an object, record, enum or callback type.
    pub fn core_of(&self, ty: &Type) -> String {
        self.definition(ty)
            .map(|n| self.core(n))
            .unwrap_or_default()
    }

    /// Whether values of the type are `Copy` in the glue.
    pub fn is_copy(&self, ty: &Type) -> bool {
        match ty {
            t if t.is_integer() => true,
            Type::Bool | Type::F32 | Type::F64 | Type::Timestamp | Type::Duration => true,
            Type::Enum(id) => self.api.enumeration(*id).flat,
            Type::Optional(inner) | Type::Boxed(inner) => self.is_copy(inner),
            _ => false,
        }
    }

    /// The snake-case stem of an error type's glue functions.
    fn error_stem(&self, id: ErrorId) -> String {
        self.error_stems[id.0].clone()
    }

    /// `bindery_thrown_custom_<i>`: raises a thrown custom type as the
    /// error its `lower` gives (the suffix keeps it apart from the errors'
    /// `bindery_<stem>_to_py`).
    pub fn thrown_custom_fn(&self, id: CustomId) -> String {
        format!("bindery_thrown_custom_{}", id.0)
    }

    /// The custom types some call throws, in declaration order.
    pub fn thrown_customs(&self) -> Vec<CustomId> {
        let mut out: Vec<CustomId> = self.api.callables().filter_map(|c| c.throws_via).collect();
        out.sort();
        out.dedup();
        out
    }

    /// `bindery_x_error_to_py`: maps the core's error value to its exception.
    pub fn to_py_fn(&self, id: ErrorId) -> String {
        format!("bindery_{}_to_py", self.error_stem(id))
    }

    /// `bindery_x_error_from_py`: reads an exception back into the core's value.
    pub fn from_py_fn(&self, id: ErrorId) -> String {
        format!("bindery_{}_from_py", self.error_stem(id))
    }

    /// The bridge type that implements a callback trait for a Python object.
    pub fn bridge(&self, id: CallbackId) -> String {
        let c = self.api.callback(id);
        match c.trait_object {
            // The interface's own glue type is its native class.
            Some(_) => names::role_type("Foreign", &c.name.udl),
            None => names::glue_type(&c.name.udl),
        }
    }

    /// The newtype an interface's values cross as, when it is not its class:
    /// for a `[Trait, WithForeign]` interface and an interface thrown as an
    /// error.
    pub fn object_value(&self, id: ObjectId) -> Option<String> {
        let o = self.api.object(id);
        if o.foreign.is_some() {
            Some(self.dyn_value(id))
        } else if o.is_error {
            Some(self.error_value(id))
        } else {
            None
        }
    }

    /// The glue's value type of an interface thrown as an error: the Rust
    /// object, crossing as an instance of its exception class.
    pub fn error_value(&self, id: ObjectId) -> String {
        names::role_type("Error", &self.api.object(id).name.udl)
    }

    /// The glue's value type of a `[Trait, WithForeign]` interface: the trait
    /// object, implemented in Rust or in Python.
    pub fn dyn_value(&self, id: ObjectId) -> String {
        names::role_type("Dyn", &self.api.object(id).name.udl)
    }

    /// The native class of a record: its fields live there, the mutable
    /// ones as the Python objects themselves; `glue` is its Rust value.
    pub fn record_class(&self, name: &Name) -> String {
        names::role_type("Class", &name.udl)
    }

    /// The glue's Rust name of a namespace function: prefixed, so it cannot
    /// clash with glue items or Rust's builtin names (`str`).
    pub fn function_glue(&self, f: &Callable) -> String {
        format!("bindery_fn_{}", f.name.udl)
    }

    /// The bridge's `_fail` and `_unexpected` methods for one error type its
    /// interface throws: unsuffixed when it throws one type, else suffixed
    /// with the error's stem.
    pub fn bridge_error_fns(&self, id: CallbackId, error: ErrorId) -> (String, String) {
        if self.api.callback(id).thrown().len() <= 1 {
            return ("_fail".to_string(), "_unexpected".to_string());
        }
        let stem = self.error_stem(error);
        (format!("_fail_{stem}"), format!("_unexpected_{stem}"))
    }

    /// A configured Rust path as the glue spells it: absolute as written,
    /// else from the core crate's root.
    pub fn rust_path(&self, path: &str) -> String {
        if path.starts_with("::") {
            path.to_string()
        } else {
            format!("{}::{path}", self.krate)
        }
    }
}

/// UniFFI's Python spellings for an enum with fields, kept beside
/// bindery's: each variant class under its UPPER_SNAKE name as well
/// (`Shape.CIRCLE` is `Shape.Circle`) and an `is_<snake>()` test per
/// variant.
pub struct UniffiSpellings<'e> {
    /// `(alias, variant)`: the alias, and the variant's Python class name.
    pub aliases: Vec<(String, &'e str)>,
    /// `(method, variant)`: the test's name, and the variant's Rust name.
    pub tests: Vec<(String, &'e str)>,
}

/// A spelling that equals a variant's own name or another spelling is
/// left out, so no name of the enum changes meaning; flat enums already
/// spell members in UPPER_SNAKE and get none.
pub fn uniffi_spellings(e: &Enum) -> UniffiSpellings<'_> {
    let mut out = UniffiSpellings {
        aliases: Vec::new(),
        tests: Vec::new(),
    };
    if e.flat {
        return out;
    }
    // Variant classes inherit the tests, so field (and method) names are
    // taken too.
    let fields = e
        .variants
        .iter()
        .flat_map(|v| &v.fields)
        .map(|f| f.name.python.clone());
    let methods = e.methods.iter().map(|m| m.name.python.clone());
    let mut taken: Vec<String> = e
        .variants
        .iter()
        .map(|v| v.name.python.clone())
        .chain(fields)
        .chain(methods)
        .collect();
    // Each variant's tests: `is_circle()` and, as UniFFI >= 0.29 spells
    // it too, `is_CIRCLE()`.
    let tests = |v: &crate::model::EnumVariant| {
        let snake = format!("is_{}", names::snake_case(&v.name.udl).to_lowercase());
        let upper = format!("is_{}", names::upper_snake(&v.name.udl));
        if upper == snake {
            vec![snake]
        } else {
            vec![snake, upper]
        }
    };
    let mut wanted: Vec<String> = Vec::new();
    for v in &e.variants {
        wanted.push(names::upper_snake(&v.name.udl));
        wanted.extend(tests(v));
    }
    let unique = |name: &String| wanted.iter().filter(|w| *w == name).count() == 1;
    for v in &e.variants {
        let alias = names::upper_snake(&v.name.udl);
        if unique(&alias) && !taken.contains(&alias) {
            taken.push(alias.clone());
            out.aliases.push((alias, &v.name.python));
        }
        for test in tests(v) {
            if unique(&test) && !taken.contains(&test) {
                taken.push(test.clone());
                out.tests.push((test, &v.name.rust));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EnumVariant, Field, Name, Traits, Type};

    fn name(udl: &str) -> Name {
        Name {
            udl: udl.to_string(),
            python: udl.to_string(),
            rust: udl.to_string(),
        }
    }

    fn variant(udl: &str, fields: &[&str]) -> EnumVariant {
        EnumVariant {
            name: name(udl),
            value: 0,
            fields: (fields.iter())
                .map(|f| Field {
                    name: name(f),
                    ty: Type::U8,
                    docstring: None,
                    default: None,
                })
                .collect(),
            docstring: None,
        }
    }

    fn with_fields(variants: Vec<EnumVariant>) -> Enum {
        Enum {
            name: name("Shape"),
            docstring: None,
            traits: Traits::default(),
            flat: false,
            non_exhaustive: false,
            variants,
            methods: Vec::new(),
        }
    }

    #[test]
    fn repeated_stems_are_numbered_from_one() {
        let stems = ["a", "a", "a", "b"].map(String::from);
        assert_eq!(unique_stems(stems.into_iter()), ["a", "a_1", "a_2", "b"]);
    }

    #[test]
    fn isort_kinds_constants_classes_and_the_rest() {
        assert_eq!(isort_kind("ABC"), 0);
        assert_eq!(isort_kind("A1"), 0);
        // One capital letter alone is a class name, not a constant.
        assert_eq!(isort_kind("X"), 1);
        assert_eq!(isort_kind("Xy"), 1);
        assert_eq!(isort_kind("xy"), 2);
    }

    #[test]
    fn natural_order_compares_digit_runs_as_numbers() {
        use std::cmp::Ordering::{Equal, Greater, Less};
        assert_eq!(natural("a2", "a10"), Less);
        assert_eq!(natural("a10", "a2"), Greater);
        assert_eq!(natural("a010", "a10"), Equal);
        // A digit run against letters compares as text.
        assert_eq!(natural("10", "b"), Less);
        assert_eq!(natural("a", "a1"), Less);
    }

    #[test]
    fn uniffi_spellings_leave_out_a_taken_or_shared_spelling() {
        // `DOT` is a field's name: no alias, though no other variant wants it.
        let e = with_fields(vec![variant("Dot", &["DOT"]), variant("Line", &[])]);
        let spellings = uniffi_spellings(&e);
        assert_eq!(spellings.aliases, [("LINE".to_string(), "Line")]);
        // Both tests UniFFI's Python has: `is_dot()` and `is_DOT()`.
        let tests: Vec<&str> = spellings.tests.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(tests, ["is_dot", "is_DOT", "is_line", "is_LINE"]);
        // Two variants spelled `HTTP_CODE`: neither gets it.
        let e = with_fields(vec![variant("HTTPCode", &[]), variant("HttpCode", &[])]);
        let spellings = uniffi_spellings(&e);
        assert!(spellings.aliases.is_empty(), "{:?}", spellings.aliases);
        assert!(spellings.tests.is_empty(), "{:?}", spellings.tests);
    }
}
