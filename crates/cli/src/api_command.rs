//! `cs-webhooks api OPERATION_ID`: any operation of the spec by its
//! operationId, with raw JSON out. The operations are data generated from
//! the spec, so one added there is reachable here with no new Rust.

use std::path::PathBuf;

use cs_webhooks_api::operations::OPERATIONS;
use cs_webhooks_api::{DynamicOperation, ParamLocation};
use cs_webhooks_blocking::Call;
use serde_json::json;

use crate::connection::ConnectionFlags;
use crate::failure::Failure;
use crate::output::{self, Format, List};
use crate::webhooks::read_source;

/// `api` flags.
#[derive(Debug, clap::Args)]
pub struct ApiArgs {
    /// The operationId (see `cs-webhooks api` for the list); none lists them.
    pub operation_id: Option<String>,
    /// A parameter of the operation (path, query or header), as NAME=VALUE.
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// The request body (JSON), from a file or `-` for stdin.
    #[arg(long, value_name = "FILE|-")]
    pub body: Option<PathBuf>,
}

/// Runs `api`.
pub fn run(args: &ApiArgs, flags: &ConnectionFlags, format: Format) -> Result<(), Failure> {
    let Some(id) = &args.operation_id else {
        return list_operations(format);
    };
    let usage = |e: cs_webhooks_blocking::Error| Failure::Usage(e.to_string());
    let mut operation = DynamicOperation::new(id).map_err(usage)?;
    for param in &args.params {
        let (name, value) = param
            .split_once('=')
            .ok_or_else(|| Failure::Usage(format!("--param takes NAME=VALUE, not {param:?}")))?;
        operation = operation.param(name, value).map_err(usage)?;
    }
    if let Some(path) = &args.body {
        operation = operation.body(read_source(path)?).map_err(usage)?;
    }
    let client = flags.client()?;
    let answer = Call::new(&client, operation)
        .send()
        .map_err(|e| Failure::api(format!("calling {id}"), e))?;
    match format {
        Format::Jsonl => output::line(
            &serde_json::to_string(&answer.value)
                .map_err(|e| Failure::Other(format!("encoding JSON: {e}")))?,
        ),
        Format::Table | Format::Json => output::json(&answer.value),
    }
}

fn list_operations(format: Format) -> Result<(), Failure> {
    let mut list = List::new(format, &["OPERATION", "METHOD", "PATH", "SUMMARY"]);
    for op in OPERATIONS {
        let params: Vec<_> = op
            .params
            .iter()
            .map(|p| {
                let location = match p.location {
                    ParamLocation::Path => "path",
                    ParamLocation::Query => "query",
                    ParamLocation::Header => "header",
                    _ => "other",
                };
                json!({"name": p.name, "in": location, "required": p.required})
            })
            .collect();
        list.push(
            json!({"id": op.id, "method": op.method, "path": op.path,
                   "summary": op.summary, "params": params}),
            vec![
                op.id.to_owned(),
                op.method.to_owned(),
                op.path.to_owned(),
                op.summary.to_owned(),
            ],
        )?;
    }
    list.finish()
}
