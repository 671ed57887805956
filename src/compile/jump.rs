//! Conditions → jump lists, the form the evaluator's fast path runs.
//!
//! Every comparison, membership or presence test becomes one [`Jump`]: a typed
//! test on one request slot and where to go when it holds and when it does not
//! (another jump, or the verdict [`TRUE`] / [`FALSE`]). `all`, `any` and `not`
//! leave no instruction behind: they only decide where those targets point
//! (`not` swaps them, `!=`, `not in` and `!exists` are the positive test with its
//! targets swapped). Targets always point forward, so running a list is one
//! loop with no stack and no recursion, and it stops within the list's length.
//!
//! The tree form (`CondOp`) stays the reference: traced runs and explanations
//! evaluate it, and a property test holds both to the same verdicts.

use super::{CompileError, CondOp, Inst, Lit, NodeId, SlotId};
use crate::syntax::ast::CmpOp;

/// The verdict "the condition holds", as a jump target.
pub(crate) const TRUE: u32 = u32::MAX;
/// The verdict "the condition does not hold", as a jump target.
pub(crate) const FALSE: u32 = u32::MAX - 1;

/// A string `$in` list this long or shorter is scanned; a longer one is
/// searched (sorted by length, then bytes).
pub(crate) const SCAN: usize = 8;

/// A string literal as string tests compare it: its length and first eight
/// bytes as a word (see `eval::keys::head_of`), which settle every literal of
/// up to eight bytes without a byte compare, and its pool index for the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Word {
    pub(crate) head: u64,
    pub(crate) len: u32,
    pub(crate) s: u32,
}

/// One typed test on a request slot. Strings are pool indices
/// (`Program::strings`); a missing value or one of another type fails every
/// test (the negations are swapped targets, so they then hold).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Test {
    /// The slot holds this string.
    Str { slot: SlotId, word: Word },
    /// The slot holds this number.
    Num { slot: SlotId, v: f64 },
    /// The slot holds this boolean.
    Bool { slot: SlotId, v: bool },
    /// The slot holds a number ordered against `v` as `op` says.
    NumOrd { slot: SlotId, op: CmpOp, v: f64 },
    /// The slot holds a string ordered against pooled string `s` as `op` says.
    StrOrd { slot: SlotId, op: CmpOp, s: u32 },
    /// The slot holds one of the strings `Program::str_sets[start..start+len]`
    /// (sorted by length then bytes, no repeats).
    InStrs { slot: SlotId, start: u32, len: u32 },
    /// The slot holds one of the literals `Program::lits[start..start+len]`
    /// (mixed types).
    In { slot: SlotId, start: u32, len: u32 },
    /// The slot holds a value.
    Exists { slot: SlotId },
    /// Never holds (an ordering against a boolean).
    Never,
}

/// No node: an edge within one condition's list.
pub(crate) const NONE: NodeId = u32::MAX;

/// `Edge::to` of an edge that leaves the lists for node `Edge::node`.
pub(crate) const EXIT: u32 = u32::MAX;

/// Where a jump goes, once linked (see [`Lists::link`]): the next jump of the
/// same condition (`node` is [`NONE`]); the first jump of the condition node
/// `node`, which the walk enters; or, with `to` [`EXIT`], node `node`, which
/// is not a condition the lists run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Edge {
    pub(crate) to: u32,
    pub(crate) node: NodeId,
}

/// A test and its two targets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Jump {
    pub(crate) test: Test,
    /// Where to go when the test holds.
    pub(crate) yes: Edge,
    /// Where to go when it does not.
    pub(crate) no: Edge,
}

/// Runs linked jump lists from jump `at`, the entry of a condition node the
/// walk has just pushed: `holds(at, test)` gives each jump's verdict, and
/// every further condition node entered is handed to `enter`. Returns the
/// first node reached that the lists do not run (not entered), or [`NONE`]
/// where an edge does not point forward (the lists are then malformed). The
/// one loop behind the evaluator's fast path and the table of the front
/// (`table`), which runs it with verdicts it chooses.
#[inline(always)]
pub(crate) fn follow(
    jumps: &[Jump],
    mut at: u32,
    mut holds: impl FnMut(u32, &Test) -> bool,
    mut enter: impl FnMut(NodeId),
) -> NodeId {
    while let Some(j) = jumps.get(at as usize) {
        let e = if holds(at, &j.test) { j.yes } else { j.no };
        if e.node != NONE {
            if e.to == EXIT {
                return e.node;
            }
            enter(e.node);
        }
        // Edges point forward, so this ends within the lists' length,
        // whatever they hold.
        if e.to <= at {
            break;
        }
        at = e.to;
    }
    NONE
}

/// The jump lists of a program's conditions.
pub(crate) struct Lists<'a> {
    conds: &'a [CondOp],
    children: &'a [u32],
    lits: &'a [Lit],
    strings: &'a [Box<str>],
    /// Tests under each condition (its jumps), by condition index.
    size: Vec<u32>,
    /// The verdict of each condition without tests (`all []` holds, `any []`
    /// does not), by condition index.
    value: Vec<bool>,
    pub(crate) jumps: Vec<Jump>,
    pub(crate) str_sets: Vec<Word>,
}

impl<'a> Lists<'a> {
    pub(crate) fn new(
        conds: &'a [CondOp],
        children: &'a [u32],
        lits: &'a [Lit],
        strings: &'a [Box<str>],
    ) -> Self {
        // Children are lowered before their parent, so one pass in order sees
        // every child's figures before the parent needs them.
        let mut size: Vec<u32> = Vec::with_capacity(conds.len());
        let mut value: Vec<bool> = Vec::with_capacity(conds.len());
        for op in conds {
            let kid = |c: &u32| {
                (
                    size.get(*c as usize).copied().unwrap_or(0),
                    value.get(*c as usize).copied().unwrap_or(false),
                )
            };
            let (n, v) = match *op {
                CondOp::All { start, len } | CondOp::Any { start, len } => {
                    let all = matches!(op, CondOp::All { .. });
                    let kids = crate::eval::range(children, start, len);
                    let n = kids.iter().fold(0u32, |n, c| n.saturating_add(kid(c).0));
                    let v = if all {
                        kids.iter().all(|c| kid(c).1)
                    } else {
                        kids.iter().any(|c| kid(c).1)
                    };
                    (n, v)
                }
                CondOp::Not(c) => {
                    let (n, v) = kid(&c);
                    (n, !v)
                }
                _ => (1, false),
            };
            size.push(n);
            value.push(v);
        }
        Lists {
            conds,
            children,
            lits,
            strings,
            size,
            value,
            jumps: Vec::new(),
            str_sets: Vec::new(),
        }
    }

    /// Appends the jump list of condition `root`; returns where running it
    /// starts (a jump, or a verdict for a condition without tests).
    pub(crate) fn add(&mut self, root: u32) -> Result<u32, CompileError> {
        let at = self.jumps.len();
        let n = self.size.get(root as usize).copied().unwrap_or(0) as usize;
        let end = at
            .checked_add(n)
            .filter(|e| *e < FALSE as usize)
            .ok_or(CompileError::TooLarge("condition tests"))?;
        let placeholder = Jump {
            test: Test::Never,
            yes: Edge {
                to: FALSE,
                node: NONE,
            },
            no: Edge {
                to: FALSE,
                node: NONE,
            },
        };
        self.jumps.resize(end, placeholder);
        Ok(self.emit(root, super::index(at), TRUE, FALSE))
    }

    /// Writes condition `i`'s tests into the jumps from `at`, going to `t` when
    /// it holds and `f` when not; returns its entry. Recursion follows the
    /// condition's nesting, which the readers bound (`Limits::max_depth`).
    fn emit(&mut self, i: u32, at: u32, t: u32, f: u32) -> u32 {
        let (Some(&size), Some(&value), Some(&op)) = (
            self.size.get(i as usize),
            self.value.get(i as usize),
            self.conds.get(i as usize),
        ) else {
            return f;
        };
        if size == 0 {
            return if value { t } else { f };
        }
        match op {
            CondOp::All { start, len } | CondOp::Any { start, len } => {
                let all = matches!(op, CondOp::All { .. });
                // From the last child back: each child goes on to the entry of
                // the one after it, which is then known.
                let mut end = at.saturating_add(size);
                let mut next = if all { t } else { f };
                for &c in crate::eval::range(self.children, start, len).iter().rev() {
                    let from = end.saturating_sub(self.size.get(c as usize).copied().unwrap_or(0));
                    next = if all {
                        self.emit(c, from, next, f)
                    } else {
                        self.emit(c, from, t, next)
                    };
                    end = from;
                }
                next
            }
            CondOp::Not(c) => self.emit(c, at, f, t),
            CondOp::Cmp { slot, op, lit } => {
                let (test, swap) = match (op, lit) {
                    (CmpOp::Eq | CmpOp::Ne, lit) => (self.equal(slot, lit), op == CmpOp::Ne),
                    (_, Lit::Num(v)) => (Test::NumOrd { slot, op, v }, false),
                    (_, Lit::Str(s)) => (Test::StrOrd { slot, op, s }, false),
                    (_, Lit::Bool(_)) => (Test::Never, false),
                };
                self.put(at, test, swap, t, f)
            }
            CondOp::In {
                slot,
                negated,
                start,
                len,
            } => {
                let test = self.member(slot, start, len);
                self.put(at, test, negated, t, f)
            }
            CondOp::Exists { slot, present } => self.put(at, Test::Exists { slot }, !present, t, f),
        }
    }

    /// Resolves the verdicts of every node's list (`entries`, by node, from
    /// [`Lists::add`]) to the node's `then` and `otherwise` outputs: an
    /// output that is a condition node with tests enters its list, any other
    /// leaves the lists. Nodes are numbered in topological order and lists
    /// laid out in node order, so every edge still points forward.
    pub(crate) fn link(&mut self, insts: &[Inst], entries: &[u32]) {
        let enter = |to: NodeId| match (insts.get(to as usize), entries.get(to as usize)) {
            (Some(Inst::Cond { .. }), Some(&e)) if e < FALSE => Edge { to: e, node: to },
            _ => Edge { to: EXIT, node: to },
        };
        for (inst, &entry) in insts.iter().zip(entries) {
            let &Inst::Cond {
                cond,
                then,
                otherwise,
            } = inst
            else {
                continue;
            };
            let size = self.size.get(cond as usize).copied().unwrap_or(0);
            let (t, f) = (enter(then), enter(otherwise));
            let end = entry.saturating_add(size) as usize;
            for j in self.jumps.get_mut(entry as usize..end).unwrap_or_default() {
                for e in [&mut j.yes, &mut j.no] {
                    *e = match e.to {
                        TRUE => t,
                        FALSE => f,
                        _ => *e,
                    };
                }
            }
        }
    }

    fn put(&mut self, at: u32, test: Test, swap: bool, t: u32, f: u32) -> u32 {
        let (yes, no) = if swap { (f, t) } else { (t, f) };
        if let Some(j) = self.jumps.get_mut(at as usize) {
            *j = Jump {
                test,
                yes: Edge {
                    to: yes,
                    node: NONE,
                },
                no: Edge { to: no, node: NONE },
            };
        }
        at
    }

    fn equal(&self, slot: SlotId, lit: Lit) -> Test {
        match lit {
            Lit::Str(s) => Test::Str {
                slot,
                word: self.word(s),
            },
            Lit::Num(v) => Test::Num { slot, v },
            Lit::Bool(v) => Test::Bool { slot, v },
        }
    }

    fn word(&self, s: u32) -> Word {
        let text = self
            .strings
            .get(s as usize)
            .map_or(&b""[..], |s| s.as_bytes());
        Word {
            head: crate::eval::head_of(text),
            // A literal longer than any request value is never equal to one.
            len: u32::try_from(text.len()).unwrap_or(u32::MAX),
            s,
        }
    }

    /// A membership test: over a sorted string set when every literal is a
    /// string, over the literals themselves otherwise.
    fn member(&mut self, slot: SlotId, start: u32, len: u32) -> Test {
        let lits = crate::eval::range(self.lits, start, len);
        let mut set: Vec<Word> = Vec::with_capacity(lits.len());
        for l in lits {
            match l {
                Lit::Str(s) => set.push(self.word(*s)),
                _ => return Test::In { slot, start, len },
            }
        }
        let text = |s: u32| self.strings.get(s as usize).map_or("", |s| s);
        set.sort_by(|a, b| a.len.cmp(&b.len).then_with(|| text(a.s).cmp(text(b.s))));
        set.dedup_by(|a, b| a.len == b.len && text(a.s) == text(b.s));
        let start = super::index(self.str_sets.len());
        let len = super::index(set.len());
        self.str_sets.extend(set);
        Test::InStrs { slot, start, len }
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

/// Byte equality that settles most unequal pairs (other length, other first
/// byte) without a call to `memcmp`, which costs more than the whole test on
/// the short values metadata holds.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.first() == b.first() && a == b
}
