//! Every violation message, loading errors and examples.

mod common;

use cs_webhooks_schema::{Spec, SpecError};
use serde_json::{Value, json};

/// A spec with one component schema `T`, written in YAML flow style.
fn spec_with(schemas: &str) -> Spec {
    let text = format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}"
    );
    match Spec::from_yaml(&text) {
        Ok(spec) => spec,
        Err(e) => panic!("{e}\n{text}"),
    }
}

/// Violations (as `path: message`) of `value` against `T: schema`.
fn errors(schema: &str, value: Value) -> Vec<String> {
    let spec = spec_with(&format!("    T: {schema}\n"));
    match spec.validate("T", &value) {
        Ok(()) => Vec::new(),
        Err(v) => v.iter().map(ToString::to_string).collect(),
    }
}

fn one(schema: &str, value: Value) -> String {
    let mut all = errors(schema, value);
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

#[test]
fn wrong_type() {
    assert_eq!(
        one("{type: string}", json!(5)),
        "<root>: expected string, found integer"
    );
    assert_eq!(
        one("{type: integer}", json!(1.5)),
        "<root>: expected integer, found number"
    );
    assert_eq!(
        one("{type: integer}", json!(1.0)),
        "<root>: expected integer, found number"
    );
    assert_eq!(errors("{type: number}", json!(1)), Vec::<String>::new());
    assert_eq!(
        one("{type: boolean}", json!("true")),
        "<root>: expected boolean, found string"
    );
    assert_eq!(
        one("{type: array}", json!({})),
        "<root>: expected array, found object"
    );
    assert_eq!(
        one("{type: object}", json!([])),
        "<root>: expected object, found array"
    );
    assert_eq!(
        one("{type: string}", Value::Null),
        "<root>: expected string, found null"
    );
    assert_eq!(
        one("{type: string, nullable: true}", json!(false)),
        "<root>: expected string or null, found boolean"
    );
    assert!(errors("{type: string, nullable: true}", Value::Null).is_empty());
    assert!(errors("{}", Value::Null).is_empty());
}

#[test]
fn nested_paths() {
    let spec = common::spec();
    let value = json!({
        "webhook": {
            "uid": "abcdefgh",
            "name": "n",
            "channels": [],
            "created_at": "2024-07-11T06:09:00.827Z",
            "destinations": [
                {"authentication_type": "basic", "target_url": "u", "custom_header": [{"header_name": "h", "value": 1}]},
                {"authentication_type": 3}
            ]
        }
    });
    let found: Vec<String> = spec
        .validate("WebhookRequest", &value)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        [
            "webhook.destinations[0].custom_header[0].value: expected string, found integer",
            "webhook.destinations[1].authentication_type: expected string, found integer",
        ]
    );
}

#[test]
fn missing_required() {
    assert_eq!(
        one(
            "{type: object, required: [a], properties: {a: {type: string}}}",
            json!({})
        ),
        "a: missing required property"
    );
}

#[test]
fn enumeration() {
    assert_eq!(
        one("{type: string, enum: [a, b]}", json!("c")),
        r#"<root>: expected one of ["a", "b"], found "c""#
    );
    assert_eq!(
        one("{type: integer, enum: [1, 2]}", json!(3)),
        "<root>: expected one of [1, 2], found 3"
    );
    assert!(
        errors(
            "{type: string, nullable: true, enum: [a, null]}",
            Value::Null
        )
        .is_empty()
    );
}

/// OpenAPI 3.0.3: `nullable: true` adds null to the `type` written beside it,
/// and nothing else; every other constraint keeps its veto.
#[test]
fn nullable_needs_a_type_beside_it() {
    let null_found = "<root>: expected string or null, found integer";
    assert_eq!(one("{type: string, nullable: true}", json!(1)), null_found);
    // An enum without null rejects it, nullable or not; a type without
    // nullable rejects it, whatever the enum lists.
    assert_eq!(
        one("{type: string, nullable: true, enum: [a]}", Value::Null),
        r#"<root>: expected one of ["a"], found null"#
    );
    assert_eq!(
        one("{type: string, enum: [a, null]}", Value::Null),
        "<root>: expected string, found null"
    );
    // An untyped schema allows null; `enum: [null]` allows only null.
    assert!(errors("{enum: [null]}", Value::Null).is_empty());
    assert_eq!(
        one("{enum: [null]}", json!({})),
        "<root>: expected one of [null], found {}"
    );
}

/// `nullable` beside `allOf` (without `type`) does nothing, and `allOf` only
/// narrows: a `$ref` to a non-nullable object rejects null either way. The
/// 3.0 way to make a reference nullable is a `oneOf` with an `enum: [null]`
/// branch.
#[test]
fn nullable_does_not_loosen_an_all_of() {
    let spec = spec_with(
        "    H: {type: object, additionalProperties: true}\n\
         \x20   AllOf: {nullable: true, allOf: [{$ref: '#/components/schemas/H'}]}\n\
         \x20   TypedAllOf: {type: object, nullable: true, allOf: [{$ref: '#/components/schemas/H'}]}\n\
         \x20   OneOf: {oneOf: [{$ref: '#/components/schemas/H'}, {enum: [null]}]}\n",
    );
    for name in ["AllOf", "TypedAllOf"] {
        let errors = spec.validate(name, &Value::Null).expect_err(name);
        assert_eq!(
            errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["<root>: expected object, found null"],
            "{name}"
        );
        assert!(spec.validate(name, &json!({"a": 1})).is_ok(), "{name}");
    }
    assert!(spec.validate("OneOf", &Value::Null).is_ok());
    assert!(spec.validate("OneOf", &json!({"a": null})).is_ok());
    assert!(spec.validate("OneOf", &json!("x")).is_err());
}

#[test]
fn strings() {
    assert_eq!(
        one("{type: string, pattern: '^[a-z]+$'}", json!("abc1")),
        r#"<root>: "abc1" does not match pattern "^[a-z]+$""#
    );
    // Patterns are unanchored, and ECMA flavoured: \d is ASCII only.
    assert!(errors(r"{type: string, pattern: 'b'}", json!("abc")).is_empty());
    assert_eq!(
        one(r"{type: string, pattern: '^\d$'}", json!("٣")),
        r#"<root>: "٣" does not match pattern "^\\d$""#
    );
    assert_eq!(
        one("{type: string, minLength: 3}", json!("ab")),
        "<root>: string has 2 characters, fewer than minLength 3"
    );
    assert_eq!(
        one("{type: string, maxLength: 2}", json!("日本語")),
        "<root>: string has 3 characters, more than maxLength 2"
    );
    assert_eq!(
        one(
            "{type: string, format: date-time}",
            json!("2024-07-11 06:09")
        ),
        r#"<root>: "2024-07-11 06:09" is not an RFC 3339 date-time (format date-time)"#
    );
    assert!(
        errors(
            "{type: string, format: date-time}",
            json!("2024-07-11T06:09:00.827Z")
        )
        .is_empty()
    );
    assert_eq!(
        one("{type: string, format: date}", json!("2024-02-30")),
        r#"<root>: "2024-02-30" is not an RFC 3339 full-date (format date)"#
    );
    assert_eq!(
        one("{type: string, format: uuid}", json!("nope")),
        r#"<root>: "nope" is not a UUID (format uuid)"#
    );
    // email and uri are not checked.
    assert!(errors("{type: string, format: email}", json!("not an email")).is_empty());
    assert!(errors("{type: string, format: uri}", json!("not a uri")).is_empty());
}

#[test]
fn numbers() {
    assert_eq!(
        one("{type: integer, minimum: 5}", json!(4)),
        "<root>: 4 is less than minimum 5"
    );
    assert_eq!(
        one(
            "{type: integer, minimum: 5, exclusiveMinimum: true}",
            json!(5)
        ),
        "<root>: 5 is not greater than exclusive minimum 5"
    );
    assert_eq!(
        one("{type: number, maximum: 1.5}", json!(2)),
        "<root>: 2 is greater than maximum 1.5"
    );
    assert_eq!(
        one(
            "{type: number, maximum: 1.5, exclusiveMaximum: true}",
            json!(1.5)
        ),
        "<root>: 1.5 is not less than exclusive maximum 1.5"
    );
    assert_eq!(
        one("{type: integer, multipleOf: 3}", json!(7)),
        "<root>: 7 is not a multiple of 3"
    );
    assert!(errors("{type: number, multipleOf: 0.1}", json!(0.3)).is_empty());
    assert_eq!(
        one("{type: integer, format: uint16}", json!(-1)),
        "<root>: -1 is out of range for format uint16"
    );
    assert_eq!(
        one("{type: integer, format: uint32}", json!(4_294_967_296_i64)),
        "<root>: 4294967296 is out of range for format uint32"
    );
    assert!(errors("{type: integer, format: uint64}", json!(u64::MAX)).is_empty());
    assert_eq!(
        one("{type: integer, format: int64}", json!(u64::MAX)),
        "<root>: 18446744073709551615 is out of range for format int64"
    );
    assert_eq!(
        one("{type: integer, format: int32}", json!(3_000_000_000_i64)),
        "<root>: 3000000000 is out of range for format int32"
    );
}

#[test]
fn arrays() {
    assert_eq!(
        one("{type: array, minItems: 2}", json!([1])),
        "<root>: array has 1 items, fewer than minItems 2"
    );
    assert_eq!(
        one("{type: array, maxItems: 1}", json!([1, 2])),
        "<root>: array has 2 items, more than maxItems 1"
    );
    assert_eq!(
        one("{type: array, uniqueItems: true}", json!([1, 2, 1.0])),
        "<root>: items #0 and #2 are equal, but uniqueItems is set"
    );
    assert_eq!(
        one("{type: array, items: {type: integer}}", json!([1, "2"])),
        "[1]: expected integer, found string"
    );
}

#[test]
fn objects() {
    assert_eq!(
        one(
            "{type: object, additionalProperties: false, properties: {a: {type: integer}}}",
            json!({"a": 1, "b": 2})
        ),
        "b: unexpected property (additionalProperties is false)"
    );
    assert_eq!(
        one(
            "{type: object, additionalProperties: {type: integer}}",
            json!({"a": 1, "b": "x"})
        ),
        "b: expected integer, found string"
    );
    assert!(
        errors(
            "{type: object, additionalProperties: true}",
            json!({"x": [1]})
        )
        .is_empty()
    );
    assert!(errors("{type: object}", json!({"x": [1]})).is_empty());
    assert_eq!(
        one("{type: object, minProperties: 1}", json!({})),
        "<root>: object has 0 properties, fewer than minProperties 1"
    );
    assert_eq!(
        one("{type: object, maxProperties: 1}", json!({"a": 1, "b": 2})),
        "<root>: object has 2 properties, more than maxProperties 1"
    );
}

#[test]
fn one_of_and_any_of() {
    let schema = "{oneOf: [{type: string}, {type: integer}]}";
    assert_eq!(
        errors(schema, json!(true)),
        [
            "<root>: does not match any of the 2 oneOf alternatives",
            "<root>: expected string, found boolean (in oneOf alternative #0)",
            "<root>: expected integer, found boolean (in oneOf alternative #1)",
        ]
    );
    assert_eq!(
        one("{oneOf: [{type: number}, {type: integer}]}", json!(3)),
        "<root>: matches 2 of the 2 oneOf alternatives (#0, #1); expected exactly one"
    );
    assert!(errors("{anyOf: [{type: number}, {type: integer}]}", json!(3)).is_empty());
    assert_eq!(
        errors("{anyOf: [{type: string}, {type: integer}]}", json!(null)),
        [
            "<root>: does not match any of the 2 anyOf alternatives",
            "<root>: expected string, found null (in anyOf alternative #0)",
            "<root>: expected integer, found null (in anyOf alternative #1)",
        ]
    );
    // Only the closest alternatives are detailed.
    let schema = "{oneOf: [{type: object, required: [a, b, d]}, {type: object, required: [c]}]}";
    assert_eq!(
        errors(schema, json!({"a": 1})),
        [
            "<root>: does not match any of the 2 oneOf alternatives",
            "c: missing required property (in oneOf alternative #1)",
        ]
    );
}

#[test]
fn discriminator() {
    let spec = common::spec();
    let check = |value: Value| -> Vec<String> {
        match spec.validate("Destination", &value) {
            Ok(()) => Vec::new(),
            Err(v) => v.iter().map(ToString::to_string).collect(),
        }
    };
    assert!(check(json!({"authentication_type": "email", "email": "x"})).is_empty());
    assert_eq!(
        check(json!({"authentication_type": "email", "target_url": "x"})),
        ["email: missing required property"]
    );
    assert_eq!(
        check(json!({"authentication_type": "ftp"})),
        [
            r#"authentication_type: unknown discriminator value "ftp"; expected one of ["basic", "email"]"#
        ]
    );
    assert_eq!(
        check(json!({"email": "x"})),
        ["authentication_type: missing required property"]
    );
    assert_eq!(
        check(json!({"authentication_type": 1})),
        ["authentication_type: expected string, found integer"]
    );
    assert_eq!(check(json!("x")), ["<root>: expected object, found string"]);
}

#[test]
fn all_of_and_not() {
    let spec = common::spec();
    assert_eq!(
        spec.validate("Owner", &json!({"name": "n", "role": "boss"}))
            .unwrap_err()[0]
            .to_string(),
        r#"role: expected one of ["admin", "member"], found "boss""#
    );
    assert_eq!(
        spec.validate("Owner", &json!({"role": "admin"}))
            .unwrap_err()[0]
            .to_string(),
        "name: missing required property"
    );
    assert_eq!(
        one("{not: {type: string}}", json!("s")),
        "<root>: must not match the `not` schema"
    );
    assert!(errors("{not: {type: string}}", json!(1)).is_empty());
}

#[test]
fn unknown_schema_name() {
    let spec = common::spec();
    assert_eq!(
        spec.validate("Nope", &json!({})).unwrap_err()[0].to_string(),
        r#"<root>: no schema named "Nope" in components.schemas"#
    );
    assert!(matches!(
        spec.try_valid("Nope"),
        Err(SpecError::UnknownSchema(_))
    ));
    assert!(matches!(
        spec.try_invalid("Nope"),
        Err(SpecError::UnknownSchema(_))
    ));
}

#[test]
fn load_errors() {
    let parse = Spec::from_yaml("openapi: 3.0.3\ninfo: [\n").unwrap_err();
    match &parse {
        SpecError::Parse { line, .. } => assert!(line.is_some()),
        other => panic!("{other:?}"),
    }
    assert!(
        parse
            .to_string()
            .starts_with("cannot parse the OpenAPI document: "),
        "{parse}"
    );
    assert!(parse.to_string().contains("line"), "{parse}");

    let missing = Spec::from_yaml("openapi: 3.0.3\npaths: {}\n").unwrap_err();
    assert!(missing.to_string().contains("info"), "{missing}");

    let version =
        Spec::from_yaml("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n").unwrap_err();
    assert_eq!(
        version.to_string(),
        r#"unsupported OpenAPI version "3.1.0": only 3.0.x is supported"#
    );

    let base =
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n";
    let dangling = Spec::from_yaml(&format!(
        "{base}    A: {{type: object, properties: {{b: {{$ref: '#/components/schemas/B'}}}}}}\n"
    ))
    .unwrap_err();
    assert_eq!(
        dangling.to_string(),
        r##"components.schemas.A.properties.b: cannot resolve $ref "#/components/schemas/B": no schema "B" in components.schemas"##
    );
    let external =
        Spec::from_yaml(&format!("{base}    A: {{$ref: 'other.yaml#/A'}}\n")).unwrap_err();
    assert!(
        external
            .to_string()
            .contains("only #/components/schemas/NAME is supported"),
        "{external}"
    );

    let pattern =
        Spec::from_yaml(&format!("{base}    A: {{type: string, pattern: '(a'}}\n")).unwrap_err();
    assert!(
        pattern
            .to_string()
            .starts_with(r#"components.schemas.A: invalid pattern "(a""#),
        "{pattern}"
    );

    let typ = Spec::from_yaml(&format!("{base}    A: {{type: strin, nullable: true}}\n"));
    assert!(typ.is_ok() || typ.unwrap_err().to_string().contains("strin"));
}

#[test]
fn cycles_do_not_hang() {
    let spec = spec_with(
        "    A: {allOf: [{$ref: '#/components/schemas/A'}]}\n    B: {oneOf: [{$ref: '#/components/schemas/B'}, {type: string}]}\n",
    );
    let a = spec.validate("A", &json!(1)).unwrap_err();
    assert!(a[0].message.contains("cyclic allOf"), "{a:?}");
    assert!(spec.validate("B", &json!("s")).is_ok());
    let b = spec.validate("B", &json!(1)).unwrap_err();
    assert!(
        b.iter().any(|v| v.message.contains("contains itself")),
        "{b:?}"
    );
    assert!(spec.try_valid("A").is_err());
    assert!(spec.try_valid("B").is_ok());
}

#[test]
fn generation_errors() {
    let spec = spec_with(
        "    Any: {}\n    Never: {type: integer, minimum: 5, maximum: 4}\n    Loop: {type: object, required: [next], properties: {next: {$ref: '#/components/schemas/Loop'}}}\n",
    );
    assert_eq!(
        spec.try_invalid("Any").unwrap_err().to_string(),
        r##"schema "#/components/schemas/Any" accepts every JSON value: there is no invalid document to generate"##
    );
    assert_eq!(
        spec.try_valid("Never").unwrap_err().to_string(),
        r##"cannot generate any value valid against schema "#/components/schemas/Never""##
    );
    assert!(matches!(
        spec.try_valid("Loop"),
        Err(SpecError::Unsatisfiable { .. })
    ));
    assert!(spec.try_invalid("Loop").is_ok());
}

#[test]
fn examples() {
    let spec = common::spec();
    let examples = spec.examples();
    let described: Vec<String> = examples.iter().map(ToString::to_string).collect();
    assert_eq!(
        described,
        [
            "createWebhook request application/json",
            r#"createWebhook 201 application/json example "referenced""#,
            r#"createWebhook 201 application/json example "inline""#,
            "createWebhook default application/json",
            "GET /webhooks/{uid} 200 text/plain",
        ]
    );
    for example in &examples {
        if let Err(v) = spec.validate_example(example) {
            panic!("{example}: {v:?}");
        }
    }
    assert_eq!(
        examples[1].value["webhook"]["destinations"][0]["authentication_type"],
        "email"
    );

    let schema_examples = spec.schema_examples();
    let locations: Vec<&str> = schema_examples
        .iter()
        .map(|e| e.location.as_str())
        .collect();
    assert_eq!(
        locations,
        [
            "components.schemas.Webhook.properties.name",
            "components.schemas.Closed.properties.a",
            "components.schemas.Closed.properties.b",
        ]
    );
    let failing: Vec<&str> = schema_examples
        .iter()
        .filter(|e| spec.validate_schema(&e.schema, &e.value).is_err())
        .map(|e| e.location.as_str())
        .collect();
    assert_eq!(failing, ["components.schemas.Closed.properties.b"]);
}

#[test]
fn invalid_example_is_reported() {
    let spec = common::spec();
    let mut example = spec.examples().remove(0);
    example.value["webhook"]["created_at"] = json!("yesterday");
    let found = spec.validate_example(&example).unwrap_err();
    assert_eq!(
        found[0].to_string(),
        r#"webhook.created_at: "yesterday" is not an RFC 3339 date-time (format date-time)"#
    );
}

#[test]
fn schema_names_and_accessors() {
    let spec = common::spec();
    let names: Vec<&str> = spec.schema_names().collect();
    assert_eq!(names[0], "WebhookRequest");
    assert!(names.contains(&"Destination"));
    assert!(spec.schema("Webhook").is_some());
    assert_eq!(spec.openapi().openapi, "3.0.3");
    assert!(
        spec.validate_schema(&Spec::reference("Closed"), &json!({"a": 1}))
            .is_ok()
    );
}

#[test]
fn unresolvable_reference_in_an_inline_schema() {
    let spec = common::spec();
    let schema = Spec::reference("Missing");
    assert_eq!(
        spec.validate_schema(&schema, &json!(1)).unwrap_err()[0].to_string(),
        r##"<root>: cannot resolve $ref "#/components/schemas/Missing": no schema "Missing" in components.schemas"##
    );
    let err = spec
        .valid_schema(&schema, &Default::default())
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some(
            r##"<root>: cannot resolve $ref "#/components/schemas/Missing": no schema "Missing" in components.schemas"##
        )
    );
}

#[test]
fn spec_can_live_in_a_static() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Spec>();
}

#[test]
fn missing_required_is_told_apart_from_a_wrong_value() {
    let spec =
        spec_with("    T: {type: object, required: [a, b], properties: {b: {type: string}}}\n");
    let violations = spec.validate("T", &json!({"b": 1})).unwrap_err();
    let missing: Vec<(&str, bool)> = violations
        .iter()
        .map(|v| (v.path.as_str(), v.is_missing_required()))
        .collect();
    assert_eq!(missing, [("a", true), ("b", false)]);
}

#[test]
fn parameter_schemas_are_found_by_operation_and_name() {
    let spec = Spec::from_yaml(
        r##"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /items/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string, minLength: 1}}
      - {name: limit, in: query, schema: {type: string}}
    get:
      operationId: list_items
      parameters:
        - $ref: '#/components/parameters/limit'
        - {name: tagged, in: query, content: {application/json: {schema: {type: object}}}}
      responses: {'200': {description: ok}}
components:
  parameters:
    limit: {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
"##,
    )
    .unwrap();
    let limit = spec.parameter_schema("list_items", "limit").unwrap();
    assert!(spec.validate_schema(limit, &json!(100)).is_ok());
    let errors = spec.validate_schema(limit, &json!(101)).unwrap_err();
    assert_eq!(
        errors[0].to_string(),
        "<root>: 101 is greater than maximum 100"
    );
    let id = spec.parameter_schema("list_items", "id").unwrap();
    assert!(spec.validate_schema(id, &json!("")).is_err());
    assert!(spec.parameter_schema("list_items", "tagged").is_none());
    assert!(spec.parameter_schema("list_items", "nope").is_none());
    assert!(spec.parameter_schema("get_item", "limit").is_none());
}
