use super::*;
use crate::semantics;
use crate::source::Span;
use crate::syntax::cond::{TextPos, parse_expr};

fn cond(text: &str) -> Cond {
    let at = TextPos {
        source: Default::default(),
        base: None,
        whole: Span::default(),
    };
    parse_expr(text, at, 64).unwrap()
}

/// Solves and, when satisfiable, checks the model against the reference semantics.
fn check(parts: &[(&str, bool)]) -> Solution {
    let conds: Vec<Cond> = parts.iter().map(|(t, _)| cond(t)).collect();
    let cs: Vec<Constraint<'_>> = conds
        .iter()
        .zip(parts)
        .map(|(c, (_, h))| Constraint::new(c, *h))
        .collect();
    let s = solve(&cs);
    if let Solution::Sat(m) = &s {
        for c in &cs {
            let get = |f: &str| m.get(f.strip_prefix("metadata.").unwrap_or(f));
            assert_eq!(
                semantics::matches(c.cond, &get),
                c.holds,
                "{parts:?} → {m:?}"
            );
        }
    }
    s
}

fn sat(parts: &[(&str, bool)]) -> Model {
    match check(parts) {
        Solution::Sat(m) => m,
        other => panic!("{parts:?}: {other:?}"),
    }
}

fn unsat(parts: &[(&str, bool)]) -> Contradiction {
    match check(parts) {
        Solution::Unsat(c) => c,
        other => panic!("{parts:?}: {other:?}"),
    }
}

#[test]
fn every_operator_both_ways() {
    for text in [
        r#"metadata.a == "x""#,
        r#"metadata.a != "x""#,
        "metadata.a > 3",
        "metadata.a >= 3",
        "metadata.a < 3",
        "metadata.a <= 3",
        r#"metadata.a < "m""#,
        r#"metadata.a in ["x", 2, true]"#,
        r#"metadata.a not in ["x", 2, true]"#,
        "exists metadata.a",
        "!exists metadata.a",
        "metadata.a == true",
        r#"!(metadata.a >= 2 && metadata.b == "y")"#,
        r#"metadata.a == "x" || metadata.b > 1"#,
    ] {
        sat(&[(text, true)]);
        sat(&[(text, false)]);
    }
}

#[test]
fn type_strict_and_missing_fields() {
    // `== 1` false and `!= "1"` false: the value is the string "1".
    let m = sat(&[("metadata.a == 1", false), (r#"metadata.a != "1""#, false)]);
    assert_eq!(m.get("a"), Some(&Literal::Str("1".into())));
    // Ordering a number against a string is false, so `< "z"` false allows 5.
    let m = sat(&[("metadata.a > 4", true), (r#"metadata.a < "z""#, false)]);
    assert!(matches!(m.get("a"), Some(Literal::Num(n)) if *n > 4.0));
    // Missing makes `!=` true and `==` false: nothing is set.
    assert!(
        sat(&[(r#"metadata.a != "x""#, true), ("metadata.a == 2", false)])
            .entries
            .is_empty()
    );
    // Booleans have no order.
    unsat(&[
        ("metadata.a > 0 || metadata.a <= 0", true),
        ("metadata.a == true", true),
    ]);
}

#[test]
fn between_neighbouring_literals() {
    let m = sat(&[("metadata.n > 1", true), ("metadata.n < 2", true)]);
    assert_eq!(m.get("n"), Some(&Literal::Num(1.5)));
    let m = sat(&[
        (r#"metadata.s > "ab""#, true),
        (r#"metadata.s < "ab0""#, true),
    ]);
    assert_eq!(m.get("s"), Some(&Literal::Str("ab\0".into())));
    unsat(&[
        (r#"metadata.s > "ab""#, true),
        ("metadata.s < \"ab\\u0000\"", true),
    ]);
    let m = sat(&[
        (r#"metadata.s not in ["other0", "other1"]"#, true),
        ("exists metadata.s", true),
    ]);
    assert!(m.get("s").is_some());
}

#[test]
fn contradictions_name_the_clash_and_its_constraints() {
    let c = unsat(&[
        (r#"metadata.region == "eu""#, true),
        ("metadata.tier > 2", true),
        (r#"metadata.region in ["eu", "uk"]"#, false),
    ]);
    assert_eq!(c.constraints, vec![0, 2]);
    assert_eq!(c.key, "region");
    assert_eq!(
        c.detail,
        r#"metadata.region == "eu" is true; metadata.region in ["eu", "uk"] is false"#
    );
    let c = unsat(&[
        ("exists metadata.k", false),
        ("metadata.k >= 0 || metadata.k < 0", true),
    ]);
    assert_eq!(c.constraints, vec![0, 1]);
}

#[test]
fn keys_are_opaque_strings() {
    use crate::source::Spanned;
    let odd = Cond::Cmp {
        field: Spanned::new("metadata.odd key".into(), Span::default()),
        op: crate::syntax::ast::CmpOp::Eq,
        value: Spanned::new(Literal::Str("v".into()), Span::default()),
    };
    let Solution::Sat(m) = solve(&[Constraint::new(&odd, true)]) else {
        panic!()
    };
    assert_eq!(m.get("odd key"), Some(&Literal::Str("v".into())));
    let m = sat(&[("metadata.cf.user_id == 3", true)]);
    assert_eq!(m.get("cf.user_id"), Some(&Literal::Num(3.0)));
}

#[test]
fn exclusions_are_walked_past_exactly() {
    let m = sat(&[
        ("metadata.n >= 0 && metadata.n <= 3", true),
        ("metadata.n in [0, 1, 2]", false),
    ]);
    assert_eq!(m.get("n"), Some(&Literal::Num(3.0)));
    // Between 0 and 1e-323 lies one number: the least subnormal.
    let m = sat(&[("metadata.n > 0 && metadata.n < 1e-323", true)]);
    assert_eq!(m.get("n"), Some(&Literal::Num(5e-324)));
    unsat(&[
        ("metadata.n > 0 && metadata.n < 1e-323", true),
        ("metadata.n != 5e-324", true),
    ]);
    // Between "ab" and "ab\0\0" (byte order) lies only "ab\0".
    let m = sat(&[
        (r#"metadata.s > "ab""#, true),
        ("metadata.s < \"ab\\u0000\\u0000\"", true),
    ]);
    assert_eq!(m.get("s"), Some(&Literal::Str("ab\0".into())));
    unsat(&[
        (r#"metadata.s > "ab""#, true),
        ("metadata.s < \"ab\\u0000\\u0000\"", true),
        ("metadata.s != \"ab\\u0000\"", true),
    ]);
    // Many exclusions on one key: still a value, found by a bounded walk.
    let list: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
    let text = format!("metadata.n >= 0 && metadata.n not in [{}]", list.join(", "));
    let m = sat(&[(&text, true)]);
    assert_eq!(m.get("n"), Some(&Literal::Num(2000.0)));
}

#[test]
fn disjunctions_with_one_way_left_need_no_search() {
    // Each `||` has one alternative left once the plain comparisons are in.
    let mut text: Vec<String> = (0..200)
        .map(|i| format!("(metadata.k{i} == 1 || metadata.z == {i})"))
        .collect();
    text.push("metadata.z == -1".into());
    let m = sat(&[(&text.join(" && "), true)]);
    assert_eq!(m.get("k199"), Some(&Literal::Num(1.0)));
    // And the clash between a plain comparison and every alternative is found
    // before any guess, naming the disjunction.
    let c = unsat(&[
        ("metadata.z == 1 || metadata.z == 2", true),
        ("metadata.z > 5", true),
    ]);
    assert_eq!(c.constraints, vec![0, 1]);
}

#[test]
fn disjunction_search_is_bounded() {
    // 13 two-way choices nothing refutes at once, then a clash only a full
    // assignment reveals: 8192 leaves, past the bound.
    let mut text: Vec<String> = (0..13)
        .map(|i| format!("(metadata.k{i} == 1 && metadata.w{i} == 1 || metadata.k{i} == 2 && metadata.w{i} == 2)"))
        .collect();
    text.push("(metadata.z == 1 && metadata.z == 2 || metadata.z == 3 && metadata.z == 4)".into());
    let c = cond(&text.join(" && "));
    assert_eq!(solve(&[Constraint::new(&c, true)]), Solution::Unknown);
    // The same without the clash is found at once.
    text.pop();
    let c = cond(&text.join(" && "));
    assert!(matches!(
        solve(&[Constraint::new(&c, true)]),
        Solution::Sat(_)
    ));
}

#[test]
fn extra_constraints_pin_a_key() {
    let c = cond(r#"metadata.plan in ["free", "paid"]"#);
    let pin = field_eq("plan", &Literal::Str("paid".into()));
    let Solution::Sat(m) = solve(&[Constraint::new(&c, true), Constraint::new(&pin, true)]) else {
        panic!()
    };
    assert_eq!(m.get("plan"), Some(&Literal::Str("paid".into())));
    let out = field_eq("plan", &Literal::Str("team".into()));
    assert!(matches!(
        solve(&[Constraint::new(&c, true), Constraint::new(&out, true)]),
        Solution::Unsat(_)
    ));
}
