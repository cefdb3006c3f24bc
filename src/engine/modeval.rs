//! Evaluation of the module tree: input variables, locals, module calls
//! (with `count` / `for_each`), outputs and references to resources. Values
//! are computed on demand and memoized per module instance, with cycle
//! detection; resources are walked by the engine in dependency order and
//! their values published in the [`World`], so anything that refers to them
//! is evaluated after them. Every error is recorded once; values that depend
//! on a failed one fail silently, so one run reports each problem once.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::Arc;

use crate::addrs::{AbsResource, InstanceKey, Mode, ModuleInstance, Resource};
use crate::config::{Expr, Module, ModuleCall, Variable};
use crate::diag::{Diagnostic, Diagnostics, SourceRange};
use crate::lang::convert::convert;
use crate::lang::eval::{Evaluator, Resolver};
use crate::lang::funcs::FnCtx;
use crate::lang::types::Type;
use crate::lang::value::{Kind, Value};

type R<T> = Result<T, Diagnostics>;

/// A diagnostic that stands for "already reported": dependents of a failed
/// value fail with it, and rendering skips it.
pub fn silent() -> Diagnostics {
    Diagnostics(vec![Diagnostic::error("", "")])
}

enum Slot {
    InProgress,
    Done(Value),
    Failed,
}

/// Shared settings of one run.
pub struct RunCtx {
    pub fnctx: FnCtx,
    pub sources: crate::diag::Sources,
    pub workspace: String,
    pub diags: RefCell<Diagnostics>,
    /// Validate mode: unknown values stand in for what is not known statically.
    pub validate_only: bool,
}

impl RunCtx {
    pub fn report(&self, d: Diagnostics) {
        let mut all = self.diags.borrow_mut();
        for x in d.0 {
            if !x.summary.is_empty() {
                all.push(x);
            }
        }
    }
}

/// `count.index`, `each.key` / `each.value` and `self` in scope.
#[derive(Clone, Default)]
pub struct Rep {
    pub count: Option<i64>,
    pub each: Option<(Value, Value)>,
    pub self_value: Option<Value>,
}

impl Rep {
    pub fn none() -> Rep {
        Rep::default()
    }
    pub fn for_key(key: &Option<InstanceKey>, each_value: Option<Value>) -> Rep {
        match key {
            Some(InstanceKey::Int(i)) => Rep {
                count: Some(*i),
                ..Rep::default()
            },
            Some(InstanceKey::Str(s)) => Rep {
                each: Some((
                    Value::string(s.clone()),
                    each_value.unwrap_or_else(|| Value::string(s.clone())),
                )),
                ..Rep::default()
            },
            None => Rep::default(),
        }
    }
}

/// How a module call or resource expands.
#[derive(Clone, Debug)]
pub enum Expansion {
    Single,
    Count(i64),
    Each(Vec<(String, Value)>),
}

impl Expansion {
    pub fn keys(&self) -> Vec<(Option<InstanceKey>, Option<Value>)> {
        match self {
            Expansion::Single => vec![(None, None)],
            Expansion::Count(n) => (0..*n).map(|i| (Some(InstanceKey::Int(i)), None)).collect(),
            Expansion::Each(pairs) => pairs
                .iter()
                .map(|(k, v)| (Some(InstanceKey::Str(k.clone())), Some(v.clone())))
                .collect(),
        }
    }
}

type Children = BTreeMap<(String, Option<InstanceKey>), Rc<ModState>>;

/// The state of one module instance's evaluation.
pub struct ModState {
    pub addr: ModuleInstance,
    pub module: Arc<Module>,
    /// `path.module`, relative to the root.
    pub path_module: String,
    /// For a child: the parent instance, call name and repetition.
    parent: Option<(Rc<ModState>, String, Rep)>,
    vars: RefCell<HashMap<String, Slot>>,
    locals: RefCell<HashMap<String, Slot>>,
    outputs: RefCell<HashMap<String, Slot>>,
    calls: RefCell<HashMap<String, Slot>>,
    expansions: RefCell<HashMap<String, Option<Expansion>>>,
    children: RefCell<Children>,
}

/// Everything one walk knows: settings, module instances, resource values.
pub struct World {
    pub run: RunCtx,
    pub root: Rc<ModState>,
    /// Values of resources (object, tuple or object-of-instances), for references.
    pub resources: RefCell<HashMap<AbsResource, Value>>,
}

impl World {
    pub fn new(run: RunCtx, root: Arc<Module>, vars: HashMap<String, Value>) -> World {
        let st = ModState::new(ModuleInstance::root(), root, ".".into(), None);
        for (k, v) in vars {
            st.vars.borrow_mut().insert(k, Slot::Done(v));
        }
        World {
            run,
            root: Rc::new(st),
            resources: RefCell::new(HashMap::new()),
        }
    }

    pub fn view(&self, st: &Rc<ModState>) -> ModView<'_> {
        ModView {
            world: self,
            st: st.clone(),
            rep: Rep::none(),
        }
    }

    pub fn root_view(&self) -> ModView<'_> {
        self.view(&self.root)
    }

    /// All expanded instances of the module at a static path.
    pub fn instances_of(&self, path: &[String]) -> Vec<Rc<ModState>> {
        let mut cur = vec![self.root.clone()];
        for name in path {
            let mut next = vec![];
            for st in &cur {
                let v = self.view(st);
                if let Some(exp) = v.expansion(name) {
                    for (k, _) in exp.keys() {
                        if let Some(c) = v.child(name, k) {
                            next.push(c);
                        }
                    }
                }
            }
            cur = next;
        }
        cur
    }

    /// Evaluate everything in every module instance (for validation and
    /// resource-free runs); returns the root outputs that succeeded.
    pub fn eval_all(&self) -> BTreeMap<String, Value> {
        let v = self.root_view();
        v.eval_all_recursive();
        let mut out = BTreeMap::new();
        for name in self.root.module.outputs.keys() {
            if let Ok(x) = v.output(name) {
                out.insert(name.clone(), x);
            }
        }
        out
    }

    /// Publish the value of a resource for references.
    pub fn set_resource(&self, addr: AbsResource, v: Value) {
        self.resources.borrow_mut().insert(addr, v);
    }
}

impl ModState {
    fn new(
        addr: ModuleInstance,
        module: Arc<Module>,
        path_module: String,
        parent: Option<(Rc<ModState>, String, Rep)>,
    ) -> ModState {
        ModState {
            addr,
            module,
            path_module,
            parent,
            vars: RefCell::new(HashMap::new()),
            locals: RefCell::new(HashMap::new()),
            outputs: RefCell::new(HashMap::new()),
            calls: RefCell::new(HashMap::new()),
            expansions: RefCell::new(HashMap::new()),
            children: RefCell::new(BTreeMap::new()),
        }
    }
}

/// A module instance seen from one evaluation context.
#[derive(Clone)]
pub struct ModView<'w> {
    pub world: &'w World,
    pub st: Rc<ModState>,
    pub rep: Rep,
}

fn memo(table: &RefCell<HashMap<String, Slot>>, name: &str, what: &str) -> Option<R<Value>> {
    table.borrow().get(name).map(|s| match s {
        Slot::Done(v) => Ok(v.clone()),
        Slot::Failed => Err(silent()),
        Slot::InProgress => Err(Diagnostic::error(
            format!("Cycle in {what}"),
            format!("The {what} {name:?} refers to itself, directly or through other values. Break the cycle by removing one of the references."),
        )
        .into()),
    })
}

impl<'w> ModView<'w> {
    pub fn with_rep(&self, rep: Rep) -> ModView<'w> {
        ModView {
            world: self.world,
            st: self.st.clone(),
            rep,
        }
    }

    pub fn run(&self) -> &'w RunCtx {
        &self.world.run
    }

    /// Evaluate an expression of this module.
    pub fn eval_expr(&self, e: &Expr, context: Option<String>) -> R<Value> {
        let mut ev = Evaluator::new(self, &self.world.run.fnctx, e.file.clone());
        ev.context = context;
        ev.sources = Some(self.world.run.sources.clone());
        ev.eval(&e.expr)
    }

    /// An evaluator bound to this view (for bodies and blocks).
    pub fn evaluator(&self, file: Arc<str>, context: Option<String>) -> Evaluator<'_> {
        let mut ev = Evaluator::new(self, &self.world.run.fnctx, file);
        ev.context = context;
        ev.sources = Some(self.world.run.sources.clone());
        ev
    }

    fn finish(&self, table: &RefCell<HashMap<String, Slot>>, name: &str, r: R<Value>) -> R<Value> {
        match r {
            Ok(v) => {
                table
                    .borrow_mut()
                    .insert(name.to_string(), Slot::Done(v.clone()));
                Ok(v)
            }
            Err(d) => {
                table.borrow_mut().insert(name.to_string(), Slot::Failed);
                self.world.run.report(d);
                Err(silent())
            }
        }
    }

    /// Evaluate every local, module call and output, recursively.
    pub fn eval_all_recursive(&self) {
        for name in self.st.module.variables.keys() {
            let _ = self.var(name);
        }
        for name in self.st.module.locals.keys() {
            let _ = self.local(name);
        }
        for name in self.st.module.module_calls.keys() {
            if let Some(exp) = self.expansion(name) {
                for (k, _) in exp.keys() {
                    if let Some(c) = self.child(name, k) {
                        self.world.view(&c).eval_all_recursive();
                    }
                }
            }
            let _ = self.call(name);
        }
        for name in self.st.module.outputs.keys() {
            let _ = self.output(name);
        }
    }

    pub fn var(&self, name: &str) -> R<Value> {
        if let Some(r) = memo(&self.st.vars, name, "input variable") {
            return r;
        }
        let var = match self.st.module.variables.get(name) {
            Some(v) => v.clone(),
            None => return Err(silent()),
        };
        let Some((parent, call_name, rep)) = &self.st.parent else {
            // Root variables are all set up front.
            return Err(silent());
        };
        self.st
            .vars
            .borrow_mut()
            .insert(name.to_string(), Slot::InProgress);
        // Borrowed, not cloned: the call holds every argument expression, and
        // each of its N variables comes here once.
        let call = parent.module.module_calls.get(call_name);
        let ctx = Some(format!("module {call_name:?}"));
        let pview = ModView {
            world: self.world,
            st: parent.clone(),
            rep: rep.clone(),
        };
        let r = (|| -> R<Value> {
            let call = call.ok_or_else(silent)?;
            let (given, range) = match call.inputs.get(name) {
                Some(e) => (Some(pview.eval_expr(e, ctx.clone())?), e.range()),
                None => (None, call.range.clone()),
            };
            finalize_variable(&var, given, range, ctx.clone(), false)
        })();
        let r = self.finish(&self.st.vars, name, r);
        if r.is_ok() {
            if let Err(d) = self.validate_variable(&var, name) {
                self.st
                    .vars
                    .borrow_mut()
                    .insert(name.to_string(), Slot::Failed);
                self.world.run.report(d);
                return Err(silent());
            }
        }
        r
    }

    pub fn output(&self, name: &str) -> R<Value> {
        if let Some(r) = memo(&self.st.outputs, name, "output value") {
            return r;
        }
        let o = match self.st.module.outputs.get(name) {
            Some(o) => o.clone(),
            None => return Err(silent()),
        };
        self.st
            .outputs
            .borrow_mut()
            .insert(name.to_string(), Slot::InProgress);
        let ctx = Some(format!("output {:?}", name));
        let r = (|| -> R<Value> {
            let mut v = match &o.value {
                Some(e) => self.eval_expr(e, ctx.clone())?,
                None => return Err(silent()),
            };
            for pc in &o.preconditions {
                self.check_condition(
                    &pc.condition,
                    &pc.error_message,
                    ctx.clone(),
                    "Module output value precondition failed",
                )?;
            }
            let is_root = self.st.addr.is_root();
            if is_root && v.deep_sensitive() && !o.sensitive {
                return Err(Diagnostic::error(
                    "Output refers to sensitive values",
                    "To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, herd requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.\n\nIf you do intend to export this data, annotate the output value as sensitive by adding the following argument:\n    sensitive = true",
                )
                .at(o.range.clone())
                .in_context(ctx.clone())
                .into());
            }
            if o.sensitive {
                v = v.mark(true);
            }
            Ok(v)
        })();
        self.finish(&self.st.outputs, name, r)
    }

    pub fn check_condition(
        &self,
        cond: &Expr,
        msg: &Expr,
        ctx: Option<String>,
        summary: &str,
    ) -> R<()> {
        let c = self.eval_expr(cond, ctx.clone())?;
        if !c.is_known() {
            return Ok(());
        }
        let ok = convert(&c.clone().unmark_deep(), &Type::Bool)
            .ok()
            .and_then(|b| b.as_bool());
        match ok {
            Some(true) => Ok(()),
            Some(false) => {
                let m = self
                    .eval_expr(msg, ctx.clone())
                    .ok()
                    .and_then(|v| v.as_str().map(|s| s.to_string()))
                    .unwrap_or_default();
                Err(
                    Diagnostic::error(summary, format!("{m}\n\nThis check failed."))
                        .at(cond.range())
                        .in_context(ctx)
                        .into(),
                )
            }
            None => Err(Diagnostic::error(
                "Invalid condition result",
                "The condition expression must return either true or false.",
            )
            .at(cond.range())
            .in_context(ctx)
            .into()),
        }
    }

    pub fn local(&self, name: &str) -> R<Value> {
        if let Some(r) = memo(&self.st.locals, name, "local value") {
            return r;
        }
        let l = match self.st.module.locals.get(name) {
            Some(l) => l.clone(),
            None => return Err(silent()),
        };
        self.st
            .locals
            .borrow_mut()
            .insert(name.to_string(), Slot::InProgress);
        let plain = ModView {
            world: self.world,
            st: self.st.clone(),
            rep: Rep::none(),
        };
        let r = plain.eval_expr(&l.expr, Some("locals".into()));
        let r = r.map_err(|mut d| {
            for x in d.0.iter_mut() {
                if x.summary.starts_with("Cycle") && x.range.is_none() {
                    x.range = l.expr.range();
                    x.context = Some("locals".into());
                }
            }
            d
        });
        self.finish(&self.st.locals, name, r)
    }

    /// How a module call expands (memoized); None if its count/for_each failed.
    pub fn expansion(&self, name: &str) -> Option<Expansion> {
        if let Some(e) = self.st.expansions.borrow().get(name) {
            return e.clone();
        }
        let c = self.st.module.module_calls.get(name)?.clone();
        let plain = ModView {
            world: self.world,
            st: self.st.clone(),
            rep: Rep::none(),
        };
        let r = plain.expand(&c.count, &c.for_each, Some(format!("module {:?}", c.name)));
        let e = match r {
            Ok(e) => Some(e),
            Err(d) => {
                self.world.run.report(d);
                None
            }
        };
        self.st
            .expansions
            .borrow_mut()
            .insert(name.to_string(), e.clone());
        e
    }

    /// Evaluate `count` / `for_each` into an expansion.
    pub fn expand(
        &self,
        count: &Option<Expr>,
        for_each: &Option<Expr>,
        ctx: Option<String>,
    ) -> R<Expansion> {
        if let Some(ce) = count {
            let v = self.eval_expr(ce, ctx.clone())?;
            if !v.is_known() && self.world.run.validate_only {
                return Ok(Expansion::Count(1));
            }
            let n = count_value(&v).map_err(|m| {
                Diagnostics::from(
                    Diagnostic::error("Invalid count argument", m)
                        .at(ce.range())
                        .in_context(ctx.clone()),
                )
            })?;
            Ok(Expansion::Count(n))
        } else if let Some(fe) = for_each {
            let v = self.eval_expr(fe, ctx.clone())?;
            if !v.is_wholly_known() && self.world.run.validate_only {
                return Ok(Expansion::Each(vec![]));
            }
            let pairs = for_each_pairs(&v).map_err(|m| {
                Diagnostics::from(
                    Diagnostic::error("Invalid for_each argument", m)
                        .at(fe.range())
                        .in_context(ctx.clone()),
                )
            })?;
            Ok(Expansion::Each(pairs))
        } else {
            Ok(Expansion::Single)
        }
    }

    /// The child module instance for a call and key (created on first use).
    pub fn child(&self, name: &str, key: Option<InstanceKey>) -> Option<Rc<ModState>> {
        if let Some(c) = self
            .st
            .children
            .borrow()
            .get(&(name.to_string(), key.clone()))
        {
            return Some(c.clone());
        }
        let call = self.st.module.module_calls.get(name)?;
        let module = call.module.clone()?;
        let exp = self.expansion(name)?;
        let each_value = match (&exp, &key) {
            (Expansion::Each(pairs), Some(InstanceKey::Str(k))) => {
                pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone())
            }
            _ => None,
        };
        let rep = Rep::for_key(&key, each_value);
        let path_module = if self.st.path_module == "." {
            normalize_rel(&call.source)
        } else {
            normalize_rel(&format!("{}/{}", self.st.path_module, call.source))
        };
        let st = Rc::new(ModState::new(
            self.st.addr.child(name, key.clone()),
            module,
            path_module,
            Some((self.st.clone(), name.to_string(), rep)),
        ));
        self.st
            .children
            .borrow_mut()
            .insert((name.to_string(), key), st.clone());
        Some(st)
    }

    /// The value of `module.NAME`: an object of outputs, or a tuple / object
    /// of such objects for `count` / `for_each`.
    pub fn call(&self, name: &str) -> R<Value> {
        if let Some(r) = memo(&self.st.calls, name, "module call") {
            return r;
        }
        let c = match self.st.module.module_calls.get(name) {
            Some(c) => c.clone(),
            None => return Err(silent()),
        };
        self.st
            .calls
            .borrow_mut()
            .insert(name.to_string(), Slot::InProgress);
        let r = self.eval_call(&c);
        self.finish(&self.st.calls, name, r)
    }

    fn eval_call(&self, c: &ModuleCall) -> R<Value> {
        let child = c.module.clone().ok_or_else(silent)?;
        let exp = self.expansion(&c.name).ok_or_else(silent)?;
        let ctx = Some(format!("module {:?}", c.name));
        // Unknown inputs are reported once, at the call.
        let mut diags = Diagnostics::new();
        for (k, e) in &c.inputs {
            if !child.variables.contains_key(k) {
                diags.push(
                    Diagnostic::error(
                        "Unsupported argument",
                        format!(
                            "An argument named {k:?} is not expected here.{}",
                            crate::config::suggest(
                                k,
                                &child
                                    .variables
                                    .keys()
                                    .map(|s| s.as_str())
                                    .collect::<Vec<_>>()
                            )
                        ),
                    )
                    .at(e.range())
                    .in_context(ctx.clone()),
                );
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        let mut vals = vec![];
        let mut failed = false;
        for (key, _) in exp.keys() {
            let st = self.child(&c.name, key.clone()).ok_or_else(silent)?;
            let cv = self.world.view(&st);
            // Every variable is evaluated (and validated) even if unused.
            for vname in child.variables.keys() {
                if cv.var(vname).is_err() {
                    failed = true;
                }
            }
            let mut obj = BTreeMap::new();
            for oname in child.outputs.keys() {
                match cv.output(oname) {
                    Ok(v) => {
                        obj.insert(oname.clone(), v);
                    }
                    Err(_) => failed = true,
                }
            }
            vals.push((key, Value::object(obj)));
        }
        if failed {
            return Err(silent());
        }
        Ok(match exp {
            Expansion::Count(_) => Value::tuple(vals.into_iter().map(|(_, v)| v).collect()),
            Expansion::Each(_) => Value::object(
                vals.into_iter()
                    .map(|(k, v)| {
                        let k = match k {
                            Some(InstanceKey::Str(s)) => s,
                            _ => String::new(),
                        };
                        (k, v)
                    })
                    .collect(),
            ),
            Expansion::Single => vals
                .into_iter()
                .next()
                .map(|(_, v)| v)
                .unwrap_or_else(Value::empty_object),
        })
    }

    /// Run the validation rules of a variable against its final value.
    pub fn validate_variable(&self, var: &Variable, name: &str) -> R<()> {
        let mut diags = Diagnostics::new();
        for v in &var.validations {
            let ctx = Some(format!("variable {name:?}"));
            let c = match self.eval_expr(&v.condition, ctx.clone()) {
                Ok(c) => c,
                Err(d) => {
                    diags.extend(d);
                    continue;
                }
            };
            if !c.is_known() {
                continue;
            }
            match convert(&c.clone().unmark_deep(), &Type::Bool)
                .ok()
                .and_then(|b| b.as_bool())
            {
                Some(true) => {}
                Some(false) => {
                    let msg = match self.eval_expr(&v.error_message, ctx.clone()) {
                        Ok(m) => m.as_str().map(|s| s.to_string()).unwrap_or_default(),
                        Err(d) => {
                            diags.extend(d);
                            continue;
                        }
                    };
                    diags.push(
                        Diagnostic::error(
                            "Invalid value for variable",
                            format!(
                                "{msg}\n\nThis was checked by the validation rule at {}.",
                                v.condition
                                    .range()
                                    .map(|r| crate::diag::short_location(
                                        &r,
                                        &self.world.run.sources
                                    ))
                                    .unwrap_or_default()
                            ),
                        )
                        .at(var.range.clone())
                        .in_context(ctx),
                    );
                }
                None => diags.push(
                    Diagnostic::error(
                        "Invalid variable validation result",
                        "The validation condition must return either true or false.",
                    )
                    .at(v.condition.range())
                    .in_context(ctx),
                ),
            }
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(())
        }
    }

    fn resource_ref(
        &self,
        mode: Mode,
        ty: &str,
        name: &str,
        range: Option<SourceRange>,
    ) -> R<Value> {
        let declared = self.st.module.resources.iter().any(|r| {
            r.ty == ty
                && r.name == name
                && ((r.mode == crate::config::ResourceMode::Managed) == (mode == Mode::Managed))
        });
        if !declared {
            let what = if mode == Mode::Managed {
                "managed resource"
            } else {
                "data resource"
            };
            let where_ = if self.st.addr.is_root() {
                "the root module".to_string()
            } else {
                self.st.addr.to_string()
            };
            return Err(Diagnostic::error(
                "Reference to undeclared resource",
                format!("A {what} {ty:?} {name:?} has not been declared in {where_}."),
            )
            .at(range)
            .into());
        }
        Ok(self
            .world
            .resources
            .borrow()
            .get(&self.resource_addr(mode, ty, name))
            .cloned()
            .unwrap_or_else(|| Value::unknown(Type::Dynamic)))
    }

    fn resource_addr(&self, mode: Mode, ty: &str, name: &str) -> AbsResource {
        AbsResource {
            module: self.st.addr.clone(),
            resource: Resource {
                mode,
                ty: ty.to_string(),
                name: name.to_string(),
            },
        }
    }

    /// The resource a reference `root.attrs...` names, as `resolve` reads it
    /// (its "data" and fall-through arms): (mode, type, name, attrs used).
    fn resource_target<'x>(
        root: &'x str,
        attrs: &[&'x str],
    ) -> Option<(Mode, &'x str, &'x str, usize)> {
        match root {
            "count" | "each" | "self" | "var" | "local" | "module" | "path" | "terraform" => None,
            "data" => match (attrs.first(), attrs.get(1)) {
                (Some(t), Some(n)) => Some((Mode::Data, *t, *n, 2)),
                _ => None,
            },
            _ => attrs.first().map(|n| (Mode::Managed, root, *n, 1)),
        }
    }
}

impl Resolver for ModView<'_> {
    fn resolve_project(
        &self,
        root: &str,
        attrs: &[&str],
        range: Option<SourceRange>,
        project: &dyn Fn(&Value, usize) -> Option<R<Value>>,
    ) -> R<(Value, usize, bool)> {
        let Some((mode, ty, name, used)) = Self::resource_target(root, attrs) else {
            let (v, used) = self.resolve(root, attrs, range)?;
            return match project(&v, used) {
                Some(r) => Ok((r?, used, true)),
                None => Ok((v, used, false)),
            };
        };
        // Same checks as resource_ref, then lend the value rather than clone it.
        let declared = self.st.module.resources.iter().any(|r| {
            r.ty == ty
                && r.name == name
                && ((r.mode == crate::config::ResourceMode::Managed) == (mode == Mode::Managed))
        });
        if !declared {
            let v = self.resource_ref(mode, ty, name, range)?;
            return Ok((v, used, false));
        }
        let map = self.world.resources.borrow();
        let unknown;
        let v = match map.get(&self.resource_addr(mode, ty, name)) {
            Some(v) => v,
            None => {
                unknown = Value::unknown(Type::Dynamic);
                &unknown
            }
        };
        match project(v, used) {
            Some(r) => Ok((r?, used, true)),
            None => Ok((v.clone(), used, false)),
        }
    }

    fn resolve(&self, root: &str, attrs: &[&str], range: Option<SourceRange>) -> R<(Value, usize)> {
        let need_attr = || -> Diagnostics {
            Diagnostic::error("Invalid reference", format!("The {root:?} object cannot be accessed directly. Instead, access one of its attributes."))
                .at(range.clone())
                .into()
        };
        match root {
            "count" => match (&self.rep.count, attrs.first()) {
                (Some(i), Some(&"index")) => Ok((Value::int(*i), 1)),
                (Some(_), _) => Err(Diagnostic::error("Invalid \"count\" attribute", "The \"count\" object does not have an attribute with that name. The only supported attribute is count.index, which is the index of each instance of a resource block that has the \"count\" argument set.").at(range).into()),
                (None, _) if self.world.run.validate_only => Ok((Value::unknown(Type::Number), attrs.len().min(1))),
                (None, _) => Err(Diagnostic::error("Reference to \"count\" in non-counted context", "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.").at(range).into()),
            },
            "each" => match (&self.rep.each, attrs.first()) {
                (Some((k, _)), Some(&"key")) => Ok((k.clone(), 1)),
                (Some((_, v)), Some(&"value")) => Ok((v.clone(), 1)),
                (Some(_), _) => Err(Diagnostic::error("Invalid \"each\" attribute", "The \"each\" object does not have an attribute with that name. The supported attributes are each.key and each.value, the current key and value pair of the \"for_each\" attribute set.").at(range).into()),
                (None, _) if self.world.run.validate_only => Ok((Value::unknown(Type::Dynamic), attrs.len().min(1))),
                (None, _) => Err(Diagnostic::error("Reference to \"each\" in context without for_each", "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.").at(range).into()),
            },
            "self" => match &self.rep.self_value {
                Some(v) => Ok((v.clone(), 0)),
                None if self.world.run.validate_only => Ok((Value::unknown(Type::Dynamic), 0)),
                None => Err(Diagnostic::error("Invalid \"self\" reference", "The \"self\" object is not available in this context. This object can be used only in resource provisioner, connection, and postcondition blocks.").at(range).into()),
            },
            "var" => {
                let name = attrs.first().ok_or_else(need_attr)?;
                if !self.st.module.variables.contains_key(*name) {
                    return Err(Diagnostic::error(
                        "Reference to undeclared input variable",
                        format!("An input variable with the name {name:?} has not been declared. This variable can be declared with a variable \"{name}\" {{}} block."),
                    )
                    .at(range)
                    .into());
                }
                self.var(name).map(|v| (v, 1))
            }
            "local" => {
                let name = attrs.first().ok_or_else(need_attr)?;
                if !self.st.module.locals.contains_key(*name) {
                    return Err(Diagnostic::error(
                        "Reference to undeclared local value",
                        format!(
                            "A local value with the name {name:?} has not been declared.{}",
                            crate::config::suggest(name, &self.st.module.locals.keys().map(|s| s.as_str()).collect::<Vec<_>>())
                        ),
                    )
                    .at(range)
                    .into());
                }
                self.local(name).map(|v| (v, 1)).map_err(|mut d| {
                    for x in d.0.iter_mut() {
                        if x.range.is_none() && !x.summary.is_empty() {
                            x.range = range.clone();
                        }
                    }
                    d
                })
            }
            "module" => {
                let name = attrs.first().ok_or_else(need_attr)?;
                if !self.st.module.module_calls.contains_key(*name) {
                    return Err(Diagnostic::error(
                        "Reference to undeclared module",
                        format!("No module call named {name:?} is declared in {}.", if self.st.addr.is_root() { "the root module".to_string() } else { self.st.addr.to_string() }),
                    )
                    .at(range)
                    .into());
                }
                // `module.NAME.OUTPUT` of a single-instance call reads just
                // that output: the others may depend on resources not yet
                // applied, and evaluating them now would memoise stale values.
                if let Some(out) = attrs.get(1) {
                    let single = self.expansion(name).is_some_and(|e| matches!(e, Expansion::Single));
                    if single {
                        if let Some(child) = self.child(name, None) {
                            if child.module.outputs.contains_key(*out) {
                                return self.world.view(&child).output(out).map(|v| (v, 2));
                            }
                        }
                    }
                }
                self.call(name).map(|v| (v, 1))
            }
            "path" => {
                let a = attrs.first().ok_or_else(need_attr)?;
                let v = match *a {
                    "module" => self.st.path_module.clone(),
                    "root" => ".".to_string(),
                    "cwd" => std::env::current_dir().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| ".".into()),
                    _ => {
                        return Err(Diagnostic::error(
                            "Invalid \"path\" attribute",
                            format!("The \"path\" object does not have an attribute named {a:?}. The supported attributes are path.cwd, the current working directory; path.module, the path to the current module; and path.root, the path to the root module."),
                        )
                        .at(range)
                        .into())
                    }
                };
                Ok((Value::string(v), 1))
            }
            "terraform" => match attrs.first() {
                Some(&"workspace") | Some(&"env") => Ok((Value::string(self.world.run.workspace.clone()), 1)),
                _ => Err(Diagnostic::error(
                    "Invalid \"terraform\" attribute",
                    "The \"terraform\" object does not have an attribute with that name. The only supported attribute is terraform.workspace, the name of the currently-selected workspace.",
                )
                .at(range)
                .into()),
            },
            "data" => {
                let (Some(t), Some(n)) = (attrs.first(), attrs.get(1)) else {
                    return Err(Diagnostic::error("Invalid data resource reference", "A data resource reference must have a type and a name, like data.aws_ami.ubuntu.").at(range).into());
                };
                self.resource_ref(Mode::Data, t, n, range).map(|v| (v, 2))
            }
            _ => {
                let Some(n) = attrs.first() else {
                    return Err(Diagnostic::error(
                        "Invalid reference",
                        format!("A reference to a resource type must be followed by at least one attribute access, specifying the resource name. ({root:?} is not a known name here.)"),
                    )
                    .at(range)
                    .into());
                };
                self.resource_ref(Mode::Managed, root, n, range).map(|v| (v, 1))
            }
        }
    }
}

/// Convert, default and mark one input variable's value.
pub fn finalize_variable(
    var: &Variable,
    given: Option<Value>,
    range: Option<SourceRange>,
    ctx: Option<String>,
    root: bool,
) -> R<Value> {
    let mut v = match given {
        Some(v) if !(v.is_null() && !var.nullable && var.default.is_some()) => v,
        _ => match &var.default {
            Some(d) => crate::lang::eval::eval_constant(&d.expr, &d.file).map_err(Diagnostics::from)?,
            None => {
                return Err(Diagnostic::error(
                    if root { "No value for required variable" } else { "Missing required argument" },
                    if root {
                        format!("The root module input variable {:?} is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable.", var.name)
                    } else {
                        format!("The argument {:?} is required, but no definition was found.", var.name)
                    },
                )
                .at(if root { var.range.clone() } else { range })
                .in_context(ctx)
                .into())
            }
        },
    };
    if v.is_null() && !var.nullable {
        return Err(Diagnostic::error(
            "Required variable not set",
            format!("Unsuitable value for var.{} set from outside of the configuration: required variable may not be set to null.", var.name),
        )
        .at(range)
        .into());
    }
    v = convert(&v, &var.ty).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error(
                if root {
                    "Invalid value for input variable"
                } else {
                    "Invalid value for module argument"
                },
                format!(
                    "The given value is not suitable for var.{} declared at {}: {}.",
                    var.name,
                    var.range
                        .as_ref()
                        .map(|r| r.file.to_string())
                        .unwrap_or_default(),
                    e
                ),
            )
            .at(range.clone())
            .in_context(ctx.clone()),
        )
    })?;
    if var.sensitive {
        v = v.mark(true);
    }
    Ok(v)
}

/// The number of instances from a `count` value.
pub fn count_value(v: &Value) -> Result<i64, String> {
    if v.deep_sensitive() {
        return Err("Sensitive values, or values derived from sensitive values, cannot be used as count arguments.".into());
    }
    if !v.is_known() {
        return Err("The \"count\" value depends on resource attributes that cannot be determined until apply, so Terraform cannot predict how many instances will be created. To work around this, use the -target argument to first apply only the resources that the count depends on.".into());
    }
    if v.is_null() {
        return Err("The given \"count\" argument value is null. An integer is required.".into());
    }
    let n = convert(v, &Type::Number).map_err(|_| {
        "The given \"count\" argument value is unsuitable: a number is required.".to_string()
    })?;
    let n = n
        .as_number()
        .and_then(|n| n.to_i64())
        .ok_or("The given \"count\" argument value is unsuitable: must be a whole number.")?;
    if n < 0 {
        return Err("The given \"count\" argument value is unsuitable: must be greater than or equal to zero.".into());
    }
    Ok(n)
}

/// The (key, value) pairs from a `for_each` value.
pub fn for_each_pairs(v: &Value) -> Result<Vec<(String, Value)>, String> {
    if v.sensitive {
        return Err("Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.".into());
    }
    // A map's keys are known once the map is; its values may be unknown.
    let keys_known = match &v.kind {
        Kind::Map(..) | Kind::Object(_) => v.is_known(),
        _ => v.is_wholly_known(),
    };
    if !keys_known {
        return Err("The \"for_each\" map includes keys or set values derived from resource attributes that cannot be determined until apply, and so Terraform cannot determine the full set of keys that will identify the instances of this resource.".into());
    }
    match &v.kind {
        Kind::Null(_) => Err("The given \"for_each\" argument value is null. A map, or set of strings is allowed.".into()),
        Kind::Map(_, m) | Kind::Object(m) => Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        Kind::Set(t, xs) => {
            if *t != Type::String && *t != Type::Dynamic {
                return Err(format!("The given \"for_each\" argument value is unsuitable: \"for_each\" supports maps and sets of strings, but you have provided a set containing type {}.", t.friendly_name()));
            }
            let mut out = vec![];
            for x in xs {
                match x.as_str() {
                    Some(s) => out.push((s.to_string(), x.clone())),
                    None => return Err("The given \"for_each\" argument value is unsuitable: \"for_each\" sets must not contain null values.".into()),
                }
            }
            Ok(out)
        }
        Kind::List(..) | Kind::Tuple(_) => Err(format!("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.", v.ty().friendly_name())),
        _ => Err(format!("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.", v.ty().friendly_name())),
    }
}

fn normalize_rel(p: &str) -> String {
    let mut parts: Vec<&str> = vec![];
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if matches!(parts.last(), Some(x) if *x != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}
