//! Fired events: the emulator-only request that describes one, the channels
//! it matches, and the payload delivered for it.

use chrono::{DateTime, Utc};
use cs_webhooks_model::{
    Channel, EventPayload, EventScope, EventSource, FiredEvent, ItemAction, PublishAction,
    escape_dollar_keys,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::api::error::FieldErrors;
use crate::exact_numbers::restore;

/// The body of `POST /_emulator/events` (described in `openapi/emulator.yaml`).
#[derive(Debug, Clone, Deserialize)]
pub struct EventRequest {
    /// `entry`, `asset`, `content_type`, ... (an open set).
    pub module: String,
    /// `create`, `update`, `publish`, ... (an open set).
    pub event: String,
    /// The event's data (`entry`, `content_type`, `asset`, ...).
    #[serde(default)]
    pub data: Map<String, Value>,
    /// Which channels the event matches; inferred from module, event and data
    /// for the common modules when left out.
    #[serde(default)]
    pub channel: Option<ChannelSpec>,
    /// What caused the event (e.g. a release).
    #[serde(default)]
    pub source: Option<EventSource>,
    /// The branch (else the `branch` header, else `main`).
    #[serde(default)]
    pub branch: Option<String>,
    /// The event time (default: now).
    #[serde(default)]
    pub triggered_at: Option<DateTime<Utc>>,
}

/// An explicit description of the channels an event matches.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ChannelSpec {
    /// One fixed channel with no optional uid (e.g. `branch.create.completed`).
    Fixed(String),
    /// Every channel the event matches, spelled out.
    List(Vec<String>),
    /// Scopes and action segments, as [`FiredEvent::new`] takes them.
    Parts {
        /// Scopes, outermost first.
        scopes: Vec<ScopeSpec>,
        /// Trailing action segments, e.g. `["publish", "success"]`.
        #[serde(default)]
        action: Vec<String>,
    },
}

/// One scope of a [`ChannelSpec::Parts`].
#[derive(Debug, Clone, Deserialize)]
pub struct ScopeSpec {
    /// The fixed collection segment, e.g. `content_types`.
    pub collection: String,
    /// The item's uid at this level, if any.
    #[serde(default)]
    pub uid: Option<String>,
    /// The uid may appear only together with the outer uid.
    #[serde(default)]
    pub nested: bool,
    /// The collection segment appears only together with the uid.
    #[serde(default)]
    pub collection_needs_uid: bool,
}

/// Modules whose events belong to the stack, not to a branch.
pub fn is_stack_level(module: &str) -> bool {
    matches!(module, "branch" | "branch_alias")
}

/// Every channel the event matches, general to specific.
pub fn matched_channels(req: &EventRequest) -> Result<Vec<Channel>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let result = match &req.channel {
        Some(ChannelSpec::Fixed(raw)) => Channel::custom(raw.as_str()).map(|c| vec![c]),
        Some(ChannelSpec::List(raws)) => raws
            .iter()
            .map(|raw| Channel::custom(raw.as_str()))
            .collect(),
        Some(ChannelSpec::Parts { scopes, action }) => {
            let scopes = scopes.iter().map(|s| {
                let mut scope = EventScope::new(s.collection.clone()).with_opt_uid(s.uid.clone());
                if s.nested {
                    scope = scope.nested();
                }
                if s.collection_needs_uid {
                    scope = scope.collection_needs_uid();
                }
                scope
            });
            FiredEvent::new(scopes, action.iter().cloned()).map(|e| e.channels())
        }
        None => match infer(req) {
            Ok(event) => event.map(|e| e.channels()),
            Err(message) => {
                errors.push("channel", message);
                return Err(errors);
            }
        },
    };
    result.map_err(|e| {
        errors.push("channel", format!("{e}."));
        errors
    })
}

/// Derives the fired event from module, event and data for the common modules.
/// The outer `Err` explains what is missing.
fn infer(
    req: &EventRequest,
) -> Result<Result<FiredEvent, cs_webhooks_model::ChannelError>, String> {
    let data = &req.data;
    let event = req.event.as_str();
    let publish = publish_kind(event);
    let environment = || -> Result<String, String> {
        match data.get("environment") {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Object(env)) => env
                .get("uid")
                .or_else(|| env.get("name"))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| "data.environment needs a uid to infer the channel.".to_owned()),
            _ => Err("data.environment is required to infer a publish channel.".to_owned()),
        }
    };
    let item = |action: &str| match action {
        "update" => Ok(ItemAction::Update),
        "delete" => Ok(ItemAction::Delete),
        other => Err(format!(
            "cannot infer the channel of {:?} event {other:?}; give `channel`.",
            req.module
        )),
    };
    match req.module.as_str() {
        "entry" => {
            let ct = uid_in(data, "content_type")?;
            match (event, publish) {
                ("create", _) => Ok(FiredEvent::entry_created(&ct)),
                (_, Some((action, false))) => {
                    Ok(FiredEvent::entry_publish_succeeded(&environment()?, action))
                }
                (_, Some((action, true))) => Ok(Ok(FiredEvent::entry_publish_failed(action))),
                (other, None) => Ok(FiredEvent::entry(
                    &ct,
                    &uid_in(data, "entry")?,
                    item(other)?,
                )),
            }
        }
        "asset" => match (event, publish) {
            ("create", _) => Ok(Ok(FiredEvent::asset_created())),
            (_, Some((action, false))) => {
                Ok(FiredEvent::asset_publish_succeeded(&environment()?, action))
            }
            (_, Some((action, true))) => Ok(Ok(FiredEvent::asset_publish_failed(action))),
            (other, None) => Ok(FiredEvent::asset(&uid_in(data, "asset")?, item(other)?)),
        },
        "content_type" => match event {
            "create" => Ok(Ok(FiredEvent::content_type_created())),
            other => Ok(FiredEvent::content_type(
                &uid_in(data, "content_type").or_else(|_| own_uid(data))?,
                item(other)?,
            )),
        },
        "global_field" => match event {
            "create" => Ok(Ok(FiredEvent::global_field_created())),
            other => Ok(FiredEvent::global_field(
                &uid_in(data, "global_field").or_else(|_| own_uid(data))?,
                item(other)?,
            )),
        },
        "release" => {
            let status = data
                .get("status")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            Ok(FiredEvent::release_deployed(
                &uid_in(data, "release")?,
                &environment()?,
                status,
            ))
        }
        other => Err(format!(
            "cannot infer the channel of module {other:?}; give `channel` (a channel string or scopes and action)."
        )),
    }
}

/// `publish`, `publish.success`, `unpublish.fail`, ... → (action, failed).
fn publish_kind(event: &str) -> Option<(PublishAction, bool)> {
    let (action, rest) = event.split_once('.').unwrap_or((event, ""));
    let action = match action {
        "publish" => PublishAction::Publish,
        "unpublish" => PublishAction::Unpublish,
        _ => return None,
    };
    match rest {
        "" | "success" => Some((action, false)),
        "fail" => Some((action, true)),
        _ => None,
    }
}

fn uid_in(data: &Map<String, Value>, key: &str) -> Result<String, String> {
    data.get(key)
        .and_then(|v| v.get("uid"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| format!("data.{key}.uid is required to infer the channel."))
}

fn own_uid(data: &Map<String, Value>) -> Result<String, String> {
    data.get("uid")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| "data.uid is required to infer the channel.".to_owned())
}

/// The two payload variants of one event, as exact bytes.
#[derive(Debug, Clone)]
pub struct Payloads {
    /// The full payload.
    pub full: Vec<u8>,
    /// The concise payload (`concise_payload: true`).
    pub concise: Vec<u8>,
}

/// Builds the delivered payloads: the envelope, `data.branch`, `$`-key escaping,
/// and the concise reduction (documented for entries; other modules send
/// their data unchanged).
pub fn payloads(
    req: &EventRequest,
    api_key: &str,
    branch: &str,
    now: DateTime<Utc>,
) -> Result<Payloads, serde_json::Error> {
    let mut data = req.data.clone();
    if !is_stack_level(&req.module) && !data.contains_key("branch") {
        data.insert(
            "branch".into(),
            serde_json::json!({"uid": branch, "source": "", "alias": []}),
        );
    }
    let mut value = Value::Object(data);
    escape_dollar_keys(&mut value);
    let data = match value {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let concise_data = concise(&req.module, &data);
    let envelope = |data: Map<String, Value>| EventPayload {
        api_key: Some(api_key.to_owned()),
        data,
        event: req.event.clone(),
        module: req.module.clone(),
        source: req.source.clone(),
        triggered_at: Some(req.triggered_at.unwrap_or(now)),
    };
    // Numbers the request wrote exactly go out exactly (see `exact_numbers`).
    Ok(Payloads {
        full: restore(serde_json::to_vec(&envelope(data))?),
        concise: restore(serde_json::to_vec(&envelope(concise_data))?),
    })
}

fn concise(module: &str, data: &Map<String, Value>) -> Map<String, Value> {
    let mut out = data.clone();
    if module != "entry" {
        return out;
    }
    let pick = |v: &Value, keys: &[&str]| -> Value {
        let Some(obj) = v.as_object() else {
            return v.clone();
        };
        Value::Object(
            keys.iter()
                .filter_map(|k| obj.get(*k).map(|v| ((*k).to_owned(), v.clone())))
                .collect(),
        )
    };
    if let Some(entry) = data.get("entry") {
        out.insert(
            "entry".into(),
            pick(entry, &["uid", "title", "locale", "_version"]),
        );
    }
    if let Some(ct) = data.get("content_type") {
        out.insert("content_type".into(), pick(ct, &["uid", "title"]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn req(v: Value) -> EventRequest {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn entry_update_is_inferred_like_the_seed_sample() {
        let r = req(json!({"module": "entry", "event": "update",
            "data": {"entry": {"uid": "bltd97eb3484fc00c48"}, "content_type": {"uid": "ref"}}}));
        let got: Vec<String> = matched_channels(&r)
            .unwrap()
            .into_iter()
            .map(Channel::into_string)
            .collect();
        assert_eq!(
            got,
            [
                "content_types.entries.update",
                "content_types.ref.entries.update",
                "content_types.ref.entries.bltd97eb3484fc00c48.update"
            ]
        );
    }

    #[test]
    fn explicit_channels_and_errors() {
        let r = req(
            json!({"module": "branch", "event": "create", "channel": "branch.create.completed"}),
        );
        assert_eq!(matched_channels(&r).unwrap()[0], "branch.create.completed");
        let r = req(
            json!({"module": "x", "event": "y", "channel": {"scopes": [{"collection": "taxonomies", "uid": "colors"}], "action": ["update"]}}),
        );
        assert_eq!(matched_channels(&r).unwrap().len(), 2);
        let r = req(json!({"module": "x", "event": "y"}));
        assert!(matched_channels(&r).unwrap_err().has("channel"));
        let r = req(
            json!({"module": "entry", "event": "update", "data": {"content_type": {"uid": "a"}}}),
        );
        assert!(matched_channels(&r).unwrap_err().has("channel"));
        let r = req(
            json!({"module": "asset", "event": "publish", "data": {"environment": {"uid": "prod"}}}),
        );
        assert_eq!(
            matched_channels(&r).unwrap().last().unwrap(),
            "assets.environments.prod.publish.success"
        );
    }

    #[test]
    fn payloads_escape_and_reduce() {
        let r = req(json!({"module": "entry", "event": "update", "data": {
            "entry": {"uid": "e1", "title": "T", "locale": "en-us", "_version": 3, "body": {"$x": 1}},
            "content_type": {"uid": "ct", "title": "CT", "schema": []}}}));
        let now = DateTime::from_timestamp_millis(1_721_897_326_861).unwrap();
        let p = payloads(&r, "blt1", "main", now).unwrap();
        let full: Value = serde_json::from_slice(&p.full).unwrap();
        assert_eq!(full["data"]["entry"]["body"]["cs$x"], 1);
        assert_eq!(full["data"]["branch"]["uid"], "main");
        assert_eq!(full["triggered_at"], "2024-07-25T08:48:46.861Z");
        let concise: Value = serde_json::from_slice(&p.concise).unwrap();
        assert_eq!(
            concise["data"]["entry"],
            json!({"uid": "e1", "title": "T", "locale": "en-us", "_version": 3})
        );
        assert_eq!(
            concise["data"]["content_type"],
            json!({"uid": "ct", "title": "CT"})
        );
        assert_eq!(concise["api_key"], "blt1");
    }
}
