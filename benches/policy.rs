//! Path policies over a team's worth of large routes: 100 generated routes of
//! 150 to 249 nodes each (conditionals, sticky splits, rate limits, models of two
//! providers; far larger than routes kept in practice) checked against every
//! policy a project file can state: a provider list, a maximum timeout, fallback
//! to another provider and a forbid rule that needs the condition solver. Every
//! route breaks the last two (two `E0903` and about a dozen `E0904` each), so
//! each check searches paths, lands splits with a request id and replays the
//! example through the evaluator. Target: all 100 in under 100 ms.

use std::hint::black_box;

use aig_route::check::check;
use aig_route::compile::Program;
use aig_route::policy::{Forbid, Policy, check as check_policy};
use aig_route::source::{SourceMap, Span};
use aig_route::syntax::cond::{TextPos, parse_expr};
use aig_route::syntax::{Format, Limits, Route};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "common.rs"]
#[allow(dead_code)]
mod common;

/// The routes, with every fourth model moved to a second provider.
fn routes() -> Vec<(Route, Program)> {
    (150..250)
        .map(|n| {
            let text =
                common::generated_route(n).replace("model: openai/m3", "model: anthropic/m3");
            let mut sources = SourceMap::new();
            let id = sources.add(format!("r{n}.yaml"), text);
            let checked = check(&sources, id, Format::Yaml, &Limits::default());
            assert!(checked.is_ok(), "generated route {n} must be valid");
            (checked.parsed.unwrap().route, checked.program.unwrap())
        })
        .collect()
}

fn policy() -> Policy {
    let at = TextPos {
        source: Default::default(),
        base: None,
        whole: Span::default(),
    };
    let when = r#"metadata.plan == "p3" && metadata.tier < 1"#;
    Policy {
        providers: Some((vec!["openai".into(), "anthropic".into()], "bench".into())),
        max_timeout_ms: Some((60_000.0, "bench".into())),
        fallback_to_other_provider: Some((true, "bench".into())),
        forbid: vec![Forbid {
            when: Some(parse_expr(when, at, 64).unwrap()),
            when_text: when.into(),
            models: vec![("openai".into(), "m2".into())],
            origin: "bench".into(),
        }],
    }
}

fn policies(c: &mut Criterion) {
    let routes = routes();
    let policy = policy();
    let mut probe = Vec::new();
    for (route, program) in &routes {
        check_policy(route, program, &policy, &mut probe);
    }
    // The rules must have work to do: violations are found and replayed.
    assert!(
        probe.iter().any(|d| d.code.as_str() == "E0904"),
        "the forbid rule finds nothing"
    );
    assert!(
        probe.iter().any(|d| d.code.as_str() == "E0903"),
        "the fallback rule finds nothing"
    );
    // And they are decided within the search bound, not given up on.
    assert!(
        !probe.iter().any(|d| d.code.as_str() == "W0905"),
        "a policy was left undecided"
    );
    let mut group = c.benchmark_group("policy");
    group.sample_size(10);
    group.bench_function("100_routes_150_to_249_nodes", |b| {
        b.iter(|| {
            let mut diags = Vec::new();
            for (route, program) in &routes {
                check_policy(route, program, &policy, &mut diags);
            }
            black_box(diags)
        })
    });
    group.finish();
}

criterion_group!(benches, policies);
criterion_main!(benches);
