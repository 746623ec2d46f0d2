//! OAuth2 client credentials for destinations with `authentication_type: OAuth2`:
//! fetch a token from `access_token_url` (with `request_query_parameters`
//! appended), cache it until it expires, fetch again after a 401.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use cs_webhooks_model::{Destination, Secret};
use reqwest::header::{ACCEPT, CONTENT_TYPE, USER_AGENT};
use sha2::{Digest, Sha256};

use super::targets;

/// Why no token could be had. Messages never include credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// `access_token_url` is missing or not allowed.
    #[error("access_token_url {0}")]
    Url(String),
    /// The token endpoint could not be reached.
    #[error("token request failed: {0}")]
    Transport(String),
    /// The token endpoint answered with an error status.
    #[error("token endpoint answered {0}")]
    Status(u16),
    /// The answer has no `access_token`.
    #[error("token response has no access_token")]
    NoToken,
}

/// A token and when to stop using it.
#[derive(Clone)]
struct Cached {
    token: Secret,
    until: Option<Instant>,
}

/// Tokens by destination and credentials; one fetch at a time per key.
#[derive(Default)]
pub struct TokenCache {
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Cached>>>>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache").finish_non_exhaustive()
    }
}

impl TokenCache {
    /// A token for `dest`: the cached one unless it expired or equals `stale`
    /// (the one a destination just refused), else a freshly fetched one.
    pub async fn token(
        &self,
        client: &reqwest::Client,
        dest: &Destination,
        allow_remote: bool,
        stale: Option<&Secret>,
    ) -> Result<Secret, OAuthError> {
        let slot = self.slot(&cache_key(dest));
        let mut cached = slot.lock().await;
        if let Some(c) = cached.as_ref() {
            let fresh = c.until.is_none_or(|t| Instant::now() < t);
            if fresh && stale != Some(&c.token) {
                return Ok(c.token.clone());
            }
        }
        let fetched = fetch(client, dest, allow_remote).await?;
        *cached = Some(fetched.clone());
        Ok(fetched.token)
    }

    fn slot(&self, key: &str) -> Arc<tokio::sync::Mutex<Option<Cached>>> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(slots.entry(key.to_owned()).or_default())
    }
}

/// Credentials identify the cache entry, hashed so the map holds no secret.
fn cache_key(dest: &Destination) -> String {
    let mut h = Sha256::new();
    for part in [
        dest.access_token_url.as_deref().unwrap_or(""),
        dest.request_query_parameters.as_deref().unwrap_or(""),
        dest.client_id.as_deref().unwrap_or(""),
        dest.client_secret.as_ref().map_or("", Secret::expose),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    crate::ids::hex(&h.finalize())
}

/// The token URL with `request_query_parameters` appended (`"="`, the
/// documentation's placeholder, and empty pairs are left out).
pub fn token_url(dest: &Destination) -> String {
    let base = dest.access_token_url.as_deref().unwrap_or("").trim();
    let extra: Vec<&str> = dest
        .request_query_parameters
        .as_deref()
        .unwrap_or("")
        .trim_start_matches(['?', '&'])
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with('='))
        .collect();
    if extra.is_empty() {
        return base.to_owned();
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}", extra.join("&"))
}

async fn fetch(
    client: &reqwest::Client,
    dest: &Destination,
    allow_remote: bool,
) -> Result<Cached, OAuthError> {
    let url = token_url(dest);
    let url = targets::check_url(&url, allow_remote).map_err(|e| OAuthError::Url(e.to_string()))?;
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        form_encode(dest.client_id.as_deref().unwrap_or("")),
        form_encode(dest.client_secret.as_ref().map_or("", Secret::expose)),
    );
    let response = client
        .post(url)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(ACCEPT, "application/json")
        .header(USER_AGENT, "Contentstack")
        .body(form)
        .send()
        .await
        .map_err(|e| OAuthError::Transport(super::attempt::describe(&e).1))?;
    let status = response.status();
    if !status.is_success() {
        return Err(OAuthError::Status(status.as_u16()));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| OAuthError::Transport(super::attempt::describe(&e).1))?;
    let doc: serde_json::Value = serde_json::from_slice(&body).map_err(|_| OAuthError::NoToken)?;
    let token = doc
        .get("access_token")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or(OAuthError::NoToken)?;
    // Renew a little early so a token does not expire in flight.
    let until = doc
        .get("expires_in")
        .and_then(serde_json::Value::as_u64)
        .map(|s| Instant::now() + Duration::from_secs(s.saturating_sub(5)));
    Ok(Cached {
        token: Secret::new(token),
        until,
    })
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dest(url: &str, params: &str) -> Destination {
        serde_json::from_value(serde_json::json!({
            "target_url": "http://127.0.0.1/", "access_token_url": url,
            "request_query_parameters": params
        }))
        .unwrap()
    }

    #[test]
    fn query_parameters_are_appended() {
        assert_eq!(token_url(&dest("http://h/t", "=")), "http://h/t");
        assert_eq!(token_url(&dest("http://h/t", "")), "http://h/t");
        assert_eq!(
            token_url(&dest("http://h/t", "audience=x&scope=a")),
            "http://h/t?audience=x&scope=a"
        );
        assert_eq!(
            token_url(&dest("http://h/t?a=1", "?b=2")),
            "http://h/t?a=1&b=2"
        );
    }

    #[test]
    fn form_encoding() {
        assert_eq!(form_encode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
    }
}
