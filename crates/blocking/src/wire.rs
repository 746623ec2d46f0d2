//! A layer on ureq's connections that does two things ureq cannot be told:
//!
//! - **Credentials reach the socket only.** ureq traces every request it
//!   writes as a hex dump through `log`, headers included, whatever their
//!   sensitivity. So the client hands ureq a same-length placeholder for each
//!   sensitive header value ([`Vault::mask`]) and this layer swaps the real
//!   value in just before the bytes go to the socket: the dump shows the
//!   placeholder, the server gets the secret, and no log level is imposed
//!   on the user's program.
//! - **An attempt is a deadline.** ureq's phase timeouts each restart, and its
//!   whole-call timeout resolves names on a new thread per call. Here every
//!   read and write of the calling thread is capped by the time left until
//!   the deadline [`DeadlineScope`] set for the call (rounded down to 10 ms
//!   while over a second is left, so ureq need not reset the socket's
//!   timeout on every call: early by under 1 %, never late).

use std::cell::Cell;
use std::fmt;
use std::sync::{Arc, LazyLock, RwLock};
use std::time::{Duration, Instant};

use memchr::memmem;

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// The most distinct secrets one transport masks (a client has two: the
/// API key and its credential); beyond it values go out as they are.
const MAX_SECRETS: usize = 16;

/// Placeholders and the secrets they stand for, shared by a transport and
/// its connections.
#[derive(Clone, Default)]
pub(crate) struct Vault {
    entries: Arc<RwLock<Vec<Entry>>>,
}

struct Entry {
    /// Ready to hand out: a clone shares its bytes, no copy per call.
    placeholder: http::HeaderValue,
    secret: Vec<u8>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.entries.read().map(|e| e.len()).unwrap_or(0);
        write!(f, "Vault({count} secrets masked)")
    }
}

impl Vault {
    /// The placeholder ureq gets instead of `secret`: as long as it, made of
    /// `*` and the secret's index, so it cannot be mistaken for a real value.
    /// None when the secret is too short to hold an index (nothing to hide).
    pub(crate) fn mask(&self, secret: &[u8]) -> Option<http::HeaderValue> {
        let known = {
            let entries = self.entries.read().ok()?;
            entries
                .iter()
                .find(|e| e.secret == secret)
                .map(|e| e.placeholder.clone())
        };
        match known {
            Some(placeholder) => Some(placeholder),
            None => {
                let mut entries = self.entries.write().ok()?;
                if entries.len() >= MAX_SECRETS {
                    return None;
                }
                let index = entries.len().to_string();
                if secret.len() <= index.len() {
                    return None;
                }
                let mut bytes = vec![b'*'; secret.len() - index.len()];
                bytes.extend_from_slice(index.as_bytes());
                let mut placeholder = http::HeaderValue::from_bytes(&bytes).ok()?;
                placeholder.set_sensitive(true);
                entries.push(Entry {
                    placeholder: placeholder.clone(),
                    secret: secret.to_vec(),
                });
                Some(placeholder)
            }
        }
    }

    /// Puts the secrets back into a request head about to be sent: every
    /// header line whose whole value is a placeholder. Same length, in place.
    ///
    /// This runs on every write of every call, so the common cases leave
    /// early: a chunk with no `*` (a body, or a head without credentials)
    /// costs one vectorized byte search; otherwise only the lines holding a
    /// `*` are looked at.
    fn unmask(&self, bytes: &mut [u8]) {
        let Some(first_star) = memchr::memchr(b'*', bytes) else {
            return;
        };
        if !is_request_head(bytes) {
            return;
        }
        let head_end = HEAD_END.find(bytes).unwrap_or(bytes.len());
        if first_star >= head_end {
            return;
        }
        let Ok(entries) = self.entries.read() else {
            return;
        };
        // Each `*` that starts a line's value is checked against the
        // placeholder its trailing index names: one pass over the head.
        let mut at = first_star;
        while at < head_end {
            let line_end = memchr::memchr(b'\r', &bytes[at..head_end]).map_or(head_end, |i| at + i);
            if let Some(entry) = placeholder_entry(&bytes[at..line_end], &entries)
                && is_whole_value(&bytes[..head_end], at, line_end)
            {
                bytes[at..line_end].copy_from_slice(&entry.secret);
            }
            match memchr::memchr(b'*', &bytes[line_end..head_end]) {
                Some(i) => at = line_end + i,
                None => break,
            }
        }
    }
}

/// The entry whose placeholder `value` is (`*…*` then the entry's index).
fn placeholder_entry<'e>(value: &[u8], entries: &'e [Entry]) -> Option<&'e Entry> {
    let digits = value
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let index = std::str::from_utf8(&value[value.len() - digits..])
        .ok()?
        .parse::<usize>()
        .ok()?;
    entries
        .get(index)
        .filter(|entry| entry.placeholder.as_bytes() == value)
}

/// The end of a request head, searched for on every write: built once.
static HEAD_END: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"\r\n\r\n"));

/// Whether `head[start..end]` is the whole value of a header line: after the
/// line's first `:` and optional spaces, and up to the line's end.
fn is_whole_value(head: &[u8], start: usize, end: usize) -> bool {
    let ends_line = end == head.len() || head[end..].starts_with(b"\r\n");
    let before = &head[..start];
    let Some(colon) = before.iter().rposition(|&b| b != b' ') else {
        return false;
    };
    let line_start = memchr::memrchr(b'\n', &before[..colon]).map_or(0, |i| i + 1);
    ends_line && before[colon] == b':' && memchr::memchr(b':', &before[line_start..colon]).is_none()
}

/// Whether a chunk starts a request: `METHOD SP target SP HTTP/1.x`.
fn is_request_head(bytes: &[u8]) -> bool {
    let line_end = memchr::memchr(b'\r', bytes).unwrap_or(bytes.len());
    let line = &bytes[..line_end];
    line.first().is_some_and(u8::is_ascii_uppercase)
        && (line.ends_with(b" HTTP/1.1") || line.ends_with(b" HTTP/1.0"))
}

thread_local! {
    /// The deadline of the call running on this thread, if any.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Sets the deadline of the calling thread's I/O until dropped.
pub(crate) struct DeadlineScope {
    previous: Option<Instant>,
}

impl DeadlineScope {
    pub(crate) fn enter(deadline: Option<Instant>) -> Self {
        DeadlineScope {
            previous: DEADLINE.replace(deadline),
        }
    }
}

impl Drop for DeadlineScope {
    fn drop(&mut self) {
        DEADLINE.set(self.previous);
    }
}

/// `timeout`, shortened to the time left until the thread's deadline; an
/// error once it has passed (ureq would otherwise wait a second on zero).
fn within_deadline(timeout: NextTimeout) -> Result<NextTimeout, ureq::Error> {
    let Some(deadline) = DEADLINE.get() else {
        return Ok(timeout);
    };
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(ureq::Error::Timeout(ureq::Timeout::Global));
    }
    // ureq sets the socket's timeout again (a system call) whenever the value
    // changes. Rounded down to 10 ms while over a second is left, the calls
    // of a client mostly pass the same value and skip it; the deadline is
    // then met up to 10 ms (under 1 %) early, never late.
    let left = if left > Duration::from_secs(1) {
        let millis = u64::try_from(left.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(millis - millis % 10)
    } else {
        left
    };
    if timeout.after.is_not_happening() || *timeout.after > left {
        return Ok(NextTimeout {
            after: left.into(),
            reason: ureq::Timeout::Global,
            ..timeout
        });
    }
    Ok(timeout)
}

/// The connector adding [`Guarded`] on top of ureq's own chain.
#[derive(Debug)]
pub(crate) struct Guard {
    pub(crate) vault: Vault,
}

impl<In: Transport> Connector<In> for Guard {
    type Out = Guarded<In>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| Guarded {
            inner,
            vault: self.vault.clone(),
        }))
    }
}

/// A connection that unmasks credentials on the way out and keeps every
/// read and write within the call's deadline.
#[derive(Debug)]
pub(crate) struct Guarded<T> {
    inner: T,
    vault: Vault,
}

impl<T: Transport> Transport for Guarded<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = within_deadline(timeout)?;
        let output = self.inner.buffers().output();
        if let Some(bytes) = output.get_mut(..amount) {
            self.vault.unmask(bytes);
        }
        self.inner.transmit_output(amount, timeout)
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = within_deadline(timeout)?;
        self.inner.maybe_await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = within_deadline(timeout)?;
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_header_is_unmasked_in_the_request_head_only() {
        let vault = Vault::default();
        let key = vault.mask(b"blt-secret-key").unwrap();
        let token = vault.mask(b"token-value").unwrap();
        assert_eq!(key.as_bytes(), b"*************0");
        assert_eq!(vault.mask(b"blt-secret-key").unwrap(), key);
        let head = format!(
            "GET /v3/webhooks HTTP/1.1\r\napi_key: {}\r\nauthorization: {}\r\nx: {}x\r\n\r\n",
            key.to_str().unwrap(),
            token.to_str().unwrap(),
            key.to_str().unwrap()
        );
        let mut bytes = head.into_bytes();
        vault.unmask(&mut bytes);
        let sent = String::from_utf8(bytes).unwrap();
        assert!(sent.contains("api_key: blt-secret-key\r\n"), "{sent}");
        assert!(sent.contains("authorization: token-value\r\n"), "{sent}");
        assert!(
            sent.contains("x: *************0x\r\n"),
            "only whole values: {sent}"
        );
        let placeholder = key.to_str().unwrap();
        for head in [
            format!("GET /x?k={placeholder} HTTP/1.1\r\nh: v\r\n\r\n"),
            format!("GET / HTTP/1.1\r\nx-a: b: {placeholder}\r\n\r\n"),
            format!("GET / HTTP/1.1\r\nx-a: *{placeholder}\r\n\r\n"),
            format!("GET / HTTP/1.1\r\n\r\n{{\"api_key\": {placeholder}\r\n"),
        ] {
            let mut bytes = head.clone().into_bytes();
            vault.unmask(&mut bytes);
            assert_eq!(
                String::from_utf8(bytes).unwrap(),
                head,
                "not a whole header value"
            );
        }
        let mut last = format!("GET / HTTP/1.1\r\napi_key:{placeholder}").into_bytes();
        vault.unmask(&mut last);
        assert_eq!(
            last, b"GET / HTTP/1.1\r\napi_key:blt-secret-key",
            "a head cut short"
        );
        let mut body = b"api_key: *************0\r\n".to_vec();
        vault.unmask(&mut body);
        assert_eq!(body, b"api_key: *************0\r\n", "not a request head");
        assert!(!format!("{vault:?}").contains("blt-secret-key"));
    }

    #[test]
    fn a_one_byte_secret_is_not_masked() {
        assert!(Vault::default().mask(b"x").is_none());
    }
}
