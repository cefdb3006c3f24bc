//! Data source `aws_subnets`: the ids of the subnets matching `filter`
//! blocks and `tags`.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::vpc_data::{config_filters, filter_block};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{aws, aws_err, str_list};
use crate::providers::{Attribute, DataSource, ProviderCtx, ProviderError, Schema};

pub struct SubnetsData {
    schema: Schema,
}

impl SubnetsData {
    pub fn new() -> SubnetsData {
        SubnetsData {
            schema: filter_block(
                Schema::new()
                    .attr("id", Attribute::computed(Type::String))
                    .attr("tags", Attribute::optional(Type::map(Type::String)))
                    .attr("ids", Attribute::computed(Type::list(Type::String))),
            ),
        }
    }
}

impl Default for SubnetsData {
    fn default() -> Self {
        SubnetsData::new()
    }
}

#[async_trait]
impl DataSource for SubnetsData {
    fn type_name(&self) -> &'static str {
        "aws_subnets"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    async fn read(&self, ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let filters = config_filters(config, &[]);
        let subnets = aws
            .ec2()
            .describe_subnets()
            .set_filters((!filters.is_empty()).then_some(filters))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(aws_err)?;
        let ids: Vec<String> = subnets
            .iter()
            .filter_map(|s| s.subnet_id().map(|i| i.to_string()))
            .collect();
        let mut m: BTreeMap<String, Value> = config.as_entries().cloned().unwrap_or_default();
        m.insert("id".into(), Value::string(&aws.region));
        m.insert("ids".into(), str_list(ids));
        Ok(Value::object(m))
    }
}
