//! `cs-webhooks listen`: a local receiver that verifies every delivery,
//! prints one line per delivery, answers 401 to a forged or altered one, and
//! can forward verified deliveries to the user's own app.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use cs_webhooks_receiver::{Policy, PublicKeys, VerifiedEvent, Verifier};
use serde_json::json;

use crate::failure::Failure;
use crate::output;

/// `listen` flags.
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// The port to listen on (127.0.0.1 only).
    #[arg(long)]
    pub port: u16,
    /// Also require the HMAC signature with this secret (repeatable, for rotations).
    #[arg(long, value_name = "SECRET")]
    pub hmac_secret: Vec<String>,
    /// The RSA public key: a public-keys.json URL, or a file (that document or a PEM).
    #[arg(long, value_name = "URL|FILE")]
    pub public_key: Option<String>,
    /// Pass verified deliveries to this URL with their original headers.
    #[arg(long, value_name = "URL")]
    pub forward_to: Option<String>,
    /// How each delivery is printed.
    #[arg(long, value_enum, default_value_t = LineFormat::Text)]
    pub format: LineFormat,
}

/// The `listen --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LineFormat {
    /// `time  module.event  channels  verified=...  → forwarded 200`.
    Text,
    /// One JSON object a line.
    Json,
}

struct Listener {
    verifier: Verifier,
    forward_to: Option<String>,
    format: LineFormat,
    agent: ureq::Agent,
}

/// Runs `listen` until interrupted.
pub fn run(args: &ListenArgs) -> Result<(), Failure> {
    let verifier = verifier(args)?;
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Failure::Other(format!("cannot start the runtime: {e}")))?;
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let socket = runtime
        .block_on(tokio::net::TcpListener::bind(addr))
        .map_err(|e| Failure::Other(format!("cannot listen on {addr}: {e}")))?;
    let state = Arc::new(Listener {
        verifier,
        forward_to: args.forward_to.clone(),
        format: args.format,
        agent: ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .new_agent(),
    });
    let app = Router::new().fallback(receive).with_state(state);
    eprintln!(
        "cs-webhooks listen: ready on http://{addr}/ (policy {:?}{})",
        policy(args),
        args.forward_to
            .as_deref()
            .map(|u| format!(", forwarding to {u}"))
            .unwrap_or_default()
    );
    runtime
        .block_on(async {
            axum::serve(socket, app)
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
        })
        .map_err(|e| Failure::Other(format!("the listener stopped: {e}")))
}

fn policy(args: &ListenArgs) -> Policy {
    match (args.public_key.is_some(), args.hmac_secret.is_empty()) {
        (true, false) => Policy::Both,
        (false, false) => Policy::Hmac,
        _ => Policy::Rsa,
    }
}

fn verifier(args: &ListenArgs) -> Result<Verifier, Failure> {
    if args.public_key.is_none() && args.hmac_secret.is_empty() {
        return Err(Failure::Usage(
            "listen needs --public-key (URL or file) and/or --hmac-secret to verify deliveries"
                .into(),
        ));
    }
    let mut builder = Verifier::builder().policy(policy(args));
    if let Some(source) = &args.public_key {
        builder = builder.public_keys(public_keys(source)?);
    }
    for secret in &args.hmac_secret {
        builder = builder.hmac_secret(secret);
    }
    builder
        .build()
        .map_err(|e| Failure::Usage(format!("the verifier: {e}")))
}

/// The key from a URL (fetched now, so a wrong URL fails at start) or a file.
fn public_keys(source: &str) -> Result<PublicKeys, Failure> {
    let bytes = if source.starts_with("http://") || source.starts_with("https://") {
        let mut response = ureq::get(source)
            .call()
            .map_err(|e| Failure::Other(format!("fetching the public key from {source}: {e}")))?;
        response
            .body_mut()
            .read_to_vec()
            .map_err(|e| Failure::Other(format!("reading the public key from {source}: {e}")))?
    } else {
        std::fs::read(Path::new(source))
            .map_err(|e| Failure::Usage(format!("reading the public key {source}: {e}")))?
    };
    let text = String::from_utf8_lossy(&bytes);
    let bad = |e: cs_webhooks_receiver::KeyError| {
        Failure::Usage(format!("{source} holds no usable public key: {e}"))
    };
    if text.trim_start().starts_with("-----BEGIN") {
        return PublicKeys::from_pem(&text).map_err(bad);
    }
    let document: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Failure::Usage(format!("{source} is neither a PEM nor JSON: {e}")))?;
    let pem = document["signing-key"].as_str().ok_or_else(|| {
        Failure::Usage(format!(
            "{source} has no \"signing-key\" (a PEM public key)"
        ))
    })?;
    PublicKeys::from_pem(pem).map_err(bad)
}

async fn receive(
    State(state): State<Arc<Listener>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    // Verification may refetch a key and forwarding is blocking I/O.
    tokio::task::spawn_blocking(move || handle(&state, &headers, &body))
        .await
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn handle(state: &Listener, headers: &HeaderMap, body: &[u8]) -> StatusCode {
    let now = chrono::Utc::now();
    let time = now.format("%H:%M:%S%.3f").to_string();
    let delivery = match state.verifier.receive_at(body, headers, now) {
        Ok(delivery) => delivery,
        Err(e) => {
            let status = e.status();
            print_line(
                state.format,
                &format!("{time}  rejected  {e}  → {}", status.as_u16()),
                json!({"time": time, "verified": false, "error": e.to_string(), "status": status.as_u16()}),
            );
            return status;
        }
    };
    let (status, forwarded) = match &state.forward_to {
        Some(url) => match forward(state, url, headers, body) {
            Ok(code) => (
                StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY),
                Some(Ok(code)),
            ),
            Err(e) => (StatusCode::BAD_GATEWAY, Some(Err(e))),
        },
        None => (StatusCode::OK, None),
    };
    print_delivery(state.format, &time, &delivery, forwarded);
    status
}

fn print_delivery(
    format: LineFormat,
    time: &str,
    delivery: &VerifiedEvent,
    forwarded: Option<Result<u16, String>>,
) {
    let event = format!("{}.{}", delivery.event.module, delivery.event.event);
    let channels: Vec<String> = delivery
        .event
        .channels()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let verified: Vec<&str> = [
        delivery.verified.rsa.as_ref().map(|_| "rsa"),
        delivery.verified.hmac.as_ref().map(|_| "hmac"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let forward_text = match &forwarded {
        Some(Ok(code)) => format!("  → forwarded {code}"),
        Some(Err(e)) => format!("  → forward failed: {e}"),
        None => String::new(),
    };
    let forward_json = match forwarded {
        Some(Ok(code)) => json!(code),
        Some(Err(e)) => json!(e),
        None => serde_json::Value::Null,
    };
    print_line(
        format,
        &format!(
            "{time}  {event}  {}  verified={}{forward_text}",
            channels.join(" "),
            verified.join(",")
        ),
        json!({"time": time, "event": event, "channels": channels,
               "verified": verified, "forwarded": forward_json}),
    );
}

fn print_line(format: LineFormat, text: &str, value: serde_json::Value) {
    let line = match format {
        LineFormat::Text => text.to_owned(),
        LineFormat::Json => value.to_string(),
    };
    if let Err(e) = output::line(&line) {
        e.report();
    }
}

/// Sends the delivery on with its original headers; the answer's status.
fn forward(state: &Listener, url: &str, headers: &HeaderMap, body: &[u8]) -> Result<u16, String> {
    let mut request = state.agent.post(url);
    for (name, value) in headers {
        if matches!(name.as_str(), "host" | "content-length" | "connection") {
            continue;
        }
        request = request.header(name.as_str(), value.as_bytes());
    }
    request
        .send(body)
        .map(|response| response.status().as_u16())
        .map_err(|e| e.to_string())
}
