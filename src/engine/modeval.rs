//! Evaluation of a module tree without resources: input variables, locals,
//! module calls (with `count` / `for_each`) and outputs, each evaluated on
//! demand and memoized, with cycle detection. Every error is recorded once;
//! values that depend on a failed one fail silently, so one run reports each
//! independent problem exactly once.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

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
}

impl RunCtx {
    fn report(&self, d: Diagnostics) {
        let mut all = self.diags.borrow_mut();
        for x in d.0 {
            if !x.summary.is_empty() {
                all.push(x);
            }
        }
    }
}

/// One instance of a module (the root, or one instance of a module call).
pub struct ModEval<'r> {
    pub run: &'r RunCtx,
    pub module: Arc<Module>,
    /// `path.module`, relative to the root.
    pub path_module: String,
    /// Final values of the input variables (converted, marked, validated).
    vars: HashMap<String, Value>,
    locals: RefCell<HashMap<String, Slot>>,
    calls: RefCell<HashMap<String, Slot>>,
    outputs: RefCell<HashMap<String, Slot>>,
    children: RefCell<HashMap<String, Vec<(Option<Value>, ModEval<'r>)>>>,
}

/// `count.index` / `each.key` / `each.value` in scope of a module call.
#[derive(Clone)]
pub enum Repetition {
    None,
    Count(i64),
    Each(Value, Value),
}

/// Resolver that adds `count` / `each` to a module's resolver.
struct RepResolver<'a, 'r> {
    inner: &'a ModEval<'r>,
    rep: Repetition,
}

impl Resolver for RepResolver<'_, '_> {
    fn resolve(&self, root: &str, attrs: &[&str], range: Option<SourceRange>) -> R<(Value, usize)> {
        match (root, &self.rep) {
            ("count", Repetition::Count(i)) => match attrs.first() {
                Some(&"index") => Ok((Value::int(*i), 1)),
                _ => Err(Diagnostic::error("Invalid \"count\" attribute", "The \"count\" object does not have an attribute with that name. The only supported attribute is count.index, which is the index of each instance of a resource block that has the \"count\" argument set.").at(range).into()),
            },
            ("count", _) => Err(Diagnostic::error("Reference to \"count\" in non-counted context", "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.").at(range).into()),
            ("each", Repetition::Each(k, v)) => match attrs.first() {
                Some(&"key") => Ok((k.clone(), 1)),
                Some(&"value") => Ok((v.clone(), 1)),
                _ => Err(Diagnostic::error("Invalid \"each\" attribute", "The \"each\" object does not have an attribute with that name. The supported attributes are each.key and each.value, the current key and value pair of the \"for_each\" attribute set.").at(range).into()),
            },
            ("each", _) => Err(Diagnostic::error("Reference to \"each\" in context without for_each", "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.").at(range).into()),
            _ => self.inner.resolve(root, attrs, range),
        }
    }
}

impl<'r> ModEval<'r> {
    pub fn new(
        run: &'r RunCtx,
        module: Arc<Module>,
        path_module: String,
        vars: HashMap<String, Value>,
    ) -> ModEval<'r> {
        ModEval {
            run,
            module,
            path_module,
            vars,
            locals: RefCell::new(HashMap::new()),
            calls: RefCell::new(HashMap::new()),
            outputs: RefCell::new(HashMap::new()),
            children: RefCell::new(HashMap::new()),
        }
    }

    /// Evaluate an expression of this module.
    pub fn eval_expr(&self, e: &Expr, context: Option<String>) -> R<Value> {
        self.eval_expr_rep(e, context, Repetition::None)
    }

    pub fn eval_expr_rep(&self, e: &Expr, context: Option<String>, rep: Repetition) -> R<Value> {
        let rr = RepResolver { inner: self, rep };
        let mut ev = Evaluator::new(&rr, &self.run.fnctx, e.file.clone());
        ev.context = context;
        ev.sources = Some(self.run.sources.clone());
        ev.eval(&e.expr)
    }

    /// Evaluate everything: all locals, module calls and outputs. Returns the
    /// output values of this module (failed ones omitted).
    pub fn eval_all(&self) -> BTreeMap<String, Value> {
        for name in self.module.locals.keys() {
            let _ = self.local(name);
        }
        for name in self.module.module_calls.keys() {
            let _ = self.call(name);
        }
        let mut out = BTreeMap::new();
        for name in self.module.outputs.keys() {
            if let Ok(v) = self.output(name) {
                out.insert(name.clone(), v);
            }
        }
        out
    }

    pub fn output(&self, name: &str) -> R<Value> {
        if let Some(s) = self.outputs.borrow().get(name) {
            return match s {
                Slot::Done(v) => Ok(v.clone()),
                Slot::Failed => Err(silent()),
                Slot::InProgress => Err(Diagnostic::error(
                    "Cycle in output values",
                    format!("The output {name:?} depends on itself."),
                )
                .into()),
            };
        }
        let o = match self.module.outputs.get(name) {
            Some(o) => o.clone(),
            None => return Err(silent()),
        };
        self.outputs
            .borrow_mut()
            .insert(name.to_string(), Slot::InProgress);
        let ctx = Some(format!("output {:?}", name));
        let r = (|| -> R<Value> {
            let mut v = match &o.value {
                Some(e) => self.eval_expr(e, ctx.clone())?,
                None => return Err(silent()),
            };
            for d in &o.depends_on {
                let _ = d;
            }
            for pc in &o.preconditions {
                self.check_condition(
                    &pc.condition,
                    &pc.error_message,
                    ctx.clone(),
                    "Module output value precondition failed",
                )?;
            }
            let is_root = self.path_module == ".";
            if is_root && v.deep_sensitive() && !o.sensitive {
                return Err(Diagnostic::error(
                    "Output refers to sensitive values",
                    "To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, Terraform requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.\n\nIf you do intend to export this data, annotate the output value as sensitive by adding the following argument:\n    sensitive = true",
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
        self.finish(&self.outputs, name, r)
    }

    fn check_condition(
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
                self.run.report(d);
                Err(silent())
            }
        }
    }

    pub fn local(&self, name: &str) -> R<Value> {
        if let Some(s) = self.locals.borrow().get(name) {
            return match s {
                Slot::Done(v) => Ok(v.clone()),
                Slot::Failed => Err(silent()),
                Slot::InProgress => Err(Diagnostic::error(
                    "Cycle in local values",
                    format!("The local value {name:?} refers to itself, directly or through other local values. Break the cycle by removing one of the references."),
                )
                .into()),
            };
        }
        let l = match self.module.locals.get(name) {
            Some(l) => l.clone(),
            None => return Err(silent()),
        };
        self.locals
            .borrow_mut()
            .insert(name.to_string(), Slot::InProgress);
        let r = self.eval_expr(&l.expr, Some("locals".into()));
        let r = r.map_err(|mut d| {
            for x in d.0.iter_mut() {
                if x.summary.starts_with("Cycle") && x.range.is_none() {
                    x.range = l.expr.range();
                    x.context = Some("locals".into());
                }
            }
            d
        });
        self.finish(&self.locals, name, r)
    }

    /// The value of `module.NAME`: an object of outputs, or a tuple / object
    /// of such objects for `count` / `for_each`.
    pub fn call(&self, name: &str) -> R<Value> {
        if let Some(s) = self.calls.borrow().get(name) {
            return match s {
                Slot::Done(v) => Ok(v.clone()),
                Slot::Failed => Err(silent()),
                Slot::InProgress => Err(Diagnostic::error(
                    "Cycle in module calls",
                    format!("The module call {name:?} depends on itself."),
                )
                .into()),
            };
        }
        let c = match self.module.module_calls.get(name) {
            Some(c) => c.clone(),
            None => return Err(silent()),
        };
        self.calls
            .borrow_mut()
            .insert(name.to_string(), Slot::InProgress);
        let r = self.eval_call(&c);
        self.finish(&self.calls, name, r)
    }

    fn eval_call(&self, c: &ModuleCall) -> R<Value> {
        let child = match &c.module {
            Some(m) => m.clone(),
            None => return Err(silent()),
        };
        let ctx = Some(format!("module {:?}", c.name));
        let reps: Vec<(Option<Value>, Repetition)> = if let Some(ce) = &c.count {
            let v = self.eval_expr(ce, ctx.clone())?;
            let n = count_value(&v).map_err(|m| {
                Diagnostics::from(
                    Diagnostic::error("Invalid count argument", m)
                        .at(ce.range())
                        .in_context(ctx.clone()),
                )
            })?;
            (0..n)
                .map(|i| (Some(Value::int(i)), Repetition::Count(i)))
                .collect()
        } else if let Some(fe) = &c.for_each {
            let v = self.eval_expr(fe, ctx.clone())?;
            let pairs = for_each_pairs(&v).map_err(|m| {
                Diagnostics::from(
                    Diagnostic::error("Invalid for_each argument", m)
                        .at(fe.range())
                        .in_context(ctx.clone()),
                )
            })?;
            pairs
                .into_iter()
                .map(|(k, v)| {
                    (
                        Some(Value::string(k.clone())),
                        Repetition::Each(Value::string(k), v),
                    )
                })
                .collect()
        } else {
            vec![(None, Repetition::None)]
        };
        let mut insts = vec![];
        let mut diags = Diagnostics::new();
        let path_module = if self.path_module == "." {
            normalize_rel(&c.source)
        } else {
            normalize_rel(&format!("{}/{}", self.path_module, c.source))
        };
        for (key, rep) in reps {
            // Inputs evaluated in this module's scope.
            let mut vars = HashMap::new();
            let mut inputs: HashMap<String, (Value, Option<SourceRange>)> = HashMap::new();
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
                    continue;
                }
                match self.eval_expr_rep(e, ctx.clone(), rep.clone()) {
                    Ok(v) => {
                        inputs.insert(k.clone(), (v, e.range()));
                    }
                    Err(d) => diags.extend(d),
                }
            }
            for (name, var) in &child.variables {
                let given = inputs.remove(name);
                let range = given
                    .as_ref()
                    .and_then(|g| g.1.clone())
                    .or_else(|| c.range.clone());
                match finalize_variable(var, given.map(|g| g.0), range, ctx.clone(), false) {
                    Ok(v) => {
                        vars.insert(name.clone(), v);
                    }
                    Err(d) => diags.extend(d),
                }
            }
            if diags.has_errors() {
                continue;
            }
            let me = ModEval::new(self.run, child.clone(), path_module.clone(), vars);
            // Validations run in the child's scope.
            let mut ok = true;
            for (name, var) in &child.variables {
                if let Err(d) = me.validate_variable(var, name) {
                    diags.extend(d);
                    ok = false;
                }
            }
            if ok {
                insts.push((key, me));
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        // Evaluate every instance fully (so all errors are reported) and build the value.
        let mut vals = vec![];
        for (key, me) in &insts {
            let outs = me.eval_all();
            let mut obj = BTreeMap::new();
            for name in me.module.outputs.keys() {
                match outs.get(name) {
                    Some(v) => {
                        obj.insert(name.clone(), v.clone());
                    }
                    None => return Err(silent()),
                }
            }
            vals.push((key.clone(), Value::object(obj)));
        }
        self.children.borrow_mut().insert(c.name.clone(), insts);
        if c.count.is_some() {
            Ok(Value::tuple(vals.into_iter().map(|(_, v)| v).collect()))
        } else if c.for_each.is_some() {
            Ok(Value::object(
                vals.into_iter()
                    .map(|(k, v)| {
                        (
                            k.and_then(|k| k.as_str().map(|s| s.to_string()))
                                .unwrap_or_default(),
                            v,
                        )
                    })
                    .collect(),
            ))
        } else {
            Ok(vals
                .into_iter()
                .next()
                .map(|(_, v)| v)
                .unwrap_or_else(Value::empty_object))
        }
    }

    /// Run the validation rules of a variable against its final value.
    pub fn validate_variable(&self, var: &Variable, name: &str) -> R<()> {
        let value = self.vars.get(name).cloned().unwrap_or_else(Value::null);
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
                    let _ = &value;
                    diags.push(
                        Diagnostic::error(
                            "Invalid value for variable",
                            format!(
                                "{msg}\n\nThis was checked by the validation rule at {}.",
                                v.condition
                                    .range()
                                    .map(|r| r.file.to_string())
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
}

impl Resolver for ModEval<'_> {
    fn resolve(&self, root: &str, attrs: &[&str], range: Option<SourceRange>) -> R<(Value, usize)> {
        let need_attr = |what: &str| -> Diagnostics {
            Diagnostic::error("Invalid reference", format!("The {root:?} object cannot be accessed directly. Instead, access one of its attributes{what}."))
                .at(range.clone())
                .into()
        };
        match root {
            "var" => {
                let name = attrs.first().ok_or_else(|| need_attr(""))?;
                match self.vars.get(*name) {
                    Some(v) => Ok((v.clone(), 1)),
                    None => Err(Diagnostic::error(
                        "Reference to undeclared input variable",
                        format!(
                            "An input variable with the name {name:?} has not been declared. This variable can be declared with a variable \"{name}\" {{}} block."
                        ),
                    )
                    .at(range)
                    .into()),
                }
            }
            "local" => {
                let name = attrs.first().ok_or_else(|| need_attr(""))?;
                if !self.module.locals.contains_key(*name) {
                    return Err(Diagnostic::error(
                        "Reference to undeclared local value",
                        format!(
                            "A local value with the name {name:?} has not been declared.{}",
                            crate::config::suggest(name, &self.module.locals.keys().map(|s| s.as_str()).collect::<Vec<_>>())
                        ),
                    )
                    .at(range)
                    .into());
                }
                self.local(name).map(|v| (v, 1)).map_err(|d| {
                    let mut d = d;
                    for x in d.0.iter_mut() {
                        if x.range.is_none() && !x.summary.is_empty() {
                            x.range = range.clone();
                        }
                    }
                    d
                })
            }
            "module" => {
                let name = attrs.first().ok_or_else(|| need_attr(""))?;
                if !self.module.module_calls.contains_key(*name) {
                    return Err(Diagnostic::error(
                        "Reference to undeclared module",
                        format!("No module call named {name:?} is declared in {}.", if self.path_module == "." { "the root module".to_string() } else { format!("module.{}", self.path_module) }),
                    )
                    .at(range)
                    .into());
                }
                self.call(name).map(|v| (v, 1))
            }
            "path" => {
                let a = attrs.first().ok_or_else(|| need_attr(""))?;
                let v = match *a {
                    "module" => self.path_module.clone(),
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
                Some(&"workspace") => Ok((Value::string(self.run.workspace.clone()), 1)),
                Some(&"env") => Ok((Value::string(self.run.workspace.clone()), 1)),
                _ => Err(Diagnostic::error(
                    "Invalid \"terraform\" attribute",
                    "The \"terraform\" object does not have an attribute with that name. The only supported attribute is terraform.workspace, the name of the currently-selected workspace.",
                )
                .at(range)
                .into()),
            },
            "count" | "each" | "self" => Err(Diagnostic::error(
                format!("Reference to {root:?} in non-{} context", if root == "self" { "resource" } else { "repeated" }),
                format!("The {root:?} object can be used only inside blocks that set the matching meta-argument."),
            )
            .at(range)
            .into()),
            "data" => {
                let t = attrs.first().copied().unwrap_or("");
                let n = attrs.get(1).copied().unwrap_or("");
                Err(Diagnostic::error(
                    "Reference to undeclared resource",
                    format!("A data resource {t:?} {n:?} has not been declared in the root module."),
                )
                .at(range)
                .into())
            }
            _ => {
                let n = attrs.first().copied().unwrap_or("");
                if attrs.is_empty() {
                    return Err(Diagnostic::error(
                        "Invalid reference",
                        format!("A reference to a resource type must be followed by at least one attribute access, specifying the resource name. ({root:?} is not a known name here.)"),
                    )
                    .at(range)
                    .into());
                }
                Err(Diagnostic::error(
                    "Reference to undeclared resource",
                    format!("A managed resource {root:?} {n:?} has not been declared in the root module."),
                )
                .at(range)
                .into())
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
    if !v.is_wholly_known() {
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
