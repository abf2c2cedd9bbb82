//! Located problems, collected by every phase and rendered rustc-style.

use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;

/// Which input a span points into.
/// How a note ends that names the proc-macro item a problem is about.
pub const PROC_MACRO_ITEM: &str =
    "declared by the crate's proc-macros (UniFFI records no source positions)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Udl,
    Config,
}

/// Declares the codes once: the enum, its stable spelling and the list of
/// all codes (which the catalogue and corpus tests walk).
macro_rules! codes {
    ($($(#[doc = $doc:literal])* $name:ident => $code:literal,)*) => {
        /// A stable diagnostic code. The catalogue with explanations is in
        /// `docs/diagnostics.md`; every code has an invalid-input fixture.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum Code {
            $($(#[doc = $doc])* $name,)*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $code,)*
                }
            }
        }
    };
}

codes! {
    /// The UDL text is not valid WebIDL.
    UdlSyntax => "B001",
    /// uniffi_udl rejected the UDL, or it names a type it does not declare.
    UdlSemantic => "B002",
    /// The TOML is invalid or does not match the config schema.
    ConfigSchema => "B003",
    CrateItems => "B004",
    /// The config names something the UDL does not declare.
    UnknownInConfig => "B010",
    /// A config value unfit for its use (an `unexpected-error` variant with
    /// fields that are not strings).
    UnfitConfig => "B011",
    /// A name is not a valid identifier for its target.
    InvalidName => "B020",
    /// Two generated names are the same.
    NameCollision => "B021",
    /// A name clashes with the exception machinery or the reserved prefix.
    ReservedName => "B022",
    /// A configured class name shadows a Python builtin.
    ShadowsBuiltin => "B023",
    /// A base is not a built-in exception class.
    UnknownBase => "B030",
    /// Bases that cannot be combined (layout conflict, redundant base, disagreement).
    BaseConflict => "B031",
    /// Variants grouped in one class disagree on a field.
    GroupConflict => "B032",
    /// A UDL feature bindery does not support yet.
    Unsupported => "B040",
    // B041 (an `[Async]` primary constructor) is retired: it binds as the
    // async classmethod `new`. The code is not reused.
    /// bindery itself failed (a bug): nothing is written.
    Internal => "B099",
}

/// Whether a diagnostic stops generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    /// Located and printed, but the files are written (exit code 0).
    Warning,
}

/// One problem with its primary location and optional context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub source: Source,
    pub span: Range<usize>,
    /// Secondary locations ("first defined here").
    pub related: Vec<(Source, Range<usize>, String)>,
    pub notes: Vec<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, source: Source, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            source,
            span,
            related: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same diagnostic as a warning.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn with_related(
        mut self,
        source: Source,
        span: Range<usize>,
        label: impl Into<String>,
    ) -> Self {
        self.related.push((source, span, label.into()));
        self
    }
}

/// Where a phase collects its problems: every one is kept, and the phase
/// fails if any is an error.
#[derive(Debug, Default)]
pub struct Sink {
    diagnostics: Vec<Diagnostic>,
}

impl Sink {
    /// Keeps `diagnostic` and returns it for annotation.
    pub fn push(&mut self, diagnostic: Diagnostic) -> &mut Diagnostic {
        self.diagnostics.push(diagnostic);
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last]
    }

    /// The warnings if nothing is an error; otherwise every diagnostic.
    pub fn finish(self) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        if self.diagnostics.iter().any(Diagnostic::is_error) {
            Err(self.diagnostics)
        } else {
            Ok(self.diagnostics)
        }
    }
}

/// The inputs diagnostics point into, with the names to print for them.
pub struct Inputs<'a> {
    pub udl_name: &'a str,
    pub udl: &'a str,
    pub config_name: &'a str,
    pub config: &'a str,
}

/// Renders diagnostics sorted by position, as plain text.
pub fn render(inputs: &Inputs<'_>, diagnostics: &[Diagnostic]) -> String {
    let mut files = SimpleFiles::new();
    let udl = files.add(inputs.udl_name, inputs.udl);
    let config = files.add(inputs.config_name, inputs.config);
    let file_of = |s: Source| match s {
        Source::Udl => udl,
        Source::Config => config,
    };
    let clamp = |s: Source, span: &Range<usize>| {
        let text = match s {
            Source::Udl => inputs.udl,
            Source::Config => inputs.config,
        };
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = floor_char_boundary(text, span.end.clamp(start, text.len()));
        start..end
    };
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by_key(|d| (d.source, d.span.start, d.code));
    let mut out = String::new();
    let config_term = term::Config::default();
    for d in sorted {
        // No UDL (the crate's proc-macros declare the API): a problem of an
        // item has no place to point at; the message names the item.
        let nowhere = d.source == Source::Udl && inputs.udl.trim().is_empty();
        let mut labels = Vec::new();
        if !nowhere {
            labels.push(Label::primary(file_of(d.source), clamp(d.source, &d.span)));
        }
        for (source, span, label) in &d.related {
            labels
                .push(Label::secondary(file_of(*source), clamp(*source, span)).with_message(label));
        }
        let mut notes = d.notes.clone();
        if nowhere && !notes.iter().any(|n| n.ends_with(PROC_MACRO_ITEM)) {
            notes.push(
                "in the crate's proc-macro items (UniFFI records no source positions)".to_string(),
            );
        }
        if let Some(help) = &d.help {
            notes.push(format!("help: {help}"));
        }
        let diagnostic = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        };
        let diagnostic = diagnostic
            .with_code(d.code.as_str())
            .with_message(&d.message)
            .with_labels(labels)
            .with_notes(notes);
        // Writing into an in-memory buffer cannot fail for valid spans, which
        // `clamp` guarantees; a failure would only lose this one message.
        let _ = term::emit_to_string(&mut out, &config_term, &files, &diagnostic);
    }
    out
}

/// The last character boundary at or before `index` (0 and the text's
/// length are boundaries, so this stops).
fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// The builder methods of [`Diagnostic`], for one already collected.
pub trait Annotate {
    fn warning(self) -> Self;
    fn with_help(self, help: impl Into<String>) -> Self;
    fn with_note(self, note: impl Into<String>) -> Self;
    fn with_related(self, source: Source, span: Range<usize>, label: impl Into<String>) -> Self;
}

impl Annotate for &mut Diagnostic {
    fn warning(self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    fn with_help(self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    fn with_note(self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    fn with_related(self, source: Source, span: Range<usize>, label: impl Into<String>) -> Self {
        self.related.push((source, span, label.into()));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_inside_a_character_moves_to_its_start() {
        // `é` is bytes 1..3 of "aé!".
        assert_eq!(floor_char_boundary("aé!", 2), 1);
        assert_eq!(floor_char_boundary("aé!", 3), 3);
        assert_eq!(floor_char_boundary("aé!", 0), 0);
        // Four bytes: index 3 goes back three.
        assert_eq!(floor_char_boundary("x🦀", 4), 1);
        // Past the end: back to the end.
        assert_eq!(floor_char_boundary("ab", 5), 2);
    }
}
