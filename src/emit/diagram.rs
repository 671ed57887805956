//! The route as a picture: Mermaid (renders in GitHub pull requests) or Graphviz
//! DOT. Nodes are labelled with their decision (`plan == "paid"`,
//! `100 req / 1h per user_id`, `openai/gpt-4.1`); edges with output names and
//! shares, `fallback` edges dashed. An end that a request can reach with no
//! model having answered (an error for the caller) is drawn apart from the end
//! of a served request, so a review sees where traffic is dropped.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::graph::{Slot, slot_name};
use crate::syntax::ast::{LimitKind, Node, NodeKind, Route};
use crate::syntax::cond::{number_text, to_expr};
use crate::syntax::values::{format_money, format_seconds};

/// The decision a node makes, in a few words.
pub fn decision(node: &Node) -> String {
    let short = |f: &str| f.strip_prefix("metadata.").unwrap_or(f).to_string();
    match &node.kind {
        NodeKind::Start { .. } | NodeKind::End => node.kind.kind().yaml().into(),
        NodeKind::Conditional { condition, .. } => condition
            .as_ref()
            .map(|c| to_expr(&c.value).replace("metadata.", ""))
            .unwrap_or_default(),
        NodeKind::Percentage { sticky, .. } => match sticky {
            Some(s) => format!("split by {}", short(&s.value)),
            None => "split".into(),
        },
        NodeKind::Limit(l) => {
            let amount = l.limit.as_ref().map_or(0.0, |v| v.value);
            let what = match l.kind {
                LimitKind::Count => format!("{} req", number_text(amount)),
                LimitKind::Cost => format_money(amount),
            };
            let per = l
                .key
                .as_ref()
                .map(|k| format!(" per {}", short(&k.value)))
                .unwrap_or_default();
            format!(
                "{what} / {}{per}",
                format_seconds(l.window.as_ref().map_or(0.0, |v| v.value))
            )
        }
        NodeKind::Model(m) => format!("{}/{}", m.provider.value, m.model.value),
    }
}

/// What may have happened before a request takes an edge: no model has
/// answered yet, or one has.
const NONE_ANSWERED: u8 = 1;
const ANSWERED: u8 = 2;

/// One edge of the picture.
struct Edge {
    from: usize,
    label: String,
    to: usize,
    /// A `fallback` output: drawn dashed, so a failure path never looks like
    /// the way a request normally goes.
    fallback: bool,
    /// It leads to an end and a request may take it with no model having
    /// answered: it goes to that end's "no model answered" twin.
    unanswered: bool,
}

/// Edges in route order, and per node whether it is an end some request
/// reaches with no model answering (drawn as a separate node).
fn edges(route: &Route) -> (Vec<Edge>, Vec<bool>) {
    let mut index = BTreeMap::new();
    for (i, n) in route.nodes.iter().enumerate() {
        index.entry(n.id.value.as_str()).or_insert(i);
    }
    fn targets<'n>(
        n: &'n Node,
        index: &'n BTreeMap<&str, usize>,
    ) -> impl Iterator<Item = (Slot, Option<usize>)> + 'n {
        n.kind
            .slots()
            .map(|(slot, t)| (slot, t.and_then(|t| index.get(t.value.as_str()).copied())))
    }
    // Which of the two may hold on arrival at each node, by a worklist: a node
    // is revisited only when its set grows, at most twice, so this is linear.
    let mut state = vec![0u8; route.nodes.len()];
    let mut work = Vec::new();
    for (i, n) in route.nodes.iter().enumerate() {
        if matches!(n.kind, NodeKind::Start { .. }) {
            state[i] = NONE_ANSWERED;
            work.push(i);
        }
    }
    let carried = |n: &Node, output: Slot, arriving: u8| match n.kind {
        NodeKind::Model(_) if output == Slot::Success => ANSWERED,
        _ => arriving,
    };
    while let Some(i) = work.pop() {
        let node = &route.nodes[i];
        for (name, to) in targets(node, &index) {
            let Some(j) = to else { continue };
            let grown = state[j] | carried(node, name, state[i]);
            if grown != state[j] {
                state[j] = grown;
                work.push(j);
            }
        }
    }
    let mut apart = vec![false; route.nodes.len()];
    let mut out = Vec::new();
    for (i, n) in route.nodes.iter().enumerate() {
        for (name, to) in targets(n, &index) {
            let Some(j) = to else { continue };
            let unanswered = matches!(route.nodes[j].kind, NodeKind::End)
                && carried(n, name, state[i]) & NONE_ANSWERED != 0;
            apart[j] |= unanswered;
            // `start`'s one output needs no name.
            let label = match name {
                Slot::Next => String::new(),
                other => slot_name(n, other),
            };
            out.push(Edge {
                from: i,
                fallback: name == Slot::Fallback,
                label,
                to: j,
                unanswered,
            });
        }
    }
    (out, apart)
}

/// Whether the end itself is drawn: an end that no answered request reaches
/// appears only as its "no model answered" twin.
fn drawn(route: &Route, edges: &[Edge], apart: &[bool], i: usize) -> bool {
    !matches!(route.nodes[i].kind, NodeKind::End)
        || !apart[i]
        || edges.iter().any(|e| e.to == i && !e.unanswered)
}

/// The twin's label line.
const NO_ANSWER: &str = "no model answered";

fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// Mermaid `flowchart` text.
pub fn to_mermaid(route: &Route) -> String {
    let (edges, apart) = edges(route);
    let mut out = String::from("flowchart TD\n");
    if apart.iter().any(|a| *a) {
        out.push_str("  classDef unanswered fill:#fde2e2,stroke:#c0392b,color:#7b241c\n");
    }
    for (i, n) in route.nodes.iter().enumerate() {
        let d = decision(n);
        let label = if matches!(n.kind, NodeKind::Start { .. } | NodeKind::End) || d.is_empty() {
            mermaid_text(&n.id.value)
        } else {
            format!("{}<br/>{}", mermaid_text(&n.id.value), mermaid_text(&d))
        };
        let shape = match n.kind {
            NodeKind::Start { .. } | NodeKind::End => format!("([\"{label}\"])"),
            NodeKind::Conditional { .. } => format!("{{\"{label}\"}}"),
            NodeKind::Percentage { .. } => format!("{{{{\"{label}\"}}}}"),
            NodeKind::Limit(_) => format!("[/\"{label}\"/]"),
            NodeKind::Model(_) => format!("[\"{label}\"]"),
        };
        if drawn(route, &edges, &apart, i) {
            let _ = writeln!(out, "  n{i}{shape}");
        }
        if apart[i] {
            let _ = writeln!(out, "  n{i}x[[\"{label}<br/>{NO_ANSWER}\"]]");
            let _ = writeln!(out, "  class n{i}x unanswered");
        }
    }
    for e in &edges {
        let to = if e.unanswered {
            format!("n{}x", e.to)
        } else {
            format!("n{}", e.to)
        };
        let arrow = match (e.fallback, e.label.is_empty()) {
            (true, _) => "-. fallback .->".to_string(),
            (false, true) => "-->".to_string(),
            (false, false) => format!("-- \"{}\" -->", mermaid_text(&e.label)),
        };
        let _ = writeln!(out, "  n{} {arrow} {to}", e.from);
    }
    out
}

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Graphviz DOT text.
pub fn to_dot(route: &Route) -> String {
    let (edges, apart) = edges(route);
    let mut out = format!(
        "digraph \"{}\" {{\n  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n",
        dot_text(&route.name.value)
    );
    for (i, n) in route.nodes.iter().enumerate() {
        let d = decision(n);
        let label = if matches!(n.kind, NodeKind::Start { .. } | NodeKind::End) || d.is_empty() {
            dot_text(&n.id.value)
        } else {
            format!("{}\\n{}", dot_text(&n.id.value), dot_text(&d))
        };
        let shape = match n.kind {
            NodeKind::Start { .. } | NodeKind::End => "oval",
            NodeKind::Conditional { .. } => "diamond",
            NodeKind::Percentage { .. } => "hexagon",
            NodeKind::Limit(_) => "parallelogram",
            NodeKind::Model(_) => "box",
        };
        if drawn(route, &edges, &apart, i) {
            let _ = writeln!(out, "  n{i} [shape={shape}, label=\"{label}\"];");
        }
        if apart[i] {
            let _ = writeln!(
                out,
                "  n{i}x [shape=octagon, style=filled, fillcolor=\"#fde2e2\", color=\"#c0392b\", label=\"{label}\\n{NO_ANSWER}\"];"
            );
        }
    }
    for e in &edges {
        let to = if e.unanswered {
            format!("n{}x", e.to)
        } else {
            format!("n{}", e.to)
        };
        let mut attrs = Vec::new();
        if !e.label.is_empty() {
            attrs.push(format!("label=\"{}\"", dot_text(&e.label)));
        }
        if e.fallback {
            attrs.push("style=dashed".to_string());
        }
        if attrs.is_empty() {
            let _ = writeln!(out, "  n{} -> {to};", e.from);
        } else {
            let _ = writeln!(out, "  n{} -> {to} [{}];", e.from, attrs.join(", "));
        }
    }
    out.push_str("}\n");
    out
}
