//! Lint of openapi/webhooks.yaml: what every operation must carry, and that
//! every example validates against its schema.

use cs_webhooks_tests::{operations, resolve_response, schema_spec, spec};
use openapiv3::{ReferenceOr, StatusCode};

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
            "{id}: no `default` response (progenitor cannot take it; use 4XX/5XX)"
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

#[test]
fn every_example_validates_against_its_schema() {
    let examples = schema_spec().examples();
    // 11 success responses + 2 JSON request bodies, plus the 5 shared error responses.
    assert!(
        examples.len() >= 13,
        "only {} examples found",
        examples.len()
    );
    let mut failures = Vec::new();
    for example in &examples {
        if let Err(violations) = schema_spec().validate_schema(&example.schema, &example.value) {
            failures.push(format!("{example}: {violations:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "examples that do not validate:\n{}",
        failures.join("\n")
    );
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
