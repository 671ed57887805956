//! Path search on the compiled graph: is there a path from start to a goal,
//! under rules that say which outputs each node may take, whose conditions some
//! request satisfies together?
//!
//! Two passes, neither recursive. First, backwards: which (node, state) pairs can
//! reach a goal at all, ignoring conditions (one visit each: linear in the graph).
//! Then a depth-first walk from start, on an explicit stack, that only enters
//! pairs that can, and keeps metadata that satisfies the conditions so far; a
//! conditional that metadata does not take the required way asks the condition
//! solver, and the path is dropped as soon as its conditions contradict. When
//! conditions never conflict the walk goes straight to a goal.
//!
//! Paths can be exponentially many, so the walk is bounded: it tries at most
//! [`MAX_STEPS`] edges and calls the solver at most [`MAX_SOLVES`] times, and the
//! whole policy check of one route shares a [`Work`] budget of ten times that
//! (answers the solver gave for a prefix of conditions are kept, and cost
//! nothing the second time). Past a
//! bound the answer is [`Outcome::Undecided`], which the caller reports — never a
//! guess either way.

use std::collections::HashMap;
use std::rc::Rc;

use crate::compile::NodeId;
use crate::eval::Report;
use crate::solve::{Constraint, Model, Solution, solve};
use crate::syntax::ast::Cond;

use super::graph::Graph;

/// Most edges one search tries. A route of a few hundred nodes whose conditions
/// rarely conflict needs a few hundred; the rest is for backtracking.
pub(super) const MAX_STEPS: usize = 20_000;

/// Most solver calls in one search (each one a conditional entered).
pub(super) const MAX_SOLVES: usize = 2_000;

/// Most complete paths one search offers its caller (each replayed).
pub(super) const MAX_CANDIDATES: usize = 16;

/// The work left for one route's whole policy check, so that a route with many
/// forbidden models cannot multiply the per-search bound, and what the solver
/// already said about the conditions of a path prefix: searches for different
/// goals, and for different request ids, walk the same prefixes again.
#[derive(Debug)]
pub(super) struct Work {
    pub steps: usize,
    pub solves: usize,
    /// `(prefix, conditional, holds)` → the longer prefix and a witness for
    /// it, or `None` when it contradicts itself. Prefix `0` is "nothing yet"
    /// without a `when`; under a rule's `when` it is that rule's
    /// [`Work::root`]. Each entry is a solver call (or a witness check) saved.
    seen: HashMap<(u32, NodeId, bool), (u32, Option<Rc<Model>>)>,
    /// A rule's root prefix → a witness for its `when` (`None`: it never holds).
    roots: HashMap<u32, Option<Rc<Model>>>,
    /// For the id-first search: the share of every split (by node) for id
    /// `req-i`, at index `i`.
    pub steer: Vec<Rc<Vec<Option<usize>>>>,
    next: u32,
}

impl Default for Work {
    fn default() -> Self {
        Work {
            steps: 10 * MAX_STEPS,
            solves: 10 * MAX_SOLVES,
            seen: HashMap::new(),
            roots: HashMap::new(),
            steer: Vec::new(),
            next: 0,
        }
    }
}

impl Work {
    /// A fresh prefix id: the root of a new `when`, or a prefix extended.
    fn fresh(&mut self) -> u32 {
        self.next += 1;
        self.next
    }

    /// The root prefix for searches under one `when` (call once per rule).
    pub fn root(&mut self) -> u32 {
        self.fresh()
    }
}

/// Which output a node took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Out {
    /// Start's `next`.
    Next,
    /// A conditional's `true` or `false`.
    Cond(bool),
    /// A split's n-th share.
    Share(usize),
    /// A limit passed (`success`) or used up (`fallback`).
    Limit(bool),
    /// A model answered (`success`) or failed (`fallback`).
    Model(Report),
}

/// One step of a path: a node and the output it took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Hop {
    pub node: NodeId,
    pub out: Out,
}

/// A path found, with metadata its conditions agree on.
#[derive(Clone, Debug)]
pub(super) struct Found {
    /// The hops from start; the last one is the goal node (its `out` unused).
    pub hops: Vec<Hop>,
    /// Metadata satisfying the rule's own constraint and the path's conditions.
    pub metadata: Model,
}

/// What the caller of a search says about a path found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Verdict {
    /// This one: the search ends with [`Outcome::Found`].
    Take,
    /// Not this one; go on.
    Next,
    /// No path of this search will do: stop ([`Outcome::Undecided`]).
    Stop,
}

/// What a search ends with.
pub(super) enum Outcome {
    /// A path the caller accepted (and kept what it needed of it).
    Found,
    /// No path: decided.
    None,
    /// A bound was hit (or the solver gave up) before an answer.
    Undecided,
}

/// The rules of one search: which outputs node `n` in state `s` may take (and
/// the state after), and which (node, state) pairs end it.
pub(super) struct Rules<'r> {
    pub states: u8,
    pub step: &'r dyn Fn(NodeId, u8, Out) -> Option<u8>,
    pub goal: &'r dyn Fn(NodeId, u8) -> bool,
}

/// What `cond` comes out as for a request with exactly `witness`'s metadata.
fn holds_on(cond: &Cond, witness: &Model) -> bool {
    crate::semantics::matches(cond, &|field: &str| {
        witness.get(field.strip_prefix("metadata.").unwrap_or(field))
    })
}

impl Graph<'_> {
    /// Searches for a path from start (in state `0`) to a goal under `rules`;
    /// `when` constrains the request (with its [`Work::root`]). `accept` may
    /// refuse a path found (say, one the evaluator does not take); the search
    /// then goes on.
    ///
    /// Every prefix of the walk carries a *witness*: metadata satisfying `when`
    /// and its conditions. A conditional whose outcome the witness already
    /// gives costs no solver call (the witness still satisfies the longer
    /// prefix); only one that needs other metadata asks the solver, and its
    /// answer is kept for the prefix in [`Work`].
    pub fn search(
        &self,
        rules: &Rules<'_>,
        when: (u32, Option<&Cond>),
        work: &mut Work,
        accept: &mut dyn FnMut(&Found) -> Verdict,
    ) -> Outcome {
        let (root, when) = when;
        let states = rules.states as usize;
        let at = |n: NodeId, s: u8| n as usize * states + s as usize;
        let alive = self.can_reach(rules);
        if !alive.get(at(self.start, 0)).copied().unwrap_or(false) {
            return Outcome::None;
        }
        struct Frame<'g> {
            node: NodeId,
            state: u8,
            outs: &'g [(Out, NodeId)],
            /// Whether `outs` is tried from the end (see below).
            flip: bool,
            next: usize,
            /// Whether entering this frame added a constraint.
            pushed: bool,
            /// The prefix of conditions (a [`Work`] id) that holds here.
            prefix: u32,
            /// Metadata satisfying that prefix.
            witness: Rc<Model>,
        }
        // A conditional's outputs are tried the witness's way first: that way
        // costs no solver call.
        let frame = |node: NodeId, state: u8, pushed: bool, prefix: u32, witness: Rc<Model>| {
            let flip = self.cond(node).is_some_and(|c| !holds_on(c, &witness));
            Frame {
                node,
                state,
                outs: self.outputs(node),
                flip,
                next: 0,
                pushed,
                prefix,
                witness,
            }
        };
        let (mut steps, mut solves, mut candidates) = (0usize, 0usize, 0usize);
        let mut undecided = false;
        // The solver on `constraints`: `Some(Some(m))` they hold together (with
        // `m`), `Some(None)` they contradict, `None` out of budget or unknown.
        let mut sat = |constraints: &[Constraint<'_>], work: &mut Work| {
            if solves >= MAX_SOLVES || work.solves == 0 {
                return None;
            }
            solves += 1;
            work.solves -= 1;
            match solve(constraints) {
                Solution::Sat(m) => Some(Some(Rc::new(m))),
                Solution::Unknown => None,
                _ => Some(None),
            }
        };
        let mut constraints: Vec<Constraint<'_>> = Vec::new();
        let witness = match when {
            None => Rc::new(Model::default()),
            Some(c) => {
                constraints.push(Constraint::new(c, true));
                let known = work.roots.get(&root).cloned();
                let witness = match known {
                    Some(w) => w,
                    None => match sat(&constraints, work) {
                        Some(w) => {
                            work.roots.insert(root, w.clone());
                            w
                        }
                        None => return Outcome::Undecided,
                    },
                };
                match witness {
                    Some(w) => w,
                    None => return Outcome::None,
                }
            }
        };
        let mut stack = vec![frame(self.start, 0, false, root, witness)];
        let mut hops: Vec<Hop> = Vec::new();
        while let Some(top) = stack.last_mut() {
            let (node, state, prefix) = (top.node, top.state, top.prefix);
            if top.next == 0 && (rules.goal)(node, state) {
                top.next = usize::MAX;
                let mut hops = hops.clone();
                hops.push(Hop {
                    node,
                    out: Out::Next,
                });
                let found = Found {
                    hops,
                    metadata: (*top.witness).clone(),
                };
                match accept(&found) {
                    Verdict::Take => return Outcome::Found,
                    Verdict::Stop => return Outcome::Undecided,
                    Verdict::Next => {}
                }
                candidates += 1;
                if candidates >= MAX_CANDIDATES {
                    return Outcome::Undecided;
                }
            }
            let index = match top.flip {
                true => top.outs.len().checked_sub(top.next + 1),
                false => Some(top.next),
            };
            let Some(&(out, target)) = index.and_then(|i| top.outs.get(i)) else {
                if let Some(done) = stack.pop() {
                    if done.pushed {
                        constraints.pop();
                    }
                }
                hops.pop();
                continue;
            };
            top.next += 1;
            steps += 1;
            if steps > MAX_STEPS || work.steps == 0 {
                return Outcome::Undecided;
            }
            work.steps -= 1;
            let Some(next_state) = (rules.step)(node, state, out) else {
                continue;
            };
            if !alive.get(at(target, next_state)).copied().unwrap_or(false) {
                continue;
            }
            let mut next = (false, prefix, Rc::clone(&top.witness));
            if let (Out::Cond(holds), Some(c)) = (out, self.cond(node)) {
                let key = (prefix, node, holds);
                let extended = if let Some((id, w)) = work.seen.get(&key) {
                    w.clone().map(|w| (*id, w))
                } else {
                    let id = work.fresh();
                    let w = if holds_on(c, &top.witness) == holds {
                        Some(Rc::clone(&top.witness))
                    } else {
                        constraints.push(Constraint::new(c, holds));
                        let verdict = sat(&constraints, work);
                        constraints.pop();
                        match verdict {
                            Some(w) => w,
                            None => {
                                undecided = true;
                                continue;
                            }
                        }
                    };
                    work.seen.insert(key, (id, w.clone()));
                    w.map(|w| (id, w))
                };
                let Some((id, w)) = extended else { continue };
                constraints.push(Constraint::new(c, holds));
                next = (true, id, w);
            }
            hops.push(Hop { node, out });
            let (pushed, prefix, witness) = next;
            stack.push(frame(target, next_state, pushed, prefix, witness));
        }
        if undecided {
            Outcome::Undecided
        } else {
            Outcome::None
        }
    }
}
