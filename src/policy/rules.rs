//! The four rules of `[policy]`, each turning what the search finds into a
//! located diagnostic: the node that breaks the rule, the path from start that
//! shows it, and a request the evaluator sends along it.

use super::find::{Goal, Reached, find};
use super::graph::Graph;
use super::replay::{Example, path_words};
use super::search::{Found, Out, Rules, Work};
use super::{Forbid, Origin};
use crate::compile::{Inst, NodeId};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
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

/// Adds the path and example (or why there is none) to a violation that holds
/// whether or not a request reaches the node.
fn witness(d: Diagnostic, g: &Graph<'_>, reached: Reached) -> Diagnostic {
    match reached {
        Reached::Example(ex) => d
            .note(format!("path: {}", path_words(g.program, &ex.path)))
            .note(ex.describe(g.program)),
        Reached::Undecided => d.note("no request reaching it was found within the search bound"),
        Reached::Never => d.note("no request reaches this node today, but the route holds it"),
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
    let shown: Vec<&str> = allowed.iter().map(String::as_str).collect();
    let d = Diagnostic::error(
        Code::PolicyProvider,
        at,
        format!(
            "model `{}` uses provider `{}`, which the project's policy does not allow",
            name(g, n),
            provider
        ),
    )
    .label("provider not in `providers`")
    .note(format!(
        "allowed providers: {} (policy at {})",
        crate::syntax::list(&shown),
        origin
    ))
    .help(
        did_you_mean(provider, shown.iter().copied()).unwrap_or_else(|| {
            "use an allowed provider, or add this one to `providers` in the project file".into()
        }),
    );
    Some(witness(d, g, reach(g, n, (0, None), work)))
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
    let words = crate::syntax::values::format_millis;
    let d = Diagnostic::error(
        Code::PolicyTimeout,
        at,
        format!(
            "model `{}` waits up to {} per attempt, longer than the project's `max-timeout` of {}",
            name(g, n),
            words(timeout),
            words(max)
        ),
    )
    .label("above `max-timeout`")
    .note(format!("policy at {}", origin))
    .help(format!("lower the timeout to {} or less", words(max)));
    Some(witness(d, g, reach(g, n, (0, None), work)))
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
                    let what = format!(
                        "whether every request reaching a model of `{}` is served when that provider is down",
                        p
                    );
                    diags.push(undecided(g, n, node(g, n).id.span, &what, origin));
                }
                continue;
            }
        };
        let chain: Vec<NodeId> = ex.failing.clone();
        let Some(&first) = chain.first() else {
            continue;
        };
        let last = chain.last().map_or("", |&l| name(g, l));
        let p = p;
        diags.push(
            Diagnostic::error(
                Code::PolicyFallback,
                node(g, first).id.span,
                format!(
                    "when provider `{p}` is down, requests reaching `{}` are not served by another provider",
                    name(g, first)
                ),
            )
            .label(format!("no fallback outside `{p}`"))
            .note(format!("path: {}", path_words(g.program, &ex.path)))
            .note(format!(
                "every `{p}` model on it fails ({}) and it ends without an answer",
                chain.iter().map(|&c| format!("`{}`", name(g, c))).collect::<Vec<_>>().join(", ")
            ))
            .note(ex.describe(g.program))
            .note(format!("policy `fallback-to-other-provider` at {}", origin))
            .help(format!("give `{last}` a fallback that reaches a model of another provider")),
        );
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
    let who = if rule.when_text.is_empty() {
        "requests".to_string()
    } else {
        format!("requests matching `{}`", &rule.when_text)
    };
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
        let served = format!("`{}/{}` at `{}`", &spec.provider, &spec.model, name(g, n));
        let ex = match reach(g, n, (root, rule.when.as_ref()), work) {
            Reached::Example(ex) => ex,
            Reached::Never => continue,
            Reached::Undecided => {
                let what = format!("whether {who} can be served by {served}");
                diags.push(undecided(g, n, at, &what, &rule.origin));
                continue;
            }
        };
        diags.push(
            Diagnostic::error(
                Code::PolicyForbid,
                at,
                format!("{who} can be served by {served}, which the project forbids"),
            )
            .label("forbidden for these requests")
            .note(format!("path: {}", path_words(g.program, &ex.path)))
            .note(ex.describe(g.program))
            .note(format!("rule at {}", &rule.origin))
            .help("add a condition before this model that sends those requests elsewhere, or change the rule"),
        );
    }
}

/// A question the search bound left open: reported, never passed silently.
fn undecided(g: &Graph<'_>, n: NodeId, at: Span, what: &str, origin: &Origin) -> Diagnostic {
    Diagnostic::warning(
        Code::PolicyUndecided,
        at,
        format!("could not decide {what}: the path search stopped at its bound"),
    )
    .label("policy not proven here")
    .note(format!(
        "the search tries at most {} edges and {} solver calls per question, and {} paths; `{}` has too many paths or splits too narrow to land",
        super::search::MAX_STEPS,
        super::search::MAX_SOLVES,
        super::search::MAX_CANDIDATES,
        name(g, n)
    ))
    .note(format!("policy at {}", origin))
    .help("simplify the paths before this node, or cover it with a route test (`aig-route test`); `deny = [\"W0905\"]` makes this fail CI")
}
