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
    let (parsed, program) =
        match load_valid(&mut sources, &path, g, true, "fix them before converting") {
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
    if let Err(why) = reads_back(&mut sources, &text, args.to, &program, g) {
        fail(g, &why);
        return 1;
    }
    match &args.output {
        None => {
            print!("{text}");
            0
        }
        Some(out) => match write_atomic(out, text.as_bytes()) {
            Ok(()) => 0,
            Err(e) => {
                let shown = crate::escape::terminal(&out.display().to_string()).into_owned();
                fail(g, &format!("cannot write `{shown}`: {e}"));
                2
            }
        },
    }
}

/// Whether the converted `text` reads back, under the limits in effect, to the
/// same program: nothing is written that `aig-route` could not read again with
/// the same flags. Formats differ in size (gateway JSON spends several times
/// the bytes and values of YAML on the same route), so a route near a bound in
/// one format can pass it in another; the error says which bound and by how
/// much, so the flag can be raised for this command and for those that read
/// the copy.
fn reads_back(
    sources: &mut SourceMap,
    text: &str,
    to: Target,
    program: &crate::compile::Program,
    g: &Global,
) -> Result<(), String> {
    let id = sources.add(format!("<{} copy>", to.extension()), text.to_string());
    let back = crate::check::check(sources, id, to.format(), &g.limits());
    let format = to.extension();
    match back.diagnostics.iter().find(|d| d.is_error()) {
        Some(d) if d.code == crate::diagnostic::Code::LimitExceeded => Err(format!(
            "the {format} copy would not read back under the limits in effect: {}; {}, here and wherever the copy is read",
            crate::escape::terminal(&d.message),
            crate::escape::terminal(d.help.as_deref().unwrap_or("raise the limit that it names"))
        )),
        Some(d) => Err(format!(
            "the {format} copy would not read back ({}: {}); this is a bug in aig-route, please report it with the route",
            d.code.as_str(),
            crate::escape::terminal(&d.message)
        )),
        None => match &back.program {
            Some(p) if p.canonical() == program.canonical() => Ok(()),
            _ => Err(format!(
                "the {format} copy reads back with another meaning; this is a bug in aig-route, please report it with the route"
            )),
        },
    }
}
