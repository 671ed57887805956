//! Mistakes in a node's values that the YAML and DSL readers both meet (an
//! amount, a duration, a count of retries, a model name), each worded once
//! here: the same mistake reads the same in both formats, and only the example
//! in the help is written the way the file's format writes it. (The gateway's
//! JSON types these values as numbers and objects, so its readers report a
//! wrong type instead.)

use std::fmt;

use super::ast::Format;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

/// What a value should have been.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A rate limit's number of requests.
    Requests,
    /// A budget's amount of dollars.
    Dollars,
    /// A limit's window.
    Window,
    /// A model's timeout.
    Timeout,
    /// A model's number of retries.
    Retries,
}

impl Expected {
    /// The value in words: "a number of requests".
    pub fn noun(self) -> &'static str {
        match self {
            Expected::Requests => "a number of requests",
            Expected::Dollars => "an amount of dollars",
            Expected::Window => "a duration",
            Expected::Timeout => "a duration",
            Expected::Retries => "a whole number of retries",
        }
    }

    /// A correct value as `format` writes it, for the help.
    pub fn example(self, format: Format) -> &'static str {
        match (self, format) {
            (Expected::Requests, Format::Dsl) => "rate 100 per 1h",
            (Expected::Requests, _) => "rate_limit: 100",
            (Expected::Dollars, Format::Dsl) => "budget $50 per 30d",
            (Expected::Dollars, _) => "budget: $50",
            (Expected::Window, Format::Dsl) => "per 1h",
            (Expected::Window, _) => "window: 1h",
            (Expected::Timeout, Format::Dsl) => "timeout 60s",
            (Expected::Timeout, _) => "timeout: 60s",
            (Expected::Retries, Format::Dsl) => "retries 2",
            (Expected::Retries, _) => "retries: 2",
        }
    }
}

/// A value a reader could not take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueError {
    /// `written` is not the value expected there.
    Not {
        /// What was expected.
        expected: Expected,
        /// The value as written.
        written: String,
    },
    /// `written` is not `provider/model`.
    NotModel {
        /// The value as written.
        written: String,
    },
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueError::Not { expected, written } => {
                write!(f, "`{written}` is not {}", expected.noun())
            }
            ValueError::NotModel { written } => {
                write!(f, "`{written}` does not name a provider and a model")
            }
        }
    }
}

impl std::error::Error for ValueError {}

impl ValueError {
    /// The diagnostic code.
    pub fn code(&self) -> Code {
        Code::BadValue
    }

    /// How to fix it, with an example written as `format` writes it.
    pub fn help(&self, format: Format) -> String {
        match self {
            ValueError::Not {
                expected: Expected::Requests,
                ..
            } => format!(
                "a rate limit counts requests (`{}`); budgets take dollars (`{}`)",
                Expected::Requests.example(format),
                Expected::Dollars.example(format)
            ),
            ValueError::Not {
                expected: expected @ (Expected::Window | Expected::Timeout),
                ..
            } => format!(
                "write a number and a unit (`ms`, `s`, `m`, `h`, `d` or `w`): `{}`",
                expected.example(format)
            ),
            ValueError::Not { expected, .. } => format!("write `{}`", expected.example(format)),
            ValueError::NotModel { .. } => match format {
                Format::Dsl => "write `model provider/model`, such as `model openai/gpt-4.1`",
                _ => "write `provider/model`, such as `openai/gpt-4.1`",
            }
            .to_string(),
        }
    }

    /// The located diagnostic, for a file in `format`.
    pub fn at(&self, span: Span, format: Format) -> Diagnostic {
        Diagnostic::error(self.code(), span, self.to_string()).help(self.help(format))
    }
}

/// A route with more nodes than [`super::Limits::max_nodes`], in any format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManyNodes {
    /// Nodes in the route.
    pub count: usize,
    /// The limit in force.
    pub limit: usize,
}

impl fmt::Display for TooManyNodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the route has {} nodes, more than the limit of {}",
            self.count, self.limit
        )
    }
}

impl std::error::Error for TooManyNodes {}

impl TooManyNodes {
    /// The located diagnostic; gateway JSON calls its nodes elements.
    pub fn at(&self, span: Span, format: Format) -> Diagnostic {
        let mut d = Diagnostic::error(Code::LimitExceeded, span, self.to_string());
        if format == Format::Json {
            d = d.note("each element of `elements` is a node");
        }
        d.help("split the route, or raise the limit (`--max-nodes`, `Limits::max_nodes`)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_wording_for_both_formats_and_examples_in_each() {
        let e = ValueError::Not {
            expected: Expected::Retries,
            written: "two".into(),
        };
        assert_eq!(e.to_string(), "`two` is not a whole number of retries");
        assert_eq!(e.help(Format::Yaml), "write `retries: 2`");
        assert_eq!(e.help(Format::Dsl), "write `retries 2`");
        let e = ValueError::Not {
            expected: Expected::Requests,
            written: "$5".into(),
        };
        assert!(e.help(Format::Dsl).contains("`budget $50 per 30d`"));
        assert!(e.help(Format::Yaml).contains("`rate_limit: 100`"));
        let e = ValueError::NotModel {
            written: "gpt".into(),
        };
        assert_eq!(e.at(Span::default(), Format::Yaml).code, Code::BadValue);
        let many = TooManyNodes { count: 5, limit: 4 };
        for format in [Format::Yaml, Format::Dsl, Format::Json] {
            let d = many.at(Span::default(), format);
            assert_eq!(d.message, "the route has 5 nodes, more than the limit of 4");
            assert_eq!(d.code, Code::LimitExceeded);
        }
    }
}
