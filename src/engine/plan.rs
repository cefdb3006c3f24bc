//! The plan walk: refresh the prior state, apply `moved` blocks, then visit
//! every resource block in dependency order, expanding `count` / `for_each`
//! in each module instance, decoding its configuration and proposing the
//! new object, and finally plan deletions for instances that left the
//! configuration, and output changes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::addrs::{
    AbsResource, AbsResourceInstance, InstanceKey, Mode, ModuleInstance, Resource, Target,
};
use crate::config::{Module, ResourceBlock, ResourceMode};
use crate::diag::{Diagnostic, Diagnostics};
use crate::engine::decode::Decoder;
use crate::engine::diff::{apply_ignore_changes, normalize, propose, same};
use crate::engine::modeval::{Expansion, Rep, World};
use crate::engine::provcfg::ProviderConfigs;
use crate::engine::statevals::{from_state, provider_addr};
use crate::graph::ConfigGraph;
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::plan::{Action, ActionReason, OutputChange, Plan, ResourceChange};
use crate::providers::registry;
use crate::state::State;

#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    pub targets: Vec<Target>,
    pub replace: Vec<AbsResourceInstance>,
    pub destroy: bool,
    pub refresh: bool,
    pub refresh_only: bool,
}

/// Find the configuration of a module at a static path.
pub fn module_at<'a>(root: &'a Module, path: &[String]) -> Option<&'a Module> {
    let mut m = root;
    for p in path {
        m = m.module_calls.get(p)?.module.as_deref()?;
    }
    Some(m)
}

pub fn resource_block<'a>(m: &'a Module, r: &Resource) -> Option<&'a ResourceBlock> {
    m.resources.iter().find(|b| {
        b.ty == r.ty
            && b.name == r.name
            && ((b.mode == ResourceMode::Managed) == (r.mode == Mode::Managed))
    })
}

pub fn resource_of(b: &ResourceBlock) -> Resource {
    Resource {
        mode: if b.mode == ResourceMode::Managed {
            Mode::Managed
        } else {
            Mode::Data
        },
        ty: b.ty.clone(),
        name: b.name.clone(),
    }
}

/// The value a resource presents to references, from its instances.
pub fn resource_value(exp: &Expansion, insts: &BTreeMap<Option<InstanceKey>, Value>) -> Value {
    match exp {
        Expansion::Single => insts
            .get(&None)
            .cloned()
            .unwrap_or_else(|| Value::unknown(Type::Dynamic)),
        Expansion::Count(n) => Value::tuple(
            (0..*n)
                .map(|i| {
                    insts
                        .get(&Some(InstanceKey::Int(i)))
                        .cloned()
                        .unwrap_or_else(|| Value::unknown(Type::Dynamic))
                })
                .collect(),
        ),
        Expansion::Each(pairs) => Value::object(
            pairs
                .iter()
                .map(|(k, _)| {
                    (
                        k.clone(),
                        insts
                            .get(&Some(InstanceKey::Str(k.clone())))
                            .cloned()
                            .unwrap_or_else(|| Value::unknown(Type::Dynamic)),
                    )
                })
                .collect(),
        ),
    }
}

/// Block on a future from synchronous engine code.
pub fn block_on<F: std::future::Future>(rt: &tokio::runtime::Runtime, f: F) -> F::Output {
    rt.block_on(f)
}

pub struct Planner<'w> {
    pub world: &'w World,
    pub graph: &'w ConfigGraph,
    pub rt: &'w tokio::runtime::Runtime,
    pub opts: PlanOptions,
    pub diags: Diagnostics,
    /// The evaluated `provider` blocks.
    pub providers: ProviderConfigs,
}

pub(crate) fn ctx_name(b: &ResourceBlock) -> String {
    format!(
        "{} {:?} {:?}",
        if b.mode == ResourceMode::Managed {
            "resource"
        } else {
            "data"
        },
        b.ty,
        b.name
    )
}

impl<'w> Planner<'w> {
    /// Refresh every managed instance of the prior state (batched per type).
    pub fn refresh(&mut self, prior: &mut State, drift: &mut Vec<ResourceChange>) {
        // By type and provider configuration: one read_batch call each.
        type Insts = Vec<(AbsResourceInstance, Value, String)>;
        let mut by_type: BTreeMap<(String, String), Insts> = BTreeMap::new();
        for (addr, r, i) in prior.instances() {
            if addr.resource.mode != Mode::Managed || i.status.as_deref() == Some("tainted") {
                continue;
            }
            let Some(res) = registry().resource(&addr.resource.ty) else {
                continue;
            };
            let v = from_state(res.schema(), &i.attributes, &i.sensitive_attributes);
            let key = (addr.resource.ty.clone(), r.provider.clone());
            by_type
                .entry(key)
                .or_default()
                .push((addr, v, r.provider.clone()));
        }
        for ((ty, paddr), insts) in by_type {
            let res = registry().resource(&ty).expect("checked above");
            let ctx = self.providers.ctx_for_addr(&ty, &paddr, String::new());
            let values: Vec<Value> = insts
                .iter()
                .map(|(_, v, _)| v.clone().unmark_deep())
                .collect();
            let results = block_on(self.rt, res.read_batch(&ctx, &values));
            for ((addr, old, provider), r) in insts.into_iter().zip(results) {
                match r {
                    Ok(Some(new)) => {
                        let new = crate::providers::carry_timeouts(res.schema(), &old, new);
                        let new = normalize(res.schema(), &new);
                        if !same(&new, &old) {
                            drift.push(ResourceChange {
                                addr: addr.clone(),
                                prev_addr: None,
                                provider: provider.clone(),
                                action: Action::Update,
                                reason: None,
                                before: Some(old.clone()),
                                after: Some(new.clone()),
                                replace_paths: vec![],
                                deposed: None,
                                importing: None,
                            });
                            let (attrs, sens) = crate::engine::statevals::to_state(&new);
                            if let Some((_, i)) = prior.instance(&addr) {
                                let mut i = i.clone();
                                i.attributes = attrs;
                                i.sensitive_attributes = sens;
                                prior.set_instance(&addr, &provider, i);
                            }
                        }
                    }
                    Ok(None) => {
                        drift.push(ResourceChange {
                            addr: addr.clone(),
                            prev_addr: None,
                            provider: provider.clone(),
                            action: Action::Delete,
                            reason: None,
                            before: Some(old),
                            after: None,
                            replace_paths: vec![],
                            deposed: None,
                            importing: None,
                        });
                        prior.remove_instance(&addr);
                    }
                    Err(e) => self.diags.push(Diagnostic::error(
                        format!(
                            "reading {ty} ({addr}): {}",
                            e.code.clone().unwrap_or_else(|| "error".into())
                        ),
                        format!(
                            "{}\n\nherd could not refresh {addr}; the state was left unchanged.",
                            e.message
                        ),
                    )),
                }
            }
        }
    }

    /// Apply `moved` blocks to the prior state; returns new → old addresses.
    pub fn apply_moves(
        &mut self,
        root: &Module,
        prior: &mut State,
    ) -> HashMap<AbsResourceInstance, AbsResourceInstance> {
        let mut moved = HashMap::new();
        for mv in &root.moved {
            let (from, to) = match (mv.from.parse::<Target>(), mv.to.parse::<Target>()) {
                (Ok(f), Ok(t)) => (f, t),
                _ => {
                    self.diags.push(Diagnostic::error("Invalid moved block", format!("The addresses {:?} and {:?} must both be resource, resource instance or module addresses.", mv.from, mv.to)).at(mv.range.clone()));
                    continue;
                }
            };
            let insts: Vec<AbsResourceInstance> = prior
                .instances()
                .into_iter()
                .map(|(a, _, _)| a)
                .filter(|a| from.contains(a))
                .collect();
            for old in insts {
                let new = match (&from, &to) {
                    (Target::Instance(_), Target::Instance(t)) => t.clone(),
                    (Target::Resource(_), Target::Resource(t)) => t.instance(old.key.clone()),
                    (Target::Module(fm), Target::Module(tm)) => {
                        let mut m = tm.0.clone();
                        m.extend(old.module.0[fm.0.len()..].iter().cloned());
                        AbsResourceInstance {
                            module: ModuleInstance(m),
                            resource: old.resource.clone(),
                            key: old.key.clone(),
                        }
                    }
                    _ => {
                        self.diags.push(
                            Diagnostic::error(
                                "Invalid moved block",
                                "The \"from\" and \"to\" addresses must be of the same kind.",
                            )
                            .at(mv.range.clone()),
                        );
                        break;
                    }
                };
                if prior.instance(&new).is_some() {
                    continue;
                }
                if let Some((r, i)) = prior.instance(&old) {
                    let (p, i) = (r.provider.clone(), i.clone());
                    prior.remove_instance(&old);
                    prior.set_instance(&new, &p, i);
                    moved.insert(new, old);
                }
            }
        }
        moved
    }

    /// Plan one resource block in every instance of its module.
    #[allow(clippy::too_many_arguments)]
    pub fn plan_resource(
        &mut self,
        root: &Module,
        path: &[String],
        res: &Resource,
        prior: &State,
        moved: &HashMap<AbsResourceInstance, AbsResourceInstance>,
        changes: &mut Vec<ResourceChange>,
        planned_addrs: &mut BTreeSet<AbsResourceInstance>,
    ) {
        let Some(m) = module_at(root, path) else {
            return;
        };
        let Some(b) = resource_block(m, res) else {
            return;
        };
        let ctxn = Some(ctx_name(b));
        for st in self.world.instances_of(path) {
            let view = self.world.view(&st);
            let exp = match view.expand(&b.meta.count, &b.meta.for_each, ctxn.clone()) {
                Ok(e) => e,
                Err(d) => {
                    self.diags.extend(d);
                    continue;
                }
            };
            let keys = exp.keys();
            let abs = AbsResource {
                module: st.addr.clone(),
                resource: res.clone(),
            };
            let schema = match res.mode {
                Mode::Managed => registry().resource(&res.ty).map(|r| r.schema().clone()),
                Mode::Data => registry().data_source(&res.ty).map(|r| r.schema().clone()),
            };
            let Some(schema) = schema else {
                let known: Vec<&str> = match res.mode {
                    Mode::Managed => registry().resources.keys().copied().collect(),
                    Mode::Data => registry().data_sources.keys().copied().collect(),
                };
                let d = Diagnostic::error(
                    "Unsupported resource type",
                    format!(
                        "herd does not implement the {} type {:?}.{}",
                        if res.mode == Mode::Managed {
                            "resource"
                        } else {
                            "data source"
                        },
                        res.ty,
                        crate::config::suggest(&res.ty, &known)
                    ),
                )
                .at(b.range.clone());
                if keys.is_empty() {
                    let mut d = d;
                    d.severity = crate::diag::Severity::Warning;
                    d.detail
                        .push_str(" No instances are declared, so nothing is planned for it.");
                    self.diags.push(d);
                } else {
                    self.diags.push(d);
                }
                continue;
            };
            let alias = b.meta.provider.as_ref().and_then(|p| p.1.as_deref());
            let provider = provider_addr(&res.ty, alias);
            let mut values = BTreeMap::new();
            let prior_index = prior.instance_index(&abs);
            for (key, each_value) in keys.iter().cloned() {
                let addr = abs.instance(key.clone());
                planned_addrs.insert(addr.clone());
                let iv = view.with_rep(Rep::for_key(&key, each_value));
                let mut dec = Decoder {
                    view: &iv,
                    file: b.file.clone(),
                    context: ctxn.clone(),
                    scopes: vec![],
                };
                let config = match dec.decode(&b.meta.body, &schema) {
                    Ok(c) => c,
                    Err(d) => {
                        self.diags.extend(d);
                        values.insert(key.clone(), Value::unknown(Type::Dynamic));
                        continue;
                    }
                };
                for pc in &b.meta.lifecycle.preconditions {
                    if let Err(d) = iv.check_condition(
                        &pc.condition,
                        &pc.error_message,
                        ctxn.clone(),
                        "Resource precondition failed",
                    ) {
                        self.diags.extend(d);
                    }
                }
                match res.mode {
                    Mode::Data => {
                        let ds = registry().data_source(&res.ty).expect("schema found");
                        let deps_pending = self.depends_on_pending(&view, b, changes);
                        if config.is_wholly_known() && !deps_pending {
                            if let Err((summary, detail)) = ds.validate(&config) {
                                self.diags
                                    .push(Diagnostic::error(summary, detail).at(b.range.clone()));
                                values.insert(key.clone(), Value::unknown(Type::Dynamic));
                                continue;
                            }
                            let ctx = self.providers.ctx(&res.ty, alias, addr.to_string());
                            match block_on(self.rt, ds.read(&ctx, &config.clone().unmark_deep())) {
                                Ok(v) => {
                                    let v = crate::providers::carry_timeouts(&schema, &config, v);
                                    values.insert(key.clone(), normalize(&schema, &v));
                                }
                                Err(e) => {
                                    self.diags.push(
                                        Diagnostic::error(
                                            format!(
                                                "reading {} ({addr}): {}",
                                                res.ty,
                                                e.code.clone().unwrap_or_else(|| "error".into())
                                            ),
                                            e.message.clone(),
                                        )
                                        .at(b.range.clone()),
                                    );
                                    values.insert(key.clone(), Value::unknown(Type::Dynamic));
                                }
                            }
                        } else {
                            let planned = propose(&schema, None, &config).value;
                            values.insert(key.clone(), planned.clone());
                            changes.push(ResourceChange {
                                addr: addr.clone(),
                                prev_addr: None,
                                provider: provider.clone(),
                                action: Action::Read,
                                reason: Some(if config.is_wholly_known() {
                                    ActionReason::ReadBecauseDependencyPending
                                } else {
                                    ActionReason::ReadBecauseConfigUnknown
                                }),
                                before: None,
                                after: Some(planned),
                                replace_paths: vec![],
                                deposed: None,
                                importing: None,
                            });
                        }
                    }
                    Mode::Managed => {
                        let rimpl = registry().resource(&res.ty).expect("schema found");
                        let pctx = self.providers.ctx(&res.ty, alias, addr.to_string());
                        if config.is_wholly_known() {
                            if let Err((summary, detail)) = rimpl.validate(&config) {
                                self.diags
                                    .push(Diagnostic::error(summary, detail).at(b.range.clone()));
                            }
                        }
                        let pi = prior_index.get(&addr.key).copied();
                        let tainted = pi
                            .map(|(_, i)| i.status.as_deref() == Some("tainted"))
                            .unwrap_or(false);
                        let prior_v = pi.map(|(_, i)| {
                            from_state(&schema, &i.attributes, &i.sensitive_attributes)
                        });
                        let cfg = apply_ignore_changes(
                            &b.meta.lifecycle.ignore_changes,
                            prior_v.as_ref(),
                            config.clone(),
                            &schema,
                        );
                        let proposed = propose(&schema, prior_v.as_ref(), &cfg);
                        let mut planned =
                            rimpl.customize_plan(&pctx, prior_v.as_ref(), &cfg, proposed.value);
                        let mut replace_paths = proposed.replace_paths;
                        // A force-new attribute the resource normalised back to its prior
                        // value (the provider's StateFunc, e.g. a lower-cased name) is no change.
                        replace_paths.retain(|p| match (p.as_slice(), &prior_v) {
                            ([crate::plan::PathStep::Attr(n)], Some(pv)) => {
                                let at = |v: &Value| v.as_entries().and_then(|m| m.get(n)).cloned();
                                !matches!((at(&planned), at(pv)), (Some(a), Some(b)) if same(&a, &b))
                                    && rimpl.forces_replacement(n, pv, &planned)
                            }
                            _ => true,
                        });
                        let mut reason = None;
                        let requested = self.opts.replace.iter().any(|r| r == &addr);
                        let triggered =
                            prior_v.is_some() && self.replace_triggered(&iv, b, changes);
                        let action = match &prior_v {
                            None => Action::Create,
                            Some(p) => {
                                if tainted || requested || triggered || !replace_paths.is_empty() {
                                    reason = Some(if tainted {
                                        ActionReason::ReplaceBecauseTainted
                                    } else if requested {
                                        ActionReason::ReplaceByRequest
                                    } else if triggered {
                                        ActionReason::ReplaceByTriggers
                                    } else {
                                        ActionReason::ReplaceBecauseCannotUpdate
                                    });
                                    // The replacement is a new object: computed values are unknown.
                                    let fresh = propose(&schema, None, &cfg).value;
                                    planned = rimpl.customize_plan(&pctx, None, &cfg, fresh);
                                    if b.meta.lifecycle.create_before_destroy {
                                        Action::CreateThenDelete
                                    } else {
                                        Action::DeleteThenCreate
                                    }
                                } else if same(&planned, p) {
                                    Action::NoOp
                                } else if crate::providers::only_timeouts_differ(
                                    &schema, p, &planned,
                                ) {
                                    // As the provider's SDK plans it: the prior
                                    // object, its stored timeouts included.
                                    planned = crate::providers::carry_timeouts(&schema, p, planned);
                                    Action::NoOp
                                } else {
                                    Action::Update
                                }
                            }
                        };
                        if !action.is_replace() {
                            replace_paths.clear();
                        }
                        if action.is_replace() && b.meta.lifecycle.prevent_destroy {
                            self.diags.push(prevent_destroy_diag(&addr, b));
                        }
                        values.insert(key.clone(), planned.clone());
                        changes.push(ResourceChange {
                            addr: addr.clone(),
                            prev_addr: moved.get(&addr).cloned(),
                            provider: provider.clone(),
                            action,
                            reason,
                            before: prior_v,
                            after: Some(planned),
                            replace_paths,
                            deposed: None,
                            importing: None,
                        });
                    }
                }
            }
            self.world
                .set_resource(abs.clone(), resource_value(&exp, &values));
            // Instances in state that the expansion no longer has.
            let wanted: BTreeSet<Option<InstanceKey>> =
                keys.iter().map(|(k, _)| k.clone()).collect();
            for (addr, r, i) in prior.instances() {
                if addr.module != st.addr
                    || addr.resource != *res
                    || wanted.contains(&addr.key)
                    || res.mode == Mode::Data
                {
                    continue;
                }
                let reason = match (&addr.key, &exp) {
                    (Some(InstanceKey::Int(_)), Expansion::Count(_)) => {
                        ActionReason::DeleteBecauseCountIndex
                    }
                    (Some(InstanceKey::Str(_)), Expansion::Each(_)) => {
                        ActionReason::DeleteBecauseEachKey
                    }
                    _ => ActionReason::DeleteBecauseWrongRepetition,
                };
                if b.meta.lifecycle.prevent_destroy {
                    self.diags.push(prevent_destroy_diag(&addr, b));
                }
                planned_addrs.insert(addr.clone());
                changes.push(ResourceChange {
                    addr: addr.clone(),
                    prev_addr: None,
                    provider: r.provider.clone(),
                    action: Action::Delete,
                    reason: Some(reason),
                    before: Some(from_state(&schema, &i.attributes, &i.sensitive_attributes)),
                    after: None,
                    replace_paths: vec![],
                    deposed: None,
                    importing: None,
                });
            }
        }
    }

    /// Does any `replace_triggered_by` reference a resource with a planned change?
    /// Whether a managed resource (or a module) in this data resource's
    /// `depends_on` has a change planned: then Terraform defers the read to
    /// the apply (only `depends_on` counts, not references, whose values
    /// are known or not on their own).
    fn depends_on_pending(
        &self,
        view: &crate::engine::modeval::ModView,
        b: &ResourceBlock,
        changes: &[ResourceChange],
    ) -> bool {
        for e in &b.meta.depends_on {
            for r in crate::lang::refs::expr_refs(&e.expr) {
                let pending = |c: &ResourceChange| !matches!(c.action, Action::NoOp | Action::Read);
                let hit = match r.root.as_str() {
                    "data" => false,
                    "module" => {
                        let name = r.attrs.first().cloned().unwrap_or_default();
                        changes.iter().any(|c| {
                            pending(c)
                                && c.addr.module.to_string().starts_with(&format!(
                                    "{}module.{name}",
                                    if view.st.addr.to_string().is_empty() {
                                        String::new()
                                    } else {
                                        format!("{}.", view.st.addr)
                                    }
                                ))
                        })
                    }
                    ty => {
                        let target = Resource {
                            mode: Mode::Managed,
                            ty: ty.to_string(),
                            name: r.attrs.first().cloned().unwrap_or_default(),
                        };
                        changes.iter().any(|c| {
                            c.addr.module == view.st.addr && c.addr.resource == target && pending(c)
                        })
                    }
                };
                if hit {
                    return true;
                }
            }
        }
        false
    }

    fn replace_triggered(
        &self,
        view: &crate::engine::modeval::ModView,
        b: &ResourceBlock,
        changes: &[ResourceChange],
    ) -> bool {
        for e in &b.meta.lifecycle.replace_triggered_by {
            for r in crate::lang::refs::expr_refs(&e.expr) {
                let (mode, ty, name) = if r.root == "data" {
                    (
                        Mode::Data,
                        r.attrs.first().cloned().unwrap_or_default(),
                        r.attrs.get(1).cloned().unwrap_or_default(),
                    )
                } else {
                    (
                        Mode::Managed,
                        r.root.clone(),
                        r.attrs.first().cloned().unwrap_or_default(),
                    )
                };
                let target = Resource { mode, ty, name };
                if changes.iter().any(|c| {
                    c.addr.module == view.st.addr
                        && c.addr.resource == target
                        && !matches!(c.action, Action::NoOp | Action::Read)
                }) {
                    return true;
                }
            }
        }
        false
    }
}

fn prevent_destroy_diag(addr: &AbsResourceInstance, b: &ResourceBlock) -> Diagnostic {
    Diagnostic::error(
        "Instance cannot be destroyed",
        format!("Resource {addr} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag."),
    )
    .at(b.range.clone())
}

/// Deposed objects left in the state (by a create-before-destroy
/// replacement that did not finish) are always destroyed.
fn deposed_deletes(prior: &State) -> Vec<ResourceChange> {
    prior
        .deposed_instances()
        .into_iter()
        .filter(|(a, _, _)| a.resource.mode == Mode::Managed)
        .map(|(addr, r, i)| {
            let before = registry()
                .resource(&addr.resource.ty)
                .map(|res| from_state(res.schema(), &i.attributes, &i.sensitive_attributes))
                .unwrap_or_else(|| crate::lang::json::from_json(&i.attributes));
            ResourceChange {
                addr,
                prev_addr: None,
                provider: r.provider.clone(),
                action: Action::Delete,
                reason: None,
                before: Some(before),
                after: None,
                replace_paths: vec![],
                deposed: i.deposed.clone(),
                importing: None,
            }
        })
        .collect()
}

/// The value of a root output as recorded in the prior state.
fn prior_output_value(o: &crate::state::OutputState) -> Value {
    let ty = crate::lang::render::type_from_json(&o.ty);
    crate::lang::json::from_json_typed(&o.value, &ty).mark(o.sensitive)
}

/// Make a plan. `world` must have been created with the root variables.
pub fn make_plan(
    root: &Arc<Module>,
    world: &World,
    graph: &ConfigGraph,
    prior_state: &State,
    opts: PlanOptions,
) -> (Plan, Diagnostics) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut p = Planner {
        world,
        graph,
        rt: &rt,
        opts: opts.clone(),
        diags: Diagnostics::new(),
        providers: ProviderConfigs::default(),
    };
    let (providers, pdiags) = ProviderConfigs::evaluate(root, world);
    p.providers = providers;
    p.diags.extend(pdiags);
    let mut prior = prior_state.clone();
    let mut drift = vec![];
    if opts.refresh || opts.refresh_only {
        p.refresh(&mut prior, &mut drift);
    }
    let moved = p.apply_moves(root, &mut prior);
    let mut changes = vec![];
    let mut planned_addrs = BTreeSet::new();
    let mut plan = Plan {
        destroy: opts.destroy,
        refresh_only: opts.refresh_only,
        timestamp: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        ..Default::default()
    };
    if opts.refresh_only {
        plan.drift = drift;
        plan.prior_state = prior;
        return (plan, p.diags);
    }
    if opts.destroy {
        for (addr, r, i) in prior.instances() {
            if addr.resource.mode != Mode::Managed {
                continue;
            }
            if let Some(b) = module_at(root, &addr.module.module_path())
                .and_then(|m| resource_block(m, &addr.resource))
            {
                if b.meta.lifecycle.prevent_destroy {
                    p.diags.push(prevent_destroy_diag(&addr, b));
                }
            }
            let before = registry()
                .resource(&addr.resource.ty)
                .map(|res| from_state(res.schema(), &i.attributes, &i.sensitive_attributes))
                .unwrap_or_else(|| crate::lang::json::from_json(&i.attributes));
            changes.push(ResourceChange {
                addr: addr.clone(),
                prev_addr: None,
                provider: r.provider.clone(),
                action: Action::Delete,
                reason: None,
                before: Some(before),
                after: None,
                replace_paths: vec![],
                deposed: None,
                importing: None,
            });
        }
        changes.extend(deposed_deletes(&prior));
        for (name, o) in &prior.outputs {
            plan.outputs.push(OutputChange {
                name: name.clone(),
                action: Action::Delete,
                before: Some(prior_output_value(o)),
                after: None,
                sensitive: o.sensitive,
            });
        }
    } else {
        // import blocks: bring existing objects into the prior state first.
        for imp in &root.imports {
            let addr: AbsResourceInstance = match imp.to.parse() {
                Ok(a) => a,
                Err(e) => {
                    p.diags.push(
                        Diagnostic::error("Invalid import address", e.to_string())
                            .at(imp.range.clone()),
                    );
                    continue;
                }
            };
            if prior.instance(&addr).is_some() {
                continue;
            }
            let id = match world.root_view().eval_expr(&imp.id, Some("import".into())) {
                Ok(v) => v.as_str().map(|s| s.to_string()),
                Err(d) => {
                    p.diags.extend(d);
                    continue;
                }
            };
            let Some(id) = id else {
                p.diags.push(
                    Diagnostic::error("Invalid import id", "The import id must be a known string.")
                        .at(imp.range.clone()),
                );
                continue;
            };
            let Some(res) = registry().resource(&addr.resource.ty) else {
                p.diags.push(
                    Diagnostic::error(
                        "Unsupported resource type",
                        format!(
                            "herd does not implement the resource type {:?}.",
                            addr.resource.ty
                        ),
                    )
                    .at(imp.range.clone()),
                );
                continue;
            };
            let ictx = p.providers.ctx(&addr.resource.ty, None, addr.to_string());
            match block_on(&rt, res.import(&ictx, &id)) {
                Ok(v) => {
                    let v = normalize(res.schema(), &v);
                    let (attrs, sens) = crate::engine::statevals::to_state(&v);
                    prior.set_instance(
                        &addr,
                        &provider_addr(&addr.resource.ty, None),
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
                    plan.forget.retain(|a| a != &addr);
                    changes.push(ResourceChange {
                        addr: addr.clone(),
                        prev_addr: None,
                        provider: String::new(),
                        action: Action::NoOp,
                        reason: None,
                        before: None,
                        after: None,
                        replace_paths: vec![],
                        deposed: None,
                        importing: Some(id.clone()),
                    });
                }
                Err(e) => p.diags.push(
                    Diagnostic::error(format!("importing {addr}"), e.message).at(imp.range.clone()),
                ),
            }
        }
        let imported: BTreeMap<AbsResourceInstance, String> = changes
            .drain(..)
            .filter_map(|c| c.importing.map(|i| (c.addr, i)))
            .collect();
        for (path, res) in graph.resource_order() {
            p.plan_resource(
                root,
                &path,
                &res,
                &prior,
                &moved,
                &mut changes,
                &mut planned_addrs,
            );
        }
        for c in changes.iter_mut() {
            if let Some(id) = imported.get(&c.addr) {
                c.importing = Some(id.clone());
            }
        }
        // Instances in state whose resource or module left the configuration.
        for (addr, r, i) in prior.instances() {
            if planned_addrs.contains(&addr) || addr.resource.mode == Mode::Data {
                continue;
            }
            let m = module_at(root, &addr.module.module_path());
            let has_config = m.and_then(|m| resource_block(m, &addr.resource)).is_some();
            if has_config {
                // Its module instance is not expanded any more.
            }
            if let Some(rm) = root.removed.iter().find(|rm| {
                rm.from
                    .parse::<Target>()
                    .map(|t| t.contains(&addr))
                    .unwrap_or(false)
            }) {
                if !rm.destroy {
                    plan.forget.push(addr.clone());
                    continue;
                }
            }
            let before = registry()
                .resource(&addr.resource.ty)
                .map(|res| from_state(res.schema(), &i.attributes, &i.sensitive_attributes))
                .unwrap_or_else(|| crate::lang::json::from_json(&i.attributes));
            changes.push(ResourceChange {
                addr: addr.clone(),
                prev_addr: None,
                provider: r.provider.clone(),
                action: Action::Delete,
                reason: Some(if has_config || m.is_none() {
                    ActionReason::DeleteBecauseNoModule
                } else {
                    ActionReason::DeleteBecauseNoResourceConfig
                }),
                before: Some(before),
                after: None,
                replace_paths: vec![],
                deposed: None,
                importing: None,
            });
        }
        changes.extend(deposed_deletes(&prior));
        if !plan.forget.is_empty() {
            let list: Vec<String> = plan.forget.iter().map(|a| format!(" - {a}")).collect();
            p.diags.push(Diagnostic::warning(
                "Some objects will no longer be managed by herd",
                format!("If you apply this plan, herd will discard its tracking information for the following objects, but it will not delete them:\n{}\n\nAfter applying this plan, herd will no longer manage these objects. You will need to import them into herd to manage them again.", list.join("\n")),
            ));
        }
        // Every local, module variable and output is evaluated, used or not,
        // so that each error in the configuration is reported.
        world.root_view().eval_all_recursive();
        // Outputs.
        let rv = world.root_view();
        for name in root.outputs.keys() {
            let Ok(v) = rv.output(name) else { continue };
            let v = v.map_numbers(&|n| n.msgpack_roundtrip());
            let old = prior.outputs.get(name);
            let sensitive = v.deep_sensitive();
            let action = match old {
                None if v.is_null() => continue,
                None => Action::Create,
                Some(_) if v.is_null() => Action::Delete,
                Some(o) => {
                    let (attrs, _) = crate::engine::statevals::to_state(&v);
                    if v.is_wholly_known() && attrs == o.value && o.sensitive == sensitive {
                        Action::NoOp
                    } else {
                        Action::Update
                    }
                }
            };
            let before = old.map(prior_output_value);
            plan.outputs.push(OutputChange {
                name: name.clone(),
                action,
                before,
                after: if v.is_null() { None } else { Some(v) },
                sensitive,
            });
        }
        for (name, o) in &prior.outputs {
            if !root.outputs.contains_key(name) {
                plan.outputs.push(OutputChange {
                    name: name.clone(),
                    action: Action::Delete,
                    before: Some(prior_output_value(o)),
                    after: None,
                    sensitive: o.sensitive,
                });
            }
        }
        world.run.report(std::mem::take(&mut p.diags));
        p.diags = world.run.diags.take();
    }
    // -target: keep targeted instances and what they depend on.
    if !opts.targets.is_empty() {
        let deps = graph.resource_deps();
        let mut keep: BTreeSet<(Vec<String>, Resource)> = BTreeSet::new();
        let mut stack: Vec<(Vec<String>, Resource)> = changes
            .iter()
            .filter(|c| opts.targets.iter().any(|t| t.contains(&c.addr)))
            .map(|c| (c.addr.module.module_path(), c.addr.resource.clone()))
            .collect();
        while let Some(x) = stack.pop() {
            if keep.insert(x.clone()) {
                if let Some(ds) = deps.get(&x) {
                    stack.extend(ds.iter().cloned());
                }
            }
        }
        changes.retain(|c| {
            opts.targets.iter().any(|t| t.contains(&c.addr))
                || (!opts.destroy
                    && keep.contains(&(c.addr.module.module_path(), c.addr.resource.clone())))
        });
        plan.outputs.clear();
        p.diags.push(Diagnostic::warning(
            "Resource targeting is in effect",
            "You are creating a plan with the -target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.\n\nThe -target option is not for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes, or when herd specifically suggests to use it as part of an error message.",
        ));
    }
    // Like Terraform, report only the drift that matters to this plan: the
    // resources that change and those whose values they read.
    let relevant: BTreeSet<(Vec<String>, Resource)> = {
        let deps = graph.resource_deps();
        let mut r = BTreeSet::new();
        for c in changes.iter().filter(|c| c.action != Action::NoOp) {
            let k = (c.addr.module.module_path(), c.addr.resource.clone());
            if let Some(ds) = deps.get(&k) {
                r.extend(ds.iter().cloned());
            }
            r.insert(k);
        }
        r
    };
    drift.retain(|d| relevant.contains(&(d.addr.module.module_path(), d.addr.resource.clone())));
    plan.changes = changes;
    plan.drift = drift;
    plan.prior_state = prior;
    plan.errored = p.diags.has_errors();
    (plan, p.diags)
}
