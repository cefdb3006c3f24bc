//! Human rendering of plans, following Terraform's `jsonformat` renderer
//! (Terraform ≥ 1.4): the action legend, one commented block per resource
//! instance with per-attribute `+`/`~`/`-` markers, `(known after apply)`,
//! `(sensitive value)`, `# forces replacement`, hidden-unchanged counts, the
//! `Plan:` summary, output changes and the "Objects have changed outside of
//! herd" drift section. Prose says "herd" where Terraform says "Terraform".
//!
//! The renderer works in two phases as Terraform's does: a *differ* turns
//! before/after values (as JSON, plus unknown and sensitive trees) into a
//! tree of [`Diff`]s, each with an action and a renderer; the renderers then
//! print it. Sensitive values are never printed: they only decide whether an
//! attribute changed.

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::json::{mark_schema_sensitive, sensitive_json, unknown_json, value_json};
use super::{Action, ActionReason, OutputChange, Plan, ResourceChange};
use crate::addrs::{InstanceKey, Mode};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::{BlockNesting, Schema};

/// Options for [`render_plan`].
#[derive(Clone, Debug)]
pub struct RenderOpts {
    /// Emit ANSI colours (bold, green `+`, yellow `~`, red `-`).
    pub color: bool,
    /// Terminal width for word-wrapped prose and the horizontal rule.
    pub width: usize,
}

impl Default for RenderOpts {
    fn default() -> Self {
        RenderOpts {
            color: false,
            width: 78,
        }
    }
}

// ---------------------------------------------------------------------------
// Colour and text helpers

/// Terraform's colorstring: `[name]` codes become ANSI escapes (or vanish
/// without colour); a reset is appended when any code was used.
fn col(color: bool, s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut used = false;
    let mut rest = s;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(|c: char| {
            !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        });
        match end {
            Some(e) if e > 0 && after[e..].starts_with(']') => {
                let name = &after[..e];
                let code = match name {
                    "reset" => Some("0"),
                    "bold" => Some("1"),
                    "red" => Some("31"),
                    "green" => Some("32"),
                    "yellow" => Some("33"),
                    "cyan" => Some("36"),
                    "dark_gray" => Some("90"),
                    _ => None,
                };
                match code {
                    Some(c) => {
                        used = true;
                        if color {
                            out.push_str(&format!("\x1b[{c}m"));
                        }
                    }
                    None => {
                        out.push('[');
                        out.push_str(name);
                        out.push(']');
                    }
                }
                rest = &after[e + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if used && color {
        out.push_str("\x1b[0m");
    }
    out
}

/// Word wrapping as Terraform's `format.WordWrap`: lines starting with a
/// space are left alone; others are wrapped at `width - 1`.
fn word_wrap(s: &str, width: usize) -> String {
    if width <= 1 {
        return s.to_string();
    }
    let lim = width - 1;
    let mut out = Vec::new();
    for line in s.split('\n') {
        if line.starts_with(' ') {
            out.push(line.to_string());
            continue;
        }
        let mut cur = String::new();
        for word in line.split(' ') {
            if cur.is_empty() {
                cur.push_str(word);
            } else if cur.chars().count() + 1 + word.chars().count() > lim {
                out.push(std::mem::take(&mut cur));
                cur.push_str(word);
            } else {
                cur.push(' ');
                cur.push_str(word);
            }
        }
        out.push(cur);
    }
    out.join("\n")
}

fn horizontal_rule(color: bool, width: usize) -> String {
    if width <= 1 {
        return "\n".into();
    }
    col(color, &format!("[dark_gray]\n{}", "─".repeat(width - 1)))
}

/// Go's `%q` quoting.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32))
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn valid_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

fn attr_name(s: &str) -> String {
    if valid_identifier(s) {
        s.to_string()
    } else {
        go_quote(s)
    }
}

fn indent_str(n: usize) -> String {
    "    ".repeat(n)
}

fn action_symbol(a: Action) -> &'static str {
    match a {
        Action::DeleteThenCreate => "[red]-[reset]/[green]+[reset]",
        Action::CreateThenDelete => "[green]+[reset]/[red]-[reset]",
        Action::Create => "  [green]+[reset]",
        Action::Delete => "  [red]-[reset]",
        Action::Read => " [cyan]<=[reset]",
        Action::Update => "  [yellow]~[reset]",
        Action::NoOp => "   ",
    }
}

// ---------------------------------------------------------------------------
// Structured changes (Terraform's `structured.Change`)

#[derive(Clone, Debug, Default)]
struct Matcher {
    paths: Vec<Vec<J>>,
}

impl Matcher {
    fn matches(&self) -> bool {
        self.paths.iter().any(|p| p.is_empty())
    }
    fn key(&self, k: &str) -> Matcher {
        Matcher {
            paths: self
                .paths
                .iter()
                .filter(|p| matches!(p.first(), Some(J::String(s)) if s == k))
                .map(|p| p[1..].to_vec())
                .collect(),
        }
    }
    fn index(&self, i: usize) -> Matcher {
        Matcher {
            paths: self
                .paths
                .iter()
                .filter(|p| match p.first() {
                    Some(J::Number(n)) => n.as_f64().map(|f| f as i64) == Some(i as i64),
                    Some(J::String(s)) => s.parse::<f64>().ok().map(|f| f as i64) == Some(i as i64),
                    _ => false,
                })
                .map(|p| p[1..].to_vec())
                .collect(),
        }
    }
}

#[derive(Clone, Debug, Default)]
struct Change {
    before_explicit: bool,
    after_explicit: bool,
    before: J,
    after: J,
    unknown: J,
    before_sensitive: J,
    after_sensitive: J,
    replace: Matcher,
    non_legacy: bool,
}

impl Change {
    fn is_before_sensitive(&self) -> bool {
        self.before_sensitive == J::Bool(true)
    }
    fn is_after_sensitive(&self) -> bool {
        self.after_sensitive == J::Bool(true)
    }
    fn is_unknown(&self) -> bool {
        self.unknown == J::Bool(true)
    }
    fn calculate_action(&self) -> Action {
        if self.before.is_null()
            && !self.before_explicit
            && (!self.after.is_null() || self.after_explicit)
        {
            return Action::Create;
        }
        if self.after.is_null()
            && !self.after_explicit
            && (!self.before.is_null() || self.before_explicit)
        {
            return Action::Delete;
        }
        if self.before == self.after
            && self.after_explicit == self.before_explicit
            && self.is_after_sensitive() == self.is_before_sensitive()
        {
            return Action::NoOp;
        }
        Action::Update
    }
    fn default_action(&self) -> Action {
        match (self.before.is_null(), self.after.is_null()) {
            (true, true) => Action::NoOp,
            (true, false) => Action::Create,
            (false, true) => Action::Delete,
            _ => Action::NoOp,
        }
    }
    fn as_delete(&self) -> Change {
        Change {
            before_explicit: self.before_explicit,
            after_explicit: false,
            before: self.before.clone(),
            after: J::Null,
            unknown: J::Null,
            before_sensitive: self.before_sensitive.clone(),
            after_sensitive: J::Null,
            replace: self.replace.clone(),
            non_legacy: false,
        }
    }
    fn as_create(&self) -> Change {
        Change {
            before_explicit: false,
            after_explicit: self.after_explicit,
            before: J::Null,
            after: self.after.clone(),
            unknown: self.unknown.clone(),
            before_sensitive: J::Null,
            after_sensitive: self.after_sensitive.clone(),
            replace: self.replace.clone(),
            non_legacy: false,
        }
    }

    fn map_child(&self, key: &str) -> Change {
        fn get(j: &J, k: &str) -> (J, bool) {
            match j {
                J::Object(m) => match m.get(k) {
                    Some(v) => (v.clone(), true),
                    None => (J::Null, false),
                },
                _ => (J::Null, false),
            }
        }
        let (before, be) = get(&self.before, key);
        let (after, ae) = get(&self.after, key);
        Change {
            before_explicit: be,
            after_explicit: ae,
            before,
            after,
            unknown: get(&self.unknown, key).0,
            before_sensitive: get(&self.before_sensitive, key).0,
            after_sensitive: get(&self.after_sensitive, key).0,
            replace: self.replace.key(key),
            non_legacy: self.non_legacy,
        }
    }
    fn map_all_keys(&self) -> Vec<String> {
        let mut keys = std::collections::BTreeSet::new();
        for j in [
            &self.before,
            &self.after,
            &self.unknown,
            &self.after_sensitive,
            &self.before_sensitive,
        ] {
            if let J::Object(m) = j {
                keys.extend(m.keys().cloned());
            }
        }
        keys.into_iter().collect()
    }
    fn slice_before(&self) -> Option<&Vec<J>> {
        self.before.as_array()
    }
    fn slice_after(&self) -> Option<&Vec<J>> {
        self.after.as_array()
    }
    fn slice_child(&self, bi: usize, ai: usize) -> Change {
        fn get(j: &J, i: usize) -> (J, bool) {
            match j {
                J::Array(a) => match a.get(i) {
                    Some(v) => (v.clone(), true),
                    None => (J::Null, false),
                },
                _ => (J::Null, false),
            }
        }
        let (before, be) = get(&self.before, bi);
        let (after, ae) = get(&self.after, ai);
        let blen = self.before.as_array().map(|a| a.len()).unwrap_or(0);
        let relevant = if bi >= blen { ai } else { bi };
        Change {
            before_explicit: be,
            after_explicit: ae,
            before,
            after,
            unknown: get(&self.unknown, ai).0,
            before_sensitive: get(&self.before_sensitive, bi).0,
            after_sensitive: get(&self.after_sensitive, ai).0,
            replace: self.replace.index(relevant),
            // Terraform does not carry the legacy flag into sequences.
            non_legacy: false,
        }
    }
}

// ---------------------------------------------------------------------------
// Computed diffs

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prim {
    Null,
    Bool,
    Number,
    String,
}

#[derive(Clone, Debug)]
struct Diff {
    r: Box<R>,
    action: Action,
    replace: bool,
}

#[derive(Clone, Debug, Default)]
struct BlockGroup {
    kind: BlockKind,
    replace: bool,
    before_sensitive: bool,
    after_sensitive: bool,
    unknown: bool,
}

#[derive(Clone, Debug)]
enum BlockKind {
    Single(Diff),
    List(Vec<Diff>),
    Set(Vec<Diff>),
}

impl Default for BlockKind {
    fn default() -> Self {
        BlockKind::List(vec![])
    }
}

#[derive(Clone, Debug)]
enum R {
    Primitive {
        before: J,
        after: J,
        ty: Prim,
    },
    Block {
        attrs: BTreeMap<String, Diff>,
        blocks: BTreeMap<String, BlockGroup>,
    },
    List {
        elems: Vec<Diff>,
        context: bool,
    },
    Set {
        elems: Vec<Diff>,
    },
    Map {
        elems: BTreeMap<String, Diff>,
    },
    Object {
        attrs: BTreeMap<String, Diff>,
    },
    Sensitive {
        inner: Diff,
        before: bool,
        after: bool,
    },
    SensitiveBlock {
        inner: Diff,
        before: bool,
        after: bool,
    },
    Unknown {
        before: Option<Diff>,
    },
    TypeChange {
        before: Diff,
        after: Diff,
    },
}

fn nd(r: R, action: Action, replace: bool) -> Diff {
    Diff {
        r: Box::new(r),
        action,
        replace,
    }
}

fn compare_actions(current: Action, next: Action) -> Action {
    if next == Action::NoOp {
        current
    } else if current != next {
        Action::Update
    } else {
        current
    }
}

/// A block schema as the differ needs it.
#[derive(Clone, Debug, Default)]
struct BlockS {
    attrs: BTreeMap<String, Type>,
    blocks: BTreeMap<String, (BlockNesting, BlockS)>,
}

impl BlockS {
    fn from_schema(s: &Schema) -> BlockS {
        // "Attributes as blocks" are attributes to Terraform's renderer:
        // `ingress = [ { ... }, ]`.
        BlockS {
            attrs: s
                .attributes
                .iter()
                .map(|(k, a)| (k.to_string(), a.ty.clone()))
                .chain(
                    s.blocks
                        .iter()
                        .filter(|(_, b)| b.as_attr)
                        .map(|(k, b)| (k.to_string(), Schema::block_attr_type(b))),
                )
                .collect(),
            blocks: s
                .blocks
                .iter()
                .filter(|(_, b)| !b.as_attr)
                .map(|(k, b)| (k.to_string(), (b.nesting, BlockS::from_schema(&b.block))))
                .collect(),
        }
    }

    /// Without a schema: every attribute of the object, typed from its values.
    fn infer(before: Option<&Value>, after: Option<&Value>) -> BlockS {
        let mut attrs: BTreeMap<String, Type> = BTreeMap::new();
        let b = before.and_then(|v| v.as_entries());
        let a = after.and_then(|v| v.as_entries());
        let mut keys: Vec<&String> = b.into_iter().flat_map(|m| m.keys()).collect();
        keys.extend(a.into_iter().flat_map(|m| m.keys()));
        for k in keys {
            let bt = b.and_then(|m| m.get(k)).map(|v| v.ty());
            let at = a.and_then(|m| m.get(k)).map(|v| v.ty());
            let t = match (bt, at) {
                (Some(x), Some(y)) if x == y => x,
                (Some(Type::Dynamic), Some(y)) => y,
                (Some(x), Some(Type::Dynamic)) => x,
                (Some(_), Some(_)) => Type::Dynamic,
                (Some(x), None) | (None, Some(x)) => x,
                (None, None) => Type::Dynamic,
            };
            attrs.insert(k.clone(), t);
        }
        BlockS {
            attrs,
            blocks: BTreeMap::new(),
        }
    }

    fn contains_non_legacy(&self) -> bool {
        self.attrs.values().any(|t| {
            !t.is_known()
                || matches!(t, Type::Tuple(_) | Type::Object(_))
                || matches!(t.element_type(), Some(e) if e.is_collection()
                    && !e.element_type().map(|x| x.is_primitive()).unwrap_or(false))
        })
    }
}

fn compute_block(change: Change, block: &BlockS) -> Diff {
    // Sensitive as a whole.
    let (bs, as_) = (change.is_before_sensitive(), change.is_after_sensitive());
    if bs || as_ {
        let mut inner_change = change.clone();
        inner_change.before_sensitive = J::Bool(false);
        inner_change.after_sensitive = J::Bool(false);
        let inner = compute_block(inner_change, block);
        let action = sensitive_action(&change, inner.action, bs, as_);
        let replace = change.replace.matches();
        return nd(
            R::SensitiveBlock {
                inner,
                before: bs,
                after: as_,
            },
            action,
            replace,
        );
    }
    if change.is_unknown() {
        let child_unknown: serde_json::Map<String, J> = block
            .attrs
            .keys()
            .map(|k| (k.clone(), J::Bool(true)))
            .collect();
        return unknown_diff(change, J::Object(child_unknown), &|c| {
            compute_block(c, block)
        });
    }
    let mut change = change;
    change.non_legacy = change.non_legacy || block.contains_non_legacy();
    let mut current = change.default_action();
    let mut attrs = BTreeMap::new();
    for (key, ty) in &block.attrs {
        let mut child = change.map_child(key);
        child.before_explicit = false;
        child.after_explicit = false;
        let (bn, an) = (child.before.is_null(), child.after.is_null());
        let d = compute_type(child, ty);
        if d.action == Action::NoOp && bn && an {
            continue;
        }
        current = compare_actions(current, d.action);
        attrs.insert(key.clone(), d);
    }
    let mut blocks = BTreeMap::new();
    for (key, (nesting, inner)) in &block.blocks {
        let child = change.map_child(key);
        let group = BlockGroup {
            replace: child.replace.matches(),
            before_sensitive: child.is_before_sensitive(),
            after_sensitive: child.is_after_sensitive(),
            unknown: child.is_unknown(),
            kind: BlockKind::default(),
        };
        let both_null = child.before.is_null() && child.after.is_null();
        let (kind, action) = match nesting {
            BlockNesting::Set => {
                let mut elems = vec![];
                let mut cur = child.default_action();
                process_set(&child, |c| {
                    let d = compute_block(c, inner);
                    cur = compare_actions(cur, d.action);
                    elems.push(d);
                });
                (BlockKind::Set(elems), cur)
            }
            BlockNesting::List => {
                let mut elems = vec![];
                let mut cur = child.default_action();
                let n = child
                    .slice_before()
                    .map(|a| a.len())
                    .unwrap_or(0)
                    .max(child.slice_after().map(|a| a.len()).unwrap_or(0));
                for i in 0..n {
                    let d = compute_block(child.slice_child(i, i), inner);
                    cur = compare_actions(cur, d.action);
                    elems.push(d);
                }
                (BlockKind::List(elems), cur)
            }
            BlockNesting::Single => {
                let d = compute_block(child.clone(), inner);
                let a = d.action;
                (BlockKind::Single(d), a)
            }
        };
        if action == Action::NoOp && both_null && !group.unknown {
            continue;
        }
        current = compare_actions(current, action);
        blocks.insert(key.clone(), BlockGroup { kind, ..group });
    }
    let replace = change.replace.matches();
    nd(R::Block { attrs, blocks }, current, replace)
}

fn sensitive_action(change: &Change, inner: Action, bs: bool, as_: bool) -> Action {
    let null_noop = change.before.is_null()
        && !change.before_explicit
        && change.after.is_null()
        && !change.after_explicit;
    if inner == Action::NoOp && bs != as_ && !null_noop {
        Action::Update
    } else {
        inner
    }
}

fn check_sensitive(change: &Change, f: &dyn Fn(Change) -> Diff) -> Option<Diff> {
    let (bs, as_) = (change.is_before_sensitive(), change.is_after_sensitive());
    if !bs && !as_ {
        return None;
    }
    let mut c = change.clone();
    c.before_sensitive = J::Bool(false);
    c.after_sensitive = J::Bool(false);
    let inner = f(c);
    let action = sensitive_action(change, inner.action, bs, as_);
    Some(nd(
        R::Sensitive {
            inner,
            before: bs,
            after: as_,
        },
        action,
        change.replace.matches(),
    ))
}

fn unknown_diff(change: Change, child_unknown: J, f: &dyn Fn(Change) -> Diff) -> Diff {
    let mut change = change;
    change.after_explicit = true;
    if change.before.is_null() {
        let action = change.calculate_action();
        return nd(
            R::Unknown { before: None },
            action,
            change.replace.matches(),
        );
    }
    let mut before = change.as_delete();
    before.unknown = child_unknown;
    let bd = f(before);
    let action = change.calculate_action();
    nd(
        R::Unknown { before: Some(bd) },
        action,
        change.replace.matches(),
    )
}

fn compute_type(change: Change, ty: &Type) -> Diff {
    let mut change = change;
    if !change.non_legacy {
        if change.before.as_str() == Some("") {
            change.before = J::Null;
        }
        if change.after.as_str() == Some("") {
            change.after = J::Null;
        }
    }
    if let Some(d) = check_sensitive(&change, &|c| compute_type(c, ty)) {
        return d;
    }
    if change.is_unknown() {
        return unknown_diff(change, J::Bool(false), &|c| compute_type(c, ty));
    }
    match ty {
        Type::Dynamic => {
            // Terraform drops `# forces replacement` on dynamic attributes;
            // herd keeps it (e.g. terraform_data's triggers_replace).
            let replace = change.replace.matches();
            let mut d = compute_output(change);
            d.replace |= replace;
            d
        }
        Type::Bool | Type::Number | Type::String => {
            let p = match ty {
                Type::Bool => Prim::Bool,
                Type::Number => Prim::Number,
                _ => Prim::String,
            };
            let action = change.calculate_action();
            let replace = change.replace.matches();
            nd(
                R::Primitive {
                    before: change.before,
                    after: change.after,
                    ty: p,
                },
                action,
                replace,
            )
        }
        Type::Object(m) => {
            let mut current = change.default_action();
            let mut attrs = BTreeMap::new();
            for (k, t) in m {
                let mut child = change.map_child(k);
                child.before_explicit = false;
                child.after_explicit = false;
                let (bn, an) = (child.before.is_null(), child.after.is_null());
                let d = compute_type(child, t);
                if d.action == Action::NoOp && bn && an {
                    continue;
                }
                current = compare_actions(current, d.action);
                attrs.insert(k.clone(), d);
            }
            nd(R::Object { attrs }, current, change.replace.matches())
        }
        Type::ObjectConstraint(m) => {
            let t = Type::Object(m.iter().map(|(k, a)| (k.clone(), a.ty.clone())).collect());
            compute_type(change, &t)
        }
        Type::Map(e) => {
            let (elems, current) =
                transform_map(&change, change.map_all_keys(), &|c| compute_type(c, e));
            nd(R::Map { elems }, current, change.replace.matches())
        }
        Type::List(e) => {
            let is_obj = matches!(**e, Type::Object(_));
            let (elems, current) = transform_slice(&change, &|_| is_obj, &|c| compute_type(c, e));
            nd(
                R::List {
                    elems,
                    context: true,
                },
                current,
                change.replace.matches(),
            )
        }
        Type::Tuple(ts) => {
            let mut current = change.default_action();
            let mut elems = vec![];
            for (i, t) in ts.iter().enumerate() {
                let d = compute_type(change.slice_child(i, i), t);
                current = compare_actions(current, d.action);
                elems.push(d);
            }
            nd(
                R::List {
                    elems,
                    context: true,
                },
                current,
                change.replace.matches(),
            )
        }
        Type::Set(e) => {
            let mut current = change.default_action();
            let mut elems = vec![];
            process_set(&change, |c| {
                let d = compute_type(c, e);
                current = compare_actions(current, d.action);
                elems.push(d);
            });
            nd(R::Set { elems }, current, change.replace.matches())
        }
    }
}

fn transform_map(
    change: &Change,
    keys: Vec<String>,
    f: &dyn Fn(Change) -> Diff,
) -> (BTreeMap<String, Diff>, Action) {
    let (bm, am) = (change.before.is_object(), change.after.is_object());
    let mut current = match (bm, am) {
        (true, false) => Action::Delete,
        (false, true) => Action::Create,
        _ => Action::NoOp,
    };
    let mut elems = BTreeMap::new();
    for k in keys {
        let d = f(change.map_child(&k));
        current = compare_actions(current, d.action);
        elems.insert(k, d);
    }
    (elems, current)
}

fn transform_slice(
    change: &Change,
    is_obj: &dyn Fn(&J) -> bool,
    f: &dyn Fn(Change) -> Diff,
) -> (Vec<Diff>, Action) {
    let (b, a) = (change.slice_before(), change.slice_after());
    let mut current = match (b.is_some(), a.is_some()) {
        (true, false) => Action::Delete,
        (false, true) => Action::Create,
        _ => Action::NoOp,
    };
    let empty = vec![];
    let bv = b.unwrap_or(&empty);
    let av = a.unwrap_or(&empty);
    let mut elems = vec![];
    process_slice(bv, av, is_obj, &mut |bi, ai| {
        let d = f(change.slice_child(bi, ai));
        current = compare_actions(current, d.action);
        elems.push(d);
    });
    (elems, current)
}

/// Terraform's longest common subsequence, with its tie-breaking.
fn lcs<T: PartialEq + Clone>(xs: &[T], ys: &[T]) -> Vec<T> {
    if xs.is_empty() || ys.is_empty() {
        return vec![];
    }
    let w = xs.len();
    let mut c = vec![0usize; xs.len() * ys.len()];
    let mut eqs = vec![false; xs.len() * ys.len()];
    for y in 0..ys.len() {
        for x in 0..xs.len() {
            if xs[x] == ys[y] {
                eqs[w * y + x] = true;
                c[w * y + x] = if x == 0 || y == 0 {
                    1
                } else {
                    c[w * (y - 1) + (x - 1)] + 1
                };
            } else {
                let l = if x > 0 { c[w * y + (x - 1)] } else { 0 };
                let u = if y > 0 { c[w * (y - 1) + x] } else { 0 };
                c[w * y + x] = l.max(u);
            }
        }
    }
    let n = c[c.len() - 1];
    let mut seq: Vec<Option<T>> = vec![None; n];
    let (mut x, mut y, mut i) = (xs.len() as isize - 1, ys.len() as isize - 1, n as isize - 1);
    while x > -1 && y > -1 && i > -1 {
        let (xu, yu) = (x as usize, y as usize);
        if eqs[w * yu + xu] {
            seq[i as usize] = Some(xs[xu].clone());
            x -= 1;
            y -= 1;
            i -= 1;
        } else {
            let l = if x > 0 { c[w * yu + (xu - 1)] } else { 0 };
            let u = if y > 0 { c[w * (yu - 1) + xu] } else { 0 };
            if l > u {
                x -= 1;
            } else {
                y -= 1;
            }
        }
    }
    seq.into_iter().flatten().collect()
}

fn process_slice<T: PartialEq + Clone>(
    before: &[T],
    after: &[T],
    is_obj: &dyn Fn(&T) -> bool,
    process: &mut dyn FnMut(usize, usize),
) {
    let is_reorder = before.len() == after.len() && before.iter().all(|b| after.contains(b));
    if before.len() == after.len() && !is_reorder {
        for i in 0..before.len() {
            process(i, i);
        }
        return;
    }
    let l = lcs(before, after);
    let (mut bi, mut ai, mut li) = (0, 0, 0);
    while bi < before.len() || ai < after.len() || li < l.len() {
        while bi < before.len() && (li >= l.len() || before[bi] != l[li]) {
            let is_object_diff = is_obj(&before[bi])
                && ai < after.len()
                && is_obj(&after[ai])
                && (li >= l.len() || after[ai] != l[li]);
            if is_object_diff {
                process(bi, ai);
                bi += 1;
                ai += 1;
                continue;
            }
            process(bi, after.len());
            bi += 1;
        }
        while ai < after.len() && (li >= l.len() || after[ai] != l[li]) {
            process(before.len(), ai);
            ai += 1;
        }
        if li < l.len() {
            process(bi, ai);
            bi += 1;
            ai += 1;
            li += 1;
        }
    }
}

fn process_set(change: &Change, mut process: impl FnMut(Change)) {
    let empty = vec![];
    let b = change.slice_before().unwrap_or(&empty);
    let a = change.slice_after().unwrap_or(&empty);
    let mut found_before: Vec<Option<usize>> = vec![None; b.len()];
    let mut found_after: Vec<bool> = vec![false; a.len()];
    for (ix, fb) in found_before.iter_mut().enumerate() {
        for (jx, fa) in found_after.iter_mut().enumerate() {
            if *fa {
                continue;
            }
            let child = change.slice_child(ix, jx);
            if child.before == child.after
                && child.is_before_sensitive() == child.is_after_sensitive()
                && !child.is_unknown()
            {
                *fb = Some(jx);
                *fa = true;
                break;
            }
        }
    }
    for (ix, fb) in found_before.iter().enumerate() {
        match fb {
            Some(jx) => process(change.slice_child(ix, *jx)),
            None => process(change.slice_child(ix, a.len())),
        }
    }
    for (jx, fa) in found_after.iter().enumerate() {
        if !fa {
            process(change.slice_child(b.len(), jx));
        }
    }
}

// JSON (dynamic values, outputs, JSON strings) -----------------------------

#[derive(PartialEq)]
enum JType {
    Null,
    Bool,
    Number,
    String,
    Object,
    Array,
}

fn jtype(j: &J) -> JType {
    match j {
        J::Null => JType::Null,
        J::Bool(_) => JType::Bool,
        J::Number(_) => JType::Number,
        J::String(_) => JType::String,
        J::Object(_) => JType::Object,
        J::Array(_) => JType::Array,
    }
}

fn compute_output(change: Change) -> Diff {
    if let Some(d) = check_sensitive(&change, &|c| compute_output(c)) {
        return d;
    }
    if change.is_unknown() {
        return unknown_diff(change, J::Bool(false), &|c| compute_output(c));
    }
    json_transform(change)
}

fn json_transform(change: Change) -> Diff {
    let (bs, as_) = (change.is_before_sensitive(), change.is_after_sensitive());
    if bs || as_ {
        let mut c = change.clone();
        c.before_sensitive = J::Bool(false);
        c.after_sensitive = J::Bool(false);
        let inner = json_transform(c);
        let action = sensitive_action(&change, inner.action, bs, as_);
        return nd(
            R::Sensitive {
                inner,
                before: bs,
                after: as_,
            },
            action,
            false,
        );
    }
    if change.is_unknown() {
        let mut c = change.clone();
        c.after_explicit = true;
        if c.before.is_null() {
            return nd(R::Unknown { before: None }, Action::Create, false);
        }
        let mut before = c.as_delete();
        before.unknown = J::Bool(false);
        return nd(
            R::Unknown {
                before: Some(json_transform(before)),
            },
            Action::Update,
            false,
        );
    }
    let (bt, at) = (jtype(&change.before), jtype(&change.after));
    let deleted = at == JType::Null && !change.after_explicit;
    let created = bt == JType::Null && !change.before_explicit;
    if bt == at || created || deleted {
        let target = if bt == JType::Null { at } else { bt };
        return json_update(change, target);
    }
    let b = json_update(change.as_delete(), bt);
    let a = json_update(change.as_create(), at);
    nd(
        R::TypeChange {
            before: b,
            after: a,
        },
        Action::Update,
        false,
    )
}

fn json_update(change: Change, t: JType) -> Diff {
    let prim = |p: Prim, change: Change| {
        let bm = change.before.is_null() && !change.before_explicit;
        let am = change.after.is_null() && !change.after_explicit;
        let action = if bm && !am {
            Action::Create
        } else if !bm && am {
            Action::Delete
        } else if change.before == change.after {
            Action::NoOp
        } else {
            Action::Update
        };
        nd(
            R::Primitive {
                before: change.before,
                after: change.after,
                ty: p,
            },
            action,
            false,
        )
    };
    match t {
        JType::Null => prim(Prim::Null, change),
        JType::Bool => prim(Prim::Bool, change),
        JType::Number => prim(Prim::Number, change),
        JType::String => prim(Prim::String, change),
        JType::Object => {
            let (elems, action) = transform_map(&change, change.map_all_keys(), &json_transform);
            nd(R::Object { attrs: elems }, action, false)
        }
        JType::Array => {
            let (elems, action) =
                transform_slice(&change, &|j| jtype(j) == JType::Object, &json_transform);
            nd(
                R::List {
                    elems,
                    context: true,
                },
                action,
                false,
            )
        }
    }
}

// ---------------------------------------------------------------------------
// Rendering computed diffs

#[derive(Clone, Copy, Debug, Default)]
struct HOpts {
    color: bool,
    override_null_suffix: bool,
    force_forces_replacement: bool,
    forbid_forces_replacement: bool,
    show_unchanged_children: bool,
    hide_symbols: bool,
}

fn null_suffix(action: Action, o: HOpts) -> String {
    if !o.override_null_suffix && action == Action::Delete {
        col(o.color, " [dark_gray]-> null[reset]")
    } else {
        String::new()
    }
}

fn forces_replacement(replace: bool, o: HOpts) -> String {
    if (replace || o.force_forces_replacement) && !o.forbid_forces_replacement {
        col(o.color, " [red]# forces replacement[reset]")
    } else {
        String::new()
    }
}

fn sym(action: Action, o: HOpts) -> String {
    if o.hide_symbols {
        String::new()
    } else {
        format!("{} ", col(o.color, action_symbol(action)))
    }
}

fn unchanged(keyword: &str, count: usize, o: HOpts) -> String {
    let s = if count == 1 { "" } else { "s" };
    col(
        o.color,
        &format!("[dark_gray]# ({count} unchanged {keyword}{s} hidden)[reset]"),
    )
}

fn dark_null(o: HOpts) -> String {
    col(o.color, "[dark_gray]null[reset]")
}

fn warnings(d: &Diff, indent: usize, o: HOpts) -> Vec<String> {
    let (inner, before, after, block) = match &*d.r {
        R::Sensitive {
            inner,
            before,
            after,
        } => (inner, *before, *after, false),
        R::SensitiveBlock {
            inner,
            before,
            after,
        } => (inner, *before, *after, true),
        _ => return vec![],
    };
    if before == after || inner.action == Action::Create || inner.action == Action::Delete {
        return vec![];
    }
    let what = if block { "block" } else { "attribute value" };
    let w = if before {
        col(
            o.color,
            &format!(
                "  # [yellow]Warning[reset]: this {what} will no longer be marked as sensitive\n{}  # after applying this change.",
                indent_str(indent)
            ),
        )
    } else {
        col(
            o.color,
            &format!(
                "  # [yellow]Warning[reset]: this {what} will be marked as sensitive and will not\n{}  # display in UI output after applying this change.",
                indent_str(indent)
            ),
        )
    };
    if !block && inner.action == Action::NoOp {
        vec![format!("{w} The value is unchanged.")]
    } else {
        vec![w]
    }
}

const IMPORTANT: [&str; 3] = ["id", "name", "tags"];

fn render(d: &Diff, indent: usize, o: HOpts) -> String {
    match &*d.r {
        R::Primitive { before, after, ty } => render_primitive(d, before, after, *ty, indent, o),
        R::Sensitive { .. } => format!(
            "(sensitive value){}{}",
            null_suffix(d.action, o),
            forces_replacement(d.replace, o)
        ),
        R::SensitiveBlock { .. } => {
            let prefix = format!("{}{}", indent_str(indent), sym(Action::NoOp, o));
            format!(
                "{{{}\n{prefix}  # At least one attribute in this block is (or was) sensitive,\n{prefix}  # so its contents will not be displayed.\n{prefix}}}",
                forces_replacement(d.replace, o)
            )
        }
        R::Unknown { before } => match before {
            Some(b) if d.action != Action::Create => {
                let mut bo = o;
                bo.override_null_suffix = true;
                if d.replace {
                    bo.forbid_forces_replacement = true;
                }
                format!(
                    "{} -> (known after apply){}",
                    render(b, indent, bo),
                    forces_replacement(d.replace, o)
                )
            }
            _ => format!("(known after apply){}", forces_replacement(d.replace, o)),
        },
        R::TypeChange { before, after } => {
            let mut o2 = o;
            o2.override_null_suffix = true;
            format!(
                "{} {} {}",
                render(before, indent, o2),
                col(o.color, "[yellow]->[reset]"),
                render(after, indent, o2)
            )
        }
        R::Object { attrs } => render_object(d, attrs, indent, o, true),
        R::Map { elems } => render_map(d, elems, indent, o),
        R::List { elems, context } => render_list(d, elems, *context, indent, o),
        R::Set { elems } => render_set(d, elems, indent, o),
        R::Block { attrs, blocks } => render_block(d, attrs, blocks, indent, o),
    }
}

fn render_object(
    d: &Diff,
    attrs: &BTreeMap<String, Diff>,
    indent: usize,
    o: HOpts,
    override_null: bool,
) -> String {
    if attrs.is_empty() {
        return format!(
            "{{}}{}{}",
            null_suffix(d.action, o),
            forces_replacement(d.replace, o)
        );
    }
    let mut ao = o;
    ao.override_null_suffix = override_null;
    let w = attrs.keys().map(|k| attr_name(k).len()).max().unwrap_or(0);
    let mut hidden = 0;
    let mut buf = format!("{{{}\n", forces_replacement(d.replace, o));
    for (k, a) in attrs {
        let important = IMPORTANT.contains(&k.as_str());
        let mut eo = ao;
        if important {
            eo.show_unchanged_children = true;
        } else if a.action == Action::NoOp && !o.show_unchanged_children {
            hidden += 1;
            continue;
        }
        let wo = if important { eo } else { o };
        for warn in warnings(a, indent + 1, wo) {
            buf.push_str(&format!("{}{}\n", indent_str(indent + 1), warn));
        }
        buf.push_str(&format!(
            "{}{}{:<w$} = {}\n",
            indent_str(indent + 1),
            sym(a.action, eo),
            attr_name(k),
            render(a, indent + 1, eo)
        ));
    }
    if hidden > 0 {
        buf.push_str(&format!(
            "{}{}{}\n",
            indent_str(indent + 1),
            sym(Action::NoOp, o),
            unchanged("attribute", hidden, o)
        ));
    }
    buf.push_str(&format!(
        "{}{}}}{}",
        indent_str(indent),
        sym(Action::NoOp, o),
        null_suffix(d.action, o)
    ));
    buf
}

fn render_map(d: &Diff, elems: &BTreeMap<String, Diff>, indent: usize, o: HOpts) -> String {
    if elems.is_empty() {
        return format!(
            "{{}}{}{}",
            null_suffix(d.action, o),
            forces_replacement(d.replace, o)
        );
    }
    let keys: Vec<String> = elems.keys().map(|k| go_quote(k)).collect();
    let w = keys.iter().map(|k| k.len()).max().unwrap_or(0);
    let mut eo = o;
    eo.override_null_suffix = d.action == Action::Delete;
    eo.force_forces_replacement = false;
    let mut hidden = 0;
    let mut buf = format!("{{{}\n", forces_replacement(d.replace, o));
    for (k, e) in keys.iter().zip(elems.values()) {
        if e.action == Action::NoOp && !o.show_unchanged_children {
            hidden += 1;
            continue;
        }
        for warn in warnings(e, indent + 1, o) {
            buf.push_str(&format!("{}{}\n", indent_str(indent + 1), warn));
        }
        let comma = if matches!(*e.r, R::Object { .. }) {
            ","
        } else {
            ""
        };
        buf.push_str(&format!(
            "{}{}{:<w$} = {}{}\n",
            indent_str(indent + 1),
            sym(e.action, eo),
            k,
            render(e, indent + 1, eo),
            comma
        ));
    }
    if hidden > 0 {
        buf.push_str(&format!(
            "{}{}{}\n",
            indent_str(indent + 1),
            sym(Action::NoOp, o),
            unchanged("element", hidden, o)
        ));
    }
    buf.push_str(&format!(
        "{}{}}}{}",
        indent_str(indent),
        sym(Action::NoOp, o),
        null_suffix(d.action, o)
    ));
    buf
}

fn render_list(d: &Diff, elems: &[Diff], context: bool, indent: usize, o: HOpts) -> String {
    if elems.is_empty() {
        return format!(
            "[]{}{}",
            null_suffix(d.action, o),
            forces_replacement(d.replace, o)
        );
    }
    let mut eo = o;
    eo.override_null_suffix = true;
    let mut uo = o;
    uo.show_unchanged_children = true;
    let mut unchanged_elems: Vec<&Diff> = vec![];
    let mut render_next = false;
    let mut buf = format!("[{}\n", forces_replacement(d.replace, o));
    for e in elems {
        if e.action == Action::NoOp && !render_next && !o.show_unchanged_children {
            unchanged_elems.push(e);
            continue;
        }
        render_next = false;
        let mut opts = eo;
        if context {
            if unchanged_elems.len() > 1 {
                buf.push_str(&format!(
                    "{}{}{}\n",
                    indent_str(indent + 1),
                    sym(Action::NoOp, opts),
                    unchanged("element", unchanged_elems.len() - 1, opts)
                ));
            }
            if let Some(last) = unchanged_elems.last() {
                buf.push_str(&format!(
                    "{}{}{},\n",
                    indent_str(indent + 1),
                    sym(last.action, uo),
                    render(last, indent + 1, uo)
                ));
            }
            unchanged_elems.clear();
            if e.action == Action::NoOp {
                opts = uo;
            } else {
                render_next = true;
            }
        }
        for warn in warnings(e, indent + 1, opts) {
            buf.push_str(&format!("{}{}\n", indent_str(indent + 1), warn));
        }
        buf.push_str(&format!(
            "{}{}{},\n",
            indent_str(indent + 1),
            sym(e.action, opts),
            render(e, indent + 1, opts)
        ));
    }
    if !unchanged_elems.is_empty() {
        buf.push_str(&format!(
            "{}{}{}\n",
            indent_str(indent + 1),
            sym(Action::NoOp, o),
            unchanged("element", unchanged_elems.len(), o)
        ));
    }
    buf.push_str(&format!(
        "{}{}]{}",
        indent_str(indent),
        sym(Action::NoOp, o),
        null_suffix(d.action, o)
    ));
    buf
}

fn render_set(d: &Diff, elems: &[Diff], indent: usize, o: HOpts) -> String {
    if elems.is_empty() {
        return format!(
            "[]{}{}",
            null_suffix(d.action, o),
            forces_replacement(d.replace, o)
        );
    }
    let mut eo = o;
    eo.override_null_suffix = true;
    eo.force_forces_replacement = false;
    let mut hidden = 0;
    let mut buf = format!("[{}\n", forces_replacement(d.replace, o));
    for e in elems {
        if e.action == Action::NoOp && !o.show_unchanged_children {
            hidden += 1;
            continue;
        }
        for warn in warnings(e, indent + 1, o) {
            buf.push_str(&format!("{}{}\n", indent_str(indent + 1), warn));
        }
        buf.push_str(&format!(
            "{}{}{},\n",
            indent_str(indent + 1),
            sym(e.action, eo),
            render(e, indent + 1, eo)
        ));
    }
    if hidden > 0 {
        buf.push_str(&format!(
            "{}{}{}\n",
            indent_str(indent + 1),
            sym(Action::NoOp, o),
            unchanged("element", hidden, o)
        ));
    }
    buf.push_str(&format!(
        "{}{}]{}",
        indent_str(indent),
        sym(Action::NoOp, o),
        null_suffix(d.action, o)
    ));
    buf
}

fn render_block(
    d: &Diff,
    attrs: &BTreeMap<String, Diff>,
    blocks: &BTreeMap<String, BlockGroup>,
    indent: usize,
    o: HOpts,
) -> String {
    if attrs.is_empty() && blocks.is_empty() {
        return format!("{{}}{}", forces_replacement(d.replace, o));
    }
    let w = attrs.keys().map(|k| attr_name(k).len()).max().unwrap_or(0);
    let mut io = o;
    io.show_unchanged_children = true;
    let mut hidden_attrs = 0;
    let mut hidden_blocks = 0;
    let mut buf = format!("{{{}\n", forces_replacement(d.replace, o));
    for (k, a) in attrs {
        if IMPORTANT.contains(&k.as_str()) {
            for warn in warnings(a, indent + 1, io) {
                buf.push_str(&format!("{}{}\n", indent_str(indent + 1), warn));
            }
            buf.push_str(&format!(
                "{}{}{:<w$} = {}\n",
                indent_str(indent + 1),
                sym(a.action, io),
                k,
                render(a, indent + 1, io)
            ));
            continue;
        }
        if a.action == Action::NoOp && !o.show_unchanged_children {
            hidden_attrs += 1;
            continue;
        }
        for warn in warnings(a, indent + 1, o) {
            buf.push_str(&format!("{}{}\n", indent_str(indent + 1), warn));
        }
        buf.push_str(&format!(
            "{}{}{:<w$} = {}\n",
            indent_str(indent + 1),
            sym(a.action, o),
            attr_name(k),
            render(a, indent + 1, o)
        ));
    }
    if hidden_attrs > 0 {
        buf.push_str(&format!(
            "{}{}{}\n",
            indent_str(indent + 1),
            sym(Action::NoOp, o),
            unchanged("attribute", hidden_attrs, o)
        ));
    }
    for (key, g) in blocks {
        let mut found_changed = false;
        let mut render_one = |bd: Diff, buf: &mut String| {
            let creating = bd.action == Action::Create && g.after_sensitive;
            let deleting = bd.action == Action::Delete && g.before_sensitive;
            let modifying = matches!(bd.action, Action::Update | Action::NoOp)
                && (g.after_sensitive || g.before_sensitive);
            let bd = if creating || deleting || modifying {
                let mut action = bd.action;
                if bd.action == Action::NoOp && g.before_sensitive != g.after_sensitive {
                    action = Action::Update;
                }
                let replace = bd.replace;
                nd(
                    R::SensitiveBlock {
                        inner: bd,
                        before: g.before_sensitive,
                        after: g.after_sensitive,
                    },
                    action,
                    replace,
                )
            } else {
                bd
            };
            if bd.action == Action::NoOp && !o.show_unchanged_children {
                hidden_blocks += 1;
                return;
            }
            if !found_changed && !attrs.is_empty() {
                buf.push('\n');
                found_changed = true;
            }
            let mut bo = o;
            bo.force_forces_replacement = g.replace;
            for warn in warnings(&bd, indent + 1, bo) {
                buf.push_str(&format!("{}{}\n", indent_str(indent + 1), warn));
            }
            buf.push_str(&format!(
                "{}{}{} {}\n",
                indent_str(indent + 1),
                sym(bd.action, bo),
                attr_name(key),
                render(&bd, indent + 1, bo)
            ));
        };
        if g.unknown && !matches!(g.kind, BlockKind::Single(_)) {
            render_one(nd(R::Unknown { before: None }, d.action, false), &mut buf);
        }
        match &g.kind {
            BlockKind::Single(bd) => render_one(bd.clone(), &mut buf),
            BlockKind::List(v) | BlockKind::Set(v) => {
                for bd in v {
                    render_one(bd.clone(), &mut buf);
                }
            }
        }
    }
    if hidden_blocks > 0 {
        buf.push_str(&format!(
            "\n{}{}{}\n",
            indent_str(indent + 1),
            sym(Action::NoOp, o),
            unchanged("block", hidden_blocks, o)
        ));
    }
    buf.push_str(&format!("{}{}}}", indent_str(indent), sym(Action::NoOp, o)));
    buf
}

// Primitives -----------------------------------------------------------------

fn prim_value(j: &J, ty: Prim, o: HOpts) -> String {
    match j {
        J::Null => dark_null(o),
        J::Bool(b) if ty == Prim::Bool => b.to_string(),
        J::Number(n) if ty == Prim::Number => n.to_string(),
        other => other.to_string(),
    }
}

struct EvalStr {
    s: String,
    json: Option<J>,
    multiline: bool,
    null: bool,
}

impl EvalStr {
    fn simple(&self) -> String {
        if self.null {
            self.s.clone()
        } else {
            go_quote(&self.s)
        }
    }
}

fn eval_string(j: &J, o: HOpts) -> EvalStr {
    let s = match j {
        J::Null => {
            return EvalStr {
                s: dark_null(o),
                json: None,
                multiline: false,
                null: true,
            }
        }
        J::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.starts_with('{') || s.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<J>(&s) {
            return EvalStr {
                s,
                json: Some(v),
                multiline: false,
                null: false,
            };
        }
    }
    if s.contains('\n') {
        return EvalStr {
            s: s.trim().to_string(),
            json: None,
            multiline: true,
            null: false,
        };
    }
    EvalStr {
        s,
        json: None,
        multiline: false,
        null: false,
    }
}

fn render_primitive(d: &Diff, before: &J, after: &J, ty: Prim, indent: usize, o: HOpts) -> String {
    if ty == Prim::String {
        return render_string(d, before, after, indent, o);
    }
    let b = prim_value(before, ty, o);
    let a = prim_value(after, ty, o);
    let fr = forces_replacement(d.replace, o);
    match d.action {
        Action::Create => format!("{a}{fr}"),
        Action::Delete => format!("{b}{}{fr}", null_suffix(d.action, o)),
        Action::NoOp => format!("{b}{fr}"),
        _ => format!("{b} {} {a}{fr}", col(o.color, "[yellow]->[reset]")),
    }
}

fn heredoc_lines(s: &str, indent: usize, o: HOpts) -> Vec<String> {
    let prefix = format!("{}{}", indent_str(indent + 1), sym(Action::NoOp, o));
    s.split('\n').map(|l| format!("{prefix}{l}")).collect()
}

fn render_string(d: &Diff, before: &J, after: &J, indent: usize, o: HOpts) -> String {
    let fr = forces_replacement(d.replace, o);
    let lines: Vec<String> = match d.action {
        Action::Create | Action::NoOp => {
            let s = eval_string(after, o);
            if let Some(j) = &s.json {
                let b = if d.action == Action::NoOp {
                    Some(j.clone())
                } else {
                    None
                };
                return render_string_json(d, b, Some(j.clone()), indent, o);
            }
            if !s.multiline {
                return format!("{}{fr}", s.simple());
            }
            heredoc_lines(&s.s, indent, o)
        }
        Action::Delete => {
            let s = eval_string(before, o);
            if s.null {
                return format!("{}{fr}", s.simple());
            }
            if let Some(j) = &s.json {
                return render_string_json(d, Some(j.clone()), None, indent, o);
            }
            if !s.multiline {
                return format!("{}{}{fr}", s.simple(), null_suffix(d.action, o));
            }
            heredoc_lines(&s.s, indent, o)
        }
        _ => {
            let bs = eval_string(before, o);
            let as_ = eval_string(after, o);
            if bs.json.is_some() && as_.json.is_some() {
                return render_string_json(d, bs.json, as_.json, indent, o);
            }
            if bs.json.is_some() || as_.json.is_some() {
                let tc = nd(
                    R::TypeChange {
                        before: nd(
                            R::Primitive {
                                before: before.clone(),
                                after: J::Null,
                                ty: Prim::String,
                            },
                            Action::Delete,
                            false,
                        ),
                        after: nd(
                            R::Primitive {
                                before: J::Null,
                                after: after.clone(),
                                ty: Prim::String,
                            },
                            Action::Create,
                            false,
                        ),
                    },
                    d.action,
                    d.replace,
                );
                return render(&tc, indent, o);
            }
            if !bs.multiline && !as_.multiline {
                return format!(
                    "{} {} {}{fr}",
                    bs.simple(),
                    col(o.color, "[yellow]->[reset]"),
                    as_.simple()
                );
            }
            let bl: Vec<&str> = bs.s.split('\n').collect();
            let al: Vec<&str> = as_.s.split('\n').collect();
            let mut lines = vec![];
            let pre = indent_str(indent + 1);
            process_slice(&bl, &al, &|_| false, &mut |bi, ai| {
                if bi >= bl.len() {
                    lines.push(format!("{pre}{}{}", sym(Action::Create, o), al[ai]));
                } else if ai >= al.len() {
                    lines.push(format!("{pre}{}{}", sym(Action::Delete, o), bl[bi]));
                } else if bl[bi] != al[ai] {
                    lines.push(format!("{pre}{}{}", sym(Action::Delete, o), bl[bi]));
                    lines.push(format!("{pre}{}{}", sym(Action::Create, o), al[ai]));
                } else {
                    lines.push(format!("{pre}{}{}", sym(Action::NoOp, o), bl[bi]));
                }
            });
            lines
        }
    };
    format!(
        "<<-EOT{fr}\n{}\n{}{}EOT{}",
        lines.join("\n"),
        indent_str(indent),
        sym(Action::NoOp, o),
        null_suffix(d.action, o)
    )
}

fn render_string_json(
    d: &Diff,
    before: Option<J>,
    after: Option<J>,
    indent: usize,
    o: HOpts,
) -> String {
    let change = Change {
        before_explicit: d.action != Action::Create,
        after_explicit: d.action != Action::Delete,
        before: before.unwrap_or(J::Null),
        after: after.unwrap_or(J::Null),
        unknown: J::Bool(false),
        before_sensitive: J::Bool(false),
        after_sensitive: J::Bool(false),
        replace: Matcher::default(),
        non_legacy: true,
    };
    let jd = json_transform(change);
    let mut action = d.action;
    let mut jo = o;
    jo.override_null_suffix = true;
    let (mut whitespace, mut replace) = (String::new(), String::new());
    if jd.action == Action::NoOp && d.action == Action::Update {
        whitespace = if d.replace {
            " # whitespace changes force replacement".into()
        } else {
            " # whitespace changes".into()
        };
        jo.show_unchanged_children = true;
        action = Action::NoOp;
    } else {
        replace = forces_replacement(d.replace, o);
    }
    let rendered = render(&jd, indent + 1, jo);
    if matches!(d.action, Action::Create | Action::Delete) {
        action = Action::NoOp;
    }
    if rendered.contains('\n') {
        format!(
            "jsonencode({whitespace}\n{}{}{rendered}{replace}\n{}{}){}",
            indent_str(indent + 1),
            sym(action, o),
            indent_str(indent),
            sym(Action::NoOp, o),
            null_suffix(d.action, o)
        )
    } else {
        format!("jsonencode({rendered}){whitespace}{replace}")
    }
}

// ---------------------------------------------------------------------------
// Plans

fn schema_for(rc: &ResourceChange) -> Option<Schema> {
    let reg = crate::providers::registry();
    let ty = &rc.addr.resource.ty;
    match rc.addr.resource.mode {
        Mode::Managed => reg.resource(ty).map(|r| r.schema().clone()),
        Mode::Data => reg.data_source(ty).map(|r| r.schema().clone()),
    }
}

/// The structured change of one resource instance, as the JSON plan holds it
/// (but with sensitive values kept, for deciding what changed).
fn resource_change_struct(rc: &ResourceChange, schema: Option<&Schema>) -> Change {
    let mark = |v: &Value| match schema {
        Some(s) => mark_schema_sensitive(v, s),
        None => v.clone(),
    };
    let before = rc.before.as_ref().map(mark);
    let after = rc.after.as_ref().map(mark);
    Change {
        before_explicit: false,
        after_explicit: false,
        before: before
            .as_ref()
            .map(|v| value_json(v, false))
            .unwrap_or(J::Null),
        after: after
            .as_ref()
            .map(|v| value_json(v, false))
            .unwrap_or(J::Null),
        unknown: after
            .as_ref()
            .map(unknown_json)
            .unwrap_or(J::Object(Default::default())),
        before_sensitive: before
            .as_ref()
            .map(sensitive_json)
            .unwrap_or(J::Bool(false)),
        after_sensitive: after.as_ref().map(sensitive_json).unwrap_or(J::Bool(false)),
        replace: Matcher {
            paths: rc
                .replace_paths
                .iter()
                .map(|p| p.iter().map(super::json::path_step_json).collect())
                .collect(),
        },
        non_legacy: false,
    }
}

fn resource_diff(rc: &ResourceChange) -> Diff {
    let schema = schema_for(rc);
    let block = match &schema {
        Some(s) => BlockS::from_schema(s),
        None => BlockS::infer(rc.before.as_ref(), rc.after.as_ref()),
    };
    compute_block(resource_change_struct(rc, schema.as_ref()), &block)
}

#[derive(Clone, Copy, PartialEq)]
enum Cause {
    Change,
    Drift,
}

fn index_json(k: &Option<InstanceKey>) -> String {
    match k {
        None => String::new(),
        Some(InstanceKey::Int(i)) => i.to_string(),
        Some(InstanceKey::Str(s)) => serde_json::to_string(s).unwrap_or_default(),
    }
}

fn change_comment(rc: &ResourceChange, cause: Cause) -> String {
    let addr = rc.addr.to_string();
    let disp = match &rc.deposed {
        Some(d) => format!("{addr} (deposed object {d})"),
        None => addr.clone(),
    };
    let prev = rc
        .prev_addr
        .as_ref()
        .map(|p| p.to_string())
        .filter(|p| *p != addr);
    let mut buf = String::new();
    let mut printed_moved = false;
    let mut printed_imported = false;
    match rc.action {
        Action::Create => buf.push_str(&format!("[bold]  # {disp}[reset] will be created")),
        Action::Read => {
            buf.push_str(&format!("[bold]  # {disp}[reset] will be read during apply"));
            match rc.reason {
                Some(ActionReason::ReadBecauseConfigUnknown) => {
                    buf.push_str("\n  # (config refers to values not yet known)")
                }
                Some(ActionReason::ReadBecauseDependencyPending) => {
                    buf.push_str("\n  # (depends on a resource or a module with changes pending)")
                }
                _ => {}
            }
        }
        Action::Update => match cause {
            Cause::Change => buf.push_str(&format!("[bold]  # {disp}[reset] will be updated in-place")),
            Cause::Drift => buf.push_str(&format!("[bold]  # {disp}[reset] has changed")),
        },
        Action::CreateThenDelete | Action::DeleteThenCreate => match rc.reason {
            Some(ActionReason::ReplaceBecauseTainted) => buf.push_str(&format!(
                "[bold]  # {disp}[reset] is tainted, so must be [bold][red]replaced[reset]"
            )),
            Some(ActionReason::ReplaceByRequest) => buf.push_str(&format!(
                "[bold]  # {disp}[reset] will be [bold][red]replaced[reset], as requested"
            )),
            Some(ActionReason::ReplaceByTriggers) => buf.push_str(&format!(
                "[bold]  # {disp}[reset] will be [bold][red]replaced[reset] due to changes in replace_triggered_by"
            )),
            _ => buf.push_str(&format!(
                "[bold]  # {disp}[reset] must be [bold][red]replaced[reset]"
            )),
        },
        Action::Delete => {
            match cause {
                Cause::Change => buf.push_str(&format!(
                    "[bold]  # {disp}[reset] will be [bold][red]destroyed[reset]"
                )),
                Cause::Drift => buf.push_str(&format!("[bold]  # {disp}[reset] has been deleted")),
            }
            match rc.reason {
                Some(ActionReason::DeleteBecauseNoResourceConfig) => buf.push_str(&format!(
                    "\n  # (because {}.{} is not in configuration)",
                    rc.addr.resource.ty, rc.addr.resource.name
                )),
                Some(ActionReason::DeleteBecauseNoModule) => buf.push_str(&format!(
                    "\n  # (because {} is not in configuration)",
                    rc.addr.module
                )),
                Some(ActionReason::DeleteBecauseWrongRepetition) => match &rc.addr.key {
                    None => buf.push_str("\n  # (because resource uses count or for_each)"),
                    Some(InstanceKey::Int(_)) => {
                        buf.push_str("\n  # (because resource does not use count)")
                    }
                    Some(InstanceKey::Str(_)) => {
                        buf.push_str("\n  # (because resource does not use for_each)")
                    }
                },
                Some(ActionReason::DeleteBecauseCountIndex) => buf.push_str(&format!(
                    "\n  # (because index [{}] is out of range for count)",
                    index_json(&rc.addr.key)
                )),
                Some(ActionReason::DeleteBecauseEachKey) => buf.push_str(&format!(
                    "\n  # (because key [{}] is not in for_each map)",
                    index_json(&rc.addr.key)
                )),
                _ => {}
            }
            if rc.deposed.is_some() {
                buf.push_str("\n  # (left over from a partially-failed replacement of this instance)");
            }
        }
        Action::NoOp => {
            if let Some(p) = &prev {
                buf.push_str(&format!("[bold]  # {p}[reset] has moved to [bold]{disp}[reset]"));
                printed_moved = true;
            } else if rc.importing.is_some() {
                buf.push_str(&format!("[bold]  # {disp}[reset] will be imported"));
                printed_imported = true;
            } else {
                buf.push_str(&format!(
                    "{disp} has an action the plan renderer doesn't support (this is a bug)"
                ));
            }
        }
    }
    buf.push('\n');
    if let Some(p) = &prev {
        if !printed_moved {
            buf.push_str(&format!("  # [reset](moved from {p})\n"));
        }
    }
    if let Some(id) = &rc.importing {
        if !printed_imported {
            if id.is_empty() {
                buf.push_str("  # [reset](will be imported first)\n");
            } else {
                buf.push_str(&format!("  # [reset](imported from \"{id}\")\n"));
            }
        }
        if rc.action.is_replace() {
            buf.push_str(
                "  # [reset][yellow]Warning: this will destroy the imported resource[reset]\n",
            );
        }
    }
    buf
}

fn render_resource(rc: &ResourceChange, cause: Cause, color: bool) -> Option<String> {
    if rc.action == Action::NoOp && !moved(rc) && rc.importing.is_none() {
        return None;
    }
    let diff = resource_diff(rc);
    let o = HOpts {
        color,
        show_unchanged_children: rc.importing.is_some(),
        ..HOpts::default()
    };
    let header = format!(
        "{} \"{}\" \"{}\"",
        if rc.addr.resource.mode == Mode::Managed {
            "resource"
        } else {
            "data"
        },
        rc.addr.resource.ty,
        rc.addr.resource.name
    );
    Some(format!(
        "{}{} {} {}",
        col(color, &change_comment(rc, cause)),
        col(color, action_symbol(rc.action)),
        header,
        render(&diff, 0, o)
    ))
}

fn moved(rc: &ResourceChange) -> bool {
    rc.prev_addr
        .as_ref()
        .map(|p| *p != rc.addr)
        .unwrap_or(false)
}

fn output_diff(oc: &OutputChange) -> Diff {
    let j = |v: &Option<Value>| v.as_ref().map(|v| value_json(v, false)).unwrap_or(J::Null);
    let bs = oc.sensitive
        || oc
            .before
            .as_ref()
            .map(|v| v.deep_sensitive())
            .unwrap_or(false);
    let as_ = oc.sensitive
        || oc
            .after
            .as_ref()
            .map(|v| v.deep_sensitive())
            .unwrap_or(false);
    let change = Change {
        before_explicit: false,
        after_explicit: false,
        before: j(&oc.before),
        after: j(&oc.after),
        unknown: oc
            .after
            .as_ref()
            .map(unknown_json)
            .unwrap_or(J::Bool(false)),
        before_sensitive: J::Bool(bs),
        after_sensitive: J::Bool(as_),
        replace: Matcher::default(),
        non_legacy: false,
    };
    compute_output(change)
}

fn render_outputs(plan: &Plan, color: bool) -> String {
    let mut outs: Vec<&OutputChange> = plan.outputs.iter().collect();
    outs.sort_by(|a, b| a.name.cmp(&b.name));
    let w = outs
        .iter()
        .map(|o| attr_name(&o.name).len())
        .max()
        .unwrap_or(0);
    let o = HOpts {
        color,
        ..HOpts::default()
    };
    let mut lines = vec![];
    for oc in outs {
        let d = output_diff(oc);
        if d.action == Action::NoOp {
            continue;
        }
        lines.push(format!(
            "{} {:<w$} = {}",
            col(color, action_symbol(d.action)),
            attr_name(&oc.name),
            render(&d, 0, o)
        ));
    }
    lines.join("\n")
}

fn legend(action: Action) -> &'static str {
    match action {
        Action::Create => "  [green]+[reset] create",
        Action::Delete => "  [red]-[reset] destroy",
        Action::Update => "  [yellow]~[reset] update in-place",
        Action::CreateThenDelete => {
            "[green]+[reset]/[red]-[reset] create replacement and then destroy"
        }
        Action::DeleteThenCreate => {
            "[red]-[reset]/[green]+[reset] destroy and then create replacement"
        }
        Action::Read => " [cyan]<=[reset] read (data resources)",
        Action::NoOp => "",
    }
}

fn sorted(changes: &[ResourceChange]) -> Vec<&ResourceChange> {
    let mut v: Vec<&ResourceChange> = changes.iter().collect();
    v.sort_by(|a, b| a.addr.cmp(&b.addr).then_with(|| a.deposed.cmp(&b.deposed)));
    v
}

/// Render a plan as `herd plan` prints it (Terraform's human plan format).
pub fn render_plan(plan: &Plan, opts: &RenderOpts) -> String {
    let c = opts.color;
    let width = opts.width;
    let mut out = String::new();

    // Which planned changes are worth printing.
    let mut changes = vec![];
    let mut counts: BTreeMap<Action, usize> = BTreeMap::new();
    let mut importing = 0;
    for rc in sorted(&plan.changes) {
        if rc.action == Action::NoOp && !moved(rc) && rc.importing.is_none() {
            continue;
        }
        if rc.action == Action::Delete && rc.addr.resource.mode != Mode::Managed {
            continue;
        }
        changes.push(rc);
        if rc.importing.is_some() {
            importing += 1;
        }
        if rc.action != Action::NoOp {
            *counts.entry(rc.action).or_default() += 1;
        }
    }
    let outputs = render_outputs(plan, c);
    let empty = changes.is_empty() && outputs.is_empty();

    // Drift.
    let drift: Vec<&ResourceChange> = sorted(&plan.drift)
        .into_iter()
        .filter(|d| plan.refresh_only || d.action != Action::NoOp)
        .collect();
    let mut have_drift = false;
    if !drift.is_empty() && (!empty || plan.refresh_only) {
        have_drift = true;
        out.push_str(&col(
            c,
            "\n[bold][cyan]Note:[reset][bold] Objects have changed outside of herd\n",
        ));
        out.push('\n');
        out.push_str(&word_wrap(
            "herd detected the following changes made outside of herd since the last \"herd apply\" which may have affected this plan:\n",
            width,
        ));
        for d in drift {
            if let Some(s) = render_resource(d, Cause::Drift, c) {
                out.push('\n');
                out.push_str(&s);
                out.push('\n');
            }
        }
        let tail = if plan.refresh_only {
            "\n\nThis is a refresh-only plan, so herd will not take any actions to undo these. If you were expecting these changes then you can apply this plan to record the updated values in the herd state without changing any remote objects."
        } else {
            "\n\nUnless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignore_changes, the following plan may include actions to undo or respond to these changes."
        };
        out.push_str(&word_wrap(tail, width));
        out.push('\n');
    }

    if empty {
        if plan.errored {
            if have_drift {
                out.push_str(&horizontal_rule(c, width));
                out.push('\n');
            }
            out.push_str(&col(
                c,
                "\n[reset][bold][red]Planning failed.[reset][bold] herd encountered an error while generating this plan.[reset]\n\n",
            ));
        } else if plan.refresh_only {
            if have_drift {
                return out;
            }
            out.push_str(&col(
                c,
                "\n[reset][bold][green]No changes.[reset][bold] Your infrastructure still matches the configuration.[reset]\n\n",
            ));
            out.push_str(&word_wrap(
                "herd has checked that the real remote objects still match the result of your most recent changes, and found no differences.",
                width,
            ));
            out.push('\n');
        } else if plan.destroy {
            if have_drift {
                out.push_str(&horizontal_rule(c, width));
                out.push('\n');
            }
            out.push_str(&col(
                c,
                "\n[reset][bold][green]No changes.[reset][bold] No objects need to be destroyed.[reset]\n\n",
            ));
            out.push_str(&word_wrap(
                "Either you have not created any objects yet or the existing objects were already deleted outside of herd.",
                width,
            ));
            out.push('\n');
        } else {
            if have_drift {
                out.push_str(&horizontal_rule(c, width));
                out.push('\n');
            }
            out.push_str(&col(
                c,
                "\n[reset][bold][green]No changes.[reset][bold] Your infrastructure matches the configuration.[reset]\n\n",
            ));
            if have_drift {
                out.push_str(&word_wrap(
                    "Your configuration already matches the changes detected above, so applying this plan will only update the state to include the changes detected above and won't change any real infrastructure.",
                    width,
                ));
                out.push('\n');
                return out;
            }
            out.push_str(&word_wrap(
                "herd has compared your real infrastructure against your configuration and found no differences, so no changes are needed.",
                width,
            ));
            out.push('\n');
        }
        return out;
    }

    if have_drift {
        out.push_str(&horizontal_rule(c, width));
        out.push('\n');
    }

    if !counts.is_empty() {
        out.push_str(&word_wrap(
            "\nherd used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:",
            width,
        ));
        out.push('\n');
        for a in [
            Action::Create,
            Action::Update,
            Action::Delete,
            Action::DeleteThenCreate,
            Action::CreateThenDelete,
            Action::Read,
        ] {
            if counts.get(&a).copied().unwrap_or(0) > 0 {
                out.push_str(&col(c, legend(a)));
                out.push('\n');
            }
        }
    }

    if !changes.is_empty() {
        if plan.errored {
            out.push_str("\nherd planned the following actions, but then encountered a problem:\n");
        } else {
            out.push_str("\nherd will perform the following actions:\n");
        }
        for rc in &changes {
            if let Some(s) = render_resource(rc, Cause::Change, c) {
                out.push('\n');
                out.push_str(&s);
                out.push('\n');
            }
        }
        let n = |a: Action| counts.get(&a).copied().unwrap_or(0);
        out.push_str(&col(c, "\n[bold]Plan:[reset] "));
        if importing > 0 {
            out.push_str(&format!("{importing} to import, "));
        }
        out.push_str(&format!(
            "{} to add, {} to change, {} to destroy.\n",
            n(Action::Create) + n(Action::DeleteThenCreate) + n(Action::CreateThenDelete),
            n(Action::Update),
            n(Action::Delete) + n(Action::DeleteThenCreate) + n(Action::CreateThenDelete)
        ));
    }

    if !outputs.is_empty() {
        out.push_str("\nChanges to Outputs:\n");
        out.push_str(&outputs);
        out.push('\n');
        if counts.is_empty() {
            out.push_str(&word_wrap(
                "\nYou can apply this plan to save these new output values to the herd state, without changing any real infrastructure.",
                width,
            ));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colorstring() {
        assert_eq!(col(false, "[bold]  # a[0][reset] x"), "  # a[0] x");
        assert_eq!(col(true, "[red]-"), "\x1b[31m-\x1b[0m");
        assert_eq!(col(true, "plain [x]"), "plain [x]");
    }

    #[test]
    fn wraps() {
        assert_eq!(word_wrap("aaa bbb ccc", 8), "aaa bbb\nccc");
        assert_eq!(word_wrap("  aaa bbb ccc", 8), "  aaa bbb ccc");
    }

    #[test]
    fn lcs_matches_terraform() {
        let a = ["a", "b", "c", "d"];
        let b = ["a", "c", "x", "d"];
        assert_eq!(lcs(&a, &b), vec!["a", "c", "d"]);
    }
}
