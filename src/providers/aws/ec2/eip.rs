//! `aws_eip`: an Elastic IP address (VPC domain), optionally associated
//! with an instance or network interface.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::{Address, DomainType, ResourceType};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, ec2_tag_spec, from_ec2_tags, get, get_bool, get_str, is_not_found, opt_str,
    partial_err, plan_tags_all, planned_tags_all, read_tags, retry_on, tag_attrs, update_ec2_tags,
    with, Aws,
};
use crate::providers::{timeout, Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct Eip {
    schema: Schema,
}

impl Eip {
    pub fn new() -> Eip {
        let c = || Attribute::computed(Type::String);
        let oc = || Attribute::optional_computed(Type::String);
        Eip {
            schema: tag_attrs(
                Schema::new()
                    .attr("id", c())
                    .attr("arn", c())
                    .attr("allocation_id", c())
                    .attr("association_id", c())
                    .attr("carrier_ip", c())
                    .attr("customer_owned_ip", c())
                    .attr("ptr_record", c())
                    .attr("public_ip", c())
                    .attr("public_dns", c())
                    .attr("private_ip", c())
                    .attr("private_dns", c())
                    .attr("address", Attribute::optional(Type::String).force_new())
                    .attr(
                        "associate_with_private_ip",
                        Attribute::optional(Type::String),
                    )
                    .attr(
                        "customer_owned_ipv4_pool",
                        Attribute::optional(Type::String).force_new(),
                    )
                    .attr("domain", oc().force_new())
                    .attr("instance", oc())
                    .attr("network_interface", oc())
                    .attr("network_border_group", oc().force_new())
                    .attr("public_ipv4_pool", oc().force_new())
                    .attr("ipam_pool_id", oc().force_new())
                    .attr("vpc", Attribute::optional_computed(Type::Bool).force_new()),
            )
            .timeouts(&["read", "update", "delete"]),
        }
    }
}

impl Default for Eip {
    fn default() -> Self {
        Eip::new()
    }
}

/// EC2 describes addresses without paging: 200 allocation ids per call.
async fn describe(aws: &Aws, ids: &[String]) -> Result<Vec<Address>, ProviderError> {
    let mut out = vec![];
    for chunk in ids.chunks(200) {
        let r = aws
            .ec2()
            .describe_addresses()
            .filters(super::filter("allocation-id", chunk.iter().cloned()))
            .send()
            .await
            .map_err(aws_err)?;
        out.extend(r.addresses().iter().cloned());
    }
    Ok(out)
}

/// The AWS account of the caller (for the ARN), once per read.
async fn account_id(aws: &Aws) -> Option<String> {
    aws.sts()
        .get_caller_identity()
        .send()
        .await
        .ok()
        .and_then(|o| o.account().map(|s| s.to_string()))
}

/// `ec2-1-2-3-4.compute-1.amazonaws.com` style public DNS, as the provider
/// derives it.
fn public_dns(region: &str, ip: &str) -> String {
    let host = format!("ec2-{}", ip.replace('.', "-"));
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    if region == "us-east-1" {
        format!("{host}.compute-1.{suffix}")
    } else {
        format!("{host}.{region}.compute.{suffix}")
    }
}

fn private_dns(region: &str, ip: &str) -> String {
    let host = format!("ip-{}", ip.replace('.', "-"));
    if region == "us-east-1" {
        format!("{host}.ec2.internal")
    } else {
        format!("{host}.{region}.compute.internal")
    }
}

fn to_state(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
    a: &Address,
    account: Option<&str>,
) -> Value {
    let nz = |s: Option<&str>| opt_str(s.filter(|s| !s.is_empty()));
    let id = a.allocation_id().unwrap_or_default();
    let (tags, tags_all) = read_tags(ctx, aws, prior, from_ec2_tags(Some(a.tags())));
    let arn = match account {
        Some(acc) => Value::string(aws.arn("ec2", acc, &format!("elastic-ip/{id}"))),
        None => get(prior, "arn"),
    };
    let domain = a.domain().map(|d| d.as_str().to_string());
    let mut m = BTreeMap::new();
    let mut set = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    set("id", Value::string(id));
    set("arn", arn);
    set("allocation_id", Value::string(id));
    set("association_id", nz(a.association_id()));
    set("carrier_ip", nz(a.carrier_ip()));
    set("customer_owned_ip", nz(a.customer_owned_ip()));
    set(
        "customer_owned_ipv4_pool",
        match nz(a.customer_owned_ipv4_pool()) {
            v if v.is_null() => get(prior, "customer_owned_ipv4_pool"),
            v => v,
        },
    );
    set("ptr_record", nz(None));
    set("public_ip", nz(a.public_ip()));
    set(
        "public_dns",
        opt_str(
            a.public_ip()
                .filter(|s| !s.is_empty())
                .map(|ip| public_dns(&aws.region, ip))
                .as_deref(),
        ),
    );
    set("private_ip", nz(a.private_ip_address()));
    set(
        "private_dns",
        opt_str(
            a.private_ip_address()
                .filter(|s| !s.is_empty())
                .map(|ip| private_dns(&aws.region, ip))
                .as_deref(),
        ),
    );
    set("address", get(prior, "address"));
    set(
        "associate_with_private_ip",
        get(prior, "associate_with_private_ip"),
    );
    set("domain", opt_str(domain.as_deref()));
    set("vpc", Value::bool(domain.as_deref() == Some("vpc")));
    set(
        "instance",
        Value::string(a.instance_id().unwrap_or_default()),
    );
    set(
        "network_interface",
        Value::string(a.network_interface_id().unwrap_or_default()),
    );
    set("network_border_group", nz(a.network_border_group()));
    set("public_ipv4_pool", nz(a.public_ipv4_pool()));
    set(
        "ipam_pool_id",
        match get(prior, "ipam_pool_id") {
            v if v.is_known() => v,
            _ => Value::null_of(Type::String),
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
    let found: HashMap<String, Address> = describe(&aws, &ids)
        .await?
        .into_iter()
        .filter_map(|a| a.allocation_id().map(|id| (id.to_string(), a.clone())))
        .collect();
    let need_account = priors
        .iter()
        .any(|p| get_str(p, "arn").is_none() && get_str(p, "id").is_some());
    let account = if need_account {
        account_id(&aws).await
    } else {
        None
    };
    Ok(priors
        .iter()
        .map(|p| {
            let id = get_str(p, "id")?;
            let a = found.get(&id)?;
            Some(to_state(ctx, &aws, p, a, account.as_deref()))
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

/// Associate the address with the configured instance or network
/// interface (when one is configured).
async fn associate(aws: &Aws, id: &str, planned: &Value) -> Result<(), ProviderError> {
    let instance = get_str(planned, "instance").filter(|s| !s.is_empty());
    let eni = get_str(planned, "network_interface").filter(|s| !s.is_empty());
    if instance.is_none() && eni.is_none() {
        return Ok(());
    }
    retry_on(
        &["InvalidAllocationID.NotFound", "InvalidInstanceID"],
        Duration::from_secs(300),
        || async {
            aws.ec2()
                .associate_address()
                .allocation_id(id)
                .set_instance_id(instance.clone())
                .set_network_interface_id(eni.clone())
                .set_private_ip_address(get_str(planned, "associate_with_private_ip"))
                .allow_reassociation(true)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_err)
        },
    )
    .await
}

async fn disassociate(aws: &Aws, association: &str) -> Result<(), ProviderError> {
    match aws
        .ec2()
        .disassociate_address()
        .association_id(association)
        .send()
        .await
        .map_err(aws_err)
    {
        Err(e) if is_not_found(&e) => Ok(()),
        r => r.map(|_| ()),
    }
}

#[async_trait]
impl Resource for Eip {
    fn type_name(&self) -> &'static str {
        "aws_eip"
    }
    fn display_name(&self) -> &'static str {
        "EC2 EIP"
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
        if prior.is_none() {
            // The legacy `vpc` switch and `domain` mean the same thing.
            let vpc = get_bool(config, "vpc");
            let domain = get_str(config, "domain");
            if domain.is_none() && vpc == Some(true) {
                p = with(&p, "domain", Value::string("vpc"));
            }
            if vpc.is_none() {
                if let Some(d) = &domain {
                    p = with(&p, "vpc", Value::bool(d == "vpc"));
                }
            }
        }
        if let Some(prior) = prior {
            let moved = ["instance", "network_interface", "associate_with_private_ip"]
                .iter()
                .any(|k| {
                    let c = get(config, k);
                    !c.is_null() && get_str(config, k) != get_str(prior, k)
                });
            if moved {
                for k in ["association_id", "private_ip", "private_dns"] {
                    p = with(&p, k, Value::unknown(Type::String));
                }
                if get(config, "instance").is_null() {
                    p = with(&p, "instance", Value::unknown(Type::String));
                }
                if get(config, "network_interface").is_null() {
                    p = with(&p, "network_interface", Value::unknown(Type::String));
                }
            }
        }
        p
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let vpc = get_str(planned, "domain").as_deref() == Some("vpc")
            || get_bool(planned, "vpc") == Some(true)
            || get_str(planned, "domain").is_none();
        let out = aws
            .ec2()
            .allocate_address()
            .set_domain(vpc.then_some(DomainType::Vpc))
            .set_address(get_str(planned, "address"))
            .set_public_ipv4_pool(get_str(planned, "public_ipv4_pool"))
            .set_network_border_group(get_str(planned, "network_border_group"))
            .set_customer_owned_ipv4_pool(get_str(planned, "customer_owned_ipv4_pool"))
            .set_ipam_pool_id(get_str(planned, "ipam_pool_id"))
            .set_tag_specifications(
                ec2_tag_spec(ResourceType::ElasticIp, &planned_tags_all(planned)).map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(aws_err)?;
        let id = out
            .allocation_id()
            .ok_or_else(|| ProviderError::new("AllocateAddress returned no allocation id"))?
            .to_string();
        let finish = async {
            associate(&aws, &id, planned).await?;
            let probe = with(planned, "id", Value::string(&id));
            let probe = with(&probe, "arn", Value::null_of(Type::String));
            read_one(ctx, &probe)
                .await?
                .ok_or_else(|| ProviderError::new(format!("EC2 EIP ({id}) not found")))
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
        let changed = ["instance", "network_interface", "associate_with_private_ip"]
            .iter()
            .any(|k| {
                let v = get(planned, k);
                v.is_known() && get_str(planned, k) != get_str(prior, k)
            });
        if changed {
            if let Some(a) = get_str(prior, "association_id") {
                disassociate(&aws, &a).await?;
            }
            associate(&aws, &id, planned).await?;
        }
        update_ec2_tags(&aws, &id, prior, planned).await?;
        read_one(ctx, &with(planned, "id", Value::string(&id)))
            .await?
            .ok_or_else(|| ProviderError::new(format!("EC2 EIP ({id}) not found after update")))
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        // The association as it is now, not as it was recorded.
        let current = describe(&aws, std::slice::from_ref(&id)).await?;
        let Some(a) = current.first() else {
            return Ok(());
        };
        if let Some(assoc) = a.association_id().filter(|s| !s.is_empty()) {
            disassociate(&aws, assoc).await?;
        }
        let to = timeout(prior, "delete", Duration::from_secs(180));
        let r = retry_on(&["InvalidIPAddress.InUse", "AuthFailure"], to, || async {
            aws.ec2()
                .release_address()
                .allocation_id(&id)
                .set_network_border_group(get_str(prior, "network_border_group"))
                .send()
                .await
                .map(|_| ())
                .map_err(aws_err)
        })
        .await;
        match r {
            Err(e) if is_not_found(&e) => Ok(()),
            r => r,
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        if !id.starts_with("eipalloc-") {
            return Err(ProviderError::new(format!(
                "importing EC2 EIP ({id}): only VPC EIPs (allocation ids, eipalloc-…) can be imported"
            )));
        }
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::string(id));
        read_one(ctx, &Value::object(m))
            .await?
            .ok_or_else(|| ProviderError::new(format!("EC2 EIP ({id}) not found")))
    }
}
