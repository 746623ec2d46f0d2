//! Numbers in event data kept exactly as written.
//!
//! `serde_json::Value` holds a number as an `i64`, `u64` or `f64`, so a
//! 30-digit integer or a long decimal comes back rounded. Event data passes
//! through `Value` (channels are inferred from it, `$` keys are escaped, the
//! concise payload is cut from it), so before parsing, every number whose
//! text would not come back the same is wrapped in a marker string that
//! carries its text, and [`restore`] puts the text back in the serialized
//! output. The marker starts with a NUL character and holds a per-process
//! random tag, so no string a client sends is taken for one.
//!
//! (serde_json's `arbitrary_precision` feature would do this for every crate
//! of the build and change how all of them handle numbers.)

use std::borrow::Cow;
use std::sync::OnceLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use memchr::memmem;
use serde_json::Value;

/// The marker's opening as it appears in JSON text: `"` + escaped NUL + tag.
fn marker() -> &'static [u8] {
    static MARKER: OnceLock<Vec<u8>> = OnceLock::new();
    MARKER
        .get_or_init(|| format!("\"\\u0000exact-number-{}:", crate::ids::token("", 8)).into_bytes())
}

/// `text` with every number that would not survive `Value` wrapped in a
/// marker string; borrowed when there is none. Text that is not JSON stays
/// text that is not JSON (the parser then reports it).
pub fn protect(text: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(&byte) = text.get(i) {
        match byte {
            b'"' => i = after_string(text, i + 1),
            b'-' | b'0'..=b'9' => {
                let start = i;
                while text
                    .get(i)
                    .is_some_and(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                {
                    i += 1;
                }
                let token = &text[start..i];
                if !round_trips(token) {
                    let out = out.get_or_insert_with(|| Vec::with_capacity(text.len() + 64));
                    out.extend_from_slice(&text[copied..start]);
                    out.extend_from_slice(marker());
                    out.extend_from_slice(token);
                    out.push(b'"');
                    copied = i;
                }
            }
            _ => i += 1,
        }
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.extend_from_slice(&text[copied..]);
            Cow::Owned(out)
        }
    }
}

/// The index just after the string whose content starts at `i`.
fn after_string(text: &[u8], mut i: usize) -> usize {
    while let Some(&byte) = text.get(i) {
        match byte {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

/// Whether `Value` gives back the same text for this number. A token that is
/// not a JSON number is left alone for the parser to reject.
fn round_trips(token: &[u8]) -> bool {
    if !is_json_number(token) {
        return true;
    }
    // Out of `f64`'s range (`1e400`) does not parse: left for the parser to
    // refuse, as readers of the API's answers would.
    serde_json::from_slice::<serde_json::Number>(token)
        .map_or(true, |n| n.to_string().as_bytes() == token)
}

/// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
fn is_json_number(token: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let rest = token.strip_prefix(b"-").unwrap_or(token);
    let int = digits(rest);
    if int == 0 || (int > 1 && rest[0] == b'0') {
        return false;
    }
    let mut rest = &rest[int..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = digits(fraction);
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    if let Some(exponent) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let exponent = exponent
            .strip_prefix(b"+")
            .or_else(|| exponent.strip_prefix(b"-"))
            .unwrap_or(exponent);
        let n = digits(exponent);
        return n > 0 && n == exponent.len();
    }
    rest.is_empty()
}

/// Serialized JSON with every marker string replaced by the number it holds.
pub fn restore(json: Vec<u8>) -> Vec<u8> {
    let marker = marker();
    let finder = memmem::Finder::new(marker);
    let mut found = finder.find_iter(&json).peekable();
    if found.peek().is_none() {
        return json;
    }
    let mut out = Vec::with_capacity(json.len());
    let mut copied = 0;
    for start in found {
        if start < copied {
            continue;
        }
        let digits = start + marker.len();
        let Some(len) = memchr::memchr(b'"', &json[digits..]) else {
            break;
        };
        out.extend_from_slice(&json[copied..start]);
        out.extend_from_slice(&json[digits..digits + len]);
        copied = digits + len + 1;
    }
    out.extend_from_slice(&json[copied..]);
    out
}

/// Parses JSON text keeping every number exact (see [`restore`]).
pub fn parse(text: &[u8]) -> serde_json::Result<Value> {
    serde_json::from_slice(&protect(text))
}

/// A JSON answer whose numbers are written exactly as they were received.
#[derive(Debug)]
pub struct ExactJson(pub Value);

impl IntoResponse for ExactJson {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(bytes) => {
                let mut response = restore(bytes).into_response();
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                response
            }
            Err(_) => crate::api::error::ApiError::internal().into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through_value(text: &str) -> String {
        let value = parse(text.as_bytes()).unwrap();
        String::from_utf8(restore(serde_json::to_vec(&value).unwrap())).unwrap()
    }

    #[test]
    fn numbers_survive_value_exactly() {
        // Keys in sorted order: `Value` sorts them.
        let text = r#"{"a":[18446744073709551616,-0.0],"big":123456789012345678901234567890,"exp":1e300,"f":0.5,"long":1.23456789012345678901,"neg":-98765432109876543210987,"s":"123456789012345678901234567890 \" 1e999","small":42}"#;
        assert_eq!(through_value(text), text);
    }

    #[test]
    fn text_without_lossy_numbers_is_borrowed_and_bad_json_stays_bad() {
        assert!(matches!(
            protect(br#"{"a":1,"b":[2.5,-3]}"#),
            Cow::Borrowed(_)
        ));
        assert!(parse(b"{\"a\": 1e400}").is_err(), "out of range, as before");
        assert!(parse(b"[1, 2").is_err());
        for not_a_number in ["01", "1.", "-", "1e", "1-2", "--1", ".5"] {
            assert!(!is_json_number(not_a_number.as_bytes()), "{not_a_number}");
            let text = format!("[{not_a_number}]");
            assert!(parse(text.as_bytes()).is_err(), "{text}");
        }
        for number in ["0", "-0", "10", "1.5", "1e5", "1E+5", "-2.5e-3"] {
            assert!(is_json_number(number.as_bytes()), "{number}");
        }
        assert!(matches!(protect(b"\"unterminated \\"), Cow::Borrowed(_)));
    }
}
