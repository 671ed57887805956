//! Split buckets: `u64_be(SHA-256(route ‖ 0 ‖ node ‖ 0 ‖ value)[0..8])
//! mod 10000`, with the route and node prefix absorbed once at compile time.

use std::fmt::Write as _;

use sha2::Digest;

use super::request::{Request, Value};
use super::session::{Session, StickyFrom};
use crate::compile::{NodeId, Program, Split};

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
        // A string short enough to share one block with the prefix (user ids,
        // request ids) is hashed by one compression, without the hasher.
        if let Some((block, len)) = &table.block {
            let text = match sticky.and_then(|slot| req.str_at(slot)) {
                Some((t, _)) => Some((t, StickyFrom::Field)),
                None if sticky.and_then(|slot| req.get(slot)).is_none() => {
                    req.id_bytes().map(|id| (id, StickyFrom::RequestId))
                }
                None => None,
            };
            if let Some((t, from)) = text
                && let Some(bucket) = one_block(block, *len, t)
            {
                return share_of(table, bucket, from);
            }
        }
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
        share_of(table, bucket_of(&hasher.finalize()), from)
    }
}

/// The share of `split` that holds `bucket`, and where it leads.
#[inline]
fn share_of(
    split: &Split,
    bucket: u16,
    from: StickyFrom,
) -> Option<(u16, usize, NodeId, StickyFrom)> {
    // Bounds are cumulative and the last is 10000, so some share holds every
    // bucket; the last share is the safe answer should rounding leave a gap.
    let (share, (_, next)) = split
        .shares
        .iter()
        .enumerate()
        .find(|(_, (bound, _))| bucket < *bound)
        .or_else(|| split.shares.iter().enumerate().next_back())?;
    Some((bucket, share, *next, from))
}

/// The room SHA-256's padding takes in the last block: the `0x80` byte and
/// the message's length in bits (eight bytes).
const PADDING: usize = 9;

/// The block split `node` of route `route` hashes short values in: the
/// route's name, a zero byte, the node's id and a zero byte at its start,
/// zeros after them, and their length; `None` when they leave no room for a
/// value.
pub(crate) fn sticky_block(route: &str, node: &str) -> Option<(Box<[u8; 64]>, usize)> {
    let parts: [&[u8]; 4] = [route.as_bytes(), &[0], node.as_bytes(), &[0]];
    let mut block = Box::new([0u8; 64]);
    let mut len = 0usize;
    for part in parts {
        let end = len.checked_add(part.len())?;
        block.get_mut(len..end)?.copy_from_slice(part);
        len = end;
    }
    (len.checked_add(PADDING)? <= 64).then_some((block, len))
}

/// The bucket of `value` hashed after the `len` bytes of prefix at the start
/// of `block`, when prefix, value and padding fit in that one block: the
/// message laid out and padded as SHA-256 pads it, compressed once from the
/// initial state. `None` for a value too long to fit.
#[inline]
fn one_block(block: &[u8; 64], len: usize, value: &[u8]) -> Option<u16> {
    let end = len.checked_add(value.len())?;
    if end.checked_add(PADDING)? > 64 {
        return None;
    }
    let mut b = *block;
    b.get_mut(len..end)?.copy_from_slice(value);
    *b.get_mut(end)? = 0x80;
    let bits = u64::try_from(end).ok()?.checked_mul(8)?;
    *b.last_chunk_mut::<8>()? = bits.to_be_bytes();
    let mut state = INITIAL;
    sha2::block_api::compress256(&mut state, &[b]);
    let [a, b, ..] = state;
    let first = (u64::from(a) << 32) | u64::from(b);
    u16::try_from(first.wrapping_rem(10_000)).ok()
}

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const INITIAL: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

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

#[cfg(test)]
mod tests {
    use super::{PADDING, one_block, sticky_block, sticky_bucket};

    #[test]
    fn one_compression_gives_the_hashers_bucket_at_every_length_that_fits() {
        let mut fitted = 0;
        for route in ["r", "a-route-name-of-some-length"] {
            for node in ["s", "a-split-node-with-id-of-26"] {
                let len = route.len() + node.len() + 2;
                let Some((block, at)) = sticky_block(route, node) else {
                    panic!("{len} bytes of prefix leave room");
                };
                assert_eq!(at, len);
                for n in 0..=64usize {
                    let value: String = (0..n)
                        .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
                        .collect();
                    match one_block(&block, len, value.as_bytes()) {
                        Some(b) => {
                            assert_eq!(b, sticky_bucket(route, node, &value), "{route}/{node}/{n}");
                            fitted += 1;
                        }
                        None => assert!(len + n + PADDING > 64, "{n} bytes fit after {len}"),
                    }
                }
            }
        }
        // Every length up to the block's edge, after each of the four
        // prefixes (4, 29, 30 and 55 bytes: the last leaves room for none).
        assert_eq!(fitted, 52 + 27 + 26 + 1);
    }

    #[test]
    fn a_prefix_that_fills_the_block_has_none() {
        // 1 + 1 + 53 + 1 = 56 bytes, and 9 of padding: no room for a byte.
        assert!(sticky_block("r", &"n".repeat(53)).is_none());
        assert!(sticky_block("r", &"n".repeat(52)).is_some());
    }
}
