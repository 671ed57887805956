//! The decisions a front table's rows settle (see `table`): a row that
//! leaves the front by a model whose whole tail is compiled, or by a split
//! each of whose shares leads to such a model, gets its decision (one per
//! share) compiled once, for `decide` to copy.

use std::collections::HashMap;

use super::table::{Done, Parts, Root};
use super::{Inst, NodeId, Tail};

/// The decision of a row whose front path is `front` and which leaves the
/// front by `exit`, when `exit` is a model whose tail is compiled: its index
/// in `root.done`. The path runs start, the front, the model and its tail, as
/// the walk would push them.
pub(super) fn settled(
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
    root.done.push(Done {
        at,
        len,
        served,
        model: served_model,
        chain,
    });
    Some(d)
}

/// The decisions of a row that leaves the front by split `exit` whose every
/// share leads to a model with a compiled tail: the index in `root.done` of
/// the first share's, the others following in the split's order. The split
/// node joins the front's path, so each path runs start, the front, the
/// split, the share's model and its tail, as the walk would push them.
pub(super) fn settled_split(
    p: &Parts<'_>,
    root: &mut Root,
    seen: &mut HashMap<Vec<NodeId>, u32>,
    front: &[NodeId],
    exit: NodeId,
) -> Option<u32> {
    let Some(&Inst::Split { split, .. }) = p.insts.get(exit as usize) else {
        return None;
    };
    let shares = &p.splits.get(split as usize)?.shares;
    let first = root.done.len();
    let mut through = Vec::with_capacity(front.len().saturating_add(1));
    through.extend_from_slice(front);
    through.push(exit);
    for (k, &(_, target)) in shares.iter().enumerate() {
        // Each share's decision lands right after the one before.
        if settled(p, root, seen, &through, target) != u32::try_from(first.checked_add(k)?).ok() {
            root.done.truncate(first);
            return None;
        }
    }
    u32::try_from(first).ok().filter(|_| !shares.is_empty())
}
