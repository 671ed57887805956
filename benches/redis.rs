//! The Redis limit store against a local `redis-server` (started here on a free
//! loopback port): what one limit node adds to a decision, as criterion's mean,
//! and as the p50/p99 of 20,000 single calls, how many admissions one process
//! gets through in a second on one connection, and whole decisions per second
//! on `routes/tiers.yaml` (one rate limit on the free path) with counters in
//! memory and in Redis.
//!
//! `cargo bench --bench redis` (needs `redis-server` on the PATH).

use std::hint::black_box;
use std::time::{Duration, Instant};

use aig_route::compile::LimitSpec;
use aig_route::eval::{KeyRef, LimitStore, MemoryStore, Request, Session};
use aig_route::fleet::{RedisOptions, RedisStore};
use aig_route::syntax::ast::{LimitKind, WindowMode};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../tests/support/redis.rs"]
mod redis_server;

fn spec(kind: LimitKind, mode: WindowMode) -> LimitSpec {
    LimitSpec {
        kind,
        key: None,
        key_name: None,
        limit: 1e12,
        window: 3600.0,
        mode,
    }
}

fn options() -> RedisOptions {
    RedisOptions {
        io_timeout: Duration::from_secs(5),
        ..RedisOptions::default()
    }
}

/// Keys spread over 10,000 users, as a real fleet's traffic would.
fn user(i: u64) -> String {
    format!("user-{}", i % 10_000)
}

fn bench(c: &mut Criterion) {
    let server = redis_server::RedisServer::start();
    let mut store = RedisStore::open(&server.url(), options()).unwrap();
    let users: Vec<String> = (0..10_000).map(user).collect();
    let mut g = c.benchmark_group("redis");
    for (name, kind, mode) in [
        ("rate_fixed", LimitKind::Count, WindowMode::Fixed),
        ("rate_sliding", LimitKind::Count, WindowMode::Sliding),
    ] {
        let s = spec(kind, mode);
        let mut i = 0u64;
        g.bench_function(name, |b| {
            b.iter(|| {
                i += 1;
                let key = KeyRef::Str(&users[(i % 10_000) as usize]);
                black_box(store.admit_one("bench", name, &s, key, 1_000.0 + i as f64 / 1e4))
            })
        });
    }
    let s = spec(LimitKind::Cost, WindowMode::Fixed);
    let mut i = 0u64;
    g.bench_function("budget_read", |b| {
        b.iter(|| {
            i += 1;
            let key = KeyRef::Str(&users[(i % 10_000) as usize]);
            black_box(store.used("bench", "budget", &s, key, 1_000.0))
        })
    });
    g.finish();
    latency(&mut store, &users);
    decisions(&server.url(), &users);
}

/// Whole decisions per second on the tiers route, every request on the free
/// path (so each reaches the rate limit), counters in memory and in Redis.
fn decisions(url: &str, users: &[String]) {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/tiers.yaml")).unwrap();
    let program = aig_route::compile("tiers.yaml", &text, aig_route::syntax::Format::Yaml)
        .unwrap()
        .program;
    let requests: Vec<Request> = users
        .iter()
        .take(1_000)
        .map(|u| {
            let mut r = Request::new(&program);
            r.set_metadata_json(&program, &format!(r#"{{"plan":"free","user_id":"{u}"}}"#))
                .unwrap();
            r
        })
        .collect();
    let run = |name: &str, store: &mut dyn LimitStore| {
        let mut session = Session::new(0);
        let n = 20_000;
        let mut took = Vec::with_capacity(n);
        let all = Instant::now();
        for i in 0..n {
            let t = Instant::now();
            let d = program
                .decide(
                    &mut session,
                    &requests[i % requests.len()],
                    store,
                    7_200.0 + i as f64 / 1e4,
                )
                .unwrap();
            black_box(d.model);
            assert!(d.store_error.is_none());
            took.push(t.elapsed());
        }
        let per_second = n as f64 / all.elapsed().as_secs_f64();
        took.sort();
        let pct = |p: f64| took[((n as f64 * p) as usize).min(n - 1)];
        println!(
            "decide tiers (free path, 1 limit node), {name}: {per_second:.0} decisions/s per process; p50 {:?}, p99 {:?}",
            pct(0.50),
            pct(0.99)
        );
    };
    run("memory", &mut MemoryStore::new());
    run("redis", &mut RedisStore::open(url, options()).unwrap());
}

/// p50 and p99 of single admissions, and admissions per second on one connection.
fn latency(store: &mut RedisStore, users: &[String]) {
    for (name, mode) in [
        ("fixed", WindowMode::Fixed),
        ("sliding", WindowMode::Sliding),
    ] {
        let s = spec(LimitKind::Count, mode);
        let n = 20_000;
        let mut took = Vec::with_capacity(n);
        let all = Instant::now();
        for i in 0..n {
            let key = KeyRef::Str(&users[i % users.len()]);
            let t = Instant::now();
            black_box(store.admit_one("latency", name, &s, key, 5_000.0 + i as f64 / 1e4)).unwrap();
            took.push(t.elapsed());
        }
        let per_second = n as f64 / all.elapsed().as_secs_f64();
        took.sort();
        let pct = |p: f64| took[((n as f64 * p) as usize).min(n - 1)];
        println!(
            "redis/{name} admission: p50 {:?}, p99 {:?}, max {:?}; {per_second:.0} admissions/s on one connection",
            pct(0.50),
            pct(0.99),
            took[n - 1]
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
