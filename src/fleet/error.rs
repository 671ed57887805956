//! What can go wrong talking to Redis, and how its texts are made safe to print.

use std::fmt;

use crate::eval::StoreError;

/// Why the store could not answer.
#[derive(Debug)]
#[non_exhaustive]
pub enum RedisError {
    /// The URL is not a `redis://`, `rediss://` or `redis+unix://` URL.
    Url(String),
    /// No connection: refused, timed out, or waiting to retry.
    Unavailable(String),
    /// The server did not answer within the time-out.
    Timeout,
    /// The server answered with an error or an answer the script never gives.
    Server(String),
}

impl fmt::Display for RedisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedisError::Url(m) => write!(f, "not a Redis URL: {m}"),
            RedisError::Unavailable(m) => write!(f, "Redis is unavailable: {m}"),
            RedisError::Timeout => f.write_str("Redis did not answer in time"),
            RedisError::Server(m) => write!(f, "Redis answered with an error: {m}"),
        }
    }
}

impl std::error::Error for RedisError {}

impl From<RedisError> for StoreError {
    fn from(e: RedisError) -> Self {
        match e {
            RedisError::Timeout => StoreError::Timeout,
            RedisError::Unavailable(m) | RedisError::Url(m) => StoreError::Unavailable(m),
            RedisError::Server(m) => StoreError::Failed(m),
        }
    }
}

/// Sorts a client error into ours, its text made safe to print.
pub(super) fn classify(e: &redis::RedisError, secret: Option<&str>) -> RedisError {
    if e.is_timeout() {
        RedisError::Timeout
    } else if e.is_io_error() || e.is_connection_refusal() || e.is_connection_dropped() {
        RedisError::Unavailable(redact(e, secret))
    } else {
        RedisError::Server(redact(e, secret))
    }
}

/// An error's text with anything that looks like a URL's user-info removed, the
/// password (should the server echo it) replaced, at most 512 bytes, and control
/// characters escaped: the server's words are not ours to print raw.
pub(super) fn redact(e: &redis::RedisError, secret: Option<&str>) -> String {
    let mut text = e.to_string();
    if let Some(s) = secret.filter(|s| !s.is_empty()) {
        text = text.replace(s, "…");
    }
    let mut out = String::with_capacity(text.len().min(512));
    for word in text.split(' ') {
        if !out.is_empty() {
            out.push(' ');
        }
        match (word.find("://"), word.rfind('@')) {
            (Some(s), Some(at)) if at > s => {
                out.push_str(&word[..s + 3]);
                out.push_str("…@");
                out.push_str(&word[at + 1..]);
            }
            _ => out.push_str(word),
        }
        if out.len() > 512 {
            let mut cut = 512;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push('…');
            break;
        }
    }
    crate::escape::terminal(&out).into_owned()
}
