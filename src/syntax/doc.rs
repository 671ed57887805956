//! A spanned document tree: what YAML and JSON files look like before they are
//! read as routes. Both readers produce it, so the route readers above them deal
//! with one shape and every value keeps its position.

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::syntax::ast::Format;
use crate::syntax::shape_error::{Shape, ShapeError};
use std::sync::Arc;

use crate::source::{Span, Spanned};

/// Bounds on what one input may make the reader do. Exceeding one is a located
/// error (`E0107`), never a crash. The defaults are far beyond any real route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_file_bytes: usize,
    /// Deepest nesting of mappings, lists and condition expressions.
    pub max_depth: usize,
    /// Most values in one document, after alias expansion.
    pub max_values: usize,
    /// Most nodes in one route.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 8 << 20,
            max_depth: 64,
            max_values: 2_000_000,
            max_nodes: 100_000,
        }
    }
}

impl Limits {
    /// The nesting bound in force for conditions and DSL blocks: `max_depth`, but
    /// never past [`super::NESTING_CAP`].
    pub fn depth(&self) -> usize {
        self.max_depth.min(super::NESTING_CAP)
    }

    /// The nesting bound for YAML and JSON values: room for a condition nested
    /// [`Limits::depth`] deep in its Mongo form (an object and a list per level)
    /// inside a route's own structure, so every route that reads in one format
    /// reads in the others.
    pub fn doc_depth(&self) -> usize {
        2 * self.depth() + 8
    }
}

/// A value with its span.
#[derive(Clone, Debug)]
pub struct Doc {
    /// The value.
    pub value: DocValue,
    /// Where it was written.
    pub span: Span,
}

/// The value of a [`Doc`].
#[derive(Clone, Debug)]
pub enum DocValue {
    /// `null`, `~` or an empty YAML value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number (YAML's `.inf` and `.nan` included).
    Num(f64),
    /// A string (quoted, or a YAML plain scalar that is nothing else).
    Str(String),
    /// A list. Shared, so that a YAML alias costs a pointer, not a copy.
    Seq(Arc<Vec<Doc>>),
    /// A mapping with its keys in the order written (no duplicates: readers reject
    /// them). Shared like lists.
    Map(Arc<Vec<(Spanned<String>, Doc)>>),
}

impl Doc {
    /// The value as text for messages: a scalar as written, anything else by
    /// its type (`a mapping`).
    pub fn text(&self) -> String {
        match &self.value {
            DocValue::Str(s) => s.clone(),
            DocValue::Num(n) => n.to_string(),
            DocValue::Bool(b) => b.to_string(),
            _ => self.type_name().to_string(),
        }
    }

    /// Words for the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            DocValue::Null => "null",
            DocValue::Bool(_) => "a boolean",
            DocValue::Num(_) => "a number",
            DocValue::Str(_) => "a string",
            DocValue::Seq(_) => "a list",
            DocValue::Map(_) => "a mapping",
        }
    }

    /// The entries, when this is a mapping.
    pub fn as_map(&self) -> Option<&[(Spanned<String>, Doc)]> {
        match &self.value {
            DocValue::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The number, when this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self.value {
            DocValue::Num(n) => Some(n),
            _ => None,
        }
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            DocValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value of `key`, when this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Doc> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.value == key)
            .map(|(_, v)| v)
    }

    /// Converts to a `serde_json` value (for JSON Schema checks). Non-finite numbers
    /// become strings so that the schema reports them rather than losing them.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            DocValue::Null => Value::Null,
            DocValue::Bool(b) => Value::Bool(*b),
            DocValue::Num(n) => serde_json::Number::from_f64(*n)
                .map_or_else(|| Value::String(n.to_string()), Value::Number),
            DocValue::Str(s) => Value::String(s.clone()),
            DocValue::Seq(items) => Value::Array(items.iter().map(Doc::to_json).collect()),
            DocValue::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// The value at a JSON pointer such as `/nodes/main/timeout`, or the deepest
    /// value on the way there.
    pub fn at_pointer(&self, pointer: &str) -> &Doc {
        let mut cur = self;
        for raw in pointer.split('/').skip(1) {
            let part = raw.replace("~1", "/").replace("~0", "~");
            let next = match &cur.value {
                DocValue::Map(m) => m.iter().find(|(k, _)| k.value == part).map(|(_, v)| v),
                DocValue::Seq(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => cur = n,
                None => break,
            }
        }
        cur
    }

    /// The key's span of the entry at a JSON pointer, when the pointer ends in a
    /// mapping key (so "unknown key" errors underline the key, not its value).
    pub fn key_span_at_pointer(&self, pointer: &str) -> Option<Span> {
        let (parent, last) = pointer.rsplit_once('/')?;
        let last = last.replace("~1", "/").replace("~0", "~");
        self.at_pointer(parent)
            .as_map()?
            .iter()
            .find(|(k, _)| k.value == last)
            .map(|(k, _)| k.span)
    }
}

/// Checks readers of [`Doc`] trees share: each reports what does not fit, located,
/// and the reader goes on.
impl Doc {
    /// The string, or an `E0104` saying `what` takes one (a YAML document).
    pub fn string_or_report(
        &self,
        what: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Spanned<String>> {
        match &self.value {
            DocValue::Str(s) => Some(Spanned::new(s.clone(), self.span)),
            _ => {
                let error = ShapeError::wrong_type(self, what, Shape::Text, Format::Yaml);
                diags.push(error.at(self.span, Format::Yaml));
                None
            }
        }
    }

    /// The entries, or an `E0104` saying `what` takes a mapping (a YAML
    /// document).
    pub fn map_or_report(
        &self,
        what: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<&[(Spanned<String>, Doc)]> {
        let found = self.as_map();
        if found.is_none() {
            let error = ShapeError::wrong_type(self, what, Shape::Mapping, Format::Yaml);
            diags.push(error.at(self.span, Format::Yaml));
        }
        found
    }
}

/// An `E0103` for each key of `entries` not in `allowed`, with "did you mean"
/// or else the list of keys allowed `place` (a YAML document).
pub fn report_unknown_keys(
    entries: &[(Spanned<String>, Doc)],
    allowed: &[&str],
    place: &str,
    diags: &mut Vec<Diagnostic>,
) {
    for (k, _) in entries {
        if allowed.contains(&k.value.as_str()) {
            continue;
        }
        let help = did_you_mean(&k.value, allowed.iter().copied())
            .unwrap_or_else(|| format!("the keys here are {}", crate::syntax::list(allowed)));
        let error = ShapeError::UnknownKey {
            key: k.value.clone(),
            place: place.to_string(),
            dropped: false,
            help: Some(help),
        };
        diags.push(error.at(k.span, Format::Yaml));
    }
}
