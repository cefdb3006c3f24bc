//! References: which named objects an expression (or a whole block body)
//! refers to — the edges of the dependency graph.

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::{Directive, Element, Template};

/// A reference found in an expression: the root name and the attribute
/// names that directly follow it (`aws_vpc.main.id` → ("aws_vpc", ["main", "id"])).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ref {
    pub root: String,
    pub attrs: Vec<String>,
    /// Byte range of the whole traversal in its file.
    pub span: Option<std::ops::Range<usize>>,
}

/// All references in an expression (names bound by `for` are excluded).
pub fn expr_refs(e: &Expression) -> Vec<Ref> {
    let mut out = vec![];
    let mut scope = vec![];
    walk(e, &mut scope, &mut out);
    out
}

/// All references in a block body, recursively (attributes and nested blocks).
pub fn body_refs(b: &Body) -> Vec<Ref> {
    let mut out = vec![];
    let mut scope = vec![];
    walk_body(b, &mut scope, &mut out);
    out
}

fn walk_body(b: &Body, scope: &mut Vec<String>, out: &mut Vec<Ref>) {
    for s in b.iter() {
        match s {
            Structure::Attribute(a) => walk(&a.value, scope, out),
            Structure::Block(bl) => {
                // A dynamic block's iterator name is bound inside its content.
                if bl.ident.as_str() == "dynamic" {
                    let label = bl
                        .labels
                        .first()
                        .map(|l| l.as_str().to_string())
                        .unwrap_or_default();
                    let iter = crate::config::attr(&bl.body, "iterator")
                        .and_then(|a| match &a.value {
                            Expression::Variable(v) => Some(v.as_str().to_string()),
                            _ => None,
                        })
                        .unwrap_or(label);
                    scope.push(iter);
                    walk_body(&bl.body, scope, out);
                    scope.pop();
                } else {
                    walk_body(&bl.body, scope, out);
                }
            }
        }
    }
}

fn walk(e: &Expression, scope: &mut Vec<String>, out: &mut Vec<Ref>) {
    use hcl_edit::Span;
    match e {
        Expression::Null(_)
        | Expression::Bool(_)
        | Expression::Number(_)
        | Expression::String(_) => {}
        Expression::Array(a) => a.iter().for_each(|x| walk(x, scope, out)),
        Expression::Object(o) => {
            for (k, v) in o.iter() {
                if let ObjectKey::Expression(ke) = k {
                    if !matches!(ke, Expression::Variable(_)) {
                        walk(ke, scope, out);
                    }
                }
                walk(v.expr(), scope, out);
            }
        }
        Expression::StringTemplate(t) => walk_template(t, scope, out),
        Expression::HeredocTemplate(h) => walk_template(&h.template, scope, out),
        Expression::Parenthesis(p) => walk(p.inner(), scope, out),
        Expression::Variable(v) => {
            if !scope.iter().any(|s| s == v.as_str()) {
                out.push(Ref {
                    root: v.as_str().to_string(),
                    attrs: vec![],
                    span: e.span(),
                });
            }
        }
        Expression::Traversal(t) => {
            if let Expression::Variable(v) = &t.expr {
                if !scope.iter().any(|s| s == v.as_str()) {
                    let attrs = t
                        .operators
                        .iter()
                        .map_while(|o| match o.value() {
                            TraversalOperator::GetAttr(a) => Some(a.as_str().to_string()),
                            TraversalOperator::Index(Expression::String(s)) => {
                                Some(s.value().to_string())
                            }
                            _ => None,
                        })
                        .collect();
                    out.push(Ref {
                        root: v.as_str().to_string(),
                        attrs,
                        span: e.span(),
                    });
                }
            } else {
                walk(&t.expr, scope, out);
            }
            for o in t.operators.iter() {
                if let TraversalOperator::Index(ie) = o.value() {
                    walk(ie, scope, out);
                }
            }
        }
        Expression::Conditional(c) => {
            walk(&c.cond_expr, scope, out);
            walk(&c.true_expr, scope, out);
            walk(&c.false_expr, scope, out);
        }
        Expression::FuncCall(f) => f.args.iter().for_each(|a| walk(a, scope, out)),
        Expression::UnaryOp(u) => walk(&u.expr, scope, out),
        Expression::BinaryOp(b) => {
            walk(&b.lhs_expr, scope, out);
            walk(&b.rhs_expr, scope, out);
        }
        Expression::ForExpr(f) => {
            walk(&f.intro.collection_expr, scope, out);
            let n = scope.len();
            if let Some(k) = &f.intro.key_var {
                scope.push(k.as_str().to_string());
            }
            scope.push(f.intro.value_var.as_str().to_string());
            if let Some(k) = &f.key_expr {
                walk(k, scope, out);
            }
            walk(&f.value_expr, scope, out);
            if let Some(c) = &f.cond {
                walk(&c.expr, scope, out);
            }
            scope.truncate(n);
        }
    }
}

fn walk_template(t: &Template, scope: &mut Vec<String>, out: &mut Vec<Ref>) {
    for el in t.iter() {
        match el {
            Element::Literal(_) => {}
            Element::Interpolation(i) => walk(&i.expr, scope, out),
            Element::Directive(d) => match &**d {
                Directive::If(i) => {
                    walk(&i.if_expr.cond_expr, scope, out);
                    walk_template(&i.if_expr.template, scope, out);
                    if let Some(e) = &i.else_expr {
                        walk_template(&e.template, scope, out);
                    }
                }
                Directive::For(f) => {
                    walk(&f.for_expr.collection_expr, scope, out);
                    let n = scope.len();
                    if let Some(k) = &f.for_expr.key_var {
                        scope.push(k.as_str().to_string());
                    }
                    scope.push(f.for_expr.value_var.as_str().to_string());
                    walk_template(&f.for_expr.template, scope, out);
                    scope.truncate(n);
                }
            },
        }
    }
}
