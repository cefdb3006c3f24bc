//! `aws_iam_policy`: a customer managed policy; id = ARN. A policy change
//! creates a new default version (pruning the oldest when five exist).

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::policy::{decode_document, invalid_json, policies_equivalent, policy_to_set};
use super::{
    from_iam_tags, iam_tags, name_prefix_from_name, no_such_entity, tag_changes, unique_name,
};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, get, get_str, opt_str, partial_err, plan_tags_all, planned_tags_all, read_tags,
    tag_attrs, with, Aws,
};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct IamPolicy {
    schema: Schema,
}

impl IamPolicy {
    pub fn new() -> IamPolicy {
        let c = || Attribute::computed(Type::String);
        IamPolicy {
            schema: tag_attrs(
                Schema::new()
                    .attr("id", c())
                    .attr("arn", c())
                    .attr("policy_id", c())
                    .attr("attachment_count", Attribute::computed(Type::Number))
                    .attr(
                        "name",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "name_prefix",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "path",
                        Attribute::optional(Type::String)
                            .default(Value::string("/"))
                            .force_new(),
                    )
                    .attr("description", Attribute::optional(Type::String).force_new())
                    .attr("policy", Attribute::required(Type::String)),
            ),
        }
    }
}

impl Default for IamPolicy {
    fn default() -> Self {
        IamPolicy::new()
    }
}

async fn read_policy(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
) -> Result<Option<Value>, ProviderError> {
    let arn = get_str(prior, "id").unwrap_or_default();
    let out = match aws.iam().get_policy().policy_arn(&arn).send().await {
        Ok(o) => o,
        Err(e) => {
            let e = aws_err(e);
            return if no_such_entity(&e) { Ok(None) } else { Err(e) };
        }
    };
    let Some(p) = out.policy() else {
        return Ok(None);
    };
    let version = p.default_version_id().unwrap_or("v1");
    let v = aws
        .iam()
        .get_policy_version()
        .policy_arn(&arn)
        .version_id(version)
        .send()
        .await
        .map_err(aws_err)?;
    let doc = decode_document(
        v.policy_version()
            .and_then(|v| v.document())
            .unwrap_or_default(),
    );
    let tags = aws
        .iam()
        .list_policy_tags()
        .policy_arn(&arn)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(aws_err)?;
    let (tags, tags_all) = read_tags(ctx, aws, prior, from_iam_tags(&tags));
    let name = p.policy_name().unwrap_or_default().to_string();
    let prior_policy = get_str(prior, "policy");
    let mut m = BTreeMap::new();
    let mut set = |k: &str, x: Value| {
        m.insert(k.to_string(), x);
    };
    set("id", Value::string(&arn));
    set("arn", Value::string(p.arn().unwrap_or(&arn)));
    set("policy_id", opt_str(p.policy_id()));
    set(
        "attachment_count",
        Value::int(p.attachment_count().unwrap_or(0) as i64),
    );
    set(
        "name_prefix",
        match name_prefix_from_name(&name) {
            Some(x) => Value::string(x),
            None => get(prior, "name_prefix"),
        },
    );
    set("name", Value::string(&name));
    set("path", Value::string(p.path().unwrap_or("/")));
    set(
        "description",
        match p.description() {
            Some(d) if !d.is_empty() || !get(prior, "description").is_null() => Value::string(d),
            _ => Value::null_of(Type::String),
        },
    );
    set(
        "policy",
        Value::string(policy_to_set(prior_policy.as_deref(), &doc)),
    );
    set("tags", tags);
    set("tags_all", tags_all);
    Ok(Some(Value::object(m)))
}

fn policy_text(planned: &Value) -> Result<String, ProviderError> {
    let p = get_str(planned, "policy").unwrap_or_default();
    match invalid_json(&p) {
        Some(e) => Err(ProviderError::new(e)),
        None => Ok(p),
    }
}

/// Delete the oldest non-default version when the policy has five (the
/// IAM limit), so that a new one can be created.
async fn prune_versions(aws: &Aws, arn: &str) -> Result<(), ProviderError> {
    let out = aws
        .iam()
        .list_policy_versions()
        .policy_arn(arn)
        .send()
        .await
        .map_err(aws_err)?;
    let versions = out.versions();
    if versions.len() < 5 {
        return Ok(());
    }
    let oldest = versions
        .iter()
        .filter(|v| !v.is_default_version())
        .min_by_key(|v| v.create_date().map(|d| (d.secs(), d.subsec_nanos())));
    if let Some(id) = oldest.and_then(|v| v.version_id()) {
        aws.iam()
            .delete_policy_version()
            .policy_arn(arn)
            .version_id(id)
            .send()
            .await
            .map_err(aws_err)?;
    }
    Ok(())
}

#[async_trait]
impl Resource for IamPolicy {
    fn type_name(&self) -> &'static str {
        "aws_iam_policy"
    }
    fn display_name(&self) -> &'static str {
        "IAM Policy"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn customize_plan(
        &self,
        ctx: &ProviderCtx,
        prior: Option<&Value>,
        _config: &Value,
        planned: Value,
    ) -> Value {
        let planned = plan_tags_all(ctx, planned);
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
        let name = unique_name(get_str(planned, "name"), get_str(planned, "name_prefix"));
        let tags = planned_tags_all(planned);
        let out = aws
            .iam()
            .create_policy()
            .policy_name(&name)
            .set_path(get_str(planned, "path"))
            .set_description(get_str(planned, "description").filter(|s| !s.is_empty()))
            .policy_document(policy_text(planned)?)
            .set_tags((!tags.is_empty()).then(|| iam_tags(&tags)))
            .send()
            .await
            .map_err(aws_err)?;
        let arn = out
            .policy()
            .and_then(|p| p.arn())
            .ok_or_else(|| ProviderError::new("CreatePolicy returned no ARN"))?
            .to_string();
        let v = with(
            &with(planned, "id", Value::string(&arn)),
            "name",
            Value::string(&name),
        );
        read_policy(ctx, &aws, &v)
            .await
            .and_then(|r| {
                r.ok_or_else(|| {
                    ProviderError::new(format!("IAM Policy ({arn}) not found after creation"))
                })
            })
            .map_err(|e| partial_err(e, &v, &arn))
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        read_policy(ctx, &aws, state).await
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(prior, "id").unwrap_or_default();
        let new = get_str(planned, "policy").unwrap_or_default();
        let old = get_str(prior, "policy").unwrap_or_default();
        if new != old && !policies_equivalent(&new, &old) {
            prune_versions(&aws, &arn).await?;
            aws.iam()
                .create_policy_version()
                .policy_arn(&arn)
                .policy_document(policy_text(planned)?)
                .set_as_default(true)
                .send()
                .await
                .map_err(aws_err)?;
        }
        let (set_tags, removed) = tag_changes(prior, planned);
        if !removed.is_empty() {
            aws.iam()
                .untag_policy()
                .policy_arn(&arn)
                .set_tag_keys(Some(removed))
                .send()
                .await
                .map_err(aws_err)?;
        }
        if !set_tags.is_empty() {
            aws.iam()
                .tag_policy()
                .policy_arn(&arn)
                .set_tags(Some(iam_tags(&set_tags)))
                .send()
                .await
                .map_err(aws_err)?;
        }
        read_policy(ctx, &aws, &with(planned, "id", Value::string(&arn)))
            .await?
            .ok_or_else(|| ProviderError::new(format!("IAM Policy ({arn}) not found after update")))
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(prior, "id").unwrap_or_default();
        let versions = match aws
            .iam()
            .list_policy_versions()
            .policy_arn(&arn)
            .send()
            .await
            .map_err(aws_err)
        {
            Ok(o) => o.versions().to_vec(),
            Err(e) if no_such_entity(&e) => return Ok(()),
            Err(e) => return Err(e),
        };
        for v in versions.iter().filter(|v| !v.is_default_version()) {
            if let Some(id) = v.version_id() {
                match aws
                    .iam()
                    .delete_policy_version()
                    .policy_arn(&arn)
                    .version_id(id)
                    .send()
                    .await
                    .map_err(aws_err)
                {
                    Err(e) if !no_such_entity(&e) => return Err(e),
                    _ => {}
                }
            }
        }
        match aws
            .iam()
            .delete_policy()
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
        let aws = aws(ctx).await?;
        let prior = Value::object(
            [("id".to_string(), Value::string(id))]
                .into_iter()
                .collect(),
        );
        read_policy(ctx, &aws, &prior)
            .await?
            .ok_or_else(|| ProviderError::new(format!("IAM Policy ({id}) not found")))
    }
}
