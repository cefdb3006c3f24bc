//! Conversions between state-file instance objects (JSON attributes plus
//! `sensitive_attributes` paths) and typed, marked values.

use serde_json::{json, Value as J};

use crate::lang::json::{from_json_typed, to_json_pretty};
use crate::lang::value::{Kind, Value};
use crate::providers::Schema;

/// The typed value of a state instance, with sensitive marks restored.
pub fn from_state(schema: &Schema, attributes: &J, sensitive_paths: &[J]) -> Value {
    let v = from_json_typed(attributes, &schema.value_type());
    let mut v = super::diff::normalize(schema, &v);
    for p in sensitive_paths {
        if let Some(steps) = p.as_array() {
            v = mark_path(v, steps);
        }
    }
    v
}

fn mark_path(v: Value, steps: &[J]) -> Value {
    let Some((first, rest)) = steps.split_first() else {
        return v.mark(true);
    };
    let sensitive = v.sensitive;
    // Index steps wrap their key: {"type":"index","value":{"value":0,"type":"number"}}.
    let step_value = first.get("value").map(|x| x.get("value").unwrap_or(x));
    let kind = match (
        v.kind,
        first.get("type").and_then(|t| t.as_str()),
        step_value,
    ) {
        (Kind::Object(mut m), Some("get_attr"), Some(J::String(name))) => {
            if let Some(x) = m.remove(name) {
                m.insert(name.clone(), mark_path(x, rest));
            }
            Kind::Object(m)
        }
        (Kind::Map(t, mut m), Some("index"), Some(J::String(key))) => {
            if let Some(x) = m.remove(key) {
                m.insert(key.clone(), mark_path(x, rest));
            }
            Kind::Map(t, m)
        }
        (Kind::List(t, mut xs), Some("index"), Some(J::Number(n))) => {
            if let Some(i) = n.as_u64().map(|i| i as usize).filter(|i| *i < xs.len()) {
                let x = std::mem::replace(&mut xs[i], Value::null());
                xs[i] = mark_path(x, rest);
            }
            Kind::List(t, xs)
        }
        (Kind::Tuple(mut xs), Some("index"), Some(J::Number(n))) => {
            if let Some(i) = n.as_u64().map(|i| i as usize).filter(|i| *i < xs.len()) {
                let x = std::mem::replace(&mut xs[i], Value::null());
                xs[i] = mark_path(x, rest);
            }
            Kind::Tuple(xs)
        }
        (k, _, _) => k,
    };
    Value { kind, sensitive }
}

/// JSON attributes (unknowns as null) and the sensitive paths of a value.
pub fn to_state(v: &Value) -> (J, Vec<J>) {
    let mut s = String::new();
    to_json_pretty(&v.clone().unmark_deep(), 0, &mut s);
    let attrs: J = serde_json::from_str(&s).unwrap_or(J::Null);
    let mut paths = vec![];
    collect_marks(v, &mut vec![], &mut paths);
    (attrs, paths)
}

fn collect_marks(v: &Value, path: &mut Vec<J>, out: &mut Vec<J>) {
    if v.sensitive && !path.is_empty() {
        out.push(J::Array(path.clone()));
        return;
    }
    match &v.kind {
        Kind::Object(m) => {
            for (k, x) in m {
                path.push(json!({"type": "get_attr", "value": k}));
                collect_marks(x, path, out);
                path.pop();
            }
        }
        Kind::Map(_, m) => {
            for (k, x) in m {
                path.push(json!({"type": "index", "value": {"value": k, "type": "string"}}));
                collect_marks(x, path, out);
                path.pop();
            }
        }
        Kind::List(_, xs) | Kind::Tuple(xs) => {
            for (i, x) in xs.iter().enumerate() {
                path.push(json!({"type": "index", "value": {"value": i, "type": "number"}}));
                collect_marks(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The provider address recorded in state for a resource type.
pub fn provider_addr(ty: &str, alias: Option<&str>) -> String {
    let base = if ty.starts_with("terraform_") {
        "provider[\"terraform.io/builtin/terraform\"]".to_string()
    } else {
        let p = ty.split('_').next().unwrap_or(ty);
        format!("provider[\"registry.terraform.io/hashicorp/{p}\"]")
    };
    match alias {
        Some(a) => format!("{base}.{a}"),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::number::Number;

    #[test]
    fn big_integers_stay_exact_in_state() {
        let two64 = num_bigint::BigInt::from(1u8) << 64;
        for n in [
            Number::from_bigint(&two64),
            Number::parse("18446744073709551616").unwrap(),
            Number::parse("123456789012345678901234567890").unwrap(),
        ] {
            let text = n.to_string();
            let (j, _) = to_state(&Value::number(n));
            assert_eq!(j.to_string(), text);
        }
    }
}
