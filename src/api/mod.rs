//! The gateway's dashboard API: a real HTTP client ([`Client`]), the route,
//! version and deployment calls ([`dashboard`]), content hashes of what the
//! gateway stores, and mapping the service's validation errors back to the
//! source file.

pub mod client;
pub mod dashboard;
mod locate;

pub use client::{Client, DEFAULT_BASE, ErrorItem, Token};
pub use dashboard::{DeploymentInfo, RouteInfo, VersionInfo, elements_of};
pub use locate::locate;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::source::SourceMap;
use crate::syntax::ast::{NodeKind, Route};
use crate::syntax::{Format, Limits};

/// What went wrong talking to the API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// `CLOUDFLARE_API_TOKEN` is not set.
    #[error(
        "set CLOUDFLARE_API_TOKEN to an API token with AI Gateway permissions (it is read from the environment only)"
    )]
    NoToken,
    /// The API root or an id cannot be used.
    #[error("{0}")]
    BadBase(String),
    /// The request never got an HTTP answer.
    #[error("{request}: {message}")]
    Transport {
        /// Method and path.
        request: String,
        /// What happened.
        message: String,
    },
    /// The service answered with an error (or HTTP 200 with `"success": false`).
    #[error("{request}: HTTP {status}{}", describe(errors))]
    Status {
        /// Method and path.
        request: String,
        /// HTTP status.
        status: u16,
        /// The envelope's errors.
        errors: Vec<ErrorItem>,
    },
    /// The answer does not hold what it should.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
    /// Something named does not exist.
    #[error("{0}")]
    NotFound(String),
}

fn describe(errors: &[ErrorItem]) -> String {
    errors
        .iter()
        .map(|e| {
            let path = if e.path.is_empty() {
                String::new()
            } else {
                format!(" at {}", Value::Array(e.path.clone()))
            };
            format!("; error {}: {}{path}", e.code, e.message)
        })
        .collect()
}

/// The elements as the gateway stores them: our export, without the properties
/// the live API drops (`sticky`, `window_mode`) and without our `metadata` types.
pub fn wire_elements(route: &Route) -> Result<Vec<Value>, crate::emit::ExportError> {
    let mut elements = crate::emit::elements(route)?;
    for e in &mut elements {
        if let Some(Value::Object(props)) = e.get_mut("properties") {
            props.remove("sticky");
            props.remove("window_mode");
            if props.is_empty() {
                if let Value::Object(o) = e {
                    o.remove("properties");
                }
            }
        }
    }
    Ok(elements)
}

/// SHA-256 (hex) of the compact JSON of canonical elements.
pub fn content_hash(elements: &[Value]) -> String {
    let text = Value::Array(elements.to_vec()).to_string();
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads elements from the API as a route (for comparison, diffs and `pull`).
pub fn route_from_elements(name: &str, elements: &[Value]) -> Result<Route, String> {
    let text =
        serde_json::to_string_pretty(&serde_json::json!({"name": name, "elements": elements}))
            .unwrap_or_default();
    let mut sources = SourceMap::new();
    let id = sources.add(format!("{name} (deployed)"), text);
    let read = crate::syntax::parse(&sources, id, Format::Json, &Limits::default());
    match (read.parsed, read.diagnostics.iter().find(|d| d.is_error())) {
        (Some(p), None) => Ok(p.route),
        (_, Some(d)) => Err(format!("{}: {}", d.code, d.message)),
        (None, None) => Err("the elements cannot be read".into()),
    }
}

/// The canonical wire elements of elements fetched from the API (so they compare
/// equal to ours when they mean the same), or the elements as they are.
pub fn canonical_remote(name: &str, elements: &[Value]) -> Vec<Value> {
    route_from_elements(name, elements)
        .ok()
        .and_then(|r| wire_elements(&r).ok())
        .unwrap_or_else(|| elements.to_vec())
}

/// Features of `route` the hosted gateway drops or may not honour.
pub fn not_honoured(route: &Route) -> Vec<String> {
    let mut out = Vec::new();
    for n in &route.nodes {
        match &n.kind {
            NodeKind::Percentage {
                sticky: Some(s), ..
            } => out.push(format!(
                "split `{}` is sticky on `{}`; the gateway drops `sticky` and will split at random",
                n.id.value, s.value
            )),
            NodeKind::Limit(l)
                if l.mode
                    .as_ref()
                    .is_some_and(|m| m.value == crate::syntax::ast::WindowMode::Sliding) =>
            {
                out.push(format!("`{}` uses a sliding window; the gateway drops `window_mode` and may count in fixed windows", n.id.value));
            }
            _ => {}
        }
    }
    out
}
