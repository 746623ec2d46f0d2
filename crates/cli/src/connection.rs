//! Where the client's settings come from: flags, then the environment, then
//! a profile of the config file (`profile add|list|remove` manage it).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::transport::CliClient;
use cs_webhooks_blocking::ConfigBuilder;
use cs_webhooks_blocking::model::Region;
use serde::{Deserialize, Serialize};

use crate::failure::Failure;

/// The connection flags every API command takes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ConnectionFlags {
    /// The stack's API key [env: CONTENTSTACK_API_KEY].
    #[arg(long, global = true, value_name = "KEY")]
    pub api_key: Option<String>,
    /// A management token [env: CONTENTSTACK_MANAGEMENT_TOKEN] (on the command
    /// line it lands in shell history; prefer the environment or a profile).
    #[arg(long, global = true, value_name = "TOKEN")]
    pub management_token: Option<String>,
    /// A user session token [env: CONTENTSTACK_AUTHTOKEN].
    #[arg(long, global = true, value_name = "TOKEN")]
    pub authtoken: Option<String>,
    /// An OAuth access token [env: CONTENTSTACK_OAUTH_TOKEN].
    #[arg(long, global = true, value_name = "TOKEN")]
    pub oauth_token: Option<String>,
    /// na, eu, au, azure-na, azure-eu, gcp-na or gcp-eu [env: CONTENTSTACK_REGION].
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// The branch to work on [env: CONTENTSTACK_BRANCH].
    #[arg(long, global = true)]
    pub branch: Option<String>,
    /// The API's base URL, e.g. the emulator's http://127.0.0.1:4010/v3
    /// [env: CONTENTSTACK_BASE_URL].
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// A profile of the config file (CS_WEBHOOKS_CONFIG, else
    /// ~/.config/cs-webhooks/profiles.json).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
}

/// One set of settings: a profile, or what flags and environment gave.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The stack's API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// A management token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_token: Option<String>,
    /// A user session token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authtoken: Option<String>,
    /// An OAuth access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_token: Option<String>,
    /// The region's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// The base URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
}

impl Settings {
    /// `self`, with every setting it lacks taken from `lower`.
    fn or(self, lower: Settings) -> Settings {
        Settings {
            api_key: self.api_key.or(lower.api_key),
            management_token: self.management_token.or(lower.management_token),
            authtoken: self.authtoken.or(lower.authtoken),
            oauth_token: self.oauth_token.or(lower.oauth_token),
            region: self.region.or(lower.region),
            branch: self.branch.or(lower.branch),
            base_url: self.base_url.or(lower.base_url),
        }
    }

    fn has_token(&self) -> bool {
        self.management_token.is_some() || self.authtoken.is_some() || self.oauth_token.is_some()
    }
}

impl ConnectionFlags {
    /// The flags' own settings; warns when a token came on the command line.
    fn settings(&self) -> Settings {
        if self.management_token.is_some() || self.authtoken.is_some() || self.oauth_token.is_some()
        {
            crate::output::note(
                "warning: a token given on the command line lands in your shell history; \
                 prefer CONTENTSTACK_MANAGEMENT_TOKEN or a profile",
            );
        }
        Settings {
            api_key: self.api_key.clone(),
            management_token: self.management_token.clone(),
            authtoken: self.authtoken.clone(),
            oauth_token: self.oauth_token.clone(),
            region: self.region.clone(),
            branch: self.branch.clone(),
            base_url: self.base_url.clone(),
        }
    }

    /// Flags, then environment (the profile is left out: for `profile add`).
    pub fn flags_and_env(&self) -> Settings {
        self.settings().or(from_env())
    }

    /// Flags > environment > profile.
    pub fn resolve(&self) -> Result<Settings, Failure> {
        let mut settings = self.flags_and_env();
        if let Some(name) = &self.profile {
            let profiles = Profiles::load()?;
            let profile = profiles.profiles.get(name).cloned().ok_or_else(|| {
                Failure::Usage(format!(
                    "no profile {name:?} in {} (cs-webhooks profile list shows them)",
                    Profiles::path().display()
                ))
            })?;
            settings = settings.or(profile);
        }
        Ok(settings)
    }

    /// A client from the resolved settings.
    pub fn client(&self) -> Result<CliClient, Failure> {
        self.builder()?
            .build()
            .map_err(|e| Failure::Usage(format!("the client settings: {e}")))
    }

    /// The client's settings from flags, environment and profile, ready for
    /// more (a rate limit, patient retries) before `build()`.
    pub fn builder(&self) -> Result<ConfigBuilder<CliClient>, Failure> {
        let settings = self.resolve()?;
        let Some(api_key) = settings.api_key.clone() else {
            return Err(Failure::Usage(
                "no API key: pass --api-key, set CONTENTSTACK_API_KEY or use --profile".into(),
            ));
        };
        if !settings.has_token() {
            return Err(Failure::Usage(
                "no token: set CONTENTSTACK_MANAGEMENT_TOKEN (or CONTENTSTACK_AUTHTOKEN, \
                 CONTENTSTACK_OAUTH_TOKEN), pass --management-token or use --profile"
                    .into(),
            ));
        }
        let mut builder = CliClient::builder().api_key(api_key);
        if let Some(token) = settings.management_token {
            builder = builder.management_token(token);
        } else if let Some(token) = settings.authtoken {
            builder = builder.authtoken(token);
        } else if let Some(token) = settings.oauth_token {
            builder = builder.oauth_token(token);
        }
        if let Some(region) = &settings.region {
            let region: Region = region
                .parse()
                .map_err(|e| Failure::Usage(format!("--region: {e}")))?;
            builder = builder.region(region);
        }
        if let Some(url) = settings.base_url {
            builder = builder.base_url(url);
        }
        if let Some(branch) = settings.branch {
            builder = builder.branch(branch);
        }
        Ok(builder)
    }
}

fn from_env() -> Settings {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    Settings {
        api_key: var("CONTENTSTACK_API_KEY"),
        management_token: var("CONTENTSTACK_MANAGEMENT_TOKEN"),
        authtoken: var("CONTENTSTACK_AUTHTOKEN"),
        oauth_token: var("CONTENTSTACK_OAUTH_TOKEN"),
        region: var("CONTENTSTACK_REGION"),
        branch: var("CONTENTSTACK_BRANCH"),
        base_url: var("CONTENTSTACK_BASE_URL"),
    }
}

/// The config file: named profiles.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Profiles {
    /// The profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, Settings>,
}

impl Profiles {
    /// `CS_WEBHOOKS_CONFIG`, else `$XDG_CONFIG_HOME/cs-webhooks/profiles.json`,
    /// else `~/.config/cs-webhooks/profiles.json`.
    pub fn path() -> PathBuf {
        if let Some(path) = std::env::var_os("CS_WEBHOOKS_CONFIG") {
            return PathBuf::from(path);
        }
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
            .unwrap_or_else(|| PathBuf::from("."));
        base.join("cs-webhooks").join("profiles.json")
    }

    /// The file's profiles (none when it does not exist).
    pub fn load() -> Result<Profiles, Failure> {
        let path = Profiles::path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Failure::Usage(format!("{} is not a profiles file: {e}", path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Profiles::default()),
            Err(e) => Err(Failure::Other(format!("reading {}: {e}", path.display()))),
        }
    }

    /// Writes the file, readable by its owner only.
    pub fn save(&self) -> Result<(), Failure> {
        let path = Profiles::path();
        let failed = |e: std::io::Error| Failure::Other(format!("writing {}: {e}", path.display()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(failed)?;
        }
        let text = serde_json::to_vec_pretty(self)
            .map_err(|e| Failure::Other(format!("encoding the profiles: {e}")))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
            options.mode(0o600);
            // An existing file keeps its mode on open; tighten it too.
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                    .map_err(failed)?;
            }
        }
        let mut file = options.open(&path).map_err(failed)?;
        std::io::Write::write_all(&mut file, &text).map_err(failed)
    }
}
