//! Parse, lower and validate (and compile) generated routes of 1k, 4k and 16k
//! nodes. Target (issue 2): a 4,000-node route in under 50 ms, linear in size.

use std::hint::black_box;

use aig_route::check::check;
use aig_route::compile::Program;
use aig_route::graph::RouteGraph;
use aig_route::source::SourceMap;
use aig_route::syntax::{Format, Limits};
use aig_route::validate::validate;
use criterion::{BenchmarkId, Criterion, criterion_group};

#[path = "common.rs"]
#[allow(dead_code)]
mod common;

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for n in [1_000usize, 4_000, 16_000, 64_000] {
        let text = common::generated_route(n);
        let mut sources = SourceMap::new();
        let id = sources.add("generated.yaml", text);
        let probe = check(&sources, id, Format::Yaml, &Limits::default());
        assert!(
            probe.is_ok(),
            "generated route must be valid: {:?}",
            probe.diagnostics.iter().find(|d| d.is_error())
        );
        group.bench_with_input(
            BenchmarkId::new("yaml_parse_lower_validate", n),
            &n,
            |b, _| b.iter(|| black_box(check(&sources, id, Format::Yaml, &Limits::default()))),
        );
        let route = probe.parsed.unwrap().route;
        let valid = validate(RouteGraph::build(&route, &mut Vec::new()), &mut Vec::new()).unwrap();
        group.bench_with_input(BenchmarkId::new("freeze_program", n), &n, |b, _| {
            b.iter(|| black_box(Program::compile(&valid).unwrap()))
        });
    }
    group.finish();

    // Issue 3: parse a 4,000-node DSL file (the generated route, written as DSL).
    let mut group = c.benchmark_group("dsl");
    group.sample_size(20);
    for n in [1_000usize, 4_000] {
        let mut sources = SourceMap::new();
        let id = sources.add("g.yaml", common::generated_route(n));
        let route = check(&sources, id, Format::Yaml, &Limits::default())
            .parsed
            .unwrap()
            .route;
        let dsl = aig_route::emit::to_dsl(&route);
        let did = sources.add("g.route", dsl);
        let probe = aig_route::syntax::parse(&sources, did, Format::Dsl, &Limits::default());
        assert!(
            probe.diagnostics.iter().all(|d| !d.is_error()),
            "generated DSL must parse"
        );
        group.bench_with_input(BenchmarkId::new("parse", n), &n, |b, _| {
            b.iter(|| {
                black_box(aig_route::syntax::parse(
                    &sources,
                    did,
                    Format::Dsl,
                    &Limits::default(),
                ))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, compile);

/// `AIG_ROUTE_COUNT=check/N` checks the generated N-node route (parse, lower,
/// validate, compile) once and exits; `AIG_ROUTE_COUNT=check/N/0` only
/// generates it. Run both under `valgrind --tool=callgrind`: the difference is
/// the instructions of one check, which no load on the machine changes.
fn count(spec: &str) {
    let mut parts = spec.split('/');
    let (Some("check"), Some(n)) = (parts.next(), parts.next().and_then(|n| n.parse().ok())) else {
        panic!("AIG_ROUTE_COUNT is check/N or check/N/0, not {spec}");
    };
    let text = common::generated_route(n);
    let mut sources = SourceMap::new();
    let id = sources.add("generated.yaml", text);
    if parts.next() != Some("0") {
        let checked = check(&sources, id, Format::Yaml, &Limits::default());
        assert!(checked.is_ok(), "the generated route is valid");
    }
    println!("check/{n}");
}

fn main() {
    common::count_or_bench(count, benches);
}
