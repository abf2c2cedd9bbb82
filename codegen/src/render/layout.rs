//! Line layout that matches rustfmt (with `use_small_heuristics = "Max"`),
//! so generated Rust passes `cargo fmt --check` as emitted.
//!
//! One convention for every function here: `indent` is the column the text
//! starts at; the first line is returned unindented (the caller writes it at
//! that column) and every further line carries its full indentation, which
//! is what `Writer::laid_out` expects.

const MAX_WIDTH: usize = 100;

/// `prefix(items) suffix`, on one line if it fits at `indent`, else one item
/// per line with a trailing comma, as rustfmt lays out signatures and calls.
pub fn list(indent: usize, prefix: &str, items: &[String], suffix: &str) -> String {
    let one_line = format!("{prefix}({}){suffix}", items.join(", "));
    if indent + one_line.len() <= MAX_WIDTH || items.is_empty() {
        return one_line;
    }
    let pad = " ".repeat(indent + 4);
    let mut out = format!("{prefix}(\n");
    for item in items {
        out.push_str(&format!("{pad}{item},\n"));
    }
    out.push_str(&" ".repeat(indent));
    out.push(')');
    out.push_str(suffix);
    out
}

/// `#[path(items)]` at column 0, as rustfmt lays out an attribute: one line
/// if it fits, else one item per line without a trailing comma.
pub fn attribute(path: &str, items: &[String]) -> String {
    let one_line = format!("#[{path}({})]", items.join(", "));
    if one_line.len() <= MAX_WIDTH {
        return one_line;
    }
    format!("#[{path}(\n    {}\n)]", items.join(",\n    "))
}

/// `let {name} = {callee}(args){suffix};` at `indent`, as rustfmt lays out
/// an assignment: on one line if it fits; else the whole right-hand side on
/// the next line if it fits there; else the arguments one per line.
pub fn let_call(indent: usize, name: &str, callee: &str, args: &[String], suffix: &str) -> String {
    let rhs = format!("{callee}({}){suffix}", args.join(", "));
    let one_line = format!("let {name} = {rhs};");
    if indent + one_line.len() <= MAX_WIDTH {
        return one_line;
    }
    if indent + 4 + rhs.len() < MAX_WIDTH {
        return format!("let {name} =\n{}{rhs};", " ".repeat(indent + 4));
    }
    list(
        indent,
        &format!("let {name} = {callee}"),
        args,
        &format!("{suffix};"),
    )
}

/// `let {name} = {path} { fields };` laid out like rustfmt: one line, else
/// the literal alone on the next line, else one field per line.
pub fn let_struct(indent: usize, name: &str, path: &str, fields: &[String]) -> String {
    let literal = if fields.is_empty() {
        format!("{path} {{}}")
    } else {
        format!("{path} {{ {} }}", fields.join(", "))
    };
    let one_line = format!("let {name} = {literal};");
    if indent + one_line.len() <= MAX_WIDTH {
        return one_line;
    }
    // The literal plus its `;`.
    if indent + 4 + literal.len() < MAX_WIDTH {
        return format!("let {name} =\n{}{literal};", " ".repeat(indent + 4));
    }
    let pad = " ".repeat(indent + 4);
    let mut out = format!("let {name} = {path} {{\n");
    for field in fields {
        out.push_str(&format!("{pad}{field},\n"));
    }
    out.push_str(&" ".repeat(indent));
    out.push_str("};");
    out
}

/// `path { a, b }` as an expression at `indent`: one line if it fits, else
/// one field per line.
pub fn struct_expr(indent: usize, path: &str, fields: &[String]) -> String {
    if fields.is_empty() {
        return format!("{path} {{}}");
    }
    let one_line = format!("{path} {{ {} }}", fields.join(", "));
    if indent + one_line.len() <= MAX_WIDTH {
        return one_line;
    }
    let pad = " ".repeat(indent + 4);
    let mut out = format!("{path} {{\n");
    for field in fields {
        out.push_str(&format!("{pad}{field},\n"));
    }
    out.push_str(&" ".repeat(indent));
    out.push('}');
    out
}

/// `prefix[items]suffix` at `indent`: one line if it fits, else one item
/// per line.
pub fn array(indent: usize, prefix: &str, items: &[String], suffix: &str) -> String {
    let one_line = format!("{prefix}[{}]{suffix}", items.join(", "));
    if indent + one_line.len() <= MAX_WIDTH {
        return one_line;
    }
    let pad = " ".repeat(indent);
    let mut out = format!("{prefix}[\n");
    for item in items {
        out.push_str(&format!("{pad}    {item},\n"));
    }
    out.push_str(&format!("{pad}]{suffix}"));
    out
}

/// `pattern => path(values),`: a tuple variant built from `values`, laid
/// out as `match_arm` lays out a struct literal.
pub fn tuple_arm(indent: usize, pattern: &str, path: &str, values: &[String]) -> String {
    let literal = format!("{path}({})", values.join(", "));
    if indent + pattern.len() + 4 + literal.len() < MAX_WIDTH {
        format!("{pattern} => {literal},")
    } else {
        one_per_line(indent, &format!("{pattern} => {path}("), values, "),")
    }
}

/// `head`, then each item on a line of its own, then `tail` at `indent`.
fn one_per_line(indent: usize, head: &str, items: &[String], tail: &str) -> String {
    let pad = " ".repeat(indent);
    let mut out = format!("{head}\n");
    for item in items {
        out.push_str(&format!("{pad}    {item},\n"));
    }
    out.push_str(&format!("{pad}{tail}"));
    out
}

/// A match arm `pattern => Path { fields },` at column `indent`, laid out as
/// rustfmt does: on the arm's line if it fits, else in a block if the literal
/// then fits on one line, else one field per line.
pub fn match_arm(indent: usize, pattern: &str, path: &str, fields: &[String]) -> String {
    let literal = if fields.is_empty() {
        path.to_string()
    } else {
        format!("{path} {{ {} }}", fields.join(", "))
    };
    let pad = " ".repeat(indent);
    // Arm, ` => `, the literal and its `,` within the width.
    if indent + pattern.len() + 4 + literal.len() < MAX_WIDTH {
        format!("{pattern} => {literal},")
    } else if indent + 4 + literal.len() <= MAX_WIDTH || fields.is_empty() {
        // (A literal without fields, `V {}` included, cannot break further.)
        format!("{pattern} => {{\n{pad}    {literal}\n{pad}}}")
    } else {
        one_per_line(indent, &format!("{pattern} => {path} {{"), fields, "},")
    }
}
