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
        let positives = match &e.variant {
            pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
            pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
        };
        ErrorSite {
            at,
            rest,
            token,
            positives,
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
