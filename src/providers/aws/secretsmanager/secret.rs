//! `aws_secretsmanager_secret`.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_secretsmanager::types::{ReplicaRegionType, Tag};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::rds::unique_name;
use crate::providers::aws::secretsmanager::{gone, json_equal};
use crate::providers::aws::{
    aws, aws_err, get, get_bool, get_i64, get_str, opt_str, partial_err, plan_tags_all,
    planned_tags_all, read_tags, str_map, tag_attrs, wait_until, with, Aws,
};
use crate::providers::{Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema};

pub struct Secret {
    schema: Schema,
}

fn replica_schema() -> Schema {
    Schema::new()
        .attr("region", Attribute::required(Type::String))
        .attr("kms_key_id", Attribute::optional_computed(Type::String))
        .attr("last_accessed_date", Attribute::computed(Type::String))
        .attr("status", Attribute::computed(Type::String))
        .attr("status_message", Attribute::computed(Type::String))
}

impl Secret {
    pub fn new() -> Secret {
        let c = || Attribute::computed(Type::String);
        Secret {
            schema: tag_attrs(
                Schema::new()
                    .attr("id", c())
                    .attr("arn", c())
                    .attr(
                        "name",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "name_prefix",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr("description", Attribute::optional(Type::String))
                    .attr("kms_key_id", Attribute::optional(Type::String))
                    .attr("policy", Attribute::optional_computed(Type::String))
                    .attr(
                        "recovery_window_in_days",
                        Attribute::optional(Type::Number).default(Value::int(30)),
                    )
                    .attr(
                        "force_overwrite_replica_secret",
                        Attribute::optional(Type::Bool).default(Value::bool(false)),
                    ),
            )
            .block("replica", BlockNesting::Set, replica_schema()),
        }
    }
}

impl Default for Secret {
    fn default() -> Self {
        Secret::new()
    }
}

fn replicas_of(v: &Value) -> Vec<(String, Option<String>)> {
    get(v, "replica")
        .as_seq()
        .unwrap_or_default()
        .iter()
        .filter_map(|r| {
            Some((
                get_str(r, "region")?,
                get_str(r, "kms_key_id").filter(|s| !s.is_empty()),
            ))
        })
        .collect()
}

fn replica_region(region: &str, kms: Option<String>) -> ReplicaRegionType {
    ReplicaRegionType::builder()
        .region(region)
        .set_kms_key_id(kms)
        .build()
}

async fn read_one(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
) -> Result<Option<Value>, ProviderError> {
    let Some(id) = get_str(prior, "id") else {
        return Ok(None);
    };
    let sm = aws.secretsmanager();
    let d = match sm
        .describe_secret()
        .secret_id(&id)
        .send()
        .await
        .map_err(aws_err)
    {
        Ok(d) => d,
        Err(e) if gone(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    if d.deleted_date().is_some() {
        return Ok(None);
    }
    let arn = d.arn().unwrap_or_default().to_string();
    let policy = match sm
        .get_resource_policy()
        .secret_id(&arn)
        .send()
        .await
        .map_err(aws_err)
    {
        Ok(p) => p.resource_policy().unwrap_or_default().to_string(),
        Err(e) if gone(&e) => String::new(),
        Err(e) => return Err(e),
    };
    let policy = match get_str(prior, "policy") {
        Some(p) if !policy.is_empty() && json_equal(&p, &policy) => p,
        _ => policy,
    };
    let name = d.name().unwrap_or_default();
    let prior_replicas = get(prior, "replica");
    let replicas: Vec<Value> = d
        .replication_status()
        .iter()
        .map(|r| {
            let region = r.region().unwrap_or_default();
            // The replica's KMS key as configured when AWS reports none.
            let prior_kms = prior_replicas
                .as_seq()
                .unwrap_or_default()
                .iter()
                .find(|p| get_str(p, "region").as_deref() == Some(region))
                .and_then(|p| get_str(p, "kms_key_id"));
            let mut m = BTreeMap::new();
            m.insert("region".to_string(), Value::string(region));
            m.insert(
                "kms_key_id".to_string(),
                Value::string(
                    r.kms_key_id()
                        .map(String::from)
                        .or(prior_kms)
                        .unwrap_or_default(),
                ),
            );
            m.insert(
                "last_accessed_date".to_string(),
                Value::string(
                    r.last_accessed_date()
                        .and_then(|t| {
                            t.fmt(aws_sdk_secretsmanager::primitives::DateTimeFormat::DateTime)
                                .ok()
                        })
                        .unwrap_or_default(),
                ),
            );
            m.insert(
                "status".to_string(),
                Value::string(r.status().map(|s| s.as_str()).unwrap_or_default()),
            );
            m.insert("status_message".to_string(), opt_str(r.status_message()));
            Value::object(m)
        })
        .collect();
    let (tags, tags_all) = read_tags(
        ctx,
        aws,
        prior,
        d.tags().iter().map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        }),
    );
    let mut m = BTreeMap::new();
    m.insert("id".into(), Value::string(&arn));
    m.insert("arn".into(), Value::string(&arn));
    m.insert("name".into(), Value::string(name));
    m.insert(
        "name_prefix".into(),
        crate::providers::aws::rds::prefix_of(prior, "name_prefix", name),
    );
    m.insert("description".into(), opt_str(d.description()));
    m.insert("kms_key_id".into(), opt_str(d.kms_key_id()));
    m.insert("policy".into(), Value::string(policy));
    m.insert(
        "recovery_window_in_days".into(),
        Value::int(get_i64(prior, "recovery_window_in_days").unwrap_or(30)),
    );
    m.insert(
        "force_overwrite_replica_secret".into(),
        Value::bool(get_bool(prior, "force_overwrite_replica_secret").unwrap_or(false)),
    );
    m.insert(
        "replica".into(),
        Value::set(replica_schema().value_type(), replicas),
    );
    m.insert("tags".into(), tags);
    m.insert("tags_all".into(), tags_all);
    Ok(Some(Value::object(m)))
}

fn sm_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

async fn put_policy(aws: &Aws, arn: &str, policy: Option<String>) -> Result<(), ProviderError> {
    let sm = aws.secretsmanager();
    match policy.filter(|p| !p.trim().is_empty()) {
        Some(p) => sm
            .put_resource_policy()
            .secret_id(arn)
            .resource_policy(p)
            .send()
            .await
            .map(|_| ())
            .map_err(aws_err),
        None => sm
            .delete_resource_policy()
            .secret_id(arn)
            .send()
            .await
            .map(|_| ())
            .map_err(aws_err),
    }
}

#[async_trait]
impl Resource for Secret {
    fn type_name(&self) -> &'static str {
        "aws_secretsmanager_secret"
    }
    fn display_name(&self) -> &'static str {
        "Secrets Manager Secret"
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
        let mut p = plan_tags_all(ctx, planned);
        // An equivalent policy document is no change.
        if let (Some(prior), Some(want)) = (prior, get_str(config, "policy")) {
            if let Some(had) = get_str(prior, "policy") {
                if json_equal(&had, &want) {
                    p = with(&p, "policy", Value::string(had));
                }
            }
        }
        p
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let name = match get_str(planned, "name") {
            Some(n) => n,
            None => {
                unique_name(&get_str(planned, "name_prefix").unwrap_or_else(|| "terraform-".into()))
            }
        };
        let tags = planned_tags_all(planned);
        let replicas = replicas_of(planned);
        let out = aws
            .secretsmanager()
            .create_secret()
            .name(&name)
            .set_description(get_str(planned, "description"))
            .set_kms_key_id(get_str(planned, "kms_key_id").filter(|s| !s.is_empty()))
            .set_tags(Some(sm_tags(&tags)).filter(|t| !t.is_empty()))
            .set_add_replica_regions(
                Some(
                    replicas
                        .iter()
                        .map(|(r, k)| replica_region(r, k.clone()))
                        .collect::<Vec<_>>(),
                )
                .filter(|v| !v.is_empty()),
            )
            .set_force_overwrite_replica_secret(
                get_bool(planned, "force_overwrite_replica_secret").filter(|b| *b),
            )
            .send()
            .await
            .map_err(aws_err)?;
        let arn = out.arn().unwrap_or_default().to_string();
        let finish = async {
            let policy = get_str(planned, "policy").filter(|p| !p.trim().is_empty());
            if policy.is_some() {
                put_policy(&aws, &arn, policy).await?;
            }
            read_one(ctx, &aws, &with(planned, "id", Value::string(&arn)))
                .await?
                .ok_or_else(|| {
                    ProviderError::new(format!(
                        "Secrets Manager Secret ({name}) not found after creation"
                    ))
                })
        };
        finish.await.map_err(|e| partial_err(e, planned, &arn))
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        read_one(ctx, &aws, state).await
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(prior, "id").unwrap_or_default();
        let sm = aws.secretsmanager();
        let desc = get_str(planned, "description");
        let kms = get_str(planned, "kms_key_id");
        if desc != get_str(prior, "description") || kms != get_str(prior, "kms_key_id") {
            sm.update_secret()
                .secret_id(&arn)
                .description(desc.unwrap_or_default())
                .set_kms_key_id(kms)
                .send()
                .await
                .map_err(aws_err)?;
        }
        let policy = get(planned, "policy");
        if policy.is_known() && get_str(planned, "policy") != get_str(prior, "policy") {
            put_policy(&aws, &arn, get_str(planned, "policy")).await?;
        }
        // Replicas: remove the regions no longer wanted, add the new ones.
        let old = replicas_of(prior);
        let new = replicas_of(planned);
        let removed: Vec<String> = old
            .iter()
            .filter(|o| !new.contains(o))
            .map(|o| o.0.clone())
            .collect();
        if !removed.is_empty() {
            sm.remove_regions_from_replication()
                .secret_id(&arn)
                .set_remove_replica_regions(Some(removed))
                .send()
                .await
                .map_err(aws_err)?;
        }
        let added: Vec<ReplicaRegionType> = new
            .iter()
            .filter(|n| !old.contains(n))
            .map(|(r, k)| replica_region(r, k.clone()))
            .collect();
        if !added.is_empty() {
            sm.replicate_secret_to_regions()
                .secret_id(&arn)
                .set_add_replica_regions(Some(added))
                .set_force_overwrite_replica_secret(get_bool(
                    planned,
                    "force_overwrite_replica_secret",
                ))
                .send()
                .await
                .map_err(aws_err)?;
        }
        // Tags.
        let old_tags = str_map(&get(prior, "tags_all")).unwrap_or_default();
        let new_tags = planned_tags_all(planned);
        let gone_keys: Vec<String> = old_tags
            .keys()
            .filter(|k| !new_tags.contains_key(*k))
            .cloned()
            .collect();
        if !gone_keys.is_empty() {
            sm.untag_resource()
                .secret_id(&arn)
                .set_tag_keys(Some(gone_keys))
                .send()
                .await
                .map_err(aws_err)?;
        }
        let changed: BTreeMap<String, String> = new_tags
            .iter()
            .filter(|(k, v)| old_tags.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !changed.is_empty() {
            sm.tag_resource()
                .secret_id(&arn)
                .set_tags(Some(sm_tags(&changed)))
                .send()
                .await
                .map_err(aws_err)?;
        }
        read_one(ctx, &aws, &with(planned, "id", Value::string(&arn)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!(
                    "Secrets Manager Secret ({arn}) not found after update"
                ))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(prior, "id").unwrap_or_default();
        let sm = aws.secretsmanager();
        let days = get_i64(prior, "recovery_window_in_days").unwrap_or(30);
        // Replicas go first: a secret with replicas cannot be deleted.
        let regions: Vec<String> = replicas_of(prior).into_iter().map(|r| r.0).collect();
        if !regions.is_empty() {
            match sm
                .remove_regions_from_replication()
                .secret_id(&arn)
                .set_remove_replica_regions(Some(regions))
                .send()
                .await
                .map_err(aws_err)
            {
                Err(e) if gone(&e) => return Ok(()),
                r => r.map(|_| ())?,
            }
        }
        let req = sm.delete_secret().secret_id(&arn);
        let req = if days == 0 {
            req.force_delete_without_recovery(true)
        } else {
            req.recovery_window_in_days(days)
        };
        match req.send().await.map_err(aws_err) {
            Err(e) if gone(&e) => return Ok(()),
            r => r.map(|_| ())?,
        };
        wait_until(
            &format!("Secrets Manager Secret ({arn}) delete"),
            Duration::from_secs(120),
            || async {
                match sm
                    .describe_secret()
                    .secret_id(&arn)
                    .send()
                    .await
                    .map_err(aws_err)
                {
                    Ok(d) => Ok(d.deleted_date().is_some()),
                    Err(e) if gone(&e) => Ok(true),
                    Err(e) => Err(e),
                }
            },
        )
        .await
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        m.insert("recovery_window_in_days".to_string(), Value::int(30));
        m.insert(
            "force_overwrite_replica_secret".to_string(),
            Value::bool(false),
        );
        read_one(ctx, &aws, &Value::object(m))
            .await?
            .ok_or_else(|| ProviderError::new(format!("Secrets Manager Secret ({id}) not found")))
    }
}
