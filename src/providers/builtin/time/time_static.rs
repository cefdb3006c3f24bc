//! `time_static`: a timestamp kept in state (`rfc3339` if configured, else
//! the creation time) with its `year` … `second` and `unix` fields; `id`
//! is the timestamp. `rfc3339` and `triggers` replace. Import takes the
//! RFC 3339 timestamp.

use async_trait::async_trait;

use super::{fields, format_rfc3339, now, parse_rfc3339, Time};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::{get, get_str, object, string_map};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct TimeStatic {
    schema: Schema,
}

impl TimeStatic {
    pub fn new() -> TimeStatic {
        let n = || Attribute::computed(Type::Number);
        TimeStatic {
            schema: Schema::new()
                .attr("day", n())
                .attr("hour", n())
                .attr("minute", n())
                .attr("month", n())
                .attr("second", n())
                .attr("unix", n())
                .attr("year", n())
                .attr("triggers", Attribute::optional(string_map()).force_new())
                .attr(
                    "rfc3339",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("id", Attribute::computed(Type::String)),
        }
    }

    fn state(&self, t: &Time, triggers: Value) -> Value {
        let s = format_rfc3339(t);
        let mut pairs = fields(t);
        pairs.push(("rfc3339", Value::string(s.clone())));
        pairs.push(("id", Value::string(s)));
        pairs.push(("triggers", triggers));
        object(&self.schema, pairs)
    }
}

impl Default for TimeStatic {
    fn default() -> Self {
        TimeStatic::new()
    }
}

#[async_trait]
impl Resource for TimeStatic {
    fn type_name(&self) -> &'static str {
        "time_static"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn validate(&self, config: &Value) -> Result<(), (String, String)> {
        match get_str(config, "rfc3339") {
            Some(s) => parse_rfc3339(&s)
                .map(|_| ())
                .map_err(|e| ("Invalid RFC3339 String Value".into(), e)),
            None => Ok(()),
        }
    }
    async fn create(&self, _ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let t = match get_str(planned, "rfc3339") {
            Some(s) => parse_rfc3339(&s).map_err(ProviderError::new)?,
            None => now(),
        };
        Ok(self.state(&t, get(planned, "triggers")))
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
        let t = parse_rfc3339(id).map_err(|e| {
            ProviderError::new(format!(
                "Import time static error: The id that was supplied could not be parsed as RFC3339. Original Error: {e}"
            ))
        })?;
        Ok(self.state(&t, Value::map(Type::String, Default::default())))
    }
}
