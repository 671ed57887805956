//! A document that has the wrong shape for a route, a test file or a policy:
//! a value of the wrong type, a required key missing, a key nothing defines.
//! The YAML and JSON readers meet the same mistakes and report them through
//! this one type, so they read the same; only the names of containers (a
//! mapping in YAML, an object in JSON) and the help's example follow the
//! file's format.

use std::fmt;

use super::ast::Format;
use super::doc::{Doc, DocValue};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

/// A kind of value, named as a format names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A string.
    Text,
    /// A number.
    Number,
    /// A mapping (YAML) or object (JSON).
    Mapping,
    /// A list (YAML) or array (JSON).
    List,
}

impl Shape {
    /// The kind in words, as `format` names it: "a mapping", "an object".
    pub fn noun(self, format: Format) -> &'static str {
        match (self, format) {
            (Shape::Text, _) => "a string",
            (Shape::Number, _) => "a number",
            (Shape::Mapping, Format::Json) => "an object",
            (Shape::Mapping, _) => "a mapping",
            (Shape::List, Format::Json) => "an array",
            (Shape::List, _) => "a list",
        }
    }

    /// What `doc` is, in words, as `format` names it.
    pub fn found(doc: &Doc, format: Format) -> &'static str {
        match doc.value {
            DocValue::Null => "null",
            DocValue::Bool(_) => "a boolean",
            DocValue::Num(_) => Shape::Number.noun(format),
            DocValue::Str(_) => Shape::Text.noun(format),
            DocValue::Seq(_) => Shape::List.noun(format),
            DocValue::Map(_) => Shape::Mapping.noun(format),
        }
    }
}

/// What does not fit the document's expected shape.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShapeError {
    /// `what` holds a value of another kind than it takes.
    WrongType {
        /// The place, in words with the key in backticks: "`window`".
        what: String,
        /// The kind it takes, in the format's words.
        expected: &'static str,
        /// The kind it holds, in the format's words.
        found: &'static str,
        /// Whether a string was expected (the help then says how to write one).
        text: bool,
        /// A right value, as the format writes it, for the help.
        example: Option<String>,
    },
    /// A required key is missing.
    Missing {
        /// The key.
        key: String,
        /// The key with a value, as the format writes it: `window: 1h`.
        example: String,
        /// Where it goes, when the help should say: the object it belongs
        /// in (`properties` in gateway JSON), or in the DSL the words it
        /// follows (`the model name`).
        within: Option<&'static str>,
    },
    /// A key nothing defines at this place.
    UnknownKey {
        /// The key.
        key: String,
        /// Where, in words: "in a model node".
        place: String,
        /// Whether the gateway's API would silently drop it (gateway JSON).
        dropped: bool,
        /// The key surely meant, or the keys allowed here.
        help: Option<String>,
    },
}

impl ShapeError {
    /// `what` takes `expected` but `doc` is something else.
    pub fn wrong_type(doc: &Doc, what: impl Into<String>, expected: Shape, format: Format) -> Self {
        ShapeError::WrongType {
            what: what.into(),
            expected: expected.noun(format),
            found: Shape::found(doc, format),
            text: expected == Shape::Text,
            example: None,
        }
    }

    /// The same error with a right value to show in the help.
    pub fn with_example(mut self, right: impl Into<String>) -> Self {
        if let ShapeError::WrongType { example, .. } = &mut self {
            *example = Some(right.into());
        }
        self
    }

    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            ShapeError::WrongType { .. } => Code::WrongType,
            ShapeError::Missing { .. } => Code::MissingKey,
            ShapeError::UnknownKey { .. } => Code::UnknownKey,
        }
    }

    /// The facts that explain it.
    pub fn notes(&self) -> Vec<String> {
        match self {
            ShapeError::UnknownKey { dropped: true, .. } => {
                vec!["the live API silently drops unknown keys".into()]
            }
            _ => Vec::new(),
        }
    }

    /// How to fix it, as `format` writes the fix.
    pub fn help(&self, format: Format) -> Option<String> {
        match self {
            ShapeError::WrongType {
                example: Some(e), ..
            } => Some(format!("write `{e}`")),
            ShapeError::WrongType { text: true, .. } => Some(match format {
                Format::Json => "write it as a JSON string, in double quotes".into(),
                _ => "quote the value if it is meant as text".into(),
            }),
            ShapeError::WrongType { .. } => None,
            ShapeError::Missing {
                example,
                within: Some(w),
                ..
            } => Some(match format {
                Format::Dsl => format!("add `{example}` after {w}"),
                _ => format!("add `{example}` to `{w}`"),
            }),
            ShapeError::Missing { example, .. } => Some(format!("add `{example}`")),
            ShapeError::UnknownKey { help, .. } => help.clone(),
        }
    }

    /// The located diagnostic, for a document written in `format`.
    pub fn at(&self, span: Span, format: Format) -> Diagnostic {
        let mut d = Diagnostic::error(self.code(), span, self.to_string());
        d.notes = self.notes();
        d.help = self.help(format);
        d
    }
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShapeError::WrongType {
                what,
                expected,
                found,
                ..
            } => write!(f, "{what} takes {expected}, not {found}"),
            ShapeError::Missing { key, .. } => write!(f, "`{key}` is missing"),
            ShapeError::UnknownKey { key, place, .. } => write!(f, "unknown key `{key}` {place}"),
        }
    }
}

impl std::error::Error for ShapeError {}
