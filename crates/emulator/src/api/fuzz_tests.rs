//! Arbitrary requests to every route, through the router in-process: bytes
//! and JSON bodies, paths, queries and headers. No answer is a 5xx (a panic
//! would fail the test outright); every error is a 4xx with Contentstack's
//! error body, typed (`error_code`) and explained (`error_message`).
//!
//! The handlers are one fuzz target: `CS_FUZZ_CASES` sets its cases
//! (default 100 000, as for the client targets; 1 000 000 for a long run),
//! shared evenly among the routes. The rate per route is printed so larger
//! runs can be sized.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use cs_webhooks_model::{ErrorBody, Secret, from_json_slice};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use serde_json::{Value, json};
use tokio::sync::Notify;
use tower::ServiceExt as _;

use crate::config::EmulatorBuilder;
use crate::delivery::enqueuer::Enqueuer;
use crate::delivery::signing::SigningKey;
use crate::mailbox::Mailbox;
use crate::shapes::{Shapes, WEBHOOK_INPUT, WEBHOOK_REQUEST};
use crate::state::AppState;
use crate::store::{StackRow, Store};

const API_KEY: &str = "blt00000000000000f0";
const TOKEN: &str = "cs-fuzz-token";

/// Every route the router serves; `{uid}` is filled per case.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/v3/webhooks"),
    ("POST", "/v3/webhooks"),
    ("POST", "/v3/webhooks/import"),
    ("GET", "/v3/webhooks/{uid}"),
    ("PUT", "/v3/webhooks/{uid}"),
    ("GET", "/v3/webhooks/{uid}/export"),
    ("POST", "/v3/webhooks/{uid}/import"),
    ("GET", "/v3/webhooks/{uid}/executions"),
    ("POST", "/v3/webhooks/{uid}/retry"),
    ("GET", "/v3/webhooks/{uid}/logs"),
    ("POST", "/_emulator/events"),
    ("POST", "/_emulator/trigger"),
    ("GET", "/_emulator/mailbox"),
    ("GET", "/_emulator/deliveries"),
    ("GET", "/.well-known/public-keys.json"),
    ("GET", "/openapi/webhooks.yaml"),
    ("GET", "/"),
    ("PATCH", "/v3/webhooks/{uid}"),
    ("GET", "/{uid}"),
    // Last: it deletes the webhook the other routes' cases name.
    ("DELETE", "/v3/webhooks/{uid}"),
];

/// Cases per route: the target's total shared among the routes.
fn cases() -> u32 {
    let total: u32 = std::env::var("CS_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    total.div_ceil(ROUTES.len() as u32).max(1)
}

/// The state a started emulator has, without a listener or delivery worker
/// (fired events stay queued).
fn state() -> Arc<AppState> {
    let store = Store::open(None).expect("an in-memory store");
    let stack = StackRow {
        api_key: API_KEY.to_owned(),
        token: Secret::new(TOKEN),
        org_uid: "blt00000000000000f1".to_owned(),
        user_uid: "blt00000000000000f2".to_owned(),
        hmac_secret: None,
        demo: false,
        branches: vec!["main".to_owned(), "dev".to_owned()],
    };
    store.save_stack(&stack).expect("the stack is stored");
    let store = Arc::new(store);
    Arc::new(AppState {
        enqueuer: Enqueuer::start(Arc::clone(&store)).expect("the enqueuer starts"),
        store,
        stacks: HashMap::from([(API_KEY.to_owned(), stack)]),
        settings: EmulatorBuilder::default().settings,
        key: SigningKey::generate().expect("a key"),
        shapes: Shapes::get().expect("the spec's shapes"),
        limiter: None,
        mailbox: Mailbox::default(),
        wake: Arc::new(Notify::new()),
    })
}

/// Words the handlers look for, so that cases reach past the first check.
const WORDS: &[&str] = &[
    "webhook",
    "name",
    "destinations",
    "target_url",
    "channels",
    "retry_policy",
    "branches",
    "notifiers",
    "disabled",
    "concise_payload",
    "authentication_type",
    "http_basic_auth",
    "http_basic_password",
    "bearer_token",
    "client_id",
    "client_secret",
    "access_token_url",
    "custom_header",
    "header_name",
    "value",
    "module",
    "event",
    "data",
    "entry",
    "uid",
    "content_type",
    "asset",
    "channel",
    "scopes",
    "action",
    "collection",
    "source",
    "branch",
    "triggered_at",
    "overrides",
    "set",
    "execution_uid",
    "environment",
    "locale",
    "None",
    "Basic",
    "Bearer",
    "OAuth2",
    "automatic",
    "manual",
    "http://127.0.0.1:9/x",
    "http://u:********@h/",
    "assets.create",
    "content_types.entries.update",
    "create",
    "update",
    "publish",
    "main",
    "dev",
    "********",
    "entry.publish",
    "asset.create",
    "$in",
    "2024-01-01T00:00:00Z",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(WORDS).prop_map(str::to_owned),
        1 => ".{0,12}",
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        word().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            btree_map(word(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A multipart upload of `file` in the part `webhook`, then `junk`.
fn multipart(file: &[u8], junk: &[u8]) -> Vec<u8> {
    let mut body =
        b"--b\r\nContent-Disposition: form-data; name=\"webhook\"; filename=\"w.json\"\r\n\r\n"
            .to_vec();
    body.extend_from_slice(file);
    body.extend_from_slice(junk);
    body.extend_from_slice(b"\r\n--b--\r\n");
    body
}

/// A webhook document close to valid: known channels and authentication
/// types, a loopback URL, an arbitrary name and one arbitrary extra member.
fn webhook() -> impl Strategy<Value = Value> {
    let auth = proptest::sample::select(&["None", "Basic", "Bearer", "OAuth2", "Digest"][..]);
    let channels = vec(
        proptest::sample::select(
            &[
                "assets.create",
                "content_types.entries.update",
                "branch.create",
                "x.",
            ][..],
        ),
        0..3,
    );
    (".{0,300}", auth, channels, word(), json()).prop_map(|(name, auth, channels, key, extra)| {
        let mut doc = json!({"name": name, "channels": channels,
            "destinations": [{"target_url": "http://127.0.0.1:9/x", "authentication_type": auth,
                "http_basic_auth": "u", "http_basic_password": "********", "bearer_token": "t"}]});
        doc[key] = extra;
        json!({ "webhook": doc })
    })
}

/// An event of a common module, with arbitrary extra data and channel.
fn event() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::sample::select(&["asset", "entry", "content_type", "release", "branch", "x"][..]),
        proptest::sample::select(&["create", "update", "publish", "delete", "deploy", "y"][..]),
        json(),
        proptest::option::of(json()),
    )
        .prop_map(|(module, event, extra, channel)| {
            let data = json!({"asset": {"uid": "a1"}, "entry": {"uid": "e1"},
                "content_type": {"uid": "blog"}, "extra": extra});
            let mut doc = json!({"module": module, "event": event, "data": data});
            if let Some(channel) = channel {
                doc["channel"] = channel;
            }
            doc.to_string().into_bytes()
        })
}

/// A body: raw bytes, arbitrary JSON, or JSON shaped like what the routes
/// take (webhook documents the spec allows and forbids, events of the
/// common modules, fixture triggers), as JSON or as an upload.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let spec = Shapes::get().expect("the spec's shapes").spec();
    let text = |v: Value| v.to_string().into_bytes();
    prop_oneof![
        vec(any::<u8>(), 0..256),
        json().prop_map(text),
        json().prop_map(move |v| text(json!({ "webhook": v }))),
        spec.valid(WEBHOOK_REQUEST).prop_map(text),
        spec.invalid(WEBHOOK_REQUEST)
            .prop_map(move |(v, _)| text(v)),
        webhook().prop_map(text),
        event(),
        (word(), json()).prop_map(move |(event, overrides)| {
            text(json!({"event": event, "overrides": overrides}))
        }),
        (spec.valid(WEBHOOK_INPUT), vec(any::<u8>(), 0..8))
            .prop_map(|(v, junk)| multipart(v.to_string().as_bytes(), &junk)),
        (json(), vec(any::<u8>(), 0..64))
            .prop_map(|(v, junk)| multipart(v.to_string().as_bytes(), &junk)),
    ]
}

fn percent_encoded(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}

#[derive(Debug, Clone)]
struct Case {
    uid: Uid,
    query: Vec<(String, Vec<u8>)>,
    auth: Auth,
    content_type: &'static str,
    branch: Option<Vec<u8>>,
    body: Vec<u8>,
}

#[derive(Debug, Clone)]
enum Uid {
    Webhook,
    Execution,
    Any(Vec<u8>),
}

#[derive(Debug, Clone, Copy)]
enum Auth {
    Token,
    Bearer,
    Missing,
    Wrong,
}

fn case() -> impl Strategy<Value = Case> {
    let uid = prop_oneof![
        Just(Uid::Webhook),
        Just(Uid::Execution),
        vec(any::<u8>(), 0..24).prop_map(Uid::Any),
    ];
    let key = prop_oneof![
        proptest::sample::select(
            &[
                "limit",
                "skip",
                "include_count",
                "query",
                "from",
                "to",
                "only_events",
                "webhook_uid",
                "asc",
                "desc",
                "execution_uid",
            ][..]
        )
        .prop_map(str::to_owned),
        "[a-z_]{0,6}",
    ];
    let value = prop_oneof![
        word().prop_map(String::into_bytes),
        "-?[0-9]{1,22}".prop_map(String::into_bytes),
        vec(any::<u8>(), 0..16),
    ];
    let auth = prop_oneof![
        6 => Just(Auth::Token),
        1 => Just(Auth::Bearer),
        1 => Just(Auth::Missing),
        1 => Just(Auth::Wrong),
    ];
    let content_type = prop_oneof![
        4 => Just("application/json"),
        2 => Just("multipart/form-data; boundary=b"),
        1 => Just("text/plain"),
        1 => Just(""),
    ];
    // Header values: visible ASCII and obs-text (what a header can carry).
    let branch = proptest::option::weighted(
        0.2,
        prop_oneof![
            proptest::sample::select(&["main", "dev", "nope", ""][..])
                .prop_map(|s| s.as_bytes().to_vec()),
            vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff], 0..12),
        ],
    );
    let query = prop_oneof![Just(Vec::new()), vec((key, value), 1..4)];
    (uid, query, auth, content_type, branch, body()).prop_map(
        |(uid, query, auth, content_type, branch, body)| Case {
            uid,
            query,
            auth,
            content_type,
            branch,
            body,
        },
    )
}

/// Sends one request through the router and returns its answer.
async fn send(router: &Router, request: Request<Body>) -> (StatusCode, Option<String>, Vec<u8>) {
    let response = router
        .clone()
        .oneshot(request)
        .await
        .unwrap_or_else(|e| match e {});
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    (status, content_type, body)
}

fn request(method: &str, path: &str, case: &Case, uids: &(String, String)) -> Request<Body> {
    let uid = match &case.uid {
        Uid::Webhook => uids.0.clone(),
        Uid::Execution => uids.1.clone(),
        Uid::Any(bytes) => percent_encoded(bytes),
    };
    let mut uri = path.replace("{uid}", &uid);
    for (i, (key, value)) in case.query.iter().enumerate() {
        uri.push(if i == 0 { '?' } else { '&' });
        uri.push_str(key);
        uri.push('=');
        uri.push_str(&percent_encoded(value));
    }
    let mut builder = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET))
        .uri(uri);
    match case.auth {
        Auth::Token => {
            builder = builder
                .header("api_key", API_KEY)
                .header("authorization", TOKEN)
        }
        Auth::Bearer => {
            builder = builder
                .header("api_key", API_KEY)
                .header("authorization", format!("Bearer {TOKEN}"));
        }
        Auth::Missing => {}
        Auth::Wrong => {
            builder = builder
                .header("api_key", API_KEY)
                .header("authorization", "x")
        }
    }
    if !case.content_type.is_empty() {
        builder = builder.header(header::CONTENT_TYPE, case.content_type);
    }
    if let Some(branch) = case
        .branch
        .as_ref()
        .and_then(|b| HeaderValue::from_bytes(b).ok())
    {
        builder = builder.header("branch", branch);
    }
    builder
        .body(Body::from(case.body.clone()))
        .unwrap_or_else(|_| Request::new(Body::empty()))
}

/// The property: no 5xx, every error a typed Contentstack error body.
fn check(status: StatusCode, content_type: Option<&str>, body: &[u8]) -> Result<(), TestCaseError> {
    prop_assert!(
        !status.is_server_error(),
        "{status}: {}",
        String::from_utf8_lossy(body)
    );
    if status.is_client_error() {
        prop_assert_eq!(content_type, Some("application/json"));
        let error: ErrorBody = from_json_slice(body)
            .map_err(|e| TestCaseError::fail(format!("{status}: not an error body: {e}")))?;
        prop_assert!(error.error_code.is_some(), "{status}: no error_code");
        prop_assert!(
            error.error_message.is_some_and(|m| !m.is_empty()),
            "{status}: no error_message"
        );
    } else if content_type == Some("application/json") {
        prop_assert!(
            serde_json::from_slice::<Value>(body).is_ok(),
            "{status}: bad JSON"
        );
    }
    Ok(())
}

/// A webhook and one of its executions, so that cases can name real uids.
async fn seed(router: &Router) -> (String, String) {
    let post = |path: &str, body: Value| {
        Request::post(path)
            .header("api_key", API_KEY)
            .header("authorization", TOKEN)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap_or_else(|_| Request::new(Body::empty()))
    };
    let hook = json!({"webhook": {"name": "Fuzzed", "channels": ["assets.create"],
        "destinations": [{"target_url": "http://127.0.0.1:9/x", "authentication_type": "None"}]}});
    let (_, _, created) = send(router, post("/v3/webhooks", hook)).await;
    let created: Value = serde_json::from_slice(&created).unwrap_or_default();
    let event = json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}});
    let (_, _, fired) = send(router, post("/_emulator/events", event)).await;
    let fired: Value = serde_json::from_slice(&fired).unwrap_or_default();
    let uid = |v: &Value| v.as_str().unwrap_or("missing").to_owned();
    (
        uid(&created["webhook"]["uid"]),
        uid(&fired["executions"][0]["uid"]),
    )
}

#[test]
fn arbitrary_requests_to_every_route_get_no_5xx_and_typed_4xx_errors() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let router = crate::api::router(state());
    let uids = runtime.block_on(seed(&router));
    let cases = cases();
    for (method, path) in ROUTES {
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
            ..Config::default()
        });
        let started = Instant::now();
        let statuses = std::cell::RefCell::new(std::collections::BTreeMap::<u16, u32>::new());
        let result = runner.run(&case(), |case| {
            let request = request(method, path, &case, &uids);
            let (status, content_type, body) = runtime.block_on(send(&router, request));
            *statuses.borrow_mut().entry(status.as_u16()).or_default() += 1;
            check(status, content_type.as_deref(), &body)
        });
        let elapsed = started.elapsed().as_secs_f64();
        // Which answers the cases reached shows how deep they went.
        eprintln!(
            "fuzz {method} {path}: {cases} cases in {elapsed:.2} s ({:.0} cases/s), statuses {:?}",
            f64::from(cases) / elapsed.max(1e-9),
            statuses.borrow()
        );
        if let Err(e) = result {
            panic!("{method} {path}: {e}");
        }
    }
}
