//! Operations chosen at run time: what the spec says of each operation
//! ([`OperationInfo`], generated as [`OPERATIONS`](crate::operations::OPERATIONS)),
//! and [`DynamicOperation`], which builds any of them from text parameters
//! and returns the raw JSON answer. The CLI's `api` command is built on it,
//! so an operation added to the spec is reachable there with no hand-written
//! Rust.

use crate::encode::{RequestParts, encode_path_segment};
use crate::operation::decode_raw;
use crate::{Config, Error, Operation, Raw, UploadFile};

/// Where a parameter is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamLocation {
    /// A path segment.
    Path,
    /// The query string.
    Query,
    /// A header.
    Header,
}

/// What a parameter's text must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamKind {
    /// Any text.
    Text,
    /// An integer.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// An RFC 3339 date-time.
    DateTime,
}

/// One parameter of an operation, as the spec declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParamInfo {
    /// The name on the wire.
    pub name: &'static str,
    /// Where it is sent.
    pub location: ParamLocation,
    /// Whether the operation needs it.
    pub required: bool,
    /// What its text must look like.
    pub kind: ParamKind,
    /// The spec's `minimum`, for integers.
    pub minimum: Option<i64>,
    /// The spec's `maximum`, for integers.
    pub maximum: Option<i64>,
    /// The spec's description.
    pub description: &'static str,
}

/// The body an operation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyInfo {
    /// No body.
    None,
    /// A JSON document.
    Json,
    /// `multipart/form-data` file parts: (part name, content type) each.
    Files(&'static [(&'static str, &'static str)]),
}

/// One operation of the spec, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationInfo {
    /// The spec's operationId.
    pub id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template, e.g. `/webhooks/{webhook_uid}`.
    pub path: &'static str,
    /// The spec's summary.
    pub summary: &'static str,
    /// The parameters.
    pub params: &'static [ParamInfo],
    /// The body.
    pub body: BodyInfo,
}

impl OperationInfo {
    /// The operation with this operationId.
    pub fn find(id: &str) -> Option<&'static OperationInfo> {
        crate::operations::OPERATIONS.iter().find(|op| op.id == id)
    }
}

/// Any operation of the spec, with its parameters given as text; answers
/// with the raw JSON.
#[derive(Debug, Clone)]
pub struct DynamicOperation {
    info: &'static OperationInfo,
    params: Vec<(&'static ParamInfo, String)>,
    body: Option<Vec<u8>>,
}

impl DynamicOperation {
    /// The operation `id` (an operationId of the spec), with nothing set.
    pub fn new(id: &str) -> Result<Self, Error> {
        let info = OperationInfo::find(id).ok_or_else(|| {
            let known: Vec<&str> = crate::operations::OPERATIONS
                .iter()
                .map(|op| op.id)
                .collect();
            Error::invalid_request(format!(
                "no operation `{id}` in the spec; the operations are: {}",
                known.join(", ")
            ))
        })?;
        Ok(DynamicOperation {
            info,
            params: Vec::new(),
            body: None,
        })
    }

    /// What the spec says of this operation.
    pub fn info(&self) -> &'static OperationInfo {
        self.info
    }

    /// Sets parameter `name` (checked against the spec's type and bounds).
    pub fn param(mut self, name: &str, value: impl Into<String>) -> Result<Self, Error> {
        let value = value.into();
        let Some(param) = self.info.params.iter().find(|p| p.name == name) else {
            let known: Vec<&str> = self.info.params.iter().map(|p| p.name).collect();
            return Err(Error::invalid_request(format!(
                "`{}` has no parameter `{name}`; its parameters are: {}",
                self.info.id,
                known.join(", ")
            )));
        };
        check_param(param, &value)?;
        self.params.retain(|(p, _)| p.name != name);
        self.params.push((param, value));
        Ok(self)
    }

    /// Sets the body: a JSON document for a JSON body, the file's bytes for a
    /// file upload (which must be JSON too: the API imports webhook JSON).
    pub fn body(mut self, bytes: Vec<u8>) -> Result<Self, Error> {
        if self.info.body == BodyInfo::None {
            return Err(Error::invalid_request(format!(
                "`{}` takes no body",
                self.info.id
            )));
        }
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
            return Err(Error::invalid_request(format!("the body is not JSON: {e}")));
        }
        self.body = Some(bytes);
        Ok(self)
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(p, _)| p.name == name)
            .map(|(_, v)| v.as_str())
    }
}

fn check_param(param: &ParamInfo, value: &str) -> Result<(), Error> {
    let name = param.name;
    match param.kind {
        ParamKind::Text => Ok(()),
        ParamKind::Boolean if value == "true" || value == "false" => Ok(()),
        ParamKind::Boolean => Err(Error::invalid_request(format!(
            "`{name}` must be `true` or `false`, not `{value}`"
        ))),
        ParamKind::DateTime => chrono::DateTime::parse_from_rfc3339(value)
            .map(|_| ())
            .map_err(|e| {
                Error::invalid_request(format!(
                    "`{name}` must be an RFC 3339 date-time (2026-12-01T00:00:00Z), not `{value}`: {e}"
                ))
            }),
        ParamKind::Integer => {
            let n: i64 = value.parse().map_err(|_| {
                Error::invalid_request(format!("`{name}` must be an integer, not `{value}`"))
            })?;
            let out_of_range = match (param.minimum, param.maximum) {
                (Some(min), Some(max)) if !(min..=max).contains(&n) => {
                    Some(format!("between {min} and {max}"))
                }
                (Some(min), None) if n < min => Some(format!("at least {min}")),
                (None, Some(max)) if n > max => Some(format!("at most {max}")),
                _ => None,
            };
            if let Some(range) = out_of_range {
                return Err(Error::invalid_request(format!(
                    "`{name}` must be {range}, not {n}"
                )));
            }
            Ok(())
        }
    }
}

impl Operation for DynamicOperation {
    type Output = Raw<serde_json::Value>;
    const ID: &'static str = "dynamic";

    fn id(&self) -> &'static str {
        self.info.id
    }

    fn method(&self) -> http::Method {
        http::Method::from_bytes(self.info.method.as_bytes()).unwrap_or(http::Method::GET)
    }

    fn build(&self, config: &Config) -> Result<http::Request<Vec<u8>>, Error> {
        for param in self.info.params.iter().filter(|p| p.required) {
            if self.value(param.name).is_none() {
                return Err(Error::invalid_request(format!(
                    "`{}` needs the parameter `{}`",
                    self.info.id, param.name
                )));
            }
        }
        let mut path = String::new();
        let mut rest = self.info.path;
        while let Some(start) = rest.find('{') {
            path.push_str(&rest[..start]);
            let end = rest[start..]
                .find('}')
                .map_or(rest.len(), |len| start + len);
            let name = rest.get(start + 1..end).unwrap_or_default();
            path.push_str(&encode_path_segment(self.value(name).unwrap_or_default()));
            rest = rest.get(end + 1..).unwrap_or_default();
        }
        path.push_str(rest);
        let mut parts = RequestParts::new(config, self.method(), &path)?;
        for (param, value) in &self.params {
            match param.location {
                ParamLocation::Path => {}
                ParamLocation::Query => parts.query(param.name, value.as_str()),
                ParamLocation::Header => {
                    let header = header_name(param.name)?;
                    parts.header(header, value.as_str())?;
                }
            }
        }
        match (self.info.body, &self.body) {
            (BodyInfo::None, _) => {}
            (_, None) => {
                return Err(Error::invalid_request(format!(
                    "`{}` needs a body",
                    self.info.id
                )));
            }
            (BodyInfo::Json, Some(bytes)) => parts.raw_json_body(bytes.clone())?,
            (BodyInfo::Files([(part, content_type)]), Some(bytes)) => {
                let file = UploadFile::from_bytes(bytes.clone());
                parts.multipart_body(&[(part, &file, content_type)])?;
            }
            (BodyInfo::Files(files), Some(_)) => {
                return Err(Error::invalid_request(format!(
                    "`{}` takes {} files; send it with its typed method",
                    self.info.id,
                    files.len()
                )));
            }
        }
        parts.finish()
    }

    fn decode(response: http::Response<Vec<u8>>) -> Result<Self::Output, Error> {
        decode_raw(response)
    }
}

/// Header names of the spec are `'static` lower-case names known at build time.
fn header_name(name: &'static str) -> Result<&'static str, Error> {
    if name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'_')
    {
        Ok(name)
    } else {
        Err(Error::invalid_request(format!(
            "header parameter `{name}` must be spelled in lower case in the spec"
        )))
    }
}
