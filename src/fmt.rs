//! Canonical formatting of YAML and DSL route files, keeping their comments.
//!
//! The file is read into the syntax tree and written back in canonical layout.
//! Comments are found in the text (outside strings) and each is placed before the
//! node that followed it; comments above everything stay at the top, comments after
//! the last node stay at the end. Formatting is idempotent: formatted output reads
//! back to the same tree with the same comments in the same places.

use crate::diagnostic::{self, Diagnostic};
use crate::emit::{Comments, to_dsl_with, to_yaml_with};
use crate::source::{SourceId, SourceMap};
use crate::syntax::ast::Route;
use crate::syntax::{self, Format, Limits};

/// A comment in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Comment {
    offset: usize,
    text: String,
}

/// Formats file `id` of `sources`. Refuses (with the reader's diagnostics) a file
/// that cannot be read completely, since rewriting it could lose what it holds.
pub fn format_file(
    sources: &SourceMap,
    id: SourceId,
    format: Format,
    limits: &Limits,
) -> Result<String, Vec<Diagnostic>> {
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
    let comments = match format {
        Format::Dsl => attach(
            &parsed.route,
            dsl_comments(text),
            first_code_offset(text, &dsl_comments(text)),
        ),
        _ => attach(
            &parsed.route,
            yaml_comments(text),
            first_code_offset(text, &yaml_comments(text)),
        ),
    };
    Ok(match format {
        Format::Dsl => to_dsl_with(&parsed.route, &comments),
        _ => to_yaml_with(&parsed.route, &comments),
    })
}

/// Every comment of a YAML or DSL text as `(byte offset, text)`, found as `fmt`
/// finds them (outside strings); for inline `# aig-route: allow` suppressions.
pub(crate) fn comment_offsets(text: &str, format: Format) -> Vec<(usize, String)> {
    let comments = match format {
        Format::Dsl => dsl_comments(text),
        Format::Yaml => yaml_comments(text),
        _ => Vec::new(),
    };
    comments.into_iter().map(|c| (c.offset, c.text)).collect()
}

/// Where the first non-comment, non-blank text starts.
fn first_code_offset(text: &str, comments: &[Comment]) -> usize {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        let is_comment = comments.iter().any(|c| {
            c.offset >= offset
                && c.offset < offset + line.len()
                && line[..c.offset - offset].trim().is_empty()
        });
        if !t.is_empty() && !t.starts_with('\u{feff}') && !is_comment {
            return offset;
        }
        offset += line.len();
    }
    text.len()
}

fn attach(route: &Route, comments: Vec<Comment>, code_start: usize) -> Comments {
    let mut order: Vec<(u32, usize)> = route
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.span.start, i))
        .collect();
    order.sort();
    let mut out = Comments::default();
    for c in comments {
        if c.offset < code_start {
            out.header.push(c.text);
            continue;
        }
        match order.iter().find(|(start, _)| *start as usize > c.offset) {
            Some((_, i)) => out.before.entry(*i).or_default().push(c.text),
            None => out.footer.push(c.text),
        }
    }
    out
}

/// `#` and `//` comments outside double-quoted strings.
fn dsl_comments(text: &str) -> Vec<Comment> {
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
            b'#' | b'/' if b[i] == b'#' || b.get(i + 1) == Some(&b'/') => {
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

/// YAML comments: `#` at the start of a line or after a space, outside quotes.
fn yaml_comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let (mut single, mut double) = (false, false);
        let mut prev = ' ';
        for (j, c) in line.char_indices() {
            match c {
                '\'' if !double => single = !single,
                '"' if !single && prev != '\\' => double = !double,
                '#' if !single && !double && prev.is_whitespace() => {
                    out.push(Comment {
                        offset: offset + j,
                        text: line[j..].trim_end().to_string(),
                    });
                    break;
                }
                _ => {}
            }
            prev = c;
        }
        offset += line.len();
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
    fn yaml_comments_move_with_their_nodes_and_formatting_is_idempotent() {
        let text = "# header\nstart: m   # the entry\nnodes:\n  # the only model\n  m:\n    model: openai/x\n    timeout: 30000\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n# trailer\n";
        let once = fmt(text, Format::Yaml);
        assert!(once.starts_with("# header\nname: f\n"), "{once}");
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
