//! The command line: Terraform's verbs and single-dash flags
//! (`herd -chdir=DIR apply -auto-approve -var 'a=b'`).

mod commands;
mod encryption;
mod init_cmd;
mod state_cmds;
mod workspace_cmds;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use commands::run;

/// herd: infrastructure as cattle — the Terraform language for AWS, in one binary.
#[derive(Parser, Debug)]
#[command(name = "herd", version, about, disable_help_subcommand = true)]
pub struct Cli {
    /// Switch to a different working directory before executing the given subcommand.
    #[arg(long, global = false, value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Prepare the working directory (nothing to download: providers are built in).
    Init(InitArgs),
    /// Check whether the configuration is valid.
    Validate(ValidateArgs),
    /// Show changes required by the current configuration.
    Plan(PlanArgs),
    /// Create or update infrastructure.
    Apply(PlanArgs),
    /// Destroy previously-created infrastructure.
    Destroy(PlanArgs),
    /// Show the dependency graph (DOT or mermaid).
    Graph(GraphArgs),
    /// Show the current state or a saved plan.
    Show(ShowArgs),
    /// Associate an existing object with a resource address in the state.
    Import(ImportArgs),
    /// Show output values from the state.
    Output(OutputArgs),
    /// Try expressions interactively (or from standard input).
    Console(ConsoleArgs),
    /// Reformat configuration files to the canonical style.
    Fmt(FmtArgs),
    /// Show the herd version.
    Version(VersionArgs),
    /// Advanced state management.
    State(state_cmds::StateArgs),
    /// Workspace management.
    Workspace(workspace_cmds::WorkspaceArgs),
    /// Release a stuck lock on the current workspace.
    ForceUnlock(state_cmds::ForceUnlockArgs),
}

#[derive(Args, Debug, Default)]
pub struct InitArgs {
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub input: bool,
    #[arg(long)]
    pub upgrade: bool,
    /// Reconfigure the backend, ignoring any saved configuration (no state is migrated).
    #[arg(long)]
    pub reconfigure: bool,
    /// Reconfigure the backend and copy the existing state to the new one.
    #[arg(long = "migrate-state")]
    pub migrate_state: bool,
    /// Answer "yes" to the state migration questions.
    #[arg(long = "force-copy")]
    pub force_copy: bool,
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub backend: Option<String>,
    /// Backend configuration: a file of arguments, or KEY=VALUE; repeatable.
    #[arg(long = "backend-config", value_name = "KEY=VALUE")]
    pub backend_config: Vec<String>,
    #[arg(long = "no-color")]
    pub no_color: bool,
}

#[derive(Args, Debug, Default)]
pub struct ValidateArgs {
    /// Produce output in a machine-readable JSON format.
    #[arg(long)]
    pub json: bool,
    #[arg(long = "no-color")]
    pub no_color: bool,
}

/// Flags common to plan and apply.
#[derive(Args, Debug, Default)]
pub struct PlanArgs {
    /// Skip interactive approval before applying.
    #[arg(long = "auto-approve")]
    pub auto_approve: bool,
    /// Set a value for one of the input variables (NAME=VALUE); repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub var: Vec<String>,
    /// Load variable values from the given file; repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_file: Vec<String>,
    /// Ask for input for variables if not directly set.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub input: bool,
    /// Disable colour in the output.
    #[arg(long = "no-color")]
    pub no_color: bool,
    /// Return exit code 2 when the plan has changes.
    #[arg(long = "detailed-exitcode")]
    pub detailed_exitcode: bool,
    /// Write the plan to this file.
    #[arg(long = "out", value_name = "FILE")]
    pub out: Option<String>,
    /// Path of the state file.
    #[arg(long = "state", value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Don't hold a state lock.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub lock: bool,
    #[arg(long = "lock-timeout", value_name = "DURATION")]
    pub lock_timeout: Option<String>,
    /// Limit the number of concurrent operations.
    #[arg(long, default_value_t = 10)]
    pub parallelism: usize,
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub refresh: bool,
    #[arg(long = "refresh-only")]
    pub refresh_only: bool,
    #[arg(long)]
    pub destroy: bool,
    #[arg(long, value_name = "ADDRESS")]
    pub target: Vec<String>,
    #[arg(long, value_name = "ADDRESS")]
    pub replace: Vec<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
    /// A saved plan file to apply.
    pub plan_file: Option<String>,
}

#[derive(Args, Debug, Default)]
pub struct ImportArgs {
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub var: Vec<String>,
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_file: Vec<String>,
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub input: bool,
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub lock: bool,
    #[arg(long = "lock-timeout", value_name = "DURATION")]
    pub lock_timeout: Option<String>,
    #[arg(long = "state", value_name = "PATH")]
    pub state: Option<PathBuf>,
    #[arg(long = "no-color")]
    pub no_color: bool,
    /// Resource instance address, e.g. aws_vpc.main or aws_subnet.s["a"].
    pub address: String,
    /// The object's id in the provider.
    pub id: String,
}

#[derive(Args, Debug, Default)]
pub struct ShowArgs {
    /// Machine-readable output (Terraform's JSON plan / state format).
    #[arg(long)]
    pub json: bool,
    /// Write sensitive values in plain text (redacted by default, even in
    /// `-json`, where Terraform would print them).
    #[arg(long = "show-sensitive")]
    pub show_sensitive: bool,
    #[arg(long = "no-color")]
    pub no_color: bool,
    /// A saved plan file; the current state when omitted.
    pub file: Option<String>,
}

#[derive(Args, Debug, Default)]
pub struct GraphArgs {
    /// plan, apply or destroy (the resource graph is the same; destroy reverses edges).
    #[arg(long = "type", value_name = "TYPE")]
    pub ty: Option<String>,
    /// dot (default) or mermaid.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    #[arg(long = "draw-cycles")]
    pub draw_cycles: bool,
    #[arg(long)]
    pub plan: Option<String>,
}

#[derive(Args, Debug, Default)]
pub struct OutputArgs {
    /// Print the output as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print a string output's raw value, without quotes.
    #[arg(long)]
    pub raw: bool,
    #[arg(long = "no-color")]
    pub no_color: bool,
    #[arg(long = "state", value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Name of the output to show.
    pub name: Option<String>,
}

#[derive(Args, Debug, Default)]
pub struct ConsoleArgs {
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub var: Vec<String>,
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_file: Vec<String>,
    #[arg(long = "state", value_name = "PATH")]
    pub state: Option<PathBuf>,
}

#[derive(Args, Debug, Default)]
pub struct FmtArgs {
    /// List files whose formatting differs (default true).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub list: bool,
    /// Write the result to the source file (default true).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub write: bool,
    /// Display diffs of formatting changes.
    #[arg(long)]
    pub diff: bool,
    /// Check whether the input is formatted; exit 3 if not.
    #[arg(long)]
    pub check: bool,
    /// Also process files in subdirectories.
    #[arg(long)]
    pub recursive: bool,
    #[arg(long = "no-color")]
    pub no_color: bool,
    /// Files or directories ("-" for standard input).
    pub targets: Vec<String>,
}

#[derive(Args, Debug, Default)]
pub struct VersionArgs {
    #[arg(long)]
    pub json: bool,
}

/// Turn Terraform-style single-dash long flags (`-chdir=x`, `-auto-approve`)
/// into the double-dash form clap expects.
pub fn normalize_args(args: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out = vec![];
    let mut after_dd = false;
    for (i, a) in args.into_iter().enumerate() {
        if i == 0 || after_dd {
            out.push(a);
            continue;
        }
        if a == "--" {
            after_dd = true;
            out.push(a);
            continue;
        }
        if a.starts_with('-') && !a.starts_with("--") && a.len() > 2 {
            out.push(format!("-{a}"));
        } else {
            out.push(a);
        }
    }
    out
}
