//! [`Program::decide`]: the whole request with every model assumed to
//! answer, and the fallbacks behind the model that serves it. A decision the
//! conditions after start settle alone is copied from the program (see
//! `compile::table`); any other is walked.

use super::EvalError;
use super::cond::range;
use super::machine::{Call, Report, Step};
use super::request::Request;
use super::session::Session;
use super::state::{LimitStore, StoreError};
use crate::compile::{Inst, NodeId, PATH_CHUNK, Program, Root, Row, Settled, Tail};

/// The outcome of [`Program::decide`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision<'s> {
    /// The model node that would serve the request (`None`: the route ends
    /// without one).
    pub model: Option<NodeId>,
    /// That model node with its id, provider and model name.
    pub served: Option<Call<'s>>,
    /// Nodes visited from start to end.
    pub path: &'s [NodeId],
    /// The models that would be tried, in order, if the chosen one and each
    /// following one failed.
    pub fallbacks: &'s [NodeId],
    /// The first limit-store failure on the way, and its limit node: the
    /// program's [`StoreFailure`] choice decided there.
    pub store_error: Option<(NodeId, &'s StoreError)>,
}

impl Program {
    /// Runs the request assuming every model answers. Returns the serving model,
    /// the path, and the fallback chain behind it. Counts toward limits like a
    /// real request. ([`Program::first_model`] stops at the first model, for
    /// when only it matters: no fallback chain, no `Decision`.)
    ///
    /// Inlined into the caller: a decision the front table settles costs the
    /// table's tests and a copy, and a call with its saved registers and
    /// spilled arguments was a sixth of that. Everything else is out of line.
    #[inline(always)]
    pub fn decide<'a, S: LimitStore + ?Sized>(
        &'a self,
        s: &'a mut Session,
        req: &Request,
        store: &mut S,
        now: f64,
    ) -> Result<Decision<'a>, EvalError> {
        req.check(self)?;
        if s.trace.is_none()
            && let Some(root) = &self.root
        {
            let row = self.row(root, req);
            if let Some(row) = row
                && !row.split
                && let Some(done) = root.done.get(row.done as usize)
            {
                return Ok(self.settled(s, root, done));
            }
            return Ok(self.decide_by_walking(s, req, store, now, row.map(|r| (root, r))));
        }
        Ok(self.decide_by_walking(s, req, store, now, None))
    }

    /// The decision the conditions after start settle alone (see
    /// `compile::table`): copied, nothing walked.
    #[inline(always)]
    fn settled<'a>(&'a self, s: &'a mut Session, root: &'a Root, done: &Settled) -> Decision<'a> {
        self.fresh(s);
        let chunk = (done.len as usize <= PATH_CHUNK).then_some(&done.chunk);
        s.path.copy(chunk, &root.path, done.at, done.len);
        s.served = Some(done.served);
        s.cursor = done.last;
        let s: &'a Session = s;
        Decision {
            model: s.served,
            served: self.ids.get(done.served as usize).and_then(|id| {
                Some(Call {
                    node: done.served,
                    id,
                    spec: self.models.get(done.model as usize)?,
                })
            }),
            path: s.path.as_slice(),
            fallbacks: range(&self.tail_nodes, done.chain.0, done.chain.1),
            store_error: None,
        }
    }

    /// The decision of a row that leaves the front by a split whose shares
    /// all lead to settled decisions: the split draws its bucket as the walk
    /// would (the same hash, the same random draw), and the share it falls
    /// in picks the decision. (Out of line: hashing needs a larger frame
    /// than the rest of `decide`.)
    #[inline(never)]
    pub(super) fn settled_share<'r>(
        &self,
        s: &mut Session,
        root: &'r Root,
        row: &Row,
        req: &Request,
    ) -> Option<&'r Settled> {
        let Some(&Inst::Split { sticky, split }) = self.insts.get(row.exit as usize) else {
            return None;
        };
        // Every share's decision is there before anything is drawn, so the
        // walk (which would draw again) is never left to after a draw.
        let shares = self.splits.get(split as usize)?.shares.len();
        root.done
            .get((row.done as usize).checked_add(shares.checked_sub(1)?)?)?;
        let (_, share, _, _) = self.bucket(s, sticky, split, req, true)?;
        root.done.get((row.done as usize).checked_add(share)?)
    }

    /// [`Program::decide`] past what the front table settles alone: a
    /// split's shares, or a walk from where the front leaves (`front`) or
    /// from start.
    #[inline(never)]
    fn decide_by_walking<'a, S: LimitStore + ?Sized>(
        &'a self,
        s: &'a mut Session,
        req: &Request,
        store: &mut S,
        now: f64,
        front: Option<(&'a Root, &Row)>,
    ) -> Decision<'a> {
        if let Some((root, row)) = front
            && row.split
            && let Some(done) = self.settled_share(s, root, row, req)
        {
            return self.settled(s, root, done);
        }
        if let Some((root, row)) = front {
            // The front is run already: walk on from where it leaves.
            self.past_front(s, root, row);
            self.walk(s, req, store, now, true);
        } else if s.trace.is_none() {
            self.reset(s);
            self.walk(s, req, store, now, true);
        } else {
            self.reset(s);
            let mut step = self.run(s, req, store, now);
            // Each model moves the cursor forward, so this ends.
            while let Step::Call(_) = step {
                if !self.advance(s, Report::Answered) {
                    break;
                }
                step = self.run(s, req, store, now);
            }
        }
        // One look at the serving model's instruction for its spec and tail.
        let model = s.served.and_then(|n| match self.insts.get(n as usize) {
            Some(&Inst::Model { model, .. }) => Some((n, model)),
            _ => None,
        });
        let served = model.and_then(|(n, model)| {
            Some(Call {
                node: n,
                id: self.ids.get(n as usize)?,
                spec: self.models.get(model as usize)?,
            })
        });
        // A compiled chain is the program's own: nothing to copy. (A traced
        // session walks, so the compiled chain can be checked against it.)
        let chain = match (model, &s.trace) {
            (Some((_, model)), None) => self.tails.get(model as usize).and_then(|t| t.chain),
            _ => None,
        };
        if chain.is_none() {
            s.fallbacks.clear();
            if let Some(m) = s.served {
                self.fallback_chain(s, m, req, store, now);
            }
        }
        let s: &'a Session = s;
        let fallbacks = match chain {
            Some((at, len)) => range(&self.tail_nodes, at, len),
            None => &s.fallbacks,
        };
        Decision {
            model: s.served,
            served,
            path: s.path.as_slice(),
            fallbacks,
            store_error: s.store_error.as_ref().map(|(n, e)| (*n, e)),
        }
    }

    /// The models that would be tried, in order, if the model that served the
    /// session's request and each following one failed. Looks at limits without
    /// counting anything; empty when no model served the request.
    pub fn fallbacks<'s, S: LimitStore + ?Sized>(
        &self,
        s: &'s mut Session,
        req: &Request,
        store: &mut S,
        now: f64,
    ) -> Result<&'s [NodeId], EvalError> {
        req.check(self)?;
        self.check_session(s)?;
        s.fallbacks.clear();
        if let Some(m) = s.served {
            self.fallback_chain(s, m, req, store, now);
        }
        Ok(&s.fallbacks)
    }

    /// The precomputed walks behind model node `m` (see [`Tail`]).
    #[inline]
    fn tail(&self, m: NodeId) -> Option<&Tail> {
        match self.insts.get(m as usize)? {
            Inst::Model { model, .. } => self.tails.get(*model as usize),
            _ => None,
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
        // A traced session walks, so the compiled chain can be checked against it.
        if let (
            None,
            Some(&Tail {
                chain: Some((at, len)),
                ..
            }),
        ) = (&s.trace, self.tail(m))
        {
            for &n in range(&self.tail_nodes, at, len) {
                s.fallbacks.push(n);
            }
            return;
        }
        let Some(Inst::Model { fallback, .. }) = self.insts.get(m as usize) else {
            return;
        };
        let mut n = *fallback;
        // Outputs point forward, so this ends within the program's length.
        for _ in 0..=self.insts.len() {
            match self.insts.get(n as usize) {
                Some(Inst::Model { fallback, .. }) => {
                    s.fallbacks.push(n);
                    n = *fallback;
                }
                Some(inst) => match self.pass(n, inst, s, req, store, now, false) {
                    Some((next, _)) => n = next,
                    None => return,
                },
                None => return,
            }
        }
    }
}
