//! Which destination of a webhook an execution belongs to, by identity rather
//! than by position: destinations can be reordered, added and removed between
//! an event and a retry, and a retry must reach the destination the event was
//! for, or nowhere.
//!
//! A destination's identity is its target URL (hashed, so the key never holds
//! a password written into the URL) and, for a URL listed more than once, its
//! rank among the destinations with that URL. Changing only a destination's
//! credentials or headers keeps its identity; changing its URL makes it a new
//! destination.

use cs_webhooks_model::Destination;
use sha2::{Digest, Sha256};

/// The identity key of `destinations[index]`, or `None` when there is none.
pub fn key(destinations: &[Destination], index: usize) -> Option<String> {
    let dest = destinations.get(index)?;
    let url = dest.target_url.trim();
    let rank = destinations[..index]
        .iter()
        .filter(|d| d.target_url.trim() == url)
        .count();
    Some(format!("{}:{rank}", url_hash(url)))
}

/// The destination whose identity is `key`, if the webhook still has it.
pub fn find<'a>(destinations: &'a [Destination], key: &str) -> Option<&'a Destination> {
    (0..destinations.len())
        .find(|&i| self::key(destinations, i).as_deref() == Some(key))
        .and_then(|i| destinations.get(i))
}

fn url_hash(url: &str) -> String {
    crate::ids::hex(&Sha256::digest(url.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dest(url: &str) -> Destination {
        serde_json::from_value(serde_json::json!({ "target_url": url })).unwrap()
    }

    #[test]
    fn a_destination_is_found_after_reordering_and_lost_after_removal() {
        let before = [dest("http://a/"), dest("http://b/"), dest("http://a/")];
        let a0 = key(&before, 0).unwrap();
        let b = key(&before, 1).unwrap();
        let a1 = key(&before, 2).unwrap();
        assert_ne!(a0, a1, "a repeated URL has one identity per occurrence");
        assert!(!a0.contains("http"), "the key holds no URL text");

        let reordered = [dest("http://b/"), dest(" http://a/ ")];
        assert_eq!(find(&reordered, &b).unwrap().target_url, "http://b/");
        assert_eq!(find(&reordered, &a0).unwrap().target_url, " http://a/ ");
        assert!(
            find(&reordered, &a1).is_none(),
            "the second http://a/ was removed"
        );
        assert!(find(&[dest("http://c/")], &b).is_none());
        assert_eq!(key(&before, 3), None);
    }
}
