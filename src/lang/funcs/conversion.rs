//! Built-in functions: type conversion (`tobool`, `tolist`, `tomap`,
//! `tonumber`, `toset`, `tostring`) and sensitivity (`sensitive`,
//! `nonsensitive`, `issensitive`). `try`, `can` and `type` live elsewhere.

use super::{FnError, Func, Param, Registry};
use crate::lang::convert::{conversion_possible, convert, unify};
use crate::lang::types::Type;
use crate::lang::value::{Kind, Value};

fn any_param() -> Param {
    Param::new("v", Type::Dynamic)
        .allow_null()
        .allow_unknown()
        .allow_marked()
}

pub fn register(r: &mut Registry) {
    r.add(Func::new(
        "tobool",
        vec![any_param()],
        Type::Bool,
        |_, a| to(a, Type::Bool),
    ));
    r.add(Func::new(
        "tonumber",
        vec![any_param()],
        Type::Number,
        |_, a| to(a, Type::Number),
    ));
    r.add(Func::new(
        "tostring",
        vec![any_param()],
        Type::String,
        |_, a| to(a, Type::String),
    ));
    r.add(Func::new(
        "tolist",
        vec![any_param()],
        Type::list(Type::Dynamic),
        |_, a| to(a, Type::list(Type::Dynamic)),
    ));
    r.add(Func::new(
        "toset",
        vec![any_param()],
        Type::set(Type::Dynamic),
        |_, a| to(a, Type::set(Type::Dynamic)),
    ));
    r.add(Func::new(
        "tomap",
        vec![any_param()],
        Type::map(Type::Dynamic),
        |_, a| to(a, Type::map(Type::Dynamic)),
    ));
    r.add(Func::new(
        "sensitive",
        vec![any_param()],
        Type::Dynamic,
        |_, mut a| Ok(a.remove(0).mark(true)),
    ));
    r.add(Func::new(
        "nonsensitive",
        vec![any_param()],
        Type::Dynamic,
        |_, mut a| {
            let mut v = a.remove(0);
            v.sensitive = false;
            Ok(v)
        },
    ));
    r.add(Func::new(
        "issensitive",
        vec![any_param()],
        Type::Bool,
        |_, a| {
            Ok(if a[0].sensitive {
                Value::bool(true)
            } else if !a[0].is_known() {
                Value::unknown(Type::Bool)
            } else {
                Value::bool(false)
            })
        },
    ));
}

/// cty's `FriendlyNameForConstraint`.
fn constraint_name(t: &Type) -> String {
    match t {
        Type::Dynamic => "any single type".into(),
        Type::List(e) => format!("list of {}", constraint_name(e)),
        Type::Set(e) => format!("set of {}", constraint_name(e)),
        Type::Map(e) => format!("map of {}", constraint_name(e)),
        t => t.friendly_name(),
    }
}

fn given_name(t: &Type) -> String {
    match t {
        Type::Dynamic => "dynamic".into(),
        t => constraint_name(t),
    }
}

/// Whether a value of type `from` could convert to `want` (which may have a
/// dynamic element type, requiring unification of structural elements).
fn possible(from: &Type, want: &Type) -> bool {
    match (from, want) {
        (_, Type::Dynamic) | (Type::Dynamic, _) => true,
        (Type::Tuple(ts), Type::List(e) | Type::Set(e)) if **e == Type::Dynamic => {
            unify(ts).is_some()
        }
        (Type::Object(m), Type::Map(e)) if **e == Type::Dynamic => {
            let ts: Vec<Type> = m.values().cloned().collect();
            unify(&ts).is_some()
        }
        (Type::List(_) | Type::Set(_), Type::List(e) | Type::Set(e)) if **e == Type::Dynamic => {
            true
        }
        (Type::Map(_), Type::Map(e)) if **e == Type::Dynamic => true,
        _ => conversion_possible(from, want),
    }
}

fn to(mut a: Vec<Value>, want: Type) -> Result<Value, FnError> {
    let v = a.remove(0);
    let got = v.ty();
    let cannot = || {
        FnError::arg(
            0,
            format!(
                "cannot convert {} to {}",
                given_name(&got),
                constraint_name(&want)
            ),
        )
    };
    if !possible(&got, &want) {
        return Err(cannot());
    }
    match convert(&v, &want) {
        Ok(r) => Ok(r),
        Err(_) => {
            if let Kind::String(s) = &v.kind {
                let shown = if v.sensitive {
                    "this sensitive string".to_string()
                } else {
                    format!("{s:?}")
                };
                match want {
                    Type::Number => {
                        return Err(FnError::arg(
                            0,
                            format!(
                                "cannot convert {shown} to number; given string must be a decimal representation of a number"
                            ),
                        ))
                    }
                    Type::Bool => {
                        return Err(FnError::arg(
                            0,
                            format!(
                                "cannot convert {shown} to bool; only the strings \"true\" or \"false\" are allowed"
                            ),
                        ))
                    }
                    _ => {}
                }
            }
            Err(cannot())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::lang::funcs::{call, FnCtx, FnError};
    use crate::lang::json::to_json_string;
    use crate::lang::types::Type;
    use crate::lang::value::Value;

    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn c(name: &str, args: Vec<Value>) -> Result<Value, FnError> {
        call(&FnCtx::default(), name, args)
    }
    fn obj(kv: Vec<(&str, Value)>) -> Value {
        Value::object(
            kv.into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    #[test]
    fn primitives() {
        assert_eq!(
            c("tostring", vec![Value::int(12)]).unwrap().as_str(),
            Some("12")
        );
        assert_eq!(
            c("tostring", vec![Value::bool(false)]).unwrap().as_str(),
            Some("false")
        );
        assert_eq!(c("tostring", vec![s("s")]).unwrap().as_str(), Some("s"));
        let n = c("tostring", vec![Value::null()]).unwrap();
        assert!(n.is_null());
        assert_eq!(n.ty(), Type::String);
        let e = c("tostring", vec![Value::list(Type::String, vec![s("a")])]).unwrap_err();
        assert_eq!(e.to_string(), "cannot convert list of string to string");
        assert!(matches!(e, FnError::Arg { index: 0, .. }));
        assert_eq!(
            to_json_string(&c("tonumber", vec![s("-0.125")]).unwrap()),
            "-0.125"
        );
        assert_eq!(
            to_json_string(&c("tonumber", vec![Value::int(7)]).unwrap()),
            "7"
        );
        let e = c("tonumber", vec![s("x")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot convert \"x\" to number; given string must be a decimal representation of a number"
        );
        let e = c("tonumber", vec![s("x").mark(true)]).unwrap_err();
        assert!(e.to_string().contains("this sensitive string"));
        assert_eq!(
            c("tobool", vec![s("false")]).unwrap().as_bool(),
            Some(false)
        );
        assert_eq!(
            c("tobool", vec![Value::bool(true)]).unwrap().as_bool(),
            Some(true)
        );
        assert!(c("tobool", vec![s("yes")]).is_err());
        assert!(c("tobool", vec![Value::int(1)]).is_err());
        let u = c("tonumber", vec![Value::unknown(Type::String)]).unwrap();
        assert!(!u.is_known());
        assert_eq!(u.ty(), Type::Number);
        let m = c("tostring", vec![Value::int(1).mark(true)]).unwrap();
        assert!(m.sensitive);
    }

    #[test]
    fn collections() {
        let t = Value::tuple(vec![s("a"), Value::int(1), Value::bool(true)]);
        let l = c("tolist", vec![t]).unwrap();
        assert_eq!(l.ty(), Type::list(Type::String));
        assert_eq!(to_json_string(&l), r#"["a","1","true"]"#);
        let set = c("toset", vec![Value::tuple(vec![s("b"), s("a"), s("b")])]).unwrap();
        assert_eq!(set.ty(), Type::set(Type::String));
        assert_eq!(to_json_string(&set), r#"["a","b"]"#);
        let l = c("tolist", vec![set]).unwrap();
        assert_eq!(to_json_string(&l), r#"["a","b"]"#);
        let m = c(
            "tomap",
            vec![obj(vec![("a", Value::int(1)), ("b", s("two"))])],
        )
        .unwrap();
        assert_eq!(m.ty(), Type::map(Type::String));
        assert_eq!(to_json_string(&m), r#"{"a":"1","b":"two"}"#);
        let nested = obj(vec![
            ("a", obj(vec![("x", Value::int(1))])),
            ("b", obj(vec![("x", Value::int(2))])),
        ]);
        let m = c("tomap", vec![nested]).unwrap();
        assert!(matches!(m.ty(), Type::Map(_)));
        let e = c(
            "tolist",
            vec![Value::tuple(vec![s("a"), Value::empty_tuple()])],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot convert tuple to list of any single type"
        );
        let e = c("tomap", vec![s("x")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot convert string to map of any single type"
        );
        let e = c("toset", vec![obj(vec![])]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot convert object to set of any single type"
        );
        let empty = c("tolist", vec![Value::empty_tuple()]).unwrap();
        assert_eq!(to_json_string(&empty), "[]");
        let n = c("tolist", vec![Value::null()]).unwrap();
        assert!(n.is_null());
        let u = c("tolist", vec![Value::unknown(Type::Dynamic)]).unwrap();
        assert!(!u.is_known());
    }

    #[test]
    fn sensitivity() {
        let v = c("sensitive", vec![s("hidden")]).unwrap();
        assert!(v.sensitive);
        assert_eq!(v.as_str(), Some("hidden"));
        let v = c("nonsensitive", vec![v]).unwrap();
        assert!(!v.sensitive);
        assert_eq!(v.as_str(), Some("hidden"));
        // Terraform 1.x: no error for an already non-sensitive value.
        assert!(!c("nonsensitive", vec![s("x")]).unwrap().sensitive);
        assert_eq!(
            c("issensitive", vec![s("x").mark(true)]).unwrap().as_bool(),
            Some(true)
        );
        assert_eq!(
            c("issensitive", vec![s("x")]).unwrap().as_bool(),
            Some(false)
        );
        let u = c("issensitive", vec![Value::unknown(Type::String)]).unwrap();
        assert!(!u.is_known());
        assert_eq!(
            c("issensitive", vec![Value::unknown(Type::String).mark(true)])
                .unwrap()
                .as_bool(),
            Some(true)
        );
        let u = c("sensitive", vec![Value::unknown(Type::String)]).unwrap();
        assert!(!u.is_known() && u.sensitive);
        let n = c("sensitive", vec![Value::null()]).unwrap();
        assert!(n.is_null() && n.sensitive);
    }
}
