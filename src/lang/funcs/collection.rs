//! Built-in functions: collection family.

use std::collections::BTreeMap;

use unicode_segmentation::UnicodeSegmentation;

use super::string::whole;
use super::{FnCtx, FnError, Func, Param, Registry};
use crate::lang::convert::{convert, unify};
use crate::lang::number::Number;
use crate::lang::types::Type;
use crate::lang::value::Value;

pub fn register(r: &mut Registry) {
    use Type::Dynamic as D;
    let p = Param::new;
    let ld = || Type::list(Type::Dynamic);
    let f = Func::new;
    r.add(f(
        "alltrue",
        vec![p("list", Type::list(Type::Bool)).allow_unknown()],
        Type::Bool,
        alltrue,
    ));
    r.add(f(
        "anytrue",
        vec![p("list", Type::list(Type::Bool)).allow_unknown()],
        Type::Bool,
        anytrue,
    ));
    r.add(f(
        "chunklist",
        vec![p("list", ld()), p("size", Type::Number)],
        D,
        chunklist,
    ));
    r.add(f("coalesce", vec![], D, coalesce).variadic(p("vals", D).allow_unknown().allow_null()));
    r.add(
        f("coalescelist", vec![], D, coalescelist)
            .variadic(p("vals", D).allow_unknown().allow_null()),
    );
    r.add(f(
        "compact",
        vec![p("list", Type::list(Type::String))],
        Type::list(Type::String),
        compact,
    ));
    r.add(f("concat", vec![], D, concat).variadic(p("seqs", D)));
    r.add(f(
        "contains",
        vec![p("list", D), p("value", D).allow_null()],
        Type::Bool,
        contains,
    ));
    r.add(f("distinct", vec![p("list", ld())], D, distinct));
    r.add(f(
        "element",
        vec![p("list", D), p("index", Type::Number)],
        D,
        element,
    ));
    r.add(f("flatten", vec![p("list", D)], D, flatten));
    r.add(f(
        "index",
        vec![p("list", D), p("value", D)],
        Type::Number,
        index,
    ));
    r.add(f(
        "keys",
        vec![p("inputMap", D).allow_unknown().allow_marked()],
        D,
        keys,
    ));
    r.add(f(
        "length",
        vec![p("value", D).allow_unknown().allow_marked()],
        Type::Number,
        length,
    ));
    r.add(
        f(
            "lookup",
            vec![
                p("inputMap", D).allow_unknown().allow_marked(),
                p("key", Type::String).allow_unknown().allow_marked(),
            ],
            D,
            lookup,
        )
        .variadic(p("default", D).allow_unknown().allow_null().allow_marked()),
    );
    r.add(f(
        "matchkeys",
        vec![p("values", ld()), p("keys", ld()), p("searchset", ld())],
        D,
        matchkeys,
    ));
    r.add(f("merge", vec![], D, merge).variadic(p("maps", D).allow_null()));
    r.add(f("one", vec![p("list", D)], D, one));
    r.add(f("range", vec![], Type::list(Type::Number), range).variadic(p("params", Type::Number)));
    r.add(f("reverse", vec![p("list", D)], D, reverse));
    let sd = || Type::set(Type::Dynamic);
    r.add(
        f(
            "setintersection",
            vec![p("first_set", sd())],
            D,
            setintersection,
        )
        .variadic(p("other_sets", sd())),
    );
    r.add(f("setunion", vec![p("first_set", sd())], D, setunion).variadic(p("other_sets", sd())));
    r.add(f(
        "setsubtract",
        vec![p("a", sd()), p("b", sd())],
        D,
        setsubtract,
    ));
    r.add(f("setproduct", vec![], D, setproduct).variadic(p("sets", D)));
    r.add(f(
        "slice",
        vec![
            p("list", D),
            p("start_index", Type::Number),
            p("end_index", Type::Number),
        ],
        D,
        slice,
    ));
    r.add(f(
        "sort",
        vec![p("list", Type::list(Type::String))],
        Type::list(Type::String),
        sort,
    ));
    r.add(f("sum", vec![p("list", D)], Type::Number, sum));
    let mls = || Type::map(Type::list(Type::String));
    r.add(f("transpose", vec![p("values", mls())], mls(), transpose));
    r.add(f("values", vec![p("mapping", D)], D, values));
    r.add(f(
        "zipmap",
        vec![p("keys", Type::list(Type::String)), p("values", D)],
        D,
        zipmap,
    ));
}

fn items(v: &Value) -> &[Value] {
    v.as_seq().unwrap_or_default()
}

fn is_list_like(t: &Type) -> bool {
    matches!(t, Type::List(_) | Type::Tuple(_))
}

fn alltrue(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let Some(xs) = a[0].as_seq() else {
        return Ok(Value::unknown(Type::Bool));
    };
    for v in xs {
        if !v.is_known() {
            return Ok(Value::unknown(Type::Bool));
        }
        if v.as_bool() != Some(true) {
            return Ok(Value::bool(false));
        }
    }
    Ok(Value::bool(true))
}

fn anytrue(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let Some(xs) = a[0].as_seq() else {
        return Ok(Value::unknown(Type::Bool));
    };
    let mut unknown = false;
    for v in xs {
        if !v.is_known() {
            unknown = true;
        } else if v.as_bool() == Some(true) {
            return Ok(Value::bool(true));
        }
    }
    Ok(if unknown {
        Value::unknown(Type::Bool)
    } else {
        Value::bool(false)
    })
}

fn chunklist(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let size = whole(&a[1]).map_err(|e| FnError::msg(format!("invalid size: {e}")))?;
    if size < 0 {
        return Err(FnError::msg("the size argument must be positive"));
    }
    let lt = a[0].ty();
    let xs = items(&a[0]);
    if xs.is_empty() {
        return Ok(Value::list(lt, vec![]));
    }
    if size == 0 {
        return Ok(Value::list(lt, vec![a[0].clone()]));
    }
    let et = lt.element_type().cloned().unwrap_or(Type::Dynamic);
    let out = xs
        .chunks(size as usize)
        .map(|c| Value::list(et.clone(), c.to_vec()))
        .collect();
    Ok(Value::list(lt, out))
}

fn coalesce(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let tys: Vec<Type> = a.iter().map(|v| v.ty()).collect();
    let rt = unify(&tys).ok_or_else(|| FnError::msg("all arguments must have the same type"))?;
    for v in &a {
        let v = convert(v, &rt).unwrap_or_else(|_| v.clone());
        if !v.is_known() {
            return Ok(Value::unknown(rt));
        }
        if v.is_null() || (rt == Type::String && v.as_str() == Some("")) {
            continue;
        }
        return Ok(v);
    }
    Err(FnError::msg("no non-null, non-empty-string arguments"))
}

fn coalescelist(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    if a.is_empty() {
        return Err(FnError::msg("at least one argument is required"));
    }
    for v in &a {
        if v.is_known() && !is_list_like(&v.ty()) {
            return Err(FnError::msg(
                "coalescelist arguments must be lists or tuples",
            ));
        }
    }
    for v in &a {
        if !v.is_known() {
            return Ok(Value::unknown(Type::Dynamic));
        }
        if !v.is_null() && !items(v).is_empty() {
            return Ok(v.clone());
        }
    }
    Err(FnError::msg("no non-null arguments"))
}

fn compact(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let out = items(&a[0])
        .iter()
        .filter(|v| !v.is_null() && v.as_str() != Some(""))
        .cloned()
        .collect();
    Ok(Value::list(Type::String, out))
}

fn concat(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    if a.is_empty() {
        return Err(FnError::msg("at least one argument is required"));
    }
    if a.iter().all(|v| matches!(v.ty(), Type::List(_))) {
        let tys: Vec<Type> = a.iter().map(|v| v.ty()).collect();
        if let Some(t) = unify(&tys) {
            let mut out = vec![];
            for (i, v) in a.iter().enumerate() {
                let c = convert(v, &t).map_err(|e| FnError::arg(i, e.to_string()))?;
                out.extend(items(&c).iter().cloned());
            }
            return Ok(Value::list(
                t.element_type().cloned().unwrap_or(Type::Dynamic),
                out,
            ));
        }
    }
    let mut out = vec![];
    for (i, v) in a.iter().enumerate() {
        if !is_list_like(&v.ty()) {
            return Err(FnError::arg(
                i,
                format!(
                    "all arguments must be lists or tuples; got {}",
                    v.ty().friendly_name()
                ),
            ));
        }
        out.extend(items(v).iter().cloned());
    }
    Ok(Value::tuple(out))
}

fn contains(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    if !matches!(a[0].ty(), Type::List(_) | Type::Set(_) | Type::Tuple(_)) {
        return Err(FnError::msg("argument must be list, tuple, or set"));
    }
    let mut unknown = false;
    for v in items(&a[0]) {
        match a[1].equals(v) {
            Some(true) => return Ok(Value::bool(true)),
            None => unknown = true,
            _ => {}
        }
    }
    Ok(if unknown {
        Value::unknown(Type::Bool)
    } else {
        Value::bool(false)
    })
}

fn distinct(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let mut out: Vec<Value> = vec![];
    for v in items(&a[0]) {
        if !out.iter().any(|o| o.equals(v) == Some(true)) {
            out.push(v.clone());
        }
    }
    Ok(Value::list(
        a[0].ty().element_type().cloned().unwrap_or(Type::Dynamic),
        out,
    ))
}

fn element(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let t = a[0].ty();
    if !is_list_like(&t) {
        return Err(FnError::msg(format!(
            "cannot read elements from {}",
            t.friendly_name()
        )));
    }
    let i = whole(&a[1]).map_err(|e| FnError::msg(format!("invalid index: {e}")))?;
    let xs = items(&a[0]);
    if xs.is_empty() {
        return Err(FnError::msg(
            "cannot use element function with an empty list",
        ));
    }
    if i < 0 {
        return Err(FnError::msg(
            "cannot use element function with a negative index",
        ));
    }
    Ok(xs[(i as usize) % xs.len()].clone())
}

fn flatten_into(v: &Value, out: &mut Vec<Value>) {
    for x in items(v) {
        if !x.is_null()
            && x.is_known()
            && matches!(x.ty(), Type::List(_) | Type::Set(_) | Type::Tuple(_))
        {
            flatten_into(x, out);
        } else {
            out.push(x.clone());
        }
    }
}

fn flatten(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    if !matches!(a[0].ty(), Type::List(_) | Type::Set(_) | Type::Tuple(_)) {
        return Err(FnError::msg("can only flatten lists, sets and tuples"));
    }
    let mut out = vec![];
    flatten_into(&a[0], &mut out);
    Ok(Value::tuple(out))
}

fn index(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    if !is_list_like(&a[0].ty()) {
        return Err(FnError::msg("argument must be a list or tuple"));
    }
    let xs = items(&a[0]);
    if xs.is_empty() {
        return Err(FnError::msg("cannot search an empty list"));
    }
    for (i, v) in xs.iter().enumerate() {
        match v.equals(&a[1]) {
            None => return Ok(Value::unknown(Type::Number)),
            Some(true) => return Ok(Value::int(i as i64)),
            _ => {}
        }
    }
    Err(FnError::msg("item not found"))
}

fn keys(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let m = &a[0];
    let mark = m.sensitive;
    match m.ty() {
        Type::Object(attrs) => {
            Ok(Value::tuple(attrs.keys().map(|k| Value::string(k.clone())).collect()).mark(mark))
        }
        Type::Map(_) => match m.as_entries() {
            Some(e) => Ok(Value::list(
                Type::String,
                e.keys().map(|k| Value::string(k.clone())).collect(),
            )
            .mark(mark)),
            None => Ok(Value::unknown(Type::list(Type::String)).mark(mark)),
        },
        Type::Dynamic => Ok(Value::unknown(Type::Dynamic).mark(mark)),
        _ => Err(FnError::arg(0, "must have map or object type")),
    }
}

fn length(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let v = &a[0];
    let mark = v.sensitive;
    let n = match v.ty() {
        Type::Dynamic => return Ok(Value::unknown(Type::Number).mark(mark)),
        Type::Tuple(ts) => ts.len(),
        Type::Object(m) => m.len(),
        Type::String => match v.as_str() {
            Some(s) => s.graphemes(true).count(),
            None => return Ok(Value::unknown(Type::Number).mark(mark)),
        },
        Type::List(_) | Type::Set(_) | Type::Map(_) => match v.length() {
            Some(n) => n,
            None => return Ok(Value::unknown(Type::Number).mark(mark)),
        },
        _ => {
            return Err(FnError::msg(
                "argument must be a string, a collection type, or a structural type",
            ))
        }
    };
    Ok(Value::int(n as i64).mark(mark))
}

fn lookup(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    if a.len() > 3 {
        return Err(FnError::msg(format!(
            "lookup() takes two or three arguments, got {}",
            a.len()
        )));
    }
    let (m, key) = (&a[0], &a[1]);
    let default = a.get(2);
    let mark = m.sensitive || key.sensitive;
    let rt = match m.ty() {
        Type::Object(attrs) => {
            let Some(k) = key.as_str() else {
                return Ok(Value::unknown(Type::Dynamic).mark(mark));
            };
            match (attrs.get(k), default) {
                (Some(t), _) => t.clone(),
                (None, Some(d)) => d.ty(),
                (None, None) => {
                    return Err(FnError::arg(
                        0,
                        format!("the given object has no attribute {k:?}"),
                    ))
                }
            }
        }
        Type::Map(et) => {
            if let Some(d) = default {
                if convert(d, &et).is_err() {
                    return Err(FnError::arg(
                        2,
                        "the default value must have the same type as the map elements",
                    ));
                }
            }
            (*et).clone()
        }
        Type::Dynamic => return Ok(Value::unknown(Type::Dynamic).mark(mark)),
        _ => {
            return Err(FnError::arg(
                0,
                "lookup() requires a map as the first argument",
            ))
        }
    };
    let (Some(entries), Some(k)) = (m.as_entries(), key.as_str()) else {
        return Ok(Value::unknown(rt).mark(mark));
    };
    if let Some(v) = entries.get(k) {
        return Ok(v.clone().mark(mark));
    }
    match default {
        Some(d) => Ok(convert(d, &rt)
            .map_err(|e| FnError::msg(e.to_string()))?
            .mark(mark)),
        None => {
            let shown = if key.sensitive {
                "(sensitive value)".to_string()
            } else {
                format!("{k:?}")
            };
            Err(FnError::msg(format!("lookup failed to find key {shown}")))
        }
    }
}

fn matchkeys(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let t = unify(&[a[1].ty(), a[2].ty()])
        .ok_or_else(|| FnError::msg("keys and searchset must be of the same type"))?;
    let et = a[0].ty().element_type().cloned().unwrap_or(Type::Dynamic);
    if items(&a[0]).len() != items(&a[1]).len() {
        return Err(FnError::msg("length of keys and values should be equal"));
    }
    let ks = convert(&a[1], &t).map_err(|e| FnError::msg(e.to_string()))?;
    let ss = convert(&a[2], &t).map_err(|e| FnError::msg(e.to_string()))?;
    let mut out = vec![];
    for (i, k) in items(&ks).iter().enumerate() {
        if items(&ss).iter().any(|s| k.equals(s) == Some(true)) {
            out.push(items(&a[0])[i].clone());
        }
    }
    Ok(Value::list(et, out))
}

fn merge(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    if a.is_empty() {
        return Ok(Value::empty_object());
    }
    let mut first: Option<Type> = None;
    let mut matching = true;
    for v in &a {
        let t = v.ty();
        if !matches!(t, Type::Map(_) | Type::Object(_) | Type::Dynamic) {
            return Err(FnError::msg(format!(
                "arguments must be maps or objects, got {:?}",
                t.friendly_name()
            )));
        }
        let t = if v.is_null() && matches!(t, Type::Object(_)) {
            Type::Object(BTreeMap::new())
        } else {
            t
        };
        match &first {
            None => first = Some(t),
            Some(f) if *f != t => matching = false,
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    for v in &a {
        if let Some(e) = v.as_entries() {
            out.extend(e.iter().map(|(k, x)| (k.clone(), x.clone())));
        }
    }
    match first {
        Some(Type::Map(et)) if matching => Ok(Value::map(*et, out)),
        _ => Ok(Value::object(out)),
    }
}

fn one(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let bad = || {
        FnError::arg(
            0,
            "must be a list, set, or tuple value with either zero or one elements",
        )
    };
    let rt = match a[0].ty() {
        Type::List(t) | Type::Set(t) => *t,
        Type::Tuple(ts) if ts.len() <= 1 => ts.first().cloned().unwrap_or(Type::Dynamic),
        _ => return Err(bad()),
    };
    match items(&a[0]) {
        [] => Ok(Value::null_of(rt)),
        [x] => Ok(x.clone()),
        _ => Err(bad()),
    }
}

fn range(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let num = |i: usize| a[i].as_number().cloned().unwrap_or(Number::from_i64(0));
    let zero = Number::from_i64(0);
    let (start, end, step) = match a.len() {
        1 => {
            let e = num(0);
            let s = if e < zero { -1 } else { 1 };
            (zero.clone(), e, Number::from_i64(s))
        }
        2 => {
            let (s, e) = (num(0), num(1));
            let st = if e < s { -1 } else { 1 };
            (s, e, Number::from_i64(st))
        }
        3 => (num(0), num(1), num(2)),
        _ => return Err(FnError::msg("must have one, two, or three arguments")),
    };
    if step.is_zero() {
        return Err(FnError::arg(2, "step must not be zero"));
    }
    let down = step < zero;
    if down && end > start {
        return Err(FnError::arg(
            1,
            "end must be less than start when step is negative",
        ));
    }
    if !down && end < start {
        return Err(FnError::arg(
            1,
            "end must be greater than start when step is positive",
        ));
    }
    let mut vals = vec![];
    let mut n = start;
    loop {
        if (down && n <= end) || (!down && n >= end) {
            break;
        }
        if vals.len() >= 1024 {
            return Err(FnError::msg(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
            ));
        }
        let next = n.add(&step);
        vals.push(Value::number(n));
        n = next;
    }
    Ok(Value::list(Type::Number, vals))
}

fn reverse(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let t = a[0].ty();
    let mut xs = items(&a[0]).to_vec();
    xs.reverse();
    match t {
        Type::Tuple(_) => Ok(Value::tuple(xs)),
        Type::List(et) | Type::Set(et) => Ok(Value::list(*et, xs)),
        t => Err(FnError::arg(
            0,
            format!(
                "can only reverse list or tuple values, not {}",
                t.friendly_name()
            ),
        )),
    }
}

/// Convert all set arguments to one set type (cty's setOperationReturnType).
fn set_args(a: &[Value]) -> Result<(Type, Vec<Vec<Value>>), FnError> {
    let mut etys = vec![];
    for v in a {
        let et = v.ty().element_type().cloned().unwrap_or(Type::Dynamic);
        if items(v).is_empty() && et == Type::Dynamic {
            continue;
        }
        etys.push(et);
    }
    let et = if etys.is_empty() {
        Type::Dynamic
    } else {
        unify(&etys)
            .ok_or_else(|| FnError::msg("given sets must all have compatible element types"))?
    };
    let st = Type::set(et.clone());
    let mut sets = vec![];
    for (i, v) in a.iter().enumerate() {
        let c = convert(v, &st).map_err(|e| FnError::arg(i, e.to_string()))?;
        sets.push(items(&c).to_vec());
    }
    Ok((et, sets))
}

fn has(set: &[Value], v: &Value) -> bool {
    set.iter().any(|x| x.raw_eq(v))
}

fn setunion(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let (et, sets) = set_args(&a)?;
    Ok(Value::set(et, sets.concat()))
}

fn setintersection(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let (et, sets) = set_args(&a)?;
    let out = sets[0]
        .iter()
        .filter(|v| sets[1..].iter().all(|s| has(s, v)))
        .cloned()
        .collect();
    Ok(Value::set(et, out))
}

fn setsubtract(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let (et, sets) = set_args(&a)?;
    let out = sets[0]
        .iter()
        .filter(|v| !has(&sets[1], v))
        .cloned()
        .collect();
    Ok(Value::set(et, out))
}

fn setproduct(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    if a.len() < 2 {
        return Err(FnError::msg("at least two arguments are required"));
    }
    let mut lists = 0;
    let mut etys = vec![];
    for (i, v) in a.iter().enumerate() {
        match v.ty() {
            Type::Set(t) => etys.push(*t),
            Type::List(t) => {
                lists += 1;
                etys.push(*t)
            }
            Type::Tuple(ts) => {
                lists += 1;
                if ts.is_empty() {
                    etys.push(Type::Dynamic);
                } else {
                    etys.push(
                        unify(&ts).ok_or_else(|| {
                            FnError::arg(i, "all elements must be of the same type")
                        })?,
                    );
                }
            }
            _ => return Err(FnError::arg(i, "a set or a list is required")),
        }
    }
    let total = a.iter().fold(1usize, |n, v| {
        n.saturating_mul(v.as_seq().map(|x| x.len()).unwrap_or(0))
    });
    if total > super::MAX_ELEMENTS {
        return Err(FnError::msg(format!(
            "the product would have more than {} elements",
            super::MAX_ELEMENTS
        )));
    }
    let mut prod: Vec<Vec<Value>> = vec![vec![]];
    for (v, t) in a.iter().zip(&etys) {
        let mut next = vec![];
        for p in &prod {
            for x in items(v) {
                let x = convert(x, t).map_err(|e| FnError::msg(e.to_string()))?;
                let mut q = p.clone();
                q.push(x);
                next.push(q);
            }
        }
        prod = next;
    }
    let ety = Type::Tuple(etys);
    let vals: Vec<Value> = prod.into_iter().map(Value::tuple).collect();
    if lists == a.len() {
        Ok(Value::list(ety, vals))
    } else {
        Ok(Value::set(ety, vals))
    }
}

fn slice(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let t = a[0].ty();
    if matches!(t, Type::Set(_)) {
        return Err(FnError::arg(0, "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important"));
    }
    if !is_list_like(&t) {
        return Err(FnError::arg(0, "must be a list or tuple value"));
    }
    let xs = items(&a[0]);
    let len = xs.len() as i64;
    let start = whole(&a[1]).map_err(|e| FnError::arg(1, format!("invalid start index: {e}")))?;
    if start < 0 {
        return Err(FnError::arg(1, "start index must not be less than zero"));
    }
    if start > len {
        return Err(FnError::arg(
            1,
            "start index must not be greater than the length of the list",
        ));
    }
    let end = whole(&a[2]).map_err(|e| FnError::arg(2, format!("invalid end index: {e}")))?;
    if end < 0 {
        return Err(FnError::arg(2, "end index must not be less than zero"));
    }
    if end > len {
        return Err(FnError::arg(
            2,
            "end index must not be greater than the length of the list",
        ));
    }
    if start > end {
        return Err(FnError::arg(
            1,
            "start index must not be greater than end index",
        ));
    }
    let out = xs[start as usize..end as usize].to_vec();
    match t {
        Type::List(et) => Ok(Value::list(*et, out)),
        _ => Ok(Value::tuple(out)),
    }
}

fn sort(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let mut xs = vec![];
    for (i, v) in items(&a[0]).iter().enumerate() {
        match v.as_str() {
            Some(s) => xs.push(s.to_string()),
            None => {
                return Err(FnError::msg(format!(
                    "given list element {i} is null; a null string cannot be sorted"
                )))
            }
        }
    }
    xs.sort();
    Ok(Value::list(
        Type::String,
        xs.into_iter().map(Value::string).collect(),
    ))
}

fn sum(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let t = a[0].ty();
    if !matches!(
        t,
        Type::List(_) | Type::Set(_) | Type::Tuple(_) | Type::Map(_) | Type::Object(_)
    ) {
        return Err(FnError::arg(0, "cannot sum noniterable"));
    }
    if a[0].length() == Some(0) {
        return Err(FnError::arg(0, "cannot sum an empty list"));
    }
    if !matches!(t, Type::List(_) | Type::Set(_) | Type::Tuple(_)) {
        return Err(FnError::arg(
            0,
            format!(
                "argument must be list, set, or tuple. Received {}",
                t.friendly_name()
            ),
        ));
    }
    let bad = || FnError::arg(0, "argument must be list, set, or tuple of number values");
    let mut acc: Option<Number> = None;
    for v in items(&a[0]) {
        if v.is_null() {
            return Err(bad());
        }
        let n = convert(v, &Type::Number).map_err(|_| bad())?;
        let n = n.as_number().ok_or_else(bad)?.clone();
        acc = Some(match acc {
            None => n,
            Some(s) => {
                if s.is_infinite() && n.is_infinite() && s.is_negative() != n.is_negative() {
                    return Err(FnError::msg("can't compute sum of opposing infinities"));
                }
                s.add(&n)
            }
        });
    }
    Ok(Value::number(acc.unwrap_or(Number::from_i64(0))))
}

fn transpose(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let mut tmp: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, l) in a[0].as_entries().cloned().unwrap_or_default() {
        if l.is_null() {
            return Err(FnError::msg("input must not contain null list"));
        }
        for v in items(&l) {
            let Some(s) = v.as_str() else {
                return Err(FnError::msg("input list must not contain null string"));
            };
            tmp.entry(s.to_string()).or_default().push(k.clone());
        }
    }
    let out = tmp
        .into_iter()
        .map(|(k, mut v)| {
            v.sort();
            (
                k,
                Value::list(Type::String, v.into_iter().map(Value::string).collect()),
            )
        })
        .collect();
    Ok(Value::map(Type::list(Type::String), out))
}

fn values(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let vals: Vec<Value> = a[0]
        .as_entries()
        .map(|e| e.values().cloned().collect())
        .unwrap_or_default();
    match a[0].ty() {
        Type::Map(et) => Ok(Value::list(*et, vals)),
        Type::Object(_) => Ok(Value::tuple(vals)),
        _ => Err(FnError::msg(
            "values() requires a map as the first argument",
        )),
    }
}

fn zipmap(_: &FnCtx, a: Vec<Value>) -> Result<Value, FnError> {
    let ks = items(&a[0]);
    let vt = a[1].ty();
    if !is_list_like(&vt) {
        return Err(FnError::msg(
            "values argument must be a list or tuple value",
        ));
    }
    let vs = items(&a[1]);
    if ks.len() != vs.len() {
        return Err(FnError::msg(format!(
            "number of keys ({}) does not match number of values ({})",
            ks.len(),
            vs.len()
        )));
    }
    let mut out = BTreeMap::new();
    for (i, (k, v)) in ks.iter().zip(vs).enumerate() {
        let Some(k) = k.as_str() else {
            return Err(FnError::msg(format!(
                "keys list has null value at index {i}"
            )));
        };
        out.insert(k.to_string(), v.clone());
    }
    match vt {
        Type::List(et) => Ok(Value::map(*et, out)),
        _ => Ok(Value::object(out)),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::lang::funcs::{call, FnCtx, FnError};
    use crate::lang::json::{from_json_str, to_json_string_plain};
    use crate::lang::number::Number;
    use crate::lang::types::Type;
    use crate::lang::value::Value;

    /// A value from JSON (arrays → tuples, objects → objects).
    fn v(j: &str) -> Value {
        from_json_str(j).unwrap()
    }
    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn n(x: f64) -> Value {
        Value::number(Number::from_f64(x).unwrap())
    }
    fn ls(xs: &[&str]) -> Value {
        Value::list(Type::String, xs.iter().map(|x| s(x)).collect())
    }
    fn ln(xs: &[f64]) -> Value {
        Value::list(Type::Number, xs.iter().map(|x| n(*x)).collect())
    }
    fn set(xs: &[&str]) -> Value {
        Value::set(Type::String, xs.iter().map(|x| s(x)).collect())
    }
    fn map(kv: &[(&str, Value)]) -> Value {
        let m: BTreeMap<String, Value> =
            kv.iter().map(|(k, x)| (k.to_string(), x.clone())).collect();
        let t = m.values().next().map(|x| x.ty()).unwrap_or(Type::Dynamic);
        Value::map(t, m)
    }
    fn c(name: &str, args: Vec<Value>) -> Result<Value, FnError> {
        call(&FnCtx::default(), name, args)
    }
    fn r(name: &str, args: Vec<Value>) -> Value {
        c(name, args).unwrap()
    }
    fn j(name: &str, args: Vec<Value>) -> String {
        to_json_string_plain(&r(name, args))
    }
    fn e(name: &str, args: Vec<Value>) -> String {
        c(name, args).unwrap_err().to_string()
    }
    fn unk() -> Value {
        Value::unknown(Type::Dynamic)
    }

    #[test]
    fn setproduct_size_is_capped() {
        let r: Vec<Value> = (0..1000).map(|i| n(i as f64)).collect();
        let l = Value::tuple(r);
        assert!(e("setproduct", vec![l.clone(), l.clone(), l]).contains("more than"));
    }

    #[test]
    fn alltrue_anytrue() {
        assert_eq!(j("alltrue", vec![v("[true, true]")]), "true");
        assert_eq!(j("alltrue", vec![v("[]")]), "true");
        assert_eq!(j("alltrue", vec![v(r#"["true", true]"#)]), "true");
        assert_eq!(j("alltrue", vec![v("[null]")]), "false");
        let with_unknown = Value::list(
            Type::Bool,
            vec![Value::bool(false), Value::unknown(Type::Bool)],
        );
        assert_eq!(j("alltrue", vec![with_unknown.clone()]), "false");
        assert!(!r("anytrue", vec![with_unknown]).is_known());
        assert_eq!(j("anytrue", vec![v("[false, true]")]), "true");
        assert_eq!(j("anytrue", vec![v("[]")]), "false");
        assert!(e("alltrue", vec![v("[1]")]).contains("bool"));
    }

    #[test]
    fn chunklist_cases() {
        let r5 = ln(&[0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(j("chunklist", vec![r5, n(2.0)]), "[[0,1],[2,3],[4]]");
        let ab = ls(&["a", "b"]);
        assert_eq!(j("chunklist", vec![ab.clone(), n(0.0)]), r#"[["a","b"]]"#);
        assert_eq!(
            e("chunklist", vec![ab, n(-1.0)]),
            "the size argument must be positive"
        );
        let empty = r("chunklist", vec![v("[]"), n(2.0)]);
        assert_eq!(empty.ty(), Type::list(Type::list(Type::Dynamic)));
    }

    #[test]
    fn coalesce_cases() {
        assert_eq!(j("coalesce", vec![s(""), s("first")]), r#""first""#);
        assert_eq!(j("coalesce", vec![n(1.0), s("x")]), r#""1""#);
        assert_eq!(j("coalesce", vec![Value::null(), n(2.0)]), "2");
        assert_eq!(j("coalesce", vec![v("[]"), v(r#"["a"]"#)]), "[]");
        assert_eq!(
            e("coalesce", vec![s(""), Value::null()]),
            "no non-null, non-empty-string arguments"
        );
        assert_eq!(
            e("coalesce", vec![n(1.0), v("[1]")]),
            "all arguments must have the same type"
        );
        assert!(!r("coalesce", vec![unk(), s("a")]).is_known());
        assert_eq!(j("coalescelist", vec![v("[]"), v(r#"["x"]"#)]), r#"["x"]"#);
        let null_list = Value::null_of(Type::list(Type::String));
        assert_eq!(
            j("coalescelist", vec![null_list, v(r#"["a"]"#)]),
            r#"["a"]"#
        );
        assert_eq!(
            e("coalescelist", vec![s("a")]),
            "coalescelist arguments must be lists or tuples"
        );
        assert_eq!(
            e("coalescelist", vec![v("[]"), v("[]")]),
            "no non-null arguments"
        );
        assert_eq!(
            e("coalescelist", vec![]),
            "at least one argument is required"
        );
    }

    #[test]
    fn compact_concat() {
        let l = v(r#"["delta", "alpha", "charlie", "alpha", ""]"#);
        assert_eq!(
            j("compact", vec![l]),
            r#"["delta","alpha","charlie","alpha"]"#
        );
        assert_eq!(j("compact", vec![v(r#"["a", null, ""]"#)]), r#"["a"]"#);
        let r1 = r(
            "concat",
            vec![v(r#"["a", ""]"#), v(r#"["b", "c"]"#), v("[]")],
        );
        assert_eq!(to_json_string_plain(&r1), r#"["a","","b","c"]"#);
        let mixed = r("concat", vec![v("[1, 2]"), v(r#"["x"]"#), v("[true]")]);
        assert_eq!(to_json_string_plain(&mixed), r#"[1,2,"x",true]"#);
        assert!(matches!(mixed.ty(), Type::Tuple(_)));
        let lists = r("concat", vec![ls(&["a"]), ln(&[1.0])]);
        assert_eq!(lists.ty(), Type::list(Type::String));
        assert_eq!(to_json_string_plain(&lists), r#"["a","1"]"#);
        assert_eq!(
            e("concat", vec![set(&["a"])]),
            "all arguments must be lists or tuples; got set of string"
        );
        assert_eq!(e("concat", vec![]), "at least one argument is required");
        let marked = r("concat", vec![ls(&["a"]).mark(true), ls(&["b"])]);
        assert!(marked.sensitive);
    }

    #[test]
    fn contains_distinct_index() {
        let l = v(r#"["delta", "alpha", "charlie", "alpha", ""]"#);
        assert_eq!(j("contains", vec![l.clone(), s("charlie")]), "true");
        assert_eq!(j("contains", vec![v("[1, 2, 3]"), s("2")]), "false");
        assert_eq!(j("contains", vec![set(&["x", "y"]), s("y")]), "true");
        let objs = v(r#"[{"name":"a","public":true},{"name":"b","public":false}]"#);
        assert_eq!(
            j("contains", vec![objs, v(r#"{"name":"a","public":true}"#)]),
            "true"
        );
        assert_eq!(
            e("contains", vec![s("x"), s("x")]),
            "argument must be list, tuple, or set"
        );
        assert_eq!(
            j("distinct", vec![l.clone()]),
            r#"["delta","alpha","charlie",""]"#
        );
        assert_eq!(j("distinct", vec![v("[3, 1, 3, 2, 1]")]), "[3,1,2]");
        assert_eq!(j("distinct", vec![v(r#"[1, "1"]"#)]), r#"["1"]"#);
        assert_eq!(j("distinct", vec![v("[[1], [1], [2]]")]), "[[1],[2]]");
        assert_eq!(j("index", vec![l, s("alpha")]), "1");
        assert_eq!(j("index", vec![v("[10, 20, 30]"), n(30.0)]), "2");
        assert_eq!(
            e("index", vec![v("[]"), s("a")]),
            "cannot search an empty list"
        );
        assert_eq!(e("index", vec![v(r#"["a"]"#), s("b")]), "item not found");
    }

    #[test]
    fn element_cases() {
        let l = v(r#"["a", "b", "c"]"#);
        assert_eq!(j("element", vec![l.clone(), n(1.0)]), r#""b""#);
        assert_eq!(j("element", vec![l.clone(), n(5.0)]), r#""c""#);
        assert_eq!(
            e("element", vec![l, n(-1.0)]),
            "cannot use element function with a negative index"
        );
        assert_eq!(
            e("element", vec![v("[]"), n(0.0)]),
            "cannot use element function with an empty list"
        );
        assert_eq!(
            e("element", vec![set(&["a"]), n(0.0)]),
            "cannot read elements from set of string"
        );
        let sens = r("element", vec![ls(&["a"]).mark(true), n(0.0)]);
        assert!(sens.sensitive);
    }

    #[test]
    fn flatten_cases() {
        assert_eq!(j("flatten", vec![v("[[1], [[2, 3]]]")]), "[1,2,3]");
        let nested = v(r#"[["a", "b"], [], ["c", ["d", ["e"]]]]"#);
        assert_eq!(j("flatten", vec![nested]), r#"["a","b","c","d","e"]"#);
        assert_eq!(j("flatten", vec![v("[[], [[]], []]")]), "[]");
        let with_set = Value::tuple(vec![v(r#"["a"]"#), set(&["b"]), v(r#"[["c", null]]"#)]);
        assert_eq!(j("flatten", vec![with_set]), r#"["a","b","c",null]"#);
        assert_eq!(
            e("flatten", vec![s("x")]),
            "can only flatten lists, sets and tuples"
        );
    }

    #[test]
    fn keys_values_length() {
        let m = v(r#"{"zeta": 26, "alpha": 1, "mid": 13}"#);
        assert_eq!(j("keys", vec![m.clone()]), r#"["alpha","mid","zeta"]"#);
        assert_eq!(r("keys", vec![v("{}")]).ty(), Type::Tuple(vec![]));
        let mm = map(&[("b", n(1.0)), ("a", n(2.0))]);
        assert_eq!(r("keys", vec![mm.clone()]).ty(), Type::list(Type::String));
        assert_eq!(j("keys", vec![mm.clone()]), r#"["a","b"]"#);
        assert!(r("keys", vec![mm.clone().mark(true)]).sensitive);
        assert!(!r("keys", vec![Value::unknown(Type::map(Type::String))]).is_known());
        assert_eq!(e("keys", vec![s("x")]), "must have map or object type");
        assert_eq!(j("values", vec![m]), "[1,13,26]");
        assert_eq!(
            j("values", vec![v(r#"{"b": 1, "a": "x", "c": []}"#)]),
            r#"["x",1,[]]"#
        );
        assert_eq!(r("values", vec![mm]).ty(), Type::list(Type::Number));
        assert_eq!(
            e("values", vec![s("x")]),
            "values() requires a map as the first argument"
        );
        assert_eq!(j("length", vec![v("[1, 2, 3]")]), "3");
        assert_eq!(j("length", vec![v(r#"{"a":1,"b":2}"#)]), "2");
        assert_eq!(j("length", vec![s("four")]), "4");
        assert_eq!(j("length", vec![s("e\u{301}")]), "1");
        assert_eq!(j("length", vec![s("👨‍👩‍👧")]), "1");
        assert_eq!(j("length", vec![set(&["x", "y"])]), "2");
        assert_eq!(
            e("length", vec![Value::null()]),
            "argument must not be null"
        );
        assert_eq!(
            e("length", vec![n(1.0)]),
            "argument must be a string, a collection type, or a structural type"
        );
        assert!(!r("length", vec![Value::unknown(Type::list(Type::String))]).is_known());
        assert_eq!(j("length", vec![Value::tuple(vec![unk(), unk()])]), "2");
        assert!(r("length", vec![s("ab").mark(true)]).sensitive);
    }

    #[test]
    fn lookup_cases() {
        let m = v(r#"{"a": 1, "c": 3}"#);
        assert_eq!(j("lookup", vec![m.clone(), s("c"), n(0.0)]), "3");
        assert_eq!(j("lookup", vec![m.clone(), s("b"), s("x")]), r#""x""#);
        assert_eq!(
            e("lookup", vec![m.clone(), s("b")]),
            "the given object has no attribute \"b\""
        );
        let mm = map(&[("a", n(1.0))]);
        assert_eq!(j("lookup", vec![mm.clone(), s("b"), s("7")]), "7");
        assert_eq!(
            e("lookup", vec![mm.clone(), s("b"), s("x")]),
            "the default value must have the same type as the map elements"
        );
        assert_eq!(
            e("lookup", vec![mm.clone(), s("b")]),
            "lookup failed to find key \"b\""
        );
        assert!(e("lookup", vec![m.clone(), s("a"), s("x"), s("y")]).contains("two or three"));
        assert!(r("lookup", vec![mm.mark(true), s("a")]).sensitive);
        assert!(!r("lookup", vec![m, Value::unknown(Type::String)]).is_known());
        assert_eq!(
            e("lookup", vec![s("x"), s("a")]),
            "lookup() requires a map as the first argument"
        );
    }

    #[test]
    fn matchkeys_merge() {
        let r1 = j(
            "matchkeys",
            vec![ls(&["x", "y", "z"]), ls(&["1", "2", "1"]), ls(&["1"])],
        );
        assert_eq!(r1, r#"["x","z"]"#);
        assert_eq!(
            j(
                "matchkeys",
                vec![ls(&["a", "b"]), ls(&["1", "2"]), ln(&[1.0])]
            ),
            r#"["a"]"#
        );
        assert_eq!(
            e("matchkeys", vec![ls(&["a", "b"]), ls(&["1"]), ls(&["1"])]),
            "length of keys and values should be equal"
        );
        let m = r(
            "merge",
            vec![
                v(r#"{"a":1,"b":2}"#),
                v(r#"{"b":3,"c":4}"#),
                v(r#"{"c":5}"#),
            ],
        );
        assert_eq!(to_json_string_plain(&m), r#"{"a":1,"b":3,"c":5}"#);
        assert!(matches!(m.ty(), Type::Object(_)));
        assert_eq!(j("merge", vec![]), "{}");
        let o = j(
            "merge",
            vec![v(r#"{"a":1}"#), Value::null(), v(r#"{"b":"x"}"#)],
        );
        assert_eq!(o, r#"{"a":1,"b":"x"}"#);
        let mm = r("merge", vec![map(&[("a", n(1.0))]), map(&[("b", n(2.0))])]);
        assert_eq!(mm.ty(), Type::map(Type::Number));
        let mo = r("merge", vec![map(&[("a", n(1.0))]), map(&[("b", s("x"))])]);
        assert!(matches!(mo.ty(), Type::Object(_)));
        assert_eq!(
            e("merge", vec![v(r#"{"a":1}"#), s("x")]),
            "arguments must be maps or objects, got \"string\""
        );
        assert!(r("merge", vec![v(r#"{"a":1}"#).mark(true)]).sensitive);
    }

    #[test]
    fn one_range_reverse() {
        assert!(r("one", vec![v("[]")]).is_null());
        assert_eq!(j("one", vec![v(r#"["a"]"#)]), r#""a""#);
        assert_eq!(j("one", vec![set(&["a"])]), r#""a""#);
        assert_eq!(r("one", vec![ls(&[])]).ty(), Type::String);
        assert!(e("one", vec![v(r#"["a", "b"]"#)]).contains("either zero or one"));
        assert_eq!(j("range", vec![n(3.0)]), "[0,1,2]");
        assert_eq!(j("range", vec![n(-3.0)]), "[0,-1,-2]");
        assert_eq!(j("range", vec![n(2.0), n(10.0), n(3.0)]), "[2,5,8]");
        assert_eq!(
            j("range", vec![n(1.0), n(2.0), n(0.25)]),
            "[1,1.25,1.5,1.75]"
        );
        assert_eq!(j("range", vec![n(0.0)]), "[]");
        assert_eq!(j("range", vec![n(1.5)]), "[0,1]");
        assert_eq!(
            e("range", vec![n(5.0), n(1.0), n(1.0)]),
            "end must be greater than start when step is positive"
        );
        assert_eq!(
            e("range", vec![n(1.0), n(3.0), n(0.0)]),
            "step must not be zero"
        );
        assert!(e("range", vec![n(0.0), n(2000.0)]).starts_with("more than 1024 values"));
        assert_eq!(e("range", vec![]), "must have one, two, or three arguments");
        assert_eq!(
            j("reverse", vec![v(r#"["x", "y", "z"]"#)]),
            r#"["z","y","x"]"#
        );
        assert_eq!(
            r("reverse", vec![set(&["b", "a"])]).ty(),
            Type::list(Type::String)
        );
        assert_eq!(j("reverse", vec![set(&["b", "a"])]), r#"["b","a"]"#);
        assert!(e("reverse", vec![s("x")]).starts_with("can only reverse list or tuple values"));
    }

    #[test]
    fn set_functions() {
        assert_eq!(
            j(
                "setintersection",
                vec![v(r#"["a","b"]"#), v(r#"["b","c"]"#)]
            ),
            r#"["b"]"#
        );
        let abc = v(r#"["a","b","c"]"#);
        let i3 = j(
            "setintersection",
            vec![abc.clone(), v(r#"["b","c","d"]"#), v(r#"["c","b"]"#)],
        );
        assert_eq!(i3, r#"["b","c"]"#);
        assert_eq!(
            j("setsubtract", vec![abc.clone(), v(r#"["a","c"]"#)]),
            r#"["b"]"#
        );
        assert_eq!(
            j("setsubtract", vec![v("[1,2,3,10,20]"), v("[2]")]),
            "[1,3,10,20]"
        );
        assert_eq!(
            j(
                "setunion",
                vec![v(r#"["a","b"]"#), v(r#"["b","c"]"#), v(r#"["d"]"#)]
            ),
            r#"["a","b","c","d"]"#
        );
        assert_eq!(j("setunion", vec![v("[10, 2]"), v("[1, 2]")]), "[1,2,10]");
        let u = r("setunion", vec![v(r#"["a"]"#), v("[1]")]);
        assert_eq!(u.ty(), Type::set(Type::String));
        assert_eq!(to_json_string_plain(&u), r#"["1","a"]"#);
        assert_eq!(
            r("setunion", vec![v("[]"), v("[]")]).ty(),
            Type::set(Type::Dynamic)
        );
        assert_eq!(
            r("setsubtract", vec![v("[]"), v(r#"["a"]"#)]).ty(),
            Type::set(Type::String)
        );
        let p = r(
            "setproduct",
            vec![v(r#"["development","staging"]"#), v(r#"["app1","app2"]"#)],
        );
        assert_eq!(
            to_json_string_plain(&p),
            r#"[["development","app1"],["development","app2"],["staging","app1"],["staging","app2"]]"#
        );
        assert!(matches!(p.ty(), Type::List(_)));
        let p3 = j(
            "setproduct",
            vec![v(r#"["a"]"#), v(r#"["x","y"]"#), v("[1,2]")],
        );
        assert_eq!(p3, r#"[["a","x",1],["a","x",2],["a","y",1],["a","y",2]]"#);
        assert_eq!(j("setproduct", vec![v(r#"["a"]"#), v("[]")]), "[]");
        let ps = r("setproduct", vec![set(&["b", "a"]), v("[1]")]);
        assert!(matches!(ps.ty(), Type::Set(_)));
        assert_eq!(to_json_string_plain(&ps), r#"[["a",1],["b",1]]"#);
        assert_eq!(
            j("setproduct", vec![v(r#"["a"]"#), v(r#"[1,"x"]"#)]),
            r#"[["a","1"],["a","x"]]"#
        );
        assert_eq!(
            e("setproduct", vec![v(r#"["a"]"#)]),
            "at least two arguments are required"
        );
    }

    #[test]
    fn slice_sort_sum() {
        let l = v(r#"["delta", "alpha", "charlie", "alpha", ""]"#);
        assert_eq!(
            j("slice", vec![l.clone(), n(1.0), n(3.0)]),
            r#"["alpha","charlie"]"#
        );
        assert_eq!(
            r("slice", vec![ls(&["a", "b"]), n(0.0), n(1.0)]).ty(),
            Type::list(Type::String)
        );
        let l3 = v("[1,2,3]");
        assert_eq!(
            e("slice", vec![l3.clone(), n(-1.0), n(2.0)]),
            "start index must not be less than zero"
        );
        assert_eq!(
            e("slice", vec![l3.clone(), n(2.0), n(1.0)]),
            "start index must not be greater than end index"
        );
        assert_eq!(
            e("slice", vec![l3, n(0.0), n(4.0)]),
            "end index must not be greater than the length of the list"
        );
        assert!(e("slice", vec![set(&["a"]), n(0.0), n(1.0)]).starts_with("cannot slice a set"));
        assert_eq!(
            e("slice", vec![s("x"), n(0.0), n(1.0)]),
            "must be a list or tuple value"
        );
        assert_eq!(
            j("sort", vec![l]),
            r#"["","alpha","alpha","charlie","delta"]"#
        );
        assert_eq!(j("sort", vec![v("[3, 1, 10]")]), r#"["1","10","3"]"#);
        assert_eq!(
            j("sort", vec![v(r#"["b", "á", "a", "Z", "é"]"#)]),
            r#"["Z","a","b","á","é"]"#
        );
        assert_eq!(
            e("sort", vec![v(r#"["b", null]"#)]),
            "given list element 1 is null; a null string cannot be sorted"
        );
        assert_eq!(j("sum", vec![v("[1.5, 2.5]")]), "4");
        assert_eq!(
            j("sum", vec![Value::set(Type::Number, vec![n(1.0), n(2.0)])]),
            "3"
        );
        assert_eq!(j("sum", vec![v(r#"["1", 2]"#)]), "3");
        assert_eq!(e("sum", vec![v("[]")]), "cannot sum an empty list");
        assert_eq!(e("sum", vec![s("x")]), "cannot sum noniterable");
        assert_eq!(
            e("sum", vec![v(r#"{"a":1}"#)]),
            "argument must be list, set, or tuple. Received object"
        );
        assert_eq!(
            e("sum", vec![v("[1, null]")]),
            "argument must be list, set, or tuple of number values"
        );
    }

    #[test]
    fn transpose_zipmap() {
        let t = j("transpose", vec![v(r#"{"a":["x","y"],"b":["x"]}"#)]);
        assert_eq!(t, r#"{"x":["a","b"],"y":["a"]}"#);
        assert_eq!(
            e("transpose", vec![v(r#"{"a":[null]}"#)]),
            "input list must not contain null string"
        );
        assert_eq!(
            j("zipmap", vec![ls(&["k1", "k2"]), ls(&["v1", "v2"])]),
            r#"{"k1":"v1","k2":"v2"}"#
        );
        let o = r("zipmap", vec![ls(&["a", "b"]), v(r#"[1, "x"]"#)]);
        assert!(matches!(o.ty(), Type::Object(_)));
        assert_eq!(
            r("zipmap", vec![ls(&["a"]), ln(&[1.0])]).ty(),
            Type::map(Type::Number)
        );
        assert_eq!(
            j("zipmap", vec![ls(&["a", "a"]), v("[1, 2]")]),
            r#"{"a":2}"#
        );
        assert_eq!(
            e("zipmap", vec![ls(&["a"]), v("[1, 2]")]),
            "number of keys (1) does not match number of values (2)"
        );
        assert_eq!(
            e("zipmap", vec![ls(&["a"]), s("x")]),
            "values argument must be a list or tuple value"
        );
    }
}
