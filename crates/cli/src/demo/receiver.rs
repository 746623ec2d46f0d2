//! The demo's destination: a local HTTP server that verifies every delivery
//! (RSA and HMAC) and records it; its `/flaky` route answers 500 until told
//! to recover, so the emulator has something to retry.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use cs_webhooks_receiver::Verifier;

/// The route that fails until [`Deliveries::recover`] is called.
pub const FLAKY_ROUTE: &str = "flaky";

/// One delivery as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The route it was sent to (`healthy` or `flaky`).
    pub route: String,
    /// When it arrived.
    pub at: Instant,
    /// `module.event`, when the delivery verified and parsed.
    pub event: Option<String>,
    /// The channels the event matches.
    pub channels: Vec<String>,
    /// Whether the RSA signature verified.
    pub rsa: bool,
    /// Whether the HMAC signature verified.
    pub hmac: bool,
    /// Why verification failed, if it did.
    pub rejected: Option<String>,
    /// The status the receiver answered with.
    pub answered: u16,
}

/// What the receiver has seen, shared with the demo's main thread.
pub struct Deliveries {
    verifier: Verifier,
    failing: AtomicBool,
    log: Mutex<Vec<Delivery>>,
}

impl Deliveries {
    /// Every delivery so far, oldest first.
    pub fn all(&self) -> Vec<Delivery> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The deliveries sent to `route`, oldest first.
    pub fn to_route(&self, route: &str) -> Vec<Delivery> {
        self.all()
            .into_iter()
            .filter(|d| d.route == route)
            .collect()
    }

    /// From now on the flaky route answers 200.
    pub fn recover(&self) {
        self.failing.store(false, Ordering::SeqCst);
    }
}

/// Starts the receiver on a free loopback port, on the current tokio runtime.
pub async fn start(verifier: Verifier) -> std::io::Result<(Arc<Deliveries>, SocketAddr)> {
    let state = Arc::new(Deliveries {
        verifier,
        failing: AtomicBool::new(true),
        log: Mutex::new(Vec::new()),
    });
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/{route}", post(hook))
        .with_state(Arc::clone(&state));
    tokio::spawn(async move {
        // The server runs until the runtime is dropped at the end of the demo.
        let _ = axum::serve(listener, app).await;
    });
    Ok((state, addr))
}

async fn hook(
    State(state): State<Arc<Deliveries>>,
    Path(route): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let received = state
        .verifier
        .receive_at(&body, &headers, chrono::Utc::now());
    let failing = route == FLAKY_ROUTE && state.failing.load(Ordering::SeqCst);
    let answered = match &received {
        Err(e) => e.status(),
        Ok(_) if failing => StatusCode::INTERNAL_SERVER_ERROR,
        Ok(_) => StatusCode::OK,
    };
    let delivery = match received {
        Ok(ok) => Delivery {
            route,
            at: Instant::now(),
            event: Some(format!("{}.{}", ok.event.module, ok.event.event)),
            channels: ok.event.channels().iter().map(|c| c.to_string()).collect(),
            rsa: ok.verified.rsa.is_some(),
            hmac: ok.verified.hmac.is_some(),
            rejected: None,
            answered: answered.as_u16(),
        },
        Err(e) => Delivery {
            route,
            at: Instant::now(),
            event: None,
            channels: Vec::new(),
            rsa: false,
            hmac: false,
            rejected: Some(e.to_string()),
            answered: answered.as_u16(),
        },
    };
    state
        .log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(delivery);
    answered
}
