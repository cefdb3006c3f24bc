//! `time_sleep`: waits `create_duration` when created and
//! `destroy_duration` when destroyed (the engine reports "Still
//! creating..." meanwhile); changing either alone updates in place without
//! waiting; `triggers` replaces. `id` is the creation time. Import takes
//! `CREATEDURATION,DESTROYDURATION`.

use async_trait::async_trait;

use super::{format_rfc3339, now};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::{get_str, object, string_map, with};
use crate::providers::{parse_duration, Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct TimeSleep {
    schema: Schema,
}

impl TimeSleep {
    pub fn new() -> TimeSleep {
        TimeSleep {
            schema: Schema::new()
                .attr("create_duration", Attribute::optional(Type::String))
                .attr("destroy_duration", Attribute::optional(Type::String))
                .attr("triggers", Attribute::optional(string_map()).force_new())
                .attr("id", Attribute::computed(Type::String)),
        }
    }
}

impl Default for TimeSleep {
    fn default() -> Self {
        TimeSleep::new()
    }
}

/// The provider's duration syntax: a number and one of ms, s, m, h.
fn valid_duration(s: &str) -> bool {
    let unit = ["ms", "s", "m", "h"]
        .iter()
        .find(|u| s.ends_with(*u))
        .map(|u| u.len());
    let Some(ulen) = unit else { return false };
    let num = &s[..s.len() - ulen];
    let (int, frac) = match num.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (num, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

async fn sleep_for(v: &Value, attr: &str) -> Result<(), ProviderError> {
    if let Some(s) = get_str(v, attr).filter(|s| !s.is_empty()) {
        let d = parse_duration(&s)
            .ok_or_else(|| ProviderError::new(format!("The {attr} cannot be parsed: {s:?}")))?;
        tokio::time::sleep(d).await;
    }
    Ok(())
}

#[async_trait]
impl Resource for TimeSleep {
    fn type_name(&self) -> &'static str {
        "time_sleep"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn validate(&self, config: &Value) -> Result<(), (String, String)> {
        let c = get_str(config, "create_duration");
        let d = get_str(config, "destroy_duration");
        if c.is_none() && d.is_none() {
            return Err((
                "Invalid Attribute Combination".into(),
                "At least one attribute out of [create_duration,destroy_duration] must be specified".into(),
            ));
        }
        for (k, v) in [("create_duration", c), ("destroy_duration", d)] {
            if let Some(v) = v.filter(|v| !valid_duration(v)) {
                return Err(("Invalid Attribute Value Match".into(), format!("Attribute {k} must be a number immediately followed by ms (milliseconds), s (seconds), m (minutes), or h (hours). For example, \"30s\" for 30 seconds., got: {v}")));
            }
        }
        Ok(())
    }
    async fn create(&self, _ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        sleep_for(planned, "create_duration").await?;
        Ok(with(planned, "id", Value::string(format_rfc3339(&now()))))
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
    async fn delete(&self, _ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        sleep_for(prior, "destroy_duration").await
    }
    async fn import(&self, _ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let parts: Vec<&str> = id.split(',').collect();
        if parts.len() != 2 || (parts[0].is_empty() && parts[1].is_empty()) {
            return Err(ProviderError::new(format!("Unexpected format of ID ({id:?}), expected CREATEDURATION,DESTROYDURATION where at least one value is non-empty")));
        }
        let dur = |s: &str, attr: &str| -> Result<Value, ProviderError> {
            if s.is_empty() {
                return Ok(Value::null_of(Type::String));
            }
            parse_duration(s)
                .map(|_| Value::string(s))
                .ok_or_else(|| ProviderError::new(format!("The {attr} cannot be parsed: {s:?}")))
        };
        Ok(object(
            &self.schema,
            vec![
                ("create_duration", dur(parts[0], "create_duration")?),
                ("destroy_duration", dur(parts[1], "destroy_duration")?),
                ("id", Value::string(format_rfc3339(&now()))),
                ("triggers", Value::map(Type::String, Default::default())),
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn duration_syntax() {
        for ok in ["30s", "1.5m", "500ms", "2h", "0s"] {
            assert!(super::valid_duration(ok), "{ok}");
        }
        for bad in ["30", "s", "1.m", "1h30m", "-1s", "10x", ""] {
            assert!(!super::valid_duration(bad), "{bad}");
        }
    }
}
