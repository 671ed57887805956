//! Syntax tree → text, in each format.

mod comments;
mod diagram;
mod dsl;
mod json;
mod yaml;

pub use comments::{Anchor, Comments, anchors};
pub use diagram::{decision, to_dot, to_mermaid};
pub use dsl::{name as dsl_name, to_dsl, to_dsl_with};
pub use json::{ExportError, elements, to_json};
pub(crate) use yaml::to_yaml_as_written;
pub use yaml::{scalar, to_yaml, to_yaml_with};

/// The route as a file of `format`: YAML, the DSL, or pretty gateway JSON
/// (which fails only for a split the wire cannot spell).
pub fn to_text(
    route: &crate::syntax::Route,
    format: crate::syntax::Format,
) -> Result<String, ExportError> {
    use crate::syntax::Format;
    Ok(match format {
        Format::Yaml => to_yaml(route),
        Format::Dsl => to_dsl(route),
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&to_json(route)?).unwrap_or_default()
        ),
    })
}
