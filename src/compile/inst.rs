//! The instruction set of a compiled [`Program`](super::Program): one
//! instruction per node, and the side tables of splits, limits and models it
//! indexes.

use sha2::Sha256;

use super::{NodeId, SlotId};
use crate::syntax::ast::{LimitKind, WindowMode};

/// One instruction per node.
#[derive(Clone, Debug)]
pub enum Inst {
    /// Go to `next`.
    Start {
        /// Next node.
        next: NodeId,
    },
    /// Test a condition.
    Cond {
        /// Root of the condition in [`Program::conds`](super::Program::conds).
        cond: u32,
        /// Output `true`.
        then: NodeId,
        /// Output `false`.
        otherwise: NodeId,
    },
    /// Pick a share by bucket.
    Split {
        /// Slot of the sticky field, if any.
        sticky: Option<SlotId>,
        /// Index into the split table.
        split: u32,
    },
    /// A rate or budget limit.
    Limit {
        /// Index into [`Program::limits`](super::Program::limits).
        limit: u32,
        /// Output `success`.
        success: NodeId,
        /// Output `fallback`.
        fallback: NodeId,
    },
    /// Ask a model.
    Model {
        /// Index into [`Program::models`](super::Program::models).
        model: u32,
        /// Output `success`.
        success: NodeId,
        /// Output `fallback`.
        fallback: NodeId,
    },
    /// Finish.
    End,
}

/// A split's table: bucket upper bounds (exclusive) and targets, in order.
#[derive(Clone, Debug)]
pub struct Split {
    /// `(first bucket after this share, target)`, cumulative, last bound 10000.
    pub shares: Vec<(u16, NodeId)>,
    /// SHA-256 state after `route_name ‖ 0x00 ‖ node_id ‖ 0x00`.
    pub prefix: Sha256,
    /// The same prefix laid at the start of one SHA-256 block, zeros after
    /// it, with its length: a value short enough to share the block is
    /// hashed by one compression of a copy (see `eval::sticky`). `None` when
    /// the prefix leaves no room.
    pub(crate) block: Option<(Box<[u8; 64]>, usize)>,
}

/// A rate or budget limit's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct LimitSpec {
    /// Requests or dollars.
    pub kind: LimitKind,
    /// Slot of the key field (`None`: one counter for all requests).
    pub key: Option<SlotId>,
    /// The key field's name, for explanations.
    pub key_name: Option<Box<str>>,
    /// Requests or dollars per window.
    pub limit: f64,
    /// Window length in seconds.
    pub window: f64,
    /// Fixed or sliding.
    pub mode: WindowMode,
}

/// A model node's parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelSpec {
    /// Provider slug.
    pub provider: Box<str>,
    /// Model name.
    pub model: Box<str>,
    /// Milliseconds per attempt.
    pub timeout_ms: u64,
    /// Retries after the first attempt.
    pub retries: u32,
}

/// What a limit node does when its store cannot answer (a networked store down
/// or slow). The program's choice, applied by every limit node of the route; the
/// caller learns of each failure either way (the step and decision carry the
/// [`StoreError`](crate::eval::StoreError)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreFailure {
    /// Fail open (the default): the request passes on `success`, as if under
    /// the limit. An outage of the store never blocks traffic.
    #[default]
    Open,
    /// Fail closed: the request takes `fallback`, as if over the limit. An
    /// outage never lets traffic past a limit.
    Closed,
}
