//! The notes and the help of each [`Finding`]: the facts behind it, and the
//! fix written as the route's format writes it.

use super::{FieldProblem, Finding};
use crate::syntax::ast::{Format, LimitKind};
use crate::syntax::values::percent;
use crate::syntax::{list, ticked};

/// Why a `metadata[...]` field did not read.
const QUOTED_NOTE: &str =
    "between the brackets is one JSON string: control characters are escaped (`\\t`, `\\u0001`)";

/// How to write a metadata key with other characters, in `format`.
fn quoted_help(format: Format) -> String {
    match format {
        Format::Json => {
            "in gateway JSON the key follows `metadata.` as it is, such as `\"metadata.odd key\"`"
                .into()
        }
        Format::Yaml | Format::Dsl => {
            "write the key as a JSON string in brackets, such as `metadata[\"odd key\"]`".into()
        }
    }
}

/// The last dotted part of a field, to suggest `metadata.<it>`.
fn last_part<'a>(written: &'a str, or: &'a str) -> &'a str {
    written.rsplit('.').next().unwrap_or(or)
}

impl Finding {
    /// The facts that explain it.
    pub fn notes(&self) -> Vec<String> {
        use Finding as F;
        let one = |s: &str| vec![s.to_string()];
        match self {
            F::MissingOutputs { kind, .. } => vec![format!("a {kind} needs every one of its outputs")],
            F::Cycle { .. } => one("a request would go round forever; routes must be acyclic"),
            F::NoPathToEnd { .. } => one("a request that gets here never finishes"),
            F::Unreachable { led_to: false, .. } => one("no output leads to it"),
            F::Unreachable { .. } => one("only unreachable nodes lead to it"),
            F::StickyIgnored { .. } => one(
                "the gateway splits each request at random; only aig-route's evaluation keeps users on one side",
            ),
            F::UnwritableShares { basis, forms, .. } => vec![format!(
                "the gateway keys a split's outputs by share, and {} can be written only as {}",
                percent(u64::from(*basis)),
                list(forms)
            )],
            F::SharesNot100 { written, .. } => vec![format!("shares: {}", written.join(" + "))],
            F::TooManyShares { .. } => one("the hosted gateway is not known to accept more than 5"),
            F::MissingKey { .. } => one(
                "the gateway's API requires `key` on every rate and budget limit, and refuses the route without one",
            ),
            F::SlidingWindow { .. } => one(
                "the gateway is not known to offer sliding windows; it may count in fixed windows",
            ),
            F::CustomProvider { .. } => {
                one("the gateway accepts the route but answers error 2005 at request time")
            }
            F::UnknownProvider { .. } => vec![format!(
                "known providers: {}",
                super::super::PROVIDERS.join(", ")
            )],
            F::BadKeyField { quoted: true, .. }
            | F::BadField {
                problem: FieldProblem::BadQuotes,
                ..
            } => one(QUOTED_NOTE),
            F::BadKeyField { .. } => {
                one("limits and splits can only key on the request's `cf-aig-metadata`")
            }
            F::BadField {
                problem: FieldProblem::NoKey,
                ..
            } => one(
                "everything after `metadata.` is the key, such as `cf.user_id` in `metadata.cf.user_id`",
            ),
            F::BadField { .. } => {
                one("the gateway only exposes the request's `cf-aig-metadata` to routes")
            }
            F::UndocumentedOperator { .. } => one(
                "the gateway documents `$eq`, `$ne`, `$in`, `$and` and `$or`; aig-route evaluates all operators",
            ),
            F::TooManyKeys { keys } => vec![
                format!("keys read: {}", list(keys)),
                "the gateway forwards at most 5 metadata entries per request and silently drops the rest"
                    .into(),
            ],
            F::UndeclaredKey { declared, .. } => {
                vec![format!("declared: {}", list(declared))]
            }
            F::TypeMismatch { .. } => one("comparisons are type-strict: `\"1\"` never equals `1`"),
            F::SameModelFallback { .. } => one(
                "the fallback is taken after all retries of this model failed; the same model is likely to fail again",
            ),
            F::ConfusableIds { .. } => {
                one("an output naming one of them is easily written meaning the other")
            }
            F::KeyMayBeMissing { .. } => {
                one("one caller without the key can use up the limit for every caller without it")
            }
            _ => Vec::new(),
        }
    }

    /// How to fix it, with any example written as `format` writes it; `None`
    /// when there is nothing better to say than the message.
    pub fn help(&self, format: Format) -> Option<String> {
        use Finding as F;
        let json = format == Format::Json;
        Some(match self {
            F::EmptyName => "name it: clients call it as `dynamic/<name>`".into(),
            F::NoNodes => "add a start node, at least one model and an end".into(),
            F::NoStart => match format {
                Format::Yaml => "add `start: <node>` naming the first decision".into(),
                Format::Dsl => "begin the route with `start -> <node>`, leading to the first decision".into(),
                Format::Json => "add the start element to `elements`: `{\"id\": \"start\", \"type\": \"start\", \"outputs\": {\"next\": {\"elementId\": \"<node>\"}}}`".into(),
            },
            F::SecondStart { .. } => "a route has exactly one start; join the two paths after it".into(),
            F::NoEndNode => match format {
                Format::Yaml => "add an end node (`done: end` under `nodes:`) and lead the models' outputs to it".into(),
                Format::Dsl => "add an end node (`done: end` inside the route's braces) and lead the models' outputs to it".into(),
                Format::Json => "add an end element (`{\"id\": \"done\", \"type\": \"end\"}` in `elements`) and lead the models' outputs to it".into(),
            },
            F::NoShares { .. } => match format {
                Format::Yaml => "give it shares that add up to 100%, such as `90%: main` and `10%: canary`".into(),
                Format::Dsl => "give it shares that add up to 100%, such as `90% -> main` and `10% -> canary`".into(),
                Format::Json => "give it outputs keyed by shares that add up to 100%, such as `\"90%\": {\"elementId\": \"main\"}` and `\"10%\": {\"elementId\": \"canary\"}`".into(),
            },
            F::MissingOutputs { outputs, .. } => {
                format!("add {} naming the node to go to", ticked(outputs, " and "))
            }
            F::Cycle { .. } => "point one of these outputs at a node after the loop, such as an end".into(),
            F::NoPathToEnd { .. } => "lead at least one of its outputs, directly or through other nodes, to an end".into(),
            F::Unreachable { .. } => "connect it or delete it".into(),
            F::StickyIgnored { .. } => "keep it for simulation, and expect random splitting once deployed".into(),
            F::UnwritableShares { .. } => "nest splits: for four equal sides, a 50% / 50% split whose outputs each lead to a 50% / 50% split".into(),
            F::BadShare { error, .. } => error.help().into(),
            F::SharesNot100 { total, .. } => {
                let diff = i64::from(*total) - 10_000;
                let by = percent(diff.unsigned_abs());
                if diff > 0 {
                    format!("take {by} from the shares")
                } else {
                    format!("add {by} to the shares")
                }
            }
            F::TooManyShares { .. } => "nest two splits instead".into(),
            F::LimitNotPositive { kind, .. } => match (kind, json) {
                (LimitKind::Cost, false) => "write a budget such as `$50`".into(),
                (LimitKind::Cost, true) => "write a budget in dollars such as `\"limit\": 50`".into(),
                (_, false) => "write a number of requests such as `100`".into(),
                (_, true) => "write a number of requests such as `\"limit\": 100`".into(),
            },
            F::LimitTooLarge { .. } => "write the limit that is meant, or remove the node".into(),
            F::RateNotWhole { value, .. } => format!("write `{}`", value.floor().max(1.0)),
            F::BadWindow { .. } if json => "write whole seconds, such as `\"window\": 3600`".into(),
            F::BadWindow { .. } => {
                "write a whole number of seconds, or a duration such as `90s`, `1h`, `30d`".into()
            }
            F::MissingKey { .. } => match format {
                Format::Yaml => "key it on a metadata field: `key: metadata.user_id`".into(),
                Format::Dsl => "key it on a metadata field: `by metadata.user_id`".into(),
                Format::Json => "key it on a metadata field: `\"key\": \"metadata.user_id\"`".into(),
            },
            F::SlidingWindow { .. } => "use fixed windows for what will be deployed, or accept the difference".into(),
            F::BadTimeout { .. } if json => "write whole milliseconds, such as `\"timeout\": 30000`".into(),
            F::BadTimeout { .. } => "write a duration such as `30s`, or whole milliseconds".into(),
            F::BadRetries { .. } => "write how many times to retry after the first attempt, such as `2`".into(),
            F::CustomProvider { .. } => "call a built-in provider from the route".into(),
            F::UnknownProvider { near, .. } => return near.clone(),
            F::BadKeyField { quoted: true, .. }
            | F::BadField {
                problem: FieldProblem::BadQuotes,
                ..
            } => quoted_help(format),
            F::BadKeyField { written, .. } if json => format!(
                "write `metadata.<name>`, such as `\"metadata.{}\"`",
                last_part(written, "user_id")
            ),
            F::BadKeyField { written, .. } => format!(
                "write `metadata.<name>`, such as `metadata.{}`",
                last_part(written, "user_id")
            ),
            F::BadField {
                problem: FieldProblem::NoKey,
                ..
            } if json => "read one key, such as `\"metadata.plan\"`".into(),
            F::BadField {
                problem: FieldProblem::NoKey,
                ..
            } => "read one key, such as `metadata.plan`, or `metadata[\"odd key\"]` for other characters".into(),
            F::BadField { written, .. } => format!("write `metadata.{}`", last_part(written, "plan")),
            F::UndocumentedOperator { .. } => "test the deployed route with real requests, or allow this warning with `--allow W0608`".into(),
            F::TooManyKeys { .. } => "read at most 5 distinct keys".into(),
            F::UndeclaredKey { key, near: Some(s), .. } => {
                format!("did you mean `{s}`? (or declare `{key}` with the other metadata)")
            }
            F::UndeclaredKey { key, .. } => {
                format!("declare `{key}` with the other metadata, or read a declared key")
            }
            F::TypeMismatch { expected, .. } => format!("compare with a {}", expected.as_str()),
            F::SameModelFallback { .. } => "fall back to another provider or model, or raise `retries` instead".into(),
            F::ConfusableIds { .. } => "rename one of them so that the two read differently".into(),
            F::DeadBranch { .. } => "remove the test, or fix the earlier test that decides it".into(),
            F::KeyMayBeMissing { field, .. } if json => format!(
                "test `{{{}: {{\"$exists\": true}}}}` before this node if that is not intended",
                serde_json::Value::String(field.clone())
            ),
            F::KeyMayBeMissing { field, .. } => format!(
                "test `exists {}` before this node if that is not intended",
                crate::syntax::field::written(field)
            ),
        })
    }
}
