//! Validated DAG ([`Valid`]) → flat, immutable [`Program`].
//!
//! Nodes are renumbered in topological order (`start` is 0, every output points
//! forward), metadata keys are interned into slots, string literals pooled, and
//! each split's hash prefix (`route ‖ 0 ‖ node ‖ 0`) is absorbed once. Evaluation
//! then never looks up a name or hashes a key string on its hot path.

// Nothing here may panic on any program, request or store answer: no indexing,
// no unwrap/expect, no unchecked integer arithmetic.
// Denied in the engine's code; a test may panic, as that is how it fails.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

mod canonical;
mod cond;
mod group;
mod inst;
mod jump;
mod settle;
mod table;
mod tail;

use petgraph::algo::toposort;
use sha2::{Digest, Sha256};

pub use cond::{CondOp, Lit};
pub(crate) use group::{VACANT_WORD, group_slot};
pub use inst::{Inst, LimitSpec, ModelSpec, Split, StoreFailure};
pub(crate) use jump::{EXIT, FALSE, Jump, NONE, SCAN, TRUE, Test, Word, follow, range, same_bytes};
pub(crate) use table::{Done as Settled, PATH_CHUNK, Root, Row};
pub(crate) use tail::Tail;

use crate::graph::Slot;
use crate::syntax::ast::{Cond, NodeKind, WindowMode};
use crate::syntax::values::Share;
use crate::validate::Valid;

/// The linked jump lists, the string sets they search, and each node's entry.
type JumpLists = (Vec<Jump>, Vec<Word>, Vec<u32>);

/// A node's index in a [`Program`].
pub type NodeId = u32;

/// A metadata key's slot in a [`Program`] (see [`Program::slot`]).
pub type SlotId = u16;

/// Why a valid route could not be compiled: it is larger than a program holds.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CompileError {
    /// The route reads more distinct metadata keys than a program can hold.
    #[error("the route reads more than 65535 distinct metadata keys")]
    TooManyKeys,
    /// The route has more nodes, conditions or literals than a program can hold.
    #[error("the route has more than 4294967295 {0}")]
    TooLarge(&'static str),
}

impl CompileError {
    /// The located diagnostic (at the file: no one node is to blame).
    pub fn at(&self, span: crate::source::Span) -> crate::diagnostic::Diagnostic {
        let code = crate::diagnostic::Code::LimitExceeded;
        crate::diagnostic::Diagnostic::error(code, span, self.to_string())
            .help("split the route into smaller routes")
    }
}

/// A compiled route: immutable, `Send + Sync`, cheap to share across threads.
#[derive(Clone, Debug)]
pub struct Program {
    pub(crate) name: Box<str>,
    pub(crate) insts: Vec<Inst>,
    pub(crate) ids: Vec<Box<str>>,
    /// Metadata key names (without `metadata.`), by slot.
    pub(crate) keys: Vec<Box<str>>,
    /// Key name → slot, for the metadata reader and [`Program::slot`].
    pub(crate) key_index: crate::eval::KeyIndex,
    pub(crate) conds: Vec<CondOp>,
    pub(crate) children: Vec<u32>,
    pub(crate) lits: Vec<Lit>,
    pub(crate) strings: Vec<Box<str>>,
    pub(crate) splits: Vec<Split>,
    pub(crate) limits: Vec<LimitSpec>,
    pub(crate) models: Vec<ModelSpec>,
    /// The syntax node index each program node came from.
    pub(crate) origin: Vec<usize>,
    /// What follows each model (by model index) when it does not depend on
    /// the request, as ranges of `tail_nodes`.
    pub(crate) tails: Vec<Tail>,
    pub(crate) tail_nodes: Vec<NodeId>,
    /// Every condition node's condition as a jump list (see `jump`), and
    /// where each node's list starts (by node; unused for other nodes).
    pub(crate) jumps: Vec<Jump>,
    pub(crate) str_sets: Vec<Word>,
    pub(crate) entries: Vec<u32>,
    /// The conditions after start as one table (see `table`), when small
    /// enough.
    pub(crate) root: Option<Root>,
    /// What limits do when their store fails.
    pub(crate) store_failure: StoreFailure,
    /// Identifies the program's layout (see [`Program::fingerprint`]).
    pub(crate) fingerprint: u64,
}

impl Program {
    /// Compiles a route that validated without errors (see
    /// [`validate`](crate::validate::validate), or [`crate::compile()`] from text).
    pub fn compile(valid: &Valid<'_>) -> Result<Program, CompileError> {
        let g = valid.graph();
        // A valid graph is acyclic; an empty order would only mean an empty program.
        let order = toposort(&g.graph, None).unwrap_or_default();
        // Start first; the rest in topological order (ties as written).
        let mut order: Vec<_> = order.into_iter().filter(|ix| g.is_canonical(*ix)).collect();
        if let Some(pos) = order
            .iter()
            .position(|ix| matches!(g.node(*ix).kind, NodeKind::Start { .. }))
        {
            let s = order.remove(pos);
            order.insert(0, s);
        }
        let mut number = vec![u32::MAX; g.graph.node_count()];
        for (i, ix) in order.iter().enumerate() {
            let n = u32::try_from(i).map_err(|_| CompileError::TooLarge("nodes"))?;
            if let Some(slot) = number.get_mut(ix.index()) {
                *slot = n;
            }
        }
        let mut b = cond::Builder::default();
        let mut p = Program {
            name: g.route.name.value.clone().into(),
            insts: Vec::with_capacity(order.len()),
            ids: Vec::with_capacity(order.len()),
            keys: Vec::new(),
            key_index: crate::eval::KeyIndex::default(),
            conds: Vec::new(),
            children: Vec::new(),
            lits: Vec::new(),
            strings: Vec::new(),
            splits: Vec::new(),
            limits: Vec::new(),
            models: Vec::new(),
            origin: Vec::with_capacity(order.len()),
            tails: Vec::new(),
            tail_nodes: Vec::new(),
            jumps: Vec::new(),
            str_sets: Vec::new(),
            entries: Vec::new(),
            root: None,
            store_failure: StoreFailure::Open,
            fingerprint: 0,
        };
        for ix in &order {
            let node = g.node(*ix);
            let target = |slot: Slot| -> NodeId {
                use petgraph::visit::EdgeRef;
                g.graph
                    .edges(*ix)
                    .find(|e| e.weight().slot == slot)
                    .and_then(|e| number.get(e.target().index()).copied())
                    .unwrap_or(u32::MAX)
            };
            let inst = match &node.kind {
                NodeKind::Start { .. } => Inst::Start {
                    next: target(Slot::Next),
                },
                NodeKind::End => Inst::End,
                NodeKind::Conditional { condition, .. } => Inst::Cond {
                    // Validation requires a condition; none would be "always true".
                    cond: match condition {
                        Some(c) => b.lower(&c.value)?,
                        None => b.lower(&Cond::All(Vec::new()))?,
                    },
                    then: target(Slot::True),
                    otherwise: target(Slot::False),
                },
                NodeKind::Percentage { sticky, branches } => {
                    let mut shares = Vec::with_capacity(branches.len());
                    let mut bound: u32 = 0;
                    for (i, br) in branches.iter().enumerate() {
                        // Validation has read every share; an unreadable one adds nothing.
                        bound = bound.saturating_add(br.parsed.map_or(0, Share::basis));
                        let to = target(Slot::Share(u16::try_from(i).unwrap_or(u16::MAX)));
                        shares.push((u16::try_from(bound.min(10_000)).unwrap_or(10_000), to));
                    }
                    let mut prefix = Sha256::new();
                    prefix.update(g.route.name.value.as_bytes());
                    prefix.update([0u8]);
                    prefix.update(node.id.value.as_bytes());
                    prefix.update([0u8]);
                    let sticky = match sticky {
                        Some(s) => Some(b.slot(&s.value)?),
                        None => None,
                    };
                    let block = crate::eval::sticky_block(&g.route.name.value, &node.id.value);
                    p.splits.push(Split {
                        shares,
                        prefix,
                        block,
                    });
                    Inst::Split {
                        sticky,
                        split: index(p.splits.len().saturating_sub(1)),
                    }
                }
                NodeKind::Limit(l) => {
                    let key = match &l.key {
                        Some(k) => Some(b.slot(&k.value)?),
                        None => None,
                    };
                    p.limits.push(LimitSpec {
                        kind: l.kind,
                        key,
                        key_name: l.key.as_ref().map(|k| k.value.clone().into()),
                        limit: l.limit.as_ref().map_or(0.0, |v| v.value),
                        window: l.window.as_ref().map_or(1.0, |v| v.value),
                        mode: l.mode.as_ref().map_or(WindowMode::Fixed, |m| m.value),
                    });
                    Inst::Limit {
                        limit: index(p.limits.len().saturating_sub(1)),
                        success: target(Slot::Success),
                        fallback: target(Slot::Fallback),
                    }
                }
                NodeKind::Model(m) => {
                    p.models.push(ModelSpec {
                        provider: m.provider.value.clone().into(),
                        model: m.model.value.clone().into(),
                        timeout_ms: m.timeout.as_ref().map_or(0, |v| v.value as u64),
                        retries: m.retries.as_ref().map_or(0, |v| v.value as u32),
                    });
                    Inst::Model {
                        model: index(p.models.len().saturating_sub(1)),
                        success: target(Slot::Success),
                        fallback: target(Slot::Fallback),
                    }
                }
            };
            p.insts.push(inst);
            p.ids.push(node.id.value.clone().into());
            p.origin
                .push(g.graph.node_weight(*ix).copied().unwrap_or(usize::MAX));
        }
        let (keys, conds, children, lits, strings) = b.finish();
        p.key_index = crate::eval::KeyIndex::new(&keys);
        p.keys = keys;
        p.conds = conds;
        p.children = children;
        p.lits = lits;
        p.strings = strings;
        (p.tails, p.tail_nodes) = tail::tails(&p.insts);
        (p.jumps, p.str_sets, p.entries) = p.jump_lists()?;
        p.root = table::root(&table::Parts {
            insts: &p.insts,
            jumps: &p.jumps,
            entries: &p.entries,
            str_sets: &p.str_sets,
            strings: &p.strings,
            tails: &p.tails,
            tail_nodes: &p.tail_nodes,
            splits: &p.splits,
        });
        p.fingerprint = p.layout_hash();
        Ok(p)
    }

    /// The jump lists of every condition node, the string sets they search,
    /// and each node's entry.
    fn jump_lists(&self) -> Result<JumpLists, CompileError> {
        let mut lists = jump::Lists::new(&self.conds, &self.children, &self.lits, &self.strings);
        let mut entries = Vec::with_capacity(self.insts.len());
        for inst in &self.insts {
            entries.push(match inst {
                Inst::Cond { cond, .. } => lists.add(*cond)?,
                _ => FALSE,
            });
        }
        lists.link(&self.insts, &entries);
        Ok((lists.jumps, lists.str_sets, entries))
    }

    /// The program with limits that do `on_failure` when their store cannot
    /// answer (fail open by default).
    pub fn with_store_failure(mut self, on_failure: StoreFailure) -> Program {
        self.store_failure = on_failure;
        self
    }

    /// What limits do when their store cannot answer.
    pub fn store_failure(&self) -> StoreFailure {
        self.store_failure
    }

    /// A number identifying the program's layout (route name, node ids, metadata
    /// slots): a [`Request`](crate::eval::Request) or
    /// [`Session`](crate::eval::Session) of a program with another fingerprint
    /// is refused. Never 0; equal for programs compiled from the same route.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    fn layout_hash(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = crate::eval::FxHasher::default();
        self.name.hash(&mut h);
        self.ids.hash(&mut h);
        self.keys.hash(&mut h);
        self.insts.len().hash(&mut h);
        h.finish() | 1
    }

    /// The route's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.insts.len()
    }

    /// Whether the program has no nodes.
    pub fn is_empty(&self) -> bool {
        self.insts.is_empty()
    }

    /// The author's id of node `n`.
    pub fn node_id(&self, n: NodeId) -> &str {
        self.ids.get(n as usize).map_or("", |s| s)
    }

    /// The node named `id`.
    pub fn find_node(&self, id: &str) -> Option<NodeId> {
        self.ids.iter().position(|s| &**s == id).map(index)
    }

    /// The instruction of node `n`.
    pub fn inst(&self, n: NodeId) -> Option<&Inst> {
        self.insts.get(n as usize)
    }

    /// The model behind a model node.
    pub fn model(&self, n: NodeId) -> Option<&ModelSpec> {
        match self.insts.get(n as usize)? {
            Inst::Model { model, .. } => self.models.get(*model as usize),
            _ => None,
        }
    }

    /// The limit behind a limit node.
    pub fn limit(&self, n: NodeId) -> Option<&LimitSpec> {
        match self.insts.get(n as usize)? {
            Inst::Limit { limit, .. } => self.limits.get(*limit as usize),
            _ => None,
        }
    }

    /// The slot of metadata key `key` (without `metadata.`), if the route reads it.
    #[inline]
    pub fn slot(&self, key: &str) -> Option<SlotId> {
        self.key_index.get(key.as_bytes())
    }

    /// Number of metadata slots.
    pub fn slot_count(&self) -> usize {
        self.keys.len()
    }

    /// The key name of a slot.
    pub fn slot_name(&self, slot: SlotId) -> &str {
        self.keys.get(slot as usize).map_or("", |s| s)
    }

    /// Number of limit nodes.
    pub fn limit_count(&self) -> usize {
        self.limits.len()
    }

    /// The syntax-tree node index node `n` was compiled from.
    pub fn origin(&self, n: NodeId) -> usize {
        self.origin.get(n as usize).copied().unwrap_or(usize::MAX)
    }
}

fn index(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn program_is_shareable() {
        assert_send_sync::<super::Program>();
    }
}
