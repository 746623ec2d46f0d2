//! The public key source: caching, re-fetching on a failed signature (key
//! rotation) at most once per interval, fetch failures, and the project's
//! blocking and async transports against a real key server on 127.0.0.1.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::TimeDelta;
use cs_webhooks_receiver::testing::TestSigner;
use cs_webhooks_receiver::{KeyError, PublicKeys, Scheme, Verifier, VerifyError};
use support::{entry_body, now, other_signer};

/// A fetch function serving whatever document `served` holds, counting calls.
struct FakeKeyServer {
    served: Arc<Mutex<Result<Vec<u8>, String>>>,
    calls: Arc<AtomicUsize>,
}

impl FakeKeyServer {
    fn new(signer: &TestSigner) -> Self {
        FakeKeyServer {
            served: Arc::new(Mutex::new(Ok(signer.public_keys_document()))),
            calls: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn keys(&self, interval: Duration) -> PublicKeys {
        let served = Arc::clone(&self.served);
        let calls = Arc::clone(&self.calls);
        PublicKeys::fetch_with(
            "https://keys.example/.well-known/public-keys.json",
            move |url| {
                assert_eq!(url, "https://keys.example/.well-known/public-keys.json");
                calls.fetch_add(1, Ordering::SeqCst);
                served.lock().unwrap().clone()
            },
        )
        .refresh_interval(interval)
    }

    fn serve(&self, document: Result<Vec<u8>, String>) {
        *self.served.lock().unwrap() = document;
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

fn verifier(keys: PublicKeys) -> Verifier {
    Verifier::builder().public_keys(keys).build().unwrap()
}

#[test]
fn fetched_once_then_cached() {
    let signer = TestSigner::new();
    let server = FakeKeyServer::new(&signer);
    let v = verifier(server.keys(Duration::from_secs(60)));
    assert!(
        v.public_keys().unwrap().current().is_none(),
        "nothing fetched before use"
    );
    let body = entry_body(now());
    for _ in 0..3 {
        v.verify_at(&body, &signer.headers(&body), now()).unwrap();
    }
    assert_eq!(server.calls(), 1);
    assert_eq!(
        v.public_keys().unwrap().current().unwrap().as_ref(),
        signer.public_key()
    );
}

#[test]
fn rotation_refetches_once_per_interval_before_rejecting() {
    let old = TestSigner::new();
    let new = other_signer();
    let server = FakeKeyServer::new(&old);
    let v = verifier(server.keys(Duration::from_secs(60)));
    let body = entry_body(now());
    v.verify_at(&body, &old.headers(&body), now()).unwrap();
    assert_eq!(server.calls(), 1);

    // Contentstack rotates: the new key signs, the document serves the new key.
    server.serve(Ok(new.public_keys_document()));
    let t1 = now() + TimeDelta::try_seconds(61).unwrap();
    v.verify_at(&body, &new.headers(&body), t1).unwrap();
    assert_eq!(server.calls(), 2, "one re-fetch, then it verifies");

    // Forged signatures trigger at most one fetch per interval.
    let forged = other_signer_headers_for_unknown_key(&body);
    let invalid = Err(VerifyError::InvalidSignature {
        scheme: Scheme::Rsa,
    });
    for s in 0..10 {
        let t = t1 + TimeDelta::try_seconds(s).unwrap();
        assert_eq!(v.verify_at(&body, &forged, t), invalid);
    }
    assert_eq!(server.calls(), 2, "within the interval of the last fetch");
    let t2 = t1 + TimeDelta::try_seconds(60).unwrap();
    assert_eq!(v.verify_at(&body, &forged, t2), invalid);
    assert_eq!(server.calls(), 3, "one more after the interval");
    // Still verifies with the current key, no fetch.
    v.verify_at(&body, &new.headers(&body), t2).unwrap();
    assert_eq!(server.calls(), 3);
}

/// Headers signed by a key no server knows (a tampered signature).
fn other_signer_headers_for_unknown_key(body: &[u8]) -> http::HeaderMap {
    let mut headers = TestSigner::new().headers(body);
    let value = headers
        .get("x-contentstack-request-signature")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    // Flip one base64 character of the signature.
    let flipped = if value.as_bytes()[10] == b'A' {
        "B"
    } else {
        "A"
    };
    let forged = format!("{}{flipped}{}", &value[..10], &value[11..]);
    headers.insert("x-contentstack-request-signature", forged.parse().unwrap());
    headers
}

#[test]
fn fetch_failures_are_reported_and_rate_limited() {
    let signer = TestSigner::new();
    let server = FakeKeyServer::new(&signer);
    server.serve(Err("connection refused".into()));
    let v = verifier(server.keys(Duration::from_secs(30)));
    let body = entry_body(now());
    let headers = signer.headers(&body);
    match v.verify_at(&body, &headers, now()) {
        Err(VerifyError::KeyUnavailable(KeyError::Fetch(e))) => {
            assert_eq!(e.to_string(), "connection refused");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        v.verify_at(&body, &headers, now())
            .unwrap_err()
            .is_key_unavailable()
    );
    // No fetch within the interval: no key, no verification.
    assert_eq!(
        v.verify_at(&body, &headers, now()),
        Err(VerifyError::NoKey {
            scheme: Scheme::Rsa
        })
    );
    assert_eq!(server.calls(), 1);

    server.serve(Ok(b"{\"other\": 1}".to_vec()));
    let later = now() + TimeDelta::try_seconds(30).unwrap();
    assert!(matches!(
        v.verify_at(&body, &headers, later),
        Err(VerifyError::KeyUnavailable(KeyError::Document(_)))
    ));
    server.serve(Ok(signer.public_keys_document()));
    let later = later + TimeDelta::try_seconds(30).unwrap();
    assert!(v.verify_at(&body, &headers, later).is_ok());
    assert_eq!(server.calls(), 3);
}

#[test]
fn a_given_pem_never_fetches() {
    let keys = PublicKeys::from_pem(TestSigner::new().public_key_pem()).unwrap();
    assert_eq!(keys.url(), None);
    assert!(keys.refresh_now(now()).is_ok());
    let v = verifier(keys);
    let body = entry_body(now());
    let forged = other_signer().headers(&body);
    assert!(matches!(
        v.verify_at(&body, &forged, now()),
        Err(VerifyError::InvalidSignature { .. })
    ));
}

#[test]
fn documents_are_checked() {
    let keys = PublicKeys::from_pem(TestSigner::new().public_key_pem()).unwrap();
    for (doc, what) in [
        (&b"not json"[..], "Document"),
        (br#"{"signing-key": 5}"#, "Document"),
        (br#"{"signing-key": "nope"}"#, "Pem"),
        (
            br#"{"signing-key": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}"#,
            "Label",
        ),
    ] {
        let err = keys.load_document(doc).unwrap_err();
        assert!(format!("{err:?}").starts_with(what), "{err:?}");
    }
    let other = other_signer();
    let loaded = keys.load_document(&other.public_keys_document()).unwrap();
    assert_eq!(loaded.as_ref(), other.public_key());
    assert_eq!(loaded.bits(), 2048);
    assert_eq!(loaded.signature_len(), 256);
}

#[tokio::test]
async fn async_fetcher_is_awaited() {
    let signer = TestSigner::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let document = signer.public_keys_document();
    let keys = PublicKeys::fetch_with_async("https://keys.example/doc", move |url: String| {
        counter.fetch_add(1, Ordering::SeqCst);
        let document = document.clone();
        async move {
            tokio::task::yield_now().await;
            assert_eq!(url, "https://keys.example/doc");
            Ok::<_, String>(document)
        }
    });
    let v = verifier(keys);
    let body = entry_body(now());
    let headers = signer.headers(&body);
    // The blocking entry point cannot run an async fetcher: no key.
    assert_eq!(
        v.verify_at(&body, &headers, now()),
        Err(VerifyError::NoKey {
            scheme: Scheme::Rsa
        })
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    v.verify_async_at(&body, &headers, now()).await.unwrap();
    v.verify_async_at(&body, &headers, now()).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(v.verify_at(&body, &headers, now()).is_ok(), "cached now");
}

#[test]
fn concurrent_first_deliveries_share_one_blocking_fetch() {
    let signer = TestSigner::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let document = signer.public_keys_document();
    let keys = PublicKeys::fetch_with("https://keys.example/doc", move |_url: &str| {
        counter.fetch_add(1, Ordering::SeqCst);
        // A slow key host keeps the fetch in flight while the others arrive.
        std::thread::sleep(Duration::from_millis(100));
        Ok::<_, String>(document.clone())
    });
    let v = verifier(keys);
    let body = entry_body(now());
    let headers = signer.headers(&body);
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|_| scope.spawn(|| v.verify_at(&body, &headers, now())))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for result in results {
        assert!(result.is_ok(), "{result:?}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn concurrent_first_deliveries_share_one_async_fetch() {
    let signer = TestSigner::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let document = signer.public_keys_document();
    let keys = PublicKeys::fetch_with_async("https://keys.example/doc", move |_url: String| {
        counter.fetch_add(1, Ordering::SeqCst);
        let document = document.clone();
        async move {
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            Ok::<_, String>(document)
        }
    });
    let v = verifier(keys);
    let body = entry_body(now());
    let headers = signer.headers(&body);
    let results =
        futures_util::future::join_all((0..6).map(|_| v.verify_async_at(&body, &headers, now())))
            .await;
    for result in results {
        assert!(result.is_ok(), "{result:?}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// A one-thread HTTP/1.1 server on 127.0.0.1 answering every GET with `body`
/// (status 200) or 404 for other paths; returns its URL and a request counter.
fn key_server(body: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/.well-known/public-keys.json",
        listener.local_addr().unwrap()
    );
    let count = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            counter.fetch_add(1, Ordering::SeqCst);
            let (status, payload) =
                if request_line.starts_with("GET /.well-known/public-keys.json ") {
                    ("200 OK", body.as_slice())
                } else {
                    ("404 Not Found", &b"missing"[..])
                };
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                payload.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(payload);
        }
    });
    (url, count)
}

#[test]
fn blocking_transport_fetches_from_a_real_server() {
    let signer = TestSigner::new();
    let (url, served) = key_server(signer.public_keys_document());
    let v = verifier(PublicKeys::fetch_blocking(&url).unwrap());
    let body = entry_body(now());
    v.verify_at(&body, &signer.headers(&body), now()).unwrap();
    assert_eq!(served.load(Ordering::SeqCst), 1);

    let missing = url.replace("public-keys.json", "nothing.json");
    let keys = PublicKeys::fetch_blocking(missing).unwrap();
    let err = keys.refresh_now(now()).unwrap_err().to_string();
    assert!(err.contains("404"), "{err}");
}

#[tokio::test]
async fn async_transport_fetches_from_a_real_server() {
    let signer = TestSigner::new();
    let (url, served) = key_server(signer.public_keys_document());
    let v = verifier(PublicKeys::fetch_async(&url).unwrap());
    let body = entry_body(now());
    v.verify_async_at(&body, &signer.headers(&body), now())
        .await
        .unwrap();
    assert_eq!(served.load(Ordering::SeqCst), 1);
}
