//! Data source `aws_subnet`: one subnet, by id, attributes or filters.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_ec2::types::SubnetCidrBlockStateCode;

use super::vpc_data::{config_filters, filter_block, single, tags_value};
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{aws, aws_err, get_str, opt_str};
use crate::providers::{Attribute, DataSource, ProviderCtx, ProviderError, Schema};

pub struct SubnetData {
    schema: Schema,
}

impl SubnetData {
    pub fn new() -> SubnetData {
        let oc = || Attribute::optional_computed(Type::String);
        let c = || Attribute::computed(Type::String);
        let cb = || Attribute::computed(Type::Bool);
        SubnetData {
            schema: filter_block(
                Schema::new()
                    .attr("id", oc())
                    .attr("availability_zone", oc())
                    .attr("availability_zone_id", oc())
                    .attr("cidr_block", oc())
                    .attr("ipv6_cidr_block", oc())
                    .attr("state", oc())
                    .attr("vpc_id", oc())
                    .attr("default_for_az", Attribute::optional_computed(Type::Bool))
                    .attr(
                        "tags",
                        Attribute::optional_computed(Type::map(Type::String)),
                    )
                    .attr("arn", c())
                    .attr("owner_id", c())
                    .attr(
                        "available_ip_address_count",
                        Attribute::computed(Type::Number),
                    )
                    .attr("assign_ipv6_address_on_creation", cb())
                    .attr("customer_owned_ipv4_pool", c())
                    .attr("enable_dns64", cb())
                    .attr(
                        "enable_lni_at_device_index",
                        Attribute::computed(Type::Number),
                    )
                    .attr("enable_resource_name_dns_a_record_on_launch", cb())
                    .attr("enable_resource_name_dns_aaaa_record_on_launch", cb())
                    .attr("ipv6_cidr_block_association_id", c())
                    .attr("ipv6_native", cb())
                    .attr("map_customer_owned_ip_on_launch", cb())
                    .attr("map_public_ip_on_launch", cb())
                    .attr("outpost_arn", c())
                    .attr("private_dns_hostname_type_on_launch", c()),
            ),
        }
    }
}

impl Default for SubnetData {
    fn default() -> Self {
        SubnetData::new()
    }
}

#[async_trait]
impl DataSource for SubnetData {
    fn type_name(&self) -> &'static str {
        "aws_subnet"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    async fn read(&self, ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let filters = config_filters(
            config,
            &[
                ("availability_zone", "availability-zone"),
                ("availability_zone_id", "availability-zone-id"),
                ("cidr_block", "cidr-block"),
                ("default_for_az", "default-for-az"),
                (
                    "ipv6_cidr_block",
                    "ipv6-cidr-block-association.ipv6-cidr-block",
                ),
                ("state", "state"),
                ("vpc_id", "vpc-id"),
            ],
        );
        let out = aws
            .ec2()
            .describe_subnets()
            .set_filters((!filters.is_empty()).then_some(filters))
            .set_subnet_ids(get_str(config, "id").map(|i| vec![i]))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await;
        let subnets = match out {
            Err(e) => {
                let e = aws_err(e);
                if e.code.as_deref() == Some("InvalidSubnetID.NotFound") {
                    vec![]
                } else {
                    return Err(e);
                }
            }
            Ok(v) => v,
        };
        let s = single(subnets, "EC2 Subnet", "EC2 Subnets")?;
        let ipv6 = s.ipv6_cidr_block_association_set().iter().find(|a| {
            a.ipv6_cidr_block_state()
                .and_then(|s| s.state())
                .map(|s| *s == SubnetCidrBlockStateCode::Associated)
                .unwrap_or(false)
        });
        let dns = s.private_dns_name_options_on_launch();
        let b = |x: Option<bool>| Value::bool(x.unwrap_or(false));
        let mut m: BTreeMap<String, Value> = config.as_entries().cloned().unwrap_or_default();
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
        set(
            "state",
            Value::string(s.state().map(|x| x.as_str()).unwrap_or_default()),
        );
        set("default_for_az", b(s.default_for_az()));
        set("tags", tags_value(&aws, s.tags()));
        set(
            "available_ip_address_count",
            Value::int(s.available_ip_address_count().unwrap_or(0) as i64),
        );
        set(
            "assign_ipv6_address_on_creation",
            b(s.assign_ipv6_address_on_creation()),
        );
        set(
            "customer_owned_ipv4_pool",
            Value::string(s.customer_owned_ipv4_pool().unwrap_or_default()),
        );
        set("enable_dns64", b(s.enable_dns64()));
        set(
            "enable_lni_at_device_index",
            Value::int(s.enable_lni_at_device_index().unwrap_or(0) as i64),
        );
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
            Value::string(ipv6.and_then(|a| a.ipv6_cidr_block()).unwrap_or_default()),
        );
        set(
            "ipv6_cidr_block_association_id",
            Value::string(ipv6.and_then(|a| a.association_id()).unwrap_or_default()),
        );
        set("ipv6_native", b(s.ipv6_native()));
        set(
            "map_customer_owned_ip_on_launch",
            b(s.map_customer_owned_ip_on_launch()),
        );
        set("map_public_ip_on_launch", b(s.map_public_ip_on_launch()));
        set(
            "outpost_arn",
            Value::string(s.outpost_arn().unwrap_or_default()),
        );
        Ok(Value::object(m))
    }
}
