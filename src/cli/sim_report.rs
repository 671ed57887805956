//! How `simulate` shows its report to people: tables, the shift between two
//! routes, and a progress bar for long runs.

use std::io::IsTerminal;
use std::path::Path;
use std::time::{Duration, Instant};

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::compile::StoreFailure;
use crate::simulate::Report;

pub(super) fn print_shift(new: &Report, old: &Report, new_path: &Path, old_path: &Path) {
    println!(
        "\ntraffic shift from {} to {}:",
        crate::escape::terminal(&old_path.display().to_string()),
        crate::escape::terminal(&new_path.display().to_string())
    );
    let shift = new.shift(old);
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_header(vec![
        "model",
        "old",
        "new",
        "change",
        "spend old",
        "spend new",
        "spend change",
    ]);
    let dollars = |v: &serde_json::Value| format!("${:.2}", v.as_f64().unwrap_or(0.0));
    let dollars_delta = |v: &serde_json::Value| {
        let d = v.as_f64().unwrap_or(0.0);
        format!("{}${:.2}", if d < 0.0 { "-" } else { "+" }, d.abs())
    };
    if let Some(rows) = shift["by_model"].as_object() {
        for (id, r) in rows {
            let s = &shift["spend_by_model"][id];
            t.add_row(vec![
                id.clone(),
                r["old"].to_string(),
                r["new"].to_string(),
                format!("{:+}", r["delta"].as_i64().unwrap_or(0)),
                dollars(&s["old"]),
                dollars(&s["new"]),
                dollars_delta(&s["delta"]),
            ]);
        }
    }
    t.add_row(vec![
        "errors".to_string(),
        old.errors.to_string(),
        new.errors.to_string(),
        format!("{:+}", new.errors as i64 - old.errors as i64),
        String::new(),
        String::new(),
        String::new(),
    ]);
    let s = &shift["spend"];
    t.add_row(vec![
        "total".to_string(),
        String::new(),
        String::new(),
        String::new(),
        dollars(&s["old"]),
        dollars(&s["new"]),
        dollars_delta(&s["delta"]),
    ]);
    println!("{}", crate::escape::terminal_multiline(&t.to_string()));
}

fn pct(k: u64, n: u64) -> String {
    if n == 0 {
        "-".into()
    } else {
        format!("{:.1}%", k as f64 * 100.0 / n as f64)
    }
}

pub(super) fn print_tables(r: &Report) {
    println!(
        "{} requests, {} errors (no model answered), ${:.2} spent\n",
        r.requests,
        r.errors,
        r.total_spend()
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
    t.add_row(vec![
        "total".to_string(),
        String::new(),
        (r.requests - r.errors).to_string(),
        pct(r.requests - r.errors, r.requests),
        format!("${:.2}", r.total_spend()),
        r.fallbacks()
            .iter()
            .map(|(_, n)| n)
            .sum::<u64>()
            .to_string(),
    ]);
    println!(
        "{}
",
        crate::escape::terminal_multiline(&t.to_string())
    );
    let limited = r.limited();
    if !limited.is_empty() {
        let mut t = Table::new();
        t.load_style(UTF8_FULL_CONDENSED)
            .set_header(vec!["limit", "sent to fallback"]);
        for (id, n) in limited {
            t.add_row(vec![id.to_string(), n.to_string()]);
        }
        println!(
            "{}
",
            crate::escape::terminal_multiline(&t.to_string())
        );
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
        println!(
            "{}
",
            crate::escape::terminal_multiline(&t.to_string())
        );
    }
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_header(vec!["node", "visits"]);
    for (id, n) in r.by_node() {
        t.add_row(vec![id.to_string(), n.to_string()]);
    }
    println!("{}", crate::escape::terminal_multiline(&t.to_string()));
}

/// A progress bar on stderr that appears only after a second, only on a terminal.
pub(super) struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    size: u64,
    bytes: bool,
}

impl Progress {
    pub(super) fn new(size: u64, quiet: bool, bytes: bool) -> Self {
        let show = !quiet && std::io::stderr().is_terminal();
        Progress {
            bar: show.then(ProgressBar::hidden),
            started: Instant::now(),
            size,
            bytes,
        }
    }

    pub(super) fn update(&self, bytes: u64) {
        let Some(bar) = &self.bar else { return };
        if bar.is_hidden() && self.started.elapsed() > Duration::from_secs(1) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_length(self.size);
            if let Ok(style) = ProgressStyle::with_template(if self.bytes {
                "{bar:40} {bytes}/{total_bytes} {elapsed} (eta {eta})"
            } else {
                "{bar:40} {human_pos}/{human_len} requests {elapsed} (eta {eta})"
            }) {
                bar.set_style(style);
            }
        }
        bar.set_position(bytes);
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Warns (on stderr) when the limit store failed during the run: how often, the
/// first reason, and which limits the fail-open or fail-closed choice decided.
pub(super) fn print_store_failures(r: &Report, store: &str, choice: StoreFailure) {
    let f = r.store_failures();
    if !f.any() {
        return;
    }
    let (mode, out) = match choice {
        StoreFailure::Closed => ("closed", "fallback"),
        _ => ("open", "success"),
    };
    eprintln!(
        "warning: the limit store at `{store}` failed {} times; the first: {}",
        f.checks() + f.settles(),
        crate::escape::terminal(f.first().unwrap_or("unknown"))
    );
    for (id, n) in r.store_decided() {
        eprintln!(
            "  limit `{}`: {n} checks decided by --on-store-error {mode} (→ {out})",
            crate::escape::terminal(id)
        );
    }
    if f.settles() > 0 {
        eprintln!(
            "  {} served requests' costs were not settled to their budgets",
            f.settles()
        );
    }
}
