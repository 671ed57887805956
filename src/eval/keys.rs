//! Metadata key name → slot, built once when a program is compiled.
//!
//! The metadata reader looks up every key of every request, most of them keys
//! the route never reads. An open-addressed table hashed on a key's length and
//! first eight bytes (one unaligned load from the text being read) answers
//! "not read" at the first empty entry, usually without comparing a byte, and
//! a key of up to eight bytes is matched by comparing two words, never with
//! `memcmp`.

use crate::compile::SlotId;

/// Marks an empty table entry.
const EMPTY: u32 = u32::MAX;

#[derive(Clone, Copy, Debug)]
struct Entry {
    /// The key's first eight bytes, little-endian, zero past its end.
    head: u64,
    len: u32,
    /// The slot, or [`EMPTY`].
    slot: u32,
}

const VACANT: Entry = Entry {
    head: 0,
    len: 0,
    slot: EMPTY,
};

/// The slots of a program's metadata keys.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyIndex {
    /// A power of two with at least twice as many entries as keys, so a probe
    /// always meets an empty entry.
    table: Vec<Entry>,
    /// The bytes past the eighth of each key, by slot.
    tails: Vec<Box<[u8]>>,
    /// `64 - log2(table.len())`: the hash's top bits pick the entry.
    shift: u32,
}

/// A key's first eight bytes as a little-endian word, zero past its end.
#[inline]
pub(crate) fn head_of(key: &[u8]) -> u64 {
    match key.first_chunk::<8>() {
        Some(c) => u64::from_le_bytes(*c),
        None => key
            .iter()
            .rev()
            .fold(0u64, |w, &c| w.wrapping_shl(8) | u64::from(c)),
    }
}

/// A string's bytes 8 to 16 as a word, as [`head_of`] reads its first eight
/// (zero when it is shorter).
#[inline]
pub(crate) fn second_of(text: &[u8]) -> u64 {
    text.get(8..).map_or(0, head_of)
}

/// [`second_of`] the `len` bytes at `start` in `text`, by one load when eight
/// bytes are there to read.
#[inline]
pub(crate) fn second_at(text: &[u8], start: usize, len: usize) -> u64 {
    if len > 8 {
        head_at(text, start.saturating_add(8), len.saturating_sub(8))
    } else {
        0
    }
}

/// [`head_of`] for a constant key of up to eight bytes (longer ones are cut).
pub(crate) const fn head_const(key: &[u8]) -> u64 {
    let (mut w, mut shift, mut rest) = (0u64, 0u32, key);
    while let [first, tail @ ..] = rest {
        if shift < 64 {
            w |= (*first as u64).wrapping_shl(shift);
        }
        shift = shift.saturating_add(8);
        rest = tail;
    }
    w
}

/// [`head_of`] the `len` bytes at `start` in `text`, by one load when eight
/// bytes are there to read (the bytes after the key are masked off).
#[inline]
pub(crate) fn head_at(text: &[u8], start: usize, len: usize) -> u64 {
    match text.get(start..).and_then(<[u8]>::first_chunk::<8>) {
        Some(c) if len >= 8 => u64::from_le_bytes(*c),
        Some(c) => {
            // Under eight bytes: keep the low `8 * len` bits.
            let bits = u32::try_from(len).unwrap_or(0).saturating_mul(8);
            let mask = 1u64
                .checked_shl(bits)
                .map_or(u64::MAX, |b| b.wrapping_sub(1));
            u64::from_le_bytes(*c) & mask
        }
        None => head_of(
            text.get(start..start.saturating_add(len))
                .unwrap_or_default(),
        ),
    }
}

#[inline]
fn hash(head: u64, len: usize) -> u64 {
    head.wrapping_add(len as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl KeyIndex {
    /// The index of `keys`, slot `i` being `keys[i]` (at most `SlotId::MAX`
    /// keys reach a program; more are left out).
    pub(crate) fn new(keys: &[Box<str>]) -> Self {
        let n = keys.len().min(usize::from(SlotId::MAX));
        let size = n.saturating_mul(2).max(1).next_power_of_two();
        let mut index = KeyIndex {
            table: vec![VACANT; size],
            tails: Vec::with_capacity(n),
            shift: 64u32.saturating_sub(size.trailing_zeros()),
        };
        for (slot, key) in keys.iter().take(n).enumerate() {
            let b = key.as_bytes();
            index.tails.push(b.get(8..).unwrap_or_default().into());
            let head = head_of(b);
            let mut i = index.start(head, b.len());
            let mask = size.saturating_sub(1);
            while let Some(e) = index.table.get_mut(i) {
                if e.slot == EMPTY {
                    *e = Entry {
                        head,
                        len: u32::try_from(b.len()).unwrap_or(u32::MAX),
                        slot: u32::try_from(slot).unwrap_or(EMPTY),
                    };
                    break;
                }
                i = i.wrapping_add(1) & mask;
            }
        }
        index
    }

    #[inline]
    fn start(&self, head: u64, len: usize) -> usize {
        // The shift keeps the value below the table's length.
        usize::try_from(hash(head, len).checked_shr(self.shift).unwrap_or(0)).unwrap_or(0)
    }

    /// The slot of `key`, whose [`head_of`] is `head`.
    #[inline]
    pub(crate) fn find(&self, key: &[u8], head: u64) -> Option<SlotId> {
        let mask = self.table.len().wrapping_sub(1);
        let mut i = self.start(head, key.len());
        loop {
            let e = self.table.get(i)?;
            if e.slot == EMPTY {
                return None;
            }
            if e.head == head
                && e.len as usize == key.len()
                && (key.len() <= 8 || self.tails.get(e.slot as usize).map(|t| &**t) == key.get(8..))
            {
                return SlotId::try_from(e.slot).ok();
            }
            i = i.wrapping_add(1) & mask;
        }
    }

    /// The slot of `key`.
    #[inline]
    pub(crate) fn get(&self, key: &[u8]) -> Option<SlotId> {
        self.find(key, head_of(key))
    }
}

#[cfg(test)]
mod tests {
    use super::{KeyIndex, head_at, head_of};

    #[test]
    fn every_key_finds_its_slot_and_no_other_key_does() {
        let names = [
            "plan",
            "tier",
            "region",
            "user_id",
            "",
            "a",
            "cf.user_id",
            "odd key",
            "plan2",
            "12345678",
            "123456789",
            "1234567",
            "\u{e9}t\u{e9}",
        ];
        let keys: Vec<Box<str>> = names.iter().map(|k| (*k).into()).collect();
        let index = KeyIndex::new(&keys);
        for (slot, k) in names.iter().enumerate() {
            assert_eq!(index.get(k.as_bytes()), Some(slot as u16), "{k:?}");
        }
        for k in [
            "pla",
            "plan3",
            "12345679",
            "123456780",
            "user_ie",
            "b",
            "odd  key",
        ] {
            assert_eq!(index.get(k.as_bytes()), None, "{k:?}");
        }
        assert_eq!(KeyIndex::new(&[]).get(b"plan"), None);
        for k in ["t", "metadata", "user_id", ""] {
            assert_eq!(
                super::head_const(k.as_bytes()),
                head_of(k.as_bytes()),
                "{k}"
            );
        }
    }

    #[test]
    fn the_head_read_in_place_is_the_keys_own() {
        let text = br#"{"plan":"free","a":1,"user_id":"u","long_key_name":2}"#;
        for (start, len) in [(2, 4), (16, 1), (22, 7), (35, 13), (53, 0)] {
            let key = &text[start..start + len];
            assert_eq!(head_at(text, start, len), head_of(key), "{start} {len}");
        }
    }
}
