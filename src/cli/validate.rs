//! `aig-route validate FILE|DIR...`: every problem in every file, in one run.

use std::path::PathBuf;

use clap::ValueEnum;
use serde_json::json;

use super::common::{Global, collect_files, fail, load_and_check_as, print_human};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceMap;

/// Check route files and report every problem with its location.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  aig-route validate routes/\n  aig-route validate routes/canary.yaml --format json\n  aig-route validate routes/ --format github   # annotations on the pull request"
)]
pub struct Args {
    /// Route files, or directories to search for them.
    #[arg(required = true, value_name = "FILE|DIR")]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// Diagnostics with source snippets on stderr.
    Human,
    /// One JSON document on stdout.
    Json,
    /// GitHub Actions workflow annotations on stdout.
    Github,
    /// SARIF 2.1.0 on stdout, for code-scanning tools.
    Sarif,
}

pub fn run(g: &Global, args: &Args) -> u8 {
    let (files, walk) = collect_files(g, &args.files);
    if files.is_empty() {
        fail(
            g,
            "no route files found (looked for *.yaml, *.yml, *.json, *.route)",
        );
        return 2;
    }
    let mut sources = SourceMap::new();
    let mut results = Vec::new();
    let mut unreadable = walk != 0;
    for path in &files {
        let (loaded, checked) = load_and_check_as(&mut sources, path, g, true);
        unreadable |= loaded.unreadable;
        results.push((path.clone(), checked.diagnostics));
    }
    let errors: usize = results
        .iter()
        .map(|(_, d)| d.iter().filter(|d| d.is_error()).count())
        .sum();
    let warnings: usize = results.iter().map(|(_, d)| d.len()).sum::<usize>() - errors;
    match args.format {
        OutputFormat::Human => {
            for (_, diags) in &results {
                print_human(diags, &sources, g);
            }
            let verdict = if errors == 0 { "ok" } else { "failed" };
            eprintln!(
                "{verdict}: {} file{} checked, {errors} error{}, {warnings} warning{}",
                files.len(),
                plural(files.len()),
                plural(errors),
                plural(warnings)
            );
        }
        OutputFormat::Json => {
            let files: Vec<_> = results
                .iter()
                .map(|(path, diags)| json!({"path": path, "diagnostics": diags.iter().map(|d| diag_json(d, &sources)).collect::<Vec<_>>()}))
                .collect();
            println!("{}", json!({"files": files}));
        }
        OutputFormat::Sarif => println!("{}", sarif(&results, &sources)),
        OutputFormat::Github => {
            for (path, diags) in &results {
                for d in diags {
                    println!("{}", github(path, d, &sources));
                }
            }
        }
    }
    if unreadable {
        2
    } else if errors > 0 {
        1
    } else {
        0
    }
}

/// The diagnostics as a SARIF 2.1.0 log: one run, a rule per code used.
fn sarif(results: &[(String, Vec<Diagnostic>)], sources: &SourceMap) -> serde_json::Value {
    let mut used: Vec<crate::diagnostic::Code> = results
        .iter()
        .flat_map(|(_, d)| d.iter().map(|d| d.code))
        .collect();
    used.sort();
    used.dedup();
    let rules: Vec<_> = used
        .iter()
        .map(|c| json!({"id": c.as_str(), "shortDescription": {"text": c.summary()}}))
        .collect();
    let mut out = Vec::new();
    for (path, diags) in results {
        for d in diags {
            let (line, column) = d.line_col(sources);
            let (end_line, end_column) = sources.line_col(crate::source::Span {
                start: d.primary.span.end,
                ..d.primary.span
            });
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str("; help: ");
                text.push_str(h);
            }
            out.push(json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": used.iter().position(|c| *c == d.code),
                "level": if d.severity == Severity::Error { "error" } else { "warning" },
                "message": {"text": text},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": path.replace('\\', "/")},
                    "region": {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column.max(column)},
                }}],
            }));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "aig-route", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "results": out,
        }],
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One diagnostic as `--format json` prints it: code, severity, file, line,
/// column, message, with help and notes added.
pub fn diag_json(d: &Diagnostic, sources: &SourceMap) -> serde_json::Value {
    let (line, column) = d.line_col(sources);
    let (end_line, end_column) = sources.line_col(crate::source::Span {
        start: d.primary.span.end,
        ..d.primary.span
    });
    let mut v = json!({
        "severity": d.severity.as_str(),
        "code": d.code.as_str(),
        "message": d.message,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
    });
    if let Some(h) = &d.help {
        v["help"] = json!(h);
    }
    if !d.notes.is_empty() {
        v["notes"] = json!(d.notes);
    }
    v
}

/// A GitHub Actions annotation: `::error file=...,line=...,col=...,title=...::message`.
pub(super) fn github(path: &str, d: &Diagnostic, sources: &SourceMap) -> String {
    let (line, col) = d.line_col(sources);
    let level = if d.severity == Severity::Error {
        "error"
    } else {
        "warning"
    };
    let mut msg = d.message.clone();
    if let Some(h) = &d.help {
        msg.push_str("\nhelp: ");
        msg.push_str(h);
    }
    format!(
        "::{level} file={},line={line},col={col},title={}::{}",
        crate::escape::github_property(path),
        crate::escape::github_property(d.code.as_str()),
        crate::escape::github_data(&msg)
    )
}
