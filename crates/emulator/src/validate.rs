//! Validation of a webhook definition (create, update, import) into the
//! model's [`WebhookInput`], collecting every problem as a per-field message.
//!
//! The document is checked as JSON first, so that one answer lists all the
//! problems (serde would stop at the first), then decoded into the model type.
//! Read-only fields (`uid`, `created_at`, `__v`, ...) are ignored, as the
//! official JavaScript SDK sends them back on update.

use cs_webhooks_model::{
    AuthenticationType, Channel, Destination, Secret, WebhookInput, from_json_value,
};
use serde_json::{Map, Value};

use crate::api::error::FieldErrors;
use crate::delivery::targets;

/// What validation needs to know besides the document.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// The stack's branches (for `branches`).
    pub branches: &'a [String],
    /// Whether targets may be other than loopback.
    pub allow_remote: bool,
    /// The destinations stored so far (update, import into an existing
    /// webhook), whose secrets a masked `"********"` keeps.
    pub existing: Option<&'a [Destination]>,
}

/// Validates `doc` (the object inside `{"webhook": ...}`, or an imported file).
///
/// On success the destinations have an explicit `authentication_type` and
/// masked secrets are replaced by the stored ones.
pub fn webhook_input(doc: &Value, rules: Rules<'_>) -> Result<WebhookInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let Some(obj) = doc.as_object() else {
        errors.push("webhook", "must be an object.");
        return Err(errors);
    };
    let mut obj = obj.clone();
    check_name(&obj, &mut errors);
    check_destinations(&mut obj, rules, &mut errors);
    check_channels(&obj, &mut errors);
    check_branches(&obj, rules.branches, &mut errors);
    check_notifiers(&obj, &mut errors);
    match obj.get("retry_policy") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == "manual" || s == "automatic" => {}
        Some(_) => errors.push("retry_policy", "must be manual or automatic."),
    }
    for flag in ["disabled", "concise_payload"] {
        if !matches!(obj.get(flag), None | Some(Value::Null | Value::Bool(_))) {
            errors.push(flag, "must be true or false.");
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Everything the model requires was checked above; a decode error here
    // means a shape the checks missed, still reported against its field.
    drop_nulls(&mut obj);
    from_json_value::<WebhookInput>(Value::Object(obj)).map_err(|e| {
        let mut errors = FieldErrors::default();
        errors.push(
            if e.path.is_empty() {
                "webhook".to_owned()
            } else {
                e.path.clone()
            },
            e.message,
        );
        errors
    })
}

fn check_name(obj: &Map<String, Value>, errors: &mut FieldErrors) {
    match obj.get("name") {
        None | Some(Value::Null) => errors.push("name", "is required."),
        Some(Value::String(s)) if s.trim().is_empty() => errors.push("name", "can't be blank."),
        Some(Value::String(_)) => {}
        Some(_) => errors.push("name", "must be a string."),
    }
}

fn check_channels(obj: &Map<String, Value>, errors: &mut FieldErrors) {
    match obj.get("channels") {
        None | Some(Value::Null) => errors.push("channels", "is required."),
        Some(Value::Array(items)) if items.is_empty() => {
            errors.push("channels", "must have at least one channel.");
        }
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => {
                        if let Err(e) = Channel::new(s.as_str()) {
                            errors.push(format!("channels[{i}]"), format!("{e}."));
                        }
                    }
                    _ => errors.push(format!("channels[{i}]"), "must be a string."),
                }
            }
        }
        Some(_) => errors.push("channels", "must be a list of channels."),
    }
}

fn check_branches(obj: &Map<String, Value>, known: &[String], errors: &mut FieldErrors) {
    match obj.get("branches") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                match item.as_str() {
                    Some(b) if known.iter().any(|k| k == b) => {}
                    Some(b) => {
                        errors.push("branches", format!("{b:?} is not a branch of this stack."))
                    }
                    None => errors.push("branches", "must be a list of branch uids."),
                }
            }
        }
        Some(_) => errors.push("branches", "must be a list of branch uids."),
    }
}

fn check_notifiers(obj: &Map<String, Value>, errors: &mut FieldErrors) {
    let ok = match obj.get("notifiers") {
        None | Some(Value::Null | Value::String(_)) => true,
        Some(Value::Array(items)) => items.iter().all(Value::is_string),
        Some(_) => false,
    };
    if !ok {
        errors.push("notifiers", "must be an e-mail address or a list of them.");
    }
}

fn check_destinations(obj: &mut Map<String, Value>, rules: Rules<'_>, errors: &mut FieldErrors) {
    let Some(value) = obj.get_mut("destinations") else {
        errors.push("destinations", "is required.");
        return;
    };
    let items = match value {
        Value::Null => {
            errors.push("destinations", "is required.");
            return;
        }
        Value::Array(items) if items.is_empty() => {
            errors.push("destinations", "must have at least one destination.");
            return;
        }
        Value::Array(items) => items,
        _ => {
            errors.push("destinations", "must be a list of destinations.");
            return;
        }
    };
    for (i, item) in items.iter_mut().enumerate() {
        let path = format!("destinations[{i}]");
        match item.as_object_mut() {
            Some(dest) => {
                let stored = rules
                    .existing
                    .and_then(|d| matching_destination(d, dest, i));
                check_destination(dest, &path, rules.allow_remote, stored, errors);
            }
            None => errors.push(path, "must be an object."),
        }
    }
}

/// The stored destination a masked secret refers to: the one with the same
/// target URL, else the one at the same position.
fn matching_destination<'a>(
    stored: &'a [Destination],
    dest: &Map<String, Value>,
    index: usize,
) -> Option<&'a Destination> {
    let url = dest.get("target_url").and_then(Value::as_str);
    stored
        .iter()
        .find(|d| Some(d.target_url.as_str()) == url)
        .or_else(|| stored.get(index))
}

fn check_destination(
    dest: &mut Map<String, Value>,
    path: &str,
    allow_remote: bool,
    stored: Option<&Destination>,
    errors: &mut FieldErrors,
) {
    match dest.get("target_url") {
        None | Some(Value::Null) => errors.push(format!("{path}.target_url"), "is required."),
        Some(Value::String(url)) => {
            if let Err(e) = targets::check_url(url, allow_remote) {
                errors.push(format!("{path}.target_url"), e.to_string());
            }
        }
        Some(_) => errors.push(format!("{path}.target_url"), "must be a string."),
    }
    for field in [
        "http_basic_auth",
        "http_basic_password",
        "access_token_url",
        "client_id",
        "client_secret",
        "request_query_parameters",
        "bearer_token",
    ] {
        if !matches!(dest.get(field), None | Some(Value::Null | Value::String(_))) {
            errors.push(format!("{path}.{field}"), "must be a string.");
        }
    }
    let kind = match dest.get("authentication_type") {
        None | Some(Value::Null) => {
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
        Some(_) => {
            errors.push(format!("{path}.authentication_type"), "must be a string.");
            return;
        }
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
            match dest.get("access_token_url").and_then(Value::as_str) {
                Some(url) if !url.trim().is_empty() => {
                    if let Err(e) = targets::check_url(url, allow_remote) {
                        errors.push(format!("{path}.access_token_url"), e.to_string());
                    }
                }
                _ => errors.push(format!("{path}.access_token_url"), "is required."),
            }
            require_text(dest, path, "client_id", errors);
            require_secret(dest, path, "client_secret", stored, errors);
        }
        AuthenticationType::Bearer => require_secret(dest, path, "bearer_token", stored, errors),
        AuthenticationType::None => {}
        _ => errors.push(
            format!("{path}.authentication_type"),
            "is not valid (use Basic, OAuth2, Bearer or None).",
        ),
    }
    check_custom_headers(dest, path, errors);
}

fn require_text(dest: &Map<String, Value>, path: &str, field: &str, errors: &mut FieldErrors) {
    if dest
        .get(field)
        .and_then(Value::as_str)
        .is_none_or(|s| s.trim().is_empty())
    {
        errors.push(format!("{path}.{field}"), "is required.");
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
    let Some(given) = dest.get(field).and_then(Value::as_str) else {
        errors.push(format!("{path}.{field}"), "is required.");
        return;
    };
    if given.is_empty() {
        errors.push(format!("{path}.{field}"), "is required.");
        return;
    }
    if !Secret::new(given).is_masked() {
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

fn check_custom_headers(dest: &Map<String, Value>, path: &str, errors: &mut FieldErrors) {
    let items = match dest.get("custom_header") {
        None | Some(Value::Null) => return,
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.push(
                format!("{path}.custom_header"),
                "must be a list of headers.",
            );
            return;
        }
    };
    for (j, item) in items.iter().enumerate() {
        let at = format!("{path}.custom_header[{j}]");
        let Some(h) = item.as_object() else {
            errors.push(at, "must be an object.");
            continue;
        };
        let name = h.get("header_name");
        let value = h.get("value");
        match name {
            None | Some(Value::Null) => {}
            Some(Value::String(n)) if n.is_empty() => {}
            Some(Value::String(n)) => {
                if axum::http::HeaderName::from_bytes(n.as_bytes()).is_err() {
                    errors.push(format!("{at}.header_name"), "is not a valid header name.");
                }
            }
            Some(_) => errors.push(format!("{at}.header_name"), "must be a string."),
        }
        match value {
            None | Some(Value::Null) => {}
            Some(Value::String(v)) => {
                if axum::http::HeaderValue::from_str(v).is_err() {
                    errors.push(format!("{at}.value"), "is not a valid header value.");
                }
            }
            Some(_) => errors.push(format!("{at}.value"), "must be a string."),
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
            branches: &BRANCHES,
            allow_remote: false,
            existing: None,
        }
    }

    #[test]
    fn lists_every_problem() {
        let e = webhook_input(
            &json!({"destinations": [{"target_url": "http://example.com", "authentication_type": "Digest"}],
                    "channels": ["a..b"], "branches": ["dev"], "retry_policy": "often"}),
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
        let input = webhook_input(&doc, r).unwrap();
        assert_eq!(
            input.destinations[0]
                .bearer_token
                .as_ref()
                .unwrap()
                .expose(),
            "t0k"
        );
        let e = webhook_input(&doc, rules()).unwrap_err();
        assert!(e.has("destinations[0].bearer_token"));
    }

    #[test]
    fn legacy_destination_without_type() {
        let doc = json!({"name": "n", "channels": ["assets.create"], "notifiers": ["a@b.c"],
            "destinations": [{"target_url": "http://localhost/x", "http_basic_auth": "", "http_basic_password": ""}]});
        let input = webhook_input(&doc, rules()).unwrap();
        assert_eq!(
            input.destinations[0].authentication_type,
            Some(AuthenticationType::None)
        );
    }
}
