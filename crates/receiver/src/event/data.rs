//! The `data` of an event, typed per module. Every struct keeps the fields it
//! does not name in `extra` (custom entry fields, fields Contentstack adds
//! later), and nearly every field is optional: concise payloads carry only a
//! few, and the catalogue is only partly documented.

use cs_webhooks_model::from_json_value;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::Module;

/// The `data` of an event.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq)]
pub enum EventData {
    /// `entry` events: created, updated, deleted, published, unpublished.
    Entry(EntryData),
    /// `asset` events.
    Asset(AssetData),
    /// `content_type` events.
    ContentType(ContentTypeData),
    /// `global_field` events.
    GlobalField(GlobalFieldData),
    /// `release` deployments.
    Release(ReleaseData),
    /// `comment` and `discussion` events.
    Comment(CommentData),
    /// `workflow` stage changes.
    Workflow(WorkflowData),
    /// `branch` and `branch_alias` events.
    Branch(BranchData),
    /// `taxonomy` and `term` events.
    Taxonomy(TaxonomyData),
    /// `variant` (entry variant) events.
    Variant(VariantData),
    /// Any other module: the data as sent (with `$` keys restored).
    Raw(Map<String, Value>),
}

impl EventData {
    /// Types `data` by module; the error names the field at fault.
    pub(super) fn parse(
        module: &Module,
        mut data: Map<String, Value>,
    ) -> Result<EventData, String> {
        fn typed<T: serde::de::DeserializeOwned>(data: Map<String, Value>) -> Result<T, String> {
            from_json_value(Value::Object(data)).map_err(|e| e.to_string())
        }
        Ok(match module {
            Module::Entry => EventData::Entry(typed(data)?),
            Module::Asset => EventData::Asset(typed(data)?),
            Module::ContentType => {
                let branch = take_typed(&mut data, "branch")?;
                let (content_type, extra) = own_or_nested(data, "content_type")?;
                EventData::ContentType(ContentTypeData {
                    content_type,
                    branch,
                    extra,
                })
            }
            Module::GlobalField => {
                let branch = take_typed(&mut data, "branch")?;
                let (global_field, extra) = own_or_nested(data, "global_field")?;
                EventData::GlobalField(GlobalFieldData {
                    global_field,
                    branch,
                    extra,
                })
            }
            Module::Release => EventData::Release(typed(data)?),
            Module::Comment | Module::Discussion => EventData::Comment(typed(data)?),
            Module::Workflow => EventData::Workflow(typed(data)?),
            Module::Branch | Module::BranchAlias => EventData::Branch(typed(data)?),
            Module::Taxonomy | Module::Term => EventData::Taxonomy(typed(data)?),
            Module::Variant => EventData::Variant(typed(data)?),
            Module::AssetFolder | Module::Unknown(_) => EventData::Raw(data),
        })
    }

    /// The branch the event happened on (`data.branch`), when sent.
    pub fn branch(&self) -> Option<&Branch> {
        match self {
            EventData::Entry(d) => d.branch.as_ref(),
            EventData::Asset(d) => d.branch.as_ref(),
            EventData::ContentType(d) => d.branch.as_ref(),
            EventData::GlobalField(d) => d.branch.as_ref(),
            EventData::Release(d) => d.branch.as_ref(),
            EventData::Comment(d) => d.branch.as_ref(),
            EventData::Workflow(d) => d.branch.as_ref(),
            EventData::Branch(d) => d.branch.as_ref(),
            EventData::Taxonomy(d) => d.branch.as_ref(),
            EventData::Variant(d) => d.branch.as_ref(),
            EventData::Raw(_) => None,
        }
    }
}

/// A content type or global field arrives either as `data.<key>` or as
/// `data` itself: take whichever is there, and the rest of `data`.
fn own_or_nested(
    mut data: Map<String, Value>,
    key: &str,
) -> Result<(ContentType, Map<String, Value>), String> {
    match data.remove(key) {
        Some(Value::Object(nested)) => {
            let item = from_json_value(Value::Object(nested)).map_err(|e| format!("{key}.{e}"))?;
            Ok((item, data))
        }
        Some(other) => {
            data.insert(key.to_owned(), other);
            let item = from_json_value(Value::Object(data)).map_err(|e| e.to_string())?;
            Ok((item, Map::new()))
        }
        None => {
            let item = from_json_value(Value::Object(data)).map_err(|e| e.to_string())?;
            Ok((item, Map::new()))
        }
    }
}

/// Takes `data.<key>` out of `data` and types it.
fn take_typed<T: serde::de::DeserializeOwned>(
    data: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<T>, String> {
    data.remove(key)
        .map(|v| from_json_value(v).map_err(|e| format!("{key}.{e}")))
        .transpose()
}

/// Deserializers that accept what Contentstack has been seen to send in
/// place of the documented type (`file_size: "251123"`).
mod lenient {
    use super::*;

    /// A count or version: a number, or a string of digits.
    pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        Ok(match Option::<Value>::deserialize(d)? {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        })
    }
}

/// An entry. Its custom fields are in `fields`.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Entry {
    /// The entry uid.
    pub uid: Option<String>,
    /// The title.
    pub title: Option<String>,
    /// The locale, e.g. `en-us`.
    pub locale: Option<String>,
    /// `_version`.
    #[serde(rename = "_version", default, deserialize_with = "lenient::opt_u64")]
    pub version: Option<u64>,
    /// Tags.
    pub tags: Option<Vec<Value>>,
    /// `_in_progress`: saved as a draft of a newer version.
    #[serde(rename = "_in_progress")]
    pub in_progress: Option<bool>,
    /// When it was created (ISO 8601).
    pub created_at: Option<String>,
    /// Who created it.
    pub created_by: Option<String>,
    /// When it was updated (ISO 8601).
    pub updated_at: Option<String>,
    /// Who updated it.
    pub updated_by: Option<String>,
    /// Custom fields and everything else.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

/// A content type (or a global field, which has the same shape).
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ContentType {
    /// The uid.
    pub uid: Option<String>,
    /// The title.
    pub title: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The field definitions.
    pub schema: Option<Vec<Value>>,
    /// Options (`is_page`, `singleton`, `title`, ...).
    pub options: Option<Map<String, Value>>,
    /// When it was created.
    pub created_at: Option<String>,
    /// When it was updated.
    pub updated_at: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An asset.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Asset {
    /// The asset uid.
    pub uid: Option<String>,
    /// The title.
    pub title: Option<String>,
    /// The file name.
    pub filename: Option<String>,
    /// The delivery URL.
    pub url: Option<String>,
    /// The MIME type, e.g. `image/jpeg`.
    pub content_type: Option<String>,
    /// The size in bytes (sent as a number or a string).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub file_size: Option<u64>,
    /// The folder's uid.
    pub parent_uid: Option<String>,
    /// Whether this is a folder.
    pub is_dir: Option<bool>,
    /// Tags.
    pub tags: Option<Vec<Value>>,
    /// `_version`.
    #[serde(rename = "_version", default, deserialize_with = "lenient::opt_u64")]
    pub version: Option<u64>,
    /// When it was updated.
    pub updated_at: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The branch an event happened on, or a branch event's branch.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Branch {
    /// The branch uid, e.g. `main`.
    pub uid: Option<String>,
    /// The branch it was created from.
    pub source: Option<String>,
    /// Aliases pointing to it.
    pub alias: Option<Vec<Value>>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A release.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Release {
    /// The release uid.
    pub uid: Option<String>,
    /// The name.
    pub name: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The items in it.
    pub items: Option<Vec<Value>>,
    /// Whether it is locked.
    pub locked: Option<bool>,
    /// Everything else (`status`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An item with a uid and a name or title: comments, discussions,
/// workflows, stages, taxonomies, terms, variants, aliases, environments
/// (whose payloads are less documented).
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Item {
    /// The uid.
    pub uid: Option<String>,
    /// The name.
    pub name: Option<String>,
    /// The title.
    pub title: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `environment` in publish events: a uid/name string or an object.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Environment {
    /// Sent as a string.
    Name(String),
    /// Sent as an object.
    Item(Item),
}

impl Environment {
    /// The uid (or, failing that, the name) the channel uses.
    pub fn uid(&self) -> Option<&str> {
        match self {
            Environment::Name(s) => Some(s),
            Environment::Item(item) => item.uid.as_deref().or(item.name.as_deref()),
        }
    }
}

/// The publishing context some events carry (publish, unpublish, deploy).
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Publishing {
    /// The environment.
    pub environment: Option<Environment>,
    /// The locale published.
    pub locale: Option<String>,
    /// `publish`, `unpublish`, `deploy`.
    pub action: Option<String>,
    /// The outcome, as sent.
    pub status: Option<Value>,
}

/// `data` of entry events.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct EntryData {
    /// The entry (concise payloads: uid, title, locale and version only).
    pub entry: Option<Entry>,
    /// Its content type (concise payloads: uid and title only).
    pub content_type: Option<ContentType>,
    /// The branch.
    pub branch: Option<Branch>,
    /// Publish events' context.
    #[serde(flatten)]
    pub publishing: Publishing,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of asset events.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct AssetData {
    /// The asset.
    pub asset: Option<Asset>,
    /// The branch.
    pub branch: Option<Branch>,
    /// Publish events' context.
    #[serde(flatten)]
    pub publishing: Publishing,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of content type events.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContentTypeData {
    /// The content type (sent as `data.content_type` or as `data` itself).
    pub content_type: ContentType,
    /// The branch.
    pub branch: Option<Branch>,
    /// Everything else besides the content type.
    pub extra: Map<String, Value>,
}

/// `data` of global field events.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GlobalFieldData {
    /// The global field (sent as `data.global_field` or as `data` itself).
    pub global_field: ContentType,
    /// The branch.
    pub branch: Option<Branch>,
    /// Everything else besides the global field.
    pub extra: Map<String, Value>,
}

/// `data` of release events.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ReleaseData {
    /// The release.
    pub release: Option<Release>,
    /// The branch.
    pub branch: Option<Branch>,
    /// Deployment context (environment, action `deploy`, status).
    #[serde(flatten)]
    pub publishing: Publishing,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of comment and discussion events.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct CommentData {
    /// The content type.
    pub content_type: Option<ContentType>,
    /// The entry, for comments on an entry.
    pub entry: Option<Entry>,
    /// The comment.
    pub comment: Option<Item>,
    /// The discussion.
    pub discussion: Option<Item>,
    /// The branch.
    pub branch: Option<Branch>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of workflow events.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct WorkflowData {
    /// The content type.
    pub content_type: Option<ContentType>,
    /// The entry.
    pub entry: Option<Entry>,
    /// The workflow (its stage details are in `extra`).
    pub workflow: Option<Item>,
    /// The branch.
    pub branch: Option<Branch>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of branch and branch alias events.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct BranchData {
    /// The branch.
    pub branch: Option<Branch>,
    /// The alias (alias events).
    pub alias: Option<Item>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of taxonomy and term events.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct TaxonomyData {
    /// The taxonomy.
    pub taxonomy: Option<Item>,
    /// The term (term events).
    pub term: Option<Item>,
    /// The branch.
    pub branch: Option<Branch>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `data` of entry variant events.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct VariantData {
    /// The content type.
    pub content_type: Option<ContentType>,
    /// The base entry.
    pub entry: Option<Entry>,
    /// The variant.
    pub variant: Option<Item>,
    /// The branch.
    pub branch: Option<Branch>,
    /// Publish events' context.
    #[serde(flatten)]
    pub publishing: Publishing,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
