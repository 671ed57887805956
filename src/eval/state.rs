//! Limit counters: a small trait the evaluator talks to, and the in-memory store.
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

use std::collections::VecDeque;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use hashbrown::{Equivalent, HashMap};

use crate::compile::LimitSpec;
use crate::syntax::ast::WindowMode;

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

/// Where limit counters live. The evaluator asks how much of a limit is used in
/// the current window and adds to it; a store shared by several gateway replicas
/// can implement this without the evaluator changing.
pub trait LimitStore {
    /// Requests (or dollars) counted for `limit` under `key` in the window that
    /// contains `now`.
    fn used(&mut self, limit: u32, spec: &LimitSpec, key: KeyRef<'_>, now: f64) -> f64;
    /// Adds `amount` at time `now`.
    fn add(&mut self, limit: u32, spec: &LimitSpec, key: KeyRef<'_>, now: f64, amount: f64);
    /// A rate limit's admission in one step: returns what was used before, and
    /// counts one request when that was below the limit. Stores override this to
    /// look the key up once.
    fn admit_one(&mut self, limit: u32, spec: &LimitSpec, key: KeyRef<'_>, now: f64) -> f64 {
        let used = self.used(limit, spec, key, now);
        if used < spec.limit {
            self.add(limit, spec, key, now, 1.0);
        }
        used
    }
}

/// A key's text, stored in place when short (most user ids and team names), so
/// comparing keys in the map does not chase a pointer to the heap.
#[derive(Clone, Debug, PartialEq, Eq)]
enum KeyText {
    Inline { len: u8, bytes: [u8; 22] },
    Heap(Box<str>),
}

impl KeyText {
    fn new(s: &str) -> Self {
        if s.len() <= 22 {
            let mut bytes = [0u8; 22];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            KeyText::Inline {
                len: s.len() as u8,
                bytes,
            }
        } else {
            KeyText::Heap(s.into())
        }
    }

    fn as_str(&self) -> &str {
        match self {
            KeyText::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..*len as usize]).unwrap_or("")
            }
            KeyText::Heap(s) => s,
        }
    }

    fn is(&self, s: &str) -> bool {
        match self {
            KeyText::Inline { len, bytes } => &bytes[..*len as usize] == s.as_bytes(),
            KeyText::Heap(h) => &**h == s,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum OwnedKey {
    Missing,
    Str(KeyText),
    Num(u64),
    Bool(bool),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct StoreKey {
    limit: u32,
    key: OwnedKey,
}

impl Hash for StoreKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let key = match &self.key {
            OwnedKey::Missing => KeyRef::Missing,
            OwnedKey::Str(s) => KeyRef::Str(s.as_str()),
            OwnedKey::Num(bits) => KeyRef::Num(f64::from_bits(*bits)),
            OwnedKey::Bool(b) => KeyRef::Bool(*b),
        };
        Lookup {
            limit: self.limit,
            key,
        }
        .hash(state);
    }
}

/// A borrowed lookup key, hashing exactly like [`StoreKey`].
struct Lookup<'a> {
    limit: u32,
    key: KeyRef<'a>,
}

fn num_bits(n: f64) -> u64 {
    // 0.0 and -0.0 are one value.
    if n == 0.0 { 0 } else { n.to_bits() }
}

impl Hash for Lookup<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // StoreKey hashes through this too, so both always agree.
        self.limit.hash(state);
        match self.key {
            KeyRef::Missing => state.write_u8(0),
            KeyRef::Str(s) => {
                state.write_u8(1);
                s.hash(state);
            }
            KeyRef::Num(n) => {
                state.write_u8(2);
                num_bits(n).hash(state);
            }
            KeyRef::Bool(b) => {
                state.write_u8(3);
                b.hash(state);
            }
        }
    }
}

impl Equivalent<StoreKey> for Lookup<'_> {
    fn equivalent(&self, k: &StoreKey) -> bool {
        self.limit == k.limit
            && match (&self.key, &k.key) {
                (KeyRef::Missing, OwnedKey::Missing) => true,
                (KeyRef::Str(a), OwnedKey::Str(b)) => b.is(a),
                (KeyRef::Num(a), OwnedKey::Num(b)) => num_bits(*a) == *b,
                (KeyRef::Bool(a), OwnedKey::Bool(b)) => a == b,
                _ => false,
            }
    }
}

impl Lookup<'_> {
    fn owned(&self) -> StoreKey {
        StoreKey {
            limit: self.limit,
            key: match self.key {
                KeyRef::Missing => OwnedKey::Missing,
                KeyRef::Str(s) => OwnedKey::Str(KeyText::new(s)),
                KeyRef::Num(n) => OwnedKey::Num(num_bits(n)),
                KeyRef::Bool(b) => OwnedKey::Bool(b),
            },
        }
    }
}

/// A fast, fixed-seed hasher (FxHash's multiply-rotate): deterministic across runs.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(w));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

#[derive(Clone, Debug)]
enum Counter {
    Fixed {
        window: i64,
        used: f64,
    },
    /// Boxed so that the common fixed counter keeps a map entry to one cache line.
    Sliding(Box<Sliding>),
}

#[derive(Clone, Debug, Default)]
struct Sliding {
    events: VecDeque<(f64, f64)>,
    sum: f64,
}

fn window_index(now: f64, window: f64) -> i64 {
    (now / window).floor() as i64
}

impl Counter {
    fn new(spec: &LimitSpec, now: f64) -> Counter {
        match spec.mode {
            WindowMode::Fixed => Counter::Fixed {
                window: window_index(now, spec.window),
                used: 0.0,
            },
            WindowMode::Sliding => Counter::Sliding(Box::default()),
        }
    }

    fn used(&mut self, spec: &LimitSpec, now: f64) -> f64 {
        match self {
            Counter::Fixed { window, used } => {
                if *window == window_index(now, spec.window) {
                    *used
                } else {
                    0.0
                }
            }
            Counter::Sliding(sl) => {
                let Sliding { events, sum } = &mut **sl;
                let cutoff = now - spec.window;
                while events.front().is_some_and(|(t, _)| *t <= cutoff) {
                    if let Some((_, a)) = events.pop_front() {
                        *sum -= a;
                    }
                }
                if events.is_empty() {
                    *sum = 0.0;
                }
                *sum
            }
        }
    }

    fn add(&mut self, spec: &LimitSpec, now: f64, amount: f64) {
        match self {
            Counter::Fixed { window, used } => {
                let w = window_index(now, spec.window);
                if *window != w {
                    *window = w;
                    *used = 0.0;
                }
                *used += amount;
            }
            Counter::Sliding(sl) => {
                let Sliding { events, sum } = &mut **sl;
                events.push_back((now, amount));
                *sum += amount;
            }
        }
    }

    fn live(&mut self, spec: &LimitSpec, now: f64) -> bool {
        match self {
            Counter::Fixed { window, .. } => *window >= window_index(now, spec.window),
            Counter::Sliding(_) => self.used(spec, now) > 0.0,
        }
    }
}

/// The in-memory limit store.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    counters: HashMap<StoreKey, Counter, BuildHasherDefault<FxHasher>>,
    specs: Vec<Option<LimitSpec>>,
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
        self.counters.retain(
            |k, c| match specs.get(k.limit as usize).and_then(Option::as_ref) {
                Some(spec) => c.live(spec, now),
                None => true,
            },
        );
    }
}

impl LimitStore for MemoryStore {
    fn admit_one(&mut self, limit: u32, spec: &LimitSpec, key: KeyRef<'_>, now: f64) -> f64 {
        if let Some(c) = self.counters.get_mut(&Lookup { limit, key }) {
            let used = c.used(spec, now);
            if used < spec.limit {
                c.add(spec, now, 1.0);
            }
            return used;
        }
        if spec.limit > 0.0 {
            self.add(limit, spec, key, now, 1.0);
        }
        0.0
    }

    fn used(&mut self, limit: u32, spec: &LimitSpec, key: KeyRef<'_>, now: f64) -> f64 {
        match self.counters.get_mut(&Lookup { limit, key }) {
            Some(c) => c.used(spec, now),
            None => 0.0,
        }
    }

    fn add(&mut self, limit: u32, spec: &LimitSpec, key: KeyRef<'_>, now: f64, amount: f64) {
        let lookup = Lookup { limit, key };
        if let Some(c) = self.counters.get_mut(&lookup) {
            c.add(spec, now, amount);
            return;
        }
        let i = limit as usize;
        if self.specs.len() <= i {
            self.specs.resize(i + 1, None);
        }
        if self.specs[i].is_none() {
            self.specs[i] = Some(spec.clone());
        }
        if self.counters.len() >= self.next_prune {
            self.prune(now);
            self.next_prune = (self.counters.len() * 2).max(1024);
        }
        let mut c = Counter::new(spec, now);
        c.add(spec, now, amount);
        self.counters.insert(lookup.owned(), c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ast::LimitKind;

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

    #[test]
    fn fixed_windows_align_to_the_epoch() {
        let s = spec(WindowMode::Fixed);
        let mut m = MemoryStore::new();
        m.add(0, &s, KeyRef::Str("u"), 59.0, 1.0);
        assert_eq!(m.used(0, &s, KeyRef::Str("u"), 59.9,), 1.0);
        assert_eq!(m.used(0, &s, KeyRef::Str("u"), 60.0), 0.0);
        assert_eq!(m.used(0, &s, KeyRef::Str("v"), 59.0), 0.0);
        assert_eq!(m.used(0, &s, KeyRef::Missing, 59.0), 0.0);
        m.add(0, &s, KeyRef::Num(-0.0), 1.0, 1.0);
        assert_eq!(m.used(0, &s, KeyRef::Num(0.0), 1.0), 1.0);
    }

    #[test]
    fn sliding_windows_forget_old_events() {
        let s = spec(WindowMode::Sliding);
        let mut m = MemoryStore::new();
        m.add(0, &s, KeyRef::Missing, 30.0, 1.0);
        m.add(0, &s, KeyRef::Missing, 70.0, 1.0);
        assert_eq!(m.used(0, &s, KeyRef::Missing, 89.0), 2.0);
        assert_eq!(m.used(0, &s, KeyRef::Missing, 90.0), 1.0);
        assert_eq!(m.used(0, &s, KeyRef::Missing, 130.0), 0.0);
    }

    #[test]
    fn expired_keys_are_pruned() {
        let s = spec(WindowMode::Fixed);
        let mut m = MemoryStore::new();
        for i in 0..100_000u32 {
            let t = f64::from(i);
            m.add(0, &s, KeyRef::Num(t), t, 1.0);
        }
        // Only keys of the last window or two can be alive.
        assert!(m.len() < 3000, "{} counters kept", m.len());
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
