//! `cs-webhooks trigger EVENT`: fires one of the emulator's fixtures (a full,
//! realistic event of that module and event), so its webhooks deliver.

use serde_json::{Map, Value, json};

use crate::connection::ConnectionFlags;
use crate::failure::Failure;
use crate::output;

/// `trigger` flags.
#[derive(Debug, clap::Args)]
pub struct TriggerArgs {
    /// The fixture as MODULE.EVENT, e.g. entry.update, asset.create, entry.publish.
    pub event: String,
    /// Set a field of the fixture's data, e.g. entry.title=Hello (VALUE is
    /// JSON when it parses as JSON, else text); repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

/// Runs `trigger` against the emulator at the connection's base URL.
pub fn run(args: &TriggerArgs, flags: &ConnectionFlags) -> Result<(), Failure> {
    let event = build_event(args)?;
    let settings = flags.resolve()?;
    let base = settings.base_url.ok_or_else(|| {
        Failure::Usage(
            "trigger needs the emulator's base URL: --base-url or CONTENTSTACK_BASE_URL \
             (e.g. http://127.0.0.1:4010/v3)"
                .into(),
        )
    })?;
    let root = base.trim_end_matches('/');
    let root = root.strip_suffix("/v3").unwrap_or(root);
    let url = format!("{root}/_emulator/trigger");
    let api_key = settings
        .api_key
        .ok_or_else(|| Failure::Usage("no API key: --api-key or CONTENTSTACK_API_KEY".into()))?;
    let token = settings.management_token.ok_or_else(|| {
        Failure::Usage("no management token: CONTENTSTACK_MANAGEMENT_TOKEN".into())
    })?;
    let body = serde_json::to_vec(&event)
        .map_err(|e| Failure::Other(format!("encoding the event: {e}")))?;
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut response = agent
        .post(&url)
        .header("api_key", &api_key)
        .header("authorization", &token)
        .content_type("application/json")
        .send(&body[..])
        .map_err(|e| Failure::Other(format!("sending the event to {url}: {e}")))?;
    let status = response.status();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| Failure::Other(format!("reading the emulator's answer: {e}")))?;
    if !status.is_success() {
        let mut message = format!("the emulator refused the event ({status})");
        match serde_json::from_str::<Value>(&text) {
            Ok(error) => {
                if let Some(text) = error["error_message"].as_str() {
                    message.push_str(&format!(": {text}"));
                }
                if let Some(fields) = error["errors"].as_object() {
                    for (field, problems) in fields {
                        message.push_str(&format!("\n  {field}: {problems}"));
                    }
                }
            }
            Err(_) => message.push_str(&format!(": {text}")),
        }
        return Err(Failure::Other(message));
    }
    let answer: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    output::json(&answer)
}

/// The trigger request: the fixture and every `--set`.
fn build_event(args: &TriggerArgs) -> Result<Value, Failure> {
    if !args
        .event
        .split_once('.')
        .is_some_and(|(m, e)| !m.is_empty() && !e.is_empty())
    {
        return Err(Failure::Usage(format!(
            "{:?} is not MODULE.EVENT (e.g. entry.update)",
            args.event
        )));
    }
    let mut set = Map::new();
    for assignment in &args.set {
        let (path, value) = assignment
            .split_once('=')
            .filter(|(path, _)| !path.is_empty())
            .ok_or_else(|| Failure::Usage(format!("--set takes PATH=VALUE, not {assignment:?}")))?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into()));
        set.insert(path.to_owned(), value);
    }
    Ok(json!({"event": args.event, "overrides": {"set": set}}))
}
