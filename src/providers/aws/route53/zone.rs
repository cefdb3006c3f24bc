//! `aws_route53_zone`.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, HostedZoneConfig, RrType, Tag, TagResourceType, Vpc,
    VpcRegion,
};

use super::{clean_zone_id, normalize_domain, wait_insync};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, get, get_bool, get_str, partial_err, plan_tags_all, planned_tags_all, read_tags,
    str_list, str_map, tag_attrs, Aws,
};
use crate::providers::{Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema};

const DEFAULT_COMMENT: &str = "Managed by Terraform";

pub struct Zone {
    schema: Schema,
}

impl Zone {
    pub fn new() -> Zone {
        let c = || Attribute::computed(Type::String);
        Zone {
            schema: tag_attrs(
                Schema::new()
                    .attr("id", c())
                    .attr("arn", c())
                    .attr("zone_id", c())
                    .attr("primary_name_server", c())
                    .attr(
                        "name_servers",
                        Attribute::computed(Type::list(Type::String)),
                    )
                    .attr("name", Attribute::required(Type::String).force_new())
                    .attr(
                        "comment",
                        Attribute::optional(Type::String).default(Value::string(DEFAULT_COMMENT)),
                    )
                    .attr(
                        "delegation_set_id",
                        Attribute::optional(Type::String).force_new(),
                    )
                    .attr(
                        "force_destroy",
                        Attribute::optional(Type::Bool).default(Value::bool(false)),
                    )
                    .block(
                        "vpc",
                        BlockNesting::Set,
                        Schema::new()
                            .attr("vpc_id", Attribute::required(Type::String))
                            .attr("vpc_region", Attribute::optional_computed(Type::String)),
                    ),
            ),
        }
    }
}

impl Default for Zone {
    fn default() -> Self {
        Zone::new()
    }
}

fn is_no_zone(e: &ProviderError) -> bool {
    matches!(
        e.code.as_deref(),
        Some("NoSuchHostedZone") | Some("InvalidInput")
    )
}

/// The configured `vpc` blocks as (vpc_id, vpc_region).
fn vpcs_of(v: &Value) -> Vec<(String, Option<String>)> {
    get(v, "vpc")
        .as_seq()
        .map(|s| {
            s.iter()
                .filter_map(|b| Some((get_str(b, "vpc_id")?, get_str(b, "vpc_region"))))
                .collect()
        })
        .unwrap_or_default()
}

fn vpc(id: &str, region: Option<&str>, aws: &Aws) -> Vpc {
    Vpc::builder()
        .vpc_id(id)
        .vpc_region(VpcRegion::from(region.unwrap_or(&aws.region)))
        .build()
}

pub(super) async fn read_zone(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
    id: &str,
) -> Result<Option<Value>, ProviderError> {
    let out = match aws.route53().get_hosted_zone().id(id).send().await {
        Ok(o) => o,
        Err(e) => {
            let e = aws_err(e);
            return if is_no_zone(&e) { Ok(None) } else { Err(e) };
        }
    };
    let Some(hz) = out.hosted_zone() else {
        return Ok(None);
    };
    let zid = clean_zone_id(hz.id());
    let aws_name = normalize_domain(hz.name());
    // Keep the configured spelling ("Example.com." and "example.com" are one zone).
    let name = match get_str(prior, "name") {
        Some(p) if normalize_domain(&p) == aws_name => p,
        _ => aws_name.clone(),
    };
    let private = hz.config().map(|c| c.private_zone()).unwrap_or(false);
    let comment = hz
        .config()
        .and_then(|c| c.comment())
        .unwrap_or_default()
        .to_string();
    let mut name_servers: Vec<String> = out
        .delegation_set()
        .map(|d| d.name_servers().to_vec())
        .unwrap_or_default();
    // Private zones have no delegation set: the apex NS record holds them.
    let apex = format!("{aws_name}.");
    let rrs = aws
        .route53()
        .list_resource_record_sets()
        .hosted_zone_id(&zid)
        .start_record_name(&apex)
        .send()
        .await
        .map_err(aws_err)?;
    let apex_set = |t: RrType| {
        rrs.resource_record_sets()
            .iter()
            .find(|r| normalize_domain(r.name()) == aws_name && *r.r#type() == t)
            .map(|r| {
                r.resource_records()
                    .iter()
                    .map(|x| x.value().to_string())
                    .collect::<Vec<_>>()
            })
    };
    if name_servers.is_empty() {
        name_servers = apex_set(RrType::Ns).unwrap_or_default();
        if private {
            name_servers.sort();
        }
    }
    let primary = apex_set(RrType::Soa)
        .and_then(|v| v.first().cloned())
        .and_then(|s| s.split_whitespace().next().map(|x| x.to_string()))
        .map(|s| s.trim_end_matches('.').to_string())
        .or_else(|| {
            name_servers
                .first()
                .map(|s| s.trim_end_matches('.').to_string())
        })
        .unwrap_or_default();
    let delegation_set_id = out
        .delegation_set()
        .and_then(|d| d.id())
        .map(|s| s.trim_start_matches("/delegationset/").to_string())
        .filter(|s| !s.is_empty());
    let vpc_ty = Type::Object(
        [
            ("vpc_id".to_string(), Type::String),
            ("vpc_region".to_string(), Type::String),
        ]
        .into_iter()
        .collect(),
    );
    let vpcs: Vec<Value> = out
        .vpcs()
        .iter()
        .map(|v| {
            let mut m = BTreeMap::new();
            m.insert(
                "vpc_id".to_string(),
                Value::string(v.vpc_id().unwrap_or_default()),
            );
            m.insert(
                "vpc_region".to_string(),
                Value::string(v.vpc_region().map(|r| r.as_str()).unwrap_or_default()),
            );
            Value::object(m)
        })
        .collect();
    let tags_out = aws
        .route53()
        .list_tags_for_resource()
        .resource_type(TagResourceType::Hostedzone)
        .resource_id(&zid)
        .send()
        .await
        .map_err(aws_err)?;
    let pairs: Vec<(String, String)> = tags_out
        .resource_tag_set()
        .map(|s| {
            s.tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_string(),
                        t.value().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let (tags, tags_all) = read_tags(ctx, aws, prior, pairs);
    let mut m = BTreeMap::new();
    let mut set = |k: &str, x: Value| {
        m.insert(k.to_string(), x);
    };
    set("id", Value::string(&zid));
    set("zone_id", Value::string(&zid));
    set(
        "arn",
        Value::string(format!(
            "arn:{}:route53:::hostedzone/{zid}",
            aws.partition()
        )),
    );
    set("name", Value::string(name));
    set("comment", Value::string(comment));
    set("name_servers", str_list(name_servers));
    set("primary_name_server", Value::string(primary));
    set(
        "delegation_set_id",
        match delegation_set_id {
            Some(d) => Value::string(d),
            None => Value::null_of(Type::String),
        },
    );
    set(
        "force_destroy",
        Value::bool(get_bool(prior, "force_destroy").unwrap_or(false)),
    );
    set("vpc", Value::set(vpc_ty, vpcs));
    set("tags", tags);
    set("tags_all", tags_all);
    Ok(Some(Value::object(m)))
}

async fn update_tags(
    aws: &Aws,
    id: &str,
    prior: &Value,
    planned: &Value,
) -> Result<(), ProviderError> {
    let old = str_map(&get(prior, "tags_all")).unwrap_or_default();
    let new = planned_tags_all(planned);
    let removed: Vec<String> = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    let changed: Vec<Tag> = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    if removed.is_empty() && changed.is_empty() {
        return Ok(());
    }
    aws.route53()
        .change_tags_for_resource()
        .resource_type(TagResourceType::Hostedzone)
        .resource_id(id)
        .set_add_tags((!changed.is_empty()).then_some(changed))
        .set_remove_tag_keys((!removed.is_empty()).then_some(removed))
        .send()
        .await
        .map_err(aws_err)?;
    Ok(())
}

/// Delete every record set but the apex NS and SOA (for `force_destroy`).
async fn delete_all_records(aws: &Aws, id: &str, zone_name: &str) -> Result<(), ProviderError> {
    let mut sets = vec![];
    let mut req = aws.route53().list_resource_record_sets().hosted_zone_id(id);
    loop {
        let out = req.clone().send().await.map_err(aws_err)?;
        sets.extend(out.resource_record_sets().iter().cloned());
        if !out.is_truncated() {
            break;
        }
        req = req
            .set_start_record_name(out.next_record_name().map(|s| s.to_string()))
            .set_start_record_type(out.next_record_type().cloned())
            .set_start_record_identifier(out.next_record_identifier().map(|s| s.to_string()));
    }
    let apex = normalize_domain(zone_name);
    let changes: Vec<Change> = sets
        .into_iter()
        .filter(|r| {
            !(normalize_domain(r.name()) == apex && matches!(r.r#type(), RrType::Ns | RrType::Soa))
        })
        .filter_map(|r| {
            Change::builder()
                .action(ChangeAction::Delete)
                .resource_record_set(r)
                .build()
                .ok()
        })
        .collect();
    for chunk in changes.chunks(100) {
        let batch = ChangeBatch::builder()
            .set_changes(Some(chunk.to_vec()))
            .comment("Deleted by Terraform")
            .build()
            .map_err(|e| ProviderError::new(e.to_string()))?;
        let out = aws
            .route53()
            .change_resource_record_sets()
            .hosted_zone_id(id)
            .change_batch(batch)
            .send()
            .await
            .map_err(aws_err)?;
        if let Some(ci) = out.change_info() {
            wait_insync(aws, ci.id(), Duration::from_secs(1800)).await?;
        }
    }
    Ok(())
}

#[async_trait]
impl Resource for Zone {
    fn type_name(&self) -> &'static str {
        "aws_route53_zone"
    }
    fn display_name(&self) -> &'static str {
        "Route53 Hosted Zone"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn customize_plan(
        &self,
        ctx: &ProviderCtx,
        _prior: Option<&Value>,
        _config: &Value,
        planned: Value,
    ) -> Value {
        plan_tags_all(ctx, planned)
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let name = get_str(planned, "name").unwrap_or_default();
        let vpcs = vpcs_of(planned);
        let comment = get_str(planned, "comment").unwrap_or_default();
        let out = aws
            .route53()
            .create_hosted_zone()
            .name(&name)
            .caller_reference(format!("terraform-{}", uuid::Uuid::new_v4()))
            .hosted_zone_config(
                HostedZoneConfig::builder()
                    .comment(comment)
                    .private_zone(!vpcs.is_empty())
                    .build(),
            )
            .set_delegation_set_id(get_str(planned, "delegation_set_id"))
            .set_vpc(vpcs.first().map(|(id, r)| vpc(id, r.as_deref(), &aws)))
            .send()
            .await
            .map_err(aws_err)?;
        let id = out
            .hosted_zone()
            .map(|z| clean_zone_id(z.id()))
            .ok_or_else(|| ProviderError::new("CreateHostedZone returned no hosted zone"))?;
        let finish = async {
            if let Some(ci) = out.change_info() {
                wait_insync(&aws, ci.id(), Duration::from_secs(1800)).await?;
            }
            let tags = planned_tags_all(planned);
            if !tags.is_empty() {
                update_tags(&aws, &id, &Value::null(), planned).await?;
            }
            for (vid, region) in vpcs.iter().skip(1) {
                let out = aws
                    .route53()
                    .associate_vpc_with_hosted_zone()
                    .hosted_zone_id(&id)
                    .vpc(vpc(vid, region.as_deref(), &aws))
                    .send()
                    .await
                    .map_err(aws_err)?;
                if let Some(ci) = out.change_info() {
                    wait_insync(&aws, ci.id(), Duration::from_secs(1800)).await?;
                }
            }
            read_zone(ctx, &aws, planned, &id).await?.ok_or_else(|| {
                ProviderError::new(format!(
                    "Route53 Hosted Zone ({id}) not found after creation"
                ))
            })
        };
        finish.await.map_err(|e| partial_err(e, planned, &id))
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(state, "id").unwrap_or_default();
        read_zone(ctx, &aws, state, &id).await
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        let comment = get_str(planned, "comment").unwrap_or_default();
        if get_str(prior, "comment").unwrap_or_default() != comment {
            aws.route53()
                .update_hosted_zone_comment()
                .id(&id)
                .comment(comment)
                .send()
                .await
                .map_err(aws_err)?;
        }
        let old = vpcs_of(prior);
        let new = vpcs_of(planned);
        let old_ids: Vec<&String> = old.iter().map(|(i, _)| i).collect();
        let new_ids: Vec<&String> = new.iter().map(|(i, _)| i).collect();
        // Associate first: a private zone must keep at least one VPC.
        for (vid, region) in new.iter().filter(|(i, _)| !old_ids.contains(&i)) {
            let out = aws
                .route53()
                .associate_vpc_with_hosted_zone()
                .hosted_zone_id(&id)
                .vpc(vpc(vid, region.as_deref(), &aws))
                .send()
                .await
                .map_err(aws_err)?;
            if let Some(ci) = out.change_info() {
                wait_insync(&aws, ci.id(), Duration::from_secs(1800)).await?;
            }
        }
        for (vid, region) in old.iter().filter(|(i, _)| !new_ids.contains(&i)) {
            let out = aws
                .route53()
                .disassociate_vpc_from_hosted_zone()
                .hosted_zone_id(&id)
                .vpc(vpc(vid, region.as_deref(), &aws))
                .send()
                .await
                .map_err(aws_err)?;
            if let Some(ci) = out.change_info() {
                wait_insync(&aws, ci.id(), Duration::from_secs(1800)).await?;
            }
        }
        update_tags(&aws, &id, prior, planned).await?;
        read_zone(ctx, &aws, planned, &id).await?.ok_or_else(|| {
            ProviderError::new(format!("Route53 Hosted Zone ({id}) not found after update"))
        })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        if get_bool(prior, "force_destroy").unwrap_or(false) {
            let name = get_str(prior, "name").unwrap_or_default();
            match delete_all_records(&aws, &id, &name).await {
                Err(e) if is_no_zone(&e) => return Ok(()),
                r => r?,
            }
        }
        match aws.route53().delete_hosted_zone().id(&id).send().await {
            Ok(out) => {
                if let Some(ci) = out.change_info() {
                    wait_insync(&aws, ci.id(), Duration::from_secs(1800)).await?;
                }
                Ok(())
            }
            Err(e) => {
                let e = aws_err(e);
                if is_no_zone(&e) {
                    Ok(())
                } else {
                    Err(e)
                }
            }
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let id = clean_zone_id(id);
        read_zone(ctx, &aws, &Value::null(), &id)
            .await?
            .ok_or_else(|| ProviderError::new(format!("Route53 Hosted Zone ({id}) not found")))
    }
}
