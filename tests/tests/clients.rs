//! Both clients, the same scenario table, against a real local HTTP server
//! that records requests and answers with the documentation's samples.
//!
//! `both!` runs one call expression on the blocking client and on the async
//! client; each test then checks both recorded requests and both results.

use std::time::{Duration, Instant};

use cs_webhooks_api::model::{ExecutionFilter, WebhookInput, WebhookRequest};
use cs_webhooks_api::{Error, RetryConfig, Sent, UploadFile};
use cs_webhooks_tests::both;
use cs_webhooks_tests::clients::{API_KEY, TOKEN, asynchronous, blocking, fast_retries, runtime};
use cs_webhooks_tests::server::{Recorded, Reply, TestServer};
use cs_webhooks_tests::{request_example, response_example};
use serde_json::{Value, json};

/// Answers every request with a sample.
fn sample_server(status: u16, sample: Value) -> TestServer {
    TestServer::always(Reply::json(status, &sample))
}

/// The two recorded requests (blocking first), checked to be the same.
fn two_requests(server: &TestServer) -> Recorded {
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "one request per client: {requests:#?}");
    let (b, a) = (&requests[0], &requests[1]);
    assert_eq!(b.method, a.method);
    assert_eq!(b.target, a.target);
    for header in [
        "api_key",
        "authorization",
        "authtoken",
        "branch",
        "accept",
        "user-agent",
    ] {
        assert_eq!(b.header(header), a.header(header), "header {header}");
    }
    let content_type = b.header("content-type").unwrap_or("");
    if let Some(boundary) = content_type.strip_prefix("multipart/form-data; boundary=") {
        let other = a
            .header("content-type")
            .and_then(|c| c.strip_prefix("multipart/form-data; boundary="));
        let other = other.expect("both clients send multipart");
        let normalize = |body: &[u8], boundary: &str| {
            String::from_utf8_lossy(body).replace(boundary, "BOUNDARY")
        };
        assert_eq!(normalize(&b.body, boundary), normalize(&a.body, other));
    } else {
        assert_eq!(b.header("content-type"), a.header("content-type"));
        assert_eq!(b.body, a.body);
    }
    b.clone()
}

fn assert_common_headers(request: &Recorded) {
    assert_eq!(request.header("api_key"), Some(API_KEY));
    assert_eq!(request.header("authorization"), Some(TOKEN));
    assert_eq!(request.header("authtoken"), None);
    assert_eq!(request.header("accept"), Some("application/json"));
    assert!(
        request
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("cs-webhooks/"))
    );
}

fn ok<T: std::fmt::Debug + PartialEq>(results: (Result<T, Error>, Result<T, Error>)) -> T {
    let (b, a) = results;
    let b = b.unwrap_or_else(|e| panic!("blocking: {e}"));
    let a = a.unwrap_or_else(|e| panic!("async: {e}"));
    assert_eq!(b, a, "both clients decode the same value");
    b
}

// ---------------------------------------------------------------- operations

#[test]
fn list_webhooks_sends_every_list_parameter() {
    let server = sample_server(200, response_example("list_webhooks", "200"));
    let list = ok(both!(server, |c| c
        .list_webhooks()
        .include_count(true)
        .skip(10)
        .limit(5)
        .asc("created_at")
        .desc("updated_at")
        .branch("development")));
    assert_eq!(list.webhooks.len(), 2);
    let request = two_requests(&server);
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.target,
        "/v3/webhooks?include_count=true&skip=10&limit=5&asc=created_at&desc=updated_at"
    );
    assert_eq!(request.header("branch"), Some("development"));
    assert_common_headers(&request);
    assert!(request.body.is_empty());
}

#[test]
fn get_webhook_escapes_reserved_characters_in_the_uid() {
    let server = sample_server(200, response_example("get_webhook", "200"));
    let got = ok(both!(server, |c| c.get_webhook("cs 1/x?y#z%")));
    assert_eq!(got.webhook.name, "Webhook Test");
    let request = two_requests(&server);
    assert_eq!(request.method, "GET");
    assert_eq!(request.target, "/v3/webhooks/cs%201%2Fx%3Fy%23z%25");
    assert_eq!(request.header("branch"), None);
}

#[test]
fn create_webhook_sends_the_json_wrapper() {
    let server = sample_server(201, response_example("create_webhook", "201"));
    let sample = request_example("create_webhook");
    let input: WebhookRequest = serde_json::from_value(sample.clone()).expect("sample request");
    let created = ok(both!(server, |c| c.create_webhook(input.webhook.clone())));
    assert_eq!(
        created.notice.as_deref(),
        Some("The webhook was created successfully")
    );
    let request = two_requests(&server);
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, "/v3/webhooks");
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        sample,
        "the body is the documented {{\"webhook\": ...}}"
    );
    assert_common_headers(&request);
}

#[test]
fn update_webhook_sends_put_with_the_wrapper() {
    let server = sample_server(200, response_example("update_webhook", "200"));
    let sample = request_example("update_webhook");
    let input: WebhookInput = serde_json::from_value(sample["webhook"].clone()).expect("sample");
    let updated = ok(both!(server, |c| c.update_webhook("cs-uid-1", input.clone())));
    assert_eq!(updated.webhook.name, "Webhook Update Test");
    let request = two_requests(&server);
    assert_eq!(request.method, "PUT");
    assert_eq!(request.target, "/v3/webhooks/cs-uid-1");
    assert_eq!(request.json(), sample);
}

#[test]
fn delete_webhook() {
    let server = sample_server(200, response_example("delete_webhook", "200"));
    let notice = ok(both!(server, |c| c.delete_webhook("cs-uid-1")));
    assert_eq!(notice.notice, "The Webhook was deleted successfully");
    let request = two_requests(&server);
    assert_eq!(
        (request.method.as_str(), request.target.as_str()),
        ("DELETE", "/v3/webhooks/cs-uid-1")
    );
}

#[test]
fn export_webhook_returns_the_typed_webhook_and_the_raw_bytes() {
    let raw = b"{\"name\":\"new\",  \"uid\":\"cs-x\",\"destinations\":[],\"channels\":[\"assets.create\"]}".to_vec();
    let server = TestServer::always(Reply::Respond {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: raw.clone(),
    });
    let exported = ok(both!(server, |c| c.export_webhook("cs-x")));
    assert_eq!(exported.value.name, "new");
    assert_eq!(exported.bytes, raw, "the bytes are kept exactly");
    let request = two_requests(&server);
    assert_eq!(request.target, "/v3/webhooks/cs-x/export");
}

fn assert_multipart(request: &Recorded, file: &[u8]) {
    let content_type = request.header("content-type").expect("content-type");
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .expect("multipart with a boundary");
    assert!(!boundary.is_empty());
    let body = String::from_utf8_lossy(&request.body);
    let expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"webhook\"; filename=\"webhook.json\"\r\nContent-Type: application/json\r\n\r\n{}\r\n--{boundary}--\r\n",
        String::from_utf8_lossy(file)
    );
    assert_eq!(body, expected);
}

#[test]
fn import_webhook_sends_multipart_with_a_webhook_part() {
    let server = sample_server(200, response_example("import_webhook", "200"));
    let file = serde_json::to_vec(&response_example("export_webhook", "200")).expect("json");
    let imported = ok(both!(server, |c| c
        .import_webhook(UploadFile::from_bytes(file.clone()))));
    assert_eq!(
        imported.notice.as_deref(),
        Some("webhook was imported successfully")
    );
    let request = two_requests(&server);
    assert_eq!(
        (request.method.as_str(), request.target.as_str()),
        ("POST", "/v3/webhooks/import")
    );
    assert_multipart(&request, &file);
}

#[test]
fn import_existing_webhook_posts_to_the_uid() {
    let server = sample_server(200, response_example("import_existing_webhook", "200"));
    let file = br#"{"name":"new"}"#.to_vec();
    let imported = ok(both!(server, |c| c
        .import_existing_webhook("cs-uid-9", file.clone())));
    assert_eq!(imported.webhook.name, "new");
    let request = two_requests(&server);
    assert_eq!(
        (request.method.as_str(), request.target.as_str()),
        ("POST", "/v3/webhooks/cs-uid-9/import")
    );
    assert_multipart(&request, &file);
}

#[test]
fn import_from_a_file_path() {
    let server = sample_server(200, response_example("import_webhook", "200"));
    let path = std::env::temp_dir().join(format!("cs-import-{}.json", std::process::id()));
    std::fs::write(&path, br#"{"name":"from-disk"}"#).expect("write");
    let file = UploadFile::from_path(&path).expect("readable");
    ok(both!(server, |c| c.import_webhook(file.clone())));
    let request = two_requests(&server);
    assert!(String::from_utf8_lossy(&request.body).contains("{\"name\":\"from-disk\"}"));
    let _ = std::fs::remove_file(path);
}

#[test]
fn list_executions_encodes_dates_the_json_query_and_booleans() {
    let server = sample_server(200, response_example("list_executions", "200"));
    let from = chrono::DateTime::parse_from_rfc3339("2024-07-01T00:00:00Z")
        .expect("date")
        .to_utc();
    let to = chrono::DateTime::parse_from_rfc3339("2024-07-31T23:59:59.999Z")
        .expect("date")
        .to_utc();
    let page = ok(both!(server, |c| c
        .list_executions("cs-hook")
        .from(from)
        .to(to)
        .query(ExecutionFilter::success())
        .skip(0)
        .limit(100)
        .only_events(false)));
    assert_eq!(page.webhooks[0].retry_count, Some(3));
    let request = two_requests(&server);
    assert_eq!(request.path(), "/v3/webhooks/cs-hook/executions");
    assert_eq!(
        request.query(),
        "from=2024-07-01T00%3A00%3A00.000Z&to=2024-07-31T23%3A59%3A59.999Z\
         &query=%7B%22status%22%3A%7B%22%24gte%22%3A%22200%22%2C%22%24lte%22%3A%22399%22%7D%7D\
         &skip=0&limit=100&only_events=false"
    );
}

#[test]
fn retry_execution_posts_to_the_execution_uid() {
    let server = sample_server(200, response_example("retry_execution", "200"));
    let notice = ok(both!(server, |c| c.retry_execution("cs-exec-1")));
    assert_eq!(notice.notice, "Webhook retry scheduled");
    let request = two_requests(&server);
    assert_eq!(
        (request.method.as_str(), request.target.as_str()),
        ("POST", "/v3/webhooks/cs-exec-1/retry")
    );
}

#[test]
fn get_execution_log() {
    let server = sample_server(200, response_example("get_execution_log", "200"));
    let log = ok(both!(server, |c| c.get_execution_log("cs-exec-1")));
    assert_eq!(log.webhook.status, Some(403));
    let request = two_requests(&server);
    assert_eq!(
        (request.method.as_str(), request.target.as_str()),
        ("GET", "/v3/webhooks/cs-exec-1/logs")
    );
}

// ---------------------------------------------------------------- credentials

#[test]
fn oauth_tokens_are_sent_as_bearer_and_authtokens_in_their_header() {
    let server = sample_server(200, response_example("delete_webhook", "200"));
    ok(both!(
        server,
        config = |b| b.oauth_token("oauth-SECRET").branch("dev"),
        |c| c.delete_webhook("x")
    ));
    let request = two_requests(&server);
    assert_eq!(request.header("authorization"), Some("Bearer oauth-SECRET"));
    assert_eq!(
        request.header("branch"),
        Some("dev"),
        "the config's default branch"
    );

    let server = sample_server(200, response_example("delete_webhook", "200"));
    ok(both!(
        server,
        config = |b| b.authtoken("user-SECRET"),
        |c| c.delete_webhook("x").branch("call")
    ));
    let request = two_requests(&server);
    assert_eq!(request.header("authtoken"), Some("user-SECRET"));
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.header("branch"), Some("call"));
}

#[test]
fn secrets_never_appear_in_debug_or_errors() {
    let server = TestServer::always(Reply::json(401, &response_example("get_webhook", "401")));
    let client = blocking(&server, |b| b.oauth_token("oauth-SECRET"));
    let printed = format!("{client:?} {:?}", client.config());
    assert!(
        !printed.contains("SECRET") && !printed.contains(API_KEY),
        "{printed}"
    );
    let error = client.get_webhook("x").send().unwrap_err();
    let printed = format!("{error} {error:?}");
    assert!(!printed.contains("SECRET"), "{printed}");
}

// ---------------------------------------------------------------- errors

#[test]
fn error_statuses_map_to_api_errors_with_their_body() {
    for (status, op) in [
        (401, "get_webhook"),
        (404, "get_webhook"),
        (412, "get_webhook"),
        (422, "create_webhook"),
        (429, "list_webhooks"),
        (500, "list_webhooks"),
    ] {
        let sample_status = if status == 500 {
            "5XX".to_string()
        } else {
            status.to_string()
        };
        let sample = response_example(op, &sample_status);
        let reply = Reply::json(status, &sample)
            .with_header("x-ratelimit-limit", "10")
            .with_header("x-ratelimit-remaining", "0");
        let server = TestServer::always(reply);
        let (b, a) = both!(server, config = |b| b.retry(RetryConfig::never()), |c| c
            .get_webhook("x"));
        for error in [b.unwrap_err(), a.unwrap_err()] {
            let api = error
                .api_error()
                .unwrap_or_else(|| panic!("{status}: {error:?}"));
            assert_eq!(api.status.as_u16(), status);
            assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
            assert_eq!(api.error_code, sample["error_code"].as_i64());
            assert_eq!(
                api.error_message.as_deref(),
                sample["error_message"].as_str()
            );
            for (field, messages) in sample["errors"].as_object().into_iter().flatten() {
                let expected: Vec<String> =
                    serde_json::from_value(messages.clone()).expect("messages");
                assert_eq!(api.errors.get(field), Some(&expected), "{status} {field}");
            }
            assert_eq!(api.rate_limit.limit, Some(10));
            assert_eq!(api.rate_limit.remaining, Some(0));
            assert_eq!(
                error.is_retryable(),
                status == 429 || status == 500,
                "{status}"
            );
        }
    }
}

#[test]
fn a_body_that_does_not_match_the_spec_is_a_decode_error_that_keeps_the_body() {
    let body = json!({"webhook": {"uid": "x", "name": 5, "destinations": [], "channels": []}});
    let server = TestServer::always(Reply::json(200, &body));
    let (b, a) = both!(server, |c| c.get_webhook("x"));
    for error in [b.unwrap_err(), a.unwrap_err()] {
        match error {
            Error::Decode {
                path,
                body: kept,
                status,
                ..
            } => {
                assert_eq!(path, "webhook.name");
                assert_eq!(status.as_u16(), 200);
                assert_eq!(serde_json::from_slice::<Value>(&kept).expect("json"), body);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn invalid_parameters_are_rejected_before_sending() {
    let server = TestServer::always(Reply::json(200, &json!({})));
    let (b, a) = both!(server, |c| c.list_executions("hook").limit(101));
    for error in [b.unwrap_err(), a.unwrap_err()] {
        assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
        assert!(
            error
                .to_string()
                .contains("`limit` must be between 1 and 100"),
            "{error}"
        );
        assert!(!error.may_have_been_sent());
    }
    let (b, a) = both!(server, |c| c.get_webhook(""));
    assert!(matches!(b, Err(Error::InvalidRequest { .. })));
    assert!(matches!(a, Err(Error::InvalidRequest { .. })));
    assert!(server.requests().is_empty(), "nothing was sent");
}

// ---------------------------------------------------------------- retries

#[test]
fn too_many_requests_with_retry_after_then_success() {
    let sample = response_example("get_webhook", "200");
    let server = TestServer::start(move |_, index| {
        if index % 2 == 0 {
            Reply::json(
                429,
                &json!({"error_message": "slow down", "error_code": 429}),
            )
            .with_header("retry-after", "1")
        } else {
            Reply::json(200, &sample)
        }
    });
    let started = Instant::now();
    let got = ok(both!(server, |c| c.get_webhook("x")));
    assert_eq!(got.webhook.name, "Webhook Test");
    assert_eq!(server.requests().len(), 4, "one retry per client");
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "Retry-After: 1 was honoured twice"
    );
}

#[test]
fn service_unavailable_twice_then_success_on_get() {
    let sample = response_example("get_webhook", "200");
    let server = TestServer::start(move |_, index| {
        if index % 3 < 2 {
            Reply::json(503, &json!({"error_message": "unavailable"}))
        } else {
            Reply::json(200, &sample)
        }
    });
    ok(both!(server, |c| c.get_webhook("x")));
    assert_eq!(server.requests().len(), 6, "three attempts per client");
}

#[test]
fn a_post_is_not_retried_on_a_server_error() {
    let server = TestServer::always(Reply::json(503, &json!({"error_message": "unavailable"})));
    let (b, a) = both!(server, |c| c.retry_execution("exec"));
    assert_eq!(b.unwrap_err().status().map(|s| s.as_u16()), Some(503));
    assert_eq!(a.unwrap_err().status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests().len(), 2, "one attempt per client");
}

#[test]
fn a_post_whose_connection_drops_after_sending_is_not_retried() {
    let server = TestServer::always(Reply::Drop);
    let (b, a) = both!(server, |c| c.retry_execution("exec"));
    for error in [b.unwrap_err(), a.unwrap_err()] {
        assert!(
            matches!(error, Error::Transport { attempts: 1, .. }),
            "{error:?}"
        );
        assert!(error.may_have_been_sent());
    }
    assert_eq!(server.requests().len(), 2, "exactly one attempt per client");
}

#[test]
fn a_get_whose_connection_drops_is_retried() {
    let sample = response_example("get_webhook", "200");
    let server = TestServer::start(move |_, index| {
        if index % 2 == 0 {
            Reply::Drop
        } else {
            Reply::json(200, &sample)
        }
    });
    ok(both!(server, |c| c.get_webhook("x")));
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn a_post_that_cannot_connect_is_retried_because_it_was_not_sent() {
    // A port nothing listens on: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let base = format!("http://127.0.0.1:{port}/v3");
    let client = cs_webhooks_blocking::Client::builder()
        .base_url(&base)
        .api_key(API_KEY)
        .management_token(TOKEN)
        .retry(fast_retries())
        .build()
        .expect("client");
    let error = client.retry_execution("exec").send().unwrap_err();
    assert!(
        matches!(&error, Error::Transport { attempts: 3, source } if source.sent == Sent::No),
        "{error:?}"
    );
    let client = cs_webhooks_async::Client::builder()
        .base_url(&base)
        .api_key(API_KEY)
        .management_token(TOKEN)
        .retry(fast_retries())
        .build()
        .expect("client");
    let error = runtime()
        .block_on(client.retry_execution("exec").send())
        .unwrap_err();
    assert!(
        matches!(&error, Error::Transport { attempts: 3, source } if source.sent == Sent::No),
        "{error:?}"
    );
}

#[test]
fn attempt_timeouts_fire() {
    let server = TestServer::always(Reply::Delay(
        Duration::from_secs(3),
        Box::new(Reply::json(200, &json!({}))),
    ));
    let started = Instant::now();
    let (b, a) = both!(
        server,
        config = |b| b
            .attempt_timeout(Duration::from_millis(200))
            .retry(RetryConfig::never()),
        |c| c.get_webhook("x")
    );
    for error in [b.unwrap_err(), a.unwrap_err()] {
        assert!(
            matches!(error, Error::Timeout { attempts: 1, .. }),
            "{error:?}"
        );
        assert!(error.is_retryable());
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "neither client waited for the slow answer"
    );
}

#[test]
fn the_total_timeout_bounds_retries() {
    let server = TestServer::always(Reply::json(503, &json!({})));
    let policy = RetryConfig::default()
        .with_max_attempts(100)
        .with_base_delay(Duration::from_millis(50))
        .with_max_delay(Duration::from_millis(50));
    let (b, a) = both!(
        server,
        config = |b| b
            .retry(policy.clone())
            .total_timeout(Duration::from_millis(300)),
        |c| c.get_webhook("x")
    );
    for result in [b, a] {
        assert!(result.is_err());
    }
    let attempts = server.requests().len();
    assert!(
        attempts < 40,
        "the total timeout stopped the retries ({attempts} attempts)"
    );
}

// ---------------------------------------------------------------- pagination

fn executions_server(total: usize) -> TestServer {
    let template = response_example("list_executions", "200")["webhooks"][0].clone();
    TestServer::start(move |request, _| {
        let param = |name: &str| {
            request
                .query()
                .split('&')
                .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                .and_then(|v| v.parse::<usize>().ok())
        };
        let skip = param("skip").unwrap_or(0);
        let limit = param("limit").unwrap_or(100).min(100);
        let page: Vec<Value> = (skip..(skip + limit).min(total))
            .map(|i| {
                let mut e = template.clone();
                e["uid"] = json!(format!("exec-{i:03}"));
                e
            })
            .collect();
        Reply::json(200, &json!({ "webhooks": page }))
    })
}

#[test]
fn pagination_walks_250_executions_in_three_pages() {
    let server = executions_server(250);
    let client = blocking(&server, |b| b);
    let uids: Vec<String> = client
        .list_executions("hook")
        .items()
        .map(|e| e.map(|e| e.uid))
        .collect::<Result<_, _>>()
        .expect("all pages");
    assert_eq!(uids.len(), 250);
    assert_eq!(uids[0], "exec-000");
    assert_eq!(uids[249], "exec-249");

    let client = asynchronous(&server, |b| b);
    let from_async: Vec<String> = runtime()
        .block_on(async {
            use futures_util::TryStreamExt as _;
            client
                .list_executions("hook")
                .items()
                .map_ok(|e| e.uid)
                .try_collect()
                .await
        })
        .expect("all pages");
    assert_eq!(from_async, uids);

    let targets: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.query().to_string())
        .collect();
    let walk = [
        "skip=0&limit=100",
        "skip=100&limit=100",
        "skip=200&limit=100",
    ];
    assert_eq!(targets, [walk, walk].concat());
}

#[test]
fn pagination_stops_at_the_first_error() {
    let server = TestServer::always(Reply::json(404, &json!({"error_message": "no"})));
    let client = blocking(&server, |b| b);
    let results: Vec<_> = client.list_webhooks().items().collect();
    assert_eq!(results.len(), 1);
    assert!(results[0].is_err());
}

#[test]
fn sequential_calls_reuse_one_connection() {
    let server = sample_server(200, response_example("delete_webhook", "200"));
    let client = blocking(&server, |b| b);
    for _ in 0..5 {
        client.delete_webhook("x").send().expect("ok");
    }
    assert_eq!(
        server.connections(),
        1,
        "keep-alive: the blocking client reuses its connection"
    );
    let client = asynchronous(&server, |b| b);
    runtime().block_on(async {
        for _ in 0..5 {
            client.delete_webhook("x").send().await.expect("ok");
        }
    });
    assert_eq!(server.requests().len(), 10);
    // hyper hands a connection back to its pool from its own task, so on a
    // loaded machine the next call may find the pool empty once and dial
    // again; five calls on five connections would mean no keep-alive at all.
    let async_connections = server.connections() - 1;
    assert!(
        (1..=2).contains(&async_connections),
        "keep-alive: the async client used {async_connections} connections for 5 calls"
    );
}

#[test]
fn the_client_side_rate_limit_spaces_calls() {
    let server = sample_server(200, response_example("delete_webhook", "200"));
    let started = Instant::now();
    // 20 a second: 6 calls per client take at least 5 intervals of 50 ms.
    let client = blocking(&server, |b| b.rate_limit(20.0));
    for _ in 0..6 {
        client.delete_webhook("x").send().expect("ok");
    }
    assert!(started.elapsed() >= Duration::from_millis(250));
    let started = Instant::now();
    let client = asynchronous(&server, |b| b.rate_limit(20.0));
    runtime().block_on(async {
        for _ in 0..6 {
            client.delete_webhook("x").send().await.expect("ok");
        }
    });
    assert!(started.elapsed() >= Duration::from_millis(250));
}
