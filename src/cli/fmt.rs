//! `aig-route fmt FILE|DIR...`: canonical layout for YAML and DSL route files.

use std::path::PathBuf;

use super::common::{Global, collect_files, fail, load, print_human, write_atomic};
use crate::source::SourceMap;
use crate::syntax::Format;

/// Rewrite route files in canonical layout, keeping their comments.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  aig-route fmt routes/\n  aig-route fmt --check routes/   # in CI: exit 1 and a diff when a file is not formatted"
)]
pub struct Args {
    /// Route files (`*.yaml`, `*.yml`, `*.route`), or directories to search.
    #[arg(required = true, value_name = "FILE|DIR")]
    files: Vec<PathBuf>,
    /// Change nothing; print a diff and exit 1 if any file is not formatted.
    #[arg(long)]
    check: bool,
}

pub fn run(g: &Global, args: &Args) -> u8 {
    let (files, walk) = collect_files(g, &args.files);
    let limits = g.limits();
    let mut sources = SourceMap::new();
    let (mut unformatted, mut failed, mut unreadable) = (0, 0, walk != 0);
    for path in &files {
        let shown = crate::escape::terminal(path);
        let loaded = load(&mut sources, path, &limits);
        if !loaded.diagnostics.is_empty() {
            print_human(&loaded.diagnostics, &sources, g);
            unreadable |= loaded.unreadable;
            failed += 1;
            continue;
        }
        if loaded.format == Format::Json {
            if !args.files.iter().any(|f| f.is_dir()) {
                eprintln!(
                    "{shown}: gateway JSON is not reformatted (convert it with `aig-route convert --to yaml`)"
                );
            }
            continue;
        }
        let formatted = match crate::fmt::format_file(&sources, loaded.id, loaded.format, &limits) {
            Ok(f) => f,
            Err(diags) => {
                print_human(&diags, &sources, g);
                failed += 1;
                continue;
            }
        };
        let original = sources.text(loaded.id);
        if formatted == original {
            if path == super::common::STDIN && !args.check {
                print!("{formatted}");
            }
            continue;
        }
        unformatted += 1;
        if args.check {
            // The diff shows the file's own lines: each made safe to show.
            print!(
                "{}",
                crate::escape::terminal_multiline(&crate::textdiff::unified(
                    original,
                    &formatted,
                    path,
                    &format!("{path} (formatted)"),
                    3
                ))
            );
        } else if path == super::common::STDIN {
            // Standard input has no file to rewrite: the formatted text goes out.
            print!("{formatted}");
        } else if let Err(e) = write_atomic(std::path::Path::new(path), formatted.as_bytes()) {
            fail(g, &format!("cannot write `{shown}`: {e}"));
            return 2;
        } else {
            eprintln!("formatted {shown}");
        }
    }
    if unreadable {
        2
    } else if failed > 0 || (args.check && unformatted > 0) {
        if args.check && unformatted > 0 {
            eprintln!(
                "{unformatted} file{} not formatted; run `aig-route fmt`",
                if unformatted == 1 { " is" } else { "s are" }
            );
        }
        1
    } else {
        0
    }
}
