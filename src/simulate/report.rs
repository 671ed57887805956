//! What a simulation counted, and how it prints.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::faults::StoreFailures;
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
    /// What the interval counts: `requests` (independent draws), or distinct
    /// `buckets` hit by sticky values (a sticky user is one draw, however many
    /// requests they send).
    pub basis: &'static str,
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
    /// Per sticky split: a bitset of the 10,000 buckets its sticky values hit.
    pub(super) sticky_buckets: Vec<Vec<u64>>,
    pub(super) timeline_bucket: Option<f64>,
    /// Bucket start → served count per node (errors in the last column).
    pub(super) timeline: BTreeMap<i64, Vec<u64>>,
    /// The first and last request time the timeline saw, so the plot can tell
    /// a partly covered first or last bucket from a quiet one.
    pub(super) timeline_span: Option<(f64, f64)>,
    ids: Vec<String>,
    order: Vec<NodeId>,
    models: Vec<NodeId>,
    limits: Vec<NodeId>,
    splits: Vec<(NodeId, Vec<(f64, String)>)>,
    provider_model: Vec<String>,
    /// Model nodes a pricing table was given for but has no price for.
    pub(super) unpriced: Vec<NodeId>,
    /// What a failing limit store did.
    pub(super) store: StoreFailures,
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
            sticky_buckets: vec![Vec::new(); n],
            timeline_bucket: None,
            timeline: BTreeMap::new(),
            timeline_span: None,
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
            unpriced: Vec::new(),
            store: StoreFailures::new(n),
        }
    }

    pub(super) fn record_sticky(&mut self, node: usize, bucket: u16) {
        let bits = &mut self.sticky_buckets[node];
        if bits.is_empty() {
            bits.resize(10_000usize.div_ceil(64), 0);
        }
        bits[bucket as usize / 64] |= 1 << (bucket % 64);
    }

    pub(super) fn record_timeline(&mut self, t: f64, served: Option<NodeId>) {
        let Some(size) = self.timeline_bucket else {
            return;
        };
        let bucket = ((t / size).floor() * size) as i64;
        self.timeline_span = Some(match self.timeline_span {
            Some((a, b)) => (a.min(t), b.max(t)),
            None => (t, t),
        });
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

    /// Dollars spent in all, over every model.
    pub fn total_spend(&self) -> f64 {
        self.models.iter().map(|&m| self.spend[m as usize]).sum()
    }

    /// Model nodes that served requests although the pricing table has no
    /// price for them (their token costs count as $0), with their
    /// `provider/model` and requests served.
    pub fn unpriced_served(&self) -> Vec<(&str, &str, u64)> {
        self.unpriced
            .iter()
            .filter(|&&m| self.served[m as usize] > 0)
            .map(|&m| {
                (
                    self.ids[m as usize].as_str(),
                    self.provider_model[m as usize].as_str(),
                    self.served[m as usize],
                )
            })
            .collect()
    }

    /// Failures (fallbacks taken) per model node.
    pub fn fallbacks(&self) -> Vec<(&str, u64)> {
        self.per(&self.models, &self.failed)
    }

    /// Limit checks the store could not answer and settlements it lost; empty
    /// with the memory store.
    pub fn store_failures(&self) -> &StoreFailures {
        &self.store
    }

    /// Per limit node, checks the store could not answer (decided by the
    /// program's fail-open or fail-closed choice); nodes without any left out.
    pub fn store_decided(&self) -> Vec<(&str, u64)> {
        let mut v = self.per(&self.limits, &self.store.decided);
        v.retain(|(_, n)| *n > 0);
        v
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
                let bits = &self.sticky_buckets[*n as usize];
                let distinct = |lo: u32, hi: u32| {
                    (lo..hi)
                        .filter(|b| {
                            bits.get(*b as usize / 64)
                                .is_some_and(|w| w >> (b % 64) & 1 == 1)
                        })
                        .count() as u64
                };
                let all_buckets = if bits.is_empty() {
                    0
                } else {
                    distinct(0, 10_000)
                };
                let mut lo = 0u32;
                let stats = shares
                    .iter()
                    .zip(hits)
                    .map(|((configured, target), &k)| {
                        let hi = lo + (configured * 10_000.0).round() as u32;
                        let (k_b, n_b, basis) = if all_buckets > 0 {
                            (distinct(lo, hi), all_buckets, "buckets")
                        } else {
                            (k, total, "requests")
                        };
                        lo = hi;
                        let (_, low, high) = wilson(k_b, n_b);
                        SplitStat {
                            target: target.clone(),
                            configured: *configured,
                            hits: k,
                            observed: if total == 0 {
                                0.0
                            } else {
                                k as f64 / total as f64
                            },
                            low,
                            high,
                            agrees: n_b == 0 || (low <= *configured && *configured <= high),
                            basis,
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

    /// The report as one JSON document (the fields the README documents under `simulate`).
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
                               "observed": round6(s.observed), "ci95": [round6(s.low), round6(s.high)], "ci_basis": s.basis, "agrees": s.agrees})
                    })
                    .collect();
                (id.to_string(), Value::Array(arr))
            })
            .collect();
        let mut doc = json!({
            "requests": self.requests,
            "by_model": obj(self.by_model()),
            "by_node": obj(self.by_node()),
            "errors": self.errors,
            "spend": number_json(round6(self.total_spend())),
            "spend_by_model": money(self.spend()),
            "unpriced": self.unpriced_served().iter().map(|(id, _, _)| *id).collect::<Vec<_>>(),
            "fallbacks": obj(self.fallbacks()),
            "limited": obj(self.limited()),
            "splits": splits,
        });
        // Only when the store failed, so clean runs read the same from any store.
        if self.store.any() {
            doc["store_failures"] = self.store.to_json(
                self.limits
                    .iter()
                    .map(|&n| (n as usize, self.ids[n as usize].as_str())),
            );
        }
        doc
    }

    /// Timeline columns: each model node's index and id, then errors.
    pub(super) fn timeline_columns(&self) -> Vec<(usize, String)> {
        let mut cols: Vec<(usize, String)> = self
            .models
            .iter()
            .map(|&m| (m as usize, self.ids[m as usize].clone()))
            .collect();
        cols.push((self.ids.len(), "errors".to_string()));
        cols
    }

    /// Per model and per node, how `self` (the new route) moves traffic compared
    /// with `old` under the same requests: `(id, old, new)` rows, old's order first.
    pub fn shift(&self, old: &Report) -> serde_json::Value {
        fn rows(old: Vec<(&str, u64)>, new: Vec<(&str, u64)>) -> Value {
            let mut ids: Vec<&str> = old.iter().map(|(i, _)| *i).collect();
            ids.extend(
                new.iter()
                    .map(|(i, _)| *i)
                    .filter(|i| !old.iter().any(|(o, _)| o == i)),
            );
            let get = |v: &[(&str, u64)], id: &str| {
                v.iter().find(|(i, _)| *i == id).map_or(0, |(_, n)| *n)
            };
            Value::Object(
                ids.into_iter()
                    .map(|id| {
                        let (o, n) = (get(&old, id), get(&new, id));
                        (
                            id.to_string(),
                            json!({"old": o, "new": n, "delta": n as i64 - o as i64}),
                        )
                    })
                    .collect(),
            )
        }
        let by_name = |r: &Report| {
            let mut acc: BTreeMap<String, u64> = BTreeMap::new();
            for (id, n) in r.by_model() {
                *acc.entry(r.model_name(id).to_string()).or_default() += n;
            }
            acc
        };
        let (o, n) = (by_name(old), by_name(self));
        let names: Vec<String> = o
            .keys()
            .chain(n.keys())
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let by_provider_model: Map<String, Value> = names
            .into_iter()
            .map(|name| {
                let (a, b) = (
                    o.get(&name).copied().unwrap_or(0),
                    n.get(&name).copied().unwrap_or(0),
                );
                (
                    name,
                    json!({"old": a, "new": b, "delta": b as i64 - a as i64}),
                )
            })
            .collect();
        let spend_rows = |old: Vec<(&str, f64)>, new: Vec<(&str, f64)>| -> Value {
            let mut ids: Vec<&str> = old.iter().map(|(i, _)| *i).collect();
            ids.extend(
                new.iter()
                    .map(|(i, _)| *i)
                    .filter(|i| !old.iter().any(|(o, _)| o == i)),
            );
            let get = |v: &[(&str, f64)], id: &str| {
                v.iter().find(|(i, _)| *i == id).map_or(0.0, |(_, n)| *n)
            };
            Value::Object(
                ids.into_iter()
                    .map(|id| {
                        let (o, n) = (get(&old, id), get(&new, id));
                        (id.to_string(), money_shift(o, n))
                    })
                    .collect(),
            )
        };
        json!({
            "spend": money_shift(old.total_spend(), self.total_spend()),
            "spend_by_model": spend_rows(old.spend(), self.spend()),
            "by_model": rows(old.by_model(), self.by_model()),
            "by_provider_model": by_provider_model,
            "by_node": rows(old.by_node(), self.by_node()),
            "errors": {"old": old.errors, "new": self.errors, "delta": self.errors as i64 - old.errors as i64},
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

/// `{"old", "new", "delta"}` in dollars.
fn money_shift(old: f64, new: f64) -> Value {
    json!({
        "old": number_json(round6(old)),
        "new": number_json(round6(new)),
        "delta": number_json(round6(new - old)),
    })
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
