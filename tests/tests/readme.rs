//! The README's Rust examples, compiled exactly as printed (see `build.rs`:
//! only the emulator address is replaced with this test's emulator) and run
//! twice each against a fresh emulator started with the stack and branch the
//! README's command shows, as a new user would run them twice in a row.

use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use cs_webhooks_api::model::{
    Action, AuthenticationType, Channel, Destination, RetryPolicy, WebhookInput,
};
use cs_webhooks_emulator::{Emulator, EmulatorHandle};
use cs_webhooks_tests::clients::{blocking_at, runtime};
use cs_webhooks_tests::server::{Reply, TestServer};

mod examples {
    include!(concat!(env!("OUT_DIR"), "/readme_examples.rs"));
}

const README: &str = include_str!("../../README.md");
/// The stack and branch of the emulator command in the README's quick start.
const API_KEY: &str = "blt0123456789abcdef";
const TOKEN: &str = "my-management-token";
const BRANCH: &str = "staging";

/// The running emulator's root URL, read by the substituted examples.
static EMULATOR_ROOT: RwLock<String> = RwLock::new(String::new());
/// Held while examples run: they share [`EMULATOR_ROOT`].
static EXAMPLES: Mutex<()> = Mutex::new(());

/// What the README's `"http://127.0.0.1:4010<rest>"` becomes.
pub fn emulator_url(rest: &str) -> &'static str {
    let root = match EMULATOR_ROOT.read() {
        Ok(root) => root.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    Box::leak(format!("{root}{rest}").into_boxed_str())
}

/// An example's `main` returns `()` or a `Result`.
pub trait Outcome {
    /// The error as text.
    fn into_result(self) -> Result<(), String>;
}

impl Outcome for () {
    fn into_result(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: std::fmt::Debug> Outcome for Result<(), E> {
    fn into_result(self) -> Result<(), String> {
        self.map_err(|e| format!("{e:?}"))
    }
}

/// The ```rust blocks and the ```toml block before each, in order.
fn blocks() -> Vec<(Option<String>, String)> {
    let mut blocks = Vec::new();
    let mut toml: Option<String> = None;
    let mut current: Option<(String, String)> = None;
    for line in README.lines() {
        match current.as_mut() {
            None => {
                if let Some(info) = line.strip_prefix("```")
                    && !info.is_empty()
                {
                    current = Some((info.to_owned(), String::new()));
                }
            }
            Some((info, body)) if line == "```" => {
                if info == "toml" {
                    toml = Some(std::mem::take(body));
                } else if info.starts_with("rust") {
                    blocks.push((toml.take(), std::mem::take(body)));
                }
                current = None;
            }
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    blocks
}

#[test]
fn every_rust_block_is_a_complete_program_with_its_dependencies() {
    let blocks = blocks();
    assert_eq!(blocks.len(), examples::MAINS.len());
    assert!(blocks.len() >= 5, "the README's examples: {}", blocks.len());
    for (toml, code) in &blocks {
        assert!(
            !code.lines().any(|l| l.trim_start().starts_with("# ")),
            "hidden doctest lines do not compile in a user's crate:\n{code}"
        );
        assert!(code.contains("fn main()"), "no `fn main`:\n{code}");
        let toml = toml
            .as_deref()
            .unwrap_or_else(|| panic!("no [dependencies] block before:\n{code}"));
        assert!(toml.contains("[dependencies]"), "{toml}");
        for krate in [
            "cs_webhooks_blocking",
            "cs_webhooks_async",
            "cs_webhooks_api",
            "cs_webhooks_emulator",
            "cs_webhooks_receiver",
            "tokio",
            "futures_util",
            "http",
            "axum",
        ] {
            // A path rooted at the crate: not `x::krate::` nor `x_krate::`,
            // and not a re-export in `use axum::{.., http::..}`.
            let used = code
                .lines()
                .filter(|line| !line.starts_with("use axum"))
                .any(|line| {
                    line.match_indices(&format!("{krate}::")).any(|(at, _)| {
                        !line[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
                    })
                });
            if used {
                let dependency = krate.replace('_', "-");
                assert!(
                    toml.lines()
                        .any(|l| l.starts_with(&format!("{dependency} ="))),
                    "`{krate}` is used but `{dependency}` is not in\n{toml}\nfor\n{code}"
                );
            }
        }
        if code.contains("#[tokio::main]") {
            assert!(
                toml.contains(r#"features = ["macros", "rt-multi-thread"]"#),
                "{toml}"
            );
        }
    }
}

#[test]
fn the_quick_start_emulator_command_has_the_examples_stack_and_branch() {
    let command = format!("--stack {API_KEY}={TOKEN} --branch {API_KEY}={BRANCH}");
    assert!(README.contains(&command), "{command}");
    // The examples that talk to the emulator use its address and these credentials.
    let blocks = blocks();
    let talking: Vec<_> = blocks
        .iter()
        .filter(|(_, code)| code.contains("\"http://127.0.0.1:4010"))
        .collect();
    assert!(talking.len() >= 3, "{}", talking.len());
    for (_, code) in talking.iter().filter(|(_, c)| c.contains(".api_key(")) {
        assert!(code.contains(&format!(".api_key(\"{API_KEY}\")")), "{code}");
        assert!(
            code.contains(&format!(".management_token(\"{TOKEN}\")")),
            "{code}"
        );
    }
}

/// An emulator as the README's command starts it, its address given to the examples.
fn start_emulator(runtime: &tokio::runtime::Runtime) -> EmulatorHandle {
    let emulator = runtime
        .block_on(
            Emulator::builder()
                .stack(API_KEY, TOKEN)
                .branch(API_KEY, BRANCH)
                .start(),
        )
        .expect("emulator");
    *EMULATOR_ROOT.write().expect("lock") = emulator.root_url();
    emulator
}

#[test]
fn every_example_runs_twice_against_a_fresh_emulator() {
    let _serial = EXAMPLES.lock().unwrap_or_else(|p| p.into_inner());
    // Files the examples write (`webhook.json`) go to a scratch directory.
    let scratch = std::env::temp_dir().join(format!("cs-webhooks-readme-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch directory");
    std::env::set_current_dir(&scratch).expect("into the scratch directory");
    let runtime = runtime();
    for (name, main) in examples::MAINS {
        let emulator = start_emulator(&runtime);
        for run in ["first", "second"] {
            if let Err(error) = main() {
                panic!("README {name}, {run} run: {error}");
            }
        }
        runtime.block_on(emulator.shutdown()).expect("shutdown");
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn the_async_quick_start_retries_a_failed_delivery() {
    let _serial = EXAMPLES.lock().unwrap_or_else(|p| p.into_inner());
    let (position, _) = blocks()
        .into_iter()
        .enumerate()
        .find(|(_, (_, code))| code.contains(".unsuccessful_items()"))
        .expect("the async quick start");
    let (name, main) = examples::MAINS[position];
    let runtime = runtime();
    let emulator = start_emulator(&runtime);
    let destination_server = TestServer::always(Reply::json(500, &serde_json::json!({})));
    let client = blocking_at(&emulator.base_url(), API_KEY, TOKEN);
    let destination = Destination::builder()
        .target_url(format!("{}/hook", destination_server.url()))
        .authentication_type(AuthenticationType::None);
    let input: WebhookInput = WebhookInput::builder()
        .name("Failing")
        .destinations(vec![destination.try_into().expect("destination")])
        .channels(vec![Channel::entries(Action::Update)])
        .retry_policy(RetryPolicy::Manual)
        .try_into()
        .expect("input");
    client.create_webhook(input).send().expect("create");
    runtime.block_on(cs_webhooks_tests::events::fire_entry_update(
        &emulator, API_KEY, TOKEN, "blt1",
    ));
    // Each run retries the failed delivery: the destination is called again.
    for (run, deliveries) in [("before", 1), ("first", 2), ("second", 3)] {
        if run != "before"
            && let Err(error) = main()
        {
            panic!("README {name}, {run} run: {error}");
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while destination_server.requests().len() < deliveries {
            assert!(Instant::now() < deadline, "{run}: no delivery {deliveries}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    runtime.block_on(emulator.shutdown()).expect("shutdown");
}
