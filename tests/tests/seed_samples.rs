//! Every sample of the API documentation (kept as the spec's examples, fixed
//! where the documentation's JSON was invalid) decodes into its model type,
//! and re-encoding it still validates against the spec. One case per sample.

use cs_webhooks_model::{
    AuthenticationType, ErrorBody, ExecutionList, ExecutionLogResponse, Notice, RetryPolicy,
    Webhook, WebhookList, WebhookRequest, WebhookResponse, from_json_value,
};
use cs_webhooks_tests::{request_example, response_example, schema_spec};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// Decodes `sample` into `T`, re-encodes it and checks the result against the spec.
fn decode<T: DeserializeOwned + Serialize>(schema: &str, sample: Value) -> T {
    let decoded: T = match from_json_value(sample) {
        Ok(decoded) => decoded,
        Err(e) => panic!("the {schema} sample does not decode: {e}"),
    };
    let reencoded = serde_json::to_value(&decoded).expect("encodes");
    if let Err(violations) = schema_spec().validate(schema, &reencoded) {
        panic!("re-encoded {schema} does not validate: {violations:?}");
    }
    decoded
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
    assert!(matches!(
        request.webhook.notifiers,
        Some(cs_webhooks_model::Notifiers::One(_))
    ));
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
