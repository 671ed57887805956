//! A walk's state ([`Session`]) and what a traced walk records about each node
//! ([`TraceStep`]).

use super::machine::Report;
use super::state::StoreError;
use super::trail::Trail;
use crate::compile::NodeId;
use crate::rng::Rng;

/// Why a node sent the request where it did (recorded when tracing).
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// Start.
    Start,
    /// A condition and its result.
    Cond {
        /// The result.
        result: bool,
    },
    /// A split's bucket and the share it fell in.
    Split {
        /// Bucket 0..10000.
        bucket: u16,
        /// Index of the share taken.
        share: usize,
        /// Where the sticky value came from.
        from: StickyFrom,
    },
    /// A limit: what was used before this request, and whether it passed.
    Limit {
        /// Requests or dollars used in the window before this request; `None`
        /// when the store failed (see [`Session::store_error`]) and the
        /// program's [`StoreFailure`] decided.
        used: Option<f64>,
        /// Passed (`success`) or not (`fallback`).
        passed: bool,
    },
    /// A model and what it did.
    Model {
        /// Answered or failed.
        report: Report,
    },
    /// End.
    End,
}

/// Where a split's value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StickyFrom {
    /// The sticky field.
    Field,
    /// The request id.
    RequestId,
    /// The seeded generator.
    Random,
}

/// One traced step.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceStep {
    /// The node.
    pub node: NodeId,
    /// What happened there.
    pub reason: Reason,
}

/// The state of one walk, reusable across requests.
#[derive(Clone, Debug)]
pub struct Session {
    pub(super) path: Trail,
    pub(super) budgets: Vec<NodeId>,
    pub(super) fallbacks: Vec<NodeId>,
    pub(super) cursor: NodeId,
    pub(super) served: Option<NodeId>,
    pub(super) rng: Rng,
    pub(super) trace: Option<Vec<TraceStep>>,
    /// Whether the trace holds every node ([`Session::with_trace`]) or only
    /// the steps the request alone does not decide ([`Session::with_events`]).
    pub(super) every_node: bool,
    pub(super) text: String,
    /// The first store failure of the current request, and the limit node.
    pub(super) store_error: Option<(NodeId, StoreError)>,
    /// The fingerprint of the program whose request this is (0: none yet).
    pub(super) program: u64,
}

impl Session {
    /// A session whose random draws (for splits without a sticky value or request
    /// id) come from a generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Session {
            path: Trail::with_capacity(16),
            budgets: Vec::new(),
            fallbacks: Vec::new(),
            cursor: 0,
            served: None,
            rng: Rng::seed_from_u64(seed),
            trace: None,
            every_node: false,
            text: String::with_capacity(64),
            store_error: None,
            program: 0,
        }
    }

    /// Records a [`TraceStep`] per node from now on (for explanations). The
    /// walk then goes node by node over each condition's tree.
    pub fn with_trace(mut self) -> Self {
        self.trace = Some(Vec::new());
        self.every_node = true;
        self
    }

    /// Records a [`TraceStep`] only where something besides the request's
    /// values decided: at splits, limits and each model's report. Conditions
    /// run at full speed (as without a trace); the nodes visited are
    /// [`Session::path`]. What a simulation tallies per node.
    pub fn with_events(mut self) -> Self {
        self.trace = Some(Vec::new());
        self.every_node = false;
        self
    }

    /// Nodes visited by the current request, in order.
    pub fn path(&self) -> &[NodeId] {
        self.path.as_slice()
    }

    /// The trace of the current request (empty unless tracing; only splits,
    /// limits and model reports with [`Session::with_events`]).
    pub fn trace(&self) -> &[TraceStep] {
        self.trace.as_deref().unwrap_or(&[])
    }

    /// Budget limit nodes the current request passed on `success`.
    pub fn budgets(&self) -> &[NodeId] {
        &self.budgets
    }

    /// The first limit-store failure of the current request, with the limit node
    /// it happened at. The program's [`StoreFailure`] choice decided that node's
    /// output. ([`Program::settle`] returns its own failures.)
    pub fn store_error(&self) -> Option<(NodeId, &StoreError)> {
        self.store_error.as_ref().map(|(n, e)| (*n, e))
    }

    pub(super) fn store_failed(&mut self, node: NodeId, e: StoreError) {
        if self.store_error.is_none() {
            self.store_error = Some((node, e));
        }
    }

    #[inline]
    pub(super) fn note(&mut self, node: NodeId, reason: Reason) {
        if let Some(t) = &mut self.trace
            && (self.every_node
                || matches!(
                    reason,
                    Reason::Split { .. } | Reason::Limit { .. } | Reason::Model { .. }
                ))
        {
            t.push(TraceStep { node, reason });
        }
    }
}
