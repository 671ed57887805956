//! The one place `aig-route test` touches the evaluator.
//!
//! Everything else in [`crate::testing`] (and the solver and mutator built on it)
//! speaks plain node indices (`usize`, in program order) and output indices, so a
//! change to the evaluator's types is absorbed here.

use crate::compile::{Inst, NodeId, Program};
use crate::eval::{MemoryStore, Reason, Report, Request, Session, Step, Value};
use crate::source::Span;
use crate::syntax::ast::{LimitKind, Literal, Route};

/// A node's kind, as coverage and generation need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The start node.
    Start,
    /// A conditional.
    Cond,
    /// A percentage split.
    Split,
    /// A rate limit.
    Rate,
    /// A budget limit.
    Budget,
    /// A model.
    Model,
    /// An end.
    End,
}

/// A compiled route with what tests need to name and locate its parts.
#[derive(Clone, Debug)]
pub struct Target {
    program: Program,
    route: Route,
    /// Per node: `(output name, target node)`, in wire order.
    outputs: Vec<Vec<(String, usize)>>,
}

/// A request ready to run: ids resolved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prepared {
    /// Metadata entries (the first five count, as at the gateway).
    pub metadata: Vec<(String, Literal)>,
    /// Request id.
    pub id: Option<String>,
    /// Seconds since the epoch.
    pub at: f64,
    /// Model nodes that fail.
    pub fail: Vec<usize>,
    /// Dollars settled when served.
    pub cost: f64,
}

/// What one request did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The model that served it.
    pub served: Option<usize>,
    /// Nodes visited.
    pub path: Vec<usize>,
    /// Edges taken: `(node, output index)`.
    pub edges: Vec<(usize, usize)>,
    /// With explanations on: `(node id, step in words)` per step.
    pub steps: Vec<(String, String)>,
}

/// Limit counters for one case (fresh per case).
#[derive(Clone, Debug, Default)]
pub struct Counters(MemoryStore);

/// Reusable buffers for running requests.
#[derive(Debug)]
pub struct Runner {
    session: Session,
    request: Request,
}

impl Target {
    /// A route that validated without errors and the program compiled from it
    /// (both from [`crate::check::Checked`]).
    pub fn new(route: Route, program: Program) -> Target {
        let mut outputs = Vec::with_capacity(program.len());
        for n in 0..program.len() {
            let names: Vec<String> = route
                .nodes
                .get(program.origin(n as NodeId))
                .map(|node| {
                    node.kind
                        .outputs()
                        .iter()
                        .map(|(name, _)| (*name).to_string())
                        .collect()
                })
                .unwrap_or_default();
            let targets: Vec<usize> = match program.inst(n as NodeId) {
                Some(Inst::Start { next }) => vec![*next as usize],
                Some(Inst::Cond {
                    then, otherwise, ..
                }) => vec![*then as usize, *otherwise as usize],
                Some(Inst::Split { split, .. }) => program.splits[*split as usize]
                    .shares
                    .iter()
                    .map(|(_, t)| *t as usize)
                    .collect(),
                Some(
                    Inst::Limit {
                        success, fallback, ..
                    }
                    | Inst::Model {
                        success, fallback, ..
                    },
                ) => vec![*success as usize, *fallback as usize],
                Some(Inst::End) | None => Vec::new(),
            };
            outputs.push(names.into_iter().zip(targets).collect());
        }
        Target {
            program,
            route,
            outputs,
        }
    }

    /// The route as read.
    pub fn route(&self) -> &Route {
        &self.route
    }

    /// The route's name (part of every split's bucket hash).
    pub fn name(&self) -> &str {
        self.program.name()
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.program.len()
    }

    /// Whether the route has no nodes.
    pub fn is_empty(&self) -> bool {
        self.program.is_empty()
    }

    /// The author's id of node `n`.
    pub fn id(&self, n: usize) -> &str {
        self.program.node_id(n as NodeId)
    }

    /// The node named `id`.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.program.find_node(id).map(|n| n as usize)
    }

    /// Every node id, in program order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|n| self.id(n))
    }

    /// The kind of node `n`.
    pub fn kind(&self, n: usize) -> Kind {
        match self.program.inst(n as NodeId) {
            Some(Inst::Start { .. }) => Kind::Start,
            Some(Inst::Cond { .. }) => Kind::Cond,
            Some(Inst::Split { .. }) => Kind::Split,
            Some(Inst::Limit { limit, .. }) => match self.program.limits[*limit as usize].kind {
                LimitKind::Count => Kind::Rate,
                LimitKind::Cost => Kind::Budget,
            },
            Some(Inst::Model { .. }) => Kind::Model,
            Some(Inst::End) | None => Kind::End,
        }
    }

    /// The syntax-tree node of program node `n`.
    pub fn syntax(&self, n: usize) -> Option<&crate::syntax::ast::Node> {
        self.route.nodes.get(self.program.origin(n as NodeId))
    }

    /// Where node `n` is written.
    pub fn span(&self, n: usize) -> Span {
        self.syntax(n)
            .map_or_else(Span::default, |node| node.id.span)
    }

    /// The outputs of node `n`: `(name, target)` in wire order.
    pub fn outputs(&self, n: usize) -> &[(String, usize)] {
        self.outputs.get(n).map_or(&[], Vec::as_slice)
    }

    /// Which nodes start can reach (program order is topological, so one pass).
    pub fn reachable(&self) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        if let Some(first) = seen.first_mut() {
            *first = true;
        }
        for n in 0..self.len() {
            if seen[n] {
                for &(_, t) in self.outputs(n) {
                    if let Some(s) = seen.get_mut(t) {
                        *s = true;
                    }
                }
            }
        }
        seen
    }

    /// A limit node's parameters: `(limit, window seconds, key field)`.
    pub fn limit(&self, n: usize) -> Option<(f64, f64, Option<&str>)> {
        let l = self.program.limit(n as NodeId)?;
        Some((l.limit, l.window, l.key_name.as_deref()))
    }

    /// Whether limit `n` counts a sliding window (else fixed windows).
    pub fn sliding(&self, n: usize) -> bool {
        self.program
            .limit(n as NodeId)
            .is_some_and(|l| l.mode == crate::syntax::ast::WindowMode::Sliding)
    }

    /// A split's buckets: the first bucket after each share, in order.
    pub fn split_bounds(&self, n: usize) -> Vec<u16> {
        match self.program.inst(n as NodeId) {
            Some(Inst::Split { split, .. }) => self.program.splits[*split as usize]
                .shares
                .iter()
                .map(|(b, _)| *b)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A split's sticky field (without `metadata.`).
    pub fn sticky(&self, n: usize) -> Option<&str> {
        match self.program.inst(n as NodeId) {
            Some(Inst::Split {
                sticky: Some(slot), ..
            }) => Some(self.program.slot_name(*slot)),
            _ => None,
        }
    }

    /// The condition of a conditional node.
    pub fn cond(&self, n: usize) -> Option<&crate::syntax::ast::Cond> {
        match &self.syntax(n)?.kind {
            crate::syntax::ast::NodeKind::Conditional {
                condition: Some(c), ..
            } => Some(&c.value),
            _ => None,
        }
    }

    /// The share split `n` picks for a request whose sticky field holds `sticky`
    /// and whose id is `id` (`None`: neither, so the pick is a random draw).
    pub fn split_arm(&self, n: usize, sticky: Option<&Literal>, id: Option<&str>) -> Option<usize> {
        let text = match (self.sticky(n).and(sticky), id) {
            (Some(Literal::Str(s)), _) => s.clone(),
            (Some(Literal::Num(x)), _) => {
                let mut t = String::new();
                crate::eval::write_number(&mut t, *x);
                t
            }
            (Some(Literal::Bool(b)), _) => b.to_string(),
            (None, Some(id)) => id.to_string(),
            (None, None) => return None,
        };
        let bucket = crate::eval::sticky_bucket(self.name(), self.id(n), &text);
        let bounds = self.split_bounds(n);
        bounds
            .iter()
            .position(|b| bucket < *b)
            .or(bounds.len().checked_sub(1))
    }

    /// Whether the route reads metadata key `key` anywhere.
    pub fn reads(&self, key: &str) -> bool {
        self.program.slot(key).is_some()
    }

    /// Every metadata key the route reads.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        (0..self.program.slot_count()).map(|s| self.program.slot_name(s as u16))
    }
}

impl Counters {
    /// Empty counters.
    pub fn new() -> Self {
        Counters(MemoryStore::new())
    }
}

impl Default for Runner {
    fn default() -> Self {
        Runner::new()
    }
}

impl Runner {
    /// Fresh buffers.
    pub fn new() -> Self {
        Runner {
            session: Session::new(0).with_trace(),
            request: Request::default(),
        }
    }

    /// Starts a case: splits without a sticky value or request id draw from a
    /// generator seeded afresh, so a case's outcome never depends on the cases
    /// run before it.
    pub fn fresh(&mut self) {
        self.session = Session::new(0).with_trace();
    }

    /// Runs one request against `counters`, settling its cost when served. Fills
    /// `out` (cleared first); with `explain`, also the steps in words.
    pub fn run(
        &mut self,
        t: &Target,
        req: &Prepared,
        counters: &mut Counters,
        explain: bool,
        out: &mut Outcome,
    ) {
        if let Some(served) = self.drive(t, req, counters) {
            self.record(t, served, explain, out);
        }
    }

    /// Runs one request for its effect on `counters` alone (a `before`
    /// request): nothing is recorded.
    pub fn run_quiet(&mut self, t: &Target, req: &Prepared, counters: &mut Counters) {
        self.drive(t, req, counters);
    }

    /// Runs one request to its end, settling its cost when served: the model
    /// that served it; `None` when it did not finish (it always does: the
    /// request is filled for `t`).
    fn drive(
        &mut self,
        t: &Target,
        req: &Prepared,
        counters: &mut Counters,
    ) -> Option<Option<usize>> {
        let p = &t.program;
        let mut fill = self.request.fill(p);
        for (k, v) in req.metadata.iter().take(crate::eval::MAX_METADATA_ENTRIES) {
            let value = match v {
                Literal::Str(s) => Value::Str(s),
                Literal::Num(x) => Value::Num(*x),
                Literal::Bool(b) => Value::Bool(*b),
            };
            fill.set(k, value);
        }
        if let Some(id) = &req.id {
            fill.set_id(id);
        }
        let (s, r, store) = (&mut self.session, &self.request, &mut counters.0);
        // The request was just filled for `p`: neither call can refuse it.
        let mut step = p.begin(s, r, store, req.at);
        while let Ok(Step::Call(call)) = step {
            let report = if req.fail.contains(&(call.node as usize)) {
                Report::Failed
            } else {
                Report::Answered
            };
            step = p.resume(s, r, store, req.at, report);
        }
        let Ok(Step::Done(done)) = step else {
            return None;
        };
        if done.served_by.is_some() {
            // The in-memory store never fails.
            let _ = p.settle(s, r, store, req.at, req.cost);
        }
        Some(done.served_by.map(|n| n as usize))
    }

    /// The outcome of the request [`Self::drive`] just ran.
    fn record(&self, t: &Target, served: Option<usize>, explain: bool, out: &mut Outcome) {
        let (p, s, r) = (&t.program, &self.session, &self.request);
        out.served = served;
        out.path.clear();
        out.path.extend(s.path().iter().map(|n| *n as usize));
        out.edges.clear();
        out.steps.clear();
        for step in s.trace() {
            let n = step.node as usize;
            let taken = match step.reason {
                Reason::Start => Some(0),
                Reason::Cond { result } => Some(usize::from(!result)),
                Reason::Split { share, .. } => Some(share),
                Reason::Limit { passed, .. } => Some(usize::from(!passed)),
                Reason::Model { report } => Some(usize::from(report == Report::Failed)),
                _ => None,
            };
            if let Some(o) = taken {
                out.edges.push((n, o));
            }
            if explain {
                out.steps.push((
                    p.node_id(step.node).to_string(),
                    crate::explain::step(p, step.node, &step.reason, r),
                ));
            }
        }
    }
}
