//! bindery's own model of an API, produced by `lower` and consumed by
//! `render`. Every name in it is validated; nothing from `uniffi_meta` leaks
//! past this point.

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
    /// An interface object, by its UDL name.
    Object(String),
}

impl Type {
    /// Whether an interface object appears anywhere in the type.
    pub fn contains_object(&self) -> bool {
        match self {
            Type::Object(_) => true,
            Type::Optional(inner) | Type::Sequence(inner) => inner.contains_object(),
            Type::Map(k, v) => k.contains_object() || v.contains_object(),
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
    /// Cargo name of the core crate.
    pub crate_name: String,
    /// The core crate as a Rust path root (`::boxkit`).
    pub crate_ident: String,
    /// Path of the core crate relative to the generated crate.
    pub crate_path: String,
    /// File name of the UDL, for the "generated from" header.
    pub udl_file: String,
    pub errors: Vec<ErrorType>,
    pub objects: Vec<Object>,
    pub functions: Vec<Callable>,
}

#[derive(Debug, Clone)]
pub struct ErrorType {
    pub name: Name,
    /// Python base class name.
    pub base: String,
    /// Flat errors (`[Error] enum`) carry no fields in the UDL.
    pub flat: bool,
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
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: Name,
    pub ty: Type,
    pub docstring: Option<String>,
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
    /// The UDL name of the error type it throws.
    pub throws: Option<String>,
    /// Methods declared `[Self=ByArc]` take `self: Arc<Self>` in Rust.
    pub self_by_arc: bool,
    pub docstring: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Object {
    pub name: Name,
    pub docstring: Option<String>,
    /// The primary constructor (`constructor(...)`), if any.
    pub constructor: Option<Callable>,
    /// Named constructors (`[Name=...] constructor(...)`), as classmethods.
    pub named_constructors: Vec<Callable>,
    pub methods: Vec<Callable>,
}

impl Api {
    /// Every function, constructor and method.
    pub fn callables(&self) -> impl Iterator<Item = &Callable> {
        let members = self.objects.iter().flat_map(|o| {
            o.constructor
                .iter()
                .chain(&o.named_constructors)
                .chain(&o.methods)
        });
        self.functions.iter().chain(members)
    }

    pub fn error(&self, udl_name: &str) -> Option<&ErrorType> {
        self.errors.iter().find(|e| e.name.udl == udl_name)
    }
}
