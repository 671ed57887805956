//! The gateway's dashboard API: a real HTTP client ([`Client`]), the route,
//! version and deployment calls ([`dashboard`]), content hashes of what the
//! gateway stores, and mapping the service's validation errors back to the
//! source file.

mod base;
pub mod client;
pub mod dashboard;
mod list;
mod locate;
mod policy;
mod untrusted;

pub use base::{ApiBase, segment};
pub use client::{Client, DEFAULT_BASE, Limits, Pause, Posted, RetryPolicy, Sleep, Token};
pub use dashboard::{DeploymentInfo, RouteInfo, VersionInfo, elements_of};
pub use locate::locate;
pub use untrusted::{ErrorItem, MESSAGE_CAP, Scrub};

use crate::ordered::Json;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::source::SourceMap;
use crate::syntax::ast::{NodeKind, Route};
use crate::syntax::{Format, Limits as SyntaxLimits};

/// What went wrong talking to the API. Every text in it that came from the
/// service is already scrubbed of the token, capped and escaped; requests are
/// named `METHOD host/path`. [`ApiError::exit_code`] gives the exit class.
#[derive(Clone, Debug, thiserror::Error)]
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
        /// Method, host and path.
        request: String,
        /// What happened.
        message: String,
    },
    /// The service answered with an error (or HTTP 200 with `"success": false`).
    #[error("{request}: HTTP {status}{}", describe(errors))]
    Status {
        /// Method, host and path.
        request: String,
        /// HTTP status.
        status: u16,
        /// The envelope's errors.
        errors: Vec<ErrorItem>,
    },
    /// The service asked to wait longer than this tool waits.
    #[error(
        "{request}: the service asks to retry after {seconds} s (Retry-After), more than the {cap} s this tool waits; try again later"
    )]
    RetryRefused {
        /// Method, host and path.
        request: String,
        /// The wait asked for.
        seconds: u64,
        /// The longest wait honoured.
        cap: u64,
    },
    /// Retrying would take longer than the retry budget.
    #[error("{error} (gave up after waiting {waited} s in all)")]
    GaveUp {
        /// The last failure.
        error: Box<ApiError>,
        /// Seconds waited before giving up.
        waited: u64,
    },
    /// The answer does not hold what it should.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
    /// A list could not be read to its end; nothing may be concluded from it.
    #[error(
        "{request}: the list cannot be read to its end: {why}; nothing was concluded from the part read"
    )]
    Incomplete {
        /// Method, host and path of the list.
        request: String,
        /// Why.
        why: String,
    },
    /// Something named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A name matches more than one thing.
    #[error("{0}")]
    Ambiguous(String),
    /// A POST failed, and listing again showed it did not take effect.
    #[error("{error}; listing again shows it did not take effect, so nothing changed")]
    NotApplied {
        /// Method, host and path of the POST.
        request: String,
        /// Its failure.
        error: Box<ApiError>,
    },
    /// A POST failed, and whether it took effect cannot be told.
    #[error(
        "{error}; whether it took effect cannot be told ({check}): look at the gateway in the dashboard before running again"
    )]
    Unconfirmed {
        /// Method, host and path of the POST.
        request: String,
        /// Its failure.
        error: Box<ApiError>,
        /// Why listing again failed.
        check: Box<ApiError>,
    },
}

impl ApiError {
    /// The exit code: `1` the service rejected the request (4xx) or something
    /// named does not exist, `2` usage (no token, a bad API root or id), `3` the
    /// service could not be reached or kept failing (transport, 5xx or 429 after
    /// retries, answers that cannot be read).
    pub fn exit_code(&self) -> u8 {
        match self {
            ApiError::NoToken | ApiError::BadBase(_) => 2,
            ApiError::Status { status, .. } if *status == 429 || *status >= 500 => 3,
            ApiError::Status { .. } | ApiError::NotFound(_) | ApiError::Ambiguous(_) => 1,
            ApiError::NotApplied { error, .. } => error.exit_code(),
            _ => 3,
        }
    }

    /// The failure in a few words: `HTTP 503`, or the message.
    pub fn cause(&self) -> String {
        match self {
            ApiError::Status { status, .. } => format!("HTTP {status}"),
            ApiError::Transport { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
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
        if let Some(props) = e.get_mut("properties").and_then(Json::as_object_mut) {
            props.remove("sticky");
            props.remove("window_mode");
            if props.is_empty() {
                if let Some(o) = e.as_object_mut() {
                    o.remove("properties");
                }
            }
        }
    }
    // `serde_json` keeps this order because the `api` feature turns on its
    // `preserve_order` (the server's answers must keep theirs too).
    Ok(elements.iter().map(Json::to_value).collect())
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
    let read = crate::syntax::parse(&sources, id, Format::Json, &SyntaxLimits::default());
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
