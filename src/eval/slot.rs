//! One metadata value of a request, as the evaluator reads it: its type, a
//! number, or a string whose first sixteen bytes are kept inline.

use super::request::Value;

/// What a slot holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Tag {
    #[default]
    Missing,
    Str,
    Num,
    Bool,
}

/// The longest string a slot keeps inline, in [`Slot::short`].
pub(super) const SHORT: usize = 16;

/// One slot's value: a string, a number or a boolean (as 0 or 1), or none.
#[derive(Clone, Debug, Default)]
pub(super) struct Slot {
    pub(super) tag: Tag,
    pub(super) num: f64,
    /// The string's length in bytes.
    pub(super) len: usize,
    /// The string's first sixteen bytes, zero past its end: the whole of a
    /// string of up to sixteen bytes (most metadata values), which is then
    /// never copied anywhere else. As two little-endian words (see
    /// `keys::head_of` and `keys::second_of`) they settle most string tests
    /// with the length, never comparing bytes.
    pub(super) short: [u8; SHORT],
    /// The whole string, when it is longer than sixteen bytes.
    pub(super) text: String,
}

impl Slot {
    pub(super) fn set(&mut self, value: Value<'_>) {
        match value {
            Value::Str(v) => {
                let b = v.as_bytes();
                self.set_str(v, super::keys::head_of(b), super::keys::second_of(b));
            }
            Value::Num(n) => {
                self.tag = Tag::Num;
                self.num = n;
            }
            Value::Bool(b) => {
                self.tag = Tag::Bool;
                self.num = f64::from(u8::from(b));
            }
        }
    }

    /// Makes the slot hold string `v`, whose bytes 0 to 8 are `head` and 8 to
    /// 16 `second` (zero past its end).
    #[inline(always)]
    pub(super) fn set_str(&mut self, v: &str, head: u64, second: u64) {
        self.set_short(v.len(), head, second);
        if v.len() > SHORT {
            self.text.clear();
            self.text.push_str(v);
        }
    }

    /// [`Slot::set_str`] for a string of up to sixteen bytes, given whole by
    /// its two words, or the first sixteen bytes of a longer one (which may
    /// end inside a character: only the string tests' words read them
    /// then, never [`Slot::text`]).
    #[inline(always)]
    pub(super) fn set_short(&mut self, len: usize, head: u64, second: u64) {
        self.tag = Tag::Str;
        self.len = len;
        let (low, high) = self.short.split_at_mut(8);
        low.copy_from_slice(&head.to_le_bytes());
        high.copy_from_slice(&second.to_le_bytes());
    }

    /// The string's first eight bytes as a word.
    #[inline(always)]
    pub(super) fn head(&self) -> u64 {
        self.short
            .first_chunk::<8>()
            .map_or(0, |w| u64::from_le_bytes(*w))
    }

    /// The string's bytes 8 to 16 as a word.
    #[inline(always)]
    pub(super) fn second(&self) -> u64 {
        self.short
            .last_chunk::<8>()
            .map_or(0, |w| u64::from_le_bytes(*w))
    }

    /// The string's bytes.
    #[inline(always)]
    pub(super) fn bytes(&self) -> &[u8] {
        if self.len <= SHORT {
            self.short.get(..self.len).unwrap_or_default()
        } else {
            self.text.as_bytes()
        }
    }

    /// The string. A string of up to sixteen bytes is stored whole inline,
    /// copied from a `&str`, so it reads back as the text it was; a longer
    /// one is read from `text` alone.
    pub(super) fn text(&self) -> &str {
        if self.len <= SHORT {
            std::str::from_utf8(self.bytes()).unwrap_or_default()
        } else {
            &self.text
        }
    }
}

/// A slot with no value, for a slot the request does not have.
pub(super) static MISSING: Slot = Slot {
    tag: Tag::Missing,
    num: 0.0,
    len: 0,
    short: [0; SHORT],
    text: String::new(),
};
