//! Generated suites made sharper: after every edge is covered, a case for each
//! mutant the suite does not kill yet, when one can be found.
//!
//! Covering edges says little about boundaries: a suite that sends
//! `region: eu-west` through `region in ["eu-west", "eu-north"]` passes just as
//! well when `eu-north` is misspelt, and one that fills a limit of 100 with 100
//! requests passes when the limit is 99. So each surviving mutant
//! ([`super::mutate`]), in order, gets a search for a request that the route
//! and the mutant treat differently:
//! - an edited condition: a request reaching the conditional on which the old
//!   and new conditions differ (old and not new, then new and not old), found
//!   by the same path search as edges with that difference as the goal's
//!   condition;
//! - anything else (a limit, a window, ...): variants of the cases that pass the
//!   edited node: one `before` request fewer, a `before` cost one lower, the
//!   request sent later by ¾, 1, 1½ or 2 of the node's window.
//!
//! A candidate is kept only if running it shows the mutant failing it; it
//! expects what the route does now. Each kept case is checked against the
//! later survivors too, so one case may kill several. Work is bounded by the
//! mutator's [`budget`], the requests the analysis may
//! replay ([`MAX_REPLAYED`], then the rest is left as it is) and the path
//! search's own bounds.

use super::engine::{Kind, Prepared, Runner, Target};
use super::generate::{GenCase, Generated, search};
use super::mutate::{budget, mutants};
use super::mutation::{MAX_REPLAYED, compile, cost, equivalent, kills};
use super::run::replay;
use super::unfillable::dead_fallbacks;
use crate::syntax::ast::Cond;

/// Adds to `g` a case for each mutant its cases do not kill, when one is found.
pub fn sharpen(t: &Target, g: &mut Generated) {
    let (list, _) = mutants(t.route(), budget(t.route()));
    let mut runner = Runner::new();
    let dead = dead_fallbacks(t);
    let mut left = MAX_REPLAYED;
    for m in &list {
        let Ok(mt) = compile(t, m) else { continue };
        if equivalent(m) {
            continue;
        }
        let bound = g.bound(t);
        let all = bound.iter().fold(0u64, |n, c| n.saturating_add(cost(c)));
        if all > left {
            break;
        }
        left -= all;
        if bound.iter().any(|c| kills(t, &mt, c, &mut runner)) {
            continue;
        }
        let Some(node) = t.find(&m.node) else {
            continue;
        };
        let tells = format!("`{}`: {}", m.node, m.edit);
        let found = match &m.cond {
            Some((old, new)) => by_condition(t, &mt, node, old, new, &dead, &mut runner),
            None => by_variant(t, &mt, node, g, &mut runner),
        };
        if let Some(mut case) = found {
            case.tells = Some(tells);
            g.cases.push(case);
        }
    }
}

/// A case reaching conditional `node` on which `old` and `new` differ, that
/// the mutant `mt` fails.
fn by_condition(
    t: &Target,
    mt: &Target,
    node: usize,
    old: &Cond,
    new: &Cond,
    dead: &[Option<String>],
    runner: &mut Runner,
) -> Option<GenCase> {
    let not = |c: &Cond| Cond::Not(Box::new(c.clone()));
    let differs = [
        (0, Cond::All(vec![old.clone(), not(new)])),
        (1, Cond::All(vec![not(old), new.clone()])),
    ];
    for (out, sharp) in &differs {
        if let Ok(case) = search(t, (node, *out), dead, runner, Some(sharp)) {
            if kills(t, mt, &bound_one(t, &case), runner) {
                return Some(case);
            }
        }
    }
    None
}

/// A variant of a case through `node` that the mutant `mt` fails.
fn by_variant(
    t: &Target,
    mt: &Target,
    node: usize,
    g: &Generated,
    runner: &mut Runner,
) -> Option<GenCase> {
    let window = t.limit(node).map(|(_, w, _)| w);
    for c in g.cases.iter().filter(|c| c.outcome.path.contains(&node)) {
        let mut variants: Vec<(Vec<(Prepared, u64)>, Prepared)> = Vec::new();
        for j in 0..c.before.len() {
            let mut before = c.before.clone();
            if before[j].1 > 1 {
                before[j].1 -= 1;
            } else {
                before.remove(j);
            }
            variants.push((before, c.req.clone()));
            if c.before[j].0.cost > 1.0 {
                let mut before = c.before.clone();
                before[j].0.cost -= 1.0;
                variants.push((before, c.req.clone()));
            }
        }
        if let (Some(w), true) = (window, matches!(t.kind(node), Kind::Rate | Kind::Budget)) {
            for k in [0.75, 1.0, 1.5, 2.0] {
                let mut req = c.req.clone();
                req.at += w * k;
                variants.push((c.before.clone(), req));
            }
        }
        for (before, req) in variants {
            let outcome = replay(t, &before, &req, runner, false);
            let case = GenCase {
                edge: c.edge,
                before,
                req,
                outcome,
                tells: None,
            };
            if kills(t, mt, &bound_one(t, &case), runner) {
                return Some(case);
            }
        }
    }
    None
}

/// One generated case as a bound case expecting what the route does now.
fn bound_one(t: &Target, case: &GenCase) -> super::bind::Bound {
    let g = Generated {
        cases: vec![case.clone()],
        missed: Vec::new(),
    };
    g.bound(t).remove(0)
}
