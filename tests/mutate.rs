//! `aig-route test --mutate`: mutants made, validated and run; generated suites
//! kill at least 95% of the mutants of every example route.

use aig_route::check::check_text;
use aig_route::source::SourceMap;
use aig_route::syntax::Format;
use aig_route::testing::generate::{generate, generate_sharp};
use aig_route::testing::mutate::{MAX_MUTANTS, mutants};
use aig_route::testing::mutation::{Verdict, analyse, analyse_within};
use aig_route::testing::{Coverage, Runner, Target, run_case};

/// Every route in `routes/` (YAML, DSL and JSON), by name.
fn example_routes() -> Vec<(String, Target)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/routes");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.contains(".test.") && !n.starts_with("example.") && !n.ends_with(".jsonl"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(format!("{dir}/{n}")).unwrap();
            let format = Format::from_path(&n).unwrap();
            let mut sources = SourceMap::new();
            let (_, checked) = check_text(&mut sources, &n, &text, format);
            assert!(checked.is_ok(), "{n}");
            let t = Target::new(checked.parsed.unwrap().route, checked.program.unwrap());
            (n, t)
        })
        .collect()
}

#[test]
fn generated_suites_cover_every_example_edge_and_kill_95_percent_of_the_mutants() {
    let (mut killed, mut survived) = (0, 0);
    let mut report = String::new();
    for (name, t) in example_routes() {
        let g = generate_sharp(&t);
        // Every edge of every example route is coverable and covered.
        assert!(g.missed.is_empty(), "{name}: {:?}", g.missed);
        let cases = g.bound(&t);
        let mut cov = Coverage::new(&t);
        let mut runner = Runner::new();
        for c in &cases {
            assert!(
                run_case(&t, c, &mut runner, &mut cov).passed,
                "{name}: {}",
                c.name
            );
        }
        let (edges, covered) = cov.counts(&t);
        assert_eq!(covered, edges, "{name}");
        let a = analyse(&t, &cases);
        let (k, s, e, i) = a.counts();
        report.push_str(&format!(
            "{name}: {k} killed, {s} survived, {e} equivalent, {i} invalid\n"
        ));
        for (m, v) in &a.mutants {
            if *v == Verdict::Survived {
                report.push_str(&format!("  survived: `{}` {}\n", m.node, m.edit));
            }
        }
        assert!(k * 100 >= 95 * (k + s), "{name} below 95%:\n{report}");
        killed += k;
        survived += s;
    }
    assert!(killed * 100 >= 95 * (killed + survived), "{report}");
}

fn target(yaml: &str) -> Target {
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(&mut sources, "t.yaml", yaml, Format::Yaml);
    assert!(checked.is_ok(), "{:?}", checked.errors());
    Target::new(checked.parsed.unwrap().route, checked.program.unwrap())
}

fn survivors(t: &Target, cases: &[aig_route::testing::Bound]) -> Vec<String> {
    analyse(t, cases)
        .survivors()
        .map(|m| format!("`{}` {}", m.node, m.edit))
        .collect()
}

#[test]
fn edge_coverage_alone_misses_boundaries_that_the_generated_suite_catches() {
    let t = example_routes()
        .into_iter()
        .find(|(n, _)| n == "regional.yaml")
        .unwrap()
        .1;
    let edges_only = survivors(&t, &generate(&t).bound(&t));
    for s in [
        "`eu` `metadata.region in [\"eu-west\", \"eu-central\", \"eu-north\"]` changed to `metadata.region in [\"eu-west\", \"eu-central\", \"eu-northx\"]`",
        "`eu_limit` limit lowered from 5000 to 4999",
        "`eu_limit` window doubled from 60s to 120s",
        "`eu_limit` window halved from 60s to 30s",
    ] {
        assert!(edges_only.iter().any(|x| x == s), "{s} in {edges_only:?}");
    }
    assert_eq!(
        survivors(&t, &generate_sharp(&t).bound(&t)),
        Vec::<String>::new()
    );
}

const EVERY_KIND: &str = r#"name: kinds
metadata:
  plan: string
  tier: number
  user_id: string
start: plan
nodes:
  plan:
    if: metadata.plan == "paid" && metadata.tier >= 2
    then: split
    else: limit
  split:
    split:
      60%: a
      40%: b
    sticky: metadata.user_id
  limit:
    rate_limit: 10
    window: 1m
    key: metadata.user_id
    success: a
    fallback: b
  a:
    model: openai/gpt-4.1
    timeout: 10s
    retries: 0
    success: done
    fallback: b
  b:
    model: openai/gpt-4.1-mini
    timeout: 10s
    retries: 0
    success: done
    fallback: done
  done: end
"#;

#[test]
fn every_kind_of_edit_is_made_in_a_fixed_order_within_a_bound() {
    let t = target(EVERY_KIND);
    let (all, more) = mutants(t.route(), MAX_MUTANTS);
    assert!(!more);
    let edits: Vec<String> = all
        .iter()
        .map(|m| format!("`{}` {}", m.node, m.edit))
        .collect();
    for want in [
        "`plan` output `true` re-pointed from `split` to `limit`",
        "`plan` `metadata.plan == \"paid\"` flipped to `metadata.plan != \"paid\"`",
        "`plan` `metadata.tier >= 2` flipped to `metadata.tier < 2`",
        "`plan` `metadata.tier >= 2` flipped to `metadata.tier > 2`",
        "`plan` `metadata.tier >= 2` changed to `metadata.tier >= 3`",
        "`plan` `metadata.plan == \"paid\"` changed to `metadata.plan == \"paidx\"`",
        "`split` arms 60% (`a`) and 40% (`b`) swapped",
        "`limit` limit raised from 10 to 11",
        "`limit` limit lowered from 10 to 9",
        "`limit` window doubled from 60s to 120s",
        "`limit` window halved from 60s to 30s",
        "`a` node bypassed: edges into `a` lead to `done` (its `success`)",
    ] {
        assert!(edits.iter().any(|e| e == want), "{want} not in {edits:#?}");
    }
    // Same route, same mutants in the same order; the bound cuts the list.
    let again: Vec<String> = mutants(t.route(), MAX_MUTANTS)
        .0
        .iter()
        .map(|m| format!("`{}` {}", m.node, m.edit))
        .collect();
    assert_eq!(edits, again);
    let (five, more) = mutants(t.route(), 5);
    assert!(more);
    assert_eq!(five.len(), 5);
    assert!(five.iter().zip(&all).all(|(a, b)| a.edit == b.edit));
}

#[test]
fn invalid_and_equivalent_mutants_are_counted_apart_from_survivors() {
    // `tier > 5 && tier > 7`: moving the 5 to 6 or 4 changes nothing.
    let t = target(
        "name: eq\nstart: c\nnodes:\n  c:\n    if: metadata.tier > 5 && metadata.tier > 7\n    then: a\n    else: b\n  a:\n    model: openai/gpt-4.1\n    timeout: 10s\n    retries: 0\n    success: done\n    fallback: done\n  b:\n    model: openai/gpt-4.1-mini\n    timeout: 10s\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n",
    );
    let a = analyse(&t, &generate_sharp(&t).bound(&t));
    let verdict = |edit: &str| {
        a.mutants
            .iter()
            .find(|(m, _)| m.edit == edit)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no mutant {edit}"))
    };
    assert_eq!(
        verdict("`metadata.tier > 5` changed to `metadata.tier > 6`"),
        Verdict::Equivalent
    );
    assert_eq!(
        verdict("`metadata.tier > 5` changed to `metadata.tier > 4`"),
        Verdict::Equivalent
    );
    // `a` re-pointed back to start's first node makes a cycle.
    assert!(matches!(
        verdict("output `success` re-pointed from `done` to `c`"),
        Verdict::Invalid(_)
    ));
    let (killed, survived, equivalent, invalid) = a.counts();
    assert_eq!(
        survived,
        0,
        "{:?}",
        survivors(&t, &generate_sharp(&t).bound(&t))
    );
    assert!(killed > 0 && equivalent >= 2 && invalid > 0);
    assert_eq!(killed + survived + equivalent + invalid, a.mutants.len());
}

#[test]
fn no_cases_kill_nothing() {
    let t = target(EVERY_KIND);
    let a = analyse(&t, &[]);
    let (killed, survived, _, _) = a.counts();
    assert_eq!(killed, 0);
    assert!(survived > 0);
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("aig-route")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_command_lists_survivors_with_their_edit_and_line() {
    // One case on the regional route: most mutants survive it.
    let args = ["test", "--mutate", "tests/route_tests/partial.test.yaml"];
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(
            "  routes/regional.yaml       58      14        30           0       14   31.8%"
        ),
        "{out}"
    );
    assert!(
        out.contains("  routes/regional.yaml:14  `eu_limit`: window doubled from 60s to 120s\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "  routes/regional.yaml:6  `start`: output `next` re-pointed from `eu` to `default`\n"
        ),
        "{out}"
    );
    assert!(
        out.ends_with("mutation score: 31.8%. 14 killed; 30 survived; 0 equivalent; 14 invalid\n"),
        "{out}"
    );
    // Same input, same bytes.
    assert_eq!(run(&args).1, out);

    let (code, json, _) = run(&[
        "test",
        "--mutate",
        "tests/route_tests/partial.test.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["killed"], 14);
    assert_eq!(v["survived"], 30);
    assert_eq!(v["invalid"], 14);
    assert_eq!(v["score"], 31.8);
    let r = &v["routes"][0];
    assert_eq!(r["route"], "routes/regional.yaml");
    assert_eq!(r["mutants"], 58);
    assert_eq!(r["truncated"], false);
    assert_eq!(r["survivors"].as_array().unwrap().len(), 30);
    assert_eq!(
        r["survivors"][0],
        serde_json::json!({"node": "start", "edit": "output `next` re-pointed from `eu` to `default`", "line": 6, "column": 8})
    );

    let (code, gh, _) = run(&[
        "test",
        "--mutate",
        "tests/route_tests/partial.test.yaml",
        "--format",
        "github",
    ]);
    assert_eq!(code, 0);
    assert!(
        gh.contains("::warning file=routes/regional.yaml,line=14,col=13,title=surviving mutant::no test fails when `eu_limit` is edited: window doubled from 60s to 120s\n"),
        "{gh}"
    );
}

#[test]
fn the_command_needs_passing_suites_and_a_format_it_prints() {
    let (code, out, err) = run(&["test", "--mutate", "tests/route_tests/failing.test.yaml"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("::a wrong expectation ... FAILED"), "{out}");
    assert!(
        err.contains("mutation analysis needs every case to pass against its route first"),
        "{err}"
    );
    assert!(!out.contains("mutation score"), "{out}");
    let (code, _, err) = run(&["test", "--mutate", "routes/", "--format", "junit"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = run(&["test", "--mutate", "tests/route_tests/no-such.test.yaml"]);
    assert_eq!(code, 2);
}

#[test]
fn the_example_suites_kill_every_mutant_of_the_example_routes() {
    let (code, out, err) = run(&["test", "--mutate", "routes/"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("mutation score: 100%."), "{out}");
}

#[test]
fn mutants_past_the_replay_bound_are_not_tried() {
    let t = target(EVERY_KIND);
    let cases = generate_sharp(&t).bound(&t);
    let per_mutant: u64 = cases
        .iter()
        .map(|c| 1 + c.before.iter().map(|(_, k)| k).sum::<u64>())
        .sum();
    let all = analyse(&t, &cases);
    assert!(!all.truncated);
    // Room for three mutants' worth of replays: three are tried, in order.
    let cut = analyse_within(&t, &cases, per_mutant * 3 + per_mutant / 2);
    assert!(cut.truncated);
    assert_eq!(cut.mutants.len(), 3);
    for ((a, va), (b, vb)) in cut.mutants.iter().zip(&all.mutants) {
        assert_eq!((&a.edit, va), (&b.edit, vb));
    }
}

#[test]
fn a_large_route_gets_fewer_mutants_and_no_copies() {
    use aig_route::testing::mutate::{MAX_NODES_CHECKED, budget};
    // 4,000 models in a chain: 2,000 mutants would validate 8,000,000 nodes.
    let n = 4_000;
    let mut yaml = String::from("name: big\nstart: m0\nnodes:\n");
    for i in 0..n {
        let next = if i + 1 < n {
            format!("m{}", i + 1)
        } else {
            "done".into()
        };
        yaml += &format!(
            "  m{i}:\n    model: openai/gpt-4.1\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: {next}\n"
        );
    }
    yaml += "  done: end\n";
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(&mut sources, "big.yaml", &yaml, Format::Yaml);
    let route = checked.parsed.unwrap().route;
    let max = budget(&route);
    assert_eq!(max, MAX_NODES_CHECKED / route.nodes.len());
    assert!(max < MAX_MUTANTS);
    let (list, more) = mutants(&route, max);
    assert_eq!(list.len(), max);
    assert!(more);
    // Each mutant is its edit; the route is built only when asked for.
    let edited = list[0].route(&route);
    assert_ne!(edited, route);
    assert_eq!(edited.nodes.len(), route.nodes.len());
}

/// Generates for `yaml`: the suite must pass and cover every edge it does not
/// prove dead; returns it.
fn generated_strict(yaml: &str) -> (Target, aig_route::testing::generate::Generated) {
    let t = target(yaml);
    let g = generate(&t);
    let mut cov = Coverage::new(&t);
    let mut runner = Runner::new();
    for case in g.bound(&t) {
        let r = run_case(&t, &case, &mut runner, &mut cov);
        assert!(r.passed, "{}: {}", case.name, r.message);
    }
    let open: Vec<_> = g.missed.iter().filter(|m| !m.dead).collect();
    assert!(open.is_empty(), "{open:?}");
    let (edges, covered) = cov.counts(&t);
    assert_eq!(covered + g.missed.len(), edges, "{:?}", g.missed);
    (t, g)
}

#[test]
fn a_budget_is_filled_by_a_request_served_past_a_condition_the_case_fails() {
    // The case taking `spend`'s fallback has no `tier`; a copy of it passing
    // `spend` would end at `done` unserved and settle nothing. The filler is a
    // request of its own: same user, `tier: gold`, served by `big`.
    let yaml = "start: spend\nnodes:\n  spend:\n    budget: $3\n    window: 60s\n    key: metadata.user_id\n    success: gold\n    fallback: small\n  gold:\n    if: metadata.tier == \"gold\"\n    then: big\n    else: done\n  big:\n    model: openai/big\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  small:\n    model: openai/small\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n";
    let (t, g) = generated_strict(yaml);
    assert!(g.missed.is_empty(), "{:?}", g.missed);
    let spend = t.find("spend").unwrap();
    let case = g.cases.iter().find(|c| c.edge == (spend, 1)).unwrap();
    let gold = aig_route::syntax::ast::Literal::Str("gold".into());
    assert!(
        case.before
            .iter()
            .any(|(b, _)| b.metadata.contains(&("tier".into(), gold.clone())))
    );
    assert!(
        !case.req.metadata.iter().any(|(_, v)| *v == gold),
        "{:?}",
        case.req
    );
}

#[test]
fn a_limit_an_earlier_one_starves_is_dead_and_one_it_leaves_room_for_is_filled() {
    // `hourly` admits one request per 52 s; `burst` needs 4 admitted within 20 s
    // and a fifth to refuse: never, with requests in time order.
    let starved = "start: hourly\nnodes:\n  hourly:\n    rate_limit: 1\n    window: 52s\n    key: metadata.user_id\n    success: burst\n    fallback: done\n  burst:\n    rate_limit: 4\n    window: 20s\n    key: metadata.user_id\n    success: a\n    fallback: b\n  a:\n    model: openai/a\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  b:\n    model: openai/b\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n";
    let (t, g) = generated_strict(starved);
    let burst = t.find("burst").unwrap();
    let m = g
        .missed
        .iter()
        .find(|m| (m.node, m.output) == (burst, 1))
        .unwrap();
    assert!(m.dead && m.reason.contains("`hourly` (1 per 52s)"), "{m:?}");
    // Two per 23 s (fixed) then 4 per 29 s (fixed): five requests fit only in a
    // 29 s window holding two of the 23 s boundaries (87 to 116 s), which a
    // plan starting at 0 walks past having spent the windows before.
    let fits = starved
        .replace(
            "rate_limit: 1\n    window: 52s",
            "rate_limit: 2\n    window: 23s",
        )
        .replace("window: 20s", "window: 29s");
    let (t, g) = generated_strict(&fits);
    assert!(g.missed.is_empty(), "{:?}", g.missed);
    let burst = t.find("burst").unwrap();
    assert!(
        g.cases
            .iter()
            .any(|c| c.outcome.edges.contains(&(burst, 1)))
    );
}
