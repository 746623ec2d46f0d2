//! Lint of openapi/webhooks.yaml: what every operation must carry, and that
//! every example validates against its schema under OpenAPI 3.0.3 rules.

use cs_webhooks_schema::Spec;
use cs_webhooks_tests::{SPEC_TEXT, operations, resolve_response, schema_spec, spec};
use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, StatusCode};
use serde_json::Value;

const OPERATION_IDS: [&str; 11] = [
    "list_webhooks",
    "get_webhook",
    "create_webhook",
    "update_webhook",
    "delete_webhook",
    "export_webhook",
    "import_webhook",
    "import_existing_webhook",
    "list_executions",
    "retry_execution",
    "get_execution_log",
];

#[test]
fn the_spec_parses_and_passes_the_generator_checks() {
    assert!(spec().openapi.starts_with("3.0."), "{}", spec().openapi);
    if let Err(error) = cs_webhooks_codegen::check_spec(spec()) {
        panic!("{error}");
    }
}

#[test]
fn the_eleven_operations_are_there_with_their_ids() {
    let mut ids: Vec<_> = operations()
        .iter()
        .map(|op| op.operation.operation_id.clone().unwrap_or_default())
        .collect();
    ids.sort();
    let mut expected: Vec<_> = OPERATION_IDS.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(ids, expected);
}

#[test]
fn every_operation_has_summary_description_example_and_error_responses() {
    for op in operations() {
        let id = op.operation.operation_id.as_deref().unwrap_or("?");
        assert!(
            op.operation
                .summary
                .as_deref()
                .is_some_and(|s| !s.is_empty()),
            "{id}: summary"
        );
        assert!(
            op.operation
                .description
                .as_deref()
                .is_some_and(|s| !s.is_empty()),
            "{id}: description"
        );
        let responses = &op.operation.responses.responses;
        let success: Vec<_> = responses
            .iter()
            .filter(|(code, _)| matches!(code, StatusCode::Code(200..=299)))
            .collect();
        assert_eq!(success.len(), 1, "{id}: exactly one success response");
        let (_, success) = success[0];
        let media = resolve_response(success).content.get("application/json");
        assert!(
            media.is_some_and(|m| m.example.is_some()),
            "{id}: the success response needs a JSON example"
        );
        let mut errors = vec![
            StatusCode::Code(401),
            StatusCode::Code(412),
            StatusCode::Code(422),
            StatusCode::Code(429),
            StatusCode::Range(5),
        ];
        if op.path.contains('{') {
            errors.push(StatusCode::Code(404));
        }
        for code in errors {
            let response = responses
                .get(&code)
                .unwrap_or_else(|| panic!("{id}: missing the {code} response"));
            let media = resolve_response(response)
                .content
                .get("application/json")
                .unwrap_or_else(|| panic!("{id}: {code} has no JSON body"));
            match &media.schema {
                Some(ReferenceOr::Reference { reference }) => {
                    assert_eq!(reference, "#/components/schemas/ErrorBody", "{id}: {code}")
                }
                _ => panic!("{id}: {code} must use ErrorBody"),
            }
            assert!(media.example.is_some(), "{id}: {code} needs an example");
        }
        assert!(
            !responses.contains_key(&StatusCode::Range(0))
                && op.operation.responses.default.is_none(),
            "{id}: no `default` response (the spec names its errors: use 4XX/5XX)"
        );
    }
}

#[test]
fn create_answers_201_and_others_200() {
    for op in operations() {
        let id = op.operation.operation_id.as_deref().unwrap_or("?");
        let expected = if id == "create_webhook" { 201 } else { 200 };
        assert!(
            op.operation
                .responses
                .responses
                .contains_key(&StatusCode::Code(expected)),
            "{id}: expected a {expected} response"
        );
    }
}

/// Every example of the document that does not validate against its schema:
/// request and response bodies (`example` and `examples`), examples written on
/// schemas, and parameter examples. Also returns how many were checked.
fn example_failures(spec: &Spec) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut check = |place: String, schema: &ReferenceOr<openapiv3::Schema>, value: &Value| {
        checked += 1;
        if let Err(violations) = spec.validate_schema(schema, value) {
            let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
            failures.push(format!("{place}: {}", list.join("; ")));
        }
    };
    for example in spec.examples() {
        check(example.to_string(), &example.schema, &example.value);
    }
    for example in spec.schema_examples() {
        check(example.location.clone(), &example.schema, &example.value);
    }
    for (place, parameter) in parameters(spec.openapi()) {
        let data = parameter.parameter_data_ref();
        let ParameterSchemaOrContent::Schema(schema) = &data.format else {
            continue;
        };
        let named = data
            .examples
            .iter()
            .filter_map(|(name, example)| match example {
                ReferenceOr::Item(openapiv3::Example {
                    value: Some(value), ..
                }) => Some((format!("{place} example {name:?}"), value)),
                _ => None,
            });
        for (place, value) in data.example.iter().map(|v| (place.clone(), v)).chain(named) {
            check(place, schema, value);
        }
    }
    (checked, failures)
}

/// Every parameter written inline (in `components.parameters`, on a path or
/// on an operation), with where it is.
fn parameters(api: &OpenAPI) -> Vec<(String, &Parameter)> {
    fn inline<'a>(
        place: &str,
        list: impl IntoIterator<Item = &'a ReferenceOr<Parameter>>,
        found: &mut Vec<(String, &'a Parameter)>,
    ) {
        for parameter in list {
            if let ReferenceOr::Item(p) = parameter {
                found.push((format!("{place}.{}", p.parameter_data_ref().name), p));
            }
        }
    }
    let mut found = Vec::new();
    if let Some(components) = &api.components {
        inline(
            "components.parameters",
            components.parameters.values(),
            &mut found,
        );
    }
    for (path, item) in api.paths.iter() {
        let Some(item) = item.as_item() else { continue };
        inline(&format!("paths.{path}"), &item.parameters, &mut found);
        for (method, operation) in item.iter() {
            inline(
                &format!("paths.{path}.{method}"),
                &operation.parameters,
                &mut found,
            );
        }
    }
    found
}

/// Schema objects with `nullable: true` and no `type` beside it: in OpenAPI
/// 3.0.3 that `nullable` does nothing, so it is always a mistake. Walks the
/// document as plain YAML so that no schema is missed; example values are
/// data, not schemas, and are skipped.
fn nullable_without_type(document: &Value, place: &str, found: &mut Vec<String>) {
    match document {
        Value::Object(map) => {
            if map.get("nullable") == Some(&Value::Bool(true)) && !map.contains_key("type") {
                found.push(place.to_string());
            }
            for (key, value) in map {
                if key != "example" && key != "examples" {
                    nullable_without_type(value, &format!("{place}.{key}"), found);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                nullable_without_type(item, &format!("{place}[{i}]"), found);
            }
        }
        _ => {}
    }
}

fn nullable_without_type_in(yaml: &str) -> Vec<String> {
    let document: Value = serde_yaml::from_str(yaml).expect("YAML");
    let mut found = Vec::new();
    nullable_without_type(&document, "", &mut found);
    found
}

#[test]
fn every_example_validates_against_its_schema() {
    let (checked, failures) = example_failures(schema_spec());
    // The bodies' examples (each operation's success and error responses, the
    // 2 JSON request bodies) and the 13 parameters' examples.
    let bodies = schema_spec().examples().len();
    assert!(bodies >= 13, "only {bodies} body examples found");
    assert!(checked >= bodies + 13, "only {checked} examples checked");
    assert!(
        failures.is_empty(),
        "examples that do not validate:\n{}",
        failures.join("\n")
    );
}

#[test]
fn no_nullable_without_a_type_beside_it() {
    assert_eq!(nullable_without_type_in(SPEC_TEXT), Vec::<String>::new());
}

/// A spec with one response whose example is the API's network-error record:
/// `headers` is null.
fn delivery_response_spec(headers_schema: &str) -> String {
    format!(
        r##"openapi: 3.0.3
info: {{title: t, version: "1"}}
paths:
  /deliveries:
    get:
      operationId: get_delivery
      summary: One delivery.
      responses:
        "200":
          description: A delivery.
          content:
            application/json:
              schema: {{$ref: "#/components/schemas/DeliveryResponse"}}
              example: {{"message": "read ECONNRESET", "statusCode": null, "code": "ECONNRESET", "body": null, "headers": null}}
components:
  schemas:
    Headers: {{type: object, additionalProperties: true}}
    DeliveryResponse:
      type: object
      properties:
        message: {{type: string}}
        statusCode: {{type: integer, nullable: true}}
        code: {{type: string, nullable: true}}
        body: {{description: anything}}
        headers:
{headers_schema}
"##
    )
}

/// The mistake this lint exists for: `allOf: [$ref]` + `nullable: true`
/// (no `type`) does not admit null in OpenAPI 3.0.3, nor does adding `type:
/// object` (the `$ref`'s own type still vetoes null). Both fail the lint;
/// the `oneOf` with an `enum: [null]` branch passes.
#[test]
fn the_lint_rejects_a_nullable_all_of() {
    let shapes = [
        (
            "          allOf: [{$ref: \"#/components/schemas/Headers\"}]\n          nullable: true",
            true,
        ),
        (
            "          type: object\n          nullable: true\n          allOf: [{$ref: \"#/components/schemas/Headers\"}]",
            false,
        ),
    ];
    for (shape, untyped) in shapes {
        let text = delivery_response_spec(shape);
        let spec = Spec::from_yaml(&text).expect("loads");
        let (checked, failures) = example_failures(&spec);
        assert_eq!(checked, 1);
        assert_eq!(
            failures,
            ["get_delivery 200 application/json: headers: expected object, found null"],
            "{shape}"
        );
        let nullable = nullable_without_type_in(&text);
        if untyped {
            assert_eq!(
                nullable,
                [".components.schemas.DeliveryResponse.properties.headers"]
            );
        } else {
            assert!(nullable.is_empty(), "{nullable:?}");
        }
    }
    let fixed = delivery_response_spec(
        "          oneOf:\n            - $ref: \"#/components/schemas/Headers\"\n            - enum: [null]",
    );
    let spec = Spec::from_yaml(&fixed).expect("loads");
    assert_eq!(example_failures(&spec), (1, Vec::new()));
    assert!(nullable_without_type_in(&fixed).is_empty());
}

#[test]
fn servers_cover_the_seven_regions_with_v3() {
    let urls: Vec<_> = spec().servers.iter().map(|s| s.url.as_str()).collect();
    assert_eq!(urls.len(), 7);
    for host in [
        "api.contentstack.io",
        "eu-api.contentstack.com",
        "au-api.contentstack.com",
        "azure-na-api.contentstack.com",
        "azure-eu-api.contentstack.com",
        "gcp-na-api.contentstack.com",
        "gcp-eu-api.contentstack.com",
    ] {
        assert!(
            urls.contains(&format!("https://{host}/v3").as_str()),
            "{host}"
        );
    }
}

#[test]
fn security_schemes_name_the_three_headers() {
    let schemes = &spec()
        .components
        .as_ref()
        .expect("components")
        .security_schemes;
    for (name, header) in [
        ("api_key", "api_key"),
        ("authorization", "authorization"),
        ("authtoken", "authtoken"),
    ] {
        match schemes.get(name) {
            Some(ReferenceOr::Item(openapiv3::SecurityScheme::APIKey {
                location,
                name: h,
                ..
            })) => {
                assert_eq!(*location, openapiv3::APIKeyLocation::Header);
                assert_eq!(h, header);
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    assert_eq!(spec().security.as_ref().map(Vec::len), Some(2));
}

fn parameter_names(op_id: &str) -> Vec<String> {
    let op = cs_webhooks_tests::operation(op_id);
    let params = spec()
        .paths
        .paths
        .get(op.path)
        .and_then(|p| p.as_item())
        .map(|i| i.parameters.clone())
        .unwrap_or_default();
    params
        .iter()
        .chain(op.operation.parameters.iter())
        .map(|p| match p {
            ReferenceOr::Item(p) => p.parameter_data_ref().name.clone(),
            ReferenceOr::Reference { reference } => {
                let name = reference.trim_start_matches("#/components/parameters/");
                match spec()
                    .components
                    .as_ref()
                    .and_then(|c| c.parameters.get(name))
                {
                    Some(ReferenceOr::Item(p)) => p.parameter_data_ref().name.clone(),
                    _ => panic!("{reference} does not resolve"),
                }
            }
        })
        .collect()
}

#[test]
fn every_parameter_of_the_api_is_declared() {
    let mut executions = parameter_names("list_executions");
    executions.sort();
    assert_eq!(
        executions,
        [
            "branch",
            "from",
            "limit",
            "only_events",
            "query",
            "skip",
            "to",
            "webhook_uid"
        ]
    );
    let mut list = parameter_names("list_webhooks");
    list.sort();
    assert_eq!(
        list,
        ["asc", "branch", "desc", "include_count", "limit", "skip"]
    );
    for op in operations() {
        let id = op.operation.operation_id.clone().unwrap_or_default();
        assert!(
            parameter_names(&id).contains(&"branch".to_string()),
            "{id}: branch header"
        );
    }
}

#[test]
fn imports_are_multipart_with_a_webhook_part() {
    for id in ["import_webhook", "import_existing_webhook"] {
        let op = cs_webhooks_tests::operation(id);
        let Some(ReferenceOr::Item(body)) = &op.operation.request_body else {
            panic!("{id}: no body")
        };
        let media = body.content.get("multipart/form-data").expect("multipart");
        assert!(media.encoding.contains_key("webhook"), "{id}");
        match &media.schema {
            Some(ReferenceOr::Item(schema)) => match &schema.schema_kind {
                openapiv3::SchemaKind::Type(openapiv3::Type::Object(o)) => {
                    assert!(o.properties.contains_key("webhook"), "{id}");
                    assert_eq!(o.required, ["webhook"], "{id}");
                }
                _ => panic!("{id}: object schema"),
            },
            _ => panic!("{id}: inline schema"),
        }
    }
}
