//! Cycles, paths to an end, and nodes nothing leads to.

use petgraph::Direction;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::NodeIndex;
use petgraph::visit::{EdgeRef, Reversed};

use super::Finding;
use crate::diagnostic::Diagnostic;
use crate::graph::RouteGraph;
use crate::syntax::ast::NodeKind;

/// Reports cycles; returns whether the graph is acyclic.
pub(super) fn cycles(g: &RouteGraph<'_>, diags: &mut Vec<Diagnostic>) -> bool {
    let mut acyclic = true;
    // Kosaraju's, not Tarjan's: petgraph's Tarjan recurses once per node on a
    // path, so a long chain of nodes would overflow the stack.
    let mut sccs = kosaraju_scc(&g.graph);
    // Report in the order the nodes were written, so output is stable.
    for scc in &mut sccs {
        scc.sort_by_key(|ix| g.graph[*ix]);
    }
    sccs.sort_by_key(|scc| scc.first().map(|ix| g.graph[*ix]));
    for scc in sccs {
        let first = scc[0];
        let self_loop = g.graph.edges(first).any(|e| e.target() == first);
        if scc.len() == 1 && !self_loop {
            continue;
        }
        acyclic = false;
        let path = cycle_path(g, &scc);
        let ids = path.iter().map(|ix| g.node(*ix).id.value.clone()).collect();
        let closing = g
            .graph
            .edges(*path.last().unwrap_or(&first))
            .find(|e| e.target() == first)
            .map(|e| e.weight().span);
        let mut d = Finding::Cycle { ids }
            .at(closing.unwrap_or(g.node(first).id.span), g.format)
            .label("this output closes the loop");
        for ix in path.iter().skip(1) {
            d = d.with_secondary(g.node(*ix).id.span, "on the cycle");
        }
        diags.push(d);
    }
    acyclic
}

/// A path from the SCC's first node back to it, staying inside the SCC.
fn cycle_path(g: &RouteGraph<'_>, scc: &[NodeIndex]) -> Vec<NodeIndex> {
    let start = scc[0];
    let inside = |ix: NodeIndex| {
        scc.binary_search_by_key(&g.graph[ix], |s| g.graph[*s])
            .is_ok()
    };
    let mut prev = vec![None; g.graph.node_count()];
    let mut queue = std::collections::VecDeque::from([start]);
    let mut seen = vec![false; g.graph.node_count()];
    seen[start.index()] = true;
    while let Some(n) = queue.pop_front() {
        for e in g.graph.edges(n) {
            let t = e.target();
            if t == start {
                let mut path = vec![n];
                let mut cur = n;
                while let Some(p) = prev[cur.index()] {
                    path.push(p);
                    cur = p;
                }
                path.reverse();
                return path;
            }
            if inside(t) && !seen[t.index()] {
                seen[t.index()] = true;
                prev[t.index()] = Some(n);
                queue.push_back(t);
            }
        }
    }
    vec![start]
}

/// Reports nodes that cannot reach an end (errors) and nodes that cannot be
/// reached from start (warnings).
pub(super) fn reachability(g: &RouteGraph<'_>, diags: &mut Vec<Diagnostic>) {
    let n = g.graph.node_count();
    let reversed = Reversed(&g.graph);
    let ends = g
        .graph
        .node_indices()
        .filter(|ix| matches!(g.node(*ix).kind, NodeKind::End) && g.is_canonical(*ix));
    let to_end = reach(reversed, n, ends);
    // Nodes that lead to a missing or dangling output are blamed there, not here.
    let tainted = reach(
        reversed,
        n,
        g.graph.node_indices().filter(|ix| !has_all_outputs(g, *ix)),
    );
    let has_end = g
        .route
        .nodes
        .iter()
        .any(|n| matches!(n.kind, NodeKind::End));
    let start = g
        .graph
        .node_indices()
        .find(|ix| matches!(g.node(*ix).kind, NodeKind::Start { .. }));
    let from_start = reach(&g.graph, n, start);
    for ix in g.graph.node_indices() {
        if !g.is_canonical(ix) {
            continue;
        }
        let node = g.node(ix);
        let is_end = matches!(node.kind, NodeKind::End);
        if has_end && !is_end && !to_end[ix.index()] && !tainted[ix.index()] {
            let id = node.id.value.clone();
            diags.push(Finding::NoPathToEnd { id }.at(node.id.span, g.format));
        }
        if start.is_some() && !from_start[ix.index()] {
            let unreachable = Finding::Unreachable {
                id: node.id.value.clone(),
                led_to: g
                    .graph
                    .neighbors_directed(ix, Direction::Incoming)
                    .next()
                    .is_some(),
            };
            diags.push(unreachable.at(node.id.span, g.format));
        }
    }
}

/// Missing outputs are reported on their own; a node lacking one is not also
/// blamed for reaching no end.
fn has_all_outputs(g: &RouteGraph<'_>, ix: NodeIndex) -> bool {
    let (mut outputs, mut written) = (0, true);
    for (_, target) in g.node(ix).kind.slots() {
        outputs += 1;
        written &= target.is_some();
    }
    written && g.graph.edges(ix).count() == outputs
}

/// Which of the `n` nodes can be reached from any of `sources` in `graph`: one
/// breadth-first pass from all sources at once, so each node is visited once
/// however many sources there are.
fn reach<G>(graph: G, n: usize, sources: impl IntoIterator<Item = NodeIndex>) -> Vec<bool>
where
    G: petgraph::visit::IntoNeighbors<NodeId = NodeIndex>,
{
    let mut seen = vec![false; n];
    let mut queue = std::collections::VecDeque::new();
    for s in sources {
        if !seen[s.index()] {
            seen[s.index()] = true;
            queue.push_back(s);
        }
    }
    while let Some(v) = queue.pop_front() {
        for w in graph.neighbors(v) {
            if !seen[w.index()] {
                seen[w.index()] = true;
                queue.push_back(w);
            }
        }
    }
    seen
}
