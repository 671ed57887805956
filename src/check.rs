//! The front half of the pipeline in one call: read a file, build its graph,
//! validate it, compile it when it is valid, and return all that with every
//! diagnostic. [`crate::compile()`] is the same from text, for embedders.

use crate::compile::Program;
use crate::diagnostic::{self, Diagnostic};
use crate::diagnostic::{RenderOptions, render};
use crate::graph::RouteGraph;
use crate::policy::Policy;
use crate::source::{SourceId, SourceMap, Span};
use crate::syntax::{self, Format, Limits, Parsed};
use crate::validate::validate;

/// A file read, validated and (when free of errors) compiled.
#[derive(Debug)]
pub struct Checked {
    /// The route, when the file could be read far enough.
    pub parsed: Option<Parsed>,
    /// Every problem, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// The compiled program, when there is no error.
    pub program: Option<Program>,
}

impl Checked {
    /// Whether the route is free of errors (and so was compiled).
    pub fn is_ok(&self) -> bool {
        self.program.is_some() && !diagnostic::has_errors(&self.diagnostics)
    }

    /// The errors alone (warnings left out), in order.
    pub fn errors(&self) -> Vec<Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect()
    }
}

/// Reads, lowers, validates and compiles file `source`.
pub fn check(sources: &SourceMap, source: SourceId, format: Format, limits: &Limits) -> Checked {
    run(sources, source, format, limits, false, None)
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
    run(sources, source, format, limits, true, None)
}

/// [`check`] (with the JSON Schema too when `schema` and the `schema` feature),
/// then a team's path policies once the route is free of errors. They are
/// checked before inline suppressions apply, so `# aig-route: allow W0905`
/// silences a policy warning on one node like any other warning.
pub fn check_with_policy(
    sources: &SourceMap,
    source: SourceId,
    format: Format,
    limits: &Limits,
    schema: bool,
    policy: &Policy,
) -> Checked {
    run(sources, source, format, limits, schema, Some(policy))
}

fn run(
    sources: &SourceMap,
    source: SourceId,
    format: Format,
    limits: &Limits,
    #[allow(unused_variables)] schema: bool,
    policy: Option<&Policy>,
) -> Checked {
    let read = syntax::parse(sources, source, format, limits);
    let mut diagnostics = read.diagnostics;
    let mut program = None;
    if let Some(parsed) = &read.parsed {
        let graph = RouteGraph::build_in(&parsed.route, format, &mut diagnostics);
        if let Some(valid) = validate(graph, &mut diagnostics) {
            match Program::compile(&valid) {
                Ok(p) => program = Some(p),
                Err(e) => diagnostics.push(e.at(Span::new(source, 0, 0))),
            }
        }
    }
    #[cfg(feature = "schema")]
    if let (Some(doc), Format::Yaml, true) = (&read.doc, format, schema) {
        crate::schema::check(doc, &mut diagnostics);
    }
    if let (Some(parsed), Some(p), Some(policy)) = (&read.parsed, &program, policy) {
        if !diagnostic::has_errors(&diagnostics) {
            crate::policy::check(&parsed.route, p, policy, &mut diagnostics);
        }
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
    if diagnostic::has_errors(&diagnostics) {
        program = None;
    }
    diagnostic::sort(&mut diagnostics);
    Checked {
        parsed: read.parsed,
        diagnostics,
        program,
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

/// A route compiled from text, with the warnings it drew.
#[derive(Debug)]
#[non_exhaustive]
pub struct Compiled {
    /// The program, ready to evaluate.
    pub program: Program,
    /// Warnings (never errors), rendered as the command line shows them.
    pub warnings: Diagnostics,
}

/// Located problems in one route file, with the text they point into, so they
/// render exactly as `aig-route validate` prints them (`Display`, no colour).
#[derive(Debug)]
pub struct Diagnostics {
    sources: SourceMap,
    list: Vec<Diagnostic>,
}

impl Diagnostics {
    /// The diagnostics, sorted by position.
    pub fn as_slice(&self) -> &[Diagnostic] {
        &self.list
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Whether any is an error.
    pub fn has_errors(&self) -> bool {
        diagnostic::has_errors(&self.list)
    }

    /// The source text they point into (for line and column numbers).
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// Rendered as the command line prints them, in colour with `opts.color`.
    pub fn render(&self, opts: RenderOptions) -> String {
        self.list
            .iter()
            .map(|d| render(d, &self.sources, opts))
            .collect()
    }
}

impl std::fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(RenderOptions::default()))
    }
}

impl std::error::Error for Diagnostics {}

/// Reads route `text` (named `name` in messages) in `format`, validates it and
/// compiles it: the whole front half in one call. `Err` holds every diagnostic,
/// errors and warnings, when there is at least one error.
pub fn compile(name: &str, text: &str, format: Format) -> Result<Compiled, Diagnostics> {
    let mut sources = SourceMap::new();
    let id = sources.add(name, text);
    let checked = check(&sources, id, format, &Limits::default());
    let list = checked.diagnostics;
    match checked.program {
        Some(program) => Ok(Compiled {
            program,
            warnings: Diagnostics { sources, list },
        }),
        None => Err(Diagnostics { sources, list }),
    }
}

#[cfg(test)]
mod tests {
    use super::compile;
    use crate::syntax::Format;

    #[test]
    fn compile_returns_the_program_or_every_located_diagnostic() {
        let ok = "start: m\nnodes:\n  m:\n    model: openai/gpt-4.1\n    timeout: 1s\n    retries: 0\n    success: e\n    fallback: e\n  e: end\n";
        let c = compile("ok.yaml", ok, Format::Yaml).unwrap();
        assert_eq!(c.program.len(), 3);
        assert!(!c.warnings.has_errors());
        let bad = "start: m\nnodes:\n  m: end\n  m: end\n";
        let e = compile("bad.yaml", bad, Format::Yaml).unwrap_err();
        assert!(e.has_errors());
        let text = e.to_string();
        assert!(text.contains("error[E0102]"), "{text}");
        assert!(text.contains("bad.yaml:4:3"), "{text}");
        let err: &dyn std::error::Error = &e;
        assert!(!err.to_string().is_empty());
    }
}
