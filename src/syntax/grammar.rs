//! The pest parser generated from `grammar/route.pest`.

#![allow(missing_docs)]

use pest_derive::Parser;

/// The parser for conditions and the DSL.
#[derive(Parser)]
#[grammar = "../grammar/route.pest"]
pub struct Grammar;

/// Where a pest error happened, the text from there, and the token found there
/// (a word, with the extra word characters given, or one character).
pub(crate) struct ErrorSite<'t> {
    pub at: usize,
    pub rest: &'t str,
    pub token: String,
    pub positives: Vec<Rule>,
    /// The parse stopped because nesting reached [`super::NESTING_CAP`].
    pub too_deep: bool,
}

impl<'t> ErrorSite<'t> {
    pub(crate) fn of(text: &'t str, e: &pest::error::Error<Rule>, word_extra: char) -> Self {
        let at = match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        }
        .min(text.len());
        let rest = &text[at..];
        let token = match rest.chars().next() {
            None => String::new(),
            Some(c) if c.is_alphanumeric() || c == '_' => rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == word_extra)
                .collect(),
            Some(c) => c.to_string(),
        };
        let (positives, too_deep) = match &e.variant {
            pest::error::ErrorVariant::ParsingError {
                positives,
                negatives,
            } => (positives.clone(), negatives.contains(&Rule::too_deep)),
            pest::error::ErrorVariant::CustomError { .. } => (Vec::new(), false),
        };
        ErrorSite {
            at,
            rest,
            token,
            positives,
            too_deep,
        }
    }

    /// `` `token` `` or `end` when the text ran out.
    pub(crate) fn found(&self, end: &str) -> String {
        if self.token.is_empty() {
            end.to_string()
        } else {
            format!("`{}`", self.token)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_grammar_caps_nesting_at_nesting_cap() {
        let grammar = include_str!("../../grammar/route.pest");
        let cap = super::super::NESTING_CAP;
        assert!(grammar.contains(&format!("PEEK[{cap}..{cap}]")));
    }
}
