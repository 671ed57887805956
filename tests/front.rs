//! The conditions after start run as one table (every test once, the row
//! their verdicts select), and when that row ends at a model whose tail is
//! compiled (or at a split each of whose shares leads to such a model),
//! `decide` copies the whole decision and `first_model` stops there. A traced session walks the
//! condition trees node by node instead: both must agree on every request,
//! for routes that open with conditions of every kind on fields that hold
//! strings (short and past eight bytes), numbers, or nothing.

use aig_route::compile::Program;
use aig_route::eval::{MemoryStore, Report, Request, Session, Step, Value};
use aig_route::syntax::Format;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

const MODELS: &str = "  m0:\n    model: openai/a\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: m1\n  m1:\n    model: openai/b\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: m2\n  m2:\n    model: openai/c\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  m3:\n    model: openai/d\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: m0\n  s0:\n    split:\n      30%: m0\n      70%: l0\n  l0:\n    rate_limit: 3\n    window: 60s\n    key: metadata.plan\n    success: m3\n    fallback: m2\n  s1:\n    sticky: metadata.region\n    split:\n      45%: m1\n      55%: m2\n  s2:\n    split:\n      20%: m3\n      30%: m0\n      50%: m3\n  done: end\n";

/// A route whose start leads into `conds.len()` conditions, each sending the
/// request to a later condition, one of four models that fall back to one
/// another, a split or a rate limit (which the walk goes on through). Split
/// `s0` leads on to a limit; `s1` (sticky on the region) and `s2` (the
/// request id, or a random draw) lead only to models, so `decide` hashes and
/// copies the decision of the share without walking.
fn route(conds: &[(u8, u8, u8, u8)]) -> String {
    let n = conds.len();
    let exits = ["m0", "m1", "m2", "m3", "s0", "l0", "s1", "s2"];
    let target = |i: usize, pick: u8| {
        let left = n - i - 1 + exits.len();
        let k = pick as usize % left;
        if k < n - i - 1 {
            format!("c{}", i + 1 + k)
        } else {
            exits[k - (n - i - 1)].to_string()
        }
    };
    let mut out = String::from("name: front\nstart: c0\nnodes:\n");
    for (i, &(form, a, b, c)) in conds.iter().enumerate() {
        let cond = match form % 11 {
            0 => format!("metadata.plan == \"v{}\"", c % 3),
            1 => "metadata.plan in [\"v0\", \"enterprise-eu\", \"enterprise-us-central-1\"]"
                .to_string(),
            2 => format!("metadata.tier >= {}", c % 4),
            3 => format!("metadata.tier < {}", c % 4),
            4 => "!exists metadata.plan || metadata.plan != \"v1\"".to_string(),
            // Past eight words: one lookup of the slot's words in the table.
            5 => "metadata.region in [\"enterprise-eu\", \"v0\", \"v1\", \"w2\", \"w3\", \"w4\", \"w5\", \"w6\", \"enterprise-us-central\"]".to_string(),
            6 => "metadata.tier == 2 && metadata.region != \"v0\"".to_string(),
            7 => "metadata.plan > \"v1\"".to_string(),
            8 => "metadata.plan in [\"v0\", 2, true]".to_string(),
            // Whether the slot holds a value of any type: settled by the
            // lookup of the slot's words when it has a table.
            10 => "exists metadata.plan".to_string(),
            _ => format!(
                "metadata.tier > {}.5 || !(metadata.region == \"v{}\")",
                c % 3,
                a % 2
            ),
        };
        out += &format!(
            "  c{i}:\n    if: {}\n    then: {}\n    else: {}\n",
            aig_route::emit::scalar(&cond),
            target(i, a),
            target(i, b)
        );
    }
    out + MODELS
}

fn program(text: &str) -> Program {
    match aig_route::compile("front.yaml", text, Format::Yaml) {
        Ok(c) => c.program,
        Err(e) => panic!("{e}\n{text}"),
    }
}

/// Strings of the literals' lengths that differ from them only in the first
/// eight bytes, in bytes 8 to 16 (`enterprise-ez`), or past 16
/// (`...-central-2`), which the table compares in other ways.
fn string(k: u8) -> Option<Value<'static>> {
    Some(match k % 11 {
        0 => Value::Str("v0"),
        1 => Value::Str("v1"),
        2 => Value::Str("v2"),
        3 => Value::Str("enterprise-eu"),
        4 => Value::Str("enterprise-us"),
        5 => Value::Num(2.0),
        6 => Value::Bool(true),
        7 => Value::Str("enterprise-ez"),
        8 => Value::Str("enterprise-us-central-1"),
        9 => Value::Str("enterprise-us-central-2"),
        _ => return None,
    })
}

fn number(k: u8) -> Option<Value<'static>> {
    Some(match k % 8 {
        0..=3 => Value::Num(f64::from(k % 8)),
        4 => Value::Num(2.5),
        5 => Value::Str("2"),
        6 => Value::Num(-0.0),
        _ => return None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, rng_seed: RngSeed::Fixed(0x5eed_f407), ..ProptestConfig::default() })]

    #[test]
    fn the_front_table_decides_as_the_walk_does(
        conds in prop::collection::vec(any::<(u8, u8, u8, u8)>(), 1..7),
        reqs in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>()), 1..40),
    ) {
        let p = program(&route(&conds));
        let run = |s: &mut Session| {
            let mut store = MemoryStore::new();
            let mut req = Request::new(&p);
            let mut out = Vec::new();
            for (i, &(plan, tier, region)) in reqs.iter().enumerate() {
                let mut f = req.fill(&p);
                for (key, v) in [("plan", string(plan)), ("tier", number(tier)), ("region", string(region))] {
                    if let Some(v) = v {
                        f.set(key, v);
                    }
                }
                // Every third request has no id: a split without a sticky
                // value then draws from the session's generator.
                if i % 3 != 0 {
                    f.set_id(&format!("r{i}"));
                }
                let d = p.decide(s, &req, &mut store, i as f64).unwrap();
                let decided = (d.model, d.served.map(|c| (c.id.to_string(), c.spec.model.to_string())), d.path.to_vec(), d.fallbacks.to_vec(), d.store_error.is_some());
                let path = s.path().to_vec();
                let again = p.fallbacks(s, &req, &mut store, 0.0).unwrap().to_vec();
                let first = p.first_model(s, &req, &mut store, 0.0).unwrap().map(|c| c.node);
                let first_path = s.path().to_vec();
                // The session goes on from where first_model left it.
                let mut steps = Vec::new();
                let mut report = if tier % 2 == 0 { Report::Failed } else { Report::Answered };
                while let Step::Call(_) = p.resume(s, &req, &mut store, 0.0, report).unwrap() {
                    steps.push(s.path().to_vec());
                    report = Report::Failed;
                }
                steps.push(s.path().to_vec());
                out.push((decided, path, again, first, first_path, steps));
            }
            out
        };
        prop_assert_eq!(run(&mut Session::new(1)), run(&mut Session::new(1).with_trace()));
    }
}
