//! The Redis limit store against a real `redis-server` on loopback: a fleet of
//! processes admits exactly the limit, the store agrees with the in-memory store
//! to the bit, and a server that goes away or stalls is reported, not waited for.

#![cfg(feature = "redis")]

mod support {
    pub mod redis;
}

use std::process::Command;
use std::time::Duration;

use aig_route::compile::LimitSpec;
use aig_route::eval::{KeyRef, LimitRef, LimitStore, MemoryStore};
use aig_route::fleet::{RedisError, RedisOptions, RedisStore};
use aig_route::syntax::ast::{LimitKind, WindowMode};
use support::redis::RedisServer;

fn spec(kind: LimitKind, mode: WindowMode, limit: f64, window: f64) -> LimitSpec {
    LimitSpec {
        kind,
        key: None,
        key_name: None,
        limit,
        window,
        mode,
    }
}

/// Generous time-outs: on a loaded machine a slow answer must not be mistaken for
/// a failure in the tests that count exactly.
fn patient() -> RedisOptions {
    RedisOptions {
        io_timeout: Duration::from_secs(20),
        connect_timeout: Duration::from_secs(20),
        ..RedisOptions::default()
    }
}

const PROCESSES: usize = 8;
const THREADS: usize = 32;
const ATTEMPTS: usize = 2;
const LIMIT: f64 = 100.0;
const WINDOW: f64 = 3600.0;

/// One worker process of the fleet: `THREADS` threads, each with its own
/// connection, each trying `ATTEMPTS` admissions on one key at the time given.
/// Prints how many were admitted. Run by [`fleet_admits_exactly_the_limit`].
#[test]
#[ignore = "a worker process of fleet_admits_exactly_the_limit, not a test of its own"]
fn fleet_worker() {
    let url = std::env::var("AIG_FLEET_URL").expect("run by fleet_admits_exactly_the_limit");
    let mode = match std::env::var("AIG_FLEET_MODE").unwrap().as_str() {
        "fixed" => WindowMode::Fixed,
        _ => WindowMode::Sliding,
    };
    let now: f64 = std::env::var("AIG_FLEET_NOW").unwrap().parse().unwrap();
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut store = RedisStore::open(&url, patient()).unwrap();
                let s = spec(LimitKind::Count, mode, LIMIT, WINDOW);
                let mut admitted = 0;
                for _ in 0..ATTEMPTS {
                    let used = store
                        .admit_one("fleet", "per_user", &s, KeyRef::Str("u1"), now)
                        .expect("the server answers");
                    if used < LIMIT {
                        admitted += 1;
                    }
                }
                admitted
            })
        })
        .collect();
    let total: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    println!("ADMITTED {total}");
}

/// Runs `PROCESSES` workers at once at time `now` and sums what they admitted.
fn fleet_round(server: &RedisServer, mode: &str, now: f64) -> usize {
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            Command::new(&exe)
                .args(["fleet_worker", "--exact", "--ignored", "--nocapture"])
                .env("AIG_FLEET_URL", server.url())
                .env("AIG_FLEET_MODE", mode)
                .env("AIG_FLEET_NOW", now.to_string())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "a worker failed");
            let text = String::from_utf8_lossy(&out.stdout);
            let line = text
                .lines()
                .find_map(|l| l.strip_prefix("ADMITTED "))
                .expect("the worker reports its count");
            line.trim().parse::<usize>().unwrap()
        })
        .sum()
}

#[test]
fn fleet_admits_exactly_the_limit_in_fixed_windows() {
    let server = RedisServer::start();
    let start = 1_700_000_000.0 - 1_700_000_000.0 % WINDOW + 10.0;
    // 8 × 32 × 2 = 512 attempts a round against a limit of 100.
    assert_eq!(fleet_round(&server, "fixed", start), 100);
    // Later in the same window: nothing more.
    assert_eq!(fleet_round(&server, "fixed", start + WINDOW / 2.0), 0);
    // The next window: exactly the limit again.
    assert_eq!(fleet_round(&server, "fixed", start + WINDOW), 100);
}

#[test]
fn fleet_admits_exactly_the_limit_in_sliding_windows() {
    let server = RedisServer::start();
    let start = 1_700_000_123.5;
    assert_eq!(fleet_round(&server, "sliding", start), 100);
    // Half a window later, all 100 still count.
    assert_eq!(fleet_round(&server, "sliding", start + WINDOW / 2.0), 0);
    // A full window later they have left the window: exactly 100 again.
    assert_eq!(fleet_round(&server, "sliding", start + WINDOW), 100);
}

/// A small deterministic generator for the differential test (no global RNG).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The same operations on the memory store and the Redis store give the same
/// answers, bit for bit: counts, dollar sums with awkward fractions, fixed and
/// sliding windows, typed keys, time moving on across window edges.
#[test]
fn redis_store_agrees_with_the_memory_store_to_the_bit() {
    let server = RedisServer::start();
    let mut redis = RedisStore::open(&server.url(), patient()).unwrap();
    let mut memory = MemoryStore::new();
    let specs = [
        spec(LimitKind::Count, WindowMode::Fixed, 5.0, 60.0),
        spec(LimitKind::Count, WindowMode::Sliding, 3.0, 45.5),
        spec(LimitKind::Cost, WindowMode::Fixed, 1.25, 30.0),
        spec(LimitKind::Cost, WindowMode::Sliding, 0.7, 20.0),
    ];
    let nodes = ["a", "b", "c", "d"];
    let keys = [
        KeyRef::Missing,
        KeyRef::Str("u1"),
        KeyRef::Str("1"),
        KeyRef::Num(1.0),
        KeyRef::Bool(true),
        KeyRef::Str("odd:key}{"),
    ];
    let mut rng = SplitMix(7);
    let mut now = 1_000.0;
    for step in 0..4_000 {
        now += (rng.below(400) as f64) / 100.0;
        let i = rng.below(specs.len() as u64) as usize;
        let (s, node) = (&specs[i], nodes[i]);
        let key = keys[rng.below(keys.len() as u64) as usize];
        let limit = LimitRef {
            route: "diff",
            node,
            spec: s,
        };
        match rng.below(3) {
            0 => {
                let m = memory.admit_one(limit, key, now).unwrap();
                let r = redis.admit_one("diff", node, s, key, now).unwrap();
                assert_eq!(m.to_bits(), r.to_bits(), "admit at step {step}: {m} vs {r}");
            }
            1 => {
                let m = memory.used(limit, key, now).unwrap();
                let r = redis.used("diff", node, s, key, now).unwrap();
                assert_eq!(m.to_bits(), r.to_bits(), "used at step {step}: {m} vs {r}");
            }
            _ => {
                let amount = (rng.below(1_000) as f64) / 3_000.0;
                memory.add(limit, key, now, amount).unwrap();
                redis.add("diff", node, s, key, now, amount).unwrap();
            }
        }
    }
    assert_eq!(redis.stats().errors, 0);
    assert_eq!(redis.stats().connects, 1, "one connection, reused");
}

#[test]
fn a_server_that_goes_away_is_an_error_and_its_return_is_noticed() {
    let mut server = RedisServer::start();
    let options = RedisOptions {
        reconnect_every: 10.0,
        ..patient()
    };
    let mut store = RedisStore::open(&server.url(), options).unwrap();
    let s = spec(LimitKind::Count, WindowMode::Fixed, 2.0, 3600.0);
    let key = KeyRef::Str("u");
    assert_eq!(store.admit_one("r", "n", &s, key, 0.0).unwrap(), 0.0);

    server.stop();
    assert!(matches!(
        store.admit_one("r", "n", &s, key, 1.0),
        Err(RedisError::Unavailable(_))
    ));
    // Within the reconnect interval (caller time), no new connection is tried.
    let connects = store.stats().connects;
    assert!(store.admit_one("r", "n", &s, key, 5.0).is_err());
    assert_eq!(store.stats().connects, connects);

    server.restart();
    // Still inside the interval: the store keeps refusing without dialling.
    assert!(store.admit_one("r", "n", &s, key, 10.5).is_err());
    // After it, the store reconnects; the new server starts empty.
    assert_eq!(store.admit_one("r", "n", &s, key, 12.0).unwrap(), 0.0);
    assert_eq!(store.admit_one("r", "n", &s, key, 12.0).unwrap(), 1.0);
    assert_eq!(store.stats().connects, connects + 1);
}

#[test]
fn a_stalled_server_times_out_and_the_late_answer_is_never_misread() {
    let server = RedisServer::start();
    let options = RedisOptions {
        io_timeout: Duration::from_millis(200),
        reconnect_every: 0.0,
        ..patient()
    };
    let mut store = RedisStore::open(&server.url(), options).unwrap();
    let count = spec(LimitKind::Count, WindowMode::Fixed, 100.0, 3600.0);
    let cost = spec(LimitKind::Cost, WindowMode::Fixed, 100.0, 3600.0);
    store
        .add("r", "budget", &cost, KeyRef::Missing, 0.0, 42.0)
        .unwrap();
    // Stall the server (it runs one command at a time) far longer than the
    // time-out, from another connection.
    let port = server.port;
    let sleeper = std::thread::spawn(move || {
        let s = RedisServer::command_on(port, "DEBUG SLEEP 3");
        assert_eq!(s, "+OK");
    });
    // Wait until the stall has begun: a PING from a third connection then blocks,
    // so probe with the store itself until it times out (bounded tries).
    let mut timed_out = false;
    for _ in 0..200 {
        match store.admit_one("r", "rate", &count, KeyRef::Missing, 1.0) {
            Err(RedisError::Timeout) => {
                timed_out = true;
                break;
            }
            Ok(_) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    assert!(timed_out, "a stalled server must time out");
    sleeper.join().unwrap();
    // The next call uses a new connection: the budget reads 42, not the late
    // answer of the timed-out admission.
    let used = store
        .used("r", "budget", &cost, KeyRef::Missing, 2.0)
        .unwrap();
    assert_eq!(used, 42.0);
}

#[test]
fn rediss_urls_speak_tls_and_verify_the_certificate() {
    let server = RedisServer::start_tls();
    let s = spec(LimitKind::Count, WindowMode::Fixed, 1.0, 60.0);
    // A private CA signed the test certificate: against the public roots,
    // verification refuses it...
    let url = format!("rediss://localhost:{}/", server.port);
    let mut public = RedisStore::open(&url, patient()).unwrap();
    assert!(
        public
            .admit_one("r", "n", &s, KeyRef::Missing, 0.0)
            .is_err()
    );
    // ...and trusting that CA, the store works over TLS.
    let options = RedisOptions {
        ca_pem: Some(std::fs::read(server.tls_ca().unwrap()).unwrap()),
        ..patient()
    };
    let mut store = RedisStore::open(&url, options).unwrap();
    assert_eq!(
        store.admit_one("r", "n", &s, KeyRef::Missing, 0.0).unwrap(),
        0.0
    );
    assert_eq!(
        store.admit_one("r", "n", &s, KeyRef::Missing, 0.0).unwrap(),
        1.0
    );
}

#[test]
fn urls_that_are_not_redis_are_refused_without_echoing_secrets() {
    let err = RedisStore::open("http://user:hunter2@example.com/", patient()).unwrap_err();
    assert!(matches!(err, RedisError::Url(_)));
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

/// A budget's check reads the settled cost and the request settles after its
/// model answers, so requests in flight between the two can overshoot. The bound:
/// every request that passed saw less than the limit settled, and at most one
/// request per worker is in flight, so the total stays below
/// `limit + workers × largest cost`. Measured here with 16 workers hammering one
/// budget; the README quotes the bound.
#[test]
fn budget_overshoot_is_bounded_by_the_requests_in_flight() {
    const WORKERS: usize = 16;
    const COST: f64 = 0.25;
    const LIMIT: f64 = 10.0;
    let server = RedisServer::start();
    let url = server.url();
    let s = spec(LimitKind::Cost, WindowMode::Fixed, LIMIT, 3600.0);
    let served: usize = (0..WORKERS)
        .map(|_| {
            let (url, s) = (url.clone(), s.clone());
            std::thread::spawn(move || {
                let mut store = RedisStore::open(&url, patient()).unwrap();
                let mut served = 0;
                // Each worker keeps asking until the budget refuses it.
                while store.used("r", "budget", &s, KeyRef::Missing, 0.0).unwrap() < LIMIT {
                    store
                        .add("r", "budget", &s, KeyRef::Missing, 0.0, COST)
                        .unwrap();
                    served += 1;
                }
                served
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .sum();
    let mut store = RedisStore::open(&url, patient()).unwrap();
    let settled = store.used("r", "budget", &s, KeyRef::Missing, 0.0).unwrap();
    assert_eq!(
        settled,
        served as f64 * COST,
        "every served request settled once"
    );
    assert!(settled >= LIMIT, "the budget was used up");
    assert!(
        settled < LIMIT + WORKERS as f64 * COST,
        "overshoot {} beyond the bound {}",
        settled - LIMIT,
        WORKERS as f64 * COST
    );
    println!(
        "budget overshoot with {WORKERS} workers: ${:.2}",
        settled - LIMIT
    );
}

/// A route whose store is down fails open or closed as its program says, and
/// the decision names the failure and the limit node.
#[test]
fn a_store_failure_takes_the_programs_choice_and_is_reported() {
    use aig_route::compile::StoreFailure;
    use aig_route::eval::{Request, Session, StoreError};
    let yaml = "
start: rate
nodes:
  rate:
    rate_limit: 10
    window: 1m
    key: metadata.user_id
    success: main
    fallback: cheap
  main:
    model: openai/gpt-4.1
    timeout: 30s
    retries: 0
    success: done
    fallback: cheap
  cheap:
    model: openai/gpt-4.1-mini
    timeout: 30s
    retries: 0
    success: done
    fallback: done
  done: end
";
    let open = aig_route::compile("r.yaml", yaml, aig_route::syntax::Format::Yaml)
        .unwrap()
        .program;
    let closed = open.clone().with_store_failure(StoreFailure::Closed);
    // Nothing listens on a port just released.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut store = RedisStore::open(
        &format!("redis://127.0.0.1:{port}/"),
        RedisOptions::default(),
    )
    .unwrap();
    for (program, expect) in [(&open, "main"), (&closed, "cheap")] {
        let req = Request::new(program);
        let mut session = Session::new(0);
        let d = program
            .decide(&mut session, &req, &mut store, 100.0)
            .unwrap();
        assert_eq!(d.model.map(|m| program.node_id(m)), Some(expect));
        let (node, err) = d.store_error.expect("the failure is reported");
        assert_eq!(program.node_id(node), "rate");
        assert!(matches!(err, StoreError::Unavailable(_)), "{err}");
    }
}
