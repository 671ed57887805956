//! Text that came from the service (or a proxy in between) is untrusted: it may
//! echo the request's `Authorization` header, hold terminal escape sequences, or
//! run to megabytes. Everything of it that can reach a message passes through
//! [`Scrub::text`]: the token removed, the length capped, control characters
//! escaped.

use serde_json::Value;

use crate::escape;

/// Most characters of one service message that are kept.
pub const MESSAGE_CAP: usize = 2048;

/// Most error entries of one envelope that are kept.
const ERRORS_CAP: usize = 20;

/// What to remove from service texts: the token (as sent, and as JSON would
/// escape it).
#[derive(Clone)]
pub struct Scrub {
    secrets: Vec<String>,
}

impl std::fmt::Debug for Scrub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scrub(<redacted>)")
    }
}

impl Scrub {
    /// Scrubs `token` (ignored when empty).
    pub fn new(token: &str) -> Scrub {
        let mut secrets = Vec::new();
        if !token.is_empty() {
            secrets.push(token.to_string());
            let json = Value::String(token.to_string()).to_string();
            let json = json[1..json.len() - 1].to_string();
            if json != token {
                secrets.push(json);
            }
        }
        Scrub { secrets }
    }

    /// `raw` made safe to print: secrets replaced by `<redacted>`, at most
    /// [`MESSAGE_CAP`] characters (saying how much was cut), control characters
    /// escaped.
    pub fn text(&self, raw: &str) -> String {
        let mut s = raw.to_string();
        for secret in &self.secrets {
            if s.contains(secret.as_str()) {
                s = s.replace(secret.as_str(), "<redacted>");
            }
        }
        let total = s.chars().count();
        if total > MESSAGE_CAP {
            let kept: String = s.chars().take(MESSAGE_CAP).collect();
            // A secret cut in half at the cap would survive the replacement
            // above only if it was not whole; cutting after replacing is safe.
            s = format!("{kept}… ({} more characters cut)", total - MESSAGE_CAP);
        }
        escape::terminal(&s).into_owned()
    }
}

/// One error entry of the envelope, already scrubbed.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorItem {
    /// The service's code, such as `7001`.
    pub code: i64,
    /// Its message, such as `Required` (scrubbed, capped, escaped).
    pub message: String,
    /// Where in the request body, such as `["body","elements",3,"properties","provider"]`.
    pub path: Vec<Value>,
}

/// The envelope's `errors`, scrubbed; when the body is not a JSON envelope, one
/// entry holding the start of the body (proxies answer HTML).
pub fn errors_of(body: &str, scrub: &Scrub) -> Vec<ErrorItem> {
    let Ok(doc) = serde_json::from_str::<Value>(body) else {
        let trimmed = body.trim();
        if trimmed.is_empty() {
            return Vec::new();
        }
        let head: String = trimmed.chars().take(300).collect();
        return vec![ErrorItem {
            code: 0,
            message: scrub.text(&format!("(not JSON) {head}")),
            path: Vec::new(),
        }];
    };
    let Some(errs) = doc.get("errors").and_then(Value::as_array) else {
        return Vec::new();
    };
    errs.iter()
        .take(ERRORS_CAP)
        .map(|e| ErrorItem {
            code: e.get("code").and_then(Value::as_i64).unwrap_or(0),
            message: scrub.text(match e.get("message") {
                Some(Value::String(s)) => s,
                _ => "",
            }),
            path: e
                .get("path")
                .and_then(Value::as_array)
                .map(|p| {
                    p.iter()
                        .take(16)
                        .filter(|v| v.is_string() || v.is_u64())
                        .map(|v| match v {
                            Value::String(s) => Value::String(scrub.text(s)),
                            other => other.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_removed_controls_escaped_and_length_capped() {
        let s = Scrub::new("tok-123");
        assert_eq!(
            s.text("Authorization: Bearer tok-123\u{1b}[2J\nnext"),
            "Authorization: Bearer <redacted>\\u{1b}[2J\\nnext"
        );
        let long = "x".repeat(5 << 20);
        let cut = s.text(&long);
        assert!(cut.len() < MESSAGE_CAP + 100, "{}", cut.len());
        assert!(cut.ends_with("more characters cut)"));
    }

    #[test]
    fn error_entries_are_scrubbed_and_html_is_reported_briefly() {
        let s = Scrub::new("tok-123");
        let body = r#"{"errors":[{"code":7001,"message":"bad tok-123","path":["body","elements",2,{"x":1}]}]}"#;
        let e = errors_of(body, &s);
        assert_eq!(e[0].code, 7001);
        assert_eq!(e[0].message, "bad <redacted>");
        assert_eq!(e[0].path.len(), 3);
        let html = errors_of("<html>tok-123 bad gateway</html>", &s);
        assert_eq!(
            html[0].message,
            "(not JSON) <html><redacted> bad gateway</html>"
        );
    }
}
