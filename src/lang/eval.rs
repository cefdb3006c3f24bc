//! The expression evaluator: walks `hcl-edit` syntax trees and produces
//! [`Value`]s, with unknowns and sensitive marks propagating through every
//! operator and function. Names are resolved through a [`Resolver`], so the
//! same evaluator serves validate, plan, apply and console.

use std::collections::BTreeMap;
use std::sync::Arc;

use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span;

use super::convert::{convert, unify_values};
use super::funcs::{self, FnCtx, FnError};
use super::number::Number;
use super::types::Type;
use super::value::{Kind, Value};

use crate::config::range_of;
use crate::diag::{Diagnostic, Diagnostics, SourceRange};

type R<T> = Result<T, Diagnostics>;

/// The suffix given to a repeated object key (see [`crate::config::parse_hcl_source`]).
pub const REPEATED_KEY_MARK: &str = "__herd_repeated_";

/// Strip the mark [`crate::config::parse_hcl_source`] gave a repeated object key.
pub fn strip_repeated_key_mark(key: &str) -> &str {
    if let Some(i) = key.rfind(REPEATED_KEY_MARK) {
        let n = &key[i + REPEATED_KEY_MARK.len()..];
        if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            return &key[..i];
        }
    }
    key
}

/// Resolves the names an expression refers to.
pub trait Resolver {
    /// Resolve a reference whose root is `root` (e.g. `var`, `local`,
    /// `module`, `path`, a resource type) followed by the attribute names in
    /// `attrs` (as many as the reference has before any index or splat).
    /// Returns the value and how many of `attrs` were consumed.
    fn resolve(&self, root: &str, attrs: &[&str], range: Option<SourceRange>) -> R<(Value, usize)>;

    /// Like `resolve`, but first offers the resolved value by reference to
    /// `project` (with how many `attrs` were consumed). When `project`
    /// returns `Some`, its result stands in for the value and the flag is
    /// true. Lets the evaluator index into a large value (a resource with
    /// many instances) without cloning it whole. Resolvers that hold values
    /// they can lend override this; the default resolves, then projects.
    fn resolve_project(
        &self,
        root: &str,
        attrs: &[&str],
        range: Option<SourceRange>,
        project: &dyn Fn(&Value, usize) -> Option<R<Value>>,
    ) -> R<(Value, usize, bool)> {
        let (v, used) = self.resolve(root, attrs, range)?;
        match project(&v, used) {
            Some(r) => Ok((r?, used, true)),
            None => Ok((v, used, false)),
        }
    }
}

/// A resolver that allows no references (constant expressions).
pub struct NoRefs;
impl Resolver for NoRefs {
    fn resolve(
        &self,
        root: &str,
        _attrs: &[&str],
        range: Option<SourceRange>,
    ) -> R<(Value, usize)> {
        Err(Diagnostic::error(
            "Variables not allowed",
            format!("Variables may not be used here (found a reference to {root:?})."),
        )
        .at(range)
        .into())
    }
}

/// Evaluate an expression that may not refer to anything.
pub fn eval_constant(e: &Expression, file: &Arc<str>) -> Result<Value, Diagnostic> {
    let ctx = FnCtx::default();
    let mut ev = Evaluator::new(&NoRefs, &ctx, file.clone());
    ev.eval(e).map_err(|d| {
        d.0.into_iter()
            .next()
            .unwrap_or_else(|| Diagnostic::error("Invalid expression", ""))
    })
}

pub struct Evaluator<'a> {
    pub resolver: &'a dyn Resolver,
    pub fnctx: &'a FnCtx,
    pub file: Arc<str>,
    /// Names bound by enclosing `for` expressions and template `for` directives.
    scopes: Vec<(String, Value)>,
    /// Block context for diagnostics (`locals`, `output "x"`).
    pub context: Option<String>,
    /// Source texts, for re-reading heredocs.
    pub sources: Option<crate::diag::Sources>,
    /// Iterations of `for` expressions and directives so far (see
    /// `MAX_ITERATIONS`).
    iterations: usize,
}

/// One evaluation runs at most this many iterations of `for` expressions and
/// template `for` directives, so that nested loops over large collections
/// stop with an error instead of running for hours or exhausting memory.
pub const MAX_ITERATIONS: usize = 1 << 20;

fn ws(c: char) -> bool {
    c.is_whitespace()
}

/// Accumulated template output.
struct TplOut {
    buf: String,
    unknown: bool,
    sensitive: bool,
    /// Strip leading whitespace of the next literal.
    strip_next: bool,
    /// Start offset in `buf` of the literal just written, if the last thing written was a literal.
    last_lit: Option<usize>,
}

impl TplOut {
    fn strip_prev(&mut self) {
        if let Some(start) = self.last_lit {
            let trimmed_len = self.buf[start..].trim_end_matches(ws).len();
            self.buf.truncate(start + trimmed_len);
        }
    }
}

impl<'a> Evaluator<'a> {
    pub fn new(resolver: &'a dyn Resolver, fnctx: &'a FnCtx, file: Arc<str>) -> Evaluator<'a> {
        Evaluator {
            resolver,
            fnctx,
            file,
            scopes: vec![],
            context: None,
            sources: None,
            iterations: 0,
        }
    }

    /// Count one loop iteration against `MAX_ITERATIONS`.
    fn iteration(&mut self, e: &Expression) -> R<()> {
        self.iterations += 1;
        if self.iterations > MAX_ITERATIONS {
            return Err(self.err(
                e,
                "Too many iterations",
                format!("Evaluating this expression would take more than {MAX_ITERATIONS} iterations of 'for' expressions or directives."),
            ));
        }
        Ok(())
    }

    /// Re-read a heredoc from its source text (see `lang::heredoc`).
    fn raw_heredoc(&self, e: &Expression) -> Option<Template> {
        let src = self.sources.as_ref()?.get(&self.file)?;
        let span = e.span()?;
        let text = src.get(span)?;
        let (body, flush) = super::heredoc::raw_body(text)?;
        super::heredoc::prepare(body, flush)
    }

    fn range(&self, e: &Expression) -> Option<SourceRange> {
        range_of(&self.file, e.span())
    }

    fn err(&self, e: &Expression, summary: &str, detail: impl Into<String>) -> Diagnostics {
        Diagnostic::error(summary, detail)
            .at(self.range(e))
            .in_context(self.context.clone())
            .into()
    }

    /// Bind a name (a `dynamic` block iterator, for instance) for the
    /// expressions evaluated next.
    pub fn push_scope(&mut self, name: &str, v: Value) {
        self.scopes.push((name.to_string(), v));
    }

    fn lookup_scope(&self, name: &str) -> Option<&Value> {
        self.scopes
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    pub fn eval(&mut self, e: &Expression) -> R<Value> {
        match e {
            Expression::Null(_) => Ok(Value::null()),
            Expression::Bool(b) => Ok(Value::bool(*b.value())),
            Expression::Number(n) => {
                let text: String = match n.as_repr() {
                    Some(r) => r.chars().filter(|c| !c.is_whitespace()).collect(),
                    None => n.value().to_string(),
                };
                match Number::parse(&text) {
                    Some(n) => Ok(Value::number(n)),
                    None => Err(self.err(
                        e,
                        "Invalid number literal",
                        format!("Failed to recognize {text:?} as a number."),
                    )),
                }
            }
            Expression::String(s) => Ok(Value::string(nfc(s.value()))),
            Expression::Array(a) => {
                let mut items = vec![];
                let mut diags = Diagnostics::new();
                for x in a.iter() {
                    match self.eval(x) {
                        Ok(v) => items.push(v),
                        Err(d) => diags.extend(d),
                    }
                }
                if diags.has_errors() {
                    return Err(diags);
                }
                Ok(Value::tuple(items))
            }
            Expression::Object(o) => {
                let mut m = BTreeMap::new();
                let mut unknown_key = false;
                let mut key_sens = false;
                let mut diags = Diagnostics::new();
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => {
                            Some(strip_repeated_key_mark(i.as_str()).to_string())
                        }
                        ObjectKey::Expression(ke) => {
                            // A bare identifier in parentheses or a plain name is a literal key.
                            let kv = match ke {
                                Expression::Variable(i) => Ok(Value::string(i.as_str())),
                                ke => self.eval(ke),
                            };
                            match kv {
                                Ok(kv) => {
                                    key_sens |= kv.sensitive;
                                    if !kv.is_known() {
                                        unknown_key = true;
                                        None
                                    } else if kv.is_null() {
                                        diags.extend(self.err(ke, "Invalid object key", "Key expression in object constructor must not be null."));
                                        None
                                    } else {
                                        match convert(&kv, &Type::String) {
                                            Ok(s) => s
                                                .as_str()
                                                .map(|s| strip_repeated_key_mark(s).to_string()),
                                            Err(_) => {
                                                diags.extend(self.err(ke, "Incorrect key type", "Can't use this value as a key: string required."));
                                                None
                                            }
                                        }
                                    }
                                }
                                Err(d) => {
                                    diags.extend(d);
                                    None
                                }
                            }
                        }
                    };
                    match self.eval(v.expr()) {
                        Ok(val) => {
                            if let Some(k) = key {
                                m.insert(k, val);
                            }
                        }
                        Err(d) => diags.extend(d),
                    }
                }
                if diags.has_errors() {
                    return Err(diags);
                }
                if unknown_key {
                    return Ok(Value::unknown(Type::Dynamic).mark(key_sens));
                }
                Ok(Value::object(m).mark(key_sens))
            }
            Expression::StringTemplate(t) => self.eval_template_expr(t, e),
            Expression::HeredocTemplate(h) => {
                if let Some(t) = self.raw_heredoc(e) {
                    return self.eval_template_expr(&t, e);
                }
                self.eval_template_expr(&h.template, e)
            }
            Expression::Parenthesis(p) => self.eval(p.inner()),
            Expression::Variable(_) => self.eval_traversal(e, &[]),
            Expression::Traversal(t) => {
                let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
                self.eval_traversal_ops(&t.expr, &ops, e)
            }
            Expression::Conditional(c) => {
                // Like HCL: both results are evaluated, but only the selected
                // one's errors count; a failed unselected result takes part in
                // type unification as an unknown of any type.
                let cond = self.eval(&c.cond_expr)?;
                let t = self.eval(&c.true_expr);
                let f = self.eval(&c.false_expr);
                let known = if cond.is_known() && !cond.is_null() {
                    convert(&cond.clone().unmark_deep(), &Type::Bool)
                        .ok()
                        .and_then(|b| b.as_bool())
                } else {
                    None
                };
                let (t, f) = match (t, f, known) {
                    (Ok(t), Ok(f), _) => (t, f),
                    (Ok(t), Err(_), Some(true)) => (t, Value::unknown(Type::Dynamic)),
                    (Err(_), Ok(f), Some(false)) => (Value::unknown(Type::Dynamic), f),
                    (Err(d), _, Some(true)) | (_, Err(d), Some(false)) => return Err(d),
                    (t, f, None) => {
                        let mut d = Diagnostics::new();
                        for r in [t, f] {
                            if let Err(x) = r {
                                d.extend(x);
                            }
                        }
                        return Err(d);
                    }
                };
                if cond.is_null() {
                    return Err(self.err(
                        &c.cond_expr,
                        "Null condition",
                        "The condition value is null. Conditions must either be true or false.",
                    ));
                }
                let cond_s = cond.sensitive;
                let cond = match convert(&cond, &Type::Bool) {
                    Ok(v) => v,
                    Err(_) => {
                        return Err(self.err(
                            &c.cond_expr,
                            "Incorrect condition type",
                            format!(
                                "The condition expression must be of type bool, not {}.",
                                cond.ty().friendly_name()
                            ),
                        ))
                    }
                };
                // Unify the result types.
                let (ty, vals) = match unify_values(&[t.clone(), f.clone()]) {
                    Some(x) => x,
                    None => {
                        return Err(self.err(
                            e,
                            "Inconsistent conditional result types",
                            format!(
                                "The true and false result expressions must have consistent types. The 'true' value is {}, but the 'false' value is {}.",
                                t.ty().friendly_name(),
                                f.ty().friendly_name()
                            ),
                        ))
                    }
                };
                match cond.as_bool() {
                    None => Ok(Value::unknown(ty).mark(cond_s)),
                    Some(true) => Ok(vals[0].clone().mark(cond_s)),
                    Some(false) => Ok(vals[1].clone().mark(cond_s)),
                }
            }
            Expression::FuncCall(fc) => self.eval_call(fc, e),
            Expression::UnaryOp(u) => {
                let v = self.eval(&u.expr)?;
                let s = v.sensitive || v.deep_sensitive();
                match u.operator.value() {
                    UnaryOperator::Neg => {
                        let n = self.operand(&u.expr, &v, &Type::Number, "-")?;
                        match n.kind {
                            Kind::Unknown(_) => Ok(Value::unknown(Type::Number).mark(s)),
                            Kind::Number(n) => Ok(Value::number(n.neg()).mark(s)),
                            _ => Ok(Value::unknown(Type::Number).mark(s)),
                        }
                    }
                    UnaryOperator::Not => {
                        let b = self.operand(&u.expr, &v, &Type::Bool, "!")?;
                        match b.kind {
                            Kind::Bool(b) => Ok(Value::bool(!b).mark(s)),
                            _ => Ok(Value::unknown(Type::Bool).mark(s)),
                        }
                    }
                }
            }
            Expression::BinaryOp(b) => self.eval_binary(b, e),
            Expression::ForExpr(f) => self.eval_for(f, e),
        }
    }

    /// Convert an operand, producing Terraform's "Invalid operand" diagnostic.
    fn operand(&self, e: &Expression, v: &Value, t: &Type, op: &str) -> R<Value> {
        self.operand_side(e, v, t, op, "right")
    }

    fn operand_side(&self, e: &Expression, v: &Value, t: &Type, _op: &str, side: &str) -> R<Value> {
        if v.is_null() {
            return Err(self.err(
                e,
                "Invalid operand",
                format!(
                    "Unsuitable value for {side} operand: a {} is required.",
                    t.friendly_name()
                ),
            ));
        }
        let v = v.clone().unmark_deep();
        convert(&v, t).map_err(|c| {
            self.err(
                e,
                "Invalid operand",
                format!("Unsuitable value for {side} operand: {}.", c.msg),
            )
        })
    }

    fn eval_binary(&mut self, b: &hcl_edit::expr::BinaryOp, e: &Expression) -> R<Value> {
        let l = self.eval(&b.lhs_expr);
        let r = self.eval(&b.rhs_expr);
        let (l, r) = match (l, r) {
            (Ok(l), Ok(r)) => (l, r),
            (Err(mut a), Err(b2)) => {
                a.extend(b2);
                return Err(a);
            }
            (Err(a), _) | (_, Err(a)) => return Err(a),
        };
        let s = l.deep_sensitive() || r.deep_sensitive();
        let op = *b.operator.value();
        use BinaryOperator as B;
        match op {
            B::Eq | B::NotEq => {
                let (lu, ru) = (l.clone().unmark_deep(), r.clone().unmark_deep());
                let res = match lu.equals(&ru) {
                    Some(x) => x,
                    None => return Ok(Value::unknown(Type::Bool).mark(s)),
                };
                // Terraform compares after unifying primitive types ("5" == 5 is false).
                Ok(Value::bool(if op == B::Eq { res } else { !res }).mark(s))
            }
            B::And | B::Or => {
                let lb = self.operand_side(&b.lhs_expr, &l, &Type::Bool, op.as_str(), "left")?;
                let rb = self.operand(&b.rhs_expr, &r, &Type::Bool, op.as_str())?;
                let (x, y) = (lb.as_bool(), rb.as_bool());
                let res = if op == B::And {
                    match (x, y) {
                        (Some(false), _) | (_, Some(false)) => Some(false),
                        (Some(true), Some(true)) => Some(true),
                        _ => None,
                    }
                } else {
                    match (x, y) {
                        (Some(true), _) | (_, Some(true)) => Some(true),
                        (Some(false), Some(false)) => Some(false),
                        _ => None,
                    }
                };
                Ok(match res {
                    Some(v) => Value::bool(v),
                    None => Value::unknown(Type::Bool),
                }
                .mark(s))
            }
            _ => {
                let ln = self.operand_side(&b.lhs_expr, &l, &Type::Number, op.as_str(), "left")?;
                let rn = self.operand(&b.rhs_expr, &r, &Type::Number, op.as_str())?;
                let is_cmp = matches!(op, B::Less | B::LessEq | B::Greater | B::GreaterEq);
                let (x, y) = match (ln.as_number(), rn.as_number()) {
                    (Some(x), Some(y)) => (x, y),
                    _ => {
                        return Ok(
                            Value::unknown(if is_cmp { Type::Bool } else { Type::Number }).mark(s),
                        )
                    }
                };
                let v = match op {
                    B::Plus => Value::number(x.add(y)),
                    B::Minus => Value::number(x.sub(y)),
                    B::Mul => Value::number(x.mul(y)),
                    B::Div => match x.div(y) {
                        Ok(n) => Value::number(n),
                        Err(_) => {
                            if x.is_zero() {
                                return Err(self.err(e, "Error in function call", "Call to function \"divide\" failed: can't divide zero by zero or infinity by infinity."));
                            }
                            let inf = if x.is_negative() != y.is_negative() {
                                "-Inf"
                            } else {
                                "+Inf"
                            };
                            Value::number(Number::parse(inf).unwrap_or_else(|| Number::from_i64(0)))
                        }
                    },
                    // Terraform returns the dividend for a zero divisor.
                    B::Mod => match x.rem(y) {
                        Ok(n) => Value::number(n),
                        Err(_) => Value::number(x.clone()),
                    },
                    B::Less => Value::bool(x < y),
                    B::LessEq => Value::bool(x <= y),
                    B::Greater => Value::bool(x > y),
                    B::GreaterEq => Value::bool(x >= y),
                    _ => unreachable!(),
                };
                Ok(v.mark(s))
            }
        }
    }

    fn eval_template_expr(&mut self, t: &Template, e: &Expression) -> R<Value> {
        // A template that is a single interpolation yields the value itself.
        let elems: Vec<&Element> = t.iter().collect();
        if elems.len() == 1 {
            if let Element::Interpolation(i) = elems[0] {
                return self.eval(&i.expr);
            }
        }
        let mut out = TplOut {
            buf: String::new(),
            unknown: false,
            sensitive: false,
            strip_next: false,
            last_lit: None,
        };
        self.eval_template(t, &mut out, e)?;
        if out.unknown {
            return Ok(Value::unknown(Type::String).mark(out.sensitive));
        }
        Ok(Value::string(nfc(&out.buf)).mark(out.sensitive))
    }

    fn push_lit(out: &mut TplOut, s: &str) {
        let s = if out.strip_next {
            s.trim_start_matches(ws)
        } else {
            s
        };
        out.strip_next = false;
        let start = out.buf.len();
        out.buf.push_str(s);
        out.last_lit = Some(start);
    }

    #[allow(clippy::only_used_in_recursion)]
    fn eval_template(&mut self, t: &Template, out: &mut TplOut, whole: &Expression) -> R<()> {
        for el in t.iter() {
            match el {
                Element::Literal(l) => Self::push_lit(out, l.value()),
                Element::Interpolation(i) => {
                    if i.strip.strip_start() {
                        out.strip_prev();
                    }
                    let v = self.eval(&i.expr)?;
                    self.append_value(&i.expr, v, out)?;
                    out.last_lit = None;
                    out.strip_next = i.strip.strip_end();
                }
                Element::Directive(d) => match &**d {
                    Directive::If(ifd) => {
                        if ifd.if_expr.strip.strip_start() {
                            out.strip_prev();
                        }
                        out.last_lit = None;
                        let c = self.eval(&ifd.if_expr.cond_expr)?;
                        out.sensitive |= c.deep_sensitive();
                        let cb = if c.is_null() {
                            return Err(self.err(
                                &ifd.if_expr.cond_expr,
                                "Invalid template if directive",
                                "The condition value is null.",
                            ));
                        } else {
                            convert(&c.clone().unmark_deep(), &Type::Bool).map_err(|_| {
                                self.err(
                                    &ifd.if_expr.cond_expr,
                                    "Invalid template if directive",
                                    "The condition must be of type bool.",
                                )
                            })?
                        };
                        match cb.as_bool() {
                            None => {
                                out.unknown = true;
                                // still evaluate for errors
                            }
                            Some(true) => {
                                out.strip_next = ifd.if_expr.strip.strip_end();
                                self.eval_template(&ifd.if_expr.template, out, whole)?;
                                let end_strip = match &ifd.else_expr {
                                    Some(el) => el.strip.strip_start(),
                                    None => ifd.endif_expr.strip.strip_start(),
                                };
                                if end_strip {
                                    out.strip_prev();
                                }
                            }
                            Some(false) => {
                                if let Some(el) = &ifd.else_expr {
                                    out.strip_next = el.strip.strip_end();
                                    self.eval_template(&el.template, out, whole)?;
                                    if ifd.endif_expr.strip.strip_start() {
                                        out.strip_prev();
                                    }
                                }
                            }
                        }
                        out.last_lit = None;
                        out.strip_next = ifd.endif_expr.strip.strip_end();
                    }
                    Directive::For(fd) => {
                        let fe = &fd.for_expr;
                        if fe.strip.strip_start() {
                            out.strip_prev();
                        }
                        out.last_lit = None;
                        let coll = self.eval(&fe.collection_expr)?;
                        out.sensitive |= coll.sensitive;
                        if !coll.is_known() {
                            out.unknown = true;
                            out.strip_next = fd.endfor_expr.strip.strip_end();
                            continue;
                        }
                        if coll.is_null() {
                            return Err(self.err(
                                &fe.collection_expr,
                                "Invalid template for directive",
                                "Cannot use a null value in a for directive.",
                            ));
                        }
                        let pairs = self.iter_pairs(&fe.collection_expr, &coll)?;
                        for (k, v) in pairs {
                            self.iteration(&fe.collection_expr)?;
                            let n = self.scopes.len();
                            if let Some(kv) = &fe.key_var {
                                self.scopes.push((kv.as_str().to_string(), k));
                            }
                            self.scopes.push((fe.value_var.as_str().to_string(), v));
                            out.strip_next = fe.strip.strip_end();
                            let r = self.eval_template(&fe.template, out, whole);
                            self.scopes.truncate(n);
                            r?;
                            if fd.endfor_expr.strip.strip_start() {
                                out.strip_prev();
                            }
                            out.last_lit = None;
                        }
                        out.last_lit = None;
                        out.strip_next = fd.endfor_expr.strip.strip_end();
                    }
                },
            }
        }
        Ok(())
    }

    fn append_value(&self, e: &Expression, v: Value, out: &mut TplOut) -> R<()> {
        out.sensitive |= v.deep_sensitive();
        if !v.is_known() {
            out.unknown = true;
            return Ok(());
        }
        if v.is_null() {
            return Err(self.err(
                e,
                "Invalid template interpolation value",
                "The expression result is null. Cannot include a null value in a string template.",
            ));
        }
        match convert(&v.clone().unmark_deep(), &Type::String) {
            Ok(s) => {
                let s = s.as_str().unwrap_or_default();
                if out.buf.len() + s.len() > funcs::MAX_STRING_LEN {
                    return Err(self.err(
                        e,
                        "Template result too long",
                        format!(
                            "The template would produce a string longer than {} bytes.",
                            funcs::MAX_STRING_LEN
                        ),
                    ));
                }
                out.buf.push_str(s);
                Ok(())
            }
            Err(_) => Err(self.err(
                e,
                "Invalid template interpolation value",
                format!("Cannot include the given value in a string template: string required, but have {}.", v.ty().friendly_name()),
            )),
        }
    }

    /// (key, value) pairs for iterating a collection in `for`.
    fn iter_pairs(&self, e: &Expression, coll: &Value) -> R<Vec<(Value, Value)>> {
        let s = coll.sensitive;
        match &coll.kind {
            Kind::List(_, xs) | Kind::Tuple(xs) => Ok(xs
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::int(i as i64), v.clone().mark(s)))
                .collect()),
            Kind::Set(_, xs) => Ok(xs
                .iter()
                .map(|v| (v.clone().mark(s), v.clone().mark(s)))
                .collect()),
            Kind::Map(_, m) | Kind::Object(m) => Ok(m
                .iter()
                .map(|(k, v)| (Value::string(k.clone()), v.clone().mark(s)))
                .collect()),
            _ => Err(self.err(
                e,
                "Iteration over non-iterable value",
                format!(
                    "A value of type {} cannot be used as the collection in a 'for' expression.",
                    coll.ty().friendly_name()
                ),
            )),
        }
    }

    fn eval_for(&mut self, f: &hcl_edit::expr::ForExpr, e: &Expression) -> R<Value> {
        let coll = self.eval(&f.intro.collection_expr)?;
        if coll.is_null() {
            return Err(self.err(
                &f.intro.collection_expr,
                "Iteration over null value",
                "A null value cannot be used as the collection in a 'for' expression.",
            ));
        }
        let is_obj = f.key_expr.is_some();
        if !coll.is_known() {
            return Ok(Value::unknown(Type::Dynamic).mark(coll.sensitive));
        }
        let pairs = self.iter_pairs(&f.intro.collection_expr, &coll)?;
        let mut items = vec![];
        let mut obj: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut unknown = false;
        let mut sens = coll.sensitive;
        for (k, v) in pairs {
            self.iteration(e)?;
            let n = self.scopes.len();
            if let Some(kv) = &f.intro.key_var {
                self.scopes.push((kv.as_str().to_string(), k));
            }
            self.scopes
                .push((f.intro.value_var.as_str().to_string(), v));
            let r = (|| -> R<()> {
                if let Some(c) = &f.cond {
                    let cv = self.eval(&c.expr)?;
                    if cv.is_null() {
                        return Err(self.err(
                            &c.expr,
                            "Invalid 'for' condition",
                            "The value of the 'if' clause must not be null.",
                        ));
                    }
                    sens |= cv.sensitive;
                    let cb = convert(&cv.clone().unmark_deep(), &Type::Bool).map_err(|_| {
                        self.err(
                            &c.expr,
                            "Invalid 'for' condition",
                            format!(
                                "The 'if' clause value is invalid: bool required, but have {}.",
                                cv.ty().friendly_name()
                            ),
                        )
                    })?;
                    match cb.as_bool() {
                        None => {
                            unknown = true;
                            return Ok(());
                        }
                        Some(false) => return Ok(()),
                        _ => {}
                    }
                }
                if let Some(ke) = &f.key_expr {
                    let kv = self.eval(ke)?;
                    if !kv.is_known() {
                        unknown = true;
                        return Ok(());
                    }
                    if kv.is_null() {
                        return Err(self.err(
                            ke,
                            "Invalid object key",
                            "Key expression in 'for' expression must not produce a null value.",
                        ));
                    }
                    sens |= kv.sensitive;
                    let ks = convert(&kv.clone().unmark_deep(), &Type::String).map_err(|_| {
                        self.err(ke, "Invalid object key", format!("The key expression produced an invalid result: string required, but have {}.", kv.ty().friendly_name()))
                    })?;
                    let key = ks.as_str().unwrap_or_default().to_string();
                    let val = self.eval(&f.value_expr)?;
                    if f.grouping {
                        groups.entry(key).or_default().push(val);
                    } else {
                        if obj.contains_key(&key) {
                            return Err(self.err(
                                ke,
                                "Duplicate object key",
                                format!("Two different items produced the key {key:?} in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key."),
                            ));
                        }
                        obj.insert(key, val);
                    }
                } else {
                    items.push(self.eval(&f.value_expr)?);
                }
                Ok(())
            })();
            self.scopes.truncate(n);
            r?;
        }
        if unknown {
            return Ok(Value::unknown(Type::Dynamic).mark(sens));
        }
        let _ = e;
        if is_obj {
            if f.grouping {
                return Ok(Value::object(
                    groups
                        .into_iter()
                        .map(|(k, v)| (k, Value::tuple(v)))
                        .collect(),
                )
                .mark(sens));
            }
            Ok(Value::object(obj).mark(sens))
        } else {
            Ok(Value::tuple(items).mark(sens))
        }
    }

    fn eval_traversal(&mut self, e: &Expression, ops: &[&TraversalOperator]) -> R<Value> {
        self.eval_traversal_ops(e, ops, e)
    }

    /// Evaluate `base` followed by traversal operators.
    fn eval_traversal_ops(
        &mut self,
        base: &Expression,
        ops: &[&TraversalOperator],
        whole: &Expression,
    ) -> R<Value> {
        let (mut cur, mut rest): (Value, &[&TraversalOperator]) =
            if let Expression::Variable(v) = base {
                let name = v.as_str();
                if let Some(val) = self.lookup_scope(name) {
                    (val.clone(), ops)
                } else {
                    let attrs: Vec<&str> = ops
                        .iter()
                        .map_while(|o| match o {
                            TraversalOperator::GetAttr(a) => Some(a.as_str()),
                            _ => None,
                        })
                        .collect();
                    // `x.name[key]`: when the operator right after the
                    // attribute names is an index whose key evaluates, the
                    // resolver indexes its value in place instead of handing
                    // over a clone of it whole (referring to one instance of a
                    // resource with N instances would otherwise copy all N).
                    // A key that fails to evaluate falls back to the plain
                    // order (reference first, then key), so errors are as
                    // before; a pre-evaluated key is never evaluated twice.
                    let mut pre_key = match ops.get(attrs.len()) {
                        Some(TraversalOperator::Index(ie)) => self.eval(ie).ok(),
                        _ => None,
                    };
                    let resolver = self.resolver;
                    let this = &*self;
                    let project = |v: &Value, used: usize| -> Option<R<Value>> {
                        match &pre_key {
                            Some(k) if used == attrs.len() => Some(this.index(v, k, whole)),
                            _ => None,
                        }
                    };
                    let res = resolver.resolve_project(name, &attrs, this.range(whole), &project);
                    let (val, used, projected) = res.map_err(|d| {
                        let mut d = d;
                        for x in d.0.iter_mut() {
                            if x.context.is_none() {
                                x.context = self.context.clone();
                            }
                        }
                        d
                    })?;
                    if projected {
                        (val, &ops[(used + 1).min(ops.len())..])
                    } else {
                        let start = used.min(ops.len());
                        let (v, rest) = (val, &ops[start..]);
                        // Consume the operators up to and including the
                        // pre-evaluated index here, with its key.
                        if let Some(k) = pre_key.take().filter(|_| start <= attrs.len()) {
                            let mut cur = v;
                            let mut i = start;
                            while i < attrs.len() {
                                if let TraversalOperator::GetAttr(a) = ops[i] {
                                    cur = self.get_attr(&cur, a.as_str(), whole)?;
                                }
                                i += 1;
                            }
                            cur = self.index(&cur, &k, whole)?;
                            (cur, &ops[attrs.len() + 1..])
                        } else {
                            (v, rest)
                        }
                    }
                }
            } else {
                (self.eval(base)?, ops)
            };
        while let Some((op, tail)) = rest.split_first() {
            match op {
                TraversalOperator::GetAttr(a) => {
                    cur = self.get_attr(&cur, a.as_str(), whole)?;
                    rest = tail;
                }
                TraversalOperator::Index(ie) => {
                    let k = self.eval(ie)?;
                    cur = self.index(&cur, &k, whole)?;
                    rest = tail;
                }
                TraversalOperator::LegacyIndex(i) => {
                    cur = self.index(&cur, &Value::int(*i.value() as i64), whole)?;
                    rest = tail;
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let full = matches!(op, TraversalOperator::FullSplat(_));
                    // The operators that apply to each element.
                    let n = if full {
                        tail.len()
                    } else {
                        tail.iter()
                            .take_while(|o| matches!(o, TraversalOperator::GetAttr(_)))
                            .count()
                    };
                    let (each_ops, after) = tail.split_at(n);
                    cur = self.splat(&cur, each_ops, whole)?;
                    rest = after;
                }
            }
        }
        Ok(cur)
    }

    fn splat(&mut self, v: &Value, ops: &[&TraversalOperator], whole: &Expression) -> R<Value> {
        let s = v.sensitive;
        let items: Vec<Value> = match &v.kind {
            Kind::Null(_) => return Ok(Value::empty_tuple()),
            Kind::Unknown(_) => return Ok(Value::unknown(Type::Dynamic).mark(s)),
            Kind::List(_, xs) | Kind::Tuple(xs) | Kind::Set(_, xs) => xs.clone(),
            _ => vec![v.clone()],
        };
        let mut out = vec![];
        for it in items {
            let mut cur = it.mark(s);
            for op in ops {
                cur = match op {
                    TraversalOperator::GetAttr(a) => self.get_attr(&cur, a.as_str(), whole)?,
                    TraversalOperator::Index(ie) => {
                        let k = self.eval(ie)?;
                        self.index(&cur, &k, whole)?
                    }
                    TraversalOperator::LegacyIndex(i) => {
                        self.index(&cur, &Value::int(*i.value() as i64), whole)?
                    }
                    TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                        self.splat(&cur, &[], whole)?
                    }
                };
            }
            out.push(cur);
        }
        match &v.kind {
            Kind::List(_, _) | Kind::Set(_, _) => {
                let tys: Vec<Type> = out.iter().map(|x| x.ty()).collect();
                match super::convert::unify(&tys) {
                    Some(t) if !out.is_empty() && tys.iter().all(|x| *x == t) => {
                        Ok(Value::list(t, out))
                    }
                    _ if out.is_empty() => Ok(Value::list(Type::Dynamic, out)),
                    _ => Ok(Value::tuple(out)),
                }
            }
            _ => Ok(Value::tuple(out)),
        }
    }

    pub fn get_attr(&self, v: &Value, name: &str, whole: &Expression) -> R<Value> {
        let s = v.sensitive;
        match &v.kind {
            Kind::Unknown(_) => Ok(Value::unknown(Type::Dynamic).mark(s)),
            Kind::Null(_) => Err(self.err(
                whole,
                "Attempt to get attribute from null value",
                "This value is null, so it does not have any attributes.",
            )),
            Kind::Object(m) => match m.get(name) {
                Some(x) => Ok(x.clone().mark(s)),
                None => Err(self.err(
                    whole,
                    "Unsupported attribute",
                    format!("This object does not have an attribute named {name:?}.{}", crate::config::suggest(name, &m.keys().map(|k| k.as_str()).collect::<Vec<_>>())),
                )),
            },
            Kind::Map(et, m) => match m.get(name) {
                Some(x) => Ok(x.clone().mark(s)),
                None => {
                    let _ = et;
                    Err(self.err(whole, "Missing map element", format!("This map does not have an element with the key {name:?}.")))
                }
            },
            Kind::List(..) | Kind::Tuple(_) | Kind::Set(..) => Err(self.err(
                whole,
                "Unsupported attribute",
                format!("Can't access attributes on a {}. Did you mean to access an attribute for each element of the collection? If so, use the splat operator [*] or a for expression.", v.ty().friendly_name()),
            )),
            _ => Err(self.err(
                whole,
                "Unsupported attribute",
                format!("Can't access attributes on a primitive-typed value ({}).", v.ty().friendly_name()),
            )),
        }
    }

    pub fn index(&self, v: &Value, k: &Value, whole: &Expression) -> R<Value> {
        let s = v.sensitive || k.sensitive;
        if k.is_null() {
            return Err(self.err(
                whole,
                "Invalid index",
                "Can't use a null value as an indexing key.",
            ));
        }
        if !v.is_known() {
            return Ok(Value::unknown(Type::Dynamic).mark(s));
        }
        match &v.kind {
            Kind::Null(_) => Err(self.err(whole, "Attempt to index null value", "This value is null, so it does not have any indices.")),
            Kind::List(_, xs) | Kind::Tuple(xs) => {
                if !k.is_known() {
                    return Ok(Value::unknown(Type::Dynamic).mark(s));
                }
                let n = convert(&k.clone().unmark_deep(), &Type::Number)
                    .ok()
                    .and_then(|n| n.as_number().cloned())
                    .ok_or_else(|| self.err(whole, "Invalid index", "The given key does not identify an element in this collection value: a number is required."))?;
                let i = match n.to_i64() {
                    Some(i) => i,
                    None => return Err(self.err(whole, "Invalid index", "The given key does not identify an element in this collection value: a whole number is required.")),
                };
                if i < 0 || i as usize >= xs.len() {
                    return Err(self.err(whole, "Invalid index", "The given key does not identify an element in this collection value: the collection has no element for the given index."));
                }
                Ok(xs[i as usize].clone().mark(s))
            }
            Kind::Map(_, m) | Kind::Object(m) => {
                if !k.is_known() {
                    return Ok(Value::unknown(Type::Dynamic).mark(s));
                }
                let key = convert(&k.clone().unmark_deep(), &Type::String)
                    .ok()
                    .and_then(|x| x.as_str().map(|x| x.to_string()))
                    .ok_or_else(|| self.err(whole, "Invalid index", "The given key does not identify an element in this collection value: string required."))?;
                match m.get(&key) {
                    Some(x) => Ok(x.clone().mark(s)),
                    None => {
                        if matches!(v.kind, Kind::Object(_)) {
                            Err(self.err(whole, "Invalid index", format!("The given key does not identify an element in this collection value.{}", "")))
                        } else {
                            Err(self.err(whole, "Invalid index", "The given key does not identify an element in this collection value."))
                        }
                    }
                }
            }
            Kind::Set(..) => Err(self.err(
                whole,
                "Invalid index",
                "Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set.",
            )),
            _ => Err(self.err(whole, "Invalid index", format!("This value does not have any indices (it is a {}).", v.ty().friendly_name()))),
        }
    }

    fn eval_call(&mut self, fc: &hcl_edit::expr::FuncCall, e: &Expression) -> R<Value> {
        let name: String = if fc.name.is_namespaced() {
            let mut parts: Vec<String> = fc
                .name
                .namespace
                .iter()
                .map(|n| n.as_str().to_string())
                .collect();
            parts.push(fc.name.name.as_str().to_string());
            parts.join("::")
        } else {
            fc.name.name.as_str().to_string()
        };
        let name = name
            .strip_prefix("provider::terraform::")
            .map(|s| s.to_string())
            .unwrap_or(name);
        let args: Vec<&Expression> = fc.args.iter().collect();
        match name.as_str() {
            "try" => {
                if args.is_empty() {
                    return Err(self.err(
                        e,
                        "Not enough function arguments",
                        "Function \"try\" expects at least one argument.",
                    ));
                }
                let mut last = None;
                for a in &args {
                    match self.eval(a) {
                        Ok(v) => {
                            if !v.is_wholly_known() {
                                return Ok(Value::unknown(Type::Dynamic));
                            }
                            return Ok(v);
                        }
                        Err(d) => last = Some(d),
                    }
                }
                let _ = last;
                return Err(self.err(
                    e,
                    "Error in function call",
                    "Call to function \"try\" failed: no expression succeeded:\nAt least one expression must produce a successful result.",
                ));
            }
            "can" => {
                if args.len() != 1 {
                    return Err(self.err(
                        e,
                        "Incorrect number of arguments",
                        "Function \"can\" expects exactly one argument.",
                    ));
                }
                return match self.eval(args[0]) {
                    Ok(v) if !v.is_wholly_known() => Ok(Value::unknown(Type::Bool)),
                    Ok(_) => Ok(Value::bool(true)),
                    Err(_) => Ok(Value::bool(false)),
                };
            }
            _ => {}
        }
        // Evaluate the arguments, expanding a final `...` argument.
        let mut vals = vec![];
        let mut diags = Diagnostics::new();
        for a in &args {
            match self.eval(a) {
                Ok(v) => vals.push(v),
                Err(d) => diags.extend(d),
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        if fc.args.expand_final() {
            if let Some(last) = vals.pop() {
                match &last.kind {
                    Kind::List(_, xs) | Kind::Tuple(xs) | Kind::Set(_, xs) => {
                        let s = last.sensitive;
                        vals.extend(xs.iter().map(|x| x.clone().mark(s)));
                    }
                    Kind::Unknown(_) => return Ok(Value::unknown(Type::Dynamic)),
                    _ => {
                        return Err(self.err(
                            args.last().copied().unwrap_or(e),
                            "Invalid expanding argument value",
                            "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
                        ))
                    }
                }
            }
        }
        match name.as_str() {
            "templatefile" => return self.templatefile(e, &args, vals),
            "templatestring" => return self.templatestring(e, &args, vals),
            _ => {}
        }
        let f = match funcs::registry().get(&name) {
            Some(f) => f,
            None => {
                let detail = if let Some(h) = funcs::removed_function_hint(&name) {
                    format!("There is no function named {name:?}; {h}.")
                } else {
                    let names: Vec<&str> = funcs::registry().names().copied().collect();
                    format!(
                        "There is no function named {name:?}.{}",
                        crate::config::suggest(&name, &names)
                    )
                };
                return Err(self.err(e, "Call to unknown function", detail));
            }
        };
        let nparams = f.params.len();
        if vals.len() < nparams {
            return Err(self.err(
                e,
                "Not enough function arguments",
                format!(
                    "Function {name:?} expects {} argument(s). Missing value for {:?}.",
                    nparams,
                    f.params[vals.len()].name
                ),
            ));
        }
        if vals.len() > nparams && f.variadic.is_none() {
            return Err(self.err(
                args.get(nparams).copied().unwrap_or(e),
                "Too many function arguments",
                format!("Function {name:?} expects only {nparams} argument(s)."),
            ));
        }
        match funcs::call_func(self.fnctx, f, vals) {
            Ok(v) => Ok(v),
            Err(FnError::Arg { index, msg }) => {
                let pname = if index < nparams {
                    f.params[index].name
                } else {
                    f.variadic.as_ref().map(|p| p.name).unwrap_or("args")
                };
                let at = args.get(index).copied().unwrap_or(e);
                Err(self.err(
                    at,
                    "Invalid function argument",
                    format!("Invalid value for {pname:?} parameter: {msg}.").replace("..", "."),
                ))
            }
            Err(FnError::Msg(m)) => Err(self.err(
                e,
                "Error in function call",
                format!("Call to function {name:?} failed: {m}."),
            )),
        }
    }

    fn templatefile(&mut self, e: &Expression, args: &[&Expression], vals: Vec<Value>) -> R<Value> {
        if vals.len() != 2 {
            return Err(self.err(e, "Incorrect number of arguments", "Function \"templatefile\" expects two arguments: a path and an object of variables."));
        }
        let path = &vals[0];
        if !path.is_known() {
            return Ok(Value::unknown(Type::Dynamic));
        }
        let p = match path.as_str() {
            Some(p) => p.to_string(),
            None => {
                return Err(self.err(
                    args[0],
                    "Invalid function argument",
                    "Invalid value for \"path\" parameter: string required.",
                ))
            }
        };
        let full = self.fnctx.base_dir.join(&p);
        let text = std::fs::read_to_string(&full).map_err(|_| {
            self.err(args[0], "Invalid function argument", format!("Invalid value for \"path\" parameter: no file exists at {p:?}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource."))
        })?;
        self.render_template_text(
            e,
            args.get(1).copied().unwrap_or(e),
            &text,
            &vals[1],
            "templatefile",
            path.sensitive,
        )
    }

    fn templatestring(
        &mut self,
        e: &Expression,
        args: &[&Expression],
        vals: Vec<Value>,
    ) -> R<Value> {
        if vals.len() != 2 {
            return Err(self.err(e, "Incorrect number of arguments", "Function \"templatestring\" expects two arguments: a template string and an object of variables."));
        }
        if !vals[0].is_known() {
            return Ok(Value::unknown(Type::String));
        }
        let text = match vals[0].as_str() {
            Some(t) => t.to_string(),
            None => {
                return Err(self.err(
                    args[0],
                    "Invalid function argument",
                    "Invalid value for \"template\" parameter: string required.",
                ))
            }
        };
        self.render_template_text(
            e,
            args[1],
            &text,
            &vals[1],
            "templatestring",
            vals[0].sensitive,
        )
    }

    fn render_template_text(
        &mut self,
        e: &Expression,
        vars_expr: &Expression,
        text: &str,
        vars: &Value,
        fname: &str,
        sens: bool,
    ) -> R<Value> {
        if !vars.is_wholly_known() {
            return Ok(Value::unknown(Type::Dynamic));
        }
        let entries = match vars.as_entries() {
            Some(m) => m.clone(),
            None if vars.is_null() => BTreeMap::new(),
            None => {
                return Err(self.err(
                    vars_expr,
                    "Invalid function argument",
                    "Invalid value for \"vars\" parameter: a map or object is required.",
                ))
            }
        };
        for k in entries.keys() {
            if !crate::config::is_valid_name(k) {
                return Err(self.err(vars_expr, "Invalid function argument", format!("Invalid value for \"vars\" parameter: invalid template variable name {k:?}: must start with a letter, followed by zero or more letters, digits, and underscores.")));
            }
        }
        let tpl = hcl_edit::parser::parse_template(text).map_err(|er| {
            self.err(
                e,
                "Error in function call",
                format!(
                    "Call to function {fname:?} failed: failed to parse template: {}.",
                    er.message()
                ),
            )
        })?;
        let resolver = TemplateVars {
            vars: &entries,
            sensitive: vars.sensitive,
        };
        let mut sub = Evaluator::new(&resolver, self.fnctx, self.file.clone());
        sub.context = self.context.clone();
        // Report errors inside the template at the call site.
        let elems: Vec<&Element> = tpl.iter().collect();
        let res = if elems.len() == 1 {
            if let Element::Interpolation(i) = elems[0] {
                sub.eval(&i.expr)
            } else {
                sub.render(&tpl, e)
            }
        } else {
            sub.render(&tpl, e)
        };
        match res {
            Ok(v) => Ok(v.mark(sens)),
            Err(d) => {
                let first =
                    d.0.first()
                        .map(|x| format!("{}: {}", x.summary, x.detail))
                        .unwrap_or_default();
                Err(self.err(
                    e,
                    "Error in function call",
                    format!("Call to function {fname:?} failed: {first}"),
                ))
            }
        }
    }

    fn render(&mut self, t: &Template, e: &Expression) -> R<Value> {
        let mut out = TplOut {
            buf: String::new(),
            unknown: false,
            sensitive: false,
            strip_next: false,
            last_lit: None,
        };
        // Spans inside a parsed template refer to the template text, not the file.
        let saved = std::mem::replace(&mut self.file, Arc::from(""));
        let r = self.eval_template(t, &mut out, e);
        self.file = saved;
        r?;
        if out.unknown {
            return Ok(Value::unknown(Type::String).mark(out.sensitive));
        }
        Ok(Value::string(nfc(&out.buf)).mark(out.sensitive))
    }
}

/// Render template `text` with `vars` (and Terraform's functions): the
/// template provider's `template_file`. Errors are messages.
pub fn render_template_with(
    text: &str,
    vars: &BTreeMap<String, Value>,
    fnctx: &FnCtx,
) -> Result<Value, String> {
    let tpl = hcl_edit::parser::parse_template(text)
        .map_err(|e| format!("failed to parse template: {}", e.message()))?;
    let resolver = TemplateVars {
        vars,
        sensitive: false,
    };
    let anchor = hcl_edit::parser::parse_expr("null").map_err(|e| e.message().to_string())?;
    let mut sub = Evaluator::new(&resolver, fnctx, Arc::from(""));
    sub.render(&tpl, &anchor).map_err(|d| {
        d.0.first()
            .map(|x| format!("{}: {}", x.summary, x.detail))
            .unwrap_or_default()
    })
}

/// Resolver for templatefile/templatestring: only the given variables.
struct TemplateVars<'a> {
    vars: &'a BTreeMap<String, Value>,
    sensitive: bool,
}

impl Resolver for TemplateVars<'_> {
    fn resolve(
        &self,
        root: &str,
        _attrs: &[&str],
        range: Option<SourceRange>,
    ) -> R<(Value, usize)> {
        match self.vars.get(root) {
            Some(v) => Ok((v.clone().mark(self.sensitive), 0)),
            None => Err(Diagnostic::error(
                "Invalid reference",
                format!("vars map does not contain key {root:?}"),
            )
            .at(range)
            .into()),
        }
    }
}

/// Terraform normalizes strings to Unicode NFC.
pub fn nfc(s: &str) -> String {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s.to_string()
    } else {
        s.nfc().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(src: &str) -> Result<Value, Diagnostic> {
        let e = hcl_edit::parser::parse_expr(src).unwrap();
        eval_constant(&e, &Arc::from("<test>"))
    }

    #[test]
    fn nested_for_iterations_are_capped() {
        // Found by fuzzing: a billion iterations ran for hours.
        let err = ev("[for i in range(1024): [for j in range(1024): [for k in range(1000): k]]]")
            .unwrap_err();
        assert_eq!(err.summary, "Too many iterations");
        let v = ev("length([for i in range(1000): [for j in range(10): j]])").unwrap();
        assert_eq!(crate::lang::render::render(&v), "1000");
    }
}
