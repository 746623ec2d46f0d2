//! Both clients against an emulator that enforces Contentstack's rate limit
//! (10 reads and 10 writes a second): their retry honours `Retry-After`, so a
//! workload three times the budget finishes without an error.

use cs_webhooks_api::RetryConfig;
use cs_webhooks_api::model::{Action, AuthenticationType, Channel, Destination, WebhookInput};
use cs_webhooks_emulator::{Emulator, EmulatorHandle, RateLimit};

const API_KEY: &str = "blt00000000000000rl1";
const TOKEN: &str = "cs-rate-limit-token";
/// Reads per client: with two clients, three windows' worth of the budget.
const READS: usize = 15;

fn start_emulator(runtime: &tokio::runtime::Runtime) -> EmulatorHandle {
    let _ = rustls::crypto::ring::default_provider().install_default();
    runtime
        .block_on(
            Emulator::builder()
                .stack(API_KEY, TOKEN)
                .time_scale(0.001)
                .rate_limit(RateLimit::new(10, 10))
                .start(),
        )
        .expect("the emulator starts")
}

fn input(name: &str) -> WebhookInput {
    let destination = Destination::builder()
        .target_url("http://127.0.0.1:9/hook")
        .authentication_type(AuthenticationType::None);
    WebhookInput::builder()
        .name(name)
        .destinations(vec![destination.try_into().expect("destination")])
        .channels(vec![
            Channel::entries_of("blog", Action::Update).expect("channel"),
        ])
        .try_into()
        .expect("webhook input")
}

fn retry() -> RetryConfig {
    RetryConfig::default().with_max_attempts(10)
}

#[test]
fn both_clients_recover_from_429s_without_an_error() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let emulator = start_emulator(&runtime);
    let base_url = emulator.base_url();

    let blocking = cs_webhooks_blocking::Client::builder()
        .base_url(base_url.clone())
        .api_key(API_KEY)
        .management_token(TOKEN)
        .retry(retry())
        .build()
        .expect("blocking client");
    let asynchronous = cs_webhooks_async::Client::builder()
        .base_url(base_url)
        .api_key(API_KEY)
        .management_token(TOKEN)
        .retry(retry())
        .build()
        .expect("async client");

    // Both share one organization's budget at the same time.
    let blocking_side = std::thread::spawn(move || -> Result<usize, String> {
        let uid = blocking
            .create_webhook(input("blocking"))
            .send()
            .map_err(|e| e.to_string())?
            .webhook
            .uid;
        for _ in 0..READS {
            blocking
                .get_webhook(&uid)
                .send()
                .map_err(|e| e.to_string())?;
        }
        let listed = blocking
            .list_webhooks()
            .items()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        Ok(listed.len())
    });
    let async_side = runtime.block_on(async {
        let uid = asynchronous
            .create_webhook(input("async"))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .webhook
            .uid;
        for _ in 0..READS {
            asynchronous
                .get_webhook(&uid)
                .send()
                .await
                .map_err(|e| e.to_string())?;
        }
        asynchronous
            .delete_webhook(&uid)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(())
    });
    let listed = blocking_side.join().expect("blocking side runs");
    assert_eq!(async_side, Ok(()));
    assert!(matches!(listed, Ok(n) if n >= 1), "{listed:?}");
}
