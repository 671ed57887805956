//! The hostile-input corpus (`tests/hostile/`): every file gives located
//! diagnostics (or validates, for `ok_*`) under a 1 GiB address-space limit and
//! never panics. Each `.expect` names an error code the file must produce (`ok`
//! for none), or for traffic files the line the error names.
//!
//! No test here reads a clock: on a loaded machine wall time says nothing about
//! the program. Work is bounded instead — alias expansion by `--max-values`, size
//! by `--max-file-size`, nesting by `--max-depth` (each file's `.expect` names the
//! `E0107` it must hit) — and every run sits under a CPU-time limit far above any
//! linear run, so a runaway loop is killed and reported rather than hanging CI.

#[path = "support/scratch.rs"]
mod scratch;
use scratch::scratch;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_aig-route"))
}

/// Runs the binary with bounded memory and CPU time (CPU seconds the process
/// itself uses, which other load on the machine does not inflate). A run killed
/// by the limit has no exit code and is reported as a crash.
fn run(args: &[&str]) -> Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && ulimit -t 60 && exec \"$0\" \"$@\"")
        .arg(bin())
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn check_route_file(path: &str, expect: &str) -> Result<(), String> {
    let out = run(&["validate", "--format", "json", path]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("panicked") || out.status.code().is_none_or(|c| c > 2) {
        return Err(format!("{path}: crashed ({:?}): {stderr}", out.status));
    }
    let doc: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("{path}: output is not JSON: {e}"))?;
    let diags = doc["files"][0]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for d in &diags {
        if d["line"].as_u64().unwrap_or(0) < 1
            || d["column"].as_u64().unwrap_or(0) < 1
            || d["message"].as_str().unwrap_or("").is_empty()
        {
            return Err(format!(
                "{path}: diagnostic without a location or message: {d}"
            ));
        }
    }
    let errors: Vec<&str> = diags
        .iter()
        .filter(|d| d["severity"] == "error")
        .filter_map(|d| d["code"].as_str())
        .collect();
    match expect {
        "ok" if out.status.code() == Some(0) && errors.is_empty() => Ok(()),
        "ok" => Err(format!("{path}: expected to validate, got {errors:?}")),
        code if out.status.code() == Some(1) && errors.contains(&code) => Ok(()),
        code => Err(format!(
            "{path}: expected {code}, got exit {:?} and {errors:?}",
            out.status.code()
        )),
    }
}

#[test]
fn every_corpus_file_is_rejected_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "expect"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "the corpus has {} files", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let expect = std::fs::read_to_string(f.with_extension("expect"))
            .unwrap_or_else(|_| panic!("{} has no .expect", f.display()));
        let expect = expect.trim();
        let path = f.to_string_lossy().into_owned();
        let result = if path.ends_with(".jsonl") {
            let out = run(&[
                "simulate",
                "routes/tiers.yaml",
                "--traffic",
                &path,
                "--format",
                "json",
            ]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            if out.status.code() != Some(1)
                || stderr.contains("panicked")
                || !stderr.contains(expect)
                || !out.stdout.is_empty()
            {
                Err(format!(
                    "{path}: exit {:?}, stderr {stderr}",
                    out.status.code()
                ))
            } else {
                Ok(())
            }
        } else {
            check_route_file(&path, expect)
        };
        if let Err(e) = result {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An endless stream (`/dev/zero`) where a traffic file, a synthetic spec or a
/// pricing table is read stops at a bound with an error naming it: `diff
/// --traffic` and `simulate --traffic` read a line at a time, each line capped,
/// and the others read within `--max-file-size`. Loading the stream whole would
/// pass the 1 GiB address-space limit and be killed, which the test reports.
#[test]
fn endless_companion_files_stop_at_a_bound() {
    for (args, code, says) in [
        (
            &[
                "diff",
                "routes/tiers.yaml",
                "routes/canary.yaml",
                "--traffic",
                "/dev/zero",
            ][..],
            2,
            "line 1 is longer than",
        ),
        (
            &[
                "simulate",
                "routes/tiers.yaml",
                "--quiet",
                "--traffic",
                "/dev/zero",
            ][..],
            1,
            "line 1 is longer than",
        ),
        (
            &["simulate", "routes/tiers.yaml", "--synthetic", "/dev/zero"][..],
            2,
            "is larger than the limit",
        ),
        (
            &[
                "simulate",
                "routes/tiers.yaml",
                "--requests",
                "10",
                "--pricing",
                "/dev/zero",
            ][..],
            2,
            "is larger than the limit",
        ),
    ] {
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(
            err.contains(says) && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}

/// Alias expansion is counted as it happens: with a budget of 500 values the
/// bomb is stopped on its third line, before the first ten-fold level is copied,
/// so the work done is bounded by the budget and not by what the aliases describe.
#[test]
fn alias_expansion_stops_at_the_value_budget() {
    let out = run(&[
        "validate",
        "--max-values",
        "500",
        "--format",
        "json",
        "tests/hostile/alias_bomb.yaml",
    ]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &doc["files"][0]["diagnostics"][0];
    assert_eq!(d["code"], "E0107", "{doc}");
    assert_eq!(d["line"], 3, "{doc}");
}

#[test]
fn ten_megabyte_files_and_configured_limits() {
    let tmp = scratch("big");
    let dir = tmp.path();
    // A 10 MB route and a 10 MB single-line JSON document: over the 8 MiB default.
    let big = dir.join("big.yaml");
    std::fs::write(
        &big,
        format!("start: d\nnodes:\n  d: end\n# {}\n", "x".repeat(10 << 20)),
    )
    .unwrap();
    check_route_file(&big.to_string_lossy(), "E0107").unwrap();
    let big_json = dir.join("big.json");
    std::fs::write(&big_json, format!("[{}]", "1,".repeat(5 << 20) + "1")).unwrap();
    check_route_file(&big_json.to_string_lossy(), "E0107").unwrap();
    // Raising the limit reads it (and finds what is wrong with it instead).
    let out = run(&[
        "validate",
        "--max-file-size",
        "20000000",
        "--format",
        "json",
        &big.to_string_lossy(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A huge traffic file with a bad last line: the error names it, nothing partial.
    let traffic = dir.join("t.jsonl");
    let mut text = String::new();
    for i in 0..100_000 {
        text.push_str(&format!(
            "{{\"t\": {i}, \"metadata\": {{\"plan\": \"free\", \"user_id\": \"u{}\"}}}}\n",
            i % 50
        ));
    }
    text.push_str("{\"t\": 100000, \"metadata\": [1]}\n");
    std::fs::write(&traffic, text).unwrap();
    let out = run(&[
        "simulate",
        "routes/tiers.yaml",
        "--traffic",
        &traffic.to_string_lossy(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 100001"));
    assert!(out.stdout.is_empty());
    // Every bound is a flag.
    for (flag, value, file) in [
        ("--max-nodes", "3", "routes/tiers.yaml"),
        ("--max-nodes", "3", "routes/anchor.json"),
        ("--max-nodes", "3", "routes/tiers.route"),
        ("--max-depth", "3", "routes/anchor.route"),
        ("--max-values", "20", "routes/tiers.yaml"),
        ("--max-file-size", "100", "routes/canary.yaml"),
    ] {
        let out = run(&["validate", flag, value, "--format", "json", file]);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let codes: Vec<&str> = doc["files"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        // The bound alone: nothing checked on a route cut short by it.
        assert_eq!(codes, ["E0107"], "{flag} {value} on {file}");
    }
}
