//! Every sample of the API documentation (kept as the spec's examples, fixed
//! where the documentation's JSON was invalid) validates against its schema,
//! decodes into its model type, and encodes back to the same JSON: no field
//! lost, none added, `null` and `{}`/`[]` kept where the API writes them. One
//! case per sample, then the request bodies byte for byte.

use cs_webhooks_model::{
    AuthenticationType, Channel, CustomHeader, DeliveryResponse, Destination, ErrorBody,
    ExecutionList, ExecutionLogResponse, Notice, Notifiers, RetryPolicy, Secret, Webhook,
    WebhookInput, WebhookList, WebhookRequest, WebhookResponse, from_json_value,
};
use cs_webhooks_tests::{request_example, response_example, schema_spec};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, json};

/// Checks `sample` against the spec, decodes it into `T` and checks that it
/// encodes back to the same JSON.
fn decode<T: DeserializeOwned + Serialize>(schema: &str, sample: Value) -> T {
    if let Err(violations) = schema_spec().validate(schema, &sample) {
        panic!("the {schema} sample does not validate: {violations:?}");
    }
    let decoded: T = match from_json_value(sample.clone()) {
        Ok(decoded) => decoded,
        Err(e) => panic!("the {schema} sample does not decode: {e}"),
    };
    let reencoded = serde_json::to_value(&decoded).expect("encodes");
    if let Some(difference) = first_difference(&sample, &reencoded, "") {
        panic!("{schema} does not encode back to its sample: {difference}");
    }
    decoded
}

/// Where `encoded` first differs from `sample`, as a JSON path and both values.
fn first_difference(sample: &Value, encoded: &Value, path: &str) -> Option<String> {
    match (sample, encoded) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|k| match (a.get(k), b.get(k)) {
                (Some(x), Some(y)) => first_difference(x, y, &format!("{path}.{k}")),
                (x, y) => Some(format!("{path}.{k}: sample {x:?}, encoded {y:?}")),
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(x, y, &format!("{path}[{i}]"))),
        _ if sample == encoded => None,
        _ => Some(format!("{path}: sample {sample}, encoded {encoded}")),
    }
}

#[test]
fn list_webhooks_200() {
    let list: WebhookList = decode("WebhookList", response_example("list_webhooks", "200"));
    assert_eq!(list.webhooks.len(), 2);
    let basic = &list.webhooks[0];
    assert_eq!(basic.name, "Basic Test");
    assert_eq!(basic.applikation_id.as_deref(), Some("blt**************b7"));
    assert_eq!(basic.v, Some(0));
    let destination = &basic.destinations[0];
    assert_eq!(
        destination.authentication_type,
        Some(AuthenticationType::Basic)
    );
    assert!(
        destination
            .http_basic_password
            .as_ref()
            .is_some_and(|s| s.is_masked())
    );
    let oauth = &list.webhooks[1].destinations[0];
    assert_eq!(oauth.authentication_type, Some(AuthenticationType::OAuth2));
    assert_eq!(oauth.client_id.as_deref(), Some("your_client_id"));
    assert!(list.destination.is_empty());
}

#[test]
fn get_webhook_200() {
    let got: WebhookResponse = decode("WebhookResponse", response_example("get_webhook", "200"));
    assert_eq!(got.webhook.channels.len(), 2);
    assert_eq!(
        got.webhook.channels[1].as_str(),
        "content_types.entries.create"
    );
    assert_eq!(got.webhook.branches, ["main"]);
    assert_eq!(
        got.webhook.unhealthy.as_ref().and_then(|u| u.state),
        Some(false)
    );
    assert_eq!(got.webhook.retry_policy, Some(RetryPolicy::Manual));
}

#[test]
fn create_webhook_request() {
    let request: WebhookRequest = decode("WebhookRequest", request_example("create_webhook"));
    assert_eq!(request.webhook.name, "Basic Test");
    assert!(matches!(request.webhook.notifiers, Some(Notifiers::One(_))));
    let password = request.webhook.destinations[0].http_basic_password.as_ref();
    assert_eq!(password.map(|s| s.expose()), Some("password"));
}

#[test]
fn create_webhook_201() {
    let created: WebhookResponse =
        decode("WebhookResponse", response_example("create_webhook", "201"));
    assert_eq!(
        created.notice.as_deref(),
        Some("The webhook was created successfully")
    );
    assert_eq!(created.webhook.retry_policy, Some(RetryPolicy::Automatic));
    assert_eq!(created.webhook.concise_payload, Some(true));
}

#[test]
fn update_webhook_request() {
    let request: WebhookRequest = decode("WebhookRequest", request_example("update_webhook"));
    assert_eq!(request.webhook.name, "Webhook Update Test");
}

#[test]
fn update_webhook_200() {
    let updated: WebhookResponse =
        decode("WebhookResponse", response_example("update_webhook", "200"));
    assert_eq!(
        updated.notice.as_deref(),
        Some("The Webhook was updated successfully")
    );
    assert_eq!(
        updated.webhook.updated_at.map(|t| t.to_rfc3339()),
        Some("2024-07-11T08:10:12.888+00:00".to_string())
    );
}

#[test]
fn delete_webhook_200() {
    let notice: Notice = decode("Notice", response_example("delete_webhook", "200"));
    assert_eq!(notice.notice, "The Webhook was deleted successfully");
}

#[test]
fn export_webhook_200() {
    let exported: Webhook = decode("Webhook", response_example("export_webhook", "200"));
    assert_eq!(exported.name, "new");
    // The export sample's destination has no authentication_type.
    assert_eq!(exported.destinations[0].authentication_type, None);
    assert!(exported.notifiers.is_empty());
}

#[test]
fn import_webhook_200() {
    let imported: WebhookResponse =
        decode("WebhookResponse", response_example("import_webhook", "200"));
    assert_eq!(
        imported.webhook.retry.as_ref().and_then(|r| r.auto),
        Some(true)
    );
}

#[test]
fn import_existing_webhook_200() {
    let imported: WebhookResponse = decode(
        "WebhookResponse",
        response_example("import_existing_webhook", "200"),
    );
    assert_eq!(
        imported.notice.as_deref(),
        Some("webhook was imported successfully")
    );
    assert_eq!(
        imported.webhook.unhealthy.as_ref().and_then(|u| u.state),
        Some(false)
    );
}

#[test]
fn list_executions_200() {
    let list: ExecutionList = decode("ExecutionList", response_example("list_executions", "200"));
    let execution = &list.webhooks[0];
    let channels: Vec<_> = execution.channel.iter().map(|c| c.as_str()).collect();
    assert_eq!(
        channels,
        [
            "content_types.entries.update",
            "content_types.ref.entries.update",
            "content_types.ref.entries.bltd97eb3484fc00c48.update"
        ]
    );
    assert_eq!(execution.status, None, "a network error has a null status");
    assert_eq!(execution.retry_count, Some(3));
    assert_eq!(execution.request_details.len(), 1);
    let response = execution.request_details[0]
        .response
        .as_ref()
        .expect("response");
    assert_eq!(response.code.as_deref(), Some("ECONNRESET"));
    assert_eq!(response.status_code, None);
    assert_eq!(
        execution.project_uid.as_deref(),
        Some("blt**************b7")
    );
    let event = execution.event_data.as_ref().expect("event_data");
    assert_eq!(
        (event.module.as_str(), event.event.as_str()),
        ("entry", "update")
    );
}

#[test]
fn retry_execution_200() {
    let notice: Notice = decode("Notice", response_example("retry_execution", "200"));
    assert_eq!(notice.notice, "Webhook retry scheduled");
}

#[test]
fn get_execution_log_200() {
    let log: ExecutionLogResponse = decode(
        "ExecutionLogResponse",
        response_example("get_execution_log", "200"),
    );
    let detail = log
        .webhook
        .request_details
        .as_ref()
        .expect("one request detail");
    assert_eq!(detail.retry_number, Some(3));
    let response = detail.response.as_ref().expect("response");
    assert_eq!(response.status_code, Some(403));
    assert_eq!(response.body, Some(Value::String("\n\n\n".into())));
    let headers = response.headers.as_ref().expect("headers");
    assert!(headers.0.get("set-cookie").is_some_and(Value::is_array));
    assert_eq!(log.webhook.webhooks[0].name, "Dummy Webhook");
    assert_eq!(log.webhook.status, Some(403));
}

#[test]
fn error_samples_decode_into_error_body() {
    for (op, status, code) in [
        ("get_webhook", "401", 105),
        ("get_webhook", "404", 141),
        ("get_webhook", "412", 109),
        ("create_webhook", "422", 344),
        ("list_webhooks", "429", 429),
        ("list_webhooks", "5XX", 500),
    ] {
        let body: ErrorBody = decode("ErrorBody", response_example(op, status));
        assert_eq!(body.error_code, Some(code), "{op} {status}");
        assert!(
            body.error_message.is_some_and(|m| !m.is_empty()),
            "{op} {status}"
        );
    }
}

// The bodies the clients send, byte for byte. Field order is the generated
// structs' (alphabetical); what matters is which fields are there: the
// documentation's request samples leave unused fields out and send no nulls.

/// The e-mail address of the documentation's samples, as its web page
/// obfuscated it (with a no-break space).
const DOC_ADDRESS: &str = "[email\u{a0}protected]";

/// The documentation's custom header row, sent with every sample destination.
const BLANK_HEADER: &str = r#""custom_header":[{"header_name":"","value":""}]"#;

fn destination(authentication_type: AuthenticationType) -> Destination {
    Destination {
        target_url: "http://example.com".into(),
        authentication_type: Some(authentication_type),
        custom_header: vec![CustomHeader {
            header_name: Some(String::new()),
            value: Some(String::new()),
        }],
        access_token_url: None,
        bearer_token: None,
        client_id: None,
        client_secret: None,
        http_basic_auth: None,
        http_basic_password: None,
        request_query_parameters: None,
    }
}

/// Encodes `value`, checks the bytes, and checks them against `schema`.
fn assert_bytes(schema: &str, value: &impl Serialize, expected: &str) {
    let bytes = serde_json::to_string(value).expect("encodes");
    assert_eq!(bytes, expected);
    let json: Value = serde_json::from_str(&bytes).expect("JSON");
    if let Err(violations) = schema_spec().validate(schema, &json) {
        panic!("{schema} bytes do not validate: {violations:?}");
    }
}

#[test]
fn create_body_is_the_documented_sample() {
    let request = WebhookRequest::from(WebhookInput {
        name: "Basic Test".into(),
        destinations: vec![Destination {
            http_basic_auth: Some("username".into()),
            http_basic_password: Some(Secret::new("password")),
            ..destination(AuthenticationType::Basic)
        }],
        notifiers: Some(Notifiers::One(DOC_ADDRESS.into())),
        channels: vec![Channel::new("assets.create").expect("channel")],
        branches: vec!["main".into()],
        retry_policy: Some(RetryPolicy::Automatic),
        disabled: Some(false),
        concise_payload: Some(true),
    });
    assert_bytes(
        "WebhookRequest",
        &request,
        &format!(
            r#"{{"webhook":{{"branches":["main"],"channels":["assets.create"],"concise_payload":true,"destinations":[{{"authentication_type":"Basic",{BLANK_HEADER},"http_basic_auth":"username","http_basic_password":"password","target_url":"http://example.com"}}],"disabled":false,"name":"Basic Test","notifiers":"{DOC_ADDRESS}","retry_policy":"automatic"}}}}"#
        ),
    );
    assert_eq!(
        serde_json::to_value(&request).expect("encodes"),
        request_example("create_webhook")
    );
}

#[test]
fn optional_request_fields_without_a_value_are_left_out() {
    let request = WebhookRequest::from(WebhookInput {
        name: "n".into(),
        destinations: vec![Destination {
            custom_header: Vec::new(),
            authentication_type: None,
            ..destination(AuthenticationType::None)
        }],
        channels: vec![Channel::new("assets.create").expect("channel")],
        notifiers: None,
        branches: Vec::new(),
        retry_policy: None,
        disabled: None,
        concise_payload: None,
    });
    assert_bytes(
        "WebhookRequest",
        &request,
        r#"{"webhook":{"channels":["assets.create"],"destinations":[{"target_url":"http://example.com"}],"name":"n"}}"#,
    );
    // A list of notifiers, empty or not, is sent as given.
    let mut input = request.webhook;
    input.notifiers = Some(Notifiers::Many(Vec::new()));
    let bytes = serde_json::to_string(&input).expect("encodes");
    assert!(bytes.ends_with(r#""name":"n","notifiers":[]}"#), "{bytes}");
}

#[test]
fn documented_destinations_encode_without_unused_auth_fields() {
    let oauth2 = Destination {
        access_token_url: Some("your_access_token_url".into()),
        client_id: Some("your_client_id".into()),
        client_secret: Some(Secret::new("your_client_secret")),
        request_query_parameters: Some("=".into()),
        ..destination(AuthenticationType::OAuth2)
    };
    assert_bytes(
        "Destination",
        &oauth2,
        &format!(
            r#"{{"access_token_url":"your_access_token_url","authentication_type":"OAuth2","client_id":"your_client_id","client_secret":"your_client_secret",{BLANK_HEADER},"request_query_parameters":"=","target_url":"http://example.com"}}"#
        ),
    );
    let bearer = Destination {
        bearer_token: Some(Secret::new("your_bearer_token")),
        ..destination(AuthenticationType::Bearer)
    };
    assert_bytes(
        "Destination",
        &bearer,
        &format!(
            r#"{{"authentication_type":"Bearer","bearer_token":"your_bearer_token",{BLANK_HEADER},"target_url":"http://example.com"}}"#
        ),
    );
    assert_bytes(
        "Destination",
        &destination(AuthenticationType::None),
        &format!(
            r#"{{"authentication_type":"None",{BLANK_HEADER},"target_url":"http://example.com"}}"#
        ),
    );
}

/// Import uploads an exported webhook: its `notifiers: []` survives the trip
/// through the model, even when the file left it out.
#[test]
fn an_exported_webhook_encodes_its_empty_notifiers() {
    let exported: Webhook = from_json_value(json!({
        "uid": "u",
        "name": "n",
        "destinations": [{"target_url": "http://example.com"}],
        "channels": ["assets.create"],
    }))
    .expect("decodes");
    assert_bytes(
        "Webhook",
        &exported,
        r#"{"channels":["assets.create"],"destinations":[{"target_url":"http://example.com"}],"name":"n","notifiers":[],"uid":"u"}"#,
    );
}

/// What the emulator writes for a network error: the nulls the API writes.
#[test]
fn a_network_error_is_written_with_nulls() {
    let response = DeliveryResponse {
        message: Some("read ECONNRESET".into()),
        code: Some("ECONNRESET".into()),
        ..DeliveryResponse::default()
    };
    assert_bytes(
        "DeliveryResponse",
        &response,
        r#"{"body":null,"code":"ECONNRESET","headers":null,"message":"read ECONNRESET","statusCode":null}"#,
    );
    let list = WebhookList {
        count: None,
        destination: serde_json::Map::new(),
        webhooks: Vec::new(),
    };
    assert_bytes("WebhookList", &list, r#"{"destination":{},"webhooks":[]}"#);
    let error = ErrorBody {
        error_message: Some("Too many requests.".into()),
        error_code: Some(429),
        errors: Default::default(),
    };
    assert_bytes(
        "ErrorBody",
        &error,
        r#"{"error_code":429,"error_message":"Too many requests.","errors":{}}"#,
    );
}
