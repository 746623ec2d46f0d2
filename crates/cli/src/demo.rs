//! `cs-webhooks demo`: the whole system on one machine, no account, no
//! network. An in-process emulator with two stacks, a verifying receiver,
//! and the blocking client for every API call; each step checks its outcome.

mod receiver;

use std::io::{BufRead as _, Write as _};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cs_webhooks_blocking::model::{
    Action, AuthenticationType, Channel, Destination, RetryPolicy, WebhookInput,
};
use cs_webhooks_blocking::{Client, UploadFile};
use cs_webhooks_emulator::{BREAKER_THRESHOLD, Emulator, EmulatorHandle};
use cs_webhooks_receiver::{Policy, PublicKeys, Verifier};
use serde_json::{Value, json};

use receiver::{Deliveries, FLAKY_ROUTE};

/// The demo's flags.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Pause before each step (press Enter to go on): for a live walk-through.
    #[arg(long)]
    pub step: bool,
}

const STACK_A: &str = "blt0000000000000demoa";
const TOKEN_A: &str = "cs-demo-token-stack-a";
const STACK_B: &str = "blt0000000000000demob";
const TOKEN_B: &str = "cs-demo-token-stack-b";
const HMAC_SECRET: &str = "demo-organization-secret";
/// Retries after 5, 25, 125, 625 ms instead of seconds.
const TIME_SCALE: f64 = 0.001;
/// How long a step waits for the emulator before it fails.
const PATIENCE: Duration = Duration::from_secs(15);
const HEALTHY_ROUTE: &str = "healthy";
/// Attempts per event under `retry_policy: automatic`: the first and four retries.
const ATTEMPTS_PER_EVENT: usize = 5;

/// Runs the demo; 0 when every step passed, 1 naming the step that failed.
pub fn run(args: &DemoArgs) -> ExitCode {
    let started = Instant::now();
    let mut world = match start() {
        Ok(world) => world,
        Err(message) => {
            eprintln!("demo failed at step 1 (start the emulator and a receiver): {message}");
            return ExitCode::FAILURE;
        }
    };
    let steps: [(&str, Step); 6] = [
        ("create two webhooks", create_webhooks),
        ("fire an entry update and an asset upload", fire_events),
        (
            "watch the failing destination retried until the breaker trips",
            watch_retries,
        ),
        (
            "list the executions and read the log of one failure",
            read_executions,
        ),
        (
            "fix the destination, re-enable the webhook, retry every failure",
            bulk_retry,
        ),
        (
            "export a webhook and import it into a second stack",
            export_import,
        ),
    ];
    let total = steps.len() + 1;
    for (index, (title, step)) in steps.into_iter().enumerate() {
        let number = index + 2;
        if args.step {
            pause();
        }
        say(&format!("\n[{number}/{total}] {title}"));
        if let Err(message) = step(&mut world) {
            eprintln!("demo failed at step {number} ({title}): {message}");
            world.stop();
            return ExitCode::FAILURE;
        }
    }
    world.stop();
    say(&format!(
        "\nAll {total} steps passed in {:.1} s.",
        started.elapsed().as_secs_f64()
    ));
    ExitCode::SUCCESS
}

type Step = fn(&mut World) -> Result<(), String>;

/// Everything the steps share.
struct World {
    runtime: tokio::runtime::Runtime,
    emulator: Option<EmulatorHandle>,
    deliveries: Arc<Deliveries>,
    receiver_url: String,
    events_url: String,
    stack_a: Client,
    stack_b: Client,
    healthy_uid: String,
    flaky_uid: String,
    failed_executions: Vec<String>,
}

impl World {
    fn stop(&mut self) {
        if let Some(emulator) = self.emulator.take()
            && let Err(e) = self.runtime.block_on(emulator.shutdown())
        {
            eprintln!("warning: the emulator did not stop cleanly: {e}");
        }
    }
}

/// Step 1: the emulator and the receiver run on a tokio runtime's threads;
/// the blocking client stays on this thread (it must not block a runtime thread).
fn start() -> Result<World, String> {
    say("[1/7] start the emulator (two stacks, retries scaled x0.001) and a verifying receiver");
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("no tokio runtime: {e}"))?;
    let emulator = runtime
        .block_on(
            Emulator::builder()
                .stack(STACK_A, TOKEN_A)
                .stack(STACK_B, TOKEN_B)
                .hmac_secret(STACK_A, HMAC_SECRET)
                .hmac_secret(STACK_B, HMAC_SECRET)
                .time_scale(TIME_SCALE)
                .start(),
        )
        .map_err(|e| format!("the emulator did not start: {e}"))?;
    let keys = PublicKeys::from_pem(emulator.signing_key().public_key_pem())
        .map_err(|e| format!("the emulator's public key does not parse: {e}"))?;
    let verifier = Verifier::builder()
        .policy(Policy::Both)
        .public_keys(keys)
        .hmac_secret(HMAC_SECRET)
        .build()
        .map_err(|e| format!("the verifier: {e}"))?;
    let (deliveries, addr) = runtime
        .block_on(receiver::start(verifier))
        .map_err(|e| format!("the receiver did not start: {e}"))?;
    let client = |api_key: &str, token: &str| {
        Client::builder()
            .base_url(emulator.base_url())
            .api_key(api_key)
            .management_token(token)
            .build()
            .map_err(|e| format!("the client: {e}"))
    };
    let world = World {
        stack_a: client(STACK_A, TOKEN_A)?,
        stack_b: client(STACK_B, TOKEN_B)?,
        events_url: emulator.events_url(),
        receiver_url: format!("http://{addr}"),
        emulator: None,
        deliveries,
        runtime,
        healthy_uid: String::new(),
        flaky_uid: String::new(),
        failed_executions: Vec::new(),
    };
    say(&format!("  emulator  {}", emulator.base_url()));
    say(&format!(
        "  receiver  {} (checks RSA and HMAC signatures)",
        world.receiver_url
    ));
    Ok(World {
        emulator: Some(emulator),
        ..world
    })
}

fn webhook_input(name: &str, url: &str, disabled: bool) -> Result<WebhookInput, String> {
    let destination: Destination = Destination::builder()
        .target_url(url)
        .authentication_type(AuthenticationType::None)
        .try_into()
        .map_err(|e| format!("destination: {e}"))?;
    WebhookInput::builder()
        .name(name)
        .destinations(vec![destination])
        .channels(vec![
            Channel::entries(Action::Update),
            Channel::assets(Action::Create),
        ])
        .retry_policy(RetryPolicy::Automatic)
        .disabled(disabled)
        .try_into()
        .map_err(|e| format!("webhook: {e}"))
}

fn create_webhooks(world: &mut World) -> Result<(), String> {
    for (name, route) in [
        ("Site rebuild", HEALTHY_ROUTE),
        ("Search index", FLAKY_ROUTE),
    ] {
        let url = format!("{}/{route}", world.receiver_url);
        let created = world
            .stack_a
            .create_webhook(webhook_input(name, &url, false)?)
            .send()
            .map_err(|e| format!("creating {name:?}: {e}"))?;
        say(&format!(
            "  created {:<14} {}  -> {url}",
            created.webhook.name, created.webhook.uid
        ));
        if route == HEALTHY_ROUTE {
            world.healthy_uid = created.webhook.uid;
        } else {
            world.flaky_uid = created.webhook.uid;
        }
    }
    let listed: Vec<String> = world
        .stack_a
        .list_webhooks()
        .items()
        .map(|w| w.map(|w| w.uid))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("listing webhooks: {e}"))?;
    check(
        listed.contains(&world.healthy_uid) && listed.contains(&world.flaky_uid),
        format!("the list does not show both webhooks: {listed:?}"),
    )?;
    say("  both listed; \"Search index\" points at a destination that answers 500");
    Ok(())
}

fn fire_events(world: &mut World) -> Result<(), String> {
    let events = [
        json!({"module": "entry", "event": "update", "data": {
            "entry": {"uid": "blt5a1e2c0de0000001", "title": "Hello, webhooks", "locale": "en-us", "_version": 2},
            "content_type": {"uid": "blog_post", "title": "Blog post"}}}),
        json!({"module": "asset", "event": "create", "data": {
            "asset": {"uid": "blt5a1e2c0de0000002", "filename": "hero.png", "content_type": "image/png"}}}),
    ];
    for event in &events {
        fire(&world.events_url, event)?;
    }
    let healthy = wait_for("two deliveries to the healthy destination", || {
        let got = world.deliveries.to_route(HEALTHY_ROUTE);
        (got.len() >= events.len()).then_some(got)
    })?;
    for delivery in &healthy {
        say(&format!(
            "  {:<13} {:<40} verified={}  answered {}",
            delivery.event.as_deref().unwrap_or("-"),
            delivery.channels.join(" "),
            verified_by(delivery),
            delivery.answered
        ));
    }
    let unverified: Vec<String> = healthy
        .iter()
        .filter(|d| !(d.rsa && d.hmac))
        .map(|d| {
            d.rejected
                .clone()
                .unwrap_or_else(|| verified_by(d).to_owned())
        })
        .collect();
    check(
        unverified.is_empty(),
        format!("deliveries not verified by both RSA and HMAC: {unverified:?}"),
    )
}

fn watch_retries(world: &mut World) -> Result<(), String> {
    let uid = world.flaky_uid.clone();
    let webhook = wait_for("the circuit breaker to disable \"Search index\"", || {
        let webhook = world.stack_a.get_webhook(&uid).send().ok()?.webhook;
        (webhook.disabled == Some(true)).then_some(webhook)
    })?;
    let attempts = world.deliveries.to_route(FLAKY_ROUTE);
    for event in ["entry.update", "asset.create"] {
        let times: Vec<_> = attempts
            .iter()
            .filter(|d| d.event.as_deref() == Some(event))
            .map(|d| d.at)
            .collect();
        let gaps: Vec<String> = times
            .windows(2)
            .map(|w| format!("+{} ms", w[1].duration_since(w[0]).as_millis()))
            .collect();
        say(&format!(
            "  {event:<13} {} attempts, answered 500: first, then {}",
            times.len(),
            gaps.join(", ")
        ));
    }
    say("  (the schedule is 5, 25, 125, 625 s; here scaled to milliseconds)");
    check(
        attempts.len() >= BREAKER_THRESHOLD as usize
            && attempts.len() <= 2 * ATTEMPTS_PER_EVENT
            && attempts
                .iter()
                .all(|d| d.rsa && d.hmac && d.answered == 500),
        format!(
            "expected {BREAKER_THRESHOLD} failed, verified attempts; saw {}",
            attempts.len()
        ),
    )?;
    let unhealthy = webhook.unhealthy.and_then(|u| u.state) == Some(true);
    say(&format!(
        "  after {} consecutive failures the breaker tripped: disabled=true unhealthy={unhealthy}",
        attempts.len()
    ));
    check(unhealthy, "the disabled webhook is not marked unhealthy")
}

fn read_executions(world: &mut World) -> Result<(), String> {
    let uid = world.flaky_uid.clone();
    let executions = wait_for("two failed executions", || {
        let list: Vec<_> = world
            .stack_a
            .list_executions(&uid)
            .items()
            .collect::<Result<_, _>>()
            .ok()?;
        (list.len() == 2 && list.iter().all(|e| e.status == Some(500))).then_some(list)
    })?;
    say("  EXECUTION                               STATUS  RETRIES  CHANNEL");
    for execution in &executions {
        say(&format!(
            "  {:<39} {:<7} {:<8} {}",
            execution.uid,
            status_text(execution.status),
            execution.retry_count.unwrap_or(0),
            execution
                .channel
                .first()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default()
        ));
    }
    let first = &executions[0];
    let log = world
        .stack_a
        .get_execution_log(&first.uid)
        .send()
        .map_err(|e| format!("reading the log of {}: {e}", first.uid))?
        .webhook;
    let response = log
        .request_details
        .as_ref()
        .and_then(|d| d.response.as_ref());
    say(&format!(
        "  log of {}: status {}, {} retries, last answer {}",
        log.uid,
        status_text(log.status),
        log.retry_count.unwrap_or(0),
        response
            .and_then(|r| r.message.clone())
            .unwrap_or_else(|| "-".to_owned())
    ));
    check(
        log.uid == first.uid && log.status == Some(500),
        format!(
            "the log of {} does not show the failure (status {:?})",
            first.uid, log.status
        ),
    )?;
    world.failed_executions = executions.into_iter().map(|e| e.uid).collect();
    Ok(())
}

fn bulk_retry(world: &mut World) -> Result<(), String> {
    world.deliveries.recover();
    say("  the destination is fixed (it answers 200 now)");
    let url = format!("{}/{FLAKY_ROUTE}", world.receiver_url);
    let updated = world
        .stack_a
        .update_webhook(
            &world.flaky_uid,
            webhook_input("Search index", &url, false)?,
        )
        .send()
        .map_err(|e| format!("re-enabling: {e}"))?
        .webhook;
    check(
        updated.disabled == Some(false),
        "the webhook is still disabled after the update",
    )?;
    say("  re-enabled \"Search index\" (this resets the breaker)");
    for uid in &world.failed_executions {
        let notice = world
            .stack_a
            .retry_execution(uid)
            .send()
            .map_err(|e| format!("retrying {uid}: {e}"))?;
        say(&format!("  retry {uid}: {}", notice.notice));
    }
    let flaky = world.flaky_uid.clone();
    let count = world.failed_executions.len();
    wait_for("every retried execution to succeed", || {
        let list: Vec<_> = world
            .stack_a
            .list_executions(&flaky)
            .items()
            .collect::<Result<_, _>>()
            .ok()?;
        (list.len() == count && list.iter().all(|e| e.status == Some(200))).then_some(())
    })?;
    let delivered = world
        .deliveries
        .to_route(FLAKY_ROUTE)
        .into_iter()
        .filter(|d| d.answered == 200 && d.rsa && d.hmac)
        .count();
    say(&format!(
        "  {delivered} verified deliveries answered 200; every execution now shows 200"
    ));
    check(
        delivered == count,
        format!("expected {count} successful deliveries, saw {delivered}"),
    )
}

fn export_import(world: &mut World) -> Result<(), String> {
    let exported = world
        .stack_a
        .export_webhook(&world.healthy_uid)
        .send()
        .map_err(|e| format!("exporting: {e}"))?;
    say(&format!(
        "  exported {} ({} bytes of JSON)",
        exported.value.uid,
        exported.bytes.len()
    ));
    let file = UploadFile::from_bytes(exported.bytes.clone()).with_file_name("webhook.json");
    let imported = world
        .stack_b
        .import_webhook(file)
        .send()
        .map_err(|e| format!("importing into the second stack: {e}"))?
        .webhook;
    say(&format!(
        "  imported into stack {STACK_B} as {} ({:?})",
        imported.uid, imported.name
    ));
    let in_b: Vec<String> = world
        .stack_b
        .list_webhooks()
        .items()
        .map(|w| w.map(|w| w.name))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("listing the second stack: {e}"))?;
    check(
        in_b == [exported.value.name.clone()],
        format!("the second stack holds {in_b:?}"),
    )
}

/// Fires an event through the emulator's events route (an emulator-only
/// route, so not a client method).
fn fire(events_url: &str, event: &Value) -> Result<(), String> {
    let body = serde_json::to_vec(event).map_err(|e| format!("event JSON: {e}"))?;
    ureq::post(events_url)
        .header("api_key", STACK_A)
        .header("authorization", TOKEN_A)
        .content_type("application/json")
        .send(&body[..])
        .map_err(|e| format!("firing {}.{}: {e}", event["module"], event["event"]))?;
    say(&format!(
        "  fired {}.{}",
        event["module"].as_str().unwrap_or("?"),
        event["event"].as_str().unwrap_or("?")
    ));
    Ok(())
}

/// Polls `probe` until it yields a value, for at most [`PATIENCE`].
fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> Result<T, String> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = probe() {
            return Ok(value);
        }
        if Instant::now() > deadline {
            return Err(format!(
                "gave up waiting for {what} after {} s",
                PATIENCE.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn check(ok: bool, message: impl Into<String>) -> Result<(), String> {
    if ok { Ok(()) } else { Err(message.into()) }
}

fn verified_by(delivery: &receiver::Delivery) -> &'static str {
    match (delivery.rsa, delivery.hmac) {
        (true, true) => "rsa,hmac",
        (true, false) => "rsa",
        (false, true) => "hmac",
        (false, false) => "none",
    }
}

fn status_text(status: Option<u16>) -> String {
    status.map_or_else(|| "-".to_owned(), |s| s.to_string())
}

/// Prints a line of the story; a closed stdout must not stop the demo.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn pause() {
    eprint!("(press Enter for the next step) ");
    let _ = std::io::stdin().lock().read_line(&mut String::new());
}
