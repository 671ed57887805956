//! Property-based fuzzing of every parser: YAML, DSL and gateway JSON routes (read,
//! validated, compiled and formatted), traffic lines, condition expressions, Mongo
//! queries and raw metadata, from random bytes and from mutations of the routes
//! in `routes/`. None may panic; whatever reads must round-trip.
//!
//! CI runs a bounded number of cases; for a long run:
//!
//! ```sh
//! PROPTEST_CASES=200000 cargo test --release --test fuzz
//! ```
//!
//! A failure prints the minimal input; add it to `tests/hostile/` with its `.expect`.

use aig_route::check::check;
use aig_route::eval::Request;
use aig_route::simulate::{Simulator, parse_line};
use aig_route::source::{SourceId, SourceMap, Span};
use aig_route::syntax::cond::{TextPos, parse_expr};
use aig_route::syntax::{Format, Limits};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

#[path = "../fuzz/fuzz_targets/pipeline.rs"]
#[allow(dead_code)]
mod shared;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(192);
    ProptestConfig {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x5eed_0005),
        ..ProptestConfig::default()
    }
}

fn seeds(ext: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("routes");
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == ext)
                && !p.to_string_lossy().contains(".traffic.")
                && !p.to_string_lossy().contains(".pricing.")
                && !p.to_string_lossy().contains(".test.")
        })
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    out.sort();
    out
}

#[derive(Clone, Debug)]
enum Mutation {
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Replace(usize, Vec<u8>),
    Duplicate(usize, usize),
    SwapLines(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let bytes = prop::collection::vec(
        prop_oneof![
            any::<u8>(),
            prop::sample::select(b"{}[]():,-># \"'\n\t$%.!&|=<>*&".to_vec())
        ],
        1..12,
    );
    prop_oneof![
        (any::<usize>(), bytes.clone()).prop_map(|(p, b)| Mutation::Insert(p, b)),
        (any::<usize>(), 1usize..40).prop_map(|(p, n)| Mutation::Delete(p, n)),
        (any::<usize>(), bytes).prop_map(|(p, b)| Mutation::Replace(p, b)),
        (any::<usize>(), 1usize..200).prop_map(|(p, n)| Mutation::Duplicate(p, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn mutate(seed: &str, ms: &[Mutation]) -> String {
    let mut b = seed.as_bytes().to_vec();
    for m in ms {
        let len = b.len().max(1);
        match m {
            Mutation::Insert(p, x) => {
                let p = p % len;
                b.splice(p.min(b.len())..p.min(b.len()), x.iter().copied());
            }
            Mutation::Delete(p, n) => {
                let p = p % len;
                let e = (p + n).min(b.len());
                b.drain(p.min(b.len())..e);
            }
            Mutation::Replace(p, x) => {
                let p = p % len;
                for (i, v) in x.iter().enumerate() {
                    if let Some(slot) = b.get_mut(p + i) {
                        *slot = *v;
                    }
                }
            }
            Mutation::Duplicate(p, n) => {
                let p = p % len;
                let e = (p + n).min(b.len());
                let chunk: Vec<u8> = b[p.min(b.len())..e].to_vec();
                b.splice(e..e, chunk);
            }
            Mutation::SwapLines(x, y) => {
                let text = String::from_utf8_lossy(&b).into_owned();
                let mut lines: Vec<&str> = text.lines().collect();
                if !lines.is_empty() {
                    let (i, j) = (x % lines.len(), y % lines.len());
                    lines.swap(i, j);
                }
                b = lines.join("\n").into_bytes();
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// The whole pipeline on one text: the same as the cargo-fuzz route targets.
fn pipeline(text: &str, format: Format) {
    shared::run_text(text, format);
}

/// The fuzzers' seeds (the example routes and the hostile corpus) each go
/// through the whole pipeline once, as the first thing a fuzzing run does: a
/// route refused by validation must still format to text that reads back the
/// same (`rate_limit: .inf` once came back as `inf`, a string).
#[test]
fn every_seed_goes_through_the_pipeline() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut ran = 0;
    for dir in ["routes", "tests/hostile"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            let name = path.to_string_lossy();
            let Some(format) = Format::from_path(&name) else {
                continue;
            };
            if [".traffic.", ".pricing.", ".test."]
                .iter()
                .any(|k| name.contains(k))
            {
                continue;
            }
            // Bytes: some hostile files are not UTF-8 (the pipeline skips them).
            shared::run(&std::fs::read(&path).unwrap(), format);
            ran += 1;
        }
    }
    assert!(ran > 40, "only {ran} seeds");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn yaml_mutations(seed in prop::sample::select(seeds("yaml")), ms in prop::collection::vec(mutation(), 1..5)) {
        pipeline(&mutate(&seed, &ms), Format::Yaml);
    }

    #[test]
    fn dsl_mutations(seed in prop::sample::select(seeds("route")), ms in prop::collection::vec(mutation(), 1..5)) {
        pipeline(&mutate(&seed, &ms), Format::Dsl);
    }

    #[test]
    fn json_mutations(seed in prop::sample::select(seeds("json")), ms in prop::collection::vec(mutation(), 1..5)) {
        pipeline(&mutate(&seed, &ms), Format::Json);
    }

    #[test]
    fn random_bytes_in_every_format(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        for f in [Format::Yaml, Format::Json, Format::Dsl] {
            pipeline(&text, f);
        }
    }

    #[test]
    fn condition_expressions(seed in prop::sample::select(vec![
        "metadata.plan == \"paid\" && metadata.tier >= 2",
        "metadata.region in [\"eu-west\", 3, true] || !exists metadata.plan",
        "!(metadata.a < 1.5e3 || metadata.b not in [\"x\"]) && exists metadata.c",
    ]), ms in prop::collection::vec(mutation(), 0..4)) {
        let text = mutate(seed, &ms);
        let pos = TextPos { source: SourceId(0), base: Some(0), whole: Span::default() };
        if let Ok(c) = parse_expr(&text, pos, 64) {
            let printed = aig_route::syntax::cond::to_expr(&c);
            let back = parse_expr(&printed, pos, 64).expect("printed condition reads back");
            prop_assert_eq!(back, c);
        }
    }

    #[test]
    fn mongo_queries(seed in prop::sample::select(vec![
        r#"{"metadata.plan": {"$eq": "paid"}, "metadata.tier": {"$gte": 2}}"#,
        r#"{"$or": [{"metadata.plan": "trial"}, {"metadata.plan": {"$exists": false}}]}"#,
        r#"{"metadata.tier": {"$not": {"$in": [1, 2]}}, "$not": {"metadata.x": {"$ne": true}}}"#,
    ]), ms in prop::collection::vec(mutation(), 0..4)) {
        let text = mutate(seed, &ms);
        let route = format!(r#"[{{"id":"start","type":"start","outputs":{{"next":{{"elementId":"c"}}}}}},{{"id":"c","type":"conditional","properties":{{"conditions":{text}}},"outputs":{{"true":{{"elementId":"e"}},"false":{{"elementId":"e"}}}}}},{{"id":"e","type":"end","outputs":{{}}}}]"#);
        pipeline(&route, Format::Json);
    }

    #[test]
    fn traffic_lines(seed in prop::sample::select(vec![
        r#"{"t": 1767225600, "id": "r1", "metadata": {"plan": "paid", "user_id": "u1"}, "cost": 0.002, "fail": ["large"]}"#,
        r#"{"t": 5, "metadata": {"tier": 2.5, "beta": true}}"#,
    ]), ms in prop::collection::vec(mutation(), 0..4), raw in prop::collection::vec(any::<u8>(), 0..100)) {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/tiers.yaml")).unwrap();
        let mut sources = SourceMap::new();
        let id = sources.add("t.yaml", text);
        let program = check(&sources, id, Format::Yaml, &Limits::default()).program.unwrap();
        let mut sim = Simulator::new(&program, 0);
        for (n, line) in [mutate(seed, &ms), String::from_utf8_lossy(&raw).into_owned()].iter().enumerate() {
            if let Ok(l) = parse_line(line, n as u64 + 1) {
                let _ = sim.feed(&l, n as u64 + 1);
            }
        }
        let mut req = Request::new(&program);
        let _ = req.set_metadata_json(&program, &String::from_utf8_lossy(&raw));
        let _ = req.set_metadata_json(&program, &mutate(r#"{"plan": "paid", "user_id": "\u00e9\ud83d\ude00"}"#, &ms));
    }
}
