//! Types of the Terraform language (cty's type system) and type constraints.
//!
//! `Type` is the type of a value; `Type::Dynamic` doubles as the `any`
//! constraint. Object constraints can carry optional attributes with
//! defaults (`optional(T, default)`), kept in [`ObjectAttr`].

use std::collections::BTreeMap;
use std::fmt;

use super::value::Value;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// Not yet known (`any` as a constraint; "dynamic" in cty).
    Dynamic,
    Bool,
    Number,
    String,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(BTreeMap<String, Type>),
    /// An object type constraint with optional attributes (only in constraints).
    ObjectConstraint(BTreeMap<String, ObjectAttr>),
}

/// One attribute of an object type constraint.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectAttr {
    pub ty: Type,
    pub optional: bool,
    pub default: Option<DefaultValue>,
}

/// A default value inside a type constraint (wrapper so `Type` stays `Eq`/`Ord`).
#[derive(Clone, Debug)]
pub struct DefaultValue(pub Value);
impl PartialEq for DefaultValue {
    fn eq(&self, o: &Self) -> bool {
        self.0.raw_eq(&o.0)
    }
}
impl Eq for DefaultValue {}
impl PartialOrd for DefaultValue {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for DefaultValue {
    fn cmp(&self, _o: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}
impl std::hash::Hash for DefaultValue {
    fn hash<H: std::hash::Hasher>(&self, _h: &mut H) {}
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }
    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::Bool | Type::Number | Type::String)
    }
    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Map(_))
    }
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }
    /// True if the type contains no `Dynamic` anywhere.
    pub fn is_known(&self) -> bool {
        match self {
            Type::Dynamic => false,
            Type::Bool | Type::Number | Type::String => true,
            Type::List(t) | Type::Set(t) | Type::Map(t) => t.is_known(),
            Type::Tuple(ts) => ts.iter().all(|t| t.is_known()),
            Type::Object(m) => m.values().all(|t| t.is_known()),
            Type::ObjectConstraint(m) => m.values().all(|a| a.ty.is_known()),
        }
    }
    /// Terraform's friendly name ("list of string", "object", ...), as used in errors.
    pub fn friendly_name(&self) -> String {
        match self {
            Type::Dynamic => "dynamic".into(),
            Type::Bool => "bool".into(),
            Type::Number => "number".into(),
            Type::String => "string".into(),
            Type::List(t) => format!("list of {}", t.friendly_name()),
            Type::Set(t) => format!("set of {}", t.friendly_name()),
            Type::Map(t) => format!("map of {}", t.friendly_name()),
            Type::Tuple(_) => "tuple".into(),
            Type::Object(_) | Type::ObjectConstraint(_) => "object".into(),
        }
    }
}

impl fmt::Display for Type {
    /// The type expression syntax (`list(string)`, `object({a=number})`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Dynamic => write!(f, "any"),
            Type::Bool => write!(f, "bool"),
            Type::Number => write!(f, "number"),
            Type::String => write!(f, "string"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Tuple(ts) => {
                write!(f, "tuple([")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{t}")?;
                }
                write!(f, "])")
            }
            Type::Object(m) => {
                write!(f, "object({{")?;
                for (i, (k, t)) in m.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k}={t}")?;
                }
                write!(f, "}})")
            }
            Type::ObjectConstraint(m) => {
                write!(f, "object({{")?;
                for (i, (k, a)) in m.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    if a.optional {
                        write!(f, "{k}=optional({})", a.ty)?;
                    } else {
                        write!(f, "{k}={}", a.ty)?;
                    }
                }
                write!(f, "}})")
            }
        }
    }
}
