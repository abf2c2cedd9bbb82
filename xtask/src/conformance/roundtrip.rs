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
}

/// A Python expression of type `t`, or `None` where no sample is built
/// here (callbacks, errors as values, interfaces without a
/// primary constructor or thrown as errors).
fn sample(api: &Api, t: &Type, uses: &mut Uses) -> Option<String> {
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
        Type::Optional(inner) => sample(api, inner, uses)?,
        Type::Sequence(inner) => format!("[{}]", sample(api, inner, uses)?),
        Type::Map(k, v) => format!("{{{}: {}}}", sample(api, k, uses)?, sample(api, v, uses)?),
        Type::Record(id) => {
            let r = &api.records[id.0];
            let mut fields = Vec::new();
            for f in &r.fields {
                fields.push(format!("{}={}", f.name.python, sample(api, &f.ty, uses)?));
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
                    fields.push(format!("{}={}", f.name.python, sample(api, &f.ty, uses)?));
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
            let args = arguments(api, o.constructor.as_ref()?, uses)?;
            format!("{SUBJECT}.{}({args})", o.name.python)
        }
        // Python sees a custom type as its builtin.
        Type::Custom(id) => sample(api, &api.customs[id.0].builtin, uses)?,
        Type::Callback(_) | Type::Error(_) => return None,
    })
}

/// A call's arguments, each a sample (arguments of one type get the same
/// one, so the echoed argument is the value the test expects back).
fn arguments(api: &Api, c: &Callable, uses: &mut Uses) -> Option<String> {
    let mut args = Vec::new();
    for a in &c.arguments {
        args.push(sample(api, &a.ty, uses)?);
    }
    Some(args.join(", "))
}

/// A test of `c` called on `target` (`subject` or an instance), if it
/// echoes an argument and every argument has a sample.
fn echo_test(api: &Api, target: &str, c: &Callable, name: &str, uses: &mut Uses) -> Option<String> {
    let returns = c.returns.as_ref()?;
    // Some argument has the returned type: the core gives it back. Its
    // sample is written in the call itself, so a type checker reads the
    // literal against the parameter's type (a `list[str]` variable is no
    // `list[str | None]`: lists are invariant).
    c.arguments.iter().position(|a| a.ty == *returns)?;
    // What this test uses counts only if it is written.
    let mut mine = Uses::default();
    let value = sample(api, returns, &mut mine)?;
    let args = arguments(api, c, &mut mine)?;
    uses.datetime |= mine.datetime;
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
        // An instance, from the primary constructor with samples.
        let mut mine = Uses::default();
        let object = Type::Object(bindery_codegen::model::ObjectId(i));
        let Some(instance) = sample(api, &object, &mut mine) else {
            continue;
        };
        for (k, m) in o.methods.iter().enumerate() {
            let target = format!("({instance})");
            let name = format!("object_{i}_method_{k}");
            if let Some(test) = echo_test(api, &target, m, &name, &mut uses) {
                uses.datetime |= mine.datetime;
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
    if uses.asyncio {
        out.push_str("import typing as _typing\n");
    }
    if uses.asyncio || uses.datetime {
        out.push('\n');
    }
    let _ = writeln!(out, "import {} as {SUBJECT}", api.package);
    if uses.asyncio {
        out.push_str(
            "\n_T = _typing.TypeVar(\"_T\")\n\n\n\
             async def _awaited(awaitable: _typing.Awaitable[_T]) -> _T:\n    return await awaitable\n",
        );
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
