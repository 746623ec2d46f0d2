//! Webhook operations: list, get, create, update, delete, export, import.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cs_webhooks_model::{Notice, Webhook, WebhookList, WebhookResponse};
use serde_json::Value;

use super::auth::{Caller, authenticate};
use super::error::{ApiError, code};
use super::params::Params;
use super::{BodyErrors, json_body, path_uid};
use crate::state::Shared;
use crate::store::{StoredWebhook, WriteError};
use crate::validate::{self, Envelope, Rules};
use crate::webhook_doc::{self, Stamp, in_branch, masked};

const CREATE: BodyErrors = BodyErrors {
    code: code::CREATE_FAILED,
    message: "Webhook creation failed. Please try again.",
};
const UPDATE: BodyErrors = BodyErrors {
    code: code::UPDATE_FAILED,
    message: "Webhook update failed. Please try again.",
};
const IMPORT: BodyErrors = BodyErrors {
    code: code::IMPORT_FAILED,
    message: "Webhook import failed. Please try again.",
};

/// The webhook `uid` if it belongs to the caller's stack and branch.
pub(super) fn visible(
    state: &Shared,
    caller: Caller<'_>,
    uid: &str,
) -> Result<Arc<StoredWebhook>, ApiError> {
    state
        .store
        .webhook(uid)
        .filter(|w| w.api_key == caller.stack.api_key && in_branch(&w.webhook, caller.branch))
        .ok_or_else(ApiError::webhook_not_found)
}

/// `GET /v3/webhooks`
pub async fn list(
    State(state): State<Shared>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<WebhookList>, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let params = Params::from_query(query, state.shapes, "list_webhooks")?;
    let include_count = params.flag("include_count")?;
    let skip = params.skip()?;
    let limit = params.limit()?;
    let order = match (params.text("asc"), params.text("desc")) {
        (Some(field), _) => Some((sort_key(field, "asc")?, true)),
        (None, Some(field)) => Some((sort_key(field, "desc")?, false)),
        (None, None) => None,
    };
    let mut all: Vec<Arc<StoredWebhook>> = state
        .store
        .webhooks_of(&caller.stack.api_key)
        .into_iter()
        .filter(|w| in_branch(&w.webhook, caller.branch))
        .collect();
    match order {
        // Newest first by default, as the documentation's sample lists them.
        None => all.reverse(),
        Some((key, ascending)) => {
            all.sort_by(|a, b| {
                let ord = key(&a.webhook)
                    .cmp(&key(&b.webhook))
                    .then(a.seq.cmp(&b.seq));
                if ascending { ord } else { ord.reverse() }
            });
        }
    }
    let count = all.len();
    let webhooks = all
        .iter()
        .skip(skip)
        .take(limit)
        .map(|w| masked(&w.webhook))
        .collect();
    Ok(Json(WebhookList {
        count: include_count.then_some(count as u64),
        destination: serde_json::Map::new(),
        webhooks,
    }))
}

type SortKey = fn(&Webhook) -> String;

fn sort_key(field: &str, param: &str) -> Result<SortKey, ApiError> {
    Ok(match field {
        "created_at" => |w| w.created_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        "updated_at" => |w| w.updated_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        "name" => |w| w.name.clone(),
        "uid" => |w| w.uid.clone(),
        _ => {
            return Err(ApiError::parameter(
                param,
                "must be one of created_at, updated_at, name, uid.",
            ));
        }
    })
}

/// `GET /v3/webhooks/{webhook_uid}`
pub async fn get_one(
    State(state): State<Shared>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<WebhookResponse>, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let uid = path_uid(path)?;
    let webhook = visible(&state, caller, &uid)?;
    Ok(Json(WebhookResponse {
        notice: None,
        webhook: masked(&webhook.webhook),
    }))
}

/// `POST /v3/webhooks`
pub async fn create(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let body = json_body(&headers, body, CREATE)?;
    let stored = build_new(&state, caller, body, Envelope::Wrapped, CREATE)?;
    let created = insert(&state, stored, CREATE).await?;
    let answer = WebhookResponse {
        notice: Some("The webhook was created successfully".to_owned()),
        webhook: masked(&created.webhook),
    };
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `PUT /v3/webhooks/{webhook_uid}`
pub async fn update(
    State(state): State<Shared>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<WebhookResponse>, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let uid = path_uid(path)?;
    visible(&state, caller, &uid)?;
    let body = json_body(&headers, body, UPDATE)?;
    let updated = replace(&state, caller, uid, body, Envelope::Wrapped, UPDATE, false).await?;
    Ok(Json(WebhookResponse {
        notice: Some("The Webhook was updated successfully".to_owned()),
        webhook: masked(&updated.webhook),
    }))
}

/// `DELETE /v3/webhooks/{webhook_uid}`
pub async fn delete(
    State(state): State<Shared>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Notice>, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let uid = path_uid(path)?;
    visible(&state, caller, &uid)?;
    let deleted = state
        .db(move |store| store.delete_webhook(&uid))
        .await?
        .map_err(internal)?;
    if !deleted {
        return Err(ApiError::webhook_not_found());
    }
    Ok(Json(Notice {
        notice: "The Webhook was deleted successfully".to_owned(),
    }))
}

/// `GET /v3/webhooks/{webhook_uid}/export`: the bare webhook, as a file.
pub async fn export(
    State(state): State<Shared>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let uid = path_uid(path)?;
    let webhook = visible(&state, caller, &uid)?;
    let mut response = Json(masked(&webhook.webhook)).into_response();
    let disposition = format!("attachment; filename=\"{}.json\"", webhook.webhook.uid);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `POST /v3/webhooks/import`: a new webhook from an exported file.
pub async fn import_new(
    State(state): State<Shared>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<WebhookResponse>, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let file = import_file(multipart).await?;
    let mut stored = build_new(&state, caller, unwrap_export(file), Envelope::Bare, IMPORT)?;
    webhook_doc::mark_imported(&mut stored);
    let created = insert(&state, stored, IMPORT).await?;
    Ok(Json(WebhookResponse {
        notice: Some("webhook was imported successfully".to_owned()),
        webhook: masked(&created.webhook),
    }))
}

/// `POST /v3/webhooks/{webhook_uid}/import`: replace a webhook from a file.
pub async fn import_existing(
    State(state): State<Shared>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<WebhookResponse>, ApiError> {
    let caller = authenticate(&state, &headers)?;
    let uid = path_uid(path)?;
    visible(&state, caller, &uid)?;
    let file = import_file(multipart).await?;
    let doc = unwrap_export(file);
    let updated = replace(&state, caller, uid, doc, Envelope::Bare, IMPORT, true).await?;
    Ok(Json(WebhookResponse {
        notice: Some("webhook was imported successfully".to_owned()),
        webhook: masked(&updated.webhook),
    }))
}

/// An exported file is the bare webhook; a `{"webhook": ...}` wrapper is accepted too.
pub(crate) fn unwrap_export(mut file: Value) -> Value {
    let wrapped = file.get("name").is_none() && file.get("webhook").is_some_and(Value::is_object);
    match file.as_object_mut().and_then(|o| o.remove("webhook")) {
        Some(inner) if wrapped => inner,
        _ => file,
    }
}

/// Reads the multipart file part named `webhook` (or `entry`, which the
/// official Python SDK sends) as JSON.
async fn import_file(multipart: Result<Multipart, MultipartRejection>) -> Result<Value, ApiError> {
    let mut multipart = multipart.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large()
        } else {
            IMPORT.error(
                "webhook",
                "must be sent as multipart/form-data with a boundary, in a file part named webhook.",
            )
        }
    })?;
    loop {
        let field = multipart.next_field().await.map_err(multipart_error)?;
        let Some(field) = field else {
            return Err(IMPORT.error("webhook", "is required (a file part named webhook)."));
        };
        if !matches!(field.name(), Some("webhook" | "entry")) {
            continue;
        }
        let bytes = field.bytes().await.map_err(multipart_error)?;
        return serde_json::from_slice(&bytes)
            .map_err(|e| IMPORT.error("webhook", format!("is not a valid JSON file: {e}.")));
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large()
    } else {
        IMPORT.error("webhook", "the multipart body could not be read.")
    }
}

fn build_new(
    state: &Shared,
    caller: Caller<'_>,
    doc: Value,
    envelope: Envelope,
    errors: BodyErrors,
) -> Result<StoredWebhook, ApiError> {
    let rules = Rules {
        shapes: state.shapes,
        branches: &caller.stack.branches,
        existing: None,
        allow_unknown_channels: state.settings.allow_unknown_channels,
    };
    let input =
        validate::webhook_input(doc, envelope, rules).map_err(|e| errors.error_fields(e))?;
    Ok(webhook_doc::create(
        input,
        Stamp {
            stack: caller.stack,
            branch: caller.branch,
            now: crate::ids::now(),
        },
    ))
}

async fn insert(
    state: &Shared,
    stored: StoredWebhook,
    errors: BodyErrors,
) -> Result<Arc<StoredWebhook>, ApiError> {
    state
        .db(move |store| store.insert_webhook(stored))
        .await?
        .map_err(|e| match e {
            WriteError::DuplicateName => errors.error("name", "is already taken."),
            WriteError::Store(e) => internal(e),
            WriteError::NotFound | WriteError::Rejected(_) => ApiError::internal(),
        })
}

/// Validates `doc` against the stored webhook and replaces it, atomically.
async fn replace(
    state: &Shared,
    caller: Caller<'_>,
    uid: String,
    doc: Value,
    envelope: Envelope,
    errors: BodyErrors,
    imported: bool,
) -> Result<Arc<StoredWebhook>, ApiError> {
    let stack = caller.stack.clone();
    let branch = caller.branch.to_owned();
    let shapes = state.shapes;
    let allow_unknown_channels = state.settings.allow_unknown_channels;
    state
        .db(move |store| {
            store.modify_webhook(&uid, |current| {
                if current.api_key != stack.api_key || !in_branch(&current.webhook, &branch) {
                    return Err(ApiError::webhook_not_found());
                }
                let rules = Rules {
                    shapes,
                    branches: &stack.branches,
                    existing: Some(&current.webhook.destinations),
                    allow_unknown_channels,
                };
                let input = validate::webhook_input(doc, envelope, rules)
                    .map_err(|e| errors.error_fields(e))?;
                let stamp = Stamp {
                    stack: &stack,
                    branch: &branch,
                    now: crate::ids::now(),
                };
                let mut next = webhook_doc::update(current, input, stamp);
                if imported {
                    webhook_doc::mark_imported(&mut next);
                }
                Ok(next)
            })
        })
        .await?
        .map_err(|e| match e {
            WriteError::NotFound => ApiError::webhook_not_found(),
            WriteError::DuplicateName => errors.error("name", "is already taken."),
            WriteError::Rejected(e) => e,
            WriteError::Store(e) => internal(e),
        })
}

/// A 500 for a database failure, logged here (the answer never carries it).
pub(super) fn internal(e: crate::store::StoreError) -> ApiError {
    tracing::error!(error = %e, "database failure");
    ApiError::internal()
}
