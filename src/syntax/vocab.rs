//! The words of the route language: the kinds of node and their outputs, with
//! the name each format gives them.
//!
//! The gateway's JSON, our YAML and the DSL name the same things differently
//! (`conditional` / `if` / `if`, the output `true` / `then` / `then`). Readers,
//! the graph, validation and the emitters all ask here, so a name is spelt in
//! one place and the formats cannot drift apart.

use crate::syntax::ast::Format;

/// What a node is, independent of how a format spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Kind {
    /// The entry point.
    Start,
    /// A test on request metadata.
    Conditional,
    /// A percentage split.
    Percentage,
    /// A limit on requests per window.
    RateLimit,
    /// A limit on dollars per window.
    Budget,
    /// A model call.
    Model,
    /// The end of the route.
    End,
}

/// The gateway's element types, in the order its documentation lists them. Rate
/// and budget limits share `rate`; its `limitType` tells them apart.
pub const WIRE_TYPES: [&str; 6] = ["start", "conditional", "percentage", "rate", "model", "end"];

/// The YAML keys that say what a node is (start and end are not keys: the
/// route's `start:` and the word `end`).
pub const YAML_KIND_KEYS: [&str; 5] = ["if", "split", "rate_limit", "budget", "model"];

impl Kind {
    /// The gateway's element type (`rate` for both limits).
    pub fn wire(self) -> &'static str {
        match self {
            Kind::Start => "start",
            Kind::Conditional => "conditional",
            Kind::Percentage => "percentage",
            Kind::RateLimit | Kind::Budget => "rate",
            Kind::Model => "model",
            Kind::End => "end",
        }
    }

    /// The kind of a wire element type; `rate` reads as a rate limit until its
    /// `limitType` says otherwise.
    pub fn from_wire(ty: &str) -> Option<Kind> {
        Some(match ty {
            "start" => Kind::Start,
            "conditional" => Kind::Conditional,
            "percentage" => Kind::Percentage,
            "rate" => Kind::RateLimit,
            "model" => Kind::Model,
            "end" => Kind::End,
            _ => return None,
        })
    }

    /// The YAML word: the kind key of a node (`if`, `split`, `rate_limit`,
    /// `budget`, `model`), or `start` and `end`.
    pub fn yaml(self) -> &'static str {
        match self {
            Kind::Start => "start",
            Kind::Conditional => "if",
            Kind::Percentage => "split",
            Kind::RateLimit => "rate_limit",
            Kind::Budget => "budget",
            Kind::Model => "model",
            Kind::End => "end",
        }
    }

    /// The kind a YAML kind key names.
    pub fn from_yaml_key(key: &str) -> Option<Kind> {
        Some(match key {
            "if" => Kind::Conditional,
            "split" => Kind::Percentage,
            "rate_limit" => Kind::RateLimit,
            "budget" => Kind::Budget,
            "model" => Kind::Model,
            _ => return None,
        })
    }

    /// The DSL keyword.
    pub fn dsl(self) -> &'static str {
        match self {
            Kind::RateLimit => "rate",
            other => other.yaml(),
        }
    }

    /// The name in `format`.
    pub fn name_in(self, format: Format) -> &'static str {
        match format {
            Format::Json => self.wire(),
            Format::Yaml => self.yaml(),
            Format::Dsl => self.dsl(),
        }
    }

    /// The words messages use: `conditional`, `rate limit`, `budget limit`.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::RateLimit => "rate limit",
            Kind::Budget => "budget limit",
            other => other.wire(),
        }
    }

    /// The named outputs, in wire order (a split's outputs are its shares).
    pub fn outputs(self) -> &'static [Slot] {
        match self {
            Kind::Start => &[Slot::Next],
            Kind::Conditional => &[Slot::True, Slot::False],
            Kind::RateLimit | Kind::Budget | Kind::Model => &[Slot::Success, Slot::Fallback],
            Kind::Percentage | Kind::End => &[],
        }
    }

    /// The output `name` names in `format`, when the kind has it.
    pub fn output_named(self, name: &str, format: Format) -> Option<Slot> {
        self.outputs()
            .iter()
            .copied()
            .find(|s| s.name_in(format) == Some(name))
    }

    /// Every key a YAML node of this kind may have: its kind key, its
    /// properties and its outputs.
    pub fn yaml_keys(self) -> &'static [&'static str] {
        match self {
            Kind::Start => &["id", "next"],
            Kind::Conditional => &["if", "then", "else"],
            Kind::Percentage => &["split", "sticky"],
            Kind::RateLimit => &[
                "rate_limit",
                "window",
                "key",
                "window_mode",
                "success",
                "fallback",
            ],
            Kind::Budget => &[
                "budget",
                "window",
                "key",
                "window_mode",
                "success",
                "fallback",
            ],
            Kind::Model => &["model", "timeout", "retries", "success", "fallback"],
            Kind::End => &[],
        }
    }

    /// Where a YAML key was found, for "unknown key ... in a rate limit".
    pub fn yaml_place(self) -> &'static str {
        match self {
            Kind::Start => "in `start`",
            Kind::Conditional => "in a conditional node",
            Kind::Percentage => "in a split node",
            Kind::RateLimit => "in a rate limit",
            Kind::Budget => "in a budget limit",
            Kind::Model => "in a model node",
            Kind::End => "in an end node",
        }
    }
}

/// Which output of a node an edge is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    /// `next` of start.
    Next,
    /// `true` of a conditional (`then` in YAML and the DSL).
    True,
    /// `false` of a conditional (`else` in YAML and the DSL).
    False,
    /// `success` of a limit or model.
    Success,
    /// `fallback` of a limit or model.
    Fallback,
    /// The n-th share of a percentage node (named by its share).
    Share(u16),
}

impl Slot {
    /// The gateway's output name; `None` for a share, which its text names.
    pub fn wire(self) -> Option<&'static str> {
        Some(match self {
            Slot::Next => "next",
            Slot::True => "true",
            Slot::False => "false",
            Slot::Success => "success",
            Slot::Fallback => "fallback",
            Slot::Share(_) => return None,
        })
    }

    /// The YAML key and DSL word (`then`, `else`; the rest as on the wire).
    pub fn yaml(self) -> Option<&'static str> {
        match self {
            Slot::True => Some("then"),
            Slot::False => Some("else"),
            other => other.wire(),
        }
    }

    /// The name in `format`.
    pub fn name_in(self, format: Format) -> Option<&'static str> {
        match format {
            Format::Json => self.wire(),
            Format::Yaml | Format::Dsl => self.yaml(),
        }
    }

    /// The slot a wire output name names (shares excepted).
    pub fn from_wire(name: &str) -> Option<Slot> {
        Some(match name {
            "next" => Slot::Next,
            "true" => Slot::True,
            "false" => Slot::False,
            "success" => Slot::Success,
            "fallback" => Slot::Fallback,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Kind; 7] = [
        Kind::Start,
        Kind::Conditional,
        Kind::Percentage,
        Kind::RateLimit,
        Kind::Budget,
        Kind::Model,
        Kind::End,
    ];

    #[test]
    fn every_name_reads_back_as_its_kind() {
        for k in ALL {
            let wire = Kind::from_wire(k.wire()).unwrap();
            assert!(wire == k || (k == Kind::Budget && wire == Kind::RateLimit));
            assert!(WIRE_TYPES.contains(&k.wire()));
            if !matches!(k, Kind::Start | Kind::End) {
                assert_eq!(Kind::from_yaml_key(k.yaml()), Some(k));
                assert!(YAML_KIND_KEYS.contains(&k.yaml()));
                assert!(k.yaml_keys().contains(&k.yaml()));
            }
            for s in k.outputs() {
                assert_eq!(Slot::from_wire(s.wire().unwrap()), Some(*s));
                assert!(k.yaml_keys().contains(&s.yaml().unwrap()));
            }
        }
        assert_eq!(Kind::RateLimit.dsl(), "rate");
        assert_eq!(Slot::True.name_in(Format::Dsl), Some("then"));
        assert_eq!(Slot::Share(3).wire(), None);
    }
}
