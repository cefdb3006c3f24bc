//! `aws_ecs_service`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, DeploymentCircuitBreaker, DeploymentConfiguration,
    DeploymentController, DeploymentControllerType, LaunchType, LoadBalancer, NetworkConfiguration,
    PropagateTags, SchedulingStrategy, ServiceField,
};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::ecs::{
    ecs_not_found, ecs_tags, first, from_ecs_tags, items, list_of, obj, opt_int, set_of,
    update_ecs_tags,
};
use crate::providers::aws::{
    aws, aws_err, get, get_bool, get_i64, get_str, get_strs, opt_str, partial_err, plan_tags_all,
    planned_tags_all, read_tags, retry_on, str_set, tag_attrs, wait_until, with, Aws,
};
use crate::providers::{
    timeout, Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema,
};

pub struct Service {
    schema: Schema,
    net: Schema,
    lb: Schema,
    breaker: Schema,
    controller: Schema,
}

impl Service {
    pub fn new() -> Service {
        let net = Schema::new()
            .attr("subnets", Attribute::required(Type::set(Type::String)))
            .attr(
                "security_groups",
                Attribute::optional(Type::set(Type::String)),
            )
            .attr(
                "assign_public_ip",
                Attribute::optional(Type::Bool).default(Value::bool(false)),
            );
        let lb = Schema::new()
            .attr("elb_name", Attribute::optional(Type::String))
            .attr("target_group_arn", Attribute::optional(Type::String))
            .attr("container_name", Attribute::required(Type::String))
            .attr("container_port", Attribute::required(Type::Number));
        let breaker = Schema::new()
            .attr("enable", Attribute::required(Type::Bool))
            .attr("rollback", Attribute::required(Type::Bool));
        let controller = Schema::new().attr(
            "type",
            Attribute::optional(Type::String).default(Value::string("ECS")),
        );
        let b = |d: bool| Attribute::optional(Type::Bool).default(Value::bool(d));
        let mut schema = tag_attrs(
            Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("name", Attribute::required(Type::String).force_new())
                .attr(
                    "cluster",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("task_definition", Attribute::optional(Type::String))
                .attr(
                    "desired_count",
                    Attribute::optional(Type::Number).default(Value::int(0)),
                )
                .attr(
                    "launch_type",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "platform_version",
                    Attribute::optional_computed(Type::String),
                )
                .attr(
                    "scheduling_strategy",
                    Attribute::optional(Type::String)
                        .force_new()
                        .default(Value::string("REPLICA")),
                )
                .attr(
                    "iam_role",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "deployment_minimum_healthy_percent",
                    Attribute::optional(Type::Number).default(Value::int(100)),
                )
                .attr(
                    "deployment_maximum_percent",
                    Attribute::optional(Type::Number).default(Value::int(200)),
                )
                .attr(
                    "health_check_grace_period_seconds",
                    Attribute::optional(Type::Number),
                )
                .attr("enable_execute_command", b(false))
                .attr("enable_ecs_managed_tags", b(false))
                .attr("propagate_tags", Attribute::optional(Type::String))
                .attr("force_new_deployment", Attribute::optional(Type::Bool))
                .attr("wait_for_steady_state", b(false))
                .attr(
                    "triggers",
                    Attribute::optional_computed(Type::map(Type::String)),
                )
                .block("network_configuration", BlockNesting::List, net.clone())
                .block("load_balancer", BlockNesting::Set, lb.clone())
                .block(
                    "deployment_circuit_breaker",
                    BlockNesting::List,
                    breaker.clone(),
                )
                .block(
                    "deployment_controller",
                    BlockNesting::List,
                    controller.clone(),
                )
                .timeouts(&["create", "update", "delete"]),
        );
        if let Some(nb) = schema.blocks.get_mut("deployment_controller") {
            nb.force_new = true;
        }
        Service {
            schema,
            net,
            lb,
            breaker,
            controller,
        }
    }
}

impl Default for Service {
    fn default() -> Self {
        Service::new()
    }
}

/// `wait_for_steady_state`: a service is stable when it runs as many tasks
/// as it wants and has finished deploying (a single deployment).
pub fn is_stable(status: Option<&str>, desired: i32, running: i32, deployments: usize) -> bool {
    status == Some("ACTIVE") && deployments == 1 && running == desired
}

/// The last `/`-separated part of an ARN (a cluster's name).
fn arn_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

async fn describe(
    aws: &Aws,
    cluster: Option<&str>,
    id: &str,
) -> Result<Option<aws_sdk_ecs::types::Service>, ProviderError> {
    let out = aws
        .ecs()
        .describe_services()
        .set_cluster(cluster.map(|c| c.to_string()))
        .services(id)
        .include(ServiceField::Tags)
        .send()
        .await
        .map_err(aws_err);
    let out = match out {
        Err(e) if ecs_not_found(&e) => return Ok(None),
        r => r?,
    };
    Ok(out
        .services()
        .iter()
        .find(|s| s.status() != Some("INACTIVE"))
        .cloned())
}

impl Service {
    fn to_state(
        &self,
        ctx: &ProviderCtx,
        aws: &Aws,
        prior: &Value,
        s: &aws_sdk_ecs::types::Service,
    ) -> Value {
        let cluster_arn = s.cluster_arn().unwrap_or_default();
        let cluster = match get_str(prior, "cluster") {
            Some(c) if !c.starts_with("arn:") => arn_name(cluster_arn).to_string(),
            _ => cluster_arn.to_string(),
        };
        let td_arn = s.task_definition().unwrap_or_default();
        let td = match get_str(prior, "task_definition") {
            Some(t) if t.starts_with("arn:") => td_arn.to_string(),
            _ => arn_name(td_arn).to_string(),
        };
        let dc = s.deployment_configuration();
        let net: Vec<Value> = s
            .network_configuration()
            .and_then(|n| n.awsvpc_configuration())
            .map(|a| {
                vec![obj(vec![
                    ("subnets", str_set(a.subnets().to_vec())),
                    ("security_groups", str_set(a.security_groups().to_vec())),
                    (
                        "assign_public_ip",
                        Value::bool(a.assign_public_ip() == Some(&AssignPublicIp::Enabled)),
                    ),
                ])]
            })
            .unwrap_or_default();
        let lbs: Vec<Value> = s
            .load_balancers()
            .iter()
            .map(|l| {
                obj(vec![
                    ("elb_name", opt_str(l.load_balancer_name())),
                    ("target_group_arn", opt_str(l.target_group_arn())),
                    ("container_name", opt_str(l.container_name())),
                    ("container_port", opt_int(l.container_port())),
                ])
            })
            .collect();
        // Like the provider, the deployment settings are read only when the
        // API returns them (moto omits them); otherwise state keeps its own.
        let keep_or = |k: &str, v: Value| {
            let p = get(prior, k);
            if dc.is_none() && p.is_known() && !p.is_null() {
                p
            } else {
                v
            }
        };
        let breaker: Vec<Value> = dc
            .and_then(|d| d.deployment_circuit_breaker())
            .filter(|b| b.enable() || !items(prior, "deployment_circuit_breaker").is_empty())
            .map(|b| {
                vec![obj(vec![
                    ("enable", Value::bool(b.enable())),
                    ("rollback", Value::bool(b.rollback())),
                ])]
            })
            .unwrap_or_default();
        let ctype = s
            .deployment_controller()
            .map(|c| c.r#type().as_str().to_string())
            .unwrap_or_else(|| "ECS".into());
        let controller = if ctype == "ECS" && items(prior, "deployment_controller").is_empty() {
            vec![]
        } else {
            vec![obj(vec![("type", Value::string(ctype))])]
        };
        let propagate = match s.propagate_tags().map(|p| p.as_str()) {
            Some("NONE") | None if get(prior, "propagate_tags").is_null() => {
                Value::null_of(Type::String)
            }
            p => opt_str(p),
        };
        let (tags, tags_all) = read_tags(ctx, aws, prior, from_ecs_tags(s.tags()));
        let keep = |k: &str, ty: Type| {
            let v = get(prior, k);
            if v.is_known() {
                v
            } else {
                Value::null_of(ty)
            }
        };
        let arn = s.service_arn().unwrap_or_default();
        obj(vec![
            ("id", Value::string(arn)),
            ("name", opt_str(s.service_name())),
            ("cluster", Value::string(cluster)),
            ("task_definition", Value::string(td)),
            ("desired_count", Value::int(s.desired_count() as i64)),
            ("launch_type", opt_str(s.launch_type().map(|l| l.as_str()))),
            ("platform_version", opt_str(s.platform_version())),
            (
                "scheduling_strategy",
                Value::string(
                    s.scheduling_strategy()
                        .map(|x| x.as_str())
                        .unwrap_or("REPLICA"),
                ),
            ),
            ("iam_role", opt_str(s.role_arn())),
            (
                "deployment_minimum_healthy_percent",
                keep_or(
                    "deployment_minimum_healthy_percent",
                    Value::int(dc.and_then(|d| d.minimum_healthy_percent()).unwrap_or(100) as i64),
                ),
            ),
            (
                "deployment_maximum_percent",
                keep_or(
                    "deployment_maximum_percent",
                    Value::int(dc.and_then(|d| d.maximum_percent()).unwrap_or(200) as i64),
                ),
            ),
            (
                "health_check_grace_period_seconds",
                match s.health_check_grace_period_seconds() {
                    Some(g) => Value::int(g as i64),
                    None => keep("health_check_grace_period_seconds", Type::Number),
                },
            ),
            (
                "enable_execute_command",
                Value::bool(s.enable_execute_command()),
            ),
            (
                "enable_ecs_managed_tags",
                Value::bool(s.enable_ecs_managed_tags()),
            ),
            ("propagate_tags", propagate),
            (
                "force_new_deployment",
                keep("force_new_deployment", Type::Bool),
            ),
            (
                "wait_for_steady_state",
                Value::bool(get_bool(prior, "wait_for_steady_state").unwrap_or(false)),
            ),
            ("triggers", keep("triggers", Type::map(Type::String))),
            ("network_configuration", list_of(&self.net, net)),
            ("load_balancer", set_of(&self.lb, lbs)),
            (
                "deployment_circuit_breaker",
                keep_or(
                    "deployment_circuit_breaker",
                    list_of(&self.breaker, breaker),
                ),
            ),
            (
                "deployment_controller",
                list_of(&self.controller, controller),
            ),
            ("tags", tags),
            ("tags_all", tags_all),
        ])
    }

    async fn read_one(
        &self,
        ctx: &ProviderCtx,
        prior: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        let aws = aws(ctx).await?;
        let Some(id) = get_str(prior, "id") else {
            return Ok(None);
        };
        let cluster = get_str(prior, "cluster");
        Ok(describe(&aws, cluster.as_deref(), &id)
            .await?
            .map(|s| self.to_state(ctx, &aws, prior, &s)))
    }

    async fn wait_stable(
        &self,
        aws: &Aws,
        cluster: Option<&str>,
        id: &str,
        limit: Duration,
    ) -> Result<(), ProviderError> {
        wait_until(
            &format!("ECS Service ({id}) to reach steady state"),
            limit,
            || async {
                Ok(describe(aws, cluster, id).await?.is_some_and(|s| {
                    is_stable(
                        s.status(),
                        s.desired_count(),
                        s.running_count(),
                        s.deployments().len(),
                    )
                }))
            },
        )
        .await
    }
}

fn network(planned: &Value) -> Option<NetworkConfiguration> {
    let n = first(planned, "network_configuration")?;
    let sgs = get_strs(&n, "security_groups");
    let vpc = AwsVpcConfiguration::builder()
        .set_subnets(Some(get_strs(&n, "subnets")))
        .set_security_groups((!sgs.is_empty()).then_some(sgs))
        .assign_public_ip(if get_bool(&n, "assign_public_ip").unwrap_or(false) {
            AssignPublicIp::Enabled
        } else {
            AssignPublicIp::Disabled
        })
        .build()
        .ok()?;
    Some(
        NetworkConfiguration::builder()
            .awsvpc_configuration(vpc)
            .build(),
    )
}

fn deployment(planned: &Value) -> DeploymentConfiguration {
    DeploymentConfiguration::builder()
        .set_minimum_healthy_percent(
            get_i64(planned, "deployment_minimum_healthy_percent").map(|x| x as i32),
        )
        .set_maximum_percent(get_i64(planned, "deployment_maximum_percent").map(|x| x as i32))
        .set_deployment_circuit_breaker(first(planned, "deployment_circuit_breaker").map(|b| {
            DeploymentCircuitBreaker::builder()
                .enable(get_bool(&b, "enable").unwrap_or(false))
                .rollback(get_bool(&b, "rollback").unwrap_or(false))
                .build()
        }))
        .build()
}

fn load_balancers(planned: &Value) -> Vec<LoadBalancer> {
    items(planned, "load_balancer")
        .iter()
        .map(|l| {
            LoadBalancer::builder()
                .set_load_balancer_name(get_str(l, "elb_name"))
                .set_target_group_arn(get_str(l, "target_group_arn"))
                .set_container_name(get_str(l, "container_name"))
                .set_container_port(get_i64(l, "container_port").map(|x| x as i32))
                .build()
        })
        .collect()
}

#[async_trait]
impl Resource for Service {
    fn type_name(&self) -> &'static str {
        "aws_ecs_service"
    }
    fn display_name(&self) -> &'static str {
        "ECS Service"
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
        let mut p = planned;
        if let Some(prior) = prior {
            // The same revision named by ARN or by family:revision is no change.
            if let (Some(want), Some(had)) = (
                get_str(&p, "task_definition"),
                get_str(prior, "task_definition"),
            ) {
                if want != had && arn_name(&want) == arn_name(&had) && want.contains(':') {
                    p = with(&p, "task_definition", Value::string(had));
                }
            }
            // propagate_tags NONE is the same as unset.
            if get(config, "propagate_tags").is_null()
                && get_str(prior, "propagate_tags").as_deref() == Some("NONE")
            {
                p = with(&p, "propagate_tags", get(prior, "propagate_tags"));
            }
        } else if get(config, "triggers").is_null() {
            p = with(&p, "triggers", Value::null_of(Type::map(Type::String)));
        }
        plan_tags_all(ctx, p)
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let name = get_str(planned, "name").unwrap_or_default();
        let cluster = get_str(planned, "cluster");
        let tags = planned_tags_all(planned);
        let lbs = load_balancers(planned);
        let daemon = get_str(planned, "scheduling_strategy").as_deref() == Some("DAEMON");
        let limit = timeout(planned, "create", Duration::from_secs(1200));
        let out = retry_on(
            &["InvalidParameterException", "ClusterNotFoundException"],
            Duration::from_secs(120),
            || async {
                aws.ecs()
                    .create_service()
                    .service_name(&name)
                    .set_cluster(cluster.clone())
                    .set_task_definition(get_str(planned, "task_definition"))
                    .set_desired_count(
                        (!daemon).then(|| get_i64(planned, "desired_count").unwrap_or(0) as i32),
                    )
                    .set_launch_type(
                        get_str(planned, "launch_type").map(|l| LaunchType::from(l.as_str())),
                    )
                    .set_platform_version(get_str(planned, "platform_version"))
                    .set_scheduling_strategy(
                        get_str(planned, "scheduling_strategy")
                            .map(|l| SchedulingStrategy::from(l.as_str())),
                    )
                    .set_role(get_str(planned, "iam_role"))
                    .set_network_configuration(network(planned))
                    .set_load_balancers((!lbs.is_empty()).then(|| lbs.clone()))
                    .deployment_configuration(deployment(planned))
                    .set_deployment_controller(first(planned, "deployment_controller").and_then(
                        |c| {
                            DeploymentController::builder()
                                .set_type(
                                    get_str(&c, "type")
                                        .map(|t| DeploymentControllerType::from(t.as_str())),
                                )
                                .build()
                                .ok()
                        },
                    ))
                    .set_health_check_grace_period_seconds(
                        get_i64(planned, "health_check_grace_period_seconds").map(|x| x as i32),
                    )
                    .set_enable_execute_command(get_bool(planned, "enable_execute_command"))
                    .set_enable_ecs_managed_tags(get_bool(planned, "enable_ecs_managed_tags"))
                    .set_propagate_tags(
                        get_str(planned, "propagate_tags").map(|p| PropagateTags::from(p.as_str())),
                    )
                    .set_tags((!tags.is_empty()).then(|| ecs_tags(&tags)))
                    .send()
                    .await
                    .map_err(aws_err)
            },
        )
        .await?;
        let arn = out
            .service()
            .and_then(|s| s.service_arn())
            .ok_or_else(|| ProviderError::new("CreateService returned no service ARN"))?
            .to_string();
        let state = with(planned, "id", Value::string(&arn));
        let finish = async {
            if get_bool(planned, "wait_for_steady_state").unwrap_or(false) {
                self.wait_stable(&aws, cluster.as_deref(), &arn, limit)
                    .await?;
            }
            self.read_one(ctx, &state).await?.ok_or_else(|| {
                ProviderError::new(format!("ECS Service ({name}) not found after creation"))
            })
        };
        finish.await.map_err(|e| partial_err(e, planned, &arn))
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
        let arn = get_str(prior, "id").unwrap_or_default();
        let cluster = get_str(prior, "cluster");
        let changed = |k: &str| !crate::engine::diff::same(&get(prior, k), &get(planned, k));
        let tag_only = ["tags", "tags_all", "wait_for_steady_state", "timeouts"];
        let others = self
            .schema
            .attributes
            .keys()
            .chain(self.schema.blocks.keys())
            .any(|k| !tag_only.contains(k) && changed(k));
        if others {
            let daemon = get_str(planned, "scheduling_strategy").as_deref() == Some("DAEMON");
            let force = get_bool(planned, "force_new_deployment").unwrap_or(false)
                && (changed("triggers") || changed("force_new_deployment"));
            let lbs = load_balancers(planned);
            retry_on(
                &["InvalidParameterException"],
                Duration::from_secs(120),
                || async {
                    aws.ecs()
                        .update_service()
                        .set_cluster(cluster.clone())
                        .service(&arn)
                        .set_desired_count(
                            (!daemon)
                                .then(|| get_i64(planned, "desired_count").unwrap_or(0) as i32),
                        )
                        .set_task_definition(get_str(planned, "task_definition"))
                        .set_platform_version(get_str(planned, "platform_version"))
                        .set_network_configuration(network(planned))
                        .set_load_balancers(changed("load_balancer").then(|| lbs.clone()))
                        .deployment_configuration(deployment(planned))
                        .set_health_check_grace_period_seconds(
                            get_i64(planned, "health_check_grace_period_seconds").map(|x| x as i32),
                        )
                        .set_enable_execute_command(get_bool(planned, "enable_execute_command"))
                        .set_enable_ecs_managed_tags(get_bool(planned, "enable_ecs_managed_tags"))
                        .set_propagate_tags(
                            get_str(planned, "propagate_tags")
                                .map(|p| PropagateTags::from(p.as_str())),
                        )
                        .force_new_deployment(force)
                        .send()
                        .await
                        .map_err(aws_err)
                },
            )
            .await?;
        }
        update_ecs_tags(&aws, &arn, prior, planned).await?;
        if get_bool(planned, "wait_for_steady_state").unwrap_or(false) {
            let limit = timeout(planned, "update", Duration::from_secs(1200));
            self.wait_stable(&aws, cluster.as_deref(), &arn, limit)
                .await?;
        }
        let next = with(prior, "triggers", get(planned, "triggers"));
        let next = with(
            &next,
            "force_new_deployment",
            get(planned, "force_new_deployment"),
        );
        let next = with(
            &next,
            "wait_for_steady_state",
            get(planned, "wait_for_steady_state"),
        );
        let next = with(&next, "task_definition", get(planned, "task_definition"));
        let next = with(&next, "tags", get(planned, "tags"));
        self.read_one(ctx, &next).await?.ok_or_else(|| {
            ProviderError::new(format!("ECS Service ({arn}) not found after update"))
        })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(prior, "id").unwrap_or_default();
        let cluster = get_str(prior, "cluster");
        let limit = timeout(prior, "delete", Duration::from_secs(1200));
        let Some(s) = describe(&aws, cluster.as_deref(), &arn).await? else {
            return Ok(());
        };
        if s.scheduling_strategy() != Some(&SchedulingStrategy::Daemon) && s.desired_count() != 0 {
            match aws
                .ecs()
                .update_service()
                .set_cluster(cluster.clone())
                .service(&arn)
                .desired_count(0)
                .send()
                .await
                .map_err(aws_err)
            {
                Err(e) if ecs_not_found(&e) => return Ok(()),
                r => r.map(|_| ())?,
            }
        }
        let r = retry_on(
            &["InvalidParameterException", "DependencyViolation"],
            limit,
            || async {
                aws.ecs()
                    .delete_service()
                    .set_cluster(cluster.clone())
                    .service(&arn)
                    .force(true)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(aws_err)
            },
        )
        .await;
        match r {
            Err(e) if ecs_not_found(&e) => return Ok(()),
            r => r?,
        }
        wait_until(&format!("ECS Service ({arn}) delete"), limit, || async {
            Ok(describe(&aws, cluster.as_deref(), &arn).await?.is_none())
        })
        .await
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        let Some((cluster, name)) = id.split_once('/') else {
            return Err(ProviderError::new(format!(
                "unexpected format of ID ({id}), expected CLUSTER_NAME/SERVICE_NAME"
            )));
        };
        let aws = aws(ctx).await?;
        let s = describe(&aws, Some(cluster), name).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Cannot import non-existent remote object: ECS Service ({id})"
            ))
        })?;
        let prior = obj(vec![
            ("id", opt_str(s.service_arn())),
            ("cluster", opt_str(s.cluster_arn())),
        ]);
        Ok(self.to_state(ctx, &aws, &prior, &s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_state() {
        assert!(is_stable(Some("ACTIVE"), 2, 2, 1));
        assert!(!is_stable(Some("ACTIVE"), 2, 1, 1));
        assert!(!is_stable(Some("ACTIVE"), 2, 2, 2));
        assert!(!is_stable(Some("DRAINING"), 0, 0, 1));
        assert!(is_stable(Some("ACTIVE"), 0, 0, 1));
    }
}
