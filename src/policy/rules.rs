//! The four rules of `[policy]`, each turning what the search finds into a
//! located diagnostic: the node that breaks the rule, the path from start that
//! shows it, and a request the evaluator sends along it. The words are
//! [`super::finding::PolicyFinding`]'s.

use super::find::{Goal, Reached, find};
use super::finding::{PolicyFinding, Question, Witness};
use super::graph::Graph;
use super::replay::{Example, path_words};
use super::search::{Found, Out, Rules, Work};
use super::{Forbid, Origin};
use crate::compile::{Inst, NodeId};
use crate::diagnostic::Diagnostic;
use crate::eval::Report;
use crate::source::Span;
use crate::syntax::ast::{Cond, Model, Node, NodeKind};

/// The syntax node behind program node `n`.
fn node<'r>(g: &Graph<'r>, n: NodeId) -> &'r Node {
    &g.route.nodes[g.program.origin(n)]
}

fn model_ast<'r>(g: &Graph<'r>, n: NodeId) -> Option<&'r Model> {
    match &node(g, n).kind {
        NodeKind::Model(m) => Some(m),
        _ => None,
    }
}

/// The id of program node `n` (the renderer escapes what it prints).
fn name<'g>(g: &Graph<'g>, n: NodeId) -> &'g str {
    g.program.node_id(n)
}

/// A request matching `when` that reaches model `n` and has it answer, every
/// model before it on the path failing where the path says.
fn reach(g: &Graph<'_>, n: NodeId, when: (u32, Option<&Cond>), work: &mut Work) -> Reached {
    let failed_on = |found: &Found, m: NodeId| {
        m != n
            && found
                .hops
                .iter()
                .any(|h| h.node == m && h.out == Out::Model(Report::Failed))
    };
    let goal = Goal {
        rules: Rules {
            states: 1,
            step: &|_, _, _| Some(0),
            goal: &|m, _| m == n,
        },
        fails: &failed_on,
        confirm: &|ex: &Example| ex.answered.contains(&n),
    };
    find(g, &goal, when, work)
}

/// The path and example (or why there is none) of a violation that holds
/// whether or not a request reaches the node.
fn witness(g: &Graph<'_>, reached: Reached) -> Witness {
    match reached {
        Reached::Example(ex) => Witness::Shown {
            path: path_words(g.program, &ex.path),
            request: ex.describe(g.program),
        },
        Reached::Undecided => Witness::Undecided,
        Reached::Never => Witness::Never,
    }
}

/// `providers`: model `n` of a provider not in `allowed`.
pub(super) fn provider(
    g: &Graph<'_>,
    n: NodeId,
    allowed: &[String],
    origin: &Origin,
    work: &mut Work,
) -> Option<Diagnostic> {
    let provider = &*g.program.model(n)?.provider;
    if allowed.iter().any(|p| p == provider) {
        return None;
    }
    let at = model_ast(g, n).map_or(node(g, n).id.span, |m| m.provider.span);
    let finding = PolicyFinding::Provider {
        node: name(g, n).to_string(),
        provider: provider.to_string(),
        allowed: allowed.to_vec(),
        origin: origin.clone(),
        witness: witness(g, reach(g, n, (0, None), work)),
    };
    Some(finding.at(at))
}

/// `max-timeout`: model `n` waits longer than `max` milliseconds per attempt.
pub(super) fn timeout(
    g: &Graph<'_>,
    n: NodeId,
    max: f64,
    origin: &Origin,
    work: &mut Work,
) -> Option<Diagnostic> {
    let timeout = g.program.model(n)?.timeout_ms as f64;
    if timeout <= max {
        return None;
    }
    let at = model_ast(g, n)
        .and_then(|m| m.timeout.as_ref().map(|t| t.span))
        .unwrap_or(node(g, n).id.span);
    let finding = PolicyFinding::Timeout {
        node: name(g, n).to_string(),
        timeout_ms: timeout,
        max_ms: max,
        origin: origin.clone(),
        witness: witness(g, reach(g, n, (0, None), work)),
    };
    Some(finding.at(at))
}

/// `fallback-to-other-provider`: for each provider P, a request that meets a
/// model of P, on a path where every model of P fails and no model of another
/// provider is met (any of those would answer), and ends unserved.
pub(super) fn fallbacks(
    g: &Graph<'_>,
    models: &[NodeId],
    origin: &Origin,
    work: &mut Work,
    diags: &mut Vec<Diagnostic>,
) {
    let mut providers: Vec<&str> = models
        .iter()
        .filter_map(|&n| g.program.model(n).map(|m| &*m.provider))
        .collect();
    providers.sort_unstable();
    providers.dedup();
    let is_end = |n: NodeId| matches!(g.program.inst(n), Some(Inst::End));
    for p in providers {
        let of_p = |n: NodeId| g.program.model(n).map(|m| &*m.provider == p);
        // State 1: a model of P has been met (and failed).
        let step = |n: NodeId, s: u8, out: Out| match (of_p(n), out) {
            (Some(true), Out::Model(Report::Failed)) => Some(1),
            (Some(_), _) => None,
            (None, _) => Some(s),
        };
        let goal = Goal {
            rules: Rules {
                states: 2,
                step: &step,
                goal: &|n, s| s == 1 && is_end(n),
            },
            fails: &|_, m| of_p(m) == Some(true),
            confirm: &|ex: &Example| ex.served_by.is_none(),
        };
        let first_of_p = models.iter().copied().find(|&n| of_p(n) == Some(true));
        let ex = match find(g, &goal, (0, None), work) {
            Reached::Example(ex) => ex,
            Reached::Never => continue,
            Reached::Undecided => {
                if let Some(n) = first_of_p {
                    let question = Question::Fallback {
                        provider: p.to_string(),
                    };
                    diags.push(undecided(g, n, node(g, n).id.span, question, origin));
                }
                continue;
            }
        };
        let Some(&first) = ex.failing.first() else {
            continue;
        };
        let finding = PolicyFinding::Fallback {
            provider: p.to_string(),
            failing: ex.failing.iter().map(|&c| name(g, c).to_string()).collect(),
            path: path_words(g.program, &ex.path),
            request: ex.describe(g.program),
            origin: origin.clone(),
        };
        diags.push(finding.at(node(g, first).id.span));
    }
}

/// `[[policy.forbid]]`: is there a request matching `when` and the conditions
/// along some path to a forbidden model, which that model then answers?
pub(super) fn forbid(
    g: &Graph<'_>,
    models: &[NodeId],
    rule: &Forbid,
    work: &mut Work,
    diags: &mut Vec<Diagnostic>,
) {
    let root = work.root();
    for &n in models {
        let Some(spec) = g.program.model(n) else {
            continue;
        };
        if !rule
            .models
            .iter()
            .any(|(p, m)| **p == *spec.provider && **m == *spec.model)
        {
            continue;
        }
        let at = model_ast(g, n).map_or(node(g, n).id.span, |m| m.model.span);
        let model = format!("{}/{}", &spec.provider, &spec.model);
        let ex = match reach(g, n, (root, rule.when.as_ref()), work) {
            Reached::Example(ex) => ex,
            Reached::Never => continue,
            Reached::Undecided => {
                let question = Question::Forbid {
                    when: rule.when_text.clone(),
                    model,
                    node: name(g, n).to_string(),
                };
                diags.push(undecided(g, n, at, question, &rule.origin));
                continue;
            }
        };
        let finding = PolicyFinding::Forbid {
            when: rule.when_text.clone(),
            model,
            node: name(g, n).to_string(),
            path: path_words(g.program, &ex.path),
            request: ex.describe(g.program),
            origin: rule.origin.clone(),
        };
        diags.push(finding.at(at));
    }
}

/// A question the search bound left open: reported, never passed silently.
fn undecided(
    g: &Graph<'_>,
    n: NodeId,
    at: Span,
    question: Question,
    origin: &Origin,
) -> Diagnostic {
    let finding = PolicyFinding::Undecided {
        question,
        node: name(g, n).to_string(),
        origin: origin.clone(),
    };
    finding.at(at)
}
