//! The spanned syntax tree every source format reads into.
//!
//! It records what the author wrote, as written: numbers are not yet range-checked
//! and a share carries its text beside its parsed value (or why it has none), so
//! that validation can report every problem in one place, for every format
//! alike. Equality ignores spans.

use crate::source::{SourceId, Span, Spanned};
use crate::syntax::values::{Share, ShareError};
use crate::syntax::vocab::{Kind, Slot};

/// The format a route was read from or is written to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Our YAML authoring format.
    Yaml,
    /// The compact `.route` text form.
    Dsl,
    /// The gateway's JSON wire format.
    Json,
}

impl Format {
    /// The format of a path, by its extension.
    pub fn from_path(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "route" => Some(Format::Dsl),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// `yaml`, `dsl` or `json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Dsl => "dsl",
            Format::Json => "json",
        }
    }
}

/// A whole route.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// The route's name (the gateway's route name; part of every sticky bucket hash).
    pub name: Spanned<String>,
    /// Declared types of metadata fields, in the order written.
    pub metadata: Vec<(Spanned<String>, Spanned<FieldType>)>,
    /// The nodes, in the order written.
    pub nodes: Vec<Node>,
}

/// The declared type of a metadata field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldType {
    /// A string.
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
}

impl FieldType {
    /// `string`, `number` or `boolean`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Number => "number",
            FieldType::Boolean => "boolean",
        }
    }
}

/// One node of the graph.
#[derive(Clone, Debug)]
pub struct Node {
    /// The author's name for it; the gateway's element `id`.
    pub id: Spanned<String>,
    /// What it does, with its outputs.
    pub kind: NodeKind,
    /// The whole node as written.
    pub span: Span,
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.kind == other.kind
    }
}

/// The node id an output points to; `None` when the output is missing.
pub type Target = Option<Spanned<String>>;

/// What a node does.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum NodeKind {
    /// The entry point.
    Start {
        /// Output `next`.
        next: Target,
    },
    /// A test on request metadata.
    Conditional {
        /// The test (`None` when it could not be read; the reader reported why).
        condition: Option<Spanned<Cond>>,
        /// Output `true`.
        then: Target,
        /// Output `false`.
        otherwise: Target,
    },
    /// A percentage split.
    Percentage {
        /// The field whose value keeps a caller on one side (our extension).
        sticky: Option<Spanned<String>>,
        /// The shares in the order written.
        branches: Vec<Branch>,
    },
    /// A rate limit (`count`) or budget limit (`cost`).
    Limit(Limit),
    /// A model call.
    Model(Model),
    /// The end of the route.
    End,
}

/// One share of a percentage node.
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    /// The share as written, such as `90%` or `12.5%`.
    pub share: Spanned<String>,
    /// The share read into basis points, or why it is not one (validation
    /// reports that, at `share`).
    pub parsed: Result<Share, ShareError>,
    /// Where it leads.
    pub target: Spanned<String>,
}

impl Branch {
    /// A branch with its share read once, here.
    pub fn new(share: Spanned<String>, target: Spanned<String>) -> Branch {
        Branch {
            parsed: Share::parse(&share.value),
            share,
            target,
        }
    }
}

/// What a limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// Requests (`limitType: count`): a rate limit.
    Count,
    /// US dollars (`limitType: cost`): a budget limit.
    Cost,
}

/// How a limit's window moves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum WindowMode {
    /// Windows start at multiples of their length since the Unix epoch.
    #[default]
    Fixed,
    /// The last `window` seconds (our extension).
    Sliding,
}

/// A rate or budget limit node.
#[derive(Clone, Debug, PartialEq)]
pub struct Limit {
    /// Requests or dollars.
    pub kind: LimitKind,
    /// The field counters are kept per value of, such as `metadata.user_id`.
    pub key: Option<Spanned<String>>,
    /// Requests or dollars per window (`None`: missing or unreadable, reported).
    pub limit: Option<Spanned<f64>>,
    /// Window length in seconds (`None`: missing or unreadable, reported).
    pub window: Option<Spanned<f64>>,
    /// Fixed or sliding (`None`: fixed, not written).
    pub mode: Option<Spanned<WindowMode>>,
    /// Output `success`.
    pub success: Target,
    /// Output `fallback`.
    pub fallback: Target,
}

/// A model node.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// The gateway's provider slug, such as `openai`.
    pub provider: Spanned<String>,
    /// The provider's model name.
    pub model: Spanned<String>,
    /// Milliseconds per attempt (`None`: missing or unreadable, reported).
    pub timeout: Option<Spanned<f64>>,
    /// Retries after the first attempt (`None`: missing or unreadable, reported).
    pub retries: Option<Spanned<f64>>,
    /// Output `success`.
    pub success: Target,
    /// Output `fallback`.
    pub fallback: Target,
}

/// A literal a condition compares with.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// A string.
    Str(String),
    /// A number (`1` equals `1.0`).
    Num(f64),
    /// A boolean.
    Bool(bool),
}

impl Literal {
    /// The type of the literal.
    pub fn field_type(&self) -> FieldType {
        match self {
            Literal::Str(_) => FieldType::String,
            Literal::Num(_) => FieldType::Number,
            Literal::Bool(_) => FieldType::Boolean,
        }
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `==`, `$eq`.
    Eq,
    /// `!=`, `$ne`.
    Ne,
    /// `>`, `$gt`.
    Gt,
    /// `>=`, `$gte`.
    Gte,
    /// `<`, `$lt`.
    Lt,
    /// `<=`, `$lte`.
    Lte,
}

impl CmpOp {
    /// Every operator, in declaration order.
    pub const ALL: [CmpOp; 6] = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Gt,
        CmpOp::Gte,
        CmpOp::Lt,
        CmpOp::Lte,
    ];

    /// The Mongo operator name.
    pub fn mongo(self) -> &'static str {
        match self {
            CmpOp::Eq => "$eq",
            CmpOp::Ne => "$ne",
            CmpOp::Gt => "$gt",
            CmpOp::Gte => "$gte",
            CmpOp::Lt => "$lt",
            CmpOp::Lte => "$lte",
        }
    }

    /// The expression operator.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Gt => ">",
            CmpOp::Gte => ">=",
            CmpOp::Lt => "<",
            CmpOp::Lte => "<=",
        }
    }
}

/// A condition over request metadata.
#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    /// All must hold (`&&`, `$and`, several keys in one object).
    All(Vec<Cond>),
    /// One must hold (`||`, `$or`).
    Any(Vec<Cond>),
    /// Negation (`!`, `$not`).
    Not(Box<Cond>),
    /// `field op value`.
    Cmp {
        /// Such as `metadata.plan`.
        field: Spanned<String>,
        /// The operator.
        op: CmpOp,
        /// The literal.
        value: Spanned<Literal>,
    },
    /// `field in [...]` (`$in`) or `field not in [...]` (`$nin`).
    In {
        /// Such as `metadata.region`.
        field: Spanned<String>,
        /// `not in`.
        negated: bool,
        /// The set.
        values: Vec<Spanned<Literal>>,
    },
    /// `exists field` (`$exists: true`) or `!exists field` (`$exists: false`).
    Exists {
        /// Such as `metadata.plan`.
        field: Spanned<String>,
        /// `true` for `$exists: true`.
        present: bool,
    },
}

impl Cond {
    /// Calls `f` with every field the condition reads, in order.
    pub fn for_each_field<'a>(&'a self, f: &mut impl FnMut(&'a Spanned<String>)) {
        match self {
            Cond::All(cs) | Cond::Any(cs) => cs.iter().for_each(|c| c.for_each_field(f)),
            Cond::Not(c) => c.for_each_field(f),
            Cond::Cmp { field, .. } | Cond::In { field, .. } | Cond::Exists { field, .. } => {
                f(field)
            }
        }
    }
}

/// A route read from one file, with where it came from.
#[derive(Clone, Debug)]
pub struct Parsed {
    /// The route (possibly partial when there were errors).
    pub route: Route,
    /// The file.
    pub source: SourceId,
    /// The format it was read as.
    pub format: Format,
}

impl NodeKind {
    /// What the node is, in the shared vocabulary.
    pub fn kind(&self) -> Kind {
        match self {
            NodeKind::Start { .. } => Kind::Start,
            NodeKind::Conditional { .. } => Kind::Conditional,
            NodeKind::Percentage { .. } => Kind::Percentage,
            NodeKind::Limit(Limit {
                kind: LimitKind::Count,
                ..
            }) => Kind::RateLimit,
            NodeKind::Limit(Limit {
                kind: LimitKind::Cost,
                ..
            }) => Kind::Budget,
            NodeKind::Model(_) => Kind::Model,
            NodeKind::End => Kind::End,
        }
    }

    /// The gateway's word for the kind, as used in messages.
    pub fn describe(&self) -> &'static str {
        self.kind().describe()
    }

    /// Every output target, for rewriting ids.
    pub fn targets_mut(&mut self) -> Vec<&mut Spanned<String>> {
        match self {
            NodeKind::Start { next } => next.iter_mut().collect(),
            NodeKind::Conditional {
                then, otherwise, ..
            } => then.iter_mut().chain(otherwise.iter_mut()).collect(),
            NodeKind::Percentage { branches, .. } => {
                branches.iter_mut().map(|b| &mut b.target).collect()
            }
            NodeKind::Limit(Limit {
                success, fallback, ..
            })
            | NodeKind::Model(Model {
                success, fallback, ..
            }) => success.iter_mut().chain(fallback.iter_mut()).collect(),
            NodeKind::End => Vec::new(),
        }
    }

    /// The outputs in wire order with their slots. Allocates nothing: the
    /// graph and validation walk it for every node.
    pub fn slots(&self) -> impl Iterator<Item = (Slot, Option<&Spanned<String>>)> {
        let (named, shares): ([Option<&Spanned<String>>; 2], &[Branch]) = match self {
            NodeKind::Start { next } => ([next.as_ref(), None], &[]),
            NodeKind::Conditional {
                then, otherwise, ..
            } => ([then.as_ref(), otherwise.as_ref()], &[]),
            NodeKind::Percentage { branches, .. } => ([None, None], branches),
            NodeKind::Limit(Limit {
                success, fallback, ..
            })
            | NodeKind::Model(Model {
                success, fallback, ..
            }) => ([success.as_ref(), fallback.as_ref()], &[]),
            NodeKind::End => ([None, None], &[]),
        };
        let shares = shares.iter().enumerate().map(|(i, b)| {
            (
                Slot::Share(u16::try_from(i).unwrap_or(u16::MAX)),
                Some(&b.target),
            )
        });
        self.kind()
            .outputs()
            .iter()
            .zip(named)
            .map(|(s, t)| (*s, t))
            .chain(shares)
    }

    /// The outputs in wire order: `(output name, target)`. Percentage outputs are
    /// named by their share text.
    pub fn outputs(&self) -> Vec<(&str, Option<&Spanned<String>>)> {
        let shares: &[Branch] = match self {
            NodeKind::Percentage { branches, .. } => branches,
            _ => &[],
        };
        self.slots()
            .map(|(slot, t)| match slot {
                Slot::Share(i) => (
                    shares
                        .get(usize::from(i))
                        .map_or("", |b| b.share.value.as_str()),
                    t,
                ),
                named => (named.wire().unwrap_or_default(), t),
            })
            .collect()
    }
}
