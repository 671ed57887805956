//! `aig-route test` speed: 10,000 cases run and checked, cycling through every
//! case of the example suites in `routes/` (their `before` requests included:
//! limits filled with up to 5,000 requests, budgets spent, windows passed), each
//! from fresh counters with its expectations checked and its edges recorded.
//! Target: all 10,000 in under a second.

use std::hint::black_box;

use aig_route::check::check;
use aig_route::source::SourceMap;
use aig_route::syntax::{Format, Limits, parse_doc};
use aig_route::testing::{self, Bound, Coverage, Runner, Target, run_case};
use criterion::{Criterion, criterion_group, criterion_main};

/// Cases run per iteration.
const CASES: usize = 10_000;

/// Every example suite's cases, bound to their compiled routes.
fn suites() -> Vec<(Target, Vec<Bound>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/routes");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| testing::is_test_file(n))
        .collect();
    names.sort();
    let limits = Limits::default();
    names
        .iter()
        .map(|name| {
            let mut sources = SourceMap::new();
            let text = std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
            let id = sources.add(name.clone(), text.clone());
            let doc = parse_doc(&text, id, Format::Yaml, &limits).unwrap();
            let mut diags = Vec::new();
            let file = testing::read(&doc, id, &mut diags);
            let route = file.route.clone().unwrap().value;
            let route_text = std::fs::read_to_string(format!("{dir}/{route}")).unwrap();
            let rid = sources.add(route.clone(), route_text);
            let format = Format::from_path(&route).unwrap();
            let checked = check(&sources, rid, format, &limits);
            assert!(checked.is_ok(), "{route} must be valid");
            let t = Target::new(checked.parsed.unwrap().route, checked.program.unwrap());
            let cases = testing::bind(&file, &t, &mut diags);
            assert!(diags.iter().all(|d| !d.is_error()), "{name} must bind");
            (t, cases)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let suites = suites();
    // The order run: case i of every suite in turn, until 10,000.
    let all: Vec<(usize, usize)> = suites
        .iter()
        .enumerate()
        .flat_map(|(s, (_, cases))| (0..cases.len()).map(move |i| (s, i)))
        .collect();
    let order: Vec<(usize, usize)> = all.iter().copied().cycle().take(CASES).collect();
    let mut runner = Runner::new();
    let mut group = c.benchmark_group("test");
    group.sample_size(10);
    group.bench_function("10k_cases", |b| {
        b.iter(|| {
            let mut cov: Vec<Coverage> = suites.iter().map(|(t, _)| Coverage::new(t)).collect();
            let mut passed = 0usize;
            for &(s, i) in &order {
                let (t, cases) = &suites[s];
                passed += usize::from(run_case(t, &cases[i], &mut runner, &mut cov[s]).passed);
            }
            assert_eq!(passed, CASES, "every example case passes");
            black_box(cov)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
