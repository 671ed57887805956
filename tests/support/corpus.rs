//! The route corpora the property tests run over: every route in `routes/`,
//! the `ok_*` files of the hostile corpus, the routes embedded in the
//! evaluation cases (`tests/cases/*.yaml`, under `route: |`), the diagnostic
//! cases that have warnings but no error, and every route the README shows.

use std::path::Path;

use aig_route::syntax::Format;

/// `(name, text, format)` of every valid route in the corpora, in a fixed order.
pub fn valid_routes() -> Vec<(String, String, Format)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["routes", "tests/hostile", "tests/diagnostics"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let Some(format) = Format::from_path(&name) else {
                continue;
            };
            let companion = [".traffic.", ".pricing.", ".test."]
                .iter()
                .any(|c| name.contains(c));
            let wanted = match dir {
                "routes" => !companion,
                "tests/hostile" => name.starts_with("ok_"),
                // Warnings only: every line of the `.expect` is a `W` code.
                _ => std::fs::read_to_string(f.with_extension("expect"))
                    .is_ok_and(|e| e.lines().all(|l| !l.trim_start().starts_with('E'))),
            };
            if wanted {
                let text = std::fs::read_to_string(&f).unwrap();
                out.push((format!("{dir}/{name}"), text, format));
            }
        }
    }
    let mut cases: Vec<_> = std::fs::read_dir(root.join("tests/cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    for f in cases {
        let text = std::fs::read_to_string(&f).unwrap();
        if let Some(route) = embedded(&text) {
            let name = format!("tests/cases/{}", f.file_name().unwrap().to_string_lossy());
            out.push((name, route, Format::Yaml));
        }
    }
    for (line, text, format) in readme_routes() {
        out.push((format!("README.md:{line}"), text, format));
    }
    assert!(
        out.len() >= 25,
        "the corpora hold only {} routes",
        out.len()
    );
    out
}

/// The block under `route: |`, dedented.
fn embedded(text: &str) -> Option<String> {
    let mut lines = text.lines().skip_while(|l| l.trim_end() != "route: |");
    lines.next()?;
    let body: Vec<&str> = lines
        .take_while(|l| l.is_empty() || l.starts_with("  "))
        .collect();
    Some(
        body.iter()
            .map(|l| format!("{}\n", l.get(2..).unwrap_or("")))
            .collect(),
    )
}

/// The routes in the README's fenced blocks: YAML with `nodes:`, and DSL
/// blocks that begin (after comments) with `route `.
fn readme_routes() -> Vec<(usize, String, Format)> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut out = Vec::new();
    let mut open: Option<(String, String, usize, String)> = None;
    for (i, line) in readme.lines().enumerate() {
        if let Some((fence, lang, at, body)) = &mut open {
            if line.trim_end() == fence.as_str() {
                let is_yaml = lang == "yaml" && body.lines().any(|l| l.starts_with("nodes:"));
                let is_dsl = lang.is_empty()
                    && body
                        .lines()
                        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                        .is_some_and(|l| l.starts_with("route "));
                if is_yaml {
                    out.push((*at, body.clone(), Format::Yaml));
                } else if is_dsl {
                    out.push((*at, body.clone(), Format::Dsl));
                }
                open = None;
            } else {
                body.push_str(line);
                body.push('\n');
            }
        } else {
            let ticks = line.len() - line.trim_start_matches('`').len();
            if ticks >= 3 {
                let lang = line[ticks..].trim().to_string();
                open = Some(("`".repeat(ticks), lang, i + 1, String::new()));
            }
        }
    }
    out
}
