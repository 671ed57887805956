//! Linear time, shown by instruction counts: each reader and check runs on an
//! input of size n and of size 2n, and the instructions it takes (counted by
//! valgrind, so the figure does not depend on the machine's load) may grow at
//! most 2.2 times. The inputs are the shapes that were superlinear before:
//! many YAML aliases, many unnamed DSL nodes on one base name, long fallback
//! chains, many models falling back into one long run of conditionals.
//!
//! `cargo bench --bench linear` prints the table and fails past 2.2x. Needs
//! `valgrind`. With `CASE N` it runs one case once (what valgrind measures);
//! with `CASE N gen` it only builds the input, to subtract that cost; with one
//! word, only the cases whose names hold it.

use std::process::Command;

use aig_route::check::check_text;
use aig_route::diagnostic::Code;
use aig_route::simulate::parse_line;
use aig_route::source::SourceMap;
use aig_route::syntax::Format;

/// The cases: name, input size n, builder.
const CASES: &[(&str, usize, fn(usize) -> (String, Format))] = &[
    ("yaml: fallback chain (models)", 2_000, fallback_chain_yaml),
    ("yaml: aliases (one anchor)", 4_000, aliases_yaml),
    ("yaml: many anchors", 4_000, anchors_yaml),
    ("dsl: fallback chain (models)", 2_000, fallback_chain_dsl),
    ("dsl: unnamed split arms", 1_250, unnamed_arms_dsl),
    ("json: elements", 2_000, elements_json),
    (
        "check: fallbacks into conditionals",
        1_000,
        fallbacks_into_conditions,
    ),
    ("condition: terms", 2_000, condition_terms),
    ("traffic: lines", 20_000, traffic_lines),
];

/// The id after `{prefix}{i}` in a chain of `n`, or `last` after the final one.
fn after(prefix: &str, i: usize, n: usize, last: &str) -> String {
    if i + 1 == n {
        last.to_string()
    } else {
        format!("{prefix}{}", i + 1)
    }
}

fn model(i: usize, next: &str) -> String {
    format!(
        "  m{i}: {{model: openai/gpt-{i}, timeout: 1s, retries: 0, success: done, fallback: {next}}}\n"
    )
}

fn fallback_chain_yaml(n: usize) -> (String, Format) {
    let mut s = String::from("start: m0\nnodes:\n");
    for i in 0..n {
        let next = after("m", i, n, "done");
        s.push_str(&model(i, &next));
    }
    s.push_str("  done: end\n");
    (s, Format::Yaml)
}

fn aliases_yaml(n: usize) -> (String, Format) {
    let mut s = String::from("start: m0\nnodes:\n");
    for i in 0..n {
        let next = after("m", i, n, "done");
        let timeout = if i == 0 { "&t 1s" } else { "*t" };
        s.push_str(&format!(
            "  m{i}: {{model: openai/gpt-4.1, timeout: {timeout}, retries: 0, success: done, fallback: {next}}}\n"
        ));
    }
    s.push_str("  done: end\n");
    (s, Format::Yaml)
}

/// Every other node defines an anchor of its own and the next one aliases it:
/// `n / 2` anchors and as many aliases (each alias once searched every anchor).
fn anchors_yaml(n: usize) -> (String, Format) {
    let mut s = String::from("start: m0\nnodes:\n");
    for i in 0..n {
        let next = after("m", i, n, "done");
        let timeout = if i % 2 == 0 {
            format!("&t{i} 1s")
        } else {
            format!("*t{}", i - 1)
        };
        s.push_str(&format!(
            "  m{i}: {{model: openai/gpt-4.1, timeout: {timeout}, retries: 0, success: done, fallback: {next}}}\n"
        ));
    }
    s.push_str("  done: end\n");
    (s, Format::Yaml)
}

fn fallback_chain_dsl(n: usize) -> (String, Format) {
    let mut s = String::from("route chain {\n  start -> m0\n");
    for i in 0..n {
        let next = after("m", i, n, "done");
        s.push_str(&format!(
            "  m{i}: model openai/gpt-{i} timeout 1s retries 0 {{ success -> done fallback -> {next} }}\n"
        ));
    }
    s.push_str("  done: end\n}\n");
    (s, Format::Dsl)
}

/// One split whose `n` arms are all unnamed inline models with the same share,
/// so every one of them is named from the same base. (The gateway's JSON cannot
/// tell such arms apart, E0307, but the nodes are named before that is found.)
fn unnamed_arms_dsl(n: usize) -> (String, Format) {
    let basis = 10_000 / n;
    assert_eq!(basis * n, 10_000, "n must divide 10,000");
    let share = format!("{}.{:02}%", basis / 100, basis % 100);
    let mut s = String::from("route arms {\n  start -> s\n  s: split {\n");
    for _ in 0..n {
        s.push_str(&format!(
            "    {share} -> model openai/gpt-4.1 timeout 1s retries 0 {{ success -> done fallback -> done }}\n"
        ));
    }
    s.push_str("  }\n  done: end\n}\n");
    (s, Format::Dsl)
}

fn elements_json(n: usize) -> (String, Format) {
    let mut s = String::from(
        r#"{"name":"chain","elements":[{"id":"start","type":"start","outputs":{"next":{"elementId":"m0"}}}"#,
    );
    for i in 0..n {
        let next = after("m", i, n, "e");
        s.push_str(&format!(
            r#",{{"id":"m{i}","type":"model","properties":{{"provider":"openai","model":"gpt-{i}","timeout":1000,"retries":0}},"outputs":{{"success":{{"elementId":"e"}},"fallback":{{"elementId":"{next}"}}}}}}"#
        ));
    }
    s.push_str(r#",{"id":"e","type":"end","outputs":{}}]}"#);
    (s, Format::Json)
}

/// `n` models, each falling back into one run of `n` conditionals that ends in
/// a model of its own (W0606 looked at the whole run once per model).
fn fallbacks_into_conditions(n: usize) -> (String, Format) {
    let mut s = String::from("start: m0\nnodes:\n");
    for i in 0..n {
        let next = after("m", i, n, "c0");
        s.push_str(&format!(
            "  m{i}: {{model: openai/gpt-{i}, timeout: 1s, retries: 0, success: {next}, fallback: c0}}\n"
        ));
    }
    for i in 0..n {
        let next = after("c", i, n, "last");
        s.push_str(&format!(
            "  c{i}: {{if: 'metadata.k == \"v{i}\"', then: {next}, else: {next}}}\n"
        ));
    }
    s.push_str("  last: {model: openai/gpt-0, timeout: 1s, retries: 0, success: done, fallback: done}\n  done: end\n");
    (s, Format::Yaml)
}

fn condition_terms(n: usize) -> (String, Format) {
    let terms: Vec<String> = (0..n).map(|i| format!("metadata.k == \"v{i}\"")).collect();
    let s = format!(
        "start: c\nnodes:\n  c:\n    if: '{}'\n    then: done\n    else: done\n  done: end\n",
        terms.join(" || ")
    );
    (s, Format::Yaml)
}

/// Not a route: traffic lines, each parsed on its own.
fn traffic_lines(n: usize) -> (String, Format) {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "{{\"t\": {i}, \"id\": \"r{i}\", \"metadata\": {{\"plan\": \"p{}\", \"user_id\": \"u{i}\"}}}}\n",
            i % 3
        ));
    }
    (s, Format::Json)
}

/// Runs case `name` once on size `n` (only building the input with `gen`).
fn run_once(name: &str, n: usize, gen_only: bool) {
    let (_, _, build) = CASES.iter().find(|c| c.0 == name).expect("a known case");
    let (text, format) = build(n);
    if gen_only {
        std::hint::black_box(&text);
        return;
    }
    if name.starts_with("traffic") {
        for (i, line) in text.lines().enumerate() {
            std::hint::black_box(parse_line(line, i as u64 + 1).expect("a valid line"));
        }
        return;
    }
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(&mut sources, name, &text, format);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && d.code != Code::UnwritableShares)
        .collect();
    assert!(errors.is_empty(), "{name} at {n}: {:?}", errors.first());
}

/// Instructions valgrind counts for one run of this binary with `args`.
fn instructions(args: &[String]) -> u64 {
    let exe = std::env::current_exe().expect("this binary");
    let out = Command::new("valgrind")
        .args([
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
        ])
        .arg(exe)
        .args(args)
        .output()
        .expect("valgrind runs (install it to measure)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("I refs:") || l.contains("I   refs:"))
        .unwrap_or_else(|| panic!("no instruction count in: {err}"));
    line.rsplit(':')
        .next()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("a count")
}

fn work(name: &str, n: usize) -> u64 {
    let args = |build_only: bool| {
        let mut a = vec![name.to_string(), n.to_string()];
        if build_only {
            a.push("gen".into());
        }
        a
    };
    instructions(&args(false)).saturating_sub(instructions(&args(true)))
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let [name, n, rest @ ..] = args.as_slice() {
        run_once(
            name,
            n.parse().expect("a size"),
            rest.first().is_some_and(|r| r == "gen"),
        );
        return;
    }
    println!("| case | n | instructions at n | at 2n | ratio |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let mut worst: f64 = 0.0;
    // One word picks the cases whose names hold it.
    let only = args.first().map(String::as_str).unwrap_or("");
    for (name, n, _) in CASES.iter().filter(|c| c.0.contains(only)) {
        let (a, b) = (work(name, *n), work(name, 2 * n));
        let ratio = b as f64 / a.max(1) as f64;
        worst = worst.max(ratio);
        println!("| {name} | {n} | {a} | {b} | {ratio:.2} |");
    }
    if worst > 2.2 {
        eprintln!("superlinear: a case grew {worst:.2} times on twice the input");
        std::process::exit(1);
    }
}
