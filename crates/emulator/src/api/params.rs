//! Query-string parameters: typed reads with 422 answers naming the parameter.

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use chrono::{DateTime, Utc};

use super::error::ApiError;

/// The decoded query string, as name/value pairs in order.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Reads the query string; a malformed one is a 422.
    pub fn from_query(
        query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    ) -> Result<Self, ApiError> {
        query
            .map(|q| Params(q.0))
            .map_err(|_| ApiError::parameter("query", "the query string is not valid."))
    }

    /// The last value of `name`, if given and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// A boolean (`true`/`false`), default `false`.
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(_) => Err(ApiError::parameter(name, "must be true or false.")),
        }
    }

    /// `skip`: a non-negative integer, default 0.
    pub fn skip(&self) -> Result<usize, ApiError> {
        match self.get("skip") {
            None => Ok(0),
            Some(v) => v
                .parse::<u32>()
                .map(|n| n as usize)
                .map_err(|_| ApiError::parameter("skip", "must be a non-negative integer.")),
        }
    }

    /// `limit`: 1 to 100, default 100.
    pub fn limit(&self) -> Result<usize, ApiError> {
        match self.get("limit") {
            None => Ok(100),
            Some(v) => match v.parse::<u32>() {
                Ok(n @ 1..=100) => Ok(n as usize),
                _ => Err(ApiError::parameter(
                    "limit",
                    "must be an integer from 1 to 100.",
                )),
            },
        }
    }

    /// An ISO 8601 date-time.
    pub fn time(&self, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
        self.get(name)
            .map(|v| {
                DateTime::parse_from_rfc3339(v)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| ApiError::parameter(name, "must be an ISO 8601 date-time."))
            })
            .transpose()
    }
}
