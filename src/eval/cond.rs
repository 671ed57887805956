//! Compiled conditions against a request: type-strict, missing fields as the
//! semantics module says (the reference is `crate::semantics`).
//!
//! Conditions nest no deeper than the readers allow (`Limits::max_depth`), so
//! the recursion here is bounded by the program, not by any request.

use std::cmp::Ordering;

use super::request::{Request, Value};
use crate::compile::{CondOp, Lit, Program, same_bytes};
use crate::syntax::ast::CmpOp;

impl Program {
    /// Evaluates condition `i` against the request; a condition the program does
    /// not have is false.
    pub(crate) fn eval_cond(&self, i: u32, req: &Request) -> bool {
        let Some(op) = self.conds.get(i as usize) else {
            return false;
        };
        match *op {
            CondOp::All { start, len } => self
                .kids(start, len)
                .iter()
                .all(|&c| self.eval_child(c, req)),
            CondOp::Any { start, len } => self
                .kids(start, len)
                .iter()
                .any(|&c| self.eval_child(c, req)),
            CondOp::Not(c) => !self.eval_child(c, req),
            leaf => self.eval_leaf(leaf, req),
        }
    }

    /// A child of `all`/`any`/`not`: leaves (most children) are evaluated in
    /// place, only nested groups recurse.
    #[inline(always)]
    fn eval_child(&self, i: u32, req: &Request) -> bool {
        match self.conds.get(i as usize) {
            Some(CondOp::All { .. } | CondOp::Any { .. } | CondOp::Not(_)) => {
                self.eval_cond(i, req)
            }
            Some(leaf) => self.eval_leaf(*leaf, req),
            None => false,
        }
    }

    /// A comparison, membership or presence test (false for a group).
    // Inlined into its callers: the call itself cost a third of a leaf.
    #[inline(always)]
    fn eval_leaf(&self, op: CondOp, req: &Request) -> bool {
        match op {
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
                    range(&self.lits, start, len)
                        .iter()
                        .any(|l| self.equal(v, *l))
                });
                found != negated
            }
            CondOp::Exists { slot, present } => req.get(slot).is_some() == present,
            CondOp::All { .. } | CondOp::Any { .. } | CondOp::Not(_) => false,
        }
    }

    fn kids(&self, start: u32, len: u32) -> &[u32] {
        range(&self.children, start, len)
    }

    /// Equality without ordering: strings compare bytes for equality only.
    #[inline(always)]
    fn equal(&self, v: Value<'_>, lit: Lit) -> bool {
        match (v, lit) {
            (Value::Str(a), Lit::Str(b)) => self
                .strings
                .get(b as usize)
                .is_some_and(|b| same_bytes(a.as_bytes(), b.as_bytes())),
            (Value::Num(a), Lit::Num(b)) => a == b,
            (Value::Bool(a), Lit::Bool(b)) => a == b,
            _ => false,
        }
    }

    #[inline]
    fn compare(&self, v: Value<'_>, op: CmpOp, lit: Lit) -> bool {
        match op {
            CmpOp::Eq => return self.equal(v, lit),
            CmpOp::Ne => return !self.equal(v, lit),
            _ => {}
        }
        let ord = match (v, lit) {
            (Value::Str(a), Lit::Str(b)) => self
                .strings
                .get(b as usize)
                .map(|b| a.as_bytes().cmp(b.as_bytes())),
            (Value::Num(a), Lit::Num(b)) => a.partial_cmp(&b),
            _ => None,
        };
        match op {
            CmpOp::Gt => ord == Some(Ordering::Greater),
            CmpOp::Gte => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
            CmpOp::Lt => ord == Some(Ordering::Less),
            CmpOp::Lte => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
            CmpOp::Eq | CmpOp::Ne => false,
        }
    }
}

/// `items[start..start + len]`, or nothing when that is out of range.
pub(crate) fn range<T>(items: &[T], start: u32, len: u32) -> &[T] {
    let start = start as usize;
    start
        .checked_add(len as usize)
        .and_then(|end| items.get(start..end))
        .unwrap_or(&[])
}
