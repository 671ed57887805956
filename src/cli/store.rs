//! `--store`: where `eval` and `simulate` keep limit counters. In memory (the
//! default: empty at start, gone at exit) or in Redis/Valkey, shared with every
//! other process pointing at the same server and prefix.
//!
//! The store is checked before the first request, so a wrong address, password
//! or certificate is a clear error (exit 3, or 2 for a malformed flag) instead of
//! a run in which every limit was decided by `--on-store-error`. Failures during
//! the run are what `--on-store-error` is for: they are decided as it says and
//! reported.

use std::path::PathBuf;

use clap::ValueEnum;

use crate::compile::{Program, StoreFailure};
use crate::eval::{KeyRef, LimitRef, LimitStore, MemoryStore, StoreError};

/// The environment variable holding the Redis password (never a flag, so it
/// stays out of shell history and other users' `ps`).
pub const PASSWORD_ENV: &str = "AIG_ROUTE_REDIS_PASSWORD";

const HEADING: &str = "Limit counters (eval, simulate)";

/// Where limit counters live.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// `memory` (fresh, the default) or `redis://HOST:PORT/DB`, `rediss://…`
    /// (TLS), `redis+unix:///PATH`: counters shared with other processes. The
    /// password comes from AIG_ROUTE_REDIS_PASSWORD, never the URL.
    #[arg(long, value_name = "URL", default_value = "memory", help_heading = HEADING)]
    store: String,
    /// First segment of every Redis key, to share a server with other programs.
    #[arg(long, value_name = "PREFIX", default_value = "aig", help_heading = HEADING)]
    store_prefix: String,
    /// For `rediss://`: trust the certificate authorities in this PEM file
    /// instead of the public roots.
    #[arg(long, value_name = "FILE.pem", help_heading = HEADING)]
    store_ca: Option<PathBuf>,
    /// Longest wait for one answer from Redis, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=60_000), help_heading = HEADING)]
    store_timeout: u64,
    /// What a limit decides when the store cannot answer: `open` takes
    /// `success`, `closed` takes `fallback`.
    #[arg(long, value_enum, value_name = "CHOICE", default_value_t = OnError::Open, help_heading = HEADING)]
    on_store_error: OnError,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OnError {
    /// The limit passes (`success`).
    Open,
    /// The limit sends the request to `fallback`.
    Closed,
}

/// Limit counters for one command.
pub enum Store {
    /// Fresh counters in this process.
    Memory(MemoryStore),
    /// Counters in Redis.
    #[cfg(feature = "redis")]
    Redis(Box<crate::fleet::RedisStore>),
}

/// Why the store could not be set up: the exit code and the message.
pub type StoreFailed = (u8, String);

impl StoreArgs {
    /// Whether the counters are shared with other processes.
    pub fn is_shared(&self) -> bool {
        self.store != "memory"
    }

    /// The program with this run's choice for a store that cannot answer.
    pub fn apply(&self, program: Program) -> Program {
        program.with_store_failure(match self.on_store_error {
            OnError::Open => StoreFailure::Open,
            OnError::Closed => StoreFailure::Closed,
        })
    }

    /// Where the counters are, for messages: the URL without any user-info.
    pub fn describe(&self) -> String {
        if !self.is_shared() {
            return "memory".into();
        }
        let shown = match self.store.split_once("://") {
            Some((scheme, rest)) => {
                let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
                format!("{scheme}://{host}")
            }
            None => self.store.clone(),
        };
        crate::escape::terminal(&shown).into_owned()
    }

    /// Opens and checks the store.
    pub fn open(&self) -> Result<Store, StoreFailed> {
        if !self.is_shared() {
            if self.store_ca.is_some() {
                return Err((2, "--store-ca applies to a `rediss://` --store only".into()));
            }
            return Ok(Store::Memory(MemoryStore::new()));
        }
        self.open_shared()
    }

    #[cfg(not(feature = "redis"))]
    fn open_shared(&self) -> Result<Store, StoreFailed> {
        Err((
            2,
            format!(
                "--store `{}`: this build has no Redis support; build with the `redis` feature (on by default)",
                self.describe()
            ),
        ))
    }

    #[cfg(feature = "redis")]
    fn open_shared(&self) -> Result<Store, StoreFailed> {
        use crate::fleet::{RedisOptions, RedisStore};
        let url = self.store.as_str();
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err((
                2,
                format!(
                    "--store `{}` is neither `memory` nor a URL such as `redis://127.0.0.1:6379`",
                    crate::escape::terminal(url)
                ),
            ));
        };
        if !matches!(scheme, "redis" | "rediss" | "redis+unix" | "unix") {
            return Err((
                2,
                format!(
                    "--store: unknown scheme `{}`; use `redis://`, `rediss://` (TLS) or `redis+unix://`",
                    crate::escape::terminal(scheme)
                ),
            ));
        }
        if carries_password(rest) {
            return Err((
                2,
                format!(
                    "--store `{}`: the URL holds a password, which the command line would show to other users; remove it and set {PASSWORD_ENV}",
                    self.describe()
                ),
            ));
        }
        let ca_pem = match &self.store_ca {
            Some(_) if scheme != "rediss" => {
                return Err((2, "--store-ca applies to a `rediss://` --store only".into()));
            }
            Some(path) => Some(read_pem(path)?),
            None => None,
        };
        let options = RedisOptions {
            password: std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty()),
            prefix: self.store_prefix.clone(),
            io_timeout: std::time::Duration::from_millis(self.store_timeout),
            ca_pem,
            ..RedisOptions::default()
        };
        let mut store = RedisStore::open(url, options)
            .map_err(|e| (2, format!("--store `{}`: {e}", self.describe())))?;
        store.check().map_err(|e| {
            (
                3,
                format!(
                    "cannot use the limit store at `{}`: {e}; is the server running, and the password ({PASSWORD_ENV}) and certificate right?",
                    self.describe()
                ),
            )
        })?;
        Ok(Store::Redis(Box::new(store)))
    }
}

/// Whether the part of a URL after `://` has a password in its user-info or
/// its query.
fn carries_password(rest: &str) -> bool {
    let (authority, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let authority = authority.split('/').next().unwrap_or("");
    let in_userinfo = authority
        .rsplit_once('@')
        .is_some_and(|(info, _)| info.split_once(':').is_some_and(|(_, pw)| !pw.is_empty()));
    let in_query = query.is_some_and(|q| {
        q.split('&')
            .any(|kv| kv.starts_with("pass=") || kv.starts_with("password="))
    });
    in_userinfo || in_query
}

#[cfg(feature = "redis")]
fn read_pem(path: &std::path::Path) -> Result<Vec<u8>, StoreFailed> {
    use std::io::Read;
    const MAX: u64 = 1 << 20;
    let shown = crate::escape::terminal(&path.display().to_string()).into_owned();
    let file = std::fs::File::open(path)
        .map_err(|e| (2, format!("cannot read --store-ca `{shown}`: {e}")))?;
    let mut pem = Vec::new();
    file.take(MAX + 1)
        .read_to_end(&mut pem)
        .map_err(|e| (2, format!("cannot read --store-ca `{shown}`: {e}")))?;
    if pem.len() as u64 > MAX {
        return Err((
            2,
            format!("--store-ca `{shown}` is larger than 1 MiB; is it a PEM certificate file?"),
        ));
    }
    Ok(pem)
}

impl LimitStore for Store {
    fn admit_one(
        &mut self,
        limit: LimitRef<'_>,
        key: KeyRef<'_>,
        now: f64,
    ) -> Result<f64, StoreError> {
        match self {
            Store::Memory(s) => LimitStore::admit_one(s, limit, key, now),
            #[cfg(feature = "redis")]
            Store::Redis(s) => LimitStore::admit_one(s.as_mut(), limit, key, now),
        }
    }

    fn used(&mut self, limit: LimitRef<'_>, key: KeyRef<'_>, now: f64) -> Result<f64, StoreError> {
        match self {
            Store::Memory(s) => LimitStore::used(s, limit, key, now),
            #[cfg(feature = "redis")]
            Store::Redis(s) => LimitStore::used(s.as_mut(), limit, key, now),
        }
    }

    fn add(
        &mut self,
        limit: LimitRef<'_>,
        key: KeyRef<'_>,
        now: f64,
        amount: f64,
    ) -> Result<(), StoreError> {
        match self {
            Store::Memory(s) => LimitStore::add(s, limit, key, now, amount),
            #[cfg(feature = "redis")]
            Store::Redis(s) => LimitStore::add(s.as_mut(), limit, key, now, amount),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::carries_password;

    #[test]
    fn passwords_in_urls_are_found() {
        assert!(carries_password(":secret@127.0.0.1:6379"));
        assert!(carries_password("user:secret@host/0"));
        assert!(carries_password("/tmp/redis.sock?db=1&pass=x"));
        assert!(!carries_password("user@host:6379/0"));
        assert!(!carries_password("127.0.0.1:6379"));
        assert!(!carries_password("host:6379/0?protocol=resp3"));
    }
}
