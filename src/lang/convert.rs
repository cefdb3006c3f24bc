//! Automatic type conversion and type unification, following cty's rules.

use std::collections::{BTreeMap, BTreeSet};

use super::number::Number;
use super::types::Type;
use super::value::{Kind, Value};

/// Why a conversion failed; `path` locates the offending element.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvError {
    pub path: Vec<String>,
    pub msg: String,
}

impl std::fmt::Display for ConvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.msg)
        } else {
            write!(f, "{}: {}", self.path.join(""), self.msg)
        }
    }
}

fn err(msg: impl Into<String>) -> ConvError {
    ConvError {
        path: vec![],
        msg: msg.into(),
    }
}

fn at(mut e: ConvError, step: String) -> ConvError {
    e.path.insert(0, step);
    e
}

/// Convert `v` to type `want` (which may contain `Dynamic` and object
/// constraints with optional attributes).
pub fn convert(v: &Value, want: &Type) -> Result<Value, ConvError> {
    let mark = v.sensitive;
    let r = convert_inner(v, want)?;
    Ok(r.mark(mark))
}

fn convert_inner(v: &Value, want: &Type) -> Result<Value, ConvError> {
    if *want == Type::Dynamic {
        return Ok(v.clone());
    }
    match &v.kind {
        Kind::Null(t) => {
            if *t != Type::Dynamic && !conversion_possible(t, want) {
                return Err(err(format!("{} required", want_desc(want))));
            }
            return Ok(Value::null_of(concrete(want)));
        }
        Kind::Unknown(t) => {
            if *t != Type::Dynamic && !conversion_possible(t, want) {
                return Err(err(format!("{} required", want_desc(want))));
            }
            return Ok(Value::unknown(concrete(want)));
        }
        _ => {}
    }
    match want {
        Type::Dynamic => Ok(v.clone()),
        Type::String => match &v.kind {
            Kind::String(_) => Ok(v.clone()),
            Kind::Number(n) => Ok(Value::string(n.to_string())),
            Kind::Bool(b) => Ok(Value::string(if *b { "true" } else { "false" })),
            _ => Err(err("string required")),
        },
        Type::Number => match &v.kind {
            Kind::Number(_) => Ok(v.clone()),
            Kind::String(s) => match Number::parse(s) {
                Some(n) => Ok(Value::number(n)),
                None => Err(err("a number is required")),
            },
            _ => Err(err("number required")),
        },
        Type::Bool => match &v.kind {
            Kind::Bool(_) => Ok(v.clone()),
            Kind::String(s) => match s.as_str() {
                "true" => Ok(Value::bool(true)),
                "false" => Ok(Value::bool(false)),
                _ => Err(err("a bool is required")),
            },
            _ => Err(err("bool required")),
        },
        Type::List(et) | Type::Set(et) => {
            let is_set = matches!(want, Type::Set(_));
            let items: Vec<Value> = match &v.kind {
                Kind::List(_, xs) | Kind::Set(_, xs) | Kind::Tuple(xs) => xs.clone(),
                _ => {
                    return Err(err(format!(
                        "{} required",
                        if is_set { "set" } else { "list" }
                    )))
                }
            };
            let mut out = Vec::with_capacity(items.len());
            let target: Type = if **et == Type::Dynamic {
                let tys: Vec<Type> = items.iter().map(|x| x.ty()).collect();
                match unify(&tys) {
                    Some(t) => t,
                    None => return Err(err("all list elements must have the same type")),
                }
            } else {
                (**et).clone()
            };
            for (i, x) in items.iter().enumerate() {
                out.push(convert(x, &target).map_err(|e| at(e, format!("[{i}]")))?);
            }
            let elem = concrete(&target);
            if is_set {
                Ok(Value::set(elem, out))
            } else {
                Ok(Value::list(elem, out))
            }
        }
        Type::Map(et) => {
            let entries = match &v.kind {
                Kind::Map(_, m) | Kind::Object(m) => m.clone(),
                _ => return Err(err("map required")),
            };
            let target: Type = if **et == Type::Dynamic {
                let tys: Vec<Type> = entries.values().map(|x| x.ty()).collect();
                match unify(&tys) {
                    Some(t) => t,
                    None => return Err(err("all map elements must have the same type")),
                }
            } else {
                (**et).clone()
            };
            let mut out = BTreeMap::new();
            for (k, x) in entries.iter() {
                out.insert(
                    k.clone(),
                    convert(x, &target).map_err(|e| at(e, format!("[{k:?}]")))?,
                );
            }
            Ok(Value::map(concrete(&target), out))
        }
        Type::Tuple(ets) => {
            let items = match &v.kind {
                Kind::List(_, xs) | Kind::Tuple(xs) | Kind::Set(_, xs) => xs.clone(),
                _ => return Err(err("tuple required")),
            };
            if items.len() != ets.len() {
                return Err(err(format!(
                    "tuple required with exactly {} elements",
                    ets.len()
                )));
            }
            let mut out = vec![];
            for (i, (x, t)) in items.iter().zip(ets).enumerate() {
                out.push(convert(x, t).map_err(|e| at(e, format!("[{i}]")))?);
            }
            Ok(Value::tuple(out))
        }
        Type::Object(attrs) => {
            let entries = match &v.kind {
                Kind::Map(_, m) | Kind::Object(m) => m,
                _ => return Err(err("object required")),
            };
            let mut out = BTreeMap::new();
            for (k, t) in attrs {
                match entries.get(k) {
                    Some(x) => {
                        out.insert(
                            k.clone(),
                            convert(x, t).map_err(|e| at(e, format!(".{k}")))?,
                        );
                    }
                    None => return Err(err(format!("attribute {k:?} is required"))),
                }
            }
            Ok(Value::object(out))
        }
        Type::ObjectConstraint(attrs) => {
            let entries = match &v.kind {
                Kind::Map(_, m) | Kind::Object(m) => m,
                _ => return Err(err("object required")),
            };
            let mut out = BTreeMap::new();
            for (k, a) in attrs {
                match entries.get(k) {
                    Some(x) if !(x.is_null() && a.optional && a.default.is_some()) => {
                        out.insert(
                            k.clone(),
                            convert(x, &a.ty).map_err(|e| at(e, format!(".{k}")))?,
                        );
                    }
                    _ if a.optional => {
                        let v = match &a.default {
                            Some(d) => convert(&d.0, &a.ty).map_err(|e| at(e, format!(".{k}")))?,
                            None => Value::null_of(concrete(&a.ty)),
                        };
                        out.insert(k.clone(), v);
                    }
                    _ => return Err(err(format!("attribute {k:?} is required"))),
                }
            }
            Ok(Value::object(out))
        }
    }
}

fn want_desc(t: &Type) -> String {
    t.friendly_name()
}

/// The concrete type for a constraint (drops optional markers).
pub fn concrete(t: &Type) -> Type {
    match t {
        Type::ObjectConstraint(m) => Type::Object(
            m.iter()
                .map(|(k, a)| (k.clone(), concrete(&a.ty)))
                .collect(),
        ),
        Type::List(e) => Type::list(concrete(e)),
        Type::Set(e) => Type::set(concrete(e)),
        Type::Map(e) => Type::map(concrete(e)),
        Type::Tuple(ts) => Type::Tuple(ts.iter().map(concrete).collect()),
        Type::Object(m) => Type::Object(m.iter().map(|(k, t)| (k.clone(), concrete(t))).collect()),
        t => t.clone(),
    }
}

/// Whether some value of type `from` could convert to `to` (shallow check).
pub fn conversion_possible(from: &Type, to: &Type) -> bool {
    match (from, to) {
        (_, Type::Dynamic) | (Type::Dynamic, _) => true,
        (a, b) if a == b => true,
        (Type::String, Type::Number | Type::Bool) => true,
        (Type::Number | Type::Bool, Type::String) => true,
        (Type::List(a) | Type::Set(a), Type::List(b) | Type::Set(b)) => conversion_possible(a, b),
        (Type::Tuple(ts), Type::List(b) | Type::Set(b)) => {
            ts.iter().all(|t| conversion_possible(t, b))
        }
        (Type::Map(a), Type::Map(b)) => conversion_possible(a, b),
        (Type::Object(m), Type::Map(b)) => m.values().all(|t| conversion_possible(t, b)),
        (Type::Tuple(a), Type::Tuple(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| conversion_possible(x, y))
        }
        (Type::List(_), Type::Tuple(_)) => true,
        (Type::Object(a), Type::Object(b)) => b
            .iter()
            .all(|(k, t)| a.get(k).is_some_and(|f| conversion_possible(f, t))),
        (Type::Map(_), Type::Object(_)) => true,
        (Type::Object(_) | Type::Map(_), Type::ObjectConstraint(_)) => true,
        _ => false,
    }
}

/// Find one type all of `tys` convert to (cty's unification), or None.
pub fn unify(tys: &[Type]) -> Option<Type> {
    let tys: Vec<&Type> = tys.iter().filter(|t| **t != Type::Dynamic).collect();
    if tys.is_empty() {
        return Some(Type::Dynamic);
    }
    if tys.iter().all(|t| *t == tys[0]) {
        return Some(tys[0].clone());
    }
    // Primitives: string wins over number and bool.
    if tys.iter().all(|t| t.is_primitive()) {
        if tys.contains(&&Type::String) {
            return Some(Type::String);
        }
        return None;
    }
    // Collections of the same kind: unify element types.
    if tys.iter().all(|t| matches!(t, Type::List(_))) {
        let es: Vec<Type> = tys
            .iter()
            .map(|t| t.element_type().unwrap().clone())
            .collect();
        return unify(&es).map(Type::list);
    }
    if tys.iter().all(|t| matches!(t, Type::Set(_))) {
        let es: Vec<Type> = tys
            .iter()
            .map(|t| t.element_type().unwrap().clone())
            .collect();
        return unify(&es).map(Type::set);
    }
    if tys
        .iter()
        .all(|t| matches!(t, Type::Map(_) | Type::Object(_)))
    {
        // Objects with identical attribute names unify attribute-wise.
        if tys.iter().all(|t| matches!(t, Type::Object(_))) {
            let names: Vec<BTreeSet<&String>> = tys
                .iter()
                .map(|t| match t {
                    Type::Object(m) => m.keys().collect(),
                    _ => unreachable!(),
                })
                .collect();
            if names.iter().all(|n| *n == names[0]) {
                let mut out = BTreeMap::new();
                for k in names[0].iter() {
                    let ats: Vec<Type> = tys
                        .iter()
                        .map(|t| match t {
                            Type::Object(m) => m[*k].clone(),
                            _ => unreachable!(),
                        })
                        .collect();
                    out.insert((*k).clone(), unify(&ats)?);
                }
                return Some(Type::Object(out));
            }
        }
        let mut es = vec![];
        for t in &tys {
            match t {
                Type::Map(e) => es.push((**e).clone()),
                Type::Object(m) => es.extend(m.values().cloned()),
                _ => {}
            }
        }
        return unify(&es).map(Type::map);
    }
    if tys.iter().all(|t| matches!(t, Type::Tuple(_))) {
        let lens: Vec<usize> = tys
            .iter()
            .map(|t| match t {
                Type::Tuple(v) => v.len(),
                _ => 0,
            })
            .collect();
        if lens.iter().all(|l| *l == lens[0]) {
            let mut out = vec![];
            for i in 0..lens[0] {
                let ets: Vec<Type> = tys
                    .iter()
                    .map(|t| match t {
                        Type::Tuple(v) => v[i].clone(),
                        _ => Type::Dynamic,
                    })
                    .collect();
                out.push(unify(&ets)?);
            }
            return Some(Type::Tuple(out));
        }
        let mut es = vec![];
        for t in &tys {
            if let Type::Tuple(v) = t {
                es.extend(v.iter().cloned());
            }
        }
        return unify(&es).map(Type::list);
    }
    if tys
        .iter()
        .all(|t| matches!(t, Type::Tuple(_) | Type::List(_)))
    {
        let mut es = vec![];
        for t in &tys {
            match t {
                Type::Tuple(v) => es.extend(v.iter().cloned()),
                Type::List(e) => es.push((**e).clone()),
                _ => {}
            }
        }
        return unify(&es).map(Type::list);
    }
    None
}

/// Convert all values to one unified type (for conditionals, list literals
/// passed to list parameters and the like).
pub fn unify_values(vals: &[Value]) -> Option<(Type, Vec<Value>)> {
    let tys: Vec<Type> = vals.iter().map(|v| v.ty()).collect();
    let t = unify(&tys)?;
    let mut out = vec![];
    for v in vals {
        out.push(convert(v, &t).ok()?);
    }
    Some((t, out))
}
