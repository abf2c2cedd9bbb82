//! Tier 3's consumer: a Python test module that calls every function and
//! method of a generated API with sample values and checks that the value
//! comes back (the synthesized core answers with its first argument of the
//! returned type), written against the package as a user writes against
//! it, so that `ruff` and `mypy --strict` check it with the stubs.
//!
//! It reads bindery's own model of the API for the Python spelling of
//! every name, so a name bindery escapes (`class_`, `DARK_RED`) is spelled
//! as the user sees it.

use std::fmt::Write as _;

use bindery_codegen::model::{Api, Callable, Type};

/// The module's alias for the package under test.
const SUBJECT: &str = "subject";

/// What a module needs besides the package.
#[derive(Default)]
struct Uses {
    datetime: bool,
    asyncio: bool,
    /// The `[Trait, WithForeign]` interfaces (by callback id) a sample
    /// implements in Python: the module defines a class for each.
    implemented: std::collections::BTreeSet<usize>,
}

impl Uses {
    fn merge(&mut self, other: Uses) {
        self.datetime |= other.datetime;
        self.asyncio |= other.asyncio;
        self.implemented.extend(other.implemented);
    }
}

/// Objects compare by identity: a call's arguments bind each object they
/// create to a name (`(_o0 := subject.X())`), and the value expected back
/// refers to those names, walking the same type in the same order.
#[derive(Clone, Copy)]
enum Objects {
    /// Neither: an object is created where it is written.
    Plain,
    /// Bind objects, numbering from `next`.
    Bind { next: usize },
    /// Refer to the objects bound from `next` on.
    Refer { next: usize },
}

impl Objects {
    /// `expr`, an object, as this mode writes it; `inner` writes what it
    /// is built from (so numbering stays in step in every mode).
    fn object(&mut self, inner: impl FnOnce(&mut Self) -> Option<String>) -> Option<String> {
        let n = match self {
            Objects::Plain => return inner(self),
            Objects::Bind { next } | Objects::Refer { next } => {
                *next += 1;
                *next - 1
            }
        };
        let expr = inner(self)?;
        Some(match self {
            Objects::Refer { .. } => format!("_o{n}"),
            _ => format!("(_o{n} := {expr})"),
        })
    }
}

/// The class a test module defines to implement `[Trait, WithForeign]`
/// interface `callback` (by its callback id) in Python.
fn implementation(callback: usize) -> String {
    format!("_Implementation{callback}")
}

/// The class implementing `[Trait, WithForeign]` interface `callback` in
/// Python: every method, taking anything (a type checker then takes it for
/// the Protocol); none is called here (the generated tests call each one
/// from Rust).
fn implementation_class(api: &Api, callback: usize) -> String {
    let c = &api.callbacks[callback];
    let mut out = format!(
        "class {}:\n    \"\"\"`{}` implemented in Python.\"\"\"\n",
        implementation(callback),
        c.name.udl
    );
    for m in &c.methods {
        let asynchronous = if m.callable.is_async { "async " } else { "" };
        let _ = write!(
            out,
            "\n    {asynchronous}def {}(self, *args: _typing.Any, **kwargs: _typing.Any) -> _typing.Any:\n        \
             raise NotImplementedError\n",
            m.callable.name.python
        );
    }
    out
}

/// A Python expression of type `t`, or `None` where no sample is built
/// here (callbacks, errors as values, interfaces without a
/// primary constructor or thrown as errors).
fn sample(api: &Api, t: &Type, uses: &mut Uses, objects: &mut Objects) -> Option<String> {
    Some(match t {
        Type::Bool => "True".into(),
        Type::I8 => "-128".into(),
        Type::I16 => "-32768".into(),
        Type::I32 => "-2147483648".into(),
        Type::I64 => "-9223372036854775808".into(),
        Type::U8 => "255".into(),
        Type::U16 => "65535".into(),
        Type::U32 => "4294967295".into(),
        Type::U64 => "18446744073709551615".into(),
        // Exact in binary: an `f32` keeps it.
        Type::F32 => "1.5".into(),
        Type::F64 => "0.1".into(),
        Type::String => r#""snow \u2603 \\ 'q' \x00""#.into(),
        Type::Bytes => r#"b"\x00\xff""#.into(),
        Type::Timestamp => {
            uses.datetime = true;
            "_datetime.datetime(2001, 2, 3, 4, 5, 6, 789, tzinfo=_datetime.UTC)".into()
        }
        Type::Duration => {
            uses.datetime = true;
            "_datetime.timedelta(days=1, microseconds=7)".into()
        }
        Type::Optional(inner) | Type::Boxed(inner) => sample(api, inner, uses, objects)?,
        Type::Sequence(inner) => format!("[{}]", sample(api, inner, uses, objects)?),
        Type::Set(inner) => format!("{{{}}}", sample(api, inner, uses, objects)?),
        Type::Map(k, v) => format!(
            "{{{}: {}}}",
            sample(api, k, uses, objects)?,
            sample(api, v, uses, objects)?
        ),
        Type::Record(id) => {
            let r = &api.records[id.0];
            let mut fields = Vec::new();
            for f in &r.fields {
                let value = sample(api, &f.ty, uses, objects)?;
                fields.push(format!("{}={value}", f.name.python));
            }
            format!("{SUBJECT}.{}({})", r.name.python, fields.join(", "))
        }
        Type::Enum(id) => {
            let e = &api.enums[id.0];
            let v = e.variants.first()?;
            if e.flat {
                format!("{SUBJECT}.{}.{}", e.name.python, v.name.python)
            } else {
                let mut fields = Vec::new();
                for f in &v.fields {
                    let value = sample(api, &f.ty, uses, objects)?;
                    fields.push(format!("{}={value}", f.name.python));
                }
                let args = fields.join(", ");
                format!("{SUBJECT}.{}.{}({args})", e.name.python, v.name.python)
            }
        }
        Type::Object(id) => {
            let o = &api.objects[id.0];
            if o.is_error {
                return None;
            }
            if let Some(callback) = o.foreign {
                // A Python implementation of the trait.
                uses.implemented.insert(callback.0);
                return objects.object(|_| Some(format!("{}()", implementation(callback.0))));
            }
            let constructor = o.constructor.as_ref()?;
            objects.object(|objects| {
                let args = arguments(api, constructor, uses, objects)?;
                Some(format!("{SUBJECT}.{}({args})", o.name.python))
            })?
        }
        // Python sees a custom type as its builtin.
        Type::Custom(id) => sample(api, &api.customs[id.0].builtin, uses, objects)?,
        Type::Callback(_) | Type::Error(_) => return None,
    })
}

/// A call's arguments, each a sample (arguments of one type get the same
/// one, so the echoed argument is the value the test expects back).
fn arguments(api: &Api, c: &Callable, uses: &mut Uses, objects: &mut Objects) -> Option<String> {
    let mut args = Vec::new();
    for a in &c.arguments {
        let arg = sample(api, &a.ty, uses, objects)?;
        args.push(bare_walrus(&arg).unwrap_or(arg));
    }
    Some(args.join(", "))
}

/// A positional argument that is all one binding (`(_o0 := X())`) needs
/// no parentheses (ruff: UP034); elsewhere (keyword values, dict entries)
/// it does.
fn bare_walrus(arg: &str) -> Option<String> {
    let inner = arg.strip_prefix("(_o")?.strip_suffix(')')?;
    // The first parenthesis closes at the end: no `(a) + (b)`.
    let mut depth = 1usize;
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return None;
        }
    }
    Some(format!("_o{inner}"))
}

/// A test of `c` called on `target` (`subject` or an instance), if it
/// echoes an argument and every argument has a sample.
fn echo_test(api: &Api, target: &str, c: &Callable, name: &str, uses: &mut Uses) -> Option<String> {
    let returns = c.returns.as_ref()?;
    // Some argument has the returned type: the core gives it back. Its
    // sample is written in the call itself, so a type checker reads the
    // literal against the parameter's type (a `list[str]` variable is no
    // `list[str | None]`: lists are invariant).
    let echoed = c.arguments.iter().position(|a| a.ty == *returns)?;
    // What this test uses counts only if it is written.
    let mut mine = Uses::default();
    // The objects the echoed argument binds are numbered after those of
    // the arguments before it.
    let mut before = Objects::Bind { next: 0 };
    for a in &c.arguments[..echoed] {
        sample(api, &a.ty, &mut Uses::default(), &mut before)?;
    }
    let Objects::Bind { next } = before else {
        unreachable!("bound above")
    };
    let args = arguments(api, c, &mut mine, &mut Objects::Bind { next: 0 })?;
    let value = sample(api, returns, &mut mine, &mut Objects::Refer { next })?;
    uses.merge(mine);
    let call = format!("{target}.{}({args})", c.name.python);
    let call = if c.is_async {
        uses.asyncio = true;
        format!("_asyncio.run(_awaited({call}))")
    } else {
        call
    };
    Some(format!(
        "def test_{name}_gives_back_its_argument() -> None:\n    assert {call} == {value}\n"
    ))
}

/// The test module for `api` (the package `api.package`).
pub fn module(api: &Api) -> String {
    let mut uses = Uses::default();
    let mut tests = Vec::new();
    for (k, f) in api.functions.iter().enumerate() {
        tests.extend(echo_test(
            api,
            SUBJECT,
            f,
            &format!("function_{k}"),
            &mut uses,
        ));
    }
    for (i, o) in api.objects.iter().enumerate() {
        // An instance, from the primary constructor with samples (a
        // Python implementation is no target: its methods are Python's).
        let mut mine = Uses::default();
        let object = Type::Object(bindery_codegen::model::ObjectId(i));
        if o.foreign.is_some() {
            continue;
        }
        let Some(instance) = sample(api, &object, &mut mine, &mut Objects::Plain) else {
            continue;
        };
        for (k, m) in o.methods.iter().enumerate() {
            let target = format!("({instance})");
            let name = format!("object_{i}_method_{k}");
            if let Some(test) = echo_test(api, &target, m, &name, &mut uses) {
                uses.merge(std::mem::take(&mut mine));
                tests.push(test);
            }
        }
    }
    let mut out = String::from(
        "\"\"\"Values round-tripped through the package (cargo xtask conformance).\"\"\"\n\n\
         from __future__ import annotations\n\n",
    );
    if uses.asyncio {
        out.push_str("import asyncio as _asyncio\n");
    }
    if uses.datetime {
        out.push_str("import datetime as _datetime\n");
    }
    let typing = uses.asyncio || !uses.implemented.is_empty();
    if typing {
        out.push_str("import typing as _typing\n");
    }
    if typing || uses.datetime {
        out.push('\n');
    }
    let _ = writeln!(out, "import {} as {SUBJECT}", api.package);
    if uses.asyncio {
        out.push_str(
            "\n_T = _typing.TypeVar(\"_T\")\n\n\n\
             async def _awaited(awaitable: _typing.Awaitable[_T]) -> _T:\n    return await awaitable\n",
        );
    }
    for &callback in &uses.implemented {
        out.push_str("\n\n");
        out.push_str(&implementation_class(api, callback));
    }
    for test in &tests {
        out.push_str("\n\n");
        out.push_str(test);
    }
    if tests.is_empty() {
        // Nothing echoes: the module still imports the package.
        let _ = writeln!(
            out,
            "\n\ndef test_the_package_imports() -> None:\n    assert {SUBJECT}.__name__ == {:?}",
            api.package
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::bare_walrus;

    #[test]
    fn a_whole_binding_loses_its_parentheses_and_nothing_else_does() {
        assert_eq!(
            bare_walrus("(_o0 := subject.X(1, (_o1 := subject.Y())))").as_deref(),
            Some("_o0 := subject.X(1, (_o1 := subject.Y()))")
        );
        assert_eq!(bare_walrus("(_o0 := a) + (b)"), None);
        assert_eq!(bare_walrus("subject.X()"), None);
        assert_eq!(bare_walrus("[(_o0 := subject.X())]"), None);
    }
}
