//! Glue for records and enums: a pyclass each, with `From` conversions to
//! and from the core's type that name every field and variant (no `..`, no
//! wildcard), so drift between the UDL and the Rust crate fails to compile.

use super::layout::{array, list, match_arm, tuple_arm};
use super::types::{self, Paths};
use super::writer::{conversion_impls, Writer};
use crate::model::{Enum, Field};
use crate::names;

/// A glue type: its declaration, `#[pymethods]` and conversions, as lines.
pub struct DataView {
    pub doc: Vec<String>,
    pub attrs: Vec<String>,
    /// `pub struct X {` or `pub enum X {`, then the body lines.
    pub head: String,
    pub body: Vec<String>,
    /// Lines inside `#[pymethods] impl X { ... }`; empty for none.
    pub methods: Vec<String>,
    pub name: String,
    pub core: String,
    /// The parameter of both conversions (`_value` where a record without
    /// fields does not read it), and their bodies: `From<core> for glue`
    /// and `From<glue> for core`.
    pub value: &'static str,
    pub from_core: Vec<String>,
    pub to_core: Vec<String>,
    /// Trait impls after the conversions (ordering, hashing by the core's value).
    pub impls: Vec<String>,
}

/// The core's value of `self` (a glue record or enum), for its Rust traits.
fn core_value(core: &str) -> String {
    format!("{core}::from(self.clone())")
}

/// `__str__` (`Display`) and `__repr__` (`Debug`) by the core's value.
fn trait_methods(w: &mut Writer, core: &str, traits: crate::model::Traits) {
    let value = core_value(core);
    if traits.display {
        w.line("");
        w.block("fn __str__(&self) -> String {", "}", |w| {
            w.line(format!("{value}.to_string()"))
        });
    }
    if traits.debug {
        w.line("");
        w.block("fn __repr__(&self) -> String {", "}", |w| {
            w.line(format!("format!(\"{{:?}}\", {value})"))
        });
    }
}

/// `__reduce__` (pickle, `copy.copy`, `copy.deepcopy`: `__new__` again with
/// the fields as keywords) and `__replace__` (`copy.replace`) of a record;
/// the field names are `_FIELDS` (`fields_const`).
pub fn copy_methods(w: &mut Writer) {
    let bound = "::pyo3::Bound<'py, ::pyo3::PyAny>";
    let this = ["_slf: &::pyo3::Bound<'py, Self>".to_string()];
    w.line("");
    w.line("/// Pickles and copies as `__new__` with the fields as keywords.");
    let head = list(
        w.column(),
        "fn __reduce__<'py>",
        &this,
        " -> ::pyo3::PyResult<BinderyReduce<'py>> {",
    );
    w.block(head, "}", |w| {
        w.line("bindery_reduce(_slf.as_any(), Self::_FIELDS)");
    });
    w.line("");
    w.line("/// `copy.replace`: a new record with `changes` to its fields.");
    w.line("#[pyo3(signature = (**_changes))]");
    let params = [
        this[0].clone(),
        "_changes: Option<&::pyo3::Bound<'py, ::pyo3::types::PyDict>>".to_string(),
    ];
    let returns = format!(" -> ::pyo3::PyResult<{bound}> {{");
    let head = list(w.column(), "fn __replace__<'py>", &params, &returns);
    w.block(head, "}", |w| {
        w.line("bindery_replace(_slf.as_any(), Self::_FIELDS, _changes)");
    });
}

/// `__reduce__` of a variant (pickle, `copy`): rebuilt from its fields
/// through the enum class, since the variant class is not importable by its
/// own name.
fn variant_reduce(w: &mut Writer) {
    w.line("");
    w.line("/// Pickles and copies through the enum class and the variant's name.");
    let head = "fn __reduce__<'py>(_slf: &::pyo3::Bound<'py, Self>) -> ::pyo3::PyResult<BinderyReduce<'py>> {";
    w.block(head, "}", |w| {
        w.line("bindery_variant_reduce(_slf.as_any())")
    });
}

/// `__repr__` of an enum with fields: `Enum.Variant(field=repr, ...)`.
fn variant_repr(w: &mut Writer, paths: &Paths<'_>, e: &Enum) {
    let head = "fn __repr__(&self, py: ::pyo3::Python<'_>) -> ::pyo3::PyResult<String> {";
    w.block(head, "}", |w| {
        w.block("match self {", "}", |w| {
            for v in &e.variants {
                let label = types::rust_str(&format!("{}.{}", e.name.python, v.name.python));
                let idents: Vec<String> = v.fields.iter().map(member).collect();
                let pattern = format!(
                    "Self::{} {{ {} }}",
                    v.name.rust,
                    bindings(idents.iter().map(String::as_str)).join(", ")
                )
                .replace("{  }", "{}");
                if v.fields.is_empty() {
                    w.line(format!("{pattern} => bindery_repr({label}, &[]),"));
                    continue;
                }
                let items: Vec<String> = v
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let value = if paths.is_copy(&f.ty) {
                            format!("(*_f{i})")
                        } else {
                            format!("_f{i}.clone()")
                        };
                        // A tuple variant's fields are shown by position.
                        let label = if f.is_positional() {
                            ""
                        } else {
                            &f.name.python
                        };
                        format!(
                            "({}, {value}.into_bound_py_any(py)?)",
                            types::rust_str(label)
                        )
                    })
                    .collect();
                w.block(format!("{pattern} => {{"), "}", |w| {
                    w.laid_out(&array(w.column(), "let fields = ", &items, ";"));
                    w.line(format!("bindery_repr({label}, &fields)"));
                });
            }
        });
    });
}

/// `impl Hash for {name}` hashing `value` (an expression of a reference),
/// after a blank line.
pub fn hash_impl(w: &mut Writer, name: &str, value: &str) {
    w.line("");
    w.block(format!("impl ::std::hash::Hash for {name} {{"), "}", |w| {
        w.block(
            "fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {",
            "}",
            |w| w.line(format!("::std::hash::Hash::hash({value}, state);")),
        )
    });
}

/// `PartialOrd` (`Ord`) and `Hash` (PyO3's `hash` of a frozen class) by the
/// core's value.
fn trait_impls(name: &str, core: &str, traits: crate::model::Traits) -> Vec<String> {
    let mut w = Writer::at(0);
    let value = core_value(core);
    if traits.eq {
        let other = value.replace("self", "other");
        w.line("");
        w.block(format!("impl PartialEq for {name} {{"), "}", |w| {
            w.block("fn eq(&self, other: &Self) -> bool {", "}", |w| {
                w.line(format!("{value} == {other}"));
            })
        });
    }
    if traits.ord {
        let other = value.replace("self", "other");
        w.line("");
        w.block(format!("impl PartialOrd for {name} {{"), "}", |w| {
            let head = "fn partial_cmp(&self, other: &Self) -> Option<::std::cmp::Ordering> {";
            w.block(head, "}", |w| {
                w.laid_out(&super::layout::list(
                    w.column(),
                    "Some(::std::cmp::Ord::cmp",
                    &[format!("&{value}"), format!("&{other}")],
                    ")",
                ))
            })
        });
    }
    if traits.hash {
        hash_impl(&mut w, name, &format!("&{value}"));
    }
    w.finish()
}

/// Whether rustc accepts `name` as a type name without a case warning.
pub fn is_camel(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase()) && !name.contains('_')
}

/// The glue mirrors the UDL's type names, whatever their case.
pub fn allow_case(name: &str) -> Option<String> {
    (!is_camel(name)).then(|| "#[allow(non_camel_case_types)]".to_string())
}

/// `name: Type` of a glue field or constructor parameter.
fn glue_field(paths: &Paths<'_>, python: &str, ty: &crate::model::Type) -> String {
    format!("{}: {}", glue_ident(python), types::rust(ty, paths))
}

/// The glue's member of a variant's field in patterns and struct
/// expressions: its identifier, or a tuple variant's index (`V { 0: x }`
/// is Rust for tuple variants too).
fn member(f: &Field) -> String {
    if f.is_positional() {
        f.name.rust.clone()
    } else {
        glue_ident(&f.name.python)
    }
}

/// The glue's name of a field: its Python name, as a Rust identifier.
fn glue_ident(python: &str) -> String {
    names::rust_name(python).unwrap_or_else(|| python.to_string())
}

fn field_value(paths: &Paths<'_>, ty: &crate::model::Type, expr: &str, lift: bool) -> String {
    let converted = if lift {
        types::lift(ty, expr, paths)
    } else {
        types::lower(ty, expr, paths)
    };
    converted.unwrap_or_else(|| expr.to_string())
}

/// `name: _f0`, `name: _f1`, ...: a pattern's fields bound to fresh names
/// (`_f<i>` is what `variant_fields` reads), so none can shadow a glue local.
pub fn bindings<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    names
        .enumerate()
        .map(|(i, n)| format!("{n}: _f{i}"))
        .collect()
}

fn variant_fields(paths: &Paths<'_>, fields: &[Field], lift: bool) -> Vec<String> {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let target = if lift { member(f) } else { f.name.rust.clone() };
            format!(
                "{target}: {}",
                field_value(paths, &f.ty, &format!("_f{i}"), lift)
            )
        })
        .collect()
}

/// A flat enum: a Rust enum mirroring the core's, crossing as a member of
/// its `enum.Enum` class in the pure-Python enums module (`slot` is its
/// place among the flat enums, in the member cache).
pub fn flat_enum(paths: &Paths<'_>, e: &Enum, slot: usize) -> DataView {
    let name = paths.glue(&e.name);
    let core = paths.core(&e.name);
    let (from_core, to_core) = enum_conversions(paths, e);
    let camel = is_camel(&name) && e.variants.iter().all(|v| is_camel(&v.name.rust));
    let mut impls = Writer::at(0);
    impls.line("");
    impls.block(format!("impl {name} {{"), "}", |w| {
        w.line("/// Its slot in the member cache, its class's name and member count.");
        let class = types::rust_str(&e.name.python);
        let count = e.variants.len();
        w.line(format!(
            "const _ENUM: (usize, &'static str, usize) = ({slot}, {class}, {count});"
        ));
        w.line("");
        w.line("/// The variants in declaration order, as the class lists its members.");
        let members: Vec<String> = e
            .variants
            .iter()
            .map(|v| format!("Self::{}", v.name.rust))
            .collect();
        w.laid_out(&array(
            w.column(),
            &format!("const _MEMBERS: [Self; {count}] = "),
            &members,
            ";",
        ));
    });
    conversion_impls(
        &mut impls,
        (&name, &[]),
        |w| {
            w.line("let _index = bindery_member_index(_obj, Self::_ENUM)?;");
            w.line("Ok(Self::_MEMBERS[_index])");
        },
        |w| w.line("bindery_member(_py, Self::_ENUM, self as usize)"),
    );
    for (kind, doc, returns) in flat_trait_helpers(e) {
        let function = format!("bindery_enum_{kind}_{slot}");
        let python = format!("_bindery_{kind}_{}", e.name.python);
        impls.line("");
        impls.line(format!("/// {doc} (`{python}` in the native module)."));
        impls.line(format!(
            "#[::pyo3::pyfunction(name = {})]",
            types::rust_str(&python)
        ));
        let value = format!("{core}::from(value)");
        if kind == "cmp" {
            let params = [format!("value: {name}"), format!("other: {name}")];
            let head = list(
                impls.column(),
                &format!("fn {function}"),
                &params,
                &format!(" -> {returns} {{"),
            );
            impls.block(head, "}", |w| {
                w.line(format!(
                    "::std::cmp::Ord::cmp(&{value}, &{core}::from(other)) as i8"
                ));
            });
        } else {
            impls.block(
                format!("fn {function}(value: {name}) -> {returns} {{"),
                "}",
                |w| {
                    if kind == "str" {
                        w.line(format!("{value}.to_string()"));
                    } else {
                        w.line(format!("format!(\"{{:?}}\", {value})"));
                    }
                },
            );
        }
    }
    DataView {
        doc: types::rust_doc(e.docstring.as_deref()),
        attrs: std::iter::once("#[derive(Clone, Copy, PartialEq, Eq, Hash)]".to_string())
            .chain((!camel).then(|| "#[allow(non_camel_case_types)]".to_string()))
            .collect(),
        head: format!("pub enum {name} {{"),
        body: enum_body(paths, e),
        methods: Vec::new(),
        impls: impls.finish(),
        name,
        core,
        value: "value",
        from_core,
        to_core,
    }
}

/// The native helpers a flat enum's Python class calls for its `[Traits]`:
/// (kind, doc, Rust return type). `Eq` and `Hash` need none: members are
/// singletons, equal and hashed as `enum` does.
pub fn flat_trait_helpers(e: &Enum) -> Vec<(&'static str, &'static str, &'static str)> {
    let mut out = Vec::new();
    if e.traits.display {
        out.push(("str", "The core's `Display` text of a member", "String"));
    }
    if e.traits.debug {
        out.push(("repr", "The core's `Debug` text of a member", "String"));
    }
    if e.traits.ord {
        out.push(("cmp", "The core's order of two members: -1, 0 or 1", "i8"));
    }
    out
}

/// An enum with fields: a PyO3 complex enum, one class per variant.
pub fn enumeration(paths: &Paths<'_>, package: &str, e: &Enum) -> DataView {
    let name = paths.glue(&e.name);
    let core = paths.core(&e.name);
    let body = enum_body(paths, e);
    let (from_core, to_core) = enum_conversions(paths, e);
    // The glue mirrors the core's variant names, whatever their case.
    let camel = is_camel(&name) && e.variants.iter().all(|v| is_camel(&v.name.rust));
    // Hashed by the core's value where `[Traits]` gives `Hash`.
    let flags = format!(
        "eq{}{}, frozen, from_py_object",
        if e.traits.hash { ", hash" } else { "" },
        if e.traits.ord { ", ord" } else { "" }
    );
    let mut methods = Writer::at(4);
    trait_methods(&mut methods, &core, e.traits);
    variant_reduce(&mut methods);
    // With `Debug` in `[Traits]`, `__repr__` is Rust's.
    if !e.traits.debug {
        methods.line("");
        variant_repr(&mut methods, paths, e);
    }
    for (test, variant) in crate::plan::uniffi_spellings(e).tests {
        methods.line("");
        methods.line(format!(
            "/// Whether this is `{}` (UniFFI's spelling).",
            variant.trim_start_matches("r#")
        ));
        if test.chars().any(|c| c.is_ascii_uppercase()) {
            methods.line("#[allow(non_snake_case)]");
        }
        methods.block(format!("fn {test}(&self) -> bool {{"), "}", |w| {
            w.line(format!("matches!(self, Self::{variant} {{ .. }})"));
        });
    }
    let mut methods = methods.finish();
    // The methods start with a blank line between them, not before the first.
    if methods.first().is_some_and(String::is_empty) {
        methods.remove(0);
    }
    DataView {
        doc: types::rust_doc(e.docstring.as_deref()),
        attrs: vec![
            format!(
                "#[::pyo3::pyclass(module = {}, name = {}, {flags})]",
                types::rust_str(package),
                types::rust_str(&e.name.python)
            ),
            // Equal by the core's `PartialEq` where `[Traits]` give `Eq`.
            match e.traits.eq {
                true => "#[derive(Clone)]",
                false => "#[derive(Clone, PartialEq)]",
            }
            .to_string(),
            // The variants mirror the core's, whose sizes the UDL decides.
            "#[allow(clippy::large_enum_variant)]".to_string(),
        ]
        .into_iter()
        .chain((!camel).then(|| "#[allow(non_camel_case_types)]".to_string()))
        .collect(),
        head: format!("pub enum {name} {{"),
        body,
        methods,
        impls: trait_impls(&name, &core, e.traits),
        name,
        core,
        value: "value",
        from_core,
        to_core,
    }
}

/// The glue enum's variants, with their renames and fields.
/// `#[pyo3(constructor = (...))]`: a variant's fields with their defaults
/// (keyword-only from `EnumVariant::keyword_only_from`), laid out at `column`.
fn variant_constructor(paths: &Paths<'_>, v: &crate::model::EnumVariant, column: usize) -> String {
    let mut params: Vec<String> = Vec::new();
    for (i, f) in v.fields.iter().enumerate() {
        if v.keyword_only_from() == Some(i) {
            params.push("*".to_string());
        }
        params.push(match &f.default {
            Some(d) => format!("{} = {}", f.name.python, types::default(d, &f.ty, paths).1),
            None => f.name.python.clone(),
        });
    }
    super::layout::attribute("pyo3", &[format!("constructor = ({})", params.join(", "))])
        .lines()
        .enumerate()
        .map(|(k, line)| {
            if k == 0 {
                line.to_string()
            } else {
                format!("{}{line}", " ".repeat(column))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn enum_body(paths: &Paths<'_>, e: &Enum) -> Vec<String> {
    let mut body = Writer::at(4);
    // rustfmt lays every struct variant out vertically once any variant of
    // the enum carries an attribute other than its docs.
    let renamed =
        |v: &&crate::model::EnumVariant| v.name.python != v.name.rust.trim_start_matches("r#");
    let defaulted = |v: &&crate::model::EnumVariant| {
        !v.is_tuple() && v.fields.iter().any(|f| f.default.is_some())
    };
    let vertical = !e.flat && e.variants.iter().any(|v| renamed(&v));
    for v in &e.variants {
        body.lines(types::rust_doc(v.docstring.as_deref()));
        if !e.flat && renamed(&v) {
            body.line(format!(
                "#[pyo3(name = {})]",
                types::rust_str(&v.name.python)
            ));
        }
        if !e.flat && defaulted(&v) {
            body.laid_out(&variant_constructor(paths, v, body.column()));
        }
        if e.flat {
            body.line(format!("{},", v.name.rust));
        } else {
            let fields: Vec<String> = v
                .fields
                .iter()
                .map(|f| glue_field(paths, &f.name.python, &f.ty))
                .collect();
            if fields.is_empty() {
                body.line(format!("{} {{}},", v.name.rust));
            } else if v.is_tuple() {
                // A tuple variant: PyO3 gives it `_0`, `__getitem__` and a
                // positional constructor, as UniFFI's Python has.
                let types: Vec<String> =
                    v.fields.iter().map(|f| types::rust(&f.ty, paths)).collect();
                body.line(format!("{}({}),", v.name.rust, types.join(", ")));
            } else if vertical {
                body.block(format!("{} {{", v.name.rust), "},", |w| {
                    w.lines(fields.iter().map(|f| format!("{f},")))
                });
            } else {
                body.line(format!("{} {{ {} }},", v.name.rust, fields.join(", ")));
            }
        }
    }
    body.finish()
}

/// The bodies of `From<core> for glue` and `From<glue> for core`: both
/// match every variant by name.
fn enum_conversions(paths: &Paths<'_>, e: &Enum) -> (Vec<String>, Vec<String>) {
    let name = paths.glue(&e.name);
    let core = paths.core(&e.name);
    // The arms, at column 12 inside `match value {` at column 8.
    let mut from_core = Writer::at(12);
    let mut to_core = Writer::at(12);
    for v in &e.variants {
        let core_variant = format!("{core}::{}", v.name.rust);
        let glue_variant = format!("{name}::{}", v.name.rust);
        if e.flat {
            // `V {}` on the core's side: an `[Enum] interface` whose variants
            // have no fields is flat here, and its Rust variants may be
            // struct variants (UniFFI takes both).
            from_core.line(format!("{core_variant} {{}} => Self::{},", v.name.rust));
            to_core.line(format!("{glue_variant} => Self::{} {{}},", v.name.rust));
            continue;
        }
        // A variant without fields is written `V {}`: it matches and builds
        // the core's variant whether it is a unit or a struct variant.
        let core_pattern = if v.fields.is_empty() {
            format!("{core_variant} {{}}")
        } else {
            let binds = bindings(v.fields.iter().map(|f| f.name.rust.as_str()));
            format!("{core_variant} {{ {} }}", binds.join(", "))
        };
        let glue_names: Vec<String> = v.fields.iter().map(member).collect();
        let glue_binds = bindings(glue_names.iter().map(String::as_str));
        let glue_pattern =
            format!("{glue_variant} {{ {} }}", glue_binds.join(", ")).replace("{  }", "{}");
        let variant = format!("Self::{}", v.name.rust);
        // A glue variant without fields is written `V {}` (PyO3 complex
        // enums), and so is the core's (either kind of variant).
        let glue_variant_expr = if v.fields.is_empty() {
            format!("{variant} {{}}")
        } else {
            variant.clone()
        };
        if v.is_tuple() {
            // A tuple variant: built by position.
            let values = |lift: bool| -> Vec<String> {
                let value =
                    |(i, f): (usize, &Field)| field_value(paths, &f.ty, &format!("_f{i}"), lift);
                v.fields.iter().enumerate().map(value).collect()
            };
            from_core.laid_out(&tuple_arm(12, &core_pattern, &variant, &values(true)));
            to_core.laid_out(&tuple_arm(12, &glue_pattern, &variant, &values(false)));
            continue;
        }
        let lifted = variant_fields(paths, &v.fields, true);
        from_core.laid_out(&match_arm(12, &core_pattern, &glue_variant_expr, &lifted));
        let lowered = variant_fields(paths, &v.fields, false);
        to_core.laid_out(&match_arm(12, &glue_pattern, &glue_variant_expr, &lowered));
    }
    if e.non_exhaustive {
        // Unreachable in in-crate mode, or where the Rust enum is not
        // `#[non_exhaustive]` and has exactly the UDL's variants.
        from_core.line("#[allow(unreachable_patterns)]");
        from_core.line(format!(
            "_ => bindery_unknown_variant({}),",
            types::rust_str(&e.name.udl)
        ));
    }
    let in_match = |arms: Writer| {
        let mut lines = vec!["        match value {".to_string()];
        lines.extend(arms.finish());
        lines.push("        }".to_string());
        lines
    };
    (in_match(from_core), in_match(to_core))
}
