//! `aig-route test [PATH...]`: route test suites with edge coverage.
//!
//! This file reads files and prints; reading test files, running cases,
//! coverage and the report formats live in [`crate::testing`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::common::{
    Global, collect_matching, fail, load, load_and_check, load_valid, print_human, write_atomic,
};
use crate::diagnostic::Diagnostic;
use crate::source::SourceMap;
use crate::syntax::Format;
use crate::testing::score::{MutationReport, RouteScore, Survivor};
use crate::testing::{
    self, CaseRecord, Coverage, EdgeRecord, Report, RouteRecord, Runner, Target, mutation,
};

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
    /// Write a test file for ROUTE whose cases cover every edge a request can take.
    #[arg(long, value_name = "ROUTE", conflicts_with_all = ["paths", "threshold"])]
    generate: Option<PathBuf>,
    /// Also run the suites against single-edit mutants of each route and report
    /// the mutants killed and surviving (human, json or github format).
    #[arg(long, conflicts_with_all = ["generate", "threshold"])]
    mutate: bool,
    /// Where `--generate` writes (atomically); default stdout.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        requires = "generate"
    )]
    output: Option<PathBuf>,
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
    /// Every case bound to it, for `--mutate`.
    cases: Vec<testing::Bound>,
}

pub fn run(g: &Global, args: &Args) -> u8 {
    if let Some(route) = &args.generate {
        return generate(g, route, args.output.as_deref());
    }
    if args.mutate && args.format == OutputFormat::Junit {
        fail(
            g,
            "`--mutate` prints human, json or github output, not junit",
        );
        return 2;
    }
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
                    None => {
                        let path = route_path.clone();
                        let e = testing::TestFileError::RouteHasErrors { path };
                        file_diags.push(e.at(route.span));
                    }
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
        entry.cases.extend(bound.iter().cloned());
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
    if args.mutate {
        return mutate(
            g,
            args.format,
            &routes,
            &order,
            &sources,
            &diags,
            &report,
            files.is_empty() || unreadable,
        );
    }
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

/// `--generate ROUTE [-o FILE]`.
fn generate(g: &Global, route: &Path, output: Option<&Path>) -> u8 {
    let mut sources = SourceMap::new();
    let path = route.to_string_lossy().into_owned();
    let (parsed, program) = match load_valid(
        &mut sources,
        &path,
        g,
        false,
        "cannot generate tests for it",
    ) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let target = Target::new(parsed.route, program);
    let generated = testing::generate::generate_sharp(&target);
    let named = match output {
        Some(out) => relative_to(out, route),
        None => path.clone(),
    };
    let command = match output {
        Some(out) => format!("aig-route test --generate {path} -o {}", out.display()),
        None => format!("aig-route test --generate {path}"),
    };
    let text = testing::emit::to_yaml(&target, &named, &generated, &command);
    match output {
        Some(out) => {
            if let Err(e) = write_atomic(out, text.as_bytes()) {
                fail(g, &format!("cannot write `{}`: {e}", out.display()));
                return 2;
            }
        }
        None => print!("{text}"),
    }
    let (edges, covered) = {
        let mut cov = Coverage::new(&target);
        for c in &generated.cases {
            cov.record(&c.outcome);
        }
        cov.counts(&target)
    };
    eprintln!(
        "{} case{} covering {covered} of {edges} edges",
        generated.cases.len(),
        if generated.cases.len() == 1 { "" } else { "s" }
    );
    for m in &generated.missed {
        eprintln!(
            "  {} `{}` → {}: {}",
            if m.dead { "dead" } else { "not covered" },
            crate::escape::terminal(target.id(m.node)),
            crate::escape::terminal(&target.outputs(m.node)[m.output].0),
            crate::escape::terminal(&m.reason)
        );
    }
    0
}

/// `target` as a path relative to the directory of `file` (absolute when the
/// two share no root).
fn relative_to(file: &Path, target: &Path) -> String {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let dir = abs(file)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let to = abs(target);
    let (a, b): (Vec<_>, Vec<_>) = (dir.components().collect(), to.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return to.to_string_lossy().into_owned();
    }
    let mut rel = PathBuf::new();
    for _ in common..a.len() {
        rel.push("..");
    }
    for c in &b[common..] {
        rel.push(c);
    }
    rel.to_string_lossy().into_owned()
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
        cases: Vec::new(),
    }
}

/// `--mutate`: once every case passes against its route, each route's cases
/// run against its mutants.
#[allow(clippy::too_many_arguments)]
fn mutate(
    g: &Global,
    format: OutputFormat,
    routes: &BTreeMap<String, RouteEntry>,
    order: &[String],
    sources: &SourceMap,
    diags: &[Diagnostic],
    report: &Report,
    unusable: bool,
) -> u8 {
    if unusable || !report.ok() {
        // Mutants are judged by cases that hold on the route itself.
        print_human(diags, sources, g);
        print!("{}", report.human());
        if !unusable {
            fail(
                g,
                "mutation analysis needs every case to pass against its route first",
            );
            return 1;
        }
        fail(g, "no `*.test.yaml` files found, or some could not be read");
        return 2;
    }
    print_human(diags, sources, g);
    let mut scores = MutationReport::default();
    for path in order {
        let entry = &routes[path];
        let Some(t) = &entry.target else { continue };
        let a = mutation::analyse(t, &entry.cases);
        let (killed, _, equivalent, invalid) = a.counts();
        scores.routes.push(RouteScore {
            route: path.clone(),
            killed,
            equivalent,
            invalid,
            truncated: a.truncated,
            survivors: a
                .survivors()
                .map(|m| {
                    let (line, column) = sources.line_col(m.span);
                    Survivor {
                        node: m.node.clone(),
                        edit: m.edit.clone(),
                        line,
                        column,
                    }
                })
                .collect(),
        });
    }
    match format {
        OutputFormat::Json => println!("{}", scores.json()),
        OutputFormat::Github => print!("{}", scores.github()),
        _ => print!("{}", scores.human()),
    }
    0
}
