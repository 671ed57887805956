//! Syntax tree → `petgraph` DAG.
//!
//! Ids are resolved here: every output becomes an edge to the node it names. Two
//! nodes with one id and outputs naming no node are reported here, because they
//! decide what the graph is; everything else is checked in `validate` on the graph.

use indexmap::IndexMap;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::source::{Span, Spanned};
use crate::syntax::Format;
use crate::syntax::ast::{Node, NodeKind, Route};

pub use crate::syntax::vocab::Slot;

/// An edge: the output and where its target was written.
#[derive(Clone, Copy, Debug)]
pub struct Edge {
    /// The output.
    pub slot: Slot,
    /// The written target id.
    pub span: Span,
}

/// The route as a graph. Graph node weights index `route.nodes`.
#[derive(Debug)]
pub struct RouteGraph<'r> {
    /// The route the graph was built from.
    pub route: &'r Route,
    /// One graph node per syntax node (duplicates included, unconnected).
    pub graph: DiGraph<usize, Edge>,
    /// The first node defined under each id.
    pub index: IndexMap<&'r str, NodeIndex>,
    /// The format the route was written in: diagnostics name outputs as it
    /// does (`else` in YAML and the DSL, `false` in gateway JSON). YAML
    /// unless [`RouteGraph::written_in`] says otherwise.
    pub format: Format,
}

impl<'r> RouteGraph<'r> {
    /// Builds the graph, reporting duplicate ids and outputs that name no node.
    pub fn build(route: &'r Route, diags: &mut Vec<Diagnostic>) -> Self {
        let mut graph = DiGraph::with_capacity(route.nodes.len(), route.nodes.len() * 2);
        let mut index: IndexMap<&str, NodeIndex> = IndexMap::with_capacity(route.nodes.len());
        let nodes: Vec<NodeIndex> = (0..route.nodes.len()).map(|i| graph.add_node(i)).collect();
        for (i, node) in route.nodes.iter().enumerate() {
            if node.id.value.is_empty() {
                diags.push(
                    Diagnostic::error(Code::BadValue, node.id.span, "a node id is empty")
                        .help("give the node a name such as `main`"),
                );
            }
            match index.get(node.id.value.as_str()) {
                Some(&first) => {
                    let first = &route.nodes[graph[first]];
                    diags.push(
                        Diagnostic::error(
                            Code::DuplicateId,
                            node.id.span,
                            format!("id `{}` is defined twice", node.id.value),
                        )
                        .label("second definition")
                        .with_secondary(first.id.span, "first defined here")
                        .help("rename one of the nodes; outputs refer to nodes by id"),
                    );
                }
                None => {
                    index.insert(node.id.value.as_str(), nodes[i]);
                }
            }
        }
        // Outputs naming no node, grouped by the name: one mistake (a node never
        // written) is one diagnostic, however many outputs lead to it.
        let mut missing: IndexMap<&str, Vec<(&Node, Slot, &Spanned<String>)>> = IndexMap::new();
        for (i, node) in route.nodes.iter().enumerate() {
            for (slot, target) in slots(node) {
                let Some(target) = target else { continue };
                match index.get(target.value.as_str()) {
                    Some(&to) => {
                        graph.add_edge(
                            nodes[i],
                            to,
                            Edge {
                                slot,
                                span: target.span,
                            },
                        );
                    }
                    None => missing
                        .entry(target.value.as_str())
                        .or_default()
                        .push((node, slot, target)),
                }
            }
        }
        // With no end node at all, the most named missing node is surely the end
        // that was never written: one E0202 says so, in place of its E0204.
        let has_end = route.nodes.iter().any(|n| matches!(n.kind, NodeKind::End));
        let the_end = (!has_end)
            .then(|| {
                missing
                    .iter()
                    .enumerate()
                    .max_by_key(|(k, (_, refs))| (refs.len(), std::cmp::Reverse(*k)))
                    .map(|(_, (name, _))| *name)
            })
            .flatten();
        // A suggestion compares the name with every id: for the first few
        // missing names only, so thousands of them cost no more than the route.
        for (k, (name, refs)) in missing.iter().enumerate() {
            let candidates = (k < SUGGESTED).then_some(&index);
            diags.push(dangling(refs, candidates, the_end == Some(*name)));
        }
        RouteGraph {
            route,
            graph,
            index,
            format: Format::Yaml,
        }
    }

    /// The graph of a route written in `format` (see [`RouteGraph::format`]).
    pub fn written_in(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// The syntax node behind a graph node.
    pub fn node(&self, ix: NodeIndex) -> &'r Node {
        &self.route.nodes[self.graph[ix]]
    }

    /// Whether `ix` is the first definition of its id (duplicates are left out of checks).
    pub fn is_canonical(&self, ix: NodeIndex) -> bool {
        self.index.get(self.node(ix).id.value.as_str()) == Some(&ix)
    }
}

/// A node's outputs with their slots, in wire order.
pub fn slots(node: &Node) -> impl Iterator<Item = (Slot, Option<&Spanned<String>>)> {
    node.kind.slots()
}

/// The output's name as the user reads it.
pub fn slot_name(node: &Node, slot: Slot) -> String {
    let Slot::Share(i) = slot else {
        return slot.yaml().unwrap_or_default().into();
    };
    match &node.kind {
        NodeKind::Percentage { branches, .. } => branches
            .get(usize::from(i))
            .map_or_else(|| format!("share {i}"), |b| b.share.value.clone()),
        _ => format!("share {i}"),
    }
}

/// How many missing names get a "did you mean".
const SUGGESTED: usize = 64;

fn dangling(
    refs: &[(&Node, Slot, &Spanned<String>)],
    index: Option<&IndexMap<&str, NodeIndex>>,
    is_end: bool,
) -> Diagnostic {
    let (node, slot, target) = refs[0];
    let others = refs.len() - 1;
    let also = match others {
        0 => String::new(),
        1 => " (and 1 more output)".to_string(),
        n => format!(" (and {n} more outputs)"),
    };
    let mut d = if is_end {
        Diagnostic::error(
            Code::NoEnd,
            target.span,
            format!(
                "the route has no end node, and `{}`, which {} output{} lead{} to, is not defined",
                target.value,
                refs.len(),
                if refs.len() == 1 { "" } else { "s" },
                if refs.len() == 1 { "s" } else { "" },
            ),
        )
        .label("no node has this id")
        .help(format!(
            "add the end node: `{}: end` under `nodes:` (in the DSL, `{}: end`)",
            crate::emit::scalar(&target.value),
            crate::emit::dsl_name(&target.value)
        ))
    } else {
        let help = index
            .and_then(|index| did_you_mean(&target.value, index.keys().copied()))
            .unwrap_or_else(|| {
                "point it at a node defined in this route, or add that node".to_string()
            });
        Diagnostic::error(
            Code::DanglingOutput,
            target.span,
            format!(
                "output `{}` of `{}` names `{}`, which is not a node{also}",
                slot_name(node, slot),
                node.id.value,
                target.value
            ),
        )
        .label("no node has this id")
        .help(help)
    };
    // Every further reference as a secondary label (a handful; the count says the rest).
    for (_, _, t) in refs.iter().skip(1).take(8) {
        d = d.with_secondary(t.span, "also named here");
    }
    d
}
