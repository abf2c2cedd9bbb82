//! Records and enums.

use crate::diagnostics::{Annotate, Code};
use crate::model::{Enum, EnumVariant, Field, Name, Record, RecordField, Type};
use crate::names;

use super::Lowerer;

impl Lowerer<'_, '_> {
    pub(super) fn record(&mut self, r: uniffi_meta::RecordMetadata) -> Record {
        self.lowering(&r.name, None);
        let span = self.cx.spans.def(&r.name);
        let name = rust_named(self.glue_type_name(span, &r.name), r.orig_name);
        let mut fields = Vec::new();
        for f in r.fields {
            let fspan = self.cx.spans.member(&r.name, &f.name);
            let mut fname = rust_named(self.name(fspan.clone(), &f.name), f.orig_name);
            // The glue's constructor binds every field as a parameter.
            fname.python = names::binding_name(&f.name);
            let default = f
                .default
                .as_ref()
                .and_then(|d| self.default(d, &f.ty, fspan.clone()));
            let ty = self.ty(&f.ty, fspan.clone());
            if ty.as_ref().is_some_and(Type::contains_callback) {
                self.udl(
                    Code::Unsupported,
                    fspan,
                    "a record field cannot hold a callback interface",
                )
                .with_help(super::CALLBACK_ELSEWHERE);
            } else if let Some(ty) = ty {
                fields.push(RecordField {
                    name: fname,
                    ty,
                    default,
                    docstring: f.docstring,
                });
            }
        }
        let names: Vec<&Name> = fields.iter().map(|f| &f.name).collect();
        self.check_unique_members(&r.name, names, &format!("among the fields of `{}`", r.name));
        Record {
            traits: self.traits.get(&r.name).copied().unwrap_or_default(),
            name,
            docstring: r.docstring,
            fields,
            // Set once every type is known.
            methods: Vec::new(),
        }
    }

    pub(super) fn enumeration(&mut self, e: uniffi_meta::EnumMetadata) -> Enum {
        self.lowering(&e.name, None);
        let span = self.cx.spans.def(&e.name);
        let name = rust_named(self.glue_type_name(span, &e.name), e.orig_name.clone());
        let flat = e.variants.iter().all(|v| v.fields.is_empty());
        let mut variants = Vec::new();
        let mut value = 0;
        for v in e.variants {
            value = match &v.discr {
                Some(uniffi_meta::LiteralMetadata::Int(n, ..)) => i128::from(*n),
                Some(uniffi_meta::LiteralMetadata::UInt(n, ..)) => i128::from(*n),
                _ => value,
            };
            let vspan = self.cx.spans.member(&e.name, &v.name);
            let mut vname = rust_named(self.name(vspan.clone(), &v.name), v.orig_name.clone());
            if flat {
                vname.python = names::upper_snake(&v.name);
            }
            let mut fields = Vec::new();
            for (i, f) in v.fields.into_iter().enumerate() {
                let fspan = self.cx.spans.arg(&e.name, &v.name, &f.name);
                let fname = if f.name.is_empty() {
                    positional(i)
                } else {
                    let mut fname = rust_named(self.name(fspan.clone(), &f.name), f.orig_name);
                    fname.python = names::variant_field_name(&f.name);
                    fname
                };
                let default =
                    (f.default.as_ref()).and_then(|d| self.default(d, &f.ty, fspan.clone()));
                let ty = self.ty(&f.ty, fspan.clone());
                if ty.as_ref().is_some_and(Type::contains_callback) {
                    self.udl(
                        Code::Unsupported,
                        fspan,
                        "an enum variant cannot hold a callback interface",
                    )
                    .with_help(super::CALLBACK_ELSEWHERE);
                } else if let Some(ty) = ty {
                    fields.push(Field {
                        name: fname,
                        ty,
                        docstring: f.docstring,
                        default,
                    });
                }
            }
            variants.push(EnumVariant {
                name: vname,
                value,
                fields,
                docstring: v.docstring,
            });
            value += 1;
        }
        let members: Vec<&Name> = variants.iter().map(|v| &v.name).collect();
        self.check_unique_members(
            &e.name,
            members,
            &format!("among the members of `{}`", e.name),
        );
        let mut traits = self.traits.get(&e.name).copied().unwrap_or_default();
        // uniffi_udl records `[Traits]` of an `[Enum] interface` only.
        for t in self.cx.spans.enum_traits(&e.name) {
            match t.as_str() {
                "Debug" => traits.debug = true,
                "Display" => traits.display = true,
                "Eq" => traits.eq = true,
                "Hash" => traits.hash = true,
                "Ord" => traits.ord = true,
                other => {
                    self.udl(
                        Code::UdlSemantic,
                        self.cx.spans.def(&e.name),
                        format!(
                            "`{other}` in `[Traits]` of `{}` is not a trait UniFFI knows",
                            e.name
                        ),
                    )
                    .with_help("use `Debug`, `Display`, `Eq`, `Hash` or `Ord`");
                }
            }
        }
        Enum {
            traits,
            name,
            docstring: e.docstring,
            flat,
            non_exhaustive: e.non_exhaustive,
            variants,
            // Set once every type is known.
            methods: Vec::new(),
        }
    }
}

impl Lowerer<'_, '_> {
    /// Methods the crate's proc-macros export on records and enums: called
    /// on the value (`&self` and `self` alike: a method call on a converted
    /// copy fits both). Their names must differ from the fields' and the
    /// variants'.
    pub(super) fn value_methods(
        &mut self,
        records: &mut [Record],
        enums: &mut [Enum],
        methods: Vec<uniffi_meta::MethodMetadata>,
    ) {
        let spans = self.cx.spans;
        for m in methods {
            let span = spans.member(&m.self_name, &m.name);
            let self_name = m.self_name.clone();
            let callable = self.method(m, span);
            if let Some(id) = self.ids.records.get(&self_name) {
                records[id.0].methods.push(callable);
            } else if let Some(id) = self.ids.enums.get(&self_name) {
                enums[id.0].methods.push(callable);
            }
        }
        for r in records.iter().filter(|r| !r.methods.is_empty()) {
            let names = r
                .fields
                .iter()
                .map(|f| &f.name)
                .chain(r.methods.iter().map(|m| &m.name));
            let scope = format!("among the fields and methods of `{}`", r.name.udl);
            self.check_unique_members(&r.name.udl, names, &scope);
        }
        for e in enums.iter().filter(|e| !e.methods.is_empty()) {
            // Variant classes inherit the methods: each field name once.
            let mut fields: Vec<&Name> = Vec::new();
            for f in e.variants.iter().flat_map(|v| &v.fields) {
                if !fields.iter().any(|n| n.python == f.name.python) {
                    fields.push(&f.name);
                }
            }
            let variants = e.variants.iter().map(|v| &v.name);
            let names = variants
                .chain(fields)
                .chain(e.methods.iter().map(|m| &m.name));
            let scope = format!("among the variants, fields and methods of `{}`", e.name.udl);
            self.check_unique_members(&e.name.udl, names, &scope);
        }
    }
}

/// The name of a tuple variant's field `i` (`Field::is_positional`): no
/// UDL name, `i` in Rust (`V { 0: x }`), `_i` in Python, as PyO3 and
/// UniFFI's Python spell it (read by index too).
pub(super) fn positional(i: usize) -> Name {
    Name {
        udl: String::new(),
        python: format!("_{i}"),
        rust: i.to_string(),
    }
}

/// `name` with the Rust name the crate's proc-macros record for a renamed
/// item (`#[uniffi(name = "Coord")] struct Coordinate`), if any.
pub(super) fn rust_named(mut name: Name, orig: Option<String>) -> Name {
    if let Some(rust) = orig {
        name.rust = rust;
    }
    name
}
