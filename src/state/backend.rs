//! Backend selection, as Terraform's `meta_backend`: the `backend "NAME"`
//! block of the root module, merged with `-backend-config` at `init`, is
//! recorded in `.terraform/terraform.tfstate` (version 3: `backend.type`,
//! `backend.config` with every argument of the backend's schema, null when
//! unset, and `backend.hash`, cty's hash of the block as written, without
//! the `-backend-config` overrides). Every other command compares the block
//! with that record and refuses to run until `init` when they differ, and a
//! backend herd does not implement is an error everywhere: never a silent
//! local state.

use std::path::{Path, PathBuf};

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span;
use serde_json::{Map, Value as J};

use super::mgr::{Backend, Local};
use crate::config::TerraformSettings;
use crate::diag::{Diagnostic, SourceRange};

/// The backends herd implements.
pub const IMPLEMENTED: &[&str] = &["local", "s3"];

/// Terraform's other backends: named in errors, never used.
const TERRAFORM_BACKENDS: &[&str] = &[
    "azurerm",
    "consul",
    "cos",
    "gcs",
    "http",
    "kubernetes",
    "oss",
    "pg",
    "remote",
    "cloud",
];

/// The type of one backend argument (enough of cty's to coerce and hash).
#[derive(Clone, Copy, Debug)]
enum Ty {
    Str,
    Bool,
    Num,
    ListStr,
    SetStr,
    MapStr,
    Obj(&'static [(&'static str, Ty)]),
}

const ASSUME_ROLE: &[(&str, Ty)] = &[
    ("duration", Ty::Str),
    ("external_id", Ty::Str),
    ("policy", Ty::Str),
    ("policy_arns", Ty::SetStr),
    ("role_arn", Ty::Str),
    ("session_name", Ty::Str),
    ("source_identity", Ty::Str),
    ("tags", Ty::MapStr),
    ("transitive_tag_keys", Ty::SetStr),
];

const WEB_IDENTITY: &[(&str, Ty)] = &[
    ("duration", Ty::Str),
    ("policy", Ty::Str),
    ("policy_arns", Ty::SetStr),
    ("role_arn", Ty::Str),
    ("session_name", Ty::Str),
    ("web_identity_token", Ty::Str),
    ("web_identity_token_file", Ty::Str),
];

const ENDPOINTS: &[(&str, Ty)] = &[
    ("dynamodb", Ty::Str),
    ("iam", Ty::Str),
    ("s3", Ty::Str),
    ("sso", Ty::Str),
    ("sts", Ty::Str),
];

/// Terraform 1.11's s3 backend schema (`terraform init` writes exactly
/// these keys to `.terraform/terraform.tfstate`), sorted.
const S3_SCHEMA: &[(&str, Ty)] = &[
    ("access_key", Ty::Str),
    ("acl", Ty::Str),
    ("allowed_account_ids", Ty::SetStr),
    ("assume_role", Ty::Obj(ASSUME_ROLE)),
    ("assume_role_with_web_identity", Ty::Obj(WEB_IDENTITY)),
    ("bucket", Ty::Str),
    ("custom_ca_bundle", Ty::Str),
    ("dynamodb_endpoint", Ty::Str),
    ("dynamodb_table", Ty::Str),
    ("ec2_metadata_service_endpoint", Ty::Str),
    ("ec2_metadata_service_endpoint_mode", Ty::Str),
    ("encrypt", Ty::Bool),
    ("endpoint", Ty::Str),
    ("endpoints", Ty::Obj(ENDPOINTS)),
    ("forbidden_account_ids", Ty::SetStr),
    ("force_path_style", Ty::Bool),
    ("http_proxy", Ty::Str),
    ("https_proxy", Ty::Str),
    ("iam_endpoint", Ty::Str),
    ("insecure", Ty::Bool),
    ("key", Ty::Str),
    ("kms_key_id", Ty::Str),
    ("max_retries", Ty::Num),
    ("no_proxy", Ty::Str),
    ("profile", Ty::Str),
    ("region", Ty::Str),
    ("retry_mode", Ty::Str),
    ("secret_key", Ty::Str),
    ("shared_config_files", Ty::ListStr),
    ("shared_credentials_file", Ty::Str),
    ("shared_credentials_files", Ty::ListStr),
    ("skip_credentials_validation", Ty::Bool),
    ("skip_metadata_api_check", Ty::Bool),
    ("skip_region_validation", Ty::Bool),
    ("skip_requesting_account_id", Ty::Bool),
    ("skip_s3_checksum", Ty::Bool),
    ("sse_customer_key", Ty::Str),
    ("sts_endpoint", Ty::Str),
    ("sts_region", Ty::Str),
    ("token", Ty::Str),
    ("use_dualstack_endpoint", Ty::Bool),
    ("use_fips_endpoint", Ty::Bool),
    ("use_lockfile", Ty::Bool),
    ("use_path_style", Ty::Bool),
    ("workspace_key_prefix", Ty::Str),
];

const LOCAL_SCHEMA: &[(&str, Ty)] = &[("path", Ty::Str), ("workspace_dir", Ty::Str)];

fn schema(ty: &str) -> Option<&'static [(&'static str, Ty)]> {
    match ty {
        "s3" => Some(S3_SCHEMA),
        "local" => Some(LOCAL_SCHEMA),
        _ => None,
    }
}

/// The record in `.terraform/terraform.tfstate`.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    pub ty: String,
    pub config: J,
    pub hash: u64,
}

/// `$TF_DATA_DIR`, else `.terraform`, under `dir`.
pub fn data_dir(dir: &Path) -> PathBuf {
    match std::env::var("TF_DATA_DIR") {
        Ok(d) if !d.is_empty() => dir.join(d),
        _ => dir.join(".terraform"),
    }
}

fn saved_path(dir: &Path) -> PathBuf {
    data_dir(dir).join("terraform.tfstate")
}

/// Read the backend record; `Ok(None)` when there is none.
pub fn read_saved(dir: &Path) -> Result<Option<Saved>, String> {
    let p = saved_path(dir);
    let text = match std::fs::read_to_string(&p) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", p.display())),
    };
    let v: J = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
    let Some(b) = v.get("backend").filter(|b| !b.is_null()) else {
        return Ok(None);
    };
    let ty = b.get("type").and_then(J::as_str).unwrap_or("").to_string();
    if ty.is_empty() {
        return Ok(None);
    }
    Ok(Some(Saved {
        ty,
        config: b.get("config").cloned().unwrap_or(J::Null),
        hash: b.get("hash").and_then(J::as_u64).unwrap_or(0),
    }))
}

/// Write the backend record as Terraform does (`None`: remove it).
pub fn write_saved(dir: &Path, s: Option<&Saved>) -> Result<(), String> {
    let p = saved_path(dir);
    let Some(s) = s else {
        return match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(format!("{}: {e}", p.display()))
            }
            _ => Ok(()),
        };
    };
    let v = serde_json::json!({
        "version": 3,
        "terraform_version": super::TERRAFORM_VERSION,
        "backend": {"type": s.ty, "config": s.config, "hash": s.hash},
    });
    let text = serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?;
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let tmp = p.with_extension("tfstate.tmp");
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, &p))
        .map_err(|e| format!("{}: {e}", p.display()))
}

/// An error about the backend block, at its header.
fn diag(summary: &str, detail: String, range: Option<SourceRange>) -> Diagnostic {
    Diagnostic::error(summary, detail).at(range)
}

/// The error for a backend herd does not implement.
pub fn unsupported(ty: &str, range: Option<SourceRange>) -> Diagnostic {
    if TERRAFORM_BACKENDS.contains(&ty) {
        diag(
            "Unsupported backend type",
            format!("herd does not implement the {ty:?} backend; it implements \"local\" and \"s3\". herd will not fall back to a local state: use one of those backends, or Terraform for this configuration."),
            range,
        )
    } else {
        diag(
            "Invalid backend type",
            format!("There is no backend type named {ty:?}."),
            range,
        )
    }
}

fn init_required(reason: String) -> Diagnostic {
    Diagnostic::error(
        "Backend initialization required, please run \"herd init\"",
        format!(
            "Reason: {reason}

The \"backend\" is the interface that herd uses to store state,
perform operations, etc. If this message is showing up, it means that the
herd configuration you're using is using a custom configuration for
the herd backend.

Changes to backend configurations require reinitialization. This allows
herd to set up the new configuration, copy existing state, etc. Please run
\"herd init\" with either the \"-reconfigure\" or \"-migrate-state\" flags to
use the current configuration.

If the change reason above is incorrect, please verify your configuration
hasn't changed and try again. At this point, no changes to your existing
configuration or state have been made."
        ),
    )
}

/// A literal value (backend blocks take no references, as in Terraform).
fn literal(e: &Expression) -> Option<J> {
    Some(match e {
        Expression::Null(_) => J::Null,
        Expression::Bool(b) => J::Bool(*b.value()),
        Expression::Number(n) => serde_json::from_str(&n.value().to_string()).ok()?,
        Expression::Array(a) => J::Array(a.iter().map(literal).collect::<Option<_>>()?),
        Expression::Object(o) => {
            let mut m = Map::new();
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(i) => i.as_str().to_string(),
                    ObjectKey::Expression(e) => crate::config::const_string(e)?,
                };
                m.insert(key, literal(v.expr())?);
            }
            J::Object(m)
        }
        Expression::Parenthesis(p) => literal(p.inner())?,
        e => J::String(crate::config::const_string(e)?),
    })
}

/// The arguments of a backend body, as JSON.
fn body_args(
    body: &Body,
    file: Option<&std::sync::Arc<str>>,
) -> Result<Map<String, J>, Diagnostic> {
    let mut m = Map::new();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let range = file.and_then(|f| crate::config::range_of(f, a.value.span()));
                let Some(v) = literal(&a.value) else {
                    return Err(diag(
                        "Variables not allowed",
                        "Variables may not be used here.".into(),
                        range,
                    ));
                };
                m.insert(a.key.as_str().to_string(), v);
            }
            Structure::Block(b) => {
                let range = file.and_then(|f| crate::config::range_of(f, b.ident.span()));
                return Err(diag(
                    "Unsupported block type",
                    format!(
                        "Blocks of type {:?} are not expected here.",
                        b.ident.as_str()
                    ),
                    range,
                ));
            }
        }
    }
    Ok(m)
}

fn coerce(name: &str, t: Ty, v: J) -> Result<J, String> {
    let bad = |want: &str| format!("Invalid value for backend argument {name:?}: {want} required.");
    Ok(match (t, v) {
        (_, J::Null) => J::Null,
        (Ty::Str, J::String(s)) => J::String(s),
        (Ty::Str, J::Bool(b)) => J::String(b.to_string()),
        (Ty::Str, J::Number(n)) => J::String(n.to_string()),
        (Ty::Bool, J::Bool(b)) => J::Bool(b),
        (Ty::Bool, J::String(s)) if s == "true" => J::Bool(true),
        (Ty::Bool, J::String(s)) if s == "false" => J::Bool(false),
        (Ty::Num, J::Number(n)) => J::Number(n),
        (Ty::Num, J::String(s)) => serde_json::from_str::<serde_json::Number>(&s)
            .map(J::Number)
            .map_err(|_| bad("a number"))?,
        (Ty::ListStr | Ty::SetStr, J::Array(a)) => {
            let mut out = a
                .into_iter()
                .map(|x| match x {
                    J::String(s) => Ok(s),
                    _ => Err(bad("a list of strings")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            if matches!(t, Ty::SetStr) {
                out.sort();
                out.dedup();
            }
            J::Array(out.into_iter().map(J::String).collect())
        }
        (Ty::MapStr, J::Object(m)) => J::Object(
            m.into_iter()
                .map(|(k, v)| match v {
                    J::String(s) => Ok((k, J::String(s))),
                    _ => Err(bad("a map of strings")),
                })
                .collect::<Result<_, _>>()?,
        ),
        (Ty::Obj(attrs), J::Object(m)) => J::Object(fill(name, attrs, m)?),
        (Ty::Str, _) => return Err(bad("a string")),
        (Ty::Bool, _) => return Err(bad("a bool")),
        (Ty::Num, _) => return Err(bad("a number")),
        (Ty::ListStr | Ty::SetStr, _) => return Err(bad("a list of strings")),
        (Ty::MapStr, _) => return Err(bad("a map of strings")),
        (Ty::Obj(_), _) => return Err(bad("an object")),
    })
}

/// Every argument of `attrs` (null when absent), checked and converted.
fn fill(ctx: &str, attrs: &[(&str, Ty)], mut m: Map<String, J>) -> Result<Map<String, J>, String> {
    if let Some(k) = m.keys().find(|k| !attrs.iter().any(|(n, _)| n == k)) {
        return Err(if ctx.is_empty() {
            format!("An argument named {k:?} is not expected here.")
        } else {
            format!("An attribute named {k:?} is not expected in {ctx:?}.")
        });
    }
    let mut out = Map::new();
    for (n, t) in attrs {
        let v = m.remove(*n).unwrap_or(J::Null);
        out.insert(n.to_string(), coerce(n, *t, v)?);
    }
    Ok(out)
}

/// cty's `Value.Hash()` of `(type, config)` — the bytes of its set-hash
/// encoding, CRC-32 — which is what Terraform records as `backend.hash`.
fn cty_hash(ty: &str, config: &J) -> u64 {
    fn enc(v: &J, out: &mut String) {
        match v {
            J::Null => out.push('~'),
            J::Bool(b) => out.push(if *b { 'T' } else { 'F' }),
            J::Number(n) => out.push_str(&n.to_string()),
            // Go's %q; the backend arguments are plain text.
            J::String(s) => out.push_str(&go_quote(s)),
            J::Array(a) => {
                out.push('[');
                for x in a {
                    enc(x, out);
                    out.push(';');
                }
                out.push(']');
            }
            J::Object(m) => {
                out.push('<');
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                for k in keys {
                    enc(&m[k], out);
                    out.push(';');
                }
                out.push('>');
            }
        }
    }
    let mut s = String::from("<");
    enc(&J::String(ty.into()), &mut s);
    s.push(';');
    enc(config, &mut s);
    s.push_str(";>");
    crc32fast::hash(s.as_bytes()) as u64
}

fn go_quote(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            '\r' => o.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                o.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// The backend block of the configuration.
pub struct Block<'a> {
    pub ty: &'a str,
    pub body: &'a Body,
    pub range: Option<SourceRange>,
}

impl<'a> Block<'a> {
    pub fn of(tf: &'a TerraformSettings) -> Option<Block<'a>> {
        tf.backend.as_ref().map(|(ty, body)| Block {
            ty,
            body,
            range: tf.backend_range.clone(),
        })
    }

    /// The block's arguments (every one of the schema) and their hash.
    pub fn config(&self) -> Result<(Map<String, J>, u64), Diagnostic> {
        if !IMPLEMENTED.contains(&self.ty) {
            return Err(unsupported(self.ty, self.range.clone()));
        }
        let file = self.range.as_ref().map(|r| r.file.clone());
        let args = body_args(self.body, file.as_ref())?;
        let attrs = schema(self.ty).unwrap_or(&[]);
        let m = fill("", attrs, args)
            .map_err(|e| diag("Invalid backend configuration", e, self.range.clone()))?;
        let hash = cty_hash(self.ty, &J::Object(m.clone()));
        Ok((m, hash))
    }
}

/// `-backend-config` values, in order: `KEY=VALUE` (a string, converted to
/// the argument's type) or a file of HCL arguments.
pub fn overrides(dir: &Path, args: &[String]) -> Result<Map<String, J>, Diagnostic> {
    let mut m = Map::new();
    for a in args {
        if let Some((k, v)) = a.split_once('=') {
            m.insert(k.trim().to_string(), J::String(v.to_string()));
            continue;
        }
        let p = dir.join(a);
        let text = std::fs::read_to_string(&p).map_err(|e| {
            Diagnostic::error(
                "Failed to read file",
                format!("The file {a:?} could not be read: {e}"),
            )
        })?;
        let body: Body = text.parse().map_err(|e: hcl_edit::parser::Error| {
            Diagnostic::error(
                "Invalid backend configuration file",
                format!("The -backend-config file {a:?} is not valid HCL: {e}"),
            )
        })?;
        m.extend(body_args(&body, None)?);
    }
    Ok(m)
}

/// The block's arguments with the overrides applied, checked.
pub fn merge(ty: &str, block: Map<String, J>, over: Map<String, J>) -> Result<J, Diagnostic> {
    let attrs = schema(ty).unwrap_or(&[]);
    let mut m = block;
    for (k, v) in over {
        m.insert(k, v);
    }
    let m = fill("", attrs, m).map_err(|e| {
        Diagnostic::error(
            "Invalid backend configuration",
            format!("-backend-config: {e}"),
        )
    })?;
    Ok(J::Object(m))
}

/// The backend of type `ty` with this configuration.
pub fn instantiate(dir: &Path, ty: &str, config: &J) -> Result<Box<dyn Backend>, Diagnostic> {
    let get = |k: &str| config.get(k).and_then(J::as_str);
    match ty {
        "local" => Ok(Box::new(Local::new(dir, get("path"), get("workspace_dir")))),
        "s3" => {
            let c = super::s3::S3Config::from_json(config)
                .map_err(|e| Diagnostic::error("Invalid s3 backend configuration", e))?;
            let b = super::s3::S3Backend::new(c)
                .map_err(|e| Diagnostic::error("Failed to configure the s3 backend", e))?;
            Ok(Box::new(b))
        }
        t => Err(unsupported(t, None)),
    }
}

/// The backend every command but `init` uses: the one `init` recorded,
/// when the configuration still says the same; local without either.
pub fn select(dir: &Path, tf: &TerraformSettings) -> Result<Box<dyn Backend>, Diagnostic> {
    let block = Block::of(tf);
    if let Some(b) = &block {
        if !IMPLEMENTED.contains(&b.ty) {
            return Err(unsupported(b.ty, b.range.clone()));
        }
    }
    let saved =
        read_saved(dir).map_err(|e| Diagnostic::error("Failed to read the backend record", e))?;
    match (block, saved) {
        (None, None) => Ok(Box::new(Local::new(dir, None, None))),
        (None, Some(s)) => Err(init_required(format!(
            "Unsetting the previously set backend {:?}",
            s.ty
        ))),
        (Some(b), None) => Err(init_required(format!(
            "Initial configuration of the requested backend {:?}",
            b.ty
        ))
        .at(b.range.clone())),
        (Some(b), Some(s)) => {
            if b.ty != s.ty {
                return Err(init_required(format!(
                    "Backend type changed from {:?} to {:?}",
                    s.ty, b.ty
                ))
                .at(b.range.clone()));
            }
            let (_, hash) = b.config()?;
            if hash != s.hash {
                return Err(
                    init_required("Backend configuration block has changed".into())
                        .at(b.range.clone()),
                );
            }
            instantiate(dir, &s.ty, &s.config)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash Terraform 1.11.4 wrote for this s3 configuration
    /// (`terraform init` against moto).
    #[test]
    fn hash_matches_terraform() {
        let mut m = Map::new();
        m.insert("bucket".into(), J::String("tfb".into()));
        m.insert("key".into(), J::String("app/terraform.tfstate".into()));
        m.insert("region".into(), J::String("us-east-1".into()));
        m.insert("use_lockfile".into(), J::Bool(true));
        m.insert("dynamodb_table".into(), J::String("locks".into()));
        m.insert("use_path_style".into(), J::Bool(true));
        m.insert("skip_credentials_validation".into(), J::Bool(true));
        m.insert("skip_requesting_account_id".into(), J::Bool(true));
        m.insert(
            "endpoints".into(),
            serde_json::json!({"s3": "http://127.0.0.1:45111", "dynamodb": "http://127.0.0.1:45111"}),
        );
        let full = fill("", S3_SCHEMA, m).unwrap();
        assert_eq!(cty_hash("s3", &J::Object(full)), 4053322360);
    }
}
