//! `aws_lb_listener` (alias `aws_alb_listener`).

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{Certificate, Listener as L, ProtocolEnum};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::elbv2::actions::{action_schema, expand_actions, flatten_actions};
use crate::providers::aws::elbv2::{
    describe_by_arns, describe_tags, elb_tags, import_state, update_tags,
};
use crate::providers::aws::{
    aws, aws_err, get, get_i64, get_str, is_not_found, opt_str, partial_err, plan_tags_all,
    planned_tags_all, read_tags, tag_attrs, with, Aws,
};
use crate::providers::{Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema};

pub struct Listener {
    ty: &'static str,
    schema: Schema,
}

impl Listener {
    pub fn new(ty: &'static str) -> Listener {
        let c = || Attribute::computed(Type::String);
        let mut s = Schema::new()
            .attr("id", c())
            .attr("arn", c())
            .attr(
                "load_balancer_arn",
                Attribute::required(Type::String).force_new(),
            )
            .attr("port", Attribute::optional(Type::Number))
            .attr("protocol", Attribute::optional_computed(Type::String))
            .attr("ssl_policy", Attribute::optional_computed(Type::String))
            .attr("certificate_arn", Attribute::optional(Type::String))
            .attr("alpn_policy", Attribute::optional(Type::String))
            .block("default_action", BlockNesting::List, action_schema())
            .timeouts(&["create", "update"]);
        if let Some(b) = s.blocks.get_mut("default_action") {
            b.min_items = 1;
        }
        Listener {
            ty,
            schema: tag_attrs(s),
        }
    }
}

async fn describe(aws: &Aws, arns: &[String]) -> Result<Vec<L>, ProviderError> {
    describe_by_arns(arns, 20, |chunk| async move {
        aws.elbv2()
            .describe_listeners()
            .set_listener_arns(Some(chunk))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(aws_err)
    })
    .await
}

fn to_state(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
    l: &L,
    tags: Vec<(String, String)>,
) -> Value {
    let arn = l.listener_arn().unwrap_or_default();
    let mut m = BTreeMap::new();
    let mut set = |k: &str, x: Value| {
        m.insert(k.to_string(), x);
    };
    set("id", Value::string(arn));
    set("arn", Value::string(arn));
    set("load_balancer_arn", opt_str(l.load_balancer_arn()));
    set(
        "port",
        match l.port() {
            Some(p) => Value::int(p as i64),
            None => Value::null_of(Type::Number),
        },
    );
    set("protocol", opt_str(l.protocol().map(|p| p.as_str())));
    set(
        "ssl_policy",
        opt_str(l.ssl_policy().filter(|s| !s.is_empty())),
    );
    let cert = l
        .certificates()
        .iter()
        .find(|c| c.is_default() != Some(false))
        .and_then(|c| c.certificate_arn());
    set("certificate_arn", opt_str(cert));
    set(
        "alpn_policy",
        match l.alpn_policy().first() {
            Some(a) if !a.is_empty() => Value::string(a.as_str()),
            _ => match get(prior, "alpn_policy") {
                p if p.as_str() == Some("") => p,
                _ => Value::null_of(Type::String),
            },
        },
    );
    set(
        "default_action",
        flatten_actions(l.default_actions(), &get(prior, "default_action")),
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
    let found: HashMap<String, L> = describe(&aws, &arns)
        .await?
        .into_iter()
        .filter_map(|l| l.listener_arn().map(|a| (a.to_string(), l.clone())))
        .collect();
    let present: Vec<String> = found.keys().cloned().collect();
    let mut tags = describe_tags(&aws, &present).await?;
    Ok(priors
        .iter()
        .map(|p| {
            let l = get_str(p, "id").and_then(|id| found.get(&id))?;
            let t = tags
                .remove(l.listener_arn().unwrap_or_default())
                .unwrap_or_default();
            Some(to_state(ctx, &aws, p, l, t))
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

fn certificates(planned: &Value) -> Option<Vec<Certificate>> {
    get_str(planned, "certificate_arn")
        .filter(|c| !c.is_empty())
        .map(|c| vec![Certificate::builder().certificate_arn(c).build()])
}

#[async_trait]
impl Resource for Listener {
    fn type_name(&self) -> &'static str {
        self.ty
    }
    fn display_name(&self) -> &'static str {
        "ELBv2 Listener"
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
            .elbv2()
            .create_listener()
            .set_load_balancer_arn(get_str(planned, "load_balancer_arn"))
            .set_port(get_i64(planned, "port").map(|p| p as i32))
            .set_protocol(get_str(planned, "protocol").map(|p| ProtocolEnum::from(p.as_str())))
            .set_ssl_policy(get_str(planned, "ssl_policy"))
            .set_certificates(certificates(planned))
            .set_alpn_policy(get_str(planned, "alpn_policy").map(|a| vec![a]))
            .set_default_actions(Some(expand_actions(&get(planned, "default_action"))))
            .set_tags(elb_tags(&planned_tags_all(planned)))
            .send()
            .await
            .map_err(aws_err)?;
        let arn = out
            .listeners()
            .first()
            .and_then(|l| l.listener_arn())
            .ok_or_else(|| ProviderError::new("CreateListener returned no listener"))?
            .to_string();
        let planned_n = with(planned, "id", Value::string(&arn));
        read_one(ctx, &planned_n)
            .await
            .and_then(|r| {
                r.ok_or_else(|| {
                    ProviderError::new(format!("ELBv2 Listener ({arn}) not found after creation"))
                })
            })
            .map_err(|e| partial_err(e, &planned_n, &arn))
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
        let mut tag_only = true;
        for k in self
            .schema
            .attributes
            .keys()
            .chain(self.schema.blocks.keys())
        {
            if !matches!(*k, "tags" | "tags_all" | "timeouts")
                && !crate::engine::diff::same(&get(prior, k), &get(planned, k))
            {
                tag_only = false;
            }
        }
        if !tag_only {
            aws.elbv2()
                .modify_listener()
                .listener_arn(&arn)
                .set_port(get_i64(planned, "port").map(|p| p as i32))
                .set_protocol(get_str(planned, "protocol").map(|p| ProtocolEnum::from(p.as_str())))
                .set_ssl_policy(get_str(planned, "ssl_policy"))
                .set_certificates(certificates(planned))
                .set_alpn_policy(get_str(planned, "alpn_policy").map(|a| vec![a]))
                .set_default_actions(Some(expand_actions(&get(planned, "default_action"))))
                .send()
                .await
                .map_err(aws_err)?;
        }
        update_tags(&aws, &arn, prior, planned).await?;
        read_one(ctx, &with(planned, "id", Value::string(&arn)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!("ELBv2 Listener ({arn}) not found after update"))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(prior, "id").unwrap_or_default();
        match aws
            .elbv2()
            .delete_listener()
            .listener_arn(&arn)
            .send()
            .await
            .map_err(aws_err)
        {
            Err(e) if is_not_found(&e) => Ok(()),
            r => r.map(|_| ()),
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        read_one(ctx, &import_state(id))
            .await?
            .ok_or_else(|| ProviderError::new(format!("ELBv2 Listener ({id}) not found")))
    }
}
