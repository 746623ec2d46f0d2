//! What a newcomer's first mistakes produce, against a real emulator or a
//! closed port: errors that name the request, the missing setting, the
//! credential kind or the misspelt channel, and the helpers that find every
//! delivery that did not succeed.

use std::time::{Duration, Instant};

use cs_webhooks_api::model::{
    Action, AuthenticationType, Channel, Destination, ExecutionFilter, WebhookInput,
};
use cs_webhooks_api::{ConfigBuilder, Error};
use cs_webhooks_emulator::{Emulator, EmulatorHandle};
use cs_webhooks_tests::clients::{async_at, fast_retries, runtime};

const API_KEY: &str = "blt00000000000first15";
const TOKEN: &str = "cs-first-minutes-SECRET-token";

fn start(runtime: &tokio::runtime::Runtime, allow_unknown_channels: bool) -> EmulatorHandle {
    runtime
        .block_on(
            Emulator::builder()
                .stack(API_KEY, TOKEN)
                .time_scale(0.0001)
                .allow_unknown_channels(allow_unknown_channels)
                .start(),
        )
        .expect("the emulator starts")
}

fn blocking(
    base_url: &str,
    f: impl FnOnce(
        ConfigBuilder<cs_webhooks_blocking::Client>,
    ) -> ConfigBuilder<cs_webhooks_blocking::Client>,
) -> cs_webhooks_blocking::Client {
    f(cs_webhooks_blocking::Client::builder()
        .base_url(base_url)
        .api_key(API_KEY)
        .management_token(TOKEN)
        .retry(fast_retries()))
    .build()
    .expect("client")
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port()
}

fn webhook(name: &str, target_url: &str, channel: Channel) -> WebhookInput {
    let destination = Destination::builder()
        .target_url(target_url)
        .authentication_type(AuthenticationType::None);
    WebhookInput::builder()
        .name(name)
        .destinations(vec![destination.try_into().expect("destination")])
        .channels(vec![channel])
        .try_into()
        .expect("webhook input")
}

#[test]
fn a_base_url_without_v3_gets_a_404_naming_the_url_and_the_fix() {
    let runtime = runtime();
    let emulator = start(&runtime, false);
    let root = emulator.root_url();
    let client = blocking(&root, |b| b);
    let error = client.list_webhooks().send().unwrap_err();
    let text = error.to_string();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404), "{text}");
    assert!(
        text.contains(&format!("404 Not Found to GET {root}/webhooks")),
        "{text}"
    );
    assert!(text.contains("does the base URL end in /v3?"), "{text}");
    assert!(!text.contains(TOKEN) && !text.contains(API_KEY), "{text}");

    // A 404 of a webhook names the URL too, without the /v3 hint.
    let client = blocking(&emulator.base_url(), |b| b);
    let text = client.get_webhook("nope").send().unwrap_err().to_string();
    assert!(
        text.contains(&format!("to GET {}/webhooks/nope", emulator.base_url())),
        "{text}"
    );
    assert!(!text.contains("/v3?"), "{text}");
    runtime.block_on(emulator.shutdown()).expect("shutdown");
}

#[test]
fn a_wrong_port_names_the_method_and_url_on_both_clients() {
    let base = format!("http://127.0.0.1:{}/v3", closed_port());
    let error = blocking(&base, |b| b).list_webhooks().send().unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(
        text.contains(&format!("GET {base}/webhooks")) && text.contains("not sent"),
        "{text}"
    );
    assert!(!text.contains(TOKEN), "{text}");

    let client = async_at(&base, API_KEY, TOKEN);
    let error = runtime()
        .block_on(client.delete_webhook("w1").send())
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains(&format!("DELETE {base}/webhooks/w1")),
        "{text}"
    );
    assert!(!format!("{error:?}").contains(TOKEN));
}

#[test]
fn build_names_the_missing_api_key_or_credential() {
    let message = |builder: ConfigBuilder<cs_webhooks_blocking::Client>| match builder.build() {
        Ok(_) => panic!("built without credentials"),
        Err(e) => e.to_string(),
    };
    let none = message(cs_webhooks_blocking::Client::builder());
    assert!(
        none.contains("no api_key and no credential") && none.contains(".management_token(..)"),
        "{none}"
    );
    let no_key = message(cs_webhooks_blocking::Client::builder().management_token(TOKEN));
    assert!(
        no_key.contains("no api_key: set `.api_key(..)`"),
        "{no_key}"
    );
    assert!(!no_key.contains(TOKEN));
    let no_credential = message(cs_webhooks_blocking::Client::builder().api_key(API_KEY));
    assert!(
        no_credential.contains("no credential: set one of `.management_token(..)`"),
        "{no_credential}"
    );
    let Err(error) = cs_webhooks_async::Client::builder()
        .api_key(API_KEY)
        .build()
    else {
        panic!("built without a credential");
    };
    assert!(error.to_string().contains("no credential"), "{error}");
}

#[test]
fn a_401_names_the_kind_of_credential_sent() {
    let runtime = runtime();
    let emulator = start(&runtime, false);
    let base = emulator.base_url();
    let cases: [(&str, fn(_) -> _); 3] = [
        ("management token", |b: ConfigBuilder<_>| {
            b.management_token("wrong-SECRET")
        }),
        ("authtoken", |b: ConfigBuilder<_>| {
            b.authtoken("wrong-SECRET")
        }),
        ("OAuth token", |b: ConfigBuilder<_>| {
            b.oauth_token("wrong-SECRET")
        }),
    ];
    for (kind, credential) in cases {
        let client = blocking(&base, credential);
        let error = client.list_webhooks().send().unwrap_err();
        let text = error.to_string();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(401), "{text}");
        assert!(
            text.contains(&format!(
                "(authenticated with the client's {kind} and api_key: check that the {kind} is valid"
            )),
            "{text}"
        );
        assert!(!text.contains("SECRET"), "{text}");
    }
    runtime.block_on(emulator.shutdown()).expect("shutdown");
}

#[test]
fn debug_of_an_api_error_shows_the_body_as_text() {
    let runtime = runtime();
    let emulator = start(&runtime, false);
    let client = blocking(&emulator.base_url(), |b| b);
    let error = client.get_webhook("nope").send().unwrap_err();
    let api = error.api_error().expect("an API error");
    let debug = format!("{error:?}");
    // The body as a (Debug-quoted) JSON text, its message readable in it.
    let body = debug.split("body: ").nth(1).unwrap_or_default();
    assert!(
        body.starts_with(r#""{\""#) && body.contains("Webhook was not found."),
        "{debug}"
    );
    assert!(!debug.contains("[123, 34"), "bytes as numbers: {debug}");
    assert!(api.body_bytes().starts_with(b"{"), "{:?}", api.body_text());
    assert_eq!(api.body_text(), String::from_utf8_lossy(api.body_bytes()));
    runtime.block_on(emulator.shutdown()).expect("shutdown");
}

#[test]
fn a_misspelt_channel_is_refused_with_a_suggestion_unless_allowed() {
    // In the model: the string constructors check, `custom` does not.
    let typo = "content_types.entries.updtae";
    let error = Channel::new(typo).unwrap_err().to_string();
    assert!(
        error.contains(r#"did you mean "content_types.entries.update"?"#),
        "{error}"
    );
    let error = "contnet_types.entries.update"
        .parse::<Channel>()
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(r#""content_types.entries.update""#),
        "{error}"
    );
    let custom = Channel::custom(typo).expect("any valid syntax");

    // In the emulator: 422 naming the channel, unless started to allow it.
    let runtime = runtime();
    let target = format!("http://127.0.0.1:{}/hook", closed_port());
    let strict = start(&runtime, false);
    let error = blocking(&strict.base_url(), |b| b)
        .create_webhook(webhook("typo", &target, custom.clone()))
        .send()
        .unwrap_err();
    let text = error.to_string();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(422), "{text}");
    assert!(
        text.contains(&format!("channels[0]: {typo:?} is not a known channel."))
            && text.contains(r#"Did you mean "content_types.entries.update"?"#)
            && text.contains("--allow-unknown-channels"),
        "{text}"
    );
    let lenient = start(&runtime, true);
    let created = blocking(&lenient.base_url(), |b| b)
        .create_webhook(webhook("typo", &target, custom))
        .send()
        .expect("allowed with the flag");
    // What the API answers decodes whatever the channel.
    assert_eq!(created.webhook.channels[0], typo);
    runtime.block_on(strict.shutdown()).expect("shutdown");
    runtime.block_on(lenient.shutdown()).expect("shutdown");
}

#[test]
fn unsuccessful_items_finds_deliveries_without_a_status_that_http_error_misses() {
    let runtime = runtime();
    let emulator = start(&runtime, false);
    let client = blocking(&emulator.base_url(), |b| b);
    // Nothing listens at the target: the delivery gets no HTTP answer.
    let target = format!("http://127.0.0.1:{}/hook", closed_port());
    let created = client
        .create_webhook(webhook(
            "unanswered",
            &target,
            Channel::entries(Action::Update),
        ))
        .send()
        .expect("create");
    let uid = created.webhook.uid;
    runtime.block_on(cs_webhooks_tests::events::fire_entry_update(
        &emulator, API_KEY, TOKEN, "blt1",
    ));
    let deadline = Instant::now() + Duration::from_secs(20);
    let unsuccessful = loop {
        let found: Vec<_> = client
            .list_executions(&uid)
            .unsuccessful_items()
            .collect::<Result<_, _>>()
            .expect("list");
        if !found.is_empty() {
            break found;
        }
        assert!(Instant::now() < deadline, "no execution recorded");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(unsuccessful[0].status, None, "{:?}", unsuccessful[0]);
    assert!(unsuccessful[0].unsuccessful() && !unsuccessful[0].succeeded());
    let http_errors: Vec<_> = client
        .list_executions(&uid)
        .query(ExecutionFilter::http_error())
        .items()
        .collect::<Result<_, _>>()
        .expect("list");
    assert!(http_errors.is_empty(), "{http_errors:?}");

    let async_client = async_at(&emulator.base_url(), API_KEY, TOKEN);
    let from_async: Vec<_> = runtime.block_on(async {
        use futures_util::TryStreamExt as _;
        async_client
            .list_executions(&uid)
            .unsuccessful_items()
            .try_collect()
            .await
            .expect("list")
    });
    assert!(from_async.iter().any(|e| e.uid == unsuccessful[0].uid));
    runtime.block_on(emulator.shutdown()).expect("shutdown");
}
