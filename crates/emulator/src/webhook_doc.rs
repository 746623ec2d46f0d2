//! Turning validated input into stored webhooks, and stored webhooks into
//! what the API shows (secrets masked, `notifiers` as a list).

use chrono::{DateTime, Utc};
use cs_webhooks_model::{
    Destination, Notifiers, RetryPolicy, RetrySettings, Secret, Unhealthy, Webhook, WebhookInput,
};

use crate::store::{StackRow, StoredWebhook};
use crate::url_password;

/// Who and when, for the audit fields.
#[derive(Debug, Clone, Copy)]
pub struct Stamp<'a> {
    /// The stack written to.
    pub stack: &'a StackRow,
    /// The branch of the call (default for `branches`).
    pub branch: &'a str,
    /// The time of the write.
    pub now: DateTime<Utc>,
}

/// A new webhook from validated input.
pub fn create(input: WebhookInput, stamp: Stamp<'_>) -> StoredWebhook {
    let user = Some(stamp.stack.user_uid.clone());
    let webhook = Webhook {
        uid: crate::ids::cs_uid(),
        name: input.name,
        destinations: input.destinations,
        channels: input.channels,
        retry_policy: Some(input.retry_policy.unwrap_or(RetryPolicy::Manual)),
        branches: if input.branches.is_empty() {
            vec![stamp.branch.to_owned()]
        } else {
            dedup(input.branches)
        },
        notifiers: input.notifiers.map(notifier_list).unwrap_or_default(),
        disabled: Some(input.disabled.unwrap_or(false)),
        concise_payload: Some(input.concise_payload.unwrap_or(false)),
        unhealthy: Some(Unhealthy { state: Some(false) }),
        retry: None,
        applikation_id: None,
        app_user_object_uid: Some("system".to_owned()),
        org_uid: Some(stamp.stack.org_uid.clone()),
        created_by: user.clone(),
        updated_by: user,
        created_at: Some(stamp.now),
        updated_at: Some(stamp.now),
        v: Some(0),
    };
    StoredWebhook {
        api_key: stamp.stack.api_key.clone(),
        seq: 0,
        failures: 0,
        webhook,
    }
}

/// `current` with the definition replaced by `input`. Optional fields left out
/// of `input` keep their stored values; re-enabling clears the circuit breaker.
pub fn update(current: &StoredWebhook, input: WebhookInput, stamp: Stamp<'_>) -> StoredWebhook {
    let mut next = current.clone();
    let w = &mut next.webhook;
    w.name = input.name;
    w.destinations = input.destinations;
    w.channels = input.channels;
    if let Some(policy) = input.retry_policy {
        w.retry_policy = Some(policy);
    }
    if !input.branches.is_empty() {
        w.branches = dedup(input.branches);
    }
    if let Some(notifiers) = input.notifiers {
        w.notifiers = notifier_list(notifiers);
    }
    if let Some(concise) = input.concise_payload {
        w.concise_payload = Some(concise);
    }
    if let Some(disabled) = input.disabled {
        if !disabled && w.disabled == Some(true) {
            w.unhealthy = Some(Unhealthy { state: Some(false) });
            next.failures = 0;
        }
        w.disabled = Some(disabled);
    }
    w.updated_by = Some(stamp.stack.user_uid.clone());
    w.updated_at = Some(stamp.now);
    w.v = Some(w.v.unwrap_or(0).saturating_add(1));
    next
}

/// Marks a webhook as made by import (the API reports `retry: {auto: true}` then).
pub fn mark_imported(webhook: &mut StoredWebhook) {
    webhook.webhook.retry = Some(RetrySettings { auto: Some(true) });
}

/// The webhook as the API shows it: every non-empty secret replaced by the mask.
pub fn masked(webhook: &Webhook) -> Webhook {
    let mut shown = webhook.clone();
    for dest in &mut shown.destinations {
        mask_destination(dest);
    }
    shown
}

fn mask_destination(dest: &mut Destination) {
    dest.target_url = url_password::masked(&dest.target_url);
    if let Some(url) = dest.access_token_url.as_mut() {
        *url = url_password::masked(url);
    }
    for secret in [
        &mut dest.http_basic_password,
        &mut dest.client_secret,
        &mut dest.bearer_token,
    ] {
        if let Some(s) = secret.as_mut().filter(|s| !s.is_empty()) {
            *s = Secret::masked();
        }
    }
}

/// `notifiers` as a list: a string may hold several addresses separated by commas.
fn notifier_list(notifiers: Notifiers) -> Vec<String> {
    let list = match notifiers {
        Notifiers::One(s) => s.split(',').map(str::to_owned).collect(),
        Notifiers::Many(list) => list,
    };
    list.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn dedup(mut items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items.retain(|b| seen.insert(b.clone()));
    items
}

/// Whether the webhook fires for events in `branch`.
pub fn in_branch(webhook: &Webhook, branch: &str) -> bool {
    webhook.branches.iter().any(|b| b == branch)
        || (webhook.branches.is_empty() && branch == "main")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifiers_are_split_and_trimmed() {
        assert_eq!(
            notifier_list(Notifiers::One("a@b.c, d@e.f,".into())),
            ["a@b.c", "d@e.f"]
        );
        assert!(notifier_list(Notifiers::One(String::new())).is_empty());
        assert_eq!(notifier_list(Notifiers::Many(vec!["x".into()])), ["x"]);
    }

    #[test]
    fn masking_hides_set_secrets_only() {
        let mut d: Destination = serde_json::from_value(serde_json::json!({
            "target_url": "http://127.0.0.1/", "http_basic_password": "pw", "client_secret": "",
            "bearer_token": "tok"
        }))
        .unwrap();
        mask_destination(&mut d);
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["http_basic_password"], "********");
        assert_eq!(v["client_secret"], "");
        assert_eq!(v["bearer_token"], "********");
    }
}
