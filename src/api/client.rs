//! A blocking HTTP client for the dashboard API (ureq, rustls) that treats the
//! service as untrusted: bodies read up to a cap, texts scrubbed of the token,
//! `success: false` on HTTP 200 caught, 429 and 5xx retried within a bounded
//! total wait that honours `Retry-After` up to a cap, and POSTs never resent
//! blindly (the caller says how to learn whether a failed POST took effect).

use std::fmt;
use std::io::Read as _;
use std::time::Duration;

use serde_json::Value;

use super::ApiError;
use super::base::ApiBase;
pub use super::policy::{Limits, Pause, RetryPolicy, Sleep, wait_notice};
use super::untrusted::{Scrub, errors_of};

/// The API token. Its `Debug` and `Display` never show it.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Wraps a token (from `CLOUDFLARE_API_TOKEN`).
    pub fn new(token: String) -> Self {
        Token(token)
    }

    /// Reads `CLOUDFLARE_API_TOKEN`.
    pub fn from_env() -> Result<Token, ApiError> {
        match std::env::var("CLOUDFLARE_API_TOKEN") {
            Ok(t) if !t.trim().is_empty() => Ok(Token(t.trim().to_string())),
            _ => Err(ApiError::NoToken),
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The default API root.
pub const DEFAULT_BASE: &str = "https://api.cloudflare.com/client/v4";

/// What one attempt came to.
enum Attempt {
    /// A successful envelope.
    Done(Value, usize),
    /// The service refused it (4xx other than 429): sending it again would not help.
    Rejected(ApiError),
    /// It failed in a way that may pass on another attempt (`retry`), or may not.
    Failed {
        error: ApiError,
        retry_after: Option<u64>,
        retry: bool,
    },
}

/// The answer to a POST: the service's own, or, after a failed attempt, what
/// listing again found.
#[derive(Debug)]
pub enum Posted<T> {
    /// The service answered with this envelope.
    Answered(Value),
    /// An attempt failed, but listing again showed that it took effect.
    Confirmed(T),
}

/// A client for one account's gateway.
pub struct Client {
    agent: ureq::Agent,
    base: ApiBase,
    gateway_path: String,
    token: Token,
    scrub: Scrub,
    /// Retries.
    pub retry: RetryPolicy,
    /// Reading bounds.
    pub limits: Limits,
    pause: Box<dyn Pause>,
    trace: Option<Box<dyn Fn(&str) + Send + Sync>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("gateway_path", &self.gateway_path)
            .field("token", &self.token)
            .field("retry", &self.retry)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `/accounts/{account}/ai-gateway/gateways/{gateway}` under `base`.
    pub fn new(
        base: &str,
        account: &str,
        gateway: &str,
        token: Token,
        timeout: Duration,
    ) -> Result<Client, ApiError> {
        let base = ApiBase::parse(base)?;
        for (what, v) in [("account", account), ("gateway", gateway)] {
            if v.is_empty()
                || v.len() > 128
                || !v
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                let shown: String = v.chars().take(64).collect();
                return Err(ApiError::BadBase(format!(
                    "the {what} id `{}` must be letters, digits, `-` or `_`",
                    crate::escape::terminal(&shown)
                )));
            }
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
            .max_redirects(0)
            .user_agent(concat!("aig-route/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Client {
            agent: ureq::Agent::new_with_config(config),
            base,
            gateway_path: format!("/accounts/{account}/ai-gateway/gateways/{gateway}"),
            scrub: Scrub::new(&token.0),
            token,
            retry: RetryPolicy::default(),
            limits: Limits::default(),
            pause: Box::new(Sleep),
            trace: None,
        })
    }

    /// Calls `trace` with one line per request sent (`GET host/path?query → HTTP
    /// 200`), for `-v`. The line holds no header, so never the token; ids in it
    /// are percent-encoded, but a caller printing it still escapes it.
    pub fn with_trace(mut self, trace: Box<dyn Fn(&str) + Send + Sync>) -> Client {
        self.trace = Some(trace);
        self
    }

    /// Replaces how the client waits between attempts.
    pub fn with_pause(mut self, pause: Box<dyn Pause>) -> Client {
        self.pause = pause;
        self
    }

    /// The host requests go to.
    pub fn host(&self) -> &str {
        self.base.host()
    }

    /// `METHOD host/path` for messages.
    pub(super) fn request_name(&self, method: &str, path: &str) -> String {
        format!(
            "{method} {}",
            self.base.describe(&format!("{}{path}", self.gateway_path))
        )
    }

    /// GETs `path` (under the gateway), retrying what may pass on another attempt,
    /// and returns the envelope with its size in bytes.
    pub fn get(&self, path: &str) -> Result<(Value, usize), ApiError> {
        let request = self.request_name("GET", path);
        let mut waited = Duration::ZERO;
        let attempts = self.retry.attempts.max(1);
        for n in 1..=attempts {
            match self.attempt(path, None, &request) {
                Attempt::Done(doc, size) => return Ok((doc, size)),
                Attempt::Rejected(e) => return Err(e),
                Attempt::Failed { error, retry, .. } if !retry || n == attempts => {
                    return Err(error);
                }
                Attempt::Failed {
                    error, retry_after, ..
                } => self.before_retry(n, retry_after, &mut waited, &request, &error)?,
            }
        }
        unreachable!("the last attempt returns")
    }

    /// POSTs `body` to `path`. A POST is not idempotent, so a failed or
    /// unanswered attempt is never simply sent again: `took_effect` lists again
    /// to learn whether it happened; if it did, that is the answer, and only if
    /// it did not is the POST sent again (within the retry policy).
    pub fn post<T>(
        &self,
        path: &str,
        body: &Value,
        mut took_effect: impl FnMut() -> Result<Option<T>, ApiError>,
    ) -> Result<Posted<T>, ApiError> {
        let request = self.request_name("POST", path);
        let mut waited = Duration::ZERO;
        let attempts = self.retry.attempts.max(1);
        for n in 1..=attempts {
            let (error, retry_after, retry) = match self.attempt(path, Some(body), &request) {
                Attempt::Done(doc, _) => return Ok(Posted::Answered(doc)),
                Attempt::Rejected(e) => return Err(e),
                Attempt::Failed {
                    error,
                    retry_after,
                    retry,
                } => (error, retry_after, retry),
            };
            match took_effect() {
                Ok(Some(found)) => return Ok(Posted::Confirmed(found)),
                Ok(None) => {}
                Err(check) => {
                    return Err(ApiError::Unconfirmed {
                        request,
                        error: Box::new(error),
                        check: Box::new(check),
                    });
                }
            }
            if !retry || n == attempts {
                return Err(ApiError::NotApplied {
                    request,
                    error: Box::new(error),
                });
            }
            // A wait refused (Retry-After past the cap, or the budget spent) ends
            // the POST too: listing showed it did not take effect, so say so.
            if let Err(refused) = self.before_retry(n, retry_after, &mut waited, &request, &error) {
                return Err(ApiError::NotApplied {
                    request,
                    error: Box::new(refused),
                });
            }
        }
        unreachable!("the last attempt returns")
    }

    /// Waits before attempt `n + 1`, or fails when the wait asked for is too long
    /// or the total would exceed the budget.
    fn before_retry(
        &self,
        n: u32,
        retry_after: Option<u64>,
        waited: &mut Duration,
        request: &str,
        error: &ApiError,
    ) -> Result<(), ApiError> {
        let wait = match retry_after {
            Some(s) if Duration::from_secs(s) > self.retry.max_retry_after => {
                return Err(ApiError::RetryRefused {
                    request: request.to_string(),
                    seconds: s,
                    cap: self.retry.max_retry_after.as_secs(),
                });
            }
            Some(s) => Duration::from_secs(s),
            None => self
                .retry
                .backoff
                .saturating_mul(2u32.saturating_pow(n.saturating_sub(1))),
        };
        if *waited + wait > self.retry.budget {
            return Err(ApiError::GaveUp {
                error: Box::new(error.clone()),
                waited: waited.as_secs(),
            });
        }
        *waited += wait;
        self.pause.pause(
            wait,
            &format!("{request} (attempt {n} failed: {})", error.cause()),
        );
        Ok(())
    }

    fn traced(&self, request: &str, outcome: &str) {
        if let Some(t) = &self.trace {
            t(&self.scrub.text(&format!("{request} → {outcome}")));
        }
    }

    fn attempt(&self, path: &str, body: Option<&Value>, request: &str) -> Attempt {
        let transport = |message: String| Attempt::Failed {
            error: ApiError::Transport {
                request: request.to_string(),
                message: self.scrub.text(&message),
            },
            retry_after: None,
            retry: true,
        };
        let url = self.base.url(&format!("{}{path}", self.gateway_path));
        let auth = format!("Bearer {}", self.token.0);
        let sent = match body {
            None => self.agent.get(&url).header("Authorization", &auth).call(),
            Some(b) => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .header("Content-Type", "application/json")
                .send(b.to_string().as_str()),
        };
        let mut resp = match sent {
            Ok(r) => r,
            Err(e) => {
                let words = transport_words(&e);
                self.traced(request, &words);
                return transport(words);
            }
        };
        let status = resp.status().as_u16();
        self.traced(request, &format!("HTTP {status}"));
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let ok = (200..300).contains(&status);
        let cap = if ok {
            self.limits.max_body
        } else {
            self.limits.max_error_body
        };
        let mut bytes = Vec::new();
        let read = resp
            .body_mut()
            .as_reader()
            .take((cap as u64).saturating_add(1))
            .read_to_end(&mut bytes);
        if let Err(e) = read {
            return transport(format!("reading the answer failed: {}", e.kind()));
        }
        if ok && bytes.len() > cap {
            return Attempt::Failed {
                error: ApiError::Unexpected(format!(
                    "{request}: the answer is larger than {}; nothing of it was used",
                    size_words(cap)
                )),
                retry_after: None,
                retry: false,
            };
        }
        bytes.truncate(cap);
        let text = String::from_utf8_lossy(&bytes);
        let status_error = || ApiError::Status {
            request: request.to_string(),
            status,
            errors: errors_of(&text, &self.scrub),
        };
        if status == 429 || status >= 500 {
            return Attempt::Failed {
                error: status_error(),
                retry_after,
                retry: true,
            };
        }
        if !ok {
            return Attempt::Rejected(status_error());
        }
        let doc: Value = match serde_json::from_str(&text) {
            Ok(d) => d,
            Err(e) => {
                return Attempt::Failed {
                    error: ApiError::Unexpected(format!(
                        "{request}: HTTP {status}, but the answer is not JSON ({e})"
                    )),
                    retry_after: None,
                    retry: false,
                };
            }
        };
        if doc.get("success").and_then(Value::as_bool) == Some(false) {
            // HTTP 200 with `success: false` happens; what it means for a POST
            // is unknown, so it is not treated as a plain rejection.
            return Attempt::Failed {
                error: status_error(),
                retry_after: None,
                retry: false,
            };
        }
        Attempt::Done(doc, bytes.len())
    }
}

/// A byte count in words: `16 MB`, `64 KB`, `900 bytes`.
pub(super) fn size_words(n: usize) -> String {
    match n {
        n if n >= 1 << 20 => format!("{} MB", n >> 20),
        n if n >= 1 << 10 => format!("{} KB", n >> 10),
        n => format!("{n} bytes"),
    }
}

/// A transport error in words, never with headers (which carry the token).
fn transport_words(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "the request timed out".into(),
        ureq::Error::Io(io) => format!("connection failed: {}", io.kind()),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        other => format!("{other}")
            .lines()
            .next()
            .unwrap_or("request failed")
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_print() {
        let t = Token::new("secret-123".into());
        assert!(!format!("{t:?} {t}").contains("secret"));
        let c = Client::new(
            "https://api.example.com",
            "a",
            "g",
            t,
            Duration::from_secs(1),
        )
        .unwrap();
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn only_long_waits_are_announced() {
        assert_eq!(wait_notice(Duration::from_secs(2), "GET x"), None);
        assert_eq!(
            wait_notice(Duration::from_secs(5), "GET x").as_deref(),
            Some("waiting 5.0 s before retrying GET x")
        );
    }
}
