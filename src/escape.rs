//! The one place that makes untrusted text safe to print.
//!
//! Node ids, file names, source lines, traffic ids and texts from the gateway's
//! API may hold control characters. Printed raw, an ESC starts a terminal escape
//! sequence, a newline in an id forges a line of its own (and so a CI workflow
//! command such as `::add-mask::`), and bidirectional overrides reorder what a
//! reviewer sees. Every output format passes what it prints through here:
//! [`terminal`] for terminals and plain logs, [`github_data`] and
//! [`github_property`] for GitHub workflow commands.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal or log as it is: C0 and C1 controls,
/// DEL, and the Unicode format characters that reorder or hide text (bidi
/// embeddings, overrides and isolates, line and paragraph separators, zero-width
/// characters and the BOM).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// `s` with every unsafe character written as a visible escape: `\n`, `\r`,
/// `\t`, or `\u{…}` with the code point in hex. Safe text is borrowed as is.
///
/// ```
/// assert_eq!(aig_route::escape::terminal("plan"), "plan");
/// assert_eq!(aig_route::escape::terminal("a\nb\u{1b}[2J"), "a\\nb\\u{1b}[2J");
/// ```
pub fn terminal(s: &str) -> Cow<'_, str> {
    // Printable ASCII, most of what is printed, is safe as a whole.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) || !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Like [`terminal`], but keeps line breaks (`\n`, and `\r\n` as one break):
/// for multi-line texts such as a rendered diagnostic, whose lines are each
/// made safe. A lone `\r` is escaped, since it would overwrite the line.
pub fn terminal_multiline(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| b == b'\n' || (0x20..0x7f).contains(&b))
        || !s.chars().any(|c| c != '\n' && is_unsafe(c))
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\r' if chars.peek() == Some(&'\n') => {}
            c => push_escaped(&mut out, c),
        }
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_unsafe(c) => {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// The message part of a GitHub workflow command (`::error file=…::MESSAGE`),
/// escaped as GitHub documents (`%`, CR and LF as `%25`, `%0D`, `%0A`), with
/// every other unsafe character escaped as [`terminal`] does, so no message can
/// start a workflow command or a terminal sequence of its own.
pub fn github_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => push_escaped(&mut out, c),
        }
    }
    out
}

/// A property value of a GitHub workflow command (`file=`, `title=`): as
/// [`github_data`], and `:` and `,` as `%3A` and `%2C`.
pub fn github_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in github_data(s).chars() {
        match c {
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// Text for XML content and attribute values (JUnit reports): `&`, `<`, `>`,
/// `"` and `'` as entities, and every other unsafe character escaped as
/// [`terminal`] does (XML 1.0 cannot carry most control characters at all).
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push('\n'),
            c => push_escaped(&mut out, c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_text_is_borrowed() {
        assert!(matches!(terminal("gpt-4.1 / café"), Cow::Borrowed(_)));
    }

    #[test]
    fn controls_and_bidi_are_visible() {
        assert_eq!(terminal("a\u{7}b"), "a\\u{7}b");
        assert_eq!(terminal("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(terminal("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(terminal("zero\u{200B}width"), "zero\\u{200b}width");
    }

    #[test]
    fn multiline_keeps_breaks_only() {
        assert_eq!(terminal_multiline("a\r\nb\rc\n\u{1b}"), "a\nb\\rc\n\\u{1b}");
    }

    #[test]
    fn github_commands_cannot_be_forged() {
        let id = "x\n::add-mask::secret";
        let data = github_data(id);
        assert!(!data.contains('\n'));
        assert_eq!(data, "x%0A::add-mask::secret");
        assert_eq!(github_property("a:b,c%\u{1b}"), "a%3Ab%2Cc%25\\u{1b}");
    }

    #[test]
    fn xml_cannot_open_an_element() {
        assert_eq!(
            xml("a<b&\"c\"\u{1b}\nd"),
            "a&lt;b&amp;&quot;c&quot;\\u{1b}\nd"
        );
    }
}
