//! Compiled conditions against a request: type-strict, and a missing field
//! makes every comparison false except `$ne`/`$nin`/`$exists: false` (the
//! reference statement of these rules is `crate::semantics`).

use super::request::{Request, Value};
use crate::compile::{CondOp, Lit, Program};
use crate::syntax::ast::CmpOp;

impl Program {
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
