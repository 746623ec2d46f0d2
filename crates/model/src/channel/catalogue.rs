//! The documented channel families: [`ChannelKind`], the catalogue of
//! documented channel patterns, and [`Channel::kind`], which classifies a
//! channel by the first pattern it fits.

use super::Channel;
use super::pattern::{self, Seg, Tok};

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

impl Channel {
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
            .find(|(_, tokens)| pattern::matches(tokens, segs))
            .map_or(ChannelKind::Unknown, |(kind, _)| *kind)
    }
}

/// The documented channel closest to `segs` (a channel of unknown kind), if
/// one is close enough to be a likely typo: same number of segments, uids
/// taken from the input, literal segments at the smallest total edit
/// distance. Ties go to the candidate with fewer uids (more of it checked).
pub(super) fn closest(segs: &[&str]) -> Option<String> {
    let mut best: Option<(usize, usize, Vec<Seg>)> = None;
    for (_, tokens) in PATTERNS {
        for candidate in pattern::expansions(tokens, segs.len()) {
            let mut cost = 0;
            let mut uids = 0;
            for (seg, input) in candidate.iter().zip(segs) {
                match seg {
                    Seg::Lit(lit) => cost += edit_distance(lit, input),
                    Seg::Uid => uids += 1,
                }
            }
            if best
                .as_ref()
                .is_none_or(|(c, u, _)| (cost, uids) < (*c, *u))
            {
                best = Some((cost, uids, candidate));
            }
        }
    }
    let (cost, _, candidate) = best?;
    // Beyond a few edits per changed word it is a different channel, not a typo.
    let budget = segs.iter().map(|s| s.len()).sum::<usize>() / 3;
    if cost == 0 || cost > budget.max(2) {
        return None;
    }
    let words: Vec<&str> = candidate
        .iter()
        .zip(segs)
        .map(|(seg, input)| match seg {
            Seg::Lit(lit) => *lit,
            Seg::Uid => *input,
        })
        .collect();
    Some(words.join("."))
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
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

    #[test]
    fn typos_suggest_the_closest_documented_channel() {
        let suggest = |raw: &str| closest(&raw.split('.').collect::<Vec<_>>());
        assert_eq!(
            suggest("content_types.entries.updtae").as_deref(),
            Some("content_types.entries.update")
        );
        assert_eq!(
            suggest("contnet_types.entries.update").as_deref(),
            Some("content_types.entries.update")
        );
        assert_eq!(
            suggest("content_types.blog.entry.create").as_deref(),
            Some("content_types.blog.entries.create")
        );
        assert_eq!(suggest("asset.create").as_deref(), Some("assets.create"));
        assert_eq!(suggest("something.new"), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
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
            assert_eq!(Channel::custom(raw).unwrap().kind(), kind, "{raw}");
        }
    }
}
