//! Single-edit mutants of a route, for `aig-route test --mutate`.
//!
//! Each mutant is the route with one edit a plausible slip would make:
//! - an output re-pointed at another node;
//! - a comparison flipped (`==`/`!=`, `<`/`>=`, `>`/`<=`, and the boundary
//!   `<`/`<=`, `>`/`>=`), `in`/`not in`, `exists`/`!exists`;
//! - a constant changed (a number one up and one down, a string or boolean
//!   made different), also each member of an `in` list;
//! - a limit one up and one down, a window doubled and halved;
//! - two neighbouring split arms swapped (when they lead to different nodes);
//! - a node bypassed: every edge into it leads where its first output did.
//!
//! Mutants come in a fixed order (nodes as written, then the edits above in
//! that order) and at most [`budget`] per route: [`MAX_MUTANTS`], fewer on a
//! route so large that validating them all would be slow. Edits that would change
//! nothing (an output re-pointed at its own target) are not made. A mutant is
//! only a syntax tree: validating, compiling and running it is
//! [`super::mutation`]'s work.

use crate::source::{Span, Spanned};
use crate::syntax::ast::{CmpOp, Cond, Literal, NodeKind, Route};
use crate::syntax::cond::to_expr;

/// Mutants made per route at most; the rest are counted as not tried.
pub const MAX_MUTANTS: usize = 2_000;

/// One single-edit copy of a route.
#[derive(Clone, Debug)]
pub struct Mutant {
    /// The id of the node edited.
    pub node: String,
    /// Where the edit is: the output, comparison, constant or node edited.
    pub span: Span,
    /// The edit in words, user text unescaped (escape when printing).
    pub edit: String,
    /// For an edit inside a condition: the condition before and after.
    pub cond: Option<(Cond, Cond)>,
    /// The edit itself, applied by [`Mutant::route`]: a mutant holds no copy of
    /// the route, so a list of them costs little whatever the route's size.
    change: Change,
}

/// One edit, by node index into the route's nodes.
#[derive(Clone, Debug)]
enum Change {
    /// Output `output` of `node` leads to `to`.
    Repoint {
        node: usize,
        output: usize,
        to: String,
    },
    /// The conditional's condition is the one in [`Mutant::cond`].
    Condition { node: usize },
    /// The limit becomes `limit` (`window: false`) or the window (`true`).
    Limit {
        node: usize,
        window: bool,
        value: f64,
    },
    /// Arms `arm - 1` and `arm` swap targets.
    Swap { node: usize, arm: usize },
    /// Every edge into `id` leads to `to`.
    Bypass { id: String, to: String },
}

impl Mutant {
    /// The mutated route: `base` (the route the mutant was made from) with the edit.
    pub fn route(&self, base: &Route) -> Route {
        let mut r = base.clone();
        match &self.change {
            Change::Repoint { node, output, to } => {
                if let Some(t) = r.nodes[*node].kind.targets_mut().into_iter().nth(*output) {
                    t.value.clone_from(to);
                }
            }
            Change::Condition { node } => {
                if let (
                    NodeKind::Conditional {
                        condition: Some(c), ..
                    },
                    Some((_, new)),
                ) = (&mut r.nodes[*node].kind, &self.cond)
                {
                    c.value = new.clone();
                }
            }
            Change::Limit {
                node,
                window,
                value,
            } => {
                if let NodeKind::Limit(l) = &mut r.nodes[*node].kind {
                    let field = if *window { &mut l.window } else { &mut l.limit };
                    if let Some(v) = field {
                        v.value = *value;
                    }
                }
            }
            Change::Swap { node, arm } => {
                if let NodeKind::Percentage { branches, .. } = &mut r.nodes[*node].kind {
                    let t = branches[arm - 1].target.value.clone();
                    branches[arm - 1].target.value =
                        std::mem::replace(&mut branches[*arm].target.value, t);
                }
            }
            Change::Bypass { id, to } => {
                for n in &mut r.nodes {
                    for t in n.kind.targets_mut() {
                        if t.value == *id {
                            t.value.clone_from(to);
                        }
                    }
                }
            }
        }
        r
    }
}

/// How many mutants of `route` are tried: [`MAX_MUTANTS`], fewer for a route so
/// large that validating each mutant would take [`MAX_NODES_CHECKED`] nodes past.
pub fn budget(route: &Route) -> usize {
    MAX_MUTANTS
        .min(MAX_NODES_CHECKED / route.nodes.len().max(1))
        .max(1)
}

/// Nodes validated across one route's mutants at most (mutants times nodes).
pub const MAX_NODES_CHECKED: usize = 5_000_000;

/// Every mutant of `route`, in order, at most `max`; and whether there were more.
pub fn mutants(route: &Route, max: usize) -> (Vec<Mutant>, bool) {
    let mut out = Mutants {
        route,
        list: Vec::new(),
        max,
        more: false,
    };
    for i in 0..route.nodes.len() {
        out.repoint(i);
        out.conditions(i);
        out.limits(i);
        out.swaps(i);
        out.bypass(i);
        if out.more {
            break;
        }
    }
    (out.list, out.more)
}

struct Mutants<'r> {
    route: &'r Route,
    list: Vec<Mutant>,
    max: usize,
    more: bool,
}

impl Mutants<'_> {
    /// Adds a mutant, unless full.
    fn push(
        &mut self,
        node: usize,
        span: Span,
        words: String,
        cond: Option<(Cond, Cond)>,
        change: Change,
    ) {
        if self.list.len() >= self.max {
            self.more = true;
            return;
        }
        self.list.push(Mutant {
            node: self.route.nodes[node].id.value.clone(),
            span,
            edit: words,
            cond,
            change,
        });
    }

    fn repoint(&mut self, i: usize) {
        let node = &self.route.nodes[i];
        for (o, (name, target)) in node.kind.outputs().into_iter().enumerate() {
            let Some(target) = target else { continue };
            for other in &self.route.nodes {
                let to = &other.id.value;
                if *to == target.value
                    || *to == node.id.value
                    || matches!(other.kind, NodeKind::Start { .. })
                {
                    continue;
                }
                let words = format!(
                    "output `{name}` re-pointed from `{}` to `{to}`",
                    target.value
                );
                let change = Change::Repoint {
                    node: i,
                    output: o,
                    to: to.clone(),
                };
                self.push(i, target.span, words, None, change);
            }
        }
    }

    fn conditions(&mut self, i: usize) {
        let NodeKind::Conditional {
            condition: Some(c), ..
        } = &self.route.nodes[i].kind
        else {
            return;
        };
        let original = &c.value;
        let mut probe = original.clone();
        let count = leaves_mut(&mut probe).len();
        for leaf in 0..count {
            let mut edited = original.clone();
            let edits = leaf_edits(leaves_mut(&mut edited).swap_remove(leaf));
            for (span, words, new_leaf) in edits {
                let mut whole = original.clone();
                *leaves_mut(&mut whole).swap_remove(leaf) = new_leaf;
                let pair = Some((original.clone(), whole));
                self.push(i, span, words, pair, Change::Condition { node: i });
            }
        }
    }

    fn limits(&mut self, i: usize) {
        let NodeKind::Limit(l) = &self.route.nodes[i].kind else {
            return;
        };
        if let Some(limit) = &l.limit {
            let x = limit.value;
            for (new, how) in [(x + 1.0, "raised"), (x - 1.0, "lowered")] {
                if new <= 0.0 {
                    continue;
                }
                let words = format!("limit {how} from {} to {}", num(x), num(new));
                let change = Change::Limit {
                    node: i,
                    window: false,
                    value: new,
                };
                self.push(i, limit.span, words, None, change);
            }
        }
        if let Some(window) = &l.window {
            let w = window.value;
            for (new, how) in [(w * 2.0, "doubled"), (w / 2.0, "halved")] {
                let words = format!("window {how} from {}s to {}s", num(w), num(new));
                let change = Change::Limit {
                    node: i,
                    window: true,
                    value: new,
                };
                self.push(i, window.span, words, None, change);
            }
        }
    }

    fn swaps(&mut self, i: usize) {
        let NodeKind::Percentage { branches, .. } = &self.route.nodes[i].kind else {
            return;
        };
        for a in 1..branches.len() {
            let (x, y) = (&branches[a - 1], &branches[a]);
            if x.target.value == y.target.value {
                continue;
            }
            let words = format!(
                "arms {} (`{}`) and {} (`{}`) swapped",
                x.share.value, x.target.value, y.share.value, y.target.value
            );
            let change = Change::Swap { node: i, arm: a };
            self.push(i, x.target.span, words, None, change);
        }
    }

    fn bypass(&mut self, i: usize) {
        let node = &self.route.nodes[i];
        if matches!(node.kind, NodeKind::Start { .. }) {
            return;
        }
        let Some((name, Some(first))) = node.kind.outputs().into_iter().next() else {
            return;
        };
        let (id, to) = (node.id.value.clone(), first.value.clone());
        let words = format!("node bypassed: edges into `{id}` lead to `{to}` (its `{name}`)");
        self.push(i, node.id.span, words, None, Change::Bypass { id, to });
    }
}

/// The comparisons, `in` tests and `exists` tests of a condition, in the order
/// written, walked with an explicit stack.
fn leaves_mut(c: &mut Cond) -> Vec<&mut Cond> {
    let mut out = Vec::new();
    let mut stack = vec![c];
    while let Some(c) = stack.pop() {
        match c {
            Cond::All(cs) | Cond::Any(cs) => stack.extend(cs.iter_mut().rev()),
            Cond::Not(inner) => stack.push(inner),
            leaf => out.push(leaf),
        }
    }
    out
}

/// The edits of one comparison: `(where, words, the comparison edited)`, the
/// words showing it before and after (`metadata.tier >= 2` flipped to
/// `metadata.tier < 2`).
fn leaf_edits(leaf: &Cond) -> Vec<(Span, String, Cond)> {
    let mut out = Vec::new();
    let mut add = |span: Span, how: &str, c: Cond| {
        let words = format!("`{}` {how} `{}`", to_expr(leaf), to_expr(&c));
        out.push((span, words, c));
    };
    match leaf {
        Cond::Cmp { field, op, value } => {
            for new in flips(*op) {
                let mut c = leaf.clone();
                if let Cond::Cmp { op, .. } = &mut c {
                    *op = new;
                }
                add(field.span, "flipped to", c);
            }
            for new in changed(&value.value) {
                let mut c = leaf.clone();
                if let Cond::Cmp { value, .. } = &mut c {
                    value.value = new;
                }
                add(value.span, "changed to", c);
            }
        }
        Cond::In { field, values, .. } => {
            let mut c = leaf.clone();
            if let Cond::In { negated, .. } = &mut c {
                *negated = !*negated;
            }
            add(field.span, "flipped to", c);
            for (k, v) in values.iter().enumerate() {
                for new in changed(&v.value) {
                    let mut c = leaf.clone();
                    if let Cond::In { values, .. } = &mut c {
                        values[k] = Spanned::new(new, v.span);
                    }
                    add(v.span, "changed to", c);
                }
            }
        }
        Cond::Exists { field, .. } => {
            let mut c = leaf.clone();
            if let Cond::Exists { present, .. } = &mut c {
                *present = !*present;
            }
            add(field.span, "flipped to", c);
        }
        Cond::All(_) | Cond::Any(_) | Cond::Not(_) => {}
    }
    out
}

/// The operators a comparison is flipped to: its negation, then for an order
/// comparison the same direction with the boundary moved.
fn flips(op: CmpOp) -> Vec<CmpOp> {
    match op {
        CmpOp::Eq => vec![CmpOp::Ne],
        CmpOp::Ne => vec![CmpOp::Eq],
        CmpOp::Lt => vec![CmpOp::Gte, CmpOp::Lte],
        CmpOp::Lte => vec![CmpOp::Gt, CmpOp::Lt],
        CmpOp::Gt => vec![CmpOp::Lte, CmpOp::Gte],
        CmpOp::Gte => vec![CmpOp::Lt, CmpOp::Gt],
    }
}

/// A constant changed: a number one up and one down, a string with `x`
/// appended, a boolean negated.
fn changed(v: &Literal) -> Vec<Literal> {
    match v {
        Literal::Num(x) => vec![Literal::Num(x + 1.0), Literal::Num(x - 1.0)],
        Literal::Str(s) => vec![Literal::Str(format!("{s}x"))],
        Literal::Bool(b) => vec![Literal::Bool(!b)],
    }
}

fn num(x: f64) -> String {
    let mut s = String::new();
    crate::eval::write_number(&mut s, x);
    s
}
