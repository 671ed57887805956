//! push, pull, versions, deploy and rollback through the real HTTP client against
//! a loopback server that models the dashboard API and its quirks. No test
//! reaches the internet.

mod support {
    pub mod gateway;
    pub mod remote;
    pub mod scratch;
}

use assert_cmd::Command;
use serde_json::{Value, json};
use support::gateway::{Elements, Gateway, PREFIX, Quirks, TOKEN};
use support::remote::{cmd, json_of, run, wire};
use support::scratch::scratch;

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
    let tmp = scratch("api-push");
    let changed = tmp.path().join("canary.yaml");
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

/// Every way a real answer carries the graph and the list: `elements` missing,
/// `null` or `[]` with the graph only in `version.data` (a JSON string or the
/// array), lists under `data` or `result.data`, short pages.
#[test]
fn graphs_are_read_from_version_data_in_every_shape_and_lists_are_paged() {
    let tiers = wire("routes/tiers.yaml");
    let mut n = 0;
    for elements in [Elements::Missing, Elements::Null, Elements::Empty] {
        for data_as_array in [false, true] {
            n += 1;
            let gw = Gateway::start(Quirks {
                elements,
                data_as_array,
                result_wrapper: n % 2 == 0,
                max_per_page: Some(2),
                ..Quirks::default()
            });
            for i in 0..4 {
                gw.seed_route(&format!("other{i}"), json!([]));
            }
            gw.seed_route("tiers", tiers.clone());
            let (code, out, err) = run(
                &mut cmd(&gw),
                &["push", "routes/tiers.yaml", "--format", "json"],
            );
            assert_eq!(code, Some(0), "{elements:?} {data_as_array}: {err}");
            assert_eq!(json_of(&out)["action"], "up_to_date", "{out}");
            assert!(gw.writes().is_empty(), "an up-to-date push sends nothing");
            // The route is alone on page 3 of 2-item pages; the client asked for
            // 50 a page, followed the echoed 2, and stopped at the short page 3.
            let lists: Vec<String> = gw
                .log()
                .iter()
                .filter(|l| l.path.starts_with(&format!("{PREFIX}/routes?")))
                .map(|l| l.path[PREFIX.len()..].to_string())
                .collect();
            assert_eq!(
                lists,
                [
                    "/routes?page=1&per_page=50",
                    "/routes?page=2&per_page=50",
                    "/routes?page=3&per_page=50"
                ]
            );
        }
    }
}

#[test]
fn pull_writes_the_deployed_version_in_the_format_of_the_output_file() {
    let gw = Gateway::start(Quirks {
        elements: Elements::Missing,
        ..Quirks::default()
    });
    gw.seed_route("tiers", wire("routes/tiers.yaml"));
    let tmp = scratch("api-pull");
    let pull_to = |ext: &str| {
        let file = tmp.path().join(format!("pulled.{ext}"));
        let file = file.to_string_lossy().into_owned();
        let (code, _, err) = run(&mut cmd(&gw), &["pull", "--route", "tiers", "-o", &file]);
        assert_eq!(code, Some(0), "{err}");
        file
    };
    let out_file = pull_to("yaml");
    let pulled = std::fs::read_to_string(&out_file).unwrap();
    let local = Command::cargo_bin("aig-route")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["convert", "routes/tiers.yaml", "--to", "yaml"])
        .output()
        .unwrap();
    // The metadata type declarations and comments are ours only (the gateway
    // keeps neither); the graph is the same.
    let strip = |s: &str| {
        s.lines()
            .filter(|l| {
                !l.starts_with('#')
                    && !l.starts_with("metadata:")
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
    let _ = std::fs::remove_file(&out_file);
    // The DSL too, and it reads back to the same wire elements.
    let dsl_file = pull_to("route");
    let by_id = |v: Value| {
        let mut els = v.as_array().unwrap().clone();
        els.sort_by_key(|e| e["id"].as_str().unwrap().to_string());
        els
    };
    assert_eq!(by_id(wire(&dsl_file)), by_id(wire("routes/tiers.yaml")));
    let _ = std::fs::remove_file(&dsl_file);
}

#[test]
fn failures_are_retried_or_reported_with_their_exit_class() {
    // `Retry-After: 0` keeps the binary from sleeping; the waits themselves are
    // asserted in tests/api_client.rs with a recording pause.
    let gw = Gateway::start(Quirks {
        rate_limit_next: 1,
        retry_after: Some("0".into()),
        ..Quirks::default()
    });
    let (code, out, err) = run(
        &mut cmd(&gw),
        &["push", "routes/regional.yaml", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(json_of(&out)["action"], "created");
    let log = gw.log();
    assert_eq!(log[0].path, log[1].path, "the 429'd GET is sent again");

    // 503: retried, then success.
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

    // Still failing after every retry: exit 3, naming method, host and path.
    gw.quirks(|q| q.unavailable_next = 10);
    gw.clear_log();
    let (code, _, err) = run(&mut cmd(&gw), &["versions", "--route", "regional"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains(&format!(
            "GET 127.0.0.1:{}{PREFIX}/routes?page=1&per_page=50: HTTP 503",
            port(&gw)
        )),
        "{err}"
    );
    assert_eq!(gw.log().len(), 4, "four attempts, then it stops");

    // Nothing listens: exit 3.
    let (code, _, err) = run(
        cmd(&gw).env("AIG_API_BASE", "http://127.0.0.1:9/client/v4"),
        &["versions", "--route", "regional"],
    );
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("GET 127.0.0.1:9/client/v4/accounts/acc1/"),
        "{err}"
    );
}

fn port(gw: &Gateway) -> String {
    gw.base
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string()
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
    // User-info is refused, and never printed.
    let (code, _, err) = run(
        &mut cmd(&gw),
        &[
            "push",
            "routes/tiers.yaml",
            "--api-base",
            &gw.base.replace("http://", "http://me:hunter2@"),
        ],
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("user-info") && !err.contains("hunter2"),
        "{err}"
    );
    // The same from the environment, with a `/` in the password and a host that
    // is not loopback (whose own message would quote the host); and `--help`
    // does not show the variable's value.
    let with_user = "http://me:hun/ter2@api.example.com/client/v4";
    for args in [
        &["versions", "--route", "tiers"][..],
        &["pull", "--help"][..],
    ] {
        let (code, out, err) = run(cmd(&gw).env("AIG_API_BASE", with_user), args);
        assert!(!out.contains("ter2") && !err.contains("ter2"), "{out}{err}");
        if args[1] == "--help" {
            assert_eq!(code, Some(0), "{err}");
            assert!(out.contains("AIG_API_BASE"), "{out}");
        } else {
            assert_eq!(code, Some(2), "{err}");
            assert!(err.contains("user-info"), "{err}");
        }
    }
    assert!(gw.log().is_empty());
}

/// The model answers lists only as the SDKs define them: the array under
/// `data.<plural>` (or `result.data.<plural>`), never the old bare array under
/// `data`, `result.data` or `result`, and no `result_info` or total count.
#[test]
fn the_model_never_answers_the_old_list_shapes() {
    for result_wrapper in [false, true] {
        let gw = Gateway::start(Quirks {
            result_wrapper,
            ..Quirks::default()
        });
        let id = gw.seed_route("tiers", wire("routes/tiers.yaml"));
        for (path, plural) in [
            ("/routes".to_string(), "routes"),
            (format!("/routes/{id}/versions"), "versions"),
            (format!("/routes/{id}/deployments"), "deployments"),
        ] {
            let url = format!(
                "{}/accounts/acc1/ai-gateway/gateways/gw{path}?page=1&per_page=5",
                gw.base
            );
            let text = raw_get(&url);
            let doc = json_of(&text);
            let data = if result_wrapper {
                &doc["result"]["data"]
            } else {
                &doc["data"]
            };
            assert!(data.is_object(), "{text}");
            assert_eq!(data[plural].as_array().map(Vec::len), Some(1), "{text}");
            assert_eq!(
                (data["page"].clone(), data["per_page"].clone()),
                (json!(1), json!(5))
            );
            assert!(doc.get("result_info").is_none() && data.get("total_count").is_none());
            assert!(!doc["result"].is_array() && !doc["result"]["data"].is_array());
        }
        // List items are full route objects, as a GET route answers them.
        let base = format!("{}/accounts/acc1/ai-gateway/gateways/gw/routes", gw.base);
        let listed = json_of(&raw_get(&format!("{base}?page=1&per_page=5")));
        let item = if result_wrapper {
            &listed["result"]["data"]["routes"][0]
        } else {
            &listed["data"]["routes"][0]
        };
        let got = json_of(&raw_get(&format!("{base}/{id}")));
        assert_eq!(item, &got["result"]);
        let mut keys: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "account_tag",
                "created_at",
                "deployment",
                "elements",
                "gateway_id",
                "id",
                "modified_at",
                "name",
                "version"
            ]
        );
        assert!(item["version"]["data"].is_string() && item["version"]["active"] == "true");
        // Creating a version or a deployment answers a route-like object that
        // names no version.
        let made = json_of(&raw_post(
            &format!("{base}/{id}/versions"),
            &json!({"elements": wire("routes/canary.yaml")}),
        ));
        let made = &made["result"];
        assert_eq!(made["id"], json!(id));
        assert!(
            made.get("version_id").is_none() && made.get("version").is_none(),
            "{made}"
        );
        let deployed = json_of(&raw_post(
            &format!("{base}/{id}/deployments"),
            &json!({"version_id": gw.deployed("tiers").unwrap()}),
        ));
        assert!(deployed["result"].get("version_id").is_none(), "{deployed}");
        // A GET version: the route's id, its own `version_id`, `active` as a
        // string, `data` as a JSON string.
        let url = format!(
            "{}/accounts/acc1/ai-gateway/gateways/gw/routes/{id}/versions/{}",
            gw.base,
            gw.deployed("tiers").unwrap()
        );
        let text = raw_get(&url);
        let v = &json_of(&text)["result"];
        assert_eq!(v["id"], json!(id));
        assert_eq!(v["active"], "true");
        assert!(
            v["data"].is_string() && v["version_id"].is_string() && v["is_valid"] == true,
            "{text}"
        );
    }
}

/// What the model answers a POST, sent without our client.
fn raw_post(url: &str, body: &Value) -> String {
    ureq::post(url)
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .header("Content-Type", "application/json")
        .send(body.to_string().as_str())
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap()
}

/// What the model answers a plain GET, read without our client.
fn raw_get(url: &str) -> String {
    ureq::get(url)
        .header("Authorization", &format!("Bearer {TOKEN}"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap()
}
