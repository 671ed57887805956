//! Evaluation of compiled programs: requests, limit state and the step machine.
//!
//! Deterministic by construction: time is a parameter, randomness comes from a
//! generator seeded by the caller, and nothing iterates a hash map into output.

// Nothing here may panic on any program, request or store answer: no indexing,
// no unwrap/expect, no unchecked integer arithmetic.
// Denied in the engine's code; a test may panic, as that is how it fails.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

mod cond;
mod counters;
mod decide;
mod flat;
mod keys;
mod machine;
mod number;
mod request;
mod session;
mod slot;
mod state;
mod sticky;
mod trail;
mod walk;

pub use counters::FxHasher;
pub use decide::Decision;
pub use machine::{Call, Done, Report, Step};
pub(crate) use request::ABSENT;
pub use request::{Fill, MAX_METADATA_ENTRIES, MetadataError, Request, Value};
pub use session::{Reason, Session, StickyFrom, TraceStep};
pub use state::{KeyRef, LimitRef, LimitStore, MemoryStore, StoreError};
pub(crate) use sticky::sticky_block;
pub use sticky::{sticky_bucket, write_number};

pub(crate) use cond::range;
pub(crate) use flat::{Flat, short_escape};
pub(crate) use keys::{KeyIndex, head_at, head_const, head_of, second_of};

/// Why the evaluator refused a call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    /// The request was made for another program (its slots would be misread).
    #[error(
        "the request was made for another program; make it with `Request::new` or refill it with `Request::fill` for this one"
    )]
    ForeignRequest,
    /// The session's current request belongs to another program, or none was
    /// begun (`resume` and `settle` need the `begin` of this program).
    #[error("the session holds no request of this program; start one with `begin` or `decide`")]
    ForeignSession,
    /// The limit store failed while settling.
    #[error(transparent)]
    Store(#[from] StoreError),
}
