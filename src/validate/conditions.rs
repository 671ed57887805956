//! Conditions: fields they read, the types they compare with, operators the
//! hosted gateway may not honour, and how many metadata keys the route reads.

use std::collections::BTreeMap;

use super::Finding;
use super::finding::FieldProblem;
use crate::diagnostic::Diagnostic;
use crate::source::{Span, Spanned};
use crate::syntax::ast::{CmpOp, Cond, FieldType, Format, Literal, NodeKind, Route};

pub(super) fn check(route: &Route, format: Format, diags: &mut Vec<Diagnostic>) {
    let mut types: BTreeMap<String, (FieldType, Span, bool)> = route
        .metadata
        .iter()
        .map(|(k, t)| (format!("metadata.{}", k.value), (t.value, t.span, true)))
        .collect();
    let mut keys: Vec<(&str, Span)> = Vec::new();
    // Every key read, each with where it is first read; with `all_reads` also
    // the later reads, so that an undeclared key is reported wherever it is read.
    let mut all_reads: Vec<(&str, Span)> = Vec::new();
    fn note_key<'r>(
        field: &'r Spanned<String>,
        keys: &mut Vec<(&'r str, Span)>,
        all: &mut Vec<(&'r str, Span)>,
    ) {
        if let Some(k) = field.value.strip_prefix("metadata.") {
            all.push((k, field.span));
            if !keys.iter().any(|(seen, _)| *seen == k) {
                keys.push((k, field.span));
            }
        }
    }
    for node in &route.nodes {
        match &node.kind {
            NodeKind::Conditional {
                condition: Some(c), ..
            } => {
                let mut fields = Vec::new();
                c.value.for_each_field(&mut |f| fields.push(f));
                for f in fields {
                    field(f, format, diags);
                    note_key(f, &mut keys, &mut all_reads);
                }
                literal_types(&c.value, &mut types, format, diags);
                if let Some((op, span)) = first_undocumented(&c.value) {
                    let id = node.id.value.clone();
                    diags.push(Finding::UndocumentedOperator { id, op }.at(span, format));
                }
            }
            NodeKind::Percentage {
                sticky: Some(s), ..
            } => note_key(s, &mut keys, &mut all_reads),
            NodeKind::Limit(l) => {
                if let Some(k) = &l.key {
                    note_key(k, &mut keys, &mut all_reads);
                }
            }
            _ => {}
        }
    }
    if !route.metadata.is_empty() {
        undeclared(route, &all_reads, format, diags);
    }
    if let Some(&(_, span)) = keys.get(5) {
        let keys = keys.iter().map(|(k, _)| (*k).to_string()).collect();
        diags.push(Finding::TooManyKeys { keys }.at(span, format));
    }
}

/// With declared metadata, the declarations are the schema: a key read that is
/// not declared is most likely a typo, which would otherwise silently never match.
fn undeclared(route: &Route, reads: &[(&str, Span)], format: Format, diags: &mut Vec<Diagnostic>) {
    let declared: Vec<&str> = route
        .metadata
        .iter()
        .map(|(k, _)| k.value.as_str())
        .collect();
    let first = route.metadata.first().map(|(k, _)| k.span);
    for &(k, span) in reads {
        if declared.contains(&k) || k.is_empty() {
            continue;
        }
        let finding = Finding::UndeclaredKey {
            key: k.to_string(),
            declared: declared.iter().map(|d| (*d).to_string()).collect(),
            near: crate::diagnostic::suggest(k, declared.iter().copied()).map(str::to_string),
        };
        let mut d = finding.at(span, format).label("not declared");
        if let Some(at) = first {
            d = d.with_secondary(at, "the route declares its metadata here");
        }
        diags.push(d);
    }
}

/// Whether a field names a metadata key: anything after `metadata.` is the key
/// (metadata is flat, so `metadata.cf.user_id` reads the key `cf.user_id`).
pub(super) fn metadata_key(field: &str) -> Option<&str> {
    field.strip_prefix("metadata.").filter(|k| !k.is_empty())
}

fn field(f: &Spanned<String>, format: Format, diags: &mut Vec<Diagnostic>) {
    let problem = match f.value.strip_prefix("metadata.") {
        Some(k) if !k.is_empty() => return,
        Some(_) => FieldProblem::NoKey,
        None if f.value.starts_with("metadata[") => FieldProblem::BadQuotes,
        None => FieldProblem::NotMetadata,
    };
    let finding = Finding::BadField {
        written: f.value.clone(),
        problem,
    };
    diags.push(finding.at(f.span, format));
}

fn literal_types(
    c: &Cond,
    types: &mut BTreeMap<String, (FieldType, Span, bool)>,
    format: Format,
    diags: &mut Vec<Diagnostic>,
) {
    let mut check = |field: &Spanned<String>, lit: &Spanned<Literal>| {
        let ty = lit.value.field_type();
        match types.get(&field.value) {
            None => {
                types.insert(field.value.clone(), (ty, lit.span, false));
            }
            Some(&(declared, at, is_decl)) if declared != ty => {
                // Against a declaration the comparison can never be true for a
                // conforming request, so it is an error; between two comparisons
                // we cannot tell which one is wrong, so it stays a warning.
                let what = if is_decl {
                    "declared"
                } else {
                    "first compared"
                };
                let finding = Finding::TypeMismatch {
                    field: field.value.clone(),
                    compared: ty,
                    expected: declared,
                    declared: is_decl,
                };
                diags.push(
                    finding
                        .at(lit.span, format)
                        .with_secondary(at, format!("{what} as a {} here", declared.as_str())),
                );
            }
            Some(_) => {}
        }
    };
    walk(c, &mut check);
}

fn walk(c: &Cond, f: &mut impl FnMut(&Spanned<String>, &Spanned<Literal>)) {
    match c {
        Cond::All(cs) | Cond::Any(cs) => cs.iter().for_each(|c| walk(c, f)),
        Cond::Not(c) => walk(c, f),
        Cond::Cmp { field, value, .. } => f(field, value),
        Cond::In { field, values, .. } => values.iter().for_each(|v| f(field, v)),
        Cond::Exists { .. } => {}
    }
}

/// The first operator outside the documented `$eq $ne $in $and $or`.
fn first_undocumented(c: &Cond) -> Option<(&'static str, Span)> {
    match c {
        Cond::All(cs) | Cond::Any(cs) => cs.iter().find_map(first_undocumented),
        Cond::Not(inner) => Some(("$not", cond_span(inner))),
        Cond::Cmp {
            op: CmpOp::Eq | CmpOp::Ne,
            ..
        } => None,
        Cond::Cmp { op, field, .. } => Some((op.mongo(), field.span)),
        Cond::In { negated: false, .. } => None,
        Cond::In { field, .. } => Some(("$nin", field.span)),
        Cond::Exists { field, .. } => Some(("$exists", field.span)),
    }
}

fn cond_span(c: &Cond) -> Span {
    let mut span = None;
    c.for_each_field(&mut |f| {
        if span.is_none() {
            span = Some(f.span);
        }
    });
    span.unwrap_or_default()
}
