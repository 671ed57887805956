//! The closed sets of words a route uses as values (metadata types, window
//! modes), read by every format through one parser, so that the same mistake
//! reads the same whether it was made in YAML, JSON or the DSL.

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::source::Span;
use crate::syntax::ast::{FieldType, WindowMode};

/// A word that is not one of its set's. It owns its wording.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WordError {
    /// A metadata declaration that is not `string`, `number` or `boolean`.
    #[error("`{0}` is not a metadata type")]
    FieldType(String),
    /// A window mode that is not `fixed` or `sliding`.
    #[error("`{0}` is not a window mode")]
    WindowMode(String),
}

impl WordError {
    /// The words allowed where this one was written.
    pub fn allowed(&self) -> &'static [&'static str] {
        match self {
            WordError::FieldType(_) => &["string", "number", "boolean"],
            WordError::WindowMode(_) => &["fixed", "sliding"],
        }
    }

    /// How to fix it.
    pub fn help(&self) -> String {
        let verb = match self {
            WordError::FieldType(_) => "declare",
            WordError::WindowMode(_) => "write",
        };
        let words: Vec<String> = self.allowed().iter().map(|w| format!("`{w}`")).collect();
        match words.split_last() {
            Some((last, [])) => format!("{verb} {last}"),
            Some((last, rest)) => format!("{verb} {} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }

    /// The error at `span`; a near miss gets "did you mean" as its help.
    pub fn at(&self, span: Span) -> Diagnostic {
        let written = match self {
            WordError::FieldType(w) | WordError::WindowMode(w) => w,
        };
        Diagnostic::error(Code::BadValue, span, self.to_string())
            .help(self.help())
            .maybe_help(did_you_mean(written, self.allowed().iter().copied()))
    }
}

impl FieldType {
    /// Reads `string`, `number` or `boolean`.
    pub fn parse(word: &str) -> Result<FieldType, WordError> {
        match word {
            "string" => Ok(FieldType::String),
            "number" => Ok(FieldType::Number),
            "boolean" => Ok(FieldType::Boolean),
            other => Err(WordError::FieldType(other.to_string())),
        }
    }
}

impl WindowMode {
    /// Reads `fixed` or `sliding`.
    pub fn parse(word: &str) -> Result<WindowMode, WordError> {
        match word {
            "fixed" => Ok(WindowMode::Fixed),
            "sliding" => Ok(WindowMode::Sliding),
            other => Err(WordError::WindowMode(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceId;

    #[test]
    fn every_word_reads_and_a_near_miss_is_suggested() {
        for t in [FieldType::String, FieldType::Number, FieldType::Boolean] {
            assert_eq!(FieldType::parse(t.as_str()), Ok(t));
        }
        assert_eq!(WindowMode::parse("sliding"), Ok(WindowMode::Sliding));
        let e = WindowMode::parse("slidng").unwrap_err();
        let d = e.at(Span::new(SourceId::default(), 0, 6));
        assert_eq!(d.message, "`slidng` is not a window mode");
        assert_eq!(d.help.as_deref(), Some("did you mean `sliding`?"));
        assert_eq!(
            FieldType::parse("int").unwrap_err().help(),
            "declare `string`, `number` or `boolean`"
        );
    }
}
