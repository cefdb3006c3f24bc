//! Type constraint expressions (`list(string)`, `object({ a = optional(number, 1) })`).

use std::collections::BTreeMap;
use std::sync::Arc;

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::Span;

use super::range_of;
use crate::diag::Diagnostic;
use crate::lang::types::{DefaultValue, ObjectAttr, Type};

pub fn parse_type(e: &Expression, file: &Arc<str>) -> Result<Type, Diagnostic> {
    parse(e, file, false)
}

fn bad(e: &Expression, file: &Arc<str>, detail: &str) -> Diagnostic {
    Diagnostic::error("Invalid type specification", detail.to_string()).at(range_of(file, e.span()))
}

#[allow(clippy::only_used_in_recursion)]
fn parse(e: &Expression, file: &Arc<str>, in_object: bool) -> Result<Type, Diagnostic> {
    match e {
        Expression::Variable(v) => match v.as_str() {
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "any" => Ok(Type::Dynamic),
            "list" | "map" | "set" => Err(bad(
                e,
                file,
                &format!("The {} type constructor requires one argument specifying the element type.", v.as_str()),
            )),
            "object" | "tuple" => Err(bad(
                e,
                file,
                &format!("The {} type constructor requires one argument specifying the attribute types.", v.as_str()),
            )),
            n => Err(bad(e, file, &format!("The keyword {n:?} is not a valid type specification."))),
        },
        // Legacy quoted types: "string", "list", "map".
        Expression::String(s) => match s.value().as_str() {
            "string" => Ok(Type::String),
            "list" => Ok(Type::list(Type::String)),
            "map" => Ok(Type::map(Type::String)),
            _ => Err(bad(e, file, "A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).")),
        },
        Expression::Parenthesis(p) => parse(p.inner(), file, in_object),
        Expression::FuncCall(f) => {
            let name = f.name.name.as_str();
            let args: Vec<&Expression> = f.args.iter().collect();
            let one = |args: &[&Expression]| -> Result<Type, Diagnostic> {
                if args.len() != 1 {
                    return Err(bad(e, file, &format!("The {name} type constructor requires one argument specifying the element type.")));
                }
                parse(args[0], file, false)
            };
            match name {
                "list" => Ok(Type::list(one(&args)?)),
                "set" => Ok(Type::set(one(&args)?)),
                "map" => Ok(Type::map(one(&args)?)),
                "tuple" => {
                    if args.len() != 1 {
                        return Err(bad(e, file, "The tuple type constructor requires one argument specifying the element types as a list."));
                    }
                    match args[0] {
                        Expression::Array(a) => Ok(Type::Tuple(a.iter().map(|x| parse(x, file, false)).collect::<Result<_, _>>()?)),
                        _ => Err(bad(e, file, "The tuple type constructor requires one argument specifying the element types as a list.")),
                    }
                }
                "object" => {
                    if args.len() != 1 {
                        return Err(bad(e, file, "The object type constructor requires one argument specifying the attribute types as a map."));
                    }
                    match args[0] {
                        Expression::Object(o) => {
                            let mut attrs = BTreeMap::new();
                            let mut any_optional = false;
                            for (k, v) in o.iter() {
                                let key = match k {
                                    ObjectKey::Ident(i) => i.as_str().to_string(),
                                    ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                                    ObjectKey::Expression(Expression::Variable(i)) => i.as_str().to_string(),
                                    ObjectKey::Expression(ke) => return Err(bad(ke, file, "Object constructor map keys must be attribute names.")),
                                };
                                let attr = parse_attr(v.expr(), file)?;
                                any_optional |= attr.optional;
                                attrs.insert(key, attr);
                            }
                            if any_optional {
                                Ok(Type::ObjectConstraint(attrs))
                            } else {
                                Ok(Type::Object(attrs.into_iter().map(|(k, a)| (k, a.ty)).collect()))
                            }
                        }
                        _ => Err(bad(e, file, "The object type constructor requires one argument specifying the attribute types as a map.")),
                    }
                }
                "optional" => Err(bad(e, file, "Keyword \"optional\" is valid only as a modifier for object type attributes.")),
                _ => Err(bad(e, file, &format!("Keyword {name:?} is not a valid type constructor."))),
            }
        }
        _ => Err(bad(e, file, "A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).")),
    }
}

fn parse_attr(e: &Expression, file: &Arc<str>) -> Result<ObjectAttr, Diagnostic> {
    if let Expression::FuncCall(f) = e {
        if f.name.name.as_str() == "optional" {
            let args: Vec<&Expression> = f.args.iter().collect();
            if args.is_empty() || args.len() > 2 {
                return Err(bad(e, file, "Optional attribute modifier expects one or two arguments: the attribute type and an optional default value."));
            }
            let ty = parse(args[0], file, true)?;
            let default = if args.len() == 2 {
                let v = crate::lang::eval::eval_constant(args[1], file).map_err(|mut d| {
                    d.summary = "Invalid default value for optional attribute".into();
                    d
                })?;
                Some(DefaultValue(v))
            } else {
                None
            };
            return Ok(ObjectAttr {
                ty,
                optional: true,
                default,
            });
        }
    }
    Ok(ObjectAttr {
        ty: parse(e, file, true)?,
        optional: false,
        default: None,
    })
}
