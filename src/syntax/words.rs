//! The closed sets of words a route uses (metadata types, window modes, the
//! outputs of each kind of node), read by every format through one parser, so
//! that the same mistake reads the same whether it was made in YAML, JSON or
//! the DSL.

use crate::diagnostic::{Code, Diagnostic, did_you_mean, suggest};
use crate::source::{Span, Spanned};
use crate::syntax::Format;
use crate::syntax::ast::{FieldType, WindowMode};
use crate::syntax::doc::Doc;
use crate::syntax::vocab::{Kind, Slot};

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

/// An output name that a node of its kind does not have, in the format it
/// was written in. It owns its wording, and knows the output surely meant
/// when there is one, so that every reader can go on as if it had been
/// written right (no "missing output" follows from the same typo).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{written}` is not an output of {}", kind.yaml_place().trim_start_matches("in "))]
pub struct OutputError {
    /// The node's kind.
    pub kind: Kind,
    /// The name as written.
    pub written: String,
    /// The format it was written in.
    pub format: Format,
    /// The output surely meant: another format's name of one of the kind's
    /// outputs, or a near miss of one, not given already.
    pub meant: Option<Slot>,
}

impl OutputError {
    /// The output `written` names on a node of `kind` in `format`, or the
    /// error. `given` holds the outputs the node names rightly, which a
    /// misspelt name cannot mean. (A split's outputs are its shares, which
    /// this does not read.)
    pub fn check(kind: Kind, written: &str, format: Format, given: &[Slot]) -> Result<Slot, Self> {
        if let Some(slot) = kind.output_named(written, format) {
            return Ok(slot);
        }
        let outputs = kind.outputs();
        let free = |s: &&Slot| !given.contains(s);
        let other_format = outputs
            .iter()
            .filter(free)
            .find(|s| s.wire() == Some(written) || s.yaml() == Some(written));
        let near = || {
            let names = outputs
                .iter()
                .filter(free)
                .filter_map(|s| s.name_in(format));
            let m = suggest(written, names)?;
            outputs
                .iter()
                .copied()
                .find(|s| s.name_in(format) == Some(m))
        };
        Err(OutputError {
            kind,
            written: written.to_string(),
            format,
            meant: other_format.copied().or_else(near),
        })
    }

    /// The kind's outputs as `format` names them.
    fn names(&self) -> Vec<&'static str> {
        self.kind
            .outputs()
            .iter()
            .filter_map(|s| s.name_in(self.format))
            .collect()
    }

    /// What the kind's outputs are.
    pub fn note(&self) -> String {
        let names: Vec<String> = self.names().iter().map(|n| format!("`{n}`")).collect();
        match names.split_last() {
            None => format!(
                "{} has no outputs",
                self.kind.yaml_place().trim_start_matches("in ")
            ),
            Some((last, [])) => format!("its one output is {last}"),
            Some((last, rest)) => format!("its outputs are {} and {last}", rest.join(", ")),
        }
    }

    /// How to fix it.
    pub fn help(&self) -> Option<String> {
        let right = self.meant.and_then(|s| s.name_in(self.format));
        match right {
            Some(right) if self.other_format() => Some(match self.format {
                Format::Json => format!("the gateway names this output `{right}`"),
                Format::Yaml | Format::Dsl => format!("this output is written `{right}` here"),
            }),
            Some(right) => Some(format!("did you mean `{right}`?")),
            None if self.names().is_empty() && self.format == Format::Json => {
                Some("write `\"outputs\": {}`".to_string())
            }
            None => None,
        }
    }

    /// Whether the name is another format's name of one of the kind's outputs.
    fn other_format(&self) -> bool {
        self.kind
            .outputs()
            .iter()
            .any(|s| s.wire() == Some(&self.written) || s.yaml() == Some(&self.written))
    }

    /// The error at `span`.
    pub fn at(&self, span: Span) -> Diagnostic {
        Diagnostic::error(Code::UnknownOutput, span, self.to_string())
            .note(self.note())
            .maybe_help(self.help())
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

    /// Every diagnostic a route text draws, as (code, message, notes, help).
    fn all_diagnostics(
        name: &str,
        text: &str,
        format: Format,
    ) -> Vec<(String, String, Vec<String>, Option<String>)> {
        let mut sources = SourceMap::new();
        let (_, checked) = crate::check::check_text(&mut sources, name, text, format);
        let out: Vec<_> = checked
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.code.as_str().to_string(),
                    d.message.clone(),
                    d.notes.clone(),
                    d.help.clone(),
                )
            })
            .collect();
        out
    }

    #[test]
    fn the_same_output_mistake_reads_the_same_in_every_format_and_nothing_follows_from_it() {
        let yaml = all_diagnostics(
            "r.yaml",
            "name: r\nstart: m\nnodes:\n  m:\n    model: openai/gpt-4.1\n    timeout: 60s\n    retries: 1\n    sucess: d\n    fallback: d\n  d: end\n",
            Format::Yaml,
        );
        let json = all_diagnostics(
            "r.json",
            r#"{"name": "r", "elements": [
              {"id": "s", "type": "start", "outputs": {"next": {"elementId": "m"}}},
              {"id": "m", "type": "model", "properties": {"provider": "openai", "model": "gpt-4.1", "timeout": 60000, "retries": 1},
               "outputs": {"sucess": {"elementId": "d"}, "fallback": {"elementId": "d"}}},
              {"id": "d", "type": "end", "outputs": {}}]}"#,
            Format::Json,
        );
        let dsl = all_diagnostics(
            "r.route",
            "route r {\n  start -> m: model openai/gpt-4.1 timeout 60s retries 1 {\n    sucess -> d\n    fallback -> d\n  }\n  d: end\n}\n",
            Format::Dsl,
        );
        let want = vec![(
            "E0208".to_string(),
            "`sucess` is not an output of a model node".to_string(),
            vec!["its outputs are `success` and `fallback`".to_string()],
            Some("did you mean `success`?".to_string()),
        )];
        assert_eq!(yaml, want);
        assert_eq!(json, want);
        assert_eq!(dsl, want);
    }

    #[test]
    fn a_missing_output_is_named_as_the_route_s_format_writes_it() {
        let missing = |name: &str, text: &str, format: Format| {
            all_diagnostics(name, text, format)
                .into_iter()
                .filter(|d| d.0 == "E0207")
                .map(|d| (d.1, d.3))
                .collect::<Vec<_>>()
        };
        let yaml = missing(
            "r.yaml",
            "name: r\nstart: c\nnodes:\n  c:\n    if: metadata.plan == \"paid\"\n    then: d\n  d: end\n",
            Format::Yaml,
        );
        let json = missing(
            "r.json",
            r#"{"name": "r", "elements": [
              {"id": "s", "type": "start", "outputs": {"next": {"elementId": "c"}}},
              {"id": "c", "type": "conditional", "properties": {"conditions": {"metadata.plan": {"$eq": "paid"}}},
               "outputs": {"true": {"elementId": "d"}}},
              {"id": "d", "type": "end", "outputs": {}}]}"#,
            Format::Json,
        );
        let dsl = missing(
            "r.route",
            "route r {\n  start -> c: if metadata.plan == \"paid\" {\n    then -> d\n  }\n  d: end\n}\n",
            Format::Dsl,
        );
        let said = |word: &str| {
            vec![(
                format!("conditional `c` has no `{word}` output"),
                Some(format!("add `{word}` naming the node to go to")),
            )]
        };
        assert_eq!(yaml, said("else"));
        assert_eq!(json, said("false"));
        assert_eq!(dsl, said("else"));
    }

    #[test]
    fn another_formats_output_name_is_told_how_this_one_writes_it() {
        let e = OutputError::check(Kind::Conditional, "true", Format::Yaml, &[]).unwrap_err();
        assert_eq!(e.meant, Some(Slot::True));
        assert_eq!(
            e.help().as_deref(),
            Some("this output is written `then` here")
        );
        let e = OutputError::check(Kind::Conditional, "else", Format::Json, &[]).unwrap_err();
        assert_eq!(
            e.help().as_deref(),
            Some("the gateway names this output `false`")
        );
        assert_eq!(e.note(), "its outputs are `true` and `false`");
        // A near miss of an output already given means nothing.
        let e =
            OutputError::check(Kind::Model, "sucess", Format::Dsl, &[Slot::Success]).unwrap_err();
        assert_eq!((e.meant, e.help()), (None, None));
        let e = OutputError::check(Kind::End, "next", Format::Json, &[]).unwrap_err();
        assert_eq!(e.to_string(), "`next` is not an output of an end node");
        assert_eq!(e.note(), "an end node has no outputs");
        assert_eq!(
            OutputError::check(Kind::Start, "next", Format::Dsl, &[]),
            Ok(Slot::Next)
        );
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
