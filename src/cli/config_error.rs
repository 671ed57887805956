//! What the project file (`aig-route.toml`) can get wrong, worded once:
//! [`super::config`] reads the TOML and says where; a [`ConfigError`] owns the
//! message, code, notes and help.

use crate::diagnostic::{Code, CodeNameError, Diagnostic, did_you_mean};
use crate::source::Span;

/// A project-file mistake.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file is not well-formed TOML.
    #[error("the project file is not valid TOML: {message}")]
    Syntax {
        /// The TOML reader's own words, escaped for a terminal.
        message: String,
    },
    /// A key the project file does not define at this place.
    #[error("unknown key `{prefix}{}`", crate::escape::terminal(name))]
    UnknownKey {
        /// The key as written.
        name: String,
        /// The table it is in, as a key prefix (`policy.`), or empty.
        prefix: &'static str,
        /// The keys defined there.
        known: &'static [&'static str],
    },
    /// A value of the wrong type.
    #[error("`{key}` must be {wanted}")]
    WrongType {
        /// The key.
        key: String,
        /// What it takes, in words ("a list of strings").
        wanted: &'static str,
    },
    /// A code in `allow` or `deny` that is not a warning's.
    #[error("{0}")]
    Code(CodeNameError),
    /// `max-timeout` that does not read as a positive duration.
    #[error("`max-timeout` is not a positive duration")]
    NotADuration,
    /// A `forbid` model not written `provider/model`.
    #[error("`{text}` is not `provider/model`")]
    NotProviderModel {
        /// The model as written.
        text: String,
    },
    /// A `[[policy.forbid]]` rule without `models`.
    #[error("a `forbid` rule without `models`")]
    ForbidWithoutModels,
    /// A `when` condition reading something other than request metadata.
    #[error("`when` reads `{field}`, not request metadata")]
    WhenNotMetadata {
        /// The field as written.
        field: String,
    },
}

impl ConfigError {
    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            ConfigError::Syntax { .. } => Code::ConfigSyntax,
            ConfigError::UnknownKey { .. } => Code::ConfigKey,
            _ => Code::ConfigValue,
        }
    }

    /// The message under the primary span, if any.
    pub fn label(&self) -> Option<&'static str> {
        match self {
            ConfigError::UnknownKey { .. } => Some("not a project-file key"),
            ConfigError::Code(e) => Some(e.label()),
            _ => None,
        }
    }

    /// The facts that explain it.
    pub fn notes(&self) -> Vec<String> {
        match self {
            ConfigError::UnknownKey { known, .. } => {
                vec![format!("keys here: {}", crate::syntax::list(known))]
            }
            ConfigError::Code(e) => e.note().into_iter().map(str::to_string).collect(),
            _ => Vec::new(),
        }
    }

    /// How to fix it.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            ConfigError::Syntax { .. } => {
                "fix the TOML syntax; strings need quotes, such as `max-timeout = \"60s\"`".into()
            }
            ConfigError::UnknownKey { name, known, .. } => {
                return did_you_mean(name, known.iter().copied());
            }
            ConfigError::WrongType { key, wanted } => format!("write `{key}` as {wanted}"),
            ConfigError::Code(e) => return e.help(),
            ConfigError::NotADuration => {
                "write a duration such as `max-timeout = \"60s\"` (`ms`, `s`, `m`, `h`)".into()
            }
            ConfigError::NotProviderModel { .. } => {
                "write the model as the route does, such as `openai/gpt-4.1`".into()
            }
            ConfigError::ForbidWithoutModels => {
                "add `models = [\"provider/model\"]`: the models the matching requests may not reach"
                    .into()
            }
            ConfigError::WhenNotMetadata { .. } => {
                "read fields as `metadata.<key>`, such as `metadata.plan`".into()
            }
        })
    }

    /// The located diagnostic.
    pub fn at(&self, span: Span) -> Diagnostic {
        let mut d = Diagnostic::error(self.code(), span, self.to_string());
        if let Some(label) = self.label() {
            d = d.label(label);
        }
        d.notes = self.notes();
        d.help = self.help();
        d
    }
}
