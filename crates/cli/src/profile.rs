//! `cs-webhooks profile add|list|remove`: named settings in the config file.

use crate::connection::{ConnectionFlags, Profiles};
use crate::failure::Failure;
use crate::output;

/// What to do with profiles.
#[derive(Debug, clap::Subcommand)]
pub enum ProfileCommand {
    /// Save the connection flags and environment given now as profile NAME.
    Add {
        /// The profile's name.
        name: String,
    },
    /// List the profiles (tokens are never shown).
    List,
    /// Remove profile NAME.
    Remove {
        /// The profile's name.
        name: String,
    },
}

/// Runs a profile command.
pub fn run(command: &ProfileCommand, flags: &ConnectionFlags) -> Result<(), Failure> {
    let mut profiles = Profiles::load()?;
    match command {
        ProfileCommand::Add { name } => {
            let settings = flags.flags_and_env();
            if settings.api_key.is_none() {
                return Err(Failure::Usage(
                    "a profile needs an API key (--api-key or CONTENTSTACK_API_KEY)".into(),
                ));
            }
            profiles.profiles.insert(name.clone(), settings);
            profiles.save()?;
            output::note(&format!(
                "saved profile {name:?} in {}",
                Profiles::path().display()
            ));
            Ok(())
        }
        ProfileCommand::List => {
            let rows: Vec<Vec<String>> = profiles
                .profiles
                .iter()
                .map(|(name, s)| {
                    let token = if s.management_token.is_some() {
                        "management token"
                    } else if s.authtoken.is_some() {
                        "authtoken"
                    } else if s.oauth_token.is_some() {
                        "oauth token"
                    } else {
                        "none"
                    };
                    vec![
                        name.clone(),
                        s.api_key.clone().unwrap_or_default(),
                        token.to_owned(),
                        s.region.clone().unwrap_or_else(|| "-".into()),
                        s.base_url.clone().unwrap_or_else(|| "-".into()),
                    ]
                })
                .collect();
            output::table(&["NAME", "API KEY", "TOKEN", "REGION", "BASE URL"], &rows)
        }
        ProfileCommand::Remove { name } => {
            if profiles.profiles.remove(name).is_none() {
                return Err(Failure::Usage(format!("no profile {name:?}")));
            }
            profiles.save()?;
            output::note(&format!("removed profile {name:?}"));
            Ok(())
        }
    }
}
