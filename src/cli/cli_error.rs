//! The command line's own diagnostics, worded once: a file that cannot be
//! read as text, and a rule the gateway enforced that `validate` could not
//! know, located in the user's file. (A file larger than `--max-file-size` is
//! the readers' [`crate::syntax::doc_error::DocError::FileTooLarge`].)

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

/// A problem the command line finds around a route rather than in it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The file cannot be opened or read.
    #[error("cannot read `{path}`: {reason}")]
    Unreadable {
        /// The path as given (`<stdin>` for standard input).
        path: String,
        /// Why, in words ("no such file").
        reason: String,
    },
    /// The file's bytes stop being UTF-8 (located where they stop).
    #[error("the file is not valid UTF-8 from here on")]
    NotUtf8,
    /// The gateway refused a field of a pushed route.
    #[error("the gateway rejected this: {message} (error {code})")]
    Rejected {
        /// The service's message (scrubbed, capped, escaped).
        message: String,
        /// The service's code.
        code: i64,
        /// Where the service pointed, as the JSON array it sent.
        pointer: String,
    },
}

impl CliError {
    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            CliError::Unreadable { .. } | CliError::NotUtf8 => Code::UnreadableFile,
            CliError::Rejected { .. } => Code::ApiError,
        }
    }

    /// The facts that explain it.
    pub fn notes(&self) -> Vec<String> {
        match self {
            CliError::Rejected { pointer, .. } => {
                vec![format!("the service pointed at {pointer}")]
            }
            _ => Vec::new(),
        }
    }

    /// How to fix it.
    pub fn help(&self) -> &'static str {
        match self {
            CliError::Unreadable { .. } => "check the path and the file's permissions",
            CliError::NotUtf8 => "save the file as UTF-8",
            CliError::Rejected { .. } => {
                "fix the field and push again; `aig-route validate` cannot know every rule the service applies"
            }
        }
    }

    /// The located diagnostic.
    pub fn at(&self, span: Span) -> Diagnostic {
        let mut d = Diagnostic::error(self.code(), span, self.to_string()).help(self.help());
        d.notes = self.notes();
        d
    }
}
