//! Terraform's machine-readable plan (`show -json PLANFILE`, format 1.2) and
//! state (`show -json`, format 1.0) forms.
//!
//! **Sensitive values are redacted.** Unlike Terraform, herd never writes a
//! sensitive value in plain text in these documents: wherever a value, or a
//! value nested inside one, is sensitive (marked in the value, declared
//! `sensitive` in the resource schema, listed in the state's
//! `sensitive_attributes`, or a sensitive output/variable), herd writes
//! `null` in `before` / `after` / `values` / `value` and marks the same
//! path `true` in `before_sensitive` / `after_sensitive` /
//! `sensitive_values`. Constant configuration expressions of sensitive
//! schema attributes and defaults of sensitive variables are omitted. All
//! the fields policy tools (checkov's `terraform_plan` framework,
//! OPA/conftest) read are kept.

use std::collections::BTreeMap;
use std::sync::Arc;

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::{Directive, Element, Template};
use serde_json::{json, Map, Value as J};

use super::{Action, Plan, ResourceChange};
use crate::addrs::{InstanceKey, Mode, ModuleInstance, Target};
use crate::lang::render::type_json;
use crate::lang::value::{Kind, Value};
use crate::providers::{BlockNesting, Schema};
use crate::state::{ResourceState, State, TERRAFORM_VERSION};

/// The plan format version herd writes.
pub const PLAN_FORMAT_VERSION: &str = "1.2";
/// The state format version of `show -json`.
pub const STATE_FORMAT_VERSION: &str = "1.0";

// ---------------------------------------------------------------------------
// Value conversions

fn number_json(n: &crate::lang::number::Number) -> J {
    serde_json::from_str::<J>(&n.to_string()).unwrap_or(J::Null)
}

static SHOW_SENSITIVE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `show -json -show-sensitive`: write sensitive values in plain text (they
/// stay marked in the `*_sensitive` trees). Off by default.
pub fn set_show_sensitive(on: bool) {
    SHOW_SENSITIVE.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Whether sensitive values are redacted in this run's JSON documents.
fn redacting() -> bool {
    !SHOW_SENSITIVE.load(std::sync::atomic::Ordering::Relaxed)
}

/// A value as plan JSON holds it: unknowns omitted from objects and maps,
/// `null` in sequences and at the top; with `redact`, sensitive nodes `null`.
pub(crate) fn value_json(v: &Value, redact: bool) -> J {
    if redact && v.sensitive {
        return J::Null;
    }
    match &v.kind {
        Kind::Null(_) | Kind::Unknown(_) => J::Null,
        Kind::Bool(b) => J::Bool(*b),
        Kind::Number(n) => number_json(n),
        Kind::String(s) => J::String(s.clone()),
        Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => {
            J::Array(xs.iter().map(|x| value_json(x, redact)).collect())
        }
        Kind::Map(_, m) | Kind::Object(m) => J::Object(
            m.iter()
                .filter(|(_, x)| x.is_known())
                .map(|(k, x)| (k.clone(), value_json(x, redact)))
                .collect(),
        ),
    }
}

/// Terraform's "sensitive as bool" tree: `true` on sensitive nodes, arrays
/// for sequences, objects listing only the non-`false` entries.
pub(crate) fn sensitive_json(v: &Value) -> J {
    if v.sensitive {
        return J::Bool(true);
    }
    match &v.kind {
        Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => {
            J::Array(xs.iter().map(sensitive_json).collect())
        }
        Kind::Map(_, m) | Kind::Object(m) => J::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), sensitive_json(x)))
                .filter(|(_, s)| *s != J::Bool(false))
                .collect(),
        ),
        _ => J::Bool(false),
    }
}

/// Terraform's `after_unknown` tree: `true` on unknown nodes.
pub(crate) fn unknown_json(v: &Value) -> J {
    match &v.kind {
        Kind::Unknown(_) => J::Bool(true),
        Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => {
            J::Array(xs.iter().map(unknown_json).collect())
        }
        Kind::Map(_, m) | Kind::Object(m) => J::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), unknown_json(x)))
                .filter(|(_, s)| *s != J::Bool(false))
                .collect(),
        ),
        _ => J::Bool(false),
    }
}

/// Mark the attributes a schema declares sensitive (recursing into nested
/// blocks).
pub(crate) fn mark_schema_sensitive(v: &Value, s: &Schema) -> Value {
    let mut v = v.clone();
    mark_schema_in_place(&mut v, s);
    v
}

fn mark_schema_in_place(v: &mut Value, s: &Schema) {
    let Kind::Object(m) = &mut v.kind else {
        return;
    };
    for (k, a) in &s.attributes {
        if a.sensitive {
            if let Some(x) = m.get_mut(*k) {
                x.sensitive = true;
            }
        }
    }
    for (k, b) in &s.blocks {
        if let Some(x) = m.get_mut(*k) {
            match (&b.nesting, &mut x.kind) {
                (BlockNesting::Single, _) => mark_schema_in_place(x, &b.block),
                (_, Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs)) => {
                    for e in xs.iter_mut() {
                        mark_schema_in_place(e, &b.block);
                    }
                }
                _ => {}
            }
        }
    }
}

/// A replace path step in Terraform's JSON form.
pub(crate) fn path_step_json(s: &super::PathStep) -> J {
    match s {
        super::PathStep::Attr(a) => J::String(a.clone()),
        super::PathStep::Key(k) => J::String(k.clone()),
        super::PathStep::Index(i) => json!(i),
    }
}

fn schema_for(mode: Mode, ty: &str) -> Option<Schema> {
    let reg = crate::providers::registry();
    match mode {
        Mode::Managed => reg.resource(ty).map(|r| r.schema().clone()),
        Mode::Data => reg.data_source(ty).map(|r| r.schema().clone()),
    }
}

fn mode_str(m: Mode) -> &'static str {
    match m {
        Mode::Managed => "managed",
        Mode::Data => "data",
    }
}

/// `provider["registry.terraform.io/hashicorp/aws"]` → the quoted part.
fn provider_name(p: &str) -> String {
    match (p.find("[\""), p.rfind("\"]")) {
        (Some(a), Some(b)) if b > a + 2 => p[a + 2..b].to_string(),
        _ => p.to_string(),
    }
}

fn empty_obj() -> J {
    J::Object(Map::new())
}

// ---------------------------------------------------------------------------
// Plan

fn change_json(
    action: Action,
    before: Option<&Value>,
    after: Option<&Value>,
    schema: Option<&Schema>,
) -> Map<String, J> {
    let mark = |v: &Value| match schema {
        Some(s) => mark_schema_sensitive(v, s),
        None => v.clone(),
    };
    let before = before.map(mark);
    let after = after.map(mark);
    let mut c = Map::new();
    c.insert("actions".into(), json!(action.json_actions()));
    c.insert(
        "before".into(),
        before
            .as_ref()
            .map(|v| value_json(v, redacting()))
            .unwrap_or(J::Null),
    );
    c.insert(
        "after".into(),
        after
            .as_ref()
            .map(|v| value_json(v, redacting()))
            .unwrap_or(J::Null),
    );
    c.insert(
        "after_unknown".into(),
        after.as_ref().map(unknown_json).unwrap_or_else(empty_obj),
    );
    c.insert(
        "before_sensitive".into(),
        before
            .as_ref()
            .map(sensitive_json)
            .unwrap_or(J::Bool(false)),
    );
    c.insert(
        "after_sensitive".into(),
        after.as_ref().map(sensitive_json).unwrap_or(J::Bool(false)),
    );
    c
}

fn resource_change_json(rc: &ResourceChange) -> J {
    let schema = schema_for(rc.addr.resource.mode, &rc.addr.resource.ty);
    let mut m = Map::new();
    m.insert("address".into(), json!(rc.addr.to_string()));
    if let Some(p) = &rc.prev_addr {
        if *p != rc.addr {
            m.insert("previous_address".into(), json!(p.to_string()));
        }
    }
    if !rc.addr.module.is_root() {
        m.insert("module_address".into(), json!(rc.addr.module.to_string()));
    }
    m.insert("mode".into(), json!(mode_str(rc.addr.resource.mode)));
    m.insert("type".into(), json!(rc.addr.resource.ty));
    m.insert("name".into(), json!(rc.addr.resource.name));
    if let Some(k) = &rc.addr.key {
        m.insert("index".into(), k.to_json());
    }
    if let Some(d) = &rc.deposed {
        m.insert("deposed".into(), json!(d));
    }
    m.insert("provider_name".into(), json!(provider_name(&rc.provider)));
    let mut c = change_json(
        rc.action,
        rc.before.as_ref(),
        rc.after.as_ref(),
        schema.as_ref(),
    );
    if !rc.replace_paths.is_empty() {
        c.insert(
            "replace_paths".into(),
            J::Array(
                rc.replace_paths
                    .iter()
                    .map(|p| J::Array(p.iter().map(path_step_json).collect()))
                    .collect(),
            ),
        );
    }
    if let Some(id) = &rc.importing {
        c.insert("importing".into(), json!({ "id": id }));
    }
    m.insert("change".into(), J::Object(c));
    if let Some(r) = rc.reason {
        m.insert("action_reason".into(), json!(r.json_name()));
    }
    J::Object(m)
}

#[derive(Default)]
struct ModuleNode {
    resources: Vec<J>,
    children: BTreeMap<String, ModuleNode>,
}

impl ModuleNode {
    fn insert(&mut self, module: &ModuleInstance, res: J) {
        let mut node = self;
        for i in 0..module.0.len() {
            let addr = ModuleInstance(module.0[..=i].to_vec()).to_string();
            node = node.children.entry(addr).or_default();
        }
        node.resources.push(res);
    }
    fn to_json(&self, address: Option<&str>) -> J {
        let mut m = Map::new();
        if let Some(a) = address {
            m.insert("address".into(), json!(a));
        }
        m.insert("resources".into(), J::Array(self.resources.clone()));
        if !self.children.is_empty() {
            m.insert(
                "child_modules".into(),
                J::Array(
                    self.children
                        .iter()
                        .map(|(a, n)| n.to_json(Some(a)))
                        .collect(),
                ),
            );
        }
        J::Object(m)
    }
}

fn planned_values(plan: &Plan) -> J {
    let mut root = ModuleNode::default();
    let mut changes: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.deposed.is_none())
        .collect();
    changes.sort_by(|a, b| a.addr.cmp(&b.addr));
    for rc in changes {
        let Some(after) = &rc.after else { continue };
        if rc.action == Action::Delete {
            continue;
        }
        let schema = schema_for(rc.addr.resource.mode, &rc.addr.resource.ty);
        let after = match &schema {
            Some(s) => mark_schema_sensitive(after, s),
            None => after.clone(),
        };
        let mut m = Map::new();
        m.insert("address".into(), json!(rc.addr.to_string()));
        m.insert("mode".into(), json!(mode_str(rc.addr.resource.mode)));
        m.insert("type".into(), json!(rc.addr.resource.ty));
        m.insert("name".into(), json!(rc.addr.resource.name));
        if let Some(k) = &rc.addr.key {
            m.insert("index".into(), k.to_json());
        }
        m.insert("provider_name".into(), json!(provider_name(&rc.provider)));
        m.insert(
            "schema_version".into(),
            json!(schema.as_ref().map(|s| s.version).unwrap_or(0)),
        );
        m.insert("values".into(), value_json(&after, redacting()));
        m.insert("sensitive_values".into(), sensitive_json(&after));
        root.insert(&rc.addr.module, J::Object(m));
    }
    let mut outputs = Map::new();
    for oc in &plan.outputs {
        let Some(after) = &oc.after else { continue };
        let sensitive = oc.sensitive || after.deep_sensitive();
        let mut m = Map::new();
        m.insert("sensitive".into(), json!(sensitive));
        if after.is_wholly_known() {
            m.insert(
                "value".into(),
                if sensitive && redacting() {
                    J::Null
                } else {
                    value_json(after, redacting())
                },
            );
            m.insert("type".into(), type_json(&after.ty()));
        }
        outputs.insert(oc.name.clone(), J::Object(m));
    }
    let mut pv = Map::new();
    if !outputs.is_empty() {
        pv.insert("outputs".into(), J::Object(outputs));
    }
    pv.insert("root_module".into(), root.to_json(None));
    J::Object(pv)
}

fn output_changes(plan: &Plan) -> J {
    let mut m = Map::new();
    for oc in &plan.outputs {
        let sensitive = oc.sensitive
            || oc
                .before
                .as_ref()
                .map(|v| v.deep_sensitive())
                .unwrap_or(false)
            || oc
                .after
                .as_ref()
                .map(|v| v.deep_sensitive())
                .unwrap_or(false);
        let red = |v: &Option<Value>| match v {
            Some(v) if !sensitive || !redacting() => value_json(v, redacting()),
            _ => J::Null,
        };
        let after_unknown = match &oc.after {
            Some(v) => unknown_json(v),
            None => J::Bool(false),
        };
        m.insert(
            oc.name.clone(),
            json!({
                "actions": oc.action.json_actions(),
                "before": red(&oc.before),
                "after": red(&oc.after),
                "after_unknown": after_unknown,
                "before_sensitive": sensitive,
                "after_sensitive": sensitive,
            }),
        );
    }
    J::Object(m)
}

/// Terraform's JSON plan (`herd show -json PLANFILE`), with `config` (when
/// given) rendered as the `configuration` section. See the module docs for
/// how sensitive values are redacted.
pub fn plan_json(plan: &Plan, config: Option<&crate::config::Module>) -> J {
    let mut m = Map::new();
    m.insert("format_version".into(), json!(PLAN_FORMAT_VERSION));
    m.insert("terraform_version".into(), json!(TERRAFORM_VERSION));
    if !plan.variables.is_empty() {
        let sensitive_vars: Vec<&str> = config
            .map(|c| {
                c.variables
                    .values()
                    .filter(|v| v.sensitive)
                    .map(|v| v.name.as_str())
                    .collect()
            })
            .unwrap_or_default();
        m.insert(
            "variables".into(),
            J::Object(
                plan.variables
                    .iter()
                    .map(|(k, v)| {
                        let val = if sensitive_vars.contains(&k.as_str()) {
                            J::Null
                        } else {
                            value_json(v, redacting())
                        };
                        (k.clone(), json!({ "value": val }))
                    })
                    .collect(),
            ),
        );
    }
    m.insert("planned_values".into(), planned_values(plan));
    let mut drift: Vec<&ResourceChange> = plan.drift.iter().collect();
    drift.sort_by(|a, b| a.addr.cmp(&b.addr).then_with(|| a.deposed.cmp(&b.deposed)));
    if !drift.is_empty() {
        m.insert(
            "resource_drift".into(),
            J::Array(drift.into_iter().map(resource_change_json).collect()),
        );
    }
    let mut changes: Vec<&ResourceChange> = plan.changes.iter().collect();
    changes.sort_by(|a, b| a.addr.cmp(&b.addr).then_with(|| a.deposed.cmp(&b.deposed)));
    m.insert(
        "resource_changes".into(),
        J::Array(changes.into_iter().map(resource_change_json).collect()),
    );
    if !plan.outputs.is_empty() {
        m.insert("output_changes".into(), output_changes(plan));
    }
    m.insert("prior_state".into(), state_json(&plan.prior_state));
    if let Some(c) = config {
        m.insert("configuration".into(), configuration_json(c));
    }
    m.insert("timestamp".into(), json!(plan.timestamp));
    m.insert(
        "applyable".into(),
        json!(!plan.errored && plan.has_changes()),
    );
    m.insert("complete".into(), json!(!plan.errored));
    m.insert("errored".into(), json!(plan.errored));
    J::Object(m)
}

// ---------------------------------------------------------------------------
// State

fn state_path(j: &J) -> Option<Vec<super::PathStep>> {
    let steps = j.as_array()?;
    let mut out = vec![];
    for s in steps {
        let t = s.get("type")?.as_str()?;
        let v = s.get("value")?;
        out.push(match (t, v) {
            ("get_attr", J::String(a)) => super::PathStep::Attr(a.clone()),
            ("index", J::String(k)) => super::PathStep::Key(k.clone()),
            ("index", J::Number(n)) => super::PathStep::Index(n.as_i64()?),
            _ => return None,
        });
    }
    Some(out)
}

fn mark_path(v: &mut Value, path: &[super::PathStep]) {
    let Some((first, rest)) = path.split_first() else {
        v.sensitive = true;
        return;
    };
    match (&mut v.kind, first) {
        (Kind::Object(m) | Kind::Map(_, m), super::PathStep::Attr(k) | super::PathStep::Key(k)) => {
            if let Some(x) = m.get_mut(k) {
                mark_path(x, rest);
            }
        }
        (Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs), super::PathStep::Index(i)) => {
            if let Some(x) = usize::try_from(*i).ok().and_then(|i| xs.get_mut(i)) {
                mark_path(x, rest);
            }
        }
        _ => {}
    }
}

fn state_resource_address(r: &ResourceState) -> (ModuleInstance, String) {
    let module = match r.module.as_deref() {
        Some(m) if !m.is_empty() => match m.parse::<Target>() {
            Ok(Target::Module(mi)) => mi,
            _ => ModuleInstance::root(),
        },
        _ => ModuleInstance::root(),
    };
    let res = if r.mode == "data" {
        format!("data.{}.{}", r.ty, r.name)
    } else {
        format!("{}.{}", r.ty, r.name)
    };
    let addr = if module.is_root() {
        res
    } else {
        format!("{module}.{res}")
    };
    (module, addr)
}

/// The `show -json` form of a state (format 1.0), sensitive values redacted.
pub fn state_json(state: &State) -> J {
    let mut root = ModuleNode::default();
    for r in &state.resources {
        let (module, base) = state_resource_address(r);
        let mode = if r.mode == "data" {
            Mode::Data
        } else {
            Mode::Managed
        };
        let schema = schema_for(mode, &r.ty);
        for inst in &r.instances {
            let key = inst.index_key.as_ref().and_then(InstanceKey::from_json);
            let addr = match &key {
                Some(k) => format!("{base}{k}"),
                None => base.clone(),
            };
            let mut v = crate::lang::json::from_json(&inst.attributes);
            for p in &inst.sensitive_attributes {
                if let Some(path) = state_path(p) {
                    mark_path(&mut v, &path);
                }
            }
            if let Some(s) = &schema {
                mark_schema_in_place(&mut v, s);
            }
            let mut m = Map::new();
            m.insert("address".into(), json!(addr));
            m.insert(
                "mode".into(),
                json!(if mode == Mode::Data {
                    "data"
                } else {
                    "managed"
                }),
            );
            m.insert("type".into(), json!(r.ty));
            m.insert("name".into(), json!(r.name));
            if let Some(k) = &key {
                m.insert("index".into(), k.to_json());
            }
            m.insert("provider_name".into(), json!(provider_name(&r.provider)));
            m.insert("schema_version".into(), json!(inst.schema_version));
            m.insert("values".into(), value_json(&v, redacting()));
            m.insert("sensitive_values".into(), sensitive_json(&v));
            if !inst.dependencies.is_empty() {
                m.insert("depends_on".into(), json!(inst.dependencies));
            }
            if inst.status.as_deref() == Some("tainted") {
                m.insert("tainted".into(), json!(true));
            }
            if let Some(d) = &inst.deposed {
                m.insert("deposed_key".into(), json!(d));
            }
            root.insert(&module, J::Object(m));
        }
    }
    let mut outputs = Map::new();
    for (name, o) in &state.outputs {
        outputs.insert(
            name.clone(),
            json!({
                "sensitive": o.sensitive,
                "value": if o.sensitive { J::Null } else { o.value.clone() },
                "type": o.ty,
            }),
        );
    }
    let mut values = Map::new();
    if !outputs.is_empty() {
        values.insert("outputs".into(), J::Object(outputs));
    }
    values.insert("root_module".into(), root.to_json(None));
    json!({
        "format_version": STATE_FORMAT_VERSION,
        "terraform_version": state.terraform_version,
        "values": J::Object(values),
    })
}

// ---------------------------------------------------------------------------
// Configuration

/// References of an expression in Terraform's `references` form, and
/// whether it calls any function.
struct Refs {
    refs: Vec<String>,
    calls: bool,
    locals: Vec<String>,
}

impl Refs {
    fn push(&mut self, s: String) {
        if !self.refs.contains(&s) {
            self.refs.push(s);
        }
    }

    fn traversal(&mut self, root: &str, ops: &[&TraversalOperator]) {
        if self.locals.iter().any(|l| l == root) {
            return;
        }
        // Static steps up to the first splat or non-literal index.
        let mut steps: Vec<String> = vec![];
        let mut names: Vec<Option<&str>> = vec![];
        for op in ops {
            match op {
                TraversalOperator::GetAttr(a) => {
                    steps.push(format!(".{}", a.as_str()));
                    names.push(Some(a.as_str()));
                }
                TraversalOperator::LegacyIndex(i) => {
                    steps.push(format!("[{}]", i.value()));
                    names.push(None);
                }
                TraversalOperator::Index(e) => match e {
                    Expression::Number(n) => {
                        steps.push(format!("[{}]", n.value()));
                        names.push(None);
                    }
                    Expression::String(s) => {
                        steps.push(format!(
                            "[{}]",
                            serde_json::to_string(s.value()).unwrap_or_default()
                        ));
                        names.push(None);
                    }
                    _ => break,
                },
                _ => break,
            }
        }
        // How many steps form the subject.
        let subject_len = match root {
            "var" | "local" | "path" | "terraform" | "count" | "each" | "self" => 1,
            "module" => {
                // module.NAME[key].OUTPUT
                let mut n = 1;
                if matches!(names.get(1), Some(None)) {
                    n += 1;
                }
                if matches!(names.get(n), Some(Some(_))) {
                    n += 1;
                }
                n
            }
            "data" => {
                let mut n = 2;
                if matches!(names.get(2), Some(None)) {
                    n += 1;
                }
                n
            }
            _ => {
                let mut n = 1;
                if matches!(names.get(1), Some(None)) {
                    n += 1;
                }
                n
            }
        };
        if steps.len() < subject_len.min(if root == "data" { 2 } else { 1 }) {
            return;
        }
        let subject_len = subject_len.min(steps.len());
        let subject = format!("{root}{}", steps[..subject_len].concat());
        for end in (subject_len + 1..=steps.len()).rev() {
            self.push(format!("{root}{}", steps[..end].concat()));
        }
        self.push(subject);
        match root {
            "module" => {
                if subject_len >= 2 {
                    // module.NAME (without key / output)
                    self.push(format!("{root}{}", steps[0]));
                }
            }
            "data" => {
                if subject_len == 3 {
                    self.push(format!("{root}{}", steps[..2].concat()));
                }
            }
            "var" | "local" | "path" | "terraform" | "count" | "each" | "self" => {}
            _ => {
                if subject_len == 2 {
                    self.push(format!("{root}{}", steps[0]));
                }
            }
        }
    }

    fn expr(&mut self, e: &Expression) {
        match e {
            Expression::Variable(v) => self.traversal(v.as_str(), &[]),
            Expression::Traversal(t) => {
                let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
                if let Expression::Variable(v) = &t.expr {
                    self.traversal(v.as_str(), &ops);
                } else {
                    self.expr(&t.expr);
                }
                for op in ops {
                    if let TraversalOperator::Index(ie) = op {
                        self.expr(ie);
                    }
                }
            }
            Expression::Array(a) => a.iter().for_each(|x| self.expr(x)),
            Expression::Object(o) => {
                for (k, v) in o.iter() {
                    if let ObjectKey::Expression(ke) = k {
                        if !matches!(ke, Expression::Variable(_)) {
                            self.expr(ke);
                        }
                    }
                    self.expr(v.expr());
                }
            }
            Expression::StringTemplate(t) => self.template(t),
            Expression::HeredocTemplate(h) => self.template(&h.template),
            Expression::Parenthesis(p) => self.expr(p.inner()),
            Expression::Conditional(c) => {
                self.expr(&c.cond_expr);
                self.expr(&c.true_expr);
                self.expr(&c.false_expr);
            }
            Expression::FuncCall(fc) => {
                self.calls = true;
                fc.args.iter().for_each(|a| self.expr(a));
            }
            Expression::UnaryOp(u) => self.expr(&u.expr),
            Expression::BinaryOp(b) => {
                self.expr(&b.lhs_expr);
                self.expr(&b.rhs_expr);
            }
            Expression::ForExpr(f) => {
                self.expr(&f.intro.collection_expr);
                let n = self.locals.len();
                if let Some(k) = &f.intro.key_var {
                    self.locals.push(k.as_str().to_string());
                }
                self.locals.push(f.intro.value_var.as_str().to_string());
                if let Some(k) = &f.key_expr {
                    self.expr(k);
                }
                self.expr(&f.value_expr);
                if let Some(c) = &f.cond {
                    self.expr(&c.expr);
                }
                self.locals.truncate(n);
            }
            _ => {}
        }
    }

    fn template(&mut self, t: &Template) {
        for el in t.iter() {
            match el {
                Element::Literal(_) => {}
                Element::Interpolation(i) => self.expr(&i.expr),
                Element::Directive(d) => match &**d {
                    Directive::If(ifd) => {
                        self.expr(&ifd.if_expr.cond_expr);
                        self.template(&ifd.if_expr.template);
                        if let Some(el) = &ifd.else_expr {
                            self.template(&el.template);
                        }
                    }
                    Directive::For(fd) => {
                        self.expr(&fd.for_expr.collection_expr);
                        let n = self.locals.len();
                        if let Some(k) = &fd.for_expr.key_var {
                            self.locals.push(k.as_str().to_string());
                        }
                        self.locals.push(fd.for_expr.value_var.as_str().to_string());
                        self.template(&fd.for_expr.template);
                        self.locals.truncate(n);
                    }
                },
            }
        }
    }
}

/// Terraform's expression form: `{"constant_value": ...}` for expressions
/// without references, `{"references": [...]}` otherwise. `redact` omits the
/// constant (sensitive attributes).
fn expression_json(e: &Expression, file: &Arc<str>, redact: bool) -> J {
    let mut r = Refs {
        refs: vec![],
        calls: false,
        locals: vec![],
    };
    r.expr(e);
    let mut m = Map::new();
    if r.refs.is_empty() && !r.calls && !redact {
        if let Ok(v) = crate::lang::eval::eval_constant(e, file) {
            if v.is_wholly_known() {
                m.insert("constant_value".into(), value_json(&v, redacting()));
            }
        }
    }
    if !r.refs.is_empty() {
        m.insert("references".into(), json!(r.refs));
    }
    J::Object(m)
}

const META_ARGS: [&str; 5] = ["count", "for_each", "provider", "depends_on", "lifecycle"];

fn body_expressions(body: &Body, file: &Arc<str>, schema: Option<&Schema>) -> J {
    let mut m = Map::new();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let name = a.key.as_str();
                if META_ARGS.contains(&name) {
                    continue;
                }
                let sensitive = schema
                    .and_then(|s| s.attributes.get(name))
                    .map(|a| a.sensitive)
                    .unwrap_or(false);
                m.insert(name.to_string(), expression_json(&a.value, file, sensitive));
            }
            Structure::Block(b) => {
                let name = b.ident.as_str();
                if matches!(name, "lifecycle" | "provisioner" | "connection" | "dynamic") {
                    continue;
                }
                let inner = schema.and_then(|s| s.blocks.get(name)).map(|b| &b.block);
                let e = body_expressions(&b.body, file, inner);
                match m.get_mut(name) {
                    Some(J::Array(a)) => a.push(e),
                    _ => {
                        m.insert(name.to_string(), J::Array(vec![e]));
                    }
                }
            }
        }
    }
    J::Object(m)
}

fn provider_full_name(name: &str) -> String {
    if name == "terraform" {
        "terraform.io/builtin/terraform".into()
    } else {
        format!("registry.terraform.io/hashicorp/{name}")
    }
}

fn resource_provider(ty: &str) -> &str {
    if ty.starts_with("terraform_") {
        "terraform"
    } else {
        crate::providers::Registry::provider_of(ty)
    }
}

fn module_json(module: &crate::config::Module, prefix: &str, providers: &mut Map<String, J>) -> J {
    let mut m = Map::new();
    let mut outputs = Map::new();
    for o in module.outputs.values() {
        let mut om = Map::new();
        if o.sensitive {
            om.insert("sensitive".into(), json!(true));
        }
        if let Some(e) = &o.value {
            om.insert(
                "expression".into(),
                expression_json(&e.expr, &e.file, o.sensitive),
            );
        }
        if let Some(d) = &o.description {
            om.insert("description".into(), json!(d));
        }
        outputs.insert(o.name.clone(), J::Object(om));
    }
    if !outputs.is_empty() {
        m.insert("outputs".into(), J::Object(outputs));
    }
    let mut resources = vec![];
    for r in &module.resources {
        let mode = match r.mode {
            crate::config::ResourceMode::Managed => Mode::Managed,
            crate::config::ResourceMode::Data => Mode::Data,
        };
        let schema = schema_for(mode, &r.ty);
        let provider_ref = crate::config::attr(&r.body, "provider").and_then(|a| match &a.value {
            Expression::Traversal(t) => {
                let Expression::Variable(v) = &t.expr else {
                    return None;
                };
                let alias = t.operators.iter().find_map(|o| match o.value() {
                    TraversalOperator::GetAttr(a) => Some(a.as_str().to_string()),
                    _ => None,
                })?;
                Some(format!("{}.{}", v.as_str(), alias))
            }
            Expression::Variable(v) => Some(v.as_str().to_string()),
            _ => None,
        });
        let pname = resource_provider(&r.ty).to_string();
        let key = provider_ref.unwrap_or_else(|| pname.clone());
        let full_key = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}:{key}")
        };
        if !providers.contains_key(&full_key) {
            let mut pm = Map::new();
            pm.insert("name".into(), json!(pname));
            pm.insert("full_name".into(), json!(provider_full_name(&pname)));
            if !prefix.is_empty() {
                pm.insert("module_address".into(), json!(prefix));
            }
            providers.insert(full_key.clone(), J::Object(pm));
        }
        let addr = if mode == Mode::Data {
            format!("data.{}.{}", r.ty, r.name)
        } else {
            format!("{}.{}", r.ty, r.name)
        };
        let mut rm = Map::new();
        rm.insert("address".into(), json!(addr));
        rm.insert("mode".into(), json!(mode_str(mode)));
        rm.insert("type".into(), json!(r.ty));
        rm.insert("name".into(), json!(r.name));
        rm.insert("provider_config_key".into(), json!(full_key));
        rm.insert(
            "expressions".into(),
            body_expressions(&r.body, &r.file, schema.as_ref()),
        );
        rm.insert(
            "schema_version".into(),
            json!(schema.as_ref().map(|s| s.version).unwrap_or(0)),
        );
        if let Some(a) = crate::config::attr(&r.body, "count") {
            rm.insert(
                "count_expression".into(),
                expression_json(&a.value, &r.file, false),
            );
        }
        if let Some(a) = crate::config::attr(&r.body, "for_each") {
            rm.insert(
                "for_each_expression".into(),
                expression_json(&a.value, &r.file, false),
            );
        }
        if let Some(a) = crate::config::attr(&r.body, "depends_on") {
            let mut refs = Refs {
                refs: vec![],
                calls: false,
                locals: vec![],
            };
            if let Expression::Array(arr) = &a.value {
                let deps: Vec<String> = arr
                    .iter()
                    .filter_map(|x| {
                        refs.refs.clear();
                        refs.expr(x);
                        refs.refs.last().cloned()
                    })
                    .collect();
                rm.insert("depends_on".into(), json!(deps));
            }
        }
        resources.push(J::Object(rm));
    }
    if !resources.is_empty() {
        m.insert("resources".into(), J::Array(resources));
    }
    let mut calls = Map::new();
    for c in module.module_calls.values() {
        let mut cm = Map::new();
        cm.insert("source".into(), json!(c.source));
        let mut exprs = Map::new();
        for (k, e) in &c.inputs {
            exprs.insert(k.clone(), expression_json(&e.expr, &e.file, false));
        }
        cm.insert("expressions".into(), J::Object(exprs));
        if let Some(e) = &c.count {
            cm.insert(
                "count_expression".into(),
                expression_json(&e.expr, &e.file, false),
            );
        }
        if let Some(e) = &c.for_each {
            cm.insert(
                "for_each_expression".into(),
                expression_json(&e.expr, &e.file, false),
            );
        }
        if let Some(child) = &c.module {
            let p = if prefix.is_empty() {
                c.name.clone()
            } else {
                format!("{prefix}.{}", c.name)
            };
            cm.insert("module".into(), module_json(child, &p, providers));
        }
        if let Some(v) = &c.version {
            cm.insert("version_constraint".into(), json!(v));
        }
        calls.insert(c.name.clone(), J::Object(cm));
    }
    if !calls.is_empty() {
        m.insert("module_calls".into(), J::Object(calls));
    }
    let mut vars = Map::new();
    for v in module.variables.values() {
        let mut vm = Map::new();
        if let Some(d) = &v.default {
            if !v.sensitive {
                if let Ok(val) = crate::lang::eval::eval_constant(&d.expr, &d.file) {
                    vm.insert("default".into(), value_json(&val, redacting()));
                }
            }
        }
        if let Some(d) = &v.description {
            vm.insert("description".into(), json!(d));
        }
        if v.sensitive {
            vm.insert("sensitive".into(), json!(true));
        }
        vars.insert(v.name.clone(), J::Object(vm));
    }
    if !vars.is_empty() {
        m.insert("variables".into(), J::Object(vars));
    }
    J::Object(m)
}

fn configuration_json(module: &crate::config::Module) -> J {
    let mut providers = Map::new();
    for p in &module.providers {
        let key = match &p.alias {
            Some(a) => format!("{}.{}", p.name, a),
            None => p.name.clone(),
        };
        let mut pm = Map::new();
        pm.insert("name".into(), json!(p.name));
        pm.insert("full_name".into(), json!(provider_full_name(&p.name)));
        if let Some(a) = &p.alias {
            pm.insert("alias".into(), json!(a));
        }
        let exprs = body_expressions(&p.body, &p.file, None);
        if exprs.as_object().map(|o| !o.is_empty()).unwrap_or(false) {
            pm.insert("expressions".into(), exprs);
        }
        providers.insert(key, J::Object(pm));
    }
    let root = module_json(module, "", &mut providers);
    json!({
        "provider_config": J::Object(providers),
        "root_module": root,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::types::Type;

    #[test]
    fn trees() {
        let v = Value::object(
            [
                ("a".to_string(), Value::string("x").mark(true)),
                ("b".to_string(), Value::unknown(Type::String)),
                (
                    "c".to_string(),
                    Value::list(
                        Type::String,
                        vec![Value::string("p"), Value::string("q").mark(true)],
                    ),
                ),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(value_json(&v, true), json!({"a": null, "c": ["p", null]}));
        assert_eq!(value_json(&v, false), json!({"a": "x", "c": ["p", "q"]}));
        assert_eq!(sensitive_json(&v), json!({"a": true, "c": [false, true]}));
        assert_eq!(unknown_json(&v), json!({"b": true, "c": [false, false]}));
    }

    #[test]
    fn provider_names() {
        assert_eq!(
            provider_name("provider[\"registry.terraform.io/hashicorp/aws\"]"),
            "registry.terraform.io/hashicorp/aws"
        );
        assert_eq!(
            provider_name("provider[\"terraform.io/builtin/terraform\"].alias"),
            "terraform.io/builtin/terraform"
        );
    }
}
