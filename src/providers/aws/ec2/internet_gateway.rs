//! `aws_internet_gateway`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ec2::types::ResourceType;

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::{
    aws, aws_err, ec2_tag_spec, from_ec2_tags, get_str, is_not_found, opt_str, partial_err,
    plan_tags_all, planned_tags_all, read_tags, retry_on, tag_attrs, update_ec2_tags, with, Aws,
};
use crate::providers::{Attribute, ProviderCtx, ProviderError, Resource, Schema};

pub struct InternetGateway {
    schema: Schema,
}

impl InternetGateway {
    pub fn new() -> InternetGateway {
        InternetGateway {
            schema: tag_attrs(
                Schema::new()
                    .attr("id", Attribute::computed(Type::String))
                    .attr("arn", Attribute::computed(Type::String))
                    .attr("owner_id", Attribute::computed(Type::String))
                    .attr("vpc_id", Attribute::optional(Type::String)),
            )
            .timeouts(&["create", "update", "delete"]),
        }
    }
}

impl Default for InternetGateway {
    fn default() -> Self {
        InternetGateway::new()
    }
}

async fn describe(
    aws: &Aws,
    ids: &[String],
) -> Result<Vec<aws_sdk_ec2::types::InternetGateway>, ProviderError> {
    describe_by_ids!(aws, ids, describe_internet_gateways, "internet-gateway-id")
}

fn to_state(
    ctx: &ProviderCtx,
    aws: &Aws,
    prior: &Value,
    g: &aws_sdk_ec2::types::InternetGateway,
) -> Value {
    let id = g.internet_gateway_id().unwrap_or_default();
    let owner = g.owner_id().unwrap_or_default();
    let vpc = g
        .attachments()
        .iter()
        .find(|a| {
            !matches!(
                a.state().map(|s| s.as_str()),
                Some("detached") | Some("detaching")
            )
        })
        .and_then(|a| a.vpc_id());
    let (tags, tags_all) = read_tags(ctx, aws, prior, from_ec2_tags(Some(g.tags())));
    let mut m = BTreeMap::new();
    m.insert("id".into(), Value::string(id));
    m.insert(
        "arn".into(),
        Value::string(aws.arn("ec2", owner, &format!("internet-gateway/{id}"))),
    );
    m.insert("owner_id".into(), Value::string(owner));
    m.insert("vpc_id".into(), opt_str(vpc));
    m.insert("tags".into(), tags);
    m.insert("tags_all".into(), tags_all);
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
    let found: HashMap<String, aws_sdk_ec2::types::InternetGateway> = describe(&aws, &ids)
        .await?
        .into_iter()
        .filter_map(|g| {
            g.internet_gateway_id()
                .map(|id| (id.to_string(), g.clone()))
        })
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

async fn attach(aws: &Aws, id: &str, vpc: &str) -> Result<(), ProviderError> {
    retry_on(
        &["InvalidInternetGatewayID.NotFound"],
        Duration::from_secs(120),
        || async {
            aws.ec2()
                .attach_internet_gateway()
                .internet_gateway_id(id)
                .vpc_id(vpc)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_err)
        },
    )
    .await
}

async fn detach(aws: &Aws, id: &str, vpc: &str) -> Result<(), ProviderError> {
    let r = retry_on(
        &["DependencyViolation"],
        Duration::from_secs(900),
        || async {
            aws.ec2()
                .detach_internet_gateway()
                .internet_gateway_id(id)
                .vpc_id(vpc)
                .send()
                .await
                .map(|_| ())
                .map_err(aws_err)
        },
    )
    .await;
    match r {
        Err(e) if is_not_found(&e) || e.code.as_deref() == Some("Gateway.NotAttached") => Ok(()),
        r => r,
    }
}

#[async_trait]
impl Resource for InternetGateway {
    fn type_name(&self) -> &'static str {
        "aws_internet_gateway"
    }
    fn display_name(&self) -> &'static str {
        "EC2 Internet Gateway"
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
            .create_internet_gateway()
            .set_tag_specifications(
                ec2_tag_spec(ResourceType::InternetGateway, &planned_tags_all(planned))
                    .map(|t| vec![t]),
            )
            .send()
            .await
            .map_err(aws_err)?;
        let id = out
            .internet_gateway()
            .and_then(|g| g.internet_gateway_id())
            .ok_or_else(|| ProviderError::new("CreateInternetGateway returned no id"))?
            .to_string();
        let finish = async {
            if let Some(vpc) = get_str(planned, "vpc_id") {
                attach(&aws, &id, &vpc).await?;
            }
            read_one(ctx, &with(planned, "id", Value::string(&id)))
                .await?
                .ok_or_else(|| {
                    ProviderError::new(format!(
                        "EC2 Internet Gateway ({id}) not found after creation"
                    ))
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
        let (old, new) = (get_str(prior, "vpc_id"), get_str(planned, "vpc_id"));
        if old != new {
            if let Some(o) = &old {
                detach(&aws, &id, o).await?;
            }
            if let Some(n) = &new {
                attach(&aws, &id, n).await?;
            }
        }
        update_ec2_tags(&aws, &id, prior, planned).await?;
        read_one(ctx, &with(planned, "id", Value::string(&id)))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!(
                    "EC2 Internet Gateway ({id}) not found after update"
                ))
            })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let id = get_str(prior, "id").unwrap_or_default();
        // Detach from whatever VPC AWS says it is attached to.
        if let Some(cur) = read_one(ctx, prior).await? {
            if let Some(vpc) = get_str(&cur, "vpc_id") {
                detach(&aws, &id, &vpc).await?;
            }
        } else {
            return Ok(());
        }
        let r = retry_on(
            &["DependencyViolation"],
            Duration::from_secs(600),
            || async {
                aws.ec2()
                    .delete_internet_gateway()
                    .internet_gateway_id(&id)
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
            .ok_or_else(|| ProviderError::new(format!("EC2 Internet Gateway ({id}) not found")))
    }
}
