//! The command line as scripts and CI use it: exit codes, JSON documents, files.

#[path = "support/scratch.rs"]
mod scratch;
use assert_cmd::Command;
use scratch::scratch;
use serde_json::{Value, json};

fn cmd() -> Command {
    let mut c = Command::cargo_bin("aig-route").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

#[test]
fn example_routes_validate_cleanly() {
    let out = cmd()
        .args(["validate", "routes/", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json_of(&out.stdout);
    let files = doc["files"].as_array().unwrap();
    assert!(files.len() >= 6);
    for f in files {
        for d in f["diagnostics"].as_array().unwrap() {
            assert_eq!(d["severity"], "warning", "{}: {d}", f["path"]);
        }
    }
}

#[test]
fn validate_reports_errors_with_exit_1_and_locations() {
    let out = cmd()
        .args([
            "validate",
            "tests/diagnostics/dangling_output.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc = json_of(&out.stdout);
    let d = &doc["files"][0]["diagnostics"][0];
    assert_eq!(d["code"], "E0204");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(6), Some(11))
    );
    assert!(d["message"].as_str().unwrap().contains("`smal`"));
    // Human output goes to stderr, with the snippet and the suggestion.
    let out = cmd()
        .args(["validate", "tests/diagnostics/dangling_output.yaml"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[E0204]")
            && err.contains("did you mean `small`?")
            && err.contains("6 |"),
        "{err}"
    );
    assert!(!err.contains("\x1b["), "NO_COLOR must turn colour off");
}

#[test]
fn github_annotations_point_at_the_line() {
    let out = cmd()
        .args([
            "validate",
            "tests/diagnostics/cycle.yaml",
            "--format",
            "github",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("::error file=tests/diagnostics/cycle.yaml,line=11,col=14,title=E0205::"),
        "{text}"
    );
}

#[test]
fn unreadable_files_and_usage_errors_exit_2() {
    let out = cmd()
        .args(["validate", "no/such/file.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = cmd()
        .args(["validate", "--format", "xml", "routes/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = cmd()
        .args(["eval", "routes/anchor.json", "--metadata", "[1]"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = cmd()
        .args(["eval", "routes/anchor.json", "--fail", "gpt4l"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `gpt41`?"));
}

#[test]
fn eval_json_matches_the_spec_shape() {
    let out = cmd()
        .args([
            "eval",
            "routes/anchor.json",
            "--metadata",
            r#"{"plan":"paid","tier":3,"user_id":"u1"}"#,
            "--fail",
            "gpt41",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc = json_of(&out.stdout);
    assert_eq!(
        doc["path"],
        serde_json::json!(["start", "paid_tier", "split", "gpt41", "mini", "end"])
    );
    assert_eq!(
        doc["model"],
        serde_json::json!({"id": "mini", "provider": "openai", "model": "gpt-4.1-mini"})
    );
    assert_eq!(doc["outcome"], "success");
    let out = cmd()
        .args([
            "eval",
            "routes/anchor.json",
            "--metadata",
            r#"{"plan":"x"}"#,
            "--fail",
            "mini",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let doc = json_of(&out.stdout);
    assert_eq!(doc["model"], Value::Null);
    assert_eq!(doc["outcome"], "error");
}

#[test]
fn eval_explains_each_step() {
    let out = cmd()
        .args([
            "eval",
            "routes/tiers.yaml",
            "--metadata",
            r#"{"plan":"free","user_id":"u1"}"#,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(r#"metadata.plan == "paid" → false"#),
        "{text}"
    );
    assert!(
        text.contains("0 of 100 requests used in window per metadata.user_id → success"),
        "{text}"
    );
    assert!(text.contains("served by `small`"), "{text}");
    assert!(text.contains("if it fails: `tiny`"), "{text}");
    let out = cmd()
        .args(["eval", "routes/fallback-chain.yaml", "--format", "json"])
        .output()
        .unwrap();
    let doc = json_of(&out.stdout);
    assert_eq!(
        doc["fallbacks"],
        serde_json::json!(["secondary", "tertiary", "last_resort"])
    );
}

#[test]
fn simulate_is_reproducible_and_counts_what_happened() {
    let run = || {
        cmd()
            .args([
                "simulate",
                "routes/tiers.yaml",
                "--traffic",
                "routes/tiers.traffic.jsonl",
                "--format",
                "json",
            ])
            .output()
            .unwrap()
    };
    let a = run();
    let b = run();
    assert_eq!(
        a.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&a.stderr)
    );
    assert_eq!(a.stdout, b.stdout, "same inputs, same bytes");
    let doc = json_of(&a.stdout);
    assert_eq!(doc["requests"], 3000);
    let served: u64 = doc["by_model"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(served + doc["errors"].as_u64().unwrap(), 3000);
    assert_eq!(doc["by_node"]["start"], 3000);
    assert!(doc["limited"]["free_limit"].as_u64().unwrap() > 0);
    assert_eq!(doc["limited"]["free_limit"], doc["by_model"]["tiny"]);
}

#[test]
fn simulate_rejects_bad_and_out_of_order_lines() {
    let tmp = scratch("cli");
    let dir = tmp.path();
    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, "{\"t\": 1}\n{\"t\": 2, \"metadata\": 5}\n").unwrap();
    let out = cmd()
        .args(["simulate", "routes/tiers.yaml", "--traffic"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"));
    assert!(out.stdout.is_empty(), "no partial report");
    std::fs::write(&bad, "{\"t\": 5}\n{\"t\": 4}\n").unwrap();
    let out = cmd()
        .args(["simulate", "routes/tiers.yaml", "--traffic"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2") && err.contains("line 1"), "{err}");
}

/// Runs `convert FROM --to FORMAT -o OUT` and says whether it succeeded.
fn convert(from: &std::path::Path, to: &str, out: &std::path::Path) -> bool {
    cmd()
        .arg("convert")
        .arg(from)
        .args(["--to", to, "-o"])
        .arg(out)
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn convert_round_trips_and_writes_atomically() {
    let tmp = scratch("conv");
    let dir = tmp.path();
    for route in [
        "routes/anchor.json",
        "routes/tiers.yaml",
        "routes/canary.yaml",
        "routes/team-budget.yaml",
        "routes/regional.yaml",
    ] {
        let (yaml, json, back) = (dir.join("a.yaml"), dir.join("b.json"), dir.join("c.yaml"));
        assert!(
            convert(std::path::Path::new(route), "yaml", &yaml),
            "{route}"
        );
        assert!(convert(&yaml, "json", &json), "{route}");
        assert!(convert(&json, "yaml", &back), "{route}");
        // JSON has no comments: the way back is the YAML without them.
        let uncommented: String = std::fs::read_to_string(&yaml)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| format!("{}\n", l.split("  # ").next().unwrap_or(l)))
            .collect();
        assert_eq!(
            uncommented,
            std::fs::read_to_string(&back).unwrap(),
            "{route}"
        );
    }
    // A failed conversion leaves the old output in place.
    let keep = dir.join("keep.yaml");
    std::fs::write(&keep, "old").unwrap();
    let out = cmd()
        .args([
            "convert",
            "tests/diagnostics/cycle.yaml",
            "--to",
            "json",
            "-o",
        ])
        .arg(&keep)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&keep).unwrap(), "old");
}

/// A copy that would not read back under the limits in effect is not written:
/// the gateway's JSON spends several times the bytes of YAML on a route, so a
/// YAML file inside `--max-file-size` can convert to JSON outside it. The error
/// names the flag; raised, the copy is written and reads back with it.
#[test]
fn convert_writes_only_what_reads_back_under_the_same_limits() {
    let tmp = scratch("conv-limits");
    let out_path = tmp.path().join("tiers.json");
    let yaml_size = std::fs::metadata(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("routes/tiers.yaml"),
    )
    .unwrap()
    .len();
    let limit = (yaml_size + 100).to_string();
    let convert = |limit: &str| {
        cmd()
            .args(["convert", "routes/tiers.yaml", "--to", "json"])
            .args(["--max-file-size", limit, "-o"])
            .arg(&out_path)
            .output()
            .unwrap()
    };
    let out = convert(&limit);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the json copy would not read back under the limits in effect")
            && err.contains("--max-file-size"),
        "{err}"
    );
    assert!(!out_path.exists(), "nothing is written");
    // Raised (for both commands), the copy is written and validates.
    let out = convert("100000");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cmd()
        .args(["validate", "--max-file-size", "100000"])
        .arg(&out_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

/// `fmt` writes the block layout, which takes more room than flow style, so
/// a file inside `--max-file-size` can format to one outside it: refused
/// (E0107, the file left as it was) rather than written beyond what the same
/// command could read again.
#[test]
fn fmt_writes_only_what_reads_back_under_the_same_limits() {
    let tmp = scratch("fmt-limits");
    let path = tmp.path().join("flow.yaml");
    let mut text = String::from("start: m0\nnodes:\n");
    for i in 0..8 {
        text.push_str(&format!(
            "  m{i}: {{model: openai/m, timeout: 1s, retries: 0, success: d, fallback: {}}}\n",
            if i == 7 {
                "d".to_string()
            } else {
                format!("m{}", i + 1)
            }
        ));
    }
    text.push_str("  d: end\n");
    std::fs::write(&path, &text).unwrap();
    let limit = (text.len() + 10).to_string();
    let out = cmd()
        .args(["fmt", "--max-file-size", &limit])
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("E0107") && err.contains("formatted, the file would be"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    // Under the default limit it formats.
    let out = cmd().arg("fmt").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read_to_string(&path).unwrap().len() > text.len() + 10);
}

#[test]
fn schema_is_printed_and_is_json() {
    let out = cmd().arg("schema").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc = json_of(&out.stdout);
    assert_eq!(doc["title"], "aig-route route (YAML)");
}

#[test]
fn simulate_synthetic_compare_and_plot_from_the_command_line() {
    let tmp = scratch("syn");
    let dir = tmp.path();
    let svg = dir.join("t.svg");
    let run = || {
        cmd()
            .args([
                "simulate",
                "routes/team-budget.yaml",
                "--synthetic",
                "routes/example.traffic.yaml",
                "--requests",
                "40000",
                "--format",
                "json",
                "--bucket",
                "600",
                "--plot",
            ])
            .arg(&svg)
            .output()
            .unwrap()
    };
    let (a, b) = (run(), run());
    assert_eq!(
        a.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&a.stderr)
    );
    assert_eq!(a.stdout, b.stdout);
    let doc = json_of(&a.stdout);
    assert_eq!(doc["requests"], 40000);
    assert_eq!(doc["pricing_date"], "2025-10-01");
    assert!(
        doc["limited"]["team_budget"].as_u64().unwrap() > 0,
        "the example budget must run out: {doc}"
    );
    assert!(doc["spend_by_model"]["large"].as_f64().unwrap() > 0.0);
    // The total is the sum of the models' spend.
    let sum: f64 = doc["spend_by_model"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_f64().unwrap())
        .sum();
    assert!((doc["spend"].as_f64().unwrap() - sum).abs() < 1e-3);
    assert_eq!(doc["synthetic"]["rate_per_second"], json!(2.0));
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<polyline"));
    let out = cmd()
        .args([
            "simulate",
            "routes/canary.yaml",
            "--compare",
            "routes/fallback-chain.yaml",
            "--requests",
            "5000",
            "--fail-rate",
            "primary=0.5",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json_of(&out.stdout);
    assert_eq!(doc["compare"]["report"]["requests"], 5000);
    assert!(
        doc["compare"]["report"]["fallbacks"]["primary"]
            .as_u64()
            .unwrap()
            > 2000
    );
    assert_eq!(doc["compare"]["shift"]["by_model"]["primary"]["new"], 0);
    let out = cmd()
        .args([
            "simulate",
            "routes/canary.yaml",
            "--requests",
            "10",
            "--fail-rate",
            "canddate=0.1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `candidate`?"));
    let out = cmd()
        .args(["simulate", "routes/canary.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sarif_is_a_valid_log_with_rules_and_regions() {
    let out = cmd()
        .args([
            "validate",
            "tests/diagnostics/limits.json",
            "tests/diagnostics/cycle.yaml",
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc = json_of(&out.stdout);
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 10);
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[idx],
            r["ruleId"].as_str().unwrap(),
            "ruleIndex must point at the rule"
        );
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(
            region["startLine"].as_u64().unwrap() >= 1
                && region["startColumn"].as_u64().unwrap() >= 1
        );
        assert!(["error", "warning"].contains(&r["level"].as_str().unwrap()));
    }
    let cycle = results.iter().find(|r| r["ruleId"] == "E0205").unwrap();
    assert_eq!(
        cycle["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/diagnostics/cycle.yaml"
    );
    assert_eq!(
        cycle["locations"][0]["physicalLocation"]["region"]["startLine"],
        11
    );
}

#[test]
fn diff_speaks_of_meaning_not_text() {
    let tmp = scratch("diff");
    let dir = tmp.path();
    let new = dir.join("canary.yaml");
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/canary.yaml"))
        .unwrap()
        .replace("90%: current\n      10%: candidate", "75%: current\n      25%: candidate")
        .replace("model: openai/gpt-5", "model: openai/gpt-5.1")
        .replace("    fallback: done\n  done: end", "    fallback: done\n  done: end\n  spare:\n    model: groq/llama-3.3-70b-versatile\n    timeout: 5s\n    retries: 0\n    success: done\n    fallback: done");
    std::fs::write(&new, text).unwrap();
    let out = cmd()
        .args(["diff", "routes/canary.yaml"])
        .arg(&new)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("~ split `split`: `candidate` 10% → 25%"),
        "{text}"
    );
    assert!(
        text.contains("~ model `candidate`: model openai/gpt-5 → openai/gpt-5.1"),
        "{text}"
    );
    assert!(
        text.contains("+ added model `spare`: groq/llama-3.3-70b-versatile"),
        "{text}"
    );
    // The same route in another format, nodes in another order: no change.
    let out = cmd()
        .args([
            "diff",
            "routes/anchor.json",
            "routes/anchor.route",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json_of(&out.stdout)["same"], true);
    // With traffic: the shift per model from simulating both.
    let out = cmd()
        .args([
            "diff",
            "routes/tiers.yaml",
            "routes/regional.yaml",
            "--traffic",
            "routes/tiers.traffic.jsonl",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc = json_of(&out.stdout);
    assert_eq!(doc["traffic"]["requests"], 3000);
    assert_eq!(
        doc["traffic"]["by_provider_model"]["openai/gpt-4.1"]["new"],
        0
    );
    assert!(
        doc["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["change"] == "removed" && c["node"] == "large")
    );
    // A side that cannot be read: exit 2.
    let out = cmd()
        .args(["diff", "routes/tiers.yaml", "tests/diagnostics/cycle.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Every example under "Examples:" in `--help`, top level and per command, runs
/// as written (in a scratch copy of `routes/`, so examples that write files
/// write there). `diff` exits 1 for routes that differ, as documented; every
/// other example exits 0. The commands that talk to the gateway API have no
/// examples to run without an account.
#[test]
fn every_help_example_runs() {
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_aig-route"));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = scratch("help");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("routes")).unwrap();
    for e in std::fs::read_dir(root.join("routes")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join("routes").join(p.file_name().unwrap())).unwrap();
    }
    let mut ran = 0;
    for command in [
        "", "validate", "convert", "diff", "eval", "fmt", "graph", "simulate", "test", "schema",
    ] {
        let mut c = std::process::Command::new(&bin);
        if !command.is_empty() {
            c.arg(command);
        }
        let help = c.arg("--help").output().unwrap();
        let help = String::from_utf8_lossy(&help.stdout).into_owned();
        let examples = help
            .split_once("Example")
            .map(|(_, rest)| rest.split("\n\n").next().unwrap_or(""))
            .unwrap_or("");
        for line in examples
            .lines()
            .filter_map(|l| l.trim().strip_prefix("aig-route "))
        {
            let line = line.split("  #").next().unwrap_or(line);
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("\"$0\" {line}"))
                .arg(&bin)
                .current_dir(&dir)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let ok = match out.status.code() {
                Some(0) => true,
                Some(1) => command == "diff",
                _ => false,
            };
            assert!(
                ok,
                "`aig-route {line}` ({command} --help) exited {:?}:\n{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 20, "only {ran} examples found");
}

/// `--version` belongs to the program, not to a command: `pull --version 3`
/// is a usage error pointing at `--version-id`, not the tool's version.
#[test]
fn version_is_only_a_top_level_flag() {
    let out = cmd().args(["pull", "--version", "3"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--version-id"));
    assert!(cmd().arg("--version").output().unwrap().status.success());
}

/// `-` reads the route from standard input in validate, fmt, convert, eval and
/// simulate; its format is told by its content.
#[test]
fn a_dash_reads_standard_input() {
    let yaml = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/tiers.yaml")).unwrap();
    let dsl = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/tiers.route")).unwrap();
    let json = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/anchor.json")).unwrap();
    for (args, input) in [
        (vec!["validate", "-"], &yaml),
        (vec!["validate", "-"], &dsl),
        (vec!["validate", "-"], &json),
        (vec!["fmt", "--check", "-"], &dsl),
        (vec!["convert", "-", "--to", "json"], &yaml),
        (vec!["eval", "-", "--metadata", "{\"plan\":\"free\"}"], &dsl),
        (vec!["simulate", "-", "--requests", "100"], &yaml),
    ] {
        let out = cmd()
            .args(&args)
            .write_stdin(input.clone())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = cmd()
        .args(["fmt", "-"])
        .write_stdin(yaml.clone())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("nodes:"));
    let out = cmd()
        .args(["simulate", "-", "--traffic", "-"])
        .write_stdin(yaml)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Flags about reading routes are refused by commands that read none, rather
/// than silently ignored.
#[test]
fn route_flags_are_refused_where_they_do_nothing() {
    let out = cmd().args(["schema", "--allow", "W0608"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`--allow` does not apply"));
    let out = cmd()
        .args([
            "--max-depth",
            "3",
            "pull",
            "--route",
            "r",
            "--account",
            "a",
            "--gateway",
            "g",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`--max-depth` does not apply"));
    assert!(
        cmd()
            .args(["validate", "routes/", "--allow", "W0608"])
            .output()
            .unwrap()
            .status
            .code()
            == Some(0)
    );
}

/// A pricing table without a price for a model that serves: one warning per
/// such model, and it is listed in the JSON report, instead of a silent $0.
#[test]
fn a_served_model_without_a_price_is_warned_about() {
    let tmp = scratch("price");
    let dir = tmp.path();
    let pricing = dir.join("p.pricing.yaml");
    std::fs::write(
        &pricing,
        "date: 2025-10-01\ncurrency: USD\nper: 1M tokens\nmodels:\n  azure-openai/gpt-4.1: {input: 2.00, output: 8.00}\n",
    )
    .unwrap();
    let out = cmd()
        .args([
            "simulate",
            "routes/fallback-chain.yaml",
            "--requests",
            "50",
            "--tokens",
            "100:100",
            "--format",
            "json",
            "--pricing",
        ])
        .arg(&pricing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("has no price").count(), 1, "{stderr}");
    assert!(stderr.contains("openai/gpt-4.1"), "{stderr}");
    let doc = json_of(&out.stdout);
    assert_eq!(doc["unpriced"], json!(["primary"]));
    assert_eq!(doc["spend"], json!(0));
}

/// `--compare` and `diff --traffic` show how spend moves, in total and per model.
#[test]
fn compare_and_diff_show_the_spend_shift() {
    let out = cmd()
        .args([
            "simulate",
            "routes/tiers.yaml",
            "--traffic",
            "routes/tiers.traffic.jsonl",
            "--compare",
            "routes/canary.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let doc = json_of(&out.stdout);
    let shift = &doc["compare"]["shift"];
    let (old, new) = (
        shift["spend"]["old"].as_f64().unwrap(),
        shift["spend"]["new"].as_f64().unwrap(),
    );
    assert!((shift["spend"]["delta"].as_f64().unwrap() - (new - old)).abs() < 1e-6);
    assert!(shift["spend_by_model"]["large"]["new"].as_f64().unwrap() > 0.0);
    assert_eq!(shift["spend_by_model"]["large"]["old"], json!(0));
    let out = cmd()
        .args([
            "diff",
            "routes/tiers.yaml",
            "routes/fallback-chain.yaml",
            "--traffic",
            "routes/tiers.traffic.jsonl",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("spend: $"));
}
