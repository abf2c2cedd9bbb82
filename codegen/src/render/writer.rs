//! One writer for generated Rust: lines at the current indentation, and
//! blocks that indent their body, so no renderer spells out spaces.
//!
//! Text laid out by `layout` (which knows rustfmt's line breaking) carries
//! absolute indentation on its continuation lines; [`Writer::laid_out`]
//! indents only its first line.

/// Lines of Rust at a current indentation (in spaces).
#[derive(Debug, Default)]
pub struct Writer {
    lines: Vec<String>,
    indent: usize,
}

impl Writer {
    /// A writer whose first level is `indent` spaces in.
    pub fn at(indent: usize) -> Self {
        Writer {
            lines: Vec::new(),
            indent,
        }
    }

    /// The column the next line starts at (for layout decisions).
    pub fn column(&self) -> usize {
        self.indent
    }

    /// One line at the current indentation; an empty text is an empty line.
    pub fn line(&mut self, text: impl AsRef<str>) {
        let text = text.as_ref();
        if text.is_empty() {
            self.lines.push(String::new());
        } else {
            self.lines
                .push(format!("{}{text}", " ".repeat(self.indent)));
        }
    }

    /// Several lines at the current indentation.
    pub fn lines<S: AsRef<str>>(&mut self, texts: impl IntoIterator<Item = S>) {
        for text in texts {
            self.line(text);
        }
    }

    /// Text laid out for this column: its first line is indented here, the
    /// others already carry their indentation.
    pub fn laid_out(&mut self, text: &str) {
        for (k, line) in text.lines().enumerate() {
            if k == 0 {
                self.line(line);
            } else {
                self.lines.push(line.to_string());
            }
        }
    }

    /// `head`, the body one level deeper, then `tail`.
    pub fn block(&mut self, head: impl AsRef<str>, tail: &str, body: impl FnOnce(&mut Self)) {
        self.laid_out(head.as_ref());
        self.indent += 4;
        body(self);
        self.indent -= 4;
        self.line(tail);
    }

    pub fn finish(self) -> Vec<String> {
        self.lines
    }
}

/// `FromPyObject` and `IntoPyObject` for a glue newtype `name`, after a
/// blank line each and `attrs` (`#[allow(...)]`): `extract` writes the body
/// of `extract(_obj)` (a `Borrowed` object) and `into` the body of
/// `into_pyobject(self, _py)`.
pub fn conversion_impls(
    w: &mut Writer,
    (name, attrs): (&str, &[&str]),
    extract: impl FnOnce(&mut Writer),
    into: impl FnOnce(&mut Writer),
) {
    w.line("");
    for attr in attrs {
        w.line(*attr);
    }
    w.block(
        format!("impl<'a, 'py> ::pyo3::FromPyObject<'a, 'py> for {name} {{"),
        "}",
        |w| {
            w.line("type Error = ::pyo3::PyErr;");
            w.line("");
            w.block(
                "fn extract(_obj: ::pyo3::Borrowed<'a, 'py, ::pyo3::PyAny>) -> ::pyo3::PyResult<Self> {",
                "}",
                extract,
            );
        },
    );
    w.line("");
    for attr in attrs {
        w.line(*attr);
    }
    w.block(
        format!("impl<'py> ::pyo3::IntoPyObject<'py> for {name} {{"),
        "}",
        |w| {
            w.line("type Target = ::pyo3::PyAny;");
            w.line("type Output = ::pyo3::Bound<'py, ::pyo3::PyAny>;");
            w.line("type Error = ::pyo3::PyErr;");
            w.line("");
            w.block(
                "fn into_pyobject(self, _py: ::pyo3::Python<'py>) -> ::pyo3::PyResult<Self::Output> {",
                "}",
                into,
            );
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_indent_their_bodies() {
        let mut w = Writer::at(0);
        w.block("impl X {", "}", |w| {
            w.block("fn f() {", "}", |w| w.line("g();"));
            w.line("");
            w.laid_out("fn h(\n        a: u8,\n    ) {}");
        });
        assert_eq!(
            w.finish().join("\n"),
            "impl X {\n    fn f() {\n        g();\n    }\n\n    fn h(\n        a: u8,\n    ) {}\n}"
        );
    }
}
