//! Data source `template_file`: `template` rendered as a Terraform string
//! template with `vars` (strings only) and Terraform's functions;
//! `rendered` is the result, `id` its SHA-256 hex. (`filename` was removed
//! from the provider; herd rejects it the same way.)

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::digest::{hex, sha256};
use crate::providers::builtin::{get, get_str, string_map, with};
use crate::providers::{Attribute, DataSource, ProviderCtx, ProviderError, Schema};

pub struct TemplateFile {
    schema: Schema,
}

impl TemplateFile {
    pub fn new() -> TemplateFile {
        TemplateFile {
            schema: Schema::new()
                .attr("template", Attribute::optional(Type::String))
                .attr("filename", Attribute::optional(Type::String))
                .attr(
                    "vars",
                    Attribute::optional(string_map())
                        .default(Value::map(Type::String, BTreeMap::new())),
                )
                .attr("rendered", Attribute::computed(Type::String))
                .attr("id", Attribute::computed(Type::String)),
        }
    }
}

impl Default for TemplateFile {
    fn default() -> Self {
        TemplateFile::new()
    }
}

#[async_trait]
impl DataSource for TemplateFile {
    fn type_name(&self) -> &'static str {
        "template_file"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn validate(&self, config: &Value) -> Result<(), (String, String)> {
        if !get(config, "filename").is_null() {
            return Err((
                "Unsupported argument".into(),
                "\"filename\": [REMOVED] Use the 'template' attribute instead.".into(),
            ));
        }
        Ok(())
    }
    async fn read(&self, _ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError> {
        let text = get_str(config, "template").unwrap_or_default();
        let vars: BTreeMap<String, Value> = get(config, "vars")
            .as_entries()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.clone().unmark_deep()))
                    .collect()
            })
            .unwrap_or_default();
        let fnctx = crate::lang::funcs::FnCtx {
            base_dir: std::env::current_dir().unwrap_or_else(|_| ".".into()),
            allow_impure: true,
            ..Default::default()
        };
        let rendered = crate::lang::eval::render_template_with(&text, &vars, &fnctx)
            .map_err(|e| ProviderError::new(format!("failed to render : {e}")))?;
        let s = match rendered.as_str() {
            Some(s) => s.to_string(),
            None => crate::lang::convert::convert(&rendered, &Type::String)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .ok_or_else(|| ProviderError::new("invalid template result: string required"))?,
        };
        let v = with(config, "rendered", Value::string(s.clone()));
        Ok(with(&v, "id", Value::string(hex(&sha256(s.as_bytes())))))
    }
}
