//! Path policies: rules a team states once (in `aig-route.toml`) about every
//! route — which providers may serve, the longest timeout, that no provider's
//! outage leaves a request unserved, and which requests may never reach which
//! models. Each violation is an error at the node that breaks the rule, naming
//! the path from start that shows it.
//!
//! The rules are plain data here; reading them from TOML is the command line's
//! business, so the library needs no TOML parser.

use crate::syntax::ast::Cond;

/// Where a rule was stated, for notes such as "rule at aig-route.toml:7".
pub type Origin = String;

/// The `[policy]` table of a project file.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// `providers`: the only provider slugs models may use.
    pub providers: Option<(Vec<String>, Origin)>,
    /// `max-timeout`: the longest timeout a model may have, in milliseconds.
    pub max_timeout_ms: Option<(f64, Origin)>,
    /// `fallback-to-other-provider`: when true, every provider's outage must
    /// leave every request that reached it served by another provider.
    pub fallback_to_other_provider: Option<(bool, Origin)>,
    /// `[[policy.forbid]]` rules.
    pub forbid: Vec<Forbid>,
}

/// One `[[policy.forbid]]` rule: no request matching `when` may be served by `models`.
#[derive(Clone, Debug)]
pub struct Forbid {
    /// The requests the rule is about (`None`: every request).
    pub when: Option<Cond>,
    /// The condition as written, for messages.
    pub when_text: String,
    /// `(provider, model)` pairs.
    pub models: Vec<(String, String)>,
    /// Where the rule is stated.
    pub origin: Origin,
}

impl Policy {
    /// Whether the policy states any rule.
    pub fn is_empty(&self) -> bool {
        self.providers.is_none()
            && self.max_timeout_ms.is_none()
            && !self
                .fallback_to_other_provider
                .as_ref()
                .is_some_and(|(b, _)| *b)
            && self.forbid.is_empty()
    }
}

mod find;
mod finding;
mod graph;
mod replay;
mod rules;
mod search;
#[cfg(test)]
mod tests;

use crate::compile::{NodeId, Program};
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::Route;

pub use finding::{PolicyFinding, Question, Witness};
use graph::Graph;
use search::Work;

/// Checks `route` (compiled as `program`) against `policy`, adding an error at
/// the offending node for each violation (and a warning for each question the
/// search bound left open). Bounded: one route's checks share one [`Work`] budget.
pub fn check(route: &Route, program: &Program, policy: &Policy, diags: &mut Vec<Diagnostic>) {
    if policy.is_empty() {
        return;
    }
    let Some(g) = Graph::new(program, route) else {
        return;
    };
    let mut work = Work::default();
    let models: Vec<NodeId> = (0..program.len() as NodeId)
        .filter(|&n| program.model(n).is_some())
        .collect();
    if let Some((allowed, origin)) = &policy.providers {
        for &n in &models {
            if let Some(d) = rules::provider(&g, n, allowed, origin, &mut work) {
                diags.push(d);
            }
        }
    }
    if let Some((max, origin)) = &policy.max_timeout_ms {
        for &n in &models {
            if let Some(d) = rules::timeout(&g, n, *max, origin, &mut work) {
                diags.push(d);
            }
        }
    }
    if let Some((true, origin)) = &policy.fallback_to_other_provider {
        rules::fallbacks(&g, &models, origin, &mut work, diags);
    }
    for rule in &policy.forbid {
        rules::forbid(&g, &models, rule, &mut work, diags);
    }
}
