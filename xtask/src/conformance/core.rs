//! A Rust core that implements an [`Api`] the way crates written for
//! UniFFI do, so that the generated glue can be compiled against it.
//! Every call answers with an argument of the returned type if it has one
//! (echo), else a fixed value of that type; nothing fails.

use std::fmt::Write as _;

use bindery_codegen::names::rust_name;

use super::spec::{Api, Callback, Enum, Field, Function, Throw, Ty};

/// How the core is laid out (tier 2 rotates through these).
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// The core crate's edition.
    pub edition: &'static str,
    /// `[lib] name` differs from the package name.
    pub lib_name: bool,
    /// Functions without arguments or return are `extern "C"`.
    pub extern_c: bool,
    /// Callback-interface traits are `Send` only (not `Sync`; a
    /// `[Trait, WithForeign]` trait is always `Send + Sync`).
    pub send_only: bool,
    /// Interfaces thrown as errors are returned as `E`, not `Arc<E>`.
    pub plain_object_errors: bool,
    /// In-crate mode: the glue is the crate's own `python` module.
    pub in_crate: bool,
}

pub const PACKAGE: &str = "conformance_core";

fn ident(name: &str) -> String {
    rust_name(name).unwrap_or_else(|| name.to_string())
}

pub fn ty(api: &Api, t: &Ty) -> String {
    if let Some(spelling) = t.scalar() {
        return spelling.1.to_string();
    }
    match t {
        Ty::Opt(t) => format!("::std::option::Option<{}>", ty(api, t)),
        Ty::Seq(t) => format!("::std::vec::Vec<{}>", ty(api, t)),
        Ty::Map(k, v) => format!(
            "::std::collections::HashMap<{}, {}>",
            ty(api, k),
            ty(api, v)
        ),
        Ty::Record(i) => api.records[*i].name.clone(),
        Ty::Enum(i) => api.enums[*i].name.clone(),
        Ty::Object(i) => format!("::std::sync::Arc<{}>", api.objects[*i].name),
        Ty::Callback(i) if api.callbacks[*i].foreign => {
            format!("::std::sync::Arc<dyn {}>", api.callbacks[*i].name)
        }
        Ty::Callback(i) => format!("::std::boxed::Box<dyn {}>", api.callbacks[*i].name),
        Ty::Custom(i) => api.customs[*i].name.clone(),
        _ => unreachable!("a scalar is spelled above"),
    }
}

/// A fixed value of `t`.
fn value(api: &Api, t: &Ty) -> String {
    match t {
        Ty::Bool => "false".into(),
        Ty::F32 | Ty::F64 => "0.0".into(),
        Ty::Str => "::std::string::String::new()".into(),
        Ty::Timestamp => "::std::time::UNIX_EPOCH".into(),
        Ty::Duration => "::std::time::Duration::ZERO".into(),
        Ty::Bytes | Ty::Seq(_) => "::std::vec::Vec::new()".into(),
        Ty::Opt(_) => "::std::option::Option::None".into(),
        Ty::Map(..) => "::std::collections::HashMap::new()".into(),
        Ty::Record(i) => {
            let r = &api.records[*i];
            format!("{} {{ {} }}", r.name, field_values(api, &r.fields))
        }
        Ty::Enum(i) => variant_value(api, &api.enums[*i]),
        Ty::Object(i) => format!("::std::sync::Arc::new({} {{}})", api.objects[*i].name),
        Ty::Custom(i) => {
            let c = &api.customs[*i];
            format!("{}({})", c.name, value(api, &c.builtin))
        }
        // The core's own implementation of the trait (cast: an async
        // block's output is not coerced).
        Ty::Callback(i) => {
            let name = &api.callbacks[*i].name;
            format!(
                "::std::sync::Arc::new({}) as ::std::sync::Arc<dyn {name}>",
                rust_implementation(name)
            )
        }
        _ => "0".into(),
    }
}

fn field_values(api: &Api, fields: &[Field]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|f| format!("{}: {}", ident(&f.name), value(api, &f.ty)))
        .collect();
    parts.join(", ")
}

fn variant_value(api: &Api, e: &Enum) -> String {
    let v = &e.variants[0];
    if e.flat {
        format!("{}::{}", e.name, v.name)
    } else {
        format!(
            "{}::{} {{ {} }}",
            e.name,
            v.name,
            field_values(api, &v.fields)
        )
    }
}

/// The core's implementation of `[Trait, WithForeign]` trait `name` (no
/// type-name word ends so, so no UDL name is spelled so).
fn rust_implementation(name: &str) -> String {
    format!("{name}InRust")
}

/// Struct fields, by their UDL names.
fn fields(api: &Api, fields: &[Field]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|a| format!("{}: {}", ident(&a.name), ty(api, &a.ty)))
        .collect();
    parts.join(", ")
}

/// Parameters, by position (the glue passes arguments by position, and a
/// UDL name such as `Ok` cannot name a Rust parameter).
fn params(api: &Api, args: &[Field]) -> String {
    let parts: Vec<String> = (args.iter().enumerate())
        .map(|(k, a)| {
            // `[ByRef]`: borrowed as UniFFI lends it.
            let t = match (&a.ty, a.by_ref) {
                (Ty::Str, true) => "&str".to_string(),
                (Ty::Bytes, true) => "&[u8]".to_string(),
                (Ty::Seq(inner), true) => format!("&[{}]", ty(api, inner)),
                (other, true) => format!("&{}", ty(api, other)),
                (other, false) => ty(api, other),
            };
            format!("a{k}: {t}")
        })
        .collect();
    parts.join(", ")
}

/// A function's body: an argument of the returned type, else a value.
fn body(api: &Api, f: &Function) -> String {
    let Some(returns) = &f.returns else {
        return if f.throws.is_some() {
            "::std::result::Result::Ok(())".into()
        } else {
            String::new()
        };
    };
    let answer = f.args.iter().position(|a| a.ty == *returns).map_or_else(
        || value(api, returns),
        |k| {
            if f.args[k].by_ref {
                format!("a{k}.to_owned()")
            } else {
                format!("a{k}")
            }
        },
    );
    if f.throws.is_some() {
        format!("::std::result::Result::Ok({answer})")
    } else {
        answer
    }
}

/// The Rust type `f` returns (`Result` if it throws), if any.
fn returns(api: &Api, f: &Function, shape: Shape) -> Option<String> {
    let returns = f.returns.as_ref().map(|t| ty(api, t));
    let Some(thrown) = f.throws else {
        return returns;
    };
    let error = match thrown {
        Throw::Error(e) => api.errors[e].name.clone(),
        Throw::Object(o) if shape.plain_object_errors => api.objects[o].name.clone(),
        Throw::Object(o) => format!("::std::sync::Arc<{}>", api.objects[o].name),
    };
    Some(format!(
        "::std::result::Result<{}, {error}>",
        returns.unwrap_or("()".into()),
    ))
}

fn signature(api: &Api, f: &Function, receiver: Option<&str>, shape: Shape) -> String {
    let mut params = params(api, &f.args);
    if let Some(receiver) = receiver {
        params = if params.is_empty() {
            receiver.to_string()
        } else {
            format!("{receiver}, {params}")
        };
    }
    let returns = returns(api, f, shape).map_or(String::new(), |r| format!(" -> {r}"));
    let plain =
        receiver.is_none() && f.args.is_empty() && f.returns.is_none() && f.throws.is_none();
    let qualifiers = if f.is_async {
        "async "
    } else if shape.extern_c && plain {
        "extern \"C\" "
    } else {
        ""
    };
    format!("pub {qualifiers}fn {}({params}){returns}", ident(&f.name))
}

/// A trait method's signature: an `[Async]` one in the shape
/// `#[async_trait]` expands to (a boxed `Send` future).
fn trait_signature(api: &Api, m: &Function, shape: Shape) -> String {
    if !m.is_async {
        let sig = signature(api, m, Some("&self"), shape);
        return sig.trim_start_matches("pub ").to_string();
    }
    let mut params = vec!["&'life0 self".to_string()];
    params.extend((!m.args.is_empty()).then(|| self::params(api, &m.args)));
    let output = returns(api, m, shape).unwrap_or("()".into());
    format!(
        "fn {}<'life0, 'async_trait>({}) -> ::std::pin::Pin<::std::boxed::Box<\
         dyn ::std::future::Future<Output = {output}> + ::std::marker::Send + 'async_trait>> \
         where 'life0: 'async_trait, Self: 'async_trait",
        ident(&m.name),
        params.join(", ")
    )
}

/// A callback interface's or `[Trait, WithForeign]` interface's trait; for
/// the latter also the core's own implementation of it.
fn callback_trait(out: &mut String, api: &Api, c: &Callback, shape: Shape) {
    let bound = if shape.send_only && !c.foreign {
        "Send"
    } else {
        "Send + Sync"
    };
    let _ = writeln!(out, "pub trait {}: {bound} {{", c.name);
    for m in &c.methods {
        let _ = writeln!(out, "    {};", trait_signature(api, m, shape));
    }
    out.push_str("}\n\n");
    if !c.foreign {
        return;
    }
    // Records and errors holding one derive `Debug`.
    let _ = writeln!(
        out,
        "impl ::std::fmt::Debug for dyn {name} {{\n    \
         fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{\n        \
         f.write_str(\"{name}\")\n    }}\n}}\n\npub struct {rust};\n\nimpl {name} for {rust} {{",
        name = c.name,
        rust = rust_implementation(&c.name),
    );
    for m in &c.methods {
        let answer = body(api, m);
        let answer = if m.is_async {
            format!("::std::boxed::Box::pin(async move {{ {answer} }})")
        } else {
            answer
        };
        let _ = writeln!(
            out,
            "    {} {{\n        {answer}\n    }}",
            trait_signature(api, m, shape)
        );
    }
    out.push_str("}\n\n");
}

fn enumeration(out: &mut String, api: &Api, e: &Enum, error: bool) {
    let derives = if e.flat && !error {
        "Debug, Clone, Copy, PartialEq, Eq, Hash"
    } else {
        "Debug, Clone"
    };
    let _ = writeln!(out, "#[derive({derives})]");
    if e.non_exhaustive {
        out.push_str("#[non_exhaustive]\n");
    }
    let _ = writeln!(out, "pub enum {} {{", e.name);
    for v in &e.variants {
        if e.flat {
            let _ = writeln!(out, "    {},", v.name);
        } else {
            let _ = writeln!(out, "    {} {{ {} }},", v.name, fields(api, &v.fields));
        }
    }
    out.push_str("}\n\n");
    if error {
        let _ = writeln!(
            out,
            "impl ::std::fmt::Display for {name} {{\n    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{\n        ::std::write!(f, \"{{self:?}}\")\n    }}\n}}\n\nimpl ::std::error::Error for {name} {{}}\n",
            name = e.name
        );
    }
}

/// The core's `src/lib.rs`: the items in a module of their own (so that
/// the lints they allow do not cover an in-crate glue module), re-exported
/// at the root where the glue looks for them.
pub fn lib_rs(api: &Api, shape: Shape) -> String {
    let mut out =
        String::from("//! Generated by cargo xtask conformance: a core for one generated API.\n\n");
    if shape.in_crate {
        out.push_str("#[cfg(feature = \"python\")]\n#[rustfmt::skip]\nmod python;\n\n");
    }
    out.push_str(&format!(
        "pub use {ITEMS}::*;\n\nmod {ITEMS} {{\n\
         #![allow(unused_variables, clippy::all, non_camel_case_types, non_snake_case)]\n\n{}}}\n",
        items(api, shape)
    ));
    out
}

/// The module holding the core's items (no generated name is spelled so).
const ITEMS: &str = "conformance_items";

fn items(api: &Api, shape: Shape) -> String {
    let mut out = String::new();
    for c in &api.customs {
        // UniFFI's conversions: `TryFrom<Builtin>` (its error `Display`) and
        // `From<Custom> for Builtin`.
        let _ = writeln!(
            out,
            "#[derive(Debug, Clone, PartialEq)]\npub struct {name}(pub {builtin});\n\n\
             impl ::std::convert::TryFrom<{builtin}> for {name} {{\n    \
             type Error = ::std::string::String;\n    \
             fn try_from(value: {builtin}) -> ::std::result::Result<Self, Self::Error> {{\n        \
             ::std::result::Result::Ok(Self(value))\n    }}\n}}\n\n\
             impl ::std::convert::From<{name}> for {builtin} {{\n    \
             fn from(value: {name}) -> Self {{\n        value.0\n    }}\n}}\n",
            name = c.name,
            builtin = ty(api, &c.builtin),
        );
    }
    for e in &api.enums {
        enumeration(&mut out, api, e, false);
    }
    for r in &api.records {
        let _ = writeln!(out, "#[derive(Debug, Clone)]\npub struct {} {{", r.name);
        for f in &r.fields {
            let _ = writeln!(out, "    pub {}: {},", ident(&f.name), ty(api, &f.ty));
        }
        out.push_str("}\n\n");
    }
    for e in &api.errors {
        enumeration(&mut out, api, e, true);
    }
    for o in &api.objects {
        let _ = writeln!(
            out,
            "#[derive(Debug)]\npub struct {name} {{}}\n\n\
             impl ::std::fmt::Display for {name} {{\n    \
             fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{\n        \
             f.write_str(\"{name}\")\n    }}\n}}\n\nimpl {name} {{",
            name = o.name
        );
        if let Some(c) = &o.constructor {
            let asynchronous = if o.async_constructor { "async " } else { "" };
            let _ = writeln!(
                out,
                "    pub {asynchronous}fn new({}) -> Self {{\n        Self {{}}\n    }}",
                params(api, c)
            );
        }
        for m in &o.methods {
            let _ = writeln!(
                out,
                "    {}{} {{\n        {}\n    }}",
                backend_cfg(api, m),
                signature(api, m, Some("&self"), shape),
                body(api, m)
            );
        }
        out.push_str("}\n\n");
    }
    for c in &api.callbacks {
        callback_trait(&mut out, api, c, shape);
    }
    for f in &api.functions {
        let _ = writeln!(
            out,
            "{}{} {{\n    {}\n}}\n",
            backend_cfg(api, f),
            signature(api, f, None, shape),
            body(api, f)
        );
    }
    out
}

/// `#[cfg(feature = "<backend>")]` on a backend-only call, as a core
/// declares it.
fn backend_cfg(api: &Api, f: &Function) -> String {
    f.backend_only.map_or(String::new(), |b| {
        format!("#[cfg(feature = \"{}\")]\n", api.backends[b])
    })
}

/// The core's `Cargo.toml`: a feature per backend.
pub fn cargo_toml(api: &Api, shape: Shape) -> String {
    let mut lib = String::new();
    if shape.lib_name || shape.in_crate {
        lib.push_str("\n[lib]\n");
    }
    if shape.lib_name {
        lib.push_str("name = \"conformance_lib\"\n");
    }
    if shape.in_crate {
        lib.push_str(
            "crate-type = [\"cdylib\", \"rlib\"]\n\n[dependencies]\n\
             pyo3 = { version = \"0.30\", features = [\"abi3-py311\"], optional = true }\n\n\
             [features]\npython = [\"dep:pyo3\"]\nbindery-test-hooks = [\"python\"]\n",
        );
    }
    if !api.backends.is_empty() {
        lib.push_str("\n[features]\n");
        for b in &api.backends {
            let _ = writeln!(lib, "{b} = []");
        }
    }
    format!(
        "[package]\nname = \"{PACKAGE}\"\nversion = \"0.1.0\"\nedition = \"{}\"\npublish = false\n{lib}\n[workspace]\n",
        shape.edition
    )
}
