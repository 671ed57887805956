//! [`Cond`] → expression text and → Mongo query JSON. Both outputs read back into
//! an equal `Cond`: the round trip tests hold them to that.

use serde_json::Value;

use crate::ordered::{Json, Object, number};

use crate::syntax::ast::{Cond, Literal};

/// The condition as an expression: `metadata.plan == "paid" && metadata.tier >= 2`.
pub fn to_expr(cond: &Cond) -> String {
    let mut out = String::new();
    write_expr(cond, 0, &mut out);
    out
}

/// Precedence: 0 top, 1 inside `||`, 2 inside `&&`, 3 operand of `!`.
fn write_expr(cond: &Cond, prec: u8, out: &mut String) {
    match cond {
        Cond::Any(cs) => group(cs, " || ", 1, prec, out),
        Cond::All(cs) => group(cs, " && ", 2, prec, out),
        Cond::Not(inner) => {
            out.push('!');
            // `!exists f` would read back as `$exists: false`; keep the negation explicit.
            let needs_parens = !matches!(**inner, Cond::Not(_));
            if needs_parens {
                out.push('(');
                write_expr(inner, 0, out);
                out.push(')');
            } else {
                write_expr(inner, 3, out);
            }
        }
        Cond::Cmp { field, op, value } => {
            out.push_str(&crate::syntax::field::written(&field.value));
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write_literal(&value.value, out);
        }
        Cond::In {
            field,
            negated,
            values,
        } => {
            out.push_str(&crate::syntax::field::written(&field.value));
            out.push_str(if *negated { " not in [" } else { " in [" });
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_literal(&v.value, out);
            }
            out.push(']');
        }
        Cond::Exists { field, present } => {
            out.push_str(if *present { "exists " } else { "!exists " });
            out.push_str(&crate::syntax::field::written(&field.value));
        }
    }
}

fn group(cs: &[Cond], sep: &str, own: u8, prec: u8, out: &mut String) {
    let parens = prec > own || cs.len() < 2;
    if parens && cs.len() >= 2 {
        out.push('(');
    }
    for (i, c) in cs.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        // An operand of the same kind is parenthesised, so that the grouping written
        // survives the round trip (`a && (b && c)` stays nested).
        write_expr(c, own + 1, out);
    }
    if parens && cs.len() >= 2 {
        out.push(')');
    }
}

/// A literal as expression text: strings JSON-quoted, numbers shortest.
pub fn write_literal(lit: &Literal, out: &mut String) {
    match lit {
        Literal::Str(s) => out.push_str(&Value::String(s.clone()).to_string()),
        Literal::Num(n) => out.push_str(&number_text(*n)),
        Literal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

/// The shortest text that reads back to `n`, without exponent; integers without `.0`.
///
/// Infinity (which a route can only hold by writing a number too large for a
/// double, or YAML's `.inf`, and which validation then refuses) is written as
/// such a number, `1` and 309 zeros: every reader takes it back as infinity,
/// where Rust's `inf` would read back as something else or not at all, and
/// `fmt` must keep what it read. NaN can only come from YAML's `.nan`, so it is
/// written that way.
pub fn number_text(n: f64) -> String {
    if n == 0.0 {
        return "0".to_string();
    }
    if n.is_nan() {
        return ".nan".to_string();
    }
    if n.is_infinite() {
        let sign = if n < 0.0 { "-" } else { "" };
        return format!("{sign}1{}", "0".repeat(309));
    }
    format!("{n}")
}

/// The condition as a Mongo query object, keys in the order written.
pub fn to_mongo(cond: &Cond) -> Json {
    match cond {
        Cond::All(cs) => {
            // Several tests on distinct fields read best as one object, as on the wire.
            let mut seen: Vec<&str> = Vec::with_capacity(cs.len());
            let simple = cs.len() > 1
                && cs.iter().all(|c| match field_of(c) {
                    Some(f) => {
                        let fresh = !seen.contains(&f);
                        seen.push(f);
                        fresh
                    }
                    None => false,
                });
            if simple {
                let mut obj = Object::new();
                for c in cs {
                    if let Json::Obj(m) = to_mongo(c) {
                        obj.extend(m);
                    }
                }
                Json::Obj(obj)
            } else {
                Object::new()
                    .with("$and", Json::Arr(cs.iter().map(to_mongo).collect()))
                    .into()
            }
        }
        Cond::Any(cs) => Object::new()
            .with("$or", Json::Arr(cs.iter().map(to_mongo).collect()))
            .into(),
        Cond::Not(inner) => match inner.as_ref() {
            c @ (Cond::Cmp { field, .. } | Cond::In { field, .. } | Cond::Exists { field, .. }) => {
                Object::new()
                    .with(
                        field.value.clone(),
                        Object::new().with("$not", field_ops(c)),
                    )
                    .into()
            }
            other => Object::new().with("$not", to_mongo(other)).into(),
        },
        Cond::Cmp { field, .. } | Cond::In { field, .. } | Cond::Exists { field, .. } => {
            Object::new()
                .with(field.value.clone(), field_ops(cond))
                .into()
        }
    }
}

/// Single-field tests (not nested combinators) that can share one object.
fn field_of(c: &Cond) -> Option<&str> {
    match c {
        Cond::Cmp { field, .. } | Cond::In { field, .. } | Cond::Exists { field, .. } => {
            Some(&field.value)
        }
        _ => None,
    }
}

fn field_ops(c: &Cond) -> Json {
    match c {
        Cond::Cmp { op, value, .. } => Object::new()
            .with(op.mongo(), literal_json(&value.value))
            .into(),
        Cond::In {
            negated, values, ..
        } => {
            let list: Vec<Json> = values.iter().map(|v| literal_json(&v.value)).collect();
            Object::new()
                .with(if *negated { "$nin" } else { "$in" }, list)
                .into()
        }
        Cond::Exists { present, .. } => Object::new().with("$exists", *present).into(),
        _ => Json::Null,
    }
}

/// A literal as JSON; integral numbers are written without a fraction.
pub fn literal_json(lit: &Literal) -> Json {
    match lit {
        Literal::Str(s) => Json::Str(s.clone()),
        Literal::Num(n) => number(*n),
        Literal::Bool(b) => Json::Bool(*b),
    }
}

/// A JSON number, integral when exactly representable as `i64`.
pub fn number_json(n: f64) -> serde_json::Value {
    number(n).to_value()
}
