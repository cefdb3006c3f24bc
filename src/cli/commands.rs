//! Command implementations: arguments → engine → view.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::{Cli, Command, ConsoleArgs, OutputArgs, PlanArgs, ValidateArgs};
use crate::diag::{render, Diagnostics, Sources};
use crate::engine::{self, vars::VarArg, RunOptions};
use crate::lang::json::to_json_pretty;
use crate::lang::render::{render as render_value, type_json};
use crate::lang::value::Value;
use crate::state::{self, OutputState, State};

/// Run a parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    if let Some(dir) = &cli.chdir {
        if let Err(e) = std::env::set_current_dir(dir) {
            eprintln!("Error handling -chdir option: chdir {}: {e}", dir.display());
            return 1;
        }
    }
    let dir = PathBuf::from(".");
    match cli.command {
        Command::Init(_) => init(&dir),
        Command::Validate(a) => validate(&dir, a),
        Command::Plan(a) => plan_apply(&dir, a, false),
        Command::Apply(a) => plan_apply(&dir, a, true),
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
                    serde_json::json!({"terraform_version": crate::state::TERRAFORM_VERSION, "herd_version": env!("CARGO_PKG_VERSION"), "platform": platform(), "provider_selections": {}, "terraform_outdated": false})
                );
            } else {
                println!("herd v{}\non {}", env!("CARGO_PKG_VERSION"), platform());
                println!(
                    "(Terraform language v{} compatible; built-in providers: aws, terraform)",
                    crate::state::TERRAFORM_VERSION
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

fn print_diags(d: &Diagnostics, sources: &Sources, no_color: bool) {
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

pub(super) fn state_path(dir: &Path, explicit: &Option<PathBuf>) -> PathBuf {
    if let Some(p) = explicit {
        return p.clone();
    }
    let ws = workspace(dir);
    if ws == "default" {
        dir.join("terraform.tfstate")
    } else {
        dir.join("terraform.tfstate.d")
            .join(ws)
            .join("terraform.tfstate")
    }
}

fn var_args(vars: &[String], files: &[String]) -> Vec<VarArg> {
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

fn init(dir: &Path) -> i32 {
    let (loaded, diags) = engine::load(dir);
    print_diags(&diags, &loaded.sources, false);
    if diags.has_errors() {
        return 1;
    }
    for (name, src) in &loaded.root.terraform.required_providers {
        let ok = matches!(name.as_str(), "aws" | "terraform")
            || src
                .as_deref()
                .is_some_and(|s| s.ends_with("/aws") || s.ends_with("/terraform"));
        if !ok {
            eprintln!(
                "Error: Unsupported provider\n\n  herd has the providers \"aws\" and \"terraform\" built in; provider {name:?} ({}) is not available. Remove it from required_providers or replace its resources.",
                src.clone().unwrap_or_default()
            );
            return 1;
        }
    }
    let _ = std::fs::create_dir_all(dir.join(".terraform"));
    println!("\nInitializing the backend...\n\nInitializing provider plugins...\n- aws and terraform are built into herd; nothing to download.\n\nherd has been successfully initialized!\n\nYou may now begin working with herd. Try running \"herd plan\" to see\nany changes that are required for your infrastructure.");
    0
}

fn validate(dir: &Path, a: ValidateArgs) -> i32 {
    let opts = RunOptions {
        validate_only: true,
        workspace: workspace(dir),
        ..Default::default()
    };
    let (loaded, ev) = engine::evaluate(dir, &opts);
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

fn plan_apply(dir: &Path, a: PlanArgs, apply: bool) -> i32 {
    let color = color_enabled(a.no_color);
    let bold = |s: &str| {
        if color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let spath = state_path(dir, &a.state);
    let prior = match state::read(&spath) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Error: Failed to load state\n\n{e}");
            return 1;
        }
    };
    let opts = RunOptions {
        vars: var_args(&a.var, &a.var_file),
        input: a.input,
        workspace: workspace(dir),
        validate_only: false,
    };
    let (loaded, ev) = engine::evaluate(dir, &opts);
    print_diags(&ev.diags, &loaded.sources, a.no_color);
    if ev.diags.has_errors() {
        return 1;
    }
    let new_outputs = output_state_map(&ev.outputs);
    let old_outputs = prior
        .as_ref()
        .map(|s| s.outputs.clone())
        .unwrap_or_default();
    // Output changes.
    let mut lines = vec![];
    for (k, v) in &ev.outputs {
        if v.is_null() {
            if old_outputs.contains_key(k) {
                lines.push(format!(
                    "  - {k} = {} -> null",
                    render_state_output(&old_outputs[k])
                ));
            }
            continue;
        }
        let shown = if v.deep_sensitive() {
            "(sensitive value)".to_string()
        } else {
            render_value(v)
        };
        match old_outputs.get(k) {
            None => lines.push(format!("  + {k} = {shown}")),
            Some(o) if Some(o) != new_outputs.get(k) => {
                lines.push(format!("  ~ {k} = {} -> {shown}", render_state_output(o)))
            }
            _ => {}
        }
    }
    for (k, o) in &old_outputs {
        if !ev.outputs.contains_key(k) {
            lines.push(format!("  - {k} = {} -> null", render_state_output(o)));
        }
    }
    let changed = !lines.is_empty();
    if !changed {
        println!("\n{}\n\nherd has compared your real infrastructure against your configuration\nand found no differences, so no changes are needed.", bold("No changes. Your infrastructure matches the configuration."));
    } else {
        println!("\nChanges to Outputs:");
        for l in &lines {
            println!("{l}");
        }
        println!("\nYou can apply this plan to save these new output values to the herd\nstate, without changing any real infrastructure.");
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
    let mut st = prior.clone().unwrap_or_default();
    st.outputs = new_outputs;
    if let Err(e) = state::persist(&spath, prior.as_ref(), st) {
        eprintln!("Error: Failed to save state\n\n{e}");
        return 1;
    }
    println!(
        "\n{}",
        bold("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.")
    );
    if ev.outputs.values().any(|v| !v.is_null()) {
        println!("\n{}\n", bold("Outputs:"));
        for (k, v) in &ev.outputs {
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
    let spath = state_path(dir, &a.state);
    let st = match state::read(&spath) {
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

pub fn fmt_cmd(_dir: &Path, _a: super::FmtArgs) -> i32 {
    eprintln!("Error: fmt is not available in this build");
    1
}

#[allow(dead_code)]
fn unused(_: &OutputState, _: &State) {
    let _ = to_json_pretty;
}
