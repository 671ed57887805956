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
    let shown = crate::escape::terminal(arg).into_owned();
    let checked = if from_git {
        let path = arg.split_once(':').map_or(arg, |(_, p)| p);
        let text = git_show(arg, g.limits().max_file_bytes)?;
        let format = Format::from_path(path).unwrap_or(Format::Yaml);
        let id = sources.add(arg, text);
        let mut c = crate::check::check(sources, id, format, &g.limits());
        g.filter(&mut c.diagnostics);
        c
    } else {
        let (loaded, c) = load_and_check(sources, arg, g);
        if loaded.unreadable {
            print_human(&c.diagnostics, sources, g);
            return Err(format!("cannot read `{shown}`"));
        }
        c
    };
    let errors = checked.errors();
    match (checked.parsed, checked.program) {
        (Some(p), Some(program)) if errors.is_empty() => Ok((p.route, program)),
        _ => {
            print_human(&errors, sources, g);
            Err(format!("`{shown}` has errors"))
        }
    }
}

/// The text of `REV:path` from git, at most `max` bytes. The argument comes
/// before `--`, so git reads it as a revision and nothing after it as an option;
/// one that starts with `-` is refused, since git would read it as an option
/// before it ever got there.
fn git_show(arg: &str, max: usize) -> Result<String, String> {
    use std::io::Read;
    let shown = crate::escape::terminal(arg).into_owned();
    if arg.starts_with('-') {
        return Err(format!(
            "`{shown}` starts with `-`, which git would read as an option; name a file as `./{shown}`"
        ));
    }
    let mut child = std::process::Command::new("git")
        .args(["show", "--no-textconv", arg, "--"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `git show {shown}`: {e}"))?;
    let mut bytes = Vec::new();
    let mut err = Vec::new();
    let read = child.stdout.take().map(|out| {
        out.take((max as u64).saturating_add(1))
            .read_to_end(&mut bytes)
    });
    if bytes.len() > max {
        let _ = child.kill();
    }
    if let Some(e) = child.stderr.take() {
        let _ = e.take(4096).read_to_end(&mut err);
    }
    let status = child
        .wait()
        .map_err(|e| format!("`git show {shown}` failed: {e}"))?;
    if bytes.len() > max {
        return Err(format!(
            "`{shown}` is larger than the limit of {max} bytes (raise it with `--max-file-size`)"
        ));
    }
    if let Some(Err(e)) = read {
        return Err(format!("cannot read `{shown}` from git: {e}"));
    }
    if !status.success() {
        return Err(format!(
            "`git show {shown}` failed: {}",
            crate::escape::terminal(String::from_utf8_lossy(&err).trim())
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("`{shown}` is not UTF-8"))
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
                println!("{mark} {}", crate::escape::terminal(&c.text));
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
                                "  {}: {} → {} ({:+})",
                                crate::escape::terminal(m),
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
