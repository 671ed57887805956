//! Limits whose `fallback` no request can take, and why: a budget that no
//! served request ever passes (only a served request settles cost), or a limit
//! the rate limits before it starve ([`super::starve`]).
//!
//! A budget fills when a request passes its `success` and is served: by a
//! model answered before it, or one after, on outputs some request can take
//! (not a conditional's output whose condition alone contradicts itself). Whether such a request exists
//! depends on which fallbacks of other budgets can be taken, which depends on
//! whether those fill: the least fixed point, from no budget fillable, adding
//! each that becomes so, is what some order of filling requests achieves
//! (timing aside, so it over-approximates and a budget left out is dead).
//!
//! When every budget counts under one key field and splits are sticky on that
//! field, every request that fills them carries the case's value of it, and so
//! takes one fixed arm at each of those splits. A budget is then dead when it
//! fills under no choice of arms, each choice tried in turn (while the choices
//! times the work of one pass stay under [`MAX_WORK`]; past it, all arms are
//! open, which is still sound).

use super::engine::{Kind, Target};
use crate::solve::{Constraint, Solution, solve};

/// Bound on choices of arms × budgets × edges examined.
const MAX_WORK: usize = 2_000_000;

/// Per node: why no request can take its `fallback`, for a limit proven so.
pub(super) fn dead_fallbacks(t: &Target) -> Vec<Option<String>> {
    let fillable = budgets_fillable(t);
    super::starve::starved(t)
        .into_iter()
        .enumerate()
        .map(|(n, starved)| match fillable.get(n) {
            Some(false) => Some(unfillable(t, n, !pinned_splits(t).is_empty())),
            _ => starved,
        })
        .collect()
}

/// The reason, when output `o` of `n` is a limit's `fallback` proven dead.
pub(super) fn dead_fallback<'d>(
    t: &Target,
    dead: &'d [Option<String>],
    n: usize,
    o: usize,
) -> Option<&'d str> {
    match t.kind(n) {
        Kind::Rate | Kind::Budget if o == 1 => dead.get(n)?.as_deref(),
        _ => None,
    }
}

/// Per node: `false` for a budget no served request can pass under any choice
/// of arms at the splits its fillers' key pins; `true` otherwise.
pub(super) fn budgets_fillable(t: &Target) -> Vec<bool> {
    let n = t.len();
    let pinned = pinned_splits(t);
    let choices = pinned
        .iter()
        .try_fold(1usize, |c, &(_, arms)| c.checked_mul(arms));
    let budgets = (0..n).filter(|&v| t.kind(v) == Kind::Budget).count();
    let edges: usize = (0..n).map(|v| t.outputs(v).len()).sum();
    let work = choices.and_then(|c| c.checked_mul((budgets + 1) * (edges + 1)));
    let (pinned, choices) = match work {
        Some(w) if w <= MAX_WORK => (pinned, choices.unwrap_or(1)),
        _ => (Vec::new(), 1),
    };
    // Outputs of conditionals that no metadata takes (the condition alone
    // contradicts itself, as `tier < 1 && tier > 1`).
    let never: Vec<(usize, usize)> = (0..n)
        .filter_map(|v| t.cond(v).map(|c| (v, c)))
        .flat_map(|(v, c)| {
            [0, 1].into_iter().filter_map(move |o| {
                let holds = [Constraint::new(c, o == 0)];
                matches!(solve(&holds), Solution::Unsat(_)).then_some((v, o))
            })
        })
        .collect();
    let mut any = vec![false; n];
    for choice in 0..choices {
        // Arm of pinned split j: digit j of `choice` in mixed radix.
        let mut arm = vec![None; n];
        let mut rest = choice;
        for &(v, arms) in &pinned {
            arm[v] = Some(rest % arms);
            rest /= arms;
        }
        let open = |v: usize, o: usize| arm[v].is_none_or(|a| a == o) && !never.contains(&(v, o));
        for (a, f) in any.iter_mut().zip(fillable_under(t, &open)) {
            *a |= f;
        }
        if (0..n).all(|v| any[v] || t.kind(v) != Kind::Budget) {
            break;
        }
    }
    (0..n)
        .map(|v| t.kind(v) != Kind::Budget || any[v])
        .collect()
}

/// Splits sticky on the one field every budget counts under, with their
/// number of arms; none when budgets count under different fields.
fn pinned_splits(t: &Target) -> Vec<(usize, usize)> {
    let mut field: Option<&str> = None;
    for v in (0..t.len()).filter(|&v| t.kind(v) == Kind::Budget) {
        match (t.limit(v).and_then(|(_, _, k)| k), field) {
            (Some(k), None) => field = Some(k),
            (Some(k), Some(f)) if k == f => {}
            _ => return Vec::new(),
        }
    }
    let Some(field) = field.map(|f| f.strip_prefix("metadata.").unwrap_or(f)) else {
        return Vec::new();
    };
    (0..t.len())
        .filter(|&v| t.kind(v) == Kind::Split && t.sticky(v) == Some(field))
        .map(|v| (v, t.outputs(v).len().max(1)))
        .collect()
}

/// The least fixed point of "a request passing it can be served", with only
/// the edges `open` allows.
fn fillable_under(t: &Target, open: &dyn Fn(usize, usize) -> bool) -> Vec<bool> {
    let n = t.len();
    let mut fillable: Vec<bool> = (0..n).map(|v| t.kind(v) != Kind::Budget).collect();
    loop {
        let usable = |v: usize, o: usize, to: usize| {
            to < n && to > v && open(v, o) && !(t.kind(v) == Kind::Budget && o == 1 && !fillable[v])
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
                    || reach[b] && open(b, 0) && (before[b] || success < n && after[success])
            })
            .collect();
        if next == fillable {
            return fillable;
        }
        fillable = next;
    }
}

/// Why budget `b`'s fallback is dead; `pinned` when the splits sticky on its
/// key were held to one arm each.
fn unfillable(t: &Target, b: usize, pinned: bool) -> String {
    let key = t.limit(b).and_then(|(_, _, k)| k).unwrap_or("its key");
    let arms = if pinned {
        format!(" for any one value of {key}, which fixes the arm of every split sticky on it")
    } else {
        String::new()
    };
    format!(
        "it needs `{}` to take fallback, but no request that passes it is ever served (no model answers before it or after its success{arms}), so no cost is ever settled against it",
        t.id(b)
    )
}
