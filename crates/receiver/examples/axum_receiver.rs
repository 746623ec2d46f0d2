//! A webhook receiver on axum: every delivery is verified (RSA-PSS, and HMAC
//! too when a secret is given) before the handler runs; the handler prints
//! the event and the channels it matched.
//!
//! Against the local emulator (see the README, "Receiving webhooks"):
//!
//! ```sh
//! cargo run -p cs-webhooks-receiver --features axum,async --example axum_receiver -- \
//!   --keys http://127.0.0.1:4010/.well-known/public-keys.json --hmac-secret org-secret
//! ```
//!
//! Flags: `--listen ADDR` (default 127.0.0.1:9000), `--keys URL` (the public
//! keys document; default the emulator's; for Contentstack use your region's,
//! e.g. `https://eu-app.contentstack.com/.well-known/public-keys.json`),
//! `--hmac-secret SECRET` (repeatable: old and new during a rotation).

use std::error::Error;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use cs_webhooks_receiver::{EventData, Policy, PublicKeys, VerifiedEvent, Verifier};

/// Runs only for verified deliveries: the extractor answers 401, 400 or 503 otherwise.
async fn hook(delivery: VerifiedEvent) -> StatusCode {
    let event = &delivery.event;
    let branch = event
        .data
        .branch()
        .and_then(|b| b.uid.as_deref())
        .unwrap_or("-");
    let title = match &event.data {
        EventData::Entry(d) => d.entry.as_ref().and_then(|e| e.title.clone()),
        EventData::Asset(d) => d.asset.as_ref().and_then(|a| a.filename.clone()),
        _ => None,
    };
    println!(
        "{} {} on branch {branch} ({}): rsa={} hmac={}",
        event.module,
        event.event,
        title.as_deref().unwrap_or("untitled"),
        delivery.verified.rsa.is_some(),
        delivery.verified.hmac.is_some(),
    );
    for channel in event.channels() {
        println!("  matches {channel}");
    }
    StatusCode::OK
}

struct Args {
    listen: String,
    keys: String,
    hmac_secrets: Vec<String>,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        listen: "127.0.0.1:9000".to_owned(),
        keys: "http://127.0.0.1:4010/.well-known/public-keys.json".to_owned(),
        hmac_secrets: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--listen" => args.listen = value,
            "--keys" => args.keys = value,
            "--hmac-secret" => args.hmac_secrets.push(value),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args = args()?;
    let keys = PublicKeys::fetch_async(&args.keys)?;
    // Fetch once now so a wrong URL fails at start-up, not on the first delivery.
    keys.refresh_now_async(chrono::Utc::now()).await?;
    let mut verifier = Verifier::builder().public_keys(keys);
    if !args.hmac_secrets.is_empty() {
        verifier = verifier.policy(Policy::Both);
        for secret in &args.hmac_secrets {
            verifier = verifier.hmac_secret(secret);
        }
    }
    let verifier = verifier.build()?;

    let app = Router::new()
        .route("/hook", post(hook))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    println!(
        "receiving webhooks on http://{}/hook",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
