//! Schemathesis-style check of the emulator's own routes against
//! `openapi/emulator.yaml`: for every route, a few real calls (good and bad),
//! and every answer's status must be declared and its body must validate
//! against the declared schema.

mod common;

use std::collections::BTreeSet;

use common::{API_KEY, Answer, Api, Receiver, settle, start, webhook};
use cs_webhooks_schema::Spec;
use reqwest::Method;
use serde_json::{Value, json};

const SPEC: &str = include_str!("../openapi/emulator.yaml");

/// The schema name declared for `status` of `method path`, following `$ref`s.
fn declared_schema(doc: &Value, method: &str, path: &str, status: u16) -> Result<String, String> {
    let op = &doc["paths"][path][method.to_ascii_lowercase()];
    if op.is_null() {
        return Err(format!("{method} {path} is not in the spec"));
    }
    let mut response = op["responses"][status.to_string()].clone();
    if response.is_null() {
        return Err(format!("{method} {path} does not declare {status}"));
    }
    if let Some(r) = response["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or_default();
        response = doc["components"]["responses"][name].clone();
    }
    response["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .and_then(|r| r.rsplit('/').next())
        .map(str::to_owned)
        .ok_or_else(|| format!("{method} {path} {status}: the schema is not a named one"))
}

fn json_body(rb: reqwest::RequestBuilder, body: &Value) -> reqwest::RequestBuilder {
    rb.header("content-type", "application/json")
        .body(serde_json::to_vec(body).expect("JSON"))
}

struct Checker {
    spec: Spec,
    doc: Value,
    api: Api,
    covered: BTreeSet<(String, String, u16)>,
}

impl Checker {
    fn wrong_token(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.api
            .http
            .request(method, format!("{}{path}", self.api.root))
            .header("api_key", API_KEY)
            .header("authorization", "wrong")
    }

    async fn call(
        &mut self,
        method: Method,
        path: &str,
        query: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut rb = self.api.req(method.clone(), &format!("{path}{query}"));
        if let Some(body) = body {
            rb = json_body(rb, &body);
        }
        self.check(method, path, rb).await
    }

    async fn check(&mut self, method: Method, path: &str, rb: reqwest::RequestBuilder) -> Answer {
        let answer = self.api.send(rb).await;
        let name = declared_schema(&self.doc, method.as_str(), path, answer.status)
            .unwrap_or_else(|e| panic!("{e}: {}", answer.body));
        if let Err(violations) = self.spec.validate(&name, &answer.body) {
            panic!(
                "{method} {path} {}: {violations:?}\n{}",
                answer.status, answer.body
            );
        }
        self.covered
            .insert((method.to_string(), path.to_owned(), answer.status));
        answer
    }
}

#[tokio::test]
async fn every_answer_of_the_emulators_own_routes_fits_its_declared_schema() {
    let spec = Spec::from_yaml(SPEC).expect("the emulator spec loads");
    let doc = serde_json::to_value(spec.openapi()).expect("the spec as JSON");
    let emulator = start().await;
    let receiver = Receiver::start().await;
    receiver.default_status(500);
    let api = Api::new(&emulator);
    let mut hook = webhook(
        "Checked",
        &receiver.url("/in"),
        &["assets.create", "content_types.entries.create"],
    );
    hook["notifiers"] = json!("ops@example.com");
    let uid = api.create(hook).await;
    let mut c = Checker {
        spec,
        doc,
        api,
        covered: BTreeSet::new(),
    };

    let event = json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}});
    c.call(Method::POST, "/_emulator/events", "", Some(event.clone()))
        .await;
    c.call(
        Method::POST,
        "/_emulator/events",
        "",
        Some(json!({"module": "x"})),
    )
    .await;
    c.call(
        Method::POST,
        "/_emulator/events",
        "",
        Some(json!({"module": "x", "event": "y"})),
    )
    .await;
    let bad_token = json_body(c.wrong_token(Method::POST, "/_emulator/events"), &event);
    let refused = c.check(Method::POST, "/_emulator/events", bad_token).await;
    assert_eq!(refused.status, 401);
    let no_stack = c.api.http.post(format!("{}/_emulator/events", c.api.root));
    let no_stack = json_body(no_stack, &event);
    c.check(Method::POST, "/_emulator/events", no_stack).await;

    c.call(
        Method::POST,
        "/_emulator/trigger",
        "",
        Some(json!({"event": "entry.create"})),
    )
    .await;
    c.call(
        Method::POST,
        "/_emulator/trigger",
        "",
        Some(json!({"event": "entry.unknown"})),
    )
    .await;
    c.call(
        Method::POST,
        "/_emulator/trigger",
        "",
        Some(json!({"event": "asset.create", "overrides": {"asset": "blt_a2"}})),
    )
    .await;

    // Ten failures trip the breaker, which writes mail.
    for _ in 0..9 {
        c.api.fire(event.clone()).await;
    }
    settle(&emulator).await;
    let mail = c.call(Method::GET, "/_emulator/mailbox", "", None).await;
    assert_eq!(
        mail.body["mails"].as_array().map(Vec::len),
        Some(1),
        "{}",
        mail.body
    );
    c.call(
        Method::GET,
        "/_emulator/mailbox",
        "?to=nobody@example.com",
        None,
    )
    .await;
    c.call(Method::GET, "/_emulator/mailbox", "?bogus=1", None)
        .await;
    let bad_token = c.wrong_token(Method::GET, "/_emulator/mailbox");
    let refused = c.check(Method::GET, "/_emulator/mailbox", bad_token).await;
    assert_eq!(refused.status, 401);

    let deliveries = c
        .call(
            Method::GET,
            "/_emulator/deliveries",
            &format!("?webhook_uid={uid}"),
            None,
        )
        .await;
    assert!(
        deliveries.body["deliveries"]
            .as_array()
            .is_some_and(|d| d.len() >= 10)
    );
    c.call(Method::GET, "/_emulator/deliveries", "", None).await;
    c.call(
        Method::GET,
        "/_emulator/deliveries",
        "?webhook_uid=blt_unknown",
        None,
    )
    .await;
    let no_stack = c.api.http.get(format!(
        "{}/_emulator/deliveries?webhook_uid={uid}",
        c.api.root
    ));
    c.check(Method::GET, "/_emulator/deliveries", no_stack)
        .await;

    c.call(Method::GET, "/.well-known/public-keys.json", "", None)
        .await;

    // Every route and method of the spec was called, with success and failure.
    let routes: BTreeSet<(String, String)> = c.doc["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .filter(|(m, _)| ["get", "post", "put", "delete"].contains(&m.as_str()))
                .map(|(m, _)| (m.to_ascii_uppercase(), path.clone()))
        })
        .collect();
    for (method, path) in &routes {
        let statuses: Vec<u16> = c
            .covered
            .iter()
            .filter(|(m, p, _)| m == method && p == path)
            .map(|(_, _, s)| *s)
            .collect();
        assert!(
            statuses.iter().any(|s| (200..300).contains(s)),
            "{method} {path}: {statuses:?}"
        );
        if path != "/.well-known/public-keys.json" {
            assert!(
                statuses.iter().any(|s| *s >= 400),
                "{method} {path}: {statuses:?}"
            );
        }
    }
    emulator.shutdown().await.expect("stops");
}

#[test]
fn the_check_can_fail() {
    let spec = Spec::from_yaml(SPEC).expect("the emulator spec loads");
    let doc = serde_json::to_value(spec.openapi()).expect("the spec as JSON");
    assert!(declared_schema(&doc, "GET", "/_emulator/mailbox", 418).is_err());
    assert!(spec.validate("Mail", &json!({"uid": "m1"})).is_err());
    assert!(
        spec.validate("Mailbox", &json!({"mails": [], "extra": 1}))
            .is_err()
    );
}
