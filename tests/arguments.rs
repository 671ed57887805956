//! Hostile arguments: numbers that are not finite, not whole or out of range
//! are usage errors (exit 2) saying the range; a `diff` side is never an option
//! to git; a synthetic spec cannot ask for endless work; a traffic line names
//! each metadata key once.

use assert_cmd::Command;

fn cmd() -> Command {
    let mut c = Command::cargo_bin("aig-route").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

/// Runs `args`: (exit code, stderr).
fn run(args: &[&str]) -> (Option<i32>, String) {
    let out = cmd().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn numeric_flags_are_finite_and_in_range() {
    let sim = |extra: &[&str]| {
        let mut a = vec![
            "simulate",
            "routes/tiers.yaml",
            "--requests",
            "10",
            "--quiet",
        ];
        a.extend_from_slice(extra);
        run(&a)
    };
    for extra in [
        &["--start", "NaN"][..],
        &["--start", "inf"],
        &["--start", "1e300"],
        &["--rate", "-inf"],
        &["--rate", "0"],
        &["--cost-per-request", "NaN"],
        &["--tokens", "inf:1"],
        &["--tokens", "800"],
        &["--bucket", "1.5"],
        &["--bucket", "0"],
        &["--users", "18446744073709551615"],
        &["--fail-rate", "basic=NaN"],
        &["--meta", "plan=free:inf"],
    ] {
        let (code, err) = sim(extra);
        assert_eq!(code, Some(2), "{extra:?}: {err}");
        assert!(!err.contains("panicked"), "{extra:?}: {err}");
    }
    let (code, err) = sim(&["--start", "NaN"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("is not a number of at least 0"), "{err}");
    for (flag, value) in [
        ("--max-file-size", "18446744073709551615"),
        ("--max-file-size", "0"),
        ("--max-depth", "100000"),
        ("--max-nodes", "0"),
        ("--max-values", "1.5"),
    ] {
        let (code, err) = run(&["validate", flag, value, "routes/tiers.yaml"]);
        assert_eq!(code, Some(2), "{flag} {value}: {err}");
        assert!(err.contains("is not a whole number from 1 to"), "{err}");
    }
    let (code, err) = run(&["test", "routes/", "--threshold", "NaN"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, err) = run(&["versions", "--timeout", "1e300", "--route", "r"]);
    assert_eq!(code, Some(2), "{err}");
    // In range, the same flags work.
    let (code, err) = sim(&[
        "--start",
        "1767225600",
        "--bucket",
        "90",
        "--tokens",
        "800:300",
    ]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn a_diff_side_is_never_an_option_to_git() {
    let marker = std::env::temp_dir().join(format!("aig-route-git-{}", std::process::id()));
    let opt = format!("--output={}:x", marker.display());
    let (code, err) = run(&["diff", "--", &opt, "routes/tiers.yaml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("which git would read as an option"), "{err}");
    assert!(!marker.exists());
}

#[test]
fn a_synthetic_spec_cannot_ask_for_endless_work() {
    let dir = std::env::temp_dir().join(format!("aig-route-spec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, spec) in [
        ("requests", "requests: 1e300\nrate: 10\n"),
        ("users", "requests: 10\nrate: 10\nusers: 1e300\n"),
        ("duration", "duration: 1000000000d\nrate: 1000000\n"),
        ("start", "requests: 10\nrate: 10\nstart: 1e300\n"),
        ("fraction", "requests: 2.5\nrate: 10\n"),
    ] {
        let path = dir.join(format!("{name}.yaml"));
        std::fs::write(&path, spec).unwrap();
        let (code, err) = run(&[
            "simulate",
            "routes/tiers.yaml",
            "--synthetic",
            &path.to_string_lossy(),
            "--quiet",
        ]);
        assert_eq!(code, Some(1), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

#[test]
fn a_traffic_line_names_each_metadata_key_once() {
    let dir = std::env::temp_dir().join(format!("aig-route-dup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let traffic = dir.join("t.jsonl");
    std::fs::write(
        &traffic,
        "{\"t\": 1, \"metadata\": {\"plan\": \"free\", \"plan\": \"paid\"}}\n",
    )
    .unwrap();
    let (code, err) = run(&[
        "simulate",
        "routes/tiers.yaml",
        "--traffic",
        &traffic.to_string_lossy(),
        "--quiet",
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("metadata `plan` is given twice"), "{err}");
}
