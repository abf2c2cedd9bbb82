//! Glue for callback interfaces: a bridge type per interface that implements
//! the core trait for a Python object, and the conversion of Python
//! exceptions back into Rust error values.
//!
//! Which methods exist is decided once, at registration. A missing optional
//! method (or the base class's no-op default) is `None` and is skipped
//! without taking the GIL; every exception raised by a callback reaches
//! `sys.unraisablehook` with the listener as its object, unless it is one
//! of the method's own error classes, which Rust then receives as a value.

use super::layout::{let_call, list, match_arm, struct_expr};
use super::writer::{conversion_impls, Writer};

use super::types::{self, Paths};
use crate::model::{CallbackId, CallbackMethod, ErrorId, ErrorType, ObjectId, Type};

/// `bindery_uniffi_flat`: a flat error read back from Python through the
/// crate's UniFFI `Lift`, as UniFFI's bindings read it.
pub fn uniffi_flat_helper(paths: &Paths<'_>) -> Vec<String> {
    let tag = format!("{}::UniFfiTag", paths.krate);
    vec![
        "/// A flat error's variant, by UniFFI's number for it, made by the".to_string(),
        "/// crate's UniFFI derive: a unit variant where the crate has UniFFI".to_string(),
        "/// read them (`with_try_read`); else UniFFI refuses to (its panic, raised".to_string(),
        "/// as the package's panic class), as for UniFFI's own bindings.".to_string(),
        format!("fn bindery_uniffi_flat<E: ::uniffi::Lift<{tag}>>("),
        "    py: ::pyo3::Python<'_>,".to_string(),
        "    variant: i32,".to_string(),
        ") -> ::pyo3::PyResult<E> {".to_string(),
        "    let bindery_buffer = variant.to_be_bytes();".to_string(),
        "    match ::std::panic::catch_unwind(|| E::try_read(&mut &bindery_buffer[..])) {"
            .to_string(),
        "        Ok(Ok(value)) => Ok(value),".to_string(),
        "        Ok(Err(error)) => {".to_string(),
        "            let message = error.root_cause().to_string();".to_string(),
        "            Err(::pyo3::exceptions::PyValueError::new_err(message))".to_string(),
        "        }".to_string(),
        "        Err(payload) => Err(bindery_panic(py, payload)),".to_string(),
        "    }".to_string(),
        "}".to_string(),
    ]
}

/// `bindery_same_error`: whether two exceptions held as error values are
/// the same value (records and enums holding them compare with it).
pub fn same_error_helper() -> Vec<String> {
    [
        "/// Two exceptions held as error values are equal when they are one",
        "/// object, or of one class with equal arguments and attributes.",
        "fn bindery_same_error(",
        "    _one: &::pyo3::Bound<'_, ::pyo3::PyAny>,",
        "    _other: &::pyo3::Bound<'_, ::pyo3::PyAny>,",
        ") -> bool {",
        "    let same = |name: &str| -> ::pyo3::PyResult<bool> { _one.getattr(name)?.eq(_other.getattr(name)?) };",
        "    _one.is(_other) || _one.get_type().is(_other.get_type()) && same(\"args\").unwrap_or(false) && same(\"__dict__\").unwrap_or(false)",
        "}",
    ]
    .map(String::from)
    .to_vec()
}

/// The newtype of an error type used as a value: Python sees an instance of
/// one of its exception classes, built and read as for a raised one. It
/// holds that exception, so records and enums hand out the instance they
/// hold, and the core's error need not be `Clone`.
pub fn error_value(paths: &Paths<'_>, id: ErrorId) -> Vec<String> {
    let ty = Type::Error(id);
    let glue = paths.glue_of(&ty);
    let core = paths.core_of(&ty);
    let base = &paths.api.error(id).base;
    let (to_py, from_py) = (paths.to_py_fn(id), paths.from_py_fn(id));
    let mut w = Writer::at(0);
    w.line(format!(
        "/// `{core}` as a value: an instance of `{base}` in Python, held."
    ));
    w.line(format!("pub struct {glue}(::pyo3::Py<::pyo3::PyAny>);"));
    w.line("");
    // A value only returned to Python, or only passed to Rust, uses one.
    w.line("#[allow(dead_code)]");
    w.block(format!("impl {glue} {{"), "}", |w| {
        w.line("/// The exception of the core's value.");
        w.block(format!("fn _new(value: {core}) -> Self {{"), "}", |w| {
            w.block("::pyo3::Python::attach(|py| {", "})", |w| {
                w.line(format!("Self({to_py}(py, value).into_value(py).into_any())"));
            });
        });
        w.line("");
        w.line("/// The core's value the exception stands for (checked when it was");
        w.line("/// extracted from Python, so it reads back).");
        w.block(format!("fn _core(self) -> {core} {{"), "}", |w| {
            w.block(
                format!("::pyo3::Python::attach(|py| match {from_py}(py, self.0.bind(py)) {{"),
                "})",
                |w| {
                    w.line("Some(Ok(value)) => value,");
                    w.line("Some(Err(error)) => panic!(\"an error value changed after its check: {error}\"),");
                    w.line("None => panic!(\"an error value is no longer an exception of its type\"),");
                },
            );
        });
    });
    // A trait of one method whose body is one line.
    let mut one_method = |docs: &[&str], header: String, method: &str, body: &str| {
        w.line("");
        docs.iter().for_each(|d| w.line(*d));
        w.block(header, "}", |w| w.block(method, "}", |w| w.line(body)));
    };
    one_method(
        &[],
        format!("impl Clone for {glue} {{"),
        "fn clone(&self) -> Self {",
        "::pyo3::Python::attach(|py| Self(self.0.clone_ref(py)))",
    );
    one_method(
        &[
            "/// Exceptions compare by identity in Python; held by records and enums,",
            "/// they compare by class, arguments and attributes.",
        ],
        format!("impl PartialEq for {glue} {{"),
        "fn eq(&self, other: &Self) -> bool {",
        "::pyo3::Python::attach(|py| bindery_same_error(self.0.bind(py), other.0.bind(py)))",
    );
    conversion_impls(
        &mut w,
        (&glue, &[]),
        |w| {
            // Read back once here, so a value Rust cannot take fails now.
            w.block(format!("match {from_py}(_obj.py(), &_obj) {{"), "}", |w| {
                w.line("Some(_value) => _value.map(|_| Self(_obj.to_owned().unbind())),");
                w.block("None => {", "}", |w| {
                    w.line("let _kind = _obj.get_type().name()?;");
                    w.line(format!(
                        "let _message = format!(\"expected {base}, got {{_kind}}\");"
                    ));
                    w.line("Err(::pyo3::exceptions::PyTypeError::new_err(_message))");
                });
            });
        },
        |w| {
            w.line("Ok(self.0.into_bound(_py))");
        },
    );
    w.finish()
}

/// The Rust type the core uses for a value of `ty`.
pub fn core_type(ty: &Type, paths: &Paths<'_>) -> String {
    match ty {
        Type::Object(id) if paths.api.object(*id).is_trait => {
            format!("::std::sync::Arc<dyn {}>", paths.core_of(ty))
        }
        Type::Object(_) => format!("::std::sync::Arc<{}>", paths.core_of(ty)),
        Type::Record(_) | Type::Enum(_) | Type::Custom(_) | Type::Error(_) => paths.core_of(ty),
        Type::Callback(_) => format!("Box<dyn {}>", paths.core_of(ty)),
        Type::Timestamp => "::std::time::SystemTime".to_string(),
        Type::Optional(inner) => format!("Option<{}>", core_type(inner, paths)),
        Type::Boxed(inner) => format!("::std::boxed::Box<{}>", core_type(inner, paths)),
        Type::Sequence(inner) => format!("Vec<{}>", core_type(inner, paths)),
        Type::Set(inner) => format!("::std::collections::HashSet<{}>", core_type(inner, paths)),
        Type::Map(k, v) => {
            format!(
                "::std::collections::HashMap<{}, {}>",
                core_type(k, paths),
                core_type(v, paths)
            )
        }
        other => types::rust(other, paths),
    }
}

/// `fn bindery_x_from_py`: the Rust value of an exception of one of the
/// error's classes, read back from its `variant` and field attributes;
/// `None` when the object is not one of them.
pub fn from_py_fn(paths: &Paths<'_>, id: ErrorId, slot: usize) -> Vec<String> {
    let error = paths.api.error(id);
    let path = paths.core(&error.name);
    let mut lines = vec![
        format!(
            "/// The `{}` an exception of `{}` stands for, if it is one.",
            error.name.rust, error.base
        ),
        list(
            0,
            &format!("fn {}", paths.from_py_fn(id)),
            &[
                "py: ::pyo3::Python<'_>".to_string(),
                "value: &::pyo3::Bound<'_, ::pyo3::PyAny>".to_string(),
            ],
            &format!(" -> Option<::pyo3::PyResult<{path}>> {{"),
        ),
        format!(
            "    let base = BINDERY_ERROR_BASES[{slot}].import(py, BINDERY_ERRORS_MODULE, {});",
            types::rust_str(&error.base)
        ),
        "    match base {".to_string(),
        "        Ok(base) if value.is_instance(base).unwrap_or(false) => {}".to_string(),
        "        Ok(_) => return None,".to_string(),
        "        Err(error) => return Some(Err(error)),".to_string(),
        "    }".to_string(),
        format!("    let build = || -> ::pyo3::PyResult<{path}> {{"),
        format!(
            "        let variant: String = value.getattr({})?.extract()?;",
            types::rust_str(&paths.api.variant_attribute)
        ),
        "        Ok(match variant.as_str() {".to_string(),
    ];
    let uniffi_flat = paths.error_slots[id.0].uniffi_flat;
    for (i, v) in error.variants.iter().enumerate() {
        if uniffi_flat {
            // UniFFI numbers a flat error's variants from 1.
            let key = types::rust_str(&v.name.udl);
            let build = format!("bindery_uniffi_flat::<{path}>(py, {})?", i + 1);
            lines.push(format!("            {key} => {build},"));
            continue;
        }
        // `V {}` builds a unit or a struct variant alike.
        let variant = if v.fields.is_empty() && !error.flat {
            format!("{path}::{} {{}}", v.name.rust)
        } else {
            format!("{path}::{}", v.name.rust)
        };
        let key = types::rust_str(&v.name.udl);
        let fields: Vec<String> = v
            .fields
            .iter()
            .map(|f| {
                let attribute = format!("value.getattr({})?", types::rust_str(&f.name.python));
                // A field of a class is extracted as the glue's class, then converted.
                let value = if f.ty.needs_conversion() {
                    let extracted =
                        format!("{attribute}.extract::<{}>()?", types::rust(&f.ty, paths));
                    types::lower(&f.ty, &extracted, paths).unwrap_or(extracted)
                } else {
                    format!("{attribute}.extract()?")
                };
                format!("{}: {value}", f.name.rust)
            })
            .collect();
        lines.push(format!(
            "            {}",
            match_arm(12, &key, &variant, &fields)
        ));
    }
    lines.extend([
        "            other => {".to_string(),
        "                let message = format!(\"no variant {other}\");".to_string(),
        "                return Err(::pyo3::exceptions::PyValueError::new_err(message));"
            .to_string(),
        "            }".to_string(),
        "        })".to_string(),
        "    };".to_string(),
        "    Some(build())".to_string(),
        "}".to_string(),
    ]);
    lines
}

/// A `[ByRef]` argument's type in the core's trait, as UniFFI has it:
/// `&str` for a string, a slice for a sequence or bytes, else `&T`.
fn borrowed_type(ty: &Type, paths: &Paths<'_>) -> String {
    match ty {
        Type::String => "&str".to_string(),
        Type::Bytes => "&[u8]".to_string(),
        Type::Sequence(inner) => format!("&[{}]", core_type(inner, paths)),
        other => format!("&{}", core_type(other, paths)),
    }
}

fn method_signature(paths: &Paths<'_>, m: &CallbackMethod, error: Option<&ErrorType>) -> String {
    let c = &m.callable;
    let receiver = if c.self_by_arc {
        "self: ::std::sync::Arc<Self>"
    } else {
        "&self"
    };
    let mut params = vec![receiver.to_string()];
    params.extend(c.arguments.iter().map(|a| {
        let ty = if a.by_ref && !c.is_async {
            borrowed_type(&a.ty, paths)
        } else {
            core_type(&a.ty, paths)
        };
        format!("{}: {ty}", a.name.rust)
    }));
    let returns = match (&c.returns, error) {
        (Some(t), Some(e)) => format!(
            " -> Result<{}, {}>",
            core_type(t, paths),
            paths.core(&e.name)
        ),
        (None, Some(e)) => format!(" -> Result<(), {}>", paths.core(&e.name)),
        (Some(t), None) => format!(" -> {}", core_type(t, paths)),
        (None, None) => String::new(),
    };
    if !c.is_async {
        return list(
            4,
            &format!("fn {}", c.name.rust),
            &params,
            &format!("{returns} {{"),
        );
    }
    // The shape `#[async_trait]` gives the core's trait method.
    let output = returns.trim_start_matches(" -> ");
    let output = if output.is_empty() { "()" } else { output };
    let (generics, bounds) = if c.self_by_arc {
        ("<'async_trait>", "        Self: 'async_trait,")
    } else {
        params[0] = "&'life0 self".to_string();
        (
            "<'life0, 'async_trait>",
            "        'life0: 'async_trait,\n        Self: 'async_trait,",
        )
    };
    let future = format!(
        "::std::pin::Pin<Box<dyn ::std::future::Future<Output = {output}> + Send + 'async_trait>>"
    );
    let head = list(
        4,
        &format!("fn {}{generics}", c.name.rust),
        &params,
        &format!(" -> {future}"),
    );
    format!("{head}\n    where\n{bounds}\n    {{")
}

/// The statement that binds the arguments, if one is needed (laid out at
/// `indent`), and the call of the Python method (bound to `_method`) with
/// the arguments converted for Python: an expression of `PyResult<Py<PyAny>>`.
fn python_call(paths: &Paths<'_>, m: &CallbackMethod, indent: usize) -> (Option<String>, String) {
    let args: Vec<String> = m
        .callable
        .arguments
        .iter()
        .map(|a| types::lift(&a.ty, &a.name.rust, paths).unwrap_or_else(|| a.name.rust.clone()))
        .collect();
    match args.as_slice() {
        [] => (None, "_method.call0(_py)".to_string()),
        [one] if indent + one.len() < 58 => (None, format!("_method.call1(_py, ({one},))")),
        [one] => (
            Some(format!("let _args = ({one},);")),
            "_method.call1(_py, _args)".to_string(),
        ),
        many => (
            Some(list(indent, "let _args = ", many, ";")),
            "_method.call1(_py, _args)".to_string(),
        ),
    }
}

/// The bridge of one callback interface: a struct holding the Python object
/// and its looked-up methods, its registration and error helpers, and the
/// core trait implemented by calling into Python.
pub fn bridge(paths: &Paths<'_>, id: CallbackId) -> Vec<String> {
    let c = paths.api.callback(id);
    let name = paths.bridge(id);
    let core = paths.core(&c.name);
    let mut w = Writer::at(0);
    w.line(format!("/// `{core}` implemented by a Python object."));
    if c.trait_object.is_some() {
        w.line("#[allow(non_camel_case_types)]");
    }
    w.block(format!("pub struct {name} {{"), "}", |w| {
        w.line("_object: ::pyo3::Py<::pyo3::PyAny>,");
        if has_async(c) {
            w.line("/// The event loop its coroutines run on (`[Async]` methods).");
            w.line("_loop: Option<::pyo3::Py<::pyo3::PyAny>>,");
        }
        for m in &c.methods {
            // A queued method is shared, with the object, with its events.
            let method = if m.queued {
                "BinderyQueued"
            } else {
                "::pyo3::Py<::pyo3::PyAny>"
            };
            let ty = if m.required {
                method.to_string()
            } else {
                format!("Option<{method}>")
            };
            w.line(format!("{}: {ty},", m.callable.name.rust));
        }
    });
    w.line("");
    // A trait may require `Debug` of its implementations (UniFFI's own
    // bridges have it); a foreign trait's `[Traits=(Debug)]` shows the
    // object's `repr()` instead (`foreign_impls`).
    let repr = c
        .trait_object
        .is_some_and(|o| paths.api.object(o).traits.debug);
    if !repr {
        debug_impl(&mut w, &name);
    }
    w.block(format!("impl {name} {{"), "}", |w| {
        boxed_fn(w, paths, id);
        w.line("");
        if c.trait_object.is_some() {
            arced_fn(w, &core);
            w.line("");
        }
        w.line("/// Reports an exception of a callback, with the listener as its object.");
        w.block(
            "fn _report(&self, py: ::pyo3::Python<'_>, error: ::pyo3::PyErr) {",
            "}",
            |w| w.line("error.write_unraisable(py, Some(self._object.bind(py)));"),
        );
        error_fns(w, paths, id);
    });
    w.line("");
    w.block(format!("impl {core} for {name} {{"), "}", |w| {
        for (i, m) in c.methods.iter().enumerate() {
            if i > 0 {
                w.line("");
            }
            trait_method(w, paths, id, m);
        }
    });
    if let Some(object) = c.trait_object {
        foreign_impls(&mut w, paths, object, &name);
    }
    w.finish()
}

/// `_arced`: a Python implementation of a trait as the trait object Rust
/// holds, remembered so that Rust handing it back gives the same object.
/// `Debug` of a bridge: the Python object it calls.
fn debug_impl(w: &mut Writer, name: &str) {
    w.line("/// Shows the Python object it calls.");
    w.block(format!("impl ::std::fmt::Debug for {name} {{"), "}", |w| {
        let head = "fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {";
        w.block(head, "}", |w| {
            w.line(format!(
                "f.debug_tuple({}).field(&self._object).finish()",
                types::rust_str(name)
            ));
        });
    });
    w.line("");
}

fn arced_fn(w: &mut Writer, core: &str) {
    w.line("/// Wraps `object` as the trait object Rust holds, and remembers it:");
    w.line("/// while Rust holds it, handing it back to Python gives `object` itself.");
    let head = list(
        w.column(),
        "fn _arced",
        &["object: &::pyo3::Bound<'_, ::pyo3::PyAny>".to_string()],
        &format!(" -> ::pyo3::PyResult<::std::sync::Arc<dyn {core}>> {{"),
    );
    w.block(head, "}", |w| {
        w.line("let _arc = ::std::sync::Arc::from(Self::_boxed(object)?);");
        w.line("bindery_remember_foreign(&_arc, object);");
        w.line("Ok(_arc)");
    });
}

/// What a trait's Python bridge needs besides the trait: forgetting the
/// object when Rust drops it, and the supertraits `[Traits]` names, through
/// Python's `str()` and `repr()`.
fn foreign_impls(w: &mut Writer, paths: &Paths<'_>, object: ObjectId, name: &str) {
    w.line("");
    w.block(format!("impl ::std::ops::Drop for {name} {{"), "}", |w| {
        w.block("fn drop(&mut self) {", "}", |w| {
            w.line("bindery_forget_foreign((self as *const Self).cast::<()>());");
        });
    });
    let traits = paths.api.object(object).traits;
    let formats = [
        (traits.display, "Display", "str"),
        (traits.debug, "Debug", "repr"),
    ];
    for (_, fmt_trait, builtin) in formats.iter().filter(|f| f.0) {
        w.line("");
        w.block(
            format!("impl ::std::fmt::{fmt_trait} for {name} {{"),
            "}",
            |w| {
                w.block(
                    "fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {",
                    "}",
                    |w| {
                        w.line(format!(
                            "let _text = bindery_format(&self._object, |_object| _object.{builtin}());"
                        ));
                        w.line("f.write_str(&_text)");
                    },
                );
            },
        );
    }
}

/// The value type of a `[Trait, WithForeign]` interface: a trait object
/// implemented in Rust (the native class) or in Python (any object with the
/// methods), converted both ways; equal when it is the same object.
pub fn dyn_value(paths: &Paths<'_>, id: ObjectId) -> Vec<String> {
    let o = paths.api.object(id);
    let name = paths.dyn_value(id);
    let class = paths.glue(&o.name);
    let core = paths.core(&o.name);
    let bridge = o.foreign.map(|c| paths.bridge(c)).unwrap_or_default();
    let mut w = Writer::at(0);
    w.line(format!(
        "/// A `{core}` implemented in Rust (a `{}`) or in Python.",
        o.name.python
    ));
    w.line("#[allow(non_camel_case_types)]");
    w.line("#[derive(Clone)]");
    w.line(format!("pub struct {name}(::std::sync::Arc<dyn {core}>);"));
    w.line("");
    w.block(format!("impl PartialEq for {name} {{"), "}", |w| {
        w.block("fn eq(&self, other: &Self) -> bool {", "}", |w| {
            w.line("::std::sync::Arc::ptr_eq(&self.0, &other.0)");
        });
    });
    conversion_impls(
        &mut w,
        (&name, &[]),
        |w| {
            // An instance of a Python subclass holds no Rust object: it is
            // bridged like any Python implementation.
            w.block(
                format!("if let Ok(_native) = _obj.cast::<{class}>() {{"),
                "}",
                |w| {
                    if o.subclassable() {
                        w.block("if let Some(_inner) = &_native.get()._inner {", "}", |w| {
                            w.line("return Ok(Self(::std::sync::Arc::clone(_inner)));")
                        })
                    } else {
                        w.line("return Ok(Self(::std::sync::Arc::clone(&_native.get()._inner)));")
                    }
                },
            );
            w.line(format!("{bridge}::_arced(&_obj).map(Self)"));
        },
        |w| {
            w.block(
                "if let Some(_object) = bindery_foreign_object(_py, &self.0) {",
                "}",
                |w| w.line("return Ok(_object);"),
            );
            let inner = if o.subclassable() {
                "Some(self.0.into())"
            } else {
                "self.0.into()"
            };
            w.line(format!(
                "::pyo3::Bound::new(_py, {class} {{ _inner: {inner} }}).map(::pyo3::Bound::into_any)"
            ));
        },
    );
    w.finish()
}

/// `_boxed`: checks the Python object once, looks its methods up, wraps it.
fn boxed_fn(w: &mut Writer, paths: &Paths<'_>, id: CallbackId) {
    let c = paths.api.callback(id);
    let core = paths.core(&c.name);
    w.line("/// `object` as the trait object Rust holds (`_bridge`).");
    let head = list(
        w.column(),
        "fn _boxed",
        &["object: &::pyo3::Bound<'_, ::pyo3::PyAny>".to_string()],
        &format!(" -> ::pyo3::PyResult<Box<dyn {core}>> {{"),
    );
    w.block(head, "}", |w| {
        w.line("Ok(Box::new(Self::_bridge(object)?))");
    });
    w.line("");
    w.line("/// Checks `object` once and wraps it: a required method it lacks, or");
    w.line("/// an attribute that is not callable, is a `TypeError`. (The bridge is");
    w.line("/// `Send` and `Sync` even where the trait does not require it.)");
    let head = list(
        w.column(),
        "fn _bridge",
        &["object: &::pyo3::Bound<'_, ::pyo3::PyAny>".to_string()],
        " -> ::pyo3::PyResult<Self> {",
    );
    w.block(head, "}", |w| {
        let required: Vec<String> = c
            .methods
            .iter()
            .filter(|m| m.required)
            .map(|m| types::rust_str(&m.callable.name.python))
            .collect();
        w.line(format!(
            "bindery_require(object, {}, &[{}])?;",
            types::rust_str(&c.name.python),
            required.join(", ")
        ));
        if c.methods.iter().any(|m| !m.required) {
            let args = [
                "object.py()".to_string(),
                "BINDERY_LISTENERS_MODULE".to_string(),
                types::rust_str(&c.name.python),
            ];
            let callee = format!("BINDERY_LISTENER_BASES[{}].import", id.0);
            w.laid_out(&let_call(w.column(), "base", &callee, &args, "?"));
        }
        let mut fields = vec!["_object: object.clone().unbind()".to_string()];
        if has_async(c) {
            fields.push("_loop: bindery_answer::running_loop(object.py())".to_string());
        }
        for m in &c.methods {
            let py_name = types::rust_str(&m.callable.name.python);
            let lookup = match (m.required, m.queued) {
                (true, false) => format!("bindery_required(object, {py_name})?"),
                (false, false) => format!("bindery_optional(object, base, {py_name})?"),
                (true, true) => format!("bindery_required_queued(object, {py_name})?"),
                (false, true) => format!("bindery_optional_queued(object, base, {py_name})?"),
            };
            fields.push(format!("{}: {lookup}", m.callable.name.rust));
        }
        // rustfmt: one line, else the literal on the next line, else a
        // field per line.
        let flat = format!("Self {{ {} }}", fields.join(", "));
        let column = w.column();
        if column + "let bridge = ;".len() + flat.len() <= 100 {
            w.line(format!("let bridge = {flat};"));
        } else if column + "    ;".len() + flat.len() <= 100 {
            w.line("let bridge =");
            w.line(format!("    {flat};"));
        } else {
            w.laid_out(&format!(
                "let bridge = {};",
                struct_expr(column, "Self", &fields)
            ));
        }
        w.line("Ok(bridge)");
    });
}

/// `_unexpected` and `_fail`, for an interface whose methods throw: what Rust
/// receives when a method raises.
fn error_fns(w: &mut Writer, paths: &Paths<'_>, id: CallbackId) {
    let c = paths.api.callback(id);
    for t in c.thrown() {
        error_fns_of(
            w,
            paths,
            id,
            t,
            c.unexpected_error.get(&t).map(String::as_str),
        );
    }
}

/// `_unexpected` and `_fail` for one error type the interface throws:
/// `_unexpected` builds `variant` (`unexpected-error`), or without one
/// panics naming the method, as UniFFI does for an error type with no
/// conversion from its unexpected-error type.
fn error_fns_of(
    w: &mut Writer,
    paths: &Paths<'_>,
    id: CallbackId,
    thrown: crate::model::ErrorId,
    variant: Option<&str>,
) {
    let c = paths.api.callback(id);
    let (fail, unexpected) = paths.bridge_error_fns(id, thrown);
    let e = paths.api.error(thrown);
    let error = paths.core(&e.name);
    let v = variant.and_then(|variant| e.variants.iter().find(|v| v.name.udl == *variant));
    let fields: Vec<String> = v
        .map(|v| {
            let last = v.fields.len().saturating_sub(1);
            v.fields
                .iter()
                .enumerate()
                .map(|(k, f)| match (f.name.rust.as_str(), k == last) {
                    ("message", true) => "message".to_string(),
                    (name, true) => format!("{name}: message"),
                    (name, false) => format!("{name}: message.clone()"),
                })
                .collect()
        })
        .unwrap_or_default();
    let path = v.map(|v| format!("{error}::{}", v.name.rust));
    let params = [
        "&self".to_string(),
        "py: ::pyo3::Python<'_>".to_string(),
        "method: &str".to_string(),
        "error: ::pyo3::PyErr".to_string(),
    ];
    w.line("");
    match path {
        Some(_) => {
            w.line("/// What Rust receives when a method fails with anything but its own");
            w.line("/// error classes (`unexpected-error` in the binding config).");
        }
        None => {
            w.line("/// A method failed with anything but its own error classes, and the");
            w.line("/// binding config names no `unexpected-error` variant: this thread panics.");
        }
    }
    let head = list(
        w.column(),
        &format!("fn {unexpected}"),
        &params,
        &format!(" -> {error} {{"),
    );
    w.block(head, "}", |w| {
        w.line(format!(
            "let message = format!(\"{}.{{method}} failed: {{error}}\");",
            c.name.python
        ));
        if path.is_none() && paths.api.uses_uniffi {
            // UniFFI's conversion where the crate has it (the exception is
            // then the error's value, not reported), else the panic below.
            // Its `reason` is the exception's `repr()`, as UniFFI's.
            w.line("let value = error.value(py).as_any();");
            w.line("let reason = ::pyo3::types::PyAnyMethods::repr(value)");
            w.line("    .map_or_else(|_| message.clone(), |text| text.to_string());");
            let probe =
                format!("(&BinderyUnexpected::<{error}>(reason, ::std::marker::PhantomData))");
            w.line(format!(
                "if let Ok(value) = {probe}.bindery_unexpected() {{"
            ));
            w.line("    return value;");
            w.line("}");
        }
        w.line("self._report(py, error);");
        match &path {
            // Positional: an edition-2018 crate (in-crate mode) captures nothing.
            None => w.line("panic!(\"{}; the exception went to sys.unraisablehook\", message)"),
            Some(path) if fields.is_empty() => {
                w.line("let _ = message;");
                // A flat error's variants are unit variants; `V {}` builds
                // either kind of the others'.
                if e.flat {
                    w.line(path);
                } else {
                    w.line(format!("{path} {{}}"));
                }
            }
            Some(path) => w.laid_out(&struct_expr(w.column(), path, &fields)),
        }
    });
    w.line("");
    w.line("/// The error Rust receives for an exception raised by `method`: the");
    w.line(format!(
        "/// error's own value for one of its classes, else `{unexpected}`."
    ));
    let head = list(
        w.column(),
        &format!("fn {fail}"),
        &params,
        &format!(" -> {error} {{"),
    );
    w.block(head, "}", |w| {
        w.block(
            format!(
                "match {}(py, error.value(py).as_any()) {{",
                paths.from_py_fn(thrown)
            ),
            "}",
            |w| {
                w.line("Some(Ok(value)) => value,");
                w.line(format!("_ => self.{unexpected}(py, method, error),"));
            },
        );
    });
}

/// One method of the core trait: calls the Python method, if the listener
/// has it, with the arguments converted, and returns what Rust expects.
fn trait_method(w: &mut Writer, paths: &Paths<'_>, id: CallbackId, m: &CallbackMethod) {
    let throws = m.callable.throws.map(|t| paths.api.error(t));
    let method_name = &m.callable.name.rust;
    let head = method_signature(paths, m, throws);
    w.block(head, "}", |w| {
        if m.callable.is_async {
            // The future Rust awaits: the Python coroutine runs on its loop.
            w.block("Box::pin(async move {", "})", |w| {
                method_lookup(w, m, method_name);
                let void = throws.is_none() && m.callable.returns.is_none();
                let skipped = if void {
                    "return;".to_string()
                } else {
                    finalizing(paths, id, m)
                };
                w.block(
                    "let Some(_awaited) = bindery_attach::attach(|_py| {",
                    &format!("}}) else {{ {skipped} }};"),
                    |w| {
                        let (prelude, call) = python_call(paths, m, w.column());
                        if let Some(prelude) = prelude {
                            w.laid_out(&prelude);
                        }
                        w.line(format!(
                            "bindery_answer::answer(_py, self._loop.as_ref(), {call})"
                        ));
                    },
                );
                w.line("let _result = _awaited.await;");
                if throws.is_none() && m.callable.returns.is_none() {
                    w.block("if let Err(_error) = _result {", "}", |w| {
                        w.line("bindery_attach::attach(|_py| self._report(_py, _error));")
                    });
                    return;
                }
                let tail = format!("}}).unwrap_or_else(|| {})", finalizing(paths, id, m));
                w.block("bindery_attach::attach(|_py| {", &tail, |w| {
                    outcome(w, paths, id, m, "_result");
                });
            });
            return;
        }
        method_lookup(w, m, method_name);
        // `[ByRef]` arguments are borrowed: the conversions take them owned.
        for a in m.callable.arguments.iter().filter(|a| a.by_ref) {
            w.line(format!("let {0} = {0}.to_owned();", a.name.rust));
        }
        if m.queued {
            queued_call(w, paths, m);
            return;
        }
        // A method without a result ends the statement; others return it.
        // `bindery_attach`: a call from a Rust thread once the interpreter
        // is exiting does not attach (attaching then can crash the
        // process): skipped, or a panic naming the method on that thread
        // when Rust waits for a value.
        let returns = throws.is_some() || m.callable.returns.is_some();
        let tail = if returns {
            format!("}}).unwrap_or_else(|| {})", finalizing(paths, id, m))
        } else {
            "});".to_string()
        };
        w.block("bindery_attach::attach(|_py| {", &tail, |w| {
            let (prelude, call) = python_call(paths, m, w.column());
            if let Some(prelude) = prelude {
                w.laid_out(&prelude);
            }
            if throws.is_none() && m.callable.returns.is_none() {
                w.block(format!("if let Err(_error) = {call} {{"), "}", |w| {
                    w.line("self._report(_py, _error);")
                });
                return;
            }
            outcome(w, paths, id, m, &call);
        });
    });
}

/// The panic of a method that returns a value, called from a Rust thread
/// once the interpreter is exiting (`bindery_attach` refused to attach).
fn finalizing(paths: &Paths<'_>, id: CallbackId, m: &CallbackMethod) -> String {
    let qualname = format!(
        "{}.{}",
        paths.api.callback(id).name.python,
        m.callable.name.python
    );
    format!(
        "panic!(\"cannot call {{}}: the Python interpreter is exiting\", {})",
        types::rust_str(&qualname)
    )
}

/// The body of a queued method after the lookup: the event (the method,
/// the listener and the Rust arguments, converted on the event thread) goes
/// to the queue; an exception goes to `sys.unraisablehook` there.
fn queued_call(w: &mut Writer, paths: &Paths<'_>, m: &CallbackMethod) {
    w.line("let _queued = ::std::sync::Arc::clone(_method);");
    w.block(
        "bindery_queue::enqueue(Box::new(move |_py| {",
        "}));",
        |w| {
            w.line("let (_method, _listener) = &*_queued;");
            let (prelude, call) = python_call(paths, m, w.column());
            if let Some(prelude) = prelude {
                w.laid_out(&prelude);
            }
            w.block(format!("if let Err(_error) = {call} {{"), "}", |w| {
                w.line("_error.write_unraisable(_py, Some(_listener.bind(_py)));")
            });
        },
    );
}

/// `_method`, the Python method: an optional one that the object lacks
/// returns at once.
fn method_lookup(w: &mut Writer, m: &CallbackMethod, method_name: &str) {
    // Throwing and value-returning methods are always required.
    if m.required {
        w.line(format!("let _method = &self.{method_name};"));
    } else {
        w.block(
            format!("let Some(_method) = &self.{method_name} else {{"),
            "};",
            |w| w.line("return;"),
        );
    }
}

/// What a method returns to Rust from `call`, the Python result (an
/// expression of `PyResult<Py<PyAny>>`): the value converted, its error
/// variant, a fallback, or a panic naming the method.
fn outcome(w: &mut Writer, paths: &Paths<'_>, id: CallbackId, m: &CallbackMethod, call: &str) {
    let c_name = &paths.api.callback(id).name.python;
    let throws = m.callable.throws.map(|t| paths.api.error(t));
    let closure = extraction(paths, &m.callable.returns);
    w.lines(outcome_lines(w.column(), call, closure));
    let ok = match &m.callable.returns {
        Some(t) => types::lower(t, "_value", paths).unwrap_or_else(|| "_value".to_string()),
        None => "_value".to_string(),
    };
    let method = types::rust_str(&m.callable.name.python);
    if throws.is_none() {
        // No error channel: report the exception, then panic on this
        // Rust thread naming the method, as UniFFI's bindings do.
        let panic = format!(
            "{}.{} failed; the exception went to sys.unraisablehook",
            c_name, m.callable.name.python
        );
        // A configured fallback replaces the panic.
        let fallback = m
            .fallback
            .as_ref()
            .zip(m.callable.returns.as_ref())
            .map(|(literal, ty)| {
                let value = types::default(literal, ty, paths).1;
                types::lower(ty, &value, paths).unwrap_or(value)
            });
        w.block("match _outcome {", "}", |w| {
            w.line(format!("Ok(_value) => {ok},"));
            w.block("Err(_error) => {", "}", |w| {
                w.line("self._report(_py, _error);");
                match &fallback {
                    Some(value) => w.line(value),
                    None => w.line(format!("panic!({})", types::rust_str(&panic))),
                }
            });
        });
        return;
    }
    w.block("match _outcome {", "}", |w| {
        w.line(format!("Ok(_value) => Ok({ok}),"));
        let fail_fn = m
            .callable
            .throws
            .map(|t| paths.bridge_error_fns(id, t).0)
            .unwrap_or_default();
        let fail = format!("Err(self.{fail_fn}(_py, {method}, _error))");
        w.laid_out(&match_arm(w.column(), "Err(_error)", &fail, &[]));
    });
}

/// The adapter, parameters and body of the closure that turns a method's
/// returned object into the value Rust expects.
fn extraction(paths: &Paths<'_>, returns: &Option<Type>) -> (&'static str, &'static str, String) {
    let Some(t) = returns else {
        return ("map", "|_|", "()".to_string());
    };
    // Extracting a glue class fails with a guard error, not a `PyErr`; a
    // trait object's value type is no class, nor is a record's (its
    // `FromPyObject` reads the native class and fails with a `PyErr`).
    let class = |t: &Type| match t {
        Type::Object(id) => paths.object_value(*id).is_none(),
        // A flat enum is a newtype of the glue's own conversions.
        Type::Enum(id) => !paths.api.enumeration(*id).flat,
        _ => false,
    };
    let is_class = match t {
        Type::Optional(inner) | Type::Boxed(inner) => class(inner),
        other => class(other),
    };
    let map = if is_class {
        ".map_err(::pyo3::PyErr::from)"
    } else {
        ""
    };
    let body = format!("_value.extract::<{}>(_py){map}", types::rust(t, paths));
    ("and_then", "|_value|", body)
}

/// `let _outcome = {call}.{adapter}({params} {body});` at column 12, laid
/// out as rustfmt does: one line; the right-hand side on the next line; the
/// chain broken before each call; the closure's body in a block.
fn outcome_lines(
    column: usize,
    call: &str,
    (adapter, params, body): (&str, &str, String),
) -> Vec<String> {
    let tail = format!(".{adapter}({params} {body})");
    let fits = |line: &str, extra: usize| column + extra + line.len() <= 100;
    let one_line = format!("let _outcome = {call}{tail};");
    if fits(&one_line, 0) {
        return vec![one_line];
    }
    let next_line = format!("{call}{tail};");
    if fits(&next_line, 4) {
        return vec!["let _outcome =".to_string(), format!("    {next_line}")];
    }
    // A call on the method breaks before each call (`_result`, an awaited
    // outcome, has no chain to break).
    let receiver = call.strip_prefix("_method").filter(|r| !r.is_empty());
    let chained = format!("{tail};");
    if let Some(receiver) = receiver.filter(|_| fits(&chained, 4)) {
        return vec![
            "let _outcome = _method".to_string(),
            format!("    {receiver}"),
            format!("    {chained}"),
        ];
    }
    vec![
        format!("let _outcome = {call}.{adapter}({params} {{"),
        format!("    {body}"),
        "});".to_string(),
    ]
}

/// A sample argument for a callback method, or `None` if the type has none.
pub fn sample_arg(ty: &crate::model::Type, label: &str, paths: &Paths<'_>) -> Option<String> {
    use crate::model::Type;
    match ty {
        Type::Enum(id) => {
            let e = paths.api.enumeration(*id);
            if !e.flat {
                return None;
            }
            // `V {}`: the core's variant may be a unit or a struct variant.
            Some(format!(
                "{}::{} {{}}",
                paths.core(&e.name),
                e.variants.first()?.name.rust
            ))
        }
        Type::Optional(inner) => sample_arg(inner, label, paths).map(|v| format!("Some({v})")),
        Type::Sequence(inner) => sample_arg(inner, label, paths).map(|v| format!("vec![{v}]")),
        t if t.needs_conversion() => None,
        Type::Map(..) | Type::Set(_) => None,
        t => Some(types::sample(t, label).0),
    }
}

/// Match arms of the test hook: `(interface, method) => caller`, for every
/// method whose arguments have samples.
pub fn sample_callers(paths: &Paths<'_>) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, c) in paths.api.callbacks.iter().enumerate() {
        let bridge = paths.bridge(CallbackId(i));
        // The hook calls synchronously; an async method's future is not awaited.
        for m in c.methods.iter().filter(|m| !m.callable.is_async) {
            let args: Option<Vec<String>> = m
                .callable
                .arguments
                .iter()
                .map(|a| {
                    let sample = sample_arg(&a.ty, &a.name.udl, paths)?;
                    // A `[ByRef]` argument is lent.
                    Some(if a.by_ref {
                        format!("&{sample}")
                    } else {
                        sample
                    })
                })
                .collect();
            let Some(mut args) = args else { continue };
            // Called through the trait: a supertrait may share the method's
            // name. A method taking `self: Arc<Self>` gets its own reference.
            let method = format!("{}::{}", paths.core(&c.name), m.callable.name.rust);
            // A plain callback's bridge is locked for the call.
            let this = if m.callable.self_by_arc {
                "::std::sync::Arc::clone(&bridge)"
            } else {
                "&*bridge"
            };
            args.insert(0, this.to_string());
            lines.push(format!(
                "            ({}, {}) => {{",
                types::rust_str(&c.name.python),
                types::rust_str(&m.callable.name.python)
            ));
            // A trait's methods may take `self: Arc<Self>`.
            // A plain callback's own bridge: `Send` and `Sync` whatever the
            // trait requires.
            let wrap = if c.trait_object.is_some() {
                "_arced"
            } else {
                "_bridge"
            };
            if c.trait_object.is_some() {
                lines.push(format!(
                    "                let bridge = {bridge}::{wrap}(listener)?;"
                ));
                lines.push("                Box::new(move || -> Outcome {".to_string());
            } else {
                lines.push(format!(
                    "                let bridge = ::std::sync::Mutex::new({bridge}::{wrap}(listener)?);"
                ));
                lines.push("                Box::new(move || -> Outcome {".to_string());
                lines.push(
                    "                    let bridge = bridge.lock().unwrap_or_else(::std::sync::PoisonError::into_inner);"
                        .to_string(),
                );
            }
            match &m.callable.throws {
                None => {
                    lines.extend(list(20, &method, &args, ";").lines().enumerate().map(
                        |(k, l)| {
                            if k == 0 {
                                format!("                    {l}")
                            } else {
                                l.to_string()
                            }
                        },
                    ));
                    lines.push("                    Box::new(|py| Ok(py.None()))".to_string());
                }
                Some(t) => {
                    let to_py = paths.to_py_fn(*t);
                    let ok = match &m.callable.returns {
                        Some(ty) => {
                            let lifted = types::lift(ty, "value", paths)
                                .unwrap_or_else(|| "value".to_string());
                            format!("{lifted}.into_py_any(py)")
                        }
                        None => "Ok(py.None())".to_string(),
                    };
                    let binding = if m.callable.returns.is_some() {
                        "value"
                    } else {
                        "()"
                    };
                    let call = list(20, &format!("let result = {method}"), &args, ";");
                    lines.extend(call.lines().enumerate().map(|(k, l)| {
                        if k == 0 {
                            format!("                    {l}")
                        } else {
                            l.to_string()
                        }
                    }));
                    lines.push("                    Box::new(move |py| match result {".to_string());
                    lines.push(format!("                        Ok({binding}) => {ok},"));
                    lines.push(format!(
                        "                        Err(error) => Err({to_py}(py, error)),"
                    ));
                    lines.push("                    })".to_string());
                }
            }
            lines.push("                })".to_string());
            lines.push("            }".to_string());
        }
    }
    lines
}

/// Whether some method of the interface is `[Async]`.
pub fn has_async(c: &crate::model::Callback) -> bool {
    c.methods.iter().any(|m| m.callable.is_async)
}
