//! `pull`, `versions`, `deploy`, `rollback` (and what `push` shares with them):
//! the dashboard API from a terminal or a CI job. The token comes from
//! `CLOUDFLARE_API_TOKEN` only.

use std::path::PathBuf;
use std::time::Duration;

use clap::ValueEnum;
use serde_json::{Value, json};

use super::common::{Global, fail, write_atomic};
use crate::api::{self, ApiError, Client, DEFAULT_BASE, RouteInfo, Token};
use crate::escape;

/// Where the gateway is.
#[derive(Debug, clap::Args)]
pub struct Remote {
    /// Cloudflare account id.
    #[arg(long, env = "CLOUDFLARE_ACCOUNT_ID", hide_env_values = true)]
    account: String,
    /// AI Gateway id.
    #[arg(long, env = "AIG_GATEWAY_ID", hide_env_values = true)]
    gateway: String,
    /// API root (plain http only for loopback addresses).
    #[arg(long, env = "AIG_API_BASE", default_value = DEFAULT_BASE, hide_env_values = true)]
    api_base: String,
    /// Seconds before a request is abandoned.
    #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = super::numbers::timeout)]
    timeout: u64,
    /// Print every request sent (method, host, path, the answer's status) to stderr.
    #[arg(short, long)]
    verbose: bool,
}

impl Remote {
    pub(super) fn client(&self) -> Result<Client, ApiError> {
        let client = Client::new(
            &self.api_base,
            &self.account,
            &self.gateway,
            Token::from_env()?,
            Duration::from_secs(self.timeout.max(1)),
        )?;
        Ok(if self.verbose {
            client.with_trace(Box::new(|line| {
                eprintln!("request: {}", escape::terminal(line));
            }))
        } else {
            client
        })
    }

    /// The gateway id, for messages.
    pub(super) fn gateway(&self) -> &str {
        &self.gateway
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    /// Words.
    Human,
    /// One JSON document.
    Json,
}

/// Which route, for `pull`, `versions`, `deploy` and `rollback`.
#[derive(Debug, clap::Args)]
pub struct Which {
    #[command(flatten)]
    remote: Remote,
    /// The route's name on the gateway.
    #[arg(long)]
    route: String,
}

/// Write the deployed (or a given) version of a route to a file.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  aig-route pull --account $ACCOUNT --gateway prod --route tiers -o routes/tiers.yaml"
)]
pub struct PullArgs {
    #[command(flatten)]
    which: Which,
    /// A version id (default: the deployed one).
    #[arg(long = "version-id", value_name = "VERSION_ID")]
    version_id: Option<String>,
    /// Output file; its extension picks the format (stdout as YAML when absent).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

/// List a route's versions, the deployed one marked, with content hashes.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  aig-route versions --account $ACCOUNT --gateway prod --route tiers --format json"
)]
pub struct VersionsArgs {
    #[command(flatten)]
    which: Which,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Human)]
    format: OutFormat,
}

/// Deploy a version of a route.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  aig-route deploy 0193a2f4-version-id --account $ACCOUNT --gateway prod --route tiers"
)]
pub struct DeployArgs {
    /// The version id.
    #[arg(value_name = "VERSION_ID")]
    version_id: String,
    #[command(flatten)]
    which: Which,
}

/// Deploy the version that was deployed before the current one.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  aig-route rollback --account $ACCOUNT --gateway prod --route tiers"
)]
pub struct RollbackArgs {
    #[command(flatten)]
    which: Which,
}

/// Prints an API error and returns its exit code (1 rejected, 2 usage, 3 unreachable).
pub(super) fn report(g: &Global, e: &ApiError) -> u8 {
    fail(g, &escape::terminal(&e.to_string()));
    e.exit_code()
}

/// An id or name from the service, safe to print.
fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    escape::terminal(s)
}

/// Warns before deploying a version the service itself marks invalid.
fn warn_if_invalid(client: &Client, route: &RouteInfo, version: &str) -> Result<(), ApiError> {
    let v = client.versions(&route.id)?;
    let Some(v) = v.iter().find(|v| v.id == version) else {
        return Err(ApiError::NotFound(format!(
            "route `{}` has no version `{}`",
            shown(&route.name),
            shown(version)
        )));
    };
    warn_before_deploy(&route.name, v);
    Ok(())
}

/// Says so, before it is deployed, when the service marks a version invalid.
pub(super) fn warn_before_deploy(route: &str, v: &api::VersionInfo) {
    if v.is_valid == Some(false) {
        eprintln!(
            "warning: the gateway marks version {} of `{}` invalid (`is_valid: false`); deploying it anyway, as asked",
            shown(&v.id),
            shown(route)
        );
    }
}

pub(super) fn deployed_elements(
    client: &Client,
    route: &RouteInfo,
    version: &str,
) -> Result<Vec<Value>, ApiError> {
    let v = client.version(&route.id, version);
    match v {
        Ok(v) => client.version_elements(&route.id, &v),
        Err(e) => route.elements.clone().ok_or(e),
    }
}

/// The elements as YAML, for diffs (the raw JSON when they cannot be read).
pub(super) fn yaml_of(name: &str, elements: &[Value]) -> String {
    match api::route_from_elements(name, elements) {
        Ok(r) => crate::emit::to_yaml(&r),
        Err(_) => serde_json::to_string_pretty(elements).unwrap_or_default(),
    }
}

fn find(client: &Client, name: &str) -> Result<RouteInfo, ApiError> {
    client.find_route(name)?.ok_or_else(|| {
        ApiError::NotFound(format!("the gateway has no route named `{}`", shown(name)))
    })
}

pub fn pull(g: &Global, args: &PullArgs) -> u8 {
    let run = || -> Result<String, ApiError> {
        let client = args.which.remote.client()?;
        let route = find(&client, &args.which.route)?;
        let version = match &args.version_id {
            Some(v) => v.clone(),
            None => client.deployed_version(&route)?.ok_or_else(|| {
                ApiError::NotFound(format!(
                    "route `{}` has no deployed version",
                    shown(&route.name)
                ))
            })?,
        };
        let elements = deployed_elements(&client, &route, &version)?;
        let parsed = api::route_from_elements(&route.name, &elements).map_err(|e| {
            ApiError::Unexpected(format!("version {} cannot be read: {e}", shown(&version)))
        })?;
        let format = args
            .output
            .as_ref()
            .and_then(|p| crate::syntax::Format::from_path(&p.to_string_lossy()))
            .unwrap_or(crate::syntax::Format::Yaml);
        let text = crate::emit::to_text(&parsed, format)
            .map_err(|e| ApiError::Unexpected(e.to_string()))?;
        eprintln!(
            "pulled version {} of `{}` (content sha256:{})",
            shown(&version),
            shown(&route.name),
            api::content_hash(&api::canonical_remote(&route.name, &elements))
        );
        Ok(text)
    };
    match run() {
        Ok(text) => match &args.output {
            None => {
                print!("{text}");
                0
            }
            Some(path) => match write_atomic(path, text.as_bytes()) {
                Ok(()) => 0,
                Err(e) => {
                    fail(g, &format!("cannot write `{}`: {e}", path.display()));
                    2
                }
            },
        },
        Err(e) => report(g, &e),
    }
}

pub fn versions(g: &Global, args: &VersionsArgs) -> u8 {
    let run = || -> Result<Vec<Value>, ApiError> {
        let client = args.which.remote.client()?;
        let route = find(&client, &args.which.route)?;
        let deployed = client.deployed_version(&route)?;
        let mut rows = Vec::new();
        for v in client.versions(&route.id)? {
            let elements = client.version_elements(&route.id, &v)?;
            rows.push(json!({
                "version_id": v.id, "created_at": v.created_at, "deployed": deployed.as_deref() == Some(v.id.as_str()),
                "is_valid": v.is_valid,
                "content_hash": format!("sha256:{}", api::content_hash(&api::canonical_remote(&route.name, &elements))),
            }));
        }
        Ok(rows)
    };
    match run() {
        Ok(rows) => {
            match args.format {
                OutFormat::Json => {
                    println!("{}", json!({"route": args.which.route, "versions": rows}))
                }
                OutFormat::Human => {
                    for r in &rows {
                        let mark = if r["deployed"] == true { "*" } else { " " };
                        let hash = r["content_hash"].as_str().unwrap_or("");
                        let valid = match r["is_valid"].as_bool() {
                            Some(true) => "valid",
                            Some(false) => "INVALID",
                            None => "-",
                        };
                        println!(
                            "{mark} {}  {}  {}  {valid}",
                            shown(r["version_id"].as_str().unwrap_or("")),
                            shown(r["created_at"].as_str().unwrap_or("")),
                            &hash[..hash.len().min(19)]
                        );
                    }
                    println!(
                        "(* deployed; valid/INVALID: the gateway's own verdict, - when it gives none)"
                    );
                }
            }
            0
        }
        Err(e) => report(g, &e),
    }
}

pub fn deploy(g: &Global, args: &DeployArgs) -> u8 {
    let run = || -> Result<String, ApiError> {
        let client = args.which.remote.client()?;
        let route = find(&client, &args.which.route)?;
        warn_if_invalid(&client, &route, &args.version_id)?;
        client.deploy(&route.id, &args.version_id)?;
        Ok(format!(
            "deployed version {} of `{}`",
            shown(&args.version_id),
            shown(&route.name)
        ))
    };
    match run() {
        Ok(m) => {
            println!("{m}");
            0
        }
        Err(e) => report(g, &e),
    }
}

pub fn rollback(g: &Global, args: &RollbackArgs) -> u8 {
    let run = || -> Result<String, ApiError> {
        let client = args.which.remote.client()?;
        let route = find(&client, &args.which.route)?;
        let current = client.deployed_version(&route)?;
        let history = client.deployments(&route.id)?;
        let previous = history
            .iter()
            .rev()
            .map(|d| &d.version_id)
            .find(|v| Some(*v) != current.as_ref())
            .cloned()
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "route `{}` has no earlier deployment to roll back to",
                    shown(&route.name)
                ))
            })?;
        warn_if_invalid(&client, &route, &previous)?;
        client.deploy(&route.id, &previous)?;
        Ok(format!(
            "rolled `{}` back from version {} to version {}",
            shown(&route.name),
            shown(&current.unwrap_or_else(|| "(none)".into())),
            shown(&previous)
        ))
    };
    match run() {
        Ok(m) => {
            println!("{m}");
            0
        }
        Err(e) => report(g, &e),
    }
}
