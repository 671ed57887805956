//! The `.route` DSL (`grammar/route.pest`) → [`Route`].
//!
//! Nodes are defined once (`name: node`, at the top or inline where an output
//! leads to them) and referred to by name elsewhere. An unnamed inline node is
//! named after its parent and output (`plan_then`, `split_90`). Parse errors say
//! what was expected in words and suggest misspelt keywords.

use pest::Parser as _;
use pest::iterators::Pair;

use super::ast::{
    Branch, FieldType, Limit, LimitKind, Model, Node, NodeKind, Route, Target, WindowMode,
};
use super::cond::TextPos;
use super::doc::Limits;
use super::grammar::{Grammar, Rule};
use super::values::{parse_duration, parse_money};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::source::{SourceId, Span, Spanned};

/// Keywords, for "did you mean" on a misspelt one.
pub const KEYWORDS: [&str; 17] = [
    "route", "metadata", "start", "end", "if", "then", "else", "split", "by", "rate", "budget",
    "per", "model", "timeout", "retries", "sliding", "fixed",
];

/// Reads a route from DSL text. `None` when the text does not parse (the error
/// is in `diags`).
pub fn read(
    text: &str,
    source: SourceId,
    limits: &Limits,
    diags: &mut Vec<Diagnostic>,
) -> Option<Route> {
    if let Err(d) = check_nesting(text, source, limits.max_depth) {
        diags.push(d);
        return None;
    }
    let mut pairs = match Grammar::parse(Rule::dsl, text) {
        Ok(p) => p,
        Err(e) => {
            diags.push(syntax_error(text, source, &e));
            return None;
        }
    };
    let route_decl = pairs.next()?.into_inner().next()?;
    let mut r = Reader {
        source,
        nodes: Vec::new(),
        anonymous: Vec::new(),
        diags,
        limits,
    };
    Some(r.route(route_decl))
}

struct Reader<'a> {
    source: SourceId,
    nodes: Vec<Node>,
    /// Unnamed inline nodes: their placeholder id and the name to derive from
    /// (`parent_output`). Names are given once every written name is known.
    anonymous: Vec<(String, String)>,
    diags: &'a mut Vec<Diagnostic>,
    limits: &'a Limits,
}

impl Reader<'_> {
    fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        Span::new(self.source, s.start(), s.end())
    }

    fn name(&self, p: Pair<'_, Rule>) -> Spanned<String> {
        let span = self.span(&p);
        let raw = p.as_str();
        let text = if raw.starts_with('"') {
            unquote(raw)
        } else {
            raw.to_string()
        };
        Spanned::new(text, span)
    }

    fn route(&mut self, decl: Pair<'_, Rule>) -> Route {
        let mut items = decl.into_inner().filter(|p| p.as_rule() != Rule::kw_route);
        let name = items.next().map(|n| self.name(n)).unwrap_or_default();
        let items: Vec<Pair<'_, Rule>> = items.collect();
        let mut metadata = Vec::new();
        for item in items {
            match item.as_rule() {
                Rule::metadata_decl => {
                    for entry in item.into_inner() {
                        let mut kv = entry.into_inner();
                        let (Some(k), Some(v)) = (kv.next(), kv.next()) else {
                            continue;
                        };
                        let (key, ty) = (self.name(k), self.name(v));
                        let t = match ty.value.as_str() {
                            "string" => FieldType::String,
                            "number" => FieldType::Number,
                            "boolean" => FieldType::Boolean,
                            other => {
                                self.diags.push(
                                    Diagnostic::error(
                                        Code::BadValue,
                                        ty.span,
                                        format!("`{other}` is not a metadata type"),
                                    )
                                    .help("declare `string`, `number` or `boolean`")
                                    .maybe_help(did_you_mean(
                                        other,
                                        ["string", "number", "boolean"],
                                    )),
                                );
                                continue;
                            }
                        };
                        metadata.push((key, Spanned::new(t, ty.span)));
                    }
                }
                Rule::start_decl => {
                    let span = self.span(&item);
                    let mut id = Spanned::new("start".to_string(), span);
                    let mut next = None;
                    for p in item.into_inner() {
                        match p.as_rule() {
                            Rule::name => id = self.name(p),
                            Rule::target => next = Some(self.target(p, "start", "next")),
                            _ => {}
                        }
                    }
                    self.push(Node {
                        id,
                        kind: NodeKind::Start {
                            next: next.flatten(),
                        },
                        span,
                    });
                }
                Rule::node_def => {
                    self.node_def(item);
                }
                _ => {}
            }
        }
        if self.nodes.len() > self.limits.max_nodes {
            self.diags.push(Diagnostic::error(
                Code::LimitExceeded,
                name.span,
                format!(
                    "the route has {} nodes, more than the limit of {}",
                    self.nodes.len(),
                    self.limits.max_nodes
                ),
            ));
        }
        self.name_anonymous();
        Route {
            name,
            metadata,
            nodes: std::mem::take(&mut self.nodes),
        }
    }

    /// Gives unnamed inline nodes `parent_output` names that no written name uses,
    /// and points their parents' outputs at them.
    fn name_anonymous(&mut self) {
        if self.anonymous.is_empty() {
            return;
        }
        let mut taken: std::collections::HashSet<String> = self
            .nodes
            .iter()
            .map(|n| n.id.value.clone())
            .filter(|id| !id.starts_with('\u{0}'))
            .collect();
        let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        for (placeholder, base) in std::mem::take(&mut self.anonymous) {
            // The parent may itself have been unnamed; it was named just before.
            let base = match base.split_once('\u{1}') {
                Some((parent, arm)) => {
                    format!("{}_{arm}", names.get(parent).map_or(parent, String::as_str))
                }
                None => base,
            };
            let mut name = base.clone();
            let mut n = 2;
            while taken.contains(&name) {
                name = format!("{base}_{n}");
                n += 1;
            }
            taken.insert(name.clone());
            names.insert(placeholder, name);
        }
        for node in &mut self.nodes {
            if let Some(n) = names.get(&node.id.value) {
                node.id.value.clone_from(n);
            }
            for t in node.kind.targets_mut() {
                if let Some(n) = names.get(&t.value) {
                    t.value.clone_from(n);
                }
            }
        }
    }

    fn push(&mut self, node: Node) {
        self.nodes.push(node);
    }

    /// `name: node`; returns the name.
    fn node_def(&mut self, def: Pair<'_, Rule>) -> Spanned<String> {
        let span = self.span(&def);
        let mut inner = def.into_inner();
        let id = inner.next().map(|n| self.name(n)).unwrap_or_default();
        if let Some(node) = inner.next() {
            self.node(id.clone(), node, span);
        }
        id
    }

    /// An output's target: a reference, a named inline node, or an unnamed one.
    fn target(&mut self, t: Pair<'_, Rule>, parent: &str, arm: &str) -> Target {
        let span = self.span(&t);
        let mut parts = t.into_inner();
        let first = parts.next()?;
        if first.as_rule() == Rule::name {
            let id = self.name(first);
            if let Some(node) = parts.next() {
                self.node(id.clone(), node, span);
            }
            return Some(id);
        }
        let arm: String = arm
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let arm = arm.trim_end_matches('_');
        let placeholder = format!("\u{0}{}", self.anonymous.len());
        // A placeholder parent is resolved when names are given.
        let base = if parent.starts_with('\u{0}') {
            format!("{parent}\u{1}{arm}")
        } else {
            format!("{parent}_{arm}")
        };
        self.anonymous.push((placeholder.clone(), base));
        let id = Spanned::new(placeholder, span);
        self.node(id.clone(), first, span);
        Some(id)
    }

    fn node(&mut self, id: Spanned<String>, body: Pair<'_, Rule>, span: Span) {
        let at = self.span(&body);
        // Push a placeholder first so nodes read in the order they are written.
        let index = self.nodes.len();
        self.nodes.push(Node {
            id: id.clone(),
            kind: NodeKind::End,
            span,
        });
        let kind = match body.as_rule() {
            Rule::end_node => NodeKind::End,
            Rule::cond_node => self.cond(&id, body),
            Rule::split_node => self.split(&id, body),
            Rule::rate_node | Rule::budget_node => self.limit(&id, body),
            Rule::model_node => self.model(&id, body, at),
            _ => NodeKind::End,
        };
        self.nodes[index].kind = kind;
    }

    fn cond(&mut self, id: &Spanned<String>, body: Pair<'_, Rule>) -> NodeKind {
        let mut condition = None;
        let mut arms = Arms::default();
        for p in body.into_inner() {
            match p.as_rule() {
                Rule::expr => {
                    let span = self.span(&p);
                    // Pair spans are offsets into the whole file already.
                    let pos = TextPos {
                        source: self.source,
                        base: Some(0),
                        whole: span,
                    };
                    condition = Some(Spanned::new(super::cond::lower_expr(p, pos), span));
                }
                Rule::block => arms = self.block(id, p, &["then", "else"]),
                _ => {}
            }
        }
        NodeKind::Conditional {
            condition,
            then: arms.get("then"),
            otherwise: arms.get("else"),
        }
    }

    fn split(&mut self, id: &Spanned<String>, body: Pair<'_, Rule>) -> NodeKind {
        let mut sticky = None;
        let mut branches = Vec::new();
        for p in body.into_inner() {
            match p.as_rule() {
                Rule::field => sticky = Some(Spanned::new(p.as_str().to_string(), self.span(&p))),
                Rule::share_arm => {
                    let mut arm = p.into_inner();
                    let (Some(share), Some(target)) = (arm.next(), arm.next()) else {
                        continue;
                    };
                    let share = Spanned::new(share.as_str().to_string(), self.span(&share));
                    let label = share.value.trim_end_matches('%').to_string();
                    if let Some(t) = self.target(target, &id.value, &label) {
                        branches.push(Branch { share, target: t });
                    }
                }
                _ => {}
            }
        }
        NodeKind::Percentage { sticky, branches }
    }

    fn limit(&mut self, id: &Spanned<String>, body: Pair<'_, Rule>) -> NodeKind {
        let kind = if body.as_rule() == Rule::rate_node {
            LimitKind::Count
        } else {
            LimitKind::Cost
        };
        let mut limit = Limit {
            kind,
            key: None,
            limit: None,
            window: None,
            mode: None,
            success: None,
            fallback: None,
        };
        for p in body.into_inner() {
            let span = self.span(&p);
            match p.as_rule() {
                Rule::amount => {
                    let text = p.as_str();
                    let value = if kind == LimitKind::Cost {
                        parse_money(text)
                    } else if text.starts_with('$') {
                        None
                    } else {
                        text.parse().ok()
                    };
                    match value {
                        Some(v) => limit.limit = Some(Spanned::new(v, span)),
                        None => self.diags.push(
                            Diagnostic::error(Code::BadValue, span, format!("`{text}` is not a number of requests"))
                                .help("a rate limit counts requests (`rate 100 per 1h`); budgets take dollars (`budget $50 per 30d`)"),
                        ),
                    }
                }
                Rule::duration => {
                    limit.window = parse_duration(p.as_str(), 1000.0).map(|v| Spanned::new(v, span))
                }
                Rule::field => limit.key = Some(Spanned::new(p.as_str().to_string(), span)),
                Rule::window_mode => {
                    let m = if p.as_str() == "sliding" {
                        WindowMode::Sliding
                    } else {
                        WindowMode::Fixed
                    };
                    limit.mode = Some(Spanned::new(m, span));
                }
                Rule::block => {
                    let arms = self.block(id, p, &["success", "fallback"]);
                    limit.success = arms.get("success");
                    limit.fallback = arms.get("fallback");
                }
                _ => {}
            }
        }
        NodeKind::Limit(limit)
    }

    fn model(&mut self, id: &Spanned<String>, body: Pair<'_, Rule>, at: Span) -> NodeKind {
        let mut m = Model {
            provider: Spanned::default(),
            model: Spanned::default(),
            timeout: None,
            retries: None,
            success: None,
            fallback: None,
        };
        for p in body.into_inner() {
            let span = self.span(&p);
            match p.as_rule() {
                Rule::model_ref => {
                    let inner = p.into_inner().next();
                    let (text, base) = match inner.as_ref().map(Pair::as_rule) {
                        Some(Rule::string) => (
                            unquote(inner.as_ref().map_or("", |i| i.as_str())),
                            span.start as usize + 1,
                        ),
                        _ => (
                            inner.map_or(String::new(), |i| i.as_str().to_string()),
                            span.start as usize,
                        ),
                    };
                    match text.split_once('/') {
                        Some((pv, md)) if !pv.is_empty() && !md.is_empty() => {
                            m.provider = Spanned::new(
                                pv.to_string(),
                                Span::new(self.source, base, base + pv.len()),
                            );
                            m.model = Spanned::new(
                                md.to_string(),
                                Span::new(self.source, base + pv.len() + 1, base + text.len()),
                            );
                        }
                        _ => self.diags.push(
                            Diagnostic::error(
                                Code::BadValue,
                                span,
                                format!("`{text}` does not name a provider and a model"),
                            )
                            .help("write `model provider/model`, such as `model openai/gpt-4.1`"),
                        ),
                    }
                }
                Rule::duration => {
                    m.timeout = parse_duration(p.as_str(), 1.0).map(|v| Spanned::new(v, span))
                }
                Rule::amount => match p.as_str().parse::<f64>() {
                    Ok(v) => m.retries = Some(Spanned::new(v, span)),
                    Err(_) => self.diags.push(
                        Diagnostic::error(Code::BadValue, span, "retries is a whole number")
                            .help("write `retries 2`"),
                    ),
                },
                Rule::block => {
                    let arms = self.block(id, p, &["success", "fallback"]);
                    m.success = arms.get("success");
                    m.fallback = arms.get("fallback");
                }
                _ => {}
            }
        }
        for (missing, example) in [
            (m.timeout.is_none(), "timeout 30s"),
            (m.retries.is_none(), "retries 1"),
        ] {
            if missing {
                let key = example.split(' ').next().unwrap_or("");
                self.diags.push(
                    Diagnostic::error(
                        Code::MissingKey,
                        at,
                        format!("model `{}` has no `{key}`", id.value),
                    )
                    .help(format!("add `{example}` after the model name")),
                );
            }
        }
        NodeKind::Model(m)
    }

    /// `{ name -> target ... }` with the arm names a kind allows.
    fn block(&mut self, id: &Spanned<String>, block: Pair<'_, Rule>, allowed: &[&str]) -> Arms {
        let mut arms = Arms::default();
        for arm in block.into_inner() {
            let mut parts = arm.into_inner();
            let (Some(name), Some(target)) = (parts.next(), parts.next()) else {
                continue;
            };
            let arm_name = Spanned::new(name.as_str().to_string(), self.span(&name));
            if !allowed.contains(&arm_name.value.as_str()) {
                let hint = match arm_name.value.as_str() {
                    "true" => Some("the `true` output is written `then`".to_string()),
                    "false" => Some("the `false` output is written `else`".to_string()),
                    other => did_you_mean(other, allowed.iter().copied()),
                };
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownOutput,
                        arm_name.span,
                        format!("`{}` is not an output here", arm_name.value),
                    )
                    .note(format!("the outputs here are {}", super::list(allowed)))
                    .maybe_help(hint),
                );
                continue;
            }
            if let Some((_, first)) = arms.0.iter().find(|(n, _)| n.value == arm_name.value) {
                let first_span = first.as_ref().map_or(arm_name.span, |t| t.span);
                self.diags.push(
                    Diagnostic::error(
                        Code::DuplicateKey,
                        arm_name.span,
                        format!("output `{}` is given twice", arm_name.value),
                    )
                    .with_secondary(first_span, "first given here")
                    .help("keep one"),
                );
                continue;
            }
            let t = self.target(target, &id.value, &arm_name.value);
            arms.0.push((arm_name, t));
        }
        arms
    }
}

#[derive(Default)]
struct Arms(Vec<(Spanned<String>, Target)>);

impl Arms {
    fn get(&self, name: &str) -> Target {
        self.0
            .iter()
            .find(|(n, _)| n.value == name)
            .and_then(|(_, t)| t.clone())
    }
}

fn unquote(s: &str) -> String {
    serde_json::from_str::<String>(s).unwrap_or_else(|_| s.trim_matches('"').to_string())
}

fn syntax_error(text: &str, source: SourceId, e: &pest::error::Error<Rule>) -> Diagnostic {
    let at = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let rest = &text[at.min(text.len())..];
    let token: String = match rest.chars().next() {
        None => String::new(),
        Some(c) if c.is_alphanumeric() || c == '_' => rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect(),
        Some(c) => c.to_string(),
    };
    let found = if token.is_empty() {
        "the end of the file".to_string()
    } else {
        format!("`{token}`")
    };
    let expected = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => words(positives),
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
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
    Diagnostic::error(
        Code::Syntax,
        span,
        format!("expected {expected}, found {found}"),
    )
    .label(format!("expected {expected}"))
    .help(hint.unwrap_or_else(|| "see the DSL example at the top of grammar/route.pest".into()))
}

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

/// Bounds nesting (`{`, `(`, `[` and runs of `!`, outside strings and comments)
/// before pest recurses into it.
fn check_nesting(text: &str, source: SourceId, max: usize) -> Result<(), Diagnostic> {
    let b = text.as_bytes();
    let (mut depth, mut bangs, mut i) = (0usize, 0usize, 0usize);
    while i < b.len() {
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
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            b'!' => bangs += 1,
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => bangs = 0,
        }
        if depth + bangs > max {
            return Err(Diagnostic::error(
                Code::LimitExceeded,
                Span::new(source, i, i + 1),
                format!("the route is nested more than {max} deep"),
            )
            .help("define deeply nested nodes at the top level and refer to them by name"));
        }
        i += 1;
    }
    Ok(())
}
