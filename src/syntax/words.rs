//! The closed sets of words a route uses as values (metadata types, window
//! modes), read by every format through one parser, so that the same mistake
//! reads the same whether it was made in YAML, JSON or the DSL.

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{FieldType, WindowMode};
use crate::syntax::doc::Doc;

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

/// A word read from a document value with `parse`, or its error reported.
pub(crate) fn read<T>(
    doc: &Doc,
    parse: impl Fn(&str) -> Result<T, WordError>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Spanned<T>> {
    match parse(&doc.text()) {
        Ok(word) => Some(Spanned::new(word, doc.span)),
        Err(e) => {
            diags.push(e.at(doc.span));
            None
        }
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
    use crate::source::{SourceId, SourceMap};
    use crate::syntax::{Format, Limits};

    /// The one diagnostic a route text draws for its metadata type `strng`.
    fn misdeclared(name: &str, text: &str, format: Format) -> (String, Option<String>) {
        let mut sources = SourceMap::new();
        let id = sources.add(name, text);
        let read = crate::syntax::parse(&sources, id, format, &Limits::default());
        let d = read
            .diagnostics
            .iter()
            .find(|d| d.message.contains("strng"))
            .unwrap_or_else(|| panic!("{format:?}: {:?}", read.diagnostics));
        (d.message.clone(), d.help.clone())
    }

    #[test]
    fn the_same_mistake_reads_the_same_in_every_format() {
        let yaml = misdeclared(
            "r.yaml",
            "name: r\nmetadata:\n  plan: strng\nstart: d\nnodes:\n  d: end\n",
            Format::Yaml,
        );
        let json = misdeclared(
            "r.json",
            r#"{"name": "r", "metadata": {"plan": "strng"}, "elements": [{"id": "d", "type": "end", "outputs": {}}]}"#,
            Format::Json,
        );
        let dsl = misdeclared(
            "r.route",
            "route r {\n  metadata { plan: strng }\n  start -> d: end\n}\n",
            Format::Dsl,
        );
        assert_eq!(yaml.0, "`strng` is not a metadata type");
        assert_eq!(yaml.1.as_deref(), Some("did you mean `string`?"));
        assert_eq!(yaml, json);
        assert_eq!(yaml, dsl);
    }

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
