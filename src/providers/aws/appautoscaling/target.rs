//! `aws_appautoscaling_target`.

use async_trait::async_trait;
use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace, SuspendedState};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::appautoscaling::{gone, list_tags, tag_map, update_tags};
use crate::providers::aws::ecs::{first, items, list_of, obj};
use crate::providers::aws::{
    aws, aws_err, get, get_bool, get_i64, get_str, opt_str, partial_err, plan_tags_all,
    planned_tags_all, read_tags, str_map, tag_attrs, Aws,
};
use crate::providers::{Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema};

pub struct Target {
    schema: Schema,
    suspended: Schema,
}

impl Target {
    pub fn new() -> Target {
        let f = || Attribute::optional(Type::Bool).default(Value::bool(false));
        let suspended = Schema::new()
            .attr("dynamic_scaling_in_suspended", f())
            .attr("dynamic_scaling_out_suspended", f())
            .attr("scheduled_scaling_suspended", f());
        Target {
            schema: tag_attrs(
                Schema::new()
                    .attr("id", Attribute::computed(Type::String))
                    .attr("arn", Attribute::computed(Type::String))
                    .attr(
                        "service_namespace",
                        Attribute::required(Type::String).force_new(),
                    )
                    .attr("resource_id", Attribute::required(Type::String).force_new())
                    .attr(
                        "scalable_dimension",
                        Attribute::required(Type::String).force_new(),
                    )
                    .attr("min_capacity", Attribute::required(Type::Number))
                    .attr("max_capacity", Attribute::required(Type::Number))
                    .attr("role_arn", Attribute::optional_computed(Type::String))
                    .block("suspended_state", BlockNesting::List, suspended.clone()),
            ),
            suspended,
        }
    }
}

impl Default for Target {
    fn default() -> Self {
        Target::new()
    }
}

async fn describe(
    aws: &Aws,
    ns: &str,
    rid: &str,
    dim: &str,
) -> Result<Option<aws_sdk_applicationautoscaling::types::ScalableTarget>, ProviderError> {
    let out = aws
        .appautoscaling()
        .describe_scalable_targets()
        .service_namespace(ServiceNamespace::from(ns))
        .resource_ids(rid)
        .scalable_dimension(ScalableDimension::from(dim))
        .send()
        .await
        .map_err(aws_err);
    let out = match out {
        Err(e) if gone(&e) => return Ok(None),
        r => r?,
    };
    Ok(out
        .scalable_targets()
        .iter()
        .find(|t| t.resource_id() == rid && t.scalable_dimension().as_str() == dim)
        .cloned())
}

impl Target {
    async fn read_one(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        let ns = get_str(prior, "service_namespace").unwrap_or_default();
        let rid = get_str(prior, "resource_id")
            .or_else(|| get_str(prior, "id"))
            .unwrap_or_default();
        let dim = get_str(prior, "scalable_dimension").unwrap_or_default();
        let Some(t) = describe(&aws, &ns, &rid, &dim).await? else {
            return Ok(None);
        };
        let arn = t.scalable_target_arn().unwrap_or_default().to_string();
        let aws_tags = match list_tags(&aws, &arn).await? {
            Some(t) => t,
            None => str_map(&get(prior, "tags_all"))
                .unwrap_or_default()
                .into_iter()
                .collect(),
        };
        let (tags, tags_all) = read_tags(ctx, &aws, prior, aws_tags);
        let suspended: Vec<Value> = t
            .suspended_state()
            .filter(|s| {
                s.dynamic_scaling_in_suspended() == Some(true)
                    || s.dynamic_scaling_out_suspended() == Some(true)
                    || s.scheduled_scaling_suspended() == Some(true)
                    || !items(prior, "suspended_state").is_empty()
            })
            .map(|s| {
                let b = |x: Option<bool>| Value::bool(x.unwrap_or(false));
                vec![obj(vec![
                    (
                        "dynamic_scaling_in_suspended",
                        b(s.dynamic_scaling_in_suspended()),
                    ),
                    (
                        "dynamic_scaling_out_suspended",
                        b(s.dynamic_scaling_out_suspended()),
                    ),
                    (
                        "scheduled_scaling_suspended",
                        b(s.scheduled_scaling_suspended()),
                    ),
                ])]
            })
            .unwrap_or_default();
        Ok(Some(obj(vec![
            ("id", Value::string(t.resource_id())),
            ("arn", Value::string(&arn)),
            (
                "service_namespace",
                Value::string(t.service_namespace().as_str()),
            ),
            ("resource_id", Value::string(t.resource_id())),
            (
                "scalable_dimension",
                Value::string(t.scalable_dimension().as_str()),
            ),
            ("min_capacity", Value::int(t.min_capacity() as i64)),
            ("max_capacity", Value::int(t.max_capacity() as i64)),
            (
                "role_arn",
                opt_str(Some(t.role_arn()).filter(|r| !r.is_empty())),
            ),
            ("suspended_state", list_of(&self.suspended, suspended)),
            ("tags", tags),
            ("tags_all", tags_all),
        ])))
    }

    async fn register(
        &self,
        aws: &Aws,
        planned: &Value,
        with_tags: bool,
    ) -> Result<Option<String>, ProviderError> {
        let out = aws
            .appautoscaling()
            .register_scalable_target()
            .service_namespace(ServiceNamespace::from(
                get_str(planned, "service_namespace")
                    .unwrap_or_default()
                    .as_str(),
            ))
            .set_resource_id(get_str(planned, "resource_id"))
            .scalable_dimension(ScalableDimension::from(
                get_str(planned, "scalable_dimension")
                    .unwrap_or_default()
                    .as_str(),
            ))
            .set_min_capacity(get_i64(planned, "min_capacity").map(|x| x as i32))
            .set_max_capacity(get_i64(planned, "max_capacity").map(|x| x as i32))
            .set_role_arn(get_str(planned, "role_arn"))
            .set_suspended_state(first(planned, "suspended_state").map(|s| {
                SuspendedState::builder()
                    .set_dynamic_scaling_in_suspended(get_bool(&s, "dynamic_scaling_in_suspended"))
                    .set_dynamic_scaling_out_suspended(get_bool(
                        &s,
                        "dynamic_scaling_out_suspended",
                    ))
                    .set_scheduled_scaling_suspended(get_bool(&s, "scheduled_scaling_suspended"))
                    .build()
            }))
            .set_tags(if with_tags {
                tag_map(&planned_tags_all(planned))
            } else {
                None
            })
            .send()
            .await
            .map_err(aws_err)?;
        Ok(out.scalable_target_arn().map(|s| s.to_string()))
    }
}

#[async_trait]
impl Resource for Target {
    fn type_name(&self) -> &'static str {
        "aws_appautoscaling_target"
    }
    fn display_name(&self) -> &'static str {
        "Application Auto Scaling Target"
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
        self.register(&aws, planned, true).await?;
        let rid = get_str(planned, "resource_id").unwrap_or_default();
        let state = crate::providers::aws::with(planned, "id", Value::string(&rid));
        let state = crate::providers::aws::with(&state, "tags_all", get(planned, "tags_all"));
        self.read_one(ctx, &state)
            .await
            .and_then(|v| {
                v.ok_or_else(|| {
                    ProviderError::new(format!(
                        "Application Auto Scaling Target ({rid}) not found after creation"
                    ))
                })
            })
            .map_err(|e| partial_err(e, planned, &rid))
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        self.read_one(ctx, state).await
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        self.register(&aws, planned, false).await?;
        let arn = get_str(prior, "arn").unwrap_or_default();
        if !crate::engine::diff::same(&get(prior, "tags_all"), &get(planned, "tags_all")) {
            update_tags(&aws, &arn, prior, planned).await?;
        }
        let state = crate::providers::aws::with(planned, "tags_all", get(planned, "tags_all"));
        self.read_one(ctx, &state).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Application Auto Scaling Target ({arn}) not found after update"
            ))
        })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let r = aws
            .appautoscaling()
            .deregister_scalable_target()
            .service_namespace(ServiceNamespace::from(
                get_str(prior, "service_namespace")
                    .unwrap_or_default()
                    .as_str(),
            ))
            .set_resource_id(get_str(prior, "resource_id"))
            .scalable_dimension(ScalableDimension::from(
                get_str(prior, "scalable_dimension")
                    .unwrap_or_default()
                    .as_str(),
            ))
            .send()
            .await
            .map_err(aws_err);
        match r {
            Err(e) if gone(&e) => Ok(()),
            r => r.map(|_| ()),
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let parts: Vec<&str> = id.split('/').collect();
        if parts.len() < 3 {
            return Err(ProviderError::new(format!(
                "unexpected format of ID ({id}), expected service-namespace/resource-id/scalable-dimension"
            )));
        }
        let prior = obj(vec![
            ("service_namespace", Value::string(parts[0])),
            (
                "resource_id",
                Value::string(parts[1..parts.len() - 1].join("/")),
            ),
            ("scalable_dimension", Value::string(parts[parts.len() - 1])),
        ]);
        self.read_one(ctx, &prior).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Cannot import non-existent remote object: Application Auto Scaling Target ({id})"
            ))
        })
    }
}
