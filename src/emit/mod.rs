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
pub use yaml::{scalar, to_yaml, to_yaml_with};
