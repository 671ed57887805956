//! Split buckets: `u64_be(SHA-256(route ‖ 0 ‖ node ‖ 0 ‖ value)[0..8])
//! mod 10000`, with the route and node prefix absorbed once at compile time.

use std::fmt::Write as _;

use sha2::Digest;

use super::request::{Request, Value};
use super::session::{Session, StickyFrom};
use crate::compile::{NodeId, Program};

impl Program {
    /// The bucket of a split for this request, the share it falls in, the node
    /// that share leads to, and where the hashed value came from. `None` for a
    /// split the program does not have.
    pub(super) fn bucket(
        &self,
        s: &mut Session,
        sticky: Option<u16>,
        split: u32,
        req: &Request,
        draw: bool,
    ) -> Option<(u16, usize, NodeId, StickyFrom)> {
        let table = self.splits.get(split as usize)?;
        let mut hasher = table.prefix.clone();
        let from = match sticky.and_then(|slot| req.get(slot)) {
            Some(v) => {
                match v {
                    Value::Str(t) => hasher.update(t.as_bytes()),
                    Value::Bool(b) => hasher.update(if b {
                        b"true".as_slice()
                    } else {
                        b"false".as_slice()
                    }),
                    Value::Num(x) => {
                        s.text.clear();
                        write_number(&mut s.text, x);
                        hasher.update(s.text.as_bytes());
                    }
                }
                StickyFrom::Field
            }
            None => match req.id() {
                Some(id) => {
                    hasher.update(id.as_bytes());
                    StickyFrom::RequestId
                }
                None => {
                    // Without a draw (explaining fallbacks) the generator must not
                    // advance; hash a fixed text instead.
                    let v = if draw { s.rng.next_u64() } else { 0 };
                    s.text.clear();
                    let _ = write!(s.text, "{v}");
                    hasher.update(s.text.as_bytes());
                    StickyFrom::Random
                }
            },
        };
        let bucket = bucket_of(&hasher.finalize());
        // Bounds are cumulative and the last is 10000, so some share holds every
        // bucket; the last share is the safe answer should rounding leave a gap.
        let (share, (_, next)) = table
            .shares
            .iter()
            .enumerate()
            .find(|(_, (bound, _))| bucket < *bound)
            .or_else(|| table.shares.iter().enumerate().next_back())?;
        Some((bucket, share, *next, from))
    }
}

/// A number as the sticky hash reads it: integral numbers as plain digits, others
/// as the shortest decimal that reads back to the same double, never an exponent.
pub fn write_number(out: &mut String, x: f64) {
    if x == 0.0 {
        out.push('0');
    } else {
        let _ = write!(out, "{x}");
    }
}

/// The bucket (0..10000) the sticky rule assigns to `value` at split `node` of
/// route `route`. Anyone can recompute it.
pub fn sticky_bucket(route: &str, node: &str, value: &str) -> u16 {
    let mut h = sha2::Sha256::new();
    h.update(route.as_bytes());
    h.update([0u8]);
    h.update(node.as_bytes());
    h.update([0u8]);
    h.update(value.as_bytes());
    bucket_of(&h.finalize())
}

/// The first eight bytes of a SHA-256 digest, big-endian, modulo 10000.
fn bucket_of(digest: &[u8]) -> u16 {
    let first = digest.first_chunk::<8>().copied().unwrap_or_default();
    u16::try_from(u64::from_be_bytes(first).wrapping_rem(10_000)).unwrap_or(0)
}
