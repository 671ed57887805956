//! What every subcommand shares: global flags, reading files into a source map,
//! printing diagnostics, and atomic writes.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::check::Checked;
use crate::diagnostic::{Code, CodeNameError, Diagnostic, RenderOptions, Severity, render};
use crate::source::{SourceId, SourceMap, Span};
use crate::syntax::{Format, Limits};

/// When to colour human output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and `NO_COLOR` is unset.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// When to colour output (`auto` respects NO_COLOR and non-terminals).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Silence warnings, e.g. `--allow W0608,W0609` (repeatable).
    #[arg(long = "allow", global = true, help_heading = "Reading routes (not for pull, versions, deploy, rollback, schema)", value_name = "CODE", value_delimiter = ',', value_parser = warning_code)]
    pub allow: Vec<Code>,
    /// Treat warnings as errors, e.g. `--deny W0609` (repeatable).
    #[arg(long = "deny", global = true, help_heading = "Reading routes (not for pull, versions, deploy, rollback, schema)", value_name = "CODE", value_delimiter = ',', value_parser = warning_code)]
    pub deny: Vec<Code>,
    /// Treat every warning as an error (exit 1).
    #[arg(
        long,
        global = true,
        help_heading = "Reading routes (not for pull, versions, deploy, rollback, schema)"
    )]
    pub deny_warnings: bool,
    /// The project file to use instead of the nearest `aig-route.toml`.
    #[arg(
        long,
        global = true,
        help_heading = "Reading routes (not for pull, versions, deploy, rollback, schema)",
        value_name = "FILE",
        conflicts_with = "no_config"
    )]
    pub config: Option<PathBuf>,
    /// Ignore any `aig-route.toml`.
    #[arg(
        long,
        global = true,
        help_heading = "Reading routes (not for pull, versions, deploy, rollback, schema)"
    )]
    pub no_config: bool,
    /// The project file's path policies (set from the file, not a flag).
    #[arg(skip)]
    pub policy: crate::policy::Policy,
    /// Largest route file read, in bytes.
    #[arg(long, global = true, help_heading = "Reading routes (not for pull, versions, deploy, rollback, schema)", value_name = "BYTES", default_value_t = Limits::default().max_file_bytes, value_parser = super::numbers::file_size)]
    pub max_file_size: usize,
    /// Deepest nesting of mappings, lists and conditions.
    #[arg(long, global = true, help_heading = "Reading routes (not for pull, versions, deploy, rollback, schema)", value_name = "N", default_value_t = Limits::default().max_depth, value_parser = super::numbers::depth)]
    pub max_depth: usize,
    /// Most nodes in one route.
    #[arg(long, global = true, help_heading = "Reading routes (not for pull, versions, deploy, rollback, schema)", value_name = "N", default_value_t = Limits::default().max_nodes, value_parser = super::numbers::count)]
    pub max_nodes: usize,
    /// Most values in one document after YAML alias expansion.
    #[arg(long, global = true, help_heading = "Reading routes (not for pull, versions, deploy, rollback, schema)", value_name = "N", default_value_t = Limits::default().max_values, value_parser = super::numbers::count)]
    pub max_values: usize,
}

impl Global {
    /// The input bounds the flags set.
    pub fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_size,
            max_depth: self.max_depth,
            max_values: self.max_values,
            max_nodes: self.max_nodes,
        }
    }

    /// Whether to colour what goes to stderr.
    pub fn color_stderr(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => no_color_unset() && std::io::stderr().is_terminal(),
        }
    }

    /// Whether to colour what goes to stdout.
    pub fn color_stdout(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => no_color_unset() && std::io::stdout().is_terminal(),
        }
    }

    /// Reads the project file (unless `--no-config`) and merges it under the
    /// flags: a code the flags allow is not denied by the file, and the reverse.
    /// `Err(2)` after printing its problems when the file is wrong.
    pub fn load_project(&mut self) -> Result<(), u8> {
        if self.no_config {
            return Ok(());
        }
        let Some(path) = super::config::find(self.config.as_deref()) else {
            return Ok(());
        };
        let mut sources = SourceMap::new();
        let project = match super::config::read(&mut sources, &path) {
            Ok(p) => p,
            Err(diags) => {
                print_human(&diags, &sources, self);
                fail(
                    self,
                    &format!(
                        "the project file `{}` has errors; fix it, or pass `--no-config`",
                        crate::escape::terminal(&path.to_string_lossy())
                    ),
                );
                return Err(2);
            }
        };
        let (flag_allow, flag_deny) = (self.allow.clone(), self.deny.clone());
        self.allow
            .extend(project.allow.into_iter().filter(|c| !flag_deny.contains(c)));
        self.deny
            .extend(project.deny.into_iter().filter(|c| !flag_allow.contains(c)));
        self.deny_warnings |= project.deny_warnings;
        self.policy = project.policy;
        Ok(())
    }

    /// Drops the warnings the user allowed and turns the denied ones into errors
    /// (errors cannot be allowed). An explicit `--allow` wins over `--deny-warnings`.
    pub fn filter(&self, diags: &mut Vec<Diagnostic>) {
        diags.retain(|d| d.is_error() || !self.allow.contains(&d.code));
        for d in diags.iter_mut().filter(|d| !d.is_error()) {
            let why = if self.deny.contains(&d.code) {
                format!("`--deny {}`", d.code)
            } else if self.deny_warnings {
                "`--deny-warnings`".to_string()
            } else {
                continue;
            };
            d.severity = Severity::Error;
            d.notes.push(format!("a warning made an error by {why}"));
        }
    }
}

/// Reads a warning code for `--allow` and `--deny`: an unknown code, or an
/// error's, is a usage error (exit 2) rather than silently ignored.
fn warning_code(s: &str) -> Result<Code, String> {
    CodeNameError::warning(s).map_err(|e| {
        // An error's code needs no more words here than the message's.
        let hint = match &e {
            CodeNameError::Unknown { .. } => e.help().or_else(|| e.note().map(str::to_string)),
            _ => None,
        };
        let shown = crate::escape::terminal(&e.to_string()).into_owned();
        match hint {
            Some(hint) => format!("{shown}; {hint}"),
            None => shown,
        }
    })
}

fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A file given on the command line, read into the source map.
pub struct Loaded {
    /// Its id in the map.
    pub id: SourceId,
    /// Its format.
    pub format: Format,
    /// Set when the file could not be read at all (exit code 2).
    pub unreadable: bool,
    /// Problems found before parsing (size, encoding).
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads `path` into `sources`. Never fails: problems become diagnostics.
/// `-` reads standard input (named `<stdin>` in messages; its format is told
/// by its content: `{`/`[` gateway JSON, `route` the DSL, else YAML).
pub fn load(sources: &mut SourceMap, path: &str, limits: &Limits) -> Loaded {
    let mut bytes = Vec::new();
    // Read one byte past the limit: enough to know the file is too large.
    let cap = (limits.max_file_bytes as u64).saturating_add(1);
    let (read, path) = if path == STDIN {
        let read = std::io::stdin().lock().take(cap).read_to_end(&mut bytes);
        (read, "<stdin>")
    } else {
        let read = open_route(path).and_then(|f| f.take(cap).read_to_end(&mut bytes));
        (read, path)
    };
    let format = Format::from_path(path).unwrap_or_else(|| sniff(&bytes));
    if let Err(e) = read {
        let id = sources.add(path, "");
        let e = super::CliError::Unreadable {
            path: path.to_string(),
            reason: io_words(&e),
        };
        let d = e.at(Span::new(id, 0, 0));
        return Loaded {
            id,
            format,
            unreadable: true,
            diagnostics: vec![d],
        };
    }
    if bytes.len() > limits.max_file_bytes {
        let id = sources.add(path, "");
        // Read only to one byte past the limit: the size itself is not known.
        let e = crate::syntax::doc_error::DocError::FileTooLarge {
            size: None,
            limit: limits.max_file_bytes,
        };
        let d = e.at(Span::new(id, 0, 0));
        return Loaded {
            id,
            format,
            unreadable: false,
            diagnostics: vec![d],
        };
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            let id = sources.add(path, text);
            Loaded {
                id,
                format,
                unreadable: false,
                diagnostics: Vec::new(),
            }
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let text = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let id = sources.add(path, text);
            let d = super::CliError::NotUtf8.at(Span::new(id, valid, valid));
            Loaded {
                id,
                format,
                unreadable: false,
                diagnostics: vec![d],
            }
        }
    }
}

/// The path that means standard input.
pub const STDIN: &str = "-";

/// The format of text without a file name: gateway JSON when it starts with
/// `{` or `[`, the DSL when it starts with `route`, else YAML (comments and a
/// byte-order mark skipped).
fn sniff(bytes: &[u8]) -> Format {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let code = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("//"))
        .unwrap_or("");
    if code.starts_with(['{', '[']) {
        Format::Json
    } else if code.starts_with("route ") || code == "route" {
        Format::Dsl
    } else {
        Format::Yaml
    }
}

/// Opens a route file named on the command line. Opened without blocking, so a
/// FIFO with no writer cannot hang the command, and refused unless it is a
/// regular file (a FIFO, socket or device is no route file; its content can be
/// piped to `-`).
fn open_route(path: &str) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let f = options.open(path)?;
    let meta = f.metadata()?;
    if meta.is_dir() {
        return Err(std::io::ErrorKind::IsADirectory.into());
    }
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "it is {}, not a regular file (pipe its content to `-` instead)",
                super::write::kind_words(&meta)
            ),
        ));
    }
    Ok(f)
}

fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "it is a directory".into(),
        _ => e.to_string(),
    }
}

/// Loads and checks one route file.
pub fn load_and_check(sources: &mut SourceMap, path: &str, g: &Global) -> (Loaded, Checked) {
    load_and_check_as(sources, path, g, false)
}

/// Loads and checks one route file, against the JSON Schema too with `schema`.
pub fn load_and_check_as(
    sources: &mut SourceMap,
    path: &str,
    g: &Global,
    schema: bool,
) -> (Loaded, Checked) {
    let limits = g.limits();
    let mut loaded = load(sources, path, &limits);
    let mut checked = if !loaded.diagnostics.is_empty() {
        Checked {
            parsed: None,
            diagnostics: Vec::new(),
            program: None,
        }
    } else {
        crate::check::check_with_policy(
            sources,
            loaded.id,
            loaded.format,
            &limits,
            schema,
            &g.policy,
        )
    };
    checked
        .diagnostics
        .splice(0..0, loaded.diagnostics.drain(..));
    g.filter(&mut checked.diagnostics);
    (loaded, checked)
}

/// Loads a route file for a command that needs it free of errors. Prints its
/// errors (and its warnings too with `warnings`); `Err(exit code)` when it cannot
/// be read (2) or has errors (1), saying what could not be done (`doing`).
pub fn load_valid(
    sources: &mut SourceMap,
    path: &str,
    g: &Global,
    warnings: bool,
    doing: &str,
) -> Result<(crate::syntax::Parsed, crate::compile::Program), u8> {
    let (loaded, checked) = load_and_check(sources, path, g);
    let shown: Vec<Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| warnings || d.is_error())
        .cloned()
        .collect();
    print_human(&shown, sources, g);
    if loaded.unreadable {
        return Err(2);
    }
    let ok = checked.is_ok();
    match (checked.parsed, checked.program) {
        (Some(p), Some(program)) if ok => Ok((p, program)),
        _ => {
            fail(g, &format!("`{path}` has errors; {doing}"));
            Err(1)
        }
    }
}

/// The route files named by `inputs`: files as given, directories walked for
/// `*.yaml`, `*.yml`, `*.json` and `*.route` (hidden entries,
/// `*.traffic.yaml` / `*.pricing.yaml` companions and `*.test.yaml` suites
/// skipped). See [`collect_matching`].
pub fn collect_files(g: &Global, inputs: &[PathBuf]) -> (Vec<String>, u8) {
    collect_matching(g, inputs, is_route_file)
}

/// Files as given, and every file under the directories among `inputs` whose
/// name `keep` accepts (the rules are in `walk`). What was skipped is printed as
/// a warning and what could not be read as an error; the exit code is then 2,
/// but every file found is still returned to be read.
pub fn collect_matching(
    g: &Global,
    inputs: &[PathBuf],
    keep: fn(&str) -> bool,
) -> (Vec<String>, u8) {
    let found = super::walk::collect(inputs, keep);
    for w in &found.warnings {
        warn(g, w);
    }
    for e in &found.errors {
        fail(g, e);
    }
    let code = if found.errors.is_empty() { 0 } else { 2 };
    (found.files, code)
}

/// Whether a file name looks like a route.
pub fn is_route_file(name: &str) -> bool {
    Format::from_path(name).is_some()
        && !name.contains(".traffic.")
        && !name.contains(".pricing.")
        && !crate::testing::is_test_file(name)
}

/// Prints diagnostics to stderr in human form.
pub fn print_human(diags: &[Diagnostic], sources: &SourceMap, g: &Global) {
    let opts = RenderOptions {
        color: g.color_stderr(),
    };
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = err.write_all(render(d, sources, opts).as_bytes());
    }
}

/// Prints a message to stderr as `error: ...`.
pub fn fail(g: &Global, msg: &str) {
    say(g, "\x1b[1;31m", "error", msg);
}

/// Prints a message to stderr as `warning: ...`.
pub fn warn(g: &Global, msg: &str) {
    say(g, "\x1b[1;33m", "warning", msg);
}

/// The message is escaped as a whole: it names files, ids and values from the
/// input, and a newline or an escape sequence in one of them must not start a
/// line of its own (or a CI workflow command) on the terminal.
fn say(g: &Global, colour: &str, label: &str, msg: &str) {
    let msg = crate::escape::terminal(msg);
    let (on, off) = if g.color_stderr() {
        (colour, "\x1b[0m")
    } else {
        ("", "")
    };
    eprintln!("{on}{label}{off}: {msg}");
}

pub use super::write::{write_atomic, write_atomic_new};
