//! Conditions: expressions and Mongo query objects in, both out.

mod error;
mod expr;
mod mongo;
mod print;
mod quick;

pub use error::{CondError, Takes};
pub(crate) use expr::{Depth, lower as lower_expr, slip_help};
pub use expr::{TextPos, parse_expr};
pub use mongo::parse_query;
pub use print::{literal_json, number_json, number_text, to_expr, to_mongo, write_literal};
