//! The evaluator's public API on the example routes: metadata from the input
//! (as raw JSON), a session seed, and a run of decisions at growing times
//! sharing one limit store. Every decision must come back, on a path no longer
//! than the program.
#![no_main]

use aig_route::check::check;
use aig_route::eval::{MemoryStore, Request, Session};
use aig_route::source::SourceMap;
use aig_route::syntax::{Format, Limits};

const ROUTES: &[(&str, Format)] = &[
    (include_str!("../../routes/tiers.yaml"), Format::Yaml),
    (include_str!("../../routes/canary.yaml"), Format::Yaml),
    (include_str!("../../routes/team-budget.yaml"), Format::Yaml),
    (include_str!("../../routes/regional.yaml"), Format::Yaml),
    (include_str!("../../routes/anchor.json"), Format::Json),
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let (route, format) = ROUTES[data[0] as usize % ROUTES.len()];
    let seed = u64::from(data[1]);
    let steps = 1 + data[2] as usize % 16;
    let mut sources = SourceMap::new();
    let id = sources.add("route", route);
    let program = check(&sources, id, format, &Limits::default())
        .program
        .expect("an example route compiles");
    let mut req = Request::new(&program);
    let _ = req.set_metadata_json(&program, &String::from_utf8_lossy(&data[3..]));
    let mut session = Session::new(seed);
    let mut store = MemoryStore::new();
    for step in 0..steps {
        let d = program
            .decide(&mut session, &req, &mut store, step as f64 * 7.5)
            .expect("a request of this program decides");
        assert!(d.path.len() <= program.len());
    }
});
