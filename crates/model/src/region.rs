//! Contentstack regions and the hosts that belong to each of them.
//!
//! A stack lives in exactly one region; its Management API host and its app host
//! (which serves the webhook signing key) both follow from the region, so the
//! region is the one setting a client or receiver needs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Contentstack region (data centre) hosting a stack.
///
/// Written and parsed as `na`, `eu`, `au`, `azure-na`, `azure-eu`, `gcp-na`,
/// `gcp-eu`; parsing ignores ASCII case and also accepts `us` for [`Region::Na`],
/// the name several official SDKs use. Serde uses the same names.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Region {
    /// North America on AWS, the default region.
    #[default]
    Na,
    /// Europe on AWS.
    Eu,
    /// Australia on AWS.
    Au,
    /// North America on Azure.
    AzureNa,
    /// Europe on Azure.
    AzureEu,
    /// North America on Google Cloud.
    GcpNa,
    /// Europe on Google Cloud.
    GcpEu,
}

/// The error returned when a string names no known [`Region`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown Contentstack region {0:?} (expected one of na, us, eu, au, azure-na, azure-eu, gcp-na, gcp-eu)"
)]
pub struct UnknownRegion(pub String);

impl Region {
    /// Every region, in declaration order (handy for tests and CLI help).
    pub const ALL: [Region; 7] = [
        Region::Na,
        Region::Eu,
        Region::Au,
        Region::AzureNa,
        Region::AzureEu,
        Region::GcpNa,
        Region::GcpEu,
    ];

    /// The canonical short name, as used by [`Display`](fmt::Display) and serde.
    pub const fn as_str(self) -> &'static str {
        match self {
            Region::Na => "na",
            Region::Eu => "eu",
            Region::Au => "au",
            Region::AzureNa => "azure-na",
            Region::AzureEu => "azure-eu",
            Region::GcpNa => "gcp-na",
            Region::GcpEu => "gcp-eu",
        }
    }

    /// The Content Management API host, e.g. `api.contentstack.io` for NA.
    pub const fn api_host(self) -> &'static str {
        // NA keeps its historical `.io` domain; every other region uses `.com`.
        match self {
            Region::Na => "api.contentstack.io",
            Region::Eu => "eu-api.contentstack.com",
            Region::Au => "au-api.contentstack.com",
            Region::AzureNa => "azure-na-api.contentstack.com",
            Region::AzureEu => "azure-eu-api.contentstack.com",
            Region::GcpNa => "gcp-na-api.contentstack.com",
            Region::GcpEu => "gcp-eu-api.contentstack.com",
        }
    }

    /// The API base URL including the `/v3` version path, without a trailing slash.
    pub const fn base_url(self) -> &'static str {
        // Literals rather than `format!` so callers get a `&'static str` for free.
        match self {
            Region::Na => "https://api.contentstack.io/v3",
            Region::Eu => "https://eu-api.contentstack.com/v3",
            Region::Au => "https://au-api.contentstack.com/v3",
            Region::AzureNa => "https://azure-na-api.contentstack.com/v3",
            Region::AzureEu => "https://azure-eu-api.contentstack.com/v3",
            Region::GcpNa => "https://gcp-na-api.contentstack.com/v3",
            Region::GcpEu => "https://gcp-eu-api.contentstack.com/v3",
        }
    }

    /// The web app host, e.g. `app.contentstack.com` for NA; it serves the
    /// webhook signing public key.
    pub const fn app_host(self) -> &'static str {
        match self {
            Region::Na => "app.contentstack.com",
            Region::Eu => "eu-app.contentstack.com",
            Region::Au => "au-app.contentstack.com",
            Region::AzureNa => "azure-na-app.contentstack.com",
            Region::AzureEu => "azure-eu-app.contentstack.com",
            Region::GcpNa => "gcp-na-app.contentstack.com",
            Region::GcpEu => "gcp-eu-app.contentstack.com",
        }
    }

    /// The URL of the JSON document holding the webhook signing key
    /// (`{"signing-key": "<PKCS#1 PEM>"}`).
    pub const fn public_keys_url(self) -> &'static str {
        match self {
            Region::Na => "https://app.contentstack.com/.well-known/public-keys.json",
            Region::Eu => "https://eu-app.contentstack.com/.well-known/public-keys.json",
            Region::Au => "https://au-app.contentstack.com/.well-known/public-keys.json",
            Region::AzureNa => "https://azure-na-app.contentstack.com/.well-known/public-keys.json",
            Region::AzureEu => "https://azure-eu-app.contentstack.com/.well-known/public-keys.json",
            Region::GcpNa => "https://gcp-na-app.contentstack.com/.well-known/public-keys.json",
            Region::GcpEu => "https://gcp-eu-app.contentstack.com/.well-known/public-keys.json",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Region {
    type Err = UnknownRegion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // `us` is what the JS/Python SDKs call NA; accept it so their configs carry over.
        if s.eq_ignore_ascii_case("us") {
            return Ok(Region::Na);
        }
        Region::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownRegion(s.to_owned()))
    }
}

impl Serialize for Region {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Borrowing a `&str` would reject escaped JSON strings; `String` accepts both.
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_na() {
        assert_eq!(Region::default(), Region::Na);
    }

    #[test]
    fn hosts_and_urls() {
        let expected = [
            (Region::Na, "api.contentstack.io", "app.contentstack.com"),
            (
                Region::Eu,
                "eu-api.contentstack.com",
                "eu-app.contentstack.com",
            ),
            (
                Region::Au,
                "au-api.contentstack.com",
                "au-app.contentstack.com",
            ),
            (
                Region::AzureNa,
                "azure-na-api.contentstack.com",
                "azure-na-app.contentstack.com",
            ),
            (
                Region::AzureEu,
                "azure-eu-api.contentstack.com",
                "azure-eu-app.contentstack.com",
            ),
            (
                Region::GcpNa,
                "gcp-na-api.contentstack.com",
                "gcp-na-app.contentstack.com",
            ),
            (
                Region::GcpEu,
                "gcp-eu-api.contentstack.com",
                "gcp-eu-app.contentstack.com",
            ),
        ];
        assert_eq!(expected.len(), Region::ALL.len());
        for (region, api, app) in expected {
            assert_eq!(region.api_host(), api);
            assert_eq!(region.app_host(), app);
            assert_eq!(region.base_url(), format!("https://{api}/v3"));
            assert_eq!(
                region.public_keys_url(),
                format!("https://{app}/.well-known/public-keys.json")
            );
        }
        assert_eq!(Region::Na.base_url(), "https://api.contentstack.io/v3");
        assert_eq!(
            Region::Eu.public_keys_url(),
            "https://eu-app.contentstack.com/.well-known/public-keys.json"
        );
    }

    #[test]
    fn display_parse_round_trip() {
        for region in Region::ALL {
            assert_eq!(region.to_string().parse::<Region>().unwrap(), region);
            assert_eq!(region.to_string(), region.as_str());
        }
    }

    #[test]
    fn parse_is_case_insensitive_and_accepts_us() {
        assert_eq!("NA".parse::<Region>().unwrap(), Region::Na);
        assert_eq!("us".parse::<Region>().unwrap(), Region::Na);
        assert_eq!("US".parse::<Region>().unwrap(), Region::Na);
        assert_eq!("Azure-EU".parse::<Region>().unwrap(), Region::AzureEu);
        assert_eq!("GCP-na".parse::<Region>().unwrap(), Region::GcpNa);
    }

    #[test]
    fn parse_rejects_unknown_names() {
        for bad in ["", "azure_na", "mars", " na", "na "] {
            let err = bad.parse::<Region>().unwrap_err();
            assert_eq!(err, UnknownRegion(bad.to_owned()));
            assert!(err.to_string().contains("unknown Contentstack region"));
        }
    }

    #[test]
    fn serde_uses_names() {
        assert_eq!(
            serde_json::to_string(&Region::AzureNa).unwrap(),
            "\"azure-na\""
        );
        assert_eq!(
            serde_json::from_str::<Region>("\"GCP-EU\"").unwrap(),
            Region::GcpEu
        );
        assert_eq!(
            serde_json::from_str::<Region>("\"us\"").unwrap(),
            Region::Na
        );
        let err = serde_json::from_str::<Region>("\"moon\"").unwrap_err();
        assert!(err.to_string().contains("unknown Contentstack region"));
        for region in Region::ALL {
            let json = serde_json::to_string(&region).unwrap();
            assert_eq!(serde_json::from_str::<Region>(&json).unwrap(), region);
        }
    }
}
