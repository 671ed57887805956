//! What a simulation counted, and how it prints.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::compile::{Inst, NodeId, Program};
use crate::syntax::cond::number_json;

/// One share of a split: configured against observed.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitStat {
    /// The target node.
    pub target: String,
    /// Configured share, 0..1.
    pub configured: f64,
    /// Requests that took it.
    pub hits: u64,
    /// Observed share, 0..1.
    pub observed: f64,
    /// 95% Wilson interval of the observed share.
    pub low: f64,
    /// Upper end of that interval.
    pub high: f64,
    /// Whether the configured share lies inside the interval.
    pub agrees: bool,
}

/// Counts of a simulation, per node in the order the route was written.
#[derive(Clone, Debug)]
pub struct Report {
    /// Requests replayed.
    pub requests: u64,
    /// Requests no model answered.
    pub errors: u64,
    pub(super) visits: Vec<u64>,
    pub(super) served: Vec<u64>,
    pub(super) spend: Vec<f64>,
    pub(super) failed: Vec<u64>,
    pub(super) limited: Vec<u64>,
    pub(super) split_hits: Vec<Vec<u64>>,
    pub(super) timeline_bucket: Option<f64>,
    /// Bucket start → served count per node (errors in the last column).
    pub(super) timeline: BTreeMap<i64, Vec<u64>>,
    ids: Vec<String>,
    order: Vec<NodeId>,
    models: Vec<NodeId>,
    limits: Vec<NodeId>,
    splits: Vec<(NodeId, Vec<(f64, String)>)>,
    provider_model: Vec<String>,
}

impl Report {
    pub(super) fn new(p: &Program) -> Self {
        let n = p.len();
        let mut order: Vec<NodeId> = (0..n as NodeId).collect();
        order.sort_by_key(|&i| p.origin(i));
        let models: Vec<NodeId> = order
            .iter()
            .copied()
            .filter(|&i| p.model(i).is_some())
            .collect();
        let limits: Vec<NodeId> = order
            .iter()
            .copied()
            .filter(|&i| p.limit(i).is_some())
            .collect();
        let mut splits = Vec::new();
        let mut split_hits = vec![Vec::new(); n];
        for &i in &order {
            if let Some(Inst::Split { split, .. }) = p.inst(i) {
                let table = &p.splits[*split as usize];
                let mut lo = 0u16;
                let shares: Vec<(f64, String)> = table
                    .shares
                    .iter()
                    .map(|(hi, t)| {
                        let share = f64::from(hi - lo) / 10_000.0;
                        lo = *hi;
                        (share, p.node_id(*t).to_string())
                    })
                    .collect();
                split_hits[i as usize] = vec![0; shares.len()];
                splits.push((i, shares));
            }
        }
        Report {
            requests: 0,
            errors: 0,
            visits: vec![0; n],
            served: vec![0; n],
            spend: vec![0.0; n],
            failed: vec![0; n],
            limited: vec![0; n],
            split_hits,
            timeline_bucket: None,
            timeline: BTreeMap::new(),
            ids: (0..n as NodeId).map(|i| p.node_id(i).to_string()).collect(),
            provider_model: (0..n as NodeId)
                .map(|i| {
                    p.model(i)
                        .map(|m| format!("{}/{}", m.provider, m.model))
                        .unwrap_or_default()
                })
                .collect(),
            order,
            models,
            limits,
            splits,
        }
    }

    pub(super) fn record_timeline(&mut self, t: f64, served: Option<NodeId>) {
        let Some(size) = self.timeline_bucket else {
            return;
        };
        let bucket = ((t / size).floor() * size) as i64;
        let width = self.ids.len() + 1;
        let row = self
            .timeline
            .entry(bucket)
            .or_insert_with(|| vec![0; width]);
        row[served.map_or(width - 1, |m| m as usize)] += 1;
    }

    /// `(node id, value)` for each node of `nodes`.
    fn per<'a, T: Copy>(&'a self, nodes: &[NodeId], values: &[T]) -> Vec<(&'a str, T)> {
        nodes
            .iter()
            .map(|&n| (self.ids[n as usize].as_str(), values[n as usize]))
            .collect()
    }

    /// Requests served by each model node, in route order.
    pub fn by_model(&self) -> Vec<(&str, u64)> {
        self.per(&self.models, &self.served)
    }

    /// Visits per node, in route order.
    pub fn by_node(&self) -> Vec<(&str, u64)> {
        self.per(&self.order, &self.visits)
    }

    /// Dollars spent per model node.
    pub fn spend(&self) -> Vec<(&str, f64)> {
        self.per(&self.models, &self.spend)
    }

    /// Failures (fallbacks taken) per model node.
    pub fn fallbacks(&self) -> Vec<(&str, u64)> {
        self.per(&self.models, &self.failed)
    }

    /// Requests sent to `fallback` per limit node.
    pub fn limited(&self) -> Vec<(&str, u64)> {
        self.per(&self.limits, &self.limited)
    }

    /// Configured against observed shares, per split node.
    pub fn splits(&self) -> Vec<(&str, Vec<SplitStat>)> {
        self.splits
            .iter()
            .map(|(n, shares)| {
                let hits = &self.split_hits[*n as usize];
                let total: u64 = hits.iter().sum();
                let stats = shares
                    .iter()
                    .zip(hits)
                    .map(|((configured, target), &k)| {
                        let (observed, low, high) = wilson(k, total);
                        SplitStat {
                            target: target.clone(),
                            configured: *configured,
                            hits: k,
                            observed,
                            low,
                            high,
                            agrees: total == 0 || (low <= *configured && *configured <= high),
                        }
                    })
                    .collect();
                (self.ids[*n as usize].as_str(), stats)
            })
            .collect()
    }

    /// The provider/model text of a model node id.
    pub fn model_name(&self, id: &str) -> &str {
        self.ids
            .iter()
            .position(|i| i == id)
            .map_or("", |i| self.provider_model[i].as_str())
    }

    /// The report as one JSON document (the fields of SPEC section 6, and more).
    pub fn to_json(&self) -> Value {
        let obj = |pairs: Vec<(&str, u64)>| -> Value {
            Value::Object(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), json!(v)))
                    .collect::<Map<_, _>>(),
            )
        };
        let money = |pairs: Vec<(&str, f64)>| -> Value {
            Value::Object(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), number_json(round6(v))))
                    .collect::<Map<_, _>>(),
            )
        };
        let splits: Map<String, Value> = self
            .splits()
            .into_iter()
            .map(|(id, stats)| {
                let arr: Vec<Value> = stats
                    .iter()
                    .map(|s| {
                        json!({"target": s.target, "configured": round6(s.configured), "requests": s.hits,
                               "observed": round6(s.observed), "ci95": [round6(s.low), round6(s.high)], "agrees": s.agrees})
                    })
                    .collect();
                (id.to_string(), Value::Array(arr))
            })
            .collect();
        json!({
            "requests": self.requests,
            "by_model": obj(self.by_model()),
            "by_node": obj(self.by_node()),
            "errors": self.errors,
            "spend": money(self.spend()),
            "fallbacks": obj(self.fallbacks()),
            "limited": obj(self.limited()),
            "splits": splits,
        })
    }

    /// The timeline as CSV: `t,<model ids...>,errors`.
    pub fn timeline_csv(&self) -> String {
        let mut out = String::from("t");
        for &m in &self.models {
            out.push(',');
            out.push_str(&self.ids[m as usize]);
        }
        out.push_str(",errors\n");
        for (t, row) in &self.timeline {
            out.push_str(&t.to_string());
            for &m in &self.models {
                out.push_str(&format!(",{}", row[m as usize]));
            }
            out.push_str(&format!(",{}\n", row[row.len() - 1]));
        }
        out
    }
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// Observed share and its 95% Wilson score interval.
fn wilson(k: u64, n: u64) -> (f64, f64, f64) {
    if n == 0 {
        return (0.0, 0.0, 1.0);
    }
    let (k, n) = (k as f64, n as f64);
    let z = 1.959_963_984_540_054_f64;
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let center = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    (p, (center - half).max(0.0), (center + half).min(1.0))
}

#[cfg(test)]
mod tests {
    #[test]
    fn wilson_interval_brackets_the_share() {
        let (p, lo, hi) = super::wilson(900, 1000);
        assert!((p - 0.9).abs() < 1e-12);
        assert!(lo < 0.9 && 0.9 < hi && hi - lo < 0.04, "{lo} {hi}");
        let (_, lo, hi) = super::wilson(0, 10);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.2);
    }
}
