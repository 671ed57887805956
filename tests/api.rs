//! push, pull, versions, deploy and rollback through the real HTTP client against
//! a loopback server that models the dashboard API and its quirks. No test
//! reaches the internet.

mod support {
    pub mod gateway;
}

use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::{Value, json};
use support::gateway::{Gateway, Quirks, TOKEN};

fn cmd(gw: &Gateway) -> Command {
    let mut c = Command::cargo_bin("aig-route").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("CLOUDFLARE_API_TOKEN", TOKEN)
        .env("CLOUDFLARE_ACCOUNT_ID", "acc1")
        .env("AIG_GATEWAY_ID", "gw")
        .env("AIG_API_BASE", &gw.base)
        .timeout(Duration::from_secs(30));
    c
}

fn run(c: &mut Command, args: &[&str]) -> (Option<i32>, String, String) {
    let out = c.args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_of(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

/// What our export sends for a file (the wire form: no sticky, no window_mode).
fn wire(file: &str) -> Value {
    let out = Command::cargo_bin("aig-route")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["convert", file, "--to", "json"])
        .output()
        .unwrap();
    let mut doc = json_of(&String::from_utf8_lossy(&out.stdout));
    for e in doc["elements"].as_array_mut().unwrap() {
        if let Some(p) = e.get_mut("properties").and_then(Value::as_object_mut) {
            p.remove("sticky");
            p.remove("window_mode");
            if p.is_empty() {
                e.as_object_mut().unwrap().remove("properties");
            }
        }
    }
    doc["elements"].take()
}

#[test]
fn push_creates_then_is_up_to_date_then_versions_and_deploys() {
    let gw = Gateway::start(Quirks::default());
    // 1. Missing route: created (and so deployed), with the exact elements.
    let (code, out, err) = run(
        &mut cmd(&gw),
        &["push", "routes/canary.yaml", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{err}");
    let doc = json_of(&out);
    assert_eq!(doc["action"], "created");
    assert_eq!(doc["deployed"], true);
    assert_eq!(doc["route_id"], "rt0001");
    assert_eq!(doc["version_id"], "v0001-1");
    assert!(doc["content_hash"].as_str().unwrap().starts_with("sha256:"));
    assert!(
        err.contains("the gateway drops `sticky` and will split at random"),
        "{err}"
    );
    let writes = gw.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(
        writes[0].path,
        "/client/v4/accounts/acc1/ai-gateway/gateways/gw/routes"
    );
    assert_eq!(
        writes[0].body,
        json!({"name": "canary", "elements": wire("routes/canary.yaml")})
    );
    assert!(
        gw.log()
            .iter()
            .all(|l| l.auth.as_deref() == Some(&*format!("Bearer {TOKEN}")))
    );
    let hash = doc["content_hash"].clone();

    // 2. Same route again: nothing changes, and it says so with the same hash.
    let (code, out, _) = run(&mut cmd(&gw), &["push", "routes/canary.yaml"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("up to date"), "{out}");
    assert!(out.contains(&hash.as_str().unwrap()[7..]), "{out}");
    assert_eq!(gw.writes().len(), 1, "an up-to-date push sends nothing");

    // 3. A changed route: a new version, found by listing, then deployed.
    let changed = std::env::temp_dir().join(format!("canary-{}.yaml", std::process::id()));
    let text = std::fs::read_to_string("routes/canary.yaml")
        .unwrap()
        .replace(
            "90%: current\n      10%: candidate",
            "75%: current\n      25%: candidate",
        );
    std::fs::write(&changed, text).unwrap();
    let file = changed.to_string_lossy().into_owned();
    let (code, out, err) = run(&mut cmd(&gw), &["push", &file, "--dry-run"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("-      90%: current") && out.contains("+      75%: current"),
        "{out}"
    );
    assert_eq!(gw.writes().len(), 1, "a dry run sends nothing");
    let (code, out, err) = run(
        &mut cmd(&gw),
        &["push", &file, "--deploy", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{err}");
    let doc = json_of(&out);
    assert_eq!(doc["action"], "version_created");
    assert_eq!(doc["version_id"], "v0001-2");
    let writes = gw.writes();
    assert_eq!(writes.len(), 3);
    assert!(writes[1].path.ends_with("/routes/rt0001/versions"));
    assert_eq!(writes[1].body, json!({"elements": wire(&file)}));
    assert!(writes[2].path.ends_with("/routes/rt0001/deployments"));
    assert_eq!(writes[2].body, json!({"version_id": "v0001-2"}));
    assert_eq!(gw.deployed("canary").as_deref(), Some("v0001-2"));

    // 4. versions marks the deployed one; rollback deploys the one before; deploy picks any.
    let (code, out, _) = run(
        &mut cmd(&gw),
        &["versions", "--route", "canary", "--format", "json"],
    );
    assert_eq!(code, Some(0));
    let doc = json_of(&out);
    let versions = doc["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1]["deployed"], true);
    assert_eq!(versions[0]["deployed"], false);
    assert_eq!(versions[0]["content_hash"], hash);
    let (code, out, _) = run(&mut cmd(&gw), &["rollback", "--route", "canary"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("from version v0001-2 to version v0001-1"),
        "{out}"
    );
    assert_eq!(gw.deployed("canary").as_deref(), Some("v0001-1"));
    let (code, _, _) = run(&mut cmd(&gw), &["deploy", "v0001-2", "--route", "canary"]);
    assert_eq!(code, Some(0));
    assert_eq!(gw.deployed("canary").as_deref(), Some("v0001-2"));
    let (code, _, err) = run(&mut cmd(&gw), &["deploy", "v9", "--route", "canary"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("no version `v9`"), "{err}");
}

#[test]
fn graphs_are_read_from_version_data_strings_and_the_data_envelope() {
    let gw = Gateway::start(Quirks {
        data_envelope: true,
        data_as_string: true,
        omit_elements: true,
        max_per_page: Some(2),
        ..Quirks::default()
    });
    for i in 0..5 {
        gw.seed_route(&format!("other{i}"), json!([]));
    }
    gw.seed_route("tiers", wire("routes/tiers.yaml"));
    let (code, out, err) = run(
        &mut cmd(&gw),
        &["push", "routes/tiers.yaml", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(json_of(&out)["action"], "up_to_date", "{out}");
    // The route was on page 3 of 2-item pages.
    assert!(
        gw.log().iter().any(|l| l.path.contains("/routes?page=3")),
        "{:?}",
        gw.log()
    );
    assert!(gw.writes().is_empty());
    // pull writes the deployed version, which validates and equals the file.
    let out_file = std::env::temp_dir().join(format!("pulled-{}.yaml", std::process::id()));
    let (code, _, err) = run(
        &mut cmd(&gw),
        &[
            "pull",
            "--route",
            "tiers",
            "-o",
            &out_file.to_string_lossy(),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let pulled = std::fs::read_to_string(&out_file).unwrap();
    let local = Command::cargo_bin("aig-route")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["convert", "routes/tiers.yaml", "--to", "yaml"])
        .output()
        .unwrap();
    // The metadata type declarations are ours only; the graph is the same.
    let strip = |s: &str| {
        s.lines()
            .filter(|l| {
                !l.starts_with("metadata:")
                    && !l.starts_with("  plan: string")
                    && !l.starts_with("  user_id: string")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        strip(&pulled),
        strip(&String::from_utf8_lossy(&local.stdout))
    );
}

#[test]
fn failures_are_retried_or_reported() {
    let gw = Gateway::start(Quirks {
        rate_limit_next: 1,
        ..Quirks::default()
    });
    let started = Instant::now();
    let (code, out, err) = run(
        &mut cmd(&gw),
        &["push", "routes/regional.yaml", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(json_of(&out)["action"], "created");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was not honoured"
    );
    let log = gw.log();
    assert_eq!(log[0].path, log[1].path, "the 429'd request is sent again");

    // 503 without Retry-After: backoff, then success.
    gw.quirks(|q| q.unavailable_next = 2);
    let (code, _, err) = run(&mut cmd(&gw), &["versions", "--route", "regional"]);
    assert_eq!(code, Some(0), "{err}");

    // HTTP 200 with success: false is a failure, reported with the service's words.
    gw.quirks(|q| q.fail_next_200 = 1);
    let (code, _, err) = run(&mut cmd(&gw), &["versions", "--route", "regional"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("internal error, please retry later") && err.contains("1001"),
        "{err}"
    );

    // Still failing after every retry: exit 1, not a hang.
    gw.quirks(|q| q.unavailable_next = 10);
    let (code, _, err) = run(
        &mut cmd(&gw),
        &["versions", "--route", "regional", "--timeout", "5"],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("HTTP 503"), "{err}");
}

#[test]
fn a_7001_path_is_reported_at_the_line_of_the_field() {
    let gw = Gateway::start(Quirks {
        reject_provider: Some("groq".into()),
        ..Quirks::default()
    });
    let (code, _, err) = run(&mut cmd(&gw), &["push", "routes/fallback-chain.yaml"]);
    assert_eq!(code, Some(1));
    // `last_resort` is element 4; its provider is written on line 25 of the file.
    assert!(
        err.contains("error[E0501]: the gateway rejected this: Invalid (error 7001)"),
        "{err}"
    );
    assert!(err.contains("routes/fallback-chain.yaml:25:12"), "{err}");
    assert!(
        err.contains("[\"body\",\"elements\",4,\"properties\",\"provider\"]"),
        "{err}"
    );
}

#[test]
fn the_token_comes_from_the_environment_and_never_shows() {
    let gw = Gateway::start(Quirks::default());
    let (code, _, err) = run(
        cmd(&gw).env_remove("CLOUDFLARE_API_TOKEN"),
        &["push", "routes/tiers.yaml"],
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("CLOUDFLARE_API_TOKEN"), "{err}");
    assert!(gw.log().is_empty(), "nothing is sent without a token");
    // A wrong token: the service refuses; neither token appears anywhere.
    let (code, out, err) = run(
        cmd(&gw).env("CLOUDFLARE_API_TOKEN", "super-secret-value-123"),
        &["push", "routes/tiers.yaml", "--format", "json"],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("Authentication error"), "{err}");
    assert!(!out.contains("super-secret") && !err.contains("super-secret"));
    let (_, out, err) = run(
        &mut cmd(&gw),
        &["push", "routes/tiers.yaml", "--dry-run", "--format", "json"],
    );
    assert!(!out.contains(TOKEN) && !err.contains(TOKEN));
    // There is no flag for it.
    let (code, _, _) = run(
        &mut cmd(&gw),
        &["push", "routes/tiers.yaml", "--token", "x"],
    );
    assert_eq!(code, Some(2));
}

#[test]
fn a_route_with_errors_is_never_sent_and_plain_http_is_only_for_loopback() {
    let gw = Gateway::start(Quirks::default());
    let (code, _, err) = run(&mut cmd(&gw), &["push", "tests/diagnostics/cycle.yaml"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("nothing was sent"), "{err}");
    assert!(gw.log().is_empty());
    let (code, _, err) = run(
        &mut cmd(&gw),
        &[
            "push",
            "routes/tiers.yaml",
            "--api-base",
            "http://api.example.com/client/v4",
        ],
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("only for loopback"), "{err}");
}
