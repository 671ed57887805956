//! YAML text → [`Doc`], keeping the span of every key and value.
//!
//! Built on `saphyr-parser`'s event stream (safe Rust, positions on every event)
//! rather than a serde deserializer, because route files need spans on keys as well
//! as values, duplicate keys reported with both places, and hard bounds on nesting
//! and alias expansion. Plain scalars resolve by the YAML 1.2 core schema, so `no`
//! stays a string and `1h` is never a number.

use saphyr_parser::{Event, Parser, ScalarStyle};

use std::sync::Arc;

use super::doc::{Doc, DocValue, Limits};
use super::doc_error::DocError;
use super::syntax_error::SyntaxError;
use super::yaml_scalar::quoted_end;
use super::yaml_scalar::resolve_plain;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceId, Span, Spanned};

/// Reads one YAML document. On failure returns the located error.
///
/// Files in the common block shape are read by [`super::yaml_block`] in one
/// pass; anything else, and every error, goes through the event reader below.
pub fn parse(text: &str, source: SourceId, limits: &Limits) -> Result<Doc, Diagnostic> {
    match super::yaml_block::read(text, source, limits) {
        Some(doc) => Ok(doc),
        None => parse_general(text, source, limits),
    }
}

/// Reads one YAML document with the event reader, whatever its shape.
pub(super) fn parse_general(
    text: &str,
    source: SourceId,
    limits: &Limits,
) -> Result<Doc, Diagnostic> {
    Reader::new(text, source, limits).run()
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        /// The document's size when this list opened.
        opened: Size,
        items: Vec<Doc>,
    },
    Map {
        start: usize,
        anchor: usize,
        /// The document's size when this mapping opened.
        opened: Size,
        entries: Vec<(Spanned<String>, Doc)>,
        key: Option<Spanned<String>>,
        /// Index of keys seen, built once the mapping is large (keeps duplicate
        /// detection linear on 10,000-node routes).
        seen: Option<std::collections::HashMap<String, usize>>,
    },
}

struct Reader<'a> {
    text: &'a str,
    source: SourceId,
    limits: &'a Limits,
    /// Byte offset of each character index, when the text is not ASCII.
    char_to_byte: Option<Vec<u32>>,
    stack: Vec<Frame>,
    /// Each anchor's value (shared, not copied) and what it adds when aliased.
    anchors: std::collections::HashMap<usize, (Doc, Size)>,
    /// Values and scalar bytes so far, aliases expanded.
    size: Size,
    root: Option<Doc>,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, source: SourceId, limits: &'a Limits) -> Self {
        let char_to_byte = (!text.is_ascii()).then(|| {
            let mut v: Vec<u32> = text
                .char_indices()
                .map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX))
                .collect();
            v.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
            v
        });
        Reader {
            text,
            source,
            limits,
            char_to_byte,
            stack: Vec::new(),
            anchors: std::collections::HashMap::new(),
            size: Size::default(),
            root: None,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.char_to_byte {
            None => char_index.min(self.text.len()),
            Some(map) => map.get(char_index).map_or(self.text.len(), |&b| b as usize),
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.source, start, end)
    }

    fn run(mut self) -> Result<Doc, Diagnostic> {
        let mut documents = 0;
        for item in Parser::new_from_str(self.text) {
            let (event, span) = match item {
                Ok(ok) => ok,
                Err(e) => {
                    let at = self.byte(e.marker().index());
                    // The scanner counts flow nesting in a byte and gives up at 256,
                    // before any event reaches the depth check in `open`.
                    if e.info() == "recursion limit exceeded" {
                        return Err(self.too_deep(at));
                    }
                    let (start, end, error) = super::yaml_errors::explain(self.text, at, e.info());
                    return Err(error.at(self.span(start, end)));
                }
            };
            let start = self.byte(span.start.index());
            let end = self.byte(span.end.index());
            match event {
                Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => {}
                Event::DocumentStart(explicit) => {
                    // Directives come before an explicit `---`, and only there.
                    if explicit
                        && let Some((s, e)) = super::yaml_tags::bad_version(&self.text[..start])
                    {
                        return Err(SyntaxError::OtherVersion.at(self.span(s, e)));
                    }
                    documents += 1;
                    if documents > 1 {
                        let second = SyntaxError::SecondDocument { yaml: true };
                        return Err(second.at(self.span(start, end.max(start + 1))));
                    }
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let resolved = match &tag {
                        Some(t) => super::yaml_tags::scalar(&value, t)
                            .map_err(|m| self.bad_tag(start, end, m))?,
                        None if style == ScalarStyle::Plain => resolve_plain(&value),
                        None => DocValue::Str(value.to_string()),
                    };
                    let end = quoted_end(self.text, start, end, style);
                    let doc = Doc {
                        value: resolved,
                        span: self.span(start, end),
                    };
                    let size = Size {
                        values: 1,
                        bytes: value.len(),
                    };
                    self.count(size, start)?;
                    self.finish(doc, anchor, size, Some(value.into_owned()))?;
                }
                Event::SequenceStart(anchor, tag) => {
                    if let Some(t) = &tag {
                        super::yaml_tags::collection(t, true)
                            .map_err(|m| self.bad_tag(start, end, m))?;
                    }
                    let opened = self.size;
                    self.open(start)?;
                    self.stack.push(Frame::Seq {
                        start,
                        anchor,
                        opened,
                        items: Vec::new(),
                    });
                }
                Event::MappingStart(anchor, tag) => {
                    if let Some(t) = &tag {
                        super::yaml_tags::collection(t, false)
                            .map_err(|m| self.bad_tag(start, end, m))?;
                    }
                    let opened = self.size;
                    self.open(start)?;
                    self.stack.push(Frame::Map {
                        start,
                        anchor,
                        opened,
                        entries: Vec::new(),
                        key: None,
                        seen: None,
                    });
                }
                Event::SequenceEnd => {
                    if let Some(Frame::Seq {
                        start,
                        anchor,
                        opened,
                        items,
                    }) = self.stack.pop()
                    {
                        let doc = Doc {
                            value: DocValue::Seq(Arc::new(items)),
                            span: self.span(start, end.max(start)),
                        };
                        self.finish(doc, anchor, self.size.since(opened), None)?;
                    }
                }
                Event::MappingEnd => {
                    if let Some(Frame::Map {
                        start,
                        anchor,
                        opened,
                        entries,
                        ..
                    }) = self.stack.pop()
                    {
                        let doc = Doc {
                            value: DocValue::Map(Arc::new(entries)),
                            span: self.span(start, end.max(start)),
                        };
                        self.finish(doc, anchor, self.size.since(opened), None)?;
                    }
                }
                Event::Alias(id) => {
                    // Anchor ids are unique per definition (a redefined name gets a
                    // new id), so one lookup finds the latest definition.
                    let Some((doc, size)) = self.anchors.get(&id) else {
                        return Err(
                            SyntaxError::UnknownAlias.at(self.span(start, end.max(start + 1)))
                        );
                    };
                    // A shared handle on the anchor's value, not a copy; its
                    // expansion still counts in full against the bounds.
                    let (mut doc, size) = (doc.clone(), *size);
                    self.count(size, start)?;
                    // Point the alias at itself, so errors inside it land where it is used.
                    doc.span = self.span(start, end.max(start + 1));
                    self.finish(doc, 0, size, None)?;
                }
            }
        }
        Ok(self.root.unwrap_or(Doc {
            value: DocValue::Null,
            span: Span::new(self.source, 0, 0),
        }))
    }

    fn open(&mut self, at: usize) -> Result<(), Diagnostic> {
        self.count(
            Size {
                values: 1,
                bytes: 0,
            },
            at,
        )?;
        if self.stack.len() >= self.limits.doc_depth() {
            return Err(self.too_deep(at));
        }
        Ok(())
    }

    fn bad_tag(&self, start: usize, end: usize, message: String) -> Diagnostic {
        SyntaxError::BadTag { message }.at(self.span(start, end.max(start + 1)))
    }

    fn too_deep(&self, at: usize) -> Diagnostic {
        DocError::TooDeep {
            limit: self.limits.doc_depth(),
        }
        .at(self.span(at, at + 1))
    }

    /// Adds `n` to the document's size: more values than `max_values`, or more
    /// scalar text than the file-size limit (a long string aliased many times),
    /// is an error.
    fn count(&mut self, n: Size, at: usize) -> Result<(), Diagnostic> {
        self.size.values = self.size.values.saturating_add(n.values);
        self.size.bytes = self.size.bytes.saturating_add(n.bytes);
        if self.size.bytes > self.limits.max_file_bytes {
            let error = DocError::TooMuchText {
                limit: self.limits.max_file_bytes,
            };
            return Err(error.at(self.span(at, at + 1)));
        }
        if self.size.values > self.limits.max_values {
            let error = DocError::TooManyValues {
                limit: self.limits.max_values,
                aliases: !self.anchors.is_empty(),
            };
            return Err(error.at(self.span(at, at + 1)));
        }
        Ok(())
    }

    fn finish(
        &mut self,
        doc: Doc,
        anchor: usize,
        size: Size,
        raw: Option<String>,
    ) -> Result<(), Diagnostic> {
        if anchor != 0 {
            self.anchors.insert(anchor, (doc.clone(), size));
        }
        match self.stack.last_mut() {
            None => self.root = Some(doc),
            Some(Frame::Seq { items, .. }) => items.push(doc),
            Some(Frame::Map {
                entries, key, seen, ..
            }) => match key.take() {
                Some(k) => entries.push((k, doc)),
                None => {
                    let Some(raw) = raw else {
                        let found = super::shape_error::Shape::found(&doc, super::Format::Yaml);
                        return Err(SyntaxError::KeyNotScalar { found }.at(doc.span));
                    };
                    let first = match seen {
                        Some(index) => index.get(&raw).map(|&i| &entries[i].0),
                        None => entries.iter().find(|(k, _)| k.value == raw).map(|(k, _)| k),
                    };
                    if let Some(first) = first {
                        let error = DocError::DuplicateKey {
                            key: raw,
                            json: false,
                        };
                        return Err(error
                            .at(doc.span)
                            .with_secondary(first.span, "first defined here"));
                    }
                    if seen.is_none() && entries.len() >= 16 {
                        *seen = Some(
                            entries
                                .iter()
                                .enumerate()
                                .map(|(i, (k, _))| (k.value.clone(), i))
                                .collect(),
                        );
                    }
                    if let Some(index) = seen {
                        index.insert(raw.clone(), entries.len());
                    }
                    *key = Some(Spanned::new(raw, doc.span));
                }
            },
        }
        Ok(())
    }
}

/// How much of the document has been read: values, and bytes of scalar text.
#[derive(Clone, Copy, Debug, Default)]
struct Size {
    values: usize,
    bytes: usize,
}

impl Size {
    /// What was added since `earlier`.
    fn since(self, earlier: Size) -> Size {
        Size {
            values: self.values - earlier.values,
            bytes: self.bytes - earlier.bytes,
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
    fn resolves_core_schema_scalars() {
        let d = p("a: 1\nb: 1h\nc: 90%\nd: true\ne: no\nf: '2'\ng: 2.5e3\nh:\n").unwrap();
        assert!(matches!(d.get("a").unwrap().value, DocValue::Num(n) if n == 1.0));
        assert_eq!(d.get("b").unwrap().as_str(), Some("1h"));
        assert_eq!(d.get("c").unwrap().as_str(), Some("90%"));
        assert!(matches!(d.get("d").unwrap().value, DocValue::Bool(true)));
        assert_eq!(d.get("e").unwrap().as_str(), Some("no"));
        assert_eq!(d.get("f").unwrap().as_str(), Some("2"));
        assert!(matches!(d.get("g").unwrap().value, DocValue::Num(n) if n == 2500.0));
        assert!(matches!(d.get("h").unwrap().value, DocValue::Null));
    }

    #[test]
    fn a_quoted_scalar_ends_at_its_closing_quote_not_at_a_comment() {
        for (text, want) in [
            ("a: \"x #y\"   # c\n", "\"x #y\""),
            ("a: \"x\\\" #\"  # c\n", "\"x\\\" #\""),
            ("a: 'it''s #'  # c\n", "'it''s #'"),
            ("a: !!str \"x\" # c\n", "!!str \"x\""),
            ("a: \"x\n  y\" # c\n", "\"x\n  y\""),
        ] {
            let d = p(text).unwrap();
            let v = d.get("a").unwrap();
            assert_eq!(&text[v.span.start as usize..v.span.end as usize], want);
        }
    }

    #[test]
    fn spans_are_bytes_even_after_non_ascii() {
        let text = "é: x\nkey: value\n";
        let d = p(text).unwrap();
        let v = d.get("key").unwrap();
        assert_eq!(&text[v.span.start as usize..v.span.end as usize], "value");
    }

    #[test]
    fn rejects_duplicates_bombs_and_depth() {
        assert_eq!(p("a: 1\na: 2\n").unwrap_err().code, Code::DuplicateKey);
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            let refs = vec![format!("*{prev}"); 10].join(", ");
            bomb.push_str(&format!("b{i}: &b{i} [{refs}]\n"));
        }
        assert_eq!(p(&bomb).unwrap_err().code, Code::LimitExceeded);
        assert_eq!(p(&"[".repeat(200)).unwrap_err().code, Code::LimitExceeded);
        // Far deeper, the scanner's own bound answers first: still the depth code.
        assert_eq!(
            p(&"[".repeat(10_000)).unwrap_err().code,
            Code::LimitExceeded
        );
        assert_eq!(
            p(&"{a: ".repeat(300)).unwrap_err().code,
            Code::LimitExceeded
        );
        assert_eq!(p("a: [1, 2\n").unwrap_err().code, Code::Syntax);
        assert_eq!(p("a: 1\n---\nb: 2\n").unwrap_err().code, Code::Syntax);
    }
}
