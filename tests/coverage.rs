//! Every diagnostic code is produced by at least one test: a golden case, a
//! hostile-corpus case, or an assertion in a test file. A new code without a
//! test fails here.

use aig_route::diagnostic::Code;

#[test]
fn every_diagnostic_code_has_a_test() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = String::new();
    for dir in ["tests", "tests/diagnostics", "tests/hostile"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let keep = path.extension().is_some_and(|e| e == "expect" || e == "rs");
            if keep && !path.ends_with("coverage.rs") {
                text.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    // E0108 (schema) is tested in `src/schema.rs`: the readers cover what it checks.
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| *c != "E0108" && !text.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes without a test: {missing:?}");
    // And every code is in the README's table.
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let undocumented: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !readme.contains(&format!("`{c}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "codes not in the README: {undocumented:?}"
    );
}

#[test]
fn every_diagnostic_code_is_explained_with_an_example_and_a_fix() {
    for &code in Code::ALL {
        let e = code.explain();
        for (part, text) in [("what", e.what), ("example", e.example), ("fix", e.fix)] {
            assert!(
                text.trim().len() >= 8,
                "`aig-route explain {code}` has no real {part}: {text:?}"
            );
        }
        assert_ne!(
            e.what,
            code.summary(),
            "{code}: the long form repeats the summary"
        );
    }
}
