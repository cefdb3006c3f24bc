//! The `terraform { encryption { ... } }` block: OpenTofu's client-side
//! state and plan encryption, kept as static configuration. Key providers and
//! methods keep their arguments *unevaluated* (with source ranges); targets
//! (`state`, `plan`, `remote_state_data_sources`) hold their method
//! references, resolved statically as OpenTofu does (`method.<type>.<name>`,
//! or that text as a string in JSON). The same model is parsed from the
//! `TF_ENCRYPTION` environment variable (the body of an `encryption` block,
//! in HCL or JSON) and merged over the configuration's block with OpenTofu's
//! rules ([`EncryptionConfig::merge`]). Evaluating the arguments and doing
//! the cryptography belongs to `crate::encryption`.

use std::sync::Arc;

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::Span;
use indexmap::IndexMap;

use super::{const_string, range_of, suggest, Expr};
use crate::diag::{Diagnostic, Diagnostics, SourceRange};

/// Key provider types herd implements.
pub const KEY_PROVIDERS: &[&str] = &["pbkdf2", "aws_kms"];
/// Key provider types OpenTofu knows that herd does not implement.
const OTHER_KEY_PROVIDERS: &[&str] = &[
    "gcp_kms",
    "azure_vault",
    "openbao",
    "external",
    "static",
    "xor",
];
/// Encryption methods herd implements.
pub const METHODS: &[&str] = &["aes_gcm", "unencrypted"];
const OTHER_METHODS: &[&str] = &["external"];

/// The arguments and nested blocks of a key provider or method, unevaluated.
#[derive(Clone, Debug, Default)]
pub struct ItemBody {
    pub attrs: IndexMap<String, Attr>,
    pub blocks: Vec<NestedBlock>,
}

#[derive(Clone, Debug)]
pub struct Attr {
    pub expr: Expr,
    /// The argument's name, for diagnostics that must not show its value.
    pub key_range: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub ident: String,
    pub body: ItemBody,
    pub range: Option<SourceRange>,
}

#[derive(Clone, Debug)]
pub struct KeyProviderConfig {
    pub ty: String,
    pub name: String,
    pub body: ItemBody,
    /// The block header (`key_provider "pbkdf2" "name"`).
    pub range: Option<SourceRange>,
}

impl KeyProviderConfig {
    pub fn addr(&self) -> String {
        format!("key_provider.{}.{}", self.ty, self.name)
    }
}

#[derive(Clone, Debug)]
pub struct MethodConfig {
    pub ty: String,
    pub name: String,
    pub body: ItemBody,
    pub range: Option<SourceRange>,
}

impl MethodConfig {
    pub fn addr(&self) -> String {
        format!("method.{}.{}", self.ty, self.name)
    }
}

/// A static reference `<root>.<type>.<name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemRef {
    pub ty: String,
    pub name: String,
    pub range: Option<SourceRange>,
}

/// A `state`, `plan`, `default`, `remote_state_data_source` or `fallback`
/// block: the method to use and, to read, the fallbacks.
#[derive(Clone, Debug, Default)]
pub struct Target {
    pub method: Option<ItemRef>,
    pub fallback: Option<Box<Target>>,
    pub range: Option<SourceRange>,
}

#[derive(Clone, Debug, Default)]
pub struct EnforceableTarget {
    pub enforced: bool,
    pub target: Target,
}

#[derive(Clone, Debug, Default)]
pub struct RemoteConfig {
    pub default: Option<Target>,
    /// `remote_state_data_source "NAME"` blocks, in order.
    pub targets: Vec<(String, Target)>,
}

#[derive(Clone, Debug, Default)]
pub struct EncryptionConfig {
    pub key_providers: Vec<KeyProviderConfig>,
    pub methods: Vec<MethodConfig>,
    pub state: Option<EnforceableTarget>,
    pub plan: Option<EnforceableTarget>,
    pub remote: Option<RemoteConfig>,
    /// The `encryption` block (or `TF_ENCRYPTION`).
    pub range: Option<SourceRange>,
}

fn valid_item_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn block_range(file: &Arc<str>, b: &Block) -> Option<SourceRange> {
    range_of(file, b.ident.span()).map(|mut r| {
        if let (Some(s), Some(bs)) = (b.span(), b.body.span()) {
            r.end = bs.start.max(r.end).min(s.end);
        }
        r
    })
}

/// A static reference `root.TYPE.NAME`: a traversal, the same text as a
/// string (JSON syntax), or a template that is just `${root.TYPE.NAME}`.
pub fn static_ref(e: &Expression, root: &str, file: &Arc<str>) -> Option<ItemRef> {
    let range = range_of(file, e.span());
    match e {
        Expression::Traversal(t) => {
            let Expression::Variable(v) = &t.expr else {
                return None;
            };
            if v.as_str() != root || t.operators.len() != 2 {
                return None;
            }
            let names: Vec<String> = t
                .operators
                .iter()
                .filter_map(|o| match o.value() {
                    TraversalOperator::GetAttr(a) => Some(a.as_str().to_string()),
                    _ => None,
                })
                .collect();
            match names.as_slice() {
                [ty, name] => Some(ItemRef {
                    ty: ty.clone(),
                    name: name.clone(),
                    range,
                }),
                _ => None,
            }
        }
        Expression::StringTemplate(t) if t.iter().count() == 1 => match t.iter().next()? {
            hcl_edit::template::Element::Interpolation(i) => {
                static_ref(&i.expr, root, file).map(|r| ItemRef {
                    range: range.clone(),
                    ..r
                })
            }
            hcl_edit::template::Element::Literal(_) => string_ref(&const_string(e)?, root, range),
            _ => None,
        },
        Expression::String(_) => string_ref(&const_string(e)?, root, range),
        _ => None,
    }
}

fn string_ref(s: &str, root: &str, range: Option<SourceRange>) -> Option<ItemRef> {
    let parts: Vec<&str> = s.split('.').collect();
    match parts.as_slice() {
        [r, ty, name] if *r == root && valid_item_name(ty) && valid_item_name(name) => {
            Some(ItemRef {
                ty: ty.to_string(),
                name: name.to_string(),
                range,
            })
        }
        _ => None,
    }
}

/// The arguments each key provider and method type accepts (nested blocks
/// are listed with a trailing `{}`).
fn known_args(kind: &str, ty: &str) -> &'static [&'static str] {
    match (kind, ty) {
        ("key_provider", "pbkdf2") => &[
            "passphrase",
            "chain",
            "key_length",
            "iterations",
            "hash_function",
            "salt_length",
            "encrypted_metadata_alias",
        ],
        ("key_provider", "aws_kms") => &[
            "kms_key_id",
            "key_spec",
            "encryption_context",
            "region",
            "profile",
            "access_key",
            "secret_key",
            "token",
            "max_retries",
            "retry_mode",
            "skip_credentials_validation",
            "skip_requesting_account_id",
            "skip_metadata_api_check",
            "encrypted_metadata_alias",
            "endpoints{}",
            // Accepted by OpenTofu; herd refuses them with a diagnostic
            // when it reads the block (`crate::encryption`).
            "sts_region",
            "http_proxy",
            "https_proxy",
            "no_proxy",
            "insecure",
            "use_dualstack_endpoint",
            "use_fips_endpoint",
            "custom_ca_bundle",
            "ec2_metadata_service_endpoint",
            "ec2_metadata_service_endpoint_mode",
            "shared_credentials_files",
            "shared_config_files",
            "assume_role",
            "assume_role_with_web_identity",
            "allowed_account_ids",
            "forbidden_account_ids",
        ],
        ("method", "aes_gcm") => &["keys", "aad"],
        _ => &[],
    }
}

fn parse_item_body(
    kind: &str,
    ty: &str,
    body: &Body,
    file: &Arc<str>,
    diags: &mut Diagnostics,
) -> ItemBody {
    let known = known_args(kind, ty);
    let mut out = ItemBody::default();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let k = a.key.as_str();
                if !known.contains(&k) {
                    let names: Vec<&str> = known
                        .iter()
                        .filter(|n| !n.ends_with("{}"))
                        .copied()
                        .collect();
                    diags.push(
                        Diagnostic::error(
                            "Unsupported argument",
                            format!(
                                "An argument named {k:?} is not expected in a {kind} {ty:?} block.{}",
                                suggest(k, &names)
                            ),
                        )
                        .at(range_of(file, a.key.span())),
                    );
                    continue;
                }
                if out.attrs.contains_key(k) {
                    diags.push(
                        Diagnostic::error(
                            "Attribute redefined",
                            format!("The argument {k:?} was already set. Each argument may be set only once."),
                        )
                        .at(range_of(file, a.key.span())),
                    );
                    continue;
                }
                out.attrs.insert(
                    k.to_string(),
                    Attr {
                        expr: Expr {
                            expr: a.value.clone(),
                            file: file.clone(),
                        },
                        key_range: range_of(file, a.key.span()),
                    },
                );
            }
            Structure::Block(b) => {
                let id = b.ident.as_str();
                if !known.contains(&format!("{id}{{}}").as_str()) {
                    diags.push(
                        Diagnostic::error(
                            "Unsupported block type",
                            format!(
                                "Blocks of type {id:?} are not expected in a {kind} {ty:?} block."
                            ),
                        )
                        .at(range_of(file, b.ident.span())),
                    );
                    continue;
                }
                // Only `endpoints { iam = .. sts = .. }` today: plain attributes.
                let mut nested = ItemBody::default();
                for s in b.body.iter() {
                    match s {
                        Structure::Attribute(a) if matches!(a.key.as_str(), "iam" | "sts") => {
                            nested.attrs.insert(
                                a.key.as_str().to_string(),
                                Attr {
                                    expr: Expr {
                                        expr: a.value.clone(),
                                        file: file.clone(),
                                    },
                                    key_range: range_of(file, a.key.span()),
                                },
                            );
                        }
                        other => diags.push(
                            Diagnostic::error(
                                "Unsupported argument",
                                format!("Only \"iam\" and \"sts\" may be set in an {id} block."),
                            )
                            .at(range_of(file, other.span())),
                        ),
                    }
                }
                out.blocks.push(NestedBlock {
                    ident: id.to_string(),
                    body: nested,
                    range: block_range(file, b),
                });
            }
        }
    }
    out
}

fn parse_target(
    b: &Block,
    file: &Arc<str>,
    enforceable: bool,
    diags: &mut Diagnostics,
) -> (Target, bool) {
    let what = b.ident.as_str();
    let mut t = Target {
        range: block_range(file, b),
        ..Default::default()
    };
    let mut enforced = false;
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) if a.key.as_str() == "method" => {
                match static_ref(&a.value, "method", file) {
                    Some(r) => t.method = Some(r),
                    None => diags.push(
                        Diagnostic::error(
                            "Invalid encryption method identifier",
                            "Expected method of form method.<type>.<name>",
                        )
                        .at(range_of(file, a.value.span())),
                    ),
                }
            }
            Structure::Attribute(a) if a.key.as_str() == "enforced" && enforceable => {
                match &a.value {
                    Expression::Bool(v) => enforced = *v.value(),
                    e => diags.push(
                        Diagnostic::error(
                            "Invalid value",
                            "A literal bool value (true or false) is required for \"enforced\".",
                        )
                        .at(range_of(file, e.span())),
                    ),
                }
            }
            Structure::Block(fb) if fb.ident.as_str() == "fallback" && fb.labels.is_empty() => {
                if t.fallback.is_some() {
                    diags.push(
                        Diagnostic::error(
                            "Duplicate fallback block",
                            format!("A {what} block may have only one fallback block; nest a fallback inside the fallback for more."),
                        )
                        .at(block_range(file, fb)),
                    );
                    continue;
                }
                let (f, _) = parse_target(fb, file, false, diags);
                t.fallback = Some(Box::new(f));
            }
            Structure::Attribute(a) => diags.push(
                Diagnostic::error(
                    "Unsupported argument",
                    format!(
                        "An argument named {:?} is not expected in a {what} block.{}",
                        a.key.as_str(),
                        suggest(
                            a.key.as_str(),
                            if enforceable {
                                &["method", "enforced"]
                            } else {
                                &["method"]
                            }
                        )
                    ),
                )
                .at(range_of(file, a.key.span())),
            ),
            Structure::Block(ib) => diags.push(
                Diagnostic::error(
                    "Unsupported block type",
                    format!(
                        "Blocks of type {:?} are not expected in a {what} block; only \"fallback\" is.",
                        ib.ident.as_str()
                    ),
                )
                .at(range_of(file, ib.ident.span())),
            ),
        }
    }
    (t, enforced)
}

/// Parse the body of an `encryption` block (or of `TF_ENCRYPTION`).
pub fn parse(
    body: &Body,
    file: &Arc<str>,
    range: Option<SourceRange>,
    diags: &mut Diagnostics,
) -> EncryptionConfig {
    let mut cfg = EncryptionConfig {
        range,
        ..Default::default()
    };
    for s in body.iter() {
        let b = match s {
            Structure::Attribute(a) => {
                diags.push(
                    Diagnostic::error(
                        "Unsupported argument",
                        format!(
                            "An argument named {:?} is not expected in an encryption block.",
                            a.key.as_str()
                        ),
                    )
                    .at(range_of(file, a.key.span())),
                );
                continue;
            }
            Structure::Block(b) => b,
        };
        let kind = b.ident.as_str();
        let labels: Vec<String> = b.labels.iter().map(|l| l.as_str().to_string()).collect();
        let brange = block_range(file, b);
        let want = match kind {
            "key_provider" | "method" => 2,
            "state" | "plan" | "remote_state_data_sources" => 0,
            _ => {
                diags.push(
                    Diagnostic::error(
                        "Unsupported block type",
                        format!(
                            "Blocks of type {kind:?} are not expected in an encryption block.{}",
                            suggest(
                                kind,
                                &[
                                    "key_provider",
                                    "method",
                                    "state",
                                    "plan",
                                    "remote_state_data_sources"
                                ]
                            )
                        ),
                    )
                    .at(brange),
                );
                continue;
            }
        };
        if labels.len() != want {
            diags.push(
                Diagnostic::error(
                    if labels.len() < want {
                        "Missing name for block"
                    } else {
                        "Extraneous label for block"
                    },
                    if want == 0 {
                        format!("No labels are expected for {kind} blocks.")
                    } else {
                        format!("A {kind} block requires two labels: the type and the name.")
                    },
                )
                .at(brange),
            );
            continue;
        }
        match kind {
            "key_provider" | "method" => {
                let (ty, name) = (&labels[0], &labels[1]);
                let ok_names = valid_item_name(ty) && valid_item_name(name);
                if !ok_names {
                    diags.push(
                        Diagnostic::error(
                            format!("The provided {} name is invalid", kind.replace('_', " ")),
                            format!("The {kind} type and name ({ty:?}, {name:?}) must match ^([a-zA-Z_0-9-]+)$."),
                        )
                        .at(brange),
                    );
                    continue;
                }
                let (ours, theirs) = if kind == "method" {
                    (METHODS, OTHER_METHODS)
                } else {
                    (KEY_PROVIDERS, OTHER_KEY_PROVIDERS)
                };
                if !ours.contains(&ty.as_str()) {
                    let what = if kind == "method" {
                        "encryption method"
                    } else {
                        "key_provider"
                    };
                    let detail = if theirs.contains(&ty.as_str()) {
                        format!("Can not find {ty:?}: OpenTofu has this {what} type, but herd implements only {}.", ours.join(", "))
                    } else {
                        format!(
                            "Can not find {ty:?}; herd implements {}.{}",
                            ours.join(", "),
                            suggest(ty, ours)
                        )
                    };
                    diags.push(
                        Diagnostic::error(
                            if kind == "method" {
                                "Unknown encryption method type"
                            } else {
                                "Unknown key_provider type"
                            },
                            detail,
                        )
                        .at(brange),
                    );
                    continue;
                }
                let dup = if kind == "method" {
                    cfg.methods.iter().any(|m| &m.ty == ty && &m.name == name)
                } else {
                    cfg.key_providers
                        .iter()
                        .any(|m| &m.ty == ty && &m.name == name)
                };
                if dup {
                    diags.push(
                        Diagnostic::error(
                            if kind == "method" {
                                "Duplicate method"
                            } else {
                                "Duplicate key_provider"
                            },
                            format!("Found multiple instances of {kind}.{ty}.{name}"),
                        )
                        .at(brange),
                    );
                    continue;
                }
                let body = parse_item_body(kind, ty, &b.body, file, diags);
                if kind == "method" {
                    cfg.methods.push(MethodConfig {
                        ty: ty.clone(),
                        name: name.clone(),
                        body,
                        range: brange,
                    });
                } else {
                    cfg.key_providers.push(KeyProviderConfig {
                        ty: ty.clone(),
                        name: name.clone(),
                        body,
                        range: brange,
                    });
                }
            }
            "state" | "plan" => {
                let slot = if kind == "state" {
                    &mut cfg.state
                } else {
                    &mut cfg.plan
                };
                if slot.is_some() {
                    diags.push(
                        Diagnostic::error(
                            format!("Duplicate {kind} block"),
                            format!("An encryption block may have only one {kind} block."),
                        )
                        .at(brange),
                    );
                    continue;
                }
                let (target, enforced) = parse_target(b, file, true, diags);
                *slot = Some(EnforceableTarget { enforced, target });
            }
            _ => {
                if cfg.remote.is_some() {
                    diags.push(
                        Diagnostic::error(
                            "Duplicate remote_state_data_sources block",
                            "An encryption block may have only one remote_state_data_sources block.",
                        )
                        .at(brange),
                    );
                    continue;
                }
                let mut remote = RemoteConfig::default();
                for s in b.body.iter() {
                    match s {
                        Structure::Block(rb)
                            if rb.ident.as_str() == "default" && rb.labels.is_empty() =>
                        {
                            if remote.default.is_some() {
                                diags.push(
                                    Diagnostic::error(
                                        "Duplicate default block",
                                        "remote_state_data_sources may have only one default block.",
                                    )
                                    .at(block_range(file, rb)),
                                );
                                continue;
                            }
                            remote.default = Some(parse_target(rb, file, false, diags).0);
                        }
                        Structure::Block(rb)
                            if rb.ident.as_str() == "remote_state_data_source"
                                && rb.labels.len() == 1 =>
                        {
                            let name = rb.labels[0].as_str().to_string();
                            if remote.targets.iter().any(|(n, _)| *n == name) {
                                diags.push(
                                    Diagnostic::error(
                                        "Duplicate remote_data_source",
                                        format!(
                                            "Found multiple instances of remote_data_source.{name}"
                                        ),
                                    )
                                    .at(block_range(file, rb)),
                                );
                                continue;
                            }
                            let t = parse_target(rb, file, false, diags).0;
                            remote.targets.push((name, t));
                        }
                        other => diags.push(
                            Diagnostic::error(
                                "Unsupported block type",
                                "A remote_state_data_sources block contains only a \"default\" block and \"remote_state_data_source\" blocks (with one label: the data source's name).",
                            )
                            .at(range_of(file, other.span())),
                        ),
                    }
                }
                cfg.remote = Some(remote);
            }
        }
    }
    cfg
}

fn merge_body(base: &ItemBody, over: &ItemBody) -> ItemBody {
    let mut out = base.clone();
    for (k, v) in &over.attrs {
        out.attrs.insert(k.clone(), v.clone());
    }
    for b in &over.blocks {
        out.blocks.retain(|x| x.ident != b.ident);
    }
    for b in &over.blocks {
        out.blocks.push(b.clone());
    }
    out
}

fn merge_target(base: Option<&Target>, over: Option<&Target>) -> Option<Target> {
    match (base, over) {
        (None, o) => o.cloned(),
        (b, None) => b.cloned(),
        (Some(b), Some(o)) => Some(Target {
            method: o.method.clone().or_else(|| b.method.clone()),
            fallback: o.fallback.clone().or_else(|| b.fallback.clone()),
            range: o.range.clone().or_else(|| b.range.clone()),
        }),
    }
}

fn merge_enforceable(
    base: Option<&EnforceableTarget>,
    over: Option<&EnforceableTarget>,
) -> Option<EnforceableTarget> {
    match (base, over) {
        (None, o) => o.cloned(),
        (b, None) => b.cloned(),
        (Some(b), Some(o)) => Some(EnforceableTarget {
            enforced: b.enforced || o.enforced,
            target: merge_target(Some(&b.target), Some(&o.target)).unwrap_or_default(),
        }),
    }
}

impl EncryptionConfig {
    /// OpenTofu's merge of `TF_ENCRYPTION` (`over`) into the configuration's
    /// block (internal/encryption/config/config_merge.go): key providers and
    /// methods with the same type and name have their arguments merged (the
    /// override's win), others are appended; a target takes the override's
    /// method and fallback where set; `enforced` is true if either says so.
    pub fn merge(&self, over: &EncryptionConfig) -> EncryptionConfig {
        let mut key_providers = self.key_providers.clone();
        for o in &over.key_providers {
            match key_providers
                .iter_mut()
                .find(|k| k.ty == o.ty && k.name == o.name)
            {
                Some(k) => k.body = merge_body(&k.body, &o.body),
                None => key_providers.push(o.clone()),
            }
        }
        let mut methods = self.methods.clone();
        for o in &over.methods {
            match methods
                .iter_mut()
                .find(|k| k.ty == o.ty && k.name == o.name)
            {
                Some(k) => k.body = merge_body(&k.body, &o.body),
                None => methods.push(o.clone()),
            }
        }
        let remote = match (&self.remote, &over.remote) {
            (None, o) => o.clone(),
            (b, None) => b.clone(),
            (Some(b), Some(o)) => {
                let mut targets = b.targets.clone();
                for (n, t) in &o.targets {
                    match targets.iter_mut().find(|(x, _)| x == n) {
                        Some((_, bt)) => *bt = merge_target(Some(bt), Some(t)).unwrap_or_default(),
                        None => targets.push((n.clone(), t.clone())),
                    }
                }
                Some(RemoteConfig {
                    default: merge_target(b.default.as_ref(), o.default.as_ref()),
                    targets,
                })
            }
        };
        EncryptionConfig {
            key_providers,
            methods,
            state: merge_enforceable(self.state.as_ref(), over.state.as_ref()),
            plan: merge_enforceable(self.plan.as_ref(), over.plan.as_ref()),
            remote,
            range: self.range.clone().or_else(|| over.range.clone()),
        }
    }

    pub fn key_provider(&self, ty: &str, name: &str) -> Option<&KeyProviderConfig> {
        self.key_providers
            .iter()
            .find(|k| k.ty == ty && k.name == name)
    }

    pub fn method(&self, ty: &str, name: &str) -> Option<&MethodConfig> {
        self.methods.iter().find(|k| k.ty == ty && k.name == name)
    }
}

/// Parse `TF_ENCRYPTION`: the body of an encryption block, in HCL or (when
/// it starts with `{`) JSON, as OpenTofu's LoadConfigFromString does. The
/// text is registered in `sources` under the name `TF_ENCRYPTION` (JSON in
/// its native-syntax translation) so diagnostics can point into it.
pub fn parse_env(text: &str, sources: &crate::diag::Sources) -> (EncryptionConfig, Diagnostics) {
    let mut diags = Diagnostics::new();
    let name = "TF_ENCRYPTION";
    let trimmed = text.trim();
    let (hcl, wrapped) = if trimmed.starts_with('{') {
        let wrapped = format!("{{\"encryption\": {trimmed}}}");
        match super::json::json_to_hcl(&wrapped) {
            Ok(h) => (h, true),
            Err(e) => {
                diags.push(Diagnostic::error(
                    "Invalid TF_ENCRYPTION",
                    format!(
                        "The TF_ENCRYPTION environment variable is not valid JSON: {}",
                        e.msg.replace("line 1 column", "column")
                    ),
                ));
                return (EncryptionConfig::default(), diags);
            }
        }
    } else {
        (trimmed.to_string(), false)
    };
    let file = sources.add(name, &hcl);
    let body = match super::parse_hcl(&hcl, &file) {
        Ok(b) => b,
        Err(d) => {
            diags.push(d);
            return (EncryptionConfig::default(), diags);
        }
    };
    let range = Some(SourceRange {
        file: file.clone(),
        start: 0,
        end: 0,
    });
    let cfg = if wrapped {
        match body.iter().next() {
            Some(Structure::Block(b)) => parse(&b.body, &file, range, &mut diags),
            _ => EncryptionConfig::default(),
        }
    } else {
        parse(&body, &file, range, &mut diags)
    };
    (cfg, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (EncryptionConfig, Diagnostics) {
        let sources = crate::diag::Sources::default();
        parse_env(text, &sources)
    }

    #[test]
    fn parses_targets_and_items() {
        let (c, d) = parse_text(
            r#"
            key_provider "pbkdf2" "k" { passphrase = "0123456789abcdef" }
            method "aes_gcm" "m" { keys = key_provider.pbkdf2.k }
            method "unencrypted" "u" {}
            state {
              method = method.aes_gcm.m
              fallback { method = method.unencrypted.u }
            }
            plan {
              method = method.aes_gcm.m
              enforced = true
            }
            remote_state_data_sources {
              default { method = method.aes_gcm.m }
              remote_state_data_source "other" { method = method.unencrypted.u }
            }
            "#,
        );
        assert!(!d.has_errors(), "{d:?}");
        assert_eq!(c.key_providers.len(), 1);
        assert_eq!(c.methods.len(), 2);
        let s = c.state.unwrap();
        assert!(!s.enforced);
        assert_eq!(s.target.method.as_ref().unwrap().name, "m");
        assert_eq!(s.target.fallback.unwrap().method.unwrap().ty, "unencrypted");
        assert!(c.plan.unwrap().enforced);
        let r = c.remote.unwrap();
        assert_eq!(r.targets[0].0, "other");
        let keys = &c.methods[0].body.attrs["keys"];
        let r = static_ref(&keys.expr.expr, "key_provider", &keys.expr.file).unwrap();
        assert_eq!((r.ty.as_str(), r.name.as_str()), ("pbkdf2", "k"));
    }

    #[test]
    fn json_form_uses_string_references() {
        let (c, d) = parse_text(
            r#"{"key_provider":{"pbkdf2":{"k":{"passphrase":"0123456789abcdef"}}},
                "method":{"aes_gcm":{"m":{"keys":"key_provider.pbkdf2.k"}}},
                "state":{"method":"method.aes_gcm.m","fallback":{"method":"${method.aes_gcm.old}"}}}"#,
        );
        assert!(!d.has_errors(), "{d:?}");
        let s = c.state.unwrap().target;
        assert_eq!(s.method.unwrap().name, "m");
        assert_eq!(s.fallback.unwrap().method.unwrap().name, "old");
        let keys = &c.methods[0].body.attrs["keys"];
        assert!(static_ref(&keys.expr.expr, "key_provider", &keys.expr.file).is_some());
    }

    #[test]
    fn bad_configs_are_diagnosed() {
        for (text, summary) in [
            (
                r#"key_provider "gcp_kms" "k" {}"#,
                "Unknown key_provider type",
            ),
            (r#"key_provider "nope" "k" {}"#, "Unknown key_provider type"),
            (
                r#"method "aes_cbc" "m" {}"#,
                "Unknown encryption method type",
            ),
            (
                "key_provider \"pbkdf2\" \"k\" {}\nkey_provider \"pbkdf2\" \"k\" {}",
                "Duplicate key_provider",
            ),
            (
                r#"key_provider "pbkdf2" "k" { passfrase = "x" }"#,
                "Unsupported argument",
            ),
            (
                r#"state { method = "aes_gcm.m" }"#,
                "Invalid encryption method identifier",
            ),
            (r#"state { enforced = "yes" }"#, "Invalid value"),
            (r#"stat { }"#, "Unsupported block type"),
            (r#"method "aes_gcm" {}"#, "Missing name for block"),
        ] {
            let (_, d) = parse_text(text);
            assert!(
                d.0.iter().any(|x| x.is_error() && x.summary == summary),
                "{text}: want {summary:?}, got {d:?}"
            );
        }
    }

    #[test]
    fn merge_follows_opentofu() {
        let (base, _) = parse_text(
            r#"
            key_provider "pbkdf2" "k" {
              passphrase = "from-the-configuration"
              iterations = 300000
            }
            method "aes_gcm" "m" { keys = key_provider.pbkdf2.k }
            state { enforced = true }
            "#,
        );
        let (over, _) = parse_text(
            r#"
            key_provider "pbkdf2" "k" { passphrase = "from-the-environment!" }
            method "unencrypted" "u" {}
            state { method = method.aes_gcm.m }
            "#,
        );
        let m = base.merge(&over);
        let k = &m.key_providers[0].body.attrs;
        assert_eq!(
            const_string(&k["passphrase"].expr.expr).unwrap(),
            "from-the-environment!"
        );
        assert!(k.contains_key("iterations"));
        assert_eq!(m.methods.len(), 2);
        let s = m.state.unwrap();
        assert!(s.enforced);
        assert_eq!(s.target.method.unwrap().name, "m");
    }
}
