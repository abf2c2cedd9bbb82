//! Proc-macro items no fixture crate declares, built here as UniFFI's
//! macros record them: each problem is a diagnostic naming the item (and
//! the right code), never a panic and never output.

use bindery_codegen::diagnostics::{self, Code};
use bindery_codegen::{generate, Input};
use uniffi_meta::{
    EnumMetadata, EnumShape, FieldMetadata, FnMetadata, FnParamMetadata, Metadata, MethodMetadata,
    NamespaceMetadata, ObjectImpl, ObjectMetadata, ObjectTraitImplMetadata, RecordMetadata, Type,
    VariantMetadata,
};

const CONFIG: &str = "[rust]\ncrate = \"procs\"\nproc-macros = true\n";

fn namespace() -> Metadata {
    Metadata::Namespace(NamespaceMetadata {
        crate_name: "procs".into(),
        name: "procs".into(),
    })
}

fn function(name: &str, inputs: Vec<FnParamMetadata>) -> Metadata {
    Metadata::Func(FnMetadata {
        module_path: "procs".into(),
        name: name.into(),
        orig_name: None,
        is_async: false,
        inputs,
        return_type: None,
        throws: None,
        checksum: None,
        docstring: None,
    })
}

fn method(self_name: &str, name: &str) -> Metadata {
    Metadata::Method(MethodMetadata {
        module_path: "procs".into(),
        self_name: self_name.into(),
        name: name.into(),
        orig_name: None,
        is_async: false,
        inputs: Vec::new(),
        return_type: None,
        throws: None,
        takes_self_by_arc: false,
        checksum: None,
        docstring: None,
    })
}

fn object(name: &str, imp: ObjectImpl) -> Metadata {
    Metadata::Object(ObjectMetadata {
        module_path: "procs".into(),
        name: name.into(),
        orig_name: None,
        remote: false,
        imp,
        docstring: None,
    })
}

fn object_type(name: &str) -> Type {
    Type::Object {
        module_path: "procs".into(),
        name: name.into(),
        imp: ObjectImpl::Struct,
    }
}

fn field(name: &str, ty: Type) -> FieldMetadata {
    FieldMetadata {
        name: name.into(),
        orig_name: None,
        ty,
        default: None,
        docstring: None,
    }
}

/// The diagnostics of the items (and the rendered text), which must fail.
/// An error enum of one variant without fields.
fn error_enum(name: &str, variant: &str, flat: bool) -> Metadata {
    Metadata::Enum(EnumMetadata {
        module_path: "procs".into(),
        name: name.into(),
        orig_name: None,
        shape: EnumShape::Error { flat },
        remote: false,
        variants: vec![VariantMetadata {
            name: variant.into(),
            orig_name: None,
            discr: None,
            fields: Vec::new(),
            docstring: None,
        }],
        discr_type: None,
        non_exhaustive: false,
        docstring: None,
    })
}

fn refused(items: Vec<Metadata>) -> (Vec<Code>, String) {
    let mut all = vec![namespace()];
    all.extend(items);
    let input = Input {
        udl_name: "",
        udl: "",
        config_name: "bindery.toml",
        config: CONFIG,
        core_version: None,
        crate_items: Some(&all),
    };
    let diags = match generate(&input) {
        Ok(_) => panic!("the items should be refused"),
        Err(diags) => diags,
    };
    let rendered = diagnostics::render(&input.inputs(), &diags);
    (diags.iter().map(|d| d.code).collect(), rendered)
}

#[test]
fn a_callback_interface_nobody_declares_is_refused() {
    let ghost = Type::CallbackInterface {
        module_path: "procs".into(),
        name: "Ghost".into(),
    };
    let (codes, text) = refused(vec![function(
        "haunt",
        vec![FnParamMetadata::simple("g", ghost)],
    )]);
    assert_eq!(codes, [Code::Unsupported], "{text}");
    assert!(
        text.contains("`Ghost`") && text.contains("in `haunt`"),
        "{text}"
    );
}

#[test]
fn a_custom_type_of_another_crate_is_refused_as_external() {
    let money = Type::Custom {
        module_path: "other_crate".into(),
        name: "Money".into(),
        builtin: Box::new(Type::String),
    };
    let (codes, text) = refused(vec![function(
        "price",
        vec![FnParamMetadata::simple("m", money)],
    )]);
    assert_eq!(codes, [Code::Unsupported], "{text}");
    assert!(text.contains("`Money` is an external type"), "{text}");
}

#[test]
fn throwing_an_interface_nobody_declares_is_refused() {
    let Metadata::Func(mut f) = function("fail", Vec::new()) else {
        unreachable!()
    };
    f.throws = Some(object_type("Ghost"));
    let (codes, text) = refused(vec![Metadata::Func(f)]);
    assert_eq!(codes, [Code::Unsupported], "{text}");
    assert!(
        text.contains("`fail` throws `Ghost`, which is not an `[Error]` type"),
        "{text}"
    );
}

#[test]
fn a_method_of_an_error_is_refused_naming_it() {
    let error = error_enum("Oops", "Bad", false);
    let (codes, text) = refused(vec![error, method("Oops", "describe")]);
    assert_eq!(codes, [Code::Unsupported], "{text}");
    assert!(
        text.contains("methods of errors") && text.contains("`Oops.describe`"),
        "{text}"
    );
}

#[test]
fn implementing_a_trait_the_api_lacks_or_a_callback_interface_is_refused() {
    let foreign_trait = Metadata::ObjectTraitImpl(ObjectTraitImplMetadata {
        ty: object_type("Canvas"),
        trait_ty: object_type("Elsewhere"),
    });
    let callback = Metadata::ObjectTraitImpl(ObjectTraitImplMetadata {
        ty: object_type("Canvas"),
        trait_ty: Type::CallbackInterface {
            module_path: "procs".into(),
            name: "Listener".into(),
        },
    });
    let canvas = object("Canvas", ObjectImpl::Struct);
    let (codes, text) = refused(vec![canvas, foreign_trait, callback]);
    assert_eq!(codes, [Code::Unsupported, Code::Unsupported], "{text}");
    assert!(
        text.contains("implementing a trait the API does not declare"),
        "{text}"
    );
    assert!(
        text.contains("implementations of callback interfaces on interfaces"),
        "{text}"
    );
}

#[test]
fn a_record_method_named_like_a_field_is_a_collision() {
    let record = Metadata::Record(RecordMetadata {
        module_path: "procs".into(),
        name: "Point".into(),
        orig_name: None,
        remote: false,
        fields: vec![field("x", Type::Float64), field("norm", Type::Float64)],
        docstring: None,
    });
    let (codes, text) = refused(vec![record, method("Point", "norm")]);
    assert_eq!(codes, [Code::NameCollision], "{text}");
    assert!(
        text.contains("among the fields and methods of `Point`"),
        "{text}"
    );
}

#[test]
fn an_enum_method_named_like_a_field_is_a_collision_once() {
    let variant = |name: &str| VariantMetadata {
        name: name.into(),
        orig_name: None,
        discr: None,
        fields: vec![field("at", Type::Float64)],
        docstring: None,
    };
    let shape = Metadata::Enum(EnumMetadata {
        module_path: "procs".into(),
        name: "Shape".into(),
        orig_name: None,
        shape: EnumShape::Enum,
        remote: false,
        // Two variants share the field `at`: that alone is no collision.
        variants: vec![variant("Dot"), variant("Line")],
        discr_type: None,
        non_exhaustive: false,
        docstring: None,
    });
    let (codes, text) = refused(vec![shape, method("Shape", "at")]);
    assert_eq!(codes, [Code::NameCollision], "{text}");
    assert!(
        text.contains("among the variants, fields and methods of `Shape`"),
        "{text}"
    );
}

#[test]
fn a_value_holding_its_own_type_through_boxes_is_refused() {
    let record_type = |name: &str| Type::Record {
        module_path: "procs".into(),
        name: name.into(),
    };
    let boxed = |ty: Type| Type::Box {
        inner_type: Box::new(ty),
    };
    let record = |name: &str, fields: Vec<FieldMetadata>| {
        Metadata::Record(RecordMetadata {
            module_path: "procs".into(),
            name: name.into(),
            orig_name: None,
            remote: false,
            fields,
            docstring: None,
        })
    };
    // Through an optional box; through another record and an enum's
    // variant; not through a list (`Tree`, bound).
    let node = record(
        "Node",
        vec![field(
            "next",
            Type::Optional {
                inner_type: Box::new(boxed(record_type("Node"))),
            },
        )],
    );
    let link_type = Type::Enum {
        module_path: "procs".into(),
        name: "Link".into(),
    };
    let pair = record("Pair", vec![field("link", boxed(link_type))]);
    let link = Metadata::Enum(EnumMetadata {
        module_path: "procs".into(),
        name: "Link".into(),
        orig_name: None,
        shape: EnumShape::Enum,
        remote: false,
        variants: vec![VariantMetadata {
            name: "To".into(),
            orig_name: None,
            discr: None,
            fields: vec![field("pair", record_type("Pair"))],
            docstring: None,
        }],
        discr_type: None,
        non_exhaustive: false,
        docstring: None,
    });
    let tree = record(
        "Tree",
        vec![field(
            "kids",
            Type::Sequence {
                inner_type: Box::new(record_type("Tree")),
            },
        )],
    );
    let (codes, text) = refused(vec![node, pair, link, tree]);
    assert_eq!(codes, [Code::Unsupported; 3], "{text}");
    for name in ["Node", "Pair", "Link"] {
        let message = format!("`{name}` holds a value of its own type");
        assert!(text.contains(&message), "{text}");
    }
    assert!(!text.contains("`Tree`"), "{text}");
}

#[test]
fn custom_types_thrown_where_no_conversion_reaches_the_error_are_refused() {
    let error = |name: &str, flat: bool| error_enum(name, "Oops", flat);
    let error_type = |name: &str| Type::Enum {
        module_path: "procs".into(),
        name: name.into(),
    };
    let custom = |name: &str, builtin: Type| {
        Metadata::CustomType(uniffi_meta::CustomTypeMetadata {
            module_path: "procs".into(),
            name: name.into(),
            orig_name: None,
            builtin,
            docstring: None,
        })
    };
    let custom_type = |name: &str, builtin: Type| Type::Custom {
        module_path: "procs".into(),
        name: name.into(),
        builtin: Box::new(builtin),
    };
    let throwing = |name: &str, throws: Type| {
        let mut f = function(name, Vec::new());
        if let Metadata::Func(f) = &mut f {
            f.throws = Some(throws);
        }
        f
    };
    let overflow = custom_type("Overflow", error_type("Fault"));
    let items = vec![
        error("Fault", false),
        error("Wet", true),
        custom("Overflow", error_type("Fault")),
        custom("Label", Type::String),
        custom("Drip", error_type("Wet")),
        // Thrown, as it may be; and passed as a value, as it may not.
        throwing("spill", overflow.clone()),
        function(
            "keep",
            vec![FnParamMetadata {
                name: "o".into(),
                ty: overflow.clone(),
                by_ref: false,
                optional: false,
                default: None,
            }],
        ),
        // Over no error; over a flat one, which UniFFI cannot read back.
        throwing("label", custom_type("Label", Type::String)),
        throwing("drip", custom_type("Drip", error_type("Wet"))),
        // A callback method throwing one: Python cannot build it.
        Metadata::CallbackInterface(uniffi_meta::CallbackInterfaceMetadata {
            module_path: "procs".into(),
            name: "Watcher".into(),
            docstring: None,
        }),
        Metadata::TraitMethod(uniffi_meta::TraitMethodMetadata {
            module_path: "procs".into(),
            trait_name: "Watcher".into(),
            index: 0,
            name: "see".into(),
            orig_name: None,
            is_async: false,
            inputs: Vec::new(),
            return_type: None,
            throws: Some(overflow),
            takes_self_by_arc: false,
            checksum: None,
            docstring: None,
        }),
        function(
            "watch",
            vec![FnParamMetadata {
                name: "w".into(),
                ty: Type::CallbackInterface {
                    module_path: "procs".into(),
                    name: "Watcher".into(),
                },
                by_ref: false,
                optional: false,
                default: None,
            }],
        ),
    ];
    let (codes, text) = refused(items);
    assert_eq!(codes, [Code::Unsupported; 4], "{text}");
    for message in [
        "`label` throws the custom type `Label`",
        "`drip` throws the custom type `Drip`",
        "`see` throws a custom type, which Python cannot hand back to Rust",
        "custom type `Overflow` is built on an error type, and used as a value",
    ] {
        assert!(text.contains(message), "{message}\n{text}");
    }
    assert!(!text.contains("`spill`"), "{text}");
}
