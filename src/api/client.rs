//! A blocking HTTP client for the dashboard API (ureq, rustls), with the quirks
//! of the real service handled in one place: `success: false` on HTTP 200, two
//! envelope shapes, 429 and 5xx retried with backoff that honours `Retry-After`.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::ApiError;

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

/// One error entry of the envelope.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorItem {
    /// The service's code, such as `7001`.
    pub code: i64,
    /// Its message, such as `Required`.
    pub message: String,
    /// Where in the request body, such as `["body","elements",3,"properties","provider"]`.
    pub path: Vec<Value>,
}

/// The default API root.
pub const DEFAULT_BASE: &str = "https://api.cloudflare.com/client/v4";

/// A client for one account's gateway.
#[derive(Debug)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    gateway_path: String,
    token: Token,
    /// Attempts per request on 429, 5xx and transport failures.
    pub attempts: u32,
    /// First backoff when the service gives no `Retry-After`.
    pub backoff: Duration,
}

/// Whether `base` may be used: https anywhere, plain http only to loopback.
pub fn check_base(base: &str) -> Result<(), ApiError> {
    if base.starts_with("https://") {
        return Ok(());
    }
    let Some(rest) = base.strip_prefix("http://") else {
        return Err(ApiError::BadBase(format!("`{base}` is not an http(s) URL")));
    };
    let host = rest.split('/').next().unwrap_or("");
    let host = if host.starts_with('[') {
        host.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h).to_string()
    };
    let loopback = host == "localhost"
        || host == "[::1]"
        || host.split('.').next() == Some("127") && host.split('.').count() == 4;
    if loopback {
        Ok(())
    } else {
        Err(ApiError::BadBase(format!(
            "plain http is accepted only for loopback addresses, not `{host}`; use https"
        )))
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
        check_base(base)?;
        for (what, v) in [("account", account), ("gateway", gateway)] {
            if v.is_empty()
                || !v
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(ApiError::BadBase(format!(
                    "the {what} id `{v}` must be letters, digits, `-` or `_`"
                )));
            }
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(Duration::from_secs(10)))
            .max_redirects(0)
            .user_agent(concat!("aig-route/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Client {
            agent: ureq::Agent::new_with_config(config),
            base: base.trim_end_matches('/').to_string(),
            gateway_path: format!("/accounts/{account}/ai-gateway/gateways/{gateway}"),
            token,
            attempts: 4,
            backoff: Duration::from_millis(500),
        })
    }

    /// Sends a request to `path` (under the gateway) and returns the whole envelope
    /// after checking `success`.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, ApiError> {
        let url = format!("{}{}{}", self.base, self.gateway_path, path);
        let what = format!("{method} {path}");
        let mut last = ApiError::Transport {
            request: what.clone(),
            message: "no attempt made".into(),
        };
        for attempt in 0..self.attempts.max(1) {
            let sent = self.send(method, &url, body);
            let (status, retry_after, text) = match sent {
                Ok(r) => r,
                Err(message) => {
                    last = ApiError::Transport {
                        request: what.clone(),
                        message,
                    };
                    self.pause(attempt, None);
                    continue;
                }
            };
            if status == 429 || status >= 500 {
                last = ApiError::Status {
                    request: what.clone(),
                    status,
                    errors: errors_of(&text),
                };
                if attempt + 1 < self.attempts {
                    self.pause(attempt, retry_after);
                }
                continue;
            }
            let doc: Value = serde_json::from_str(&text).map_err(|e| ApiError::Transport {
                request: what.clone(),
                message: format!("HTTP {status}: the response is not JSON ({e})"),
            })?;
            let success = doc.get("success").and_then(Value::as_bool);
            if !(200..300).contains(&status) || success == Some(false) {
                return Err(ApiError::Status {
                    request: what,
                    status,
                    errors: errors_of(&text),
                });
            }
            return Ok(doc);
        }
        Err(last)
    }

    fn send(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Option<u64>, String), String> {
        let auth = format!("Bearer {}", self.token.0);
        let result = match (method, body) {
            ("GET", _) => self.agent.get(url).header("Authorization", &auth).call(),
            ("DELETE", _) => self.agent.delete(url).header("Authorization", &auth).call(),
            (m, b) => {
                let text = b.map_or_else(|| "{}".to_string(), Value::to_string);
                let req = match m {
                    "PATCH" => self.agent.patch(url),
                    "PUT" => self.agent.put(url),
                    _ => self.agent.post(url),
                };
                req.header("Authorization", &auth)
                    .header("Content-Type", "application/json")
                    .send(text.as_str())
            }
        };
        let mut resp = result.map_err(|e| transport_words(&e))?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let text = resp
            .body_mut()
            .with_config()
            .limit(32 << 20)
            .read_to_string()
            .map_err(|e| transport_words(&e))?;
        Ok((status, retry_after, text))
    }

    fn pause(&self, attempt: u32, retry_after: Option<u64>) {
        let wait = match retry_after {
            Some(s) => Duration::from_secs(s.min(60)),
            None => self.backoff * 2u32.saturating_pow(attempt),
        };
        std::thread::sleep(wait.min(Duration::from_secs(60)));
    }
}

/// A transport error in words, never with headers (which carry the token).
fn transport_words(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "the request timed out".into(),
        ureq::Error::Io(io) => format!("connection failed: {}", io.kind()),
        ureq::Error::HostNotFound => "host not found".into(),
        other => format!("{other}")
            .lines()
            .next()
            .unwrap_or("request failed")
            .to_string(),
    }
}

/// The envelope's `errors`.
pub fn errors_of(text: &str) -> Vec<ErrorItem> {
    let Ok(doc) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    doc.get("errors")
        .and_then(Value::as_array)
        .map(|errs| {
            errs.iter()
                .map(|e| ErrorItem {
                    code: e.get("code").and_then(Value::as_i64).unwrap_or(0),
                    message: e
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    path: e
                        .get("path")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_only_to_loopback() {
        assert!(check_base("https://api.cloudflare.com/client/v4").is_ok());
        assert!(check_base("http://127.0.0.1:8080/client/v4").is_ok());
        assert!(check_base("http://localhost:1").is_ok());
        assert!(check_base("http://[::1]:99/x").is_ok());
        assert!(check_base("http://10.0.0.1/x").is_err());
        assert!(check_base("http://example.com").is_err());
        assert!(check_base("http://127.0.0.1.evil.com/").is_err());
        assert!(check_base("ftp://x").is_err());
    }

    #[test]
    fn tokens_never_print() {
        let t = Token::new("secret-123".into());
        assert!(!format!("{t:?} {t}").contains("secret"));
    }
}
