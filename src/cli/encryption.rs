//! Sets up the command's state and plan encryption (`crate::encryption`)
//! before the command runs: every command that reads or writes a state or
//! plan file gets the configuration's `encryption` block (merged with
//! `TF_ENCRYPTION`); commands that will write make their key up front, so a
//! key provider that fails stops them before anything changes.

use std::path::Path;

use super::commands::{print_diags, var_args, workspace};
use super::Command;

/// Install the encryption for `cmd`; `Err(exit code)` after printing the
/// diagnostics when it is misconfigured.
pub(super) fn install(dir: &Path, cmd: &Command) -> Result<(), i32> {
    let (vars, no_color) = match cmd {
        Command::Fmt(_) | Command::Version(_) | Command::Validate(_) => return Ok(()),
        Command::Plan(a) | Command::Apply(a) | Command::Destroy(a) => {
            (var_args(&a.var, &a.var_file), a.no_color)
        }
        Command::Import(a) => (var_args(&a.var, &a.var_file), a.no_color),
        Command::Console(a) => (var_args(&a.var, &a.var_file), false),
        _ => (vec![], false),
    };
    let (enc, warnings, sources) =
        match crate::encryption::setup::from_dir(dir, &vars, &workspace(dir)) {
            Ok(x) => x,
            Err((d, sources)) => {
                print_diags(&d, &sources, no_color);
                return Err(1);
            }
        };
    print_diags(&warnings, &sources, no_color);
    // Which targets this command writes.
    let (state, plan) = match cmd {
        Command::Plan(a) => (false, a.out.is_some()),
        Command::Apply(_)
        | Command::Destroy(_)
        | Command::Import(_)
        | Command::State(_)
        | Command::Workspace(_) => (true, false),
        Command::Init(_) => (true, true),
        _ => (false, false),
    };
    for (on, target) in [(state, &enc.state), (plan, &enc.plan)] {
        if let (true, Some(t)) = (on, target) {
            if let Err(e) = t.prepare() {
                let d = crate::diag::Diagnostic::error(
                    "Unable to set up encryption",
                    format!("The {} encryption key could not be made: {e}", t.name),
                );
                print_diags(&d.into(), &sources, no_color);
                return Err(1);
            }
        }
    }
    crate::encryption::install(enc);
    Ok(())
}
