//! aig-route: compile, validate, evaluate and simulate the dynamic routes of an AI
//! gateway (Cloudflare AI Gateway dynamic routing).
//!
//! Pipeline: source (YAML | gateway JSON) → spanned syntax tree ([`syntax`]) →
//! `petgraph` DAG ([`graph`]) → validation ([`validate`]) with located
//! [`diagnostic`]s → flat [`compile::Program`] → deterministic [`eval`] step machine.
//!
//! [`compile()`] takes route text to a program in one call; its error,
//! [`Diagnostics`], prints every problem located, as the command line does.
//!
//! ```
//! use aig_route::eval::{MemoryStore, Request, Session};
//! use aig_route::syntax::Format;
//!
//! let yaml = r#"
//! start: budget
//! nodes:
//!   budget:
//!     budget: $1
//!     window: 1h
//!     key: metadata.team
//!     success: main
//!     fallback: cheap
//!   main:
//!     model: openai/gpt-4.1
//!     timeout: 30s
//!     retries: 0
//!     success: done
//!     fallback: cheap
//!   cheap:
//!     model: openai/gpt-4.1-mini
//!     timeout: 30s
//!     retries: 0
//!     success: done
//!     fallback: done
//!   done: end
//! "#;
//! let compiled = aig_route::compile("budget.yaml", yaml, Format::Yaml)?;
//! // Warnings print as `aig-route validate` shows them (here W0609: requests
//! // without a team share one budget).
//! assert!(compiled.warnings.to_string().contains("warning[W0609]"));
//! let program = compiled.program;
//!
//! let mut req = Request::new(&program);
//! req.set_metadata_json(&program, r#"{"team": "search"}"#).unwrap();
//! let (mut session, mut store) = (Session::new(0), MemoryStore::new());
//!
//! // The first request is served by `main`; settle its cost of $1.50.
//! let d = program.decide(&mut session, &req, &mut store, 0.0)?;
//! assert_eq!(d.model.map(|m| program.node_id(m)), Some("main"));
//! program.settle(&session, &req, &mut store, 0.0, 1.5)?;
//!
//! // The team is now over its budget: the next request degrades to `cheap`.
//! let d = program.decide(&mut session, &req, &mut store, 1.0)?;
//! assert_eq!(d.model.map(|m| program.node_id(m)), Some("cheap"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use check::{Compiled, Diagnostics, compile};

#[cfg(feature = "api")]
pub mod api;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod compile;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod escape;
pub mod eval;
pub mod explain;
#[cfg(feature = "redis")]
pub mod fleet;
pub mod fmt;
#[cfg(feature = "api")]
pub mod gitops;
pub mod graph;
pub mod ordered;
pub mod policy;
pub mod rng;
pub mod schema;
pub mod semantics;
pub mod simulate;
pub mod solve;
pub mod source;
pub mod suppress;
pub mod syntax;
pub mod testing;
pub mod textdiff;
pub mod validate;
