//! Query-string parameters: typed reads, checked against the operation's
//! parameter schemas in the spec, with 422 answers naming the parameter.

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::error::ApiError;
use crate::shapes::{ParameterError, Shapes};

/// Records per page when `limit` is not given (the spec's maximum).
const DEFAULT_LIMIT: usize = 100;

/// The decoded query string of one operation, as name/value pairs in order.
#[derive(Debug)]
pub struct Params {
    pairs: Vec<(String, String)>,
    shapes: &'static Shapes,
    operation_id: &'static str,
}

impl Params {
    /// Reads the query string of the operation `operation_id`; a malformed
    /// one is a 422.
    pub fn from_query(
        query: Result<Query<Vec<(String, String)>>, QueryRejection>,
        shapes: &'static Shapes,
        operation_id: &'static str,
    ) -> Result<Self, ApiError> {
        let pairs = query
            .map(|q| q.0)
            .map_err(|_| ApiError::parameter("query", "the query string is not valid."))?;
        Ok(Params {
            pairs,
            shapes,
            operation_id,
        })
    }

    /// The last value of `name`, if given (possibly empty).
    fn raw(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A text parameter: the last value of `name`, if given and not empty.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.raw(name).filter(|v| !v.is_empty())
    }

    /// A boolean (`true`/`false`), default `false`. Given but empty or
    /// anything else is a 422.
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        let Some(raw) = self.raw(name) else {
            return Ok(false);
        };
        let value = if raw.eq_ignore_ascii_case("true") {
            true
        } else if raw.eq_ignore_ascii_case("false") {
            false
        } else {
            return Err(ApiError::parameter(name, "must be true or false."));
        };
        self.conform(name, Value::Bool(value))?;
        Ok(value)
    }

    /// `skip`: how many records to pass over, default 0.
    pub fn skip(&self) -> Result<usize, ApiError> {
        Ok(self.integer("skip")?.unwrap_or(0))
    }

    /// `limit`: how many records to return, default 100.
    pub fn limit(&self) -> Result<usize, ApiError> {
        Ok(self.integer("limit")?.unwrap_or(DEFAULT_LIMIT))
    }

    /// An integer within the bounds the spec gives it. Given but empty, not
    /// an integer, or out of bounds is a 422.
    fn integer(&self, name: &str) -> Result<Option<usize>, ApiError> {
        let Some(raw) = self.raw(name) else {
            return Ok(None);
        };
        let number: serde_json::Number = match raw.parse::<i64>() {
            Ok(n) => n.into(),
            Err(_) => match raw.parse::<u64>() {
                Ok(n) => n.into(),
                Err(_) => return Err(ApiError::parameter(name, "must be an integer.")),
            },
        };
        self.conform(name, Value::Number(number.clone()))?;
        // The spec bounds every integer this reads from below by 0.
        let n = number
            .as_u64()
            .ok_or_else(|| ApiError::parameter(name, "must not be negative."))?;
        Ok(Some(usize::try_from(n).unwrap_or(usize::MAX)))
    }

    /// An ISO 8601 date-time.
    pub fn time(&self, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
        self.text(name)
            .map(|v| {
                DateTime::parse_from_rfc3339(v)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| ApiError::parameter(name, "must be an ISO 8601 date-time."))
            })
            .transpose()
    }

    /// Checks a converted value against the parameter's schema.
    fn conform(&self, name: &str, value: Value) -> Result<(), ApiError> {
        match self.shapes.check_parameter(self.operation_id, name, &value) {
            Ok(()) => Ok(()),
            Err(ParameterError::Invalid(errors)) => Err(ApiError::parameters(errors)),
            Err(ParameterError::Undeclared) => {
                tracing::error!(
                    operation = self.operation_id,
                    parameter = name,
                    "the spec declares no such query parameter"
                );
                Err(ApiError::internal())
            }
        }
    }
}
