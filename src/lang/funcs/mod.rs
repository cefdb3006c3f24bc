//! Terraform's built-in functions.
//!
//! Each family lives in its own file and registers its functions in the
//! [`Registry`]. Every function declares typed parameters; the generic driver
//! [`call`] converts arguments to the parameter types, short-circuits unknown
//! arguments to an unknown result, and strips sensitive marks before the call
//! and puts them back on the result, so implementations deal with plain,
//! known, converted values unless a parameter opts in (`allow_unknown`,
//! `allow_marked`, `allow_null`).
//!
//! `try`, `can`, `templatefile` and `templatestring` need the evaluator and are
//! implemented in `lang::eval`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use super::convert::convert;
use super::types::Type;
use super::value::Value;

pub mod collection;
pub mod conversion;
pub mod crypto;
pub mod datetime;
pub mod encoding;
pub mod filesystem;
pub mod goflate;
pub mod ipnet;
pub mod numeric;
pub mod string;

/// Functions refuse to build strings longer than this (64 MiB) or
/// collections with more elements than `MAX_ELEMENTS`, instead of running
/// out of memory (Terraform's `indent(1e15, "a\nb")` crashes).
pub const MAX_STRING_LEN: usize = 64 << 20;
/// See `MAX_STRING_LEN`.
pub const MAX_ELEMENTS: usize = 1 << 20;

/// What functions may know about their surroundings.
#[derive(Clone, Debug)]
pub struct FnCtx {
    /// Directory that relative paths in `file()` & co. are resolved against
    /// (the working directory, i.e. the root module directory).
    pub base_dir: PathBuf,
    /// The time `plantimestamp()` returns (RFC 3339, UTC).
    pub plan_timestamp: String,
    /// When false (e.g. during `validate`), impure functions such as
    /// `timestamp` and `uuid` return unknown values.
    pub allow_impure: bool,
}

impl Default for FnCtx {
    fn default() -> Self {
        FnCtx {
            base_dir: PathBuf::from("."),
            plan_timestamp: "2000-01-01T00:00:00Z".into(),
            allow_impure: true,
        }
    }
}

/// A failed call. `Arg` points at one argument (0-based, counting variadic
/// arguments); the evaluator turns it into "Invalid function argument".
#[derive(Debug, Clone, PartialEq)]
pub enum FnError {
    Arg { index: usize, msg: String },
    Msg(String),
}

impl FnError {
    pub fn arg(index: usize, msg: impl Into<String>) -> FnError {
        FnError::Arg {
            index,
            msg: msg.into(),
        }
    }
    pub fn msg(msg: impl Into<String>) -> FnError {
        FnError::Msg(msg.into())
    }
}

impl std::fmt::Display for FnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FnError::Arg { msg, .. } | FnError::Msg(msg) => write!(f, "{msg}"),
        }
    }
}

/// One declared parameter.
#[derive(Clone, Debug)]
pub struct Param {
    pub name: &'static str,
    /// Type the argument is converted to; `Type::Dynamic` accepts anything.
    pub ty: Type,
    pub allow_null: bool,
    pub allow_unknown: bool,
    pub allow_marked: bool,
}

impl Param {
    pub fn new(name: &'static str, ty: Type) -> Param {
        Param {
            name,
            ty,
            allow_null: false,
            allow_unknown: false,
            allow_marked: false,
        }
    }
    pub fn allow_null(mut self) -> Param {
        self.allow_null = true;
        self
    }
    pub fn allow_unknown(mut self) -> Param {
        self.allow_unknown = true;
        self
    }
    pub fn allow_marked(mut self) -> Param {
        self.allow_marked = true;
        self
    }
}

pub type Impl = fn(&FnCtx, Vec<Value>) -> Result<Value, FnError>;

/// A built-in function.
#[derive(Clone)]
pub struct Func {
    pub name: &'static str,
    pub params: Vec<Param>,
    pub variadic: Option<Param>,
    /// Result type when it is known without running (used for unknown results).
    pub ret: Type,
    pub imp: Impl,
    /// Impure functions (timestamp, uuid, bcrypt) return unknown when the
    /// context forbids impurity.
    pub impure: bool,
}

impl Func {
    pub fn new(name: &'static str, params: Vec<Param>, ret: Type, imp: Impl) -> Func {
        Func {
            name,
            params,
            variadic: None,
            ret,
            imp,
            impure: false,
        }
    }
    pub fn variadic(mut self, p: Param) -> Func {
        self.variadic = Some(p);
        self
    }
    pub fn impure(mut self) -> Func {
        self.impure = true;
        self
    }
}

/// The table of functions, by name.
#[derive(Default)]
pub struct Registry {
    funcs: HashMap<&'static str, Func>,
}

impl Registry {
    pub fn add(&mut self, f: Func) {
        self.funcs.insert(f.name, f);
    }
    pub fn get(&self, name: &str) -> Option<&Func> {
        self.funcs.get(name)
    }
    pub fn names(&self) -> impl Iterator<Item = &&'static str> {
        self.funcs.keys()
    }
}

/// The global registry of every built-in function.
pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| {
        let mut r = Registry::default();
        string::register(&mut r);
        collection::register(&mut r);
        numeric::register(&mut r);
        encoding::register(&mut r);
        crypto::register(&mut r);
        ipnet::register(&mut r);
        datetime::register(&mut r);
        filesystem::register(&mut r);
        conversion::register(&mut r);
        r
    })
}

/// Functions removed from the language, with the hint Terraform gives.
pub fn removed_function_hint(name: &str) -> Option<&'static str> {
    match name {
        "list" => Some("the \"list\" function was removed in Terraform v0.12; use tolist([ ... ]) or a list expression [ ... ] instead"),
        "map" => Some("the \"map\" function was removed in Terraform v0.12; use tomap({ ... }) or an object expression { ... } instead"),
        _ => None,
    }
}

/// Call `name` with already-evaluated arguments through the generic driver.
pub fn call(ctx: &FnCtx, name: &str, args: Vec<Value>) -> Result<Value, FnError> {
    let f = registry()
        .get(name)
        .ok_or_else(|| FnError::msg(format!("There is no function named \"{name}\".")))?;
    call_func(ctx, f, args)
}

/// The generic driver (see the module docs).
pub fn call_func(ctx: &FnCtx, f: &Func, args: Vec<Value>) -> Result<Value, FnError> {
    let n = f.params.len();
    if args.len() < n {
        return Err(FnError::msg(format!(
            "Function \"{}\" expects {} argument(s). Missing value for \"{}\".",
            f.name,
            n,
            f.params[args.len()].name
        )));
    }
    if args.len() > n && f.variadic.is_none() {
        return Err(FnError::msg(format!(
            "Function \"{}\" expects only {} argument(s).",
            f.name, n
        )));
    }
    let mut marked = false;
    let mut unknown = false;
    let mut conv = Vec::with_capacity(args.len());
    for (i, a) in args.into_iter().enumerate() {
        let p = if i < n {
            &f.params[i]
        } else {
            f.variadic.as_ref().unwrap()
        };
        let a = if !p.allow_marked && a.deep_sensitive() {
            marked = true;
            a.unmark_deep()
        } else {
            a
        };
        if a.is_null() && !p.allow_null {
            return Err(FnError::arg(i, "argument must not be null"));
        }
        if !p.allow_unknown && !a.is_wholly_known() {
            unknown = true;
        }
        let a = convert(&a, &p.ty).map_err(|e| FnError::arg(i, e.to_string()))?;
        conv.push(a);
    }
    if unknown || (f.impure && !ctx.allow_impure) {
        return Ok(Value::unknown(f.ret.clone()).mark(marked));
    }
    let r = (f.imp)(ctx, conv)?;
    Ok(r.mark(marked))
}
