//! The library's client against the loopback gateway model, with a pause that
//! records the waits it is asked for instead of sleeping: backoff, Retry-After,
//! the total retry budget, no wait after the last attempt, POSTs checked by
//! listing again, and the bounds on what a list may make the client read.
//! Nothing here sleeps or looks at a clock.

mod support {
    pub mod gateway;
}

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aig_route::api::{ApiError, Client, Pause, Token};
use serde_json::json;
use support::gateway::{Gateway, PREFIX, Quirks, TOKEN};

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<(Duration, String)>>>);

impl Pause for Recorder {
    fn pause(&self, wait: Duration, why: &str) {
        self.0.lock().unwrap().push((wait, why.to_string()));
    }
}

impl Recorder {
    fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap().iter().map(|w| w.0).collect()
    }
    fn reasons(&self) -> Vec<String> {
        self.0.lock().unwrap().iter().map(|w| w.1.clone()).collect()
    }
}

fn client(gw: &Gateway) -> (Client, Recorder) {
    let rec = Recorder::default();
    let c = Client::new(
        &gw.base,
        "acc1",
        "gw",
        Token::new(TOKEN.into()),
        Duration::from_secs(30),
    )
    .unwrap()
    .with_pause(Box::new(rec.clone()));
    (c, rec)
}

fn ms(v: &[u64]) -> Vec<Duration> {
    v.iter().map(|m| Duration::from_millis(*m)).collect()
}

#[test]
fn backoff_doubles_and_names_the_request_and_there_is_no_wait_after_the_last_attempt() {
    let gw = Gateway::start(Quirks {
        unavailable_next: 3,
        ..Quirks::default()
    });
    let (c, rec) = client(&gw);
    assert!(c.routes().unwrap().is_empty());
    assert_eq!(rec.waits(), ms(&[500, 1000, 2000]));
    let port = gw
        .base
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    assert_eq!(
        rec.reasons()[0],
        format!(
            "GET 127.0.0.1:{port}{PREFIX}/routes?page=1&per_page=50 (attempt 1 failed: HTTP 503)"
        )
    );
    assert_eq!(gw.log().len(), 4);

    gw.quirks(|q| q.unavailable_next = 100);
    let (c, rec) = client(&gw);
    let e = c.routes().unwrap_err();
    assert_eq!(e.exit_code(), 3, "{e}");
    assert_eq!(
        rec.waits().len(),
        3,
        "four attempts, three waits between them"
    );
    assert_eq!(gw.log().len(), 8);
}

#[test]
fn retry_after_is_honoured_up_to_the_cap_and_the_total_wait_is_bounded() {
    let gw = Gateway::start(Quirks {
        rate_limit_next: 1,
        retry_after: Some("7".into()),
        ..Quirks::default()
    });
    let (c, rec) = client(&gw);
    c.routes().unwrap();
    assert_eq!(rec.waits(), [Duration::from_secs(7)]);

    gw.quirks(|q| {
        q.rate_limit_next = 1;
        q.retry_after = Some("61".into());
    });
    let (c, rec) = client(&gw);
    let e = c.routes().unwrap_err();
    assert!(
        matches!(
            e,
            ApiError::RetryRefused {
                seconds: 61,
                cap: 60,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(e.exit_code(), 3);
    assert!(rec.waits().is_empty());

    // A budget of 1 s: 0.5 s is waited, the next 1 s would pass it.
    gw.quirks(|q| {
        q.unavailable_next = 100;
        q.retry_after = None;
    });
    let (mut c, rec) = client(&gw);
    c.retry.budget = Duration::from_secs(1);
    let before = gw.log().len();
    let e = c.routes().unwrap_err();
    assert!(matches!(e, ApiError::GaveUp { .. }), "{e}");
    assert!(e.to_string().contains("HTTP 503"), "{e}");
    assert_eq!(rec.waits(), ms(&[500]));
    assert_eq!(gw.log().len() - before, 2);

    // The default budget (120 s) bounds waits the service asks for, too: two
    // `Retry-After: 50` are waited, a third would pass it.
    gw.quirks(|q| {
        q.unavailable_next = 0;
        q.rate_limit_next = 100;
        q.retry_after = Some("50".into());
    });
    let (c, rec) = client(&gw);
    let before = gw.log().len();
    let e = c.routes().unwrap_err();
    assert!(matches!(e, ApiError::GaveUp { waited: 100, .. }), "{e}");
    assert_eq!(rec.waits(), [Duration::from_secs(50); 2]);
    assert_eq!(gw.log().len() - before, 3);
}

#[test]
fn a_failed_post_is_sent_again_only_after_listing_shows_it_did_not_take_effect() {
    let gw = Gateway::start(Quirks {
        post_502_before: 1,
        ..Quirks::default()
    });
    let (c, rec) = client(&gw);
    let created = c.create_route("r", &[]).unwrap();
    assert_eq!(created.id, "rt0001");
    let log: Vec<String> = gw
        .log()
        .iter()
        .map(|l| format!("{} {}", l.method, &l.path[PREFIX.len()..]))
        .collect();
    assert_eq!(
        log,
        [
            "POST /routes",
            "GET /routes?page=1&per_page=50",
            "POST /routes"
        ]
    );
    assert_eq!(rec.waits(), ms(&[500]));

    // Never carried out: each attempt is checked by listing, three waits
    // between four attempts, none after the last; nothing was created.
    gw.quirks(|q| q.post_502_before = 100);
    gw.clear_log();
    let (c, rec) = client(&gw);
    let e = c.create_route("never", &[]).unwrap_err();
    assert!(matches!(e, ApiError::NotApplied { .. }), "{e}");
    assert_eq!(rec.waits(), ms(&[500, 1000, 2000]));
    assert_eq!(gw.writes().len(), 4);
    assert_eq!(gw.route_count("never"), 0);
    gw.quirks(|q| q.post_502_before = 0);
    gw.clear_log();

    gw.quirks(|q| q.post_502_after = 1);
    let (c, rec) = client(&gw);
    let created = c.create_route("s", &[]).unwrap();
    assert_eq!(created.name, "s");
    assert_eq!(gw.route_count("s"), 1);
    assert!(rec.waits().is_empty(), "found at once, nothing to wait for");

    // A deployment answered 502 after it happened: the route says it did.
    gw.quirks(|q| q.post_502_after = 1);
    let v = c
        .create_version("rt0001", &[json!({"id": "start"})])
        .unwrap();
    gw.quirks(|q| q.post_502_after = 1);
    c.deploy("rt0001", &v).unwrap();
    assert_eq!(gw.deployed("r"), Some(v));
    assert_eq!(gw.writes().len(), 3, "one POST for each thing made");
}

#[test]
fn lists_are_bounded_in_pages_and_bytes() {
    let gw = Gateway::start(Quirks {
        pages_forever: true,
        ..Quirks::default()
    });
    let (mut c, _) = client(&gw);
    c.limits.max_pages = 5;
    let e = c.routes().unwrap_err();
    assert!(e.to_string().contains("it runs past 5 pages of 50"), "{e}");
    assert_eq!(gw.log().len(), 5);

    let gw = Gateway::start(Quirks::default());
    for i in 0..4 {
        gw.seed_route(
            &format!("r{i}"),
            json!([{"id": "start", "type": "start", "outputs": {}}]),
        );
    }
    let (mut c, _) = client(&gw);
    c.limits.per_page = 1;
    c.limits.list_budget = 900;
    let e = c.routes().unwrap_err();
    assert!(matches!(e, ApiError::Incomplete { .. }), "{e}");
    assert!(e.to_string().contains("pages hold more than"), "{e}");
    assert_eq!(gw.log().len(), 2, "it stopped at the page past the budget");

    // One answer larger than the body cap is not read at all.
    let (mut c, _) = client(&gw);
    c.limits.max_body = 1000;
    let e = c.routes().unwrap_err();
    assert!(e.to_string().contains("larger than"), "{e}");
    assert_eq!(e.exit_code(), 3);
}
