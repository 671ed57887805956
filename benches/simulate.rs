//! Simulation throughput: replaying recorded traffic lines (read and run) and
//! generating synthetic requests, per 100,000 requests. Target: at least 3M
//! traffic lines per second read in place. The end-to-end
//! targets (1M lines and 10M synthetic requests under 2 s each) are timed with
//! the release binary; the commands are in the README.

use std::hint::black_box;

use aig_route::check::check_text;
use aig_route::compile::Program;
use aig_route::simulate::{Simulator, Synthetic, SyntheticSpec, parse_line, typed_value};
use aig_route::source::SourceMap;
use aig_route::syntax::Format;
use criterion::{Criterion, Throughput, criterion_group};

#[path = "common.rs"]
#[allow(dead_code)]
mod common;

fn program(path: &str) -> Program {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(&mut sources, path, &text, Format::from_path(path).unwrap());
    checked.program.unwrap()
}

/// `n` lines shaped like `routes/tiers.traffic.jsonl`: time, id, four metadata
/// entries and a cost per line.
fn tiers_lines(n: u64) -> Vec<String> {
    (0..n)
        .map(|i| {
            let plan = ["free", "paid", "trial"][(i % 3) as usize];
            let region = ["eu-west", "us-east", "ap-south"][(i % 7 % 3) as usize];
            format!(
                r#"{{"t": {}, "id": "r{i}", "metadata": {{"plan": "{plan}", "user_id": "u{}", "team": "t{}", "region": "{region}"}}, "cost": 0.00{}}}"#,
                1_767_225_600 + i / 100,
                i * 7919 % 5000,
                i % 9,
                10 + i % 89
            )
        })
        .collect()
}

fn simulate(c: &mut Criterion) {
    let tiers = program("routes/tiers.yaml");
    let canary = program("routes/canary.yaml");
    let n = 100_000u64;
    let lines = tiers_lines(n);
    let mut group = c.benchmark_group("simulate");
    group.throughput(Throughput::Elements(n));
    group.sample_size(10);
    // Read in place (no map or string per line), as `aig-route simulate` does.
    group.bench_function("replay_100k_lines/tiers", |b| {
        b.iter(|| {
            let mut sim = Simulator::new(&tiers, 0);
            for (i, l) in lines.iter().enumerate() {
                sim.feed_text(l, i as u64 + 1).unwrap();
            }
            black_box(sim.finish().requests)
        })
    });
    // Each line parsed into a `TrafficLine` first (the embedder's typed path).
    group.bench_function("replay_100k_parsed_lines/tiers", |b| {
        b.iter(|| {
            let mut sim = Simulator::new(&tiers, 0);
            for (i, l) in lines.iter().enumerate() {
                sim.feed(&parse_line(l, i as u64 + 1).unwrap(), i as u64 + 1)
                    .unwrap();
            }
            black_box(sim.finish().requests)
        })
    });
    let spec = SyntheticSpec {
        requests: n,
        rate: 1000.0,
        users: 100_000,
        metadata: vec![(
            "plan".into(),
            vec![(typed_value("free"), 0.7), (typed_value("paid"), 0.3)],
        )],
        ..SyntheticSpec::default()
    };
    for (name, p) in [("tiers", &tiers), ("canary", &canary)] {
        group.bench_function(format!("synthetic_100k/{name}"), |b| {
            b.iter(|| {
                let mut sim = Simulator::new(p, 0);
                let mut generator = Synthetic::new(spec.clone(), 0);
                while sim.feed_synthetic(&mut generator) {}
                black_box(sim.finish().requests)
            })
        });
    }
    group.finish();
}

/// `AIG_ROUTE_COUNT=replay/N` replays N (at most 100,000) tiers-shaped lines read in place and
/// exits, for counting instructions per line under callgrind (run it with N = 0
/// and N = 100000 and divide the difference by 100000).
fn count(spec: &str) {
    let n: u64 = spec
        .strip_prefix("replay/")
        .and_then(|n| n.parse().ok())
        .expect("AIG_ROUTE_COUNT is replay/N");
    let tiers = program("routes/tiers.yaml");
    // Made whatever N is, so only the replay differs between two counts.
    let lines = tiers_lines(100_000);
    let mut sim = Simulator::new(&tiers, 0);
    for (i, l) in lines.iter().take(n as usize).enumerate() {
        sim.feed_text(black_box(l), i as u64 + 1).unwrap();
    }
    println!("replay: {} lines", sim.finish().requests);
}

criterion_group!(benches, simulate);

fn main() {
    common::count_or_bench(count, benches);
}
