//! The reader's shared value checks: required keys, strings, mappings, amounts,
//! unknown keys with suggestions.

use super::Reader;
use crate::source::Spanned;
use crate::syntax::Format;
use crate::syntax::ast::Target;
use crate::syntax::doc::{Doc, DocValue};
use crate::syntax::shape_error::ShapeError;
use crate::syntax::value_error::{Expected, ValueError};
use crate::syntax::vocab::Slot;

impl Reader<'_> {
    pub(super) fn required<'d>(
        &mut self,
        body: &'d Doc,
        key: &str,
        example: &str,
    ) -> Option<&'d Doc> {
        let found = body.get(key);
        if found.is_none() {
            let error = ShapeError::Missing {
                key: key.to_string(),
                example: example.to_string(),
                within: None,
            };
            self.diags.push(error.at(body.span, Format::Yaml));
        }
        found
    }

    /// The node an output names. What the message calls it is only written
    /// out when the value is not a string: most routes have no such mistake.
    pub(super) fn target(&mut self, body: &Doc, slot: Slot) -> Target {
        let key = slot.yaml().unwrap_or_default();
        let d = body.get(key)?;
        match &d.value {
            DocValue::Str(s) => Some(Spanned::new(s.clone(), d.span)),
            _ => self.string(d, &format!("`{key}`")),
        }
    }

    pub(super) fn string(&mut self, doc: &Doc, what: &str) -> Option<Spanned<String>> {
        doc.string_or_report(what, self.diags)
    }

    pub(super) fn map<'d>(
        &mut self,
        doc: &'d Doc,
        what: &str,
    ) -> Option<&'d [(Spanned<String>, Doc)]> {
        doc.map_or_report(what, self.diags)
    }

    pub(super) fn amount(
        &mut self,
        doc: &Doc,
        parse: impl Fn(&str) -> Option<f64>,
        expected: Expected,
    ) -> Option<Spanned<f64>> {
        let value = match &doc.value {
            DocValue::Num(n) => Some(*n),
            DocValue::Str(s) => parse(s),
            _ => None,
        };
        if value.is_none() {
            let error = ValueError::Not {
                expected,
                written: doc.text(),
            };
            self.diags.push(error.at(doc.span, Format::Yaml));
        }
        value.map(|v| Spanned::new(v, doc.span))
    }

    pub(super) fn unknown_keys(
        &mut self,
        entries: &[(Spanned<String>, Doc)],
        allowed: &[&str],
        place: &str,
    ) {
        crate::syntax::doc::report_unknown_keys(entries, allowed, place, self.diags);
    }
}
