//! No credential reaches any log: both clients run with a `log` logger and a
//! `tracing` subscriber that keep every record at the most verbose level,
//! and the joined output is searched for the secrets as text, as hex, and
//! as the bytes of HTTP libraries' hex dumps (which split them across rows).
//!
//! Its own test binary: the logger and the subscriber are process-global.

use std::sync::Mutex;

use cs_webhooks_api::model::WebhookRequest;
use cs_webhooks_tests::capture::Sink;
use cs_webhooks_tests::server::{Reply, TestServer};
use cs_webhooks_tests::{request_example, response_example};

const API_KEY: &str = "blt-LOG-CANARY-api-key-0123456789";
const TOKEN: &str = "cs-LOG-CANARY-management-token-abcdef";

/// Every `log` record, formatted.
struct Recorder(Mutex<Vec<String>>);

impl log::Log for Recorder {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        if let Ok(mut lines) = self.0.lock() {
            lines.push(format!("{} {}", record.target(), record.args()));
        }
    }

    fn flush(&self) {}
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of hex-dump rows (`4745 5420 2f76 ...  GET /v...`): the leading
/// groups of hex digits of each line, decoded and joined across lines.
fn dumped_bytes(text: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    for line in text.lines() {
        let groups = line
            .split_whitespace()
            .skip_while(|token| !is_hex_group(token))
            .take_while(|token| is_hex_group(token));
        for group in groups {
            for pair in group.as_bytes().chunks(2) {
                if let Ok(Ok(byte)) = std::str::from_utf8(pair).map(|p| u8::from_str_radix(p, 16)) {
                    bytes.push(byte);
                }
            }
        }
    }
    bytes
}

fn is_hex_group(token: &str) -> bool {
    token.len() == 4 && token.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

#[test]
fn no_credential_appears_in_any_log_of_either_client() {
    let recorder: &'static Recorder = Box::leak(Box::new(Recorder(Mutex::new(Vec::new()))));
    log::set_logger(recorder).expect("the only logger");
    log::set_max_level(log::LevelFilter::Trace);
    let sink = Sink::default();
    let subscriber = sink.subscriber();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let server = TestServer::start(|request, _| match request.method.as_str() {
        "POST" => Reply::json(201, &response_example("create_webhook", "201")),
        _ if request.path().ends_with("/missing") => {
            Reply::json(404, &response_example("get_webhook", "404"))
        }
        _ => Reply::json(200, &response_example("get_webhook", "200")),
    });
    let input: WebhookRequest =
        serde_json::from_value(request_example("create_webhook")).expect("the spec's example");

    let blocking = cs_webhooks_blocking::Client::builder()
        .base_url(server.base_url())
        .api_key(API_KEY)
        .management_token(TOKEN)
        .build()
        .expect("blocking client");
    assert!(blocking.get_webhook("cs1").send().is_ok());
    assert!(blocking.get_webhook("missing").send().is_err());
    let created = blocking.create_webhook(input.clone()).send();
    assert!(created.is_ok(), "{created:?}");

    let asynchronous = cs_webhooks_async::Client::builder()
        .base_url(server.base_url())
        .api_key(API_KEY)
        .oauth_token(TOKEN)
        .build()
        .expect("async client");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        assert!(asynchronous.get_webhook("cs1").send().await.is_ok());
        assert!(asynchronous.get_webhook("missing").send().await.is_err());
        let created = asynchronous.create_webhook(input).send().await;
        assert!(created.is_ok(), "{created:?}");
    });

    // The server got the real credentials: masking stops at the socket.
    let requests = server.requests();
    assert_eq!(requests.len(), 6);
    assert!(
        requests
            .iter()
            .all(|r| r.header("api_key") == Some(API_KEY)),
        "{requests:#?}"
    );
    assert_eq!(requests[0].header("authorization"), Some(TOKEN));
    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(requests[3].header("authorization"), Some(bearer.as_str()));

    let logged = recorder.0.lock().map(|l| l.join("\n")).unwrap_or_default();
    let traced = sink.text();
    let all = format!("{logged}\n{traced}");
    // The capture works: ureq's hex dump of the request line is in it.
    let dump = dumped_bytes(&all);
    assert!(
        String::from_utf8_lossy(&dump).contains("GET /v3/webhooks/cs1 HTTP/1.1"),
        "the hex dump was captured:\n{logged}"
    );
    assert!(
        traced.contains("cs_webhooks"),
        "the client's spans were captured"
    );

    let squeezed: String = all.split_whitespace().collect();
    let squeezed_lower = squeezed.to_ascii_lowercase();
    for secret in [API_KEY, TOKEN] {
        assert!(!all.contains(secret), "{secret} in the logs");
        assert!(!squeezed.contains(secret), "{secret} across lines");
        assert!(
            !squeezed_lower.contains(&hex(secret.as_bytes())),
            "{secret} as hex"
        );
        assert!(
            !dump.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} in a hex dump"
        );
        // The dump's text column, joined across rows.
        assert!(
            !squeezed.replace("--", "").contains(&secret[..16]),
            "{secret} in a dump's text column"
        );
    }
}
