//! `aig-route eval FILE --metadata JSON`: one request, explained step by step.

use std::path::PathBuf;

use clap::ValueEnum;

use super::common::{Global, fail, load_valid};
use super::store::StoreArgs;
use crate::compile::Program;
use crate::eval::{Fill, MAX_METADATA_ENTRIES, Request, Value};
use crate::source::SourceMap;

/// Run one request through a route and explain each step: at time 0 with empty
/// limit counters, or at `--at` against shared counters (`--store`).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  aig-route eval routes/tiers.yaml --metadata '{\"plan\":\"paid\",\"user_id\":\"u42\"}'\n  aig-route eval routes/tiers.yaml --metadata '{\"plan\":\"paid\"}' --fail large --format json"
)]
pub struct Args {
    /// The route file.
    file: PathBuf,
    /// The request's `cf-aig-metadata` as a JSON object.
    #[arg(long, default_value = "{}")]
    metadata: String,
    /// A model node that fails after all its retries (repeatable).
    #[arg(long = "fail", value_name = "NODE_ID")]
    fail: Vec<String>,
    /// The request id (hashed by splits without a sticky value).
    #[arg(long)]
    id: Option<String>,
    /// Seed for splits that have neither a sticky value nor a request id.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The request's time, in seconds since the epoch (limit windows follow it).
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0, value_parser = finite_seconds)]
    at: f64,
    /// Dollars the request costs if served, settled to the budgets it passed
    /// (with a shared `--store`, later requests see it).
    #[arg(long, value_name = "DOLLARS", value_parser = dollars)]
    cost: Option<f64>,
    #[command(flatten)]
    store: StoreArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

fn finite_seconds(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|t| t.is_finite() && *t >= 0.0)
        .ok_or_else(|| format!("`{s}` is not a time: seconds since the epoch, 0 or more"))
}

fn dollars(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|d| d.is_finite() && *d >= 0.0)
        .ok_or_else(|| format!("`{s}` is not an amount: dollars, 0 or more"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// The path with a reason at each step.
    Human,
    /// One JSON document.
    Json,
}

/// Reads a file and compiles it, printing diagnostics; `Err(exit code)` on failure.
pub(super) fn compile_file(g: &Global, path: &std::path::Path) -> Result<(SourceMap, Program), u8> {
    let mut sources = SourceMap::new();
    let path = path.to_string_lossy().into_owned();
    let (_, program) = load_valid(
        &mut sources,
        &path,
        g,
        false,
        &format!("run `aig-route validate {path}`"),
    )?;
    Ok((sources, program))
}

/// Reads a metadata JSON object into the request, as the gateway would (first
/// five entries). Returns a warning when entries were dropped.
pub(super) fn fill_metadata(
    req: &mut Fill<'_>,
    meta: &serde_json::Map<String, serde_json::Value>,
) -> Result<Option<String>, String> {
    for (i, (k, v)) in meta.iter().enumerate() {
        let value = match v {
            serde_json::Value::String(s) => Value::Str(s),
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Num(n.as_f64().unwrap_or(f64::NAN)),
            other => {
                return Err(format!(
                    "metadata `{k}` is {other}; values are strings, numbers or booleans"
                ));
            }
        };
        if i < MAX_METADATA_ENTRIES {
            req.set(k, value);
        }
    }
    Ok((meta.len() > MAX_METADATA_ENTRIES).then(|| {
        let dropped: Vec<&str> = meta
            .keys()
            .skip(MAX_METADATA_ENTRIES)
            .map(String::as_str)
            .collect();
        format!(
            "the gateway reads only the first {MAX_METADATA_ENTRIES} metadata entries; ignoring {}",
            dropped.join(", ")
        )
    }))
}

pub fn run(g: &Global, args: &Args) -> u8 {
    let (_, program) = match compile_file(g, &args.file) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let program = args.store.apply(program);
    let meta: serde_json::Map<String, serde_json::Value> =
        match serde_json::from_str(&args.metadata) {
            Ok(m) => m,
            Err(e) => {
                fail(g, &format!("--metadata is not a JSON object: {e}"));
                return 2;
            }
        };
    let mut failing = Vec::new();
    for id in &args.fail {
        match program.find_node(id) {
            Some(n) if program.model(n).is_some() => failing.push(n),
            Some(_) => {
                fail(g, &format!("--fail `{id}` is not a model node"));
                return 2;
            }
            None => {
                let hint = crate::diagnostic::did_you_mean(
                    id,
                    (0..program.len() as u32).map(|n| program.node_id(n)),
                );
                fail(
                    g,
                    &format!(
                        "--fail `{id}` names no node{}",
                        hint.map(|h| format!("; {h}")).unwrap_or_default()
                    ),
                );
                return 2;
            }
        }
    }
    let mut req = Request::new(&program);
    let mut fill = req.fill(&program);
    match fill_metadata(&mut fill, &meta) {
        Ok(Some(warning)) => {
            eprintln!("warning: {}", crate::escape::terminal(&warning.to_string()))
        }
        Ok(None) => {}
        Err(e) => {
            fail(g, &e);
            return 2;
        }
    }
    if let Some(id) = &args.id {
        fill.set_id(id);
    }
    let mut store = match args.store.open() {
        Ok(s) => s,
        Err((code, msg)) => {
            fail(g, &msg);
            return code;
        }
    };
    let cost = args.cost.unwrap_or(0.0);
    let explanation =
        match program.explain_settled(&req, &mut store, args.at, args.seed, &failing, cost) {
            Ok(x) => x,
            Err(e) => {
                fail(g, &e.to_string());
                return 1;
            }
        };
    if explanation.store_error.is_some() || explanation.settle_error.is_some() {
        eprintln!(
            "warning: the limit store at `{}` failed; see the explanation (--on-store-error decided the limit)",
            args.store.describe()
        );
    }
    match args.format {
        Format::Json => println!("{}", explanation.to_json()),
        Format::Human => print!(
            "{}",
            crate::escape::terminal_multiline(&explanation.to_string())
        ),
    }
    0
}
