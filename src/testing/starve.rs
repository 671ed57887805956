//! Limits that can never be found exhausted because every way to them passes
//! rate limits that let too few requests through.
//!
//! To find limit `L` exhausted, a request must reach `L` after enough others
//! (with the same key value) were admitted there within one of `L`'s windows:
//! `ceil(limit)` for a rate limit, one for a budget (a single request may
//! carry the whole budget). All of them, the request itself included, reach
//! `L` within an interval `L`'s window long. A rate limit `R` passed on the
//! way, keyed on the same field, admits at most `ceil(limit_R)` of them per
//! window of its own; so within that interval at most
//! - `ceil(limit_R) × ceil(W_L / W_R)` for a sliding `R` (each piece of the
//!   interval no longer than `W_R` holds at most `limit_R` admissions), and
//! - `ceil(limit_R) × (ceil(W_L / W_R) + 1)` for a fixed `R` (the interval
//!   meets at most that many of its windows).
//!
//! Call an edge leaving such an `R` by `success` capped. Every request that
//! reaches `L` without crossing a capped edge is unbounded; otherwise it
//! crossed a first capped edge and a last one, so the capped edges start
//! reaches without crossing another (and that lead to `L`) form a cut, and so
//! do those from which `L` is reached without crossing another: the smaller
//! sum of caps bounds how many reach `L` in the interval. Both cuts come from
//! linear passes in program order (which is topological). When the bound is
//! below what finding `L` exhausted needs, its `fallback` is dead, and the
//! reason names the limits of the cut.
//!
//! The bound is sound, never tight: an edge it does not prove dead may still
//! be, and the generator then says it found no request, never that none exists.

use super::engine::{Kind, Target};

/// Per node: for a limit whose `fallback` no request can take because the rate
/// limits before it starve it, why; `None` otherwise.
pub fn starved(t: &Target) -> Vec<Option<String>> {
    (0..t.len())
        .map(|l| match t.kind(l) {
            Kind::Rate | Kind::Budget => starved_at(t, l),
            _ => None,
        })
        .collect()
}

/// Why limit `l` can never be found exhausted, if the bound shows it.
fn starved_at(t: &Target, l: usize) -> Option<String> {
    let (limit, window, key) = t.limit(l)?;
    let key = key?;
    let needed = match t.kind(l) {
        Kind::Rate => limit.ceil() + 1.0,
        _ => 2.0,
    };
    let cap = |u: usize, o: usize| {
        if o == 0 {
            admitted(t, u, key, window)
        } else {
            None
        }
    };
    let edges = |u: usize| {
        t.outputs(u)
            .iter()
            .enumerate()
            .map(move |(o, &(_, to))| (o, to))
    };
    // Nodes start reaches, and those it reaches without a capped edge.
    let mut reached = vec![false; l + 1];
    let mut free = vec![false; l + 1];
    *reached.first_mut()? = true;
    *free.first_mut()? = true;
    for u in 0..l {
        for (o, to) in edges(u) {
            if to <= l && to > u {
                reached[to] |= reached[u];
                free[to] |= free[u] && cap(u, o).is_none();
            }
        }
    }
    if free[l] || !reached[l] {
        return None;
    }
    // Nodes that reach `l`, and those that reach it without a capped edge.
    let mut leads = vec![false; l + 1];
    let mut leads_free = vec![false; l + 1];
    leads[l] = true;
    leads_free[l] = true;
    for u in (0..l).rev() {
        for (o, to) in edges(u) {
            if to <= l && to > u {
                leads[u] |= leads[to];
                leads_free[u] |= leads_free[to] && cap(u, o).is_none();
            }
        }
    }
    // Every request that reaches `l` crosses a first and a last capped edge:
    // either set is a cut, and each of its edges admits at most its cap.
    let (mut first, mut last) = (Vec::new(), Vec::new());
    for u in 0..l {
        for (o, to) in edges(u) {
            let Some(c) = cap(u, o) else { continue };
            if to > l || to <= u || !reached[u] || !leads[to] {
                continue;
            }
            if free[u] {
                first.push((u, c));
            }
            if leads_free[to] {
                last.push((u, c));
            }
        }
    }
    let total = |cut: &[(usize, f64)]| cut.iter().map(|&(_, c)| c).sum::<f64>();
    let cut = if total(&first) <= total(&last) {
        first
    } else {
        last
    };
    let most = total(&cut);
    if most >= needed {
        return None;
    }
    let by: Vec<String> = cut
        .iter()
        .map(|&(r, _)| {
            let (lim, win, _) = t.limit(r).unwrap_or((0.0, 0.0, None));
            let mode = if t.sliding(r) { ", sliding" } else { "" };
            format!("`{}` ({lim} per {win}s{mode})", t.id(r))
        })
        .collect();
    let what = match t.kind(l) {
        Kind::Rate => format!("{} to fill it and this one", limit.ceil()),
        _ => "one to spend it and this one".to_string(),
    };
    Some(format!(
        "`{}` takes fallback only when {needed} requests with one {key} reach it within {window}s ({what}), but every way to it passes rate limits that let at most {most} through in that time: {}",
        t.id(l),
        by.join(", ")
    ))
}

/// For a rate limit keyed on `key`: at most how many requests with one key
/// value it admits within an interval `window` seconds long.
fn admitted(t: &Target, r: usize, key: &str, window: f64) -> Option<f64> {
    if t.kind(r) != Kind::Rate {
        return None;
    }
    let (limit, w, k) = t.limit(r)?;
    if k != Some(key) || !(w > 0.0) {
        return None;
    }
    let pieces = (window / w).ceil() + if t.sliding(r) { 0.0 } else { 1.0 };
    Some(limit.ceil() * pieces)
}
