//! The one place where identifiers are checked and turned into Python and
//! Rust names. Templates never decide a name.

/// Python's hard keywords (3.11+). Soft keywords (`match`, `case`, `type`, `_`)
/// and builtins are legal names and are kept.
pub const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Rust keywords that are usable as raw identifiers (`r#type`).
const RUST_RAW_KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
    "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "gen",
];

/// Rust keywords that cannot be raw identifiers.
const RUST_FORBIDDEN: &[&str] = &["self", "Self", "super", "crate", "_"];

pub fn is_python_keyword(name: &str) -> bool {
    PYTHON_KEYWORDS.contains(&name)
}

/// A Python identifier as bindery emits it: ASCII letters, digits and `_`,
/// not starting with a digit. (Python allows more, but generated code stays ASCII.)
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The Python spelling of a UDL name: keywords get a trailing underscore.
pub fn python_name(name: &str) -> String {
    if is_python_keyword(name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// Values of Rust's prelude: a parameter or a field of that name would be
/// read by rustc as a pattern of the variant, not as a new binding.
const RUST_PRELUDE_VALUES: &[&str] = &["Some", "None", "Ok", "Err"];

/// The Python (and glue) spelling of a name that the glue binds as a
/// parameter (arguments, record fields): like `python_name`, and Rust's
/// prelude variants get a trailing underscore too (`Ok` → `Ok_`).
pub fn binding_name(name: &str) -> String {
    if RUST_PRELUDE_VALUES.contains(&name) {
        format!("{name}_")
    } else {
        python_name(name)
    }
}

/// The Python (and glue) spelling of a field of an enum variant: like
/// `binding_name`, and `py` becomes `py_`, because PyO3's constructor of a
/// complex-enum variant takes a parameter `py` of its own.
pub fn variant_field_name(name: &str) -> String {
    if name == "py" {
        "py_".to_string()
    } else {
        binding_name(name)
    }
}

/// The Rust spelling of a UDL name, or `None` if Rust cannot spell it.
pub fn rust_name(name: &str) -> Option<String> {
    if RUST_FORBIDDEN.contains(&name) || !is_identifier(name) {
        None
    } else if RUST_RAW_KEYWORDS.contains(&name) {
        Some(format!("r#{name}"))
    } else {
        Some(name.to_string())
    }
}

/// `snake_case` of a CamelCase name, for Rust function names derived from types.
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            // After a `_` (the last character out) no second one.
            if i > 0 && (prev_lower || next_lower) && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// UniFFI's Python spelling of a class name: `UpperCamelCase` by words
/// (`XYZEnum` → `XyzEnum`, `http_client` → `HttpClient`).
pub fn upper_camel(name: &str) -> String {
    let words = snake_case(name);
    let words = words.split('_').filter(|w| !w.is_empty());
    words
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// Names the generated code keeps for itself (`bindery_new_error`,
/// `BinderyEventListener`, `_bindery_restore`, ...).
pub fn is_reserved_prefix(name: &str) -> bool {
    name.trim_start_matches('_')
        .to_ascii_lowercase()
        .starts_with("bindery")
}

/// The glue's Rust name of the type it defines for a UDL object, record,
/// enum or callback interface: the reserved prefix keeps it clear of every
/// std and PyO3 name, and UDL names are unique, so no two glue types clash.
pub fn glue_type(udl: &str) -> String {
    format!("Bindery{udl}")
}

/// A second glue type for one UDL definition, by its role (`Foreign`, the
/// bridge to a Python implementation of a trait; `Dyn`, a trait object as a
/// value; `Error`, an interface thrown as an error, as a value; `Class`, the
/// native class of a record):
/// `Bindery_Role_Name`. `glue_type` never yields `Bindery_`, since
/// no UDL name starts with `_`, and roles differ in their first letters.
pub fn role_type(role: &str, udl: &str) -> String {
    format!("Bindery_{role}_{udl}")
}

/// `UPPER_SNAKE_CASE`, the spelling of enum members (`DarkRed` → `DARK_RED`).
pub fn upper_snake(name: &str) -> String {
    snake_case(name).to_uppercase()
}

/// Levenshtein distance, for "did you mean" help.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `name`, if it is close enough to be a typo.
/// A name cut short (`CheckErr`, `FileNotFound`) is first completed: the
/// shortest candidate it begins (case-sensitively, by at most six
/// characters) wins over one a few edits away.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    let completed = (candidates.iter().copied())
        .filter(|c| name.len() >= 3 && c.len() >= name.len() && c.len() - name.len() <= 6)
        .filter(|c| c.starts_with(name))
        .min_by_key(|c| (c.len(), *c));
    completed.or_else(|| {
        (candidates.iter().copied())
            .map(|c| (distance(name, c), c))
            .filter(|(d, c)| *d <= 2.max(c.len() / 4))
            .min()
            .map(|(_, c)| c)
    })
}

/// A built-in exception class that may be used as an extra base.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinException {
    pub name: &'static str,
    pub parent: &'static str,
    /// Classes with the same non-empty layout family can be combined; two
    /// different non-empty families cannot (CPython's "lay-out conflict").
    pub layout: &'static str,
    /// Attributes instances already have, which fields must not shadow.
    pub attributes: &'static [&'static str],
}

const OS_ATTRS: &[&str] = &[
    "errno",
    "strerror",
    "filename",
    "filename2",
    "characters_written",
];

macro_rules! builtin {
    ($name:literal, $parent:literal, $layout:literal, $attrs:expr) => {
        BuiltinException {
            name: $name,
            parent: $parent,
            layout: $layout,
            attributes: $attrs,
        }
    };
}

/// Built-in `Exception` subclasses of Python 3.11 that can take a message as
/// their only argument (the Unicode*Error classes cannot, so they are absent).
pub const BUILTIN_EXCEPTIONS: &[BuiltinException] = &[
    builtin!("Exception", "BaseException", "", &[]),
    builtin!("ArithmeticError", "Exception", "", &[]),
    builtin!("FloatingPointError", "ArithmeticError", "", &[]),
    builtin!("OverflowError", "ArithmeticError", "", &[]),
    builtin!("ZeroDivisionError", "ArithmeticError", "", &[]),
    builtin!("AssertionError", "Exception", "", &[]),
    builtin!("AttributeError", "Exception", "attribute", &["name", "obj"]),
    builtin!("BufferError", "Exception", "", &[]),
    builtin!("EOFError", "Exception", "", &[]),
    builtin!(
        "ImportError",
        "Exception",
        "import",
        &["name", "path", "msg"]
    ),
    builtin!(
        "ModuleNotFoundError",
        "ImportError",
        "import",
        &["name", "path", "msg"]
    ),
    builtin!("LookupError", "Exception", "", &[]),
    builtin!("IndexError", "LookupError", "", &[]),
    builtin!("KeyError", "LookupError", "", &[]),
    builtin!("MemoryError", "Exception", "", &[]),
    builtin!("NameError", "Exception", "name", &["name"]),
    builtin!("UnboundLocalError", "NameError", "name", &["name"]),
    builtin!("OSError", "Exception", "os", OS_ATTRS),
    builtin!("BlockingIOError", "OSError", "os", OS_ATTRS),
    builtin!("ChildProcessError", "OSError", "os", OS_ATTRS),
    builtin!("ConnectionError", "OSError", "os", OS_ATTRS),
    builtin!("BrokenPipeError", "ConnectionError", "os", OS_ATTRS),
    builtin!("ConnectionAbortedError", "ConnectionError", "os", OS_ATTRS),
    builtin!("ConnectionRefusedError", "ConnectionError", "os", OS_ATTRS),
    builtin!("ConnectionResetError", "ConnectionError", "os", OS_ATTRS),
    builtin!("FileExistsError", "OSError", "os", OS_ATTRS),
    builtin!("FileNotFoundError", "OSError", "os", OS_ATTRS),
    builtin!("InterruptedError", "OSError", "os", OS_ATTRS),
    builtin!("IsADirectoryError", "OSError", "os", OS_ATTRS),
    builtin!("NotADirectoryError", "OSError", "os", OS_ATTRS),
    builtin!("PermissionError", "OSError", "os", OS_ATTRS),
    builtin!("ProcessLookupError", "OSError", "os", OS_ATTRS),
    builtin!("TimeoutError", "OSError", "os", OS_ATTRS),
    builtin!("ReferenceError", "Exception", "", &[]),
    builtin!("RuntimeError", "Exception", "", &[]),
    builtin!("NotImplementedError", "RuntimeError", "", &[]),
    builtin!("RecursionError", "RuntimeError", "", &[]),
    builtin!(
        "SyntaxError",
        "Exception",
        "syntax",
        &[
            "msg",
            "filename",
            "lineno",
            "offset",
            "text",
            "end_lineno",
            "end_offset",
            "print_file_and_line"
        ]
    ),
    builtin!("SystemError", "Exception", "", &[]),
    builtin!("TypeError", "Exception", "", &[]),
    builtin!("ValueError", "Exception", "", &[]),
    builtin!("UnicodeError", "ValueError", "", &[]),
];

pub fn builtin_exception(name: &str) -> Option<&'static BuiltinException> {
    BUILTIN_EXCEPTIONS.iter().find(|b| b.name == name)
}

/// Whether built-in `ancestor` is `name` or one of its bases.
pub fn builtin_is_subclass(name: &str, ancestor: &str) -> bool {
    let mut current = name;
    loop {
        if current == ancestor {
            return true;
        }
        match builtin_exception(current) {
            Some(b) => current = b.parent,
            None => return false,
        }
    }
}

/// The public names of Python's `builtins` module (3.11), which a class
/// named in the config must not shadow.
pub const PYTHON_BUILTINS: &[&str] = &[
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BaseException",
    "BaseExceptionGroup",
    "BlockingIOError",
    "BrokenPipeError",
    "BufferError",
    "BytesWarning",
    "ChildProcessError",
    "ConnectionAbortedError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "DeprecationWarning",
    "EOFError",
    "Ellipsis",
    "EncodingWarning",
    "EnvironmentError",
    "Exception",
    "ExceptionGroup",
    "FileExistsError",
    "FileNotFoundError",
    "FloatingPointError",
    "FutureWarning",
    "GeneratorExit",
    "IOError",
    "ImportError",
    "ImportWarning",
    "IndentationError",
    "IndexError",
    "InterruptedError",
    "IsADirectoryError",
    "KeyError",
    "KeyboardInterrupt",
    "LookupError",
    "MemoryError",
    "ModuleNotFoundError",
    "NameError",
    "NotADirectoryError",
    "NotImplemented",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PendingDeprecationWarning",
    "PermissionError",
    "ProcessLookupError",
    "RecursionError",
    "ReferenceError",
    "ResourceWarning",
    "RuntimeError",
    "RuntimeWarning",
    "StopAsyncIteration",
    "StopIteration",
    "SyntaxError",
    "SyntaxWarning",
    "SystemError",
    "SystemExit",
    "TabError",
    "TimeoutError",
    "TypeError",
    "UnboundLocalError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeError",
    "UnicodeTranslateError",
    "UnicodeWarning",
    "UserWarning",
    "ValueError",
    "Warning",
    "ZeroDivisionError",
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "bool",
    "breakpoint",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "compile",
    "complex",
    "delattr",
    "dict",
    "dir",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "hex",
    "id",
    "input",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "list",
    "locals",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "property",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "vars",
    "zip",
];

/// The package's private module of flat enums (`enum.Enum` classes, pure
/// Python). No UDL name starts with `_`; the config's module names are
/// checked against it.
pub const ENUMS_MODULE: &str = "_enums";

/// The dispatcher's module that chooses and loads the backend, in a
/// package with backends.
pub const BACKEND_MODULE: &str = "_backend";

/// Names bindery adds to the public surface of a package: its submodules
/// and the attributes of its exceptions. A UDL name that clashes with one is
/// a located diagnostic (B021 or B022), never broken output.
/// All but `args` are configurable (`python.errors-module`,
/// `python.listeners-module`, `python.variant-attribute`,
/// `python.panic-class`); `InternalError` is an alias of the panic class,
/// added only where the API leaves the name free.
pub const PUBLIC_NAMES: &[&str] = &[
    "errors",
    "listeners",
    "variant",
    "args",
    "PanicError",
    "InternalError",
];

/// Attribute names every exception instance has, plus bindery's own.
pub const EXCEPTION_RESERVED: &[&str] = &["args", "with_traceback", "add_note"];

/// The top-level modules of CPython's standard library (3.11 to 3.13,
/// `sys.stdlib_module_names` without private ones): import sections follow
/// them as ruff's isort does.
pub const STDLIB_MODULES: &[&str] = &[
    "abc",
    "aifc",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "idlelib",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
];

/// Whether `module` (dotted) belongs to the standard library.
pub fn is_stdlib(module: &str) -> bool {
    let top = module.split('.').next().unwrap_or_default();
    STDLIB_MODULES.binary_search(&top).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(python_name("lambda"), "lambda_");
        assert_eq!(python_name("match"), "match");
        assert_eq!(python_name("None"), "None_");
        assert_eq!(rust_name("type").as_deref(), Some("r#type"));
        assert_eq!(rust_name("self"), None);
        assert_eq!(rust_name("9x"), None);
        assert_eq!(rust_name("box_id").as_deref(), Some("box_id"));
    }

    #[test]
    fn snake() {
        assert_eq!(snake_case("BoxkitError"), "boxkit_error");
        assert_eq!(snake_case("HTTPError"), "http_error");
        assert_eq!(snake_case("IoError2"), "io_error2");
        // Capitals not followed by a lowercase letter: one word to the end,
        // a lone one its own word.
        assert_eq!(snake_case("DarkRGB"), "dark_rgb");
        assert_eq!(snake_case("GetX"), "get_x");
        // A capital after a digit starts a word, whatever follows it.
        assert_eq!(snake_case("Base64URL"), "base64_url");
        assert_eq!(snake_case("Utf8Error"), "utf8_error");
        assert_eq!(snake_case("Already_Split"), "already_split");
        assert_eq!(snake_case("XMLHttpRequest"), "xml_http_request");
        assert_eq!(snake_case("already_snake"), "already_snake");
    }

    #[test]
    fn upper_camel_spells_class_names_as_uniffi_does() {
        assert_eq!(upper_camel("XYZEnum"), "XyzEnum");
        assert_eq!(upper_camel("HTTPClient"), "HttpClient");
        assert_eq!(upper_camel("print"), "Print");
        assert_eq!(upper_camel("my__record_"), "MyRecord");
        assert_eq!(upper_camel("Utf8Error"), "Utf8Error");
        assert_eq!(upper_camel("BoxState"), "BoxState");
    }

    #[test]
    fn suggestions() {
        let names = BUILTIN_EXCEPTIONS.iter().map(|b| b.name);
        assert_eq!(
            did_you_mean("LookUpError", names.clone()),
            Some("LookupError")
        );
        assert_eq!(
            did_you_mean("TimeOutError", names.clone()),
            Some("TimeoutError")
        );
        assert_eq!(did_you_mean("Completely", names.clone()), None);
        // A name cut short is completed, not edited into another.
        assert_eq!(
            did_you_mean("FileNotFound", names.clone()),
            Some("FileNotFoundError")
        );
        assert_eq!(
            did_you_mean("CheckErr", ["Checker", "CheckError", "Check"]),
            Some("CheckError")
        );
        assert_eq!(
            did_you_mean("Io", ["IoError"]),
            None,
            "too short to complete"
        );
        // Completed by at most six characters.
        assert_eq!(did_you_mean("Abc", ["Abcdefghij"]), None);
        assert_eq!(did_you_mean("Abc", ["Abcdefghi"]), Some("Abcdefghi"));
        // A name as long as a candidate it begins is that candidate.
        assert_eq!(did_you_mean("Check", ["Checker", "Check"]), Some("Check"));
        // A long name may be a quarter of its length away (16 -> 4 edits).
        assert_eq!(
            did_you_mean("KonnektionKlosed", ["ConnectionClosed"]),
            Some("ConnectionClosed")
        );
        assert_eq!(did_you_mean("KonnektionKlozet", ["ConnectionClosed"]), None);
    }

    #[test]
    fn hierarchy() {
        assert!(builtin_is_subclass("BrokenPipeError", "OSError"));
        assert!(builtin_is_subclass("KeyError", "Exception"));
        assert!(!builtin_is_subclass("KeyError", "OSError"));
    }
}
