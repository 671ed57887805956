//! Rate and budget limits and model nodes: the DSL nodes with numbers and
//! durations to read.

use pest::iterators::Pair;

use super::{Reader, unquote};
use crate::source::{Span, Spanned};
use crate::syntax::Format;
use crate::syntax::ast::{Limit, LimitKind, Model, NodeKind, WindowMode};
use crate::syntax::grammar::Rule;
use crate::syntax::shape_error::ShapeError;
use crate::syntax::value_error::{Expected, ValueError};
use crate::syntax::values::{parse_duration, parse_money};
use crate::syntax::vocab::{Kind, Slot};

impl Reader<'_> {
    /// `value` read from `text`, or the error for it (`None`).
    fn value(
        &mut self,
        value: Option<f64>,
        text: &str,
        span: Span,
        expected: Expected,
    ) -> Option<Spanned<f64>> {
        if value.is_none() {
            let error = ValueError::Not {
                expected,
                written: text.to_string(),
            };
            self.diags.push(error.at(span, Format::Dsl));
        }
        value.map(|v| Spanned::new(v, span))
    }

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
                    let expected = match kind {
                        LimitKind::Count => Expected::Requests,
                        LimitKind::Cost => Expected::Dollars,
                    };
                    limit.limit = self.value(value, text, span, expected);
                }
                Rule::duration => {
                    let text = p.as_str();
                    limit.window =
                        self.value(parse_duration(text, 1000.0), text, span, Expected::Window);
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
                        _ => self
                            .diags
                            .push(ValueError::NotModel { written: text }.at(span, Format::Dsl)),
                    }
                }
                Rule::duration => {
                    let text = p.as_str();
                    m.timeout =
                        self.value(parse_duration(text, 1.0), text, span, Expected::Timeout);
                    if let Some(t) = &m.timeout {
                        self.diags.extend(crate::syntax::values::bare_timeout(
                            p.as_str(),
                            t.value,
                            span,
                            "timeout",
                        ));
                    }
                }
                Rule::amount => {
                    let text = p.as_str();
                    m.retries = self.value(text.parse().ok(), text, span, Expected::Retries);
                }
                Rule::block => {
                    let arms = self.block(id, p, Kind::Model);
                    m.success = arms.get(Slot::Success);
                    m.fallback = arms.get(Slot::Fallback);
                }
                _ => {}
            }
        }
        for (missing, example) in [
            (m.timeout.is_none(), "timeout 60s"),
            (m.retries.is_none(), "retries 1"),
        ] {
            if missing {
                let key = example.split(' ').next().unwrap_or("");
                // Worded as YAML and JSON word a missing key.
                let e = ShapeError::Missing {
                    key: key.to_string(),
                    example: example.to_string(),
                    within: Some("the model name"),
                };
                self.diags.push(e.at(at, Format::Dsl));
            }
        }
        NodeKind::Model(m)
    }
}
