//! The emulator's command line: argument parsing, usage and the run loop,
//! shared by the `cs-webhooks-emulator` binary and `cs-webhooks emulator`.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::{DEFAULT_LISTEN, Emulator, EmulatorBuilder, RateLimit};

const USAGE: &str = "usage: cs-webhooks-emulator [options]

A local Contentstack Webhooks API that really delivers signed webhooks.

options:
  --listen ADDR                  address to listen on (default 127.0.0.1:4010)
  --stack API_KEY=TOKEN[@ORG]    a stack and its management token, optionally in
                                 organization ORG (repeatable); with none, a demo
                                 stack is made and printed
  --branch API_KEY=BRANCH        another branch of a stack (repeatable; main always exists)
  --hmac-secret API_KEY=SECRET   also sign the stack's deliveries with HMAC (repeatable)
  --seed FILE                    load webhooks (an exported webhook or an array of
                                 them) into the first stack at start (repeatable)
  --data FILE                    keep state in this SQLite file (default: in memory)
  --time-scale F                 multiply the retry schedule 5/25/125/625 s by F
  --delivery-timeout SECONDS     how long a destination has to answer (default 30)
  --header-read-timeout SECONDS  close a client connection that has not sent a
                                 request head in this time (default 30)
  --max-connections N            client connections open at once; more are closed
                                 as soon as they are accepted (default 512)
  --rate-limit READS,WRITES      limit each organization to READS reads and WRITES
                                 writes a second under /v3 (429 with Retry-After);
                                 `--rate-limit contentstack` is 10,10 (default: off)
  --allow-remote-targets         deliver to hosts other than loopback addresses too
                                 (without it, webhooks may still name them, but such
                                 deliveries are refused and logged as failed)
  --allow-unknown-channels       accept channels no documented pattern has (without
                                 it, a webhook naming one is answered 422, as a
                                 misspelt channel would never fire)
  -h, --help                     this help
  -V, --version                  the version";

/// Runs the emulator with `args` (the flags, without the program name)
/// until Ctrl-C or SIGTERM; 2 on a usage error, 1 when it cannot start.
pub fn main(args: Vec<String>) -> ExitCode {
    let builder = match parse(&args) {
        Ok(Some(builder)) => builder,
        Ok(None) => return ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cs-webhooks-emulator: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cs-webhooks-emulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(builder)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cs-webhooks-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(builder: EmulatorBuilder) -> Result<(), crate::Error> {
    let shutdown = Shutdown::listen();
    let emulator = builder.start().await?;
    let mut lines = vec![
        format!(
            "cs-webhooks-emulator listening on {} (API base URL {})",
            emulator.root_url(),
            emulator.base_url()
        ),
        format!("  fire events:  POST {}", emulator.events_url()),
        format!(
            "  public key:   GET {}/.well-known/public-keys.json",
            emulator.root_url()
        ),
    ];
    for stack in emulator.stacks() {
        lines.push(if stack.demo {
            // Printing the demo token is the point: it is how the user gets
            // it, with a line to paste into a shell for the CLI.
            format!(
                "  demo stack:   api_key={} authorization={} branches={}\n  export CONTENTSTACK_BASE_URL={} CONTENTSTACK_API_KEY={} CONTENTSTACK_MANAGEMENT_TOKEN={}",
                stack.api_key,
                stack.token.expose(),
                stack.branches.join(","),
                emulator.base_url(),
                stack.api_key,
                stack.token.expose(),
            )
        } else {
            format!(
                "  stack:        api_key={} branches={}",
                stack.api_key,
                stack.branches.join(",")
            )
        });
    }
    // A closed stdout (the reader went away) must not stop the server.
    let mut out = std::io::stdout().lock();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
    drop(out);
    shutdown.wait().await;
    eprintln!("cs-webhooks-emulator: stopping");
    emulator.shutdown().await
}

/// Listens for Ctrl-C and SIGTERM from the moment it is made (so a signal
/// sent right after the ready line is not lost).
struct Shutdown {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Shutdown {
    fn listen() -> Shutdown {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signals = signal(SignalKind::interrupt())
                .and_then(|int| Ok((int, signal(SignalKind::terminate())?)))
                .ok();
            Shutdown { signals }
        }
        #[cfg(not(unix))]
        {
            Shutdown {}
        }
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut int, mut term)) = self.signals {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Parses the arguments; `Ok(None)` when help or the version was printed.
fn parse(args: &[String]) -> Result<Option<EmulatorBuilder>, String> {
    let listen: SocketAddr = DEFAULT_LISTEN
        .parse()
        .map_err(|e| format!("bad default address: {e}"))?;
    let mut builder = Emulator::builder().listen(listen);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = || -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        builder = match flag {
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(None);
            }
            "-V" | "--version" => {
                println!("cs-webhooks-emulator {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            "--listen" => {
                let v = value()?;
                builder.listen(v.parse().map_err(|_| {
                    format!("--listen: {v:?} is not an address like 127.0.0.1:4010")
                })?)
            }
            "--stack" => {
                let (k, t) = pair(flag, &value()?)?;
                match t.rsplit_once('@') {
                    Some((token, org)) if !token.is_empty() && !org.is_empty() => {
                        builder.stack_in_org(k, token, org)
                    }
                    Some(_) => return Err("--stack takes API_KEY=TOKEN[@ORG]".into()),
                    None => builder.stack(k, t),
                }
            }
            "--rate-limit" => builder.rate_limit(rate_limit(&value()?)?),
            "--branch" => {
                let (k, b) = pair(flag, &value()?)?;
                builder.branch(k, b)
            }
            "--hmac-secret" => {
                let (k, s) = pair(flag, &value()?)?;
                builder.hmac_secret(k, s)
            }
            "--data" => builder.data_file(PathBuf::from(value()?)),
            "--seed" => builder.seed(PathBuf::from(value()?)),
            "--time-scale" => {
                let v = value()?;
                let f: f64 = v
                    .parse()
                    .ok()
                    .filter(|f: &f64| f.is_finite() && *f >= 0.0)
                    .ok_or_else(|| format!("--time-scale: {v:?} is not a number >= 0"))?;
                builder.time_scale(f)
            }
            "--delivery-timeout" => builder.delivery_timeout(seconds(flag, &value()?)?),
            "--header-read-timeout" => builder.header_read_timeout(seconds(flag, &value()?)?),
            "--max-connections" => {
                let v = value()?;
                let n = v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("{flag}: {v:?} is not a number > 0"))?;
                builder.max_connections(n)
            }
            "--allow-remote-targets" => builder.allow_remote_targets(true),
            "--allow-unknown-channels" => builder.allow_unknown_channels(true),
            other => return Err(format!("unknown option {other:?}")),
        };
    }
    Ok(Some(builder))
}

/// A number of seconds > 0 (fractions allowed).
fn seconds(flag: &str, v: &str) -> Result<Duration, String> {
    v.parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("{flag}: {v:?} is not a number of seconds > 0"))
}

/// `READS,WRITES` (both > 0) or `contentstack`.
fn rate_limit(v: &str) -> Result<RateLimit, String> {
    if v.eq_ignore_ascii_case("contentstack") {
        return Ok(RateLimit::CONTENTSTACK);
    }
    let per_second = |s: &str| s.trim().parse::<u32>().ok().filter(|n| *n > 0);
    v.split_once(',')
        .and_then(|(r, w)| Some(RateLimit::new(per_second(r)?, per_second(w)?)))
        .ok_or_else(|| {
            format!("--rate-limit: {v:?} is not READS,WRITES (numbers > 0) or `contentstack`")
        })
}

/// `KEY=VALUE`, both non-empty. The value is never echoed (it may be a secret).
fn pair(flag: &str, v: &str) -> Result<(String, String), String> {
    match v.split_once('=') {
        Some((k, rest)) if !k.is_empty() && !rest.is_empty() => Ok((k.to_owned(), rest.to_owned())),
        _ => Err(format!("{flag} takes API_KEY=VALUE")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_takes_reads_writes_or_contentstack() {
        assert_eq!(rate_limit("contentstack"), Ok(RateLimit::CONTENTSTACK));
        assert_eq!(rate_limit("5, 7"), Ok(RateLimit::new(5, 7)));
        for bad in ["", "10", "0,10", "10,x", "-1,2"] {
            assert!(rate_limit(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn allow_unknown_channels_is_a_flag() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let builder = parse(&args(&["--allow-unknown-channels"]))
            .ok()
            .flatten()
            .map(|b| b.settings.allow_unknown_channels);
        assert_eq!(builder, Some(true));
        let default = parse(&args(&[])).ok().flatten();
        assert_eq!(
            default.map(|b| b.settings.allow_unknown_channels),
            Some(false)
        );
        assert!(USAGE.contains("--allow-unknown-channels"));
    }

    #[test]
    fn stack_takes_an_optional_organization() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(parse(&args(&["--stack", "blt1=tok@org1"])).is_ok());
        assert!(parse(&args(&["--stack=blt1=tok"])).is_ok());
        let err = parse(&args(&["--stack", "blt1=tok@"])).expect_err("empty org");
        assert!(
            err.contains("API_KEY=TOKEN[@ORG]") && !err.contains("tok@"),
            "{err}"
        );
    }
}
