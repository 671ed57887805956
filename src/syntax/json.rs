//! JSON text → [`Doc`], keeping the byte span of every key and value.
//!
//! A strict RFC 8259 reader of our own: `serde_json` does not report where each
//! value sits, and we need that for every diagnostic. Duplicate keys are an error
//! (`E0102`); nesting depth and value count are bounded by [`Limits`].

use std::sync::Arc;

use super::doc::{Doc, DocValue, Limits};
use super::doc_error::DocError;
use super::syntax_error::{NumberFault, SyntaxError};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceId, Span, Spanned};

/// Reads one JSON document. On failure returns the located error.
pub fn parse(text: &str, source: SourceId, limits: &Limits) -> Result<Doc, Diagnostic> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        source,
        limits,
        values: 0,
    };
    if text.starts_with('\u{feff}') {
        p.pos = 3;
    }
    p.skip_ws();
    let doc = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.err_here(SyntaxError::SecondDocument { yaml: false }));
    }
    Ok(doc)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    source: SourceId,
    limits: &'a Limits,
    values: usize,
}

impl Parser<'_> {
    fn span(&self, start: usize) -> Span {
        Span::new(self.source, start, self.pos)
    }

    fn err_at(&self, start: usize, end: usize, e: SyntaxError) -> Diagnostic {
        e.at(Span::new(self.source, start, end))
    }

    fn err_here(&self, e: SyntaxError) -> Diagnostic {
        let end = (self.pos + 1).min(self.bytes.len());
        self.err_at(self.pos, end, e)
    }

    /// The error for a container opened at `start` and not closed by `close`
    /// at the position: the bracket never closed when the file ends, else
    /// the separator that is missing.
    fn unclosed(&self, start: usize, close: char) -> Diagnostic {
        let (open, what) = if close == ']' {
            ('[', "array")
        } else {
            ('{', "object")
        };
        let opened = Span::new(self.source, start, start + 1);
        if self.pos >= self.bytes.len() {
            let end = Span::new(self.source, self.pos, self.pos);
            return SyntaxError::Unclosed { open, yaml: false }
                .at(opened)
                .with_secondary(end, "the file ends here");
        }
        let found = self.found();
        self.err_here(SyntaxError::ExpectedSeparator { close, found })
            .with_secondary(opened, format!("{what} opened here"))
    }

    fn found(&self) -> String {
        match self.text[self.pos.min(self.text.len())..].chars().next() {
            None => "the end of the file".to_string(),
            Some('"') => "a string".to_string(),
            Some(c) if c.is_control() => format!("`{}`", c.escape_debug()),
            Some(c) => format!("`{}`", crate::escape::terminal(c.encode_utf8(&mut [0; 4]))),
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Doc, Diagnostic> {
        self.values += 1;
        if self.values > self.limits.max_values {
            let error = DocError::TooManyValues {
                limit: self.limits.max_values,
                aliases: false,
            };
            return Err(error.at(Span::new(self.source, self.pos, self.pos + 1)));
        }
        if depth > self.limits.doc_depth() {
            let error = DocError::TooDeep {
                limit: self.limits.doc_depth(),
            };
            return Err(error.at(Span::new(self.source, self.pos, self.pos + 1)));
        }
        let start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string()?;
                Ok(Doc {
                    value: DocValue::Str(s),
                    span: self.span(start),
                })
            }
            Some(b't') => self.word("true", DocValue::Bool(true)),
            Some(b'f') => self.word("false", DocValue::Bool(false)),
            Some(b'n') => self.word("null", DocValue::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'N' | b'I') => {
                let word = self.word_at(self.pos).to_string();
                let end = self.pos + word.len().max(1);
                Err(self.err_at(self.pos, end, SyntaxError::NotAValue { word, meant: None }))
            }
            _ => Err(self.err_here(SyntaxError::ExpectedValue {
                found: self.found(),
            })),
        }
    }

    /// The run of ASCII letters and digits at `start`.
    fn word_at(&self, start: usize) -> &str {
        let len = self
            .bytes
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        self.text.get(start..start + len).unwrap_or_default()
    }

    fn word(&mut self, word: &'static str, value: DocValue) -> Result<Doc, Diagnostic> {
        let start = self.pos;
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(Doc {
                value,
                span: self.span(start),
            })
        } else {
            let found = self.word_at(start).to_string();
            let end = start + found.len().max(1);
            let e = SyntaxError::NotAValue {
                word: found,
                meant: Some(word),
            };
            Err(self.err_at(start, end, e))
        }
    }

    fn number(&mut self) -> Result<Doc, Diagnostic> {
        let start = self.pos;
        let b = self.bytes;
        let mut i = self.pos;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let bad = |p: &Self, end: usize, fault| {
            Err(p.err_at(start, end.max(start + 1), SyntaxError::BadNumber(fault)))
        };
        if i == int_start {
            return bad(self, i, NumberFault::NoDigit);
        }
        if b[int_start] == b'0' && i - int_start > 1 {
            return bad(self, i, NumberFault::LeadingZero);
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let frac = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == frac {
                return bad(self, i, NumberFault::NoFraction);
            }
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            let exp = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == exp {
                return bad(self, i, NumberFault::NoExponent);
            }
        }
        self.pos = i;
        let text = &self.text[start..i];
        let value: f64 = text.parse().unwrap_or(f64::NAN);
        if !value.is_finite() {
            let text = super::doc_error::quote_number(text);
            return Err(DocError::NumberTooLarge { text }.at(self.span(start)));
        }
        Ok(Doc {
            value: DocValue::Num(value),
            span: self.span(start),
        })
    }

    fn string(&mut self) -> Result<String, Diagnostic> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run = self.pos;
            while let Some(&c) = self.bytes.get(self.pos) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run..self.pos]);
            match self.bytes.get(self.pos) {
                None => {
                    return Err(self.err_at(
                        start,
                        start + 1,
                        SyntaxError::UnclosedString { yaml: false },
                    ));
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => {
                    return Err(self.err_here(SyntaxError::ControlInString));
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), Diagnostic> {
        let at = self.pos;
        self.pos += 1;
        let escape = self
            .bytes
            .get(self.pos)
            .map(|&c| (c, crate::eval::short_escape(c)));
        let c = match escape {
            Some((_, Some(c))) => c,
            Some((b'u', None)) => {
                self.pos += 1;
                let hi = self.hex4(at)?;
                let c = if (0xD800..0xDC00).contains(&hi) {
                    if !self.bytes[self.pos..].starts_with(b"\\u") {
                        return Err(self.err_at(at, self.pos, SyntaxError::UnpairedSurrogate));
                    }
                    self.pos += 2;
                    let lo = self.hex4(at)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(self.err_at(at, self.pos, SyntaxError::UnpairedSurrogate));
                    }
                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                } else {
                    char::from_u32(hi)
                };
                let Some(c) = c else {
                    return Err(self.err_at(at, self.pos, SyntaxError::UnpairedSurrogate));
                };
                out.push(c);
                return Ok(());
            }
            _ => {
                let end = (self.pos + 1).min(self.bytes.len());
                return Err(self.err_at(at, end, SyntaxError::UnknownEscape));
            }
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self, at: usize) -> Result<u32, Diagnostic> {
        let digits = self.bytes.get(self.pos..self.pos + 4);
        let value = digits
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok());
        match value {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(self.err_at(at, self.pos, SyntaxError::ShortUnicode)),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Doc, Diagnostic> {
        let start = self.pos;
        self.pos += 1;
        let mut entries: Vec<(Spanned<String>, Doc)> = Vec::new();
        // Keys seen, indexed once the object is large (linear duplicate checks).
        let mut seen: Option<std::collections::HashMap<String, usize>> = None;
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Doc {
                value: DocValue::Map(Arc::new(entries)),
                span: self.span(start),
            });
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b'"') {
                if self.pos >= self.bytes.len() {
                    return Err(self.unclosed(start, '}'));
                }
                return Err(self.err_here(SyntaxError::ExpectedKey {
                    found: self.found(),
                    trailing_comma: self.bytes.get(self.pos) == Some(&b'}'),
                }));
            }
            let kstart = self.pos;
            let key = self.string()?;
            let kspan = self.span(kstart);
            let first = match &seen {
                Some(index) => index.get(&key).map(|&i| &entries[i].0),
                None => entries.iter().find(|(k, _)| k.value == key).map(|(k, _)| k),
            };
            if let Some(first) = first {
                let error = DocError::DuplicateKey { key, json: true };
                return Err(error
                    .at(kspan)
                    .with_secondary(first.span, "first defined here"));
            }
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.err_here(SyntaxError::ExpectedColon {
                    found: self.found(),
                }));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            if seen.is_none() && entries.len() >= 16 {
                seen = Some(
                    entries
                        .iter()
                        .enumerate()
                        .map(|(i, (k, _))| (k.value.clone(), i))
                        .collect(),
                );
            }
            if let Some(index) = &mut seen {
                index.insert(key.clone(), entries.len());
            }
            entries.push((Spanned::new(key, kspan), value));
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Doc {
                        value: DocValue::Map(Arc::new(entries)),
                        span: self.span(start),
                    });
                }
                _ => return Err(self.unclosed(start, '}')),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Doc, Diagnostic> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Doc {
                value: DocValue::Seq(Arc::new(items)),
                span: self.span(start),
            });
        }
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) == Some(&b']') {
                return Err(self.err_here(SyntaxError::TrailingComma));
            }
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Doc {
                        value: DocValue::Seq(Arc::new(items)),
                        span: self.span(start),
                    });
                }
                _ => return Err(self.unclosed(start, ']')),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    fn p(s: &str) -> Result<Doc, Diagnostic> {
        parse(s, SourceId(0), &Limits::default())
    }

    #[test]
    fn reads_values_with_spans() {
        let d = p(r#" {"a": [1, -2.5e1, "x\u00e9\ud83d\ude00"], "b": null} "#).unwrap();
        let a = d.get("a").unwrap();
        assert_eq!((a.span.start, a.span.end), (7, 41));
        let DocValue::Seq(items) = &a.value else {
            panic!()
        };
        assert!(matches!(items[1].value, DocValue::Num(n) if n == -25.0));
        assert_eq!(items[2].as_str(), Some("xé😀"));
    }

    #[test]
    fn rejects_bad_input_with_codes() {
        assert_eq!(p(r#"{"a":1,"a":2}"#).unwrap_err().code, Code::DuplicateKey);
        assert_eq!(p("[1,]").unwrap_err().code, Code::Syntax);
        assert_eq!(p("NaN").unwrap_err().code, Code::Syntax);
        assert_eq!(p("1e999").unwrap_err().code, Code::Syntax);
        assert_eq!(p("\"abc").unwrap_err().code, Code::Syntax);
        assert_eq!(
            p(&"[".repeat(100_000)).unwrap_err().code,
            Code::LimitExceeded
        );
        assert_eq!(p("{} x").unwrap_err().code, Code::Syntax);
        assert!(p("\u{feff}{}").is_ok());
    }
}
