//! Passwords written into URLs (`https://user:pass@host/`): shown masked,
//! like the other secrets, and kept when the masked form is sent back.
//!
//! The URL text is edited in place rather than re-serialized, so that apart
//! from the password a URL is shown exactly as it was written.

use std::ops::Range;

use cs_webhooks_model::Secret;

/// Where the password of `url` is, when it has a non-empty one.
fn password_span(url: &str) -> Option<Range<usize>> {
    let scheme_end = url.find("://")? + 3;
    let rest = &url[scheme_end..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let userinfo = &authority[..authority.rfind('@')?];
    let colon = userinfo.find(':')?;
    let start = scheme_end + colon + 1;
    let end = scheme_end + userinfo.len();
    (end > start).then_some(start..end)
}

/// `url` with its password, if any, replaced by the mask.
pub fn masked(url: &str) -> String {
    match password_span(url) {
        Some(span) => format!("{}{}{}", &url[..span.start], Secret::MASK, &url[span.end..]),
        None => url.to_owned(),
    }
}

/// Whether `url` holds the mask as its password ("keep the stored one").
pub fn is_masked(url: &str) -> bool {
    password_span(url).is_some_and(|span| &url[span] == Secret::MASK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_password_is_masked() {
        for (url, shown) in [
            (
                "https://u:p%40ss@h.localhost:8/x?y=1",
                "https://u:********@h.localhost:8/x?y=1",
            ),
            ("http://u:p@127.0.0.1", "http://u:********@127.0.0.1"),
            ("http://user@h/", "http://user@h/"),
            ("http://u:@h/", "http://u:@h/"),
            ("http://h/path@x:y", "http://h/path@x:y"),
            ("not a url", "not a url"),
        ] {
            assert_eq!(masked(url), shown, "{url}");
            assert_eq!(is_masked(&masked(url)), url != shown, "{url}");
        }
    }
}
