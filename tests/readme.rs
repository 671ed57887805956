//! The README as a newcomer follows it: every route it shows validates (and is
//! formatted, where the README says it is), so the document cannot drift from
//! the tool.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use support::scratch::scratch;

mod support {
    pub mod gateway;
    pub mod redis;
    pub mod scratch;
}

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

/// A route block written to a file with `ext` in `dir`, for the binary to read.
fn block_file(dir: &Path, block: &Block, ext: &str) -> PathBuf {
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
    let tmp = scratch("readme");
    for (b, ext) in &routes {
        let path = block_file(tmp.path(), b, ext);
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
    let tmp = scratch("readme-fmt");
    for b in blocks().iter().filter(|b| is_dsl_route(b)) {
        let path = block_file(tmp.path(), b, "route");
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

/// The `run:` scripts of a workflow's steps, as written (a `|` block unindented).
fn run_scripts(workflow: &str) -> Vec<String> {
    let lines: Vec<&str> = workflow.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let Some(value) = trimmed
            .strip_prefix("- run:")
            .or_else(|| trimmed.strip_prefix("run:"))
        else {
            continue;
        };
        let value = value.trim();
        if value != "|" {
            out.push(value.to_string());
            continue;
        }
        let indent = line.len() - trimmed.len();
        let body: Vec<&str> = lines[i + 1..]
            .iter()
            .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
            .copied()
            .collect();
        let cut = body
            .iter()
            .map(|l| l.len() - l.trim_start().len())
            .min()
            .unwrap_or(0);
        out.push(
            body.iter()
                .map(|l| l.get(cut..).unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    out
}

/// The drift-check and deploy workflows: the token only ever from a secret in
/// the environment, and their `aig-route` steps, run as written by bash as
/// GitHub runs them, against the loopback gateway model with the repository's
/// `routes/`: the drift check fails (exit 1) on an empty gateway with the plan
/// on the summary page, the deploy applies every route, and the drift check
/// then passes.
#[test]
fn the_readme_workflows_run_against_the_gateway_model() {
    let workflows: Vec<Block> = blocks()
        .into_iter()
        .filter(|b| b.lang == "yaml" && b.text.starts_with("# .github/workflows/route-"))
        .collect();
    let find = |name: &str| {
        workflows
            .iter()
            .find(|b| b.text.starts_with(&format!("# .github/workflows/{name}")))
            .unwrap_or_else(|| panic!("the README shows {name}"))
    };
    let (drift, deploy) = (find("route-drift.yml"), find("route-deploy.yml"));
    for w in [drift, deploy] {
        assert!(
            w.text
                .contains("CLOUDFLARE_API_TOKEN: ${{ secrets.CLOUDFLARE_API_TOKEN }}"),
            "README line {}",
            w.line
        );
        assert!(!w.text.contains("--token"), "README line {}", w.line);
    }
    assert!(drift.text.contains("schedule:") && drift.text.contains("$GITHUB_STEP_SUMMARY"));
    assert!(deploy.text.contains("branches: [main]"));

    let gw = support::gateway::Gateway::start(support::gateway::Quirks::default());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = scratch("readme-ci");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("routes")).unwrap();
    // The YAML routes (the repository also holds each in the DSL, and two files
    // naming one route are refused by plan and apply alike).
    for e in std::fs::read_dir(root.join("routes")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            std::fs::copy(&p, dir.join("routes").join(p.file_name().unwrap())).unwrap();
        }
    }
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_aig-route"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let summary = dir.join("summary.md");
    let steps = |w: &Block| -> Vec<String> {
        let steps: Vec<String> = run_scripts(&w.text)
            .into_iter()
            .filter(|s| s.contains("aig-route ") && !s.contains("cargo install"))
            .collect();
        assert!(
            !steps.is_empty(),
            "README line {}: no aig-route step",
            w.line
        );
        steps
    };
    let run = |w: &Block| -> Option<i32> {
        let mut last = None;
        for script in steps(w) {
            let out = std::process::Command::new("bash")
                .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
                .current_dir(&dir)
                .env("PATH", &path)
                .env("NO_COLOR", "1")
                .env("GITHUB_STEP_SUMMARY", &summary)
                .env("CLOUDFLARE_API_TOKEN", support::gateway::TOKEN)
                .env("CLOUDFLARE_ACCOUNT_ID", "acc1")
                .env("AIG_GATEWAY_ID", "gw")
                .env("AIG_API_BASE", &gw.base)
                .output()
                .unwrap();
            last = out.status.code();
            if last != Some(0) {
                break;
            }
        }
        last
    };
    assert_eq!(
        run(drift),
        Some(1),
        "the drift check fails on an empty gateway"
    );
    let page = std::fs::read_to_string(&summary).unwrap();
    assert!(
        page.contains("### aig-route plan")
            && page.contains("5 to create, 0 to update, 0 unchanged, 0 unmanaged\n"),
        "{page}"
    );
    assert!(gw.writes().is_empty(), "plan sends nothing");
    assert_eq!(run(deploy), Some(0), "the deploy applies");
    assert_eq!(gw.writes().len(), 5, "one create per route");
    std::fs::remove_file(&summary).unwrap();
    assert_eq!(
        run(drift),
        Some(0),
        "the drift check passes after the deploy"
    );
    let page = std::fs::read_to_string(&summary).unwrap();
    assert!(
        page.contains("0 to create, 0 to update, 5 unchanged, 0 unmanaged\n"),
        "{page}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The fenced blocks under one `## ` heading, up to the next one.
fn section(title: &str) -> Vec<Block> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let lines: Vec<&str> = readme.lines().collect();
    let heading = format!("## {title}");
    let start = lines
        .iter()
        .position(|l| *l == heading)
        .unwrap_or_else(|| panic!("the README has no `{heading}`"))
        + 1;
    let end = lines[start..]
        .iter()
        .position(|l| l.starts_with("## "))
        .map_or(lines.len(), |k| start + k);
    blocks()
        .into_iter()
        .filter(|b| (start..end).contains(&(b.line - 1)))
        .collect()
}

/// `aig-route` on `PATH`, the rest of the environment a newcomer would have
/// (the dashboard API answered by the loopback model of it).
fn shell(
    script: &str,
    dir: &std::path::Path,
    gw: &support::gateway::Gateway,
) -> std::process::Output {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_aig-route"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    std::process::Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("CLOUDFLARE_API_TOKEN", support::gateway::TOKEN)
        .env("CLOUDFLARE_ACCOUNT_ID", "acc1")
        .env("AIG_GATEWAY_ID", "gw")
        .env("AIG_API_BASE", &gw.base)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// Getting started, followed to the letter in an empty directory: the install
/// command is this package's, each file shown is written under the name its
/// first line gives, each command runs and exits 0, each output shown is what
/// the command before it printed, the dry run sends nothing and the push
/// creates the route on the (loopback) gateway.
#[test]
fn getting_started_works_as_written() {
    let blocks = section("Getting started");
    let tmp = scratch("readme-guide");
    let dir = tmp.path();
    let gw = support::gateway::Gateway::start(support::gateway::Quirks::default());
    let (mut files, mut commands, mut outputs) = (0, 0, 0);
    let mut last_stdout = String::new();
    for b in &blocks {
        match b.lang.as_str() {
            "yaml" => {
                let first = b.text.lines().next().unwrap_or_default();
                let name = first
                    .strip_prefix("# ")
                    .and_then(|r| r.split([':', ' ']).next())
                    .filter(|n| n.ends_with(".yaml"))
                    .unwrap_or_else(|| {
                        panic!("README line {}: a file block names its file", b.line)
                    });
                std::fs::write(dir.join(name), &b.text).unwrap();
                files += 1;
            }
            "sh" => {
                for line in b.text.lines().map(str::trim) {
                    if line.is_empty() || line.starts_with('#') {
                        continue;
                    }
                    if line == "cargo install --path ." {
                        // What it installs: this package's `aig-route` binary.
                        let manifest = std::fs::read_to_string(concat!(
                            env!("CARGO_MANIFEST_DIR"),
                            "/Cargo.toml"
                        ))
                        .unwrap();
                        assert!(manifest.contains("[[bin]]\nname = \"aig-route\""));
                        continue;
                    }
                    assert!(
                        line.starts_with("aig-route "),
                        "README line {}: {line}",
                        b.line
                    );
                    let writes = gw.writes().len();
                    let out = shell(line, &dir, &gw);
                    assert_eq!(
                        out.status.code(),
                        Some(0),
                        "README line {}: `{line}` failed:\n{}{}",
                        b.line,
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    );
                    if line.contains("--dry-run") {
                        assert_eq!(gw.writes().len(), writes, "`{line}` sent something");
                    }
                    last_stdout = String::from_utf8(out.stdout).unwrap();
                    commands += 1;
                }
            }
            "text" => {
                assert_eq!(
                    last_stdout.trim_end(),
                    b.text.trim_end(),
                    "README line {}: the output shown is not what the command prints",
                    b.line
                );
                outputs += 1;
            }
            other => panic!("README line {}: unexpected block `{other}`", b.line),
        }
    }
    assert!(
        files >= 2 && commands >= 7 && outputs >= 1,
        "{files} {commands} {outputs}"
    );
    // The push created the route, and only it.
    let writes = gw.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The set-up is two commands on a fresh machine: the main job, each of
/// whose steps CI runs too (and which pass here), and the test command, which
/// is how CI runs the tests.
#[test]
fn the_setup_is_two_commands_and_ci_runs_them() {
    let blocks = section("Set-up: two commands");
    assert_eq!(blocks.len(), 1, "one block of commands");
    let commands: Vec<&str> = blocks[0]
        .text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(commands.len(), 2, "{commands:?}");
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    let ci_steps: Vec<&str> = ci
        .lines()
        .filter_map(|l| l.trim().strip_prefix("cargo run --quiet -- "))
        .collect();
    let steps: Vec<&str> = commands[0]
        .split("&&")
        .map(|s| {
            s.trim()
                .strip_prefix("cargo run --release -- ")
                .unwrap_or_else(|| panic!("`{s}` is not a step of the main job"))
        })
        .collect();
    assert_eq!(
        steps.len(),
        ci_steps.len(),
        "{steps:?} against CI's {ci_steps:?}"
    );
    for (step, ci_step) in steps.iter().zip(&ci_steps) {
        assert!(
            ci_step.starts_with(step),
            "CI runs `{ci_step}` where the README has `{step}`"
        );
        let args: Vec<&str> = step.split_whitespace().collect();
        let out = cmd().args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "`aig-route {step}`:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(commands[1].starts_with("cargo test"), "{}", commands[1]);
    assert!(
        ci.lines().any(|l| l.trim().starts_with(commands[1])),
        "CI does not run `{}`",
        commands[1]
    );
}

/// Every repository file or directory the README names in backticks exists.
#[test]
fn every_file_the_readme_names_exists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut checked = 0;
    for (k, quoted) in readme.split('`').enumerate() {
        // Odd pieces are inside backticks; take the path-like words of each.
        if k % 2 == 0 {
            continue;
        }
        for word in quoted.split_whitespace() {
            let word = word.trim_end_matches([',', ';', ')']);
            let word = word.split_once(':').map_or(word, |(_, p)| p);
            let repo_path = ["routes/", "tests/", "src/", "grammar/", "benches/", ".ci/"]
                .iter()
                .any(|p| word.starts_with(p));
            if !repo_path || word.contains(['*', '{', '<', '$']) {
                continue;
            }
            assert!(
                root.join(word).exists(),
                "the README names `{word}`, which does not exist"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} paths found");
}

/// Copies `routes/` into `dir/routes`, as a user's directory holds them: each
/// route once (the repository also keeps a DSL twin of each, and two files
/// naming one route are refused by plan and apply).
fn copy_routes(dir: &std::path::Path) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir.join("routes")).unwrap();
    for e in std::fs::read_dir(root.join("routes")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x != "route") {
            std::fs::copy(&p, dir.join("routes").join(p.file_name().unwrap())).unwrap();
        }
    }
}

/// Every other shell block of the README runs as written, in a copy of the
/// repository's `routes/`, against stand-ins for what it talks to: the
/// loopback model of the dashboard API (account `acc1`, gateway `gw`, so
/// `$ACCOUNT` and `--gateway prod` name them), a real `redis-server` on a free
/// port for `redis://127.0.0.1:6379/0`. Every command exits as the README
/// says, and where it shows a `$ command` with its output, the output is what
/// it prints.
/// The pre-commit hook runs in a git repository with the routes staged.
#[test]
fn every_command_in_the_readme_runs() {
    let skip: Vec<usize> = section("Getting started")
        .iter()
        .chain(&section("Set-up: two commands"))
        .map(|b| b.line)
        .collect();
    let tmp = scratch("readme-cmds");
    let dir = tmp.path();
    copy_routes(&dir);
    let gw = support::gateway::Gateway::start(support::gateway::Quirks::default());
    let redis = support::redis::RedisServer::start();
    let mut ran = 0;
    for b in blocks() {
        if b.lang != "sh" || skip.contains(&b.line) {
            continue;
        }
        if b.text.starts_with("#!/bin/sh") {
            let repo = dir.join("hook");
            std::fs::create_dir_all(&repo).unwrap();
            copy_routes(&repo);
            let out = shell(
                &format!("git init -q . && git add routes && {{\n{}\n}}", b.text),
                &repo,
                &gw,
            );
            assert_eq!(
                out.status.code(),
                Some(0),
                "README line {}: the hook fails:\n{}{}",
                b.line,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
            continue;
        }
        // `$ command` lines are followed by the output they print.
        let mut runs: Vec<(String, Option<String>)> = Vec::new();
        for line in b.text.lines() {
            if let Some(c) = line.strip_prefix("$ ") {
                runs.push((c.to_string(), Some(String::new())));
            } else if line.starts_with("aig-route ") {
                runs.push((line.to_string(), None));
            } else if let Some((_, Some(out))) = runs.last_mut() {
                out.push_str(line);
                out.push('\n');
            } else {
                assert!(
                    line.trim().is_empty() || line.trim_start().starts_with('#'),
                    "README line {}: `{line}` is neither a command nor its output",
                    b.line
                );
            }
        }
        for (command, expected) in runs {
            let script = command
                .replace("redis://127.0.0.1:6379/0", &format!("{}0", redis.url()))
                .replace("--gateway prod", "--gateway gw")
                .replace("$ACCOUNT", "acc1");
            // What the README says each exits with here: `plan` 1 when something
            // would change (all is new to the gateway), `apply` 2 without a
            // terminal to ask on (nothing sent); everything else 0.
            let expect = if command.starts_with("aig-route plan ") {
                1
            } else if command.starts_with("aig-route apply ") && !command.contains("--yes") {
                2
            } else {
                0
            };
            let writes = gw.writes().len();
            let out = shell(&script, &dir, &gw);
            if expect == 2 {
                assert_eq!(gw.writes().len(), writes, "`{command}` sent something");
            }
            assert_eq!(
                out.status.code(),
                Some(expect),
                "README line {}: `{command}` fails:\n{}{}",
                b.line,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            if let Some(expected) = expected {
                assert_eq!(
                    String::from_utf8_lossy(&out.stdout).trim_end(),
                    expected.trim_end(),
                    "README line {}: `{command}` prints something else",
                    b.line
                );
            }
            ran += 1;
        }
    }
    assert!(ran >= 8, "only {ran} commands ran");
    let _ = std::fs::remove_dir_all(&dir);
}
