//! A condition solver: find request metadata that makes a set of conditions
//! come out as required, or say which of them contradict each other.
//!
//! ```
//! use aig_route::solve::{Constraint, Solution, solve};
//! use aig_route::source::Span;
//! use aig_route::syntax::cond::{TextPos, parse_expr};
//!
//! let at = TextPos { source: Default::default(), base: None, whole: Span::default() };
//! let paid = parse_expr(r#"metadata.plan == "paid" && metadata.tier >= 2"#, at, 64).unwrap();
//! let trial = parse_expr(r#"metadata.plan in ["trial", "paid"]"#, at, 64).unwrap();
//! // `paid` true and `trial` true: plan = "paid", tier = 2.
//! let Solution::Sat(m) = solve(&[Constraint::new(&paid, true), Constraint::new(&trial, true)]) else {
//!     panic!()
//! };
//! assert_eq!(m.to_json(), serde_json::json!({"plan": "paid", "tier": 2.0}));
//! // `paid` true and `trial` false contradict each other.
//! assert!(matches!(
//!     solve(&[Constraint::new(&paid, true), Constraint::new(&trial, false)]),
//!     Solution::Unsat(_)
//! ));
//! ```
//!
//! The input is a conjunction of *constraints*: a condition (any mix of `&&`,
//! `||`, `!`, comparisons, `in`, `exists`) with the truth value it must have.
//! Metadata keys are opaque strings (whatever follows `metadata.`), values are
//! strings, numbers or booleans, or missing, with the type-strict meaning of
//! [`crate::semantics`].
//!
//! How: negations are pushed down to the comparisons; a comparison constrains one
//! key, so a conjunction of comparisons is satisfiable exactly when, key by key,
//! some value passes all comparisons on that key. Each key keeps the set of
//! values still allowed (an interval per type, exclusions, the only values
//! allowed) and narrows it per comparison; a value is picked from it exactly
//! (see `domain`). Disjunctions wait until every plain comparison is in; then an
//! alternative refuted at once is dropped, a disjunction left with one is taken
//! without guessing, and otherwise the one with fewest alternatives is searched
//! depth first over an explicit stack (no recursion). The search is bounded:
//! past [`MAX_BRANCHES`] alternatives tried or [`MAX_WORK`] steps the answer is
//! [`Solution::Unknown`], never a guess.

mod domain;

use std::collections::{BTreeMap, BTreeSet};

use crate::source::{Span, Spanned};
use crate::syntax::ast::{CmpOp, Cond, Literal};
use crate::syntax::cond::to_expr;
use domain::Domain;

/// Most disjunction alternatives one [`solve`] call tries.
pub const MAX_BRANCHES: usize = 4096;
/// Most steps (a condition taken apart, a comparison applied or tried) one
/// [`solve`] call takes.
pub const MAX_WORK: usize = 1_000_000;
/// Comparisons on one key up to which a contradiction is cut to its core.
const MAX_CORE: usize = 64;

/// A condition and the truth value it must take.
#[derive(Clone, Copy, Debug)]
pub struct Constraint<'c> {
    /// The condition.
    pub cond: &'c Cond,
    /// Whether it must hold (`true`) or fail (`false`).
    pub holds: bool,
}

impl<'c> Constraint<'c> {
    /// `cond` must evaluate to `holds`.
    pub fn new(cond: &'c Cond, holds: bool) -> Self {
        Constraint { cond, holds }
    }
}

/// `metadata.<key> == value` as a condition, for extra constraints such as "this
/// key has this value" (with `holds: false`, "anything but this value").
pub fn field_eq(key: &str, value: &Literal) -> Cond {
    Cond::Cmp {
        field: Spanned::new(format!("metadata.{key}"), Span::default()),
        op: CmpOp::Eq,
        value: Spanned::new(value.clone(), Span::default()),
    }
}

/// Metadata that satisfies every constraint: key → value; keys not listed are
/// missing (or free: any value, or none, does).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    /// Entries in the order the constraints first mention their keys.
    pub entries: Vec<(String, Literal)>,
}

impl Model {
    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&Literal> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// As a JSON object (for `--metadata` and messages).
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for (k, v) in &self.entries {
            let v = match v {
                Literal::Str(s) => serde_json::Value::String(s.clone()),
                Literal::Num(n) => serde_json::Number::from_f64(*n)
                    .map_or(serde_json::Value::Null, serde_json::Value::Number),
                Literal::Bool(b) => serde_json::Value::Bool(*b),
            };
            m.insert(k.clone(), v);
        }
        serde_json::Value::Object(m)
    }
}

/// Why the constraints cannot all hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contradiction {
    /// Indices (into the input) of the constraints involved, ascending.
    pub constraints: Vec<usize>,
    /// The metadata key the comparisons disagree on.
    pub key: String,
    /// The clashing comparisons in words, as they must come out, such as
    /// `metadata.plan == "paid" is true; metadata.plan in ["paid"] is false`.
    pub detail: String,
}

/// The answer of [`solve`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Solution {
    /// Metadata satisfying every constraint.
    Sat(Model),
    /// No metadata can: the first contradiction met (with disjunctions, the one
    /// of the first alternative tried).
    Unsat(Contradiction),
    /// A search bound ([`MAX_BRANCHES`], [`MAX_WORK`]) was hit before an answer.
    Unknown,
}

/// A condition that must come out as `holds`, from input constraint `origin`.
#[derive(Clone, Copy, Debug)]
struct Atom<'c> {
    cond: &'c Cond,
    holds: bool,
    origin: usize,
}

impl<'c> Atom<'c> {
    /// The same requirement with every `!` in front taken off.
    fn strip(mut self) -> Self {
        while let Cond::Not(inner) = self.cond {
            self.cond = inner;
            self.holds = !self.holds;
        }
        self
    }

    /// The alternatives of a disjunction (`||` true, `&&` false), if it is one.
    fn alternatives(self) -> Option<impl DoubleEndedIterator<Item = Atom<'c>>> {
        match (self.cond, self.holds) {
            (Cond::Any(cs), true) | (Cond::All(cs), false) => {
                Some(cs.iter().map(move |c| Atom { cond: c, ..self }))
            }
            _ => None,
        }
    }
}

/// One line of the search: what is still to be taken apart, the disjunctions
/// put off, the comparisons gathered and each key's allowed values.
#[derive(Clone, Debug, Default)]
struct Branch<'c> {
    pending: Vec<Atom<'c>>,
    deferred: Vec<Atom<'c>>,
    atoms: Vec<Atom<'c>>,
    domains: BTreeMap<&'c str, Domain>,
}

/// A disjunction being searched: the branch it was met on and the alternative
/// to try next.
struct Choice<'c> {
    base: Branch<'c>,
    alternatives: Vec<Atom<'c>>,
    next: usize,
}

/// How a branch ended.
enum End<'c> {
    Sat,
    Conflict(Contradiction),
    Split(Vec<Atom<'c>>),
    OutOfWork,
}

/// Finds metadata under which every constraint takes its truth value.
pub fn solve(constraints: &[Constraint<'_>]) -> Solution {
    match search(constraints) {
        Ok(b) => Solution::Sat(model_of(&b)),
        Err(s) => s,
    }
}

/// Up to `max` distinct values `key` can hold (present) while every constraint
/// takes its truth value, the other keys as [`solve`] sets them; empty when
/// no request has `key` set and satisfies them (or the search bound is hit).
///
/// For searches over values, such as one whose hash must land in a bucket:
/// each value comes from one walk of the key's allowed set, not a solve each.
pub fn values(constraints: &[Constraint<'_>], key: &str, max: usize) -> Vec<Literal> {
    let present = Cond::Exists {
        field: Spanned::new(format!("metadata.{key}"), Span::default()),
        present: true,
    };
    let mut all = constraints.to_vec();
    all.push(Constraint::new(&present, true));
    match search(&all) {
        Ok(b) => b.domains.get(key).map_or_else(Vec::new, |d| d.values(max)),
        Err(_) => Vec::new(),
    }
}

/// The branch on which every constraint holds, or why there is none.
fn search<'c>(constraints: &[Constraint<'c>]) -> Result<Branch<'c>, Solution> {
    let first = Branch {
        pending: constraints
            .iter()
            .enumerate()
            .rev()
            .map(|(i, c)| Atom {
                cond: c.cond,
                holds: c.holds,
                origin: i,
            })
            .collect(),
        ..Branch::default()
    };
    let mut work = 0usize;
    let mut explored = 0usize;
    let mut first_conflict: Option<Contradiction> = None;
    let mut choices: Vec<Choice<'_>> = Vec::new();
    let mut current = Some(first);
    loop {
        let mut b = match current.take() {
            Some(b) => b,
            None => {
                let Some(mut c) = choices.pop() else { break };
                explored += 1;
                if explored > MAX_BRANCHES {
                    return Err(Solution::Unknown);
                }
                let alt = c.alternatives[c.next];
                c.next += 1;
                let mut b = if c.next < c.alternatives.len() {
                    let b = c.base.clone();
                    choices.push(c);
                    b
                } else {
                    c.base
                };
                b.pending.push(alt);
                b
            }
        };
        match run(&mut b, &mut work) {
            End::Sat => return Ok(b),
            End::Conflict(c) => {
                first_conflict.get_or_insert(c);
            }
            End::Split(alternatives) => choices.push(Choice {
                base: b,
                alternatives,
                next: 0,
            }),
            End::OutOfWork => return Err(Solution::Unknown),
        }
    }
    Err(match first_conflict {
        Some(c) => Solution::Unsat(c),
        // Only an empty `||` (which the readers never produce) gets here.
        None => Solution::Unsat(Contradiction {
            constraints: (0..constraints.len()).collect(),
            key: String::new(),
            detail: "an empty `||` never holds".into(),
        }),
    })
}

/// Takes a branch as far as it goes without guessing.
fn run<'c>(b: &mut Branch<'c>, work: &mut usize) -> End<'c> {
    loop {
        while let Some(goal) = b.pending.pop() {
            *work += 1;
            if *work > MAX_WORK {
                return End::OutOfWork;
            }
            let goal = goal.strip();
            match (goal.cond, goal.holds) {
                (Cond::All(cs), true) | (Cond::Any(cs), false) => {
                    b.pending
                        .extend(cs.iter().rev().map(|c| Atom { cond: c, ..goal }));
                }
                (Cond::Any(_), true) | (Cond::All(_), false) => b.deferred.push(goal),
                _ => {
                    let key = domain::key_of(goal.cond);
                    b.atoms.push(goal);
                    let d = b.domains.entry(key).or_default();
                    d.apply(&goal);
                    if d.pick().is_none() {
                        return End::Conflict(explain(b, key, None));
                    }
                }
            }
        }
        if b.deferred.is_empty() {
            return End::Sat;
        }
        // Each disjunction's alternatives not refuted at once; act on the first
        // left with none or one, else split the one with fewest.
        let mut best: Option<(usize, Vec<Atom<'c>>)> = None;
        for (i, d) in b.deferred.iter().enumerate() {
            let mut open = Vec::new();
            let mut refuted = None;
            for alt in d.alternatives().into_iter().flatten() {
                *work += 1;
                if *work > MAX_WORK {
                    return End::OutOfWork;
                }
                if refutes(b, alt) {
                    refuted.get_or_insert(alt);
                } else {
                    open.push(alt);
                }
            }
            if open.is_empty() {
                return End::Conflict(match refuted {
                    Some(alt) => explain(b, domain::key_of(alt.strip().cond), Some(alt)),
                    None => Contradiction {
                        constraints: vec![d.origin],
                        key: String::new(),
                        detail: "an empty `||` never holds".into(),
                    },
                });
            }
            if best.as_ref().is_none_or(|(_, o)| open.len() < o.len()) {
                let forced = open.len() == 1;
                best = Some((i, open));
                if forced {
                    break;
                }
            }
        }
        let Some((i, open)) = best else {
            return End::Sat;
        };
        b.deferred.remove(i);
        if open.len() == 1 {
            b.pending.extend(open);
            continue;
        }
        return End::Split(open);
    }
}

/// Whether the comparison `alt` (after `!`s) clashes with what the branch holds.
fn refutes(b: &Branch<'_>, alt: Atom<'_>) -> bool {
    let alt = alt.strip();
    if matches!(alt.cond, Cond::All(_) | Cond::Any(_)) {
        return false;
    }
    let mut d = b
        .domains
        .get(domain::key_of(alt.cond))
        .cloned()
        .unwrap_or_default();
    d.apply(&alt);
    d.pick().is_none()
}

/// The values chosen per key, in order of first mention.
fn model_of(b: &Branch<'_>) -> Model {
    let mut seen = BTreeSet::new();
    let mut entries = Vec::new();
    for a in &b.atoms {
        let k = domain::key_of(a.cond);
        if !seen.insert(k) {
            continue;
        }
        if let Some(Some(v)) = b.domains.get(k).and_then(Domain::pick) {
            entries.push((k.to_string(), v));
        }
    }
    Model { entries }
}

/// The clash on `key` among the branch's comparisons (plus `extra`), cut to a
/// smallest core when there are few enough, in words.
fn explain(b: &Branch<'_>, key: &str, extra: Option<Atom<'_>>) -> Contradiction {
    let mut core: Vec<Atom<'_>> = b
        .atoms
        .iter()
        .copied()
        .chain(extra.map(Atom::strip))
        .filter(|a| domain::key_of(a.cond) == key)
        .collect();
    if core.len() <= MAX_CORE {
        // Drop comparisons the clash does not need, one at a time.
        let mut i = 0;
        while i < core.len() && core.len() > 1 {
            let mut without = core.clone();
            without.remove(i);
            if Domain::of(&without).pick().is_none() {
                core = without;
            } else {
                i += 1;
            }
        }
    }
    let mut constraints: Vec<usize> = core.iter().map(|a| a.origin).collect();
    constraints.sort_unstable();
    constraints.dedup();
    let detail = core
        .iter()
        .map(|a| format!("{} is {}", to_expr(a.cond), a.holds))
        .collect::<Vec<_>>()
        .join("; ");
    Contradiction {
        constraints,
        key: key.to_string(),
        detail,
    }
}

#[cfg(test)]
mod tests;
