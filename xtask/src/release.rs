//! The release check of `cargo xtask check`: the working tree's spec against
//! the last released one, and whether the crates' version says so.
//!
//! The last release is the highest `vX.Y.Z` git tag; without one, the highest
//! `openapi/released/webhooks-X.Y.Z.yaml` (a copy of the spec as released,
//! kept because a clone may lack tags). Under 0.x a breaking change needs the
//! minor version raised and an additive one the patch version.

use std::fmt;
use std::path::Path;

use cs_webhooks_codegen::Bump;

use crate::api_diff::{Format, diff_against, git, render, spec_at};

/// Where released specs are recorded, relative to the workspace root.
pub const RELEASED_DIR: &str = "openapi/released";

/// A `major.minor.patch` version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    /// Reads `1.2.3` (a leading `v` allowed).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().strip_prefix('v').unwrap_or(text.trim());
        let mut parts = text.split('.').map(|p| p.parse::<u64>().ok());
        let version = Version(parts.next()??, parts.next()??, parts.next()??);
        parts.next().is_none().then_some(version)
    }

    /// The lowest version after `self` that may carry changes needing `bump`.
    pub fn at_least(self, bump: Bump) -> Version {
        let Version(major, minor, patch) = self;
        match (bump, major) {
            (Bump::None, _) => self,
            (Bump::Patch, 0) => Version(0, minor, patch + 1),
            (Bump::Minor, 0) => Version(0, minor + 1, 0),
            (Bump::Patch, _) => Version(major, minor + 1, 0),
            (Bump::Minor, _) => Version(major + 1, 0, 0),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The last released spec.
pub struct Baseline {
    /// The version it was released as.
    pub version: Version,
    /// Where it came from: a tag or a recorded file.
    pub source: String,
    /// The spec's text.
    pub spec: String,
}

/// The last release: the highest version tag, else the highest recorded spec.
pub fn baseline(root: &Path) -> Result<Option<Baseline>, String> {
    let tags = git(root, &["tag", "--list", "v[0-9]*"]).unwrap_or_default();
    let tag = tags
        .lines()
        .filter_map(|t| Some((Version::parse(t)?, t.trim().to_string())))
        .max();
    if let Some((version, tag)) = tag {
        let spec = spec_at(root, &tag)?;
        return Ok(Some(Baseline {
            version,
            source: format!("tag {tag}"),
            spec,
        }));
    }
    let dir = root.join(RELEASED_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(None);
    };
    let recorded = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let version = name
                .strip_prefix("webhooks-")?
                .strip_suffix(".yaml")
                .and_then(Version::parse)?;
            Some((version, name))
        })
        .max();
    let Some((version, name)) = recorded else {
        return Ok(None);
    };
    let path = dir.join(&name);
    let spec = std::fs::read_to_string(&path)
        .map_err(|e| format!("{RELEASED_DIR}/{name}: cannot read it: {e}"))?;
    Ok(Some(Baseline {
        version,
        source: format!("{RELEASED_DIR}/{name}"),
        spec,
    }))
}

/// The crates' version: `[workspace.package] version` of the root manifest.
pub fn workspace_version(root: &Path) -> Result<Version, String> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))
        .map_err(|e| format!("Cargo.toml: cannot read it: {e}"))?;
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[workspace.package]";
        } else if in_package
            && let Some(value) = line.strip_prefix("version")
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            let value = value.trim().trim_matches('"');
            return Version::parse(value)
                .ok_or_else(|| format!("Cargo.toml: `{value}` is not a version"));
        }
    }
    Err("Cargo.toml: no version in [workspace.package]".into())
}

/// Checks the working tree's spec against the last release. `Ok` says what
/// was checked; `Err` names the changes and the version needed.
pub fn check(root: &Path) -> Result<String, String> {
    let Some(baseline) = baseline(root)? else {
        return Ok(format!(
            "release check: no v* tag and nothing in {RELEASED_DIR}: nothing to compare with"
        ));
    };
    let diff = diff_against(root, &baseline.source, &baseline.spec)?;
    let current = workspace_version(root)?;
    let needed = baseline.version.at_least(diff.bump());
    if current >= needed {
        return Ok(format!(
            "release check: version {current} fits the changes since {} ({}: {} breaking, {} additive)",
            baseline.version,
            baseline.source,
            diff.breaking.len(),
            diff.additive.len()
        ));
    }
    Err(format!(
        "the spec changed since release {} ({}) and the version {current} does not say so: \
         set [workspace.package] version (and the workspace dependencies' versions) to {needed} or later.\n\n{}",
        baseline.version,
        baseline.source,
        render(&diff, &baseline.source, Format::Text)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api_diff::SPEC;
    use crate::api_diff::tests::{repo, workspace_spec};

    #[test]
    fn versions_parse_and_bump_by_the_0x_rules() {
        assert_eq!(Version::parse("v0.1.0"), Some(Version(0, 1, 0)));
        assert_eq!(Version::parse("0.1"), None);
        assert_eq!(Version::parse("0.1.0.1"), None);
        let v = Version(0, 1, 3);
        assert_eq!(v.at_least(Bump::None), Version(0, 1, 3));
        assert_eq!(v.at_least(Bump::Patch), Version(0, 1, 4));
        assert_eq!(v.at_least(Bump::Minor), Version(0, 2, 0));
        let v = Version(1, 2, 3);
        assert_eq!(v.at_least(Bump::Patch), Version(1, 3, 0));
        assert_eq!(v.at_least(Bump::Minor), Version(2, 0, 0));
    }

    fn set_version(dir: &Path, version: &str) {
        let manifest =
            format!("[workspace]\nmembers = []\n\n[workspace.package]\nversion = \"{version}\"\n");
        std::fs::write(dir.join("Cargo.toml"), manifest).expect("manifest");
    }

    fn record(dir: &Path, version: &str) {
        std::fs::create_dir_all(dir.join(RELEASED_DIR)).expect("mkdir");
        std::fs::write(
            dir.join(RELEASED_DIR)
                .join(format!("webhooks-{version}.yaml")),
            workspace_spec(),
        )
        .expect("record");
    }

    const REMOVE_VALUE: (&str, &str) = ("      enum: [manual, automatic]", "      enum: [manual]");
    const ADD_VALUE: (&str, &str) = (
        "      enum: [manual, automatic]",
        "      enum: [manual, automatic, exponential]",
    );

    fn edit(dir: &Path, (find, replace): (&str, &str)) {
        std::fs::write(dir.join(SPEC), workspace_spec().replacen(find, replace, 1)).expect("edit");
    }

    #[test]
    fn a_breaking_change_under_the_same_minor_fails_naming_change_and_version() {
        let dir = repo("release-breaking", &workspace_spec());
        record(&dir, "0.1.0");
        set_version(&dir, "0.1.1");
        edit(&dir, REMOVE_VALUE);
        let error = check(&dir).expect_err("needs 0.2.0");
        assert!(error.contains("to 0.2.0 or later"), "{error}");
        assert!(error.contains("RetryPolicy::Automatic"), "{error}");
        set_version(&dir, "0.2.0");
        assert!(check(&dir).is_ok());
    }

    #[test]
    fn an_additive_change_needs_a_patch_bump() {
        let dir = repo("release-additive", &workspace_spec());
        record(&dir, "0.1.0");
        set_version(&dir, "0.1.0");
        edit(&dir, ADD_VALUE);
        let error = check(&dir).expect_err("needs 0.1.1");
        assert!(error.contains("to 0.1.1 or later"), "{error}");
        set_version(&dir, "0.1.1");
        assert!(check(&dir).is_ok());
    }

    #[test]
    fn a_version_tag_wins_over_the_recorded_spec() {
        let dir = repo("release-tag", &workspace_spec());
        git(&dir, &["tag", "v0.3.0"]).expect("tag");
        record(&dir, "0.1.0");
        set_version(&dir, "0.3.0");
        edit(&dir, ADD_VALUE);
        let error = check(&dir).expect_err("needs 0.3.1");
        assert!(error.contains("release 0.3.0 (tag v0.3.0)"), "{error}");
        assert!(error.contains("to 0.3.1 or later"), "{error}");
    }

    #[test]
    fn no_baseline_means_nothing_to_check() {
        let dir = repo("release-none", &workspace_spec());
        set_version(&dir, "0.1.0");
        let message = check(&dir).expect("passes");
        assert!(message.contains("nothing to compare with"), "{message}");
    }
}
