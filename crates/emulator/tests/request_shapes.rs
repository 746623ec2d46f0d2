//! Request shapes come from the spec: bodies and query parameters are checked
//! against its schemas and answered with Contentstack's 422 naming the field;
//! the `branch` header must name a branch.

mod common;

use common::{API_KEY, Api, TOKEN, assert_error, start, webhook};
use reqwest::Method;
use reqwest::header::HeaderValue;
use serde_json::json;

#[tokio::test]
async fn bodies_that_break_the_spec_schema_get_its_message_for_the_field() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let mut doc = webhook("Shapes", "http://127.0.0.1:9/", &["assets.create"]);
    doc["destinations"][0]["custom_header"] = json!("X-Team: blue");
    doc["concise_payload"] = json!("yes");
    doc["channels"] = json!(["assets.create", 7]);
    let a = api.post_json("/webhooks", &json!({ "webhook": doc })).await;
    assert_error(&a, 422, 344, "destinations[0].custom_header");
    let errors = &a.body["errors"];
    assert_eq!(
        errors["destinations[0].custom_header"][0],
        "expected array, found string."
    );
    assert_eq!(
        errors["concise_payload"][0],
        "expected boolean, found string."
    );
    assert_eq!(errors["channels[1]"][0], "expected string, found integer.");

    // An imported file is checked against the same schema, fields named in the file.
    let a = api
        .import(
            "/webhooks/import",
            &json!({"name": "Imported", "channels": "assets.create"}),
        )
        .await;
    assert_error(&a, 422, 346, "destinations");
    assert_eq!(a.body["errors"]["destinations"][0], "is required.");
    assert_eq!(
        a.body["errors"]["channels"][0],
        "expected array, found string."
    );

    // `null` counts as absent, and read-only fields are ignored.
    let mut doc = webhook("Nulls", "http://127.0.0.1:9/", &["assets.create"]);
    doc["notifiers"] = json!(null);
    doc["uid"] = json!("csignored");
    doc["__v"] = json!(3);
    let a = api.post_json("/webhooks", &json!({ "webhook": doc })).await;
    assert_eq!(a.status, 201, "{}", a.body);
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn empty_and_malformed_query_values_are_422_naming_the_parameter() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let uid = api
        .create(webhook("Q", "http://127.0.0.1:9/", &["assets.create"]))
        .await;
    let executions = format!("/webhooks/{uid}/executions");
    let cases = [
        ("/webhooks", "include_count="),
        ("/webhooks", "include_count=yes"),
        ("/webhooks", "include_count=1"),
        ("/webhooks", "skip="),
        ("/webhooks", "skip=two"),
        ("/webhooks", "skip=-1"),
        ("/webhooks", "skip=4294967296"),
        ("/webhooks", "limit="),
        ("/webhooks", "limit=0"),
        ("/webhooks", "limit=101"),
        ("/webhooks", "limit=1.5"),
        (executions.as_str(), "only_events="),
        (executions.as_str(), "only_events=maybe"),
        (executions.as_str(), "skip="),
        (executions.as_str(), "limit="),
        (executions.as_str(), "limit=500"),
    ];
    for (path, query) in cases {
        let a = api.get(&format!("{path}?{query}")).await;
        let name = query.split('=').next().unwrap_or_default();
        assert_error(&a, 422, 422, name);
    }
    // The message comes from the parameter's schema.
    let a = api.get("/webhooks?limit=101").await;
    assert_eq!(
        a.body["errors"]["limit"][0],
        "101 is greater than maximum 100."
    );

    // Well-formed values still work, and the last of repeated values wins.
    let a = api
        .get("/webhooks?include_count=TRUE&limit=100&skip=0")
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["count"], 1);
    let a = api.get("/webhooks?limit=&limit=1").await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = api
        .get(&format!("{executions}?only_events=false&limit=1"))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_branch_header_that_is_not_text_or_names_no_branch_is_422() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let url = format!("{}/webhooks", emulator.base_url());
    let with_branch = |value: HeaderValue| {
        api.send(
            api.http
                .get(&url)
                .header("api_key", API_KEY)
                .header("authorization", TOKEN)
                .header("branch", value),
        )
    };
    for bad in [
        HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
        HeaderValue::from_static(""),
        HeaderValue::from_static("   "),
        HeaderValue::from_static("release-9"),
    ] {
        let a = with_branch(bad.clone()).await;
        assert_error(&a, 422, 903, "branch");
    }
    let a = with_branch(HeaderValue::from_bytes(b"\xff").unwrap()).await;
    assert_eq!(a.body["errors"]["branch"][0], "is not valid UTF-8.");
    // Absent means main; a known branch, padded or not, is used.
    assert_eq!(
        api.send(api.req(Method::GET, "/webhooks")).await.status,
        200
    );
    assert_eq!(
        with_branch(HeaderValue::from_static(" dev ")).await.status,
        200
    );
    emulator.shutdown().await.unwrap();
}
