//! A program described canonically, for comparing routes whatever format they
//! were read from and whatever order their nodes were written in.

use super::{Inst, NodeId, Program};

impl Program {
    /// A canonical description of the program (ids, properties, edges), one line
    /// per node sorted by id: equal for routes that mean the same whatever format
    /// they were read from and whatever order their nodes were written in.
    pub fn canonical(&self) -> String {
        let mut lines = Vec::with_capacity(self.insts.len());
        for (inst, node) in self.insts.iter().zip(&self.ids) {
            let id = |n: NodeId| self.node_id(n).to_string();
            let line = match inst {
                Inst::Start { next } => format!("start -> {}", id(*next)),
                Inst::End => "end".to_string(),
                Inst::Cond {
                    cond,
                    then,
                    otherwise,
                } => {
                    format!(
                        "if {} then {} else {}",
                        self.cond_text(*cond),
                        id(*then),
                        id(*otherwise)
                    )
                }
                Inst::Split { sticky, split } => {
                    let shares: Vec<String> = self
                        .splits
                        .get(*split as usize)
                        .map_or(&[][..], |s| &s.shares)
                        .iter()
                        .map(|(b, t)| format!("<{b}:{}", id(*t)))
                        .collect();
                    format!(
                        "split sticky={:?} {}",
                        sticky.map(|s| self.slot_name(s)),
                        shares.join(" ")
                    )
                }
                Inst::Limit {
                    limit,
                    success,
                    fallback,
                } => {
                    let Some(l) = self.limits.get(*limit as usize) else {
                        continue;
                    };
                    format!(
                        "limit {:?} key={:?} {}/{}s {:?} ok {} else {}",
                        l.kind,
                        l.key_name,
                        l.limit,
                        l.window,
                        l.mode,
                        id(*success),
                        id(*fallback)
                    )
                }
                Inst::Model {
                    model,
                    success,
                    fallback,
                } => {
                    let Some(m) = self.models.get(*model as usize) else {
                        continue;
                    };
                    format!(
                        "model {}/{} {}ms x{} ok {} else {}",
                        m.provider,
                        m.model,
                        m.timeout_ms,
                        m.retries,
                        id(*success),
                        id(*fallback)
                    )
                }
            };
            lines.push(format!("{node:?} {line}\n"));
        }
        lines.sort();
        let mut out = format!("route {:?}\n", self.name);
        out.extend(lines);
        out
    }
}
