//! From "a path exists on the graph" to "this request goes there": landing a
//! path's splits with a request id, and replaying it through the evaluator.
//!
//! Conditions are settled by the solver during the search; splits are not, since
//! a share is reached by a request whose sticky value (or, without one, its id)
//! hashes into it. Two ways to find one, both bounded:
//!
//! - *Path first*: for a path found with any share, try ids `req-0`, `req-1`, ...
//!   until one lands in every share on it. A path through shares of joint width
//!   `p` needs about `1/p` ids; we try `20/p` (missing with odds e⁻²⁰), at most
//!   [`PATH_IDS`], and skip paths narrower than one in [`PATH_IDS`].
//! - *Id first*, when no path lands: search again with every split following the
//!   share id `req-i` falls in, for [`STEER_IDS`] ids. Long chains of splits,
//!   where any fixed path is astronomically narrow, are found this way.
//!
//! Either way the request is replayed before it is returned; a path the
//! evaluator does not follow is never reported.

use std::rc::Rc;

use super::graph::Graph;
use super::replay::{Example, replay};
use super::search::{Found, Out, Outcome, Rules, Verdict, Work};
use crate::compile::NodeId;
use crate::syntax::ast::Cond;

/// Most request ids tried to land one path.
pub(super) const PATH_IDS: usize = 20_000;

/// Ids the id-first search is run for.
pub(super) const STEER_IDS: usize = 16;

/// What a search for a request ends with.
pub(super) enum Reached {
    /// A request the evaluator sends along a path to the goal.
    Example(Example),
    /// No request can: decided on the graph.
    Never,
    /// A bound was hit, or paths exist that no request tried follows.
    Undecided,
}

/// What a request must do: follow a path of `rules`, with the models the path
/// leaves by `fallback` failing (`fails`), and end as `confirm` checks on the
/// evaluator's replay.
pub(super) struct Goal<'r> {
    pub rules: Rules<'r>,
    pub fails: &'r dyn Fn(&Found, NodeId) -> bool,
    pub confirm: &'r dyn Fn(&Example) -> bool,
}

/// Finds a request that satisfies `when` (with its [`Work::root`]) and
/// reaches `goal`.
pub(super) fn find(
    g: &Graph<'_>,
    goal: &Goal<'_>,
    when: (u32, Option<&Cond>),
    work: &mut Work,
) -> Reached {
    let rules = &goal.rules;
    let check = |found: &Found, id: Option<&str>| {
        replay(g, found, id, &|m| (goal.fails)(found, m)).filter(|ex| (goal.confirm)(ex))
    };
    let mut example = None;
    let mut offered = false;
    let outcome = g.search(rules, when, work, &mut |found: &Found| {
        offered = true;
        match land(g, found) {
            Landing::Id(id) => {
                example = check(found, id.as_deref());
                if example.is_some() {
                    Verdict::Take
                } else {
                    Verdict::Next
                }
            }
            Landing::Pinned => Verdict::Next,
            // Other paths cross the same chains of splits: steer instead.
            Landing::Narrow => Verdict::Stop,
        }
    });
    match (outcome, example) {
        (Outcome::Found, Some(ex)) => return Reached::Example(ex),
        (Outcome::None, _) if !offered => return Reached::Never,
        (Outcome::Undecided, _) if !offered => return Reached::Undecided,
        _ => {}
    }
    for i in 0..STEER_IDS {
        let id = format!("req-{i}");
        // The share of every split for this id, hashed once per route.
        if work.steer.len() <= i {
            let shares = (0..g.program.len() as NodeId).map(|n| g.share_of(n, &id));
            work.steer.push(Rc::new(shares.collect()));
        }
        let Some(shares) = work.steer.get(i).cloned() else {
            break;
        };
        let steered = |n: NodeId, s: u8, out: Out| match out {
            Out::Share(k) if shares.get(n as usize).copied().flatten() != Some(k) => None,
            _ => (rules.step)(n, s, out),
        };
        let steered = Rules {
            step: &steered,
            ..*rules
        };
        let mut example = None;
        let outcome = g.search(&steered, when, work, &mut |found: &Found| {
            example = check(found, Some(&id));
            if example.is_some() {
                Verdict::Take
            } else {
                Verdict::Next
            }
        });
        if let (Outcome::Found, Some(ex)) = (outcome, example) {
            return Reached::Example(ex);
        }
    }
    Reached::Undecided
}

/// How a path's splits can be landed.
enum Landing {
    /// With this request id (`None`: no split on it hashes the id).
    Id(Option<String>),
    /// A split whose share the request's metadata fixes elsewhere.
    Pinned,
    /// Its shares are too narrow, together, for an id tried to land in them.
    Narrow,
}

/// A request id under which every split on `found` takes the path's share.
fn land(g: &Graph<'_>, found: &Found) -> Landing {
    let mut by_id: Vec<(NodeId, usize)> = Vec::new();
    // Joint width of the id-driven shares, as a fraction.
    let mut width = 1.0f64;
    for h in &found.hops {
        let Out::Share(k) = h.out else { continue };
        match g.sticky_text(h.node, &found.metadata) {
            // The metadata fixes this split's share: no id changes it.
            Some(v) if g.share_of(h.node, &v) != Some(k) => return Landing::Pinned,
            Some(_) => {}
            None => {
                by_id.push((h.node, k));
                width *= f64::from(g.share_width(h.node, k)) / 10_000.0;
            }
        }
    }
    if by_id.is_empty() {
        return Landing::Id(None);
    }
    // Fewer than one id in `PATH_IDS` lands: leave it to the id-first search.
    if !(width * PATH_IDS as f64 >= 1.0) {
        return Landing::Narrow;
    }
    let tries = (20.0 / width).ceil().min(PATH_IDS as f64) as usize;
    (0..tries)
        .map(|i| format!("req-{i}"))
        .find(|id| by_id.iter().all(|&(n, k)| g.share_of(n, id) == Some(k)))
        .map_or(Landing::Narrow, |id| Landing::Id(Some(id)))
}
