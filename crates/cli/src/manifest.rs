//! The webhook files of `export --all`, `import`, `plan` and `apply`: one
//! webhook per file (what `export --all` writes), or many in one file (a list,
//! or `{"webhooks": [...]}`), JSON or YAML. Secrets are written `${env:NAME}`
//! and read from the environment; the API's mask `"********"` means "keep
//! the secret the stack has". A malformed file is reported as file:line:
//! field, before anything is sent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cs_webhooks_blocking::model::{
    AuthenticationType, Channel, CustomHeader, Destination, Notifiers, RetryPolicy, Secret,
    Webhook, WebhookInput,
};
use serde::de::{Deserializer, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::failure::Failure;

/// A secret as a file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum SecretField {
    /// The API's mask: keep what the stack has (cannot create with it).
    Masked,
    /// `${env:NAME}`, resolved when the file was read.
    Env(Secret),
    /// `${env:NAME}` with NAME unset: an error once its line is known.
    Unset(String),
    /// A clear value written in the file (accepted, with a warning).
    Literal(Secret),
}

impl SecretField {
    /// The value to send: the clear one, or the mask meaning "unchanged".
    fn to_secret(&self) -> Secret {
        match self {
            SecretField::Masked | SecretField::Unset(_) => Secret::masked(),
            SecretField::Env(s) | SecretField::Literal(s) => s.clone(),
        }
    }

    /// The clear value, unless masked.
    pub fn clear(&self) -> Option<&Secret> {
        match self {
            SecretField::Masked | SecretField::Unset(_) => None,
            SecretField::Env(s) | SecretField::Literal(s) => Some(s),
        }
    }
}

impl<'de> Deserialize<'de> for SecretField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text == Secret::MASK {
            return Ok(SecretField::Masked);
        }
        if let Some(name) = text
            .strip_prefix("${env:")
            .and_then(|rest| rest.strip_suffix('}'))
        {
            return Ok(match std::env::var(name) {
                Ok(value) if !value.is_empty() => SecretField::Env(Secret::new(value)),
                _ => SecretField::Unset(name.to_owned()),
            });
        }
        Ok(SecretField::Literal(Secret::new(text)))
    }
}

/// One destination as a file describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileDestination {
    target_url: String,
    #[serde(default)]
    authentication_type: Option<AuthenticationType>,
    #[serde(default)]
    http_basic_auth: Option<String>,
    #[serde(default)]
    http_basic_password: Option<SecretField>,
    #[serde(default)]
    access_token_url: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<SecretField>,
    #[serde(default)]
    request_query_parameters: Option<String>,
    #[serde(default)]
    bearer_token: Option<SecretField>,
    #[serde(default)]
    custom_header: Vec<CustomHeader>,
}

impl FileDestination {
    fn secrets(&self) -> [(&'static str, Option<&SecretField>); 3] {
        [
            ("http_basic_password", self.http_basic_password.as_ref()),
            ("client_secret", self.client_secret.as_ref()),
            ("bearer_token", self.bearer_token.as_ref()),
        ]
    }
}

/// One webhook as a file describes it. The read-only fields of an exported
/// webhook are accepted and ignored; any other unknown field is an error.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileWebhook {
    /// The webhook's name: its key in the stack.
    pub name: String,
    destinations: Vec<FileDestination>,
    channels: Vec<Channel>,
    #[serde(default)]
    retry_policy: Option<RetryPolicy>,
    #[serde(default)]
    branches: Option<Vec<String>>,
    #[serde(default)]
    notifiers: Option<Notifiers>,
    /// Whether deliveries are stopped (absent: enabled).
    #[serde(default)]
    pub disabled: Option<bool>,
    #[serde(default)]
    concise_payload: Option<bool>,
    /// The uid it had where it was exported from.
    #[serde(default)]
    pub uid: Option<String>,
    #[serde(default, rename = "unhealthy")]
    _unhealthy: Option<IgnoredAny>,
    #[serde(default, rename = "retry")]
    _retry: Option<IgnoredAny>,
    #[serde(default, rename = "applikation_id")]
    _applikation_id: Option<IgnoredAny>,
    #[serde(default, rename = "app_user_object_uid")]
    _app_user_object_uid: Option<IgnoredAny>,
    #[serde(default, rename = "org_uid")]
    _org_uid: Option<IgnoredAny>,
    #[serde(default, rename = "created_by")]
    _created_by: Option<IgnoredAny>,
    #[serde(default, rename = "updated_by")]
    _updated_by: Option<IgnoredAny>,
    #[serde(default, rename = "created_at")]
    _created_at: Option<IgnoredAny>,
    #[serde(default, rename = "updated_at")]
    _updated_at: Option<IgnoredAny>,
    #[serde(default, rename = "__v")]
    _version: Option<IgnoredAny>,
}

/// A webhook and the file it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file.
    pub file: PathBuf,
    /// The webhook.
    pub webhook: FileWebhook,
}

impl FileWebhook {
    /// The secrets of the file, by field path (`destinations[0].bearer_token`).
    pub fn secrets(&self) -> Vec<(String, &SecretField)> {
        let mut found = Vec::new();
        for (i, destination) in self.destinations.iter().enumerate() {
            for (field, secret) in destination.secrets() {
                if let Some(secret) = secret {
                    found.push((format!("destinations[{i}].{field}"), secret));
                }
            }
        }
        found
    }

    /// The paths of secrets only the mask is known for.
    pub fn masked_secrets(&self) -> Vec<String> {
        self.secrets()
            .into_iter()
            .filter(|(_, s)| **s == SecretField::Masked)
            .map(|(path, _)| path)
            .collect()
    }

    /// What create and update send. Every managed field is sent, so that
    /// `disabled`, `concise_payload` and `notifiers` left out of the file mean
    /// their defaults (false, false, none) rather than "whatever is there".
    pub fn input(&self) -> WebhookInput {
        let destinations = self
            .destinations
            .iter()
            .map(|d| Destination {
                target_url: d.target_url.clone(),
                authentication_type: d.authentication_type.clone(),
                http_basic_auth: d.http_basic_auth.clone(),
                http_basic_password: d.http_basic_password.as_ref().map(SecretField::to_secret),
                access_token_url: d.access_token_url.clone(),
                client_id: d.client_id.clone(),
                client_secret: d.client_secret.as_ref().map(SecretField::to_secret),
                request_query_parameters: d.request_query_parameters.clone(),
                bearer_token: d.bearer_token.as_ref().map(SecretField::to_secret),
                custom_header: d.custom_header.clone(),
            })
            .collect();
        WebhookInput {
            name: self.name.clone(),
            destinations,
            channels: self.channels.clone(),
            branches: self.branches.clone().unwrap_or_default(),
            retry_policy: self.retry_policy.clone(),
            notifiers: Some(Notifiers::Many(notifier_list(self.notifiers.as_ref()))),
            disabled: Some(self.disabled.unwrap_or(false)),
            concise_payload: Some(self.concise_payload.unwrap_or(false)),
        }
    }

    /// The managed fields, flattened (`destinations[0].target_url`), secrets
    /// left out: what a plan compares.
    pub fn fields(&self) -> Fields {
        let mut fields = flatten(&self.input());
        if self.branches.is_none() {
            fields.remove("branches");
        }
        if self.retry_policy.is_none() {
            fields.remove("retry_policy");
        }
        fields
    }
}

fn notifier_list(notifiers: Option<&Notifiers>) -> Vec<String> {
    let mut list = match notifiers {
        None => Vec::new(),
        Some(Notifiers::One(one)) if one.is_empty() => Vec::new(),
        Some(Notifiers::One(one)) => vec![one.clone()],
        Some(Notifiers::Many(many)) => many.clone(),
    };
    list.sort();
    list
}

/// Field path → value.
pub type Fields = BTreeMap<String, Value>;

/// The managed fields of a stored webhook, flattened like [`FileWebhook::fields`].
pub fn stored_fields(webhook: &Webhook) -> Fields {
    let input = WebhookInput {
        name: webhook.name.clone(),
        destinations: webhook.destinations.clone(),
        channels: webhook.channels.clone(),
        branches: webhook.branches.clone(),
        retry_policy: webhook.retry_policy.clone(),
        notifiers: Some(Notifiers::Many(webhook.notifiers.clone())),
        disabled: Some(webhook.disabled.unwrap_or(false)),
        concise_payload: Some(webhook.concise_payload.unwrap_or(false)),
    };
    flatten(&input)
}

const SECRET_FIELDS: &[&str] = &["http_basic_password", "client_secret", "bearer_token"];

/// One canonical form for both sides: sorted lists, defaults filled in,
/// empty values dropped, secrets left out (the API masks them).
fn flatten(input: &WebhookInput) -> Fields {
    let mut fields = Fields::new();
    let sorted = |mut list: Vec<String>| {
        list.sort();
        list.dedup();
        Value::from(list)
    };
    fields.insert("name".into(), Value::from(input.name.clone()));
    fields.insert(
        "channels".into(),
        sorted(
            input
                .channels
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
        ),
    );
    if !input.branches.is_empty() {
        fields.insert("branches".into(), sorted(input.branches.clone()));
    }
    if let Some(policy) = &input.retry_policy {
        fields.insert("retry_policy".into(), enum_text(policy));
    }
    fields.insert(
        "notifiers".into(),
        Value::from(notifier_list(input.notifiers.as_ref())),
    );
    fields.insert(
        "disabled".into(),
        Value::from(input.disabled.unwrap_or(false)),
    );
    fields.insert(
        "concise_payload".into(),
        Value::from(input.concise_payload.unwrap_or(false)),
    );
    for (i, destination) in input.destinations.iter().enumerate() {
        let Ok(Value::Object(map)) = serde_json::to_value(destination) else {
            continue;
        };
        let prefix = format!("destinations[{i}]");
        fields.insert(format!("{prefix}.authentication_type"), Value::from("None"));
        for (key, value) in map {
            if SECRET_FIELDS.contains(&key.as_str()) {
                continue;
            }
            let value = if key == "custom_header" {
                headers(&destination.custom_header)
            } else {
                value
            };
            let empty = match &value {
                Value::Null => true,
                Value::String(s) => s.is_empty(),
                Value::Array(a) => a.is_empty(),
                _ => false,
            };
            if !empty {
                fields.insert(format!("{prefix}.{key}"), value);
            }
        }
    }
    fields
}

/// Custom headers as `name: value` lines, blank ones dropped.
fn headers(list: &[CustomHeader]) -> Value {
    Value::from(
        list.iter()
            .filter_map(|h| {
                let name = h.header_name.as_deref().unwrap_or("").trim();
                (!name.is_empty()).then(|| format!("{name}: {}", h.value.as_deref().unwrap_or("")))
            })
            .collect::<Vec<_>>(),
    )
}

fn enum_text(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Every webhook in `paths` (files, and the JSON and YAML files of
/// directories, dot files skipped); names must be unique.
pub fn load(paths: &[PathBuf]) -> Result<Vec<Loaded>, Failure> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| Failure::Usage(format!("reading {}: {e}", path.display())))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| is_webhook_file(p))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut loaded: Vec<Loaded> = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for file in files {
        for webhook in read_file(&file)? {
            if let Some(first) = seen.get(&webhook.name) {
                return Err(Failure::Usage(format!(
                    "{}: the webhook name {:?} is also used in {} (names are the key)",
                    file.display(),
                    webhook.name,
                    first.display()
                )));
            }
            seen.insert(webhook.name.clone(), file.clone());
            loaded.push(Loaded {
                file: file.clone(),
                webhook,
            });
        }
    }
    Ok(loaded)
}

/// Warns (stderr) about every secret written in clear in the files.
pub fn warn_clear_secrets(loaded: &[Loaded]) {
    for item in loaded {
        for (path, secret) in item.webhook.secrets() {
            if matches!(secret, SecretField::Literal(_)) {
                crate::output::note(&format!(
                    "warning: {}: {path} of {:?} is written in clear; prefer ${{env:NAME}}",
                    item.file.display(),
                    item.webhook.name
                ));
            }
        }
    }
}

/// Whether `path` is a file `load` reads from a directory.
pub fn is_webhook_file(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_none_or(|n| n.starts_with('.'));
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    path.is_file() && !hidden && matches!(ext, "json" | "yaml" | "yml")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManyWrapped {
    webhooks: Vec<FileWebhook>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OneWrapped {
    webhook: FileWebhook,
}

/// The webhooks of one file: its shape is found first, then it is read as
/// that shape so errors carry the line and the field.
fn read_file(file: &Path) -> Result<Vec<FileWebhook>, Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::Usage(format!("reading {}: {e}", file.display())))?;
    let shape: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| located(file, &e))?;
    let result = match &shape {
        serde_yaml::Value::Sequence(_) => serde_yaml::from_str::<Vec<FileWebhook>>(&text),
        serde_yaml::Value::Mapping(map) if map.len() == 1 && map.contains_key("webhooks") => {
            serde_yaml::from_str::<ManyWrapped>(&text).map(|m| m.webhooks)
        }
        serde_yaml::Value::Mapping(map) if map.len() == 1 && map.contains_key("webhook") => {
            serde_yaml::from_str::<OneWrapped>(&text).map(|o| vec![o.webhook])
        }
        serde_yaml::Value::Mapping(_) => {
            serde_yaml::from_str::<FileWebhook>(&text).map(|w| vec![w])
        }
        _ => {
            return Err(Failure::Usage(format!(
                "{}:1: not a webhook file (expected a webhook, a list of them, or {{webhooks: [...]}})",
                file.display()
            )));
        }
    };
    let webhooks = result.map_err(|e| located(file, &e))?;
    for webhook in &webhooks {
        for (path, secret) in webhook.secrets() {
            if let SecretField::Unset(name) = secret {
                // serde_yaml places errors of a value at its parent; the
                // reference's own line is found in the text.
                let reference = format!("${{env:{name}}}");
                let line = text
                    .lines()
                    .position(|l| l.contains(&reference))
                    .map_or(1, |at| at + 1);
                return Err(Failure::Usage(format!(
                    "{}:{line}: {:?} {path}: the environment variable {name} is not set \
                     (the file asks for {reference})",
                    file.display(),
                    webhook.name
                )));
            }
        }
    }
    Ok(webhooks)
}

/// `file:line:column: field: problem`.
fn located(file: &Path, error: &serde_yaml::Error) -> Failure {
    let text = error.to_string();
    match error.location() {
        Some(at) => {
            let suffix = format!(" at line {} column {}", at.line(), at.column());
            let message = text.strip_suffix(&suffix).unwrap_or(&text);
            Failure::Usage(format!(
                "{}:{}:{}: {message}",
                file.display(),
                at.line(),
                at.column()
            ))
        }
        None => Failure::Usage(format!("{}: {text}", file.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<FileWebhook>, String> {
        let dir = std::env::temp_dir().join(format!("cs-webhooks-manifest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let file = dir.join(format!("{}.yaml", text.len()));
        std::fs::write(&file, text).map_err(|e| e.to_string())?;
        read_file(&file).map_err(|f| f.describe())
    }

    #[test]
    fn a_bad_field_is_named_with_its_line() {
        let error = parse(
            "name: A\nchannels: [assets.create]\ndestinations:\n  - authentication_type: None\n    target_url: {a: 1}\n",
        )
        .err()
        .unwrap_or_default();
        assert!(error.contains(".yaml:5:"), "{error}");
        assert!(error.contains("destinations[0].target_url"), "{error}");
    }

    #[test]
    fn an_unknown_field_is_an_error() {
        let error = parse("name: A\nchannels: [assets.create]\ndestinations: []\ndisabld: true\n")
            .err()
            .unwrap_or_default();
        assert!(error.contains(":4:"), "{error}");
        assert!(error.contains("disabld"), "{error}");
    }

    #[test]
    fn an_unset_environment_variable_is_named() {
        let error = parse(
            "- name: A\n  channels: [assets.create]\n  destinations:\n    - target_url: http://x\n      bearer_token: ${env:CS_WEBHOOKS_SURELY_UNSET}\n",
        )
        .err()
        .unwrap_or_default();
        assert!(error.contains(":5:"), "{error}");
        assert!(error.contains("CS_WEBHOOKS_SURELY_UNSET"), "{error}");
    }

    #[test]
    fn defaults_and_order_do_not_count_as_differences() {
        let file = parse(
            "webhooks:\n  - name: A\n    channels: [b.c, a.b]\n    destinations:\n      - target_url: http://x\n        custom_header: [{header_name: '', value: ''}]\n",
        )
        .unwrap_or_default();
        let fields = file.first().map(FileWebhook::fields).unwrap_or_default();
        assert_eq!(fields["channels"], serde_json::json!(["a.b", "b.c"]));
        assert_eq!(fields["disabled"], Value::Bool(false));
        assert_eq!(fields["destinations[0].authentication_type"], "None");
        assert!(!fields.contains_key("destinations[0].custom_header"));
        assert!(!fields.contains_key("retry_policy"));
    }
}
