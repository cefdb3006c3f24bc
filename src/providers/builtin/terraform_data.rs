//! `terraform_data`: a resource that stores a value and follows the usual
//! lifecycle, with no cloud behind it. `input` is copied to `output` on
//! apply (so `output` is unknown while a changed `input` is planned); a change
//! to `triggers_replace` forces replacement; `id` is a random UUID.

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::lang::types::Type;
use crate::lang::value::{Kind, Value};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct TerraformData {
    schema: Schema,
}

impl TerraformData {
    pub fn new() -> TerraformData {
        TerraformData {
            schema: Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("input", Attribute::optional(Type::Dynamic))
                .attr("output", Attribute::computed(Type::Dynamic))
                .attr(
                    "triggers_replace",
                    Attribute::optional(Type::Dynamic).force_new(),
                ),
        }
    }
}

impl Default for TerraformData {
    fn default() -> Self {
        TerraformData::new()
    }
}

fn attr(v: &Value, name: &str) -> Value {
    v.as_entries()
        .and_then(|m| m.get(name).cloned())
        .unwrap_or_else(Value::null)
}

fn with(v: &Value, name: &str, x: Value) -> Value {
    let mut m: BTreeMap<String, Value> = v.as_entries().cloned().unwrap_or_default();
    m.insert(name.to_string(), x);
    Value::object(m)
}

#[async_trait]
impl Resource for TerraformData {
    fn type_name(&self) -> &'static str {
        "terraform_data"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    /// Terraform's `terraform_data` planning: `output` is unknown on create
    /// (null when `input` is null), on replacement, and whenever `input`
    /// changed; otherwise it keeps the prior value.
    fn customize_plan(
        &self,
        _ctx: &ProviderCtx,
        prior: Option<&Value>,
        config: &Value,
        planned: Value,
    ) -> Value {
        let input = attr(config, "input");
        // `output` copies `input`: a sensitive input makes it sensitive too,
        // so the copy never shows up in plans, state views or logs.
        let secret = input.deep_sensitive();
        let fresh_output = || {
            if input.is_null() {
                Value::null()
            } else {
                Value::unknown(Type::Dynamic).mark(secret)
            }
        };
        match prior {
            None => with(&planned, "output", fresh_output()),
            Some(p) => {
                let old = attr(p, "input");
                let triggers = attr(config, "triggers_replace");
                let old_triggers = attr(p, "triggers_replace");
                let triggers_same = old_triggers.raw_eq(&triggers)
                    || (old_triggers.is_null() && triggers.is_null());
                if !triggers_same {
                    with(&planned, "output", fresh_output())
                } else if old.raw_eq(&input) || (old.is_null() && input.is_null()) {
                    with(&planned, "output", attr(p, "output"))
                } else {
                    with(
                        &planned,
                        "output",
                        Value::unknown(Type::Dynamic).mark(secret),
                    )
                }
            }
        }
    }
    async fn create(&self, _ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let id = uuid::Uuid::new_v4().to_string();
        let input = attr(planned, "input");
        let v = with(planned, "id", Value::string(id));
        Ok(with(&v, "output", input))
    }
    async fn read(
        &self,
        _ctx: &ProviderCtx,
        state: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        Ok(Some(state.clone()))
    }
    async fn update(
        &self,
        _ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let input = attr(planned, "input");
        let v = with(planned, "id", attr(prior, "id"));
        Ok(with(&v, "output", input))
    }
    async fn delete(&self, _ctx: &ProviderCtx, _prior: &Value) -> Result<(), ProviderError> {
        Ok(())
    }
    async fn import(&self, _ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        m.insert("input".to_string(), Value::null());
        m.insert("output".to_string(), Value::null());
        m.insert("triggers_replace".to_string(), Value::null());
        Ok(Value::object(m))
    }
}

#[allow(dead_code)]
fn is_object(v: &Value) -> bool {
    matches!(v.kind, Kind::Object(_))
}
