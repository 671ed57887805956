//! The route as a picture: Mermaid (renders in GitHub pull requests) or Graphviz
//! DOT. Nodes are labelled with their decision (`plan == "paid"`,
//! `100 req / 1h per user_id`, `openai/gpt-4.1`); edges with output names and
//! shares.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::syntax::ast::{LimitKind, Node, NodeKind, Route};
use crate::syntax::cond::{number_text, to_expr};
use crate::syntax::values::{format_money, format_seconds};

/// The decision a node makes, in a few words.
pub fn decision(node: &Node) -> String {
    let short = |f: &str| f.strip_prefix("metadata.").unwrap_or(f).to_string();
    match &node.kind {
        NodeKind::Start { .. } => "start".into(),
        NodeKind::End => "end".into(),
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

/// Edges as `(from index, output label, to index)`, in route order.
fn edges(route: &Route) -> (Vec<(usize, String, usize)>, BTreeMap<&str, usize>) {
    let mut index = BTreeMap::new();
    for (i, n) in route.nodes.iter().enumerate() {
        index.entry(n.id.value.as_str()).or_insert(i);
    }
    let mut out = Vec::new();
    for (i, n) in route.nodes.iter().enumerate() {
        for (name, t) in n.kind.outputs() {
            let Some(t) = t else { continue };
            let Some(&j) = index.get(t.value.as_str()) else {
                continue;
            };
            let label = match name {
                "true" => "then".to_string(),
                "false" => "else".to_string(),
                "next" => String::new(),
                other => other.to_string(),
            };
            out.push((i, label, j));
        }
    }
    (out, index)
}

fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// Mermaid `flowchart` text.
pub fn to_mermaid(route: &Route) -> String {
    let mut out = String::from("flowchart TD\n");
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
        let _ = writeln!(out, "  n{i}{shape}");
    }
    for (a, label, b) in edges(route).0 {
        if label.is_empty() {
            let _ = writeln!(out, "  n{a} --> n{b}");
        } else {
            let _ = writeln!(out, "  n{a} -- \"{}\" --> n{b}", mermaid_text(&label));
        }
    }
    out
}

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Graphviz DOT text.
pub fn to_dot(route: &Route) -> String {
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
        let _ = writeln!(out, "  n{i} [shape={shape}, label=\"{label}\"];");
    }
    for (a, label, b) in edges(route).0 {
        if label.is_empty() {
            let _ = writeln!(out, "  n{a} -> n{b};");
        } else {
            let _ = writeln!(out, "  n{a} -> n{b} [label=\"{}\"];", dot_text(&label));
        }
    }
    out.push_str("}\n");
    out
}
