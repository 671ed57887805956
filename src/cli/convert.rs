//! `aig-route convert FILE --to yaml|json|dsl`: the same route in another format.

use std::path::PathBuf;

use clap::ValueEnum;

use super::common::{Global, fail, load_valid, write_atomic};
use crate::emit;
use crate::source::SourceMap;

/// Print a route in another format, without changing its meaning.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  aig-route convert routes/canary.yaml --to json > canary.json\n  aig-route convert routes/anchor.json --to yaml -o anchor.yaml"
)]
pub struct Args {
    /// The route file.
    file: PathBuf,
    /// The format to write.
    #[arg(long, value_enum)]
    to: Target,
    /// Write to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum Target {
    /// The YAML authoring format.
    Yaml,
    /// The gateway's JSON wire format.
    Json,
    /// The compact DSL.
    Dsl,
}

impl Target {
    /// The source format it names.
    pub(super) fn format(self) -> crate::syntax::Format {
        match self {
            Target::Yaml => crate::syntax::Format::Yaml,
            Target::Json => crate::syntax::Format::Json,
            Target::Dsl => crate::syntax::Format::Dsl,
        }
    }

    /// The file extension of that format.
    pub(super) fn extension(self) -> &'static str {
        match self {
            Target::Yaml => "yaml",
            Target::Json => "json",
            Target::Dsl => "route",
        }
    }
}

pub fn run(g: &Global, args: &Args) -> u8 {
    let mut sources = SourceMap::new();
    let path = args.file.to_string_lossy().into_owned();
    let (parsed, _) = match load_valid(&mut sources, &path, g, true, "fix them before converting") {
        Ok(p) => p,
        Err(code) => return code,
    };
    // The file read completely (it validated), so its comments can be kept.
    let comments =
        crate::fmt::read_with_comments(&sources, parsed.source, parsed.format, &g.limits())
            .map(|(_, c)| c)
            .unwrap_or_default();
    let text = match args.to {
        Target::Yaml => emit::to_yaml_with(&parsed.route, &comments),
        Target::Json => match emit::to_json(&parsed.route) {
            Ok(v) => {
                if !comments.is_empty() {
                    let n = comments.len();
                    eprintln!(
                        "note: JSON has no comments; {n} comment{} of `{}` not written",
                        if n == 1 { "" } else { "s" },
                        crate::escape::terminal(&path)
                    );
                }
                format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
            }
            Err(e) => {
                fail(g, &e.to_string());
                return 1;
            }
        },
        Target::Dsl => emit::to_dsl_with(&parsed.route, &comments),
    };
    match &args.output {
        None => {
            print!("{text}");
            0
        }
        Some(out) => match write_atomic(out, text.as_bytes()) {
            Ok(()) => 0,
            Err(e) => {
                fail(g, &format!("cannot write `{}`: {e}", out.display()));
                2
            }
        },
    }
}
