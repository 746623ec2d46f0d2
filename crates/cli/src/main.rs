//! `cs-webhooks`: the command line of the Contentstack Webhooks toolkit.
//!
//! Exit codes: 0 success, 1 an API or network error (or a failed demo
//! step), 2 a usage error, 3 a partial failure (some of a bulk job's items
//! failed). `plan --detailed-exitcode`: 0 no changes, 2 changes, 1 any error.

mod api_command;
mod bulk;
mod channels;
mod connection;
mod demo;
mod executions;
mod export;
mod failure;
mod fingerprints;
mod import;
mod listen;
mod manifest;
mod output;
mod plan;
mod profile;
mod recover;
mod transport;
mod trigger;
mod webhooks;

use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};

use crate::connection::ConnectionFlags;
use crate::failure::Failure;

/// Manage Contentstack webhooks, inspect and retry their deliveries, verify
/// them locally, and run the whole system on this machine.
#[derive(Debug, Parser)]
#[command(name = "cs-webhooks", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    connection: ConnectionFlags,
    /// How data is written on stdout.
    #[arg(long, short = 'o', global = true, value_enum, default_value_t)]
    output: output::Format,
    /// No informational messages on stderr (errors are still printed).
    #[arg(long, short = 'q', global = true)]
    quiet: bool,
    /// Tell every API request and answer on stderr (credentials masked).
    #[arg(long, short = 'v', global = true)]
    verbose: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show the whole system working on this machine: an emulator, a verifying
    /// receiver, deliveries, retries, the circuit breaker, export and import.
    Demo(demo::DemoArgs),
    /// List, show, create, update, enable, disable, delete, export and import webhooks.
    #[command(subcommand)]
    Webhooks(webhooks::WebhooksCommand),
    /// List a webhook's executions, read one's log, retry them.
    #[command(subcommand)]
    Executions(executions::ExecutionsCommand),
    /// Export every webhook of the stack, one file each.
    Export(export::ExportArgs),
    /// Import exported webhooks, matched to existing ones by name (a plan first).
    #[command(after_help = import::HELP)]
    Import(import::ImportArgs),
    /// Re-send every failed execution of a window that never succeeded, once
    /// (exit 3 when some could not be retried).
    #[command(after_help = recover::HELP)]
    Recover(recover::RecoverArgs),
    /// Show what `apply` would change to make the stack match the files
    /// (`--detailed-exitcode`: 2 when there are changes).
    #[command(after_help = plan::HELP)]
    Plan(plan::PlanArgs),
    /// Make the stack's webhooks match the files (a plan, a confirmation, the changes).
    #[command(after_help = plan::HELP)]
    Apply(plan::ApplyArgs),
    /// Call any operation of the API by its operationId (raw JSON out).
    Api(api_command::ApiArgs),
    /// The channel grammar; check whether strings are channels.
    Channels(channels::ChannelsArgs),
    /// Receive deliveries locally: verify, print, optionally forward.
    Listen(listen::ListenArgs),
    /// Fire one of the emulator's realistic events (its webhooks deliver it).
    Trigger(trigger::TriggerArgs),
    /// Run the local emulator of the Webhooks API (`cs-webhooks emulator --help`
    /// lists its flags).
    #[command(disable_help_flag = true)]
    Emulator {
        /// The emulator's flags.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Manage named connection profiles in the config file.
    #[command(subcommand)]
    Profile(profile::ProfileCommand),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

fn main() -> ExitCode {
    // The emulator's flags go to it untouched (some share names with ours).
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "emulator") {
        let flags = args
            .iter()
            .skip(2)
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        return cs_webhooks_emulator::command_line::main(flags);
    }
    let cli = Cli::parse_from(args);
    let format = cli.output;
    output::set_quiet(cli.quiet);
    transport::set_verbose(cli.verbose);
    let result = match &cli.command {
        Command::Demo(args) => return demo::run(args),
        Command::Emulator { args } => {
            return cs_webhooks_emulator::command_line::main(args.clone());
        }
        Command::Webhooks(command) => cli
            .connection
            .client()
            .and_then(|client| webhooks::run(command, &client, format)),
        Command::Executions(command) => cli
            .connection
            .client()
            .and_then(|client| executions::run(command, &client, format)),
        Command::Export(args) => export::run(args, &cli.connection, format),
        Command::Import(args) => import::run(args, &cli.connection, format),
        Command::Recover(args) => recover::run(args, &cli.connection, format),
        Command::Plan(args) => {
            return match plan::plan(args, &cli.connection, format) {
                Ok(true) if args.detailed_exitcode => ExitCode::from(2),
                Ok(_) => ExitCode::SUCCESS,
                Err(failure) => {
                    failure.report();
                    // 2 means "changes" here, so every error is 1.
                    if args.detailed_exitcode {
                        ExitCode::FAILURE
                    } else {
                        failure.exit_code()
                    }
                }
            };
        }
        Command::Apply(args) => plan::apply(args, &cli.connection, format),
        Command::Api(args) => api_command::run(args, &cli.connection, format),
        Command::Channels(args) => channels::run(args, format),
        Command::Listen(args) => listen::run(args),
        Command::Trigger(args) => trigger::run(args, &cli.connection),
        Command::Profile(command) => profile::run(command, &cli.connection),
        Command::Completions { shell } => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "cs-webhooks",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::Man => clap_mangen::Man::new(Cli::command())
            .render(&mut std::io::stdout())
            .map_err(|e| Failure::Other(format!("writing the man page: {e}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            failure.report();
            failure.exit_code()
        }
    }
}
