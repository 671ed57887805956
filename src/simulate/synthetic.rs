//! Seeded synthetic traffic: arrivals, users, metadata drawn from distributions,
//! cost per request or per token. The same spec and seed give the same requests,
//! whatever route they are sent through (so two routes can be compared).
//!
//! ```yaml
//! requests: 100000          # or `duration: 1d` with `rate`
//! start: 1767225600         # seconds since the epoch of the first request
//! rate: 20                  # mean requests per second (Poisson arrivals)
//! users: 5000               # metadata.user_id drawn from u1..u5000
//! metadata:                 # weights; what they leave below 1 lacks the field
//!   plan: {free: 0.8, paid: 0.2}
//!   tier: {1: 0.5, 2: 0.3, 3: 0.2}
//! cost:
//!   tokens: {input: 800, output: 300}   # priced by `pricing`; or per_request: 0.002
//! pricing: example.pricing.yaml
//! fail_rate:
//!   main: 0.05
//! ```

use crate::rng::Rng;

use super::Cost;
use super::traffic::MetaValue;
use crate::compile::Program;
use crate::eval::Request;
use crate::source::SourceId;
use crate::syntax::values::parse_duration;
use crate::syntax::{Doc, Format, Limits, parse_doc};

/// How synthetic requests are charged.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum CostSpec {
    /// Nothing.
    #[default]
    None,
    /// Dollars per served request.
    PerRequest(f64),
    /// Tokens per request, priced by the serving model.
    Tokens {
        /// Input tokens.
        input: f64,
        /// Output tokens.
        output: f64,
    },
}

/// What synthetic traffic looks like.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntheticSpec {
    /// How many requests.
    pub requests: u64,
    /// Time of the first request, seconds since the epoch.
    pub start: f64,
    /// Mean requests per second.
    pub rate: f64,
    /// Distinct `metadata.user_id` values (`0`: none).
    pub users: u64,
    /// Per field, its values with weights (in order).
    pub metadata: Vec<(String, Vec<(MetaValue, f64)>)>,
    /// Cost per served request.
    pub cost: CostSpec,
    /// Failure probability per model node id.
    pub fail_rate: Vec<(String, f64)>,
    /// A pricing table path, relative to the spec file.
    pub pricing: Option<String>,
}

impl Default for SyntheticSpec {
    fn default() -> Self {
        SyntheticSpec {
            requests: 10_000,
            start: 0.0,
            rate: 10.0,
            users: 1000,
            metadata: Vec::new(),
            cost: CostSpec::None,
            fail_rate: Vec::new(),
            pricing: None,
        }
    }
}

/// Why a spec was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("traffic spec: {0}")]
pub struct SpecError(pub String);

fn err(msg: impl Into<String>) -> SpecError {
    SpecError(msg.into())
}

/// A weight map key as a metadata value: `true`/`false`, a number, or a string.
pub fn typed_value(key: &str) -> MetaValue {
    match key {
        "true" => MetaValue::Bool(true),
        "false" => MetaValue::Bool(false),
        _ => match key.parse::<f64>() {
            Ok(n) if n.is_finite() => MetaValue::Num(n),
            _ => MetaValue::Str(key.to_string()),
        },
    }
}

/// Most requests (and distinct users) one spec may ask for: far more than any
/// simulation is run with, and few enough that none runs for ever.
pub const MAX_REQUESTS: u64 = 10_000_000_000;
/// Highest `rate`, requests per second.
pub const MAX_RATE: f64 = 1e9;
/// Latest `start`: the end of year 9999, in seconds since the epoch.
pub const MAX_START: f64 = 253_402_300_799.0;

impl SyntheticSpec {
    /// Reads a spec from YAML text.
    pub fn parse(text: &str) -> Result<SyntheticSpec, SpecError> {
        // The document is read as written: the order of `metadata` values and
        // `fail_rate` entries decides which draw picks what.
        let doc = parse_doc(text, SourceId(0), Format::Yaml, &Limits::default())
            .map_err(|d| err(d.message))?;
        let Some(top) = doc.as_map() else {
            return Err(err("a spec is a mapping"));
        };
        let mut spec = SyntheticSpec::default();
        let num = |v: &Doc, what: &str| {
            v.as_f64()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .ok_or_else(|| err(format!("`{what}` is not a non-negative number")))
        };
        // A count is whole and at most MAX_REQUESTS before it becomes an integer
        // (`requests: 1e300` would otherwise saturate and never end).
        let count = |v: &Doc, what: &str| {
            let n = num(v, what)?;
            if n.fract() != 0.0 || n > MAX_REQUESTS as f64 {
                return Err(err(format!(
                    "`{what}` is not a whole number from 0 to {MAX_REQUESTS}"
                )));
            }
            Ok(n as u64)
        };
        let mut duration = None;
        for (k, v) in top {
            let k = k.value.as_str();
            match k {
                "requests" => spec.requests = count(v, k)?,
                "start" => spec.start = num(v, k)?,
                "rate" => spec.rate = num(v, k)?,
                "users" => spec.users = count(v, k)?,
                "duration" => {
                    let secs = match v.as_str() {
                        Some(s) => parse_duration(s, 1000.0),
                        None => v.as_f64(),
                    };
                    duration = Some(
                        secs.filter(|s| *s > 0.0)
                            .ok_or_else(|| err("`duration` is not a duration such as `1h`"))?,
                    );
                }
                "metadata" => spec.metadata = weights_map(v)?,
                "cost" => spec.cost = cost(v)?,
                "fail_rate" => {
                    let Some(m) = v.as_map() else {
                        return Err(err("`fail_rate` maps model ids to rates"));
                    };
                    for (id, r) in m {
                        let id = &id.value;
                        let r = num(r, id)?;
                        if r > 1.0 {
                            return Err(err(format!("fail rate of `{id}` is above 1")));
                        }
                        spec.fail_rate.push((id.clone(), r));
                    }
                }
                "pricing" => {
                    spec.pricing = Some(
                        v.as_str()
                            .ok_or_else(|| err("`pricing` is a file path"))?
                            .to_string(),
                    )
                }
                other => {
                    return Err(err(format!(
                        "unknown key `{other}`; keys are requests, duration, start, rate, users, metadata, cost, pricing, fail_rate"
                    )));
                }
            }
        }
        if let Some(d) = duration {
            let n = (d * spec.rate).round();
            if !(n.is_finite() && n <= MAX_REQUESTS as f64) {
                return Err(err(format!(
                    "`duration` at this `rate` is more than {MAX_REQUESTS} requests"
                )));
            }
            spec.requests = n as u64;
        }
        spec.check()?;
        Ok(spec)
    }

    /// Checks rates and weights.
    pub fn check(&self) -> Result<(), SpecError> {
        if !(self.rate.is_finite() && self.rate > 0.0 && self.rate <= MAX_RATE) {
            return Err(err(format!(
                "`rate` must be a positive number of requests per second, at most {MAX_RATE}"
            )));
        }
        if self.requests > MAX_REQUESTS || self.users > MAX_REQUESTS {
            return Err(err(format!(
                "`requests` and `users` are at most {MAX_REQUESTS}"
            )));
        }
        if !(self.start.is_finite() && (0.0..=MAX_START).contains(&self.start)) {
            return Err(err(format!(
                "`start` must be seconds since the epoch, from 0 to {MAX_START}"
            )));
        }
        for (field, values) in &self.metadata {
            let total: f64 = values.iter().map(|(_, w)| w).sum();
            if values.iter().any(|(_, w)| !(w.is_finite() && *w >= 0.0)) || total > 1.0 + 1e-9 {
                return Err(err(format!(
                    "weights of `{field}` must be non-negative and add up to at most 1"
                )));
            }
        }
        Ok(())
    }
}

/// `{field: {value: weight}}` into ordered pairs.
pub fn weights_map(v: &Doc) -> Result<Vec<(String, Vec<(MetaValue, f64)>)>, SpecError> {
    let Some(fields) = v.as_map() else {
        return Err(err("`metadata` maps fields to {value: weight} mappings"));
    };
    let mut out = Vec::new();
    for (field, dist) in fields {
        let field = &field.value;
        let Some(values) = dist.as_map() else {
            return Err(err(format!(
                "`{field}` takes {{value: weight}}, such as {{free: 0.8, paid: 0.2}}"
            )));
        };
        let mut list = Vec::new();
        for (value, w) in values {
            let value = &value.value;
            let w = w
                .as_f64()
                .ok_or_else(|| err(format!("weight of `{field}: {value}` is not a number")))?;
            list.push((typed_value(value), w));
        }
        out.push((field.trim_start_matches("metadata.").to_string(), list));
    }
    Ok(out)
}

fn cost(v: &Doc) -> Result<CostSpec, SpecError> {
    let pos = |v: Option<&Doc>| {
        v.and_then(Doc::as_f64)
            .filter(|n| n.is_finite() && *n >= 0.0)
    };
    if let Some(d) = v.get("per_request") {
        return pos(Some(d))
            .map(CostSpec::PerRequest)
            .ok_or_else(|| err("`cost.per_request` is not a non-negative number"));
    }
    if let Some(t) = v.get("tokens") {
        return match (pos(t.get("input")), pos(t.get("output"))) {
            (Some(input), Some(output)) => Ok(CostSpec::Tokens { input, output }),
            _ => Err(err("`cost.tokens` takes {input: N, output: N}")),
        };
    }
    Err(err(
        "`cost` takes `per_request: dollars` or `tokens: {input, output}`",
    ))
}

/// A generator of requests from a spec.
pub struct Synthetic {
    spec: SyntheticSpec,
    rng: Rng,
    emitted: u64,
    t: f64,
    /// Per field: values with cumulative weights.
    fields: Vec<(String, Vec<(MetaValue, f64)>)>,
    text: String,
    /// Slots of `fields` (and `user_id`, last) in the program last filled for, and
    /// that program's address: looked up once per program, not per request.
    slots: Vec<Option<crate::compile::SlotId>>,
    slots_for: usize,
}

impl Synthetic {
    /// A generator seeded with `seed`.
    pub fn new(spec: SyntheticSpec, seed: u64) -> Self {
        let fields = spec
            .metadata
            .iter()
            .map(|(f, values)| {
                let mut acc = 0.0;
                let cumulative = values
                    .iter()
                    .map(|(v, w)| {
                        acc += w;
                        (v.clone(), acc)
                    })
                    .collect();
                (f.clone(), cumulative)
            })
            .collect();
        let t = spec.start;
        Synthetic {
            spec,
            rng: Rng::seed_from_u64(seed),
            emitted: 0,
            t,
            fields,
            text: String::new(),
            slots: Vec::new(),
            slots_for: 0,
        }
    }

    /// The spec.
    pub fn spec(&self) -> &SyntheticSpec {
        &self.spec
    }

    /// Fills `req` with the next request for `program`; returns its time and cost,
    /// or `None` when the traffic is over. The draws never depend on `program`.
    pub fn next_into(&mut self, program: &Program, req: &mut Request) -> Option<(f64, Cost)> {
        if self.emitted >= self.spec.requests {
            return None;
        }
        if self.emitted > 0 {
            // Exponential gaps: a Poisson process of the given mean rate.
            self.t += -(1.0 - self.rng.unit()).ln() / self.spec.rate;
        }
        self.emitted += 1;
        let address = std::ptr::from_ref(program) as usize;
        if self.slots_for != address {
            self.slots = self.fields.iter().map(|(f, _)| program.slot(f)).collect();
            self.slots.push(program.slot("user_id"));
            self.slots_for = address;
        }
        let mut req = req.fill(program);
        for ((_, values), slot) in self.fields.iter().zip(&self.slots) {
            let u = self.rng.unit();
            let picked = values.iter().find(|(_, acc)| u < *acc).map(|(v, _)| v);
            if let (Some(v), Some(slot)) = (picked, slot) {
                req.set_slot(*slot, v.as_value());
            }
        }
        if self.spec.users > 0 {
            let u = (self.rng.unit() * self.spec.users as f64) as u64 + 1;
            if let Some(Some(slot)) = self.slots.last() {
                write_id(&mut self.text, 'u', u);
                req.set_slot(*slot, crate::eval::Value::Str(&self.text));
            }
        }
        write_id(&mut self.text, 'r', self.emitted);
        req.set_id(&self.text);
        let cost = match self.spec.cost {
            CostSpec::None => Cost::None,
            CostSpec::PerRequest(d) => Cost::Dollars(d),
            CostSpec::Tokens { input, output } => Cost::Tokens { input, output },
        };
        Some((self.t, cost))
    }
}

/// "000001002…999": three digits per number below 1000, sliced instead of
/// formatted (this runs twice per synthetic request).
fn triples() -> &'static str {
    static T: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    T.get_or_init(|| (0..1000).map(|i| format!("{i:03}")).collect())
}

/// `prefix` followed by the decimal digits of `n`.
fn write_id(out: &mut String, prefix: char, mut n: u64) {
    let table = triples();
    let mut groups = [0usize; 7];
    let mut k = 0;
    loop {
        groups[k] = (n % 1000) as usize;
        k += 1;
        n /= 1000;
        if n == 0 {
            break;
        }
    }
    out.clear();
    out.push(prefix);
    let first = &table[groups[k - 1] * 3..groups[k - 1] * 3 + 3];
    let trimmed = first.trim_start_matches('0');
    out.push_str(if trimmed.is_empty() && k == 1 {
        "0"
    } else {
        trimmed
    });
    for g in groups[..k - 1].iter().rev() {
        out.push_str(&table[g * 3..g * 3 + 3]);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_plain_decimal() {
        let mut s = String::new();
        super::write_id(&mut s, 'u', 0);
        assert_eq!(s, "u0");
        super::write_id(&mut s, 'r', 18_446_744_073_709_551_615);
        assert_eq!(s, "r18446744073709551615");
        super::write_id(&mut s, 'u', 1_000_007);
        assert_eq!(s, "u1000007");
        super::write_id(&mut s, 'u', 42);
        assert_eq!(s, "u42");
    }

    use super::*;

    #[test]
    fn parses_specs_and_refuses_bad_ones() {
        let s = SyntheticSpec::parse("duration: 1h\nrate: 2\nmetadata:\n  plan: {free: 0.8, paid: 0.2}\n  tier: {1: 0.5, 'x': 0.5}\ncost:\n  per_request: 0.5\nfail_rate: {main: 0.1}\n").unwrap();
        assert_eq!(s.requests, 7200);
        assert_eq!(s.metadata[1].1[0].0, MetaValue::Num(1.0));
        assert_eq!(s.cost, CostSpec::PerRequest(0.5));
        assert_eq!(s.fail_rate, vec![("main".to_string(), 0.1)]);
        assert!(SyntheticSpec::parse("metadata:\n  plan: {a: 0.8, b: 0.3}\n").is_err());
        assert!(SyntheticSpec::parse("rate: 0\n").is_err());
        assert!(SyntheticSpec::parse("colour: red\n").is_err());
        assert!(SyntheticSpec::parse("fail_rate: {m: 2}\n").is_err());
    }
}
