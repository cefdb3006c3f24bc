//! Values of the Terraform language: null, unknown, primitives, collections and
//! structural values, each carrying an optional *sensitive* mark.
//!
//! Collections (list, set, map) carry their element type so that empty
//! collections and nulls stay typed, as in cty. Sets are kept sorted in cty's
//! order and deduplicated. The sensitive mark may sit on any node; operations
//! and functions propagate it (see [`Value::deep_sensitive`]).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::number::Number;
use super::types::Type;

#[derive(Clone, Debug)]
pub struct Value {
    pub kind: Kind,
    pub sensitive: bool,
}

#[derive(Clone, Debug)]
pub enum Kind {
    Null(Type),
    Unknown(Type),
    Bool(bool),
    Number(Number),
    String(String),
    List(Type, Vec<Value>),
    Set(Type, Vec<Value>),
    Map(Type, BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    Object(BTreeMap<String, Value>),
}

impl From<Kind> for Value {
    fn from(kind: Kind) -> Value {
        Value {
            kind,
            sensitive: false,
        }
    }
}

impl Value {
    pub fn null() -> Value {
        Kind::Null(Type::Dynamic).into()
    }
    pub fn null_of(t: Type) -> Value {
        Kind::Null(t).into()
    }
    pub fn unknown(t: Type) -> Value {
        Kind::Unknown(t).into()
    }
    pub fn bool(b: bool) -> Value {
        Kind::Bool(b).into()
    }
    pub fn number(n: Number) -> Value {
        Kind::Number(n).into()
    }
    pub fn int(i: i64) -> Value {
        Kind::Number(Number::from_i64(i)).into()
    }
    pub fn string(s: impl Into<String>) -> Value {
        Kind::String(s.into()).into()
    }
    pub fn list(elem: Type, items: Vec<Value>) -> Value {
        Kind::List(elem, items).into()
    }
    /// A list whose element type is taken from the items (all must share one type).
    pub fn list_of(items: Vec<Value>) -> Value {
        let t = items.first().map(|v| v.ty()).unwrap_or(Type::Dynamic);
        Kind::List(t, items).into()
    }
    pub fn tuple(items: Vec<Value>) -> Value {
        Kind::Tuple(items).into()
    }
    pub fn object(attrs: BTreeMap<String, Value>) -> Value {
        Kind::Object(attrs).into()
    }
    pub fn map(elem: Type, items: BTreeMap<String, Value>) -> Value {
        Kind::Map(elem, items).into()
    }
    /// A set: items are sorted in cty's set order and deduplicated.
    pub fn set(elem: Type, mut items: Vec<Value>) -> Value {
        items.sort_by(set_order);
        items.dedup_by(|a, b| set_order(a, b) == Ordering::Equal);
        Kind::Set(elem, items).into()
    }
    pub fn empty_tuple() -> Value {
        Value::tuple(vec![])
    }
    pub fn empty_object() -> Value {
        Value::object(BTreeMap::new())
    }

    pub fn mark(mut self, sensitive: bool) -> Value {
        self.sensitive |= sensitive;
        self
    }

    /// The value's type.
    pub fn ty(&self) -> Type {
        match &self.kind {
            Kind::Null(t) | Kind::Unknown(t) => t.clone(),
            Kind::Bool(_) => Type::Bool,
            Kind::Number(_) => Type::Number,
            Kind::String(_) => Type::String,
            Kind::List(t, _) => Type::list(t.clone()),
            Kind::Set(t, _) => Type::set(t.clone()),
            Kind::Map(t, _) => Type::map(t.clone()),
            Kind::Tuple(items) => Type::Tuple(items.iter().map(|v| v.ty()).collect()),
            Kind::Object(m) => Type::Object(m.iter().map(|(k, v)| (k.clone(), v.ty())).collect()),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null(_))
    }
    /// False only if this node itself is unknown.
    pub fn is_known(&self) -> bool {
        !matches!(self.kind, Kind::Unknown(_))
    }
    /// True if no unknown appears anywhere inside.
    pub fn is_wholly_known(&self) -> bool {
        match &self.kind {
            Kind::Unknown(_) => false,
            Kind::List(_, v) | Kind::Set(_, v) | Kind::Tuple(v) => {
                v.iter().all(|x| x.is_wholly_known())
            }
            Kind::Map(_, m) | Kind::Object(m) => m.values().all(|x| x.is_wholly_known()),
            _ => true,
        }
    }
    /// True if this value or anything inside it is marked sensitive.
    pub fn deep_sensitive(&self) -> bool {
        if self.sensitive {
            return true;
        }
        match &self.kind {
            Kind::List(_, v) | Kind::Set(_, v) | Kind::Tuple(v) => {
                v.iter().any(|x| x.deep_sensitive())
            }
            Kind::Map(_, m) | Kind::Object(m) => m.values().any(|x| x.deep_sensitive()),
            _ => false,
        }
    }
    /// Remove every mark, deeply.
    pub fn unmark_deep(mut self) -> Value {
        self.sensitive = false;
        match &mut self.kind {
            Kind::List(_, v) | Kind::Set(_, v) | Kind::Tuple(v) => {
                for x in v.iter_mut() {
                    *x = std::mem::replace(x, Value::null()).unmark_deep();
                }
            }
            Kind::Map(_, m) | Kind::Object(m) => {
                for x in m.values_mut() {
                    *x = std::mem::replace(x, Value::null()).unmark_deep();
                }
            }
            _ => {}
        }
        self
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<&Number> {
        match &self.kind {
            Kind::Number(n) => Some(n),
            _ => None,
        }
    }
    /// Elements of a list, set or tuple.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::List(_, v) | Kind::Set(_, v) | Kind::Tuple(v) => Some(v),
            _ => None,
        }
    }
    /// Entries of a map or object.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match &self.kind {
            Kind::Map(_, m) | Kind::Object(m) => Some(m),
            _ => None,
        }
    }
    /// Number of elements of a collection or structural value.
    pub fn length(&self) -> Option<usize> {
        match &self.kind {
            Kind::List(_, v) | Kind::Set(_, v) | Kind::Tuple(v) => Some(v.len()),
            Kind::Map(_, m) | Kind::Object(m) => Some(m.len()),
            _ => None,
        }
    }

    /// Structural identity (types and values, ignoring marks); unknowns equal
    /// only to unknowns of the same type.
    pub fn raw_eq(&self, o: &Value) -> bool {
        match (&self.kind, &o.kind) {
            (Kind::Null(a), Kind::Null(b)) | (Kind::Unknown(a), Kind::Unknown(b)) => a == b,
            (Kind::Bool(a), Kind::Bool(b)) => a == b,
            (Kind::Number(a), Kind::Number(b)) => a == b,
            (Kind::String(a), Kind::String(b)) => a == b,
            (Kind::List(ta, a), Kind::List(tb, b)) | (Kind::Set(ta, a), Kind::Set(tb, b)) => {
                ta == tb && a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.raw_eq(y))
            }
            (Kind::Tuple(a), Kind::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.raw_eq(y))
            }
            (Kind::Map(ta, a), Kind::Map(tb, b)) => ta == tb && maps_eq(a, b),
            (Kind::Object(a), Kind::Object(b)) => maps_eq(a, b),
            _ => false,
        }
    }

    /// The `==` operator: `Some(bool)` when decidable, `None` when unknowns
    /// make the answer unknown. Values of different types are not equal.
    pub fn equals(&self, o: &Value) -> Option<bool> {
        match (&self.kind, &o.kind) {
            (Kind::Unknown(_), _) | (_, Kind::Unknown(_)) => None,
            (Kind::Null(_), Kind::Null(_)) => Some(true),
            (Kind::Null(_), _) | (_, Kind::Null(_)) => Some(false),
            (Kind::Bool(a), Kind::Bool(b)) => Some(a == b),
            (Kind::Number(a), Kind::Number(b)) => Some(a == b),
            (Kind::String(a), Kind::String(b)) => Some(a == b),
            (Kind::List(_, a), Kind::List(_, b))
            | (Kind::Set(_, a), Kind::Set(_, b))
            | (Kind::Tuple(a), Kind::Tuple(b)) => {
                if self.ty() != o.ty() {
                    return Some(false);
                }
                if a.len() != b.len() {
                    return Some(false);
                }
                let mut unknown = false;
                for (x, y) in a.iter().zip(b) {
                    match x.equals(y) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        _ => {}
                    }
                }
                if unknown {
                    None
                } else {
                    Some(true)
                }
            }
            (Kind::Map(_, a), Kind::Map(_, b)) | (Kind::Object(a), Kind::Object(b)) => {
                if self.ty() != o.ty() {
                    return Some(false);
                }
                if a.len() != b.len() || a.keys().zip(b.keys()).any(|(x, y)| x != y) {
                    return Some(false);
                }
                let mut unknown = false;
                for (x, y) in a.values().zip(b.values()) {
                    match x.equals(y) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        _ => {}
                    }
                }
                if unknown {
                    None
                } else {
                    Some(true)
                }
            }
            _ => Some(false),
        }
    }
}

fn maps_eq(a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((ka, va), (kb, vb))| ka == kb && va.raw_eq(vb))
}

/// cty's set order: unknowns last, strings lexically, numbers ascending, bools
/// false first; other values by their rendered form.
pub fn set_order(a: &Value, b: &Value) -> Ordering {
    match (&a.kind, &b.kind) {
        (Kind::Unknown(_), Kind::Unknown(_)) => Ordering::Equal,
        (Kind::Unknown(_), _) => Ordering::Greater,
        (_, Kind::Unknown(_)) => Ordering::Less,
        (Kind::String(x), Kind::String(y)) => x.cmp(y),
        (Kind::Number(x), Kind::Number(y)) => x.cmp(y),
        (Kind::Bool(x), Kind::Bool(y)) => x.cmp(y),
        _ => {
            if a.raw_eq(b) {
                Ordering::Equal
            } else {
                let ka = super::json::to_json_string(a);
                let kb = super::json::to_json_string(b);
                ka.cmp(&kb)
            }
        }
    }
}
