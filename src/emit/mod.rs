//! Syntax tree → text, in each format.

mod json;
mod yaml;

pub use json::{ExportError, elements, to_json};
pub use yaml::{scalar, to_yaml};
