//! The client's transport: ureq, and with `--verbose` every request and
//! answer told on stderr with credentials masked.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use cs_webhooks_blocking::{
    BlockingClient, BlockingTransport, Config, Error, TransportError, TransportFromConfig,
    UreqTransport,
};

/// The CLI's client.
pub type CliClient = BlockingClient<Transport>;

static VERBOSE: AtomicBool = AtomicBool::new(false);

/// `--verbose`: tell every request on stderr.
pub fn set_verbose(verbose: bool) {
    VERBOSE.store(verbose, Ordering::Relaxed);
}

/// Headers whose values are credentials.
const SECRET_HEADERS: &[&str] = &["api_key", "authorization", "authtoken"];

/// ureq, telling each exchange on stderr when verbose.
#[derive(Debug, Clone)]
pub struct Transport {
    inner: UreqTransport,
    verbose: bool,
}

impl BlockingTransport for Transport {
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        if self.verbose {
            eprintln!("> {} {}", request.method(), request.uri());
            for (name, value) in request.headers() {
                let shown = if SECRET_HEADERS.contains(&name.as_str()) {
                    "<masked>".to_owned()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                eprintln!("> {name}: {shown}");
            }
        }
        let answer = self.inner.send(request, timeout);
        if self.verbose {
            match &answer {
                Ok(response) => {
                    eprintln!("< {} ({} bytes)", response.status(), response.body().len())
                }
                Err(e) => eprintln!("< {e}"),
            }
        }
        answer
    }
}

impl TransportFromConfig for Transport {
    fn from_config(config: &Config) -> Result<Self, Error> {
        Ok(Transport {
            inner: UreqTransport::new(config),
            verbose: VERBOSE.load(Ordering::Relaxed),
        })
    }
}
