//! What follows a model node when nothing there depends on the request.
//!
//! `decide` assumes every model answers, then lists the models that would be
//! tried if each failed. Most routes end right after their models (a model's
//! `success` goes to `end`, its `fallback` to another model or `end`), so both
//! walks visit only models and ends: their result is the same for every
//! request. Compiling them once lets `decide` copy the answer instead of
//! walking the same nodes on every call. A walk that meets a condition, split
//! or limit is left to the evaluator, which reads the request and counts.

use super::{Inst, NodeId, index};

/// The longest walk kept: past it the evaluator walks (so the pool stays
/// linear in the program's size even for long chains of models).
const MAX_TAIL: usize = 32;

/// The precomputed walks behind one model node, as ranges of
/// `Program::tail_nodes`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tail {
    /// Nodes after the model when it and every model after it answers, up to
    /// and including the end, and the last model among them (the one that
    /// serves); `None` when the walk passes a node that reads the request.
    pub(crate) after: Option<(u32, u32, NodeId)>,
    /// The models tried, in order, when the model and each one after it fail;
    /// `None` when that walk passes a node that reads the request.
    pub(crate) chain: Option<(u32, u32)>,
}

/// Follows `next` from node `from` through models only: the nodes met (models
/// and the end they reach, the end included when `with_end`), or `None` when a
/// node other than a model or end is met. Outputs point forward, so the walk
/// ends within the program's length.
fn walk(
    insts: &[Inst],
    from: NodeId,
    next: fn(&Inst) -> Option<NodeId>,
    with_end: bool,
    out: &mut Vec<NodeId>,
) -> Option<u32> {
    let start = out.len();
    let mut n = from;
    for _ in 0..=insts.len().min(MAX_TAIL) {
        match insts.get(n as usize) {
            Some(Inst::End) => {
                if with_end {
                    out.push(n);
                }
                return Some(index(out.len().saturating_sub(start)));
            }
            Some(inst @ Inst::Model { .. }) => {
                out.push(n);
                match next(inst) {
                    Some(to) => n = to,
                    None => break,
                }
            }
            _ => break,
        }
    }
    out.truncate(start);
    None
}

/// The tails of every model node (indexed by model), and the pool they point into.
pub(crate) fn tails(insts: &[Inst]) -> (Vec<Tail>, Vec<NodeId>) {
    let mut out = Vec::new();
    let mut tails = Vec::new();
    for (n, inst) in insts.iter().enumerate() {
        let Inst::Model {
            success, fallback, ..
        } = inst
        else {
            continue;
        };
        let at = index(out.len());
        let after = walk(insts, *success, success_of, true, &mut out).map(|len| {
            // The last model on the way serves; without one, this model does.
            let served = out
                .iter()
                .rev()
                .take(len as usize)
                .copied()
                .find(|m| matches!(insts.get(*m as usize), Some(Inst::Model { .. })))
                .unwrap_or(index(n));
            (at, len, served)
        });
        let at = index(out.len());
        let chain = walk(insts, *fallback, fallback_of, false, &mut out).map(|len| (at, len));
        tails.push(Tail { after, chain });
    }
    (tails, out)
}

fn success_of(inst: &Inst) -> Option<NodeId> {
    match inst {
        Inst::Model { success, .. } => Some(*success),
        _ => None,
    }
}

fn fallback_of(inst: &Inst) -> Option<NodeId> {
    match inst {
        Inst::Model { fallback, .. } => Some(*fallback),
        _ => None,
    }
}
