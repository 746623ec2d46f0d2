//! Webhook channels: the [`Channel`] type, its grammar, its string and serde
//! forms, and [`ChannelError`].
//!
//! A channel is a dot-separated list of segments such as
//! `content_types.ref.entries.update`. Leaving out a `{uid}` segment means
//! "any": `content_types.entries.update` (any entry) contains
//! `content_types.{ct}.entries.update`, which contains
//! `content_types.{ct}.entries.{entry}.update`.
//!
//! The other parts of the channel API live in submodules by role:
//! - `builders`: typed constructors of documented channels
//!   ([`Channel::entries`], ...) and the action enums they take;
//! - `catalogue`: the documented channel families, [`ChannelKind`] and
//!   [`Channel::kind`];
//! - `pattern`: the small pattern language the catalogue is written in;
//! - `fired_event`: which channels a fired event matches, [`FiredEvent`],
//!   [`FiredEvent::channels`] and [`Channel::matches`].

mod builders;
mod catalogue;
mod fired_event;
mod pattern;

pub use builders::{Action, ItemAction, PublishAction};
pub use catalogue::ChannelKind;
pub use fired_event::{EventScope, FiredEvent};

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A syntactically valid webhook channel, kept as the exact string it was made from.
///
/// Grammar: one or more non-empty segments of `A-Z a-z 0-9 _ -`, separated by
/// single dots. [`Channel::new`] and `str::parse` also require a documented
/// channel ([`kind`](Channel::kind) is not [`ChannelKind::Unknown`]), because a
/// misspelt channel is accepted by the API and then silently never fires;
/// their error suggests the closest documented channel. [`Channel::custom`]
/// accepts any channel of valid syntax, for channels the catalogue does not
/// know yet. Either way the channel round-trips unchanged: parsing then
/// [`Display`](fmt::Display) gives back the input.
///
/// Serde reads and writes it as a plain JSON string; reading accepts any
/// channel of valid syntax (the API's answers may hold channels newer than
/// this crate) and fails with the [`ChannelError`] message when the string
/// breaks the grammar.
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
    /// Valid syntax, but no documented channel has this shape; `suggestion`
    /// is the closest documented one, when one is close.
    #[error(
        "channel {channel:?} is not a documented channel{}; use `Channel::custom` to accept it anyway",
        suggestion.as_ref().map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default()
    )]
    Unknown {
        /// The channel as given.
        channel: String,
        /// The closest documented channel.
        suggestion: Option<String>,
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
    /// Parses a documented channel: the grammar, then the catalogue. An
    /// unknown channel fails with [`ChannelError::Unknown`] and the closest
    /// documented channel as a suggestion.
    ///
    /// ```
    /// use cs_webhooks_model::Channel;
    ///
    /// assert!(Channel::new("content_types.blog.entries.update").is_ok());
    /// let typo = Channel::new("content_types.entries.updtae").unwrap_err();
    /// assert!(typo.to_string().contains(r#"did you mean "content_types.entries.update"?"#));
    /// assert!(Channel::custom("content_types.entries.updtae").is_ok());
    /// ```
    pub fn new(raw: impl Into<String>) -> Result<Self, ChannelError> {
        let channel = Channel::custom(raw)?;
        if channel.kind() != ChannelKind::Unknown {
            return Ok(channel);
        }
        let segments: Vec<&str> = channel.segments().collect();
        let suggestion = catalogue::closest(&segments);
        Err(ChannelError::Unknown {
            channel: channel.raw,
            suggestion,
        })
    }

    /// Parses a channel of valid syntax that the catalogue need not know (a
    /// channel newer than this crate); only the grammar is checked.
    pub fn custom(raw: impl Into<String>) -> Result<Self, ChannelError> {
        let raw = raw.into();
        validate(&raw)?;
        Ok(Channel { raw })
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
        Channel::custom(raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

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
    fn unknown_channels_need_the_custom_constructor() {
        let err = "contnet_types.entries.update"
            .parse::<Channel>()
            .unwrap_err();
        assert_eq!(
            err,
            ChannelError::Unknown {
                channel: "contnet_types.entries.update".into(),
                suggestion: Some("content_types.entries.update".into()),
            }
        );
        assert_eq!(
            err.to_string(),
            "channel \"contnet_types.entries.update\" is not a documented channel (did you mean \"content_types.entries.update\"?); use `Channel::custom` to accept it anyway"
        );
        assert!(Channel::try_from("some.future.channel").is_err());
        assert_eq!(
            Channel::custom("some.future.channel").unwrap().kind(),
            ChannelKind::Unknown
        );
        // The grammar is checked first, by both.
        assert_eq!(
            Channel::custom("a..b"),
            Err(ChannelError::EmptySegment { position: 1 })
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
