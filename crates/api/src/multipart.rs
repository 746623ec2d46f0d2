//! `multipart/form-data` bodies (RFC 7578) for the import operations.
//! The official Python and Java SDKs get this wrong (no boundary, wrong part
//! name); here the part name comes from the spec and the boundary is checked
//! against the content.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::Error;

/// A file to upload as a multipart part.
#[derive(Clone, PartialEq, Eq)]
pub struct UploadFile {
    bytes: Vec<u8>,
    file_name: String,
}

impl std::fmt::Debug for UploadFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The content may hold credentials of an exported webhook: show its size only.
        f.debug_struct("UploadFile")
            .field("file_name", &self.file_name)
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl UploadFile {
    /// A file from bytes (e.g. what export returned).
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        UploadFile {
            bytes: bytes.into(),
            file_name: "webhook.json".to_string(),
        }
    }

    /// A file holding `value` as JSON (a `Webhook`, or any JSON value).
    pub fn from_json(value: &impl serde::Serialize) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(value).map_err(|e| {
            Error::invalid_request(format!("the import file does not encode as JSON: {e}"))
        })?;
        Ok(UploadFile::from_bytes(bytes))
    }

    /// A file read from disk. Fails before anything is sent when the file
    /// cannot be read or is not JSON.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            Error::invalid_request(format!(
                "cannot read the import file {}: {e}",
                path.display()
            ))
        })?;
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            return Err(Error::invalid_request(format!(
                "the import file {} is not JSON: {e}",
                path.display()
            )));
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "webhook.json".to_string());
        Ok(UploadFile { bytes, file_name })
    }

    /// Sets the file name sent in `Content-Disposition`.
    pub fn with_file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = file_name.into();
        self
    }

    /// The content.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The file name.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }
}

impl From<Vec<u8>> for UploadFile {
    fn from(bytes: Vec<u8>) -> Self {
        UploadFile::from_bytes(bytes)
    }
}

impl From<&[u8]> for UploadFile {
    fn from(bytes: &[u8]) -> Self {
        UploadFile::from_bytes(bytes)
    }
}

impl From<&crate::Raw<cs_webhooks_model::Webhook>> for UploadFile {
    fn from(exported: &crate::Raw<cs_webhooks_model::Webhook>) -> Self {
        UploadFile::from_bytes(exported.bytes.clone())
    }
}

/// A webhook as an import file: its JSON, e.g. an export whose masked
/// secrets were set again with [`Webhook::with_secret`](cs_webhooks_model::Webhook::with_secret).
impl From<&cs_webhooks_model::Webhook> for UploadFile {
    fn from(webhook: &cs_webhooks_model::Webhook) -> Self {
        // Serializing plain data with string keys cannot fail; an empty
        // document would be answered with the API's own error.
        UploadFile::from_bytes(serde_json::to_vec(webhook).unwrap_or_default())
    }
}

fn boundary_candidate() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let r = crate::random::next_u64();
    format!("cs-webhooks-{r:016x}{n:08x}")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Quotes a `Content-Disposition` parameter value.
fn quote(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '"' => "%22".to_string(),
            '\r' => "%0D".to_string(),
            '\n' => "%0A".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// Encodes file parts `(name, file, content type)`; returns the
/// `Content-Type` header value (with its boundary) and the body.
pub fn encode(parts: &[(&str, &UploadFile, &str)]) -> (String, Vec<u8>) {
    let mut boundary = boundary_candidate();
    while parts
        .iter()
        .any(|(_, file, _)| contains(file.bytes(), boundary.as_bytes()))
    {
        boundary = boundary_candidate();
    }
    let mut body = Vec::new();
    for (name, file, content_type) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        body.extend_from_slice(
            format!(
                "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {content_type}\r\n\r\n",
                quote(name),
                quote(file.file_name())
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_part_named_webhook_with_json_type() {
        let file = UploadFile::from_bytes(br#"{"name":"x"}"#.to_vec());
        let (content_type, body) = encode(&[("webhook", &file, "application/json")]);
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let body = String::from_utf8(body).unwrap();
        assert!(body.starts_with(&format!("--{boundary}\r\n")));
        assert!(body.contains(
            "Content-Disposition: form-data; name=\"webhook\"; filename=\"webhook.json\"\r\n"
        ));
        assert!(body.contains("Content-Type: application/json\r\n\r\n{\"name\":\"x\"}\r\n"));
        assert!(body.ends_with(&format!("--{boundary}--\r\n")));
    }

    #[test]
    fn boundaries_differ_and_never_occur_in_the_content() {
        let a = boundary_candidate();
        let b = boundary_candidate();
        assert_ne!(a, b);
        let file = UploadFile::from_bytes(format!("--{a}").into_bytes());
        let (content_type, _) = encode(&[("webhook", &file, "application/json")]);
        assert!(!content_type.ends_with(&a));
    }

    #[test]
    fn unreadable_and_non_json_files_are_invalid_requests() {
        let missing = UploadFile::from_path("/nonexistent/cs-webhooks.json").unwrap_err();
        assert!(matches!(missing, Error::InvalidRequest { .. }), "{missing}");
        let dir = std::env::temp_dir().join(format!("cs-upload-{}.json", std::process::id()));
        std::fs::write(&dir, b"not json").unwrap();
        let bad = UploadFile::from_path(&dir).unwrap_err();
        assert!(bad.to_string().contains("is not JSON"), "{bad}");
        std::fs::write(&dir, b"{\"name\":\"n\"}").unwrap();
        let good = UploadFile::from_path(&dir).unwrap();
        assert_eq!(good.bytes(), b"{\"name\":\"n\"}");
        let _ = std::fs::remove_file(&dir);
    }

    #[test]
    fn debug_does_not_show_the_content() {
        let file = UploadFile::from_bytes(br#"{"bearer_token":"SENSITIVE"}"#.to_vec());
        assert!(!format!("{file:?}").contains("SENSITIVE"));
    }
}
