//! Typed webhook events: the envelope `{module, event, api_key, triggered_at,
//! data, source}`, with `data` typed per module.

mod channels;
mod data;

use std::fmt;

use chrono::{DateTime, Utc};
use cs_webhooks_model::{Channel, EventSource, FiredEvent, unescape_dollar_keys};
use serde::Deserialize;
use serde_json::{Map, Value};

pub use data::{
    Asset, AssetData, Branch, BranchData, CommentData, ContentType, ContentTypeData, Entry,
    EntryData, Environment, EventData, GlobalFieldData, Item, Publishing, Release, ReleaseData,
    TaxonomyData, VariantData, WorkflowData,
};

/// Declares an open string enum: known values as variants, anything else
/// kept verbatim in `Unknown`, so new values never fail parsing.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[non_exhaustive]
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this crate does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The value as sent.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Unknown(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)*
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

open_enum! {
    /// The `module` of an event: which kind of item it concerns.
    Module {
        /// `entry`
        Entry = "entry",
        /// `asset`
        Asset = "asset",
        /// `asset_folder`
        AssetFolder = "asset_folder",
        /// `content_type`
        ContentType = "content_type",
        /// `global_field`
        GlobalField = "global_field",
        /// `release`
        Release = "release",
        /// `comment`
        Comment = "comment",
        /// `discussion`
        Discussion = "discussion",
        /// `workflow`
        Workflow = "workflow",
        /// `branch`
        Branch = "branch",
        /// `branch_alias`
        BranchAlias = "branch_alias",
        /// `taxonomy`
        Taxonomy = "taxonomy",
        /// `term` (a taxonomy term)
        Term = "term",
        /// `variant` (an entry variant)
        Variant = "variant",
    }
}

open_enum! {
    /// The `event` of an event: what happened.
    EventKind {
        /// `create`
        Create = "create",
        /// `update`
        Update = "update",
        /// `delete`
        Delete = "delete",
        /// `publish`
        Publish = "publish",
        /// `publish.start`
        PublishStart = "publish.start",
        /// `publish.success`
        PublishSuccess = "publish.success",
        /// `publish.fail`
        PublishFail = "publish.fail",
        /// `unpublish`
        Unpublish = "unpublish",
        /// `unpublish.start`
        UnpublishStart = "unpublish.start",
        /// `unpublish.success`
        UnpublishSuccess = "unpublish.success",
        /// `unpublish.fail`
        UnpublishFail = "unpublish.fail",
        /// `deploy` (a release)
        Deploy = "deploy",
        /// `resolve` (a discussion)
        Resolve = "resolve",
        /// `reopen` (a discussion)
        Reopen = "reopen",
        /// `localize` (a taxonomy or term)
        Localize = "localize",
        /// `unlocalize` (a taxonomy or term)
        Unlocalize = "unlocalize",
    }
}

/// A delivered event.
///
/// Parse one with [`Event::from_slice`]. Keys of `data` that Contentstack
/// escaped as `cs$...` are given back their `$` names. `channels()` lists the
/// channels the event matches, in the form webhooks subscribe with.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Which kind of item it concerns.
    pub module: Module,
    /// What happened.
    pub event: EventKind,
    /// The stack's API key.
    pub api_key: Option<String>,
    /// When Contentstack fired it.
    pub triggered_at: Option<DateTime<Utc>>,
    /// The item(s) concerned, typed per module.
    pub data: EventData,
    /// What caused it, when not a user (e.g. a release).
    pub source: Option<EventSource>,
    /// Envelope fields this crate does not know.
    pub extra: Map<String, Value>,
}

/// Why a body is not an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// Not JSON, not an object, or an envelope field of the wrong type.
    #[error("the body is not a webhook event: {0}")]
    Envelope(String),
    /// `data` does not have the shape its module has.
    #[error("the `data` of a {module} event is malformed: {detail}")]
    Data {
        /// The module.
        module: String,
        /// What is wrong (field path and problem).
        detail: String,
    },
}

impl Event {
    /// Parses a delivered body.
    ///
    /// A module this crate does not know gives [`EventData::Raw`], never an
    /// error; a known module's `data` of an unexpected shape (e.g. `entry`
    /// not an object) is an [`EventError::Data`].
    pub fn from_slice(body: &[u8]) -> Result<Event, EventError> {
        #[derive(Deserialize)]
        struct Envelope {
            module: String,
            event: String,
            #[serde(default)]
            api_key: Option<String>,
            #[serde(default)]
            triggered_at: Option<DateTime<Utc>>,
            #[serde(default)]
            data: Option<Value>,
            #[serde(default)]
            source: Option<EventSource>,
            #[serde(flatten)]
            extra: Map<String, Value>,
        }
        let envelope: Envelope =
            serde_json::from_slice(body).map_err(|e| EventError::Envelope(e.to_string()))?;
        let mut value = match envelope.data {
            Some(Value::Null) | None => Value::Object(Map::new()),
            Some(value) => value,
        };
        unescape_dollar_keys(&mut value);
        let Value::Object(data) = value else {
            return Err(EventError::Envelope("`data` is not an object".to_owned()));
        };
        let module = Module::from(envelope.module.as_str());
        let data = EventData::parse(&module, data).map_err(|detail| EventError::Data {
            module: envelope.module.clone(),
            detail,
        })?;
        Ok(Event {
            module,
            event: EventKind::from(envelope.event.as_str()),
            api_key: envelope.api_key,
            triggered_at: envelope.triggered_at,
            data,
            source: envelope.source,
            extra: envelope.extra,
        })
    }

    /// The fired event this delivery describes, from which its channels
    /// follow; `None` when the module and data do not say (see
    /// [`channels`](Event::channels)).
    pub fn fired_event(&self) -> Option<FiredEvent> {
        channels::fired_event(self)
    }

    /// Every channel the event matches, general to specific, with the
    /// model's [`Channel`], e.g. for an entry update
    /// `content_types.entries.update`, `content_types.blog.entries.update`,
    /// `content_types.blog.entries.blt1.update`.
    ///
    /// Worked out for entries (create, update, delete, publish, unpublish),
    /// assets, content types, global fields, releases, comments,
    /// discussions, taxonomies, terms and variants. Empty for modules whose
    /// payload does not tell the channel (branches and aliases, whose phase
    /// is not in the payload; workflows; unknown modules).
    pub fn channels(&self) -> Vec<Channel> {
        self.fired_event().map(|e| e.channels()).unwrap_or_default()
    }

    /// Whether a webhook subscribed to `channel` fires for this event.
    pub fn matches(&self, channel: &Channel) -> bool {
        self.fired_event().is_some_and(|e| channel.matches(&e))
    }
}
