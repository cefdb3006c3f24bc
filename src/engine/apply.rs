//! The apply walk. Every resource (per module instance) is a node; a node
//! starts as soon as the nodes it depends on are done — never level by level
//! — and each of its instance operations runs as a tokio task, bounded by
//! `-parallelism`. Configuration is evaluated again (on the orchestrating
//! thread) when a node starts, so values unknown at plan time are known.
//! Deletions run in reverse dependency order. The state is persisted after
//! every operation, with a pending-operation record while a create is in
//! flight. A failure stops only the failed node's dependents.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::addrs::{AbsResource, AbsResourceInstance, InstanceKey, Mode};
use crate::config::resource::Provisioner;
use crate::config::{Module, ResourceBlock};
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::decode::Decoder;
use crate::engine::diff::{apply_ignore_changes, copy_marks, normalize, propose};
use crate::engine::modeval::{Expansion, Rep, World};
use crate::engine::plan::{module_at, resource_block, resource_value};
use crate::engine::provcfg::ProviderConfigs;
use crate::engine::statevals::{from_state, provider_addr, to_state};
use crate::graph::ConfigGraph;
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::plan::{Action, Plan, ResourceChange};
use crate::providers::{carry_timeouts, registry, ProviderCtx, ProviderError};
use crate::state::{InstanceState, PendingOperation, State};

pub struct ApplyOptions {
    pub parallelism: usize,
    /// Where the state is written after each operation.
    pub state: Arc<dyn crate::state::mgr::StateMgr>,
    /// The state as last written to disk (for serial/backup handling).
    pub on_disk: Option<State>,
}

#[derive(Default, Debug, Clone, Copy)]
pub struct Counts {
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
}

pub struct ApplyOutcome {
    pub state: State,
    pub counts: Counts,
    pub diags: Diagnostics,
    pub outputs: BTreeMap<String, Value>,
    pub interrupted: bool,
}

/// A local-exec provisioner, evaluated.
#[derive(Clone, Debug)]
struct Exec {
    command: String,
    interpreter: Option<Vec<String>>,
    environment: Vec<(String, String)>,
    working_dir: Option<String>,
    continue_on_failure: bool,
    sensitive: bool,
}

enum OpKind {
    Create {
        planned: Value,
        /// Create-time provisioners follow: "Creation complete" is printed
        /// after them, as Terraform does.
        provisioned: bool,
    },
    Update {
        prior: Value,
        planned: Value,
    },
    Delete {
        prior: Value,
        provisioners: Vec<Exec>,
    },
    Read {
        config: Value,
    },
    /// Create-time provisioners of a just-created object.
    Provision {
        execs: Vec<Exec>,
        /// When the create started (for the elapsed times printed).
        started: Instant,
        /// The new object's id, for "Creation complete".
        id: Option<String>,
    },
}

enum OpResult {
    /// The create's result and when it started.
    Created(Result<Value, ProviderError>, Instant),
    Updated(Result<Value, ProviderError>),
    Deleted(Result<(), ProviderError>),
    Read(Result<Value, ProviderError>),
    Provisioned(Result<(), String>),
}

/// Work of one node: create/update/read part (`C`) or delete part (`D`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum NodeId {
    C(AbsResource),
    D(AbsResource),
}

#[derive(Default)]
struct NodeState {
    deps: BTreeSet<NodeId>,
    started: bool,
    pending_ops: usize,
    failed: bool,
    done: bool,
    values: BTreeMap<Option<InstanceKey>, Value>,
    expansion: Option<Expansion>,
}

fn verb(kind: &OpKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        OpKind::Create { .. } => ("Creating...", "Creation complete", "Still creating..."),
        OpKind::Update { .. } => (
            "Modifying...",
            "Modifications complete",
            "Still modifying...",
        ),
        OpKind::Delete { .. } => (
            "Destroying...",
            "Destruction complete",
            "Still destroying...",
        ),
        OpKind::Read { .. } => ("Reading...", "Read complete", "Still reading..."),
        OpKind::Provision { .. } => ("", "Creation complete", "Still creating..."),
    }
}

fn id_of(v: &Value) -> Option<String> {
    v.as_entries()
        .and_then(|m| m.get("id"))
        .and_then(|x| x.as_str())
        .map(|s| s.to_string())
}

/// How often long operations report progress: every 10 s like Terraform;
/// `HERD_PROGRESS_INTERVAL` (seconds) changes it, e.g. for quieter logs.
fn progress_interval() -> Duration {
    std::env::var("HERD_PROGRESS_INTERVAL")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(10))
}

fn fmt_elapsed(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

async fn run_exec(addr: &str, e: &Exec) -> Result<(), String> {
    let argv: Vec<String> = match &e.interpreter {
        Some(i) if !i.is_empty() => {
            let mut v = i.clone();
            v.push(e.command.clone());
            v
        }
        _ => vec!["/bin/sh".into(), "-c".into(), e.command.clone()],
    };
    println!("{addr}: Provisioning with 'local-exec'...");
    if e.sensitive {
        println!("{addr} (local-exec): (output suppressed due to sensitive value in config)");
    } else {
        println!("{addr} (local-exec): Executing: {}", go_quoted_list(&argv));
    }
    let mut cmd = tokio::process::Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    for (k, v) in &e.environment {
        cmd.env(k, v);
    }
    if let Some(d) = &e.working_dir {
        cmd.current_dir(d);
    }
    cmd.stdin(std::process::Stdio::null());
    let out = cmd
        .output()
        .await
        .map_err(|err| format!("Error running command '{}': {err}.", e.command))?;
    let mut combined = String::from_utf8_lossy(&out.stdout).into_owned();
    combined.push_str(&String::from_utf8_lossy(&out.stderr));
    if !e.sensitive {
        for l in combined.lines() {
            println!("{addr} (local-exec): {l}");
        }
    }
    if out.status.success() {
        Ok(())
    } else {
        // Go's *exec.ExitError text: "exit status N" / "signal: killed".
        let status = match out.status.code() {
            Some(c) => format!("exit status {c}"),
            None => out.status.to_string(),
        };
        Err(format!(
            "Error running command '{}': {status}. Output: {}",
            if e.sensitive {
                "(sensitive value)".to_string()
            } else {
                e.command.clone()
            },
            if e.sensitive { String::new() } else { combined }
        ))
    }
}

/// A list of strings as Go's `%q` prints a `[]string`: `["a" "b"]`.
fn go_quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| serde_json::to_string(s).unwrap_or_default())
        .collect();
    format!("[{}]", quoted.join(" "))
}

/// With `HERD_OP_LOG=FILE`, one JSON line per finished operation (address,
/// verb, start and end as Unix seconds): what the benchmarks use to compute
/// the critical path of an apply from the operations' own durations.
fn log_op(addr: &str, verb: &str, started: std::time::SystemTime) {
    use std::io::Write;
    static LOG: std::sync::OnceLock<Option<std::sync::Mutex<std::fs::File>>> =
        std::sync::OnceLock::new();
    let f = LOG.get_or_init(|| {
        let p = std::env::var_os("HERD_OP_LOG")?;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .ok()
            .map(std::sync::Mutex::new)
    });
    let Some(f) = f else { return };
    let secs = |t: std::time::SystemTime| {
        t.duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    };
    let line = serde_json::json!({
        "address": addr,
        "op": verb.trim_end_matches("..."),
        "start": secs(started),
        "end": secs(std::time::SystemTime::now()),
    });
    if let Ok(mut f) = f.lock() {
        let _ = writeln!(f, "{line}");
    }
}

async fn run_op(
    addr: String,
    ty: String,
    kind: OpKind,
    ctx: ProviderCtx,
    sem: Arc<Semaphore>,
) -> OpResult {
    let _permit = sem.acquire_owned().await.ok();
    let op_started = std::time::SystemTime::now();
    let (start_msg, done_msg, still_msg) = verb(&kind);
    let res = registry().resource(&ty);
    let ds = registry().data_source(&ty);
    let id_suffix = match &kind {
        OpKind::Update { prior, .. } | OpKind::Delete { prior, .. } => id_of(prior)
            .map(|i| format!(" [id={i}]"))
            .unwrap_or_default(),
        _ => String::new(),
    };
    if !start_msg.is_empty() {
        println!("{addr}: {start_msg}{id_suffix}");
    }
    let started = match &kind {
        OpKind::Provision { started, .. } => *started,
        _ => Instant::now(),
    };
    let fut = async {
        match &kind {
            OpKind::Create { planned, .. } => OpResult::Created(
                match &res {
                    Some(r) => r
                        .create(&ctx, planned)
                        .await
                        .map(|v| carry_timeouts(r.schema(), planned, v)),
                    None => Err(ProviderError::new("unsupported resource type")),
                },
                started,
            ),
            OpKind::Update { prior, planned } => OpResult::Updated(match &res {
                Some(r) => r
                    .update(&ctx, prior, planned)
                    .await
                    .map(|v| carry_timeouts(r.schema(), planned, v)),
                None => Err(ProviderError::new("unsupported resource type")),
            }),
            OpKind::Delete {
                prior,
                provisioners,
            } => {
                for e in provisioners {
                    if let Err(m) = run_exec(&addr, e).await {
                        if !e.continue_on_failure {
                            return OpResult::Deleted(Err(ProviderError::new(m)));
                        }
                    }
                }
                OpResult::Deleted(match &res {
                    Some(r) => r.delete(&ctx, prior).await,
                    None => Err(ProviderError::new("unsupported resource type")),
                })
            }
            OpKind::Read { config } => OpResult::Read(match &ds {
                Some(d) => d
                    .read(&ctx, config)
                    .await
                    .map(|v| carry_timeouts(d.schema(), config, v)),
                None => Err(ProviderError::new("unsupported data source")),
            }),
            OpKind::Provision { execs, .. } => {
                for e in execs {
                    if let Err(m) = run_exec(&addr, e).await {
                        if !e.continue_on_failure {
                            return OpResult::Provisioned(Err(m));
                        }
                    }
                }
                OpResult::Provisioned(Ok(()))
            }
        }
    };
    tokio::pin!(fut);
    let mut tick = tokio::time::interval(progress_interval());
    tick.tick().await;
    let r = loop {
        tokio::select! {
            r = &mut fut => break r,
            _ = tick.tick() => println!("{addr}: {still_msg} [{} elapsed]", fmt_elapsed(started.elapsed())),
        }
    };
    log_op(&addr, start_msg, op_started);
    let ok = match &r {
        OpResult::Created(Ok(v), _) | OpResult::Updated(Ok(v)) | OpResult::Read(Ok(v)) => {
            Some(id_of(v).map(|i| format!(" [id={i}]")).unwrap_or_default())
        }
        OpResult::Provisioned(Ok(())) => match &kind {
            OpKind::Provision { id: Some(i), .. } => Some(format!(" [id={i}]")),
            _ => Some(String::new()),
        },
        OpResult::Deleted(Ok(())) => Some(String::new()),
        _ => None,
    };
    let deferred = matches!(
        kind,
        OpKind::Create {
            provisioned: true,
            ..
        }
    );
    if let Some(idp) = ok {
        if !deferred {
            println!(
                "{addr}: {done_msg} after {}{idp}",
                fmt_elapsed(started.elapsed())
            );
        }
    }
    r
}

/// A create waiting for the state write that records it as pending.
type Deferred = (NodeId, AbsResourceInstance, Option<Vec<String>>, OpKind);

struct Walker<'w> {
    /// The in-memory state has changes the file does not have yet.
    dirty: bool,
    /// Creates to spawn after the next state write (which records them).
    deferred: Vec<Deferred>,
    world: &'w World,
    root: &'w Arc<Module>,
    state: State,
    on_disk: Option<State>,
    mgr: Arc<dyn crate::state::mgr::StateMgr>,
    /// The last write failed (the in-memory state is newer than the stored one).
    write_failed: bool,
    diags: Diagnostics,
    counts: Counts,
    changes: HashMap<AbsResourceInstance, ResourceChange>,
    /// Deposed keys: of the old objects of create-before-destroy
    /// replacements, and of deletes of deposed objects in flight.
    deposed: HashMap<AbsResourceInstance, String>,
    /// The configuration's direct resource dependencies.
    resource_deps: crate::graph::ResourceDeps,
    /// Planned values (with their sensitivity marks) of creates and updates
    /// in flight: the provider's result gets the same marks.
    planned: HashMap<AbsResourceInstance, Value>,
    /// The evaluated `provider` blocks.
    providers: ProviderConfigs,
}

impl<'w> Walker<'w> {
    /// Write the state if it changed since the last write. Results that
    /// arrive together share one write (each write is an fsync'd rename).
    fn flush(&mut self) {
        if self.dirty {
            self.persist();
        }
    }

    fn persist(&mut self) {
        self.dirty = false;
        let mut s = self.state.clone();
        s.sort();
        match self.mgr.persist(self.on_disk.as_ref(), s) {
            Ok(written) => {
                self.on_disk = Some(written);
                self.write_failed = false;
            }
            Err(e) => {
                // One diagnostic per failing streak, not one per operation.
                if !self.write_failed {
                    self.diags.push(Diagnostic::error("Failed to persist state", format!("{e}\n\nThe state could not be written; the in-memory state is kept and will be written again after the next operation.")));
                }
                self.write_failed = true;
            }
        }
    }

    /// The provider context of an instance: the configuration its block's
    /// `provider` meta-argument names, else the one state records.
    fn provider_ctx(&self, addr: &AbsResourceInstance) -> ProviderCtx {
        let ty = &addr.resource.ty;
        match self.block(&addr.abs_resource()) {
            Some(b) => self.providers.ctx(
                ty,
                b.meta.provider.as_ref().and_then(|p| p.1.as_deref()),
                addr.to_string(),
            ),
            None => {
                let paddr = self
                    .state
                    .instance(addr)
                    .map(|(r, _)| r.provider.clone())
                    .unwrap_or_default();
                self.providers.ctx_for_addr(ty, &paddr, addr.to_string())
            }
        }
    }

    fn block(&self, a: &AbsResource) -> Option<&'w ResourceBlock> {
        module_at(self.root, &a.module.module_path()).and_then(|m| resource_block(m, &a.resource))
    }

    fn record(&mut self, addr: &AbsResourceInstance, v: &Value, tainted: bool, deps: Vec<String>) {
        let Some(res) = registry().resource(&addr.resource.ty) else {
            return;
        };
        let (attrs, sens) = to_state(v);
        let cbd = self
            .block(&addr.abs_resource())
            .map(|b| b.meta.lifecycle.create_before_destroy)
            .unwrap_or(false);
        let alias = self
            .block(&addr.abs_resource())
            .and_then(|b| b.meta.provider.as_ref().and_then(|p| p.1.clone()));
        self.state.set_instance(
            addr,
            &provider_addr(&addr.resource.ty, alias.as_deref()),
            InstanceState {
                index_key: addr.key.as_ref().map(|k| k.to_json()),
                status: if tainted {
                    Some("tainted".into())
                } else {
                    None
                },
                deposed: None,
                schema_version: res.schema().version,
                attributes: attrs,
                sensitive_attributes: sens,
                private: None,
                dependencies: deps,
                create_before_destroy: cbd,
            },
        );
    }

    fn evaluate_provisioners(
        &mut self,
        view: &crate::engine::modeval::ModView,
        b: &ResourceBlock,
        self_value: &Value,
        destroy: bool,
    ) -> Result<Vec<Exec>, Diagnostics> {
        let mut out = vec![];
        let pv = view.with_rep(Rep {
            self_value: Some(self_value.clone()),
            ..view.rep.clone()
        });
        for p in b
            .meta
            .provisioners
            .iter()
            .filter(|p| p.when_destroy == destroy)
        {
            out.push(eval_exec(&pv, p)?);
        }
        Ok(out)
    }
}

fn eval_exec(view: &crate::engine::modeval::ModView, p: &Provisioner) -> Result<Exec, Diagnostics> {
    let schema = crate::providers::Schema::new()
        .attr(
            "command",
            crate::providers::Attribute::required(Type::String),
        )
        .attr(
            "interpreter",
            crate::providers::Attribute::optional(Type::list(Type::String)),
        )
        .attr(
            "environment",
            crate::providers::Attribute::optional(Type::map(Type::String)),
        )
        .attr(
            "working_dir",
            crate::providers::Attribute::optional(Type::String),
        )
        .attr("quiet", crate::providers::Attribute::optional(Type::Bool));
    let mut dec = Decoder {
        view,
        file: p.file.clone(),
        context: Some("provisioner \"local-exec\"".into()),
        scopes: vec![],
    };
    let v = dec.decode(&p.body, &schema)?;
    let sensitive = v.deep_sensitive();
    let v = v.unmark_deep();
    let m = v.as_entries().cloned().unwrap_or_default();
    let s = |k: &str| m.get(k).and_then(|x| x.as_str()).map(|x| x.to_string());
    Ok(Exec {
        command: s("command").unwrap_or_default(),
        interpreter: m.get("interpreter").and_then(|x| x.as_seq()).map(|xs| {
            xs.iter()
                .filter_map(|x| x.as_str().map(|s| s.to_string()))
                .collect()
        }),
        environment: m
            .get("environment")
            .and_then(|x| x.as_entries())
            .map(|e| {
                e.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect()
            })
            .unwrap_or_default(),
        working_dir: s("working_dir"),
        continue_on_failure: p.on_failure_continue,
        sensitive,
    })
}

/// Apply a plan.
pub fn apply(
    root: &Arc<Module>,
    world: &World,
    graph: &ConfigGraph,
    plan: &Plan,
    opts: ApplyOptions,
) -> ApplyOutcome {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut w = Walker {
        dirty: false,
        deferred: vec![],
        world,
        root,
        state: plan.prior_state.clone(),
        on_disk: opts.on_disk.clone(),
        mgr: opts.state.clone(),
        write_failed: false,
        diags: Diagnostics::new(),
        counts: Counts::default(),
        changes: plan
            .changes
            .iter()
            .filter(|c| c.deposed.is_none())
            .map(|c| (c.addr.clone(), c.clone()))
            .collect(),
        deposed: HashMap::new(),
        resource_deps: graph.resource_deps(),
        planned: HashMap::new(),
        providers: ProviderConfigs::default(),
    };
    let (providers, pdiags) = ProviderConfigs::evaluate(root, world);
    w.providers = providers;
    w.diags.extend(pdiags);
    // References see the planned values until the real ones are known.
    preload(world, plan);
    for a in &plan.forget {
        w.state.remove_instance(a);
        println!("{a}: Removed from state (the object itself still exists)");
    }
    // Persist what refresh, moves, imports and forgets changed.
    if w.on_disk.is_some() || !w.state.resources.is_empty() {
        w.persist();
    }
    let interrupted = rt.block_on(walk(&mut w, graph, plan, opts.parallelism.max(1)));
    // Outputs, from the final values.
    let mut outputs = BTreeMap::new();
    if !plan.destroy {
        let rv = world.root_view();
        for name in root.outputs.keys() {
            if let Ok(v) = rv.output(name) {
                outputs.insert(name.clone(), v.map_numbers(&|n| n.msgpack_roundtrip()));
            }
        }
        world.run.report(w.diags.clone());
        w.diags = world.run.diags.take();
    }
    // An output that is still unknown (its resources were not applied: a
    // failure, or -target) keeps the value it had.
    let prior_outputs = std::mem::take(&mut w.state.outputs);
    w.state.outputs = outputs
        .iter()
        .filter_map(|(k, v)| {
            if v.is_null() {
                return None;
            }
            if !v.is_wholly_known() {
                return prior_outputs.get(k).map(|o| (k.clone(), o.clone()));
            }
            let (value, _) = to_state(v);
            Some((
                k.clone(),
                crate::state::OutputState {
                    value,
                    ty: crate::lang::render::type_json(&v.ty()),
                    sensitive: v.deep_sensitive(),
                },
            ))
        })
        .collect();
    outputs.retain(|_, v| v.is_wholly_known());
    w.persist();
    if w.write_failed && !w.mgr.is_local() {
        save_errored(&mut w);
    }
    ApplyOutcome {
        state: w.state,
        counts: w.counts,
        diags: w.diags,
        outputs,
        interrupted,
    }
}

/// The remote backend refused the final state: keep it locally in
/// `errored.tfstate`, as Terraform does, and say how to push it.
fn save_errored(w: &mut Walker) {
    let mut s = w.state.clone();
    s.sort();
    if let Some(p) = crate::state::next_snapshot(w.on_disk.as_ref(), s) {
        let path = std::path::Path::new("errored.tfstate");
        let detail = match crate::state::write_atomic(path, &p) {
            Ok(()) => format!("The error shown above has prevented herd from writing the updated state to\nthe configured backend ({}). To allow for recovery, the state has been written\nto the file \"errored.tfstate\" in the current working directory.\n\nRunning \"herd apply\" again at this point will create a forked state, making it\nharder to recover.\n\nTo retry writing this state, use the following command:\n    herd state push errored.tfstate", w.mgr.describe()),
            Err(e) => format!("herd could not write the state to the backend ({}) nor to \"errored.tfstate\": {e}. The state of the objects just created or changed is lost; import them again.", w.mgr.describe()),
        };
        w.diags
            .push(Diagnostic::error("Failed to save state", detail));
    }
}

/// Publish every resource's planned value, so that expansions and other
/// values evaluate as they did during planning.
fn preload(world: &World, plan: &Plan) {
    let mut groups: BTreeMap<AbsResource, BTreeMap<Option<InstanceKey>, Value>> = BTreeMap::new();
    for c in &plan.changes {
        if c.action == Action::Delete {
            continue;
        }
        if let Some(v) = c.after.clone().or_else(|| c.before.clone()) {
            groups
                .entry(c.addr.abs_resource())
                .or_default()
                .insert(c.addr.key.clone(), v);
        }
    }
    for (a, insts) in groups {
        let v = match insts.keys().next() {
            Some(None) | None => insts
                .get(&None)
                .cloned()
                .unwrap_or_else(|| Value::unknown(Type::Dynamic)),
            Some(Some(InstanceKey::Int(_))) => Value::tuple(insts.into_values().collect()),
            Some(Some(InstanceKey::Str(_))) => Value::object(
                insts
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            match k {
                                Some(InstanceKey::Str(s)) => s,
                                _ => String::new(),
                            },
                            v,
                        )
                    })
                    .collect(),
            ),
        };
        world.set_resource(a, v);
    }
}

async fn walk(w: &mut Walker<'_>, graph: &ConfigGraph, plan: &Plan, parallelism: usize) -> bool {
    let sem = Arc::new(Semaphore::new(parallelism));
    let deps = graph.resource_deps();
    // Nodes.
    let mut nodes: BTreeMap<NodeId, NodeState> = BTreeMap::new();
    let destroy_only = plan.destroy;
    if !destroy_only {
        for (path, res) in graph.resource_order() {
            for st in w.world.instances_of(&path) {
                let a = AbsResource {
                    module: st.addr.clone(),
                    resource: res.clone(),
                };
                nodes.entry(NodeId::C(a)).or_default();
            }
        }
    }
    // Delete parts: every instance whose change deletes an object.
    let mut deletes: BTreeMap<AbsResource, Vec<ResourceChange>> = BTreeMap::new();
    for c in &plan.changes {
        if matches!(
            c.action,
            Action::Delete | Action::DeleteThenCreate | Action::CreateThenDelete
        ) {
            deletes
                .entry(c.addr.abs_resource())
                .or_default()
                .push(c.clone());
        }
    }
    for a in deletes.keys() {
        nodes.entry(NodeId::D(a.clone())).or_default();
    }
    let ids: Vec<NodeId> = nodes.keys().cloned().collect();
    let path_of = |a: &AbsResource| (a.module.module_path(), a.resource.clone());
    // State dependencies (for objects without configuration).
    let state_deps: HashMap<AbsResource, BTreeSet<String>> = {
        let mut m: HashMap<AbsResource, BTreeSet<String>> = HashMap::new();
        for (addr, _, i) in plan.prior_state.instances() {
            m.entry(addr.abs_resource())
                .or_default()
                .extend(i.dependencies.iter().cloned());
        }
        m
    };
    let depends_on = |x: &AbsResource, y: &AbsResource| -> bool {
        deps.get(&path_of(x))
            .map(|d| d.contains(&path_of(y)))
            .unwrap_or(false)
            || state_deps
                .get(x)
                .map(|d| d.contains(&y.to_string()))
                .unwrap_or(false)
    };
    let any_action = |x: &AbsResource, act: Action| {
        deletes
            .get(x)
            .map(|cs| cs.iter().any(|c| c.action == act))
            .unwrap_or(false)
    };
    let all_cbd = |x: &AbsResource| {
        deletes
            .get(x)
            .map(|cs| cs.iter().all(|c| c.action == Action::CreateThenDelete))
            .unwrap_or(false)
    };
    for id in &ids {
        let mut d = BTreeSet::new();
        for other in &ids {
            let edge = match (id, other) {
                (NodeId::C(a), NodeId::C(b)) => b != a && depends_on(a, b),
                // Destroy-before-create replacements wait for the delete.
                (NodeId::C(a), NodeId::D(b)) => b == a && any_action(b, Action::DeleteThenCreate),
                // Dependents are destroyed first.
                (NodeId::D(a), NodeId::D(b)) => b != a && depends_on(b, a),
                // Create-before-destroy: the replacement exists first, and
                // objects depending on it are updated before the old one goes.
                (NodeId::D(a), NodeId::C(b)) => {
                    (b == a && any_action(a, Action::CreateThenDelete))
                        || (b != a && depends_on(b, a) && all_cbd(a))
                }
            };
            if edge {
                d.insert(other.clone());
            }
        }
        nodes.get_mut(id).expect("node exists").deps = d;
    }
    let mut set: JoinSet<(NodeId, AbsResourceInstance, Option<Vec<String>>, OpResult)> =
        JoinSet::new();
    let mut stopping = false;
    let mut interrupts = 0;
    loop {
        // Start every ready node.
        if !stopping {
            let ready: Vec<NodeId> = nodes
                .iter()
                .filter(|(_, n)| {
                    !n.started
                        && n.deps
                            .iter()
                            .all(|d| nodes.get(d).map(|x| x.done && !x.failed).unwrap_or(true))
                })
                .map(|(id, _)| id.clone())
                .collect();
            for id in ready {
                start_node(w, &id, &mut nodes, &mut set, &sem, &deletes, plan);
            }
            // Nodes that can never start (a dependency failed) are skipped.
            loop {
                let skip: Vec<NodeId> = nodes
                    .iter()
                    .filter(|(_, n)| {
                        !n.started
                            && n.deps
                                .iter()
                                .any(|d| nodes.get(d).map(|x| x.failed).unwrap_or(false))
                    })
                    .map(|(id, _)| id.clone())
                    .collect();
                if skip.is_empty() {
                    break;
                }
                for id in skip {
                    let n = nodes.get_mut(&id).expect("node");
                    n.started = true;
                    n.done = true;
                    n.failed = true;
                }
            }
        }
        w.flush();
        for (id, addr, deps, kind) in std::mem::take(&mut w.deferred) {
            spawn(w, &mut set, id, addr, deps, kind, &sem, None);
        }
        if set.is_empty() {
            let waiting = nodes.values().any(|n| !n.started);
            if !waiting || stopping {
                break;
            }
            // Nothing running and nothing can start: finished nodes unblock others next round.
            if !nodes.iter().any(|(_, n)| {
                !n.started
                    && n.deps
                        .iter()
                        .all(|d| nodes.get(d).map(|x| x.done).unwrap_or(true))
            }) {
                break;
            }
            continue;
        }
        tokio::select! {
            r = set.join_next() => {
                let Some(r) = r else { continue };
                match r {
                    Ok((id, addr, deps_list, res)) => finish_op(w, &id, &addr, deps_list, res, &mut nodes, &mut set, &sem),
                    Err(e) => w.diags.push(Diagnostic::error("Internal error", format!("an operation task failed: {e}"))),
                }
                // Everything else that finished meanwhile shares the next
                // state write.
                while let Some(r) = set.try_join_next() {
                    match r {
                        Ok((id, addr, deps_list, res)) => finish_op(w, &id, &addr, deps_list, res, &mut nodes, &mut set, &sem),
                        Err(e) => w.diags.push(Diagnostic::error("Internal error", format!("an operation task failed: {e}"))),
                    }
                }
            }
            _ = tokio::signal::ctrl_c() => {
                interrupts += 1;
                if interrupts == 1 {
                    stopping = true;
                    eprintln!("\nInterrupt received.\nPlease wait for herd to exit or data loss may occur.\nGracefully shutting down...\n");
                } else {
                    eprintln!("Two interrupts received. Exiting immediately; the state file records all finished operations.");
                    w.persist();
                    std::process::exit(1);
                }
            }
        }
    }
    if stopping {
        w.diags.push(Diagnostic::error("Operation interrupted", "herd stopped after the operations in flight finished; the state records everything that was done. Run apply again to continue."));
    }
    stopping
}

/// The `dependencies` recorded in state for an instance of `a`: like
/// Terraform, every resource it depends on directly or transitively, by
/// configuration address (module instance keys dropped).
fn dependencies_of(w: &Walker, a: &AbsResource) -> Vec<String> {
    let start = (a.module.module_path(), a.resource.clone());
    let mut seen = BTreeSet::new();
    let mut stack: Vec<_> = w
        .resource_deps
        .get(&start)
        .map(|d| d.iter().cloned().collect())
        .unwrap_or_default();
    while let Some(x) = stack.pop() {
        if x == start || !seen.insert(x.clone()) {
            continue;
        }
        if let Some(d) = w.resource_deps.get(&x) {
            stack.extend(d.iter().cloned());
        }
    }
    let mut v: Vec<String> = seen
        .into_iter()
        .map(|(path, r)| {
            let mut s: String = path.iter().map(|m| format!("module.{m}.")).collect();
            s.push_str(&r.to_string());
            s
        })
        .collect();
    v.sort();
    v
}

#[allow(clippy::too_many_arguments)]
fn start_node(
    w: &mut Walker,
    id: &NodeId,
    nodes: &mut BTreeMap<NodeId, NodeState>,
    set: &mut JoinSet<(NodeId, AbsResourceInstance, Option<Vec<String>>, OpResult)>,
    sem: &Arc<Semaphore>,
    deletes: &BTreeMap<AbsResource, Vec<ResourceChange>>,
    plan: &Plan,
) {
    nodes.get_mut(id).expect("node").started = true;
    match id {
        NodeId::D(a) => {
            for c in deletes.get(a).cloned().unwrap_or_default() {
                let prior = c.before.clone().unwrap_or_else(Value::null);
                let provs = match w.block(a) {
                    Some(b) if b.meta.provisioners.iter().any(|p| p.when_destroy) => {
                        let st = w
                            .world
                            .instances_of(&a.module.module_path())
                            .into_iter()
                            .find(|s| s.addr == a.module);
                        match st {
                            Some(st) => {
                                let view =
                                    w.world.view(&st).with_rep(Rep::for_key(&c.addr.key, None));
                                match w.evaluate_provisioners(&view, b, &prior, true) {
                                    Ok(p) => p,
                                    Err(d) => {
                                        w.diags.extend(d);
                                        vec![]
                                    }
                                }
                            }
                            None => vec![],
                        }
                    }
                    _ => vec![],
                };
                let kind = OpKind::Delete {
                    prior: prior.unmark_deep(),
                    provisioners: provs,
                };
                let deposed = c.deposed.clone().or_else(|| {
                    if c.action == Action::CreateThenDelete {
                        w.deposed.get(&c.addr).cloned()
                    } else {
                        None
                    }
                });
                match &deposed {
                    Some(k) => {
                        w.deposed.insert(c.addr.clone(), k.clone());
                    }
                    None => {
                        w.deposed.remove(&c.addr);
                    }
                }
                spawn(
                    w,
                    set,
                    id.clone(),
                    c.addr.clone(),
                    None,
                    kind,
                    sem,
                    deposed.as_deref(),
                );
                nodes.get_mut(id).expect("node").pending_ops += 1;
            }
        }
        NodeId::C(a) => {
            let Some(b) = w.block(a) else {
                mark_done(nodes, id, false);
                return;
            };
            let Some(st) = w
                .world
                .instances_of(&a.module.module_path())
                .into_iter()
                .find(|s| s.addr == a.module)
            else {
                mark_done(nodes, id, false);
                return;
            };
            let view = w.world.view(&st);
            let ctxn = Some(format!("resource {:?} {:?}", b.ty, b.name));
            let exp = match view.expand(&b.meta.count, &b.meta.for_each, ctxn.clone()) {
                Ok(e) => e,
                Err(d) => {
                    w.diags.extend(d);
                    mark_done(nodes, id, true);
                    return;
                }
            };
            nodes.get_mut(id).expect("node").expansion = Some(exp.clone());
            let deps_list = dependencies_of(w, a);
            let mut record_pending = false;
            let mut to_spawn: Vec<(AbsResourceInstance, OpKind)> = vec![];
            for (key, each_value) in exp.keys() {
                let addr = a.instance(key.clone());
                let change = w.changes.get(&addr).cloned();
                let iv = view.with_rep(Rep::for_key(&key, each_value));
                if a.resource.mode == Mode::Data {
                    let Some(ds) = registry().data_source(&a.resource.ty) else {
                        continue;
                    };
                    let mut dec = Decoder {
                        view: &iv,
                        file: b.file.clone(),
                        context: ctxn.clone(),
                        scopes: vec![],
                    };
                    match dec.decode(&b.meta.body, ds.schema()) {
                        Ok(config) => {
                            spawn(
                                w,
                                set,
                                id.clone(),
                                addr,
                                None,
                                OpKind::Read {
                                    config: config.unmark_deep(),
                                },
                                sem,
                                None,
                            );
                            nodes.get_mut(id).expect("node").pending_ops += 1;
                        }
                        Err(d) => {
                            w.diags.extend(d);
                            nodes.get_mut(id).expect("node").failed = true;
                        }
                    }
                    continue;
                }
                let Some(res) = registry().resource(&a.resource.ty) else {
                    continue;
                };
                let schema = res.schema();
                let action = change.as_ref().map(|c| c.action).unwrap_or(Action::NoOp);
                let prior_v = w
                    .state
                    .instance(&addr)
                    .map(|(_, i)| from_state(schema, &i.attributes, &i.sensitive_attributes));
                if matches!(action, Action::NoOp | Action::Read)
                    || (plan.destroy && action == Action::Delete)
                {
                    if let Some(p) = prior_v {
                        nodes
                            .get_mut(id)
                            .expect("node")
                            .values
                            .insert(key.clone(), p);
                    }
                    continue;
                }
                if action == Action::Delete {
                    continue;
                }
                // Re-evaluate the configuration now that dependencies are applied.
                let mut dec = Decoder {
                    view: &iv,
                    file: b.file.clone(),
                    context: ctxn.clone(),
                    scopes: vec![],
                };
                let config = match dec.decode(&b.meta.body, schema) {
                    Ok(c) => c,
                    Err(d) => {
                        w.diags.extend(d);
                        nodes.get_mut(id).expect("node").failed = true;
                        continue;
                    }
                };
                // Every dependency is applied by now, so the configuration
                // must be known: sending unknowns to the provider would turn
                // them into nulls or empty lists.
                if !config.is_wholly_known() {
                    w.diags.push(
                        Diagnostic::error(
                            "Configuration still unknown at apply",
                            format!("herd could not determine every argument of {addr} although the resources it refers to have been applied. This is a bug in herd; nothing was sent to the provider for this resource. Run apply again, and report the configuration if it recurs."),
                        )
                        .at(b.range.clone())
                        .in_context(ctxn.clone()),
                    );
                    nodes.get_mut(id).expect("node").failed = true;
                    continue;
                }
                let base = if action.is_replace() {
                    None
                } else {
                    prior_v.as_ref()
                };
                let cfg = apply_ignore_changes(
                    &b.meta.lifecycle.ignore_changes,
                    prior_v.as_ref(),
                    config,
                    schema,
                );
                let pctx = w.provider_ctx(&addr);
                let planned =
                    res.customize_plan(&pctx, base, &cfg, propose(schema, base, &cfg).value);
                w.planned.insert(addr.clone(), planned.clone());
                let kind = match (action, &prior_v) {
                    (Action::Update, Some(p)) => OpKind::Update {
                        prior: p.clone().unmark_deep(),
                        planned: planned.unmark_deep(),
                    },
                    _ => {
                        if action == Action::CreateThenDelete {
                            // The old object stays in state, deposed, until
                            // its replacement exists and it is destroyed.
                            let key = format!("{:08x}", rand::random::<u32>());
                            if w.state.depose(&addr, &key) {
                                w.deposed.insert(addr.clone(), key);
                            }
                        }
                        w.state.pending_operations.push(PendingOperation {
                            address: addr.to_string(),
                            operation: "create".into(),
                            started: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                        });
                        record_pending = true;
                        OpKind::Create {
                            planned: planned.unmark_deep(),
                            provisioned: b.meta.provisioners.iter().any(|p| !p.when_destroy),
                        }
                    }
                };
                to_spawn.push((addr, kind));
            }
            // Creates start only after the state write that records them as
            // pending (one write for every node started in the same round).
            if record_pending {
                w.dirty = true;
            }
            for (addr, kind) in to_spawn {
                if record_pending {
                    w.deferred
                        .push((id.clone(), addr, Some(deps_list.clone()), kind));
                } else {
                    spawn(
                        w,
                        set,
                        id.clone(),
                        addr,
                        Some(deps_list.clone()),
                        kind,
                        sem,
                        None,
                    );
                }
                nodes.get_mut(id).expect("node").pending_ops += 1;
            }
            let n = nodes.get_mut(id).expect("node");
            if n.pending_ops == 0 {
                let failed = n.failed;
                mark_done(nodes, id, failed);
                publish(w, id, nodes);
            }
        }
    }
    if nodes
        .get(id)
        .map(|n| n.pending_ops == 0 && !n.done)
        .unwrap_or(false)
    {
        let failed = nodes[id].failed;
        mark_done(nodes, id, failed);
    }
}

#[allow(clippy::too_many_arguments)]
fn spawn(
    w: &Walker,
    set: &mut JoinSet<(NodeId, AbsResourceInstance, Option<Vec<String>>, OpResult)>,
    id: NodeId,
    addr: AbsResourceInstance,
    deps: Option<Vec<String>>,
    kind: OpKind,
    sem: &Arc<Semaphore>,
    deposed: Option<&str>,
) {
    let sem = sem.clone();
    let ty = addr.resource.ty.clone();
    let name = match deposed {
        Some(k) => format!("{addr} (deposed object {k})"),
        None => addr.to_string(),
    };
    let ctx = w.provider_ctx(&addr);
    set.spawn(async move {
        let r = run_op(name, ty, kind, ctx, sem).await;
        (id, addr, deps, r)
    });
}

fn mark_done(nodes: &mut BTreeMap<NodeId, NodeState>, id: &NodeId, failed: bool) {
    if let Some(n) = nodes.get_mut(id) {
        n.done = true;
        n.failed |= failed;
    }
}

/// Publish a finished C node's instance values for references.
fn publish(w: &mut Walker, id: &NodeId, nodes: &BTreeMap<NodeId, NodeState>) {
    if let NodeId::C(a) = id {
        let n = &nodes[id];
        if let Some(exp) = &n.expansion {
            w.world
                .set_resource(a.clone(), resource_value(exp, &n.values));
        }
    }
}

fn error_diag(w: &Walker, addr: &AbsResourceInstance, what: &str, e: &ProviderError) -> Diagnostic {
    let b = w.block(&addr.abs_resource());
    let range = b.and_then(|b| b.range.clone());
    let ctx = b.map(|b| format!("resource {:?} {:?}", b.ty, b.name));
    let kind = registry()
        .resource(&addr.resource.ty)
        .map(|r| r.display_name().to_string())
        .unwrap_or_default();
    let code = e
        .code
        .as_ref()
        .map(|c| format!("{c}: "))
        .unwrap_or_default();
    Diagnostic::error(
        format!("{what} {kind} ({addr}): {code}{}", e.message.lines().next().unwrap_or("")),
        format!("{}\n\nThe operation failed; the state records everything that was done before it. Fix the cause and run apply again.", e.message),
    )
    .at(range)
    .in_context(ctx)
}

#[allow(clippy::too_many_arguments)]
fn finish_op(
    w: &mut Walker,
    id: &NodeId,
    addr: &AbsResourceInstance,
    deps_list: Option<Vec<String>>,
    res: OpResult,
    nodes: &mut BTreeMap<NodeId, NodeState>,
    set: &mut JoinSet<(NodeId, AbsResourceInstance, Option<Vec<String>>, OpResult)>,
    sem: &Arc<Semaphore>,
) {
    // By mode: a type can be both a resource and a data source (local_file),
    // with different schemas (and sensitive attributes).
    let schema = if addr.resource.mode == Mode::Data {
        registry()
            .data_source(&addr.resource.ty)
            .map(|d| d.schema().clone())
    } else {
        registry()
            .resource(&addr.resource.ty)
            .map(|r| r.schema().clone())
    };
    let key = addr.key.clone();
    let mut failed = false;
    let addr_s = addr.to_string();
    let mut follow_up = None;
    match res {
        OpResult::Created(r, started) => {
            w.state.pending_operations.retain(|p| p.address != addr_s);
            match r {
                Ok(v) => {
                    let v = schema.as_ref().map(|s| normalize(s, &v)).unwrap_or(v);
                    let v = match w.planned.remove(addr) {
                        Some(p) => copy_marks(&p, v),
                        None => v,
                    };
                    w.record(addr, &v, false, deps_list.clone().unwrap_or_default());
                    w.counts.added += 1;
                    let replaced_cbd = w
                        .changes
                        .get(addr)
                        .map(|c| c.action == Action::CreateThenDelete)
                        .unwrap_or(false);
                    let _ = replaced_cbd;
                    // Create-time provisioners.
                    if let Some(b) = w.block(&addr.abs_resource()) {
                        if b.meta.provisioners.iter().any(|p| !p.when_destroy) {
                            if let Some(st) = w
                                .world
                                .instances_of(&addr.module.module_path())
                                .into_iter()
                                .find(|s| s.addr == addr.module)
                            {
                                let view = w.world.view(&st).with_rep(Rep::for_key(&key, None));
                                match w.evaluate_provisioners(&view, b, &v, false) {
                                    Ok(execs) if !execs.is_empty() => {
                                        follow_up = Some(OpKind::Provision {
                                            execs,
                                            started,
                                            id: id_of(&v),
                                        })
                                    }
                                    Ok(_) => {}
                                    Err(d) => {
                                        w.diags.extend(d);
                                        w.record(
                                            addr,
                                            &v,
                                            true,
                                            deps_list.clone().unwrap_or_default(),
                                        );
                                        failed = true;
                                    }
                                }
                            }
                        }
                    }
                    if !failed {
                        check_postconditions(w, addr, &v, &mut failed);
                    }
                    nodes
                        .get_mut(id)
                        .expect("node")
                        .values
                        .insert(key.clone(), v);
                }
                Err(e) => {
                    if let Some(p) = &e.partial {
                        let p = schema
                            .as_ref()
                            .map(|s| normalize(s, p))
                            .unwrap_or(p.clone());
                        w.record(addr, &p, true, deps_list.clone().unwrap_or_default());
                    }
                    if e.partial.is_none() {
                        if let Some(k) = w.deposed.get(addr).cloned() {
                            w.state.restore_deposed(addr, &k);
                        }
                    }
                    w.diags.push(error_diag(w, addr, "creating", &e));
                    failed = true;
                }
            }
        }
        OpResult::Updated(r) => match r {
            Ok(v) => {
                let v = schema.as_ref().map(|s| normalize(s, &v)).unwrap_or(v);
                let v = match w.planned.remove(addr) {
                    Some(p) => copy_marks(&p, v),
                    None => v,
                };
                w.record(addr, &v, false, deps_list.clone().unwrap_or_default());
                w.counts.changed += 1;
                check_postconditions(w, addr, &v, &mut failed);
                nodes
                    .get_mut(id)
                    .expect("node")
                    .values
                    .insert(key.clone(), v);
            }
            Err(e) => {
                w.diags.push(error_diag(w, addr, "updating", &e));
                failed = true;
            }
        },
        OpResult::Deleted(r) => match r {
            Ok(()) => {
                // A deposed object (the old one of a create-before-destroy
                // replacement, or one left by an earlier run) goes by its key.
                match w.deposed.remove(addr) {
                    Some(k) => w.state.remove_deposed(addr, &k),
                    None => {
                        w.state.remove_instance(addr);
                    }
                }
                w.counts.destroyed += 1;
            }
            Err(e) => {
                w.diags.push(error_diag(w, addr, "deleting", &e));
                failed = true;
            }
        },
        OpResult::Read(r) => match r {
            Ok(v) => {
                let v = schema.as_ref().map(|s| normalize(s, &v)).unwrap_or(v);
                nodes
                    .get_mut(id)
                    .expect("node")
                    .values
                    .insert(key.clone(), v);
            }
            Err(e) => {
                w.diags.push(error_diag(w, addr, "reading", &e));
                failed = true;
            }
        },
        OpResult::Provisioned(r) => {
            if let Err(m) = r {
                if let Some((_, i)) = w.state.instance(addr) {
                    let mut i = i.clone();
                    i.status = Some("tainted".into());
                    let p = w
                        .state
                        .instance(addr)
                        .map(|(r, _)| r.provider.clone())
                        .unwrap_or_default();
                    w.state.set_instance(addr, &p, i);
                }
                let b = w.block(&addr.abs_resource());
                let range = b.and_then(|b| {
                    b.meta
                        .provisioners
                        .iter()
                        .find(|p| !p.when_destroy)
                        .and_then(|p| p.range.clone())
                });
                let ctx = b.map(|b| format!("resource {:?} {:?}", b.ty, b.name));
                w.diags.push(
                    Diagnostic::error("local-exec provisioner error", m)
                        .at(range)
                        .in_context(ctx),
                );
                failed = true;
            }
        }
    }
    w.dirty = true;
    if let Some(kind) = follow_up {
        spawn(w, set, id.clone(), addr.clone(), deps_list, kind, sem, None);
        // pending count stays: the provisioner replaces this op
    } else {
        let n = nodes.get_mut(id).expect("node");
        n.pending_ops -= 1;
    }
    let n = nodes.get_mut(id).expect("node");
    n.failed |= failed;
    if n.pending_ops == 0 {
        let f = n.failed;
        mark_done(nodes, id, f);
        publish(w, id, nodes);
    }
}

fn check_postconditions(w: &mut Walker, addr: &AbsResourceInstance, v: &Value, failed: &mut bool) {
    let Some(b) = w.block(&addr.abs_resource()) else {
        return;
    };
    if b.meta.lifecycle.postconditions.is_empty() {
        return;
    }
    let Some(st) = w
        .world
        .instances_of(&addr.module.module_path())
        .into_iter()
        .find(|s| s.addr == addr.module)
    else {
        return;
    };
    let view = w.world.view(&st).with_rep(Rep {
        self_value: Some(v.clone()),
        ..Rep::for_key(&addr.key, None)
    });
    for pc in &b.meta.lifecycle.postconditions {
        if let Err(d) = view.check_condition(
            &pc.condition,
            &pc.error_message,
            Some(format!("resource {:?} {:?}", b.ty, b.name)),
            "Resource postcondition failed",
        ) {
            w.diags.extend(d);
            *failed = true;
        }
    }
}
