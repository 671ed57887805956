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
        diag.message,
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
        sources.name(diag.primary.span.source)
    );
    let _ = writeln!(out, "{pad} {}|{}", p.gutter, p.reset);
    snippet(&mut out, &diag.primary, '^', sev, p, sources, width);
    for label in &diag.secondary {
        snippet(&mut out, label, '-', p.gutter, p, sources, width);
    }
    if !diag.notes.is_empty() || diag.help.is_some() {
        let _ = writeln!(out, "{pad} {}|{}", p.gutter, p.reset);
    }
    for note in &diag.notes {
        let _ = writeln!(
            out,
            "{pad} {}={} {}note{}: {note}",
            p.gutter, p.reset, p.bold, p.reset
        );
    }
    if let Some(help) = &diag.help {
        let _ = writeln!(
            out,
            "{pad} {}={} {}help{}: {help}",
            p.gutter, p.reset, p.bold, p.reset
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
    // Long lines (minified JSON) are cut around the fault.
    let (text, shift) = window(raw, col);
    let text = text.replace('\t', " ");
    let len = if end_line == line && end_col > col {
        end_col - col
    } else {
        1
    };
    let len = len.min(text.chars().count().saturating_sub(col - 1 - shift).max(1));
    let _ = writeln!(out, "{}{line:>width$} |{} {text}", p.gutter, p.reset);
    let marks: String = std::iter::repeat_n(mark, len).collect();
    let lead = " ".repeat(col - 1 - shift);
    let msg = if label.message.is_empty() {
        String::new()
    } else {
        format!(" {}", label.message)
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

/// At most 120 characters of `line` around column `col`, and how many characters
/// were cut from the front.
fn window(line: &str, col: usize) -> (String, usize) {
    const MAX: usize = 120;
    let n = line.chars().count();
    if n <= MAX {
        return (line.to_string(), 0);
    }
    let start = col.saturating_sub(MAX / 2).min(n - MAX);
    (line.chars().skip(start).take(MAX).collect(), start)
}
