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
