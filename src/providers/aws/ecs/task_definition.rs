//! `aws_ecs_task_definition`: every change but tags, `skip_destroy` and
//! `track_latest` registers a new revision (replacement).

use async_trait::async_trait;
use aws_sdk_ecs::types::{
    Compatibility, CpuArchitecture, EfsTransitEncryption, EfsVolumeConfiguration, EphemeralStorage,
    HostVolumeProperties, NetworkMode, OsFamily, RuntimePlatform, TaskDefinitionField, Volume,
};

use crate::lang::types::Type;
use crate::lang::value::Value;
use crate::providers::aws::ecs::container_definitions as cd;
use crate::providers::aws::ecs::{
    ecs_tags, first, from_ecs_tags, items, list_of, obj, opt_int, set_of, update_ecs_tags,
};
use crate::providers::aws::{
    aws, aws_err, get, get_bool, get_i64, get_str, get_strs, opt_str, plan_tags_all,
    planned_tags_all, read_tags, str_set, tag_attrs, with, Aws,
};
use crate::providers::{Attribute, BlockNesting, ProviderCtx, ProviderError, Resource, Schema};

pub struct TaskDefinition {
    schema: Schema,
    volume: Schema,
    efs: Schema,
    runtime: Schema,
    storage: Schema,
}

impl TaskDefinition {
    pub fn new() -> TaskDefinition {
        let fs = || Attribute::optional(Type::String).force_new();
        let efs = Schema::new()
            .attr("file_system_id", Attribute::required(Type::String))
            .attr("root_directory", Attribute::optional(Type::String))
            .attr("transit_encryption", Attribute::optional(Type::String))
            .attr("transit_encryption_port", Attribute::optional(Type::Number));
        let volume = Schema::new()
            .attr("name", Attribute::required(Type::String))
            .attr("host_path", Attribute::optional(Type::String))
            .attr("configure_at_launch", Attribute::optional(Type::Bool))
            .block("efs_volume_configuration", BlockNesting::List, efs.clone());
        let runtime = Schema::new()
            .attr("operating_system_family", Attribute::optional(Type::String))
            .attr("cpu_architecture", Attribute::optional(Type::String));
        let storage = Schema::new().attr("size_in_gib", Attribute::required(Type::Number));
        let mut schema = tag_attrs(
            Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("arn", Attribute::computed(Type::String))
                .attr("arn_without_revision", Attribute::computed(Type::String))
                .attr("revision", Attribute::computed(Type::Number))
                .attr("family", Attribute::required(Type::String).force_new())
                .attr(
                    "container_definitions",
                    Attribute::required(Type::String).force_new(),
                )
                .attr("cpu", fs())
                .attr("memory", fs())
                .attr("execution_role_arn", fs())
                .attr("task_role_arn", fs())
                .attr(
                    "network_mode",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "requires_compatibilities",
                    Attribute::optional(Type::set(Type::String)).force_new(),
                )
                .attr("ipc_mode", fs())
                .attr("pid_mode", fs())
                .attr(
                    "skip_destroy",
                    Attribute::optional(Type::Bool).default(Value::bool(false)),
                )
                .attr(
                    "track_latest",
                    Attribute::optional(Type::Bool).default(Value::bool(false)),
                )
                .block("volume", BlockNesting::Set, volume.clone())
                .block("runtime_platform", BlockNesting::List, runtime.clone())
                .block("ephemeral_storage", BlockNesting::List, storage.clone()),
        );
        for b in ["volume", "runtime_platform", "ephemeral_storage"] {
            if let Some(nb) = schema.blocks.get_mut(b) {
                nb.force_new = true;
            }
        }
        TaskDefinition {
            schema,
            volume,
            efs,
            runtime,
            storage,
        }
    }
}

impl Default for TaskDefinition {
    fn default() -> Self {
        TaskDefinition::new()
    }
}

fn awsvpc(v: &Value) -> bool {
    get_str(v, "network_mode").as_deref() == Some("awsvpc")
}

impl TaskDefinition {
    fn to_state(
        &self,
        ctx: &ProviderCtx,
        aws: &Aws,
        prior: &Value,
        td: &aws_sdk_ecs::types::TaskDefinition,
        tags: &[aws_sdk_ecs::types::Tag],
    ) -> Value {
        let arn = td.task_definition_arn().unwrap_or_default().to_string();
        let arn_wo = match arn.rsplit_once(':') {
            Some((a, _)) => a.to_string(),
            None => arn.clone(),
        };
        let network_mode = td.network_mode().map(|n| n.as_str().to_string());
        let is_vpc = network_mode.as_deref() == Some("awsvpc");
        let from_aws = cd::to_json(td.container_definitions());
        let defs = match get_str(prior, "container_definitions") {
            Some(p) if cd::equivalent(&p, &from_aws, is_vpc) => p,
            _ => from_aws,
        };
        let volumes: Vec<Value> = td
            .volumes()
            .iter()
            .map(|v| {
                let efs: Vec<Value> = v
                    .efs_volume_configuration()
                    .map(|e| {
                        vec![obj(vec![
                            ("file_system_id", Value::string(e.file_system_id())),
                            ("root_directory", opt_str(e.root_directory())),
                            (
                                "transit_encryption",
                                opt_str(e.transit_encryption().map(|t| t.as_str())),
                            ),
                            (
                                "transit_encryption_port",
                                opt_int(e.transit_encryption_port()),
                            ),
                        ])]
                    })
                    .unwrap_or_default();
                obj(vec![
                    ("name", opt_str(v.name())),
                    ("host_path", opt_str(v.host().and_then(|h| h.source_path()))),
                    (
                        "configure_at_launch",
                        match v.configured_at_launch() {
                            Some(b) => Value::bool(b),
                            None => Value::null_of(Type::Bool),
                        },
                    ),
                    ("efs_volume_configuration", list_of(&self.efs, efs)),
                ])
            })
            .collect();
        let runtime: Vec<Value> = td
            .runtime_platform()
            .filter(|r| r.operating_system_family().is_some() || r.cpu_architecture().is_some())
            .map(|r| {
                vec![obj(vec![
                    (
                        "operating_system_family",
                        opt_str(r.operating_system_family().map(|x| x.as_str())),
                    ),
                    (
                        "cpu_architecture",
                        opt_str(r.cpu_architecture().map(|x| x.as_str())),
                    ),
                ])]
            })
            .unwrap_or_default();
        let storage: Vec<Value> = td
            .ephemeral_storage()
            .map(|e| {
                vec![obj(vec![(
                    "size_in_gib",
                    Value::int(e.size_in_gib() as i64),
                )])]
            })
            .unwrap_or_default();
        let compat: Vec<String> = td
            .requires_compatibilities()
            .iter()
            .map(|c| c.as_str().to_string())
            .collect();
        let (tags, tags_all) = read_tags(ctx, aws, prior, from_ecs_tags(tags));
        let family = td.family().unwrap_or_default().to_string();
        let flag = |k: &str| Value::bool(get_bool(prior, k).unwrap_or(false));
        obj(vec![
            ("id", Value::string(&family)),
            ("arn", Value::string(&arn)),
            ("arn_without_revision", Value::string(arn_wo)),
            ("revision", Value::int(td.revision() as i64)),
            ("family", Value::string(&family)),
            ("container_definitions", Value::string(defs)),
            ("cpu", opt_str(td.cpu())),
            ("memory", opt_str(td.memory())),
            ("execution_role_arn", opt_str(td.execution_role_arn())),
            ("task_role_arn", opt_str(td.task_role_arn())),
            ("network_mode", opt_str(network_mode.as_deref())),
            (
                "requires_compatibilities",
                if compat.is_empty() && get(prior, "requires_compatibilities").is_null() {
                    Value::null_of(Type::set(Type::String))
                } else {
                    str_set(compat)
                },
            ),
            ("ipc_mode", opt_str(td.ipc_mode().map(|x| x.as_str()))),
            ("pid_mode", opt_str(td.pid_mode().map(|x| x.as_str()))),
            ("skip_destroy", flag("skip_destroy")),
            ("track_latest", flag("track_latest")),
            ("volume", set_of(&self.volume, volumes)),
            ("runtime_platform", list_of(&self.runtime, runtime)),
            ("ephemeral_storage", list_of(&self.storage, storage)),
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
        let track = get_bool(prior, "track_latest").unwrap_or(false);
        let key = if track {
            get_str(prior, "family").or_else(|| get_str(prior, "id"))
        } else {
            get_str(prior, "arn").or_else(|| get_str(prior, "id"))
        };
        let Some(key) = key else { return Ok(None) };
        let out = aws
            .ecs()
            .describe_task_definition()
            .task_definition(&key)
            .include(TaskDefinitionField::Tags)
            .send()
            .await
            .map_err(aws_err);
        let out = match out {
            Err(e) if e.code.as_deref() == Some("ClientException") => return Ok(None),
            r => r?,
        };
        let Some(td) = out.task_definition() else {
            return Ok(None);
        };
        if td.status().map(|s| s.as_str()) == Some("INACTIVE") {
            return Ok(None);
        }
        Ok(Some(self.to_state(ctx, &aws, prior, td, out.tags())))
    }
}

fn volumes(planned: &Value) -> Vec<Volume> {
    items(planned, "volume")
        .iter()
        .map(|v| {
            Volume::builder()
                .set_name(get_str(v, "name"))
                .set_host(
                    get_str(v, "host_path")
                        .map(|p| HostVolumeProperties::builder().source_path(p).build()),
                )
                .set_configured_at_launch(get_bool(v, "configure_at_launch"))
                .set_efs_volume_configuration(first(v, "efs_volume_configuration").and_then(|e| {
                    EfsVolumeConfiguration::builder()
                        .set_file_system_id(get_str(&e, "file_system_id"))
                        .set_root_directory(get_str(&e, "root_directory"))
                        .set_transit_encryption(
                            get_str(&e, "transit_encryption")
                                .map(|t| EfsTransitEncryption::from(t.as_str())),
                        )
                        .set_transit_encryption_port(
                            get_i64(&e, "transit_encryption_port").map(|p| p as i32),
                        )
                        .build()
                        .ok()
                }))
                .build()
        })
        .collect()
}

#[async_trait]
impl Resource for TaskDefinition {
    fn type_name(&self) -> &'static str {
        "aws_ecs_task_definition"
    }
    fn display_name(&self) -> &'static str {
        "ECS Task Definition"
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn customize_plan(
        &self,
        ctx: &ProviderCtx,
        prior: Option<&Value>,
        _config: &Value,
        planned: Value,
    ) -> Value {
        let mut p = planned;
        if let Some(prior) = prior {
            // The provider's DiffSuppressFunc: an equivalent document is no change.
            if let (Some(want), Some(had)) = (
                get_str(&p, "container_definitions"),
                get_str(prior, "container_definitions"),
            ) {
                let vpc = awsvpc(&p) || awsvpc(prior);
                if want != had && cd::equivalent(&want, &had, vpc) {
                    p = with(&p, "container_definitions", Value::string(had));
                }
            }
        }
        plan_tags_all(ctx, p)
    }

    async fn create(&self, ctx: &ProviderCtx, planned: &Value) -> Result<Value, ProviderError> {
        let aws = aws(ctx).await?;
        let family = get_str(planned, "family").unwrap_or_default();
        let defs = cd::parse(&get_str(planned, "container_definitions").unwrap_or_default())?;
        let tags = planned_tags_all(planned);
        let vols = volumes(planned);
        let compat: Vec<Compatibility> = get_strs(planned, "requires_compatibilities")
            .iter()
            .map(|c| Compatibility::from(c.as_str()))
            .collect();
        let out = aws
            .ecs()
            .register_task_definition()
            .family(&family)
            .set_container_definitions(Some(defs))
            .set_cpu(get_str(planned, "cpu"))
            .set_memory(get_str(planned, "memory"))
            .set_execution_role_arn(get_str(planned, "execution_role_arn"))
            .set_task_role_arn(get_str(planned, "task_role_arn"))
            .set_network_mode(
                get_str(planned, "network_mode").map(|n| NetworkMode::from(n.as_str())),
            )
            .set_requires_compatibilities((!compat.is_empty()).then_some(compat))
            .set_ipc_mode(get_str(planned, "ipc_mode").map(|n| n.as_str().into()))
            .set_pid_mode(get_str(planned, "pid_mode").map(|n| n.as_str().into()))
            .set_volumes((!vols.is_empty()).then_some(vols))
            .set_runtime_platform(first(planned, "runtime_platform").map(|r| {
                RuntimePlatform::builder()
                    .set_operating_system_family(
                        get_str(&r, "operating_system_family").map(|x| OsFamily::from(x.as_str())),
                    )
                    .set_cpu_architecture(
                        get_str(&r, "cpu_architecture").map(|x| CpuArchitecture::from(x.as_str())),
                    )
                    .build()
            }))
            .set_ephemeral_storage(first(planned, "ephemeral_storage").map(|e| {
                EphemeralStorage::builder()
                    .size_in_gib(get_i64(&e, "size_in_gib").unwrap_or(21) as i32)
                    .build()
            }))
            .set_tags((!tags.is_empty()).then(|| ecs_tags(&tags)))
            .send()
            .await
            .map_err(aws_err)?;
        let td = out.task_definition().ok_or_else(|| {
            ProviderError::new("RegisterTaskDefinition returned no task definition")
        })?;
        let created = self.to_state(ctx, &aws, planned, td, out.tags());
        // Like the provider, read the new revision back (with its tags: the
        // register response need not carry them).
        Ok(self.read_one(ctx, &created).await?.unwrap_or(created))
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
        let arn = get_str(prior, "arn").unwrap_or_default();
        update_ecs_tags(&aws, &arn, prior, planned).await?;
        let next = with(prior, "skip_destroy", get(planned, "skip_destroy"));
        let next = with(&next, "track_latest", get(planned, "track_latest"));
        let next = with(&next, "tags", get(planned, "tags"));
        self.read_one(ctx, &next).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "ECS Task Definition ({arn}) not found after update"
            ))
        })
    }

    async fn delete(&self, ctx: &ProviderCtx, prior: &Value) -> Result<(), ProviderError> {
        if get_bool(prior, "skip_destroy").unwrap_or(false) {
            return Ok(());
        }
        let aws = aws(ctx).await?;
        let arn = get_str(prior, "arn").unwrap_or_default();
        match aws
            .ecs()
            .deregister_task_definition()
            .task_definition(&arn)
            .send()
            .await
            .map_err(aws_err)
        {
            Err(e) if e.code.as_deref() == Some("ClientException") => Ok(()),
            r => r.map(|_| ()),
        }
    }

    async fn import(&self, ctx: &ProviderCtx, id: &str) -> Result<Value, ProviderError> {
        // The provider imports by ARN (a family name finds the latest revision).
        let arn = id.to_string();
        self.read_one(ctx, &obj(vec![("arn", Value::string(&arn))]))
            .await?
            .ok_or_else(|| {
                ProviderError::new(format!(
                    "Cannot import non-existent remote object: ECS Task Definition ({id})"
                ))
            })
    }
}
