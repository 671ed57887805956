//! The meaning of conditions, stated once over the syntax tree.
//!
//! The compiled evaluator has its own fast form of these rules; this one is the
//! reference: validation reasons with it, and property tests hold the evaluator
//! to it.

use std::cmp::Ordering;

use crate::syntax::ast::{CmpOp, Cond, Literal};

/// Type-strict equality: `1 == 1.0`, `"1" != 1`.
pub fn literal_eq(a: &Literal, b: &Literal) -> bool {
    match (a, b) {
        (Literal::Str(x), Literal::Str(y)) => x == y,
        (Literal::Num(x), Literal::Num(y)) => x == y,
        (Literal::Bool(x), Literal::Bool(y)) => x == y,
        _ => false,
    }
}

/// Order between values of one orderable type: numbers, or strings by UTF-8 bytes.
/// `None` for different types and for booleans.
pub fn literal_cmp(a: &Literal, b: &Literal) -> Option<Ordering> {
    match (a, b) {
        (Literal::Str(x), Literal::Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Literal::Num(x), Literal::Num(y)) => x.partial_cmp(y),
        _ => None,
    }
}

/// `value op operand`, where `value` is the request's (`None` when missing).
pub fn compare(value: Option<&Literal>, op: CmpOp, operand: &Literal) -> bool {
    let Some(v) = value else {
        return op == CmpOp::Ne;
    };
    match op {
        CmpOp::Eq => literal_eq(v, operand),
        CmpOp::Ne => !literal_eq(v, operand),
        CmpOp::Gt => literal_cmp(v, operand) == Some(Ordering::Greater),
        CmpOp::Gte => matches!(
            literal_cmp(v, operand),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        CmpOp::Lt => literal_cmp(v, operand) == Some(Ordering::Less),
        CmpOp::Lte => matches!(
            literal_cmp(v, operand),
            Some(Ordering::Less | Ordering::Equal)
        ),
    }
}

/// Whether a request whose metadata `get` returns matches `cond`. `get` takes the
/// full field name (`metadata.plan`).
pub fn matches<'a>(cond: &Cond, get: &impl Fn(&str) -> Option<&'a Literal>) -> bool {
    match cond {
        Cond::All(cs) => cs.iter().all(|c| matches(c, get)),
        Cond::Any(cs) => cs.iter().any(|c| matches(c, get)),
        Cond::Not(c) => !matches(c, get),
        Cond::Cmp { field, op, value } => compare(get(&field.value), *op, &value.value),
        Cond::In {
            field,
            negated,
            values,
        } => {
            let v = get(&field.value);
            let found = v.is_some_and(|v| values.iter().any(|x| literal_eq(v, &x.value)));
            found != *negated
        }
        Cond::Exists { field, present } => get(&field.value).is_some() == *present,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_are_type_strict() {
        let one = Literal::Num(1.0);
        assert!(compare(Some(&one), CmpOp::Eq, &Literal::Num(1.0)));
        assert!(!compare(Some(&Literal::Str("1".into())), CmpOp::Eq, &one));
        assert!(!compare(
            Some(&Literal::Str("1".into())),
            CmpOp::Lt,
            &Literal::Num(5.0)
        ));
        assert!(!compare(
            Some(&Literal::Bool(true)),
            CmpOp::Gte,
            &Literal::Bool(false)
        ));
        assert!(compare(
            Some(&Literal::Str("b".into())),
            CmpOp::Gt,
            &Literal::Str("B".into())
        ));
        assert!(compare(None, CmpOp::Ne, &one));
        for op in [CmpOp::Eq, CmpOp::Gt, CmpOp::Gte, CmpOp::Lt, CmpOp::Lte] {
            assert!(!compare(None, op, &one));
        }
    }
}
