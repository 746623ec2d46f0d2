//! Realistic events for every module the Webhooks API documents, to fire
//! with `POST /_emulator/trigger`: one full payload per module and event
//! (concise payloads are derived from it as for any event), with `$` keys
//! that delivery escapes, and overrides for the parts a test cares about.

use cs_webhooks_model::{Channel, EventScope, FiredEvent};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::api::error::FieldErrors;
use crate::events::{ChannelSpec, EventRequest, ScopeSpec};

/// The body of `POST /_emulator/trigger`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerRequest {
    /// The fixture, `module.event` (e.g. `entry.publish`, `asset.unpublish.fail`).
    pub event: String,
    /// The parts to change; see [`Overrides`].
    #[serde(default)]
    pub overrides: Overrides,
}

/// What a trigger changes in its fixture.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// `data.content_type.uid`.
    pub content_type: Option<String>,
    /// `data.entry.uid`.
    pub entry: Option<String>,
    /// `data.asset.uid`.
    pub asset: Option<String>,
    /// `data.environment.uid` and `.name`.
    pub environment: Option<String>,
    /// `data.locale` and the entry's or asset's `locale`, where present.
    pub locale: Option<String>,
    /// The branch the event happens in (else the `branch` header, else `main`).
    pub branch: Option<String>,
    /// Any field of `data` by dot path (`entry.title`); a value that exists
    /// in the fixture keeps its JSON type.
    #[serde(default)]
    pub set: Map<String, Value>,
}

const CT: &str = "blog_post";
const ENTRY: &str = "blt5d4c0c1a2b3e4f50";
const ASSET: &str = "blt6a7b8c9d0e1f2a3b";
const ENV: &str = "blt7c8d9e0f1a2b3c4d";
const RELEASE: &str = "blt8d9e0f1a2b3c4d5e";
const WORKFLOW: &str = "blt9e0f1a2b3c4d5e6f";
const STAGE: &str = "blt0f1a2b3c4d5e6f70";
const USER: &str = "blt1a2b3c4d5e6f7081";
const AT: &str = "2026-03-25T10:15:30.000Z";

/// Every fixture name, `module.event`.
pub const NAMES: [&str; 32] = [
    "entry.create",
    "entry.update",
    "entry.delete",
    "entry.publish",
    "entry.unpublish",
    "entry.publish.fail",
    "entry.unpublish.fail",
    "asset.create",
    "asset.update",
    "asset.delete",
    "asset.publish",
    "asset.unpublish",
    "asset.publish.fail",
    "asset.unpublish.fail",
    "content_type.create",
    "content_type.update",
    "content_type.delete",
    "global_field.create",
    "global_field.update",
    "global_field.delete",
    "release.deploy",
    "workflow.stage_change",
    "comment.create",
    "comment.update",
    "comment.delete",
    "discussion.create",
    "discussion.resolve",
    "discussion.reopen",
    "branch.create",
    "branch.delete",
    "branch_alias.assigned",
    "branch_alias.unassigned",
];

fn entry() -> Value {
    json!({
        "uid": ENTRY, "title": "Hello, world", "url": "/blog/hello-world", "locale": "en-us",
        "tags": ["news", "launch"], "ACL": {}, "_version": 3, "_in_progress": false,
        "created_at": AT, "updated_at": AT, "created_by": USER, "updated_by": USER,
        "body": {"type": "doc", "uid": "blt3e4f5a6b7c8d9e0f", "attrs": {"$dirty": false},
            "children": [{"type": "p", "children": [{"text": "Hello, world."}]}]},
        "seo": {"$meta_title": "Hello", "description": "Our first post"}
    })
}

fn content_type() -> Value {
    json!({
        "uid": CT, "title": "Blog post", "description": "Posts of the blog",
        "schema": [
            {"uid": "title", "data_type": "text", "display_name": "Title", "mandatory": true, "unique": true},
            {"uid": "url", "data_type": "text", "display_name": "URL",
                "field_metadata": {"$instruction": "Starts with /"}},
            {"uid": "body", "data_type": "json", "display_name": "Body", "field_metadata": {"allow_json_rte": true}}
        ],
        "options": {"is_page": true, "singleton": false, "title": "title", "url_pattern": "/:title"},
        "created_at": AT, "updated_at": AT, "_version": 4
    })
}

fn asset() -> Value {
    json!({
        "uid": ASSET, "title": "hero.png", "filename": "hero.png",
        "url": "https://images.contentstack.io/v3/assets/blt0000/blt6a7b8c9d0e1f2a3b/hero.png",
        "content_type": "image/png", "file_size": "48213", "tags": ["hero"], "parent_uid": null,
        "is_dir": false, "_version": 2, "created_at": AT, "updated_at": AT,
        "created_by": USER, "updated_by": USER, "publish_details": [],
        "dimension": {"height": 630, "width": 1200}, "_metadata": {"$extensions": {}}
    })
}

fn environment() -> Value {
    json!({"uid": ENV, "name": "production",
        "urls": [{"locale": "en-us", "url": "https://www.example.com"}]})
}

fn published(action: &str, failed: bool) -> Value {
    json!({"action": action, "status": if failed { "fail" } else { "success" }, "locale": "en-us"})
}

/// The module, event and data of fixture `name`; `None` for an unknown name.
fn base(name: &str) -> Option<(&'static str, String, Map<String, Value>)> {
    let (module, event) = name.split_once('.')?;
    let module = NAMES
        .iter()
        .find_map(|n| n.split_once('.').map(|(m, _)| m).filter(|m| *m == module))?;
    let data = match (module, event) {
        ("entry", "create" | "update" | "delete") => {
            json!({"entry": entry(), "content_type": content_type()})
        }
        ("entry", "publish" | "unpublish" | "publish.fail" | "unpublish.fail") => {
            let (action, failed) = event
                .split_once('.')
                .map_or((event, false), |(a, _)| (a, true));
            let mut data = json!({"entry": entry(), "content_type": content_type(),
                "environment": environment()});
            merge(&mut data, published(action, failed));
            data
        }
        ("asset", "create" | "update" | "delete") => json!({"asset": asset()}),
        ("asset", "publish" | "unpublish" | "publish.fail" | "unpublish.fail") => {
            let (action, failed) = event
                .split_once('.')
                .map_or((event, false), |(a, _)| (a, true));
            let mut data = json!({"asset": asset(), "environment": environment()});
            merge(&mut data, published(action, failed));
            data
        }
        ("content_type", "create" | "update" | "delete") => {
            json!({"content_type": content_type()})
        }
        ("global_field", "create" | "update" | "delete") => json!({"global_field": {
            "uid": "seo", "title": "SEO", "_version": 2, "created_at": AT, "updated_at": AT,
            "schema": [{"uid": "meta_title", "data_type": "text", "display_name": "Meta title",
                "field_metadata": {"$instruction": "At most 60 characters"}}]
        }}),
        ("release", "deploy") => json!({
            "release": {"uid": RELEASE, "name": "Spring launch", "description": "",
                "locked": true, "status": [],
                "items": [{"uid": ENTRY, "version": 3, "action": "publish",
                    "content_type_uid": CT, "locale": "en-us"}],
                "$meta": {"items_count": 1}},
            "environment": environment(), "action": "deploy", "status": "success", "locale": "en-us"
        }),
        ("workflow", "stage_change") => json!({
            "workflow": {"uid": WORKFLOW, "name": "Editorial",
                "stage": {"uid": STAGE, "title": "Review", "color": "#2196f3",
                    "$next_available": ["Approved"]},
                "log": {"comment": "Ready for review", "assigned_to": [{"uid": USER}]}},
            "entry": entry(), "content_type": content_type()
        }),
        ("comment", "create" | "update" | "delete") => json!({
            "content_type": {"uid": CT, "title": "Blog post"},
            "entry": {"uid": ENTRY, "title": "Hello, world", "locale": "en-us"},
            "comment": {"uid": "blt2b3c4d5e6f708192", "message": "Can we shorten the title?",
                "$mentions": [{"uid": USER}], "created_by": USER, "created_at": AT},
            "discussion": {"uid": "blt3c4d5e6f70819203", "title": "Title", "field": {"uid": "title", "path": "title"}}
        }),
        ("discussion", "create" | "resolve" | "reopen") => json!({
            "content_type": {"uid": CT, "title": "Blog post"},
            "entry": {"uid": ENTRY, "title": "Hello, world", "locale": "en-us"},
            "discussion": {"uid": "blt3c4d5e6f70819203", "title": "Title",
                "status": if event == "resolve" { 2 } else { 1 },
                "field": {"uid": "title", "path": "title", "$og": "title"}, "created_by": USER}
        }),
        ("branch", "create" | "delete") => json!({
            "branch": {"uid": "feature_x", "source": "main", "alias": [],
                "status": "completed", "$settings": {"version": 2}},
            "user": {"uid": USER}
        }),
        ("branch_alias", "assigned" | "unassigned") => json!({
            "branch": {"uid": "feature_x", "source": "main", "alias": [{"uid": "staging_alias"}]},
            "alias": {"uid": "staging_alias", "$target": "feature_x"}
        }),
        _ => return None,
    };
    match data {
        Value::Object(map) => Some((module, event.to_owned(), map)),
        _ => None,
    }
}

fn merge(into: &mut Value, from: Value) {
    if let (Some(into), Value::Object(from)) = (into.as_object_mut(), from) {
        into.extend(from);
    }
}

/// The event `trigger` describes: its fixture with the overrides applied.
/// Errors name the field (`event`, `overrides.entry`, `overrides.set.entry.title`).
pub fn event_request(trigger: TriggerRequest) -> Result<EventRequest, FieldErrors> {
    let mut errors = FieldErrors::default();
    let Some((module, event, mut data)) = base(&trigger.event) else {
        errors.push(
            "event",
            format!(
                "{:?} is not a fixture; known: {}.",
                trigger.event,
                NAMES.join(", ")
            ),
        );
        return Err(errors);
    };
    let o = trigger.overrides;
    let uid_overrides = [
        ("content_type", o.content_type.as_ref()),
        ("entry", o.entry.as_ref()),
        ("asset", o.asset.as_ref()),
    ];
    for (key, value) in uid_overrides {
        let Some(value) = value else { continue };
        match data.get_mut(key).and_then(Value::as_object_mut) {
            Some(item) => {
                item.insert("uid".into(), Value::String(value.clone()));
            }
            None => errors.push(
                format!("overrides.{key}"),
                format!("the {} fixture has no {key}.", trigger.event),
            ),
        }
    }
    if let Some(env) = &o.environment {
        match data.get_mut("environment").and_then(Value::as_object_mut) {
            Some(item) => {
                item.insert("uid".into(), Value::String(env.clone()));
                item.insert("name".into(), Value::String(env.clone()));
            }
            None => errors.push(
                "overrides.environment",
                format!("the {} fixture has no environment.", trigger.event),
            ),
        }
    }
    if let Some(locale) = &o.locale {
        let mut placed = false;
        if data.contains_key("locale") {
            data.insert("locale".into(), Value::String(locale.clone()));
            placed = true;
        }
        if let Some(entry) = data.get_mut("entry").and_then(Value::as_object_mut) {
            entry.insert("locale".into(), Value::String(locale.clone()));
            placed = true;
        }
        if !placed {
            errors.push(
                "overrides.locale",
                format!("the {} fixture has no locale.", trigger.event),
            );
        }
    }
    for (path, value) in o.set {
        if let Err(message) = set_path(&mut data, &path, value) {
            errors.push(format!("overrides.set.{path}"), message);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let channel = channel_spec(module, &event, &data).map_err(|message| {
        let mut errors = FieldErrors::default();
        errors.push("overrides", message);
        errors
    })?;
    Ok(EventRequest {
        module: module.to_owned(),
        event,
        data,
        channel,
        source: None,
        branch: o.branch,
        triggered_at: None,
    })
}

/// Sets `data.<path>`; the parent must be an object in the fixture, and a
/// value already there keeps its JSON type.
fn set_path(data: &mut Map<String, Value>, path: &str, value: Value) -> Result<(), String> {
    let segments: Vec<&str> = path.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err("is not a dot path like entry.title.".into());
    }
    let (last, parents) = segments.split_last().ok_or("is empty.")?;
    let mut here = data;
    for segment in parents {
        here = here
            .get_mut(*segment)
            .and_then(Value::as_object_mut)
            .ok_or_else(|| format!("{segment:?} is not an object in the fixture."))?;
    }
    if let Some(current) = here.get(*last)
        && kind(current) != kind(&value)
    {
        return Err(format!(
            "must be {} as in the fixture, not {}.",
            kind(current),
            kind(&value)
        ));
    }
    here.insert((*last).to_owned(), value);
    Ok(())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The channels of modules the event inference does not cover, from data.
fn channel_spec(
    module: &str,
    event: &str,
    data: &Map<String, Value>,
) -> Result<Option<ChannelSpec>, String> {
    let uid = |key: &str| {
        data.get(key)
            .and_then(|v| v.get("uid"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("data.{key}.uid must be a string."))
    };
    let scope = |collection: &str, uid: Option<String>, nested: bool, needs_uid: bool| ScopeSpec {
        collection: collection.to_owned(),
        uid,
        nested,
        collection_needs_uid: needs_uid,
    };
    let spec = match module {
        "comment" | "discussion" => ChannelSpec::Parts {
            scopes: vec![
                scope("content_types", Some(uid("content_type")?), false, false),
                scope("entries", Some(uid("entry")?), true, true),
                scope(&format!("{module}s"), None, false, false),
            ],
            action: vec![event.to_owned()],
        },
        "workflow" => {
            let workflow = data.get("workflow");
            let text = |v: Option<&Value>, what: &str| {
                v.and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| format!("data.{what} must be a string."))
            };
            let wf = text(workflow.and_then(|w| w.get("uid")), "workflow.uid")?;
            let stage = text(
                workflow
                    .and_then(|w| w.get("stage"))
                    .and_then(|s| s.get("uid")),
                "workflow.stage.uid",
            )?;
            // `content_types.entries.workflows`, then
            // `content_types[.{ct}].entries[.{entry}].workflows.{wf}[.{stage}]`.
            let mut channels = vec!["content_types.entries.workflows".to_owned()];
            for action in [vec!["workflows", &wf], vec!["workflows", &wf, &stage]] {
                let scopes = [
                    EventScope::new("content_types").with_uid(uid("content_type")?),
                    EventScope::new("entries").with_uid(uid("entry")?),
                ];
                let event = FiredEvent::new(scopes, action).map_err(|e| format!("{e}."))?;
                channels.extend(event.channels().into_iter().map(Channel::into_string));
            }
            ChannelSpec::List(channels)
        }
        "branch" => ChannelSpec::Parts {
            // Only deletion names the branch (`branch.{uid}.delete.completed`).
            scopes: vec![scope(
                "branch",
                (event == "delete").then(|| uid("branch")).transpose()?,
                false,
                false,
            )],
            action: vec![event.to_owned(), "completed".to_owned()],
        },
        "branch_alias" => ChannelSpec::Fixed(format!("branch_alias.{event}")),
        _ => return Ok(None),
    };
    Ok(Some(spec))
}
