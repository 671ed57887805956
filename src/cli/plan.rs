//! `aig-route plan PATH...`: what `apply` would do, per route file, against the
//! versions the gateway has deployed. Sends only GETs. Exit 0 when nothing would
//! change, 1 when something would (or a file is invalid), like `diff`; 2 and 3
//! as for every command.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::common::{Global, collect_files, fail, load_and_check, print_human};
use super::remote::{OutFormat, Remote, report};
use crate::escape::terminal;
use crate::gitops::{Action, Local, Plan};
use crate::source::SourceMap;

/// Show what `apply` would change on the gateway.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit 0 when the gateway matches the files, 1 when apply would change something or a file is invalid.\nThe token is read from CLOUDFLARE_API_TOKEN, never from an argument.\n\nExamples:\n  aig-route plan routes/ --account $ACCOUNT --gateway prod\n  aig-route plan routes/ --format json -v"
)]
pub struct Args {
    /// Route files, or directories of them.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    pub(super) remote: Remote,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Human)]
    format: OutFormat,
}

/// Reads every route file under `paths`, printing the errors of those that
/// have some. `Err(2)` when a path or file cannot be read at all.
pub(super) fn read_locals(
    g: &Global,
    paths: &[PathBuf],
    sources: &mut SourceMap,
) -> Result<Vec<Local>, u8> {
    // A directory that cannot be read could hide a file, whose route would
    // then look unmanaged: the walk's problems stop the plan (they are printed).
    let (files, walk) = collect_files(g, paths);
    let mut locals = Vec::new();
    let mut unreadable = walk != 0;
    for path in files {
        let (loaded, checked) = load_and_check(sources, &path, g);
        let errors = checked.errors();
        print_human(&errors, sources, g);
        unreadable |= loaded.unreadable;
        let ok = checked.is_ok();
        let name = checked.parsed.as_ref().map(|p| p.route.name.value.clone());
        let route = match (checked.parsed, checked.program) {
            (Some(p), Some(_)) if ok => Ok(p.route),
            _ => Err(format!(
                "{} error{} (shown above); fix {} and run again",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                if errors.len() == 1 { "it" } else { "them" }
            )),
        };
        locals.push(Local { path, name, route });
    }
    if unreadable {
        fail(
            g,
            "a route file cannot be read; nothing was asked of the gateway",
        );
        return Err(2);
    }
    Ok(locals)
}

/// The plan in words, one route per line with its changes indented under it,
/// then the summary line.
pub(super) fn human(plan: &Plan) -> String {
    let mut out = String::new();
    for e in &plan.entries {
        let name = terminal(&e.name);
        let file = e.file.as_deref().map(terminal).unwrap_or_default();
        let line = match e.action {
            Action::Create => {
                format!(
                    "{file}: `{name}` is not on the gateway; apply creates it, which deploys it"
                )
            }
            Action::Update => format!(
                "{file}: `{name}` differs from deployed version {}",
                terminal(e.deployed_version.as_deref().unwrap_or("(unknown)"))
            ),
            Action::Unchanged => format!("{file}: `{name}`"),
            Action::Invalid => format!(
                "{file}: {}",
                terminal(e.problem.as_deref().unwrap_or("has errors"))
            ),
            Action::Unmanaged => format!(
                "`{name}` ({}): on the gateway, in no file; apply leaves it alone",
                terminal(e.route_id.as_deref().unwrap_or(""))
            ),
        };
        out.push_str(&format!("{:<10} {line}\n", e.action.as_str()));
        for c in &e.changes {
            let mark = match c.kind {
                crate::diff::ChangeKind::Added => '+',
                crate::diff::ChangeKind::Removed => '-',
                _ => '~',
            };
            out.push_str(&format!("           {mark} {}\n", terminal(&c.text)));
        }
        for d in &e.dropped {
            out.push_str(&format!(
                "           note: will not reach the gateway: {}\n",
                terminal(d)
            ));
        }
    }
    out.push_str(&plan.summary());
    out.push('\n');
    out
}

/// The plan as JSON: `{"routes": [{"name", "file", "action", "route_id",
/// "deployed_version", "changes", ...}], "summary": {...}}`.
pub(super) fn to_json(plan: &Plan) -> Value {
    let routes: Vec<Value> = plan
        .entries
        .iter()
        .map(|e| {
            json!({
                "name": e.name, "file": e.file, "action": e.action.as_str(),
                "route_id": e.route_id, "deployed_version": e.deployed_version,
                "changes": crate::diff::to_json(&e.changes)["changes"],
                "not_reaching_gateway": e.dropped, "problem": e.problem,
            })
        })
        .collect();
    json!({
        "routes": routes,
        "summary": {
            "create": plan.count(Action::Create), "update": plan.count(Action::Update),
            "unchanged": plan.count(Action::Unchanged), "unmanaged": plan.count(Action::Unmanaged),
            "invalid": plan.count(Action::Invalid), "text": plan.summary(),
        },
    })
}

/// Invalid entries whose file is fine by itself (two files naming one route,
/// a name the gateway holds twice), as errors on stderr.
pub(super) fn report_conflicts(g: &Global, plan: &Plan, locals: &[Local]) {
    let mut said = std::collections::BTreeSet::new();
    for e in plan.entries.iter().filter(|e| e.action == Action::Invalid) {
        let clean = locals
            .iter()
            .any(|l| Some(&l.path) == e.file.as_ref() && l.route.is_ok());
        if let (true, Some(p)) = (clean, &e.problem) {
            if said.insert(p) {
                fail(g, &terminal(p));
            }
        }
    }
}

pub fn run(g: &Global, args: &Args) -> u8 {
    let mut sources = SourceMap::new();
    let locals = match read_locals(g, &args.paths, &mut sources) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let plan = match args
        .remote
        .client()
        .and_then(|c| crate::gitops::plan(&c, &locals))
    {
        Ok(p) => p,
        Err(e) => return report(g, &e),
    };
    report_conflicts(g, &plan, &locals);
    match args.format {
        OutFormat::Json => println!("{}", to_json(&plan)),
        OutFormat::Human => print!("{}", human(&plan)),
    }
    u8::from(plan.has_changes())
}
