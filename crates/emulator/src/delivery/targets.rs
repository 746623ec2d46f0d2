//! Which hosts deliveries may reach: loopback only, unless the emulator was
//! started with `--allow-remote-targets` (a local tool must not become a way
//! to reach other hosts).
//!
//! Checked three times: when a webhook is written (URL literal), when a
//! hostname is resolved (a DNS resolver that drops non-loopback addresses),
//! and on every redirect.

use std::net::{IpAddr, SocketAddr};

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why a URL may not be used as a delivery target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// Not an absolute URL.
    #[error("is not a valid URL.")]
    Invalid,
    /// Not `http` or `https`.
    #[error("must be an http or https URL.")]
    Scheme,
    /// A host other than loopback, without `--allow-remote-targets`.
    #[error(
        "must point to a loopback address (127.0.0.1, ::1 or localhost); start the emulator with --allow-remote-targets to allow other hosts."
    )]
    NotLoopback,
}

/// Whether `ip` is a loopback address (IPv4-mapped IPv6 included).
pub fn is_loopback(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// Parses and checks a target URL as written in a webhook.
///
/// Hostnames other than `localhost` (and `*.localhost`) are refused without
/// `allow_remote`: resolving them here could not stop them from resolving
/// elsewhere later.
pub fn check_url(raw: &str, allow_remote: bool) -> Result<Url, TargetError> {
    let url = Url::parse(raw.trim()).map_err(|_| TargetError::Invalid)?;
    check_parsed(&url, allow_remote)?;
    Ok(url)
}

/// [`check_url`] for an already parsed URL (redirects).
pub fn check_parsed(url: &Url, allow_remote: bool) -> Result<(), TargetError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetError::Scheme);
    }
    let host = url.host().ok_or(TargetError::Invalid)?;
    if allow_remote {
        return Ok(());
    }
    let ok = match host {
        url::Host::Ipv4(ip) => is_loopback(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => is_loopback(IpAddr::V6(ip)),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    if ok {
        Ok(())
    } else {
        Err(TargetError::NotLoopback)
    }
}

/// A DNS resolver that keeps only loopback addresses, so a name cannot lead a
/// delivery to another host.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoopbackResolver;

/// The resolver's error when a name has no loopback address.
#[derive(Debug, thiserror::Error)]
#[error("{host} does not resolve to a loopback address")]
pub struct NotLoopbackHost {
    host: String,
}

impl Resolve for LoopbackResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_loopback(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(Box::new(NotLoopbackHost { host }) as Box<_>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_rules() {
        for ok in [
            "http://127.0.0.1:9/x",
            "http://127.8.9.1/",
            "https://[::1]:8443/",
            "http://localhost:3000/hook",
            "http://api.LOCALHOST./",
            "http://[::ffff:127.0.0.1]/",
        ] {
            assert_eq!(check_url(ok, false).map(|_| ()), Ok(()), "{ok}");
        }
        for (bad, err) in [
            ("http://example.com", TargetError::NotLoopback),
            ("http://10.0.0.1/", TargetError::NotLoopback),
            ("http://[::2]/", TargetError::NotLoopback),
            ("http://localhost.example.com/", TargetError::NotLoopback),
            ("ftp://127.0.0.1/", TargetError::Scheme),
            ("not a url", TargetError::Invalid),
            ("/relative", TargetError::Invalid),
        ] {
            assert_eq!(check_url(bad, false).map(|_| ()), Err(err), "{bad}");
        }
        assert!(check_url("http://example.com", true).is_ok());
        assert_eq!(
            check_url("mailto:a@b.c", true).map(|_| ()),
            Err(TargetError::Scheme)
        );
    }
}
