//! The JSON Schema of the YAML format (`grammar/route.schema.json`), enforced on
//! every YAML file and printed by `aig-route schema` for editors.

use std::sync::OnceLock;

use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::Doc;

/// The schema text.
pub const SCHEMA: &str = include_str!("../grammar/route.schema.json");

fn validator() -> Option<&'static jsonschema::Validator> {
    static V: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    V.get_or_init(|| {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).ok()?;
        jsonschema::validator_for(&schema).ok()
    })
    .as_ref()
}

/// Checks a YAML document against the schema. A schema error is reported only
/// where the readers found nothing wrong: their messages are more precise.
pub fn check(doc: &Doc, diags: &mut Vec<Diagnostic>) {
    let Some(v) = validator() else { return };
    let instance = doc.to_json();
    let mut found = Vec::new();
    for err in v.iter_errors(&instance) {
        let pointer = err.instance_path().as_str().to_string();
        let at = doc.at_pointer(&pointer);
        let key = doc.key_span_at_pointer(&pointer);
        let covered = diags.iter().any(|d| {
            d.primary.span.overlaps(at.span) || key.is_some_and(|k| d.primary.span.overlaps(k))
        });
        if covered || found.iter().any(|(p, _): &(String, _)| p == &pointer) {
            continue;
        }
        let place = if pointer.is_empty() {
            "the file".to_string()
        } else {
            format!("`{}`", pointer.trim_start_matches('/').replace('/', "."))
        };
        found.push((
            pointer,
            Diagnostic::error(
                Code::Schema,
                key.unwrap_or(at.span),
                format!("{place} does not match the route schema: {err}"),
            )
            .help("see `aig-route schema` for the format"),
        ));
    }
    diags.extend(found.into_iter().map(|(_, d)| d));
}

#[cfg(test)]
mod tests {
    #[test]
    fn schema_compiles() {
        assert!(super::validator().is_some());
    }
}
