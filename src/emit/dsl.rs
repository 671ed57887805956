//! Syntax tree → the `.route` DSL: nested where the graph is a tree (a node that
//! exactly one output leads to is written inline, under its name), named at the
//! top where it is shared. Every node keeps its id, so reading the text back
//! gives the same route.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::Comments;
use crate::syntax::ast::{LimitKind, Node, NodeKind, Route, WindowMode};
use crate::syntax::cond::{number_text, to_expr};
use crate::syntax::values::{format_millis, format_money, format_seconds};

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

/// The route as DSL text, with comments placed before the nodes they preceded.
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
        comments,
        refs,
        first_def,
        written: vec![false; route.nodes.len()],
        out: String::new(),
    };
    p.route_text();
    p.out
}

struct Printer<'r> {
    route: &'r Route,
    comments: &'r Comments,
    refs: BTreeMap<&'r str, usize>,
    first_def: BTreeMap<&'r str, usize>,
    written: Vec<bool>,
    out: String,
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
    fn comment_lines(&mut self, lines: &[String], indent: usize) {
        for c in lines {
            let _ = writeln!(self.out, "{}{c}", "  ".repeat(indent));
        }
    }

    fn route_text(&mut self) {
        let route = self.route;
        self.comment_lines(&self.comments.header.clone(), 0);
        let _ = writeln!(self.out, "route {} {{", name(&route.name.value));
        if !route.metadata.is_empty() {
            let entries: Vec<String> = route
                .metadata
                .iter()
                .map(|(k, t)| format!("{}: {}", name(&k.value), t.value.as_str()))
                .collect();
            let _ = writeln!(self.out, "  metadata {{ {} }}", entries.join(", "));
        }
        for (i, node) in route.nodes.iter().enumerate() {
            if let NodeKind::Start { next } = &node.kind {
                self.written[i] = true;
                self.comment_lines(
                    &self.comments.before.get(&i).cloned().unwrap_or_default(),
                    1,
                );
                let label = if node.id.value == "start" {
                    String::new()
                } else {
                    format!("{} ", name(&node.id.value))
                };
                let target = self.target(next.as_ref().map(|t| t.value.as_str()), 1, 0);
                let _ = writeln!(self.out, "  start {label}-> {target}");
            }
        }
        for i in 0..route.nodes.len() {
            if self.written[i] {
                continue;
            }
            self.written[i] = true;
            let node = &route.nodes[i];
            self.comment_lines(
                &self.comments.before.get(&i).cloned().unwrap_or_default(),
                1,
            );
            let body = self.body(node, 1, 0);
            let _ = writeln!(self.out, "  {}: {body}", name(&node.id.value));
        }
        self.comment_lines(&self.comments.footer.clone(), 1);
        self.out.push_str("}\n");
    }

    /// What an output leads to: the node inline when only this output leads to it
    /// (and it is not yet written), else its name.
    fn target(&mut self, id: Option<&str>, indent: usize, depth: usize) -> String {
        let Some(id) = id else { return "\"\"".into() };
        let inline = self.refs.get(id).copied() == Some(1) && depth < MAX_NEST;
        match self.first_def.get(id).copied() {
            // A node with comments of its own stays at the top level, where they read well.
            Some(i)
                if inline
                    && !self.written[i]
                    && !self.comments.before.contains_key(&i)
                    && !matches!(self.route.nodes[i].kind, NodeKind::Start { .. }) =>
            {
                self.written[i] = true;
                let body = self.body(&self.route.nodes[i], indent, depth + 1);
                format!("{}: {body}", name(id))
            }
            _ => name(id),
        }
    }

    fn arms(&mut self, arms: &[(&str, Option<&str>)], indent: usize, depth: usize) -> String {
        let mut s = String::from("{\n");
        for (arm, t) in arms {
            let target = self.target(*t, indent + 1, depth);
            let _ = writeln!(s, "{}{arm} -> {target}", "  ".repeat(indent + 1));
        }
        let _ = write!(s, "{}}}", "  ".repeat(indent));
        s
    }

    fn body(&mut self, node: &'r Node, indent: usize, depth: usize) -> String {
        let t =
            |t: &'r Option<crate::source::Spanned<String>>| t.as_ref().map(|t| t.value.as_str());
        match &node.kind {
            NodeKind::End | NodeKind::Start { .. } => "end".into(),
            NodeKind::Conditional {
                condition,
                then,
                otherwise,
            } => {
                let expr = condition
                    .as_ref()
                    .map(|c| to_expr(&c.value))
                    .unwrap_or_default();
                let arms = self.arms(&[("then", t(then)), ("else", t(otherwise))], indent, depth);
                format!("if {expr} {arms}")
            }
            NodeKind::Percentage { sticky, branches } => {
                let by = sticky
                    .as_ref()
                    .map(|s| format!("by {} ", s.value))
                    .unwrap_or_default();
                let arms: Vec<(&str, Option<&str>)> = branches
                    .iter()
                    .map(|b| (b.share.value.as_str(), Some(b.target.value.as_str())))
                    .collect();
                format!("split {by}{}", self.arms(&arms, indent, depth))
            }
            NodeKind::Limit(l) => {
                let amount = l.limit.as_ref().map_or(0.0, |v| v.value);
                let head = match l.kind {
                    LimitKind::Count => format!("rate {}", number_text(amount)),
                    LimitKind::Cost => format!("budget {}", format_money(amount)),
                };
                let window = format_seconds(l.window.as_ref().map_or(0.0, |v| v.value));
                let by = l
                    .key
                    .as_ref()
                    .map(|k| format!(" by {}", k.value))
                    .unwrap_or_default();
                let mode = match l.mode.as_ref().map(|m| m.value) {
                    Some(WindowMode::Sliding) => " sliding",
                    Some(WindowMode::Fixed) => " fixed",
                    None => "",
                };
                let arms = self.arms(
                    &[("success", t(&l.success)), ("fallback", t(&l.fallback))],
                    indent,
                    depth,
                );
                format!("{head} per {window}{by}{mode} {arms}")
            }
            NodeKind::Model(m) => {
                let timeout = format_millis(m.timeout.as_ref().map_or(0.0, |v| v.value));
                let retries = number_text(m.retries.as_ref().map_or(0.0, |v| v.value));
                let arms = self.arms(
                    &[("success", t(&m.success)), ("fallback", t(&m.fallback))],
                    indent,
                    depth,
                );
                format!(
                    "model {} timeout {timeout} retries {retries} {arms}",
                    model_ref(&m.provider.value, &m.model.value)
                )
            }
        }
    }
}
