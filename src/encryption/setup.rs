//! From configuration to a ready [`Encryption`]: merges `TF_ENCRYPTION` over
//! the root module's `encryption` block, evaluates the key providers' and
//! methods' arguments (they may use variables and locals, as in OpenTofu,
//! but nothing that is only known after the state is read), resolves each
//! target's method and fallback chain, and checks everything OpenTofu checks
//! before it touches a file (unknown references, `enforced` with the
//! `unencrypted` method, passphrase length, iterations, key lengths,
//! `key_spec`), each as a diagnostic.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use super::keys::{self, AwsKms, Hash, KeyProvider, Kind, Pbkdf2};
use super::{Encryption, Method, Target};
use crate::config::encryption::{
    static_ref, Attr, EncryptionConfig, ItemBody, KeyProviderConfig, MethodConfig,
};
use crate::config::Expr;
use crate::diag::{Diagnostic, Diagnostics, SourceRange, Sources};
use crate::lang::types::Type;
use crate::lang::value::Value;

/// Evaluates an argument's expression.
pub type Eval<'a> = dyn Fn(&Expr) -> Result<Value, Diagnostics> + 'a;

struct Builder<'a> {
    cfg: &'a EncryptionConfig,
    eval: &'a Eval<'a>,
    diags: Diagnostics,
    providers: HashMap<String, Option<Arc<KeyProvider>>>,
    methods: HashMap<String, Option<Arc<Method>>>,
}

fn build_err(addr: &str, msg: impl std::fmt::Display, range: Option<SourceRange>) -> Diagnostic {
    Diagnostic::error(
        "Unable to build encryption key data",
        format!("{addr} failed with error: {msg}"),
    )
    .at(range)
}

impl Builder<'_> {
    /// A known, non-null value of `attr`, unmarked; the diagnostic (at the
    /// argument's name, so a secret value is never shown) otherwise.
    fn value(&mut self, owner: &str, name: &str, attr: &Attr, want: &Type) -> Option<Value> {
        let v = match (self.eval)(&attr.expr) {
            Ok(v) => v.unmark_deep(),
            Err(d) => {
                self.diags.extend(d);
                return None;
            }
        };
        if !v.is_wholly_known() {
            self.diags.push(
                Diagnostic::error(
                    "Encryption argument not known",
                    format!("The value of {name:?} in {owner} must be known before herd reads the state: it may use variables (with values given by -var, a .tfvars file or TF_VAR_ variables), locals and functions, but not resources or data sources."),
                )
                .at(attr.key_range.clone()),
            );
            return None;
        }
        if v.is_null() {
            return None;
        }
        match crate::lang::convert::convert(&v, want) {
            Ok(v) => Some(v),
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid encryption argument",
                        format!("Inappropriate value for {name:?} in {owner}: {e}."),
                    )
                    .at(attr.key_range.clone()),
                );
                None
            }
        }
    }

    fn string(&mut self, owner: &str, body: &ItemBody, name: &str) -> Option<String> {
        let a = body.attrs.get(name)?;
        self.value(owner, name, a, &Type::String)
            .and_then(|v| v.as_str().map(|s| s.to_string()))
    }

    fn int(&mut self, owner: &str, body: &ItemBody, name: &str) -> Option<i64> {
        let a = body.attrs.get(name)?;
        let v = self.value(owner, name, a, &Type::Number)?;
        match v
            .as_number()
            .and_then(|n| if n.is_integer() { n.to_i64() } else { None })
        {
            Some(i) => Some(i),
            None => {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid encryption argument",
                        format!("{name:?} in {owner} must be a whole number."),
                    )
                    .at(a.key_range.clone()),
                );
                None
            }
        }
    }

    fn key_provider(&mut self, kp: &KeyProviderConfig) -> Option<Arc<KeyProvider>> {
        let addr = kp.addr();
        if let Some(p) = self.providers.get(&addr) {
            return p.clone();
        }
        let built = self.build_key_provider(kp).map(Arc::new);
        self.providers.insert(addr, built.clone());
        built
    }

    fn build_key_provider(&mut self, kp: &KeyProviderConfig) -> Option<KeyProvider> {
        let addr = kp.addr();
        let b = &kp.body;
        let range = kp.range.clone();
        let before = self.diags.0.len();
        let meta_key = self
            .string(&addr, b, "encrypted_metadata_alias")
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| addr.clone());
        let kind = match kp.ty.as_str() {
            "pbkdf2" => {
                if let Some(a) = b.attrs.get("chain") {
                    self.diags.push(
                        Diagnostic::error(
                            "Unsupported key provider argument",
                            format!("{addr}: herd does not implement \"chain\" (a passphrase from another key provider); set \"passphrase\"."),
                        )
                        .at(a.key_range.clone()),
                    );
                    return None;
                }
                let passphrase = self.string(&addr, b, "passphrase").unwrap_or_default();
                let key_length = self
                    .int(&addr, b, "key_length")
                    .unwrap_or(keys::DEFAULT_KEY_LEN as i64);
                let iterations = self
                    .int(&addr, b, "iterations")
                    .unwrap_or(keys::DEFAULT_ITERATIONS as i64);
                let salt_length = self
                    .int(&addr, b, "salt_length")
                    .unwrap_or(keys::DEFAULT_SALT_LEN as i64);
                let hash_name = self
                    .string(&addr, b, "hash_function")
                    .unwrap_or_else(|| "sha512".into());
                if self.diags.0.len() > before {
                    return None;
                }
                // The checks and texts of OpenTofu's pbkdf2 Config.Build.
                let problem = if passphrase.is_empty() {
                    Some("no passphrase provided and no chained provider defined".to_string())
                } else if passphrase.len() < keys::MIN_PASSPHRASE_LEN {
                    Some(format!(
                        "passphrase is too short (minimum {} characters)",
                        keys::MIN_PASSPHRASE_LEN
                    ))
                } else if key_length <= 0 {
                    Some("the key length must be larger than zero".into())
                } else if key_length > keys::MAX_KEY_LEN as i64 {
                    Some(format!(
                        "the key length must be at most {} bytes",
                        keys::MAX_KEY_LEN
                    ))
                } else if iterations <= 0 {
                    Some("the number of iterations must be larger than zero".into())
                } else if iterations < keys::MIN_ITERATIONS as i64 {
                    Some(format!("the number of iterations is dangerously low (<{}), refusing to generate key", keys::MIN_ITERATIONS))
                } else if iterations > keys::MAX_ITERATIONS as i64 {
                    Some(format!(
                        "the number of iterations is more than herd allows ({})",
                        keys::MAX_ITERATIONS
                    ))
                } else if salt_length <= 0 {
                    Some("the salt length must be larger than zero".into())
                } else if salt_length > 1024 {
                    Some("the salt length must be at most 1024 bytes".into())
                } else if Hash::parse(&hash_name).is_none() {
                    Some(if hash_name.is_empty() {
                        "please specify a hash function".to_string()
                    } else {
                        format!("invalid hash function name: {hash_name}")
                    })
                } else {
                    None
                };
                if let Some(p) = problem {
                    self.diags.push(build_err(&addr, p, range));
                    return None;
                }
                Kind::Pbkdf2(Pbkdf2 {
                    passphrase,
                    key_length: key_length as usize,
                    iterations: iterations as u32,
                    hash: Hash::parse(&hash_name).unwrap_or(Hash::Sha512),
                    salt_length: salt_length as usize,
                })
            }
            _ => {
                // aws_kms. Arguments OpenTofu takes that herd cannot honour.
                for (k, a) in &b.attrs {
                    let supported = matches!(
                        k.as_str(),
                        "kms_key_id"
                            | "key_spec"
                            | "encryption_context"
                            | "region"
                            | "profile"
                            | "access_key"
                            | "secret_key"
                            | "token"
                            | "max_retries"
                            | "retry_mode"
                            | "skip_credentials_validation"
                            | "skip_requesting_account_id"
                            | "skip_metadata_api_check"
                            | "encrypted_metadata_alias"
                    );
                    if !supported {
                        self.diags.push(
                            Diagnostic::error(
                                "Unsupported key provider argument",
                                format!("{addr}: herd does not implement {k:?} for the aws_kms key provider. It takes credentials from the arguments access_key/secret_key/token or profile, or from the environment (AWS_* variables, shared config), and the endpoint from AWS_ENDPOINT_URL_KMS or AWS_ENDPOINT_URL."),
                            )
                            .at(a.key_range.clone()),
                        );
                    }
                }
                if b.blocks.len() > 1 {
                    self.diags.push(build_err(
                        &addr,
                        "expected single aws_kms endpoints block, multiple provided",
                        range.clone(),
                    ));
                }
                // endpoints { iam, sts }: herd's key provider calls neither
                // IAM nor STS, so there is nothing to point elsewhere; the
                // values are still evaluated so that errors show.
                for nb in &b.blocks {
                    for n in ["iam", "sts"] {
                        let _ = self.string(&addr, &nb.body, n);
                    }
                }
                let key_id = self.string(&addr, b, "kms_key_id").unwrap_or_default();
                let key_spec = self.string(&addr, b, "key_spec").unwrap_or_default();
                let mut context = BTreeMap::new();
                if let Some(a) = b.attrs.get("encryption_context") {
                    if let Some(v) =
                        self.value(&addr, "encryption_context", a, &Type::map(Type::String))
                    {
                        for (k, x) in v.as_entries().cloned().unwrap_or_default() {
                            context.insert(k, x.as_str().unwrap_or_default().to_string());
                        }
                    }
                }
                let region = self.string(&addr, b, "region");
                let profile = self.string(&addr, b, "profile");
                let access_key = self.string(&addr, b, "access_key");
                let secret_key = self.string(&addr, b, "secret_key");
                let token = self.string(&addr, b, "token");
                let max_retries = self.int(&addr, b, "max_retries");
                let retry_mode = self.string(&addr, b, "retry_mode");
                for flag in [
                    "skip_credentials_validation",
                    "skip_requesting_account_id",
                    "skip_metadata_api_check",
                ] {
                    if let Some(a) = b.attrs.get(flag) {
                        let _ = self.value(&addr, flag, a, &Type::Bool);
                    }
                }
                if self.diags.0.len() > before {
                    return None;
                }
                let env_region = ["AWS_REGION", "AWS_DEFAULT_REGION"]
                    .iter()
                    .any(|v| std::env::var(v).is_ok_and(|s| !s.is_empty()));
                let problem = if key_id.is_empty() {
                    Some("no kms_key_id provided".to_string())
                } else if key_spec.is_empty() {
                    Some("no key_spec provided".into())
                } else if !matches!(key_spec.as_str(), "AES_256" | "AES_128") {
                    Some(format!(
                        "invalid key_spec {key_spec}, expected one of [AES_256 AES_128]"
                    ))
                } else if region.is_none() && !env_region {
                    Some("the \"region\" attribute or the \"AWS_REGION\" or \"AWS_DEFAULT_REGION\" environment variables must be set.".into())
                } else if access_key.is_some() != secret_key.is_some() {
                    Some("access_key and secret_key must be set together".into())
                } else if retry_mode
                    .as_deref()
                    .is_some_and(|m| m != "standard" && m != "adaptive")
                {
                    Some(format!(
                        "invalid retry_mode {:?}: expected \"standard\" or \"adaptive\"",
                        retry_mode.clone().unwrap_or_default()
                    ))
                } else if max_retries.is_some_and(|n| !(0..=100).contains(&n)) {
                    Some("max_retries must be between 0 and 100".into())
                } else {
                    None
                };
                if let Some(p) = problem {
                    self.diags.push(build_err(&addr, p, range));
                    return None;
                }
                Kind::AwsKms(AwsKms {
                    key_id,
                    key_spec,
                    encryption_context: context,
                    region,
                    profile,
                    access_key,
                    secret_key,
                    token,
                    max_retries: max_retries.map(|n| n as u32),
                    retry_mode,
                })
            }
        };
        Some(KeyProvider {
            addr,
            meta_key,
            kind,
        })
    }

    fn method(&mut self, m: &MethodConfig) -> Option<Arc<Method>> {
        let addr = m.addr();
        if let Some(x) = self.methods.get(&addr) {
            return x.clone();
        }
        let built = self.build_method(m).map(Arc::new);
        self.methods.insert(addr, built.clone());
        built
    }

    fn build_method(&mut self, m: &MethodConfig) -> Option<Method> {
        let addr = m.addr();
        if m.ty == "unencrypted" {
            if let Some((k, a)) = m.body.attrs.iter().next() {
                self.diags.push(
                    Diagnostic::error(
                        "Unsupported argument",
                        format!(
                            "The unencrypted method takes no arguments; {k:?} is not expected."
                        ),
                    )
                    .at(a.key_range.clone()),
                );
                return None;
            }
            return Some(Method::Unencrypted);
        }
        let Some(keys_attr) = m.body.attrs.get("keys") else {
            self.diags.push(
                Diagnostic::error(
                    "Missing required argument",
                    format!(
                        "The argument \"keys\" is required in {addr}, but no definition was found."
                    ),
                )
                .at(m.range.clone()),
            );
            return None;
        };
        let Some(r) = static_ref(&keys_attr.expr.expr, "key_provider", &keys_attr.expr.file) else {
            self.diags.push(
                Diagnostic::error(
                    "Invalid Key Provider expression format",
                    "The keys argument must refer to a key provider: key_provider.<type>.<name> (herd does not take literal key bytes here).",
                )
                .at(keys_attr.expr.range()),
            );
            return None;
        };
        let Some(kp) = self.cfg.key_provider(&r.ty, &r.name) else {
            self.diags.push(
                Diagnostic::error(
                    "Reference to undeclared key provider",
                    format!("There is no key_provider {:?} {:?} block declared in the encryption block.", r.ty, r.name),
                )
                .at(r.range.clone()),
            );
            return None;
        };
        let kp = kp.clone();
        let mut aad = vec![];
        if let Some(a) = m.body.attrs.get("aad") {
            let v = self.value(&addr, "aad", a, &Type::list(Type::Number))?;
            for x in v.as_seq().unwrap_or_default() {
                match x
                    .as_number()
                    .and_then(|n| n.to_i64())
                    .filter(|n| (0..=255).contains(n))
                {
                    Some(b) => aad.push(b as u8),
                    None => {
                        self.diags.push(
                            Diagnostic::error(
                                "Invalid encryption argument",
                                format!(
                                    "\"aad\" in {addr} must be a list of byte values (0 to 255)."
                                ),
                            )
                            .at(a.key_range.clone()),
                        );
                        return None;
                    }
                }
            }
        }
        let provider = self.key_provider(&kp)?;
        let key_len = match &provider.kind {
            Kind::Pbkdf2(p) => p.key_length,
            Kind::AwsKms(k) => {
                if k.key_spec == "AES_128" {
                    16
                } else {
                    32
                }
            }
        };
        if ![16, 24, 32].contains(&key_len) {
            self.diags.push(
                Diagnostic::error(
                    "Invalid method configuration",
                    format!("{addr}: invalid method configuration: AES-GCM requires the key length to be one of: 16, 24, 32, received {key_len} bytes in the encryption key"),
                )
                .at(m.range.clone()),
            );
            return None;
        }
        Some(Method::AesGcm {
            addr,
            keys: provider,
            aad,
        })
    }

    /// The method chain of a target (primary first, then fallbacks).
    fn target(
        &mut self,
        name: &str,
        t: &crate::config::encryption::Target,
        enforced: bool,
    ) -> Option<Target> {
        let mut chain = vec![];
        let mut ok = true;
        let mut cur = Some(t);
        let mut first = true;
        while let Some(t) = cur {
            match &t.method {
                None => {
                    if first || t.fallback.is_none() {
                        self.diags.push(
                            Diagnostic::error(
                                "Missing encryption method",
                                format!("The {name} encryption {} sets no method. Set method = method.<type>.<name> here or in the TF_ENCRYPTION environment variable.", if first { "block" } else { "fallback block" }),
                            )
                            .at(t.range.clone()),
                        );
                    }
                    ok = false;
                }
                Some(r) => match self.cfg.method(&r.ty, &r.name) {
                    None => {
                        self.diags.push(
                            Diagnostic::error(
                                "Reference to undeclared encryption method",
                                format!("There is no method {:?} {:?} block declared in the encryption block.", r.ty, r.name),
                            )
                            .at(r.range.clone()),
                        );
                        ok = false;
                    }
                    Some(m) => {
                        let m = m.clone();
                        if enforced && m.ty == "unencrypted" {
                            self.diags.push(
                                Diagnostic::error("Unencrypted method is forbidden", "Unable to use unencrypted method since the enforced flag is set.")
                                    .at(r.range.clone()),
                            );
                            ok = false;
                        } else {
                            match self.method(&m) {
                                Some(x) => chain.push(x),
                                None => ok = false,
                            }
                        }
                    }
                },
            }
            first = false;
            cur = t.fallback.as_deref();
        }
        ok.then(|| Target::new(name, chain))
    }
}

/// Build the encryption of `cfg`, evaluating arguments with `eval`.
pub fn build(cfg: &EncryptionConfig, eval: &Eval<'_>) -> (Option<Encryption>, Diagnostics) {
    let mut b = Builder {
        cfg,
        eval,
        diags: Diagnostics::new(),
        providers: HashMap::new(),
        methods: HashMap::new(),
    };
    if cfg.methods.iter().any(|m| m.ty == "unencrypted") {
        b.diags.push(
            Diagnostic::warning(
                "Unencrypted method configured",
                "Method unencrypted is present in configuration. This is a security risk and should only be enabled during migrations.",
            )
            .at(cfg.range.clone()),
        );
    }
    let mut enc = Encryption::default();
    if let Some(s) = &cfg.state {
        enc.state = b.target("state", &s.target, s.enforced);
    }
    if let Some(p) = &cfg.plan {
        enc.plan = b.target("plan", &p.target, p.enforced);
    }
    if let Some(r) = &cfg.remote {
        if let Some(d) = &r.default {
            enc.remote_default = b.target("remote.default", d, false);
        }
        for (n, t) in &r.targets {
            if let Some(x) = b.target(&format!("remote.remote_state_datasource.{n}"), t, false) {
                enc.remotes.insert(n.clone(), x);
            }
        }
    }
    // Key providers no target uses are still checked: a broken one is a
    // mistake the user wants to hear about.
    for kp in &cfg.key_providers {
        b.key_provider(kp);
    }
    for m in &cfg.methods {
        b.method(m);
    }
    let diags = b.diags;
    if diags.has_errors() {
        (None, diags)
    } else {
        (Some(enc), diags)
    }
}

/// Does any configuration file of `dir` mention an encryption block?
fn mentions_encryption(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten().any(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                (n.ends_with(".tf") || n.ends_with(".tf.json"))
                    && std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("encryption"))
            })
        })
        .unwrap_or(false)
}

/// The encryption for a command run in `dir`: the root module's
/// `encryption` block merged with `TF_ENCRYPTION`, arguments evaluated with
/// the root variables (from `vars` and the usual files and environment) and
/// locals. Returns the warnings too; on error, the diagnostics and the
/// sources to render them with.
pub fn from_dir(
    dir: &Path,
    vars: &[crate::engine::vars::VarArg],
    workspace: &str,
) -> Result<(Encryption, Diagnostics, Sources), (Diagnostics, Sources)> {
    let (loaded, load_diags) = crate::engine::load(dir);
    let env = std::env::var("TF_ENCRYPTION").unwrap_or_default();
    let env = env.trim();
    if load_diags.has_errors() {
        // A configuration that does not load may hide an encryption block;
        // refuse rather than risk writing a plain state.
        if !env.is_empty() || mentions_encryption(dir) {
            return Err((load_diags, loaded.sources));
        }
        return Ok((Encryption::default(), Diagnostics::new(), loaded.sources));
    }
    let mut cfg = loaded.root.terraform.encryption.clone();
    if !env.is_empty() {
        let (over, d) = crate::config::encryption::parse_env(env, &loaded.sources);
        if d.has_errors() {
            return Err((d, loaded.sources));
        }
        cfg = Some(match cfg {
            Some(c) => c.merge(&over),
            None => over,
        });
    }
    let Some(cfg) = cfg else {
        return Ok((Encryption::default(), Diagnostics::new(), loaded.sources));
    };
    let opts = crate::engine::RunOptions {
        vars: vars.to_vec(),
        input: false,
        workspace: workspace.to_string(),
        validate_only: false,
    };
    // Variables without a value become unknown: only an error if the
    // encryption block uses them.
    let (raw, _) = crate::engine::vars::collect(dir, &loaded.root, vars, &loaded.sources);
    let mut values = HashMap::new();
    let mut missing: HashMap<String, Diagnostics> = HashMap::new();
    for (name, var) in &loaded.root.variables {
        let given = raw.get(name).map(|g| g.value.clone());
        let v = match crate::engine::modeval::finalize_variable(var, given, None, None, true) {
            Ok(v) => v,
            Err(d) => {
                missing.insert(name.clone(), d);
                Value::unknown(Type::Dynamic)
            }
        };
        values.insert(name.clone(), v);
    }
    let world = crate::engine::modeval::World::new(
        crate::engine::new_run(dir, &loaded, &opts),
        loaded.root.clone(),
        values,
    );
    let view = world.root_view();
    let eval = |e: &Expr| {
        // A variable the encryption needs but that has no (valid) value:
        // say so, rather than that the argument is unknown.
        for r in crate::lang::refs::expr_refs(&e.expr) {
            if r.root == "var" {
                if let Some(d) = r.attrs.first().and_then(|n| missing.get(n)) {
                    return Err(d.clone());
                }
            }
        }
        view.eval_expr(e, Some("terraform.encryption".into()))
    };
    let (enc, diags) = build(&cfg, &eval);
    match enc {
        Some(e) => Ok((e, diags, loaded.sources)),
        None => Err((diags, loaded.sources)),
    }
}
