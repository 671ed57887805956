//! Syntax tree → the gateway's JSON wire format, exactly as the dashboard API
//! accepts it: every element with `outputs` (`{}` on an end), both outputs of
//! rate and model elements, shares as unique `"NN%"` keys.

use crate::ordered::{Json, Object, number};

use crate::source::Spanned;
use crate::syntax::ast::{Branch, LimitKind, NodeKind, Route, WindowMode};
use crate::syntax::cond::to_mongo;

/// Why a route cannot be written as gateway JSON.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum ExportError {
    /// More equal shares than there are ways to write them (`25%`, `25.0%`, `25.00%`).
    #[error(
        "split `{node}` has more shares of {share} than the wire format can tell apart (at most {forms})"
    )]
    EqualShares {
        /// The percentage node.
        node: String,
        /// The share.
        share: String,
        /// How many distinct spellings exist.
        forms: usize,
    },
}

/// The route as `{"name", "elements"}`.
pub fn to_json(route: &Route) -> Result<Json, ExportError> {
    let mut top = Object::new().with("name", route.name.value.clone());
    if !route.metadata.is_empty() {
        let mut types = Object::new();
        for (k, t) in &route.metadata {
            types.insert(k.value.clone(), t.value.as_str());
        }
        top.insert("metadata", types);
    }
    top.insert("elements", Json::Arr(elements(route)?));
    Ok(Json::Obj(top))
}

/// The elements array alone, as `POST /routes/{id}/versions` takes it.
pub fn elements(route: &Route) -> Result<Vec<Json>, ExportError> {
    route
        .nodes
        .iter()
        .map(|n| element(&n.id.value, &n.kind))
        .collect()
}

fn out(target: Option<&Spanned<String>>) -> Json {
    Object::new()
        .with("elementId", target.map_or("", |t| t.value.as_str()))
        .into()
}

fn element(id: &str, kind: &NodeKind) -> Result<Json, ExportError> {
    let mut e = Object::new().with("id", id);
    // Named outputs as the wire names them; a split's shares are its keys.
    let mut outputs = Object::new();
    for (slot, target) in kind.slots() {
        if let Some(name) = slot.wire() {
            outputs.insert(name, out(target));
        }
    }
    let props: Option<Json> = match kind {
        NodeKind::Start { .. } | NodeKind::End => None,
        NodeKind::Conditional { condition, .. } => Some(
            Object::new()
                .with(
                    "conditions",
                    condition
                        .as_ref()
                        .map_or(Json::Obj(Object::new()), |c| to_mongo(&c.value)),
                )
                .into(),
        ),
        NodeKind::Percentage { sticky, branches } => {
            for b in branches {
                let key = share_key(id, b, &outputs)?;
                outputs.insert(key, out(Some(&b.target)));
            }
            sticky
                .as_ref()
                .map(|s| Object::new().with("sticky", s.value.clone()).into())
        }
        NodeKind::Limit(l) => {
            let kind = if l.kind == LimitKind::Cost {
                "cost"
            } else {
                "count"
            };
            let mut p = Object::new().with("limitType", kind);
            if let Some(k) = &l.key {
                p.insert("key", k.value.clone());
            }
            p.insert("limit", number(l.limit.as_ref().map_or(0.0, |v| v.value)));
            p.insert("window", number(l.window.as_ref().map_or(0.0, |v| v.value)));
            if let Some(m) = &l.mode {
                let mode = if m.value == WindowMode::Sliding {
                    "sliding"
                } else {
                    "fixed"
                };
                p.insert("window_mode", mode);
            }
            Some(p.into())
        }
        NodeKind::Model(m) => Some(
            Object::new()
                .with("provider", m.provider.value.clone())
                .with("model", m.model.value.clone())
                .with(
                    "timeout",
                    number(m.timeout.as_ref().map_or(0.0, |v| v.value)),
                )
                .with(
                    "retries",
                    number(m.retries.as_ref().map_or(0.0, |v| v.value)),
                )
                .into(),
        ),
    };
    let ty = kind.kind().wire();
    e.insert("type", ty);
    if let Some(p) = props {
        e.insert("properties", p);
    }
    e.insert("outputs", outputs);
    Ok(Json::Obj(e))
}

/// The written share when it is free, else the next unused spelling of it.
fn share_key(node: &str, branch: &Branch, taken: &Object) -> Result<String, ExportError> {
    let written = branch.share.value.as_str();
    let Ok(share) = branch.parsed else {
        return Ok(written.to_string());
    };
    if !taken.contains_key(written) {
        return Ok(written.to_string());
    }
    let forms = share.forms();
    let n = forms.len();
    forms
        .into_iter()
        .find(|f| !taken.contains_key(f))
        .ok_or_else(|| ExportError::EqualShares {
            node: node.to_string(),
            share: written.to_string(),
            forms: n,
        })
}
