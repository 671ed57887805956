//! Limit counters shared by a fleet of gateway replicas, in Redis or Valkey.
//!
//! With counters in each process, a limit of 100 an hour admits 100 × replicas.
//! [`RedisStore`] keeps them in one server instead: each limit node a request
//! reaches is one atomic script call (see `scripts.rs`), keyed as `keys.rs`
//! describes, so the fleet together admits exactly the limit.
//!
//! Time is always the caller's clock, passed in; the server's clock is never
//! read, so simulations against Redis are as deterministic as in memory.
//!
//! A store that cannot answer (server down, slow past the time-out, refused)
//! returns an error; the evaluator then applies the route's fail-open or
//! fail-closed choice and tells its caller. After an error the connection is
//! dropped (a timed-out connection may still deliver the late answer) and a new
//! one is tried on the next call, but not more often than
//! [`RedisOptions::reconnect_every`] seconds of the caller's clock, so a dead
//! server costs one failed connect per interval, not one per request.

mod error;
mod keys;
mod scripts;

pub use error::RedisError;

use std::fmt;
use std::time::Duration;

use crate::compile::LimitSpec;
use crate::eval::{KeyRef, LimitRef, LimitStore, StoreError};
use crate::syntax::ast::WindowMode;

/// How to reach and use the server.
#[derive(Clone)]
pub struct RedisOptions {
    /// The password, in place of one in the URL (so it need not appear on a
    /// command line). Never printed: `Debug` shows only whether it is set, and
    /// an error text that echoes it has it replaced.
    pub password: Option<String>,
    /// First segment of every key, to share a server with other programs.
    pub prefix: String,
    /// Longest wait for a connection.
    pub connect_timeout: Duration,
    /// Longest wait for one script's answer.
    pub io_timeout: Duration,
    /// Seconds of the caller's clock between attempts to reconnect.
    pub reconnect_every: f64,
    /// For `rediss://`: the certificate authorities to trust (PEM), in place of
    /// the public roots, for a server whose certificate a private CA signed.
    /// Verification is never turned off.
    pub ca_pem: Option<Vec<u8>>,
}

impl fmt::Debug for RedisOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisOptions")
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("prefix", &self.prefix)
            .field("connect_timeout", &self.connect_timeout)
            .field("io_timeout", &self.io_timeout)
            .field("reconnect_every", &self.reconnect_every)
            .field("ca_pem", &self.ca_pem.as_ref().map(Vec::len))
            .finish()
    }
}

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            password: None,
            prefix: "aig".into(),
            connect_timeout: Duration::from_millis(250),
            io_timeout: Duration::from_millis(100),
            reconnect_every: 1.0,
            ca_pem: None,
        }
    }
}

/// One round trip per limit node: `admit_one` for a rate limit, `used` for a
/// budget's check, `add` to settle.
impl LimitStore for RedisStore {
    fn admit_one(
        &mut self,
        limit: LimitRef<'_>,
        key: KeyRef<'_>,
        now: f64,
    ) -> Result<f64, StoreError> {
        Ok(RedisStore::admit_one(
            self,
            limit.route,
            limit.node,
            limit.spec,
            key,
            now,
        )?)
    }

    fn used(&mut self, limit: LimitRef<'_>, key: KeyRef<'_>, now: f64) -> Result<f64, StoreError> {
        Ok(RedisStore::used(
            self,
            limit.route,
            limit.node,
            limit.spec,
            key,
            now,
        )?)
    }

    fn add(
        &mut self,
        limit: LimitRef<'_>,
        key: KeyRef<'_>,
        now: f64,
        amount: f64,
    ) -> Result<(), StoreError> {
        Ok(RedisStore::add(
            self,
            limit.route,
            limit.node,
            limit.spec,
            key,
            now,
            amount,
        )?)
    }
}

/// Counts of what the store did, for reports and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RedisStats {
    /// Script calls answered.
    pub calls: u64,
    /// Calls that failed (time-out, connection lost, server error).
    pub errors: u64,
    /// Connections opened.
    pub connects: u64,
}

/// Limit counters in Redis or Valkey, shared by every process that points at the
/// same server and prefix.
pub struct RedisStore {
    link: Link,
    prefix: String,
    admit: redis::Script,
    used: redis::Script,
    add: redis::Script,
    keys: Keys,
}

/// The keys of the counter at hand, reused between calls.
#[derive(Default)]
struct Keys {
    counter: String,
    sum: String,
    seq: String,
}

/// The connection, and when to try again without one.
struct Link {
    client: redis::Client,
    conn: Option<redis::Connection>,
    options: RedisOptions,
    /// Caller time before which no reconnect is tried.
    retry_at: f64,
    stats: RedisStats,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The connection info may hold a password: never print it.
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("connected", &self.link.conn.is_some())
            .field("stats", &self.link.stats)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store for the server at `url` (`redis://host:port/db`, `rediss://` for
    /// TLS). Connects on first use, so a server that is down at start is a
    /// failure of the first request, handled like any other.
    pub fn open(url: &str, options: RedisOptions) -> Result<Self, RedisError> {
        let secret = options.password.as_deref();
        let bad_url = |e: redis::RedisError| RedisError::Url(error::redact(&e, secret));
        let mut info = redis::IntoConnectionInfo::into_connection_info(url).map_err(bad_url)?;
        if let Some(pw) = &options.password {
            let settings = info.redis_settings().clone().set_password(pw);
            info = info.set_redis_settings(settings);
        }
        let client = match &options.ca_pem {
            Some(pem) => redis::Client::build_with_tls(
                info,
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem.clone()),
                },
            ),
            None => redis::Client::open(info),
        }
        .map_err(bad_url)?;
        Ok(RedisStore {
            prefix: options.prefix.clone(),
            link: Link {
                client,
                conn: None,
                options,
                retry_at: f64::NEG_INFINITY,
                stats: RedisStats::default(),
            },
            admit: redis::Script::new(&scripts::source(scripts::ADMIT)),
            used: redis::Script::new(&scripts::source(scripts::USED)),
            add: redis::Script::new(&scripts::source(scripts::ADD)),
            keys: Keys::default(),
        })
    }

    /// Connects now (if not connected) and loads the scripts, so a wrong URL,
    /// password or certificate is found before the first request rather than
    /// decided by the fail-open or fail-closed choice. Ignores the reconnect pace.
    pub fn check(&mut self) -> Result<(), RedisError> {
        self.link.retry_at = f64::NEG_INFINITY;
        let secret = self.link.options.password.clone();
        let conn = self.link.connection(f64::NEG_INFINITY)?;
        for script in [&self.admit, &self.used, &self.add] {
            if let Err(e) = script.prepare_invoke().load(conn) {
                self.link.conn = None;
                return Err(error::classify(&e, secret.as_deref()));
            }
        }
        Ok(())
    }

    /// What the store did so far.
    pub fn stats(&self) -> RedisStats {
        self.link.stats
    }

    /// A rate limit's admission in one round trip: what was used before this
    /// request, counting it when that was below the limit.
    pub fn admit_one(
        &mut self,
        route: &str,
        node: &str,
        spec: &LimitSpec,
        key: KeyRef<'_>,
        now: f64,
    ) -> Result<f64, RedisError> {
        self.keys(route, node, spec, key, now);
        let mut inv = self.admit.prepare_invoke();
        self.keys.push(&mut inv);
        inv.arg(mode(spec))
            .arg(spec.limit)
            .arg(now)
            .arg(now - spec.window)
            .arg(ttl(spec, now));
        self.link.run(&inv, now)
    }

    /// What a limit has used in the window that holds `now`.
    pub fn used(
        &mut self,
        route: &str,
        node: &str,
        spec: &LimitSpec,
        key: KeyRef<'_>,
        now: f64,
    ) -> Result<f64, RedisError> {
        self.keys(route, node, spec, key, now);
        let mut inv = self.used.prepare_invoke();
        self.keys.push(&mut inv);
        inv.arg(mode(spec)).arg(now - spec.window);
        self.link.run(&inv, now)
    }

    /// Adds `amount` to a limit at `now`.
    pub fn add(
        &mut self,
        route: &str,
        node: &str,
        spec: &LimitSpec,
        key: KeyRef<'_>,
        now: f64,
        amount: f64,
    ) -> Result<(), RedisError> {
        self.keys(route, node, spec, key, now);
        let mut inv = self.add.prepare_invoke();
        self.keys.push(&mut inv);
        inv.arg(mode(spec)).arg(amount).arg(now).arg(ttl(spec, now));
        self.link.run(&inv, now).map(|_| ())
    }

    fn keys(&mut self, route: &str, node: &str, spec: &LimitSpec, key: KeyRef<'_>, now: f64) {
        let k = &mut self.keys;
        keys::counter_key(&mut k.counter, &self.prefix, route, node, spec, key, now);
        k.sum.clear();
        k.sum.push_str(&k.counter);
        k.sum.push_str(":sum");
        keys::sequence_key(&mut k.seq, &self.prefix, route);
    }
}

impl Keys {
    fn push(&self, inv: &mut redis::ScriptInvocation<'_>) {
        inv.key(self.counter.as_str())
            .key(self.sum.as_str())
            .key(self.seq.as_str());
    }
}

impl Link {
    fn run(&mut self, inv: &redis::ScriptInvocation<'_>, now: f64) -> Result<f64, RedisError> {
        let conn = self.connection(now)?;
        match inv.invoke::<String>(conn) {
            Ok(text) => {
                self.stats.calls += 1;
                text.parse::<f64>()
                    .map_err(|_| RedisError::Server(format!("unexpected answer {text:?}")))
            }
            Err(e) => {
                self.stats.errors += 1;
                // The connection may still deliver this call's late answer, which
                // the next call would read as its own: never reuse it.
                self.conn = None;
                self.retry_at = now + self.options.reconnect_every;
                Err(self.classify(&e))
            }
        }
    }

    fn connection(&mut self, now: f64) -> Result<&mut redis::Connection, RedisError> {
        if self.conn.is_none() {
            if now < self.retry_at {
                self.stats.errors += 1;
                return Err(RedisError::Unavailable(
                    "waiting to reconnect after an error".into(),
                ));
            }
            match self.dial() {
                Ok(c) => {
                    self.stats.connects += 1;
                    self.conn = Some(c);
                }
                Err(e) => {
                    self.stats.errors += 1;
                    self.retry_at = now + self.options.reconnect_every;
                    return Err(e);
                }
            }
        }
        self.conn
            .as_mut()
            .ok_or_else(|| RedisError::Unavailable("no connection".into()))
    }

    fn dial(&self) -> Result<redis::Connection, RedisError> {
        let conn = self
            .client
            .get_connection_with_timeout(self.options.connect_timeout)
            .map_err(|e| self.classify(&e))?;
        let io = Some(self.options.io_timeout);
        conn.set_read_timeout(io).map_err(|e| self.classify(&e))?;
        conn.set_write_timeout(io).map_err(|e| self.classify(&e))?;
        Ok(conn)
    }

    fn classify(&self, e: &redis::RedisError) -> RedisError {
        error::classify(e, self.options.password.as_deref())
    }
}

fn mode(spec: &LimitSpec) -> &'static str {
    match spec.mode {
        WindowMode::Fixed => "fixed",
        WindowMode::Sliding => "sliding",
    }
}

fn ttl(spec: &LimitSpec, now: f64) -> u64 {
    match spec.mode {
        WindowMode::Fixed => keys::fixed_ttl(now, spec.window),
        WindowMode::Sliding => keys::sliding_ttl(spec.window),
    }
}
