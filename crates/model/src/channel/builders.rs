//! Typed constructors of the documented channels, e.g.
//! [`Channel::entries`]`(`[`Action::Create`]`)` for
//! `content_types.entries.create`, and the action enums they take. Uids are
//! checked to be single segments, so a builder never makes an invalid channel.

use super::{Channel, ChannelError, check_segment, validate};

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

impl Channel {
    /// Joins segments that the caller has already validated.
    fn from_valid_segments(segments: &[&str]) -> Self {
        let raw = segments.join(".");
        debug_assert!(
            validate(&raw).is_ok(),
            "builder produced invalid channel {raw:?}"
        );
        Channel { raw }
    }

    /// `{collection}.{uid}.{action}`: one item of a top-level collection
    /// updated or deleted; `what` names the uid in the error.
    fn top_level_item(
        collection: &'static str,
        what: &'static str,
        uid: &str,
        action: ItemAction,
    ) -> Result<Channel, ChannelError> {
        check_segment(what, uid)?;
        Ok(Self::from_valid_segments(&[
            collection,
            uid,
            action.as_str(),
        ]))
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
        Self::top_level_item("assets", "asset uid", asset_uid, action)
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
        Self::top_level_item(
            "content_types",
            "content type uid",
            content_type_uid,
            action,
        )
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
        Self::top_level_item(
            "global_fields",
            "global field uid",
            global_field_uid,
            action,
        )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ChannelKind;

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
}
