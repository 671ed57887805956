//! The decisions a front table's rows settle (see `table`): a row that
//! leaves the front by a model whose whole tail is compiled, or by a split
//! each of whose shares leads to such a model, gets its decision (one per
//! share) compiled once, for `decide` to copy.

use std::collections::HashMap;

use super::table::{Done, PATH_CHUNK, Parts, Root};
use super::{Inst, NONE, NodeId, Tail};

/// The decisions of a row whose front path is `front` and which leaves the
/// front by `exit`, when it settles any: the index in `root.done` of its
/// decision, and whether `exit` is a split (the index is then that of its
/// first share's decision, the others following in the split's order).
pub(super) fn settle(
    p: &Parts<'_>,
    root: &mut Root,
    seen: &mut HashMap<Vec<NodeId>, u32>,
    front: &[NodeId],
    exit: NodeId,
) -> Option<(u32, bool)> {
    match p.insts.get(exit as usize)? {
        Inst::Model { .. } => model(p, root, seen, front, exit).map(|d| (d, false)),
        &Inst::Split { split, .. } => {
            let shares = &p.splits.get(split as usize)?.shares;
            // The split node joins the front's path, so each share's path
            // runs start, the front, the split, its model and the tail.
            let mut through = Vec::with_capacity(front.len().saturating_add(1));
            through.extend_from_slice(front);
            through.push(exit);
            let first = root.done.len();
            for (k, &(_, target)) in shares.iter().enumerate() {
                // Each share's decision lands right after the one before.
                let want = u32::try_from(first.checked_add(k)?).ok();
                if model(p, root, seen, &through, target) != want {
                    root.done.truncate(first);
                    return None;
                }
            }
            let first = u32::try_from(first).ok().filter(|_| !shares.is_empty())?;
            Some((first, true))
        }
        _ => None,
    }
}

/// The decision of a path `front` that reaches model `exit`, when the
/// model's tail is compiled: its index in `root.done`. The path runs start,
/// the front, the model and its tail, as the walk would push them.
fn model(
    p: &Parts<'_>,
    root: &mut Root,
    seen: &mut HashMap<Vec<NodeId>, u32>,
    front: &[NodeId],
    exit: NodeId,
) -> Option<u32> {
    let Some(&Inst::Model { model, .. }) = p.insts.get(exit as usize) else {
        return None;
    };
    let &Tail {
        after: Some((at, len, served)),
        chain: Some(chain),
    } = p.tails.get(model as usize)?
    else {
        return None;
    };
    let served_model = match p.insts.get(served as usize)? {
        Inst::Model { model, .. } => *model,
        _ => return None,
    };
    let mut whole = Vec::with_capacity(front.len().saturating_add(8));
    whole.push(0);
    whole.extend_from_slice(front);
    whole.push(exit);
    whole.extend_from_slice(super::range(p.tail_nodes, at, len));
    let (at, len) = root.keep(seen, &whole)?;
    let d = u32::try_from(root.done.len()).ok()?;
    let mut chunk = [NONE; PATH_CHUNK];
    if whole.len() <= PATH_CHUNK {
        for (to, &from) in chunk.iter_mut().zip(&whole) {
            *to = from;
        }
    }
    root.done.push(Done {
        at,
        len,
        served,
        model: served_model,
        chain,
        last: whole.last().copied().unwrap_or(0),
        chunk,
    });
    Some(d)
}
