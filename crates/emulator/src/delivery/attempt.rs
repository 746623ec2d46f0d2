//! One delivery attempt: build the request (auth, custom headers, signatures),
//! send it, and describe what happened the way the API records it.

use std::error::Error as _;
use std::time::Duration;

use axum::body::Bytes;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cs_webhooks_model::{
    AttemptedRequest, AuthenticationType, DeliveredRequest, DeliveryResponse, Destination, Headers,
    RequestDetail, RequestUri, Secret,
};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};

use super::oauth::TokenCache;
use super::signing::{HMAC_HEADER, SIGNATURE_HEADER, hmac_header};
use super::targets::{self, NotLoopbackHost};
use crate::ids;
use crate::url_password;

/// Response bodies are recorded up to this many bytes.
const MAX_RECORDED_BODY: usize = 64 * 1024;

/// What every attempt needs: the HTTP client and settings.
#[derive(Debug)]
pub struct Sender {
    /// The client (loopback-only resolver unless remote targets are allowed).
    pub client: reqwest::Client,
    /// OAuth2 tokens.
    pub tokens: TokenCache,
    /// Whether targets other than loopback are allowed.
    pub allow_remote: bool,
    /// The per-attempt timeout.
    pub timeout: Duration,
}

/// The request to make.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The destination.
    pub dest: &'a Destination,
    /// The exact body.
    pub body: &'a std::sync::Arc<[u8]>,
    /// The RSA-PSS signature header value.
    pub signature: &'a str,
    /// The stack's HMAC secret, if any.
    pub hmac: Option<&'a Secret>,
    /// Which attempt this is.
    pub retry_number: u32,
}

/// What happened, ready to record.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The attempt's `_id`.
    pub id: String,
    /// When it was made (ms).
    pub created_ms: i64,
    /// The HTTP status, `None` for a network error.
    pub status: Option<u16>,
    /// Whether the destination answered 2xx.
    pub success: bool,
    /// The `RequestDetail` document as JSON, without `request.body`.
    pub detail_json: String,
    /// What went wrong, for the breaker's e-mail (`None` when the attempt
    /// succeeded).
    pub error: Option<String>,
    /// The headers sent (Authorization masked).
    pub headers: Map<String, Value>,
}

/// How the destination answered.
struct Answer {
    status: u16,
    headers: Map<String, Value>,
    body: String,
}

impl Sender {
    /// Makes one attempt (two requests when an OAuth2 token is refused and renewed).
    pub async fn attempt(&self, req: Request<'_>) -> Outcome {
        let id = ids::cs_uid();
        let created = ids::now();
        let url = req.dest.target_url.trim().to_owned();
        let kind = req
            .dest
            .authentication_type
            .clone()
            .unwrap_or(AuthenticationType::None);
        let t = created.timestamp();
        let mut shown = Map::new();
        let mut headers = HeaderMap::new();
        build_headers(req, t, &mut headers, &mut shown);

        let result = match targets::check_url(&url, self.allow_remote) {
            Err(e) => Err(("EBLOCKED", format!("target_url {e}"))),
            Ok(parsed) => {
                let auth = match kind {
                    AuthenticationType::Basic => Ok(basic(req.dest)),
                    AuthenticationType::Bearer => Ok(req
                        .dest
                        .bearer_token
                        .as_ref()
                        .map(|t| format!("Bearer {}", t.expose()))),
                    AuthenticationType::OAuth2 => self
                        .tokens
                        .token(&self.client, req.dest, self.allow_remote, None)
                        .await
                        .map(|t| Some(format!("Bearer {}", t.expose())))
                        .map_err(|e| ("EOAUTH2", e.to_string())),
                    _ => Ok(None),
                };
                match auth {
                    Err(e) => Err(e),
                    Ok(auth) => {
                        set_auth(&mut headers, &mut shown, auth.as_deref());
                        let mut answer = self.send(&parsed, &headers, req.body).await;
                        if kind == AuthenticationType::OAuth2
                            && matches!(answer, Ok(Answer { status: 401, .. }))
                        {
                            answer = self
                                .renew_and_resend(req, &parsed, &mut headers, auth)
                                .await;
                        }
                        answer
                    }
                }
            }
        };
        if !shown.contains_key("Authorization") {
            shown.insert("Authorization".into(), Value::Null);
        }
        self.outcome(req, id, created, &url, shown, result)
    }

    async fn renew_and_resend(
        &self,
        req: Request<'_>,
        url: &reqwest::Url,
        headers: &mut HeaderMap,
        refused: Option<String>,
    ) -> Result<Answer, (&'static str, String)> {
        let stale = refused
            .as_deref()
            .and_then(|a| a.strip_prefix("Bearer "))
            .map(Secret::new);
        let token = self
            .tokens
            .token(&self.client, req.dest, self.allow_remote, stale.as_ref())
            .await
            .map_err(|e| ("EOAUTH2", e.to_string()))?;
        let mut ignored = Map::new();
        set_auth(
            headers,
            &mut ignored,
            Some(&format!("Bearer {}", token.expose())),
        );
        self.send(url, headers, req.body).await
    }

    async fn send(
        &self,
        url: &reqwest::Url,
        headers: &HeaderMap,
        body: &std::sync::Arc<[u8]>,
    ) -> Result<Answer, (&'static str, String)> {
        let response = self
            .client
            .post(url.clone())
            .headers(headers.clone())
            .body(Bytes::from_owner(std::sync::Arc::clone(body)))
            .send()
            .await
            .map_err(|e| describe_at(&e, url, self.timeout))?;
        let status = response.status().as_u16();
        let mut recorded = Map::new();
        for name in response.headers().keys() {
            let values: Vec<Value> = response
                .headers()
                .get_all(name)
                .iter()
                .map(|v| Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            let value = if values.len() == 1 {
                values.into_iter().next().unwrap_or(Value::Null)
            } else {
                Value::Array(values)
            };
            recorded.insert(name.as_str().to_owned(), value);
        }
        let mut response = response;
        let mut body = Vec::new();
        // Read in chunks so a huge answer is not buffered whole.
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = MAX_RECORDED_BODY.saturating_sub(body.len());
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    if room <= chunk.len() {
                        break;
                    }
                }
                Ok(None) => break,
                // The status is known: a body cut short does not change the verdict.
                Err(_) => break,
            }
        }
        Ok(Answer {
            status,
            headers: recorded,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    fn outcome(
        &self,
        req: Request<'_>,
        id: String,
        created: chrono::DateTime<chrono::Utc>,
        url: &str,
        shown: Map<String, Value>,
        result: Result<Answer, (&'static str, String)>,
    ) -> Outcome {
        // The record is shown by the API: a password in the URL stays hidden.
        let url = &url_password::masked(url);
        let sent = Headers(shown.clone());
        let (status, success, response) = match result {
            Ok(answer) => {
                let success = (200..300).contains(&answer.status);
                let (message, code) = if success {
                    ("OK".to_owned(), None)
                } else {
                    (
                        format!("Request failed with status code {}", answer.status),
                        Some(if answer.status >= 500 {
                            "ERR_BAD_RESPONSE".to_owned()
                        } else {
                            "ERR_BAD_REQUEST".to_owned()
                        }),
                    )
                };
                let response = DeliveryResponse {
                    message: Some(message),
                    status_code: Some(answer.status),
                    code,
                    body: Some(Value::String(answer.body)),
                    headers: Some(Headers(answer.headers)),
                    request: None,
                };
                (Some(answer.status), success, response)
            }
            Err((code, message)) => {
                let response = DeliveryResponse {
                    message: Some(message),
                    status_code: None,
                    code: Some(code.to_owned()),
                    body: None,
                    headers: None,
                    request: None,
                };
                (None, false, response)
            }
        };
        let response = DeliveryResponse {
            request: Some(AttemptedRequest {
                uri: Some(RequestUri {
                    href: Some(url.to_owned()),
                }),
                method: Some("POST".to_owned()),
                headers: Some(sent.clone()),
            }),
            ..response
        };
        let detail = RequestDetail {
            id: Some(id.clone()),
            retry_number: Some(req.retry_number),
            created_at: Some(created),
            request: Some(DeliveredRequest {
                method: Some("POST".to_owned()),
                follow_all_redirects: Some(true),
                uri: Some(url.to_owned()),
                body: None,
                headers: Some(sent),
                json: Some(true),
                resolve_with_full_response: Some(true),
                timeout: Some(i64::try_from(self.timeout.as_millis()).unwrap_or(i64::MAX)),
            }),
            response: Some(response),
        };
        Outcome {
            id,
            created_ms: ids::to_ms(created),
            status,
            success,
            error: failure(success, status, &detail),
            detail_json: detail_json(&detail),
            headers: shown,
        }
    }
}

/// The record the API keeps for an attempt that a stopped emulator left unfinished.
pub fn interrupted(dest: Option<&Destination>, retry_number: u32, timeout: Duration) -> Outcome {
    not_sent(
        dest,
        retry_number,
        timeout,
        "EINTERRUPTED",
        "The emulator stopped before this attempt finished; it may or may not have been delivered. \
         With retry_policy automatic it is attempted again; otherwise POST \
         /v3/webhooks/{execution_uid}/retry sends it again.",
    )
}

/// The record of an attempt that was not made because the execution's
/// destination is no longer one of the webhook's.
pub fn destination_removed(retry_number: u32, timeout: Duration) -> Outcome {
    not_sent(
        None,
        retry_number,
        timeout,
        "EDESTINATIONREMOVED",
        "The destination this execution was made for was removed from the webhook; nothing was sent.",
    )
}

/// A failed attempt that sent nothing (or nothing known), with `code` and `message`.
fn not_sent(
    dest: Option<&Destination>,
    retry_number: u32,
    timeout: Duration,
    code: &str,
    message: &str,
) -> Outcome {
    let id = ids::cs_uid();
    let created = ids::now();
    let url = dest
        .map(|d| url_password::masked(d.target_url.trim()))
        .unwrap_or_default();
    let detail = RequestDetail {
        id: Some(id.clone()),
        retry_number: Some(retry_number),
        created_at: Some(created),
        request: Some(DeliveredRequest {
            method: Some("POST".to_owned()),
            follow_all_redirects: Some(true),
            uri: Some(url),
            body: None,
            headers: None,
            json: Some(true),
            resolve_with_full_response: Some(true),
            timeout: Some(i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX)),
        }),
        response: Some(DeliveryResponse {
            message: Some(message.to_owned()),
            code: Some(code.to_owned()),
            ..DeliveryResponse::default()
        }),
    };
    Outcome {
        id,
        created_ms: ids::to_ms(created),
        status: None,
        success: false,
        error: failure(false, None, &detail),
        detail_json: detail_json(&detail),
        headers: Map::new(),
    }
}

/// Custom headers first, then the standard ones, which win on a clash.
fn build_headers(
    req: Request<'_>,
    t: i64,
    headers: &mut HeaderMap,
    shown: &mut Map<String, Value>,
) {
    for custom in &req.dest.custom_header {
        let (Some(name), value) = (custom.header_name.as_deref(), custom.value.as_deref()) else {
            continue;
        };
        if name.trim().is_empty() {
            continue;
        }
        let value = value.unwrap_or("");
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(n, v);
            shown.insert(name.trim().to_owned(), Value::String(value.to_owned()));
        }
    }
    let mut standard = vec![
        ("Content-Type", "application/json".to_owned()),
        ("User-Agent", "Contentstack".to_owned()),
        (SIGNATURE_HEADER, req.signature.to_owned()),
    ];
    if let Some(secret) = req.hmac {
        standard.push((HMAC_HEADER, hmac_header(secret, t, req.body)));
    }
    for (name, value) in standard {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            shown.retain(|k, _| !k.eq_ignore_ascii_case(name));
            headers.insert(n, v);
            shown.insert(name.to_owned(), Value::String(value));
        }
    }
}

/// Sets `Authorization` from the destination's auth; the record shows it masked.
fn set_auth(headers: &mut HeaderMap, shown: &mut Map<String, Value>, auth: Option<&str>) {
    let Some(auth) = auth else { return };
    let Ok(mut value) = HeaderValue::from_str(auth) else {
        return;
    };
    value.set_sensitive(true);
    headers.insert(reqwest::header::AUTHORIZATION, value);
    shown.retain(|k, _| !k.eq_ignore_ascii_case("authorization"));
    let scheme = auth.split(' ').next().unwrap_or("");
    shown.insert(
        "Authorization".into(),
        Value::String(format!("{scheme} {}", Secret::MASK)),
    );
}

fn basic(dest: &Destination) -> Option<String> {
    let user = dest.http_basic_auth.as_deref().unwrap_or("");
    let password = dest.http_basic_password.as_ref().map_or("", Secret::expose);
    if user.is_empty() && password.is_empty() {
        return None;
    }
    Some(format!(
        "Basic {}",
        STANDARD.encode(format!("{user}:{password}"))
    ))
}

/// The record as stored. The model already writes `null` where the API does
/// (`statusCode`, `code`, `body`, `headers` of the response): serialized
/// straight to text, with no `Value` tree per attempt.
fn detail_json(detail: &RequestDetail) -> String {
    serde_json::to_string(detail).unwrap_or_else(|_| "null".to_owned())
}

/// What went wrong in a failed attempt: the status, else the response's
/// error code and message.
fn failure(success: bool, status: Option<u16>, detail: &RequestDetail) -> Option<String> {
    if success {
        return None;
    }
    let response = detail.response.as_ref();
    let code = response.and_then(|r| r.code.as_deref());
    let message = response.and_then(|r| r.message.as_deref());
    Some(match (status, code, message) {
        (Some(status), _, _) => format!("the destination answered HTTP {status}"),
        (None, Some(code), Some(message)) => format!("{code}: {message}"),
        (None, None, Some(message)) => message.to_owned(),
        (None, Some(code), None) => code.to_owned(),
        (None, None, None) => "the delivery failed".to_owned(),
    })
}

/// [`describe`] with the address and timeout filled into the message.
fn describe_at(
    e: &reqwest::Error,
    url: &reqwest::Url,
    timeout: Duration,
) -> (&'static str, String) {
    let (code, detail) = describe(e);
    let host = url.host_str().unwrap_or("");
    let authority = match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    let message = match code {
        "ECONNREFUSED" => format!("connect ECONNREFUSED {authority}"),
        "ETIMEDOUT" => format!("timeout of {}ms exceeded", timeout.as_millis()),
        "ENOTFOUND" => format!("getaddrinfo ENOTFOUND {host}"),
        "ECONNRESET" => "socket hang up".to_owned(),
        _ => detail,
    };
    (code, message)
}

/// A network error as a Node-style code and a message (no URL, no credentials).
pub fn describe(e: &reqwest::Error) -> (&'static str, String) {
    if e.is_timeout() {
        return ("ETIMEDOUT", "the request timed out".to_owned());
    }
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(blocked) = s.downcast_ref::<NotLoopbackHost>() {
            return (
                "EBLOCKED",
                format!("{blocked}; start the emulator with --allow-remote-targets to allow it"),
            );
        }
        if let Some(blocked) = s.downcast_ref::<targets::TargetError>() {
            return ("EBLOCKED", format!("redirect target {blocked}"));
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            let code = match io.kind() {
                K::ConnectionRefused => Some("ECONNREFUSED"),
                K::ConnectionReset | K::BrokenPipe | K::UnexpectedEof => Some("ECONNRESET"),
                K::ConnectionAborted => Some("ECONNABORTED"),
                K::TimedOut => Some("ETIMEDOUT"),
                _ if io.to_string().contains("lookup") => Some("ENOTFOUND"),
                _ => None,
            };
            if let Some(code) = code {
                return (code, io.to_string());
            }
        }
        let text = s.to_string();
        if text.contains("closed before message completed") || text.contains("connection closed") {
            return ("ECONNRESET", "socket hang up".to_owned());
        }
        source = s.source();
    }
    if e.is_redirect() {
        return ("ERR_FR_TOO_MANY_REDIRECTS", "too many redirects".to_owned());
    }
    if e.is_connect() {
        return ("ECONNREFUSED", "the connection failed".to_owned());
    }
    ("ERR_NETWORK", "the request failed".to_owned())
}
