//! Shared test helpers: a signing key per test process, an emulator with a
//! known stack, an HTTP client, and a real receiver on 127.0.0.1 that records
//! what it gets and answers as scripted.

#![allow(dead_code)] // each test file uses a different part

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use cs_webhooks_emulator::{Emulator, EmulatorBuilder, EmulatorHandle, SigningKey};
use cs_webhooks_model::{ErrorBody, from_json_slice};
use cs_webhooks_receiver::{Policy, PublicKeys, Verifier};
use serde_json::{Value, json};

pub const API_KEY: &str = "blt0000000000000001";
pub const TOKEN: &str = "cs-test-management-token";

/// One key per test process: generating one is slow in debug builds.
pub fn key() -> SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate().expect("generate a test key"))
        .clone()
}

pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The builder every test starts from: one stack with a `dev` branch, tiny time scale.
pub fn builder() -> EmulatorBuilder {
    install_crypto();
    Emulator::builder()
        .stack(API_KEY, TOKEN)
        .branch(API_KEY, "dev")
        .signing_key(key())
        .time_scale(0.001)
        .delivery_timeout(Duration::from_secs(5))
}

pub async fn start() -> EmulatorHandle {
    builder().start().await.expect("emulator starts")
}

pub fn client() -> reqwest::Client {
    install_crypto();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

/// A verifier of the emulator's deliveries (the receiver crate), with the
/// published PKCS#1 PEM key and, when given, the stack's HMAC secret.
pub fn verifier(pem: &str, policy: Policy, hmac_secret: Option<&str>) -> Verifier {
    let mut builder = Verifier::builder()
        .policy(policy)
        .public_keys(PublicKeys::from_pem(pem).expect("the emulator's key is PKCS#1 PEM"));
    if let Some(secret) = hmac_secret {
        builder = builder.hmac_secret(secret);
    }
    builder.build().expect("a complete verifier")
}

/// A call with the stack's credentials.
pub struct Api {
    pub base: String,
    pub root: String,
    pub http: reqwest::Client,
}

pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl Api {
    pub fn new(emulator: &EmulatorHandle) -> Api {
        Api {
            base: emulator.base_url(),
            root: emulator.root_url(),
            http: client(),
        }
    }

    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let url = if path.starts_with("/_emulator")
            || path.starts_with("/.well-known")
            || path.starts_with("/openapi")
        {
            format!("{}{path}", self.root)
        } else {
            format!("{}{path}", self.base)
        };
        self.http
            .request(method, url)
            .header("api_key", API_KEY)
            .header("authorization", TOKEN)
    }

    pub async fn send(&self, rb: reqwest::RequestBuilder) -> Answer {
        let response = rb.send().await.expect("request is answered");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let raw = response.bytes().await.expect("body").to_vec();
        let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
            raw,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(self.req(reqwest::Method::GET, path)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(self.req(reqwest::Method::DELETE, path)).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Answer {
        self.send(
            self.req(reqwest::Method::POST, path)
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> Answer {
        self.send(
            self.req(reqwest::Method::PUT, path)
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    /// Creates a webhook and returns its uid (panics unless 201).
    pub async fn create(&self, webhook: Value) -> String {
        let a = self
            .post_json("/webhooks", &json!({ "webhook": webhook }))
            .await;
        assert_eq!(a.status, 201, "{}", a.body);
        a.body["webhook"]["uid"].as_str().expect("uid").to_owned()
    }

    /// Uploads `file` as an exported webhook to an import route.
    pub async fn import(&self, path: &str, file: &Value) -> Answer {
        let (content_type, body) = multipart("webhook", file);
        self.send(
            self.req(reqwest::Method::POST, path)
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }

    pub async fn fire(&self, event: Value) -> Answer {
        let a = self.post_json("/_emulator/events", &event).await;
        assert_eq!(a.status, 202, "{}", a.body);
        a
    }

    pub async fn executions(&self, webhook_uid: &str) -> Vec<Value> {
        let a = self
            .get(&format!("/webhooks/{webhook_uid}/executions"))
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        a.body["webhooks"].as_array().cloned().unwrap_or_default()
    }
}

/// Asserts a Contentstack error answer: status, `error_code`, a message, and
/// a per-field message for `field` (unless empty).
pub fn assert_error(a: &Answer, status: u16, code: i64, field: &str) {
    assert_eq!(a.status, status, "{}", a.body);
    let body: ErrorBody = from_json_slice(&a.raw).expect("a Contentstack error body");
    assert_eq!(body.error_code, Some(code), "{}", a.body);
    assert!(body.error_message.is_some_and(|m| !m.is_empty()));
    if !field.is_empty() {
        assert!(
            body.errors.contains_key(field),
            "no error for {field}: {}",
            a.body
        );
    }
}

/// A multipart body with `file` as JSON in the file part `part`, and its content type.
pub fn multipart(part: &str, file: &Value) -> (String, String) {
    let boundary = "----cs-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{part}\"; filename=\"webhook.json\"\r\nContent-Type: application/json\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A webhook definition with one None-auth destination.
pub fn webhook(name: &str, url: &str, channels: &[&str]) -> Value {
    json!({
        "name": name,
        "destinations": [{"target_url": url, "authentication_type": "None"}],
        "channels": channels,
    })
}

/// An entry update event in content type `ct`.
pub fn entry_update(ct: &str, entry: &str) -> Value {
    json!({
        "module": "entry",
        "event": "update",
        "data": {
            "entry": {"uid": entry, "title": "Hello", "locale": "en-us", "_version": 2, "body": "x"},
            "content_type": {"uid": ct, "title": "Blog", "schema": []}
        }
    })
}

/// What the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

#[derive(Default)]
struct Inner {
    got: Vec<Received>,
    script: VecDeque<(u16, String)>,
    default_status: u16,
    delay: Duration,
}

/// A real HTTP server on 127.0.0.1 that records requests. It answers from a
/// script of `(status, body)` first (for a 3xx the body is the `Location`),
/// then with the default status (200).
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Mutex<Inner>>,
    pub addr: std::net::SocketAddr,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let inner = Arc::new(Mutex::new(Inner {
            default_status: 200,
            ..Inner::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let addr = listener.local_addr().expect("addr");
        let app = axum::Router::new()
            .fallback(record)
            .with_state(Arc::clone(&inner));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { inner, addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn script(&self, answers: &[(u16, &str)]) {
        let mut inner = self.inner.lock().unwrap();
        inner
            .script
            .extend(answers.iter().map(|(s, b)| (*s, (*b).to_owned())));
    }

    /// Answers only after `delay` (to keep deliveries in flight).
    pub fn delay(&self, delay: Duration) {
        self.inner.lock().unwrap().delay = delay;
    }

    pub fn default_status(&self, status: u16) {
        self.inner.lock().unwrap().default_status = status;
    }

    pub fn got(&self) -> Vec<Received> {
        self.inner.lock().unwrap().got.clone()
    }

    pub fn got_on(&self, path: &str) -> Vec<Received> {
        self.got().into_iter().filter(|r| r.path == path).collect()
    }

    pub fn count(&self) -> usize {
        self.inner.lock().unwrap().got.len()
    }
}

async fn record(
    State(inner): State<Arc<Mutex<Inner>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let (status, body, delay) = {
        let mut inner = inner.lock().unwrap();
        inner.got.push(Received {
            path: uri.path().to_owned(),
            query: uri.query().unwrap_or("").to_owned(),
            headers,
            body,
        });
        let (status, body) = inner
            .script
            .pop_front()
            .unwrap_or((inner.default_status, "ok".to_owned()));
        (status, body, inner.delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    // A scripted redirect carries its target in the body slot.
    let location = if status.is_redirection() {
        body.clone()
    } else {
        String::new()
    };
    let mut response = (status, body).into_response();
    if let (false, Ok(value)) = (
        location.is_empty(),
        axum::http::HeaderValue::from_str(&location),
    ) {
        response.headers_mut().insert("location", value);
    }
    response
}

/// Waits until `check` holds (polling), or panics after `limit`. Waiting is
/// not a timing assertion: `limit` only bounds a broken run.
pub async fn wait_for<F, Fut>(what: &str, limit: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if check().await {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the emulator has no queued or scheduled delivery left.
pub async fn settle(emulator: &EmulatorHandle) {
    wait_for(
        "the delivery queue to drain",
        Duration::from_secs(30),
        || async { emulator.pending_deliveries().await.unwrap_or(1) == 0 },
    )
    .await;
}

/// A temporary directory, removed when dropped.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "cs-webhooks-emulator-tests-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    pub fn join(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    t ^ N.fetch_add(1, Ordering::Relaxed)
}

/// Verifies an `X-Contentstack-Request-Signature` value (`v1=<base64>`) over
/// `body` with the PKCS#1 PEM public key, through the receiver crate (no
/// replay window: fixtures carry fixed timestamps).
pub fn verify_rsa_pss(pem: &str, body: &[u8], header: &str) -> bool {
    let verifier = Verifier::builder()
        .policy(Policy::Rsa)
        .rsa_tolerance(None)
        .compact_fallback(false)
        .public_keys(PublicKeys::from_pem(pem).expect("the emulator's key is PKCS#1 PEM"))
        .build()
        .expect("a complete verifier");
    let mut headers = HeaderMap::new();
    let Ok(value) = axum::http::HeaderValue::from_str(header) else {
        return false;
    };
    headers.insert(cs_webhooks_receiver::RSA_SIGNATURE_HEADER, value);
    verifier.verify(body, &headers).is_ok()
}
