//! Redis key names for limit counters.
//!
//! A counter's key is `PREFIX:{ROUTE}:NODE:WINDOW:VALUE`:
//! - `{ROUTE}` is a Redis Cluster hash tag, so every counter of one route lives in
//!   one slot and a script may touch several of them;
//! - `WINDOW` names the kind, length and mode of the window (`count.3600s.fixed@472222`
//!   for the fixed window that holds `now`, `cost.86400s.sliding`), so a redeploy
//!   that changes a limit's window or kind starts fresh counters instead of
//!   misreading old ones;
//! - `VALUE` is the request's value of the limit's key, typed (`s=`, `n=`, `b=`,
//!   or `-` when the request lacks it), because `"1"` and `1` are different users.
//!
//! Route names, node ids and values are user text: every byte outside
//! `[A-Za-z0-9._-]` is percent-encoded, so no value can close the hash tag, add a
//! `:` segment or collide with another key.

use std::fmt::Write as _;

use crate::compile::LimitSpec;
use crate::eval::{KeyRef, write_number};
use crate::syntax::ast::{LimitKind, WindowMode};

/// Appends `s` percent-encoded: every byte outside `[A-Za-z0-9._-]` as `%XX`.
pub(crate) fn push_encoded(out: &mut String, s: &str) {
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// The index of the fixed window that holds `now`, as the in-memory store counts it.
pub(crate) fn window_index(now: f64, window: f64) -> i64 {
    // `as` saturates; times and windows are validated finite and positive.
    (now / window).floor() as i64
}

/// Seconds until the fixed window that holds `now` ends, at least one: the time to
/// live of its counter, by the caller's clock.
pub(crate) fn fixed_ttl(now: f64, window: f64) -> u64 {
    let end = (window_index(now, window) as f64 + 1.0) * window;
    let left = (end - now).ceil();
    if left.is_finite() && left >= 1.0 {
        left.min(u64::MAX as f64) as u64
    } else {
        1
    }
}

/// Seconds a sliding counter must outlive its last event, at least one.
pub(crate) fn sliding_ttl(window: f64) -> u64 {
    let w = window.ceil();
    if w.is_finite() && w >= 1.0 {
        w.min(u64::MAX as f64) as u64
    } else {
        1
    }
}

/// The key of one counter. `buf` is reused between calls to avoid an allocation
/// per request.
pub(crate) fn counter_key(
    buf: &mut String,
    prefix: &str,
    route: &str,
    node: &str,
    spec: &LimitSpec,
    value: KeyRef<'_>,
    now: f64,
) {
    buf.clear();
    push_encoded(buf, prefix);
    buf.push_str(":{");
    push_encoded(buf, route);
    buf.push_str("}:");
    push_encoded(buf, node);
    buf.push(':');
    buf.push_str(match spec.kind {
        LimitKind::Count => "count.",
        LimitKind::Cost => "cost.",
    });
    write_number(buf, spec.window);
    match spec.mode {
        WindowMode::Fixed => {
            let _ = write!(buf, "s.fixed@{}", window_index(now, spec.window));
        }
        WindowMode::Sliding => buf.push_str("s.sliding"),
    }
    buf.push(':');
    push_value(buf, value);
}

fn push_value(buf: &mut String, value: KeyRef<'_>) {
    match value {
        KeyRef::Missing => buf.push('-'),
        KeyRef::Str(s) => {
            buf.push_str("s=");
            push_encoded(buf, s);
        }
        KeyRef::Num(x) => {
            buf.push_str("n=");
            // Digits, `.` and `-` only: nothing to encode.
            write_number(buf, x);
        }
        KeyRef::Bool(b) => buf.push_str(if b { "b=true" } else { "b=false" }),
    }
}

/// The key of a route's event sequence (members of sliding windows must be
/// unique and ordered as they were added), in the route's slot.
pub(crate) fn sequence_key(buf: &mut String, prefix: &str, route: &str) {
    buf.clear();
    push_encoded(buf, prefix);
    buf.push_str(":{");
    push_encoded(buf, route);
    buf.push_str("}:seq");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: LimitKind, mode: WindowMode) -> LimitSpec {
        LimitSpec {
            kind,
            key: None,
            key_name: None,
            limit: 100.0,
            window: 3600.0,
            mode,
        }
    }

    #[test]
    fn keys_are_tagged_typed_and_escaped() {
        let mut k = String::new();
        let s = spec(LimitKind::Count, WindowMode::Fixed);
        counter_key(
            &mut k,
            "aig",
            "support",
            "free_limit",
            &s,
            KeyRef::Str("u1"),
            7200.5,
        );
        assert_eq!(k, "aig:{support}:free_limit:count.3600s.fixed@2:s=u1");
        counter_key(&mut k, "aig", "r}{x", "a:b", &s, KeyRef::Str("x:}\n"), 0.0);
        assert_eq!(k, "aig:{r%7D%7Bx}:a%3Ab:count.3600s.fixed@0:s=x%3A%7D%0A");
        counter_key(&mut k, "aig", "r", "n", &s, KeyRef::Num(1.0), 0.0);
        assert!(k.ends_with(":n=1"));
        counter_key(&mut k, "aig", "r", "n", &s, KeyRef::Str("1"), 0.0);
        assert!(k.ends_with(":s=1"));
        counter_key(&mut k, "aig", "r", "n", &s, KeyRef::Missing, 0.0);
        assert!(k.ends_with(":-"));
        let c = spec(LimitKind::Cost, WindowMode::Sliding);
        counter_key(&mut k, "aig", "r", "n", &c, KeyRef::Bool(true), 0.0);
        assert_eq!(k, "aig:{r}:n:cost.3600s.sliding:b=true");
    }

    #[test]
    fn a_value_cannot_forge_another_key() {
        let s = spec(LimitKind::Count, WindowMode::Fixed);
        let (mut a, mut b) = (String::new(), String::new());
        counter_key(&mut a, "aig", "r", "n", &s, KeyRef::Str("x:s=y"), 0.0);
        counter_key(&mut b, "aig", "r", "n", &s, KeyRef::Str("x"), 0.0);
        assert_ne!(a, b);
        assert_eq!(a.matches(':').count(), b.matches(':').count());
    }

    #[test]
    fn counters_expire_when_their_window_ends() {
        assert_eq!(fixed_ttl(0.0, 3600.0), 3600);
        assert_eq!(fixed_ttl(3599.5, 3600.0), 1);
        assert_eq!(fixed_ttl(3600.0, 3600.0), 3600);
        assert_eq!(sliding_ttl(0.5), 1);
    }
}
