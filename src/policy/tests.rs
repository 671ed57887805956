//! Policies on routes built from text: what the search decides, that every
//! example it prints is one the evaluator follows, and that it walks deep
//! routes without recursion. (The bound on exponentially many paths is tested
//! through the binary, in `tests/policy_paths.rs`.)

use super::graph::Graph;
use super::replay::replay;
use super::search::{Found, Hop, Out};
use super::*;
use crate::check::check_text;
use crate::diagnostic::Code;
use crate::solve::Model;
use crate::source::{SourceMap, Span};
use crate::syntax::Format;
use crate::syntax::ast::Literal;
use crate::syntax::cond::{TextPos, parse_expr};

fn compiled(text: &str) -> (Route, Program) {
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(&mut sources, "r.yaml", text, Format::Yaml);
    assert!(checked.is_ok(), "{:?}", checked.diagnostics);
    (checked.parsed.unwrap().route, checked.program.unwrap())
}

fn cond(text: &str) -> Cond {
    let at = TextPos {
        source: Default::default(),
        base: None,
        whole: Span::default(),
    };
    parse_expr(text, at, 64).unwrap()
}

fn forbidding(when: Option<&str>, model: &str) -> Policy {
    let (p, m) = model.split_once('/').unwrap();
    Policy {
        forbid: vec![Forbid {
            when: when.map(cond),
            when_text: when.unwrap_or("").into(),
            models: vec![(p.into(), m.into())],
            origin: "test".into(),
        }],
        ..Policy::default()
    }
}

fn run(text: &str, policy: &Policy) -> Vec<Diagnostic> {
    let (route, program) = compiled(text);
    let mut diags = Vec::new();
    check(&route, &program, policy, &mut diags);
    diags
}

const GATED: &str = "\
start: gate
nodes:
  gate:
    if: metadata.plan == \"paid\"
    then: big
    else: done
  big:
    model: openai/gpt-4.1
    timeout: 30s
    retries: 0
    success: done
    fallback: done
  done: end
";

#[test]
fn a_path_the_evaluator_does_not_take_is_refused_by_the_replay() {
    let (route, program) = compiled(GATED);
    let g = Graph::new(&program, &route).unwrap();
    let (gate, big, done) =
        (0..program.len() as NodeId).fold((0, 0, 0), |acc, n| match program.node_id(n) {
            "gate" => (n, acc.1, acc.2),
            "big" => (acc.0, n, acc.2),
            "done" => (acc.0, acc.1, n),
            _ => acc,
        });
    let hops = vec![
        Hop {
            node: g.start,
            out: Out::Next,
        },
        Hop {
            node: gate,
            out: Out::Cond(true),
        },
        Hop {
            node: big,
            out: Out::Model(crate::eval::Report::Answered),
        },
        Hop {
            node: done,
            out: Out::Next,
        },
    ];
    let with = |plan: &str| Found {
        hops: hops.clone(),
        metadata: Model {
            entries: vec![("plan".into(), Literal::Str(plan.into()))],
        },
    };
    // Metadata that makes the condition true: the evaluator agrees.
    let ex = replay(&g, &with("paid"), None, &|_| false).expect("the evaluator takes it");
    assert_eq!(ex.served_by, Some(big));
    // Metadata the graph path claims but the evaluator sends elsewhere: refused,
    // so no violation could be printed with it.
    assert!(replay(&g, &with("free"), None, &|_| false).is_none());
}

#[test]
fn forbid_is_decided_by_the_conditions_on_the_path() {
    let found = run(
        GATED,
        &forbidding(Some("metadata.plan == \"paid\""), "openai/gpt-4.1"),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, Code::PolicyForbid);
    assert!(
        found[0]
            .notes
            .iter()
            .any(|n| n.contains("{\"plan\":\"paid\"}")),
        "{found:?}"
    );
    // No request with another plan passes the gate: decided, nothing reported.
    assert!(
        run(
            GATED,
            &forbidding(Some("metadata.plan == \"free\""), "openai/gpt-4.1")
        )
        .is_empty()
    );
    assert!(run(GATED, &forbidding(None, "openai/gpt-4.1-mini")).is_empty());
}

/// A sticky split on `metadata.user_id` behind a test that pins the user: the
/// graph has a path to either share, but the evaluator sends user `u` to one.
fn pinned(share: &str) -> String {
    format!(
        "name: pinned
start: who
nodes:
  who:
    if: metadata.user_id == \"u\"
    then: s
    else: done
  s:
    split:
      50%: {}
      50.0%: {}
    sticky: metadata.user_id
  a:
    model: openai/a
    timeout: 30s
    retries: 0
    success: done
    fallback: done
  b:
    model: openai/b
    timeout: 30s
    retries: 0
    success: done
    fallback: done
  done: end
",
        if share == "a" { "a" } else { "b" },
        if share == "a" { "b" } else { "a" },
    )
}

#[test]
fn a_graph_path_whose_replay_disagrees_is_never_reported_as_a_violation() {
    // Where user `u` lands: the first share listed is `a` in one route, `b` in
    // the other, so in exactly one of them `a` is out of reach for the pinned user.
    let when = Some("metadata.user_id == \"u\"");
    let mut reported = 0;
    for first in ["a", "b"] {
        let diags = run(&pinned(first), &forbidding(when, "openai/a"));
        let violations: Vec<_> = diags
            .iter()
            .filter(|d| d.code == Code::PolicyForbid)
            .collect();
        if violations.is_empty() {
            // The graph path to `a` exists but no request follows it: no error,
            // and the open question is reported, not passed over.
            assert!(
                diags.iter().any(|d| d.code == Code::PolicyUndecided),
                "{diags:?}"
            );
        } else {
            reported += 1;
            let note = violations[0].notes.join("\n");
            assert!(note.contains("{\"user_id\":\"u\"}"), "{note}");
        }
    }
    assert_eq!(reported, 1);
}

#[test]
fn long_routes_are_searched_without_recursion() {
    // A chain of 3,000 rate limits: far deeper than any stack frame budget allows
    // a recursive walk, searched on the default test thread's stack.
    let mut s = String::from("start: c0\nnodes:\n");
    let n = 3_000;
    for i in 0..n {
        s += &format!(
            "  c{i}:\n    rate_limit: 10\n    window: 60s\n    key: metadata.user\n    success: c{}\n    fallback: done\n",
            i + 1
        );
    }
    s += &format!(
        "  c{n}:\n    model: groq/llama\n    timeout: 30s\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n"
    );
    let policy = Policy {
        providers: Some((vec!["openai".into()], "test".into())),
        ..Policy::default()
    };
    let diags = run(&s, &policy);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, Code::PolicyProvider);
    let notes = diags[0].notes.join("\n");
    assert!(notes.contains("path: start → c0 → c1 → c2"), "{notes}");
    assert!(notes.contains("c2999 → c3000 → done"), "{notes}");
}
