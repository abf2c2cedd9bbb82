//! Error types: their classes, bases and fields, and their config.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::diagnostics::{Annotate, Code, Diagnostic, Source};
use crate::model::{ClassField, ErrorClass, ErrorType, Field, Type, Variant};
use crate::names;

use super::{configured, Lowerer};
use crate::config::{ErrorConfig, VariantConfig};

/// The class a variant raises, as its config chooses it.
struct ClassChoice {
    name: String,
    bases: Vec<String>,
    /// Where the bases (or, failing that, the class) are written.
    bases_at: Range<usize>,
}

/// The classes of one error type so far, with where each one's bases are.
#[derive(Default)]
struct Classes {
    classes: Vec<ErrorClass>,
    bases_at: Vec<Range<usize>>,
}

impl Lowerer<'_, '_> {
    /// An error type: its base class, a variant each, and the classes the
    /// variants raise (one per variant, or shared where the config groups them).
    pub(super) fn error_type(&mut self, e: uniffi_meta::EnumMetadata, flat: bool) -> ErrorType {
        self.lowering(&e.name, None);
        let config = configured(&self.cx.config.errors, &e.name);
        let name = self.name(self.cx.spans.def(&e.name), &e.name);
        let name = super::data::rust_named(name, e.orig_name.clone());
        let base = self.error_base(&e.name, config);
        let variant_attrs: BTreeSet<String> = e
            .variants
            .iter()
            .map(|v| names::python_name(&v.name))
            .collect();
        let mut variants = Vec::new();
        let mut classes = Classes::default();
        for v in e.variants {
            let vconfig = config.and_then(|c| configured(&c.variants, &v.name));
            let choice = self.variant_class(&e.name, &base, &v.name, vconfig);
            let fields = self.error_fields(&e.name, &base, &v, &choice.bases, &variant_attrs);
            let class = self.assign_class(&mut classes, choice, variants.len());
            let vname = self.name(self.cx.spans.member(&e.name, &v.name), &v.name);
            let vname = super::data::rust_named(vname, v.orig_name.clone());
            variants.push(Variant {
                name: vname,
                class,
                fields,
                docstring: v.docstring,
            });
        }
        let mut classes = classes.classes;
        self.shared_fields(&e.name, &mut classes, &variants);
        ErrorType {
            name,
            base,
            flat,
            non_exhaustive: e.non_exhaustive,
            docstring: e.docstring,
            variants,
            classes,
        }
    }

    /// The base class name: configured, or the error's own name.
    fn error_base(&mut self, error: &str, config: Option<&ErrorConfig>) -> String {
        match config.and_then(|c| c.base.as_ref()) {
            Some(b) => {
                self.check_shadow(b, &[]);
                self.class_setting(b)
            }
            None => {
                if names::is_python_keyword(error) {
                    let span = self.cx.spans.def(error);
                    self.udl(
                        Code::InvalidName,
                        span,
                        format!("`{error}` is a Python keyword and cannot name a class"),
                    )
                    .with_help(format!("set `base` in `[errors.{error}]`"));
                }
                error.to_string()
            }
        }
    }

    /// The class a variant raises, its bases, and where they are written.
    fn variant_class(
        &mut self,
        error: &str,
        base: &str,
        variant: &str,
        vconfig: Option<&VariantConfig>,
    ) -> ClassChoice {
        let span = self.cx.spans.member(error, variant);
        let python = names::python_name(variant);
        if self.is_exception_attribute(&python) || python.starts_with("__") {
            self.udl(Code::ReservedName, span.clone(), format!("variant `{variant}` would become the attribute `{base}.{python}`, which exceptions already use"))
                .with_help("rename the variant");
        }
        let configured_bases: Vec<String> = vconfig
            .map(|c| c.bases.iter().map(|b| b.get_ref().clone()).collect())
            .unwrap_or_default();
        let name = match vconfig.and_then(|c| c.class.as_ref()) {
            Some(c) => {
                self.check_shadow(c, &configured_bases);
                self.class_setting(c)
            }
            None => self.default_class(base, variant),
        };
        let at = vconfig
            .and_then(|c| c.class.as_ref())
            .map(|c| (Source::Config, c.span()))
            .unwrap_or((Source::Udl, span));
        if name == base {
            self.sink.push(
                Diagnostic::new(
                    Code::NameCollision,
                    at.0,
                    at.1.clone(),
                    format!("variant class `{name}` has the name of its base class"),
                )
                .with_help("pick another `class` for the variant, or another `base`"),
            );
        }
        let bases = self.bases(vconfig.map(|c| c.bases.as_slice()).unwrap_or(&[]));
        let bases_at = vconfig
            .and_then(|c| c.bases.first().map(|b| b.span()))
            .unwrap_or(at.1);
        ClassChoice {
            name,
            bases,
            bases_at,
        }
    }

    /// A variant's fields, each checked against the exception's attributes.
    fn error_fields(
        &mut self,
        error: &str,
        base: &str,
        v: &uniffi_meta::VariantMetadata,
        bases: &[String],
        variant_attrs: &BTreeSet<String>,
    ) -> Vec<Field> {
        let spans = self.cx.spans;
        let mut fields = Vec::new();
        let mut field_names = Vec::new();
        for (i, f) in v.fields.iter().enumerate() {
            let fspan = spans.arg(error, &v.name, &f.name);
            let fname = if f.name.is_empty() {
                super::data::positional(i)
            } else {
                super::data::rust_named(self.name(fspan.clone(), &f.name), f.orig_name.clone())
            };
            let python = fname.python.as_str();
            let taken_by_base = bases
                .iter()
                .filter_map(|b| names::builtin_exception(b))
                .find(|b| b.attributes.contains(&python));
            let shadowed = if python == self.variant_attribute {
                Some((
                    format!("the exception attribute `{python}` that names the variant"),
                    "rename the field, or the attribute with `python.variant-attribute`",
                ))
            } else if self.is_exception_attribute(python) || python.starts_with("__") {
                Some((
                    format!("the exception attribute `{python}`"),
                    "rename the field",
                ))
            } else if let Some(b) = taken_by_base {
                Some((
                    format!("the attribute `{python}` of the base `{}`", b.name),
                    "rename the field, or drop that base",
                ))
            } else if variant_attrs.contains(python) {
                Some((
                    format!("the variant class attribute `{base}.{python}`"),
                    "rename the field or the variant",
                ))
            } else {
                None
            };
            if let Some((what, help)) = shadowed {
                self.udl(
                    Code::ReservedName,
                    fspan.clone(),
                    format!("field `{}` would shadow {what}", f.name),
                )
                .with_help(help);
            }
            field_names.push((fname.python.clone(), fspan.clone()));
            let ty = self.ty(&f.ty, fspan.clone());
            if ty.as_ref().is_some_and(Type::contains_callback) {
                self.udl(
                    Code::Unsupported,
                    fspan,
                    format!(
                        "field `{}` holds a callback interface; error fields cannot",
                        f.name
                    ),
                )
                .with_help(super::CALLBACK_ELSEWHERE);
            } else if let Some(ty) = ty {
                fields.push(Field {
                    name: fname,
                    ty,
                    docstring: f.docstring.clone(),
                    // An error's class takes every field (errors.py).
                    default: None,
                });
            }
        }
        self.check_unique(field_names, &format!("in variant `{}`", v.name));
        fields
    }

    /// The index of the class variant `index` raises: a new one, or the
    /// class of that name already made (which must have the same bases).
    fn assign_class(&mut self, classes: &mut Classes, choice: ClassChoice, index: usize) -> usize {
        let ClassChoice {
            name,
            bases,
            bases_at,
        } = choice;
        let Some(existing) = classes.classes.iter().position(|c| c.name == name) else {
            classes.bases_at.push(bases_at);
            classes.classes.push(ErrorClass {
                name,
                bases,
                variants: vec![index],
                fields: Vec::new(),
            });
            return classes.classes.len() - 1;
        };
        if classes.classes[existing].bases != bases {
            let first = classes.bases_at[existing].clone();
            self.sink.push(
                Diagnostic::new(
                    Code::BaseConflict,
                    Source::Config,
                    bases_at,
                    format!("variants grouped in `{name}` declare different `bases`"),
                )
                .with_related(
                    Source::Config,
                    first,
                    "the first variant of the group declares these",
                )
                .with_help("give every variant of a shared class the same `bases`"),
            );
        }
        classes.classes[existing].variants.push(index);
        existing
    }

    /// The class name of a variant without a configured `class`: `VError`
    /// (or `V` when it ends in `Error`); where that is taken (by the base,
    /// by another definition, or by another error type's default) it is
    /// `BaseV`, then `BaseV2`, ...: a default never makes a valid UDL fail,
    /// and does not depend on the order of the definitions.
    fn default_class(&mut self, base: &str, variant: &str) -> String {
        let plain = super::default_class_name(variant);
        let free = |name: &String, l: &Self| name != base && !l.taken.contains(name);
        let mut name = plain;
        if !free(&name, self) {
            name = format!("{base}{variant}");
            let stem = name.clone();
            let mut n = 2;
            while !free(&name, self) {
                name = format!("{stem}{n}");
                n += 1;
            }
        }
        self.taken.insert(name.clone());
        name
    }

    /// Whether exceptions already have an attribute `name` (Python's own, or
    /// the variant attribute bindery adds).
    fn is_exception_attribute(&self, name: &str) -> bool {
        names::EXCEPTION_RESERVED.contains(&name) || name == self.variant_attribute
    }

    /// A shared class holds the union of its variants' fields; a field some
    /// variant lacks is optional.
    fn shared_fields(&mut self, error: &str, classes: &mut [ErrorClass], variants: &[Variant]) {
        let spans = self.cx.spans;
        for class in classes {
            let mut union: Vec<ClassField> = Vec::new();
            for &vi in &class.variants {
                for f in &variants[vi].fields {
                    match union.iter().find(|u| u.python == f.name.python) {
                        Some(u) if u.ty != f.ty => {
                            let span = spans.arg(error, &variants[vi].name.udl, &f.name.udl);
                            self.sink.push(
                                Diagnostic::new(Code::GroupConflict, Source::Udl, span, format!("field `{}` has different types in the variants grouped in `{}`", f.name.udl, class.name))
                                    .with_help("give the field one type, or do not group these variants"),
                            );
                        }
                        Some(_) => {}
                        None => union.push(ClassField {
                            python: f.name.python.clone(),
                            ty: f.ty.clone(),
                            required: true,
                            positional: f.is_positional(),
                        }),
                    }
                }
            }
            for u in &mut union {
                u.required = class.variants.iter().all(|&vi| {
                    variants[vi]
                        .fields
                        .iter()
                        .any(|f| f.name.python == u.python)
                });
            }
            class.fields = union;
        }
    }

    /// Validates configured bases: built-in, compatible, not redundant.
    pub(super) fn bases(&mut self, bases: &[toml::Spanned<String>]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut layout: Option<(&'static str, Range<usize>, &'static str)> = None;
        for b in bases {
            let name = b.get_ref();
            let Some(builtin) = names::builtin_exception(name) else {
                let all = names::BUILTIN_EXCEPTIONS.iter().map(|b| b.name);
                let d = self.cfg(
                    Code::UnknownBase,
                    b.span(),
                    format!("`{name}` is not a built-in exception that bindery can use as a base"),
                );
                d.notes.push("`bases` name Python built-in `Exception` subclasses such as `LookupError` or `TimeoutError`".into());
                if let Some(guess) = names::did_you_mean(name, all) {
                    d.help = Some(format!("did you mean `{guess}`?"));
                }
                continue;
            };
            if builtin.name == "Exception" {
                self.cfg(
                    Code::BaseConflict,
                    b.span(),
                    "`Exception` is already a base of every bindery exception",
                )
                .with_help("remove it from `bases`");
                continue;
            }
            if let Some(other) = out.iter().find(|o| {
                names::builtin_is_subclass(o, name) || names::builtin_is_subclass(name, o)
            }) {
                let other = other.clone();
                self.cfg(Code::BaseConflict, b.span(), format!("`{name}` and `{other}` are related; list only the more specific one"))
                    .with_help("a base that is an ancestor of another base breaks Python's method resolution order");
                continue;
            }
            if !builtin.layout.is_empty() {
                match &layout {
                    Some((family, span, first)) if *family != builtin.layout => {
                        let (span, first) = (span.clone(), *first);
                        self.cfg(Code::BaseConflict, b.span(), format!("`{name}` cannot be combined with `{first}` (CPython: instance lay-out conflict)"))
                            .with_related(Source::Config, span, "conflicting base");
                        continue;
                    }
                    Some(_) => {}
                    None => layout = Some((builtin.layout, b.span(), builtin.name)),
                }
            }
            out.push(name.clone());
        }
        out
    }

    pub(super) fn check_config_errors(&mut self, errors: &[ErrorType]) {
        for (key, config) in &self.cx.config.errors {
            let Some(error) = errors.iter().find(|e| &e.name.udl == key.get_ref()) else {
                let candidates: Vec<String> = self.ids.errors.keys().cloned().collect();
                let guess =
                    names::did_you_mean(key.get_ref(), candidates.iter().map(String::as_str))
                        .map(str::to_string);
                let d = self.cfg(
                    Code::UnknownInConfig,
                    key.span(),
                    format!("the UDL declares no error type `{}`", key.get_ref()),
                );
                d.help = Some(match guess {
                    Some(g) => format!("did you mean `{g}`?"),
                    None if candidates.is_empty() => "the UDL declares no `[Error]` types".into(),
                    None => format!("error types in the UDL: {}", candidates.join(", ")),
                });
                continue;
            };
            for vkey in config.variants.keys() {
                if !error.variants.iter().any(|v| &v.name.udl == vkey.get_ref()) {
                    let guess = names::did_you_mean(
                        vkey.get_ref(),
                        error.variants.iter().map(|v| v.name.udl.as_str()),
                    );
                    let d = self.cfg(
                        Code::UnknownInConfig,
                        vkey.span(),
                        format!("`{}` has no variant `{}`", error.name.udl, vkey.get_ref()),
                    );
                    if let Some(g) = guess {
                        d.help = Some(format!("did you mean `{g}`?"));
                    }
                }
            }
        }
    }

    pub(super) fn base_span(&self, e: &ErrorType) -> (Source, Range<usize>) {
        configured(&self.cx.config.errors, &e.name.udl)
            .and_then(|c| c.base.as_ref().map(|b| (Source::Config, b.span())))
            .unwrap_or_else(|| (Source::Udl, self.cx.spans.def(&e.name.udl)))
    }

    /// Where a class's name comes from: its `class` in the config, else its
    /// first variant in the UDL.
    pub(super) fn class_span(&self, e: &ErrorType, c: &ErrorClass) -> (Source, Range<usize>) {
        let config = configured(&self.cx.config.errors, &e.name.udl);
        let set = c.variants.iter().find_map(|&vi| {
            let variant = configured(&config?.variants, &e.variants[vi].name.udl)?;
            variant
                .class
                .as_ref()
                .map(|class| (Source::Config, class.span()))
        });
        set.unwrap_or_else(|| {
            let variant = &e.variants[c.variants[0]];
            (
                Source::Udl,
                self.cx.spans.member(&e.name.udl, &variant.name.udl),
            )
        })
    }
}
