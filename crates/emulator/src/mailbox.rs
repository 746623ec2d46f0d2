//! The e-mail Contentstack sends when the circuit breaker disables a webhook,
//! kept so tests can read it (`GET /_emulator/mailbox`).
//!
//! Mail is kept in memory: it is a record of what would have been sent, not
//! state the API depends on.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The most mails kept; older ones are dropped first.
const CAPACITY: usize = 1000;

/// One e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mail {
    /// Its uid.
    pub uid: String,
    /// The recipients: the webhook's `notifiers`.
    pub to: Vec<String>,
    /// The subject line, naming the webhook.
    pub subject: String,
    /// The text, naming the webhook and the last error.
    pub body: String,
    /// The webhook it is about.
    pub webhook_uid: String,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// The stack the webhook belongs to (not shown).
    #[serde(skip)]
    pub api_key: String,
}

/// What the breaker needs to write the mail.
#[derive(Debug, Clone, Copy)]
pub struct Tripped<'a> {
    /// The webhook's stack.
    pub api_key: &'a str,
    /// The webhook's uid.
    pub webhook_uid: &'a str,
    /// The webhook's name.
    pub name: &'a str,
    /// Its notifiers.
    pub notifiers: &'a [String],
    /// Consecutive failures that tripped it.
    pub failures: u32,
    /// What went wrong last.
    pub last_error: &'a str,
}

/// Every mail sent, oldest first.
#[derive(Debug, Default)]
pub struct Mailbox {
    mails: Mutex<Vec<Mail>>,
}

impl Mailbox {
    /// Writes the breaker's mail; a webhook without notifiers gets none.
    pub fn breaker_tripped(&self, tripped: Tripped<'_>, uid: String, now: DateTime<Utc>) {
        if tripped.notifiers.is_empty() {
            return;
        }
        let mail = Mail {
            uid,
            to: tripped.notifiers.to_vec(),
            subject: format!("Webhook \"{}\" has been disabled", tripped.name),
            body: format!(
                "Your webhook \"{name}\" (uid {uid}) has been disabled after {n} consecutive \
                 failed deliveries.\n\nLast error: {error}\n\nFix the destination, then enable \
                 the webhook again; enabling it resets the failure count.",
                name = tripped.name,
                uid = tripped.webhook_uid,
                n = tripped.failures,
                error = tripped.last_error,
            ),
            webhook_uid: tripped.webhook_uid.to_owned(),
            sent_at: now,
            api_key: tripped.api_key.to_owned(),
        };
        let mut mails = self.lock();
        if mails.len() >= CAPACITY {
            mails.remove(0);
        }
        mails.push(mail);
    }

    /// The stack's mails, newest first, to `address` when given (case-insensitive).
    pub fn list(&self, api_key: &str, address: Option<&str>) -> Vec<Mail> {
        self.lock()
            .iter()
            .rev()
            .filter(|m| m.api_key == api_key)
            .filter(|m| address.is_none_or(|a| m.to.iter().any(|t| t.eq_ignore_ascii_case(a))))
            .cloned()
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Mail>> {
        // A panic elsewhere while holding the lock leaves the list usable.
        self.mails
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tripped<'a>(api_key: &'a str, notifiers: &'a [String]) -> Tripped<'a> {
        Tripped {
            api_key,
            webhook_uid: "blt1",
            name: "Hook",
            notifiers,
            failures: 10,
            last_error: "the destination answered HTTP 500",
        }
    }

    #[test]
    fn newest_first_by_stack_and_address() {
        let mailbox = Mailbox::default();
        let ops = vec!["ops@example.com".to_owned()];
        let now = Utc::now();
        mailbox.breaker_tripped(tripped("a", &ops), "m1".into(), now);
        mailbox.breaker_tripped(tripped("b", &ops), "m2".into(), now);
        mailbox.breaker_tripped(tripped("a", &ops), "m3".into(), now);
        mailbox.breaker_tripped(tripped("a", &[]), "m4".into(), now);
        let uids = |mails: Vec<Mail>| mails.into_iter().map(|m| m.uid).collect::<Vec<_>>();
        assert_eq!(uids(mailbox.list("a", None)), ["m3", "m1"]);
        assert_eq!(
            uids(mailbox.list("a", Some("OPS@example.com"))),
            ["m3", "m1"]
        );
        assert!(mailbox.list("a", Some("dev@example.com")).is_empty());
        let mail = &mailbox.list("b", None)[0];
        assert!(mail.subject.contains("Hook"));
        assert!(mail.body.contains("blt1") && mail.body.contains("HTTP 500"));
    }
}
