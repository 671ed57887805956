//! The metadata reader (`Request::set_metadata_json`) held to serde_json on the
//! same text: it accepts exactly the flat objects of strings, finite numbers
//! and booleans serde_json reads, and then holds the same values for the keys
//! the route reads (the first five entries, a later entry overriding an earlier
//! one). Inputs are generated objects, written with random spacing, escapes and
//! number forms, many of them then broken by an edit.

use aig_route::compile::Program;
use aig_route::eval::{Request, Value};
use aig_route::syntax::Format;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

const ROUTE: &str = r#"name: scan
start: a
nodes:
  a:
    if: metadata.plan == "paid" && metadata.tier >= 2
    then: m
    else: b
  b:
    if: metadata.a == true || metadata.a_rather_long_key_name == "x"
    then: m
    else: c
  c:
    if: metadata.user_id == "u1"
    then: m
    else: m
  m:
    model: openai/gpt-4.1
    timeout: 60s
    retries: 1
    success: done
    fallback: done
  done: end
"#;

fn scan_route() -> Program {
    match aig_route::compile("scan.yaml", ROUTE, Format::Yaml) {
        Ok(c) => c.program,
        Err(d) => panic!("{d}"),
    }
}

const KEYS: [&str; 5] = ["plan", "tier", "a", "a_rather_long_key_name", "user_id"];

/// An entry's key as written: plain, with escapes, or one the route never reads.
const WRITTEN_KEYS: [&str; 10] = [
    r#""plan""#,
    r#""tier""#,
    r#""a""#,
    r#""a_rather_long_key_name""#,
    r#""user_id""#,
    r#""pl\u0061n""#,
    r#""region""#,
    r#""a_rather_long_key_namf""#,
    r#""""#,
    r#""t\"x""#,
];

/// Values as written, good and bad.
const WRITTEN_VALUES: [&str; 34] = [
    r#""paid""#,
    r#""free""#,
    r#""x""#,
    r#""u1""#,
    r#""""#,
    r#""a string longer than sixteen bytes""#,
    r#""esc\"aped\\ \/ \n \u00e9 \ud83d\ude00""#,
    "\"caf\u{e9} \u{1f600}\"",
    r#""\ud800""#,
    r#""\udc00""#,
    r#""\x""#,
    r#""\u12g4""#,
    "\"tab\there\"",
    r#""open"#,
    "0",
    "-0",
    "7",
    "2",
    "2.5",
    "-1.25e2",
    "1E+2",
    "0.0038",
    "1767225601",
    "123456789012345678",
    "1e400",
    "01",
    "1.",
    ".5",
    "+1",
    "-",
    "true",
    "false",
    "null",
    "[1]",
];

/// Entries in the order written, duplicates kept (a map would lose both).
struct Entries(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Entries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Entries, A::Error> {
                let mut out = Vec::new();
                while let Some(e) = m.next_entry::<String, serde_json::Value>()? {
                    out.push(e);
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// What serde_json makes of `text`: per read key its value, or `None` when the
/// text is not a flat object of strings, finite numbers and booleans.
fn oracle(text: &str) -> Option<Vec<Option<serde_json::Value>>> {
    let Entries(entries) = serde_json::from_str(text).ok()?;
    if entries
        .iter()
        .any(|(_, v)| !(v.is_string() || v.is_number() || v.is_boolean()))
    {
        return None;
    }
    let mut want = vec![None; KEYS.len()];
    for (k, v) in entries.into_iter().take(5) {
        if let Some(i) = KEYS.iter().position(|key| *key == k) {
            want[i] = Some(v);
        }
    }
    Some(want)
}

fn text_of(entries: &[(usize, usize)], spaces: &[usize]) -> String {
    let ws = |i: usize| [" ", "", "\n\t", "  ", "\r"][spaces.get(i).copied().unwrap_or(1) % 5];
    let mut out = format!("{}{{", ws(0));
    for (n, (k, v)) in entries.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(ws(n * 3 + 1));
        out.push_str(WRITTEN_KEYS[*k]);
        out.push_str(ws(n * 3 + 2));
        out.push(':');
        out.push_str(ws(n * 3 + 3));
        out.push_str(WRITTEN_VALUES[*v]);
    }
    out.push_str(ws(99));
    out.push('}');
    out.push_str(ws(100));
    out
}

/// Breaks `text` at a character: drops it, or puts a character before it.
fn edit(text: &str, at: usize, what: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = at % (chars.len() + 1);
    let mut out: Vec<char> = chars[..at].to_vec();
    match what % 8 {
        0 => {}
        1 => out.push('"'),
        2 => out.push('\\'),
        3 => out.push(','),
        4 => out.push('\u{1}'),
        5 => out.push('}'),
        6 => out.push('\u{e9}'),
        _ => out.push('1'),
    }
    let skip = usize::from(what % 8 == 0);
    out.extend(chars.iter().skip(at + skip));
    out.into_iter().collect()
}

fn check(program: &Program, req: &mut Request, text: &str) -> Result<(), TestCaseError> {
    let ours = req.set_metadata_json(program, text);
    let want = oracle(text);
    prop_assert_eq!(ours.is_ok(), want.is_some(), "{:?}: {:?}", text, ours);
    let Some(want) = want else {
        // Nothing of a refused object stays behind.
        for k in KEYS {
            prop_assert_eq!(req.get(program.slot(k).unwrap()), None);
        }
        return Ok(());
    };
    for (k, w) in KEYS.iter().zip(want) {
        let got = req.get(program.slot(k).unwrap());
        match (got, w) {
            (None, None) => {}
            (Some(Value::Str(a)), Some(serde_json::Value::String(b))) => prop_assert_eq!(a, b),
            (Some(Value::Bool(a)), Some(serde_json::Value::Bool(b))) => prop_assert_eq!(a, b),
            (Some(Value::Num(a)), Some(serde_json::Value::Number(b))) => {
                prop_assert_eq!(Some(a), b.as_f64(), "{:?}", text)
            }
            (got, w) => prop_assert!(false, "{text:?}: `{k}` is {got:?}, serde_json {w:?}"),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 3000,
        rng_seed: RngSeed::Fixed(16),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_reader_agrees_with_serde_json(
        entries in prop::collection::vec((0..WRITTEN_KEYS.len(), 0..WRITTEN_VALUES.len()), 0..8),
        spaces in prop::collection::vec(0usize..5, 0..30),
        edits in prop::collection::vec((0usize..400, 0usize..16), 0..2),
    ) {
        let program = scan_route();
        // One request reused throughout, as an embedder would.
        let mut req = Request::new(&program);
        let mut text = text_of(&entries, &spaces);
        check(&program, &mut req, &text)?;
        for (at, what) in edits {
            text = edit(&text, at, what);
            check(&program, &mut req, &text)?;
        }
    }
}

#[test]
fn every_key_the_route_reads_has_a_slot() {
    let program = scan_route();
    for k in KEYS {
        assert!(program.slot(k).is_some(), "{k}");
    }
    assert_eq!(program.slot("region"), None);
}
