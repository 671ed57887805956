//! Hostile input: every file gives located diagnostics, never a panic, a stack
//! overflow or unbounded memory.

#[path = "support/scratch.rs"]
mod scratch;
use aig_route::check::check_text;
use aig_route::diagnostic::Code;
use aig_route::source::SourceMap;
use aig_route::syntax::Format;
use assert_cmd::Command;
use scratch::scratch;

fn codes(text: &str, format: Format) -> Vec<(Code, usize, usize)> {
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(&mut sources, "hostile", text, format);
    checked
        .diagnostics
        .iter()
        .map(|d| {
            let (l, c) = d.line_col(&sources);
            (d.code, l, c)
        })
        .collect()
}

fn has(text: &str, format: Format, code: Code) {
    let found = codes(text, format);
    assert!(
        found.iter().any(|(c, _, _)| *c == code),
        "expected {code} in {found:?}"
    );
}

#[test]
fn deep_nesting_is_a_located_limit_error() {
    // The YAML scanner has its own nesting bound (256); it too is the depth code.
    let found = codes(&format!("start: {}", "[".repeat(200_000)), Format::Yaml);
    assert!(
        matches!(found.as_slice(), [(Code::LimitExceeded, 1, _)]),
        "{found:?}"
    );
    has(
        &format!("start: {}", "[".repeat(200)),
        Format::Yaml,
        Code::LimitExceeded,
    );
    has(
        &format!("{}{}", "{\"a\":".repeat(100_000), "1"),
        Format::Json,
        Code::LimitExceeded,
    );
    let cond = format!(
        "start: c\nnodes:\n  c:\n    if: {}metadata.a == 1{}\n    then: d\n    else: d\n  d: end\n",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    has(&cond, Format::Yaml, Code::LimitExceeded);
    let nots = format!(
        "start: c\nnodes:\n  c:\n    if: '{}exists metadata.a'\n    then: d\n    else: d\n  d: end\n",
        "!".repeat(100_000)
    );
    has(&nots, Format::Yaml, Code::LimitExceeded);
}

/// Nesting far past the grammar's own cap (128) names the bound in effect
/// (64 by default, or `--max-depth`), as nesting just past that bound does.
#[test]
fn the_depth_error_names_the_bound_in_effect() {
    let deep_dsl = format!(
        "route r {{\n  start -> c\n  c: if {}metadata.a == 1{} {{ then -> d else -> d }}\n  d: end\n}}\n",
        "!(".repeat(1000),
        ")".repeat(1000)
    );
    let deep_block = format!(
        "route r {{\n  start -> c0\n  c0: {} end {}\n}}\n",
        "if metadata.a == 1 { then -> ".repeat(1000),
        "else -> end }".repeat(1000)
    );
    for (text, depth) in [
        (&deep_dsl, None),
        (&deep_block, None),
        (&deep_dsl, Some("10")),
    ] {
        let mut c = Command::cargo_bin("aig-route").unwrap();
        c.args(["validate", "-"]).write_stdin(text.as_str());
        if let Some(d) = depth {
            c.args(["--max-depth", d]);
        }
        let out = c.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let want = format!("nested more than {} deep", depth.unwrap_or("64"));
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("E0107") && err.contains(&want), "{err}");
    }
}

#[test]
fn alias_bombs_are_bounded() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..20 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("b{}", i - 1)
        };
        bomb.push_str(&format!(
            "b{i}: &b{i} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
    }
    has(&bomb, Format::Yaml, Code::LimitExceeded);
}

#[test]
fn odd_numbers_are_reported_not_trusted() {
    let route = |limit: &str, window: &str| {
        format!(
            "start: l\nnodes:\n  l:\n    rate_limit: {limit}\n    window: {window}\n    success: d\n    fallback: d\n  d: end\n"
        )
    };
    has(&route(".nan", "1h"), Format::Yaml, Code::BadLimit);
    has(&route(".inf", "1h"), Format::Yaml, Code::BadLimit);
    has(&route("1e400", "1h"), Format::Yaml, Code::BadLimit);
    has(&route("1e300", "1h"), Format::Yaml, Code::BadLimit);
    has(&route("0", "1h"), Format::Yaml, Code::BadLimit);
    has(
        &route("5", "18446744073709551616000000"),
        Format::Yaml,
        Code::BadWindow,
    );
    has(&route("5", "-.inf"), Format::Yaml, Code::BadWindow);
    has(&route("5", "0.5s"), Format::Yaml, Code::BadWindow);
    has(
        "[{\"id\": \"s\", \"type\": \"start\", \"outputs\": {\"next\": {\"elementId\": \"e\"}}}, {\"id\": \"e\", \"type\": \"end\", \"outputs\": {}, \"x\": 1e999}]",
        Format::Json,
        Code::Syntax,
    );
    has("[Infinity]", Format::Json, Code::Syntax);
}

#[test]
fn encodings_line_endings_and_truncation() {
    let ok = "start: d\nnodes:\n  d: end\n";
    assert!(codes(&format!("\u{feff}{ok}"), Format::Yaml).is_empty());
    assert!(codes(&ok.replace('\n', "\r\n"), Format::Yaml).is_empty());
    assert!(codes("\u{feff}[{\"id\": \"s\", \"type\": \"start\", \"outputs\": {\"next\": {\"elementId\": \"e\"}}}, {\"id\": \"e\", \"type\": \"end\", \"outputs\": {}}]", Format::Json).is_empty());
    let crlf = "start: d\r\nnodes:\r\n  d: end\r\n  x:\r\n    if: metadata.a = 1\r\n    then: d\r\n    else: d\r\n";
    let found = codes(crlf, Format::Yaml);
    assert!(found.contains(&(Code::ConditionSyntax, 5, 20)), "{found:?}");
    has("start: d\nnodes:\n  d: [", Format::Yaml, Code::Syntax);
    has("[{\"id\": \"s\", \"ty", Format::Json, Code::Syntax);
    has("", Format::Json, Code::Syntax);
    has("", Format::Yaml, Code::WrongType);
}

#[test]
fn lone_carriage_returns_end_lines() {
    let cr = "start: d\rnodes:\r  d: end\r  x:\r    if: metadata.a = 1\r    then: d\r    else: d\r";
    let found = codes(cr, Format::Yaml);
    assert!(found.contains(&(Code::ConditionSyntax, 5, 20)), "{found:?}");
    let dsl = "route r {\r  start -> d\r  d: end\r  x: end\r}\r";
    let found = codes(dsl, Format::Dsl);
    assert!(found.contains(&(Code::Unreachable, 4, 3)), "{found:?}");
}

#[test]
fn yaml_tags_and_versions_are_checked() {
    let route = |value: &str| format!("start: d\nnodes:\n  d: {value}\n");
    assert!(codes(&route("!!str end"), Format::Yaml).is_empty());
    for bad in ["!include end", "!!binary ZW5k", "!!int end", "!!seq {a: 1}"] {
        let found = codes(&route(bad), Format::Yaml);
        assert_eq!(found, vec![(Code::Syntax, 3, 6)], "{bad}");
    }
    let ok = "%YAML 1.2\n---\nstart: d\nnodes:\n  d: end\n";
    assert!(codes(ok, Format::Yaml).is_empty());
    let found = codes(&ok.replace("1.2", "9.9"), Format::Yaml);
    assert_eq!(found, vec![(Code::Syntax, 1, 1)]);
}

#[test]
fn strange_ids_are_handled() {
    let found = codes("start: ''\nnodes:\n  '': end\n", Format::Yaml);
    assert!(
        found.iter().any(|(c, _, _)| *c == Code::BadValue),
        "{found:?}"
    );
    let unicode = "start: 模型\nnodes:\n  模型:\n    model: openai/gpt-4.1\n    timeout: 1s\n    retries: 0\n    success: fin\n    fallback: fín\n  fin: end\n";
    let found = codes(unicode, Format::Yaml);
    assert_eq!(found, vec![(Code::DanglingOutput, 8, 15)]);
}

#[test]
fn the_cli_reports_huge_and_non_utf8_files() {
    let tmp = scratch("hostile");
    let dir = tmp.path();
    let big = dir.join("big.yaml");
    std::fs::write(&big, format!("# {}\n", "x".repeat(10 << 20))).unwrap();
    let out = Command::cargo_bin("aig-route")
        .unwrap()
        .args(["validate", "--format", "json"])
        .arg(&big)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("E0107"));
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, b"start: d\nnodes:\n  d: \xff\xfe end\n").unwrap();
    let out = Command::cargo_bin("aig-route")
        .unwrap()
        .args(["validate", "--format", "json"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &doc["files"][0]["diagnostics"][0];
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some("E0109"), Some(3), Some(6))
    );
}

#[test]
fn random_bytes_never_panic() {
    use proptest::prelude::*;
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 512,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed_0006),
        ..Default::default()
    });
    let seeds = [
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/tiers.yaml")).unwrap(),
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/anchor.json"))
            .unwrap(),
    ];
    runner
        .run(
            &(
                0usize..2,
                any::<u64>(),
                prop::collection::vec(any::<u8>(), 0..64),
            ),
            |(which, pos, junk)| {
                let seed = &seeds[which];
                let cut = (pos as usize) % seed.len();
                let mut text = seed[..seed.floor_char_boundary(cut)].to_string();
                text.push_str(&String::from_utf8_lossy(&junk));
                text.push_str(&seed[seed.floor_char_boundary(cut)..]);
                let format = if which == 0 {
                    Format::Yaml
                } else {
                    Format::Json
                };
                let _ = codes(&text, format);
                Ok(())
            },
        )
        .unwrap();
}
