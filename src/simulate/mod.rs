//! Traffic through a route: requests through one shared limit state, in time
//! order, with per-request cost and failures, tallied into a [`Report`].
//!
//! Traffic comes from a recorded file ([`parse_line`], streamed one line at a
//! time) or from a seeded generator ([`Synthetic`]). Memory is bounded by the live
//! limit keys, never by the length of the traffic.

mod faults;
mod plot;
mod pricing;
mod report;
mod synthetic;
mod traffic;

pub use faults::StoreFailures;
pub use pricing::{Pricing, PricingError};
pub use report::{Report, SplitStat};
pub use synthetic::{
    CostSpec, MAX_RATE, MAX_REQUESTS, MAX_START, SpecError, Synthetic, SyntheticSpec, typed_value,
    weights_map,
};
pub use traffic::{MetaValue, TrafficError, TrafficLine, parse_line};

use crate::rng::Rng;

use crate::compile::{NodeId, Program};
use crate::eval::{
    LimitStore, MemoryStore, Reason, Report as ModelReport, Request, Session, Step, StickyFrom,
};

/// What a request costs once served.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cost {
    /// Nothing is known.
    None,
    /// A fixed amount in dollars.
    Dollars(f64),
    /// Tokens, priced by the model that served the request.
    Tokens {
        /// Input tokens.
        input: f64,
        /// Output tokens.
        output: f64,
    },
}

/// Runs requests through a program and counts what happened, with limit counters
/// in `S`: in memory by default, or a shared store such as Redis. A store that
/// fails is counted in the report ([`Report::store_failures`]) and the program's
/// fail-open or fail-closed choice decides the limit.
pub struct Simulator<'p, S: LimitStore = MemoryStore> {
    program: &'p Program,
    store: S,
    session: Session,
    request: Request,
    report: Report,
    failing: Vec<NodeId>,
    last_t: Option<(f64, u64)>,
    /// Per node: dollars per million input and output tokens.
    prices: Vec<Option<(f64, f64)>>,
    /// Per node: probability that the model fails after its retries.
    fail_rates: Vec<f64>,
    rng: Rng,
    /// Ignore `fail` ids the route does not have (when comparing two routes).
    lenient_fail_ids: bool,
}

impl<'p> Simulator<'p> {
    /// A simulator with empty counters in memory and the given seed.
    pub fn new(program: &'p Program, seed: u64) -> Self {
        Simulator::with_store(program, seed, MemoryStore::new())
    }
}

impl<'p, S: LimitStore> Simulator<'p, S> {
    /// A simulator whose limit counters live in `store` (which may already hold
    /// counts, shared with other processes).
    pub fn with_store(program: &'p Program, seed: u64, store: S) -> Self {
        Simulator {
            program,
            store,
            session: Session::new(seed).with_events(),
            request: Request::new(program),
            report: Report::new(program),
            failing: Vec::new(),
            last_t: None,
            prices: vec![None; program.len()],
            fail_rates: vec![0.0; program.len()],
            // A stream of its own, so failure draws never shift split draws.
            rng: Rng::seed_from_u64(seed ^ 0x6661_696c_7572_6573),
            lenient_fail_ids: false,
        }
    }

    /// Prices token costs with `pricing` (by `provider/model`).
    pub fn with_pricing(mut self, pricing: &Pricing) -> Self {
        for n in 0..self.program.len() as NodeId {
            if let Some(m) = self.program.model(n) {
                self.prices[n as usize] = pricing.price(&m.provider, &m.model);
                if self.prices[n as usize].is_none() {
                    self.report.unpriced.push(n);
                }
            }
        }
        self
    }

    /// Makes model `node` fail with probability `rate` (0..=1), drawn from the seed.
    pub fn with_fail_rate(mut self, node: NodeId, rate: f64) -> Self {
        if let Some(r) = self.fail_rates.get_mut(node as usize) {
            *r = rate.clamp(0.0, 1.0);
        }
        self
    }

    /// Skips `fail` ids the route lacks instead of rejecting the line.
    pub fn lenient_fail_ids(mut self) -> Self {
        self.lenient_fail_ids = true;
        self
    }

    /// Turns on a timeline of served requests per model in buckets of `seconds`.
    /// Rows start at whole seconds, so the bucket is whole seconds too (0 reads as 1).
    pub fn with_timeline(mut self, seconds: u64) -> Self {
        self.report.timeline_bucket = Some(seconds.max(1) as f64);
        self
    }

    /// The program simulated.
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// Feeds one parsed traffic line (`line_no` for error messages).
    pub fn feed(&mut self, line: &TrafficLine, line_no: u64) -> Result<(), TrafficError> {
        self.check_order(line.t, line_no)?;
        self.failing.clear();
        for id in &line.fail {
            match self.program.find_node(id) {
                Some(n) if self.program.model(n).is_some() => self.failing.push(n),
                _ if self.lenient_fail_ids => {}
                _ => {
                    return Err(TrafficError::UnknownModel {
                        line: line_no,
                        id: id.clone(),
                    });
                }
            }
        }
        let mut fill = self.request.fill(self.program);
        for (k, v) in line.metadata.iter().take(crate::eval::MAX_METADATA_ENTRIES) {
            fill.set(k, v.as_value());
        }
        if let Some(id) = &line.id {
            fill.set_id(id);
        }
        let cost = line.cost.map_or(Cost::None, Cost::Dollars);
        self.run(line.t, cost);
        Ok(())
    }

    /// Feeds one traffic line as text (`line_no` for error messages): lines of
    /// the usual shape are read in place, with no map or string per line;
    /// anything else goes through [`parse_line`], so every error reads the same.
    pub fn feed_text(&mut self, text: &str, line_no: u64) -> Result<(), TrafficError> {
        let read = traffic::read_line_into(
            text,
            self.program,
            &mut self.request,
            &mut self.failing,
            self.lenient_fail_ids,
        );
        match read {
            Some((t, cost)) => {
                self.check_order(t, line_no)?;
                self.run(t, cost.map_or(Cost::None, Cost::Dollars));
                Ok(())
            }
            None => self.feed(&parse_line(text, line_no)?, line_no),
        }
    }

    /// Feeds the next request of a generator.
    pub fn feed_synthetic(&mut self, generator: &mut Synthetic) -> bool {
        self.failing.clear();
        let Some((t, cost)) = generator.next_into(self.program, &mut self.request) else {
            return false;
        };
        self.run(t, cost);
        true
    }

    fn check_order(&mut self, t: f64, line_no: u64) -> Result<(), TrafficError> {
        if let Some((prev, prev_no)) = self.last_t {
            if t < prev {
                return Err(TrafficError::OutOfOrder {
                    line: line_no,
                    t,
                    prev_line: prev_no,
                    prev_t: prev,
                });
            }
        }
        self.last_t = Some((t, line_no));
        Ok(())
    }

    fn fails(&mut self, node: NodeId) -> bool {
        if self.failing.contains(&node) {
            return true;
        }
        let rate = self.fail_rates[node as usize];
        rate > 0.0 && self.rng.unit() < rate
    }

    /// Runs one request whose metadata and id are already in `self.request`.
    fn run(&mut self, t: f64, cost: Cost) {
        let p = self.program;
        // The request is always filled for this program, so neither call can
        // refuse it; were one to, the request counts as unserved.
        let mut step = p.begin(&mut self.session, &self.request, &mut self.store, t);
        let done = loop {
            match step {
                Ok(Step::Call(call)) => {
                    let r = if self.fails(call.node) {
                        ModelReport::Failed
                    } else {
                        ModelReport::Answered
                    };
                    step = p.resume(&mut self.session, &self.request, &mut self.store, t, r);
                }
                Ok(Step::Done(d)) => break d,
                Err(_) => break crate::eval::Done { served_by: None },
            }
        };
        let dollars = match (done.served_by, cost) {
            (None, _) | (_, Cost::None) => 0.0,
            (Some(_), Cost::Dollars(d)) => d,
            (Some(m), Cost::Tokens { input, output }) => self.prices[m as usize]
                .map_or(0.0, |(pi, po)| (input * pi + output * po) / 1_000_000.0),
        };
        let settled = if dollars > 0.0 {
            p.settle(&self.session, &self.request, &mut self.store, t, dollars)
        } else {
            Ok(())
        };
        let r = &mut self.report;
        if let Some((_, e)) = self.session.store_error() {
            r.store.note(e);
        }
        // The request and session are this program's own, so a store failure
        // is the only error settling can meet.
        if let Err(crate::eval::EvalError::Store(e)) = settled {
            r.store.settles += 1;
            r.store.note(&e);
        }
        r.requests += 1;
        for &n in self.session.path() {
            r.visits[n as usize] += 1;
        }
        for step in self.session.trace() {
            let n = step.node as usize;
            match &step.reason {
                Reason::Split {
                    share,
                    bucket,
                    from,
                } => {
                    r.split_hits[n][*share] += 1;
                    if *from == StickyFrom::Field {
                        r.record_sticky(n, *bucket);
                    }
                }
                Reason::Limit { used, passed } => {
                    if used.is_none() {
                        r.store.decided[n] += 1;
                    }
                    if !passed {
                        r.limited[n] += 1;
                    }
                }
                Reason::Model {
                    report: ModelReport::Failed,
                } => r.failed[n] += 1,
                _ => {}
            }
        }
        match done.served_by {
            Some(m) => {
                r.served[m as usize] += 1;
                r.spend[m as usize] += dollars;
            }
            None => r.errors += 1,
        }
        r.record_timeline(t, done.served_by);
    }

    /// The report so far.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The limit store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Finishes and returns the report.
    pub fn finish(self) -> Report {
        self.report
    }
}
