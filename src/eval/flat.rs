//! A flat JSON reader over borrowed text: objects of strings, numbers and
//! booleans, as `cf-aig-metadata` and traffic lines are written. No map, no
//! string per key; strings without escapes are borrowed from the input. Numbers
//! follow JSON's grammar exactly (no `+1`, `01`, `1.` or `.5`).

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

/// A number's text as a finite `f64`.
fn finite(text: &str, start: usize) -> Result<f64, MetadataError> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or(MetadataError::Malformed("bad number", start))
}

/// The end of the JSON number starting at `i`
/// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`), and whether it has an
/// exponent.
fn json_number_end(b: &[u8], mut i: usize) -> Option<(usize, bool)> {
    let at = |i: usize| b.get(i).copied();
    let digits = |mut i: usize| {
        let from = i;
        while at(i).is_some_and(|c| c.is_ascii_digit()) {
            i = i.saturating_add(1);
        }
        (i > from).then_some(i)
    };
    if at(i) == Some(b'-') {
        i = i.saturating_add(1);
    }
    i = match at(i)? {
        b'0' => i.saturating_add(1),
        b'1'..=b'9' => digits(i)?,
        _ => return None,
    };
    if at(i) == Some(b'.') {
        i = digits(i.saturating_add(1))?;
    }
    let exponent = matches!(at(i), Some(b'e' | b'E'));
    if exponent {
        i = i.saturating_add(1);
        if matches!(at(i), Some(b'+' | b'-')) {
            i = i.saturating_add(1);
        }
        i = digits(i)?;
    }
    Some((i, exponent))
}

/// The JSON number at `start` when it has at most 15 digits and no exponent
/// (tiers, times, costs), read in one pass: its value and where it ends.
/// `None` for anything else, errors included, which the caller reads the slow
/// way. The value is [`short_decimal`]'s, so the float parser's.
#[inline]
fn quick_number(b: &[u8], start: usize) -> Option<(f64, usize)> {
    const TENS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let text = b.get(start..)?;
    let (neg, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    // Digits accumulate with wrapping arithmetic: past 15 digits the value is
    // thrown away.
    let digits = |from: usize, mut v: u64| {
        let mut k = from;
        // Eight digits at a time (timestamps have ten), then one by one.
        while let Some(eight) = body
            .get(k..)
            .and_then(<[u8]>::first_chunk::<8>)
            .and_then(|c| eight_digits(u64::from_le_bytes(*c)))
        {
            v = v.wrapping_mul(100_000_000).wrapping_add(eight);
            k = k.wrapping_add(8);
        }
        while let Some(&c) = body.get(k).filter(|c| c.is_ascii_digit()) {
            v = v.wrapping_mul(10).wrapping_add(u64::from(c.wrapping_sub(b'0')));
            k = k.wrapping_add(1);
        }
        (k, v)
    };
    let (mut k, mut v) = match body.first()? {
        // JSON allows no digit after a leading zero.
        b'0' if body.get(1).is_some_and(u8::is_ascii_digit) => return None,
        b'0' => (1, 0),
        b'1'..=b'9' => digits(0, 0),
        _ => return None,
    };
    let whole = k;
    let mut decimals = 0;
    if body.get(k) == Some(&b'.') {
        let from = k.wrapping_add(1);
        (k, v) = digits(from, v);
        decimals = k.wrapping_sub(from);
        if decimals == 0 {
            return None;
        }
    }
    if whole.wrapping_add(decimals) > 15 || matches!(body.get(k), Some(b'e' | b'E')) {
        return None;
    }
    #[allow(clippy::cast_precision_loss)] // at most 15 digits: exact
    let v = v as f64 / TENS.get(decimals).copied()?;
    let end = start.wrapping_add(usize::from(neg)).wrapping_add(k);
    Some((if neg { -v } else { v }, end))
}

/// The value of eight ASCII digits read as a little-endian word (the first
/// digit in the lowest byte), or `None` when a byte is not a digit. Pairs of
/// digits, then pairs of pairs, are combined by multiplications that keep
/// each partial sum in its own lanes.
#[inline]
fn eight_digits(w: u64) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // A byte below `0` borrows, one above `9` carries, into its top bit.
    let low = w.wrapping_sub(ONES.wrapping_mul(u64::from(b'0')));
    let high = w.wrapping_add(ONES.wrapping_mul(0x46));
    if (low | high) & ONES.wrapping_mul(0x80) != 0 {
        return None;
    }
    // Each byte now holds its digit: byte 2i and 2i + 1 become one number of
    // two digits in byte 2i, then the four pairs two numbers of four digits.
    let pairs = low.wrapping_mul(10).wrapping_add(low >> 8);
    const LANES: u64 = 0x0000_00FF_0000_00FF;
    let hundreds = (pairs & LANES).wrapping_mul(100 + (1_000_000 << 32));
    let ones = ((pairs >> 16) & LANES).wrapping_mul(1 + (10_000 << 32));
    Some(u64::from((hundreds.wrapping_add(ones) >> 32) as u32))
}

/// `text`, a JSON number without an exponent, when it has at most 15 digits:
/// the digits as an integer (exact in an `f64`) divided by the power of ten
/// of its decimals (exact too), which IEEE division rounds correctly, so the
/// value is the one the float parser gives.
fn short_decimal(text: &str) -> Option<f64> {
    const TENS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (neg, body) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    if body.len() > 16 {
        return None;
    }
    let (mut v, mut digits, mut decimals, mut point) = (0u64, 0usize, 0usize, false);
    for c in body.bytes() {
        if c == b'.' {
            point = true;
            continue;
        }
        let d = c.checked_sub(b'0').filter(|d| *d <= 9)?;
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
        digits = digits.saturating_add(1);
        decimals = decimals.saturating_add(usize::from(point));
    }
    if digits > 15 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)] // at most 15 digits: exact
    let v = v as f64 / TENS.get(decimals).copied()?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::Flat;

    fn number(text: &str) -> Option<f64> {
        let mut p = Flat::new(text);
        let v = p.number().ok()?;
        p.end().ok().map(|()| v)
    }

    #[test]
    fn numbers_follow_the_json_grammar() {
        for (text, want) in [
            ("0", 0.0),
            ("-0", -0.0),
            ("7", 7.0),
            ("1767225601", 1_767_225_601.0),
            ("2.5", 2.5),
            ("-1.25e2", -125.0),
            ("1E+2", 100.0),
            ("0.0038", 0.0038),
            ("-0.0", -0.0),
            ("123456789012345", 123_456_789_012_345.0),
            ("1234567890123456", 1_234_567_890_123_456.0),
            ("99999999999999999999", 1e20),
            ("0.1234567890123456", 0.123_456_789_012_345_6),
        ] {
            assert_eq!(number(text), Some(want), "{text}");
        }
        for text in [
            "01", "1.", ".5", "+1", "-", "1e", "1e+", "--1", "1.2.3", "1e400", "00.1", "-01",
            "0x1", "1.e2", "-.5",
        ] {
            assert_eq!(number(text), None, "{text}");
        }
    }

    #[test]
    fn short_decimals_are_the_float_parsers_values() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for i in 0..20_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let width = (i % 15) as usize;
            let text = match i % 3 {
                0 => format!("{}.{:0width$}", x % 1000, x % 10u64.pow(width as u32)),
                1 => format!("-0.{:0width$}", x % 10u64.pow(width as u32).max(1)),
                _ => format!("{}", x % 10u64.pow(width as u32 + 1)),
            };
            let want: f64 = text.parse().unwrap();
            if let Some(v) = super::short_decimal(&text) {
                assert_eq!(v.to_bits(), want.to_bits(), "{text}");
            }
            assert_eq!(
                number(&text).map(f64::to_bits),
                Some(want.to_bits()),
                "{text}"
            );
        }
    }

    #[test]
    fn eight_digits_at_once_are_their_number_and_nothing_else_passes() {
        for text in ["00000000", "12345678", "99999999", "17672256", "00000001", "10000000"] {
            let w = u64::from_le_bytes(text.as_bytes().try_into().unwrap());
            assert_eq!(super::eight_digits(w), text.parse().ok(), "{text}");
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let bytes = x.to_le_bytes();
            let want = std::str::from_utf8(&bytes)
                .ok()
                .filter(|t| t.bytes().all(|c| c.is_ascii_digit()))
                .and_then(|t| t.parse().ok());
            assert_eq!(super::eight_digits(x), want, "{bytes:?}");
            // One byte off: just below `0`, just above `9`.
            for bad in [b'/', b':', b' ', 0x80 | b'5'] {
                let mut b = *b"31415926";
                b[(x % 8) as usize] = bad;
                assert_eq!(super::eight_digits(u64::from_le_bytes(b)), None);
            }
        }
    }

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
