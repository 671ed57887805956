//! `eval --store` and `simulate --store` against a real `redis-server`: reports
//! byte-identical to the memory store's, state shared between invocations, and
//! a store that fails observed as `--on-store-error` says.

#![cfg(all(feature = "redis", feature = "cli"))]

mod support {
    pub mod redis;
    pub mod scratch;
}

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use aig_route::compile::{Program, StoreFailure};
use aig_route::fleet::{RedisOptions, RedisStore};
use aig_route::rng::Rng;
use aig_route::simulate::{Simulator, parse_line};
use support::redis::RedisServer;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_aig-route"))
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("AIG_ROUTE_REDIS_PASSWORD")
        .output()
        .expect("run aig-route")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs a simulation with the memory store and with Redis (under a prefix of
/// its own, so runs never see each other's counters) and asserts both
/// succeeded with byte-identical output.
fn same_from_both(server: &RedisServer, prefix: &str, args: &[&str]) -> String {
    let memory = run(args);
    assert!(memory.status.success(), "{}", text(&memory.stderr));
    let url = server.url();
    let mut with_store = args.to_vec();
    with_store.extend([
        "--store",
        &url,
        "--store-prefix",
        prefix,
        "--store-timeout",
        "20000",
    ]);
    let redis = run(&with_store);
    assert!(redis.status.success(), "{}", text(&redis.stderr));
    assert_eq!(
        text(&memory.stdout),
        text(&redis.stdout),
        "simulate {args:?}: the Redis store's report differs from the memory store's"
    );
    assert!(
        !text(&redis.stderr).contains("limit store"),
        "{}",
        text(&redis.stderr)
    );
    text(&memory.stdout)
}

#[test]
fn simulate_reports_are_byte_identical_on_the_example_traffic() {
    let server = RedisServer::start();
    let out = same_from_both(
        &server,
        "recorded",
        &[
            "simulate",
            "routes/tiers.yaml",
            "--traffic",
            "routes/tiers.traffic.jsonl",
            "--format",
            "json",
            "-q",
        ],
    );
    // The limit did something, so the comparison compared counting.
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(doc["limited"]["free_limit"].as_u64().unwrap() > 0, "{out}");
    same_from_both(
        &server,
        "recorded-human",
        &[
            "simulate",
            "routes/tiers.yaml",
            "--traffic",
            "routes/tiers.traffic.jsonl",
            "-q",
        ],
    );
    // Synthetic traffic through every example route: budgets settle token costs.
    for route in [
        "tiers",
        "canary",
        "regional",
        "fallback-chain",
        "team-budget",
    ] {
        let file = format!("routes/{route}.yaml");
        let out = same_from_both(
            &server,
            &format!("synthetic-{route}"),
            &[
                "simulate",
                &file,
                "--requests",
                "6000",
                "--rate",
                "0.5",
                "--users",
                "40",
                "--meta",
                "plan=free:0.7,paid:0.3",
                "--meta",
                "team=search:0.5,support:0.3,research:0.2",
                "--meta",
                "region=us-east:0.5,eu-west:0.3,ap-south:0.2",
                "--cost-per-request",
                "1.0",
                "--format",
                "json",
                "-q",
            ],
        );
        if route == "team-budget" {
            let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert!(doc["limited"]["team_budget"].as_u64().unwrap() > 0, "{out}");
        }
    }
}

/// A random route: a chain of limit nodes (rate or budget, fixed or sliding,
/// keyed on a field the traffic carries or on one it never sends, limits small
/// enough to bite), each falling back to a model of
/// its own, ending in a model.
fn random_route(rng: &mut Rng, n: usize) -> String {
    let limits = 1 + (rng.next_u64() % 4) as usize;
    let mut y = format!("name: random-{n}\nstart: l0\nnodes:\n");
    for i in 0..limits {
        let next = if i + 1 == limits {
            "main".to_string()
        } else {
            format!("l{}", i + 1)
        };
        let kind = if rng.next_u64() % 2 == 0 {
            format!("rate_limit: {}", 1 + rng.next_u64() % 6)
        } else {
            format!(
                "budget: ${}.{:02}",
                rng.next_u64() % 3,
                1 + rng.next_u64() % 99
            )
        };
        let window = [10, 60, 90, 3600][(rng.next_u64() % 4) as usize];
        let mode = if rng.next_u64() % 2 == 0 {
            "fixed"
        } else {
            "sliding"
        };
        let key = match rng.next_u64() % 3 {
            // Never sent, so every request shares the one "missing" counter.
            0 => "    key: metadata.region\n",
            1 => "    key: metadata.user\n",
            _ => "    key: metadata.team\n",
        };
        y += &format!(
            "  l{i}:\n    {kind}\n    window: {window}s\n    window_mode: {mode}\n{key}    success: {next}\n    fallback: spill{i}\n"
        );
        y += &format!(
            "  spill{i}:\n    model: openai/spill-{i}\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n"
        );
    }
    y += "  main:\n    model: openai/main\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n";
    y
}

/// Random traffic: bursts and gaps over a few windows, a few users and teams,
/// costs with many digits (so sums must be exact to agree).
fn random_traffic(rng: &mut Rng, lines: usize) -> Vec<String> {
    let mut t = 1_767_225_600.0_f64;
    (0..lines)
        .map(|i| {
            t += match rng.next_u64() % 4 {
                0 => 0.0,
                1 => 0.25,
                2 => (rng.next_u64() % 7) as f64,
                _ => (rng.next_u64() % 120) as f64 / 3.0,
            };
            let cost = (rng.next_u64() % 100_000) as f64 / 1_000_003.0;
            format!(
                r#"{{"t": {t}, "id": "r{i}", "metadata": {{"user": "u{}", "team": "t{}"}}, "cost": {cost}}}"#,
                rng.next_u64() % 5,
                rng.next_u64() % 2
            )
        })
        .collect()
}

fn compile(text: &str) -> Program {
    match aig_route::compile("random.yaml", text, aig_route::syntax::Format::Yaml) {
        Ok(c) => c.program,
        Err(d) => panic!("a generated route is invalid: {d}\n{text}"),
    }
}

#[test]
fn simulate_on_random_routes_and_traffic_agrees_with_memory() {
    let server = RedisServer::start();
    let mut rng = Rng::seed_from_u64(0x5eed);
    let mut limited = 0;
    for n in 0..24 {
        let route = random_route(&mut rng, n);
        let program = compile(&route);
        let traffic = random_traffic(&mut rng, 300);
        let options = RedisOptions {
            prefix: format!("random{n}"),
            io_timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(20),
            ..RedisOptions::default()
        };
        let store = RedisStore::open(&server.url(), options).unwrap();
        let mut memory = Simulator::new(&program, 7);
        let mut redis = Simulator::with_store(&program, 7, store);
        for (i, line) in traffic.iter().enumerate() {
            let parsed = parse_line(line, i as u64 + 1).unwrap();
            memory.feed(&parsed, i as u64 + 1).unwrap();
            redis.feed(&parsed, i as u64 + 1).unwrap();
        }
        assert_eq!(redis.store().stats().errors, 0);
        let (m, r) = (memory.finish().to_json(), redis.finish().to_json());
        assert_eq!(m.to_string(), r.to_string(), "route {n}:\n{route}");
        limited += m["limited"]
            .as_object()
            .unwrap()
            .values()
            .filter_map(|v| v.as_u64())
            .sum::<u64>();
    }
    assert!(
        limited > 1000,
        "the random routes' limits must bite to test counting: {limited}"
    );
}

/// A route whose one rate limit (2 per hour, per user) sends the rest to `spill`.
const LIMITED: &str = "name: shared\nstart: limit\nnodes:\n  limit:\n    rate_limit: 2\n    window: 1h\n    key: metadata.user\n    success: main\n    fallback: spill\n  main:\n    model: openai/main\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  spill:\n    model: openai/spill\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n";

/// `text` as `name` in a scratch directory, removed when the guard drops.
fn route_file(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let tmp = support::scratch::scratch("redis-cli");
    let path = tmp.path().join(name);
    std::fs::write(&path, text).unwrap();
    let p = path.to_string_lossy().into_owned();
    (tmp, p)
}

fn served(out: &Output) -> String {
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["model"]["id"].as_str().unwrap_or("none").to_string()
}

#[test]
fn eval_requests_count_against_shared_counters() {
    let server = RedisServer::start();
    let (_dir, route) = route_file("shared.yaml", LIMITED);
    let url = server.url();
    let eval = |user: &str, at: &str| {
        let meta = format!(r#"{{"user": "{user}"}}"#);
        run(&[
            "eval",
            &route,
            "--metadata",
            &meta,
            "--at",
            at,
            "--store",
            &url,
            "--format",
            "json",
        ])
    };
    // Three processes, one after another: the third is over the limit.
    assert_eq!(served(&eval("ann", "1767225600")), "main");
    assert_eq!(served(&eval("ann", "1767225700")), "main");
    assert_eq!(served(&eval("ann", "1767225800")), "spill");
    // Another user, and the next hour, start afresh.
    assert_eq!(served(&eval("bob", "1767225800")), "main");
    assert_eq!(served(&eval("ann", "1767229200")), "main");
    // The memory store (the default) never remembers.
    let fresh = run(&[
        "eval",
        &route,
        "--metadata",
        r#"{"user": "ann"}"#,
        "--at",
        "1767225900",
        "--format",
        "json",
    ]);
    assert_eq!(served(&fresh), "main");
}

#[test]
fn a_store_that_fails_every_write_is_decided_open_or_closed_and_reported() {
    let server = RedisServer::start();
    // Every script writes, and a server over its memory limit refuses writes:
    // a fault that holds for the whole run, however loaded the machine.
    assert_eq!(server.command("CONFIG SET maxmemory 1"), "+OK");
    assert_eq!(
        server.command("CONFIG SET maxmemory-policy noeviction"),
        "+OK"
    );
    let (_dir, route) = route_file("shared.yaml", LIMITED);
    let traffic = (0..10)
        .map(|i| {
            format!(
                r#"{{"t": {}, "metadata": {{"user": "ann"}}}}"#,
                1_767_225_600 + i
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let (_tdir, traffic_path) = route_file("t.jsonl", &traffic);
    let url = server.url();
    let sim = |choice: &str| {
        run(&[
            "simulate",
            &route,
            "--traffic",
            &traffic_path,
            "--store",
            &url,
            "--on-store-error",
            choice,
            "--format",
            "json",
            "-q",
        ])
    };
    let open = sim("open");
    assert!(open.status.success(), "{}", text(&open.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&open.stdout).unwrap();
    assert_eq!(
        doc["by_model"]["main"], 10,
        "fail open: every request passes the limit"
    );
    assert_eq!(doc["store_failures"]["by_node"]["limit"], 10);
    let err = text(&open.stderr);
    assert!(
        err.contains("warning: the limit store at `redis://127.0.0.1:"),
        "{err}"
    );
    assert!(
        err.contains("limit `limit`: 10 checks decided by --on-store-error open (→ success)"),
        "{err}"
    );
    assert!(
        err.contains("OOM"),
        "the server's reason is passed on: {err}"
    );

    let closed = sim("closed");
    assert!(closed.status.success(), "{}", text(&closed.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&closed.stdout).unwrap();
    assert_eq!(
        doc["by_model"]["spill"], 10,
        "fail closed: every request takes fallback"
    );
    assert!(text(&closed.stderr).contains("--on-store-error closed (→ fallback)"));

    // eval says what happened, in its explanation and its JSON.
    let one = run(&[
        "eval",
        &route,
        "--metadata",
        r#"{"user": "ann"}"#,
        "--store",
        &url,
        "--on-store-error",
        "closed",
    ]);
    assert!(one.status.success(), "{}", text(&one.stderr));
    let out = text(&one.stdout);
    assert!(
        out.contains("the limit store did not answer; the route fails closed → fallback → `spill`"),
        "{out}"
    );
    assert!(text(&one.stderr).contains("warning: the limit store at `redis://127.0.0.1:"));
}

#[test]
fn a_store_down_at_start_is_an_error_before_any_request() {
    let mut server = RedisServer::start();
    let url = server.url();
    server.stop();
    let (_dir, route) = route_file("shared.yaml", LIMITED);
    for args in [
        vec!["eval", route.as_str(), "--store", url.as_str()],
        vec![
            "simulate",
            route.as_str(),
            "--requests",
            "10",
            "--store",
            url.as_str(),
            "-q",
        ],
    ] {
        let out = run(&args);
        assert_eq!(
            out.status.code(),
            Some(3),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let err = text(&out.stderr);
        assert!(
            err.contains("cannot use the limit store at `redis://127.0.0.1:"),
            "{err}"
        );
        assert!(
            out.stdout.is_empty(),
            "nothing is reported from a run that did not happen"
        );
    }
}

#[test]
fn passwords_come_from_the_environment_and_are_never_printed() {
    let server = RedisServer::start();
    let (_dir, route) = route_file("shared.yaml", LIMITED);
    let secret = "s3cret-horse-battery";
    // In the URL: refused before anything is sent, the password not repeated.
    let with_pw = format!("redis://:{secret}@127.0.0.1:1/");
    let out = run(&["eval", &route, "--store", &with_pw]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("AIG_ROUTE_REDIS_PASSWORD"), "{err}");
    assert!(!err.contains(secret), "{err}");

    assert_eq!(
        server.command(&format!("CONFIG SET requirepass {secret}")),
        "+OK"
    );
    let url = server.url();
    let with_env = |pw: &str| {
        Command::new(bin())
            .args([
                "eval",
                &route,
                "--metadata",
                r#"{"user": "ann"}"#,
                "--store",
                &url,
                "--format",
                "json",
            ])
            .env("AIG_ROUTE_REDIS_PASSWORD", pw)
            .output()
            .unwrap()
    };
    assert_eq!(served(&with_env(secret)), "main");
    let wrong = with_env("not-the-password");
    assert_eq!(wrong.status.code(), Some(3), "{}", text(&wrong.stderr));
    let err = text(&wrong.stderr);
    assert!(
        !err.contains("not-the-password") && !err.contains(secret),
        "{err}"
    );
}

#[test]
fn compare_with_a_shared_store_is_refused() {
    let out = run(&[
        "simulate",
        "routes/canary.yaml",
        "--compare",
        "routes/tiers.yaml",
        "--requests",
        "10",
        "--store",
        "redis://127.0.0.1:1/",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--compare"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_server_stopped_mid_run_is_decided_by_the_program_then_used_again() {
    let mut server = RedisServer::start();
    let program = compile(LIMITED).with_store_failure(StoreFailure::Closed);
    let options = RedisOptions {
        io_timeout: Duration::from_secs(20),
        connect_timeout: Duration::from_secs(20),
        reconnect_every: 5.0,
        ..RedisOptions::default()
    };
    let store = RedisStore::open(&server.url(), options).unwrap();
    let mut sim = Simulator::with_store(&program, 0, store);
    let mut t = 1_767_225_600.0;
    let mut feed = |sim: &mut Simulator<'_, RedisStore>, after: f64, user: &str| {
        t += after;
        let line = format!(r#"{{"t": {t}, "metadata": {{"user": "{user}"}}}}"#);
        sim.feed(&parse_line(&line, 1).unwrap(), 1).unwrap();
    };
    feed(&mut sim, 1.0, "a");
    feed(&mut sim, 1.0, "a");
    // One round trip per limit node reached, on one reused connection.
    let stats = sim.store().stats();
    assert_eq!((stats.calls, stats.connects, stats.errors), (2, 1, 0));
    server.stop();
    // The first call finds the connection dead; the next ones within
    // `reconnect_every` seconds (of the caller's clock) do not even try.
    for _ in 0..4 {
        feed(&mut sim, 1.0, "b");
    }
    let down = sim.report().store_failures().checks();
    assert_eq!(
        down, 4,
        "each request while the server is down is one failed check"
    );
    server.restart();
    // Reconnects once the caller's clock passes the pace, then counts afresh
    // (the restarted server is empty).
    feed(&mut sim, 10.0, "c");
    for _ in 0..5 {
        feed(&mut sim, 1.0, "c");
    }
    let stats = sim.store().stats();
    assert_eq!((stats.calls, stats.connects), (8, 2), "{stats:?}");
    let report = sim.finish();
    let json = report.to_json();
    assert_eq!(report.store_failures().checks(), 4, "{json}");
    assert_eq!(
        json["by_model"]["spill"],
        4 + 4,
        "closed while down; c over its limit of 2 after: {json}"
    );
    assert_eq!(json["by_model"]["main"], 2 + 2, "{json}");
}
