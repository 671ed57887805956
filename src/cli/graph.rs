//! `aig-route graph FILE --format mermaid|dot`: the route as a diagram.

use std::path::PathBuf;

use clap::ValueEnum;

use super::common::{Global, fail, load_and_check, print_human};
use crate::source::SourceMap;

/// Draw a route: Mermaid (paste into a pull request inside a ```mermaid block) or DOT.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  aig-route graph routes/tiers.yaml                     # Mermaid\n  aig-route graph routes/tiers.yaml --format dot | dot -Tsvg > tiers.svg"
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
    let (loaded, checked) = load_and_check(&mut sources, &path, g);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    print_human(&errors, &sources, g);
    if loaded.unreadable {
        return 2;
    }
    let Some(parsed) = checked.parsed.as_ref().filter(|_| errors.is_empty()) else {
        fail(
            g,
            &format!("`{path}` has errors; fix them before drawing it"),
        );
        return 1;
    };
    match args.format {
        Kind::Mermaid => print!("{}", crate::emit::to_mermaid(&parsed.route)),
        Kind::Dot => print!("{}", crate::emit::to_dot(&parsed.route)),
    }
    0
}
