//! Scalars as YAML writes them: plain ones resolved by the 1.2 core schema,
//! and where a quoted one ends.

use saphyr_parser::ScalarStyle;

use super::doc::DocValue;

/// YAML 1.2 core schema resolution of a plain scalar.
pub(super) fn resolve_plain(s: &str) -> DocValue {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return DocValue::Null,
        "true" | "True" | "TRUE" => return DocValue::Bool(true),
        "false" | "False" | "FALSE" => return DocValue::Bool(false),
        ".nan" | ".NaN" | ".NAN" => return DocValue::Num(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return DocValue::Num(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return DocValue::Num(f64::NEG_INFINITY),
        _ => {}
    }
    if let Some(hex) = s.strip_prefix("0x") {
        if let Ok(v) = u64::from_str_radix(hex, 16) {
            return DocValue::Num(v as f64);
        }
    }
    if let Some(oct) = s.strip_prefix("0o") {
        if let Ok(v) = u64::from_str_radix(oct, 8) {
            return DocValue::Num(v as f64);
        }
    }
    if is_core_number(s) {
        if let Ok(v) = s.parse::<f64>() {
            return DocValue::Num(v);
        }
    }
    DocValue::Str(s.to_string())
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - s
    };
    let int = digits(&mut i);
    let mut frac = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac = digits(&mut i);
    }
    if int == 0 && frac == 0 {
        return false;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Where a quoted scalar ends: after its closing quote. The parser's end marker
/// for a quoted scalar is the start of the next token, past any white space and
/// a comment on the line, which would make `fmt` take that comment for part of
/// the value and drop it. Scans only the scalar's own bytes.
pub(super) fn quoted_end(text: &str, start: usize, end: usize, style: ScalarStyle) -> usize {
    let quote = match style {
        ScalarStyle::SingleQuoted => b'\'',
        ScalarStyle::DoubleQuoted => b'"',
        _ => return end,
    };
    let Some(bytes) = text.as_bytes().get(start..end) else {
        return end;
    };
    // A tag or anchor may come before the opening quote.
    let Some(open) = bytes.iter().position(|&b| b == quote) else {
        return end;
    };
    let mut i = open + 1;
    while let Some(&b) = bytes.get(i) {
        if quote == b'"' && b == b'\\' {
            i += 2;
        } else if b == quote {
            // In single quotes, `''` is an escaped quote.
            if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
            } else {
                return start + i + 1;
            }
        } else {
            i += 1;
        }
    }
    end
}
