//! `aig-route push FILE`: validate, then create the route or a new version of it
//! (and deploy it), changing nothing when the deployed version is the same.

use crate::escape::{terminal, terminal_multiline};
use std::path::PathBuf;

use serde_json::{Value, json};

use super::common::{Global, fail, load_valid, print_human};
use super::remote::{OutFormat, Remote, deployed_elements, report, warn_before_deploy, yaml_of};
use crate::api::{self, ApiError, Client};
use crate::diagnostic::Diagnostic;
use crate::source::SourceMap;
use crate::syntax::ast::Route;

/// Validate a route and send it to the gateway as a new version.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The token is read from CLOUDFLARE_API_TOKEN, never from an argument.\n\nExamples:\n  aig-route push routes/tiers.yaml --account $ACCOUNT --gateway prod --dry-run\n  aig-route push routes/tiers.yaml --account $ACCOUNT --gateway prod --deploy --format json"
)]
pub struct PushArgs {
    /// The route file.
    file: PathBuf,
    #[command(flatten)]
    remote: Remote,
    /// The route's name on the gateway (default: the file's `name`).
    #[arg(long)]
    route: Option<String>,
    /// Deploy the new version.
    #[arg(long)]
    deploy: bool,
    /// Print the plan and the diff; send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Human)]
    format: OutFormat,
}

/// The service's validation errors, at the fields of the user's file.
pub(super) fn located(route: &Route, e: &ApiError, sources: &SourceMap, g: &Global) -> bool {
    let e = match e {
        ApiError::NotApplied { error, .. } => error,
        e => e,
    };
    let ApiError::Status { errors, .. } = e else {
        return false;
    };
    let diags: Vec<Diagnostic> = errors
        .iter()
        .filter_map(|item| {
            let span = api::locate(route, &item.path)?;
            let e = super::CliError::Rejected {
                message: item.message.clone(),
                code: item.code,
                pointer: Value::Array(item.path.clone()).to_string(),
            };
            Some(e.at(span))
        })
        .collect();
    print_human(&diags, sources, g);
    !diags.is_empty()
}

pub fn push(g: &Global, args: &PushArgs) -> u8 {
    let mut sources = SourceMap::new();
    let path = args.file.to_string_lossy().into_owned();
    let (parsed, _) = match load_valid(&mut sources, &path, g, true, "nothing was sent") {
        Ok(p) => p,
        Err(code) => return code,
    };
    let route = &parsed.route;
    let name = args
        .route
        .clone()
        .unwrap_or_else(|| route.name.value.clone());
    let elements = match api::wire_elements(route) {
        Ok(e) => e,
        Err(e) => {
            fail(g, &e.to_string());
            return 1;
        }
    };
    let hash = api::content_hash(&elements);
    let warnings = api::not_honoured(route);
    for w in &warnings {
        eprintln!("warning: {}", terminal(&w.to_string()));
    }
    let client = match args.remote.client() {
        Ok(c) => c,
        Err(e) => return report(g, &e),
    };
    let result = plan_and_push(&client, &name, &elements, args);
    let outcome = match result {
        Ok(o) => o,
        Err(e) => {
            located(route, &e, &sources, g);
            return report(g, &e);
        }
    };
    match args.format {
        OutFormat::Json => println!(
            "{}",
            json!({
                "route": name, "route_id": outcome.route_id, "version_id": outcome.version_id,
                "content_hash": format!("sha256:{hash}"), "action": outcome.action, "deployed": outcome.deployed,
                "dry_run": args.dry_run, "diff": outcome.diff, "warnings": warnings,
            })
        ),
        OutFormat::Human => {
            // The id and the deployed text come from the server, the name from
            // the file: every line made safe to show.
            let id = outcome.route_id.as_deref().unwrap_or("(new)");
            println!(
                "route `{}` ({}), content sha256:{hash}",
                terminal(&name),
                terminal(id)
            );
            if !outcome.diff.is_empty() {
                print!("{}", terminal_multiline(&outcome.diff));
            }
            println!("{}", terminal_multiline(&outcome.message));
        }
    }
    0
}

struct Outcome {
    route_id: Option<String>,
    version_id: Option<String>,
    action: &'static str,
    deployed: bool,
    diff: String,
    message: String,
}

fn plan_and_push(
    client: &Client,
    name: &str,
    elements: &[Value],
    args: &PushArgs,
) -> Result<Outcome, ApiError> {
    let local_yaml = yaml_of(name, elements);
    let Some(existing) = client.find_route(name)? else {
        let diff = crate::textdiff::unified("", &local_yaml, "(no route)", name, 3);
        if args.dry_run {
            return Ok(Outcome {
                route_id: None,
                version_id: None,
                action: "would_create",
                deployed: false,
                diff,
                message: format!(
                    "would create route `{name}`; creating a route deploys it at once (dry run: nothing sent)"
                ),
            });
        }
        let created = client.create_route(name, elements)?;
        let version = client.deployed_version(&created)?;
        return Ok(Outcome {
            route_id: Some(created.id),
            version_id: version.clone(),
            action: "created",
            deployed: true,
            diff,
            message: format!(
                "created route `{name}`{}; creating a route deploys it at once",
                version
                    .map(|v| format!(" as version {v}"))
                    .unwrap_or_default()
            ),
        });
    };
    let deployed = client.deployed_version(&existing)?;
    let remote = match &deployed {
        Some(v) => Some(deployed_elements(client, &existing, v)?),
        None => None,
    };
    let remote_canonical = remote.as_ref().map(|r| api::canonical_remote(name, r));
    if remote_canonical.as_deref() == Some(elements) {
        return Ok(Outcome {
            route_id: Some(existing.id),
            version_id: deployed.clone(),
            action: "up_to_date",
            deployed: true,
            diff: String::new(),
            message: format!(
                "up to date: the deployed version {} is this route; nothing changed",
                deployed.unwrap_or_default()
            ),
        });
    }
    let old_yaml = remote_canonical
        .as_ref()
        .map(|r| yaml_of(name, r))
        .unwrap_or_default();
    let diff = crate::textdiff::unified(
        &old_yaml,
        &local_yaml,
        &format!("{name} (deployed)"),
        &format!("{name} (local)"),
        3,
    );
    if args.dry_run {
        let then = if args.deploy { " and deploy it" } else { "" };
        return Ok(Outcome {
            route_id: Some(existing.id),
            version_id: None,
            action: "would_create_version",
            deployed: false,
            diff,
            message: format!(
                "would create a new version of `{name}`{then} (dry run: nothing sent)"
            ),
        });
    }
    let created = client.create_version_info(&existing.id, elements)?;
    let version = created.id.clone();
    if args.deploy {
        warn_before_deploy(name, &created);
        client.deploy(&existing.id, &version)?;
    }
    let message = if args.deploy {
        format!("created and deployed version {version}")
    } else {
        format!(
            "created version {version} (not deployed: run `aig-route deploy {version} --route {name}` or push with --deploy)"
        )
    };
    Ok(Outcome {
        route_id: Some(existing.id),
        version_id: Some(version),
        action: "version_created",
        deployed: args.deploy,
        diff,
        message,
    })
}
