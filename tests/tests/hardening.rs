//! Both clients against servers that are slow, oversized, repetitive or
//! garbled: timeouts are deadlines, memory is bounded, pages shrink to fit,
//! retries and walks end, and error bodies are read as far as they can be.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cs_webhooks_api::model::Execution;
use cs_webhooks_api::{AsyncClient, ConfigBuilder, TransportError};
use cs_webhooks_api::{BlockingClient, Config, Error, FnAsyncTransport, RetryConfig};
use cs_webhooks_tests::both;
use cs_webhooks_tests::capture::Sink;
use cs_webhooks_tests::clients::{asynchronous, blocking, runtime};
use cs_webhooks_tests::response_example;
use cs_webhooks_tests::server::{Reply, TestServer};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

fn is_timeout(error: &Error) -> bool {
    matches!(error, Error::Timeout { .. })
}

/// An attempt timeout of 1 s within a total of 1.5 s.
fn deadlines<C>(builder: ConfigBuilder<C>) -> ConfigBuilder<C> {
    builder
        .attempt_timeout(Duration::from_secs(1))
        .total_timeout(Duration::from_millis(1500))
}

#[test]
fn the_total_timeout_is_a_deadline_across_headers_and_body() {
    // Headers after 0.9 s, the body over another 0.9 s: each phase is within
    // the 1 s attempt timeout, the whole is not; the retry gets what is left
    // of the 1.5 s total.
    let body = serde_json::to_vec(&response_example("get_webhook", "200")).unwrap_or_default();
    let server = TestServer::always(Reply::Slow {
        head_after: Duration::from_millis(900),
        body_over: Duration::from_millis(900),
        body,
    });
    let started = Instant::now();
    let from_blocking = blocking(&server, deadlines).get_webhook("x").send();
    let blocking_took = started.elapsed();
    let client = asynchronous(&server, deadlines);
    let started = Instant::now();
    let from_async = runtime().block_on(client.get_webhook("x").send());
    let async_took = started.elapsed();
    for (result, took) in [(from_blocking, blocking_took), (from_async, async_took)] {
        let error = result.expect_err("the deadline passes before the body is complete");
        assert!(is_timeout(&error), "{error:?}");
        assert!(took < Duration::from_millis(1700), "took {took:?}");
    }
}

#[test]
fn a_closure_transport_cannot_overrun_the_attempt_timeout() {
    let config = || {
        Config::builder()
            .attempt_timeout(Duration::from_millis(100))
            .retry(RetryConfig::never())
            .build()
            .expect("config")
    };
    // A blocking closure cannot be interrupted: its late answer is a timeout.
    let slow = |_request: http::Request<Vec<u8>>| {
        std::thread::sleep(Duration::from_millis(300));
        Ok::<_, TransportError>(http::Response::new(b"{}".to_vec()))
    };
    let error = BlockingClient::with_transport(config(), slow)
        .delete_webhook("x")
        .send()
        .expect_err("late");
    assert!(is_timeout(&error), "{error:?}");
    // An async one is raced against the timer.
    let transport = FnAsyncTransport::new(
        |_request| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(http::Response::new(b"{}".to_vec()))
        },
        tokio::time::sleep,
    );
    let client = AsyncClient::with_transport(config(), transport);
    let started = Instant::now();
    let error = runtime()
        .block_on(client.delete_webhook("x").send())
        .expect_err("late");
    assert!(is_timeout(&error), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_response_over_the_size_limit_is_its_own_error_and_never_retried() {
    let padding = "x".repeat(5000);
    let server = TestServer::always(Reply::json(
        200,
        &json!({ "webhooks": [], "padding": padding }),
    ));
    let (b, a) = both!(server, config = |b| b.max_response_bytes(1000), |c| c
        .list_webhooks());
    for result in [b, a] {
        let error = result.expect_err("too large");
        assert!(
            matches!(
                error,
                Error::ResponseTooLarge {
                    limit: 1000,
                    attempts: 1
                }
            ),
            "{error:?}"
        );
        assert!(!error.is_retryable());
    }
    assert_eq!(server.requests().len(), 2, "one request per client");
}

fn query_number(query: &str, name: &str) -> Option<usize> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.parse().ok())
}

#[test]
fn paging_halves_the_page_size_when_a_page_is_too_large() {
    let template = response_example("list_executions", "200")["webhooks"][0].clone();
    let item_bytes = serde_json::to_vec(&template).map(|v| v.len()).unwrap_or(0) + 16;
    let total = 60;
    let server = TestServer::start(move |request, _| {
        let skip = query_number(request.query(), "skip").unwrap_or(0);
        let limit = query_number(request.query(), "limit").unwrap_or(100);
        let page: Vec<Value> = (skip..(skip + limit).min(total))
            .map(|i| {
                let mut e = template.clone();
                e["uid"] = json!(format!("exec-{i:03}"));
                e
            })
            .collect();
        Reply::json(200, &json!({ "webhooks": page }))
    });
    // Room for 30 executions: pages of 100 and 50 are refused, 25 fit.
    let limit = (30 * item_bytes) as u64;
    let client = blocking(&server, |b| b.max_response_bytes(limit));
    let sink = Sink::default();
    let from_blocking: Vec<String> = tracing::subscriber::with_default(sink.subscriber(), || {
        client
            .list_executions("hook")
            .items()
            .map(|e| e.map(|e| e.uid))
            .collect::<Result<_, _>>()
    })
    .expect("every page, in smaller pages");
    let said = sink.text();
    assert!(
        said.contains("asking for smaller pages") && said.contains("to=25"),
        "a tracing event says so: {said}"
    );
    let client = asynchronous(&server, |b| b.max_response_bytes(limit));
    let from_async: Vec<Result<Execution, Error>> =
        runtime().block_on(client.list_executions("hook").items().collect());
    let from_async: Vec<String> = from_async
        .into_iter()
        .map(|e| e.map(|e| e.uid))
        .collect::<Result<_, _>>()
        .expect("every page, in smaller pages");
    assert_eq!(from_blocking.len(), total);
    assert_eq!(from_async, from_blocking);
    let walk = [
        "skip=0&limit=100",
        "skip=0&limit=50",
        "skip=0&limit=25",
        "skip=25&limit=25",
        "skip=50&limit=25",
    ];
    let queries: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.query().to_string())
        .collect();
    assert_eq!(queries, [walk, walk].concat());
}

#[test]
fn items_stop_with_an_error_when_a_page_repeats() {
    let template = response_example("list_executions", "200")["webhooks"][0].clone();
    let server = TestServer::always(Reply::json(
        200,
        &json!({ "webhooks": [template.clone(), template] }),
    ));
    let client = blocking(&server, |b| b);
    let from_blocking: Vec<_> = client
        .list_executions("hook")
        .limit(2)
        .items()
        .take(100)
        .collect();
    let client = asynchronous(&server, |b| b);
    let from_async: Vec<_> = runtime().block_on(
        client
            .list_executions("hook")
            .limit(2)
            .items()
            .take(100)
            .collect::<Vec<_>>(),
    );
    for results in [from_blocking, from_async] {
        assert_eq!(
            results.len(),
            3,
            "two records, then the error, then the end"
        );
        assert!(results[..2].iter().all(Result::is_ok));
        assert!(
            matches!(results[2], Err(Error::RepeatedPage { skip: 2 })),
            "{:?}",
            results[2]
        );
    }
}

#[test]
fn a_retry_after_in_the_past_waits_at_least_the_backoff_floor() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let server = {
        let seen = seen.clone();
        TestServer::start(move |_, index| {
            if let Ok(mut seen) = seen.lock() {
                seen.push(Instant::now());
            }
            if index % 3 == 2 {
                Reply::json(200, &response_example("get_webhook", "200"))
            } else {
                Reply::json(429, &json!({ "error_message": "slow down" }))
                    .with_header("retry-after", "Thu, 01 Jan 2015 00:00:00 GMT")
            }
        })
    };
    let retry = RetryConfig::default()
        .with_max_attempts(3)
        .with_base_delay(Duration::from_millis(100));
    let (b, a) = both!(server, config = |b| b.retry(retry.clone()), |c| c
        .get_webhook("x"));
    assert!(b.is_ok() && a.is_ok(), "{b:?} {a:?}");
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(seen.len(), 6);
    for call in seen.chunks(3) {
        // The shortest backoffs of attempts 1 and 2: 50 ms and 100 ms.
        assert!(call[1] - call[0] >= Duration::from_millis(50));
        assert!(call[2] - call[1] >= Duration::from_millis(100));
    }
}

#[test]
fn an_error_body_that_is_not_utf8_still_yields_its_code_and_message() {
    let body = b"{\"error_message\":\"Bad \xff name\",\"error_code\":121,\"errors\":{\"name\":[\"is \xfe\"]}}".to_vec();
    let server = TestServer::always(Reply::Respond {
        status: 422,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.clone(),
    });
    let (b, a) = both!(server, |c| c.get_webhook("x"));
    for result in [b, a] {
        let error = result.expect_err("422");
        let api = error.api_error().expect("an API error");
        assert_eq!(api.error_code, Some(121));
        assert_eq!(api.error_message.as_deref(), Some("Bad \u{fffd} name"));
        assert_eq!(api.errors["name"], ["is \u{fffd}"]);
        assert_eq!(api.body, body, "the raw bytes are kept");
    }
}

#[test]
fn items_stop_at_the_count_the_api_reports() {
    // A server that never runs out: every page is full and new, but each
    // says the whole list has 5 records.
    let template = response_example("list_webhooks", "200")["webhooks"][0].clone();
    let server = TestServer::start(move |request, _| {
        let skip: usize = request
            .query()
            .split('&')
            .find_map(|pair| pair.strip_prefix("skip="))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let page: Vec<_> = (skip..skip + 2)
            .map(|i| {
                let mut webhook = template.clone();
                webhook["uid"] = json!(format!("cs-{i}"));
                webhook
            })
            .collect();
        Reply::json(200, &json!({ "webhooks": page, "count": 5 }))
    });
    let client = blocking(&server, |b| b);
    let from_blocking: Vec<_> = client
        .list_webhooks()
        .include_count(true)
        .limit(2)
        .items()
        .take(100)
        .collect();
    let client = asynchronous(&server, |b| b);
    let from_async: Vec<_> = runtime().block_on(
        client
            .list_webhooks()
            .include_count(true)
            .limit(2)
            .items()
            .take(100)
            .collect::<Vec<_>>(),
    );
    for results in [from_blocking, from_async] {
        let uids: Vec<String> = results
            .into_iter()
            .map(|r| r.expect("a record").uid)
            .collect();
        assert_eq!(uids, ["cs-0", "cs-1", "cs-2", "cs-3", "cs-4"]);
    }
}
