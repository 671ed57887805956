//! The untraced walk: what `decide`, `begin` and `first_model` run when no
//! trace is asked for. Conditions run as the program's linked jump lists
//! (`compile::jump`); the traced walk in `machine` is the reference it is held
//! to.

use super::cond::range;
use super::machine::{Call, Done, Step};
use super::request::Request;
use super::session::Session;
use super::state::LimitStore;
use crate::compile::{FALSE, Inst, NodeId, Program, TRUE, Tail};

impl Program {
    /// The untraced walk from start, with every model assumed to answer
    /// (`to_end`) or up to the first model (as [`Program::run`] leaves it
    /// there). Conditions run as jump lists; after a model whose compiled
    /// tail says nothing there reads the request, the rest of the path is
    /// copied (see [`Tail`]). Splits and limits go through [`Program::pass`],
    /// so they draw and count exactly as the traced walk does; a property
    /// test holds both walks to the same path, model, fallbacks and counts.
    pub(super) fn walk<S: LimitStore + ?Sized>(
        &self,
        s: &mut Session,
        req: &Request,
        store: &mut S,
        now: f64,
        to_end: bool,
    ) -> Step<'_> {
        let insts = self.insts.as_slice();
        // From start (`begin`, `decide`) or past the model just reported on
        // (`resume`).
        let mut n: NodeId = s.cursor;
        while let Some(inst) = insts.get(n as usize) {
            s.path.push(n);
            let next = match *inst {
                Inst::Start { next } => match &self.root {
                    Some(root) => self.enter(root, req, &mut s.path),
                    None => next,
                },
                Inst::Cond {
                    then, otherwise, ..
                } => match self.entries.get(n as usize) {
                    Some(&at) if at < FALSE => self.flow(at, req, &mut s.path),
                    // A condition without tests holds (`all []`) or not.
                    Some(&TRUE) => then,
                    _ => otherwise,
                },
                Inst::Model { model, success, .. } => {
                    if !to_end {
                        s.cursor = n;
                        let (Some(id), Some(spec)) =
                            (self.ids.get(n as usize), self.models.get(model as usize))
                        else {
                            break;
                        };
                        return Step::Call(Call { node: n, id, spec });
                    }
                    s.served = Some(n);
                    if let Some(&Tail {
                        after: Some((at, len, served)),
                        ..
                    }) = self.tails.get(model as usize)
                    {
                        // One or two nodes as a rule: pushes cost less than a
                        // call to `memcpy`.
                        for &t in range(&self.tail_nodes, at, len) {
                            s.path.push(t);
                            n = t;
                        }
                        s.served = Some(served);
                        break;
                    }
                    success
                }
                Inst::End => break,
                _ => match self.pass(n, inst, s, req, store, now, true) {
                    Some((next, reason)) => {
                        // Splits and limits, for a session recording events.
                        s.note(n, reason);
                        next
                    }
                    None => break,
                },
            };
            // Outputs point forward, so a walk visits each node at most once
            // and ends within the program's length, whatever it holds.
            if next <= n {
                break;
            }
            n = next;
        }
        s.cursor = n;
        Step::Done(Done {
            served_by: s.served,
        })
    }
}
