//! Syntax tree → text, in each format.

mod diagram;
mod dsl;
mod json;
mod yaml;

use std::collections::BTreeMap;

pub use diagram::{decision, to_dot, to_mermaid};
pub use dsl::{name as dsl_name, to_dsl, to_dsl_with};
pub use json::{ExportError, elements, to_json};
pub use yaml::{scalar, to_yaml, to_yaml_with};

/// Comments to keep when a file is rewritten (`fmt`): each placed before the node
/// it preceded, by index into `Route::nodes`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comments {
    /// Comments before anything else.
    pub header: Vec<String>,
    /// Comments before each node.
    pub before: BTreeMap<usize, Vec<String>>,
    /// Comments after the last node.
    pub footer: Vec<String>,
}
