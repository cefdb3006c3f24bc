//! `.terraform/modules/modules.json`, the module manifest in Terraform's
//! format: one record per module key (`""` for the root, `vpc`, `vpc.sub`)
//! with its normalised source address, the registry version when there is
//! one, and the directory (relative to the root module, `/`-separated) that
//! holds its files. Written by `init`, read by every command that loads the
//! configuration, so a directory initialised by Terraform works with herd and
//! the reverse.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub const MANIFEST_PATH: &str = ".terraform/modules/modules.json";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Source")]
    pub source: String,
    #[serde(rename = "Version", default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(rename = "Dir")]
    pub dir: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(rename = "Modules", default)]
    pub modules: Vec<Record>,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("Failed to read module manifest {path}: {err}")]
    Read { path: String, err: std::io::Error },
    #[error("Failed to read module manifest {path}: {err}")]
    Parse {
        path: String,
        err: serde_json::Error,
    },
    #[error("Failed to write module manifest {path}: {err}")]
    Write { path: String, err: std::io::Error },
}

impl Manifest {
    /// The manifest under `root`, or None when there is none.
    pub fn read(root: &Path) -> Result<Option<Manifest>, ManifestError> {
        let p = root.join(MANIFEST_PATH);
        let text = match std::fs::read_to_string(&p) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => {
                return Err(ManifestError::Read {
                    path: MANIFEST_PATH.into(),
                    err,
                })
            }
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|err| ManifestError::Parse {
                path: MANIFEST_PATH.into(),
                err,
            })
    }

    pub fn get(&self, key: &str) -> Option<&Record> {
        self.modules.iter().find(|r| r.key == key)
    }

    /// Insert or replace the record for `rec.key`.
    pub fn put(&mut self, rec: Record) {
        self.modules.retain(|r| r.key != rec.key);
        self.modules.push(rec);
    }

    /// The record's directory, resolved against the root module directory.
    pub fn dir_of(root: &Path, rec: &Record) -> PathBuf {
        root.join(&rec.dir)
    }

    /// Write the manifest (records sorted by key, as Terraform writes them).
    pub fn write(&self, root: &Path) -> Result<(), ManifestError> {
        let mut m = self.clone();
        m.modules.sort_by(|a, b| a.key.cmp(&b.key));
        let p = root.join(MANIFEST_PATH);
        let werr = |err| ManifestError::Write {
            path: MANIFEST_PATH.into(),
            err,
        };
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(werr)?;
        }
        let text = serde_json::to_string(&m).unwrap_or_default();
        let tmp = p.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(werr)?;
        std::fs::rename(&tmp, &p).map_err(werr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_terraform_writes() {
        // As written by `terraform init` 1.11.4 (git sources, a subdir and
        // a local module nested in a remote one).
        let t = r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"loc","Source":"./loc","Dir":"loc"},{"Key":"sub2","Source":"git::file:///tmp/orc/repo//modules/sub","Dir":".terraform/modules/sub2/modules/sub"},{"Key":"vpc","Source":"registry.terraform.io/terraform-aws-modules/vpc/aws","Version":"5.1.0","Dir":".terraform/modules/vpc"}]}"#;
        let m: Manifest = serde_json::from_str(t).unwrap();
        assert_eq!(m.get("vpc").unwrap().version.as_deref(), Some("5.1.0"));
        assert_eq!(m.get("loc").unwrap().version, None);
        assert_eq!(serde_json::to_string(&m).unwrap(), t);
    }
}
