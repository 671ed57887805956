//! Evaluation of compiled programs: requests, limit state and the step machine.
//!
//! Deterministic by construction: time is a parameter, randomness comes from a
//! generator seeded by the caller, and nothing iterates a hash map into output.

mod cond;
mod machine;
mod request;
mod state;
mod sticky;

pub use machine::{Call, Decision, Done, Reason, Report, Session, Step, StickyFrom, TraceStep};
pub use request::{MAX_METADATA_ENTRIES, MetadataError, Request, Value};
pub use state::{FxHasher, KeyRef, LimitRef, LimitStore, MemoryStore, StoreError};
pub use sticky::{sticky_bucket, write_number};
