//! Command implementations: arguments → engine → view.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Cli, Command, ConsoleArgs, OutputArgs, PlanArgs, ValidateArgs};
use crate::diag::{render, Diagnostics, Sources};
use crate::engine::{self, vars::VarArg, RunOptions};
use crate::lang::json::to_json_pretty;
use crate::lang::render::{render as render_value, type_json};
use crate::lang::value::Value;
use crate::state::{OutputState, State};

/// Run a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    if let Some(dir) = &cli.chdir {
        if let Err(e) = std::env::set_current_dir(dir) {
            eprintln!("Error handling -chdir option: chdir {}: {e}", dir.display());
            return 1;
        }
    }
    let dir = PathBuf::from(".");
    if let Err(code) = super::encryption::install(&dir, &cli.command) {
        return code;
    }
    match cli.command {
        Command::Init(a) => super::init_cmd::init(&dir, a),
        Command::Validate(a) => validate(&dir, a),
        Command::Plan(a) => plan_apply(&dir, a, false),
        Command::Apply(a) => plan_apply(&dir, a, true),
        Command::Destroy(mut a) => {
            a.destroy = true;
            plan_apply(&dir, a, true)
        }
        Command::Graph(a) => graph_cmd(&dir, a),
        Command::Show(a) => show(&dir, a),
        Command::Import(a) => import_cmd(&dir, a),
        Command::Output(a) => output(&dir, a),
        Command::Console(a) => console(&dir, a),
        Command::Fmt(a) => super::commands::fmt_cmd(&dir, a),
        Command::State(a) => super::state_cmds::run(&dir, a),
        Command::Workspace(a) => super::workspace_cmds::run(&dir, a),
        Command::ForceUnlock(a) => super::state_cmds::force_unlock(&dir, a),
        Command::Version(a) => {
            if a.json {
                println!(
                    "{}",
                    serde_json::json!({"terraform_version": crate::state::TERRAFORM_VERSION, "herd_version": env!("CARGO_PKG_VERSION"), "platform": platform(), "provider_selections": {"registry.terraform.io/hashicorp/aws": crate::version::AWS_PROVIDER_VERSION}, "terraform_outdated": false})
                );
            } else {
                println!("herd v{}\non {}", env!("CARGO_PKG_VERSION"), platform());
                println!(
                    "(Terraform language v{} compatible; built-in providers: hashicorp/aws v{} schemas, terraform)",
                    crate::state::TERRAFORM_VERSION,
                    crate::version::AWS_PROVIDER_VERSION
                );
            }
            0
        }
    }
}

fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        a => a,
    };
    format!("{}_{}", std::env::consts::OS, arch)
}

fn color_enabled(no_color: bool) -> bool {
    !no_color && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

pub(super) fn print_diags(d: &Diagnostics, sources: &Sources, no_color: bool) {
    if d.is_empty() {
        return;
    }
    let color = !no_color && std::io::stderr().is_terminal();
    let text = render(d, sources, color);
    if !text.is_empty() {
        eprint!("{text}");
    }
}

pub(super) fn workspace(dir: &Path) -> String {
    if let Ok(w) = std::env::var("TF_WORKSPACE") {
        if !w.is_empty() {
            return w;
        }
    }
    std::fs::read_to_string(dir.join(".terraform/environment"))
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".into())
}

/// The backend the configuration in `dir` uses (the one `herd init`
/// recorded); its error is printed.
pub(super) fn backend(dir: &Path) -> Result<Box<dyn crate::state::mgr::Backend>, i32> {
    let (loaded, _) = engine::load(dir);
    crate::state::backend::select(dir, &loaded.root.terraform).map_err(|d| {
        print_diags(&Diagnostics(vec![d]), &loaded.sources, false);
        1
    })
}

/// The state of the current workspace (`-state PATH`: that local file).
pub(super) fn state_mgr(
    dir: &Path,
    explicit: &Option<PathBuf>,
) -> Result<Arc<dyn crate::state::mgr::StateMgr>, i32> {
    let b = backend(dir)?;
    if let Some(p) = explicit {
        return Ok(Arc::new(crate::state::mgr::LocalState { path: p.clone() }));
    }
    Ok(b.state_mgr(&workspace(dir)))
}

fn load_state(m: &dyn crate::state::mgr::StateMgr) -> Result<Option<State>, i32> {
    m.read().map_err(|e| {
        eprintln!("╷\n│ Error: Failed to load state\n│ \n│ {e}\n╵");
        1
    })
}

pub(super) fn var_args(vars: &[String], files: &[String]) -> Vec<VarArg> {
    // clap separates the two lists; keep files first then vars as a fair
    // approximation of command-line order, then restore the real order from argv.
    let argv: Vec<String> = std::env::args().collect();
    let mut out = vec![];
    let (mut vi, mut fi) = (0, 0);
    let mut i = 0;
    while i < argv.len() {
        let a = argv[i].trim_start_matches('-');
        if (a == "var" || a.starts_with("var=")) && vi < vars.len() {
            out.push(VarArg::Var(vars[vi].clone()));
            vi += 1;
        } else if (a == "var-file" || a.starts_with("var-file=")) && fi < files.len() {
            out.push(VarArg::File(files[fi].clone()));
            fi += 1;
        }
        i += 1;
    }
    out.extend(vars[vi..].iter().cloned().map(VarArg::Var));
    out.extend(files[fi..].iter().cloned().map(VarArg::File));
    out
}

fn validate(dir: &Path, a: ValidateArgs) -> i32 {
    let opts = RunOptions {
        validate_only: true,
        workspace: workspace(dir),
        ..Default::default()
    };
    let (loaded, mut ev) = engine::evaluate(dir, &opts);
    if !ev.diags.has_errors() {
        ev.diags.extend(engine::check_schemas(&loaded.root));
    }
    let errors = ev.diags.0.iter().filter(|d| d.is_error()).count();
    let warnings = ev.diags.0.len() - errors;
    if a.json {
        let diags: Vec<serde_json::Value> = ev
            .diags
            .0
            .iter()
            .map(|d| {
                let mut j = serde_json::json!({
                    "severity": if d.is_error() { "error" } else { "warning" },
                    "summary": d.summary,
                    "detail": d.detail,
                });
                if let Some(r) = &d.range {
                    if let Some(t) = loaded.sources.get(&r.file) {
                        let (sl, sc) = crate::diag::line_col(&t, r.start);
                        let (el, ec) = crate::diag::line_col(&t, r.end);
                        j["range"] = serde_json::json!({"filename": r.file.to_string(), "start": {"line": sl, "column": sc, "byte": r.start}, "end": {"line": el, "column": ec, "byte": r.end}});
                    }
                }
                j
            })
            .collect();
        let out = serde_json::json!({"format_version": "1.0", "valid": errors == 0, "error_count": errors, "warning_count": warnings, "diagnostics": diags});
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return if errors == 0 { 0 } else { 1 };
    }
    print_diags(&ev.diags, &loaded.sources, a.no_color);
    if errors > 0 {
        return 1;
    }
    println!("Success! The configuration is valid.");
    0
}

#[allow(dead_code)]
fn output_state_map(outputs: &BTreeMap<String, Value>) -> BTreeMap<String, OutputState> {
    outputs
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let mut s = String::new();
            let plain = v.clone().unmark_deep();
            crate::lang::json::to_json_pretty(&plain, 0, &mut s);
            let value: serde_json::Value =
                serde_json::from_str(&s).unwrap_or(serde_json::Value::Null);
            (
                k.clone(),
                OutputState {
                    value,
                    ty: type_json(&v.ty()),
                    sensitive: v.deep_sensitive(),
                },
            )
        })
        .collect()
}

fn parse_targets(list: &[String]) -> Result<Vec<crate::addrs::Target>, String> {
    list.iter()
        .map(|t| t.parse::<crate::addrs::Target>().map_err(|e| e.to_string()))
        .collect()
}

fn plan_apply(dir: &Path, a: PlanArgs, apply: bool) -> i32 {
    if apply {
        if let Some(pf) = a.plan_file.clone() {
            return apply_saved(dir, a, &pf);
        }
    }
    let color = color_enabled(a.no_color);
    let mgr = match state_mgr(dir, &a.state) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let la = super::state_cmds::LockArgs {
        lock: a.lock,
        lock_timeout: a.lock_timeout.clone().unwrap_or_else(|| "0s".into()),
    };
    let _lock = match super::state_cmds::take_lock(
        &*mgr,
        &la,
        if apply {
            "OperationTypeApply"
        } else {
            "OperationTypePlan"
        },
    ) {
        Ok(g) => g,
        Err(code) => return code,
    };
    let prior = match load_state(&*mgr) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let targets = match parse_targets(&a.target) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("╷\n│ Error: Invalid target address\n│ \n│ {e}\n╵");
            return 1;
        }
    };
    let replace: Vec<crate::addrs::AbsResourceInstance> = match a
        .replace
        .iter()
        .map(|r| r.parse())
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("╷\n│ Error: Invalid replace address\n│ \n│ {e}\n╵");
            return 1;
        }
    };
    let opts = RunOptions {
        vars: var_args(&a.var, &a.var_file),
        input: a.input,
        workspace: workspace(dir),
        validate_only: false,
    };
    let session = match engine::prepare(dir, &opts) {
        Ok(s) => s,
        Err((sources, d)) => {
            print_diags(&d, &sources, a.no_color);
            return 1;
        }
    };
    print_diags(&session.warnings, &session.loaded.sources, a.no_color);
    let prior_state = prior.clone().unwrap_or_default();
    let popts = engine::plan::PlanOptions {
        targets,
        replace,
        destroy: a.destroy,
        refresh: a.refresh,
        refresh_only: a.refresh_only,
    };
    let (plan, diags) = session.plan(&prior_state, popts);
    print_diags(&diags, &session.loaded.sources, a.no_color);
    if diags.has_errors() {
        return 1;
    }
    print!(
        "{}",
        crate::plan::render::render_plan(
            &plan,
            &crate::plan::render::RenderOpts {
                color,
                ..Default::default()
            }
        )
    );
    let changed = plan.has_changes();
    if let Some(out) = &a.out {
        let extra = crate::plan::file::PlanFileExtra {
            lineage: prior
                .as_ref()
                .map(|s| s.lineage.clone())
                .unwrap_or_default(),
            serial: prior.as_ref().map(|s| s.serial).unwrap_or(0),
            config_files: engine::config_snapshot(dir),
            variables: Default::default(),
            targets: a.target.clone(),
            replace: a.replace.clone(),
        };
        if let Err(e) = crate::plan::file::write_plan_file(Path::new(out), &plan, &extra) {
            eprintln!("╷\n│ Error: Failed to write plan file\n│ \n│ {out}: {e}\n╵");
            return 1;
        }
        println!("\n─────────────────────────────────────────────────────────────────────────────\n\nSaved the plan to: {out}\n\nTo perform exactly these actions, run the following command to apply:\n    herd apply {out:?}");
    }
    if !apply {
        if a.detailed_exitcode && changed {
            return 2;
        }
        return 0;
    }
    if changed && !a.auto_approve {
        println!("\nDo you want to perform these actions?\n  herd will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n");
        print!("  Enter a value: ");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if line.trim() != "yes" {
            eprintln!("\nError: Apply cancelled.");
            return 1;
        }
    }
    if changed {
        println!();
    }
    let outcome = session.apply(
        &plan,
        engine::apply::ApplyOptions {
            parallelism: a.parallelism,
            state: mgr.clone(),
            on_disk: prior.clone(),
        },
    );
    report_apply(&outcome, &session.loaded.sources, a.no_color, a.destroy)
}

/// `herd apply PLANFILE`: refuse a plan whose state or configuration changed.
fn apply_saved(dir: &Path, a: PlanArgs, pf: &str) -> i32 {
    let (plan, extra) = match crate::plan::file::read_plan_file(Path::new(pf)) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("╷\n│ Error: Failed to load \"{pf}\" as a plan file\n│ \n│ {e}\n╵");
            return 1;
        }
    };
    let mgr = match state_mgr(dir, &a.state) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let la = super::state_cmds::LockArgs {
        lock: a.lock,
        lock_timeout: a.lock_timeout.clone().unwrap_or_else(|| "0s".into()),
    };
    let _lock = match super::state_cmds::take_lock(&*mgr, &la, "OperationTypeApply") {
        Ok(g) => g,
        Err(code) => return code,
    };
    let current = match load_state(&*mgr) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (lineage, serial) = current
        .as_ref()
        .map(|s| (s.lineage.clone(), s.serial))
        .unwrap_or_default();
    if lineage != extra.lineage || serial != extra.serial {
        eprintln!("╷\n│ Error: Saved plan is stale\n│ \n│ The given plan file can no longer be applied because the state was changed\n│ by another operation after the plan was created (plan: lineage {:?} serial {}, state: lineage {:?} serial {}).\n│ Run \"herd plan\" again to create a new plan.\n╵", extra.lineage, extra.serial, lineage, serial);
        return 1;
    }
    if engine::config_snapshot(dir) != extra.config_files {
        eprintln!("╷\n│ Error: Saved plan does not match the configuration\n│ \n│ The configuration files changed after this plan was created. Run \"herd plan\" again.\n╵");
        return 1;
    }
    let opts = RunOptions {
        vars: vec![],
        input: false,
        workspace: workspace(dir),
        validate_only: false,
    };
    let vars = plan
        .variables
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let session = match engine::prepare_with_vars(dir, &opts, vars) {
        Ok(s) => s,
        Err((sources, d)) => {
            print_diags(&d, &sources, a.no_color);
            return 1;
        }
    };
    let outcome = session.apply(
        &plan,
        engine::apply::ApplyOptions {
            parallelism: a.parallelism,
            state: mgr.clone(),
            on_disk: current,
        },
    );
    report_apply(&outcome, &session.loaded.sources, a.no_color, plan.destroy)
}

/// Diagnostics, the summary line and the outputs of an apply; its exit code.
fn report_apply(
    outcome: &engine::apply::ApplyOutcome,
    sources: &Sources,
    no_color: bool,
    destroy: bool,
) -> i32 {
    let color = color_enabled(no_color);
    let bold = |s: &str| {
        if color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    print_diags(&outcome.diags, sources, no_color);
    if outcome.diags.has_errors() {
        return 1;
    }
    let c = outcome.counts;
    if destroy {
        println!(
            "\n{}",
            bold(&format!(
                "Destroy complete! Resources: {} destroyed.",
                c.destroyed
            ))
        );
        return 0;
    }
    println!(
        "\n{}",
        bold(&format!(
            "Apply complete! Resources: {} added, {} changed, {} destroyed.",
            c.added, c.changed, c.destroyed
        ))
    );
    print_outputs(&outcome.outputs, &bold);
    0
}

fn print_outputs(outputs: &BTreeMap<String, Value>, bold: &dyn Fn(&str) -> String) {
    if outputs.values().any(|v| !v.is_null()) {
        println!("\n{}\n", bold("Outputs:"));
        for (k, v) in outputs {
            if v.is_null() {
                continue;
            }
            let shown = if v.deep_sensitive() {
                "<sensitive>".to_string()
            } else {
                render_value(v)
            };
            println!("{k} = {shown}");
        }
    }
}

fn show(dir: &Path, a: super::ShowArgs) -> i32 {
    crate::plan::json::set_show_sensitive(a.show_sensitive);
    match &a.file {
        Some(f) => {
            let (plan, _) = match crate::plan::file::read_plan_file(Path::new(f)) {
                Ok(x) => x,
                Err(e) => {
                    eprintln!("╷\n│ Error: Failed to read the given file as a state or plan file\n│ \n│ {e}\n╵");
                    return 1;
                }
            };
            if a.json {
                let (loaded, _) = engine::load(dir);
                println!(
                    "{}",
                    serde_json::to_string(&crate::plan::json::plan_json(&plan, Some(&loaded.root)))
                        .unwrap_or_default()
                );
            } else {
                print!(
                    "{}",
                    crate::plan::render::render_plan(
                        &plan,
                        &crate::plan::render::RenderOpts {
                            color: color_enabled(a.no_color),
                            ..Default::default()
                        }
                    )
                );
            }
            0
        }
        None => {
            let st = match state_mgr(dir, &None).and_then(|m| load_state(&*m)) {
                Ok(s) => s,
                Err(code) => return code,
            };
            match st {
                None => {
                    if a.json {
                        println!("{{\"format_version\":\"1.0\"}}");
                    } else {
                        println!("No state.");
                    }
                }
                Some(st) => {
                    if a.json {
                        println!(
                            "{}",
                            serde_json::to_string(&crate::plan::json::state_json(&st))
                                .unwrap_or_default()
                        );
                    } else {
                        // Terraform's rendering: each instance as a block,
                        // sensitive attributes and outputs hidden.
                        for (addr, _, i) in st.instances() {
                            if i.deposed.is_some() {
                                continue;
                            }
                            println!("{}", super::state_cmds::render_instance(&addr, i));
                        }
                        if !st.outputs.is_empty() {
                            println!("\nOutputs:\n");
                            for (k, o) in &st.outputs {
                                println!("{k} = {}", render_state_output(o));
                            }
                        }
                    }
                }
            }
            0
        }
    }
}

fn import_cmd(dir: &Path, a: super::ImportArgs) -> i32 {
    let addr: crate::addrs::AbsResourceInstance = match a.address.parse() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("╷\n│ Error: Invalid address\n│ \n│ {e}\n╵");
            return 1;
        }
    };
    let opts = RunOptions {
        vars: var_args(&a.var, &a.var_file),
        input: a.input,
        workspace: workspace(dir),
        validate_only: false,
    };
    let session = match engine::prepare(dir, &opts) {
        Ok(s) => s,
        Err((sources, d)) => {
            print_diags(&d, &sources, a.no_color);
            return 1;
        }
    };
    let has_config = engine::plan::module_at(&session.loaded.root, &addr.module.module_path())
        .and_then(|m| engine::plan::resource_block(m, &addr.resource))
        .is_some();
    if !has_config {
        eprintln!("╷\n│ Error: Configuration for import target does not exist\n│ \n│ The configuration for the given import {addr} does not exist. All target\n│ instances must have an associated configuration to be imported.\n╵");
        return 1;
    }
    let Some(res) = crate::providers::registry().resource(&addr.resource.ty) else {
        eprintln!("╷\n│ Error: Unsupported resource type\n│ \n│ herd does not implement the resource type {:?}.\n╵", addr.resource.ty);
        return 1;
    };
    let mgr = match state_mgr(dir, &a.state) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let la = super::state_cmds::LockArgs {
        lock: a.lock,
        lock_timeout: a.lock_timeout.clone().unwrap_or_else(|| "0s".into()),
    };
    let _lock = match super::state_cmds::take_lock(&*mgr, &la, "OperationTypeImport") {
        Ok(g) => g,
        Err(code) => return code,
    };
    let prior = match load_state(&*mgr) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut st = prior.clone().unwrap_or_default();
    if st.instance(&addr).is_some() {
        eprintln!("╷\n│ Error: Resource already managed by herd\n│ \n│ herd is already managing a remote object for {addr}. To import to this\n│ address you must first remove the existing object from the state.\n╵");
        return 1;
    }
    println!("{addr}: Importing from ID {:?}...", a.id);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Error: {e}");
            return 1;
        }
    };
    let ctx = {
        let world = session.world();
        let (providers, _) =
            engine::provcfg::ProviderConfigs::evaluate(&session.loaded.root, &world);
        let alias = engine::plan::module_at(&session.loaded.root, &addr.module.module_path())
            .and_then(|m| engine::plan::resource_block(m, &addr.resource))
            .and_then(|b| b.meta.provider.as_ref().and_then(|p| p.1.clone()));
        providers.ctx(&addr.resource.ty, alias.as_deref(), addr.to_string())
    };
    let v = match rt.block_on(res.import(&ctx, &a.id)) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("╷\n│ Error: Cannot import non-existent remote object\n│ \n│ While attempting to import an existing object to {addr}, the provider\n│ reported: {}\n╵", e.message);
            return 1;
        }
    };
    println!(
        "{addr}: Import prepared!\n  Prepared {} for import",
        addr.resource.ty
    );
    let v = engine::diff::normalize(res.schema(), &v);
    let (attrs, sens) = engine::statevals::to_state(&v);
    st.set_instance(
        &addr,
        &engine::statevals::provider_addr(&addr.resource.ty, None),
        crate::state::InstanceState {
            index_key: addr.key.as_ref().map(|k| k.to_json()),
            status: None,
            deposed: None,
            schema_version: res.schema().version,
            attributes: attrs,
            sensitive_attributes: sens,
            private: None,
            dependencies: vec![],
            create_before_destroy: false,
        },
    );
    if let Err(e) = mgr.persist(prior.as_ref(), st) {
        eprintln!("╷\n│ Error: Failed to persist state\n│ \n│ {e}\n╵");
        return 1;
    }
    println!("\nImport successful!\n\nThe resources that were imported are shown above. These resources are now in\nyour herd state and will henceforth be managed by herd.");
    0
}

fn graph_cmd(dir: &Path, a: super::GraphArgs) -> i32 {
    let (loaded, diags) = engine::load(dir);
    print_diags(&diags, &loaded.sources, false);
    if diags.has_errors() {
        return 1;
    }
    let (g, d) = crate::graph::build(&loaded.root, &loaded.sources);
    print_diags(&d, &loaded.sources, false);
    if d.has_errors() {
        return 1;
    }
    let reverse = a.ty.as_deref() == Some("destroy");
    match a.format.as_deref() {
        Some("mermaid") => print!("{}", g.to_mermaid()),
        None | Some("dot") => print!("{}", g.to_dot(reverse)),
        Some(f) => {
            eprintln!("Error: unknown graph format {f:?}; use dot or mermaid.");
            return 1;
        }
    }
    0
}

fn render_state_output(o: &OutputState) -> String {
    if o.sensitive {
        return "(sensitive value)".into();
    }
    let ty = crate::lang::render::type_from_json(&o.ty);
    let v = crate::lang::json::from_json_typed(&o.value, &ty);
    render_value(&v)
}

fn output(dir: &Path, a: OutputArgs) -> i32 {
    let mgr = match state_mgr(dir, &a.state) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let st = match mgr.read() {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => {
            eprintln!("Error: Failed to load state\n\n{e}");
            return 1;
        }
    };
    if let Some(name) = &a.name {
        let Some(o) = st.outputs.get(name) else {
            eprintln!("╷\n│ Error: Output {name:?} not found\n│ \n│ The output variable requested could not be found in the state file. If\n│ you recently added this to your configuration, be sure to run `herd\n│ apply`, since the state won't be updated with new output variables until\n│ that command is run.\n╵");
            return 1;
        };
        if a.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&o.value).unwrap_or_default()
            );
        } else if a.raw {
            match &o.value {
                serde_json::Value::String(s) => print!("{s}"),
                serde_json::Value::Number(n) => print!("{n}"),
                serde_json::Value::Bool(b) => print!("{b}"),
                serde_json::Value::Null => {}
                _ => {
                    eprintln!("╷\n│ Error: Unsupported value for raw output\n│ \n│ The -raw option only supports strings, numbers, and boolean values, but\n│ output value {name:?} is {}.\n│ \n│ Use the -json option for machine-readable representations of output\n│ values that have complex types.\n╵", crate::lang::render::type_from_json(&o.ty).friendly_name());
                    return 1;
                }
            }
        } else {
            let ty = crate::lang::render::type_from_json(&o.ty);
            println!(
                "{}",
                render_value(&crate::lang::json::from_json_typed(&o.value, &ty))
            );
        }
        return 0;
    }
    if a.json {
        let mut m = serde_json::Map::new();
        for (k, o) in &st.outputs {
            m.insert(
                k.clone(),
                serde_json::json!({"sensitive": o.sensitive, "type": o.ty, "value": o.value}),
            );
        }
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::Value::Object(m)).unwrap_or_default()
        );
        return 0;
    }
    if st.outputs.is_empty() {
        eprintln!("╷\n│ Warning: No outputs found\n│ \n│ The state file either has no outputs defined, or all the defined outputs\n│ are empty. Please define an output in your configuration with the `output`\n│ keyword and run `herd refresh` for it to become available. If you are\n│ using interpolation, please verify the interpolated value is not empty.\n│ You can use the `herd console` command to assist.\n╵");
        return 0;
    }
    for (k, o) in &st.outputs {
        if o.sensitive {
            println!("{k} = <sensitive>");
        } else {
            println!("{k} = {}", render_state_output(o));
        }
    }
    0
}

fn console(dir: &Path, a: ConsoleArgs) -> i32 {
    let opts = RunOptions {
        vars: var_args(&a.var, &a.var_file),
        input: false,
        workspace: workspace(dir),
        validate_only: false,
    };
    let con = match engine::Console::new(dir, &opts) {
        Ok(c) => c,
        Err((sources, d)) => {
            print_diags(&d, &sources, false);
            return 1;
        }
    };
    let interactive = std::io::stdin().is_terminal();
    let stdin = std::io::stdin();
    let mut code = 0;
    let mut buf = String::new();
    loop {
        if interactive {
            print!("> ");
            let _ = std::io::stdout().flush();
        }
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        buf.push_str(&line);
        let src = buf.trim().to_string();
        if src.is_empty() {
            buf.clear();
            continue;
        }
        if src == "exit" {
            break;
        }
        // Allow multi-line input while brackets are open.
        if open_brackets(&src) > 0 {
            continue;
        }
        buf.clear();
        // `type(EXPR)` exists only in the console: it prints the type.
        let type_of = src
            .strip_prefix("type(")
            .and_then(|r| r.strip_suffix(')'))
            .filter(|inner| open_brackets(inner) == 0);
        if let Some(inner) = type_of {
            match con.eval(inner) {
                Ok(v) => println!("{}", crate::lang::render::type_string(&v.ty())),
                Err(d) => {
                    print_diags(&d, con.sources(), false);
                    code = 1;
                }
            }
            continue;
        }
        match con.eval(&src) {
            Ok(v) => println!("{}", render_value(&v)),
            Err(d) => {
                print_diags(&d, con.sources(), false);
                code = 1;
            }
        }
    }
    if interactive {
        0
    } else {
        code
    }
}

fn open_brackets(s: &str) -> i32 {
    let mut depth = 0;
    let mut in_str = false;
    let mut esc = false;
    for c in s.chars() {
        if in_str {
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// `herd fmt`: exit 0 when done, 3 when `-check` finds unformatted files,
/// 2 on syntax errors (Terraform's codes).
pub fn fmt_cmd(_dir: &Path, a: super::FmtArgs) -> i32 {
    let mut code = 0;
    let targets = if a.targets.is_empty() {
        vec![".".to_string()]
    } else {
        a.targets.clone()
    };
    for t in &targets {
        if t == "-" {
            let mut src = String::new();
            let _ = std::io::Read::read_to_string(&mut std::io::stdin(), &mut src);
            match crate::fmt::format_source(&src) {
                Ok(out) => {
                    if a.check && out != src {
                        code = code.max(3);
                    }
                    if a.diff {
                        print!("{}", crate::fmt::unified_diff(&src, &out, "<stdin>"));
                    } else if !a.check {
                        print!("{out}");
                    }
                }
                Err(e) => {
                    eprintln!("╷\n│ Error: Invalid syntax\n│ \n│   on <stdin> line {e}\n╵");
                    code = 2;
                }
            }
            continue;
        }
        let p = PathBuf::from(t);
        let mut files = vec![];
        if p.is_dir() {
            collect_fmt_files(&p, a.recursive, &mut files);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            eprintln!("╷\n│ Error: No file or directory at {t}\n│ \n│ There is no configuration file or directory at {t}.\n╵");
            code = 2;
            continue;
        }
        for f in files {
            let shown = f.strip_prefix("./").unwrap_or(&f).display().to_string();
            let src = match std::fs::read_to_string(&f) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("Error: Failed to read file {shown}: {e}");
                    code = 2;
                    continue;
                }
            };
            match crate::fmt::format_source(&src) {
                Ok(out) => {
                    if out == src {
                        continue;
                    }
                    if a.list {
                        println!("{shown}");
                    }
                    if a.diff {
                        print!("{}", crate::fmt::unified_diff(&src, &out, &shown));
                    }
                    if a.check {
                        code = code.max(3);
                    } else if a.write {
                        if let Err(e) = std::fs::write(&f, out) {
                            eprintln!("Error: Failed to write {shown}: {e}");
                            code = 2;
                        }
                    }
                }
                Err(e) => {
                    eprintln!("╷\n│ Error: Invalid syntax\n│ \n│   on {shown} line {e}\n│ \n│ Fix the syntax error before formatting; the file was left unchanged.\n╵");
                    code = 2;
                }
            }
        }
    }
    code
}

fn collect_fmt_files(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => return,
    };
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if p.is_dir() {
            if recursive && !name.starts_with('.') {
                collect_fmt_files(&p, recursive, out);
            }
        } else if name.ends_with(".tf")
            || name.ends_with(".tfvars")
            || name.ends_with(".tftest.hcl")
        {
            out.push(p);
        }
    }
}

#[allow(dead_code)]
fn unused(_: &OutputState, _: &State) {
    let _ = to_json_pretty;
}
