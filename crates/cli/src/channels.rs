//! `cs-webhooks channels`: the channel grammar, and whether strings are channels.

use cs_webhooks_blocking::model::{Channel, ChannelError, ChannelKind};
use serde_json::json;

use crate::failure::Failure;
use crate::output::{Format, List};

/// `channels` flags.
#[derive(Debug, clap::Args)]
pub struct ChannelsArgs {
    /// Check these strings instead of listing the patterns.
    #[arg(long, num_args = 1.., value_name = "CHANNEL")]
    pub validate: Vec<String>,
    /// With --validate: accept a channel of valid syntax that no documented
    /// pattern matches (a channel newer than our catalogue). Without it such
    /// a channel is a typo, reported with the closest documented channel.
    #[arg(long, requires = "validate")]
    pub allow_unknown: bool,
}

/// The documented channel patterns by family (`{x}` is a uid, `[...]` optional).
const PATTERNS: &[(&str, &str)] = &[
    (
        "entry",
        "content_types[.{ct}].entries.{create,update,delete}",
    ),
    (
        "entry",
        "content_types.{ct}.entries.{entry}.{update,delete}",
    ),
    (
        "entry publish",
        "content_types.entries.{publish,unpublish}[.fail]",
    ),
    (
        "entry publish",
        "content_types.entries.environments[.{env}].{publish,unpublish}.success",
    ),
    (
        "asset",
        "assets.{create,update,delete}, assets.{asset}.{update,delete}, asset publish and unpublish",
    ),
    (
        "content type",
        "content_types.{create,update,delete}, content_types.{ct}.{update,delete}",
    ),
    (
        "global field",
        "global_fields.{create,update,delete}, global_fields.{gf}.{update,delete}",
    ),
    (
        "branch",
        "branch.{create,delete}.{initiated,completed}, branch.{uid}.delete...",
    ),
    ("branch alias", "branch_alias.{assigned,unassigned}"),
    (
        "comment",
        "content_types[.{ct}[.entries.{entry}]].comments.{create,update,delete}",
    ),
    (
        "discussion",
        "content_types[.{ct}[.entries.{entry}]].discussions.{create,resolve,reopen}",
    ),
    (
        "workflow",
        "content_types[.{ct}].entries[.{entry}].workflows.{wf}[.{stage}]",
    ),
    (
        "variant",
        "content_types[.{ct}].entries[.{entry}].variants...",
    ),
    ("taxonomy", "taxonomies..., including terms"),
    (
        "job",
        "jobs.environments[.{env}].{publish,unpublish}.completed",
    ),
    (
        "release",
        "releases[.{release}].environments[.{env}].deploy[.{status}]",
    ),
    (
        "app lifecycle",
        "cs.apps.installations.{install,uninstall,update,upgrade}",
    ),
];

/// Runs `channels`; exit 2 when a string is not a channel at all.
pub fn run(args: &ChannelsArgs, format: Format) -> Result<(), Failure> {
    if args.validate.is_empty() {
        let mut list = List::new(format, &["FAMILY", "PATTERN"]);
        for (family, pattern) in PATTERNS {
            list.push(
                json!({"family": family, "pattern": pattern}),
                vec![(*family).to_owned(), (*pattern).to_owned()],
            )?;
        }
        return list.finish();
    }
    let mut list = List::new(format, &["CHANNEL", "VALID", "FAMILY"]);
    let mut invalid = Vec::new();
    for text in &args.validate {
        let checked = if args.allow_unknown {
            Channel::custom(text.as_str())
        } else {
            Channel::new(text.as_str())
        };
        match checked {
            Ok(channel) => {
                let family = family(channel.kind());
                list.push(
                    json!({"channel": text, "valid": true, "family": family}),
                    vec![
                        text.clone(),
                        "yes".into(),
                        family
                            .unwrap_or("unknown (valid syntax, no documented pattern)")
                            .into(),
                    ],
                )?;
            }
            Err(e) => {
                match e {
                    ChannelError::Unknown { .. } => {
                        eprintln!("error: {e} (or pass --allow-unknown)")
                    }
                    _ => eprintln!("error: {text:?} is not a channel: {e}"),
                }
                invalid.push(text.clone());
                list.push(
                    json!({"channel": text, "valid": false, "error": e.to_string()}),
                    vec![text.clone(), "no".into(), "-".into()],
                )?;
            }
        }
    }
    list.finish()?;
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(Failure::Usage(format!(
            "not channels: {}",
            invalid.join(", ")
        )))
    }
}

fn family(kind: ChannelKind) -> Option<&'static str> {
    Some(match kind {
        ChannelKind::Entry => "entry",
        ChannelKind::EntryPublish => "entry publish",
        ChannelKind::Asset => "asset",
        ChannelKind::ContentType => "content type",
        ChannelKind::GlobalField => "global field",
        ChannelKind::Branch => "branch",
        ChannelKind::BranchAlias => "branch alias",
        ChannelKind::Comment => "comment",
        ChannelKind::Discussion => "discussion",
        ChannelKind::Workflow => "workflow",
        ChannelKind::Variant => "variant",
        ChannelKind::Taxonomy => "taxonomy",
        ChannelKind::Job => "job",
        ChannelKind::Release => "release",
        ChannelKind::AppLifecycle => "app lifecycle",
        _ => return None,
    })
}
