//! The whole pipeline on one text, shared by the route targets: read, validate,
//! compile, evaluate, convert to every format and back, format twice (and by
//! `tests/fuzz.rs`, under proptest). Anything
//! but a clean diagnostic or a round trip to the same program is a crash.

use aig_route::check::check;
use aig_route::eval::{MemoryStore, Request, Session};
use aig_route::source::SourceMap;
use aig_route::syntax::{Format, Limits};

/// The bytes as a route file, when they are UTF-8.
pub fn run(data: &[u8], format: Format) {
    if let Ok(text) = std::str::from_utf8(data) {
        run_text(text, format);
    }
}

/// A route file's text through every stage (also run by `tests/fuzz.rs`).
pub fn run_text(text: &str, format: Format) {
    let mut sources = SourceMap::new();
    let id = sources.add("fuzz", text);
    let limits = Limits::default();
    let checked = check(&sources, id, format, &limits);
    for d in &checked.diagnostics {
        let (line, col) = d.line_col(&sources);
        assert!(line >= 1 && col >= 1);
        let _ = aig_route::diagnostic::render(d, &sources, Default::default());
    }
    if let (Some(parsed), Some(program)) = (checked.parsed.as_ref(), checked.program.as_ref()) {
        let mut req = Request::new(program);
        let _ = req.set_metadata_json(program, r#"{"plan":"paid","tier":3,"user_id":"u1"}"#);
        let (mut session, mut store) = (Session::new(1), MemoryStore::new());
        let d = program
            .decide(&mut session, &req, &mut store, 0.0)
            .expect("a request of this program decides");
        assert!(d.path.len() <= program.len());
        let json = aig_route::emit::to_json(&parsed.route)
            .map(|v| serde_json::to_string(&v).expect("JSON prints"));
        let copies = [
            Some((aig_route::emit::to_yaml(&parsed.route), Format::Yaml)),
            Some((aig_route::emit::to_dsl(&parsed.route), Format::Dsl)),
            json.ok().map(|j| (j, Format::Json)),
        ];
        for (copy, f) in copies.into_iter().flatten() {
            let back = sources.add("copy", copy.clone());
            let again = check(&sources, back, f, &limits);
            let p2 = again
                .program
                .as_ref()
                .filter(|_| again.is_ok())
                .unwrap_or_else(|| {
                    panic!(
                        "{f:?} copy does not read back:\n{copy}\n{:?}",
                        again.diagnostics
                    )
                });
            assert_eq!(program.canonical(), p2.canonical(), "{f:?} copy differs");
        }
    }
    if format != Format::Json
        && let Ok(once) = aig_route::fmt::format_file(&sources, id, format, &limits)
    {
        let again = sources.add("formatted", once.clone());
        let twice = aig_route::fmt::format_file(&sources, again, format, &limits)
            .expect("formatted output reads back");
        assert_eq!(once, twice, "fmt is not idempotent");
    }
}
