//! import, plan and apply through the real binary against the loopback model of
//! the dashboard API (SDK response shapes) holding 120 routes across three
//! pages: import then plan shows no change; a route edited or deleted in the
//! dashboard; an invalid file; two files naming one route; a version the
//! service rejects mid-apply; apply twice. Every test asserts the requests sent.

mod support {
    pub mod gateway;
    pub mod remote;
    pub mod scratch;
}

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::gateway::{Gateway, Logged, PREFIX, Quirks};
use support::remote::{cmd, json_of, run};

/// The graph of generated route `i`: a split between two models, behind a
/// plan check for every third route and a rate limit for every fifth.
fn elements(i: usize, share: u32) -> Value {
    let first = if i.is_multiple_of(3) { "plan" } else { "split" };
    let mut els =
        vec![json!({"id": "start", "type": "start", "outputs": {"next": {"elementId": first}}})];
    if i.is_multiple_of(3) {
        els.push(json!({"id": "plan", "type": "conditional",
            "properties": {"conditions": {"metadata.plan": {"$eq": "paid"}}},
            "outputs": {"true": {"elementId": "split"}, "false": {"elementId": if i.is_multiple_of(5) { "limit" } else { "b" }}}}));
    }
    if i.is_multiple_of(15) {
        els.push(json!({"id": "limit", "type": "rate",
            "properties": {"limitType": "count", "key": "metadata.user_id", "limit": 100, "window": 3600},
            "outputs": {"success": {"elementId": "b"}, "fallback": {"elementId": "end"}}}));
    }
    els.push(json!({"id": "split", "type": "percentage",
        "outputs": {format!("{share}%"): {"elementId": "a"}, format!("{}%", 100 - share): {"elementId": "b"}}}));
    els.push(json!({"id": "a", "type": "model",
        "properties": {"provider": "openai", "model": format!("gpt-{i}"), "timeout": 30000, "retries": 1},
        "outputs": {"success": {"elementId": "end"}, "fallback": {"elementId": "b"}}}));
    els.push(json!({"id": "b", "type": "model",
        "properties": {"provider": "workers-ai", "model": "@cf/meta/llama-3.1-8b-instruct", "timeout": 20000, "retries": 0},
        "outputs": {"success": {"elementId": "end"}, "fallback": {"elementId": "end"}}}));
    els.push(json!({"id": "end", "type": "end", "outputs": {}}));
    Value::Array(els)
}

/// Route names: `route-000` ... with a few a file system cannot take as they are.
fn name(i: usize) -> String {
    match i {
        0 => "Tiers".into(),
        1 => "tiers".into(),
        2 => "CON".into(),
        3 => "team/a.b ".into(),
        _ => format!("route-{i:03}"),
    }
}

/// A gateway with 120 routes (three pages of 50 for the client).
fn gateway(quirks: Quirks) -> Gateway {
    let gw = Gateway::start(quirks);
    for i in 0..120 {
        gw.seed_route(&name(i), elements(i, 30));
    }
    gw
}

/// A path not yet made, in a scratch directory removed when the guard drops.
fn scratch(tag: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = support::scratch::scratch(&format!("gitops-{tag}"));
    let dir = tmp.path().join(tag);
    (tmp, dir)
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn gets_only(log: &[Logged]) {
    assert!(
        log.iter().all(|l| l.method == "GET"),
        "only GETs: {:?}",
        log.iter().map(|l| (&l.method, &l.path)).collect::<Vec<_>>()
    );
}

fn listing_pages(log: &[Logged]) -> usize {
    log.iter()
        .filter(|l| l.path.starts_with(&format!("{PREFIX}/routes?")))
        .count()
}

fn import(gw: &Gateway, dir: &Path, format: &str) {
    // `--format` is another name for `--to`.
    let flag = if format == "json" { "--format" } else { "--to" };
    let (code, out, err) = run(&mut cmd(gw), &["import", &s(dir), flag, format]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("imported 120 routes"), "{out}");
}

#[test]
fn import_writes_every_route_with_safe_names_then_plan_shows_no_change() {
    let gw = gateway(Quirks::default());
    let (_tmp, dir) = scratch("import");
    let (code, out, err) = run(&mut cmd(&gw), &["import", &s(&dir)]);
    assert_eq!(code, Some(0), "{err}");
    // One listing (three pages), and no read: the list items carry the deployed graph.
    gets_only(&gw.log());
    assert_eq!(gw.log().len(), 3);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 120);
    for f in [
        "CON_.yaml",
        "Tiers.yaml",
        "tiers-2.yaml",
        "team_a_b_.yaml",
        "route-119.yaml",
    ] {
        assert!(files.contains(&f.to_string()), "{f} in {files:?}");
    }
    assert!(
        out.contains("`tiers.yaml` is taken by route `Tiers`"),
        "{out}"
    );
    assert!(out.contains("device name on Windows"), "{out}");
    let text = std::fs::read_to_string(dir.join("team_a_b_.yaml")).unwrap();
    assert!(text.starts_with("name: 'team/a.b '\n"), "{text}");

    gw.clear_log();
    let (code, out, err) = run(&mut cmd(&gw), &["plan", &s(&dir)]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(
        out.ends_with("0 to create, 0 to update, 120 unchanged, 0 unmanaged\n"),
        "{out}"
    );
    gets_only(&gw.log());
    assert_eq!(gw.log().len(), 3, "one listing of three pages");

    // A second import refuses to overwrite, and writes nothing.
    std::fs::write(dir.join("route-050.yaml"), "kept").unwrap();
    let (code, _, err) = run(&mut cmd(&gw), &["import", &s(&dir)]);
    assert_eq!(code, Some(2));
    assert!(err.contains("exists; pass --force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("route-050.yaml")).unwrap(),
        "kept"
    );
    let (code, _, err) = run(&mut cmd(&gw), &["import", &s(&dir), "--force"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        std::fs::read_to_string(dir.join("route-050.yaml"))
            .unwrap()
            .starts_with("name: route-050")
    );
    // Only regular files are replaced, even with --force.
    std::fs::remove_file(dir.join("route-051.yaml")).unwrap();
    std::fs::create_dir(dir.join("route-051.yaml")).unwrap();
    let (code, _, err) = run(&mut cmd(&gw), &["import", &s(&dir), "--force"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("is not a regular file"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn import_in_dsl_and_json_then_plan_shows_no_change() {
    let gw = gateway(Quirks::default());
    for format in ["dsl", "json"] {
        let (_tmp, dir) = scratch(format);
        import(&gw, &dir, format);
        gw.clear_log();
        let (code, out, err) = run(&mut cmd(&gw), &["plan", &s(&dir), "--format", "json"]);
        assert_eq!(code, Some(0), "{format}: {out}\n{err}");
        let doc = json_of(&out);
        assert_eq!(doc["summary"]["unchanged"], 120, "{format}");
        assert!(
            doc["routes"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["action"] == "unchanged")
        );
        gets_only(&gw.log());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn plan_reads_each_route_at_most_once_when_the_listing_carries_no_graph() {
    let gw = gateway(Quirks {
        list_without_graph: true,
        ..Quirks::default()
    });
    let (_tmp, dir) = scratch("nograph");
    import(&gw, &dir, "yaml");
    gw.clear_log();
    let (code, out, err) = run(&mut cmd(&gw), &["plan", &s(&dir), "-v"]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    let log = gw.log();
    gets_only(&log);
    assert_eq!(listing_pages(&log), 3);
    assert_eq!(log.len(), 3 + 120, "one listing plus one read per route");
    // -v prints every request, and never the token.
    let printed = err
        .lines()
        .filter(|l| l.starts_with("request: GET "))
        .count();
    assert_eq!(printed, log.len(), "{err}");
    assert!(
        err.contains("/routes?page=3&per_page=50 → HTTP 200"),
        "{err}"
    );
    assert!(!err.contains(support::gateway::TOKEN));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn drift_in_the_dashboard_is_an_update_in_diffs_words_and_apply_puts_the_file_back() {
    let gw = gateway(Quirks::default());
    let (_tmp, dir) = scratch("drift");
    import(&gw, &dir, "yaml");
    gw.dashboard_edit("route-042", elements(42, 60));
    let (code, out, err) = run(&mut cmd(&gw), &["plan", &s(&dir)]);
    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(out.contains("update     "), "{out}");
    assert!(out.contains("~ split `split`: `a` 60% → 30%"), "{out}");
    assert!(out.contains("~ split `split`: `b` 40% → 70%"), "{out}");
    assert!(
        out.ends_with("0 to create, 1 to update, 119 unchanged, 0 unmanaged\n"),
        "{out}"
    );
    let (code, out, _) = run(&mut cmd(&gw), &["plan", &s(&dir), "--format", "json"]);
    assert_eq!(code, Some(1));
    let doc = json_of(&out);
    let entry = doc["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "update")
        .unwrap()
        .clone();
    assert_eq!(entry["name"], "route-042");
    assert_eq!(entry["file"], s(&dir.join("route-042.yaml")));
    assert_eq!(entry["route_id"], "rt0043");
    assert_eq!(entry["deployed_version"], "v0043-2");
    assert_eq!(entry["changes"][0]["text"], "split `split`: `a` 60% → 30%");

    // The service marks the new version invalid: apply says so before it
    // deploys it, from the version list it reads anyway (no extra request).
    gw.quirks(|q| q.new_versions_invalid = true);
    gw.clear_log();
    let (code, out, err) = run(&mut cmd(&gw), &["apply", &s(&dir), "--yes"]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(
        out.contains("updated `route-042`: added version v0043-3 and deployed it"),
        "{out}"
    );
    assert!(
        err.contains("warning: the gateway marks version v0043-3 of `route-042` invalid"),
        "{err}"
    );
    let writes = gw.writes();
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert_eq!(writes[0].path, format!("{PREFIX}/routes/rt0043/versions"));
    assert_eq!(writes[0].body, json!({"elements": elements(42, 30)}));
    assert_eq!(
        writes[1].path,
        format!("{PREFIX}/routes/rt0043/deployments")
    );
    assert_eq!(writes[1].body, json!({"version_id": "v0043-3"}));
    assert_eq!(gw.deployed_elements("route-042"), Some(elements(42, 30)));
    // Exactly: the listing, the version list before the POST (to tell the new
    // version, which the answer does not name), the POST, the list after, the deployment.
    let sent: Vec<String> = gw
        .log()
        .iter()
        .map(|l| format!("{} {}", l.method, l.path.trim_start_matches(PREFIX)))
        .collect();
    let versions = "/routes/rt0043/versions?page=1&per_page=50";
    assert_eq!(
        sent,
        [
            "GET /routes?page=1&per_page=50".to_string(),
            "GET /routes?page=2&per_page=50".into(),
            "GET /routes?page=3&per_page=50".into(),
            format!("GET {versions}"),
            "POST /routes/rt0043/versions".into(),
            format!("GET {versions}"),
            "POST /routes/rt0043/deployments".into(),
        ]
    );

    // Apply twice: the second sends nothing.
    gw.clear_log();
    let (code, out, err) = run(&mut cmd(&gw), &["apply", &s(&dir), "--yes"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("nothing to apply"), "{out}");
    gets_only(&gw.log());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_route_deleted_in_the_dashboard_is_created_again_and_unmanaged_routes_are_left_alone() {
    let gw = gateway(Quirks::default());
    let (_tmp, dir) = scratch("deleted");
    import(&gw, &dir, "yaml");
    gw.dashboard_delete("route-007");
    // A file that is no longer there: its route is unmanaged, never deleted.
    std::fs::remove_file(dir.join("route-008.yaml")).unwrap();
    let (code, out, _) = run(&mut cmd(&gw), &["plan", &s(&dir)]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("`route-007` is not on the gateway; apply creates it, which deploys it"),
        "{out}"
    );
    assert!(
        out.contains("unmanaged  `route-008` (rt0009): on the gateway, in no file"),
        "{out}"
    );
    assert!(
        out.ends_with("1 to create, 0 to update, 118 unchanged, 1 unmanaged\n"),
        "{out}"
    );

    // Without --yes, away from a terminal: refused, nothing sent.
    gw.clear_log();
    let (code, _, err) = run(&mut cmd(&gw), &["apply", &s(&dir)]);
    assert_eq!(code, Some(2));
    assert!(err.contains("refusing to apply without --yes"), "{err}");
    gets_only(&gw.log());

    let (code, out, err) = run(
        &mut cmd(&gw),
        &["apply", &s(&dir), "--yes", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{err}");
    let doc = json_of(&out);
    assert_eq!(doc["applied"][0]["name"], "route-007");
    assert_eq!(doc["applied"][0]["result"], "created");
    let writes = gw.writes();
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].path, format!("{PREFIX}/routes"));
    assert_eq!(
        writes[0].body,
        json!({"name": "route-007", "elements": elements(7, 30)})
    );
    assert_eq!(gw.route_count("route-008"), 1, "apply never deletes");
    let (code, out, _) = run(&mut cmd(&gw), &["plan", &s(&dir)]);
    assert_eq!(code, Some(0), "unmanaged alone changes nothing: {out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_invalid_file_or_two_files_naming_one_route_send_nothing() {
    let gw = gateway(Quirks::default());
    let (_tmp, dir) = scratch("invalid");
    import(&gw, &dir, "yaml");
    gw.dashboard_edit("route-010", elements(10, 60));
    std::fs::write(
        dir.join("broken.yaml"),
        "name: broken\nstart: a\nnodes:\n  a: end\n  b: {model: openai/x, success: nowhere}\n",
    )
    .unwrap();
    gw.clear_log();
    let (code, out, err) = run(&mut cmd(&gw), &["plan", &s(&dir)]);
    assert_eq!(code, Some(1));
    assert!(out.contains("invalid    "), "{out}");
    assert!(out.ends_with(", 1 invalid\n"), "{out}");
    assert!(err.contains("broken.yaml"), "{err}");
    let (code, _, err) = run(&mut cmd(&gw), &["apply", &s(&dir), "--yes"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("1 route file is invalid; nothing was sent"),
        "{err}"
    );
    gets_only(&gw.log());
    std::fs::remove_file(dir.join("broken.yaml")).unwrap();

    // A path that cannot be read: exit 2 before anything is asked of the gateway.
    gw.clear_log();
    let (code, _, err) = run(
        &mut cmd(&gw),
        &["plan", &s(&dir), &s(&dir.join("missing.yaml"))],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(gw.log().is_empty());

    // Two files naming the same route: an error naming both.
    let copy = dir.join("copy-of-route-011.yaml");
    std::fs::copy(dir.join("route-011.yaml"), &copy).unwrap();
    let (code, out, err) = run(&mut cmd(&gw), &["apply", &s(&dir), "--yes"]);
    assert_eq!(code, Some(1), "{out}");
    let both = format!(
        "error: route `route-011` is named by `{}` and by `{}`; keep it in one file\n",
        s(&copy),
        s(&dir.join("route-011.yaml"))
    );
    assert_eq!(err.matches(&both).count(), 1, "said once: {err}");
    assert_eq!(out.matches(&both[7..both.len() - 1]).count(), 2, "{out}");
    gets_only(&gw.log());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_version_rejected_mid_apply_stops_there_and_says_what_was_done() {
    let gw = gateway(Quirks {
        reject_provider: Some("bad-provider".into()),
        ..Quirks::default()
    });
    let (_tmp, dir) = scratch("rejected");
    import(&gw, &dir, "yaml");
    let split = "30%: a\n      70%: b";
    for (n, from, to) in [
        (20, split, "80%: a\n      20%: b"),
        (21, "model: openai/gpt-21", "model: bad-provider/gpt-21"),
        (22, split, "10%: a\n      90%: b"),
    ] {
        let path = dir.join(format!("route-0{n}.yaml"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{text}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    }
    gw.clear_log();
    let (code, out, err) = run(&mut cmd(&gw), &["apply", &s(&dir), "--yes"]);
    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(out.contains("updated `route-020`"), "{out}");
    assert!(err.contains("HTTP 400; error 7001: Invalid"), "{err}");
    assert!(err.contains("E0501"), "located at the provider: {err}");
    assert!(err.contains("stopped at `route-021`"), "{err}");
    assert!(err.contains("done: updated `route-020`"), "{err}");
    assert!(err.contains("not done: `route-021`, `route-022`"), "{err}");
    let writes: Vec<String> = gw.writes().iter().map(|w| w.path.clone()).collect();
    assert_eq!(
        writes,
        [
            format!("{PREFIX}/routes/rt0021/versions"),
            format!("{PREFIX}/routes/rt0021/deployments"),
            format!("{PREFIX}/routes/rt0022/versions"),
        ]
    );
    assert_eq!(gw.version_count("route-021"), 1);
    assert_eq!(gw.version_count("route-022"), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn extensions_the_api_drops_are_said_once_and_never_a_change_that_stays() {
    let gw = Gateway::start(Quirks::default());
    let (_tmp, dir) = scratch("sticky");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy("routes/canary.yaml", dir.join("canary.yaml")).unwrap();
    let (code, out, err) = run(&mut cmd(&gw), &["apply", &s(&dir), "--yes"]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    let (code, out, err) = run(&mut cmd(&gw), &["plan", &s(&dir)]);
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("unchanged  "), "{out}");
    assert_eq!(
        out.matches("will not reach the gateway").count(),
        1,
        "{out}"
    );
    assert!(out.contains("sticky"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn apply_asks_on_a_terminal_and_only_yes_goes_ahead() {
    let gw = Gateway::start(Quirks::default());
    for i in 4..7 {
        gw.seed_route(&name(i), elements(i, 30));
    }
    let (_tmp, dir) = scratch("prompt");
    let (code, _, err) = run(&mut cmd(&gw), &["import", &s(&dir)]);
    assert_eq!(code, Some(0), "{err}");
    gw.dashboard_edit("route-005", elements(5, 50));
    // `script` gives apply a terminal; what is piped to it is typed there.
    let typed = |answer: &str| {
        let bin = env!("CARGO_BIN_EXE_aig-route");
        let out = std::process::Command::new("script")
            .args(["-qec", "\"$AIG_BIN\" apply \"$AIG_DIR\"", "/dev/null"])
            .env("NO_COLOR", "1")
            .env("CLOUDFLARE_API_TOKEN", support::gateway::TOKEN)
            .env("CLOUDFLARE_ACCOUNT_ID", "acc1")
            .env("AIG_GATEWAY_ID", "gw")
            .env("AIG_API_BASE", &gw.base)
            .env("AIG_BIN", bin)
            .env("AIG_DIR", &dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(format!("{answer}\n").as_bytes())?;
                child.wait_with_output()
            })
            .expect("`script` (util-linux) runs apply on a terminal");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    gw.clear_log();
    let (code, out) = typed("y");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("apply this change to gateway `gw`? (0 to create, 1 to update, 2 unchanged, 0 unmanaged; nothing is deleted)"), "{out}");
    assert!(out.contains("apply cancelled; nothing was sent"), "{out}");
    gets_only(&gw.log());
    let (code, out) = typed("yes");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("updated `route-005`"), "{out}");
    assert_eq!(gw.writes().len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_gateway_that_keeps_failing_is_exit_3_and_nothing_is_concluded() {
    let gw = gateway(Quirks::default());
    let (_tmp, dir) = scratch("unavailable");
    import(&gw, &dir, "yaml");
    // Four 503s (every attempt of the first page), each asking for no wait.
    gw.quirks(|q| {
        q.unavailable_next = 4;
        q.retry_after = Some("0".into());
    });
    gw.clear_log();
    let (code, out, err) = run(&mut cmd(&gw), &["apply", &s(&dir), "--yes"]);
    assert_eq!(code, Some(3), "{out}\n{err}");
    assert!(err.contains("HTTP 503"), "{err}");
    assert!(
        out.is_empty(),
        "no plan from a listing not read to its end: {out}"
    );
    assert_eq!(gw.log().len(), 4);
    gets_only(&gw.log());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn import_leaves_out_a_route_it_cannot_read_and_says_so() {
    let gw = Gateway::start(Quirks::default());
    gw.seed_route("good", elements(4, 30));
    gw.seed_route(
        "broken",
        json!([{"id": "start", "type": "start", "outputs": {"next": {"elementId": 7}}}]),
    );
    let (_tmp, dir) = scratch("unreadable");
    let (code, out, err) = run(&mut cmd(&gw), &["import", &s(&dir)]);
    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(
        err.contains("route `broken` (rt0002) was not imported: it cannot be read"),
        "{err}"
    );
    assert!(dir.join("good.yaml").exists());
    assert!(!dir.join("broken.yaml").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
