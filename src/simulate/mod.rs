//! Traffic replay: requests through one shared limit state, in time order, with
//! per-request cost and injected failures, tallied into a [`Report`].
//!
//! Streams: one line at a time, memory bounded by the live limit keys.

mod report;
mod traffic;

pub use report::{Report, SplitStat};
pub use traffic::{TrafficError, TrafficLine, parse_line};

use crate::compile::{NodeId, Program};
use crate::eval::{MemoryStore, Reason, Report as ModelReport, Request, Session, Step};

/// Replays requests through a program and counts what happened.
pub struct Simulator<'p> {
    program: &'p Program,
    store: MemoryStore,
    session: Session,
    request: Request,
    report: Report,
    failing: Vec<NodeId>,
    last_t: Option<(f64, u64)>,
}

impl<'p> Simulator<'p> {
    /// A simulator with empty counters and the given seed.
    pub fn new(program: &'p Program, seed: u64) -> Self {
        Simulator {
            program,
            store: MemoryStore::new(),
            session: Session::new(seed).with_trace(),
            request: Request::new(program),
            report: Report::new(program),
            failing: Vec::new(),
            last_t: None,
        }
    }

    /// Feeds one parsed traffic line (`line_no` for error messages).
    pub fn feed(&mut self, line: &TrafficLine, line_no: u64) -> Result<(), TrafficError> {
        if let Some((prev, prev_no)) = self.last_t {
            if line.t < prev {
                return Err(TrafficError::OutOfOrder {
                    line: line_no,
                    t: line.t,
                    prev_line: prev_no,
                    prev_t: prev,
                });
            }
        }
        self.last_t = Some((line.t, line_no));
        self.failing.clear();
        for id in &line.fail {
            match self.program.find_node(id) {
                Some(n) if self.program.model(n).is_some() => self.failing.push(n),
                _ => {
                    return Err(TrafficError::UnknownModel {
                        line: line_no,
                        id: id.clone(),
                    });
                }
            }
        }
        self.request.clear();
        for (i, (k, v)) in line.metadata.iter().enumerate() {
            if i >= crate::eval::MAX_METADATA_ENTRIES {
                break;
            }
            self.request.set(self.program, k, v.as_value());
        }
        if let Some(id) = &line.id {
            self.request.set_id(id);
        }
        self.run(line.t, line.cost);
        Ok(())
    }

    /// Runs one request whose metadata and id are already in `self.request`.
    fn run(&mut self, t: f64, cost: Option<f64>) {
        let p = self.program;
        let mut step = p.begin(&mut self.session, &self.request, &mut self.store, t);
        let done = loop {
            match step {
                Step::Call(call) => {
                    let r = if self.failing.contains(&call.node) {
                        ModelReport::Failed
                    } else {
                        ModelReport::Answered
                    };
                    step = p.resume(&mut self.session, &self.request, &mut self.store, t, r);
                }
                Step::Done(d) => break d,
            }
        };
        if let (Some(c), Some(_)) = (cost, done.served_by) {
            p.settle(&self.session, &self.request, &mut self.store, t, c);
        }
        let r = &mut self.report;
        r.requests += 1;
        for step in self.session.trace() {
            let n = step.node as usize;
            r.visits[n] += 1;
            match &step.reason {
                Reason::Split { share, .. } => r.split_hits[n][*share] += 1,
                Reason::Limit { passed: false, .. } => r.limited[n] += 1,
                Reason::Model {
                    report: ModelReport::Failed,
                } => r.failed[n] += 1,
                _ => {}
            }
        }
        match done.served_by {
            Some(m) => {
                r.served[m as usize] += 1;
                r.spend[m as usize] += cost.unwrap_or(0.0);
                r.record_timeline(t, Some(m));
            }
            None => {
                r.errors += 1;
                r.record_timeline(t, None);
            }
        }
    }

    /// The report so far.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// Turns on a timeline of served requests per model in buckets of `seconds`.
    pub fn with_timeline(mut self, seconds: f64) -> Self {
        self.report.timeline_bucket = Some(seconds);
        self
    }

    /// Finishes and returns the report.
    pub fn finish(self) -> Report {
        self.report
    }
}
