//! Data sources `local_file` and `local_sensitive_file`: the bytes of
//! `filename` as `content` (text) and `content_base64`, with the same
//! checksums as the resource; the sensitive one marks both contents
//! sensitive.

use async_trait::async_trait;

use super::checksums;
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::{digest, get_str, with};
use crate::providers::{Attribute, DataSource, ProviderCtx, ProviderError, Schema};

pub struct LocalFileData {
    sensitive: bool,
    schema: Schema,
}

impl LocalFileData {
    pub fn new(sensitive: bool) -> LocalFileData {
        let c = || {
            let a = Attribute::computed(Type::String);
            if sensitive {
                a.sensitive()
            } else {
                a
            }
        };
        let mut schema = Schema::new()
            .attr("filename", Attribute::required(Type::String))
            .attr("content", c())
            .attr("content_base64", c())
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
        LocalFileData { sensitive, schema }
    }
}

#[async_trait]
impl DataSource for LocalFileData {
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
    async fn read(&self, _ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError> {
        let filename = get_str(config, "filename").unwrap_or_default();
        let data = std::fs::read(&filename).map_err(|e| {
            ProviderError::new(format!(
                "Read local file data source error: The file at given path cannot be read. Original Error: open {filename}: {e}"
            ))
        })?;
        let s = self.sensitive;
        let mut v = with(
            config,
            "content",
            Value::string(String::from_utf8_lossy(&data)).mark(s),
        );
        v = with(
            &v,
            "content_base64",
            Value::string(digest::b64(&data)).mark(s),
        );
        for (k, x) in checksums(&data) {
            v = with(&v, k, x);
        }
        Ok(v)
    }
}
