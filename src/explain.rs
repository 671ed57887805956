//! A request's evaluation in words: one line per traced step, as `eval` prints
//! it and as `test` shows a failing case. One wording, used everywhere.
//!
//! [`Program::explain`] runs a request and returns the whole story as data
//! ([`Explanation`]): the path, each step in words, the model that served it
//! with its provider and model name, and the fallbacks behind it. Its `Display`
//! is what `aig-route eval` prints; [`Explanation::to_json`] what it prints with
//! `--format json`.

use std::fmt;

use crate::compile::{Inst, NodeId, Program};
use crate::eval::{
    EvalError, LimitStore, Reason, Report, Request, Session, Step, StickyFrom, Value,
};
use crate::syntax::cond::number_text;
use crate::syntax::field::{written, written_key};

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
            let Some(table) = p.splits.get(*split as usize) else {
                return String::new();
            };
            let lo = share
                .checked_sub(1)
                .and_then(|prev| table.shares.get(prev))
                .map_or(0, |s| s.0);
            let Some(&(hi, to)) = table.shares.get(*share) else {
                return String::new();
            };
            let pct = f64::from(hi.saturating_sub(lo)) / 100.0;
            let src = match from {
                StickyFrom::Field => {
                    let key = sticky.map(|s| p.slot_name(s)).unwrap_or_default();
                    let v = sticky.and_then(|s| req.get(s)).map(|v| match v {
                        Value::Str(s) => format!("{s:?}"),
                        Value::Num(x) => number_text(x),
                        Value::Bool(b) => b.to_string(),
                    });
                    format!("{} = {}", written_key(key), v.unwrap_or_default())
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
            let Some(spec) = p.limits.get(*limit as usize) else {
                return String::new();
            };
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
                .map(|k| format!(" per {}", written(k)))
                .unwrap_or_default();
            format!(
                "{used} of {of} used in window{key} → {} → `{}`",
                out.0,
                p.node_id(*out.1)
            )
        }
        (Reason::Model { report }, Some(Inst::Model { model, .. })) => {
            let Some(m) = p.models.get(*model as usize) else {
                return String::new();
            };
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

/// A model that served a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Served {
    /// The model node's id.
    pub node: String,
    /// Its provider.
    pub provider: String,
    /// Its model name.
    pub model: String,
}

/// One request's evaluation, explained (see [`Program::explain`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The ids of the nodes visited, in order.
    pub path: Vec<String>,
    /// Each step: the node's id and what happened there, in words.
    pub steps: Vec<(String, String)>,
    /// The model that served the request; `None` when no model answered.
    pub served: Option<Served>,
    /// The models (ids) that would be tried, in order, if the serving one and
    /// each following one failed. Empty when models were made to fail (the
    /// path then shows what happened) or none served.
    pub fallbacks: Vec<String>,
    /// The first limit-store failure: the limit node's id and the error. The
    /// program's store-failure choice decided that node's output.
    pub store_error: Option<(String, String)>,
    /// Why the request's cost could not be settled (see
    /// [`Program::explain_settled`]).
    pub settle_error: Option<String>,
}

impl Program {
    /// Runs `req` at time `now` against `store` (counting toward limits like a
    /// real request), with the model nodes in `failing` failing after all their
    /// retries and every other model answering, and explains each step. Splits
    /// without a sticky value or request id draw from a generator seeded with
    /// `seed`.
    pub fn explain<S: LimitStore + ?Sized>(
        &self,
        req: &Request,
        store: &mut S,
        now: f64,
        seed: u64,
        failing: &[NodeId],
    ) -> Result<Explanation, EvalError> {
        self.explain_settled(req, store, now, seed, failing, 0.0)
    }

    /// [`Program::explain`], then settles `cost` dollars to the budgets the
    /// request passed when a model served it, as a caller of the step machine
    /// would: with a shared store, later requests see it. The fallback chain
    /// is followed without counting anything.
    pub fn explain_settled<S: LimitStore + ?Sized>(
        &self,
        req: &Request,
        store: &mut S,
        now: f64,
        seed: u64,
        failing: &[NodeId],
        cost: f64,
    ) -> Result<Explanation, EvalError> {
        let mut s = Session::new(seed).with_trace();
        let mut next = self.begin(&mut s, req, store, now)?;
        // Each resume moves forward, so this ends within the program's length.
        let done = loop {
            match next {
                Step::Call(call) => {
                    let report = if failing.contains(&call.node) {
                        Report::Failed
                    } else {
                        Report::Answered
                    };
                    next = self.resume(&mut s, req, store, now, report)?;
                }
                Step::Done(done) => break done,
            }
        };
        let steps = s
            .trace()
            .iter()
            .map(|t| {
                (
                    self.node_id(t.node).to_string(),
                    step(self, t.node, &t.reason, req),
                )
            })
            .collect();
        let path = s
            .path()
            .iter()
            .map(|n| self.node_id(*n).to_string())
            .collect();
        let store_error = s
            .store_error()
            .map(|(n, e)| (self.node_id(n).to_string(), e.to_string()));
        let settle_error = match done.served_by {
            Some(_) => match self.settle(&s, req, store, now, cost) {
                Ok(()) => None,
                Err(EvalError::Store(e)) => Some(e.to_string()),
                Err(e) => return Err(e),
            },
            None => None,
        };
        let served = done.served_by.map(|n| {
            let m = self.model(n);
            Served {
                node: self.node_id(n).to_string(),
                provider: m.map_or_else(String::new, |m| m.provider.to_string()),
                model: m.map_or_else(String::new, |m| m.model.to_string()),
            }
        });
        let fallbacks = if failing.is_empty() {
            self.fallbacks(&mut s, req, store, now)?
                .iter()
                .map(|n| self.node_id(*n).to_string())
                .collect()
        } else {
            Vec::new()
        };
        Ok(Explanation {
            path,
            steps,
            served,
            fallbacks,
            store_error,
            settle_error,
        })
    }
}

impl Explanation {
    /// The explanation as one JSON document: `path`, `model` (`id`, `provider`,
    /// `model`, or null), `outcome` (`success` or `error`), `fallbacks`, `steps`
    /// (`node`, `explain`) and, when the limit store failed, `store_error`
    /// (`node`, `message`).
    pub fn to_json(&self) -> serde_json::Value {
        let mut doc = serde_json::json!({
            "path": self.path,
            "model": self.served.as_ref().map(|m| serde_json::json!({
                "id": m.node, "provider": m.provider, "model": m.model,
            })),
            "outcome": if self.served.is_some() { "success" } else { "error" },
            "fallbacks": self.fallbacks,
            "steps": self.steps.iter().map(|(node, words)| serde_json::json!({
                "node": node, "explain": words,
            })).collect::<Vec<_>>(),
        });
        if let (Some((node, message)), Some(map)) = (&self.store_error, doc.as_object_mut()) {
            map.insert(
                "store_error".into(),
                serde_json::json!({"node": node, "message": message}),
            );
        }
        if let (Some(message), Some(map)) = (&self.settle_error, doc.as_object_mut()) {
            map.insert("settle_error".into(), serde_json::json!(message));
        }
        doc
    }
}

/// The steps, then who served the request (or that no model answered) and what
/// would follow if it failed. Text from the route is not escaped: a terminal
/// caller passes the whole through `escape::terminal_multiline`.
impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&lines(&self.steps))?;
        if let Some((node, message)) = &self.store_error {
            writeln!(f, "limit store failed at `{node}`: {message}")?;
        }
        if let Some(message) = &self.settle_error {
            writeln!(f, "the cost was not settled: {message}")?;
        }
        match &self.served {
            Some(m) => {
                writeln!(f, "served by `{}` ({}/{})", m.node, m.provider, m.model)?;
                if !self.fallbacks.is_empty() {
                    let chain: Vec<String> =
                        self.fallbacks.iter().map(|n| format!("`{n}`")).collect();
                    writeln!(f, "if it fails: {}", chain.join(" → "))?;
                }
                Ok(())
            }
            None => writeln!(f, "error: no model answered"),
        }
    }
}
