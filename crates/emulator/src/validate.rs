//! Validation of a webhook definition (create, update, import) into the
//! model's [`WebhookInput`], collecting every problem as a per-field message.
//!
//! The shape (types, required fields, enums, the channel syntax) is checked
//! against the spec's schema. What the spec cannot say is checked here: a
//! blank name, well-formed http(s) URLs, the credentials each authentication
//! type needs, masked secrets that must refer to a stored one, branches of
//! the stack, and header syntax. One answer lists the problems of both kinds;
//! then the document is decoded into the model type.
//!
//! `null` members count as absent, and read-only fields (`uid`,
//! `created_at`, `__v`, ...) are ignored, as the official JavaScript SDK
//! sends them back on update. Any well-formed target URL is accepted, as
//! Contentstack does; whether it may be delivered to is decided at delivery.

use cs_webhooks_model::{
    AuthenticationType, Channel, ChannelError, Destination, Secret, WebhookInput, from_json_value,
};
use serde_json::{Map, Value};

use crate::api::error::FieldErrors;
use crate::delivery::targets;
use crate::shapes::{Shapes, WEBHOOK_INPUT, WEBHOOK_REQUEST};
use crate::url_password;

/// The longest webhook name accepted, in characters. The API documents no
/// limit; this one keeps names printable in lists and e-mail subjects.
pub const MAX_NAME_CHARS: usize = 255;

/// The member of a create or update body that holds the webhook.
const WRAPPER: &str = "webhook";

/// What validation needs to know besides the document.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// The spec's schemas.
    pub shapes: &'a Shapes,
    /// The stack's branches (for `branches`).
    pub branches: &'a [String],
    /// The destinations stored so far (update, import into an existing
    /// webhook), whose secrets a masked `"********"` keeps.
    pub existing: Option<&'a [Destination]>,
    /// Accept channels of valid syntax that no documented pattern has (the
    /// `--allow-unknown-channels` flag); without it they are refused, as a
    /// misspelt channel would silently never fire.
    pub allow_unknown_channels: bool,
}

/// How the definition arrives, which decides its schema and how fields are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// The body of create and update, `{"webhook": {...}}`; fields are named
    /// inside the webhook (`name`, `destinations[0].target_url`), as
    /// Contentstack names them.
    Wrapped,
    /// An imported file: the bare webhook.
    Bare,
}

impl Envelope {
    /// The spec's schema for the document.
    fn schema(self) -> &'static str {
        match self {
            Envelope::Wrapped => WEBHOOK_REQUEST,
            Envelope::Bare => WEBHOOK_INPUT,
        }
    }

    /// The webhook definition inside the document, if it is an object.
    fn definition(self, doc: &mut Value) -> Option<&mut Map<String, Value>> {
        match self {
            Envelope::Wrapped => doc.get_mut(WRAPPER),
            Envelope::Bare => Some(doc),
        }
        .and_then(Value::as_object_mut)
    }

    /// The error field for a problem at `path` of the document.
    fn field_name(self, path: &str) -> String {
        match self {
            // The document itself.
            Envelope::Wrapped if path.is_empty() => "body".to_owned(),
            Envelope::Bare if path.is_empty() => WRAPPER.to_owned(),
            Envelope::Wrapped => path
                .strip_prefix(WRAPPER)
                .and_then(|rest| rest.strip_prefix('.'))
                .unwrap_or(path)
                .to_owned(),
            Envelope::Bare => path.to_owned(),
        }
    }
}

/// Validates `doc` (a create or update body, or an imported file).
///
/// On success the destinations have an explicit `authentication_type` and
/// masked secrets are replaced by the stored ones.
pub fn webhook_input(
    mut doc: Value,
    envelope: Envelope,
    rules: Rules<'_>,
) -> Result<WebhookInput, FieldErrors> {
    if let Some(definition) = envelope.definition(&mut doc) {
        drop_nulls(definition);
    }
    let mut errors = rules
        .shapes
        .check_body(envelope.schema(), &doc, |path| envelope.field_name(path))
        .err()
        .unwrap_or_default();
    let Some(definition) = envelope.definition(&mut doc) else {
        // Not an object: the schema has reported it.
        return Err(errors);
    };
    check_rules(definition, rules, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    // The shape was checked above; a decode error here means a rule of the
    // model the spec does not state, still reported against its field.
    let definition = Value::Object(std::mem::take(definition));
    from_json_value::<WebhookInput>(definition).map_err(|e| {
        let mut errors = FieldErrors::default();
        errors.push(Envelope::Bare.field_name(&e.path), e.message);
        errors
    })
}

/// The rules the spec cannot say. Values of the wrong type are skipped: the
/// schema has reported them.
fn check_rules(obj: &mut Map<String, Value>, rules: Rules<'_>, errors: &mut FieldErrors) {
    if let Some(Value::String(name)) = obj.get("name") {
        if name.trim().is_empty() {
            errors.push("name", "can't be blank.");
        } else if name.chars().count() > MAX_NAME_CHARS {
            errors.push(
                "name",
                format!("is too long (at most {MAX_NAME_CHARS} characters)."),
            );
        }
    }
    if let Some(Value::Array(branches)) = obj.get("branches") {
        for branch in branches.iter().filter_map(Value::as_str) {
            if !rules.branches.iter().any(|known| known == branch) {
                errors.push(
                    "branches",
                    format!("{branch:?} is not a branch of this stack."),
                );
            }
        }
    }
    if !rules.allow_unknown_channels
        && let Some(Value::Array(channels)) = obj.get("channels")
    {
        for (i, channel) in channels.iter().enumerate() {
            // Grammar errors are the schema's; only the catalogue is checked here.
            if let Some(raw) = channel.as_str()
                && let Err(ChannelError::Unknown { suggestion, .. }) = Channel::new(raw)
            {
                let hint = suggestion
                    .map(|s| format!(" Did you mean {s:?}?"))
                    .unwrap_or_default();
                errors.push(
                    format!("channels[{i}]"),
                    format!("{raw:?} is not a known channel.{hint} (Start the emulator with --allow-unknown-channels to accept it.)"),
                );
            }
        }
    }
    if let Some(Value::Array(destinations)) = obj.get_mut("destinations") {
        for (i, item) in destinations.iter_mut().enumerate() {
            if let Some(dest) = item.as_object_mut() {
                let stored = rules
                    .existing
                    .and_then(|d| matching_destination(d, dest, i));
                check_destination(dest, &format!("destinations[{i}]"), stored, errors);
            }
        }
    }
}

/// The stored destination a masked secret refers to: the one with the same
/// target URL (as shown, password masked), else the one at the same position.
fn matching_destination<'a>(
    stored: &'a [Destination],
    dest: &Map<String, Value>,
    index: usize,
) -> Option<&'a Destination> {
    let url = dest.get("target_url").and_then(Value::as_str);
    stored
        .iter()
        .find(|d| Some(d.target_url.as_str()) == url)
        .or_else(|| {
            stored
                .iter()
                .find(|d| Some(url_password::masked(&d.target_url).as_str()) == url)
        })
        .or_else(|| stored.get(index))
}

fn check_destination(
    dest: &mut Map<String, Value>,
    path: &str,
    stored: Option<&Destination>,
    errors: &mut FieldErrors,
) {
    keep_url_password(
        dest,
        path,
        "target_url",
        stored.map(|d| d.target_url.as_str()),
        errors,
    );
    check_url(dest, path, "target_url", errors);
    let kind = match dest.get("authentication_type") {
        None => {
            // Older exports have no type: Basic when a user name is set.
            let basic = dest
                .get("http_basic_auth")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty());
            if basic {
                AuthenticationType::Basic
            } else {
                AuthenticationType::None
            }
        }
        Some(Value::String(s)) => AuthenticationType::from(s.as_str()),
        Some(_) => return,
    };
    dest.insert(
        "authentication_type".into(),
        Value::String(kind.as_str().to_owned()),
    );
    match kind {
        AuthenticationType::Basic => {
            require_text(dest, path, "http_basic_auth", errors);
            require_secret(dest, path, "http_basic_password", stored, errors);
        }
        AuthenticationType::OAuth2 => {
            if require_text(dest, path, "access_token_url", errors) {
                let kept = stored.and_then(|d| d.access_token_url.as_deref());
                keep_url_password(dest, path, "access_token_url", kept, errors);
                check_url(dest, path, "access_token_url", errors);
            }
            require_text(dest, path, "client_id", errors);
            require_secret(dest, path, "client_secret", stored, errors);
        }
        AuthenticationType::Bearer => require_secret(dest, path, "bearer_token", stored, errors),
        // None needs nothing; a type outside the spec's enum was reported by the schema.
        _ => {}
    }
    check_custom_headers(dest, path, errors);
}

/// A URL whose password is the mask means the stored URL, which must be the
/// same URL once masked.
fn keep_url_password(
    dest: &mut Map<String, Value>,
    path: &str,
    field: &str,
    stored: Option<&str>,
    errors: &mut FieldErrors,
) {
    let Some(Value::String(given)) = dest.get(field) else {
        return;
    };
    if !url_password::is_masked(given) {
        return;
    }
    match stored.filter(|s| url_password::masked(s) == *given && !url_password::is_masked(s)) {
        Some(url) => {
            dest.insert(field.to_owned(), Value::String(url.to_owned()));
        }
        None => errors.push(
            format!("{path}.{field}"),
            "has a masked password (\"********\") but no URL with a password is stored to keep; give it in clear.",
        ),
    }
}

/// A URL field, when it is a string, must be an absolute http(s) URL.
fn check_url(dest: &Map<String, Value>, path: &str, field: &str, errors: &mut FieldErrors) {
    if let Some(Value::String(url)) = dest.get(field)
        && let Err(e) = targets::parse(url)
    {
        errors.push(format!("{path}.{field}"), e.to_string());
    }
}

/// A text field the authentication type needs: absent or blank is an error.
/// Returns whether it is a non-blank string.
fn require_text(
    dest: &Map<String, Value>,
    path: &str,
    field: &str,
    errors: &mut FieldErrors,
) -> bool {
    match dest.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => true,
        None | Some(Value::String(_)) => {
            errors.push(format!("{path}.{field}"), "is required.");
            false
        }
        Some(_) => false,
    }
}

/// A secret must be given; the mask means "the stored one", which must exist.
fn require_secret(
    dest: &mut Map<String, Value>,
    path: &str,
    field: &str,
    stored: Option<&Destination>,
    errors: &mut FieldErrors,
) {
    let given = match dest.get(field) {
        Some(Value::String(s)) if !s.is_empty() => s,
        None | Some(Value::String(_)) => {
            errors.push(format!("{path}.{field}"), "is required.");
            return;
        }
        Some(_) => return,
    };
    if !Secret::new(given.as_str()).is_masked() {
        return;
    }
    let kept = stored.and_then(|d| match field {
        "http_basic_password" => d.http_basic_password.as_ref(),
        "client_secret" => d.client_secret.as_ref(),
        _ => d.bearer_token.as_ref(),
    });
    match kept.filter(|s| !s.is_empty()) {
        Some(secret) => {
            dest.insert(field.to_owned(), Value::String(secret.expose().to_owned()));
        }
        None => errors.push(
            format!("{path}.{field}"),
            "is masked (\"********\") but no secret is stored to keep; give it in clear.",
        ),
    }
}

/// Header names and values must be sendable over HTTP.
fn check_custom_headers(dest: &Map<String, Value>, path: &str, errors: &mut FieldErrors) {
    let Some(Value::Array(items)) = dest.get("custom_header") else {
        return;
    };
    for (j, header) in items.iter().enumerate() {
        let at = format!("{path}.custom_header[{j}]");
        if let Some(Value::String(name)) = header.get("header_name")
            && !name.is_empty()
            && axum::http::HeaderName::from_bytes(name.as_bytes()).is_err()
        {
            errors.push(format!("{at}.header_name"), "is not a valid header name.");
        }
        if let Some(Value::String(value)) = header.get("value")
            && axum::http::HeaderValue::from_str(value).is_err()
        {
            errors.push(format!("{at}.value"), "is not a valid header value.");
        }
    }
}

/// Removes `null` members (the model reads absent optional fields, not nulls),
/// one level deep in destinations and headers too.
fn drop_nulls(obj: &mut Map<String, Value>) {
    obj.retain(|_, v| !v.is_null());
    if let Some(Value::Array(dests)) = obj.get_mut("destinations") {
        for dest in dests.iter_mut().filter_map(Value::as_object_mut) {
            dest.retain(|_, v| !v.is_null());
            if let Some(Value::Array(headers)) = dest.get_mut("custom_header") {
                for h in headers.iter_mut().filter_map(Value::as_object_mut) {
                    h.retain(|_, v| !v.is_null());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules() -> Rules<'static> {
        static BRANCHES: std::sync::LazyLock<Vec<String>> =
            std::sync::LazyLock::new(|| vec!["main".to_owned()]);
        Rules {
            shapes: Shapes::get().unwrap(),
            branches: &BRANCHES,
            existing: None,
            allow_unknown_channels: false,
        }
    }

    fn wrapped(webhook: Value) -> Value {
        json!({ "webhook": webhook })
    }

    #[test]
    fn lists_schema_and_rule_problems_in_one_answer() {
        let e = webhook_input(
            wrapped(json!({"destinations": [{"target_url": "not a url", "authentication_type": "Digest"}],
                    "channels": ["a..b"], "branches": ["dev"], "retry_policy": "often"})),
            Envelope::Wrapped,
            rules(),
        )
        .unwrap_err();
        for field in [
            "name",
            "destinations[0].target_url",
            "destinations[0].authentication_type",
            "channels[0]",
            "branches",
            "retry_policy",
        ] {
            assert!(e.has(field), "{field}: {e:?}");
        }
        assert_eq!(e.message_for("name"), Some("is required."));
    }

    #[test]
    fn fields_are_named_inside_the_webhook_or_the_file() {
        let e = webhook_input(json!([]), Envelope::Wrapped, rules()).unwrap_err();
        assert!(e.has("body"), "{e:?}");
        let e = webhook_input(json!({}), Envelope::Wrapped, rules()).unwrap_err();
        assert_eq!(e.message_for("webhook"), Some("is required."));
        let e = webhook_input(wrapped(json!([])), Envelope::Wrapped, rules()).unwrap_err();
        assert!(e.has("webhook"), "{e:?}");
        let e = webhook_input(json!("x"), Envelope::Bare, rules()).unwrap_err();
        assert!(e.has("webhook"), "{e:?}");
        let e = webhook_input(json!({"name": "n"}), Envelope::Bare, rules()).unwrap_err();
        assert!(e.has("destinations") && e.has("channels"), "{e:?}");
    }

    #[test]
    fn any_well_formed_target_is_accepted_and_nulls_are_absent() {
        let doc = json!({"name": "n", "channels": ["assets.create"], "notifiers": null,
            "destinations": [{"target_url": "https://hooks.example.com/x", "custom_header": null}]});
        let input = webhook_input(wrapped(doc), Envelope::Wrapped, rules()).unwrap();
        assert_eq!(
            input.destinations[0].target_url,
            "https://hooks.example.com/x"
        );
        for bad in ["ftp://127.0.0.1/x", "/relative", "http://"] {
            let doc = json!({"name": "n", "channels": ["assets.create"],
                "destinations": [{"target_url": bad}]});
            let e = webhook_input(doc, Envelope::Bare, rules()).unwrap_err();
            assert!(e.has("destinations[0].target_url"), "{bad}: {e:?}");
        }
    }

    #[test]
    fn masked_secret_keeps_the_stored_one() {
        let stored: Destination = serde_json::from_value(json!({
            "target_url": "http://127.0.0.1:1/a", "authentication_type": "Bearer", "bearer_token": "t0k"
        }))
        .unwrap();
        let stored = [stored];
        let doc = json!({"name": "n", "channels": ["assets.create"], "destinations": [
            {"target_url": "http://127.0.0.1:1/a", "authentication_type": "Bearer", "bearer_token": "********"}]});
        let r = Rules {
            existing: Some(&stored),
            ..rules()
        };
        let input = webhook_input(doc.clone(), Envelope::Bare, r).unwrap();
        assert_eq!(
            input.destinations[0]
                .bearer_token
                .as_ref()
                .unwrap()
                .expose(),
            "t0k"
        );
        let e = webhook_input(doc, Envelope::Bare, rules()).unwrap_err();
        assert!(e.has("destinations[0].bearer_token"));
    }

    #[test]
    fn legacy_destination_without_type() {
        let doc = json!({"name": "n", "channels": ["assets.create"], "notifiers": ["a@b.c"],
            "destinations": [{"target_url": "http://localhost/x", "http_basic_auth": "", "http_basic_password": ""}]});
        let input = webhook_input(doc, Envelope::Bare, rules()).unwrap();
        assert_eq!(
            input.destinations[0].authentication_type,
            Some(AuthenticationType::None)
        );
    }
}
