//! The whole gateway as code: `import` writes the deployed version of every
//! route into files ([`file_names`] picks names every OS can hold), `plan`
//! compares route files with what the gateway has deployed ([`plan()`]), and
//! `apply` carries the plan out ([`apply()`]), never deleting. Built on the
//! dashboard client in [`crate::api`].

mod apply;
mod names;
mod plan;

pub use apply::{ApplyError, Done, apply};
pub use names::{FileName, MAX_STEM, file_names};
pub use plan::{Action, Entry, Local, Plan, compare, deployed_graph, plan};
