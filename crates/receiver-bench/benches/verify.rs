//! Verifications per second over a 2 KB delivery body, side by side in one run:
//!
//! - `rsa-pss/receiver`: `Verifier::verify` with the RSA policy (ring, replay check on);
//! - `rsa-pss/rsa-crate`: the same signature checked with the `rsa` crate (the
//!   alternative this crate did not choose; no replay check);
//! - `hmac/receiver`: `Verifier::verify` with the HMAC policy (header parse,
//!   HMAC-SHA256, constant-time compare, replay check);
//! - `hmac/svix`: the `svix` crate's `Webhook::verify` of the same body.
//!
//! Run: `cargo bench -p cs-webhooks-receiver-bench --features svix --bench verify`
//! (the `svix` feature keeps svix's dependency tree out of every other build).

use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cs_webhooks_receiver::testing::{TestSigner, hmac_signature};
use cs_webhooks_receiver::{Policy, Verifier};
use http::{HeaderMap, HeaderValue};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::signature::Verifier as _;
use serde_json::json;

/// An entry update padded to 2048 bytes, triggered now.
fn body(signer: &TestSigner) -> Vec<u8> {
    let make = |pad: usize| {
        signer.event_body(
            "entry",
            "update",
            Utc::now(),
            json!({
                "entry": {"uid": "blt0000000000000001", "title": "Hello", "locale": "en-us",
                          "_version": 2, "body": "x".repeat(pad)},
                "content_type": {"uid": "blog", "title": "Blog"},
                "branch": {"uid": "main", "source": "", "alias": []}
            }),
        )
    };
    let base = make(0).len();
    let body = make(2048 - base);
    assert_eq!(body.len(), 2048);
    body
}

fn bench(c: &mut Criterion) {
    let signer = TestSigner::new();
    let body = body(&signer);

    let mut group = c.benchmark_group("rsa-pss");
    group.throughput(Throughput::Elements(1));
    let rsa = Verifier::builder()
        .public_keys(signer.public_keys())
        .build()
        .unwrap();
    let headers = signer.headers(&body);
    assert!(rsa.verify(&body, &headers).is_ok());
    group.bench_function("receiver", |b| {
        b.iter(|| rsa.verify(&body, &headers).is_ok())
    });
    let key = rsa::RsaPublicKey::from_pkcs1_pem(signer.public_key_pem()).unwrap();
    let other = rsa::pss::VerifyingKey::<sha2::Sha256>::new(key);
    let signature = rsa::pss::Signature::try_from(signer.signature(&body).as_slice()).unwrap();
    assert!(other.verify(&body, &signature).is_ok());
    group.bench_function("rsa-crate", |b| {
        b.iter(|| other.verify(&body, &signature).is_ok())
    });
    group.finish();

    let mut group = c.benchmark_group("hmac");
    group.throughput(Throughput::Elements(1));
    let secret = "org-hmac-secret-0123456789";
    let hmac = Verifier::builder()
        .policy(Policy::Hmac)
        .hmac_secret(secret)
        .build()
        .unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-contentstack-hmac-signature",
        HeaderValue::from_str(&hmac_signature(secret, Utc::now().timestamp(), &body)).unwrap(),
    );
    assert!(hmac.verify(&body, &headers).is_ok());
    group.bench_function("receiver", |b| {
        b.iter(|| hmac.verify(&body, &headers).is_ok())
    });

    // svix secrets are `whsec_<base64>`; the same key bytes as ours.
    use base64::Engine as _;
    let svix_secret = format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(secret)
    );
    let webhook = svix::webhooks::Webhook::new(&svix_secret).unwrap();
    let timestamp = Utc::now().timestamp();
    let signature = webhook.sign("msg_1", timestamp, &body).unwrap();
    let mut svix_headers = HeaderMap::new();
    svix_headers.insert("svix-id", HeaderValue::from_static("msg_1"));
    svix_headers.insert("svix-timestamp", HeaderValue::from(timestamp));
    svix_headers.insert("svix-signature", HeaderValue::from_str(&signature).unwrap());
    assert!(webhook.verify(&body, &svix_headers).is_ok());
    group.bench_function("svix", |b| {
        b.iter(|| webhook.verify(&body, &svix_headers).is_ok())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
