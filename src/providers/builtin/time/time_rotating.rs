//! `time_rotating`: a base timestamp (`rfc3339`, else the creation time)
//! and a rotation time after it (`rotation_minutes` … `rotation_years`, or
//! `rotation_rfc3339`). The `year` … `second` and `unix` fields are those
//! of the rotation time. Once the rotation time has passed, the read drops
//! the object from state, so the next plan creates it anew (what the
//! provider's Read does). Changing a rotation argument updates in place,
//! the rotation recomputed from the base timestamp (the provider's
//! ModifyPlan). Import takes `BASE,ROTATION` (two RFC 3339 timestamps) or
//! `BASE,YEARS,MONTHS,DAYS,HOURS,MINUTES`.

use chrono::TimeDelta;

use async_trait::async_trait;

use super::{add_date, fields, format_rfc3339, now, parse_rfc3339, Time};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::builtin::{get, get_i64, get_str, object, with};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

const ROTATIONS: [&str; 5] = [
    "rotation_minutes",
    "rotation_hours",
    "rotation_days",
    "rotation_months",
    "rotation_years",
];

pub struct TimeRotating {
    schema: Schema,
}

impl TimeRotating {
    pub fn new() -> TimeRotating {
        let n = || Attribute::computed(Type::Number);
        let mut schema = Schema::new()
            .attr("day", n())
            .attr("hour", n())
            .attr("minute", n())
            .attr("month", n())
            .attr("second", n())
            .attr("unix", n())
            .attr("year", n())
            .attr(
                "rotation_rfc3339",
                Attribute::optional_computed(Type::String),
            )
            .attr(
                "triggers",
                Attribute::optional(crate::providers::builtin::string_map()).force_new(),
            )
            .attr(
                "rfc3339",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr("id", Attribute::computed(Type::String));
        for r in ROTATIONS {
            schema = schema.attr(r, Attribute::optional(Type::Number));
        }
        TimeRotating { schema }
    }
}

impl Default for TimeRotating {
    fn default() -> Self {
        TimeRotating::new()
    }
}

/// The rotation time of `base` per the rotation arguments in `v`, in the
/// provider's order of precedence (a later one wins: days, hours,
/// minutes, months, rotation_rfc3339, years). `rotation_rfc3339` counts
/// only when `explicit` (configured, not computed).
fn rotation_of(base: &Time, v: &Value, explicit_rfc3339: Option<&str>) -> Result<Time, String> {
    let mut t = *base;
    let n = |k: &str| get_i64(v, k).filter(|n| *n != 0);
    let overflow = || "rotation out of range".to_string();
    if let Some(d) = n("rotation_days") {
        t = add_date(base, 0, 0, d).ok_or_else(overflow)?;
    }
    if let Some(h) = n("rotation_hours") {
        t = base
            .checked_add_signed(TimeDelta::try_hours(h).ok_or_else(overflow)?)
            .ok_or_else(overflow)?;
    }
    if let Some(m) = n("rotation_minutes") {
        t = base
            .checked_add_signed(TimeDelta::try_minutes(m).ok_or_else(overflow)?)
            .ok_or_else(overflow)?;
    }
    if let Some(m) = n("rotation_months") {
        t = add_date(base, 0, m, 0).ok_or_else(overflow)?;
    }
    if let Some(s) = explicit_rfc3339.filter(|s| !s.is_empty()) {
        t = parse_rfc3339(s)?;
    }
    if let Some(y) = n("rotation_years") {
        t = add_date(base, y, 0, 0).ok_or_else(overflow)?;
    }
    Ok(t)
}

/// `v` with the computed attributes of base `base` and its rotation.
fn with_rotation(v: &Value, base: &Time, explicit: Option<&str>) -> Result<Value, String> {
    let rot = rotation_of(base, v, explicit)?;
    let mut out = with(v, "rotation_rfc3339", Value::string(format_rfc3339(&rot)));
    for (k, x) in fields(&rot) {
        out = with(&out, k, x);
    }
    out = with(&out, "rfc3339", Value::string(format_rfc3339(base)));
    Ok(with(&out, "id", Value::string(format_rfc3339(base))))
}

fn rotation_changed(prior: &Value, config: &Value) -> bool {
    ROTATIONS.iter().any(|k| {
        !crate::engine::diff::same(&get(prior, k), &get(config, k)) && {
            !(get(prior, k).is_null() && get(config, k).is_null())
        }
    }) || get_str(config, "rotation_rfc3339")
        .is_some_and(|s| get_str(prior, "rotation_rfc3339").as_deref() != Some(&s))
}

#[async_trait]
impl Resource for TimeRotating {
    fn type_name(&self) -> &'static str {
        "time_rotating"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn validate(&self, config: &Value) -> Result<(), (String, String)> {
        let any = ROTATIONS.iter().any(|k| !get(config, k).is_null())
            || !get(config, "rotation_rfc3339").is_null();
        if !any {
            return Err(("Invalid Attribute Combination".into(), "At least one attribute out of [rotation_minutes,rotation_hours,rotation_days,rotation_months,rotation_years,rotation_rfc3339] must be specified".into()));
        }
        for k in ROTATIONS {
            if let Some(n) = get_i64(config, k).filter(|n| *n < 1) {
                return Err((
                    "Invalid Attribute Value".into(),
                    format!("Attribute {k} value must be at least 1, got: {n}"),
                ));
            }
        }
        for k in ["rfc3339", "rotation_rfc3339"] {
            if let Some(s) = get_str(config, k) {
                parse_rfc3339(&s).map_err(|e| ("Invalid RFC3339 String Value".to_string(), e))?;
            }
        }
        Ok(())
    }
    fn customize_plan(
        &self,
        _ctx: &ProviderCtx,
        prior: Option<&Value>,
        config: &Value,
        planned: Value,
    ) -> Value {
        let Some(prior) = prior else { return planned };
        if !config.is_wholly_known() || !rotation_changed(prior, config) {
            return planned;
        }
        let base = get_str(config, "rfc3339").or_else(|| get_str(prior, "rfc3339"));
        let Some(base) = base.and_then(|b| parse_rfc3339(&b).ok()) else {
            return planned;
        };
        let explicit = get_str(config, "rotation_rfc3339");
        with_rotation(&planned, &base, explicit.as_deref()).unwrap_or(planned)
    }
    async fn create(&self, _ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let base = match get_str(planned, "rfc3339").filter(|s| !s.is_empty()) {
            Some(s) => parse_rfc3339(&s).map_err(ProviderError::new)?,
            None => now(),
        };
        let explicit = get_str(planned, "rotation_rfc3339");
        with_rotation(planned, &base, explicit.as_deref()).map_err(ProviderError::new)
    }
    async fn read(
        &self,
        _ctx: &ProviderCtx,
        state: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        if let Some(r) = get_str(state, "rotation_rfc3339").filter(|s| !s.is_empty()) {
            let rot = parse_rfc3339(&r).map_err(ProviderError::new)?;
            if now() > rot {
                return Ok(None);
            }
        }
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
        let bad = |what: &str| {
            ProviderError::new(format!("Unexpected format of ID ({id:?}), expected {what}"))
        };
        let empty_triggers = Value::map(Type::String, Default::default());
        let parse = |s: &str| {
            parse_rfc3339(s).map_err(|e| {
                ProviderError::new(format!("The timestamp that was supplied could not be parsed as RFC3339. Original Error: {e}"))
            })
        };
        match parts.len() {
            2 => {
                if parts[0].is_empty() || parts[1].is_empty() {
                    return Err(bad("BASETIMESTAMP,ROTATIONTIMESTAMP"));
                }
                let base = parse(parts[0])?;
                let v = object(&self.schema, vec![("triggers", empty_triggers)]);
                with_rotation(&v, &base, Some(parts[1])).map_err(ProviderError::new)
            }
            6 => {
                if parts[0].is_empty() || parts[1..].iter().all(|p| p.is_empty()) {
                    return Err(bad("BASETIMESTAMP,YEARS,MONTHS,DAYS,HOURS,MINUTES where at least one rotation value is non-empty"));
                }
                let base = parse(parts[0])?;
                let mut pairs = vec![("triggers", empty_triggers)];
                for (k, s) in [
                    ("rotation_years", parts[1]),
                    ("rotation_months", parts[2]),
                    ("rotation_days", parts[3]),
                    ("rotation_hours", parts[4]),
                    ("rotation_minutes", parts[5]),
                ] {
                    if !s.is_empty() {
                        let n: i64 = s.parse().map_err(|e| {
                            ProviderError::new(format!("The parameter that was supplied could not be parsed. Original Error: {e}"))
                        })?;
                        pairs.push((k, Value::int(n)));
                    }
                }
                let v = object(&self.schema, pairs);
                with_rotation(&v, &base, None).map_err(ProviderError::new)
            }
            _ => Err(bad(
                "BASETIMESTAMP,YEARS,MONTHS,DAYS,HOURS,MINUTES or BASETIMESTAMP,ROTATIONTIMESTAMP",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_precedence_and_fields() {
        let base = parse_rfc3339("2024-01-31T10:00:00Z").unwrap();
        let v = |pairs: Vec<(&str, Value)>| object(&TimeRotating::new().schema, pairs);
        let r = rotation_of(&base, &v(vec![("rotation_days", Value::int(1))]), None).unwrap();
        assert_eq!(format_rfc3339(&r), "2024-02-01T10:00:00Z");
        let r = rotation_of(&base, &v(vec![("rotation_months", Value::int(1))]), None).unwrap();
        assert_eq!(format_rfc3339(&r), "2024-03-02T10:00:00Z");
        // Years win over everything; minutes over hours and days.
        let both = v(vec![
            ("rotation_days", Value::int(1)),
            ("rotation_hours", Value::int(2)),
            ("rotation_minutes", Value::int(5)),
        ]);
        let r = rotation_of(&base, &both, None).unwrap();
        assert_eq!(format_rfc3339(&r), "2024-01-31T10:05:00Z");
        let y = v(vec![("rotation_years", Value::int(1))]);
        let r = rotation_of(&base, &y, Some("2030-01-01T00:00:00Z")).unwrap();
        assert_eq!(format_rfc3339(&r), "2025-01-31T10:00:00Z");
        let s = with_rotation(&both, &base, None).unwrap();
        assert_eq!(get_i64(&s, "minute"), Some(5));
        assert_eq!(get_str(&s, "id").as_deref(), Some("2024-01-31T10:00:00Z"));
        assert_eq!(get_i64(&s, "unix"), Some(r_unix("2024-01-31T10:05:00Z")));
    }

    fn r_unix(s: &str) -> i64 {
        parse_rfc3339(s).unwrap().timestamp()
    }
}
