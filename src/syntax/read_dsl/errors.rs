//! What the DSL reader says when a file does not parse: [`DslError`] owns
//! the wording of the DSL's own mistakes; a condition inside a route that does
//! not parse is a [`CondError`], worded as in YAML's `if:`.

use std::fmt;

use super::KEYWORDS;
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::source::{SourceId, Span};
use crate::syntax::ast::Format;
use crate::syntax::cond::CondError;
use crate::syntax::grammar::Rule;

/// `max_depth` is the nesting bound in effect: the grammar itself stops at
/// [`crate::syntax::NESTING_CAP`], past any bound a user can set, and the
/// message names the bound the user set, as a route nested a little past it
/// (found while lowering) would.
pub(super) fn syntax_error(
    text: &str,
    source: SourceId,
    e: &pest::error::Error<Rule>,
    max_depth: usize,
) -> Diagnostic {
    let site = crate::syntax::grammar::ErrorSite::of(text, e, '-');
    let (at, rest, token) = (site.at, site.rest, site.token.clone());
    if site.too_deep {
        let e = DslError::TooDeep { limit: max_depth };
        return e.at(Span::new(source, at, at + 1));
    }
    let found = site.found("the end of the file");
    let expected = words(&site.positives);
    let span = Span::new(
        source,
        at,
        at + token.len().max(1).min(text.len().saturating_sub(at).max(1)),
    );
    let after = rest[token.len().min(rest.len())..].trim_start();
    let share_like = rest
        .split_whitespace()
        .next()
        .is_some_and(|w| w.ends_with('%'));
    let hint = if share_like
        && !rest
            .split_once('%')
            .is_some_and(|(_, a)| a.trim_start().starts_with("->"))
    {
        Some("a share leads somewhere: write `90% -> target`".to_string())
    } else if site.positives.contains(&Rule::share) && token.parse::<f64>().is_ok() {
        Some(format!(
            "a share is a percentage: write `{token}% -> target`"
        ))
    } else if ["then", "else", "success", "fallback"].contains(&token.as_str())
        && !after.starts_with("->")
    {
        Some(format!(
            "an output leads somewhere: write `{token} -> target`"
        ))
    } else if token.chars().next().is_some_and(char::is_alphabetic) {
        did_you_mean(&token, KEYWORDS).or_else(|| match token.as_str() {
            "and" | "AND" => Some("join tests with `&&`".into()),
            "or" | "OR" => Some("join alternatives with `||`".into()),
            _ => None,
        })
    } else if rest.starts_with('=') && !rest.starts_with("==") {
        Some("compare with `==`, not `=`".into())
    } else if rest.starts_with("=>") || rest.starts_with('>') {
        Some("outputs are written `name -> target`".into())
    } else {
        None
    };
    // Inside a condition the mistake is the same as in YAML's `if:`, and so is
    // the code and the advice.
    let in_condition = site.positives.iter().any(|r| {
        matches!(
            r,
            Rule::cmp_op
                | Rule::kw_in
                | Rule::not_in
                | Rule::literal
                | Rule::number
                | Rule::boolean
                | Rule::expr
                | Rule::conj
                | Rule::unary
                | Rule::primary
                | Rule::and_op
                | Rule::or_op
        )
    });
    if in_condition {
        let e = CondError::Syntax {
            expected,
            found,
            hint: crate::syntax::cond::slip_help(
                rest,
                &token,
                site.positives.contains(&Rule::cmp_op),
            )
            .or(hint),
        };
        return e.at(span, Format::Dsl);
    }
    if let Some(d) = unclosed_block(text, source, at, rest, &token) {
        return d;
    }
    DslError::Expected {
        expected,
        found,
        hint,
    }
    .at(span)
}

/// A block left open: the parser runs on to the end of the file, or into the
/// next node's definition (`done: end` where an output was expected). The
/// mistake is at the `{` that was never closed, so that is where to point.
fn unclosed_block(
    text: &str,
    source: SourceId,
    at: usize,
    rest: &str,
    token: &str,
) -> Option<Diagnostic> {
    let at_end = rest.trim().is_empty();
    let next_is_definition = {
        let word = rest
            .trim_start()
            .split(|c: char| c.is_whitespace() || c == ':')
            .next()
            .unwrap_or("");
        !word.is_empty() && rest.trim_start()[word.len()..].starts_with(':')
    };
    if !at_end && !next_is_definition {
        return None;
    }
    // Braces open before `at`, outside strings and comments.
    let b = text.as_bytes();
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < at.min(b.len()) {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') && (i == 0 || b[i - 1].is_ascii_whitespace()) => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' => open.push(i),
            b'}' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    // At a node definition the route's own `{` is rightly open; an inner one is not.
    let brace = if at_end {
        *open.last()?
    } else if open.len() >= 2 {
        *open.last()?
    } else {
        return None;
    };
    let line_start = text[..brace].rfind('\n').map_or(0, |p| p + 1);
    let what = text[line_start..brace].trim();
    let what = (!what.is_empty()).then(|| {
        crate::escape::terminal(what.split(": ").next().unwrap_or(what).trim()).into_owned()
    });
    Some(
        DslError::Unclosed { what }
            .at(Span::new(source, brace, brace + 1))
            .with_secondary(
                Span::new(source, at, at + token.len().min(rest.len())),
                if at_end {
                    "the file ends here".to_string()
                } else {
                    "the next node's definition starts here".to_string()
                },
            ),
    )
}

/// A mistake of the DSL's own: its grammar, its blocks, its nesting.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DslError {
    /// Blocks nested past the bound.
    TooDeep {
        /// The bound in effect.
        limit: usize,
    },
    /// Text the grammar does not read.
    Expected {
        /// What could come at the point, in words.
        expected: String,
        /// What is there.
        found: String,
        /// Advice for the slip recognised there, if any.
        hint: Option<String>,
    },
    /// A block's `{` never closed.
    Unclosed {
        /// The node whose block it is, as written before the `{`.
        what: Option<String>,
    },
    /// One output written twice in a block.
    OutputTwice {
        /// The output.
        output: String,
    },
}

impl DslError {
    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            DslError::TooDeep { .. } => Code::LimitExceeded,
            DslError::Expected { .. } | DslError::Unclosed { .. } => Code::Syntax,
            DslError::OutputTwice { .. } => Code::DuplicateKey,
        }
    }

    /// What the primary span is labelled with, if anything.
    pub fn label(&self) -> Option<String> {
        match self {
            DslError::Expected { expected, .. } => Some(format!("expected {expected}")),
            DslError::Unclosed { .. } => Some("opened here".into()),
            _ => None,
        }
    }

    /// How to fix it.
    pub fn help(&self) -> String {
        match self {
            DslError::TooDeep { .. } => {
                "define deeply nested nodes at the top level and refer to them by name".into()
            }
            DslError::Expected { hint: Some(h), .. } => h.clone(),
            DslError::Expected { .. } => "a route reads `route NAME { start -> first  first: model provider/model timeout 30s retries 1 { success -> done  fallback -> done }  done: end }`".into(),
            DslError::Unclosed { .. } => "add `}` after the block's last output".into(),
            DslError::OutputTwice { .. } => "keep one".into(),
        }
    }

    /// The located diagnostic.
    pub fn at(&self, span: Span) -> Diagnostic {
        let mut d = Diagnostic::error(self.code(), span, self.to_string());
        if let Some(label) = self.label() {
            d = d.label(label);
        }
        d.help(self.help())
    }
}

impl fmt::Display for DslError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DslError::TooDeep { limit } => write!(f, "the route is nested more than {limit} deep"),
            DslError::Expected {
                expected, found, ..
            } => write!(f, "expected {expected}, found {found}"),
            DslError::Unclosed { what: Some(w) } => write!(f, "the `{{` of `{w}` is never closed"),
            DslError::Unclosed { what: None } => f.write_str("this `{` is never closed"),
            DslError::OutputTwice { output } => write!(f, "output `{output}` is given twice"),
        }
    }
}

impl std::error::Error for DslError {}

fn words(rules: &[Rule]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for r in rules {
        let w = match r {
            Rule::kw_route => "`route NAME { ... }`",
            Rule::name | Rule::bare_name | Rule::string => "a name",
            Rule::node_def | Rule::item | Rule::metadata_decl | Rule::start_decl => {
                "a node definition (`name: ...`), `start -> ...` or `}`"
            }
            Rule::target
            | Rule::end_node
            | Rule::cond_node
            | Rule::split_node
            | Rule::rate_node
            | Rule::budget_node
            | Rule::model_node
            | Rule::kw_if
            | Rule::kw_split
            | Rule::kw_rate
            | Rule::kw_budget
            | Rule::kw_model => {
                "a node (`if`, `split`, `rate`, `budget`, `model`, `end`) or a node's name"
            }
            Rule::arm | Rule::arm_name => "an output such as `success -> next`",
            Rule::share_arm | Rule::share => "a share such as `90% -> main`",
            Rule::block => "`{` and the outputs",
            Rule::duration => "a duration such as `1h` or `30s`",
            Rule::amount => "a number (or `$amount` for a budget)",
            Rule::model_ref | Rule::model_word => "`provider/model`",
            Rule::kw_per => "`per` and a window",
            Rule::kw_by | Rule::field => "a field such as `metadata.user_id`",
            Rule::window_mode | Rule::kw_sliding | Rule::kw_fixed => "`sliding` or `fixed`",
            Rule::kw_timeout => "`timeout`",
            Rule::kw_retries => "`retries`",
            Rule::cmp_op => "a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`)",
            Rule::kw_in | Rule::not_in => "`in` or `not in`",
            Rule::literal | Rule::number | Rule::boolean => {
                "a value (a string in double quotes, a number, `true` or `false`)"
            }
            Rule::expr | Rule::conj | Rule::unary | Rule::primary => {
                "a condition such as `metadata.plan == \"paid\"`"
            }
            Rule::and_op | Rule::or_op => "`&&`, `||`",
            Rule::EOI => "the end of the file",
            _ => continue,
        };
        if !out.contains(&w) {
            out.push(w);
        }
    }
    match out.len() {
        0 => "more of the route".into(),
        1 => out[0].to_string(),
        _ => {
            let last = out.pop().unwrap_or_default();
            format!("{} or {last}", out.join(", "))
        }
    }
}
