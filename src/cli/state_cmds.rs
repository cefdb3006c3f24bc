//! `herd state list|show|mv|rm|pull|push` and `herd force-unlock`, following
//! Terraform's command behaviour, ordering and messages.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use clap::{ArgAction, Args, Subcommand};
use serde_json::Value as J;

use super::commands::state_mgr;
use crate::addrs::{
    AbsResource, AbsResourceInstance, InstanceKey, Mode, ModuleInstance, Resource, Target,
};
use crate::state::lock;
use crate::state::mgr::{StateLock, StateMgr};
use crate::state::{self, InstanceState, ResourceState, State};

#[derive(Args, Debug)]
pub struct StateArgs {
    #[command(subcommand)]
    pub command: StateCommand,
}

#[derive(Subcommand, Debug)]
pub enum StateCommand {
    /// List resources in the state.
    List(ListArgs),
    /// Show a resource in the state.
    Show(ShowArgs),
    /// Move an item in the state.
    Mv(MvArgs),
    /// Remove instances from the state.
    Rm(RmArgs),
    /// Pull current state and output to stdout.
    Pull(PullArgs),
    /// Update remote state from a local state file.
    Push(PushArgs),
}

/// `-lock` and `-lock-timeout`.
#[derive(Args, Debug, Clone)]
pub struct LockArgs {
    /// Don't hold a state lock during the operation (-lock=false).
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub lock: bool,
    /// Duration to retry a state lock.
    #[arg(long = "lock-timeout", value_name = "DURATION", default_value = "0s")]
    pub lock_timeout: String,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Path to a state file to use instead of the default.
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Filter results to resources with this id attribute.
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    pub addresses: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    pub addresses: Vec<String>,
}

#[derive(Args, Debug)]
pub struct MvArgs {
    /// Print what would be moved without changing the state.
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    #[command(flatten)]
    pub lock: LockArgs,
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Accepted for compatibility; herd always keeps `<state>.backup`.
    #[arg(long, value_name = "PATH")]
    pub backup: Option<String>,
    #[arg(long = "ignore-remote-version")]
    pub ignore_remote_version: bool,
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    #[command(flatten)]
    pub lock: LockArgs,
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Accepted for compatibility; herd always keeps `<state>.backup`.
    #[arg(long, value_name = "PATH")]
    pub backup: Option<String>,
    #[arg(long = "ignore-remote-version")]
    pub ignore_remote_version: bool,
    pub addresses: Vec<String>,
}

#[derive(Args, Debug)]
pub struct PullArgs {}

#[derive(Args, Debug)]
pub struct PushArgs {
    /// Write the state even if lineages don't match or the serial is lower.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub lock: LockArgs,
    #[arg(long = "ignore-remote-version")]
    pub ignore_remote_version: bool,
    pub args: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ForceUnlockArgs {
    /// Don't ask for confirmation.
    #[arg(long)]
    pub force: bool,
    pub args: Vec<String>,
}

pub fn run(dir: &Path, a: StateArgs) -> i32 {
    match a.command {
        StateCommand::List(a) => list(dir, a),
        StateCommand::Show(a) => show(dir, a),
        StateCommand::Mv(a) => mv(dir, a),
        StateCommand::Rm(a) => rm(dir, a),
        StateCommand::Pull(_) => pull(dir),
        StateCommand::Push(a) => push(dir, a),
    }
}

const ERR_STATE_NOT_FOUND: &str = "No state file was found!

State management commands require a state file. Run this command
in a directory where herd has been run or use the -state flag
to point the command to another state file.";

/// Print an error diagnostic in herd's boxed style.
pub(super) fn error_box(summary: &str, detail: &str) {
    let mut s = format!("╷\n│ Error: {summary}\n");
    if !detail.is_empty() {
        s.push_str("│ \n");
        for l in detail.lines() {
            if l.is_empty() {
                s.push_str("│ \n");
            } else {
                s.push_str(&format!("│ {l}\n"));
            }
        }
    }
    s.push('╵');
    eprintln!("{s}");
}

/// Parse `-lock-timeout` and take the lock (unless `-lock=false`).
pub(super) fn take_lock(
    mgr: &dyn StateMgr,
    la: &LockArgs,
    operation: &str,
) -> Result<Option<StateLock>, i32> {
    let timeout = match lock::parse_duration(&la.lock_timeout) {
        Ok(d) => d,
        Err(e) => {
            eprintln!(
                "Error parsing command-line flags: invalid value {:?} for flag -lock-timeout: {e}",
                la.lock_timeout
            );
            return Err(1);
        }
    };
    if !la.lock {
        return Ok(None);
    }
    match mgr.lock(operation, timeout) {
        Ok(g) => Ok(Some(g)),
        Err(e) => {
            let text = e.to_string();
            let (summary, detail) = text.split_once("\n\n").unwrap_or((&text, ""));
            error_box(summary, detail);
            Err(1)
        }
    }
}

fn load(mgr: &dyn StateMgr) -> Result<State, i32> {
    match mgr.read() {
        Ok(Some(s)) => Ok(s),
        Ok(None) => {
            eprintln!("{ERR_STATE_NOT_FOUND}");
            Err(1)
        }
        Err(e) => {
            eprintln!("Failed to load state: {e}");
            Err(1)
        }
    }
}

fn save(mgr: &dyn StateMgr, prev: &State, new: State) -> Result<(), i32> {
    match mgr.persist(Some(prev), new) {
        Ok(_) => Ok(()),
        Err(e) => {
            eprintln!("Error saving the state: {e}\n\nThe state was not saved. No items were removed from the persisted\nstate. No backup was created since no modification occurred. Please\nresolve the issue above and try again.");
            Err(1)
        }
    }
}

fn parse_target(s: &str) -> Result<Target, i32> {
    s.parse::<Target>().map_err(|e| {
        error_box("Invalid address", &e.msg);
        1
    })
}

// ---------------------------------------------------------------------------
// Addresses in the state model

fn res_abs(r: &ResourceState) -> Option<AbsResource> {
    let module = match r.module.as_deref() {
        None | Some("") => ModuleInstance::root(),
        Some(m) => match m.parse::<Target>() {
            Ok(Target::Module(m)) => m,
            _ => return None,
        },
    };
    let mode = if r.mode == "data" {
        Mode::Data
    } else {
        Mode::Managed
    };
    Some(AbsResource {
        module,
        resource: Resource {
            mode,
            ty: r.ty.clone(),
            name: r.name.clone(),
        },
    })
}

fn inst_key(i: &InstanceState) -> Option<InstanceKey> {
    i.index_key.as_ref().and_then(InstanceKey::from_json)
}

fn resource_idx(st: &State, addr: &AbsResource) -> Option<usize> {
    st.resources
        .iter()
        .position(|r| res_abs(r).as_ref() == Some(addr))
}

fn instance_exists(st: &State, addr: &AbsResourceInstance) -> bool {
    resource_idx(st, &addr.abs_resource()).is_some_and(|i| {
        st.resources[i]
            .instances
            .iter()
            .any(|o| inst_key(o) == addr.key)
    })
}

fn module_exists(st: &State, m: &ModuleInstance) -> bool {
    st.resources
        .iter()
        .any(|r| res_abs(r).is_some_and(|a| &a.module == m))
}

/// Every resource instance in the state (one per key, deposed objects folded in).
fn all_instances(st: &State) -> Vec<AbsResourceInstance> {
    let mut out = vec![];
    for r in &st.resources {
        let Some(a) = res_abs(r) else { continue };
        let mut seen: Vec<Option<InstanceKey>> = vec![];
        for i in &r.instances {
            let k = inst_key(i);
            if !seen.contains(&k) {
                seen.push(k.clone());
                out.push(a.instance(k));
            }
        }
    }
    out
}

fn module_cmp(a: &ModuleInstance, b: &ModuleInstance) -> Ordering {
    a.0.len().cmp(&b.0.len()).then_with(|| {
        for ((an, ak), (bn, bk)) in a.0.iter().zip(b.0.iter()) {
            let o = an.cmp(bn).then_with(|| ak.cmp(bk));
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    })
}

/// Terraform's `AbsResourceInstance.Less`: shallower modules first, data
/// resources before managed ones, then type, name and key.
fn tf_cmp(a: &AbsResourceInstance, b: &AbsResourceInstance) -> Ordering {
    module_cmp(&a.module, &b.module)
        .then_with(|| match (a.resource.mode, b.resource.mode) {
            (x, y) if x == y => Ordering::Equal,
            (Mode::Data, _) => Ordering::Less,
            _ => Ordering::Greater,
        })
        .then_with(|| a.resource.ty.cmp(&b.resource.ty))
        .then_with(|| a.resource.name.cmp(&b.resource.name))
        .then_with(|| a.key.cmp(&b.key))
}

/// Terraform's `ModuleInstance.TargetContains` (plus ancestry): `module.a`
/// selects `module.a[0]` and everything beneath it.
fn module_selects(t: &ModuleInstance, m: &ModuleInstance) -> bool {
    if m.0.len() < t.0.len() {
        return false;
    }
    for (i, ((tn, tk), (mn, mk))) in t.0.iter().zip(m.0.iter()).enumerate() {
        if tn != mn {
            return false;
        }
        if i == t.0.len() - 1 && tk.is_none() {
            return true;
        }
        if tk != mk {
            return false;
        }
    }
    true
}

fn target_contains(a: &Target, b: &Target) -> bool {
    match (a, b) {
        (Target::Module(m), Target::Module(n)) => module_selects(m, n),
        (Target::Module(m), Target::Resource(r)) => module_selects(m, &r.module),
        (Target::Module(m), Target::Instance(i)) => module_selects(m, &i.module),
        (Target::Resource(r), Target::Resource(s)) => r == s,
        (Target::Resource(r), Target::Instance(i)) => &i.abs_resource() == r,
        (Target::Instance(i), Target::Instance(j)) => i == j,
        (Target::Instance(i), Target::Resource(r)) => i.key.is_none() && &i.abs_resource() == r,
        _ => false,
    }
}

/// Terraform's `lookupResourceInstanceAddr`: the instances a target selects.
fn lookup(
    st: &State,
    target: &Target,
    allow_missing: bool,
) -> Result<Vec<AbsResourceInstance>, (String, String)> {
    let all = all_instances(st);
    let mut out: Vec<AbsResourceInstance> = match target {
        Target::Module(m) => {
            let v: Vec<_> = all
                .into_iter()
                .filter(|i| module_selects(m, &i.module))
                .collect();
            if v.is_empty() && !allow_missing {
                return Err(("Unknown module".into(), format!("The current state contains no module at {m}. If you've just added this module to the configuration, you must run \"herd apply\" first to create the module's entry in the state.")));
            }
            v
        }
        Target::Resource(r) => {
            let v: Vec<_> = all.into_iter().filter(|i| &i.abs_resource() == r).collect();
            if v.is_empty() && !allow_missing {
                return Err(("Unknown resource".into(), format!("The current state contains no resource {r}. If you've just added this resource to the configuration, you must run \"herd apply\" first to create the resource's entry in the state.")));
            }
            v
        }
        Target::Instance(i) => {
            if all.contains(i) {
                vec![i.clone()]
            } else if allow_missing {
                vec![]
            } else {
                return Err(("Unknown resource instance".into(), format!("The current state contains no resource instance {i}. If you've just added its resource to the configuration or have changed the count or for_each arguments, you must run \"herd apply\" first to update the resource's entry in the state.")));
            }
        }
    };
    out.sort_by(tf_cmp);
    Ok(out)
}

/// The objects (current and deposed) of one instance.
fn objects<'a>(st: &'a State, addr: &AbsResourceInstance) -> Vec<&'a InstanceState> {
    match resource_idx(st, &addr.abs_resource()) {
        Some(ri) => st.resources[ri]
            .instances
            .iter()
            .filter(|o| inst_key(o) == addr.key)
            .collect(),
        None => vec![],
    }
}

/// Remove every object of an instance, and the resource if it becomes empty.
/// Returns the removed objects and the resource's provider.
fn take_instance(st: &mut State, addr: &AbsResourceInstance) -> (Vec<InstanceState>, String) {
    let Some(ri) = resource_idx(st, &addr.abs_resource()) else {
        return (vec![], String::new());
    };
    let r = &mut st.resources[ri];
    let provider = r.provider.clone();
    let (taken, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut r.instances)
        .into_iter()
        .partition(|o| inst_key(o) == addr.key);
    r.instances = kept;
    if r.instances.is_empty() {
        st.resources.remove(ri);
    }
    (taken, provider)
}

fn module_string(m: &ModuleInstance) -> Option<String> {
    if m.is_root() {
        None
    } else {
        Some(m.to_string())
    }
}

/// Terraform's v4 writer order: resources by module, mode, type, name;
/// instances by key then deposed key.
fn normalize(st: &mut State) {
    st.resources.sort_by(|a, b| {
        a.module
            .as_deref()
            .unwrap_or("")
            .cmp(b.module.as_deref().unwrap_or(""))
            .then_with(|| a.mode.cmp(&b.mode))
            .then_with(|| a.ty.cmp(&b.ty))
            .then_with(|| a.name.cmp(&b.name))
    });
    for r in &mut st.resources {
        r.instances.sort_by(|a, b| {
            inst_key(a)
                .cmp(&inst_key(b))
                .then_with(|| a.deposed.cmp(&b.deposed))
        });
    }
}

/// Go's `%q`.
pub(super) fn go_quote(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            '\r' => o.push_str("\\r"),
            '\u{7}' => o.push_str("\\a"),
            '\u{8}' => o.push_str("\\b"),
            '\u{c}' => o.push_str("\\f"),
            '\u{b}' => o.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                o.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => {
                let n = c as u32;
                if n <= 0xffff {
                    o.push_str(&format!("\\u{n:04x}"));
                } else {
                    o.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

// ---------------------------------------------------------------------------
// state list

fn list(dir: &Path, a: ListArgs) -> i32 {
    let spath = match state_mgr(dir, &a.state) {
        Ok(m) => m,
        Err(c) => return c,
    };
    let st = match load(&*spath) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let mut addrs = vec![];
    if a.addresses.is_empty() {
        addrs = all_instances(&st);
        addrs.sort_by(tf_cmp);
    } else {
        for s in &a.addresses {
            let t = match parse_target(s) {
                Ok(t) => t,
                Err(c) => return c,
            };
            match lookup(&st, &t, true) {
                Ok(v) => addrs.extend(v),
                Err((s, d)) => {
                    error_box(&s, &d);
                    return 1;
                }
            }
        }
    }
    let mut out = std::io::stdout().lock();
    for addr in addrs {
        if let Some(id) = &a.id {
            let current = objects(&st, &addr)
                .into_iter()
                .find(|o| o.deposed.is_none());
            let oid = match current {
                None => "<not created>".to_string(),
                Some(o) => o
                    .attributes
                    .get("id")
                    .and_then(J::as_str)
                    .unwrap_or("")
                    .to_string(),
            };
            if &oid != id {
                continue;
            }
        }
        let _ = writeln!(out, "{addr}");
    }
    0
}

// ---------------------------------------------------------------------------
// state show

const ERR_NO_INSTANCE: &str = "No instance found for the given address!

This command requires that the address references one specific instance.
To view the available instances, use \"herd state list\". Please modify 
the address to reference a specific instance.";

fn show(dir: &Path, a: ShowArgs) -> i32 {
    if a.addresses.len() != 1 {
        eprintln!("Exactly one argument expected.\n");
        return 1;
    }
    let spath = match state_mgr(dir, &a.state) {
        Ok(m) => m,
        Err(c) => return c,
    };
    let st = match load(&*spath) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let addr: AbsResourceInstance = match a.addresses[0].parse() {
        Ok(a) => a,
        Err(_) => {
            eprintln!("Error parsing instance address: {}\n\nThis command requires that the address references one specific instance.\nTo view the available instances, use \"herd state list\". Please modify \nthe address to reference a specific instance.", a.addresses[0]);
            return 1;
        }
    };
    let Some(obj) = objects(&st, &addr)
        .into_iter()
        .find(|o| o.deposed.is_none())
    else {
        eprintln!("{ERR_NO_INSTANCE}");
        return 1;
    };
    print!("{}", render_instance(&addr, obj));
    0
}

/// Terraform's human rendering of one resource instance (`state show`).
pub fn render_instance(addr: &AbsResourceInstance, obj: &InstanceState) -> String {
    let mut out = format!("# {addr}:");
    if obj.status.as_deref() == Some("tainted") {
        out.push_str(" (tainted)");
    }
    out.push('\n');
    let sens = sensitive_paths(&obj.sensitive_attributes);
    let body = match &obj.attributes {
        J::Object(m) => render_block(m, &sens, 0),
        _ => "{}".to_string(),
    };
    let kw = if addr.resource.mode == Mode::Data {
        "data"
    } else {
        "resource"
    };
    out.push_str(&format!(
        "{kw} {} {} {body}\n",
        go_quote(&addr.resource.ty),
        go_quote(&addr.resource.name)
    ));
    out
}

/// Sensitive attribute paths as strings: `["a"]["b"][0]["k"]` (attribute and
/// map-key steps spelled alike).
fn sensitive_paths(v: &[J]) -> HashSet<String> {
    let mut set = HashSet::new();
    for p in v {
        let Some(steps) = p.as_array() else { continue };
        let mut s = String::new();
        for st in steps {
            match st.get("type").and_then(J::as_str) {
                // Attribute and string-key steps share one spelling: an
                // object attribute renders like a map key and vice versa.
                Some("get_attr") => {
                    let k = st.get("value").and_then(J::as_str).unwrap_or("");
                    s.push_str(&format!("[{}]", go_quote(k)));
                }
                Some("index") => {
                    let k = st.get("value").map(|v| v.get("value").unwrap_or(v));
                    match k {
                        Some(J::String(k)) => s.push_str(&format!("[{}]", go_quote(k))),
                        Some(J::Number(n)) => s.push_str(&format!("[{n}]")),
                        _ => s.push_str("[?]"),
                    }
                }
                _ => {}
            }
        }
        set.insert(s);
    }
    set
}

fn indent(n: usize) -> String {
    "    ".repeat(n)
}

fn attr_name(k: &str) -> String {
    if crate::config::is_valid_name(k) {
        k.to_string()
    } else {
        go_quote(k)
    }
}

fn render_block(m: &serde_json::Map<String, J>, sens: &HashSet<String>, ind: usize) -> String {
    let mut keys: Vec<&String> = m.keys().filter(|k| !m[k.as_str()].is_null()).collect();
    if keys.is_empty() {
        return "{}".into();
    }
    keys.sort();
    let width = keys.iter().map(|k| attr_name(k).len()).max().unwrap_or(0);
    let mut s = "{\n".to_string();
    for k in keys {
        let path = format!("[{}]", go_quote(k));
        let v = render_value(&m[k.as_str()], &path, sens, ind + 1, true, false);
        s.push_str(&format!(
            "{}{:<width$} = {v}\n",
            indent(ind + 1),
            attr_name(k)
        ));
    }
    s.push_str(&indent(ind));
    s.push('}');
    s
}

/// Render an attribute value. `top`: directly under the resource (objects of
/// primitives there are maps, like AWS `tags`); `json`: inside `jsonencode`.
fn render_value(
    v: &J,
    path: &str,
    sens: &HashSet<String>,
    ind: usize,
    top: bool,
    json: bool,
) -> String {
    if !json && sens.contains(path) {
        return "(sensitive value)".into();
    }
    match v {
        J::Null => "null".into(),
        J::Bool(b) => b.to_string(),
        J::Number(n) => n.to_string(),
        J::String(s) => render_string(s, ind),
        J::Array(items) => {
            if items.is_empty() {
                return "[]".into();
            }
            let mut s = "[\n".to_string();
            for (i, it) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                s.push_str(&format!(
                    "{}{},\n",
                    indent(ind + 1),
                    render_value(it, &p, sens, ind + 1, false, json)
                ));
            }
            s.push_str(&indent(ind));
            s.push(']');
            s
        }
        J::Object(m) => {
            let is_map = !json && top && m.values().all(|v| !v.is_array() && !v.is_object());
            if m.is_empty() {
                return "{}".into();
            }
            if is_map {
                let width = m.keys().map(|k| go_quote(k).len()).max().unwrap_or(0);
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                let mut s = "{\n".to_string();
                for k in keys {
                    let p = format!("{path}[{}]", go_quote(k));
                    s.push_str(&format!(
                        "{}{:<width$} = {}\n",
                        indent(ind + 1),
                        go_quote(k),
                        render_value(&m[k.as_str()], &p, sens, ind + 1, false, json)
                    ));
                }
                s.push_str(&indent(ind));
                s.push('}');
                return s;
            }
            let mut keys: Vec<&String> = m
                .keys()
                .filter(|k| json || !m[k.as_str()].is_null())
                .collect();
            if keys.is_empty() {
                return "{}".into();
            }
            keys.sort();
            let width = keys.iter().map(|k| attr_name(k).len()).max().unwrap_or(0);
            let mut s = "{\n".to_string();
            for k in keys {
                let p = format!("{path}[{}]", go_quote(k));
                s.push_str(&format!(
                    "{}{:<width$} = {}\n",
                    indent(ind + 1),
                    attr_name(k),
                    render_value(&m[k.as_str()], &p, sens, ind + 1, false, json)
                ));
            }
            s.push_str(&indent(ind));
            s.push('}');
            s
        }
    }
}

/// Strings: JSON documents as `jsonencode(...)`, multi-line text as a
/// heredoc, everything else Go-quoted.
fn render_string(s: &str, ind: usize) -> String {
    if s.starts_with('{') || s.starts_with('[') {
        if let Ok(j) = serde_json::from_str::<J>(s) {
            let inner = render_value(&j, "", &HashSet::new(), ind + 1, false, true);
            if inner.contains('\n') {
                return format!("jsonencode(\n{}{inner}\n{})", indent(ind + 1), indent(ind));
            }
            return format!("jsonencode({inner})");
        }
    }
    if s.contains('\n') {
        let body: Vec<String> = s
            .trim()
            .split('\n')
            .map(|l| format!("{}{l}", indent(ind + 1)))
            .collect();
        return format!("<<-EOT\n{}\n{}EOT", body.join("\n"), indent(ind));
    }
    go_quote(s)
}

// ---------------------------------------------------------------------------
// state mv

fn validate_move(from: &AbsResource, to: &AbsResource) -> Vec<(String, String)> {
    let mut d = vec![];
    let req = "Invalid state move request".to_string();
    if from.resource.mode != to.resource.mode {
        let kind = if from.resource.mode == Mode::Managed {
            "a managed resource can be moved only to another managed resource address"
        } else {
            "a data resource can be moved only to another data resource address"
        };
        d.push((req.clone(), format!("Cannot move {from} to {to}: {kind}.")));
    }
    if from.resource.ty != to.resource.ty {
        d.push((
            req,
            format!("Cannot move {from} to {to}: resource types don't match."),
        ));
    }
    d
}

/// Terraform's `sourceObjectAddrs`.
fn source_objects(st: &State, t: &Target) -> Vec<Target> {
    let mut out: Vec<Target> = vec![];
    match t {
        Target::Module(m) => {
            for r in &st.resources {
                if let Some(a) = res_abs(r) {
                    if a.module.0.len() >= m.0.len()
                        && a.module.0[..m.0.len()] == m.0[..]
                        && !out.contains(&Target::Module(a.module.clone()))
                    {
                        out.push(Target::Module(a.module.clone()));
                    }
                }
            }
        }
        Target::Resource(r) => {
            if let Some(ri) = resource_idx(st, r) {
                if st.resources[ri]
                    .instances
                    .iter()
                    .any(|o| o.index_key.is_none())
                {
                    out.push(Target::Instance(r.instance(None)));
                } else {
                    out.push(Target::Resource(r.clone()));
                }
            }
        }
        Target::Instance(i) => {
            if instance_exists(st, i) {
                out.push(Target::Instance(i.clone()));
            }
        }
    }
    out.sort_by_key(|t| t.to_string());
    out
}

fn show_diags(d: &[(String, String)]) {
    for (s, t) in d {
        error_box(s, t);
    }
}

fn mv(dir: &Path, a: MvArgs) -> i32 {
    if a.args.len() != 2 {
        eprintln!("Exactly two arguments expected.\n");
        return 1;
    }
    let spath = match state_mgr(dir, &a.state) {
        Ok(m) => m,
        Err(c) => return c,
    };
    let _guard = match take_lock(&*spath, &a.lock, "state-mv") {
        Ok(g) => g,
        Err(c) => return c,
    };
    let prev = match load(&*spath) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let mut st = prev.clone();
    let src = match parse_target(&a.args[0]) {
        Ok(t) => t,
        Err(c) => return c,
    };
    let dst = match parse_target(&a.args[1]) {
        Ok(t) => t,
        Err(c) => return c,
    };
    let prefix = if a.dry_run { "Would move" } else { "Move" };
    const INVALID_SOURCE: &str = "Invalid source address";
    const INVALID_TARGET: &str = "Invalid target address";
    let sources = source_objects(&st, &src);
    if sources.is_empty() {
        error_box(
            INVALID_SOURCE,
            &format!("Cannot move {src}: does not match anything in the current state."),
        );
        return 1;
    }
    let mut moved = 0;
    for from in &sources {
        match from {
            Target::Module(mfrom) => {
                let Target::Module(search) = &src else {
                    unreachable!()
                };
                let Target::Module(mut to) = dst.clone() else {
                    error_box(
                        INVALID_TARGET,
                        &format!("Cannot move {mfrom} to {dst}: the target must also be a module."),
                    );
                    return 1;
                };
                if search.0.len() < mfrom.0.len() {
                    to.0.extend(mfrom.0[search.0.len()..].iter().cloned());
                }
                if module_exists(&st, &to) {
                    eprintln!("Error moving state: destination module already exists\n\nPlease ensure your addresses and state paths are valid. No\nstate was persisted. Your existing states are untouched.");
                    return 1;
                }
                moved += 1;
                println!(
                    "{prefix} {} to {}",
                    go_quote(&mfrom.to_string()),
                    go_quote(&to.to_string())
                );
                if !a.dry_run {
                    for r in &mut st.resources {
                        if res_abs(r).is_some_and(|x| &x.module == mfrom) {
                            r.module = module_string(&to);
                        }
                    }
                }
            }
            Target::Resource(rfrom) => {
                let to = match &dst {
                    Target::Resource(r) => r.clone(),
                    Target::Module(m) => AbsResource {
                        module: m.clone(),
                        resource: rfrom.resource.clone(),
                    },
                    Target::Instance(_) => {
                        error_box(INVALID_TARGET, &format!("Cannot move {rfrom} to {dst}: the source is a whole resource (not a resource instance) so the target must also be a whole resource."));
                        return 1;
                    }
                };
                let mut diags = validate_move(rfrom, &to);
                if resource_idx(&st, &to).is_some() {
                    diags.push((INVALID_TARGET.into(), format!("Cannot move to {to}: there is already a resource at that address in the current state.")));
                }
                let ri = resource_idx(&st, rfrom);
                if ri.is_none() {
                    diags.push((
                        INVALID_SOURCE.into(),
                        format!("The current state does not contain {rfrom}."),
                    ));
                }
                if !diags.is_empty() {
                    show_diags(&diags);
                    return 1;
                }
                moved += 1;
                println!(
                    "{prefix} {} to {}",
                    go_quote(&rfrom.to_string()),
                    go_quote(&to.to_string())
                );
                if let (false, Some(ri)) = (a.dry_run, ri) {
                    let r = &mut st.resources[ri];
                    r.module = module_string(&to.module);
                    r.name = to.resource.name.clone();
                }
            }
            Target::Instance(ifrom) => {
                let to = match &dst {
                    Target::Instance(i) => i.clone(),
                    Target::Resource(r) => r.instance(None),
                    Target::Module(_) => {
                        error_box(
                            INVALID_TARGET,
                            &format!("Cannot move {ifrom} to {dst}: the target must also be a resource instance."),
                        );
                        return 1;
                    }
                };
                let mut diags = validate_move(&ifrom.abs_resource(), &to.abs_resource());
                if instance_exists(&st, &to) {
                    diags.push((INVALID_TARGET.into(), format!("Cannot move to {to}: there is already a resource instance at that address in the current state.")));
                }
                if !instance_exists(&st, ifrom) {
                    diags.push((
                        INVALID_SOURCE.into(),
                        format!("The current state does not contain {ifrom}."),
                    ));
                }
                if !diags.is_empty() {
                    show_diags(&diags);
                    return 1;
                }
                moved += 1;
                println!(
                    "{prefix} {} to {}",
                    go_quote(&ifrom.to_string()),
                    go_quote(&a.args[1])
                );
                if !a.dry_run {
                    let (objs, provider) = take_instance(&mut st, ifrom);
                    let dest = to.abs_resource();
                    let ri = match resource_idx(&st, &dest) {
                        Some(i) => i,
                        None => {
                            st.resources.push(ResourceState {
                                module: module_string(&dest.module),
                                mode: if dest.resource.mode == Mode::Data {
                                    "data".into()
                                } else {
                                    "managed".into()
                                },
                                ty: dest.resource.ty.clone(),
                                name: dest.resource.name.clone(),
                                provider,
                                instances: vec![],
                            });
                            st.resources.len() - 1
                        }
                    };
                    for mut o in objs {
                        o.index_key = to.key.as_ref().map(InstanceKey::to_json);
                        st.resources[ri].instances.push(o);
                    }
                }
            }
        }
        if !a.dry_run {
            // Dependencies on the moved object are dropped so they are
            // recorded afresh on the next apply.
            for r in &mut st.resources {
                for o in &mut r.instances {
                    if o.deposed.is_some() {
                        continue;
                    }
                    let hit = o.dependencies.iter().any(|d| {
                        d.parse::<Target>()
                            .is_ok_and(|d| target_contains(&d, from) || target_contains(from, &d))
                    });
                    if hit {
                        o.dependencies.clear();
                    }
                }
            }
        }
    }
    if a.dry_run {
        if moved == 0 {
            println!("Would have moved nothing.");
        }
        return 0;
    }
    normalize(&mut st);
    if let Err(c) = save(&*spath, &prev, st) {
        return c;
    }
    if moved == 0 {
        println!("No matching objects found.");
    } else {
        println!("Successfully moved {moved} object(s).");
    }
    0
}

// ---------------------------------------------------------------------------
// state rm

fn rm(dir: &Path, a: RmArgs) -> i32 {
    if a.addresses.is_empty() {
        eprintln!("At least one address is required.\n");
        return 1;
    }
    let spath = match state_mgr(dir, &a.state) {
        Ok(m) => m,
        Err(c) => return c,
    };
    let _guard = match take_lock(&*spath, &a.lock, "state-rm") {
        Ok(g) => g,
        Err(c) => return c,
    };
    let prev = match load(&*spath) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let mut st = prev.clone();
    let mut addrs = vec![];
    let mut diags = vec![];
    for s in &a.addresses {
        match s.parse::<Target>() {
            Ok(t) => match lookup(&st, &t, true) {
                Ok(v) => addrs.extend(v),
                Err(d) => diags.push(d),
            },
            Err(e) => diags.push(("Invalid address".into(), e.msg)),
        }
    }
    if !diags.is_empty() {
        show_diags(&diags);
        return 1;
    }
    let prefix = if a.dry_run {
        "Would remove "
    } else {
        "Removed "
    };
    let mut count = 0;
    for addr in &addrs {
        count += 1;
        println!("{prefix}{addr}");
        if !a.dry_run {
            take_instance(&mut st, addr);
        }
    }
    if a.dry_run {
        if count == 0 {
            println!("Would have removed nothing.");
        }
        return 0;
    }
    if let Err(c) = save(&*spath, &prev, st) {
        return c;
    }
    if count == 0 {
        error_box("Invalid target address", "No matching objects found. To view the available instances, use \"herd state list\". Please modify the address to reference a specific instance.");
        return 1;
    }
    println!("Successfully removed {count} resource instance(s).");
    0
}

// ---------------------------------------------------------------------------
// state pull / push

fn pull(dir: &Path) -> i32 {
    let spath = match state_mgr(dir, &None) {
        Ok(m) => m,
        Err(c) => return c,
    };
    match spath.read() {
        Ok(None) => 0,
        Ok(Some(s)) => {
            let text = serde_json::to_string_pretty(&s).unwrap_or_default();
            println!("{text}\n");
            0
        }
        Err(e) => {
            eprintln!("Failed to load state: {e}");
            1
        }
    }
}

fn parse_state(text: &str) -> Result<Option<State>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let v: J = serde_json::from_str(text).map_err(|e| e.to_string())?;
    match v.get("version").and_then(J::as_u64) {
        Some(state::STATE_VERSION) => {}
        Some(n) => {
            return Err(format!(
                "unsupported state format version {n} (herd reads version 4)"
            ))
        }
        None => return Err("state snapshot has no format version".into()),
    }
    serde_json::from_value(v)
        .map(Some)
        .map_err(|e| e.to_string())
}

fn push(dir: &Path, a: PushArgs) -> i32 {
    if a.args.len() != 1 {
        eprintln!("Exactly one argument expected.\n");
        return 1;
    }
    let src = &a.args[0];
    let text = if src == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            eprintln!("Error reading source state \"-\": {e}");
            return 1;
        }
        s
    } else {
        match std::fs::read_to_string(src) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("open {src}: {e}");
                return 1;
            }
        }
    };
    let new = match parse_state(&text) {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => {
            eprintln!("Error reading source state {}: {e}", go_quote(src));
            return 1;
        }
    };
    let spath = match state_mgr(dir, &None) {
        Ok(m) => m,
        Err(c) => return c,
    };
    let _guard = match take_lock(&*spath, &a.lock, "state-push") {
        Ok(g) => g,
        Err(c) => return c,
    };
    let existing = match spath.read() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Failed to refresh destination state: {e}");
            return 1;
        }
    };
    if let (Some(ex), false) = (&existing, a.force) {
        let empty = ex.resources.is_empty() && ex.outputs.is_empty();
        let err = if empty {
            None
        } else if ex.lineage != new.lineage {
            Some(format!(
                "cannot import state with lineage {} over unrelated state with lineage {}",
                go_quote(&new.lineage),
                go_quote(&ex.lineage)
            ))
        } else if ex.serial > new.serial {
            Some(format!(
                "cannot import state with serial {} over newer state with serial {}",
                new.serial, ex.serial
            ))
        } else if ex.serial == new.serial && !ex.same_content(&new) {
            Some(format!("cannot overwrite existing state with serial {} with a different state that has the same serial", new.serial))
        } else {
            None
        };
        if let Some(e) = err {
            eprintln!("Failed to write state: {e}");
            return 1;
        }
    }
    // The pushed snapshot keeps its own lineage and serial, as in Terraform.
    if let Err(e) = spath.persist(None, new) {
        eprintln!("Failed to persist state: {e}");
        return 1;
    }
    0
}

// ---------------------------------------------------------------------------
// force-unlock

pub fn force_unlock(dir: &Path, a: ForceUnlockArgs) -> i32 {
    if a.args.len() != 1 {
        eprintln!("Expected a single argument: LOCK_ID");
        return 1;
    }
    let spath = match state_mgr(dir, &None) {
        Ok(m) => m,
        Err(c) => return c,
    };
    if !a.force {
        println!("Do you really want to force-unlock?\n  herd will remove the lock on the state.\n  This will allow local herd commands to modify this state, even though it\n  may still be in use. Only 'yes' will be accepted to confirm.\n");
        print!("  Enter a value: ");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        println!();
        if line.trim() != "yes" {
            println!("force-unlock cancelled.");
            return 1;
        }
    }
    match spath.force_unlock(&a.args[0]) {
        Ok(()) => {
            println!("herd state has been successfully unlocked!\n\nThe state has been unlocked, and herd commands should now be able to\nobtain a new lock on the state.");
            0
        }
        Err(e) => {
            eprintln!("Failed to unlock state: {e}");
            1
        }
    }
}
