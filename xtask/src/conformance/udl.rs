//! An [`Api`] as UDL text.

use std::fmt::Write as _;

use super::spec::{Api, Enum, Field, Function, Throw, Ty};

pub fn ty(api: &Api, t: &Ty) -> String {
    if let Some(spelling) = t.scalar() {
        return spelling.0.to_string();
    }
    match t {
        Ty::Opt(t) => format!("{}?", ty(api, t)),
        Ty::Seq(t) => format!("sequence<{}>", ty(api, t)),
        Ty::Map(k, v) => format!("record<{}, {}>", ty(api, k), ty(api, v)),
        Ty::Record(i) => api.records[*i].name.clone(),
        Ty::Enum(i) => api.enums[*i].name.clone(),
        Ty::Object(i) => api.objects[*i].name.clone(),
        Ty::Callback(i) => api.callbacks[*i].name.clone(),
        Ty::Custom(i) => api.customs[*i].name.clone(),
        _ => unreachable!("a scalar is spelled above"),
    }
}

fn doc(out: &mut String, indent: &str, doc: &Option<String>) {
    for line in doc.iter().flat_map(|d| d.lines()) {
        let _ = writeln!(out, "{indent}/// {line}");
    }
}

fn args(api: &Api, fields: &[Field]) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|f| {
            let lent = if f.by_ref { "[ByRef] " } else { "" };
            match &f.default {
                Some(d) => format!("{lent}optional {} {} = {d}", ty(api, &f.ty), f.name),
                None => format!("{lent}{} {}", ty(api, &f.ty), f.name),
            }
        })
        .collect();
    parts.join(", ")
}

fn function(out: &mut String, api: &Api, f: &Function) {
    doc(out, "    ", &f.doc);
    let mut attributes = Vec::new();
    if f.is_async {
        attributes.push("Async".to_string());
    }
    match f.throws {
        Some(Throw::Error(e)) => attributes.push(format!("Throws={}", api.errors[e].name)),
        Some(Throw::Object(o)) => attributes.push(format!("Throws={}", api.objects[o].name)),
        None => {}
    }
    let attributes = if attributes.is_empty() {
        String::new()
    } else {
        format!("[{}] ", attributes.join(", "))
    };
    let returns = f
        .returns
        .as_ref()
        .map_or("void".to_string(), |t| ty(api, t));
    let _ = writeln!(
        out,
        "    {attributes}{returns} {}({});",
        f.name,
        args(api, &f.args)
    );
}

fn enumeration(out: &mut String, api: &Api, e: &Enum, error: bool) {
    doc(out, "", &e.doc);
    let mut attributes = Vec::new();
    if error {
        attributes.push("Error");
    }
    if e.non_exhaustive {
        attributes.push("NonExhaustive");
    }
    if !e.flat && !error {
        attributes.push("Enum");
    }
    let head = if attributes.is_empty() {
        String::new()
    } else {
        format!("[{}]\n", attributes.join(", "))
    };
    if e.flat {
        let variants: Vec<String> = e
            .variants
            .iter()
            .map(|v| format!("\"{}\"", v.name))
            .collect();
        let _ = writeln!(
            out,
            "{head}enum {} {{ {} }};\n",
            e.name,
            variants.join(", ")
        );
    } else {
        let _ = writeln!(out, "{head}interface {} {{", e.name);
        for v in &e.variants {
            let _ = writeln!(out, "    {}({});", v.name, args(api, &v.fields));
        }
        out.push_str("};\n\n");
    }
}

/// What bindery reads for `api`: its UDL, and `base` (the `[rust]` table)
/// with the `[listeners.X]` tables it needs.
pub fn inputs(api: &Api, base: &str) -> (String, String) {
    let config = format!("{base}{}{}", listeners_config(api), backends_config(api));
    (udl(api), config)
}

/// The `[backends.X]` tables and `[backend-only]` (by UDL name: `f`,
/// `Object.method`).
fn backends_config(api: &Api) -> String {
    let mut out = String::new();
    for b in &api.backends {
        let _ = writeln!(out, "\n[backends.{b}]\nfeatures = [\"{b}\"]");
    }
    let methods = (api.objects.iter()).flat_map(|o| {
        o.methods
            .iter()
            .map(move |m| (format!("{}.{}", o.name, m.name), m))
    });
    let calls = (api.functions.iter().map(|f| (f.name.clone(), f))).chain(methods);
    let only: Vec<String> = calls
        .filter_map(|(name, f)| {
            Some(format!(
                "\"{name}\" = [\"{}\"]",
                api.backends[f.backend_only?]
            ))
        })
        .collect();
    if !only.is_empty() {
        let _ = writeln!(out, "\n[backend-only]\n{}", only.join("\n"));
    }
    out
}

/// The binding config's `[listeners.X]` tables: every other method that
/// may be queued (no result, no `[Throws]`, not `[Async]`) is, so the
/// package carries the event queue (its runtime module) and its tests
/// deliver through it.
pub fn listeners_config(api: &Api) -> String {
    let mut out = String::new();
    for c in &api.callbacks {
        let queueable = c
            .methods
            .iter()
            .filter(|m| m.returns.is_none() && m.throws.is_none() && !m.is_async);
        let queued: Vec<String> = queueable
            .step_by(2)
            .map(|m| format!("\"{}\"", m.name))
            .collect();
        // The error types its methods throw, each with its variant for
        // unexpected failures.
        let mut thrown: Vec<usize> = (c.methods.iter())
            .filter_map(|m| match m.throws {
                Some(super::spec::Throw::Error(i)) => Some(i),
                _ => None,
            })
            .collect();
        thrown.sort_unstable();
        thrown.dedup();
        let unexpected: Vec<(&str, &str)> = (thrown.iter())
            .filter_map(|&i| {
                let e = &api.errors[i];
                super::spec::unexpected_variant(e).map(|v| (e.name.as_str(), v.name.as_str()))
            })
            .collect();
        if queued.is_empty() && unexpected.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n[listeners.{}]", c.name);
        if !queued.is_empty() {
            let _ = writeln!(out, "queued = [{}]", queued.join(", "));
        }
        // One key for one thrown error type; per error type for several
        // (some may have no fitting variant, and go without).
        match (unexpected.as_slice(), thrown.len()) {
            ([], _) => {}
            ([(_, variant)], 1) => {
                let _ = writeln!(out, "unexpected-error = \"{variant}\"");
            }
            (several, _) => {
                let pairs: Vec<String> = several
                    .iter()
                    .map(|(e, v)| format!("{e} = \"{v}\""))
                    .collect();
                let _ = writeln!(out, "unexpected-errors = {{ {} }}", pairs.join(", "));
            }
        }
    }
    out
}

/// The UDL file of `api`.
pub fn udl(api: &Api) -> String {
    let mut out = String::from("// Generated by cargo xtask conformance.\n");
    let _ = writeln!(out, "namespace {} {{", api.namespace);
    for f in &api.functions {
        function(&mut out, api, f);
    }
    out.push_str("};\n\n");
    for c in &api.customs {
        let _ = writeln!(
            out,
            "[Custom]\ntypedef {} {};\n",
            ty(api, &c.builtin),
            c.name
        );
    }
    for e in &api.enums {
        enumeration(&mut out, api, e, false);
    }
    for r in &api.records {
        doc(&mut out, "", &r.doc);
        let _ = writeln!(out, "dictionary {} {{", r.name);
        for f in &r.fields {
            let default = f
                .default
                .as_ref()
                .map_or(String::new(), |d| format!(" = {d}"));
            let _ = writeln!(out, "    {} {}{default};", ty(api, &f.ty), f.name);
        }
        out.push_str("};\n\n");
    }
    for e in &api.errors {
        enumeration(&mut out, api, e, true);
    }
    for o in &api.objects {
        doc(&mut out, "", &o.doc);
        let _ = writeln!(out, "interface {} {{", o.name);
        if let Some(c) = &o.constructor {
            let asynchronous = if o.async_constructor { "[Async] " } else { "" };
            let _ = writeln!(out, "    {asynchronous}constructor({});", args(api, c));
        }
        for m in &o.methods {
            function(&mut out, api, m);
        }
        out.push_str("};\n\n");
    }
    for c in &api.callbacks {
        doc(&mut out, "", &c.doc);
        if c.foreign {
            let _ = writeln!(out, "[Trait, WithForeign]\ninterface {} {{", c.name);
        } else {
            let _ = writeln!(out, "callback interface {} {{", c.name);
        }
        for m in &c.methods {
            function(&mut out, api, m);
        }
        out.push_str("};\n\n");
    }
    out
}
