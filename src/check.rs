//! The front half of the pipeline in one call: read a file, build its graph,
//! validate it, and return the route with every diagnostic.

use crate::diagnostic::{self, Diagnostic};
use crate::graph::RouteGraph;
use crate::source::{SourceId, SourceMap};
use crate::syntax::{self, Format, Limits, Parsed};
use crate::validate::validate;

/// A file read and validated.
#[derive(Debug)]
pub struct Checked {
    /// The route, when the file could be read far enough.
    pub parsed: Option<Parsed>,
    /// Every problem, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether the route is free of errors (and so can be compiled).
    pub fn is_ok(&self) -> bool {
        self.parsed.is_some() && !diagnostic::has_errors(&self.diagnostics)
    }
}

/// Reads, lowers and validates file `source`.
pub fn check(sources: &SourceMap, source: SourceId, format: Format, limits: &Limits) -> Checked {
    run(sources, source, format, limits, false)
}

/// [`check`], and a YAML file also against the route's JSON Schema (what
/// `aig-route validate` does; a safety net behind the readers, too slow for the
/// hot path of every command).
#[cfg(feature = "schema")]
pub fn check_with_schema(
    sources: &SourceMap,
    source: SourceId,
    format: Format,
    limits: &Limits,
) -> Checked {
    run(sources, source, format, limits, true)
}

fn run(
    sources: &SourceMap,
    source: SourceId,
    format: Format,
    limits: &Limits,
    #[allow(unused_variables)] schema: bool,
) -> Checked {
    let read = syntax::parse(sources, source, format, limits);
    let mut diagnostics = read.diagnostics;
    if let Some(parsed) = &read.parsed {
        let graph = RouteGraph::build(&parsed.route, &mut diagnostics);
        validate(&graph, &mut diagnostics);
    }
    #[cfg(feature = "schema")]
    if let (Some(doc), Format::Yaml, true) = (&read.doc, format, schema) {
        crate::schema::check(doc, &mut diagnostics);
    }
    if let Some(parsed) = &read.parsed {
        let text = sources.text(source);
        crate::suppress::apply(
            text,
            source,
            format,
            &parsed.route,
            read.doc.as_ref(),
            &mut diagnostics,
        );
    }
    diagnostic::sort(&mut diagnostics);
    Checked {
        parsed: read.parsed,
        diagnostics,
    }
}

/// Reads and validates route text given directly (for the library and tests).
pub fn check_text(
    sources: &mut SourceMap,
    name: &str,
    text: &str,
    format: Format,
) -> (SourceId, Checked) {
    let id = sources.add(name, text);
    let checked = check(sources, id, format, &Limits::default());
    (id, checked)
}
