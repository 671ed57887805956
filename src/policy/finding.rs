//! What the path policies find, worded once: [`super::rules`] decides whether
//! a rule is broken and which request shows it, and says where; a
//! [`PolicyFinding`] owns the message, code, severity, notes and help.

use std::fmt;

use crate::diagnostic::{Code, Diagnostic, Severity, did_you_mean};
use crate::source::Span;
use crate::syntax::values::format_millis;

/// A request that shows a finding, or why there is none.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Witness {
    /// A request the evaluator sent along the path.
    Shown {
        /// The path from start, by node id (`start → a → b`).
        path: String,
        /// The request in words ("example request: metadata ...").
        request: String,
    },
    /// The search bound was reached before a request was found.
    Undecided,
    /// No request reaches the node today (the route still holds it).
    Never,
}

impl Witness {
    /// The notes that say so.
    fn notes(&self) -> Vec<String> {
        match self {
            Witness::Shown { path, request } => vec![format!("path: {path}"), request.clone()],
            Witness::Undecided => {
                vec!["no request reaching it was found within the search bound".into()]
            }
            Witness::Never => {
                vec!["no request reaches this node today, but the route holds it".into()]
            }
        }
    }
}

/// A question the bounded path search left open.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Question {
    /// Whether every request reaching a model of `provider` is served when
    /// that provider is down (`fallback-to-other-provider`).
    Fallback {
        /// The provider.
        provider: String,
    },
    /// Whether requests matching a `forbid` rule can reach a forbidden model.
    Forbid {
        /// The rule's `when`, as written (empty: every request).
        when: String,
        /// The forbidden model, as `provider/model`.
        model: String,
        /// The model node's id.
        node: String,
    },
}

/// The requests a `forbid` rule is about, in words.
fn requests(when: &str) -> String {
    if when.is_empty() {
        "requests".to_string()
    } else {
        format!("requests matching `{when}`")
    }
}

impl fmt::Display for Question {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Question::Fallback { provider } => write!(
                f,
                "whether every request reaching a model of `{provider}` is served when that provider is down"
            ),
            Question::Forbid { when, model, node } => write!(
                f,
                "whether {} can be served by `{model}` at `{node}`",
                requests(when)
            ),
        }
    }
}

/// A route that breaks a rule of the project's `[policy]`, or a rule the
/// search could not decide for one node.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum PolicyFinding {
    /// `providers`: a model of a provider the policy does not list.
    Provider {
        /// The model node's id.
        node: String,
        /// Its provider.
        provider: String,
        /// The providers allowed.
        allowed: Vec<String>,
        /// Where the policy is stated (`aig-route.toml:3`).
        origin: String,
        /// A request that reaches the node.
        witness: Witness,
    },
    /// `max-timeout`: a model that waits longer per attempt.
    Timeout {
        /// The model node's id.
        node: String,
        /// Its timeout, in milliseconds.
        timeout_ms: f64,
        /// The policy's bound, in milliseconds.
        max_ms: f64,
        /// Where the policy is stated.
        origin: String,
        /// A request that reaches the node.
        witness: Witness,
    },
    /// `fallback-to-other-provider`: an outage of one provider leaves
    /// requests unserved.
    Fallback {
        /// The provider down.
        provider: String,
        /// The ids of its models on the path, in the order met.
        failing: Vec<String>,
        /// The path from start, by node id.
        path: String,
        /// The request sent along it, in words.
        request: String,
        /// Where the policy is stated.
        origin: String,
    },
    /// `[[policy.forbid]]`: requests the rule matches reach a forbidden model.
    Forbid {
        /// The rule's `when`, as written (empty: every request).
        when: String,
        /// The forbidden model, as `provider/model`.
        model: String,
        /// The model node's id.
        node: String,
        /// The path from start, by node id.
        path: String,
        /// The request sent along it, in words.
        request: String,
        /// Where the rule is stated.
        origin: String,
    },
    /// A rule the search bound left open at one node (a warning).
    Undecided {
        /// What could not be decided.
        question: Question,
        /// The node it is about.
        node: String,
        /// Where the policy is stated.
        origin: String,
    },
}

impl PolicyFinding {
    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            PolicyFinding::Provider { .. } => Code::PolicyProvider,
            PolicyFinding::Timeout { .. } => Code::PolicyTimeout,
            PolicyFinding::Fallback { .. } => Code::PolicyFallback,
            PolicyFinding::Forbid { .. } => Code::PolicyForbid,
            PolicyFinding::Undecided { .. } => Code::PolicyUndecided,
        }
    }

    /// Error or warning: an open question is reported, never passed silently,
    /// but does not fail the route unless denied.
    pub fn severity(&self) -> Severity {
        match self {
            PolicyFinding::Undecided { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The message under the primary span.
    pub fn label(&self) -> String {
        match self {
            PolicyFinding::Provider { .. } => "provider not in `providers`".into(),
            PolicyFinding::Timeout { .. } => "above `max-timeout`".into(),
            PolicyFinding::Fallback { provider, .. } => {
                format!("no fallback outside `{provider}`")
            }
            PolicyFinding::Forbid { .. } => "forbidden for these requests".into(),
            PolicyFinding::Undecided { .. } => "policy not proven here".into(),
        }
    }

    /// The facts that explain it: the path and request that show it, and
    /// where the rule is stated.
    pub fn notes(&self) -> Vec<String> {
        match self {
            PolicyFinding::Provider {
                allowed,
                origin,
                witness,
                ..
            } => {
                let mut notes = vec![format!(
                    "allowed providers: {} (policy at {origin})",
                    crate::syntax::list(allowed)
                )];
                notes.extend(witness.notes());
                notes
            }
            PolicyFinding::Timeout {
                origin, witness, ..
            } => {
                let mut notes = vec![format!("policy at {origin}")];
                notes.extend(witness.notes());
                notes
            }
            PolicyFinding::Fallback {
                provider,
                failing,
                path,
                request,
                origin,
            } => {
                let chain: Vec<String> = failing.iter().map(|c| format!("`{c}`")).collect();
                vec![
                    format!("path: {path}"),
                    format!(
                        "every `{provider}` model on it fails ({}) and it ends without an answer",
                        chain.join(", ")
                    ),
                    request.clone(),
                    format!("policy `fallback-to-other-provider` at {origin}"),
                ]
            }
            PolicyFinding::Forbid {
                path,
                request,
                origin,
                ..
            } => vec![
                format!("path: {path}"),
                request.clone(),
                format!("rule at {origin}"),
            ],
            PolicyFinding::Undecided { node, origin, .. } => vec![
                format!(
                    "the search tries at most {} edges and {} solver calls per question, and {} paths; `{node}` has too many paths or splits too narrow to land",
                    super::search::MAX_STEPS,
                    super::search::MAX_SOLVES,
                    super::search::MAX_CANDIDATES,
                ),
                format!("policy at {origin}"),
            ],
        }
    }

    /// How to fix it.
    pub fn help(&self) -> String {
        match self {
            PolicyFinding::Provider {
                provider, allowed, ..
            } => did_you_mean(provider, allowed.iter().map(String::as_str)).unwrap_or_else(
                || "use an allowed provider, or add this one to `providers` in the project file".into(),
            ),
            PolicyFinding::Timeout { max_ms, .. } => {
                format!("lower the timeout to {} or less", format_millis(*max_ms))
            }
            PolicyFinding::Fallback { failing, .. } => format!(
                "give `{}` a fallback that reaches a model of another provider",
                failing.last().map_or("", String::as_str)
            ),
            PolicyFinding::Forbid { .. } => "add a condition before this model that sends those requests elsewhere, or change the rule".into(),
            PolicyFinding::Undecided { .. } => "simplify the paths before this node, or cover it with a route test (`aig-route test`); `deny = [\"W0905\"]` makes this fail CI".into(),
        }
    }

    /// The located diagnostic.
    pub fn at(&self, span: Span) -> Diagnostic {
        let d = Diagnostic::new(self.severity(), self.code(), span, self.to_string());
        let mut d = d.label(self.label()).help(self.help());
        d.notes = self.notes();
        d
    }
}

impl fmt::Display for PolicyFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyFinding::Provider { node, provider, .. } => write!(
                f,
                "model `{node}` uses provider `{provider}`, which the project's policy does not allow"
            ),
            PolicyFinding::Timeout {
                node,
                timeout_ms,
                max_ms,
                ..
            } => write!(
                f,
                "model `{node}` waits up to {} per attempt, longer than the project's `max-timeout` of {}",
                format_millis(*timeout_ms),
                format_millis(*max_ms)
            ),
            PolicyFinding::Fallback {
                provider, failing, ..
            } => write!(
                f,
                "when provider `{provider}` is down, requests reaching `{}` are not served by another provider",
                failing.first().map_or("", String::as_str)
            ),
            PolicyFinding::Forbid {
                when, model, node, ..
            } => write!(
                f,
                "{} can be served by `{model}` at `{node}`, which the project forbids",
                requests(when)
            ),
            PolicyFinding::Undecided { question, .. } => write!(
                f,
                "could not decide {question}: the path search stopped at its bound"
            ),
        }
    }
}

impl std::error::Error for PolicyFinding {}
