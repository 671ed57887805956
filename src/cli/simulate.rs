//! `aig-route simulate FILE --traffic FILE.jsonl`: replay traffic and report.

use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::ValueEnum;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::common::{Global, fail, write_atomic};
use super::eval::compile_file;
use crate::simulate::{Report, Simulator, parse_line};

/// Replay recorded traffic through a route: which model served what, where
/// limits bit, how splits came out, what it cost.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Traffic lines: {\"t\": seconds, \"id\": \"r1\", \"metadata\": {...}, \"cost\": 0.002, \"fail\": [\"main\"]}\n\nExamples:\n  aig-route simulate routes/tiers.yaml --traffic routes/tiers.traffic.jsonl\n  aig-route simulate routes/canary.yaml --traffic t.jsonl --format json --timeline t.csv"
)]
pub struct Args {
    /// The route file.
    file: PathBuf,
    /// Traffic, one JSON object per line, in time order (`-` for stdin).
    #[arg(long, value_name = "FILE.jsonl")]
    traffic: PathBuf,
    /// Seed for splits that have neither a sticky value nor a request id.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write served requests per model over time to this CSV file.
    #[arg(long, value_name = "CSV")]
    timeline: Option<PathBuf>,
    /// Timeline bucket length in seconds.
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
    bucket: f64,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Tables.
    Human,
    /// One JSON document.
    Json,
}

pub fn run(g: &Global, args: &Args) -> u8 {
    let (_, program) = match compile_file(g, &args.file) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let (input, size): (Box<dyn Read>, u64) = if args.traffic.as_os_str() == "-" {
        (Box::new(std::io::stdin()), 0)
    } else {
        match std::fs::File::open(&args.traffic) {
            Ok(f) => {
                let size = f.metadata().map(|m| m.len()).unwrap_or(0);
                (Box::new(f), size)
            }
            Err(e) => {
                fail(g, &format!("cannot read `{}`: {e}", args.traffic.display()));
                return 2;
            }
        }
    };
    if !(args.bucket.is_finite() && args.bucket > 0.0) {
        fail(g, "--bucket must be a positive number of seconds");
        return 2;
    }
    let mut sim = Simulator::new(&program, args.seed);
    if args.timeline.is_some() {
        sim = sim.with_timeline(args.bucket);
    }
    let progress = Progress::new(size, args.quiet);
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut line = String::new();
    let mut line_no: u64 = 0;
    let mut read_bytes: u64 = 0;
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => break,
            Ok(n) => read_bytes += n as u64,
            Err(e) => {
                progress.finish();
                fail(
                    g,
                    &format!("{}: line {}: {e}", args.traffic.display(), line_no + 1),
                );
                return 1;
            }
        }
        line_no += 1;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let parsed = parse_line(text, line_no).and_then(|l| sim.feed(&l, line_no));
        if let Err(e) = parsed {
            progress.finish();
            fail(g, &format!("{}: {e}", args.traffic.display()));
            return 1;
        }
        if line_no % 4096 == 0 {
            progress.update(read_bytes);
        }
    }
    progress.finish();
    let report = sim.finish();
    if let Some(path) = &args.timeline {
        if let Err(e) = write_atomic(path, report.timeline_csv().as_bytes()) {
            fail(g, &format!("cannot write `{}`: {e}", path.display()));
            return 2;
        }
    }
    match args.format {
        Format::Json => println!("{}", report.to_json()),
        Format::Human => print_tables(&report),
    }
    0
}

fn pct(k: u64, n: u64) -> String {
    if n == 0 {
        "-".into()
    } else {
        format!("{:.1}%", k as f64 * 100.0 / n as f64)
    }
}

fn print_tables(r: &Report) {
    println!(
        "{} requests, {} errors (no model answered)\n",
        r.requests, r.errors
    );
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_header(vec![
        "model",
        "provider/model",
        "served",
        "share",
        "spend",
        "failed",
    ]);
    let spend = r.spend();
    let failed = r.fallbacks();
    for (i, (id, n)) in r.by_model().into_iter().enumerate() {
        t.add_row(vec![
            id.to_string(),
            r.model_name(id).to_string(),
            n.to_string(),
            pct(n, r.requests),
            format!("${:.2}", spend[i].1),
            failed[i].1.to_string(),
        ]);
    }
    println!("{t}\n");
    let limited = r.limited();
    if !limited.is_empty() {
        let mut t = Table::new();
        t.load_style(UTF8_FULL_CONDENSED)
            .set_header(vec!["limit", "sent to fallback"]);
        for (id, n) in limited {
            t.add_row(vec![id.to_string(), n.to_string()]);
        }
        println!("{t}\n");
    }
    for (id, stats) in r.splits() {
        let mut t = Table::new();
        t.load_style(UTF8_FULL_CONDENSED).set_header(vec![
            "split",
            "target",
            "configured",
            "observed",
            "95% interval",
            "",
        ]);
        for s in stats {
            t.add_row(vec![
                id.to_string(),
                s.target.clone(),
                format!("{:.2}%", s.configured * 100.0),
                format!("{:.2}%", s.observed * 100.0),
                format!("{:.2}%–{:.2}%", s.low * 100.0, s.high * 100.0),
                if s.agrees {
                    String::new()
                } else {
                    "DISAGREES".into()
                },
            ]);
        }
        println!("{t}\n");
    }
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_header(vec!["node", "visits"]);
    for (id, n) in r.by_node() {
        t.add_row(vec![id.to_string(), n.to_string()]);
    }
    println!("{t}");
}

/// A progress bar on stderr that appears only after a second, only on a terminal.
struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    size: u64,
}

impl Progress {
    fn new(size: u64, quiet: bool) -> Self {
        let show = !quiet && std::io::stderr().is_terminal();
        Progress {
            bar: show.then(ProgressBar::hidden),
            started: Instant::now(),
            size,
        }
    }

    fn update(&self, bytes: u64) {
        let Some(bar) = &self.bar else { return };
        if bar.is_hidden() && self.started.elapsed() > Duration::from_secs(1) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_length(self.size);
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {elapsed} (eta {eta})")
            {
                bar.set_style(style);
            }
        }
        bar.set_position(bytes);
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
