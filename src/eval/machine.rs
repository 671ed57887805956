//! The resumable step machine (SPEC section 5).
//!
//! [`Program::begin`] walks from start until a model must be asked (→
//! [`Step::Call`]) or an end is reached (→ [`Step::Done`]). The caller asks the
//! model and reports with [`Program::resume`]. A [`Session`] holds the walk's
//! state and its buffers; reusing one across requests allocates nothing once the
//! buffers have grown.

use std::fmt::Write as _;

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use sha2::Digest;

use super::request::{Request, Value};
use super::state::{KeyRef, LimitStore};
use crate::compile::{CondOp, Inst, Lit, ModelSpec, NodeId, Program};
use crate::syntax::ast::{CmpOp, LimitKind};

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
        /// Requests or dollars used in the window before this request.
        used: f64,
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
    path: Vec<NodeId>,
    budgets: Vec<u32>,
    fallbacks: Vec<NodeId>,
    cursor: NodeId,
    served: Option<NodeId>,
    rng: ChaCha8Rng,
    trace: Option<Vec<TraceStep>>,
    text: String,
}

impl Session {
    /// A session whose random draws (for splits without a sticky value or request
    /// id) come from a generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Session {
            path: Vec::with_capacity(16),
            budgets: Vec::new(),
            fallbacks: Vec::new(),
            cursor: 0,
            served: None,
            rng: ChaCha8Rng::seed_from_u64(seed),
            trace: None,
            text: String::with_capacity(64),
        }
    }

    /// Records a [`TraceStep`] per node from now on (for explanations).
    pub fn with_trace(mut self) -> Self {
        self.trace = Some(Vec::new());
        self
    }

    /// Nodes visited by the current request, in order.
    pub fn path(&self) -> &[NodeId] {
        &self.path
    }

    /// The trace of the current request (empty unless tracing).
    pub fn trace(&self) -> &[TraceStep] {
        self.trace.as_deref().unwrap_or(&[])
    }

    /// Budget limit nodes the current request passed on `success`.
    pub fn budgets(&self) -> &[u32] {
        &self.budgets
    }

    fn note(&mut self, node: NodeId, reason: Reason) {
        if let Some(t) = &mut self.trace {
            t.push(TraceStep { node, reason });
        }
    }
}

/// The outcome of [`Program::decide`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision<'s> {
    /// The model that would serve the request (`None`: the route ends without one).
    pub model: Option<NodeId>,
    /// Nodes visited from start to end.
    pub path: &'s [NodeId],
    /// The models that would be tried, in order, if the chosen one and each
    /// following one failed.
    pub fallbacks: &'s [NodeId],
}

impl Program {
    /// Starts a request at time `now` (seconds since the epoch).
    pub fn begin<S: LimitStore + ?Sized>(
        &self,
        s: &mut Session,
        req: &Request,
        store: &mut S,
        now: f64,
    ) -> Step<'_> {
        s.path.clear();
        s.budgets.clear();
        s.served = None;
        if let Some(t) = &mut s.trace {
            t.clear();
        }
        s.cursor = 0;
        self.run(s, req, store, now, true)
    }

    /// Reports what the model of the last [`Step::Call`] did, and goes on.
    pub fn resume<S: LimitStore + ?Sized>(
        &self,
        s: &mut Session,
        req: &Request,
        store: &mut S,
        now: f64,
        report: Report,
    ) -> Step<'_> {
        let Some(Inst::Model {
            success, fallback, ..
        }) = self.insts.get(s.cursor as usize)
        else {
            return Step::Done(Done {
                served_by: s.served,
            });
        };
        s.note(s.cursor, Reason::Model { report });
        s.cursor = match report {
            Report::Answered => {
                s.served = Some(s.cursor);
                *success
            }
            Report::Failed => *fallback,
        };
        self.run(s, req, store, now, true)
    }

    /// Charges `cost` dollars, settled at `now`, to every budget the request passed.
    pub fn settle<S: LimitStore + ?Sized>(
        &self,
        s: &Session,
        req: &Request,
        store: &mut S,
        now: f64,
        cost: f64,
    ) {
        if !(cost.is_finite() && cost > 0.0) {
            return;
        }
        for &l in &s.budgets {
            let spec = &self.limits[l as usize];
            store.add(l, spec, key_of(req, spec.key), now, cost);
        }
    }

    /// Runs the request assuming every model answers. Returns the serving model,
    /// the path, and the fallback chain behind it. Counts toward limits like a
    /// real request.
    pub fn decide<'s, S: LimitStore + ?Sized>(
        &self,
        s: &'s mut Session,
        req: &Request,
        store: &mut S,
        now: f64,
    ) -> Decision<'s> {
        let mut step = self.begin(s, req, store, now);
        while let Step::Call(_) = step {
            step = self.resume(s, req, store, now, Report::Answered);
        }
        s.fallbacks.clear();
        if let Some(m) = s.served {
            self.fallback_chain(s, m, req, store, now);
        }
        Decision {
            model: s.served,
            path: &s.path,
            fallbacks: &s.fallbacks,
        }
    }

    /// Follows the fallbacks from model `m` without counting anything.
    fn fallback_chain<S: LimitStore + ?Sized>(
        &self,
        s: &mut Session,
        m: NodeId,
        req: &Request,
        store: &mut S,
        now: f64,
    ) {
        let mut cur = m;
        let mut guard = 0;
        while let Some(Inst::Model { fallback, .. }) = self.insts.get(cur as usize) {
            let mut n = *fallback;
            loop {
                guard += 1;
                if guard > self.insts.len() * 2 {
                    return;
                }
                match self.insts.get(n as usize) {
                    Some(Inst::Model { .. }) => break,
                    Some(Inst::End) | None => return,
                    Some(Inst::Start { next }) => n = *next,
                    Some(Inst::Cond {
                        cond,
                        then,
                        otherwise,
                    }) => {
                        n = if self.eval_cond(*cond, req) {
                            *then
                        } else {
                            *otherwise
                        };
                    }
                    Some(Inst::Split { sticky, split }) => {
                        let (_, share, _) = self.bucket(s, *sticky, *split, req, n, false);
                        n = self.splits[*split as usize].shares[share].1;
                    }
                    Some(Inst::Limit {
                        limit,
                        success,
                        fallback,
                    }) => {
                        let spec = &self.limits[*limit as usize];
                        let used = store.used(*limit, spec, key_of(req, spec.key), now);
                        n = if used < spec.limit {
                            *success
                        } else {
                            *fallback
                        };
                    }
                }
            }
            s.fallbacks.push(n);
            cur = n;
        }
    }

    fn run<S: LimitStore + ?Sized>(
        &self,
        s: &mut Session,
        req: &Request,
        store: &mut S,
        now: f64,
        draw: bool,
    ) -> Step<'_> {
        let mut n = s.cursor;
        // Outputs always point forward, so a walk visits each node at most once.
        for _ in 0..=self.insts.len() {
            let Some(inst) = self.insts.get(n as usize) else {
                break;
            };
            s.path.push(n);
            match inst {
                Inst::Start { next } => {
                    s.note(n, Reason::Start);
                    n = *next;
                }
                Inst::Cond {
                    cond,
                    then,
                    otherwise,
                } => {
                    let result = self.eval_cond(*cond, req);
                    s.note(n, Reason::Cond { result });
                    n = if result { *then } else { *otherwise };
                }
                Inst::Split { sticky, split } => {
                    let (bucket, share, from) = self.bucket(s, *sticky, *split, req, n, draw);
                    s.note(
                        n,
                        Reason::Split {
                            bucket,
                            share,
                            from,
                        },
                    );
                    n = self.splits[*split as usize].shares[share].1;
                }
                Inst::Limit {
                    limit,
                    success,
                    fallback,
                } => {
                    let spec = &self.limits[*limit as usize];
                    let key = key_of(req, spec.key);
                    let used = store.used(*limit, spec, key, now);
                    let passed = used < spec.limit;
                    if passed {
                        match spec.kind {
                            LimitKind::Count => store.add(*limit, spec, key, now, 1.0),
                            LimitKind::Cost => s.budgets.push(*limit),
                        }
                    }
                    s.note(n, Reason::Limit { used, passed });
                    n = if passed { *success } else { *fallback };
                }
                Inst::Model { model, .. } => {
                    s.cursor = n;
                    return Step::Call(Call {
                        node: n,
                        id: &self.ids[n as usize],
                        spec: &self.models[*model as usize],
                    });
                }
                Inst::End => {
                    s.note(n, Reason::End);
                    break;
                }
            }
        }
        Step::Done(Done {
            served_by: s.served,
        })
    }

    /// The bucket of a split for this request, the share it falls in, and where the
    /// hashed value came from.
    fn bucket(
        &self,
        s: &mut Session,
        sticky: Option<u16>,
        split: u32,
        req: &Request,
        _node: NodeId,
        draw: bool,
    ) -> (u16, usize, StickyFrom) {
        let table = &self.splits[split as usize];
        let mut hasher = table.prefix.clone();
        let from = match sticky.and_then(|slot| req.get(slot)) {
            Some(v) => {
                match v {
                    Value::Str(t) => hasher.update(t.as_bytes()),
                    Value::Bool(b) => hasher.update(if b {
                        b"true".as_slice()
                    } else {
                        b"false".as_slice()
                    }),
                    Value::Num(x) => {
                        s.text.clear();
                        write_number(&mut s.text, x);
                        hasher.update(s.text.as_bytes());
                    }
                }
                StickyFrom::Field
            }
            None => match req.id() {
                Some(id) => {
                    hasher.update(id.as_bytes());
                    StickyFrom::RequestId
                }
                None => {
                    // Without a draw (explaining fallbacks) the generator must not
                    // advance; hash a fixed text instead.
                    let v = if draw { s.rng.next_u64() } else { 0 };
                    s.text.clear();
                    let _ = write!(s.text, "{v}");
                    hasher.update(s.text.as_bytes());
                    StickyFrom::Random
                }
            },
        };
        let digest = hasher.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let bucket = (u64::from_be_bytes(first) % 10_000) as u16;
        let share = table
            .shares
            .iter()
            .position(|(bound, _)| bucket < *bound)
            .unwrap_or(table.shares.len() - 1);
        (bucket, share, from)
    }

    /// Evaluates condition `i` against the request.
    pub fn eval_cond(&self, i: u32, req: &Request) -> bool {
        match self.conds[i as usize] {
            CondOp::All { start, len } => self.children[start as usize..(start + len) as usize]
                .iter()
                .all(|&c| self.eval_cond(c, req)),
            CondOp::Any { start, len } => self.children[start as usize..(start + len) as usize]
                .iter()
                .any(|&c| self.eval_cond(c, req)),
            CondOp::Not(c) => !self.eval_cond(c, req),
            CondOp::Cmp { slot, op, lit } => match req.get(slot) {
                None => op == CmpOp::Ne,
                Some(v) => self.compare(v, op, lit),
            },
            CondOp::In {
                slot,
                negated,
                start,
                len,
            } => {
                let found = req.get(slot).is_some_and(|v| {
                    self.lits[start as usize..(start + len) as usize]
                        .iter()
                        .any(|l| self.compare(v, CmpOp::Eq, *l))
                });
                found != negated
            }
            CondOp::Exists { slot, present } => req.get(slot).is_some() == present,
        }
    }

    #[inline]
    fn compare(&self, v: Value<'_>, op: CmpOp, lit: Lit) -> bool {
        use std::cmp::Ordering;
        let ord = match (v, lit) {
            (Value::Str(a), Lit::Str(b)) => {
                Some(a.as_bytes().cmp(self.strings[b as usize].as_bytes()))
            }
            (Value::Num(a), Lit::Num(b)) => a.partial_cmp(&b),
            (Value::Bool(a), Lit::Bool(b)) => {
                return match op {
                    CmpOp::Eq => a == b,
                    CmpOp::Ne => a != b,
                    _ => false,
                };
            }
            _ => None,
        };
        match op {
            CmpOp::Eq => ord == Some(Ordering::Equal),
            CmpOp::Ne => ord != Some(Ordering::Equal),
            CmpOp::Gt => ord == Some(Ordering::Greater),
            CmpOp::Gte => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
            CmpOp::Lt => ord == Some(Ordering::Less),
            CmpOp::Lte => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        }
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

/// A number as the sticky hash reads it: integral numbers as plain digits, others
/// as the shortest decimal that reads back to the same double, never an exponent.
pub fn write_number(out: &mut String, x: f64) {
    if x == 0.0 {
        out.push('0');
    } else {
        let _ = write!(out, "{x}");
    }
}

/// The bucket (0..10000) SPEC section 3 assigns to `value` at split `node` of
/// route `route`. Anyone can recompute it.
pub fn sticky_bucket(route: &str, node: &str, value: &str) -> u16 {
    let mut h = sha2::Sha256::new();
    h.update(route.as_bytes());
    h.update([0u8]);
    h.update(node.as_bytes());
    h.update([0u8]);
    h.update(value.as_bytes());
    let d = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&d[..8]);
    (u64::from_be_bytes(first) % 10_000) as u16
}
