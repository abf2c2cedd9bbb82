//! How each model type is spelled and converted in the generated code.

use std::collections::BTreeMap;

use crate::model::{Api, Literal, Type};

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
];

/// How annotations spell builtin types: plainly, or as `builtins.str` when
/// the API defines a name (a function `str`, a record `list`) that shadows one.
#[derive(Debug, Clone, Copy)]
pub struct Spelling {
    pub qualify: bool,
    /// Whether the API's own classes are spelled `_api.Name`: when a member
    /// (a field `Result` of a record `Result`) would shadow a class inside a
    /// class body. The files that annotate import the native module as `_api`.
    pub qualify_types: bool,
}

impl Spelling {
    /// Qualified when any Python name of the API (a module-level name, or a
    /// member, which shadows builtins inside its class body) is one of them.
    pub fn of(api: &Api) -> Self {
        let qualify = api.python_names().any(|n| BUILTIN_TYPES.contains(&n));
        let classes: Vec<&str> = api.type_names().map(|n| n.python.as_str()).collect();
        let members = api.python_names().filter(|n| classes.contains(n)).count();
        // Each class name is found once as itself; more means a member shares it.
        let qualify_types = members > classes.len();
        Spelling {
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

/// The Python annotation of a type.
pub fn python(ty: &Type, s: Spelling) -> String {
    match ty {
        Type::Bool => s.builtin("bool"),
        Type::I8 | Type::I16 | Type::I32 | Type::I64 => s.builtin("int"),
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => s.builtin("int"),
        Type::F32 | Type::F64 => s.builtin("float"),
        Type::String => s.builtin("str"),
        Type::Bytes => s.builtin("bytes"),
        Type::Timestamp => "_datetime.datetime".into(),
        Type::Duration => "_datetime.timedelta".into(),
        Type::Optional(inner) => format!("{} | None", python(inner, s)),
        Type::Sequence(inner) => format!("{}[{}]", s.builtin("list"), python(inner, s)),
        Type::Map(k, v) => format!("{}[{}, {}]", s.builtin("dict"), python(k, s), python(v, s)),
        Type::Object(name) | Type::Record(name) | Type::Enum(name) => {
            s.class(&crate::names::python_name(name))
        }
        // A subclass of the base class (partial listeners), or any object with
        // every method (the Protocol); see `listeners.py`.
        Type::Callback(name) => format!("_listeners.{name} | _listeners.{name}Protocol"),
    }
}

/// Whether a Python annotation of this type needs `import datetime`.
pub fn uses_datetime(ty: &Type) -> bool {
    match ty {
        Type::Timestamp | Type::Duration => true,
        Type::Optional(inner) | Type::Sequence(inner) => uses_datetime(inner),
        Type::Map(k, v) => uses_datetime(k) || uses_datetime(v),
        _ => false,
    }
}

/// How the glue names the types it defines and the core's.
pub struct Paths<'a> {
    pub api: &'a Api,
    /// How annotations spell builtin types, decided once per API.
    pub spelling: Spelling,
    /// `::crate_ident`
    pub krate: String,
    /// UDL name -> the core's Rust name of every object, record and enum.
    rust_names: BTreeMap<&'a str, &'a str>,
}

impl<'a> Paths<'a> {
    pub fn new(api: &'a Api) -> Self {
        let rust_names = api
            .type_names()
            .map(|n| (n.udl.as_str(), n.rust.as_str()))
            .collect();
        Paths {
            api,
            spelling: Spelling::of(api),
            krate: format!("::{}", api.crate_ident),
            rust_names,
        }
    }

    /// The glue's Rust name of an object, record or enum.
    pub fn glue(&self, udl: &str) -> String {
        crate::names::glue_type(udl)
    }

    /// The core's path of an object, record, enum or callback interface.
    pub fn core(&self, udl: &str) -> String {
        let rust = self.rust_names.get(udl).copied();
        let rust = rust.map_or_else(
            || crate::names::rust_name(udl).unwrap_or_default(),
            str::to_string,
        );
        format!("{}::{rust}", self.krate)
    }

    /// Whether values of the type are `Copy` in the glue.
    pub fn is_copy(&self, ty: &Type) -> bool {
        match ty {
            t if t.is_integer() => true,
            Type::Bool | Type::F32 | Type::F64 | Type::Timestamp | Type::Duration => true,
            Type::Enum(name) => self.api.enums.iter().any(|e| &e.name.udl == name && e.flat),
            Type::Optional(inner) => self.is_copy(inner),
            _ => false,
        }
    }
}

/// The Rust type the glue exchanges with Python: the core's own type, or the
/// glue's class for objects, records and enums.
pub fn rust(ty: &Type, paths: &Paths<'_>) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::I8 => "i8".into(),
        Type::I16 => "i16".into(),
        Type::I32 => "i32".into(),
        Type::I64 => "i64".into(),
        Type::U8 => "u8".into(),
        Type::U16 => "u16".into(),
        Type::U32 => "u32".into(),
        Type::U64 => "u64".into(),
        Type::F32 => "f32".into(),
        Type::F64 => "f64".into(),
        Type::String => "String".into(),
        Type::Bytes => "Vec<u8>".into(),
        Type::Timestamp => "::std::time::SystemTime".into(),
        Type::Duration => "::std::time::Duration".into(),
        Type::Optional(inner) => format!("Option<{}>", rust(inner, paths)),
        Type::Sequence(inner) => format!("Vec<{}>", rust(inner, paths)),
        Type::Map(k, v) => {
            format!(
                "::std::collections::HashMap<{}, {}>",
                rust(k, paths),
                rust(v, paths)
            )
        }
        Type::Object(name) | Type::Record(name) | Type::Enum(name) => paths.glue(name),
        Type::Callback(_) => "::pyo3::Bound<'_, ::pyo3::PyAny>".into(),
    }
}

/// Maps `expr` through containers with `leaf`; `None` when nothing changes.
fn convert(ty: &Type, expr: &str, leaf: &dyn Fn(&str, &str) -> String) -> Option<String> {
    // `map(|v| X::from(v))` is written `map(X::from)` (clippy: redundant_closure).
    let element = |inner: &Type| {
        let converted = convert(inner, "v", leaf).unwrap_or_else(|| "v".into());
        match converted.strip_suffix("::from(v)") {
            Some(path) if !path.contains(['(', ' ']) => format!("{path}::from"),
            _ => format!("|v| {converted}"),
        }
    };
    if !ty.needs_conversion() {
        return None;
    }
    Some(match ty {
        Type::Object(name) | Type::Record(name) | Type::Enum(name) | Type::Callback(name) => {
            leaf(name, expr)
        }
        Type::Optional(inner) => format!("{expr}.map({})", element(inner)),
        // Helpers in the glue keep nested conversions short enough for one line.
        Type::Sequence(inner) => format!("bindery_vec({expr}, {})", element(inner)),
        Type::Map(_, v) => format!("bindery_map({expr}, {})", element(v)),
        _ => expr.to_string(),
    })
}

/// Converts `expr`, extracted from Python, into the value the core expects;
/// `None` when it is already that value.
pub fn lower(ty: &Type, expr: &str, paths: &Paths<'_>) -> Option<String> {
    // A listener is checked and wrapped at registration; `?` reports a bad one.
    match ty {
        Type::Callback(name) => return Some(format!("{}::_boxed(&{expr})?", bridge_name(name))),
        Type::Optional(inner) => {
            if let Type::Callback(name) = inner.as_ref() {
                return Some(format!(
                    "{expr}.as_ref().map({}::_boxed).transpose()?",
                    bridge_name(name)
                ));
            }
        }
        _ => {}
    }
    convert(ty, expr, &|name, e| match ty_kind(paths, name) {
        Kind::Object => format!("{e}._inner"),
        Kind::Other => format!("{}::from({e})", paths.core(name)),
    })
}

/// Converts `expr`, a value from the core, into what the glue returns to
/// Python; `None` when it can be returned as it is.
pub fn lift(ty: &Type, expr: &str, paths: &Paths<'_>) -> Option<String> {
    convert(ty, expr, &|name, e| match ty_kind(paths, name) {
        Kind::Object => format!("{} {{ _inner: {e} }}", paths.glue(name)),
        Kind::Other => format!("{}::from({e})", paths.glue(name)),
    })
}

enum Kind {
    Object,
    Other,
}

fn ty_kind(paths: &Paths<'_>, name: &str) -> Kind {
    if paths.api.objects.iter().any(|o| o.name.udl == name) {
        Kind::Object
    } else {
        Kind::Other
    }
}

/// The glue type that implements a callback trait for a Python object.
pub fn bridge_name(callback: &str) -> String {
    crate::names::glue_type(callback)
}

/// A sample value of a type, as a Rust expression and the equal Python literal.
pub fn sample(ty: &Type, label: &str) -> (String, String) {
    match ty {
        Type::Bool => ("true".into(), "True".into()),
        Type::I8 => ("i8::MIN".into(), "-128".into()),
        Type::I16 => ("-16".into(), "-16".into()),
        Type::I32 => ("-32".into(), "-32".into()),
        Type::I64 => ("i64::MIN".into(), "-9223372036854775808".into()),
        Type::U8 => ("u8::MAX".into(), "255".into()),
        Type::U16 => ("16".into(), "16".into()),
        Type::U32 => ("32".into(), "32".into()),
        Type::U64 => ("u64::MAX".into(), "18446744073709551615".into()),
        Type::F32 => ("1.5".into(), "1.5".into()),
        Type::F64 => ("2.25".into(), "2.25".into()),
        Type::String => {
            let text = format!("sample {label}");
            (format!("{}.to_string()", rust_str(&text)), py_str(&text))
        }
        Type::Bytes => ("vec![0, 1, 255]".into(), "b\"\\x00\\x01\\xff\"".into()),
        Type::Timestamp => (
            "::std::time::SystemTime::UNIX_EPOCH + ::std::time::Duration::from_secs(1_700_000_000)"
                .into(),
            "_datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=_datetime.UTC)".into(),
        ),
        Type::Duration => (
            "::std::time::Duration::from_millis(1500)".into(),
            "_datetime.timedelta(milliseconds=1500)".into(),
        ),
        Type::Optional(inner) => {
            let (r, p) = sample(inner, label);
            (format!("Some({r})"), p)
        }
        Type::Sequence(inner) => {
            let (r, p) = sample(inner, label);
            (format!("vec![{r}]"), format!("[{p}]"))
        }
        Type::Map(k, v) => {
            let (rk, pk) = sample(k, "key");
            let (rv, pv) = sample(v, label);
            (
                format!("::std::collections::HashMap::from([({rk}, {rv})])"),
                format!("{{{pk}: {pv}}}"),
            )
        }
        // `lower` rejects error fields that need conversion, so no sample is needed.
        Type::Object(_) | Type::Record(_) | Type::Enum(_) | Type::Callback(_) => {
            ("unreachable!()".into(), "None".into())
        }
    }
}

/// A Rust string literal.
pub fn rust_str(text: &str) -> String {
    format!("{text:?}")
}

/// A Python string literal (double quotes, escapes for anything unusual).
pub fn py_str(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Python docstring literal, indented for a body at `indent`.
pub fn py_docstring(text: &str, indent: &str) -> String {
    let mut body = String::new();
    for c in text.trim().chars() {
        match c {
            '\\' => body.push_str("\\\\"),
            '"' => body.push_str("\\\""),
            '\r' => {}
            '\t' => body.push_str("    "),
            c if (c as u32) < 0x20 && c != '\n' => body.push_str(&format!("\\x{:02x}", c as u32)),
            c => body.push(c),
        }
    }
    let lines: Vec<&str> = body.lines().collect();
    if lines.len() <= 1 {
        return format!("\"\"\"{body}\"\"\"");
    }
    let mut out = String::from("\"\"\"");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.trim().is_empty() {
                out.push_str(indent);
            }
        }
        out.push_str(line.trim_end());
    }
    out.push('\n');
    out.push_str(indent);
    out.push_str("\"\"\"");
    out
}

/// Rust doc-comment lines for a docstring.
pub fn rust_doc(text: Option<&str>) -> Vec<String> {
    // A lone carriage return ends a line too: rustc rejects it inside a comment.
    text.map(|t| {
        t.replace("\r\n", "\n")
            .replace('\r', "\n")
            .trim()
            .lines()
            .map(|l| {
                let l = l.trim_end();
                if l.is_empty() {
                    "///".to_string()
                } else {
                    format!("/// {l}")
                }
            })
            .collect()
    })
    .unwrap_or_default()
}

/// A default value: what the stub shows, and the Rust expression of `ty`.
///
/// PyO3 writes a default into `__text_signature__` only when the Rust
/// expression is a bare literal or `None`; otherwise it writes `...`, and so
/// must the stub (stubtest compares them).
pub fn default(literal: &Literal, ty: &Type, paths: &Paths<'_>) -> (String, String) {
    let optional = matches!(ty, Type::Optional(_));
    let wrap = |value: String| {
        if optional {
            format!("Some({value})")
        } else {
            value
        }
    };
    let (python, rust) = match literal {
        Literal::None => return ("None".into(), "None".into()),
        Literal::Bool(b) => (if *b { "True" } else { "False" }.to_string(), b.to_string()),
        Literal::Int(i) => (i.to_string(), i.to_string()),
        Literal::Float(f) => {
            let f = if f.contains(['.', 'e', 'E', 'n', 'N']) {
                f.clone()
            } else {
                format!("{f}.0")
            };
            (f.clone(), f)
        }
        Literal::String(s) => ("...".to_string(), format!("{}.to_string()", rust_str(s))),
        Literal::EmptySequence => ("...".to_string(), "Vec::new()".to_string()),
        Literal::EmptyMap => (
            "...".to_string(),
            "::std::collections::HashMap::new()".to_string(),
        ),
        Literal::EnumMember(e, v) => {
            let variant = paths
                .api
                .enums
                .iter()
                .find(|x| &x.name.udl == e)
                .and_then(|x| x.variants.iter().find(|m| &m.name.udl == v));
            let member = variant.map_or_else(|| v.clone(), |m| m.name.rust.clone());
            ("...".to_string(), format!("{}::{member}", paths.glue(e)))
        }
    };
    if optional {
        ("...".to_string(), wrap(rust))
    } else {
        (python, rust)
    }
}
