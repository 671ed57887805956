//! [`Cond`] → expression text and → Mongo query JSON. Both outputs read back into
//! an equal `Cond`: the round trip tests hold them to that.

use serde_json::{Map, Value, json};

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
            out.push_str(&field.value);
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
            out.push_str(&field.value);
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
            out.push_str(&field.value);
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
pub fn number_text(n: f64) -> String {
    if n == 0.0 {
        return "0".to_string();
    }
    format!("{n}")
}

/// The condition as a Mongo query object.
pub fn to_mongo(cond: &Cond) -> Value {
    match cond {
        Cond::All(cs) => {
            // Several tests on distinct fields read best as one object, as on the wire.
            let mut obj = Map::new();
            let simple = cs.len() > 1
                && cs.iter().all(|c| match field_of(c) {
                    Some(f) => {
                        let fresh = !obj.contains_key(f);
                        obj.insert(f.to_string(), Value::Null);
                        fresh
                    }
                    None => false,
                });
            if simple {
                let mut obj = Map::new();
                for c in cs {
                    if let Value::Object(m) = to_mongo(c) {
                        obj.extend(m);
                    }
                }
                Value::Object(obj)
            } else {
                json!({"$and": cs.iter().map(to_mongo).collect::<Vec<_>>()})
            }
        }
        Cond::Any(cs) => json!({"$or": cs.iter().map(to_mongo).collect::<Vec<_>>()}),
        Cond::Not(inner) => match inner.as_ref() {
            c @ (Cond::Cmp { field, .. } | Cond::In { field, .. } | Cond::Exists { field, .. }) => {
                json!({ field.value.clone(): {"$not": field_ops(c)} })
            }
            other => json!({"$not": to_mongo(other)}),
        },
        Cond::Cmp { field, .. } | Cond::In { field, .. } | Cond::Exists { field, .. } => {
            json!({ field.value.clone(): field_ops(cond) })
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

fn field_ops(c: &Cond) -> Value {
    match c {
        Cond::Cmp { op, value, .. } => json!({ op.mongo(): literal_json(&value.value) }),
        Cond::In {
            negated, values, ..
        } => {
            let list: Vec<Value> = values.iter().map(|v| literal_json(&v.value)).collect();
            json!({ if *negated { "$nin" } else { "$in" }: list })
        }
        Cond::Exists { present, .. } => json!({"$exists": present}),
        _ => Value::Null,
    }
}

/// A literal as JSON; integral numbers are written without a fraction.
pub fn literal_json(lit: &Literal) -> Value {
    match lit {
        Literal::Str(s) => Value::String(s.clone()),
        Literal::Num(n) => number_json(*n),
        Literal::Bool(b) => Value::Bool(*b),
    }
}

/// A JSON number, integral when exactly representable as `i64`.
pub fn number_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}
