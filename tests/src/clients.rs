//! Both clients against the test server: their builders and `both!`, which
//! runs one call on each.

use std::time::Duration;

use cs_webhooks_api::{ConfigBuilder, RetryConfig};

use crate::server::TestServer;

/// The API key both clients send.
pub const API_KEY: &str = "blt-api-key-1";
/// The management token both clients send.
pub const TOKEN: &str = "mgmt-token-SECRET";

/// Retries short enough for tests.
pub fn fast_retries() -> RetryConfig {
    RetryConfig::default()
        .with_max_attempts(3)
        .with_base_delay(Duration::from_millis(5))
        .with_max_delay(Duration::from_millis(20))
}

/// A blocking client for `server`, with `f` applied to its builder.
pub fn blocking(
    server: &TestServer,
    f: impl FnOnce(
        ConfigBuilder<cs_webhooks_blocking::Client>,
    ) -> ConfigBuilder<cs_webhooks_blocking::Client>,
) -> cs_webhooks_blocking::Client {
    let builder = cs_webhooks_blocking::Client::builder()
        .base_url(server.base_url())
        .api_key(API_KEY)
        .management_token(TOKEN)
        .retry(fast_retries());
    f(builder).build().expect("blocking client")
}

/// An async client for `server`, with `f` applied to its builder.
pub fn asynchronous(
    server: &TestServer,
    f: impl FnOnce(ConfigBuilder<cs_webhooks_async::Client>) -> ConfigBuilder<cs_webhooks_async::Client>,
) -> cs_webhooks_async::Client {
    let builder = cs_webhooks_async::Client::builder()
        .base_url(server.base_url())
        .api_key(API_KEY)
        .management_token(TOKEN)
        .retry(fast_retries());
    f(builder).build().expect("async client")
}

/// A blocking client for `base_url` (an emulator's) with these credentials
/// and fast retries.
pub fn blocking_at(base_url: &str, api_key: &str, token: &str) -> cs_webhooks_blocking::Client {
    cs_webhooks_blocking::Client::builder()
        .base_url(base_url)
        .api_key(api_key)
        .management_token(token)
        .retry(fast_retries())
        .build()
        .expect("blocking client")
}

/// An async client for `base_url` (an emulator's) with these credentials
/// and fast retries.
pub fn async_at(base_url: &str, api_key: &str, token: &str) -> cs_webhooks_async::Client {
    cs_webhooks_async::Client::builder()
        .base_url(base_url)
        .api_key(api_key)
        .management_token(token)
        .retry(fast_retries())
        .build()
        .expect("async client")
}

/// A small multi-threaded runtime for the async client.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs `$call` (an expression over a client `$c` ending in a call builder)
/// with `.send()` on both clients; returns (blocking result, async result).
#[macro_export]
macro_rules! both {
    ($server:expr, |$c:ident| $call:expr) => {
        $crate::both!($server, config = |b| b, |$c| $call)
    };
    ($server:expr, config = |$b:ident| $conf:expr, |$c:ident| $call:expr) => {{
        let blocking_client = $crate::clients::blocking(&$server, |$b| $conf);
        let from_blocking = {
            let $c = &blocking_client;
            $call.send()
        };
        let async_client = $crate::clients::asynchronous(&$server, |$b| $conf);
        let from_async = $crate::clients::runtime().block_on(async {
            let $c = &async_client;
            $call.send().await
        });
        (from_blocking, from_async)
    }};
}
