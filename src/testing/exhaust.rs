//! `before` requests that run out the limits a generated case must find
//! exhausted, without running out the limits it must pass.
//!
//! Two plans, the plainer first:
//! - all at once, at time 0: `limit` requests for a rate limit, one costing
//!   `limit` for a budget, each limit in path order;
//! - paced: when the limits the path passes first would run out before the one
//!   it must find exhausted (same key, smaller limit), the evaluator itself
//!   decides. At each moment the next filling request is sent only if a trial
//!   run on a copy of the counters shows it passing the path's earlier limits
//!   and still admitted by its own; otherwise the clock moves on to the next
//!   quarter-window of a limit on the path, when earlier windows may have
//!   emptied. The case itself is tried after every request sent.
//!
//! Work is bounded by [`MAX_TRIALS`] trial runs per path; the requests found are
//! replayed from the start by the caller, so a plan is only kept if it works.

use super::engine::{Counters, Kind, Outcome, Prepared, Runner, Target};

/// Trial runs per path for the paced plan.
pub const MAX_TRIALS: usize = 20_000;

/// One step of a path: node and output taken.
type Hop = (usize, usize);

/// `before` requests and the time the case runs at.
pub type Plan = (Vec<(Prepared, u64)>, f64);

/// The request that fills the limit at `path[i]`: the case's metadata, the
/// same models failing before it (and none after, so it is served and its
/// cost settles), costing the whole budget for a budget.
fn filler(t: &Target, path: &[Hop], i: usize, req: &Prepared) -> Option<(Prepared, u64)> {
    let (v, _) = path[i];
    let (limit, _, _) = t.limit(v)?;
    let mut b = req.clone();
    b.fail
        .retain(|m| path[..i].iter().any(|&(p, o)| p == *m && o == 1));
    b.at = 0.0;
    let count = match t.kind(v) {
        Kind::Rate => {
            b.cost = 0.0;
            limit.ceil().max(1.0) as u64
        }
        _ => {
            b.cost = limit;
            1
        }
    };
    Some((b, count))
}

/// Whether the request filling each budget at `exhausted` from `req` is served
/// after passing it (so its cost settles there), run alone on fresh counters.
pub fn budget_fillers_served(
    t: &Target,
    path: &[Hop],
    exhausted: &[usize],
    req: &Prepared,
    runner: &mut Runner,
) -> bool {
    let mut out = Outcome::default();
    exhausted
        .iter()
        .filter(|&&i| t.kind(path[i].0) == Kind::Budget)
        .all(|&i| {
            let Some((b, _)) = filler(t, path, i, req) else {
                return false;
            };
            runner.fresh();
            runner.run(t, &b, &mut Counters::new(), false, &mut out);
            out.served.is_some() && out.edges.contains(&(path[i].0, 0))
        })
}

/// Every limit at `exhausted` (indices into `path`) filled at time 0.
pub fn at_once(t: &Target, path: &[Hop], exhausted: &[usize], req: &Prepared) -> Option<Plan> {
    let before = exhausted
        .iter()
        .map(|&i| filler(t, path, i, req))
        .collect::<Option<Vec<_>>>()?;
    // A test file may replay no more (it would not read back).
    let replayed = before.iter().fold(0u64, |n, (_, k)| n.saturating_add(*k));
    if replayed > super::file::MAX_REPLAYED {
        return None;
    }
    Some((before, 0.0))
}

/// Times to start the paced plan at: 0, just before the first two window
/// boundaries of each fixed-window limit the path passes before the last limit
/// it must find exhausted. Filling as early as possible can use up such a
/// limit's window (its requests or its dollars) that the case itself needs;
/// fillers sent just before a boundary leave the next window to the case,
/// while still inside the window of the limit they fill. Then the first
/// [`LATER_WINDOWS`] window boundaries of each limit to exhaust.
pub fn starts(t: &Target, path: &[Hop], exhausted: &[usize]) -> Vec<f64> {
    let mut out = vec![0.0];
    let Some(&last) = exhausted.last() else {
        return out;
    };
    let shortest = path
        .iter()
        .filter_map(|&(v, _)| t.limit(v).map(|(_, w, _)| w))
        .fold(f64::INFINITY, f64::min);
    for &(v, o) in &path[..last] {
        if o != 0 || !matches!(t.kind(v), Kind::Rate | Kind::Budget) || t.sliding(v) {
            continue;
        }
        let Some((_, w, _)) = t.limit(v) else {
            continue;
        };
        let early = (shortest / 4.0).min(1.0);
        for k in 1..=2 {
            let s = w * f64::from(k) - early;
            if s.is_finite() && s > 0.0 && !out.contains(&s) {
                out.push(s);
            }
        }
    }
    // Then the first window boundaries of each limit to exhaust: a window of
    // it that meets more windows of a fixed limit passed first holds more
    // requests than the one at 0 (2 per 23 s lets 4 requests and a fifth into
    // the 29 s window from 87 s, but not into the first three).
    for &i in exhausted {
        let Some((_, w, _)) = t.limit(path[i].0) else {
            continue;
        };
        for k in 1..=LATER_WINDOWS {
            let s = w * f64::from(k);
            if s.is_finite() && s > 0.0 && !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// Window boundaries of each exhausted limit tried as paced starts.
const LATER_WINDOWS: u32 = 8;

/// How a trial run of a filler went, against the path up to its limit.
enum Trial {
    /// It followed the path and its limit admitted it: send it.
    Fills,
    /// It followed the path and its limit refused it: that limit is full.
    Full,
    /// It left the path before its limit: wait.
    Blocked,
}

fn trial(out: &Outcome, path: &[Hop], i: usize) -> Trial {
    if out.edges.len() <= i || out.edges[..i] != path[..i] || out.edges[i].0 != path[i].0 {
        Trial::Blocked
    } else if out.edges[i].1 == 0 {
        Trial::Fills
    } else {
        Trial::Full
    }
}

/// The paced plan: fillers sent only when they pass, the clock moved on when
/// none can, until the case takes `edge`.
pub fn paced(
    t: &Target,
    path: &[Hop],
    exhausted: &[usize],
    req: &Prepared,
    edge: Hop,
    runner: &mut Runner,
    start: f64,
) -> Option<Plan> {
    let fillers: Vec<(usize, Prepared)> = exhausted
        .iter()
        .map(|&i| filler(t, path, i, req).map(|(b, _)| (i, b)))
        .collect::<Option<_>>()?;
    let quarters: Vec<f64> = path
        .iter()
        .filter_map(|&(v, _)| t.limit(v).map(|(_, w, _)| w / 4.0))
        .filter(|q| q.is_finite() && *q > 0.0)
        .collect();
    runner.fresh();
    let mut counters = Counters::new();
    let mut out = Outcome::default();
    let mut before: Vec<(Prepared, u64)> = Vec::new();
    let mut clock = start;
    let mut case = req.clone();
    for _ in 0..MAX_TRIALS {
        case.at = clock;
        runner.run(t, &case, &mut counters.clone(), false, &mut out);
        if out.edges.contains(&edge) {
            return Some((before, clock));
        }
        let mut sent = false;
        for (i, b) in &fillers {
            let mut b = b.clone();
            b.at = clock;
            runner.run(t, &b, &mut counters.clone(), false, &mut out);
            match trial(&out, path, *i) {
                Trial::Full => continue,
                Trial::Blocked => break,
                Trial::Fills => {
                    runner.run(t, &b, &mut counters, false, &mut out);
                    match before.last_mut() {
                        Some((last, n)) if *last == b => *n += 1,
                        _ => before.push((b, 1)),
                    }
                    sent = true;
                    break;
                }
            }
        }
        if !sent {
            // The next quarter-window boundary of some limit on the path.
            clock = quarters
                .iter()
                .map(|q| ((clock / q).floor() + 1.0) * q)
                .fold(f64::INFINITY, f64::min);
            if !clock.is_finite() {
                return None;
            }
        }
    }
    None
}
