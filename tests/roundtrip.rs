//! Any valid route converts to any format and back to the same program: over
//! every route of the corpora (`routes/`, the hostile `ok_*` files, the
//! evaluation cases, the warning-only diagnostic cases, the README), each
//! written as YAML, gateway JSON and DSL, and each of those converted to every
//! format again. Equal shares included: they travel as YAML's list form and
//! as distinct spellings in JSON.

#[path = "support/corpus.rs"]
mod corpus;

use aig_route::check::check_text;
use aig_route::emit::{to_dsl, to_json, to_yaml};
use aig_route::source::SourceMap;
use aig_route::syntax::{Format, Route};

/// The route and its canonical program, or the errors the text has.
fn read(name: &str, text: &str, format: Format) -> Result<(Route, String), String> {
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(&mut sources, name, text, format);
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    if !errors.is_empty() {
        return Err(format!("{errors:?}\n{text}"));
    }
    let program = format!("{:?}", checked.program.unwrap().canonical());
    Ok((checked.parsed.unwrap().route, program))
}

fn write(route: &Route, format: Format) -> String {
    match format {
        Format::Yaml => to_yaml(route),
        Format::Dsl => to_dsl(route),
        _ => serde_json::to_string_pretty(&to_json(route).unwrap()).unwrap(),
    }
}

const FORMATS: [Format; 3] = [Format::Yaml, Format::Json, Format::Dsl];

#[test]
fn every_corpus_route_converts_to_every_format_and_back_to_the_same_program() {
    let mut equal_shares = 0;
    for (name, text, format) in corpus::valid_routes() {
        let (route, program) = read(&name, &text, format).unwrap_or_else(|e| panic!("{name}: {e}"));
        equal_shares += usize::from(to_yaml(&route).contains("      - "));
        for a in FORMATS {
            let there = write(&route, a);
            let (route_a, program_a) = read(&name, &there, a)
                .unwrap_or_else(|e| panic!("{name} as {a:?} does not read: {e}"));
            assert_eq!(program_a, program, "{name} as {a:?}:\n{there}");
            for b in FORMATS {
                let again = write(&route_a, b);
                let (_, program_b) = read(&name, &again, b)
                    .unwrap_or_else(|e| panic!("{name} as {a:?} then {b:?}: {e}"));
                assert_eq!(program_b, program, "{name} as {a:?} then {b:?}:\n{again}");
            }
        }
    }
    assert!(equal_shares > 0, "no corpus route has equal shares");
}
