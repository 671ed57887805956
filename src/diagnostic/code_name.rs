//! A code named where only a warning's belongs: the project file's `allow`
//! and `deny`, an inline `# aig-route: allow`, and `--allow`/`--deny`. The
//! same mistake in each reads the same; only the diagnostic's own code (or a
//! usage error, on the command line) follows the place.

use super::{Code, did_you_mean};

/// A code that cannot be allowed or denied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeNameError {
    /// No diagnostic has this code.
    #[error("`{text}` is not a diagnostic code")]
    Unknown {
        /// The code as written.
        text: String,
    },
    /// An error's code: errors are fixed, never silenced.
    #[error("`{code}` is an error; only warnings can be allowed or denied")]
    NotAWarning {
        /// The code.
        code: Code,
    },
}

impl CodeNameError {
    /// The warning `text` names (case-insensitive, as [`Code::parse`] reads it).
    pub fn warning(text: &str) -> Result<Code, CodeNameError> {
        match Code::parse(text) {
            Some(code) if code.is_warning() => Ok(code),
            Some(code) => Err(CodeNameError::NotAWarning { code }),
            None => Err(CodeNameError::Unknown {
                text: text.to_string(),
            }),
        }
    }

    /// The message under the code as written.
    pub fn label(&self) -> &'static str {
        match self {
            CodeNameError::Unknown { .. } => "unknown code",
            CodeNameError::NotAWarning { .. } => "errors cannot be silenced",
        }
    }

    /// Where the codes are listed, for a code that is none.
    pub fn note(&self) -> Option<&'static str> {
        match self {
            CodeNameError::Unknown { .. } => Some("`aig-route explain` lists the codes"),
            CodeNameError::NotAWarning { .. } => None,
        }
    }

    /// The code surely meant, or how to deal with an error instead.
    pub fn help(&self) -> Option<String> {
        match self {
            CodeNameError::Unknown { text } => {
                let all = Code::ALL.iter().map(|c| c.as_str());
                did_you_mean(&text.trim().to_ascii_uppercase(), all)
            }
            CodeNameError::NotAWarning { code } => Some(format!(
                "fix the error in the route, and remove `{code}` here"
            )),
        }
    }
}
