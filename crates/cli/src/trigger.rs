//! `cs-webhooks trigger EVENT`: fires an event in the emulator through its
//! events route, so its webhooks deliver.

use serde_json::{Value, json};

use crate::connection::ConnectionFlags;
use crate::failure::Failure;
use crate::output;

/// `trigger` flags.
#[derive(Debug, clap::Args)]
pub struct TriggerArgs {
    /// The event as MODULE.EVENT, e.g. entry.update, asset.create, entry.publish.
    pub event: String,
    /// Set a field of the event, e.g. data.entry.title=Hello (VALUE is JSON
    /// when it parses as JSON, else text); repeatable.
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
    let url = format!("{root}/_emulator/events");
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
        return Err(Failure::Other(format!(
            "the emulator refused the event ({status}): {text}"
        )));
    }
    let answer: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    output::json(&answer)
}

/// The event document: defaults for the module, then every `--set`.
fn build_event(args: &TriggerArgs) -> Result<Value, Failure> {
    let (module, event) = args
        .event
        .split_once('.')
        .filter(|(m, e)| !m.is_empty() && !e.is_empty())
        .ok_or_else(|| {
            Failure::Usage(format!(
                "{:?} is not MODULE.EVENT (e.g. entry.update)",
                args.event
            ))
        })?;
    let data = match module {
        "entry" => json!({
            "entry": {"uid": "blt0000000000trigger", "title": "Triggered entry", "locale": "en-us"},
            "content_type": {"uid": "blog", "title": "Blog"}}),
        "asset" => json!({
            "asset": {"uid": "blt0000000000trigger", "filename": "triggered.png"}}),
        "content_type" => json!({"content_type": {"uid": "blog", "title": "Blog"}}),
        _ => json!({}),
    };
    let mut document = json!({"module": module, "event": event, "data": data});
    for assignment in &args.set {
        let (path, value) = assignment
            .split_once('=')
            .ok_or_else(|| Failure::Usage(format!("--set takes PATH=VALUE, not {assignment:?}")))?;
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into()));
        set_path(&mut document, path, value)?;
    }
    Ok(document)
}

/// Sets `path` (dot-separated keys) in `document`, making objects on the way.
fn set_path(document: &mut Value, path: &str, value: Value) -> Result<(), Failure> {
    let mut keys = path.split('.').peekable();
    let mut node = document;
    while let Some(key) = keys.next() {
        if key.is_empty() {
            return Err(Failure::Usage(format!("--set: {path:?} has an empty key")));
        }
        let Some(map) = node.as_object_mut() else {
            return Err(Failure::Usage(format!(
                "--set: {path:?} goes through a value that is not an object"
            )));
        };
        if keys.peek().is_none() {
            map.insert(key.to_owned(), value);
            return Ok(());
        }
        node = map.entry(key.to_owned()).or_insert_with(|| json!({}));
    }
    Ok(())
}
