//! The front table's shape for small routes: rows, lookups, settled
//! decisions and the fronts that get no table.

use crate::syntax::Format;

fn program(text: &str) -> crate::compile::Program {
    match crate::compile("t.yaml", text, Format::Yaml) {
        Ok(c) => c.program,
        Err(e) => panic!("{e}"),
    }
}

const TAIL: &str = "  a:\n    model: openai/a\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: b\n  b:\n    model: openai/b\n    timeout: 1s\n    retries: 0\n    success: done\n    fallback: done\n  done: end\n";

#[test]
fn a_front_of_conditions_gets_a_row_per_verdict_and_settled_decisions() {
    let text = format!(
        "name: t\nstart: c\nnodes:\n  c:\n    if: 'metadata.plan == \"paid\" && metadata.tier >= 2'\n    then: a\n    else: d\n  d:\n    if: 'metadata.region in [\"eu-west\", \"eu-central\"] || !exists metadata.plan'\n    then: b\n    else: a\n{TAIL}"
    );
    let p = program(&text);
    let root = p
        .root
        .as_ref()
        .expect("a front of two conditions has a table");
    // plan == paid, tier >= 2, region in [..], exists plan.
    assert_eq!(root.rows.len(), 16);
    // The two words of the `in` list become one lookup; `plan` has one.
    assert_eq!(root.groups.len(), 1, "one lookup for the region's words");
    assert_eq!(root.strs.len(), 1, "plan's one word stays a test");
    assert_eq!((root.nums.len(), root.present.len()), (1, 1));
    assert!(root.others.is_empty());
    // Every row ends at a model whose tail is compiled: all are settled.
    assert!(root.rows.iter().all(|r| r.done != super::NONE));
    // Three ways through the front: c → a, c → d → b, c → d → a.
    assert_eq!(root.done.len(), 3);
}

#[test]
fn the_words_of_one_slot_become_one_lookup() {
    let regions: Vec<String> = (0..12).map(|i| format!("\"region-{i}\"")).collect();
    let text = format!(
        "name: t\nstart: c\nnodes:\n  c:\n    if: 'metadata.region in [{}] && metadata.plan == \"paid\"'\n    then: a\n    else: b\n{TAIL}",
        regions.join(", ")
    );
    let p = program(&text);
    let root = p
        .root
        .as_ref()
        .expect("a front of one condition has a table");
    // Twelve words on `region`, past the scanned length: one lookup, not
    // the general test; the single word on `plan` stays a test.
    assert_eq!(root.groups.len(), 1);
    assert_eq!(root.strs.len(), 1);
    assert!(root.others.is_empty());
    let size = 1usize << (64 - root.groups[0].shift);
    assert!(size >= 24 && size <= 96, "{size} entries for 12 words");
    let filled = root.words.iter().filter(|w| w.bits != 0).count();
    assert_eq!(filled, 12, "one entry per word, none shared");
}

#[test]
fn a_long_list_whose_slot_gets_no_table_keeps_its_search() {
    // 64 words in the list and a 65th on the same slot: past what one
    // table holds, so the list goes back to the general test whole.
    let words: Vec<String> = (0..64).map(|i| format!("\"r{i}\"")).collect();
    let text = format!(
        "name: t\nstart: c\nnodes:\n  c:\n    if: 'metadata.region in [{}] && metadata.region != \"x\"'\n    then: a\n    else: b\n{TAIL}",
        words.join(", ")
    );
    let p = program(&text);
    let root = p
        .root
        .as_ref()
        .expect("a front of one condition has a table");
    assert!(root.groups.is_empty());
    assert_eq!(root.strs.len(), 1, "only the single word stays a test");
    assert!(
        matches!(
            root.others.as_slice(),
            [(super::Test::InStrs { len: 64, .. }, _)]
        ),
        "{:?}",
        root.others
    );
}

#[test]
fn a_front_with_more_tests_than_bits_runs_as_jump_lists() {
    let mut text = String::from("name: t\nstart: c0\nnodes:\n");
    for i in 0..11 {
        let next = if i == 10 {
            "a".to_string()
        } else {
            format!("c{}", i + 1)
        };
        text +=
            &format!("  c{i}:\n    if: 'metadata.tier == {i}'\n    then: b\n    else: {next}\n");
    }
    text += TAIL;
    assert!(program(&text).root.is_none());
    // Ten distinct tests fit.
    let cut = text.replace("metadata.tier == 10", "metadata.tier == 9");
    assert!(program(&cut).root.is_some());
}

#[test]
fn a_front_that_leads_into_a_split_of_settled_models_settles_each_share() {
    let text = format!(
        "name: t\nstart: c\nnodes:\n  c:\n    if: 'metadata.plan == \"paid\"'\n    then: s\n    else: b\n  s:\n    sticky: metadata.user\n    split:\n      60%: a\n      40%: b\n{TAIL}"
    );
    let p = program(&text);
    let root = p
        .root
        .as_ref()
        .expect("a front of one condition has a table");
    let paid = root
        .rows
        .iter()
        .find(|r| r.split)
        .expect("the paid row ends at the split");
    // One decision per share, in the split's order, each through the split.
    for (k, model) in ["a", "b"].iter().enumerate() {
        let d = &root.done[paid.done as usize + k];
        let path: Vec<&str> = root.path[d.at as usize..(d.at + d.len) as usize]
            .iter()
            .map(|&n| &*p.ids[n as usize])
            .collect();
        assert_eq!(path, ["start", "c", "s", model, "done"], "share {k}");
        assert_eq!(&*p.ids[d.served as usize], *model);
    }
    // A share that leads on to a condition is not settled: the row walks.
    let walked = text.replace(
        "40%: b",
        "40%: c2\n  c2:\n    if: 'metadata.tier >= 2'\n    then: a\n    else: b",
    );
    let p = program(&walked);
    let root = p.root.as_ref().expect("still a table");
    assert!(root.rows.iter().all(|r| !r.split));
}

#[test]
fn a_route_that_opens_with_a_split_has_no_table() {
    let text =
        format!("name: t\nstart: s\nnodes:\n  s:\n    split:\n      60%: a\n      40%: b\n{TAIL}");
    assert!(program(&text).root.is_none());
}
