//! Node properties: shares, limits, windows, timeouts, keys and providers.

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::source::Spanned;
use crate::syntax::ast::{Limit, LimitKind, Model, Node, NodeKind, WindowMode};

/// Provider slugs the hosted gateway knows.
pub const PROVIDERS: [&str; 18] = [
    "openai",
    "anthropic",
    "workers-ai",
    "azure-openai",
    "aws-bedrock",
    "google-ai-studio",
    "google-vertex-ai",
    "groq",
    "huggingface",
    "mistral",
    "cohere",
    "perplexity-ai",
    "replicate",
    "cerebras",
    "deepinfra",
    "deepseek",
    "grok",
    "openrouter",
];

pub(super) fn check(node: &Node, diags: &mut Vec<Diagnostic>) {
    match &node.kind {
        NodeKind::Percentage { sticky, branches } => {
            shares(node, branches, diags);
            if let Some(s) = sticky {
                field_ref(s, "`sticky`", diags);
                diags.push(
                    Diagnostic::warning(Code::NotHonoured, s.span, format!("split `{}` is sticky, which the hosted gateway ignores", node.id.value))
                        .note("the gateway splits each request at random; only aig-route's evaluation keeps users on one side")
                        .help("keep it for simulation, and expect random splitting once deployed"),
                );
            }
        }
        NodeKind::Limit(limit) => limit_props(node, limit, diags),
        NodeKind::Model(model) => model_props(model, diags),
        _ => {}
    }
}

fn shares(node: &Node, branches: &[crate::syntax::ast::Branch], diags: &mut Vec<Diagnostic>) {
    let mut total: u32 = 0;
    let mut all_ok = true;
    // How often each share occurs: the gateway's JSON keys a split's outputs by
    // share, so one value can be written only as many times as it has spellings.
    let mut equal: std::collections::HashMap<u32, (usize, usize)> =
        std::collections::HashMap::new();
    for b in branches {
        if let Ok(v) = b.parsed {
            equal.entry(v.basis()).or_default().0 += 1;
        }
    }
    for b in branches {
        match b.parsed {
            Ok(share) => {
                let v = share.basis();
                total = total.saturating_add(v);
                let (count, seen) = equal.entry(v).or_default();
                *seen += 1;
                if *seen == share.form_count() + 1 {
                    let forms = share.forms();
                    let share = percent(u64::from(v));
                    diags.push(
                        Diagnostic::error(
                            Code::UnwritableShares,
                            b.share.span,
                            format!(
                                "split `{}` has {count} shares of {share}, more than the gateway's JSON can tell apart",
                                node.id.value,
                            ),
                        )
                        .note(format!(
                            "the gateway keys a split's outputs by share, and {share} can be written only as {}",
                            forms.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
                        ))
                        .help("nest splits: for four equal sides, a 50% / 50% split whose outputs each lead to a 50% / 50% split"),
                    );
                }
            }
            Err(e) => {
                all_ok = false;
                diags.push(
                    Diagnostic::error(
                        Code::BadShare,
                        b.share.span,
                        format!("share `{}` of `{}` {e}", b.share.value, node.id.value),
                    )
                    .help(e.help()),
                );
            }
        }
    }
    if all_ok && !branches.is_empty() && total != 10_000 {
        let written: Vec<&str> = branches.iter().map(|b| b.share.value.as_str()).collect();
        let diff = i64::from(total) - 10_000;
        let fix = if diff > 0 {
            format!("take {} from the shares", percent(diff.unsigned_abs()))
        } else {
            format!("add {} to the shares", percent(diff.unsigned_abs()))
        };
        diags.push(
            Diagnostic::error(
                Code::SharesNot100,
                node.id.span,
                format!(
                    "the shares of `{}` add up to {}, not 100%",
                    node.id.value,
                    percent(u64::from(total))
                ),
            )
            .note(format!("shares: {}", written.join(" + ")))
            .help(fix),
        );
    }
    if branches.len() > 5 {
        diags.push(
            Diagnostic::warning(
                Code::TooManyShares,
                node.id.span,
                format!("split `{}` has {} outputs", node.id.value, branches.len()),
            )
            .note("the hosted gateway is not known to accept more than 5")
            .help("nest two splits instead"),
        );
    }
}

fn percent(basis: u64) -> String {
    if basis % 100 == 0 {
        format!("{}%", basis / 100)
    } else {
        format!("{}.{:02}%", basis / 100, basis % 100)
    }
}

/// The largest rate limit (requests) or budget (dollars).
const MAX_LIMIT: f64 = 1e15;

fn limit_props(node: &Node, limit: &Limit, diags: &mut Vec<Diagnostic>) {
    let unit = if limit.kind == LimitKind::Cost {
        "dollars"
    } else {
        "requests"
    };
    if let Some(l) = &limit.limit {
        if !(l.value.is_finite() && l.value > 0.0) {
            diags.push(
                Diagnostic::error(
                    Code::BadLimit,
                    l.span,
                    format!(
                        "the limit of `{}` is {}, not a positive number of {unit}",
                        node.id.value,
                        show(l.value)
                    ),
                )
                .help(if limit.kind == LimitKind::Cost {
                    "write a budget such as `$50`"
                } else {
                    "write a number of requests such as `100`"
                }),
            );
        } else if l.value > MAX_LIMIT {
            // Past 2^53 whole numbers are no longer exact, and `1e300` is no
            // limit anyone means: every format would print 300 digits.
            diags.push(
                Diagnostic::error(
                    Code::BadLimit,
                    l.span,
                    format!(
                        "the limit of `{}` is {:e}, more than any limit can count (at most 10^15 {unit})",
                        node.id.value,
                        l.value
                    ),
                )
                .help("write the limit that is meant, or remove the node"),
            );
        } else if limit.kind == LimitKind::Count && l.value.fract() != 0.0 {
            diags.push(
                Diagnostic::error(
                    Code::BadLimit,
                    l.span,
                    format!(
                        "the rate limit of `{}` is {}, not a whole number of requests",
                        node.id.value,
                        show(l.value)
                    ),
                )
                .help(format!("write `{}`", l.value.floor().max(1.0))),
            );
        }
    }
    if let Some(w) = &limit.window {
        let bad = if !w.value.is_finite() || w.value <= 0.0 {
            Some("not a positive duration")
        } else if w.value.fract() != 0.0 {
            Some("not whole seconds")
        } else if w.value > 1e12 {
            Some("longer than any clock runs")
        } else {
            None
        };
        if let Some(why) = bad {
            diags.push(
                Diagnostic::error(
                    Code::BadWindow,
                    w.span,
                    format!(
                        "the window of `{}` is {} seconds, {why}",
                        node.id.value,
                        show(w.value)
                    ),
                )
                .help("write a whole number of seconds, or a duration such as `90s`, `1h`, `30d`"),
            );
        }
    }
    match &limit.key {
        Some(k) => field_ref(k, "`key`", diags),
        None => {
            let what = if limit.kind == LimitKind::Cost {
                "budget"
            } else {
                "rate limit"
            };
            diags.push(
                Diagnostic::error(
                    Code::MissingKey,
                    node.id.span,
                    format!("{what} `{}` has no `key`", node.id.value),
                )
                .note("the gateway's API requires `key` on every rate and budget limit, and refuses the route without one")
                .help("key it on a metadata field: `key: metadata.user_id` in YAML, `by metadata.user_id` in the DSL, `\"key\": \"metadata.user_id\"` in JSON"),
            );
        }
    }
    if let Some(Spanned {
        value: WindowMode::Sliding,
        span,
    }) = limit.mode
    {
        diags.push(
            Diagnostic::warning(
                Code::NotHonoured,
                span,
                format!(
                    "`{}` uses a sliding window, which the hosted gateway may not honour",
                    node.id.value
                ),
            )
            .note(
                "the gateway is not known to offer sliding windows; it may count in fixed windows",
            )
            .help("use fixed windows for what will be deployed, or accept the difference"),
        );
    }
}

fn model_props(model: &Model, diags: &mut Vec<Diagnostic>) {
    if let Some(t) = &model.timeout {
        // No model call waits a day; past that a timeout is a typo (or `1e300`),
        // and every format and the evaluator hold it exactly.
        const DAY_MS: f64 = 86_400_000.0;
        if !(t.value.is_finite() && t.value >= 0.0 && t.value.fract() == 0.0 && t.value <= DAY_MS) {
            diags.push(
                Diagnostic::error(
                    Code::BadTimeout,
                    t.span,
                    format!(
                        "timeout {} ms is not a whole number of milliseconds from 0 to a day (86400000)",
                        show(t.value)
                    ),
                )
                .help("write a duration such as `30s`, or whole milliseconds"),
            );
        }
    }
    if let Some(r) = &model.retries {
        if !(r.value.is_finite() && r.value >= 0.0 && r.value.fract() == 0.0 && r.value <= 1000.0) {
            diags.push(
                Diagnostic::error(
                    Code::BadTimeout,
                    r.span,
                    format!(
                        "retries {} is not a whole number from 0 to 1000",
                        show(r.value)
                    ),
                )
                .help("write how many times to retry after the first attempt, such as `2`"),
            );
        }
    }
    let p = &model.provider;
    if p.value.is_empty() {
        return;
    }
    if p.value.starts_with("custom-") {
        diags.push(
            Diagnostic::warning(
                Code::UnknownProvider,
                p.span,
                format!(
                    "custom provider `{}` is known to fail inside dynamic routes",
                    p.value
                ),
            )
            .note("the gateway accepts the route but answers error 2005 at request time")
            .help("call a built-in provider from the route"),
        );
    } else if !PROVIDERS.contains(&p.value.as_str()) {
        diags.push(
            Diagnostic::warning(
                Code::UnknownProvider,
                p.span,
                format!("the gateway does not know provider `{}`", p.value),
            )
            .maybe_help(did_you_mean(&p.value, PROVIDERS))
            .note(format!("known providers: {}", PROVIDERS.join(", "))),
        );
    }
}

/// Limit keys and sticky fields name one metadata field.
fn field_ref(field: &Spanned<String>, what: &str, diags: &mut Vec<Diagnostic>) {
    if super::conditions::metadata_key(&field.value).is_some() {
        return;
    }
    let (message, note, help) = if field.value.starts_with("metadata[") {
        (
            format!("{what} is `{}`, not a quoted metadata key", field.value),
            super::conditions::QUOTED_NOTE,
            "write the key as a JSON string in brackets, such as `metadata[\"odd key\"]`"
                .to_string(),
        )
    } else {
        (
            format!("{what} is `{}`, not a metadata field", field.value),
            "limits and splits can only key on the request's `cf-aig-metadata`",
            format!(
                "write `metadata.<name>`, such as `metadata.{}`",
                field.value.rsplit('.').next().unwrap_or("user_id")
            ),
        )
    };
    diags.push(
        Diagnostic::error(Code::BadKey, field.span, message)
            .note(note)
            .help(help),
    );
}

pub(super) fn show(v: f64) -> String {
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
