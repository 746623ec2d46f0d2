//! A string credential that cannot leak through `Debug` or `Display`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A credential (Basic password, `OAuth2` client secret, bearer token, ...).
///
/// `Debug` always prints `Secret("********")` and there is deliberately no
/// `Display`, so a secret cannot end up in logs or error messages by accident;
/// call [`expose`](Secret::expose) where the clear value is really needed.
///
/// Serde writes and reads it as a plain JSON string **in clear**, because the
/// API needs the real value in request bodies: do not serialize structs holding
/// a `Secret` into logs.
///
/// The API echoes secrets back as the mask `"********"` ([`Secret::MASK`]) and
/// reads that mask in an update as "keep the stored value";
/// [`is_masked`](Secret::is_masked) tells the two apart.
///
/// Equality is an ordinary (not constant-time) comparison: fine for comparing
/// configuration, not for verifying credentials presented by a remote party.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The mask the API returns in place of a stored secret and accepts as "unchanged".
    pub const MASK: &'static str = "********";

    /// Wraps a clear value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// A secret holding exactly [`Secret::MASK`], i.e. "leave the stored value as is".
    pub fn masked() -> Self {
        Secret(Self::MASK.to_owned())
    }

    /// The clear value. Named loudly so call sites that reveal it are easy to audit.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Consumes the wrapper and returns the clear value.
    pub fn into_exposed(self) -> String {
        self.0
    }

    /// True when the value is exactly the API's mask `"********"`, which on
    /// update means "unchanged" rather than a new password of eight asterisks.
    pub fn is_masked(&self) -> bool {
        self.0 == Self::MASK
    }

    /// True when the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Print the mask even for an empty secret: the output must not reveal
        // anything about the value, not even whether one is set.
        f.debug_tuple("Secret").field(&Self::MASK).finish()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), r#"Secret("********")"#);
        assert_eq!(format!("{s:#?}"), "Secret(\n    \"********\",\n)");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(format!("{:?}", Secret::default()), r#"Secret("********")"#);

        #[derive(Debug)]
        #[allow(dead_code)] // only read through Debug
        struct Auth {
            user: String,
            password: Secret,
        }
        let auth = Auth {
            user: "bob".into(),
            password: "p4ss".into(),
        };
        let printed = format!("{auth:?}");
        assert!(printed.contains("bob"));
        assert!(!printed.contains("p4ss"));
    }

    #[test]
    fn serde_is_a_plain_string() {
        let s = Secret::new("hunter2");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"hunter2\"");
        let back: Secret = serde_json::from_str("\"hunter2\"").unwrap();
        assert_eq!(back, s);
        assert!(serde_json::from_str::<Secret>("42").is_err());

        #[derive(Serialize, Deserialize)]
        struct Basic {
            http_basic_password: Secret,
        }
        let b: Basic = serde_json::from_str(r#"{"http_basic_password":"********"}"#).unwrap();
        assert!(b.http_basic_password.is_masked());
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            r#"{"http_basic_password":"********"}"#
        );
    }

    #[test]
    fn mask_detection() {
        assert!(Secret::masked().is_masked());
        assert_eq!(Secret::masked().expose(), Secret::MASK);
        assert!(Secret::new("********").is_masked());
        assert!(!Secret::new("*******").is_masked());
        assert!(!Secret::new("*********").is_masked());
        assert!(!Secret::new(" ********").is_masked());
        assert!(!Secret::default().is_masked());
    }

    #[test]
    fn conversions_and_accessors() {
        let a = Secret::from("x");
        let b = Secret::from(String::from("x"));
        assert_eq!(a, b);
        assert_eq!(a.clone().into_exposed(), "x");
        assert_eq!(a.expose(), "x");
        assert!(Secret::default().is_empty());
        assert!(!a.is_empty());
        let mut set = std::collections::HashSet::new();
        set.insert(a);
        assert!(set.contains(&b));
    }
}
