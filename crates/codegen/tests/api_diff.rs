//! The API diff classes each spec edit by what it does to callers and names
//! the generated Rust item it touches.

use cs_webhooks_codegen::diff::{Breaks, Class};
use cs_webhooks_codegen::{ApiDiff, Bump, api_diff, parse_spec};

fn spec_text() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/webhooks.yaml");
    std::fs::read_to_string(path).expect("the spec is readable")
}

/// The spec with each `(find, replace)` applied once; `find` must occur.
fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = spec_text();
    for (find, replace) in edits {
        assert!(text.contains(find), "edit target not in the spec: {find:?}");
        text = text.replacen(find, replace, 1);
    }
    text
}

fn diff(edits: &[(&str, &str)]) -> ApiDiff {
    let base = parse_spec(&spec_text()).expect("base parses");
    let head = parse_spec(&edited(edits)).expect("head parses");
    api_diff(&base, &head).expect("both sides generate")
}

const PING_OPERATION: &str = r##"
paths:
  /webhooks/{webhook_uid}/ping:
    parameters:
      - $ref: "#/components/parameters/webhook_uid"
    post:
      operationId: ping_webhook
      summary: Ping a webhook
      responses:
        "200":
          description: Pinged.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Notice"
"##;

struct Case {
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    class: Class,
    breaks: Option<Breaks>,
    kind: &'static str,
    rust: &'static str,
    location: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "response field removed",
        edits: &[(
            "        retry_policy:\n          $ref: \"#/components/schemas/RetryPolicy\"\n        branches:",
            "        branches:",
        )],
        class: Class::Breaking,
        breaks: Some(Breaks::Compile),
        kind: "field-removed",
        rust: "Webhook::retry_policy",
        location: "/components/schemas/Webhook/properties/retry_policy",
    },
    Case {
        name: "optional response field added",
        edits: &[(
            "    Webhook:\n      title: Webhook\n      description: A webhook as the API returns it (secrets masked).\n      type: object\n      required: [uid, name, destinations, channels]\n      properties:\n",
            "    Webhook:\n      title: Webhook\n      description: A webhook as the API returns it (secrets masked).\n      type: object\n      required: [uid, name, destinations, channels]\n      properties:\n        labels:\n          type: array\n          items:\n            type: string\n",
        )],
        class: Class::Additive,
        breaks: None,
        kind: "field-added",
        rust: "Webhook::labels",
        location: "/components/schemas/Webhook/properties/labels",
    },
    Case {
        name: "required field added to a request schema",
        edits: &[(
            "      required: [name, destinations, channels]\n      properties:\n",
            "      required: [name, destinations, channels, owner]\n      properties:\n        owner:\n          type: string\n",
        )],
        class: Class::Breaking,
        breaks: Some(Breaks::RunTime),
        kind: "field-added",
        rust: "WebhookInput::owner",
        location: "/components/schemas/WebhookInput/properties/owner",
    },
    Case {
        name: "query parameter made required",
        edits: &[(
            "        - name: only_events\n          in: query\n",
            "        - name: only_events\n          in: query\n          required: true\n",
        )],
        class: Class::Breaking,
        breaks: Some(Breaks::Compile),
        kind: "parameter-required",
        rust: "ListExecutions::only_events",
        location: "/paths/~1webhooks~1{webhook_uid}~1executions/get/parameters/6",
    },
    Case {
        name: "optional query parameter added",
        edits: &[(
            "        - name: only_events\n          in: query\n",
            "        - name: newest_first\n          in: query\n          schema:\n            type: boolean\n        - name: only_events\n          in: query\n",
        )],
        class: Class::Additive,
        breaks: None,
        kind: "parameter-added",
        rust: "ListExecutions::newest_first",
        location: "/paths/~1webhooks~1{webhook_uid}~1executions/get/parameters/6",
    },
    Case {
        name: "enum value removed",
        edits: &[("      enum: [manual, automatic]", "      enum: [manual]")],
        class: Class::Breaking,
        breaks: Some(Breaks::Compile),
        kind: "enum-value-removed",
        rust: "RetryPolicy::Automatic",
        location: "/components/schemas/RetryPolicy/enum",
    },
    Case {
        name: "enum value added",
        edits: &[(
            "      enum: [manual, automatic]",
            "      enum: [manual, automatic, exponential]",
        )],
        class: Class::Additive,
        breaks: None,
        kind: "enum-value-added",
        rust: "RetryPolicy::Exponential",
        location: "/components/schemas/RetryPolicy/enum",
    },
    Case {
        name: "operation added",
        edits: &[("\npaths:\n", PING_OPERATION)],
        class: Class::Additive,
        breaks: None,
        kind: "operation-added",
        rust: "PingWebhook",
        location: "/paths/~1webhooks~1{webhook_uid}~1ping/post",
    },
    Case {
        name: "operation renamed",
        edits: &[(
            "operationId: list_executions",
            "operationId: list_deliveries",
        )],
        class: Class::Breaking,
        breaks: Some(Breaks::Compile),
        kind: "operation-renamed",
        rust: "ListExecutions -> ListDeliveries",
        location: "/paths/~1webhooks~1{webhook_uid}~1executions/get",
    },
    Case {
        name: "required response field made nullable",
        edits: &[(
            "        name:\n          type: string\n          description: The webhook's name, unique in the stack.\n        destinations:\n          type: array\n          items:",
            "        name:\n          type: string\n          nullable: true\n          description: The webhook's name, unique in the stack.\n        destinations:\n          type: array\n          items:",
        )],
        class: Class::Breaking,
        breaks: Some(Breaks::Compile),
        kind: "field-nullable",
        rust: "Webhook::name",
        location: "/components/schemas/Webhook/properties/name",
    },
    Case {
        name: "optional response field made nullable",
        edits: &[(
            "        org_uid:\n          type: string\n          description: The organization's uid.\n        created_by:",
            "        org_uid:\n          type: string\n          nullable: true\n          description: The organization's uid.\n        created_by:",
        )],
        class: Class::Internal,
        breaks: None,
        kind: "field-nullable",
        rust: "Webhook::org_uid",
        location: "/components/schemas/Webhook/properties/org_uid",
    },
    Case {
        name: "path renamed",
        edits: &[(
            "  /webhooks/{webhook_uid}/executions:",
            "  /webhooks/{webhook_uid}/deliveries:",
        )],
        class: Class::Internal,
        breaks: None,
        kind: "operation-moved",
        rust: "ListExecutions",
        location: "/paths/~1webhooks~1{webhook_uid}~1deliveries/get",
    },
];

#[test]
fn each_edit_is_classed_and_named_by_its_rust_item() {
    for case in CASES {
        let diff = diff(case.edits);
        let changes: Vec<_> = diff.changes().collect();
        let [change] = changes.as_slice() else {
            panic!("{}: expected one change, got {changes:#?}", case.name);
        };
        assert_eq!(change.class, case.class, "{}: {change:?}", case.name);
        assert_eq!(change.breaks, case.breaks, "{}: {change:?}", case.name);
        assert_eq!(change.kind, case.kind, "{}: {change:?}", case.name);
        assert_eq!(change.rust, case.rust, "{}: {change:?}", case.name);
        assert_eq!(change.location, case.location, "{}: {change:?}", case.name);
        let bump = match case.class {
            Class::Breaking => Bump::Minor,
            Class::Additive => Bump::Patch,
            Class::Internal => Bump::None,
        };
        assert_eq!(diff.bump(), bump, "{}", case.name);
    }
}

#[test]
fn an_unchanged_spec_has_no_changes() {
    let diff = diff(&[]);
    assert!(diff.is_empty(), "{diff:#?}");
    assert_eq!(diff.bump(), Bump::None);
}

/// A realistic change: webhooks gain labels (sent and returned), a retry
/// policy value appears, and the `__v` field is dropped from responses.
const REALISTIC: &[(&str, &str)] = &[
    (
        "      required: [name, destinations, channels]\n      properties:\n",
        "      required: [name, destinations, channels]\n      properties:\n        labels:\n          type: array\n          description: Labels for grouping webhooks.\n          items:\n            type: string\n",
    ),
    (
        "      required: [uid, name, destinations, channels]\n      properties:\n",
        "      required: [uid, name, destinations, channels]\n      properties:\n        labels:\n          type: array\n          description: Labels for grouping webhooks.\n          items:\n            type: string\n",
    ),
    (
        "      enum: [manual, automatic]",
        "      enum: [manual, automatic, exponential]",
    ),
    (
        "        __v:\n          type: integer\n          format: int64\n          description: Document version.\n\n    Notifiers:",
        "\n    Notifiers:",
    ),
    (
        "        - name: only_events\n          in: query\n",
        "        - name: only_events\n          in: query\n          required: true\n",
    ),
];

#[test]
fn the_text_report_of_a_realistic_change() {
    insta::assert_snapshot!("realistic_text", diff(REALISTIC).to_text("HEAD"));
}

#[test]
fn the_json_report_of_a_realistic_change() {
    let json = diff(REALISTIC).to_json("HEAD");
    for class in ["breaking", "additive", "internal"] {
        assert!(json[class].is_array(), "{json}");
    }
    assert_eq!(json["base"], "HEAD");
    let first = &json["breaking"][0];
    for key in ["kind", "location", "rust", "message", "breaks"] {
        assert!(first[key].is_string(), "{key} missing in {first}");
    }
    let text = serde_json::to_string_pretty(&json).expect("serializes");
    insta::assert_snapshot!("realistic_json", text);
}

#[test]
fn a_side_that_does_not_generate_is_named() {
    let base = parse_spec(&spec_text()).expect("base parses");
    let head =
        parse_spec(&edited(&[("      operationId: list_executions\n", "")])).expect("head parses");
    let error = api_diff(&base, &head).expect_err("head lacks an operationId");
    let message = error.to_string();
    assert!(message.starts_with("head: "), "{message}");
    assert!(message.contains("missing operationId"), "{message}");
    let error = api_diff(&head, &base).expect_err("base lacks an operationId");
    assert!(error.to_string().starts_with("base: "), "{error}");
}

#[test]
fn a_named_inline_schema_is_reported_by_its_generated_name_where_it_is_written() {
    let with_summary = |properties: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /summary:\n    get:\n      operationId: get_summary\n      summary: s\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n{properties}"
        )
    };
    let base = parse_spec(&with_summary(
        "                  id: {type: string}\n                  total: {type: integer}\n",
    ))
    .expect("base parses");
    let head =
        parse_spec(&with_summary("                  id: {type: string}\n")).expect("head parses");
    let diff = api_diff(&base, &head).expect("both generate");
    let [change] = diff.breaking.as_slice() else {
        panic!("one breaking change expected: {diff:#?}");
    };
    assert_eq!(change.rust, "GetSummaryResponse::total");
    assert_eq!(
        change.location,
        "/paths/~1summary/get/responses/200/content/application~1json/schema/properties/total"
    );
}
