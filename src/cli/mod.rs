//! The `aig-route` command line: one file per subcommand behind this dispatcher.
//!
//! Exit codes: 0 success (warnings allowed), 1 the input is
//! wrong, 2 a usage error or a file that cannot be read.

mod apply;
mod cli_error;
mod common;
mod config;
mod config_error;
mod convert;
mod diff;
mod eval;
mod explain;
mod fmt;
mod graph;
mod import;
mod input;
mod numbers;
mod plan;
mod push;
mod remote;
mod sim_report;
mod simulate;
mod store;
mod test;
mod validate;
mod walk;
mod write;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use cli_error::CliError;
pub use common::Global;
pub use config_error::ConfigError;

/// Compile, validate, evaluate and simulate AI gateway dynamic routes.
#[derive(Debug, Parser)]
#[command(name = "aig-route", version, about, long_about = None)]
#[command(
    after_help = "Examples:\n  aig-route validate routes/\n  aig-route eval routes/canary.yaml --metadata '{\"plan\":\"paid\",\"user_id\":\"u1\"}'\n  aig-route simulate routes/tiers.yaml --traffic routes/tiers.traffic.jsonl --format json"
)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Validate(validate::Args),
    Convert(convert::Args),
    Diff(diff::Args),
    Eval(eval::Args),
    Fmt(fmt::Args),
    Graph(graph::Args),
    Simulate(simulate::Args),
    Test(test::Args),
    Push(push::PushArgs),
    Pull(remote::PullArgs),
    Versions(remote::VersionsArgs),
    Deploy(remote::DeployArgs),
    Rollback(remote::RollbackArgs),
    Import(import::Args),
    Plan(plan::Args),
    Apply(apply::Args),
    /// Print the JSON Schema of the YAML route format (for editors).
    #[command(
        after_help = "Example:\n  aig-route schema > route.schema.json\n\nIn VS Code (YAML extension), add to a route file:\n  # yaml-language-server: $schema=./route.schema.json"
    )]
    Schema,
    Explain(explain::Args),
    /// Print a shell completion script (bash, zsh or fish).
    Completions(explain::CompletionArgs),
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let matches = <Cli as clap::CommandFactory>::command().get_matches();
    if let Some(code) = misplaced_flags(&matches) {
        return ExitCode::from(code);
    }
    let mut cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // Commands that read no route do not depend on the project file being right.
    let reads_routes = !matches!(
        cli.command,
        Command::Explain(_) | Command::Completions(_) | Command::Schema
    );
    if reads_routes {
        if let Err(code) = cli.global.load_project() {
            return ExitCode::from(code);
        }
    }
    let code = match cli.command {
        Command::Validate(a) => validate::run(&cli.global, &a),
        Command::Convert(a) => convert::run(&cli.global, &a),
        Command::Diff(a) => diff::run(&cli.global, &a),
        Command::Eval(a) => eval::run(&cli.global, &a),
        Command::Fmt(a) => fmt::run(&cli.global, &a),
        Command::Graph(a) => graph::run(&cli.global, &a),
        Command::Simulate(a) => simulate::run(&cli.global, &a),
        Command::Test(a) => test::run(&cli.global, &a),
        Command::Push(a) => push::push(&cli.global, &a),
        Command::Pull(a) => remote::pull(&cli.global, &a),
        Command::Versions(a) => remote::versions(&cli.global, &a),
        Command::Deploy(a) => remote::deploy(&cli.global, &a),
        Command::Rollback(a) => remote::rollback(&cli.global, &a),
        Command::Import(a) => import::run(&cli.global, &a),
        Command::Plan(a) => plan::run(&cli.global, &a),
        Command::Apply(a) => apply::run(&cli.global, &a),
        Command::Explain(a) => explain::run(&cli.global, &a),
        Command::Completions(a) => explain::completions(&a),
        Command::Schema => {
            println!("{}", crate::schema::SCHEMA.trim_end());
            0
        }
    };
    ExitCode::from(code)
}

/// Flags that shape how routes are read and judged (`--allow`, `--max-*`, the
/// project file): clap offers them on every command, but the commands that
/// read no route (`pull`, `versions`, `deploy`, `rollback`, `schema`) would
/// silently ignore them, so there they are a usage error.
fn misplaced_flags(matches: &clap::ArgMatches) -> Option<u8> {
    const ROUTE_FLAGS: [(&str, &str); 9] = [
        ("allow", "--allow"),
        ("deny", "--deny"),
        ("deny_warnings", "--deny-warnings"),
        ("config", "--config"),
        ("no_config", "--no-config"),
        ("max_file_size", "--max-file-size"),
        ("max_depth", "--max-depth"),
        ("max_nodes", "--max-nodes"),
        ("max_values", "--max-values"),
    ];
    let (name, sub) = matches.subcommand()?;
    if !matches!(name, "pull" | "versions" | "deploy" | "rollback" | "schema") {
        return None;
    }
    let given = |m: &clap::ArgMatches, id: &str| {
        m.try_contains_id(id).unwrap_or(false)
            && m.value_source(id) == Some(clap::parser::ValueSource::CommandLine)
    };
    let (_, flag) = ROUTE_FLAGS
        .iter()
        .find(|(id, _)| given(matches, id) || given(sub, id))?;
    eprintln!(
        "error: `{flag}` does not apply to `aig-route {name}`, which reads no route file\n\nFor more information, try '--help'."
    );
    Some(2)
}
