//! The `aig-route` binary: a thin shell around [`aig_route::cli`].

fn main() -> std::process::ExitCode {
    aig_route::cli::main()
}
