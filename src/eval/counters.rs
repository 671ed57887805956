//! What the in-memory store keeps: its map's keys (a limit's number and a key
//! value, looked up without building an owned key), the counters, and the
//! fixed-seed hasher that keeps its behaviour the same on every run.

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

use hashbrown::Equivalent;

use super::state::KeyRef;
use crate::compile::LimitSpec;
use crate::syntax::ast::WindowMode;

/// A key's text, stored in place when short (most user ids and team names), so
/// comparing keys in the map does not chase a pointer to the heap.
#[derive(Clone, Debug, PartialEq, Eq)]
enum KeyText {
    Inline { len: u8, bytes: [u8; 22] },
    Heap(Box<str>),
}

impl KeyText {
    fn new(s: &str) -> Self {
        let mut bytes = [0u8; 22];
        match (bytes.get_mut(..s.len()), u8::try_from(s.len())) {
            (Some(head), Ok(len)) => {
                head.copy_from_slice(s.as_bytes());
                KeyText::Inline { len, bytes }
            }
            _ => KeyText::Heap(s.into()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            KeyText::Inline { len, bytes } => bytes
                .get(..usize::from(*len))
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or(""),
            KeyText::Heap(s) => s,
        }
    }

    fn is(&self, s: &str) -> bool {
        match self {
            KeyText::Inline { len, bytes } => bytes.get(..usize::from(*len)) == Some(s.as_bytes()),
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
pub(super) struct StoreKey {
    pub(super) limit: u32,
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
pub(super) struct Lookup<'a> {
    pub(super) limit: u32,
    pub(super) key: KeyRef<'a>,
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
    pub(super) fn owned(&self) -> StoreKey {
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
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            if let Some(&w) = chunk.first_chunk::<8>() {
                self.add(u64::from_le_bytes(w));
            }
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            for (to, from) in w.iter_mut().zip(rest) {
                *to = *from;
            }
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
    /// Mixed once more (splitmix64's finalizer): the multiply-rotate leaves
    /// the low bits, which pick a table's bucket, depending on the low bits
    /// of the input only, so keys that differ past their first bytes (`u1234`,
    /// `u1235`) crowded into long probe runs.
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

#[derive(Clone, Debug)]
pub(super) enum Counter {
    Fixed {
        window: i64,
        used: f64,
    },
    /// Boxed so that the common fixed counter keeps a map entry to one cache line.
    Sliding(Box<Sliding>),
}

#[derive(Clone, Debug, Default)]
pub(super) struct Sliding {
    events: VecDeque<(f64, f64)>,
    sum: f64,
}

fn window_index(now: f64, window: f64) -> i64 {
    (now / window).floor() as i64
}

impl Counter {
    pub(super) fn new(spec: &LimitSpec, now: f64) -> Counter {
        match spec.mode {
            WindowMode::Fixed => Counter::Fixed {
                window: window_index(now, spec.window),
                used: 0.0,
            },
            WindowMode::Sliding => Counter::Sliding(Box::default()),
        }
    }

    pub(super) fn used(&mut self, spec: &LimitSpec, now: f64) -> f64 {
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

    pub(super) fn add(&mut self, spec: &LimitSpec, now: f64, amount: f64) {
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

    pub(super) fn live(&mut self, spec: &LimitSpec, now: f64) -> bool {
        match self {
            Counter::Fixed { window, .. } => *window >= window_index(now, spec.window),
            Counter::Sliding(_) => self.used(spec, now) > 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    /// Keys that differ only past their first bytes, as user ids do, spread
    /// over a table's buckets (the low bits) about as random ones would.
    #[test]
    fn similar_keys_spread_over_the_low_bits() {
        let build = std::hash::BuildHasherDefault::<FxHasher>::default();
        let mut buckets = std::collections::BTreeSet::new();
        for i in 0..4096 {
            let text = format!("u{i}");
            let key = Lookup {
                limit: 0,
                key: KeyRef::Str(&text),
            };
            buckets.insert(build.hash_one(&key) & 4095);
        }
        // 4,096 random draws into 4,096 buckets fill about 2,590 of them.
        assert!(buckets.len() > 2_400, "{} buckets", buckets.len());
    }
}
