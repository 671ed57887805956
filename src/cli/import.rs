//! `aig-route import DIR`: the deployed version of every route of a gateway,
//! one file per route, so that a team that built its routes in the dashboard
//! can start keeping them in git. File names come from
//! [`crate::gitops::file_names`]; nothing is overwritten without `--force`, and
//! then only regular files; every write is atomic. `plan` on the result shows
//! no change.

use std::path::{Path, PathBuf};

use super::common::{Global, fail, write_atomic, write_atomic_new};
use super::convert::Target;
use super::remote::{Remote, report};
use crate::api::{self, ApiError};
use crate::escape::terminal;
use crate::gitops;

/// Write the deployed version of every route of a gateway into DIR.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "The token is read from CLOUDFLARE_API_TOKEN, never from an argument.\n\nExamples:\n  aig-route import routes/ --account $ACCOUNT --gateway prod\n  aig-route import routes/ --to dsl --force"
)]
pub struct Args {
    /// The directory to write into (created when missing).
    dir: PathBuf,
    #[command(flatten)]
    remote: Remote,
    /// The format of the files.
    #[arg(long, visible_alias = "format", value_enum, default_value_t = Target::Yaml)]
    to: Target,
    /// Replace files that exist (regular files only).
    #[arg(long)]
    force: bool,
}

/// One route ready to write.
struct Out {
    name: String,
    version: Option<String>,
    path: PathBuf,
    text: String,
    notes: Vec<String>,
}

/// Reads every route's deployed graph and renders it; routes that cannot be
/// read are reported and left out (the second value counts them).
fn render(g: &Global, args: &Args) -> Result<(Vec<Out>, usize), ApiError> {
    let client = args.remote.client()?;
    let mut routes = client.routes()?;
    routes.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    for w in routes.windows(2) {
        if w[0].name == w[1].name {
            eprintln!(
                "warning: the gateway has more than one route named `{}`; each gets a file, and `plan` will refuse both until one is deleted in the dashboard",
                terminal(&w[0].name)
            );
        }
    }
    let names: Vec<String> = routes.iter().map(|r| r.name.clone()).collect();
    let files = gitops::file_names(&names, args.to.extension());
    let mut out = Vec::new();
    let mut unreadable = 0;
    for (r, f) in routes.iter().zip(files) {
        let (version, graph) = gitops::deployed_graph(&client, r)?;
        let route = api::route_from_elements(&r.name, &graph)
            .map_err(|e| format!("it cannot be read: {e}"))
            .and_then(|route| {
                crate::emit::to_text(&route, args.to.format()).map_err(|e| e.to_string())
            });
        match route {
            Ok(text) => out.push(Out {
                name: r.name.clone(),
                version,
                path: args.dir.join(&f.file),
                text,
                notes: f.notes,
            }),
            Err(why) => {
                unreadable += 1;
                fail(
                    g,
                    &format!(
                        "route `{}` ({}) was not imported: {}",
                        terminal(&r.name),
                        terminal(&r.id),
                        terminal(&why)
                    ),
                );
            }
        }
    }
    Ok((out, unreadable))
}

/// Why `path` may not be written: it exists (without `--force`), or is not a
/// regular file.
fn refusal(path: &Path, force: bool) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let shown = terminal(&path.to_string_lossy()).into_owned();
    if !meta.file_type().is_file() {
        Some(format!("`{shown}` exists and is not a regular file"))
    } else if !force {
        Some(format!("`{shown}` exists; pass --force to replace it"))
    } else {
        None
    }
}

/// Whether the written route passes validation; warns when it does not.
fn warn_if_invalid(g: &Global, out: &Out, format: crate::syntax::Format) {
    let mut sources = crate::source::SourceMap::new();
    let path = out.path.to_string_lossy();
    let (_, mut checked) = crate::check::check_text(&mut sources, &path, &out.text, format);
    g.filter(&mut checked.diagnostics);
    let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        eprintln!(
            "warning: `{}` breaks {errors} of aig-route's rules (`aig-route validate {}` shows them); `plan` calls it invalid until they are fixed",
            terminal(&path),
            terminal(&path)
        );
    }
}

pub fn run(g: &Global, args: &Args) -> u8 {
    if args.dir.exists() && !args.dir.is_dir() {
        fail(
            g,
            &format!(
                "`{}` is not a directory",
                terminal(&args.dir.to_string_lossy())
            ),
        );
        return 2;
    }
    let (outs, unreadable) = match render(g, args) {
        Ok(r) => r,
        Err(e) => return report(g, &e),
    };
    let refused: Vec<String> = outs
        .iter()
        .filter_map(|o| refusal(&o.path, args.force))
        .collect();
    if !refused.is_empty() {
        for r in &refused {
            fail(g, r);
        }
        fail(g, "nothing was written");
        return 2;
    }
    if let Err(e) = std::fs::create_dir_all(&args.dir) {
        fail(
            g,
            &format!(
                "cannot create `{}`: {e}",
                terminal(&args.dir.to_string_lossy())
            ),
        );
        return 2;
    }
    for (i, o) in outs.iter().enumerate() {
        let write = if args.force {
            write_atomic
        } else {
            write_atomic_new
        };
        let shown = terminal(&o.path.to_string_lossy()).into_owned();
        if let Err(e) = write(&o.path, o.text.as_bytes()) {
            let left = outs.len() - i;
            fail(
                g,
                &format!("cannot write `{shown}`: {e}; {i} files written, {left} not"),
            );
            return 2;
        }
        let version = o
            .version
            .as_deref()
            .map(|v| format!(", version {}", terminal(v)))
            .unwrap_or_default();
        println!("wrote {shown} (`{}`{version})", terminal(&o.name));
        for n in &o.notes {
            println!("  note: {}", terminal(n));
        }
        warn_if_invalid(g, o, args.to.format());
    }
    println!(
        "imported {} route{} into {}",
        outs.len(),
        if outs.len() == 1 { "" } else { "s" },
        terminal(&args.dir.to_string_lossy())
    );
    if unreadable > 0 { 1 } else { 0 }
}
