//! Condition expressions (`metadata.plan == "paid" && metadata.tier >= 2`) → [`Cond`].
//!
//! The rules are the `condition` rules at the top of `grammar/route.pest`, shared
//! with the DSL. Parse errors say in words what was expected and suggest the usual
//! slips (`=` for `==`, `and` for `&&`, single quotes).

use pest::Parser as _;
use pest::iterators::Pair;

use super::error::CondError;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceId, Span, Spanned};
use crate::syntax::ast::{CmpOp, Cond, Format, Literal};
use crate::syntax::grammar::{Grammar, Rule};

/// Where an expression's text sits in its file: `base` is the byte offset of its
/// first character when the text was copied verbatim (`None` when escapes or line
/// folding make positions inexact; then errors point at `whole`).
#[derive(Clone, Copy, Debug)]
pub struct TextPos {
    /// The file.
    pub source: SourceId,
    /// Offset of the first character, when exact.
    pub base: Option<usize>,
    /// The whole value as written.
    pub whole: Span,
}

impl TextPos {
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        match self.base {
            Some(b) => Span::new(self.source, b + start, b + end),
            None => self.whole,
        }
    }
}

/// Parses a condition expression, nested at most `max_depth` deep (parentheses
/// and `!`; never past [`crate::syntax::NESTING_CAP`]).
///
/// A flat condition (tests joined by `&&` and `||`) is read by
/// [`super::quick`] in one pass; anything else, and every error, by the grammar.
pub fn parse_expr(text: &str, pos: TextPos, max_depth: usize) -> Result<Cond, Diagnostic> {
    match super::quick::parse(text, pos) {
        Some(cond) => Ok(cond),
        None => parse_with_grammar(text, pos, max_depth),
    }
}

/// Parses a condition expression with the grammar, whatever its shape.
pub(super) fn parse_with_grammar(
    text: &str,
    pos: TextPos,
    max_depth: usize,
) -> Result<Cond, Diagnostic> {
    let mut pairs = Grammar::parse(Rule::condition, text)
        .map_err(|e| syntax_error(text, pos, &e, max_depth))?;
    let Some(expr) = pairs.next().and_then(|c| c.into_inner().next()) else {
        return Err(located(CondError::Empty, pos.whole));
    };
    lower(
        expr,
        pos,
        Depth {
            at: 0,
            max: max_depth,
        },
    )
}

/// How deep a condition's lowering is, and how deep it may go.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Depth {
    /// Levels of nesting around the pair being lowered.
    pub at: usize,
    /// The bound.
    pub max: usize,
}

impl Depth {
    /// One level further in, or the located error when that passes the bound.
    fn enter(self, pair: &Pair<'_, Rule>, pos: TextPos) -> Result<Depth, Diagnostic> {
        let max = self.max.min(crate::syntax::NESTING_CAP);
        if self.at >= max {
            let at = pair.as_span().start();
            return Err(located(
                CondError::TooDeep { limit: max },
                pos.span(at, at + 1),
            ));
        }
        Ok(Depth {
            at: self.at + 1,
            max: self.max,
        })
    }
}

/// An expression's error, located. An expression is written the same in
/// every format that has one (YAML's `if:` text, the DSL), and so is its fix.
fn located(e: CondError, span: Span) -> Diagnostic {
    e.at(span, Format::Dsl)
}

/// Lowers a parsed `expr` (or any condition rule) into a [`Cond`], checking the
/// nesting bound at each level on the way down. A parenthesised expression and a
/// `!` each count one level.
pub(crate) fn lower(pair: Pair<'_, Rule>, pos: TextPos, depth: Depth) -> Result<Cond, Diagnostic> {
    Ok(match pair.as_rule() {
        Rule::expr | Rule::conj => {
            let is_or = pair.as_rule() == Rule::expr;
            let mut parts = Vec::new();
            for p in pair.into_inner() {
                // An `expr` inside a conjunction is a parenthesised one.
                let d = if p.as_rule() == Rule::expr {
                    depth.enter(&p, pos)?
                } else {
                    depth
                };
                parts.push(lower(p, pos, d)?);
            }
            if parts.len() == 1 {
                parts.pop().unwrap_or(Cond::All(Vec::new()))
            } else if is_or {
                Cond::Any(parts)
            } else {
                Cond::All(parts)
            }
        }
        Rule::negation => {
            let d = depth.enter(&pair, pos)?;
            let inner = pair.into_inner().find(|p| p.as_rule() != Rule::not_op);
            let inner = match inner {
                Some(p) => lower(p, pos, d)?,
                None => Cond::All(Vec::new()),
            };
            Cond::Not(Box::new(inner))
        }
        Rule::exists | Rule::not_exists => {
            let present = pair.as_rule() == Rule::exists;
            let field = pair.into_inner().find(|p| p.as_rule() == Rule::field);
            Cond::Exists {
                field: field.map_or_else(Spanned::default, |f| field_text(&f, pos)),
                present,
            }
        }
        Rule::test => {
            let mut field = Spanned::default();
            let mut negated = false;
            let mut op = None;
            let mut values = Vec::new();
            let mut value = None;
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::field => field = field_text(&p, pos),
                    Rule::not_in => negated = true,
                    Rule::list => {
                        values = p
                            .into_inner()
                            .map(|l| literal(l, pos))
                            .collect::<Result<_, _>>()?;
                    }
                    Rule::cmp_op => op = Some(cmp_op(p.as_str())),
                    Rule::string | Rule::number | Rule::boolean => {
                        value = Some(literal(p, pos)?);
                    }
                    _ => {}
                }
            }
            match (op, value) {
                (Some(op), Some(value)) => Cond::Cmp { field, op, value },
                _ => Cond::In {
                    field,
                    negated,
                    values,
                },
            }
        }
        _ => Cond::All(Vec::new()),
    })
}

/// A field in its wire form (`metadata["odd key"]` read as `metadata.odd key`).
fn field_text(pair: &Pair<'_, Rule>, pos: TextPos) -> Spanned<String> {
    let s = pair.as_span();
    Spanned::new(
        crate::syntax::field::from_written(pair.as_str()),
        pos.span(s.start(), s.end()),
    )
}

fn cmp_op(s: &str) -> CmpOp {
    match s {
        "!=" => CmpOp::Ne,
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Gte,
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Lte,
        _ => CmpOp::Eq,
    }
}

/// A `string`, `number` or `boolean` pair as a literal. A number too large
/// for a double (`1e400`) is an error: it would compare as infinity, and the
/// gateway's JSON, like every other format, has no way to write infinity.
fn literal(pair: Pair<'_, Rule>, pos: TextPos) -> Result<Spanned<Literal>, Diagnostic> {
    let s = pair.as_span();
    let span = pos.span(s.start(), s.end());
    let text = pair.as_str();
    let value = match pair.as_rule() {
        Rule::string => Literal::Str(unescape(&text[1..text.len().saturating_sub(1).max(1)])),
        Rule::number => match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Literal::Num(n),
            _ => {
                let text = crate::syntax::doc_error::quote_number(text);
                return Err(located(CondError::NumberTooLarge { text }, span));
            }
        },
        _ => Literal::Bool(text == "true"),
    };
    Ok(Spanned::new(value, span))
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let c = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                out.push(c.unwrap_or('\u{fffd}'));
            }
            Some(c) => out.push(c),
            None => {}
        }
    }
    out
}

/// `max_depth` is the bound in effect, named when the grammar stops at its own
/// cap (past any bound a user can set).
fn syntax_error(
    text: &str,
    pos: TextPos,
    e: &pest::error::Error<Rule>,
    max_depth: usize,
) -> Diagnostic {
    let site = crate::syntax::grammar::ErrorSite::of(text, e, '.');
    let (at, rest, token) = (site.at, site.rest, site.token.clone());
    if site.too_deep {
        let at = at.saturating_sub(1);
        let limit = max_depth.min(crate::syntax::NESTING_CAP);
        return located(CondError::TooDeep { limit }, pos.span(at, at + 1));
    }
    let e = CondError::Syntax {
        expected: expected_words(&site.positives),
        found: site.found("the end of the condition"),
        hint: slip_help(rest, &token, site.positives.contains(&Rule::cmp_op)),
    };
    located(e, pos.span(at, at + token.len().max(1)))
}

/// Advice for a common slip in a condition at `rest` (starting with `token`);
/// `want_operator` when a comparison was expected there. Shared by every format.
pub(crate) fn slip_help(rest: &str, token: &str, want_operator: bool) -> Option<String> {
    if rest.starts_with("=<") {
        return Some("less than or equal is written `<=`".into());
    }
    if rest.starts_with("=>") {
        return Some("greater than or equal is written `>=`".into());
    }
    if rest.starts_with('=') && !rest.starts_with("==") {
        return Some("compare with `==`, not `=`".into());
    }
    if rest.starts_with('\'') {
        return Some("strings take double quotes: `\"paid\"`".into());
    }
    match token {
        "and" | "AND" => Some("join tests with `&&`".into()),
        "or" | "OR" => Some("join alternatives with `||`".into()),
        "not" => Some("negate with `!`, or write `field not in [...]`".into()),
        "&" => Some("`and` is written `&&`".into()),
        "|" => Some("`or` is written `||`".into()),
        // A word where an operator belongs is an operator that does not exist
        // (`contains`, `like`), not a string missing its quotes.
        _ if want_operator && token.chars().all(|c| c.is_alphanumeric() || c == '_') => {
            Some(format!(
                "there is no `{token}` operator: conditions compare whole values with `==`, `!=`, `<`, `<=`, `>`, `>=`, `in [...]` or `not in [...]`"
            ))
        }
        _ if token.chars().next().is_some_and(char::is_alphabetic)
            && !token.contains('.')
            && rest.len() > token.len() =>
        {
            crate::diagnostic::did_you_mean(token, ["exists", "in", "not", "true", "false"])
                .or_else(|| Some(format!("strings take double quotes: `\"{token}\"`")))
        }
        _ => None,
    }
}

fn expected_words(rules: &[Rule]) -> String {
    let mut words: Vec<&str> = Vec::new();
    for r in rules {
        let w = match r {
            Rule::field | Rule::ident => "a field such as `metadata.plan`",
            Rule::cmp_op => "a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`)",
            Rule::kw_in | Rule::not_in => "`in` or `not in`",
            Rule::literal | Rule::string | Rule::number | Rule::boolean => {
                "a value (a string in double quotes, a number, `true` or `false`)"
            }
            Rule::list => "a list such as `[\"a\", \"b\"]`",
            Rule::EOI => "`&&`, `||` or the end of the condition",
            Rule::expr | Rule::conj | Rule::unary | Rule::primary | Rule::condition => {
                "a test such as `metadata.plan == \"paid\"`"
            }
            Rule::kw_exists | Rule::exists | Rule::not_exists => "`exists`",
            _ => "more of the condition",
        };
        if !words.contains(&w) {
            words.push(w);
        }
    }
    match words.len() {
        0 => "a test such as `metadata.plan == \"paid\"`".to_string(),
        1 => words[0].to_string(),
        _ => {
            let last = words.pop().unwrap_or_default();
            format!("{} or {last}", words.join(", "))
        }
    }
}
