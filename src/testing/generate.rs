//! `aig-route test --generate`: a request for every edge a request can take.
//!
//! For each edge not yet covered, in route order, a depth-first search walks
//! paths from start to the edge's node (only through nodes that can reach it)
//! and builds a request for the first path that works:
//! - metadata from the [`crate::solve`] solver, satisfying every condition on
//!   the path as taken (a path whose conditions contradict is cut where they do);
//! - a sticky value (or request id) whose bucket falls in each split arm taken,
//!   searched in a fixed order: values the conditions allow, walked from the
//!   solver's allowed set ([`crate::solve::values`]), `uN` for a key nothing
//!   constrains, request ids `rN`;
//! - failing models for every model fallback taken;
//! - `before` requests that exhaust each limit whose fallback is taken: `limit`
//!   requests for a rate limit, one request costing `limit` for a budget; all at
//!   once, or else paced so the limits passed first do not run out first
//!   (see [`super::exhaust`]); with other values of the key and sticky fields
//!   when the first sends them where nothing serves them; or requests that
//!   reach the limit another way, from a search of their own with the case's
//!   key value pinned ([`detour`]).
//!
//! Every candidate is run through the evaluator and kept only if it takes the
//! edge; its expectations are what the route does now. Each generated case's
//! edges count as covered, so later edges reuse earlier work.
//!
//! Work is bounded: [`MAX_PATHS`] paths and [`MAX_STEPS`] search steps per edge,
//! [`MAX_SEARCH`] sticky values per path. An edge whose every path contradicts
//! itself, or needs a limit's fallback proven dead ([`super::unfillable`]), is
//! dead, with the reason; one left over when a bound was hit is reported as
//! such, never as dead.

use super::arms::pick_split_values;
use super::detour::detour;
use super::engine::{Kind, Prepared, Runner, Target};
use super::exhaust;
pub use super::generated::{GenCase, Generated, Missed, case_name};
use super::run::{Coverage, replay};
use super::unfillable::{dead_fallback, dead_fallbacks};
use crate::solve::{Constraint, Solution, solve};
use crate::syntax::ast::Cond;

/// Complete paths tried per edge.
pub const MAX_PATHS: usize = 64;
/// Search steps (paths extended by one edge) per edge.
pub const MAX_STEPS: usize = 20_000;
/// Sticky value and request id combinations tried per edge.
pub const MAX_SEARCH: usize = 20_000;
/// Values of a limit's key tried per path when the first does not fill it.
const KEY_VARIANTS: usize = 8;
/// Further requests following the path's split arms tried per path with limits.
const MORE_ARM_VALUES: usize = 24;
/// Requests per path tried with paced plans.
const PACED_VARIANTS: usize = 3;
/// Values of one sticky key tried per path.
pub const MAX_VALUES: usize = 4_096;

/// Finds a request for every edge of `t` that one can take.
pub fn generate(t: &Target) -> Generated {
    let mut out = Generated::default();
    let mut cov = Coverage::new(t);
    let mut runner = Runner::new();
    let reach = t.reachable();
    let dead = dead_fallbacks(t);
    for n in 0..t.len() {
        if !reach[n] {
            continue;
        }
        for o in 0..t.outputs(n).len() {
            if cov.is_covered(n, o) {
                continue;
            }
            match search(t, (n, o), &dead, &mut runner, None) {
                Ok(case) => {
                    cov.record(&case.outcome);
                    out.cases.push(case);
                }
                Err((dead, reason)) => out.missed.push(Missed {
                    node: n,
                    output: o,
                    dead,
                    reason,
                }),
            }
        }
    }
    // An edge missed when its turn came may be taken by a later case.
    out.missed.retain(|m| !cov.is_covered(m.node, m.output));
    out
}

/// [`generate`], then a case for each mutant those cases do not kill
/// ([`super::sharpen`]): what `aig-route test --generate` writes.
pub fn generate_sharp(t: &Target) -> Generated {
    let mut g = generate(t);
    super::sharpen::sharpen(t, &mut g);
    g
}

/// One step of a path: node and output taken.
pub(super) type Hop = (usize, usize);

/// The search for one edge; with `sharp`, the goal (a conditional) must come
/// out as the edge says under `sharp` instead of its own condition (see
/// [`super::sharpen`]).
pub(super) fn search(
    t: &Target,
    edge: (usize, usize),
    dead: &[Option<String>],
    runner: &mut Runner,
    sharp: Option<&Cond>,
) -> Result<GenCase, (bool, String)> {
    let how = How {
        sharp,
        pin: None,
        dead,
        detours: true,
        via: None,
        served: false,
    };
    search_with(t, edge, runner, &how)
}

/// What a search must also satisfy, and may do.
pub(super) struct How<'a> {
    /// The goal conditional must come out as the edge says under this
    /// condition instead of its own.
    pub(super) sharp: Option<&'a Cond>,
    /// A condition the request's metadata must satisfy: a limit key's value,
    /// for a request that fills a limit another case must find full.
    pub(super) pin: Option<&'a Cond>,
    /// Per node, why a limit's `fallback` is dead ([`dead_fallbacks`]).
    pub(super) dead: &'a [Option<String>],
    /// Whether a limit may be filled by requests taking another way to it
    /// ([`detour`]); not within such a search, so the work stays bounded.
    pub(super) detours: bool,
    /// An edge the path must take before the goal.
    pub(super) via: Option<Hop>,
    /// Whether the request must be served (to settle cost at a budget).
    pub(super) served: bool,
}

pub(super) fn search_with(
    t: &Target,
    edge: (usize, usize),
    runner: &mut Runner,
    how: &How<'_>,
) -> Result<GenCase, (bool, String)> {
    let (dead, sharp) = (how.dead, how.sharp);
    let (goal, goal_out) = edge;
    if let Some(why) = dead_fallback(t, dead, goal, goal_out) {
        return Err((true, why.to_string()));
    }
    // Which nodes can reach the goal (program order is topological).
    let mut leads = vec![false; t.len()];
    leads[goal] = true;
    for v in (0..goal).rev() {
        leads[v] = t
            .outputs(v)
            .iter()
            .any(|&(_, to)| to < t.len() && leads[to]);
    }
    let mut stack: Vec<Vec<Hop>> = vec![Vec::new()];
    let (mut steps, mut paths) = (0usize, 0usize);
    let mut budget = MAX_SEARCH;
    let mut contradiction: Option<String> = None;
    let mut failure: Option<String> = None;
    while let Some(path) = stack.pop() {
        let at = path.last().map_or(0, |&(v, o)| t.outputs(v)[o].1);
        let choices: Vec<usize> = if at == goal {
            vec![goal_out]
        } else {
            (0..t.outputs(at).len())
                .rev()
                .filter(|&o| leads.get(t.outputs(at)[o].1).copied().unwrap_or(false))
                .collect()
        };
        for o in choices {
            steps += 1;
            if steps > MAX_STEPS {
                return Err((
                    false,
                    bound_words(contradiction, failure, "search steps", MAX_STEPS),
                ));
            }
            if let Some(why) = dead_fallback(t, dead, at, o) {
                contradiction.get_or_insert_with(|| why.to_string());
                continue;
            }
            let mut next = path.clone();
            next.push((at, o));
            if t.kind(at) == Kind::Cond {
                if let Solution::Unsat(c) = conditions(t, &next, sharp, how.pin).1 {
                    contradiction.get_or_insert_with(|| {
                        let hops = cond_hops(t, &next);
                        let mut nodes: Vec<String> = c
                            .constraints
                            .iter()
                            .filter_map(|&i| hops.get(i))
                            .map(|&(v, o)| format!("`{}` {}", t.id(v), t.outputs(v)[o].0))
                            .collect();
                        if c.constraints.iter().any(|&i| i >= hops.len()) {
                            nodes.push("the limit's key value".into());
                        }
                        format!("{} contradict: {}", nodes.join(" and "), c.detail)
                    });
                    continue;
                }
            }
            if at != goal {
                stack.push(next);
                continue;
            }
            if how.via.is_some_and(|h| !next.contains(&h)) {
                continue;
            }
            paths += 1;
            match build(t, &next, edge, runner, &mut budget, how) {
                Ok(case) => return Ok(case),
                Err(PathFailure { dead: true, reason }) => {
                    contradiction.get_or_insert(reason);
                }
                Err(PathFailure { reason, .. }) => {
                    failure.get_or_insert(reason);
                }
            }
            if paths >= MAX_PATHS {
                return Err((
                    false,
                    bound_words(contradiction, failure, "paths", MAX_PATHS),
                ));
            }
        }
    }
    match (failure, contradiction) {
        (Some(f), _) => Err((false, f)),
        (None, Some(c)) => Err((true, c)),
        (None, None) => Err((true, "no path from start reaches it".into())),
    }
}

fn bound_words(
    contradiction: Option<String>,
    failure: Option<String>,
    what: &str,
    n: usize,
) -> String {
    let mut s = format!("search bound hit ({n} {what}) before a request was found");
    if let Some(f) = failure.or(contradiction) {
        s.push_str(&format!("; first obstacle: {f}"));
    }
    s
}

/// The conditional hops of a path.
fn cond_hops(t: &Target, path: &[Hop]) -> Vec<Hop> {
    path.iter()
        .copied()
        .filter(|&(v, _)| t.kind(v) == Kind::Cond)
        .collect()
}

/// The path's conditions as taken, and the solver's answer. With `sharp`, the
/// path's last conditional (the goal) must make `sharp` hold instead; `pin`,
/// after them, must hold too.
fn conditions<'t>(
    t: &'t Target,
    path: &[Hop],
    sharp: Option<&'t Cond>,
    pin: Option<&'t Cond>,
) -> (Vec<Constraint<'t>>, Solution) {
    let hops = cond_hops(t, path);
    let last = hops.len().wrapping_sub(1);
    let cs: Vec<Constraint<'_>> = hops
        .into_iter()
        .enumerate()
        .filter_map(|(i, (v, o))| match sharp {
            Some(c) if i == last && path.last() == Some(&(v, o)) => Some(Constraint::new(c, true)),
            _ => t.cond(v).map(|c| Constraint::new(c, o == 0)),
        })
        .chain(pin.map(|c| Constraint::new(c, true)))
        .collect();
    let s = solve(&cs);
    (cs, s)
}

/// A request (with `before` requests) that follows `path`, checked by running it.
fn build(
    t: &Target,
    path: &[Hop],
    edge: (usize, usize),
    runner: &mut Runner,
    budget: &mut usize,
    how: &How<'_>,
) -> Result<GenCase, PathFailure> {
    let fail = |reason: &str| PathFailure {
        dead: false,
        reason: reason.to_string(),
    };
    let (cs, sol) = conditions(t, path, how.sharp, how.pin);
    let model = match sol {
        Solution::Sat(m) => m,
        _ => {
            return Err(fail(
                "the conditions on the path need more search than the solver's bound",
            ));
        }
    };
    let mut req = Prepared {
        metadata: model.entries.clone(),
        fail: path
            .iter()
            .filter(|&&(v, o)| t.kind(v) == Kind::Model && o == 1)
            .map(|&(v, _)| v)
            .collect(),
        ..Prepared::default()
    };
    let base = req.clone();
    pick_split_values(t, path, &cs, &mut req, budget)?;
    if req.metadata.len() > crate::eval::MAX_METADATA_ENTRIES {
        return Err(fail(&format!(
            "the path needs {} metadata entries; the gateway forwards {}",
            req.metadata.len(),
            crate::eval::MAX_METADATA_ENTRIES
        )));
    }
    let exhausted: Vec<usize> = path
        .iter()
        .enumerate()
        .filter(|&(_, &(v, o))| matches!(t.kind(v), Kind::Rate | Kind::Budget) && o == 1)
        .map(|(i, _)| i)
        .collect();
    // A filling request shares the case's key value, and with it the arm of
    // every split sticky on that key, which may leave it unserved (a budget's
    // cost then never settles). So further requests are tried: others that
    // follow the path's split arms, then other values of the limits' keys the
    // conditions allow.
    let mut variants = vec![req.clone()];
    if !exhausted.is_empty() {
        for _ in 0..MORE_ARM_VALUES {
            let mut r = base.clone();
            if pick_split_values(t, path, &cs, &mut r, budget).is_err() {
                break;
            }
            if !variants.contains(&r) {
                variants.push(r);
            }
        }
    }
    let mut keys: Vec<&str> = exhausted
        .iter()
        .filter_map(|&i| t.limit(path[i].0).and_then(|(_, _, k)| k))
        .map(|k| k.strip_prefix("metadata.").unwrap_or(k))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    for k in keys {
        for v in crate::solve::values(&cs, k, KEY_VARIANTS) {
            let mut r = req.clone();
            r.metadata.retain(|(mk, _)| mk != k);
            r.metadata.push((k.to_string(), v));
            if !variants.contains(&r) {
                variants.push(r);
            }
        }
    }
    // Requests whose budget fillers are served first: the paced plans, tried
    // for the first few only, are spent on those.
    variants
        .sort_by_cached_key(|r| !exhaust::budget_fillers_served(t, path, &exhausted, r, runner));
    let starts = exhaust::starts(t, path, &exhausted);
    let mut tried = Vec::new();
    for (k, req) in variants.iter().enumerate() {
        // All at once for every variant; paced (from each start) for the first
        // few, as a paced plan costs up to `exhaust::MAX_TRIALS` runs.
        let paced = if exhausted.is_empty() || k >= PACED_VARIANTS {
            &[][..]
        } else {
            &starts[..]
        };
        for start in std::iter::once(None).chain(paced.iter().map(Some)) {
            let plan = match start {
                Some(&s) => exhaust::paced(t, path, &exhausted, req, edge, runner, s),
                None => exhaust::at_once(t, path, &exhausted, req),
            };
            let Some((before, at)) = plan else {
                continue;
            };
            let key = (before.clone(), at, req.clone());
            if tried.contains(&key) {
                continue;
            }
            if let Some(case) = takes(t, before, req, at, edge, runner) {
                if !how.served || case.outcome.served.is_some() {
                    return Ok(case);
                }
            }
            tried.push(key);
        }
    }
    if how.detours && !exhausted.is_empty() {
        if let Some(case) = detour(t, path, edge, &exhausted, &variants[0], runner, how) {
            return Ok(case);
        }
    }
    Err(fail(if exhausted.is_empty() {
        "the request built for the path took another way"
    } else {
        "no `before` sequence tried exhausts the limits on the path without exhausting earlier ones"
    }))
}

/// The case `req` at `at` after `before`, if replaying it takes `edge`.
pub(super) fn takes(
    t: &Target,
    before: Vec<(Prepared, u64)>,
    req: &Prepared,
    at: f64,
    edge: (usize, usize),
    runner: &mut Runner,
) -> Option<GenCase> {
    let mut case_req = req.clone();
    case_req.at = at;
    let outcome = replay(t, &before, &case_req, runner, false);
    outcome.edges.contains(&edge).then_some(GenCase {
        edge,
        before,
        req: case_req,
        outcome,
        tells: None,
    })
}

/// Why a path gave no request: `dead` when no request can follow it.
pub(super) struct PathFailure {
    pub(super) dead: bool,
    pub(super) reason: String,
}
