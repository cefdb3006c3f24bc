//! `aws_vpc_endpoint` (Gateway endpoints in full; Interface and other
//! types are created with their subnets and security groups). The policy
//! is compared as JSON: an equivalent document from AWS keeps the
//! configured string.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType, VpcEndpoint as Ep, VpcEndpointType};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, ec2_tag_spec, from_ec2_tags, get, get_bool, get_str, get_strs, is_not_found,
    opt_str, partial_err, plan_tags_all, planned_tags_all, read_tags, str_list, str_set, tag_attrs,
    update_ec2_tags, wait_until, with, Aws,
};
use crate::providers::{timeout, Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct VpcEndpoint {
    schema: Schema,
}

fn dns_entry_type() -> Type {
    let mut m = BTreeMap::new();
    m.insert("dns_name".to_string(), Type::String);
    m.insert("hosted_zone_id".to_string(), Type::String);
    Type::Object(m)
}

impl VpcEndpoint {
    pub fn new() -> VpcEndpoint {
        let c = || Attribute::computed(Type::String);
        let ocset = || Attribute::optional_computed(Type::set(Type::String));
        VpcEndpoint {
            schema: tag_attrs(
                Schema::new()
                    .attr("id", c())
                    .attr("arn", c())
                    .attr("owner_id", c())
                    .attr("state", c())
                    .attr("prefix_list_id", c())
                    .attr("cidr_blocks", Attribute::computed(Type::list(Type::String)))
                    .attr("requester_managed", Attribute::computed(Type::Bool))
                    .attr(
                        "dns_entry",
                        Attribute::computed(Type::list(dns_entry_type())),
                    )
                    .attr(
                        "network_interface_ids",
                        Attribute::computed(Type::set(Type::String)),
                    )
                    .attr("vpc_id", Attribute::required(Type::String).force_new())
                    .attr(
                        "service_name",
                        Attribute::required(Type::String).force_new(),
                    )
                    .attr(
                        "vpc_endpoint_type",
                        Attribute::optional(Type::String)
                            .force_new()
                            .default(Value::string("Gateway")),
                    )
                    .attr("auto_accept", Attribute::optional(Type::Bool))
                    .attr("policy", Attribute::optional_computed(Type::String))
                    .attr(
                        "private_dns_enabled",
                        Attribute::optional_computed(Type::Bool),
                    )
                    .attr(
                        "ip_address_type",
                        Attribute::optional_computed(Type::String),
                    )
                    .attr("route_table_ids", ocset())
                    .attr("subnet_ids", ocset())
                    .attr("security_group_ids", ocset()),
            )
            .timeouts(&["create", "update", "delete"]),
        }
    }
}

impl Default for VpcEndpoint {
    fn default() -> Self {
        VpcEndpoint::new()
    }
}

/// A JSON document in a canonical form for comparison: object keys sorted
/// (serde_json's map), one-element arrays as their element (IAM treats
/// `"s3:*"` and `["s3:*"]` alike).
fn canonical(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        J::Array(xs) if xs.len() == 1 => canonical(xs.into_iter().next().unwrap_or(J::Null)),
        J::Array(xs) => J::Array(xs.into_iter().map(canonical).collect()),
        J::Object(m) => J::Object(m.into_iter().map(|(k, v)| (k, canonical(v))).collect()),
        x => x,
    }
}

/// Two policy documents are equivalent JSON.
pub fn policy_equivalent(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(x), Ok(y)) => canonical(x) == canonical(y),
        _ => a == b,
    }
}

/// Endpoints by id. DescribeVpcEndpoints fails as a whole on an unknown id,
/// so a batch that fails with NotFound is retried one id at a time.
async fn describe(aws: &Aws, ids: &[String]) -> Result<Vec<Ep>, ProviderError> {
    let mut out = vec![];
    for chunk in ids.chunks(200) {
        match describe_ids(aws, chunk).await {
            Ok(v) => out.extend(v),
            Err(e) if is_not_found(&e) => {
                for id in chunk {
                    match describe_ids(aws, std::slice::from_ref(id)).await {
                        Ok(v) => out.extend(v),
                        Err(e) if is_not_found(&e) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out
        .into_iter()
        .filter(|e| {
            !e.state()
                .is_some_and(|s| s.as_str().eq_ignore_ascii_case("deleted"))
        })
        .collect())
}

async fn describe_ids(aws: &Aws, ids: &[String]) -> Result<Vec<Ep>, ProviderError> {
    aws.ec2()
        .describe_vpc_endpoints()
        .set_vpc_endpoint_ids(Some(ids.to_vec()))
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .map_err(aws_err)
}

/// The prefix list (id, CIDRs) of a gateway service, by its name.
async fn prefix_list(
    aws: &Aws,
    service: &str,
) -> Result<Option<(String, Vec<String>)>, ProviderError> {
    let out = aws
        .ec2()
        .describe_prefix_lists()
        .filters(super::filter("prefix-list-name", [service]))
        .send()
        .await
        .map_err(aws_err)?;
    Ok(out.prefix_lists().first().map(|p| {
        (
            p.prefix_list_id().unwrap_or_default().to_string(),
            p.cidrs().to_vec(),
        )
    }))
}

fn to_state(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
    e: &Ep,
    pl: Option<&(String, Vec<String>)>,
) -> Value {
    let id = e.vpc_endpoint_id().unwrap_or_default();
    let owner = e.owner_id().unwrap_or_default();
    let (tags, tags_all) = read_tags(ctx, aws, prior, from_ec2_tags(Some(e.tags())));
    let policy = match (e.policy_document(), get_str(prior, "policy")) {
        (Some(p), Some(had)) if policy_equivalent(p, &had) => Value::string(had),
        (Some(p), _) => Value::string(p),
        (None, _) => Value::string(""),
    };
    let dns: Vec<Value> = e
        .dns_entries()
        .iter()
        .map(|d| {
            let mut m = BTreeMap::new();
            m.insert("dns_name".to_string(), opt_str(d.dns_name()));
            m.insert("hosted_zone_id".to_string(), opt_str(d.hosted_zone_id()));
            Value::object(m)
        })
        .collect();
    let mut m = BTreeMap::new();
    let mut set = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    set("id", Value::string(id));
    set(
        "arn",
        Value::string(aws.arn("ec2", owner, &format!("vpc-endpoint/{id}"))),
    );
    set("owner_id", opt_str(e.owner_id()));
    set(
        "state",
        opt_str(
            e.state()
                .map(|s| s.as_str().to_ascii_lowercase())
                .as_deref(),
        ),
    );
    set("prefix_list_id", opt_str(pl.map(|p| p.0.as_str())));
    set(
        "cidr_blocks",
        str_list(pl.map(|p| p.1.clone()).unwrap_or_default()),
    );
    set(
        "requester_managed",
        Value::bool(e.requester_managed().unwrap_or(false)),
    );
    set("dns_entry", Value::list(dns_entry_type(), dns));
    set(
        "network_interface_ids",
        str_set(e.network_interface_ids().iter().cloned()),
    );
    set("vpc_id", opt_str(e.vpc_id()));
    set("service_name", opt_str(e.service_name()));
    set(
        "vpc_endpoint_type",
        Value::string(
            e.vpc_endpoint_type()
                .map(|t| t.as_str())
                .unwrap_or("Gateway"),
        ),
    );
    set("auto_accept", get(prior, "auto_accept"));
    set("policy", policy);
    set(
        "private_dns_enabled",
        Value::bool(e.private_dns_enabled().unwrap_or(false)),
    );
    set(
        "ip_address_type",
        Value::string(e.ip_address_type().map(|t| t.as_str()).unwrap_or("")),
    );
    set(
        "route_table_ids",
        str_set(e.route_table_ids().iter().cloned()),
    );
    set("subnet_ids", str_set(e.subnet_ids().iter().cloned()));
    set(
        "security_group_ids",
        str_set(
            e.groups()
                .iter()
                .filter_map(|g| g.group_id().map(|s| s.to_string())),
        ),
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
    let found: HashMap<String, Ep> = describe(&aws, &ids)
        .await?
        .into_iter()
        .filter_map(|e| e.vpc_endpoint_id().map(|id| (id.to_string(), e.clone())))
        .collect();
    // Gateway services' prefix lists, one look-up per service.
    let mut lists: HashMap<String, Option<(String, Vec<String>)>> = HashMap::new();
    for e in found.values() {
        if e.vpc_endpoint_type() != Some(&VpcEndpointType::Gateway) {
            continue;
        }
        if let Some(s) = e.service_name() {
            if !lists.contains_key(s) {
                let pl = prefix_list(&aws, s).await?;
                lists.insert(s.to_string(), pl);
            }
        }
    }
    Ok(priors
        .iter()
        .map(|p| {
            let id = get_str(p, "id")?;
            let e = found.get(&id)?;
            let pl = e
                .service_name()
                .and_then(|s| lists.get(s))
                .and_then(|x| x.as_ref());
            Some(to_state(ctx, &aws, p, e, pl))
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

/// Poll until the endpoint is available (or pendingAcceptance without
/// auto_accept).
async fn wait_available(aws: &Aws, id: &str, to: Duration) -> Result<(), ProviderError> {
    wait_until(
        &format!("VPC Endpoint ({id}) to become available"),
        to,
        || async {
            let e = describe(aws, &[id.to_string()]).await?;
            let state = e
                .first()
                .and_then(|e| e.state())
                .map(|s| s.as_str().to_ascii_lowercase());
            match state.as_deref() {
                Some("available") | Some("pendingacceptance") => Ok(true),
                Some("failed") | Some("rejected") => Err(ProviderError::new(format!(
                    "waiting for VPC Endpoint ({id}) to become available: unexpected state '{}'",
                    state.unwrap_or_default()
                ))),
                _ => Ok(false),
            }
        },
    )
    .await
}

fn set_diff(prior: Option<&Value>, planned: &Value, k: &str) -> Option<(Vec<String>, Vec<String>)> {
    let want = get(planned, k);
    if !want.is_wholly_known() || want.is_null() {
        return None;
    }
    let old = prior.map(|p| get_strs(p, k)).unwrap_or_default();
    let new = get_strs(planned, k);
    let add: Vec<String> = new.iter().filter(|x| !old.contains(x)).cloned().collect();
    let del: Vec<String> = old.iter().filter(|x| !new.contains(x)).cloned().collect();
    (!add.is_empty() || !del.is_empty()).then_some((add, del))
}

#[async_trait]
impl Resource for VpcEndpoint {
    fn type_name(&self) -> &'static str {
        "aws_vpc_endpoint"
    }
    fn display_name(&self) -> &'static str {
        "EC2 VPC Endpoint"
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
        if let (Some(pr), Some(c)) = (prior, get_str(config, "policy")) {
            if let Some(had) = get_str(pr, "policy") {
                if policy_equivalent(&had, &c) {
                    p = with(&p, "policy", Value::string(had));
                }
            }
        }
        p
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let ty = get_str(planned, "vpc_endpoint_type").unwrap_or_else(|| "Gateway".into());
        let known_strs = |k: &str| {
            let v = get(planned, k);
            (v.is_wholly_known() && !v.is_null()).then(|| get_strs(planned, k))
        };
        let out = aws
            .ec2()
            .create_vpc_endpoint()
            .set_vpc_id(get_str(planned, "vpc_id"))
            .set_service_name(get_str(planned, "service_name"))
            .vpc_endpoint_type(VpcEndpointType::from(ty.as_str()))
            .set_policy_document(get_str(planned, "policy").filter(|s| !s.is_empty()))
            .set_private_dns_enabled(
                get_bool(planned, "private_dns_enabled").filter(|_| ty == "Interface"),
            )
            .set_route_table_ids(known_strs("route_table_ids").filter(|v| !v.is_empty()))
            .set_subnet_ids(known_strs("subnet_ids").filter(|v| !v.is_empty()))
            .set_security_group_ids(known_strs("security_group_ids").filter(|v| !v.is_empty()))
            .set_ip_address_type(
                get_str(planned, "ip_address_type")
                    .filter(|s| !s.is_empty())
                    .map(|s| aws_sdk_ec2::types::IpAddressType::from(s.as_str())),
            )
            .set_tag_specifications(
                ec2_tag_spec(ResourceType::VpcEndpoint, &planned_tags_all(planned))
                    .map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(aws_err)?;
        let id = out
            .vpc_endpoint()
            .and_then(|e| e.vpc_endpoint_id())
            .ok_or_else(|| ProviderError::new("CreateVpcEndpoint returned no endpoint id"))?
            .to_string();
        let to = timeout(planned, "create", Duration::from_secs(600));
        let finish = async {
            wait_available(&aws, &id, to).await?;
            read_one(ctx, &with(planned, "id", Value::string(&id)))
                .await?
                .ok_or_else(|| {
                    ProviderError::new(format!("VPC Endpoint ({id}) not found after creation"))
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
        let rt = set_diff(Some(prior), planned, "route_table_ids");
        let sn = set_diff(Some(prior), planned, "subnet_ids");
        let sg = set_diff(Some(prior), planned, "security_group_ids");
        let new_policy = get_str(planned, "policy")
            .filter(|p| get_str(prior, "policy").as_deref() != Some(p.as_str()));
        let dns = get_bool(planned, "private_dns_enabled")
            .filter(|b| get_bool(prior, "private_dns_enabled") != Some(*b));
        if rt.is_some() || sn.is_some() || sg.is_some() || new_policy.is_some() || dns.is_some() {
            let (rt_add, rt_del) = rt.unwrap_or_default();
            let (sn_add, sn_del) = sn.unwrap_or_default();
            let (sg_add, sg_del) = sg.unwrap_or_default();
            let nonempty = |v: Vec<String>| Some(v).filter(|v| !v.is_empty());
            let mut req = aws
                .ec2()
                .modify_vpc_endpoint()
                .vpc_endpoint_id(&id)
                .set_add_route_table_ids(nonempty(rt_add))
                .set_remove_route_table_ids(nonempty(rt_del))
                .set_add_subnet_ids(nonempty(sn_add))
                .set_remove_subnet_ids(nonempty(sn_del))
                .set_add_security_group_ids(nonempty(sg_add))
                .set_remove_security_group_ids(nonempty(sg_del))
                .set_private_dns_enabled(dns);
            req = match new_policy {
                Some(p) if p.is_empty() => req.reset_policy(true),
                Some(p) => req.policy_document(p),
                None => req,
            };
            req.send().await.map_err(aws_err)?;
            wait_available(
                &aws,
                &id,
                timeout(planned, "update", Duration::from_secs(600)),
            )
            .await?;
        }
        update_ec2_tags(&aws, &id, prior, planned).await?;
        read_one(ctx, &with(planned, "id", Value::string(&id)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!("VPC Endpoint ({id}) not found after update"))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        let send = || async {
            aws.ec2()
                .delete_vpc_endpoints()
                .vpc_endpoint_ids(&id)
                .send()
                .await
                .map_err(aws_err)
        };
        let out = match send().await {
            // moto fails the delete when a route table added later lacks the
            // endpoint's route: detach the route tables and try again.
            Err(e) if e.code.as_deref() == Some("InvalidRoute.NotFound") => {
                let rts = get_strs(prior, "route_table_ids");
                aws.ec2()
                    .modify_vpc_endpoint()
                    .vpc_endpoint_id(&id)
                    .set_remove_route_table_ids(Some(rts))
                    .send()
                    .await
                    .map_err(aws_err)?;
                send().await?
            }
            Err(e) if e.code.as_deref() == Some("InvalidVpcEndpointId.NotFound") => return Ok(()),
            r => r?,
        };
        if let Some(u) = out
            .unsuccessful()
            .iter()
            .find_map(|u| u.error())
            .filter(|e| !e.code().is_some_and(|c| c.ends_with("NotFound")))
        {
            return Err(ProviderError {
                code: u.code().map(|s| s.to_string()),
                message: u.message().unwrap_or_default().to_string(),
                partial: None,
            });
        }
        let to = timeout(prior, "delete", Duration::from_secs(600));
        wait_until(&format!("VPC Endpoint ({id}) delete"), to, || async {
            Ok(describe(&aws, std::slice::from_ref(&id)).await?.is_empty())
        })
        .await
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        read_one(ctx, &Value::object(m))
            .await?
            .ok_or_else(|| ProviderError::new(format!("VPC Endpoint ({id}) not found")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_compare_as_json() {
        let a = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#;
        let b = r#"{
  "Statement": [ { "Action": ["s3:*"], "Effect": "Allow", "Resource": "*", "Principal": "*" } ],
  "Version": "2012-10-17"
}"#;
        assert!(policy_equivalent(a, b));
        assert!(!policy_equivalent(a, &a.replace("s3:*", "s3:GetObject")));
    }
}
