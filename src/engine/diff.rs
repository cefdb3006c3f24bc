//! The generic diff: from a resource's schema, its prior object and its
//! configuration, the proposed new object (configured values, computed
//! values kept or unknown) and the paths whose change forces replacement.

use std::collections::BTreeMap;

use crate::config::resource::IgnoreChanges;
use crate::lang::types::Type;
use crate::lang::value::{Kind, Value};
use crate::plan::PathStep;
use crate::providers::{BlockNesting, Schema};

pub struct Proposed {
    pub value: Value,
    pub replace_paths: Vec<Vec<PathStep>>,
}

fn get(v: Option<&Value>, name: &str) -> Option<Value> {
    v.and_then(|v| v.as_entries())
        .and_then(|m| m.get(name).cloned())
}

/// Values equal for planning purposes (marks ignored; unknown ≠ anything).
pub fn same(a: &Value, b: &Value) -> bool {
    if !a.is_wholly_known() || !b.is_wholly_known() {
        return false;
    }
    let a = a.clone().unmark_deep();
    let b = b.clone().unmark_deep();
    if a.raw_eq(&b) {
        return true;
    }
    // Compare by JSON form so that e.g. a tuple and a list with equal
    // elements, or null vs empty dynamic, compare equal.
    crate::lang::json::to_json_string(&a) == crate::lang::json::to_json_string(&b)
}

/// Apply `ignore_changes`: configured values of ignored attributes are
/// replaced by the prior ones.
pub fn apply_ignore_changes(
    ic: &IgnoreChanges,
    prior: Option<&Value>,
    config: Value,
    schema: &Schema,
) -> Value {
    let Some(prior) = prior else { return config };
    let Some(cm) = config.as_entries() else {
        return config;
    };
    let mut m = cm.clone();
    match ic {
        IgnoreChanges::None => return config,
        IgnoreChanges::All => {
            for (k, v) in m.iter_mut() {
                let configurable = schema
                    .attributes
                    .get(k.as_str())
                    .map(|a| a.required || a.optional)
                    .unwrap_or(true);
                if configurable {
                    if let Some(p) = get(Some(prior), k) {
                        *v = p;
                    }
                }
            }
        }
        IgnoreChanges::Paths(paths) => {
            for p in paths {
                let name = p.split(['.', '[']).next().unwrap_or("");
                if let (Some(slot), Some(pv)) = (m.get_mut(name), get(Some(prior), name)) {
                    *slot = pv;
                }
            }
        }
    }
    Value::object(m).mark(config.sensitive)
}

/// Propose the new object for `config` given `prior` (None = create).
pub fn propose(schema: &Schema, prior: Option<&Value>, config: &Value) -> Proposed {
    let mut replace = vec![];
    let value = propose_obj(schema, prior, config, &mut vec![], &mut replace);
    Proposed {
        value,
        replace_paths: replace,
    }
}

fn propose_obj(
    schema: &Schema,
    prior: Option<&Value>,
    config: &Value,
    path: &mut Vec<PathStep>,
    replace: &mut Vec<Vec<PathStep>>,
) -> Value {
    let prior = prior.filter(|p| !p.is_null() && p.is_known());
    let mut out = BTreeMap::new();
    for (name, sa) in &schema.attributes {
        let cfg = get(Some(config), name).unwrap_or_else(|| Value::null_of(sa.ty.clone()));
        let pri = get(prior, name);
        let mut v = if !cfg.is_null() {
            cfg
        } else if sa.computed {
            match &pri {
                Some(p) if prior.is_some() => p.clone(),
                _ => Value::unknown(sa.ty.clone()),
            }
        } else {
            cfg
        };
        if sa.sensitive {
            v = v.mark(true);
        }
        if sa.force_new && prior.is_some() {
            let p = pri.clone().unwrap_or_else(Value::null);
            if !(same(&v, &p) || (v.is_null() && p.is_null())) {
                path.push(PathStep::Attr(name.to_string()));
                replace.push(path.clone());
                path.pop();
            }
        }
        out.insert(name.to_string(), v);
    }
    for (name, nb) in &schema.blocks {
        let cfg = get(Some(config), name);
        let pri = get(prior, name);
        path.push(PathStep::Attr(name.to_string()));
        let ty = nb.block.value_type();
        let v = match (nb.nesting, cfg) {
            (_, None) => Value::null_of(ty),
            // "Attributes as blocks" left out: optional and computed, so
            // the prior value stays (unknown on create).
            (_, Some(c)) if nb.as_attr && c.is_null() => match &pri {
                Some(p) if prior.is_some() => p.clone(),
                _ => Value::unknown(Schema::block_attr_type(nb)),
            },
            (_, Some(c)) if !c.is_known() => c,
            (BlockNesting::Single, Some(c)) => {
                if c.is_null() {
                    c
                } else {
                    propose_obj(&nb.block, pri.as_ref(), &c, path, replace)
                }
            }
            (BlockNesting::List, Some(c)) | (BlockNesting::Set, Some(c)) => {
                let items = c.as_seq().map(|s| s.to_vec()).unwrap_or_default();
                let prior_items: Vec<Value> = pri
                    .as_ref()
                    .and_then(|p| p.as_seq())
                    .map(|s| s.to_vec())
                    .unwrap_or_default();
                let mut outs = vec![];
                for (i, it) in items.iter().enumerate() {
                    // Match set elements by their configured fields; list elements by index.
                    let pmatch = if nb.nesting == BlockNesting::Set {
                        prior_items
                            .iter()
                            .find(|p| config_fields_equal(&nb.block, p, it))
                            .cloned()
                    } else {
                        prior_items.get(i).cloned()
                    };
                    path.push(PathStep::Index(i as i64));
                    outs.push(propose_obj(
                        &nb.block,
                        pmatch.as_ref(),
                        it,
                        path,
                        &mut vec![],
                    ));
                    path.pop();
                }
                if nb.nesting == BlockNesting::Set {
                    Value::set(ty, outs)
                } else {
                    Value::list(ty, outs)
                }
            }
        };
        if nb.force_new && prior.is_some() {
            let p = pri.clone().unwrap_or_else(Value::null);
            if !same(&v, &p) {
                replace.push(path.clone());
            }
        }
        path.pop();
        out.insert(name.to_string(), v);
    }
    Value::object(out)
}

fn config_fields_equal(schema: &Schema, prior: &Value, config: &Value) -> bool {
    schema
        .attributes
        .iter()
        .filter(|(_, a)| a.required || a.optional)
        .all(|(n, a)| {
            let c = get(Some(config), n).unwrap_or_else(Value::null);
            let p = get(Some(prior), n).unwrap_or_else(Value::null);
            (a.computed && c.is_null()) || same(&c, &p) || (c.is_null() && p.is_null())
        })
}

/// Give a value read from a provider or state the schema's shape: missing
/// attributes become null, schema-sensitive attributes are marked.
pub fn normalize(schema: &Schema, v: &Value) -> Value {
    let Some(m) = v.as_entries() else {
        return v.clone();
    };
    let mut out = BTreeMap::new();
    for (name, sa) in &schema.attributes {
        let mut x = m
            .get(*name)
            .cloned()
            .unwrap_or_else(|| Value::null_of(sa.ty.clone()));
        if sa.ty != Type::Dynamic && x.is_known() {
            x = crate::lang::convert::convert(&x, &sa.ty).unwrap_or(x);
        }
        if sa.sensitive {
            x = x.mark(true);
        }
        out.insert(name.to_string(), x);
    }
    for (name, nb) in &schema.blocks {
        let ty = nb.block.value_type();
        let x = m
            .get(*name)
            .cloned()
            .unwrap_or_else(|| Value::null_of(ty.clone()));
        let x = match (&x.kind, nb.nesting) {
            (Kind::Object(_), BlockNesting::Single) => normalize(&nb.block, &x),
            (Kind::List(_, xs) | Kind::Tuple(xs), BlockNesting::List) => {
                Value::list(ty, xs.iter().map(|e| normalize(&nb.block, e)).collect())
            }
            (Kind::List(_, xs) | Kind::Tuple(xs) | Kind::Set(_, xs), BlockNesting::Set) => {
                Value::set(ty, xs.iter().map(|e| normalize(&nb.block, e)).collect())
            }
            (Kind::Set(_, xs), BlockNesting::List) => {
                Value::list(ty, xs.iter().map(|e| normalize(&nb.block, e)).collect())
            }
            (Kind::Null(_), BlockNesting::List) => Value::list(ty, vec![]),
            (Kind::Null(_), BlockNesting::Set) => Value::set(ty, vec![]),
            _ => x,
        };
        out.insert(name.to_string(), x);
    }
    Value::object(out)
}

/// Put the sensitive marks of `from` (a planned value) onto the same paths of
/// `to` (the object a provider returned, which carries no marks).
pub fn copy_marks(from: &Value, to: Value) -> Value {
    let sensitive = to.sensitive || from.sensitive;
    let kind = match (&from.kind, to.kind) {
        (Kind::Object(fm), Kind::Object(tm)) => Kind::Object(
            tm.into_iter()
                .map(|(k, v)| {
                    let v = match fm.get(&k) {
                        Some(f) => copy_marks(f, v),
                        None => v,
                    };
                    (k, v)
                })
                .collect(),
        ),
        (Kind::Map(_, fm), Kind::Map(t, tm)) => Kind::Map(
            t,
            tm.into_iter()
                .map(|(k, v)| {
                    let v = match fm.get(&k) {
                        Some(f) => copy_marks(f, v),
                        None => v,
                    };
                    (k, v)
                })
                .collect(),
        ),
        (Kind::List(_, fs) | Kind::Tuple(fs), Kind::List(t, ts)) => Kind::List(
            t,
            ts.into_iter()
                .enumerate()
                .map(|(i, v)| match fs.get(i) {
                    Some(f) => copy_marks(f, v),
                    None => v,
                })
                .collect(),
        ),
        (Kind::List(_, fs) | Kind::Tuple(fs), Kind::Tuple(ts)) => Kind::Tuple(
            ts.into_iter()
                .enumerate()
                .map(|(i, v)| match fs.get(i) {
                    Some(f) => copy_marks(f, v),
                    None => v,
                })
                .collect(),
        ),
        (_, k) => k,
    };
    Value { kind, sensitive }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::Attribute;

    fn schema() -> Schema {
        let rule = Schema::new().attr("port", Attribute::required(Type::Number));
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .block("rule", BlockNesting::Set, rule)
            .attributes_as_blocks(&["rule"])
    }

    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        Value::object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn rules(ports: &[i64]) -> Value {
        let s = schema();
        let ty = s.blocks["rule"].block.value_type();
        Value::set(
            ty,
            ports
                .iter()
                .map(|p| obj(vec![("port", Value::int(*p))]))
                .collect(),
        )
    }

    #[test]
    fn attributes_as_blocks_left_out_keep_the_prior_value() {
        let s = schema();
        let ty = Schema::block_attr_type(&s.blocks["rule"]);
        let prior = obj(vec![("id", Value::string("x")), ("rule", rules(&[22, 80]))]);
        let unset = obj(vec![
            ("id", Value::null_of(Type::String)),
            ("rule", Value::null_of(ty.clone())),
        ]);
        let rule = |v: &Value| v.as_entries().unwrap()["rule"].clone();
        // Left out: the prior rules stay; unknown on create.
        let p = propose(&s, Some(&prior), &unset).value;
        assert!(same(&rule(&p), &rules(&[22, 80])));
        let p = propose(&s, None, &unset).value;
        assert!(!rule(&p).is_known());
        // `rule = []`: none.
        let empty = obj(vec![
            ("id", Value::null_of(Type::String)),
            ("rule", rules(&[])),
        ]);
        let p = propose(&s, Some(&prior), &empty).value;
        assert_eq!(rule(&p).as_seq().map(|s| s.len()), Some(0));
        // Given: exactly those.
        let one = obj(vec![
            ("id", Value::null_of(Type::String)),
            ("rule", rules(&[443])),
        ]);
        let p = propose(&s, Some(&prior), &one).value;
        assert!(same(&rule(&p), &rules(&[443])));
    }
}
