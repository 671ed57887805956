//! MongoDB-style query objects (the gateway's `conditions`) → [`Cond`].
//!
//! `{"metadata.plan": {"$eq": "paid"}, "metadata.tier": {"$gte": 2}}` reads as
//! `All[plan == "paid", tier >= 2]`. A bare value means `$eq`; several keys in one
//! object are ANDed; `$not` negates a query or a field's operators. Unknown
//! operators are errors with a suggestion, because the live gateway silently
//! ignores what it does not know.

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::source::Spanned;
use crate::syntax::ast::{CmpOp, Cond, Literal};
use crate::syntax::doc::{Doc, DocValue};

const TOP_OPS: [&str; 3] = ["$and", "$or", "$not"];
const FIELD_OPS: [&str; 10] = [
    "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$not",
];

/// Reads a query object, pushing problems to `diags`. `None` when it could not be read.
///
/// Nesting is bounded as the reader descends, counted as the expression form
/// counts it (so a query that reads converts to an expression that reads): each
/// `$not` is one level, and so is an `$and` or `$or` inside another.
pub fn parse_query(doc: &Doc, max_depth: usize, diags: &mut Vec<Diagnostic>) -> Option<Cond> {
    let before = diags.len();
    let cond = query(
        doc,
        Nest {
            level: 0,
            max: max_depth.min(crate::syntax::NESTING_CAP),
            in_list: false,
        },
        diags,
    );
    if diags.len() > before { None } else { cond }
}

/// Where the reader is: `level` nesting levels in, under an `$and`/`$or` list or not.
#[derive(Clone, Copy)]
struct Nest {
    level: usize,
    max: usize,
    in_list: bool,
}

impl Nest {
    /// One level deeper, or the located error past the bound.
    fn deeper(self, at: &Spanned<String>, in_list: bool) -> Result<Nest, Diagnostic> {
        if self.level >= self.max {
            return Err(Diagnostic::error(
                Code::LimitExceeded,
                at.span,
                format!("the condition is nested more than {} deep", self.max),
            )
            .help("split the test into several conditional nodes"));
        }
        Ok(Nest {
            level: self.level + 1,
            max: self.max,
            in_list,
        })
    }
}

fn query(doc: &Doc, nest: Nest, diags: &mut Vec<Diagnostic>) -> Option<Cond> {
    let Some(entries) = doc.as_map() else {
        diags.push(
            Diagnostic::error(
                Code::BadOperand,
                doc.span,
                format!("a condition is a query object, not {}", doc.type_name()),
            )
            .help("write it like `{\"metadata.plan\": {\"$eq\": \"paid\"}}`"),
        );
        return None;
    };
    if entries.is_empty() {
        diags.push(
            Diagnostic::error(Code::BadOperand, doc.span, "empty condition")
                .help("an empty query matches every request; use a start or percentage node instead, or add a test"),
        );
        return None;
    }
    let mut parts = Vec::new();
    for (key, value) in entries {
        let part = if key.value.starts_with('$') {
            combinator(key, value, nest, diags)
        } else {
            field_test(key, value, nest, diags)
        };
        parts.extend(part);
    }
    Some(collapse_all(parts))
}

fn collapse_all(mut parts: Vec<Cond>) -> Cond {
    if parts.len() == 1 {
        parts.pop().unwrap_or(Cond::All(Vec::new()))
    } else {
        Cond::All(parts)
    }
}

fn combinator(
    key: &Spanned<String>,
    value: &Doc,
    nest: Nest,
    diags: &mut Vec<Diagnostic>,
) -> Option<Cond> {
    let step = |in_list: bool, diags: &mut Vec<Diagnostic>| {
        let costs = !in_list || nest.in_list;
        let next = if costs {
            nest.deeper(key, in_list)
        } else {
            Ok(Nest { in_list, ..nest })
        };
        next.map_err(|d| diags.push(d)).ok()
    };
    match key.value.as_str() {
        "$and" | "$or" => {
            let nest = step(true, diags)?;
            let DocValue::Seq(items) = &value.value else {
                diags.push(
                    Diagnostic::error(
                        Code::BadOperand,
                        value.span,
                        format!(
                            "`{}` takes a list of queries, not {}",
                            key.value,
                            value.type_name()
                        ),
                    )
                    .help(format!("write `\"{}\": [{{...}}, {{...}}]`", key.value)),
                );
                return None;
            };
            if items.is_empty() {
                diags.push(
                    Diagnostic::error(
                        Code::BadOperand,
                        value.span,
                        format!("`{}` has no queries", key.value),
                    )
                    .help("give it at least one query, or remove it"),
                );
                return None;
            }
            let mut parts: Vec<Cond> = items.iter().filter_map(|i| query(i, nest, diags)).collect();
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
            let nest = step(false, diags)?;
            query(value, nest, diags).map(|c| Cond::Not(Box::new(c)))
        }
        other => {
            let hint = if FIELD_OPS.contains(&other) {
                Some(format!(
                    "`{other}` applies to a field: `{{\"metadata.x\": {{\"{other}\": ...}}}}`"
                ))
            } else {
                did_you_mean(other, TOP_OPS)
            };
            diags.push(
                Diagnostic::error(
                    Code::UnknownOperator,
                    key.span,
                    format!("unknown operator `{other}`"),
                )
                .note("a query's keys are fields (`metadata.plan`) or `$and`, `$or`, `$not`")
                .maybe_help(hint),
            );
            None
        }
    }
}

fn field_test(
    field: &Spanned<String>,
    value: &Doc,
    nest: Nest,
    diags: &mut Vec<Diagnostic>,
) -> Option<Cond> {
    match &value.value {
        DocValue::Map(ops) if ops.iter().any(|(k, _)| k.value.starts_with('$')) => {
            let parts: Vec<Cond> = ops
                .iter()
                .filter_map(|(op, operand)| operator(field, op, operand, nest, diags))
                .collect();
            (parts.len() == ops.len()).then(|| collapse_all(parts))
        }
        DocValue::Map(_) => {
            diags.push(
                Diagnostic::error(
                    Code::BadOperand,
                    value.span,
                    format!("`{}` is compared with an object", field.value),
                )
                .note("metadata values are strings, numbers or booleans")
                .help("operators start with `$`, such as `{\"$eq\": \"paid\"}`"),
            );
            None
        }
        _ => literal(value, "$eq", diags).map(|v| Cond::Cmp {
            field: field.clone(),
            op: CmpOp::Eq,
            value: v,
        }),
    }
}

fn operator(
    field: &Spanned<String>,
    op: &Spanned<String>,
    operand: &Doc,
    nest: Nest,
    diags: &mut Vec<Diagnostic>,
) -> Option<Cond> {
    let cmp = |o: CmpOp, diags: &mut Vec<Diagnostic>| {
        literal(operand, &op.value, diags).map(|v| Cond::Cmp {
            field: field.clone(),
            op: o,
            value: v,
        })
    };
    match op.value.as_str() {
        "$eq" => cmp(CmpOp::Eq, diags),
        "$ne" => cmp(CmpOp::Ne, diags),
        "$gt" => cmp(CmpOp::Gt, diags),
        "$gte" => cmp(CmpOp::Gte, diags),
        "$lt" => cmp(CmpOp::Lt, diags),
        "$lte" => cmp(CmpOp::Lte, diags),
        "$in" | "$nin" => {
            let DocValue::Seq(items) = &operand.value else {
                diags.push(
                    Diagnostic::error(
                        Code::BadOperand,
                        operand.span,
                        format!("`{}` takes a list, not {}", op.value, operand.type_name()),
                    )
                    .help(format!("write `\"{}\": [\"a\", \"b\"]`", op.value)),
                );
                return None;
            };
            let values: Vec<_> = items
                .iter()
                .filter_map(|i| literal(i, &op.value, diags))
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
                diags.push(
                    Diagnostic::error(
                        Code::BadOperand,
                        operand.span,
                        format!(
                            "`$exists` takes `true` or `false`, not {}",
                            operand.type_name()
                        ),
                    )
                    .help("write `\"$exists\": true`"),
                );
                None
            }
        },
        "$not" => {
            let nest = nest.deeper(op, false).map_err(|d| diags.push(d)).ok()?;
            let DocValue::Map(inner) = &operand.value else {
                diags.push(
                    Diagnostic::error(
                        Code::BadOperand,
                        operand.span,
                        format!(
                            "`$not` on a field takes an operator object, not {}",
                            operand.type_name()
                        ),
                    )
                    .help("write `{\"$not\": {\"$gte\": 2}}`"),
                );
                return None;
            };
            if inner.is_empty() {
                diags.push(Diagnostic::error(
                    Code::BadOperand,
                    operand.span,
                    "`$not` has no operators",
                ));
                return None;
            }
            let parts: Vec<Cond> = inner
                .iter()
                .filter_map(|(o, v)| operator(field, o, v, nest, diags))
                .collect();
            (parts.len() == inner.len()).then(|| Cond::Not(Box::new(collapse_all(parts))))
        }
        other => {
            diags.push(
                Diagnostic::error(
                    Code::UnknownOperator,
                    op.span,
                    format!("unknown operator `{other}`"),
                )
                .note("field operators are `$eq $ne $gt $gte $lt $lte $in $nin $exists $not`")
                .maybe_help(did_you_mean(other, FIELD_OPS)),
            );
            None
        }
    }
}

fn literal(doc: &Doc, op: &str, diags: &mut Vec<Diagnostic>) -> Option<Spanned<Literal>> {
    let value = match &doc.value {
        DocValue::Str(s) => Literal::Str(s.clone()),
        DocValue::Num(n) if n.is_finite() => Literal::Num(*n),
        DocValue::Bool(b) => Literal::Bool(*b),
        _ => {
            diags.push(
                Diagnostic::error(
                    Code::BadOperand,
                    doc.span,
                    format!("`{op}` is given {}", doc.type_name()),
                )
                .note("metadata values are strings, numbers or booleans")
                .help("compare with a string, a finite number, `true` or `false`"),
            );
            return None;
        }
    };
    Some(Spanned::new(value, doc.span))
}
