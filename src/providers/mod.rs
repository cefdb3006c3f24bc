//! Providers: one [`Resource`] trait with a declarative [`Schema`] and async
//! CRUD, a [`DataSource`] trait, and the registry of every resource type herd
//! implements. The generic diff (in `plan`) decides no-op / update / replace
//! from the schema, so a resource implementation holds only what is specific
//! to it.

pub mod aws;
pub mod builtin;
pub mod schema;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;

use crate::lang::value::Value;
pub use schema::{Attribute, BlockNesting, NestedBlock, Schema};

/// An error from a provider operation, shown as a diagnostic.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ProviderError {
    /// Error code from the API (e.g. `InvalidSubnet.Conflict`), if any.
    pub code: Option<String>,
    pub message: String,
    /// For a create that failed after the object came into existence: the
    /// partial object, to be saved as tainted.
    pub partial: Option<Value>,
}

impl ProviderError {
    pub fn new(message: impl Into<String>) -> ProviderError {
        ProviderError {
            code: None,
            message: message.into(),
            partial: None,
        }
    }
}

/// What a provider operation can see of the run.
#[derive(Clone, Default)]
pub struct ProviderCtx {
    /// Provider configuration (e.g. `provider "aws"` block), evaluated;
    /// `None` when the configuration has no such block.
    pub config: Option<Value>,
    /// Address of the instance being operated on, for progress messages.
    pub address: String,
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync {
    fn type_name(&self) -> &'static str;
    /// How errors name this type, e.g. "EC2 VPC" (default: the type name).
    fn display_name(&self) -> &'static str {
        self.type_name()
    }
    fn schema(&self) -> &Schema;
    /// Create the object; returns its full state.
    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError>;
    /// Read the current state of the object; `None` when it is gone.
    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError>;
    /// Read many objects of this type at once (default: one by one).
    async fn read_batch(
        &self,
        ctx: &ProviderCtx,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        let mut out = Vec::with_capacity(states.len());
        for s in states {
            out.push(self.read(ctx, s).await);
        }
        out
    }
    /// Update in place; returns the new state.
    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError>;
    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError>;
    /// Import an existing object by its id.
    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let _ = (ctx, id);
        Err(ProviderError::new(format!(
            "resource type {} does not support import",
            self.type_name()
        )))
    }
    /// Checks of a wholly known configuration that the schema cannot say
    /// (the provider's validators: `length >= min_upper + ...`, "exactly one
    /// of"), as (summary, detail) of an error diagnostic. Default: none.
    fn validate(&self, config: &Value) -> Result<(), (String, String)> {
        let _ = config;
        Ok(())
    }
    /// Whether a change the generic diff found in force-new attribute
    /// `attr` really forces replacement (the provider's `RequiresReplaceIf`,
    /// e.g. random's keepers gaining only null values). Default: it does.
    fn forces_replacement(&self, attr: &str, prior: &Value, planned: &Value) -> bool {
        let _ = (attr, prior, planned);
        true
    }
    /// Resource-specific plan adjustment after the generic diff (e.g.
    /// `terraform_data`'s output follows input). Default: none.
    fn customize_plan(
        &self,
        ctx: &ProviderCtx,
        prior: Option<&Value>,
        config: &Value,
        planned: Value,
    ) -> Value {
        let _ = (ctx, prior, config);
        planned
    }
}

/// A data source type.
#[async_trait]
pub trait DataSource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    /// See [`Resource::validate`].
    fn validate(&self, config: &Value) -> Result<(), (String, String)> {
        let _ = config;
        Ok(())
    }
    async fn read(&self, ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError>;
}

/// Every resource and data source type herd implements.
#[derive(Default)]
pub struct Registry {
    pub resources: BTreeMap<&'static str, Arc<dyn Resource>>,
    pub data_sources: BTreeMap<&'static str, Arc<dyn DataSource>>,
    /// Schemas of the `provider` blocks, by provider local name.
    pub provider_schemas: BTreeMap<&'static str, Schema>,
}

impl Registry {
    pub fn resource(&self, ty: &str) -> Option<Arc<dyn Resource>> {
        self.resources.get(ty).cloned()
    }
    pub fn data_source(&self, ty: &str) -> Option<Arc<dyn DataSource>> {
        self.data_sources.get(ty).cloned()
    }
    /// The provider (local name) a resource type belongs to: its prefix.
    pub fn provider_of(ty: &str) -> &str {
        ty.split('_').next().unwrap_or(ty)
    }
}

pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| {
        let mut r = Registry::default();
        builtin::register(&mut r);
        aws::register(&mut r);
        r
    })
}

/// `result` with its `timeouts` block taken from `from` (the planned or
/// prior object), when the schema has one: timeouts are configuration only,
/// never read back from the cloud.
pub fn carry_timeouts(schema: &Schema, from: &Value, result: Value) -> Value {
    if !schema.blocks.contains_key("timeouts") {
        return result;
    }
    let t = from
        .as_entries()
        .and_then(|m| m.get("timeouts").cloned())
        .unwrap_or_else(Value::null);
    match result.as_entries() {
        Some(m) => {
            let mut m = m.clone();
            m.insert("timeouts".to_string(), t);
            Value::object(m)
        }
        None => result,
    }
}

/// Whether `planned` differs from `prior` in nothing but its `timeouts`
/// block. The provider's SDK does not diff timeouts (they are kept beside
/// the state, not compared), so such a plan is no change: the prior object
/// stays, timeouts included, until some other change updates it.
pub fn only_timeouts_differ(schema: &Schema, prior: &Value, planned: &Value) -> bool {
    schema.blocks.contains_key("timeouts")
        && crate::engine::diff::same(&carry_timeouts(schema, prior, planned.clone()), prior)
}

/// The `timeouts { OP = "…" }` of an object (a Go duration such as "10m",
/// "1h30m", "45s"), or `default` when unset or malformed.
pub fn timeout(v: &Value, op: &str, default: std::time::Duration) -> std::time::Duration {
    v.as_entries()
        .and_then(|m| m.get("timeouts"))
        .and_then(|t| t.as_entries())
        .and_then(|t| t.get(op))
        .and_then(|s| s.as_str().map(|s| s.to_string()))
        .and_then(|s| parse_duration(&s))
        .unwrap_or(default)
}

/// Parse a Go duration string ("1h30m", "10m", "90s", "1.5h", "500ms").
pub fn parse_duration(s: &str) -> Option<std::time::Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s == "0" {
        return Some(std::time::Duration::ZERO);
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let mult = match &rest[..u] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += num * mult;
        rest = &rest[u..];
    }
    Some(std::time::Duration::from_secs_f64(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn a_timeouts_only_difference_is_no_change() {
        use crate::lang::types::Type;
        let schema = Schema::new()
            .attr("name", Attribute::optional(Type::String))
            .timeouts(&["create", "delete"]);
        let t = |c: Option<&str>| {
            obj(&[
                (
                    "create",
                    c.map(Value::string).unwrap_or(Value::null_of(Type::String)),
                ),
                ("delete", Value::null_of(Type::String)),
            ])
        };
        let timeouts_ty = schema.blocks["timeouts"].block.value_type();
        let prior = obj(&[
            ("name", Value::string("a")),
            ("timeouts", Value::null_of(timeouts_ty)),
        ]);
        let planned = obj(&[("name", Value::string("a")), ("timeouts", t(Some("10m")))]);
        assert!(only_timeouts_differ(&schema, &prior, &planned));
        let prior15 = obj(&[("name", Value::string("a")), ("timeouts", t(Some("15m")))]);
        assert!(only_timeouts_differ(&schema, &prior15, &planned));
        let renamed = obj(&[("name", Value::string("b")), ("timeouts", t(Some("10m")))]);
        assert!(!only_timeouts_differ(&schema, &prior, &renamed));
        // Without a timeouts block in the schema, nothing is special.
        let plain = Schema::new().attr("name", Attribute::optional(Type::String));
        assert!(!only_timeouts_differ(&plain, &prior, &planned));
        // What the apply records: the planned object's timeouts.
        let kept = carry_timeouts(&schema, &planned, renamed.clone());
        assert_eq!(
            kept.as_entries().unwrap()["timeouts"].as_entries().unwrap()["create"].as_str(),
            Some("10m")
        );
    }

    #[test]
    fn go_durations() {
        let d = |s| parse_duration(s).map(|d| d.as_secs_f64());
        assert_eq!(d("10m"), Some(600.0));
        assert_eq!(d("1h30m"), Some(5400.0));
        assert_eq!(d("1.5h"), Some(5400.0));
        assert_eq!(d("45s"), Some(45.0));
        assert_eq!(d("500ms"), Some(0.5));
        assert_eq!(d("10x"), None);
        assert_eq!(d(""), None);
    }
}
