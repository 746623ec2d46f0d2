//! Rate limiting as Contentstack enforces it: a budget of reads and of writes
//! per organization per second, headers on every answer, 429 beyond it.

mod common;

use common::{API_KEY, Api, TOKEN, builder, client};
use cs_webhooks_emulator::{EmulatorHandle, RateLimit};
use serde_json::Value;

const LIMIT: &str = "x-ratelimit-limit";
const REMAINING: &str = "x-ratelimit-remaining";

fn header_number(headers: &reqwest::header::HeaderMap, name: &str) -> u64 {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("header {name} is a number: {headers:?}"))
}

async fn read_as(emulator: &EmulatorHandle, api_key: &str, token: &str) -> reqwest::Response {
    client()
        .get(format!("{}/webhooks", emulator.base_url()))
        .header("api_key", api_key)
        .header("authorization", token)
        .send()
        .await
        .expect("answered")
}

#[tokio::test]
async fn a_burst_of_50_reads_sees_429s_and_the_headers_count_down() {
    let emulator = builder()
        .rate_limit(RateLimit::new(10, 10))
        .start()
        .await
        .expect("starts");
    let api = Api::new(&emulator);
    let mut answers = Vec::new();
    for _ in 0..50 {
        answers.push(api.get("/webhooks").await);
    }
    for a in &answers {
        assert_eq!(header_number(&a.headers, LIMIT), 10);
    }
    // The first ten fit the first window and count it down.
    let first: Vec<(u16, u64)> = answers[..11]
        .iter()
        .map(|a| (a.status, header_number(&a.headers, REMAINING)))
        .collect();
    let expected: Vec<(u16, u64)> = (0..10)
        .map(|n| (200, 9 - n))
        .chain(std::iter::once((429, 0)))
        .collect();
    assert_eq!(first, expected);
    let refused: Vec<_> = answers.iter().filter(|a| a.status == 429).collect();
    assert!(refused.len() >= 10, "{} refused", refused.len());
    for a in refused {
        let wait = header_number(&a.headers, "retry-after");
        assert_eq!(wait, 1, "Retry-After");
        assert_eq!(a.body["error_code"], 429);
        assert!(
            a.body["error_message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        assert_eq!(header_number(&a.headers, REMAINING), 0);
    }
    // Writes have their own budget.
    let created = api
        .post_json(
            "/webhooks",
            &serde_json::json!({"webhook": common::webhook("w", "http://127.0.0.1:9/", &["assets.create"])}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(header_number(&created.headers, REMAINING), 9);
}

#[tokio::test]
async fn stacks_of_one_organization_share_its_budget() {
    let emulator = builder()
        .stack_in_org("blt_shared_a", "token-a", "org_shared")
        .stack_in_org("blt_shared_b", "token-b", "org_shared")
        .rate_limit(RateLimit::new(3, 3))
        .start()
        .await
        .expect("starts");
    for _ in 0..3 {
        assert_eq!(
            read_as(&emulator, "blt_shared_a", "token-a").await.status(),
            200
        );
    }
    let other_stack_same_org = read_as(&emulator, "blt_shared_b", "token-b").await;
    assert_eq!(other_stack_same_org.status(), 429);
    let body: Value =
        serde_json::from_slice(&other_stack_same_org.bytes().await.expect("body")).expect("JSON");
    assert_eq!(body["error_code"], 429);
    let other_org = read_as(&emulator, API_KEY, TOKEN).await;
    assert_eq!(other_org.status(), 200);
    assert_eq!(header_number(other_org.headers(), REMAINING), 2);
}

#[tokio::test]
async fn without_a_rate_limit_there_are_no_headers_and_no_429() {
    let emulator = builder().start().await.expect("starts");
    let api = Api::new(&emulator);
    for _ in 0..30 {
        let a = api.get("/webhooks").await;
        assert_eq!(a.status, 200);
        assert!(a.headers.get(LIMIT).is_none());
    }
}

#[tokio::test]
async fn a_rate_limit_of_zero_is_refused_at_start() {
    let err = builder()
        .rate_limit(RateLimit::new(0, 10))
        .start()
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("rate limit"), "{err}");
}
