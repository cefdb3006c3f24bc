//! `aws_ecs_cluster`.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_ecs::types::{
    ClusterConfiguration, ClusterField, ClusterServiceConnectDefaultsRequest, ClusterSetting,
    ClusterSettingName, ExecuteCommandConfiguration, ExecuteCommandLogConfiguration,
    ExecuteCommandLogging,
};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::ecs::{
    ecs_not_found, ecs_tags, first, from_ecs_tags, items, list_of, obj, set_of, update_ecs_tags,
};
use crate::providers::aws::{
    aws, aws_err, get, get_bool, get_str, opt_str, partial_err, plan_tags_all, planned_tags_all,
    read_tags, retry_on, tag_attrs, wait_until, with, Aws,
};
use crate::providers::{Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema};

pub struct Cluster {
    schema: Schema,
    setting: Schema,
    configuration: Schema,
    exec: Schema,
    log: Schema,
    scd: Schema,
}

impl Cluster {
    pub fn new() -> Cluster {
        let s = || Attribute::optional(Type::String);
        let b = || Attribute::optional(Type::Bool);
        let setting = Schema::new()
            .attr("name", Attribute::required(Type::String))
            .attr("value", Attribute::required(Type::String));
        let log = Schema::new()
            .attr("cloud_watch_encryption_enabled", b())
            .attr("cloud_watch_log_group_name", s())
            .attr("s3_bucket_name", s())
            .attr("s3_bucket_encryption_enabled", b())
            .attr("s3_key_prefix", s());
        let exec = Schema::new()
            .attr("kms_key_id", s())
            .attr("logging", s())
            .block("log_configuration", BlockNesting::List, log.clone());
        let configuration = Schema::new().block(
            "execute_command_configuration",
            BlockNesting::List,
            exec.clone(),
        );
        let scd = Schema::new().attr("namespace", Attribute::required(Type::String));
        Cluster {
            schema: tag_attrs(
                Schema::new()
                    .attr("id", Attribute::computed(Type::String))
                    .attr("arn", Attribute::computed(Type::String))
                    .attr("name", Attribute::required(Type::String).force_new())
                    .block("setting", BlockNesting::Set, setting.clone())
                    .block("configuration", BlockNesting::List, configuration.clone())
                    .block("service_connect_defaults", BlockNesting::List, scd.clone()),
            ),
            setting,
            configuration,
            exec,
            log,
            scd,
        }
    }
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster::new()
    }
}

async fn describe(
    aws: &Aws,
    id: &str,
) -> Result<Option<aws_sdk_ecs::types::Cluster>, ProviderError> {
    let out = aws
        .ecs()
        .describe_clusters()
        .clusters(id)
        .include(ClusterField::Settings)
        .include(ClusterField::Configurations)
        .include(ClusterField::Tags)
        .send()
        .await
        .map_err(aws_err);
    let out = match out {
        Err(e) if ecs_not_found(&e) => return Ok(None),
        r => r?,
    };
    Ok(out
        .clusters()
        .iter()
        .find(|c| c.status() != Some("INACTIVE"))
        .cloned())
}

impl Cluster {
    fn to_state(
        &self,
        ctx: &ProviderCtx,
        aws: &Aws,
        prior: &Value,
        c: &aws_sdk_ecs::types::Cluster,
    ) -> Value {
        let prior_settings: Vec<String> = items(prior, "setting")
            .iter()
            .filter_map(|s| get_str(s, "name"))
            .collect();
        let settings: Vec<Value> = c
            .settings()
            .iter()
            .filter_map(|s| {
                let name = s.name()?.as_str().to_string();
                let value = s.value().unwrap_or_default().to_string();
                // AWS reports containerInsights=disabled on clusters that
                // never set it; leave it out unless configured.
                if value == "disabled" && !prior_settings.contains(&name) {
                    return None;
                }
                Some(obj(vec![
                    ("name", Value::string(name)),
                    ("value", Value::string(value)),
                ]))
            })
            .collect();
        let configuration = c
            .configuration()
            .and_then(|cfg| cfg.execute_command_configuration())
            .map(|e| {
                let logs = e
                    .log_configuration()
                    .map(|l| {
                        vec![obj(vec![
                            (
                                "cloud_watch_encryption_enabled",
                                Value::bool(l.cloud_watch_encryption_enabled()),
                            ),
                            (
                                "cloud_watch_log_group_name",
                                opt_str(l.cloud_watch_log_group_name()),
                            ),
                            ("s3_bucket_name", opt_str(l.s3_bucket_name())),
                            (
                                "s3_bucket_encryption_enabled",
                                Value::bool(l.s3_encryption_enabled()),
                            ),
                            ("s3_key_prefix", opt_str(l.s3_key_prefix())),
                        ])]
                    })
                    .unwrap_or_default();
                vec![obj(vec![(
                    "execute_command_configuration",
                    list_of(
                        &self.exec,
                        vec![obj(vec![
                            ("kms_key_id", opt_str(e.kms_key_id())),
                            ("logging", opt_str(e.logging().map(|l| l.as_str()))),
                            ("log_configuration", list_of(&self.log, logs)),
                        ])],
                    ),
                )])]
            })
            .unwrap_or_default();
        let scd = c
            .service_connect_defaults()
            .and_then(|d| d.namespace())
            .map(|n| vec![obj(vec![("namespace", Value::string(n))])])
            .unwrap_or_default();
        let (tags, tags_all) = read_tags(ctx, aws, prior, from_ecs_tags(c.tags()));
        let arn = c.cluster_arn().unwrap_or_default();
        obj(vec![
            ("id", Value::string(arn)),
            ("arn", Value::string(arn)),
            ("name", opt_str(c.cluster_name())),
            ("setting", set_of(&self.setting, settings)),
            ("configuration", list_of(&self.configuration, configuration)),
            ("service_connect_defaults", list_of(&self.scd, scd)),
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
        let Some(id) = get_str(prior, "id").or_else(|| get_str(prior, "name")) else {
            return Ok(None);
        };
        Ok(describe(&aws, &id)
            .await?
            .map(|c| self.to_state(ctx, &aws, prior, &c)))
    }
}

fn settings(planned: &Value) -> Vec<ClusterSetting> {
    items(planned, "setting")
        .iter()
        .map(|s| {
            ClusterSetting::builder()
                .set_name(get_str(s, "name").map(|n| ClusterSettingName::from(n.as_str())))
                .set_value(get_str(s, "value"))
                .build()
        })
        .collect()
}

fn configuration(planned: &Value) -> Option<ClusterConfiguration> {
    let cfg = first(planned, "configuration")?;
    let e = first(&cfg, "execute_command_configuration");
    Some(
        ClusterConfiguration::builder()
            .set_execute_command_configuration(e.map(|e| {
                ExecuteCommandConfiguration::builder()
                    .set_kms_key_id(get_str(&e, "kms_key_id"))
                    .set_logging(
                        get_str(&e, "logging").map(|l| ExecuteCommandLogging::from(l.as_str())),
                    )
                    .set_log_configuration(first(&e, "log_configuration").map(|l| {
                        ExecuteCommandLogConfiguration::builder()
                            .set_cloud_watch_encryption_enabled(get_bool(
                                &l,
                                "cloud_watch_encryption_enabled",
                            ))
                            .set_cloud_watch_log_group_name(get_str(
                                &l,
                                "cloud_watch_log_group_name",
                            ))
                            .set_s3_bucket_name(get_str(&l, "s3_bucket_name"))
                            .set_s3_encryption_enabled(get_bool(&l, "s3_bucket_encryption_enabled"))
                            .set_s3_key_prefix(get_str(&l, "s3_key_prefix"))
                            .build()
                    }))
                    .build()
            }))
            .build(),
    )
}

fn service_connect_defaults(planned: &Value) -> Option<ClusterServiceConnectDefaultsRequest> {
    first(planned, "service_connect_defaults").and_then(|d| {
        ClusterServiceConnectDefaultsRequest::builder()
            .set_namespace(get_str(&d, "namespace"))
            .build()
            .ok()
    })
}

#[async_trait]
impl Resource for Cluster {
    fn type_name(&self) -> &'static str {
        "aws_ecs_cluster"
    }
    fn display_name(&self) -> &'static str {
        "ECS Cluster"
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
        let name = get_str(planned, "name").unwrap_or_default();
        let tags = planned_tags_all(planned);
        let st = settings(planned);
        let out = retry_on(
            &["InvalidParameterException"],
            Duration::from_secs(60),
            || async {
                aws.ecs()
                    .create_cluster()
                    .cluster_name(&name)
                    .set_settings((!st.is_empty()).then(|| st.clone()))
                    .set_configuration(configuration(planned))
                    .set_service_connect_defaults(service_connect_defaults(planned))
                    .set_tags((!tags.is_empty()).then(|| ecs_tags(&tags)))
                    .send()
                    .await
                    .map_err(aws_err)
            },
        )
        .await?;
        let arn = out
            .cluster()
            .and_then(|c| c.cluster_arn())
            .ok_or_else(|| ProviderError::new("CreateCluster returned no cluster ARN"))?
            .to_string();
        let state = with(planned, "id", Value::string(&arn));
        self.read_one(ctx, &state)
            .await
            .and_then(|v| {
                v.ok_or_else(|| {
                    ProviderError::new(format!("ECS Cluster ({name}) not found after creation"))
                })
            })
            .map_err(|e| partial_err(e, planned, &arn))
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
        let changed = |k: &str| !crate::engine::diff::same(&get(prior, k), &get(planned, k));
        if changed("setting") || changed("configuration") || changed("service_connect_defaults") {
            let mut st = settings(planned);
            // A removed containerInsights setting goes back to disabled.
            for s in items(prior, "setting") {
                if let Some(n) = get_str(&s, "name") {
                    if !st
                        .iter()
                        .any(|x| x.name().map(|x| x.as_str()) == Some(n.as_str()))
                    {
                        st.push(
                            ClusterSetting::builder()
                                .name(ClusterSettingName::from(n.as_str()))
                                .value("disabled")
                                .build(),
                        );
                    }
                }
            }
            aws.ecs()
                .update_cluster()
                .cluster(&arn)
                .set_settings((!st.is_empty()).then_some(st))
                .set_configuration(configuration(planned))
                .set_service_connect_defaults(service_connect_defaults(planned))
                .send()
                .await
                .map_err(aws_err)?;
        }
        update_ecs_tags(&aws, &arn, prior, planned).await?;
        self.read_one(ctx, prior).await?.ok_or_else(|| {
            ProviderError::new(format!("ECS Cluster ({arn}) not found after update"))
        })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        let aws = aws(ctx).await?;
        let arn = get_str(prior, "id").unwrap_or_default();
        let r = retry_on(
            &[
                "ClusterContainsContainerInstancesException",
                "ClusterContainsServicesException",
                "ClusterContainsTasksException",
                "ResourceInUseException",
                "UpdateInProgressException",
            ],
            Duration::from_secs(600),
            || async {
                aws.ecs()
                    .delete_cluster()
                    .cluster(&arn)
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
        wait_until(
            &format!("ECS Cluster ({arn}) delete"),
            Duration::from_secs(600),
            || async { Ok(describe(&aws, &arn).await?.is_none()) },
        )
        .await
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        self.read_one(ctx, &obj(vec![("id", Value::string(id))]))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!(
                    "Cannot import non-existent remote object: ECS Cluster ({id})"
                ))
            })
    }
}
