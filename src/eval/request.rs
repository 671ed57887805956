//! A request as the evaluator sees it: metadata values in the program's slots,
//! and an optional request id. Reused across requests without allocating once its
//! string buffers have grown.
//!
//! Every way to fill a request starts from nothing ([`Request::fill`],
//! [`Request::set_metadata_json`]), so a reused request never carries a value of
//! the request before. A request remembers the program it was made for; the
//! evaluator refuses it for another ([`EvalError::ForeignRequest`]).

use super::EvalError;
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

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Tag {
    #[default]
    Missing,
    Str,
    Num,
    Bool,
}

#[derive(Clone, Debug, Default)]
struct Slot {
    tag: Tag,
    num: f64,
    text: String,
}

impl Slot {
    fn set(&mut self, value: Value<'_>) {
        match value {
            Value::Str(v) => {
                self.tag = Tag::Str;
                self.text.clear();
                self.text.push_str(v);
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

    /// The value in a slot.
    pub fn get(&self, slot: SlotId) -> Option<Value<'_>> {
        let s = self.slots.get(slot as usize)?;
        match s.tag {
            Tag::Missing => None,
            Tag::Str => Some(Value::Str(&s.text)),
            Tag::Num => Some(Value::Num(s.num)),
            Tag::Bool => Some(Value::Bool(s.num != 0.0)),
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

/// Reads a flat JSON object into the request's slots: no map, no string built
/// for a key; a value is copied only into a slot the program reads.
fn parse_into(req: &mut Request, program: &Program, json: &str) -> Result<(), MetadataError> {
    let mut p = Flat {
        b: json.as_bytes(),
        s: json,
        i: 0,
    };
    p.ws();
    p.expect(b'{', "expected an object")?;
    p.ws();
    if p.peek() == Some(b'}') {
        p.bump(1);
        return p.end();
    }
    let mut entries = 0usize;
    let mut scratch = String::new();
    loop {
        p.ws();
        let key = p.string(&mut scratch)?;
        let slot = if entries < MAX_METADATA_ENTRIES {
            program.slot(key)
        } else {
            None
        };
        entries = entries.saturating_add(1);
        p.ws();
        p.expect(b':', "expected `:`")?;
        p.ws();
        let target = slot.and_then(|s| req.slots.get_mut(s as usize));
        match p.peek() {
            Some(b'"') => match target {
                Some(t) => {
                    t.text.clear();
                    p.string_into(&mut t.text)?;
                    t.tag = Tag::Str;
                }
                None => p.skip_string()?,
            },
            Some(b't' | b'f') => {
                let v = p.boolean()?;
                if let Some(t) = target {
                    t.set(Value::Bool(v));
                }
            }
            Some(b'-' | b'0'..=b'9') => {
                let v = p.number()?;
                if let Some(t) = target {
                    t.set(Value::Num(v));
                }
            }
            _ => return Err(p.error("expected a string, number or boolean")),
        }
        p.ws();
        match p.peek() {
            Some(b',') => p.bump(1),
            Some(b'}') => {
                p.bump(1);
                return p.end();
            }
            _ => return Err(p.error("expected `,` or `}`")),
        }
    }
}

struct Flat<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
}

impl<'a> Flat<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    fn bump(&mut self, n: usize) {
        self.i = self.i.saturating_add(n);
    }

    fn error(&self, what: &'static str) -> MetadataError {
        MetadataError::Malformed(what, self.i)
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.bump(1);
        }
    }

    fn expect(&mut self, c: u8, what: &'static str) -> Result<(), MetadataError> {
        if self.peek() == Some(c) {
            self.bump(1);
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn end(&mut self) -> Result<(), MetadataError> {
        self.ws();
        if self.i == self.b.len() {
            Ok(())
        } else {
            Err(self.error("text after the object"))
        }
    }

    /// The end of a plain run (no quote, backslash or control byte) from `from`.
    #[inline]
    fn run_end(&self, from: usize) -> usize {
        self.b
            .get(from..)
            .and_then(|rest| {
                rest.iter()
                    .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
            })
            .map_or(self.b.len(), |k| from.saturating_add(k))
    }

    /// A string; borrowed from the input when it has no escapes.
    fn string<'b>(&mut self, buf: &'b mut String) -> Result<&'b str, MetadataError>
    where
        'a: 'b,
    {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string"));
        }
        let start = self.i.saturating_add(1);
        let end = self.run_end(start);
        if self.b.get(end) == Some(&b'"') {
            self.i = end.saturating_add(1);
            return self
                .s
                .get(start..end)
                .ok_or(MetadataError::Malformed("not UTF-8", start));
        }
        buf.clear();
        self.string_into(buf)?;
        Ok(buf.as_str())
    }

    fn skip_string(&mut self) -> Result<(), MetadataError> {
        let mut scratch = String::new();
        self.string(&mut scratch).map(|_| ())
    }

    fn string_into(&mut self, out: &mut String) -> Result<(), MetadataError> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string"));
        }
        self.bump(1);
        loop {
            let run = self.i;
            self.i = self.run_end(run);
            out.push_str(self.s.get(run..self.i).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.bump(1);
                    return Ok(());
                }
                Some(b'\\') => {
                    let c = self.b.get(self.i.saturating_add(1)).copied();
                    self.bump(2);
                    let ch = match c {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode()?,
                        _ => return Err(self.error("bad escape")),
                    };
                    out.push(ch);
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, MetadataError> {
        let h = self
            .s
            .get(self.i..self.i.saturating_add(4))
            .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        self.bump(4);
        h.ok_or(self.error("bad \\u escape"))
    }

    fn unicode(&mut self) -> Result<char, MetadataError> {
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            if self.b.get(self.i..self.i.saturating_add(2)) != Some(b"\\u") {
                return Err(self.error("unpaired surrogate"));
            }
            self.bump(2);
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(self.error("unpaired surrogate"));
            }
            // Both halves are in range, so this cannot overflow.
            0x10000u32
                .saturating_add(hi.saturating_sub(0xD800) << 10)
                .saturating_add(lo.saturating_sub(0xDC00))
        } else {
            hi
        };
        char::from_u32(code).ok_or(self.error("unpaired surrogate"))
    }

    fn boolean(&mut self) -> Result<bool, MetadataError> {
        let rest = self.b.get(self.i..).unwrap_or_default();
        if rest.starts_with(b"true") {
            self.bump(4);
            Ok(true)
        } else if rest.starts_with(b"false") {
            self.bump(5);
            Ok(false)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn number(&mut self) -> Result<f64, MetadataError> {
        let start = self.i;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.peek() {
            self.bump(1);
        }
        let text = self.s.get(start..self.i).unwrap_or_default();
        // Small whole numbers (tiers, counts) skip the float parser.
        if let Some(v) = small_integer(text) {
            return Ok(v);
        }
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or(MetadataError::Malformed("bad number", start))
    }
}

/// `text` as a number when it is a plain integer of at most 15 digits (exact in
/// an `f64`), as JSON writes them (no leading zero).
fn small_integer(text: &str) -> Option<f64> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    if digits.is_empty() || digits.len() > 15 || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    let mut v: u64 = 0;
    for c in digits.bytes() {
        let d = c.checked_sub(b'0').filter(|d| *d <= 9)?;
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    #[allow(clippy::cast_precision_loss)] // at most 15 digits: exact
    let v = v as f64;
    Some(if neg { -v } else { v })
}
