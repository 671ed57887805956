//! A request's evaluation in words: one line per traced step, as `eval` prints
//! it and as `test` shows a failing case. One wording, used everywhere.

use crate::compile::{Inst, NodeId, Program};
use crate::eval::{Reason, Report, Request, StickyFrom, Value};
use crate::syntax::cond::number_text;

/// One traced step in words: what node `n` looked at, what it decided, and where
/// the request went next.
pub fn step(p: &Program, n: NodeId, reason: &Reason, req: &Request) -> String {
    let next_of = |slot_pick: &dyn Fn(&Inst) -> Option<NodeId>| {
        p.inst(n)
            .and_then(slot_pick)
            .map_or(String::new(), |t| format!(" `{}`", p.node_id(t)))
    };
    match (reason, p.inst(n)) {
        (Reason::Start, Some(Inst::Start { next })) => format!("start → `{}`", p.node_id(*next)),
        (
            Reason::Cond { result },
            Some(Inst::Cond {
                cond,
                then,
                otherwise,
            }),
        ) => {
            let to = if *result { then } else { otherwise };
            format!(
                "{} → {result} → `{}`",
                p.cond_text(*cond)
                    .trim_start_matches('(')
                    .trim_end_matches(')'),
                p.node_id(*to)
            )
        }
        (
            Reason::Split {
                bucket,
                share,
                from,
            },
            Some(Inst::Split { sticky, split }),
        ) => {
            let table = &p.splits[*split as usize];
            let lo = if *share == 0 {
                0
            } else {
                table.shares[share - 1].0
            };
            let (hi, to) = table.shares[*share];
            let pct = f64::from(hi - lo) / 100.0;
            let src = match from {
                StickyFrom::Field => {
                    let key = sticky.map(|s| p.slot_name(s)).unwrap_or_default();
                    let v = sticky.and_then(|s| req.get(s)).map(|v| match v {
                        Value::Str(s) => format!("{s:?}"),
                        Value::Num(x) => number_text(x),
                        Value::Bool(b) => b.to_string(),
                    });
                    format!("metadata.{key} = {}", v.unwrap_or_default())
                }
                StickyFrom::RequestId => "the request id".to_string(),
                StickyFrom::Random => "a seeded random draw".to_string(),
            };
            format!(
                "bucket {bucket} of 10000 (from {src}) → {}% share → `{}`",
                number_text(pct),
                p.node_id(to)
            )
        }
        (
            Reason::Limit { used, passed },
            Some(Inst::Limit {
                limit,
                success,
                fallback,
            }),
        ) => {
            let spec = &p.limits[*limit as usize];
            let out = if *passed {
                ("success", success)
            } else {
                ("fallback", fallback)
            };
            let Some(used) = used else {
                let mode = match p.store_failure() {
                    crate::compile::StoreFailure::Closed => "closed",
                    _ => "open",
                };
                return format!(
                    "the limit store did not answer; the route fails {mode} → {} → `{}`",
                    out.0,
                    p.node_id(*out.1)
                );
            };
            let (used, of) = match spec.kind {
                crate::syntax::ast::LimitKind::Count => (
                    number_text(*used),
                    format!("{} requests", number_text(spec.limit)),
                ),
                crate::syntax::ast::LimitKind::Cost => (
                    format!("${}", number_text(*used)),
                    format!("${}", number_text(spec.limit)),
                ),
            };
            let key = spec
                .key_name
                .as_deref()
                .map(|k| format!(" per {k}"))
                .unwrap_or_default();
            format!(
                "{used} of {of} used in window{key} → {} → `{}`",
                out.0,
                p.node_id(*out.1)
            )
        }
        (Reason::Model { report }, Some(Inst::Model { model, .. })) => {
            let m = &p.models[*model as usize];
            let what = match report {
                Report::Answered => format!(
                    "answered → success{}",
                    next_of(&|i| match i {
                        Inst::Model { success, .. } => Some(*success),
                        _ => None,
                    })
                ),
                Report::Failed => format!(
                    "failed after {} retr{} → fallback{}",
                    m.retries,
                    if m.retries == 1 { "y" } else { "ies" },
                    next_of(&|i| match i {
                        Inst::Model { fallback, .. } => Some(*fallback),
                        _ => None,
                    })
                ),
            };
            format!("{}/{} {what}", m.provider, m.model)
        }
        (Reason::End, _) => "end".to_string(),
        _ => String::new(),
    }
}

/// Steps as `eval` prints them: `(node id, words)` per line, ids aligned, each
/// line indented by two spaces and ended by a newline.
pub fn lines(steps: &[(String, String)]) -> String {
    let width = steps
        .iter()
        .map(|(id, _)| id.chars().count())
        .max()
        .unwrap_or(4);
    let mut out = String::new();
    for (id, words) in steps {
        out.push_str(&format!("  {id:<width$}  {words}\n"));
    }
    out
}
