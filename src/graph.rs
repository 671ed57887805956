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
    /// does (`else` in YAML and the DSL, `false` in gateway JSON); given to
    /// [`RouteGraph::build_in`], so the graph's own errors are worded in it too.
    pub format: Format,
}

impl<'r> RouteGraph<'r> {
    /// Builds the graph of a YAML route, reporting duplicate ids and outputs
    /// that name no node ([`RouteGraph::build_in`] for another format).
    pub fn build(route: &'r Route, diags: &mut Vec<Diagnostic>) -> Self {
        Self::build_in(route, Format::Yaml, diags)
    }

    /// Builds the graph of a route written in `format`, reporting duplicate ids
    /// and outputs that name no node in that format's words.
    pub fn build_in(route: &'r Route, format: Format, diags: &mut Vec<Diagnostic>) -> Self {
        let mut graph = DiGraph::with_capacity(route.nodes.len(), route.nodes.len() * 2);
        let mut index: IndexMap<&str, NodeIndex> = IndexMap::with_capacity(route.nodes.len());
        let nodes: Vec<NodeIndex> = (0..route.nodes.len()).map(|i| graph.add_node(i)).collect();
        for (i, node) in route.nodes.iter().enumerate() {
            if node.id.value.is_empty() {
                diags.push(GraphError::EmptyId.at(node.id.span, format));
            }
            match index.get(node.id.value.as_str()) {
                Some(&first) => {
                    let first = &route.nodes[graph[first]];
                    let error = GraphError::DuplicateId {
                        id: node.id.value.clone(),
                    };
                    diags.push(
                        error
                            .at(node.id.span, format)
                            .label("second definition")
                            .with_secondary(first.id.span, "first defined here"),
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
            diags.push(dangling(refs, candidates, the_end == Some(*name), format));
        }
        RouteGraph {
            route,
            graph,
            index,
            format,
        }
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

/// The output's name as the user reads it in YAML.
pub fn slot_name(node: &Node, slot: Slot) -> String {
    slot_name_in(node, slot, Format::Yaml)
}

/// The output's name as `format` writes it (`else` in YAML and the DSL,
/// `false` in gateway JSON; a split's share as written).
pub fn slot_name_in(node: &Node, slot: Slot, format: Format) -> String {
    let Slot::Share(i) = slot else {
        return slot.name_in(format).unwrap_or_default().into();
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
    format: Format,
) -> Diagnostic {
    let (node, slot, target) = refs[0];
    let error = if is_end {
        GraphError::NoEnd {
            target: target.value.clone(),
            outputs: refs.len(),
        }
    } else {
        GraphError::DanglingOutput {
            node: node.id.value.clone(),
            output: slot_name_in(node, slot, format),
            target: target.value.clone(),
            others: refs.len() - 1,
            near: index.and_then(|index| did_you_mean(&target.value, index.keys().copied())),
        }
    };
    let mut d = error.at(target.span, format).label("no node has this id");
    // Every further reference as a secondary label (a handful; the count says the rest).
    for (_, _, t) in refs.iter().skip(1).take(8) {
        d = d.with_secondary(t.span, "also named here");
    }
    d
}

/// What building the graph can find wrong, each worded once; only the help's
/// example follows the route's format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphError {
    /// A node id is the empty string.
    EmptyId,
    /// Two nodes have this id.
    DuplicateId {
        /// The id.
        id: String,
    },
    /// The route has no end node, and outputs lead to `target`, which is not
    /// defined: surely the end never written.
    NoEnd {
        /// The missing name.
        target: String,
        /// How many outputs name it.
        outputs: usize,
    },
    /// An output names no node.
    DanglingOutput {
        /// The node the output belongs to.
        node: String,
        /// The output, as the format names it.
        output: String,
        /// The missing name.
        target: String,
        /// How many other outputs name it too.
        others: usize,
        /// A defined id it was surely meant to be (`did you mean ...?`).
        near: Option<String>,
    },
}

impl std::fmt::Display for GraphError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GraphError::EmptyId => write!(f, "a node id is empty"),
            GraphError::DuplicateId { id } => write!(f, "id `{id}` is defined twice"),
            GraphError::NoEnd { target, outputs } => {
                let (s, verb) = if *outputs == 1 { ("", "s") } else { ("s", "") };
                write!(
                    f,
                    "the route has no end node, and `{target}`, which {outputs} output{s} lead{verb} to, is not defined"
                )
            }
            GraphError::DanglingOutput {
                node,
                output,
                target,
                others,
                ..
            } => {
                write!(
                    f,
                    "output `{output}` of `{node}` names `{target}`, which is not a node"
                )?;
                match others {
                    0 => Ok(()),
                    1 => write!(f, " (and 1 more output)"),
                    n => write!(f, " (and {n} more outputs)"),
                }
            }
        }
    }
}

impl std::error::Error for GraphError {}

impl GraphError {
    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            GraphError::EmptyId => Code::BadValue,
            GraphError::DuplicateId { .. } => Code::DuplicateId,
            GraphError::NoEnd { .. } => Code::NoEnd,
            GraphError::DanglingOutput { .. } => Code::DanglingOutput,
        }
    }

    /// How to fix it, as `format` writes the fix.
    pub fn help(&self, format: Format) -> String {
        match self {
            GraphError::EmptyId => "give the node a name such as `main`".into(),
            GraphError::DuplicateId { .. } => {
                "rename one of the nodes; outputs refer to nodes by id".into()
            }
            GraphError::NoEnd { target, .. } => match format {
                Format::Yaml => format!(
                    "add the end node: `{}: end` under `nodes:`",
                    crate::emit::scalar(target)
                ),
                Format::Dsl => format!(
                    "add the end node: `{}: end` inside the route's braces",
                    crate::emit::dsl_name(target)
                ),
                Format::Json => format!(
                    "add the end element to `elements`: `{{\"id\": {}, \"type\": \"end\"}}`",
                    serde_json::Value::String(target.clone())
                ),
            },
            GraphError::DanglingOutput { near, .. } => near.clone().unwrap_or_else(|| {
                "point it at a node defined in this route, or add that node".into()
            }),
        }
    }

    /// The located diagnostic, for a route written in `format`.
    pub fn at(&self, span: Span, format: Format) -> Diagnostic {
        Diagnostic::error(self.code(), span, self.to_string()).help(self.help(format))
    }
}
