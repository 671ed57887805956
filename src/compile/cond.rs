//! Conditions → flat ops with slots and pooled literals.

use super::{CompileError, SlotId};
use crate::syntax::ast::{CmpOp, Cond, Literal};
use crate::syntax::cond::write_literal;
use crate::syntax::field::written_key;

/// A compiled literal: strings by index into the program's string pool.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lit {
    /// A pooled string.
    Str(u32),
    /// A number.
    Num(f64),
    /// A boolean.
    Bool(bool),
}

/// One node of a compiled condition; children are ranges of `Program::children`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CondOp {
    /// All children hold.
    All {
        /// First child index.
        start: u32,
        /// Number of children.
        len: u32,
    },
    /// Some child holds.
    Any {
        /// First child index.
        start: u32,
        /// Number of children.
        len: u32,
    },
    /// The child does not hold.
    Not(u32),
    /// `slot op lit`.
    Cmp {
        /// The field.
        slot: SlotId,
        /// The operator.
        op: CmpOp,
        /// The operand.
        lit: Lit,
    },
    /// `slot in lits[start..start+len]`, negated for `not in`.
    In {
        /// The field.
        slot: SlotId,
        /// `not in`.
        negated: bool,
        /// First literal.
        start: u32,
        /// Number of literals.
        len: u32,
    },
    /// The field is present (or absent).
    Exists {
        /// The field.
        slot: SlotId,
        /// `true` for present.
        present: bool,
    },
}

#[derive(Default)]
pub(super) struct Builder {
    keys: Vec<Box<str>>,
    conds: Vec<CondOp>,
    children: Vec<u32>,
    lits: Vec<Lit>,
    strings: Vec<Box<str>>,
    /// Where each key and string already is: interning by a scan of the pool
    /// cost the pool's size per literal (a condition of 4,000 values, 16 million
    /// comparisons).
    key_index: std::collections::HashMap<Box<str>, SlotId>,
    string_index: std::collections::HashMap<Box<str>, usize>,
}

type Parts = (
    Vec<Box<str>>,
    Vec<CondOp>,
    Vec<u32>,
    Vec<Lit>,
    Vec<Box<str>>,
);

impl Builder {
    pub(super) fn finish(self) -> Parts {
        (
            self.keys,
            self.conds,
            self.children,
            self.lits,
            self.strings,
        )
    }

    /// The slot of a `metadata.<key>` field, interning it.
    pub(super) fn slot(&mut self, field: &str) -> Result<SlotId, CompileError> {
        let key = field.strip_prefix("metadata.").unwrap_or(field);
        if let Some(&i) = self.key_index.get(key) {
            return Ok(i);
        }
        let i = SlotId::try_from(self.keys.len()).map_err(|_| CompileError::TooManyKeys)?;
        self.keys.push(key.into());
        self.key_index.insert(key.into(), i);
        Ok(i)
    }

    fn lit(&mut self, l: &Literal) -> Lit {
        match l {
            Literal::Num(n) => Lit::Num(*n),
            Literal::Bool(b) => Lit::Bool(*b),
            Literal::Str(s) => {
                let i = match self.string_index.get(s.as_str()) {
                    Some(&i) => i,
                    None => {
                        self.strings.push(s.as_str().into());
                        let i = self.strings.len().saturating_sub(1);
                        self.string_index.insert(s.as_str().into(), i);
                        i
                    }
                };
                Lit::Str(super::index(i))
            }
        }
    }

    fn push(&mut self, op: CondOp) -> u32 {
        self.conds.push(op);
        super::index(self.conds.len().saturating_sub(1))
    }

    /// Lowers a condition; returns its root index.
    pub(super) fn lower(&mut self, c: &Cond) -> Result<u32, CompileError> {
        Ok(match c {
            Cond::All(cs) | Cond::Any(cs) => {
                let kids: Vec<u32> = cs.iter().map(|c| self.lower(c)).collect::<Result<_, _>>()?;
                let start = super::index(self.children.len());
                self.children.extend(&kids);
                let len = super::index(kids.len());
                self.push(if matches!(c, Cond::All(_)) {
                    CondOp::All { start, len }
                } else {
                    CondOp::Any { start, len }
                })
            }
            Cond::Not(inner) => {
                let i = self.lower(inner)?;
                self.push(CondOp::Not(i))
            }
            Cond::Cmp { field, op, value } => {
                let slot = self.slot(&field.value)?;
                let lit = self.lit(&value.value);
                self.push(CondOp::Cmp { slot, op: *op, lit })
            }
            Cond::In {
                field,
                negated,
                values,
            } => {
                let slot = self.slot(&field.value)?;
                let start = super::index(self.lits.len());
                for v in values {
                    let l = self.lit(&v.value);
                    self.lits.push(l);
                }
                self.push(CondOp::In {
                    slot,
                    negated: *negated,
                    start,
                    len: super::index(values.len()),
                })
            }
            Cond::Exists { field, present } => {
                let slot = self.slot(&field.value)?;
                self.push(CondOp::Exists {
                    slot,
                    present: *present,
                })
            }
        })
    }
}

impl super::Program {
    /// A condition as expression text (for explanations and canonical dumps).
    pub fn cond_text(&self, i: u32) -> String {
        let mut out = String::new();
        self.write_cond(i, &mut out);
        out
    }

    fn write_cond(&self, i: u32, out: &mut String) {
        let Some(op) = self.conds.get(i as usize) else {
            return;
        };
        let lit = |l: &Lit, out: &mut String| match l {
            Lit::Str(s) => write_literal(
                &Literal::Str(
                    self.strings
                        .get(*s as usize)
                        .map_or_else(String::new, |s| s.to_string()),
                ),
                out,
            ),
            Lit::Num(n) => write_literal(&Literal::Num(*n), out),
            Lit::Bool(b) => write_literal(&Literal::Bool(*b), out),
        };
        match op {
            CondOp::All { start, len } | CondOp::Any { start, len } => {
                let sep = if matches!(op, CondOp::All { .. }) {
                    " && "
                } else {
                    " || "
                };
                out.push('(');
                for (k, child) in crate::eval::range(&self.children, *start, *len)
                    .iter()
                    .enumerate()
                {
                    if k > 0 {
                        out.push_str(sep);
                    }
                    self.write_cond(*child, out);
                }
                out.push(')');
            }
            CondOp::Not(c) => {
                out.push_str("!(");
                self.write_cond(*c, out);
                out.push(')');
            }
            CondOp::Cmp { slot, op, lit: l } => {
                out.push_str(&format!(
                    "{} {} ",
                    written_key(self.slot_name(*slot)),
                    op.symbol()
                ));
                lit(l, out);
            }
            CondOp::In {
                slot,
                negated,
                start,
                len,
            } => {
                out.push_str(&format!(
                    "{}{} [",
                    written_key(self.slot_name(*slot)),
                    if *negated { " not in" } else { " in" }
                ));
                for (k, l) in crate::eval::range(&self.lits, *start, *len)
                    .iter()
                    .enumerate()
                {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    lit(l, out);
                }
                out.push(']');
            }
            CondOp::Exists { slot, present } => {
                out.push_str(if *present { "exists " } else { "!exists " });
                out.push_str(&written_key(self.slot_name(*slot)));
            }
        }
    }
}
