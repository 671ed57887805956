//! What every path to a node has established about the request, and what follows:
//! branches that can never be taken, and limit keys that may be missing.
//!
//! Facts flow along the DAG in topological order. A conditional's `true` edge
//! adds its condition (and, for `&&`, each part) as true; its `false` edge adds it
//! as false (and, for `||`, each part as false). A node keeps only the facts that
//! hold on *every* edge into it. A test is decided when the facts pin its field
//! to a few values (or to missing) on which it always gives the same answer.

use petgraph::algo::toposort;
use petgraph::visit::EdgeRef;

use super::Finding;
use crate::diagnostic::Diagnostic;
use crate::graph::{RouteGraph, Slot};
use crate::semantics;
use crate::source::{Span, Spanned};
use crate::syntax::ast::{CmpOp, Cond, Format, Literal, NodeKind};
use crate::syntax::cond::to_expr;

/// Facts kept per node; older ones are dropped past this (bounds time and memory
/// on long chains, at the price of missing a few far-apart contradictions).
const MAX_FACTS: usize = 64;

#[derive(Clone)]
struct Fact<'r> {
    cond: &'r Cond,
    value: bool,
    span: Span,
}

pub(super) fn check(g: &RouteGraph<'_>, diags: &mut Vec<Diagnostic>) {
    let Ok(order) = toposort(&g.graph, None) else {
        return;
    };
    let n = g.graph.node_count();
    let mut facts: Vec<Option<Vec<Fact<'_>>>> = vec![None; n];
    for ix in g.graph.node_indices() {
        if matches!(g.node(ix).kind, NodeKind::Start { .. }) && g.is_canonical(ix) {
            facts[ix.index()] = Some(Vec::new());
        }
    }
    for ix in order {
        let Some(here) = facts[ix.index()].take() else {
            continue;
        };
        let node = g.node(ix);
        visit(node, &here, g.format, diags);
        for e in g.graph.edges(ix) {
            let mut out = here.clone();
            if let NodeKind::Conditional {
                condition: Some(c), ..
            } = &node.kind
            {
                match e.weight().slot {
                    Slot::True => assume(&c.value, true, c.span, &mut out),
                    Slot::False => assume(&c.value, false, c.span, &mut out),
                    _ => {}
                }
            }
            if out.len() > MAX_FACTS {
                out.drain(..out.len() - MAX_FACTS);
            }
            merge(&mut facts[e.target().index()], out);
        }
    }
}

fn visit(
    node: &crate::syntax::ast::Node,
    facts: &[Fact<'_>],
    format: Format,
    diags: &mut Vec<Diagnostic>,
) {
    match &node.kind {
        NodeKind::Conditional {
            condition: Some(c), ..
        } => {
            if let Some((value, because)) = decide(&c.value, facts) {
                let dead = if value { Slot::False } else { Slot::True };
                let finding = Finding::DeadBranch {
                    id: node.id.value.clone(),
                    test: to_expr(&c.value),
                    always: value,
                    dead: dead.name_in(format).unwrap_or_default(),
                };
                let mut d = finding.at(c.span, format);
                if let Some(span) = because {
                    d = d.with_secondary(span, "decided by this earlier test");
                }
                diags.push(d);
            }
        }
        NodeKind::Limit(l) => {
            if let Some(key) = &l.key {
                let present = Cond::Exists {
                    field: key.clone(),
                    present: true,
                };
                if decide(&present, facts).map(|d| d.0) != Some(true)
                    && key.value.starts_with("metadata.")
                {
                    let finding = Finding::KeyMayBeMissing {
                        id: node.id.value.clone(),
                        field: key.value.clone(),
                    };
                    diags.push(finding.at(key.span, format));
                }
            }
        }
        _ => {}
    }
}

fn assume<'r>(c: &'r Cond, value: bool, span: Span, out: &mut Vec<Fact<'r>>) {
    out.push(Fact {
        cond: c,
        value,
        span,
    });
    match (c, value) {
        (Cond::All(cs), true) | (Cond::Any(cs), false) => {
            for part in cs {
                assume(part, value, span, out);
            }
        }
        (Cond::Not(inner), v) => assume(inner, !v, span, out),
        _ => {}
    }
}

/// Keeps the facts that hold on every edge.
fn merge<'r>(slot: &mut Option<Vec<Fact<'r>>>, incoming: Vec<Fact<'r>>) {
    match slot {
        None => *slot = Some(incoming),
        Some(existing) => existing.retain(|f| {
            incoming
                .iter()
                .any(|g| g.value == f.value && g.cond == f.cond)
        }),
    }
}

/// Whether the facts decide `c`, and the span of a fact that did.
fn decide(c: &Cond, facts: &[Fact<'_>]) -> Option<(bool, Option<Span>)> {
    if let Some(f) = facts.iter().rev().find(|f| f.cond == c) {
        return Some((f.value, Some(f.span)));
    }
    match c {
        Cond::All(cs) => three_valued(cs, facts, false),
        Cond::Any(cs) => three_valued(cs, facts, true),
        Cond::Not(inner) => decide(inner, facts).map(|(v, s)| (!v, s)),
        Cond::Cmp { field, .. } | Cond::In { field, .. } | Cond::Exists { field, .. } => {
            let (candidates, span) = pinned(field, facts)?;
            let mut answers = candidates
                .iter()
                .map(|v| semantics::matches(c, &|_: &str| v.as_ref()));
            let first = answers.next()?;
            answers.all(|a| a == first).then_some((first, Some(span)))
        }
    }
}

/// `&&` (`short = false`) or `||` (`short = true`) over three-valued parts.
fn three_valued(cs: &[Cond], facts: &[Fact<'_>], short: bool) -> Option<(bool, Option<Span>)> {
    let mut all_known = true;
    let mut span = None;
    for part in cs {
        match decide(part, facts) {
            Some((v, s)) if v == short => return Some((short, s)),
            Some((_, s)) => span = span.or(s),
            None => all_known = false,
        }
    }
    all_known.then_some((!short, span))
}

/// The values (or absence, `None`) a field can still have, if the facts pin it.
fn pinned(field: &Spanned<String>, facts: &[Fact<'_>]) -> Option<(Vec<Option<Literal>>, Span)> {
    for f in facts.iter().rev() {
        let pin = match (f.cond, f.value) {
            (
                Cond::Cmp {
                    field: g,
                    op: CmpOp::Eq,
                    value,
                },
                true,
            )
            | (
                Cond::Cmp {
                    field: g,
                    op: CmpOp::Ne,
                    value,
                },
                false,
            ) if g.value == field.value => {
                vec![Some(value.value.clone())]
            }
            (
                Cond::In {
                    field: g,
                    negated,
                    values,
                },
                v,
            ) if g.value == field.value && v != *negated => {
                values.iter().map(|l| Some(l.value.clone())).collect()
            }
            (Cond::Exists { field: g, present }, v) if g.value == field.value && v != *present => {
                vec![None]
            }
            _ => continue,
        };
        return Some((pin, f.span));
    }
    None
}
