//! The condition solver against the compiled evaluator: on random conditions
//! (every operator, every literal type, `&&`, `||`, `!`, over three keys), each
//! metadata the solver returns makes the real evaluator take the branch asked
//! for, and the solver never calls a condition contradictory when some
//! assignment from a small universe of values satisfies it.

use aig_route::compile::Program;
use aig_route::eval::{MemoryStore, Request, Session, Value};
use aig_route::semantics;
use aig_route::solve::{Constraint, Solution, solve};
use aig_route::source::{SourceMap, Span, Spanned};
use aig_route::syntax::Format;
use aig_route::syntax::ast::{CmpOp, Cond, Literal};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

const KEYS: [&str; 3] = ["a", "b", "c"];

fn lits() -> Vec<Literal> {
    vec![
        Literal::Str("a".into()),
        Literal::Str("ab".into()),
        Literal::Str("b".into()),
        Literal::Num(-1.0),
        Literal::Num(0.0),
        Literal::Num(1.0),
        Literal::Num(2.5),
        Literal::Bool(true),
        Literal::Bool(false),
    ]
}

/// Values tried by brute force: every literal, values between and beyond them,
/// and missing (`None`).
fn universe() -> Vec<Option<Literal>> {
    let mut u: Vec<Option<Literal>> = lits().into_iter().map(Some).collect();
    for s in ["", "a\0", "aa", "abc", "c"] {
        u.push(Some(Literal::Str(s.into())));
    }
    for x in [-2.0, 0.5, 1.5, 3.0] {
        u.push(Some(Literal::Num(x)));
    }
    u.push(None);
    u
}

fn leaf() -> impl Strategy<Value = Cond> {
    let ops = CmpOp::ALL;
    let n = lits().len();
    (
        0usize..3,
        0usize..9,
        0usize..n,
        prop::collection::vec(0usize..n, 1..4),
    )
        .prop_map(move |(k, kind, l, set)| {
            let field = Spanned::new(format!("metadata.{}", KEYS[k]), Span::default());
            let lit = |i: usize| Spanned::new(lits()[i].clone(), Span::default());
            match kind {
                0..=5 => Cond::Cmp {
                    field,
                    op: ops[kind],
                    value: lit(l),
                },
                6 | 7 => Cond::In {
                    field,
                    negated: kind == 7,
                    values: set.into_iter().map(lit).collect(),
                },
                _ => Cond::Exists {
                    field,
                    present: l % 2 == 0,
                },
            }
        })
}

fn conds() -> impl Strategy<Value = Cond> {
    leaf().prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Cond::All),
            prop::collection::vec(inner.clone(), 2..4).prop_map(Cond::Any),
            inner.prop_map(|c| Cond::Not(Box::new(c))),
        ]
    })
}

/// A route with one conditional node on `cond`.
fn program(cond: &Cond) -> Program {
    let expr = aig_route::syntax::cond::to_expr(cond);
    let yaml = format!(
        "start: c\nnodes:\n  c:\n    if: {}\n    then: yes\n    else: no\n  yes: end\n  no: end\n",
        aig_route::emit::scalar(&expr)
    );
    let mut sources = SourceMap::new();
    let (_, checked) = aig_route::check::check_text(&mut sources, "solve", &yaml, Format::Yaml);
    checked.program.expect("the generated route compiles")
}

/// Whether the compiled evaluator takes `then` for metadata `m`.
fn takes_then(p: &Program, m: &[(String, Literal)]) -> bool {
    let mut req = Request::new(p);
    let mut f = req.fill(p);
    for (k, v) in m {
        let val = match v {
            Literal::Str(s) => Value::Str(s),
            Literal::Num(n) => Value::Num(*n),
            Literal::Bool(b) => Value::Bool(*b),
        };
        f.set(k, val);
    }
    let mut s = Session::new(0);
    let d = p
        .decide(&mut s, &req, &mut MemoryStore::new(), 0.0)
        .unwrap();
    p.node_id(d.path[2]) == "yes"
}

/// Some assignment from the universe under which `cs` all come out as asked.
fn brute_force(cs: &[(Cond, bool)]) -> Option<[Option<Literal>; 3]> {
    let u = universe();
    for a in &u {
        for b in &u {
            for c in &u {
                let vals = [a.clone(), b.clone(), c.clone()];
                let get = |f: &str| {
                    let k = f.strip_prefix("metadata.").unwrap_or(f);
                    KEYS.iter()
                        .position(|x| *x == k)
                        .and_then(|i| vals[i].as_ref())
                };
                if cs.iter().all(|(c, h)| semantics::matches(c, &get) == *h) {
                    return Some(vals);
                }
            }
        }
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, rng_seed: RngSeed::Fixed(0x5eed_0003), ..ProptestConfig::default() })]

    #[test]
    fn every_solution_satisfies_the_real_evaluator(parts in prop::collection::vec((conds(), any::<bool>()), 1..4)) {
        let cs: Vec<Constraint<'_>> = parts.iter().map(|(c, h)| Constraint::new(c, *h)).collect();
        match solve(&cs) {
            Solution::Sat(m) => {
                for (c, h) in &parts {
                    let p = program(c);
                    prop_assert_eq!(takes_then(&p, &m.entries), *h, "{} must be {} under {:?}", aig_route::syntax::cond::to_expr(c), h, m);
                }
            }
            Solution::Unsat(why) => {
                let found = brute_force(&parts);
                prop_assert!(found.is_none(), "called contradictory ({}), yet {:?} satisfies", why.detail, found);
                prop_assert!(!why.constraints.is_empty());
                prop_assert!(why.constraints.iter().all(|&i| i < parts.len()));
            }
            other => prop_assert!(false, "small conditions need no bound: {:?}", other),
        }
    }
}
