//! A test file checked against its route: node ids resolved (with "did you
//! mean"), model expectations on model nodes, metadata keys the route reads.

use super::engine::{Kind, Prepared, Target};
use super::file::{Case, Req, TestFile};
use super::file_error::TestFileError;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::{Span, Spanned};

/// A case whose node ids name nodes of its route.
#[derive(Clone, Debug)]
pub struct Bound {
    /// The case's name.
    pub name: String,
    /// Where the case is written.
    pub span: Span,
    /// Requests replayed first, with their repeat counts.
    pub before: Vec<(Prepared, u64)>,
    /// The request under test.
    pub req: Prepared,
    /// What it expects.
    pub expect: Expectation,
}

/// Expectations with node ids resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectation {
    /// `Some(None)`: no model answers.
    pub model: Option<Option<usize>>,
    /// The exact path.
    pub path: Option<Vec<usize>>,
    /// Nodes on the path.
    pub via: Vec<usize>,
    /// Nodes not on the path.
    pub not_via: Vec<usize>,
}

/// Resolves every case of `file` against `t`; problems go to `diags`. Cases with
/// errors are left out.
pub fn bind(file: &TestFile, t: &Target, diags: &mut Vec<Diagnostic>) -> Vec<Bound> {
    let mut out = Vec::new();
    for case in &file.cases {
        let before = diags.iter().filter(|d| d.is_error()).count();
        let b = bind_case(case, t, diags);
        if diags.iter().filter(|d| d.is_error()).count() == before {
            out.push(b);
        }
    }
    out
}

fn bind_case(case: &Case, t: &Target, diags: &mut Vec<Diagnostic>) -> Bound {
    let req = prepare(&case.req, 0.0, 0.0, t, diags);
    let before = case
        .before
        .iter()
        .map(|b| (prepare(&b.req, req.at, b.cost, t, diags), b.repeat))
        .collect();
    let e = &case.expect;
    let expect = Expectation {
        model: e.model.as_ref().map(|m| {
            m.as_ref()
                .and_then(|id| node(id, t, diags, Some("`expect.model`")))
        }),
        path: e
            .path
            .as_ref()
            .map(|p| p.iter().filter_map(|id| node(id, t, diags, None)).collect()),
        via: e
            .via
            .iter()
            .filter_map(|id| node(id, t, diags, None))
            .collect(),
        not_via: e
            .not_via
            .iter()
            .filter_map(|id| node(id, t, diags, None))
            .collect(),
    };
    Bound {
        name: case.name.value.clone(),
        span: case.span,
        before,
        req,
        expect,
    }
}

/// `default_at` is the time of a request that does not say (a `before` request
/// runs at its case's time unless it says otherwise).
fn prepare(
    req: &Req,
    default_at: f64,
    cost: f64,
    t: &Target,
    diags: &mut Vec<Diagnostic>,
) -> Prepared {
    for (k, _) in &req.metadata {
        if !t.reads(&k.value) {
            let e = TestFileError::UnreadKey {
                key: k.value.clone(),
                near: did_you_mean(&k.value, t.keys()),
            };
            diags.push(e.at(k.span));
        }
    }
    Prepared {
        metadata: req
            .metadata
            .iter()
            .map(|(k, v)| (k.value.clone(), v.value.clone()))
            .collect(),
        id: req.id.clone(),
        at: req.at.unwrap_or(default_at),
        fail: req
            .fail
            .iter()
            .filter_map(|id| node(id, t, diags, Some("`fail`")))
            .collect(),
        cost,
    }
}

/// The node `id` names; `model` says where a model node is required.
fn node(
    id: &Spanned<String>,
    t: &Target,
    diags: &mut Vec<Diagnostic>,
    model: Option<&'static str>,
) -> Option<usize> {
    let Some(n) = t.find(&id.value) else {
        let e = TestFileError::UnknownNode {
            route: t.name().to_string(),
            id: id.value.clone(),
            near: did_you_mean(&id.value, t.ids()),
        };
        diags.push(e.at(id.span));
        return None;
    };
    if let Some(what) = model {
        if t.kind(n) != Kind::Model {
            let models = t
                .ids()
                .filter(|i| t.find(i).is_some_and(|m| t.kind(m) == Kind::Model))
                .map(str::to_string)
                .collect();
            let e = TestFileError::NotAModel {
                place: what,
                id: id.value.clone(),
                models,
            };
            diags.push(e.at(id.span));
            return None;
        }
    }
    Some(n)
}
