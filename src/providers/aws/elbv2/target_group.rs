//! `aws_lb_target_group` (alias `aws_alb_target_group`).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    Matcher, ProtocolEnum, TargetGroup as Tg, TargetGroupAttribute, TargetGroupIpAddressTypeEnum,
    TargetTypeEnum,
};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::elbv2::{
    arn_suffix, describe_by_arns, describe_tags, elb_tags, import_state, object_name, update_tags,
};
use crate::providers::aws::{
    aws, aws_err, get, get_bool, get_i64, get_str, is_not_found, opt_str, partial_err,
    plan_tags_all, planned_tags_all, read_tags, retry_on, str_set, tag_attrs, with, Aws,
};
use crate::providers::{Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema};

pub struct TargetGroup {
    ty: &'static str,
    schema: Schema,
}

fn health_check_schema() -> Schema {
    let n = |d: i64| Attribute::optional(Type::Number).default(Value::int(d));
    Schema::new()
        .attr(
            "enabled",
            Attribute::optional(Type::Bool).default(Value::bool(true)),
        )
        .attr("healthy_threshold", n(3))
        .attr("interval", n(30))
        .attr("matcher", Attribute::optional_computed(Type::String))
        .attr("path", Attribute::optional_computed(Type::String))
        .attr(
            "port",
            Attribute::optional(Type::String).default(Value::string("traffic-port")),
        )
        .attr(
            "protocol",
            Attribute::optional(Type::String).default(Value::string("HTTP")),
        )
        .attr("timeout", Attribute::optional_computed(Type::Number))
        .attr("unhealthy_threshold", n(3))
}

fn stickiness_schema() -> Schema {
    Schema::new()
        .attr(
            "enabled",
            Attribute::optional(Type::Bool).default(Value::bool(true)),
        )
        .attr("type", Attribute::required(Type::String))
        .attr(
            "cookie_duration",
            Attribute::optional(Type::Number).default(Value::int(86400)),
        )
        .attr("cookie_name", Attribute::optional(Type::String))
}

impl TargetGroup {
    pub fn new(ty: &'static str) -> TargetGroup {
        let c = || Attribute::computed(Type::String);
        TargetGroup {
            ty,
            schema: tag_attrs(
                Schema::new()
                    .attr("id", c())
                    .attr("arn", c())
                    .attr("arn_suffix", c())
                    .attr(
                        "load_balancer_arns",
                        Attribute::computed(Type::set(Type::String)),
                    )
                    .attr(
                        "name",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr("name_prefix", Attribute::optional(Type::String).force_new())
                    .attr("port", Attribute::optional(Type::Number).force_new())
                    .attr("protocol", Attribute::optional(Type::String).force_new())
                    .attr("vpc_id", Attribute::optional(Type::String).force_new())
                    .attr(
                        "target_type",
                        Attribute::optional(Type::String)
                            .force_new()
                            .default(Value::string("instance")),
                    )
                    .attr(
                        "protocol_version",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "ip_address_type",
                        Attribute::optional_computed(Type::String).force_new(),
                    )
                    .attr(
                        "deregistration_delay",
                        Attribute::optional(Type::String).default(Value::string("300")),
                    )
                    .attr(
                        "slow_start",
                        Attribute::optional(Type::Number).default(Value::int(0)),
                    )
                    .attr(
                        "load_balancing_algorithm_type",
                        Attribute::optional_computed(Type::String),
                    )
                    .attr(
                        "load_balancing_cross_zone_enabled",
                        Attribute::optional_computed(Type::String),
                    )
                    .block("health_check", BlockNesting::Single, health_check_schema())
                    .block("stickiness", BlockNesting::Single, stickiness_schema()),
            ),
        }
    }
}

async fn describe(aws: &Aws, arns: &[String]) -> Result<Vec<Tg>, ProviderError> {
    describe_by_arns(arns, 100, |chunk| async move {
        aws.elbv2()
            .describe_target_groups()
            .set_target_group_arns(Some(chunk))
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
        .describe_target_group_attributes()
        .target_group_arn(arn)
        .send()
        .await
        .map_err(aws_err)?;
    Ok(out
        .attributes()
        .iter()
        .filter_map(|a| Some((a.key()?.to_string(), a.value()?.to_string())))
        .collect())
}

fn int_or(s: Option<&String>, d: i64) -> Value {
    Value::int(s.and_then(|s| s.trim().parse().ok()).unwrap_or(d))
}

fn to_state(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
    tg: &Tg,
    attrs: &HashMap<String, String>,
    tags: Vec<(String, String)>,
) -> Value {
    let arn = tg.target_group_arn().unwrap_or_default();
    let mut m = BTreeMap::new();
    let mut set = |k: &str, x: Value| {
        m.insert(k.to_string(), x);
    };
    set("id", Value::string(arn));
    set("arn", Value::string(arn));
    set("arn_suffix", Value::string(arn_suffix(arn)));
    set(
        "load_balancer_arns",
        str_set(tg.load_balancer_arns().iter().cloned()),
    );
    set("name", opt_str(tg.target_group_name()));
    set("name_prefix", get(prior, "name_prefix"));
    set(
        "port",
        match tg.port() {
            Some(p) => Value::int(p as i64),
            None => Value::null_of(Type::Number),
        },
    );
    set("protocol", opt_str(tg.protocol().map(|p| p.as_str())));
    set("vpc_id", opt_str(tg.vpc_id()));
    set(
        "target_type",
        Value::string(tg.target_type().map(|t| t.as_str()).unwrap_or("instance")),
    );
    set("protocol_version", opt_str(tg.protocol_version()));
    set(
        "ip_address_type",
        opt_str(tg.ip_address_type().map(|t| t.as_str())),
    );
    // A number in AWS; kept as configured when numerically equal.
    let delay = attrs
        .get("deregistration_delay.timeout_seconds")
        .cloned()
        .unwrap_or_else(|| "300".to_string());
    set(
        "deregistration_delay",
        match get_str(prior, "deregistration_delay") {
            Some(p) if p.trim().parse::<i64>().ok() == delay.trim().parse::<i64>().ok() => {
                Value::string(p)
            }
            _ => Value::string(delay),
        },
    );
    set(
        "slow_start",
        int_or(attrs.get("slow_start.duration_seconds"), 0),
    );
    set(
        "load_balancing_algorithm_type",
        opt_str(
            attrs
                .get("load_balancing.algorithm.type")
                .map(|s| s.as_str()),
        ),
    );
    set(
        "load_balancing_cross_zone_enabled",
        opt_str(
            attrs
                .get("load_balancing.cross_zone.enabled")
                .map(|s| s.as_str()),
        ),
    );
    let num = |x: Option<i32>| match x {
        Some(n) => Value::int(n as i64),
        None => Value::null_of(Type::Number),
    };
    let mut hc = BTreeMap::new();
    hc.insert(
        "enabled".to_string(),
        Value::bool(tg.health_check_enabled().unwrap_or(true)),
    );
    hc.insert(
        "healthy_threshold".to_string(),
        num(tg.healthy_threshold_count()),
    );
    hc.insert(
        "interval".to_string(),
        num(tg.health_check_interval_seconds()),
    );
    hc.insert(
        "matcher".to_string(),
        opt_str(tg.matcher().and_then(|m| m.http_code().or(m.grpc_code()))),
    );
    hc.insert("path".to_string(), opt_str(tg.health_check_path()));
    hc.insert(
        "port".to_string(),
        Value::string(tg.health_check_port().unwrap_or("traffic-port")),
    );
    hc.insert(
        "protocol".to_string(),
        opt_str(tg.health_check_protocol().map(|p| p.as_str())),
    );
    hc.insert(
        "timeout".to_string(),
        num(tg.health_check_timeout_seconds()),
    );
    hc.insert(
        "unhealthy_threshold".to_string(),
        num(tg.unhealthy_threshold_count()),
    );
    set("health_check", Value::object(hc));
    let st_type = attrs.get("stickiness.type").cloned();
    let stickiness = match st_type {
        Some(t) if !t.is_empty() => {
            let mut s = BTreeMap::new();
            s.insert(
                "enabled".to_string(),
                Value::bool(attrs.get("stickiness.enabled").is_some_and(|s| s == "true")),
            );
            let duration_key = if t == "app_cookie" {
                "stickiness.app_cookie.duration_seconds"
            } else {
                "stickiness.lb_cookie.duration_seconds"
            };
            s.insert(
                "cookie_duration".to_string(),
                int_or(attrs.get(duration_key), 86400),
            );
            let prior_name = get(&get(prior, "stickiness"), "cookie_name");
            s.insert(
                "cookie_name".to_string(),
                match attrs.get("stickiness.app_cookie.cookie_name") {
                    Some(n) if t == "app_cookie" && !n.is_empty() => Value::string(n.as_str()),
                    _ if prior_name.as_str() == Some("") => prior_name,
                    _ => Value::null_of(Type::String),
                },
            );
            s.insert("type".to_string(), Value::string(t));
            Value::object(s)
        }
        _ => get(prior, "stickiness"),
    };
    set("stickiness", stickiness);
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
    let found: HashMap<String, Tg> = describe(&aws, &arns)
        .await?
        .into_iter()
        .filter_map(|t| t.target_group_arn().map(|a| (a.to_string(), t.clone())))
        .collect();
    let present: Vec<String> = found.keys().cloned().collect();
    let mut tags = describe_tags(&aws, &present).await?;
    let mut out = vec![];
    for p in priors {
        let Some(tg) = get_str(p, "id").and_then(|id| found.get(&id)) else {
            out.push(None);
            continue;
        };
        let arn = tg.target_group_arn().unwrap_or_default();
        let attrs = match attributes(&aws, arn).await {
            Ok(a) => a,
            Err(e) if is_not_found(&e) => {
                out.push(None);
                continue;
            }
            Err(e) => return Err(e),
        };
        let t = tags.remove(arn).unwrap_or_default();
        out.push(Some(to_state(ctx, &aws, p, tg, &attrs, t)));
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

fn i32_of(v: &Value, name: &str) -> Option<i32> {
    get_i64(v, name).map(|n| n as i32)
}

/// The health check settings of a planned `health_check` block onto a
/// CreateTargetGroup or ModifyTargetGroup request.
macro_rules! with_health_check {
    ($req:expr, $hc:expr) => {{
        let hc = $hc;
        let proto = get_str(hc, "protocol").map(|p| p.to_uppercase());
        let http = matches!(proto.as_deref(), Some("HTTP") | Some("HTTPS"));
        $req.set_health_check_enabled(get_bool(hc, "enabled"))
            .set_healthy_threshold_count(i32_of(hc, "healthy_threshold"))
            .set_unhealthy_threshold_count(i32_of(hc, "unhealthy_threshold"))
            .set_health_check_interval_seconds(i32_of(hc, "interval"))
            .set_health_check_timeout_seconds(i32_of(hc, "timeout"))
            .set_health_check_port(get_str(hc, "port"))
            .set_health_check_protocol(proto.as_deref().map(ProtocolEnum::from))
            .set_health_check_path(get_str(hc, "path").filter(|p| http && !p.is_empty()))
            .set_matcher(
                get_str(hc, "matcher")
                    .filter(|m| http && !m.is_empty())
                    .map(|m| Matcher::builder().http_code(m).build()),
            )
    }};
}

/// ModifyTargetGroupAttributes for what differs from `prior`.
async fn modify_attributes(
    aws: &Aws,
    arn: &str,
    prior: Option<&Value>,
    planned: &Value,
) -> Result<(), ProviderError> {
    let mut changes: Vec<(String, String)> = vec![];
    let lambda = get_str(planned, "target_type").as_deref() == Some("lambda");
    let changed = |name: &str| match prior {
        None => true,
        Some(p) => !crate::engine::diff::same(&get(p, name), &get(planned, name)),
    };
    if !lambda && changed("deregistration_delay") {
        if let Some(d) = get_str(planned, "deregistration_delay") {
            changes.push(("deregistration_delay.timeout_seconds".into(), d));
        }
    }
    if changed("slow_start") {
        if let Some(s) = get_i64(planned, "slow_start") {
            if prior.is_some() || s != 0 {
                changes.push(("slow_start.duration_seconds".into(), s.to_string()));
            }
        }
    }
    if changed("load_balancing_algorithm_type") {
        if let Some(a) = get_str(planned, "load_balancing_algorithm_type") {
            changes.push(("load_balancing.algorithm.type".into(), a));
        }
    }
    if changed("load_balancing_cross_zone_enabled") {
        if let Some(a) = get_str(planned, "load_balancing_cross_zone_enabled") {
            changes.push(("load_balancing.cross_zone.enabled".into(), a));
        }
    }
    let st = get(planned, "stickiness");
    if changed("stickiness") && st.is_wholly_known() && !st.is_null() {
        let enabled = get_bool(&st, "enabled").unwrap_or(true);
        let ty = get_str(&st, "type").unwrap_or_default();
        changes.push(("stickiness.enabled".into(), enabled.to_string()));
        if !ty.is_empty() {
            changes.push(("stickiness.type".into(), ty.clone()));
        }
        let dur = get_i64(&st, "cookie_duration").unwrap_or(86400).to_string();
        match ty.as_str() {
            "lb_cookie" => changes.push(("stickiness.lb_cookie.duration_seconds".into(), dur)),
            "app_cookie" => {
                changes.push(("stickiness.app_cookie.duration_seconds".into(), dur));
                if let Some(n) = get_str(&st, "cookie_name") {
                    changes.push(("stickiness.app_cookie.cookie_name".into(), n));
                }
            }
            _ => {}
        }
    }
    if changes.is_empty() {
        return Ok(());
    }
    aws.elbv2()
        .modify_target_group_attributes()
        .target_group_arn(arn)
        .set_attributes(Some(
            changes
                .into_iter()
                .map(|(k, v)| TargetGroupAttribute::builder().key(k).value(v).build())
                .collect(),
        ))
        .send()
        .await
        .map_err(aws_err)?;
    Ok(())
}

#[async_trait]
impl Resource for TargetGroup {
    fn type_name(&self) -> &'static str {
        self.ty
    }
    fn display_name(&self) -> &'static str {
        "ELBv2 Target Group"
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
        // health_check and stickiness are Optional+Computed blocks: when
        // the configuration has none, AWS's settings stand.
        for b in ["health_check", "stickiness"] {
            let c = get(config, b);
            if c.is_null() && c.is_known() {
                let ty = self.schema.blocks[b].block.value_type();
                let keep = match prior {
                    Some(p) => get(p, b),
                    None => Value::unknown(ty),
                };
                planned = with(&planned, b, keep);
            }
        }
        // protocol is stored upper-case (StateFunc).
        if let Some(p) = get_str(&planned, "protocol") {
            planned = with(&planned, "protocol", Value::string(p.to_uppercase()));
        }
        plan_tags_all(ctx, planned)
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let name = object_name(planned, "tf-");
        let hc = get(planned, "health_check");
        let mut req = aws
            .elbv2()
            .create_target_group()
            .name(&name)
            .set_port(i32_of(planned, "port"))
            .set_protocol(
                get_str(planned, "protocol").map(|p| ProtocolEnum::from(p.to_uppercase().as_str())),
            )
            .set_protocol_version(get_str(planned, "protocol_version"))
            .set_vpc_id(get_str(planned, "vpc_id"))
            .set_target_type(
                get_str(planned, "target_type").map(|t| TargetTypeEnum::from(t.as_str())),
            )
            .set_ip_address_type(
                get_str(planned, "ip_address_type")
                    .map(|t| TargetGroupIpAddressTypeEnum::from(t.as_str())),
            )
            .set_tags(elb_tags(&planned_tags_all(planned)));
        if !hc.is_null() && hc.is_known() {
            req = with_health_check!(req, &hc);
        }
        let out = req.send().await.map_err(aws_err)?;
        let arn = out
            .target_groups()
            .first()
            .and_then(|t| t.target_group_arn())
            .ok_or_else(|| ProviderError::new("CreateTargetGroup returned no target group"))?
            .to_string();
        let planned_n = with(
            &with(planned, "id", Value::string(&arn)),
            "name",
            Value::string(&name),
        );
        let finish = async {
            modify_attributes(&aws, &arn, None, planned).await?;
            read_one(ctx, &planned_n).await?.ok_or_else(|| {
                ProviderError::new(format!(
                    "ELBv2 Target Group ({arn}) not found after creation"
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
        let hc = get(planned, "health_check");
        if !hc.is_null()
            && hc.is_wholly_known()
            && !crate::engine::diff::same(&hc, &get(prior, "health_check"))
        {
            let req = aws.elbv2().modify_target_group().target_group_arn(&arn);
            with_health_check!(req, &hc).send().await.map_err(aws_err)?;
        }
        modify_attributes(&aws, &arn, Some(prior), planned).await?;
        update_tags(&aws, &arn, prior, planned).await?;
        read_one(ctx, &with(planned, "id", Value::string(&arn)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!("ELBv2 Target Group ({arn}) not found after update"))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(prior, "id").unwrap_or_default();
        let r = retry_on(&["ResourceInUse"], Duration::from_secs(120), || async {
            aws.elbv2()
                .delete_target_group()
                .target_group_arn(&arn)
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
        read_one(ctx, &import_state(id))
            .await?
            .ok_or_else(|| ProviderError::new(format!("ELBv2 Target Group ({id}) not found")))
    }
}
