//! Metadata keys with dots (`metadata.cf.user_id`, which the gateway sets for
//! Cloudflare Access users) and keys only the quoted form can write
//! (`metadata["odd key"]`), in conditions, limit keys and sticky fields: golden
//! conversions among YAML, DSL and gateway JSON (`tests/keys/`), the trace `eval`
//! prints, and a property test that any key survives every conversion.

use std::path::Path;
use std::process::Command;

use aig_route::check::check_text;
use aig_route::compile::Program;
use aig_route::emit::{to_dsl, to_json, to_yaml};
use aig_route::source::SourceMap;
use aig_route::syntax::{Format, Route};
use proptest::prelude::*;
use serde_json::json;

/// Reads `text`, asserting it has no errors, and gives its route and program.
fn read(text: &str, format: Format) -> (Route, Program) {
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(&mut sources, "keys", text, format);
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "{format:?}: {errors:?}\n{text}");
    (checked.parsed.unwrap().route, checked.program.unwrap())
}

fn json_text(route: &Route) -> String {
    serde_json::to_string_pretty(&to_json(route).unwrap()).unwrap() + "\n"
}

fn golden(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/keys")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn the_three_golden_files_convert_into_each_other_exactly() {
    let (yaml, dsl, json) = (
        golden("keys.yaml"),
        golden("keys.route"),
        golden("keys.json"),
    );
    let (from_yaml, p_yaml) = read(&yaml, Format::Yaml);
    let (from_dsl, p_dsl) = read(&dsl, Format::Dsl);
    let (from_json, p_json) = read(&json, Format::Json);
    // Byte for byte, from each format to each other.
    assert_eq!(to_yaml(&from_yaml), yaml);
    assert_eq!(to_dsl(&from_yaml), dsl);
    assert_eq!(json_text(&from_yaml), json);
    assert_eq!(to_dsl(&from_dsl), dsl);
    assert_eq!(to_yaml(&from_json), yaml);
    assert_eq!(to_dsl(&from_json), dsl);
    assert_eq!(json_text(&from_json), json);
    // The DSL nests nodes where they are first reached, so its YAML and JSON come
    // out in that order; the meaning is the same.
    assert_eq!(p_yaml.canonical(), p_dsl.canonical());
    assert_eq!(p_yaml.canonical(), p_json.canonical());
    assert_eq!(
        p_json.canonical(),
        read(&json_text(&from_dsl), Format::Json).1.canonical()
    );
    // The keys are the ones meant: a dot is part of the key, the quoted form is
    // a JSON string.
    let keys: Vec<&str> = (0..p_yaml.slot_count())
        .map(|s| p_yaml.slot_name(s as u16))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["a\"b\\c.\t", "cf.user_id", "odd key"]);
    // The wire holds `metadata.<key>` as it is.
    for wire in [
        "\"metadata.cf.user_id\": {",
        "\"metadata.odd key\": {",
        "\"metadata.a\\\"b\\\\c.\\t\": {",
        "\"key\": \"metadata.odd key\"",
        "\"sticky\": \"metadata.cf.user_id\"",
    ] {
        assert!(json.contains(wire), "{wire} not in keys.json");
    }
}

#[test]
fn eval_names_fields_as_they_are_written() {
    let out = Command::new(env!("CARGO_BIN_EXE_aig-route"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["eval", "tests/keys/keys.json", "--metadata"])
        .arg(r#"{"cf.user_id": "u1", "odd key": "x", "a\"b\\c.\t": "v"}"#)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    for line in [
        r#"who       exists metadata.cf.user_id && metadata["odd key"] == "x" && metadata["a\"b\\c.\t"] in ["v"] → true → `per_user`"#,
        "per_user  0 of 10 requests used in window per metadata.cf.user_id → success → `spend`",
        r#"spend     $0 of $5 used in window per metadata["odd key"] → success → `big`"#,
    ] {
        assert!(text.contains(line), "missing\n{line}\nin\n{text}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_aig-route"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["eval", "tests/keys/keys.route", "--metadata"])
        .arg(r#"{"cf.user_id": "u1"}"#)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("(from metadata.cf.user_id = \"u1\")"),
        "{text}"
    );
}

/// A key as a property test draws it: dotted words, or any characters at all.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_][a-z0-9_-]{0,5}(\\.[a-z0-9_-]{1,5}){0,3}",
        prop::collection::vec(any::<char>(), 1..10).prop_map(|cs| cs.into_iter().collect()),
        "[a-z .\"\\\\\\[\\]\t\n]{1,8}",
    ]
}

/// A gateway JSON route reading `cond` in a condition, keying a rate limit on
/// `limit` and a split on `sticky`.
fn route(cond: &str, op: u8, limit: &str, sticky: &str) -> String {
    let test = match op % 4 {
        0 => json!({ format!("metadata.{cond}"): {"$eq": "v"} }),
        1 => json!({ format!("metadata.{cond}"): {"$ne": 2} }),
        2 => json!({ format!("metadata.{cond}"): {"$in": ["v", true]} }),
        _ => {
            json!({"$or": [{ format!("metadata.{cond}"): {"$exists": true} }, { format!("metadata.{limit}"): {"$eq": "w"} }]})
        }
    };
    let route = json!({"name": "prop", "elements": [
        {"id": "start", "type": "start", "outputs": {"next": {"elementId": "c"}}},
        {"id": "c", "type": "conditional", "properties": {"conditions": test},
         "outputs": {"true": {"elementId": "r"}, "false": {"elementId": "s"}}},
        {"id": "r", "type": "rate", "properties": {"limitType": "count", "key": format!("metadata.{limit}"), "limit": 5, "window": 60},
         "outputs": {"success": {"elementId": "m"}, "fallback": {"elementId": "e"}}},
        {"id": "s", "type": "percentage", "properties": {"sticky": format!("metadata.{sticky}")},
         "outputs": {"30%": {"elementId": "m"}, "70%": {"elementId": "e"}}},
        {"id": "m", "type": "model", "properties": {"provider": "openai", "model": "gpt-4.1", "timeout": 1000, "retries": 0},
         "outputs": {"success": {"elementId": "e"}, "fallback": {"elementId": "e"}}},
        {"id": "e", "type": "end", "outputs": {}}
    ]});
    serde_json::to_string(&route).unwrap()
}

/// The route's gateway JSON with its elements sorted by id: the DSL writes
/// nodes in the order it nests them, which is no part of the meaning.
fn by_id(route: &Route) -> serde_json::Value {
    let mut json: serde_json::Value = serde_json::from_str(&json_text(route)).unwrap();
    if let Some(elements) = json["elements"].as_array_mut() {
        elements.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    }
    json
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, rng_seed: proptest::test_runner::RngSeed::Fixed(0x6b65_7973), ..ProptestConfig::default() })]

    /// JSON → YAML → DSL → JSON, and JSON → DSL → YAML → JSON: the same gateway
    /// JSON and the same program each way, every key read exactly as drawn.
    #[test]
    fn any_key_survives_every_conversion(cond in key(), op in any::<u8>(), limit in key(), sticky in key()) {
        let wire = route(&cond, op, &limit, &sticky);
        let (r0, p0) = read(&wire, Format::Json);
        for (first, second) in [(Format::Yaml, Format::Dsl), (Format::Dsl, Format::Yaml)] {
            let mut route = r0.clone();
            for format in [first, second] {
                let text = match format {
                    Format::Yaml => to_yaml(&route),
                    _ => to_dsl(&route),
                };
                let (next, program) = read(&text, format);
                prop_assert_eq!(program.canonical(), p0.canonical(), "{:?}:\n{}", format, text);
                route = next;
            }
            let (back, _) = read(&json_text(&route), Format::Json);
            prop_assert_eq!(by_id(&back), by_id(&r0));
        }
        for k in [&cond, &limit, &sticky] {
            prop_assert!(p0.slot(k).is_some(), "{:?} is not read", k);
        }
    }
}
