//! An element's outputs and properties, read with the checks every element type
//! shares: unknown names, missing keys, wrong types.

use super::wrong_type;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::{Span, Spanned};
use crate::syntax::ast::Target;
use crate::syntax::doc::{Doc, DocValue};
use crate::syntax::node_error::NodeError;
use crate::syntax::shape_error::{Shape, ShapeError};
use crate::syntax::vocab::{Kind, Slot};
use crate::syntax::words::OutputError;
use crate::syntax::{Format, list};

pub(super) struct Outputs {
    pub(super) entries: Vec<(Spanned<String>, Spanned<String>)>,
}

impl Outputs {
    pub(super) fn read(
        id: &Spanned<String>,
        kind: Kind,
        doc: Option<&Doc>,
        at: Span,
        diags: &mut Vec<Diagnostic>,
    ) -> Outputs {
        let mut entries = Vec::new();
        let Some(doc) = doc else {
            let e = NodeError::NoOutputs {
                id: id.value.clone(),
                end: kind == Kind::End,
            };
            diags.push(e.at(at));
            return Outputs { entries };
        };
        let Some(map) = doc.as_map() else {
            diags.push(wrong_type(doc, "`outputs`", Shape::Mapping));
            return Outputs { entries };
        };
        // Outputs named rightly; a misspelt name cannot mean one of them.
        let mut given: Vec<Slot> = map
            .iter()
            .filter_map(|(n, _)| kind.output_named(&n.value, Format::Json))
            .collect();
        for (name, target) in map {
            // A split's outputs are its shares, read with the split.
            let checked = if kind == Kind::Percentage {
                Ok(())
            } else {
                OutputError::check(kind, &name.value, Format::Json, &given).map(|_| ())
            };
            let name = match checked {
                Ok(_) => name.clone(),
                Err(e) => {
                    diags.push(e.at(name.span));
                    // Read as the output surely meant, so that no "missing
                    // output" follows from the same typo.
                    match e.meant.and_then(Slot::wire) {
                        Some(meant) => {
                            given.extend(e.meant);
                            Spanned::new(meant.to_string(), name.span)
                        }
                        None => continue,
                    }
                }
            };
            let element_id = target.get("elementId");
            match element_id.and_then(|e| e.as_str().map(|s| (s, e.span))) {
                Some((s, span)) => entries.push((name.clone(), Spanned::new(s.to_string(), span))),
                None => {
                    let e = NodeError::BadTarget {
                        output: name.value.clone(),
                    };
                    diags.push(e.at(target.span));
                }
            }
        }
        Outputs { entries }
    }

    pub(super) fn get(&self, slot: Slot) -> Target {
        let name = slot.wire()?;
        self.entries
            .iter()
            .find(|(k, _)| k.value == name)
            .map(|(_, t)| t.clone())
    }
}

pub(super) struct Props<'a, 'd> {
    pub(super) doc: Option<&'d Doc>,
    pub(super) at: Span,
    pub(super) diags: &'a mut Vec<Diagnostic>,
}

impl<'d> Props<'_, 'd> {
    pub(super) fn get(&self, key: &str) -> Option<&'d Doc> {
        self.doc.and_then(|d| d.get(key))
    }

    pub(super) fn allow(&mut self, keys: &[&str]) {
        self.allow_hint(keys, |_| None);
    }

    pub(super) fn allow_hint(&mut self, keys: &[&str], hint: impl Fn(&str) -> Option<String>) {
        let Some(entries) = self.doc.and_then(Doc::as_map) else {
            return;
        };
        for (k, _) in entries {
            if keys.contains(&k.value.as_str()) {
                continue;
            }
            let help = hint(&k.value)
                .or_else(|| did_you_mean(&k.value, keys.iter().copied()))
                .or_else(|| {
                    Some(if keys.is_empty() {
                        "this element takes no properties".to_string()
                    } else {
                        format!("its properties are {}", list(keys))
                    })
                });
            let error = ShapeError::UnknownKey {
                key: k.value.clone(),
                place: "in `properties`".into(),
                dropped: true,
                help,
            };
            self.diags.push(error.at(k.span, Format::Json));
        }
    }

    pub(super) fn missing(&mut self, key: &str, example: &str) {
        let span = self.doc.map_or(self.at, |d| d.span);
        let error = ShapeError::Missing {
            key: key.to_string(),
            example: example.to_string(),
            within: Some("properties"),
        };
        self.diags.push(error.at(span, Format::Json));
    }

    pub(super) fn string(&mut self, doc: &Doc, what: &str) -> Option<Spanned<String>> {
        match doc.as_str() {
            Some(s) => Some(Spanned::new(s.to_string(), doc.span)),
            None => {
                self.diags.push(wrong_type(doc, what, Shape::Text));
                None
            }
        }
    }

    pub(super) fn required_string(&mut self, key: &str, example: &str) -> Spanned<String> {
        match self.get(key) {
            Some(d) => self.string(d, &format!("`{key}`")).unwrap_or_default(),
            None => {
                self.missing(key, example);
                Spanned::default()
            }
        }
    }

    pub(super) fn number(&mut self, key: &str, example: &str) -> Option<Spanned<f64>> {
        match self.get(key) {
            Some(d) => match d.value {
                DocValue::Num(n) => Some(Spanned::new(n, d.span)),
                _ => {
                    let error =
                        ShapeError::wrong_type(d, format!("`{key}`"), Shape::Number, Format::Json)
                            .with_example(example);
                    self.diags.push(error.at(d.span, Format::Json));
                    None
                }
            },
            None => {
                self.missing(key, example);
                None
            }
        }
    }
}
