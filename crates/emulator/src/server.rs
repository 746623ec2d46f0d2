//! Starting and stopping: open the store, settle the stacks and the signing
//! key, recover interrupted attempts, then serve and deliver until shutdown.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use cs_webhooks_model::Secret;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::api;
use crate::api::auth::MAIN_BRANCH;
use crate::config::EmulatorBuilder;
use crate::connections;
use crate::delivery::Deliverer;
use crate::delivery::enqueuer::Enqueuer;
use crate::delivery::signing::SigningKey;
use crate::error::Error;
use crate::ids;
use crate::mailbox::Mailbox;
use crate::ratelimit::RateLimiter;
use crate::shapes::Shapes;
use crate::state::AppState;
use crate::store::{StackRow, Store};

/// Where the signing key is kept in the data file.
const KEY_META: &str = "signing_key_pkcs8";

/// A stack's credentials, as [`EmulatorHandle::stacks`] reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackCredentials {
    /// The `api_key` header value.
    pub api_key: String,
    /// The management token (`authorization` header).
    pub token: Secret,
    /// Its branches, `main` first.
    pub branches: Vec<String>,
    /// Whether the emulator made it up because no stack was given.
    pub demo: bool,
}

/// A running emulator. Dropping it stops it in the background; call
/// [`shutdown`](EmulatorHandle::shutdown) to stop and wait.
#[derive(Debug)]
pub struct EmulatorHandle {
    addr: SocketAddr,
    state: Arc<AppState>,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    worker: Option<JoinHandle<()>>,
}

impl EmulatorBuilder {
    /// Starts the emulator: it is serving when this returns.
    pub async fn start(self) -> Result<EmulatorHandle, Error> {
        let scale = self.settings.time_scale;
        if !scale.is_finite() || scale < 0.0 {
            return Err(Error::Config(format!(
                "time scale must be a finite number >= 0, got {scale}"
            )));
        }
        if let Some(limit) = self.settings.rate_limit
            && (limit.reads == 0 || limit.writes == 0)
        {
            return Err(Error::Config(format!(
                "a rate limit must allow at least 1 read and 1 write a second, got {},{}",
                limit.reads, limit.writes
            )));
        }
        // reqwest is built without a default TLS provider; ring keeps builds fast.
        // An error only means a provider is already installed.
        let _ = rustls::crypto::ring::default_provider().install_default();

        let shapes = Shapes::get().map_err(Error::Spec)?;
        let path = self.data_file.clone();
        let store = blocking(move || Store::open(path.as_deref())).await??;
        let store = Arc::new(store);
        let key = signing_key(&store, self.signing_key.clone()).await?;
        let stacks = settle_stacks(&store, &self).await?;
        seed(&store, &self, &stacks, shapes).await?;

        let listener = tokio::net::TcpListener::bind(self.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: self.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: self.listen,
            source,
        })?;

        let limiter = self.settings.rate_limit.map(RateLimiter::new);
        let enqueuer = Enqueuer::start(Arc::clone(&store))?;
        let state = Arc::new(AppState {
            store,
            stacks,
            settings: self.settings,
            key,
            shapes,
            limiter,
            mailbox: Mailbox::default(),
            wake: Arc::new(Notify::new()),
            enqueuer,
        });
        let deliverer = Arc::new(Deliverer::new(Arc::clone(&state))?);
        let interrupted = deliverer.recover().await?;
        if interrupted > 0 {
            tracing::warn!(
                interrupted,
                "recorded interrupted attempts from the last run"
            );
        }

        let (stop, stop_rx) = watch::channel(false);
        let worker = tokio::spawn(Arc::clone(&deliverer).run(stop_rx.clone()));
        let router = api::router(Arc::clone(&state));
        let limits = state.settings.connections;
        let server = tokio::spawn(connections::serve(listener, router, limits, stop_rx));
        tracing::info!(%addr, "emulator listening");
        Ok(EmulatorHandle {
            addr,
            state,
            stop,
            server: Some(server),
            worker: Some(worker),
        })
    }
}

impl EmulatorHandle {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://host:port`, the root of every route.
    pub fn root_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The API's base URL, `http://host:port/v3` (what clients take as base URL).
    pub fn base_url(&self) -> String {
        format!("{}/v3", self.root_url())
    }

    /// The emulator-only route that fires events.
    pub fn events_url(&self) -> String {
        format!("{}/_emulator/events", self.root_url())
    }

    /// The stacks it serves, with their credentials.
    pub fn stacks(&self) -> Vec<StackCredentials> {
        let mut stacks: Vec<StackCredentials> = self
            .state
            .stacks
            .values()
            .map(|s| StackCredentials {
                api_key: s.api_key.clone(),
                token: s.token.clone(),
                branches: s.branches.clone(),
                demo: s.demo,
            })
            .collect();
        stacks.sort_by(|a, b| a.api_key.cmp(&b.api_key));
        stacks
    }

    /// The key deliveries are signed with.
    pub fn signing_key(&self) -> &SigningKey {
        &self.state.key
    }

    /// How many deliveries are queued, scheduled or in flight.
    pub async fn pending_deliveries(&self) -> Result<u64, Error> {
        let store = Arc::clone(&self.state.store);
        Ok(blocking(move || store.pending_jobs()).await??)
    }

    /// How many executions and attempts are stored.
    pub async fn stored_counts(&self) -> Result<(u64, u64), Error> {
        let store = Arc::clone(&self.state.store);
        Ok(blocking(move || store.counts()).await??)
    }

    /// Stops accepting requests, lets attempts in flight finish (a few seconds
    /// at most), and waits for both.
    pub async fn shutdown(mut self) -> Result<(), Error> {
        let _ = self.stop.send(true);
        if let Some(worker) = self.worker.take() {
            worker.await.map_err(|e| Error::Task(e.to_string()))?;
        }
        if let Some(server) = self.server.take() {
            server.await.map_err(|e| Error::Task(e.to_string()))?;
        }
        Ok(())
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Task(e.to_string()))
}

/// The builder's key, else the stored one, else a new one; the result is stored.
async fn signing_key(store: &Arc<Store>, given: Option<SigningKey>) -> Result<SigningKey, Error> {
    let store = Arc::clone(store);
    blocking(move || -> Result<SigningKey, Error> {
        let stored = store.meta(KEY_META)?;
        let key = match (given, stored) {
            (Some(key), _) => key,
            (None, Some(pem)) => SigningKey::from_pkcs8_pem(&pem)?,
            (None, None) => SigningKey::generate()?,
        };
        let pem = key.to_pkcs8_pem()?;
        if store.meta(KEY_META)?.as_deref() != Some(pem.expose()) {
            store.set_meta(KEY_META, pem.expose())?;
        }
        Ok(key)
    })
    .await?
}

/// Stored stacks, updated by the builder's stacks, branches and secrets; a
/// demo stack when there is none at all.
async fn settle_stacks(
    store: &Arc<Store>,
    builder: &EmulatorBuilder,
) -> Result<HashMap<String, StackRow>, Error> {
    let store = Arc::clone(store);
    let specs = builder.stacks.clone();
    let hmac = builder.hmac_secrets.clone();
    let branches = builder.branches.clone();
    let demo = builder.demo_stack;
    blocking(move || -> Result<HashMap<String, StackRow>, Error> {
        let mut stacks: Vec<StackRow> = store.stacks()?;
        // Given stacks replace a remembered demo stack.
        if !specs.is_empty() {
            stacks.retain(|s| !s.demo);
        }
        for spec in specs {
            let stack = match stacks.iter_mut().find(|s| s.api_key == spec.api_key) {
                Some(s) => {
                    s.token = spec.token;
                    s
                }
                None => {
                    stacks.push(new_stack(spec.api_key, spec.token, false));
                    let last = stacks.len() - 1;
                    &mut stacks[last]
                }
            };
            if let Some(org) = spec.org_uid {
                stack.org_uid = org;
            }
        }
        if stacks.is_empty() && demo {
            stacks.push(new_stack(
                ids::blt_uid(),
                Secret::new(ids::token("cs", 16)),
                true,
            ));
        }
        for (api_key, secret) in hmac {
            let stack = stacks
                .iter_mut()
                .find(|s| s.api_key == api_key)
                .ok_or_else(|| {
                    Error::Config(format!("--hmac-secret names unknown stack {api_key}"))
                })?;
            stack.hmac_secret = Some(secret);
        }
        for (api_key, branch) in branches {
            if branch.is_empty() {
                return Err(Error::Config("a branch name cannot be empty".into()));
            }
            let stack = stacks
                .iter_mut()
                .find(|s| s.api_key == api_key)
                .ok_or_else(|| Error::Config(format!("--branch names unknown stack {api_key}")))?;
            if !stack.branches.contains(&branch) {
                stack.branches.push(branch);
            }
        }
        let mut map = HashMap::new();
        for mut stack in stacks {
            if !stack.branches.iter().any(|b| b == MAIN_BRANCH) {
                stack.branches.insert(0, MAIN_BRANCH.to_owned());
            }
            store.save_stack(&stack)?;
            map.insert(stack.api_key.clone(), stack);
        }
        Ok(map)
    })
    .await?
}

/// Loads the seed files into the first given stack (else the only one).
async fn seed(
    store: &Arc<Store>,
    builder: &EmulatorBuilder,
    stacks: &HashMap<String, StackRow>,
    shapes: &'static Shapes,
) -> Result<(), Error> {
    if builder.seeds.is_empty() {
        return Ok(());
    }
    let target = match builder.stacks.first() {
        Some(spec) => stacks.get(&spec.api_key),
        None if stacks.len() == 1 => stacks.values().next(),
        None => None,
    }
    .cloned()
    .ok_or_else(|| Error::Config("--seed needs a stack: give one with --stack".into()))?;
    let store = Arc::clone(store);
    let files = builder.seeds.clone();
    let allow_unknown_channels = builder.settings.allow_unknown_channels;
    blocking(move || -> Result<(), Error> {
        for file in files {
            let seeded = crate::seed::load(&file, &target, shapes, &store, allow_unknown_channels)?;
            tracing::info!(file = %file.display(), imported = seeded.imported,
                kept = seeded.kept, "seeded webhooks");
        }
        Ok(())
    })
    .await?
}

fn new_stack(api_key: String, token: Secret, demo: bool) -> StackRow {
    StackRow {
        api_key,
        token,
        org_uid: ids::blt_uid(),
        user_uid: ids::blt_uid(),
        hmac_secret: None,
        demo,
        branches: vec![MAIN_BRANCH.to_owned()],
    }
}
