//! `aws_subnet`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, ResourceType, SubnetCidrBlockStateCode, SubnetState,
};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, ec2_tag_spec, from_ec2_tags, get, get_bool, get_str, is_not_found, opt_str,
    partial_err, plan_tags_all, planned_tags_all, read_tags, retry_on, tag_attrs, update_ec2_tags,
    wait_until, with, Aws,
};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct Subnet {
    schema: Schema,
}

impl Subnet {
    pub fn new() -> Subnet {
        let c = || Attribute::computed(Type::String);
        let flag = || Attribute::optional(Type::Bool).default(Value::bool(false));
        Subnet {
            schema: tag_attrs(
                Schema::new()
                    .version(1)
                    .attr("id", c())
                    .attr("arn", c())
                    .attr("owner_id", c())
                    .attr("vpc_id", Attribute::required(Type::String).force_new())
                    .attr("cidr_block", Attribute::optional(Type::String).force_new())
                    .attr(
                        "availability_zone",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "availability_zone_id",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr("map_public_ip_on_launch", flag())
                    .attr("assign_ipv6_address_on_creation", flag())
                    .attr("enable_dns64", flag())
                    .attr("enable_resource_name_dns_a_record_on_launch", flag())
                    .attr("enable_resource_name_dns_aaaa_record_on_launch", flag())
                    .attr("ipv6_native", flag().force_new())
                    .attr("ipv6_cidr_block", Attribute::optional(Type::String))
                    .attr("ipv6_cidr_block_association_id", c())
                    .attr(
                        "private_dns_hostname_type_on_launch",
                        Attribute::optional_computed(Type::String),
                    )
                    .attr(
                        "map_customer_owned_ip_on_launch",
                        Attribute::optional(Type::Bool),
                    )
                    .attr(
                        "customer_owned_ipv4_pool",
                        Attribute::optional(Type::String),
                    )
                    .attr("outpost_arn", Attribute::optional(Type::String)),
            )
            .timeouts(&["create", "delete"]),
        }
    }
}

impl Default for Subnet {
    fn default() -> Self {
        Subnet::new()
    }
}

async fn describe(
    aws: &Aws,
    ids: &[String],
) -> Result<Vec<aws_sdk_ec2::types::Subnet>, ProviderError> {
    describe_by_ids!(aws, ids, describe_subnets, "subnet-id")
}

fn to_state(ctx: &ProviderCtx, aws: &Aws, prior: &Value, s: &aws_sdk_ec2::types::Subnet) -> Value {
    let ipv6 = s.ipv6_cidr_block_association_set().iter().find(|a| {
        a.ipv6_cidr_block_state()
            .and_then(|s| s.state())
            .map(|s| *s == SubnetCidrBlockStateCode::Associated)
            .unwrap_or(false)
    });
    let (tags, tags_all) = read_tags(ctx, aws, prior, from_ec2_tags(Some(s.tags())));
    let b = |x: Option<bool>| Value::bool(x.unwrap_or(false));
    let dns = s.private_dns_name_options_on_launch();
    let mut m = BTreeMap::new();
    let mut set = |k: &str, x: Value| {
        m.insert(k.to_string(), x);
    };
    set("id", opt_str(s.subnet_id()));
    set("arn", opt_str(s.subnet_arn()));
    set("owner_id", opt_str(s.owner_id()));
    set("vpc_id", opt_str(s.vpc_id()));
    set("cidr_block", opt_str(s.cidr_block()));
    set("availability_zone", opt_str(s.availability_zone()));
    set("availability_zone_id", opt_str(s.availability_zone_id()));
    set("map_public_ip_on_launch", b(s.map_public_ip_on_launch()));
    set(
        "assign_ipv6_address_on_creation",
        b(s.assign_ipv6_address_on_creation()),
    );
    set("enable_dns64", b(s.enable_dns64()));
    set("ipv6_native", b(s.ipv6_native()));
    set(
        "enable_resource_name_dns_a_record_on_launch",
        b(dns.and_then(|d| d.enable_resource_name_dns_a_record())),
    );
    set(
        "enable_resource_name_dns_aaaa_record_on_launch",
        b(dns.and_then(|d| d.enable_resource_name_dns_aaaa_record())),
    );
    set(
        "private_dns_hostname_type_on_launch",
        Value::string(
            dns.and_then(|d| d.hostname_type())
                .map(|h| h.as_str())
                .unwrap_or("ip-name"),
        ),
    );
    set(
        "ipv6_cidr_block",
        opt_str(
            ipv6.and_then(|a| a.ipv6_cidr_block())
                .filter(|s| !s.is_empty()),
        ),
    );
    set(
        "ipv6_cidr_block_association_id",
        Value::string(ipv6.and_then(|a| a.association_id()).unwrap_or_default()),
    );
    set(
        "map_customer_owned_ip_on_launch",
        match s.map_customer_owned_ip_on_launch() {
            Some(x) if x || !get(prior, "map_customer_owned_ip_on_launch").is_null() => {
                Value::bool(x)
            }
            _ => Value::null_of(Type::Bool),
        },
    );
    set(
        "customer_owned_ipv4_pool",
        match s.customer_owned_ipv4_pool() {
            Some(p) if !p.is_empty() => Value::string(p),
            _ => get(prior, "customer_owned_ipv4_pool"),
        },
    );
    set(
        "outpost_arn",
        match s.outpost_arn() {
            Some(p) if !p.is_empty() => Value::string(p),
            _ => get(prior, "outpost_arn"),
        },
    );
    set("tags", tags);
    set("tags_all", tags_all);
    Value::object(m)
}

async fn read_many(
    ctx: &ProviderCtx,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    let aws = aws(ctx).await?;
    let ids: Vec<String> = priors.iter().filter_map(|p| get_str(p, "id")).collect();
    if ids.is_empty() {
        return Ok(vec![None; priors.len()]);
    }
    let found: HashMap<String, aws_sdk_ec2::types::Subnet> = describe(&aws, &ids)
        .await?
        .into_iter()
        .filter_map(|s| s.subnet_id().map(|id| (id.to_string(), s.clone())))
        .collect();
    Ok(priors
        .iter()
        .map(|p| {
            get_str(p, "id")
                .and_then(|id| found.get(&id))
                .map(|s| to_state(ctx, &aws, p, s))
        })
        .collect())
}

async fn read_one(ctx: &ProviderCtx, prior: &Value) -> Result<Option<Value>, ProviderError> {
    Ok(read_many(ctx, std::slice::from_ref(prior))
        .await?
        .into_iter()
        .next()
        .flatten())
}

/// ModifySubnetAttribute for the boolean settings that differ from `prior`.
async fn modify(
    aws: &Aws,
    id: &str,
    prior: Option<&Value>,
    planned: &Value,
) -> Result<(), ProviderError> {
    let changed = |name: &str| -> Option<bool> {
        let want = get_bool(planned, name)?;
        let had = prior.and_then(|p| get_bool(p, name)).unwrap_or(false);
        (want != had).then_some(want)
    };
    let attr = |b: bool| AttributeBooleanValue::builder().value(b).build();
    let ec2 = aws.ec2();
    let req = || ec2.modify_subnet_attribute().subnet_id(id);
    if let Some(b) = changed("map_public_ip_on_launch") {
        req()
            .map_public_ip_on_launch(attr(b))
            .send()
            .await
            .map_err(aws_err)?;
    }
    if let Some(b) = changed("assign_ipv6_address_on_creation") {
        req()
            .assign_ipv6_address_on_creation(attr(b))
            .send()
            .await
            .map_err(aws_err)?;
    }
    if let Some(b) = changed("enable_dns64") {
        req().enable_dns64(attr(b)).send().await.map_err(aws_err)?;
    }
    if let Some(b) = changed("enable_resource_name_dns_a_record_on_launch") {
        req()
            .enable_resource_name_dns_a_record_on_launch(attr(b))
            .send()
            .await
            .map_err(aws_err)?;
    }
    if let Some(b) = changed("enable_resource_name_dns_aaaa_record_on_launch") {
        req()
            .enable_resource_name_dns_aaaa_record_on_launch(attr(b))
            .send()
            .await
            .map_err(aws_err)?;
    }
    if let Some(h) = get_str(planned, "private_dns_hostname_type_on_launch") {
        let had = prior.and_then(|p| get_str(p, "private_dns_hostname_type_on_launch"));
        if prior.is_some() && had.as_deref() != Some(h.as_str()) {
            req()
                .private_dns_hostname_type_on_launch(aws_sdk_ec2::types::HostnameType::from(
                    h.as_str(),
                ))
                .send()
                .await
                .map_err(aws_err)?;
        }
    }
    Ok(())
}

#[async_trait]
impl Resource for Subnet {
    fn type_name(&self) -> &'static str {
        "aws_subnet"
    }
    fn display_name(&self) -> &'static str {
        "EC2 Subnet"
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
        let out = aws
            .ec2()
            .create_subnet()
            .set_vpc_id(get_str(planned, "vpc_id"))
            .set_cidr_block(get_str(planned, "cidr_block"))
            .set_availability_zone(get_str(planned, "availability_zone"))
            .set_availability_zone_id(get_str(planned, "availability_zone_id"))
            .set_ipv6_cidr_block(get_str(planned, "ipv6_cidr_block").filter(|s| !s.is_empty()))
            .set_ipv6_native(get_bool(planned, "ipv6_native").filter(|b| *b))
            .set_outpost_arn(get_str(planned, "outpost_arn"))
            .set_tag_specifications(
                ec2_tag_spec(ResourceType::Subnet, &planned_tags_all(planned)).map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(aws_err)?;
        let id = out
            .subnet()
            .and_then(|s| s.subnet_id())
            .ok_or_else(|| ProviderError::new("CreateSubnet returned no subnet id"))?
            .to_string();
        let finish = async {
            wait_until(
                &format!("EC2 Subnet ({id}) create"),
                Duration::from_secs(600),
                || async {
                    let s = describe(&aws, std::slice::from_ref(&id)).await?;
                    Ok(s.first().and_then(|s| s.state()) == Some(&SubnetState::Available))
                },
            )
            .await?;
            modify(&aws, &id, None, planned).await?;
            read_one(ctx, &with(planned, "id", Value::string(&id)))
                .await?
                .ok_or_else(|| {
                    ProviderError::new(format!("EC2 Subnet ({id}) not found after creation"))
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
        modify(&aws, &id, Some(prior), planned).await?;
        update_ec2_tags(&aws, &id, prior, planned).await?;
        read_one(ctx, &with(planned, "id", Value::string(&id)))
            .await?
            .ok_or_else(|| ProviderError::new(format!("EC2 Subnet ({id}) not found after update")))
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        let r = retry_on(
            &["DependencyViolation"],
            Duration::from_secs(600),
            || async {
                aws.ec2()
                    .delete_subnet()
                    .subnet_id(&id)
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
            .ok_or_else(|| ProviderError::new(format!("EC2 Subnet ({id}) not found")))
    }
}
