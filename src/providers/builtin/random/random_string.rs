//! `random_string`: a random string from configurable character classes,
//! kept in state (schema version 2). `id` and `result` are the string;
//! import takes the string itself.

use async_trait::async_trait;

use super::{create_string, plan_number_numeric, string_forces, string_schema, StringParams};
use crate::lang::value::Value;
use crate::providers::builtin::{object, with};
use crate::providers::{ProviderCtx, ProviderError, Resource, Schema};

pub struct RandomString {
    schema: Schema,
}

impl RandomString {
    pub fn new() -> RandomString {
        RandomString {
            schema: string_schema().version(2),
        }
    }
}

impl Default for RandomString {
    fn default() -> Self {
        RandomString::new()
    }
}

#[async_trait]
impl Resource for RandomString {
    fn type_name(&self) -> &'static str {
        "random_string"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn validate(&self, config: &Value) -> Result<(), (String, String)> {
        super::validate_string(config)
    }
    fn forces_replacement(&self, attr: &str, prior: &Value, planned: &Value) -> bool {
        string_forces(attr, prior, planned)
    }
    fn customize_plan(
        &self,
        _ctx: &ProviderCtx,
        _prior: Option<&Value>,
        config: &Value,
        planned: Value,
    ) -> Value {
        plan_number_numeric(config, planned)
    }
    async fn create(&self, _ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let s = create_string(&StringParams::from_value(planned), &mut rand::rng())
            .map_err(|e| ProviderError::new(format!("Random Read Error: {e}")))?;
        let v = with(planned, "result", Value::string(s.clone()));
        Ok(with(&v, "id", Value::string(s)))
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
    async fn import(&self, _ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        Ok(import_string(&self.schema, id, Value::string(id)))
    }
}

/// The state an import of `result` gives (the provider's defaults for every
/// argument, `length` in bytes as Go's `len` counts it).
pub(crate) fn import_string(schema: &Schema, result: &str, id: Value) -> Value {
    let t = || Value::bool(true);
    let z = || Value::int(0);
    object(
        schema,
        vec![
            ("id", id),
            ("result", Value::string(result)),
            ("length", Value::int(result.len() as i64)),
            ("special", t()),
            ("upper", t()),
            ("lower", t()),
            ("number", t()),
            ("numeric", t()),
            ("min_special", z()),
            ("min_upper", z()),
            ("min_lower", z()),
            ("min_numeric", z()),
        ],
    )
}
