//! What `aig-route test --generate` produces: the cases it made, the edges
//! it could not take, and their names.

use super::bind::Bound;
use super::engine::{Outcome, Prepared, Target};
use crate::source::Span;

/// One generated case.
#[derive(Clone, Debug)]
pub struct GenCase {
    /// The edge it was made for: `(node, output)`.
    pub edge: (usize, usize),
    /// Requests replayed first.
    pub before: Vec<(Prepared, u64)>,
    /// The request.
    pub req: Prepared,
    /// What the route does with it now.
    pub outcome: Outcome,
    /// For a case added to tell a mutant apart: the node and edit, in words.
    pub tells: Option<String>,
}

impl GenCase {
    /// The case's name: the edge it takes (`plan takes true`), or the mutant it
    /// tells apart.
    pub fn name(&self, t: &Target) -> String {
        match &self.tells {
            Some(edit) => format!("catches {edit}"),
            None => case_name(t, self.edge),
        }
    }
}

/// An edge no generated case takes, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missed {
    /// The node.
    pub node: usize,
    /// The output index.
    pub output: usize,
    /// `true`: no request can take it (the reason is a contradiction); `false`:
    /// none was found within the bounds or strategies (the reason says which).
    pub dead: bool,
    /// Why, in words.
    pub reason: String,
}

/// What [`generate`] found.
#[derive(Clone, Debug, Default)]
pub struct Generated {
    /// Cases, in route order of the edges they were made for.
    pub cases: Vec<GenCase>,
    /// Edges no case takes.
    pub missed: Vec<Missed>,
}

impl Generated {
    /// The cases as bound test cases (names from their edges), for running.
    pub fn bound(&self, t: &Target) -> Vec<Bound> {
        self.cases
            .iter()
            .map(|c| Bound {
                name: c.name(t),
                span: Span::default(),
                before: c.before.clone(),
                req: c.req.clone(),
                expect: super::Expectation {
                    model: Some(c.outcome.served),
                    path: Some(c.outcome.path.clone()),
                    via: Vec::new(),
                    not_via: Vec::new(),
                },
            })
            .collect()
    }
}

/// A case's name from the edge it was made for: `plan takes true`.
pub fn case_name(t: &Target, (n, o): (usize, usize)) -> String {
    let out = t.outputs(n).get(o).map_or("?", |(name, _)| name.as_str());
    format!("{} takes {out}", t.id(n))
}
