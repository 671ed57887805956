//! The route's front as one table: the conditions reached from start before
//! anything but the request decides (a split, limit, model or end).
//!
//! Most routes open with a few conditions on a handful of metadata fields
//! (plan, tier, region). Run as jump lists, each test costs a dispatch, a
//! branch on its verdict and a push of the path. Here every distinct test of
//! that front is numbered (at most [`ROOT_TESTS`]); the front is run once at
//! compile time for each combination of verdicts, and the path it takes and
//! the node it leaves by are kept under that combination. A request then runs
//! every test once, in a straight line, and reads the row its verdicts select.
//! Tests read only the request, so running one the jump lists would have
//! skipped changes nothing.
//!
//! Combinations that no request can produce (a field equal to two literals)
//! get rows too; none is ever read. A front with no test, with more than
//! [`ROOT_TESTS`] tests or larger than [`ROOT_JUMPS`] jumps has no table and
//! runs as jump lists.

use std::collections::HashMap;

use super::SCAN;
use super::group::{GROUP_WORDS, GroupWord, StrGroup};
use super::settle;
use super::{EXIT, FALSE, Inst, Jump, NONE, NodeId, SlotId, Split, TRUE, Tail, Test, Word, follow};
use crate::syntax::ast::CmpOp;

/// The most distinct tests a front may have to get a table (2^10 rows).
pub(crate) const ROOT_TESTS: usize = 10;

/// The most jumps a front may have to get a table: building runs the front
/// once per row, so this bounds the work to `2^ROOT_TESTS * ROOT_JUMPS` steps.
pub(crate) const ROOT_JUMPS: usize = 64;

/// Where one combination of verdicts leads: the condition nodes it passes
/// (`path[at..at + len]`, after start) and the node it leaves the front by
/// (not yet visited; [`NONE`] when the program is malformed). When that node
/// is a model whose whole tail is compiled (see [`Tail`]), `done` indexes the
/// decision it makes, which `decide` returns without walking ([`NONE`]
/// otherwise). When that node is a split each of whose shares leads to such a
/// model, `split` is set and `done` indexes the decision of its first share,
/// the others following in order: `decide` hashes the sticky value, as the
/// walk would, and returns the decision of the share it falls in. (`split`
/// could be read from the exit's instruction, but a plain decision would then
/// pay a load and a bounds check for it.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) at: u32,
    pub(crate) len: u32,
    pub(crate) exit: NodeId,
    pub(crate) done: u32,
    pub(crate) split: bool,
}

/// A decision the request's verdicts settle alone: the whole path
/// (`path[at..at + len]`, start to end), the serving model node and its model
/// index, and its fallback chain (a range of `Program::tail_nodes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Done {
    pub(crate) at: u32,
    pub(crate) len: u32,
    pub(crate) served: NodeId,
    pub(crate) model: u32,
    pub(crate) chain: (u32, u32),
    /// The path's last node, where the session's cursor is left.
    pub(crate) last: NodeId,
    /// The path as one chunk padded with [`NONE`], when it is no longer
    /// than [`PATH_CHUNK`] (`len` says): kept here, not in a pool, so
    /// copying it waits for one load less.
    pub(crate) chunk: [NodeId; PATH_CHUNK],
}

/// A string test: the slot holds the word. Each word of a short `$in` list is
/// a test of its own, all setting the list's bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StrBit {
    pub(crate) slot: SlotId,
    pub(crate) word: Word,
    /// The word's bytes 8 to 16 (see `eval::keys::second_of`): with the
    /// length and first eight bytes they settle words of up to 16 bytes.
    pub(crate) second: u64,
    pub(crate) bit: usize,
}

/// A number test as an interval: the slot holds a number from `lo` to `hi`,
/// both included (`> v` starts at the next number after `v`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct NumBit {
    pub(crate) slot: SlotId,
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    pub(crate) bit: usize,
}

impl NumBit {
    /// `op v` as an interval; `None` for an infinite or NaN `v`, or `!=`.
    fn new(slot: SlotId, op: CmpOp, v: f64, bit: usize) -> Option<NumBit> {
        if !v.is_finite() {
            return None;
        }
        let (lo, hi) = match op {
            CmpOp::Eq => (v, v),
            CmpOp::Gt => (v.next_up(), f64::INFINITY),
            CmpOp::Gte => (v, f64::INFINITY),
            CmpOp::Lt => (f64::NEG_INFINITY, v.next_down()),
            CmpOp::Lte => (f64::NEG_INFINITY, v),
            CmpOp::Ne => return None,
        };
        Some(NumBit { slot, lo, hi, bit })
    }
}

/// The front's tests, grouped by type so each group runs as a tight loop
/// without dispatch, and a row per combination of their verdicts (test `i`
/// holding sets bit `i`, the value `bit`, of the row's index).
#[derive(Clone, Debug, Default)]
pub(crate) struct Root {
    /// String tests on a slot with one word (or whose words no table
    /// separates).
    pub(crate) strs: Vec<StrBit>,
    /// String tests on a slot with several words, a lookup per slot.
    pub(crate) groups: Vec<StrGroup>,
    /// The groups' tables, one after another.
    pub(crate) words: Vec<GroupWord>,
    pub(crate) nums: Vec<NumBit>,
    /// Presence tests.
    pub(crate) present: Vec<(SlotId, usize)>,
    /// Every other test, run through the evaluator's general test.
    pub(crate) others: Vec<(Test, usize)>,
    pub(crate) rows: Vec<Row>,
    pub(crate) done: Vec<Done>,
    pub(crate) path: Vec<NodeId>,
}

impl Root {
    /// Files the tests in their groups, test `i` setting bit `i`.
    /// Returns the long string lists filed word by word (see
    /// [`Root::group_strings`]).
    fn file(
        &mut self,
        tests: &[Test],
        str_sets: &[Word],
        strings: &[Box<str>],
    ) -> Option<Vec<(Test, usize)>> {
        let mut long = Vec::new();
        for (i, &test) in tests.iter().enumerate() {
            let bit = 1usize.checked_shl(u32::try_from(i).ok()?)?;
            let num = |slot, op, v| NumBit::new(slot, op, v, bit);
            let str_bit = |slot, word: Word| StrBit {
                slot,
                word,
                second: crate::eval::second_of(
                    strings
                        .get(word.s as usize)
                        .map_or(&[][..], |s| s.as_bytes()),
                ),
                bit,
            };
            // Words of up to 16 bytes are settled by three words of the
            // request's slot; longer ones go through the general test.
            let mut file_word = |slot, word: Word| {
                if word.len <= 16 {
                    self.strs.push(str_bit(slot, word));
                } else {
                    self.others.push((Test::Str { slot, word }, bit));
                }
            };
            match test {
                Test::Str { slot, word } => file_word(slot, word),
                Test::InStrs { slot, start, len } if len as usize <= SCAN => {
                    for &word in super::range(str_sets, start, len) {
                        file_word(slot, word);
                    }
                }
                // A longer list of short words is filed word by word too, to
                // become one lookup; it goes back to the general test (a
                // search) if its slot's words get no table.
                Test::InStrs { slot, start, len }
                    if len as usize <= GROUP_WORDS
                        && super::range(str_sets, start, len)
                            .iter()
                            .all(|w| w.len <= 16) =>
                {
                    for &word in super::range(str_sets, start, len) {
                        file_word(slot, word);
                    }
                    long.push((test, bit));
                }
                Test::Num { slot, v } if num(slot, CmpOp::Eq, v).is_some() => {
                    self.nums.extend(num(slot, CmpOp::Eq, v));
                }
                Test::NumOrd { slot, op, v } if num(slot, op, v).is_some() => {
                    self.nums.extend(num(slot, op, v));
                }
                Test::Exists { slot } => self.present.push((slot, bit)),
                other => self.others.push((other, bit)),
            }
        }
        Some(long)
    }

    /// Keeps `path` in the pool once; its range there.
    pub(super) fn keep(
        &mut self,
        seen: &mut HashMap<Vec<NodeId>, u32>,
        path: &[NodeId],
    ) -> Option<(u32, u32)> {
        let len = u32::try_from(path.len()).ok()?;
        if let Some(&at) = seen.get(path) {
            return Some((at, len));
        }
        let at = u32::try_from(self.path.len()).ok()?;
        self.path.extend_from_slice(path);
        seen.insert(path.to_vec(), at);
        Some((at, len))
    }
}

/// What the table is built from: the program's instructions, linked jump
/// lists with each node's entry and the string sets they search, and the
/// compiled tails of its models.
pub(crate) struct Parts<'a> {
    pub(crate) insts: &'a [Inst],
    pub(crate) jumps: &'a [Jump],
    pub(crate) entries: &'a [u32],
    pub(crate) str_sets: &'a [Word],
    pub(crate) strings: &'a [Box<str>],
    pub(crate) tails: &'a [Tail],
    pub(crate) tail_nodes: &'a [NodeId],
    pub(crate) splits: &'a [Split],
}

/// The table of the front after start, when it has one (see the module).
pub(crate) fn root(p: &Parts<'_>) -> Option<Root> {
    let Some(&Inst::Start { next }) = p.insts.first() else {
        return None;
    };
    let bits = number_tests(p.insts, p.jumps, p.entries, next)?;
    if bits.tests.is_empty() {
        return None;
    }
    let combos = 1usize.checked_shl(u32::try_from(bits.tests.len()).ok()?)?;
    let mut root = Root {
        rows: Vec::with_capacity(combos),
        ..Root::default()
    };
    let long = root.file(&bits.tests, p.str_sets, p.strings)?;
    root.group_strings(&long);
    // Identical paths (most rows: verdicts the path never asked) are kept once.
    let mut seen: HashMap<Vec<NodeId>, u32> = HashMap::new();
    // A decision follows from the front's path and its exit.
    let mut dones: HashMap<(u32, u32, NodeId), (u32, bool)> = HashMap::new();
    let mut path = Vec::new();
    for mask in 0..combos {
        path.clear();
        let exit = run(p.insts, p.jumps, p.entries, &bits, next, mask, &mut path);
        let (at, len) = root.keep(&mut seen, &path)?;
        let (done, split) = match dones.get(&(at, len, exit)) {
            Some(&d) => d,
            None => {
                let d =
                    settle::settle(p, &mut root, &mut seen, &path, exit).unwrap_or((NONE, false));
                dones.insert((at, len, exit), d);
                d
            }
        };
        root.rows.push(Row {
            at,
            len,
            exit,
            done,
            split,
        });
    }
    Some(root)
}

/// A settled path this long or shorter is copied into a session as one
/// fixed chunk (`Done::chunk`).
pub(crate) const PATH_CHUNK: usize = 8;

/// The front's distinct tests, and each jump's test number.
struct Bits {
    tests: Vec<Test>,
    of_jump: HashMap<u32, u32>,
}

/// Numbers the tests of every jump reachable from node `from` without
/// leaving the conditions; `None` past [`ROOT_TESTS`] or [`ROOT_JUMPS`].
fn number_tests(insts: &[Inst], jumps: &[Jump], entries: &[u32], from: NodeId) -> Option<Bits> {
    let mut bits = Bits {
        tests: Vec::new(),
        of_jump: HashMap::new(),
    };
    let mut nodes = vec![from];
    let mut seen_nodes = std::collections::HashSet::new();
    let mut pending: Vec<u32> = Vec::new();
    while let Some(n) = nodes.pop() {
        if !seen_nodes.insert(n) {
            continue;
        }
        let Some(&Inst::Cond {
            then, otherwise, ..
        }) = insts.get(n as usize)
        else {
            continue;
        };
        match entries.get(n as usize) {
            Some(&at) if at < FALSE => pending.push(at),
            Some(&TRUE) => nodes.push(then),
            _ => nodes.push(otherwise),
        }
        while let Some(at) = pending.pop() {
            if bits.of_jump.contains_key(&at) {
                continue;
            }
            let j = jumps.get(at as usize)?;
            let bit = match bits.tests.iter().position(|t| *t == j.test) {
                Some(b) => b,
                None => {
                    bits.tests.push(j.test);
                    bits.tests.len().checked_sub(1)?
                }
            };
            if bits.tests.len() > ROOT_TESTS || bits.of_jump.len() >= ROOT_JUMPS {
                return None;
            }
            bits.of_jump.insert(at, u32::try_from(bit).ok()?);
            for e in [j.yes, j.no] {
                if e.to == EXIT {
                    nodes.push(e.node);
                } else {
                    pending.push(e.to);
                }
            }
        }
    }
    Some(bits)
}

/// The walk from `n` with the verdicts of `mask`, as `eval::walk` and
/// `Program::flow` take it: every condition node visited is pushed; returns
/// the first node that is not a condition.
fn run(
    insts: &[Inst],
    jumps: &[Jump],
    entries: &[u32],
    bits: &Bits,
    mut n: NodeId,
    mask: usize,
    path: &mut Vec<NodeId>,
) -> NodeId {
    let holds = |at: u32| {
        bits.of_jump
            .get(&at)
            .is_some_and(|&b| mask.checked_shr(b).is_some_and(|m| m & 1 == 1))
    };
    // Every step moves forward, so this ends.
    loop {
        let Some(&Inst::Cond {
            then, otherwise, ..
        }) = insts.get(n as usize)
        else {
            return n;
        };
        path.push(n);
        let next = match entries.get(n as usize) {
            // `Program::flow`, with the verdicts given.
            Some(&at) if at < FALSE => follow(jumps, at, |at, _| holds(at), |n| path.push(n)),
            Some(&TRUE) => then,
            _ => otherwise,
        };
        // The walk stops where an output does not point forward.
        if next <= n {
            return NONE;
        }
        n = next;
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
