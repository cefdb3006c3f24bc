//! Data source `null_data_source` (deprecated in the provider, still
//! common): `outputs` copies `inputs`, `random` is a fresh random decimal on
//! every read, `has_computed_default` is "default" unless configured, and
//! `id` is "static".

use async_trait::async_trait;

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::{get, string_map, with};
use crate::providers::{Attribute, DataSource, ProviderCtx, ProviderError, Schema};

pub struct NullDataSource {
    schema: Schema,
}

impl NullDataSource {
    pub fn new() -> NullDataSource {
        NullDataSource {
            schema: Schema::new()
                .attr("inputs", Attribute::optional(string_map()))
                .attr("outputs", Attribute::computed(string_map()))
                .attr("random", Attribute::computed(Type::String))
                .attr(
                    "has_computed_default",
                    Attribute::optional_computed(Type::String),
                )
                .attr("id", Attribute::computed(Type::String)),
        }
    }
}

impl Default for NullDataSource {
    fn default() -> Self {
        NullDataSource::new()
    }
}

#[async_trait]
impl DataSource for NullDataSource {
    fn type_name(&self) -> &'static str {
        "null_data_source"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    async fn read(&self, _ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError> {
        let mut v = with(config, "outputs", get(config, "inputs"));
        v = with(&v, "random", Value::string(super::go_rand_int()));
        if get(config, "has_computed_default").is_null() {
            v = with(&v, "has_computed_default", Value::string("default"));
        }
        Ok(with(&v, "id", Value::string("static")))
    }
}
