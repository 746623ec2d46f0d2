//! Working out the fired event (and so the matched channels) from a
//! delivered payload, with the model's channel rules.

use cs_webhooks_model::{Action, EventScope, FiredEvent, ItemAction, PublishAction};

use super::data::{ContentType, Entry, Environment, EventData, Item, Publishing};
use super::{Event, EventKind, Module};

/// The fired event, when module, event and data say enough.
pub(super) fn fired_event(event: &Event) -> Option<FiredEvent> {
    let kind = &event.event;
    match (&event.module, &event.data) {
        (Module::Entry, EventData::Entry(d)) => {
            let ct = uid_of_type(d.content_type.as_ref())?;
            match (kind, publish_outcome(kind)) {
                (EventKind::Create, _) => FiredEvent::entry_created(ct).ok(),
                (_, Some((action, Outcome::Success))) => {
                    FiredEvent::entry_publish_succeeded(environment(&d.publishing)?, action).ok()
                }
                (_, Some((action, Outcome::Fail))) => {
                    Some(FiredEvent::entry_publish_failed(action))
                }
                _ => {
                    FiredEvent::entry(ct, uid_of_entry(d.entry.as_ref())?, item_action(kind)?).ok()
                }
            }
        }
        (Module::Asset, EventData::Asset(d)) => match (kind, publish_outcome(kind)) {
            (EventKind::Create, _) => Some(FiredEvent::asset_created()),
            (_, Some((action, Outcome::Success))) => {
                FiredEvent::asset_publish_succeeded(environment(&d.publishing)?, action).ok()
            }
            (_, Some((action, Outcome::Fail))) => Some(FiredEvent::asset_publish_failed(action)),
            _ => FiredEvent::asset(d.asset.as_ref()?.uid.as_deref()?, item_action(kind)?).ok(),
        },
        (Module::ContentType, EventData::ContentType(d)) => match kind {
            EventKind::Create => Some(FiredEvent::content_type_created()),
            _ => FiredEvent::content_type(d.content_type.uid.as_deref()?, item_action(kind)?).ok(),
        },
        (Module::GlobalField, EventData::GlobalField(d)) => match kind {
            EventKind::Create => Some(FiredEvent::global_field_created()),
            _ => FiredEvent::global_field(d.global_field.uid.as_deref()?, item_action(kind)?).ok(),
        },
        (Module::Release, EventData::Release(d)) => {
            let status = d.publishing.status.as_ref().and_then(|s| s.as_str());
            FiredEvent::release_deployed(
                d.release.as_ref()?.uid.as_deref()?,
                environment(&d.publishing)?,
                status.filter(|s| !s.is_empty()),
            )
            .ok()
        }
        (Module::Comment, EventData::Comment(d)) => FiredEvent::comment(
            uid_of_type(d.content_type.as_ref())?,
            d.entry.as_ref().and_then(|e| e.uid.as_deref()),
            collection_action(kind)?,
        )
        .ok(),
        (Module::Discussion, EventData::Comment(d)) => {
            let action = match kind {
                EventKind::Create | EventKind::Resolve | EventKind::Reopen => kind.as_str(),
                _ => return None,
            };
            FiredEvent::new(
                [
                    EventScope::new("content_types")
                        .with_uid(uid_of_type(d.content_type.as_ref())?),
                    EventScope::new("entries")
                        .with_opt_uid(d.entry.as_ref().and_then(|e| e.uid.clone()))
                        .nested()
                        .collection_needs_uid(),
                    EventScope::new("discussions"),
                ],
                [action],
            )
            .ok()
        }
        (Module::Taxonomy, EventData::Taxonomy(d)) => {
            let action = taxonomy_action(kind)?;
            let scope = EventScope::new("taxonomies");
            let scope = if *kind == EventKind::Create {
                scope
            } else {
                scope.with_uid(uid(d.taxonomy.as_ref())?)
            };
            FiredEvent::new([scope], [action]).ok()
        }
        (Module::Term, EventData::Taxonomy(d)) => FiredEvent::new(
            [
                EventScope::new("taxonomies").with_uid(uid(d.taxonomy.as_ref())?),
                EventScope::new("terms"),
            ],
            [taxonomy_action(kind)?],
        )
        .ok(),
        (Module::Variant, EventData::Variant(d)) => {
            let ct = uid_of_type(d.content_type.as_ref())?;
            let entry = uid_of_entry(d.entry.as_ref())?;
            let mut scopes = vec![
                EventScope::new("content_types").with_uid(ct),
                EventScope::new("entries").with_uid(entry).nested(),
            ];
            let action: Vec<&str> = match (kind, publish_outcome(kind)) {
                (EventKind::Create, _) => {
                    scopes.push(EventScope::new("variants"));
                    vec!["create"]
                }
                (_, Some((action, outcome))) => {
                    scopes.push(EventScope::new("variants").with_uid(uid(d.variant.as_ref())?));
                    scopes.push(
                        EventScope::new("environments").with_uid(environment(&d.publishing)?),
                    );
                    vec![action.as_str(), outcome.as_str()]
                }
                _ => {
                    scopes.push(EventScope::new("variants").with_uid(uid(d.variant.as_ref())?));
                    vec![item_action(kind)?.as_str()]
                }
            };
            FiredEvent::new(scopes, action).ok()
        }
        _ => None,
    }
}

/// How a publish ended.
#[derive(Clone, Copy)]
enum Outcome {
    Success,
    Fail,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Fail => "fail",
        }
    }
}

/// `publish`, `publish.success`, `unpublish.fail`, ... (not `.start`: no channel).
fn publish_outcome(kind: &EventKind) -> Option<(PublishAction, Outcome)> {
    use EventKind as K;
    Some(match kind {
        K::Publish | K::PublishSuccess => (PublishAction::Publish, Outcome::Success),
        K::PublishFail => (PublishAction::Publish, Outcome::Fail),
        K::Unpublish | K::UnpublishSuccess => (PublishAction::Unpublish, Outcome::Success),
        K::UnpublishFail => (PublishAction::Unpublish, Outcome::Fail),
        _ => return None,
    })
}

fn item_action(kind: &EventKind) -> Option<ItemAction> {
    match kind {
        EventKind::Update => Some(ItemAction::Update),
        EventKind::Delete => Some(ItemAction::Delete),
        _ => None,
    }
}

fn collection_action(kind: &EventKind) -> Option<Action> {
    match kind {
        EventKind::Create => Some(Action::Create),
        other => item_action(other).map(Action::from),
    }
}

fn taxonomy_action(kind: &EventKind) -> Option<&'static str> {
    use EventKind as K;
    match kind {
        K::Create => Some("create"),
        K::Update => Some("update"),
        K::Delete => Some("delete"),
        K::Localize => Some("localize"),
        K::Unlocalize => Some("unlocalize"),
        _ => None,
    }
}

fn environment(publishing: &Publishing) -> Option<&str> {
    publishing.environment.as_ref().and_then(Environment::uid)
}

fn uid_of_type(content_type: Option<&ContentType>) -> Option<&str> {
    content_type?.uid.as_deref()
}

fn uid_of_entry(entry: Option<&Entry>) -> Option<&str> {
    entry?.uid.as_deref()
}

fn uid(item: Option<&Item>) -> Option<&str> {
    item?.uid.as_deref()
}
