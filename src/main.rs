//! The `herd` binary: parse the command line, run the command, map the
//! outcome to an exit code.
#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let args = herd::cli::normalize_args(std::env::args());
    let cli = match herd::cli::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    std::process::exit(herd::cli::run(cli));
}
