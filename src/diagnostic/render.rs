//! Renders diagnostics for people: a header, the location, the source line with
//! the fault underlined, then notes and help, in the layout rustc made familiar.

use std::fmt::Write as _;

use super::{Diagnostic, Label, Severity};
use crate::source::SourceMap;

/// How to render.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    /// Use ANSI colours.
    pub color: bool,
}

struct Palette {
    err: &'static str,
    warn: &'static str,
    gutter: &'static str,
    bold: &'static str,
    reset: &'static str,
}

const COLOR: Palette = Palette {
    err: "\x1b[1;31m",
    warn: "\x1b[1;33m",
    gutter: "\x1b[1;34m",
    bold: "\x1b[1m",
    reset: "\x1b[0m",
};
const PLAIN: Palette = Palette {
    err: "",
    warn: "",
    gutter: "",
    bold: "",
    reset: "",
};

/// Renders one diagnostic as text ending in a blank line.
pub fn render(diag: &Diagnostic, sources: &SourceMap, opts: RenderOptions) -> String {
    let p = if opts.color { &COLOR } else { &PLAIN };
    let sev = match diag.severity {
        Severity::Error => p.err,
        Severity::Warning => p.warn,
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{sev}{}[{}]{}{}: {}{}",
        diag.severity.as_str(),
        diag.code,
        p.reset,
        p.bold,
        crate::escape::terminal(&diag.message),
        p.reset
    );
    let (line, col) = sources.line_col(diag.primary.span);
    let width = gutter_width(diag, sources);
    let pad = " ".repeat(width);
    let _ = writeln!(
        out,
        "{pad}{}-->{} {}:{line}:{col}",
        p.gutter,
        p.reset,
        crate::escape::terminal(sources.name(diag.primary.span.source))
    );
    let _ = writeln!(out, "{pad} {}|{}", p.gutter, p.reset);
    // Every label in the order of the file, the primary one marked `^`.
    let mut labels: Vec<(&Label, bool)> = std::iter::once((&diag.primary, true))
        .chain(diag.secondary.iter().map(|l| (l, false)))
        .collect();
    labels.sort_by_key(|(l, primary)| {
        (
            l.span.source != diag.primary.span.source,
            l.span.start,
            !primary,
        )
    });
    for (label, primary) in labels {
        if primary {
            snippet(&mut out, label, '^', sev, p, sources, width);
        } else {
            snippet(&mut out, label, '-', p.gutter, p, sources, width);
        }
    }
    if !diag.notes.is_empty() || diag.help.is_some() {
        let _ = writeln!(out, "{pad} {}|{}", p.gutter, p.reset);
    }
    for note in &diag.notes {
        let _ = writeln!(
            out,
            "{pad} {}={} {}note{}: {}",
            p.gutter,
            p.reset,
            p.bold,
            p.reset,
            crate::escape::terminal(note)
        );
    }
    if let Some(help) = &diag.help {
        let _ = writeln!(
            out,
            "{pad} {}={} {}help{}: {}",
            p.gutter,
            p.reset,
            p.bold,
            p.reset,
            crate::escape::terminal(help)
        );
    }
    out.push('\n');
    out
}

fn gutter_width(diag: &Diagnostic, sources: &SourceMap) -> usize {
    std::iter::once(&diag.primary)
        .chain(&diag.secondary)
        .map(|l| sources.line_col(l.span).0.to_string().len())
        .max()
        .unwrap_or(1)
}

fn snippet(
    out: &mut String,
    label: &Label,
    mark: char,
    color: &str,
    p: &Palette,
    sources: &SourceMap,
    width: usize,
) {
    let Some(file) = sources.file(label.span.source) else {
        return;
    };
    let (line, col) = file.line_col(label.span.start);
    let (end_line, end_col) = file.line_col(label.span.end);
    let raw = file.line_text(line);
    let end = if end_line == line && end_col > col {
        end_col
    } else {
        col + 1
    };
    // Long lines (minified JSON) are shown as a window around the span, with
    // `…` where they were cut; input text goes out escaped.
    let (before, marked, after) = window(raw, col - 1, end - 1);
    let show = |s: &str| crate::escape::terminal(&s.replace('\t', " ")).into_owned();
    let (before, marked, after) = (show(&before), show(&marked), show(&after));
    let text = format!("{before}{marked}{after}");
    let len = marked.chars().count().max(1);
    let shift_lead = before.chars().count();
    let _ = writeln!(out, "{}{line:>width$} |{} {text}", p.gutter, p.reset);
    let marks: String = std::iter::repeat_n(mark, len).collect();
    let lead = " ".repeat(shift_lead);
    let msg = if label.message.is_empty() {
        String::new()
    } else {
        format!(" {}", crate::escape::terminal(&label.message))
    };
    let _ = writeln!(
        out,
        "{}{} |{} {lead}{color}{marks}{msg}{}",
        p.gutter,
        " ".repeat(width),
        p.reset,
        p.reset
    );
}

/// `line` cut into what comes before the span (characters `from..to`), the
/// span, and what follows. A line that fits in about 100 characters is shown
/// whole; a longer one (minified JSON) as a window of about 100 characters
/// with at least 40 either side of the span, a span itself over 60 characters cut after its start, and
/// each cut marked with `…`.
fn window(line: &str, from: usize, to: usize) -> (String, String, String) {
    const WHOLE: usize = 100;
    const CONTEXT: usize = 40;
    const MAX_SPAN: usize = 60;
    let chars: Vec<char> = line.chars().collect();
    let n = chars.len();
    let from = from.min(n);
    let to = to.clamp(from, n);
    let text = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    if n <= WHOLE {
        return (text(0, from), text(from, to), text(to, n));
    }
    let shown_to = to.min(from + MAX_SPAN);
    let start = from.saturating_sub(CONTEXT);
    let mut before = text(start, from);
    if start > 0 {
        before.insert(0, '…');
    }
    let mut marked = text(from, shown_to);
    if shown_to < to {
        // The rest of a cut span would read as a second, unrelated fragment.
        marked.push('…');
        return (before, marked, String::new());
    }
    // What the window did not spend before the span, it shows after it.
    let stop = (shown_to + CONTEXT.max(WHOLE.saturating_sub(shown_to - start))).min(n);
    let mut after = text(shown_to, stop);
    if stop < n {
        after.push('…');
    }
    (before, marked, after)
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn a_line_that_fits_is_shown_whole() {
        let line = "  big: model openai/gpt-4.1 timeout 60s retries 0 {";
        let (b, m, a) = window(line, 50, 51);
        assert_eq!(format!("{b}{m}{a}"), line);
        assert_eq!(m, "{");
    }

    #[test]
    fn a_long_line_is_shown_around_the_span() {
        let line = format!("{}ERR{}", "a".repeat(300), "b".repeat(300));
        let (b, m, a) = window(&line, 300, 303);
        assert_eq!(b, format!("…{}", "a".repeat(40)));
        assert_eq!(m, "ERR");
        // 40 + 3 shown up to the span; the rest of about 100 after it.
        assert_eq!(a, format!("{}…", "b".repeat(57)));
    }

    #[test]
    fn a_long_span_is_cut_once() {
        let line = format!("x{}", "y".repeat(300));
        let (b, m, a) = window(&line, 1, 301);
        assert_eq!(b, "x");
        assert_eq!(m, format!("{}…", "y".repeat(60)));
        assert_eq!(a, "");
    }
}
