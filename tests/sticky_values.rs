//! Which value a split hashes, and its bucket, recomputed here from the rule
//! itself: `u64_be(SHA-256(route ‖ 0 ‖ node ‖ 0 ‖ value)[0..8]) mod 10000`,
//! the value being the sticky field as text (a string, a number in its
//! shortest form, `true`/`false`), else the request id, else a random draw.
//! Fields and ids of every length around one SHA-256 block (hashed by one
//! compression when they fit, by the hasher otherwise), with and without a
//! front table before the split (whose decisions are then copied, not
//! walked); the untraced decision must equal the traced one.

use aig_route::eval::{MemoryStore, Reason, Request, Session, StickyFrom, Value, write_number};
use aig_route::syntax::Format;
use sha2::{Digest, Sha256};

fn bucket(route: &str, node: &str, value: &[u8]) -> u16 {
    let mut h = Sha256::new();
    for part in [route.as_bytes(), &[0], node.as_bytes(), &[0], value] {
        h.update(part);
    }
    let d = h.finalize();
    (u64::from_be_bytes(d[..8].try_into().unwrap()) % 10_000) as u16
}

const TAIL: &str = "  a:\n    model: openai/a\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  b:\n    model: openai/b\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n";

fn route(front: bool, sticky: bool) -> String {
    let st = if sticky {
        "    sticky: metadata.user\n"
    } else {
        ""
    };
    let split = format!("  s:\n{st}    split:\n      40%: a\n      60%: b\n");
    if front {
        format!(
            "name: r\nstart: c\nnodes:\n  c:\n    if: 'metadata.plan == \"paid\"'\n    then: s\n    else: a\n{split}{TAIL}"
        )
    } else {
        format!("name: r\nstart: s\nnodes:\n{split}{TAIL}")
    }
}

#[test]
fn the_split_hashes_the_value_the_rule_names_at_every_length() {
    let long = "x".repeat(100);
    let values = [
        None,
        Some(Value::Str("")),
        Some(Value::Str("u1")),
        Some(Value::Str("a-sixteen-bytes!")),
        Some(Value::Str("caf\u{e9}-\u{1f600}-twenty-bytes...")),
        Some(Value::Str(&long)),
        Some(Value::Num(2.0)),
        Some(Value::Num(-0.0)),
        Some(Value::Num(2.5)),
        Some(Value::Bool(true)),
        Some(Value::Bool(false)),
    ];
    let ids = [
        None,
        Some(""),
        Some("req-1"),
        Some("a-request-id-of-more-than-sixteen"),
        Some(long.as_str()),
    ];
    for front in [false, true] {
        for sticky in [false, true] {
            let p = aig_route::compile("r.yaml", &route(front, sticky), Format::Yaml)
                .unwrap_or_else(|e| panic!("{e}"))
                .program;
            for v in &values {
                for id in ids {
                    let mut req = Request::new(&p);
                    let mut f = req.fill(&p);
                    if front {
                        f.set("plan", Value::Str("paid"));
                    }
                    if let Some(v) = v {
                        f.set("user", *v);
                    }
                    if let Some(id) = id {
                        f.set_id(id);
                    }
                    let field = if sticky { *v } else { None };
                    let (want_from, hashed) = match (field, id) {
                        (Some(Value::Str(s)), _) => (StickyFrom::Field, Some(s.to_string())),
                        (Some(Value::Num(x)), _) => {
                            let mut t = String::new();
                            write_number(&mut t, x);
                            (StickyFrom::Field, Some(t))
                        }
                        (Some(Value::Bool(b)), _) => (StickyFrom::Field, Some(b.to_string())),
                        (None, Some(id)) => (StickyFrom::RequestId, Some(id.to_string())),
                        (None, None) => (StickyFrom::Random, None),
                    };
                    let case = format!("front {front}, sticky {sticky}, {v:?}, id {id:?}");
                    let mut traced = Session::new(7).with_trace();
                    let mut store = MemoryStore::new();
                    p.decide(&mut traced, &req, &mut store, 0.0).unwrap();
                    let (b, from) = traced
                        .trace()
                        .iter()
                        .find_map(|t| match t.reason {
                            Reason::Split { bucket, from, .. } => Some((bucket, from)),
                            _ => None,
                        })
                        .unwrap();
                    assert_eq!(from, want_from, "{case}");
                    if let Some(h) = &hashed {
                        assert_eq!(b, bucket("r", "s", h.as_bytes()), "{case}");
                    }
                    // Untraced (copied when a front leads in) and traced
                    // agree, random draws included.
                    let mut fast = Session::new(7);
                    let mut slow = Session::new(7).with_trace();
                    for _ in 0..3 {
                        let d = p.decide(&mut fast, &req, &mut store, 0.0).unwrap();
                        let u = (d.model, d.path.to_vec(), d.fallbacks.to_vec());
                        let d = p.decide(&mut slow, &req, &mut store, 0.0).unwrap();
                        let t = (d.model, d.path.to_vec(), d.fallbacks.to_vec());
                        assert_eq!(u, t, "{case}");
                        assert_eq!(fast.path(), slow.path(), "{case}");
                    }
                }
            }
        }
    }
}

#[test]
fn escaped_metadata_strings_read_back_whole_in_either_place() {
    let p = aig_route::compile("r.yaml", &route(false, true), Format::Yaml)
        .unwrap_or_else(|e| panic!("{e}"))
        .program;
    let slot = p.slot("user").unwrap();
    let mut req = Request::new(&p);
    for (json, want) in [
        (r#"{"user": "a\"b"}"#, "a\"b"),
        (
            r#"{"user": "a long value with an escape \n past sixteen"}"#,
            "a long value with an escape \n past sixteen",
        ),
        (
            r#"{"user": "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"}"#,
            "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
        ),
        (r#"{"user": "short"}"#, "short"),
        (r#"{"us\u0065r": "k"}"#, "k"),
    ] {
        req.set_metadata_json(&p, json).unwrap();
        assert_eq!(req.get(slot), Some(Value::Str(want)), "{json}");
    }
}
