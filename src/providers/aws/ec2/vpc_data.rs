//! Data source `aws_vpc`, and the filter helpers the EC2 data sources share
//! (`filter` blocks, `tags` as `tag:KEY` filters, single-match errors).

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, VpcAttributeName, VpcCidrBlockStateCode};

use super::filter;
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, from_ec2_tags, get, get_str, get_strs, map_value, opt_str, str_map, Aws,
};
use crate::providers::{Attribute, BlockNesting, DataSource, ProviderCtx, ProviderError, Schema};

/// The `filter { name, values }` block of EC2 data sources.
pub(crate) fn filter_block(s: Schema) -> Schema {
    s.block(
        "filter",
        BlockNesting::Set,
        Schema::new()
            .attr("name", Attribute::required(Type::String))
            .attr("values", Attribute::required(Type::set(Type::String))),
    )
}

/// EC2 filters from a data source configuration: `attrs` maps configured
/// attributes to filter names (booleans as "true"/"false"), then `tags` as
/// `tag:KEY` filters and the `filter` blocks.
pub(crate) fn config_filters(config: &Value, attrs: &[(&str, &str)]) -> Vec<Filter> {
    let mut out = vec![];
    for (attr, name) in attrs {
        let v = get(config, attr);
        if let Some(s) = v.as_str() {
            out.push(filter(name, [s.to_string()]));
        } else if let Some(b) = v.as_bool() {
            out.push(filter(name, [b.to_string()]));
        }
    }
    if let Some(tags) = str_map(&get(config, "tags")) {
        for (k, v) in tags {
            out.push(filter(&format!("tag:{k}"), [v]));
        }
    }
    if let Some(fs) = get(config, "filter").as_seq() {
        for f in fs {
            out.push(filter(
                &get_str(f, "name").unwrap_or_default(),
                get_strs(f, "values"),
            ));
        }
    }
    out
}

/// Exactly one of `items`, else the provider's errors ("no matching EC2
/// VPC found", "multiple EC2 VPCs matched; …").
pub(crate) fn single<T>(mut items: Vec<T>, what: &str, plural: &str) -> Result<T, ProviderError> {
    match items.len() {
        0 => Err(ProviderError::new(format!("no matching {what} found"))),
        1 => Ok(items.remove(0)),
        _ => Err(ProviderError::new(format!(
            "multiple {plural} matched; use additional constraints to reduce matches to a single {what}"
        ))),
    }
}

/// Tags as the data sources report them (all visible tags).
pub(crate) fn tags_value(aws: &Aws, tags: &[aws_sdk_ec2::types::Tag]) -> Value {
    map_value(&aws.visible_tags(from_ec2_tags(Some(tags))))
}

pub struct VpcData {
    schema: Schema,
}

impl VpcData {
    pub fn new() -> VpcData {
        let c = || Attribute::computed(Type::String);
        let cb = || Attribute::computed(Type::Bool);
        let assoc = Type::Object(
            [
                ("association_id".to_string(), Type::String),
                ("cidr_block".to_string(), Type::String),
                ("state".to_string(), Type::String),
            ]
            .into_iter()
            .collect(),
        );
        VpcData {
            schema: filter_block(
                Schema::new()
                    .attr("id", Attribute::optional_computed(Type::String))
                    .attr("cidr_block", Attribute::optional_computed(Type::String))
                    .attr("default", Attribute::optional_computed(Type::Bool))
                    .attr(
                        "dhcp_options_id",
                        Attribute::optional_computed(Type::String),
                    )
                    .attr("state", Attribute::optional_computed(Type::String))
                    .attr(
                        "tags",
                        Attribute::optional_computed(Type::map(Type::String)),
                    )
                    .attr("arn", c())
                    .attr("owner_id", c())
                    .attr("instance_tenancy", c())
                    .attr("ipv6_association_id", c())
                    .attr("ipv6_cidr_block", c())
                    .attr("main_route_table_id", c())
                    .attr("enable_dns_support", cb())
                    .attr("enable_dns_hostnames", cb())
                    .attr("enable_network_address_usage_metrics", cb())
                    .attr(
                        "cidr_block_associations",
                        Attribute::computed(Type::list(assoc)),
                    ),
            ),
        }
    }
}

impl Default for VpcData {
    fn default() -> Self {
        VpcData::new()
    }
}

async fn vpc_attribute(aws: &Aws, id: &str, name: VpcAttributeName) -> Option<bool> {
    let out = aws
        .ec2()
        .describe_vpc_attribute()
        .vpc_id(id)
        .attribute(name.clone())
        .send()
        .await
        .ok()?;
    let v = match name {
        VpcAttributeName::EnableDnsSupport => out.enable_dns_support(),
        VpcAttributeName::EnableDnsHostnames => out.enable_dns_hostnames(),
        _ => out.enable_network_address_usage_metrics(),
    };
    v.and_then(|a| a.value())
}

#[async_trait]
impl DataSource for VpcData {
    fn type_name(&self) -> &'static str {
        "aws_vpc"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    async fn read(&self, ctx: &ProviderCtx, config: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let filters = config_filters(
            config,
            &[
                ("cidr_block", "cidr"),
                ("dhcp_options_id", "dhcp-options-id"),
                ("default", "isDefault"),
                ("state", "state"),
            ],
        );
        let vpcs = aws
            .ec2()
            .describe_vpcs()
            .set_filters((!filters.is_empty()).then_some(filters))
            .set_vpc_ids(get_str(config, "id").map(|i| vec![i]))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await;
        let vpcs = match vpcs {
            Err(e) => {
                let e = aws_err(e);
                if e.code.as_deref() == Some("InvalidVpcID.NotFound") {
                    vec![]
                } else {
                    return Err(e);
                }
            }
            Ok(v) => v,
        };
        let v = single(vpcs, "EC2 VPC", "EC2 VPCs")?;
        let id = v.vpc_id().unwrap_or_default().to_string();
        let owner = v.owner_id().unwrap_or_default().to_string();
        let (dns_support, dns_hostnames, metrics) = tokio::join!(
            vpc_attribute(&aws, &id, VpcAttributeName::EnableDnsSupport),
            vpc_attribute(&aws, &id, VpcAttributeName::EnableDnsHostnames),
            vpc_attribute(
                &aws,
                &id,
                VpcAttributeName::EnableNetworkAddressUsageMetrics
            ),
        );
        let main_rt = aws
            .ec2()
            .describe_route_tables()
            .filters(filter("vpc-id", [id.clone()]))
            .filters(filter("association.main", ["true"]))
            .send()
            .await
            .map_err(aws_err)?
            .route_tables()
            .first()
            .and_then(|r| r.route_table_id())
            .map(|s| s.to_string());
        let ipv6 = v.ipv6_cidr_block_association_set().iter().find(|a| {
            a.ipv6_cidr_block_state()
                .and_then(|s| s.state())
                .map(|s| *s == VpcCidrBlockStateCode::Associated)
                .unwrap_or(false)
        });
        let assocs: Vec<Value> = v
            .cidr_block_association_set()
            .iter()
            .map(|a| {
                let mut m = BTreeMap::new();
                m.insert(
                    "association_id".to_string(),
                    Value::string(a.association_id().unwrap_or_default()),
                );
                m.insert(
                    "cidr_block".to_string(),
                    Value::string(a.cidr_block().unwrap_or_default()),
                );
                m.insert(
                    "state".to_string(),
                    Value::string(
                        a.cidr_block_state()
                            .and_then(|s| s.state())
                            .map(|s| s.as_str())
                            .unwrap_or_default(),
                    ),
                );
                Value::object(m)
            })
            .collect();
        let mut m: BTreeMap<String, Value> = config.as_entries().cloned().unwrap_or_default();
        let mut set = |k: &str, x: Value| {
            m.insert(k.to_string(), x);
        };
        set("id", Value::string(&id));
        set(
            "arn",
            Value::string(aws.arn("ec2", &owner, &format!("vpc/{id}"))),
        );
        set("cidr_block", opt_str(v.cidr_block()));
        set("default", Value::bool(v.is_default().unwrap_or(false)));
        set("dhcp_options_id", opt_str(v.dhcp_options_id()));
        set(
            "state",
            Value::string(v.state().map(|s| s.as_str()).unwrap_or_default()),
        );
        set("tags", tags_value(&aws, v.tags()));
        set("owner_id", Value::string(&owner));
        set(
            "instance_tenancy",
            Value::string(
                v.instance_tenancy()
                    .map(|t| t.as_str())
                    .unwrap_or("default"),
            ),
        );
        set(
            "ipv6_association_id",
            Value::string(ipv6.and_then(|a| a.association_id()).unwrap_or_default()),
        );
        set(
            "ipv6_cidr_block",
            Value::string(ipv6.and_then(|a| a.ipv6_cidr_block()).unwrap_or_default()),
        );
        set("main_route_table_id", opt_str(main_rt.as_deref()));
        set(
            "enable_dns_support",
            Value::bool(dns_support.unwrap_or(true)),
        );
        set(
            "enable_dns_hostnames",
            Value::bool(dns_hostnames.unwrap_or(false)),
        );
        set(
            "enable_network_address_usage_metrics",
            Value::bool(metrics.unwrap_or(false)),
        );
        set(
            "cidr_block_associations",
            Value::list(
                self.schema
                    .attributes
                    .get("cidr_block_associations")
                    .and_then(|a| match &a.ty {
                        Type::List(t) => Some((**t).clone()),
                        _ => None,
                    })
                    .unwrap_or(Type::Dynamic),
                assocs,
            ),
        );
        Ok(Value::object(m))
    }
}
