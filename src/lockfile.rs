//! `.terraform.lock.hcl`, Terraform's dependency lock file. herd downloads
//! no providers, so it never writes one; it reads the file a team keeps
//! (refusing one Terraform could not read) and says when the version it
//! locks for hashicorp/aws is not the one herd's built-in provider follows,
//! leaving the file exactly as it is so Terraform keeps working with it.

use std::path::Path;

use hcl_edit::expr::Expression;
use hcl_edit::structure::Structure;

use crate::diag::{Diagnostic, Diagnostics};
use crate::version::{Version, AWS_PROVIDER_VERSION};

pub const LOCK_FILE: &str = ".terraform.lock.hcl";

/// One `provider "ADDR"` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedProvider {
    pub address: String,
    pub version: String,
    pub constraints: Option<String>,
    pub hashes: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct LockError(pub String);

/// Parse the text of a lock file.
pub fn parse(text: &str) -> Result<Vec<LockedProvider>, LockError> {
    let body =
        hcl_edit::parser::parse_body(text).map_err(|e| LockError(e.message().to_string()))?;
    let mut out = Vec::new();
    for s in body.iter() {
        let b = match s {
            Structure::Block(b) => b,
            Structure::Attribute(a) => {
                return Err(LockError(format!(
                    "An argument named {:?} is not expected at the top level of the lock file.",
                    a.key.as_str()
                )))
            }
        };
        match b.ident.as_str() {
            "provider" => {}
            // Terraform reserves `module` blocks for a future version.
            "module" => continue,
            k => {
                return Err(LockError(format!(
                    "Blocks of type {k:?} are not expected in the lock file."
                )))
            }
        }
        let address = match b.labels.as_slice() {
            [l] => l.as_str().to_string(),
            _ => {
                return Err(LockError(
                    "A provider block needs exactly one label, the provider source address.".into(),
                ))
            }
        };
        let str_attr = |n: &str| {
            crate::config::attr(&b.body, n).and_then(|a| crate::config::const_string(&a.value))
        };
        let version = str_attr("version").ok_or_else(|| {
            LockError(format!(
                "The provider block for {address:?} has no version."
            ))
        })?;
        Version::parse(&version).map_err(|e| LockError(format!("provider {address:?}: {e}")))?;
        let hashes = match crate::config::attr(&b.body, "hashes").map(|a| &a.value) {
            Some(Expression::Array(a)) => a
                .iter()
                .map(|e| {
                    crate::config::const_string(e).ok_or_else(|| {
                        LockError(format!("provider {address:?}: hashes must be strings"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            Some(_) => {
                return Err(LockError(format!(
                    "provider {address:?}: hashes must be a list of strings"
                )))
            }
            None => vec![],
        };
        out.push(LockedProvider {
            address,
            version,
            constraints: str_attr("constraints"),
            hashes,
        });
    }
    Ok(out)
}

/// Check the lock file in `dir`, if there is one.
pub fn check(dir: &Path) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let text = match std::fs::read_to_string(dir.join(LOCK_FILE)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return diags,
        Err(e) => {
            diags.push(Diagnostic::error(
                "Failed to read dependency lock file",
                format!("The file {LOCK_FILE} could not be read: {e}."),
            ));
            return diags;
        }
    };
    match parse(&text) {
        Err(e) => diags.push(Diagnostic::error(
            "Invalid dependency lock file",
            format!("The file {LOCK_FILE} is not a valid dependency lock file: {e}"),
        )),
        Ok(providers) => {
            for p in providers {
                let addr = p.address.to_ascii_lowercase();
                if (addr == "registry.terraform.io/hashicorp/aws" || addr == "hashicorp/aws")
                    && p.version != AWS_PROVIDER_VERSION
                {
                    diags.push(Diagnostic::warning(
                        "Locked provider version differs from herd's",
                        format!("The dependency lock file selects hashicorp/aws v{}; herd's built-in provider follows v{AWS_PROVIDER_VERSION}. herd leaves {LOCK_FILE} unchanged, so Terraform keeps using v{}.", p.version, p.version),
                    ));
                }
            }
        }
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_terraform_lock_file() {
        let t = r#"# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.100.0"
  constraints = "~> 5.0"
  hashes = [
    "h1:abc=",
    "zh:0123",
  ]
}
"#;
        let p = parse(t).unwrap();
        assert_eq!(p[0].version, "5.100.0");
        assert_eq!(p[0].constraints.as_deref(), Some("~> 5.0"));
        assert_eq!(p[0].hashes.len(), 2);
        assert!(parse("provider \"x\" {}\n").is_err());
        assert!(parse("nonsense {").is_err());
    }
}
