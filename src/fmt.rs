//! Canonical formatting of YAML and DSL route files, keeping their comments.
//!
//! The file is read into the syntax tree and written back in canonical layout.
//! Comments are found in the text (outside strings and values) and tied to what
//! they annotate (see [`crate::emit::Comments`]): an end-of-line comment to the
//! first element on its line, a comment on its own line to the element after
//! it, comments above everything to the top, comments after the last node to the
//! end. Formatting is idempotent: formatted output reads back to the same tree
//! with the same comments in the same places.

use crate::diagnostic::{self, Diagnostic};
use crate::emit::{Anchor, Comments, anchors, to_dsl_with};
use crate::source::{SourceId, SourceMap, Span};
use crate::syntax::ast::{NodeKind, Parsed, Route};
use crate::syntax::doc::{Doc, DocValue};
use crate::syntax::{self, Format, Limits};

/// A comment in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Comment {
    offset: usize,
    text: String,
}

/// Reads file `id` completely, with its comments. Refuses (with the reader's
/// diagnostics) a file that cannot be read completely, since rewriting it could
/// lose what it holds.
pub fn read_with_comments(
    sources: &SourceMap,
    id: SourceId,
    format: Format,
    limits: &Limits,
) -> Result<(Parsed, Comments), Vec<Diagnostic>> {
    let read = syntax::parse(sources, id, format, limits);
    let errors: Vec<Diagnostic> = read
        .diagnostics
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    let Some(parsed) = read.parsed.filter(|_| errors.is_empty()) else {
        let mut errors = errors;
        diagnostic::sort(&mut errors);
        return Err(errors);
    };
    let text = sources.text(id);
    let found = match format {
        Format::Dsl => dsl_comments(text, &parsed.route),
        Format::Yaml => yaml_comments(text, read.doc.as_ref()),
        Format::Json => Vec::new(),
    };
    let comments = attach(text, &parsed.route, found, format);
    Ok((parsed, comments))
}

/// Formats file `id` of `sources` (see [`read_with_comments`] for what is refused).
pub fn format_file(
    sources: &SourceMap,
    id: SourceId,
    format: Format,
    limits: &Limits,
) -> Result<String, Vec<Diagnostic>> {
    let (parsed, comments) = read_with_comments(sources, id, format, limits)?;
    let text = match format {
        Format::Dsl => to_dsl_with(&parsed.route, &comments),
        _ => crate::emit::to_yaml_as_written(&parsed.route, &comments),
    };
    // The canonical layout (block style, aliases written out) can take more
    // room than the file did: refuse to write what could not be read back.
    if text.len() > limits.max_file_bytes {
        let e = crate::syntax::doc_error::DocError::FormattedTooLarge {
            size: text.len(),
            limit: limits.max_file_bytes,
        };
        return Err(vec![e.at(Span::new(id, 0, 0))]);
    }
    Ok(text)
}

/// Every comment of a YAML or DSL text as `(byte offset, text)`, found as `fmt`
/// finds them (outside strings and values: `route` and, for YAML, its document
/// `doc` say where those are); for inline `# aig-route: allow` suppressions.
pub(crate) fn comment_offsets(
    text: &str,
    format: Format,
    route: &Route,
    doc: Option<&Doc>,
) -> Vec<(usize, String)> {
    let comments = match format {
        Format::Dsl => dsl_comments(text, route),
        Format::Yaml => yaml_comments(text, doc),
        _ => Vec::new(),
    };
    comments.into_iter().map(|c| (c.offset, c.text)).collect()
}

/// Where the first non-comment, non-blank text starts.
fn first_code_offset(text: &str, comments: &[Comment]) -> usize {
    let mut offset = 0;
    let mut next = comments.iter().peekable();
    for line in text.split_inclusive('\n') {
        while next.peek().is_some_and(|c| c.offset < offset) {
            next.next();
        }
        let comment_at = next
            .peek()
            .filter(|c| c.offset < offset + line.len())
            .map(|c| c.offset - offset);
        let code = match comment_at {
            Some(at) => &line[..at],
            None => line,
        };
        let code = code.trim().trim_start_matches('\u{feff}');
        if !code.is_empty() {
            return offset;
        }
        offset += line.len();
    }
    text.len()
}

/// Ties each comment to its anchor (see the module doc).
fn attach(text: &str, route: &Route, comments: Vec<Comment>, format: Format) -> Comments {
    let code_start = first_code_offset(text, &comments);
    let places = anchors(route);
    let ids: Vec<(u32, usize)> = places
        .iter()
        .filter_map(|(p, a)| match a {
            Anchor::Id(i) => Some((*p, *i)),
            _ => None,
        })
        .collect();
    let mut out = Comments::default();
    for c in comments {
        if c.offset < code_start {
            out.header.push(c.text);
            continue;
        }
        let line_start = text[..c.offset].rfind('\n').map_or(0, |i| i + 1);
        if !text[line_start..c.offset].trim().is_empty() {
            // The node defined on the line, if one is (`then -> big: model …  # c`
            // is about `big`), else the first thing on it.
            let first = places.partition_point(|(p, _)| (*p as usize) < line_start);
            let last = places.partition_point(|(p, _)| (*p as usize) < c.offset);
            let on_line = &places[first..last.max(first)];
            let pick = on_line
                .iter()
                .rev()
                .find(|(_, a)| matches!(a, Anchor::Id(_)))
                .or(on_line.first());
            let key = match text[line_start..c.offset].trim() {
                "}" if format == Format::Dsl => Some(Anchor::Close),
                _ if format != Format::Yaml => None,
                "metadata:" => Some(Anchor::Metadata),
                "nodes:" => Some(Anchor::Nodes),
                "start:" => Some(Anchor::StartBlock),
                "split:" => {
                    let k = ids.partition_point(|(p, _)| (*p as usize) < c.offset);
                    k.checked_sub(1).map(|k| Anchor::Split(ids[k].1))
                }
                _ => None,
            };
            if let Some(a) = pick.map(|(_, a)| *a).or(key) {
                out.trailing.entry(a).or_default().push(c.text);
                continue;
            }
        }
        // Above the next line with something on it: about the node defined there,
        // if one is, else about the first thing on it.
        let next = places.partition_point(|(p, _)| (*p as usize) <= c.offset);
        let Some(&(p, first)) = places.get(next) else {
            out.footer.push(c.text);
            continue;
        };
        let line_end = text[p as usize..]
            .find('\n')
            .map_or(text.len(), |e| p as usize + e);
        let end = places.partition_point(|(q, _)| (*q as usize) < line_end);
        let a = places[next..end.max(next)]
            .iter()
            .rev()
            .find(|(_, a)| matches!(a, Anchor::Id(_)))
            .map_or(first, |(_, a)| *a);
        out.above.entry(a).or_default().push(c.text);
    }
    out
}

/// `#` and `//` comments outside double-quoted strings and model words (where
/// `/` is part of the word: `workers-ai/@cf//x` holds no comment).
fn dsl_comments(text: &str, route: &Route) -> Vec<Comment> {
    let mut words: Vec<(usize, usize)> = route
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Model(m) => Some((
                m.provider.span.start as usize,
                m.model.span.end.max(m.provider.span.end) as usize,
            )),
            _ => None,
        })
        .collect();
    words.sort();
    let inside_word = |i: usize| {
        let k = words.partition_point(|(s, _)| *s <= i);
        k > 0 && i < words[k - 1].1
    };
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'#' | b'/' if (b[i] == b'#' || b.get(i + 1) == Some(&b'/')) && !inside_word(i) => {
                let end = text[i..].find('\n').map_or(text.len(), |e| i + e);
                out.push(Comment {
                    offset: i,
                    text: text[i..end].trim_end().to_string(),
                });
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// Byte ranges of every scalar (keys included) of a YAML document, sorted: a
/// `#` inside one is part of a value (`'a #b'`), not a comment.
fn scalar_spans(doc: &Doc) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let range = |s: Span| (s.start as usize, s.end as usize);
    let mut stack = vec![doc];
    while let Some(d) = stack.pop() {
        match &d.value {
            DocValue::Seq(items) => stack.extend(items.iter()),
            DocValue::Map(entries) => {
                for (k, v) in entries.iter() {
                    out.push(range(k.span));
                    stack.push(v);
                }
            }
            _ => out.push(range(d.span)),
        }
    }
    out.sort_unstable();
    out
}

/// YAML comments: `#` at the start of a line or after white space, outside
/// every scalar the parser read.
fn yaml_comments(text: &str, doc: Option<&Doc>) -> Vec<Comment> {
    // Only a `#` after white space needs the scalars' places: a file without
    // one (most of them) never walks the document for them.
    let scalars = std::cell::OnceCell::new();
    let inside_scalar = |i: usize| {
        let scalars: &Vec<(usize, usize)> =
            scalars.get_or_init(|| doc.map(scalar_spans).unwrap_or_default());
        let k = scalars.partition_point(|(s, _)| *s <= i);
        scalars[..k].iter().rev().take(1).any(|(_, e)| i < *e)
    };
    // Only the `#`s are looked at (found by memchr), not every character.
    let mut out = Vec::new();
    // Offsets below this are on a line that already has its comment.
    let mut line_done = 0;
    for (i, _) in text.match_indices('#') {
        if i < line_done {
            continue;
        }
        let prev = text[..i].chars().next_back().unwrap_or(' ');
        if !(prev.is_whitespace() || prev == '\u{feff}') || inside_scalar(i) {
            continue;
        }
        let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
        out.push(Comment {
            offset: i,
            text: text[i..end].trim_end().to_string(),
        });
        line_done = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(text: &str, format: Format) -> String {
        let mut sources = SourceMap::new();
        let id = sources.add("f", text);
        format_file(&sources, id, format, &Limits::default()).unwrap()
    }

    #[test]
    fn a_comment_after_a_quoted_value_stays() {
        for model in ["\"openai/x\"", "'openai/x'", "\"\\u007Fpenai/x\""] {
            let text = format!(
                "start: m\nnodes:\n  m:\n    model: {model}  # c\n    timeout: 30s\n    retries: 1\n    success: d\n    fallback: d\n  d: end\n"
            );
            let once = fmt(&text, Format::Yaml);
            assert!(once.contains("  # c\n    timeout"), "{once}");
            assert_eq!(fmt(&once, Format::Yaml), once);
        }
    }

    #[test]
    fn yaml_comments_move_with_their_nodes_and_formatting_is_idempotent() {
        let text = "# header\nstart: m   # the entry\nnodes:\n  # the only model\n  m:\n    model: openai/x\n    timeout: 30000\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n# trailer\n";
        let once = fmt(text, Format::Yaml);
        // No `name:` written: the file's name stays the route's.
        assert!(
            once.starts_with("# header\nstart: m  # the entry\n"),
            "{once}"
        );
        assert!(once.contains("  # the only model\n  m:\n"), "{once}");
        assert!(once.contains("timeout: 30s"), "{once}");
        assert!(once.trim_end().ends_with("# trailer"), "{once}");
        assert_eq!(fmt(&once, Format::Yaml), once);
    }

    #[test]
    fn dsl_comments_survive_and_strings_with_hashes_are_not_comments() {
        let text = "// top\nroute r {\n  start -> c\n  # a test\n  c: if metadata.a == \"#not\" { then -> d else -> d }\n  d: end // last\n}\n";
        let once = fmt(text, Format::Dsl);
        assert!(once.starts_with("// top\nroute r {"), "{once}");
        assert!(once.contains("# a test"), "{once}");
        assert!(once.contains("\"#not\""), "{once}");
        assert!(once.contains("// last"), "{once}");
        assert_eq!(fmt(&once, Format::Dsl), once);
    }
}
