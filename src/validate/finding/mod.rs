//! What validation finds, each problem worded once: the message, its code and
//! severity, its notes, and the help, whose example is written the way the
//! route's format writes it. The same mistake reads the same in YAML, the DSL
//! and gateway JSON; only the fix is spelled in the file's own words.
//!
//! A rule builds a [`Finding`] and places it with [`Finding::at`]; labels that
//! point at other places in the file stay with the rule, which knows them.

mod display;
mod help;

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::source::Span;
use crate::syntax::ast::{FieldType, Format, LimitKind};
use crate::syntax::values::ShareError;

/// Why a limit's window is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowProblem {
    /// Zero, negative or not a number.
    NotPositive,
    /// A fraction of a second.
    NotWhole,
    /// Past any clock (over 10^12 seconds).
    TooLong,
}

/// How a metadata field was written wrongly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldProblem {
    /// `metadata.` and nothing after it.
    NoKey,
    /// `metadata[...]` whose brackets do not hold one JSON string.
    BadQuotes,
    /// Not a metadata field at all.
    NotMetadata,
}

/// One problem validation finds (an error or a warning, see
/// [`Finding::severity`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Finding {
    /// The route's name is empty or blank.
    EmptyName,
    /// The route has no nodes.
    NoNodes,
    /// No node is the start.
    NoStart,
    /// `id` is a start node after the first.
    SecondStart {
        /// The second start's id.
        id: String,
    },
    /// No node is an end.
    NoEndNode,
    /// Split `id` has no shares.
    NoShares {
        /// The split.
        id: String,
    },
    /// Node `id` lacks outputs.
    MissingOutputs {
        /// The node's kind in words ("conditional").
        kind: &'static str,
        /// The node.
        id: String,
        /// The missing outputs, as the format names them.
        outputs: Vec<&'static str>,
    },
    /// The route loops through `ids` back to the first.
    Cycle {
        /// The nodes on the loop, in order.
        ids: Vec<String>,
    },
    /// No end can be reached from `id`.
    NoPathToEnd {
        /// The node.
        id: String,
    },
    /// Nothing leads from start to `id`.
    Unreachable {
        /// The node.
        id: String,
        /// Whether any output leads to it (from unreachable nodes).
        led_to: bool,
    },
    /// Split `id` is sticky, which the hosted gateway ignores.
    StickyIgnored {
        /// The split.
        id: String,
    },
    /// Split `id` has more shares of one value than the gateway's JSON can
    /// key apart.
    UnwritableShares {
        /// The split.
        id: String,
        /// How many shares have the value.
        count: usize,
        /// The value in basis points.
        basis: u32,
        /// Every way the value can be written.
        forms: Vec<String>,
    },
    /// A share that is not one.
    BadShare {
        /// The split.
        id: String,
        /// The share as written.
        written: String,
        /// What is wrong with it.
        error: ShareError,
    },
    /// Split `id`'s shares do not add up to 100%.
    SharesNot100 {
        /// The split.
        id: String,
        /// Their sum in basis points.
        total: u32,
        /// The shares as written.
        written: Vec<String>,
    },
    /// Split `id` has more outputs than the gateway is known to take.
    TooManyShares {
        /// The split.
        id: String,
        /// How many.
        count: usize,
    },
    /// A limit that is not a positive number.
    LimitNotPositive {
        /// The limit node.
        id: String,
        /// Rate limit or budget.
        kind: LimitKind,
        /// The value.
        value: f64,
    },
    /// A limit past what any counter holds exactly.
    LimitTooLarge {
        /// The limit node.
        id: String,
        /// Rate limit or budget.
        kind: LimitKind,
        /// The value.
        value: f64,
    },
    /// A rate limit of a fraction of a request.
    RateNotWhole {
        /// The limit node.
        id: String,
        /// The value.
        value: f64,
    },
    /// A window that is not a whole positive number of seconds.
    BadWindow {
        /// The limit node.
        id: String,
        /// The window in seconds.
        value: f64,
        /// What is wrong with it.
        problem: WindowProblem,
    },
    /// A rate limit or budget without `key`.
    MissingKey {
        /// The limit node.
        id: String,
        /// Rate limit or budget.
        kind: LimitKind,
    },
    /// A sliding window, which the hosted gateway may not honour.
    SlidingWindow {
        /// The limit node.
        id: String,
    },
    /// A timeout that is not whole milliseconds from 0 to a day.
    BadTimeout {
        /// The timeout in milliseconds.
        value: f64,
    },
    /// Retries that are not a whole number from 0 to 1000.
    BadRetries {
        /// The value.
        value: f64,
    },
    /// A `custom-` provider, which fails inside dynamic routes.
    CustomProvider {
        /// The provider.
        provider: String,
    },
    /// A provider the gateway does not know.
    UnknownProvider {
        /// The provider.
        provider: String,
        /// The known provider it was surely meant to be.
        near: Option<String>,
    },
    /// A limit's key or a split's sticky field that is not a metadata field.
    BadKeyField {
        /// `key` or `sticky`.
        property: &'static str,
        /// The field as written.
        written: String,
        /// Written as `metadata[...]` with a bad key in the brackets.
        quoted: bool,
    },
    /// A field a condition reads that is not a metadata key.
    BadField {
        /// The field as written.
        written: String,
        /// How it is wrong.
        problem: FieldProblem,
    },
    /// A condition operator the gateway does not document.
    UndocumentedOperator {
        /// The conditional.
        id: String,
        /// The operator, as the gateway's JSON names it (`$gt`).
        op: &'static str,
    },
    /// The route reads more metadata keys than the gateway forwards.
    TooManyKeys {
        /// Every key read, in the order first read.
        keys: Vec<String>,
    },
    /// A key read that the route's metadata declarations do not name.
    UndeclaredKey {
        /// The key.
        key: String,
        /// The declared keys.
        declared: Vec<String>,
        /// The declared key it was surely meant to be.
        near: Option<String>,
    },
    /// A field compared with a literal of another type than it has had.
    TypeMismatch {
        /// The field as written.
        field: String,
        /// The literal's type.
        compared: FieldType,
        /// The type the field was declared or first compared as.
        expected: FieldType,
        /// Declared (an error) rather than first compared (a warning).
        declared: bool,
    },
    /// A model's fallback reaches the same provider and model.
    SameModelFallback {
        /// The model node.
        id: String,
        /// The node reached (`None`: the model itself).
        reaches: Option<String>,
        /// The provider.
        provider: String,
        /// The model.
        model: String,
    },
    /// Two node ids that look alike.
    ConfusableIds {
        /// The later id.
        id: String,
        /// The earlier one it looks like.
        other: String,
        /// What tells them apart.
        how: &'static str,
    },
    /// A condition earlier tests decide, so one branch is never taken.
    DeadBranch {
        /// The conditional.
        id: String,
        /// The condition, as an expression.
        test: String,
        /// Whether it is always true (else always false).
        always: bool,
        /// The output never taken, as the format names it.
        dead: &'static str,
    },
    /// Requests without a limit's key share one counter.
    KeyMayBeMissing {
        /// The limit node.
        id: String,
        /// The key field as the gateway writes it (`metadata.user_id`).
        field: String,
    },
}

impl Finding {
    /// The diagnostic code.
    pub fn code(&self) -> Code {
        use Finding as F;
        match self {
            F::EmptyName => Code::BadValue,
            F::NoNodes => Code::EmptyRoute,
            F::NoStart | F::SecondStart { .. } => Code::StartCount,
            F::NoEndNode => Code::NoEnd,
            F::NoShares { .. } | F::MissingOutputs { .. } => Code::MissingOutput,
            F::Cycle { .. } => Code::Cycle,
            F::NoPathToEnd { .. } => Code::NoPathToEnd,
            F::Unreachable { .. } => Code::Unreachable,
            F::StickyIgnored { .. } | F::SlidingWindow { .. } | F::UndocumentedOperator { .. } => {
                Code::NotHonoured
            }
            F::UnwritableShares { .. } => Code::UnwritableShares,
            F::BadShare { .. } => Code::BadShare,
            F::SharesNot100 { .. } => Code::SharesNot100,
            F::TooManyShares { .. } => Code::TooManyShares,
            F::LimitNotPositive { .. } | F::LimitTooLarge { .. } | F::RateNotWhole { .. } => {
                Code::BadLimit
            }
            F::BadWindow { .. } => Code::BadWindow,
            F::MissingKey { .. } => Code::MissingKey,
            F::BadTimeout { .. } | F::BadRetries { .. } => Code::BadTimeout,
            F::CustomProvider { .. } | F::UnknownProvider { .. } => Code::UnknownProvider,
            F::BadKeyField { .. } => Code::BadKey,
            F::BadField { .. } => Code::BadField,
            F::TooManyKeys { .. } => Code::TooManyKeys,
            F::UndeclaredKey { .. } => Code::UndeclaredKey,
            F::TypeMismatch { declared: true, .. } => Code::DeclaredType,
            F::TypeMismatch { .. } => Code::TypeMismatch,
            F::SameModelFallback { .. } => Code::SameModelFallback,
            F::ConfusableIds { .. } => Code::ConfusableIds,
            F::DeadBranch { .. } => Code::DeadBranch,
            F::KeyMayBeMissing { .. } => Code::KeyMayBeMissing,
        }
    }

    /// Error (the route cannot be deployed) or warning.
    pub fn severity(&self) -> Severity {
        use Finding as F;
        match self {
            F::Unreachable { .. }
            | F::StickyIgnored { .. }
            | F::TooManyShares { .. }
            | F::SlidingWindow { .. }
            | F::CustomProvider { .. }
            | F::UnknownProvider { .. }
            | F::UndocumentedOperator { .. }
            | F::TooManyKeys { .. }
            | F::TypeMismatch {
                declared: false, ..
            }
            | F::SameModelFallback { .. }
            | F::ConfusableIds { .. }
            | F::DeadBranch { .. }
            | F::KeyMayBeMissing { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The located diagnostic, for a route written in `format`: message,
    /// notes and help, with the help's example in that format.
    pub fn at(&self, span: Span, format: Format) -> Diagnostic {
        let message = self.to_string();
        let mut d = match self.severity() {
            Severity::Warning => Diagnostic::warning(self.code(), span, message),
            Severity::Error => Diagnostic::error(self.code(), span, message),
        };
        d.notes = self.notes();
        d.help = self.help(format);
        d
    }
}

impl std::error::Error for Finding {}
