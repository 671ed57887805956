//! `aig-route test [PATH...]`: route test suites with edge coverage.
//!
//! This file reads files and prints; reading test files, running cases,
//! coverage and the report formats live in [`crate::testing`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::common::{Global, collect_matching, fail, load, load_and_check, print_human};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::SourceMap;
use crate::syntax::Format;
use crate::testing::{self, CaseRecord, Coverage, EdgeRecord, Report, RouteRecord, Runner, Target};

/// Run route test files (`*.test.yaml`) and report edge coverage.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  aig-route test routes/ --threshold 100\n  aig-route test routes/tiers.test.yaml --format junit > junit.xml"
)]
pub struct Args {
    /// Test files, or directories to search for `*.test.yaml` (default: `.`).
    paths: Vec<PathBuf>,
    /// Fail (exit 1) when edge coverage is below this percentage.
    #[arg(long, value_name = "P", value_parser = super::numbers::percent)]
    threshold: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    /// One line per case, failures explained, a coverage table (like `cargo test`).
    Human,
    /// One JSON document.
    Json,
    /// JUnit XML.
    Junit,
    /// GitHub workflow annotations.
    Github,
}

/// A route some test file names, compiled once.
struct RouteEntry {
    target: Option<Target>,
    coverage: Option<Coverage>,
}

pub fn run(g: &Global, args: &Args) -> u8 {
    let inputs = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let (files, walk) = collect_matching(g, &inputs, testing::is_test_file);
    let mut sources = SourceMap::new();
    let mut routes: BTreeMap<String, RouteEntry> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut report = Report {
        threshold: args.threshold,
        ..Report::default()
    };
    let mut diags = Vec::new();
    let mut unreadable = walk != 0;
    let mut runner = Runner::new();
    for path in &files {
        let loaded = load(&mut sources, path, &g.limits());
        if loaded.unreadable {
            unreadable = true;
        }
        let mut file_diags = loaded.diagnostics;
        let doc = if file_diags.is_empty() {
            match crate::syntax::parse_doc(
                sources.text(loaded.id),
                loaded.id,
                Format::Yaml,
                &g.limits(),
            ) {
                Ok(doc) => Some(doc),
                Err(d) => {
                    file_diags.push(d);
                    None
                }
            }
        } else {
            None
        };
        let file = doc.map(|d| testing::read(&d, loaded.id, &mut file_diags));
        let mut bound = Vec::new();
        if let Some(file) = &file {
            if let Some(route) = &file.route {
                let route_path = route_path(path, &route.value);
                if !routes.contains_key(&route_path) {
                    let entry = load_route(g, &mut sources, &route_path, &mut diags);
                    routes.insert(route_path.clone(), entry);
                    order.push(route_path.clone());
                }
                let entry = &routes[&route_path];
                match &entry.target {
                    Some(t) => bound = testing::bind(file, t, &mut file_diags),
                    None => file_diags.push(
                        Diagnostic::error(
                            Code::TestRoute,
                            route.span,
                            format!("route `{route_path}` cannot be tested: it cannot be read or has errors"),
                        )
                        .help(format!("run `aig-route validate {route_path}` and fix what it reports")),
                    ),
                }
            }
        }
        g.filter(&mut file_diags);
        let has_errors = crate::diagnostic::has_errors(&file_diags);
        diags.append(&mut file_diags);
        if has_errors {
            report.cases.push(CaseRecord {
                file: path.clone(),
                name: "(test file)".into(),
                line: 1,
                column: 1,
                passed: false,
                message: "the test file has errors; its cases did not run".into(),
            });
            continue;
        }
        let Some(file) = file else { continue };
        let Some(route) = &file.route else { continue };
        let entry = routes
            .get_mut(&route_path(path, &route.value))
            .expect("inserted above");
        let (Some(t), Some(cov)) = (&entry.target, &mut entry.coverage) else {
            continue;
        };
        for case in &bound {
            let result = testing::run_case(t, case, &mut runner, cov);
            let (line, column) = sources.line_col(case.span);
            report.cases.push(CaseRecord {
                file: path.clone(),
                name: case.name.clone(),
                line,
                column,
                passed: result.passed,
                message: result.message,
            });
        }
    }
    for path in &order {
        let entry = &routes[path];
        let (Some(t), Some(cov)) = (&entry.target, &entry.coverage) else {
            continue;
        };
        let (edges, covered) = cov.counts(t);
        report.routes.push(RouteRecord {
            route: path.clone(),
            edges,
            covered,
            uncovered: cov
                .uncovered(t)
                .into_iter()
                .map(|u| EdgeRecord {
                    node: t.id(u.node).to_string(),
                    output: u.output,
                    line: sources.line_col(t.span(u.node)).0,
                })
                .collect(),
        });
    }
    crate::diagnostic::sort(&mut diags);
    match args.format {
        OutputFormat::Github => {
            for d in &diags {
                println!(
                    "{}",
                    super::validate::github(sources.name(d.primary.span.source), d, &sources)
                );
            }
            print!("{}", report.github());
        }
        OutputFormat::Human => {
            print_human(&diags, &sources, g);
            print!("{}", report.human());
        }
        OutputFormat::Json => {
            print_human(&diags, &sources, g);
            println!("{}", report.json());
        }
        OutputFormat::Junit => {
            print_human(&diags, &sources, g);
            print!("{}", report.junit());
        }
    }
    if files.is_empty() {
        fail(g, "no `*.test.yaml` files found");
        return 2;
    }
    if unreadable {
        2
    } else if report.ok() {
        0
    } else {
        1
    }
}

/// The route a test file names, relative to the test file's directory.
fn route_path(test_file: &str, route: &str) -> String {
    use std::path::Component;
    let dir = Path::new(test_file).parent().unwrap_or(Path::new(""));
    // Lexically tidied (`routes/../x.yaml` → `x.yaml`) so one route named from
    // several test files is one route in the coverage table.
    let mut out = PathBuf::new();
    for c in dir.join(route).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.to_string_lossy().into_owned()
}

fn load_route(
    g: &Global,
    sources: &mut SourceMap,
    path: &str,
    diags: &mut Vec<Diagnostic>,
) -> RouteEntry {
    let (_, checked) = load_and_check(sources, path, g);
    let ok = checked.is_ok();
    diags.extend(checked.diagnostics.into_iter().filter(Diagnostic::is_error));
    let target = checked
        .parsed
        .zip(checked.program)
        .filter(|_| ok)
        .map(|(p, program)| Target::new(p.route, program));
    RouteEntry {
        coverage: target.as_ref().map(Coverage::new),
        target,
    }
}
