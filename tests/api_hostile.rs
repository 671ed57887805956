//! The client is a security boundary: the real binary against a loopback
//! gateway that turns hostile. It echoes the Authorization header in its error
//! texts, sends 5 MB bodies, hands out ids holding `../` and control
//! characters, answers a POST with 502 or with no HTTP answer at all (before
//! or after carrying it out), pages forever, repeats pages, and asks to wait
//! 999999 s. Each test asserts the exact requests sent and what reached the
//! terminal.

mod support {
    pub mod gateway;
    pub mod remote;
}

use serde_json::json;
use support::gateway::{Gateway, Logged, PREFIX, Quirks, TOKEN};
use support::remote::{cmd, json_of, run, wire};

/// Nothing printed holds the token or a raw control character.
fn assert_clean(out: &str, err: &str) {
    for text in [out, err] {
        assert!(!text.contains(TOKEN), "the token leaked: {text}");
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "a raw control character reached the terminal: {text:?}"
        );
    }
}

fn requests(gw: &Gateway) -> Vec<String> {
    gw.log()
        .iter()
        .map(|l: &Logged| {
            format!(
                "{} {}",
                l.method,
                l.path.strip_prefix(PREFIX).unwrap_or(&l.path)
            )
        })
        .collect()
}

#[test]
fn a_token_echoed_in_error_texts_is_scrubbed_and_escapes_are_escaped() {
    let gw = Gateway::start(Quirks {
        echo_auth_in_errors: true,
        reject_provider: Some("groq".into()),
        ..Quirks::default()
    });
    let (code, out, err) = run(&mut cmd(&gw), &["push", "routes/fallback-chain.yaml"]);
    assert_eq!(code, Some(1), "{err}");
    assert_clean(&out, &err);
    assert!(
        err.contains("Authorization: Bearer <redacted>\\u{1b}[31m\\r\\n::add-mask::x"),
        "{err}"
    );
    // The located diagnostic carries the same scrubbed text.
    assert!(err.contains("routes/fallback-chain.yaml:25:12"), "{err}");
    // A wrong token is echoed too: scrubbed as well, since it is the one sent.
    let (code, out, err) = run(
        cmd(&gw).env("CLOUDFLARE_API_TOKEN", "other-secret-42"),
        &["versions", "--route", "x"],
    );
    assert_eq!(code, Some(1));
    assert!(
        !err.contains("other-secret-42") && !out.contains("other-secret-42"),
        "{err}"
    );
}

#[test]
fn a_5_mb_error_body_is_cut_to_a_few_kb() {
    let gw = Gateway::start(Quirks {
        huge_error_next: 1,
        ..Quirks::default()
    });
    let (code, out, err) = run(&mut cmd(&gw), &["versions", "--route", "tiers"]);
    assert_eq!(code, Some(1), "{err}");
    assert_clean(&out, &err);
    assert!(err.len() < 4096, "{} bytes of error", err.len());
    assert!(
        err.contains("HTTP 400") && err.contains("<redacted>"),
        "{err}"
    );
    assert_eq!(requests(&gw), ["GET /routes?page=1&per_page=50"]);
}

#[test]
fn ids_with_dot_dot_and_control_characters_are_encoded_in_paths_and_escaped_in_output() {
    let gw = Gateway::start(Quirks {
        hostile_ids: true,
        ..Quirks::default()
    });
    let route = gw.seed_route("tiers", wire("routes/tiers.yaml"));
    let second = gw.seed_version("tiers", wire("routes/canary.yaml"), true);
    assert_eq!(route, "../rt0001\u{1b}[2J\n");
    let encoded = "%2E%2E%2Frt0001%1B%5B2J%0A";

    let (code, out, err) = run(&mut cmd(&gw), &["versions", "--route", "tiers"]);
    assert_eq!(code, Some(0), "{err}");
    assert_clean(&out, &err);
    assert!(out.contains("../v0001-2\\u{1b}[2J\\n"), "{out}");
    let (code, out, err) = run(&mut cmd(&gw), &["deploy", &second, "--route", "tiers"]);
    assert_eq!(code, Some(0), "{err}");
    assert_clean(&out, &err);
    assert_eq!(gw.deployed("tiers").as_deref(), Some(second.as_str()));
    let (code, out, err) = run(&mut cmd(&gw), &["rollback", "--route", "tiers"]);
    assert_eq!(code, Some(0), "{err}");
    assert_clean(&out, &err);
    let (code, out, err) = run(&mut cmd(&gw), &["pull", "--route", "tiers"]);
    assert_eq!(code, Some(0), "{err}");
    assert_clean(&out, &err);

    let log = requests(&gw);
    assert!(
        log.contains(&format!("POST /routes/{encoded}/deployments")),
        "{log:?}"
    );
    for l in &log {
        assert!(
            l.starts_with("GET /routes") || l.starts_with("POST /routes"),
            "{l}"
        );
        assert!(!l.contains("/../") && !l.contains(".."), "{l}");
        assert!(!l.chars().any(char::is_control), "{l:?}");
    }
    let deploy = gw.writes();
    assert_eq!(deploy[0].body, json!({"version_id": second}));
}

/// A push whose POST fails after the service carried it out: listing again
/// finds the route, so it is not sent again and there is no duplicate.
fn found_by_listing_again(quirks: Quirks) -> Gateway {
    let gw = Gateway::start(quirks);
    let (code, out, err) = run(
        &mut cmd(&gw),
        &["push", "routes/tiers.yaml", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(json_of(&out)["action"], "created");
    assert_eq!(
        requests(&gw),
        [
            "GET /routes?page=1&per_page=50",
            "POST /routes",
            "GET /routes?page=1&per_page=50",
        ]
    );
    assert_eq!(gw.route_count("tiers"), 1, "no duplicate route");
    gw
}

/// A push whose POST fails before the service carried it out: listing again
/// shows nothing, so it is sent again (after the wait), once.
fn sent_again_after_listing(quirks: Quirks) -> Gateway {
    let gw = Gateway::start(quirks);
    let (code, _, err) = run(&mut cmd(&gw), &["push", "routes/tiers.yaml"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        requests(&gw),
        [
            "GET /routes?page=1&per_page=50",
            "POST /routes",
            "GET /routes?page=1&per_page=50",
            "POST /routes",
        ]
    );
    assert_eq!(gw.route_count("tiers"), 1);
    gw
}

#[test]
fn a_post_answered_502_is_checked_by_listing_again_never_resent_blindly() {
    let gw = found_by_listing_again(Quirks {
        post_502_after: 1,
        retry_after: Some("0".into()),
        ..Quirks::default()
    });

    // A new version, carried out then answered 502: found in the version list.
    gw.quirks(|q| q.post_502_after = 1);
    gw.clear_log();
    let (code, out, err) = run(
        &mut cmd(&gw),
        &[
            "push",
            "routes/canary.yaml",
            "--route",
            "tiers",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(json_of(&out)["version_id"], "v0001-2");
    assert_eq!(gw.writes().len(), 1);
    assert_eq!(gw.version_count("tiers"), 2);

    let gw = sent_again_after_listing(Quirks {
        post_502_before: 1,
        retry_after: Some("0".into()),
        ..Quirks::default()
    });

    // Always 502: it stops after the attempts, saying nothing changed; exit 3.
    gw.quirks(|q| q.post_502_before = 100);
    gw.clear_log();
    let (code, _, err) = run(&mut cmd(&gw), &["push", "routes/canary.yaml"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("POST 127.0.0.1:") && err.contains("/routes: HTTP 502"),
        "{err}"
    );
    assert!(
        err.contains("did not take effect, so nothing changed"),
        "{err}"
    );
    let posts = gw.writes().len();
    assert_eq!(posts, 4, "one POST per attempt, each after listing again");
    assert_eq!(gw.route_count("canary"), 0);
}

/// A POST that gets no HTTP answer at all (the reply is not HTTP) is treated
/// like one answered 502: listing again decides.
#[test]
fn an_unanswered_post_is_checked_by_listing_again() {
    found_by_listing_again(Quirks {
        post_unanswered_after: 1,
        ..Quirks::default()
    });
    sent_again_after_listing(Quirks {
        post_unanswered_before: 1,
        ..Quirks::default()
    });
}

#[test]
fn a_list_that_never_ends_or_repeats_is_an_error_and_push_creates_nothing() {
    let gw = Gateway::start(Quirks {
        pages_forever: true,
        ..Quirks::default()
    });
    let (code, _, err) = run(&mut cmd(&gw), &["push", "routes/tiers.yaml"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("cannot be read to its end: it runs past 200 pages of 50"),
        "{err}"
    );
    assert!(!err.contains("no route named"), "{err}");
    assert!(
        gw.writes().is_empty(),
        "nothing is created from a partial list"
    );
    assert_eq!(gw.log().len(), 200);

    let gw = Gateway::start(Quirks {
        repeat_pages: true,
        max_per_page: Some(2),
        ..Quirks::default()
    });
    for name in ["a", "b", "c"] {
        gw.seed_route(name, json!([]));
    }
    let (code, _, err) = run(&mut cmd(&gw), &["push", "routes/tiers.yaml"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("page 2 repeats page 1"), "{err}");
    assert!(gw.writes().is_empty());
    let (code, _, err) = run(&mut cmd(&gw), &["pull", "--route", "c"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(!err.contains("no route named"), "{err}");
}

#[test]
fn a_retry_after_beyond_the_cap_fails_at_once() {
    let gw = Gateway::start(Quirks {
        rate_limit_next: 5,
        retry_after: Some("999999".into()),
        ..Quirks::default()
    });
    let (code, _, err) = run(&mut cmd(&gw), &["versions", "--route", "tiers"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("/routes?page=1&per_page=50: the service asks to retry after 999999 s (Retry-After), more than the 60 s this tool waits"),
        "{err}"
    );
    assert_eq!(gw.log().len(), 1, "no second attempt");

    // After a POST, the route list is read first: it was not created, and the
    // message says nothing changed.
    let gw = Gateway::start(Quirks {
        post_502_before: 1,
        retry_after: Some("999999".into()),
        ..Quirks::default()
    });
    let (code, _, err) = run(&mut cmd(&gw), &["push", "routes/tiers.yaml"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("/routes: the service asks to retry after 999999 s")
            && err.contains("did not take effect, so nothing changed"),
        "{err}"
    );
    assert_eq!(
        requests(&gw),
        [
            "GET /routes?page=1&per_page=50",
            "POST /routes",
            "GET /routes?page=1&per_page=50",
        ]
    );
    assert_eq!(gw.route_count("tiers"), 0);
}

/// The binary really waits (3 s here; no test reads a clock) and says so first,
/// naming the request and why it failed; a short wait is silent.
#[test]
fn a_wait_longer_than_2_s_is_announced_before_it_starts() {
    let gw = Gateway::start(Quirks {
        rate_limit_next: 1,
        retry_after: Some("3".into()),
        ..Quirks::default()
    });
    gw.seed_route("tiers", wire("routes/tiers.yaml"));
    let (code, out, err) = run(&mut cmd(&gw), &["versions", "--route", "tiers"]);
    assert_eq!(code, Some(0), "{err}");
    let port = gw
        .base
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    assert!(
        err.contains(&format!(
            "waiting 3.0 s before retrying GET 127.0.0.1:{port}{PREFIX}/routes?page=1&per_page=50 (attempt 1 failed: HTTP 429"
        )),
        "{err}"
    );
    assert_eq!(
        requests(&gw)[..2],
        [
            "GET /routes?page=1&per_page=50",
            "GET /routes?page=1&per_page=50"
        ]
    );
    assert_clean(&out, &err);
    gw.quirks(|q| {
        q.rate_limit_next = 1;
        q.retry_after = Some("1".into());
    });
    let (code, _, err) = run(&mut cmd(&gw), &["versions", "--route", "tiers"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("waiting"), "{err}");
}

#[test]
fn versions_show_the_services_verdict_and_deploying_an_invalid_one_warns_first() {
    let gw = Gateway::start(Quirks::default());
    gw.seed_route("tiers", wire("routes/tiers.yaml"));
    let bad = gw.seed_version("tiers", wire("routes/canary.yaml"), false);
    let (code, out, _) = run(
        &mut cmd(&gw),
        &["versions", "--route", "tiers", "--format", "json"],
    );
    assert_eq!(code, Some(0));
    let doc = json_of(&out);
    assert_eq!(doc["versions"][0]["is_valid"], true);
    assert_eq!(doc["versions"][1]["is_valid"], false);
    let (_, out, _) = run(&mut cmd(&gw), &["versions", "--route", "tiers"]);
    assert!(
        out.contains(&format!("{bad}  ")) && out.contains("INVALID"),
        "{out}"
    );
    let (code, out, err) = run(&mut cmd(&gw), &["deploy", &bad, "--route", "tiers"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("warning: the gateway marks version v0001-2 of `tiers` invalid"),
        "{err}"
    );
    assert!(out.contains("deployed version v0001-2"), "{out}");

    // `push --deploy` of a version the service marks invalid warns too, from the
    // version list it reads to learn the new version's id, before the deployment.
    gw.quirks(|q| q.new_versions_invalid = true);
    gw.clear_log();
    let (code, out, err) = run(
        &mut cmd(&gw),
        &[
            "push",
            "routes/regional.yaml",
            "--route",
            "tiers",
            "--deploy",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("warning: the gateway marks version v0001-3 of `tiers` invalid"),
        "{err}"
    );
    assert!(
        out.contains("created and deployed version v0001-3"),
        "{out}"
    );
    let log = requests(&gw);
    let tail = &log[log.len() - 3..];
    assert_eq!(
        tail,
        [
            "POST /routes/rt0001/versions",
            "GET /routes/rt0001/versions?page=1&per_page=50",
            "POST /routes/rt0001/deployments",
        ],
        "{log:?}"
    );
    assert_eq!(gw.deployed("tiers").as_deref(), Some("v0001-3"));
    gw.quirks(|q| q.new_versions_invalid = false);

    gw.quirks(|q| q.omit_is_valid = true);
    let (_, out, _) = run(
        &mut cmd(&gw),
        &["versions", "--route", "tiers", "--format", "json"],
    );
    assert_eq!(
        json_of(&out)["versions"][0]["is_valid"],
        serde_json::Value::Null
    );
}
