//! The repository stands alone: no source file, test, bench, grammar, CI
//! script or the README points at a document that is not in it (a design
//! spec, a style guide, a benchmark brief, a copied reference kept beside the
//! checkout). What the project needs from such documents is said in its own
//! words, here.

use std::path::{Path, PathBuf};

/// Phrases that only make sense with a document outside the repository; built
/// from pieces so that this file does not name them itself.
fn outside_references() -> Vec<String> {
    [
        ("SPEC", " §"),
        ("SPEC", " section"),
        ("../", "shared"),
        ("/work/", "shared"),
        ("the reference", " file"),
        ("STYLE", ".md"),
        ("BENCHMARKS", ".md"),
        ("SPEC", ".md"),
        ("cloudflare-dynamic-", "routing.md"),
        ("anchor-route", ".json"),
    ]
    .iter()
    .map(|(a, b)| format!("{a}{b}"))
    .collect()
}

/// Every file under the repository's own directories, by an explicit stack.
fn files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![root.join("README.md"), root.join("Cargo.toml")];
    let mut todo: Vec<PathBuf> = ["src", "tests", "benches", "grammar", "routes", ".ci"]
        .iter()
        .map(|d| root.join(d))
        .filter(|d| d.is_dir())
        .collect();
    while let Some(dir) = todo.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let kind = e.file_type().unwrap();
            if kind.is_dir() {
                todo.push(e.path());
            } else if kind.is_file() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn nothing_points_at_a_document_outside_the_repository() {
    let phrases = outside_references();
    let mut read = 0;
    let mut found = Vec::new();
    for path in files() {
        // Non-text files (the hostile corpus has some) say nothing to a reader.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        read += 1;
        for (i, line) in text.lines().enumerate() {
            for p in &phrases {
                if line.contains(p.as_str()) {
                    found.push(format!("{}:{}: `{p}`", path.display(), i + 1));
                }
            }
        }
    }
    assert!(read >= 100, "only {read} files read");
    assert!(found.is_empty(), "{}", found.join("\n"));
}
