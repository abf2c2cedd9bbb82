//! How each model type is spelled and converted in the generated code.

use crate::model::{Literal, Type};

/// The Python annotation of a type.
pub fn python(ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::I8
        | Type::I16
        | Type::I32
        | Type::I64
        | Type::U8
        | Type::U16
        | Type::U32
        | Type::U64 => "int".into(),
        Type::F32 | Type::F64 => "float".into(),
        Type::String => "str".into(),
        Type::Bytes => "bytes".into(),
        Type::Timestamp => "datetime.datetime".into(),
        Type::Duration => "datetime.timedelta".into(),
        Type::Optional(inner) => format!("{} | None", python(inner)),
        Type::Sequence(inner) => format!("list[{}]", python(inner)),
        Type::Map(k, v) => format!("dict[{}, {}]", python(k), python(v)),
        Type::Object(name) => crate::names::python_name(name),
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

/// The Rust type the glue receives from or hands to Python. `object` spells
/// an interface object (a borrowed pyclass for arguments, an owned one for
/// return values).
fn rust(ty: &Type, object: &dyn Fn(&str) -> String) -> String {
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
        Type::Timestamp => "SystemTime".into(),
        Type::Duration => "Duration".into(),
        Type::Optional(inner) => format!("Option<{}>", rust(inner, object)),
        Type::Sequence(inner) => format!("Vec<{}>", rust(inner, object)),
        Type::Map(k, v) => format!("HashMap<{}, {}>", rust(k, object), rust(v, object)),
        Type::Object(name) => object(name),
    }
}

pub fn rust_argument(ty: &Type, rust_name: &dyn Fn(&str) -> String) -> String {
    rust(ty, &|name| format!("PyRef<'_, {}>", rust_name(name)))
}

pub fn rust_return(ty: &Type, rust_name: &dyn Fn(&str) -> String) -> String {
    rust(ty, &|name| rust_name(name))
}

/// Converts `expr`, extracted from Python, into the value the core expects;
/// `None` when it is already that value.
pub fn lower(ty: &Type, expr: &str) -> Option<String> {
    if !ty.contains_object() {
        return None;
    }
    Some(match ty {
        Type::Object(_) => format!("Arc::clone(&{expr}.inner)"),
        Type::Optional(inner) => format!(
            "{expr}.map(|v| {})",
            lower(inner, "v").unwrap_or_else(|| "v".into())
        ),
        Type::Sequence(inner) => {
            format!(
                "{expr}.into_iter().map(|v| {}).collect::<Vec<_>>()",
                lower(inner, "v").unwrap_or_else(|| "v".into())
            )
        }
        Type::Map(_, v) => format!(
            "{expr}.into_iter().map(|(k, v)| (k, {})).collect::<HashMap<_, _>>()",
            lower(v, "v").unwrap_or_else(|| "v".into())
        ),
        _ => expr.to_string(),
    })
}

/// Converts `expr`, a value from the core, into what the glue returns to
/// Python; `None` when it can be returned as it is.
pub fn lift(ty: &Type, expr: &str, rust_name: &dyn Fn(&str) -> String) -> Option<String> {
    if !ty.contains_object() {
        return None;
    }
    Some(match ty {
        Type::Object(name) => format!("{} {{ inner: {expr} }}", rust_name(name)),
        Type::Optional(inner) => {
            format!(
                "{expr}.map(|v| {})",
                lift(inner, "v", rust_name).unwrap_or_else(|| "v".into())
            )
        }
        Type::Sequence(inner) => format!(
            "{expr}.into_iter().map(|v| {}).collect::<Vec<_>>()",
            lift(inner, "v", rust_name).unwrap_or_else(|| "v".into())
        ),
        Type::Map(_, v) => format!(
            "{expr}.into_iter().map(|(k, v)| (k, {})).collect::<HashMap<_, _>>()",
            lift(v, "v", rust_name).unwrap_or_else(|| "v".into())
        ),
        _ => expr.to_string(),
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
            "SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)".into(),
            "datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)".into(),
        ),
        Type::Duration => (
            "Duration::from_millis(1500)".into(),
            "datetime.timedelta(milliseconds=1500)".into(),
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
                format!("HashMap::from([({rk}, {rv})])"),
                format!("{{{pk}: {pv}}}"),
            )
        }
        // Objects cannot be made from nothing; `lower` rejects them in error fields.
        Type::Object(_) => ("unreachable!()".into(), "None".into()),
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
    text.map(|t| {
        t.trim()
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

/// A default value as a Python literal and as a Rust expression of `ty`.
pub fn default(literal: &Literal, ty: &Type) -> (String, String) {
    match literal {
        Literal::None => ("None".into(), "None".into()),
        Literal::Bool(b) => (if *b { "True" } else { "False" }.into(), b.to_string()),
        Literal::Int(i) => {
            let rust = if matches!(ty, Type::Optional(_)) {
                format!("Some({i})")
            } else {
                i.to_string()
            };
            (i.to_string(), rust)
        }
        Literal::Float(f) => {
            let f = if f.contains(['.', 'e', 'E']) {
                f.clone()
            } else {
                format!("{f}.0")
            };
            let rust = if matches!(ty, Type::Optional(_)) {
                format!("Some({f})")
            } else {
                f.clone()
            };
            (f, rust)
        }
        Literal::String(s) => {
            let value = format!("{}.to_string()", rust_str(s));
            let rust = if matches!(ty, Type::Optional(_)) {
                format!("Some({value})")
            } else {
                value
            };
            (py_str(s), rust)
        }
    }
}
