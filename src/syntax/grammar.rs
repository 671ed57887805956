//! The pest parser generated from `grammar/route.pest`.

#![allow(missing_docs)]

use pest_derive::Parser;

/// The parser for conditions and the DSL.
#[derive(Parser)]
#[grammar = "../grammar/route.pest"]
pub struct Grammar;
