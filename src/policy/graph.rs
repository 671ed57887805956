//! The compiled route as the path search sees it: each node's outputs (a
//! split's shares with their widths), the share a sticky value falls in, and
//! which nodes can reach a goal at all.

use crate::compile::{Inst, NodeId, Program};
use crate::eval::Report;
use crate::solve::Model;
use crate::syntax::ast::{Cond, Literal, NodeKind, Route};

use super::search::{Out, Rules};

/// A compiled route with the syntax it came from (for the conditions' trees).
pub(super) struct Graph<'a> {
    pub program: &'a Program,
    pub route: &'a Route,
    pub start: NodeId,
    /// Each node's outputs, worked out once (searches visit nodes many times).
    outs: Vec<Vec<(Out, NodeId)>>,
}

impl<'a> Graph<'a> {
    pub fn new(program: &'a Program, route: &'a Route) -> Option<Self> {
        let start = (0..program.len() as NodeId)
            .find(|&n| matches!(program.inst(n), Some(Inst::Start { .. })))?;
        let mut g = Graph {
            program,
            route,
            start,
            outs: Vec::new(),
        };
        g.outs = (0..program.len() as NodeId)
            .map(|n| g.outputs_of(n))
            .collect();
        Some(g)
    }

    /// Every output of `n` with its target (a split's empty shares left out).
    pub fn outputs(&self, n: NodeId) -> &[(Out, NodeId)] {
        self.outs.get(n as usize).map_or(&[], Vec::as_slice)
    }

    /// The condition tree of conditional node `n`.
    pub(super) fn cond(&self, n: NodeId) -> Option<&'a Cond> {
        match &self.route.nodes.get(self.program.origin(n))?.kind {
            NodeKind::Conditional {
                condition: Some(c), ..
            } => Some(&c.value),
            _ => None,
        }
    }

    /// The sticky value split `n` hashes for a request with `metadata`, as the
    /// evaluator writes it: the sticky field's value when set, else `None` (the
    /// request id decides).
    pub fn sticky_text(&self, n: NodeId, metadata: &Model) -> Option<String> {
        let Some(Inst::Split {
            sticky: Some(slot), ..
        }) = self.program.inst(n)
        else {
            return None;
        };
        Some(match metadata.get(self.program.slot_name(*slot))? {
            Literal::Str(s) => s.clone(),
            Literal::Bool(b) => b.to_string(),
            Literal::Num(x) => {
                let mut s = String::new();
                crate::eval::write_number(&mut s, *x);
                s
            }
        })
    }

    /// The share of split `n` that the sticky value `value` falls in.
    pub fn share_of(&self, n: NodeId, value: &str) -> Option<usize> {
        let Some(Inst::Split { split, .. }) = self.program.inst(n) else {
            return None;
        };
        let bucket =
            crate::eval::sticky_bucket(self.program.name(), self.program.node_id(n), value);
        let shares = &self.program.splits.get(*split as usize)?.shares;
        let last = shares.len().checked_sub(1)?;
        Some(
            shares
                .iter()
                .position(|(bound, _)| bucket < *bound)
                .unwrap_or(last),
        )
    }

    /// The width of share `k` of split `n`, in hundredths of a percent.
    pub fn share_width(&self, n: NodeId, k: usize) -> u16 {
        let Some(Inst::Split { split, .. }) = self.program.inst(n) else {
            return 0;
        };
        let Some(shares) = self.program.splits.get(*split as usize).map(|s| &s.shares) else {
            return 0;
        };
        let lo = k
            .checked_sub(1)
            .and_then(|i| shares.get(i))
            .map_or(0, |s| s.0);
        shares.get(k).map_or(0, |s| s.0.saturating_sub(lo))
    }

    fn outputs_of(&self, n: NodeId) -> Vec<(Out, NodeId)> {
        match self.program.inst(n) {
            Some(Inst::Start { next }) => vec![(Out::Next, *next)],
            Some(Inst::Cond {
                then, otherwise, ..
            }) => vec![(Out::Cond(true), *then), (Out::Cond(false), *otherwise)],
            Some(Inst::Split { split, .. }) => {
                let shares = self.program.splits.get(*split as usize);
                let shares = shares.map_or(&[][..], |s| &s.shares[..]);
                (0..shares.len())
                    .filter(|&k| self.share_width(n, k) > 0)
                    .map(|k| (Out::Share(k), shares[k].1))
                    .collect()
            }
            Some(Inst::Limit {
                success, fallback, ..
            }) => vec![(Out::Limit(true), *success), (Out::Limit(false), *fallback)],
            Some(Inst::Model {
                success, fallback, ..
            }) => vec![
                (Out::Model(Report::Answered), *success),
                (Out::Model(Report::Failed), *fallback),
            ],
            _ => Vec::new(),
        }
    }

    /// For each (node, state): can a goal be reached from it, ignoring conditions?
    /// An iterative post-order walk from start: each pair is settled once.
    pub(super) fn can_reach(&self, rules: &Rules<'_>) -> Vec<bool> {
        let states = rules.states as usize;
        let n = self.program.len() * states;
        let at = |node: NodeId, s: u8| node as usize * states + s as usize;
        let mut alive = vec![false; n];
        let mut seen = vec![false; n];
        let mut stack: Vec<(NodeId, u8, bool)> = vec![(self.start, 0, false)];
        while let Some((node, s, expanded)) = stack.pop() {
            let i = at(node, s);
            let succ = self
                .outputs(node)
                .iter()
                .filter_map(|&(out, t)| (rules.step)(node, s, out).map(|ns| at(t, ns)));
            if expanded {
                let mut reach = (rules.goal)(node, s);
                for j in succ {
                    reach |= alive.get(j).copied().unwrap_or(false);
                }
                if let Some(a) = alive.get_mut(i) {
                    *a = reach;
                }
                continue;
            }
            if seen.get(i).copied().unwrap_or(true) {
                continue;
            }
            seen[i] = true;
            stack.push((node, s, true));
            for &(out, t) in self.outputs(node) {
                if let Some(ns) = (rules.step)(node, s, out) {
                    if !seen.get(at(t, ns)).copied().unwrap_or(true) {
                        stack.push((t, ns, false));
                    }
                }
            }
        }
        alive
    }
}
