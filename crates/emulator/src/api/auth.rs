//! Who is calling: the `api_key` header names the stack (412 otherwise), a
//! token in `authorization` (management token or `Bearer` OAuth token) or
//! `authtoken` proves access (401 otherwise), and `branch` scopes the call
//! (`main` when the header is absent; 422 when it is given but is not text
//! or names no branch of the stack).

use axum::http::HeaderMap;

use super::error::ApiError;
use crate::state::AppState;
use crate::store::StackRow;

/// The default branch of every stack.
pub const MAIN_BRANCH: &str = "main";

/// An authenticated caller.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    /// The stack named by `api_key`.
    pub stack: &'a StackRow,
    /// The branch of the call.
    pub branch: &'a str,
}

/// Checks the headers of a call, in the order the API does: stack, credentials, branch.
pub fn authenticate<'a>(
    state: &'a AppState,
    headers: &'a HeaderMap,
) -> Result<Caller<'a>, ApiError> {
    let api_key = header(headers, "api_key").ok_or_else(ApiError::api_key)?;
    let stack = state.stacks.get(api_key).ok_or_else(ApiError::api_key)?;
    let token = stack.token.expose().as_bytes();
    let by_authorization = header(headers, "authorization").is_some_and(|value| {
        let presented = strip_bearer(value);
        constant_time_eq(presented.as_bytes(), token)
    });
    let by_authtoken =
        header(headers, "authtoken").is_some_and(|v| constant_time_eq(v.as_bytes(), token));
    if !(by_authorization || by_authtoken) {
        return Err(ApiError::unauthorized());
    }
    let branch = match headers.get("branch") {
        None => MAIN_BRANCH,
        Some(value) => {
            let name = std::str::from_utf8(value.as_bytes())
                .map_err(|_| ApiError::branch_because("is not valid UTF-8."))?
                .trim();
            stack
                .branches
                .iter()
                .find(|b| *b == name)
                .ok_or_else(ApiError::branch)?
        }
    };
    Ok(Caller { stack, branch })
}

/// A header's trimmed value, if present, text and not empty.
fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn strip_bearer(value: &str) -> &str {
    match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => value,
    }
}

/// Compares without an early exit on the first differing byte, so response
/// times do not reveal how much of a guessed token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_and_comparison() {
        assert_eq!(strip_bearer("Bearer abc"), "abc");
        assert_eq!(strip_bearer("bearer  abc"), "abc");
        assert_eq!(strip_bearer("abc"), "abc");
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
