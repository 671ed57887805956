//! What `aig-route test --mutate` prints: per route the mutants killed,
//! surviving, equivalent and invalid, the survivors with their edit and line,
//! and the mutation score (killed of killed and surviving). Everything that
//! came from input passes through [`crate::escape`].

use serde_json::json;

use crate::escape;

/// One surviving mutant, located in its route file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Survivor {
    /// The node edited.
    pub node: String,
    /// The edit in words.
    pub edit: String,
    /// 1-based line of the edit.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// One route's mutants.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteScore {
    /// The route file.
    pub route: String,
    /// Mutants some case failed against.
    pub killed: usize,
    /// Mutants every case passed against, in the mutator's order.
    pub survivors: Vec<Survivor>,
    /// Mutants no request tells from the route.
    pub equivalent: usize,
    /// Mutants that do not validate.
    pub invalid: usize,
    /// Whether the route had more mutants than were tried.
    pub truncated: bool,
}

/// Every route of a `--mutate` run, in the order first named.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MutationReport {
    /// The routes.
    pub routes: Vec<RouteScore>,
}

/// Killed of killed and surviving, in percent, one decimal, rounded down (100
/// when there is nothing to kill).
pub fn score(killed: usize, survived: usize) -> f64 {
    let all = killed + survived;
    if all == 0 {
        100.0
    } else {
        (killed as f64 * 1000.0 / all as f64).floor() / 10.0
    }
}

impl RouteScore {
    /// Mutants made.
    pub fn mutants(&self) -> usize {
        self.killed + self.survivors.len() + self.equivalent + self.invalid
    }
}

impl MutationReport {
    /// `(killed, survived, equivalent, invalid)` over every route.
    pub fn totals(&self) -> (usize, usize, usize, usize) {
        self.routes.iter().fold((0, 0, 0, 0), |t, r| {
            (
                t.0 + r.killed,
                t.1 + r.survivors.len(),
                t.2 + r.equivalent,
                t.3 + r.invalid,
            )
        })
    }

    /// The table, the survivors, and the overall score.
    pub fn human(&self) -> String {
        let width = super::report::route_width(self.routes.iter().map(|r| r.route.as_str()));
        let mut out = format!(
            "mutants:\n  {:<width$}  mutants  killed  survived  equivalent  invalid   score\n",
            "route"
        );
        for r in &self.routes {
            out.push_str(&format!(
                "  {:<width$}  {:>7}  {:>6}  {:>8}  {:>10}  {:>7}  {:>5}%{}\n",
                escape::terminal(&r.route),
                r.mutants(),
                r.killed,
                r.survivors.len(),
                r.equivalent,
                r.invalid,
                score(r.killed, r.survivors.len()),
                if r.truncated { " (more not tried)" } else { "" }
            ));
        }
        let survivors: Vec<_> = self
            .routes
            .iter()
            .flat_map(|r| r.survivors.iter().map(move |s| (r, s)))
            .collect();
        if !survivors.is_empty() {
            out.push_str("surviving mutants (no case fails against them):\n");
            for (r, s) in survivors {
                out.push_str(&format!(
                    "  {}:{}  `{}`: {}\n",
                    escape::terminal(&r.route),
                    s.line,
                    escape::terminal(&s.node),
                    escape::terminal(&s.edit)
                ));
            }
        }
        let (k, s, e, i) = self.totals();
        out.push_str(&format!(
            "\nmutation score: {}%. {k} killed; {s} survived; {e} equivalent; {i} invalid\n",
            score(k, s)
        ));
        out
    }

    /// One JSON document.
    pub fn json(&self) -> serde_json::Value {
        let (k, s, e, i) = self.totals();
        json!({
            "killed": k,
            "survived": s,
            "equivalent": e,
            "invalid": i,
            "score": score(k, s),
            "routes": self.routes.iter().map(|r| json!({
                "route": r.route,
                "mutants": r.mutants(),
                "killed": r.killed,
                "survived": r.survivors.len(),
                "equivalent": r.equivalent,
                "invalid": r.invalid,
                "score": score(r.killed, r.survivors.len()),
                "truncated": r.truncated,
                "survivors": r.survivors.iter().map(|s| json!({
                    "node": s.node, "edit": s.edit, "line": s.line, "column": s.column,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }

    /// GitHub workflow commands: a warning at each survivor's line, then the
    /// summary line.
    pub fn github(&self) -> String {
        let mut out = String::new();
        for r in &self.routes {
            for s in &r.survivors {
                out.push_str(&format!(
                    "::warning file={},line={},col={},title=surviving mutant::{}\n",
                    escape::github_property(&r.route),
                    s.line,
                    s.column,
                    escape::github_data(&format!(
                        "no test fails when `{}` is edited: {}",
                        s.node, s.edit
                    ))
                ));
            }
        }
        let (k, s, e, i) = self.totals();
        out.push_str(&format!(
            "mutation score: {}%. {k} killed; {s} survived; {e} equivalent; {i} invalid\n",
            score(k, s)
        ));
        out
    }
}
