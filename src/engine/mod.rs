//! The engine: loads a configuration, gathers variable values and walks the
//! module tree. (Resources, the dependency graph and apply come with the
//! plan/apply engine; this stage evaluates variables, locals, modules and
//! outputs.)

pub mod apply;
pub mod decode;
pub mod diff;
pub mod modeval;
pub mod plan;
pub mod provcfg;
pub mod statevals;
pub mod vars;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use crate::config::{Loader, Module};
use crate::diag::{Diagnostic, Diagnostics, Sources};
use crate::lang::funcs::FnCtx;
use crate::lang::value::Value;
use modeval::{finalize_variable, RunCtx, World};
use vars::VarArg;

/// Options shared by the commands that evaluate a configuration.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub vars: Vec<VarArg>,
    pub input: bool,
    pub workspace: String,
    /// Validate mode: root variables are unknown, impure functions unknown.
    pub validate_only: bool,
}

/// A loaded configuration.
pub struct Loaded {
    pub root: Arc<Module>,
    pub sources: Sources,
}

pub fn load(dir: &Path) -> (Loaded, Diagnostics) {
    let sources = Sources::default();
    let mut loader = Loader::new(dir, sources.clone());
    let (root, diags) = loader.load(dir);
    (
        Loaded {
            root: Arc::new(root),
            sources,
        },
        diags,
    )
}

/// Final root variable values (converted, marked, validated).
pub fn root_variables(
    dir: &Path,
    loaded: &Loaded,
    opts: &RunOptions,
) -> (HashMap<String, Value>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut out = HashMap::new();
    let root = &loaded.root;
    if opts.validate_only {
        for (name, v) in &root.variables {
            out.insert(
                name.clone(),
                Value::unknown(crate::lang::convert::concrete(&v.ty)).mark(v.sensitive),
            );
        }
        return (out, diags);
    }
    let (mut raw, d) = vars::collect(dir, root, &opts.vars, &loaded.sources);
    diags.extend(d);
    for (name, var) in &root.variables {
        if !raw.contains_key(name)
            && var.default.is_none()
            && opts.input
            && std::io::stdin().is_terminal()
        {
            if let Some(v) = prompt_variable(var) {
                raw.insert(
                    name.clone(),
                    vars::VarValue {
                        value: Value::string(v),
                        range: None,
                    },
                );
            }
        }
        let given = raw.get(name).cloned();
        let range = given.as_ref().and_then(|g| g.range.clone());
        match finalize_variable(
            var,
            given.map(|g| g.value),
            range,
            Some(format!("variable {name:?}")),
            true,
        ) {
            Ok(v) => {
                out.insert(name.clone(), v);
            }
            Err(d) => diags.extend(d),
        }
    }
    (out, diags)
}

fn prompt_variable(var: &crate::config::Variable) -> Option<String> {
    let mut err = std::io::stderr();
    let _ = writeln!(err, "var.{}", var.name);
    if let Some(d) = &var.description {
        let _ = writeln!(err, "  {d}");
    }
    let _ = write!(err, "\n  Enter a value: ");
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).ok()?;
    let _ = writeln!(err);
    Some(line.trim_end_matches(['\n', '\r']).to_string())
}

/// The result of evaluating a resource-free configuration.
pub struct Evaluated {
    pub outputs: BTreeMap<String, Value>,
    pub diags: Diagnostics,
}

pub fn fn_ctx(dir: &Path, validate_only: bool) -> FnCtx {
    FnCtx {
        base_dir: dir.to_path_buf(),
        plan_timestamp: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        allow_impure: !validate_only,
    }
}

/// Load, gather variables and evaluate every output of the root module.
pub fn evaluate(dir: &Path, opts: &RunOptions) -> (Loaded, Evaluated) {
    let (loaded, mut diags) = load(dir);
    if diags.has_errors() {
        return (
            loaded,
            Evaluated {
                outputs: BTreeMap::new(),
                diags,
            },
        );
    }
    let (vars, d) = root_variables(dir, &loaded, opts);
    diags.extend(d);
    if diags.has_errors() {
        return (
            loaded,
            Evaluated {
                outputs: BTreeMap::new(),
                diags,
            },
        );
    }
    let world = World::new(new_run(dir, &loaded, opts), loaded.root.clone(), vars);
    let mut vdiags = Diagnostics::new();
    let rv = world.root_view();
    for (name, var) in &loaded.root.variables {
        if let Err(d) = rv.validate_variable(var, name) {
            vdiags.extend(d);
        }
    }
    if vdiags.has_errors() {
        diags.extend(vdiags);
        return (
            loaded,
            Evaluated {
                outputs: BTreeMap::new(),
                diags,
            },
        );
    }
    // Output values pass through the plan's binary encoding in Terraform,
    // which gives float64-exact numbers float64 precision.
    let outputs = world
        .eval_all()
        .into_iter()
        .map(|(k, v)| (k, v.map_numbers(&|n| n.msgpack_roundtrip())))
        .collect();
    diags.extend(world.run.diags.take());
    (loaded, Evaluated { outputs, diags })
}

/// The shared settings of one run.
pub fn new_run(dir: &Path, loaded: &Loaded, opts: &RunOptions) -> RunCtx {
    RunCtx {
        fnctx: fn_ctx(dir, opts.validate_only),
        sources: loaded.sources.clone(),
        workspace: if opts.workspace.is_empty() {
            "default".into()
        } else {
            opts.workspace.clone()
        },
        diags: Default::default(),
        validate_only: opts.validate_only,
    }
}

/// Evaluate one expression in the root module's scope (console).
pub struct Console {
    world: World,
    sources: Sources,
}

impl Console {
    pub fn new(dir: &Path, opts: &RunOptions) -> Result<Console, (Sources, Diagnostics)> {
        let (loaded, mut diags) = load(dir);
        if diags.has_errors() {
            return Err((loaded.sources, diags));
        }
        let (vars, d) = root_variables(dir, &loaded, opts);
        diags.extend(d);
        if diags.has_errors() {
            return Err((loaded.sources, diags));
        }
        let sources = loaded.sources.clone();
        let world = World::new(new_run(dir, &loaded, opts), loaded.root.clone(), vars);
        Ok(Console { world, sources })
    }

    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    pub fn eval(&self, src: &str) -> Result<Value, Diagnostics> {
        // Integer literals beyond 64 bits, as in configuration files.
        let widened = crate::config::widen_big_integers(src);
        let src = widened.as_deref().unwrap_or(src);
        let file = self.sources.add("<console-input>", src);
        if let Err((line, col, msg)) = crate::config::check_brackets(src) {
            return Err(Diagnostics::from(Diagnostic::error(
                "Invalid expression",
                format!("Unbalanced brackets at line {line}, column {col}: {msg}."),
            )));
        }
        let expr = hcl_edit::parser::parse_expr(src.trim_end()).map_err(|e| {
            Diagnostics::from(
                Diagnostic::error("Invalid expression", e.message().to_string()).at(Some(
                    crate::diag::SourceRange {
                        file: file.clone(),
                        start: e.location().offset(),
                        end: e.location().offset() + 1,
                    },
                )),
            )
        })?;
        let e = crate::config::Expr { expr, file };
        let r = self.world.root_view().eval_expr(&e, None);
        let mut d = self.world.run.diags.take();
        match r {
            Ok(v) => Ok(v),
            Err(e) => {
                for x in e.0 {
                    if !x.summary.is_empty() {
                        d.push(x);
                    }
                }
                Err(d)
            }
        }
    }
}

/// A loaded configuration with its graph and root variable values, ready
/// to plan and apply.
pub struct Session {
    pub dir: std::path::PathBuf,
    pub loaded: Loaded,
    pub graph: crate::graph::ConfigGraph,
    pub vars: HashMap<String, Value>,
    pub opts: RunOptions,
    /// Warnings gathered while preparing.
    pub warnings: Diagnostics,
}

/// Load and build the graph, with root variable values given (a saved plan's).
pub fn prepare_with_vars(
    dir: &Path,
    opts: &RunOptions,
    vars: HashMap<String, Value>,
) -> Result<Session, (Sources, Diagnostics)> {
    prepare_inner(dir, opts, Some(vars))
}

/// The configuration files of the root module directory (for saved plans).
pub fn config_snapshot(dir: &Path) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    fn walk(
        base: &Path,
        d: &Path,
        out: &mut std::collections::BTreeMap<String, String>,
        depth: usize,
    ) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name == "terraform.tfstate.d" {
                continue;
            }
            if p.is_dir() && depth < 8 {
                walk(base, &p, out, depth + 1);
            } else if name.ends_with(".tf")
                || name.ends_with(".tf.json")
                || name.ends_with(".tfvars")
                || name.ends_with(".tfvars.json")
            {
                if let Ok(t) = std::fs::read_to_string(&p) {
                    out.insert(crate::diag::display_path(base, &p), t);
                }
            }
        }
    }
    walk(dir, dir, &mut out, 0);
    out
}

/// Load, build the graph and gather root variables.
pub fn prepare(dir: &Path, opts: &RunOptions) -> Result<Session, (Sources, Diagnostics)> {
    prepare_inner(dir, opts, None)
}

fn prepare_inner(
    dir: &Path,
    opts: &RunOptions,
    given: Option<HashMap<String, Value>>,
) -> Result<Session, (Sources, Diagnostics)> {
    let (loaded, mut diags) = load(dir);
    if diags.has_errors() {
        return Err((loaded.sources, diags));
    }
    let (graph, gd) = crate::graph::build(&loaded.root, &loaded.sources);
    diags.extend(gd);
    if diags.has_errors() {
        return Err((loaded.sources, diags));
    }
    let vars = match given {
        Some(v) => v,
        None => {
            let (vars, d) = root_variables(dir, &loaded, opts);
            diags.extend(d);
            if diags.has_errors() {
                return Err((loaded.sources, diags));
            }
            vars
        }
    };
    Ok(Session {
        dir: dir.to_path_buf(),
        loaded,
        graph,
        vars,
        opts: opts.clone(),
        warnings: diags,
    })
}

impl Session {
    pub fn world(&self) -> World {
        World::new(
            new_run(&self.dir, &self.loaded, &self.opts),
            self.loaded.root.clone(),
            self.vars.clone(),
        )
    }

    /// Validate root variables, then plan.
    pub fn plan(
        &self,
        prior: &crate::state::State,
        popts: plan::PlanOptions,
    ) -> (crate::plan::Plan, Diagnostics) {
        let world = self.world();
        let mut diags = Diagnostics::new();
        let rv = world.root_view();
        for (name, var) in &self.loaded.root.variables {
            if let Err(d) = rv.validate_variable(var, name) {
                diags.extend(d);
            }
        }
        if diags.has_errors() {
            return (
                crate::plan::Plan {
                    errored: true,
                    prior_state: prior.clone(),
                    ..Default::default()
                },
                diags,
            );
        }
        let (mut p, d) = plan::make_plan(&self.loaded.root, &world, &self.graph, prior, popts);
        diags.extend(d);
        p.variables = self
            .vars
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        (p, diags)
    }

    /// Apply a plan made from this configuration.
    pub fn apply(&self, p: &crate::plan::Plan, aopts: apply::ApplyOptions) -> apply::ApplyOutcome {
        let world = self.world();
        apply::apply(&self.loaded.root, &world, &self.graph, p, aopts)
    }
}

/// Every resource and data block of the module tree checked against the
/// schema of its type, statically (used by `validate`, which evaluates
/// nothing that depends on the cloud).
pub fn check_schemas(m: &crate::config::Module) -> Diagnostics {
    use crate::config::ResourceMode;
    let mut diags = Diagnostics::new();
    for b in &m.resources {
        let reg = crate::providers::registry();
        let (schema, known): (Option<crate::providers::Schema>, Vec<&str>) = match b.mode {
            ResourceMode::Managed => (
                reg.resource(&b.ty).map(|r| r.schema().clone()),
                reg.resources.keys().copied().collect(),
            ),
            ResourceMode::Data => (
                reg.data_source(&b.ty).map(|r| r.schema().clone()),
                reg.data_sources.keys().copied().collect(),
            ),
        };
        let ctx = Some(plan::ctx_name(b));
        match schema {
            Some(s) => diags.extend(decode::check_structure(&b.meta.body, &s, &b.file, &ctx)),
            None => diags.push(
                crate::diag::Diagnostic::error(
                    "Unsupported resource type",
                    format!(
                        "herd does not implement the {} type {:?}.{}",
                        if b.mode == ResourceMode::Managed {
                            "resource"
                        } else {
                            "data source"
                        },
                        b.ty,
                        crate::config::suggest(&b.ty, &known)
                    ),
                )
                .at(b.range.clone()),
            ),
        }
    }
    for call in m.module_calls.values() {
        if let Some(child) = &call.module {
            diags.extend(check_schemas(child));
        }
    }
    diags
}
