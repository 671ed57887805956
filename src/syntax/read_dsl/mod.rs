//! The `.route` DSL (`grammar/route.pest`) → [`Route`].
//!
//! Nodes are defined once (`name: node`, at the top or inline where an output
//! leads to them) and referred to by name elsewhere. An unnamed inline node is
//! named after its parent and output (`plan_then`, `split_90`). Parse errors say
//! what was expected in words and suggest misspelt keywords.

mod errors;
mod limits;

pub use errors::DslError;
use errors::syntax_error;
use pest::Parser as _;
use pest::iterators::Pair;

use super::ast::{Branch, FieldType, Format, Node, NodeKind, Route, Target};
use super::cond::TextPos;
use super::doc::Limits;
use super::grammar::{Grammar, Rule};
use super::vocab::{Kind, Slot};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceId, Span, Spanned};
use crate::syntax::words::OutputError;

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
    let mut pairs = match Grammar::parse(Rule::dsl, text) {
        Ok(p) => p,
        Err(e) => {
            diags.push(syntax_error(text, source, &e, limits.depth()));
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
        depth: 0,
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
    /// Blocks (`{ ... }`) around the node being read.
    depth: usize,
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
                        let t = match FieldType::parse(&ty.value) {
                            Ok(t) => t,
                            Err(e) => {
                                self.diags.push(e.at(ty.span));
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
            let many = crate::syntax::value_error::TooManyNodes {
                count: self.nodes.len(),
                limit: self.limits.max_nodes,
            };
            self.diags
                .push(many.at(name.span, crate::syntax::Format::Dsl));
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
        // Where the probe for each base goes on from: names below it are taken,
        // so many unnamed nodes on one base cost one probe each, not one per
        // name already given.
        let mut next: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (placeholder, base) in std::mem::take(&mut self.anonymous) {
            // The parent may itself have been unnamed; it was named just before.
            let base = match base.split_once('\u{1}') {
                Some((parent, arm)) => {
                    format!("{}_{arm}", names.get(parent).map_or(parent, String::as_str))
                }
                None => base,
            };
            let n = next.entry(base.clone()).or_insert(2);
            let mut name = if *n == 2 {
                base.clone()
            } else {
                format!("{base}_{n}")
            };
            while taken.contains(&name) {
                name = format!("{base}_{n}");
                *n += 1;
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
                    // Conditions have their own depth budget, as in every other
                    // format, so a route converts to the DSL whatever its nesting.
                    let depth = super::cond::Depth {
                        at: 0,
                        max: self.limits.depth(),
                    };
                    match super::cond::lower_expr(p, pos, depth) {
                        Ok(c) => condition = Some(Spanned::new(c, span)),
                        Err(d) => self.diags.push(d),
                    }
                }
                Rule::block => arms = self.block(id, p, Kind::Conditional),
                _ => {}
            }
        }
        NodeKind::Conditional {
            condition,
            then: arms.get(Slot::True),
            otherwise: arms.get(Slot::False),
        }
    }

    fn split(&mut self, id: &Spanned<String>, body: Pair<'_, Rule>) -> NodeKind {
        let mut sticky = None;
        let mut branches = Vec::new();
        if !self.enter(&body) {
            return NodeKind::Percentage { sticky, branches };
        }
        for p in body.into_inner() {
            match p.as_rule() {
                Rule::field => {
                    let field = crate::syntax::field::from_written(p.as_str());
                    sticky = Some(Spanned::new(field, self.span(&p)));
                }
                Rule::share_arm => {
                    let mut arm = p.into_inner();
                    let (Some(share), Some(target)) = (arm.next(), arm.next()) else {
                        continue;
                    };
                    let share = Spanned::new(share.as_str().to_string(), self.span(&share));
                    let label = share.value.trim_end_matches('%').to_string();
                    if let Some(t) = self.target(target, &id.value, &label) {
                        branches.push(Branch::new(share, t));
                    }
                }
                _ => {}
            }
        }
        self.depth -= 1;
        NodeKind::Percentage { sticky, branches }
    }

    /// Steps into a block, or reports that it is nested past the bound (and its
    /// contents are not read).
    fn enter(&mut self, block: &Pair<'_, Rule>) -> bool {
        let max = self.limits.depth();
        if self.depth >= max {
            let at = self.span(block);
            let start = at.start as usize;
            let e = DslError::TooDeep { limit: max };
            self.diags
                .push(e.at(Span::new(self.source, start, start + 1)));
            return false;
        }
        self.depth += 1;
        true
    }

    /// `{ name -> target ... }` with the arm names a kind allows.
    fn block(&mut self, id: &Spanned<String>, block: Pair<'_, Rule>, kind: Kind) -> Arms {
        let mut arms = Arms::default();
        if !self.enter(&block) {
            return arms;
        }
        for arm in block.into_inner() {
            let mut parts = arm.into_inner();
            let (Some(name), Some(target)) = (parts.next(), parts.next()) else {
                continue;
            };
            let mut arm_name = Spanned::new(name.as_str().to_string(), self.span(&name));
            let given: Vec<Slot> = arms
                .0
                .iter()
                .filter_map(|(n, _)| kind.output_named(&n.value, Format::Dsl))
                .collect();
            if let Err(e) = OutputError::check(kind, &arm_name.value, Format::Dsl, &given) {
                self.diags.push(e.at(arm_name.span));
                // Read as the output surely meant, so that no "missing
                // output" follows from the same typo.
                match e.meant.and_then(|m| m.name_in(Format::Dsl)) {
                    Some(meant) => arm_name.value = meant.to_string(),
                    None => continue,
                }
            }
            if let Some((_, first)) = arms.0.iter().find(|(n, _)| n.value == arm_name.value) {
                let first_span = first.as_ref().map_or(arm_name.span, |t| t.span);
                let e = DslError::OutputTwice {
                    output: arm_name.value.clone(),
                };
                self.diags.push(
                    e.at(arm_name.span)
                        .with_secondary(first_span, "first given here"),
                );
                continue;
            }
            let t = self.target(target, &id.value, &arm_name.value);
            arms.0.push((arm_name, t));
        }
        self.depth -= 1;
        arms
    }
}

#[derive(Default)]
struct Arms(Vec<(Spanned<String>, Target)>);

impl Arms {
    fn get(&self, slot: Slot) -> Target {
        let name = slot.name_in(Format::Dsl)?;
        self.0
            .iter()
            .find(|(n, _)| n.value == name)
            .and_then(|(_, t)| t.clone())
    }
}

fn unquote(s: &str) -> String {
    serde_json::from_str::<String>(s).unwrap_or_else(|_| s.trim_matches('"').to_string())
}
