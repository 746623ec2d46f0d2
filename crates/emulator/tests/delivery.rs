//! Delivery end to end with real receivers on 127.0.0.1: signatures, auth,
//! payload variants, matching, retries, the circuit breaker, target policy.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{API_KEY, Api, Receiver, entry_update, settle, start, wait_for, webhook};
use cs_webhooks_emulator::hmac_header;
use cs_webhooks_model::Secret;
use cs_webhooks_receiver::{
    Event, Policy, PublicKeys, Scheme, SignedForm, VerifiedEvent, Verifier, VerifyError,
};
use reqwest::Method;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(15);

/// Verifies with the openssl command line as well, when it is installed: an
/// implementation that shares no code with the emulator.
fn verify_with_openssl(pem: &str, body: &[u8], header: &str) -> Option<bool> {
    let temp = common::TempDir::new();
    let dir = temp.join("");
    let pkcs1 = dir.join("pub1.pem");
    let spki = dir.join("pub.pem");
    std::fs::write(&pkcs1, pem).ok()?;
    std::fs::write(dir.join("body.bin"), body).ok()?;
    std::fs::write(
        dir.join("sig.bin"),
        STANDARD.decode(header.strip_prefix("v1=")?).ok()?,
    )
    .ok()?;
    let convert = std::process::Command::new("openssl")
        .args(["pkey", "-pubin", "-in"])
        .arg(&pkcs1)
        .arg("-out")
        .arg(&spki)
        .output()
        .ok()?;
    if !convert.status.success() {
        return None;
    }
    let out = std::process::Command::new("openssl")
        .args([
            "dgst",
            "-sha256",
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:32",
            "-sigopt",
            "rsa_mgf1_md:sha256",
            "-verify",
        ])
        .arg(&spki)
        .arg("-signature")
        .arg(dir.join("sig.bin"))
        .arg(dir.join("body.bin"))
        .output()
        .ok()?;
    Some(out.status.success())
}

#[tokio::test]
async fn deliveries_are_signed_verifiably_with_rsa_pss_and_hmac() {
    let emulator = common::builder()
        .hmac_secret(API_KEY, "org-hmac-secret")
        .start()
        .await
        .unwrap();
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    let mut w = webhook(
        "Signed",
        &receiver.url("/hook"),
        &["content_types.blog.entries.update"],
    );
    w["destinations"][0]["custom_header"] =
        json!([{"header_name": "X-Team", "value": "blue"}, {"header_name": "", "value": ""}]);
    let uid = api.create(w).await;
    let mut event = entry_update("blog", "e1");
    event["data"]["entry"]["$meta"] = json!({"$inner": true});
    api.fire(event).await;
    wait_for("a delivery", WAIT, || async { receiver.count() == 1 }).await;
    settle(&emulator).await;

    let got = &receiver.got()[0];
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.header("user-agent"), Some("Contentstack"));
    assert_eq!(got.header("x-team"), Some("blue"));
    assert_eq!(got.header("authorization"), None);
    let body = got.json();
    assert_eq!(body["module"], "entry");
    assert_eq!(body["event"], "update");
    assert_eq!(body["api_key"], API_KEY);
    assert!(body["triggered_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["data"]["entry"]["cs$meta"], json!({"cs$inner": true}));
    assert_eq!(
        body["data"]["branch"],
        json!({"uid": "main", "source": "", "alias": []})
    );

    // Verified through the receiver crate, with the key the emulator publishes.
    let keys = api.get("/.well-known/public-keys.json").await;
    let pem = keys.body["signing-key"].as_str().unwrap();
    let verifier = common::verifier(pem, Policy::Both, Some("org-hmac-secret"));
    let verified = verifier.verify(&got.body, &got.headers).expect("verifies");
    assert_eq!(verified.rsa.unwrap().form, SignedForm::Raw);
    assert_eq!(verified.hmac.as_ref().unwrap().secret_index, 0);
    assert_eq!(
        verifier.verify(b"{}", &got.headers),
        Err(VerifyError::InvalidSignature {
            scheme: Scheme::Hmac
        }),
        "and not for other bytes"
    );
    let rsa_only = common::verifier(pem, Policy::Rsa, None);
    assert_eq!(
        rsa_only.verify(b"{}", &got.headers),
        Err(VerifyError::InvalidSignature {
            scheme: Scheme::Rsa
        })
    );
    let signature = got
        .header("x-contentstack-request-signature")
        .expect("signature header");
    if let Some(ok) = verify_with_openssl(pem, &got.body, signature) {
        assert!(ok, "openssl verifies the signature");
    }

    // The emulator's HMAC header and the receiver's test signer agree byte for byte.
    let t = verified.hmac.unwrap().timestamp;
    let hmac = got.header("x-contentstack-hmac-signature").unwrap();
    assert_eq!(
        hmac,
        hmac_header(&Secret::new("org-hmac-secret"), t, &got.body)
    );
    assert_eq!(
        hmac,
        cs_webhooks_receiver::testing::hmac_signature("org-hmac-secret", t, &got.body)
    );
    let event = Event::from_slice(&got.body).expect("an event");
    assert_eq!(
        event.channels(),
        [
            "content_types.entries.update",
            "content_types.blog.entries.update",
            "content_types.blog.entries.e1.update"
        ]
    );

    // The execution records exactly what was sent.
    let executions = api.executions(&uid).await;
    assert_eq!(executions[0]["event_data"], body);
    assert_eq!(executions[0]["status"], 200);
    assert_eq!(
        executions[0]["event_headers"]["X-Contentstack-Request-Signature"],
        signature
    );
    assert_eq!(executions[0]["event_headers"]["Authorization"], Value::Null);
    emulator.shutdown().await.unwrap();
}

/// A service built with the receiver crate's axum extractor: it records what
/// passed and answers 200; the extractor answers 401/400/503 by itself.
#[derive(Clone)]
struct Service {
    verifier: Verifier,
    seen: Arc<Mutex<Vec<VerifiedEvent>>>,
}

impl axum::extract::FromRef<Service> for Verifier {
    fn from_ref(service: &Service) -> Verifier {
        service.verifier.clone()
    }
}

async fn service_hook(
    axum::extract::State(service): axum::extract::State<Service>,
    delivery: VerifiedEvent,
) -> axum::http::StatusCode {
    service.seen.lock().unwrap().push(delivery);
    axum::http::StatusCode::OK
}

/// Starts the service on 127.0.0.1; returns its hook URL and what it accepted.
async fn start_service(verifier: Verifier) -> (String, Arc<Mutex<Vec<VerifiedEvent>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(service_hook))
        .with_state(Service {
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

#[tokio::test]
async fn a_service_using_the_receiver_extractor_verifies_every_delivery() {
    let emulator = common::builder()
        .hmac_secret(API_KEY, "org-hmac-secret")
        .start()
        .await
        .unwrap();
    let api = Api::new(&emulator);
    // RSA: the service fetches the key from the emulator, as from Contentstack.
    let keys_url = format!("{}/.well-known/public-keys.json", emulator.root_url());
    let rsa = Verifier::builder()
        .public_keys(PublicKeys::fetch_async(&keys_url).unwrap())
        .build()
        .unwrap();
    let hmac = Verifier::builder()
        .policy(Policy::Hmac)
        .hmac_secret("org-hmac-secret")
        .build()
        .unwrap();
    let (rsa_url, rsa_seen) = start_service(rsa).await;
    let (hmac_url, hmac_seen) = start_service(hmac).await;
    let recorder = Receiver::start().await;
    let channels = [
        "content_types.entries.update",
        "assets.create",
        "content_types.create",
    ];
    let rsa_uid = api.create(webhook("RSA", &rsa_url, &channels)).await;
    let mut concise = webhook("RSA concise", &rsa_url, &channels);
    concise["concise_payload"] = json!(true);
    let concise_uid = api.create(concise).await;
    let hmac_uid = api.create(webhook("HMAC", &hmac_url, &channels)).await;
    api.create(webhook("Recorder", &recorder.url("/raw"), &channels))
        .await;
    let events = [
        entry_update("blog", "e1"),
        json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1", "file_size": "12"}}}),
        json!({"module": "content_type", "event": "create", "data": {"content_type": {"uid": "news", "title": "News"}}}),
        entry_update("news", "e2"),
    ];
    for event in &events {
        api.fire(event.clone()).await;
    }
    wait_for("every delivery", WAIT, || async {
        rsa_seen.lock().unwrap().len() == 8
            && hmac_seen.lock().unwrap().len() == 4
            && recorder.count() == 4
    })
    .await;
    settle(&emulator).await;

    // Every attempt got the service's 200: none was refused by the extractor.
    let mut recorded_channels = Vec::new();
    for uid in [&rsa_uid, &concise_uid, &hmac_uid] {
        let executions = api.executions(uid).await;
        assert_eq!(executions.len(), 4);
        for e in &executions {
            assert_eq!(e["status"], 200, "{e}");
            assert_eq!(e["retry_count"], 0, "{e}");
            recorded_channels.push(e["channel"].clone());
        }
    }
    // The service works out the same channels the emulator recorded.
    let mut computed: Vec<Value> = rsa_seen
        .lock()
        .unwrap()
        .iter()
        .chain(hmac_seen.lock().unwrap().iter())
        .map(|d| serde_json::to_value(d.event.channels()).unwrap())
        .collect();
    let sort = |v: &mut Vec<Value>| v.sort_by_key(|c| c.to_string());
    sort(&mut computed);
    sort(&mut recorded_channels);
    assert_eq!(computed, recorded_channels);
    for delivery in rsa_seen.lock().unwrap().iter() {
        assert!(delivery.verified.rsa.is_some());
    }
    for delivery in hmac_seen.lock().unwrap().iter() {
        assert_eq!(delivery.verified.hmac.as_ref().unwrap().secret_index, 0);
    }

    // A recorded delivery replayed as is passes (within the window; dedup is
    // the service's job); with one byte changed it is refused with 401.
    let raw = &recorder.got()[0];
    let mut headers = reqwest::header::HeaderMap::new();
    for name in [
        "content-type",
        "x-contentstack-request-signature",
        "x-contentstack-hmac-signature",
    ] {
        headers.insert(name, raw.headers[name].clone());
    }
    let mut tampered = raw.body.to_vec();
    let at = tampered.len() / 2;
    tampered[at] ^= 0x01;
    let http = common::client();
    for url in [&rsa_url, &hmac_url] {
        let replay = |body: Vec<u8>| http.post(url).headers(headers.clone()).body(body).send();
        let same = replay(raw.body.to_vec()).await.unwrap();
        assert_eq!(same.status(), 200, "{url}");
        let changed = replay(tampered.clone()).await.unwrap();
        assert_eq!(changed.status(), 401, "{url}");
        let message = changed.text().await.unwrap();
        assert!(message.contains("does not match"), "{message}");
    }
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn authentication_per_type_and_masked_secrets_stay() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    let basic = api
        .create(
            json!({"name": "Basic", "channels": ["assets.create"], "destinations": [{
            "target_url": receiver.url("/basic"), "authentication_type": "Basic",
            "http_basic_auth": "alice", "http_basic_password": "pa:ss w0rd"}]}),
        )
        .await;
    api.create(
        json!({"name": "Bearer", "channels": ["assets.create"], "destinations": [{
            "target_url": receiver.url("/bearer"), "authentication_type": "Bearer",
            "bearer_token": "tok-123"}]}),
    )
    .await;
    api.create(webhook("None", &receiver.url("/none"), &["assets.create"]))
        .await;
    let asset = json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}});
    api.fire(asset.clone()).await;
    wait_for("three deliveries", WAIT, || async { receiver.count() == 3 }).await;
    let expected_basic = format!("Basic {}", STANDARD.encode("alice:pa:ss w0rd"));
    assert_eq!(
        receiver.got_on("/basic")[0].header("authorization"),
        Some(expected_basic.as_str())
    );
    assert_eq!(
        receiver.got_on("/bearer")[0].header("authorization"),
        Some("Bearer tok-123")
    );
    assert_eq!(receiver.got_on("/none")[0].header("authorization"), None);
    settle(&emulator).await;

    // Records show the scheme, never the credential.
    let a = api.get(&format!("/webhooks/{basic}/executions")).await;
    assert_eq!(
        a.body["webhooks"][0]["event_headers"]["Authorization"],
        "Basic ********"
    );
    for path in [
        format!("/webhooks/{basic}/executions"),
        "/webhooks".to_owned(),
    ] {
        let raw = String::from_utf8_lossy(&api.get(&path).await.raw).into_owned();
        for secret in [
            "pa:ss w0rd",
            "tok-123",
            &STANDARD.encode("alice:pa:ss w0rd"),
        ] {
            assert!(!raw.contains(secret), "{path} leaks a secret");
        }
    }

    // Update as the JS SDK does (whole object, masked password): unchanged.
    let mut fetched = api.get(&format!("/webhooks/{basic}")).await.body["webhook"].clone();
    fetched["channels"] = json!(["assets.create", "assets.update"]);
    let a = api
        .put_json(&format!("/webhooks/{basic}"), &json!({"webhook": fetched}))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    api.fire(asset).await;
    wait_for("second round", WAIT, || async {
        receiver.got_on("/basic").len() == 2
    })
    .await;
    assert_eq!(
        receiver.got_on("/basic")[1].header("authorization"),
        Some(expected_basic.as_str())
    );
    settle(&emulator).await;
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn oauth2_token_is_fetched_once_reused_and_renewed_after_401() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let target = Receiver::start().await;
    let tokens = Receiver::start().await;
    tokens.script(&[
        (
            200,
            r#"{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}"#,
        ),
        (
            200,
            r#"{"access_token":"tok-2","token_type":"Bearer","expires_in":3600}"#,
        ),
    ]);
    let uid = api
        .create(
            json!({"name": "OAuth", "channels": ["assets.create"], "destinations": [{
            "target_url": target.url("/hook"), "authentication_type": "OAuth2",
            "access_token_url": tokens.url("/oauth/token"), "client_id": "client-a",
            "client_secret": "s e/cret", "request_query_parameters": "audience=emu&scope=hooks"}]}),
        )
        .await;
    let asset = json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}});
    for _ in 0..3 {
        api.fire(asset.clone()).await;
    }
    wait_for("three deliveries", WAIT, || async { target.count() == 3 }).await;
    settle(&emulator).await;
    assert_eq!(tokens.count(), 1, "the token is fetched once and reused");
    let fetch = &tokens.got()[0];
    assert_eq!(fetch.path, "/oauth/token");
    assert_eq!(fetch.query, "audience=emu&scope=hooks");
    assert_eq!(
        fetch.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        String::from_utf8_lossy(&fetch.body),
        "grant_type=client_credentials&client_id=client-a&client_secret=s+e%2Fcret"
    );
    for got in target.got() {
        assert_eq!(got.header("authorization"), Some("Bearer tok-1"));
    }

    // The destination refuses the token: a new one is fetched and the request resent.
    target.script(&[(401, "expired")]);
    api.fire(asset).await;
    wait_for("the resend", WAIT, || async { target.count() == 5 }).await;
    settle(&emulator).await;
    assert_eq!(tokens.count(), 2);
    let got = target.got();
    assert_eq!(got[3].header("authorization"), Some("Bearer tok-1"));
    assert_eq!(got[4].header("authorization"), Some("Bearer tok-2"));
    let executions = api.executions(&uid).await;
    assert_eq!(executions[0]["status"], 200);
    assert_eq!(
        executions[0]["event_headers"]["Authorization"],
        "Bearer ********"
    );

    // A token endpoint that fails makes the attempt fail with a clear code.
    tokens.default_status(500);
    let broken = api
        .create(
            json!({"name": "OAuth broken", "channels": ["assets.update"], "destinations": [{
            "target_url": target.url("/hook"), "authentication_type": "OAuth2",
            "access_token_url": tokens.url("/other"), "client_id": "c", "client_secret": "s"}]}),
        )
        .await;
    api.fire(json!({"module": "asset", "event": "update", "data": {"asset": {"uid": "a1"}}}))
        .await;
    settle(&emulator).await;
    let executions = api.executions(&broken).await;
    let response = &executions[0]["request_details"][0]["response"];
    assert_eq!(response["code"], "EOAUTH2");
    assert_eq!(response["statusCode"], Value::Null);
    assert!(!executions[0].to_string().contains("s e/cret"));
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn concise_and_full_payloads() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    api.create(webhook(
        "Full",
        &receiver.url("/full"),
        &["content_types.entries.update"],
    ))
    .await;
    let mut concise = webhook(
        "Concise",
        &receiver.url("/concise"),
        &["content_types.entries.update"],
    );
    concise["concise_payload"] = json!(true);
    api.create(concise).await;
    api.fire(entry_update("blog", "e9")).await;
    wait_for("two deliveries", WAIT, || async { receiver.count() == 2 }).await;
    let full = receiver.got_on("/full")[0].json();
    let short = receiver.got_on("/concise")[0].json();
    assert_eq!(full["data"]["entry"]["body"], "x");
    assert_eq!(full["data"]["content_type"]["schema"], json!([]));
    assert_eq!(
        short["data"]["entry"],
        json!({"uid": "e9", "title": "Hello", "locale": "en-us", "_version": 2})
    );
    assert_eq!(
        short["data"]["content_type"],
        json!({"uid": "blog", "title": "Blog"})
    );
    for key in ["module", "event", "api_key", "triggered_at"] {
        assert_eq!(full[key], short[key], "{key}");
    }
    let verifier = common::verifier(emulator.signing_key().public_key_pem(), Policy::Rsa, None);
    for got in receiver.got() {
        verifier.verify(&got.body, &got.headers).expect("verifies");
    }
    // Both payload variants type the same entry.
    let concise_event = Event::from_slice(&receiver.got_on("/concise")[0].body).unwrap();
    let full_event = Event::from_slice(&receiver.got_on("/full")[0].body).unwrap();
    assert_eq!(concise_event.channels(), full_event.channels());
    let (cs_webhooks_receiver::EventData::Entry(c), cs_webhooks_receiver::EventData::Entry(f)) =
        (&concise_event.data, &full_event.data)
    else {
        panic!("entry data");
    };
    assert_eq!(c.entry.as_ref().unwrap().uid, f.entry.as_ref().unwrap().uid);
    assert!(c.entry.as_ref().unwrap().fields.is_empty());
    assert_eq!(f.entry.as_ref().unwrap().fields["body"], "x");
    settle(&emulator).await;
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn channels_branches_and_disabled_decide_who_fires() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    api.create(webhook(
        "Any entry",
        &receiver.url("/any"),
        &["content_types.entries.update"],
    ))
    .await;
    api.create(webhook(
        "Blog only",
        &receiver.url("/blog"),
        &["content_types.blog.entries.update"],
    ))
    .await;
    api.create(webhook(
        "One entry",
        &receiver.url("/one"),
        &["content_types.blog.entries.e1.update"],
    ))
    .await;
    api.create(webhook(
        "Deletes",
        &receiver.url("/delete"),
        &["content_types.entries.delete"],
    ))
    .await;
    let mut off = webhook(
        "Disabled",
        &receiver.url("/off"),
        &["content_types.entries.update"],
    );
    off["disabled"] = json!(true);
    api.create(off).await;
    let mut dev = webhook(
        "Dev",
        &receiver.url("/dev"),
        &["content_types.entries.update", "branch.create.completed"],
    );
    dev["branches"] = json!(["dev"]);
    api.create(dev).await;

    let fired = api.fire(entry_update("blog", "e1")).await;
    assert_eq!(fired.body["executions"].as_array().unwrap().len(), 3);
    api.fire(entry_update("news", "e2")).await;
    let on_dev = api
        .send(
            api.req(Method::POST, "/_emulator/events")
                .header("branch", "dev")
                .header("content-type", "application/json")
                .body(entry_update("news", "e3").to_string()),
        )
        .await;
    assert_eq!(on_dev.status, 202);
    // A stack-level event ignores branch scoping.
    api.fire(
        json!({"module": "branch", "event": "create", "channel": "branch.create.completed",
        "data": {"branch": {"uid": "dev"}}}),
    )
    .await;
    wait_for("all deliveries", WAIT, || async { receiver.count() == 6 }).await;
    settle(&emulator).await;
    let paths = |p: &str| receiver.got_on(p).len();
    assert_eq!(paths("/any"), 2);
    assert_eq!(paths("/blog"), 1);
    assert_eq!(paths("/one"), 1);
    assert_eq!(paths("/delete"), 0);
    assert_eq!(paths("/off"), 0);
    assert_eq!(paths("/dev"), 2);
    let dev_entry = receiver.got_on("/dev")[0].json();
    assert_eq!(dev_entry["data"]["branch"]["uid"], "dev");
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn automatic_retries_record_every_attempt() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    receiver.default_status(503);
    let mut w = webhook("Retries", &receiver.url("/flaky"), &["assets.create"]);
    w["retry_policy"] = json!("automatic");
    let uid = api.create(w).await;
    api.fire(json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}}))
        .await;
    wait_for("five attempts", WAIT, || async { receiver.count() == 5 }).await;
    settle(&emulator).await;
    assert_eq!(receiver.count(), 5, "1 attempt + 4 retries, no more");
    let got = receiver.got();
    assert!(
        got.iter().all(|g| g.body == got[0].body),
        "every attempt sends the same bytes"
    );

    let executions = api.executions(&uid).await;
    assert_eq!(executions.len(), 1);
    let e = &executions[0];
    assert_eq!(e["status"], 503);
    assert_eq!(e["retry_count"], 4);
    let details = e["request_details"].as_array().unwrap();
    let numbers: Vec<i64> = details
        .iter()
        .map(|d| d["retry_number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [0, 1, 2, 3, 4]);
    for d in details {
        assert_eq!(d["response"]["statusCode"], 503);
        assert_eq!(d["response"]["code"], "ERR_BAD_RESPONSE");
        assert_eq!(
            d["response"]["message"],
            "Request failed with status code 503"
        );
        assert_eq!(d["request"]["method"], "POST");
        assert_eq!(d["request"]["uri"], receiver.url("/flaky"));
    }

    // Recovery on a retry ends the series.
    receiver.script(&[(500, ""), (500, "")]);
    receiver.default_status(200);
    api.fire(json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a2"}}}))
        .await;
    wait_for("three more attempts", WAIT, || async {
        receiver.count() == 8
    })
    .await;
    settle(&emulator).await;
    assert_eq!(receiver.count(), 8);
    let latest = &api.executions(&uid).await[0];
    assert_eq!(latest["status"], 200);
    assert_eq!(latest["retry_count"], 2);
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn network_errors_are_recorded_with_their_code() {
    let emulator = common::builder()
        .delivery_timeout(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let api = Api::new(&emulator);
    // A port with nothing listening.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    // A server that accepts and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let refused = api
        .create(webhook(
            "Refused",
            &format!("http://{closed}/"),
            &["assets.create"],
        ))
        .await;
    let slow = api
        .create(webhook(
            "Silent",
            &format!("http://{silent_addr}/"),
            &["assets.create"],
        ))
        .await;
    api.fire(json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}}))
        .await;
    settle(&emulator).await;
    for (uid, code) in [(refused, "ECONNREFUSED"), (slow, "ETIMEDOUT")] {
        let e = &api.executions(&uid).await[0];
        assert_eq!(e["status"], Value::Null, "{e}");
        let response = &e["request_details"][0]["response"];
        assert_eq!(response["code"], code, "{response}");
        assert_eq!(response["statusCode"], Value::Null);
        assert_eq!(response["body"], Value::Null);
    }
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn circuit_breaker_disables_after_ten_consecutive_failures() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    receiver.default_status(500);
    let uid = api
        .create(webhook("Breaker", &receiver.url("/x"), &["assets.create"]))
        .await;
    let event = json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}});
    for i in 1..=12 {
        api.fire(event.clone()).await;
        settle(&emulator).await;
        let expected = i.min(10);
        assert_eq!(receiver.count(), expected, "after event {i}");
    }
    let w = api.get(&format!("/webhooks/{uid}")).await.body["webhook"].clone();
    assert_eq!(w["disabled"], true);
    assert_eq!(w["unhealthy"], json!({"state": true}));

    // A success in between resets the count; re-enabling clears the state.
    let mut enabled = w.clone();
    enabled["disabled"] = json!(false);
    let a = api
        .put_json(&format!("/webhooks/{uid}"), &json!({"webhook": enabled}))
        .await;
    assert_eq!(a.body["webhook"]["unhealthy"], json!({"state": false}));
    receiver.default_status(200);
    api.fire(event.clone()).await;
    settle(&emulator).await;
    assert_eq!(receiver.count(), 11);
    receiver.default_status(500);
    for _ in 0..9 {
        api.fire(event.clone()).await;
        settle(&emulator).await;
    }
    let w = api.get(&format!("/webhooks/{uid}")).await.body["webhook"].clone();
    assert_eq!(
        w["disabled"], false,
        "nine failures after a success do not trip it"
    );
    emulator.shutdown().await.unwrap();
}

#[tokio::test]
async fn only_loopback_targets_unless_allowed() {
    let emulator = start().await;
    let api = Api::new(&emulator);
    let receiver = Receiver::start().await;
    let port = receiver.addr.port();
    // A hostname that resolves to loopback is fine.
    let uid = api
        .create(webhook(
            "Localhost",
            &format!("http://localhost:{port}/ok"),
            &["assets.create"],
        ))
        .await;
    // A redirect to another host is not followed.
    let redirected = api
        .create(webhook(
            "Redirect",
            &receiver.url("/redirect"),
            &["assets.update"],
        ))
        .await;
    api.fire(json!({"module": "asset", "event": "create", "data": {"asset": {"uid": "a1"}}}))
        .await;
    settle(&emulator).await;
    assert_eq!(api.executions(&uid).await[0]["status"], 200);
    receiver.script(&[(307, "http://192.0.2.1/elsewhere")]);
    api.fire(json!({"module": "asset", "event": "update", "data": {"asset": {"uid": "a1"}}}))
        .await;
    settle(&emulator).await;
    let e = &api.executions(&redirected).await[0];
    assert_eq!(
        e["request_details"][0]["response"]["code"], "EBLOCKED",
        "{e}"
    );
    emulator.shutdown().await.unwrap();

    let open = common::builder()
        .allow_remote_targets(true)
        .start()
        .await
        .unwrap();
    let api = Api::new(&open);
    api.create(webhook(
        "Remote",
        "https://example.com/hook",
        &["assets.create"],
    ))
    .await;
    open.shutdown().await.unwrap();
}
