//! Limit counters: a small trait the evaluator talks to, and the in-memory store.
//!
//! A limit is identified by its route's name and its node's id ([`LimitRef`]),
//! and counts per value of its key field: never by the order the compiler
//! numbered nodes in, so a redeploy that adds or reorders nodes keeps every
//! counter with its limit. A store may fail (a networked one); the program then
//! applies its [`StoreFailure`](crate::compile::StoreFailure) choice and reports
//! the [`StoreError`] to its caller.
//!
//! Time is whatever the caller says it is (seconds since the Unix epoch, as `f64`);
//! nothing here reads a clock. Fixed windows start at multiples of their length
//! since the epoch; sliding windows count the last `window` seconds.
//!
//! Memory of [`MemoryStore`]: one entry per live (limit node, key value) pair —
//! about 72 bytes plus the key's text for a fixed window, and 16 bytes more per
//! counted event for a sliding one. Entries whose window has passed are dropped as
//! the store grows, so memory follows the number of keys live at once, not the
//! length of the traffic.

use std::hash::{BuildHasherDefault, Hash};

use hashbrown::{Equivalent, HashMap};

use super::counters::{Counter, FxHasher, Lookup, StoreKey};
use crate::compile::LimitSpec;

/// The value a limit counts under: the request's value of the limit's key field,
/// or `Missing` (all requests without it share one counter).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KeyRef<'a> {
    /// The request lacks the field (or the limit has no key).
    Missing,
    /// A string value.
    Str(&'a str),
    /// A number value.
    Num(f64),
    /// A boolean value.
    Bool(bool),
}

/// Which limit: its stable identity (route name, node id) and its parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LimitRef<'a> {
    /// The route's name.
    pub route: &'a str,
    /// The limit node's id.
    pub node: &'a str,
    /// Requests or dollars, per how long a window, fixed or sliding.
    pub spec: &'a LimitSpec,
}

/// Why a limit store could not answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No connection to the store (refused, dropped, waiting to retry).
    #[error("the limit store is unavailable: {0}")]
    Unavailable(String),
    /// The store did not answer in time.
    #[error("the limit store did not answer in time")]
    Timeout,
    /// The store answered with an error.
    #[error("the limit store answered with an error: {0}")]
    Failed(String),
}

/// Where limit counters live: one call per limit node a request reaches, so a
/// networked store (shared by a fleet of gateway replicas) needs one round trip
/// per limit node. Each call is atomic for its counter.
pub trait LimitStore {
    /// A rate limit's admission: returns the requests counted under `key` in the
    /// window holding `now` before this one, and counts this one when that was
    /// below the limit.
    fn admit_one(
        &mut self,
        limit: LimitRef<'_>,
        key: KeyRef<'_>,
        now: f64,
    ) -> Result<f64, StoreError>;
    /// A budget's check: the dollars settled under `key` in the window holding
    /// `now`.
    fn used(&mut self, limit: LimitRef<'_>, key: KeyRef<'_>, now: f64) -> Result<f64, StoreError>;
    /// Settles `amount` dollars under `key` at `now`.
    fn add(
        &mut self,
        limit: LimitRef<'_>,
        key: KeyRef<'_>,
        now: f64,
        amount: f64,
    ) -> Result<(), StoreError>;
}

/// A limit's identity, owned: (route name, node id).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Ident {
    route: Box<str>,
    node: Box<str>,
}

/// A borrowed identity, hashing exactly like [`Ident`].
#[derive(Hash)]
struct IdentRef<'a> {
    route: &'a str,
    node: &'a str,
}

impl Equivalent<Ident> for IdentRef<'_> {
    fn equivalent(&self, k: &Ident) -> bool {
        *k.route == *self.route && *k.node == *self.node
    }
}

type FxBuild = BuildHasherDefault<FxHasher>;

/// How many identities [`MemoryStore`] remembers by address (a power of two).
const RECENT: usize = 4;

/// The in-memory limit store. It never fails.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    counters: HashMap<StoreKey, Counter, FxBuild>,
    /// Each limit identity seen, numbered in order of first use (counters hold
    /// the number, not the strings), with the latest parameters for pruning.
    idents: HashMap<Ident, u32, FxBuild>,
    /// Each identity by its number.
    names: Vec<Ident>,
    /// The identities last looked up, by the addresses of their names
    /// (which do not move while their program lives) and number. A hit is
    /// confirmed by comparing the names, so another program allocated where a
    /// dropped one was is never mistaken for it; it saves hashing both names
    /// on every call, a tenth of a replayed line.
    recent: [(usize, usize, u32); RECENT],
    next_recent: usize,
    specs: Vec<LimitSpec>,
    next_prune: usize,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of live (limit, key) counters held.
    pub fn len(&self) -> usize {
        self.counters.len()
    }

    /// Whether no counter is held.
    pub fn is_empty(&self) -> bool {
        self.counters.is_empty()
    }

    /// Drops counters whose window has passed by `now`.
    pub fn prune(&mut self, now: f64) {
        let specs = &self.specs;
        self.counters
            .retain(|k, c| match specs.get(k.limit as usize) {
                Some(spec) => c.live(spec, now),
                None => true,
            });
    }

    /// The number of a limit identity, if it was ever counted.
    fn known(&mut self, limit: LimitRef<'_>) -> Option<u32> {
        let at = (limit.route.as_ptr() as usize, limit.node.as_ptr() as usize);
        for &(route, node, n) in &self.recent {
            if (route, node) == at
                && self
                    .names
                    .get(n as usize)
                    .is_some_and(|i| *i.node == *limit.node && *i.route == *limit.route)
            {
                return Some(n);
            }
        }
        let probe = IdentRef {
            route: limit.route,
            node: limit.node,
        };
        let n = self.idents.get(&probe).copied()?;
        if let Some(slot) = self.recent.get_mut(self.next_recent) {
            *slot = (at.0, at.1, n);
        }
        self.next_recent = self.next_recent.wrapping_add(1) & (RECENT - 1);
        Some(n)
    }

    /// The number of a limit identity, numbering it when new, and keeping its
    /// latest parameters.
    fn intern(&mut self, limit: LimitRef<'_>) -> u32 {
        if let Some(n) = self.known(limit) {
            if let Some(spec) = self.specs.get_mut(n as usize) {
                if spec != limit.spec {
                    *spec = limit.spec.clone();
                }
            }
            return n;
        }
        let n = u32::try_from(self.specs.len()).unwrap_or(u32::MAX);
        self.specs.push(limit.spec.clone());
        let ident = Ident {
            route: limit.route.into(),
            node: limit.node.into(),
        };
        self.names.push(ident.clone());
        self.idents.insert(ident, n);
        n
    }

    fn counter(&mut self, limit: LimitRef<'_>, key: KeyRef<'_>) -> Option<&mut Counter> {
        let n = self.known(limit)?;
        self.counters.get_mut(&Lookup { limit: n, key })
    }

    fn insert(&mut self, limit: LimitRef<'_>, key: KeyRef<'_>, now: f64, amount: f64) {
        let n = self.intern(limit);
        if self.counters.len() >= self.next_prune {
            self.prune(now);
            self.next_prune = self.counters.len().saturating_mul(2).max(1024);
        }
        let mut c = Counter::new(limit.spec, now);
        c.add(limit.spec, now, amount);
        self.counters.insert(Lookup { limit: n, key }.owned(), c);
    }
}

impl LimitStore for MemoryStore {
    fn admit_one(
        &mut self,
        limit: LimitRef<'_>,
        key: KeyRef<'_>,
        now: f64,
    ) -> Result<f64, StoreError> {
        if let Some(c) = self.counter(limit, key) {
            let used = c.used(limit.spec, now);
            if used < limit.spec.limit {
                c.add(limit.spec, now, 1.0);
            }
            return Ok(used);
        }
        if limit.spec.limit > 0.0 {
            self.insert(limit, key, now, 1.0);
        }
        Ok(0.0)
    }

    fn used(&mut self, limit: LimitRef<'_>, key: KeyRef<'_>, now: f64) -> Result<f64, StoreError> {
        Ok(self
            .counter(limit, key)
            .map_or(0.0, |c| c.used(limit.spec, now)))
    }

    fn add(
        &mut self,
        limit: LimitRef<'_>,
        key: KeyRef<'_>,
        now: f64,
        amount: f64,
    ) -> Result<(), StoreError> {
        match self.counter(limit, key) {
            Some(c) => c.add(limit.spec, now, amount),
            None => self.insert(limit, key, now, amount),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::{LimitKind, WindowMode};

    fn spec(mode: WindowMode) -> LimitSpec {
        LimitSpec {
            kind: LimitKind::Count,
            key: None,
            key_name: None,
            limit: 2.0,
            window: 60.0,
            mode,
        }
    }

    fn at<'a>(node: &'a str, spec: &'a LimitSpec) -> LimitRef<'a> {
        LimitRef {
            route: "r",
            node,
            spec,
        }
    }

    #[test]
    fn identities_found_by_address_are_confirmed_by_name() {
        let s = spec(WindowMode::Fixed);
        let mut m = MemoryStore::new();
        // More limits than the store remembers by address, each counted once.
        let names: Vec<String> = (0..3 * RECENT).map(|i| format!("n{i}")).collect();
        for n in &names {
            m.add(at(n, &s), KeyRef::Missing, 0.0, 1.0).unwrap();
        }
        // The same names at other addresses find the same counters.
        for (i, n) in names.iter().enumerate() {
            let copy = n.clone();
            m.add(at(&copy, &s), KeyRef::Missing, 0.0, i as f64)
                .unwrap();
            assert_eq!(
                m.used(at(n, &s), KeyRef::Missing, 0.0).unwrap(),
                1.0 + i as f64
            );
        }
        // A name changed in place (same address, other text) is another limit.
        let mut moving = String::from("n0");
        assert_eq!(m.used(at(&moving, &s), KeyRef::Missing, 0.0).unwrap(), 1.0);
        moving.replace_range(.., "zz");
        assert_eq!(m.used(at(&moving, &s), KeyRef::Missing, 0.0).unwrap(), 0.0);
    }

    #[test]
    fn fixed_windows_align_to_the_epoch() {
        let s = spec(WindowMode::Fixed);
        let mut m = MemoryStore::new();
        m.add(at("n", &s), KeyRef::Str("u"), 59.0, 1.0).unwrap();
        assert_eq!(m.used(at("n", &s), KeyRef::Str("u"), 59.9,).unwrap(), 1.0);
        assert_eq!(m.used(at("n", &s), KeyRef::Str("u"), 60.0).unwrap(), 0.0);
        assert_eq!(m.used(at("n", &s), KeyRef::Str("v"), 59.0).unwrap(), 0.0);
        assert_eq!(m.used(at("n", &s), KeyRef::Missing, 59.0).unwrap(), 0.0);
        m.add(at("n", &s), KeyRef::Num(-0.0), 1.0, 1.0).unwrap();
        assert_eq!(m.used(at("n", &s), KeyRef::Num(0.0), 1.0).unwrap(), 1.0);
    }

    #[test]
    fn sliding_windows_forget_old_events() {
        let s = spec(WindowMode::Sliding);
        let mut m = MemoryStore::new();
        m.add(at("n", &s), KeyRef::Missing, 30.0, 1.0).unwrap();
        m.add(at("n", &s), KeyRef::Missing, 70.0, 1.0).unwrap();
        assert_eq!(m.used(at("n", &s), KeyRef::Missing, 89.0), Ok(2.0));
        assert_eq!(m.used(at("n", &s), KeyRef::Missing, 90.0), Ok(1.0));
        assert_eq!(m.used(at("n", &s), KeyRef::Missing, 130.0), Ok(0.0));
    }

    #[test]
    fn expired_keys_are_pruned() {
        let s = spec(WindowMode::Fixed);
        let mut m = MemoryStore::new();
        for i in 0..100_000u32 {
            let t = f64::from(i);
            m.add(at("n", &s), KeyRef::Num(t), t, 1.0).unwrap();
        }
        // Only keys of the last window or two can be alive.
        assert!(m.len() < 3000, "{} counters kept", m.len());
    }

    #[test]
    fn a_limit_is_its_route_and_node_not_a_position() {
        let s = spec(WindowMode::Fixed);
        let mut m = MemoryStore::new();
        assert_eq!(m.admit_one(at("a", &s), KeyRef::Missing, 1.0), Ok(0.0));
        assert_eq!(m.admit_one(at("a", &s), KeyRef::Missing, 1.0), Ok(1.0));
        // Another node, or the same node id in another route, counts apart.
        assert_eq!(m.admit_one(at("b", &s), KeyRef::Missing, 1.0), Ok(0.0));
        let other = LimitRef {
            route: "other",
            ..at("a", &s)
        };
        assert_eq!(m.admit_one(other, KeyRef::Missing, 1.0), Ok(0.0));
        // Full at 2: not counted further.
        assert_eq!(m.admit_one(at("a", &s), KeyRef::Missing, 1.0), Ok(2.0));
        assert_eq!(m.used(at("a", &s), KeyRef::Missing, 1.0), Ok(2.0));
    }
}

#[cfg(test)]
mod size {
    #[test]
    fn a_fixed_counter_entry_fits_a_cache_line() {
        let entry = std::mem::size_of::<(super::StoreKey, super::Counter)>();
        assert!(entry <= 64, "{entry} bytes");
    }
}
