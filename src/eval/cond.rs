//! Compiled conditions against a request: type-strict, missing fields as the
//! semantics module says (the reference is `crate::semantics`).
//!
//! Conditions nest no deeper than the readers allow (`Limits::max_depth`), so
//! the recursion here is bounded by the program, not by any request.

use std::cmp::Ordering;
use std::hint::select_unpredictable;

use super::request::{Request, Value};
use super::trail::Trail;
use crate::compile::{
    CondOp, Lit, NONE, NodeId, Program, Root, Row, SCAN, Test, VACANT_WORD, Word, follow,
    group_slot, same_bytes,
};
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

    /// Runs the linked jump lists (see `compile::jump`) from jump `at`, the
    /// entry of a condition node the walk has just pushed: one typed test per
    /// step, no recursion. Every further condition node entered is pushed onto
    /// `path`; returns the first node reached that the lists do not run (not
    /// pushed), the node the walk goes on with. The verdicts are those of
    /// [`Program::eval_cond`] on each node's condition.
    #[inline(never)]
    pub(crate) fn flow(&self, at: u32, req: &Request, path: &mut Trail) -> NodeId {
        follow(
            &self.jumps,
            at,
            |_, test| self.holds(test, req),
            |n| path.push(n),
        )
    }

    /// The row of the table of the conditions after start (see
    /// `compile::table`) that the request's verdicts select: every test of
    /// the front once, group by group, with no dispatch but for the rare
    /// tests of no group.
    #[inline(always)]
    pub(crate) fn row<'r>(&self, root: &'r Root, req: &Request) -> Option<&'r Row> {
        // Verdicts become bits without a branch on the request's values: a
        // mispredicted branch costs more than the tests.
        let mut row = 0usize;
        for g in &root.groups {
            let (tag, len, head, second) = req.word_parts(g.slot);
            let i = group_slot(len, head, second, g.seed, g.shift);
            let e = root
                .words
                .get((g.at as usize).wrapping_add(i))
                .unwrap_or(&VACANT_WORD);
            let hit = (tag | (len ^ e.len) | (head ^ e.head) | (second ^ e.second)) == 0;
            // The presence bits by the slot's type, loaded: LLVM made a
            // select (or a mask) on the type a branch, mispredicted on every
            // request that lacks the slot.
            let present = g.present.get((tag & 3) as usize).copied().unwrap_or(0);
            row |= select_unpredictable(hit, e.bits, 0) | present;
        }
        for t in &root.strs {
            let w = t.word;
            let hit = req.word_at(t.slot, w.len as usize, w.head, t.second);
            row |= select_unpredictable(hit, t.bit, 0);
        }
        for t in &root.nums {
            let hit = req.num_within(t.slot, t.lo, t.hi);
            row |= select_unpredictable(hit, t.bit, 0);
        }
        for &(slot, bit) in &root.present {
            row |= select_unpredictable(req.present(slot), bit, 0);
        }
        if !root.others.is_empty() {
            row |= self.other_bits(root, req);
        }
        root.rows.get(row)
    }

    /// The bits of the front's tests of no group (out of line: the general
    /// test is large, and most fronts have none).
    #[inline(never)]
    fn other_bits(&self, root: &Root, req: &Request) -> usize {
        let mut row = 0usize;
        for (t, bit) in &root.others {
            if self.holds(t, req) {
                row |= bit;
            }
        }
        row
    }

    /// Runs the conditions after start through their table: pushes the
    /// nodes of the selected row onto `path`; returns the node the front is
    /// left by.
    #[inline(never)]
    pub(crate) fn enter(&self, root: &Root, req: &Request, path: &mut Trail) -> NodeId {
        let Some(r) = self.row(root, req) else {
            return NONE;
        };
        path.extend(range(&root.path, r.at, r.len));
        r.exit
    }

    #[inline(always)]
    fn holds(&self, test: &Test, req: &Request) -> bool {
        match *test {
            Test::Str { slot, word } => req
                .str_at(slot)
                .is_some_and(|(a, head)| self.same_word(a, head, word)),
            Test::Num { slot, v } => req.num_at(slot) == Some(v),
            Test::Bool { slot, v } => matches!(req.get(slot), Some(Value::Bool(a)) if a == v),
            Test::NumOrd { slot, op, v } => req
                .num_at(slot)
                .is_some_and(|a| ordered(a.partial_cmp(&v), op)),
            Test::StrOrd { slot, op, s } => match req.str_at(slot) {
                Some((a, _)) => ordered(
                    self.strings.get(s as usize).map(|b| a.cmp(b.as_bytes())),
                    op,
                ),
                None => false,
            },
            Test::InStrs { slot, start, len } => req
                .str_at(slot)
                .is_some_and(|(a, head)| self.in_strs(a, head, range(&self.str_sets, start, len))),
            Test::In { slot, start, len } => req.get(slot).is_some_and(|v| {
                range(&self.lits, start, len)
                    .iter()
                    .any(|l| self.equal(v, *l))
            }),
            Test::Exists { slot } => req.present(slot),
            Test::Never => false,
        }
    }

    /// Whether string `a`, whose first eight bytes are `head`, is literal
    /// `w`: the length and that word decide for literals of up to eight bytes;
    /// longer ones compare the bytes past the eighth.
    #[inline(always)]
    fn same_word(&self, a: &[u8], head: u64, w: Word) -> bool {
        a.len() == w.len as usize
            && head == w.head
            && (a.len() <= 8
                || self
                    .strings
                    .get(w.s as usize)
                    .is_some_and(|b| a.get(8..) == b.as_bytes().get(8..)))
    }

    /// `a` among `set` (sorted by length then bytes).
    #[inline]
    fn in_strs(&self, a: &[u8], head: u64, set: &[Word]) -> bool {
        if set.len() <= SCAN {
            return set.iter().any(|&w| self.same_word(a, head, w));
        }
        let Ok(n) = u32::try_from(a.len()) else {
            return false;
        };
        set.binary_search_by(|w| {
            w.len.cmp(&n).then_with(|| {
                self.strings
                    .get(w.s as usize)
                    .map_or(Ordering::Less, |b| b.as_bytes().cmp(a))
            })
        })
        .is_ok()
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
            CondOp::Exists { slot, present } => req.present(slot) == present,
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
        ordered(ord, op)
    }
}

/// Whether an ordering satisfies `>`, `>=`, `<` or `<=` (never `==`/`!=`,
/// which are equality tests, nor an unordered pair).
#[inline(always)]
fn ordered(ord: Option<Ordering>, op: CmpOp) -> bool {
    match op {
        CmpOp::Gt => ord == Some(Ordering::Greater),
        CmpOp::Gte => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        CmpOp::Lt => ord == Some(Ordering::Less),
        CmpOp::Lte => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Eq | CmpOp::Ne => false,
    }
}

pub(crate) use crate::compile::range;
