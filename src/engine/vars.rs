//! Root module variable values from every source, with Terraform's
//! precedence (later wins): defaults, environment (`TF_VAR_name`),
//! `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)` in
//! lexical order, then `-var` and `-var-file` in command-line order.

use std::collections::HashMap;
use std::path::Path;

use hcl_edit::structure::Structure;

use crate::config::{parse_hcl_source, range_of, Module};
use crate::diag::{Diagnostic, Diagnostics, SourceRange, Sources};
use crate::lang::eval::eval_constant;
use crate::lang::json::from_json_str;
use crate::lang::value::Value;

/// A `-var` or `-var-file` argument, in command-line order.
#[derive(Clone, Debug)]
pub enum VarArg {
    Var(String),
    File(String),
}

/// A raw value and where it came from.
#[derive(Clone, Debug)]
pub struct VarValue {
    pub value: Value,
    pub range: Option<SourceRange>,
}

pub fn collect(
    dir: &Path,
    module: &Module,
    args: &[VarArg],
    sources: &Sources,
) -> (HashMap<String, VarValue>, Diagnostics) {
    let mut out: HashMap<String, VarValue> = HashMap::new();
    let mut diags = Diagnostics::new();
    // Environment.
    let mut env: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| k.starts_with("TF_VAR_"))
        .collect();
    env.sort();
    for (k, v) in env {
        let name = &k["TF_VAR_".len()..];
        if let Some(var) = module.variables.get(name) {
            match parse_raw(&v, var, &format!("<value for var.{name}>"), sources) {
                Ok(val) => {
                    out.insert(
                        name.to_string(),
                        VarValue {
                            value: val,
                            range: None,
                        },
                    );
                }
                Err(d) => diags.push(d),
            }
        }
    }
    // Files loaded automatically.
    let mut auto: Vec<String> = vec![];
    if dir.join("terraform.tfvars").is_file() {
        auto.push("terraform.tfvars".into());
    }
    if dir.join("terraform.tfvars.json").is_file() {
        auto.push("terraform.tfvars.json".into());
    }
    let mut autos: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str().map(|s| s.to_string()))
                .filter(|n| n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json"))
                .collect()
        })
        .unwrap_or_default();
    autos.sort();
    auto.extend(autos);
    for f in auto {
        load_file(
            &dir.join(&f),
            &f,
            module,
            &mut out,
            &mut diags,
            sources,
            true,
        );
    }
    for a in args {
        match a {
            VarArg::File(f) => {
                let p = dir.join(f);
                if !p.is_file() {
                    diags.push(Diagnostic::error(
                        "Failed to read variables file",
                        format!("Given variables file {f} does not exist."),
                    ));
                    continue;
                }
                load_file(&p, f, module, &mut out, &mut diags, sources, false);
            }
            VarArg::Var(s) => {
                let Some((name, raw)) = s.split_once('=') else {
                    diags.push(Diagnostic::error(
                        "Invalid -var option",
                        format!("The given -var option {s:?} is not correctly specified. It must be a variable name and value separated an equals sign, like -var=\"key=value\"."),
                    ));
                    continue;
                };
                let name = name.trim();
                match module.variables.get(name) {
                    Some(var) => match parse_raw(raw, var, &format!("<value for var.{name}>"), sources) {
                        Ok(val) => {
                            out.insert(name.to_string(), VarValue { value: val, range: None });
                        }
                        Err(d) => diags.push(d),
                    },
                    None => diags.push(Diagnostic::error(
                        "Value for undeclared variable",
                        format!("A variable named {name:?} was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration."),
                    )),
                }
            }
        }
    }
    (out, diags)
}

/// Parse a value given as a string (`-var`, `TF_VAR_`): primitive-typed
/// variables take the string as is; others parse it as an expression.
fn parse_raw(
    raw: &str,
    var: &crate::config::Variable,
    name: &str,
    sources: &Sources,
) -> Result<Value, Diagnostic> {
    if !var.has_type || var.ty.is_primitive() {
        return Ok(Value::string(raw));
    }
    // Integer literals beyond 64 bits, as in configuration files.
    let widened = crate::config::widen_big_integers(raw);
    let raw = widened.as_deref().unwrap_or(raw);
    let file = sources.add(name, raw);
    if let Err((_, col, msg)) = crate::config::check_brackets(raw) {
        return Err(Diagnostic::error(
            "Invalid expression",
            format!("Unbalanced brackets at column {col} in {name}: {msg}."),
        ));
    }
    match hcl_edit::parser::parse_expr(raw) {
        Ok(e) => eval_constant(&e, &file),
        Err(e) => Err(Diagnostic::error(
            "Invalid expression",
            format!("{} (in {name}).", e.message()),
        )),
    }
}

fn load_file(
    path: &Path,
    name: &str,
    module: &Module,
    out: &mut HashMap<String, VarValue>,
    diags: &mut Diagnostics,
    sources: &Sources,
    auto: bool,
) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::error(
                "Failed to read variables file",
                format!("Error reading {name}: {e}."),
            ));
            return;
        }
    };
    let file = sources.add(name, &text);
    let mut found: Vec<(String, Value, Option<SourceRange>)> = vec![];
    if name.ends_with(".json") {
        match from_json_str(&text) {
            Ok(v) => match v.as_entries() {
                Some(m) => {
                    for (k, v) in m {
                        found.push((k.clone(), v.clone(), None));
                    }
                }
                None => diags.push(Diagnostic::error(
                    "Invalid variables file",
                    format!("The root value in {name} must be an object."),
                )),
            },
            Err(e) => diags.push(Diagnostic::error(
                "Invalid variables file",
                format!("Error parsing {name}: {e}."),
            )),
        }
    } else {
        match parse_hcl_source(&text, &file) {
            Ok((body, rewritten)) => {
                if let Some(t) = rewritten {
                    sources.add(name, &t);
                }
                for s in body.iter() {
                    match s {
                        Structure::Attribute(a) => {
                            use hcl_edit::Span;
                            match eval_constant(&a.value, &file) {
                                Ok(v) => found.push((
                                    a.key.as_str().to_string(),
                                    v,
                                    range_of(&file, a.value.span()),
                                )),
                                Err(d) => diags.push(d),
                            }
                        }
                        Structure::Block(b) => {
                            use hcl_edit::Span;
                            diags.push(
                                Diagnostic::error("Unexpected block", "Blocks are not allowed in a variables file; assign values with name = value.")
                                    .at(range_of(&file, b.span())),
                            )
                        }
                    }
                }
            }
            Err(d) => diags.push(d),
        }
    }
    for (k, v, r) in found {
        if !module.variables.contains_key(&k) {
            if auto {
                diags.push(
                    Diagnostic::warning(
                        "Value for undeclared variable",
                        format!("The root module does not declare a variable named {k:?} but a value was found in file {name:?}. If you meant to use this value, add a \"variable\" block to the configuration.\n\nTo silence these warnings, use TF_VAR_... environment variables to provide certain \"global\" settings to all configurations in your organization."),
                    )
                    .at(r),
                );
            } else {
                diags.push(
                    Diagnostic::warning(
                        "Value for undeclared variable",
                        format!("The root module does not declare a variable named {k:?} but a value was found in file {name:?}."),
                    )
                    .at(r),
                );
            }
            continue;
        }
        out.insert(k, VarValue { value: v, range: r });
    }
}
