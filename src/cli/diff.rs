//! `aig-route diff OLD NEW`: what changed between two versions of a route, in
//! words, optionally with the traffic shift from simulating both.

use std::path::PathBuf;

use super::common::{Global, fail, load_and_check, print_human};
use crate::compile::Program;
use crate::simulate::{Simulator, parse_line};
use crate::source::SourceMap;
use crate::syntax::Format;
use crate::syntax::ast::Route;

/// Compare two versions of a route. Exit 0 when they mean the same, 1 when they
/// differ, 2 when one cannot be read (like `diff`).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Either side may be `REV:path`, read with `git show`.\n\nExamples:\n  aig-route diff routes/canary.yaml routes/canary.route\n  aig-route diff routes/tiers.yaml routes/fallback-chain.yaml --traffic routes/tiers.traffic.jsonl\n\nEither side may be REV:PATH from git, such as main:routes/canary.yaml."
)]
pub struct Args {
    /// The old version (a file, or `REV:path` in git).
    old: String,
    /// The new version (a file, or `REV:path` in git).
    new: String,
    /// Also replay this traffic through both and report the shift per model.
    #[arg(long, value_name = "FILE.jsonl")]
    traffic: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = super::remote::OutFormat::Human)]
    format: super::remote::OutFormat,
}

/// Reads a side: a file, or `REV:path` through `git show`.
fn read_side(g: &Global, sources: &mut SourceMap, arg: &str) -> Result<(Route, Program), String> {
    let from_git = !std::path::Path::new(arg).exists() && arg.contains(':');
    let checked = if from_git {
        let path = arg.split_once(':').map_or(arg, |(_, p)| p);
        let out = std::process::Command::new("git")
            .args(["show", arg])
            .output()
            .map_err(|e| format!("cannot run `git show {arg}`: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "`git show {arg}` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let text = String::from_utf8(out.stdout).map_err(|_| format!("`{arg}` is not UTF-8"))?;
        let format = Format::from_path(path).unwrap_or(Format::Yaml);
        let id = sources.add(arg, text);
        let mut c = crate::check::check(sources, id, format, &g.limits());
        g.filter(&mut c.diagnostics);
        c
    } else {
        let (loaded, c) = load_and_check(sources, arg, g);
        if loaded.unreadable {
            print_human(&c.diagnostics, sources, g);
            return Err(format!("cannot read `{arg}`"));
        }
        c
    };
    let errors = checked.errors();
    match (checked.parsed, checked.program) {
        (Some(p), Some(program)) if errors.is_empty() => Ok((p.route, program)),
        _ => {
            print_human(&errors, sources, g);
            Err(format!("`{arg}` has errors"))
        }
    }
}

pub fn run(g: &Global, args: &Args) -> u8 {
    let mut sources = SourceMap::new();
    let (old, new) = match (
        read_side(g, &mut sources, &args.old),
        read_side(g, &mut sources, &args.new),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            fail(g, &e);
            return 2;
        }
    };
    let ((old, old_program), (new, new_program)) = (old, new);
    let changes = crate::diff::diff(&old, &new);
    let shift = match &args.traffic {
        Some(path) => match traffic_shift(&old_program, &new_program, path) {
            Ok(s) => Some(s),
            Err(e) => {
                fail(g, &e);
                return 2;
            }
        },
        None => None,
    };
    match args.format {
        super::remote::OutFormat::Json => {
            let mut doc = crate::diff::to_json(&changes);
            if let Some(s) = shift {
                doc["traffic"] = s;
            }
            println!("{doc}");
        }
        super::remote::OutFormat::Human => {
            if changes.is_empty() {
                println!("no change in meaning");
            }
            for c in &changes {
                let mark = match c.kind {
                    crate::diff::ChangeKind::Added => '+',
                    crate::diff::ChangeKind::Removed => '-',
                    _ => '~',
                };
                println!("{mark} {}", c.text);
            }
            if let Some(s) = shift {
                println!("\ntraffic shift per model ({} requests):", s["requests"]);
                let spend = &s["spend"];
                let (o, n) = (
                    spend["old"].as_f64().unwrap_or(0.0),
                    spend["new"].as_f64().unwrap_or(0.0),
                );
                println!(
                    "  spend: ${o:.2} → ${n:.2} ({}${:.2})",
                    if n < o { "-" } else { "+" },
                    (n - o).abs()
                );
                if let Some(rows) = s["by_provider_model"].as_object() {
                    for (m, r) in rows {
                        if r["delta"] != 0 {
                            println!(
                                "  {m}: {} → {} ({:+})",
                                r["old"],
                                r["new"],
                                r["delta"].as_i64().unwrap_or(0)
                            );
                        }
                    }
                }
            }
        }
    }
    u8::from(!changes.is_empty())
}

/// The shift per model when the same traffic goes through both versions.
fn traffic_shift(po: &Program, pn: &Program, path: &PathBuf) -> Result<serde_json::Value, String> {
    let mut so = Simulator::new(&po, 0).lenient_fail_ids();
    let mut sn = Simulator::new(&pn, 0).lenient_fail_ids();
    // Streamed a line at a time (each capped), never loaded whole.
    let shown = crate::escape::terminal(&path.display().to_string()).into_owned();
    let (mut lines, _) = super::input::Lines::open(path)?;
    while let Some((n, line)) = lines.next_line().map_err(|e| format!("{shown}: {e}"))? {
        if line.trim().is_empty() {
            continue;
        }
        let parsed = parse_line(line, n).map_err(|e| format!("{shown}: {e}"))?;
        so.feed(&parsed, n).map_err(|e| format!("{shown}: {e}"))?;
        sn.feed(&parsed, n).map_err(|e| format!("{shown}: {e}"))?;
    }
    let (ro, rn) = (so.finish(), sn.finish());
    let mut shift = rn.shift(&ro);
    shift["requests"] = serde_json::json!(rn.requests);
    Ok(shift)
}
