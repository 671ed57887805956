//! Rate and budget limits and model nodes: the DSL nodes with numbers and
//! durations to read.

use pest::iterators::Pair;

use super::{Reader, unquote};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{Limit, LimitKind, Model, NodeKind, WindowMode};
use crate::syntax::grammar::Rule;
use crate::syntax::values::{parse_duration, parse_money};
use crate::syntax::vocab::{Kind, Slot};

impl Reader<'_> {
    pub(super) fn limit(&mut self, id: &Spanned<String>, body: Pair<'_, Rule>) -> NodeKind {
        let kind = if body.as_rule() == Rule::rate_node {
            LimitKind::Count
        } else {
            LimitKind::Cost
        };
        let mut limit = Limit {
            kind,
            key: None,
            limit: None,
            window: None,
            mode: None,
            success: None,
            fallback: None,
        };
        for p in body.into_inner() {
            let span = self.span(&p);
            match p.as_rule() {
                Rule::amount => {
                    let text = p.as_str();
                    let value = if kind == LimitKind::Cost {
                        parse_money(text)
                    } else if text.starts_with('$') {
                        None
                    } else {
                        text.parse().ok()
                    };
                    match value {
                        Some(v) => limit.limit = Some(Spanned::new(v, span)),
                        None => self.diags.push(
                            Diagnostic::error(Code::BadValue, span, format!("`{text}` is not a number of requests"))
                                .help("a rate limit counts requests (`rate 100 per 1h`); budgets take dollars (`budget $50 per 30d`)"),
                        ),
                    }
                }
                Rule::duration => {
                    limit.window = parse_duration(p.as_str(), 1000.0).map(|v| Spanned::new(v, span))
                }
                Rule::field => {
                    let field = crate::syntax::field::from_written(p.as_str());
                    limit.key = Some(Spanned::new(field, span));
                }
                Rule::window_mode => {
                    let m = if p.as_str() == "sliding" {
                        WindowMode::Sliding
                    } else {
                        WindowMode::Fixed
                    };
                    limit.mode = Some(Spanned::new(m, span));
                }
                Rule::block => {
                    let arms = self.block(id, p, Kind::RateLimit);
                    limit.success = arms.get(Slot::Success);
                    limit.fallback = arms.get(Slot::Fallback);
                }
                _ => {}
            }
        }
        NodeKind::Limit(limit)
    }

    pub(super) fn model(
        &mut self,
        id: &Spanned<String>,
        body: Pair<'_, Rule>,
        at: Span,
    ) -> NodeKind {
        let mut m = Model {
            provider: Spanned::default(),
            model: Spanned::default(),
            timeout: None,
            retries: None,
            success: None,
            fallback: None,
        };
        for p in body.into_inner() {
            let span = self.span(&p);
            match p.as_rule() {
                Rule::model_ref => {
                    let inner = p.into_inner().next();
                    let (text, base) = match inner.as_ref().map(Pair::as_rule) {
                        Some(Rule::string) => (
                            unquote(inner.as_ref().map_or("", |i| i.as_str())),
                            span.start as usize + 1,
                        ),
                        _ => (
                            inner.map_or(String::new(), |i| i.as_str().to_string()),
                            span.start as usize,
                        ),
                    };
                    match text.split_once('/') {
                        Some((pv, md)) if !pv.is_empty() && !md.is_empty() => {
                            m.provider = Spanned::new(
                                pv.to_string(),
                                Span::new(self.source, base, base + pv.len()),
                            );
                            m.model = Spanned::new(
                                md.to_string(),
                                Span::new(self.source, base + pv.len() + 1, base + text.len()),
                            );
                        }
                        _ => self.diags.push(
                            Diagnostic::error(
                                Code::BadValue,
                                span,
                                format!("`{text}` does not name a provider and a model"),
                            )
                            .help("write `model provider/model`, such as `model openai/gpt-4.1`"),
                        ),
                    }
                }
                Rule::duration => {
                    m.timeout = parse_duration(p.as_str(), 1.0).map(|v| Spanned::new(v, span));
                    if let Some(t) = &m.timeout {
                        self.diags.extend(crate::syntax::values::bare_timeout(
                            p.as_str(),
                            t.value,
                            span,
                            "timeout",
                        ));
                    }
                }
                Rule::amount => match p.as_str().parse::<f64>() {
                    Ok(v) => m.retries = Some(Spanned::new(v, span)),
                    Err(_) => self.diags.push(
                        Diagnostic::error(Code::BadValue, span, "retries is a whole number")
                            .help("write `retries 2`"),
                    ),
                },
                Rule::block => {
                    let arms = self.block(id, p, Kind::Model);
                    m.success = arms.get(Slot::Success);
                    m.fallback = arms.get(Slot::Fallback);
                }
                _ => {}
            }
        }
        for (missing, example) in [
            (m.timeout.is_none(), "timeout 30s"),
            (m.retries.is_none(), "retries 1"),
        ] {
            if missing {
                let key = example.split(' ').next().unwrap_or("");
                self.diags.push(
                    Diagnostic::error(
                        Code::MissingKey,
                        at,
                        format!("model `{}` has no `{key}`", id.value),
                    )
                    .help(format!("add `{example}` after the model name")),
                );
            }
        }
        NodeKind::Model(m)
    }
}
