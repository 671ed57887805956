//! Syntax tree → the YAML authoring format, in canonical layout: `name`,
//! `metadata`, `start`, then the nodes in the order written, durations and money
//! in units (`1h`, `$50`), conditions as expressions.

use std::fmt::Write as _;

use super::Comments;
use crate::syntax::ast::{LimitKind, NodeKind, Route, WindowMode};
use crate::syntax::cond::{number_text, to_expr};
use crate::syntax::values::{format_millis, format_money, format_seconds, shares_repeat};

/// The route as YAML text.
pub fn to_yaml(route: &Route) -> String {
    to_yaml_with(route, &Comments::default())
}

/// The route as YAML text, with comments placed before the nodes they preceded.
pub fn to_yaml_with(route: &Route, comments: &Comments) -> String {
    let mut out = String::new();
    let lines = |out: &mut String, cs: Option<&Vec<String>>, indent: &str| {
        for c in cs.into_iter().flatten() {
            let _ = writeln!(out, "{indent}{c}");
        }
    };
    lines(&mut out, Some(&comments.header), "");
    let _ = writeln!(out, "name: {}", scalar(&route.name.value));
    if !route.metadata.is_empty() {
        out.push_str("metadata:\n");
        for (k, t) in &route.metadata {
            let _ = writeln!(out, "  {}: {}", scalar(&k.value), t.value.as_str());
        }
    }
    for (i, node) in route.nodes.iter().enumerate() {
        if let NodeKind::Start { next } = &node.kind {
            lines(&mut out, comments.before.get(&i), "");
            let next = next.as_ref().map_or("", |n| n.value.as_str());
            if node.id.value == "start" {
                let _ = writeln!(out, "start: {}", scalar(next));
            } else {
                let _ = writeln!(
                    out,
                    "start:\n  id: {}\n  next: {}",
                    scalar(&node.id.value),
                    scalar(next)
                );
            }
        }
    }
    out.push_str("nodes:\n");
    for (i, node) in route.nodes.iter().enumerate() {
        if !matches!(node.kind, NodeKind::Start { .. }) {
            lines(&mut out, comments.before.get(&i), "  ");
        }
        let id = scalar(&node.id.value);
        let t = |t: &Option<crate::source::Spanned<String>>| {
            scalar(t.as_ref().map_or("", |t| t.value.as_str()))
        };
        match &node.kind {
            NodeKind::Start { .. } => {}
            NodeKind::End => {
                let _ = writeln!(out, "  {id}: end");
            }
            NodeKind::Conditional {
                condition,
                then,
                otherwise,
            } => {
                let expr = condition
                    .as_ref()
                    .map(|c| to_expr(&c.value))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {id}:\n    if: {}\n    then: {}\n    else: {}",
                    scalar(&expr),
                    t(then),
                    t(otherwise)
                );
            }
            NodeKind::Percentage { sticky, branches } => {
                let _ = writeln!(out, "  {id}:\n    split:");
                // A mapping cannot repeat a key, so equal shares take the list form.
                let item = if shares_repeat(branches) { "- " } else { "" };
                for b in branches {
                    let _ = writeln!(
                        out,
                        "      {item}{}: {}",
                        scalar(&b.share.value),
                        scalar(&b.target.value)
                    );
                }
                if let Some(s) = sticky {
                    let _ = writeln!(out, "    sticky: {}", scalar(&s.value));
                }
            }
            NodeKind::Limit(l) => {
                let amount = l.limit.as_ref().map_or(0.0, |v| v.value);
                let head = match l.kind {
                    LimitKind::Count => format!("rate_limit: {}", number_text(amount)),
                    LimitKind::Cost => format!("budget: {}", scalar(&format_money(amount))),
                };
                let _ = writeln!(out, "  {id}:\n    {head}");
                let _ = writeln!(
                    out,
                    "    window: {}",
                    format_seconds(l.window.as_ref().map_or(0.0, |v| v.value))
                );
                if let Some(k) = &l.key {
                    let _ = writeln!(out, "    key: {}", scalar(&k.value));
                }
                if let Some(m) = &l.mode {
                    let mode = if m.value == WindowMode::Sliding {
                        "sliding"
                    } else {
                        "fixed"
                    };
                    let _ = writeln!(out, "    window_mode: {mode}");
                }
                let _ = writeln!(
                    out,
                    "    success: {}\n    fallback: {}",
                    t(&l.success),
                    t(&l.fallback)
                );
            }
            NodeKind::Model(m) => {
                let name = format!("{}/{}", m.provider.value, m.model.value);
                let _ = writeln!(out, "  {id}:\n    model: {}", scalar(&name));
                let _ = writeln!(
                    out,
                    "    timeout: {}",
                    format_millis(m.timeout.as_ref().map_or(0.0, |v| v.value))
                );
                let _ = writeln!(
                    out,
                    "    retries: {}",
                    number_text(m.retries.as_ref().map_or(0.0, |v| v.value))
                );
                let _ = writeln!(
                    out,
                    "    success: {}\n    fallback: {}",
                    t(&m.success),
                    t(&m.fallback)
                );
            }
        }
    }
    lines(&mut out, Some(&comments.footer), "");
    out
}

/// A YAML scalar that reads back as the string `s`: plain when that is safe,
/// else single-quoted, else double-quoted with JSON escapes.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        return s.to_string();
    }
    if !s.chars().any(|c| c.is_control()) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    serde_json::Value::String(s.to_string()).to_string()
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !(first.is_alphanumeric() || "_./@$(".contains(first)) {
        return false;
    }
    if s.ends_with([' ', ':'])
        || s.contains(": ")
        || s.contains(" #")
        || s.chars().any(|c| c.is_control())
    {
        return false;
    }
    if s.contains(['\'', '`']) && first == '(' {
        return false;
    }
    // Anything the core schema would read as another type must stay a string.
    let resolved = crate::syntax::parse_doc(
        s,
        crate::source::SourceId(0),
        crate::syntax::Format::Yaml,
        &crate::syntax::Limits::default(),
    );
    matches!(resolved.map(|d| d.value), Ok(crate::syntax::doc::DocValue::Str(ref v)) if v == s)
}

#[cfg(test)]
mod tests {
    use super::scalar;

    #[test]
    fn scalars_read_back_as_strings() {
        assert_eq!(scalar("main"), "main");
        assert_eq!(scalar("true"), "'true'");
        assert_eq!(scalar("123"), "'123'");
        assert_eq!(scalar(""), "''");
        assert_eq!(scalar("a: b"), "'a: b'");
        assert_eq!(
            scalar("metadata.plan == \"paid\""),
            "metadata.plan == \"paid\""
        );
        assert_eq!(scalar("!exists metadata.plan"), "'!exists metadata.plan'");
        assert_eq!(scalar("it's"), "it's");
        assert_eq!(scalar("a\nb"), "\"a\\nb\"");
    }
}
