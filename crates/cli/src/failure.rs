//! Why a command failed, its exit code, and how it is told on stderr:
//! status, `error_code`, `error_message`, per-field errors and a hint.

use std::process::ExitCode;

use cs_webhooks_blocking::Error;

/// A failed command.
#[derive(Debug)]
pub enum Failure {
    /// Bad input: flags, files, missing credentials (exit 2).
    Usage(String),
    /// The API answered with an error, or the network failed (exit 1).
    Api {
        /// What was being done, e.g. `getting webhook blt1`.
        doing: String,
        /// The client's error.
        error: Error,
    },
    /// Anything else that stopped the command (exit 1).
    Other(String),
    /// Some of many operations failed; each was already reported (exit 3).
    Partial(String),
}

impl Failure {
    /// Wraps a client error with what was being done.
    pub fn api(doing: impl Into<String>, error: Error) -> Failure {
        Failure::Api {
            doing: doing.into(),
            error,
        }
    }

    /// The process exit code for this failure.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Failure::Usage(_) => 2,
            Failure::Api { .. } | Failure::Other(_) => 1,
            Failure::Partial(_) => 3,
        })
    }

    /// Prints the failure on stderr.
    pub fn report(&self) {
        eprintln!("{}", self.describe());
    }

    /// The text [`report`](Failure::report) prints.
    pub fn describe(&self) -> String {
        match self {
            Failure::Usage(message) | Failure::Other(message) | Failure::Partial(message) => {
                format!("error: {message}")
            }
            Failure::Api { doing, error } => describe_api_error(doing, error),
        }
    }
}

fn describe_api_error(doing: &str, error: &Error) -> String {
    let Some(api) = error.api_error() else {
        return format!("error: {doing}: {error}");
    };
    let mut first = format!("error: {doing}: the API answered {}", api.status);
    if let Some(request) = &api.request {
        first.push_str(&format!(" to {request}"));
    }
    let mut lines = vec![first];
    if let Some(code) = api.error_code {
        lines.push(format!("  error_code: {code}"));
    }
    if let Some(message) = &api.error_message {
        lines.push(format!("  error_message: {message}"));
    }
    for (field, messages) in &api.errors {
        lines.push(format!("  {field}: {}", messages.join("; ")));
    }
    let hint = match api.status.as_u16() {
        401 => Some(match api.credential {
            Some(kind) => format!(
                "the request carried a {kind}: check it (--management-token, \
                 CONTENTSTACK_MANAGEMENT_TOKEN, CONTENTSTACK_AUTHTOKEN, \
                 CONTENTSTACK_OAUTH_TOKEN or the profile) is valid for this stack"
            ),
            None => "check the token (--management-token, CONTENTSTACK_MANAGEMENT_TOKEN, \
                     CONTENTSTACK_AUTHTOKEN, CONTENTSTACK_OAUTH_TOKEN or the profile)"
                .to_string(),
        }),
        404 if api
            .request
            .as_ref()
            .is_some_and(|r| !r.url.contains("/v3/")) =>
        {
            Some(
                "the API's paths begin with /v3: does the base URL (--base-url, \
             CONTENTSTACK_BASE_URL or the profile) end in /v3?"
                    .to_string(),
            )
        }
        412 => {
            Some("check the api_key (--api-key, CONTENTSTACK_API_KEY or the profile)".to_string())
        }
        429 => Some(
            "rate limited: the client already retried with backoff; wait a moment and run it again"
                .to_string(),
        ),
        _ => None,
    };
    if let Some(hint) = hint {
        lines.push(format!("  hint: {hint}"));
    }
    lines.join("\n")
}
