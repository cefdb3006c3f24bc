//! `aws_cloudwatch_log_group`.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, get, get_bool, get_i64, get_str, is_not_found, opt_str, plan_tags_all,
    planned_tags_all, read_tags, str_map, tag_attrs, with, Aws,
};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct LogGroup {
    schema: Schema,
}

impl LogGroup {
    pub fn new() -> LogGroup {
        LogGroup {
            schema: tag_attrs(
                Schema::new()
                    .attr("id", Attribute::computed(Type::String))
                    .attr("arn", Attribute::computed(Type::String))
                    .attr(
                        "name",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "name_prefix",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "retention_in_days",
                        Attribute::optional(Type::Number).default(Value::int(0)),
                    )
                    .attr("kms_key_id", Attribute::optional(Type::String))
                    .attr(
                        "log_group_class",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "skip_destroy",
                        Attribute::optional(Type::Bool).default(Value::bool(false)),
                    ),
            ),
        }
    }
}

impl Default for LogGroup {
    fn default() -> Self {
        LogGroup::new()
    }
}

/// A name like the provider's `id.PrefixedUniqueId`: the prefix, a UTC
/// timestamp and a counter (26 characters after the prefix).
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let now = chrono::Utc::now();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) + 1;
    format!(
        "{prefix}{}{:04}{n:08x}",
        now.format("%Y%m%d%H%M%S"),
        now.timestamp_subsec_micros() / 100
    )
}

/// The log group named exactly `name`, if any.
async fn find(
    aws: &Aws,
    name: &str,
) -> Result<Option<aws_sdk_cloudwatchlogs::types::LogGroup>, ProviderError> {
    let pages = aws
        .logs()
        .describe_log_groups()
        .log_group_name_prefix(name)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(aws_err)?;
    Ok(pages.into_iter().find(|g| g.log_group_name() == Some(name)))
}

fn trim_arn(arn: &str) -> String {
    arn.strip_suffix(":*").unwrap_or(arn).to_string()
}

async fn list_tags(aws: &Aws, arn: &str) -> Result<Vec<(String, String)>, ProviderError> {
    let out = aws
        .logs()
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(aws_err)?;
    Ok(out
        .tags()
        .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default())
}

async fn read_one(ctx: &ProviderCtx, prior: &Value) -> Result<Option<Value>, ProviderError> {
    let aws = aws(ctx).await?;
    let Some(name) = get_str(prior, "id").or_else(|| get_str(prior, "name")) else {
        return Ok(None);
    };
    let Some(g) = find(&aws, &name).await? else {
        return Ok(None);
    };
    let arn = trim_arn(g.arn().unwrap_or_default());
    let (tags, tags_all) = read_tags(ctx, &aws, prior, list_tags(&aws, &arn).await?);
    let mut m = BTreeMap::new();
    m.insert("id".into(), Value::string(&name));
    m.insert("name".into(), Value::string(&name));
    let prefix = get(prior, "name_prefix");
    m.insert(
        "name_prefix".into(),
        if prefix.is_known() {
            prefix
        } else {
            Value::null_of(Type::String)
        },
    );
    m.insert("arn".into(), Value::string(arn));
    m.insert(
        "retention_in_days".into(),
        Value::int(g.retention_in_days().unwrap_or(0) as i64),
    );
    m.insert("kms_key_id".into(), opt_str(g.kms_key_id()));
    m.insert(
        "log_group_class".into(),
        Value::string(
            g.log_group_class()
                .map(|c| c.as_str().to_string())
                .unwrap_or_else(|| "STANDARD".into()),
        ),
    );
    m.insert(
        "skip_destroy".into(),
        Value::bool(get_bool(prior, "skip_destroy").unwrap_or(false)),
    );
    m.insert("tags".into(), tags);
    m.insert("tags_all".into(), tags_all);
    Ok(Some(Value::object(m)))
}

async fn set_retention(aws: &Aws, name: &str, days: i64) -> Result<(), ProviderError> {
    if days > 0 {
        aws.logs()
            .put_retention_policy()
            .log_group_name(name)
            .retention_in_days(days as i32)
            .send()
            .await
            .map_err(aws_err)?;
    } else {
        aws.logs()
            .delete_retention_policy()
            .log_group_name(name)
            .send()
            .await
            .map_err(aws_err)?;
    }
    Ok(())
}

#[async_trait]
impl Resource for LogGroup {
    fn type_name(&self) -> &'static str {
        "aws_cloudwatch_log_group"
    }
    fn display_name(&self) -> &'static str {
        "CloudWatch Logs Log Group"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn customize_plan(
        &self,
        ctx: &ProviderCtx,
        prior: Option<&Value>,
        config: &Value,
        planned: Value,
    ) -> Value {
        let mut p = planned;
        if prior.is_none() {
            // The name is generated at create time unless configured.
            if get(config, "name").is_null() {
                p = with(&p, "name", Value::unknown(Type::String));
                if get(config, "name_prefix").is_null() {
                    p = with(&p, "name_prefix", Value::null_of(Type::String));
                }
            } else {
                p = with(&p, "name_prefix", Value::null_of(Type::String));
            }
            p = with(&p, "id", Value::unknown(Type::String));
            p = with(&p, "arn", Value::unknown(Type::String));
        }
        plan_tags_all(ctx, p)
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let name = get_str(planned, "name").unwrap_or_else(|| {
            unique_name(&get_str(planned, "name_prefix").unwrap_or_else(|| "terraform-".into()))
        });
        let tags: HashMap<String, String> = planned_tags_all(planned).into_iter().collect();
        aws.logs()
            .create_log_group()
            .log_group_name(&name)
            .set_kms_key_id(get_str(planned, "kms_key_id"))
            .set_log_group_class(
                get_str(planned, "log_group_class")
                    .map(|c| aws_sdk_cloudwatchlogs::types::LogGroupClass::from(c.as_str())),
            )
            .set_tags((!tags.is_empty()).then_some(tags))
            .send()
            .await
            .map_err(aws_err)?;
        let state = with(planned, "id", Value::string(&name));
        let state = with(&state, "name", Value::string(&name));
        let finish = async {
            let days = get_i64(planned, "retention_in_days").unwrap_or(0);
            if days > 0 {
                set_retention(&aws, &name, days).await?;
            }
            read_one(ctx, &state).await?.ok_or_else(|| {
                ProviderError::new(format!(
                    "CloudWatch Logs Log Group ({name}) not found after creation"
                ))
            })
        };
        finish
            .await
            .map_err(|e| crate::providers::aws::partial_err(e, &state, &name))
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        read_one(ctx, state).await
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let name = get_str(prior, "id").unwrap_or_default();
        let arn = get_str(prior, "arn").unwrap_or_default();
        let days = get_i64(planned, "retention_in_days").unwrap_or(0);
        if get_i64(prior, "retention_in_days").unwrap_or(0) != days {
            set_retention(&aws, &name, days).await?;
        }
        let (old_kms, new_kms) = (get_str(prior, "kms_key_id"), get_str(planned, "kms_key_id"));
        if old_kms != new_kms {
            match new_kms {
                Some(k) => aws
                    .logs()
                    .associate_kms_key()
                    .log_group_name(&name)
                    .kms_key_id(k)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(aws_err)?,
                None => aws
                    .logs()
                    .disassociate_kms_key()
                    .log_group_name(&name)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(aws_err)?,
            }
        }
        let old = str_map(&get(prior, "tags_all")).unwrap_or_default();
        let new = planned_tags_all(planned);
        let removed: Vec<String> = old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .cloned()
            .collect();
        let changed: HashMap<String, String> = new
            .iter()
            .filter(|(k, v)| old.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !removed.is_empty() {
            aws.logs()
                .untag_resource()
                .resource_arn(&arn)
                .set_tag_keys(Some(removed))
                .send()
                .await
                .map_err(aws_err)?;
        }
        if !changed.is_empty() {
            aws.logs()
                .tag_resource()
                .resource_arn(&arn)
                .set_tags(Some(changed))
                .send()
                .await
                .map_err(aws_err)?;
        }
        read_one(ctx, planned).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "CloudWatch Logs Log Group ({name}) not found after update"
            ))
        })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        if get_bool(prior, "skip_destroy").unwrap_or(false) {
            return Ok(());
        }
        let aws = aws(ctx).await?;
        let name = get_str(prior, "id").unwrap_or_default();
        match aws
            .logs()
            .delete_log_group()
            .log_group_name(&name)
            .send()
            .await
            .map_err(aws_err)
        {
            Err(e)
                if is_not_found(&e) || e.code.as_deref() == Some("ResourceNotFoundException") =>
            {
                Ok(())
            }
            r => r.map(|_| ()),
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        read_one(ctx, &Value::object(m)).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Cannot import non-existent remote object: CloudWatch Logs Log Group ({id})"
            ))
        })
    }
}
