//! Which hosts deliveries may reach: loopback only, unless the emulator was
//! started with `--allow-remote-targets` (a local tool must not become a way
//! to reach other hosts).
//!
//! A webhook may name any well-formed http(s) URL, as Contentstack allows, so
//! that real webhooks can be imported unchanged; the host is checked when a
//! delivery is made, before any DNS query or connection: the URL's host
//! before sending, every name the resolver is asked for, and every redirect.
//!
//! `localhost`, names under it (`hooks.localhost`) and their fully qualified
//! forms (`localhost.`) are loopback names (RFC 6761): the delivery resolver
//! answers them itself with 127.0.0.1 and ::1, so no DNS query ever leaves the
//! machine for them, and refuses every other name unless remote targets are
//! allowed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

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

/// Whether `name` is `localhost` or a name under it, which resolve to
/// loopback addresses only.
pub fn is_loopback_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// Parses a URL as written in a webhook: an absolute http or https URL with
/// a host. Where it points is not checked here (see [`check_url`]).
pub fn parse(raw: &str) -> Result<Url, TargetError> {
    let url = Url::parse(raw.trim()).map_err(|_| TargetError::Invalid)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetError::Scheme);
    }
    if url.host().is_none() {
        return Err(TargetError::Invalid);
    }
    Ok(url)
}

/// Parses a URL and checks that a delivery may go there.
///
/// Hostnames other than `localhost` (and `*.localhost`) are refused without
/// `allow_remote`, before any DNS query: resolving them here could not stop
/// them from resolving elsewhere later.
pub fn check_url(raw: &str, allow_remote: bool) -> Result<Url, TargetError> {
    let url = parse(raw)?;
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
        url::Host::Domain(name) => is_loopback_name(name),
    };
    if ok {
        Ok(())
    } else {
        Err(TargetError::NotLoopback)
    }
}

/// The deliveries' resolver: loopback names get the loopback addresses
/// without a query; other names are refused without a query, or looked up
/// by the system when remote targets are allowed.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeliveryResolver {
    /// Whether names other than loopback names may be looked up.
    pub allow_remote: bool,
}

/// The addresses a loopback name stands for, IPv4 first (what local servers
/// most often listen on; the connector tries the next on refusal).
pub const LOOPBACK_ADDRS: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::LOCALHOST),
    IpAddr::V6(Ipv6Addr::LOCALHOST),
];

/// The resolver's error when a name has no loopback address.
#[derive(Debug, thiserror::Error)]
#[error("{host} does not resolve to a loopback address")]
pub struct NotLoopbackHost {
    host: String,
}

impl Resolve for DeliveryResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allow_remote = self.allow_remote;
        Box::pin(async move {
            if is_loopback_name(&host) {
                let addrs = LOOPBACK_ADDRS.map(|ip| SocketAddr::new(ip, 0));
                return Ok(Box::new(addrs.into_iter()) as Addrs);
            }
            if !allow_remote {
                return Err(Box::new(NotLoopbackHost { host }) as Box<_>);
            }
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
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
        assert!(parse("https://hooks.example.com/x").is_ok());
        assert_eq!(parse("http://").map(|_| ()), Err(TargetError::Invalid));
        assert_eq!(
            check_url("mailto:a@b.c", true).map(|_| ()),
            Err(TargetError::Scheme)
        );
    }

    #[tokio::test]
    async fn the_resolver_refuses_other_names_without_a_query() {
        // `.invalid` never resolves: had a query been made, the error would
        // be a lookup failure, not the refusal.
        for host in ["hooks.example.com", "hooks.invalid", "localhost.invalid"] {
            let name: Name = host.parse().unwrap();
            let refused = match DeliveryResolver::default().resolve(name).await {
                Ok(_) => panic!("{host} resolved"),
                Err(e) => e.downcast::<NotLoopbackHost>(),
            };
            assert!(refused.is_ok(), "{host}: {refused:?}");
        }
    }

    #[tokio::test]
    async fn localhost_names_resolve_to_loopback_without_a_query() {
        // `hooks.localhost` has no DNS record anywhere: only a local answer
        // gives exactly the two loopback addresses, in this order.
        for allow_remote in [false, true] {
            let resolver = DeliveryResolver { allow_remote };
            for host in [
                "localhost",
                "localhost.",
                "hooks.localhost",
                "API.LocalHost.",
            ] {
                let name: Name = host.parse().unwrap();
                let addrs: Vec<IpAddr> = match resolver.resolve(name).await {
                    Ok(addrs) => addrs.map(|a| a.ip()).collect(),
                    Err(e) => panic!("{host}: {e}"),
                };
                assert_eq!(addrs, LOOPBACK_ADDRS, "{host}");
            }
        }
    }
}
