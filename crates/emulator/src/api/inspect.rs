//! The emulator's inspection routes: the circuit breaker's e-mails and what
//! was delivered, for tests that assert on them without a receiver.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::auth::authenticate;
use super::error::ApiError;
use super::webhooks::{internal, visible};
use crate::state::Shared;
use crate::store::{ExecutionRow, ExecutionWindow};

/// `GET /_emulator/mailbox[?to=ADDRESS]`: the stack's e-mails, newest first.
pub async fn mailbox(
    State(state): State<Shared>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let query = only(query, &["to"])?;
    let to = value(&query, "to");
    let mails = state.mailbox.list(&caller.stack.api_key, to);
    Ok(Json(json!({ "mails": mails })))
}

/// `GET /_emulator/deliveries?webhook_uid=UID`: the webhook's executions,
/// newest first, each with the exact body and the headers of its last attempt.
pub async fn deliveries(
    State(state): State<Shared>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let query = only(query, &["webhook_uid"])?;
    let uid = value(&query, "webhook_uid")
        .ok_or_else(|| ApiError::parameter("webhook_uid", "is required."))?;
    let webhook = visible(&state, caller, uid)?;
    let webhook_uid = webhook.webhook.uid.clone();
    let rows = state
        .db(move |store| {
            let window = ExecutionWindow {
                from_ms: 0,
                to_ms: i64::MAX,
            };
            let uids: Vec<String> = store
                .execution_index(&webhook_uid, window)?
                .into_iter()
                .map(|(uid, _)| uid)
                .collect();
            store.executions(&uids)
        })
        .await?
        .map_err(internal)?;
    let list: Vec<Value> = rows.iter().map(delivery_json).collect();
    Ok(Json(json!({ "deliveries": list })))
}

fn delivery_json(row: &ExecutionRow) -> Value {
    let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    json!({
        "execution_uid": row.uid,
        "webhook_uid": row.webhook_uid,
        "channels": parse(&row.channels_json),
        "status": row.status,
        "delivered": row.status.is_some_and(|s| (200..300).contains(&s)),
        "attempts": row.details_json.len(),
        "body": String::from_utf8_lossy(&row.body),
        "headers": row.event_headers_json.as_deref().map_or(Value::Null, parse),
    })
}

/// The query's pairs, when every name is one of `allowed`.
fn only(
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    allowed: &[&str],
) -> Result<Vec<(String, String)>, ApiError> {
    let Query(pairs) = query.map_err(|_| ApiError::parameter("query", "does not parse."))?;
    match pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        Some((unknown, _)) => Err(ApiError::parameter(unknown, "is not a known parameter.")),
        None => Ok(pairs),
    }
}

fn value<'q>(pairs: &'q [(String, String)], name: &str) -> Option<&'q str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}
