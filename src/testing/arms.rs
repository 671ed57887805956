//! Sticky values and request ids that send a generated request down the split
//! arms its path takes.
//!
//! Values are searched in a fixed order, so the same route gives the same
//! suite: for a sticky key the conditions constrain, the values they allow
//! (walked from the solver's allowed set, [`crate::solve::values`]); `uN` for
//! one nothing constrains; request ids `rN` for splits without a sticky value.
//! Calling [`pick_split_values`] again continues where the last call stopped,
//! which gives further requests following the same arms.

use super::engine::{Kind, Prepared, Target};
use super::generate::{MAX_SEARCH, MAX_VALUES, PathFailure};
use crate::solve::{Constraint, Solution, field_eq, solve};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{Cond, Literal};

/// One step of a path: node and output taken.
type Hop = (usize, usize);

/// Sets sticky values (or the request id) so every split on the path picks the
/// arm the path takes. `budget` counts candidate values across the edge's paths.
pub(super) fn pick_split_values(
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
        // Only values whose buckets fall in every arm of the splits sticky on
        // this key are worth trying with the rest.
        let fitting: Vec<Literal> = allowed
            .iter()
            .filter(|v| {
                splits
                    .iter()
                    .filter(|&&(s, _)| t.sticky(s) == Some(k))
                    .all(|&(s, arm)| t.split_arm(s, Some(v), None) == Some(arm))
            })
            .cloned()
            .collect();
        if fitting.is_empty() && !may_be_missing(cs, k) && only_these(cs, k, &allowed) {
            return Err(PathFailure {
                dead: true,
                reason: format!(
                    "the conditions on the way allow metadata.{k} only {}, and the bucket of none of these falls in every split arm on the path",
                    shown(&allowed)
                ),
            });
        }
        searched.push((k, fitting));
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
    // A searched key the conditions let be missing: without it, its splits
    // hash the request id instead.
    let may_miss: Vec<Cond> = searched
        .iter()
        .filter(|(k, _)| may_be_missing(cs, k))
        .map(|(k, _)| absent(k))
        .collect();
    if !may_miss.is_empty() {
        let mut all = cs.to_vec();
        all.extend(may_miss.iter().map(|c| Constraint::new(c, true)));
        if let Solution::Sat(m) = solve(&all) {
            let mut r = req.clone();
            r.metadata = m.entries.clone();
            if pick_split_values(t, path, cs, &mut r, budget).is_ok() {
                *req = r;
                return Ok(());
            }
        }
    }
    Err(PathFailure {
        dead: false,
        reason:
            "no sticky value or request id found whose buckets fall in every split arm on the path"
                .into(),
    })
}

/// Whether every constraint can hold with `metadata.key` missing.
fn may_be_missing(cs: &[Constraint<'_>], key: &str) -> bool {
    let c = absent(key);
    let mut all = cs.to_vec();
    all.push(Constraint::new(&c, true));
    matches!(solve(&all), Solution::Sat(_))
}

/// Values as conditions write them: `"v0", 0, true`.
fn shown(values: &[Literal]) -> String {
    let shown: Vec<String> = values
        .iter()
        .map(|v| {
            let mut s = String::new();
            crate::syntax::cond::write_literal(v, &mut s);
            s
        })
        .collect();
    shown.join(", ")
}

/// `!exists metadata.key`.
fn absent(key: &str) -> Cond {
    Cond::Exists {
        field: Spanned::new(format!("metadata.{key}"), Span::default()),
        present: false,
    }
}

/// Whether the solver proves `metadata.key` holds one of `values` (present)
/// whenever every constraint holds.
fn only_these(cs: &[Constraint<'_>], key: &str, values: &[Literal]) -> bool {
    if values.len() >= MAX_VALUES {
        return false;
    }
    let present = absent(key);
    let others: Vec<Cond> = values.iter().map(|v| field_eq(key, v)).collect();
    let mut all = cs.to_vec();
    all.push(Constraint::new(&present, false));
    all.extend(others.iter().map(|c| Constraint::new(c, false)));
    matches!(solve(&all), Solution::Unsat(_))
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
