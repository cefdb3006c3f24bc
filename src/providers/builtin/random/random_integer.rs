//! `random_integer`: a number in `min..=max`, drawn from the seeded
//! generator when `seed` is set. `id` is the number as a string. Import
//! takes `RESULT,MIN,MAX` or `RESULT,MIN,MAX,SEED`.

use async_trait::async_trait;
use rand::Rng;

use super::{keepers, keepers_forces, seeded_rng};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::{get, get_i64, get_str, object, string_map};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct RandomInteger {
    schema: Schema,
}

impl RandomInteger {
    pub fn new() -> RandomInteger {
        RandomInteger {
            schema: Schema::new()
                .attr("keepers", keepers())
                .attr("min", Attribute::required(Type::Number).force_new())
                .attr("max", Attribute::required(Type::Number).force_new())
                .attr("seed", Attribute::optional(Type::String).force_new())
                .attr("result", Attribute::computed(Type::Number))
                .attr("id", Attribute::computed(Type::String)),
        }
    }
}

impl Default for RandomInteger {
    fn default() -> Self {
        RandomInteger::new()
    }
}

#[async_trait]
impl Resource for RandomInteger {
    fn type_name(&self) -> &'static str {
        "random_integer"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn forces_replacement(&self, attr: &str, prior: &Value, planned: &Value) -> bool {
        keepers_forces(attr, prior, planned)
    }
    async fn create(&self, _ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let (Some(min), Some(max)) = (get_i64(planned, "min"), get_i64(planned, "max")) else {
            return Err(ProviderError::new(
                "min and max must be whole numbers within the 64-bit range",
            ));
        };
        if max < min {
            return Err(ProviderError::new(
                "Create Random Integer Error: The minimum (min) value needs to be smaller than or equal to maximum (max) value.",
            ));
        }
        let seed = get_str(planned, "seed").filter(|s| !s.is_empty());
        let n = seeded_rng(seed.as_deref()).random_range(min..=max);
        Ok(object(
            &self.schema,
            vec![
                ("id", Value::string(n.to_string())),
                ("keepers", get(planned, "keepers")),
                ("min", Value::int(min)),
                ("max", Value::int(max)),
                (
                    "seed",
                    seed.map(Value::string)
                        .unwrap_or(Value::null_of(Type::String)),
                ),
                ("result", Value::int(n)),
            ],
        ))
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
        let parts: Vec<&str> = id.split(',').collect();
        if parts.len() != 3 && parts.len() != 4 {
            return Err(ProviderError::new(
                "Invalid import usage: expecting {result},{min},{max} or {result},{min},{max},{seed}",
            ));
        }
        let int = |s: &str, what: &str| {
            s.parse::<i64>().map_err(|e| {
                ProviderError::new(format!(
                    "The {what}value supplied could not be parsed as an integer. Original Error: {e}"
                ))
            })
        };
        let result = int(parts[0], "")?;
        let min = int(parts[1], "min ")?;
        let max = int(parts[2], "max ")?;
        Ok(object(
            &self.schema,
            vec![
                ("id", Value::string(parts[0])),
                ("keepers", Value::null_of(string_map())),
                ("result", Value::int(result)),
                ("min", Value::int(min)),
                ("max", Value::int(max)),
                (
                    "seed",
                    parts
                        .get(3)
                        .map(|s| Value::string(*s))
                        .unwrap_or(Value::null_of(Type::String)),
                ),
            ],
        ))
    }
}
