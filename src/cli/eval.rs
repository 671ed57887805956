//! `aig-route eval FILE --metadata JSON`: one request, explained step by step.

use std::path::PathBuf;

use clap::ValueEnum;
use serde_json::json;

use super::common::{Global, fail, load_valid};
use crate::compile::{NodeId, Program};
use crate::eval::{MAX_METADATA_ENTRIES, MemoryStore, Report, Request, Session, Step, Value};
use crate::source::SourceMap;

/// Run one request through a route at time 0 with empty limit counters, and
/// explain each step.
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
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
    program: &Program,
    req: &mut Request,
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
            req.set(program, k, value);
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
    match fill_metadata(&program, &mut req, &meta) {
        Ok(Some(warning)) => eprintln!("warning: {warning}"),
        Ok(None) => {}
        Err(e) => {
            fail(g, &e);
            return 2;
        }
    }
    if let Some(id) = &args.id {
        req.set_id(id);
    }
    let mut store = MemoryStore::new();
    let mut session = Session::new(args.seed).with_trace();
    let mut step = program.begin(&mut session, &req, &mut store, 0.0);
    let done = loop {
        match step {
            Step::Call(call) => {
                let report = if failing.contains(&call.node) {
                    Report::Failed
                } else {
                    Report::Answered
                };
                step = program.resume(&mut session, &req, &mut store, 0.0, report);
            }
            Step::Done(done) => break done,
        }
    };
    // What would follow if the serving model failed: a dry run on fresh counters
    // (shown only when nothing was made to fail; otherwise the path shows it).
    let fallbacks: Vec<NodeId> = if done.served_by.is_some() && failing.is_empty() {
        let mut s2 = Session::new(args.seed);
        program
            .decide(&mut s2, &req, &mut MemoryStore::new(), 0.0)
            .fallbacks
            .to_vec()
    } else {
        Vec::new()
    };
    let model_json = |n: NodeId| {
        let m = program.model(n);
        json!({"id": program.node_id(n), "provider": m.map(|m| &*m.provider), "model": m.map(|m| &*m.model)})
    };
    match args.format {
        Format::Json => {
            let steps: Vec<_> = session.trace().iter().map(|t| json!({"node": program.node_id(t.node), "explain": crate::explain::step(&program, t.node, &t.reason, &req)})).collect();
            let doc = json!({
                "path": session.path().iter().map(|n| program.node_id(*n)).collect::<Vec<_>>(),
                "model": done.served_by.map(model_json),
                "outcome": if done.served_by.is_some() { "success" } else { "error" },
                "fallbacks": fallbacks.iter().map(|n| program.node_id(*n)).collect::<Vec<_>>(),
                "steps": steps,
            });
            println!("{doc}");
        }
        Format::Human => {
            let steps: Vec<(String, String)> = session
                .trace()
                .iter()
                .map(|t| {
                    (
                        program.node_id(t.node).to_string(),
                        crate::explain::step(&program, t.node, &t.reason, &req),
                    )
                })
                .collect();
            print!(
                "{}",
                crate::escape::terminal_multiline(&crate::explain::lines(&steps))
            );
            match done.served_by {
                Some(n) => {
                    let m = program.model(n);
                    println!(
                        "served by `{}` ({}/{})",
                        program.node_id(n),
                        m.map_or("", |m| &m.provider),
                        m.map_or("", |m| &m.model)
                    );
                    if !fallbacks.is_empty() {
                        let chain: Vec<String> = fallbacks
                            .iter()
                            .map(|n| format!("`{}`", program.node_id(*n)))
                            .collect();
                        println!("if it fails: {}", chain.join(" → "));
                    }
                }
                None => println!("error: no model answered"),
            }
        }
    }
    0
}
