//! The hostile-input corpus (`tests/hostile/`): every file gives located
//! diagnostics (or validates, for `ok_*`) within a second, under a 1 GiB
//! address-space limit, and never panics. Each `.expect` names an error code the
//! file must produce (`ok` for none), or for traffic files the line the error names.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_aig-route"))
}

/// Runs the binary with bounded memory and reports how long it took.
fn run(args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(bin())
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (out, started.elapsed())
}

fn check_route_file(path: &str, expect: &str) -> Result<(), String> {
    let (out, took) = run(&["validate", "--format", "json", path]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("panicked") || out.status.code().is_none_or(|c| c > 2) {
        return Err(format!("{path}: crashed ({:?}): {stderr}", out.status));
    }
    if took > Duration::from_secs(1) {
        return Err(format!("{path}: took {took:?}"));
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
fn every_corpus_file_is_rejected_cleanly_and_quickly() {
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
            let (out, took) = run(&[
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
                || took > Duration::from_secs(1)
            {
                Err(format!(
                    "{path}: exit {:?} in {took:?}, stderr {stderr}",
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

#[test]
fn ten_megabyte_files_and_configured_limits() {
    let dir = std::env::temp_dir().join(format!("aig-route-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
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
    let (out, _) = run(&[
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
    let (out, _) = run(&[
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
        let (out, _) = run(&["validate", flag, value, "--format", "json", file]);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let codes: Vec<&str> = doc["files"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert!(
            codes.contains(&"E0107"),
            "{flag} {value} on {file}: {codes:?}"
        );
    }
}
