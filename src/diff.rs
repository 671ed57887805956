//! Semantic diff of two versions of a route: nodes added and removed, outputs
//! re-pointed, properties changed, in words a reviewer reads
//! (`split `ab`: `candidate` 10% → 25%`). Nodes are matched by id; the order
//! they are written in and the format they are written in do not matter.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::emit::decision;
use crate::syntax::ast::{Node, NodeKind, Route, WindowMode};
use crate::syntax::cond::{number_text, to_expr};
use crate::syntax::values::{Share, format_millis, format_money, format_seconds};

/// What happened to a node or the route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ChangeKind {
    /// A node that only the new version has.
    Added,
    /// A node that only the old version has.
    Removed,
    /// An output that leads somewhere else.
    Repointed,
    /// A property with another value.
    Changed,
}

impl ChangeKind {
    fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Repointed => "repointed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One difference.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// What kind.
    pub kind: ChangeKind,
    /// The node id (empty for the route itself).
    pub node: String,
    /// The output or property (empty for a whole node).
    pub field: String,
    /// The old value, in words (empty when added).
    pub old: String,
    /// The new value, in words (empty when removed).
    pub new: String,
    /// The sentence for a reviewer.
    pub text: String,
}

fn change(
    kind: ChangeKind,
    node: &str,
    field: &str,
    old: String,
    new: String,
    text: String,
) -> Change {
    Change {
        kind,
        node: node.into(),
        field: field.into(),
        old,
        new,
        text,
    }
}

/// The differences from `old` to `new`, in the order of `new` (removals last).
pub fn diff(old: &Route, new: &Route) -> Vec<Change> {
    let mut out = Vec::new();
    if old.name.value != new.name.value {
        out.push(change(
            ChangeKind::Changed,
            "",
            "name",
            old.name.value.clone(),
            new.name.value.clone(),
            format!("route renamed `{}` → `{}`", old.name.value, new.name.value),
        ));
    }
    let types = |r: &Route| -> BTreeMap<String, &'static str> {
        r.metadata
            .iter()
            .map(|(k, t)| (k.value.clone(), t.value.as_str()))
            .collect()
    };
    let (ot, nt) = (types(old), types(new));
    for k in ot
        .keys()
        .chain(nt.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let (a, b) = (
            ot.get(k).copied().unwrap_or("undeclared"),
            nt.get(k).copied().unwrap_or("undeclared"),
        );
        if a != b {
            out.push(change(
                ChangeKind::Changed,
                "",
                &format!("metadata.{k}"),
                a.into(),
                b.into(),
                format!("metadata.{k}: declared {a} → {b}"),
            ));
        }
    }
    fn index(r: &Route) -> BTreeMap<&str, &Node> {
        r.nodes
            .iter()
            .rev()
            .map(|n| (n.id.value.as_str(), n))
            .collect()
    }
    let (oi, ni) = (index(old), index(new));
    for n in &new.nodes {
        match oi.get(n.id.value.as_str()) {
            None => out.push(change(
                ChangeKind::Added,
                &n.id.value,
                "",
                String::new(),
                decision(n),
                format!(
                    "added {} `{}`: {}",
                    n.kind.describe(),
                    n.id.value,
                    describe_with_outputs(n)
                ),
            )),
            Some(o) => node_changes(o, n, &mut out),
        }
    }
    for o in &old.nodes {
        if !ni.contains_key(o.id.value.as_str()) {
            out.push(change(
                ChangeKind::Removed,
                &o.id.value,
                "",
                decision(o),
                String::new(),
                format!(
                    "removed {} `{}` ({})",
                    o.kind.describe(),
                    o.id.value,
                    decision(o)
                ),
            ));
        }
    }
    out
}

fn describe_with_outputs(n: &Node) -> String {
    let outs: Vec<String> = n
        .kind
        .outputs()
        .into_iter()
        .filter_map(|(name, t)| t.map(|t| format!("{} → `{}`", out_name(name), t.value)))
        .collect();
    if outs.is_empty() {
        decision(n)
    } else {
        format!("{}; {}", decision(n), outs.join(", "))
    }
}

/// An output as YAML and the DSL name it (a share is its own name).
fn out_name(wire: &str) -> &str {
    crate::graph::Slot::from_wire(wire)
        .and_then(crate::graph::Slot::yaml)
        .unwrap_or(wire)
}

fn node_changes(o: &Node, n: &Node, out: &mut Vec<Change>) {
    let id = n.id.value.as_str();
    if std::mem::discriminant(&o.kind) != std::mem::discriminant(&n.kind)
        || matches!((&o.kind, &n.kind), (NodeKind::Limit(a), NodeKind::Limit(b)) if a.kind != b.kind)
    {
        out.push(change(
            ChangeKind::Changed,
            id,
            "kind",
            format!("{} ({})", o.kind.describe(), decision(o)),
            format!("{} ({})", n.kind.describe(), decision(n)),
            format!(
                "`{id}`: was a {} ({}), is now a {} ({})",
                o.kind.describe(),
                decision(o),
                n.kind.describe(),
                decision(n)
            ),
        ));
        return;
    }
    let mut prop = |field: &str, a: String, b: String| {
        if a != b {
            out.push(change(
                ChangeKind::Changed,
                id,
                field,
                a.clone(),
                b.clone(),
                format!("{} `{id}`: {field} {a} → {b}", n.kind.describe()),
            ));
        }
    };
    let opt = |v: &Option<crate::source::Spanned<f64>>, f: fn(f64) -> String| {
        v.as_ref().map_or("(none)".to_string(), |v| f(v.value))
    };
    match (&o.kind, &n.kind) {
        (
            NodeKind::Conditional { condition: a, .. },
            NodeKind::Conditional { condition: b, .. },
        ) => {
            let text = |c: &Option<crate::source::Spanned<crate::syntax::ast::Cond>>| {
                c.as_ref().map(|c| to_expr(&c.value)).unwrap_or_default()
            };
            prop(
                "condition",
                format!("`{}`", text(a)),
                format!("`{}`", text(b)),
            );
        }
        (
            NodeKind::Percentage {
                sticky: sa,
                branches: ba,
            },
            NodeKind::Percentage {
                sticky: sb,
                branches: bb,
            },
        ) => {
            let sticky = |s: &Option<crate::source::Spanned<String>>| {
                s.as_ref().map_or("(none)".to_string(), |s| s.value.clone())
            };
            prop("sticky", sticky(sa), sticky(sb));
            // Shares by target: `candidate 10% → 25%` reads better than re-pointed outputs.
            let shares = |bs: &[crate::syntax::ast::Branch]| -> BTreeMap<String, u32> {
                let mut m = BTreeMap::new();
                for b in bs {
                    *m.entry(b.target.value.clone()).or_default() +=
                        b.parsed.map_or(0, Share::basis);
                }
                m
            };
            let (sa, sb) = (shares(ba), shares(bb));
            let pct = |b: u32| crate::syntax::values::percent(u64::from(b));
            for t in sb
                .keys()
                .chain(sa.keys())
                .collect::<std::collections::BTreeSet<_>>()
            {
                match (sa.get(t), sb.get(t)) {
                    (Some(a), Some(b)) if a != b => out.push(change(
                        ChangeKind::Changed,
                        id,
                        &format!("share of {t}"),
                        pct(*a),
                        pct(*b),
                        format!("split `{id}`: `{t}` {} → {}", pct(*a), pct(*b)),
                    )),
                    (None, Some(b)) => out.push(change(
                        ChangeKind::Repointed,
                        id,
                        &format!("share of {t}"),
                        String::new(),
                        pct(*b),
                        format!("split `{id}`: now sends {} to `{t}`", pct(*b)),
                    )),
                    (Some(a), None) => out.push(change(
                        ChangeKind::Repointed,
                        id,
                        &format!("share of {t}"),
                        pct(*a),
                        String::new(),
                        format!("split `{id}`: no longer sends {} to `{t}`", pct(*a)),
                    )),
                    _ => {}
                }
            }
            return;
        }
        (NodeKind::Limit(a), NodeKind::Limit(b)) => {
            let amount = |l: &crate::syntax::ast::Limit| {
                l.limit.as_ref().map_or("(none)".into(), |v| match l.kind {
                    crate::syntax::ast::LimitKind::Cost => format_money(v.value),
                    crate::syntax::ast::LimitKind::Count => {
                        format!("{} requests", number_text(v.value))
                    }
                })
            };
            prop("limit", amount(a), amount(b));
            prop(
                "window",
                opt(&a.window, format_seconds),
                opt(&b.window, format_seconds),
            );
            let key = |l: &crate::syntax::ast::Limit| {
                l.key
                    .as_ref()
                    .map_or("(one counter)".to_string(), |k| k.value.clone())
            };
            prop("key", key(a), key(b));
            let mode = |l: &crate::syntax::ast::Limit| {
                if l.mode
                    .as_ref()
                    .is_some_and(|m| m.value == WindowMode::Sliding)
                {
                    "sliding"
                } else {
                    "fixed"
                }
            };
            prop("window mode", mode(a).into(), mode(b).into());
        }
        (NodeKind::Model(a), NodeKind::Model(b)) => {
            prop(
                "model",
                format!("{}/{}", a.provider.value, a.model.value),
                format!("{}/{}", b.provider.value, b.model.value),
            );
            prop(
                "timeout",
                opt(&a.timeout, format_millis),
                opt(&b.timeout, format_millis),
            );
            prop(
                "retries",
                opt(&a.retries, number_text),
                opt(&b.retries, number_text),
            );
        }
        _ => {}
    }
    let (oo, no) = (o.kind.outputs(), n.kind.outputs());
    for (name, t) in &no {
        let before = oo.iter().find(|(n2, _)| n2 == name).and_then(|(_, t)| *t);
        let (a, b) = (
            before.map_or("(none)", |t| t.value.as_str()),
            t.map_or("(none)", |t| t.value.as_str()),
        );
        if a != b {
            out.push(change(
                ChangeKind::Repointed,
                id,
                out_name(name),
                a.into(),
                b.into(),
                format!("`{id}`: {} → `{b}` (was `{a}`)", out_name(name)),
            ));
        }
    }
}

/// The changes as JSON.
pub fn to_json(changes: &[Change]) -> Value {
    json!({
        "same": changes.is_empty(),
        "changes": changes.iter().map(|c| json!({
            "change": c.kind.as_str(), "node": c.node, "field": c.field, "old": c.old, "new": c.new, "text": c.text,
        })).collect::<Vec<_>>(),
    })
}
