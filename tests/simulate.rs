//! Every figure of the simulation report against hand-computed expectations.

use aig_route::check::check_text;
use aig_route::compile::Program;
use aig_route::eval::sticky_bucket;
use aig_route::simulate::{
    CostSpec, Pricing, Simulator, Synthetic, SyntheticSpec, parse_line, typed_value,
};
use aig_route::source::SourceMap;
use aig_route::syntax::Format;
use serde_json::{Value, json};

fn program(yaml: &str) -> Program {
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(&mut sources, "r.yaml", yaml, Format::Yaml);
    assert!(checked.is_ok(), "{:?}", checked.diagnostics);
    checked.program.unwrap()
}

fn replay(p: &Program, lines: &[&str]) -> Value {
    let mut sim = Simulator::new(p, 0);
    for (i, l) in lines.iter().enumerate() {
        sim.feed(&parse_line(l, i as u64 + 1).unwrap(), i as u64 + 1)
            .unwrap();
    }
    sim.finish().to_json()
}

const LIMITED: &str = "start: limit
nodes:
  limit:
    rate_limit: 2
    window: 1m
    key: metadata.user_id
    success: main
    fallback: spill
  main:
    model: openai/main
    timeout: 1s
    retries: 0
    success: done
    fallback: spill
  spill:
    model: openai/spill
    timeout: 1s
    retries: 0
    success: done
    fallback: done
  done: end
";

#[test]
fn rate_windows_failures_and_fallbacks_are_counted_exactly() {
    let p = program(LIMITED);
    let r = replay(
        &p,
        &[
            // user a: 3 in the first window (third limited), 1 in the next
            r#"{"t": 0, "metadata": {"user_id": "a"}}"#,
            r#"{"t": 30, "metadata": {"user_id": "a"}, "cost": 0.5}"#,
            r#"{"t": 59, "metadata": {"user_id": "a"}, "cost": 0.25}"#,
            r#"{"t": 60, "metadata": {"user_id": "a"}, "fail": ["main"]}"#,
            // user b: main fails, spill fails too: an error
            r#"{"t": 61, "metadata": {"user_id": "b"}, "fail": ["main", "spill"], "cost": 9}"#,
        ],
    );
    assert_eq!(r["requests"], 5);
    assert_eq!(r["by_model"], json!({"main": 2, "spill": 2}));
    assert_eq!(r["errors"], 1);
    assert_eq!(r["limited"], json!({"limit": 1}));
    assert_eq!(r["fallbacks"], json!({"main": 2, "spill": 1}));
    assert_eq!(
        r["by_node"],
        json!({"start": 5, "limit": 5, "main": 4, "spill": 3, "done": 5})
    );
    // Cost is spent by the model that served; an error costs nothing.
    assert_eq!(r["spend_by_model"], json!({"main": 0.5, "spill": 0.25}));
    assert_eq!(r["spend"], json!(0.75));
}

#[test]
fn a_budget_crossing_sends_later_requests_to_the_fallback() {
    let p = program(
        &LIMITED
            .replace("rate_limit: 2", "budget: $1")
            .replace("window: 1m", "window: 1h"),
    );
    let r = replay(
        &p,
        &[
            r#"{"t": 0, "metadata": {"user_id": "a"}, "cost": 0.7}"#,
            r#"{"t": 1, "metadata": {"user_id": "a"}, "cost": 0.7}"#,
            r#"{"t": 2, "metadata": {"user_id": "a"}, "cost": 0.7}"#,
            r#"{"t": 3600, "metadata": {"user_id": "a"}, "cost": 0.7}"#,
        ],
    );
    // $0.70 settled: still under $1, so the second passes; $1.40 then: the third is limited.
    assert_eq!(r["by_model"], json!({"main": 3, "spill": 1}));
    assert_eq!(r["limited"], json!({"limit": 1}));
}

const SPLIT: &str = "name: ab
start: s
nodes:
  s:
    split:
      50%: a
      50.0%: b
  a:
    model: openai/a
    timeout: 1s
    retries: 0
    success: done
    fallback: done
  b:
    model: openai/b
    timeout: 1s
    retries: 0
    success: done
    fallback: done
  done: end
";

#[test]
fn split_shares_are_flagged_when_traffic_disagrees() {
    let p = program(SPLIT);
    // 400 request ids chosen to land on side `a` only: observed 100% vs 50%.
    let ids: Vec<String> = (0..5000)
        .map(|i| format!("r{i}"))
        .filter(|id| sticky_bucket("ab", "s", id) < 5000)
        .take(400)
        .collect();
    let lines: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(t, id)| format!(r#"{{"t": {t}, "id": "{id}"}}"#))
        .collect();
    let r = replay(&p, &lines.iter().map(String::as_str).collect::<Vec<_>>());
    let s = &r["splits"]["s"];
    assert_eq!(s[0]["requests"], 400);
    assert_eq!(s[0]["agrees"], false);
    // Fair ids agree.
    let lines: Vec<String> = (0..4000)
        .map(|t| format!(r#"{{"t": {t}, "id": "q{t}"}}"#))
        .collect();
    let r = replay(&p, &lines.iter().map(String::as_str).collect::<Vec<_>>());
    let s = &r["splits"]["s"];
    assert_eq!(s[0]["agrees"], true, "{s}");
    assert_eq!(s[0]["ci_basis"], "requests");
    let (lo, hi) = (
        s[0]["ci95"][0].as_f64().unwrap(),
        s[0]["ci95"][1].as_f64().unwrap(),
    );
    assert!(lo < 0.5 && 0.5 < hi && hi - lo < 0.04, "{lo} {hi}");
}

fn spec(requests: u64) -> SyntheticSpec {
    SyntheticSpec {
        requests,
        rate: 5.0,
        users: 300,
        metadata: vec![(
            "plan".into(),
            vec![(typed_value("free"), 0.5), (typed_value("paid"), 0.25)],
        )],
        cost: CostSpec::Tokens {
            input: 1000.0,
            output: 500.0,
        },
        ..SyntheticSpec::default()
    }
}

#[test]
fn synthetic_traffic_is_reproducible_priced_and_fails_at_its_rate() {
    let p = program(&LIMITED.replace("rate_limit: 2", "rate_limit: 1000000"));
    let pricing = Pricing::parse("date: 2026-01-01\nmodels:\n  openai/main: {input: 2, output: 8}\n  openai/spill: {input: 1, output: 1}\n").unwrap();
    let run = |seed: u64| {
        let main = p.find_node("main").unwrap();
        let mut sim = Simulator::new(&p, seed)
            .with_pricing(&pricing)
            .with_fail_rate(main, 0.1);
        let mut generator = Synthetic::new(spec(20_000), seed);
        while sim.feed_synthetic(&mut generator) {}
        sim.finish().to_json()
    };
    let a = run(7);
    assert_eq!(a, run(7), "same seed, same report");
    assert_ne!(a, run(8), "another seed, other draws");
    let main = a["by_model"]["main"].as_u64().unwrap();
    let spill = a["by_model"]["spill"].as_u64().unwrap();
    assert_eq!(main + spill, 20_000);
    // 10% failures: 2,000 expected, sd ~42.
    assert!((1800..=2200).contains(&spill), "{spill} fell back");
    assert_eq!(a["fallbacks"]["main"].as_u64().unwrap(), spill);
    // Tokens priced per serving model: 1000 in + 500 out.
    let main_cost = main as f64 * (1000.0 * 2.0 + 500.0 * 8.0) / 1e6;
    let spill_cost = spill as f64 * (1000.0 * 1.0 + 500.0 * 1.0) / 1e6;
    assert!((a["spend_by_model"]["main"].as_f64().unwrap() - main_cost).abs() < 1e-3);
    assert!((a["spend_by_model"]["spill"].as_f64().unwrap() - spill_cost).abs() < 1e-3);
    assert!((a["spend"].as_f64().unwrap() - main_cost - spill_cost).abs() < 2e-3);
}

#[test]
fn synthetic_metadata_follows_its_weights_and_leaves_the_rest_missing() {
    let yaml = "start: c\nnodes:\n  c:\n    if: metadata.plan == \"free\"\n    then: a\n    else: m\n  m:\n    if: exists metadata.plan\n    then: b\n    else: z\n  a:\n    model: openai/a\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  b:\n    model: openai/b\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  z:\n    model: openai/z\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n";
    let p = program(yaml);
    let mut sim = Simulator::new(&p, 1);
    let mut generator = Synthetic::new(spec(40_000), 1);
    while sim.feed_synthetic(&mut generator) {}
    let r = sim.finish().to_json();
    let share = |m: &str| r["by_model"][m].as_f64().unwrap() / 40_000.0;
    assert!((share("a") - 0.5).abs() < 0.015, "{r}");
    assert!((share("b") - 0.25).abs() < 0.015, "{r}");
    assert!((share("z") - 0.25).abs() < 0.015, "{r}");
}

#[test]
fn comparing_two_routes_reports_the_shift() {
    let old = program(SPLIT);
    let new = program(&SPLIT.replace("50%: a\n      50.0%: b", "10%: a\n      90%: b"));
    let lines: Vec<String> = (0..2000)
        .map(|t| format!(r#"{{"t": {t}, "id": "q{t}"}}"#))
        .collect();
    let run = |p: &Program| {
        let mut sim = Simulator::new(p, 0);
        for (i, l) in lines.iter().enumerate() {
            sim.feed(&parse_line(l, i as u64 + 1).unwrap(), i as u64 + 1)
                .unwrap();
        }
        sim.finish()
    };
    let (o, n) = (run(&old), run(&new));
    let shift = n.shift(&o);
    let (oa, na) = (
        o.to_json()["by_model"]["a"].as_i64().unwrap(),
        n.to_json()["by_model"]["a"].as_i64().unwrap(),
    );
    assert_eq!(
        shift["by_model"]["a"],
        json!({"old": oa, "new": na, "delta": na - oa})
    );
    assert!(shift["by_model"]["a"]["delta"].as_i64().unwrap() < -600);
    assert_eq!(
        shift["by_provider_model"]["openai/a"]["delta"],
        shift["by_model"]["a"]["delta"]
    );
}

#[test]
fn the_timeline_adds_up_and_draws_a_line_per_model() {
    let p = program(LIMITED);
    let mut sim = Simulator::new(&p, 0).with_timeline(60);
    for t in 0..600u64 {
        let l = format!(r#"{{"t": {t}, "metadata": {{"user_id": "u{}"}}}}"#, t % 3);
        sim.feed(&parse_line(&l, t + 1).unwrap(), t + 1).unwrap();
    }
    let r = sim.finish();
    let csv = r.timeline_csv();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("t,main,spill,errors"));
    let rows: Vec<Vec<u64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 10);
    // Each minute: 3 users × 2 admitted = 6 on main, the other 54 spill.
    for row in &rows {
        assert_eq!(&row[1..], &[6, 54, 0]);
    }
    let svg = r.timeline_svg("t");
    assert_eq!(svg.matches("<polyline").count(), 3);
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
}

/// Feeds `lines` as text (the in-place reader, falling back to `parse_line`):
/// the report, or the first error in words.
fn replay_text(p: &Program, lines: &[&str]) -> Result<Value, String> {
    let mut sim = Simulator::new(p, 0);
    for (i, l) in lines.iter().enumerate() {
        sim.feed_text(l, i as u64 + 1).map_err(|e| e.to_string())?;
    }
    Ok(sim.finish().to_json())
}

/// The same, every line through `parse_line` and `feed`.
fn replay_parsed(p: &Program, lines: &[&str]) -> Result<Value, String> {
    let mut sim = Simulator::new(p, 0);
    for (i, l) in lines.iter().enumerate() {
        let n = i as u64 + 1;
        let line = parse_line(l, n).map_err(|e| e.to_string())?;
        sim.feed(&line, n).map_err(|e| e.to_string())?;
    }
    Ok(sim.finish().to_json())
}

#[test]
fn traffic_read_in_place_reports_exactly_what_parsed_lines_do() {
    let tiers =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/tiers.yaml")).unwrap();
    let traffic = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/routes/tiers.traffic.jsonl"
    ))
    .unwrap();
    let p = program(&tiers);
    let lines: Vec<&str> = traffic.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() > 100);
    assert_eq!(replay_text(&p, &lines), replay_parsed(&p, &lines));
    // Shapes the in-place reader takes, leaves to the parser, or refuses: the
    // outcome (report or error) is the same either way.
    let l = program(LIMITED);
    let cases: &[&[&str]] = &[
        &[r#" {"t":1,"id":null,"metadata":{"user_id":"a\u0062"},"cost":null,"fail":["main"]} "#],
        &[r#"{"fail":[],"metadata":{},"t":2.5e0,"id":"r\n1"}"#],
        &[r#"{"t":1,"metadata":{"user_id":"a","x":1,"y":2,"z":3,"w":4,"v":5,"user_id":"b"}}"#],
        &[r#"{"t":1,"t":2}"#],
        &[r#"{"t":1,"metadata":{"x":1,"\u0078":2}}"#],
        &[r#"{"t":1e300}"#],
        &[r#"{"t":1,"colour":2}"#],
        &[r#"{"t":-1}"#],
        &[r#"{"t":01}"#],
        &[r#"{"t":1.}"#],
        &[r#"{"t":1,"cost":-0.5}"#],
        &[r#"{"t":1,"fail":["nowhere"]}"#],
        &[r#"{"t":1,"metadata":{"user_id":null}}"#],
        &[r#"{"t":1,"metadata":{"user_id":"\ud800"}}"#],
        &[r#"{"t":1} x"#],
        &[r#"{"t":2}"#, r#"{"t":1}"#],
    ];
    for lines in cases {
        assert_eq!(
            replay_text(&l, lines),
            replay_parsed(&l, lines),
            "{lines:?}"
        );
    }
}
