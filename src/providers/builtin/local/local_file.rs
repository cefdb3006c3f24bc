//! `local_file` and `local_sensitive_file`: a file at `filename` with the
//! given `content`, `content_base64` (decoded), `source` (another file's
//! bytes) or, for `local_file`, the deprecated `sensitive_content`. Created
//! with `file_permission` (default "0777"; "0700" for the sensitive type)
//! in directories made with `directory_permission`, both subject to the
//! umask as with the provider. The state holds the content checksums; the
//! `id` is the SHA-1. A file that is missing or whose SHA-1 differs reads
//! as gone. The sensitive type marks `content` and `content_base64`
//! sensitive. No import.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};

use async_trait::async_trait;
use base64::Engine;

use super::checksums;
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::{digest, get_str, with};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct LocalFile {
    sensitive: bool,
    schema: Schema,
}

impl LocalFile {
    pub fn new(sensitive: bool) -> LocalFile {
        let perm = if sensitive { "0700" } else { "0777" };
        let content = || {
            let a = Attribute::optional(Type::String).force_new();
            if sensitive {
                a.sensitive()
            } else {
                a
            }
        };
        let mut schema = Schema::new()
            .attr("filename", Attribute::required(Type::String).force_new())
            .attr("content", content())
            .attr("content_base64", content())
            .attr("source", Attribute::optional(Type::String).force_new())
            .attr(
                "file_permission",
                Attribute::optional_computed(Type::String)
                    .default(Value::string(perm))
                    .force_new(),
            )
            .attr(
                "directory_permission",
                Attribute::optional_computed(Type::String)
                    .default(Value::string(perm))
                    .force_new(),
            )
            .attr("id", Attribute::computed(Type::String));
        for k in [
            "content_md5",
            "content_sha1",
            "content_sha256",
            "content_base64sha256",
            "content_sha512",
            "content_base64sha512",
        ] {
            schema = schema.attr(k, Attribute::computed(Type::String));
        }
        if !sensitive {
            schema = schema.attr(
                "sensitive_content",
                Attribute::optional(Type::String).force_new().sensitive(),
            );
        }
        LocalFile { sensitive, schema }
    }

    fn content_args(&self) -> &'static [&'static str] {
        if self.sensitive {
            &["content", "content_base64", "source"]
        } else {
            &["content", "sensitive_content", "content_base64", "source"]
        }
    }
}

/// A permission string as the provider's FilePermissionType accepts it:
/// three or four octal digits, at most 0777.
pub fn parse_permission(s: &str) -> Result<u32, String> {
    if s.len() < 3 || s.len() > 4 {
        return Err(format!(
            "bad mode permission: string length should be 3 or 4 digits: {s}"
        ));
    }
    match u32::from_str_radix(s, 8) {
        Ok(m) if m <= 0o777 => Ok(m),
        _ => Err(format!(
            "bad mode permission: string must be expressed in octal numeric notation: {s}"
        )),
    }
}

/// The bytes the planned object asks for.
fn content_of(v: &Value) -> Result<Vec<u8>, String> {
    if let Some(s) = get_str(v, "sensitive_content") {
        return Ok(s.into_bytes());
    }
    if let Some(s) = get_str(v, "content_base64") {
        return base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map_err(|e| format!("illegal base64 data: {e}"));
    }
    if let Some(p) = get_str(v, "source") {
        return std::fs::read(&p).map_err(|e| format!("open {p}: {e}"));
    }
    Ok(get_str(v, "content").unwrap_or_default().into_bytes())
}

fn perm_of(v: &Value, k: &str, default: &str) -> u32 {
    get_str(v, k)
        .and_then(|s| parse_permission(&s).ok())
        .unwrap_or_else(|| parse_permission(default).unwrap_or(0o777))
}

#[async_trait]
impl Resource for LocalFile {
    fn type_name(&self) -> &'static str {
        if self.sensitive {
            "local_sensitive_file"
        } else {
            "local_file"
        }
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn validate(&self, config: &Value) -> Result<(), (String, String)> {
        let args = self.content_args();
        let set = args
            .iter()
            .filter(|k| !crate::providers::builtin::get(config, k).is_null())
            .count();
        let list = format!("[{}]", args.join(","));
        if set == 0 {
            return Err((
                "Invalid Attribute Combination".into(),
                format!("No attribute specified when one (and only one) of {list} is required"),
            ));
        }
        if set > 1 {
            return Err((
                "Invalid Attribute Combination".into(),
                format!("2 attributes specified when one (and only one) of {list} is required"),
            ));
        }
        for k in ["file_permission", "directory_permission"] {
            if let Some(p) = get_str(config, k) {
                parse_permission(&p)
                    .map_err(|e| ("Invalid File Permission String Value".to_string(), e))?;
            }
        }
        Ok(())
    }
    async fn create(&self, _ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let content = content_of(planned).map_err(|e| {
            ProviderError::new(format!(
                "Create local file error: An unexpected error occurred while parsing local file content. Original Error: {e}"
            ))
        })?;
        let default = if self.sensitive { "0700" } else { "0777" };
        let filename = get_str(planned, "filename").unwrap_or_default();
        let path = std::path::Path::new(&filename);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if std::fs::metadata(dir).is_err() {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(perm_of(planned, "directory_permission", default))
                    .create(dir)
                    .map_err(|e| {
                        ProviderError::new(format!(
                            "Create local file error: An unexpected error occurred while creating file directory. Original Error: {e}"
                        ))
                    })?;
            }
        }
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(perm_of(planned, "file_permission", default))
                .open(path)?;
            f.write_all(&content)
        };
        write().map_err(|e| {
            ProviderError::new(format!(
                "Create local file error: An unexpected error occurred while writing the file. Original Error: {e}"
            ))
        })?;
        let mut v = planned.clone();
        for (k, x) in checksums(&content) {
            v = with(&v, k, x);
        }
        Ok(v)
    }
    async fn read(
        &self,
        _ctx: &ProviderCtx,
        state: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        let filename = get_str(state, "filename").unwrap_or_default();
        let data = match std::fs::read(&filename) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(ProviderError::new(format!(
                    "Read local file error: An unexpected error occurred while reading the file. Original Error: {e}"
                )))
            }
        };
        if get_str(state, "id").as_deref() != Some(digest::hex(&digest::sha1(&data)).as_str()) {
            return Ok(None);
        }
        Ok(Some(state.clone()))
    }
    async fn update(
        &self,
        _ctx: &ProviderCtx,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        Ok(planned.clone())
    }
    async fn delete(&self, _ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        if let Some(f) = get_str(prior, "filename") {
            let _ = std::fs::remove_file(f);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn permissions() {
        assert_eq!(super::parse_permission("0644"), Ok(0o644));
        assert_eq!(super::parse_permission("755"), Ok(0o755));
        assert!(super::parse_permission("0999").is_err());
        assert!(super::parse_permission("1777").is_err());
        assert!(super::parse_permission("77").is_err());
    }
}
