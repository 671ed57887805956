//! Source text → spanned syntax tree, for every format.
//!
//! YAML and JSON first become a spanned [`doc::Doc`] tree (duplicate keys, depth
//! and size bounds handled there); the format's reader then builds the
//! [`ast::Route`] and reports what does not fit, located and all at once.

pub mod ast;
pub mod cond;
pub mod doc;
pub mod doc_error;
pub mod field;
pub(crate) mod grammar;
mod json;
pub mod node_error;
mod read_dsl;
pub use read_dsl::DslError;
mod read_json;
mod read_yaml;
pub mod shape_error;
pub mod syntax_error;
pub mod value_error;
pub mod values;
pub mod vocab;
pub mod words;
mod yaml;
mod yaml_block;
mod yaml_errors;
mod yaml_scalar;
mod yaml_tags;

pub use ast::{Format, Parsed, Route};
pub use doc::{Doc, Limits};

/// The deepest nesting any reader accepts, whatever [`Limits::max_depth`] says:
/// the DSL and condition grammar stops descending here (see `too_deep` in
/// `grammar/route.pest`), and the recursive passes over conditions rely on it.
pub const NESTING_CAP: usize = 128;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceId, SourceMap, Span};

/// Reads the document tree of a YAML or JSON file.
pub fn parse_doc(
    text: &str,
    source: SourceId,
    format: Format,
    limits: &Limits,
) -> Result<Doc, Diagnostic> {
    match format {
        Format::Json => json::parse(text, source, limits),
        _ => yaml::parse(text, source, limits),
    }
}

/// The route name a file implies: its file name without the extension.
pub fn default_name(path: &str) -> String {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = file.split_once('.').map_or(file, |(s, _)| s);
    if stem.is_empty() {
        "route".to_string()
    } else {
        stem.to_string()
    }
}

/// What reading one file gave.
#[derive(Debug)]
pub struct Read {
    /// The route, when the file could be read far enough to build one (possibly partial).
    pub parsed: Option<Parsed>,
    /// The YAML or JSON document tree, when the file was well-formed.
    pub doc: Option<Doc>,
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the route in file `source` of `sources`.
pub fn parse(sources: &SourceMap, source: SourceId, format: Format, limits: &Limits) -> Read {
    let fail = |diagnostics| Read {
        parsed: None,
        doc: None,
        diagnostics,
    };
    let text = sources.text(source);
    let mut diags = Vec::new();
    if text.len() > limits.max_file_bytes {
        let e = doc_error::DocError::FileTooLarge {
            size: Some(text.len()),
            limit: limits.max_file_bytes,
        };
        diags.push(e.at(Span::new(source, 0, 0)));
        return fail(diags);
    }
    let name = default_name(sources.name(source));
    let route = match format {
        Format::Dsl => match read_dsl::read(text, source, limits, &mut diags) {
            Some(route) => (route, None),
            None => return fail(diags),
        },
        Format::Json | Format::Yaml => {
            let doc = match parse_doc(text, source, format, limits) {
                Ok(doc) => doc,
                Err(d) => {
                    diags.push(d);
                    return fail(diags);
                }
            };
            let route = if format == Format::Json {
                read_json::read(&doc, &name, limits, &mut diags)
            } else {
                read_yaml::read(&doc, text, &name, limits, &mut diags)
            };
            (route, Some(doc))
        }
    };
    let (route, doc) = route;
    // A route cut short by a bound (too many nodes) is not the route written:
    // checking what was read would only add errors with no cause of their own.
    if diags
        .iter()
        .any(|d| d.code == Code::LimitExceeded && d.is_error())
    {
        return fail(diags);
    }
    Read {
        parsed: Some(Parsed {
            route,
            source,
            format,
        }),
        doc,
        diagnostics: diags,
    }
}

/// Words as a list for messages: `` `a`, `b`, `c` ``.
pub(crate) fn list(words: &[impl AsRef<str>]) -> String {
    ticked(words, ", ")
}

/// Words in backticks joined by `sep`: `` `a` and `b` ``, `` `a` → `b` ``.
pub(crate) fn ticked(words: &[impl AsRef<str>], sep: &str) -> String {
    words
        .iter()
        .map(|w| format!("`{}`", w.as_ref()))
        .collect::<Vec<_>>()
        .join(sep)
}
