//! Hostile arguments: numbers that are not finite, not whole or out of range
//! are usage errors (exit 2) saying the range; a `diff` side is never an option
//! to git; a synthetic spec cannot ask for endless work; a traffic line names
//! each metadata key once; a directory given where a file is read is a usage
//! error.

#[path = "support/scratch.rs"]
mod scratch;

use assert_cmd::Command;
use scratch::scratch;

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
    let tmp = scratch("git");
    let marker = tmp.path().join("marker");
    let opt = format!("--output={}:x", marker.display());
    let (code, err) = run(&["diff", "--", &opt, "routes/tiers.yaml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("which git would read as an option"), "{err}");
    assert!(!marker.exists());
}

#[test]
fn a_synthetic_spec_cannot_ask_for_endless_work() {
    let tmp = scratch("spec");
    let dir = tmp.path();
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
    let tmp = scratch("dup");
    let dir = tmp.path();
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

/// A directory where a traffic file, a synthetic spec or a pricing table is
/// read is a usage error (exit 2) naming it, like a missing file: nothing was
/// simulated, so it is not a failed run (exit 1).
#[test]
fn a_directory_given_for_a_file_is_a_usage_error() {
    let tmp = scratch("dir-arg");
    let dir = tmp.path().to_string_lossy().into_owned();
    let runs: [&[&str]; 5] = [
        &["simulate", "routes/tiers.yaml", "--traffic", &dir],
        &["simulate", "routes/tiers.yaml", "--synthetic", &dir],
        &[
            "simulate",
            "routes/tiers.yaml",
            "--requests",
            "10",
            "--pricing",
            &dir,
        ],
        &[
            "diff",
            "routes/tiers.yaml",
            "routes/tiers.yaml",
            "--traffic",
            &dir,
        ],
        &["validate", "routes/tiers.yaml", "--config", &dir],
    ];
    for args in runs {
        let (code, err) = run(args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains("is a directory"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
