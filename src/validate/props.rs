//! Node properties: shares, limits, windows, timeouts, keys and providers.

use super::Finding;
use super::finding::WindowProblem;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::Spanned;
use crate::syntax::ast::{Format, Limit, LimitKind, Model, Node, NodeKind, WindowMode};

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

pub(super) fn check(node: &Node, format: Format, diags: &mut Vec<Diagnostic>) {
    match &node.kind {
        NodeKind::Percentage { sticky, branches } => {
            shares(node, branches, format, diags);
            if let Some(s) = sticky {
                field_ref(s, "sticky", format, diags);
                let id = node.id.value.clone();
                diags.push(Finding::StickyIgnored { id }.at(s.span, format));
            }
        }
        NodeKind::Limit(limit) => limit_props(node, limit, format, diags),
        NodeKind::Model(model) => model_props(model, format, diags),
        _ => {}
    }
}

fn shares(
    node: &Node,
    branches: &[crate::syntax::ast::Branch],
    format: Format,
    diags: &mut Vec<Diagnostic>,
) {
    let mut total: u32 = 0;
    let mut all_ok = true;
    let id = || node.id.value.clone();
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
                    let finding = Finding::UnwritableShares {
                        id: id(),
                        count: *count,
                        basis: v,
                        forms: share.forms(),
                    };
                    diags.push(finding.at(b.share.span, format));
                }
            }
            Err(error) => {
                all_ok = false;
                let finding = Finding::BadShare {
                    id: id(),
                    written: b.share.value.clone(),
                    error,
                };
                diags.push(finding.at(b.share.span, format));
            }
        }
    }
    if all_ok && !branches.is_empty() && total != 10_000 {
        let finding = Finding::SharesNot100 {
            id: id(),
            total,
            written: branches.iter().map(|b| b.share.value.clone()).collect(),
        };
        diags.push(finding.at(node.id.span, format));
    }
    if branches.len() > 5 {
        let finding = Finding::TooManyShares {
            id: id(),
            count: branches.len(),
        };
        diags.push(finding.at(node.id.span, format));
    }
}

/// The largest rate limit (requests) or budget (dollars).
const MAX_LIMIT: f64 = 1e15;

fn limit_props(node: &Node, limit: &Limit, format: Format, diags: &mut Vec<Diagnostic>) {
    let id = || node.id.value.clone();
    let kind = limit.kind;
    if let Some(l) = &limit.limit {
        let value = l.value;
        let finding = if !(value.is_finite() && value > 0.0) {
            Some(Finding::LimitNotPositive {
                id: id(),
                kind,
                value,
            })
        } else if value > MAX_LIMIT {
            // Past 2^53 whole numbers are no longer exact, and `1e300` is no
            // limit anyone means: every format would print 300 digits.
            Some(Finding::LimitTooLarge {
                id: id(),
                kind,
                value,
            })
        } else if kind == LimitKind::Count && value.fract() != 0.0 {
            Some(Finding::RateNotWhole { id: id(), value })
        } else {
            None
        };
        if let Some(f) = finding {
            diags.push(f.at(l.span, format));
        }
    }
    if let Some(w) = &limit.window {
        let problem = if !w.value.is_finite() || w.value <= 0.0 {
            Some(WindowProblem::NotPositive)
        } else if w.value.fract() != 0.0 {
            Some(WindowProblem::NotWhole)
        } else if w.value > 1e12 {
            Some(WindowProblem::TooLong)
        } else {
            None
        };
        if let Some(problem) = problem {
            let finding = Finding::BadWindow {
                id: id(),
                value: w.value,
                problem,
            };
            diags.push(finding.at(w.span, format));
        }
    }
    match &limit.key {
        Some(k) => field_ref(k, "key", format, diags),
        None => diags.push(Finding::MissingKey { id: id(), kind }.at(node.id.span, format)),
    }
    if let Some(Spanned {
        value: WindowMode::Sliding,
        span,
    }) = limit.mode
    {
        diags.push(Finding::SlidingWindow { id: id() }.at(span, format));
    }
}

fn model_props(model: &Model, format: Format, diags: &mut Vec<Diagnostic>) {
    if let Some(t) = &model.timeout {
        // No model call waits a day; past that a timeout is a typo (or `1e300`),
        // and every format and the evaluator hold it exactly.
        const DAY_MS: f64 = 86_400_000.0;
        if !(t.value.is_finite() && t.value >= 0.0 && t.value.fract() == 0.0 && t.value <= DAY_MS) {
            diags.push(Finding::BadTimeout { value: t.value }.at(t.span, format));
        }
    }
    if let Some(r) = &model.retries
        && !(r.value.is_finite() && r.value >= 0.0 && r.value.fract() == 0.0 && r.value <= 1000.0)
    {
        diags.push(Finding::BadRetries { value: r.value }.at(r.span, format));
    }
    let p = &model.provider;
    if p.value.is_empty() {
        return;
    }
    let provider = p.value.clone();
    if p.value.starts_with("custom-") {
        diags.push(Finding::CustomProvider { provider }.at(p.span, format));
    } else if !PROVIDERS.contains(&p.value.as_str()) {
        let near = did_you_mean(&p.value, PROVIDERS);
        diags.push(Finding::UnknownProvider { provider, near }.at(p.span, format));
    }
}

/// Limit keys and sticky fields name one metadata field.
fn field_ref(
    field: &Spanned<String>,
    property: &'static str,
    format: Format,
    diags: &mut Vec<Diagnostic>,
) {
    if super::conditions::metadata_key(&field.value).is_some() {
        return;
    }
    let finding = Finding::BadKeyField {
        property,
        written: field.value.clone(),
        quoted: field.value.starts_with("metadata["),
    };
    diags.push(finding.at(field.span, format));
}
