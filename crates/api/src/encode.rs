//! Request encoding used by every generated operation: path segments, the
//! query string, headers, JSON and multipart bodies. Written once, so both
//! clients send byte-identical requests.

use std::borrow::Cow;

use crate::Error;
use crate::config::{Config, insert_header};

/// Percent-encodes one path segment: everything but RFC 3986 unreserved
/// characters, so a uid with `/`, `?`, `#` or `%` stays one segment.
pub fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    push_encoded(&mut out, segment);
    out
}

/// Appends `value` percent-encoded (all but the unreserved characters; a
/// query component too, where `+` for space is avoided because some servers
/// do not decode it):
/// straight into the URL being built, with no string per parameter.
fn push_encoded(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // A run of unreserved (ASCII, so on char boundaries) bytes is copied
        // in one go.
        let start = i;
        while bytes.get(i).copied().is_some_and(is_unreserved) {
            i += 1;
        }
        if i > start
            && let Some(run) = value.get(start..i)
        {
            out.push_str(run);
        }
        if let Some(&byte) = bytes.get(i) {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xF)]));
            i += 1;
        }
    }
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// How a parameter value is written in a URL.
pub trait ToParam {
    /// The value as text (before percent-encoding); borrowed when it is
    /// already text, so a call does not copy its parameters.
    fn to_param(&self) -> Cow<'_, str>;
}

impl ToParam for String {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}
impl ToParam for str {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}
impl ToParam for bool {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}
macro_rules! to_param_display {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_param(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}
to_param_display!(u16, u32, u64, i32, i64);
impl ToParam for chrono::DateTime<chrono::Utc> {
    fn to_param(&self) -> Cow<'_, str> {
        // The API's own format: milliseconds and `Z`.
        Cow::Owned(self.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    }
}
impl ToParam for cs_webhooks_model::ExecutionFilter {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_json())
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
    origin: Option<crate::config::Origin>,
}

impl RequestParts {
    /// Starts a request to `config`'s base URL plus `path` (already encoded).
    pub fn new(config: &Config, method: http::Method, path: &str) -> Result<Self, Error> {
        let mut headers = config.common_headers()?;
        if let Some(branch) = config.branch() {
            insert_header(&mut headers, "branch", branch, false)?;
        }
        // Room for the parameters and a query, so the URL is written once.
        let mut url = String::with_capacity(config.base_url().len() + path.len() + 64);
        url.push_str(config.base_url());
        url.push_str(path);
        Ok(RequestParts {
            method,
            url,
            has_query: false,
            headers,
            body: Vec::new(),
            origin: config.origin.clone(),
        })
    }

    /// Appends `name=value` to the query string.
    pub fn query(&mut self, name: &str, value: &(impl ToParam + ?Sized)) {
        self.url.push(if self.has_query { '&' } else { '?' });
        self.has_query = true;
        push_encoded(&mut self.url, name);
        self.url.push('=');
        push_encoded(&mut self.url, &value.to_param());
    }

    /// Appends a path parameter's value, percent-encoded as one segment.
    /// Called for each parameter in path order, before any query parameter.
    pub fn path_param(&mut self, value: &(impl ToParam + ?Sized)) {
        push_encoded(&mut self.url, &value.to_param());
    }

    /// Appends literal path text (the template between parameters).
    pub fn path_text(&mut self, text: &str) {
        self.url.push_str(text);
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
        let uri = request_uri(self.url, self.origin).map_err(|e| {
            // Every part of the URL was checked or percent-encoded, so this
            // is a base URL problem.
            Error::invalid_request(format!(
                "the base URL and the parameters do not make a valid request URL: {e}"
            ))
        })?;
        let headers = self.headers;
        let mut request = http::Request::new(self.body);
        *request.method_mut() = self.method;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        Ok(request)
    }
}

/// The `Uri` of `url`, whose text starts with `origin`'s when there is one:
/// then only the path and query are parsed (in place: the text moves into
/// the `Uri`, uncopied), and the parsed scheme and authority are reused.
fn request_uri(
    url: String,
    origin: Option<crate::config::Origin>,
) -> Result<http::Uri, http::Error> {
    use bytes::Buf as _;
    let Some(origin) = origin.filter(|o| url.len() > o.text_len) else {
        return Ok(http::Uri::try_from(url)?);
    };
    let mut rest = bytes::Bytes::from(url.into_bytes());
    rest.advance(origin.text_len);
    let mut parts = http::uri::Parts::default();
    parts.scheme = Some(origin.scheme);
    parts.authority = Some(origin.authority);
    parts.path_and_query = Some(http::uri::PathAndQuery::from_maybe_shared(rest)?);
    Ok(http::Uri::from_parts(parts)?)
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
    fn a_uri_from_the_parsed_origin_is_the_uri_parsed_whole() {
        let cases = [
            (
                "https://api.contentstack.io/v3",
                "/webhooks/abc?skip=10&limit=5",
            ),
            ("http://127.0.0.1:4010/v3", "/webhooks"),
            ("http://LOCALHOST:8080", "/v3/webhooks/%7Buid%7D?q=%22a%22"),
            ("http://user:pw@[::1]:9/base/path", "/webhooks"),
        ];
        for (base, path) in cases {
            let origin = crate::config::Origin::of(base, &base.parse().unwrap());
            assert!(origin.is_some(), "{base}");
            let url = format!("{base}{path}");
            let expected = http::Uri::try_from(url.as_str()).unwrap();
            let uri = request_uri(url, origin).unwrap();
            assert_eq!(uri, expected);
            assert_eq!(uri.to_string(), expected.to_string());
        }
        // A path that is not a valid one is refused, not passed through.
        let origin = crate::config::Origin::of("http://h", &"http://h".parse().unwrap());
        assert!(request_uri("http://h/a b".to_owned(), origin).is_err());
    }

    #[test]
    fn query_components_escape_json() {
        let mut query = String::new();
        push_encoded(&mut query, r#"{"status":{"$gte":"200"}}"#);
        assert_eq!(query, "%7B%22status%22%3A%7B%22%24gte%22%3A%22200%22%7D%7D");
    }
}
