//! Golden diagnostics: every file under `tests/diagnostics/` is a bad (or dubious)
//! route. Its `.expect` twin lists the diagnostics it must produce, one
//! `CODE LINE:COL` per line, exactly; the rendered human output is an `insta`
//! snapshot, so a change in wording shows up in review.

use std::path::Path;

use aig_route::check::check;
use aig_route::diagnostic::{RenderOptions, render};
use aig_route::source::SourceMap;
use aig_route::syntax::{Format, Limits};

/// The route files (`.yaml`, `.json`, `.route`) of a test corpus, sorted.
fn route_files(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "json" | "route")
            )
        })
        .collect();
    files.sort();
    files
}

fn cases() -> Vec<std::path::PathBuf> {
    let files = route_files("tests/diagnostics");
    assert!(
        files.len() >= 20,
        "expected the diagnostic corpus, found {} files",
        files.len()
    );
    files
}

#[test]
fn every_case_gives_exactly_its_expected_diagnostics() {
    let mut failures = Vec::new();
    for path in cases() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut sources = SourceMap::new();
        let id = sources.add(name.clone(), text);
        let format = Format::from_path(&name).unwrap();
        let checked = check(&sources, id, format, &Limits::default());
        let mut actual: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| {
                let (l, c) = d.line_col(&sources);
                format!("{} {l}:{c}", d.code)
            })
            .collect();
        actual.sort();
        let expect_path = path.with_extension("expect");
        let expect_text = std::fs::read_to_string(&expect_path)
            .unwrap_or_else(|_| panic!("{} has no .expect file", name));
        let mut expected: Vec<String> = expect_text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        expected.sort();
        if actual != expected {
            failures.push(format!(
                "{name}:\n  expected {expected:?}\n  actual   {actual:?}"
            ));
        }
        let rendered: String = checked
            .diagnostics
            .iter()
            .map(|d| render(d, &sources, RenderOptions { color: false }))
            .collect();
        insta::assert_snapshot!(name.replace('.', "_"), rendered);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every case here and in the hostile corpus, rendered.
fn all_rendered() -> Vec<(String, String)> {
    let mut files = cases();
    files.extend(route_files("tests/hostile"));
    files
        .iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(path).unwrap();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mut sources = SourceMap::new();
            let id = sources.add(name.clone(), text);
            let checked = check(
                &sources,
                id,
                Format::from_path(&name).unwrap(),
                &Limits::default(),
            );
            let rendered = checked
                .diagnostics
                .iter()
                .map(|d| render(d, &sources, RenderOptions { color: false }))
                .collect();
            (name, rendered)
        })
        .collect()
}

/// An installed binary comes without the repository: no message may send the
/// user to one of its files (the grammar, the schema's source, a design note).
#[test]
fn no_message_names_a_file_the_user_lacks() {
    for (name, rendered) in all_rendered() {
        for bad in ["grammar/", ".pest", "src/", "SPEC", "README"] {
            assert!(
                !rendered.contains(bad),
                "{name}: a message names `{bad}`:\n{rendered}"
            );
        }
    }
}

/// Within one diagnostic, the source lines shown go down the file.
#[test]
fn labels_are_printed_in_line_order() {
    let mut with_several = 0;
    for (name, rendered) in all_rendered() {
        for diag in rendered.split("\n\n") {
            let lines: Vec<usize> = diag
                .lines()
                .filter_map(|l| {
                    let (gutter, _) = l.split_once(" |")?;
                    gutter.trim().parse().ok()
                })
                .collect();
            with_several += usize::from(lines.len() > 1);
            assert!(
                lines.windows(2).all(|w| w[0] <= w[1]),
                "{name}: labels out of line order:\n{diag}"
            );
        }
    }
    assert!(
        with_several >= 5,
        "only {with_several} diagnostics with several labels"
    );
}

#[path = "../benches/common.rs"]
#[allow(dead_code)]
mod generated;

/// A route without a diagnostic never searches for near misses: a "did you
/// mean" search per key of every node once cost a fifth of checking a large
/// route.
#[test]
fn valid_routes_are_checked_without_a_near_miss_search() {
    let mut texts: Vec<(String, String)> = route_files("routes")
        .into_iter()
        .filter(|p| {
            let name = p.to_string_lossy();
            !name.contains(".test.") && !name.contains("example.") && !name.ends_with(".jsonl")
        })
        .map(|p| {
            (
                p.to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    texts.push(("generated.yaml".into(), generated::generated_route(500)));
    // Each YAML route written as gateway JSON too.
    for (name, text) in texts.clone() {
        if let Some(stem) = name.strip_suffix(".yaml") {
            let mut sources = SourceMap::new();
            let (_, checked) =
                aig_route::check::check_text(&mut sources, &name, &text, Format::Yaml);
            let route = checked.parsed.unwrap().route;
            let json = aig_route::emit::to_json(&route).unwrap();
            texts.push((
                format!("{stem}.json"),
                serde_json::to_string_pretty(&json).unwrap(),
            ));
        }
    }
    let mut clean = Vec::new();
    for (name, text) in &texts {
        let format = Format::from_path(name).unwrap();
        let before = aig_route::diagnostic::searches();
        let mut sources = SourceMap::new();
        let (_, checked) = aig_route::check::check_text(&mut sources, name, text, format);
        assert!(checked.is_ok(), "{name} does not compile");
        // The generated route draws warnings, none of which has a "did you
        // mean".
        if checked.diagnostics.is_empty() || name.starts_with("generated") {
            assert_eq!(aig_route::diagnostic::searches(), before, "{name}");
            clean.push(name.as_str());
        }
    }
    // YAML, JSON and the DSL each, and the large generated route.
    for ext in [".yaml", ".json", ".route"] {
        assert!(
            clean.iter().filter(|n| n.ends_with(ext)).count() >= 2,
            "{clean:?}"
        );
    }
    assert!(
        clean.contains(&"generated.yaml") && clean.contains(&"generated.json"),
        "{clean:?}"
    );
}
