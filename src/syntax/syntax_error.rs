//! Text that does not parse as YAML or JSON, worded once. The two readers
//! meet some of the same mistakes, a quote or bracket never closed, a second
//! document after the first, and report them through this one type, so they
//! read the same; the rest are one format's own (a tab in YAML's
//! indentation, a trailing comma in JSON), with the fix in that format.

use std::fmt;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

/// What a malformed number lacks or has too much of (JSON's grammar).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberFault {
    /// `-` or nothing where a digit starts the number.
    NoDigit,
    /// `01`.
    LeadingZero,
    /// `1.`.
    NoFraction,
    /// `1e`.
    NoExponent,
}

/// The text of a YAML or JSON file where it stops parsing.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyntaxError {
    /// A quoted string never closed (JSON: before the end of the file;
    /// YAML: on its line).
    UnclosedString {
        /// YAML, whose quoted strings end on their line.
        yaml: bool,
    },
    /// A `[` or `{` never closed.
    Unclosed {
        /// The bracket.
        open: char,
        /// YAML, whose brackets hold a list or a mapping (JSON: an array or
        /// an object).
        yaml: bool,
    },
    /// More after the document: a second YAML document, or text after the
    /// JSON value.
    SecondDocument {
        /// YAML (`---` starts a second document).
        yaml: bool,
    },
    /// Something where a value must start (`expected a JSON value`).
    ExpectedValue {
        /// What is there.
        found: String,
    },
    /// A word that is no JSON value (`NaN`, `tru`, a string without quotes).
    NotAValue {
        /// The word.
        word: String,
        /// The JSON word it is closest to (`true`), if any.
        meant: Option<&'static str>,
    },
    /// A JSON number outside the grammar.
    BadNumber(NumberFault),
    /// A control character inside a JSON string.
    ControlInString,
    /// A backslash escape JSON does not have.
    UnknownEscape,
    /// A `\u` escape without four hex digits.
    ShortUnicode,
    /// Half of a surrogate pair.
    UnpairedSurrogate,
    /// Something other than a key in a JSON object.
    ExpectedKey {
        /// What is there.
        found: String,
        /// Right before the `}`: a trailing comma.
        trailing_comma: bool,
    },
    /// A JSON key without `:` after it.
    ExpectedColon {
        /// What is there.
        found: String,
    },
    /// Neither `,` nor the closing bracket after an item.
    ExpectedSeparator {
        /// The closing bracket wanted.
        close: char,
        /// What is there.
        found: String,
    },
    /// `]` right after a comma.
    TrailingComma,
    /// A YAML line indented with a tab.
    TabIndent,
    /// A `: ` inside a plain YAML value.
    ColonInPlain,
    /// A YAML line out of step with the lines around it.
    Indentation {
        /// Its indentation.
        indent: usize,
        /// The indentation of the lines around it, if they agree.
        around: Option<usize>,
    },
    /// Whatever else the YAML parser gave up on, in its words.
    Yaml {
        /// The parser's own description.
        info: String,
    },
    /// A `%YAML` directive for another version.
    OtherVersion,
    /// A YAML alias with no anchor before it.
    UnknownAlias,
    /// A YAML tag a route file does not use.
    BadTag {
        /// What is wrong with it.
        message: String,
    },
    /// A YAML mapping key that is a list or a mapping.
    KeyNotScalar {
        /// What it is.
        found: &'static str,
    },
}

impl SyntaxError {
    /// The diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            SyntaxError::KeyNotScalar { .. } => Code::WrongType,
            _ => Code::Syntax,
        }
    }

    /// What the primary span is labelled with, if anything.
    pub fn label(&self) -> Option<String> {
        match self {
            SyntaxError::Unclosed { .. } => Some("opened here".into()),
            _ => None,
        }
    }

    /// How to fix it.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            SyntaxError::UnclosedString { yaml: true } => "close the quote on the same line".into(),
            SyntaxError::UnclosedString { yaml: false } => "add the closing `\"`".into(),
            SyntaxError::Unclosed { open, yaml } => {
                let (close, what) = match (open, yaml) {
                    ('[', true) => (']', "list"),
                    ('[', false) => (']', "array"),
                    (_, true) => ('}', "mapping"),
                    (_, false) => ('}', "object"),
                };
                format!("add the `{close}` at the end of the {what}")
            }
            SyntaxError::SecondDocument { yaml: true } => {
                "put each route in a file of its own".into()
            }
            SyntaxError::SecondDocument { yaml: false } => "remove what follows it".into(),
            SyntaxError::ExpectedValue { .. } => {
                "a value is an object, array, string, number, `true`, `false` or `null`".into()
            }
            SyntaxError::NotAValue { meant: Some(w), .. } => {
                format!("did you mean `{w}`? strings need double quotes")
            }
            SyntaxError::NotAValue { .. } => {
                "JSON has no NaN or Infinity; write a finite number".into()
            }
            SyntaxError::BadNumber(_) => "JSON numbers read like `12`, `-0.5` or `1e3`".into(),
            SyntaxError::ControlInString => "write line breaks and tabs as `\\n` and `\\t`".into(),
            SyntaxError::UnknownEscape => {
                "JSON escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX".into()
            }
            SyntaxError::ShortUnicode => "write `\\u` and four hex digits, such as `\\u00e9`".into(),
            SyntaxError::UnpairedSurrogate => {
                "a character past U+FFFF is two escapes, such as `\\ud83d\\ude00`".into()
            }
            SyntaxError::ExpectedKey {
                trailing_comma: true,
                ..
            }
            | SyntaxError::TrailingComma => "remove the trailing comma".into(),
            SyntaxError::ExpectedKey { .. } => "object keys are strings in double quotes".into(),
            SyntaxError::ExpectedColon { .. } => "write `\"key\": value`".into(),
            SyntaxError::ExpectedSeparator { close, .. } => {
                format!("separate items with `,` and close with `{close}`")
            }
            SyntaxError::TabIndent => "indent YAML with spaces only".into(),
            SyntaxError::ColonInPlain => "quote the value: `key: \"a: b\"`".into(),
            SyntaxError::Indentation { .. } => {
                "keys of one mapping line up exactly; a key's value goes on the same line or indented below it".into()
            }
            SyntaxError::Yaml { .. } => "check the indentation and quoting around this point".into(),
            SyntaxError::OtherVersion => "write `%YAML 1.2`, or remove the line".into(),
            SyntaxError::UnknownAlias => "define the anchor (`&name`) before the alias (`*name`)".into(),
            SyntaxError::BadTag { .. } => {
                "route files use no tags but `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map` and `!!seq`; remove it".into()
            }
            SyntaxError::KeyNotScalar { .. } => "write the key as a string".into(),
        })
    }

    /// The located diagnostic.
    pub fn at(&self, span: Span) -> Diagnostic {
        let mut d = Diagnostic::error(self.code(), span, self.to_string());
        if let Some(label) = self.label() {
            d = d.label(label);
        }
        d.help = self.help();
        d
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyntaxError::UnclosedString { yaml: true } => {
                f.write_str("this quoted string is not closed on its line")
            }
            SyntaxError::UnclosedString { yaml: false } => {
                f.write_str("this quoted string is never closed")
            }
            SyntaxError::Unclosed { open, .. } => write!(f, "this `{open}` is never closed"),
            SyntaxError::SecondDocument { yaml: true } => {
                f.write_str("a route file holds one YAML document, this is a second one")
            }
            SyntaxError::SecondDocument { yaml: false } => {
                f.write_str("a route file holds one JSON value, this text follows it")
            }
            SyntaxError::ExpectedValue { found } => {
                write!(f, "expected a JSON value, found {found}")
            }
            SyntaxError::NotAValue { word, .. } => write!(f, "`{word}` is not a JSON value"),
            SyntaxError::BadNumber(fault) => f.write_str(match fault {
                NumberFault::NoDigit => "malformed number: expected a digit",
                NumberFault::LeadingZero => {
                    "malformed number: leading zeros are not allowed in JSON"
                }
                NumberFault::NoFraction => "malformed number: expected a digit after `.`",
                NumberFault::NoExponent => "malformed number: expected a digit in the exponent",
            }),
            SyntaxError::ControlInString => f.write_str("control character inside a string"),
            SyntaxError::UnknownEscape => f.write_str("unknown escape in string"),
            SyntaxError::ShortUnicode => f.write_str("`\\u` needs four hex digits"),
            SyntaxError::UnpairedSurrogate => f.write_str("unpaired surrogate in `\\u` escape"),
            SyntaxError::ExpectedKey { found, .. } => write!(f, "expected a key, found {found}"),
            SyntaxError::ExpectedColon { found } => {
                write!(f, "expected `:` after the key, found {found}")
            }
            SyntaxError::ExpectedSeparator { close, found } => {
                write!(f, "expected `,` or `{close}`, found {found}")
            }
            SyntaxError::TrailingComma => f.write_str("expected a value, found `]`"),
            SyntaxError::TabIndent => f.write_str("this line is indented with a tab"),
            SyntaxError::ColonInPlain => f.write_str("a plain value cannot hold `: `"),
            SyntaxError::Indentation { indent, around } => {
                let s = if *indent == 1 { "" } else { "s" };
                match around {
                    Some(want) if want > indent => write!(
                        f,
                        "this line is indented {indent} space{s}, but the lines around it are indented {want}"
                    ),
                    Some(want) => write!(
                        f,
                        "this line is indented {indent} space{s}, but the lines around it are indented {want}; it reads as part of the line above"
                    ),
                    None => f.write_str("this line's indentation does not fit the lines around it"),
                }
            }
            SyntaxError::Yaml { info } => write!(f, "this is not valid YAML ({info})"),
            SyntaxError::OtherVersion => {
                f.write_str("aig-route reads YAML 1.2; this file declares another version")
            }
            SyntaxError::UnknownAlias => {
                f.write_str("this alias names no anchor defined before it")
            }
            SyntaxError::BadTag { message } => f.write_str(message),
            SyntaxError::KeyNotScalar { found } => {
                write!(f, "a mapping key must be a plain value, not {found}")
            }
        }
    }
}

impl std::error::Error for SyntaxError {}
