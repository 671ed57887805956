//! Comments stay with what they annotate through `fmt` and `convert`: over every
//! route of the corpora (`routes/`, the hostile `ok_*` files, the evaluation
//! cases, the warning-only diagnostic cases, the README) and generated
//! routes, with comments added on their own lines and at line ends, `fmt` is
//! idempotent and every comment comes out next to the same node.

#[path = "support/corpus.rs"]
mod corpus;

use std::path::Path;

use aig_route::emit::{to_dsl_with, to_yaml_with};
use aig_route::fmt::{format_file, read_with_comments};
use aig_route::source::SourceMap;
use aig_route::syntax::{Format, Limits};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// The node each line of a formatted-style file belongs to (`None` above the
/// nodes): in YAML the last `  id:` line, in the DSL the node defined on the
/// line or the innermost one whose braces are open.
fn owners(text: &str, format: Format) -> Vec<Option<String>> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut in_nodes = false;
    for line in text.lines() {
        let code = strip_comment(line, format).trim_end().to_string();
        match format {
            Format::Dsl => {
                let defined = dsl_defined(&code);
                let closing = code.trim() == "}";
                let owner = if closing {
                    stack.pop().flatten()
                } else {
                    defined.clone().or_else(|| stack.last().cloned().flatten())
                };
                if code.ends_with('{') {
                    stack.push(defined.or_else(|| stack.last().cloned().flatten()));
                }
                out.push(owner);
            }
            _ => {
                if code == "nodes:" {
                    in_nodes = true;
                } else if in_nodes
                    && code.starts_with("  ")
                    && !code.starts_with("   ")
                    && !code.trim().is_empty()
                {
                    current = code.trim().split(':').next().map(String::from);
                }
                out.push(if in_nodes { current.clone() } else { None });
            }
        }
    }
    out
}

/// The node a DSL line defines: `name: kind …` at the top or after `->`.
fn dsl_defined(code: &str) -> Option<String> {
    let rest = code.trim();
    let rest = rest.split_once("-> ").map_or(rest, |(_, r)| r);
    let (name, after) = rest.split_once(": ")?;
    let kind = after.split_whitespace().next()?;
    ["if", "split", "rate", "budget", "model", "end"]
        .contains(&kind)
        .then(|| name.trim_matches('"').to_string())
}

/// The line without its comment: from a `#` (or, in the DSL, `//`) at the
/// start or after a space. (The corpora hold no such text inside quotes.)
fn strip_comment(line: &str, format: Format) -> &str {
    let mut cut = line.len();
    let marks: &[&str] = if format == Format::Dsl {
        &["#", "//"]
    } else {
        &["#"]
    };
    for mark in marks {
        if line.trim_start().starts_with(mark) {
            return "";
        }
        if let Some(i) = line.find(&format!(" {mark}")) {
            cut = cut.min(i);
        }
    }
    &line[..cut]
}

/// Each `# note N` comment with the node it is next to: its own line's node for
/// an end-of-line comment, the next code line's node for an own-line comment.
fn placed(text: &str, format: Format) -> Vec<(String, Option<String>, bool)> {
    let lines: Vec<&str> = text.lines().collect();
    let owners = owners(text, format);
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.find("# note") else {
            continue;
        };
        let note = line[at..].trim().to_string();
        let trailing = !line[..at].trim().is_empty();
        let owner = if trailing {
            owners[i].clone()
        } else {
            (i + 1..lines.len())
                .find(|&j| !strip_comment(lines[j], format).trim().is_empty())
                .and_then(|j| owners[j].clone())
        };
        out.push((note, owner, trailing));
    }
    out.sort();
    out
}

/// `text` with `# note N` comments added: on their own line before line
/// `a % lines` (a node's first line, so the note is about that node) and at the
/// end of line `b % lines`.
fn annotate(text: &str, format: Format, own: &[u16], trailing: &[u16]) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| match format {
            Format::Dsl => dsl_defined(l).is_some(),
            _ => l.starts_with("  ") && !l.starts_with("   ") && l.contains(':'),
        })
        .map(|(i, _)| i)
        .collect();
    let code: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#') && !t.starts_with("//") && !l.contains('#')
        })
        .map(|(i, _)| i)
        .collect();
    let mut k = 0;
    for t in trailing {
        if code.is_empty() {
            break;
        }
        let i = code[*t as usize % code.len()];
        if !lines[i].contains("# note") {
            lines[i] = format!("{}  # note t{k}", lines[i].trim_end());
            k += 1;
        }
    }
    let mut at: Vec<usize> = own
        .iter()
        .filter(|_| !starts.is_empty())
        .map(|a| starts[*a as usize % starts.len()])
        .collect();
    at.sort();
    at.dedup();
    for (n, i) in at.iter().enumerate().rev() {
        let indent = lines[*i].len() - lines[*i].trim_start().len();
        lines.insert(*i, format!("{}# note o{n}", " ".repeat(indent)));
    }
    lines.join("\n") + "\n"
}

fn fmt(text: &str, format: Format) -> String {
    let mut sources = SourceMap::new();
    let id = sources.add("c", text.to_string());
    format_file(&sources, id, format, &Limits::default())
        .unwrap_or_else(|d| panic!("{d:?}\n{text}"))
}

fn convert(text: &str, from: Format, to: Format) -> String {
    let mut sources = SourceMap::new();
    let id = sources.add("c", text.to_string());
    let (parsed, comments) = read_with_comments(&sources, id, from, &Limits::default())
        .unwrap_or_else(|d| panic!("{d:?}\n{text}"));
    match to {
        Format::Dsl => to_dsl_with(&parsed.route, &comments),
        _ => to_yaml_with(&parsed.route, &comments),
    }
}

/// The whole check on one annotated text: idempotent, nothing lost, each note
/// next to the same node after `fmt`, and after a trip through the other format
/// still there and next to the same node when it was about a node.
fn check(name: &str, text: &str, format: Format) {
    let before = placed(text, format);
    let once = fmt(text, format);
    assert_eq!(fmt(&once, format), once, "{name}: fmt is not idempotent");
    let after = placed(&once, format);
    assert_eq!(before, after, "{name}: notes moved\n{text}\n---\n{once}");
    let other = if format == Format::Dsl {
        Format::Yaml
    } else {
        Format::Dsl
    };
    let there = convert(&once, format, other);
    let back = convert(&there, other, format);
    let notes = |v: &[(String, Option<String>, bool)]| -> Vec<String> {
        v.iter().map(|(n, _, _)| n.clone()).collect()
    };
    assert_eq!(
        notes(&placed(&there, other)),
        notes(&before),
        "{name}: convert lost notes\n{there}"
    );
    assert_eq!(
        notes(&placed(&back, format)),
        notes(&before),
        "{name}: the round trip lost notes\n{back}"
    );
    // Own-line notes above a node stay above that node through both formats.
    let own = |v: Vec<(String, Option<String>, bool)>| -> Vec<(String, Option<String>)> {
        v.into_iter()
            .filter(|(n, _, _)| n.starts_with("# note o"))
            .map(|(n, o, _)| (n, o))
            .collect()
    };
    assert_eq!(
        own(placed(&there, other)),
        own(before.clone()),
        "{name}: a note left its node\n{once}\n---\n{there}"
    );
}

/// The YAML and DSL routes of every corpus (`tests/support/corpus.rs`).
fn corpus() -> Vec<(String, String, Format)> {
    corpus::valid_routes()
        .into_iter()
        .filter(|(_, _, f)| matches!(f, Format::Yaml | Format::Dsl))
        .collect()
}

#[test]
fn every_corpus_route_keeps_its_comments_in_place() {
    for (name, text, format) in corpus() {
        // The file as it is (its own comments), then formatted and annotated.
        let once = fmt(&text, format);
        assert_eq!(fmt(&once, format), once, "{name}: fmt is not idempotent");
        for (own, trailing) in [(vec![0, 3, 7], vec![1, 5]), (vec![2, 11], vec![0, 4, 9])] {
            let annotated = annotate(&once, format, &own, &trailing);
            check(&name, &annotated, format);
        }
    }
}

#[test]
fn a_comment_after_a_quoted_looking_name_is_kept() {
    let text = "name: o'brien  # the owner\nstart: done\nnodes:\n  done: end\n";
    assert!(fmt(text, Format::Yaml).contains("name: o'brien  # the owner\n"));
}

/// A route without `name:` is named by its file; `fmt` keeps it that way (an
/// explicit name would stop a rename of the file from renaming the route, and
/// standard input has no name to write), while `convert` writes the name.
#[test]
fn fmt_leaves_an_implied_name_implied() {
    let text = "# a comment\nstart: done\nnodes:\n  done: end\n";
    assert_eq!(fmt(text, Format::Yaml), text);
    let named = "name: r\nstart: done\nnodes:\n  done: end\n";
    assert_eq!(fmt(named, Format::Yaml), named);
    let out = assert_cmd::Command::cargo_bin("aig-route")
        .unwrap()
        .args(["fmt", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), text);
    assert_eq!(
        convert(text, Format::Yaml, Format::Yaml),
        format!("# a comment\nname: c\n{}", &text[12..])
    );
}

#[test]
fn a_model_word_with_slashes_grows_no_comment() {
    let text = "route r {\n  start -> m\n  m: model workers-ai/@cf//x timeout 1s retries 0 {\n    success -> done\n    fallback -> done\n  }\n  x: end\n  done: end\n}\n";
    let once = fmt(text, Format::Dsl);
    assert!(once.contains("model workers-ai/@cf//x timeout"), "{once}");
    assert!(
        !once.contains("//x\n") && once.matches("//").count() == 1,
        "{once}"
    );
    assert_eq!(fmt(&once, Format::Dsl), once);
}

#[test]
fn converting_to_json_says_how_many_comments_it_drops() {
    let out = assert_cmd::Command::cargo_bin("aig-route")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["convert", "routes/tiers.yaml", "--to", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("routes/tiers.yaml"))
            .unwrap();
    let n = text.lines().filter(|l| l.contains('#')).count();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        n > 0 && stderr.contains(&format!("{n} comments")),
        "{stderr}"
    );
}

fn generated(kinds: &[(u8, u8)]) -> String {
    let n = kinds.len();
    let mut out = String::from("name: gen\nstart: n0\nnodes:\n");
    for (i, &(kind, pick)) in kinds.iter().enumerate() {
        let next = |d: u8| {
            let j = i + 1 + d as usize % (n - i);
            if j >= n {
                "done".to_string()
            } else {
                format!("n{j}")
            }
        };
        out += &match kind % 4 {
            0 => format!(
                "  n{i}:\n    if: metadata.plan == \"p{pick}\"\n    then: {}\n    else: {}\n",
                next(pick),
                next(pick / 3)
            ),
            1 => format!(
                "  n{i}:\n    split:\n      - 50%: {}\n      - 50%: {}\n",
                next(pick),
                next(pick / 2)
            ),
            2 => format!(
                "  n{i}:\n    rate_limit: 5\n    window: 1h\n    success: {}\n    fallback: {}\n",
                next(pick),
                next(pick / 5)
            ),
            _ => format!(
                "  n{i}:\n    model: openai/m{pick}\n    timeout: 2s\n    retries: 0\n    success: {}\n    fallback: {}\n",
                next(pick),
                next(pick / 7)
            ),
        };
    }
    out + "  done: end\n"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, rng_seed: RngSeed::Fixed(0x5eed_0004), ..ProptestConfig::default() })]

    #[test]
    fn generated_routes_keep_their_comments_in_place(
        kinds in prop::collection::vec(any::<(u8, u8)>(), 1..12),
        own in prop::collection::vec(any::<u16>(), 0..5),
        trailing in prop::collection::vec(any::<u16>(), 0..5),
        dsl in any::<bool>(),
    ) {
        let yaml = generated(&kinds);
        let (text, format) = if dsl {
            (convert(&yaml, Format::Yaml, Format::Dsl), Format::Dsl)
        } else {
            (fmt(&yaml, Format::Yaml), Format::Yaml)
        };
        check("generated", &annotate(&text, format, &own, &trailing), format);
    }
}

/// A comment after an inline node's closing `}` stays on that line: the block's
/// span ends at its `}`, not after the comment that follows it.
#[test]
fn a_comment_after_an_inline_closing_brace_stays_there() {
    let text = "route r {\n  start -> lim: rate 5 per 1m {\n    success -> big: model openai/big timeout 45s retries 1 {\n      success -> done\n      fallback -> done\n    }  # after big\n    fallback -> done\n  }  // after lim\n  done: end\n}\n";
    assert_eq!(fmt(text, Format::Dsl), text);
}
