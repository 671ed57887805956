//! The resumable step machine: one request walked node by node, pausing at
//! each model call.
//!
//! [`Program::begin`] walks from start until a model must be asked (→
//! [`Step::Call`]) or an end is reached (→ [`Step::Done`]). The caller asks the
//! model and reports with [`Program::resume`]. A [`Session`] holds the walk's
//! state and its buffers; reusing one across requests allocates nothing once the
//! buffers have grown.

use super::EvalError;
use super::cond::range;
use super::request::{Request, Value};
use super::session::{Reason, Session};
use super::state::{KeyRef, LimitRef, LimitStore};
use crate::compile::{
    Inst, ModelSpec, NodeId, PATH_CHUNK, Program, Root, Row, Settled, StoreFailure,
};
use crate::syntax::ast::LimitKind;

/// What the caller must do next.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step<'p> {
    /// Ask this model, then report with [`Program::resume`].
    Call(Call<'p>),
    /// The request is finished.
    Done(Done),
}

/// A model to ask.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Call<'p> {
    /// The model node.
    pub node: NodeId,
    /// Its id.
    pub id: &'p str,
    /// Provider, model, timeout and retries.
    pub spec: &'p ModelSpec,
}

/// How a request finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Done {
    /// The last model that answered, or `None` (an error: no model answered).
    pub served_by: Option<NodeId>,
}

/// What a model did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Report {
    /// It started answering.
    Answered,
    /// It failed after all its retries (or timed out).
    Failed,
}

impl Program {
    /// Starts a request at time `now` (seconds since the epoch). Walks until the
    /// first model to ask (cheap: nothing past it is looked at).
    pub fn begin<S: LimitStore + ?Sized>(
        &self,
        s: &mut Session,
        req: &Request,
        store: &mut S,
        now: f64,
    ) -> Result<Step<'_>, EvalError> {
        req.check(self)?;
        self.reset(s);
        if !s.every_node {
            return Ok(self.walk(s, req, store, now, false));
        }
        Ok(self.run(s, req, store, now))
    }

    /// Makes `s` hold a fresh request of this program, at the start node.
    pub(super) fn reset(&self, s: &mut Session) {
        s.program = self.fingerprint();
        s.path.reset(self.insts.len());
        s.budgets.clear();
        s.served = None;
        s.store_error = None;
        if let Some(t) = &mut s.trace {
            t.clear();
        }
        s.cursor = 0;
    }

    /// The first model the request would ask, or `None` when the route ends
    /// without one: [`Program::begin`] without a step type to match on.
    ///
    /// Inlined into the caller like [`Program::decide`]: when the front
    /// table's row leads straight to a model whose decision is compiled, the
    /// answer and the session's path come from that decision.
    #[inline(always)]
    pub fn first_model<S: LimitStore + ?Sized>(
        &self,
        s: &mut Session,
        req: &Request,
        store: &mut S,
        now: f64,
    ) -> Result<Option<Call<'_>>, EvalError> {
        req.check(self)?;
        if s.trace.is_none()
            && let Some(root) = &self.root
        {
            let row = self.row(root, req);
            if let Some(row) = row
                && !row.split
                && let Some(done) = root.done.get(row.done as usize)
                && let Some(call) = self.first_settled(s, root, row, done)
            {
                return Ok(Some(call));
            }
            return Ok(self.first_past_front(s, req, store, now, root, row));
        }
        Ok(match self.begin(s, req, store, now)? {
            Step::Call(c) => Some(c),
            Step::Done(_) => None,
        })
    }

    /// [`Program::first_model`] for a row whose decision is compiled (`done`:
    /// the row's own when it leaves by a model, the share's when it leaves
    /// by a split): the session is left where `begin` would leave it, at
    /// the serving model, its path the decision's up to that model.
    #[inline(always)]
    fn first_settled<'a>(
        &'a self,
        s: &mut Session,
        root: &Root,
        row: &Row,
        done: &Settled,
    ) -> Option<Call<'a>> {
        let node = done.served;
        let Some(&Inst::Model { model, .. }) = self.insts.get(node as usize) else {
            return None;
        };
        let call = Call {
            node,
            id: self.ids.get(node as usize)?,
            spec: self.models.get(model as usize)?,
        };
        self.fresh(s);
        s.served = None;
        // Start, the front, the split if the row leaves by one, and the
        // model: the decision's path begins so.
        let len = row
            .len
            .saturating_add(2)
            .saturating_add(u32::from(row.split))
            .min(done.len);
        let chunk = (done.len as usize <= PATH_CHUNK).then_some(&done.chunk);
        s.path.copy(chunk, &root.path, done.at, len);
        s.cursor = node;
        Some(call)
    }

    /// [`Program::first_model`] past what the front table settles alone: a
    /// split's shares (drawn as the walk draws), or the walk from where the
    /// row leaves (from start when no row matches).
    #[inline(never)]
    fn first_past_front<S: LimitStore + ?Sized>(
        &self,
        s: &mut Session,
        req: &Request,
        store: &mut S,
        now: f64,
        root: &Root,
        row: Option<&Row>,
    ) -> Option<Call<'_>> {
        if let Some(row) = row
            && row.split
            && let Some(done) = self.settled_share(s, root, row, req)
        {
            return self.first_settled(s, root, row, done);
        }
        let step = match row {
            Some(row) => {
                self.past_front(s, root, row);
                if let Some(&Inst::Model { model, .. }) = self.insts.get(row.exit as usize)
                    && let (Some(id), Some(spec)) = (
                        self.ids.get(row.exit as usize),
                        self.models.get(model as usize),
                    )
                {
                    // The conditions after start lead straight to a model:
                    // the session is left where `begin` would leave it.
                    s.path.push(row.exit);
                    return Some(Call {
                        node: row.exit,
                        id,
                        spec,
                    });
                }
                self.walk(s, req, store, now, false)
            }
            None => {
                self.reset(s);
                self.walk(s, req, store, now, false)
            }
        };
        match step {
            Step::Call(c) => Some(c),
            Step::Done(_) => None,
        }
    }

    /// Starts a session on a fresh request of this program, for the paths
    /// that never trace (the callers checked): [`Program::reset`] but for
    /// the trace, the path and where the session stands.
    #[inline(always)]
    pub(super) fn fresh(&self, s: &mut Session) {
        s.program = self.fingerprint();
        s.budgets.clear();
        s.store_error = None;
    }

    /// Makes `s` hold a fresh request of this program that has run start and
    /// the conditions after it as `row` of their table says: the path start
    /// and the row's nodes, the cursor at the node the row leaves by. The
    /// session has no trace (the callers checked), so this is
    /// [`Program::reset`] without its trace.
    #[inline]
    pub(super) fn past_front(&self, s: &mut Session, root: &Root, row: &Row) {
        self.fresh(s);
        s.served = None;
        s.path.set(&[0]);
        s.path.extend(range(&root.path, row.at, row.len));
        s.cursor = row.exit;
    }

    pub(super) fn check_session(&self, s: &Session) -> Result<(), EvalError> {
        if s.program == self.fingerprint() {
            Ok(())
        } else {
            Err(EvalError::ForeignSession)
        }
    }

    /// Reports what the model of the last [`Step::Call`] did, and goes on.
    pub fn resume<S: LimitStore + ?Sized>(
        &self,
        s: &mut Session,
        req: &Request,
        store: &mut S,
        now: f64,
        report: Report,
    ) -> Result<Step<'_>, EvalError> {
        req.check(self)?;
        self.check_session(s)?;
        if !self.advance(s, report) {
            Ok(Step::Done(Done {
                served_by: s.served,
            }))
        } else if !s.every_node {
            Ok(self.walk(s, req, store, now, false))
        } else {
            Ok(self.run(s, req, store, now))
        }
    }

    /// Moves past the model at the cursor as `report` says; `false` when the
    /// cursor is not at a model (the request is over).
    #[inline]
    pub(super) fn advance(&self, s: &mut Session, report: Report) -> bool {
        let Some(Inst::Model {
            success, fallback, ..
        }) = self.insts.get(s.cursor as usize)
        else {
            return false;
        };
        s.note(s.cursor, Reason::Model { report });
        s.cursor = match report {
            Report::Answered => {
                s.served = Some(s.cursor);
                *success
            }
            Report::Failed => *fallback,
        };
        true
    }

    /// Charges `cost` dollars, settled at `now`, to every budget the request
    /// passed. Every budget is tried; the first store failure is returned.
    pub fn settle<S: LimitStore + ?Sized>(
        &self,
        s: &Session,
        req: &Request,
        store: &mut S,
        now: f64,
        cost: f64,
    ) -> Result<(), EvalError> {
        req.check(self)?;
        self.check_session(s)?;
        if !(cost.is_finite() && cost > 0.0) {
            return Ok(());
        }
        let mut first = Ok(());
        for &n in &s.budgets {
            if let Some(limit) = self.limit_ref(n) {
                let r = store.add(limit, key_of(req, limit.spec.key), now, cost);
                if first.is_ok() {
                    first = r;
                }
            }
        }
        Ok(first?)
    }

    /// The identity and parameters of limit node `n`.
    pub(super) fn limit_ref(&self, n: NodeId) -> Option<LimitRef<'_>> {
        Some(LimitRef {
            route: &self.name,
            node: self.ids.get(n as usize)?,
            spec: self.limit(n)?,
        })
    }

    /// Where a start or condition node sends the request: the nodes that read
    /// only the request, inlined into the walk (through `pass`, a call per
    /// node, they cost a tenth of a decision).
    #[inline(always)]
    fn direct(&self, inst: &Inst, req: &Request) -> Option<(NodeId, Reason)> {
        match inst {
            Inst::Start { next } => Some((*next, Reason::Start)),
            Inst::Cond {
                cond,
                then,
                otherwise,
            } => {
                let result = self.eval_cond(*cond, req);
                Some((
                    if result { *then } else { *otherwise },
                    Reason::Cond { result },
                ))
            }
            _ => None,
        }
    }

    /// Where non-model node `n` (instruction `inst`) sends the request, and why. `live` counts toward
    /// limits and draws from the session's generator; otherwise it only looks.
    /// `None` at an end (or a model, which the caller handles). Out of line:
    /// splits and limits cost far more than the call, and the walks over
    /// conditions keep their few values in registers.
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    pub(super) fn pass<S: LimitStore + ?Sized>(
        &self,
        n: NodeId,
        inst: &Inst,
        s: &mut Session,
        req: &Request,
        store: &mut S,
        now: f64,
        live: bool,
    ) -> Option<(NodeId, Reason)> {
        match inst {
            Inst::Start { .. } | Inst::Cond { .. } => self.direct(inst, req),
            Inst::Split { sticky, split } => {
                let (bucket, share, next, from) = self.bucket(s, *sticky, *split, req, live)?;
                Some((
                    next,
                    Reason::Split {
                        bucket,
                        share,
                        from,
                    },
                ))
            }
            Inst::Limit {
                success, fallback, ..
            } => {
                let limit = self.limit_ref(n)?;
                let key = key_of(req, limit.spec.key);
                let used = match (live, limit.spec.kind) {
                    (true, LimitKind::Count) => store.admit_one(limit, key, now),
                    _ => store.used(limit, key, now),
                };
                let (used, passed) = match used {
                    Ok(used) => (Some(used), used < limit.spec.limit),
                    Err(e) => {
                        if live {
                            s.store_failed(n, e);
                        }
                        (None, self.store_failure == StoreFailure::Open)
                    }
                };
                if passed && live && limit.spec.kind == LimitKind::Cost {
                    s.budgets.push(n);
                }
                Some((
                    if passed { *success } else { *fallback },
                    Reason::Limit { used, passed },
                ))
            }
            Inst::Model { .. } | Inst::End => None,
        }
    }

    pub(super) fn run<S: LimitStore + ?Sized>(
        &self,
        s: &mut Session,
        req: &Request,
        store: &mut S,
        now: f64,
    ) -> Step<'_> {
        let mut n = s.cursor;
        // Outputs always point forward, so a walk visits each node at most once.
        for _ in 0..=self.insts.len() {
            let Some(inst) = self.insts.get(n as usize) else {
                break;
            };
            s.path.push(n);
            match inst {
                Inst::Model { model, .. } => {
                    s.cursor = n;
                    let (Some(id), Some(spec)) =
                        (self.ids.get(n as usize), self.models.get(*model as usize))
                    else {
                        break;
                    };
                    return Step::Call(Call { node: n, id, spec });
                }
                Inst::End => {
                    s.note(n, Reason::End);
                    break;
                }
                // `pass` takes the instruction already looked up.
                _ => match self
                    .direct(inst, req)
                    .or_else(|| self.pass(n, inst, s, req, store, now, true))
                {
                    Some((next, reason)) => {
                        s.note(n, reason);
                        n = next;
                    }
                    None => break,
                },
            }
        }
        Step::Done(Done {
            served_by: s.served,
        })
    }
}

/// The request's value of a limit's key field.
fn key_of(req: &Request, slot: Option<u16>) -> KeyRef<'_> {
    match slot.and_then(|s| req.get(s)) {
        None => KeyRef::Missing,
        Some(Value::Str(s)) => KeyRef::Str(s),
        Some(Value::Num(n)) => KeyRef::Num(n),
        Some(Value::Bool(b)) => KeyRef::Bool(b),
    }
}
