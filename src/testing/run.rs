//! Running bound cases: fresh counters, the `before` requests, the request under
//! test, its expectations checked, and the edges it took recorded.

use super::bind::{Bound, Expectation};
use super::engine::{Counters, Outcome, Prepared, Runner, Target};

/// The result of one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    /// Passed or not.
    pub passed: bool,
    /// Empty when passed; else expected against actual and the request step by step.
    pub message: String,
}

/// Edges covered per node and output of one route.
#[derive(Clone, Debug)]
pub struct Coverage {
    covered: Vec<Vec<bool>>,
}

/// One uncovered edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uncovered {
    /// The node.
    pub node: usize,
    /// The output's name.
    pub output: String,
}

impl Coverage {
    /// Nothing covered yet.
    pub fn new(t: &Target) -> Self {
        Coverage {
            covered: (0..t.len())
                .map(|n| vec![false; t.outputs(n).len()])
                .collect(),
        }
    }

    /// Records the edges one request took.
    pub fn record(&mut self, o: &Outcome) {
        for &(n, out) in &o.edges {
            if let Some(c) = self.covered.get_mut(n).and_then(|v| v.get_mut(out)) {
                *c = true;
            }
        }
    }

    /// Whether output `out` of node `n` was taken.
    pub fn is_covered(&self, n: usize, out: usize) -> bool {
        self.covered
            .get(n)
            .and_then(|v| v.get(out))
            .copied()
            .unwrap_or(false)
    }

    /// `(edges, covered)`: every output of every node reachable from start.
    pub fn counts(&self, t: &Target) -> (usize, usize) {
        let mut edges = 0;
        let mut covered = 0;
        for (n, reach) in t.reachable().into_iter().enumerate() {
            if reach {
                edges += self.covered[n].len();
                covered += self.covered[n].iter().filter(|c| **c).count();
            }
        }
        (edges, covered)
    }

    /// The uncovered edges of reachable nodes, in the order written.
    pub fn uncovered(&self, t: &Target) -> Vec<Uncovered> {
        let mut out = Vec::new();
        for (n, reach) in t.reachable().into_iter().enumerate() {
            if !reach {
                continue;
            }
            for (o, (name, _)) in t.outputs(n).iter().enumerate() {
                if !self.covered[n][o] {
                    out.push(Uncovered {
                        node: n,
                        output: name.clone(),
                    });
                }
            }
        }
        // Stable: outputs of one node stay in wire order.
        out.sort_by_key(|u| t.span(u.node).start);
        out
    }
}

/// Runs one case from fresh counters and returns what the request under test did.
pub fn play(t: &Target, case: &Bound, runner: &mut Runner, explain: bool) -> Outcome {
    replay(t, &case.before, &case.req, runner, explain)
}

/// Runs `before` (each `repeat` times) then `req`, from fresh counters.
pub fn replay(
    t: &Target,
    before: &[(Prepared, u64)],
    req: &Prepared,
    runner: &mut Runner,
    explain: bool,
) -> Outcome {
    runner.fresh();
    let mut counters = Counters::new();
    let mut out = Outcome::default();
    for (b, repeat) in before {
        for _ in 0..*repeat {
            runner.run_quiet(t, b, &mut counters);
        }
    }
    runner.run(t, req, &mut counters, explain, &mut out);
    out
}

/// Runs a case, checks it, and records its edges in `cov`.
pub fn run_case(t: &Target, case: &Bound, runner: &mut Runner, cov: &mut Coverage) -> CaseResult {
    let got = play(t, case, runner, false);
    cov.record(&got);
    let problems = check(t, &case.expect, &got);
    if problems.is_empty() {
        return CaseResult {
            passed: true,
            message: String::new(),
        };
    }
    // Run again with explanations: same inputs, same outcome.
    let got = play(t, case, runner, true);
    let mut message = problems.join("\n");
    message.push_str("\nthe request step by step:\n");
    message.push_str(&crate::explain::lines(&got.steps));
    message.push_str(&match got.served {
        Some(m) => format!("served by `{}`", t.id(m)),
        None => "no model answered".to_string(),
    });
    CaseResult {
        passed: false,
        message,
    }
}

/// What differs between the expectation and the outcome, one line each.
pub fn check(t: &Target, e: &Expectation, got: &Outcome) -> Vec<String> {
    let mut problems = Vec::new();
    let name = |m: Option<usize>| {
        m.map_or("null (no model answered)".to_string(), |m| {
            format!("`{}`", t.id(m))
        })
    };
    if let Some(model) = e.model {
        if model != got.served {
            problems.push(format!(
                "expected model {}, got {}",
                name(model),
                name(got.served)
            ));
        }
    }
    if let Some(path) = &e.path {
        if *path != got.path {
            let words = |p: &[usize]| p.iter().map(|n| t.id(*n)).collect::<Vec<_>>().join(" → ");
            problems.push(format!(
                "expected path {}\n     got path {}",
                words(path),
                words(&got.path)
            ));
        }
    }
    for n in &e.via {
        if !got.path.contains(n) {
            problems.push(format!(
                "expected the path to pass `{}`; it does not",
                t.id(*n)
            ));
        }
    }
    for n in &e.not_via {
        if got.path.contains(n) {
            problems.push(format!(
                "expected the path to avoid `{}`; it passes it",
                t.id(*n)
            ));
        }
    }
    problems
}
