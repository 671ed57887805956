//! What reading a YAML or JSON document can find wrong before any route is
//! read from it, worded once for both formats.

use std::fmt;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

/// A document a reader refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DocError {
    /// A key written twice in one mapping (YAML) or object (JSON).
    DuplicateKey {
        /// The key.
        key: String,
        /// Gateway JSON, where the container is an object.
        json: bool,
    },
    /// Values nested deeper than the bound.
    TooDeep {
        /// The bound ([`super::Limits::doc_depth`]).
        limit: usize,
    },
    /// More values than [`super::Limits::max_values`]; `aliases` when YAML
    /// aliases were expanded on the way.
    TooManyValues {
        /// The bound.
        limit: usize,
        /// The document is YAML, whose aliases repeat what they name.
        aliases: bool,
    },
    /// A file larger than [`super::Limits::max_file_bytes`], whether the
    /// text was handed over whole or read from a file or stream (which
    /// stops one byte past the bound).
    FileTooLarge {
        /// Its size in bytes, when known.
        size: Option<usize>,
        /// The bound.
        limit: usize,
    },
    /// A file that, formatted, would be larger than
    /// [`super::Limits::max_file_bytes`]: written, it could not be read back.
    FormattedTooLarge {
        /// The formatted size in bytes.
        size: usize,
        /// The bound.
        limit: usize,
    },
    /// A number too large for a double, which would read as infinity.
    NumberTooLarge {
        /// The number as written.
        text: String,
    },
    /// More scalar text than [`super::Limits::max_file_bytes`], which only
    /// YAML aliases can bring about.
    TooMuchText {
        /// The bound.
        limit: usize,
    },
}

impl fmt::Display for DocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocError::DuplicateKey { key, json } => {
                let place = if *json { "object" } else { "mapping" };
                write!(f, "key `{key}` appears twice in one {place}")
            }
            DocError::TooDeep { limit } => write!(f, "values are nested more than {limit} deep"),
            DocError::TooManyValues { limit, .. } => {
                write!(f, "the document holds more than {limit} values")
            }
            DocError::FileTooLarge {
                size: Some(size),
                limit,
            } => {
                write!(
                    f,
                    "the file is {size} bytes, more than the limit of {limit}"
                )
            }
            DocError::FileTooLarge { size: None, limit } => {
                write!(f, "the file is larger than the limit of {limit} bytes")
            }
            DocError::FormattedTooLarge { size, limit } => write!(
                f,
                "formatted, the file would be {size} bytes, more than the limit of {limit}"
            ),
            DocError::NumberTooLarge { text } => too_large(f, text),
            DocError::TooMuchText { limit } => {
                write!(f, "the document expands to more than {limit} bytes of text")
            }
        }
    }
}

impl std::error::Error for DocError {}

/// The message for a number past a double's range, in a document or a
/// condition alike.
pub(crate) fn too_large(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    write!(f, "`{text}` is too large for a number")
}

/// A number as a message quotes it: escaped for a terminal, and cut after 40
/// characters (a literal can hold thousands of digits).
pub(crate) fn quote_number(text: &str) -> String {
    let shown = crate::escape::terminal(text);
    match shown.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &shown[..at]),
        None => shown.into_owned(),
    }
}

impl DocError {
    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            DocError::DuplicateKey { .. } => Code::DuplicateKey,
            DocError::NumberTooLarge { .. } => Code::Syntax,
            _ => Code::LimitExceeded,
        }
    }

    /// The located diagnostic, with its note and help.
    pub fn at(&self, span: Span) -> Diagnostic {
        let d = Diagnostic::error(self.code(), span, self.to_string());
        match self {
            DocError::DuplicateKey { key, json } => d.label("second definition").help(
                super::values::repeated_share_help(key, *json).unwrap_or_else(|| {
                    "remove one of them; most readers silently keep only one of the two".into()
                }),
            ),
            DocError::FileTooLarge { .. } | DocError::FormattedTooLarge { .. } => {
                d.help("raise the limit with `--max-file-size` if this route is real")
            }
            DocError::NumberTooLarge { .. } => d
                .label("beyond ±1.8e308")
                .help("write a finite number, such as `1e300`"),
            DocError::TooDeep { .. } => {
                d.help("routes never need this much nesting; flatten the structure")
            }
            DocError::TooManyValues { aliases: true, .. } => d
                .note("aliases (`*name`) copy what their anchor holds; nested aliases multiply")
                .help("use fewer aliases, or write the values out"),
            DocError::TooManyValues { aliases: false, .. } => {
                d.help("a route holds far fewer values; check that this is the file meant")
            }
            DocError::TooMuchText { .. } => d
                .note("aliases (`*name`) repeat what their anchor holds")
                .help("use fewer aliases, or write the values out"),
        }
    }
}
