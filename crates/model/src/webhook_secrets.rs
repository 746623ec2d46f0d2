//! Giving masked secrets again. The API answers every stored secret with the
//! mask `"********"`, so an exported webhook cannot be imported into a stack
//! that does not already hold its secrets until they are set in clear.

use crate::{Destination, Secret, Webhook, WebhookInput};

impl Destination {
    /// Replaces each masked secret of this destination (`bearer_token`,
    /// `http_basic_password`, `client_secret`) with `secret`; returns how
    /// many were replaced.
    pub fn unmask_secrets(&mut self, secret: &Secret) -> usize {
        let mut replaced = 0;
        for field in [
            &mut self.bearer_token,
            &mut self.http_basic_password,
            &mut self.client_secret,
        ] {
            if let Some(value) = field
                && value.is_masked()
            {
                *value = secret.clone();
                replaced += 1;
            }
        }
        replaced
    }
}

/// The destinations whose target URL is `target_url`, their masked secrets
/// replaced with `secret`.
fn unmask(destinations: &mut [Destination], target_url: &str, secret: &Secret) {
    for destination in destinations
        .iter_mut()
        .filter(|d| d.target_url == target_url)
    {
        destination.unmask_secrets(secret);
    }
}

impl Webhook {
    /// This webhook with the masked secrets of its destination(s) at
    /// `target_url` set to `secret`: what an export needs before it is
    /// imported into another stack.
    ///
    /// ```
    /// use cs_webhooks_model::{Secret, Webhook};
    ///
    /// let exported: Webhook = serde_json::from_str(r#"{"uid": "w1", "name": "n", "channels": [],
    ///     "destinations": [{"target_url": "http://127.0.0.1:9000/hook",
    ///                       "authentication_type": "Bearer", "bearer_token": "********"}]}"#)?;
    /// let ready = exported.with_secret("http://127.0.0.1:9000/hook", "search-token");
    /// let token = ready.destinations[0].bearer_token.as_ref().map(Secret::expose);
    /// assert_eq!(token, Some("search-token"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn with_secret(mut self, target_url: &str, secret: impl Into<Secret>) -> Self {
        unmask(&mut self.destinations, target_url, &secret.into());
        self
    }
}

impl WebhookInput {
    /// This definition with the masked secrets of its destination(s) at
    /// `target_url` set to `secret` (see [`Webhook::with_secret`]).
    #[must_use]
    pub fn with_secret(mut self, target_url: &str, secret: impl Into<Secret>) -> Self {
        unmask(&mut self.destinations, target_url, &secret.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_masked_secrets_at_the_url_are_replaced() {
        let input: WebhookInput = serde_json::from_value(serde_json::json!({
        "name": "n", "channels": ["assets.create"],
        "destinations": [
            {"target_url": "http://a/", "authentication_type": "Basic",
             "http_basic_auth": "u", "http_basic_password": "********"},
            {"target_url": "http://b/", "authentication_type": "Bearer",
             "bearer_token": "********"},
            {"target_url": "http://a/", "authentication_type": "Bearer",
             "bearer_token": "kept"},
        ]}))
        .unwrap();
        let input = input.with_secret("http://a/", "new");
        let exposed = |s: &Option<Secret>| s.as_ref().map(|s| s.expose().to_owned());
        assert_eq!(
            exposed(&input.destinations[0].http_basic_password).as_deref(),
            Some("new")
        );
        assert_eq!(
            exposed(&input.destinations[1].bearer_token).as_deref(),
            Some(Secret::MASK)
        );
        assert_eq!(
            exposed(&input.destinations[2].bearer_token).as_deref(),
            Some("kept")
        );
    }
}
