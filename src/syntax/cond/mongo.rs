//! MongoDB-style query objects (the gateway's `conditions`) → [`Cond`].
//!
//! `{"metadata.plan": {"$eq": "paid"}, "metadata.tier": {"$gte": 2}}` reads as
//! `All[plan == "paid", tier >= 2]`. A bare value means `$eq`; several keys in one
//! object are ANDed; `$not` negates a query or a field's operators. Unknown
//! operators are errors with a suggestion, because the live gateway silently
//! ignores what it does not know.

use super::error::{CondError, FIELD_OPS, TOP_OPS, Takes};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{CmpOp, Cond, Format, Literal};
use crate::syntax::doc::{Doc, DocValue};
use crate::syntax::shape_error::Shape;

/// Reads a query object of a file in `format` (YAML or gateway JSON) whose
/// text is `file_text`, pushing problems to `diags`. `None` when it could not
/// be read.
///
/// Nesting is bounded as the reader descends, counted as the expression form
/// counts it (so a query that reads converts to an expression that reads): each
/// `$not` is one level, and so is an `$and` or `$or` inside another.
pub fn parse_query(
    doc: &Doc,
    format: Format,
    file_text: &str,
    max_depth: usize,
    diags: &mut Vec<Diagnostic>,
) -> Option<Cond> {
    let before = diags.len();
    let mut r = Reader {
        format,
        file_text,
        diags,
    };
    let cond = r.query(
        doc,
        Nest {
            level: 0,
            max: max_depth.min(crate::syntax::NESTING_CAP),
            in_list: false,
        },
    );
    if r.diags.len() > before { None } else { cond }
}

/// Where the reader is: `level` nesting levels in, under an `$and`/`$or` list or not.
#[derive(Clone, Copy)]
struct Nest {
    level: usize,
    max: usize,
    in_list: bool,
}

impl Nest {
    /// One level deeper, or the error past the bound.
    fn deeper(self, in_list: bool) -> Result<Nest, CondError> {
        if self.level >= self.max {
            return Err(CondError::TooDeep { limit: self.max });
        }
        Ok(Nest {
            level: self.level + 1,
            max: self.max,
            in_list,
        })
    }
}

/// The query reader: the file's format, for the errors' words, and where
/// they go.
struct Reader<'d> {
    format: Format,
    /// The file, to quote a number as it was written.
    file_text: &'d str,
    diags: &'d mut Vec<Diagnostic>,
}

impl Reader<'_> {
    fn report(&mut self, e: CondError, span: Span) {
        self.diags.push(e.at(span, self.format));
    }

    fn query(&mut self, doc: &Doc, nest: Nest) -> Option<Cond> {
        let Some(entries) = doc.as_map() else {
            let e = CondError::NotAQuery {
                object: Shape::Mapping.noun(self.format),
                found: Shape::found(doc, self.format),
            };
            self.report(e, doc.span);
            return None;
        };
        if entries.is_empty() {
            self.report(CondError::Empty, doc.span);
            return None;
        }
        let mut parts = Vec::new();
        for (key, value) in entries {
            let part = if key.value.starts_with('$') {
                self.combinator(key, value, nest)
            } else {
                self.field_test(key, value, nest)
            };
            parts.extend(part);
        }
        Some(collapse_all(parts))
    }

    /// One level deeper at `key`, or `None` with the error reported.
    fn deeper(&mut self, nest: Nest, key: &Spanned<String>, in_list: bool) -> Option<Nest> {
        nest.deeper(in_list)
            .map_err(|e| self.report(e, key.span))
            .ok()
    }

    fn combinator(&mut self, key: &Spanned<String>, value: &Doc, nest: Nest) -> Option<Cond> {
        match key.value.as_str() {
            "$and" | "$or" => {
                // A list inside a list is a level; the first is not.
                let nest = if nest.in_list {
                    self.deeper(nest, key, true)?
                } else {
                    Nest {
                        in_list: true,
                        ..nest
                    }
                };
                let DocValue::Seq(items) = &value.value else {
                    let e =
                        CondError::wrong_operand(&key.value, Takes::Queries, value, self.format);
                    self.report(e, value.span);
                    return None;
                };
                if items.is_empty() {
                    let e = CondError::NoQueries {
                        op: key.value.clone(),
                    };
                    self.report(e, value.span);
                    return None;
                }
                let mut parts: Vec<Cond> =
                    items.iter().filter_map(|i| self.query(i, nest)).collect();
                // `{"$or": [x]}` means `x`: read it so, as every other format would write it.
                if parts.len() == 1 {
                    return parts.pop();
                }
                Some(if key.value == "$and" {
                    Cond::All(parts)
                } else {
                    Cond::Any(parts)
                })
            }
            "$not" => {
                let nest = self.deeper(nest, key, false)?;
                self.query(value, nest).map(|c| Cond::Not(Box::new(c)))
            }
            other => {
                let hint = if FIELD_OPS.contains(&other) {
                    let example = match self.format {
                        Format::Json => format!("{{\"metadata.x\": {{\"{other}\": ...}}}}"),
                        _ => format!("metadata.x: {{{other}: ...}}"),
                    };
                    Some(format!("`{other}` applies to a field: `{example}`"))
                } else {
                    did_you_mean(other, TOP_OPS)
                };
                let e = CondError::UnknownOperator {
                    op: other.to_string(),
                    on_field: false,
                    hint,
                };
                self.report(e, key.span);
                None
            }
        }
    }

    fn field_test(&mut self, field: &Spanned<String>, value: &Doc, nest: Nest) -> Option<Cond> {
        match &value.value {
            DocValue::Map(ops) if ops.iter().any(|(k, _)| k.value.starts_with('$')) => {
                let parts: Vec<Cond> = ops
                    .iter()
                    .filter_map(|(op, operand)| self.operator(field, op, operand, nest))
                    .collect();
                (parts.len() == ops.len()).then(|| collapse_all(parts))
            }
            DocValue::Map(_) => {
                let e = CondError::ComparedWithObject {
                    field: field.value.clone(),
                    object: Shape::Mapping.noun(self.format),
                };
                self.report(e, value.span);
                None
            }
            _ => self.literal(value, "$eq").map(|v| Cond::Cmp {
                field: field.clone(),
                op: CmpOp::Eq,
                value: v,
            }),
        }
    }

    fn operator(
        &mut self,
        field: &Spanned<String>,
        op: &Spanned<String>,
        operand: &Doc,
        nest: Nest,
    ) -> Option<Cond> {
        let cmp = match op.value.as_str() {
            "$eq" => Some(CmpOp::Eq),
            "$ne" => Some(CmpOp::Ne),
            "$gt" => Some(CmpOp::Gt),
            "$gte" => Some(CmpOp::Gte),
            "$lt" => Some(CmpOp::Lt),
            "$lte" => Some(CmpOp::Lte),
            _ => None,
        };
        if let Some(o) = cmp {
            return self.literal(operand, &op.value).map(|v| Cond::Cmp {
                field: field.clone(),
                op: o,
                value: v,
            });
        }
        match op.value.as_str() {
            "$in" | "$nin" => {
                let DocValue::Seq(items) = &operand.value else {
                    let e =
                        CondError::wrong_operand(&op.value, Takes::Values, operand, self.format);
                    self.report(e, operand.span);
                    return None;
                };
                let values: Vec<_> = items
                    .iter()
                    .filter_map(|i| self.literal(i, &op.value))
                    .collect();
                (values.len() == items.len()).then(|| Cond::In {
                    field: field.clone(),
                    negated: op.value == "$nin",
                    values,
                })
            }
            "$exists" => match operand.value {
                DocValue::Bool(present) => Some(Cond::Exists {
                    field: field.clone(),
                    present,
                }),
                _ => {
                    let e =
                        CondError::wrong_operand("$exists", Takes::Boolean, operand, self.format);
                    self.report(e, operand.span);
                    None
                }
            },
            "$not" => {
                let nest = self.deeper(nest, op, false)?;
                let DocValue::Map(inner) = &operand.value else {
                    let e =
                        CondError::wrong_operand("$not", Takes::Operators, operand, self.format);
                    self.report(e, operand.span);
                    return None;
                };
                if inner.is_empty() {
                    self.report(CondError::NoOperators, operand.span);
                    return None;
                }
                let parts: Vec<Cond> = inner
                    .iter()
                    .filter_map(|(o, v)| self.operator(field, o, v, nest))
                    .collect();
                (parts.len() == inner.len()).then(|| Cond::Not(Box::new(collapse_all(parts))))
            }
            other => {
                let e = CondError::UnknownOperator {
                    op: other.to_string(),
                    on_field: true,
                    hint: did_you_mean(other, FIELD_OPS),
                };
                self.report(e, op.span);
                None
            }
        }
    }

    fn literal(&mut self, doc: &Doc, op: &str) -> Option<Spanned<Literal>> {
        let value = match &doc.value {
            DocValue::Str(s) => Literal::Str(s.clone()),
            DocValue::Num(n) if n.is_finite() => Literal::Num(*n),
            DocValue::Bool(b) => Literal::Bool(*b),
            // `1e400` or `.inf` (YAML; JSON's reader refuses them), worded as
            // an expression's `1e400` is.
            DocValue::Num(n) if n.is_infinite() => {
                let written = self
                    .file_text
                    .get(doc.span.start as usize..doc.span.end as usize)
                    .unwrap_or("inf");
                let text = crate::syntax::doc_error::quote_number(written);
                self.report(CondError::NumberTooLarge { text }, doc.span);
                return None;
            }
            _ => {
                let e = CondError::NotAValue {
                    op: op.to_string(),
                    found: Shape::found(doc, self.format),
                };
                self.report(e, doc.span);
                return None;
            }
        };
        Some(Spanned::new(value, doc.span))
    }
}

fn collapse_all(mut parts: Vec<Cond>) -> Cond {
    if parts.len() == 1 {
        parts.pop().unwrap_or(Cond::All(Vec::new()))
    } else {
        Cond::All(parts)
    }
}
