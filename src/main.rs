//! The `herd` binary: parse the command line, run the command, map the
//! outcome to an exit code.
#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    // Writing to a closed pipe (`herd show -json | head`) ends the process
    // quietly, as it does for Terraform, instead of reporting a panic.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(|s| s.as_str())
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
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
