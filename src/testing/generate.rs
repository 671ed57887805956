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
//!   (see [`super::exhaust`]).
//!
//! Every candidate is run through the evaluator and kept only if it takes the
//! edge; its expectations are what the route does now. Each generated case's
//! edges count as covered, so later edges reuse earlier work.
//!
//! Work is bounded: [`MAX_PATHS`] paths and [`MAX_STEPS`] search steps per edge,
//! [`MAX_SEARCH`] sticky values per path. An edge whose every path contradicts
//! itself is dead, with the contradiction as the reason; one left over when a
//! bound was hit is reported as such, never as dead.

use super::bind::Bound;
use super::engine::{Kind, Outcome, Prepared, Runner, Target};
use super::exhaust;
use super::run::{Coverage, replay};
use crate::solve::{Constraint, Solution, field_eq, solve};
use crate::source::Span;
use crate::syntax::ast::{Cond, Literal};

/// Complete paths tried per edge.
pub const MAX_PATHS: usize = 64;
/// Search steps (paths extended by one edge) per edge.
pub const MAX_STEPS: usize = 20_000;
/// Sticky value and request id combinations tried per edge.
pub const MAX_SEARCH: usize = 20_000;
/// Values of a limit's key tried per path when the first does not fill it.
const KEY_VARIANTS: usize = 8;
/// Values of one sticky key tried per path.
pub const MAX_VALUES: usize = 4_096;

/// One generated case.
#[derive(Clone, Debug)]
pub struct GenCase {
    /// The edge it was made for: `(node, output)`.
    pub edge: (usize, usize),
    /// Requests replayed first.
    pub before: Vec<(Prepared, u64)>,
    /// The request.
    pub req: Prepared,
    /// What the route does with it now.
    pub outcome: Outcome,
    /// For a case added to tell a mutant apart: the node and edit, in words.
    pub tells: Option<String>,
}

impl GenCase {
    /// The case's name: the edge it takes (`plan takes true`), or the mutant it
    /// tells apart.
    pub fn name(&self, t: &Target) -> String {
        match &self.tells {
            Some(edit) => format!("catches {edit}"),
            None => case_name(t, self.edge),
        }
    }
}

/// An edge no generated case takes, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missed {
    /// The node.
    pub node: usize,
    /// The output index.
    pub output: usize,
    /// `true`: no request can take it (the reason is a contradiction); `false`:
    /// none was found within the bounds or strategies (the reason says which).
    pub dead: bool,
    /// Why, in words.
    pub reason: String,
}

/// What [`generate`] found.
#[derive(Clone, Debug, Default)]
pub struct Generated {
    /// Cases, in route order of the edges they were made for.
    pub cases: Vec<GenCase>,
    /// Edges no case takes.
    pub missed: Vec<Missed>,
}

impl Generated {
    /// The cases as bound test cases (names from their edges), for running.
    pub fn bound(&self, t: &Target) -> Vec<Bound> {
        self.cases
            .iter()
            .map(|c| Bound {
                name: c.name(t),
                span: Span::default(),
                before: c.before.clone(),
                req: c.req.clone(),
                expect: super::Expectation {
                    model: Some(c.outcome.served),
                    path: Some(c.outcome.path.clone()),
                    via: Vec::new(),
                    not_via: Vec::new(),
                },
            })
            .collect()
    }
}

/// A case's name from the edge it was made for: `plan takes true`.
pub fn case_name(t: &Target, (n, o): (usize, usize)) -> String {
    let out = t.outputs(n).get(o).map_or("?", |(name, _)| name.as_str());
    format!("{} takes {out}", t.id(n))
}

/// Finds a request for every edge of `t` that one can take.
pub fn generate(t: &Target) -> Generated {
    let mut out = Generated::default();
    let mut cov = Coverage::new(t);
    let mut runner = Runner::new();
    let reach = t.reachable();
    let fillable = budgets_fillable(t);
    for n in 0..t.len() {
        if !reach[n] {
            continue;
        }
        for o in 0..t.outputs(n).len() {
            if cov.is_covered(n, o) {
                continue;
            }
            match search(t, (n, o), &fillable, &mut runner, None) {
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
type Hop = (usize, usize);

/// The search for one edge; with `sharp`, the goal (a conditional) must come
/// out as the edge says under `sharp` instead of its own condition (see
/// [`super::sharpen`]).
pub(super) fn search(
    t: &Target,
    edge: (usize, usize),
    fillable: &[bool],
    runner: &mut Runner,
    sharp: Option<&Cond>,
) -> Result<GenCase, (bool, String)> {
    let (goal, goal_out) = edge;
    if t.kind(goal) == Kind::Budget && goal_out == 1 && !fillable[goal] {
        return Err((true, unfillable(t, goal)));
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
            if t.kind(at) == Kind::Budget && o == 1 && !fillable[at] {
                contradiction.get_or_insert_with(|| unfillable(t, at));
                continue;
            }
            let mut next = path.clone();
            next.push((at, o));
            if t.kind(at) == Kind::Cond {
                if let Solution::Unsat(c) = conditions(t, &next, sharp).1 {
                    contradiction.get_or_insert_with(|| {
                        let nodes: Vec<String> = c
                            .constraints
                            .iter()
                            .map(|&i| {
                                let (v, o) = cond_hops(t, &next)[i];
                                format!("`{}` {}", t.id(v), t.outputs(v)[o].0)
                            })
                            .collect();
                        format!("{} contradict: {}", nodes.join(" and "), c.detail)
                    });
                    continue;
                }
            }
            if at != goal {
                stack.push(next);
                continue;
            }
            paths += 1;
            match build(t, &next, edge, runner, &mut budget, sharp) {
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

/// Per node: for a budget, whether a request passing it can be served (only a
/// served request settles cost): a model answered before it, or one after its
/// `success`, on edges a request can use. A budget that can never fill has a
/// fallback no request takes, which may cut off other budgets' models in turn,
/// so this is repeated until nothing changes (at most once per budget).
/// `true` for other nodes.
pub(super) fn budgets_fillable(t: &Target) -> Vec<bool> {
    let n = t.len();
    let mut fillable = vec![true; n];
    loop {
        let usable = |v: usize, o: usize, to: usize| {
            to < n && to > v && !(t.kind(v) == Kind::Budget && o == 1 && !fillable[v])
        };
        let mut reach = vec![false; n];
        let mut before = vec![false; n];
        if let Some(r) = reach.first_mut() {
            *r = true;
        }
        for v in 0..n {
            if !reach[v] {
                continue;
            }
            // A model has answered on the way only if it was left by `success`.
            for (o, &(_, to)) in t.outputs(v).iter().enumerate() {
                if usable(v, o, to) {
                    reach[to] = true;
                    before[to] |= before[v] || (t.kind(v) == Kind::Model && o == 0);
                }
            }
        }
        let mut after = vec![false; n];
        for v in (0..n).rev() {
            after[v] = t.kind(v) == Kind::Model
                || t.outputs(v)
                    .iter()
                    .enumerate()
                    .any(|(o, &(_, to))| usable(v, o, to) && after[to]);
        }
        let next: Vec<bool> = (0..n)
            .map(|b| {
                let success = t.outputs(b).first().map_or(n, |&(_, to)| to);
                t.kind(b) != Kind::Budget
                    || reach[b] && (before[b] || success < n && after[success])
            })
            .collect();
        if next == fillable {
            return fillable;
        }
        fillable = next;
    }
}

/// Why budget `b`'s fallback is dead.
fn unfillable(t: &Target, b: usize) -> String {
    format!(
        "it needs `{}` to take fallback, but no request that passes it is ever served (no model before it or after its success), so no cost is ever settled against it",
        t.id(b)
    )
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
/// path's last conditional (the goal) must make `sharp` hold instead.
fn conditions<'t>(
    t: &'t Target,
    path: &[Hop],
    sharp: Option<&'t Cond>,
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
    sharp: Option<&Cond>,
) -> Result<GenCase, PathFailure> {
    let fail = |reason: &str| PathFailure {
        dead: false,
        reason: reason.to_string(),
    };
    let (cs, sol) = conditions(t, path, sharp);
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
    // The limits' key values: a filling request shares the case's key, and with
    // it the arm of every split sticky on that key, which may leave it unserved
    // (a budget's cost then never settles). So other values the conditions
    // allow are tried too.
    let mut variants = vec![req.clone()];
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
    let mut tried = Vec::new();
    for req in &variants {
        for paced in [false, true] {
            let plan = if paced {
                if exhausted.is_empty() {
                    break;
                }
                exhaust::paced(t, path, &exhausted, req, edge, runner)
            } else {
                exhaust::at_once(t, path, &exhausted, req)
            };
            let Some((before, at)) = plan else {
                continue;
            };
            let mut case_req = req.clone();
            case_req.at = at;
            if tried.contains(&(before.clone(), case_req.clone())) {
                continue;
            }
            let outcome = replay(t, &before, &case_req, runner, false);
            if outcome.edges.contains(&edge) {
                return Ok(GenCase {
                    edge,
                    before,
                    req: case_req,
                    outcome,
                    tells: None,
                });
            }
            tried.push((before, case_req));
        }
    }
    Err(fail(if exhausted.is_empty() {
        "the request built for the path took another way"
    } else {
        "no `before` sequence tried exhausts the limits on the path without exhausting earlier ones"
    }))
}

/// Why a path gave no request: `dead` when no request can follow it.
struct PathFailure {
    dead: bool,
    reason: String,
}

/// Sets sticky values (or the request id) so every split on the path picks the
/// arm the path takes. `budget` counts candidate values across the edge's paths.
fn pick_split_values(
    t: &Target,
    path: &[Hop],
    cs: &[Constraint<'_>],
    req: &mut Prepared,
    budget: &mut usize,
) -> Result<(), PathFailure> {
    let splits: Vec<Hop> = path
        .iter()
        .copied()
        .filter(|&(v, _)| t.kind(v) == Kind::Split)
        .collect();
    if splits.is_empty() {
        return Ok(());
    }
    let mut keys: Vec<&str> = splits.iter().filter_map(|&(v, _)| t.sticky(v)).collect();
    keys.sort_unstable();
    keys.dedup();
    // A sticky key the solver left missing stays missing (the request id is
    // hashed instead); one it had to set is searched among values the
    // conditions allow, walked from the key's allowed set.
    let mut searched: Vec<(&str, Vec<Literal>)> = Vec::new();
    for &k in &keys {
        let Some(current) = req
            .metadata
            .iter()
            .find(|(mk, _)| mk == k)
            .map(|(_, v)| v.clone())
        else {
            continue;
        };
        let allowed = crate::solve::values(cs, k, MAX_VALUES);
        let pinned = allowed.len() <= 1
            && matches!(solve_with_eq(cs, k, &current, false), Solution::Unsat(_));
        if pinned {
            let arms_ok = splits
                .iter()
                .filter(|&&(v, _)| t.sticky(v) == Some(k))
                .all(|&(v, arm)| t.split_arm(v, Some(&current), None) == Some(arm));
            if !arms_ok {
                let mut shown = String::new();
                crate::syntax::cond::write_literal(&current, &mut shown);
                return Err(PathFailure {
                    dead: true,
                    reason: format!(
                        "the conditions on the way pin metadata.{k} to {shown}, whose bucket falls in another arm"
                    ),
                });
            }
        }
        searched.push((k, allowed));
    }
    // Every combination, in a fixed order: the i-th try takes value i of each
    // searched key (cycling), `uI` for keys nothing constrains, and id `rI`.
    let free: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| !searched.iter().any(|(s, _)| s == k) && !is_constrained(cs, k))
        .collect();
    while *budget > 0 {
        let i = MAX_SEARCH - *budget;
        *budget -= 1;
        let mut r = req.clone();
        r.id = Some(format!("r{i}"));
        for (k, values) in &searched {
            if values.is_empty() {
                continue;
            }
            r.metadata.retain(|(mk, _)| mk != k);
            r.metadata
                .push(((*k).to_string(), values[i % values.len()].clone()));
        }
        for k in &free {
            r.metadata.retain(|(mk, _)| mk != k);
            r.metadata
                .push(((*k).to_string(), Literal::Str(format!("u{i}"))));
        }
        let sticky_of = |v: usize| {
            t.sticky(v)
                .and_then(|k| r.metadata.iter().find(|(mk, _)| mk == k).map(|(_, x)| x))
        };
        if splits
            .iter()
            .all(|&(v, arm)| t.split_arm(v, sticky_of(v), r.id.as_deref()) == Some(arm))
        {
            // Keep the id only when some split hashes it.
            if splits.iter().all(|&(v, _)| sticky_of(v).is_some()) {
                r.id = None;
            }
            *req = r;
            return Ok(());
        }
        // With every split hashing a searched value, the i-th try takes value
        // i of each: past the largest pool, the rest are repeats.
        let longest = searched.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
        if free.is_empty()
            && splits.iter().all(|&(v, _)| sticky_of(v).is_some())
            && i + 1 >= longest
        {
            break;
        }
    }
    Err(PathFailure {
        dead: false,
        reason:
            "no sticky value or request id found whose buckets fall in every split arm on the path"
                .into(),
    })
}

fn is_constrained(cs: &[Constraint<'_>], key: &str) -> bool {
    cs.iter().any(|c| {
        let mut hit = false;
        c.cond
            .for_each_field(&mut |f| hit |= f.value.strip_prefix("metadata.") == Some(key));
        hit
    })
}

/// Solves `cs` with `metadata.key == v` required to come out as `holds`.
fn solve_with_eq(cs: &[Constraint<'_>], key: &str, v: &Literal, holds: bool) -> Solution {
    let eq = field_eq(key, v);
    let mut all = cs.to_vec();
    all.push(Constraint::new(&eq, holds));
    solve(&all)
}
