//! Which channels a fired event matches: [`FiredEvent`] describes an event by
//! its [`EventScope`]s and action segments; [`FiredEvent::channels`] lists
//! every channel it matches, from general to specific (the list an execution
//! records), and [`Channel::matches`] tests one channel without building the
//! list.
//!
//! The emulator uses this to decide which webhooks an event triggers; a
//! webhook receiver can use it to list the channels of an event it got.

use std::collections::HashSet;

use super::{Action, Channel, ChannelError, ItemAction, PublishAction, check_segment};

impl Channel {
    /// Whether a webhook subscribed to this channel fires for `event`, i.e.
    /// whether this channel is among [`event.channels()`](FiredEvent::channels).
    pub fn matches(&self, event: &FiredEvent) -> bool {
        event
            .allowed_masks()
            .any(|mask| self.segments().eq(event.segments_for(mask)))
    }
}

/// One level of a [`FiredEvent`]: a fixed collection segment (`content_types`,
/// `entries`, `environments`, ...) and, optionally, the uid of the item the
/// event concerns at that level.
///
/// A uid may be left out of a matching channel ("any") or included. Two flags
/// capture the irregular parts of the catalogue:
/// - [`nested`](EventScope::nested): the uid may be included only when the
///   nearest outer scope that carries a uid includes its own (an entry uid
///   appears only after its content type uid: there is no
///   `content_types.entries.{entry}.update`).
/// - [`collection_needs_uid`](EventScope::collection_needs_uid): the collection
///   segment itself disappears with the uid (comments on an entry:
///   `content_types.{ct}.entries.{entry}.comments.create`, but
///   `content_types.{ct}.comments.create`, not `...{ct}.entries.comments...`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EventScope {
    collection: String,
    uid: Option<String>,
    nested: bool,
    collection_needs_uid: bool,
}

impl EventScope {
    /// A scope with no uid: its collection segment is always part of the channel.
    pub fn new(collection: impl Into<String>) -> Self {
        EventScope {
            collection: collection.into(),
            uid: None,
            nested: false,
            collection_needs_uid: false,
        }
    }

    /// Sets the uid of the item at this level; matching channels may include or omit it.
    #[must_use]
    pub fn with_uid(mut self, uid: impl Into<String>) -> Self {
        self.uid = Some(uid.into());
        self
    }

    /// Sets or clears the uid (convenient when the uid is itself optional).
    #[must_use]
    pub fn with_opt_uid(mut self, uid: Option<impl Into<String>>) -> Self {
        self.uid = uid.map(Into::into);
        self
    }

    /// The uid may be included only if the nearest outer uid is included.
    #[must_use]
    pub fn nested(mut self) -> Self {
        self.nested = true;
        self
    }

    /// The collection segment appears only together with the uid.
    #[must_use]
    pub fn collection_needs_uid(mut self) -> Self {
        self.collection_needs_uid = true;
        self
    }

    /// The collection segment.
    pub fn collection(&self) -> &str {
        &self.collection
    }

    /// The uid, if the event concerns one item at this level.
    pub fn uid(&self) -> Option<&str> {
        self.uid.as_deref()
    }

    /// Whether the uid is [`nested`](Self::nested) in the outer one.
    pub fn is_nested(&self) -> bool {
        self.nested
    }

    /// Whether the collection segment [needs the uid](Self::collection_needs_uid).
    pub fn is_collection_needing_uid(&self) -> bool {
        self.collection_needs_uid
    }
}

/// A fired event described by its scopes and trailing action segments, from
/// which the channels it matches follow.
///
/// An entry update of entry `blt1` in content type `ref` is the scopes
/// `content_types` (uid `ref`) and `entries` (uid `blt1`, nested) plus the
/// action `update`; it matches
/// `content_types.entries.update`, `content_types.ref.entries.update` and
/// `content_types.ref.entries.blt1.update`, in that order.
///
/// Order of [`channels`](Self::channels): channels with fewer uids come first;
/// among those with as many uids, the one including the outer uid comes first
/// (the index lists of included uids are compared lexicographically). So the
/// first channel includes no uid and the last includes all of them.
///
/// Constructors cover the documented events; workflow events are not offered
/// because their catalogue entry (`content_types.entries.workflows` besides
/// `...workflows.{wf}[.{stage}]`) does not follow the "omit any uid" rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FiredEvent {
    scopes: Vec<EventScope>,
    action: Vec<String>,
}

impl FiredEvent {
    /// The most uids an event may carry: the match list has up to 2^n entries.
    pub const MAX_UIDS: usize = 10;

    /// Describes an event from its scopes (outermost first) and its trailing
    /// action segments (each one segment: `["publish", "success"]`, not
    /// `["publish.success"]`).
    ///
    /// Fails when a collection, uid or action is not a valid segment, when
    /// the most general channel would be empty, or when more than
    /// [`MAX_UIDS`](Self::MAX_UIDS) uids are given.
    pub fn new(
        scopes: impl IntoIterator<Item = EventScope>,
        action: impl IntoIterator<Item: Into<String>>,
    ) -> Result<Self, ChannelError> {
        let scopes: Vec<EventScope> = scopes.into_iter().collect();
        let action: Vec<String> = action.into_iter().map(Into::into).collect();
        for scope in &scopes {
            check_segment("collection segment", &scope.collection)?;
            if let Some(uid) = &scope.uid {
                check_segment(format!("uid in `{}`", scope.collection), uid)?;
            }
        }
        for seg in &action {
            check_segment("action segment", seg)?;
        }
        let event = FiredEvent { scopes, action };
        let count = event.uid_count();
        if count > Self::MAX_UIDS {
            return Err(ChannelError::TooManyUids {
                count,
                max: Self::MAX_UIDS,
            });
        }
        if event.segments_for(0).next().is_none() {
            return Err(ChannelError::EmptyEvent);
        }
        Ok(event)
    }

    /// Builds an event from literal parts known to be valid.
    fn fixed(scopes: Vec<EventScope>, action: &[&str]) -> Self {
        FiredEvent {
            scopes,
            action: action.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// The scopes, outermost first.
    pub fn scopes(&self) -> &[EventScope] {
        &self.scopes
    }

    /// The trailing action segments.
    pub fn action(&self) -> &[String] {
        &self.action
    }

    /// How many scopes carry a uid.
    pub fn uid_count(&self) -> usize {
        self.scopes.iter().filter(|s| s.uid.is_some()).count()
    }

    /// Every channel this event matches, from general to specific, without
    /// duplicates (see the [type docs](FiredEvent) for the order).
    pub fn channels(&self) -> Vec<Channel> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for mask in self.ordered_masks() {
            let raw = self.segments_for(mask).collect::<Vec<_>>().join(".");
            // Different uid choices can spell the same channel (two scopes with
            // equal parts); keep the first, most general, occurrence.
            if seen.insert(raw.clone()) {
                out.push(Channel { raw });
            }
        }
        out
    }

    /// For each uid (in scope order), the bit of the uid it is nested in, or 0.
    /// A fixed array keeps [`Channel::matches`] allocation-free.
    fn uid_parent_bits(&self) -> [u32; Self::MAX_UIDS] {
        let mut parents = [0; Self::MAX_UIDS];
        let mut last_uid: Option<usize> = None;
        for (index, scope) in self.scopes.iter().filter(|s| s.uid.is_some()).enumerate() {
            let parent_bit = match last_uid {
                Some(parent) if scope.nested => 1 << parent,
                _ => 0,
            };
            if let Some(slot) = parents.get_mut(index) {
                *slot = parent_bit;
            }
            last_uid = Some(index);
        }
        parents
    }

    /// The uid selections (bit i = include uid i) that respect nesting.
    fn allowed_masks(&self) -> impl Iterator<Item = u32> {
        let parents = self.uid_parent_bits();
        // uid_count() <= MAX_UIDS (checked in `new`), so the shift cannot overflow.
        (0..(1u32 << self.uid_count())).filter(move |mask| {
            parents
                .iter()
                .enumerate()
                .all(|(i, parent)| mask & (1 << i) == 0 || mask & parent == *parent)
        })
    }

    /// [`allowed_masks`](Self::allowed_masks) from general to specific.
    fn ordered_masks(&self) -> Vec<u32> {
        let mut masks: Vec<u32> = self.allowed_masks().collect();
        masks.sort_by(|a, b| {
            a.count_ones().cmp(&b.count_ones()).then_with(|| {
                // Equal sizes: the set holding the lowest (outermost) uid where
                // the two differ comes first, i.e. lexicographic index lists.
                let diff = a ^ b;
                let lowest = diff & diff.wrapping_neg();
                if diff == 0 {
                    std::cmp::Ordering::Equal
                } else if a & lowest != 0 {
                    std::cmp::Ordering::Less
                } else {
                    std::cmp::Ordering::Greater
                }
            })
        });
        masks
    }

    /// The segments of the channel that includes exactly the uids in `mask`.
    fn segments_for(&self, mask: u32) -> impl Iterator<Item = &str> {
        self.scopes
            .iter()
            .scan(0usize, |next_uid, scope| {
                let index = scope.uid.as_ref().map(|_| {
                    let i = *next_uid;
                    *next_uid += 1;
                    i
                });
                Some((scope, index))
            })
            .flat_map(move |(scope, index)| {
                let included = index.is_some_and(|i| mask & (1 << i) != 0);
                let collection =
                    (included || !scope.collection_needs_uid).then_some(scope.collection.as_str());
                let uid = if included { scope.uid.as_deref() } else { None };
                collection.into_iter().chain(uid)
            })
            .chain(self.action.iter().map(String::as_str))
    }

    /// One item of a top-level collection updated or deleted:
    /// `{collection}[.{uid}].{action}`; `what` names the uid in the error.
    fn top_level_item(
        collection: &'static str,
        what: &'static str,
        uid: &str,
        action: ItemAction,
    ) -> Result<Self, ChannelError> {
        check_segment(what, uid)?;
        Ok(Self::fixed(
            vec![EventScope::new(collection).with_uid(uid)],
            &[action.as_str()],
        ))
    }

    /// An entry created in content type `ct`: `content_types[.{ct}].entries.create`.
    pub fn entry_created(content_type_uid: &str) -> Result<Self, ChannelError> {
        check_segment("content type uid", content_type_uid)?;
        Ok(Self::fixed(
            vec![
                EventScope::new("content_types").with_uid(content_type_uid),
                EventScope::new("entries"),
            ],
            &["create"],
        ))
    }

    /// An entry updated or deleted: `content_types.entries.{a}`,
    /// `content_types.{ct}.entries.{a}`, `content_types.{ct}.entries.{entry}.{a}`
    /// (the entry uid only ever appears after its content type uid).
    pub fn entry(
        content_type_uid: &str,
        entry_uid: &str,
        action: ItemAction,
    ) -> Result<Self, ChannelError> {
        check_segment("content type uid", content_type_uid)?;
        check_segment("entry uid", entry_uid)?;
        Ok(Self::fixed(
            vec![
                EventScope::new("content_types").with_uid(content_type_uid),
                EventScope::new("entries").with_uid(entry_uid).nested(),
            ],
            &[action.as_str()],
        ))
    }

    /// An entry published or unpublished in environment `env`:
    /// `content_types.entries.environments[.{env}].{action}.success`.
    pub fn entry_publish_succeeded(
        environment_uid: &str,
        action: PublishAction,
    ) -> Result<Self, ChannelError> {
        check_segment("environment uid", environment_uid)?;
        Ok(Self::fixed(
            vec![
                EventScope::new("content_types"),
                EventScope::new("entries"),
                EventScope::new("environments").with_uid(environment_uid),
            ],
            &[action.as_str(), "success"],
        ))
    }

    /// An entry publish or unpublish that failed: `content_types.entries.{action}.fail`.
    pub fn entry_publish_failed(action: PublishAction) -> Self {
        Self::fixed(
            vec![EventScope::new("content_types"), EventScope::new("entries")],
            &[action.as_str(), "fail"],
        )
    }

    /// A comment on a content type, or on one of its entries when `entry_uid` is given:
    /// `content_types[.{ct}[.entries.{entry}]].comments.{action}`.
    pub fn comment(
        content_type_uid: &str,
        entry_uid: Option<&str>,
        action: Action,
    ) -> Result<Self, ChannelError> {
        check_segment("content type uid", content_type_uid)?;
        if let Some(e) = entry_uid {
            check_segment("entry uid", e)?;
        }
        Ok(Self::fixed(
            vec![
                EventScope::new("content_types").with_uid(content_type_uid),
                EventScope::new("entries")
                    .with_opt_uid(entry_uid)
                    .nested()
                    .collection_needs_uid(),
                EventScope::new("comments"),
            ],
            &[action.as_str()],
        ))
    }

    /// An asset created: `assets.create`.
    pub fn asset_created() -> Self {
        Self::fixed(vec![EventScope::new("assets")], &["create"])
    }

    /// An asset updated or deleted: `assets.{action}`, `assets.{asset}.{action}`.
    pub fn asset(asset_uid: &str, action: ItemAction) -> Result<Self, ChannelError> {
        Self::top_level_item("assets", "asset uid", asset_uid, action)
    }

    /// An asset published or unpublished in environment `env`:
    /// `assets.environments[.{env}].{action}.success`.
    pub fn asset_publish_succeeded(
        environment_uid: &str,
        action: PublishAction,
    ) -> Result<Self, ChannelError> {
        check_segment("environment uid", environment_uid)?;
        Ok(Self::fixed(
            vec![
                EventScope::new("assets"),
                EventScope::new("environments").with_uid(environment_uid),
            ],
            &[action.as_str(), "success"],
        ))
    }

    /// An asset publish or unpublish that failed: `assets.{action}.fail`.
    pub fn asset_publish_failed(action: PublishAction) -> Self {
        Self::fixed(vec![EventScope::new("assets")], &[action.as_str(), "fail"])
    }

    /// A content type created: `content_types.create`.
    pub fn content_type_created() -> Self {
        Self::fixed(vec![EventScope::new("content_types")], &["create"])
    }

    /// A content type updated or deleted: `content_types.{action}`, `content_types.{ct}.{action}`.
    pub fn content_type(content_type_uid: &str, action: ItemAction) -> Result<Self, ChannelError> {
        Self::top_level_item(
            "content_types",
            "content type uid",
            content_type_uid,
            action,
        )
    }

    /// A global field created: `global_fields.create`.
    pub fn global_field_created() -> Self {
        Self::fixed(vec![EventScope::new("global_fields")], &["create"])
    }

    /// A global field updated or deleted: `global_fields.{action}`, `global_fields.{gf}.{action}`.
    pub fn global_field(global_field_uid: &str, action: ItemAction) -> Result<Self, ChannelError> {
        Self::top_level_item(
            "global_fields",
            "global field uid",
            global_field_uid,
            action,
        )
    }

    /// A release deployed to an environment, with an optional status segment:
    /// `releases[.{release}].environments[.{env}].deploy[.{status}]`.
    pub fn release_deployed(
        release_uid: &str,
        environment_uid: &str,
        status: Option<&str>,
    ) -> Result<Self, ChannelError> {
        check_segment("release uid", release_uid)?;
        check_segment("environment uid", environment_uid)?;
        if let Some(s) = status {
            check_segment("deploy status", s)?;
        }
        Ok(Self::fixed(
            vec![
                EventScope::new("releases").with_uid(release_uid),
                EventScope::new("environments").with_uid(environment_uid),
                // The status reads like a uid after the fixed `deploy` segment.
                EventScope::new("deploy").with_opt_uid(status),
            ],
            &[],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ChannelKind;

    fn strs(channels: &[Channel]) -> Vec<&str> {
        channels.iter().map(Channel::as_str).collect()
    }

    #[test]
    fn executions_sample_entry_update() {
        let event = FiredEvent::entry("ref", "bltd97eb3484fc00c48", ItemAction::Update).unwrap();
        assert_eq!(
            strs(&event.channels()),
            [
                "content_types.entries.update",
                "content_types.ref.entries.update",
                "content_types.ref.entries.bltd97eb3484fc00c48.update",
            ]
        );
    }

    #[test]
    fn executions_sample_asset_update() {
        let event = FiredEvent::asset("bltaa9509abac6e272b", ItemAction::Update).unwrap();
        assert_eq!(
            strs(&event.channels()),
            ["assets.update", "assets.bltaa9509abac6e272b.update"]
        );
    }

    #[test]
    fn generic_event_matches_the_constructor() {
        let generic = FiredEvent::new(
            [
                EventScope::new("content_types").with_uid("ref"),
                EventScope::new("entries")
                    .with_uid("bltd97eb3484fc00c48")
                    .nested(),
            ],
            ["update"],
        )
        .unwrap();
        let made = FiredEvent::entry("ref", "bltd97eb3484fc00c48", ItemAction::Update).unwrap();
        assert_eq!(generic, made);
    }

    #[test]
    fn independent_uids_order_outer_first() {
        let event = FiredEvent::new(
            [
                EventScope::new("content_types").with_uid("ct"),
                EventScope::new("entries").with_uid("e"),
                EventScope::new("variants"),
            ],
            ["create"],
        )
        .unwrap();
        assert_eq!(
            strs(&event.channels()),
            [
                "content_types.entries.variants.create",
                "content_types.ct.entries.variants.create",
                "content_types.entries.e.variants.create",
                "content_types.ct.entries.e.variants.create",
            ]
        );
        for c in event.channels() {
            assert_eq!(c.kind(), ChannelKind::Variant, "{c}");
        }
    }

    #[test]
    fn three_independent_uids_lexicographic() {
        let event = FiredEvent::release_deployed("r", "env", Some("success")).unwrap();
        assert_eq!(
            strs(&event.channels()),
            [
                "releases.environments.deploy",
                "releases.r.environments.deploy",
                "releases.environments.env.deploy",
                "releases.environments.deploy.success",
                "releases.r.environments.env.deploy",
                "releases.r.environments.deploy.success",
                "releases.environments.env.deploy.success",
                "releases.r.environments.env.deploy.success",
            ]
        );
        assert!(
            event
                .channels()
                .iter()
                .all(|c| c.kind() == ChannelKind::Release)
        );
        let without_status = FiredEvent::release_deployed("r", "env", None).unwrap();
        assert_eq!(without_status.channels().len(), 4);
    }

    #[test]
    fn event_constructors_produce_documented_channels() {
        use ChannelKind as K;
        let cases: Vec<(FiredEvent, Vec<&str>, K)> = vec![
            (
                FiredEvent::entry_created("blog").unwrap(),
                vec![
                    "content_types.entries.create",
                    "content_types.blog.entries.create",
                ],
                K::Entry,
            ),
            (
                FiredEvent::entry("blog", "e1", ItemAction::Delete).unwrap(),
                vec![
                    "content_types.entries.delete",
                    "content_types.blog.entries.delete",
                    "content_types.blog.entries.e1.delete",
                ],
                K::Entry,
            ),
            (
                FiredEvent::entry_publish_succeeded("production", PublishAction::Publish).unwrap(),
                vec![
                    "content_types.entries.environments.publish.success",
                    "content_types.entries.environments.production.publish.success",
                ],
                K::EntryPublish,
            ),
            (
                FiredEvent::entry_publish_failed(PublishAction::Unpublish),
                vec!["content_types.entries.unpublish.fail"],
                K::EntryPublish,
            ),
            (
                FiredEvent::comment("blog", Some("e1"), Action::Create).unwrap(),
                vec![
                    "content_types.comments.create",
                    "content_types.blog.comments.create",
                    "content_types.blog.entries.e1.comments.create",
                ],
                K::Comment,
            ),
            (
                FiredEvent::comment("blog", None, Action::Delete).unwrap(),
                vec![
                    "content_types.comments.delete",
                    "content_types.blog.comments.delete",
                ],
                K::Comment,
            ),
            (FiredEvent::asset_created(), vec!["assets.create"], K::Asset),
            (
                FiredEvent::asset("a1", ItemAction::Delete).unwrap(),
                vec!["assets.delete", "assets.a1.delete"],
                K::Asset,
            ),
            (
                FiredEvent::asset_publish_succeeded("staging", PublishAction::Unpublish).unwrap(),
                vec![
                    "assets.environments.unpublish.success",
                    "assets.environments.staging.unpublish.success",
                ],
                K::Asset,
            ),
            (
                FiredEvent::asset_publish_failed(PublishAction::Publish),
                vec!["assets.publish.fail"],
                K::Asset,
            ),
            (
                FiredEvent::content_type_created(),
                vec!["content_types.create"],
                K::ContentType,
            ),
            (
                FiredEvent::content_type("blog", ItemAction::Update).unwrap(),
                vec!["content_types.update", "content_types.blog.update"],
                K::ContentType,
            ),
            (
                FiredEvent::global_field_created(),
                vec!["global_fields.create"],
                K::GlobalField,
            ),
            (
                FiredEvent::global_field("seo", ItemAction::Delete).unwrap(),
                vec!["global_fields.delete", "global_fields.seo.delete"],
                K::GlobalField,
            ),
        ];
        for (event, expected, kind) in cases {
            let got = event.channels();
            assert_eq!(strs(&got), expected);
            for c in &got {
                assert_eq!(c.kind(), kind, "{c}");
                assert!(c.matches(&event), "{c}");
            }
        }
    }

    #[test]
    fn matches_is_membership() {
        let event = FiredEvent::entry("ref", "blt1", ItemAction::Update).unwrap();
        let yes = [
            "content_types.entries.update",
            "content_types.ref.entries.blt1.update",
        ];
        let no = [
            "content_types.entries.blt1.update",
            "content_types.ref.entries.blt2.update",
            "content_types.entries.delete",
            "content_types.ref.entries",
            "content_types.ref.entries.blt1.update.x",
            "assets.update",
        ];
        for c in yes {
            assert!(Channel::custom(c).unwrap().matches(&event), "{c}");
        }
        for c in no {
            assert!(!Channel::custom(c).unwrap().matches(&event), "{c}");
        }
    }

    #[test]
    fn duplicate_spellings_are_listed_once() {
        let event = FiredEvent::new(
            [
                EventScope::new("a").with_uid("x").collection_needs_uid(),
                EventScope::new("a").with_uid("x").collection_needs_uid(),
            ],
            ["go"],
        )
        .unwrap();
        assert_eq!(strs(&event.channels()), ["go", "a.x.go", "a.x.a.x.go"]);
    }

    #[test]
    fn event_validation() {
        assert_eq!(
            FiredEvent::new(Vec::<EventScope>::new(), Vec::<String>::new()),
            Err(ChannelError::EmptyEvent)
        );
        assert_eq!(
            FiredEvent::new(
                [EventScope::new("a").with_uid("x").collection_needs_uid()],
                Vec::<String>::new()
            ),
            Err(ChannelError::EmptyEvent)
        );
        let err =
            FiredEvent::new([EventScope::new("entries").with_uid("a.b")], ["update"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"uid in `entries` "a.b" is not a valid channel segment (it must be non-empty and use only A-Z, a-z, 0-9, '_' and '-')"#
        );
        assert!(matches!(
            FiredEvent::new([EventScope::new("")], ["x"]),
            Err(ChannelError::InvalidSegment { .. })
        ));
        assert!(matches!(
            FiredEvent::new([EventScope::new("a")], ["publish.success"]),
            Err(ChannelError::InvalidSegment { .. })
        ));
        let many = (0..11).map(|i| EventScope::new("c").with_uid(format!("u{i}")));
        assert_eq!(
            FiredEvent::new(many, ["x"]),
            Err(ChannelError::TooManyUids { count: 11, max: 10 })
        );
        let max = (0..10).map(|i| EventScope::new("c").with_uid(format!("u{i}")));
        assert_eq!(FiredEvent::new(max, ["x"]).unwrap().channels().len(), 1024);
        assert!(FiredEvent::entry("", "e", ItemAction::Update).is_err());
        assert!(FiredEvent::entry("ct", "e f", ItemAction::Update).is_err());
    }
}
