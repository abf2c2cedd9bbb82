//! Phase 1 for the UDL: parse with `uniffi_udl`, and keep where every name
//! is written so later phases can point at it.
//!
//! `uniffi_udl` reports syntax errors without a position (and prints them to
//! stdout), so the text is first parsed here with the same WebIDL parser
//! (`weedle2`); the unparsed remainder gives the position. Its AST borrows
//! from the text, so each identifier's byte offset is recovered from its
//! address within the text.

use std::collections::BTreeMap;
use std::ops::Range;

use weedle::argument::ArgumentList;
use weedle::attribute::{ExtendedAttribute, ExtendedAttributeList, IdentifierOrString};
use weedle::interface::InterfaceMember;
use weedle::namespace::NamespaceMember;
use weedle::types::{NonAnyType, ReturnType, SingleType, Type};
use weedle::{Definition, Parse};

use crate::diagnostics::{Code, Diagnostic, Source};

/// What a span belongs to. Owners and members are UDL names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Def(String),
    Member(String, String),
    Arg(String, String, String),
}

/// Byte ranges of the names in a UDL text.
#[derive(Debug, Default)]
pub struct Spans {
    map: BTreeMap<Key, Range<usize>>,
    namespace: Range<usize>,
    namespace_name: Option<String>,
    /// `[Throws=X]` of constructors: uniffi_udl panics if X is undeclared.
    constructor_throws: Vec<(String, Range<usize>)>,
    /// Every type name the UDL uses (in signatures, fields, variants and
    /// `[Throws=...]`), where it is written: resolved here, before uniffi,
    /// so an unknown name is reported at its use.
    type_refs: Vec<(String, Range<usize>)>,
    /// `[Traits=(...)]` of plain `enum`s: uniffi_udl accepts the attribute
    /// there but records the traits only for `[Enum] interface`s.
    enum_traits: BTreeMap<String, Vec<String>>,
}

impl Spans {
    /// The `[Traits=(...)]` of a plain `enum`.
    pub fn enum_traits(&self, name: &str) -> &[String] {
        self.enum_traits.get(name).map_or(&[], Vec::as_slice)
    }

    pub fn def(&self, name: &str) -> Range<usize> {
        self.get(Key::Def(name.to_string()))
            .unwrap_or_else(|| self.namespace.clone())
    }

    pub fn member(&self, owner: &str, member: &str) -> Range<usize> {
        self.get(Key::Member(owner.to_string(), member.to_string()))
            .unwrap_or_else(|| self.def(owner))
    }

    pub fn arg(&self, owner: &str, member: &str, arg: &str) -> Range<usize> {
        self.get(Key::Arg(
            owner.to_string(),
            member.to_string(),
            arg.to_string(),
        ))
        .unwrap_or_else(|| self.member(owner, member))
    }

    /// Whether the UDL declares the definition `name`.
    pub fn declares(&self, name: &str) -> bool {
        self.map.contains_key(&Key::Def(name.to_string()))
    }

    /// Whether the UDL declares `member` of `owner` (a function of the
    /// namespace, a method, a field, a variant).
    pub fn declares_member(&self, owner: &str, member: &str) -> bool {
        self.map
            .contains_key(&Key::Member(owner.to_string(), member.to_string()))
    }

    fn get(&self, key: Key) -> Option<Range<usize>> {
        self.map.get(&key).cloned()
    }

    fn insert(&mut self, key: Key, span: Range<usize>) {
        // The first declaration wins, so duplicates point at the original.
        self.map.entry(key).or_insert(span);
    }
}

/// The parsed UDL: uniffi's metadata plus the span index.
pub struct Parsed {
    pub group: uniffi_meta::MetadataGroup,
    pub spans: Spans,
}

/// The UDL and the crate's proc-macro items (`metadata`) in one group; an
/// empty UDL takes the namespace the crate's `uniffi::setup_scaffolding!`
/// declares. `key` is where the config asks for the items.
pub fn parse_with_items(
    text: &str,
    crate_ident: &str,
    items: &[uniffi_meta::Metadata],
    key: Range<usize>,
) -> Result<Parsed, Vec<Diagnostic>> {
    use uniffi_meta::Metadata;
    let mut parsed = if text.trim().is_empty() {
        let namespace = items.iter().find_map(|m| match m {
            Metadata::Namespace(n) => Some(n.clone()),
            _ => None,
        });
        let Some(namespace) = namespace else {
            return Err(vec![Diagnostic::new(
                Code::CrateItems,
                Source::Config,
                key,
                format!("crate `{crate_ident}` declares no UniFFI namespace, and there is no UDL"),
            )
            .with_help(
                "call `uniffi::setup_scaffolding!();` in the crate's `lib.rs`, as UniFFI requires",
            )]);
        };
        let group = uniffi_meta::MetadataGroup {
            namespace,
            namespace_docstring: None,
            items: Default::default(),
        };
        Parsed {
            group,
            spans: Spans::default(),
        }
    } else {
        parse(text, crate_ident)?
    };
    // A definition the UDL declares itself is the UDL's: UniFFI >= 0.29
    // has the crate declare a UDL `[Custom] typedef` again with
    // `uniffi::custom_type!`, which records the same type.
    let declared: std::collections::BTreeSet<String> = parsed
        .group
        .items
        .iter()
        .filter_map(definition_name)
        .collect();
    for item in items {
        if definition_name(item).is_some_and(|name| declared.contains(&name)) {
            continue;
        }
        match item {
            Metadata::Namespace(_) | Metadata::UdlFile(_) => {}
            // UniFFI's metadata does not say whether a method takes `&self`
            // or `self: Arc<Self>`: a call through a clone of the object's
            // `Arc` fits both.
            Metadata::Method(m) => {
                parsed
                    .group
                    .add_item(Metadata::Method(uniffi_meta::MethodMetadata {
                        takes_self_by_arc: true,
                        ..m.clone()
                    }))
            }
            other => parsed.group.add_item(other.clone()),
        }
    }
    Ok(parsed)
}

/// The name of a type definition or function, which one API has once.
fn definition_name(item: &uniffi_meta::Metadata) -> Option<String> {
    use uniffi_meta::Metadata;
    match item {
        Metadata::Func(f) => Some(f.name.clone()),
        Metadata::Record(r) => Some(r.name.clone()),
        Metadata::Enum(e) => Some(e.name.clone()),
        Metadata::Object(o) => Some(o.name.clone()),
        Metadata::CallbackInterface(c) => Some(c.name.clone()),
        Metadata::CustomType(c) => Some(c.name.clone()),
        _ => None,
    }
}

/// Parses `text`; `crate_ident` is the module path uniffi records.
pub fn parse(text: &str, crate_ident: &str) -> Result<Parsed, Vec<Diagnostic>> {
    check_nesting(text).map_err(|d| vec![d])?;
    let trimmed = text.trim();
    let base = text.len() - text.trim_start().len();
    let definitions = match weedle::Definitions::parse(trimmed) {
        Ok((remaining, _)) if !remaining.is_empty() => {
            let at = base + trimmed.len() - remaining.len();
            // Only comments left: UniFFI's parser stops before them.
            let only_comments = (remaining.lines())
                .map(str::trim)
                .all(|l| l.is_empty() || l.starts_with("//"));
            if only_comments {
                let start = at + remaining.len() - remaining.trim_start().len();
                let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
                return Err(vec![Diagnostic::new(
                    Code::UdlSyntax,
                    Source::Udl,
                    start..end,
                    "UDL syntax error: a comment after the last definition",
                )
                .with_help(
                    "UniFFI's UDL parser takes no comment after the last definition (it \
                     rejects the file too): move it above a definition, or delete it",
                )]);
            }
            return Err(vec![syntax_error(text, at)]);
        }
        Ok((_, definitions)) => definitions,
        Err(weedle::Err::Error(e) | weedle::Err::Failure(e)) => {
            return Err(vec![syntax_error(text, offset_in(text, e.input))]);
        }
        Err(weedle::Err::Incomplete(_)) => return Err(vec![syntax_error(text, text.len())]),
    };
    let spans = index(text, &definitions);
    for (error, span) in &spans.constructor_throws {
        if spans.get(Key::Def(error.clone())).is_none() {
            return Err(vec![Diagnostic::new(
                Code::UdlSemantic,
                Source::Udl,
                span.clone(),
                format!("`[Throws={error}]` names a type the UDL does not declare"),
            )
            .with_help("declare the error type, or fix its name")]);
        }
    }
    resolve_types(&spans)?;
    if !definitions
        .iter()
        .any(|d| matches!(d, Definition::Namespace(_)))
    {
        return Err(vec![Diagnostic::new(
            Code::UdlSemantic,
            Source::Udl,
            0..0,
            "the UDL declares no namespace",
        )
        .with_help(
            "add `namespace <name> {};`; its name is the default Python package name",
        )]);
    }
    let result = std::panic::catch_unwind(|| uniffi_udl::parse_udl(text, crate_ident));
    match result {
        Ok(Ok(group)) => Ok(Parsed { group, spans }),
        Ok(Err(e)) => Err(vec![semantic_error(text, &spans, &format!("{e:#}"))]),
        Err(_) => Err(vec![Diagnostic::new(
            Code::UdlSemantic,
            Source::Udl,
            spans.namespace.clone(),
            "uniffi_udl failed on this UDL",
        )
        .with_note(
            "this is a bug in uniffi_udl; please report the UDL that triggers it",
        )]),
    }
}

/// The type names UDL spells as identifiers (the others are WebIDL keywords).
const BUILTIN_TYPES: &[&str] = &[
    "void",
    "string",
    "bytes",
    "timestamp",
    "duration",
    "u8",
    "u16",
    "u32",
    "u64",
    "i8",
    "i16",
    "i32",
    "i64",
    "f32",
    "f64",
];

/// Every type name used must be a built-in or declared: each unknown use is
/// reported where it is written, with the closest declared or built-in name.
fn resolve_types(spans: &Spans) -> Result<(), Vec<Diagnostic>> {
    let declared: Vec<&str> = spans
        .map
        .keys()
        .filter_map(|k| match k {
            Key::Def(name) if spans.namespace_name.as_deref() != Some(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let known = |name: &str| BUILTIN_TYPES.contains(&name) || declared.contains(&name);
    let problems: Vec<Diagnostic> = spans
        .type_refs
        .iter()
        .filter(|(name, _)| !known(name))
        .map(|(name, span)| {
            let candidates = BUILTIN_TYPES.iter().copied().chain(declared.iter().copied());
            let d = Diagnostic::new(
                Code::UdlSemantic,
                Source::Udl,
                span.clone(),
                format!("unknown type `{name}`"),
            );
            match crate::names::did_you_mean(name, candidates) {
                Some(guess) => d.with_help(format!("did you mean `{guess}`?")),
                None => d.with_help(
                    "declare it (as a dictionary, enum, interface or typedef), or use a built-in type",
                ),
            }
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Records every identifier type in `ty`, nested ones included.
fn type_refs(text: &str, ty: &Type<'_>, out: &mut Vec<(String, Range<usize>)>) {
    match ty {
        Type::Single(SingleType::NonAny(t)) => non_any_refs(text, t, out),
        Type::Single(SingleType::Any(_)) | Type::Union(_) => {}
    }
}

fn non_any_refs(text: &str, ty: &NonAnyType<'_>, out: &mut Vec<(String, Range<usize>)>) {
    match ty {
        NonAnyType::Identifier(id) => {
            out.push((id.type_.0.to_string(), span_of(text, id.type_.0)));
        }
        NonAnyType::Sequence(s) => type_refs(text, &s.type_.generics.body, out),
        NonAnyType::RecordType(r) => {
            if let weedle::types::RecordKeyType::NonAny(k) = r.type_.generics.body.0.as_ref() {
                non_any_refs(text, k, out);
            }
            type_refs(text, &r.type_.generics.body.2, out);
        }
        _ => {}
    }
}

fn return_refs(text: &str, ty: &ReturnType<'_>, out: &mut Vec<(String, Range<usize>)>) {
    if let ReturnType::Type(t) = ty {
        type_refs(text, t, out);
    }
}

/// The parser only says which definition failed. Narrow that down: parse
/// each `;`-terminated member of its `{ ... }` body alone and point at the
/// first that fails; if all parse, the fault is after the body.
fn refine(text: &str, offset: usize) -> (usize, &'static str) {
    const GENERIC: &str =
        "check the definition starting here for a missing `;`, `}` or `)`, or an unknown keyword";
    const AFTER_BODY: &str = "every definition ends with `};`";
    const MEMBER: &str = "this member does not parse; members end with `;`";
    const DEFAULT: &str =
        "an argument with a default value is written `optional <type> <name> = <value>`";
    const ENUM: &str = "the members of an enum are string literals separated by commas";
    const TYPEDEF_DOC: &str =
        "a `typedef` takes no `///` docstring in UDL; write the comment with `//`";
    let rest = &text[offset..];
    // A definition without a body (`typedef`) ends at its `;`: the problem
    // is in it, not in the next definition's body.
    if let Some(end) = code_position(rest, ';') {
        if rest.find('{').is_none_or(|open| end < open) {
            let docstring = rest.trim_start().starts_with("///");
            let hint = if docstring && rest[..end].contains("typedef") {
                TYPEDEF_DOC
            } else {
                GENERIC
            };
            return (offset, hint);
        }
    }
    let Some(open) = rest.find('{') else {
        return (offset, GENERIC);
    };
    // The definition's keyword: past its `///` docstring and attributes.
    let keyword = (rest[..open].lines())
        .filter(|line| !line.trim_start().starts_with("//"))
        .flat_map(str::split_whitespace)
        .find(|w| !w.starts_with('['));
    let body_start = offset + open + 1;
    if keyword == Some("enum") {
        if let Some(at) = stray_in_enum(text, body_start) {
            return (at, ENUM);
        }
    }
    let mut depth = 0usize;
    let mut member_start = body_start;
    for (i, c) in text[body_start..].char_indices() {
        let at = body_start + i;
        match c {
            '(' | '[' | '<' => depth += 1,
            ')' | ']' | '>' => depth = depth.saturating_sub(1),
            '}' if depth == 0 => {
                // Members all parsed; what follows the body is wrong (e.g. a missing `;`).
                let has_members = matches!(
                    keyword,
                    Some("namespace" | "interface" | "callback" | "dictionary")
                );
                if has_members && !text[member_start..at].trim().is_empty() {
                    return (first_non_space(text, member_start), MEMBER);
                }
                return (at, AFTER_BODY);
            }
            ';' if depth == 0 => {
                let member = &text[member_start..=at];
                if !member_parses(keyword, member) {
                    let hint = if member.contains('=') && !member.contains("optional") {
                        DEFAULT
                    } else {
                        MEMBER
                    };
                    return (first_non_space(text, member_start), hint);
                }
                member_start = at + 1;
            }
            _ => {}
        }
    }
    (offset, GENERIC)
}

/// The first thing in an enum body that is neither a string literal, a
/// comma, space nor a comment, if it comes before the closing `}`.
fn stray_in_enum(text: &str, body_start: usize) -> Option<usize> {
    let mut at = body_start;
    loop {
        at = first_non_space(text, at);
        let rest = &text[at..];
        if rest.starts_with("///") {
            at += rest.find('\n').unwrap_or(rest.len());
        } else if let Some(literal) = rest.strip_prefix('"') {
            at += 1 + literal.find('"').map_or(literal.len(), |end| end + 1);
        } else if rest.starts_with(',') {
            at += 1;
        } else if rest.starts_with('}') || rest.is_empty() {
            return None;
        } else {
            return Some(at);
        }
    }
}

fn member_parses(keyword: Option<&str>, member: &str) -> bool {
    fn all<'a, T: Parse<'a>>(member: &'a str) -> bool {
        matches!(T::parse(member), Ok((rest, _)) if rest.trim().is_empty())
    }
    match keyword {
        Some("namespace") => all::<NamespaceMember<'_>>(member),
        Some("interface" | "callback") => all::<InterfaceMember<'_>>(member),
        Some("dictionary") => all::<weedle::dictionary::DictionaryMember<'_>>(member),
        _ => true,
    }
}

/// The byte position of the first `c` in `text` outside `//` comments.
fn code_position(text: &str, c: char) -> Option<usize> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let code = line.find("//").map_or(line, |comment| &line[..comment]);
        if let Some(i) = code.find(c) {
            return Some(at + i);
        }
        at += line.len();
    }
    None
}

/// The first character at or after `at` that is neither space nor part of a comment.
fn first_non_space(text: &str, mut at: usize) -> usize {
    loop {
        let rest = &text[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed.starts_with("//") && !trimmed.starts_with("///") {
            at += trimmed.find('\n').unwrap_or(trimmed.len());
        } else {
            return at;
        }
    }
}

/// Deepest bracket nesting the parsers are given. They recurse once per
/// level, so an adversarial file could otherwise overflow the stack.
pub const MAX_NESTING: usize = 64;

/// Rejects text nested deeper than [`MAX_NESTING`] (`<`, `(`, `[`, `{`
/// outside comments and strings), at the bracket that goes too deep.
fn check_nesting(text: &str) -> Result<(), Diagnostic> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += 1;
                }
            }
            b'<' | b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(Diagnostic::new(
                        Code::UdlSyntax,
                        Source::Udl,
                        i..i + 1,
                        format!("brackets nested more than {MAX_NESTING} levels deep"),
                    )
                    .with_help("flatten the type: give inner parts names of their own"));
                }
            }
            b'>' | b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn syntax_error(text: &str, offset: usize) -> Diagnostic {
    let (offset, hint) = refine(text, offset.min(text.len()));
    let rest = &text[offset.min(text.len())..];
    let token_len = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map_or(rest.len(), |(i, _)| i)
        .max(rest.chars().next().map_or(0, char::len_utf8));
    Diagnostic::new(
        Code::UdlSyntax,
        Source::Udl,
        offset..offset + token_len,
        "UDL syntax error: cannot parse from here",
    )
    .with_help(hint)
}

/// Locates uniffi_udl's message: at the first definition it names, or the
/// namespace; the messages bindery knows are said in its own words.
fn semantic_error(text: &str, spans: &Spans, message: &str) -> Diagnostic {
    let first_line = message.lines().next().unwrap_or("invalid UDL");
    if let Some(d) = known_rejection(text, first_line) {
        return d;
    }
    let short: String = first_line.chars().take(200).collect();
    let defined = spans.map.iter().find_map(|(key, span)| match key {
        Key::Def(name) if mentions(first_line, name) => Some(span.clone()),
        _ => None,
    });
    let span = defined
        .or_else(|| first_use(text, first_line))
        .unwrap_or_else(|| spans.namespace.clone());
    Diagnostic::new(
        Code::UdlSemantic,
        Source::Udl,
        span,
        format!("UniFFI rejects this UDL: {short}"),
    )
}

/// Whether `at` is inside a `//` comment (docstrings included).
fn in_comment(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..at].contains("//")
}

/// uniffi_udl's rejections that bindery says in its own words, located at
/// their cause: a default its type does not take, and variants in an
/// interface that is neither `[Error]` nor `[Enum]`.
fn known_rejection(text: &str, message: &str) -> Option<Diagnostic> {
    if let Some(rest) = message.strip_prefix("No support for ") {
        // `EmptyDictionary(..)`, `String(StringLit("x"))`, `Integer(..("5"))`, ...
        let kind = rest.split('(').next().unwrap_or_default();
        let quoted = rest.split('"').nth(1);
        let literal = match kind {
            "EmptyDictionary" => "{}".to_string(),
            "EmptyArray" => "[]".to_string(),
            "Null" => "null".to_string(),
            "Boolean" if rest.contains("true") => "true".to_string(),
            "Boolean" => "false".to_string(),
            "String" => format!("\"{}\"", quoted?),
            _ => quoted?.to_string(),
        };
        // The literal written after a `=`, outside comments.
        let at = text
            .match_indices(&literal)
            .map(|(at, _)| at)
            .find(|&at| !in_comment(text, at) && text[..at].trim_end().ends_with('='))?;
        return Some(
            Diagnostic::new(
                Code::UdlSemantic,
                Source::Udl,
                at..at + literal.len(),
                format!("the default `{literal}` is not a value of its type"),
            )
            .with_help(
                "UDL defaults are `null` for an optional, `[]` for a sequence, `{}` for a \
                 `record<K, V>`, a literal of the type for numbers, `boolean` and `string`, and \
                 a variant's name as a string for an enum; a dictionary, interface or custom \
                 type takes none (but `null` when optional)",
            ),
        );
    }
    let name = message.strip_prefix("unknown type reference: ")?.trim();
    // `Name(...)` as a member: a variant of an interface missing its attribute.
    let at = text.match_indices(name).map(|(at, _)| at).find(|&at| {
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        !in_comment(text, at)
            && text[line_start..at].trim().is_empty()
            && text[at + name.len()..].trim_start().starts_with('(')
    })?;
    let owner_at = text[..at].rfind("interface ")?;
    let owner = text[owner_at + "interface ".len()..]
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()?;
    Some(
        Diagnostic::new(
            Code::UdlSemantic,
            Source::Udl,
            at..at + name.len(),
            format!("`{name}(...)` is a variant, but `{owner}` is a plain interface"),
        )
        .with_help(format!(
            "mark `interface {owner}` `[Error]` (an error type) or `[Enum]` (an enum with \
             fields); a method is written `<return type> {name}(...)`"
        )),
    )
}

/// The first place, outside comments, where the UDL has a string literal
/// the message quotes (`StringLit("world")`), else a capitalised word of
/// the message (a type name).
fn first_use(text: &str, message: &str) -> Option<Range<usize>> {
    let in_comment = |at: usize| in_comment(text, at);
    let quoted = message
        .split('"')
        .skip(1)
        .step_by(2)
        .map(|q| format!("\"{q}\""));
    let literal = quoted.filter(|q| q.len() > 2).find_map(|q| {
        text.match_indices(&q)
            .map(|(at, _)| at..at + q.len())
            .find(|r| !in_comment(r.start))
    });
    if literal.is_some() {
        return literal;
    }
    let words = message.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
    words
        .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()) && w.len() > 1)
        .find_map(|word| {
            text.match_indices(word)
                .map(|(at, _)| at..at + word.len())
                .find(|r| {
                    let before = text[..r.start].chars().next_back();
                    let after = text[r.end..].chars().next();
                    let boundary =
                        |c: Option<char>| !c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
                    boundary(before) && boundary(after) && !in_comment(r.start)
                })
        })
}

fn mentions(message: &str, name: &str) -> bool {
    message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|word| word == name)
}

fn offset_in(text: &str, part: &str) -> usize {
    let start = text.as_ptr() as usize;
    let at = part.as_ptr() as usize;
    if at >= start && at <= start + text.len() {
        at - start
    } else {
        0
    }
}

fn span_of(text: &str, part: &str) -> Range<usize> {
    let start = offset_in(text, part);
    start..start + part.len()
}

fn named_attribute<'a>(
    attributes: &Option<ExtendedAttributeList<'a>>,
    name: &str,
) -> Option<&'a str> {
    attributes
        .as_ref()?
        .body
        .list
        .iter()
        .find_map(|attribute| match attribute {
            ExtendedAttribute::Ident(a) if a.lhs_identifier.0 == name => match a.rhs {
                IdentifierOrString::Identifier(id) => Some(id.0),
                IdentifierOrString::String(s) => Some(s.0),
            },
            _ => None,
        })
}

/// The name of an enum-interface variant, written as `Name(args);`.
fn variant_name<'a>(return_type: &ReturnType<'a>) -> Option<&'a str> {
    match return_type {
        ReturnType::Type(Type::Single(SingleType::NonAny(NonAnyType::Identifier(id)))) => {
            Some(id.type_.0)
        }
        _ => None,
    }
}

/// The error type of a `[Throws=E]` attribute, as a type use.
fn throws_ref(
    text: &str,
    attributes: &Option<ExtendedAttributeList<'_>>,
    out: &mut Vec<(String, Range<usize>)>,
) {
    if let Some(error) = named_attribute(attributes, "Throws") {
        out.push((error.to_string(), span_of(text, error)));
    }
}

/// The arguments of a member and the types they use.
fn index_args(text: &str, spans: &mut Spans, owner: &str, member: &str, list: &ArgumentList<'_>) {
    for arg in &list.list {
        if let weedle::argument::Argument::Single(a) = arg {
            spans.insert(
                Key::Arg(owner.into(), member.into(), a.identifier.0.into()),
                span_of(text, a.identifier.0),
            );
            type_refs(text, &a.type_.type_, &mut spans.type_refs);
        }
    }
}

/// A named operation of a namespace or callback interface: its name, its
/// arguments and the types it uses (`[Throws]`, return and arguments).
type Operation<'a, 'b> = (
    &'b Option<ExtendedAttributeList<'a>>,
    &'b ReturnType<'a>,
    Option<&'a str>,
    &'b ArgumentList<'a>,
);

fn index_operation(text: &str, spans: &mut Spans, owner: &str, op: Operation<'_, '_>) {
    let (attributes, return_type, name, args) = op;
    throws_ref(text, attributes, &mut spans.type_refs);
    return_refs(text, return_type, &mut spans.type_refs);
    if let Some(name) = name {
        spans.insert(Key::Member(owner.into(), name.into()), span_of(text, name));
        index_args(text, spans, owner, name, args);
    }
}

/// The names in an interface: its methods (or enum-interface variants), its
/// constructors and their arguments, and the types they use.
fn index_interface(text: &str, i: &weedle::InterfaceDefinition<'_>, spans: &mut Spans) {
    let owner = i.identifier.0;
    spans.insert(Key::Def(owner.into()), span_of(text, owner));
    for member in &i.members.body {
        match member {
            InterfaceMember::Operation(op) => {
                throws_ref(text, &op.attributes, &mut spans.type_refs);
                // An enum-interface variant is written `Name(args);`: its
                // "return type" is its own name, not a type use.
                if op.identifier.is_some() {
                    return_refs(text, &op.return_type, &mut spans.type_refs);
                }
                let name = op
                    .identifier
                    .map(|id| id.0)
                    .or_else(|| variant_name(&op.return_type));
                if let Some(name) = name {
                    spans.insert(Key::Member(owner.into(), name.into()), span_of(text, name));
                    index_args(text, spans, owner, name, &op.args.body);
                }
            }
            InterfaceMember::Constructor(c) => {
                if let Some(error) = named_attribute(&c.attributes, "Throws") {
                    spans
                        .constructor_throws
                        .push((error.to_string(), span_of(text, error)));
                }
                let name = named_attribute(&c.attributes, "Name").unwrap_or("new");
                let at = named_attribute(&c.attributes, "Name")
                    .map_or_else(|| span_of(text, owner), |n| span_of(text, n));
                spans.insert(Key::Member(owner.into(), name.into()), at);
                index_args(text, spans, owner, name, &c.args.body);
            }
            _ => {}
        }
    }
}

fn index(text: &str, definitions: &[Definition<'_>]) -> Spans {
    let mut spans = Spans::default();
    for definition in definitions {
        match definition {
            Definition::Namespace(ns) => {
                let owner = ns.identifier.0;
                if spans.namespace.is_empty() {
                    spans.namespace = span_of(text, owner);
                    spans.namespace_name = Some(owner.to_string());
                }
                spans.insert(Key::Def(owner.into()), span_of(text, owner));
                for member in &ns.members.body {
                    if let NamespaceMember::Operation(op) = member {
                        let id = op.identifier.map(|id| id.0);
                        let parts = (&op.attributes, &op.return_type, id, &op.args.body);
                        index_operation(text, &mut spans, owner, parts);
                    }
                }
            }
            Definition::Enum(e) => {
                let owner = e.identifier.0;
                spans.insert(Key::Def(owner.into()), span_of(text, owner));
                let traits = e.attributes.iter().flat_map(|list| &list.body.list);
                for attribute in traits {
                    if let ExtendedAttribute::IdentList(a) = attribute {
                        if a.identifier.0 == "Traits" {
                            let names = a.list.body.list.iter().map(|i| i.0.to_string());
                            spans.enum_traits.insert(owner.into(), names.collect());
                        }
                    }
                }
                for value in &e.values.body.list {
                    spans.insert(
                        Key::Member(owner.into(), value.value.0.into()),
                        span_of(text, value.value.0),
                    );
                }
            }
            Definition::Interface(i) => index_interface(text, i, &mut spans),
            Definition::CallbackInterface(c) => {
                let owner = c.identifier.0;
                spans.insert(Key::Def(owner.into()), span_of(text, owner));
                for member in &c.members.body {
                    if let InterfaceMember::Operation(op) = member {
                        let id = op.identifier.map(|id| id.0);
                        let parts = (&op.attributes, &op.return_type, id, &op.args.body);
                        index_operation(text, &mut spans, owner, parts);
                    }
                }
            }
            Definition::Dictionary(d) => {
                let owner = d.identifier.0;
                spans.insert(Key::Def(owner.into()), span_of(text, owner));
                for member in &d.members.body {
                    spans.insert(
                        Key::Member(owner.into(), member.identifier.0.into()),
                        span_of(text, member.identifier.0),
                    );
                    type_refs(text, &member.type_, &mut spans.type_refs);
                }
            }
            Definition::Typedef(t) => {
                spans.insert(
                    Key::Def(t.identifier.0.into()),
                    span_of(text, t.identifier.0),
                );
            }
            _ => {}
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_names() {
        let udl = "namespace ns {\n  u32 add(u32 left);\n};\n[Error]\ninterface E { Bad(string why); };\n";
        let parsed = parse(udl, "ns").unwrap();
        let at = |r: Range<usize>| &udl[r];
        assert_eq!(at(parsed.spans.def("E")), "E");
        assert_eq!(at(parsed.spans.member("ns", "add")), "add");
        assert_eq!(at(parsed.spans.arg("ns", "add", "left")), "left");
        assert_eq!(at(parsed.spans.arg("E", "Bad", "why")), "why");
    }

    #[test]
    fn deep_nesting_is_a_diagnostic_not_a_stack_overflow() {
        let deep = format!(
            "namespace d {{ {}u32{} f(); }};",
            "sequence<".repeat(10_000),
            ">".repeat(10_000)
        );
        let err = parse(&deep, "d").err().unwrap().remove(0);
        assert_eq!(err.code, Code::UdlSyntax);
        let ok = format!(
            "namespace d {{ {}u32{} f(); }};",
            "sequence<".repeat(40),
            ">".repeat(40)
        );
        assert!(parse(&ok, "d").is_ok());
        // Brackets inside comments and docstrings do not count.
        let commented = format!("namespace d {{ // {}\n u32 f(); }};", "<".repeat(500));
        assert!(parse(&commented, "d").is_ok());
    }

    #[test]
    fn syntax_errors_are_located() {
        let udl = "namespace ns {};\ndictionary D { u32 x };\n";
        let err = parse(udl, "ns").err().unwrap().remove(0);
        assert_eq!(err.code, Code::UdlSyntax);
        assert!(
            udl[err.span.start..].starts_with("u32 x }"),
            "{:?}",
            err.span
        );

        let udl = "namespace ns {\n  void ok();\n  u32 f(u32 a = 1);\n};\n";
        let err = parse(udl, "ns").err().unwrap().remove(0);
        assert!(
            udl[err.span.start..].starts_with("u32 f("),
            "{:?}",
            err.span
        );

        // A `///` docstring before the definition changes nothing.
        for udl in [
            "/// Doc.\nnamespace ns {\n  string greet(string name, boolean shout = false);\n};\n",
            "/// Doc; with a `;`.\n[Error]\ndictionary D {\n  u32 a\n};\nnamespace ns {};\n",
        ] {
            let err = parse(udl, "ns").err().unwrap().remove(0);
            let at = &udl[err.span.start..];
            assert!(
                at.starts_with("string greet(") || at.starts_with("u32 a"),
                "{udl}: {at:?}"
            );
        }

        let udl = "namespace ns {};\n[Error]\nenum E { \"A\" }\ninterface X {};\n";
        let err = parse(udl, "ns").err().unwrap().remove(0);
        assert_eq!(
            &udl[err.span.start..err.span.start + 1],
            "}",
            "the end of the body"
        );
    }
}
