//! The emulator's own routes: fire an event, the public signing key, an index.

use std::collections::HashSet;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cs_webhooks_model::from_json_value;
use serde_json::{Value, json};

use super::auth::{Caller, authenticate};
use super::error::{ApiError, code};
use super::{BodyErrors, exact_json_body};
use crate::delivery::identity;
use crate::events::{self, EventRequest};
use crate::exact_numbers::{self, ExactJson};
use crate::fixtures::{self, TriggerRequest};
use crate::ids;
use crate::state::Shared;
use crate::store::NewExecution;
use crate::webhook_doc::in_branch;

const EVENT: BodyErrors = BodyErrors {
    code: code::EVENT_FAILED,
    message: "The event could not be fired.",
};

/// `POST /_emulator/events`: fires an event in the caller's stack and queues
/// a delivery for every matching, enabled webhook destination.
pub async fn fire(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let body = exact_json_body(&headers, body, EVENT)?;
    let req: EventRequest = parse(body)?;
    let answer = fire_event(&state, caller, &req).await?;
    Ok((StatusCode::ACCEPTED, ExactJson(answer)).into_response())
}

/// `POST /_emulator/trigger`: fires a fixture (a realistic event of a
/// module), with the caller's overrides, as `POST /_emulator/events` would.
pub async fn trigger(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let body = exact_json_body(&headers, body, EVENT)?;
    let trigger: TriggerRequest = parse(body)?;
    let fixture = trigger.event.clone();
    let req = fixtures::event_request(trigger).map_err(|e| EVENT.error_fields(e))?;
    let mut answer = fire_event(&state, caller, &req).await?;
    if let Some(answer) = answer.as_object_mut() {
        answer.insert("fixture".into(), Value::String(fixture));
    }
    Ok((StatusCode::ACCEPTED, ExactJson(answer)).into_response())
}

/// The body as `T`, or 422 naming the field that does not fit.
fn parse<T: serde::de::DeserializeOwned>(body: Value) -> Result<T, ApiError> {
    from_json_value(body).map_err(|e| {
        let field = if e.path.is_empty() {
            "body"
        } else {
            e.path.as_str()
        };
        EVENT.error(field, e.message.clone())
    })
}

/// Queues a delivery of `req` for every matching, enabled webhook
/// destination of the caller's stack; the answer describes what was queued.
async fn fire_event(
    state: &Shared,
    caller: Caller<'_>,
    req: &EventRequest,
) -> Result<Value, ApiError> {
    let branch = match req.branch.as_deref() {
        Some(b) if !caller.stack.branches.iter().any(|known| known == b) => {
            return Err(ApiError::branch());
        }
        Some(b) => b.to_owned(),
        None => caller.branch.to_owned(),
    };
    let channels = events::matched_channels(req).map_err(|e| EVENT.error_fields(e))?;
    let names: HashSet<&str> = channels.iter().map(|c| c.as_str()).collect();
    let stack_level = events::is_stack_level(&req.module);
    let matched: Vec<_> = state
        .store
        .webhooks_of(&caller.stack.api_key)
        .into_iter()
        .filter(|w| w.webhook.disabled != Some(true))
        .filter(|w| stack_level || in_branch(&w.webhook, &branch))
        .filter(|w| {
            w.webhook
                .channels
                .iter()
                .any(|c| names.contains(c.as_str()))
        })
        .collect();

    let now = ids::now();
    let payloads = events::payloads(req, &caller.stack.api_key, &branch, now)
        .map_err(|_| ApiError::internal())?;
    let needs_full = matched
        .iter()
        .any(|w| w.webhook.concise_payload != Some(true));
    let needs_concise = matched
        .iter()
        .any(|w| w.webhook.concise_payload == Some(true));
    // Signing is CPU work: once per payload variant, off the async threads.
    let key = state.key.clone();
    let full_body: Arc<[u8]> = Arc::from(payloads.full.as_slice());
    let concise_body: Arc<[u8]> = Arc::from(payloads.concise.as_slice());
    let (fb, cb) = (Arc::clone(&full_body), Arc::clone(&concise_body));
    let (full_sig, concise_sig) = tokio::task::spawn_blocking(move || {
        (
            needs_full.then(|| Arc::<str>::from(key.sign(&fb))),
            needs_concise.then(|| Arc::<str>::from(key.sign(&cb))),
        )
    })
    .await
    .map_err(|_| ApiError::internal())?;

    let channels_json = serde_json::to_string(&channels).map_err(|_| ApiError::internal())?;
    let created_ms = ids::to_ms(now);
    let mut executions = Vec::new();
    for w in &matched {
        let concise = w.webhook.concise_payload == Some(true);
        let (body, signature) = if concise {
            (&concise_body, &concise_sig)
        } else {
            (&full_body, &full_sig)
        };
        let Some(signature) = signature else { continue };
        for destination in 0..w.webhook.destinations.len() {
            executions.push(NewExecution {
                uid: ids::cs_uid(),
                api_key: caller.stack.api_key.clone(),
                webhook_uid: w.webhook.uid.clone(),
                destination,
                destination_key: identity::key(&w.webhook.destinations, destination)
                    .unwrap_or_default(),
                created_ms,
                channels_json: channels_json.clone(),
                body: Arc::clone(body),
                signature: Arc::clone(signature),
            });
        }
    }
    let summary: Vec<Value> = executions
        .iter()
        .map(|e| json!({"uid": e.uid, "webhook_uid": e.webhook_uid, "destination": e.destination}))
        .collect();
    if !executions.is_empty() {
        state.enqueuer.enqueue(executions).await.map_err(|e| {
            tracing::error!(error = %e, "queueing deliveries failed");
            ApiError::internal()
        })?;
        state.wake.notify_one();
    }
    let event: Value = exact_numbers::parse(&payloads.full).unwrap_or(Value::Null);
    let answer = json!({
        "notice": format!("Event fired; {} deliveries queued.", summary.len()),
        "channels": channels,
        "executions": summary,
        "event": event,
    });
    Ok(answer)
}

/// `GET /.well-known/public-keys.json`: the key deliveries are signed with,
/// in Contentstack's shape.
pub async fn public_keys(State(state): State<Shared>) -> Json<Value> {
    Json(json!({ "signing-key": state.key.public_key_pem() }))
}

/// `GET /`: where things are.
pub async fn index() -> Json<Value> {
    Json(json!({
        "name": "cs-webhooks-emulator",
        "version": env!("CARGO_PKG_VERSION"),
        "api": "/v3",
        "events": "/_emulator/events",
        "trigger": "/_emulator/trigger",
        "mailbox": "/_emulator/mailbox",
        "deliveries": "/_emulator/deliveries",
        "public_keys": "/.well-known/public-keys.json",
        "specs": ["/openapi/webhooks.yaml", "/openapi/emulator.yaml"],
    }))
}
