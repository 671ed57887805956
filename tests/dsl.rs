//! The DSL: every example route's `.route` twin means the same as its YAML (or
//! JSON) original, conversions through the DSL are lossless, and `fmt` and
//! `graph` work from the command line.

#[path = "support/scratch.rs"]
mod scratch;
use scratch::scratch;
use std::path::Path;

use assert_cmd::Command;

use aig_route::check::check_text;
use aig_route::compile::Program;
use aig_route::source::SourceMap;
use aig_route::syntax::Format;

fn program(path: &Path) -> Program {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.to_string_lossy().into_owned();
    let mut sources = SourceMap::new();
    let (_, checked) = check_text(
        &mut sources,
        &name,
        &text,
        Format::from_path(&name).unwrap(),
    );
    assert!(
        checked.is_ok(),
        "{name}: {:?}",
        checked.diagnostics.iter().find(|d| d.is_error())
    );
    checked.program.unwrap()
}

fn cmd() -> Command {
    let mut c = Command::cargo_bin("aig-route").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

#[test]
fn every_example_route_has_an_equal_dsl_twin() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("routes");
    let mut twins = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.contains(".traffic.")
            || name.contains(".pricing.")
            || name.contains(".test.")
            || path
                .extension()
                .is_some_and(|e| e == "route" || e == "jsonl")
        {
            continue;
        }
        let twin = path.with_extension("route");
        assert!(twin.exists(), "{name} has no .route twin");
        assert_eq!(
            program(&path).canonical(),
            program(&twin).canonical(),
            "{name} and its twin differ"
        );
        twins += 1;
    }
    assert!(twins >= 6);
    // And every example is in canonical layout.
    let out = cmd().args(["fmt", "--check", "routes/"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn conversions_through_the_dsl_are_lossless() {
    let tmp = scratch("dsl");
    let dir = tmp.path();
    for route in [
        "routes/anchor.json",
        "routes/tiers.yaml",
        "routes/canary.route",
        "routes/regional.yaml",
    ] {
        let dsl = dir.join("a.route");
        let json = dir.join("b.json");
        let back = dir.join("c.route");
        for (from, to, out) in [
            (route.to_string(), "dsl", &dsl),
            (dsl.to_string_lossy().into_owned(), "json", &json),
            (json.to_string_lossy().into_owned(), "dsl", &back),
        ] {
            let o = cmd()
                .args(["convert", &from, "--to", to, "-o"])
                .arg(out)
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "{from} → {to}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        // JSON has no comments: what went through it lost those of the source.
        let uncommented = |p: &Path| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .filter(|l| !l.trim_start().starts_with('#') && !l.trim_start().starts_with("//"))
                .map(|l| format!("{l}\n"))
                .collect::<String>()
        };
        assert_eq!(uncommented(&dsl), uncommented(&back), "{route}");
        assert_eq!(
            program(Path::new(&format!(
                "{}/{route}",
                env!("CARGO_MANIFEST_DIR")
            )))
            .canonical(),
            program(&back).canonical()
        );
    }
}

#[test]
fn fmt_rewrites_keeps_comments_checks_and_never_loses_a_file() {
    let tmp = scratch("fmt");
    let dir = tmp.path();
    let file = dir.join("r.route");
    let messy = "# keep me\nroute r{start->m\n// and me\nm:model openai/gpt-4.1 timeout 30000 retries 1{success->done fallback->done}\ndone:end}\n";
    std::fs::write(&file, messy).unwrap();
    let out = cmd().args(["fmt", "--check"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("+  m: model openai/gpt-4.1 timeout 30s retries 1 {"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        messy,
        "--check changes nothing"
    );
    assert!(
        cmd()
            .arg("fmt")
            .arg(&file)
            .output()
            .unwrap()
            .status
            .success()
    );
    let formatted = std::fs::read_to_string(&file).unwrap();
    assert!(formatted.starts_with("# keep me\nroute r {"), "{formatted}");
    assert!(formatted.contains("  // and me\n  m: model"), "{formatted}");
    let again = cmd().args(["fmt", "--check"]).arg(&file).output().unwrap();
    assert_eq!(again.status.code(), Some(0), "fmt is idempotent");
    // A file that does not parse is left as it is.
    let broken = dir.join("broken.route");
    std::fs::write(&broken, "route r { start -> \n").unwrap();
    let out = cmd().arg("fmt").arg(&broken).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "route r { start -> \n"
    );
    // A YAML file with an unknown key is not rewritten (that would drop the key).
    let yaml = dir.join("r.yaml");
    let text = "start: done\nnodes:\n  done: end\ncolour: red\n";
    std::fs::write(&yaml, text).unwrap();
    assert_eq!(
        cmd().arg("fmt").arg(&yaml).output().unwrap().status.code(),
        Some(1)
    );
    assert_eq!(std::fs::read_to_string(&yaml).unwrap(), text);
}

#[test]
fn graph_draws_decisions_edges_and_shares() {
    let out = cmd()
        .args(["graph", "routes/anchor.json"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("flowchart TD\n"), "{text}");
    assert!(
        text.contains("paid_tier<br/>plan == #quot;paid#quot; && tier #gt;= 2"),
        "{text}"
    );
    assert!(text.contains("split by user_id"), "{text}");
    assert!(
        text.contains("-- \"90%\" -->") && text.contains("-- \"then\" -->"),
        "{text}"
    );
    let out = cmd()
        .args(["graph", "routes/tiers.yaml", "--format", "dot"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("label=\"free_limit\\n100 req / 1h per user_id\""),
        "{text}"
    );
    assert!(
        text.contains("[label=\"fallback\", style=dashed]"),
        "{text}"
    );
}
