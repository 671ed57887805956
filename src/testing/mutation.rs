//! Mutation analysis: a route's suites run against each of its single-edit
//! mutants ([`super::mutate`]).
//!
//! A mutant is first validated and compiled like any route; one with errors
//! (an output re-pointed into a cycle, say) is *invalid*. A condition edit that
//! provably changes nothing — the solver finds no metadata on which the old
//! and new condition differ — is *equivalent*. Both are counted apart: no
//! suite could kill them. Every other mutant runs every case (its node ids
//! looked up again by name, since an edit can reorder the program); a case
//! that fails *kills* it, and one no case kills *survives*.

use super::bind::{Bound, Expectation};
use super::engine::{Outcome, Prepared, Runner, Target};
use super::mutate::{Mutant, budget, mutants};
use super::run::replay;
use crate::compile::Program;
use crate::graph::RouteGraph;
use crate::solve::{Constraint, Solution, solve};
use crate::validate::validate;

/// Requests replayed per route (cases times mutants, `before` requests
/// included) past which the remaining mutants are not tried.
pub const MAX_REPLAYED: u64 = 50_000_000;

/// What became of one mutant.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// A case failed against it: `(case index)`.
    Killed(usize),
    /// Every case passed.
    Survived,
    /// No request tells it from the route (proved by the solver).
    Equivalent,
    /// It does not validate: the first error's message.
    Invalid(String),
}

/// The mutants of one route and their verdicts, in the mutator's order.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// Each mutant and its verdict.
    pub mutants: Vec<(Mutant, Verdict)>,
    /// Whether the route had more mutants than [`budget`] allows, or its cases
    /// more requests to replay than [`MAX_REPLAYED`] allows (the rest not tried).
    pub truncated: bool,
}

impl Analysis {
    /// `(killed, survived, equivalent, invalid)`.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut c = (0, 0, 0, 0);
        for (_, v) in &self.mutants {
            match v {
                Verdict::Killed(_) => c.0 += 1,
                Verdict::Survived => c.1 += 1,
                Verdict::Equivalent => c.2 += 1,
                Verdict::Invalid(_) => c.3 += 1,
            }
        }
        c
    }

    /// The survivors, in order.
    pub fn survivors(&self) -> impl Iterator<Item = &Mutant> {
        self.mutants
            .iter()
            .filter(|(_, v)| *v == Verdict::Survived)
            .map(|(m, _)| m)
    }
}

/// Runs `cases` (bound to `t`) against every mutant of `t`'s route.
pub fn analyse(t: &Target, cases: &[Bound]) -> Analysis {
    analyse_within(t, cases, MAX_REPLAYED)
}

/// [`analyse`], replaying at most `max_replayed` requests.
pub fn analyse_within(t: &Target, cases: &[Bound], max_replayed: u64) -> Analysis {
    let (list, mut truncated) = mutants(t.route(), budget(t.route()));
    let mut runner = Runner::new();
    let all: u64 = cases.iter().fold(0, |n, c| n.saturating_add(cost(c)));
    let mut left = max_replayed;
    let mut out = Vec::new();
    for m in list {
        // Charged as if every case ran: a mutant is tried whole or not at all.
        if all > left {
            truncated = true;
            break;
        }
        left -= all;
        let v = verdict(t, cases, &m, &mut runner);
        out.push((m, v));
    }
    Analysis {
        mutants: out,
        truncated,
    }
}

/// Requests one run of a case evaluates.
pub(super) fn cost(c: &Bound) -> u64 {
    c.before.iter().fold(1u64, |n, (_, k)| n.saturating_add(*k))
}

/// Mutant `m` of `t`'s route validated and compiled, or the first error.
pub fn compile(t: &Target, m: &Mutant) -> Result<Target, String> {
    let route = m.route(t.route());
    let mut diags = Vec::new();
    let graph = RouteGraph::build(&route, &mut diags);
    let program = validate(graph, &mut diags).and_then(|v| Program::compile(&v).ok());
    match (program, diags.iter().find(|d| d.is_error())) {
        (Some(p), None) => Ok(Target::new(route, p)),
        (_, Some(d)) => Err(d.message.clone()),
        (None, None) => Err("the route is too large to compile".into()),
    }
}

/// Whether the solver proves an edited condition equal to the original on
/// every request: neither can hold while the other fails.
pub fn equivalent(m: &Mutant) -> bool {
    let Some((old, new)) = &m.cond else {
        return false;
    };
    let unsat = |a: bool| {
        matches!(
            solve(&[Constraint::new(old, a), Constraint::new(new, !a)]),
            Solution::Unsat(_)
        )
    };
    unsat(true) && unsat(false)
}

fn verdict(t: &Target, cases: &[Bound], m: &Mutant, runner: &mut Runner) -> Verdict {
    let mt = match compile(t, m) {
        Ok(mt) => mt,
        Err(e) => return Verdict::Invalid(e),
    };
    if equivalent(m) {
        return Verdict::Equivalent;
    }
    match cases.iter().position(|c| kills(t, &mt, c, runner)) {
        Some(i) => Verdict::Killed(i),
        None => Verdict::Survived,
    }
}

/// Whether case `c` (bound to `t`) fails against mutant `mt`.
pub fn kills(t: &Target, mt: &Target, c: &Bound, runner: &mut Runner) -> bool {
    let c = rebind(t, mt, c);
    let got = replay(mt, &c.before, &c.req, runner, false);
    !passes(&c.expect, &got)
}

/// A node of `t` as the node of `to` with the same id; [`GONE`] when `to` has none.
fn map(t: &Target, to: &Target, n: usize) -> usize {
    to.find(t.id(n)).unwrap_or(GONE)
}

/// Stands for a node the mutant lacks: on no path, served by no request.
const GONE: usize = usize::MAX;

/// A case bound to `t` as bound to `to`, node ids looked up by name.
pub fn rebind(t: &Target, to: &Target, c: &Bound) -> Bound {
    let req = |r: &Prepared| Prepared {
        fail: r.fail.iter().map(|&n| map(t, to, n)).collect(),
        ..r.clone()
    };
    let e = &c.expect;
    let all = |v: &[usize]| v.iter().map(|&n| map(t, to, n)).collect::<Vec<_>>();
    Bound {
        name: c.name.clone(),
        span: c.span,
        before: c.before.iter().map(|(b, k)| (req(b), *k)).collect(),
        req: req(&c.req),
        expect: Expectation {
            model: e.model.map(|m| m.map(|n| map(t, to, n))),
            path: e.path.as_deref().map(all),
            via: all(&e.via),
            not_via: all(&e.not_via),
        },
    }
}

/// Whether an outcome meets an expectation (what [`super::run::check`] reports on).
pub fn passes(e: &Expectation, got: &Outcome) -> bool {
    e.model.is_none_or(|m| m == got.served)
        && e.path.as_ref().is_none_or(|p| *p == got.path)
        && e.via.iter().all(|n| got.path.contains(n))
        && !e.not_via.iter().any(|n| got.path.contains(n))
}
