//! The shape almost every route file has, read in one pass without the general
//! YAML parser: block mappings, one entry per line, whose values are plain or
//! quoted one-line scalars, with comments and blank lines between.
//!
//! `read` gives the same [`Doc`], spans included, as the event-based reader in
//! `yaml.rs` would, or `None` the moment the text leaves that shape (a list, a
//! flow collection, an anchor, a tag, a multi-line scalar, a tab, a carriage
//! return, a non-ASCII byte, a duplicate key, a bound reached, anything it does
//! not know). The general reader then reads the file from the start, so every
//! error and every rarer construct is handled in one place. The property test
//! below holds the two readers to the same answer.
//!
//! The general parser spends about 300 instructions per byte of a typical
//! route; this spends a few dozen, which is most of what `validate` costs on a
//! large route.

use std::collections::HashSet;
use std::sync::Arc;

use super::doc::{Doc, DocValue, Limits};
use super::yaml_scalar::resolve_plain;
use crate::source::{SourceId, Span, Spanned};

/// One mapping still open: the entries so far, and a key written with no value
/// on its line (its value is a mapping on the lines below, or null).
struct Open<'a> {
    indent: usize,
    start: usize,
    entries: Vec<(Spanned<String>, Doc)>,
    /// Key names of a large mapping, for linear duplicate detection.
    names: Option<HashSet<&'a str>>,
    /// A key whose value did not follow on its line, with its colon's offset.
    waiting: Option<(Spanned<String>, usize)>,
}

struct Reader<'a> {
    text: &'a str,
    source: SourceId,
    limits: &'a Limits,
    stack: Vec<Open<'a>>,
    root: Option<Doc>,
    values: usize,
    bytes: usize,
}

/// Reads `text` when it is in the common block shape; `None` otherwise.
pub(super) fn read(text: &str, source: SourceId, limits: &Limits) -> Option<Doc> {
    if text
        .bytes()
        .any(|b| !(b == b'\n' || (0x20..0x7f).contains(&b)))
    {
        return None;
    }
    let mut reader = Reader {
        text,
        source,
        limits,
        stack: Vec::new(),
        root: None,
        values: 0,
        bytes: 0,
    };
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let content = body.trim_start_matches(' ');
        let indent = body.len() - content.len();
        if !(content.is_empty() || content.starts_with('#')) {
            reader.line(at, indent, content)?;
        }
        at += line.len();
    }
    reader.close_to(None, text.len())?;
    reader.root
}

impl<'a> Reader<'a> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.source, start, end)
    }

    /// Counts values and scalar bytes as the general reader does; `None` past a
    /// bound, so that reader reports it.
    fn count(&mut self, values: usize, bytes: usize) -> Option<()> {
        self.values += values;
        self.bytes += bytes;
        (self.values <= self.limits.max_values && self.bytes <= self.limits.max_file_bytes)
            .then_some(())
    }

    /// One line holding `content` at byte `at + indent`.
    fn line(&mut self, at: usize, indent: usize, content: &'a str) -> Option<()> {
        let here = at + indent;
        match self.stack.last() {
            // A key left without a value, and a deeper line: a nested mapping.
            Some(top) if indent > top.indent => {
                top.waiting.as_ref()?;
                self.open(indent, here)?;
            }
            Some(_) => {
                self.close_to(Some(indent), here)?;
                if self.stack.last()?.indent != indent {
                    return None;
                }
            }
            None if self.root.is_none() => self.open(indent, here)?,
            None => return None,
        }
        self.entry(here, content)
    }

    fn open(&mut self, indent: usize, start: usize) -> Option<()> {
        if self.stack.len() >= self.limits.doc_depth() {
            return None;
        }
        self.count(1, 0)?;
        self.stack.push(Open {
            indent,
            start,
            entries: Vec::new(),
            names: None,
            waiting: None,
        });
        Some(())
    }

    /// Closes what a line at `indent` (or the end of the text, `None`) ends:
    /// a waiting key's null value, then every mapping indented deeper. A
    /// mapping ends where the next line's content starts.
    fn close_to(&mut self, indent: Option<usize>, here: usize) -> Option<()> {
        loop {
            let top = self.stack.last_mut()?;
            let top_indent = top.indent;
            if let Some((key, colon)) = top.waiting.take() {
                let null = Doc {
                    value: DocValue::Null,
                    span: Span::new(self.source, colon, colon),
                };
                top.entries.push((key, null));
                self.count(1, 0)?;
            }
            if indent.is_some_and(|i| i >= top_indent) {
                return Some(());
            }
            let done = self.stack.pop()?;
            let doc = Doc {
                value: DocValue::Map(Arc::new(done.entries)),
                span: self.span(done.start, here),
            };
            match self.stack.last_mut() {
                None => {
                    self.root = Some(doc);
                    return indent.is_none().then_some(());
                }
                Some(parent) => {
                    let (key, _) = parent.waiting.take()?;
                    parent.entries.push((key, doc));
                }
            }
        }
    }

    /// `key:` and what follows on its line, the line's content starting at `here`.
    fn entry(&mut self, here: usize, content: &'a str) -> Option<()> {
        let b = content.as_bytes();
        let key_len = b
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || b"_-.%/+@".contains(&c)))
            .unwrap_or(b.len());
        // YAML bounds an implicit key at 1024 characters.
        if key_len == 0 || key_len > 1024 || !(b[0].is_ascii_alphanumeric() || b[0] == b'_') {
            return None;
        }
        let after = b.get(key_len + 1).copied();
        if b.get(key_len) != Some(&b':') || after.is_some_and(|c| c != b' ') {
            return None;
        }
        let name = &content[..key_len];
        self.count(1, name.len())?;
        let top = self.stack.last_mut()?;
        if let Some(names) = &mut top.names {
            if !names.insert(name) {
                return None;
            }
        } else if top.entries.iter().any(|(k, _)| k.value == name) {
            // (A key waiting for its value was settled before this line.)
            return None;
        } else if top.entries.len() >= 16 {
            let mut names: HashSet<&'a str> = HashSet::with_capacity(2 * top.entries.len());
            names.insert(name);
            for (k, _) in &top.entries {
                // Entries' keys are slices of the text under this mapping; find
                // them by value (each was checked unique when it was added).
                let start = k.span.start as usize;
                names.insert(self.text.get(start..start + k.value.len())?);
            }
            top.names = Some(names);
        }
        let key = Spanned::new(name.to_string(), self.span(here, here + key_len));
        let colon = here + key_len;
        let rest = content.get(key_len + 1..)?;
        let value = rest.trim_start_matches(' ');
        if value.is_empty() || value.starts_with('#') {
            self.stack.last_mut()?.waiting = Some((key, colon));
            return Some(());
        }
        let start = colon + 1 + (rest.len() - value.len());
        let doc = self.scalar(start, value)?;
        self.stack.last_mut()?.entries.push((key, doc));
        Some(())
    }

    /// The scalar `value` (the rest of its line) at byte `start`.
    fn scalar(&mut self, start: usize, value: &str) -> Option<Doc> {
        let b = value.as_bytes();
        let (resolved, len, written) = match b[0] {
            b'"' | b'\'' => {
                let (text, len) = quoted(value)?;
                let n = text.len();
                (DocValue::Str(text), len, n)
            }
            c if c.is_ascii_alphanumeric()
                || b"_./(~+$".contains(&c)
                || (c == b'-' && b.get(1).is_some_and(|&d| d != b' ')) =>
            {
                let len = plain_len(value)?;
                (resolve_plain(&value[..len]), len, len)
            }
            _ => return None,
        };
        // Past the scalar: nothing, or a comment after white space.
        let tail = &value[len..];
        let trimmed = tail.trim_start_matches(' ');
        if !(trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < tail.len())) {
            return None;
        }
        self.count(1, written)?;
        Some(Doc {
            value: resolved,
            span: self.span(start, start + len),
        })
    }
}

/// The length of a plain scalar at the start of `value`: up to a comment or the
/// end of the line, trailing spaces left out. `None` if it holds `: ` or ends
/// in `:`, which YAML reads as a mapping inside the value.
fn plain_len(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    let mut end = b.len();
    for (i, &c) in b.iter().enumerate() {
        if c == b'#' && i > 0 && b[i - 1] == b' ' {
            end = i;
            break;
        }
        if c == b':' && b.get(i + 1).is_none_or(|&n| n == b' ') {
            return None;
        }
    }
    Some(value[..end].trim_end_matches(' ').len())
}

/// A quoted scalar on one line at the start of `value`: its text and the bytes
/// it spans, quotes included. Double quotes take the escapes `\"` and `\\`
/// only; single quotes take `''`.
fn quoted(value: &str) -> Option<(String, usize)> {
    let b = value.as_bytes();
    let quote = b[0];
    let mut text = String::new();
    let mut from = 1;
    let mut i = 1;
    loop {
        let c = *b.get(i)?;
        if quote == b'"' && c == b'\\' {
            let escaped = *b.get(i + 1)?;
            if !matches!(escaped, b'"' | b'\\') {
                return None;
            }
            text.push_str(value.get(from..i)?);
            from = i + 1;
            i += 2;
        } else if c == quote {
            if quote == b'\'' && b.get(i + 1) == Some(&b'\'') {
                text.push_str(value.get(from..=i)?);
                from = i + 2;
                i += 2;
            } else {
                text.push_str(value.get(from..i)?);
                return Some((text, i + 1));
            }
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests;
