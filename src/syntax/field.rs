//! Metadata field names, as YAML and DSL expressions write them and as the wire
//! holds them. Metadata is flat, so everything after `metadata.` is the key:
//! `metadata.cf.user_id` reads the key `cf.user_id` (which the gateway sets for
//! users authenticated through Cloudflare Access). A key made of anything other
//! than letters, digits, `_`, `-` and dots between them is written
//! `metadata["odd key"]` (a JSON string in brackets). Inside the syntax tree a
//! field is always held in the wire form, `metadata.<key>`, so every format
//! converts to every other without loss.

use std::borrow::Cow;

/// Whether `key` can follow `metadata.` as written: dot-separated runs of
/// letters, digits, `_` and `-`.
pub fn plain_key(key: &str) -> bool {
    key.split('.').all(|part| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

/// The wire form of a field as written: `metadata["odd key"]` becomes
/// `metadata.odd key`; anything else is kept as it is.
pub fn from_written(text: &str) -> String {
    let quoted = text
        .strip_prefix("metadata[")
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|lit| serde_json::from_str::<String>(lit.trim()).ok());
    match quoted {
        Some(key) => format!("metadata.{key}"),
        None => text.to_string(),
    }
}

/// A field as YAML and DSL expressions write it: `metadata.plan`, or
/// `metadata["odd key"]` when the key is not plain.
pub fn written(field: &str) -> Cow<'_, str> {
    match field.strip_prefix("metadata.") {
        Some(key) if !plain_key(key) => Cow::Owned(format!(
            "metadata[{}]",
            serde_json::Value::String(key.into())
        )),
        _ => Cow::Borrowed(field),
    }
}

/// The written field for a bare metadata key (`cf.user_id`, `odd key`), as
/// traces and canonical text show it.
pub fn written_key(key: &str) -> String {
    written(&format!("metadata.{key}")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_keys_stay_plain_and_odd_keys_are_quoted_both_ways() {
        for (wire, text) in [
            ("metadata.plan", "metadata.plan"),
            ("metadata.cf.user_id", "metadata.cf.user_id"),
            ("metadata.odd key", "metadata[\"odd key\"]"),
            ("metadata.a..b", "metadata[\"a..b\"]"),
            ("metadata.x.", "metadata[\"x.\"]"),
            ("metadata.q\"\n", "metadata[\"q\\\"\\n\"]"),
            ("metadata.", "metadata[\"\"]"),
        ] {
            assert_eq!(written(wire), text);
            assert_eq!(from_written(text), wire);
        }
        assert_eq!(from_written("request.model"), "request.model");
        assert_eq!(from_written("metadata[odd]"), "metadata[odd]");
    }
}
