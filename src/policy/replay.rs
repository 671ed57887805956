//! Replaying a path found on the graph through the evaluator, so that a policy
//! violation is only reported with a request the evaluator really sends there.
//!
//! The request carries the metadata the solver found. Models fail or answer as
//! the rule says; limits the path leaves by `fallback` are used up (the store
//! reports them full); splits follow the sticky value or the request id the
//! search landed them with.

use crate::compile::{NodeId, Program};
use crate::eval::{
    KeyRef, LimitRef, LimitStore, MAX_METADATA_ENTRIES, Report, Request, Session, Step, StoreError,
    Value,
};
use crate::syntax::ast::Literal;

use super::graph::Graph;
use super::search::{Found, Out};

/// A request the evaluator sends along a path, and the situation it meets.
#[derive(Clone, Debug)]
pub(super) struct Example {
    /// The request's metadata, as JSON.
    pub metadata: serde_json::Value,
    /// The request id, when a split needed one.
    pub request_id: Option<String>,
    /// Model nodes that fail.
    pub failing: Vec<NodeId>,
    /// Limit nodes that are used up.
    pub used_up: Vec<NodeId>,
    /// Model nodes that answer.
    pub answered: Vec<NodeId>,
    /// The model that served the request (the last to answer), if any.
    pub served_by: Option<NodeId>,
    /// The nodes the evaluator went through.
    pub path: Vec<NodeId>,
}

/// The limits of one replayed request: the listed ones (by node id) full, the
/// others empty. A request passes each limit at most once, so an empty limit
/// needs no counter.
struct Full<'a> {
    full: &'a [&'a str],
}

impl Full<'_> {
    fn level(&self, limit: LimitRef<'_>) -> f64 {
        if self.full.contains(&limit.node) {
            limit.spec.limit
        } else {
            0.0
        }
    }
}

impl LimitStore for Full<'_> {
    fn admit_one(
        &mut self,
        limit: LimitRef<'_>,
        _key: KeyRef<'_>,
        _now: f64,
    ) -> Result<f64, StoreError> {
        Ok(self.level(limit))
    }

    fn used(
        &mut self,
        limit: LimitRef<'_>,
        _key: KeyRef<'_>,
        _now: f64,
    ) -> Result<f64, StoreError> {
        Ok(self.level(limit))
    }

    fn add(
        &mut self,
        _limit: LimitRef<'_>,
        _key: KeyRef<'_>,
        _now: f64,
        _amount: f64,
    ) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Replays `found` (with request id `id`, when given) with models failing
/// where `fails` says; `Some` when the evaluator takes exactly the path's nodes.
pub(super) fn replay(
    g: &Graph<'_>,
    found: &Found,
    id: Option<&str>,
    fails: &dyn Fn(NodeId) -> bool,
) -> Option<Example> {
    let program = g.program;
    // The gateway reads at most this many entries: a request with more could
    // not be sent, so it is no example.
    if found.metadata.entries.len() > MAX_METADATA_ENTRIES {
        return None;
    }
    let used_up: Vec<NodeId> = found
        .hops
        .iter()
        .filter(|h| h.out == Out::Limit(false))
        .map(|h| h.node)
        .collect();
    let full: Vec<&str> = used_up.iter().map(|&n| program.node_id(n)).collect();
    let wanted: Vec<NodeId> = found.hops.iter().map(|h| h.node).collect();
    // The id only matters (and is only shown) when a split on the path hashes it.
    let id = id.filter(|_| {
        found.hops.iter().any(|h| {
            matches!(h.out, Out::Share(_)) && g.sticky_text(h.node, &found.metadata).is_none()
        })
    });
    let mut req = Request::new(program);
    let mut fill = req.fill(program);
    for (key, value) in &found.metadata.entries {
        let v = match *value {
            Literal::Str(ref s) => Value::Str(s),
            Literal::Num(n) => Value::Num(n),
            Literal::Bool(b) => Value::Bool(b),
        };
        // A key the route never reads changes nothing (only the rule reads it).
        fill.set(key, v);
    }
    if let Some(id) = id {
        fill.set_id(id);
    }
    let mut store = Full { full: &full };
    let mut session = Session::new(0);
    let mut failing = Vec::new();
    let mut answered = Vec::new();
    // An evaluation error (none is expected of a request built for the
    // program) means no example.
    let mut step = program.begin(&mut session, &req, &mut store, 0.0).ok()?;
    let served_by = loop {
        match step {
            Step::Call(call) => {
                let report = if fails(call.node) {
                    failing.push(call.node);
                    Report::Failed
                } else {
                    answered.push(call.node);
                    Report::Answered
                };
                step = program
                    .resume(&mut session, &req, &mut store, 0.0, report)
                    .ok()?;
            }
            Step::Done(done) => break done.served_by,
        }
    };
    let path = session.path();
    (path.len() >= wanted.len() && path[..wanted.len()] == wanted[..]).then(|| Example {
        metadata: found.metadata.to_json(),
        request_id: id.map(str::to_string),
        failing,
        answered,
        used_up,
        served_by,
        path: path.to_vec(),
    })
}

impl Example {
    /// The example in words: metadata, request id, failures and full limits.
    pub fn describe(&self, program: &Program) -> String {
        let mut s = format!("example request: metadata {}", self.metadata);
        if let Some(id) = &self.request_id {
            s.push_str(&format!(", request id `{id}`"));
        }
        let names = |ns: &[NodeId]| {
            ns.iter()
                .map(|&n| format!("`{}`", program.node_id(n)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.failing.is_empty() {
            s.push_str(&format!(", with {} failing", names(&self.failing)));
        }
        if !self.used_up.is_empty() {
            s.push_str(&format!(", with {} used up", names(&self.used_up)));
        }
        s.push_str(" (replayed through the evaluator)");
        s
    }
}

/// `start → a → b`, by node id.
pub(super) fn path_words(program: &Program, path: &[NodeId]) -> String {
    path.iter()
        .map(|&n| program.node_id(n))
        .collect::<Vec<_>>()
        .join(" → ")
}
