//! `aws_iam_role_policy`: an inline policy of a role; id `ROLE:NAME`.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::policy::{decode_document, invalid_json, policies_equivalent, policy_to_set};
use super::{no_such_entity, unique_name};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{aws, aws_err, get, get_str, with, Aws};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct RolePolicy {
    schema: Schema,
}

impl RolePolicy {
    pub fn new() -> RolePolicy {
        RolePolicy {
            schema: Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr(
                    "name",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("name_prefix", Attribute::optional(Type::String).force_new())
                .attr("role", Attribute::required(Type::String).force_new())
                .attr("policy", Attribute::required(Type::String)),
        }
    }
}

impl Default for RolePolicy {
    fn default() -> Self {
        RolePolicy::new()
    }
}

fn split_id(id: &str) -> Result<(String, String), ProviderError> {
    match id.split_once(':') {
        Some((r, n)) if !r.is_empty() && !n.is_empty() => Ok((r.to_string(), n.to_string())),
        _ => Err(ProviderError::new(format!(
            "role_policy id must be of the form <role name>:<role policy name>, got {id:?}"
        ))),
    }
}

async fn read_policy(aws: &Aws, prior: &Value) -> Result<Option<Value>, ProviderError> {
    let id = get_str(prior, "id").unwrap_or_default();
    let (role, name) = split_id(&id)?;
    let out = match aws
        .iam()
        .get_role_policy()
        .role_name(&role)
        .policy_name(&name)
        .send()
        .await
    {
        Ok(o) => o,
        Err(e) => {
            let e = aws_err(e);
            return if no_such_entity(&e) { Ok(None) } else { Err(e) };
        }
    };
    let doc = decode_document(out.policy_document());
    let prior_policy = get_str(prior, "policy");
    let mut m = BTreeMap::new();
    m.insert("id".to_string(), Value::string(&id));
    m.insert("role".to_string(), Value::string(&role));
    m.insert("name".to_string(), Value::string(&name));
    m.insert(
        "name_prefix".to_string(),
        match get(prior, "name_prefix") {
            p if p.is_null() => Value::null_of(Type::String),
            p => p,
        },
    );
    m.insert(
        "policy".to_string(),
        Value::string(policy_to_set(prior_policy.as_deref(), &doc)),
    );
    Ok(Some(Value::object(m)))
}

async fn put(aws: &Aws, role: &str, name: &str, planned: &Value) -> Result<(), ProviderError> {
    let policy = get_str(planned, "policy").unwrap_or_default();
    if let Some(e) = invalid_json(&policy) {
        return Err(ProviderError::new(e));
    }
    aws.iam()
        .put_role_policy()
        .role_name(role)
        .policy_name(name)
        .policy_document(policy)
        .send()
        .await
        .map_err(aws_err)?;
    Ok(())
}

#[async_trait]
impl Resource for RolePolicy {
    fn type_name(&self) -> &'static str {
        "aws_iam_role_policy"
    }
    fn display_name(&self) -> &'static str {
        "IAM Role Policy"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn customize_plan(
        &self,
        _ctx: &ProviderCtx,
        prior: Option<&Value>,
        _config: &Value,
        planned: Value,
    ) -> Value {
        if let Some(p) = prior {
            if let (Some(a), Some(b)) = (get_str(p, "policy"), get_str(&planned, "policy")) {
                if a != b && policies_equivalent(&a, &b) {
                    return with(&planned, "policy", Value::string(a));
                }
            }
        }
        planned
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let role = get_str(planned, "role").unwrap_or_default();
        let name = unique_name(get_str(planned, "name"), get_str(planned, "name_prefix"));
        put(&aws, &role, &name, planned).await?;
        let id = format!("{role}:{name}");
        let v = with(
            &with(planned, "id", Value::string(&id)),
            "name",
            Value::string(&name),
        );
        read_policy(&aws, &v).await?.ok_or_else(|| {
            ProviderError::new(format!("IAM Role Policy ({id}) not found after creation"))
        })
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        read_policy(&aws, state).await
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        let (role, name) = split_id(&id)?;
        put(&aws, &role, &name, planned).await?;
        let v = with(planned, "id", Value::string(&id));
        read_policy(&aws, &v).await?.ok_or_else(|| {
            ProviderError::new(format!("IAM Role Policy ({id}) not found after update"))
        })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        let (role, name) = split_id(&id)?;
        match aws
            .iam()
            .delete_role_policy()
            .role_name(&role)
            .policy_name(&name)
            .send()
            .await
            .map_err(aws_err)
        {
            Err(e) if !no_such_entity(&e) => Err(e),
            _ => Ok(()),
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        split_id(id)?;
        let prior = Value::object(
            [("id".to_string(), Value::string(id))]
                .into_iter()
                .collect(),
        );
        read_policy(&aws, &prior)
            .await?
            .ok_or_else(|| ProviderError::new(format!("IAM Role Policy ({id}) not found")))
    }
}
