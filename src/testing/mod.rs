//! Route test suites (`aig-route test`): test files read and checked against
//! their routes, cases run through the evaluator from fresh counters, edge
//! coverage, and the reports people and CI read.
//!
//! Pipeline: `*.test.yaml` → [`file::read`] → [`bind::bind`] (ids resolved
//! against the route's [`engine::Target`]) → [`run::run_case`] → [`report::Report`].

pub mod arms;
pub mod bind;
pub mod detour;
pub mod emit;
pub mod engine;
pub mod exhaust;
pub mod file;
pub mod file_error;
pub mod generate;
mod generated;
pub mod mutate;
pub mod mutation;
pub mod report;
pub mod run;
pub mod score;
pub mod sharpen;
pub mod starve;
pub mod unfillable;

pub use bind::{Bound, Expectation, bind};
pub use engine::{Kind, Outcome, Prepared, Runner, Target};
pub use file::{TestFile, read};
pub use file_error::TestFileError;
pub use report::{CaseRecord, EdgeRecord, Report, RouteRecord};
pub use run::{CaseResult, Coverage, run_case};

/// Whether a file name is a test file (`*.test.yaml` or `*.test.yml`).
pub fn is_test_file(name: &str) -> bool {
    name.ends_with(".test.yaml") || name.ends_with(".test.yml")
}
