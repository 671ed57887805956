//! `aig-route explain [CODE]`: the long form of a diagnostic code, or the list of
//! every code; and `aig-route completions SHELL`.

use clap::{CommandFactory, ValueEnum};

use super::common::{Global, fail};
use crate::diagnostic::{Code, did_you_mean};

/// Explain a diagnostic code: what it means, an example and the fix.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  aig-route explain W0609\n  aig-route explain            # every code, one line each"
)]
pub struct Args {
    /// The code, such as `E0204` or `w0609`; without it, every code is listed.
    #[arg(value_name = "CODE")]
    code: Option<String>,
}

pub fn run(g: &Global, args: &Args) -> u8 {
    let kind = |c: Code| if c.is_warning() { "warning" } else { "error" };
    let Some(text) = &args.code else {
        let list: String = Code::ALL
            .iter()
            .map(|&c| format!("{c}  {:<7}  {}\n", kind(c), c.summary()))
            .collect();
        return emit(list.as_bytes());
    };
    let Some(code) = Code::parse(text) else {
        let hint = did_you_mean(
            &text.trim().to_ascii_uppercase(),
            Code::ALL.iter().map(|c| c.as_str()),
        )
        .map(|h| format!("; {h}"))
        .unwrap_or_else(|| "; `aig-route explain` lists them".into());
        fail(
            g,
            &format!(
                "`{}` is not a diagnostic code{hint}",
                crate::escape::terminal(text)
            ),
        );
        return 2;
    };
    let e = code.explain();
    let indent = |s: &str| s.lines().map(|l| format!("    {l}\n")).collect::<String>();
    let mut out = format!(
        "{code} ({}): {}\n\n{}\n\nExample:\n{}\nFix: {}\n",
        kind(code),
        code.summary(),
        e.what,
        indent(e.example),
        e.fix
    );
    if code.is_warning() {
        out.push_str(&format!("\nSilence it with `--allow {code}`, `allow = [\"{code}\"]` in aig-route.toml, or `# aig-route: allow {code}` on the node; make it fail with `--deny {code}`.\n"));
    }
    emit(out.as_bytes())
}

/// The shells completions are written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
}

/// Print a shell completion script.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  aig-route completions bash > ~/.local/share/bash-completion/completions/aig-route\n  aig-route completions zsh > ~/.zfunc/_aig-route\n  aig-route completions fish > ~/.config/fish/completions/aig-route.fish"
)]
pub struct CompletionArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: Shell,
}

pub fn completions(args: &CompletionArgs) -> u8 {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut cmd = super::Cli::command();
    // Into memory first: the generator panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "aig-route", &mut script);
    emit(&script)
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn emit(bytes: &[u8]) -> u8 {
    use std::io::Write;
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => 1,
        _ => 0,
    }
}
