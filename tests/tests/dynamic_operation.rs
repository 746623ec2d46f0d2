//! `DynamicOperation`: any operation of the spec chosen at run time (what the
//! CLI's `api` command sends) builds the same request as its typed
//! counterpart, checks parameters against the spec, and travels through the
//! clients' retry loop to a real local server.

use cs_webhooks_api::model::ExecutionFilter;
use cs_webhooks_api::operations::{GetWebhook, ListExecutions, OPERATIONS, UpdateWebhook};
use cs_webhooks_api::{Call, Config, DynamicOperation, Error, Operation, OperationInfo};
use cs_webhooks_tests::request_example;
use cs_webhooks_tests::server::{Reply, TestServer};
use serde_json::json;

fn config() -> Config {
    Config::builder()
        .base_url("http://127.0.0.1:4010/v3")
        .api_key("blt-key")
        .management_token("mgmt-token")
        .build()
        .expect("config")
}

fn same_request(typed: http::Request<Vec<u8>>, dynamic: http::Request<Vec<u8>>) {
    assert_eq!(typed.method(), dynamic.method());
    assert_eq!(typed.uri(), dynamic.uri());
    assert_eq!(typed.headers(), dynamic.headers());
    assert_eq!(typed.body(), dynamic.body());
}

#[test]
fn every_spec_operation_is_in_the_table() {
    let ids: Vec<&str> = OPERATIONS.iter().map(|op| op.id).collect();
    for op in cs_webhooks_tests::operations() {
        let id = op.operation.operation_id.as_deref().unwrap_or_default();
        assert!(ids.contains(&id), "{id} missing");
    }
    assert_eq!(ids.len(), cs_webhooks_tests::operations().len());
}

#[test]
fn a_dynamic_operation_builds_what_the_typed_one_builds() {
    let config = config();
    let typed = GetWebhook::new("cs 1/x")
        .branch("dev")
        .build(&config)
        .unwrap();
    let dynamic = DynamicOperation::new("get_webhook")
        .and_then(|op| op.param("webhook_uid", "cs 1/x"))
        .and_then(|op| op.param("branch", "dev"))
        .and_then(|op| op.build(&config))
        .unwrap();
    same_request(typed, dynamic);

    let filter = ExecutionFilter::from_json(r#"{"status":{"$gte":"500"}}"#).unwrap();
    let typed = ListExecutions::new("cs-1")
        .query(filter)
        .limit(20)
        .only_events(true)
        .build(&config)
        .unwrap();
    let dynamic = DynamicOperation::new("list_executions")
        .and_then(|op| op.param("webhook_uid", "cs-1"))
        .and_then(|op| op.param("query", r#"{"status":{"$gte":"500"}}"#))
        .and_then(|op| op.param("limit", "20"))
        .and_then(|op| op.param("only_events", "true"))
        .and_then(|op| op.build(&config))
        .unwrap();
    same_request(typed, dynamic);

    let body = request_example("update_webhook");
    let typed = UpdateWebhook::new(
        "cs-1",
        serde_json::from_value::<cs_webhooks_api::model::WebhookRequest>(body.clone()).unwrap(),
    )
    .build(&config)
    .unwrap();
    let dynamic = DynamicOperation::new("update_webhook")
        .and_then(|op| op.param("webhook_uid", "cs-1"))
        .and_then(|op| op.body(serde_json::to_vec(&typed_body(&typed)).unwrap()))
        .and_then(|op| op.build(&config))
        .unwrap();
    same_request(typed, dynamic);
}

fn typed_body(request: &http::Request<Vec<u8>>) -> serde_json::Value {
    serde_json::from_slice(request.body()).expect("typed body is JSON")
}

#[test]
fn bad_parameters_are_invalid_requests_naming_what_is_wrong() {
    let message = |result: Result<DynamicOperation, Error>| match result {
        Err(Error::InvalidRequest { message }) => message,
        other => panic!("expected an invalid request, got {other:?}"),
    };
    let unknown = message(DynamicOperation::new("get_webhooks"));
    assert!(unknown.contains("no operation `get_webhooks`"), "{unknown}");
    assert!(unknown.contains("get_webhook,"), "{unknown}");
    let op = || DynamicOperation::new("list_executions");
    assert!(message(op().and_then(|o| o.param("limit", "500"))).contains("between 1 and 100"));
    assert!(message(op().and_then(|o| o.param("limit", "ten"))).contains("integer"));
    assert!(
        message(op().and_then(|o| o.param("only_events", "yes"))).contains("`true` or `false`")
    );
    assert!(message(op().and_then(|o| o.param("from", "yesterday"))).contains("RFC 3339"));
    assert!(message(op().and_then(|o| o.param("colour", "red"))).contains("webhook_uid"));
    assert!(message(op().and_then(|o| o.body(b"{}".to_vec()))).contains("takes no body"));
    let missing = DynamicOperation::new("get_webhook")
        .unwrap()
        .build(&config())
        .unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("needs the parameter `webhook_uid`"),
        "{missing}"
    );
    let not_json =
        message(DynamicOperation::new("create_webhook").and_then(|o| o.body(b"name: x".to_vec())));
    assert!(not_json.contains("not JSON"), "{not_json}");
}

#[test]
fn a_dynamic_operation_is_sent_by_the_blocking_client_and_answers_raw_json() {
    let server = TestServer::always(Reply::json(200, &json!({"notice": "Webhook retried."})));
    let client = cs_webhooks_blocking::Client::builder()
        .base_url(server.base_url())
        .api_key("blt-key")
        .management_token("mgmt-token")
        .build()
        .unwrap();
    let operation = DynamicOperation::new("retry_execution")
        .and_then(|op| op.param("execution_uid", "ex-1"))
        .unwrap();
    let answer = Call::new(&client, operation).send().unwrap();
    assert_eq!(answer.value, json!({"notice": "Webhook retried."}));
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path(), "/v3/webhooks/ex-1/retry");
    let info = OperationInfo::find("retry_execution").unwrap();
    assert_eq!(info.method, "POST");
}
