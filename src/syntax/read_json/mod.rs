//! The gateway's JSON wire format ([`Doc`] → [`Route`]).
//!
//! Accepts `{"name", "elements": [...]}`, a bare elements array, and route objects
//! as the dashboard API returns them (graph under `elements` or `version.data`).
//! Keys the live API would silently drop (`condition`, `interval`, a misspelt
//! `provdier`) are errors here, because a typo there deploys a route that ignores
//! the field.

mod fields;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::{Span, Spanned};
use crate::syntax::Format;
use crate::syntax::ast::{
    Branch, FieldType, Limit, LimitKind, Model, Node, NodeKind, Route, WindowMode,
};
use crate::syntax::cond::parse_query;
use crate::syntax::doc::{Doc, DocValue, Limits};
use crate::syntax::node_error::NodeError;
use crate::syntax::shape_error::{Shape, ShapeError};
use fields::{Outputs, Props};

use crate::syntax::vocab::{Kind, Slot, WIRE_TYPES as TYPES};
/// Keys of the API's route and version objects, accepted and ignored at the top.
const API_KEYS: [&str; 10] = [
    "id",
    "gateway_id",
    "created_at",
    "modified_at",
    "deployment",
    "version",
    "version_id",
    "active",
    "data",
    "is_valid",
];

/// Reads a route from a gateway JSON document.
pub fn read(doc: &Doc, default_name: &str, limits: &Limits, diags: &mut Vec<Diagnostic>) -> Route {
    let mut route = Route {
        name: Spanned::new(default_name.to_string(), Span::new(doc.span.source, 0, 0)),
        metadata: Vec::new(),
        nodes: Vec::new(),
    };
    let elements = match &doc.value {
        DocValue::Seq(_) => doc,
        DocValue::Map(entries) => {
            for (k, _) in entries.iter() {
                let known = ["name", "elements", "metadata"].contains(&k.value.as_str())
                    || API_KEYS.contains(&k.value.as_str());
                if !known {
                    let error = ShapeError::UnknownKey {
                        key: k.value.clone(),
                        place: "in a route object".into(),
                        dropped: false,
                        help: did_you_mean(&k.value, ["name", "elements", "metadata"]),
                    };
                    diags.push(error.at(k.span, Format::Json));
                }
            }
            if let Some(name) = doc.get("name") {
                match name.as_str() {
                    Some(s) => route.name = Spanned::new(s.to_string(), name.span),
                    None => diags.push(wrong_type(name, "`name`", Shape::Text)),
                }
            }
            if let Some(meta) = doc.get("metadata") {
                route.metadata = metadata(meta, diags);
            }
            match doc
                .get("elements")
                .or_else(|| doc.get("version").and_then(|v| v.get("data")))
            {
                Some(e) => e,
                None => {
                    let e = NodeError::NoNodes {
                        format: Format::Json,
                    };
                    diags.push(e.at(doc.span));
                    return route;
                }
            }
        }
        _ => {
            let e = NodeError::NotARoute {
                format: Format::Json,
                found: Shape::found(doc, Format::Json),
            };
            diags.push(e.at(doc.span));
            return route;
        }
    };
    let DocValue::Seq(items) = &elements.value else {
        diags.push(wrong_type(elements, "`elements`", Shape::List));
        return route;
    };
    if items.len() > limits.max_nodes {
        let many = crate::syntax::value_error::TooManyNodes {
            count: items.len(),
            limit: limits.max_nodes,
        };
        diags.push(many.at(elements.span, crate::syntax::Format::Json));
        return route;
    }
    route.nodes = items
        .iter()
        .filter_map(|e| element(e, limits, diags))
        .collect();
    route
}

fn metadata(doc: &Doc, diags: &mut Vec<Diagnostic>) -> Vec<(Spanned<String>, Spanned<FieldType>)> {
    let Some(entries) = doc.as_map() else {
        diags.push(wrong_type(doc, "`metadata`", Shape::Mapping));
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|(k, v)| {
            let ty = crate::syntax::words::read(v, FieldType::parse, diags)?;
            Some((k.clone(), ty))
        })
        .collect()
}

fn wrong_type(doc: &Doc, what: &str, expected: Shape) -> Diagnostic {
    ShapeError::wrong_type(doc, what, expected, Format::Json).at(doc.span, Format::Json)
}

fn element(doc: &Doc, limits: &Limits, diags: &mut Vec<Diagnostic>) -> Option<Node> {
    let Some(entries) = doc.as_map() else {
        diags.push(wrong_type(doc, "an element", Shape::Mapping));
        return None;
    };
    for (k, _) in entries {
        const ELEMENT_KEYS: [&str; 4] = ["id", "type", "properties", "outputs"];
        if !ELEMENT_KEYS.contains(&k.value.as_str()) {
            let error = ShapeError::UnknownKey {
                key: k.value.clone(),
                place: "in an element".into(),
                dropped: true,
                help: did_you_mean(&k.value, ELEMENT_KEYS),
            };
            diags.push(error.at(k.span, Format::Json));
        }
    }
    let id = match doc.get("id") {
        Some(d) => match d.as_str() {
            Some(s) => Spanned::new(s.to_string(), d.span),
            None => {
                diags.push(wrong_type(d, "`id`", Shape::Text));
                return None;
            }
        },
        None => {
            diags.push(NodeError::NoId.at(doc.span));
            return None;
        }
    };
    let Some(ty_doc) = doc.get("type") else {
        let e = NodeError::NoKind {
            format: Format::Json,
            id: id.value.clone(),
        };
        diags.push(e.at(id.span));
        return None;
    };
    let ty = ty_doc.as_str().unwrap_or_default();
    let Some(wire) = Kind::from_wire(ty) else {
        let e = NodeError::UnknownType {
            ty: ty.to_string(),
            meant: crate::diagnostic::suggest(ty, TYPES).map(str::to_string),
        };
        diags.push(e.at(ty_doc.span));
        return None;
    };
    let props = doc.get("properties");
    if let Some(p) = props {
        if p.as_map().is_none() {
            diags.push(wrong_type(p, "`properties`", Shape::Mapping));
        }
    }
    let outputs = doc.get("outputs");
    let out = Outputs::read(&id, wire, outputs, doc.span, diags);
    let mut p = Props {
        doc: props,
        at: id.span,
        diags,
    };
    let kind = match wire {
        Kind::Start => {
            p.allow(&[]);
            NodeKind::Start {
                next: out.get(Slot::Next),
            }
        }
        Kind::End => {
            p.allow(&[]);
            NodeKind::End
        }
        Kind::Conditional => {
            p.allow_hint(&["conditions"], |k| match k {
                "condition" => {
                    Some("the live API drops `condition`; the field is `conditions`".into())
                }
                _ => None,
            });
            let condition = match p.get("conditions") {
                Some(c) => parse_query(c, Format::Json, "", limits.depth(), p.diags)
                    .map(|q| Spanned::new(q, c.span)),
                None => {
                    p.missing(
                        "conditions",
                        "\"conditions\": {\"metadata.plan\": {\"$eq\": \"paid\"}}",
                    );
                    None
                }
            };
            NodeKind::Conditional {
                condition,
                then: out.get(Slot::True),
                otherwise: out.get(Slot::False),
            }
        }
        Kind::Percentage => {
            p.allow(&["sticky"]);
            let sticky = p.get("sticky").and_then(|s| p.string(s, "`sticky`"));
            let branches = out
                .entries
                .iter()
                .map(|(k, t)| Branch::new(k.clone(), t.clone()))
                .collect();
            NodeKind::Percentage { sticky, branches }
        }
        Kind::RateLimit | Kind::Budget => {
            p.allow_hint(&["limitType", "key", "limit", "window", "window_mode"], |k| match k {
                "interval" => Some("the live API drops `interval`; the field is `window` (seconds)".into()),
                "rate_limit" => Some("the live API drops `rate_limit`; the field is `limit`".into()),
                "technique" => Some("the live API drops `technique`; windows are fixed unless `window_mode` says `sliding`".into()),
                _ => None,
            });
            let kind = match p.get("limitType").map(|d| (d, d.as_str())) {
                Some((_, Some("count"))) => LimitKind::Count,
                Some((_, Some("cost"))) => LimitKind::Cost,
                Some((d, _)) => {
                    let meant = d
                        .as_str()
                        .and_then(|s| crate::diagnostic::suggest(s, ["count", "cost"]))
                        .map(str::to_string);
                    p.diags.push(NodeError::BadLimitType { meant }.at(d.span));
                    LimitKind::Count
                }
                None => {
                    p.missing("limitType", "\"limitType\": \"count\"");
                    LimitKind::Count
                }
            };
            let mode = p
                .get("window_mode")
                .and_then(|d| crate::syntax::words::read(d, WindowMode::parse, p.diags));
            NodeKind::Limit(Limit {
                kind,
                key: p.get("key").and_then(|k| p.string(k, "`key`")),
                limit: p.number("limit", "\"limit\": 100"),
                window: p.number("window", "\"window\": 3600"),
                mode,
                success: out.get(Slot::Success),
                fallback: out.get(Slot::Fallback),
            })
        }
        _ => {
            p.allow(&["provider", "model", "timeout", "retries"]);
            let provider = p.required_string("provider", "\"provider\": \"openai\"");
            let model = p.required_string("model", "\"model\": \"gpt-4.1\"");
            NodeKind::Model(Model {
                provider,
                model,
                timeout: p.number("timeout", "\"timeout\": 60000"),
                retries: p.number("retries", "\"retries\": 1"),
                success: out.get(Slot::Success),
                fallback: out.get(Slot::Fallback),
            })
        }
    };
    Some(Node {
        id,
        kind,
        span: doc.span,
    })
}
