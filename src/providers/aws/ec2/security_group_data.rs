//! Data source `aws_security_group`: one security group, by id, name, VPC,
//! tags or filters.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::vpc_data::{config_filters, filter_block, single, tags_value};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{aws, aws_err, get_str, opt_str};
use crate::providers::{Attribute, DataSource, ProviderCtx, ProviderError, Schema};

pub struct SecurityGroupData {
    schema: Schema,
}

impl SecurityGroupData {
    pub fn new() -> SecurityGroupData {
        let oc = || Attribute::optional_computed(Type::String);
        SecurityGroupData {
            schema: filter_block(
                Schema::new()
                    .attr("id", oc())
                    .attr("name", oc())
                    .attr("vpc_id", oc())
                    .attr(
                        "tags",
                        Attribute::optional_computed(Type::map(Type::String)),
                    )
                    .attr("arn", Attribute::computed(Type::String))
                    .attr("description", Attribute::computed(Type::String)),
            ),
        }
    }
}

impl Default for SecurityGroupData {
    fn default() -> Self {
        SecurityGroupData::new()
    }
}

#[async_trait]
impl DataSource for SecurityGroupData {
    fn type_name(&self) -> &'static str {
        "aws_security_group"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    async fn read(&self, ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let filters = config_filters(config, &[("name", "group-name"), ("vpc_id", "vpc-id")]);
        let out = aws
            .ec2()
            .describe_security_groups()
            .set_filters((!filters.is_empty()).then_some(filters))
            .set_group_ids(get_str(config, "id").map(|i| vec![i]))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await;
        let groups = match out {
            Err(e) => {
                let e = aws_err(e);
                if matches!(
                    e.code.as_deref(),
                    Some("InvalidGroup.NotFound" | "InvalidGroupId.Malformed")
                ) {
                    vec![]
                } else {
                    return Err(e);
                }
            }
            Ok(v) => v,
        };
        let g = single(groups, "EC2 Security Group", "EC2 Security Groups")?;
        let id = g.group_id().unwrap_or_default();
        let owner = g.owner_id().unwrap_or_default();
        let mut m: BTreeMap<String, Value> = config.as_entries().cloned().unwrap_or_default();
        m.insert("id".into(), Value::string(id));
        m.insert(
            "arn".into(),
            Value::string(aws.arn("ec2", owner, &format!("security-group/{id}"))),
        );
        m.insert("name".into(), opt_str(g.group_name()));
        m.insert("description".into(), opt_str(g.description()));
        m.insert("vpc_id".into(), opt_str(g.vpc_id()));
        m.insert("tags".into(), tags_value(&aws, g.tags()));
        Ok(Value::object(m))
    }
}
