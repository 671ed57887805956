//! `aig-route graph FILE --format mermaid|dot`: the route as a diagram.

use std::path::PathBuf;

use clap::ValueEnum;

use super::common::{Global, load_valid};
use crate::source::SourceMap;

/// Draw a route: Mermaid (paste into a pull request inside a ```mermaid block) or DOT.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  aig-route graph routes/tiers.yaml                     # Mermaid\n  aig-route graph routes/tiers.yaml --format dot > tiers.dot   # then: dot -Tsvg tiers.dot > tiers.svg"
)]
pub struct Args {
    /// The route file.
    file: PathBuf,
    /// Diagram language.
    #[arg(long, value_enum, default_value_t = Kind::Mermaid)]
    format: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Kind {
    /// Mermaid flowchart (GitHub renders it in Markdown).
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

pub fn run(g: &Global, args: &Args) -> u8 {
    let mut sources = SourceMap::new();
    let path = args.file.to_string_lossy().into_owned();
    let (parsed, _) = match load_valid(&mut sources, &path, g, false, "fix them before drawing it")
    {
        Ok(p) => p,
        Err(code) => return code,
    };
    match args.format {
        Kind::Mermaid => print!("{}", crate::emit::to_mermaid(&parsed.route)),
        Kind::Dot => print!("{}", crate::emit::to_dot(&parsed.route)),
    }
    0
}
