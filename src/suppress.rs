//! Inline suppressions: `# aig-route: allow W0609` silences a warning on one node.
//!
//! The comment stands on the node's first line (after it) or alone on the line
//! above it, in YAML and in the DSL (`//` works there too). It silences the named
//! warnings whose primary location lies inside that node. Errors cannot be
//! silenced. A suppression that silences nothing — an unknown code, an error's
//! code, a comment next to no node, or a warning the node does not have — is
//! itself warning W0610, so stale suppressions do not pile up.

use crate::diagnostic::{Code, CodeNameError, Diagnostic};
use crate::source::{SourceId, Span};
use crate::syntax::{Format, Route};

/// The marker that starts a suppression inside a comment.
const MARKER: &str = "aig-route:";

/// One code named by one suppression comment.
struct Allow {
    /// The code as written, and where.
    text: String,
    span: Span,
    /// The node (index into `Route::nodes`) the comment belongs to.
    node: Option<usize>,
    used: bool,
}

/// Applies the suppression comments of `text` (the route's source) to `diags`:
/// drops the warnings they silence and adds W0610 for each that silences nothing.
pub fn apply(
    text: &str,
    source: SourceId,
    format: Format,
    route: &Route,
    doc: Option<&crate::syntax::doc::Doc>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut allows = collect(text, source, format, route, doc);
    if allows.is_empty() {
        return;
    }
    diags.retain(|d| {
        if d.is_error() || d.primary.span.source != source {
            return true;
        }
        let mut silenced = false;
        for a in allows.iter_mut() {
            let inside = a.node.is_some_and(|i| {
                let n = route.nodes[i].span;
                n.start <= d.primary.span.start && d.primary.span.start <= n.end
            });
            if inside && Code::parse(&a.text) == Some(d.code) {
                a.used = true;
                silenced = true;
            }
        }
        !silenced
    });
    for a in allows.into_iter().filter(|a| !a.used) {
        diags.push(unused(&a, route));
    }
    crate::diagnostic::sort(diags);
}

/// Why a suppression silenced nothing, as W0610.
fn unused(a: &Allow, route: &Route) -> Diagnostic {
    let why = match (CodeNameError::warning(&a.text), a.node) {
        (Err(e), _) => UnusedAllow::Code(e),
        (Ok(code), None) => UnusedAllow::NoNode { code },
        (Ok(code), Some(i)) => UnusedAllow::Stale {
            code,
            node: route.nodes[i].id.value.clone(),
        },
    };
    why.at(a.span)
}

/// Why an `aig-route: allow` comment silences nothing (W0610).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnusedAllow {
    /// The code is unknown, or an error's.
    #[error("{0}")]
    Code(CodeNameError),
    /// The comment stands next to no node.
    #[error("`allow {code}` belongs to no node")]
    NoNode {
        /// The warning's code.
        code: Code,
    },
    /// The node has no such warning (any more).
    #[error("`allow {code}` silences nothing: node `{node}` has no {code} warning")]
    Stale {
        /// The warning's code.
        code: Code,
        /// The node's id.
        node: String,
    },
}

impl UnusedAllow {
    /// The message under the comment.
    pub fn label(&self) -> &'static str {
        match self {
            UnusedAllow::Code(e) => e.label(),
            UnusedAllow::NoNode { .. } => "next to no node",
            UnusedAllow::Stale { .. } => "silences nothing",
        }
    }

    /// How to fix it.
    pub fn help(&self) -> Option<String> {
        match self {
            UnusedAllow::Code(e) => e.help(),
            UnusedAllow::NoNode { .. } => Some(
                "put the comment at the end of the node's first line or alone on the line above it"
                    .into(),
            ),
            UnusedAllow::Stale { .. } => Some("remove the stale suppression".into()),
        }
    }

    /// The located warning.
    pub fn at(&self, span: Span) -> Diagnostic {
        let mut d =
            Diagnostic::warning(Code::UnusedAllow, span, self.to_string()).label(self.label());
        if let UnusedAllow::Code(e) = self {
            d.notes.extend(e.note().map(str::to_string));
        }
        d.help = self.help();
        d
    }
}

/// Every code named by a suppression comment, with the node it belongs to.
fn collect(
    text: &str,
    source: SourceId,
    format: Format,
    route: &Route,
    doc: Option<&crate::syntax::doc::Doc>,
) -> Vec<Allow> {
    // Most files have no suppression: the node table below is built only for
    // those that do.
    let comments = crate::fmt::comment_offsets(text, format, route, doc);
    if !comments.iter().any(|(_, c)| c.contains(MARKER)) {
        return Vec::new();
    }
    let starts = line_starts(text);
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset) - 1;
    // The node that starts on each line (the first one, when several do).
    let mut node_at_line: Vec<(usize, usize)> = route
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.span.end > n.span.start && n.span.source == source)
        .map(|(i, n)| (line_of(n.span.start as usize), i))
        .collect();
    node_at_line.sort_unstable();
    node_at_line.dedup_by_key(|(line, _)| *line);
    let node_on = |line: usize| {
        node_at_line
            .binary_search_by_key(&line, |&(l, _)| l)
            .ok()
            .map(|k| node_at_line[k].1)
    };
    let mut out = Vec::new();
    for (offset, comment) in comments {
        let body = comment.trim_start_matches(['#', '/']);
        let lead = comment.len() - body.len();
        let Some(after) = body.trim_start().strip_prefix(MARKER) else {
            continue;
        };
        let rest = after.trim_start();
        let Some(codes) = rest.strip_prefix("allow") else {
            continue;
        };
        let line = line_of(offset);
        let alone = text[starts[line]..offset].trim().is_empty();
        let node = if alone {
            node_on(line + 1)
        } else {
            node_on(line)
        };
        // Byte offset of `codes` inside the comment, to locate each code.
        let mut at = offset + lead + (body.len() - codes.len());
        for part in codes.split(',') {
            let word = part.trim();
            let pos = at + part.find(word).unwrap_or(0);
            at += part.len() + 1;
            if word.is_empty() {
                continue;
            }
            // Anything after the first word is free text (a reason).
            let code = word.split_whitespace().next().unwrap_or(word);
            out.push(Allow {
                text: code.to_string(),
                span: Span::new(source, pos, pos + code.len()),
                node,
                used: false,
            });
        }
    }
    out
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::check::check_text;
    use crate::source::SourceMap;
    use crate::syntax::Format;

    fn codes(text: &str, format: Format) -> Vec<String> {
        let mut sources = SourceMap::new();
        let (_, checked) = check_text(&mut sources, "r", text, format);
        checked
            .diagnostics
            .iter()
            .map(|d| {
                let (l, c) = d.line_col(&sources);
                format!("{} {l}:{c}", d.code)
            })
            .collect()
    }

    const SPLIT: &str = "start: s\nnodes:\n  s:\n    split:\n      60%: done\n      40%: done\n    sticky: metadata.user_id\n  done: end\n";

    #[test]
    fn a_comment_above_or_on_the_node_line_silences_its_warning() {
        let plain = codes(SPLIT, Format::Yaml);
        assert!(plain.iter().any(|c| c.starts_with("W0608")), "{plain:?}");
        let above = SPLIT.replace("  s:\n", "  # aig-route: allow W0608\n  s:\n");
        assert_eq!(codes(&above, Format::Yaml), Vec::<String>::new());
        let same = SPLIT.replace(
            "  s:\n",
            "  s:   # aig-route: allow W0608, W0609 -- sticky on purpose\n",
        );
        assert!(
            codes(&same, Format::Yaml)
                .iter()
                .all(|c| !c.starts_with("W0608"))
        );
    }

    #[test]
    fn a_suppression_that_silences_nothing_is_w0610() {
        let stale = SPLIT.replace(
            "  done: end\n",
            "  done: end  # aig-route: allow W0601, W9999, E0204\n",
        );
        let got = codes(&stale, Format::Yaml);
        let w0610: Vec<_> = got.iter().filter(|c| c.starts_with("W0610")).collect();
        assert_eq!(w0610, ["W0610 8:33", "W0610 8:40", "W0610 8:47"], "{got:?}");
        let orphan = format!("# aig-route: allow W0608\n\n{SPLIT}");
        assert!(codes(&orphan, Format::Yaml).contains(&"W0610 1:20".to_string()));
    }

    #[test]
    fn dsl_comments_suppress_too() {
        let text = "route r {\n  start -> s\n  // aig-route: allow W0608\n  s: split by metadata.user_id { 50% -> done 50% -> done }\n  done: end\n}\n";
        assert!(
            codes(text, Format::Dsl)
                .iter()
                .all(|c| !c.starts_with("W0608"))
        );
        let without = text.replace("  // aig-route: allow W0608\n", "");
        assert!(
            codes(&without, Format::Dsl)
                .iter()
                .any(|c| c.starts_with("W0608"))
        );
        // On the node's own line, with `#`; and a stale one is W0610 there too.
        let same = without.replace("done }\n", "done }  # aig-route: allow W0608\n");
        assert!(
            codes(&same, Format::Dsl)
                .iter()
                .all(|c| !c.starts_with("W0608")),
            "{:?}",
            codes(&same, Format::Dsl)
        );
        let stale = without.replace("  done: end\n", "  done: end  # aig-route: allow W0601\n");
        assert!(
            codes(&stale, Format::Dsl).contains(&"W0610 4:33".to_string()),
            "{:?}",
            codes(&stale, Format::Dsl)
        );
    }
}
