//! `aws_ecs_cluster_capacity_providers`: the capacity providers of a cluster
//! (e.g. FARGATE and FARGATE_SPOT) and its default strategy, managed apart
//! from `aws_ecs_cluster` as in the provider since v4.

use async_trait::async_trait;
use aws_sdk_ecs::types::CapacityProviderStrategyItem;

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::ecs::{ecs_not_found, items, obj, set_of};
use crate::providers::aws::{aws, aws_err, get_i64, get_str, get_strs, str_set, Aws};
use crate::providers::{Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema};

pub struct CapacityProviders {
    schema: Schema,
    strategy: Schema,
}

impl CapacityProviders {
    pub fn new() -> CapacityProviders {
        let strategy = Schema::new()
            .attr("capacity_provider", Attribute::required(Type::String))
            .attr(
                "base",
                Attribute::optional(Type::Number).default(Value::int(0)),
            )
            .attr(
                "weight",
                Attribute::optional(Type::Number).default(Value::int(0)),
            );
        CapacityProviders {
            schema: Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr(
                    "cluster_name",
                    Attribute::required(Type::String).force_new(),
                )
                .attr(
                    "capacity_providers",
                    Attribute::optional(Type::set(Type::String)),
                )
                .block(
                    "default_capacity_provider_strategy",
                    BlockNesting::Set,
                    strategy.clone(),
                ),
            strategy,
        }
    }

    async fn read_one(&self, aws: &Aws, cluster: &str) -> Result<Option<Value>, ProviderError> {
        let out = match aws
            .ecs()
            .describe_clusters()
            .clusters(cluster)
            .send()
            .await
            .map_err(aws_err)
        {
            Err(e) if ecs_not_found(&e) => return Ok(None),
            r => r?,
        };
        let Some(c) = out
            .clusters()
            .iter()
            .find(|c| c.status() != Some("INACTIVE"))
        else {
            return Ok(None);
        };
        let name = c.cluster_name().unwrap_or(cluster).to_string();
        let strategy: Vec<Value> = c
            .default_capacity_provider_strategy()
            .iter()
            .map(|s| {
                obj(vec![
                    ("capacity_provider", Value::string(s.capacity_provider())),
                    ("base", Value::int(s.base() as i64)),
                    ("weight", Value::int(s.weight() as i64)),
                ])
            })
            .collect();
        Ok(Some(obj(vec![
            ("id", Value::string(&name)),
            ("cluster_name", Value::string(&name)),
            (
                "capacity_providers",
                str_set(c.capacity_providers().iter().cloned()),
            ),
            (
                "default_capacity_provider_strategy",
                set_of(&self.strategy, strategy),
            ),
        ])))
    }

    async fn put(
        &self,
        aws: &Aws,
        cluster: &str,
        providers: Vec<String>,
        strategy: Vec<CapacityProviderStrategyItem>,
    ) -> Result<(), ProviderError> {
        aws.ecs()
            .put_cluster_capacity_providers()
            .cluster(cluster)
            .set_capacity_providers(Some(providers))
            .set_default_capacity_provider_strategy(Some(strategy))
            .send()
            .await
            .map_err(aws_err)?;
        Ok(())
    }

    async fn put_planned(
        &self,
        ctx: &ProviderCtx,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let cluster = get_str(planned, "cluster_name").unwrap_or_default();
        let strategy = items(planned, "default_capacity_provider_strategy")
            .iter()
            .filter_map(|s| {
                CapacityProviderStrategyItem::builder()
                    .capacity_provider(get_str(s, "capacity_provider").unwrap_or_default())
                    .base(get_i64(s, "base").unwrap_or(0) as i32)
                    .weight(get_i64(s, "weight").unwrap_or(0) as i32)
                    .build()
                    .ok()
            })
            .collect();
        self.put(
            &aws,
            &cluster,
            get_strs(planned, "capacity_providers"),
            strategy,
        )
        .await?;
        self.read_one(&aws, &cluster)
            .await?
            .ok_or_else(|| ProviderError::new(format!("ECS Cluster ({cluster}) not found")))
    }
}

impl Default for CapacityProviders {
    fn default() -> Self {
        CapacityProviders::new()
    }
}

#[async_trait]
impl Resource for CapacityProviders {
    fn type_name(&self) -> &'static str {
        "aws_ecs_cluster_capacity_providers"
    }
    fn display_name(&self) -> &'static str {
        "ECS Cluster Capacity Providers"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        self.put_planned(ctx, planned).await
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        let cluster = get_str(state, "cluster_name")
            .or_else(|| get_str(state, "id"))
            .unwrap_or_default();
        self.read_one(&aws, &cluster).await
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        self.put_planned(ctx, planned).await
    }

    /// Detaches every capacity provider and clears the default strategy.
    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let cluster = get_str(prior, "cluster_name").unwrap_or_default();
        match self.put(&aws, &cluster, vec![], vec![]).await {
            Err(e) if ecs_not_found(&e) => Ok(()),
            r => r,
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        self.read_one(&aws, id).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Cannot import non-existent remote object: ECS Cluster ({id})"
            ))
        })
    }
}
