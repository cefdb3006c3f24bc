//! `aws_iam_role_policy_attachment`: a managed policy attached to a role.
//! Id `ROLE-<unique suffix>`; import id `ROLE/POLICY_ARN`.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::{no_such_entity, prefixed_unique_id};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{aws, aws_err, get_str, Aws};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct RolePolicyAttachment {
    schema: Schema,
}

impl RolePolicyAttachment {
    pub fn new() -> RolePolicyAttachment {
        RolePolicyAttachment {
            schema: Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("role", Attribute::required(Type::String).force_new())
                .attr("policy_arn", Attribute::required(Type::String).force_new()),
        }
    }
}

impl Default for RolePolicyAttachment {
    fn default() -> Self {
        RolePolicyAttachment::new()
    }
}

/// Whether `arn` is attached to `role`; `None` when the role is gone.
async fn attached(aws: &Aws, role: &str, arn: &str) -> Result<Option<bool>, ProviderError> {
    let r = aws
        .iam()
        .list_attached_role_policies()
        .role_name(role)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(aws_err);
    match r {
        Ok(items) => Ok(Some(items.iter().any(|p| p.policy_arn() == Some(arn)))),
        Err(e) if no_such_entity(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

fn state(id: &str, role: &str, arn: &str) -> Value {
    let mut m = BTreeMap::new();
    m.insert("id".to_string(), Value::string(id));
    m.insert("role".to_string(), Value::string(role));
    m.insert("policy_arn".to_string(), Value::string(arn));
    Value::object(m)
}

#[async_trait]
impl Resource for RolePolicyAttachment {
    fn type_name(&self) -> &'static str {
        "aws_iam_role_policy_attachment"
    }
    fn display_name(&self) -> &'static str {
        "IAM Role Policy Attachment"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let role = get_str(planned, "role").unwrap_or_default();
        let arn = get_str(planned, "policy_arn").unwrap_or_default();
        aws.iam()
            .attach_role_policy()
            .role_name(&role)
            .policy_arn(&arn)
            .send()
            .await
            .map_err(aws_err)?;
        Ok(state(&prefixed_unique_id(&format!("{role}-")), &role, &arn))
    }

    async fn read(&self, ctx: &ProviderCtx, st: &Value) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        let role = get_str(st, "role").unwrap_or_default();
        let arn = get_str(st, "policy_arn").unwrap_or_default();
        let id = get_str(st, "id").unwrap_or_default();
        Ok(match attached(&aws, &role, &arn).await? {
            Some(true) => Some(state(&id, &role, &arn)),
            _ => None,
        })
    }

    async fn update(
        &self,
        _ctx: &ProviderCtx,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        // Every argument forces replacement.
        Ok(planned.clone())
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let role = get_str(prior, "role").unwrap_or_default();
        let arn = get_str(prior, "policy_arn").unwrap_or_default();
        match aws
            .iam()
            .detach_role_policy()
            .role_name(&role)
            .policy_arn(&arn)
            .send()
            .await
            .map_err(aws_err)
        {
            Err(e) if !no_such_entity(&e) => Err(e),
            _ => Ok(()),
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let Some((role, arn)) = id
            .split_once('/')
            .filter(|(r, a)| !r.is_empty() && !a.is_empty())
        else {
            return Err(ProviderError::new(format!(
                "unexpected format for ID ({id}), expected <role-name>/<policy_arn>"
            )));
        };
        let aws = aws(ctx).await?;
        match attached(&aws, role, arn).await? {
            Some(true) => Ok(state(&prefixed_unique_id(&format!("{role}-")), role, arn)),
            _ => Err(ProviderError::new(format!(
                "IAM Role Policy Attachment ({id}) not found"
            ))),
        }
    }
}
