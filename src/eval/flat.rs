//! A flat JSON reader over borrowed text: objects of strings, numbers and
//! booleans, as `cf-aig-metadata` and traffic lines are written. No map, no
//! string per key; strings without escapes are borrowed from the input. Numbers
//! follow JSON's grammar exactly (no `+1`, `01`, `1.` or `.5`).

use super::number::{finite, json_number_end, quick_number, short_decimal};
use super::request::MetadataError;

/// A position in a JSON text.
pub(crate) struct Flat<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
}

impl<'a> Flat<'a> {
    pub(crate) fn new(s: &'a str) -> Self {
        Flat {
            b: s.as_bytes(),
            s,
            i: 0,
        }
    }

    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    pub(crate) fn bump(&mut self, n: usize) {
        // Positions stay within a few bytes of the text's end, far from the
        // top of the address space.
        self.i = self.i.wrapping_add(n);
    }

    pub(crate) fn error(&self, what: &'static str) -> MetadataError {
        MetadataError::Malformed(what, self.i)
    }

    #[inline]
    pub(crate) fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.bump(1);
        }
    }
    #[inline]
    pub(crate) fn expect(&mut self, c: u8, what: &'static str) -> Result<(), MetadataError> {
        if self.peek() == Some(c) {
            self.bump(1);
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// Only whitespace is left.
    pub(crate) fn end(&mut self) -> Result<(), MetadataError> {
        self.ws();
        if self.i == self.b.len() {
            Ok(())
        } else {
            Err(self.error("text after the object"))
        }
    }

    /// `null` at the position (consumed) or not (nothing consumed).
    pub(crate) fn null(&mut self) -> bool {
        let yes = self.b.get(self.i..).is_some_and(|r| r.starts_with(b"null"));
        if yes {
            self.bump(4);
        }
        yes
    }

    /// The end of a plain run (no quote, backslash or control byte) from `from`:
    /// eight bytes at a time, then byte by byte for the last few.
    #[inline]
    fn run_end(&self, from: usize) -> usize {
        let mut i = from;
        while let Some(chunk) = self.b.get(i..).and_then(<[u8]>::first_chunk::<8>) {
            let hits = special_bytes(u64::from_le_bytes(*chunk));
            if hits != 0 {
                return i.wrapping_add((hits.trailing_zeros() / 8) as usize);
            }
            i = i.wrapping_add(8);
        }
        self.b
            .get(i..)
            .and_then(|rest| {
                rest.iter()
                    .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
            })
            .map_or(self.b.len(), |k| i.wrapping_add(k))
    }

    /// The text from byte `from` to `to`.
    #[inline]
    pub(crate) fn text(&self, from: usize, to: usize) -> &'a str {
        self.s.get(from..to).unwrap_or_default()
    }

    /// The bytes of the whole text.
    #[inline]
    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.b
    }

    /// A string without escapes at the position, as the byte range of its
    /// text (the position moves past it); `None` (nothing consumed) when it
    /// has escapes or ends badly, for the caller to read it the slow way.
    #[inline]
    pub(crate) fn plain_span(&mut self) -> Option<(usize, usize)> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.i.wrapping_add(1);
        let end = self.run_end(start);
        if self.b.get(end) != Some(&b'"') {
            return None;
        }
        self.i = end.wrapping_add(1);
        Some((start, end))
    }

    /// A string; borrowed from the input when it has no escapes, otherwise
    /// unescaped into `buf`.
    #[inline]
    pub(crate) fn string<'b>(&mut self, buf: &'b mut String) -> Result<&'b str, MetadataError>
    where
        'a: 'b,
    {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string"));
        }
        let start = self.i.wrapping_add(1);
        let end = self.run_end(start);
        if self.b.get(end) == Some(&b'"') {
            self.i = end.wrapping_add(1);
            return self
                .s
                .get(start..end)
                .ok_or(MetadataError::Malformed("not UTF-8", start));
        }
        buf.clear();
        self.string_into(buf)?;
        Ok(buf.as_str())
    }

    /// A string without escapes, borrowed from the input (an error otherwise).
    pub(crate) fn plain_string(&mut self) -> Result<&'a str, MetadataError> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string"));
        }
        let start = self.i.saturating_add(1);
        let end = self.run_end(start);
        if self.b.get(end) != Some(&b'"') {
            return Err(MetadataError::Malformed("a string with escapes", end));
        }
        self.i = end.saturating_add(1);
        self.s
            .get(start..end)
            .ok_or(MetadataError::Malformed("not UTF-8", start))
    }

    /// Checks a string and steps over it without keeping it.
    pub(crate) fn skip_string(&mut self) -> Result<(), MetadataError> {
        self.string_to(&mut Skip)
    }

    /// A string, unescaped and appended to `out`.
    pub(crate) fn string_into(&mut self, out: &mut String) -> Result<(), MetadataError> {
        self.string_to(out)
    }

    #[inline]
    fn string_to<S: Sink>(&mut self, out: &mut S) -> Result<(), MetadataError> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string"));
        }
        self.bump(1);
        loop {
            let from = self.i;
            self.i = self.run_end(from);
            out.run(self.s.get(from..self.i).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.bump(1);
                    return Ok(());
                }
                Some(b'\\') => {
                    let c = self.b.get(self.i.saturating_add(1)).copied();
                    self.bump(2);
                    out.char(match c {
                        Some(b'u') => self.unicode()?,
                        Some(c) => short_escape(c).ok_or(self.error("bad escape"))?,
                        None => return Err(self.error("bad escape")),
                    });
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

    pub(crate) fn boolean(&mut self) -> Result<bool, MetadataError> {
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

    /// A JSON number (finite).
    #[inline]
    pub(crate) fn number(&mut self) -> Result<f64, MetadataError> {
        if let Some((v, end)) = quick_number(self.b, self.i) {
            self.i = end;
            return Ok(v);
        }
        self.slow_number()
    }

    /// [`Flat::number`] for what [`quick_number`] leaves: exponents, long
    /// numbers and errors.
    #[inline(never)]
    fn slow_number(&mut self) -> Result<f64, MetadataError> {
        let start = self.i;
        let (end, exponent) = json_number_end(self.b, start).ok_or(self.error("bad number"))?;
        self.i = end;
        let text = self.text(start, end);
        // Short numbers without an exponent (tiers, times, costs) skip the
        // float parser.
        match short_decimal(text) {
            Some(v) if !exponent => Ok(v),
            _ => finite(text, start),
        }
    }

    /// Checks a number and steps over it without converting it, unless it
    /// could be out of range (an exponent, or hundreds of digits), which is an
    /// error whether the value is kept or not.
    pub(crate) fn skip_number(&mut self) -> Result<(), MetadataError> {
        let start = self.i;
        let (end, exponent) = json_number_end(self.b, start).ok_or(self.error("bad number"))?;
        self.i = end;
        if exponent || end.saturating_sub(start) > 300 {
            finite(self.text(start, end), start)?;
        }
        Ok(())
    }
}

/// A mask with the top bit set in each byte of `w` that ends a plain run of a
/// JSON string (`"`, `\\` or a control byte below 0x20). A byte can be marked
/// wrongly only above a rightly marked one (a borrow carries upwards), so the
/// lowest mark is always exact, which is all [`Flat::run_end`] reads.
#[inline]
fn special_bytes(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = 0x8080_8080_8080_8080;
    let quote = w ^ ONES.wrapping_mul(u64::from(b'"'));
    let slash = w ^ ONES.wrapping_mul(u64::from(b'\\'));
    let zero_quote = quote.wrapping_sub(ONES) & !quote;
    let zero_slash = slash.wrapping_sub(ONES) & !slash;
    let control = w.wrapping_sub(ONES.wrapping_mul(0x20)) & !w;
    (zero_quote | zero_slash | control) & TOPS
}

/// The character a one-letter JSON escape (`\n`, `\"`, …) stands for.
pub(crate) fn short_escape(c: u8) -> Option<char> {
    Some(match c {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return None,
    })
}

/// Where a string's text goes.
trait Sink {
    fn run(&mut self, text: &str);
    fn char(&mut self, c: char);
}

impl Sink for String {
    #[inline]
    fn run(&mut self, text: &str) {
        self.push_str(text);
    }
    fn char(&mut self, c: char) {
        self.push(c);
    }
}

/// Nowhere: the string is only checked.
struct Skip;

impl Sink for Skip {
    #[inline]
    fn run(&mut self, _: &str) {}
    fn char(&mut self, _: char) {}
}

#[cfg(test)]
mod tests {
    use super::Flat;

    #[test]
    fn skipped_strings_are_checked_like_kept_ones() {
        for text in [r#""a\u0062""#, r#""\ud83d\ude00""#, r#""plain""#] {
            let mut p = Flat::new(text);
            assert!(p.skip_string().is_ok(), "{text}");
            assert!(p.end().is_ok());
        }
        for text in [r#""\ud800""#, r#""\x""#, "\"a\nb\"", r#""open"#] {
            assert!(Flat::new(text).skip_string().is_err(), "{text}");
        }
    }
}
