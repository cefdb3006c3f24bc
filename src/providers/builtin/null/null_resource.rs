//! `null_resource`: `triggers` (a map of strings) and a random decimal
//! `id`. A change of `triggers` replaces it, unless the change only adds
//! keys with null values (the provider's RequiresReplaceIfValuesNotNull).
//! Reads change nothing; no import.

use async_trait::async_trait;

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::{get, map_change_forces, string_map, with};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct NullResource {
    schema: Schema,
}

impl NullResource {
    pub fn new() -> NullResource {
        NullResource {
            schema: Schema::new()
                .attr("triggers", Attribute::optional(string_map()).force_new())
                .attr("id", Attribute::computed(Type::String)),
        }
    }
}

impl Default for NullResource {
    fn default() -> Self {
        NullResource::new()
    }
}

#[async_trait]
impl Resource for NullResource {
    fn type_name(&self) -> &'static str {
        "null_resource"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn forces_replacement(&self, attr: &str, prior: &Value, planned: &Value) -> bool {
        attr != "triggers" || map_change_forces(&get(prior, attr), &get(planned, attr))
    }
    async fn create(&self, _ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        Ok(with(planned, "id", Value::string(super::go_rand_int())))
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
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        Ok(planned.clone())
    }
    async fn delete(&self, _ctx: &ProviderCtx, _prior: &Value) -> Result<(), ProviderError> {
        Ok(())
    }
}
