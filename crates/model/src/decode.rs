//! JSON decoding that says which field was at fault.
//!
//! serde_json alone reports "invalid type: integer, expected a string at line 1
//! column 20"; for a response body that is not enough to act on. These
//! functions name the path of the failing field (`webhooks[0].destinations[0].target_url`).

use serde::de::DeserializeOwned;

/// A document that does not match the model type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", if path.is_empty() { "(document)" } else { path.as_str() })]
pub struct DecodeError {
    /// The path of the field at fault, e.g. `webhook.destinations[0].target_url`;
    /// empty when the document itself is at fault (not JSON, wrong top-level type).
    pub path: String,
    /// What was wrong there.
    pub message: String,
}

impl DecodeError {
    /// The last named field of [`path`](Self::path) (`target_url` in the example), if any.
    pub fn field(&self) -> Option<&str> {
        self.path
            .rsplit('.')
            .next()
            .map(|last| last.split('[').next().unwrap_or(last))
            .filter(|f| !f.is_empty())
    }
}

fn path_error(error: serde_path_to_error::Error<serde_json::Error>) -> DecodeError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    // A missing field is reported on its parent object: include it in the path.
    let message = inner.to_string();
    let path = match missing_field(&message) {
        Some(field) if path == "." || path.is_empty() => field.to_string(),
        Some(field) => format!("{path}.{field}"),
        None if path == "." => String::new(),
        None => path,
    };
    DecodeError { path, message }
}

fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// Decodes a JSON document from bytes into `T`, naming the failing field.
///
/// Successes take serde_json's plain path; only a failure is decoded again
/// with path tracking, which costs about half as much again per document.
pub fn from_json_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    match serde_json::from_slice(bytes) {
        Ok(value) => Ok(value),
        Err(plain) => Err(explain_slice::<T>(bytes, plain)),
    }
}

/// The path-naming error for bytes that serde_json rejected.
fn explain_slice<T: DeserializeOwned>(bytes: &[u8], plain: serde_json::Error) -> DecodeError {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(error) => path_error(error),
        // Only trailing input can fail after a successful value.
        Ok(_) => DecodeError {
            path: String::new(),
            message: plain.to_string(),
        },
    }
}

/// Decodes an already parsed JSON value into `T`, naming the failing field.
pub fn from_json_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, DecodeError> {
    match T::deserialize(&value) {
        Ok(decoded) => Ok(decoded),
        Err(plain) => match serde_path_to_error::deserialize::<_, T>(value) {
            Err(error) => Err(path_error(error)),
            Ok(_) => Err(DecodeError {
                path: String::new(),
                message: plain.to_string(),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        name: String,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Inner>,
    }

    #[test]
    fn wrong_type_names_the_field() {
        let e = from_json_slice::<Outer>(br#"{"items":[{"name":"a"},{"name":5}]}"#).unwrap_err();
        assert_eq!(e.path, "items[1].name");
        assert_eq!(e.field(), Some("name"));
        assert!(
            e.to_string().starts_with("items[1].name: invalid type"),
            "{e}"
        );
    }

    #[test]
    fn missing_field_names_the_field() {
        let e = from_json_slice::<Outer>(br#"{"items":[{}]}"#).unwrap_err();
        assert_eq!(e.path, "items[0].name");
        let e = from_json_slice::<Outer>(br#"{}"#).unwrap_err();
        assert_eq!(e.path, "items");
    }

    #[test]
    fn not_json_is_a_document_error() {
        let e = from_json_slice::<Outer>(b"<html>").unwrap_err();
        assert_eq!(e.path, "");
        assert_eq!(e.field(), None);
        let e = from_json_slice::<Outer>(br#"{"items":[]} trailing"#).unwrap_err();
        assert_eq!(e.path, "");
    }
}
