//! Comments carried through a rewrite (`fmt`, `convert` between YAML and DSL).
//!
//! A comment is tied to an [`Anchor`]: the place in the source of the syntax
//! element it annotates. The emitters write text line by line through [`Out`],
//! telling it which anchors each line shows; a comment then comes out next to
//! the first line that shows its anchor — at the end of that line when it was an
//! end-of-line comment, above it when it stood on its own line. Anchors are
//! source places, not output lines, so the same comments land in the same spots
//! whichever format is written.

use std::collections::{BTreeMap, BTreeSet};

use crate::source::Spanned;
use crate::syntax::ast::{NodeKind, Route};

/// What a comment is tied to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Anchor {
    /// The id of node `i` of `Route::nodes` (where the node is defined; kept
    /// apart from outputs that name it, which in the DSL start at the same byte).
    Id(usize),
    /// The syntax element whose text starts at this byte of the source.
    At(u32),
    /// The end of node `i` of `Route::nodes` (a DSL node's closing `}`).
    EndOf(usize),
    /// YAML's `metadata:` line (the DSL's `metadata { … }`).
    Metadata,
    /// YAML's `nodes:` line (the DSL's `route … {`).
    Nodes,
    /// YAML's `start:` line above `id:` and `next:` (the DSL's `start …`).
    StartBlock,
    /// YAML's `split:` line of node `i` (the DSL's `split … {`).
    Split(usize),
    /// The DSL's closing `}` of the route (YAML's end of file).
    Close,
}

impl Anchor {
    /// The anchor of an element, `None` for one that was not written (an empty
    /// span, such as a route name taken from the file name).
    pub fn of<T>(s: &Spanned<T>) -> Option<Anchor> {
        (s.span.end > s.span.start).then_some(Anchor::At(s.span.start))
    }
}

/// Comments to keep when a route is written again.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comments {
    /// Comments before anything else.
    pub header: Vec<String>,
    /// Comments on their own line, above what they annotate.
    pub above: BTreeMap<Anchor, Vec<String>>,
    /// Comments at the end of the line that shows what they annotate.
    pub trailing: BTreeMap<Anchor, Vec<String>>,
    /// Comments after the last node.
    pub footer: Vec<String>,
}

impl Comments {
    /// How many comments there are.
    pub fn len(&self) -> usize {
        self.header.len()
            + self.footer.len()
            + self.above.values().map(Vec::len).sum::<usize>()
            + self.trailing.values().map(Vec::len).sum::<usize>()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether any comment is tied to `a`.
    pub fn has(&self, a: Anchor) -> bool {
        self.above.contains_key(&a) || self.trailing.contains_key(&a)
    }
}

/// Which comment syntax the output uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// `#` only.
    Yaml,
    /// `#` and `//`.
    Dsl,
}

/// A line-by-line writer that places comments by anchor.
pub(crate) struct Out<'c> {
    comments: &'c Comments,
    syntax: Syntax,
    used: BTreeSet<Anchor>,
    text: String,
    line: String,
    anchors: Vec<Anchor>,
    /// Own-line comments waiting for the next line.
    pending: Vec<String>,
}

impl<'c> Out<'c> {
    pub(crate) fn new(comments: &'c Comments, syntax: Syntax) -> Self {
        Out {
            comments,
            syntax,
            used: BTreeSet::new(),
            text: String::new(),
            line: String::new(),
            anchors: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// A comment in this output's syntax: `// x` becomes `# x` in YAML.
    fn spelled(&self, c: &str) -> String {
        match (self.syntax, c.strip_prefix("//")) {
            (Syntax::Yaml, Some(rest)) => format!("#{rest}"),
            _ => c.to_string(),
        }
    }

    /// Whether a comment stands on its own line above `a`.
    pub(crate) fn has_above(&self, a: Anchor) -> bool {
        self.comments.above.contains_key(&a)
    }

    /// Whether any comment is tied to `a`.
    pub(crate) fn has(&self, a: Option<Anchor>) -> bool {
        a.is_some_and(|a| self.comments.has(a))
    }

    /// Appends text to the current line.
    pub(crate) fn push(&mut self, s: &str) {
        self.line.push_str(s);
    }

    /// Notes that the current line shows `a`.
    pub(crate) fn anchor(&mut self, a: Option<Anchor>) {
        if let Some(a) = a {
            self.anchors.push(a);
        }
    }

    /// Ends the current line: own-line comments above it (at its indentation),
    /// the first end-of-line comment after it; further end-of-line comments for
    /// the same line go above it too, since a line holds only one.
    pub(crate) fn end(&mut self) {
        let line = std::mem::take(&mut self.line);
        let anchors = std::mem::take(&mut self.anchors);
        let mut above = std::mem::take(&mut self.pending);
        let mut trailing: Vec<String> = Vec::new();
        for a in anchors {
            if !self.used.insert(a) {
                continue;
            }
            above.extend(self.comments.above.get(&a).into_iter().flatten().cloned());
            trailing.extend(
                self.comments
                    .trailing
                    .get(&a)
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
        }
        if trailing.len() > 1 {
            above.extend(trailing.drain(1..));
        }
        let indent = &line[..line.len() - line.trim_start().len()];
        for c in &above {
            self.text.push_str(indent);
            self.text.push_str(&self.spelled(c));
            self.text.push('\n');
        }
        self.text.push_str(&line);
        if let Some(c) = trailing.first() {
            self.text.push_str("  ");
            self.text.push_str(&self.spelled(c));
        }
        self.text.push('\n');
    }

    /// A whole line at once.
    pub(crate) fn line(&mut self, s: &str, anchors: &[Option<Anchor>]) {
        self.push(s);
        for a in anchors {
            self.anchor(*a);
        }
        self.end();
    }

    /// Comments tied to `a` that no line shows: they go above the next line.
    pub(crate) fn defer(&mut self, a: Anchor) {
        if self.used.insert(a) {
            for map in [&self.comments.above, &self.comments.trailing] {
                self.pending
                    .extend(map.get(&a).into_iter().flatten().cloned());
            }
        }
    }

    /// Own-line comments with no anchor of their own (header, footer).
    pub(crate) fn comment_lines(&mut self, lines: &[String], indent: &str) {
        for c in self
            .pending
            .drain(..)
            .collect::<Vec<_>>()
            .iter()
            .chain(lines)
        {
            let c = self.spelled(c);
            self.text.push_str(indent);
            self.text.push_str(&c);
            self.text.push('\n');
        }
    }

    /// The text, with every comment no line showed placed before the footer
    /// (so no comment is ever lost, even one tied to something the format cannot
    /// show), then `close` (the DSL's final `}`) if given.
    pub(crate) fn finish(mut self, footer_indent: &str, close: Option<&str>) -> String {
        let comments = self.comments;
        let unused: Vec<String> = comments
            .above
            .iter()
            .chain(&comments.trailing)
            .filter(|(a, _)| !self.used.contains(a) && (close.is_none() || **a != Anchor::Close))
            .flat_map(|(_, cs)| cs.iter().cloned())
            .collect();
        self.pending.extend(unused);
        self.comment_lines(&comments.footer, footer_indent);
        if let Some(close) = close {
            self.line(close, &[Some(Anchor::Close)]);
        }
        self.text
    }
}

/// Every anchor of `route` with its place in the source, in source order: the
/// elements the emitters show, and each node's end.
pub fn anchors(route: &Route) -> Vec<(u32, Anchor)> {
    let mut out: Vec<(u32, Anchor)> = Vec::new();
    let mut add = |a: Option<Anchor>| {
        if let Some(Anchor::At(p)) = a {
            out.push((p, Anchor::At(p)));
        }
    };
    add(Anchor::of(&route.name));
    for (k, t) in &route.metadata {
        add(Anchor::of(k));
        add(Anchor::of(t));
    }
    for node in &route.nodes {
        for (_, t) in node.kind.outputs() {
            add(t.and_then(Anchor::of));
        }
        match &node.kind {
            NodeKind::Conditional { condition, .. } => {
                add(condition.as_ref().and_then(Anchor::of));
            }
            NodeKind::Percentage { sticky, branches } => {
                add(sticky.as_ref().and_then(Anchor::of));
                for b in branches {
                    add(Anchor::of(&b.share));
                }
            }
            NodeKind::Limit(l) => {
                add(l.limit.as_ref().and_then(Anchor::of));
                add(l.window.as_ref().and_then(Anchor::of));
                add(l.key.as_ref().and_then(Anchor::of));
                add(l.mode.as_ref().and_then(Anchor::of));
            }
            NodeKind::Model(m) => {
                add(Anchor::of(&m.provider));
                add(Anchor::of(&m.model));
                add(m.timeout.as_ref().and_then(Anchor::of));
                add(m.retries.as_ref().and_then(Anchor::of));
            }
            NodeKind::Start { .. } | NodeKind::End => {}
        }
    }
    for (i, node) in route.nodes.iter().enumerate() {
        if node.id.span.end > node.id.span.start {
            out.push((node.id.span.start, Anchor::Id(i)));
        }
        if node.span.end > node.span.start {
            out.push((node.span.end, Anchor::EndOf(i)));
        }
    }
    out.sort();
    out
}
