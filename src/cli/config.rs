//! The project file `aig-route.toml`: what a team decides once instead of on
//! every command line — warnings allowed or denied, and path policies.
//!
//! Found from the current directory upwards (`--config FILE` names one,
//! `--no-config` ignores it). The file is validated like a route: every problem,
//! located, with a stable code and "did you mean" for misspelt keys. Flags given
//! on the command line override it.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use toml_span::value::{Table, Value, ValueInner};

use super::config_error::ConfigError;
use crate::diagnostic::{Code, CodeNameError, Diagnostic};
use crate::policy::{Forbid, Policy};
use crate::source::{SourceId, SourceMap, Span};
use crate::syntax::cond::{TextPos, parse_expr};

/// The file name looked up.
pub const FILE_NAME: &str = "aig-route.toml";

/// Largest project file read; a real one is a few hundred bytes.
const MAX_BYTES: usize = 1 << 20;

/// What a project file says.
#[derive(Debug, Default)]
pub struct Project {
    /// `allow`: warnings silenced.
    pub allow: Vec<Code>,
    /// `deny`: warnings made errors.
    pub deny: Vec<Code>,
    /// `deny-warnings`.
    pub deny_warnings: bool,
    /// `[policy]`.
    pub policy: Policy,
}

/// The project file that applies: `explicit`, else the nearest `aig-route.toml`
/// from the current directory upwards.
pub fn find(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let mut dir = std::env::current_dir().ok()?;
    loop {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// Reads and validates the project file at `path` into `sources`. `Err` holds
/// every problem (the file cannot be read, or does not say what it must).
pub fn read(sources: &mut SourceMap, path: &Path) -> Result<Project, Vec<Diagnostic>> {
    let name = path.to_string_lossy().into_owned();
    let limits = crate::syntax::Limits {
        max_file_bytes: MAX_BYTES,
        ..Default::default()
    };
    let loaded = super::common::load(sources, &name, &limits);
    if !loaded.diagnostics.is_empty() {
        return Err(loaded.diagnostics);
    }
    parse(sources, loaded.id)
}

/// Validates project-file text already in `sources`.
pub fn parse(sources: &SourceMap, id: SourceId) -> Result<Project, Vec<Diagnostic>> {
    let text = sources.text(id);
    let mut root = match toml_span::parse(text) {
        Ok(v) => v,
        Err(e) => {
            let span = Span::new(id, e.span.start, e.span.end);
            let message = crate::escape::terminal(&e.to_string()).into_owned();
            return Err(vec![ConfigError::Syntax { message }.at(span)]);
        }
    };
    let mut r = Reader {
        id,
        sources,
        diags: Vec::new(),
    };
    let mut project = Project::default();
    if let ValueInner::Table(table) = root.take() {
        r.root(table, &mut project);
    }
    if r.diags.is_empty() {
        Ok(project)
    } else {
        crate::diagnostic::sort(&mut r.diags);
        Err(r.diags)
    }
}

struct Reader<'s> {
    id: SourceId,
    sources: &'s SourceMap,
    diags: Vec<Diagnostic>,
}

const ROOT_KEYS: [&str; 4] = ["allow", "deny", "deny-warnings", "policy"];
const POLICY_KEYS: [&str; 4] = [
    "providers",
    "max-timeout",
    "fallback-to-other-provider",
    "forbid",
];
const FORBID_KEYS: [&str; 2] = ["when", "models"];

impl Reader<'_> {
    fn span(&self, s: toml_span::Span) -> Span {
        Span::new(self.id, s.start, s.end)
    }

    /// `file:line`, for notes that point back at a rule.
    fn origin(&self, s: toml_span::Span) -> String {
        let (line, _) = self.sources.line_col(self.span(s));
        format!("{}:{line}", self.sources.name(self.id))
    }

    fn root(&mut self, table: Table<'_>, p: &mut Project) {
        for (key, mut value) in table {
            match key.name.as_ref() {
                "allow" => p.allow = self.codes(&key.name, &mut value),
                "deny" => p.deny = self.codes(&key.name, &mut value),
                "deny-warnings" => {
                    p.deny_warnings = self.boolean(&key.name, &value).unwrap_or(false)
                }
                "policy" => match value.take() {
                    ValueInner::Table(t) => self.policy(t, &mut p.policy),
                    _ => self.push_wrong(&key.name, value.span, "a table (`[policy]`)"),
                },
                _ => self.unknown(&key, &ROOT_KEYS, ""),
            }
        }
    }

    fn policy(&mut self, table: Table<'_>, p: &mut Policy) {
        for (key, mut value) in table {
            let at = self.origin(key.span);
            match key.name.as_ref() {
                "providers" => {
                    let list = self.strings(&key.name, &mut value);
                    p.providers =
                        Some((list.into_iter().map(|(s, _)| s.into_owned()).collect(), at));
                }
                "max-timeout" => p.max_timeout_ms = self.duration(&value).map(|ms| (ms, at)),
                "fallback-to-other-provider" => {
                    p.fallback_to_other_provider = self.boolean(&key.name, &value).map(|b| (b, at));
                }
                "forbid" => match value.take() {
                    ValueInner::Array(rules) => {
                        for mut rule in rules {
                            let span = rule.span;
                            match rule.take() {
                                ValueInner::Table(t) => self.forbid(t, span, p),
                                _ => {
                                    self.push_wrong("forbid", span, "a table (`[[policy.forbid]]`)")
                                }
                            }
                        }
                    }
                    _ => self.push_wrong(
                        &key.name,
                        value.span,
                        "a list of tables (`[[policy.forbid]]`)",
                    ),
                },
                _ => self.unknown(&key, &POLICY_KEYS, "policy."),
            }
        }
    }

    fn forbid(&mut self, table: Table<'_>, span: toml_span::Span, p: &mut Policy) {
        let mut rule = Forbid {
            when: None,
            when_text: String::new(),
            models: Vec::new(),
            origin: self.origin(span),
        };
        let mut has_models = false;
        for (key, mut value) in table {
            match key.name.as_ref() {
                "when" => {
                    if let Some((text, at)) = self.string("when", &value) {
                        rule.when = self.condition(&text, at);
                        rule.when_text = text.into_owned();
                    }
                }
                "models" => {
                    has_models = true;
                    for (m, at) in self.strings("models", &mut value) {
                        match m.split_once('/') {
                            Some((prov, model)) if !prov.is_empty() && !model.is_empty() => {
                                rule.models.push((prov.to_string(), model.to_string()));
                            }
                            _ => {
                                let text = m.into_owned();
                                self.diags
                                    .push(ConfigError::NotProviderModel { text }.at(at));
                            }
                        }
                    }
                }
                _ => self.unknown(&key, &FORBID_KEYS, "policy.forbid."),
            }
        }
        if !has_models {
            let at = self.span(span);
            self.diags.push(ConfigError::ForbidWithoutModels.at(at));
        }
        p.forbid.push(rule);
    }

    /// A `when` condition, parsed as a route's `if:` is.
    fn condition(&mut self, text: &str, at: Span) -> Option<crate::syntax::ast::Cond> {
        // Positions are exact when the string was written without escapes (the
        // value's span covers its contents, without the quotes).
        let raw = self
            .sources
            .text(self.id)
            .get(at.start as usize..at.end as usize);
        let base = (raw == Some(text)).then_some(at.start as usize);
        let pos = TextPos {
            source: self.id,
            base,
            whole: at,
        };
        match parse_expr(text, pos, 64) {
            Ok(cond) => {
                let mut bad = None;
                cond.for_each_field(&mut |f| {
                    if bad.is_none() && f.value.strip_prefix("metadata.").is_none_or(str::is_empty)
                    {
                        bad = Some(f.clone());
                    }
                });
                match bad {
                    None => Some(cond),
                    Some(f) => {
                        let e = ConfigError::WhenNotMetadata { field: f.value };
                        self.diags.push(e.at(f.span));
                        None
                    }
                }
            }
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    fn codes(&mut self, key: &str, value: &mut Value<'_>) -> Vec<Code> {
        let mut out = Vec::new();
        for (text, at) in self.strings(key, value) {
            match CodeNameError::warning(&text) {
                Ok(c) => out.push(c),
                Err(e) => self.diags.push(ConfigError::Code(e).at(at)),
            }
        }
        out
    }

    fn strings<'v>(&mut self, key: &str, value: &'v mut Value<'_>) -> Vec<(Cow<'v, str>, Span)> {
        let span = value.span;
        match value.take() {
            ValueInner::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    if let Some((s, at)) = self.string(key, &item) {
                        out.push((Cow::Owned(s.into_owned()), at));
                    }
                }
                out
            }
            _ => {
                self.push_wrong(key, span, "a list of strings");
                Vec::new()
            }
        }
    }

    fn string<'v>(&mut self, key: &str, value: &'v Value<'_>) -> Option<(Cow<'v, str>, Span)> {
        match value.as_str() {
            Some(s) => Some((Cow::Borrowed(s), self.span(value.span))),
            None => {
                self.push_wrong(key, value.span, "a string");
                None
            }
        }
    }

    fn boolean(&mut self, key: &str, value: &Value<'_>) -> Option<bool> {
        let b = value.as_bool();
        if b.is_none() {
            self.push_wrong(key, value.span, "`true` or `false`");
        }
        b
    }

    /// `max-timeout`: a duration such as `"60s"` (a bare number means milliseconds,
    /// as a route's `timeout` does).
    fn duration(&mut self, value: &Value<'_>) -> Option<f64> {
        let ms = match (value.as_str(), value.as_integer()) {
            (Some(s), _) => crate::syntax::values::parse_duration(s, 1.0),
            (None, Some(n)) => Some(n as f64),
            _ => None,
        };
        let ok = ms.filter(|ms| ms.is_finite() && *ms > 0.0);
        if ok.is_none() {
            let at = self.span(value.span);
            self.diags.push(ConfigError::NotADuration.at(at));
        }
        ok
    }

    fn push_wrong(&mut self, key: &str, span: toml_span::Span, wanted: &'static str) {
        let e = ConfigError::WrongType {
            key: key.to_string(),
            wanted,
        };
        self.diags.push(e.at(self.span(span)));
    }

    fn unknown(
        &mut self,
        key: &toml_span::value::Key<'_>,
        known: &'static [&'static str],
        prefix: &'static str,
    ) {
        let e = ConfigError::UnknownKey {
            name: key.name.to_string(),
            prefix,
            known,
        };
        self.diags.push(e.at(self.span(key.span)));
    }
}
