//! The axum extractor on a real server on 127.0.0.1, and the plain
//! `http::Request` entry point.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use chrono::Utc;
use cs_webhooks_async::{AsyncTransport, ReqwestTransport};
use cs_webhooks_receiver::testing::{TestSigner, hmac_signature};
use cs_webhooks_receiver::{
    EventKind, Module, Policy, PublicKeys, ReceiveError, VerifiedEvent, Verifier, VerifyError,
};
use http::HeaderMap;
use support::{entry_body, now, set};

#[derive(Clone)]
struct AppState {
    verifier: Verifier,
    seen: Arc<Mutex<Vec<VerifiedEvent>>>,
}

impl axum::extract::FromRef<AppState> for Verifier {
    fn from_ref(state: &AppState) -> Verifier {
        state.verifier.clone()
    }
}

async fn hook(
    axum::extract::State(state): axum::extract::State<AppState>,
    delivery: VerifiedEvent,
) -> StatusCode {
    state.seen.lock().unwrap().push(delivery);
    StatusCode::NO_CONTENT
}

async fn serve(verifier: Verifier) -> (String, Arc<Mutex<Vec<VerifiedEvent>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new()
        .route("/hook", post(hook))
        .with_state(AppState {
            verifier,
            seen: Arc::clone(&seen),
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen)
}

async fn post_to(url: &str, body: Vec<u8>, headers: HeaderMap) -> (StatusCode, String) {
    let config = cs_webhooks_async::Config::builder().build().unwrap();
    let transport = ReqwestTransport::new(&config).unwrap();
    let mut request = http::Request::post(url).body(body).unwrap();
    *request.headers_mut() = headers;
    let response = transport
        .send(request, Some(Duration::from_secs(10)))
        .await
        .unwrap();
    let status = response.status();
    (
        status,
        String::from_utf8_lossy(response.body()).into_owned(),
    )
}

#[tokio::test]
async fn extractor_accepts_verified_and_rejects_the_rest() {
    let signer = TestSigner::new();
    let verifier = Verifier::builder()
        .policy(Policy::Both)
        .public_keys(signer.public_keys())
        .hmac_secret("org")
        .build()
        .unwrap();
    let (url, seen) = serve(verifier).await;
    let body = entry_body(Utc::now());
    let mut headers = signer.headers(&body);
    set(
        &mut headers,
        "x-contentstack-hmac-signature",
        &hmac_signature("org", Utc::now().timestamp(), &body),
    );

    let (status, _) = post_to(&url, body.clone(), headers.clone()).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].event.module, Module::Entry);
        assert_eq!(seen[0].event.event, EventKind::Update);
        assert!(seen[0].verified.rsa.is_some() && seen[0].verified.hmac.is_some());
    }

    let mut tampered = body.clone();
    tampered[20] ^= 1;
    let (status, message) = post_to(&url, tampered, headers.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("does not match"), "{message}");

    let mut no_hmac = headers.clone();
    no_hmac.remove("x-contentstack-hmac-signature");
    let (status, message) = post_to(&url, body.clone(), no_hmac).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(message.contains("missing"), "{message}");
    assert_eq!(seen.lock().unwrap().len(), 1, "the handler ran only once");
}

#[tokio::test]
async fn extractor_answers_400_for_a_signed_body_that_is_no_event() {
    let signer = TestSigner::new();
    let verifier = Verifier::builder()
        .public_keys(signer.public_keys())
        .build()
        .unwrap();
    let (url, seen) = serve(verifier).await;
    for body in [&b"not json"[..], br#"{"module": "entry"}"#] {
        let (status, message) = post_to(&url, body.to_vec(), signer.headers(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{message}");
    }
    // Without the replay check, the event parser is what refuses it.
    let lenient = Verifier::builder()
        .public_keys(signer.public_keys())
        .rsa_tolerance(None)
        .build()
        .unwrap();
    let (url2, _) = serve(lenient).await;
    let body = br#"{"module": "entry", "event": "update", "data": []}"#;
    let (status, message) = post_to(&url2, body.to_vec(), signer.headers(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(message.contains("not a webhook event"), "{message}");
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn extractor_answers_503_while_no_key_can_be_had() {
    let keys = PublicKeys::fetch_with_async("http://127.0.0.1:9/keys.json", |_url: String| async {
        Err::<Vec<u8>, _>("key host down")
    });
    let verifier = Verifier::builder().public_keys(keys).build().unwrap();
    let (url, _) = serve(verifier).await;
    let body = entry_body(Utc::now());
    let (status, message) = post_to(&url, body.clone(), TestSigner::new().headers(&body)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(message.contains("key host down"), "{message}");
}

#[test]
fn plain_http_request_entry_point() {
    let signer = TestSigner::new();
    let verifier = Verifier::builder()
        .public_keys(signer.public_keys())
        .build()
        .unwrap();
    let body = entry_body(Utc::now());
    let mut request = http::Request::post("/hook").body(body.clone()).unwrap();
    *request.headers_mut() = signer.headers(&body);
    let delivery = verifier.receive_request(&request).unwrap();
    assert_eq!(delivery.event.module, Module::Entry);

    let tampered = http::Request::post("/hook")
        .body(bytes::Bytes::from_static(b"{}"))
        .unwrap();
    let err = verifier.receive_request(&tampered).unwrap_err();
    assert_eq!(
        err,
        ReceiveError::Verify(VerifyError::MissingHeader {
            header: "x-contentstack-request-signature"
        })
    );
    assert_eq!(err.status(), StatusCode::UNAUTHORIZED);

    let stale = verifier.receive_at(
        &entry_body(now()),
        &signer.headers(&entry_body(now())),
        Utc::now(),
    );
    assert_eq!(stale.unwrap_err().status(), StatusCode::UNAUTHORIZED);
}
