//! Syntax tree → the gateway's JSON wire format, exactly as the dashboard API
//! accepts it: every element with `outputs` (`{}` on an end), both outputs of
//! rate and model elements, shares as unique `"NN%"` keys.

use serde_json::{Map, Value, json};

use crate::source::Spanned;
use crate::syntax::ast::{LimitKind, NodeKind, Route, WindowMode};
use crate::syntax::cond::{number_json, to_mongo};
use crate::syntax::values::{parse_share, share_forms};

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
pub fn to_json(route: &Route) -> Result<Value, ExportError> {
    let mut top = Map::new();
    top.insert("name".into(), Value::String(route.name.value.clone()));
    if !route.metadata.is_empty() {
        let types: Map<String, Value> = route
            .metadata
            .iter()
            .map(|(k, t)| (k.value.clone(), Value::String(t.value.as_str().into())))
            .collect();
        top.insert("metadata".into(), Value::Object(types));
    }
    top.insert("elements".into(), Value::Array(elements(route)?));
    Ok(Value::Object(top))
}

/// The elements array alone, as `POST /routes/{id}/versions` takes it.
pub fn elements(route: &Route) -> Result<Vec<Value>, ExportError> {
    route
        .nodes
        .iter()
        .map(|n| element(&n.id.value, &n.kind))
        .collect()
}

fn out(target: Option<&Spanned<String>>) -> Value {
    json!({"elementId": target.map_or("", |t| t.value.as_str())})
}

fn element(id: &str, kind: &NodeKind) -> Result<Value, ExportError> {
    let mut e = Map::new();
    e.insert("id".into(), Value::String(id.to_string()));
    let (ty, props, outputs): (&str, Option<Value>, Map<String, Value>) = match kind {
        NodeKind::Start { next } => (
            "start",
            None,
            [("next".to_string(), out(next.as_ref()))]
                .into_iter()
                .collect(),
        ),
        NodeKind::End => ("end", None, Map::new()),
        NodeKind::Conditional {
            condition,
            then,
            otherwise,
        } => (
            "conditional",
            Some(
                json!({"conditions": condition.as_ref().map_or(json!({}), |c| to_mongo(&c.value))}),
            ),
            [
                ("true".to_string(), out(then.as_ref())),
                ("false".to_string(), out(otherwise.as_ref())),
            ]
            .into_iter()
            .collect(),
        ),
        NodeKind::Percentage { sticky, branches } => {
            let mut outputs = Map::new();
            for b in branches {
                let key = share_key(id, &b.share.value, &outputs)?;
                outputs.insert(key, out(Some(&b.target)));
            }
            let props = sticky.as_ref().map(|s| json!({"sticky": s.value}));
            ("percentage", props, outputs)
        }
        NodeKind::Limit(l) => {
            let mut p = Map::new();
            p.insert(
                "limitType".into(),
                Value::String(
                    if l.kind == LimitKind::Cost {
                        "cost"
                    } else {
                        "count"
                    }
                    .into(),
                ),
            );
            if let Some(k) = &l.key {
                p.insert("key".into(), Value::String(k.value.clone()));
            }
            p.insert(
                "limit".into(),
                number_json(l.limit.as_ref().map_or(0.0, |v| v.value)),
            );
            p.insert(
                "window".into(),
                number_json(l.window.as_ref().map_or(0.0, |v| v.value)),
            );
            if let Some(m) = &l.mode {
                let mode = if m.value == WindowMode::Sliding {
                    "sliding"
                } else {
                    "fixed"
                };
                p.insert("window_mode".into(), Value::String(mode.into()));
            }
            (
                "rate",
                Some(Value::Object(p)),
                [
                    ("success".to_string(), out(l.success.as_ref())),
                    ("fallback".to_string(), out(l.fallback.as_ref())),
                ]
                .into_iter()
                .collect(),
            )
        }
        NodeKind::Model(m) => (
            "model",
            Some(json!({
                "provider": m.provider.value,
                "model": m.model.value,
                "timeout": number_json(m.timeout.as_ref().map_or(0.0, |v| v.value)),
                "retries": number_json(m.retries.as_ref().map_or(0.0, |v| v.value)),
            })),
            [
                ("success".to_string(), out(m.success.as_ref())),
                ("fallback".to_string(), out(m.fallback.as_ref())),
            ]
            .into_iter()
            .collect(),
        ),
    };
    e.insert("type".into(), Value::String(ty.into()));
    if let Some(p) = props {
        e.insert("properties".into(), p);
    }
    e.insert("outputs".into(), Value::Object(outputs));
    Ok(Value::Object(e))
}

/// The written share when it is free, else the next unused spelling of it.
fn share_key(node: &str, written: &str, taken: &Map<String, Value>) -> Result<String, ExportError> {
    let Ok(basis) = parse_share(written) else {
        return Ok(written.to_string());
    };
    if !taken.contains_key(written) {
        return Ok(written.to_string());
    }
    let forms = share_forms(basis);
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
