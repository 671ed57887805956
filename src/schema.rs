//! The JSON Schema of the YAML format (`grammar/route.schema.json`), enforced by
//! `aig-route validate` on YAML files (feature `schema`) and printed by
//! `aig-route schema` for editors.

#[cfg(feature = "schema")]
use crate::diagnostic::{Code, Diagnostic};
#[cfg(feature = "schema")]
use crate::syntax::Doc;

/// The schema text.
pub const SCHEMA: &str = include_str!("../grammar/route.schema.json");

#[cfg(feature = "schema")]
fn validator() -> Option<&'static jsonschema::Validator> {
    static V: std::sync::OnceLock<Option<jsonschema::Validator>> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).ok()?;
        jsonschema::validator_for(&schema).ok()
    })
    .as_ref()
}

#[cfg(feature = "schema")]
/// Checks a YAML document against the schema. A schema error is reported only
/// where the readers found nothing wrong: their messages are more precise.
pub fn check(doc: &Doc, diags: &mut Vec<Diagnostic>) {
    let Some(v) = validator() else { return };
    let instance = doc.to_json();
    let mut found = Vec::new();
    for err in v.iter_errors(&instance) {
        let mut pointer = err.instance_path().as_str().to_string();
        // An unexpected key is reported on its object; point at the key itself.
        if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } =
            err.kind()
        {
            if let Some(first) = unexpected.first() {
                pointer = format!("{pointer}/{}", first.replace('~', "~0").replace('/', "~1"));
            }
        }
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

#[cfg(all(test, feature = "schema"))]
mod tests {
    use crate::diagnostic::{Code, Diagnostic};
    use crate::source::{SourceId, SourceMap};
    use crate::syntax::{Format, Limits, parse_doc};

    #[test]
    fn schema_compiles() {
        assert!(super::validator().is_some());
    }

    #[test]
    fn schema_errors_are_located_and_yield_to_the_reader() {
        let text = "start: d\nnodes:\n  d: end\ncolour: red\n";
        let mut sources = SourceMap::new();
        let id = sources.add("s.yaml", text);
        let doc = parse_doc(text, SourceId(id.0), Format::Yaml, &Limits::default()).unwrap();
        // Nothing else said anything: the schema speaks, at the key.
        let mut diags = Vec::new();
        super::check(&doc, &mut diags);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].code, Code::Schema);
        assert_eq!(sources.line_col(diags[0].primary.span), (4, 1));
        // The reader already reported that key: the schema stays quiet.
        let span = doc.key_span_at_pointer("/colour").unwrap();
        let mut diags = vec![Diagnostic::error(
            Code::UnknownKey,
            span,
            "unknown key `colour`",
        )];
        super::check(&doc, &mut diags);
        assert_eq!(diags.len(), 1);
        // Every example route matches the schema.
        for f in [
            "tiers",
            "canary",
            "team-budget",
            "fallback-chain",
            "regional",
        ] {
            let text =
                std::fs::read_to_string(format!("{}/routes/{f}.yaml", env!("CARGO_MANIFEST_DIR")))
                    .unwrap();
            let doc = parse_doc(&text, SourceId(0), Format::Yaml, &Limits::default()).unwrap();
            let mut diags = Vec::new();
            super::check(&doc, &mut diags);
            assert!(diags.is_empty(), "{f}: {diags:?}");
        }
    }
}
