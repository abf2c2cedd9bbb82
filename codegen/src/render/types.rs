//! How each model type is spelled and converted in the generated code.

use crate::model::{Literal, Type};
pub use crate::plan::{Plan as Paths, Spelling};

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
        Type::Boxed(inner) => python(inner, s),
        Type::Sequence(inner) => format!("{}[{}]", s.builtin("list"), python(inner, s)),
        Type::Map(k, v) => format!("{}[{}, {}]", s.builtin("dict"), python(k, s), python(v, s)),
        Type::Set(inner) => format!("{}[{}]", s.builtin("set"), python(inner, s)),
        // Any implementation: the native class, or a Python object with the methods.
        Type::Object(id) if s.api.object(*id).foreign.is_some() => {
            let name = &s.api.object(*id).name.python;
            format!("_listeners.{}", crate::model::protocol_name(name))
        }
        // Its exception class, which wraps the native object.
        Type::Object(id) if s.api.object(*id).is_error => {
            format!("_errors.{}", s.api.object(*id).name.python)
        }
        // The union of the variant classes: a `match` over them is exhaustive.
        Type::Enum(id) if !s.api.enumeration(*id).flat => s.class(&crate::model::variant_alias(
            &s.api.enumeration(*id).name.python,
        )),
        Type::Object(_) | Type::Record(_) | Type::Enum(_) => {
            let name = s
                .api
                .definition(ty)
                .map(|n| n.python.as_str())
                .unwrap_or_default();
            s.class(name)
        }
        // A subclass of the base class (partial listeners), or any object with
        // every method (the Protocol); see `listeners.py`.
        Type::Callback(id) => {
            let name = &s.api.callback(*id).name.python;
            format!("_listeners.{name} | _listeners.{name}Protocol")
        }
        // By its alias (of the builtin it crosses as, as in UniFFI, or of
        // the config's Python class), so signatures keep the API's words.
        Type::Custom(id) => s.class(&s.api.custom(*id).name.python),
        // Any class of the error: its base, from the exception module.
        Type::Error(id) => format!("_errors.{}", s.api.error(*id).base),
    }
}

/// The PyO3 type of a builtin scalar's Python class (`str` for `string`).
pub fn py_class(ty: &Type) -> &'static str {
    match ty {
        Type::Bool => "::pyo3::types::PyBool",
        Type::F32 | Type::F64 => "::pyo3::types::PyFloat",
        Type::String => "::pyo3::types::PyString",
        Type::Bytes => "::pyo3::types::PyBytes",
        Type::Timestamp => "::pyo3::types::PyDateTime",
        Type::Duration => "::pyo3::types::PyDelta",
        _ => "::pyo3::types::PyInt",
    }
}

/// Whether a Python annotation of this type needs `import datetime`.
pub fn uses_datetime(ty: &Type) -> bool {
    match ty {
        Type::Timestamp | Type::Duration => true,
        Type::Optional(inner) | Type::Sequence(inner) | Type::Set(inner) | Type::Boxed(inner) => {
            uses_datetime(inner)
        }
        Type::Map(k, v) => uses_datetime(k) || uses_datetime(v),
        // Annotated with its alias.
        _ => false,
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
        // Checked to be aware on the way in.
        Type::Timestamp => "Bindery_Timestamp".into(),
        Type::Duration => "::std::time::Duration".into(),
        Type::Optional(inner) => format!("Option<{}>", rust(inner, paths)),
        // The glue holds the inner value: boxed only for the core.
        Type::Boxed(inner) => rust(inner, paths),
        Type::Sequence(inner) => format!("Vec<{}>", rust(inner, paths)),
        Type::Set(inner) => format!("::std::collections::HashSet<{}>", rust(inner, paths)),
        Type::Map(k, v) => {
            format!(
                "::std::collections::HashMap<{}, {}>",
                rust(k, paths),
                rust(v, paths)
            )
        }
        Type::Object(id) if paths.object_value(*id).is_some() => {
            paths.object_value(*id).unwrap_or_default()
        }
        Type::Object(_) | Type::Record(_) | Type::Enum(_) | Type::Custom(_) | Type::Error(_) => {
            paths.glue_of(ty)
        }
        Type::Callback(_) => "::pyo3::Bound<'_, ::pyo3::PyAny>".into(),
    }
}

/// Maps `expr` through containers with `leaf`; `None` when nothing changes.
fn convert(ty: &Type, expr: &str, leaf: &dyn Fn(&Type, &str) -> String) -> Option<String> {
    // `map(|v| X::from(v))` is written `map(X::from)` (clippy: redundant_closure).
    let element = |inner: &Type| {
        let converted = convert(inner, "v", leaf).unwrap_or_else(|| "v".into());
        // A function or tuple-struct path applied to `v` is passed by name.
        let path = converted
            .strip_suffix("::from(v)")
            .map(|p| format!("{p}::from"))
            .or_else(|| converted.strip_suffix("(v)").map(str::to_string));
        match path {
            Some(path) if !path.contains(['(', ' ']) => path,
            _ => format!("|v| {converted}"),
        }
    };
    if !ty.needs_conversion() {
        return None;
    }
    Some(match ty {
        Type::Object(_)
        | Type::Record(_)
        | Type::Enum(_)
        | Type::Callback(_)
        | Type::Custom(_)
        | Type::Error(_)
        | Type::Boxed(_)
        | Type::Timestamp => leaf(ty, expr),
        Type::Optional(inner) => format!("{expr}.map({})", element(inner)),
        // Helpers in the glue keep nested conversions short enough for one line.
        Type::Sequence(inner) => format!("bindery_vec({expr}, {})", element(inner)),
        Type::Map(k, v) => format!("bindery_map({expr}, {}, {})", element(k), element(v)),
        _ => expr.to_string(),
    })
}

/// Converts `expr`, extracted from Python, into the value the core expects;
/// `None` when it is already that value.
pub fn lower(ty: &Type, expr: &str, paths: &Paths<'_>) -> Option<String> {
    // A listener is checked and wrapped at registration; `?` reports a bad one.
    match ty {
        Type::Callback(id) => return Some(format!("{}::_boxed(&{expr})?", paths.bridge(*id))),
        Type::Optional(inner) => {
            if let Type::Callback(id) = inner.as_ref() {
                return Some(format!(
                    "{expr}.as_ref().map({}::_boxed).transpose()?",
                    paths.bridge(*id)
                ));
            }
        }
        _ => {}
    }
    convert(ty, expr, &|leaf, e| match leaf {
        Type::Boxed(inner) => {
            let inner = lower(inner, e, paths).unwrap_or_else(|| e.to_string());
            format!("::std::boxed::Box::new({inner})")
        }
        Type::Object(id) if paths.object_value(*id).is_some() => format!("{e}.0"),
        Type::Object(_) => format!("::std::sync::Arc::clone(&{e}._inner)"),
        // The builtin, converted by the crate's `uniffi::custom_type!`.
        Type::Custom(id) if paths.api.custom(*id).via_uniffi => {
            let builtin = rust(&paths.api.custom(*id).builtin, paths);
            format!(
                "bindery_uniffi_core::<{}, {builtin}>({e}.0)",
                paths.core_of(leaf)
            )
        }
        // Checked by `TryFrom` when Python's value was extracted.
        Type::Custom(_) | Type::Timestamp => format!("{e}.0"),
        // Read from its exception (checked when extracted, so it reads back).
        Type::Error(_) => format!("{e}._core()"),
        _ => format!("{}::from({e})", paths.core_of(leaf)),
    })
}

/// Converts `expr`, a value from the core, into what the glue returns to
/// Python; `None` when it can be returned as it is.
pub fn lift(ty: &Type, expr: &str, paths: &Paths<'_>) -> Option<String> {
    convert(ty, expr, &|leaf, e| match leaf {
        Type::Boxed(inner) => {
            let unboxed = format!("*{e}");
            lift(inner, &unboxed, paths).unwrap_or(unboxed)
        }
        Type::Object(id) if paths.object_value(*id).is_some() => {
            format!("{}({e})", paths.object_value(*id).unwrap_or_default())
        }
        Type::Object(_) => format!("{} {{ _inner: {e}.into() }}", paths.glue_of(leaf)),
        Type::Custom(id) if paths.api.custom(*id).via_uniffi => {
            let builtin = rust(&paths.api.custom(*id).builtin, paths);
            let core = paths.core_of(leaf);
            format!(
                "{}(bindery_uniffi_lower::<{core}, {builtin}>({e}))",
                paths.glue_of(leaf)
            )
        }
        Type::Custom(_) => format!("{}({e})", paths.glue_of(leaf)),
        Type::Error(_) => format!("{}::_new({e})", paths.glue_of(leaf)),
        Type::Timestamp => format!("Bindery_Timestamp({e})"),
        _ => format!("{}::from({e})", paths.glue_of(leaf)),
    })
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
            // A helper of the test hooks, so the sample fits any line.
            "sample_timestamp()".into(),
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
        Type::Set(inner) => {
            let (r, p) = sample(inner, label);
            (
                format!("::std::collections::HashSet::from([{r}])"),
                format!("{{{p}}}"),
            )
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
        Type::Object(_)
        | Type::Record(_)
        | Type::Enum(_)
        | Type::Callback(_)
        | Type::Custom(_)
        | Type::Boxed(_)
        | Type::Error(_) => ("unreachable!()".into(), "None".into()),
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
/// expression is a bare literal or `None` (a negative number is not one: it
/// is a negation); otherwise it writes `...`, and so must the stub (stubtest
/// compares them).
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
        Literal::EnumMember(id, v) => {
            let e = paths.api.enumeration(*id);
            let variant = e.variants.iter().find(|m| &m.name.udl == v);
            let member = variant.map_or_else(|| v.clone(), |m| m.name.rust.clone());
            (
                "...".to_string(),
                format!("{}::{member}", paths.glue(&e.name)),
            )
        }
    };
    // `-1` is a negation of a literal to PyO3, not a literal: `...` too.
    if optional || python.starts_with('-') {
        ("...".to_string(), wrap(rust))
    } else {
        (python, rust)
    }
}
