//! The quick block reader held to the event reader.

use super::*;
use proptest::prelude::*;

fn general(text: &str) -> Option<String> {
    super::super::yaml::parse_general(text, SourceId(0), &Limits::default())
        .ok()
        .map(|d| format!("{d:?}"))
}

fn fast(text: &str) -> Option<String> {
    read(text, SourceId(0), &Limits::default()).map(|d| format!("{d:?}"))
}

#[test]
fn the_example_routes_take_the_quick_path_and_read_the_same() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/routes");
    let mut routes = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let quick = fast(&text);
        if quick.is_some() {
            assert_eq!(quick, general(&text), "{name}");
        }
        // Route files (not tests, traffic or pricing) are all block mappings.
        if name.matches('.').count() == 1 {
            assert!(quick.is_some(), "{name} should take the quick path");
            routes += 1;
        }
    }
    assert!(routes >= 5, "only {routes} example routes");
}

#[test]
fn spans_match_the_general_reader_at_the_edges() {
    for text in [
        "name: x\n# c\nnodes:\n  a:\n    if: m == \"p\"   # hi\n    then: b\n\n  # com\n  b: end\nz: \nq: 'it''s'\n",
        "a:\n  b: 1\n# tail\n\n",
        "a:\n  b: 1",
        "a:\n  b: \"x\\\"y\"  \n  c: d  # e\n",
        "a:\nb:\n  # x\n\nc: 1\n",
        "  a: 1\n  b:\n      c: 2\n  d: 0x1F\n",
        "a: -1\nb: -.inf\nc: ~\nd: ''\ne: \"\"\nf: 1e3\n",
    ] {
        assert!(fast(text).is_some(), "{text:?} should take the quick path");
        assert_eq!(fast(text), general(text), "{text:?}");
    }
}

#[test]
fn leaves_everything_else_to_the_general_reader() {
    for text in [
        "",
        "# only a comment\n",
        "a: [1, 2]\n",
        "a:\n- 1\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: |\n  text\n",
        "a: x\n  continued\n",
        "a: 1\na: 2\n",
        "a:\tb\n",
        "a: 1\r\n",
        "é: 1\n",
        "---\na: 1\n",
        "a: b: c\n",
        "a: \"x\\n\"\n",
        "a: \"open\n  close\"\n",
        "a: \"x\"# c\n",
        "  a: 1\nb: 2\n",
        "a:\n    b: 1\n  c: 2\n",
        "\"a\": 1\n",
    ] {
        assert_eq!(fast(text), None, "{text:?}");
    }
}

#[test]
fn keys_past_yaml_s_1024_characters_go_to_the_general_reader() {
    for (len, quick) in [(1024, true), (1025, false)] {
        for text in [
            format!("{}: 1\n", "k".repeat(len)),
            format!("top:\n  {}:\n    b: 1\n", "k".repeat(len)),
        ] {
            assert_eq!(fast(&text).is_some(), quick, "{len}");
            if quick {
                assert_eq!(fast(&text), general(&text));
            } else {
                assert!(general(&text).is_none());
            }
        }
    }
}

#[test]
fn a_large_mapping_still_finds_its_duplicate() {
    let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    assert!(fast(&text).is_some());
    text.push_str("k7: again\n");
    assert_eq!(fast(&text), None);
    assert!(general(&text).is_none());
}

#[test]
fn bounds_send_the_text_to_the_general_reader() {
    let limits = Limits {
        max_values: 5,
        ..Limits::default()
    };
    assert!(read("a: 1\nb: 2\n", SourceId(0), &limits).is_some());
    assert!(read("a: 1\nb: 2\nc: 3\n", SourceId(0), &limits).is_none());
    let deep: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    assert_eq!(fast(&deep), None);
}

const TRICKY: &[&str] = &[
    "-",
    "-1",
    "-x",
    "- x",
    ":",
    "a:b",
    "a: b",
    "#",
    " #",
    "x #c",
    "x#c",
    "\"",
    "\"a\\\"b\"",
    "\"a\\nb\"",
    "'",
    "'it''s'",
    "''",
    "~",
    "0o17",
    ".inf",
    ".5",
    "[a]",
    "{a: 1}",
    "&x",
    "*x",
    "!!str",
    "|",
    ">",
    "@",
    "%",
    "`",
    "?",
    ",",
    "$v",
    "(a)",
    "é",
    "\t",
    "\r",
    "...",
    "---",
    "x:",
    "a b",
    "\"a\" b",
    "'a'#",
    "-.inf",
    "+1",
    "0x1F",
    "1_000",
    "=",
    "<<",
];

fn key() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        6 => prop::sample::select(vec!["a", "b", "c", "d", "e", "k_1", "x.y", "70%", "p/q", "1", "true"]),
        1 => prop::sample::select(TRICKY.to_vec()),
    ]
}

fn value() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        3 => Just(""),
        6 => prop::sample::select(vec![
            "x", "1", "1h", "2.5e3", "null", "true", "\"q\"", "'s'", "m == \"p\" && t >= 2",
            "metadata.r in [\"a\", \"b\"]", "openai/gpt-4.1", "workers-ai/@cf/x", "-3", "a#b",
        ]),
        2 => prop::sample::select(TRICKY.to_vec()),
    ]
}

/// Lines of a block mapping: a key with no value usually opens a deeper
/// level; otherwise the next line stays, goes back up, or (rarely) lands
/// at an indentation no mapping has.
fn text() -> impl Strategy<Value = String> {
    let line = (
        0u8..8,
        key(),
        prop_oneof![8 => Just(": "), 1 => prop::sample::select(vec![":", ":  ", " :", ""])],
        value(),
        prop_oneof![6 => Just(""), 1 => prop::sample::select(vec![" ", "  # note", "# x", " #"])],
    );
    (
        prop::collection::vec(line, 1..14),
        prop::sample::select(vec!["", "\n", "\n\n# end\n", "\n  # end"]),
    )
        .prop_map(|(lines, end)| {
            let mut levels = vec![0usize];
            let mut opened = false;
            let mut out = Vec::new();
            for (step, key, colon, value, tail) in lines {
                let here = *levels.last().unwrap_or(&0);
                if opened && step < 6 {
                    levels.push(here + 2 + usize::from(step == 0));
                } else if step == 6 && levels.len() > 1 {
                    levels.pop();
                } else if step == 7 {
                    levels.truncate(1);
                }
                let indent = *levels.last().unwrap_or(&0);
                opened = value.is_empty() && colon.starts_with(':');
                out.push(format!("{}{key}{colon}{value}{tail}", " ".repeat(indent)));
                if step == 5 {
                    out.push(String::new());
                }
            }
            out.join("\n") + end
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    /// Whenever the quick reader answers, the general reader gives the very
    /// same tree, values and spans.
    #[test]
    fn agrees_with_the_general_reader(text in text()) {
        if let Some(quick) = fast(&text) {
            prop_assert_eq!(Some(quick), general(&text), "{:?}", text);
        }
    }

    /// Well-formed block routes are read quickly, not merely not wrongly.
    #[test]
    fn reads_plain_block_mappings(
        entries in prop::collection::vec(
            (prop::sample::select(vec!["a", "b", "c", "d"]),
             prop::sample::select(vec!["1", "x", "\"q\"", "'s'", "m == \"p\"", "", "1h # c"])),
            1..8),
    ) {
        let mut text = String::from("top:\n");
        let mut seen = HashSet::new();
        for (k, v) in entries {
            if seen.insert(k) {
                text += &format!("  {k}: {v}\n");
            }
        }
        prop_assert!(fast(&text).is_some(), "{:?}", text);
        prop_assert_eq!(fast(&text), general(&text));
    }
}
