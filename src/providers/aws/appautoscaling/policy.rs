//! `aws_appautoscaling_policy`: PutScalingPolicy both creates and updates.

use async_trait::async_trait;
use aws_sdk_applicationautoscaling::types::{
    AdjustmentType, CustomizedMetricSpecification, MetricAggregationType, MetricDimension,
    MetricStatistic, MetricType, PolicyType, PredefinedMetricSpecification, ScalableDimension,
    ScalingPolicy, ServiceNamespace, StepAdjustment, StepScalingPolicyConfiguration,
    TargetTrackingScalingPolicyConfiguration,
};

use crate::lang::number::Number;
use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::appautoscaling::gone;
use crate::providers::aws::ecs::{first, items, list_of, obj, opt_int, set_of};
use crate::providers::aws::{
    aws, aws_err, get, get_bool, get_i64, get_str, opt_str, str_list, Aws,
};
use crate::providers::{Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema};

pub struct Policy {
    schema: Schema,
    step: Schema,
    adj: Schema,
    tt: Schema,
    pre: Schema,
    cust: Schema,
    dim: Schema,
}

fn num(v: &Value, k: &str) -> Option<f64> {
    get(v, k).as_number().map(|n| n.to_f64())
}

fn fnum(f: Option<f64>) -> Value {
    match f.and_then(Number::from_f64) {
        Some(n) => Value::number(n),
        None => Value::null_of(Type::Number),
    }
}

/// A step bound as the provider keeps it: a string ("" when unset).
fn bound(f: Option<f64>) -> Value {
    Value::string(match f {
        Some(x) if x.fract() == 0.0 => format!("{}", x as i64),
        Some(x) => format!("{x}"),
        None => String::new(),
    })
}

impl Policy {
    pub fn new() -> Policy {
        let s = || Attribute::optional(Type::String);
        let n = || Attribute::optional(Type::Number);
        let adj = Schema::new()
            .attr(
                "metric_interval_lower_bound",
                s().default(Value::string("")),
            )
            .attr(
                "metric_interval_upper_bound",
                s().default(Value::string("")),
            )
            .attr("scaling_adjustment", Attribute::required(Type::Number));
        let step = Schema::new()
            .attr("adjustment_type", s())
            .attr("cooldown", n())
            .attr(
                "metric_aggregation_type",
                Attribute::optional_computed(Type::String),
            )
            .attr("min_adjustment_magnitude", n())
            .block("step_adjustment", BlockNesting::Set, adj.clone());
        let pre = Schema::new()
            .attr("predefined_metric_type", Attribute::required(Type::String))
            .attr("resource_label", s());
        let dim = Schema::new()
            .attr("name", Attribute::required(Type::String))
            .attr("value", Attribute::required(Type::String));
        let cust = Schema::new()
            .attr("metric_name", s())
            .attr("namespace", s())
            .attr("statistic", s())
            .attr("unit", s())
            .block("dimensions", BlockNesting::Set, dim.clone());
        let tt = Schema::new()
            .attr("target_value", Attribute::required(Type::Number))
            .attr(
                "disable_scale_in",
                Attribute::optional(Type::Bool).default(Value::bool(false)),
            )
            .attr("scale_in_cooldown", n())
            .attr("scale_out_cooldown", n())
            .block(
                "predefined_metric_specification",
                BlockNesting::List,
                pre.clone(),
            )
            .block(
                "customized_metric_specification",
                BlockNesting::List,
                cust.clone(),
            );
        let fnew = || Attribute::required(Type::String).force_new();
        Policy {
            schema: Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("arn", Attribute::computed(Type::String))
                .attr("alarm_arns", Attribute::computed(Type::list(Type::String)))
                .attr("name", fnew())
                .attr("resource_id", fnew())
                .attr("scalable_dimension", fnew())
                .attr("service_namespace", fnew())
                .attr(
                    "policy_type",
                    Attribute::optional(Type::String).default(Value::string("StepScaling")),
                )
                .block(
                    "step_scaling_policy_configuration",
                    BlockNesting::List,
                    step.clone(),
                )
                .block(
                    "target_tracking_scaling_policy_configuration",
                    BlockNesting::List,
                    tt.clone(),
                ),
            step,
            adj,
            tt,
            pre,
            cust,
            dim,
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::new()
    }
}

async fn describe(
    aws: &Aws,
    ns: &str,
    rid: &str,
    dim: &str,
    name: &str,
) -> Result<Option<ScalingPolicy>, ProviderError> {
    let out = aws
        .appautoscaling()
        .describe_scaling_policies()
        .service_namespace(ServiceNamespace::from(ns))
        .resource_id(rid)
        .scalable_dimension(ScalableDimension::from(dim))
        .policy_names(name)
        .send()
        .await
        .map_err(aws_err);
    let out = match out {
        Err(e) if gone(&e) => return Ok(None),
        r => r?,
    };
    Ok(out
        .scaling_policies()
        .iter()
        .find(|p| p.policy_name() == name && p.resource_id() == rid)
        .cloned())
}

impl Policy {
    fn to_state(&self, p: &ScalingPolicy) -> Value {
        let step: Vec<Value> = p
            .step_scaling_policy_configuration()
            .map(|s| {
                let adjs: Vec<Value> = s
                    .step_adjustments()
                    .iter()
                    .map(|a| {
                        obj(vec![
                            (
                                "metric_interval_lower_bound",
                                bound(a.metric_interval_lower_bound()),
                            ),
                            (
                                "metric_interval_upper_bound",
                                bound(a.metric_interval_upper_bound()),
                            ),
                            (
                                "scaling_adjustment",
                                Value::int(a.scaling_adjustment() as i64),
                            ),
                        ])
                    })
                    .collect();
                vec![obj(vec![
                    (
                        "adjustment_type",
                        opt_str(s.adjustment_type().map(|x| x.as_str())),
                    ),
                    ("cooldown", opt_int(s.cooldown())),
                    (
                        "metric_aggregation_type",
                        opt_str(s.metric_aggregation_type().map(|x| x.as_str())),
                    ),
                    (
                        "min_adjustment_magnitude",
                        opt_int(s.min_adjustment_magnitude()),
                    ),
                    ("step_adjustment", set_of(&self.adj, adjs)),
                ])]
            })
            .unwrap_or_default();
        let tt: Vec<Value> = p
            .target_tracking_scaling_policy_configuration()
            .map(|t| {
                let pre: Vec<Value> = t
                    .predefined_metric_specification()
                    .map(|m| {
                        vec![obj(vec![
                            (
                                "predefined_metric_type",
                                Value::string(m.predefined_metric_type().as_str()),
                            ),
                            ("resource_label", opt_str(m.resource_label())),
                        ])]
                    })
                    .unwrap_or_default();
                let cust: Vec<Value> = t
                    .customized_metric_specification()
                    .map(|c| {
                        let dims: Vec<Value> = c
                            .dimensions()
                            .iter()
                            .map(|d| {
                                obj(vec![
                                    ("name", Value::string(d.name())),
                                    ("value", Value::string(d.value())),
                                ])
                            })
                            .collect();
                        vec![obj(vec![
                            ("metric_name", opt_str(c.metric_name())),
                            ("namespace", opt_str(c.namespace())),
                            ("statistic", opt_str(c.statistic().map(|x| x.as_str()))),
                            ("unit", opt_str(c.unit())),
                            ("dimensions", set_of(&self.dim, dims)),
                        ])]
                    })
                    .unwrap_or_default();
                vec![obj(vec![
                    ("target_value", fnum(Some(t.target_value()))),
                    (
                        "disable_scale_in",
                        Value::bool(t.disable_scale_in().unwrap_or(false)),
                    ),
                    ("scale_in_cooldown", opt_int(t.scale_in_cooldown())),
                    ("scale_out_cooldown", opt_int(t.scale_out_cooldown())),
                    ("predefined_metric_specification", list_of(&self.pre, pre)),
                    ("customized_metric_specification", list_of(&self.cust, cust)),
                ])]
            })
            .unwrap_or_default();
        obj(vec![
            ("id", Value::string(p.policy_name())),
            ("arn", Value::string(p.policy_arn())),
            (
                "alarm_arns",
                str_list(p.alarms().iter().map(|a| a.alarm_arn().to_string())),
            ),
            ("name", Value::string(p.policy_name())),
            ("resource_id", Value::string(p.resource_id())),
            (
                "scalable_dimension",
                Value::string(p.scalable_dimension().as_str()),
            ),
            (
                "service_namespace",
                Value::string(p.service_namespace().as_str()),
            ),
            ("policy_type", Value::string(p.policy_type().as_str())),
            (
                "step_scaling_policy_configuration",
                list_of(&self.step, step),
            ),
            (
                "target_tracking_scaling_policy_configuration",
                list_of(&self.tt, tt),
            ),
        ])
    }

    async fn read_one(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        let s = |k: &str| get_str(prior, k).unwrap_or_default();
        let name = get_str(prior, "name")
            .or_else(|| get_str(prior, "id"))
            .unwrap_or_default();
        Ok(describe(
            &aws,
            &s("service_namespace"),
            &s("resource_id"),
            &s("scalable_dimension"),
            &name,
        )
        .await?
        .map(|p| self.to_state(&p)))
    }

    async fn put(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let s = |k: &str| get_str(planned, k).unwrap_or_default();
        let step = first(planned, "step_scaling_policy_configuration").map(|c| {
            let adjs: Vec<StepAdjustment> = items(&c, "step_adjustment")
                .iter()
                .filter_map(|a| {
                    let b = |k: &str| {
                        get_str(a, k)
                            .filter(|x| !x.is_empty())
                            .and_then(|x| x.parse().ok())
                    };
                    StepAdjustment::builder()
                        .set_metric_interval_lower_bound(b("metric_interval_lower_bound"))
                        .set_metric_interval_upper_bound(b("metric_interval_upper_bound"))
                        .set_scaling_adjustment(get_i64(a, "scaling_adjustment").map(|x| x as i32))
                        .build()
                        .ok()
                })
                .collect();
            StepScalingPolicyConfiguration::builder()
                .set_adjustment_type(
                    get_str(&c, "adjustment_type").map(|x| AdjustmentType::from(x.as_str())),
                )
                .set_cooldown(get_i64(&c, "cooldown").map(|x| x as i32))
                .set_metric_aggregation_type(
                    get_str(&c, "metric_aggregation_type")
                        .map(|x| MetricAggregationType::from(x.as_str())),
                )
                .set_min_adjustment_magnitude(
                    get_i64(&c, "min_adjustment_magnitude").map(|x| x as i32),
                )
                .set_step_adjustments((!adjs.is_empty()).then_some(adjs))
                .build()
        });
        let tt = match first(planned, "target_tracking_scaling_policy_configuration") {
            Some(c) => Some(
                TargetTrackingScalingPolicyConfiguration::builder()
                    .set_target_value(num(&c, "target_value"))
                    .set_disable_scale_in(get_bool(&c, "disable_scale_in"))
                    .set_scale_in_cooldown(get_i64(&c, "scale_in_cooldown").map(|x| x as i32))
                    .set_scale_out_cooldown(get_i64(&c, "scale_out_cooldown").map(|x| x as i32))
                    .set_predefined_metric_specification(
                        first(&c, "predefined_metric_specification").and_then(|m| {
                            PredefinedMetricSpecification::builder()
                                .set_predefined_metric_type(
                                    get_str(&m, "predefined_metric_type")
                                        .map(|x| MetricType::from(x.as_str())),
                                )
                                .set_resource_label(get_str(&m, "resource_label"))
                                .build()
                                .ok()
                        }),
                    )
                    .set_customized_metric_specification(
                        first(&c, "customized_metric_specification").map(|m| {
                            let dims: Vec<MetricDimension> = items(&m, "dimensions")
                                .iter()
                                .filter_map(|d| {
                                    MetricDimension::builder()
                                        .set_name(get_str(d, "name"))
                                        .set_value(get_str(d, "value"))
                                        .build()
                                        .ok()
                                })
                                .collect();
                            CustomizedMetricSpecification::builder()
                                .set_metric_name(get_str(&m, "metric_name"))
                                .set_namespace(get_str(&m, "namespace"))
                                .set_statistic(
                                    get_str(&m, "statistic")
                                        .map(|x| MetricStatistic::from(x.as_str())),
                                )
                                .set_unit(get_str(&m, "unit"))
                                .set_dimensions((!dims.is_empty()).then_some(dims))
                                .build()
                        }),
                    )
                    .build()
                    .map_err(|e| ProviderError::new(e.to_string()))?,
            ),
            None => None,
        };
        let name = s("name");
        aws.appautoscaling()
            .put_scaling_policy()
            .policy_name(&name)
            .service_namespace(ServiceNamespace::from(s("service_namespace").as_str()))
            .resource_id(s("resource_id"))
            .scalable_dimension(ScalableDimension::from(s("scalable_dimension").as_str()))
            .policy_type(PolicyType::from(s("policy_type").as_str()))
            .set_step_scaling_policy_configuration(step)
            .set_target_tracking_scaling_policy_configuration(tt)
            .send()
            .await
            .map_err(aws_err)?;
        self.read_one(ctx, planned).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Application Auto Scaling Scaling Policy ({name}) not found after put"
            ))
        })
    }
}

#[async_trait]
impl Resource for Policy {
    fn type_name(&self) -> &'static str {
        "aws_appautoscaling_policy"
    }
    fn display_name(&self) -> &'static str {
        "Application Auto Scaling Scaling Policy"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        self.put(ctx, planned).await
    }

    async fn read(&self, ctx: &ProviderCtx, state: &Value) -> Result<Option<Value>, ProviderError> {
        self.read_one(ctx, state).await
    }

    async fn update(
        &self,
        ctx: &ProviderCtx,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        self.put(ctx, planned).await
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let s = |k: &str| get_str(prior, k).unwrap_or_default();
        let r = aws
            .appautoscaling()
            .delete_scaling_policy()
            .policy_name(s("name"))
            .service_namespace(ServiceNamespace::from(s("service_namespace").as_str()))
            .resource_id(s("resource_id"))
            .scalable_dimension(ScalableDimension::from(s("scalable_dimension").as_str()))
            .send()
            .await
            .map_err(aws_err);
        match r {
            Err(e) if gone(&e) => Ok(()),
            Err(e)
                if e.code.as_deref() == Some("ValidationException")
                    && e.message.contains("No scaling policy found") =>
            {
                Ok(())
            }
            r => r.map(|_| ()),
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let parts: Vec<&str> = id.split('/').collect();
        if parts.len() < 4 {
            return Err(ProviderError::new(format!(
                "unexpected format of ID ({id}), expected <service-namespace>/<resource-id>/<scalable-dimension>/<policy-name>"
            )));
        }
        let n = parts.len();
        let prior = obj(vec![
            ("service_namespace", Value::string(parts[0])),
            ("resource_id", Value::string(parts[1..n - 2].join("/"))),
            ("scalable_dimension", Value::string(parts[n - 2])),
            ("name", Value::string(parts[n - 1])),
        ]);
        self.read_one(ctx, &prior).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Cannot import non-existent remote object: Application Auto Scaling Scaling Policy ({id})"
            ))
        })
    }
}
