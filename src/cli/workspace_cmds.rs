//! `herd workspace new|select|list|show|delete`: the workspaces of the
//! configured backend (local: `terraform.tfstate.d/<name>/terraform.tfstate`;
//! s3: `env:/<name>/<key>`), the current one recorded in
//! `.terraform/environment`, `TF_WORKSPACE` overriding it.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::commands::{backend, workspace};
use super::state_cmds::{error_box, go_quote, take_lock, LockArgs};
use crate::state;
use crate::state::mgr::Backend;

#[derive(Args, Debug)]
pub struct WorkspaceArgs {
    #[command(subcommand)]
    pub command: WorkspaceCommand,
}

#[derive(Subcommand, Debug)]
pub enum WorkspaceCommand {
    /// Create a new workspace.
    New(NewArgs),
    /// Select a workspace.
    Select(SelectArgs),
    /// List workspaces.
    List(ListArgs),
    /// Show the name of the current workspace.
    Show(ShowArgs),
    /// Delete a workspace.
    Delete(DeleteArgs),
}

#[derive(Args, Debug)]
pub struct NewArgs {
    #[command(flatten)]
    pub lock: LockArgs,
    /// Copy an existing state file into the new workspace.
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct SelectArgs {
    /// Create the workspace if it doesn't exist.
    #[arg(long = "or-create")]
    pub or_create: bool,
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {}

#[derive(Args, Debug)]
pub struct ShowArgs {}

#[derive(Args, Debug)]
pub struct DeleteArgs {
    /// Delete even if the workspace still tracks resources.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub lock: LockArgs,
    pub args: Vec<String>,
}

pub fn run(dir: &Path, a: WorkspaceArgs) -> i32 {
    match a.command {
        WorkspaceCommand::New(a) => new(dir, a),
        WorkspaceCommand::Select(a) => select(dir, a),
        WorkspaceCommand::List(_) => list(dir),
        WorkspaceCommand::Show(_) => {
            println!("{}", workspace(dir));
            0
        }
        WorkspaceCommand::Delete(a) => delete(dir, a),
    }
}

const DEFAULT: &str = "default";

fn overridden() -> bool {
    std::env::var("TF_WORKSPACE").is_ok_and(|w| !w.is_empty())
}

/// Terraform's rule: the name must survive URL path escaping unchanged.
fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '-' | '_' | '.' | '~' | '$' | '&' | '+' | ',' | ':' | ';' | '=' | '@'
                )
        })
}

fn invalid_name(n: &str) -> i32 {
    eprintln!("\nThe workspace name {} is not allowed. The name must contain only URL safe\ncharacters, contain no path separators, and not be an empty string.\n", go_quote(n));
    1
}

/// The backend's workspaces (its error printed).
fn workspaces(b: &dyn Backend) -> Result<Vec<String>, i32> {
    b.workspaces().map_err(|e| {
        error_box("Failed to get configured named states", &e.to_string());
        1
    })
}

fn set_current(dir: &Path, name: &str) -> Result<(), i32> {
    let d = dir.join(".terraform");
    let r = std::fs::create_dir_all(&d)
        .and_then(|_| std::fs::write(d.join("environment"), name.as_bytes()));
    r.map_err(|e| {
        eprintln!("Failed to set the workspace: {e}");
        1
    })
}

fn one_name(args: &[String]) -> Result<String, i32> {
    if args.len() != 1 {
        eprintln!("Expected a single argument: NAME.\n");
        return Err(1);
    }
    Ok(args[0].clone())
}

fn new(dir: &Path, a: NewArgs) -> i32 {
    let name = match one_name(&a.args) {
        Ok(n) => n,
        Err(c) => return c,
    };
    if !valid_name(&name) {
        return invalid_name(&name);
    }
    if overridden() && workspace(dir) != name {
        eprintln!("\nThe workspace is currently overridden using the TF_WORKSPACE environment\nvariable. You cannot create a new workspace when using this setting.\n\nTo create a new workspace, either unset this environment variable or update it\nto match the workspace name you are trying to create, and then run this command\nagain.");
        return 1;
    }
    let b = match backend(dir) {
        Ok(b) => b,
        Err(c) => return c,
    };
    match workspaces(&*b) {
        Ok(ws) if ws.contains(&name) => {
            eprintln!("Workspace {} already exists", go_quote(&name));
            return 1;
        }
        Ok(_) => {}
        Err(c) => return c,
    }
    if let Err(e) = b.create_workspace(&name) {
        eprintln!("Failed to create workspace {}: {e}", go_quote(&name));
        return 1;
    }
    if let Err(c) = set_current(dir, &name) {
        return c;
    }
    println!("Created and switched to workspace {}!\n\nYou're now on a new, empty workspace. Workspaces isolate their state,\nso if you run \"herd plan\" herd will not see any existing state\nfor this configuration.", go_quote(&name));
    let Some(src) = &a.state else { return 0 };
    let mgr = b.state_mgr(&name);
    let _guard = match take_lock(&*mgr, &a.lock, "workspace-new") {
        Ok(g) => g,
        Err(c) => return c,
    };
    let st = match state::read(src) {
        Ok(Some(s)) => s,
        Ok(None) => {
            eprintln!("No state file was found at {}", src.display());
            return 1;
        }
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    if let Err(e) = mgr.persist(None, st) {
        eprintln!("{e}");
        return 1;
    }
    0
}

fn select(dir: &Path, a: SelectArgs) -> i32 {
    let name = match one_name(&a.args) {
        Ok(n) => n,
        Err(c) => return c,
    };
    if overridden() {
        eprintln!("\nThe selected workspace is currently overridden using the TF_WORKSPACE\nenvironment variable.\n\nTo select a new workspace, either update this environment variable or unset\nit and then run this command again.");
        return 1;
    }
    if !valid_name(&name) {
        return invalid_name(&name);
    }
    if name == workspace(dir) {
        return 0;
    }
    let b = match backend(dir) {
        Ok(b) => b,
        Err(c) => return c,
    };
    let ws = match workspaces(&*b) {
        Ok(ws) => ws,
        Err(c) => return c,
    };
    if !ws.contains(&name) {
        if a.or_create {
            if let Err(e) = b.create_workspace(&name) {
                eprintln!("Failed to create workspace {}: {e}", go_quote(&name));
                return 1;
            }
        } else {
            eprintln!("Workspace {} doesn't exist.\n\nYou can create this workspace with the \"new\" subcommand \nor include the \"-or-create\" flag with the \"select\" subcommand.", go_quote(&name));
            return 1;
        }
    }
    if let Err(c) = set_current(dir, &name) {
        return c;
    }
    println!("Switched to workspace {}.", go_quote(&name));
    0
}

fn list(dir: &Path) -> i32 {
    let cur = workspace(dir);
    let ws = match backend(dir).and_then(|b| workspaces(&*b)) {
        Ok(ws) => ws,
        Err(c) => return c,
    };
    let mut out = String::new();
    for w in ws {
        out.push_str(if w == cur { "* " } else { "  " });
        out.push_str(&w);
        out.push('\n');
    }
    println!("{out}");
    if overridden() {
        println!("\nThe active workspace is being overridden using the TF_WORKSPACE environment\nvariable.");
    }
    0
}

fn delete(dir: &Path, a: DeleteArgs) -> i32 {
    let name = match one_name(&a.args) {
        Ok(n) => n,
        Err(c) => return c,
    };
    if !valid_name(&name) {
        return invalid_name(&name);
    }
    let b = match backend(dir) {
        Ok(b) => b,
        Err(c) => return c,
    };
    let ws = match workspaces(&*b) {
        Ok(ws) => ws,
        Err(c) => return c,
    };
    if !ws.contains(&name) {
        eprintln!("Workspace {} doesn't exist.\n\nYou can create this workspace with the \"new\" subcommand \nor include the \"-or-create\" flag with the \"select\" subcommand.", go_quote(&name));
        return 1;
    }
    if name == workspace(dir) {
        eprintln!("Workspace {} is your active workspace.\n\nYou cannot delete the currently active workspace. Please switch\nto another workspace and try again.", go_quote(&name));
        return 1;
    }
    let mgr = b.state_mgr(&name);
    let guard = match take_lock(&*mgr, &a.lock, "workspace-delete") {
        Ok(g) => g,
        Err(c) => return c,
    };
    let st = match mgr.read() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let tracked: Vec<String> = st
        .as_ref()
        .map(|s| {
            let mut v = vec![];
            for r in s.resources.iter().filter(|r| r.mode == "managed") {
                let module = r.module.as_deref().filter(|m| !m.is_empty());
                for i in &r.instances {
                    let key = i
                        .index_key
                        .as_ref()
                        .and_then(crate::addrs::InstanceKey::from_json)
                        .map(|k| k.to_string())
                        .unwrap_or_default();
                    let mut addr = match module {
                        Some(m) => format!("{m}.{}.{}{key}", r.ty, r.name),
                        None => format!("{}.{}{key}", r.ty, r.name),
                    };
                    if let Some(d) = &i.deposed {
                        addr.push_str(&format!(" (deposed object {d})"));
                    }
                    v.push(addr);
                }
            }
            v
        })
        .unwrap_or_default();
    let has_resources = !tracked.is_empty();
    if has_resources && !a.force {
        drop(guard);
        let list: String = tracked.iter().map(|a| format!("\n  - {a}")).collect();
        error_box("Workspace is not empty", &format!("Workspace {} is currently tracking the following resource instances:{list}\n\nDeleting this workspace would cause herd to lose track of any associated\nremote objects, which would then require you to delete them manually\noutside of herd. You should destroy these objects with herd before deleting\nthe workspace.\n\nIf you want to delete this workspace anyway, and have herd forget about\nthese managed objects, use the -force option to disable this safety check.", go_quote(&name)));
        return 1;
    }
    if name == DEFAULT {
        drop(guard);
        eprintln!("cannot delete default state");
        return 1;
    }
    let deleted = b.delete_workspace(&name);
    drop(guard);
    if let Err(e) = deleted {
        eprintln!("error deleting workspace {}: {e}", go_quote(&name));
        return 1;
    }
    println!("Deleted workspace {}!", go_quote(&name));
    if has_resources {
        println!("WARNING: {} was non-empty.\nThe resources managed by the deleted workspace may still exist,\nbut are no longer manageable by herd since the state has\nbeen deleted.", go_quote(&name));
    }
    0
}
