//! Syntax tree → the `.route` DSL: nested where the graph is a tree (a node that
//! exactly one output leads to is written inline, under its name), named at the
//! top where it is shared. Every node keeps its id, so reading the text back
//! gives the same route.

use std::collections::BTreeMap;

use super::comments::{Anchor, Comments, Out, Syntax};
use crate::source::Spanned;
use crate::syntax::ast::{Branch, Format, LimitKind, NodeKind, Route, WindowMode};
use crate::syntax::cond::{number_text, to_expr};
use crate::syntax::field::written;
use crate::syntax::values::{format_millis, format_money, format_seconds};
use crate::syntax::vocab::Kind;

/// Deepest inline nesting written; deeper chains are written at the top level.
const MAX_NEST: usize = 12;

const KEYWORDS: [&str; 15] = [
    "route", "metadata", "start", "end", "if", "split", "by", "rate", "budget", "per", "model",
    "timeout", "retries", "sliding", "fixed",
];

/// The route as DSL text.
pub fn to_dsl(route: &Route) -> String {
    to_dsl_with(route, &Comments::default())
}

/// The route as DSL text, each comment next to what it annotated.
pub fn to_dsl_with(route: &Route, comments: &Comments) -> String {
    let mut refs: BTreeMap<&str, usize> = BTreeMap::new();
    for n in &route.nodes {
        for (_, t) in n.kind.outputs() {
            if let Some(t) = t {
                *refs.entry(t.value.as_str()).or_default() += 1;
            }
        }
    }
    let mut first_def: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, n) in route.nodes.iter().enumerate() {
        first_def.entry(n.id.value.as_str()).or_insert(i);
    }
    let mut p = Printer {
        route,
        refs,
        first_def,
        written: vec![false; route.nodes.len()],
        out: Out::new(comments, Syntax::Dsl),
    };
    p.route_text(comments);
    p.out.finish("  ", Some("}"))
}

struct Printer<'r> {
    route: &'r Route,
    refs: BTreeMap<&'r str, usize>,
    first_def: BTreeMap<&'r str, usize>,
    written: Vec<bool>,
    out: Out<'r>,
}

/// A name as the DSL reads it: bare when it can be, else a quoted string.
pub fn name(s: &str) -> String {
    let bare = s.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !KEYWORDS.contains(&s);
    if bare {
        s.to_string()
    } else {
        serde_json::Value::String(s.to_string()).to_string()
    }
}

fn model_ref(provider: &str, model: &str) -> String {
    let text = format!("{provider}/{model}");
    let word = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-./@:".contains(c));
    if word {
        text
    } else {
        serde_json::Value::String(text).to_string()
    }
}

impl<'r> Printer<'r> {
    fn route_text(&mut self, comments: &Comments) {
        let route = self.route;
        self.out.comment_lines(&comments.header, "");
        self.out.line(
            &format!("route {} {{", name(&route.name.value)),
            &[Anchor::of(&route.name), Some(Anchor::Nodes)],
        );
        if !route.metadata.is_empty() {
            let entries: Vec<String> = route
                .metadata
                .iter()
                .map(|(k, t)| format!("{}: {}", name(&k.value), t.value.as_str()))
                .collect();
            self.out
                .push(&format!("  metadata {{ {} }}", entries.join(", ")));
            self.out.anchor(Some(Anchor::Metadata));
            for (k, t) in &route.metadata {
                self.out.anchor(Anchor::of(k));
                self.out.anchor(Anchor::of(t));
            }
            self.out.end();
        }
        for (i, node) in route.nodes.iter().enumerate() {
            if let NodeKind::Start { next } = &node.kind {
                self.written[i] = true;
                let label = if node.id.value == "start" {
                    String::new()
                } else {
                    format!("{} ", name(&node.id.value))
                };
                self.out.push(&format!("  start {label}-> "));
                self.out.anchor(Some(Anchor::Id(i)));
                self.out.anchor(Some(Anchor::StartBlock));
                self.target(next.as_ref(), 1, 0);
                self.out.end();
                self.out.defer(Anchor::EndOf(i));
            }
        }
        for i in 0..route.nodes.len() {
            if self.written[i] {
                continue;
            }
            self.written[i] = true;
            let node = &route.nodes[i];
            self.out.push(&format!("  {}: ", name(&node.id.value)));
            self.out.anchor(Some(Anchor::Id(i)));
            self.body(i, 1, 0);
            self.out.end();
        }
    }

    /// What an output leads to, onto the current line: the node inline when only
    /// this output leads to it (and it is not yet written), else its name.
    fn target(&mut self, t: Option<&'r Spanned<String>>, indent: usize, depth: usize) {
        let Some(t) = t else {
            self.out.push("\"\"");
            return;
        };
        self.out.anchor(Anchor::of(t));
        let id = t.value.as_str();
        let inline = self.refs.get(id).copied() == Some(1) && depth < MAX_NEST;
        match self.first_def.get(id).copied() {
            // A node with a comment above it, or named by an output with a comment,
            // stays at the top level, so each comment stays next to its own node.
            Some(i)
                if inline
                    && !self.written[i]
                    && !self.out.has_above(Anchor::Id(i))
                    && !self.out.has(Anchor::of(t))
                    && !matches!(self.route.nodes[i].kind, NodeKind::Start { .. }) =>
            {
                self.written[i] = true;
                self.out.push(&format!("{}: ", name(id)));
                self.out.anchor(Some(Anchor::Id(i)));
                self.body(i, indent, depth + 1);
            }
            _ => self.out.push(&name(id)),
        }
    }

    /// ` {`, one line per output, and the closing `}` (left open for the caller
    /// to end, since an inline node's `}` shares its line with nothing else).
    fn arms(
        &mut self,
        node: usize,
        arms: &[(&str, Option<&'r Spanned<String>>, Option<Anchor>)],
        indent: usize,
        depth: usize,
    ) {
        self.out.push(" {");
        self.out.end();
        for (arm, t, extra) in arms {
            self.out
                .push(&format!("{}{arm} -> ", "  ".repeat(indent + 1)));
            self.out.anchor(*extra);
            self.target(*t, indent + 1, depth);
            self.out.end();
        }
        self.out.push(&format!("{}}}", "  ".repeat(indent)));
        self.out.anchor(Some(Anchor::EndOf(node)));
    }

    fn body(&mut self, i: usize, indent: usize, depth: usize) {
        let node = &self.route.nodes[i];
        match &node.kind {
            NodeKind::End | NodeKind::Start { .. } => {
                self.out.push(Kind::End.dsl());
                return;
            }
            NodeKind::Conditional { condition, .. } => {
                let expr = condition
                    .as_ref()
                    .map(|c| to_expr(&c.value))
                    .unwrap_or_default();
                self.out
                    .push(&format!("{} {expr}", Kind::Conditional.dsl()));
                self.out.anchor(condition.as_ref().and_then(Anchor::of));
            }
            NodeKind::Percentage { sticky, .. } => {
                self.out.push(Kind::Percentage.dsl());
                self.out.anchor(Some(Anchor::Split(i)));
                if let Some(s) = sticky {
                    self.out.push(&format!(" by {}", written(&s.value)));
                    self.out.anchor(Anchor::of(s));
                }
            }
            NodeKind::Limit(l) => {
                let amount = l.limit.as_ref().map_or(0.0, |v| v.value);
                let head = match l.kind {
                    LimitKind::Count => number_text(amount),
                    LimitKind::Cost => format_money(amount),
                };
                let head = format!("{} {head}", node.kind.kind().dsl());
                let window = format_seconds(l.window.as_ref().map_or(0.0, |v| v.value));
                let by = l
                    .key
                    .as_ref()
                    .map(|k| format!(" by {}", written(&k.value)))
                    .unwrap_or_default();
                let mode = match l.mode.as_ref().map(|m| m.value) {
                    Some(WindowMode::Sliding) => " sliding",
                    Some(WindowMode::Fixed) => " fixed",
                    None => "",
                };
                self.out.push(&format!("{head} per {window}{by}{mode}"));
                for a in [
                    l.limit.as_ref().and_then(Anchor::of),
                    l.window.as_ref().and_then(Anchor::of),
                    l.key.as_ref().and_then(Anchor::of),
                    l.mode.as_ref().and_then(Anchor::of),
                ] {
                    self.out.anchor(a);
                }
            }
            NodeKind::Model(m) => {
                let timeout = format_millis(m.timeout.as_ref().map_or(0.0, |v| v.value));
                let retries = number_text(m.retries.as_ref().map_or(0.0, |v| v.value));
                self.out.push(&format!(
                    "{} {} timeout {timeout} retries {retries}",
                    Kind::Model.dsl(),
                    model_ref(&m.provider.value, &m.model.value)
                ));
                for a in [
                    Anchor::of(&m.provider),
                    Anchor::of(&m.model),
                    m.timeout.as_ref().and_then(Anchor::of),
                    m.retries.as_ref().and_then(Anchor::of),
                ] {
                    self.out.anchor(a);
                }
            }
        }
        // The outputs as arms: named ones by their DSL word, shares by their
        // text (anchored, so a comment on a share stays with it).
        let shares: &[Branch] = match &node.kind {
            NodeKind::Percentage { branches, .. } => branches,
            _ => &[],
        };
        let mut arms: Vec<(&str, Option<&Spanned<String>>, Option<Anchor>)> = node
            .kind
            .slots()
            .filter_map(|(slot, t)| Some((slot.name_in(Format::Dsl)?, t, None)))
            .collect();
        arms.extend(shares.iter().map(|b| {
            (
                b.share.value.as_str(),
                Some(&b.target),
                Anchor::of(&b.share),
            )
        }));
        self.arms(i, &arms, indent, depth);
    }
}
