//! Every operation the specs declare is routed: a spec change cannot leave
//! the emulator answering its router's 404 or 405.

mod common;

use common::{Answer, Api, start};
use cs_webhooks_schema::Spec;
use reqwest::Method;

/// The router's own `error_code` for an unknown URL (an unknown webhook is 141).
const NO_ROUTE: i64 = 404;
/// The router's `error_code` for a known URL with another method.
const NO_METHOD: i64 = 405;

/// Every `(method, path)` of the spec in the emulator's `openapi/` folder,
/// with the server's base path (`/v3`) in front and path parameters filled.
fn operations(file: &str) -> Vec<(Method, String)> {
    let path = format!("{}/openapi/{file}", env!("CARGO_MANIFEST_DIR"));
    let spec = Spec::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let api = spec.openapi();
    let base = api
        .servers
        .first()
        .map(|s| url::Url::parse(&s.url).expect("server URL"))
        .map(|u| u.path().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    let mut all = Vec::new();
    for (template, item) in &api.paths.paths {
        let item = item.as_item().expect("paths are written inline");
        let concrete = fill_parameters(template);
        for (method, _) in item.iter() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            all.push((method, format!("{base}{concrete}")));
        }
    }
    all
}

/// `/webhooks/{webhook_uid}/export` → `/webhooks/csnosuchuid/export`.
fn fill_parameters(template: &str) -> String {
    template
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                "csnosuchuid"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether the answer came from the router's fallbacks rather than an operation.
fn unrouted(a: &Answer) -> bool {
    let code = a.body["error_code"].as_i64();
    (a.status == 404 && code == Some(NO_ROUTE)) || (a.status == 405 && code == Some(NO_METHOD))
}

async fn call(api: &Api, method: Method, path: &str) -> Answer {
    let url = format!("{}{path}", api.root);
    api.send(
        api.http
            .request(method, url)
            .header("api_key", common::API_KEY)
            .header("authorization", common::TOKEN),
    )
    .await
}

#[tokio::test]
async fn every_operation_of_the_specs_is_routed() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let webhooks = operations("webhooks.yaml");
    assert_eq!(webhooks.len(), 11, "the Webhooks API has 11 operations");
    let all: Vec<(Method, String)> = webhooks
        .into_iter()
        .chain(operations("emulator.yaml"))
        .collect();
    for (method, path) in all {
        let a = call(&api, method.clone(), &path).await;
        assert!(
            !unrouted(&a),
            "{method} {path} is not routed: {} {}",
            a.status,
            a.body
        );
        if a.status == 404 {
            assert_eq!(a.body["error_code"], 141, "{method} {path}: {}", a.body);
        }
    }

    // The check can fail: a path or method the router lacks is told apart.
    assert!(unrouted(
        &call(&api, Method::GET, "/v3/webhooks/a/b/c").await
    ));
    assert!(unrouted(&call(&api, Method::PATCH, "/v3/webhooks").await));
    emulator.shutdown().await.unwrap();
}
