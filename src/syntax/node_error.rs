//! What the route readers find wrong with a route's outline, its nodes
//! and how each says what it is, worded once. YAML and gateway JSON write the
//! outline differently (`nodes:` or `elements`, a kind key or `"type"`), but a
//! route without nodes or a node that does not say what it is is the same
//! mistake in both, and reads the same: only the format's names (a node or
//! an element, a mapping or an object) and the fix's example follow the file.

use std::fmt;

use super::ast::Format;
use super::list;
use super::vocab::{WIRE_TYPES, YAML_KIND_KEYS};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

/// A route's outline or node form the readers refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeError {
    /// The file's top value is not a route.
    NotARoute {
        /// The file's format.
        format: Format,
        /// What it is, in the format's words.
        found: &'static str,
    },
    /// The route has no list of nodes.
    NoNodes {
        /// The file's format.
        format: Format,
    },
    /// The route does not say where it starts (YAML's `start:`).
    NoStart {
        /// The first node's id, for the example.
        first: Option<String>,
    },
    /// A node that is neither a mapping nor `end` (YAML).
    NotANode {
        /// The node's id.
        id: String,
        /// What it is.
        found: &'static str,
    },
    /// An element without an `id` (gateway JSON).
    NoId,
    /// A node that does not say what kind it is.
    NoKind {
        /// The file's format.
        format: Format,
        /// The node's id.
        id: String,
    },
    /// A `type` that is no element type (gateway JSON).
    UnknownType {
        /// The type as written.
        ty: String,
        /// The type surely meant.
        meant: Option<String>,
    },
    /// A key that is surely a kind misspelt (YAML's `iff:`).
    MisspeltKind {
        /// The key as written.
        key: String,
        /// The node's id.
        id: String,
        /// The kind key meant.
        meant: &'static str,
    },
    /// A node given two kinds (YAML: `if:` and `model:` in one mapping).
    TwoKinds {
        /// The node's id.
        id: String,
        /// The first kind key.
        first: String,
        /// The second.
        second: String,
    },
    /// An element without `outputs` (gateway JSON, where even an end has them).
    NoOutputs {
        /// The element's id.
        id: String,
        /// Whether it is an end (whose outputs are `{}`).
        end: bool,
    },
    /// An output whose target is not `{"elementId": …}` (gateway JSON).
    BadTarget {
        /// The output's name.
        output: String,
    },
    /// A `limitType` other than `count` and `cost` (gateway JSON).
    BadLimitType {
        /// The type surely meant.
        meant: Option<String>,
    },
    /// An item of a YAML `split` list that is not one `share: target` entry.
    SplitItem {
        /// What it is instead: "2 entries", "a string".
        found: String,
    },
}

/// The kinds as a YAML node names them, for notes.
const YAML_KINDS: &str =
    "a node has one of `if`, `split`, `rate_limit`, `budget`, `model`, or is `end`";

impl NodeError {
    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            NodeError::NotARoute { .. } | NodeError::NotANode { .. } => Code::WrongType,
            NodeError::BadTarget { .. } | NodeError::SplitItem { .. } => Code::WrongType,
            NodeError::NoNodes { .. } | NodeError::NoId | NodeError::NoKind { .. } => {
                Code::MissingKey
            }
            NodeError::NoOutputs { .. } => Code::MissingKey,
            NodeError::NoStart { .. } => Code::StartCount,
            NodeError::UnknownType { .. } | NodeError::BadLimitType { .. } => Code::BadValue,
            NodeError::MisspeltKind { .. } | NodeError::TwoKinds { .. } => Code::UnknownKey,
        }
    }

    /// The facts that explain it.
    pub fn notes(&self) -> Vec<String> {
        let note = match self {
            // JSON's help lists the types already.
            NodeError::NoKind {
                format: Format::Json,
                ..
            } => return Vec::new(),
            NodeError::UnknownType { .. } => format!("types are {}", list(&WIRE_TYPES)),
            NodeError::NoKind { .. } | NodeError::MisspeltKind { .. } => YAML_KINDS.to_string(),
            NodeError::NoOutputs { .. } => {
                "the gateway requires `outputs` on every element, `{}` on an end".to_string()
            }
            _ => return Vec::new(),
        };
        vec![note]
    }

    /// How to fix it, written as the file's format writes the fix.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            NodeError::NotARoute {
                format: Format::Json,
                ..
            } => r#"write `{"name": ..., "elements": [...]}`"#.into(),
            NodeError::NotARoute { .. } => {
                "start the file with `name:`, `start:` and `nodes:`".into()
            }
            NodeError::NoNodes {
                format: Format::Json,
            } => r#"add `"elements": [...]` with the route's nodes"#.into(),
            NodeError::NoNodes { .. } => "add `nodes:` with one entry per node".into(),
            NodeError::NoStart { first: Some(first) } => format!(
                "add `start: {}` (or another node id) at the top of the file",
                crate::emit::scalar(first)
            ),
            NodeError::NoStart { first: None } => {
                "add `start: <first node id>` at the top of the file".into()
            }
            NodeError::NotANode { id, .. } => format!(
                "write `{}: end`, or a mapping with one of {}",
                crate::emit::scalar(id),
                list(&YAML_KIND_KEYS)
            ),
            NodeError::NoId => r#"add `"id": "<name>"`"#.into(),
            NodeError::NoKind {
                format: Format::Json,
                ..
            } => format!(r#"add `"type"`: one of {}"#, list(&WIRE_TYPES)),
            NodeError::NoKind { id, .. } => format!(
                "give it one of {}, or write `{}: end`",
                list(&YAML_KIND_KEYS),
                crate::emit::scalar(id)
            ),
            NodeError::UnknownType { meant, .. } => {
                return meant.as_ref().map(|m| format!("did you mean `{m}`?"));
            }
            NodeError::MisspeltKind { meant, .. } => format!("did you mean `{meant}`?"),
            NodeError::TwoKinds { .. } => "a node is one kind; split it into two nodes".into(),
            NodeError::NoOutputs { end: true, .. } => r#"add `"outputs": {}`"#.into(),
            NodeError::NoOutputs { .. } => r#"add `"outputs": {...}`"#.into(),
            NodeError::BadTarget { .. } => "name the next element's id under `elementId`".into(),
            NodeError::BadLimitType { meant } => {
                return meant.as_ref().map(|m| format!("did you mean `{m}`?"));
            }
            NodeError::SplitItem { .. } => "write one share per item, such as `- 50%: main`".into(),
        })
    }

    /// The located diagnostic.
    pub fn at(&self, span: Span) -> Diagnostic {
        let mut d = Diagnostic::error(self.code(), span, self.to_string());
        d.notes = self.notes();
        d.help = self.help();
        d
    }
}

/// What a format calls a node.
fn node_noun(format: Format) -> &'static str {
    match format {
        Format::Json => "element",
        _ => "node",
    }
}

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeError::NotARoute { format, found } => {
                let route = match format {
                    Format::Json => "an object (or an array of elements)",
                    _ => "a mapping",
                };
                write!(f, "a route file is {route}, not {found}")
            }
            NodeError::NoNodes { format } => {
                let key = match format {
                    Format::Json => "elements",
                    _ => "nodes",
                };
                write!(f, "the route has no `{key}`")
            }
            NodeError::NoStart { .. } => f.write_str("the route has no `start`"),
            NodeError::NotANode { id, found } => {
                write!(f, "node `{id}` is {found}, not a mapping or `end`")
            }
            NodeError::NoId => f.write_str("element has no `id`"),
            NodeError::NoKind { format, id } => {
                write!(f, "{} `{id}` does not say what it is", node_noun(*format))
            }
            NodeError::UnknownType { ty, .. } => write!(f, "`{ty}` is not an element type"),
            NodeError::MisspeltKind { key, id, .. } => {
                write!(f, "unknown key `{key}` in node `{id}`")
            }
            NodeError::TwoKinds { id, first, second } => {
                write!(f, "node `{id}` has both `{first}` and `{second}`")
            }
            NodeError::NoOutputs { id, .. } => write!(f, "element `{id}` has no `outputs`"),
            NodeError::BadTarget { output } => {
                write!(f, "output `{output}` must be `{{\"elementId\": \"<id>\"}}`")
            }
            NodeError::BadLimitType { .. } => {
                f.write_str("`limitType` is `count` (a rate limit) or `cost` (a budget)")
            }
            NodeError::SplitItem { found } => write!(
                f,
                "each item of a `split` list is one `share: target`, not {found}"
            ),
        }
    }
}

impl std::error::Error for NodeError {}
