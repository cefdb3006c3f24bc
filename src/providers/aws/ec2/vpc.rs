//! `aws_vpc`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, ResourceType, Tenancy, VpcAttributeName, VpcCidrBlockStateCode, VpcState,
};

use super::filter;
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, ec2_tag_spec, from_ec2_tags, get, get_bool, get_i64, get_str, is_not_found,
    opt_str, partial_err, plan_tags_all, planned_tags_all, read_tags, retry_on, tag_attrs,
    update_ec2_tags, wait_until, Aws,
};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct Vpc {
    schema: Schema,
}

impl Vpc {
    pub fn new() -> Vpc {
        let s = || Attribute::optional(Type::String);
        let c = || Attribute::computed(Type::String);
        Vpc {
            schema: tag_attrs(
                Schema::new()
                    .version(1)
                    .attr("id", c())
                    .attr("arn", c())
                    .attr(
                        "cidr_block",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr("instance_tenancy", s().default(Value::string("default")))
                    .attr(
                        "enable_dns_support",
                        Attribute::optional(Type::Bool).default(Value::bool(true)),
                    )
                    .attr(
                        "enable_dns_hostnames",
                        Attribute::optional_computed(Type::Bool),
                    )
                    .attr(
                        "enable_network_address_usage_metrics",
                        Attribute::optional_computed(Type::Bool),
                    )
                    .attr(
                        "assign_generated_ipv6_cidr_block",
                        Attribute::optional(Type::Bool).default(Value::bool(false)),
                    )
                    .attr("ipv4_ipam_pool_id", s().force_new())
                    .attr(
                        "ipv4_netmask_length",
                        Attribute::optional(Type::Number).force_new(),
                    )
                    .attr(
                        "ipv6_cidr_block",
                        Attribute::optional_computed(Type::String),
                    )
                    .attr(
                        "ipv6_cidr_block_network_border_group",
                        Attribute::optional_computed(Type::String),
                    )
                    .attr("ipv6_ipam_pool_id", s())
                    .attr("ipv6_netmask_length", Attribute::optional(Type::Number))
                    .attr("ipv6_association_id", c())
                    .attr("default_network_acl_id", c())
                    .attr("default_route_table_id", c())
                    .attr("default_security_group_id", c())
                    .attr("dhcp_options_id", c())
                    .attr("main_route_table_id", c())
                    .attr("owner_id", c()),
            ),
        }
    }
}

impl Default for Vpc {
    fn default() -> Self {
        Vpc::new()
    }
}

/// Filter values per request (the EC2 limit is 200).
const CHUNK: usize = 200;

async fn describe(
    aws: &Aws,
    ids: &[String],
) -> Result<Vec<aws_sdk_ec2::types::Vpc>, ProviderError> {
    describe_by_ids!(aws, ids, describe_vpcs, "vpc-id")
}

#[derive(Default)]
struct Related {
    main_route_table: HashMap<String, String>,
    default_sg: HashMap<String, String>,
    default_nacl: HashMap<String, String>,
}

/// The main route table, default security group and default network ACL of
/// each VPC: one Describe call of each kind for all of them.
async fn related(aws: &Aws, ids: &[String]) -> Result<Related, ProviderError> {
    let mut r = Related::default();
    for chunk in ids.chunks(CHUNK) {
        let ec2 = aws.ec2();
        let (rts, sgs, nacls) = tokio::join!(
            ec2.describe_route_tables()
                .filters(filter("vpc-id", chunk.iter().cloned()))
                .filters(filter("association.main", ["true"]))
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
            ec2.describe_security_groups()
                .filters(filter("vpc-id", chunk.iter().cloned()))
                .filters(filter("group-name", ["default"]))
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
            ec2.describe_network_acls()
                .filters(filter("vpc-id", chunk.iter().cloned()))
                .filters(filter("default", ["true"]))
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        );
        for rt in rts.map_err(aws_err)? {
            if let (Some(v), Some(id)) = (rt.vpc_id(), rt.route_table_id()) {
                r.main_route_table.insert(v.to_string(), id.to_string());
            }
        }
        for sg in sgs.map_err(aws_err)? {
            if let (Some(v), Some(id)) = (sg.vpc_id(), sg.group_id()) {
                r.default_sg.insert(v.to_string(), id.to_string());
            }
        }
        for n in nacls.map_err(aws_err)? {
            if let (Some(v), Some(id)) = (n.vpc_id(), n.network_acl_id()) {
                r.default_nacl.insert(v.to_string(), id.to_string());
            }
        }
    }
    Ok(r)
}

async fn attribute(
    aws: &Aws,
    id: &str,
    name: VpcAttributeName,
) -> Result<Option<bool>, ProviderError> {
    let out = aws
        .ec2()
        .describe_vpc_attribute()
        .vpc_id(id)
        .attribute(name.clone())
        .send()
        .await
        .map_err(aws_err)?;
    let v = match name {
        VpcAttributeName::EnableDnsSupport => out.enable_dns_support(),
        VpcAttributeName::EnableDnsHostnames => out.enable_dns_hostnames(),
        VpcAttributeName::EnableNetworkAddressUsageMetrics => {
            out.enable_network_address_usage_metrics()
        }
        _ => None,
    };
    Ok(v.and_then(|a| a.value()))
}

/// Read many VPCs: `priors` need only their `id` (and `tags`, to tell own
/// tags from default tags).
async fn read_many(
    ctx: &ProviderCtx,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    let aws = aws(ctx).await?;
    let ids: Vec<String> = priors.iter().filter_map(|p| get_str(p, "id")).collect();
    if ids.is_empty() {
        return Ok(vec![None; priors.len()]);
    }
    let vpcs: HashMap<String, aws_sdk_ec2::types::Vpc> = describe(&aws, &ids)
        .await?
        .into_iter()
        .filter(|v| v.state() != Some(&VpcState::from("deleted")))
        .filter_map(|v| v.vpc_id().map(|id| (id.to_string(), v.clone())))
        .collect();
    let found: Vec<String> = ids
        .iter()
        .filter(|i| vpcs.contains_key(*i))
        .cloned()
        .collect();
    let rel = if found.is_empty() {
        Related::default()
    } else {
        related(&aws, &found).await?
    };
    let mut out = vec![];
    for p in priors {
        let Some(v) = get_str(p, "id").and_then(|id| vpcs.get(&id)) else {
            out.push(None);
            continue;
        };
        out.push(Some(to_state(ctx, &aws, p, v, &rel).await?));
    }
    Ok(out)
}

async fn to_state(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
    v: &aws_sdk_ec2::types::Vpc,
    rel: &Related,
) -> Result<Value, ProviderError> {
    let id = v.vpc_id().unwrap_or_default().to_string();
    let owner = v.owner_id().unwrap_or_default().to_string();
    let (dns_support, dns_hostnames, metrics) = tokio::join!(
        attribute(aws, &id, VpcAttributeName::EnableDnsSupport),
        attribute(aws, &id, VpcAttributeName::EnableDnsHostnames),
        attribute(aws, &id, VpcAttributeName::EnableNetworkAddressUsageMetrics),
    );
    let metrics = metrics
        .ok()
        .flatten()
        .or(get_bool(prior, "enable_network_address_usage_metrics"))
        .unwrap_or(false);
    let ipv6 = v.ipv6_cidr_block_association_set().iter().find(|a| {
        a.ipv6_cidr_block_state()
            .and_then(|s| s.state())
            .map(|s| *s == VpcCidrBlockStateCode::Associated)
            .unwrap_or(false)
    });
    let (tags, tags_all) = read_tags(ctx, aws, prior, from_ec2_tags(Some(v.tags())));
    let main_rt = rel.main_route_table.get(&id).map(|s| s.as_str());
    let mut m = BTreeMap::new();
    let mut set = |k: &str, x: Value| {
        m.insert(k.to_string(), x);
    };
    set("id", Value::string(&id));
    set(
        "arn",
        Value::string(aws.arn("ec2", &owner, &format!("vpc/{id}"))),
    );
    set("cidr_block", opt_str(v.cidr_block()));
    set(
        "instance_tenancy",
        Value::string(
            v.instance_tenancy()
                .map(|t| t.as_str())
                .unwrap_or("default"),
        ),
    );
    set(
        "enable_dns_support",
        Value::bool(dns_support?.unwrap_or(true)),
    );
    set(
        "enable_dns_hostnames",
        Value::bool(dns_hostnames?.unwrap_or(false)),
    );
    set("enable_network_address_usage_metrics", Value::bool(metrics));
    set(
        "assign_generated_ipv6_cidr_block",
        Value::bool(
            get_bool(prior, "assign_generated_ipv6_cidr_block").unwrap_or(false) || {
                get_bool(prior, "assign_generated_ipv6_cidr_block").is_none() && ipv6.is_some()
            },
        ),
    );
    set("ipv4_ipam_pool_id", get(prior, "ipv4_ipam_pool_id"));
    set("ipv4_netmask_length", get(prior, "ipv4_netmask_length"));
    set("ipv6_ipam_pool_id", get(prior, "ipv6_ipam_pool_id"));
    set("ipv6_netmask_length", get(prior, "ipv6_netmask_length"));
    set(
        "ipv6_cidr_block",
        Value::string(ipv6.and_then(|a| a.ipv6_cidr_block()).unwrap_or_default()),
    );
    set(
        "ipv6_association_id",
        Value::string(ipv6.and_then(|a| a.association_id()).unwrap_or_default()),
    );
    set(
        "ipv6_cidr_block_network_border_group",
        Value::string(
            ipv6.and_then(|a| a.network_border_group())
                .unwrap_or_default(),
        ),
    );
    set(
        "default_network_acl_id",
        opt_str(rel.default_nacl.get(&id).map(|s| s.as_str())),
    );
    set("default_route_table_id", opt_str(main_rt));
    set("main_route_table_id", opt_str(main_rt));
    set(
        "default_security_group_id",
        opt_str(rel.default_sg.get(&id).map(|s| s.as_str())),
    );
    set("dhcp_options_id", opt_str(v.dhcp_options_id()));
    set("owner_id", Value::string(owner));
    set("tags", tags);
    set("tags_all", tags_all);
    Ok(Value::object(m))
}

async fn modify_bool(
    aws: &Aws,
    id: &str,
    name: VpcAttributeName,
    value: bool,
) -> Result<(), ProviderError> {
    let b = AttributeBooleanValue::builder().value(value).build();
    let req = aws.ec2().modify_vpc_attribute().vpc_id(id);
    let req = match name {
        VpcAttributeName::EnableDnsSupport => req.enable_dns_support(b),
        VpcAttributeName::EnableDnsHostnames => req.enable_dns_hostnames(b),
        _ => req.enable_network_address_usage_metrics(b),
    };
    req.send().await.map_err(aws_err)?;
    Ok(())
}

async fn read_one(ctx: &ProviderCtx, prior: &Value) -> Result<Option<Value>, ProviderError> {
    Ok(read_many(ctx, std::slice::from_ref(prior))
        .await?
        .into_iter()
        .next()
        .flatten())
}

#[async_trait]
impl Resource for Vpc {
    fn type_name(&self) -> &'static str {
        "aws_vpc"
    }
    fn display_name(&self) -> &'static str {
        "EC2 VPC"
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
        let mut req = aws
            .ec2()
            .create_vpc()
            .set_cidr_block(get_str(planned, "cidr_block"))
            .set_ipv4_ipam_pool_id(get_str(planned, "ipv4_ipam_pool_id"))
            .set_ipv4_netmask_length(get_i64(planned, "ipv4_netmask_length").map(|n| n as i32))
            .set_tag_specifications(
                ec2_tag_spec(ResourceType::Vpc, &planned_tags_all(planned)).map(|t| vec![t]),
            );
        if let Some(t) = get_str(planned, "instance_tenancy") {
            req = req.instance_tenancy(Tenancy::from(t.as_str()));
        }
        if get_bool(planned, "assign_generated_ipv6_cidr_block") == Some(true) {
            req = req.amazon_provided_ipv6_cidr_block(true);
        }
        let out = req.send().await.map_err(aws_err)?;
        let id = out
            .vpc()
            .and_then(|v| v.vpc_id())
            .ok_or_else(|| ProviderError::new("CreateVpc returned no VPC id"))?
            .to_string();
        let finish = async {
            wait_until(
                &format!("EC2 VPC ({id}) create"),
                Duration::from_secs(300),
                || async {
                    let v = describe(&aws, std::slice::from_ref(&id)).await?;
                    Ok(v.first().and_then(|v| v.state()) == Some(&VpcState::Available))
                },
            )
            .await?;
            if get_bool(planned, "enable_dns_support") == Some(false) {
                modify_bool(&aws, &id, VpcAttributeName::EnableDnsSupport, false).await?;
            }
            if get_bool(planned, "enable_dns_hostnames") == Some(true) {
                modify_bool(&aws, &id, VpcAttributeName::EnableDnsHostnames, true).await?;
            }
            if get_bool(planned, "enable_network_address_usage_metrics") == Some(true) {
                modify_bool(
                    &aws,
                    &id,
                    VpcAttributeName::EnableNetworkAddressUsageMetrics,
                    true,
                )
                .await?;
            }
            let prior = crate::providers::aws::with(planned, "id", Value::string(&id));
            read_one(ctx, &prior).await?.ok_or_else(|| {
                ProviderError::new(format!("EC2 VPC ({id}) not found after creation"))
            })
        };
        finish.await.map_err(|e| partial_err(e, planned, &id))
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        read_one(ctx, state).await
    }

    async fn read_batch(
        &self,
        ctx: &ProviderCtx,
        states: &[Value],
    ) -> Vec<Result<Option<Value>, ProviderError>> {
        crate::providers::aws::per_state(states, read_many(ctx, states).await)
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        for (attr, name) in [
            ("enable_dns_hostnames", VpcAttributeName::EnableDnsHostnames),
            ("enable_dns_support", VpcAttributeName::EnableDnsSupport),
            (
                "enable_network_address_usage_metrics",
                VpcAttributeName::EnableNetworkAddressUsageMetrics,
            ),
        ] {
            if let Some(b) = get_bool(planned, attr) {
                if get_bool(prior, attr) != Some(b) {
                    modify_bool(&aws, &id, name, b).await?;
                }
            }
        }
        let tenancy = get_str(planned, "instance_tenancy");
        if tenancy.is_some() && tenancy != get_str(prior, "instance_tenancy") {
            aws.ec2()
                .modify_vpc_tenancy()
                .vpc_id(&id)
                .instance_tenancy(aws_sdk_ec2::types::VpcTenancy::from(
                    tenancy.as_deref().unwrap_or("default"),
                ))
                .send()
                .await
                .map_err(aws_err)?;
        }
        update_ec2_tags(&aws, &id, prior, planned).await?;
        let base = crate::providers::aws::with(planned, "id", Value::string(&id));
        read_one(ctx, &base)
            .await?
            .ok_or_else(|| ProviderError::new(format!("EC2 VPC ({id}) not found after update")))
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        let r = retry_on(
            &["DependencyViolation"],
            Duration::from_secs(300),
            || async {
                aws.ec2()
                    .delete_vpc()
                    .vpc_id(&id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(aws_err)
            },
        )
        .await;
        match r {
            Err(e) if is_not_found(&e) => Ok(()),
            r => r,
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        read_one(ctx, &Value::object(m))
            .await?
            .ok_or_else(|| ProviderError::new(format!("EC2 VPC ({id}) not found")))
    }
}
