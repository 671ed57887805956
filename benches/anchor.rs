//! The anchor decision (`routes/anchor.json`) against a hand-written `match` on
//! a struct of the same fields, in one run so the ratio is fair. Targets:
//! `decide` within 2× of the match, and from the raw `cf-aig-metadata` string
//! (parse + decide) at most 150 ns.
//!
//! Two request sets: `plain` never reaches the split (free, trial, EU, paid
//! below tier 2), `sticky` always does (paid, tier ≥ 2, a user id to hash).
//! Before timing, every engine is checked to choose the same model for every
//! request.

use std::hint::black_box;

use aig_route::compile::Program;
use aig_route::eval::{MemoryStore, Request, Session};
use aig_route::syntax::Format;
use criterion::{Criterion, criterion_group};
use sha2::{Digest, Sha256};

#[path = "common.rs"]
#[allow(dead_code)]
mod common;

fn anchor() -> Program {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/anchor.json"))
        .expect("routes/anchor.json is readable");
    aig_route::compile("anchor.json", &text, Format::Json)
        .expect("the anchor route compiles")
        .program
}

/// The request as a hand-written router would take it.
#[derive(Clone, Debug)]
struct Fields {
    plan: Option<String>,
    tier: Option<f64>,
    region: Option<String>,
    user_id: Option<String>,
}

impl Fields {
    fn json(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = &self.plan {
            parts.push(format!("\"plan\":\"{p}\""));
        }
        if let Some(t) = self.tier {
            parts.push(format!("\"tier\":{t}"));
        }
        if let Some(r) = &self.region {
            parts.push(format!("\"region\":\"{r}\""));
        }
        if let Some(u) = &self.user_id {
            parts.push(format!("\"user_id\":\"{u}\""));
        }
        format!("{{{}}}", parts.join(","))
    }
}

/// The anchor route written by hand: the floor. The split hashes exactly as
/// the route's semantics say (SHA-256 of route, node and value), so it agrees
/// with the engine request by request.
fn by_hand(r: &Fields, prefix: &Sha256) -> &'static str {
    if r.plan.as_deref() == Some("paid") && r.tier.is_some_and(|t| t >= 2.0) {
        let Some(user) = &r.user_id else {
            return "random";
        };
        let mut h = prefix.clone();
        h.update(user.as_bytes());
        let d = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&d[..8]);
        if u64::from_be_bytes(first) % 10_000 < 9_000 {
            "gpt41"
        } else {
            "sonnet"
        }
    } else if matches!(r.region.as_deref(), Some("eu-west" | "eu-central")) {
        "mistral"
    } else if matches!(r.plan.as_deref(), Some("trial") | None) {
        "llama"
    } else {
        "mini"
    }
}

fn requests(sticky: bool) -> Vec<Fields> {
    let plans = ["free", "trial", "enterprise", "paid"];
    let regions = ["us-east", "eu-west", "eu-central", "ap-south"];
    (0..1000usize)
        .map(|i| {
            if sticky {
                Fields {
                    plan: Some("paid".into()),
                    tier: Some(2.0 + (i % 3) as f64),
                    region: Some(regions[i % 4].into()),
                    user_id: Some(format!("user-{}", i * 7919 % 5000)),
                }
            } else {
                let plan = plans[i % 4];
                Fields {
                    plan: (i % 11 != 0).then(|| plan.to_string()),
                    // Paid requests stay below tier 2, so none reaches the split.
                    tier: Some(if plan == "paid" {
                        (i % 2) as f64
                    } else {
                        (i % 4) as f64
                    }),
                    region: Some(regions[i / 4 % 4].into()),
                    user_id: Some(format!("user-{}", i * 7919 % 5000)),
                }
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let program = anchor();
    let mut prefix = Sha256::new();
    prefix.update(b"bench\0split\0");
    let mut store = MemoryStore::new();
    let mut s = Session::new(0);
    for (name, fields) in [("plain", requests(false)), ("sticky", requests(true))] {
        let metas: Vec<String> = fields.iter().map(Fields::json).collect();
        let reqs: Vec<Request> = metas
            .iter()
            .map(|m| {
                let mut r = Request::new(&program);
                r.set_metadata_json(&program, m)
                    .expect("the bench metadata parses");
                r
            })
            .collect();
        // Every engine agrees on every request before anything is timed.
        let mut raw = Request::new(&program);
        for ((f, r), m) in fields.iter().zip(&reqs).zip(&metas) {
            let want = by_hand(f, &prefix);
            let d = program
                .decide(&mut s, r, &mut store, 0.0)
                .expect("own request");
            assert_eq!(d.served.map(|c| c.id), Some(want), "decide on {m}");
            let first = program
                .first_model(&mut s, r, &mut store, 0.0)
                .expect("own request");
            assert_eq!(first.map(|c| c.id), Some(want), "first_model on {m}");
            raw.set_metadata_json(&program, m)
                .expect("the bench metadata parses");
            let d = program
                .decide(&mut s, &raw, &mut store, 0.0)
                .expect("own request");
            assert_eq!(d.served.map(|c| c.id), Some(want), "from the string {m}");
        }
        let mut g = c.benchmark_group(format!("anchor/{name}"));
        let mut i = 0usize;
        g.bench_function("hand_written_match", |b| {
            b.iter(|| {
                i = (i + 1) % fields.len();
                black_box(by_hand(black_box(&fields[i]), &prefix))
            })
        });
        g.bench_function("decide", |b| {
            b.iter(|| {
                i = (i + 1) % reqs.len();
                let d = program.decide(&mut s, black_box(&reqs[i]), &mut store, 0.0);
                black_box(d.map(|d| d.model).ok())
            })
        });
        g.bench_function("first_model", |b| {
            b.iter(|| {
                i = (i + 1) % reqs.len();
                let c = program.first_model(&mut s, black_box(&reqs[i]), &mut store, 0.0);
                black_box(c.map(|c| c.map(|c| c.node)).ok())
            })
        });
        g.bench_function("metadata_string", |b| {
            b.iter(|| {
                i = (i + 1) % metas.len();
                black_box(
                    raw.set_metadata_json(&program, black_box(&metas[i]))
                        .is_ok(),
                )
            })
        });
        g.bench_function("metadata_string_then_decide", |b| {
            b.iter(|| {
                i = (i + 1) % metas.len();
                let _ = raw.set_metadata_json(&program, black_box(&metas[i]));
                let d = program.decide(&mut s, &raw, &mut store, 0.0);
                black_box(d.map(|d| d.model).ok())
            })
        });
        g.finish();
    }
}

/// `AIG_ROUTE_COUNT=WHAT/SET/N` runs N operations of one kind and exits, for
/// counting instructions: run it under `valgrind --tool=callgrind` with N = 0
/// and N = 100000, and divide the difference by 100000. WHAT is
/// `hand_written_match`, `decide`, `first_model`, `metadata_string` (reading
/// the string alone) or `metadata_string_then_decide`; SET is `plain` or
/// `sticky`.
fn count(spec: &str) {
    let mut parts = spec.split('/');
    let (Some(what), Some(set), Some(n)) = (parts.next(), parts.next(), parts.next()) else {
        panic!("AIG_ROUTE_COUNT is WHAT/SET/N, not {spec}");
    };
    let n: usize = n.parse().expect("N is a number");
    let program = anchor();
    let mut prefix = Sha256::new();
    prefix.update(b"bench\0split\0");
    let fields = requests(set == "sticky");
    let metas: Vec<String> = fields.iter().map(Fields::json).collect();
    let reqs: Vec<Request> = metas
        .iter()
        .map(|m| {
            let mut r = Request::new(&program);
            r.set_metadata_json(&program, m)
                .expect("the bench metadata parses");
            r
        })
        .collect();
    let mut raw = Request::new(&program);
    let mut store = MemoryStore::new();
    let mut s = Session::new(0);
    let len = fields.len();
    // One loop per operation, so matching `what` is not counted.
    let seen = match what {
        "hand_written_match" => repeat(n, len, |i| {
            Some(black_box(by_hand(black_box(&fields[i]), &prefix)).len())
        }),
        "decide" => repeat(n, len, |i| {
            program
                .decide(&mut s, black_box(&reqs[i]), &mut store, 0.0)
                .ok()
                .and_then(|d| d.model.map(|m| m as usize))
        }),
        "first_model" => repeat(n, len, |i| {
            program
                .first_model(&mut s, black_box(&reqs[i]), &mut store, 0.0)
                .ok()
                .flatten()
                .map(|c| c.node as usize)
        }),
        "metadata_string" => repeat(n, len, |i| {
            raw.set_metadata_json(&program, black_box(&metas[i]))
                .ok()
                .map(|()| i)
        }),
        "metadata_string_then_decide" => repeat(n, len, |i| {
            let _ = raw.set_metadata_json(&program, black_box(&metas[i]));
            program
                .decide(&mut s, &raw, &mut store, 0.0)
                .ok()
                .and_then(|d| d.model.map(|m| m as usize))
        }),
        other => panic!("unknown operation {other}"),
    };
    println!("{what}/{set}: {n} operations ({seen})");
}

/// Runs `op` on requests `0, 1, … len-1, 0, …`, `n` times in all; sums what
/// it returns so nothing is optimised away.
fn repeat(n: usize, len: usize, mut op: impl FnMut(usize) -> Option<usize>) -> usize {
    let mut seen = 0usize;
    for k in 0..n {
        seen = seen.wrapping_add(op(k % len).unwrap_or(0));
    }
    seen
}

criterion_group!(benches, bench);

fn main() {
    common::count_or_bench(count, benches);
}
