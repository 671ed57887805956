//! Test files (`*.test.yaml`) → [`TestFile`], every key and value located.
//!
//! ```yaml
//! route: tiers.yaml                 # relative to this file
//! cases:
//!   - name: paid users get the large model
//!     metadata: {plan: paid}
//!     at: 1700000000                # seconds; default 0
//!     fail: [large]                 # model node ids that fail
//!     before:                       # requests replayed first, same limit state
//!       - {metadata: {plan: free}, repeat: 3, cost: 0.5}
//!     expect:
//!       model: large                # or null: no model answered
//!       path: [start, plan, large, done]
//!       via: [plan]
//!       not_via: [free_limit]
//! ```
//!
//! This stage checks the file on its own (shape, keys, values); [`super::bind`]
//! then checks it against the route (node ids, metadata keys).

use super::file_error::TestFileError;
use crate::diagnostic::Diagnostic;
use crate::eval::MAX_METADATA_ENTRIES;
use crate::source::{SourceId, Span, Spanned};
use crate::syntax::ast::{Format, Literal};
use crate::syntax::doc::{Doc, DocValue};
use crate::syntax::shape_error::{Shape, ShapeError};

const TOP_KEYS: [&str; 2] = ["route", "cases"];
const CASE_KEYS: [&str; 7] = ["name", "metadata", "id", "at", "fail", "before", "expect"];
const BEFORE_KEYS: [&str; 6] = ["metadata", "id", "at", "fail", "repeat", "cost"];
const EXPECT_KEYS: [&str; 4] = ["model", "path", "via", "not_via"];

/// Most requests one case may replay (its `before` entries times their `repeat`),
/// so a test file cannot make a run take unbounded time.
pub const MAX_REPLAYED: u64 = 1_000_000;

/// A test file as written.
#[derive(Clone, Debug)]
pub struct TestFile {
    /// The file.
    pub source: SourceId,
    /// The route file, relative to the test file (`None`: missing, reported).
    pub route: Option<Spanned<String>>,
    /// The cases in the order written.
    pub cases: Vec<Case>,
}

/// One request as a test writes it.
#[derive(Clone, Debug, Default)]
pub struct Req {
    /// Metadata entries in the order written.
    pub metadata: Vec<(Spanned<String>, Spanned<Literal>)>,
    /// The request id (hashed by splits without a sticky value).
    pub id: Option<String>,
    /// Seconds since the epoch (`None`: not written).
    pub at: Option<f64>,
    /// Model node ids that fail after all their retries.
    pub fail: Vec<Spanned<String>>,
}

/// A request replayed before a case.
#[derive(Clone, Debug)]
pub struct Before {
    /// The request.
    pub req: Req,
    /// How many times (at least 1).
    pub repeat: u64,
    /// Dollars settled when it is served.
    pub cost: f64,
}

/// What a case expects.
#[derive(Clone, Debug, Default)]
pub struct Expect {
    /// `Some(None)`: no model answers; `None`: not checked.
    pub model: Option<Option<Spanned<String>>>,
    /// The exact path.
    pub path: Option<Vec<Spanned<String>>>,
    /// Nodes on the path.
    pub via: Vec<Spanned<String>>,
    /// Nodes not on the path.
    pub not_via: Vec<Spanned<String>>,
}

/// One test case.
#[derive(Clone, Debug)]
pub struct Case {
    /// Its name.
    pub name: Spanned<String>,
    /// The whole case as written (annotations point at its start).
    pub span: Span,
    /// The request under test.
    pub req: Req,
    /// Requests replayed first.
    pub before: Vec<Before>,
    /// The expectations.
    pub expect: Expect,
}

/// Reads a test file's document; problems go to `diags`.
pub fn read(doc: &Doc, source: SourceId, diags: &mut Vec<Diagnostic>) -> TestFile {
    let mut file = TestFile {
        source,
        route: None,
        cases: Vec::new(),
    };
    let Some(entries) = doc.as_map() else {
        let found = doc.type_name();
        diags.push(TestFileError::NotAMapping { found }.at(doc.span));
        return file;
    };
    unknown_keys(entries, &TOP_KEYS, "at the top of a test file", diags);
    match doc.get("route") {
        Some(r) => file.route = string(r, "`route`", diags),
        None => diags.push(TestFileError::NoRoute.at(Span::new(source, 0, 0))),
    }
    let Some(cases) = doc.get("cases") else {
        diags.push(TestFileError::NoCases.at(Span::new(source, 0, 0)));
        return file;
    };
    for item in seq(cases, "`cases`", diags) {
        if let Some(case) = read_case(item, diags) {
            file.cases.push(case);
        }
    }
    let mut names: Vec<&Spanned<String>> = file.cases.iter().map(|c| &c.name).collect();
    names.sort_by(|a, b| a.value.cmp(&b.value).then(a.span.start.cmp(&b.span.start)));
    for w in names.windows(2) {
        if w[0].value == w[1].value {
            let e = TestFileError::DuplicateName {
                name: w[1].value.clone(),
                first: w[0].span,
            };
            diags.push(e.at(w[1].span));
        }
    }
    file
}

fn read_case(doc: &Doc, diags: &mut Vec<Diagnostic>) -> Option<Case> {
    let entries = map(doc, "a case", diags)?;
    unknown_keys(entries, &CASE_KEYS, "in a test case", diags);
    let name = match doc.get("name") {
        Some(n) => string(n, "`name`", diags).filter(|n| {
            let blank = n.value.trim().is_empty();
            if blank {
                diags.push(TestFileError::EmptyName.at(n.span));
            }
            !blank
        })?,
        None => {
            diags.push(TestFileError::NoName.at(doc.span));
            return None;
        }
    };
    let req = read_req(doc, diags);
    let mut before = Vec::new();
    let mut replayed: u64 = 0;
    if let Some(b) = doc.get("before") {
        for item in seq(b, "`before`", diags) {
            if map(item, "a `before` request", diags).is_none() {
                continue;
            }
            unknown_keys(
                item.as_map().unwrap_or_default(),
                &BEFORE_KEYS,
                "in a `before` request",
                diags,
            );
            let repeat = match item.get("repeat") {
                Some(r) => match whole(r) {
                    Some(n) if n >= 1 => n,
                    _ => {
                        bad_value(r, "repeat", "a whole number of at least 1", diags);
                        1
                    }
                },
                None => 1,
            };
            replayed = replayed.saturating_add(repeat);
            let cost = item
                .get("cost")
                .and_then(|c| amount(c, "cost", "dollars, a number of at least 0", diags))
                .unwrap_or(0.0);
            before.push(Before {
                req: read_req(item, diags),
                repeat,
                cost,
            });
        }
    }
    if replayed > MAX_REPLAYED {
        if let Some(b) = doc.get("before") {
            let e = TestFileError::TooManyReplayed {
                replayed,
                limit: MAX_REPLAYED,
            };
            diags.push(e.at(b.span));
        }
    }
    let expect = match doc.get("expect") {
        Some(e) => read_expect(e, diags),
        None => {
            let case = name.value.clone();
            diags.push(TestFileError::NoExpect { case }.at(name.span));
            Expect::default()
        }
    };
    Some(Case {
        name,
        span: doc.span,
        req,
        before,
        expect,
    })
}

fn read_req(doc: &Doc, diags: &mut Vec<Diagnostic>) -> Req {
    let mut req = Req::default();
    if let Some(m) = doc.get("metadata") {
        req.metadata = metadata(m, diags);
    }
    if let Some(id) = doc.get("id") {
        req.id = match &id.value {
            DocValue::Str(s) => Some(s.clone()),
            DocValue::Num(n) => Some(crate::syntax::cond::number_text(*n)),
            DocValue::Bool(b) => Some(b.to_string()),
            _ => string(id, "`id`", diags).map(|s| s.value),
        };
    }
    if let Some(at) = doc.get("at") {
        req.at = amount(
            at,
            "at",
            "seconds since the epoch, a number of at least 0",
            diags,
        );
    }
    if let Some(f) = doc.get("fail") {
        req.fail = ids(f, "`fail`", diags);
    }
    req
}

fn read_expect(doc: &Doc, diags: &mut Vec<Diagnostic>) -> Expect {
    let mut e = Expect::default();
    let Some(entries) = map(doc, "`expect`", diags) else {
        return e;
    };
    unknown_keys(entries, &EXPECT_KEYS, "in `expect`", diags);
    if entries.is_empty() {
        diags.push(TestFileError::ExpectsNothing.at(doc.span));
    }
    if let Some(m) = doc.get("model") {
        e.model = match m.value {
            DocValue::Null => Some(None),
            _ => string(m, "`model`", diags).map(Some),
        };
    }
    if let Some(p) = doc.get("path") {
        e.path = Some(ids(p, "`path`", diags));
    }
    if let Some(v) = doc.get("via") {
        e.via = ids(v, "`via`", diags);
    }
    if let Some(v) = doc.get("not_via") {
        e.not_via = ids(v, "`not_via`", diags);
    }
    e
}

fn metadata(doc: &Doc, diags: &mut Vec<Diagnostic>) -> Vec<(Spanned<String>, Spanned<Literal>)> {
    let Some(entries) = map(doc, "`metadata`", diags) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in entries {
        let lit = match &v.value {
            DocValue::Str(s) => Literal::Str(s.clone()),
            DocValue::Num(n) if n.is_finite() => Literal::Num(*n),
            DocValue::Bool(b) => Literal::Bool(*b),
            _ => {
                let e = TestFileError::BadMetadata {
                    key: k.value.clone(),
                    found: v.type_name(),
                };
                diags.push(e.at(v.span));
                continue;
            }
        };
        out.push((k.clone(), Spanned::new(lit, v.span)));
    }
    if let Some((k, _)) = entries.get(MAX_METADATA_ENTRIES) {
        let e = TestFileError::TooMuchMetadata {
            count: entries.len(),
            limit: MAX_METADATA_ENTRIES,
        };
        diags.push(e.at(k.span));
    }
    out
}

fn ids(doc: &Doc, what: &str, diags: &mut Vec<Diagnostic>) -> Vec<Spanned<String>> {
    seq(doc, what, diags)
        .iter()
        .filter_map(|d| string(d, &format!("an entry of {what}"), diags))
        .collect()
}

fn seq<'d>(doc: &'d Doc, what: &str, diags: &mut Vec<Diagnostic>) -> &'d [Doc] {
    match &doc.value {
        DocValue::Seq(items) => items,
        _ => {
            let e = ShapeError::wrong_type(doc, what, Shape::List, Format::Yaml);
            diags.push(e.with_example("[a, b]").at(doc.span, Format::Yaml));
            &[]
        }
    }
}

fn map<'d>(
    doc: &'d Doc,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'d [(Spanned<String>, Doc)]> {
    doc.map_or_report(what, diags)
}

fn string(doc: &Doc, what: &str, diags: &mut Vec<Diagnostic>) -> Option<Spanned<String>> {
    doc.string_or_report(what, diags)
}

fn whole(doc: &Doc) -> Option<u64> {
    match doc.value {
        DocValue::Num(n) if n.fract() == 0.0 && (0.0..=9.0e15).contains(&n) => Some(n as u64),
        _ => None,
    }
}

/// A number of at least 0 under `key`, which takes `wanted` (in words).
fn amount(
    doc: &Doc,
    key: &'static str,
    wanted: &'static str,
    diags: &mut Vec<Diagnostic>,
) -> Option<f64> {
    match doc.value {
        DocValue::Num(n) if n.is_finite() && n >= 0.0 => Some(n),
        _ => {
            bad_value(doc, key, wanted, diags);
            None
        }
    }
}

fn bad_value(doc: &Doc, key: &'static str, wanted: &'static str, diags: &mut Vec<Diagnostic>) {
    let found = shown(doc);
    diags.push(TestFileError::BadValue { key, wanted, found }.at(doc.span));
}

/// A value for a message: a number or string as written, else its type.
fn shown(doc: &Doc) -> String {
    match &doc.value {
        DocValue::Num(n) => format!("`{}`", crate::syntax::cond::number_text(*n)),
        DocValue::Str(s) => format!("`{s}`"),
        _ => doc.type_name().to_string(),
    }
}

fn unknown_keys(
    entries: &[(Spanned<String>, Doc)],
    allowed: &[&str],
    place: &str,
    diags: &mut Vec<Diagnostic>,
) {
    crate::syntax::doc::report_unknown_keys(entries, allowed, place, diags);
}
