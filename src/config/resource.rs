//! Meta-arguments of `resource` / `data` blocks (count, for_each, depends_on,
//! provider, lifecycle, provisioners) and the `moved`, `import` and `removed`
//! blocks, separated from the resource's own arguments at load time.

use std::sync::Arc;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::Span;

use super::{attr, const_string, range_of, Check, Expr};
use crate::diag::{Diagnostic, Diagnostics, SourceRange};

#[derive(Clone, Debug, Default, PartialEq)]
pub enum IgnoreChanges {
    #[default]
    None,
    All,
    /// Top-level attribute names (and simple paths, dotted).
    Paths(Vec<String>),
}

#[derive(Clone, Debug, Default)]
pub struct Lifecycle {
    pub create_before_destroy: bool,
    pub prevent_destroy: bool,
    pub ignore_changes: IgnoreChanges,
    pub replace_triggered_by: Vec<Expr>,
    pub preconditions: Vec<Check>,
    pub postconditions: Vec<Check>,
}

#[derive(Clone, Debug)]
pub struct Provisioner {
    pub kind: String,
    pub when_destroy: bool,
    pub on_failure_continue: bool,
    pub body: Body,
    pub file: Arc<str>,
    pub range: Option<SourceRange>,
}

#[derive(Clone, Debug, Default)]
pub struct ResourceMeta {
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Expr>,
    /// Provider local name and alias (`provider = aws.west`).
    pub provider: Option<(String, Option<String>)>,
    pub lifecycle: Lifecycle,
    pub provisioners: Vec<Provisioner>,
    /// The resource's own arguments and blocks, without meta-arguments.
    pub body: Body,
}

const META_ATTRS: &[&str] = &["count", "for_each", "depends_on", "provider"];

/// Split a resource body into meta-arguments and its own configuration.
pub fn split_meta(
    body: &Body,
    file: &Arc<str>,
    source: &str,
    diags: &mut Diagnostics,
) -> ResourceMeta {
    let mut m = ResourceMeta::default();
    let mut own = Body::new();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let e = Expr {
                    expr: a.value.clone(),
                    file: file.clone(),
                };
                match a.key.as_str() {
                    "count" => m.count = Some(e),
                    "for_each" => m.for_each = Some(e),
                    "depends_on" => match &a.value {
                        Expression::Array(arr) => {
                            m.depends_on = arr
                                .iter()
                                .map(|x| Expr {
                                    expr: x.clone(),
                                    file: file.clone(),
                                })
                                .collect()
                        }
                        _ => diags.push(
                            Diagnostic::error(
                                "Invalid depends_on",
                                "The depends_on argument must be a list of references.",
                            )
                            .at(range_of(file, a.value.span())),
                        ),
                    },
                    "provider" => {
                        let text = a
                            .value
                            .span()
                            .and_then(|sp| source.get(sp))
                            .unwrap_or("")
                            .trim()
                            .to_string();
                        let mut parts = text.splitn(2, '.');
                        let name = parts.next().unwrap_or("").to_string();
                        let alias = parts.next().map(|s| s.to_string());
                        m.provider = Some((name, alias));
                    }
                    _ => own.push(s.clone()),
                }
            }
            Structure::Block(b) => match b.ident.as_str() {
                "lifecycle" => m.lifecycle = parse_lifecycle(b, file, source, diags),
                "provisioner" => {
                    let kind = b
                        .labels
                        .first()
                        .map(|l| l.as_str().to_string())
                        .unwrap_or_default();
                    if kind != "local-exec" {
                        diags.push(
                            Diagnostic::error(
                                "Unsupported provisioner",
                                format!("herd supports the \"local-exec\" provisioner; {kind:?} is not available. Run remote commands from the instance's user_data or a configuration tool instead."),
                            )
                            .at(range_of(file, b.ident.span())),
                        );
                        continue;
                    }
                    let mut p = Provisioner {
                        kind,
                        when_destroy: false,
                        on_failure_continue: false,
                        body: Body::new(),
                        file: file.clone(),
                        range: range_of(file, b.ident.span()),
                    };
                    for ps in b.body.iter() {
                        match ps {
                            Structure::Attribute(pa) if pa.key.as_str() == "when" => {
                                p.when_destroy = expr_text(&pa.value, source) == "destroy";
                            }
                            Structure::Attribute(pa) if pa.key.as_str() == "on_failure" => {
                                p.on_failure_continue = expr_text(&pa.value, source) == "continue";
                            }
                            Structure::Block(cb) if cb.ident.as_str() == "connection" => {}
                            _ => p.body.push(ps.clone()),
                        }
                    }
                    m.provisioners.push(p);
                }
                "connection" => {}
                _ => own.push(s.clone()),
            },
        }
    }
    m.body = own;
    m
}

fn expr_text(e: &Expression, source: &str) -> String {
    match e {
        Expression::Variable(v) => v.as_str().to_string(),
        e => const_string(e).unwrap_or_else(|| {
            e.span()
                .and_then(|sp| source.get(sp))
                .unwrap_or("")
                .trim()
                .to_string()
        }),
    }
}

fn parse_lifecycle(b: &Block, file: &Arc<str>, source: &str, diags: &mut Diagnostics) -> Lifecycle {
    let mut l = Lifecycle::default();
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) => match a.key.as_str() {
                "create_before_destroy" => {
                    l.create_before_destroy = matches!(&a.value, Expression::Bool(b) if *b.value())
                }
                "prevent_destroy" => {
                    l.prevent_destroy = matches!(&a.value, Expression::Bool(b) if *b.value())
                }
                "ignore_changes" => {
                    l.ignore_changes = match &a.value {
                        Expression::Variable(v) if v.as_str() == "all" => IgnoreChanges::All,
                        Expression::String(s) if s.value() == "all" => IgnoreChanges::All,
                        Expression::Array(arr) => {
                            IgnoreChanges::Paths(arr.iter().map(|x| expr_text(x, source)).collect())
                        }
                        _ => {
                            diags.push(
                                Diagnostic::error("Invalid ignore_changes", "ignore_changes must be a list of attribute names, or the keyword all.")
                                    .at(range_of(file, a.value.span())),
                            );
                            IgnoreChanges::None
                        }
                    }
                }
                "replace_triggered_by" => {
                    if let Expression::Array(arr) = &a.value {
                        l.replace_triggered_by = arr
                            .iter()
                            .map(|x| Expr {
                                expr: x.clone(),
                                file: file.clone(),
                            })
                            .collect();
                    }
                }
                k => diags.push(
                    Diagnostic::error(
                        "Unsupported argument",
                        format!(
                            "An argument named {k:?} is not expected here.{}",
                            super::suggest(
                                k,
                                &[
                                    "create_before_destroy",
                                    "prevent_destroy",
                                    "ignore_changes",
                                    "replace_triggered_by"
                                ]
                            )
                        ),
                    )
                    .at(range_of(file, a.key.span())),
                ),
            },
            Structure::Block(cb) => {
                let c = attr(&cb.body, "condition");
                let msg = attr(&cb.body, "error_message");
                if let (Some(c), Some(msg)) = (c, msg) {
                    let check = Check {
                        condition: Expr {
                            expr: c.value.clone(),
                            file: file.clone(),
                        },
                        error_message: Expr {
                            expr: msg.value.clone(),
                            file: file.clone(),
                        },
                    };
                    match cb.ident.as_str() {
                        "precondition" => l.preconditions.push(check),
                        "postcondition" => l.postconditions.push(check),
                        _ => {}
                    }
                }
            }
        }
    }
    l
}

/// `moved { from = ..., to = ... }`
#[derive(Clone, Debug)]
pub struct Moved {
    pub from: String,
    pub to: String,
    pub range: Option<SourceRange>,
}

/// `import { to = ..., id = "..." }`
#[derive(Clone, Debug)]
pub struct Import {
    pub to: String,
    pub id: Expr,
    pub range: Option<SourceRange>,
}

/// `removed { from = ..., lifecycle { destroy = false } }`
#[derive(Clone, Debug)]
pub struct Removed {
    pub from: String,
    pub destroy: bool,
    pub range: Option<SourceRange>,
}

pub fn parse_moved(
    b: &Block,
    file: &Arc<str>,
    source: &str,
    diags: &mut Diagnostics,
) -> Option<Moved> {
    let range = range_of(file, b.ident.span());
    match (attr(&b.body, "from"), attr(&b.body, "to")) {
        (Some(f), Some(t)) => Some(Moved {
            from: expr_text(&f.value, source),
            to: expr_text(&t.value, source),
            range,
        }),
        _ => {
            diags.push(
                Diagnostic::error(
                    "Missing required argument",
                    "A moved block requires both \"from\" and \"to\".",
                )
                .at(range),
            );
            None
        }
    }
}

pub fn parse_import(
    b: &Block,
    file: &Arc<str>,
    source: &str,
    diags: &mut Diagnostics,
) -> Option<Import> {
    let range = range_of(file, b.ident.span());
    match (attr(&b.body, "to"), attr(&b.body, "id")) {
        (Some(t), Some(id)) => Some(Import {
            to: expr_text(&t.value, source),
            id: Expr {
                expr: id.value.clone(),
                file: file.clone(),
            },
            range,
        }),
        _ => {
            diags.push(
                Diagnostic::error(
                    "Missing required argument",
                    "An import block requires both \"to\" and \"id\".",
                )
                .at(range),
            );
            None
        }
    }
}

pub fn parse_removed(
    b: &Block,
    file: &Arc<str>,
    source: &str,
    diags: &mut Diagnostics,
) -> Option<Removed> {
    let range = range_of(file, b.ident.span());
    let from = match attr(&b.body, "from") {
        Some(f) => expr_text(&f.value, source),
        None => {
            diags.push(
                Diagnostic::error(
                    "Missing required argument",
                    "A removed block requires \"from\".",
                )
                .at(range),
            );
            return None;
        }
    };
    let mut destroy = true;
    for s in b.body.iter() {
        if let Structure::Block(lb) = s {
            if lb.ident.as_str() == "lifecycle" {
                if let Some(d) = attr(&lb.body, "destroy") {
                    destroy = !matches!(&d.value, Expression::Bool(b) if !*b.value());
                }
            }
        }
    }
    Some(Removed {
        from,
        destroy,
        range,
    })
}

pub fn is_meta_attr(name: &str) -> bool {
    META_ATTRS.contains(&name)
}
