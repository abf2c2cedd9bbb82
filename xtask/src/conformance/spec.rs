//! A random API: the model the conformance run generates, shrinks, and
//! renders as a UDL file, a binding config and a Rust core.
//!
//! Definitions only refer to earlier ones (no cycles), so any subset that
//! keeps the referenced definitions is again a valid API.

use super::rng::Rng;

/// A UDL type.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Bool,
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
    Str,
    Bytes,
    Timestamp,
    Duration,
    Opt(Box<Ty>),
    Seq(Box<Ty>),
    /// Keys are strings, integers or enums without fields.
    Map(Box<Ty>, Box<Ty>),
    Record(usize),
    Enum(usize),
    Object(usize),
    /// A callback interface only as a function's argument (`T` or `T?` at
    /// the top level); a `[Trait, WithForeign]` interface anywhere.
    Callback(usize),
    /// A `[Custom] typedef` over a scalar.
    Custom(usize),
}

impl Ty {
    /// A scalar's spelling in UDL and in Rust (`None` for the others).
    pub fn scalar(&self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Ty::Bool => ("boolean", "bool"),
            Ty::I8 => ("i8", "i8"),
            Ty::U8 => ("u8", "u8"),
            Ty::I16 => ("i16", "i16"),
            Ty::U16 => ("u16", "u16"),
            Ty::I32 => ("i32", "i32"),
            Ty::U32 => ("u32", "u32"),
            Ty::I64 => ("i64", "i64"),
            Ty::U64 => ("u64", "u64"),
            Ty::F32 => ("float", "f32"),
            Ty::F64 => ("double", "f64"),
            Ty::Str => ("string", "::std::string::String"),
            Ty::Bytes => ("bytes", "::std::vec::Vec<u8>"),
            Ty::Timestamp => ("timestamp", "::std::time::SystemTime"),
            Ty::Duration => ("duration", "::std::time::Duration"),
            _ => return None,
        })
    }

    const SCALARS: [Ty; 15] = [
        Ty::Bool,
        Ty::I8,
        Ty::U8,
        Ty::I16,
        Ty::U16,
        Ty::I32,
        Ty::U32,
        Ty::I64,
        Ty::U64,
        Ty::F32,
        Ty::F64,
        Ty::Str,
        Ty::Bytes,
        Ty::Timestamp,
        Ty::Duration,
    ];

    /// The type with definition `gone` removed, or `None` if it names it;
    /// later definitions of that kind move down by one.
    pub fn without(&self, gone: Ref) -> Option<Ty> {
        let shift = |i: usize, kind: MakeRef| -> Option<usize> {
            match gone {
                g if g == kind(i) => None,
                g if std::mem::discriminant(&g) == std::mem::discriminant(&kind(i))
                    && g.index() < i =>
                {
                    Some(i - 1)
                }
                _ => Some(i),
            }
        };
        Some(match self {
            Ty::Opt(t) => Ty::Opt(Box::new(t.without(gone)?)),
            Ty::Seq(t) => Ty::Seq(Box::new(t.without(gone)?)),
            Ty::Map(k, v) => Ty::Map(Box::new(k.without(gone)?), Box::new(v.without(gone)?)),
            Ty::Record(i) => Ty::Record(shift(*i, Ref::Record)?),
            Ty::Enum(i) => Ty::Enum(shift(*i, Ref::Enum)?),
            Ty::Object(i) => Ty::Object(shift(*i, Ref::Object)?),
            Ty::Callback(i) => Ty::Callback(shift(*i, Ref::Callback)?),
            Ty::Custom(i) => Ty::Custom(shift(*i, Ref::Custom)?),
            other => other.clone(),
        })
    }
}

/// A constructor of [`Ref`] (`Ref::Record`, ...).
type MakeRef = fn(usize) -> Ref;

/// A definition, by kind and index.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ref {
    Custom(usize),
    Record(usize),
    Enum(usize),
    Error(usize),
    Object(usize),
    Callback(usize),
}

impl Ref {
    fn index(self) -> usize {
        match self {
            Ref::Custom(i)
            | Ref::Record(i)
            | Ref::Enum(i)
            | Ref::Error(i)
            | Ref::Object(i)
            | Ref::Callback(i) => i,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub ty: Ty,
    /// `[ByRef]` (arguments only): the core borrows it.
    pub by_ref: bool,
    /// A UDL default literal (record fields; trailing arguments).
    pub default: Option<String>,
}

/// What a call throws: an error type, or an interface (`[Throws=Iface]`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Throw {
    Error(usize),
    Object(usize),
}

#[derive(Clone, Debug)]
pub struct Record {
    pub name: String,
    pub doc: Option<String>,
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug)]
pub struct Variant {
    pub name: String,
    pub fields: Vec<Field>,
}

/// An enum or an error: flat (`enum`) or with fields (`[Enum] interface`,
/// `[Error] interface`).
#[derive(Clone, Debug)]
pub struct Enum {
    pub name: String,
    pub doc: Option<String>,
    pub flat: bool,
    pub non_exhaustive: bool,
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub doc: Option<String>,
    pub args: Vec<Field>,
    pub returns: Option<Ty>,
    pub throws: Option<Throw>,
    pub is_async: bool,
    /// `[backend-only]`: built only in this backend (by its index in
    /// `Api::backends`).
    pub backend_only: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct Object {
    pub name: String,
    pub doc: Option<String>,
    pub constructor: Option<Vec<Field>>,
    /// The primary constructor is `[Async]` (Python: `await X.new(...)`).
    pub async_constructor: bool,
    pub methods: Vec<Function>,
}

/// A callback interface, or a `[Trait, WithForeign]` interface (`foreign`):
/// a trait Python implements, the latter also by Rust and held as a value.
#[derive(Clone, Debug)]
pub struct Callback {
    pub name: String,
    pub doc: Option<String>,
    pub foreign: bool,
    pub methods: Vec<Function>,
}

/// A `[Custom] typedef` of a scalar builtin or of an earlier custom type:
/// the core's newtype, which converts with `TryFrom<Builtin>` and
/// `From<Custom> for Builtin`.
#[derive(Clone, Debug)]
pub struct Custom {
    pub name: String,
    pub builtin: Ty,
}

/// One API: a namespace and its definitions.
#[derive(Clone, Debug)]
pub struct Api {
    pub namespace: String,
    pub customs: Vec<Custom>,
    pub functions: Vec<Function>,
    pub records: Vec<Record>,
    pub enums: Vec<Enum>,
    pub errors: Vec<Enum>,
    pub objects: Vec<Object>,
    pub callbacks: Vec<Callback>,
    /// `[backends.X]`: the backends (each a cargo feature of the core of
    /// its name), in the order of preference; none, or two.
    pub backends: Vec<String>,
}

/// Backend names (features of the core, suffixes of distributions and
/// packages).
const BACKENDS: &[&str] = &["memory", "sqlite", "remote", "local", "test_double", "v2"];

/// How big a generated API is.
#[derive(Clone, Copy)]
pub struct Size {
    /// Definitions of each kind, at most.
    pub items: usize,
    /// Members (fields, arguments, variants, methods) of each, at most.
    pub members: usize,
}

/// Words that names are made of: ordinary ones, and names that are
/// keywords or builtins in Python or Rust, or names the glue uses itself.
const WORDS: &[&str] = &[
    "box", "item", "entry", "value", "name", "id", "state", "config", "path", "count", "limit",
    "payload", "header", "session", "token", "record", "event", "listener", "error", "result",
    "data", "key", "index", "offset", "buffer", "client", "server", "request", "response", "info",
];

/// Argument, field and function names that are keywords or builtins in one
/// language or names the glue itself binds (each must still bind).
const AWKWARD: &[&str] = &[
    "type", "class", "from", "match", "async", "await", "in", "is", "loop", "ref", "mut", "fn",
    "impl", "struct", "move", "use", "where", "yield", "try", "gen", "print", "list", "str", "int",
    "len", "dict", "bytes", "py", "value", "result", "error", "future", "waker", "Ok", "Some",
    "None", "lambda", "pass", "def", "return", "global", "object", "self_", "cls", "args",
    "kwargs", "module", "m", "e", "v", "x",
];

/// Type-name words, CamelCase; acronyms give names that snake-case alike.
const TYPE_WORDS: &[&str] = &[
    "Box", "Item", "Entry", "State", "Config", "Path", "Session", "Token", "Event", "Http", "HTTP",
    "Url", "URL", "Json", "JSON", "Io", "IO", "Response", "Request", "Client", "Data", "Info",
    "Limit", "Key", "Error", "Result", "Option", "Vec", "String", "List", "Dict", "Type",
];

/// A name generator that never gives one name twice (UDL names are unique
/// per namespace; members unique per definition, which the caller asks).
pub struct Names<'a> {
    rng: &'a mut Rng,
    used: std::collections::BTreeSet<String>,
}

impl<'a> Names<'a> {
    pub fn new(rng: &'a mut Rng) -> Self {
        Names {
            rng,
            used: Default::default(),
        }
    }

    fn words(&mut self, words: &[&str], join: &str, lower: bool) -> String {
        // Mostly short; sometimes very long (rustfmt and line widths).
        let count = match self.rng.below(10) {
            0 => 6 + self.rng.below(8),
            1..=3 => 2 + self.rng.below(2),
            _ => 1,
        };
        let parts: Vec<String> = (0..count)
            .map(|_| {
                let w = *self.rng.pick(words);
                if lower {
                    w.to_lowercase()
                } else {
                    w.to_string()
                }
            })
            .collect();
        parts.join(join)
    }

    fn fresh(&mut self, make: impl Fn(&mut Self) -> String) -> String {
        loop {
            let name = make(self);
            // Unique across the namespace, also after Python's snake_case
            // and case-folding, except where a clash is what is wanted.
            if self.used.insert(name.clone()) {
                return name;
            }
        }
    }

    /// A CamelCase type name (`Error` alone is a WebIDL type).
    pub fn type_name(&mut self) -> String {
        self.fresh(|n| loop {
            let name = n.words(TYPE_WORDS, "", false);
            if name != "Error" {
                return name;
            }
        })
    }

    /// A snake_case function name, sometimes a keyword.
    pub fn function(&mut self) -> String {
        self.fresh(|n| {
            if n.rng.below(6) == 0 {
                (*n.rng.pick(AWKWARD)).to_string()
            } else {
                n.words(WORDS, "_", true)
            }
        })
    }

    /// Member names (fields, arguments, variants are `variant`), unique
    /// among themselves; not recorded namespace-wide.
    pub fn members(&mut self, count: usize, camel: bool) -> Vec<String> {
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        while out.len() < count {
            let name = if camel {
                self.words(TYPE_WORDS, "", false)
            } else if self.rng.below(4) == 0 {
                (*self.rng.pick(AWKWARD)).to_string()
            } else {
                self.words(WORDS, "_", true)
            };
            // Unique after escaping too (`lambda` and `lambda_` are one name).
            let key = name.trim_end_matches('_').to_lowercase();
            if seen.insert(key) {
                out.push(name);
            }
        }
        out
    }
}

/// A random docstring: none, one line, or several (with quotes and
/// backslashes, which every language must escape).
fn doc(rng: &mut Rng) -> Option<String> {
    match rng.below(6) {
        0 => Some("One line.".to_string()),
        1 => Some("Two lines, with \"quotes\" and a \\ backslash.\n\nAnd `code`.".to_string()),
        _ => None,
    }
}

/// Generates an API of `size` from `rng`.
pub fn generate(rng: &mut Rng, size: Size) -> Api {
    let mut api = Api {
        namespace: String::new(),
        customs: Vec::new(),
        functions: Vec::new(),
        records: Vec::new(),
        enums: Vec::new(),
        errors: Vec::new(),
        objects: Vec::new(),
        callbacks: Vec::new(),
        backends: Vec::new(),
    };
    let mut fork = rng.fork();
    let mut names = Names::new(&mut fork);
    api.namespace = names.fresh(|n| n.words(WORDS, "_", true));
    let counts: Vec<usize> = (0..6).map(|_| rng.below(size.items + 1)).collect();
    for _ in 0..rng.below(3) {
        let name = names.type_name();
        // Sometimes over an earlier custom type (UniFFI takes that).
        let builtin = match rng.below(4) {
            0 if !api.customs.is_empty() => Ty::Custom(rng.below(api.customs.len())),
            _ => rng
                .pick(&[Ty::Str, Ty::U32, Ty::I64, Ty::F64, Ty::Bool])
                .clone(),
        };
        api.customs.push(Custom { name, builtin });
    }
    for _ in 0..counts[0] {
        let e = enumeration(rng, &mut names, &api, size, false);
        api.enums.push(e);
    }
    // Some traits before the records (which may then hold one), the rest
    // after the objects (whose errors their methods may throw).
    let early = rng.below(counts[4] + 1);
    for _ in 0..early {
        callback(rng, &mut names, &mut api, size);
    }
    for _ in 0..counts[1] {
        let name = names.type_name();
        // One in eight has no fields (`dictionary Empty {};` is legal).
        let k = match rng.below(8) {
            0 => 0,
            _ => 1 + rng.below(size.members),
        };
        let mut fields = fields(rng, &mut names, &api, k, false);
        defaults(rng, &api, &mut fields, false);
        api.records.push(Record {
            name,
            doc: doc(rng),
            fields,
        });
    }
    for _ in 0..counts[2] {
        let e = enumeration(rng, &mut names, &api, size, true);
        api.errors.push(e);
    }
    for _ in 0..counts[3] {
        let name = names.type_name();
        let constructor = (rng.below(3) > 0).then(|| {
            let k = rng.below(size.members);
            let mut args = fields(rng, &mut names, &api, k, false);
            defaults(rng, &api, &mut args, true);
            args
        });
        let async_constructor = constructor.is_some() && rng.below(6) == 0;
        let methods = (0..rng.below(size.members + 1))
            .map(|_| function(rng, &mut names, &api, size, false))
            .collect();
        api.objects.push(Object {
            name,
            doc: doc(rng),
            constructor,
            async_constructor,
            methods,
        });
    }
    for _ in early..counts[4] {
        callback(rng, &mut names, &mut api, size);
    }
    for _ in 0..counts[5].max(1) {
        let f = function(rng, &mut names, &api, size, false);
        api.functions.push(f);
    }
    if rng.below(5) == 0 {
        backends(rng, &mut api);
    }
    api
}

/// Makes `api` one of two backends, with some functions and methods only
/// one of them implements.
fn backends(rng: &mut Rng, api: &mut Api) {
    let first = rng.below(BACKENDS.len());
    let second = (first + 1 + rng.below(BACKENDS.len() - 1)) % BACKENDS.len();
    api.backends = vec![BACKENDS[first].to_string(), BACKENDS[second].to_string()];
    let calls =
        (api.functions.iter_mut()).chain(api.objects.iter_mut().flat_map(|o| &mut o.methods));
    for f in calls {
        if rng.below(4) == 0 {
            f.backend_only = Some(rng.below(2));
        }
    }
}

/// A callback interface or `[Trait, WithForeign]` interface over the
/// definitions so far.
fn callback(rng: &mut Rng, names: &mut Names, api: &mut Api, size: Size) {
    let name = names.type_name();
    let foreign = rng.below(2) == 0;
    let methods = (0..1 + rng.below(size.members))
        .map(|_| function(rng, names, api, size, true))
        .collect();
    api.callbacks.push(Callback {
        name,
        doc: doc(rng),
        foreign,
        methods,
    });
}

fn enumeration(rng: &mut Rng, names: &mut Names, api: &Api, size: Size, error: bool) -> Enum {
    let name = names.type_name();
    let flat = rng.below(2) == 0;
    let count = 1 + rng.below(size.members);
    let variants = names
        .members(count, true)
        .into_iter()
        .map(|name| Variant {
            name,
            fields: if flat {
                Vec::new()
            } else {
                let k = rng.below(size.members);
                fields(rng, names, api, k, false)
            },
        })
        .collect();
    // UDL takes `[NonExhaustive]` on a flat `enum` only.
    let non_exhaustive = flat && !error && rng.below(4) == 0;
    Enum {
        name,
        doc: doc(rng),
        flat,
        non_exhaustive,
        variants,
    }
}

fn fields(rng: &mut Rng, names: &mut Names, api: &Api, count: usize, args: bool) -> Vec<Field> {
    names
        .members(count, false)
        .into_iter()
        .map(|name| Field {
            name,
            ty: ty(rng, api, 2, args),
            by_ref: false,
            default: None,
        })
        .collect()
}

/// Gives some of `fields` defaults: any of them (`trailing == false`,
/// record fields), or a run at the end (arguments: Python needs defaulted
/// arguments last, B040 otherwise).
fn defaults(rng: &mut Rng, api: &Api, fields: &mut [Field], trailing: bool) {
    for f in fields.iter_mut().rev() {
        let literal = (rng.below(3) == 0)
            .then(|| default(rng, api, &f.ty))
            .flatten();
        if literal.is_none() && trailing {
            return;
        }
        f.default = literal;
    }
}

/// A UDL default literal of `t`, if UDL has one: boundary integers, floats
/// spelled as floats (UniFFI refuses `0` for a float), strings with quotes
/// and backslashes, `null`, `[]`, `{}`, a flat enum's variant.
fn default(rng: &mut Rng, api: &Api, t: &Ty) -> Option<String> {
    let literal = |choices: &[&str], rng: &mut Rng| (*rng.pick(choices)).to_string();
    Some(match t {
        Ty::Bool => literal(&["true", "false"], rng),
        Ty::I8 => literal(&["-128", "127", "0"], rng),
        Ty::U8 => literal(&["255", "0"], rng),
        Ty::I16 => literal(&["-32768", "32767"], rng),
        Ty::U16 => literal(&["65535", "1"], rng),
        Ty::I32 => literal(&["-2147483648", "2147483647", "-1"], rng),
        Ty::U32 => literal(&["4294967295", "42"], rng),
        Ty::I64 => literal(&["-9223372036854775808", "9223372036854775807"], rng),
        Ty::U64 => literal(&["18446744073709551615", "0"], rng),
        Ty::F32 | Ty::F64 => literal(&["0.0", "-0.25", "1.5e10", "3.0"], rng),
        Ty::Str => literal(&["\"\"", "\"it's a \\ backslash\"", "\"caf\u{e9}\""], rng),
        Ty::Opt(inner) => match rng.below(3) {
            0 if inner.scalar().is_some() => default(rng, api, inner)?,
            _ => "null".to_string(),
        },
        Ty::Seq(_) => "[]".to_string(),
        Ty::Map(..) => "{}".to_string(),
        Ty::Enum(i) if api.enums[*i].flat => {
            let variants = &api.enums[*i].variants;
            format!("\"{}\"", variants[rng.below(variants.len())].name)
        }
        _ => return None,
    })
}

fn function(rng: &mut Rng, names: &mut Names, api: &Api, size: Size, callback: bool) -> Function {
    let name = names.function();
    let k = rng.below(size.members + 1);
    // A callback method's arguments are plain values.
    let mut args = fields(rng, names, api, k, !callback);
    let is_async = rng.below(6) == 0;
    // `[ByRef]` on plain values of synchronous calls.
    for a in &mut args {
        let lendable = !matches!(a.ty, Ty::Callback(_) | Ty::Object(_) | Ty::Opt(_));
        a.by_ref = lendable && !is_async && rng.below(5) == 0;
    }
    // Callback methods take no defaults (refused, B040).
    if !callback {
        defaults(rng, api, &mut args, true);
    }
    // Often an argument's type, so that the core's echo is checkable.
    let echoable: Vec<&Field> = (args.iter())
        .filter(|a| !api.is_listener_arg(&a.ty))
        .collect();
    let returns = match rng.below(6) {
        0 | 1 if !callback && !echoable.is_empty() => {
            Some(echoable[rng.below(echoable.len())].ty.clone())
        }
        0..=3 => Some(ty(rng, api, 2, false)),
        _ => None,
    };
    // A callback method may throw any error type: the config names the
    // variant unexpected failures become where one fits (all fields
    // strings, `udl::listeners_config`); without one they panic.
    let throws = match rng.below(6) {
        0 if callback && !api.errors.is_empty() => Some(Throw::Error(rng.below(api.errors.len()))),
        _ if callback => None,
        0 | 1 if !api.errors.is_empty() => Some(Throw::Error(rng.below(api.errors.len()))),
        2 if !api.objects.is_empty() => Some(Throw::Object(rng.below(api.objects.len()))),
        _ => None,
    };
    Function {
        name,
        doc: doc(rng),
        args,
        returns,
        throws,
        is_async,
        backend_only: None,
    }
}

/// The first variant of `error` whose fields are all strings: what a
/// callback method's unexpected failure becomes.
pub fn unexpected_variant(error: &Enum) -> Option<&Variant> {
    error
        .variants
        .iter()
        .find(|v| v.fields.iter().all(|f| f.ty == Ty::Str))
}

/// A random type over the definitions so far; `arg`: a callback interface
/// may be the whole type (or an optional of it).
fn ty(rng: &mut Rng, api: &Api, depth: usize, arg: bool) -> Ty {
    let roll = rng.below(20);
    match roll {
        0..=8 => rng.pick(&Ty::SCALARS).clone(),
        // `T??` is not UDL.
        9 | 10 if depth > 0 => match ty(rng, api, depth - 1, false) {
            Ty::Opt(inner) => Ty::Opt(inner),
            inner => Ty::Opt(Box::new(inner)),
        },
        // Not `sequence<u8>`: it reaches Python as `bytes`, not the `list`
        // its stub states (an open defect, docs/uniffi-compat.md).
        11 | 12 if depth > 0 => match ty(rng, api, depth - 1, false) {
            Ty::U8 => Ty::Seq(Box::new(Ty::U16)),
            inner => Ty::Seq(Box::new(inner)),
        },
        13 if depth > 0 => {
            // Strings, integers, or an enum without fields.
            let flat: Vec<usize> = (0..api.enums.len())
                .filter(|&i| api.enums[i].flat)
                .collect();
            let key = match rng.below(4) {
                0 if !flat.is_empty() => Ty::Enum(flat[rng.below(flat.len())]),
                _ => rng.pick(&[Ty::Str, Ty::U32, Ty::I64]).clone(),
            };
            Ty::Map(Box::new(key), Box::new(ty(rng, api, depth - 1, false)))
        }
        14 if !api.customs.is_empty() => Ty::Custom(rng.below(api.customs.len())),
        14 | 15 if !api.records.is_empty() => Ty::Record(rng.below(api.records.len())),
        16 | 17 if !api.enums.is_empty() => Ty::Enum(rng.below(api.enums.len())),
        18 if !api.objects.is_empty() => Ty::Object(rng.below(api.objects.len())),
        19 if !api.callbacks.is_empty() => {
            let i = rng.below(api.callbacks.len());
            if api.callbacks[i].foreign {
                // A value like any other.
                Ty::Callback(i)
            } else if !arg {
                Ty::Str
            } else if rng.below(2) == 0 {
                Ty::Callback(i)
            } else {
                Ty::Opt(Box::new(Ty::Callback(i)))
            }
        }
        _ => Ty::Str,
    }
}

impl Api {
    /// Whether `t` is a callback interface argument (`T` or `T?`): a
    /// listener, which is no value the core can hand back.
    pub fn is_listener_arg(&self, t: &Ty) -> bool {
        match t {
            Ty::Opt(inner) => self.is_listener_arg(inner),
            Ty::Callback(i) => !self.callbacks[*i].foreign,
            _ => false,
        }
    }

    /// The API without definition `gone`: every member whose type names it
    /// goes too, and later definitions of its kind move down.
    pub fn without(&self, gone: Ref) -> Api {
        fn keep(fields: &[Field], gone: Ref) -> Vec<Field> {
            fields
                .iter()
                .filter_map(|f| {
                    Some(Field {
                        ty: f.ty.without(gone)?,
                        ..f.clone()
                    })
                })
                .collect()
        }
        let function = |f: &Function| -> Function {
            let throws = match (f.throws, gone) {
                (Some(Throw::Error(e)), Ref::Error(g)) if e == g => None,
                (Some(Throw::Error(e)), Ref::Error(g)) if e > g => Some(Throw::Error(e - 1)),
                (Some(Throw::Object(o)), Ref::Object(g)) if o == g => None,
                (Some(Throw::Object(o)), Ref::Object(g)) if o > g => Some(Throw::Object(o - 1)),
                (t, _) => t,
            };
            Function {
                name: f.name.clone(),
                doc: f.doc.clone(),
                args: keep(&f.args, gone),
                returns: f.returns.as_ref().and_then(|t| t.without(gone)),
                throws,
                is_async: f.is_async,
                backend_only: f.backend_only,
            }
        };
        let enumeration = |e: &Enum| Enum {
            variants: e
                .variants
                .iter()
                .map(|v| Variant {
                    name: v.name.clone(),
                    fields: keep(&v.fields, gone),
                })
                .collect(),
            ..e.clone()
        };
        fn kept<T>(items: &[T], kind: MakeRef, gone: Ref) -> impl Iterator<Item = &T> {
            (items.iter().enumerate())
                .filter(move |(i, _)| kind(*i) != gone)
                .map(|(_, t)| t)
        }
        Api {
            namespace: self.namespace.clone(),
            // A custom type over the one removed crosses as a string instead.
            customs: kept(&self.customs, Ref::Custom, gone)
                .map(|c| Custom {
                    builtin: c.builtin.without(gone).unwrap_or(Ty::Str),
                    ..c.clone()
                })
                .collect(),
            functions: self.functions.iter().map(function).collect(),
            records: kept(&self.records, Ref::Record, gone)
                .map(|r| Record {
                    fields: keep(&r.fields, gone),
                    ..r.clone()
                })
                .collect(),
            enums: kept(&self.enums, Ref::Enum, gone)
                .map(&enumeration)
                .collect(),
            errors: kept(&self.errors, Ref::Error, gone)
                .map(&enumeration)
                .collect(),
            objects: kept(&self.objects, Ref::Object, gone)
                .map(|o| Object {
                    constructor: o.constructor.as_ref().map(|c| keep(c, gone)),
                    methods: o.methods.iter().map(function).collect(),
                    ..o.clone()
                })
                .collect(),
            callbacks: kept(&self.callbacks, Ref::Callback, gone)
                .map(|c| Callback {
                    methods: c.methods.iter().map(function).collect(),
                    ..c.clone()
                })
                .collect(),
            backends: self.backends.clone(),
        }
    }

    /// Smaller APIs, for shrinking: each without one definition, one member,
    /// or one docstring, largest steps first.
    pub fn smaller(&self) -> Vec<Api> {
        let mut out = Vec::new();
        let kinds: [(usize, MakeRef); 6] = [
            (self.customs.len(), Ref::Custom),
            (self.records.len(), Ref::Record),
            (self.enums.len(), Ref::Enum),
            (self.errors.len(), Ref::Error),
            (self.objects.len(), Ref::Object),
            (self.callbacks.len(), Ref::Callback),
        ];
        for (count, kind) in kinds {
            out.extend((0..count).map(|i| self.without(kind(i))));
        }
        let mut edit = |change: &dyn Fn(&mut Api) -> bool| {
            let mut api = self.clone();
            if change(&mut api) {
                out.push(api);
            }
        };
        for i in 0..self.functions.len() {
            edit(&|a| {
                a.functions.len() > 1 && {
                    a.functions.remove(i);
                    true
                }
            });
        }
        for i in 0..self.objects.len() {
            for j in 0..self.objects[i].methods.len() {
                edit(&|a| {
                    a.objects[i].methods.remove(j);
                    true
                });
            }
            edit(&|a| a.objects[i].constructor.take().is_some());
        }
        for i in 0..self.callbacks.len() {
            for j in 0..self.callbacks[i].methods.len() {
                edit(&|a| {
                    a.callbacks[i].methods.len() > 1 && {
                        a.callbacks[i].methods.remove(j);
                        true
                    }
                });
            }
        }
        // Members: arguments, fields, variants.
        let members = self.member_lists();
        for (list, len) in members.into_iter().enumerate() {
            for k in 0..len {
                edit(&|a| a.remove_member(list, k));
            }
        }
        edit(&|a| a.strip_docs());
        edit(&|a| a.strip_defaults());
        edit(&|a| a.strip_backends());
        out
    }

    /// Calls `visit` with every list of members (arguments, fields,
    /// variants) in one order, and the fewest it may keep.
    fn walk_members(&mut self, visit: &mut dyn FnMut(Members<'_>)) {
        for f in &mut self.functions {
            visit(Members::Fields(&mut f.args, 0));
        }
        for o in &mut self.objects {
            for m in &mut o.methods {
                visit(Members::Fields(&mut m.args, 0));
            }
            if let Some(c) = &mut o.constructor {
                visit(Members::Fields(c, 0));
            }
        }
        for c in &mut self.callbacks {
            for m in &mut c.methods {
                visit(Members::Fields(&mut m.args, 0));
            }
        }
        for r in &mut self.records {
            visit(Members::Fields(&mut r.fields, 0));
        }
        for e in self.enums.iter_mut().chain(&mut self.errors) {
            visit(Members::Variants(&mut e.variants));
            for v in &mut e.variants {
                visit(Members::Fields(&mut v.fields, 0));
            }
        }
    }

    /// The length of every member list, in `walk_members` order.
    fn member_lists(&self) -> Vec<usize> {
        let mut lens = Vec::new();
        self.clone().walk_members(&mut |m| {
            lens.push(match m {
                Members::Fields(f, _) => f.len(),
                Members::Variants(v) => v.len(),
            })
        });
        lens
    }

    /// Removes member `k` of list `list` (in `walk_members` order), unless
    /// the list would then be too short; whether it did.
    fn remove_member(&mut self, list: usize, k: usize) -> bool {
        let mut position = 0;
        let mut removed = false;
        self.walk_members(&mut |m| {
            if position == list {
                removed = match m {
                    Members::Fields(f, min) if f.len() > min.max(k) => {
                        f.remove(k);
                        true
                    }
                    Members::Variants(v) if v.len() > 1.max(k) => {
                        v.remove(k);
                        true
                    }
                    _ => false,
                };
            }
            position += 1;
        });
        removed
    }

    fn strip_defaults(&mut self) -> bool {
        let mut any = false;
        self.walk_members(&mut |m| {
            if let Members::Fields(fields, _) = m {
                for f in fields {
                    any |= f.default.take().is_some();
                }
            }
        });
        any
    }

    /// One backend, no backend-only calls.
    pub fn strip_backends(&mut self) -> bool {
        let calls =
            (self.functions.iter_mut()).chain(self.objects.iter_mut().flat_map(|o| &mut o.methods));
        calls.for_each(|f| f.backend_only = None);
        !std::mem::take(&mut self.backends).is_empty()
    }

    fn strip_docs(&mut self) -> bool {
        let mut any = false;
        let mut strip = |d: &mut Option<String>| any |= d.take().is_some();
        self.functions.iter_mut().for_each(|f| strip(&mut f.doc));
        self.records.iter_mut().for_each(|r| strip(&mut r.doc));
        self.enums
            .iter_mut()
            .chain(&mut self.errors)
            .for_each(|e| strip(&mut e.doc));
        for c in &mut self.callbacks {
            strip(&mut c.doc);
            c.methods.iter_mut().for_each(|m| strip(&mut m.doc));
        }
        for o in &mut self.objects {
            strip(&mut o.doc);
            o.methods.iter_mut().for_each(|m| strip(&mut m.doc));
        }
        any
    }
}

/// One list of members, for shrinking: fields or arguments (and the fewest
/// the list may keep), or an enum's variants (at least one).
enum Members<'a> {
    Fields(&'a mut Vec<Field>, usize),
    Variants(&'a mut Vec<Variant>),
}
