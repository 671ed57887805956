//! YAML syntax errors in our words, at the line that is wrong.
//!
//! The parser reports where it gave up, which for an indentation mistake is
//! often the line after the one at fault, and in its own terms ("mapping values
//! are not allowed in this context"). This looks at the lines around that point
//! to name the line whose indentation is out of step, or the bracket or quote
//! left open, and says how to fix it.

use super::syntax_error::SyntaxError;

/// What to report for a parser error `info` at byte `at` of `text`: the byte
/// range to point at and the error.
pub(super) fn explain(text: &str, at: usize, info: &str) -> (usize, usize, SyntaxError) {
    let lines = Lines::new(text);
    let l = lines.line_of(at);
    let generic = || {
        let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        let info = crate::escape::terminal(info).into_owned();
        (at, end, SyntaxError::Yaml { info })
    };
    if info.contains("tab") {
        let (s, e) = lines.indent_range(l);
        return (s, e.max(s + 1), SyntaxError::TabIndent);
    }
    if info.contains("quoted scalar") {
        return (at, at + 1, SyntaxError::UnclosedString { yaml: true });
    }
    // An unclosed `[` or `{` on an earlier line: the parser stops at a later `:`.
    if info.contains("':'") || info.contains("flow") {
        if let Some(open) = lines.unclosed_bracket(l) {
            let c = text[open..].chars().next().unwrap_or('[');
            return (
                open,
                open + 1,
                SyntaxError::Unclosed {
                    open: c,
                    yaml: true,
                },
            );
        }
    }
    if info.contains("mapping values are not allowed") || info.contains("did not find expected key")
    {
        // The line out of step: this one, or the one before when this one is
        // back in step with the line before that.
        let (Some(prev), this) = (lines.prev_code(l), l) else {
            return generic();
        };
        let culprit = match lines.prev_code(prev) {
            Some(before)
                if lines.indent(before) == lines.indent(this)
                    && lines.indent(prev) != lines.indent(this) =>
            {
                prev
            }
            _ => this,
        };
        let opens = lines.line(prev).trim_end().ends_with(':');
        let fits = lines.indent(this) == lines.indent(prev)
            || (opens && lines.indent(this) > lines.indent(prev));
        if culprit == this && fits && info.contains("mapping values") {
            // In step with its neighbours: a second `: ` inside one value.
            return (at, at + 1, SyntaxError::ColonInPlain);
        }
        let around = [lines.prev_code(culprit), lines.next_code(culprit)]
            .into_iter()
            .flatten()
            .map(|k| lines.indent(k))
            .find(|i| *i != lines.indent(culprit));
        let (s, e) = lines.code_range(culprit);
        let indent = lines.indent(culprit);
        return (s, e.max(s + 1), SyntaxError::Indentation { indent, around });
    }
    generic()
}

/// Line starts of a text, for moving between lines.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    fn line_of(&self, at: usize) -> usize {
        self.starts.partition_point(|&s| s <= at).saturating_sub(1)
    }

    fn line(&self, l: usize) -> &'t str {
        let s = self.starts[l];
        let e = self.starts.get(l + 1).map_or(self.text.len(), |&e| e);
        self.text[s..e].trim_end_matches(['\n', '\r'])
    }

    fn indent(&self, l: usize) -> usize {
        let line = self.line(l);
        line.len() - line.trim_start_matches(' ').len()
    }

    fn indent_range(&self, l: usize) -> (usize, usize) {
        let line = self.line(l);
        let s = self.starts[l];
        (s, s + line.len() - line.trim_start().len())
    }

    fn code_range(&self, l: usize) -> (usize, usize) {
        let line = self.line(l);
        let s = self.starts[l] + self.indent(l);
        (s, self.starts[l] + line.trim_end().len())
    }

    fn is_code(&self, l: usize) -> bool {
        let t = self.line(l).trim();
        !t.is_empty() && !t.starts_with('#')
    }

    fn prev_code(&self, l: usize) -> Option<usize> {
        (0..l).rev().find(|&k| self.is_code(k))
    }

    fn next_code(&self, l: usize) -> Option<usize> {
        (l + 1..self.starts.len()).find(|&k| self.is_code(k))
    }

    /// The last `[` or `{` (outside quotes) left open on the nearest code line
    /// before `l` that leaves one open.
    fn unclosed_bracket(&self, l: usize) -> Option<usize> {
        (0..l)
            .rev()
            .take(64)
            .filter(|&k| self.is_code(k))
            .find_map(|k| {
                let (mut single, mut double) = (false, false);
                let mut open: Vec<usize> = Vec::new();
                for (j, c) in self.line(k).char_indices() {
                    match c {
                        '\'' if !double => single = !single,
                        '"' if !single => double = !double,
                        '#' if !single && !double => break,
                        '[' | '{' if !single && !double => open.push(self.starts[k] + j),
                        ']' | '}' if !single && !double => {
                            open.pop();
                        }
                        _ => {}
                    }
                }
                open.pop()
            })
    }
}
