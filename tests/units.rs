//! Units: every duration and amount a route holds may be written with an
//! explicit unit in YAML and the DSL, means the same as the bare number it
//! stands for, and `fmt` writes it back with a unit.

#[path = "support/project.rs"]
mod project;
#[path = "support/scratch.rs"]
mod scratch;
use aig_route::check::check_text;
use aig_route::fmt::format_file;
use aig_route::source::SourceMap;
use aig_route::syntax::{Format, Limits};
use scratch::scratch;

/// A YAML route (its keys pinned by a test first, so that nothing warns) with a
/// rate limit over `window`, a budget of `budget` over
/// `budget_window` and a model with `timeout`.
fn yaml(window: &str, budget: &str, budget_window: &str, timeout: &str) -> String {
    format!(
        "name: u\nstart: g\nnodes:\n  g:\n    if: metadata.user == \"u\" && metadata.team == \"t\"\n    then: l\n    else: done\n  l:\n    rate_limit: 5\n    window: {window}\n    key: metadata.user\n    success: b\n    fallback: done\n  b:\n    budget: {budget}\n    window: {budget_window}\n    key: metadata.team\n    success: m\n    fallback: done\n  m:\n    model: openai/m\n    timeout: {timeout}\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n"
    )
}

/// The same route in the DSL.
fn dsl(window: &str, budget: &str, budget_window: &str, timeout: &str) -> String {
    format!(
        "route u {{\n  start -> g: if metadata.user == \"u\" && metadata.team == \"t\" {{\n  then -> l: rate 5 per {window} by metadata.user {{\n    success -> b: budget {budget} per {budget_window} by metadata.team {{\n      success -> m: model openai/m timeout {timeout} retries 0 {{\n        success -> done\n        fallback -> done\n      }}\n      fallback -> done\n    }}\n    fallback -> done\n  }}\n  else -> done\n  }}\n  done: end\n}}\n"
    )
}

/// The canonical program of `text`, which must have no diagnostic at all.
fn program(text: &str, format: Format) -> String {
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(&mut sources, "u", text, format);
    let found: Vec<String> = checked
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    assert!(found.is_empty(), "{found:?}\n{text}");
    format!("{:?}", checked.program.unwrap().canonical())
}

fn fmt(text: &str, format: Format) -> String {
    let mut sources = SourceMap::new();
    let id = sources.add("u", text.to_string());
    format_file(&sources, id, format, &Limits::default()).unwrap()
}

/// Each spelling of the same values: bare numbers (windows in seconds,
/// timeouts in milliseconds, budgets in dollars) and every unit.
const SPELLINGS: [(&str, &str, &str, &str); 6] = [
    ("3600", "50", "86400", "90000"),
    ("1h", "$50", "1d", "90s"),
    ("60m", "$50.00", "24h", "90000ms"),
    ("3600s", "50", "1440m", "1.5m"),
    ("3600000ms", "$50", "86400s", "90s"),
    ("0.5h", "$50", "1d", "90s"),
];

#[test]
fn every_unit_means_what_the_bare_number_means_in_yaml_and_the_dsl() {
    let expected = program(&yaml("3600", "50", "86400", "90000"), Format::Yaml);
    for (w, b, bw, t) in SPELLINGS.iter().take(5) {
        assert_eq!(
            program(&yaml(w, b, bw, t), Format::Yaml),
            expected,
            "{w} {b} {bw} {t}"
        );
        assert_eq!(
            program(&dsl(w, b, bw, t), Format::Dsl),
            expected,
            "{w} {b} {bw} {t}"
        );
    }
    // Half an hour is not an hour: the unit is read, not ignored.
    let (w, b, bw, t) = SPELLINGS[5];
    assert_ne!(program(&yaml(w, b, bw, t), Format::Yaml), expected);
}

#[test]
fn fmt_writes_every_value_with_its_unit() {
    for (w, b, bw, t) in SPELLINGS {
        for (text, format) in [
            (yaml(w, b, bw, t), Format::Yaml),
            (dsl(w, b, bw, t), Format::Dsl),
        ] {
            let once = fmt(&text, format);
            assert_eq!(program(&once, format), program(&text, format), "{once}");
            assert_eq!(fmt(&once, format), once);
            let values: Vec<&str> = match format {
                Format::Yaml => once
                    .lines()
                    .filter_map(|l| {
                        let (key, value) = l.trim().split_once(": ")?;
                        ["window", "budget", "timeout"]
                            .contains(&key)
                            .then_some(value)
                    })
                    .collect(),
                _ => once
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .windows(2)
                    .filter(|p| ["per", "budget", "timeout"].contains(&p[0]))
                    .map(|p| p[1])
                    .collect(),
            };
            assert_eq!(values.len(), 4, "{once}");
            for v in values {
                let unit = v.starts_with('$')
                    || v.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic());
                assert!(unit, "`{v}` has no unit in\n{once}");
            }
        }
    }
}

#[test]
fn fmt_writes_sub_second_and_long_durations_with_units() {
    // A timeout of a quarter second, a window of 1.5 s (an error, but `fmt`
    // must still not turn it into a bare number that reads differently).
    let text = yaml("90s", "$5", "2d", "250");
    let once = fmt(&text, Format::Yaml);
    assert!(once.contains("timeout: 250ms"), "{once}");
    assert!(once.contains("window: 2d"), "{once}");
    let mut sources = SourceMap::new();
    let id = sources.add("u", yaml("1.5s", "$5", "1d", "1s"));
    let once = format_file(&sources, id, Format::Yaml, &Limits::default()).unwrap();
    assert!(once.contains("window: 1500ms"), "{once}");
}

#[test]
fn the_timeline_bucket_takes_a_duration() {
    let tmp = scratch("units");
    let dir = tmp.path();
    let csv = |bucket: &str| {
        let out = dir.join(format!("t-{bucket}.csv"));
        let status = assert_cmd::Command::cargo_bin("aig-route")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "simulate",
                "routes/tiers.yaml",
                "--requests",
                "2000",
                "--rate",
                "0.5",
            ])
            .args([
                "--quiet",
                "--format",
                "json",
                "--bucket",
                bucket,
                "--timeline",
            ])
            .arg(&out)
            .output()
            .unwrap()
            .status;
        assert_eq!(status.code(), Some(0), "--bucket {bucket}");
        std::fs::read_to_string(out).unwrap()
    };
    let in_seconds = csv("1800");
    assert!(in_seconds.lines().count() > 2, "{in_seconds}");
    assert_eq!(csv("30m"), in_seconds);
    assert_eq!(csv("0.5h"), in_seconds);
    assert_ne!(csv("1h"), in_seconds);
}

/// The same mistake in a value reads the same in YAML and the DSL (one typed
/// error owns the words); only the help's example follows the format.
#[test]
fn a_bad_value_reads_the_same_in_yaml_and_the_dsl() {
    let errors = |text: &str, format: Format| -> Vec<(String, String)> {
        let mut sources = SourceMap::new();
        let (_, checked) = check_text(&mut sources, "u", text, format);
        checked
            .diagnostics
            .iter()
            .filter(|d| d.code.to_string() == "E0106")
            .map(|d| (d.message.clone(), d.help.clone().unwrap_or_default()))
            .collect()
    };
    let yaml = yaml("1h", "$5", "1d", "30s")
        .replace("rate_limit: 5", "rate_limit: $5")
        .replace("model: openai/m", "model: m");
    let dsl = dsl("1h", "$5", "1d", "30s")
        .replace("rate 5", "rate $5")
        .replace("model openai/m", "model m");
    let (y, d) = (errors(&yaml, Format::Yaml), errors(&dsl, Format::Dsl));
    let messages = |e: &[(String, String)]| e.iter().map(|(m, _)| m.clone()).collect::<Vec<_>>();
    assert_eq!(
        messages(&y),
        [
            "`$5` is not a number of requests",
            "`m` does not name a provider and a model"
        ]
    );
    assert_eq!(messages(&y), messages(&d));
    assert!(y[0].1.contains("`rate_limit: 100`"), "{y:?}");
    assert!(d[0].1.contains("`rate 100 per 1h`"), "{d:?}");
    assert!(d[1].1.contains("`model openai/gpt-4.1`"), "{d:?}");
}

/// A route past the node limit reads the same in YAML, the DSL and gateway
/// JSON (the example routes each have more than three nodes).
#[test]
fn the_node_limit_reads_the_same_in_every_format() {
    let limits = Limits {
        max_nodes: 3,
        ..Limits::default()
    };
    let mut messages = Vec::new();
    for (file, format) in [
        ("tiers.yaml", Format::Yaml),
        ("tiers.route", Format::Dsl),
        ("anchor.json", Format::Json),
    ] {
        let path = format!("{}/routes/{file}", env!("CARGO_MANIFEST_DIR"));
        let mut sources = SourceMap::new();
        let id = sources.add(file, std::fs::read_to_string(path).unwrap());
        let read = aig_route::syntax::parse(&sources, id, format, &limits);
        let over: Vec<String> = read
            .diagnostics
            .iter()
            .filter(|d| d.code.to_string() == "E0107")
            .map(|d| {
                // Counts differ between the files; the words must not.
                let mut m = d.message.replace(char::is_numeric, "N");
                while m.contains("NN") {
                    m = m.replace("NN", "N");
                }
                m
            })
            .collect();
        assert_eq!(over.len(), 1, "{file}: {:?}", read.diagnostics);
        messages.push(over[0].clone());
    }
    assert!(messages.iter().all(|m| m == &messages[0]), "{messages:?}");
    assert_eq!(
        messages[0],
        "the route has N nodes, more than the limit of N"
    );
}

/// An output naming no node reads the same in every format, with the output
/// named as the format names it and the missing end's fix written in it.
#[test]
fn a_missing_node_reads_the_same_in_every_format_in_its_words() {
    let cases = [
        (
            Format::Yaml,
            "name: g\nstart: c\nnodes:\n  c:\n    if: metadata.plan == \"p\"\n    then: nope\n    else: gone\n",
            "`else`",
            "`nope: end` under `nodes:`",
        ),
        (
            Format::Dsl,
            "route g {\n  start -> c\n  c: if metadata.plan == \"p\" { then -> nope  else -> gone }\n}\n",
            "`else`",
            "`nope: end` inside the route's braces",
        ),
        (
            Format::Json,
            r#"{"elements": [{"id": "s", "type": "start", "outputs": {"next": {"elementId": "c"}}}, {"id": "c", "type": "conditional", "properties": {"conditions": {"metadata.plan": {"$eq": "p"}}}, "outputs": {"true": {"elementId": "nope"}, "false": {"elementId": "gone"}}}]}"#,
            "`false`",
            r#"`{"id": "nope", "type": "end"}`"#,
        ),
    ];
    for (format, text, output, end_fix) in cases {
        let mut sources = SourceMap::new();
        let (_, checked) = check_text(&mut sources, "g", text, format);
        let find = |code: &str| with_code(&checked.diagnostics, code, format);
        let (no_end, dangling) = (find("E0202"), find("E0204"));
        assert_eq!(
            no_end.message,
            "the route has no end node, and `nope`, which 1 output leads to, is not defined"
        );
        assert!(
            no_end.help.as_deref().unwrap_or_default().contains(end_fix),
            "{format:?}: {no_end:?}"
        );
        assert_eq!(
            dangling.message,
            format!("output {output} of `c` names `gone`, which is not a node")
        );
    }
}

/// Document bounds read the same in YAML and JSON; only YAML, whose aliases
/// repeat what they name, adds a note about them when it has any.
#[test]
fn document_bounds_read_the_same_in_yaml_and_json() {
    use aig_route::source::SourceId;
    use aig_route::syntax::parse_doc;
    let limits = Limits {
        max_values: 3,
        ..Limits::default()
    };
    let error = |text: &str, format| parse_doc(text, SourceId(0), format, &limits).unwrap_err();
    let (y, j) = (
        error("a: 1\nb: 2\n", Format::Yaml),
        error(r#"{"a": 1, "b": 2, "c": 3}"#, Format::Json),
    );
    assert_eq!(y.message, "the document holds more than 3 values");
    assert_eq!((y.code, &y.message), (j.code, &j.message));
    assert!(y.notes.is_empty(), "{y:?}");
    let roomier = Limits {
        max_values: 8,
        ..Limits::default()
    };
    let aliased = parse_doc(
        "a: &x [1, 2, 3]\nb: *x\n",
        SourceId(0),
        Format::Yaml,
        &roomier,
    )
    .unwrap_err();
    assert!(
        aliased.notes.iter().any(|n| n.contains("aliases")),
        "{aliased:?}"
    );
    let twice =
        |text: &str, format| parse_doc(text, SourceId(0), format, &Limits::default()).unwrap_err();
    let (y, j) = (
        twice("a: 1\na: 2\n", Format::Yaml),
        twice(r#"{"a": 1, "a": 2}"#, Format::Json),
    );
    assert_eq!(y.message, "key `a` appears twice in one mapping");
    assert_eq!(j.message, "key `a` appears twice in one object");
    assert_eq!(y.help, j.help);
}

/// Validation's own findings read the same in every format: the message
/// names outputs as the file does, and the fix is written in the file's words.
#[test]
fn a_validation_finding_reads_the_same_in_every_format_in_its_words() {
    let cases = [
        (
            Format::Yaml,
            r#"name: g
start: c1
nodes:
  c1:
    if: metadata.plan == "p"
    then: c2
    else: done
  c2:
    if: metadata.plan == "p"
    then: lim
    else: done
  lim:
    rate_limit: 100
    window: 1h
    success: m
    fallback: done
  m:
    model: openai/gpt-4.1
    timeout: 30s
    retries: 0
    success: done
    fallback: done
  done: end
"#,
            "`else`",
            "`key: metadata.user_id`",
        ),
        (
            Format::Dsl,
            r#"route g {
  start -> c1: if metadata.plan == "p" {
    then -> c2: if metadata.plan == "p" {
      then -> lim: rate 100 per 1h {
        success -> m: model openai/gpt-4.1 timeout 30s retries 0 { success -> done  fallback -> done }
        fallback -> done
      }
      else -> done
    }
    else -> done
  }
  done: end
}
"#,
            "`else`",
            "`by metadata.user_id`",
        ),
        (
            Format::Json,
            r#"{"name": "g", "elements": [
 {"id": "s", "type": "start", "outputs": {"next": {"elementId": "c1"}}},
 {"id": "c1", "type": "conditional", "properties": {"conditions": {"metadata.plan": {"$eq": "p"}}}, "outputs": {"true": {"elementId": "c2"}, "false": {"elementId": "done"}}},
 {"id": "c2", "type": "conditional", "properties": {"conditions": {"metadata.plan": {"$eq": "p"}}}, "outputs": {"true": {"elementId": "lim"}, "false": {"elementId": "done"}}},
 {"id": "lim", "type": "rate", "properties": {"limitType": "count", "limit": 100, "window": 3600}, "outputs": {"success": {"elementId": "m"}, "fallback": {"elementId": "done"}}},
 {"id": "m", "type": "model", "properties": {"provider": "openai", "model": "gpt-4.1", "timeout": 30000, "retries": 0}, "outputs": {"success": {"elementId": "done"}, "fallback": {"elementId": "done"}}},
 {"id": "done", "type": "end", "outputs": {}}]}
"#,
            "`false`",
            r#"`"key": "metadata.user_id"`"#,
        ),
    ];
    for (format, text, dead, key_fix) in cases {
        let mut sources = SourceMap::new();
        let (_, checked) = check_text(&mut sources, "g", text, format);
        let find = |code: &str| with_code(&checked.diagnostics, code, format);
        let (no_key, dead_branch) = (find("E0105"), find("W0602"));
        assert_eq!(no_key.message, "rate limit `lim` has no `key`");
        assert_eq!(
            no_key.help.as_deref(),
            Some(format!("key it on a metadata field: {key_fix}").as_str()),
            "{format:?}"
        );
        assert_eq!(
            dead_branch.message,
            format!(
                "`metadata.plan == \"p\"` is always true here, so the {dead} branch of `c2` is never taken"
            )
        );
    }
}

/// The first diagnostic with `code`; fails the test naming the format when
/// there is none.
fn with_code<'d>(
    diags: &'d [aig_route::diagnostic::Diagnostic],
    code: &str,
    format: Format,
) -> &'d aig_route::diagnostic::Diagnostic {
    diags
        .iter()
        .find(|d| d.code.to_string() == code)
        .unwrap_or_else(|| panic!("{format:?}: no {code} in {diags:?}"))
}

/// A value of the wrong type and a missing key read the same in YAML and
/// gateway JSON: only the container's name and the help's example differ.
#[test]
fn a_document_of_the_wrong_shape_reads_the_same_in_yaml_and_json() {
    let cases = [
        (
            Format::Yaml,
            r#"name: g
start: s
nodes:
  s:
    split:
      60%: lim
      40%: done
    sticky: [1]
  lim:
    rate_limit: 100
    key: metadata.user
    success: done
    fallback: done
  done: end
"#,
            "a list",
            "quote the value if it is meant as text",
            "add `window: 1h`",
        ),
        (
            Format::Json,
            r#"{"name": "g", "elements": [
 {"id": "start", "type": "start", "outputs": {"next": {"elementId": "s"}}},
 {"id": "s", "type": "percentage", "properties": {"sticky": [1]}, "outputs": {"60%": {"elementId": "lim"}, "40%": {"elementId": "done"}}},
 {"id": "lim", "type": "rate", "properties": {"limitType": "count", "limit": 100, "key": "metadata.user"}, "outputs": {"success": {"elementId": "done"}, "fallback": {"elementId": "done"}}},
 {"id": "done", "type": "end", "outputs": {}}]}
"#,
            "an array",
            "write it as a JSON string, in double quotes",
            r#"add `"window": 3600` to `properties`"#,
        ),
    ];
    for (format, text, found, string_fix, window_fix) in cases {
        let mut sources = SourceMap::new();
        let (_, checked) = check_text(&mut sources, "g", text, format);
        let find = |code: &str| with_code(&checked.diagnostics, code, format);
        let (wrong, missing) = (find("E0104"), find("E0105"));
        assert_eq!(
            wrong.message,
            format!("`sticky` takes a string, not {found}")
        );
        assert_eq!(wrong.help.as_deref(), Some(string_fix));
        assert_eq!(missing.message, "`window` is missing");
        assert_eq!(missing.help.as_deref(), Some(window_fix));
    }
}

/// A condition with the YAML `if:` mapping or the gateway's `conditions`
/// object in it, with `query` (JSON text, which is also YAML flow text).
fn with_query(format: Format, query: &str) -> String {
    match format {
        Format::Json => format!(
            r#"{{"name": "q", "elements": [
 {{"id": "start", "type": "start", "outputs": {{"next": {{"elementId": "g"}}}}}},
 {{"id": "g", "type": "conditional", "properties": {{"conditions": {query}}}, "outputs": {{"true": {{"elementId": "done"}}, "false": {{"elementId": "done"}}}}}},
 {{"id": "done", "type": "end", "outputs": {{}}}}]}}
"#
        ),
        _ => format!(
            "name: q\nstart: g\nnodes:\n  g:\n    if: {query}\n    then: done\n    else: done\n  done: end\n"
        ),
    }
}

/// The condition readers' mistakes read the same in YAML and gateway JSON,
/// and nesting too deep reads the same in a query and in an expression (YAML
/// or the DSL): the same code and message, with only the container's name and
/// the help's example in the file's own words.
#[test]
fn a_condition_error_reads_the_same_in_every_format_in_its_words() {
    let first = |text: &str, format: Format| {
        let mut sources = SourceMap::new();
        let (_, checked) = check_text(&mut sources, "q", text, format);
        let d = checked
            .diagnostics
            .iter()
            .find(|d| d.severity == aig_route::diagnostic::Severity::Error)
            .unwrap_or_else(|| panic!("{format:?}: no error for {text}"))
            .clone();
        (d.code.to_string(), d.message, d.help.unwrap_or_default())
    };
    let in_list = r#"{"metadata.region": {"$in": "eu"}}"#;
    assert_eq!(
        first(&with_query(Format::Yaml, in_list), Format::Yaml),
        (
            "E0404".into(),
            "`$in` takes a list, not a string".into(),
            "write `$in: [a, b]`".into()
        )
    );
    assert_eq!(
        first(&with_query(Format::Json, in_list), Format::Json),
        (
            "E0404".into(),
            "`$in` takes an array, not a string".into(),
            r#"write `"$in": ["a", "b"]`"#.into()
        )
    );
    let misplaced = r#"{"$gte": 2}"#;
    let (code, message, help) = first(&with_query(Format::Yaml, misplaced), Format::Yaml);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("E0402", "unknown operator `$gte`")
    );
    assert_eq!(help, "`$gte` applies to a field: `metadata.x: {$gte: ...}`");
    let (code, message, help) = first(&with_query(Format::Json, misplaced), Format::Json);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("E0402", "unknown operator `$gte`")
    );
    assert_eq!(
        help,
        r#"`$gte` applies to a field: `{"metadata.x": {"$gte": ...}}`"#
    );

    // A number past a double's range, in each way to write a condition: the
    // same message (in gateway JSON the reader refuses the number itself, a
    // syntax error, before any condition reads it).
    let big = r#"{"metadata.tier": {"$gte": 1e400}}"#;
    for (text, format) in [
        (with_query(Format::Json, big), Format::Json),
        (with_query(Format::Yaml, big), Format::Yaml),
        (
            with_query(Format::Yaml, "metadata.tier >= 1e400"),
            Format::Yaml,
        ),
    ] {
        let (_, message, _) = first(&text, format);
        assert_eq!(message, "`1e400` is too large for a number", "{format:?}");
    }

    // 65 levels of `not`, one past the default bound, in each way to write it.
    let deep = Limits::default().depth() + 1;
    let query = format!(
        "{}{{\"metadata.a\": 1}}{}",
        "{\"$not\": ".repeat(deep),
        "}".repeat(deep)
    );
    let expression = format!("{}metadata.a == 1", "!".repeat(deep));
    let dsl = format!(
        "route q {{\n  start -> g: if {expression} {{\n    then -> done\n    else -> done\n  }}\n  done: end\n}}\n"
    );
    let expected = (
        "E0107".to_string(),
        "the condition is nested more than 64 deep".to_string(),
        "split the test into several conditional nodes".to_string(),
    );
    for (text, format) in [
        (with_query(Format::Json, &query), Format::Json),
        (with_query(Format::Yaml, &query), Format::Yaml),
        (
            with_query(Format::Yaml, &format!("'{expression}'")),
            Format::Yaml,
        ),
        (dsl, Format::Dsl),
    ] {
        assert_eq!(first(&text, format), expected, "{format:?}: {text}");
    }
}

/// A node that does not say what kind it is, and a route without nodes, are
/// the same mistakes in YAML and gateway JSON and read the same: one code,
/// one message in the format's names (a node, an element), the fix in the
/// file's own syntax.
#[test]
fn a_node_without_a_kind_reads_the_same_in_yaml_and_json() {
    let error = |text: &str, format: Format, code: &str| {
        let mut sources = SourceMap::new();
        let (_, checked) = check_text(&mut sources, "n", text, format);
        let d = with_code(&checked.diagnostics, code, format).clone();
        (d.message, d.help.unwrap_or_default())
    };
    let yaml = "name: n\nstart: g\nnodes:\n  g:\n    then: done\n  done: end\n";
    let json = r#"{"name": "n", "elements": [
 {"id": "start", "type": "start", "outputs": {"next": {"elementId": "g"}}},
 {"id": "g", "outputs": {"next": {"elementId": "done"}}},
 {"id": "done", "type": "end", "outputs": {}}]}"#;
    assert_eq!(
        error(yaml, Format::Yaml, "E0105"),
        (
            "node `g` does not say what it is".into(),
            "give it one of `if`, `split`, `rate_limit`, `budget`, `model`, or write `g: end`"
                .into()
        )
    );
    assert_eq!(
        error(json, Format::Json, "E0105"),
        (
            "element `g` does not say what it is".into(),
            "add `\"type\"`: one of `start`, `conditional`, `percentage`, `rate`, `model`, `end`"
                .into()
        )
    );
    assert_eq!(
        error("name: n\nstart: done\n", Format::Yaml, "E0105"),
        (
            "the route has no `nodes`".into(),
            "add `nodes:` with one entry per node".into()
        )
    );
    assert_eq!(
        error(r#"{"name": "n"}"#, Format::Json, "E0105"),
        (
            "the route has no `elements`".into(),
            "add `\"elements\": [...]` with the route's nodes".into()
        )
    );
}

/// A bracket left open and a second document read the same in YAML and
/// JSON: the same code and message, pointing at the bracket.
#[test]
fn a_syntax_error_reads_the_same_in_yaml_and_json() {
    let error = |text: &str, format: Format| {
        let mut sources = SourceMap::new();
        let (_, checked) = check_text(&mut sources, "s", text, format);
        let d = with_code(&checked.diagnostics, "E0101", format).clone();
        (d.message, d.primary.span.start, d.help.unwrap_or_default())
    };
    let open = |what: &str| {
        (
            "this `[` is never closed".to_string(),
            7,
            format!("add the `]` at the end of the {what}"),
        )
    };
    assert_eq!(
        error("start: [a, b\nnodes:\n  a: end\n", Format::Yaml),
        open("list")
    );
    assert_eq!(error("{\"a\":  [1, 2\n", Format::Json), open("array"));
    assert_eq!(
        error("name: a\n---\nname: b\n", Format::Yaml),
        (
            "a route file holds one YAML document, this is a second one".to_string(),
            8,
            "put each route in a file of its own".to_string()
        )
    );
    assert_eq!(
        error("{\"name\": \"a\"}\n{\"name\": \"b\"}\n", Format::Json),
        (
            "a route file holds one JSON value, this text follows it".to_string(),
            14,
            "remove what follows it".to_string()
        )
    );
}

/// A model without a timeout reads the same in YAML, JSON and the DSL, with
/// the same timeout in each format's own syntax.
#[test]
fn a_missing_timeout_reads_the_same_in_every_format() {
    let cases = [
        (
            Format::Yaml,
            "name: x\nstart: m\nnodes:\n  m:\n    model: openai/gpt\n    retries: 1\n    success: done\n    fallback: done\n  done: end\n",
            "add `timeout: 60s`",
        ),
        (
            Format::Dsl,
            "route x {\n  start -> m: model openai/gpt retries 1 {\n    success -> done\n    fallback -> done\n  }\n  done: end\n}\n",
            "add `timeout 60s` after the model name",
        ),
        (
            Format::Json,
            r#"{"name":"x","elements":[{"id":"start","type":"start","outputs":{"next":{"elementId":"m"}}},{"id":"m","type":"model","properties":{"provider":"openai","model":"gpt","retries":1},"outputs":{"success":{"elementId":"done"},"fallback":{"elementId":"done"}}},{"id":"done","type":"end","outputs":{}}]}"#,
            "add `\"timeout\": 60000` to `properties`",
        ),
    ];
    for (format, text, help) in cases {
        let mut sources = SourceMap::new();
        let (_, checked) = check_text(&mut sources, "x", text, format);
        let d = with_code(&checked.diagnostics, "E0105", format);
        assert_eq!(d.message, "`timeout` is missing", "{format:?}");
        assert_eq!(d.help.as_deref(), Some(help), "{format:?}");
    }
}

/// Whether the rendered `out` says what `d` says: its code, message, every
/// note and its help, in its words.
fn renders(out: &str, d: &aig_route::diagnostic::Diagnostic) -> bool {
    out.contains(&format!("[{}]: {}", d.code, d.message))
        && d.notes.iter().all(|n| out.contains(&format!("note: {n}")))
        && d.help
            .as_ref()
            .is_none_or(|h| out.contains(&format!("help: {h}")))
}

/// A test file's mistakes are worded by `TestFileError` alone: the reader
/// and the binder report what its API says, and `aig-route test` prints it.
#[test]
fn a_test_file_mistake_reads_in_the_words_of_its_type() {
    use aig_route::source::SourceId;
    use aig_route::testing::{self, TestFileError};
    let text = "route: tiers.yaml
cases:
  - name: paid
    metadata: {plan: paid}
    before:
      - {repeat: 0}
  - name: paid
    fail: [plan]
    expect: {model: large}
";
    let doc =
        aig_route::syntax::parse_doc(text, SourceId(0), Format::Yaml, &Limits::default()).unwrap();
    let mut diags = Vec::new();
    testing::read(&doc, SourceId(0), &mut diags);
    let repeat = TestFileError::BadValue {
        key: "repeat",
        wanted: "a whole number of at least 1",
        found: "`0`".into(),
    };
    let no_expect = TestFileError::NoExpect {
        case: "paid".into(),
    };
    assert_eq!(repeat.code().as_str(), "E0106");
    assert_eq!(
        repeat.to_string(),
        "`repeat` takes a whole number of at least 1, not `0`"
    );
    assert_eq!(
        repeat.help().as_deref(),
        Some("write a whole number of at least 1")
    );
    assert_eq!(
        (no_expect.code().as_str(), no_expect.to_string()),
        ("E0105", "case `paid` has no `expect`".to_string())
    );
    for e in [&repeat, &no_expect] {
        let d = diags
            .iter()
            .find(|d| d.message == e.to_string())
            .unwrap_or_else(|| panic!("no `{e}` in {diags:?}"));
        let at = e.at(d.primary.span);
        assert_eq!((d.code, &d.help, &d.notes), (at.code, &at.help, &at.notes));
    }
    let twice = diags
        .iter()
        .find(|d| d.code.as_str() == "E0705")
        .unwrap_or_else(|| panic!("no E0705 in {diags:?}"));
    assert_eq!(twice.message, "two cases are named `paid`");
    assert_eq!(twice.secondary[0].message, "first named here");
    // Through the command, against the route: the same words, and the
    // binder's own mistakes in theirs.
    let tiers = include_str!("../routes/tiers.yaml");
    let d = project::dir("test-file", &[("tiers.yaml", tiers), ("t.test.yaml", text)]);
    let (code, out) = project::run(&d, &["test", "t.test.yaml"]);
    assert_eq!(code, 1, "{out}");
    let not_model = TestFileError::NotAModel {
        place: "`fail`",
        id: "plan".into(),
        models: vec!["large".into(), "small".into(), "tiny".into()],
    };
    assert_eq!(
        not_model.help().as_deref(),
        Some("name a model node: `large`, `small`, `tiny`")
    );
    for e in [&repeat, &no_expect, &not_model] {
        let d = e.at(aig_route::source::Span::new(SourceId(0), 0, 0));
        assert!(renders(&out, &d), "`{e}` not in its words in\n{out}");
    }
}

/// A path policy's finding is worded by `PolicyFinding` alone: the library's
/// check reports what its API says.
#[test]
fn a_policy_finding_reads_in_the_words_of_its_type() {
    use aig_route::check::check_with_policy;
    use aig_route::policy::{Policy, PolicyFinding, Witness};
    let text = include_str!("../routes/tiers.yaml");
    let mut sources = SourceMap::new();
    let id = sources.add("tiers.yaml", text);
    let policy = Policy {
        providers: Some((vec!["openai".into()], "aig-route.toml:1".into())),
        max_timeout_ms: Some((45_000.0, "aig-route.toml:2".into())),
        ..Policy::default()
    };
    let checked = check_with_policy(
        &sources,
        id,
        Format::Yaml,
        &Limits::default(),
        false,
        &policy,
    );
    let provider = PolicyFinding::Provider {
        node: "tiny".into(),
        provider: "workers-ai".into(),
        allowed: vec!["openai".into()],
        origin: "aig-route.toml:1".into(),
        witness: Witness::Never,
    };
    let timeout = PolicyFinding::Timeout {
        node: "large".into(),
        timeout_ms: 60_000.0,
        max_ms: 45_000.0,
        origin: "aig-route.toml:2".into(),
        witness: Witness::Never,
    };
    assert_eq!(
        provider.to_string(),
        "model `tiny` uses provider `workers-ai`, which the project's policy does not allow"
    );
    assert_eq!(
        timeout.to_string(),
        "model `large` waits up to 60s per attempt, longer than the project's `max-timeout` of 45s"
    );
    assert_eq!(timeout.help(), "lower the timeout to 45s or less");
    for f in [&provider, &timeout] {
        let d = with_code(&checked.diagnostics, f.code().as_str(), Format::Yaml);
        let at = f.at(d.primary.span);
        assert_eq!(
            (&d.message, &d.primary.message, &d.help, d.severity),
            (&at.message, &at.primary.message, &at.help, at.severity)
        );
        // The rule's note first, then the request that shows it.
        assert_eq!(d.notes[0], at.notes[0]);
        assert!(d.notes[1].starts_with("path: start"), "{:?}", d.notes);
    }
}

/// A code that cannot be allowed reads the same in the project file (E0803),
/// in an inline suppression (W0610) and on the command line: one
/// `CodeNameError`, whatever code the place gives it.
#[test]
fn a_code_that_cannot_be_allowed_reads_the_same_in_every_place() {
    use aig_route::cli::ConfigError;
    use aig_route::diagnostic::CodeNameError;
    use aig_route::suppress::UnusedAllow;
    let unknown = CodeNameError::warning("W6009").unwrap_err();
    let error = CodeNameError::warning("e0204").unwrap_err();
    assert_eq!(unknown.to_string(), "`W6009` is not a diagnostic code");
    assert_eq!(unknown.help().as_deref(), Some("did you mean `W0609`?"));
    assert_eq!(
        error.to_string(),
        "`E0204` is an error; only warnings can be allowed or denied"
    );
    let route = "start: s\nnodes:\n  s:\n    split: {60%: done, 40%: done}\n    sticky: metadata.user_id  # aig-route: allow W6009, E0204\n  done: end\n";
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(&mut sources, "r.yaml", route, Format::Yaml);
    for e in [&unknown, &error] {
        let d = checked
            .diagnostics
            .iter()
            .find(|d| d.message == e.to_string())
            .unwrap_or_else(|| panic!("no `{e}` in {:?}", checked.diagnostics));
        let (comment, project) = (
            UnusedAllow::Code(e.clone()).at(d.primary.span),
            ConfigError::Code(e.clone()).at(d.primary.span),
        );
        assert_eq!(d.code.as_str(), "W0610");
        assert_eq!(project.code.as_str(), "E0803");
        for other in [&comment, &project] {
            assert_eq!(
                (&d.message, &d.primary.message, &d.notes, &d.help),
                (
                    &other.message,
                    &other.primary.message,
                    &other.notes,
                    &other.help
                )
            );
        }
    }
    let toml = "deny = [\"W6009\", \"E0204\"]\n";
    let d = project::dir("codes", &[("aig-route.toml", toml), ("r.yaml", route)]);
    let (code, out) = project::run(&d, &["validate", "r.yaml"]);
    assert_eq!(code, 2, "{out}");
    for e in [&unknown, &error] {
        let d = ConfigError::Code(e.clone()).at(aig_route::source::Span::new(
            aig_route::source::SourceId(0),
            0,
            0,
        ));
        assert!(renders(&out, &d), "`{e}` not in its words in\n{out}");
    }
    let (code, out) = project::run(
        &d,
        &["validate", "r.yaml", "--no-config", "--allow", "W6009"],
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("`W6009` is not a diagnostic code; did you mean `W0609`?"),
        "{out}"
    );
}

/// A file past `--max-file-size` reads the same from the command's loader
/// (which stops reading one byte past the bound) and from the library's
/// reader (which has the text whole); `fmt`'s refusal and a file that cannot
/// be read are worded by their types too.
#[test]
fn a_file_the_command_cannot_take_reads_in_the_words_of_its_type() {
    use aig_route::cli::CliError;
    use aig_route::source::Span;
    use aig_route::syntax::doc_error::DocError;
    let text = include_str!("../routes/tiers.yaml");
    let limits = Limits {
        max_file_bytes: 100,
        ..Limits::default()
    };
    let mut sources = SourceMap::new();
    let id = sources.add("tiers.yaml", text);
    let read = aig_route::syntax::parse(&sources, id, Format::Yaml, &limits);
    let whole = DocError::FileTooLarge {
        size: Some(text.len()),
        limit: 100,
    };
    let streamed = DocError::FileTooLarge {
        size: None,
        limit: 100,
    };
    assert_eq!(read.diagnostics, [whole.at(Span::new(id, 0, 0))]);
    assert_eq!(
        streamed.to_string(),
        "the file is larger than the limit of 100 bytes"
    );
    let (whole, streamed) = (
        whole.at(Span::new(id, 0, 0)),
        streamed.at(Span::new(id, 0, 0)),
    );
    assert_eq!((whole.code, &whole.help), (streamed.code, &streamed.help));
    let d = project::dir("too-large", &[("tiers.yaml", text)]);
    let (code, out) = project::run(&d, &["validate", "--max-file-size", "100", "tiers.yaml"]);
    assert_eq!(code, 1, "{out}");
    assert!(renders(&out, &streamed), "{out}");
    let (code, out) = project::run(&d, &["validate", "nope.yaml"]);
    assert_eq!(code, 2, "{out}");
    let unreadable = CliError::Unreadable {
        path: "nope.yaml".into(),
        reason: "no such file".into(),
    };
    assert_eq!(unreadable.code().as_str(), "E0109");
    assert!(renders(&out, &unreadable.at(Span::new(id, 0, 0))), "{out}");
    let formatted = DocError::FormattedTooLarge {
        size: 200,
        limit: 100,
    };
    assert_eq!(
        formatted.to_string(),
        "formatted, the file would be 200 bytes, more than the limit of 100"
    );
    assert_eq!(formatted.at(Span::new(id, 0, 0)).help, whole.help);
}
