//! What a test run prints: `cargo test`-style lines, one JSON document, JUnit
//! XML, or GitHub workflow annotations. Everything that came from input passes
//! through [`crate::escape`].

use serde_json::json;

use crate::escape;

/// One case's result, located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRecord {
    /// The test file as given.
    pub file: String,
    /// The case's name.
    pub name: String,
    /// 1-based line of the case in the test file.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Passed or not.
    pub passed: bool,
    /// Why it failed (empty when it passed).
    pub message: String,
}

/// One uncovered edge, located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeRecord {
    /// The node's id.
    pub node: String,
    /// The output's name.
    pub output: String,
    /// 1-based line of the node in the route file.
    pub line: usize,
}

/// Coverage of one route by every test file that names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteRecord {
    /// The route file.
    pub route: String,
    /// Outputs of nodes reachable from start.
    pub edges: usize,
    /// How many of them some case took.
    pub covered: usize,
    /// The others.
    pub uncovered: Vec<EdgeRecord>,
}

/// A whole run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Every case in the order run.
    pub cases: Vec<CaseRecord>,
    /// Every route, in the order first named.
    pub routes: Vec<RouteRecord>,
    /// Required coverage in percent, if any.
    pub threshold: Option<f64>,
}

/// The width of a table's route column: the longest route as printed, at
/// least as wide as its heading.
pub(super) fn route_width<'a>(routes: impl Iterator<Item = &'a str>) -> usize {
    routes
        .map(|r| escape::terminal(r).chars().count())
        .max()
        .unwrap_or(5)
        .max(5)
}

fn percent(covered: usize, edges: usize) -> f64 {
    if edges == 0 {
        100.0
    } else {
        // Rounded to one decimal, and never shown as 100 while an edge is missing.
        let p = (covered as f64 * 1000.0 / edges as f64).floor() / 10.0;
        if covered < edges { p.min(99.9) } else { p }
    }
}

impl Report {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed).count()
    }

    /// Cases that failed.
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }

    /// `(edges, covered, percent)` over every route.
    pub fn coverage(&self) -> (usize, usize, f64) {
        let edges = self.routes.iter().map(|r| r.edges).sum();
        let covered = self.routes.iter().map(|r| r.covered).sum();
        (edges, covered, percent(covered, edges))
    }

    /// Whether coverage is below the threshold.
    pub fn below_threshold(&self) -> bool {
        let (edges, covered, _) = self.coverage();
        self.threshold
            .is_some_and(|t| (covered as f64) * 100.0 < t * edges as f64 - 1e-9)
    }

    /// Whether the run succeeded: every case passed and coverage is high enough.
    pub fn ok(&self) -> bool {
        self.failed() == 0 && !self.below_threshold()
    }

    fn case_name(c: &CaseRecord) -> String {
        format!("{}::{}", c.file, c.name)
    }

    /// The `cargo test`-style report.
    pub fn human(&self) -> String {
        let mut out = format!(
            "\nrunning {} test{}\n",
            self.cases.len(),
            if self.cases.len() == 1 { "" } else { "s" }
        );
        for c in &self.cases {
            out.push_str(&format!(
                "test {} ... {}\n",
                escape::terminal(&Self::case_name(c)),
                if c.passed { "ok" } else { "FAILED" }
            ));
        }
        let failed: Vec<&CaseRecord> = self.cases.iter().filter(|c| !c.passed).collect();
        if !failed.is_empty() {
            out.push_str("\nfailures:\n");
            for c in &failed {
                out.push_str(&format!(
                    "\n---- {} ({}:{}) ----\n{}\n",
                    escape::terminal(&Self::case_name(c)),
                    escape::terminal(&c.file),
                    c.line,
                    escape::terminal_multiline(&c.message)
                ));
            }
            out.push_str("\nfailures:\n");
            for c in &failed {
                out.push_str(&format!("    {}\n", escape::terminal(&Self::case_name(c))));
            }
        }
        out.push_str(&self.coverage_table());
        let (_, _, pct) = self.coverage();
        if let (true, Some(t)) = (self.below_threshold(), self.threshold) {
            out.push_str(&format!(
                "\nedge coverage {pct}% is below the threshold of {t}%\n"
            ));
        }
        out.push_str(&format!(
            "\ntest result: {}. {} passed; {} failed\n",
            if self.ok() { "ok" } else { "FAILED" },
            self.passed(),
            self.failed()
        ));
        out
    }

    fn coverage_table(&self) -> String {
        if self.routes.is_empty() {
            return String::new();
        }
        let width = route_width(self.routes.iter().map(|r| r.route.as_str()));
        let mut out = format!(
            "\nedge coverage:\n  {:<width$}  edges  covered  percent\n",
            "route"
        );
        for r in &self.routes {
            out.push_str(&format!(
                "  {:<width$}  {:>5}  {:>7}  {:>6}%\n",
                escape::terminal(&r.route),
                r.edges,
                r.covered,
                percent(r.covered, r.edges)
            ));
        }
        let uncovered: Vec<_> = self
            .routes
            .iter()
            .flat_map(|r| r.uncovered.iter().map(move |e| (r, e)))
            .collect();
        if !uncovered.is_empty() {
            out.push_str("uncovered edges:\n");
            for (r, e) in uncovered {
                out.push_str(&format!(
                    "  {}:{}  `{}` → {}\n",
                    escape::terminal(&r.route),
                    e.line,
                    escape::terminal(&e.node),
                    escape::terminal(&e.output)
                ));
            }
        }
        out
    }

    /// The JSON document: tests, passed, failed, cases and coverage.
    pub fn json(&self) -> serde_json::Value {
        let (edges, covered, pct) = self.coverage();
        json!({
            "tests": self.cases.len(),
            "passed": self.passed(),
            "failed": self.failed(),
            "cases": self.cases.iter().map(|c| json!({
                "file": c.file, "name": c.name, "passed": c.passed, "message": c.message,
            })).collect::<Vec<_>>(),
            "coverage": {
                "edges": edges,
                "covered": covered,
                "percent": pct,
                "uncovered": self.routes.iter().flat_map(|r| r.uncovered.iter().map(move |e| json!({
                    "route": r.route, "node": e.node, "output": e.output,
                }))).collect::<Vec<_>>(),
            },
        })
    }

    /// JUnit XML: one `testsuite` per test file.
    pub fn junit(&self) -> String {
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"aig-route test\" tests=\"{}\" failures=\"{}\">\n",
            self.cases.len(),
            self.failed()
        );
        let mut files: Vec<&str> = self.cases.iter().map(|c| c.file.as_str()).collect();
        files.dedup();
        for file in files {
            let cases: Vec<&CaseRecord> = self.cases.iter().filter(|c| c.file == file).collect();
            let failures = cases.iter().filter(|c| !c.passed).count();
            out.push_str(&format!(
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">\n",
                escape::xml(file),
                cases.len()
            ));
            for c in cases {
                let head = format!(
                    "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
                    escape::xml(&c.name),
                    escape::xml(file),
                    escape::xml(file),
                    c.line
                );
                if c.passed {
                    out.push_str(&format!("{head}/>\n"));
                } else {
                    let first = c.message.lines().next().unwrap_or("failed");
                    out.push_str(&format!(
                        "{head}>\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                        escape::xml(first),
                        escape::xml(&c.message)
                    ));
                }
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }

    /// GitHub workflow commands: an error at each failing case's line, a warning
    /// at each uncovered edge's node, then the summary line.
    pub fn github(&self) -> String {
        let mut out = String::new();
        for c in self.cases.iter().filter(|c| !c.passed) {
            out.push_str(&format!(
                "::error file={},line={},col={},title={}::{}\n",
                escape::github_property(&c.file),
                c.line,
                c.column,
                escape::github_property(&format!("test failed: {}", c.name)),
                escape::github_data(&c.message)
            ));
        }
        for r in &self.routes {
            for e in &r.uncovered {
                out.push_str(&format!(
                    "::warning file={},line={},title=uncovered edge::{}\n",
                    escape::github_property(&r.route),
                    e.line,
                    escape::github_data(&format!(
                        "no test takes output `{}` of `{}`",
                        e.output, e.node
                    ))
                ));
            }
        }
        let (_, _, pct) = self.coverage();
        out.push_str(&format!(
            "test result: {}. {} passed; {} failed; edge coverage {pct}%\n",
            if self.ok() { "ok" } else { "FAILED" },
            self.passed(),
            self.failed()
        ));
        out
    }
}
