//! Execution operations: list a webhook's executions, retry one, read its log.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use cs_webhooks_model::{
    Channel, EventPayload, Execution, ExecutionFilter, ExecutionLog, Headers, Notice,
    from_json_slice,
};
use serde_json::{Map, Value, json};

use super::auth::{Caller, authenticate};
use super::error::{ApiError, code};
use super::params::Params;
use super::webhooks::{internal, visible};
use super::{path_uid, read_body};
use crate::exact_numbers::{self, ExactJson};
use crate::ids;
use crate::state::Shared;
use crate::store::{ExecutionRow, ExecutionWindow};
use crate::webhook_doc::{in_branch, masked};

/// `GET /v3/webhooks/{webhook_uid}/executions`
pub async fn list(
    State(state): State<Shared>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<ExactJson, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let uid = path_uid(path)?;
    let webhook = visible(&state, caller, &uid)?;
    let params = Params::from_query(query, state.shapes, "list_executions")?;
    let oldest = retention_start(&state);
    let from = params
        .time("from")?
        .map_or(oldest, |t| ids::to_ms(t).max(oldest));
    let to = params.time("to")?.map_or(i64::MAX, ids::to_ms);
    let filter = match params.text("query") {
        Some(q) => ExecutionFilter::from_json(q)
            .map_err(|e| ApiError::parameter("query", format!("{e}.")))?,
        None => ExecutionFilter::any(),
    };
    let skip = params.skip()?;
    let limit = params.limit()?;
    let only_events = params.flag("only_events")?;

    let index_uid = webhook.webhook.uid.clone();
    let window = ExecutionWindow {
        from_ms: from,
        to_ms: to,
    };
    let rows = state
        .db(move |store| {
            let page: Vec<String> = store
                .execution_index(&index_uid, window)?
                .into_iter()
                .filter(|(_, status)| filter.matches(*status))
                .skip(skip)
                .take(limit)
                .map(|(uid, _)| uid)
                .collect();
            store.executions(&page)
        })
        .await?
        .map_err(internal)?;
    let org = caller.stack.org_uid.as_str();
    let list: Vec<Value> = rows
        .iter()
        .map(|row| execution_json(row, org, only_events))
        .collect();
    Ok(ExactJson(json!({ "webhooks": list })))
}

/// `POST /v3/webhooks/{execution_uid}/retry`; also the official JavaScript
/// SDK's `POST /v3/webhooks/{webhook_uid}/retry` with `{"execution_uid": ...}`.
pub async fn retry(
    State(state): State<Shared>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Notice>, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let path_uid = path_uid(path)?;
    let body = read_body(body)?;
    let from_body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let doc: Value = serde_json::from_slice(&body)
            .map_err(|e| retry_error("body", format!("is not valid JSON: {e}.")))?;
        match doc.get("execution_uid") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(retry_error("execution_uid", "must be a string.")),
        }
    };
    let execution_uid = from_body.clone().unwrap_or_else(|| path_uid.clone());
    let row = find_execution(&state, caller, &execution_uid).await?;
    if from_body.is_some() && row.webhook_uid != path_uid && row.uid != path_uid {
        return Err(ApiError::execution_not_found());
    }
    let webhook = visible(&state, caller, &row.webhook_uid)?;
    if webhook.webhook.disabled == Some(true) {
        return Err(retry_error(
            "webhook",
            "is disabled; enable it before retrying.",
        ));
    }
    let now = ids::to_ms(ids::now());
    state
        .db(move |store| store.schedule_manual_retry(&execution_uid, now))
        .await?
        .map_err(internal)?;
    state.wake.notify_one();
    Ok(Json(Notice {
        notice: "Webhook retry scheduled".to_owned(),
    }))
}

fn retry_error(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        code::RETRY_FAILED,
        "Webhook retry failed. Please try again.",
    )
    .field(field, message)
}

/// `GET /v3/webhooks/{execution_uid}/logs`: the latest record of an execution.
pub async fn logs(
    State(state): State<Shared>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<ExactJson, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let uid = path_uid(path)?;
    let row = find_execution(&state, caller, &uid).await?;
    let webhooks: Vec<_> = state
        .store
        .webhook(&row.webhook_uid)
        .map(|w| masked(&w.webhook))
        .into_iter()
        .collect();
    let log = ExecutionLog {
        channel: channels(&row),
        created_at: Some(ids::from_ms(row.created_ms)),
        destination: Map::new(),
        event_data: event_data(&row),
        event_headers: event_headers(&row),
        org_uid: Some(caller.stack.org_uid.clone()),
        project_uid: Some(row.api_key.clone()),
        request_details: None,
        retry_count: Some(retry_count(&row)),
        status: row.status,
        uid: row.uid.clone(),
        updated_at: Some(ids::from_ms(row.updated_ms)),
        webhooks,
    };
    let mut doc = serde_json::to_value(log).map_err(|_| ApiError::internal())?;
    if let Some(obj) = doc.as_object_mut() {
        if let Some(last) = details(&row).pop() {
            obj.insert("request_details".into(), last);
        }
        complete(obj);
    }
    Ok(ExactJson(json!({ "webhook": doc })))
}

/// The execution `uid` of the caller's stack, within the log retention, whose
/// webhook the caller can see.
async fn find_execution(
    state: &Shared,
    caller: Caller<'_>,
    uid: &str,
) -> Result<ExecutionRow, ApiError> {
    let api_key = caller.stack.api_key.clone();
    let lookup = uid.to_owned();
    let row = state
        .db(move |store| store.execution(&api_key, &lookup))
        .await?
        .map_err(internal)?
        .filter(|row| row.created_ms >= retention_start(state))
        .ok_or_else(ApiError::execution_not_found)?;
    let visible = state
        .store
        .webhook(&row.webhook_uid)
        .is_none_or(|w| in_branch(&w.webhook, caller.branch));
    if visible {
        Ok(row)
    } else {
        Err(ApiError::execution_not_found())
    }
}

/// The oldest creation time (ms) still shown: logs are kept for the retention period.
fn retention_start(state: &Shared) -> i64 {
    let retention =
        chrono::Duration::from_std(state.settings.log_retention).unwrap_or(chrono::Duration::MAX);
    Utc::now()
        .checked_sub_signed(retention)
        .map_or(i64::MIN, ids::to_ms)
}

/// One execution as the API lists it.
fn execution_json(row: &ExecutionRow, org_uid: &str, only_events: bool) -> Value {
    let execution = Execution {
        channel: channels(row),
        created_at: Some(ids::from_ms(row.created_ms)),
        destination: Map::new(),
        event_data: event_data(row),
        event_headers: event_headers(row),
        org_uid: Some(org_uid.to_owned()),
        project_uid: Some(row.api_key.clone()),
        request_details: Vec::new(),
        retry_count: Some(retry_count(row)),
        status: row.status,
        uid: row.uid.clone(),
        updated_at: Some(ids::from_ms(row.updated_ms)),
        webhooks: vec![row.webhook_uid.clone()],
    };
    let mut doc = serde_json::to_value(execution).unwrap_or(Value::Null);
    if let Some(obj) = doc.as_object_mut() {
        if !only_events {
            obj.insert("request_details".into(), Value::Array(details(row)));
        }
        complete(obj);
    }
    doc
}

/// Adds the members the API sends as `null` or `{}` that the model leaves out.
fn complete(obj: &mut Map<String, Value>) {
    obj.entry("status").or_insert(Value::Null);
    obj.entry("destination")
        .or_insert_with(|| Value::Object(Map::new()));
}

fn channels(row: &ExecutionRow) -> Vec<Channel> {
    from_json_slice(row.channels_json.as_bytes()).unwrap_or_default()
}

fn event_data(row: &ExecutionRow) -> Option<EventPayload> {
    from_json_slice(&exact_numbers::protect(&row.body)).ok()
}

fn event_headers(row: &ExecutionRow) -> Option<Headers> {
    row.event_headers_json
        .as_deref()
        .and_then(|h| from_json_slice(h.as_bytes()).ok())
}

/// `retry_count`: how many retries were made (attempts after the first).
fn retry_count(row: &ExecutionRow) -> u32 {
    u32::try_from(row.details_json.len().saturating_sub(1)).unwrap_or(u32::MAX)
}

/// The attempts with `request.body` put back (it is stored once per execution).
fn details(row: &ExecutionRow) -> Vec<Value> {
    let body: Value = exact_numbers::parse(&row.body).unwrap_or(Value::Null);
    row.details_json
        .iter()
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .map(|mut d| {
            if let Some(request) = d.get_mut("request").and_then(Value::as_object_mut) {
                request.insert("body".into(), body.clone());
            }
            d
        })
        .collect()
}
