//! `random_password`: `random_string` whose `result` is sensitive, with a
//! sensitive bcrypt hash of it (of its first 72 bytes, cost 10, `$2a$` as
//! Go's bcrypt writes) and the constant id "none" (schema version 3).
//! Import takes the password itself.

use async_trait::async_trait;

use super::random_string::import_string;
use super::{create_string, plan_number_numeric, string_forces, string_schema, StringParams};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::with;
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct RandomPassword {
    schema: Schema,
}

impl RandomPassword {
    pub fn new() -> RandomPassword {
        RandomPassword {
            schema: string_schema()
                .attr("result", Attribute::computed(Type::String).sensitive())
                .attr("bcrypt_hash", Attribute::computed(Type::String).sensitive())
                .version(3),
        }
    }
}

impl Default for RandomPassword {
    fn default() -> Self {
        RandomPassword::new()
    }
}

/// bcrypt of the first 72 bytes at Go's default cost, in the `$2a$` form.
pub fn bcrypt_hash(password: &str) -> Result<String, ProviderError> {
    let b = password.as_bytes();
    let b = &b[..b.len().min(72)];
    bcrypt::hash_with_result(b, 10)
        .map(|h| h.format_for_version(bcrypt::Version::TwoA))
        .map_err(|e| ProviderError::new(format!("Hash Generation Error: {e}")))
}

#[async_trait]
impl Resource for RandomPassword {
    fn type_name(&self) -> &'static str {
        "random_password"
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
        let hash = bcrypt_hash(&s)?;
        let v = with(planned, "result", Value::string(s).mark(true));
        let v = with(&v, "bcrypt_hash", Value::string(hash).mark(true));
        Ok(with(&v, "id", Value::string("none")))
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
        let v = import_string(&self.schema, id, Value::string("none"));
        let v = with(&v, "result", Value::string(id).mark(true));
        Ok(with(
            &v,
            "bcrypt_hash",
            Value::string(bcrypt_hash(id)?).mark(true),
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bcrypt_hash_is_go_style_and_verifies() {
        let h = super::bcrypt_hash("correct horse").unwrap();
        assert!(h.starts_with("$2a$10$"), "{h}");
        assert!(bcrypt::verify("correct horse", &h).unwrap());
        // Beyond 72 bytes only the first 72 count.
        let long = "x".repeat(80);
        let h = super::bcrypt_hash(&long).unwrap();
        assert!(bcrypt::verify("x".repeat(72), &h).unwrap());
    }
}
