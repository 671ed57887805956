//! Traffic files: one JSON object per line
//! (`{"t", "id", "metadata", "cost", "fail"}`).
//!
//! `{"t": 1767225600, "id": "r1", "metadata": {"plan": "paid"}, "cost": 0.002, "fail": ["main"]}`

use serde::Deserialize;

use crate::compile::{NodeId, Program};
use crate::eval::{Flat, Request, Value, head_at, head_const};

/// A metadata value of a traffic line.
#[derive(Clone, Debug, PartialEq)]
pub enum MetaValue {
    /// A string.
    Str(String),
    /// A number.
    Num(f64),
    /// A boolean.
    Bool(bool),
}

impl MetaValue {
    /// Borrowed as an evaluator value.
    pub fn as_value(&self) -> Value<'_> {
        match self {
            MetaValue::Str(s) => Value::Str(s),
            MetaValue::Num(n) => Value::Num(*n),
            MetaValue::Bool(b) => Value::Bool(*b),
        }
    }
}

/// One request of traffic.
#[derive(Clone, Debug, PartialEq)]
pub struct TrafficLine {
    /// Seconds since the Unix epoch.
    pub t: f64,
    /// The request id, if any.
    pub id: Option<String>,
    /// Metadata entries in the order written.
    pub metadata: Vec<(String, MetaValue)>,
    /// Dollars settled if the request is served.
    pub cost: Option<f64>,
    /// Model node ids that fail for this request.
    pub fail: Vec<String>,
}

/// A traffic problem, naming its line.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum TrafficError {
    /// The line is not a traffic object.
    #[error("line {line}: {message}")]
    Malformed {
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The line is earlier than the one before it.
    #[error(
        "line {line}: time {t} is earlier than {prev_t} on line {prev_line}; traffic must be in time order"
    )]
    OutOfOrder {
        /// 1-based line number.
        line: u64,
        /// Its time.
        t: f64,
        /// The previous line.
        prev_line: u64,
        /// Its time.
        prev_t: f64,
    },
    /// `fail` names something that is not a model node.
    #[error("line {line}: `fail` names `{id}`, which is not a model node of the route")]
    UnknownModel {
        /// 1-based line number.
        line: u64,
        /// The id.
        id: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    t: f64,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    metadata: Entries,
    #[serde(default)]
    cost: Option<f64>,
    #[serde(default)]
    fail: Vec<String>,
}

/// Metadata entries in the order written: the gateway reads only the first five,
/// so the order is part of the meaning (a `serde_json::Map` may sort its keys).
#[derive(Default)]
struct Entries(Vec<(String, MetaValue)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of strings, numbers and booleans")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Entries, A::Error> {
                let mut out = Vec::new();
                // A key written twice is a mistake in the recording, not a
                // merge: which value would the gateway have seen?
                let mut seen = std::collections::HashSet::new();
                while let Some((k, v)) = m.next_entry::<String, serde_json::Value>()? {
                    if !seen.insert(k.clone()) {
                        return Err(serde::de::Error::custom(format!(
                            "metadata `{}` is given twice; keep one",
                            crate::escape::terminal(&k)
                        )));
                    }
                    let v = match v {
                        serde_json::Value::String(s) => MetaValue::Str(s),
                        serde_json::Value::Bool(b) => MetaValue::Bool(b),
                        serde_json::Value::Number(n) => {
                            MetaValue::Num(n.as_f64().unwrap_or(f64::NAN))
                        }
                        other => {
                            return Err(serde::de::Error::custom(format!(
                                "metadata `{}` is {}; values are strings, numbers or booleans",
                                crate::escape::terminal(&k),
                                crate::escape::terminal(&other.to_string())
                            )));
                        }
                    };
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// Parses one line (`line` is its 1-based number, for errors).
pub fn parse_line(text: &str, line: u64) -> Result<TrafficLine, TrafficError> {
    let bad = |message: String| TrafficError::Malformed { line, message };
    let raw: Raw =
        serde_json::from_str(text).map_err(|e| bad(format!("not a traffic object: {e}")))?;
    if !(raw.t.is_finite() && (0.0..=super::MAX_START).contains(&raw.t)) {
        return Err(bad(format!(
            "`t` is {}, not seconds since the epoch (0 to the end of year 9999)",
            if raw.t.abs() < 1e15 {
                raw.t.to_string()
            } else {
                format!("{:e}", raw.t)
            }
        )));
    }
    if let Some(c) = raw.cost {
        if !c.is_finite() || c < 0.0 {
            return Err(bad(format!(
                "`cost` is {c}, not a non-negative number of dollars"
            )));
        }
    }
    Ok(TrafficLine {
        t: raw.t,
        id: raw.id,
        metadata: raw.metadata.0,
        cost: raw.cost,
        fail: raw.fail,
    })
}

const T: u64 = head_const(b"t");
const ID: u64 = head_const(b"id");
const METADATA: u64 = head_const(b"metadata");
const COST: u64 = head_const(b"cost");
const FAIL: u64 = head_const(b"fail");

/// Reads a traffic line of the usual shape straight into `req` (its metadata
/// and id, for `program`) and `fail` (the model nodes made to fail): no map and
/// no string per line. Returns the time and cost, or `None` for any line it does
/// not take exactly as [`parse_line`] would (an unknown field, a duplicate, a
/// `fail` id that is not a model, a bad time or cost, malformed text): the
/// caller then reads the line with [`parse_line`], which says what is wrong.
pub(crate) fn read_line_into(
    text: &str,
    program: &Program,
    req: &mut Request,
    fail: &mut Vec<NodeId>,
    lenient_fail_ids: bool,
) -> Option<(f64, Option<f64>)> {
    let mut p = Flat::new(text);
    let mut fill = req.fill(program);
    fail.clear();
    let (mut t, mut cost) = (None, None);
    let mut seen = 0u8;
    // Buffers for strings with escapes only; nothing allocates otherwise.
    let mut scratch = String::new();
    p.ws();
    p.expect(b'{', "").ok()?;
    loop {
        p.ws();
        // A field name is known by its length and first eight bytes (one
        // load); one written with escapes goes the slow way.
        let (start, end) = p.plain_span()?;
        let len = end.saturating_sub(start);
        let field: u8 = match (len, head_at(p.bytes(), start, len)) {
            (1, T) => 1,
            (2, ID) => 2,
            (8, METADATA) => 4,
            (4, COST) => 8,
            (4, FAIL) => 16,
            _ => return None,
        };
        if seen & field != 0 {
            return None;
        }
        seen |= field;
        p.ws();
        p.expect(b':', "").ok()?;
        p.ws();
        match field {
            1 => t = Some(p.number().ok()?),
            2 => {
                if !p.null() {
                    fill.set_id(p.string(&mut scratch).ok()?);
                }
            }
            4 => fill.read_metadata(&mut p).ok()?,
            8 => {
                if !p.null() {
                    cost = Some(p.number().ok()?);
                }
            }
            _ => {
                p.expect(b'[', "").ok()?;
                p.ws();
                if p.peek() == Some(b']') {
                    p.bump(1);
                } else {
                    loop {
                        p.ws();
                        let id = p.string(&mut scratch).ok()?;
                        match program.find_node(id) {
                            Some(n) if program.model(n).is_some() => fail.push(n),
                            _ if lenient_fail_ids => {}
                            _ => return None,
                        }
                        p.ws();
                        match p.peek()? {
                            b',' => p.bump(1),
                            b']' => {
                                p.bump(1);
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
            }
        }
        p.ws();
        match p.peek()? {
            b',' => p.bump(1),
            b'}' => {
                p.bump(1);
                break;
            }
            _ => return None,
        }
    }
    p.end().ok()?;
    let t = t.filter(|t| (0.0..=super::MAX_START).contains(t))?;
    if cost.is_some_and(|c| c < 0.0) {
        return None;
    }
    Some((t, cost))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_lines() {
        let l = parse_line(
            r#"{"t": 5, "metadata": {"plan": "paid", "tier": 2}, "cost": 0.5, "fail": ["a"]}"#,
            1,
        )
        .unwrap();
        assert_eq!(l.metadata[1], ("tier".to_string(), MetaValue::Num(2.0)));
        // Written order, not sorted: only the first five entries count.
        let twice = parse_line(r#"{"t": 1, "metadata": {"a": 1, "a": 2}}"#, 4).unwrap_err();
        assert!(twice.to_string().contains("`a` is given twice"), "{twice}");
        assert!(parse_line(r#"{"t": 1e300}"#, 5).is_err());
        let l = parse_line(r#"{"t": 1, "metadata": {"z": 1, "a": 2}}"#, 1).unwrap();
        assert_eq!(l.metadata[0].0, "z");
        assert!(matches!(
            parse_line("{\"t\": 1, \"metadata\": {\"a\": null}}", 3),
            Err(TrafficError::Malformed { line: 3, .. })
        ));
        assert!(parse_line("{\"t\": -1}", 1).is_err());
        assert!(parse_line("{\"t\": 1, \"colour\": 2}", 1).is_err());
        assert!(parse_line("{\"t\": 1", 1).is_err());
    }
}
