//! `decide` on the anchor route (`routes/anchor.json`), on the routes in `routes/`, and
//! on a 4,000-node route. Target (issue 4): under 100 ns median for a typical
//! route with a sticky split, no allocation per request, cost following the path
//! length rather than the route size.

use std::hint::black_box;

use aig_route::check::check_text;
use aig_route::compile::Program;
use aig_route::eval::{MemoryStore, Request, Session, Value};
use aig_route::source::SourceMap;
use aig_route::syntax::Format;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "common.rs"]
#[allow(dead_code)]
mod common;

fn program(path: &str) -> Program {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    program_of(&text, Format::from_path(path).unwrap())
}

fn program_of(text: &str, format: Format) -> Program {
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(&mut sources, "bench", text, format);
    assert!(checked.is_ok());
    checked.program.unwrap()
}

/// 1,000 requests for the anchor route, mixing every branch.
fn anchor_requests() -> Vec<String> {
    let plans = ["paid", "paid", "free", "trial", "enterprise"];
    let regions = ["us-east", "eu-west", "eu-central", "ap-south"];
    (0..1000)
        .map(|i| {
            let plan = plans[i % plans.len()];
            let plan = if i % 11 == 0 {
                String::new()
            } else {
                format!("\"plan\":\"{plan}\",")
            };
            format!(
                "{{{plan}\"tier\":{},\"region\":\"{}\",\"user_id\":\"user-{}\"}}",
                i % 4,
                regions[i % 4],
                i * 7919 % 5000
            )
        })
        .collect()
}

fn decide(c: &mut Criterion) {
    let anchor = program("routes/anchor.json");
    let metas = anchor_requests();
    // Pre-filled requests: the decision alone.
    let reqs: Vec<Request> = metas
        .iter()
        .map(|m| {
            let mut r = Request::new(&anchor);
            r.set_metadata_json(&anchor, m).unwrap();
            r
        })
        .collect();
    let mut store = MemoryStore::new();
    let mut s = Session::new(0);
    let mut i = 0usize;
    c.bench_function("decide/anchor", |b| {
        b.iter(|| {
            i = (i + 1) % reqs.len();
            black_box(
                anchor
                    .decide(&mut s, &reqs[i], &mut store, 0.0)
                    .unwrap()
                    .model,
            )
        })
    });
    // From the raw `cf-aig-metadata` string, as a gateway receives it.
    let mut req = Request::new(&anchor);
    c.bench_function("decide/anchor_from_metadata_json", |b| {
        b.iter(|| {
            i = (i + 1) % metas.len();
            req.set_metadata_json(&anchor, &metas[i]).unwrap();
            black_box(anchor.decide(&mut s, &req, &mut store, 0.0).unwrap().model)
        })
    });
    // Only the sticky-split path (paid, tier >= 2).
    let paid: Vec<Request> = (0..1000)
        .map(|u| {
            let mut r = Request::new(&anchor);
            let mut f = r.fill(&anchor);
            f.set("plan", Value::Str("paid"));
            f.set("tier", Value::Num(3.0));
            f.set("user_id", Value::Str(&format!("user-{u}")));
            r
        })
        .collect();
    c.bench_function("decide/anchor_sticky_split_path", |b| {
        b.iter(|| {
            i = (i + 1) % paid.len();
            black_box(
                anchor
                    .decide(&mut s, &paid[i], &mut store, 0.0)
                    .unwrap()
                    .model,
            )
        })
    });
    for route in [
        "routes/canary.yaml",
        "routes/tiers.yaml",
        "routes/regional.yaml",
        "routes/team-budget.yaml",
    ] {
        let p = program(route);
        let reqs: Vec<Request> = metas
            .iter()
            .map(|m| {
                let mut r = Request::new(&p);
                let mut f = r.fill(&p);
                f.metadata_json(m).unwrap();
                f.set("team", Value::Str("t1"));
                r
            })
            .collect();
        let mut store = MemoryStore::new();
        let name = route
            .trim_start_matches("routes/")
            .trim_end_matches(".yaml");
        let mut t = 0.0;
        c.bench_function(&format!("decide/{name}"), |b| {
            b.iter(|| {
                i = (i + 1) % reqs.len();
                t += 0.001;
                black_box(p.decide(&mut s, &reqs[i], &mut store, t).unwrap().model)
            })
        });
    }
    let big = program_of(&common::generated_route_short_paths(4000), Format::Yaml);
    let reqs: Vec<Request> = metas
        .iter()
        .map(|m| {
            let mut r = Request::new(&big);
            r.set_metadata_json(&big, &m.replace("paid", "p0")).unwrap();
            r
        })
        .collect();
    // Time moves one second per request, so the route's hourly rate limits see
    // traffic at a realistic pace instead of all exhausting at t = 0 (which would
    // send every request down the whole chain and measure a 2,000-node path).
    let mut store = MemoryStore::new();
    let mut t = 0.0;
    let mut longest = 0;
    c.bench_function("decide/generated_4000_nodes", |b| {
        b.iter(|| {
            i = (i + 1) % reqs.len();
            t += 1.0;
            let d = big.decide(&mut s, &reqs[i], &mut store, t).unwrap();
            longest = longest.max(d.path.len());
            black_box(d.path.len())
        })
    });
    assert!(
        longest < 16,
        "paths on the generated route should be short, saw {longest}"
    );
}

criterion_group!(benches, decide);
criterion_main!(benches);
