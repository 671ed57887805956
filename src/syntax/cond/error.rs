//! What the condition readers find wrong, worded once. An expression (YAML's
//! `if:` text, a DSL `if`) and a query object (gateway JSON's `conditions`,
//! YAML's `if:` mapping) meet some of the same mistakes, nesting too deep, a
//! condition with no test, a number past a double's range, and report them
//! through this one type, so they read the same; the help's examples are
//! written in the file's own format.

use std::fmt;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::Format;
use crate::syntax::doc::Doc;
use crate::syntax::shape_error::Shape;

/// What an operator given the wrong operand takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Takes {
    /// `$and` and `$or`: a list of queries.
    Queries,
    /// `$in` and `$nin`: a list of values.
    Values,
    /// `$exists`: `true` or `false`.
    Boolean,
    /// `$not` on a field: an object of operators.
    Operators,
}

/// A condition the readers refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CondError {
    /// Nested more than `limit` deep (parentheses and `!` in an expression;
    /// `$not`, and `$and`/`$or` inside another, in a query).
    TooDeep {
        /// The bound in effect.
        limit: usize,
    },
    /// A condition without a single test.
    Empty,
    /// An expression the grammar does not read.
    Syntax {
        /// What could come at the point, in words.
        expected: String,
        /// What is there, in words.
        found: String,
        /// Advice for the slip recognised there, if any.
        hint: Option<String>,
    },
    /// A number too large for a double (it would compare as infinity).
    NumberTooLarge {
        /// The number as written (escaped for a terminal).
        text: String,
    },
    /// A query that is not an object (mapping).
    NotAQuery {
        /// The format's word for an object.
        object: &'static str,
        /// What it is, in the format's words.
        found: &'static str,
    },
    /// An operator given an operand of the wrong kind.
    WrongOperand {
        /// The operator (`$in`).
        op: String,
        /// What it takes.
        takes: Takes,
        /// What it takes, in the format's words.
        expected: String,
        /// What it was given, in the format's words.
        found: &'static str,
    },
    /// `$and` or `$or` with an empty list.
    NoQueries {
        /// The operator.
        op: String,
    },
    /// `$not` on a field with no operator under it.
    NoOperators,
    /// A field compared with an object that holds no operator.
    ComparedWithObject {
        /// The field.
        field: String,
        /// The format's word for the object.
        object: &'static str,
    },
    /// A comparison given something that is not a string, number or boolean.
    NotAValue {
        /// The operator (`$eq` for a bare value).
        op: String,
        /// What it was given, in the format's words.
        found: &'static str,
    },
    /// An operator that does not exist at its place.
    UnknownOperator {
        /// The operator as written.
        op: String,
        /// Under a field (`$gte`), or at the top of a query (`$and`).
        on_field: bool,
        /// The operator surely meant, or a note that it belongs elsewhere.
        hint: Option<String>,
    },
}

/// The operators of a query's top level.
pub(super) const TOP_OPS: [&str; 3] = ["$and", "$or", "$not"];
/// The operators under a field.
pub(super) const FIELD_OPS: [&str; 10] = [
    "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$not",
];

/// An example query, written as `format` writes one: `json` for the gateway's
/// JSON, `yaml` for a YAML mapping.
fn example(format: Format, json: &str, yaml: &str) -> String {
    match format {
        Format::Json => json.to_string(),
        _ => yaml.to_string(),
    }
}

impl CondError {
    /// `op` given `operand`, which is not what it takes.
    pub fn wrong_operand(op: &str, takes: Takes, operand: &Doc, format: Format) -> Self {
        let list = Shape::List.noun(format);
        CondError::WrongOperand {
            op: op.to_string(),
            takes,
            expected: match takes {
                Takes::Queries => format!("{list} of queries"),
                Takes::Values => list.to_string(),
                Takes::Boolean => "`true` or `false`".into(),
                Takes::Operators => format!("{} of operators", Shape::Mapping.noun(format)),
            },
            found: Shape::found(operand, format),
        }
    }

    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            CondError::TooDeep { .. } => Code::LimitExceeded,
            CondError::Syntax { .. } => Code::ConditionSyntax,
            CondError::UnknownOperator { .. } => Code::UnknownOperator,
            CondError::Empty
            | CondError::NumberTooLarge { .. }
            | CondError::NotAQuery { .. }
            | CondError::WrongOperand { .. }
            | CondError::NoQueries { .. }
            | CondError::NoOperators
            | CondError::ComparedWithObject { .. }
            | CondError::NotAValue { .. } => Code::BadOperand,
        }
    }

    /// What the primary span is labelled with, if anything.
    pub fn label(&self) -> Option<String> {
        match self {
            CondError::Syntax { expected, .. } => Some(format!("expected {expected}")),
            CondError::NumberTooLarge { .. } => Some("beyond ±1.8e308".into()),
            _ => None,
        }
    }

    /// The facts that explain it.
    pub fn notes(&self) -> Vec<String> {
        let note = match self {
            CondError::NumberTooLarge { .. } => {
                "the gateway's JSON has no way to write a number this large"
            }
            CondError::ComparedWithObject { .. } | CondError::NotAValue { .. } => {
                "metadata values are strings, numbers or booleans"
            }
            CondError::UnknownOperator {
                on_field: false, ..
            } => "a query's keys are fields (`metadata.plan`) or `$and`, `$or`, `$not`",
            CondError::UnknownOperator { on_field: true, .. } => {
                "field operators are `$eq $ne $gt $gte $lt $lte $in $nin $exists $not`"
            }
            _ => return Vec::new(),
        };
        vec![note.to_string()]
    }

    /// How to fix it, written as `format` writes the fix.
    pub fn help(&self, format: Format) -> Option<String> {
        let write =
            |json: &str, yaml: &str| Some(format!("write `{}`", example(format, json, yaml)));
        match self {
            CondError::TooDeep { .. } => {
                Some("split the test into several conditional nodes".into())
            }
            CondError::Empty => Some(
                "an empty condition matches every request; use a start or percentage node instead, or add a test"
                    .into(),
            ),
            CondError::Syntax { hint, .. } => Some(hint.clone().unwrap_or_else(|| {
                "conditions read like `metadata.plan == \"paid\" && metadata.tier >= 2`".into()
            })),
            CondError::NumberTooLarge { .. } => {
                Some("compare with a finite number, such as `1e300`".into())
            }
            CondError::NotAQuery { .. } => write(
                r#"{"metadata.plan": {"$eq": "paid"}}"#,
                "metadata.plan: {$eq: paid}",
            ),
            CondError::WrongOperand { op, takes, .. } => match takes {
                Takes::Queries => Some(format!(
                    "write `{}`",
                    match format {
                        Format::Json => format!("\"{op}\": [{{...}}, {{...}}]"),
                        _ => format!("{op}: [{{...}}, {{...}}]"),
                    }
                )),
                Takes::Values => Some(format!(
                    "write `{}`",
                    match format {
                        Format::Json => format!("\"{op}\": [\"a\", \"b\"]"),
                        _ => format!("{op}: [a, b]"),
                    }
                )),
                Takes::Boolean => write(r#""$exists": true"#, "$exists: true"),
                Takes::Operators => write(r#"{"$not": {"$gte": 2}}"#, "$not: {$gte: 2}"),
            },
            CondError::NoQueries { .. } => Some("give it at least one query, or remove it".into()),
            CondError::NoOperators => Some(format!(
                "give it an operator, as in `{}`, or remove it",
                example(format, r#"{"$not": {"$gte": 2}}"#, "$not: {$gte: 2}")
            )),
            CondError::ComparedWithObject { .. } => Some(format!(
                "operators start with `$`, such as `{}`",
                example(format, r#"{"$eq": "paid"}"#, "{$eq: paid}")
            )),
            CondError::NotAValue { .. } => {
                Some("compare with a string, a finite number, `true` or `false`".into())
            }
            CondError::UnknownOperator { hint, .. } => hint.clone(),
        }
    }

    /// The located diagnostic, for a condition written in `format`.
    pub fn at(&self, span: Span, format: Format) -> Diagnostic {
        let mut d = Diagnostic::error(self.code(), span, self.to_string());
        if let Some(label) = self.label() {
            d = d.label(label);
        }
        d.notes = self.notes();
        d.help = self.help(format);
        d
    }
}

impl fmt::Display for CondError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CondError::TooDeep { limit } => {
                write!(f, "the condition is nested more than {limit} deep")
            }
            CondError::Empty => f.write_str("empty condition"),
            CondError::Syntax {
                expected, found, ..
            } => write!(
                f,
                "condition does not parse: expected {expected}, found {found}"
            ),
            CondError::NumberTooLarge { text } => crate::syntax::doc_error::too_large(f, text),
            CondError::NotAQuery { object, found } => {
                write!(f, "a query is {object} of tests, not {found}")
            }
            CondError::WrongOperand {
                op,
                takes,
                expected,
                found,
            } => {
                let on = if *takes == Takes::Operators {
                    " on a field"
                } else {
                    ""
                };
                write!(f, "`{op}`{on} takes {expected}, not {found}")
            }
            CondError::NoQueries { op } => write!(f, "`{op}` has no queries"),
            CondError::NoOperators => f.write_str("`$not` has no operators"),
            CondError::ComparedWithObject { field, object } => {
                write!(f, "`{field}` is compared with {object}")
            }
            CondError::NotAValue { op, found } => write!(f, "`{op}` is given {found}"),
            CondError::UnknownOperator { op, .. } => write!(f, "unknown operator `{op}`"),
        }
    }
}

impl std::error::Error for CondError {}
