//! aig-route: compile, validate, evaluate and simulate the dynamic routes of an AI
//! gateway (Cloudflare AI Gateway dynamic routing).
//!
//! Pipeline: source (YAML | gateway JSON) → spanned syntax tree ([`syntax`]) →
//! `petgraph` DAG ([`graph`]) → validation ([`validate`]) with located
//! [`diagnostic`]s.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod cli;
pub mod compile;
pub mod diagnostic;
pub mod emit;
pub mod eval;
pub mod graph;
pub mod schema;
pub mod semantics;
pub mod simulate;
pub mod source;
pub mod syntax;
pub mod validate;
