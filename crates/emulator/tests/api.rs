//! Every operation of the Webhooks API and every error, through real HTTP.

mod common;

use std::time::Duration;

use common::{
    API_KEY, Api, Receiver, TOKEN, assert_error, entry_update, multipart, settle, start, wait_for,
    webhook,
};
use cs_webhooks_model::{
    ExecutionList, ExecutionLogResponse, Notice, Webhook, WebhookList, WebhookResponse,
    from_json_slice,
};
use reqwest::Method;
use serde_json::{Value, json};

fn basic_webhook(name: &str, url: &str) -> Value {
    json!({
        "name": name,
        "destinations": [{
            "target_url": url, "authentication_type": "Basic",
            "http_basic_auth": "user", "http_basic_password": "s3cret-pw",
            "custom_header": [{"header_name": "X-Team", "value": "blue"}]
        }],
        "notifiers": "ops@example.com",
        "channels": ["assets.create"],
        "retry_policy": "automatic",
        "concise_payload": true
    })
}

#[tokio::test]
async fn crud_round_trip_with_contentstack_shapes() {
    let emulator = start().await;
    let api = Api::new(&emulator);

    let created = api
        .post_json(
            "/webhooks",
            &json!({"webhook": basic_webhook("Basic Test", "http://127.0.0.1:9/a")}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let typed: WebhookResponse = from_json_slice(&created.raw).expect("decodes as WebhookResponse");
    assert_eq!(
        typed.notice.as_deref(),
        Some("The webhook was created successfully")
    );
    let w = &created.body["webhook"];
    let uid = w["uid"].as_str().unwrap().to_owned();
    assert!(uid.starts_with("cs") && uid.len() == 38, "{uid}");
    assert_eq!(w["destinations"][0]["http_basic_password"], "********");
    assert_eq!(w["notifiers"], json!(["ops@example.com"]));
    assert_eq!(w["branches"], json!(["main"]));
    assert_eq!(w["unhealthy"], json!({"state": false}));
    assert_eq!(w["__v"], 0);
    assert_eq!(w["disabled"], false);
    assert!(w["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(!created.raw.windows(9).any(|win| win == b"s3cret-pw"));

    let got = api.get(&format!("/webhooks/{uid}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["webhook"], *w);
    assert!(got.body.get("notice").is_none());

    api.create(webhook(
        "Second",
        "http://127.0.0.1:9/b",
        &["assets.update"],
    ))
    .await;
    let list = api.get("/webhooks?include_count=true").await;
    let typed: WebhookList = from_json_slice(&list.raw).expect("decodes as WebhookList");
    assert_eq!(typed.count, Some(2));
    // Newest first, as the documentation's sample lists them.
    assert_eq!(typed.webhooks[0].name, "Second");
    let page = api.get("/webhooks?asc=name&skip=1&limit=1").await;
    assert_eq!(page.body["webhooks"].as_array().unwrap().len(), 1);
    assert_eq!(page.body["webhooks"][0]["name"], "Second");
    assert!(page.body.get("count").is_none());

    // The official JS SDK sends the fetched object back: read-only fields and
    // the masked password ("unchanged") included.
    let mut sent = got.body["webhook"].clone();
    sent["name"] = json!("Renamed");
    let updated = api
        .put_json(&format!("/webhooks/{uid}"), &json!({"webhook": sent}))
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(
        updated.body["notice"],
        "The Webhook was updated successfully"
    );
    assert_eq!(updated.body["webhook"]["name"], "Renamed");
    assert_eq!(updated.body["webhook"]["__v"], 1);
    assert_eq!(updated.body["webhook"]["uid"], uid.as_str());
    assert_eq!(updated.body["webhook"]["created_at"], w["created_at"]);

    let deleted = api.delete(&format!("/webhooks/{uid}")).await;
    assert_eq!(deleted.status, 200);
    let notice: Notice = from_json_slice(&deleted.raw).unwrap();
    assert_eq!(notice.notice, "The Webhook was deleted successfully");
    assert_error(&api.get(&format!("/webhooks/{uid}")).await, 404, 141, "uid");
    assert_error(
        &api.delete(&format!("/webhooks/{uid}")).await,
        404,
        141,
        "uid",
    );
    assert_error(
        &api.put_json(&format!("/webhooks/{uid}"), &json!({"webhook": sent}))
            .await,
        404,
        141,
        "uid",
    );
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn credentials_and_branch_are_checked_in_order() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let url = format!("{}/webhooks", emulator.base_url());
    let call = |headers: &[(&str, &str)]| {
        let mut rb = api.http.get(&url);
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        api.send(rb)
    };
    assert_error(&call(&[]).await, 412, 109, "api_key");
    assert_error(
        &call(&[("api_key", "bltnope"), ("authorization", TOKEN)]).await,
        412,
        109,
        "api_key",
    );
    assert_error(
        &call(&[("api_key", API_KEY)]).await,
        401,
        105,
        "authorization",
    );
    assert_error(
        &call(&[("api_key", API_KEY), ("authorization", "wrong")]).await,
        401,
        105,
        "authorization",
    );
    assert_error(
        &call(&[("api_key", API_KEY), ("authtoken", "wrong")]).await,
        401,
        105,
        "authorization",
    );
    assert_eq!(
        call(&[("api_key", API_KEY), ("authorization", TOKEN)])
            .await
            .status,
        200
    );
    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(
        call(&[("api_key", API_KEY), ("authorization", &bearer)])
            .await
            .status,
        200
    );
    assert_eq!(
        call(&[("api_key", API_KEY), ("authtoken", TOKEN)])
            .await
            .status,
        200
    );
    assert_error(
        &call(&[
            ("api_key", API_KEY),
            ("authorization", TOKEN),
            ("branch", "nope"),
        ])
        .await,
        422,
        903,
        "branch",
    );
    assert_eq!(
        call(&[
            ("api_key", API_KEY),
            ("authorization", TOKEN),
            ("branch", "dev")
        ])
        .await
        .status,
        200
    );
    // The emulator route uses the same checks.
    let events = format!("{}/_emulator/events", emulator.root_url());
    let a = api
        .send(
            api.http
                .post(&events)
                .header("content-type", "application/json")
                .body("{}"),
        )
        .await;
    assert_error(&a, 412, 109, "api_key");
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn create_and_update_validation_errors() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let ok = basic_webhook("Valid", "http://127.0.0.1:9/a");
    let with = |patch: &dyn Fn(&mut Value)| {
        let mut w = ok.clone();
        patch(&mut w);
        w
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            with(&|w| {
                w.as_object_mut().unwrap().remove("name");
            }),
            "name",
        ),
        (with(&|w| w["name"] = json!("  ")), "name"),
        (
            with(&|w| {
                w.as_object_mut().unwrap().remove("destinations");
            }),
            "destinations",
        ),
        (with(&|w| w["destinations"] = json!([])), "destinations"),
        (
            with(&|w| w["destinations"][0]["target_url"] = json!("not a url")),
            "destinations[0].target_url",
        ),
        (
            with(&|w| w["destinations"][0]["target_url"] = json!("ftp://127.0.0.1/x")),
            "destinations[0].target_url",
        ),
        (
            with(&|w| w["destinations"][0]["authentication_type"] = json!("Digest")),
            "destinations[0].authentication_type",
        ),
        (
            with(&|w| {
                w["destinations"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("http_basic_password");
            }),
            "destinations[0].http_basic_password",
        ),
        (
            with(&|w| w["destinations"][0]["http_basic_password"] = json!("********")),
            "destinations[0].http_basic_password",
        ),
        (
            with(&|w| {
                w["destinations"][0] =
                    json!({"target_url": "http://127.0.0.1:9/", "authentication_type": "OAuth2"})
            }),
            "destinations[0].access_token_url",
        ),
        (
            with(
                &|w| w["destinations"][0] = json!({"target_url": "http://127.0.0.1:9/", "authentication_type": "OAuth2", "access_token_url": "http://127.0.0.1:9/t"}),
            ),
            "destinations[0].client_secret",
        ),
        (
            with(&|w| {
                w["destinations"][0] =
                    json!({"target_url": "http://127.0.0.1:9/", "authentication_type": "Bearer"})
            }),
            "destinations[0].bearer_token",
        ),
        (
            with(&|w| {
                w["destinations"][0]["custom_header"] =
                    json!([{"header_name": "Bad Header", "value": "x"}])
            }),
            "destinations[0].custom_header[0].header_name",
        ),
        (
            with(&|w| {
                w.as_object_mut().unwrap().remove("channels");
            }),
            "channels",
        ),
        (with(&|w| w["channels"] = json!([])), "channels"),
        (
            with(&|w| w["channels"] = json!(["assets.create", "content_types..update"])),
            "channels[1]",
        ),
        (with(&|w| w["branches"] = json!(["release-9"])), "branches"),
        (
            with(&|w| w["retry_policy"] = json!("sometimes")),
            "retry_policy",
        ),
        (with(&|w| w["disabled"] = json!("no")), "disabled"),
        (with(&|w| w["notifiers"] = json!(42)), "notifiers"),
    ];
    for (doc, field) in &cases {
        let a = api.post_json("/webhooks", &json!({"webhook": doc})).await;
        assert_error(&a, 422, 344, field);
    }
    // Several problems at once are all listed.
    let a = api
        .post_json(
            "/webhooks",
            &json!({"webhook": {"destinations": [], "channels": []}}),
        )
        .await;
    for field in ["name", "destinations", "channels"] {
        assert_error(&a, 422, 344, field);
    }

    let uid = api.create(ok.clone()).await;
    let dup = api
        .post_json("/webhooks", &json!({"webhook": ok.clone()}))
        .await;
    assert_error(&dup, 422, 344, "name");
    assert_eq!(dup.body["errors"]["name"][0], "is already taken.");

    // Update validates the same way, and a rename onto a taken name fails.
    let other = api
        .create(webhook("Other", "http://127.0.0.1:9/o", &["assets.create"]))
        .await;
    for (doc, field) in cases.iter().take(4) {
        let a = api
            .put_json(&format!("/webhooks/{uid}"), &json!({"webhook": doc}))
            .await;
        assert_error(&a, 422, 345, field);
    }
    let a = api
        .put_json(&format!("/webhooks/{other}"), &json!({"webhook": ok}))
        .await;
    assert_error(&a, 422, 345, "name");
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_input_gets_contentstack_errors_never_500() {
    let emulator = common::builder()
        .max_body_bytes(16 * 1024)
        .start()
        .await
        .unwrap();
    let api = Api::new(&emulator);
    let uid = api
        .create(webhook("W", "http://127.0.0.1:9/", &["assets.create"]))
        .await;

    let raw = |body: &'static str, ct: &'static str| {
        api.send(
            api.req(Method::POST, "/webhooks")
                .header("content-type", ct)
                .body(body),
        )
    };
    assert_error(
        &raw("{not json", "application/json").await,
        422,
        344,
        "body",
    );
    assert_error(&raw("{}", "text/plain").await, 422, 344, "content-type");
    assert_error(&raw("{}", "application/json").await, 422, 344, "webhook");
    assert_error(
        &raw(r#"{"webhook": []}"#, "application/json").await,
        422,
        344,
        "webhook",
    );
    let huge = format!(r#"{{"webhook": {{"name": "{}"}}}}"#, "x".repeat(64 * 1024));
    let a = api
        .send(
            api.req(Method::POST, "/webhooks")
                .header("content-type", "application/json")
                .body(huge),
        )
        .await;
    assert_error(&a, 413, 413, "");

    for query in [
        "query=%7Bnot-json",
        "query=%7B%22status%22%3A%7B%22%24near%22%3A1%7D%7D",
        "limit=500",
        "limit=0",
        "skip=-1",
        "only_events=maybe",
        "from=yesterday",
    ] {
        let a = api
            .get(&format!("/webhooks/{uid}/executions?{query}"))
            .await;
        assert_eq!(a.status, 422, "{query}: {}", a.body);
        assert!(a.body["error_code"].is_i64(), "{query}");
    }
    assert_error(
        &api.get("/webhooks?include_count=perhaps").await,
        422,
        422,
        "include_count",
    );
    assert_error(&api.get("/webhooks?asc=colour").await, 422, 422, "asc");
    assert_error(&api.get("/webhooks/nope/executions").await, 404, 141, "uid");
    assert_error(&api.get("/nowhere").await, 404, 404, "");
    assert_error(&api.get("/webhooks/a/b/c").await, 404, 404, "");
    assert_error(
        &api.send(api.req(Method::PATCH, "/webhooks")).await,
        405,
        405,
        "",
    );
    assert_eq!(api.get("/webhooks/%FF%FE").await.status, 404);

    // Imports: no boundary (as the official Python SDK sends), no part, bad file.
    let import = |ct: &'static str, body: &'static str| {
        api.send(
            api.req(Method::POST, "/webhooks/import")
                .header("content-type", ct)
                .body(body),
        )
    };
    assert_error(
        &import("multipart/form-data", "whatever").await,
        422,
        346,
        "webhook",
    );
    assert_error(&import("application/json", "{}").await, 422, 346, "webhook");
    let no_part = "--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n";
    assert_error(
        &import("multipart/form-data; boundary=b", no_part).await,
        422,
        346,
        "webhook",
    );
    let bad_file = "--b\r\nContent-Disposition: form-data; name=\"webhook\"; filename=\"w.json\"\r\nContent-Type: application/json\r\n\r\n{oops\r\n--b--\r\n";
    assert_error(
        &import("multipart/form-data; boundary=b", bad_file).await,
        422,
        346,
        "webhook",
    );
    let truncated = "--b\r\nContent-Disposition: form-data; name=\"webhook\"\r\n\r\n{}";
    let a = import("multipart/form-data; boundary=b", truncated).await;
    assert_eq!(a.status, 422, "{}", a.body);
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn export_then_import_new_and_into_existing() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let uid = api
        .create(basic_webhook("Exported", "http://127.0.0.1:9/e"))
        .await;

    let exported = api.get(&format!("/webhooks/{uid}/export")).await;
    assert_eq!(exported.status, 200);
    let bare: Webhook = from_json_slice(&exported.raw).expect("the bare webhook");
    assert_eq!(bare.uid, uid);
    assert!(exported.body.get("webhook").is_none());
    assert!(
        exported.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment"),
        "{:?}",
        exported.headers
    );

    // Import as new: the masked password cannot be recovered, so give it again.
    let mut file = exported.body.clone();
    file["name"] = json!("Imported");
    file["destinations"][0]["http_basic_password"] = json!("new-pw");
    let (ct, body) = multipart("webhook", &file);
    let a = api
        .send(
            api.req(Method::POST, "/webhooks/import")
                .header("content-type", ct)
                .body(body),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let typed: WebhookResponse = from_json_slice(&a.raw).unwrap();
    assert_eq!(
        typed.notice.as_deref(),
        Some("webhook was imported successfully")
    );
    assert_ne!(typed.webhook.uid, uid);
    assert_eq!(a.body["webhook"]["retry"], json!({"auto": true}));

    // Same name again: taken. The Python SDK's part name `entry` is accepted.
    let (ct, body) = multipart("entry", &file);
    let a = api
        .send(
            api.req(Method::POST, "/webhooks/import")
                .header("content-type", ct)
                .body(body),
        )
        .await;
    assert_error(&a, 422, 346, "name");
    file["name"] = json!("Imported by Python");
    let (ct, body) = multipart("entry", &file);
    let a = api
        .send(
            api.req(Method::POST, "/webhooks/import")
                .header("content-type", ct)
                .body(body),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);

    // A masked password with no stored secret to keep is refused on import.
    let mut masked = exported.body.clone();
    masked["name"] = json!("Masked");
    let (ct, body) = multipart("webhook", &masked);
    let a = api
        .send(
            api.req(Method::POST, "/webhooks/import")
                .header("content-type", ct)
                .body(body),
        )
        .await;
    assert_error(&a, 422, 346, "destinations[0].http_basic_password");

    // Into the existing webhook: the mask keeps the stored password.
    let mut edited = exported.body.clone();
    edited["channels"] = json!(["assets.update"]);
    let (ct, body) = multipart("webhook", &edited);
    let a = api
        .send(
            api.req(Method::POST, &format!("/webhooks/{uid}/import"))
                .header("content-type", ct)
                .body(body),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["webhook"]["uid"], uid.as_str());
    assert_eq!(a.body["webhook"]["channels"], json!(["assets.update"]));
    let (ct, body) = multipart("webhook", &edited);
    let a = api
        .send(
            api.req(Method::POST, "/webhooks/csnope/import")
                .header("content-type", ct)
                .body(body),
        )
        .await;
    assert_error(&a, 404, 141, "uid");
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn branch_header_scopes_reads_and_writes() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let on_dev = api
        .send(
            api.req(Method::POST, "/webhooks")
                .header("branch", "dev")
                .header("content-type", "application/json")
                .body(
                    json!({"webhook": webhook("Dev", "http://127.0.0.1:9/", &["assets.create"])})
                        .to_string(),
                ),
        )
        .await;
    assert_eq!(on_dev.status, 201, "{}", on_dev.body);
    assert_eq!(on_dev.body["webhook"]["branches"], json!(["dev"]));
    let uid = on_dev.body["webhook"]["uid"].as_str().unwrap();
    assert_error(&api.get(&format!("/webhooks/{uid}")).await, 404, 141, "uid");
    assert_eq!(api.get("/webhooks").await.body["webhooks"], json!([]));
    let on_dev = api
        .send(
            api.req(Method::GET, &format!("/webhooks/{uid}"))
                .header("branch", "dev"),
        )
        .await;
    assert_eq!(on_dev.status, 200);
    let listed = api
        .send(api.req(Method::GET, "/webhooks").header("branch", "dev"))
        .await;
    assert_eq!(listed.body["webhooks"].as_array().unwrap().len(), 1);
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn executions_filter_page_retry_and_logs() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    let uid = api
        .create(webhook(
            "Exec",
            &receiver.url("/hook"),
            &["content_types.entries.update"],
        ))
        .await;
    // Manual policy: one attempt per event. Answers: 200, 500, 200, 404, 200.
    receiver.script(&[(200, "a"), (500, "b"), (200, "c"), (404, "d"), (200, "e")]);
    for i in 0..5 {
        api.fire(entry_update("blog", &format!("e{i}"))).await;
        // One at a time, so the scripted answers meet the events in order.
        wait_for("the delivery", Duration::from_secs(10), || async {
            receiver.count() == i + 1
        })
        .await;
    }
    settle(&emulator).await;

    let all = api.get(&format!("/webhooks/{uid}/executions")).await;
    let typed: ExecutionList = from_json_slice(&all.raw).expect("decodes as ExecutionList");
    assert_eq!(typed.webhooks.len(), 5);
    let statuses: Vec<Option<u16>> = typed.webhooks.iter().map(|e| e.status).collect();
    // Newest first.
    assert_eq!(
        statuses,
        [Some(200), Some(404), Some(200), Some(500), Some(200)]
    );
    let first = &all.body["webhooks"][4];
    assert_eq!(
        first["channel"],
        json!([
            "content_types.entries.update",
            "content_types.blog.entries.update",
            "content_types.blog.entries.e0.update"
        ])
    );
    assert_eq!(first["webhooks"], json!([uid]));
    assert_eq!(first["retry_count"], 0);
    assert_eq!(first["event_data"]["data"]["entry"]["uid"], "e0");
    assert_eq!(first["request_details"][0]["retry_number"], 0);
    assert_eq!(
        first["request_details"][0]["request"]["body"],
        first["event_data"]
    );
    assert_eq!(first["request_details"][0]["response"]["statusCode"], 200);
    assert_eq!(first["request_details"][0]["response"]["body"], "a");
    assert_eq!(first["destination"], json!({}));

    let api = &api;
    let uid_ref = &uid;
    let count = |q: &str| {
        let path = format!("/webhooks/{uid_ref}/executions?{q}");
        async move {
            api.get(&path).await.body["webhooks"]
                .as_array()
                .map_or(0, Vec::len)
        }
    };
    let enc = |s: &str| {
        s.replace('{', "%7B")
            .replace('}', "%7D")
            .replace('"', "%22")
            .replace('$', "%24")
    };
    assert_eq!(
        count(&format!(
            "query={}",
            enc(r#"{"status":{"$gte":"200","$lte":"399"}}"#)
        ))
        .await,
        3
    );
    assert_eq!(
        count(&format!(
            "query={}",
            enc(r#"{"status":{"$gte":"400","$lte":"599"}}"#)
        ))
        .await,
        2
    );
    assert_eq!(
        count(&format!("query={}", enc(r#"{"status":"404"}"#))).await,
        1
    );
    assert_eq!(count("skip=1&limit=2").await, 2);
    assert_eq!(count("skip=4&limit=100").await, 1);
    assert_eq!(
        count("from=2001-01-01T00:00:00.000Z&to=2002-01-01T00:00:00.000Z").await,
        0
    );
    assert_eq!(count("from=2001-01-01T00:00:00.000Z").await, 5);
    let events_only = api
        .get(&format!("/webhooks/{uid}/executions?only_events=true"))
        .await;
    assert!(
        events_only.body["webhooks"][0]
            .get("request_details")
            .is_none()
    );

    // Retry the failed one, in the documented form, then in the JS SDK's form.
    let failed = all.body["webhooks"][3]["uid"].as_str().unwrap().to_owned();
    let a = api
        .send(api.req(Method::POST, &format!("/webhooks/{failed}/retry")))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["notice"], "Webhook retry scheduled");
    wait_for("the retry", Duration::from_secs(10), || async {
        receiver.count() == 6
    })
    .await;
    settle(&emulator).await;
    let a = api
        .post_json(
            &format!("/webhooks/{uid}/retry"),
            &json!({"execution_uid": failed}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    wait_for("the second retry", Duration::from_secs(10), || async {
        receiver.count() == 7
    })
    .await;
    settle(&emulator).await;
    assert_error(
        &api.send(api.req(Method::POST, "/webhooks/csnope/retry"))
            .await,
        404,
        141,
        "execution_uid",
    );
    let a = api
        .post_json(
            &format!("/webhooks/{uid}/retry"),
            &json!({"execution_uid": "csnope"}),
        )
        .await;
    assert_error(&a, 404, 141, "execution_uid");

    // The log: the latest attempt as one object, the full webhook.
    let log = api.get(&format!("/webhooks/{failed}/logs")).await;
    assert_eq!(log.status, 200, "{}", log.body);
    let typed: ExecutionLogResponse =
        from_json_slice(&log.raw).expect("decodes as ExecutionLogResponse");
    assert_eq!(typed.webhook.retry_count, Some(2));
    assert_eq!(typed.webhook.status, Some(200));
    let latest = typed.webhook.request_details.expect("latest attempt");
    assert_eq!(latest.retry_number, Some(2));
    assert_eq!(typed.webhook.webhooks[0].uid, uid);
    assert_error(
        &api.get("/webhooks/csnope/logs").await,
        404,
        141,
        "execution_uid",
    );
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn logs_older_than_the_retention_are_not_returned() {
    let retention = Duration::from_secs(2);
    let emulator = common::builder()
        .log_retention(retention)
        .start()
        .await
        .unwrap();
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    let uid = api
        .create(webhook("Old", &receiver.url("/"), &["assets.create"]))
        .await;
    let fired_at = tokio::time::Instant::now();
    let fired = api
        .fire(json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}}))
        .await;
    let execution = fired.body["executions"][0]["uid"]
        .as_str()
        .unwrap()
        .to_owned();
    settle(&emulator).await;
    assert_eq!(api.executions(&uid).await.len(), 1);
    let log = api.get(&format!("/webhooks/{execution}/logs")).await;
    assert_eq!(log.status, 200);
    // Once the execution is older than the retention, it is gone.
    tokio::time::sleep_until(fired_at + retention + Duration::from_millis(200)).await;
    assert_eq!(api.executions(&uid).await.len(), 0);
    assert_error(
        &api.get(&format!("/webhooks/{execution}/logs")).await,
        404,
        141,
        "execution_uid",
    );
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn public_key_index_and_specs_are_served() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let keys = api.get("/.well-known/public-keys.json").await;
    assert_eq!(keys.status, 200);
    let pem = keys.body["signing-key"].as_str().unwrap();
    assert!(pem.starts_with("-----BEGIN RSA PUBLIC KEY-----"), "{pem}");
    assert_eq!(pem, emulator.signing_key().public_key_pem());
    for spec in ["/openapi/webhooks.yaml", "/openapi/emulator.yaml"] {
        let a = api.send(api.req(Method::GET, spec)).await;
        assert_eq!(a.status, 200);
        assert!(
            String::from_utf8_lossy(&a.raw).contains("openapi: 3.0.3"),
            "{spec}"
        );
    }
    emulator.shutdown().await.unwrap();
}
