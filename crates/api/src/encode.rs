//! Request encoding used by every generated operation: path segments, the
//! query string, headers, JSON and multipart bodies. Written once, so both
//! clients send byte-identical requests.

use std::fmt::Write as _;

use crate::Error;
use crate::config::{Config, insert_header};

/// Percent-encodes one path segment: everything but RFC 3986 unreserved
/// characters, so a uid with `/`, `?`, `#` or `%` stays one segment.
pub fn encode_path_segment(segment: &str) -> String {
    encode(segment, false)
}

/// Percent-encodes a query component (`application/x-www-form-urlencoded`
/// minus the `+` for space, which some servers do not decode).
pub fn encode_query_component(value: &str) -> String {
    encode(value, true)
}

fn encode(value: &str, _query: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// How a parameter value is written in a URL.
pub trait ToParam {
    /// The value as text (before percent-encoding).
    fn to_param(&self) -> String;
}

impl ToParam for String {
    fn to_param(&self) -> String {
        self.clone()
    }
}
impl ToParam for str {
    fn to_param(&self) -> String {
        self.to_string()
    }
}
impl ToParam for bool {
    fn to_param(&self) -> String {
        if *self { "true" } else { "false" }.to_string()
    }
}
macro_rules! to_param_display {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_param(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
to_param_display!(u16, u32, u64, i32, i64);
impl ToParam for chrono::DateTime<chrono::Utc> {
    fn to_param(&self) -> String {
        // The API's own format: milliseconds and `Z`.
        self.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }
}
impl ToParam for cs_webhooks_model::ExecutionFilter {
    fn to_param(&self) -> String {
        self.to_json()
    }
}

/// A request under construction.
#[derive(Debug)]
pub struct RequestParts {
    method: http::Method,
    url: String,
    has_query: bool,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

impl RequestParts {
    /// Starts a request to `config`'s base URL plus `path` (already encoded).
    pub fn new(config: &Config, method: http::Method, path: &str) -> Result<Self, Error> {
        let mut headers = config.common_headers()?;
        if let Some(branch) = config.branch() {
            insert_header(&mut headers, "branch", branch, false)?;
        }
        Ok(RequestParts {
            method,
            url: format!("{}{}", config.base_url(), path),
            has_query: false,
            headers,
            body: Vec::new(),
        })
    }

    /// Appends `name=value` to the query string.
    pub fn query(&mut self, name: &str, value: &(impl ToParam + ?Sized)) {
        self.url.push(if self.has_query { '&' } else { '?' });
        self.has_query = true;
        self.url.push_str(&encode_query_component(name));
        self.url.push('=');
        self.url
            .push_str(&encode_query_component(&value.to_param()));
    }

    /// Sets a header parameter (overriding the config's default, e.g. `branch`).
    pub fn header(
        &mut self,
        name: &'static str,
        value: &(impl ToParam + ?Sized),
    ) -> Result<(), Error> {
        insert_header(&mut self.headers, name, &value.to_param(), false)
    }

    /// Sets a JSON body.
    pub fn json_body(&mut self, body: &impl serde::Serialize) -> Result<(), Error> {
        self.body = serde_json::to_vec(body).map_err(|e| {
            Error::invalid_request(format!("the body does not encode as JSON: {e}"))
        })?;
        insert_header(&mut self.headers, "content-type", "application/json", false)
    }

    /// Sets a JSON body already encoded (checked to be JSON by the caller).
    pub fn raw_json_body(&mut self, body: Vec<u8>) -> Result<(), Error> {
        self.body = body;
        insert_header(&mut self.headers, "content-type", "application/json", false)
    }

    /// Sets a `multipart/form-data` body with file parts.
    pub fn multipart_body(
        &mut self,
        parts: &[(&str, &crate::UploadFile, &str)],
    ) -> Result<(), Error> {
        let (content_type, body) = crate::multipart::encode(parts);
        self.body = body;
        insert_header(&mut self.headers, "content-type", &content_type, false)
    }

    /// The finished request.
    pub fn finish(self) -> Result<http::Request<Vec<u8>>, Error> {
        // Assembled in place, not through `http::request::Builder`, which
        // would copy every header into a second map.
        let uri = http::Uri::try_from(self.url.as_str()).map_err(|e| {
            Error::invalid_request(format!("`{}` is not a valid request URL: {e}", self.url))
        })?;
        let mut headers = self.headers;
        headers
            .entry(http::header::ACCEPT)
            .or_insert(http::HeaderValue::from_static("application/json"));
        let mut request = http::Request::new(self.body);
        *request.method_mut() = self.method;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_escape_reserved_characters() {
        assert_eq!(encode_path_segment("cs123-abc"), "cs123-abc");
        assert_eq!(encode_path_segment("a/b?c#d%e f"), "a%2Fb%3Fc%23d%25e%20f");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
    }

    #[test]
    fn query_components_escape_json() {
        assert_eq!(
            encode_query_component(r#"{"status":{"$gte":"200"}}"#),
            "%7B%22status%22%3A%7B%22%24gte%22%3A%22200%22%7D%7D"
        );
    }
}
