//! `aig-route apply PATH...`: shows the plan, asks on a terminal (refuses
//! without `--yes` elsewhere), then creates the missing routes and adds and
//! deploys a version for each changed one. Never deletes; sends nothing when a
//! file is invalid; stops at the first request that fails and says what was
//! done and what was not.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use serde_json::json;

use super::common::{Global, fail};
use super::plan::{human, read_locals, report_conflicts, to_json};
use super::remote::{OutFormat, Remote, report};
use crate::escape::terminal;
use crate::gitops::{Action, ApplyError, Done, Local};
use crate::source::SourceMap;

/// Make the gateway match the route files: create and update, never delete.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Without --yes, apply asks for confirmation on a terminal and refuses anywhere else.\nThe token is read from CLOUDFLARE_API_TOKEN, never from an argument.\n\nExamples:\n  aig-route apply routes/ --account $ACCOUNT --gateway prod\n  aig-route apply routes/ --yes --format json"
)]
pub struct Args {
    /// Route files, or directories of them.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    remote: Remote,
    /// Apply without asking.
    #[arg(long)]
    yes: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Human)]
    format: OutFormat,
}

fn done_json(d: &Done) -> serde_json::Value {
    match d {
        Done::Created {
            name,
            route_id,
            version,
        } => {
            json!({"name": name, "result": "created", "route_id": route_id, "version_id": version})
        }
        Done::Updated {
            name,
            route_id,
            version,
        } => {
            json!({"name": name, "result": "updated", "route_id": route_id, "version_id": version})
        }
    }
}

fn done_words(d: &Done) -> String {
    match d {
        Done::Created {
            name,
            route_id,
            version,
        } => format!(
            "created `{}` (route {}{}); creating a route deploys it",
            terminal(name),
            terminal(route_id),
            version
                .as_deref()
                .map(|v| format!(", version {}", terminal(v)))
                .unwrap_or_default()
        ),
        Done::Updated { name, version, .. } => format!(
            "updated `{}`: added version {} and deployed it",
            terminal(name),
            terminal(version)
        ),
    }
}

/// Asks on the terminal; `Err(exit code)` when it cannot ask or the answer is no.
fn confirm(g: &Global, what: &str) -> Result<(), u8> {
    if !std::io::stdin().is_terminal() {
        fail(
            g,
            "refusing to apply without --yes: standard input is not a terminal to ask on; nothing was sent",
        );
        return Err(2);
    }
    eprint!("{what}\nonly `yes` goes ahead: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if answer.trim() == "yes" {
        Ok(())
    } else {
        fail(g, "apply cancelled; nothing was sent");
        Err(1)
    }
}

/// The service's complaint, at the field of the file it names, when it names one.
fn locate(
    g: &Global,
    sources: &SourceMap,
    locals: &[Local],
    failed: &str,
    e: &crate::api::ApiError,
) {
    let route = locals
        .iter()
        .find(|l| l.name.as_deref() == Some(failed))
        .and_then(|l| l.route.as_ref().ok());
    if let Some(route) = route {
        super::push::located(route, e, sources, g);
    }
}

pub fn run(g: &Global, args: &Args) -> u8 {
    let mut sources = SourceMap::new();
    let locals = match read_locals(g, &args.paths, &mut sources) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let client = match args.remote.client() {
        Ok(c) => c,
        Err(e) => return report(g, &e),
    };
    let plan = match crate::gitops::plan(&client, &locals) {
        Ok(p) => p,
        Err(e) => return report(g, &e),
    };
    report_conflicts(g, &plan, &locals);
    let json = args.format == OutFormat::Json;
    if !json {
        print!("{}", human(&plan));
    }
    let work = plan.count(Action::Create) + plan.count(Action::Update);
    let mut doc = to_json(&plan);
    if plan.count(Action::Invalid) == 0 && work == 0 {
        if json {
            doc["applied"] = json!([]);
            println!("{doc}");
        } else {
            println!("nothing to apply: the gateway already has what the files say");
        }
        return 0;
    }
    if plan.count(Action::Invalid) == 0 && !args.yes {
        let what = format!(
            "apply {} to gateway `{}`? ({}; nothing is deleted)",
            if work == 1 {
                "this change".to_string()
            } else {
                format!("these {work} changes")
            },
            terminal(args.remote.gateway()),
            plan.summary()
        );
        if let Err(code) = confirm(g, &what) {
            return code;
        }
    }
    let result = crate::gitops::apply(
        &client,
        &plan,
        |d| {
            if !json {
                println!("{}", done_words(d));
            }
        },
        super::remote::warn_before_deploy,
    );
    let (code, done) = match result {
        Ok(done) => {
            if !json {
                println!(
                    "applied: {} created, {} updated",
                    plan.count(Action::Create),
                    plan.count(Action::Update)
                );
            }
            (0, done)
        }
        Err(ApplyError::Invalid(n)) => {
            fail(
                g,
                &format!(
                    "{n} route file{} invalid; nothing was sent",
                    if n == 1 { " is" } else { "s are" }
                ),
            );
            (1, Vec::new())
        }
        Err(ApplyError::Stopped {
            error,
            failed,
            done,
            not_done,
            added_version,
        }) => {
            locate(g, &sources, &locals, &failed, &error);
            let code = report(g, &error);
            let names = |v: &[String]| {
                v.iter()
                    .map(|n| format!("`{}`", terminal(n)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut lines = vec![format!("stopped at `{}`", terminal(&failed))];
            if let Some(v) = &added_version {
                lines.push(format!(
                    "its new version {} was added but not deployed",
                    terminal(v)
                ));
            }
            let words: Vec<String> = done.iter().map(done_words).collect();
            lines.push(if words.is_empty() {
                "done: nothing".into()
            } else {
                format!("done: {}", words.join("; "))
            });
            lines.push(format!(
                "not done: `{}`{}{}",
                terminal(&failed),
                if not_done.is_empty() { "" } else { ", " },
                names(&not_done)
            ));
            for l in &lines {
                eprintln!("{l}");
            }
            doc["failed"] = json!(failed);
            doc["not_done"] = json!(not_done);
            doc["error"] = json!(error.to_string());
            (code, done)
        }
    };
    if json {
        doc["applied"] = done.iter().map(done_json).collect();
        println!("{doc}");
    }
    code
}
