//! `aig-route simulate FILE`: recorded or synthetic traffic through a route (and,
//! with `--compare`, through a second one), reported as tables or JSON.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde_json::json;

use super::common::{Global, fail, write_atomic};
use super::eval::compile_file;
use super::input::{Lines, read_text};
use super::sim_report::{Progress, print_shift, print_store_failures, print_tables};
use super::store::{Store, StoreArgs};
use crate::compile::Program;
use crate::simulate::{
    CostSpec, Pricing, Report, Simulator, Synthetic, SyntheticSpec, typed_value,
};

/// Run traffic through a route: which model served what, where limits bit, how
/// splits came out, what it cost. Traffic is recorded (`--traffic`) or synthetic
/// (`--synthetic TRAFFIC.yaml`, or flags such as `--requests`).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Traffic lines: {\"t\": seconds, \"id\": \"r1\", \"metadata\": {...}, \"cost\": 0.002, \"fail\": [\"main\"]}\n\nExamples:\n  aig-route simulate routes/tiers.yaml --traffic routes/tiers.traffic.jsonl\n  aig-route simulate routes/tiers.yaml --synthetic routes/example.traffic.yaml --plot tiers.svg\n  aig-route simulate routes/canary.yaml --requests 100000 --meta plan=free:0.8,paid:0.2 --fail-rate candidate=0.05\n  aig-route simulate routes/canary.yaml --compare routes/fallback-chain.yaml --requests 10000 --format json"
)]
pub struct Args {
    /// The route file.
    file: PathBuf,
    /// Recorded traffic, one JSON object per line, in time order (`-` for stdin).
    #[arg(long, value_name = "FILE.jsonl", conflicts_with = "synthetic")]
    traffic: Option<PathBuf>,
    /// A synthetic traffic spec (YAML).
    #[arg(long, value_name = "TRAFFIC.yaml")]
    synthetic: Option<PathBuf>,
    /// Synthetic: number of requests.
    #[arg(long, conflicts_with = "traffic", value_name = "N", value_parser = super::numbers::many)]
    requests: Option<u64>,
    /// Synthetic: mean requests per second.
    #[arg(long, conflicts_with = "traffic", value_name = "R", value_parser = super::numbers::rate)]
    rate: Option<f64>,
    /// Synthetic: distinct users (metadata.user_id).
    #[arg(long, conflicts_with = "traffic", value_name = "N", value_parser = super::numbers::many)]
    users: Option<u64>,
    /// Synthetic: a metadata distribution, e.g. `plan=free:0.8,paid:0.2` (repeatable).
    #[arg(
        long = "meta",
        value_name = "FIELD=VALUE:WEIGHT,...",
        conflicts_with = "traffic"
    )]
    meta: Vec<String>,
    /// Synthetic: seconds since the epoch of the first request.
    #[arg(long, conflicts_with = "traffic", value_name = "SECONDS", value_parser = super::numbers::epoch_seconds)]
    start: Option<f64>,
    /// Synthetic: dollars per served request.
    #[arg(long, value_name = "DOLLARS", conflicts_with_all = ["traffic", "tokens"], value_parser = super::numbers::dollars)]
    cost_per_request: Option<f64>,
    /// Synthetic: tokens per request, priced by `--pricing`, e.g. `800:300`.
    #[arg(long, value_name = "IN:OUT", conflicts_with = "traffic", value_parser = super::numbers::token_pair)]
    tokens: Option<(f64, f64)>,
    /// A pricing table (dollars per million tokens by provider/model).
    #[arg(long, value_name = "FILE.yaml")]
    pricing: Option<PathBuf>,
    /// Make a model fail at random with this probability, e.g. `main=0.05` (repeatable).
    #[arg(long = "fail-rate", value_name = "MODEL_ID=RATE")]
    fail_rate: Vec<String>,
    /// Send the same traffic through this route too, and report the shift.
    #[arg(long, value_name = "OTHER_ROUTE")]
    compare: Option<PathBuf>,
    /// Seed for synthetic traffic, failure draws and unkeyed splits.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write served requests per model over time to this CSV file.
    #[arg(long, value_name = "CSV")]
    timeline: Option<PathBuf>,
    /// Draw served requests per model over time to this SVG file.
    #[arg(long, value_name = "SVG")]
    plot: Option<PathBuf>,
    /// Timeline bucket length: a duration (`30m`, `90s`, `1h`) or whole seconds.
    #[arg(long, default_value = "1m", value_name = "DURATION", value_parser = super::numbers::bucket)]
    bucket: u64,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Tables.
    Human,
    /// One JSON document.
    Json,
}

/// A usage problem (exit 2) or bad input (exit 1), with its message.
type Failure = (u8, String);

fn usage(msg: impl Into<String>) -> Failure {
    (2, msg.into())
}

pub fn run(g: &Global, args: &Args) -> u8 {
    let stdin = |p: &std::path::Path| p.as_os_str() == super::common::STDIN;
    if stdin(&args.file) && args.traffic.as_deref().is_some_and(stdin) {
        fail(
            g,
            "the route and the traffic cannot both come from standard input (`-`); give one of them as a file",
        );
        return 2;
    }
    match simulate(g, args) {
        Ok(()) => 0,
        Err((code, msg)) => {
            if !msg.is_empty() {
                fail(g, &msg);
            }
            code
        }
    }
}

fn simulate(g: &Global, args: &Args) -> Result<(), Failure> {
    if args.compare.is_some() && args.store.is_shared() {
        return Err(usage(
            "--compare replays the traffic through both routes, so with a shared --store the second would count against the first's counters; compare with the memory store (drop --store)",
        ));
    }
    let (_, program) = compile_file(g, &args.file).map_err(|c| (c, String::new()))?;
    let program = args.store.apply(program);
    let other = match &args.compare {
        Some(path) => Some(compile_file(g, path).map_err(|c| (c, String::new()))?.1),
        None => None,
    };
    let spec = synthetic_spec(args, g.limits().max_file_bytes)?;
    let pricing = match args
        .pricing
        .clone()
        .or_else(|| pricing_from_spec(args, spec.as_ref()))
    {
        Some(path) => {
            let text = read_text(&path, g.limits().max_file_bytes).map_err(usage)?;
            Some(Pricing::parse(&text).map_err(|e| (1, format!("{}: {e}", path.display())))?)
        }
        None => None,
    };
    let mut rates: Vec<(String, f64)> = spec
        .as_ref()
        .map(|s| s.fail_rate.clone())
        .unwrap_or_default();
    for f in &args.fail_rate {
        let (id, r) = f
            .split_once('=')
            .ok_or_else(|| usage(format!("--fail-rate `{f}` is not MODEL_ID=RATE")))?;
        let r = super::numbers::probability(r)
            .map_err(|e| usage(format!("--fail-rate `{f}`: the rate {e}")))?;
        rates.push((id.to_string(), r));
    }
    // A failure rate must name a model of at least one route simulated.
    for (id, _) in &rates {
        let known = |p: &Program| p.find_node(id).is_some_and(|n| p.model(n).is_some());
        if !known(&program) && !other.as_ref().is_some_and(known) {
            let hint = crate::diagnostic::did_you_mean(
                id,
                (0..program.len() as u32)
                    .filter(|n| program.model(*n).is_some())
                    .map(|n| program.node_id(n)),
            );
            return Err(usage(format!(
                "fail rate for `{id}`: no model node `{id}` in the route{}",
                hint.map(|h| format!("; {h}")).unwrap_or_default()
            )));
        }
    }
    let mut sims = vec![build(
        &program,
        args,
        pricing.as_ref(),
        &rates,
        args.store.open()?,
    )?];
    if let Some(o) = &other {
        sims.push(build(o, args, pricing.as_ref(), &rates, args.store.open()?)?.lenient_fail_ids());
    }
    // What synthetic traffic covered: requests, mean rate, and the span the
    // arrivals take at that rate, so a report says what it is a report of.
    let synthetic = match (&args.traffic, &spec) {
        (None, Some(spec)) => Some((spec.requests, spec.rate, spec.start)),
        _ => None,
    };
    match (&args.traffic, spec) {
        (Some(path), _) => replay(path, &mut sims, args.quiet)?,
        (None, Some(spec)) => {
            let total = spec.requests;
            let progress = Progress::new(total, args.quiet, false);
            for sim in &mut sims {
                let mut generator = Synthetic::new(spec.clone(), args.seed);
                let mut n: u64 = 0;
                while sim.feed_synthetic(&mut generator) {
                    n += 1;
                    if n % 65_536 == 0 {
                        progress.update(n);
                    }
                }
            }
            progress.finish();
        }
        (None, None) => {
            return Err(usage(
                "give traffic: --traffic FILE.jsonl, --synthetic TRAFFIC.yaml, or --requests N",
            ));
        }
    }
    // The route's report first, then the compared route's.
    let mut reports: Vec<Report> = sims.into_iter().map(Simulator::finish).collect();
    let other_report = if reports.len() > 1 {
        reports.pop()
    } else {
        None
    };
    let Some(report) = reports.pop() else {
        return Err((1, "no report was produced".into()));
    };
    print_store_failures(&report, &args.store.describe(), program.store_failure());
    let title = format!("{} — served requests per model", args.file.display());
    if let Some(path) = &args.timeline {
        write_atomic(path, report.timeline_csv().as_bytes())
            .map_err(|e| usage(format!("cannot write `{}`: {e}", path.display())))?;
    }
    if let Some(path) = &args.plot {
        write_atomic(path, report.timeline_svg(&title).as_bytes())
            .map_err(|e| usage(format!("cannot write `{}`: {e}", path.display())))?;
    }
    if let Some(p) = &pricing {
        let reports = std::iter::once((&report, &args.file))
            .chain(other_report.as_ref().zip(args.compare.as_ref()));
        for (r, route) in reports {
            for (id, model, served) in r.unpriced_served() {
                eprintln!(
                    "warning: `{}` ({}) in `{}` served {served} requests, but the pricing table dated {} has no price for it; its token costs count as $0",
                    crate::escape::terminal(id),
                    crate::escape::terminal(model),
                    crate::escape::terminal(&route.display().to_string()),
                    crate::escape::terminal(&p.date)
                );
            }
        }
    }
    match args.format {
        Format::Json => {
            let mut doc = report.to_json();
            if let Some(p) = &pricing {
                doc["pricing_date"] = json!(p.date);
            }
            if let Some((requests, rate, start)) = synthetic {
                doc["synthetic"] = json!({
                    "requests": requests,
                    "rate_per_second": rate,
                    "start": start,
                    "span_seconds": if rate > 0.0 { requests as f64 / rate } else { 0.0 },
                });
            }
            if let (Some(o), Some(path)) = (&other_report, &args.compare) {
                doc["compare"] = json!({"route": path.display().to_string(), "report": o.to_json(), "shift": report.shift(o)});
            }
            println!("{doc}");
        }
        Format::Human => {
            if let Some(p) = &pricing {
                println!("prices from the table dated {}", p.date);
            }
            if let Some((requests, rate, _)) = synthetic {
                let span = if rate > 0.0 {
                    requests as f64 / rate
                } else {
                    0.0
                };
                println!(
                    "synthetic traffic: {requests} requests at a mean {rate}/s, over about {}",
                    crate::syntax::values::format_seconds(span.round().max(1.0))
                );
            }
            print_tables(&report);
            if let (Some(o), Some(path)) = (&other_report, &args.compare) {
                print_shift(&report, o, &args.file, path);
            }
        }
    }
    Ok(())
}

/// A simulator for `p` with the run's pricing, failure rates (those naming a
/// model of `p`) and timeline.
fn build<'p>(
    p: &'p Program,
    args: &Args,
    pricing: Option<&Pricing>,
    rates: &[(String, f64)],
    store: Store,
) -> Result<Simulator<'p, Store>, Failure> {
    let mut sim = Simulator::with_store(p, args.seed, store);
    if let Some(pr) = pricing {
        sim = sim.with_pricing(pr);
    }
    for (id, r) in rates {
        if let Some(n) = p.find_node(id).filter(|n| p.model(*n).is_some()) {
            sim = sim.with_fail_rate(n, *r);
        }
    }
    if args.timeline.is_some() || args.plot.is_some() {
        sim = sim.with_timeline(args.bucket);
    }
    Ok(sim)
}

/// The spec for synthetic traffic, from `--synthetic` and the flags (flags win).
fn synthetic_spec(args: &Args, max_bytes: usize) -> Result<Option<SyntheticSpec>, Failure> {
    let flags = args.requests.is_some()
        || args.rate.is_some()
        || args.users.is_some()
        || !args.meta.is_empty()
        || args.start.is_some()
        || args.cost_per_request.is_some()
        || args.tokens.is_some();
    let mut spec = match &args.synthetic {
        Some(path) => {
            let text = read_text(path, max_bytes).map_err(usage)?;
            SyntheticSpec::parse(&text).map_err(|e| (1, format!("{}: {e}", path.display())))?
        }
        None if flags => SyntheticSpec::default(),
        None => return Ok(None),
    };
    if let Some(n) = args.requests {
        spec.requests = n;
    }
    if let Some(r) = args.rate {
        spec.rate = r;
    }
    if let Some(u) = args.users {
        spec.users = u;
    }
    if let Some(s) = args.start {
        spec.start = s;
    }
    if let Some(c) = args.cost_per_request {
        spec.cost = CostSpec::PerRequest(c);
    }
    if let Some((input, output)) = args.tokens {
        spec.cost = CostSpec::Tokens { input, output };
    }
    for m in &args.meta {
        let (field, dist) = m
            .split_once('=')
            .ok_or_else(|| usage(format!("--meta `{m}` is not FIELD=VALUE:WEIGHT,...")))?;
        let mut values = Vec::new();
        for part in dist.split(',') {
            let (v, w) = part
                .rsplit_once(':')
                .ok_or_else(|| usage(format!("--meta `{m}`: `{part}` is not VALUE:WEIGHT")))?;
            let w = super::numbers::probability(w)
                .map_err(|e| usage(format!("--meta `{m}`: weight {e}")))?;
            values.push((typed_value(v), w));
        }
        let field = field.trim_start_matches("metadata.").to_string();
        spec.metadata.retain(|(f, _)| *f != field);
        spec.metadata.push((field, values));
    }
    spec.check().map_err(|e| usage(e.to_string()))?;
    Ok(Some(spec))
}

/// The spec's pricing path, relative to the spec file.
fn pricing_from_spec(args: &Args, spec: Option<&SyntheticSpec>) -> Option<PathBuf> {
    let rel = spec?.pricing.as_ref()?;
    let base = args
        .synthetic
        .as_deref()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."));
    Some(base.join(rel))
}

/// Streams a traffic file through every simulator, a line at a time with each
/// line capped in length; nothing is reported on error.
fn replay(path: &Path, sims: &mut [Simulator<'_, Store>], quiet: bool) -> Result<(), Failure> {
    let shown = crate::escape::terminal(&path.display().to_string()).into_owned();
    let (mut lines, size) = Lines::open(path).map_err(usage)?;
    let progress = Progress::new(size, quiet, true);
    let result = loop {
        let (line_no, text) = match lines.next_line() {
            Ok(None) => break Ok(()),
            Ok(Some((n, t))) => (n, t.trim()),
            Err(e) => break Err((1, format!("{shown}: {e}"))),
        };
        if text.is_empty() {
            continue;
        }
        if let Some(e) = sims
            .iter_mut()
            .find_map(|s| s.feed_text(text, line_no).err())
        {
            break Err((1, format!("{shown}: {e}")));
        }
        if line_no % 4096 == 0 {
            progress.update(lines.bytes);
        }
    };
    progress.finish();
    result
}
