//! `aws_lb` (alias `aws_alb`).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    IpAddressType, LoadBalancer as Lb, LoadBalancerAttribute, LoadBalancerSchemeEnum,
    LoadBalancerStateEnum, LoadBalancerTypeEnum, SubnetMapping,
};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::elbv2::{
    arn_suffix, describe_by_arns, describe_tags, elb_tags, import_state, object_name, update_tags,
};
use crate::providers::aws::{
    aws, aws_err, get, get_bool, get_str, get_strs, is_not_found, opt_str, partial_err,
    plan_tags_all, planned_tags_all, read_tags, str_set, tag_attrs, wait_until, with, Aws,
};
use crate::providers::{
    timeout, Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema,
};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Bool,
    Int,
    Str,
}

/// Load balancer attributes set through ModifyLoadBalancerAttributes:
/// (argument, attribute key, kind, default, application load balancers only).
const ATTRS: &[(&str, &str, Kind, &str, bool)] = &[
    (
        "enable_deletion_protection",
        "deletion_protection.enabled",
        Kind::Bool,
        "false",
        false,
    ),
    (
        "idle_timeout",
        "idle_timeout.timeout_seconds",
        Kind::Int,
        "60",
        true,
    ),
    (
        "enable_http2",
        "routing.http2.enabled",
        Kind::Bool,
        "true",
        true,
    ),
    (
        "drop_invalid_header_fields",
        "routing.http.drop_invalid_header_fields.enabled",
        Kind::Bool,
        "false",
        true,
    ),
    (
        "preserve_host_header",
        "routing.http.preserve_host_header.enabled",
        Kind::Bool,
        "false",
        true,
    ),
    (
        "enable_waf_fail_open",
        "waf.fail_open.enabled",
        Kind::Bool,
        "false",
        true,
    ),
    (
        "desync_mitigation_mode",
        "routing.http.desync_mitigation_mode",
        Kind::Str,
        "defensive",
        true,
    ),
    (
        "xff_header_processing_mode",
        "routing.http.xff_header_processing.mode",
        Kind::Str,
        "append",
        true,
    ),
    (
        "enable_tls_version_and_cipher_suite_headers",
        "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
        Kind::Bool,
        "false",
        true,
    ),
    (
        "enable_xff_client_port",
        "routing.http.xff_client_port.enabled",
        Kind::Bool,
        "false",
        true,
    ),
    (
        "client_keep_alive",
        "client_keep_alive.seconds",
        Kind::Int,
        "3600",
        true,
    ),
];

fn kind_value(k: Kind, s: &str) -> Value {
    match k {
        Kind::Bool => Value::bool(s.eq_ignore_ascii_case("true")),
        Kind::Int => Value::int(s.trim().parse().unwrap_or(0)),
        Kind::Str => Value::string(s),
    }
}

/// An attribute's value in a planned/prior object as AWS spells it.
fn attr_string(v: &Value, name: &str, k: Kind) -> Option<String> {
    let x = get(v, name);
    if !x.is_known() || x.is_null() {
        return None;
    }
    match k {
        Kind::Bool => x.as_bool().map(|b| b.to_string()),
        Kind::Int => x
            .as_number()
            .and_then(|n| n.to_i64())
            .map(|n| n.to_string()),
        Kind::Str => x.as_str().map(|s| s.to_string()),
    }
}

pub struct LoadBalancer {
    ty: &'static str,
    schema: Schema,
}

impl LoadBalancer {
    pub fn new(ty: &'static str) -> LoadBalancer {
        let c = || Attribute::computed(Type::String);
        let mut s = Schema::new()
            .attr("id", c())
            .attr("arn", c())
            .attr("arn_suffix", c())
            .attr("dns_name", c())
            .attr("zone_id", c())
            .attr("vpc_id", c())
            .attr(
                "name",
                Attribute::optional_computed(Type::String).force_new(),
            )
            .attr("name_prefix", Attribute::optional(Type::String).force_new())
            .attr(
                "internal",
                Attribute::optional_computed(Type::Bool).force_new(),
            )
            .attr(
                "load_balancer_type",
                Attribute::optional(Type::String)
                    .force_new()
                    .default(Value::string("application")),
            )
            .attr(
                "security_groups",
                Attribute::optional_computed(Type::set(Type::String)),
            )
            .attr(
                "subnets",
                Attribute::optional_computed(Type::set(Type::String)),
            )
            .attr(
                "ip_address_type",
                Attribute::optional_computed(Type::String),
            )
            .attr(
                "customer_owned_ipv4_pool",
                Attribute::optional(Type::String).force_new(),
            )
            .attr(
                "enable_cross_zone_load_balancing",
                Attribute::optional_computed(Type::Bool),
            )
            .block(
                "access_logs",
                BlockNesting::Single,
                Schema::new()
                    .attr("bucket", Attribute::required(Type::String))
                    .attr(
                        "enabled",
                        Attribute::optional(Type::Bool).default(Value::bool(true)),
                    )
                    .attr("prefix", Attribute::optional(Type::String)),
            )
            .block(
                "subnet_mapping",
                BlockNesting::Set,
                Schema::new()
                    .attr("subnet_id", Attribute::required(Type::String))
                    .attr("allocation_id", Attribute::optional(Type::String))
                    .attr("private_ipv4_address", Attribute::optional(Type::String))
                    .attr("ipv6_address", Attribute::optional(Type::String))
                    .attr("outpost_id", Attribute::computed(Type::String)),
            )
            .timeouts(&["create", "update", "delete"]);
        for (name, _, k, d, _) in ATTRS {
            let ty = match k {
                Kind::Bool => Type::Bool,
                Kind::Int => Type::Number,
                Kind::Str => Type::String,
            };
            s = s.attr(name, Attribute::optional(ty).default(kind_value(*k, d)));
        }
        LoadBalancer {
            ty,
            schema: tag_attrs(s),
        }
    }
}

async fn describe(aws: &Aws, arns: &[String]) -> Result<Vec<Lb>, ProviderError> {
    describe_by_arns(arns, 20, |chunk| async move {
        aws.elbv2()
            .describe_load_balancers()
            .set_load_balancer_arns(Some(chunk))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(aws_err)
    })
    .await
}

async fn attributes(aws: &Aws, arn: &str) -> Result<HashMap<String, String>, ProviderError> {
    let out = aws
        .elbv2()
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .map_err(aws_err)?;
    Ok(out
        .attributes()
        .iter()
        .filter_map(|a| Some((a.key()?.to_string(), a.value()?.to_string())))
        .collect())
}

fn to_state(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
    lb: &Lb,
    attrs: &HashMap<String, String>,
    tags: Vec<(String, String)>,
) -> Value {
    let arn = lb.load_balancer_arn().unwrap_or_default();
    let ty = lb
        .r#type()
        .map(|t| t.as_str().to_string())
        .unwrap_or_else(|| "application".to_string());
    let mut m = BTreeMap::new();
    let mut set = |k: &str, x: Value| {
        m.insert(k.to_string(), x);
    };
    set("id", Value::string(arn));
    set("arn", Value::string(arn));
    set("arn_suffix", Value::string(arn_suffix(arn)));
    set("dns_name", opt_str(lb.dns_name()));
    set("zone_id", opt_str(lb.canonical_hosted_zone_id()));
    set("vpc_id", opt_str(lb.vpc_id()));
    set("name", opt_str(lb.load_balancer_name()));
    set("name_prefix", get(prior, "name_prefix"));
    set(
        "internal",
        Value::bool(lb.scheme() == Some(&LoadBalancerSchemeEnum::Internal)),
    );
    set("load_balancer_type", Value::string(&ty));
    set(
        "security_groups",
        str_set(lb.security_groups().iter().cloned()),
    );
    set(
        "subnets",
        str_set(
            lb.availability_zones()
                .iter()
                .filter_map(|z| z.subnet_id().map(|s| s.to_string())),
        ),
    );
    set(
        "ip_address_type",
        opt_str(lb.ip_address_type().map(|t| t.as_str())),
    );
    set(
        "customer_owned_ipv4_pool",
        match lb.customer_owned_ipv4_pool() {
            Some(p) if !p.is_empty() => Value::string(p),
            _ => get(prior, "customer_owned_ipv4_pool"),
        },
    );
    let mapping_ty = Type::Object(
        [
            "subnet_id",
            "allocation_id",
            "private_ipv4_address",
            "ipv6_address",
            "outpost_id",
        ]
        .iter()
        .map(|k| (k.to_string(), Type::String))
        .collect(),
    );
    let mappings = lb
        .availability_zones()
        .iter()
        .map(|z| {
            let addr = z.load_balancer_addresses().first();
            let nonempty = |s: Option<&str>| opt_str(s.filter(|s| !s.is_empty()));
            let mut o = BTreeMap::new();
            o.insert("subnet_id".to_string(), opt_str(z.subnet_id()));
            o.insert(
                "allocation_id".to_string(),
                nonempty(addr.and_then(|a| a.allocation_id())),
            );
            o.insert(
                "private_ipv4_address".to_string(),
                nonempty(addr.and_then(|a| a.private_ipv4_address())),
            );
            o.insert(
                "ipv6_address".to_string(),
                nonempty(addr.and_then(|a| a.ipv6_address())),
            );
            o.insert("outpost_id".to_string(), nonempty(z.outpost_id()));
            Value::object(o)
        })
        .collect();
    set("subnet_mapping", Value::set(mapping_ty, mappings));
    let app = ty == "application";
    for (name, key, k, d, app_only) in ATTRS {
        let v = match attrs.get(*key) {
            Some(s) if app || !app_only => kind_value(*k, s),
            _ => kind_value(*k, d),
        };
        set(name, v);
    }
    set(
        "enable_cross_zone_load_balancing",
        if app {
            // Always on for application load balancers.
            match get(prior, "enable_cross_zone_load_balancing") {
                p if p.is_known() && !p.is_null() => p,
                _ => Value::bool(true),
            }
        } else {
            Value::bool(
                attrs
                    .get("load_balancing.cross_zone.enabled")
                    .is_some_and(|s| s == "true"),
            )
        },
    );
    let logs_on = attrs
        .get("access_logs.s3.enabled")
        .is_some_and(|s| s == "true");
    let prior_logs = get(prior, "access_logs");
    set(
        "access_logs",
        if logs_on || !prior_logs.is_null() {
            let prefix = attrs
                .get("access_logs.s3.prefix")
                .filter(|p| !p.is_empty())
                .map(|p| Value::string(p.as_str()))
                .unwrap_or_else(|| match get(&prior_logs, "prefix") {
                    p if p.as_str() == Some("") => p,
                    _ => Value::null_of(Type::String),
                });
            let mut o = BTreeMap::new();
            o.insert(
                "bucket".to_string(),
                Value::string(
                    attrs
                        .get("access_logs.s3.bucket")
                        .cloned()
                        .unwrap_or_default(),
                ),
            );
            o.insert("enabled".to_string(), Value::bool(logs_on));
            o.insert("prefix".to_string(), prefix);
            Value::object(o)
        } else {
            Value::null()
        },
    );
    let (tags, tags_all) = read_tags(ctx, aws, prior, tags);
    set("tags", tags);
    set("tags_all", tags_all);
    Value::object(m)
}

async fn read_many(
    ctx: &ProviderCtx,
    priors: &[Value],
) -> Result<Vec<Option<Value>>, ProviderError> {
    let aws = aws(ctx).await?;
    let arns: Vec<String> = priors.iter().filter_map(|p| get_str(p, "id")).collect();
    if arns.is_empty() {
        return Ok(vec![None; priors.len()]);
    }
    let found: HashMap<String, Lb> = describe(&aws, &arns)
        .await?
        .into_iter()
        .filter_map(|l| l.load_balancer_arn().map(|a| (a.to_string(), l.clone())))
        .collect();
    let present: Vec<String> = found.keys().cloned().collect();
    let mut tags = describe_tags(&aws, &present).await?;
    let mut out = vec![];
    for p in priors {
        let Some(lb) = get_str(p, "id").and_then(|id| found.get(&id)) else {
            out.push(None);
            continue;
        };
        let arn = lb.load_balancer_arn().unwrap_or_default();
        let attrs = match attributes(&aws, arn).await {
            Ok(a) => a,
            Err(e) if is_not_found(&e) => {
                out.push(None);
                continue;
            }
            Err(e) => return Err(e),
        };
        let t = tags.remove(arn).unwrap_or_default();
        out.push(Some(to_state(ctx, &aws, p, lb, &attrs, t)));
    }
    Ok(out)
}

async fn read_one(ctx: &ProviderCtx, prior: &Value) -> Result<Option<Value>, ProviderError> {
    Ok(read_many(ctx, std::slice::from_ref(prior))
        .await?
        .into_iter()
        .next()
        .flatten())
}

/// ModifyLoadBalancerAttributes for what differs from `prior` (on create:
/// from AWS's defaults).
async fn modify_attributes(
    aws: &Aws,
    arn: &str,
    prior: Option<&Value>,
    planned: &Value,
) -> Result<(), ProviderError> {
    let app = get_str(planned, "load_balancer_type").as_deref() != Some("network")
        && get_str(planned, "load_balancer_type").as_deref() != Some("gateway");
    let mut changes = vec![];
    for (name, key, k, d, app_only) in ATTRS {
        if *app_only && !app {
            continue;
        }
        let Some(want) = attr_string(planned, name, *k) else {
            continue;
        };
        let had = prior
            .and_then(|p| attr_string(p, name, *k))
            .unwrap_or_else(|| d.to_string());
        if want != had {
            changes.push((key.to_string(), want));
        }
    }
    if !app {
        if let Some(want) = get_bool(planned, "enable_cross_zone_load_balancing") {
            let had = prior
                .and_then(|p| get_bool(p, "enable_cross_zone_load_balancing"))
                .unwrap_or(false);
            if want != had {
                changes.push((
                    "load_balancing.cross_zone.enabled".to_string(),
                    want.to_string(),
                ));
            }
        }
    }
    let logs = get(planned, "access_logs");
    let prior_logs = prior
        .map(|p| get(p, "access_logs"))
        .unwrap_or_else(Value::null);
    if !logs.is_null() || !prior_logs.is_null() {
        let fields = |v: &Value| {
            (
                get_bool(v, "enabled").unwrap_or(false),
                get_str(v, "bucket").unwrap_or_default(),
                get_str(v, "prefix").unwrap_or_default(),
            )
        };
        let want = fields(&logs);
        if prior.is_none() && !want.0 && want.1.is_empty() {
            // nothing to set
        } else if want != fields(&prior_logs) {
            changes.push(("access_logs.s3.enabled".to_string(), want.0.to_string()));
            if want.0 {
                changes.push(("access_logs.s3.bucket".to_string(), want.1));
                changes.push(("access_logs.s3.prefix".to_string(), want.2));
            }
        }
    }
    if changes.is_empty() {
        return Ok(());
    }
    aws.elbv2()
        .modify_load_balancer_attributes()
        .load_balancer_arn(arn)
        .set_attributes(Some(
            changes
                .into_iter()
                .map(|(k, v)| LoadBalancerAttribute::builder().key(k).value(v).build())
                .collect(),
        ))
        .send()
        .await
        .map_err(aws_err)?;
    Ok(())
}

fn subnet_mappings(planned: &Value) -> Option<Vec<SubnetMapping>> {
    let items = get(planned, "subnet_mapping");
    let items = items.as_seq()?;
    if items.is_empty() {
        return None;
    }
    Some(
        items
            .iter()
            .map(|m| {
                SubnetMapping::builder()
                    .set_subnet_id(get_str(m, "subnet_id"))
                    .set_allocation_id(get_str(m, "allocation_id").filter(|s| !s.is_empty()))
                    .set_private_ipv4_address(
                        get_str(m, "private_ipv4_address").filter(|s| !s.is_empty()),
                    )
                    .set_ipv6_address(get_str(m, "ipv6_address").filter(|s| !s.is_empty()))
                    .build()
            })
            .collect(),
    )
}

async fn wait_active(aws: &Aws, arn: &str, t: Duration) -> Result<(), ProviderError> {
    wait_until(
        &format!("ELBv2 Load Balancer ({arn}) to be active"),
        t,
        || async {
            let l = describe(aws, &[arn.to_string()]).await?;
            let st = l
                .first()
                .and_then(|l| l.state())
                .and_then(|s| s.code())
                .cloned();
            match st {
                Some(LoadBalancerStateEnum::Failed) => Err(ProviderError::new(format!(
                    "ELBv2 Load Balancer ({arn}) provisioning failed"
                ))),
                Some(LoadBalancerStateEnum::Active) | None => Ok(true),
                _ => Ok(false),
            }
        },
    )
    .await
}

/// The planned set of strings, or `None` when unset or unknown.
fn known_strs(v: &Value, name: &str) -> Option<Vec<String>> {
    let x = get(v, name);
    (x.is_wholly_known() && !x.is_null()).then(|| get_strs(v, name))
}

#[async_trait]
impl Resource for LoadBalancer {
    fn type_name(&self) -> &'static str {
        self.ty
    }
    fn display_name(&self) -> &'static str {
        "ELBv2 Load Balancer"
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
        let mut planned = planned;
        // subnet_mapping is Optional+Computed: unset keeps what AWS has.
        let cfg_maps = get(config, "subnet_mapping");
        if cfg_maps.as_seq().is_none_or(|s| s.is_empty()) && cfg_maps.is_known() {
            let keep = match prior {
                Some(p) if !get(config, "subnets").is_known() => {
                    Value::unknown(get(p, "subnet_mapping").ty())
                }
                Some(p)
                    if get(config, "subnets").is_null()
                        || get_strs(config, "subnets") == get_strs(p, "subnets") =>
                {
                    get(p, "subnet_mapping")
                }
                _ => Value::unknown(get(&planned, "subnet_mapping").ty()),
            };
            planned = with(&planned, "subnet_mapping", keep);
        }
        plan_tags_all(ctx, planned)
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let name = object_name(planned, "tf-lb-");
        let mappings = subnet_mappings(planned);
        let out = aws
            .elbv2()
            .create_load_balancer()
            .name(&name)
            .set_type(
                get_str(planned, "load_balancer_type")
                    .map(|t| LoadBalancerTypeEnum::from(t.as_str())),
            )
            .set_scheme(get_bool(planned, "internal").map(|i| {
                if i {
                    LoadBalancerSchemeEnum::Internal
                } else {
                    LoadBalancerSchemeEnum::InternetFacing
                }
            }))
            .set_subnets(if mappings.is_none() {
                known_strs(planned, "subnets")
            } else {
                None
            })
            .set_subnet_mappings(mappings)
            .set_security_groups(known_strs(planned, "security_groups"))
            .set_ip_address_type(
                get_str(planned, "ip_address_type").map(|t| IpAddressType::from(t.as_str())),
            )
            .set_customer_owned_ipv4_pool(get_str(planned, "customer_owned_ipv4_pool"))
            .set_tags(elb_tags(&planned_tags_all(planned)))
            .send()
            .await
            .map_err(aws_err)?;
        let arn = out
            .load_balancers()
            .first()
            .and_then(|l| l.load_balancer_arn())
            .ok_or_else(|| ProviderError::new("CreateLoadBalancer returned no load balancer"))?
            .to_string();
        let planned_n = with(
            &with(planned, "id", Value::string(&arn)),
            "name",
            Value::string(&name),
        );
        let finish = async {
            wait_active(
                &aws,
                &arn,
                timeout(planned, "create", Duration::from_secs(600)),
            )
            .await?;
            modify_attributes(&aws, &arn, None, planned).await?;
            read_one(ctx, &planned_n).await?.ok_or_else(|| {
                ProviderError::new(format!(
                    "ELBv2 Load Balancer ({arn}) not found after creation"
                ))
            })
        };
        finish.await.map_err(|e| partial_err(e, &planned_n, &arn))
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
        let arn = get_str(prior, "id").unwrap_or_default();
        let elb = aws.elbv2();
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        if let Some(sgs) = known_strs(planned, "security_groups") {
            if sorted(sgs.clone()) != sorted(get_strs(prior, "security_groups")) {
                elb.set_security_groups()
                    .load_balancer_arn(&arn)
                    .set_security_groups(Some(sgs))
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
        }
        let maps_changed = !crate::engine::diff::same(
            &get(planned, "subnet_mapping"),
            &get(prior, "subnet_mapping"),
        ) && get(planned, "subnet_mapping").is_wholly_known();
        let subnets = known_strs(planned, "subnets");
        if maps_changed {
            elb.set_subnets()
                .load_balancer_arn(&arn)
                .set_subnet_mappings(subnet_mappings(planned))
                .send()
                .await
                .map_err(aws_err)?;
        } else if let Some(s) = subnets {
            if sorted(s.clone()) != sorted(get_strs(prior, "subnets")) {
                elb.set_subnets()
                    .load_balancer_arn(&arn)
                    .set_subnets(Some(s))
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
        }
        if let Some(t) = get_str(planned, "ip_address_type") {
            if get_str(prior, "ip_address_type").as_deref() != Some(t.as_str()) {
                elb.set_ip_address_type()
                    .load_balancer_arn(&arn)
                    .ip_address_type(IpAddressType::from(t.as_str()))
                    .send()
                    .await
                    .map_err(aws_err)?;
            }
        }
        modify_attributes(&aws, &arn, Some(prior), planned).await?;
        update_tags(&aws, &arn, prior, planned).await?;
        wait_active(
            &aws,
            &arn,
            timeout(planned, "update", Duration::from_secs(600)),
        )
        .await?;
        read_one(ctx, &with(planned, "id", Value::string(&arn)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!(
                    "ELBv2 Load Balancer ({arn}) not found after update"
                ))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(prior, "id").unwrap_or_default();
        match aws
            .elbv2()
            .delete_load_balancer()
            .load_balancer_arn(&arn)
            .send()
            .await
            .map_err(aws_err)
        {
            Err(e) if is_not_found(&e) => return Ok(()),
            r => r?,
        };
        wait_until(
            &format!("ELBv2 Load Balancer ({arn}) delete"),
            timeout(prior, "delete", Duration::from_secs(600)),
            || async { Ok(describe(&aws, std::slice::from_ref(&arn)).await?.is_empty()) },
        )
        .await
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        read_one(ctx, &import_state(id))
            .await?
            .ok_or_else(|| ProviderError::new(format!("ELBv2 Load Balancer ({id}) not found")))
    }
}
