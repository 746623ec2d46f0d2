//! 32 concurrent writers for a few seconds: no webhook or execution is lost
//! or duplicated, names stay unique, every delivery arrives exactly once.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use common::{Api, Receiver, settle, start, webhook};
use serde_json::json;

const WRITERS: usize = 32;
const RUN_FOR: Duration = Duration::from_secs(3);

/// What one writer believes exists at the end.
#[derive(Default)]
struct Expected {
    /// uid → (name, delivery path, executions expected)
    live: HashMap<String, (String, String, usize)>,
    shared_wins: usize,
}

async fn writer(i: usize, api: Arc<Api>, receiver: Receiver) -> Expected {
    let mut expected = Expected::default();
    let deadline = tokio::time::Instant::now() + RUN_FOR;
    let channel = format!("content_types.c{i}.entries.update");
    let mut j = 0;
    while tokio::time::Instant::now() < deadline {
        let path = format!("/w/{i}/{j}");
        let name = format!("writer-{i}-{j}");
        let uid = api
            .create(webhook(&name, &receiver.url(&path), &[&channel]))
            .await;
        // Rename it (update path).
        let renamed = format!("{name}-updated");
        let mut doc = webhook(&renamed, &receiver.url(&path), &[&channel]);
        doc["concise_payload"] = json!(j % 2 == 0);
        let a = api
            .put_json(&format!("/webhooks/{uid}"), &json!({"webhook": doc}))
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        expected.live.insert(uid.clone(), (renamed, path, 0));

        // Every writer races for the same name: exactly one may win it.
        let shared = api
            .post_json(
                "/webhooks",
                &json!({"webhook": webhook(&format!("shared-{j}"), &receiver.url("/shared"), &["assets.delete"])}),
            )
            .await;
        match shared.status {
            201 => {
                expected.shared_wins += 1;
                let uid = shared.body["webhook"]["uid"].as_str().unwrap().to_owned();
                expected
                    .live
                    .insert(uid, (format!("shared-{j}"), "/shared".into(), 0));
            }
            422 => assert_eq!(shared.body["errors"]["name"][0], "is already taken."),
            other => panic!("unexpected {other}: {}", shared.body),
        }

        // Fire one event for this writer's content type: every live webhook of
        // the writer gets one execution.
        let fired = api
            .fire(json!({"module": "entry", "event": "update", "data": {
                "entry": {"uid": format!("e{j}"), "title": "t"},
                "content_type": {"uid": format!("c{i}")}}}))
            .await;
        let mut mine = 0;
        for (_, (_, p, n)) in expected.live.iter_mut() {
            if p.starts_with(&format!("/w/{i}/")) {
                *n += 1;
                mine += 1;
            }
        }
        assert_eq!(fired.body["executions"].as_array().unwrap().len(), mine);

        // Delete every third webhook of this writer.
        if j % 3 == 2 {
            let victim = expected
                .live
                .iter()
                .find(|(_, (_, p, _))| p.starts_with(&format!("/w/{i}/")))
                .map(|(uid, _)| uid.clone());
            if let Some(uid) = victim {
                assert_eq!(api.delete(&format!("/webhooks/{uid}")).await.status, 200);
                expected.live.remove(&uid);
            }
        }
        j += 1;
    }
    expected
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_two_writers_lose_and_duplicate_nothing() {
    let emulator = start().await;
    let api = Arc::new(Api::new(&emulator));
    let receiver = Receiver::start().await;
    let handles: Vec<_> = (0..WRITERS)
        .map(|i| tokio::spawn(writer(i, Arc::clone(&api), receiver.clone())))
        .collect();
    let mut live: HashMap<String, (String, String, usize)> = HashMap::new();
    let mut shared_wins = 0;
    for h in handles {
        let e = h.await.expect("writer finished");
        shared_wins += e.shared_wins;
        for (uid, v) in e.live {
            assert!(live.insert(uid, v).is_none(), "a uid was handed out twice");
        }
    }
    settle(&emulator).await;

    // The stored webhooks are exactly the expected ones.
    let mut listed = Vec::new();
    let mut skip = 0;
    loop {
        let page = api
            .get(&format!(
                "/webhooks?include_count=true&asc=created_at&skip={skip}&limit=100"
            ))
            .await;
        assert_eq!(page.body["count"].as_u64().unwrap() as usize, live.len());
        let items = page.body["webhooks"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if items.is_empty() {
            break;
        }
        skip += items.len();
        listed.extend(items);
    }
    let uids: HashSet<&str> = listed.iter().map(|w| w["uid"].as_str().unwrap()).collect();
    let names: HashSet<&str> = listed.iter().map(|w| w["name"].as_str().unwrap()).collect();
    assert_eq!(uids.len(), listed.len(), "no duplicated webhook");
    assert_eq!(names.len(), listed.len(), "names stay unique");
    assert_eq!(
        uids,
        live.keys().map(String::as_str).collect::<HashSet<_>>()
    );
    for w in &listed {
        let (name, _, _) = &live[w["uid"].as_str().unwrap()];
        assert_eq!(w["name"], name.as_str());
    }
    let shared_names = names.iter().filter(|n| n.starts_with("shared-")).count();
    assert_eq!(
        shared_names, shared_wins,
        "each shared name won exactly once"
    );

    // Every execution of a live webhook is stored once and delivered once.
    let mut total = 0;
    let received: HashMap<String, usize> =
        receiver.got().into_iter().fold(HashMap::new(), |mut m, r| {
            *m.entry(r.path).or_default() += 1;
            m
        });
    for (uid, (_, path, expected)) in &live {
        let mut executions = Vec::new();
        let mut skip = 0;
        loop {
            let page = api
                .get(&format!("/webhooks/{uid}/executions?skip={skip}&limit=100"))
                .await;
            let items = page.body["webhooks"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if items.is_empty() {
                break;
            }
            skip += items.len();
            executions.extend(items);
        }
        assert_eq!(executions.len(), *expected, "executions of {uid}");
        let distinct: HashSet<&str> = executions
            .iter()
            .map(|e| e["uid"].as_str().unwrap())
            .collect();
        assert_eq!(distinct.len(), executions.len());
        for e in &executions {
            assert_eq!(e["status"], 200, "{e}");
            assert_eq!(e["retry_count"], 0);
        }
        if path != "/shared" {
            assert_eq!(
                received.get(path).copied().unwrap_or(0),
                *expected,
                "deliveries to {path}"
            );
        }
        total += expected;
    }
    let (stored, _) = emulator.stored_counts().await.unwrap();
    assert_eq!(stored as usize, total, "no execution lost or left over");
    assert!(
        total > WRITERS,
        "the run did real work ({total} executions)"
    );
    emulator.shutdown().await.unwrap();
}
