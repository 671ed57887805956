//! Conditions: fields they read, the types they compare with, operators the
//! hosted gateway may not honour, and how many metadata keys the route reads.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{CmpOp, Cond, FieldType, Literal, NodeKind, Route};

pub(super) fn check(route: &Route, diags: &mut Vec<Diagnostic>) {
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
                    field(f, diags);
                    note_key(f, &mut keys, &mut all_reads);
                }
                literal_types(&c.value, &mut types, diags);
                if let Some((op, span)) = first_undocumented(&c.value) {
                    diags.push(
                        Diagnostic::warning(Code::NotHonoured, span, format!("`{}` uses `{op}`, which the hosted gateway may not honour", node.id.value))
                            .note("the gateway documents `$eq`, `$ne`, `$in`, `$and` and `$or`; aig-route evaluates all operators")
                            .help("test the deployed route with real requests, or allow this warning with `--allow W0608`"),
                    );
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
        undeclared(route, &all_reads, diags);
    }
    if keys.len() > 5 {
        let (sixth, span) = keys[5];
        let names: Vec<String> = keys.iter().map(|(k, _)| format!("`{k}`")).collect();
        diags.push(
            Diagnostic::warning(Code::TooManyKeys, span, format!("the route reads {} metadata keys; `{sixth}` is the sixth", keys.len()))
                .note(format!("keys read: {}", names.join(", ")))
                .note("the gateway forwards at most 5 metadata entries per request and silently drops the rest")
                .help("read at most 5 distinct keys"),
        );
    }
}

/// With declared metadata, the declarations are the schema: a key read that is
/// not declared is most likely a typo, which would otherwise silently never match.
fn undeclared(route: &Route, reads: &[(&str, Span)], diags: &mut Vec<Diagnostic>) {
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
        let mut d = Diagnostic::error(
            Code::UndeclaredKey,
            span,
            format!("metadata key `{k}` is not declared"),
        )
        .label("not declared")
        .note(format!("declared: {}", crate::syntax::list(&declared)));
        if let Some(at) = first {
            d = d.with_secondary(at, "the route declares its metadata here");
        }
        let help = match crate::diagnostic::suggest(k, declared.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? (or declare `{k}` with the other metadata)"),
            None => format!("declare `{k}` with the other metadata, or read a declared key"),
        };
        diags.push(d.help(help));
    }
}

/// Why a `metadata[...]` field did not read.
pub(super) const QUOTED_NOTE: &str =
    "between the brackets is one JSON string: control characters are escaped (`\\t`, `\\u0001`)";

/// Whether a field names a metadata key: anything after `metadata.` is the key
/// (metadata is flat, so `metadata.cf.user_id` reads the key `cf.user_id`).
pub(super) fn metadata_key(field: &str) -> Option<&str> {
    field.strip_prefix("metadata.").filter(|k| !k.is_empty())
}

fn field(f: &Spanned<String>, diags: &mut Vec<Diagnostic>) {
    match f.value.strip_prefix("metadata.") {
        Some(k) if !k.is_empty() => {}
        Some(_) => diags.push(
            Diagnostic::error(
                Code::BadField,
                f.span,
                "`metadata.` names no key".to_string(),
            )
            .note("everything after `metadata.` is the key, such as `cf.user_id` in `metadata.cf.user_id`")
            .help("read one key, such as `metadata.plan`, or `metadata[\"odd key\"]` for other characters"),
        ),
        None if f.value.starts_with("metadata[") => diags.push(
            Diagnostic::error(
                Code::BadField,
                f.span,
                format!("`{}` is not a quoted metadata key", f.value),
            )
            .note(QUOTED_NOTE)
            .help("write the key as a JSON string in brackets, such as `metadata[\"odd key\"]`"),
        ),
        None => diags.push(
            Diagnostic::error(
                Code::BadField,
                f.span,
                format!("conditions read `metadata.<key>`, not `{}`", f.value),
            )
            .note("the gateway only exposes the request's `cf-aig-metadata` to routes")
            .help(format!(
                "write `metadata.{}`",
                f.value.rsplit('.').next().unwrap_or("plan")
            )),
        ),
    }
}

fn literal_types(
    c: &Cond,
    types: &mut BTreeMap<String, (FieldType, Span, bool)>,
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
                let (what, make, code): (_, fn(Code, Span, String) -> Diagnostic, _) = if is_decl {
                    ("declared", Diagnostic::error, Code::DeclaredType)
                } else {
                    ("first compared", Diagnostic::warning, Code::TypeMismatch)
                };
                diags.push(
                    make(
                        code,
                        lit.span,
                        format!(
                            "`{}` is compared with a {}, but it is {what} as a {}",
                            field.value,
                            ty.as_str(),
                            declared.as_str()
                        ),
                    )
                    .with_secondary(at, format!("{what} as a {} here", declared.as_str()))
                    .note("comparisons are type-strict: `\"1\"` never equals `1`")
                    .help(format!("compare with a {}", declared.as_str())),
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
