//! What a test file can get wrong on its own ([`super::file`]) and against its
//! route ([`super::bind()`], and the route itself failing to read), worded once:
//! the readers only say where it happened. A value of the wrong type, a missing
//! mapping and an unknown key are [`crate::syntax::shape_error::ShapeError`]s,
//! as in a route.

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::source::Span;

/// A test file's own mistake.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TestFileError {
    /// The file's top value is not a mapping.
    #[error("a test file is a mapping, not {found}")]
    NotAMapping {
        /// What it is, in words ("a list").
        found: &'static str,
    },
    /// The file does not name the route it tests.
    #[error("the test file has no `route`")]
    NoRoute,
    /// The file has no `cases`.
    #[error("the test file has no `cases`")]
    NoCases,
    /// Two cases share a name.
    #[error("two cases are named `{name}`")]
    DuplicateName {
        /// The name.
        name: String,
        /// Where the first case with it names itself.
        first: Span,
    },
    /// A case's name is empty or blank.
    #[error("a case's name is empty")]
    EmptyName,
    /// A case without `name`.
    #[error("a case has no `name`")]
    NoName,
    /// A case replays more requests than [`super::file::MAX_REPLAYED`].
    #[error("the case replays {replayed} requests, more than {limit}")]
    TooManyReplayed {
        /// Its `before` entries times their `repeat`.
        replayed: u64,
        /// The bound.
        limit: u64,
    },
    /// A case without `expect`.
    #[error("case `{case}` has no `expect`")]
    NoExpect {
        /// The case's name.
        case: String,
    },
    /// An empty `expect`.
    #[error("`expect` checks nothing")]
    ExpectsNothing,
    /// A value out of its range or of the wrong kind (`repeat: 0`).
    #[error("`{key}` takes {wanted}, not {found}")]
    BadValue {
        /// The key.
        key: &'static str,
        /// What it takes, in words ("a whole number of at least 1").
        wanted: &'static str,
        /// What it holds: a number or string as written, in backticks, else
        /// its type in words.
        found: String,
    },
    /// A metadata value the gateway could not carry (a list, a mapping, null).
    #[error(
        "metadata `{key}` is {found}; the gateway carries only strings, finite numbers and booleans"
    )]
    BadMetadata {
        /// The metadata key.
        key: String,
        /// What the value is, in words.
        found: &'static str,
    },
    /// More metadata entries than the gateway forwards.
    #[error("{count} metadata entries; the gateway forwards at most {limit}")]
    TooMuchMetadata {
        /// How many are written.
        count: usize,
        /// How many the gateway forwards.
        limit: usize,
    },
    /// A metadata key the route never reads (a warning: the case still runs).
    #[error("the route never reads metadata `{key}`")]
    UnreadKey {
        /// The key.
        key: String,
        /// A key the route reads that was surely meant (`did you mean ...?`).
        near: Option<String>,
    },
    /// A node id the route does not have.
    #[error("route `{route}` has no node `{id}`")]
    UnknownNode {
        /// The route's name.
        route: String,
        /// The id as written.
        id: String,
        /// An id of the route that was surely meant (`did you mean ...?`).
        near: Option<String>,
    },
    /// A node that must be a model node is not one (`expect.model`, `fail`).
    #[error("{place} names `{id}`, which is not a model node")]
    NotAModel {
        /// Where, with the key in backticks: "`expect.model`".
        place: &'static str,
        /// The id as written.
        id: String,
        /// The route's model nodes, for the help.
        models: Vec<String>,
    },
    /// The route the file names cannot be read, or has errors.
    #[error("route `{path}` cannot be tested: it cannot be read or has errors")]
    RouteHasErrors {
        /// The route's path, as the command resolved it.
        path: String,
    },
}

impl TestFileError {
    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            TestFileError::NotAMapping { .. } => Code::WrongType,
            TestFileError::NoRoute | TestFileError::NoCases => Code::MissingKey,
            TestFileError::NoExpect { .. } | TestFileError::ExpectsNothing => Code::MissingKey,
            TestFileError::DuplicateName { .. }
            | TestFileError::EmptyName
            | TestFileError::NoName => Code::TestCaseName,
            TestFileError::TooManyReplayed { .. } => Code::LimitExceeded,
            TestFileError::BadValue { .. } => Code::BadValue,
            TestFileError::BadMetadata { .. } | TestFileError::TooMuchMetadata { .. } => {
                Code::TestMetadata
            }
            TestFileError::UnreadKey { .. } => Code::TestUnreadKey,
            TestFileError::UnknownNode { .. } => Code::TestUnknownNode,
            TestFileError::NotAModel { .. } => Code::TestNotModel,
            TestFileError::RouteHasErrors { .. } => Code::TestRoute,
        }
    }

    /// Error or warning: only a key the route never reads lets the case run.
    pub fn severity(&self) -> Severity {
        match self {
            TestFileError::UnreadKey { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The facts that explain it.
    pub fn notes(&self) -> Vec<String> {
        match self {
            TestFileError::UnreadKey { .. } => {
                vec!["the value cannot change where the request goes".into()]
            }
            _ => Vec::new(),
        }
    }

    /// How to fix it.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            TestFileError::NotAMapping { .. } => "start the file with `route:` and `cases:`".into(),
            TestFileError::NoRoute => "add `route: <route file, relative to this file>`".into(),
            TestFileError::NoCases => "add `cases:` with a list of `- name: ...` entries".into(),
            TestFileError::DuplicateName { .. } => {
                "give each case its own name, so a failure says which one".into()
            }
            TestFileError::EmptyName => {
                "say what the case checks, such as `paid users get the large model`".into()
            }
            TestFileError::NoName => "add `name: <what the case checks>`".into(),
            TestFileError::TooManyReplayed { .. } => {
                "a limit is exhausted by `limit` requests: lower `repeat`".into()
            }
            TestFileError::NoExpect { .. } => {
                "add `expect:` with `model:`, `path:`, `via:` or `not_via:`".into()
            }
            TestFileError::ExpectsNothing => "add `model:`, `path:`, `via:` or `not_via:`".into(),
            TestFileError::BadValue { wanted, .. } => format!("write {wanted}"),
            TestFileError::BadMetadata { .. } => {
                "write a string, a number or `true`/`false`".into()
            }
            TestFileError::TooMuchMetadata { .. } => {
                "drop the entries the route does not read".into()
            }
            TestFileError::UnreadKey { near, .. } => return near.clone(),
            TestFileError::UnknownNode { near, .. } => near
                .clone()
                .unwrap_or_else(|| "use the id of a node of the route".into()),
            TestFileError::NotAModel { models, .. } => {
                format!("name a model node: {}", crate::syntax::list(models))
            }
            TestFileError::RouteHasErrors { path } => {
                format!("run `aig-route validate {path}` and fix what it reports")
            }
        })
    }

    /// The located diagnostic.
    pub fn at(&self, span: Span) -> Diagnostic {
        let d = Diagnostic::new(self.severity(), self.code(), span, self.to_string());
        let mut d = match self {
            TestFileError::DuplicateName { first, .. } => {
                d.with_secondary(*first, "first named here")
            }
            _ => d,
        };
        d.notes = self.notes();
        d.help = self.help();
        d
    }
}
