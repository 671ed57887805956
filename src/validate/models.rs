//! Fallbacks that lead back to the model that just failed.

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use super::Finding;
use crate::diagnostic::Diagnostic;
use crate::graph::{RouteGraph, Slot};
use crate::syntax::ast::NodeKind;

/// How many nodes past a fallback are looked at for the next models. Each model
/// walks on its own (the question is about its own provider and model), so an
/// unbounded walk would cost the size of the route once per model: a thousand
/// models falling back into one long run of conditionals took minutes. Real
/// fallbacks reach their next model within a few nodes; past this many the
/// warning, which is advice, is not given.
const FALLBACK_REACH: usize = 256;

pub(super) fn check(g: &RouteGraph<'_>, diags: &mut Vec<Diagnostic>) {
    // Visit marks stamped with the model being checked: one allocation, not one
    // per model, so the check stays linear in the route's size.
    let mut seen = vec![u32::MAX; g.graph.node_count()];
    let mut stack: Vec<NodeIndex> = Vec::new();
    for ix in g.graph.node_indices() {
        let NodeKind::Model(m) = &g.node(ix).kind else {
            continue;
        };
        if !g.is_canonical(ix) {
            continue;
        }
        let Some(fallback) = g
            .graph
            .edges(ix)
            .find(|e| e.weight().slot == Slot::Fallback)
        else {
            continue;
        };
        // Walk forward through non-model nodes; the first models met are what a
        // failure of this one leads to.
        let stamp = ix.index() as u32;
        stack.clear();
        stack.push(fallback.target());
        let mut reach = FALLBACK_REACH;
        while let Some(n) = stack.pop() {
            if std::mem::replace(&mut seen[n.index()], stamp) == stamp {
                continue;
            }
            if reach == 0 {
                break;
            }
            reach -= 1;
            match &g.node(n).kind {
                NodeKind::Model(other) => {
                    if other.provider.value == m.provider.value
                        && other.model.value == m.model.value
                    {
                        let finding = Finding::SameModelFallback {
                            id: g.node(ix).id.value.clone(),
                            reaches: (n != ix).then(|| g.node(n).id.value.clone()),
                            provider: m.provider.value.clone(),
                            model: m.model.value.clone(),
                        };
                        diags.push(finding.at(fallback.weight().span, g.format));
                        break;
                    }
                }
                _ => stack.extend(g.graph.edges(n).map(|e| e.target())),
            }
        }
    }
}
