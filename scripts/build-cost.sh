#!/usr/bin/env bash
# What a user's build costs: a ten-line binary calling `get_webhook` on our
# client vs the same call written by hand on the transport we use, each built
# in debug from an empty target directory. Prints median wall times and the
# ratios ours / raw for the blocking and the async client, in wall and CPU time.
#
#   scripts/build-cost.sh            # ROUNDS=3 JOBS=2 by default
#
# The scratch crates get a copy of the workspace's Cargo.lock and build with
# --offline, so the versions are ours and nothing is downloaded (run
# `cargo fetch` in the workspace first on a fresh machine). Runs alternate
# between ours and raw within each round, so background load hits both sides;
# the ratios are medians over rounds. Everything goes under a temporary
# directory that is removed at the end.
set -euo pipefail

ROUNDS="${ROUNDS:-3}"
JOBS="${JOBS:-2}"
# WORKSPACE: the checkout whose clients are measured (default: this one).
ROOT="${WORKSPACE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
SCRATCH="$(mktemp -d /tmp/cs-build-cost.XXXXXX)"
trap 'rm -rf "$SCRATCH"' EXIT

# Versions and features as the clients' manifests and the workspace's set them.
UREQ='ureq = { version = "3.5", default-features = false, features = ["gzip", "rustls"] }'
REQWEST='reqwest = { version = "0.13", default-features = false, features = ["rustls-no-provider"] }'
RUSTLS='rustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12"] }'
TOKIO='tokio = { version = "1", features = ["rt", "macros"] }'

scratch_crate() { # name, dependency lines, main.rs
    local dir="$SCRATCH/src-$1"
    mkdir -p "$dir/src"
    printf '[package]\nname = "bc-%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n[dependencies]\n%s\n\n[workspace]\n' \
        "$1" "$2" >"$dir/Cargo.toml"
    printf '%s\n' "$3" >"$dir/src/main.rs"
    cp "$ROOT/Cargo.lock" "$dir/Cargo.lock"
}

scratch_crate blocking "cs-webhooks-blocking = { path = \"$ROOT/crates/blocking\" }" '
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = cs_webhooks_blocking::Client::builder()
        .base_url("http://127.0.0.1:4010/v3")
        .api_key("blt0123456789abcdef")
        .management_token("my-management-token")
        .build()?;
    let webhook = client.get_webhook("uid").send()?;
    println!("{webhook:?}");
    Ok(())
}'

scratch_crate ureq "$UREQ
serde_json = \"1\"
http = \"1\"" '
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let agent = ureq::Agent::new_with_defaults();
    let request = http::Request::get("http://127.0.0.1:4010/v3/webhooks/uid")
        .header("api_key", "blt0123456789abcdef")
        .header("authorization", "my-management-token")
        .body(())?;
    let mut response = agent.run(request)?;
    let webhook: serde_json::Value = serde_json::from_reader(response.body_mut().as_reader())?;
    println!("{webhook:?}");
    Ok(())
}'

scratch_crate async "cs-webhooks-async = { path = \"$ROOT/crates/async\" }
$TOKIO" '
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = cs_webhooks_async::Client::builder()
        .base_url("http://127.0.0.1:4010/v3")
        .api_key("blt0123456789abcdef")
        .management_token("my-management-token")
        .build()?;
    let webhook = client.get_webhook("uid").send().await?;
    println!("{webhook:?}");
    Ok(())
}'

scratch_crate reqwest "$REQWEST
$RUSTLS
$TOKIO
serde_json = \"1\"
http = \"1\"" '
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let request = http::Request::get("http://127.0.0.1:4010/v3/webhooks/uid")
        .header("api_key", "blt0123456789abcdef")
        .header("authorization", "my-management-token")
        .body(Vec::<u8>::new())?;
    let response = client.execute(reqwest::Request::try_from(request)?).await?;
    let webhook: serde_json::Value = serde_json::from_slice(&response.bytes().await?)?;
    println!("{webhook:?}");
    Ok(())
}'

build() { # name -> "wall cpu" seconds on stdout
    local target="$SCRATCH/target-$1"
    rm -rf "$target"
    local TIMEFORMAT='%R %U %S' times
    # CPU time (user + system of cargo and every compiler it ran) barely
    # moves with other load on the machine; wall time does.
    if ! times=$({ time CARGO_TARGET_DIR="$target" cargo build --offline --quiet -j "$JOBS" \
        --manifest-path "$SCRATCH/src-$1/Cargo.toml" >"$SCRATCH/log-$1" 2>&1; } 2>&1); then
        echo "build of $1 failed:" >&2
        cat "$SCRATCH/log-$1" >&2
        exit 1
    fi
    rm -rf "$target"
    echo "$times" | awk '{ printf "%.1f %.1f\n", $1, $2 + $3 }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ratio() { echo "scale=3; $1 / $2" | bc; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
    if ((round % 2)); then order="blocking ureq async reqwest"; else order="ureq blocking reqwest async"; fi
    for name in $order; do
        result=$(build "$name")
        read -r wall cpu <<<"$result"
        echo "$wall" >>"$SCRATCH/wall-$name"
        echo "$cpu" >>"$SCRATCH/cpu-$name"
        printf 'round %d  %-9s wall %6.1f s  cpu %6.1f s\n' "$round" "$name" "$wall" "$cpu"
    done
    # Per-round ratios: both sides of a pair ran back to back.
    for measure in wall cpu; do
        last() { tail -1 "$SCRATCH/$measure-$1"; }
        ratio "$(last blocking)" "$(last ureq)" >>"$SCRATCH/$measure-ratio-blocking"
        ratio "$(last async)" "$(last reqwest)" >>"$SCRATCH/$measure-ratio-async"
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "medians of $ROUNDS clean debug builds (-j $JOBS):"
for name in blocking ureq async reqwest; do
    printf '  %-9s wall %6.1f s  cpu %6.1f s\n' "$name" "$(median <"$SCRATCH/wall-$name")" \
        "$(median <"$SCRATCH/cpu-$name")"
done
echo "ours / raw (median of per-round ratios):"
printf '  blocking / (ureq + serde_json + http):          wall %.2fx  cpu %.2fx\n' \
    "$(median <"$SCRATCH/wall-ratio-blocking")" "$(median <"$SCRATCH/cpu-ratio-blocking")"
printf '  async / (reqwest + tokio + serde_json + http):  wall %.2fx  cpu %.2fx\n' \
    "$(median <"$SCRATCH/wall-ratio-async")" "$(median <"$SCRATCH/cpu-ratio-async")"
