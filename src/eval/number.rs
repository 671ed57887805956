//! JSON numbers as the flat reader takes them: exactly JSON's grammar (no
//! `+1`, `01`, `1.` or `.5`), finite, and short decimals (tiers, times,
//! costs) read in one pass, eight digits at a time, with the float parser's
//! value.

use super::request::MetadataError;

/// A number's text as a finite `f64`.
pub(super) fn finite(text: &str, start: usize) -> Result<f64, MetadataError> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or(MetadataError::Malformed("bad number", start))
}

/// The end of the JSON number starting at `i`
/// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`), and whether it has an
/// exponent.
pub(super) fn json_number_end(b: &[u8], mut i: usize) -> Option<(usize, bool)> {
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
pub(super) fn quick_number(b: &[u8], start: usize) -> Option<(f64, usize)> {
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
            v = v
                .wrapping_mul(10)
                .wrapping_add(u64::from(c.wrapping_sub(b'0')));
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
pub(super) fn short_decimal(text: &str) -> Option<f64> {
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
    use super::super::flat::Flat;

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
        for text in [
            "00000000", "12345678", "99999999", "17672256", "00000001", "10000000",
        ] {
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
}
