//! Each [`Finding`]'s message: what is wrong, in lowercase, naming the input
//! in backticks.

use std::fmt;

use super::{FieldProblem, Finding, WindowProblem};
use crate::syntax::ast::LimitKind;
use crate::syntax::ticked;
use crate::syntax::values::percent;

/// A number as a message shows it: `NaN` and the infinities in words.
pub(crate) fn show(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "infinity".into()
        } else {
            "-infinity".into()
        }
    } else {
        crate::syntax::cond::number_text(v)
    }
}

fn unit(kind: LimitKind) -> &'static str {
    match kind {
        LimitKind::Cost => "dollars",
        _ => "requests",
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Finding as F;
        match self {
            F::EmptyName => write!(f, "the route has an empty name"),
            F::NoNodes => write!(f, "the route has no nodes"),
            F::NoStart => write!(f, "the route has no start node"),
            F::SecondStart { id } => write!(f, "`{id}` is a second start node"),
            F::NoEndNode => write!(f, "the route has no end node"),
            F::NoShares { id } => write!(f, "split `{id}` has no shares"),
            F::MissingOutputs { kind, id, outputs } => {
                let s = if outputs.len() > 1 { "s" } else { "" };
                write!(
                    f,
                    "{kind} `{id}` has no {} output{s}",
                    ticked(outputs, " and ")
                )
            }
            F::Cycle { ids } => {
                let first = ids.first().map_or("", String::as_str);
                write!(f, "the route loops: {} → `{first}`", ticked(ids, " → "))
            }
            F::NoPathToEnd { id } => write!(f, "no end can be reached from `{id}`"),
            F::Unreachable { id, .. } => write!(f, "`{id}` cannot be reached from start"),
            F::StickyIgnored { id } => {
                write!(
                    f,
                    "split `{id}` is sticky, which the hosted gateway ignores"
                )
            }
            F::UnwritableShares {
                id, count, basis, ..
            } => write!(
                f,
                "split `{id}` has {count} shares of {}, more than the gateway's JSON can tell apart",
                percent(u64::from(*basis))
            ),
            F::BadShare { id, written, error } => write!(f, "share `{written}` of `{id}` {error}"),
            F::SharesNot100 { id, total, .. } => write!(
                f,
                "the shares of `{id}` add up to {}, not 100%",
                percent(u64::from(*total))
            ),
            F::TooManyShares { id, count } => write!(f, "split `{id}` has {count} outputs"),
            F::LimitNotPositive { id, kind, value } => write!(
                f,
                "the limit of `{id}` is {}, not a positive number of {}",
                show(*value),
                unit(*kind)
            ),
            F::LimitTooLarge { id, kind, value } => write!(
                f,
                "the limit of `{id}` is {value:e}, more than any limit can count (at most 10^15 {})",
                unit(*kind)
            ),
            F::RateNotWhole { id, value } => write!(
                f,
                "the rate limit of `{id}` is {}, not a whole number of requests",
                show(*value)
            ),
            F::BadWindow { id, value, problem } => {
                let why = match problem {
                    WindowProblem::NotPositive => "not a positive duration",
                    WindowProblem::NotWhole => "not whole seconds",
                    WindowProblem::TooLong => "longer than any clock runs",
                };
                write!(f, "the window of `{id}` is {} seconds, {why}", show(*value))
            }
            F::MissingKey { id, kind } => {
                let what = match kind {
                    LimitKind::Cost => "budget",
                    _ => "rate limit",
                };
                write!(f, "{what} `{id}` has no `key`")
            }
            F::SlidingWindow { id } => write!(
                f,
                "`{id}` uses a sliding window, which the hosted gateway may not honour"
            ),
            F::BadTimeout { value } => write!(
                f,
                "timeout {} ms is not a whole number of milliseconds from 0 to a day (86400000)",
                show(*value)
            ),
            F::BadRetries { value } => write!(
                f,
                "retries {} is not a whole number from 0 to 1000",
                show(*value)
            ),
            F::CustomProvider { provider } => write!(
                f,
                "custom provider `{provider}` is known to fail inside dynamic routes"
            ),
            F::UnknownProvider { provider, .. } => {
                write!(f, "the gateway does not know provider `{provider}`")
            }
            F::BadKeyField {
                property,
                written,
                quoted: true,
            } => write!(f, "`{property}` is `{written}`, not a quoted metadata key"),
            F::BadKeyField {
                property, written, ..
            } => write!(f, "`{property}` is `{written}`, not a metadata field"),
            F::BadField { written, problem } => match problem {
                FieldProblem::NoKey => write!(f, "`metadata.` names no key"),
                FieldProblem::BadQuotes => write!(f, "`{written}` is not a quoted metadata key"),
                FieldProblem::NotMetadata => {
                    write!(f, "conditions read `metadata.<key>`, not `{written}`")
                }
            },
            F::UndocumentedOperator { id, op } => write!(
                f,
                "`{id}` uses `{op}`, which the hosted gateway may not honour"
            ),
            F::TooManyKeys { keys } => write!(
                f,
                "the route reads {} metadata keys; `{}` is the sixth",
                keys.len(),
                keys.get(5).map_or("", String::as_str)
            ),
            F::UndeclaredKey { key, .. } => write!(f, "metadata key `{key}` is not declared"),
            F::TypeMismatch {
                field,
                compared,
                expected,
                declared,
            } => write!(
                f,
                "`{field}` is compared with a {}, but it is {} as a {}",
                compared.as_str(),
                if *declared {
                    "declared"
                } else {
                    "first compared"
                },
                expected.as_str()
            ),
            F::SameModelFallback {
                id,
                reaches,
                provider,
                model,
            } => {
                let same = reaches
                    .as_ref()
                    .map_or_else(|| "itself".to_string(), |r| format!("`{r}`"));
                write!(
                    f,
                    "the fallback of `{id}` reaches {same}, the same model `{provider}/{model}`"
                )
            }
            F::ConfusableIds { id, other, how } => write!(
                f,
                "node ids `{}` and `{}` look alike ({how})",
                crate::escape::terminal(id),
                crate::escape::terminal(other)
            ),
            F::DeadBranch {
                id,
                test,
                always,
                dead,
            } => write!(
                f,
                "`{test}` is always {always} here, so the `{dead}` branch of `{id}` is never taken"
            ),
            F::KeyMayBeMissing { id, field } => write!(
                f,
                "requests without `{}` all share one counter at `{id}`",
                crate::syntax::field::written(field)
            ),
        }
    }
}
