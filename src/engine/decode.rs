//! Decoding a resource block's body against its schema: arguments are
//! evaluated and converted to the schema's types, nested and `dynamic`
//! blocks expanded, and unknown or misplaced names reported with the closest
//! known name, all before any provider call.

use std::collections::BTreeMap;
use std::sync::Arc;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span;

use super::modeval::ModView;
use crate::config::{range_of, suggest};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::convert::convert;
use crate::lang::types::Type;
use crate::lang::value::{Kind, Value};
use crate::providers::{BlockNesting, Schema};

type R<T> = Result<T, Diagnostics>;

pub struct Decoder<'a, 'w> {
    pub view: &'a ModView<'w>,
    pub file: Arc<str>,
    pub context: Option<String>,
    /// Names bound by enclosing `dynamic` blocks.
    pub scopes: Vec<(String, Value)>,
}

impl Decoder<'_, '_> {
    fn eval(&self, e: &Expression) -> R<Value> {
        let mut ev = self.view.evaluator(self.file.clone(), self.context.clone());
        for (n, v) in &self.scopes {
            ev.push_scope(n, v.clone());
        }
        ev.eval(e)
    }

    fn err(
        &self,
        summary: &str,
        detail: String,
        span: Option<std::ops::Range<usize>>,
    ) -> Diagnostic {
        Diagnostic::error(summary, detail)
            .at(range_of(&self.file, span))
            .in_context(self.context.clone())
    }

    /// Decode `body` into an object of `schema`'s type.
    pub fn decode(&mut self, body: &Body, schema: &Schema) -> R<Value> {
        let mut diags = Diagnostics::new();
        let mut attrs: BTreeMap<String, Value> = BTreeMap::new();
        let mut blocks: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut unknown_blocks: BTreeMap<String, bool> = BTreeMap::new();
        // "Attributes as blocks" given as arguments, with the name's span.
        let mut block_attrs: BTreeMap<String, (Value, Option<std::ops::Range<usize>>)> =
            BTreeMap::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let name = a.key.as_str();
                    if let Some(sa) = schema.attributes.get(name) {
                        if !(sa.required || sa.optional) {
                            diags.push(self.err(
                                "Value for unconfigurable attribute",
                                format!("Can't configure a value for {name:?}: its value will be decided automatically based on the result of applying this configuration."),
                                a.key.span(),
                            ));
                            continue;
                        }
                        if attrs.contains_key(name) {
                            diags.push(self.err("Attribute redefined", format!("The argument {name:?} was already set. Each argument may be set only once."), a.key.span()));
                            continue;
                        }
                        match self.eval(&a.value) {
                            Ok(v) => match convert(&v, &sa.ty) {
                                Ok(v) => {
                                    attrs.insert(name.to_string(), v);
                                }
                                Err(e) => diags.push(self.err(
                                    "Incorrect attribute value type",
                                    format!("Inappropriate value for attribute {name:?}: {e}."),
                                    a.value.span(),
                                )),
                            },
                            Err(d) => diags.extend(d),
                        }
                    } else if let Some(nb) = schema.blocks.get(name).filter(|nb| nb.as_attr) {
                        if block_attrs.contains_key(name) {
                            diags.push(self.err("Attribute redefined", format!("The argument {name:?} was already set. Each argument may be set only once."), a.key.span()));
                            continue;
                        }
                        let ty = Schema::block_attr_type(nb);
                        match self.eval(&a.value) {
                            Ok(v) => match convert(&v, &ty) {
                                Ok(v) => {
                                    block_attrs.insert(
                                        name.to_string(),
                                        (with_block_defaults(&nb.block, v), a.key.span()),
                                    );
                                }
                                Err(e) => diags.push(self.err(
                                    "Incorrect attribute value type",
                                    format!("Inappropriate value for attribute {name:?}: {e}."),
                                    a.value.span(),
                                )),
                            },
                            Err(d) => diags.extend(d),
                        }
                    } else if schema.blocks.contains_key(name) {
                        diags.push(self.err(
                            "Unsupported argument",
                            format!("An argument named {name:?} is not expected here. Did you mean to define a block of type {name:?}?"),
                            a.key.span(),
                        ));
                    } else {
                        diags.push(self.err(
                            "Unsupported argument",
                            format!(
                                "An argument named {name:?} is not expected here.{}",
                                suggest(name, &schema.config_names())
                            ),
                            a.key.span(),
                        ));
                    }
                }
                Structure::Block(b) => {
                    let kind = b.ident.as_str();
                    if kind == "dynamic" {
                        let Some(label) = b.labels.first().map(|l| l.as_str().to_string()) else {
                            diags.push(self.err("Missing name for block", "A dynamic block requires one label: the type of block to generate.".into(), b.ident.span()));
                            continue;
                        };
                        let Some(nb) = schema.blocks.get(label.as_str()) else {
                            diags.push(self.err(
                                "Unsupported block type",
                                format!(
                                    "Blocks of type {label:?} are not expected here.{}",
                                    suggest(
                                        &label,
                                        &schema.blocks.keys().copied().collect::<Vec<_>>()
                                    )
                                ),
                                b.ident.span(),
                            ));
                            continue;
                        };
                        match self.dynamic(b, &label, &nb.block) {
                            Ok(Some(items)) => blocks.entry(label).or_default().extend(items),
                            Ok(None) => {
                                unknown_blocks.insert(label, true);
                            }
                            Err(d) => diags.extend(d),
                        }
                        continue;
                    }
                    let Some(nb) = schema.blocks.get(kind) else {
                        let detail = if schema.attributes.contains_key(kind) {
                            format!("Blocks of type {kind:?} are not expected here. Did you mean to define argument {kind:?}? If so, use the equals sign to assign it a value.")
                        } else {
                            format!(
                                "Blocks of type {kind:?} are not expected here.{}",
                                suggest(kind, &schema.blocks.keys().copied().collect::<Vec<_>>())
                            )
                        };
                        diags.push(self.err("Unsupported block type", detail, b.ident.span()));
                        continue;
                    };
                    if !b.labels.is_empty() {
                        diags.push(self.err(
                            "Extraneous label for block",
                            format!("No labels are expected for {kind} blocks."),
                            b.ident.span(),
                        ));
                        continue;
                    }
                    match self.decode(&b.body, &nb.block) {
                        Ok(v) => blocks.entry(kind.to_string()).or_default().push(v),
                        Err(d) => diags.extend(d),
                    }
                }
            }
        }
        for (name, sa) in &schema.attributes {
            if sa.required && !attrs.contains_key(*name) {
                diags.push(
                    Diagnostic::error(
                        "Missing required argument",
                        format!("The argument {name:?} is required, but no definition was found."),
                    )
                    .at(range_of(&self.file, body.span()))
                    .in_context(self.context.clone()),
                );
            }
        }
        for (name, nb) in &schema.blocks {
            let n = blocks.get(*name).map(|v| v.len()).unwrap_or(0);
            if let Some((_, span)) = block_attrs.get(*name) {
                if n > 0 || unknown_blocks.contains_key(*name) {
                    diags.push(self.err(
                        "Unsupported block type",
                        format!("Blocks of type {name:?} are not expected here: {name:?} is already set as an argument. Use either the argument or the blocks, not both."),
                        span.clone(),
                    ));
                }
                continue;
            }
            if unknown_blocks.contains_key(*name) {
                continue;
            }
            if n < nb.min_items {
                diags.push(
                    Diagnostic::error(
                        "Insufficient blocks",
                        format!("At least {} {name:?} block(s) are required.", nb.min_items),
                    )
                    .at(range_of(&self.file, body.span()))
                    .in_context(self.context.clone()),
                );
            }
            if n > nb.max_items {
                diags.push(
                    Diagnostic::error(
                        format!("Too many {name} blocks"),
                        format!(
                            "No more than {} {name:?} block(s) are allowed.",
                            nb.max_items
                        ),
                    )
                    .at(range_of(&self.file, body.span()))
                    .in_context(self.context.clone()),
                );
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        let mut out = BTreeMap::new();
        for (name, sa) in &schema.attributes {
            let v = match attrs.remove(*name) {
                Some(v) => v,
                None => match &sa.default {
                    Some(d) => d.clone(),
                    None => Value::null_of(sa.ty.clone()),
                },
            };
            out.insert(name.to_string(), v);
        }
        for (name, nb) in &schema.blocks {
            let ty = nb.block.value_type();
            if let Some((v, _)) = block_attrs.remove(*name) {
                out.insert(name.to_string(), v);
                continue;
            }
            if nb.as_attr
                && !unknown_blocks.contains_key(*name)
                && blocks.get(*name).is_none_or(|v| v.is_empty())
            {
                // Neither argument nor blocks (a `dynamic` block generating
                // none included, as in Terraform): null, for the provider to
                // keep what is there.
                out.insert(
                    name.to_string(),
                    Value::null_of(Schema::block_attr_type(nb)),
                );
                continue;
            }
            if unknown_blocks.contains_key(*name) {
                let t = match nb.nesting {
                    BlockNesting::Single => ty,
                    BlockNesting::List => Type::list(ty),
                    BlockNesting::Set => Type::set(ty),
                };
                out.insert(name.to_string(), Value::unknown(t));
                continue;
            }
            let items = blocks.remove(*name).unwrap_or_default();
            let v = match nb.nesting {
                BlockNesting::Single => items
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| Value::null_of(ty)),
                BlockNesting::List => Value::list(ty, items),
                BlockNesting::Set => Value::set(ty, items),
            };
            out.insert(name.to_string(), v);
        }
        Ok(Value::object(out))
    }

    /// Expand a `dynamic` block; `Ok(None)` when its for_each is unknown.
    fn dynamic(
        &mut self,
        b: &hcl_edit::structure::Block,
        label: &str,
        schema: &Schema,
    ) -> R<Option<Vec<Value>>> {
        let mut for_each = None;
        let mut iterator = label.to_string();
        let mut content = None;
        for s in b.body.iter() {
            match s {
                Structure::Attribute(a) if a.key.as_str() == "for_each" => for_each = Some(&a.value),
                Structure::Attribute(a) if a.key.as_str() == "iterator" => {
                    if let Expression::Variable(v) = &a.value {
                        iterator = v.as_str().to_string();
                    }
                }
                Structure::Attribute(a) if a.key.as_str() == "labels" => {}
                Structure::Block(c) if c.ident.as_str() == "content" => content = Some(&c.body),
                Structure::Attribute(a) => {
                    return Err(self
                        .err("Unsupported argument", format!("An argument named {:?} is not expected in a dynamic block.", a.key.as_str()), a.key.span())
                        .into())
                }
                Structure::Block(c) => {
                    return Err(self
                        .err("Unsupported block type", format!("Blocks of type {:?} are not expected in a dynamic block; put them inside content.", c.ident.as_str()), c.ident.span())
                        .into())
                }
            }
        }
        let (Some(fe), Some(content)) = (for_each, content) else {
            return Err(self
                .err(
                    "Invalid dynamic block",
                    "A dynamic block requires a for_each argument and a content block.".into(),
                    b.ident.span(),
                )
                .into());
        };
        let coll = self.eval(fe)?;
        if !coll.is_wholly_known() {
            return Ok(None);
        }
        let pairs: Vec<(Value, Value)> = match &coll.kind {
            Kind::List(_, xs) | Kind::Tuple(xs) => xs
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::int(i as i64), v.clone()))
                .collect(),
            Kind::Set(_, xs) => xs.iter().map(|v| (v.clone(), v.clone())).collect(),
            Kind::Map(_, m) | Kind::Object(m) => m
                .iter()
                .map(|(k, v)| (Value::string(k.clone()), v.clone()))
                .collect(),
            Kind::Null(_) => {
                return Err(self
                    .err(
                        "Invalid dynamic for_each value",
                        "Cannot use a null value in for_each.".into(),
                        fe.span(),
                    )
                    .into());
            }
            _ => {
                return Err(self
                    .err(
                        "Invalid dynamic for_each value",
                        format!(
                        "Cannot use a {} value in for_each. An iterable collection is required.",
                        coll.ty().friendly_name()
                    ),
                        fe.span(),
                    )
                    .into())
            }
        };
        let mut out = vec![];
        for (k, v) in pairs {
            let mut it = BTreeMap::new();
            it.insert("key".to_string(), k);
            it.insert("value".to_string(), v);
            self.scopes
                .push((iterator.clone(), Value::object(it).mark(coll.sensitive)));
            let r = self.decode(content, schema);
            self.scopes.pop();
            out.push(r?);
        }
        Ok(Some(out))
    }
}

/// The elements of an "attributes as blocks" argument with the block
/// schema's defaults in place of null (as a block leaving them out gets).
fn with_block_defaults(schema: &Schema, v: Value) -> Value {
    let fill = |e: &Value| -> Value {
        let Some(m) = e.as_entries() else {
            return e.clone();
        };
        let mut m = m.clone();
        for (k, a) in &schema.attributes {
            if let (Some(d), Some(x)) = (&a.default, m.get_mut(*k)) {
                if x.is_null() {
                    *x = d.clone();
                }
            }
        }
        Value::object(m).mark(e.sensitive)
    };
    let sensitive = v.sensitive;
    match &v.kind {
        Kind::List(t, xs) => Value::list(t.clone(), xs.iter().map(fill).collect()).mark(sensitive),
        Kind::Set(t, xs) => Value::set(t.clone(), xs.iter().map(fill).collect()).mark(sensitive),
        Kind::Object(_) => fill(&v),
        _ => v,
    }
}

/// Static check of a block body against a schema, without evaluating
/// anything (for `validate`, where values are unknown): unsupported
/// arguments and block types, unconfigurable attributes, missing required
/// arguments, labels on nested blocks, and the content of `dynamic` blocks.
pub fn check_structure(
    body: &Body,
    schema: &Schema,
    file: &Arc<str>,
    context: &Option<String>,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let err = |summary: &str, detail: String, span: Option<std::ops::Range<usize>>| {
        Diagnostic::error(summary, detail)
            .at(range_of(file, span))
            .in_context(context.clone())
    };
    let block_names: Vec<&str> = schema.blocks.keys().copied().collect();
    let mut seen = std::collections::BTreeSet::new();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let name = a.key.as_str();
                seen.insert(name.to_string());
                match schema.attributes.get(name) {
                    Some(sa) if !(sa.required || sa.optional) => diags.push(err(
                        "Value for unconfigurable attribute",
                        format!("Can't configure a value for {name:?}: its value will be decided automatically based on the result of applying this configuration."),
                        a.key.span(),
                    )),
                    Some(_) => {}
                    None if schema.blocks.get(name).is_some_and(|nb| nb.as_attr) => {}
                    None if schema.blocks.contains_key(name) => diags.push(err(
                        "Unsupported argument",
                        format!("An argument named {name:?} is not expected here. Did you mean to define a block of type {name:?}?"),
                        a.key.span(),
                    )),
                    None => diags.push(err(
                        "Unsupported argument",
                        format!(
                            "An argument named {name:?} is not expected here.{}",
                            suggest(name, &schema.config_names())
                        ),
                        a.key.span(),
                    )),
                }
            }
            Structure::Block(b) => {
                let kind = b.ident.as_str();
                let (label, inner) = if kind == "dynamic" {
                    let Some(l) = b.labels.first().map(|l| l.as_str().to_string()) else {
                        diags.push(err(
                            "Missing name for block",
                            "A dynamic block requires one label: the type of block to generate."
                                .into(),
                            b.ident.span(),
                        ));
                        continue;
                    };
                    let content = b.body.iter().find_map(|s| match s {
                        Structure::Block(c) if c.ident.as_str() == "content" => Some(&c.body),
                        _ => None,
                    });
                    (l, content)
                } else {
                    if !b.labels.is_empty() && schema.blocks.contains_key(kind) {
                        diags.push(err(
                            "Extraneous label for block",
                            format!("No labels are expected for {kind} blocks."),
                            b.ident.span(),
                        ));
                        continue;
                    }
                    (kind.to_string(), Some(&b.body))
                };
                let Some(nb) = schema.blocks.get(label.as_str()) else {
                    let detail = if schema.attributes.contains_key(label.as_str()) {
                        format!("Blocks of type {label:?} are not expected here. Did you mean to define argument {label:?}? If so, use the equals sign to assign it a value.")
                    } else {
                        format!(
                            "Blocks of type {label:?} are not expected here.{}",
                            suggest(&label, &block_names)
                        )
                    };
                    diags.push(err("Unsupported block type", detail, b.ident.span()));
                    continue;
                };
                if let Some(inner) = inner {
                    diags.extend(check_structure(inner, &nb.block, file, context));
                }
            }
        }
    }
    for (name, sa) in &schema.attributes {
        if sa.required && !seen.contains(*name) {
            diags.push(err(
                "Missing required argument",
                format!("The argument {name:?} is required, but no definition was found."),
                body.span(),
            ));
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use super::Decoder;
    use crate::engine::modeval::{RunCtx, World};
    use crate::lang::types::Type;
    use crate::providers::{Attribute, BlockNesting, Schema};

    fn schema() -> Schema {
        let rule = Schema::new()
            .attr("port", Attribute::required(Type::Number))
            .attr(
                "cidr",
                Attribute::optional(Type::String)
                    .default(crate::lang::value::Value::string("0.0.0.0/0")),
            );
        Schema::new()
            .attr("name", Attribute::required(Type::String))
            .attr("id", Attribute::computed(Type::String))
            .block("rule", BlockNesting::List, rule)
    }

    fn decode(src: &str) -> Result<crate::lang::value::Value, crate::diag::Diagnostics> {
        decode_with(src, &schema())
    }

    /// `rule` as the provider's ConfigModeAttr blocks, in a set.
    fn attr_schema() -> Schema {
        let mut s = schema();
        let rule = s.blocks.remove("rule").unwrap().block;
        s.block("rule", BlockNesting::Set, rule)
            .attributes_as_blocks(&["rule"])
    }

    fn decode_with(
        src: &str,
        schema: &Schema,
    ) -> Result<crate::lang::value::Value, crate::diag::Diagnostics> {
        let sources = crate::diag::Sources::default();
        let file: Arc<str> = sources.add("main.tf", src);
        let body = crate::config::parse_hcl(src, &file).expect("parses");
        let run = RunCtx {
            fnctx: crate::lang::funcs::FnCtx::default(),
            sources,
            workspace: "default".into(),
            diags: Default::default(),
            validate_only: false,
        };
        let world = World::new(
            run,
            Arc::new(crate::config::Module::default()),
            HashMap::new(),
        );
        let view = world.root_view();
        let mut d = Decoder {
            view: &view,
            file,
            context: None,
            scopes: vec![],
        };
        d.decode(&body, schema)
    }

    #[test]
    fn attributes_as_blocks_take_either_form() {
        let s = attr_schema();
        let rules = |src: &str| decode_with(src, &s).unwrap().as_entries().unwrap()["rule"].clone();
        // Neither: null (the provider keeps what is there).
        let v = rules("name = \"x\"\n");
        assert!(v.is_null(), "{v:?}");
        // `rule = []`: known and empty (remove them all).
        let v = rules("name = \"x\"\nrule = []\n");
        assert!(v.is_known() && !v.is_null(), "{v:?}");
        assert_eq!(v.as_seq().unwrap().len(), 0);
        // The list-of-objects form: null fields get the block's defaults.
        let v = rules("name = \"x\"\nrule = [{ port = 22, cidr = null }, { port = 80, cidr = \"10.0.0.0/8\" }]\n");
        let cidrs: Vec<String> = v
            .as_seq()
            .unwrap()
            .iter()
            .map(|r| {
                r.as_entries().unwrap()["cidr"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(cidrs, ["0.0.0.0/0", "10.0.0.0/8"]);
        // Blocks and dynamic blocks still work.
        let v = rules("name = \"x\"\nrule {\n  port = 22\n}\ndynamic \"rule\" {\n  for_each = [80]\n  content {\n    port = rule.value\n  }\n}\n");
        assert_eq!(v.as_seq().unwrap().len(), 2);
        // A dynamic block with nothing to generate is like leaving it out.
        let v = rules("name = \"x\"\ndynamic \"rule\" {\n  for_each = []\n  content {\n    port = rule.value\n  }\n}\n");
        assert!(v.is_null(), "{v:?}");
    }

    #[test]
    fn attributes_as_blocks_are_checked() {
        let s = attr_schema();
        let summaries = |src: &str| -> Vec<String> {
            decode_with(src, &s)
                .unwrap_err()
                .0
                .iter()
                .map(|d| format!("{}: {}", d.summary, d.detail))
                .collect()
        };
        // Objects need every attribute, as in Terraform.
        let m = summaries("name = \"x\"\nrule = [{ port = 22 }]\n");
        assert!(
            m.iter()
                .any(|m| m.contains("Incorrect attribute value type")
                    && m.contains("\"cidr\" is required")),
            "{m:?}"
        );
        // Not both forms at once.
        let m = summaries("name = \"x\"\nrule = []\nrule {\n  port = 1\n}\n");
        assert!(
            m.iter().any(|m| m.contains("already set as an argument")),
            "{m:?}"
        );
        // validate's static check accepts the argument form too.
        let sources = crate::diag::Sources::default();
        let src = "name = \"x\"\nrule = []\n";
        let file: Arc<str> = sources.add("main.tf", src);
        let body = crate::config::parse_hcl(src, &file).expect("parses");
        let d = super::check_structure(&body, &s, &file, &None);
        assert!(!d.has_errors(), "{:?}", d.0);
    }

    #[test]
    fn dynamic_blocks_expand_with_iterator() {
        let v = decode(
            "name = \"web\"\nrule {\n  port = 22\n}\ndynamic \"rule\" {\n  for_each = [80, 443]\n  iterator = p\n  content {\n    port = p.value\n    cidr = \"10.0.${p.key}.0/24\"\n  }\n}\n",
        )
        .unwrap();
        let rules = v.as_entries().unwrap()["rule"].as_seq().unwrap().to_vec();
        let ports: Vec<String> = rules
            .iter()
            .map(|r| {
                r.as_entries().unwrap()["port"]
                    .as_number()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(ports, ["22", "80", "443"]);
        assert_eq!(
            rules[0].as_entries().unwrap()["cidr"].as_str(),
            Some("0.0.0.0/0"),
            "default applied"
        );
        assert_eq!(
            rules[2].as_entries().unwrap()["cidr"].as_str(),
            Some("10.0.1.0/24")
        );
    }

    #[test]
    fn bad_bodies_are_diagnosed_with_suggestions() {
        let summaries = |src: &str| -> Vec<String> {
            decode(src)
                .unwrap_err()
                .0
                .iter()
                .map(|d| format!("{}: {}", d.summary, d.detail))
                .collect()
        };
        let s = summaries("nmae = \"x\"\n");
        assert!(s.iter().any(|m| m.contains("Unsupported argument") && m.contains("Did you mean \"name\"?")), "{s:?}");
        assert!(
            s.iter().any(|m| m.contains("Missing required argument")),
            "{s:?}"
        );
        let s = summaries("name = \"x\"\nid = \"y\"\n");
        assert!(
            s.iter()
                .any(|m| m.contains("Value for unconfigurable attribute")),
            "{s:?}"
        );
        let s = summaries("name = \"x\"\nrule = []\n");
        assert!(
            s.iter()
                .any(|m| m.contains("Did you mean to define a block of type \"rule\"?")),
            "{s:?}"
        );
        let s = summaries("name = \"x\"\nrules {\n}\n");
        assert!(
            s.iter()
                .any(|m| m.contains("Unsupported block type") && m.contains("rule")),
            "{s:?}"
        );
        let s = summaries("name = [1]\n");
        assert!(
            s.iter()
                .any(|m| m.contains("Incorrect attribute value type")),
            "{s:?}"
        );
    }
}
