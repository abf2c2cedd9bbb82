//! Rules over lowered definitions: unique names, one package namespace.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::diagnostics::{Annotate, Code, Source};
use crate::model::{Api, Enum, Export, Name, Record, Type};
use crate::names;

use super::Lowerer;

impl Lowerer<'_, '_> {
    /// `check_unique` for the members of one definition, by their Python names.
    pub(super) fn check_unique_members<'n>(
        &mut self,
        owner: &str,
        names: impl IntoIterator<Item = &'n Name>,
        scope: &str,
    ) {
        let spans = self.cx.spans;
        let located: Vec<(String, Range<usize>)> = names
            .into_iter()
            .map(|n| (n.python.clone(), spans.member(owner, &n.udl)))
            .collect();
        self.check_unique(located, scope);
    }

    /// `check_unique_located` for names that all come from the UDL.
    pub(super) fn check_unique(
        &mut self,
        names: impl IntoIterator<Item = (String, Range<usize>)>,
        scope: &str,
    ) {
        let located = names.into_iter().map(|(n, span)| (n, (Source::Udl, span)));
        let help = "rename one of them in the UDL: a name Python or Rust reserves is \
                    spelled with a trailing `_` (`lambda` as `lambda_`), so both are one name";
        self.check_unique_with(located, scope, help);
    }

    /// One diagnostic per name given twice, at the second, with the first as
    /// a secondary label; a name set in the config is the primary side.
    pub(super) fn check_unique_located(
        &mut self,
        names: impl IntoIterator<Item = (String, (Source, Range<usize>))>,
        scope: &str,
    ) {
        let help = "rename one of them (in the UDL, or with `class` in the config)";
        self.check_unique_with(names, scope, help);
    }

    /// `check_unique_located` with the help for its kind of names.
    fn check_unique_with(
        &mut self,
        names: impl IntoIterator<Item = (String, (Source, Range<usize>))>,
        scope: &str,
        help: &str,
    ) {
        let mut seen: BTreeMap<String, (Source, Range<usize>)> = BTreeMap::new();
        for (name, here) in names {
            let Some(first) = seen.get(&name).cloned() else {
                seen.insert(name, here);
                continue;
            };
            // The same place is the same definition; proc-macro items all
            // have the empty place (UniFFI records none), so theirs are not.
            if first == here && !here.1.is_empty() {
                continue;
            }
            let (primary, other, label) = if first.0 == Source::Config && here.0 == Source::Udl {
                (first, here, "the UDL defines it here")
            } else {
                (here, first, "first defined here")
            };
            let d = self
                .push(
                    primary.0,
                    Code::NameCollision,
                    primary.1,
                    format!("two definitions are both called `{name}` {scope}"),
                )
                .with_help(help);
            if !other.1.is_empty() {
                d.with_related(other.0, other.1, label);
            }
        }
    }

    /// A record or enum whose value holds itself, directly or through
    /// options, boxes and other records and enums, has a glue value of
    /// infinite size: refused (a list, map or interface object between
    /// them is fine).
    pub(super) fn check_recursive_values(&mut self, records: &[Record], enums: &[Enum]) {
        // Each definition's inline neighbours: records and enums with fields.
        fn inline(ty: &Type, out: &mut Vec<Type>) {
            match ty {
                Type::Record(_) | Type::Enum(_) => out.push(ty.clone()),
                Type::Optional(inner) | Type::Boxed(inner) => inline(inner, out),
                _ => {}
            }
        }
        let neighbours = |ty: &Type| {
            let mut out = Vec::new();
            let fields: Vec<&Type> = match ty {
                Type::Record(id) => records[id.0].fields.iter().map(|f| &f.ty).collect(),
                Type::Enum(id) => (enums[id.0].variants.iter())
                    .flat_map(|v| &v.fields)
                    .map(|f| &f.ty)
                    .collect(),
                _ => Vec::new(),
            };
            fields.into_iter().for_each(|t| inline(t, &mut out));
            out
        };
        let definitions = (0..records.len())
            .map(|i| (Type::Record(crate::model::RecordId(i)), &records[i].name))
            .chain((0..enums.len()).map(|i| (Type::Enum(crate::model::EnumId(i)), &enums[i].name)));
        for (start, name) in definitions {
            let mut seen = Vec::new();
            let mut todo = neighbours(&start);
            while let Some(next) = todo.pop() {
                if seen.contains(&next) {
                    continue;
                }
                todo.extend(neighbours(&next));
                seen.push(next);
            }
            if !seen.contains(&start) {
                continue;
            }
            self.lowering(&name.udl, None);
            let span = self.cx.spans.def(&name.udl);
            self.udl(
                Code::Unsupported,
                span,
                format!("`{}` holds a value of its own type: bindery does not bind recursive values yet", name.udl),
            )
            .with_help("hold the nested values in a list (`Vec`), or make the type an interface");
        }
        self.item = None;
    }

    /// Everything the package exports shares one namespace.
    pub(super) fn check_exports(&mut self, api: &Api) {
        let spans = self.cx.spans;
        let def = |n: &Name| (Source::Udl, spans.def(&n.udl));
        let located: Vec<(String, (Source, Range<usize>))> = api
            .exports()
            .into_iter()
            .map(|(name, what)| {
                let at = match what {
                    Export::ErrorsModule | Export::ListenersModule => (Source::Udl, 0..0),
                    Export::ErrorBase(id) => self.base_span(api.error(id)),
                    Export::PanicClass => self.panic_span(),
                    Export::PanicAlias => (Source::Udl, 0..0),
                    Export::Dispatcher => self.backends_span(),
                    Export::FlushEvents | Export::SetEventLoop => (Source::Udl, 0..0),
                    Export::ErrorClass(id, k) => {
                        let e = api.error(id);
                        self.class_span(e, &e.classes[k])
                    }
                    Export::Function(i) => {
                        let f = &api.functions[i].name.udl;
                        (Source::Udl, spans.member(&api.namespace, f))
                    }
                    Export::Record(id) => def(&api.record(id).name),
                    Export::Enum(id) | Export::VariantAlias(id) => def(&api.enumeration(id).name),
                    Export::ClassAlias(i) => match api.class_aliases[i].1 {
                        Export::Record(id) => def(&api.record(id).name),
                        Export::Enum(id) => def(&api.enumeration(id).name),
                        Export::Object(id) => def(&api.object(id).name),
                        _ => (Source::Udl, 0..0),
                    },
                    Export::Object(id) => def(&api.object(id).name),
                    Export::Custom(id) => def(&api.custom(id).name),
                    Export::Listener(id) | Export::Protocol(id) => def(&api.callback(id).name),
                };
                (name, at)
            })
            .collect();
        // The modules bindery adds: a definition of their name gets its own
        // diagnostic, naming the config key that renames the module.
        let mut modules = vec![api.errors_module.clone()];
        if !api.callbacks.is_empty() {
            modules.push(api.listeners_module.clone());
        }
        let others: Vec<_> = located
            .into_iter()
            .filter(|(name, (_, span))| !(modules.contains(name) && span.is_empty()))
            .collect();
        for (module, key) in [
            (&api.errors_module, "python.errors-module"),
            (&api.listeners_module, "python.listeners-module"),
        ] {
            if !modules.contains(module) {
                continue;
            }
            for (name, (source, span)) in others.iter().filter(|(name, _)| name == module) {
                self.push(
                    *source,
                    Code::NameCollision,
                    span.clone(),
                    format!("`{name}` is also the name of the package's module `{module}`"),
                )
                .with_help(format!(
                    "rename the module with `{key} = \"...\"` in `[python]`, or rename this definition"
                ));
            }
        }
        let others: Vec<_> = others
            .into_iter()
            .filter(|(n, _)| !modules.contains(n))
            .collect();
        // The package's own functions cannot be renamed: the definition is.
        let dispatcher = self.backends_span();
        let flush = crate::model::FLUSH_EVENTS;
        let set_loop = crate::model::SET_EVENT_LOOP;
        let own = |name: &str| {
            crate::model::DISPATCHER_FUNCTIONS.contains(&name) && !api.backends.is_empty()
                || name == flush && api.has_queued()
                || name == set_loop && api.awaits_python()
        };
        for (name, (source, span)) in &others {
            let generated = (*source, span.clone()) == dispatcher || span.is_empty();
            if !own(name) || generated {
                continue;
            }
            let d = self.push(
                *source,
                Code::NameCollision,
                span.clone(),
                format!("`{name}` is also a function the package defines itself"),
            );
            if name == flush {
                d.with_note("a package with queued listener methods exports `flush_events`, which waits for their events");
            } else if name == set_loop {
                d.with_note("a package with `[Async]` callback methods exports `uniffi_set_event_loop`, which sets the event loop their coroutines run on (UniFFI's name)");
            } else {
                d.with_related(dispatcher.0, dispatcher.1.clone(), "a package with backends exports `use_backend`, `active_backend` and `installed_backends`");
            }
            d.with_help("rename this definition");
        }
        let others: Vec<_> = others.into_iter().filter(|(n, _)| !own(n)).collect();
        self.check_unique_located(others, "in the package namespace");
    }
}

/// "did you mean" for a misspelled name, else the valid names when they are
/// few (`what` says what they are), else how many there are.
pub(super) fn suggestion<'a>(
    name: &str,
    known: impl Iterator<Item = &'a str> + Clone,
    what: &str,
) -> String {
    if let Some(guess) = names::did_you_mean(name, known.clone()) {
        return format!("did you mean `{guess}`?");
    }
    let all: Vec<String> = known.map(|k| format!("`{k}`")).collect();
    match all.len() {
        0 => format!("there are no {what}"),
        1..=8 => format!("{what}: {}", all.join(", ")),
        n => format!("there are {n} {what}; none is close to `{name}`"),
    }
}
