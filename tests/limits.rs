//! Limit state keyed by what a limit is, not where the compiler put it: a
//! redeploy that adds nodes keeps every counter with its limit.

use aig_route::eval::{MemoryStore, Request, Session};
use aig_route::syntax::Format;

const V1: &str = "
name: shop
start: per_user
nodes:
  per_user:
    rate_limit: 2
    window: 1h
    key: metadata.user
    success: main
    fallback: cheap
  main:
    model: openai/gpt-4.1
    timeout: 30s
    retries: 0
    success: done
    fallback: cheap
  cheap:
    model: openai/gpt-4.1-mini
    timeout: 30s
    retries: 0
    success: done
    fallback: done
  done: end
";

/// The same route with a budget in front: `per_user` is now the second limit the
/// compiler numbers, and the budget the first.
const V2: &str = "
name: shop
start: spend
nodes:
  spend:
    budget: $100
    window: 1h
    key: metadata.team
    success: per_user
    fallback: cheap
  per_user:
    rate_limit: 2
    window: 1h
    key: metadata.user
    success: main
    fallback: cheap
  main:
    model: openai/gpt-4.1
    timeout: 30s
    retries: 0
    success: done
    fallback: cheap
  cheap:
    model: openai/gpt-4.1-mini
    timeout: 30s
    retries: 0
    success: done
    fallback: done
  done: end
";

#[test]
fn a_redeploy_keeps_each_counter_with_its_limit() {
    let v1 = aig_route::compile("v1.yaml", V1, Format::Yaml)
        .unwrap()
        .program;
    let v2 = aig_route::compile("v2.yaml", V2, Format::Yaml)
        .unwrap()
        .program;
    let mut store = MemoryStore::new();
    let mut session = Session::new(0);
    let served =
        |p: &aig_route::compile::Program, session: &mut Session, store: &mut MemoryStore| {
            let mut req = Request::new(p);
            req.set_metadata_json(p, r#"{"user": "ann"}"#).unwrap();
            let d = p.decide(session, &req, store, 10.0).unwrap();
            assert!(d.store_error.is_none());
            d.model.map(|m| p.node_id(m).to_string())
        };
    // Two requests under v1 use up ann's rate.
    assert_eq!(
        served(&v1, &mut session, &mut store).as_deref(),
        Some("main")
    );
    assert_eq!(
        served(&v1, &mut session, &mut store).as_deref(),
        Some("main")
    );
    // After the redeploy, `per_user` still remembers them; the new budget starts
    // at zero rather than inheriting ann's count.
    assert_eq!(
        served(&v2, &mut session, &mut store).as_deref(),
        Some("cheap")
    );
    let trace_v2 = {
        let mut s = Session::new(0).with_trace();
        let mut req = Request::new(&v2);
        req.set_metadata_json(&v2, r#"{"user": "bob"}"#).unwrap();
        v2.decide(&mut s, &req, &mut store, 10.0).unwrap();
        s.trace().to_vec()
    };
    assert!(matches!(
        trace_v2.get(1).map(|t| &t.reason),
        Some(aig_route::eval::Reason::Limit {
            used: Some(0.0),
            passed: true
        })
    ));
}
