//! Decoding a 100-execution page into the model vs into `serde_json::Value`.
//!
//! The page is built from the spec's `list_executions` 200 example (the
//! seed-shaped execution record, with its full event payload and one request
//! detail), repeated 100 times with distinct uids and times. Target: decoding
//! into `ExecutionList` is not slower than into `Value` (Value time / ours ≥ 1.0).
//!
//! `cargo bench -p cs-webhooks-model --bench decode`
//!
//! Three ways are measured: `cs_webhooks_model::from_json_slice` (what the
//! clients use: field paths on errors), plain `serde_json::from_slice` into
//! `ExecutionList`, and `serde_json::from_slice` into `Value`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use cs_webhooks_model::ExecutionList;
use serde_json::{Value, json};

/// The spec's `list_executions` 200 example's first record.
fn seed_record() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/webhooks.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let spec: Value = serde_yaml::from_str(&text).unwrap();
    let operation = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|op| op["operationId"] == "list_executions")
        .unwrap();
    operation["responses"]["200"]["content"]["application/json"]["example"]["webhooks"][0].clone()
}

/// `{"webhooks": [...]}` with `n` records shaped like the seed's.
fn page(n: usize) -> Vec<u8> {
    let record = seed_record();
    let records: Vec<Value> = (0..n)
        .map(|i| {
            let mut r = record.clone();
            r["uid"] = json!(format!("cs{i:08x}-3c3f-41a2-b0ac-5b{i:010x}"));
            r["created_at"] = json!(format!("2024-07-25T08:{:02}:{:02}.919Z", i / 60, i % 60));
            r["request_details"][0]["_id"] =
                json!(format!("cs{i:08x}-24ab-4d15-9d6e-614bceceb58d"));
            r
        })
        .collect();
    serde_json::to_vec(&json!({ "webhooks": records })).unwrap()
}

fn main() {
    let bytes = page(100);
    // The page is a valid ExecutionList of 100 records.
    let decoded: ExecutionList = cs_webhooks_model::from_json_slice(&bytes).unwrap();
    assert_eq!(decoded.webhooks.len(), 100);
    println!(
        "page: 100 executions, {} bytes of JSON ({} bytes per record)",
        bytes.len(),
        bytes.len() / 100
    );

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(40)
        .configure_from_args();
    let mut group = criterion.benchmark_group("decode_100_executions");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("model_from_json_slice", |b| {
        b.iter(|| {
            black_box(
                cs_webhooks_model::from_json_slice::<ExecutionList>(black_box(&bytes)).unwrap(),
            )
        })
    });
    group.bench_function("model_serde_json", |b| {
        b.iter(|| black_box(serde_json::from_slice::<ExecutionList>(black_box(&bytes)).unwrap()))
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| black_box(serde_json::from_slice::<Value>(black_box(&bytes)).unwrap()))
    });
    group.finish();
    criterion.final_summary();

    if is_bench_run() {
        // Interleaved rounds: load drifts on a shared machine hit both alike.
        let (rounds, per_round): (usize, usize) = (41, 20);
        let mut ratios = Vec::new();
        let (mut ours_times, mut value_times) = (Vec::new(), Vec::new());
        let ours = || {
            black_box(
                cs_webhooks_model::from_json_slice::<ExecutionList>(black_box(&bytes)).unwrap(),
            );
        };
        let value = || {
            black_box(serde_json::from_slice::<Value>(black_box(&bytes)).unwrap());
        };
        for round in 0..rounds {
            let (t_ours, t_value) = if round.is_multiple_of(2) {
                let t = time(per_round, ours);
                (t, time(per_round, value))
            } else {
                let t = time(per_round, value);
                (time(per_round, ours), t)
            };
            ours_times.push(t_ours);
            value_times.push(t_value);
            ratios.push(t_value / t_ours);
        }
        println!(
            "interleaved: model (from_json_slice) {:.0} µs/page, Value {:.0} µs/page, \
             Value time / model time = {:.3}× (medians of {rounds} rounds of {per_round} pages each)",
            median(&mut ours_times) * 1e6,
            median(&mut value_times) * 1e6,
            median(&mut ratios)
        );
    }
}

/// Seconds per call of `f`, over `n` calls.
fn time(n: usize, f: impl Fn()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_secs_f64() / n as f64
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Whether this is a measuring run (`cargo bench`), not a `--test` smoke
/// run, a `--list` or a `--profile-time` run.
fn is_bench_run() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    has("--bench") && !has("--test") && !has("--list") && !has("--profile-time")
}
