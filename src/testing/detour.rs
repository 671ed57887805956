//! Requests that fill a limit by another way than the case's own path: for a
//! limit the case's request cannot fill (one reached only through another
//! limit's fallback the case does not take, or a budget whose fillers a copy of
//! the case would leave unserved), a search of their own finds them.

use super::engine::{Kind, Prepared, Runner, Target};
use super::exhaust;
use super::generate::{GenCase, Hop, How, search_with, takes};
use crate::solve::field_eq;
use crate::source::Span;
use crate::syntax::ast::Cond;

/// Models past a budget tried as goals for a request that fills it another way.
const DETOUR_MODELS: usize = 8;

/// A case whose limit at `path[i]` (for some `i` in `exhausted`) is filled by
/// requests taking another way to it, found by a search of their own for the
/// limit's `success` with the case's key value pinned: the filling requests
/// (after their own `before` requests) first, then the other limits filled
/// all at once, then the case, all at the filling requests' time. This covers
/// a limit the case's own request cannot fill, as one reached only through
/// another limit's fallback that the case does not take.
pub(super) fn detour(
    t: &Target,
    path: &[Hop],
    edge: (usize, usize),
    exhausted: &[usize],
    req: &Prepared,
    runner: &mut Runner,
    how: &How<'_>,
) -> Option<GenCase> {
    for &i in exhausted {
        let (v, _) = path[i];
        let (limit, _, key) = t.limit(v)?;
        let key = key?;
        let name = key.strip_prefix("metadata.").unwrap_or(key);
        let pin = match req.metadata.iter().find(|(k, _)| k == name) {
            Some((_, value)) => field_eq(name, value),
            None => Cond::Exists {
                field: crate::source::Spanned::new(key.to_string(), Span::default()),
                present: false,
            },
        };
        let budget = t.kind(v) == Kind::Budget;
        let mut inner = How {
            sharp: None,
            pin: Some(&pin),
            dead: how.dead,
            detours: false,
            via: None,
            served: budget,
        };
        // A budget's filler must be served after passing it: to the limit, or
        // through it to a model's success.
        let mut goals = vec![(v, 0)];
        if budget {
            goals.extend(
                (v + 1..t.len())
                    .filter(|&m| t.kind(m) == Kind::Model)
                    .take(DETOUR_MODELS)
                    .map(|m| (m, 0)),
            );
        }
        let Some(fill) = goals.into_iter().find_map(|goal| {
            inner.via = (goal != (v, 0)).then_some((v, 0));
            search_with(t, goal, runner, &inner).ok()
        }) else {
            continue;
        };
        let at = fill.req.at;
        let mut filler = fill.req.clone();
        let count = match t.kind(v) {
            Kind::Rate => limit.ceil().max(1.0) as u64,
            _ => {
                filler.cost = limit;
                1
            }
        };
        let others: Vec<usize> = exhausted.iter().copied().filter(|&j| j != i).collect();
        let (rest, _) = exhaust::at_once(t, path, &others, req)?;
        let mut before = fill.before.clone();
        before.push((filler, count));
        before.extend(rest.into_iter().map(|(mut b, n)| {
            b.at = at;
            (b, n)
        }));
        let replayed = before.iter().fold(0u64, |n, (_, k)| n.saturating_add(*k));
        if replayed > super::file::MAX_REPLAYED {
            continue;
        }
        if let Some(case) = takes(t, before, req, at, edge, runner) {
            return Some(case);
        }
    }
    None
}
