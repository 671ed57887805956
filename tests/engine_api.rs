//! The embedding API: a request or session of another program is refused, a
//! reused request keeps nothing of the one before, the decision names its
//! provider and model, the first model is had without walking further, the
//! explanation is data; and arbitrary call sequences never panic.

use aig_route::compile::Program;
use aig_route::eval::{EvalError, MemoryStore, Report, Request, Session, Step, Value};
use aig_route::syntax::Format;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

fn anchor() -> Program {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/anchor.json"))
        .unwrap();
    aig_route::compile("anchor.json", &text, Format::Json)
        .unwrap()
        .program
}

fn tiers() -> Program {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/tiers.yaml")).unwrap();
    aig_route::compile("tiers.yaml", &text, Format::Yaml)
        .unwrap()
        .program
}

#[test]
fn a_request_or_session_of_another_program_is_refused() {
    let (a, t) = (anchor(), tiers());
    assert_ne!(a.fingerprint(), t.fingerprint());
    assert_eq!(a.fingerprint(), anchor().fingerprint());
    let mut store = MemoryStore::new();
    let mut s = Session::new(0);
    let req_t = Request::new(&t);
    assert_eq!(
        a.decide(&mut s, &req_t, &mut store, 0.0).unwrap_err(),
        EvalError::ForeignRequest
    );
    assert_eq!(
        a.decide(&mut s, &Request::default(), &mut store, 0.0)
            .unwrap_err(),
        EvalError::ForeignRequest
    );
    // A session begun on tiers cannot be resumed or settled on anchor.
    t.begin(&mut s, &req_t, &mut store, 0.0).unwrap();
    let req_a = Request::new(&a);
    assert_eq!(
        a.resume(&mut s, &req_a, &mut store, 0.0, Report::Answered)
            .unwrap_err(),
        EvalError::ForeignSession
    );
    assert_eq!(
        a.settle(&s, &req_a, &mut store, 0.0, 1.0).unwrap_err(),
        EvalError::ForeignSession
    );
    // A fresh session has begun nothing.
    assert_eq!(
        a.resume(
            &mut Session::new(0),
            &req_a,
            &mut store,
            0.0,
            Report::Answered
        )
        .unwrap_err(),
        EvalError::ForeignSession
    );
    let words = EvalError::ForeignRequest.to_string();
    assert!(words.contains("another program"), "{words}");
}

#[test]
fn a_reused_request_keeps_nothing_of_the_one_before() {
    let a = anchor();
    let mut store = MemoryStore::new();
    let mut s = Session::new(0);
    let mut req = Request::new(&a);
    let mut f = req.fill(&a);
    assert!(f.set("plan", Value::Str("paid")));
    assert!(f.set("tier", Value::Num(3.0)));
    assert!(!f.set("unread", Value::Num(1.0)));
    f.set_id("r1");
    let d = a.decide(&mut s, &req, &mut store, 0.0).unwrap();
    assert!(matches!(a.node_id(d.model.unwrap()), "gpt41" | "sonnet"));
    // Only the region this time: the plan and tier of before must be gone.
    req.fill(&a).set("region", Value::Str("us-east"));
    assert_eq!(req.id(), None);
    let d = a.decide(&mut s, &req, &mut store, 0.0).unwrap();
    assert_eq!(a.node_id(d.model.unwrap()), "llama");
    // The same through the metadata string, and a refused string leaves nothing.
    req.set_metadata_json(&a, r#"{"plan":"paid","tier":2}"#)
        .unwrap();
    assert!(
        req.set_metadata_json(&a, r#"{"plan":"free", "tier":"#)
            .is_err()
    );
    let d = a.decide(&mut s, &req, &mut store, 0.0).unwrap();
    assert_eq!(a.node_id(d.model.unwrap()), "llama");
    // Refilled for another program, the request is that program's.
    let t = tiers();
    req.fill(&t);
    assert!(t.decide(&mut s, &req, &mut store, 0.0).is_ok());
    assert_eq!(
        a.decide(&mut s, &req, &mut store, 0.0).unwrap_err(),
        EvalError::ForeignRequest
    );
}

#[test]
fn the_decision_names_provider_and_model_and_the_first_model_is_cheap() {
    let a = anchor();
    let mut store = MemoryStore::new();
    let mut s = Session::new(0);
    let mut req = Request::new(&a);
    req.set_metadata_json(&a, r#"{"plan":"free","region":"eu-west"}"#)
        .unwrap();
    let d = a.decide(&mut s, &req, &mut store, 0.0).unwrap();
    let served = d.served.unwrap();
    assert_eq!(
        (served.id, &*served.spec.provider, &*served.spec.model),
        ("mistral", "mistral", "mistral-large")
    );
    assert_eq!(d.fallbacks.len(), 1);
    let first = a
        .first_model(&mut s, &req, &mut store, 0.0)
        .unwrap()
        .unwrap();
    assert_eq!(first.id, "mistral");
    // Nothing past the first model was walked.
    assert_eq!(
        s.path().iter().map(|n| a.node_id(*n)).collect::<Vec<_>>(),
        ["start", "paid_tier", "eu", "mistral"]
    );
}

#[test]
fn the_explanation_is_data_and_reads_as_eval_prints_it() {
    let a = anchor();
    let mut req = Request::new(&a);
    req.set_metadata_json(&a, r#"{"plan":"paid","tier":1,"region":"us"}"#)
        .unwrap();
    let mini = a.find_node("mini").unwrap();
    let x = a
        .explain(&req, &mut MemoryStore::new(), 0.0, 0, &[])
        .unwrap();
    assert_eq!(x.path, ["start", "paid_tier", "eu", "trial", "mini", "end"]);
    let served = x.served.as_ref().unwrap();
    assert_eq!(
        (&*served.provider, &*served.model),
        ("openai", "gpt-4.1-mini")
    );
    let text = x.to_string();
    assert!(
        text.contains("served by `mini` (openai/gpt-4.1-mini)"),
        "{text}"
    );
    assert_eq!(x.to_json()["outcome"], "success");
    let failed = a
        .explain(&req, &mut MemoryStore::new(), 0.0, 0, &[mini])
        .unwrap();
    assert!(failed.served.is_none());
    assert!(failed.to_string().ends_with("error: no model answered\n"));
    assert_eq!(failed.to_json()["outcome"], "error");
}

/// One call of the public API, with indices into the programs, requests and
/// sessions under test.
#[derive(Clone, Debug)]
enum Op {
    Fill(usize, usize, Vec<(u8, u8)>, Option<u8>),
    Json(usize, usize, String),
    Begin(usize, usize, usize, f64),
    Resume(usize, usize, usize, bool, f64),
    Settle(usize, usize, usize, f64),
    Decide(usize, usize, usize, f64),
    First(usize, usize, usize, f64),
    Fallbacks(usize, usize, usize),
    Explain(usize, usize, u64),
}

fn time() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.0..1e6f64,
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(-1.0),
        Just(f64::MAX)
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let ix = || 0usize..3;
    let keys = prop::collection::vec((0u8..6, 0u8..6), 0..6);
    prop_oneof![
        (ix(), ix(), keys, prop::option::of(0u8..4))
            .prop_map(|(r, p, k, id)| Op::Fill(r, p, k, id)),
        (ix(), ix(), "[{}\":,a-z0-9 .\\\\-]{0,40}").prop_map(|(r, p, j)| Op::Json(r, p, j)),
        (ix(), ix(), ix(), time()).prop_map(|(p, s, r, t)| Op::Begin(p, s, r, t)),
        (ix(), ix(), ix(), any::<bool>(), time())
            .prop_map(|(p, s, r, ok, t)| Op::Resume(p, s, r, ok, t)),
        (ix(), ix(), ix(), prop_oneof![any::<f64>(), 0.0..10.0f64])
            .prop_map(|(p, s, r, c)| Op::Settle(p, s, r, c)),
        (ix(), ix(), ix(), time()).prop_map(|(p, s, r, t)| Op::Decide(p, s, r, t)),
        (ix(), ix(), ix(), time()).prop_map(|(p, s, r, t)| Op::First(p, s, r, t)),
        (ix(), ix(), ix()).prop_map(|(p, s, r)| Op::Fallbacks(p, s, r)),
        (ix(), ix(), any::<u64>()).prop_map(|(p, r, seed)| Op::Explain(p, r, seed)),
    ]
}

const KEYS: [&str; 6] = ["plan", "tier", "region", "user_id", "team", "unread"];
const VALUES: [Value<'static>; 6] = [
    Value::Str("paid"),
    Value::Str("eu-west"),
    Value::Num(2.0),
    Value::Num(f64::NAN),
    Value::Bool(true),
    Value::Str(""),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, rng_seed: RngSeed::Fixed(0x5eed_0002), ..ProptestConfig::default() })]

    /// Any sequence of calls, on requests and sessions shared between programs,
    /// with any times and costs: every call returns, and a request or session of
    /// another program is refused rather than misread.
    #[test]
    fn arbitrary_call_sequences_never_panic(ops in prop::collection::vec(op(), 1..60)) {
        let programs = [anchor(), tiers(), anchor().with_store_failure(aig_route::compile::StoreFailure::Closed)];
        let mut requests = [Request::default(), Request::new(&programs[0]), Request::new(&programs[1])];
        let mut owner = [None, Some(0usize), Some(1)];
        let mut sessions = [Session::new(0), Session::new(1).with_trace(), Session::new(2)];
        let mut store = MemoryStore::new();
        let same = |a: Option<usize>, b: usize| a.is_some_and(|a| programs[a].fingerprint() == programs[b].fingerprint());
        for op in ops {
            match op {
                Op::Fill(r, p, kv, id) => {
                    let mut f = requests[r].fill(&programs[p]);
                    for (k, v) in kv {
                        f.set(KEYS[k as usize], VALUES[v as usize]);
                    }
                    if let Some(id) = id {
                        f.set_id(&format!("r{id}"));
                    }
                    owner[r] = Some(p);
                }
                Op::Json(r, p, json) => {
                    let _ = requests[r].set_metadata_json(&programs[p], &json);
                    owner[r] = Some(p);
                }
                Op::Begin(p, s, r, t) => {
                    let got = programs[p].begin(&mut sessions[s], &requests[r], &mut store, t);
                    prop_assert_eq!(got.is_ok(), same(owner[r], p));
                }
                Op::Resume(p, s, r, ok, t) => {
                    let report = if ok { Report::Answered } else { Report::Failed };
                    let got = programs[p].resume(&mut sessions[s], &requests[r], &mut store, t, report);
                    if !same(owner[r], p) {
                        prop_assert_eq!(got.unwrap_err(), EvalError::ForeignRequest);
                    } else if let Ok(Step::Call(c)) = got {
                        prop_assert!(programs[p].model(c.node).is_some());
                    }
                }
                Op::Settle(p, s, r, c) => {
                    let _ = programs[p].settle(&sessions[s], &requests[r], &mut store, 0.0, c);
                }
                Op::Decide(p, s, r, t) => {
                    let got = programs[p].decide(&mut sessions[s], &requests[r], &mut store, t);
                    prop_assert_eq!(got.is_ok(), same(owner[r], p));
                    if let Ok(d) = got {
                        prop_assert_eq!(d.model, d.served.map(|c| c.node));
                        prop_assert!(d.path.len() <= programs[p].len());
                    }
                }
                Op::First(p, s, r, t) => {
                    let got = programs[p].first_model(&mut sessions[s], &requests[r], &mut store, t);
                    prop_assert_eq!(got.is_ok(), same(owner[r], p));
                }
                Op::Fallbacks(p, s, r) => {
                    let _ = programs[p].fallbacks(&mut sessions[s], &requests[r], &mut store, 0.0);
                }
                Op::Explain(p, r, seed) => {
                    let got = programs[p].explain(&requests[r], &mut store, 0.0, seed, &[]);
                    prop_assert_eq!(got.is_ok(), same(owner[r], p));
                    if let Ok(x) = got {
                        let _ = (x.to_string(), x.to_json());
                    }
                }
            }
        }
    }
}
