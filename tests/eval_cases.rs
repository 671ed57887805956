//! Data-driven evaluation cases: each file under `tests/cases/` holds a route and
//! requests in time order with the path and model each must produce, run through
//! one shared limit state (as `simulate` does).

use std::path::Path;

use aig_route::compile::Program;
use aig_route::eval::{MemoryStore, Report, Request, Session, Step, Value};
use aig_route::source::{SourceId, SourceMap};
use aig_route::syntax::{self, Format, Limits};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    route: Option<String>,
    route_file: Option<String>,
    requests: Vec<Req>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Req {
    #[serde(default)]
    t: f64,
    #[serde(default)]
    metadata: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    fail: Vec<String>,
    cost: Option<f64>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    model: Option<String>,
    path: Option<Vec<String>>,
}

fn compile(text: &str, format: Format) -> Program {
    let mut sources = SourceMap::new();
    let (_, checked) = aig_route::check::check_text(&mut sources, "case", text, format);
    assert!(
        checked.is_ok(),
        "case route has errors: {:?}",
        checked.diagnostics
    );
    checked.program.unwrap()
}

#[test]
fn every_case_file_evaluates_as_expected() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("tests/cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 5);
    let mut checked = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let doc = syntax::parse_doc(&text, SourceId(0), Format::Yaml, &Limits::default()).unwrap();
        let case: Case = serde_json::from_value(doc.to_json())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let program = match (&case.route, &case.route_file) {
            (Some(r), _) => compile(r, Format::Yaml),
            (None, Some(f)) => {
                let t = std::fs::read_to_string(root.join(f)).unwrap();
                compile(&t, Format::from_path(f).unwrap())
            }
            _ => panic!("{}: no route", file.display()),
        };
        let mut store = MemoryStore::new();
        let mut session = Session::new(1);
        let mut req = Request::new(&program);
        for (i, r) in case.requests.iter().enumerate() {
            let mut f = req.fill(&program);
            for (k, v) in &r.metadata {
                let v = match v {
                    serde_json::Value::String(s) => Value::Str(s),
                    serde_json::Value::Number(n) => Value::Num(n.as_f64().unwrap()),
                    serde_json::Value::Bool(b) => Value::Bool(*b),
                    other => panic!("bad metadata {other}"),
                };
                f.set(k, v);
            }
            let mut step = program.begin(&mut session, &req, &mut store, r.t).unwrap();
            let done = loop {
                match step {
                    Step::Call(c) => {
                        let failed = r.fail.iter().any(|f| f == c.id);
                        let report = if failed {
                            Report::Failed
                        } else {
                            Report::Answered
                        };
                        step = program
                            .resume(&mut session, &req, &mut store, r.t, report)
                            .unwrap();
                    }
                    Step::Done(d) => break d,
                }
            };
            if let (Some(c), Some(_)) = (r.cost, done.served_by) {
                program.settle(&session, &req, &mut store, r.t, c).unwrap();
            }
            let model = done.served_by.map(|m| program.node_id(m).to_string());
            let at = format!("{} request {}", file.display(), i + 1);
            assert_eq!(model, r.expect.model, "{at}: model");
            if let Some(path) = &r.expect.path {
                let actual: Vec<&str> =
                    session.path().iter().map(|n| program.node_id(*n)).collect();
                assert_eq!(&actual, path, "{at}: path");
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} requests checked");
}
