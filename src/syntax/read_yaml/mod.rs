//! The YAML authoring format ([`Doc`] → [`Route`]).
//!
//! ```yaml
//! name: support
//! start: plan                      # the start node, `start`, leads here
//! nodes:
//!   plan:
//!     if: metadata.plan == "paid"
//!     then: main
//!     else: small
//!   main:
//!     model: openai/gpt-4.1
//!     timeout: 60s
//!     retries: 2
//!     success: done
//!     fallback: small
//!   done: end
//! ```
//!
//! Each node has one *kind key* (`if`, `split`, `rate_limit`, `budget`, `model`)
//! or is the word `end`. Problems are collected, never the first only.

mod helpers;

use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::source::{Span, Spanned};
use crate::syntax::Format;
use crate::syntax::ast::{
    Branch, FieldType, Limit, LimitKind, Model, Node, NodeKind, Route, WindowMode,
};
use crate::syntax::cond::{TextPos, parse_expr, parse_query};
use crate::syntax::doc::{Doc, DocValue, Limits};
use crate::syntax::node_error::NodeError;
use crate::syntax::shape_error::{Shape, ShapeError};
use crate::syntax::value_error::{Expected, TooManyNodes, ValueError};
use crate::syntax::values::{parse_duration, parse_money};
use crate::syntax::vocab::{Kind, Slot, YAML_KIND_KEYS};
use crate::syntax::words::OutputError;

const TOP_KEYS: [&str; 4] = ["name", "metadata", "start", "nodes"];

/// Reads a route from a YAML document. `file_text` is the whole file, used to map
/// positions inside condition strings; `default_name` names a route without `name`.
pub fn read(
    doc: &Doc,
    file_text: &str,
    default_name: &str,
    limits: &Limits,
    diags: &mut Vec<Diagnostic>,
) -> Route {
    let mut r = Reader {
        file_text,
        limits,
        diags,
    };
    r.route(doc, default_name)
}

struct Reader<'a> {
    file_text: &'a str,
    limits: &'a Limits,
    diags: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    fn route(&mut self, doc: &Doc, default_name: &str) -> Route {
        let mut route = Route {
            name: Spanned::new(default_name.to_string(), Span::new(doc.span.source, 0, 0)),
            metadata: Vec::new(),
            nodes: Vec::new(),
        };
        let Some(entries) = doc.as_map() else {
            let e = NodeError::NotARoute {
                format: Format::Yaml,
                found: Shape::found(doc, Format::Yaml),
            };
            self.diags.push(e.at(doc.span));
            return route;
        };
        self.unknown_keys(entries, &TOP_KEYS, "at the top of a route file");
        if let Some(name) = doc.get("name") {
            if let Some(s) = self.string(name, "`name`") {
                route.name = s;
            }
        }
        if let Some(meta) = doc.get("metadata") {
            route.metadata = self.metadata(meta);
        }
        match doc.get("start") {
            Some(start) => route.nodes.extend(self.start(start)),
            None => {
                let first = doc
                    .get("nodes")
                    .and_then(Doc::as_map)
                    .and_then(|m| m.first())
                    .map(|(first, _)| first.value.clone());
                let e = NodeError::NoStart { first };
                self.diags.push(e.at(Span::new(doc.span.source, 0, 0)));
            }
        }
        match doc.get("nodes") {
            Some(nodes) => self.nodes(nodes, &mut route.nodes),
            None => {
                let e = NodeError::NoNodes {
                    format: Format::Yaml,
                };
                self.diags.push(e.at(Span::new(doc.span.source, 0, 0)));
            }
        }
        route
    }

    fn metadata(&mut self, doc: &Doc) -> Vec<(Spanned<String>, Spanned<FieldType>)> {
        let Some(entries) = self.map(doc, "`metadata`") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in entries {
            if let Some(ty) = crate::syntax::words::read(value, FieldType::parse, self.diags) {
                out.push((key.clone(), ty));
            }
        }
        out
    }

    fn start(&mut self, doc: &Doc) -> Option<Node> {
        let (id, next) = match &doc.value {
            DocValue::Map(entries) => {
                self.unknown_keys(entries, Kind::Start.yaml_keys(), Kind::Start.yaml_place());
                let id = doc.get("id").and_then(|d| self.string(d, "the start id"));
                let next = self.target(doc, Slot::Next);
                (
                    id.unwrap_or_else(|| Spanned::new("start".into(), doc.span)),
                    next,
                )
            }
            _ => (
                Spanned::new("start".into(), doc.span),
                self.string(doc, "`start`"),
            ),
        };
        Some(Node {
            id,
            kind: NodeKind::Start { next },
            span: doc.span,
        })
    }

    fn nodes(&mut self, doc: &Doc, out: &mut Vec<Node>) {
        let Some(entries) = self.map(doc, "`nodes`") else {
            return;
        };
        if entries.len() > self.limits.max_nodes {
            let many = TooManyNodes {
                count: entries.len(),
                limit: self.limits.max_nodes,
            };
            self.diags.push(many.at(doc.span, Format::Yaml));
            return;
        }
        for (id, body) in entries {
            if let Some(kind) = self.node(id, body) {
                out.push(Node {
                    id: id.clone(),
                    kind,
                    span: id.span.to(body.span),
                });
            }
        }
    }

    fn node(&mut self, id: &Spanned<String>, body: &Doc) -> Option<NodeKind> {
        if body.as_str() == Some(Kind::End.yaml()) {
            return Some(NodeKind::End);
        }
        let Some(entries) = body.as_map() else {
            let e = NodeError::NotANode {
                id: id.value.clone(),
                found: Shape::found(body, Format::Yaml),
            };
            self.diags.push(e.at(body.span));
            return None;
        };
        let kinds: Vec<&Spanned<String>> = entries
            .iter()
            .map(|(k, _)| k)
            .filter(|k| Kind::from_yaml_key(&k.value).is_some())
            .collect();
        match kinds.as_slice() {
            [] => {
                let guess = entries.iter().enumerate().find_map(|(i, (k, _))| {
                    crate::diagnostic::suggest(&k.value, YAML_KIND_KEYS).map(|g| (i, k, g))
                });
                let Some((i, key, kind)) = guess else {
                    let e = NodeError::NoKind {
                        format: Format::Yaml,
                        id: id.value.clone(),
                    };
                    self.diags.push(e.at(id.span));
                    // Kept as an end so that outputs naming it do not each report
                    // a missing node: the one error above explains them.
                    return Some(NodeKind::End);
                };
                let e = NodeError::MisspeltKind {
                    key: key.value.clone(),
                    id: id.value.clone(),
                    meant: kind,
                };
                self.diags.push(e.at(key.span));
                // Read the node as the kind it was surely meant to be, so its other
                // keys and outputs are checked and nothing downstream cascades.
                let mut fixed = entries.to_vec();
                fixed[i].0 = Spanned::new(kind.to_string(), key.span);
                let body = Doc {
                    value: DocValue::Map(Arc::new(fixed)),
                    span: body.span,
                };
                self.node(id, &body)
            }
            [key] => {
                let kind = Kind::from_yaml_key(&key.value).unwrap_or(Kind::Model);
                let fixed = self.misspelt_outputs(kind, body, entries);
                let body = fixed.as_ref().unwrap_or(body);
                let entries = body.as_map().unwrap_or(entries);
                Some(match kind {
                    Kind::Conditional => self.conditional(body, entries),
                    Kind::Percentage => self.percentage(body, entries),
                    Kind::RateLimit => self.limit(body, entries, LimitKind::Count),
                    Kind::Budget => self.limit(body, entries, LimitKind::Cost),
                    _ => self.model(body, entries),
                })
            }
            [first, second, ..] => {
                let e = NodeError::TwoKinds {
                    id: id.value.clone(),
                    first: first.value.clone(),
                    second: second.value.clone(),
                };
                self.diags.push(
                    e.at(second.span)
                        .with_secondary(first.span, "first kind given here"),
                );
                None
            }
        }
    }

    /// An output key misspelt (`falback:`) or named as another format names
    /// it (`true:`) is reported once, as a name the kind's outputs do not
    /// have (the same error in every format), and read as the output it
    /// surely is, so that no "missing output" or "unreachable" follows from
    /// the same typo. A key the kind has (`timeout`) is never a misspelt
    /// output; other keys are left to the unknown-key check.
    fn misspelt_outputs(
        &mut self,
        kind: Kind,
        body: &Doc,
        entries: &[(Spanned<String>, Doc)],
    ) -> Option<Doc> {
        let mut given: Vec<Slot> = entries
            .iter()
            .filter_map(|(k, _)| kind.output_named(&k.value, Format::Yaml))
            .collect();
        let mut fixed: Option<Vec<(Spanned<String>, Doc)>> = None;
        for (i, (k, _)) in entries.iter().enumerate() {
            if kind.yaml_keys().contains(&k.value.as_str()) {
                continue;
            }
            let Err(e) = OutputError::check(kind, &k.value, Format::Yaml, &given) else {
                continue;
            };
            let Some((slot, meant)) = e.meant.and_then(|m| Some((m, m.yaml()?))) else {
                continue;
            };
            self.diags.push(e.at(k.span));
            given.push(slot);
            let fixed = fixed.get_or_insert_with(|| entries.to_vec());
            if let Some((key, _)) = fixed.get_mut(i) {
                *key = Spanned::new(meant.to_string(), k.span);
            }
        }
        Some(Doc {
            value: DocValue::Map(Arc::new(fixed?)),
            span: body.span,
        })
    }

    fn conditional(&mut self, body: &Doc, entries: &[(Spanned<String>, Doc)]) -> NodeKind {
        let kind = Kind::Conditional;
        self.unknown_keys(entries, kind.yaml_keys(), kind.yaml_place());
        let condition = body.get(kind.yaml()).and_then(|c| self.condition(c));
        NodeKind::Conditional {
            condition,
            then: self.target(body, Slot::True),
            otherwise: self.target(body, Slot::False),
        }
    }

    fn condition(&mut self, doc: &Doc) -> Option<Spanned<super::ast::Cond>> {
        match &doc.value {
            DocValue::Str(text) => {
                let pos = TextPos {
                    source: doc.span.source,
                    base: locate(self.file_text, doc.span, text),
                    whole: doc.span,
                };
                match parse_expr(text, pos, self.limits.depth()) {
                    Ok(c) => Some(Spanned::new(c, doc.span)),
                    Err(d) => {
                        self.diags.push(d);
                        None
                    }
                }
            }
            DocValue::Map(_) => parse_query(
                doc,
                Format::Yaml,
                self.file_text,
                self.limits.depth(),
                self.diags,
            )
            .map(|c| Spanned::new(c, doc.span)),
            _ => {
                let e = ShapeError::WrongType {
                    what: "`if`".into(),
                    expected: "a condition",
                    found: Shape::found(doc, Format::Yaml),
                    text: false,
                    example: Some("if: metadata.plan == \"paid\"".into()),
                };
                self.diags.push(e.at(doc.span, Format::Yaml));
                None
            }
        }
    }

    fn percentage(&mut self, body: &Doc, entries: &[(Spanned<String>, Doc)]) -> NodeKind {
        let kind = Kind::Percentage;
        self.unknown_keys(entries, kind.yaml_keys(), kind.yaml_place());
        let sticky = body
            .get("sticky")
            .and_then(|s| self.string(s, "`sticky`"))
            .map(|s| Spanned::new(crate::syntax::field::from_written(&s.value), s.span));
        let mut branches = Vec::new();
        if let Some(split) = body.get(kind.yaml()) {
            for (share, target) in self.shares(split) {
                if let Some(t) = self.string(target, "a split target") {
                    branches.push(Branch::new(share.clone(), t));
                }
            }
        }
        NodeKind::Percentage { sticky, branches }
    }

    /// The entries of a `split`: a mapping (`90%: main`), or a list of one-entry
    /// mappings (`- 50%: a`), the form that can repeat a share. Both read the same.
    fn shares<'d>(&mut self, split: &'d Doc) -> Vec<&'d (Spanned<String>, Doc)> {
        let DocValue::Seq(items) = &split.value else {
            return self
                .map(split, "`split`")
                .map(|m| m.iter().collect())
                .unwrap_or_default();
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item.as_map() {
                Some([entry]) => out.push(entry),
                _ => {
                    let found = match item.as_map() {
                        Some(m) => format!("{} entries", m.len()),
                        None => Shape::found(item, Format::Yaml).to_string(),
                    };
                    self.diags
                        .push(NodeError::SplitItem { found }.at(item.span));
                }
            }
        }
        out
    }

    fn limit(
        &mut self,
        body: &Doc,
        entries: &[(Spanned<String>, Doc)],
        kind: LimitKind,
    ) -> NodeKind {
        let node = match kind {
            LimitKind::Count => Kind::RateLimit,
            LimitKind::Cost => Kind::Budget,
        };
        let head = node.yaml();
        self.unknown_keys(entries, node.yaml_keys(), node.yaml_place());
        let limit = match body.get(head) {
            Some(d) if kind == LimitKind::Cost => self.amount(d, parse_money, Expected::Dollars),
            Some(d) => self.amount(d, |s| s.trim().parse().ok(), Expected::Requests),
            None => None,
        };
        let window = self
            .required(body, "window", "window: 1h")
            .and_then(|d| self.amount(d, |s| parse_duration(s, 1000.0), Expected::Window));
        let mode = body
            .get("window_mode")
            .and_then(|d| crate::syntax::words::read(d, WindowMode::parse, self.diags));
        NodeKind::Limit(Limit {
            kind,
            key: body
                .get("key")
                .and_then(|k| self.string(k, "`key`"))
                .map(|k| Spanned::new(crate::syntax::field::from_written(&k.value), k.span)),
            limit,
            window,
            mode,
            success: self.target(body, Slot::Success),
            fallback: self.target(body, Slot::Fallback),
        })
    }

    fn model(&mut self, body: &Doc, entries: &[(Spanned<String>, Doc)]) -> NodeKind {
        self.unknown_keys(entries, Kind::Model.yaml_keys(), Kind::Model.yaml_place());
        let mut provider = Spanned::default();
        let mut model = Spanned::default();
        if let Some(d) = body.get(Kind::Model.yaml()) {
            if let Some(s) = self.string(d, "`model`") {
                match s.value.split_once('/') {
                    Some((p, m)) if !p.is_empty() && !m.is_empty() => {
                        let base = locate(self.file_text, s.span, &s.value)
                            .unwrap_or(s.span.start as usize);
                        let cut = base + p.len();
                        provider = Spanned::new(p.to_string(), Span::new(s.span.source, base, cut));
                        model = Spanned::new(
                            m.to_string(),
                            Span::new(s.span.source, cut + 1, cut + 1 + m.len()),
                        );
                    }
                    _ => self.diags.push(
                        ValueError::NotModel {
                            written: s.value.clone(),
                        }
                        .at(s.span, Format::Yaml),
                    ),
                }
            }
        }
        let timeout_doc = self.required(body, "timeout", "timeout: 60s");
        let timeout =
            timeout_doc.and_then(|d| self.amount(d, |s| parse_duration(s, 1.0), Expected::Timeout));
        if let (Some(d), Some(t)) = (timeout_doc, &timeout) {
            let written = match &d.value {
                DocValue::Num(_) => crate::syntax::cond::number_text(t.value),
                DocValue::Str(s) => s.clone(),
                _ => String::new(),
            };
            self.diags.extend(crate::syntax::values::bare_timeout(
                &written, t.value, t.span, "timeout:",
            ));
        }
        let retries = self
            .required(body, "retries", "retries: 1")
            .and_then(|d| self.amount(d, |s| s.trim().parse().ok(), Expected::Retries));
        NodeKind::Model(Model {
            provider,
            model,
            timeout,
            retries,
            success: self.target(body, Slot::Success),
            fallback: self.target(body, Slot::Fallback),
        })
    }
}

/// Byte offset where `value` is written verbatim inside `span`, if it is.
pub(crate) fn locate(file_text: &str, span: Span, value: &str) -> Option<usize> {
    let raw = file_text.get(span.start as usize..span.end as usize)?;
    raw.find(value).map(|i| span.start as usize + i)
}
