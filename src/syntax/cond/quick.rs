//! The conditions routes mostly hold, read in one pass without the grammar:
//! tests joined by `&&` and `||`, with no parentheses, `!` (but `!exists`),
//! comments, escapes in strings or `metadata["..."]` fields.
//!
//! `parse` gives the same [`Cond`], spans included, as the grammar would, or
//! `None` as soon as the text leaves that shape; the grammar then reads it from
//! the start and owns every error. Such a condition has no nesting, so there is
//! no depth to bound. The property test below holds the two to the same answer.

use crate::source::Spanned;
use crate::syntax::ast::{CmpOp, Cond, Literal};

use super::expr::TextPos;

/// Reads `text` when it is a flat condition; `None` otherwise.
pub(super) fn parse(text: &str, pos: TextPos) -> Option<Cond> {
    let mut at = Cursor {
        b: text.as_bytes(),
        text,
        i: 0,
        pos,
    };
    let mut any = Vec::new();
    let mut all = Vec::new();
    loop {
        at.space();
        all.push(at.test()?);
        at.space();
        match at.b.get(at.i..at.i + 2) {
            Some(b"&&") => at.i += 2,
            Some(b"||") => {
                at.i += 2;
                any.push(join(&mut all, Cond::All));
            }
            _ if at.i == at.b.len() => break,
            _ => return None,
        }
    }
    any.push(join(&mut all, Cond::All));
    Some(join(&mut any, Cond::Any))
}

/// One part alone, or all of them under `many`.
fn join(parts: &mut Vec<Cond>, many: fn(Vec<Cond>) -> Cond) -> Cond {
    match parts.len() {
        1 => parts.pop().unwrap_or(Cond::All(Vec::new())),
        _ => many(std::mem::take(parts)),
    }
}

struct Cursor<'t> {
    text: &'t str,
    b: &'t [u8],
    i: usize,
    pos: TextPos,
}

fn word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// The grammar's white space (comments and the byte-order mark send the
    /// text to the grammar: `#` and `/` are never a test's first byte here).
    fn space(&mut self) {
        while self
            .peek()
            .is_some_and(|c| c == b' ' || (b'\t'..=b'\r').contains(&c))
        {
            self.i += 1;
        }
    }

    /// A run of identifier bytes, as (start, end).
    fn word(&mut self) -> (usize, usize) {
        let start = self.i;
        while self.peek().is_some_and(word_byte) {
            self.i += 1;
        }
        (start, self.i)
    }

    /// `ident ("." ident)*`.
    fn field(&mut self) -> Option<Spanned<String>> {
        let start = self.i;
        loop {
            let (s, e) = self.word();
            if s == e {
                return None;
            }
            if self.peek() != Some(b'.') {
                break;
            }
            self.i += 1;
        }
        if self.peek() == Some(b'[') {
            return None;
        }
        let written = self.text.get(start..self.i)?;
        Some(Spanned::new(
            written.to_string(),
            self.pos.span(start, self.i),
        ))
    }

    /// `exists field`, `!exists field`, `field op literal` or `field [not] in [...]`.
    fn test(&mut self) -> Option<Cond> {
        if self.peek() == Some(b'!') {
            self.i += 1;
            self.space();
            return self.exists(false)?;
        }
        let mark = self.i;
        if let Some(read) = self.exists(true) {
            return read;
        }
        self.i = mark;
        let field = self.field()?;
        self.space();
        if let Some(negated) = self.in_keyword() {
            self.space();
            let values = self.list()?;
            return Some(Cond::In {
                field,
                negated,
                values,
            });
        }
        let op = self.op()?;
        self.space();
        let value = self.literal()?;
        Some(Cond::Cmp { field, op, value })
    }

    /// `exists field` at the cursor: `None` when it is not (the keyword and
    /// a word after it), so the text is a test on a field named `exists`.
    /// Once both are there the grammar has taken this reading whatever
    /// follows (`exists in[1]` is an error, not a test on `exists`), so a
    /// field this reader declines declines the whole (`Some(None)`).
    fn exists(&mut self, present: bool) -> Option<Option<Cond>> {
        let (s, e) = self.word();
        if self.b.get(s..e) != Some(b"exists") {
            return None;
        }
        self.space();
        if !self.peek().is_some_and(word_byte) {
            return None;
        }
        Some(self.field().map(|field| Cond::Exists { field, present }))
    }

    /// `in` (`Some(false)`) or `not in` (`Some(true)`) at the cursor.
    fn in_keyword(&mut self) -> Option<bool> {
        let mark = self.i;
        let (s, e) = self.word();
        match self.b.get(s..e) {
            Some(b"in") => return Some(false),
            Some(b"not") if self.peek().is_some_and(|c| c == b' ' || c == b'\t') => {
                self.space();
                let (s, e) = self.word();
                if self.b.get(s..e) == Some(b"in") {
                    return Some(true);
                }
            }
            _ => {}
        }
        self.i = mark;
        None
    }

    fn op(&mut self) -> Option<CmpOp> {
        let two = self.b.get(self.i..self.i + 2);
        let (op, len) = match two {
            Some(b"==") => (CmpOp::Eq, 2),
            Some(b"!=") => (CmpOp::Ne, 2),
            Some(b"<=") => (CmpOp::Lte, 2),
            Some(b">=") => (CmpOp::Gte, 2),
            _ => match self.peek()? {
                b'<' => (CmpOp::Lt, 1),
                b'>' => (CmpOp::Gt, 1),
                _ => return None,
            },
        };
        self.i += len;
        Some(op)
    }

    /// `[` literals separated by `,`, a trailing one allowed, `]`.
    fn list(&mut self) -> Option<Vec<Spanned<Literal>>> {
        if self.peek() != Some(b'[') {
            return None;
        }
        self.i += 1;
        let mut values = Vec::new();
        loop {
            self.space();
            if self.peek() == Some(b']') {
                self.i += 1;
                return Some(values);
            }
            values.push(self.literal()?);
            self.space();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(values);
                }
                _ => return None,
            }
        }
    }

    /// A string without escapes, a number or a boolean.
    fn literal(&mut self) -> Option<Spanned<Literal>> {
        let start = self.i;
        let value = match self.peek()? {
            b'"' => {
                let len = self.b.get(start + 1..)?.iter().position(|&c| c == b'"')?;
                let inner = self.text.get(start + 1..start + 1 + len)?;
                if inner.contains(['\\', '\n']) {
                    return None;
                }
                self.i = start + len + 2;
                Literal::Str(inner.to_string())
            }
            b't' | b'f' => {
                let (s, e) = self.word();
                match self.b.get(s..e)? {
                    b"true" => Literal::Bool(true),
                    b"false" => Literal::Bool(false),
                    _ => return None,
                }
            }
            _ => Literal::Num(self.number()?),
        };
        Some(Spanned::new(value, self.pos.span(start, self.i)))
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, finite.
    fn number(&mut self) -> Option<f64> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        let n: f64 = self.text.get(start..self.i)?.parse().ok()?;
        n.is_finite().then_some(n)
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceId, Span};
    use proptest::prelude::*;

    fn at(base: Option<usize>) -> TextPos {
        TextPos {
            source: SourceId(0),
            base,
            whole: Span::new(SourceId(0), 3, 90),
        }
    }

    fn grammar(text: &str) -> Option<String> {
        super::super::expr::parse_with_grammar(text, at(Some(7)), 64)
            .ok()
            .map(|c| format!("{c:?}"))
    }

    fn quick(text: &str) -> Option<String> {
        parse(text, at(Some(7))).map(|c| format!("{c:?}"))
    }

    #[test]
    fn reads_what_routes_write_as_the_grammar_does() {
        for text in [
            "metadata.plan == \"paid\" && metadata.tier >= 2",
            "metadata.region in [\"eu-west\", \"eu-central\",] || !exists metadata.plan",
            "  exists metadata.a||metadata.b not  in []&&metadata.c != -1.5e3  ",
            "metadata.x < 0 && metadata.y > 10 && metadata.z <= 0.25 || metadata.w == false",
            "exists == true",
            "a.b-c_d == \"é\"",
        ] {
            assert!(quick(text).is_some(), "{text}");
            assert_eq!(quick(text), grammar(text), "{text}");
        }
    }

    #[test]
    fn leaves_the_rest_to_the_grammar() {
        for text in [
            "",
            "(metadata.a == 1)",
            "!(metadata.a == 1)",
            "metadata.a == 1 # note",
            "metadata[\"odd key\"] == 1",
            "metadata.a == \"x\\\"y\"",
            "metadata.a == 1e400",
            "metadata.a == 01",
            "metadata.a = 1",
            "metadata.a == 'x'",
            "metadata.a == 1 and metadata.b == 2",
            "metadata.a in [1 2]",
            "\u{feff}metadata.a == 1",
            // The grammar reads `exists in` and fails at `[`; never a test
            // on a field named `exists`.
            "exists in[1]",
            "a == 1 && exists\tin[\"a\"]",
        ] {
            assert_eq!(quick(text), None, "{text}");
        }
    }

    fn token() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            8 => prop::sample::select(vec![
                "metadata.plan", "metadata.tier", "a.b-c", "exists", "!", "!exists", "in", "not in",
                "not", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "\"paid\"", "\"\"", "0", "-1",
                "2.5", "1e3", "-0.5E-2", "true", "false", "[", "]", ",", "[\"a\", \"b\"]", "[1,]",
                "in[1]", "exists in",
            ]),
            1 => prop::sample::select(vec![
                "(", ")", "#", "//", "=", "'x'", "01", "1.", "1e", "\"a\\\"\"", "metadata[\"k\"]",
                "truex", "infalse", "\u{feff}", "\n", "\t", "é", "-", ".", "&", "|", "1e999",
            ]),
        ]
    }

    /// A well-formed flat condition, so the quick path is taken often.
    fn flat() -> impl Strategy<Value = String> {
        let test = prop_oneof![
            (
                prop::sample::select(vec!["metadata.plan", "metadata.t-1", "x"]),
                prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]),
                prop::sample::select(vec!["\"p\"", "3", "-0.0", "2e-3", "true", "false", "\"\""]),
            )
                .prop_map(|(f, o, v)| format!("{f} {o} {v}")),
            (
                prop::sample::select(vec!["metadata.r", "metadata.plan"]),
                prop::sample::select(vec!["in", "not in", "not   in"]),
                prop::sample::select(vec!["[]", "[\"a\"]", "[1, 2,]", "[ true ,\"b\" ]"]),
            )
                .prop_map(|(f, k, l)| format!("{f} {k} {l}")),
            prop::sample::select(vec![
                "exists metadata.a",
                "!exists metadata.b",
                "! exists c"
            ])
            .prop_map(str::to_string),
        ];
        (prop::collection::vec(
            (
                test,
                prop::sample::select(vec!["&&", "||", " && ", " ||\n"]),
            ),
            1..6,
        ),)
            .prop_map(|(parts,)| {
                let mut out = String::new();
                for (i, (t, j)) in parts.iter().enumerate() {
                    if i > 0 {
                        out.push_str(j);
                    }
                    out.push_str(t);
                }
                out
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

        /// Whenever the quick reader answers, the grammar gives the same
        /// condition, spans included: on flat conditions with a token put in
        /// or a byte cut out somewhere, and on runs of tokens.
        #[test]
        fn agrees_with_the_grammar(
            base in flat(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), token(), any::<bool>()), 0..3),
            tokens in prop::collection::vec(token(), 1..8),
        ) {
            let mut text = base;
            for (at, token, cut) in edits {
                let i = at.index(text.len() + 1);
                if !text.is_char_boundary(i) {
                    continue;
                }
                if cut && i < text.len() && text.is_char_boundary(i + 1) {
                    text.remove(i);
                } else {
                    text.insert_str(i, token);
                }
            }
            for text in [text, tokens.join(" ")] {
                if let Some(q) = quick(&text) {
                    prop_assert_eq!(Some(q), grammar(&text), "{:?}", text);
                }
            }
        }

        /// Flat conditions take the quick path, and agree.
        #[test]
        fn reads_flat_conditions(text in flat()) {
            prop_assert!(quick(&text).is_some(), "{:?}", text);
            prop_assert_eq!(quick(&text), grammar(&text), "{:?}", text);
        }
    }
}
