//! `aws_nat_gateway`. Creation and deletion wait for the gateway's state
//! (`available`, `deleted`) within the configured `timeouts`; the state
//! machine is [`create_step`] / [`delete_step`].

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{ConnectivityType, NatGateway as Gw, ResourceType};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, ec2_tag_spec, from_ec2_tags, get, get_i64, get_str, get_strs, is_not_found,
    opt_str, partial_err, plan_tags_all, planned_tags_all, read_tags, str_set, tag_attrs,
    update_ec2_tags, wait_until, with, Aws,
};
use crate::providers::{timeout, Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct NatGateway {
    schema: Schema,
}

impl NatGateway {
    pub fn new() -> NatGateway {
        let c = || Attribute::computed(Type::String);
        NatGateway {
            schema: tag_attrs(
                Schema::new()
                    .attr("id", c())
                    .attr("association_id", c())
                    .attr("network_interface_id", c())
                    .attr("public_ip", c())
                    .attr(
                        "allocation_id",
                        Attribute::optional(Type::String).force_new(),
                    )
                    .attr("subnet_id", Attribute::required(Type::String).force_new())
                    .attr(
                        "connectivity_type",
                        Attribute::optional(Type::String)
                            .force_new()
                            .default(Value::string("public")),
                    )
                    .attr(
                        "private_ip",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "secondary_allocation_ids",
                        Attribute::optional(Type::set(Type::String)),
                    )
                    .attr(
                        "secondary_private_ip_address_count",
                        Attribute::optional_computed(Type::Number),
                    )
                    .attr(
                        "secondary_private_ip_addresses",
                        Attribute::optional_computed(Type::set(Type::String)),
                    ),
            )
            .timeouts(&["create", "update", "delete"]),
        }
    }
}

impl Default for NatGateway {
    fn default() -> Self {
        NatGateway::new()
    }
}

/// What a waiter does on seeing a gateway state.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Not there yet: poll again.
    Wait,
    Done,
    /// Stop with an error (the gateway failed, or is in a state the
    /// operation never leads to).
    Fail,
}

/// Waiting for a new gateway to become `available`.
pub fn create_step(state: Option<&str>) -> Step {
    match state {
        Some("available") => Step::Done,
        // Not visible yet (eventual consistency), or still being built.
        None | Some("pending") => Step::Wait,
        Some(_) => Step::Fail,
    }
}

/// Waiting for a deleted gateway to be gone (`None`: not found).
pub fn delete_step(state: Option<&str>) -> Step {
    match state {
        None | Some("deleted") => Step::Done,
        Some("deleting") => Step::Wait,
        Some(_) => Step::Fail,
    }
}

/// The error for a gateway found in an unexpected state while waiting.
fn state_error(id: &str, op: &str, want: &str, g: Option<&Gw>) -> ProviderError {
    let state = g
        .and_then(|g| g.state())
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let code = g.and_then(|g| g.failure_code()).map(|s| s.to_string());
    let msg = g.and_then(|g| g.failure_message()).unwrap_or_default();
    let mut message = format!(
        "waiting for EC2 NAT Gateway ({id}) {op}: unexpected state '{state}', wanted target '{want}'"
    );
    if code.is_some() || !msg.is_empty() {
        message.push_str(&format!(
            ". last error: {}: {msg}",
            code.as_deref().unwrap_or_default()
        ));
    }
    ProviderError {
        code,
        message,
        partial: None,
    }
}

async fn describe(aws: &Aws, ids: &[String]) -> Result<Vec<Gw>, ProviderError> {
    // DescribeNatGateways names its filter parameter `Filter`.
    let mut out = vec![];
    for chunk in ids.chunks(200) {
        let page: Vec<Gw> = aws
            .ec2()
            .describe_nat_gateways()
            .filter(super::filter("nat-gateway-id", chunk.iter().cloned()))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(aws_err)?;
        out.extend(page);
    }
    Ok(out)
}

async fn describe_one(aws: &Aws, id: &str) -> Result<Option<Gw>, ProviderError> {
    Ok(describe(aws, &[id.to_string()])
        .await?
        .into_iter()
        .find(|g| g.nat_gateway_id() == Some(id)))
}

fn to_state(ctx: &ProviderCtx, aws: &Aws, prior: &Value, g: &Gw) -> Value {
    let addrs = g.nat_gateway_addresses();
    let primary = addrs
        .iter()
        .find(|a| a.is_primary() == Some(true))
        .or_else(|| addrs.first());
    let secondary: Vec<_> = addrs
        .iter()
        .filter(|a| !primary.is_some_and(|p| std::ptr::eq(*a, p)))
        .collect();
    let public = g.connectivity_type() != Some(&ConnectivityType::Private);
    let (tags, tags_all) = read_tags(ctx, aws, prior, from_ec2_tags(Some(g.tags())));
    let nz = |s: Option<&str>| opt_str(s.filter(|s| !s.is_empty()));
    let mut m = BTreeMap::new();
    let mut set = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    set("id", opt_str(g.nat_gateway_id()));
    set("subnet_id", opt_str(g.subnet_id()));
    set(
        "connectivity_type",
        Value::string(
            g.connectivity_type()
                .map(|c| c.as_str())
                .unwrap_or("public"),
        ),
    );
    set("allocation_id", nz(primary.and_then(|a| a.allocation_id())));
    set(
        "association_id",
        nz(primary.and_then(|a| a.association_id())),
    );
    set(
        "network_interface_id",
        nz(primary.and_then(|a| a.network_interface_id())),
    );
    set("public_ip", nz(primary.and_then(|a| a.public_ip())));
    set("private_ip", nz(primary.and_then(|a| a.private_ip())));
    let sec_alloc: Vec<String> = secondary
        .iter()
        .filter_map(|a| a.allocation_id().map(|s| s.to_string()))
        .collect();
    set(
        "secondary_allocation_ids",
        if sec_alloc.is_empty() && get(prior, "secondary_allocation_ids").is_null() {
            Value::null_of(Type::set(Type::String))
        } else {
            str_set(sec_alloc)
        },
    );
    let sec_ips: Vec<String> = secondary
        .iter()
        .filter_map(|a| a.private_ip().map(|s| s.to_string()))
        .collect();
    set(
        "secondary_private_ip_address_count",
        Value::int(if public { 0 } else { sec_ips.len() as i64 }),
    );
    set("secondary_private_ip_addresses", str_set(sec_ips));
    set("tags", tags);
    set("tags_all", tags_all);
    Value::object(m)
}

fn is_gone(g: &Gw) -> bool {
    g.state().map(|s| s.as_str()) == Some("deleted")
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
    let found: HashMap<String, Gw> = describe(&aws, &ids)
        .await?
        .into_iter()
        .filter(|g| !is_gone(g))
        .filter_map(|g| g.nat_gateway_id().map(|id| (id.to_string(), g.clone())))
        .collect();
    Ok(priors
        .iter()
        .map(|p| {
            get_str(p, "id")
                .and_then(|id| found.get(&id))
                .map(|g| to_state(ctx, &aws, p, g))
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

/// Poll the gateway until `step` says done or failed.
async fn wait(
    aws: &Aws,
    id: &str,
    op: &str,
    want: &str,
    to: Duration,
    step: fn(Option<&str>) -> Step,
) -> Result<(), ProviderError> {
    wait_until(&format!("EC2 NAT Gateway ({id}) {op}"), to, || async {
        let g = describe_one(aws, id).await?;
        let state = g.as_ref().and_then(|g| g.state()).map(|s| s.as_str());
        match step(state) {
            Step::Wait => Ok(false),
            Step::Done => Ok(true),
            Step::Fail => Err(state_error(id, op, want, g.as_ref())),
        }
    })
    .await
}

/// Bring the secondary addresses from `prior` to `planned`.
async fn sync_secondary(
    aws: &Aws,
    id: &str,
    prior: Option<&Value>,
    planned: &Value,
) -> Result<(), ProviderError> {
    let ec2 = aws.ec2();
    let old = prior
        .map(|p| get_strs(p, "secondary_allocation_ids"))
        .unwrap_or_default();
    let want = get(planned, "secondary_allocation_ids");
    if want.is_wholly_known() && !want.is_null() {
        let new = get_strs(planned, "secondary_allocation_ids");
        let add: Vec<String> = new.iter().filter(|a| !old.contains(a)).cloned().collect();
        if !add.is_empty() {
            ec2.associate_nat_gateway_address()
                .nat_gateway_id(id)
                .set_allocation_ids(Some(add))
                .send()
                .await
                .map_err(aws_err)?;
        }
        // Removing needs the association ids: read them.
        let gone: Vec<&String> = old.iter().filter(|a| !new.contains(a)).collect();
        if !gone.is_empty() {
            if let Some(g) = describe_one(aws, id).await? {
                let assoc: Vec<String> = g
                    .nat_gateway_addresses()
                    .iter()
                    .filter(|a| {
                        a.allocation_id()
                            .is_some_and(|x| gone.iter().any(|g| *g == x))
                    })
                    .filter_map(|a| a.association_id().map(|s| s.to_string()))
                    .collect();
                if !assoc.is_empty() {
                    ec2.disassociate_nat_gateway_address()
                        .nat_gateway_id(id)
                        .set_association_ids(Some(assoc))
                        .send()
                        .await
                        .map_err(aws_err)?;
                }
            }
        }
    }
    if prior.is_some() {
        let want = get(planned, "secondary_private_ip_addresses");
        if want.is_wholly_known() && !want.is_null() {
            let old = prior
                .map(|p| get_strs(p, "secondary_private_ip_addresses"))
                .unwrap_or_default();
            let new = get_strs(planned, "secondary_private_ip_addresses");
            let add: Vec<String> = new.iter().filter(|a| !old.contains(a)).cloned().collect();
            let del: Vec<String> = old.iter().filter(|a| !new.contains(a)).cloned().collect();
            if !add.is_empty() {
                ec2.assign_private_nat_gateway_address()
                    .nat_gateway_id(id)
                    .set_private_ip_addresses(Some(add))
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
            if !del.is_empty() {
                ec2.unassign_private_nat_gateway_address()
                    .nat_gateway_id(id)
                    .set_private_ip_addresses(Some(del))
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
        }
    }
    Ok(())
}

#[async_trait]
impl Resource for NatGateway {
    fn type_name(&self) -> &'static str {
        "aws_nat_gateway"
    }
    fn display_name(&self) -> &'static str {
        "EC2 NAT Gateway"
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
        let private = get_str(planned, "connectivity_type").as_deref() == Some("private");
        let secondary_ips = get(planned, "secondary_private_ip_addresses");
        let out = aws
            .ec2()
            .create_nat_gateway()
            .set_subnet_id(get_str(planned, "subnet_id"))
            .set_allocation_id(get_str(planned, "allocation_id"))
            .set_connectivity_type(
                get_str(planned, "connectivity_type").map(|c| ConnectivityType::from(c.as_str())),
            )
            .set_private_ip_address(get_str(planned, "private_ip"))
            .set_secondary_allocation_ids(
                Some(get_strs(planned, "secondary_allocation_ids")).filter(|v| !v.is_empty()),
            )
            .set_secondary_private_ip_addresses(
                Some(get_strs(planned, "secondary_private_ip_addresses"))
                    .filter(|v| private && !v.is_empty() && secondary_ips.is_wholly_known()),
            )
            .set_secondary_private_ip_address_count(
                get_i64(planned, "secondary_private_ip_address_count")
                    .filter(|n| private && *n > 0)
                    .map(|n| n as i32),
            )
            .set_tag_specifications(
                ec2_tag_spec(ResourceType::Natgateway, &planned_tags_all(planned)).map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(aws_err)?;
        let id = out
            .nat_gateway()
            .and_then(|g| g.nat_gateway_id())
            .ok_or_else(|| ProviderError::new("CreateNatGateway returned no gateway id"))?
            .to_string();
        let to = timeout(planned, "create", Duration::from_secs(600));
        let finish = async {
            wait(&aws, &id, "create", "available", to, create_step).await?;
            read_one(ctx, &with(planned, "id", Value::string(&id)))
                .await?
                .ok_or_else(|| {
                    ProviderError::new(format!("EC2 NAT Gateway ({id}) not found after creation"))
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
        sync_secondary(&aws, &id, Some(prior), planned).await?;
        update_ec2_tags(&aws, &id, prior, planned).await?;
        let to = timeout(planned, "update", Duration::from_secs(600));
        wait(&aws, &id, "update", "available", to, create_step).await?;
        read_one(ctx, &with(planned, "id", Value::string(&id)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!("EC2 NAT Gateway ({id}) not found after update"))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        match aws
            .ec2()
            .delete_nat_gateway()
            .nat_gateway_id(&id)
            .send()
            .await
            .map_err(aws_err)
        {
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => return Err(e),
            Ok(_) => {}
        }
        let to = timeout(prior, "delete", Duration::from_secs(1800));
        wait(&aws, &id, "delete", "deleted", to, delete_step).await
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        read_one(ctx, &Value::object(m))
            .await?
            .ok_or_else(|| ProviderError::new(format!("EC2 NAT Gateway ({id}) not found")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_waiter_states() {
        assert_eq!(create_step(None), Step::Wait);
        assert_eq!(create_step(Some("pending")), Step::Wait);
        assert_eq!(create_step(Some("available")), Step::Done);
        assert_eq!(create_step(Some("failed")), Step::Fail);
        assert_eq!(create_step(Some("deleting")), Step::Fail);
        assert_eq!(create_step(Some("deleted")), Step::Fail);
    }

    #[test]
    fn delete_waiter_states() {
        assert_eq!(delete_step(Some("deleting")), Step::Wait);
        assert_eq!(delete_step(Some("deleted")), Step::Done);
        assert_eq!(delete_step(None), Step::Done);
        assert_eq!(delete_step(Some("failed")), Step::Fail);
        assert_eq!(delete_step(Some("available")), Step::Fail);
    }

    #[test]
    fn failed_gateway_error_carries_its_failure() {
        let g = Gw::builder()
            .nat_gateway_id("nat-1")
            .state(aws_sdk_ec2::types::NatGatewayState::Failed)
            .failure_code("Gateway.NotAttached")
            .failure_message("Network vpc-1 has no Internet gateway attached")
            .build();
        let e = state_error("nat-1", "create", "available", Some(&g));
        assert_eq!(e.code.as_deref(), Some("Gateway.NotAttached"));
        assert!(
            e.message.contains("unexpected state 'failed'"),
            "{}",
            e.message
        );
        assert!(e.message.contains("has no Internet gateway attached"));
    }
}
