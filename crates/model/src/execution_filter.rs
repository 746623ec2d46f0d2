//! The `query` filter of `GET /webhooks/{webhook_uid}/executions`.
//!
//! The API takes a JSON document in the query string, Mongo style, on the
//! execution's HTTP `status`, e.g. `{"status":{"$gte":"200","$lte":"399"}}` for
//! successful executions. Clients build one with [`ExecutionFilter`]'s
//! constructors; the emulator parses what it receives with
//! [`ExecutionFilter::from_json`] and applies [`ExecutionFilter::matches`].

use std::fmt;
use std::ops::RangeInclusive;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::Execution;

/// The only field the filter document may constrain.
const STATUS: &str = "status";

/// A filter on execution status codes, serialized as the executions `query` parameter.
///
/// JSON forms written by [`to_value`](Self::to_value), and so by
/// [`to_json`](Self::to_json), `Display` and `Serialize` (keys in this order):
///
/// | filter | JSON |
/// |---|---|
/// | [`any`](Self::any) | `{}` |
/// | [`status(404)`](Self::status) | `{"status":"404"}` |
/// | [`success`](Self::success) | `{"status":{"$gte":"200","$lte":"399"}}` |
/// | [`http_error`](Self::http_error) | `{"status":{"$gte":"400","$lte":"599"}}` |
/// | [`at_least(500)`](Self::at_least) | `{"status":{"$gte":"500"}}` |
///
/// Bounds are written as **strings** because that is the form the API documents;
/// [`from_json`](Self::from_json) accepts strings and numbers alike, plus the
/// exclusive `$gt`/`$lt` and an explicit `$eq`.
///
/// An execution whose `status` is `null` (a network error, no HTTP answer)
/// matches only [`any`](Self::any): it never satisfies a status condition.
/// So no filter selects every delivery that did not succeed: that takes
/// [`any`](Self::any) and [`Execution::unsuccessful`] on each execution (the
/// clients' `unsuccessful_items()` on a `list_executions` call does both).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ExecutionFilter {
    condition: Condition,
}

/// What the filter requires of `status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
enum Condition {
    /// No constraint (`{}`).
    #[default]
    Any,
    /// `status` equals this code.
    Exact(u16),
    /// `status` lies within these bounds; at least one is set.
    Range {
        lower: Option<Lower>,
        upper: Option<Upper>,
    },
}

/// A lower bound, kept as written so `$gt` round-trips as `$gt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Lower {
    Gte(u16),
    Gt(u16),
}

/// An upper bound, kept as written so `$lt` round-trips as `$lt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Upper {
    Lte(u16),
    Lt(u16),
}

impl Lower {
    fn operator(self) -> &'static str {
        match self {
            Lower::Gte(_) => "$gte",
            Lower::Gt(_) => "$gt",
        }
    }

    fn value(self) -> u16 {
        match self {
            Lower::Gte(v) | Lower::Gt(v) => v,
        }
    }

    fn admits(self, status: u16) -> bool {
        match self {
            Lower::Gte(v) => status >= v,
            Lower::Gt(v) => status > v,
        }
    }
}

impl Upper {
    fn operator(self) -> &'static str {
        match self {
            Upper::Lte(_) => "$lte",
            Upper::Lt(_) => "$lt",
        }
    }

    fn value(self) -> u16 {
        match self {
            Upper::Lte(v) | Upper::Lt(v) => v,
        }
    }

    fn admits(self, status: u16) -> bool {
        match self {
            Upper::Lte(v) => status <= v,
            Upper::Lt(v) => status < v,
        }
    }
}

/// Why a `query` document is not an execution filter this crate understands.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FilterError {
    /// The text is not JSON at all.
    #[error("execution filter is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The document is JSON but not an object (the found value is quoted, shortened).
    #[error("execution filter must be a JSON object, found {0}")]
    NotAnObject(String),
    /// The document constrains a field other than `status`.
    #[error("execution filter field {0:?} is not supported (only \"status\" is)")]
    UnsupportedField(String),
    /// `status` is neither a code nor an operator object (the found value is quoted, shortened).
    #[error("status condition must be a status code or an operator object, found {0}")]
    InvalidCondition(String),
    /// `status` uses an operator other than `$eq`, `$gte`, `$gt`, `$lte`, `$lt`.
    #[error("status operator {0:?} is not supported (use $eq, $gte, $gt, $lte or $lt)")]
    UnsupportedOperator(String),
    /// `status` is `{}`.
    #[error("status condition object has no operator")]
    EmptyCondition,
    /// A bound is not an integer in 0..=65535 (string or number).
    #[error(
        "bound of {operator} must be an integer 0..=65535 given as a string or number, found {found}"
    )]
    InvalidBound {
        /// The operator holding the bound (`status` for a bare exact code).
        operator: &'static str,
        /// The offending value as JSON, shortened.
        found: String,
    },
    /// Two operators that cannot be combined (`$gt` with `$gte`, `$eq` with a bound, ...).
    #[error("status operators {first} and {second} cannot be combined")]
    ConflictingOperators {
        /// The operator seen first.
        first: &'static str,
        /// The operator seen second.
        second: &'static str,
    },
}

impl ExecutionFilter {
    /// No constraint: every execution, including those with a `null` status.
    pub fn any() -> Self {
        Self::default()
    }

    /// Successful executions, `200..=399`, the API's documented success query.
    pub fn success() -> Self {
        Self::status_range(200..=399)
    }

    /// Executions answered with an HTTP error, `400..=599`: the API's
    /// documented "failure" query. Deliveries that got no answer at all
    /// (connection refused, timeout: `status` is `null`) are **not** selected;
    /// see [`Execution::unsuccessful`] for every delivery that did not succeed.
    pub fn http_error() -> Self {
        Self::status_range(400..=599)
    }

    /// Exactly this status, written as `{"status":"<code>"}` (a string, like the
    /// documented bounds).
    pub fn status(code: u16) -> Self {
        Self {
            condition: Condition::Exact(code),
        }
    }

    /// Status within `range`, both ends included. A range whose start is above
    /// its end matches nothing.
    pub fn status_range(range: RangeInclusive<u16>) -> Self {
        let (start, end) = range.into_inner();
        Self {
            condition: Condition::Range {
                lower: Some(Lower::Gte(start)),
                upper: Some(Upper::Lte(end)),
            },
        }
    }

    /// Status `>= min`.
    pub fn at_least(min: u16) -> Self {
        Self {
            condition: Condition::Range {
                lower: Some(Lower::Gte(min)),
                upper: None,
            },
        }
    }

    /// Status `<= max`.
    pub fn at_most(max: u16) -> Self {
        Self {
            condition: Condition::Range {
                lower: None,
                upper: Some(Upper::Lte(max)),
            },
        }
    }

    /// True for the unconstrained filter `{}`.
    pub fn is_any(&self) -> bool {
        self.condition == Condition::Any
    }

    /// Whether an execution with this `status` passes the filter; `None` is
    /// the `null` status of a network error and only passes [`any`](Self::any).
    pub fn matches(&self, status: Option<u16>) -> bool {
        match (self.condition, status) {
            (Condition::Any, _) => true,
            (_, None) => false,
            (Condition::Exact(code), Some(s)) => s == code,
            (Condition::Range { lower, upper }, Some(s)) => {
                lower.is_none_or(|l| l.admits(s)) && upper.is_none_or(|u| u.admits(s))
            }
        }
    }

    /// The filter document: the one rendering that [`to_json`](Self::to_json),
    /// [`Display`](fmt::Display) and [`Serialize`] all write, so they cannot
    /// drift apart. Codes and bounds are strings, as the API documents them.
    pub fn to_value(&self) -> Value {
        let bound = |v: u16| Value::String(v.to_string());
        let status = match self.condition {
            Condition::Any => return Value::Object(Map::new()),
            Condition::Exact(code) => bound(code),
            Condition::Range { lower, upper } => Value::Object(
                // Lower bound first. That is also the sorted key order
                // (`$gt…` < `$lt…`), so the text is the same whether or not
                // serde_json keeps insertion order.
                lower
                    .map(|l| (l.operator(), l.value()))
                    .into_iter()
                    .chain(upper.map(|u| (u.operator(), u.value())))
                    .map(|(op, v)| (op.to_owned(), bound(v)))
                    .collect(),
            ),
        };
        Value::Object(Map::from_iter([(STATUS.to_owned(), status)]))
    }

    /// The compact JSON text of [`to_value`](Self::to_value), for the `query`
    /// parameter (not URL-encoded); equal filters give equal strings.
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }

    /// Parses a `query` document as the API accepts it: `{}`, an exact code
    /// (`{"status":"404"}` or `{"status":404}`), or an operator object using
    /// `$eq`, `$gte`/`$gt` and `$lte`/`$lt`, bounds as strings or numbers.
    ///
    /// Anything else, including fields other than `status`, is an error rather
    /// than silently ignored, so a typo does not turn into "match everything".
    pub fn from_json(json: &str) -> Result<Self, FilterError> {
        let value: Value = serde_json::from_str(json)?;
        Self::from_value(&value)
    }

    /// Like [`from_json`](Self::from_json), for an already parsed document.
    pub fn from_value(value: &Value) -> Result<Self, FilterError> {
        let Value::Object(doc) = value else {
            return Err(FilterError::NotAnObject(describe(value)));
        };
        if let Some(field) = doc.keys().find(|k| *k != STATUS) {
            return Err(FilterError::UnsupportedField(field.clone()));
        }
        let condition = match doc.get(STATUS) {
            None => Condition::Any,
            Some(Value::Object(ops)) => parse_operators(ops)?,
            Some(exact @ (Value::String(_) | Value::Number(_))) => {
                Condition::Exact(parse_bound(STATUS, exact)?)
            }
            Some(other) => return Err(FilterError::InvalidCondition(describe(other))),
        };
        Ok(Self { condition })
    }
}

/// Parses `{"$gte": .., "$lte": .., ...}` into a condition.
fn parse_operators(ops: &Map<String, Value>) -> Result<Condition, FilterError> {
    let mut exact: Option<u16> = None;
    let mut lower: Option<Lower> = None;
    let mut upper: Option<Upper> = None;
    for (op, raw) in ops {
        match op.as_str() {
            "$eq" => fill(&mut exact, parse_bound("$eq", raw)?, |_| "$eq")?,
            "$gte" => fill(
                &mut lower,
                Lower::Gte(parse_bound("$gte", raw)?),
                Lower::operator,
            )?,
            "$gt" => fill(
                &mut lower,
                Lower::Gt(parse_bound("$gt", raw)?),
                Lower::operator,
            )?,
            "$lte" => fill(
                &mut upper,
                Upper::Lte(parse_bound("$lte", raw)?),
                Upper::operator,
            )?,
            "$lt" => fill(
                &mut upper,
                Upper::Lt(parse_bound("$lt", raw)?),
                Upper::operator,
            )?,
            _ => return Err(FilterError::UnsupportedOperator(op.clone())),
        }
    }
    match (exact, lower, upper) {
        (None, None, None) => Err(FilterError::EmptyCondition),
        (Some(code), None, None) => Ok(Condition::Exact(code)),
        (Some(_), Some(l), _) => Err(FilterError::ConflictingOperators {
            first: "$eq",
            second: l.operator(),
        }),
        (Some(_), None, Some(u)) => Err(FilterError::ConflictingOperators {
            first: "$eq",
            second: u.operator(),
        }),
        (None, lower, upper) => Ok(Condition::Range { lower, upper }),
    }
}

/// Puts `new` into an empty `slot`; a second operator for the same slot
/// (`$gt` after `$gte`, ...) is a conflict naming both.
fn fill<T: Copy>(
    slot: &mut Option<T>,
    new: T,
    operator: fn(T) -> &'static str,
) -> Result<(), FilterError> {
    if let Some(old) = *slot {
        return Err(FilterError::ConflictingOperators {
            first: operator(old),
            second: operator(new),
        });
    }
    *slot = Some(new);
    Ok(())
}

/// Reads a status bound: a decimal string (digits only) or a JSON integer, 0..=65535.
fn parse_bound(operator: &'static str, raw: &Value) -> Result<u16, FilterError> {
    let parsed = match raw {
        // Digits only: `u16::from_str` would also take "+200".
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse::<u16>().ok()
        }
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        _ => None,
    };
    parsed.ok_or_else(|| FilterError::InvalidBound {
        operator,
        found: describe(raw),
    })
}

/// A short JSON rendering of a value for error messages (outside data may be large).
fn describe(value: &Value) -> String {
    const MAX_CHARS: usize = 40;
    let full = value.to_string();
    if full.chars().count() <= MAX_CHARS {
        full
    } else {
        let mut short: String = full.chars().take(MAX_CHARS).collect();
        short.push('…');
        short
    }
}

impl fmt::Display for ExecutionFilter {
    /// Writes [`to_json`](ExecutionFilter::to_json) (always compact, even with `{:#}`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_value())
    }
}

impl Serialize for ExecutionFilter {
    /// Writes [`to_value`](ExecutionFilter::to_value).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ExecutionFilter {
    /// Accepts the same documents as [`ExecutionFilter::from_json`].
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value(&value).map_err(serde::de::Error::custom)
    }
}

impl Execution {
    /// Whether the delivery succeeded: an HTTP answer in `200..=399`, what
    /// [`ExecutionFilter::success`] selects.
    pub fn succeeded(&self) -> bool {
        ExecutionFilter::success().matches(self.status)
    }

    /// Whether the delivery did not succeed: an answer outside `200..=399`,
    /// or no answer at all (`status` is `null`: connection refused, timeout,
    /// a refused target). No `query` selects these, as `null` never matches a
    /// status condition: list with [`ExecutionFilter::any`] and keep these.
    pub fn unsuccessful(&self) -> bool {
        !self.succeeded()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsuccessful_includes_executions_without_a_status() {
        let execution = |status: Option<u16>| {
            let mut e: Execution =
                serde_json::from_value(serde_json::json!({"uid": "e1", "status": null})).unwrap();
            e.status = status;
            e
        };
        assert!(execution(Some(200)).succeeded());
        assert!(execution(Some(302)).succeeded());
        for status in [None, Some(0), Some(404), Some(500)] {
            assert!(execution(status).unsuccessful(), "{status:?}");
        }
        assert!(!ExecutionFilter::http_error().matches(None));
    }

    #[test]
    fn documented_success_and_failure_queries() {
        assert_eq!(
            ExecutionFilter::success().to_json(),
            r#"{"status":{"$gte":"200","$lte":"399"}}"#
        );
        assert_eq!(
            ExecutionFilter::http_error().to_json(),
            r#"{"status":{"$gte":"400","$lte":"599"}}"#
        );
    }

    #[test]
    fn builder_json_forms() {
        let cases = [
            (ExecutionFilter::any(), "{}"),
            (ExecutionFilter::status(404), r#"{"status":"404"}"#),
            (
                ExecutionFilter::status_range(500..=504),
                r#"{"status":{"$gte":"500","$lte":"504"}}"#,
            ),
            (
                ExecutionFilter::at_least(500),
                r#"{"status":{"$gte":"500"}}"#,
            ),
            (
                ExecutionFilter::at_most(299),
                r#"{"status":{"$lte":"299"}}"#,
            ),
        ];
        for (filter, json) in cases {
            assert_eq!(filter.to_json(), json);
            assert_eq!(filter.to_string(), json);
            assert_eq!(serde_json::to_string(&filter).unwrap(), json);
            assert_eq!(ExecutionFilter::from_json(json).unwrap(), filter);
            assert_eq!(
                serde_json::from_str::<ExecutionFilter>(json).unwrap(),
                filter
            );
        }
    }

    #[test]
    fn matching() {
        let ok = ExecutionFilter::success();
        assert!(ok.matches(Some(200)));
        assert!(ok.matches(Some(399)));
        assert!(!ok.matches(Some(199)));
        assert!(!ok.matches(Some(400)));
        assert!(
            !ok.matches(None),
            "null status never matches a status filter"
        );

        let bad = ExecutionFilter::http_error();
        assert!(bad.matches(Some(404)) && bad.matches(Some(599)));
        assert!(!bad.matches(Some(600)) && !bad.matches(None));

        assert!(ExecutionFilter::any().matches(None));
        assert!(ExecutionFilter::any().matches(Some(0)));
        assert!(ExecutionFilter::status(404).matches(Some(404)));
        assert!(!ExecutionFilter::status(404).matches(Some(405)));
        assert!(!ExecutionFilter::status(404).matches(None));
        assert!(ExecutionFilter::at_least(500).matches(Some(u16::MAX)));
        assert!(ExecutionFilter::at_most(299).matches(Some(0)));
        #[allow(clippy::reversed_empty_ranges)] // the point of the test
        let empty = ExecutionFilter::status_range(400..=300);
        assert!((0..=u16::MAX).all(|s| !empty.matches(Some(s))));
    }

    #[test]
    fn from_json_accepts_api_variants() {
        let f = |s: &str| ExecutionFilter::from_json(s).unwrap();
        assert_eq!(
            f(r#"{ "status": { "$gte": "200", "$lte": "399" } }"#),
            ExecutionFilter::success()
        );
        assert_eq!(
            f(r#"{"status":{"$gte":200,"$lte":399}}"#),
            ExecutionFilter::success()
        );
        assert_eq!(f(r#"{"status":404}"#), ExecutionFilter::status(404));
        assert_eq!(
            f(r#"{"status":{"$eq":"404"}}"#),
            ExecutionFilter::status(404)
        );
        assert_eq!(
            f(r#"{"status":{"$lte":"399","$gte":"200"}}"#),
            ExecutionFilter::success()
        );
        assert_eq!(f("{}"), ExecutionFilter::any());

        let excl = f(r#"{"status":{"$gt":"199","$lt":400}}"#);
        assert_eq!(excl.to_json(), r#"{"status":{"$gt":"199","$lt":"400"}}"#);
        assert!(excl.matches(Some(200)) && excl.matches(Some(399)));
        assert!(!excl.matches(Some(199)) && !excl.matches(Some(400)));
        assert_eq!(ExecutionFilter::from_json(&excl.to_json()).unwrap(), excl);
    }

    #[test]
    fn from_json_rejects_with_named_problems() {
        let err = |s: &str| ExecutionFilter::from_json(s).unwrap_err();
        assert!(matches!(err("{"), FilterError::Json(_)));
        assert!(matches!(err("[]"), FilterError::NotAnObject(s) if s == "[]"));
        assert!(
            matches!(err(r#"{"event":"x"}"#), FilterError::UnsupportedField(f) if f == "event")
        );
        assert!(matches!(
            err(r#"{"status":null}"#),
            FilterError::InvalidCondition(_)
        ));
        assert!(matches!(
            err(r#"{"status":[200]}"#),
            FilterError::InvalidCondition(_)
        ));
        assert!(matches!(
            err(r#"{"status":{}}"#),
            FilterError::EmptyCondition
        ));
        assert!(
            matches!(err(r#"{"status":{"$ne":"200"}}"#), FilterError::UnsupportedOperator(o) if o == "$ne")
        );
        for bad in [
            r#"{"status":{"$gte":"+200"}}"#,
            r#"{"status":{"$gte":"2e2"}}"#,
            r#"{"status":{"$gte":""}}"#,
            r#"{"status":{"$gte":" 200"}}"#,
            r#"{"status":{"$gte":-1}}"#,
            r#"{"status":{"$gte":200.5}}"#,
            r#"{"status":{"$gte":65536}}"#,
            r#"{"status":{"$gte":"65536"}}"#,
            r#"{"status":{"$gte":true}}"#,
            r#"{"status":"abc"}"#,
        ] {
            assert!(
                matches!(err(bad), FilterError::InvalidBound { .. }),
                "{bad} should be an invalid bound"
            );
        }
        let e = err(r#"{"status":{"$gte":"1","$gt":"2"}}"#);
        assert!(matches!(e, FilterError::ConflictingOperators { .. }), "{e}");
        let e = err(r#"{"status":{"$eq":"1","$lt":"2"}}"#);
        assert!(matches!(e, FilterError::ConflictingOperators { .. }), "{e}");
        let e = err(r#"{"status":{"$lt":"1","$eq":"2"}}"#);
        assert!(matches!(e, FilterError::ConflictingOperators { .. }), "{e}");
    }

    #[test]
    fn error_messages_name_the_problem_and_stay_short() {
        let e = ExecutionFilter::from_json(r#"{"status":{"$gte":"abc"}}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"bound of $gte must be an integer 0..=65535 given as a string or number, found "abc""#
        );
        let long = format!(r#"{{"status":{{"$gte":"{}"}}}}"#, "x".repeat(1000));
        let e = ExecutionFilter::from_json(&long).unwrap_err().to_string();
        assert!(e.len() < 200, "{e}");
        let e = ExecutionFilter::from_json(r#"{"status":{"$gt":"1","$gte":"2"}}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "status operators $gt and $gte cannot be combined"
        );
    }
}
