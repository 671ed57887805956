//! One metadata key: the set of values (or absence) that every comparison on
//! it so far allows, kept as it narrows, and a value picked from it.
//!
//! A key's value is missing, a boolean, a number or a string (types never
//! compare equal, ordering only within numbers and within strings). So the
//! allowed set is: whether missing is allowed, which booleans, and for numbers
//! and for strings an interval, an optional list of the only values allowed
//! (from `==` and `in`), and a set of excluded values (from `!=` and
//! `not in`). Each comparison narrows one of these in `O(log n)`.
//!
//! Picking a value is exact: readable candidates are tried first (the bounds,
//! integers next to them, `other`), then the interval is walked from its least
//! element by immediate successors (`next_up` for numbers, `s + "\0"` for
//! strings under byte order): at most one more step than there are exclusions,
//! so the walk finds a value whenever the interval holds one not excluded.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use super::Atom;
use crate::syntax::ast::{CmpOp, Cond, Literal};

/// A number as the route compares it: never NaN, `-0.0` stored as `0.0`, so
/// the total order agrees with `==` and `<`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Num(f64);

impl Num {
    fn new(x: f64) -> Option<Num> {
        (!x.is_nan()).then_some(Num(x + 0.0))
    }
}

impl Eq for Num {}

impl PartialOrd for Num {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Num {
    fn cmp(&self, o: &Self) -> Ordering {
        self.0.total_cmp(&o.0)
    }
}

/// What the two ordered types need for picking.
trait Scalar: Clone + Ord {
    /// The least value a request can carry.
    fn least() -> Self;
    /// The next value up, if a request can carry it.
    fn succ(&self) -> Option<Self>;
    /// Whether a request can carry it (numbers: finite).
    fn carried(&self) -> bool;
    /// Readable candidates for an interval, `n` + 2 of them at least.
    fn friendly(lo: Option<&(Self, bool)>, hi: Option<&(Self, bool)>, n: usize) -> Vec<Self>;
}

impl Scalar for Num {
    fn least() -> Self {
        Num(-f64::MAX)
    }
    fn succ(&self) -> Option<Self> {
        Num::new(self.0.next_up()).filter(Num::carried)
    }
    fn carried(&self) -> bool {
        self.0.is_finite()
    }
    fn friendly(lo: Option<&(Self, bool)>, hi: Option<&(Self, bool)>, n: usize) -> Vec<Self> {
        let mut out = Vec::new();
        let mut push = |x: f64| out.extend(Num::new(x));
        match (lo, hi) {
            (Some(&(Num(l), _)), Some(&(Num(h), _))) => {
                push(l);
                push(h);
                push(l / 2.0 + h / 2.0);
                for k in 0..=n {
                    push(l.floor() + 1.0 + k as f64);
                }
            }
            (Some(&(Num(l), _)), None) => {
                push(l);
                for k in 0..=n {
                    push(l.floor() + 1.0 + k as f64);
                }
            }
            (None, Some(&(Num(h), _))) => {
                push(h);
                for k in 0..=n {
                    push(h.ceil() - 1.0 - k as f64);
                }
            }
            (None, None) => {
                for k in 0..=n {
                    push(k as f64);
                }
            }
        }
        out
    }
}

impl Scalar for String {
    fn least() -> Self {
        String::new()
    }
    fn succ(&self) -> Option<Self> {
        Some(format!("{self}\0"))
    }
    fn carried(&self) -> bool {
        true
    }
    fn friendly(lo: Option<&(Self, bool)>, hi: Option<&(Self, bool)>, n: usize) -> Vec<Self> {
        let mut out = Vec::new();
        let base = match (lo, hi) {
            (Some((l, _)), _) => {
                out.push(l.clone());
                l.clone()
            }
            (None, Some((h, _))) => {
                out.push(h.clone());
                out.push(String::new());
                String::new()
            }
            (None, None) => {
                out.push("other".into());
                "other".into()
            }
        };
        out.extend((0..=n).map(|k| format!("{base}{k}")));
        out
    }
}

/// The allowed values of one ordered type.
#[derive(Clone, Debug)]
struct Part<T> {
    /// Any value of this type allowed at all.
    open: bool,
    /// Lower bound and whether it is inclusive.
    lo: Option<(T, bool)>,
    /// Upper bound and whether it is inclusive.
    hi: Option<(T, bool)>,
    /// The only values allowed, in the order first written.
    only: Option<Vec<T>>,
    /// Values excluded.
    not: BTreeSet<T>,
}

impl<T: Scalar> Default for Part<T> {
    fn default() -> Self {
        Part {
            open: true,
            lo: None,
            hi: None,
            only: None,
            not: BTreeSet::new(),
        }
    }
}

impl<T: Scalar> Part<T> {
    fn at_least(&mut self, x: T, incl: bool) {
        let tighter = match &self.lo {
            None => true,
            Some((l, li)) => x > *l || x == *l && *li && !incl,
        };
        if tighter {
            self.lo = Some((x, incl));
        }
    }

    fn at_most(&mut self, x: T, incl: bool) {
        let tighter = match &self.hi {
            None => true,
            Some((h, hi)) => x < *h || x == *h && *hi && !incl,
        };
        if tighter {
            self.hi = Some((x, incl));
        }
    }

    fn keep_only(&mut self, set: Vec<T>) {
        match &mut self.only {
            Some(only) => {
                let set: BTreeSet<T> = set.into_iter().collect();
                only.retain(|v| set.contains(v));
            }
            None => {
                let mut seen = BTreeSet::new();
                self.only = Some(set.into_iter().filter(|v| seen.insert(v.clone())).collect());
            }
        }
    }

    /// `value op x` must hold (`op` not `!=`).
    fn must(&mut self, op: CmpOp, x: T) {
        match op {
            CmpOp::Eq | CmpOp::Ne => self.keep_only(vec![x]),
            CmpOp::Gt => self.at_least(x, false),
            CmpOp::Gte => self.at_least(x, true),
            CmpOp::Lt => self.at_most(x, false),
            CmpOp::Lte => self.at_most(x, true),
        }
    }

    /// `value op x` must not hold for a value of this type (`op` not `!=`).
    fn must_not(&mut self, op: CmpOp, x: T) {
        match op {
            CmpOp::Eq | CmpOp::Ne => {
                self.not.insert(x);
            }
            CmpOp::Gt => self.at_most(x, true),
            CmpOp::Gte => self.at_most(x, false),
            CmpOp::Lt => self.at_least(x, true),
            CmpOp::Lte => self.at_least(x, false),
        }
    }

    fn in_bounds(&self, v: &T) -> bool {
        let above = match &self.lo {
            None => true,
            Some((l, incl)) => v > l || *incl && v == l,
        };
        let below = match &self.hi {
            None => true,
            Some((h, incl)) => v < h || *incl && v == h,
        };
        above && below
    }

    fn admits(&self, v: &T) -> bool {
        v.carried() && self.in_bounds(v) && !self.not.contains(v)
    }

    /// Up to `max` distinct allowed values: readable ones first, then the
    /// interval's least elements in order (one more step than the exclusions
    /// per value wanted, unless the interval ends first).
    fn values(&self, max: usize) -> Vec<T> {
        if !self.open || max == 0 {
            return Vec::new();
        }
        if let Some(only) = &self.only {
            return only
                .iter()
                .filter(|v| self.admits(v))
                .take(max)
                .cloned()
                .collect();
        }
        let steps = self.not.len() + max;
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for v in T::friendly(self.lo.as_ref(), self.hi.as_ref(), steps) {
            if out.len() == max {
                return out;
            }
            if self.admits(&v) && seen.insert(v.clone()) {
                out.push(v);
            }
        }
        let start = match &self.lo {
            Some((l, true)) if l.carried() => Some(l.clone()),
            Some((l, _)) if *l >= T::least() => l.succ(),
            _ => Some(T::least()),
        };
        let Some(mut v) = start else { return out };
        for _ in 0..steps {
            if out.len() == max || !self.in_bounds(&v) {
                break;
            }
            if !self.not.contains(&v) && seen.insert(v.clone()) {
                out.push(v.clone());
            }
            match v.succ() {
                Some(next) => v = next,
                None => break,
            }
        }
        out
    }
}

/// The first type a key was compared with: it is tried first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Str,
    Num,
    Bool,
}

/// The values one key may still take.
#[derive(Clone, Debug)]
pub(super) struct Domain {
    missing: bool,
    /// Allowed booleans: `[false, true]`.
    bools: [bool; 2],
    num: Part<Num>,
    str: Part<String>,
    prefer: Option<Ty>,
}

impl Default for Domain {
    fn default() -> Self {
        Domain {
            missing: true,
            bools: [true, true],
            num: Part::default(),
            str: Part::default(),
            prefer: None,
        }
    }
}

impl Domain {
    /// The domain allowed by `atoms` alone.
    pub(super) fn of(atoms: &[Atom<'_>]) -> Domain {
        let mut d = Domain::default();
        for a in atoms {
            d.apply(a);
        }
        d
    }

    fn note(&mut self, l: &Literal) {
        self.prefer.get_or_insert(match l {
            Literal::Str(_) => Ty::Str,
            Literal::Num(_) => Ty::Num,
            Literal::Bool(_) => Ty::Bool,
        });
    }

    /// Narrows the domain to values under which the comparison `a` comes out
    /// as `a.holds`. Composite conditions are not comparisons and change nothing.
    pub(super) fn apply(&mut self, a: &Atom<'_>) {
        match a.cond {
            Cond::Cmp { op, value, .. } => {
                let (op, holds) = match op {
                    CmpOp::Ne => (CmpOp::Eq, !a.holds),
                    op => (*op, a.holds),
                };
                self.note(&value.value);
                if holds {
                    self.must(op, &value.value);
                } else {
                    self.must_not(op, &value.value);
                }
            }
            Cond::In {
                negated, values, ..
            } => {
                let mut strs = Vec::new();
                let mut nums = Vec::new();
                let mut bools = [false, false];
                for v in values {
                    self.note(&v.value);
                    match &v.value {
                        Literal::Str(s) => strs.push(s.clone()),
                        Literal::Num(x) => nums.extend(Num::new(*x)),
                        Literal::Bool(b) => bools[usize::from(*b)] = true,
                    }
                }
                if a.holds != *negated {
                    self.missing = false;
                    self.str.keep_only(strs);
                    self.num.keep_only(nums);
                    self.bools[0] &= bools[0];
                    self.bools[1] &= bools[1];
                } else {
                    self.str.not.extend(strs);
                    self.num.not.extend(nums);
                    self.bools[0] &= !bools[0];
                    self.bools[1] &= !bools[1];
                }
            }
            Cond::Exists { present, .. } => {
                if a.holds == *present {
                    self.missing = false;
                } else {
                    self.bools = [false, false];
                    self.num.open = false;
                    self.str.open = false;
                }
            }
            Cond::All(_) | Cond::Any(_) | Cond::Not(_) => {}
        }
    }

    /// `value op l` must hold (`op` not `!=`): present, of `l`'s type.
    fn must(&mut self, op: CmpOp, l: &Literal) {
        self.missing = false;
        match l {
            Literal::Str(s) => {
                self.num.open = false;
                self.bools = [false, false];
                self.str.must(op, s.clone());
            }
            Literal::Num(x) => {
                self.str.open = false;
                self.bools = [false, false];
                match Num::new(*x) {
                    Some(x) => self.num.must(op, x),
                    None => self.num.open = false,
                }
            }
            Literal::Bool(b) => {
                self.str.open = false;
                self.num.open = false;
                if op == CmpOp::Eq {
                    self.bools[usize::from(!*b)] = false;
                } else {
                    // Booleans have no order.
                    self.bools = [false, false];
                }
            }
        }
    }

    /// `value op l` must fail (`op` not `!=`): missing, another type, or the
    /// opposite comparison within `l`'s type.
    fn must_not(&mut self, op: CmpOp, l: &Literal) {
        match l {
            Literal::Str(s) => self.str.must_not(op, s.clone()),
            Literal::Num(x) => {
                if let Some(x) = Num::new(*x) {
                    self.num.must_not(op, x);
                }
            }
            Literal::Bool(b) => {
                if op == CmpOp::Eq {
                    self.bools[usize::from(*b)] = false;
                }
            }
        }
    }

    /// A value the domain allows: `Some(None)` for missing, `None` when empty.
    pub(super) fn pick(&self) -> Option<Option<Literal>> {
        if self.missing {
            return Some(None);
        }
        self.values(1).pop().map(Some)
    }

    /// Up to `max` distinct values (present) the domain allows, the type first
    /// compared with first.
    pub(super) fn values(&self, max: usize) -> Vec<Literal> {
        let order = match self.prefer {
            Some(Ty::Num) => [Ty::Num, Ty::Str, Ty::Bool],
            Some(Ty::Bool) => [Ty::Bool, Ty::Str, Ty::Num],
            _ => [Ty::Str, Ty::Num, Ty::Bool],
        };
        let mut out = Vec::new();
        for ty in order {
            let left = max - out.len();
            match ty {
                Ty::Str => out.extend(self.str.values(left).into_iter().map(Literal::Str)),
                Ty::Num => out.extend(self.num.values(left).into_iter().map(|n| Literal::Num(n.0))),
                Ty::Bool => out.extend(
                    [true, false]
                        .into_iter()
                        .filter(|b| self.bools[usize::from(*b)])
                        .take(left)
                        .map(Literal::Bool),
                ),
            }
        }
        out
    }
}

/// The key a comparison reads (the text after `metadata.`, as an opaque string).
pub(super) fn key_of(c: &Cond) -> &str {
    let field = match c {
        Cond::Cmp { field, .. } | Cond::In { field, .. } | Cond::Exists { field, .. } => {
            field.value.as_str()
        }
        _ => "",
    };
    field.strip_prefix("metadata.").unwrap_or(field)
}
