//! Syntax tree → the YAML authoring format, in canonical layout: `name`,
//! `metadata`, `start`, then the nodes in the order written, durations and money
//! in units (`1h`, `$50`), conditions as expressions.

use super::comments::{Anchor, Comments, Out, Syntax};
use crate::syntax::ast::{LimitKind, Node, NodeKind, Route, WindowMode};
use crate::syntax::cond::{number_text, to_expr};
use crate::syntax::field::written;
use crate::syntax::values::{format_millis, format_money, format_seconds, shares_repeat};
use crate::syntax::vocab::Kind;

/// The route as YAML text.
pub fn to_yaml(route: &Route) -> String {
    to_yaml_with(route, &Comments::default())
}

/// The route as YAML text, each comment next to what it annotated.
pub fn to_yaml_with(route: &Route, comments: &Comments) -> String {
    yaml_text(route, comments, true)
}

/// As [`to_yaml_with`], but a name the text did not write (the file name's,
/// implied) stays implied: `fmt` keeps a file's meaning, and an explicit name
/// would stop renaming the file from renaming the route. (`convert` always
/// writes the name, since the new file's name may differ.)
pub(crate) fn to_yaml_as_written(route: &Route, comments: &Comments) -> String {
    yaml_text(route, comments, route.name.span.end > route.name.span.start)
}

fn yaml_text(route: &Route, comments: &Comments, with_name: bool) -> String {
    let mut out = Out::new(comments, Syntax::Yaml);
    out.comment_lines(&comments.header, "");
    if with_name {
        out.line(
            &format!("name: {}", scalar(&route.name.value)),
            &[Anchor::of(&route.name)],
        );
    }
    if !route.metadata.is_empty() {
        out.line("metadata:", &[Some(Anchor::Metadata)]);
        for (k, t) in &route.metadata {
            key_line(
                &mut out,
                &scalar(&k.value),
                &format!(" {}", t.value.as_str()),
                &[Anchor::of(k), Anchor::of(t)],
            );
        }
    }
    for (i, node) in route.nodes.iter().enumerate() {
        if let NodeKind::Start { next } = &node.kind {
            let next_text = next.as_ref().map_or("", |n| n.value.as_str());
            let next_anchor = next.as_ref().and_then(Anchor::of);
            if node.id.value == "start" {
                out.line(
                    &format!("start: {}", scalar(next_text)),
                    &[Some(Anchor::Id(i)), next_anchor],
                );
            } else {
                out.line("start:", &[Some(Anchor::StartBlock)]);
                out.line(
                    &format!("  id: {}", scalar(&node.id.value)),
                    &[Some(Anchor::Id(i))],
                );
                out.line(&format!("  next: {}", scalar(next_text)), &[next_anchor]);
            }
        }
    }
    out.line("nodes:", &[Some(Anchor::Nodes)]);
    for (i, node) in route.nodes.iter().enumerate() {
        node_lines(&mut out, node, i);
        out.defer(Anchor::EndOf(i));
    }
    out.finish("", None)
}

/// A key of a mapping two spaces in (a node id, a metadata name) and what
/// follows its colon on the line. YAML allows an implicit key (`key:`) of at
/// most 1024 characters, which an id full of escaped characters can pass once
/// quoted; such a key is written explicitly (`? key` then `:`), which has no
/// such bound.
fn key_line(out: &mut Out, key: &str, rest: &str, anchors: &[Option<Anchor>]) {
    if key.chars().count() <= 1000 {
        out.line(&format!("  {key}:{rest}"), anchors);
    } else {
        out.line(&format!("  ? {key}"), anchors);
        out.line(&format!("  :{rest}"), &[]);
    }
}

/// The named outputs, a line each: `    success: target`.
fn output_lines(out: &mut Out, kind: &NodeKind) {
    for (slot, t) in kind.slots() {
        let Some(key) = slot.yaml() else { continue };
        let text = scalar(t.map_or("", |t| t.value.as_str()));
        out.line(&format!("    {key}: {text}"), &[t.and_then(Anchor::of)]);
    }
}

fn node_lines(out: &mut Out, node: &Node, i: usize) {
    let id = scalar(&node.id.value);
    let id_anchor = Some(Anchor::Id(i));
    match &node.kind {
        NodeKind::Start { .. } => {}
        NodeKind::End => key_line(out, &id, &format!(" {}", Kind::End.yaml()), &[id_anchor]),
        NodeKind::Conditional { condition, .. } => {
            key_line(out, &id, "", &[id_anchor]);
            let expr = condition
                .as_ref()
                .map(|c| to_expr(&c.value))
                .unwrap_or_default();
            out.line(
                &format!("    {}: {}", Kind::Conditional.yaml(), scalar(&expr)),
                &[condition.as_ref().and_then(Anchor::of)],
            );
            output_lines(out, &node.kind);
        }
        NodeKind::Percentage { sticky, branches } => {
            key_line(out, &id, "", &[id_anchor]);
            out.line("    split:", &[Some(Anchor::Split(i))]);
            // A mapping cannot repeat a key, so equal shares take the list form.
            let item = if shares_repeat(branches) { "- " } else { "" };
            for b in branches {
                out.line(
                    &format!(
                        "      {item}{}: {}",
                        scalar(&b.share.value),
                        scalar(&b.target.value)
                    ),
                    &[Anchor::of(&b.share), Anchor::of(&b.target)],
                );
            }
            if let Some(s) = sticky {
                out.line(
                    &format!("    sticky: {}", scalar(&written(&s.value))),
                    &[Anchor::of(s)],
                );
            }
        }
        NodeKind::Limit(l) => {
            key_line(out, &id, "", &[id_anchor]);
            let amount = l.limit.as_ref().map_or(0.0, |v| v.value);
            let head = match l.kind {
                LimitKind::Count => number(amount),
                LimitKind::Cost => match non_finite(amount) {
                    Some(text) => text.to_string(),
                    None => scalar(&format_money(amount)),
                },
            };
            out.line(
                &format!("    {}: {head}", node.kind.kind().yaml()),
                &[l.limit.as_ref().and_then(Anchor::of)],
            );
            out.line(
                &format!(
                    "    window: {}",
                    in_units(l.window.as_ref().map_or(0.0, |v| v.value), format_seconds)
                ),
                &[l.window.as_ref().and_then(Anchor::of)],
            );
            if let Some(k) = &l.key {
                out.line(
                    &format!("    key: {}", scalar(&written(&k.value))),
                    &[Anchor::of(k)],
                );
            }
            if let Some(m) = &l.mode {
                let mode = if m.value == WindowMode::Sliding {
                    "sliding"
                } else {
                    "fixed"
                };
                out.line(&format!("    window_mode: {mode}"), &[Anchor::of(m)]);
            }
            output_lines(out, &node.kind);
        }
        NodeKind::Model(m) => {
            key_line(out, &id, "", &[id_anchor]);
            let name = format!("{}/{}", m.provider.value, m.model.value);
            out.line(
                &format!("    {}: {}", Kind::Model.yaml(), scalar(&name)),
                &[Anchor::of(&m.provider), Anchor::of(&m.model)],
            );
            out.line(
                &format!(
                    "    timeout: {}",
                    in_units(m.timeout.as_ref().map_or(0.0, |v| v.value), format_millis)
                ),
                &[m.timeout.as_ref().and_then(Anchor::of)],
            );
            out.line(
                &format!(
                    "    retries: {}",
                    number(m.retries.as_ref().map_or(0.0, |v| v.value))
                ),
                &[m.retries.as_ref().and_then(Anchor::of)],
            );
            output_lines(out, &node.kind);
        }
    }
}

/// YAML's own spelling of a number that is not finite (`.nan`, `.inf`,
/// `-.inf`): a route that validation refuses for it still formats to what it
/// said.
fn non_finite(n: f64) -> Option<&'static str> {
    if n.is_nan() {
        Some(".nan")
    } else if n.is_infinite() {
        Some(if n < 0.0 { "-.inf" } else { ".inf" })
    } else {
        None
    }
}

/// A number as YAML reads it back.
fn number(n: f64) -> String {
    non_finite(n).map_or_else(|| number_text(n), str::to_string)
}

/// A duration in units, or the non-finite number it is.
fn in_units(n: f64, format: fn(f64) -> String) -> String {
    non_finite(n).map_or_else(|| format(n), str::to_string)
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
    // JSON escapes only what is below U+0020; YAML's printable set also leaves
    // out DEL and the C1 controls, so those are escaped too.
    let json = serde_json::Value::String(s.to_string()).to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_control() {
            out.push_str(&format!("\\u{:04X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
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
        assert_eq!(scalar("\u{7f}a\u{85}"), "\"\\u007Fa\\u0085\"");
    }
}
