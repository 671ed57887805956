//! The README as a newcomer follows it: every route it shows validates (and is
//! formatted, where the README says it is), so the document cannot drift from
//! the tool.

use std::path::PathBuf;

use assert_cmd::Command;

fn cmd() -> Command {
    let mut c = Command::cargo_bin("aig-route").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

/// One fenced block: its info string (`yaml`, `sh`, empty), first line number,
/// and text.
struct Block {
    lang: String,
    line: usize,
    text: String,
}

/// Every fenced block at the top level of the README (a four-backtick fence
/// quotes a three-backtick one, which then is text, not a block).
fn blocks() -> Vec<Block> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut out = Vec::new();
    let mut open: Option<(String, Block)> = None;
    for (i, line) in readme.lines().enumerate() {
        match &mut open {
            Some((fence, block)) => {
                if line.trim_end() == fence.as_str() {
                    let (_, b) = open.take().unwrap();
                    out.push(b);
                } else {
                    block.text.push_str(line);
                    block.text.push('\n');
                }
            }
            None => {
                let ticks = line.len() - line.trim_start_matches('`').len();
                if ticks >= 3 {
                    let fence = "`".repeat(ticks);
                    let lang = line[ticks..].trim().to_string();
                    open = Some((
                        fence,
                        Block {
                            lang,
                            line: i + 1,
                            text: String::new(),
                        },
                    ));
                }
            }
        }
    }
    assert!(open.is_none(), "README: a fenced block is never closed");
    out
}

/// A route block written to a scratch file with `ext`, for the binary to read.
fn scratch(block: &Block, ext: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aig-route-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("readme-{}.{ext}", block.line));
    std::fs::write(&path, &block.text).unwrap();
    path
}

fn is_yaml_route(b: &Block) -> bool {
    b.lang == "yaml" && b.text.lines().any(|l| l.starts_with("nodes:"))
}

fn is_dsl_route(b: &Block) -> bool {
    b.lang.is_empty()
        && b.text
            .lines()
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .is_some_and(|l| l.starts_with("route "))
}

#[test]
fn every_route_in_the_readme_validates() {
    let routes: Vec<(Block, &str)> = blocks()
        .into_iter()
        .filter_map(|b| {
            if is_yaml_route(&b) {
                Some((b, "yaml"))
            } else if is_dsl_route(&b) {
                Some((b, "route"))
            } else {
                None
            }
        })
        .collect();
    assert!(
        routes.iter().any(|(_, e)| *e == "yaml") && routes.iter().any(|(_, e)| *e == "route"),
        "the README shows a YAML and a DSL route"
    );
    for (b, ext) in &routes {
        let path = scratch(b, ext);
        let out = cmd().arg("validate").arg(&path).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "README line {}: the route does not validate:\n{}",
            b.line,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_readme_dsl_route_is_formatted() {
    for b in blocks().iter().filter(|b| is_dsl_route(b)) {
        let path = scratch(b, "route");
        let out = cmd().args(["fmt", "--check"]).arg(&path).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "README line {}: `fmt --check` fails:\n{}",
            b.line,
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
