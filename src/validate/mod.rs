//! Validation: every rule of the diagnostic table (README), on the graph, all problems at once.
//!
//! Takes a [`RouteGraph`] and returns diagnostics sorted by position. Checks that
//! need an acyclic graph (dead branches, key presence) run only when it is one.

mod conditions;
mod facts;
mod flow;
mod models;
mod props;
mod structure;

pub use props::PROVIDERS;

use crate::diagnostic::Diagnostic;
use crate::graph::RouteGraph;

/// Runs every check on the graph.
pub fn validate(g: &RouteGraph<'_>, diags: &mut Vec<Diagnostic>) {
    structure::check(g, diags);
    let acyclic = flow::cycles(g, diags);
    flow::reachability(g, diags);
    for node in &g.route.nodes {
        props::check(node, diags);
    }
    conditions::check(g.route, diags);
    models::check(g, diags);
    if acyclic {
        facts::check(g, diags);
    }
}
