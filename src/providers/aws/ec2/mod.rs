//! EC2 resources and data sources.

/// Describe objects by id through an EC2 `Describe*` operation's paginator,
/// 200 ids per call (the filter-value limit): one body for every resource's
/// batched read. Evaluates to `Result<Vec<Item>, ProviderError>`.
macro_rules! describe_by_ids {
    ($aws:expr, $ids:expr, $op:ident, $filter:literal) => {{
        let mut out = vec![];
        let mut res: Result<(), crate::providers::ProviderError> = Ok(());
        for chunk in $ids.chunks(200) {
            match $aws
                .ec2()
                .$op()
                .filters(super::filter($filter, chunk.iter().cloned()))
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await
            {
                Ok(page) => out.extend(page),
                Err(e) => {
                    res = Err(crate::providers::aws::aws_err(e));
                    break;
                }
            }
        }
        res.map(|_| out)
    }};
}

pub mod ami;
pub mod availability_zones;
pub mod eip;
pub mod instance;
pub mod internet_gateway;
pub mod key_pair;
pub mod nat_gateway;
pub mod region;
pub mod route;
pub mod route_table;
pub mod route_table_association;
pub mod security_group;
pub mod security_group_data;
pub mod security_group_rule;
pub mod subnet;
pub mod subnet_data;
pub mod subnets_data;
pub mod vpc;
pub mod vpc_data;
pub mod vpc_endpoint;
pub mod vpc_security_group_rule;

use std::sync::Arc;

use aws_sdk_ec2::types::Filter;

use crate::providers::Registry;

pub fn register(r: &mut Registry) {
    r.resources.insert("aws_vpc", Arc::new(vpc::Vpc::new()));
    r.resources
        .insert("aws_subnet", Arc::new(subnet::Subnet::new()));
    r.resources.insert(
        "aws_internet_gateway",
        Arc::new(internet_gateway::InternetGateway::new()),
    );
    r.resources.insert(
        "aws_security_group",
        Arc::new(security_group::SecurityGroup::new()),
    );
    r.data_sources.insert(
        "aws_availability_zones",
        Arc::new(availability_zones::AvailabilityZones::new()),
    );
    register_a2(r);
    // Routing (helper A1).
    r.resources
        .insert("aws_route_table", Arc::new(route_table::RouteTable::new()));
    r.resources
        .insert("aws_route", Arc::new(route::RouteResource::new()));
    r.resources.insert(
        "aws_route_table_association",
        Arc::new(route_table_association::Association::new()),
    );
    r.resources.insert("aws_eip", Arc::new(eip::Eip::new()));
    r.resources
        .insert("aws_nat_gateway", Arc::new(nat_gateway::NatGateway::new()));
    r.resources.insert(
        "aws_vpc_endpoint",
        Arc::new(vpc_endpoint::VpcEndpoint::new()),
    );
    // Key pair, instance, AMI lookup (helper A3).
    r.resources
        .insert("aws_key_pair", Arc::new(key_pair::KeyPair::new()));
    r.resources
        .insert("aws_instance", Arc::new(instance::Instance::new()));
    r.data_sources.insert("aws_ami", Arc::new(ami::Ami::new()));
}

/// Security group rules and the EC2 data sources (helper A2).
fn register_a2(r: &mut Registry) {
    r.resources.insert(
        "aws_security_group_rule",
        Arc::new(security_group_rule::SecurityGroupRuleResource::new()),
    );
    r.resources.insert(
        "aws_vpc_security_group_ingress_rule",
        Arc::new(vpc_security_group_rule::VpcSecurityGroupRule::new(false)),
    );
    r.resources.insert(
        "aws_vpc_security_group_egress_rule",
        Arc::new(vpc_security_group_rule::VpcSecurityGroupRule::new(true)),
    );
    r.data_sources
        .insert("aws_region", Arc::new(region::RegionData::new()));
    r.data_sources
        .insert("aws_vpc", Arc::new(vpc_data::VpcData::new()));
    r.data_sources
        .insert("aws_subnets", Arc::new(subnets_data::SubnetsData::new()));
    r.data_sources
        .insert("aws_subnet", Arc::new(subnet_data::SubnetData::new()));
    r.data_sources.insert(
        "aws_security_group",
        Arc::new(security_group_data::SecurityGroupData::new()),
    );
}

pub fn filter(name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.into_iter().map(Into::into).collect()))
        .build()
}

/// The ids of `states` (by their `id` attribute), with their positions.
pub fn ids_of(states: &[crate::lang::value::Value]) -> Vec<String> {
    states
        .iter()
        .filter_map(|s| super::get_str(s, "id"))
        .collect()
}
