//! `herd init`: checks the providers (built in), then initialises the
//! backend as Terraform does — the `backend` block merged with
//! `-backend-config`, recorded in `.terraform/terraform.tfstate`; when the
//! backend changes, the existing workspaces' state is copied to the new one
//! (`-migrate-state`, `-force-copy`) or left behind (`-reconfigure`).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use super::commands::print_diags;
use super::state_cmds::error_box;
use super::InitArgs;
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine;
use crate::state::backend::{self, Block, Saved};
use crate::state::mgr::{Backend, Local};
use crate::state::State;

pub fn init(dir: &Path, a: InitArgs) -> i32 {
    // Terraform's order of headings: the backend, then modules, then providers.
    println!("\nInitializing the backend...");
    if !init_modules(dir, &a) {
        return 1;
    }
    let (loaded, diags) = engine::load(dir);
    print_diags(&diags, &loaded.sources, a.no_color);
    if diags.has_errors() {
        return 1;
    }
    for (name, src) in &loaded.root.terraform.required_providers {
        let ok = name == "aws"
            || src.as_deref().is_some_and(|s| s.ends_with("/aws"))
            || crate::providers::builtin::builtin_provider(name, src.as_deref()).is_some();
        if !ok {
            let built_in: Vec<&str> = crate::providers::builtin::BUILTIN_PROVIDERS
                .iter()
                .map(|p| p.name)
                .collect();
            eprintln!(
                "Error: Unsupported provider\n\n  herd has the providers \"aws\", \"{}\" built in; provider {name:?} ({}) is not available. Remove it from required_providers or replace its resources.",
                built_in.join("\", \""),
                src.clone().unwrap_or_default()
            );
            return 1;
        }
    }
    let lock = crate::lockfile::check(dir);
    print_diags(&lock, &loaded.sources, a.no_color);
    if lock.has_errors() {
        return 1;
    }
    let _ = std::fs::create_dir_all(backend::data_dir(dir));
    if a.backend.as_deref() != Some("false") {
        if let Err(d) = init_backend(dir, &a) {
            print_diags(&d, &loaded.sources, a.no_color);
            return 1;
        }
    }
    println!("\nInitializing provider plugins...\n- aws (hashicorp/aws v{}), terraform and the utility providers (random, null, time, local, archive, template, external) are built into herd; nothing to download.\n\nherd has been successfully initialized!\n\nYou may now begin working with herd. Try running \"herd plan\" to see\nany changes that are required for your infrastructure.", crate::version::AWS_PROVIDER_VERSION);
    0
}

/// `init`'s module step: install the modules the configuration calls
/// (`src/modules`), printing Terraform's progress lines. False on errors.
fn init_modules(dir: &Path, a: &InitArgs) -> bool {
    let sources = crate::diag::Sources::default();
    let mut out = std::io::stdout();
    let opts = crate::modules::InstallOptions { upgrade: a.upgrade };
    let diags = crate::modules::install(dir, &opts, &sources, &mut out);
    print_diags(&diags, &sources, a.no_color);
    !diags.has_errors()
}

fn err(summary: &str, detail: impl Into<String>) -> Diagnostics {
    Diagnostics(vec![Diagnostic::error(summary, detail)])
}

/// The backend the configuration asks for (`None`: the implicit local one).
fn wanted(
    dir: &Path,
    tf: &crate::config::TerraformSettings,
    a: &InitArgs,
) -> Result<Option<Saved>, Diagnostics> {
    let one = |d: Diagnostic| Diagnostics(vec![d]);
    let Some(b) = Block::of(tf) else {
        if !a.backend_config.is_empty() {
            return Err(err("Missing backend configuration", "-backend-config was used without a \"backend\" block in the configuration.\n\nIf you intended to override the default local backend configuration,\nno action is required, but you may add an explicit backend block to your\nconfiguration to clear this warning:\n\nterraform {\n  backend \"local\" {}\n}"));
        }
        return Ok(None);
    };
    let (args, hash) = b.config().map_err(one)?;
    let over = backend::overrides(dir, &a.backend_config).map_err(one)?;
    let config = backend::merge(b.ty, args, over).map_err(|d| one(d.at(b.range.clone())))?;
    Ok(Some(Saved {
        ty: b.ty.to_string(),
        config,
        hash,
    }))
}

fn open(dir: &Path, s: Option<&Saved>) -> Result<Box<dyn Backend>, Diagnostics> {
    match s {
        None => Ok(Box::new(Local::new(dir, None, None))),
        Some(s) => backend::instantiate(dir, &s.ty, &s.config).map_err(|d| Diagnostics(vec![d])),
    }
}

fn name(s: Option<&Saved>) -> String {
    s.map(|s| s.ty.clone()).unwrap_or_else(|| "local".into())
}

fn is_empty(s: &Option<State>) -> bool {
    s.as_ref()
        .is_none_or(|s| s.resources.is_empty() && s.outputs.is_empty())
}

/// Ask a yes/no question the way Terraform does; `-input=false` (or no
/// terminal and nothing on stdin) is an answer of no.
fn ask(a: &InitArgs, question: &str, detail: &str) -> bool {
    if !a.input {
        return false;
    }
    println!("{question}\n{detail}\n");
    print!("  Enter a value: ");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    println!();
    line.trim() == "yes"
}

fn init_backend(dir: &Path, a: &InitArgs) -> Result<(), Diagnostics> {
    let (loaded, _) = engine::load(dir);
    let new = wanted(dir, &loaded.root.terraform, a)?;
    let saved =
        backend::read_saved(dir).map_err(|e| err("Failed to read the backend record", e))?;
    let same = match (&saved, &new) {
        (Some(s), Some(n)) => s.ty == n.ty && s.config == n.config,
        (None, None) => true,
        _ => false,
    };
    let dst = open(dir, new.as_ref())?;
    // Reaching the backend at init, as Terraform does (the bucket exists,
    // the credentials work).
    let dst_ws = dst
        .workspaces()
        .map_err(|e| err("Failed to get existing workspaces", format!("{e}")))?;
    if !same && !a.reconfigure {
        let old_unsupported = saved
            .as_ref()
            .is_some_and(|s| !backend::IMPLEMENTED.contains(&s.ty.as_str()));
        if old_unsupported {
            return Err(Diagnostics(vec![backend::unsupported(
                &saved.as_ref().map(|s| s.ty.clone()).unwrap_or_default(),
                None,
            )]));
        }
        let src = open(dir, saved.as_ref())?;
        migrate(dir, a, &*src, saved.as_ref(), &*dst, new.as_ref(), &dst_ws)?;
    }
    backend::write_saved(dir, new.as_ref())
        .map_err(|e| err("Failed to save the backend configuration", e))?;
    if let Some(n) = &new {
        if !same {
            println!("\nSuccessfully configured the backend {:?}! herd will automatically\nuse this backend unless the backend configuration changes.", n.ty);
        }
    }
    Ok(())
}

/// Copy every non-empty workspace of `src` to `dst`.
fn migrate(
    dir: &Path,
    a: &InitArgs,
    src: &dyn Backend,
    src_cfg: Option<&Saved>,
    dst: &dyn Backend,
    dst_cfg: Option<&Saved>,
    dst_ws: &[String],
) -> Result<(), Diagnostics> {
    let (from, to) = (name(src_cfg), name(dst_cfg));
    let fail = |e: String| err("Error migrating the workspace states", e);
    let mut states = vec![];
    for ws in src.workspaces().map_err(|e| fail(e.to_string()))? {
        let m = src.state_mgr(&ws);
        let s = m.read().map_err(|e| fail(e.to_string()))?;
        if !is_empty(&s) {
            states.push((ws, m, s));
        }
    }
    if states.is_empty() {
        return Ok(());
    }
    if src_cfg.is_some() && !(a.migrate_state || a.force_copy) {
        return Err(err("Backend configuration changed", format!("A change in the backend configuration has been detected, which may require\nmigrating existing state.\n\nIf you wish to attempt automatic migration of the state, use \"herd init\n-migrate-state\".\nIf you wish to store the current configuration with no changes to the state,\nuse \"herd init -reconfigure\".\n\n(from the {from:?} backend to the {to:?} backend)")));
    }
    if !a.force_copy {
        let ok = ask(
            a,
            "Do you want to copy existing state to the new backend?",
            &format!("  Pre-existing state was found while migrating the previous {from:?} backend to the\n  newly configured {to:?} backend. Do you want to copy this state to the new\n  {to:?} backend? Enter \"yes\" to copy and \"no\" to start with an empty state."),
        );
        if !ok {
            if src_cfg.is_some() || !a.input {
                return Err(err("Migration cancelled", format!("The state was not copied from the {from:?} backend to the {to:?} backend, and\nnothing was changed. Run \"herd init -force-copy\" to copy it without asking,\nor \"herd init -reconfigure\" to leave it behind.")));
            }
            return Ok(());
        }
    }
    for (ws, m, s) in &states {
        let Some(s) = s else { continue };
        let d = dst.state_mgr(ws);
        let _lock = d
            .lock("migration destination state", std::time::Duration::ZERO)
            .map_err(|e| fail(e.to_string()))?;
        let existing = d.read().map_err(|e| fail(e.to_string()))?;
        if !is_empty(&existing)
            && existing.as_ref().is_some_and(|e| !e.same_content(s))
            && !a.force_copy
        {
            let ok = ask(a, "Do you want to overwrite the state in the new backend with the previous state?", &format!("  Pre-existing state was found while migrating the previous {from:?} backend to the\n  newly configured {to:?} backend. An existing non-empty state already exists in\n  the new backend (workspace {ws:?}). Enter \"yes\" to overwrite it."));
            if !ok {
                return Err(err(
                    "Migration cancelled",
                    format!(
                        "The existing state of workspace {ws:?} in the {to:?} backend was kept."
                    ),
                ));
            }
        }
        if !dst_ws.contains(ws) {
            dst.create_workspace(ws).map_err(|e| fail(e.to_string()))?;
        }
        d.write(s).map_err(|e| fail(e.to_string()))?;
        println!(
            "Copied the state of workspace {ws:?} from {} to {}.",
            m.describe(),
            d.describe()
        );
    }
    // Like Terraform, a migrated local state is emptied (its backup kept),
    // so that it cannot be used by mistake.
    if src.kind() == "local" {
        let cfg = src_cfg.map(|s| s.config.clone()).unwrap_or_default();
        let get = |k: &str| cfg.get(k).and_then(|v| v.as_str());
        let local = Local::new(dir, get("path"), get("workspace_dir"));
        for (ws, _, _) in &states {
            let p = local.state_path(ws);
            let backup = PathBuf::from(format!("{}.backup", p.display()));
            let r = std::fs::copy(&p, &backup).and_then(|_| std::fs::write(&p, b""));
            if let Err(e) = r {
                error_box(
                    "Failed to empty the migrated local state",
                    &format!("{}: {e}", p.display()),
                );
            }
        }
    }
    Ok(())
}
