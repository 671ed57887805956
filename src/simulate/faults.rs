//! What a failing limit store did to a simulation.
//!
//! With a shared store (Redis) a limit node may not get an answer; the program's
//! fail-open or fail-closed choice then decides it. A report counts those
//! decisions per limit node, and the costs that could not be settled, so a run
//! that met failures never looks like a clean one. A clean run adds nothing to
//! the report, so reports from the memory store and a healthy shared store are
//! byte-identical.

use serde_json::{Map, Value, json};

use crate::eval::StoreError;

/// Store failures seen during a simulation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreFailures {
    /// Per node (indexed by node): limit checks the store could not answer.
    pub(super) decided: Vec<u64>,
    /// Costs that could not be settled to the budgets a request passed.
    pub(super) settles: u64,
    /// The first failure's message.
    pub(super) first: Option<String>,
}

impl StoreFailures {
    pub(super) fn new(nodes: usize) -> Self {
        StoreFailures {
            decided: vec![0; nodes],
            ..StoreFailures::default()
        }
    }

    pub(super) fn note(&mut self, e: &StoreError) {
        if self.first.is_none() {
            self.first = Some(e.to_string());
        }
    }

    /// Whether the store failed at all.
    pub fn any(&self) -> bool {
        self.settles > 0 || self.decided.iter().any(|&n| n > 0)
    }

    /// Limit checks the store could not answer, in all.
    pub fn checks(&self) -> u64 {
        self.decided.iter().sum()
    }

    /// Costs that could not be settled.
    pub fn settles(&self) -> u64 {
        self.settles
    }

    /// The first failure's message, as the store gave it.
    pub fn first(&self) -> Option<&str> {
        self.first.as_deref()
    }

    /// `{"by_node": {id: n}, "settles": n, "first": "..."}`, nodes with failures
    /// only, in the order of `ids`.
    pub(super) fn to_json<'a>(&self, ids: impl Iterator<Item = (usize, &'a str)>) -> Value {
        let by_node: Map<String, Value> = ids
            .filter_map(|(n, id)| {
                let count = *self.decided.get(n)?;
                (count > 0).then(|| (id.to_string(), json!(count)))
            })
            .collect();
        json!({"by_node": by_node, "settles": self.settles, "first": self.first})
    }
}
