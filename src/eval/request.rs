//! A request as the evaluator sees it: metadata values in the program's slots,
//! and an optional request id. Reused across requests without allocating once its
//! string buffers have grown.

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
}

impl Request {
    /// An empty request sized for `program`.
    pub fn new(program: &Program) -> Self {
        Request {
            slots: vec![Slot::default(); program.slot_count()],
            id: String::new(),
            has_id: false,
        }
    }

    /// Forgets all values (keeps the buffers).
    pub fn clear(&mut self) {
        for s in &mut self.slots {
            s.tag = Tag::Missing;
        }
        self.has_id = false;
    }

    /// Sets a slot's value.
    pub fn set_slot(&mut self, slot: SlotId, value: Value<'_>) {
        let Some(s) = self.slots.get_mut(slot as usize) else {
            return;
        };
        match value {
            Value::Str(v) => {
                s.tag = Tag::Str;
                s.text.clear();
                s.text.push_str(v);
            }
            Value::Num(n) => {
                s.tag = Tag::Num;
                s.num = n;
            }
            Value::Bool(b) => {
                s.tag = Tag::Bool;
                s.num = f64::from(u8::from(b));
            }
        }
    }

    /// Sets metadata key `key` (without `metadata.`). Returns `false` when the route
    /// never reads that key (the value is then irrelevant and dropped).
    pub fn set(&mut self, program: &Program, key: &str, value: Value<'_>) -> bool {
        match program.slot(key) {
            Some(slot) => {
                self.set_slot(slot, value);
                true
            }
            None => false,
        }
    }

    /// Sets the request id (used for splits without a sticky value).
    pub fn set_id(&mut self, id: &str) {
        self.id.clear();
        self.id.push_str(id);
        self.has_id = true;
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

    /// Fills the metadata from a `cf-aig-metadata` JSON object, as the gateway
    /// reads it: only the first five entries count. Clears earlier values first.
    pub fn set_metadata_json(
        &mut self,
        program: &Program,
        json: &str,
    ) -> Result<(), MetadataError> {
        for s in &mut self.slots {
            s.tag = Tag::Missing;
        }
        let mut p = Flat {
            b: json.as_bytes(),
            s: json,
            i: 0,
        };
        p.ws();
        p.expect(b'{')?;
        p.ws();
        if p.peek() == Some(b'}') {
            p.i += 1;
            return p.end();
        }
        let mut entries = 0;
        let mut key_buf = String::new();
        loop {
            p.ws();
            let key = p.string(&mut key_buf)?;
            let slot = (entries < MAX_METADATA_ENTRIES)
                .then(|| program.slot(key))
                .flatten();
            entries += 1;
            p.ws();
            p.expect(b':')?;
            p.ws();
            match p.peek() {
                Some(b'"') => {
                    let target = slot.and_then(|s| self.slots.get_mut(s as usize));
                    match target {
                        Some(t) => {
                            t.text.clear();
                            let mut text = std::mem::take(&mut t.text);
                            let r = p.string_into(&mut text);
                            t.text = text;
                            r?;
                            t.tag = Tag::Str;
                        }
                        None => {
                            p.string(&mut key_buf)?;
                        }
                    }
                }
                Some(b't') | Some(b'f') => {
                    let v = p.boolean()?;
                    if let Some(s) = slot {
                        self.set_slot(s, Value::Bool(v));
                    }
                }
                Some(b'-' | b'0'..=b'9') => {
                    let v = p.number()?;
                    if let Some(s) = slot {
                        self.set_slot(s, Value::Num(v));
                    }
                }
                _ => {
                    return Err(MetadataError::Malformed(
                        "expected a string, number or boolean",
                        p.i,
                    ));
                }
            }
            p.ws();
            match p.peek() {
                Some(b',') => p.i += 1,
                Some(b'}') => {
                    p.i += 1;
                    return p.end();
                }
                _ => return Err(MetadataError::Malformed("expected `,` or `}`", p.i)),
            }
        }
    }
}

struct Flat<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
}

impl<'a> Flat<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), MetadataError> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(MetadataError::Malformed(
                if c == b'{' {
                    "expected an object"
                } else {
                    "expected `:`"
                },
                self.i,
            ))
        }
    }

    fn end(&mut self) -> Result<(), MetadataError> {
        self.ws();
        if self.i == self.b.len() {
            Ok(())
        } else {
            Err(MetadataError::Malformed("text after the object", self.i))
        }
    }

    /// A string; borrowed from the input when it has no escapes.
    fn string<'b>(&mut self, buf: &'b mut String) -> Result<&'b str, MetadataError>
    where
        'a: 'b,
    {
        if self.peek() != Some(b'"') {
            return Err(MetadataError::Malformed("expected a string", self.i));
        }
        let start = self.i + 1;
        let mut j = start;
        while let Some(&c) = self.b.get(j) {
            match c {
                b'"' => {
                    self.i = j + 1;
                    return Ok(&self.s[start..j]);
                }
                b'\\' => break,
                c if c < 0x20 => {
                    return Err(MetadataError::Malformed("control character in a string", j));
                }
                _ => j += 1,
            }
        }
        buf.clear();
        self.string_into(buf)?;
        Ok(buf.as_str())
    }

    fn string_into(&mut self, out: &mut String) -> Result<(), MetadataError> {
        if self.peek() != Some(b'"') {
            return Err(MetadataError::Malformed("expected a string", self.i));
        }
        self.i += 1;
        loop {
            let run = self.i;
            while let Some(&c) = self.b.get(self.i) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(&self.s[run..self.i]);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    let c = self.b.get(self.i + 1).copied();
                    self.i += 2;
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
                        _ => return Err(MetadataError::Malformed("bad escape", self.i - 1)),
                    };
                    out.push(ch);
                }
                _ => return Err(MetadataError::Malformed("unterminated string", self.i)),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, MetadataError> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        self.i += 4;
        h.ok_or(MetadataError::Malformed("bad \\u escape", self.i))
    }

    fn unicode(&mut self) -> Result<char, MetadataError> {
        let hi = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&hi) {
            if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                return Err(MetadataError::Malformed("unpaired surrogate", self.i));
            }
            self.i += 2;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(MetadataError::Malformed("unpaired surrogate", self.i));
            }
            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
        } else {
            hi
        };
        char::from_u32(code).ok_or(MetadataError::Malformed("unpaired surrogate", self.i))
    }

    fn boolean(&mut self) -> Result<bool, MetadataError> {
        if self.b[self.i..].starts_with(b"true") {
            self.i += 4;
            Ok(true)
        } else if self.b[self.i..].starts_with(b"false") {
            self.i += 5;
            Ok(false)
        } else {
            Err(MetadataError::Malformed("expected a value", self.i))
        }
    }

    fn number(&mut self) -> Result<f64, MetadataError> {
        let start = self.i;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.s[start..self.i]
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or(MetadataError::Malformed("bad number", start))
    }
}
