//! Webhook channels: parsing, classification, typed builders, and working out
//! which channels a fired event matches.
//!
//! A channel is a dot-separated list of segments such as
//! `content_types.ref.entries.update`. Leaving out a `{uid}` segment means
//! "any": `content_types.entries.update` (any entry) contains
//! `content_types.{ct}.entries.update`, which contains
//! `content_types.{ct}.entries.{entry}.update`. When an event fires, its
//! execution lists every channel it matched, from general to specific; see
//! [`Channel::matches_for`] and [`FiredEvent`].

use std::borrow::{Borrow, Cow};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A syntactically valid webhook channel, kept as the exact string it was made from.
///
/// Grammar: one or more non-empty segments of `A-Z a-z 0-9 _ -`, separated by
/// single dots. Channels this crate does not know (the catalogue keeps growing,
/// and the docs disagree on some spellings) are still valid and round-trip
/// unchanged: parsing then [`Display`](fmt::Display) gives back the input.
/// [`kind`](Channel::kind) says which documented family a channel belongs to.
///
/// Serde reads and writes it as a plain JSON string; reading fails with the
/// [`ChannelError`] message when the string breaks the grammar.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Channel {
    raw: String,
}

/// Why a string or an event description does not make a valid channel.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// The channel string is empty.
    #[error("channel is empty")]
    Empty,
    /// Two dots in a row, or a leading or trailing dot.
    #[error(
        "channel has an empty segment at position {position} (counting from 0; look for a leading, trailing or doubled '.')"
    )]
    EmptySegment {
        /// Index of the empty segment among the dot-separated segments.
        position: usize,
    },
    /// A character outside `A-Z a-z 0-9 _ -` and the separating dots.
    #[error(
        "channel has invalid character {ch:?} at byte {byte} (segments allow only A-Z, a-z, 0-9, '_' and '-')"
    )]
    InvalidChar {
        /// The offending character.
        ch: char,
        /// Its byte offset in the channel string.
        byte: usize,
    },
    /// A uid, collection or action given to a builder cannot be a single segment.
    #[error(
        "{what} {value:?} is not a valid channel segment (it must be non-empty and use only A-Z, a-z, 0-9, '_' and '-')"
    )]
    InvalidSegment {
        /// What the value was meant to be, e.g. `content type uid`.
        what: Cow<'static, str>,
        /// The rejected value.
        value: String,
    },
    /// An event description whose most general channel would have no segment at all.
    #[error("event description has no fixed segment, so its most general channel would be empty")]
    EmptyEvent,
    /// An event description with more optional uids than the match list can enumerate.
    #[error("event description has {count} uids; at most {max} are supported")]
    TooManyUids {
        /// How many uids the description carries.
        count: usize,
        /// The limit, [`FiredEvent::MAX_UIDS`].
        max: usize,
    },
}

/// The documented channel family a [`Channel`] belongs to.
///
/// Classification follows the patterns of the Contentstack "Webhook events"
/// catalogue. The grammar is ambiguous when a uid equals a keyword
/// (`content_types.entries.update` could be "any entry updated" or "content
/// type `entries` updated"); such channels go to the deeper family (here
/// [`Entry`](ChannelKind::Entry)), which is what Contentstack means by them.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    /// `content_types[.{ct}].entries.{create,update,delete}`, `content_types.{ct}.entries.{entry}.{update,delete}`.
    Entry,
    /// `content_types.entries.{publish,unpublish}[.fail]`, `content_types.entries.environments[.{env}].{publish,unpublish}.success`.
    EntryPublish,
    /// `assets...`, including asset publish and unpublish.
    Asset,
    /// `content_types.{create,update,delete}`, `content_types.{ct}.{update,delete}`.
    ContentType,
    /// `global_fields.{create,update,delete}`, `global_fields.{gf}.{update,delete}`.
    GlobalField,
    /// `branch.{create,delete}.{initiated,completed}`, `branch.{uid}.delete...` (also the hyphenated spelling).
    Branch,
    /// `branch_alias.{assigned,unassigned}`.
    BranchAlias,
    /// `content_types[.{ct}[.entries.{entry}]].comments.{create,update,delete}`.
    Comment,
    /// `content_types[.{ct}[.entries.{entry}]].discussions.{create,resolve,reopen}`.
    Discussion,
    /// `content_types.entries.workflows`, `content_types[.{ct}].entries[.{entry}].workflows.{wf}[.{stage}]`.
    Workflow,
    /// `content_types[.{ct}].entries[.{entry}].variants...`.
    Variant,
    /// `taxonomies...`, including terms.
    Taxonomy,
    /// `jobs.environments[.{env}].{publish,unpublish}.completed`.
    Job,
    /// `releases[.{release}].environments[.{env}].deploy[.{status}]`.
    Release,
    /// `cs.apps.installations.{install,uninstall,update,upgrade}`.
    AppLifecycle,
    /// Valid syntax, but no documented pattern.
    Unknown,
}

/// An action on a collection channel (`content_types.entries.create`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// `create`
    Create,
    /// `update`
    Update,
    /// `delete`
    Delete,
}

/// An action on a single-item channel; an item that has a uid already exists,
/// so `create` is not offered (`content_types.{ct}.create` is not a channel).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemAction {
    /// `update`
    Update,
    /// `delete`
    Delete,
}

/// A publishing action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PublishAction {
    /// `publish`
    Publish,
    /// `unpublish`
    Unpublish,
}

impl Action {
    /// The channel segment, e.g. `create`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

impl ItemAction {
    /// The channel segment, e.g. `update`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ItemAction::Update => "update",
            ItemAction::Delete => "delete",
        }
    }
}

impl From<ItemAction> for Action {
    fn from(action: ItemAction) -> Self {
        match action {
            ItemAction::Update => Action::Update,
            ItemAction::Delete => Action::Delete,
        }
    }
}

impl PublishAction {
    /// The channel segment, e.g. `publish`.
    pub const fn as_str(self) -> &'static str {
        match self {
            PublishAction::Publish => "publish",
            PublishAction::Unpublish => "unpublish",
        }
    }
}

/// Whether `ch` may appear in a segment.
fn is_segment_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'
}

/// Whether `s` is exactly one valid segment.
fn is_valid_segment(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_segment_char)
}

/// Checks `s` against the channel grammar, reporting the first problem from the left.
fn validate(s: &str) -> Result<(), ChannelError> {
    if s.is_empty() {
        return Err(ChannelError::Empty);
    }
    let mut position = 0;
    let mut segment_is_empty = true;
    for (byte, ch) in s.char_indices() {
        if ch == '.' {
            if segment_is_empty {
                return Err(ChannelError::EmptySegment { position });
            }
            position += 1;
            segment_is_empty = true;
        } else if is_segment_char(ch) {
            segment_is_empty = false;
        } else {
            return Err(ChannelError::InvalidChar { ch, byte });
        }
    }
    if segment_is_empty {
        return Err(ChannelError::EmptySegment { position });
    }
    Ok(())
}

/// Checks that a builder argument is a single segment.
fn check_segment(what: impl Into<Cow<'static, str>>, value: &str) -> Result<(), ChannelError> {
    if is_valid_segment(value) {
        Ok(())
    } else {
        Err(ChannelError::InvalidSegment {
            what: what.into(),
            value: value.to_owned(),
        })
    }
}

impl Channel {
    /// Parses a channel string.
    pub fn new(raw: impl Into<String>) -> Result<Self, ChannelError> {
        let raw = raw.into();
        validate(&raw)?;
        Ok(Channel { raw })
    }

    /// Joins segments that the caller has already validated.
    fn from_valid_segments(segments: &[&str]) -> Self {
        let raw = segments.join(".");
        debug_assert!(
            validate(&raw).is_ok(),
            "builder produced invalid channel {raw:?}"
        );
        Channel { raw }
    }

    /// The channel exactly as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Consumes the channel, returning its string.
    pub fn into_string(self) -> String {
        self.raw
    }

    /// The dot-separated segments, in order; never empty, no segment is empty.
    pub fn segments(&self) -> impl DoubleEndedIterator<Item = &str> + Clone {
        self.raw.split('.')
    }

    /// The documented family this channel belongs to, or [`ChannelKind::Unknown`].
    pub fn kind(&self) -> ChannelKind {
        // A fixed buffer keeps classification allocation-free; anything longer
        // than the longest documented pattern is unknown anyway.
        let mut buf = [""; MAX_PATTERN_LEN];
        let mut len = 0;
        for seg in self.segments() {
            let Some(slot) = buf.get_mut(len) else {
                return ChannelKind::Unknown;
            };
            *slot = seg;
            len += 1;
        }
        let segs = &buf[..len];
        PATTERNS
            .iter()
            .find(|(_, pattern)| matches_pattern(pattern, None, segs))
            .map_or(ChannelKind::Unknown, |(kind, _)| *kind)
    }

    /// Every channel `event` matches, from general to specific; the list an
    /// execution records. Same as [`FiredEvent::channels`].
    pub fn matches_for(event: &FiredEvent) -> Vec<Channel> {
        event.channels()
    }

    /// Whether this channel is among [`matches_for(event)`](Channel::matches_for),
    /// i.e. whether a webhook subscribed to it fires for `event`.
    pub fn matches(&self, event: &FiredEvent) -> bool {
        event.is_matched_by(self)
    }

    /// `content_types.entries.{action}`: the action on any entry.
    pub fn entries(action: Action) -> Channel {
        Self::from_valid_segments(&["content_types", "entries", action.as_str()])
    }

    /// `content_types.{ct}.entries.{action}`: the action on any entry of one content type.
    pub fn entries_of(content_type_uid: &str, action: Action) -> Result<Channel, ChannelError> {
        check_segment("content type uid", content_type_uid)?;
        Ok(Self::from_valid_segments(&[
            "content_types",
            content_type_uid,
            "entries",
            action.as_str(),
        ]))
    }

    /// `content_types.{ct}.entries.{entry}.{action}`: one entry updated or deleted.
    pub fn entry(
        content_type_uid: &str,
        entry_uid: &str,
        action: ItemAction,
    ) -> Result<Channel, ChannelError> {
        check_segment("content type uid", content_type_uid)?;
        check_segment("entry uid", entry_uid)?;
        Ok(Self::from_valid_segments(&[
            "content_types",
            content_type_uid,
            "entries",
            entry_uid,
            action.as_str(),
        ]))
    }

    /// `content_types.entries.{publish,unpublish}`: the publish request for any entry.
    pub fn entries_publish(action: PublishAction) -> Channel {
        Self::from_valid_segments(&["content_types", "entries", action.as_str()])
    }

    /// `content_types.entries.{publish,unpublish}.fail`.
    pub fn entries_publish_failed(action: PublishAction) -> Channel {
        Self::from_valid_segments(&["content_types", "entries", action.as_str(), "fail"])
    }

    /// `content_types.entries.environments.{publish,unpublish}.success`: in any environment.
    pub fn entries_publish_succeeded(action: PublishAction) -> Channel {
        Self::from_valid_segments(&[
            "content_types",
            "entries",
            "environments",
            action.as_str(),
            "success",
        ])
    }

    /// `content_types.entries.environments.{env}.{publish,unpublish}.success`.
    pub fn entries_publish_succeeded_in(
        environment_uid: &str,
        action: PublishAction,
    ) -> Result<Channel, ChannelError> {
        check_segment("environment uid", environment_uid)?;
        Ok(Self::from_valid_segments(&[
            "content_types",
            "entries",
            "environments",
            environment_uid,
            action.as_str(),
            "success",
        ]))
    }

    /// `assets.{action}`: the action on any asset.
    pub fn assets(action: Action) -> Channel {
        Self::from_valid_segments(&["assets", action.as_str()])
    }

    /// `assets.{asset}.{action}`: one asset updated or deleted.
    pub fn asset(asset_uid: &str, action: ItemAction) -> Result<Channel, ChannelError> {
        check_segment("asset uid", asset_uid)?;
        Ok(Self::from_valid_segments(&[
            "assets",
            asset_uid,
            action.as_str(),
        ]))
    }

    /// `assets.{publish,unpublish}`.
    pub fn assets_publish(action: PublishAction) -> Channel {
        Self::from_valid_segments(&["assets", action.as_str()])
    }

    /// `assets.{publish,unpublish}.fail`.
    pub fn assets_publish_failed(action: PublishAction) -> Channel {
        Self::from_valid_segments(&["assets", action.as_str(), "fail"])
    }

    /// `assets.environments.{publish,unpublish}.success`: in any environment.
    pub fn assets_publish_succeeded(action: PublishAction) -> Channel {
        Self::from_valid_segments(&["assets", "environments", action.as_str(), "success"])
    }

    /// `assets.environments.{env}.{publish,unpublish}.success`.
    pub fn assets_publish_succeeded_in(
        environment_uid: &str,
        action: PublishAction,
    ) -> Result<Channel, ChannelError> {
        check_segment("environment uid", environment_uid)?;
        Ok(Self::from_valid_segments(&[
            "assets",
            "environments",
            environment_uid,
            action.as_str(),
            "success",
        ]))
    }

    /// `content_types.{action}`: the action on any content type.
    pub fn content_types(action: Action) -> Channel {
        Self::from_valid_segments(&["content_types", action.as_str()])
    }

    /// `content_types.{ct}.{action}`: one content type updated or deleted.
    pub fn content_type(
        content_type_uid: &str,
        action: ItemAction,
    ) -> Result<Channel, ChannelError> {
        check_segment("content type uid", content_type_uid)?;
        Ok(Self::from_valid_segments(&[
            "content_types",
            content_type_uid,
            action.as_str(),
        ]))
    }

    /// `global_fields.{action}`: the action on any global field.
    pub fn global_fields(action: Action) -> Channel {
        Self::from_valid_segments(&["global_fields", action.as_str()])
    }

    /// `global_fields.{gf}.{action}`: one global field updated or deleted.
    pub fn global_field(
        global_field_uid: &str,
        action: ItemAction,
    ) -> Result<Channel, ChannelError> {
        check_segment("global field uid", global_field_uid)?;
        Ok(Self::from_valid_segments(&[
            "global_fields",
            global_field_uid,
            action.as_str(),
        ]))
    }

    /// `releases[.{release}].environments[.{env}].deploy[.{status}]`; `None` leaves a part out ("any").
    pub fn releases_deploy(
        release_uid: Option<&str>,
        environment_uid: Option<&str>,
        status: Option<&str>,
    ) -> Result<Channel, ChannelError> {
        let mut segs = vec!["releases"];
        if let Some(r) = release_uid {
            check_segment("release uid", r)?;
            segs.push(r);
        }
        segs.push("environments");
        if let Some(e) = environment_uid {
            check_segment("environment uid", e)?;
            segs.push(e);
        }
        segs.push("deploy");
        if let Some(s) = status {
            check_segment("deploy status", s)?;
            segs.push(s);
        }
        Ok(Self::from_valid_segments(&segs))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl FromStr for Channel {
    type Err = ChannelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::new(s)
    }
}

impl TryFrom<String> for Channel {
    type Error = ChannelError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Channel::new(s)
    }
}

impl TryFrom<&str> for Channel {
    type Error = ChannelError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Channel::new(s)
    }
}

impl From<Channel> for String {
    fn from(c: Channel) -> Self {
        c.raw
    }
}

impl AsRef<str> for Channel {
    fn as_ref(&self) -> &str {
        &self.raw
    }
}

/// Lets a `HashSet<Channel>` be queried with a `&str` (hash and order agree with `str`'s).
impl Borrow<str> for Channel {
    fn borrow(&self) -> &str {
        &self.raw
    }
}

impl PartialEq<str> for Channel {
    fn eq(&self, other: &str) -> bool {
        self.raw == other
    }
}

impl PartialEq<&str> for Channel {
    fn eq(&self, other: &&str) -> bool {
        self.raw == *other
    }
}

impl Serialize for Channel {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Channel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Channel::new(raw).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------
// Fired events and their match lists
// ---------------------------------------------------------------------------

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

    /// Whether `channel` is among [`channels`](Self::channels), without building the list.
    pub fn is_matched_by(&self, channel: &Channel) -> bool {
        self.allowed_masks()
            .any(|mask| channel.segments().eq(self.segments_for(mask)))
    }

    /// For each uid (in scope order), the index of the uid it is nested in, if any.
    fn uid_parents(&self) -> Vec<Option<usize>> {
        let mut parents = Vec::new();
        let mut last_uid: Option<usize> = None;
        for scope in self.scopes.iter().filter(|s| s.uid.is_some()) {
            let index = parents.len();
            parents.push(if scope.nested { last_uid } else { None });
            last_uid = Some(index);
        }
        parents
    }

    /// The uid selections (bit i = include uid i) that respect nesting.
    fn allowed_masks(&self) -> impl Iterator<Item = u32> {
        let parents = self.uid_parents();
        let n = parents.len();
        // n <= MAX_UIDS (checked in `new`), so the shift cannot overflow.
        (0..(1u32 << n)).filter(move |mask| {
            parents.iter().enumerate().all(|(i, parent)| {
                let included = mask & (1 << i) != 0;
                !included || parent.is_none_or(|p| mask & (1 << p) != 0)
            })
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
        check_segment("asset uid", asset_uid)?;
        Ok(Self::fixed(
            vec![EventScope::new("assets").with_uid(asset_uid)],
            &[action.as_str()],
        ))
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
        check_segment("content type uid", content_type_uid)?;
        Ok(Self::fixed(
            vec![EventScope::new("content_types").with_uid(content_type_uid)],
            &[action.as_str()],
        ))
    }

    /// A global field created: `global_fields.create`.
    pub fn global_field_created() -> Self {
        Self::fixed(vec![EventScope::new("global_fields")], &["create"])
    }

    /// A global field updated or deleted: `global_fields.{action}`, `global_fields.{gf}.{action}`.
    pub fn global_field(global_field_uid: &str, action: ItemAction) -> Result<Self, ChannelError> {
        check_segment("global field uid", global_field_uid)?;
        Ok(Self::fixed(
            vec![EventScope::new("global_fields").with_uid(global_field_uid)],
            &[action.as_str()],
        ))
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

// ---------------------------------------------------------------------------
// Classification patterns
// ---------------------------------------------------------------------------

/// One token of a documented channel pattern.
#[derive(Clone, Copy)]
enum Tok {
    /// Exactly this segment.
    Lit(&'static str),
    /// One of these segments.
    OneOf(&'static [&'static str]),
    /// Any segment (a uid).
    Uid,
    /// The inner tokens, or nothing.
    Opt(&'static [Tok]),
}

/// What remains to match after an optional group (a linked list on the stack).
struct Cont<'a> {
    pattern: &'a [Tok],
    next: Option<&'a Cont<'a>>,
}

/// Backtracking match of `segs` against `pattern` followed by `next`. Recursion
/// depth is bounded by the (static, short) patterns, not by the input.
fn matches_pattern(pattern: &[Tok], next: Option<&Cont<'_>>, segs: &[&str]) -> bool {
    let Some((tok, rest)) = pattern.split_first() else {
        return match next {
            Some(cont) => matches_pattern(cont.pattern, cont.next, segs),
            None => segs.is_empty(),
        };
    };
    let one = |accept: &dyn Fn(&str) -> bool| matches!(segs.split_first(), Some((seg, tail)) if accept(seg) && matches_pattern(rest, next, tail));
    match *tok {
        Tok::Lit(lit) => one(&|seg| seg == lit),
        Tok::OneOf(set) => one(&|seg| set.contains(&seg)),
        Tok::Uid => one(&|_| true),
        Tok::Opt(inner) => {
            let after = Cont {
                pattern: rest,
                next,
            };
            matches_pattern(inner, Some(&after), segs) || matches_pattern(rest, next, segs)
        }
    }
}

/// Longer than any documented pattern (the longest, variant publish, has 10 segments).
const MAX_PATTERN_LEN: usize = 12;

const CRUD: &[&str] = &["create", "update", "delete"];
const UPDATE_DELETE: &[&str] = &["update", "delete"];
const PUBLISH: &[&str] = &["publish", "unpublish"];
const TAXONOMY_ACTIONS: &[&str] = &["update", "delete", "localize", "unlocalize"];
const TERM_ACTIONS: &[&str] = &["create", "update", "delete", "localize", "unlocalize"];
const OPT_UID: Tok = Tok::Opt(&[Tok::Uid]);
/// `[.{ct}[.entries.{entry}]]` of comments and discussions.
const CT_ENTRY_SCOPE: Tok = Tok::Opt(&[Tok::Uid, Tok::Opt(&[Tok::Lit("entries"), Tok::Uid])]);

/// The catalogue, tried in order; one line per pattern of the "Webhook events"
/// table. Families that hang below `content_types...entries` come before
/// `Entry` and `ContentType` so that the deeper reading of an ambiguous
/// channel wins.
#[rustfmt::skip]
const PATTERNS: &[(ChannelKind, &[Tok])] = {
    use ChannelKind as K;
    use Tok::{Lit, OneOf, Opt, Uid};
    const CT: Tok = Lit("content_types");
    const ENTRIES: Tok = Lit("entries");
    &[
        (K::Branch, &[Lit("branch"), OneOf(&["create", "delete"]), OneOf(&["initiated", "completed"])]),
        (K::Branch, &[Lit("branch"), Uid, Lit("delete"), OneOf(&["initiated", "completed"])]),
        (K::Branch, &[Lit("branch"), OneOf(&["create-initiated", "create-completed", "delete-initiated", "delete-completed"])]),
        (K::Branch, &[Lit("branch"), Uid, OneOf(&["delete-initiated", "delete-completed"])]),
        (K::BranchAlias, &[Lit("branch_alias"), OneOf(&["assigned", "unassigned"])]),
        (K::AppLifecycle, &[Lit("cs"), Lit("apps"), Lit("installations"), OneOf(&["install", "uninstall", "update", "upgrade"])]),
        (K::Job, &[Lit("jobs"), Lit("environments"), OPT_UID, OneOf(PUBLISH), Lit("completed")]),
        (K::Release, &[Lit("releases"), OPT_UID, Lit("environments"), OPT_UID, Lit("deploy"), OPT_UID]),
        (K::Taxonomy, &[Lit("taxonomies"), Lit("create")]),
        (K::Taxonomy, &[Lit("taxonomies"), OPT_UID, OneOf(TAXONOMY_ACTIONS)]),
        (K::Taxonomy, &[Lit("taxonomies"), OPT_UID, Lit("terms"), OneOf(TERM_ACTIONS)]),
        (K::Asset, &[Lit("assets"), OneOf(CRUD)]),
        (K::Asset, &[Lit("assets"), Uid, OneOf(UPDATE_DELETE)]),
        (K::Asset, &[Lit("assets"), OneOf(PUBLISH), Opt(&[Lit("fail")])]),
        (K::Asset, &[Lit("assets"), Lit("environments"), OPT_UID, OneOf(PUBLISH), Lit("success")]),
        (K::GlobalField, &[Lit("global_fields"), OneOf(CRUD)]),
        (K::GlobalField, &[Lit("global_fields"), Uid, OneOf(UPDATE_DELETE)]),
        (K::Comment, &[CT, CT_ENTRY_SCOPE, Lit("comments"), OneOf(CRUD)]),
        (K::Discussion, &[CT, CT_ENTRY_SCOPE, Lit("discussions"), OneOf(&["create", "resolve", "reopen"])]),
        (K::Workflow, &[CT, ENTRIES, Lit("workflows")]),
        (K::Workflow, &[CT, OPT_UID, ENTRIES, OPT_UID, Lit("workflows"), Uid, OPT_UID]),
        (K::Variant, &[CT, OPT_UID, ENTRIES, OPT_UID, Lit("variants"), OneOf(CRUD)]),
        (K::Variant, &[CT, OPT_UID, ENTRIES, OPT_UID, Lit("variants"), Uid, OneOf(UPDATE_DELETE)]),
        (K::Variant, &[CT, OPT_UID, ENTRIES, OPT_UID, Lit("variants"), OPT_UID, Lit("environments"), OPT_UID, OneOf(PUBLISH), OneOf(&["success", "fail"])]),
        (K::EntryPublish, &[CT, ENTRIES, OneOf(PUBLISH), Opt(&[Lit("fail")])]),
        (K::EntryPublish, &[CT, ENTRIES, Lit("environments"), OPT_UID, OneOf(PUBLISH), Lit("success")]),
        (K::Entry, &[CT, OPT_UID, ENTRIES, OneOf(CRUD)]),
        (K::Entry, &[CT, Uid, ENTRIES, Uid, OneOf(UPDATE_DELETE)]),
        (K::ContentType, &[CT, OneOf(CRUD)]),
        (K::ContentType, &[CT, Uid, OneOf(UPDATE_DELETE)]),
    ]
};

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(channels: &[Channel]) -> Vec<&str> {
        channels.iter().map(Channel::as_str).collect()
    }

    #[test]
    fn executions_sample_entry_update() {
        let event = FiredEvent::entry("ref", "bltd97eb3484fc00c48", ItemAction::Update).unwrap();
        assert_eq!(
            strs(&Channel::matches_for(&event)),
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
            strs(&Channel::matches_for(&event)),
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
            assert!(Channel::new(c).unwrap().matches(&event), "{c}");
        }
        for c in no {
            assert!(!Channel::new(c).unwrap().matches(&event), "{c}");
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

    #[test]
    fn builders() {
        let ok = |c: Result<Channel, ChannelError>| c.unwrap().into_string();
        assert_eq!(
            Channel::entries(Action::Create),
            "content_types.entries.create"
        );
        assert_eq!(
            ok(Channel::entries_of("blog", Action::Delete)),
            "content_types.blog.entries.delete"
        );
        assert_eq!(
            ok(Channel::entry("blog", "blt1", ItemAction::Update)),
            "content_types.blog.entries.blt1.update"
        );
        assert_eq!(
            Channel::entries_publish(PublishAction::Publish),
            "content_types.entries.publish"
        );
        assert_eq!(
            Channel::entries_publish_failed(PublishAction::Unpublish),
            "content_types.entries.unpublish.fail"
        );
        assert_eq!(
            Channel::entries_publish_succeeded(PublishAction::Publish),
            "content_types.entries.environments.publish.success"
        );
        assert_eq!(
            ok(Channel::entries_publish_succeeded_in(
                "prod",
                PublishAction::Unpublish
            )),
            "content_types.entries.environments.prod.unpublish.success"
        );
        assert_eq!(Channel::assets(Action::Update), "assets.update");
        assert_eq!(
            ok(Channel::asset("a1", ItemAction::Delete)),
            "assets.a1.delete"
        );
        assert_eq!(
            Channel::assets_publish(PublishAction::Unpublish),
            "assets.unpublish"
        );
        assert_eq!(
            Channel::assets_publish_failed(PublishAction::Publish),
            "assets.publish.fail"
        );
        assert_eq!(
            Channel::assets_publish_succeeded(PublishAction::Publish),
            "assets.environments.publish.success"
        );
        assert_eq!(
            ok(Channel::assets_publish_succeeded_in(
                "prod",
                PublishAction::Publish
            )),
            "assets.environments.prod.publish.success"
        );
        assert_eq!(
            Channel::content_types(Action::Create),
            "content_types.create"
        );
        assert_eq!(
            ok(Channel::content_type("blog", ItemAction::Update)),
            "content_types.blog.update"
        );
        assert_eq!(
            Channel::global_fields(Action::Delete),
            "global_fields.delete"
        );
        assert_eq!(
            ok(Channel::global_field("seo", ItemAction::Update)),
            "global_fields.seo.update"
        );
        assert_eq!(
            ok(Channel::releases_deploy(None, None, None)),
            "releases.environments.deploy"
        );
        assert_eq!(
            ok(Channel::releases_deploy(
                Some("r1"),
                Some("prod"),
                Some("success")
            )),
            "releases.r1.environments.prod.deploy.success"
        );
        assert_eq!(Action::from(ItemAction::Delete), Action::Delete);

        let err = Channel::entry("blog", "a.b", ItemAction::Update).unwrap_err();
        assert_eq!(
            err,
            ChannelError::InvalidSegment {
                what: "entry uid".into(),
                value: "a.b".into()
            }
        );
        assert!(
            err.to_string()
                .starts_with(r#"entry uid "a.b" is not a valid channel segment"#)
        );
        assert!(Channel::entries_of("", Action::Create).is_err());
        assert!(Channel::asset("a$", ItemAction::Update).is_err());
        assert!(Channel::releases_deploy(Some("r"), Some(" "), None).is_err());
    }

    #[test]
    fn builder_channels_classify() {
        use ChannelKind as K;
        let cases = [
            (Channel::entries(Action::Create), K::Entry),
            (
                Channel::entries_of("blog", Action::Update).unwrap(),
                K::Entry,
            ),
            (
                Channel::entry("blog", "e", ItemAction::Delete).unwrap(),
                K::Entry,
            ),
            (
                Channel::entries_publish(PublishAction::Publish),
                K::EntryPublish,
            ),
            (
                Channel::entries_publish_failed(PublishAction::Publish),
                K::EntryPublish,
            ),
            (
                Channel::entries_publish_succeeded(PublishAction::Unpublish),
                K::EntryPublish,
            ),
            (
                Channel::entries_publish_succeeded_in("p", PublishAction::Publish).unwrap(),
                K::EntryPublish,
            ),
            (Channel::assets(Action::Delete), K::Asset),
            (Channel::asset("a", ItemAction::Update).unwrap(), K::Asset),
            (Channel::assets_publish(PublishAction::Publish), K::Asset),
            (
                Channel::assets_publish_failed(PublishAction::Unpublish),
                K::Asset,
            ),
            (
                Channel::assets_publish_succeeded_in("p", PublishAction::Publish).unwrap(),
                K::Asset,
            ),
            (Channel::content_types(Action::Create), K::ContentType),
            (
                Channel::content_type("blog", ItemAction::Update).unwrap(),
                K::ContentType,
            ),
            (Channel::global_fields(Action::Update), K::GlobalField),
            (
                Channel::global_field("g", ItemAction::Delete).unwrap(),
                K::GlobalField,
            ),
            (
                Channel::releases_deploy(Some("r"), None, Some("fail")).unwrap(),
                K::Release,
            ),
        ];
        for (channel, kind) in cases {
            assert_eq!(channel.kind(), kind, "{channel}");
        }
    }

    #[test]
    fn kind_of_catalogue_channels() {
        use ChannelKind as K;
        let cases = [
            ("branch.create.initiated", K::Branch),
            ("branch.delete.completed", K::Branch),
            ("branch.dev.delete.initiated", K::Branch),
            ("branch.create-initiated", K::Branch),
            ("branch.dev.delete-completed", K::Branch),
            ("branch_alias.assigned", K::BranchAlias),
            ("branch_alias.unassigned", K::BranchAlias),
            ("content_types.create", K::ContentType),
            ("content_types.blog.delete", K::ContentType),
            ("global_fields.update", K::GlobalField),
            ("global_fields.seo.update", K::GlobalField),
            ("content_types.entries.update", K::Entry),
            ("content_types.blog.entries.create", K::Entry),
            ("content_types.blog.entries.e1.delete", K::Entry),
            ("content_types.entries.publish", K::EntryPublish),
            ("content_types.entries.unpublish.fail", K::EntryPublish),
            (
                "content_types.entries.environments.publish.success",
                K::EntryPublish,
            ),
            (
                "content_types.entries.environments.prod.unpublish.success",
                K::EntryPublish,
            ),
            ("content_types.comments.create", K::Comment),
            ("content_types.blog.comments.update", K::Comment),
            ("content_types.blog.entries.e1.comments.delete", K::Comment),
            ("content_types.discussions.resolve", K::Discussion),
            (
                "content_types.blog.entries.e1.discussions.reopen",
                K::Discussion,
            ),
            ("content_types.entries.workflows", K::Workflow),
            ("content_types.entries.workflows.wf1", K::Workflow),
            (
                "content_types.blog.entries.e1.workflows.wf1.stage2",
                K::Workflow,
            ),
            ("content_types.entries.variants.create", K::Variant),
            ("content_types.blog.entries.variants.v1.update", K::Variant),
            (
                "content_types.blog.entries.e1.variants.v1.environments.prod.publish.success",
                K::Variant,
            ),
            (
                "content_types.entries.variants.environments.unpublish.fail",
                K::Variant,
            ),
            ("taxonomies.create", K::Taxonomy),
            ("taxonomies.localize", K::Taxonomy),
            ("taxonomies.colors.delete", K::Taxonomy),
            ("taxonomies.terms.unlocalize", K::Taxonomy),
            ("taxonomies.colors.terms.create", K::Taxonomy),
            ("jobs.environments.publish.completed", K::Job),
            ("jobs.environments.prod.unpublish.completed", K::Job),
            ("assets.create", K::Asset),
            ("assets.a1.update", K::Asset),
            ("assets.publish", K::Asset),
            ("assets.unpublish.fail", K::Asset),
            ("assets.environments.prod.publish.success", K::Asset),
            ("releases.environments.deploy", K::Release),
            ("releases.r1.environments.prod.deploy.success", K::Release),
            ("cs.apps.installations.install", K::AppLifecycle),
            ("cs.apps.installations.upgrade", K::AppLifecycle),
            ("content_types", K::Unknown),
            ("content_types.blog.create", K::Unknown),
            ("content_types.entries.e1.update", K::Unknown),
            ("assets.a1.create", K::Unknown),
            ("taxonomies.colors.create", K::Unknown),
            ("branch.create", K::Unknown),
            ("something.new", K::Unknown),
            ("a.b.c.d.e.f.g.h.i.j.k.l.m.n", K::Unknown),
        ];
        for (raw, kind) in cases {
            assert_eq!(Channel::new(raw).unwrap().kind(), kind, "{raw}");
        }
    }

    #[test]
    fn parse_errors_name_the_problem() {
        assert_eq!(Channel::new(""), Err(ChannelError::Empty));
        assert_eq!(
            Channel::new("."),
            Err(ChannelError::EmptySegment { position: 0 })
        );
        assert_eq!(
            Channel::new(".a"),
            Err(ChannelError::EmptySegment { position: 0 })
        );
        assert_eq!(
            Channel::new("a."),
            Err(ChannelError::EmptySegment { position: 1 })
        );
        assert_eq!(
            Channel::new("a.b..c"),
            Err(ChannelError::EmptySegment { position: 2 })
        );
        assert_eq!(
            Channel::new("assets.$x"),
            Err(ChannelError::InvalidChar { ch: '$', byte: 7 })
        );
        assert_eq!(
            Channel::new("é.a"),
            Err(ChannelError::InvalidChar { ch: 'é', byte: 0 })
        );
        assert_eq!(
            Channel::new("a b").unwrap_err().to_string(),
            "channel has invalid character ' ' at byte 1 (segments allow only A-Z, a-z, 0-9, '_' and '-')"
        );
        assert_eq!(
            Channel::new("a..b").unwrap_err().to_string(),
            "channel has an empty segment at position 1 (counting from 0; look for a leading, trailing or doubled '.')"
        );
        assert_eq!(
            Channel::new("").unwrap_err().to_string(),
            "channel is empty"
        );
    }

    #[test]
    fn string_conversions() {
        let raw = "branch.create-initiated";
        let c: Channel = raw.parse().unwrap();
        assert_eq!(c.to_string(), raw);
        assert_eq!(c.as_str(), raw);
        assert_eq!(AsRef::<str>::as_ref(&c), raw);
        assert_eq!(
            c.segments().collect::<Vec<_>>(),
            ["branch", "create-initiated"]
        );
        assert_eq!(c.segments().next_back(), Some("create-initiated"));
        assert_eq!(Channel::try_from(raw).unwrap(), c);
        assert_eq!(Channel::try_from(raw.to_owned()).unwrap(), c);
        assert_eq!(String::from(c.clone()), raw);
        let set: HashSet<Channel> = [c].into_iter().collect();
        assert!(set.contains(raw));
    }

    #[test]
    fn serde_as_plain_string() {
        let c = Channel::new("content_types.ref.entries.update").unwrap();
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#""content_types.ref.entries.update""#
        );
        let list: Vec<Channel> =
            serde_json::from_str(r#"["assets.update","some.future.channel"]"#).unwrap();
        assert_eq!(list[1].kind(), ChannelKind::Unknown);
        assert_eq!(list[1], "some.future.channel");
        let err = serde_json::from_str::<Channel>(r#""assets..update""#).unwrap_err();
        assert!(
            err.to_string().contains("empty segment at position 1"),
            "{err}"
        );
        assert!(serde_json::from_str::<Channel>("3").is_err());
    }
}
