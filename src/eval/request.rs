//! A request as the evaluator sees it: metadata values in the program's slots,
//! and an optional request id. Reused across requests without allocating once its
//! string buffers have grown.
//!
//! Every way to fill a request starts from nothing ([`Request::fill`],
//! [`Request::set_metadata_json`]), so a reused request never carries a value of
//! the request before. A request remembers the program it was made for; the
//! evaluator refuses it for another ([`EvalError::ForeignRequest`]).

use super::EvalError;
use super::flat::Flat;
use super::slot::{MISSING, SHORT, Slot, Tag};
use crate::compile::{Program, SlotId};

/// A metadata value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// A string.
    Str(&'a str),
    /// A number.
    Num(f64),
    /// A boolean.
    Bool(bool),
}

/// Why a metadata object was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetadataError {
    /// Not a flat JSON object of strings, numbers and booleans.
    #[error("metadata is not a flat JSON object of strings, numbers and booleans: {0} at byte {1}")]
    Malformed(&'static str, usize),
}

/// The gateway forwards at most this many metadata entries; later ones are ignored.
pub const MAX_METADATA_ENTRIES: usize = 5;

/// One request's metadata and id.
#[derive(Clone, Debug, Default)]
pub struct Request {
    slots: Vec<Slot>,
    id: String,
    has_id: bool,
    program: u64,
}

impl Request {
    /// An empty request sized for `program`.
    pub fn new(program: &Program) -> Self {
        Request {
            slots: vec![Slot::default(); program.slot_count()],
            id: String::new(),
            has_id: false,
            program: program.fingerprint(),
        }
    }

    /// Starts the next request for `program`: forgets every value and the id
    /// (keeping the buffers), and adopts `program` if the request was made for
    /// another. Fill it through the returned [`Fill`].
    pub fn fill<'r>(&'r mut self, program: &'r Program) -> Fill<'r> {
        self.reset(program);
        Fill { req: self, program }
    }

    fn reset(&mut self, program: &Program) {
        if self.program != program.fingerprint() || self.slots.len() != program.slot_count() {
            self.slots.resize_with(program.slot_count(), Slot::default);
            self.program = program.fingerprint();
        }
        self.forget_values();
        self.has_id = false;
    }

    fn forget_values(&mut self) {
        for s in &mut self.slots {
            s.tag = Tag::Missing;
        }
    }

    /// The request for `program` from a `cf-aig-metadata` JSON object, as the
    /// gateway reads it (only the first five entries count): forgets every
    /// earlier value and the id first.
    pub fn set_metadata_json(
        &mut self,
        program: &Program,
        json: &str,
    ) -> Result<(), MetadataError> {
        self.reset(program);
        let r = parse_into(self, program, json);
        if r.is_err() {
            // Nothing of a refused object stays behind.
            self.reset(program);
        }
        r
    }

    /// The request id, if set.
    pub fn id(&self) -> Option<&str> {
        self.has_id.then_some(self.id.as_str())
    }

    /// The request id's bytes, if set.
    #[inline]
    pub(crate) fn id_bytes(&self) -> Option<&[u8]> {
        self.has_id.then_some(self.id.as_bytes())
    }

    /// The value in a slot.
    #[inline]
    pub fn get(&self, slot: SlotId) -> Option<Value<'_>> {
        let s = self.slots.get(slot as usize)?;
        match s.tag {
            Tag::Missing => None,
            Tag::Str => Some(Value::Str(s.text())),
            Tag::Num => Some(Value::Num(s.num)),
            Tag::Bool => Some(Value::Bool(s.num != 0.0)),
        }
    }

    /// The string in a slot and its first eight bytes as a word; `None` when
    /// the slot is missing or holds another type.
    #[inline(always)]
    pub(crate) fn str_at(&self, slot: SlotId) -> Option<(&[u8], u64)> {
        match self.slots.get(slot as usize) {
            Some(s) if s.tag == Tag::Str => Some((s.bytes(), s.head())),
            _ => None,
        }
    }

    /// The slot, or a missing value for a slot the request does not have:
    /// the front table's tests read it without a branch on the request.
    #[inline(always)]
    fn slot_or_missing(&self, slot: SlotId) -> &Slot {
        self.slots.get(slot as usize).unwrap_or(&MISSING)
    }

    /// Whether a slot holds a string of `len` bytes whose bytes 0 to 8 are
    /// `head` and 8 to 16 `second` (so, up to 16 bytes, the word itself):
    /// without a branch on the value, for the tests of a front table
    /// (`compile::table`), which run every test and keep the verdicts as bits.
    /// One comparison of all four differences: a branch per part would be
    /// mispredicted on every request that differs from the last.
    #[inline(always)]
    pub(crate) fn word_at(&self, slot: SlotId, len: usize, head: u64, second: u64) -> bool {
        let (tag, n, h, s) = self.word_parts(slot);
        (tag | (n ^ len as u64) | (h ^ head) | (s ^ second)) == 0
    }

    /// A slot as the tests of a front table's string groups read it: zero
    /// when it holds a string ([`ABSENT`] when it holds nothing, another
    /// value otherwise), its length, and its bytes 0 to 8 and 8 to 16 (see
    /// [`Request::word_at`]).
    #[inline(always)]
    pub(crate) fn word_parts(&self, slot: SlotId) -> (u64, u64, u64, u64) {
        let s = self.slot_or_missing(slot);
        let tag = u64::from(s.tag as u8 ^ Tag::Str as u8);
        (tag, s.len as u64, s.head(), s.second())
    }

    /// Whether a slot holds a number from `lo` to `hi`, without a branch on
    /// the value (as [`Request::word_at`]).
    #[inline(always)]
    pub(crate) fn num_within(&self, slot: SlotId, lo: f64, hi: f64) -> bool {
        let s = self.slot_or_missing(slot);
        (s.tag == Tag::Num) & (s.num >= lo) & (s.num <= hi)
    }

    /// Whether a slot holds a value, without a branch on it (and without
    /// reading the value, as [`Request::get`] would).
    #[inline(always)]
    pub(crate) fn present(&self, slot: SlotId) -> bool {
        self.slot_or_missing(slot).tag != Tag::Missing
    }

    /// The number in a slot; `None` when it is missing or holds another type.
    #[inline(always)]
    pub(crate) fn num_at(&self, slot: SlotId) -> Option<f64> {
        match self.slots.get(slot as usize) {
            Some(s) if s.tag == Tag::Num => Some(s.num),
            _ => None,
        }
    }

    /// `Ok` when the request was made (or last filled) for `program`.
    pub(crate) fn check(&self, program: &Program) -> Result<(), EvalError> {
        if self.program == program.fingerprint() {
            Ok(())
        } else {
            Err(EvalError::ForeignRequest)
        }
    }
}

/// The first part of [`Request::word_parts`] for a slot without a value.
pub(crate) const ABSENT: u64 = (Tag::Missing as u8 ^ Tag::Str as u8) as u64;

/// A request being filled for one program (from [`Request::fill`]).
#[derive(Debug)]
pub struct Fill<'r> {
    req: &'r mut Request,
    program: &'r Program,
}

impl Fill<'_> {
    /// Sets metadata key `key` (without `metadata.`). Returns `false` when the
    /// route never reads that key (the value is then irrelevant and dropped).
    pub fn set(&mut self, key: &str, value: Value<'_>) -> bool {
        match self.program.slot(key) {
            Some(slot) => self.set_slot(slot, value),
            None => false,
        }
    }

    /// Sets a slot's value (see [`Program::slot`]); `false` for a slot the
    /// program does not have.
    pub fn set_slot(&mut self, slot: SlotId, value: Value<'_>) -> bool {
        match self.req.slots.get_mut(slot as usize) {
            Some(s) => {
                s.set(value);
                true
            }
            None => false,
        }
    }

    /// Sets the request id (used for splits without a sticky value).
    pub fn set_id(&mut self, id: &str) {
        self.req.id.clear();
        self.req.id.push_str(id);
        self.req.has_id = true;
    }

    /// Sets the metadata from a `cf-aig-metadata` JSON object (first five entries).
    /// Reads the metadata object at `p`'s position (for readers of larger
    /// documents holding one, such as traffic lines). Values set before stay
    /// unless the object sets them again.
    /// Every key must be distinct (and written without escapes).
    pub(crate) fn read_metadata(&mut self, p: &mut Flat<'_>) -> Result<(), MetadataError> {
        read_object(self.req, self.program, p, true)
    }

    /// Replaces every metadata value set so far; on an error none is left.
    pub fn metadata_json(&mut self, json: &str) -> Result<(), MetadataError> {
        self.req.forget_values();
        let r = parse_into(self.req, self.program, json);
        if r.is_err() {
            self.req.forget_values();
        }
        r
    }
}

/// How many keys of one object [`Fill::read_metadata`] compares for duplicates.
const UNIQUE_KEYS: usize = 16;

/// Reads a whole `cf-aig-metadata` text (one object, nothing after it).
fn parse_into(req: &mut Request, program: &Program, json: &str) -> Result<(), MetadataError> {
    let mut p = Flat::new(json);
    p.ws();
    read_object(req, program, &mut p, false)?;
    p.end()
}

/// Reads the flat JSON object at the parser's position into the request's
/// slots: no map, no string built for a key; a value is copied only into a slot
/// the program reads, and only the first five entries count. Other values are
/// checked as strictly but neither unescaped nor converted.
///
/// With `unique`, a key written twice is an error (so is a key with escapes, or
/// more than [`UNIQUE_KEYS`] entries, which this does not compare).
fn read_object<'a>(
    req: &mut Request,
    program: &Program,
    p: &mut Flat<'a>,
    unique: bool,
) -> Result<(), MetadataError> {
    p.expect(b'{', "expected an object")?;
    p.ws();
    if p.peek() == Some(b'}') {
        p.bump(1);
        return Ok(());
    }
    let mut entries = 0usize;
    let mut scratch = String::new();
    let mut seen = if unique {
        Some([(0u64, &[] as &[u8]); UNIQUE_KEYS])
    } else {
        None
    };
    loop {
        p.ws();
        let slot = match p.plain_span() {
            Some((start, end)) => {
                // Bytes, not text: no character boundary to check.
                let key = p.bytes().get(start..end).unwrap_or_default();
                let head = super::keys::head_at(p.bytes(), start, key.len());
                if let Some(keys) = &mut seen {
                    let Some((earlier, [free, ..])) = keys.split_at_mut_checked(entries) else {
                        return Err(p.error("too many entries to compare"));
                    };
                    // Equal first words and lengths before any `memcmp`.
                    if earlier
                        .iter()
                        .any(|(h, k)| *h == head && k.len() == key.len() && *k == key)
                    {
                        return Err(p.error("a key given twice"));
                    }
                    *free = (head, key);
                }
                program.key_index.find(key, head)
            }
            // Keys with escapes are rare: unescaped, then looked up by name.
            None if unique => {
                return Err(p
                    .plain_string()
                    .err()
                    .unwrap_or(p.error("expected a string")));
            }
            None => program.slot(p.string(&mut scratch)?),
        };
        let target = if entries < MAX_METADATA_ENTRIES {
            slot.and_then(|s| req.slots.get_mut(s as usize))
        } else {
            None
        };
        entries = entries.saturating_add(1);
        p.ws();
        p.expect(b':', "expected `:`")?;
        p.ws();
        match (p.peek(), target) {
            (Some(b'"'), Some(t)) => match p.plain_span() {
                Some((start, end)) => {
                    let len = end.saturating_sub(start);
                    let head = super::keys::head_at(p.bytes(), start, len);
                    let second = super::keys::second_at(p.bytes(), start, len);
                    if len <= SHORT {
                        // The two words are the whole string.
                        t.set_short(len, head, second);
                    } else {
                        t.set_str(p.text(start, end), head, second);
                    }
                }
                None => {
                    scratch.clear();
                    p.string_into(&mut scratch)?;
                    t.set(Value::Str(&scratch));
                }
            },
            (Some(b'"'), None) => {
                if p.plain_span().is_none() {
                    p.skip_string()?;
                }
            }
            (Some(b't' | b'f'), t) => {
                let v = p.boolean()?;
                if let Some(t) = t {
                    t.set(Value::Bool(v));
                }
            }
            (Some(b'-' | b'0'..=b'9'), Some(t)) => t.set(Value::Num(p.number()?)),
            (Some(b'-' | b'0'..=b'9'), None) => p.skip_number()?,
            _ => return Err(p.error("expected a string, number or boolean")),
        }
        p.ws();
        match p.peek() {
            Some(b',') => p.bump(1),
            Some(b'}') => {
                p.bump(1);
                return Ok(());
            }
            _ => return Err(p.error("expected `,` or `}`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Request, Value};
    use crate::syntax::Format;

    /// A string of up to sixteen bytes lives in the slot itself and a longer
    /// one in its buffer: refilled with one, then the other, a request never
    /// shows a byte of the value before, and multi-byte characters read back
    /// whole from either place.
    #[test]
    fn short_and_long_strings_read_back_whole_after_one_another() {
        let route = "name: r\nstart: a\nnodes:\n  a:\n    if: metadata.k == \"x\"\n    then: m\n    else: m\n  m:\n    model: openai/gpt-4.1\n    timeout: 60s\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n";
        let p = match crate::compile("r.yaml", route, Format::Yaml) {
            Ok(c) => c.program,
            Err(e) => panic!("{e}"),
        };
        let slot = p.slot("k").expect("the route reads k");
        let mut r = Request::new(&p);
        for v in [
            "a value longer than sixteen bytes",
            "short",
            "caf\u{e9} \u{1f600}\u{1f600}",
            "exactly sixteen!",
            "another long value, past the inline bytes",
            "",
            "\u{1f600}\u{1f600}\u{1f600}\u{1f600}x",
        ] {
            r.set_metadata_json(&p, &format!("{{\"k\": {}}}", serde_json::Value::from(v)))
                .expect("a flat object");
            assert_eq!(r.get(slot), Some(Value::Str(v)), "read from JSON");
            assert_eq!(r.str_at(slot).map(|(b, _)| b), Some(v.as_bytes()));
            r.fill(&p).set("k", Value::Str(v));
            assert_eq!(r.get(slot), Some(Value::Str(v)), "set directly");
            r.fill(&p).set_id(v);
            assert_eq!(r.id(), Some(v), "as the request id");
            assert_eq!(r.id_bytes(), Some(v.as_bytes()));
        }
        r.fill(&p);
        assert_eq!(r.id(), None, "a refilled request has no id");
    }
}
