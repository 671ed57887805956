//! The service's validation errors point into the request body
//! (`["body","elements",3,"properties","provider"]`); this finds that field in
//! the user's file.

use serde_json::Value;

use crate::source::Span;
use crate::syntax::ast::{NodeKind, Route};

/// The span in `route`'s source of the field at an error `path` of the body we
/// sent (elements are sent in the route's node order).
pub fn locate(route: &Route, path: &[Value]) -> Option<Span> {
    let mut parts = path.iter();
    let mut next = || parts.next();
    if next()?.as_str() != Some("body") {
        return None;
    }
    match next()?.as_str()? {
        "name" => return Some(route.name.span),
        "elements" => {}
        _ => return None,
    }
    let node = route.nodes.get(usize::try_from(next()?.as_u64()?).ok()?)?;
    let field = next().and_then(Value::as_str);
    let key = next().and_then(Value::as_str);
    let span = match (field, key, &node.kind) {
        (Some("properties"), Some(k), NodeKind::Model(m)) => match k {
            "provider" => Some(m.provider.span),
            "model" => Some(m.model.span),
            "timeout" => m.timeout.as_ref().map(|t| t.span),
            "retries" => m.retries.as_ref().map(|t| t.span),
            _ => None,
        },
        (Some("properties"), Some(k), NodeKind::Limit(l)) => match k {
            "limit" => l.limit.as_ref().map(|v| v.span),
            "window" => l.window.as_ref().map(|v| v.span),
            "key" => l.key.as_ref().map(|v| v.span),
            _ => None,
        },
        (Some("properties"), Some("conditions"), NodeKind::Conditional { condition, .. }) => {
            condition.as_ref().map(|c| c.span)
        }
        (Some("outputs"), Some(name), kind) => kind
            .outputs()
            .into_iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, t)| t.map(|t| t.span)),
        _ => None,
    };
    Some(span.unwrap_or(node.id.span))
}
