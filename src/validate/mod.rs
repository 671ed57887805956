//! Validation: every rule of the diagnostic table (README), on the graph, all problems at once.
//!
//! Takes a [`RouteGraph`], adds every problem to the diagnostics, and hands back a
//! [`Valid`] graph when there is no error: the only input
//! [`Program::compile`](crate::compile::Program::compile) accepts, so a route is
//! never compiled unchecked and never checked twice. Checks that need an acyclic
//! graph (dead branches, key presence) run only when it is one.

mod conditions;
mod confusable;
mod facts;
mod finding;
mod flow;
mod models;
mod props;
mod structure;

pub use finding::{FieldProblem, Finding, WindowProblem};
pub use props::PROVIDERS;

use crate::diagnostic::{Diagnostic, has_errors};
use crate::graph::RouteGraph;
use crate::syntax::ast::Route;

/// A route graph that validated without errors. Only [`validate`] makes one.
#[derive(Debug)]
pub struct Valid<'r> {
    graph: RouteGraph<'r>,
}

impl<'r> Valid<'r> {
    /// The graph.
    pub fn graph(&self) -> &RouteGraph<'r> {
        &self.graph
    }

    /// The route the graph was built from.
    pub fn route(&self) -> &'r Route {
        self.graph.route
    }
}

/// Runs every check on the graph. Returns it as [`Valid`] when `diags` holds no
/// error afterwards (errors found earlier, by the reader or while building the
/// graph, count too).
pub fn validate<'r>(g: RouteGraph<'r>, diags: &mut Vec<Diagnostic>) -> Option<Valid<'r>> {
    check_all(&g, diags);
    (!has_errors(diags)).then_some(Valid { graph: g })
}

fn check_all(g: &RouteGraph<'_>, diags: &mut Vec<Diagnostic>) {
    structure::check(g, diags);
    let acyclic = flow::cycles(g, diags);
    flow::reachability(g, diags);
    for node in &g.route.nodes {
        props::check(node, g.format, diags);
    }
    conditions::check(g.route, g.format, diags);
    models::check(g, diags);
    confusable::check(g.route, g.format, diags);
    if acyclic {
        facts::check(g, diags);
    }
}
